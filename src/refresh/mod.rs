//! Refreshing a session through WorkOS, exactly once per refresh token.
//!
//! Refresh tokens are single use, so racing requests (tabs, isolates, data centres) must share
//! one WorkOS call. The state machine that decides who calls and who waits is the core's
//! [`Coalescer`](workos_edge_core::coalesce::Coalescer); this module runs it in two places:
//!
//! * with the `REFRESH_COORDINATOR` binding, in a Durable Object per session
//!   ([`coordinator`]), reached through `remote`: one refresh across every isolate;
//! * without it, in this isolate ([`local`]).
//!
//! Either way the WorkOS call itself is [`local::perform`]. Nothing here imports the routes or
//! the credential readers; the Durable Object calls into [`local`], never the other way round.

pub mod coordinator;
pub mod local;
mod protocol;
mod remote;

use std::fmt;

use sha2::{Digest, Sha256};
use workos_edge_core::authenticate::open_session;
use workos_edge_core::encoding::hex_lower;
use workos_edge_core::jwt::{decode_unverified, AccessTokenClaims};
use workos_edge_core::refresh::{ApiError, RefreshFailure, RefreshedSession};
use workos_edge_core::SessionCookieData;

use crate::config::Config;

/// A refreshed session: the new cookie value and what it holds. `Debug` hides the value.
#[derive(Clone)]
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

impl fmt::Debug for Refreshed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refreshed")
            .field("cookie", &self.cookie)
            .field("claims", &self.claims)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
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
            RefreshFailure::Unexpected(ApiError::other(
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

/// Refreshes the session in `sealed` (into `organization_id` when given). Concurrent calls for
/// the same refresh token share one WorkOS call.
pub async fn refresh(
    cfg: &Config,
    sealed: &str,
    now_ms: u64,
    organization_id: Option<&str>,
) -> Result<Refreshed, RefreshFailure> {
    match &cfg.refresh_coordinator {
        Some(namespace) => {
            let plan = local::plan(cfg, sealed, now_ms, organization_id)?;
            let name = coordinator_name(&plan.previous);
            let new_cookie = remote::refresh(namespace, &name, sealed, organization_id).await?;
            Refreshed::open(cfg, new_cookie, now_ms)
        }
        None => local::refresh(cfg, sealed, now_ms, organization_id).await,
    }
}

/// Ends the grace-period replay for the session in `sealed` (after a sign-out the old cookie
/// must not fetch a new one): in this isolate for every refresh of the session, and in the
/// session's coordinator.
pub async fn end_replay(cfg: &Config, sealed: &str, now_ms: u64) {
    let Ok(session) = open_session(Some(sealed), &cfg.passwords, now_ms) else {
        return;
    };
    local::forget_session(&session);
    if let Some(namespace) = &cfg.refresh_coordinator {
        remote::forget(namespace, &coordinator_name(&session)).await;
    }
}

/// The Durable Object for a session: named by a hash of its session id (the `sid` of the
/// cookie's access token, which the cookie's MAC vouches for), or of the refresh token when a
/// token carries no `sid`. One object per session lets a sign-out reach every replay of it.
pub(crate) fn coordinator_name(session: &SessionCookieData) -> String {
    match local::session_id(session) {
        Some(sid) => coordinator_name_for_session(&sid),
        None => {
            let mut hasher = Sha256::new();
            hasher.update(b"workos-edge refresh token\0");
            hasher.update(session.refresh_token().unwrap_or_default().as_bytes());
            hex_lower(&hasher.finalize())
        }
    }
}

fn coordinator_name_for_session(sid: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"workos-edge session\0");
    hasher.update(sid.as_bytes());
    hex_lower(&hasher.finalize())
}

/// Ends the replay of a session revoked by id (no cookie at hand): in this isolate, and in its
/// coordinator.
pub async fn end_replay_of_session(cfg: &Config, sid: &str) {
    local::forget_session_id(sid);
    if let Some(namespace) = &cfg.refresh_coordinator {
        remote::forget(namespace, &coordinator_name_for_session(sid)).await;
    }
}
