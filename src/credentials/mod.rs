//! Credentials: each module turns what a request presents into an identity.
//!
//! Read in this order: `Authorization: Bearer` — an access token ([`bearer`]) or, with
//! `API_KEYS=on`, an organization API key ([`api_key`]) — then the `wos-session` cookie
//! ([`cookie`]). A bearer credential is judged on its own: the cookie is not looked at, nothing
//! is refreshed and no cookie is set. Other `Authorization` schemes are left to the origin.

pub mod activity;
pub mod api_key;
pub mod bearer;
pub mod cookie;
pub mod sign_in_counter;

use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;

use workos_edge_core::api::ApiKey;
use workos_edge_core::jwt::{AccessTokenClaims, VerifiedAccessToken};
use workos_edge_core::web::bearer::{parse_authorization, BearerValue, Presented};
use workos_edge_core::SessionCookieData;

use crate::config::Config;
use crate::context::RequestContext;
use crate::error::GatewayError;
use crate::revocation;
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
    /// The cookie value the browser and origin get from now on: after a refresh, or after the
    /// cookie was resealed with the current password (`resealed`).
    pub new_cookie: Option<String>,
    /// The cookie was sealed with a previous password and is resealed as it was.
    pub resealed: bool,
    /// A refresh was due but WorkOS could not be reached; the old token is still valid.
    pub refresh_deferred: bool,
}

impl fmt::Debug for ActiveSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActiveSession")
            .field("cookie", &self.cookie)
            .field("claims", &self.claims)
            .field("expires_at", &self.expires_at)
            .field("new_cookie", &self.new_cookie.is_some())
            .field("resealed", &self.resealed)
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
        match (&self.new_cookie, self.refresh_deferred) {
            (Some(_), _) if self.resealed => "resealed",
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
    Active(Rc<ActiveSession>),
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
) -> Result<Rc<ActiveSession>, GatewayError> {
    let started = now_ms();
    let state = cookie::resolve(cfg, cookie_header, started).await;
    ctx.auth_ms = Some(now_ms().saturating_sub(started));
    let revoked = match &state {
        SessionState::Active(active) => match active.claims.sid.as_deref() {
            Some(sid) => revocation::is_revoked(cfg, sid, started / 1000).await,
            None => false,
        },
        _ => false,
    };
    settle(state, revoked, cookie_header, cfg, ctx, started)
}

/// [`require_session`] for a session that needs no waiting: resolved before, usable as it is,
/// and the revocation list not due for a poll. `None` otherwise (take [`require_session`]);
/// `ctx` is then untouched.
pub fn require_cached_session(
    cookie_header: Option<&str>,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> Option<Rc<ActiveSession>> {
    let started = now_ms();
    let SessionState::Active(active) = cookie::resolve_cached(cfg, cookie_header, started)? else {
        return None;
    };
    let revoked = match active.claims.sid.as_deref() {
        Some(sid) => revocation::known_revoked(cfg, sid, started / 1000)?,
        None => false,
    };
    if revoked {
        return None;
    }
    ctx.auth_ms = Some(now_ms().saturating_sub(started));
    settle(
        SessionState::Active(active),
        false,
        cookie_header,
        cfg,
        ctx,
        started,
    )
    .ok()
}

/// What a resolved session state means for the request: its cookie effects go on `ctx` (a
/// refreshed cookie, the deletion of a dead or revoked one, the activity and sign-in
/// counters), and `Err` when there is no usable session.
fn settle(
    state: SessionState,
    revoked: bool,
    cookie_header: Option<&str>,
    cfg: &Config,
    ctx: &mut RequestContext,
    started: u64,
) -> Result<Rc<ActiveSession>, GatewayError> {
    match state {
        SessionState::Active(_) if revoked => {
            ctx.clear_session(cfg, cookie_header);
            ctx.decision = "unauthenticated";
            ctx.reason = Some("session_revoked".into());
            Err(GatewayError::Unauthenticated {
                reason: "session_revoked",
            })
        }
        SessionState::Active(active) => {
            if let Some(fresh) = &active.new_cookie {
                ctx.set_session(cfg, fresh, cookie_header)?;
            }
            let sid = active.claims.sid.as_deref();
            activity::touch(cfg, ctx, cookie_header, sid, started / 1000);
            sign_in_counter::clear(cfg, ctx, cookie_header);
            ctx.decision = active.decision();
            Ok(active)
        }
        SessionState::Anonymous {
            reason,
            clear_cookie,
        } => {
            if clear_cookie {
                ctx.clear_session(cfg, cookie_header);
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

/// Who a request acts as, and through which credential.
#[derive(Debug)]
pub enum Identity {
    /// The `wos-session` cookie.
    Session(Rc<ActiveSession>),
    /// A bearer access token.
    AccessToken(Box<VerifiedAccessToken>),
    /// A bearer organization API key.
    ApiKey(Rc<ApiKey>),
}

impl Identity {
    /// `X-WorkOS-Credential`: `session`, `access_token` or `api_key`.
    pub fn credential(&self) -> &'static str {
        match self {
            Self::Session(_) => "session",
            Self::AccessToken(_) => "access_token",
            Self::ApiKey(_) => "api_key",
        }
    }

    /// Whether it came in the `Authorization` header (challenges and `Vary` follow RFC 6750).
    pub fn is_bearer(&self) -> bool {
        !matches!(self, Self::Session(_))
    }

    /// What route rules are checked against. An API key has an organization and permissions,
    /// never a role.
    pub fn claims(&self) -> Cow<'_, AccessTokenClaims> {
        match self {
            Self::Session(active) => Cow::Borrowed(&active.claims),
            Self::AccessToken(token) => Cow::Borrowed(&token.claims),
            Self::ApiKey(key) => Cow::Owned(AccessTokenClaims {
                org_id: key.organization_id().map(str::to_owned),
                permissions: Some(key.permissions.clone()),
                ..Default::default()
            }),
        }
    }
}

/// Resolves the identity of a request from its `Authorization` and `Cookie` headers (see the
/// module docs for the order). `Err` when there is none, with the error a client can act on.
pub async fn authenticate(
    authorization: Option<&str>,
    cookie_header: Option<&str>,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> Result<Identity, GatewayError> {
    let started = now_ms();
    let identity = match parse_authorization(authorization) {
        Presented::Nothing => {
            return require_session(cookie_header, cfg, ctx)
                .await
                .map(Identity::Session)
        }
        Presented::MalformedBearer => Err(GatewayError::InvalidToken(
            "the bearer credential is malformed",
        )),
        Presented::Bearer(BearerValue::Jwt(token)) => {
            match bearer::verify(token, cfg, started).await {
                Ok(token) => match token.claims.sid.as_deref() {
                    Some(sid) if revocation::is_revoked(cfg, sid, started / 1000).await => Err(
                        GatewayError::InvalidToken("the session of this token was revoked"),
                    ),
                    _ => Ok(Identity::AccessToken(Box::new(token))),
                },
                Err(error) => Err(error),
            }
        }
        Presented::Bearer(BearerValue::Opaque(key)) if cfg.api_keys => {
            api_key::validate(key, cfg, ctx, started)
                .await
                .map(Identity::ApiKey)
        }
        Presented::Bearer(BearerValue::Opaque(_)) => Err(GatewayError::InvalidToken(
            "the bearer credential is not an access token",
        )),
    };
    ctx.auth_ms = Some(now_ms().saturating_sub(started));
    ctx.decision = match &identity {
        Ok(identity) => identity.credential(),
        Err(_) => "bearer_refused",
    };
    identity
}
