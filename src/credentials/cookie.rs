//! The `wos-session` cookie as a credential: opened, its access token verified, refreshed when
//! due, and remembered per isolate so a known cookie costs a hash lookup.

use std::cell::RefCell;
use std::rc::Rc;

use workos_edge_core::authenticate::{open_session, open_session_reporting, AuthenticateFailure};
use workos_edge_core::cookie::{authenticated_part, seal_json};
use workos_edge_core::iron::SealRandomness;
use workos_edge_core::jwt::{decode_claims_unverified, decode_unverified, JwtError, VerifyOptions};
use workos_edge_core::refresh::RefreshFailure;
use workos_edge_core::web::chunks::{has_chunks, session_cookie_value};
use workos_edge_core::{SealedWith, SessionCookieData};

use super::{activity, ActiveSession, SessionState};
use crate::cache::{seal_tag, TaggedCache};
use crate::config::Config;
use crate::error::describe_failure;
use crate::refresh::{self, Refreshed};
use crate::runtime::random_bytes;
use crate::tokens::{verify_access_token, JwksSource, TokenCheckError};

/// Sessions already resolved from a cookie value, kept until their token is due for refresh
/// (or the seal expires): a request with a known cookie skips unsealing and the token check.
const SESSION_CACHE_LIMIT: usize = 4096;

/// All cached cookies together stay below this (chunked sessions reach 40 KB).
const SESSION_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// Resolved sessions by cookie (its MAC-covered part), with the time (seconds) until which each
/// may be used as it is. Shared, not copied, by the requests that use them.
type SessionCache = TaggedCache<(Rc<ActiveSession>, i64)>;

thread_local! {
    static SESSIONS: RefCell<SessionCache> =
        RefCell::new(TaggedCache::new(SESSION_CACHE_LIMIT, SESSION_CACHE_BYTES));
}

/// [`resolve`] for a cookie value resolved before and usable as it is: `None` when resolving
/// it needs more (opening, verifying, refreshing: take [`resolve`]).
pub fn resolve_cached(
    cfg: &Config,
    cookie_header: Option<&str>,
    now_ms: u64,
) -> Option<SessionState> {
    let value = cookie_header.and_then(|h| session_cookie_value(h, &cfg.cookie_name))?;
    cached(cfg, cookie_header, &value, (now_ms / 1000) as i64)
}

/// The resolved-session cache's answer for `sealed`, if it has one still usable.
fn cached(
    cfg: &Config,
    cookie_header: Option<&str>,
    sealed: &str,
    now_s: i64,
) -> Option<SessionState> {
    // Keyed on what the seal's MAC covers: the `~N` suffix is not authenticated.
    let authenticated = authenticated_part(sealed);
    let tag = seal_tag(authenticated);
    let (active, usable_until) = SESSIONS.with(|c| c.borrow().get(authenticated, tag).cloned())?;
    if now_s >= usable_until {
        return None;
    }
    let (sid, iat) = (active.claims.sid.as_deref(), active.issued_at);
    if activity::timed_out(cfg, cookie_header, sid, iat, now_s as u64) {
        return Some(idle());
    }
    Some(SessionState::Active(active))
}

/// Resolves the request's session.
pub async fn resolve(cfg: &Config, cookie_header: Option<&str>, now_ms: u64) -> SessionState {
    let Some(value) = cookie_header.and_then(|h| session_cookie_value(h, &cfg.cookie_name)) else {
        // Chunks that do not start at 0 are debris of a session: delete them.
        let debris = cookie_header.is_some_and(|h| has_chunks(h, &cfg.cookie_name));
        return SessionState::Anonymous {
            reason: if debris {
                "invalid_session_cookie"
            } else {
                "no_session_cookie_provided"
            },
            clear_cookie: debris,
        };
    };
    let sealed: &str = &value;
    let now_s = (now_ms / 1000) as i64;
    if let Some(state) = cached(cfg, cookie_header, sealed, now_s) {
        return state;
    }
    let (session, sealed_with) = match open_session_reporting(Some(sealed), &cfg.passwords, now_ms)
    {
        Ok(opened) => opened,
        Err(AuthenticateFailure::NoCookie) => {
            return SessionState::Anonymous {
                reason: "no_session_cookie_provided",
                clear_cookie: true,
            }
        }
        Err(_) => {
            return SessionState::Anonymous {
                reason: "invalid_session_cookie",
                clear_cookie: true,
            }
        }
    };
    // Before the token check and any refresh: an idle session is over whatever its token says.
    if cfg.inactivity_timeout_seconds.is_some() {
        let token = decode_unverified(session.access_token().unwrap_or_default()).ok();
        let sid = token.as_ref().and_then(|t| t.claims.sid.as_deref());
        let iat = token.as_ref().and_then(|t| t.issued_at);
        if activity::timed_out(cfg, cookie_header, sid, iat, now_s as u64) {
            return idle();
        }
    }
    let options = VerifyOptions {
        leeway_seconds: cfg.jwt_leeway_seconds,
        issuers: cfg.issuers.clone(),
    };
    let token = session.access_token().unwrap_or_default().to_owned();
    let source = JwksSource {
        api_base_url: &cfg.api_base_url,
        client_id: &cfg.client_id,
        timeout_ms: cfg.api_timeout_ms,
    };
    let checked = verify_access_token(&token, &source, &options, now_ms).await;
    match checked {
        Ok(verified) => {
            // Defence in depth (as authkit-nextjs): the cookie's user must be the token's subject.
            if let (Some(user), Some(sub)) = (session.user_id(), verified.claims.sub.as_deref()) {
                if user != sub {
                    return SessionState::Anonymous {
                        reason: "invalid_session_cookie",
                        clear_cookie: true,
                    };
                }
            }
            // A cookie sealed with a previous password gets the current one on this response
            // (the same content: no refresh needed). Failing to reseal keeps the old cookie.
            let resealed = match sealed_with {
                SealedWith::Current => None,
                SealedWith::Previous => reseal(&session, sealed, cfg),
            };
            let active = ActiveSession {
                cookie: session,
                claims: verified.claims,
                expires_at: verified.expires_at,
                issued_at: verified.issued_at,
                resealed: resealed.is_some(),
                new_cookie: resealed,
                refresh_deferred: false,
            };
            let due = active
                .expires_at
                .is_some_and(|exp| exp - now_s <= cfg.refresh_buffer_seconds as i64);
            if !due {
                let active = Rc::new(active);
                remember(sealed, &active, cfg);
                return SessionState::Active(active);
            }
            match refresh::refresh(cfg, sealed, now_ms, None).await {
                Ok(refreshed) => SessionState::Active(Rc::new(from_refresh(refreshed))),
                Err(failure) if failure.is_retryable() => {
                    SessionState::Active(Rc::new(ActiveSession {
                        refresh_deferred: true,
                        ..active
                    }))
                }
                Err(failure) => anonymous_after(&failure),
            }
        }
        // Expired, or signed by a key we do not have: the refresh token decides.
        Err(TokenCheckError::Invalid(error)) => {
            match refresh::refresh(cfg, sealed, now_ms, None).await {
                Ok(refreshed) => SessionState::Active(Rc::new(from_refresh(refreshed))),
                Err(failure) if failure.is_retryable() => SessionState::Unavailable {
                    retry_after: retry_after(&failure),
                    reason: format!(
                        "access token refused ({error}); {}",
                        describe_failure("refresh", &failure)
                    ),
                },
                Err(failure) => {
                    if matches!(error, JwtError::Expired) {
                        anonymous_after(&failure)
                    } else {
                        SessionState::Anonymous {
                            reason: "invalid_jwt",
                            clear_cookie: true,
                        }
                    }
                }
            }
        }
        Err(TokenCheckError::JwksUnavailable(failure)) => SessionState::Unavailable {
            retry_after: failure.retry_after.unwrap_or(5),
            reason: failure.reason,
        },
    }
}

/// The session of `sealed` sealed again with the current password, with the same expiration
/// (none, as the SDK seals, unless the old seal had one).
fn reseal(session: &SessionCookieData, sealed: &str, cfg: &Config) -> Option<String> {
    let randomness = SealRandomness::from_bytes(random_bytes().ok()?);
    let expiration_ms = workos_edge_core::cookie::inspect(&cfg.cookie_name, sealed).expiration_ms;
    Some(seal_json(
        &session.clone().into_json(),
        &cfg.passwords,
        &randomness,
        expiration_ms,
    ))
}

/// Caches a verified session until its refresh falls due or its seal expires.
fn remember(sealed: &str, active: &Rc<ActiveSession>, cfg: &Config) {
    let Some(exp) = active.expires_at else { return };
    let mut usable_until = exp - cfg.refresh_buffer_seconds as i64;
    if let Some(seal_expires_ms) =
        workos_edge_core::cookie::inspect(&cfg.cookie_name, sealed).expiration_ms
    {
        let skew = workos_edge_core::iron::TIMESTAMP_SKEW_MS;
        usable_until = usable_until.min((seal_expires_ms.saturating_add(skew) / 1000) as i64);
    }
    let authenticated = authenticated_part(sealed);
    SESSIONS.with(|c| {
        c.borrow_mut().insert(
            authenticated,
            seal_tag(authenticated),
            (active.clone(), usable_until),
        )
    });
}

fn idle() -> SessionState {
    SessionState::Anonymous {
        reason: "inactivity_timeout",
        clear_cookie: true,
    }
}

fn anonymous_after(failure: &RefreshFailure) -> SessionState {
    let reason = match failure {
        RefreshFailure::Failed { reason, .. } => reason.as_str(),
        RefreshFailure::Unexpected(_) => "invalid_session_cookie",
    };
    SessionState::Anonymous {
        reason,
        clear_cookie: true,
    }
}

fn retry_after(failure: &RefreshFailure) -> u64 {
    match failure {
        RefreshFailure::Failed {
            retry_after: Some(seconds),
            ..
        } => *seconds,
        _ => 5,
    }
}

fn from_refresh(refreshed: Refreshed) -> ActiveSession {
    ActiveSession {
        claims: refreshed.claims,
        cookie: refreshed.cookie,
        expires_at: refreshed.expires_at,
        issued_at: refreshed.issued_at,
        new_cookie: Some(refreshed.sealed),
        resealed: false,
        refresh_deferred: false,
    }
}

/// The session id of a cookie without verifying its token (the cookie's MAC vouches for it),
/// for sign-out, which must work even when the token has expired.
pub fn session_id_of(cfg: &Config, cookie_header: Option<&str>, now_ms: u64) -> Option<String> {
    let sealed = cookie_header.and_then(|h| session_cookie_value(h, &cfg.cookie_name))?;
    let session = open_session(Some(&sealed), &cfg.passwords, now_ms).ok()?;
    decode_claims_unverified(session.access_token()?).ok()?.sid
}

/// Drops a cookie's resolved session from this isolate (after a sign-out).
pub fn forget(sealed: &str) {
    let authenticated = authenticated_part(sealed);
    SESSIONS.with(|c| {
        c.borrow_mut()
            .remove(authenticated, seal_tag(authenticated))
    });
}
