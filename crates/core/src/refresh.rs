//! `CookieSession.refresh()` as data: [`plan_refresh`] describes the token call, [`complete_refresh`]
//! turns the reply into the SDK's result (and a new sealed cookie).

use std::fmt;

use serde_json::{Map, Value};

use crate::api::{
    ApiErrorBody, ApiReply, ApiRequest, AuthenticateGrant, AuthenticationResponse,
    AUTHENTICATION_ERROR_CODES,
};
use crate::authenticate::insert_claims;
use crate::cookie::{seal_json, unseal_json};
use crate::iron::SealRandomness;
use crate::jwt::{decode_claims_unverified, decode_unverified, AccessTokenClaims};
use crate::password::PasswordSet;
use crate::session::{sdk_authentication_response, sdk_user, SessionCookieData};

/// The SDK's `RefreshSessionFailureReason` values that `refresh()` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefreshFailureReason {
    /// The cookie does not open or lacks a refresh token or user.
    InvalidSessionCookie,
    /// The refresh token was spent, revoked or the session ended: sign in again.
    InvalidGrant,
    /// The user must enroll in MFA: sign in again.
    MfaEnrollment,
    /// The organization requires SSO: sign in again.
    SsoRequired,
    /// HTTP 429; retry later.
    RateLimitExceeded,
    /// No answer in time; retry.
    Timeout,
    /// WorkOS answered 5xx; retry.
    ServerError,
    /// The connection failed; retry.
    NetworkError,
}

impl RefreshFailureReason {
    /// The reason string as the SDK spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidSessionCookie => "invalid_session_cookie",
            Self::InvalidGrant => "invalid_grant",
            Self::MfaEnrollment => "mfa_enrollment",
            Self::SsoRequired => "sso_required",
            Self::RateLimitExceeded => "rate_limit_exceeded",
            Self::Timeout => "timeout",
            Self::ServerError => "server_error",
            Self::NetworkError => "network_error",
        }
    }

    /// The reason for its SDK string (`invalid_grant`...), if it is one of these.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::InvalidSessionCookie,
            Self::InvalidGrant,
            Self::MfaEnrollment,
            Self::SsoRequired,
            Self::RateLimitExceeded,
            Self::Timeout,
            Self::ServerError,
            Self::NetworkError,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == text)
    }

    /// Whether trying again later may succeed (the session should be kept meanwhile).
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::RateLimitExceeded | Self::Timeout | Self::ServerError | Self::NetworkError
        )
    }
}

impl fmt::Display for RefreshFailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error object the SDK attaches to retryable failures and throws for unexpected replies:
/// its class name, message and HTTP status. Never contains tokens or secrets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiError {
    /// SDK exception class (`GenericServerException`, `OauthException`...).
    pub name: String,
    /// Message as the SDK builds it.
    pub message: String,
    /// HTTP status, when there was a response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// WorkOS error code, when the body had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `X-Request-ID` of the reply.
    #[serde(rename = "requestID", skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ApiError {
    /// A plain `Error` with this message (no HTTP reply behind it).
    pub fn other(message: impl Into<String>) -> Box<Self> {
        Box::new(Self {
            name: "Error".into(),
            message: message.into(),
            status: None,
            code: None,
            request_id: None,
        })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        Ok(())
    }
}

/// A refresh that did not produce a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshFailure {
    /// A failure the SDK reports as a result.
    Failed {
        /// The reason string.
        reason: RefreshFailureReason,
        /// Seconds from `Retry-After` on a 429.
        retry_after: Option<u64>,
        /// Details of the reply, for retryable reasons.
        error: Option<Box<ApiError>>,
    },
    /// A reply the SDK throws on (401, `organization_selection_required`, other 4xx...).
    /// Hosts should not sign the user out for these: most are configuration errors.
    Unexpected(Box<ApiError>),
}

impl RefreshFailure {
    fn reason(reason: RefreshFailureReason) -> Self {
        Self::Failed {
            reason,
            retry_after: None,
            error: None,
        }
    }

    /// Whether keeping the current session and retrying later is the right response.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Failed { reason, .. } => reason.is_retryable(),
            Self::Unexpected(_) => true,
        }
    }

    /// The SDK's result object for a reported failure, or `None` where the SDK would throw.
    pub fn to_sdk_json(&self) -> Option<Value> {
        let Self::Failed {
            reason,
            retry_after,
            error,
        } = self
        else {
            return None;
        };
        let mut out = Map::new();
        out.insert("authenticated".into(), Value::Bool(false));
        out.insert("reason".into(), reason.as_str().into());
        out.insert("retryable".into(), Value::Bool(reason.is_retryable()));
        if let Some(seconds) = retry_after {
            out.insert("retryAfter".into(), (*seconds).into());
        }
        if let Some(error) = error {
            out.insert(
                "error".into(),
                serde_json::to_value(error).unwrap_or(Value::Null),
            );
        }
        Some(Value::Object(out))
    }
}

impl fmt::Display for RefreshFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed {
                reason,
                error: Some(error),
                ..
            } => write!(f, "{reason} ({error})"),
            Self::Failed { reason, .. } => reason.fmt(f),
            Self::Unexpected(error) => write!(f, "unexpected reply: {error}"),
        }
    }
}

/// Where and as whom to call WorkOS. `Debug` hides the API key.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// API base URL (`https://api.workos.com`, or the emulator's).
    pub base_url: String,
    /// `client_...`
    pub client_id: String,
    /// `sk_...`; sent as `client_secret` and bearer token. Never log this.
    pub api_key: Option<String>,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("api_key", &crate::redact::RedactedOption(&self.api_key))
            .finish()
    }
}

/// A refresh ready to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshPlan {
    /// The session being refreshed.
    pub previous: SessionCookieData,
    /// `POST /user_management/authenticate` with `grant_type=refresh_token`.
    pub request: ApiRequest,
}

/// Opens the cookie and describes the refresh call. `organization_id` switches organization;
/// without it the old token's `org_id` is kept (as the SDK does).
pub fn plan_refresh(
    cookie: Option<&str>,
    passwords: &PasswordSet,
    now_ms: u64,
    client: &ClientConfig,
    organization_id: Option<&str>,
) -> Result<RefreshPlan, RefreshFailure> {
    let invalid = || RefreshFailure::reason(RefreshFailureReason::InvalidSessionCookie);
    // Unlike authenticate(), refresh needs no access token: only a user and a refresh token.
    let session = cookie
        .filter(|c| !c.is_empty())
        .and_then(|c| unseal_json(c, passwords, now_ms).ok())
        .and_then(SessionCookieData::from_json)
        .ok_or_else(invalid)?;
    if session.user().is_none() {
        return Err(invalid());
    }
    let refresh_token = session.refresh_token().ok_or_else(invalid)?.to_owned();
    let organization_id = organization_id.map(str::to_owned).or_else(|| {
        // The SDK throws when the stored token is not a JWT; refreshing repairs it instead.
        session
            .access_token()
            .and_then(|t| decode_claims_unverified(t).ok())
            .and_then(|c| c.org_id)
    });
    let grant = AuthenticateGrant::RefreshToken {
        client_id: client.client_id.clone(),
        client_secret: client.api_key.clone(),
        refresh_token,
        organization_id,
        ip_address: None,
        user_agent: None,
    };
    Ok(RefreshPlan {
        request: grant.to_request(&client.base_url, client.api_key.as_deref()),
        previous: session,
    })
}

/// A successful refresh: the new session, sealed. `Debug` hides the cookie value and tokens.
#[derive(Clone, PartialEq)]
pub struct RefreshedSession {
    /// The new cookie content.
    pub cookie: SessionCookieData,
    /// The new cookie value (`Fe26.2*...~2`).
    pub sealed: String,
    /// The API reply.
    pub response: AuthenticationResponse,
    /// Claims of the new access token (decoded, not verified, as the SDK does).
    pub claims: AccessTokenClaims,
    /// The new access token's `exp` (seconds).
    pub expires_at: Option<i64>,
    /// The new access token's `iat` (seconds): when WorkOS minted it.
    pub issued_at: Option<i64>,
}

impl std::fmt::Debug for RefreshedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshedSession")
            .field("cookie", &self.cookie)
            .field("sealed", &crate::redact::Redacted(&self.sealed))
            .field("claims", &self.claims)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl RefreshedSession {
    /// The SDK 11 success object: `authenticated, sealedSession, session, authenticationMethod,
    /// sessionId, organizationId, role, roles, permissions, entitlements, featureFlags, user,
    /// impersonator` (user and impersonator from the new reply).
    pub fn to_sdk_json(&self) -> Value {
        let mut session = sdk_authentication_response(&self.response);
        session.insert("sealedSession".into(), self.sealed.clone().into());
        let mut out = Map::new();
        out.insert("authenticated".into(), Value::Bool(true));
        out.insert("sealedSession".into(), self.sealed.clone().into());
        out.insert("session".into(), Value::Object(session));
        if let Some(method) = &self.response.authentication_method {
            out.insert("authenticationMethod".into(), method.clone().into());
        }
        insert_claims(&mut out, &self.claims);
        if let Some(user) = self.response.raw.get("user").and_then(Value::as_object) {
            out.insert("user".into(), sdk_user(user));
        }
        if let Some(impersonator) = self.response.raw.get("impersonator") {
            out.insert("impersonator".into(), impersonator.clone());
        }
        Value::Object(out)
    }
}

/// Classifies a reply to the refresh call. Success seals the new session with `passwords`
/// (pass a new set to rotate) and `randomness`; `expiration_ms` as in [`seal_json`].
pub fn complete_refresh(
    reply: &ApiReply,
    passwords: &PasswordSet,
    randomness: &SealRandomness,
    expiration_ms: Option<u64>,
) -> Result<RefreshedSession, RefreshFailure> {
    let response = classify_authenticate_reply(reply)?;
    let token = decode_unverified(&response.access_token).map_err(|_| {
        RefreshFailure::Unexpected(ApiError::other("the refreshed access token is not a JWT"))
    })?;
    let cookie = SessionCookieData::from_authentication_response(&response);
    let sealed = seal_json(
        &cookie.clone().into_json(),
        passwords,
        randomness,
        expiration_ms,
    );
    Ok(RefreshedSession {
        cookie,
        sealed,
        response,
        claims: token.claims,
        expires_at: token.expires_at,
        issued_at: token.issued_at,
    })
}

/// Maps any reply of `POST /user_management/authenticate` to the parsed success or the SDK's
/// classification of the failure (used by code exchange as well as refresh).
pub fn classify_authenticate_reply(
    reply: &ApiReply,
) -> Result<AuthenticationResponse, RefreshFailure> {
    let (status, retry_after, request_id, body) = match reply {
        ApiReply::Timeout => {
            return Err(retryable(
                RefreshFailureReason::Timeout,
                None,
                api_error(
                    "OauthException",
                    "Error: Request timeout",
                    Some(408),
                    None,
                    None,
                ),
            ));
        }
        ApiReply::NetworkError(message) => {
            let error = api_error(
                "Error",
                &format!("Unexpected error: TypeError: {message}"),
                None,
                None,
                None,
            );
            return Err(retryable(RefreshFailureReason::NetworkError, None, error));
        }
        ApiReply::Response {
            status,
            retry_after,
            request_id,
            body,
        } => (*status, retry_after, request_id.clone(), body),
    };
    if (200..300).contains(&status) {
        return AuthenticationResponse::from_json(body).map_err(|e| {
            RefreshFailure::Unexpected(api_error(
                "Error",
                &format!("Unexpected error: ParseError: {e}"),
                Some(status),
                None,
                request_id,
            ))
        });
    }
    let parsed = ApiErrorBody::from_json(body);
    let message = parsed
        .as_ref()
        .and_then(|b| b.message.clone().or_else(|| b.error_description.clone()))
        .unwrap_or_default();
    if status == 401 {
        let message = "Could not authorize the request. Maybe your API key is invalid?";
        return Err(RefreshFailure::Unexpected(api_error(
            "UnauthorizedException",
            message,
            Some(401),
            None,
            request_id,
        )));
    }
    if status == 429 {
        let seconds = retry_after
            .as_deref()
            .and_then(|s| s.trim().parse::<u64>().ok());
        let error = api_error(
            "RateLimitExceededException",
            &message,
            Some(429),
            None,
            request_id,
        );
        return Err(retryable(
            RefreshFailureReason::RateLimitExceeded,
            seconds,
            error,
        ));
    }
    if status == 408 {
        let error = api_error("OauthException", &message, Some(408), None, request_id);
        return Err(retryable(RefreshFailureReason::Timeout, None, error));
    }
    let Some(body) = parsed else {
        // The SDK throws a parse error for a non-JSON 5xx; it is still WorkOS failing.
        let message = format!("Unexpected error: ParseError: HTTP {status} with a non-JSON body");
        let error = api_error("Error", &message, Some(status), None, request_id);
        return Err(if status >= 500 {
            retryable(RefreshFailureReason::ServerError, None, error)
        } else {
            RefreshFailure::Unexpected(error)
        });
    };
    let code = body.code_or_error().map(str::to_owned);
    match code.as_deref() {
        Some("mfa_enrollment") => {
            return Err(RefreshFailure::reason(RefreshFailureReason::MfaEnrollment))
        }
        Some("sso_required") => {
            return Err(RefreshFailure::reason(RefreshFailureReason::SsoRequired))
        }
        // The real API says `error`, the emulator says `code`: both mean the token is spent.
        Some("invalid_grant") => {
            return Err(RefreshFailure::reason(RefreshFailureReason::InvalidGrant))
        }
        Some(c) if AUTHENTICATION_ERROR_CODES.contains(&c) => {
            return Err(RefreshFailure::Unexpected(api_error(
                "AuthenticationException",
                &message,
                Some(status),
                code,
                request_id,
            )));
        }
        _ => {}
    }
    let oauth = body.error.is_some() || body.error_description.is_some();
    let (name, message) = if oauth {
        let error = body.error.clone().unwrap_or_default();
        let description = body.error_description.clone().unwrap_or_default();
        (
            "OauthException",
            format!("Error: {error}\nError Description: {description}"),
        )
    } else {
        ("GenericServerException", message)
    };
    let error = api_error(name, &message, Some(status), body.code.clone(), request_id);
    if status >= 500 {
        Err(retryable(RefreshFailureReason::ServerError, None, error))
    } else {
        Err(RefreshFailure::Unexpected(error))
    }
}

fn retryable(
    reason: RefreshFailureReason,
    retry_after: Option<u64>,
    error: Box<ApiError>,
) -> RefreshFailure {
    RefreshFailure::Failed {
        reason,
        retry_after,
        error: Some(error),
    }
}

fn api_error(
    name: &str,
    message: &str,
    status: Option<u16>,
    code: Option<String>,
    request_id: Option<String>,
) -> Box<ApiError> {
    Box::new(ApiError {
        name: name.into(),
        message: message.into(),
        status,
        code,
        request_id,
    })
}
