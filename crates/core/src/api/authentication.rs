//! `POST /user_management/authenticate`: the grants, the reply, and the error bodies WorkOS
//! answers with.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{ApiRequest, AUTHENTICATE_PATH};
use crate::json::{Members, ShapeError};
use crate::redact::{Redacted, RedactedOption};

/// The body of `POST /user_management/authenticate`, one variant per grant. Serialises to the
/// SDK's exact field names; absent options are omitted. `Debug` shows the grant type and
/// client id only.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "grant_type")]
pub enum AuthenticateGrant {
    /// Exchange an AuthKit authorization code.
    #[serde(rename = "authorization_code")]
    AuthorizationCode {
        /// Client id.
        client_id: String,
        /// API key; omitted for public clients using PKCE.
        #[serde(skip_serializing_if = "Option::is_none")]
        client_secret: Option<String>,
        /// The code from the callback.
        code: String,
        /// PKCE verifier, when the flow used one.
        #[serde(skip_serializing_if = "Option::is_none")]
        code_verifier: Option<String>,
        /// Invitation being accepted.
        #[serde(skip_serializing_if = "Option::is_none")]
        invitation_token: Option<String>,
        /// Client IP forwarded for WorkOS Radar.
        #[serde(skip_serializing_if = "Option::is_none")]
        ip_address: Option<String>,
        /// Client user agent forwarded for WorkOS Radar.
        #[serde(skip_serializing_if = "Option::is_none")]
        user_agent: Option<String>,
    },
    /// Trade a refresh token for new tokens, optionally for another organization.
    #[serde(rename = "refresh_token")]
    RefreshToken {
        /// Client id.
        client_id: String,
        /// API key.
        #[serde(skip_serializing_if = "Option::is_none")]
        client_secret: Option<String>,
        /// The single-use refresh token.
        refresh_token: String,
        /// Organization to scope the new session to.
        #[serde(skip_serializing_if = "Option::is_none")]
        organization_id: Option<String>,
        /// Client IP.
        #[serde(skip_serializing_if = "Option::is_none")]
        ip_address: Option<String>,
        /// Client user agent.
        #[serde(skip_serializing_if = "Option::is_none")]
        user_agent: Option<String>,
    },
    /// Email and password.
    #[serde(rename = "password")]
    Password {
        /// Client id.
        client_id: String,
        /// API key.
        client_secret: String,
        /// Email.
        email: String,
        /// Password (never log this request).
        password: String,
        /// Invitation being accepted.
        #[serde(skip_serializing_if = "Option::is_none")]
        invitation_token: Option<String>,
        /// Client IP.
        #[serde(skip_serializing_if = "Option::is_none")]
        ip_address: Option<String>,
        /// Client user agent.
        #[serde(skip_serializing_if = "Option::is_none")]
        user_agent: Option<String>,
    },
    /// Magic Auth one-time code.
    #[serde(rename = "urn:workos:oauth:grant-type:magic-auth:code")]
    MagicAuth {
        /// Client id.
        client_id: String,
        /// API key.
        client_secret: String,
        /// The emailed code.
        code: String,
        /// Email.
        email: String,
        /// Invitation being accepted.
        #[serde(skip_serializing_if = "Option::is_none")]
        invitation_token: Option<String>,
        /// Client IP.
        #[serde(skip_serializing_if = "Option::is_none")]
        ip_address: Option<String>,
        /// Client user agent.
        #[serde(skip_serializing_if = "Option::is_none")]
        user_agent: Option<String>,
    },
}

impl std::fmt::Debug for AuthenticateGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (grant, client_id) = match self {
            Self::AuthorizationCode { client_id, .. } => ("AuthorizationCode", client_id),
            Self::RefreshToken { client_id, .. } => ("RefreshToken", client_id),
            Self::Password { client_id, .. } => ("Password", client_id),
            Self::MagicAuth { client_id, .. } => ("MagicAuth", client_id),
        };
        f.debug_struct(grant)
            .field("client_id", client_id)
            .finish_non_exhaustive()
    }
}

impl AuthenticateGrant {
    /// Reads a grant in the API's form (`{grant_type, client_id, ...}`; members the grant does
    /// not use are ignored).
    pub fn from_value(value: Value) -> Result<Self, ShapeError> {
        let mut m = Members::of(value, "grant")?;
        let grant = m.string("grant_type")?;
        let client_id = m.string("client_id")?;
        let ip_address = m.optional_string("ip_address")?;
        let user_agent = m.optional_string("user_agent")?;
        Ok(match grant.as_str() {
            "authorization_code" => Self::AuthorizationCode {
                client_id,
                client_secret: m.optional_string("client_secret")?,
                code: m.string("code")?,
                code_verifier: m.optional_string("code_verifier")?,
                invitation_token: m.optional_string("invitation_token")?,
                ip_address,
                user_agent,
            },
            "refresh_token" => Self::RefreshToken {
                client_id,
                client_secret: m.optional_string("client_secret")?,
                refresh_token: m.string("refresh_token")?,
                organization_id: m.optional_string("organization_id")?,
                ip_address,
                user_agent,
            },
            "password" => Self::Password {
                client_id,
                client_secret: m.string("client_secret")?,
                email: m.string("email")?,
                password: m.string("password")?,
                invitation_token: m.optional_string("invitation_token")?,
                ip_address,
                user_agent,
            },
            "urn:workos:oauth:grant-type:magic-auth:code" => Self::MagicAuth {
                client_id,
                client_secret: m.string("client_secret")?,
                code: m.string("code")?,
                email: m.string("email")?,
                invitation_token: m.optional_string("invitation_token")?,
                ip_address,
                user_agent,
            },
            _ => return Err(ShapeError("grant_type")),
        })
    }

    /// The request for this grant against `base_url`. The SDK puts `grant_type` first and
    /// `client_id` second; serde's internal tag does the same.
    pub fn to_request(&self, base_url: &str, api_key: Option<&str>) -> ApiRequest {
        let mut request = ApiRequest::new("POST", base_url, AUTHENTICATE_PATH, api_key);
        // A grant is strings and options of strings: it always serialises.
        request.body = serde_json::to_value(self).ok();
        request
    }
}

/// A user as the API sends it (snake_case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserResponse {
    /// Always `user`.
    pub object: String,
    /// `user_...`
    pub id: String,
    /// Email address.
    pub email: String,
    /// Whether the email is verified.
    pub email_verified: bool,
    /// Display name.
    pub name: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Avatar URL.
    pub profile_picture_url: Option<String>,
    /// Fields this type does not name, kept as sent.
    pub other: Map<String, Value>,
}

/// The admin behind an impersonated session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impersonator {
    /// The admin's email.
    pub email: String,
    /// Why they impersonate (may be null).
    pub reason: Option<String>,
}

/// Upstream OAuth tokens returned with some social logins.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct OauthTokens {
    /// Provider access token.
    pub access_token: String,
    /// Provider refresh token.
    pub refresh_token: Option<String>,
    /// Expiry (seconds since the epoch).
    pub expires_at: Option<i64>,
    /// Granted scopes.
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for OauthTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OauthTokens([redacted])")
    }
}

/// A successful reply of `POST /user_management/authenticate`. The raw JSON is kept too, since
/// the SDK passes unknown fields through to its caller. `Debug` hides the tokens.
#[derive(Clone, PartialEq)]
pub struct AuthenticationResponse {
    /// The signed-in user.
    pub user: UserResponse,
    /// The organization the API scoped the session to (the cookie takes `org_id` from the token
    /// instead, as the SDK does).
    pub organization_id: Option<String>,
    /// RS256 JWT.
    pub access_token: String,
    /// Single-use refresh token.
    pub refresh_token: String,
    /// Set when an admin impersonates the user.
    pub impersonator: Option<Impersonator>,
    /// How the user signed in (`GoogleOAuth`, `Password`, `SSO`...).
    pub authentication_method: Option<String>,
    /// Upstream provider tokens.
    pub oauth_tokens: Option<OauthTokens>,
    /// The reply exactly as received.
    pub raw: Map<String, Value>,
}

impl std::fmt::Debug for AuthenticationResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthenticationResponse")
            .field("user", &self.user.id)
            .field("organization_id", &self.organization_id)
            .field("access_token", &Redacted(&self.access_token))
            .field("refresh_token", &Redacted(&self.refresh_token))
            .field("authentication_method", &self.authentication_method)
            .finish_non_exhaustive()
    }
}

impl AuthenticationResponse {
    /// Parses a reply body, keeping the raw object alongside the typed fields.
    pub fn from_json(body: &[u8]) -> Result<Self, serde_json::Error> {
        let raw = match serde_json::from_slice(body)? {
            Value::Object(raw) => raw,
            _ => return Err(serde::de::Error::custom("the reply is not a JSON object")),
        };
        Self::from_map(raw).map_err(serde::de::Error::custom)
    }
}

/// An error reply from the API, in any of the shapes WorkOS uses
/// (`{error, error_description}`, `{code, message}`, `{code, errors}`). `Debug` hides the
/// pending-authentication token.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ApiErrorBody {
    /// OAuth-style error (`invalid_grant`, `sso_required`...).
    pub error: Option<String>,
    /// OAuth-style description.
    pub error_description: Option<String>,
    /// WorkOS error code (`mfa_enrollment`, `invalid_request`...).
    pub code: Option<String>,
    /// Human message.
    pub message: Option<String>,
    /// Token to continue a pending authentication (MFA, SSO, email verification).
    pub pending_authentication_token: Option<String>,
    /// Everything else (`user`, `organizations`, `connection_ids`, `errors`...).
    pub other: Map<String, Value>,
}

impl std::fmt::Debug for ApiErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiErrorBody")
            .field("error", &self.error)
            .field("code", &self.code)
            .field("message", &self.message)
            .field(
                "pending_authentication_token",
                &RedactedOption(&self.pending_authentication_token),
            )
            .finish_non_exhaustive()
    }
}

impl ApiErrorBody {
    /// The error code in whichever field this body carries it (`code` or `error`).
    pub fn code_or_error(&self) -> Option<&str> {
        self.code.as_deref().or(self.error.as_deref())
    }
}

/// Authentication codes the SDK raises as `AuthenticationException`.
pub const AUTHENTICATION_ERROR_CODES: &[&str] = &[
    "email_verification_required",
    "organization_selection_required",
    "mfa_enrollment",
    "mfa_challenge",
    "mfa_verification",
    "radar_email_challenge",
    "radar_sms_challenge",
    "sso_required",
];
