//! The lanes (`fetchLane` in the crate root): requests that can be sent to the origin without
//! waiting for anything are sent synchronously, without the async export's machinery (a
//! promise, a microtask queue and closures per await: most of the Worker's own CPU on such a
//! request). Two kinds qualify:
//! * a plain public request;
//! * a signed-in request whose session was resolved before and is usable as it is (no refresh
//!   due, the revocation list not due for a poll), without a bearer credential, meeting its
//!   route's rules, on a deployment that signs no assertion.
//!
//! Everything else, and anything a lane is unsure of, goes the full way (`None`): that reaches
//! the same decisions, with the waits it needs.

use std::rc::Rc;

use js_sys::Promise;
use web_sys::{Headers, Request};
use workos_edge_core::assertion::JWKS_PATH;
use workos_edge_core::web::bearer::{parse_authorization, Presented};
use workos_edge_core::web::well_known::PROTECTED_RESOURCE_PATH;
use workos_edge_core::web::{normalize_path, unmet_requirement, url_parts};

use super::headers;
use super::origin::{self, Audience};
use crate::config::{Config, LogRequests};
use crate::context::RequestContext;
use crate::credentials::{require_cached_session, Identity};
use crate::http::{header, is_supported_method};
use crate::routes;
use crate::runtime::bindings::Env;

/// A request sent by a lane.
pub enum Sent {
    /// A public request: the origin's answer is passed on as it is when it is a success.
    Public(Promise),
    /// A signed-in request: the origin's answer still needs `private_response` and the
    /// request's cookies, from `ctx`.
    SignedIn(Promise, RequestContext),
}

/// Sends `request` by a lane, or `None` when it must go the full way.
pub fn send(request: &Request, env: &Env) -> Option<Sent> {
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
    if ours || !origin::reachable(env, &cfg) {
        return None;
    }
    let inbound = request.headers();
    let cookies = header(request, "cookie");
    if cfg.is_public(&path) {
        let forwarded = headers::for_public(&inbound, cookies.as_deref(), &cfg).ok()?;
        let sent = origin::send(
            request,
            &parts,
            &path,
            &forwarded,
            Audience::Public,
            env,
            &cfg,
        );
        return sent.ok().map(Sent::Public);
    }
    let mut ctx = RequestContext::default();
    ctx.log = cfg.log_requests;
    ctx.advertise_metadata = cfg.authkit_domain.is_some();
    let forwarded = signed_in(request, &inbound, cookies.as_deref(), &path, &cfg, &mut ctx)?;
    let sent = origin::send(
        request,
        &parts,
        &path,
        &forwarded,
        Audience::Private,
        env,
        &cfg,
    );
    Some(Sent::SignedIn(sent.ok()?, ctx))
}

/// The headers for a signed-in request that needs no waiting, or `None`.
fn signed_in(
    request: &Request,
    inbound: &Headers,
    cookies: Option<&str>,
    path: &str,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> Option<Headers> {
    let no_bearer = matches!(
        parse_authorization(header(request, "authorization").as_deref()),
        Presented::Nothing
    );
    if !no_bearer || !cfg.assertion_keys.is_empty() {
        return None;
    }
    let active = require_cached_session(cookies, cfg, ctx)?;
    let identity = Identity::Session(Rc::clone(&active));
    if unmet_requirement(&cfg.route_rules, path, &identity.claims()).is_some() {
        return None;
    }
    let forwarded = headers::without_identity(inbound).ok()?;
    headers::add_identity(&forwarded, &identity, cookies, cfg).ok()?;
    Some(forwarded)
}

/// The origin's answer to a signed-in request sent by a lane: made private as the full
/// pipeline makes it.
pub fn answered_signed_in(
    answer: Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>,
    ctx: &RequestContext,
) -> Result<web_sys::Response, crate::error::GatewayError> {
    headers::private_response(origin::received(answer)?, ctx, false)
}
