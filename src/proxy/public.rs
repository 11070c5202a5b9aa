//! The public lane (see `fetchPublic` in the crate root): a request for a public path that
//! needs nothing but passing on is sent synchronously. Every other request, and anything the
//! lane is unsure of, goes the full way (`None`), which reaches the same decisions.

use js_sys::Promise;
use web_sys::Request;
use workos_edge_core::assertion::JWKS_PATH;
use workos_edge_core::web::well_known::PROTECTED_RESOURCE_PATH;
use workos_edge_core::web::{normalize_path, url_parts};

use super::headers;
use super::origin::{self, Audience};
use crate::config::{Config, LogRequests};
use crate::http::{header, is_supported_method};
use crate::routes;
use crate::runtime::bindings::Env;

/// The origin's promise for a plain public request, or `None` when the request needs more:
/// a method or path the full pipeline refuses, a route of ours, CORS, `LOG_REQUESTS=all`
/// (every request is logged), a path that is not public, or an origin the lane cannot reach.
pub fn send(request: &Request, env: &Env) -> Option<Promise> {
    let method = request.method();
    if method == "OPTIONS" || !is_supported_method(&method) {
        return None;
    }
    let url = request.url();
    let parts = url_parts(&url)?;
    let path = normalize_path(parts.path).ok()?;
    let cfg = Config::for_env(env).ok()?;
    if cfg.log_requests == LogRequests::All || !cfg.cors_allowed_origins.is_empty() {
        return None;
    }
    let ours = path.starts_with(routes::PREFIX)
        || path == JWKS_PATH
        || path.starts_with(PROTECTED_RESOURCE_PATH);
    if ours || !cfg.is_public(&path) || !origin::reachable(env, &cfg) {
        return None;
    }
    let cookies = header(request, "cookie");
    let forwarded = headers::for_public(&request.headers(), cookies.as_deref(), &cfg).ok()?;
    origin::send(
        request,
        &parts,
        &path,
        &forwarded,
        Audience::Public,
        env,
        &cfg,
    )
    .ok()
}
