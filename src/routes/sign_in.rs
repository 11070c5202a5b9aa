//! Sign-in: `GET /auth/login` sends the browser to AuthKit with PKCE, `GET /auth/callback`
//! brings it back, exchanges the code and sets the session cookie.
//!
//! The verifier, `state` and return path of each sign-in travel in a sealed, short-lived
//! cookie of its own (`wos-auth-*`), so sign-ins in two tabs do not clobber each other. At
//! most [`MAX_STATE_COOKIES`] exist at once (the oldest are deleted): repeated sign-in
//! attempts must not fill the browser's cookie jar and evict the session cookie.

use serde_json::json;
use serde_json::Value;
use web_sys::{Request, Response};
use workos_edge_core::api::AuthenticateGrant;
use workos_edge_core::cookie::{seal_json, unseal_json};
use workos_edge_core::iron::SealRandomness;
use workos_edge_core::json::Members;
use workos_edge_core::refresh::{classify_authenticate_reply, RefreshFailure};
use workos_edge_core::urls::{
    authorization_url, state_from_random, AuthorizationUrlOptions, Pkce, ScreenHint,
};
use workos_edge_core::web::callback::{parse_callback_query, CallbackError};
use workos_edge_core::web::{
    cookie_pairs, query_param, safe_return_path, url_parts, CookieAttributes, SameSite,
};
use workos_edge_core::SessionCookieData;

use crate::config::Config;
use crate::context::RequestContext;
use crate::credentials::sign_in_counter;
use crate::error::{describe_failure, html_escape, GatewayError};
use crate::http::{header, parts, redirect, request_url, site_origin};
use crate::runtime::{now_ms, random_bytes};
use crate::workos;

/// A sign-in must come back within this time.
const LOGIN_STATE_TTL_SECONDS: u64 = 600;
/// Prefix of the per-sign-in state cookies.
const STATE_COOKIE_PREFIX: &str = "wos-auth-";
/// Sign-ins in progress per browser.
pub const MAX_STATE_COOKIES: usize = 3;
/// State cookies looked at per request (an attacker may send thousands).
const STATE_COOKIES_SCANNED: usize = 32;
/// Characters of `state` in its cookie's name.
const STATE_NAME_CHARS: usize = 16;

type RouteResult = Result<Response, GatewayError>;

fn query(request: &Request, key: &str) -> Option<String> {
    let url = request_url(request);
    query_param(url_parts(&url)?.query, key)
}

fn redirect_uri(request: &Request, cfg: &Config) -> Result<String, GatewayError> {
    match &cfg.redirect_uri {
        Some(uri) => Ok(uri.clone()),
        None => Ok(format!("{}/auth/callback", site_origin(request)?)),
    }
}

/// `wos-auth-<creation time, hex ms>-<first 16 characters of state>`: the time orders them
/// (to drop the oldest), the state finds the right one at the callback.
fn state_cookie_name(created_ms: u64, state: &str) -> String {
    let tag = state.get(..STATE_NAME_CHARS).unwrap_or(state);
    format!("{STATE_COOKIE_PREFIX}{created_ms:012x}-{tag}")
}

/// Names of the state cookies the browser sent, oldest first.
fn state_cookie_names(request: &Request) -> Vec<String> {
    let cookies = header(request, "cookie").unwrap_or_default();
    let mut names: Vec<String> = cookie_pairs(&cookies)
        .map(|(name, _)| name)
        .filter(|name| name.starts_with(STATE_COOKIE_PREFIX))
        .take(STATE_COOKIES_SCANNED)
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

fn state_cookie_attributes(cfg: &Config) -> CookieAttributes {
    CookieAttributes {
        path: "/auth/".into(),
        domain: None,
        max_age: Some(LOGIN_STATE_TTL_SECONDS),
        // Lax, whatever the session's setting: it must come back with WorkOS's redirect.
        same_site: SameSite::Lax,
        secure: cfg.cookie.secure,
    }
}

/// `GET /auth/login?returnTo=/path[&screenHint=sign-up][&loginHint=..][&organizationId=..]`.
pub fn login(request: &Request, cfg: &Config, ctx: &mut RequestContext) -> RouteResult {
    ctx.decision = "login";
    let cookies = header(request, "cookie");
    if let Some(retry_after) = sign_in_counter::looping(cookies.as_deref(), now_ms() / 1000) {
        return Err(GatewayError::SignInLoop { retry_after });
    }
    let return_to = query(request, "returnTo")
        .and_then(|r| safe_return_path(&r))
        .unwrap_or_else(|| "/".into());
    let pkce = Pkce::from_random(random_bytes()?);
    let state = state_from_random(random_bytes()?);
    let now = now_ms();
    // Verifier, state and return path, sealed for the state cookie (10 minutes).
    let seal_flow = |return_to: &str| -> Result<String, GatewayError> {
        let flow = json!({ "state": state, "codeVerifier": pkce.verifier, "returnTo": return_to });
        Ok(seal_json(
            &flow,
            &cfg.passwords,
            &SealRandomness::from_bytes(random_bytes()?),
            Some(now + LOGIN_STATE_TTL_SECONDS * 1000),
        ))
    };
    let sealed = seal_flow(&return_to)?;
    let options = AuthorizationUrlOptions {
        client_id: cfg.client_id.clone(),
        redirect_uri: redirect_uri(request, cfg)?,
        provider: Some("authkit".into()),
        organization_id: query(request, "organizationId"),
        login_hint: query(request, "loginHint"),
        screen_hint: query(request, "screenHint")
            .filter(|h| h == "sign-in" || h == "sign-up")
            .map(|h| ScreenHint::parse(&h)),
        state: Some(state.clone()),
        code_challenge: Some(pkce.challenge),
        code_challenge_method: Some("S256".into()),
        ..Default::default()
    };
    let url = authorization_url(&cfg.api_base_url, &options)
        .map_err(|_| GatewayError::BadRequest("A sign-in option is not valid."))?;

    let attributes = state_cookie_attributes(cfg);
    let existing = state_cookie_names(request);
    let excess = (existing.len() + 1).saturating_sub(MAX_STATE_COOKIES);
    for old in existing.iter().take(excess) {
        ctx.add_cookie(attributes.clear_cookie(old));
    }
    let name = state_cookie_name(now, &state);
    let line = match attributes.set_cookie_checked(&name, &sealed) {
        Ok(line) => line,
        // A long `returnTo` (escaped in JSON, then sealed) can outgrow a cookie, which the
        // browser would drop: sign-in would then fail. Come back to the home page instead.
        Err(_) => attributes.set_cookie(&name, &seal_flow("/")?),
    };
    ctx.add_cookie(line);
    redirect(&url)
}

/// `{state, codeVerifier, returnTo}`, sealed in the sign-in's state cookie.
struct LoginFlow {
    state: String,
    code_verifier: String,
    return_to: String,
}

impl LoginFlow {
    fn from_value(value: Value) -> Option<Self> {
        let mut members = Members::of(value, "flow").ok()?;
        Some(Self {
            state: members.string("state").ok()?,
            code_verifier: members.string("codeVerifier").ok()?,
            return_to: members.string("returnTo").ok()?,
        })
    }
}

/// `GET /auth/callback?code=..&state=..`: checks the state against its sealed cookie,
/// exchanges the code (with the PKCE verifier) and sets the session cookie.
pub async fn callback(request: &Request, cfg: &Config, ctx: &mut RequestContext) -> RouteResult {
    ctx.decision = "callback";
    let url = request_url(request);
    let params = parse_callback_query(parts(&url)?.query).map_err(|e| {
        ctx.reason = Some(e.to_string());
        GatewayError::BadRequest(match e {
            CallbackError::Refused(_) => "Sign-in was cancelled or refused. Please try again.",
            CallbackError::Incomplete | CallbackError::Malformed => {
                "The sign-in link is incomplete or damaged. Please sign in again."
            }
        })
    })?;

    let cookies = header(request, "cookie").unwrap_or_default();
    let tag = params.state.get(..STATE_NAME_CHARS).unwrap_or_default();
    let state_cookie = cookie_pairs(&cookies)
        .filter(|(name, _)| name.starts_with(STATE_COOKIE_PREFIX))
        .take(STATE_COOKIES_SCANNED)
        .find(|(name, _)| name.ends_with(&format!("-{tag}")));
    let (cookie_name, flow) = state_cookie
        .and_then(|(name, sealed)| {
            let value = unseal_json(sealed, &cfg.passwords, now_ms()).ok()?;
            let flow = LoginFlow::from_value(value)?;
            (flow.state == params.state).then(|| (name.to_owned(), flow))
        })
        .ok_or(GatewayError::BadRequest(
            "This sign-in expired or was started in another browser. Please sign in again.",
        ))?;
    // The flow is spent whatever happens next.
    ctx.add_cookie(state_cookie_attributes(cfg).clear_cookie(&cookie_name));

    let grant = AuthenticateGrant::AuthorizationCode {
        client_id: cfg.client_id.clone(),
        client_secret: Some(cfg.api_key.clone()),
        code: params.code,
        code_verifier: Some(flow.code_verifier),
        invitation_token: None,
        ip_address: header(request, "cf-connecting-ip"),
        user_agent: header(request, "user-agent"),
    };
    let reply = workos::send(
        &grant.to_request(&cfg.api_base_url, Some(&cfg.api_key)),
        cfg.api_timeout_ms,
    )
    .await;
    let response = classify_authenticate_reply(&reply).map_err(|f| exchange_error(&f))?;
    let session = SessionCookieData::from_authentication_response(&response);
    let sealed = seal_json(
        &session.into_json(),
        &cfg.passwords,
        &SealRandomness::from_bytes(random_bytes()?),
        None,
    );
    ctx.set_session(cfg, &sealed, Some(cookies.as_str()))?;
    sign_in_counter::completed(cfg, ctx, &cookies, now_ms() / 1000);

    let return_to = safe_return_path(&flow.return_to).unwrap_or_else(|| "/".into());
    if cfg.cookie.same_site == SameSite::Strict {
        return same_site_hop(&return_to);
    }
    redirect(&return_to)
}

/// What a failed code exchange means for the visitor: WorkOS down → retry later (503);
/// WorkOS refusing the code → sign in again (400); anything else → a bad answer (502).
fn exchange_error(failure: &RefreshFailure) -> GatewayError {
    match failure {
        RefreshFailure::Failed {
            reason,
            retry_after,
            ..
        } if reason.is_retryable() => GatewayError::Unavailable {
            retry_after: retry_after.unwrap_or(5),
        },
        RefreshFailure::Failed { .. } => {
            GatewayError::SignInRefused(describe_failure("code exchange", failure))
        }
        RefreshFailure::Unexpected(error)
            if error.status.is_some_and(|s| (400..500).contains(&s)) =>
        {
            GatewayError::SignInRefused(describe_failure("code exchange", failure))
        }
        RefreshFailure::Unexpected(_) => {
            GatewayError::Upstream(describe_failure("code exchange", failure))
        }
    }
}

/// With `SameSite=Strict`, the redirect that ends a cross-site sign-in would arrive without
/// the new cookie (the navigation chain started on WorkOS's site) and loop back to sign-in. A
/// page of ours that moves on by itself makes the last hop same-site.
fn same_site_hop(return_to: &str) -> RouteResult {
    let target = html_escape(return_to);
    let page = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0;url={target}\"><title>Signed in</title>\
         <body><p>Signed in. <a href=\"{target}\">Continue</a></p></body></html>"
    );
    let response = crate::http::html(200, &page)?;
    response
        .headers()
        .set("Cache-Control", "private, no-store")?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_cookie_names_sort_by_age_and_carry_the_state() {
        let state = "s".repeat(43);
        let old = state_cookie_name(0x0100, &state);
        let new = state_cookie_name(0x1000, &state);
        assert!(old < new);
        assert!(new.ends_with(&format!("-{}", "s".repeat(16))));
        // Never slices through a character.
        assert_eq!(state_cookie_name(1, "é"), "wos-auth-000000000001-é");
    }
}
