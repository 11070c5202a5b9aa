//! Documents under `/.well-known/`, public, cacheable and readable from any origin (they name
//! no user and no secret):
//! * `oauth-protected-resource` (RFC 9728) tells MCP clients and other OAuth 2.1 clients which
//!   authorization server (AuthKit) issues the access tokens this site accepts;
//! * `workos-edge/jwks.json` publishes the keys that sign `X-WorkOS-Assertion`.

use web_sys::{Request, Response};
use workos_edge_core::assertion::jwks;
use workos_edge_core::web::well_known::{protected_resource_for, protected_resource_metadata};

use crate::config::Config;
use crate::error::GatewayError;
use crate::http::site_origin;

/// Browsers may cache the document this long; it changes only with the settings.
const MAX_AGE_SECONDS: u32 = 3600;

/// Answers a metadata request for the normalised `path`, or `None` when the path is not one
/// (it then goes to the origin like any other). Without `WORKOS_AUTHKIT_DOMAIN` there is no
/// authorization server to name: 404.
pub fn protected_resource(
    request: &Request,
    path: &str,
    cfg: &Config,
) -> Result<Option<Response>, GatewayError> {
    let origin = site_origin(request)?;
    let Some(resource) = protected_resource_for(&origin, path) else {
        return Ok(None);
    };
    let Some(authorization_server) = &cfg.authkit_domain else {
        return Err(GatewayError::NotFound);
    };
    let document = protected_resource_metadata(&resource, authorization_server);
    public_document(request, &document, MAX_AGE_SECONDS).map(Some)
}

/// `GET /.well-known/workos-edge/jwks.json`: the assertion keys' public halves (every key in
/// `EDGE_ASSERTION_KEY`, so origins know a new key before it signs). 404 without keys.
pub fn assertion_keys(request: &Request, cfg: &Config) -> Result<Response, GatewayError> {
    if cfg.assertion_keys.is_empty() {
        return Err(GatewayError::NotFound);
    }
    // Short: a key removed after a rotation should leave origins' caches soon.
    public_document(request, &jwks(&cfg.assertion_keys), 300)
}

/// A public JSON document (and its preflight), cacheable for `max_age` seconds.
fn public_document(
    request: &Request,
    document: &serde_json::Value,
    max_age: u32,
) -> Result<Response, GatewayError> {
    let response = match request.method().as_str() {
        // A browser-based client asks first when it sends its own headers.
        "OPTIONS" => crate::http::empty(204)?,
        "GET" | "HEAD" => crate::http::json(200, document)?,
        _ => return Err(GatewayError::MethodNotAllowed),
    };
    let headers = response.headers();
    headers.set("Access-Control-Allow-Origin", "*")?;
    headers.set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")?;
    headers.set("Access-Control-Allow-Headers", "*")?;
    headers.set("Cache-Control", &format!("public, max-age={max_age}"))?;
    Ok(response)
}
