//! The routes the Worker answers itself: under `/auth/`, the sign-in flow ([`sign_in`]),
//! sign-out ([`sign_out`]), the account API for the site's pages ([`account`]) and WorkOS
//! webhooks ([`webhooks`]); under
//! `/.well-known/`, the protected-resource metadata for bearer clients ([`well_known`]); and
//! on any path, CORS preflights ([`cors`]).

mod account;
pub mod cors;
mod limits;
mod sign_in;
mod sign_out;
mod webhooks;
pub mod well_known;

use worker::{Method, Request, Response};

use crate::config::Config;
use crate::context::RequestContext;
use crate::error::GatewayError;

/// Prefix of every route answered here.
pub const PREFIX: &str = "/auth/";

/// Answers an `/auth/*` request (`path` is normalised).
pub async fn dispatch(
    request: Request,
    path: &str,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> Result<Response, GatewayError> {
    let method = request.method();
    match (method, path) {
        (Method::Get, "/auth/login") => sign_in::login(&request, cfg, ctx),
        (Method::Get, "/auth/callback") => sign_in::callback(&request, cfg, ctx).await,
        (Method::Get | Method::Post, "/auth/logout") => sign_out::logout(&request, cfg, ctx).await,
        (Method::Get, "/auth/session") => account::session(&request, cfg, ctx).await,
        (Method::Post, "/auth/switch-organization") => {
            account::switch_organization(request, cfg, ctx).await
        }
        (Method::Get, "/auth/organizations") => {
            account::list_organizations(&request, cfg, ctx).await
        }
        (Method::Get, "/auth/sessions") => account::list_sessions(&request, cfg, ctx).await,
        (Method::Post, "/auth/sessions/revoke") => {
            account::revoke_sessions(request, cfg, ctx).await
        }
        (Method::Post, "/auth/webhooks/workos") => webhooks::workos(request, cfg, ctx).await,
        _ => Err(GatewayError::NotFound),
    }
}

/// A JSON response that is never cached (the session cookie, if any, is added by the context).
fn private_json(body: &serde_json::Value) -> Result<Response, GatewayError> {
    let response = Response::from_json(body)?;
    let headers = response.headers();
    headers.set("Cache-Control", "private, no-store")?;
    headers.set("Vary", "Cookie")?;
    Ok(response)
}
