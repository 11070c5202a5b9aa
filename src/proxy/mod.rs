//! Every request that is not an `/auth/*` route: strip spoofed headers, resolve the identity
//! (bearer credential or session cookie), apply route rules, forward with identity, and make
//! the response safe to cache.

mod assertion;
mod headers;
pub mod lane;
pub mod origin;

use crate::runtime::bindings::Env;
use web_sys::{Request, Response};
use workos_edge_core::encoding::form_urlencode;
use workos_edge_core::web::{unmet_requirement, UrlParts};

use crate::config::Config;
use crate::context::RequestContext;
use crate::credentials::authenticate;
use crate::error::GatewayError;
use crate::http::{header, is_document_request, redirect};
use crate::runtime::now_ms;
use origin::Audience;

/// The gateway pipeline for the normalised `path`.
pub async fn handle(
    request: Request,
    url: &UrlParts<'_>,
    path: &str,
    env: &Env,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> Result<Response, GatewayError> {
    let inbound = request.headers();
    let cookie_header = header(&request, "cookie");
    if cfg.is_public(path) {
        ctx.decision = "public";
        // An origin reading the session on its public pages gets it whole, as on the others.
        let forwarded = headers::for_public(&inbound, cookie_header.as_deref(), cfg)?;
        return origin::forward(request, url, path, forwarded, Audience::Public, env, cfg).await;
    }
    let forwarded = headers::without_identity(&inbound)?;

    let authorization = header(&request, "authorization");
    let identity =
        match authenticate(authorization.as_deref(), cookie_header.as_deref(), cfg, ctx).await {
            Ok(identity) => identity,
            // Only a request without any credential is sent to sign in: a refused bearer
            // credential is a 401 for the program that sent it.
            Err(GatewayError::Unauthenticated { .. }) if is_document_request(&request) => {
                return sign_in_redirect(url, path);
            }
            Err(error) => return Err(error),
        };
    if let Some(requirement) = unmet_requirement(&cfg.route_rules, path, &identity.claims()) {
        let requirement = requirement.clone();
        return Err(if identity.is_bearer() {
            GatewayError::InsufficientScope(requirement)
        } else {
            GatewayError::Forbidden(requirement)
        });
    }

    headers::add_identity(&forwarded, &identity, cookie_header.as_deref(), cfg)?;
    let audience = cfg.origin_url.as_deref().unwrap_or(url.origin);
    let now_s = now_ms() / 1000;
    if let Some(jwt) = assertion::for_identity(&identity, url.origin, audience, cfg, now_s).await? {
        forwarded.set("X-WorkOS-Assertion", &jwt)?;
    }
    let bearer = identity.is_bearer();
    let response =
        origin::forward(request, url, path, forwarded, Audience::Private, env, cfg).await?;
    headers::private_response(response, ctx, bearer)
}

/// Documents without a session go to sign-in, coming back to this path (and query) after.
fn sign_in_redirect(url: &UrlParts<'_>, path: &str) -> Result<Response, GatewayError> {
    let mut return_to = path.to_owned();
    if let Some(query) = url.query {
        return_to.push('?');
        return_to.push_str(query);
    }
    redirect(&format!(
        "/auth/login?returnTo={}",
        form_urlencode(&return_to)
    ))
}
