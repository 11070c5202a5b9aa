//! Resolving the session of a request: open the cookie, verify the token, refresh when due
//! (coalesced per refresh token inside the isolate), and decide what a failure means.

use std::cell::RefCell;
use std::collections::HashMap;

use std::time::Duration;

use sha2::{Digest, Sha256};
use worker::Delay;
use workos_edge_core::authenticate::{open_session, AuthenticateFailure};
use workos_edge_core::encoding::hex_lower;
use workos_edge_core::iron::SealRandomness;
use workos_edge_core::jwt::{
    decode_claims_unverified, decode_unverified, AccessTokenClaims, JwtError, VerifyOptions,
};
use workos_edge_core::refresh::{
    complete_refresh, plan_refresh, ClientConfig, RefreshFailure, RefreshPlan, RefreshedSession,
};
use workos_edge_core::web::cookie_value;
use workos_edge_core::SessionCookieData;

use crate::config::Config;
use crate::verify::{verify_access_token, TokenCheckError};
use crate::{random_bytes, workos};

/// A refresh's result stays shareable this long, so tabs that raced with the winner get the
/// same new cookie instead of spending the (single-use) refresh token again.
const REFRESH_GRACE_MS: u64 = 30_000;
/// How often a request waiting for another request's refresh looks for the result.
const REFRESH_POLL: Duration = Duration::from_millis(20);
/// Past this, a waiting request stops waiting and refreshes by itself.
const REFRESH_WAIT_MS: u64 = 10_000;

/// One refresh per refresh token per isolate: `None` while in flight, then the result.
///
/// Waiters poll with their own timers instead of awaiting the winner's future: workerd ties
/// every promise to the request that created it, and a request that only waits on another
/// request's I/O is cancelled as hung.
struct RefreshSlot {
    started_ms: u64,
    result: Option<Result<RefreshedSession, RefreshFailure>>,
}

thread_local! {
    static REFRESHES: RefCell<HashMap<[u8; 32], RefreshSlot>> = RefCell::new(HashMap::new());
}

/// A session the request may proceed with.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    /// The cookie content (the new one after a refresh).
    pub cookie: SessionCookieData,
    /// Claims of the access token in force.
    pub claims: AccessTokenClaims,
    /// Its `exp` (seconds).
    pub expires_at: Option<i64>,
    /// Its `iat` (seconds): when WorkOS minted it, i.e. the last refresh or sign-in.
    pub issued_at: Option<i64>,
    /// The new cookie value, when this request refreshed the session.
    pub refreshed_cookie: Option<String>,
    /// A refresh was due but WorkOS could not be reached; the old token is still valid.
    pub refresh_deferred: bool,
}

/// The session state of a request.
#[derive(Debug)]
pub enum SessionState {
    /// Signed in.
    Active(Box<ActiveSession>),
    /// Not signed in: `reason` is the SDK reason; `clear_cookie` when a cookie must go.
    Anonymous {
        reason: &'static str,
        clear_cookie: bool,
    },
    /// WorkOS is unreachable and the session cannot be used without it; retry later.
    Unavailable { retry_after: u64, reason: String },
}

/// Sessions already resolved from a cookie value, kept until their token is due for refresh
/// (or the seal expires): a request with a known cookie skips unsealing and the token check.
const SESSION_CACHE_LIMIT: usize = 4096;

thread_local! {
    static SESSIONS: RefCell<HashMap<[u8; 32], (ActiveSession, i64)>> = RefCell::new(HashMap::new());
}

/// Resolves the request's session.
pub async fn resolve(cfg: &Config, cookie_header: Option<&str>, now_ms: u64) -> SessionState {
    let Some(sealed) = cookie_header.and_then(|h| cookie_value(h, &cfg.cookie_name)) else {
        return SessionState::Anonymous {
            reason: "no_session_cookie_provided",
            clear_cookie: false,
        };
    };
    let now_s = (now_ms / 1000) as i64;
    let digest: [u8; 32] = Sha256::digest(sealed.as_bytes()).into();
    let cached = SESSIONS.with(|c| c.borrow().get(&digest).cloned());
    if let Some((active, usable_until)) = cached {
        if now_s < usable_until {
            return SessionState::Active(Box::new(active));
        }
    }
    let session = match open_session(Some(sealed), &cfg.passwords, now_ms) {
        Ok(session) => session,
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
    let options = VerifyOptions {
        leeway_seconds: cfg.jwt_leeway_seconds,
        issuers: cfg.issuers.clone(),
    };
    let token = session.access_token().unwrap_or_default().to_owned();
    let checked =
        verify_access_token(&token, &cfg.api_base_url, &cfg.client_id, &options, now_ms).await;
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
            let active = ActiveSession {
                cookie: session,
                claims: verified.claims,
                expires_at: verified.expires_at,
                issued_at: verified.issued_at,
                refreshed_cookie: None,
                refresh_deferred: false,
            };
            let due = active
                .expires_at
                .is_some_and(|exp| exp - now_s <= cfg.refresh_buffer_seconds as i64);
            if !due {
                remember(&digest, sealed, &active, cfg);
                return SessionState::Active(Box::new(active));
            }
            match refresh(cfg, sealed, now_ms).await {
                Ok(refreshed) => SessionState::Active(Box::new(from_refresh(refreshed))),
                Err(failure) if failure.is_retryable() => {
                    SessionState::Active(Box::new(ActiveSession {
                        refresh_deferred: true,
                        ..active
                    }))
                }
                Err(failure) => anonymous_after(&failure),
            }
        }
        // Expired, or signed by a key we do not have: the refresh token decides.
        Err(TokenCheckError::Invalid(error)) => match refresh(cfg, sealed, now_ms).await {
            Ok(refreshed) => SessionState::Active(Box::new(from_refresh(refreshed))),
            Err(failure) if failure.is_retryable() => SessionState::Unavailable {
                retry_after: retry_after(&failure),
                reason: format!("access token refused ({error}) and refresh failed: {failure}"),
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
        },
        Err(TokenCheckError::JwksUnavailable(reason)) => SessionState::Unavailable {
            retry_after: 5,
            reason,
        },
    }
}

/// Caches a verified session until its refresh falls due or its seal expires.
fn remember(digest: &[u8; 32], sealed: &str, active: &ActiveSession, cfg: &Config) {
    let Some(exp) = active.expires_at else { return };
    let mut usable_until = exp - cfg.refresh_buffer_seconds as i64;
    if let Some(seal_expires_ms) =
        workos_edge_core::cookie::inspect(&cfg.cookie_name, sealed).expiration_ms
    {
        let skew = workos_edge_core::iron::TIMESTAMP_SKEW_MS;
        usable_until = usable_until.min(((seal_expires_ms + skew) / 1000) as i64);
    }
    SESSIONS.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= SESSION_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(*digest, (active.clone(), usable_until));
    });
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
        refreshed_cookie: Some(refreshed.sealed),
        refresh_deferred: false,
    }
}

/// A refreshed session: the new cookie value and what it holds.
#[derive(Debug, Clone)]
pub struct Refreshed {
    /// The new cookie value.
    pub sealed: String,
    /// Its content.
    pub cookie: SessionCookieData,
    /// Claims of the new access token.
    pub claims: AccessTokenClaims,
    /// Its `exp` (seconds).
    pub expires_at: Option<i64>,
    /// Its `iat` (seconds).
    pub issued_at: Option<i64>,
}

impl From<RefreshedSession> for Refreshed {
    fn from(refreshed: RefreshedSession) -> Self {
        Self {
            sealed: refreshed.sealed,
            cookie: refreshed.cookie,
            claims: refreshed.claims,
            expires_at: refreshed.expires_at,
            issued_at: refreshed.issued_at,
        }
    }
}

impl Refreshed {
    /// Reads a cookie the refresh coordinator sealed with our passwords. Its token came
    /// straight from the WorkOS API, so it is decoded, not verified (as the SDK does).
    fn open(cfg: &Config, sealed: String, now_ms: u64) -> Result<Self, RefreshFailure> {
        let unreadable = || {
            RefreshFailure::Unexpected(workos_edge_core::refresh::ApiError::other(
                "the refresh coordinator returned a cookie this Worker cannot open",
            ))
        };
        let cookie =
            open_session(Some(&sealed), &cfg.passwords, now_ms).map_err(|_| unreadable())?;
        let token = decode_unverified(cookie.access_token().unwrap_or_default())
            .map_err(|_| unreadable())?;
        Ok(Self {
            sealed,
            cookie,
            claims: token.claims,
            expires_at: token.expires_at,
            issued_at: token.issued_at,
        })
    }
}

/// Refreshes the session in `sealed`. Concurrent calls for the same refresh token share one
/// WorkOS call: across isolates through the refresh coordinator (a Durable Object per refresh
/// token) when it is bound, else inside this isolate.
pub async fn refresh(cfg: &Config, sealed: &str, now_ms: u64) -> Result<Refreshed, RefreshFailure> {
    refresh_to(cfg, sealed, now_ms, None).await
}

/// [`refresh`], into another organization when `organization_id` is given.
pub async fn refresh_to(
    cfg: &Config,
    sealed: &str,
    now_ms: u64,
    organization_id: Option<&str>,
) -> Result<Refreshed, RefreshFailure> {
    match &cfg.refresh_coordinator {
        Some(namespace) => {
            let plan = plan(cfg, sealed, now_ms, organization_id)?;
            let key = hex_lower(&refresh_key(&plan, organization_id));
            let new_cookie =
                crate::coordinator::refresh_via(namespace, &key, sealed, organization_id).await?;
            Refreshed::open(cfg, new_cookie, now_ms)
        }
        None => refresh_in_isolate(cfg, sealed, now_ms, organization_id)
            .await
            .map(Refreshed::from),
    }
}

/// One refresh per (refresh token, target organization): the key of both coalescing layers.
fn refresh_key(plan: &RefreshPlan, organization_id: Option<&str>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(plan.previous.refresh_token().unwrap_or_default().as_bytes());
    hasher.update(organization_id.unwrap_or_default().as_bytes());
    hasher.finalize().into()
}

/// Opens the cookie and describes the refresh call (the core checks it can be refreshed).
fn plan(
    cfg: &Config,
    sealed: &str,
    now_ms: u64,
    organization_id: Option<&str>,
) -> Result<RefreshPlan, RefreshFailure> {
    let client = ClientConfig {
        base_url: cfg.api_base_url.clone(),
        client_id: cfg.client_id.clone(),
        api_key: Some(cfg.api_key.clone()),
    };
    plan_refresh(
        Some(sealed),
        &cfg.passwords,
        now_ms,
        &client,
        organization_id,
    )
}

/// The refresh itself, coalesced per refresh token inside this isolate (also what the
/// coordinator runs).
pub async fn refresh_in_isolate(
    cfg: &Config,
    sealed: &str,
    now_ms: u64,
    organization_id: Option<&str>,
) -> Result<RefreshedSession, RefreshFailure> {
    let plan = plan(cfg, sealed, now_ms, organization_id)?;
    let key = refresh_key(&plan, organization_id);

    let waited_since = now_ms;
    loop {
        let slot = REFRESHES.with(|r| {
            let mut map = r.borrow_mut();
            let now = crate::now_ms();
            map.retain(|_, slot| now.saturating_sub(slot.started_ms) < REFRESH_GRACE_MS);
            match map.get(&key) {
                Some(slot) => Some(slot.result.clone()),
                None => {
                    map.insert(
                        key,
                        RefreshSlot {
                            started_ms: now,
                            result: None,
                        },
                    );
                    None
                }
            }
        });
        match slot {
            // Nobody is refreshing this token: we are, now.
            None => break,
            Some(Some(result)) => return result,
            Some(None) if crate::now_ms().saturating_sub(waited_since) < REFRESH_WAIT_MS => {
                Delay::from(REFRESH_POLL).await;
            }
            Some(None) => break,
        }
    }

    let reply = workos::send(&plan.request).await;
    let randomness = SealRandomness::from_bytes(random_bytes());
    let result = complete_refresh(&reply, &cfg.passwords, &randomness, None);
    REFRESHES.with(|r| {
        let mut map = r.borrow_mut();
        match &result {
            Ok(_) => {
                if let Some(slot) = map.get_mut(&key) {
                    slot.result = Some(result.clone());
                }
            }
            // Failures are not replayed to later requests: they should try again.
            Err(_) => {
                map.remove(&key);
            }
        }
    });
    result
}

/// The session id of a cookie without verifying its token (the cookie's MAC vouches for it),
/// for sign-out, which must work even when the token has expired.
pub fn session_id_of(cfg: &Config, cookie_header: Option<&str>, now_ms: u64) -> Option<String> {
    let sealed = cookie_header.and_then(|h| cookie_value(h, &cfg.cookie_name))?;
    let session = open_session(Some(sealed), &cfg.passwords, now_ms).ok()?;
    decode_claims_unverified(session.access_token()?).ok()?.sid
}
