//! # workos-edge (the Worker)
//!
//! A Cloudflare Worker that puts WorkOS AuthKit sessions in front of a static site (`www/`,
//! served through the `ASSETS` binding) or any origin (`ORIGIN_URL`). On every request it
//! strips inbound `x-workos-*` headers, opens and verifies the `wos-session` cookie, refreshes
//! it through WorkOS when due, and forwards the request with identity headers and the fresh
//! cookie. `/auth/*` runs the sign-in, callback, sign-out and session routes.
//!
//! Layers: `workos-edge-core` decides (pure); this crate does HTTP, `fetch`, WebCrypto and the
//! isolate caches. `error.rs` is the only place failures become responses.

mod config;
mod coordinator;
mod error;
mod gateway;
mod routes;
mod session;
mod verify;
mod workos;

use worker::{console_log, event, Context, Date, Env, Request, Response, Result};

use crate::config::Config;
use crate::error::GatewayError;

/// What one request did, for its single structured log line.
#[derive(Debug, Default)]
pub struct RequestLog {
    /// `forward`, `public`, `login`, `callback`, `refresh`...
    pub decision: &'static str,
    /// SDK reason or error detail, never a secret.
    pub reason: Option<String>,
    /// Time spent deciding about the session, in ms.
    pub auth_ms: Option<u64>,
}

#[event(fetch)]
async fn fetch(request: Request, env: Env, _ctx: Context) -> Result<Response> {
    let started = now_ms();
    let url = request.url()?;
    let method = request.method().to_string();
    let document = gateway::is_document_request(&request);
    let mut log = RequestLog::default();

    let outcome = match Config::from_env(&env, url.scheme() == "https") {
        Ok(cfg) => route(request, &env, &cfg, &mut log).await,
        Err(e) => Err(GatewayError::Config(e)),
    };
    let response = match outcome {
        Ok(response) => response,
        Err(error) => {
            log.decision = error.code();
            log.reason = Some(error.log_detail());
            error.into_response(document)?
        }
    };
    console_log!(
        "{}",
        serde_json::json!({
            "method": method,
            "path": url.path(),
            "status": response.status_code(),
            "decision": log.decision,
            "reason": log.reason,
            "auth_ms": log.auth_ms,
            "total_ms": now_ms().saturating_sub(started),
        })
    );
    Ok(response)
}

async fn route(
    request: Request,
    env: &Env,
    cfg: &Config,
    log: &mut RequestLog,
) -> std::result::Result<Response, GatewayError> {
    let path = request.path();
    let method = request.method().to_string();
    match (method.as_str(), path.as_str()) {
        ("GET", "/auth/login") => routes::login(&request, cfg, log),
        ("GET", "/auth/callback") => routes::callback(&request, cfg, log).await,
        ("GET" | "POST", "/auth/logout") => routes::logout(&request, cfg, log),
        ("GET", "/auth/session") => routes::session(&request, cfg, log).await,
        ("POST", "/auth/switch-organization") => {
            routes::switch_organization(request, cfg, log).await
        }
        ("GET", "/auth/organizations") => routes::list_organizations(&request, cfg, log).await,
        ("GET", "/auth/sessions") => routes::list_sessions(&request, cfg, log).await,
        ("POST", "/auth/sessions/revoke") => routes::revoke_sessions(request, cfg, log).await,
        (_, p) if p.starts_with("/auth/") => Err(GatewayError::BadRequest("No such auth route.")),
        _ => gateway::handle(request, env, cfg, log).await,
    }
}

/// Milliseconds since the epoch, from the runtime's clock.
pub(crate) fn now_ms() -> u64 {
    Date::now().as_millis()
}

/// Random bytes from the runtime's CSPRNG (`crypto.getRandomValues`).
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // getrandom's "js" backend cannot fail in a Worker; an all-zero value would still be caught
    // by tests that compare two seals.
    let _ = getrandom::getrandom(&mut bytes);
    bytes
}
