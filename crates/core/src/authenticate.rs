//! The `CookieSession.authenticate()` decision of `@workos-inc/node`, with its result shape and
//! reason strings.

use std::fmt;

use serde_json::{Map, Value};

use crate::cookie::{unseal_json_reporting, CookieError};
use crate::jwt::{
    self, AccessTokenClaims, Jwks, JwtError, SignatureVerifier, VerifiedAccessToken, VerifyOptions,
};
use crate::password::{PasswordSet, SealedWith};
use crate::session::SessionCookieData;

/// The SDK's `AuthenticateWithSessionCookieFailureReason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthenticateFailureReason {
    /// `no_session_cookie_provided`: no cookie, or an empty one.
    NoSessionCookieProvided,
    /// `invalid_session_cookie`: it does not open, or holds no access token.
    InvalidSessionCookie,
    /// `invalid_jwt`: the access token is not valid (expired, bad signature, ...).
    InvalidJwt,
}

impl AuthenticateFailureReason {
    /// The reason string exactly as the SDK spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoSessionCookieProvided => "no_session_cookie_provided",
            Self::InvalidSessionCookie => "invalid_session_cookie",
            Self::InvalidJwt => "invalid_jwt",
        }
    }
}

impl fmt::Display for AuthenticateFailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why authentication failed, in more detail than the public reason (for logs and for hosts
/// deciding whether to refetch the JWKS or refresh).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AuthenticateFailure {
    /// No cookie value.
    NoCookie,
    /// The cookie could not be opened or parsed.
    Cookie(CookieError),
    /// The cookie opened but has no access token.
    MissingAccessToken,
    /// The access token was refused; the session may still be refreshable.
    Jwt {
        /// What was wrong with the token.
        error: JwtError,
        /// The session that held it (useful to refresh an expired token).
        session: Box<SessionCookieData>,
    },
}

impl AuthenticateFailure {
    /// The SDK reason for this failure.
    pub fn reason(&self) -> AuthenticateFailureReason {
        match self {
            Self::NoCookie => AuthenticateFailureReason::NoSessionCookieProvided,
            Self::Cookie(_) | Self::MissingAccessToken => {
                AuthenticateFailureReason::InvalidSessionCookie
            }
            Self::Jwt { .. } => AuthenticateFailureReason::InvalidJwt,
        }
    }

    /// The token names a key the JWKS does not have: refetch the JWKS once and retry.
    pub fn is_unknown_key_id(&self) -> bool {
        matches!(
            self,
            Self::Jwt {
                error: JwtError::UnknownKeyId(_),
                ..
            }
        )
    }

    /// The SDK's result object: `{"authenticated": false, "reason": ...}`.
    pub fn to_sdk_json(&self) -> Value {
        serde_json::json!({ "authenticated": false, "reason": self.reason().as_str() })
    }
}

impl fmt::Display for AuthenticateFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCookie => f.write_str("no session cookie"),
            Self::Cookie(e) => write!(f, "session cookie did not open: {e}"),
            Self::MissingAccessToken => f.write_str("session cookie has no access token"),
            Self::Jwt { error, .. } => error.fmt(f),
        }
    }
}

/// A session whose cookie opened and whose access token verified.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthenticatedSession {
    /// The cookie content.
    pub cookie: SessionCookieData,
    /// The verified access token.
    pub token: VerifiedAccessToken,
}

impl AuthenticatedSession {
    /// The token's claims.
    pub fn claims(&self) -> &AccessTokenClaims {
        &self.token.claims
    }

    /// The WorkOS session id (`sid`).
    pub fn session_id(&self) -> Option<&str> {
        self.token.claims.sid.as_deref()
    }

    /// The access token's `exp` in seconds.
    pub fn expires_at(&self) -> Option<i64> {
        self.token.expires_at
    }

    /// The SDK's success object, keys in its order; absent values are omitted as
    /// `JSON.stringify` omits `undefined`.
    pub fn to_sdk_json(&self) -> Value {
        let claims = &self.token.claims;
        let mut out = Map::new();
        out.insert("authenticated".into(), Value::Bool(true));
        insert_claims(&mut out, claims);
        for key in [
            "user",
            "authenticationMethod",
            "impersonator",
            "accessToken",
        ] {
            if let Some(v) = self.cookie.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        Value::Object(out)
    }
}

/// `sessionId, organizationId, role, roles, permissions, entitlements, featureFlags`.
pub(crate) fn insert_claims(out: &mut Map<String, Value>, claims: &AccessTokenClaims) {
    let text = |v: &Option<String>| v.clone().map(Value::String);
    let list = |v: &Option<Vec<String>>| {
        v.clone()
            .map(|l| Value::Array(l.into_iter().map(Value::String).collect()))
    };
    let entries = [
        ("sessionId", text(&claims.sid)),
        ("organizationId", text(&claims.org_id)),
        ("role", text(&claims.role)),
        ("roles", list(&claims.roles)),
        ("permissions", list(&claims.permissions)),
        ("entitlements", list(&claims.entitlements)),
        ("featureFlags", list(&claims.feature_flags)),
    ];
    for (key, value) in entries {
        if let Some(value) = value {
            out.insert(key.into(), value);
        }
    }
}

/// The outcome of [`authenticate`].
pub type AuthenticateResult = Result<AuthenticatedSession, AuthenticateFailure>;

/// Opens a cookie value into its session, as the first half of `authenticate()`.
pub fn open_session(
    cookie: Option<&str>,
    passwords: &PasswordSet,
    now_ms: u64,
) -> Result<SessionCookieData, AuthenticateFailure> {
    open_session_reporting(cookie, passwords, now_ms).map(|(session, _)| session)
}

/// [`open_session`], also saying whether a previous cookie password opened it: a host
/// rotating passwords reseals such a session with the current one.
pub fn open_session_reporting(
    cookie: Option<&str>,
    passwords: &PasswordSet,
    now_ms: u64,
) -> Result<(SessionCookieData, SealedWith), AuthenticateFailure> {
    let cookie = cookie
        .filter(|c| !c.is_empty())
        .ok_or(AuthenticateFailure::NoCookie)?;
    let (value, sealed_with) =
        unseal_json_reporting(cookie, passwords, now_ms).map_err(AuthenticateFailure::Cookie)?;
    session_from_json(value).map(|session| (session, sealed_with))
}

/// The session in an opened cookie's JSON: it must hold an access token (the SDK's check).
pub fn session_from_json(value: Value) -> Result<SessionCookieData, AuthenticateFailure> {
    let has_token = value.get("accessToken").is_some_and(js_truthy);
    match SessionCookieData::from_json(value) {
        Some(session) if has_token => Ok(session),
        _ => Err(AuthenticateFailure::MissingAccessToken),
    }
}

/// Checks an opened session's access token with a synchronous verifier.
pub fn authenticate_session(
    session: SessionCookieData,
    jwks: &Jwks,
    verifier: &dyn SignatureVerifier,
    now_ms: u64,
    options: &VerifyOptions,
) -> AuthenticateResult {
    let token = session.access_token().unwrap_or_default().to_owned();
    let now_seconds = i64::try_from(now_ms / 1000).unwrap_or(i64::MAX);
    match jwt::verify(&token, jwks, verifier, now_seconds, options) {
        Ok(token) => Ok(AuthenticatedSession {
            cookie: session,
            token,
        }),
        Err(error) => Err(AuthenticateFailure::Jwt {
            error,
            session: Box::new(session),
        }),
    }
}

/// `loadSealedSession({sessionData, cookiePassword}).authenticate()`: opens the cookie at
/// `now_ms` and verifies its access token against `jwks`.
///
/// Differences from the SDK, all on hostile input where it throws: an unknown `kid`, `alg:
/// none`/`HS256`/`RS512`, a malformed expiration, non-JSON plaintext and undecodable base64 all
/// give a result (`invalid_jwt` or `invalid_session_cookie`) instead of an exception.
pub fn authenticate(
    cookie: Option<&str>,
    passwords: &PasswordSet,
    jwks: &Jwks,
    verifier: &dyn SignatureVerifier,
    now_ms: u64,
    options: &VerifyOptions,
) -> AuthenticateResult {
    let session = open_session(cookie, passwords, now_ms)?;
    authenticate_session(session, jwks, verifier, now_ms, options)
}

/// JavaScript truthiness of a JSON value.
pub(crate) fn js_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}
