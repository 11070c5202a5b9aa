//! # workos-edge (the Worker)
//!
//! A Cloudflare Worker that puts WorkOS AuthKit sessions in front of a static site (`www/`,
//! served through the `ASSETS` binding) or any origin (`ORIGIN_URL`). On every request it
//! normalises the path (once: rules match and the origin receives the same path), strips
//! inbound identity headers in any spelling, opens and verifies the `wos-session` cookie,
//! refreshes it through WorkOS when due, and forwards the request with identity headers and
//! the fresh cookie. `/auth/*` runs the sign-in, callback, sign-out and account routes.
//!
//! Layers, each a folder or file:
//! * `workos-edge-core` decides (pure: no network, clock or randomness);
//! * [`credentials`] turn a request into an identity (a bearer access token or API key, or
//!   the session cookie);
//! * [`refresh`] coordinates refreshes (in the isolate, or in a Durable Object), and
//!   [`revocation`] keeps the sessions revoked by webhook out (a Durable Object list);
//! * [`routes`] are the `/auth/*` handlers and `/.well-known/` documents, [`proxy`] the
//!   pipeline to the origin, and [`proxy::lane`] its synchronous lanes for requests that need
//!   no waiting (plain public ones, signed-in ones with a known session);
//! * [`tokens`] (JWKS, WebCrypto), [`cache`] (verified credentials per isolate), [`workos`]
//!   (fetch), [`config`], [`runtime`] (the runtime's APIs, bound directly; `src/entry.mjs` is
//!   the JavaScript entry that calls [`fetch_lane`] and [`fetch`]);
//! * [`error`] is the only place failures become responses, and [`context`] makes sure every
//!   response carries the cookies the request produced.
//!
//! No request may panic: a panic in wasm aborts the isolate and every cache in it. The lints
//! below deny the constructs that can.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::string_slice,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

pub mod cache;
pub mod config;
pub mod context;
pub mod credentials;
pub mod error;
pub mod http;
pub mod proxy;
pub mod refresh;
pub mod revocation;
pub mod routes;
pub mod runtime;
pub mod tokens;
pub mod workos;

use wasm_bindgen::prelude::{wasm_bindgen, JsValue};
use workos_edge_core::assertion::JWKS_PATH;
use workos_edge_core::web::cors::{allowed_origin, is_preflight};
use workos_edge_core::web::well_known::{protected_resource_metadata_url, PROTECTED_RESOURCE_PATH};
use workos_edge_core::web::{normalize_path, url_parts, UrlParts};

use crate::config::Config;
use crate::context::RequestContext;
use crate::error::{ChallengeSite, GatewayError};
use crate::proxy::lane::Sent;
use crate::runtime::bindings::Env;
use crate::runtime::{log_line, now_ms};

/// Runs once per wasm instance. The request paths cannot panic (the lints above), but should a
/// trap happen anyway, the log gets one line (where, never what: a message could quote a
/// value) and the next call gets a fresh instance instead of a poisoned one.
#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        log_line(&workos_edge_core::json::to_text(&serde_json::json!({
            "panic": place,
            "outcome": "the isolate's wasm starts again; its caches are lost",
        })));
    }));
    wasm_bindgen::handler::set_on_abort(wasm_bindgen::handler::schedule_reinit);
}

/// The Worker's `fetch` handler, called by `src/entry.mjs` with the runtime's own request (no
/// wrapper: reading `request.cf`, which a wrapper does, costs the runtime a JSON parse).
#[wasm_bindgen]
pub async fn fetch(
    request: web_sys::Request,
    env: Env,
    _ctx: JsValue,
) -> std::result::Result<web_sys::Response, JsValue> {
    let started = now_ms();
    // The same JS object, for the answer (its inherent `clone` would copy the request).
    let original = Clone::clone(&request);
    // As sent: other methods are refused, never read as another.
    let method = request.method();
    // Read and split once: the routes, the origin URL and any challenge use these parts.
    let url = request.url();
    let parts = url_parts(&url);
    let mut ctx = RequestContext::default();

    let outcome = match &parts {
        Some(parts) => handle(request, &method, parts, &env, &mut ctx).await,
        None => Err(GatewayError::BadRequest("The request URL is malformed.")),
    };
    reply_to(&original, outcome, ctx, started)
}

/// The lanes ([`proxy::lane`]): a request that can be sent to the origin without waiting for
/// anything is sent synchronously, without the machinery an `async` export costs. Returns
/// `undefined` when the request needs [`fetch`]; for a plain public request, the origin's
/// promise (`src/entry.mjs` passes a 101, 2xx or 3xx answer on as it is, as [`fetch`] would:
/// relayed and not logged, and hands any other to [`public_answered`], a failure to
/// [`public_failed`]); for a signed-in request, `[promise, SignedInAnswer]`, whose
/// [`SignedInAnswer::answered`] or [`SignedInAnswer::failed`] finishes it.
#[wasm_bindgen(js_name = fetchLane)]
pub fn fetch_lane(request: &web_sys::Request, env: &Env) -> JsValue {
    let started = now_ms();
    match proxy::lane::send(request, env) {
        None => JsValue::UNDEFINED,
        Some(Sent::Public(sent)) => sent.into(),
        Some(Sent::SignedIn(sent, ctx)) => {
            let answer = SignedInAnswer {
                // The same JS object (its inherent `clone` would copy the request).
                request: Clone::clone(request),
                ctx,
                started,
            };
            js_sys::Array::of2(&sent, &JsValue::from(answer)).into()
        }
    }
}

/// A signed-in request a lane sent, waiting for the origin's answer.
#[wasm_bindgen]
pub struct SignedInAnswer {
    request: web_sys::Request,
    ctx: RequestContext,
    started: u64,
}

#[wasm_bindgen]
impl SignedInAnswer {
    /// The origin answered: the response made private, with the request's cookies, logged as
    /// [`fetch`] does.
    pub fn answered(
        self,
        response: web_sys::Response,
    ) -> std::result::Result<web_sys::Response, JsValue> {
        let outcome = proxy::lane::answered_signed_in(Ok(response.into()), &self.ctx);
        reply_to(&self.request, outcome, self.ctx, self.started)
    }

    /// The origin could not be reached.
    pub fn failed(self) -> std::result::Result<web_sys::Response, JsValue> {
        let outcome = proxy::lane::answered_signed_in(Err(JsValue::UNDEFINED), &self.ctx);
        reply_to(&self.request, outcome, self.ctx, self.started)
    }
}

/// The public lane's answer when it is not a plain success: checked and logged as [`fetch`]
/// does.
#[wasm_bindgen(js_name = publicAnswered)]
pub fn public_answered(
    request: &web_sys::Request,
    env: &Env,
    response: web_sys::Response,
    started: f64,
) -> std::result::Result<web_sys::Response, JsValue> {
    finish_public(request, env, Ok(response.into()), started)
}

/// The public lane's origin could not be reached: the error page or JSON [`fetch`] gives.
#[wasm_bindgen(js_name = publicFailed)]
pub fn public_failed(
    request: &web_sys::Request,
    env: &Env,
    started: f64,
) -> std::result::Result<web_sys::Response, JsValue> {
    finish_public(request, env, Err(JsValue::UNDEFINED), started)
}

fn finish_public(
    request: &web_sys::Request,
    env: &Env,
    answer: std::result::Result<JsValue, JsValue>,
    started: f64,
) -> std::result::Result<web_sys::Response, JsValue> {
    let mut ctx = RequestContext::default();
    ctx.decision = "public";
    if let Ok(cfg) = Config::for_env(env) {
        ctx.log = cfg.log_requests;
        ctx.advertise_metadata = cfg.authkit_domain.is_some();
    }
    let outcome = proxy::origin::received(answer);
    reply_to(request, outcome, ctx, started as u64)
}

/// [`respond`] to `request` (read again: its body may be gone, its method, headers and URL
/// are not).
fn reply_to(
    request: &web_sys::Request,
    outcome: std::result::Result<web_sys::Response, GatewayError>,
    ctx: RequestContext,
    started: u64,
) -> std::result::Result<web_sys::Response, JsValue> {
    let (method, headers, url) = (request.method(), request.headers(), request.url());
    let parts = url_parts(&url);
    let facts = RequestFacts {
        method: &method,
        headers: &headers,
        parts: parts.as_ref(),
        started,
    };
    respond(outcome, &facts, ctx)
}

/// What answering needs to know about the request once it is handled.
struct RequestFacts<'a> {
    method: &'a str,
    headers: &'a web_sys::Headers,
    parts: Option<&'a UrlParts<'a>>,
    started: u64,
}

/// Every answer's last step: an error becomes its response (the one map, [`error`]), the
/// request's cookies go on, and the log line is written if the mode wants one.
fn respond(
    outcome: std::result::Result<web_sys::Response, GatewayError>,
    facts: &RequestFacts<'_>,
    mut ctx: RequestContext,
) -> std::result::Result<web_sys::Response, JsValue> {
    let parts = facts.parts;
    let mut error_code = None;
    let response = match outcome {
        Ok(response) => response,
        Err(error) => {
            error_code = Some(error.code());
            // A detail recorded on the way (why WorkOS could not answer) says more.
            ctx.reason.get_or_insert_with(|| error.log_detail());
            let document = http::is_document(facts.method, facts.headers);
            // Built only here: most requests never challenge anyone.
            let site = ChallengeSite {
                realm: parts.map_or("", |p| p.host).to_owned(),
                resource_metadata: parts
                    .filter(|_| ctx.advertise_metadata)
                    .map(|p| protected_resource_metadata_url(p.origin)),
            };
            error
                .into_response(document, &site)
                .map_err(|e| JsValue::from_str(e.code()))?
        }
    };
    let response = ctx
        .finish(response)
        .map_err(|e| JsValue::from_str(e.code()))?;
    let status = response.status();
    if ctx.log.wants(status, ctx.decision) {
        log_line(&workos_edge_core::json::to_text(&serde_json::json!({
                "method": facts.method,
                "path": log_prefix(parts.map_or("", |parts| parts.path)),
                "status": status,
                "decision": ctx.decision,
                "error": error_code,
                "reason": ctx.reason,
                "auth_ms": ctx.auth_ms,
                "total_ms": now_ms().saturating_sub(facts.started),
        })));
    }
    Ok(response)
}

async fn handle(
    request: web_sys::Request,
    method: &str,
    url: &UrlParts<'_>,
    env: &Env,
    ctx: &mut RequestContext,
) -> std::result::Result<web_sys::Response, GatewayError> {
    if !http::is_supported_method(method) {
        return Err(GatewayError::MethodNotAllowed);
    }
    let path = normalize_path(url.path).map_err(GatewayError::BadPath)?;
    let cfg = Config::for_env(env)?;
    ctx.log = cfg.log_requests;
    ctx.advertise_metadata = cfg.authkit_domain.is_some();
    if method == "OPTIONS" || !cfg.cors_allowed_origins.is_empty() {
        let headers = request.headers();
        let origin = headers.get("origin").ok().flatten();
        let preflight = is_preflight(
            method,
            headers
                .get("access-control-request-method")
                .ok()
                .flatten()
                .as_deref(),
        );
        // The metadata document answers its own preflights (any origin may read it).
        if preflight && !path.starts_with(PROTECTED_RESOURCE_PATH) && path != JWKS_PATH {
            if let Some(response) = routes::cors::preflight(&headers, &path, &cfg, ctx)? {
                return Ok(response);
            }
        }
        ctx.cors_enabled = !cfg.cors_allowed_origins.is_empty();
        ctx.cors_origin =
            allowed_origin(&cfg.cors_allowed_origins, origin.as_deref()).map(str::to_owned);
    }
    if path.starts_with(routes::PREFIX) {
        return routes::dispatch(&request, method, &path, &cfg, ctx).await;
    }
    if path == JWKS_PATH {
        return routes::well_known::assertion_keys(&request, &cfg);
    }
    if path.starts_with(PROTECTED_RESOURCE_PATH) {
        if let Some(response) = routes::well_known::protected_resource(&request, &path, &cfg)? {
            return Ok(response);
        }
    }
    proxy::handle(request, url, &path, env, &cfg, ctx).await
}

/// The raw path may carry anything a client sent: log at most its first 256 bytes (cut at a
/// character boundary).
fn log_prefix(text: &str) -> &str {
    let mut end = text.len().min(256);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}
