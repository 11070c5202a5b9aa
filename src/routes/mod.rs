//! The routes the Worker answers itself: under `/auth/`, the sign-in flow (`sign_in`),
//! sign-out (`sign_out`), the account API for the site's pages (`account`) and WorkOS
//! webhooks (`webhooks`); under
//! `/.well-known/`, the protected-resource metadata for bearer clients ([`well_known`]); and
//! on any path, CORS preflights ([`cors`]).

mod account;
pub mod cors;
mod limits;
mod sign_in;
mod sign_out;
mod webhooks;
pub mod well_known;

use web_sys::{Request, Response};

use crate::config::Config;
use crate::context::RequestContext;
use crate::error::GatewayError;

/// Prefix of every route answered here.
pub const PREFIX: &str = "/auth/";

/// Answers an `/auth/*` request (`path` is normalised; `method` as sent).
pub async fn dispatch(
    request: &Request,
    method: &str,
    path: &str,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> Result<Response, GatewayError> {
    match (method, path) {
        ("GET", "/auth/login") => sign_in::login(request, cfg, ctx),
        ("GET", "/auth/callback") => sign_in::callback(request, cfg, ctx).await,
        ("GET" | "POST", "/auth/logout") => sign_out::logout(request, method, cfg, ctx).await,
        ("GET", "/auth/session") => account::session(request, cfg, ctx).await,
        ("POST", "/auth/switch-organization") => {
            account::switch_organization(request, cfg, ctx).await
        }
        ("GET", "/auth/organizations") => account::list_organizations(request, cfg, ctx).await,
        ("GET", "/auth/sessions") => account::list_sessions(request, cfg, ctx).await,
        ("POST", "/auth/sessions/revoke") => account::revoke_sessions(request, cfg, ctx).await,
        ("POST", "/auth/webhooks/workos") => webhooks::workos(request, cfg, ctx).await,
        _ => Err(GatewayError::NotFound),
    }
}

/// A JSON response that is never cached (the session cookie, if any, is added by the context).
fn private_json(body: &serde_json::Value) -> Result<Response, GatewayError> {
    let response = crate::http::json(200, body)?;
    let headers = response.headers();
    headers.set("Cache-Control", "private, no-store")?;
    headers.set("Vary", "Cookie")?;
    Ok(response)
}
