//! Credentials: each module turns what a request presents into an identity. Today that is the
//! `wos-session` cookie ([`cookie`]); bearer tokens and API keys will sit beside it.

pub mod cookie;

use std::fmt;

use workos_edge_core::jwt::AccessTokenClaims;
use workos_edge_core::SessionCookieData;

use crate::config::Config;
use crate::context::RequestContext;
use crate::error::GatewayError;
use crate::runtime::now_ms;

/// A session the request may proceed with. `Debug` hides the new cookie value.
#[derive(Clone)]
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

impl fmt::Debug for ActiveSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActiveSession")
            .field("cookie", &self.cookie)
            .field("claims", &self.claims)
            .field("expires_at", &self.expires_at)
            .field("refreshed", &self.refreshed_cookie.is_some())
            .field("refresh_deferred", &self.refresh_deferred)
            .finish_non_exhaustive()
    }
}

impl ActiveSession {
    /// The user id: the token's subject, else the cookie's user.
    pub fn user_id(&self) -> Option<String> {
        self.claims
            .sub
            .clone()
            .or_else(|| self.cookie.user_id().map(str::to_owned))
    }

    /// What the log line and `Server-Timing` call this session's state.
    pub fn decision(&self) -> &'static str {
        match (&self.refreshed_cookie, self.refresh_deferred) {
            (Some(_), _) => "refreshed",
            (None, true) => "refresh_deferred",
            (None, false) => "authenticated",
        }
    }
}

/// The session state of a request.
#[derive(Debug)]
pub enum SessionState {
    /// Signed in.
    Active(Box<ActiveSession>),
    /// Not signed in: `reason` is the SDK reason; `clear_cookie` when a cookie must go.
    Anonymous {
        /// `no_session_cookie_provided`, `invalid_session_cookie`, `invalid_jwt`...
        reason: &'static str,
        /// The presented cookie is dead and should be deleted.
        clear_cookie: bool,
    },
    /// WorkOS is unreachable and the session cannot be used without it; retry later.
    Unavailable {
        /// Seconds.
        retry_after: u64,
        /// For the log line.
        reason: String,
    },
}

/// Resolves the request's session and records its effects in `ctx` at once (a refreshed
/// cookie, or the deletion of a dead one), so that every response from here on carries them.
/// `Err` when there is no usable session.
pub async fn require_session(
    cookie_header: Option<&str>,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> Result<Box<ActiveSession>, GatewayError> {
    let started = now_ms();
    let state = cookie::resolve(cfg, cookie_header, started).await;
    ctx.auth_ms = Some(now_ms().saturating_sub(started));
    match state {
        SessionState::Active(active) => {
            if let Some(fresh) = &active.refreshed_cookie {
                ctx.set_session(cfg, fresh)?;
            }
            ctx.decision = active.decision();
            Ok(active)
        }
        SessionState::Anonymous {
            reason,
            clear_cookie,
        } => {
            if clear_cookie {
                ctx.clear_session(cfg);
            }
            ctx.decision = "unauthenticated";
            ctx.reason = Some(reason.to_owned());
            Err(GatewayError::Unauthenticated { reason })
        }
        SessionState::Unavailable {
            retry_after,
            reason,
        } => {
            ctx.reason = Some(reason);
            Err(GatewayError::Unavailable { retry_after })
        }
    }
}
