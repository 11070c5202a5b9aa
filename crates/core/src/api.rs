//! WorkOS API requests and replies, as data. The core describes a call ([`ApiRequest`]); the host
//! performs it with whatever HTTP client it has and hands back an [`ApiReply`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::redact::{Redacted, RedactedOption};

/// The real WorkOS API.
pub const DEFAULT_API_BASE_URL: &str = "https://api.workos.com";

/// Path of the token endpoint used by every grant.
pub const AUTHENTICATE_PATH: &str = "/user_management/authenticate";

/// An HTTP call for the host to make. Its `Debug` output hides header values other than
/// `Accept`/`Content-Type` and the whole body (they carry the API key, codes and tokens).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Absolute URL.
    pub url: String,
    /// Headers to send (the API key is among them: never log this value).
    pub headers: Vec<(String, String)>,
    /// JSON body for `POST`.
    pub body: Option<Value>,
}

impl ApiRequest {
    pub(crate) fn new(
        method: &'static str,
        base_url: &str,
        path: &str,
        api_key: Option<&str>,
    ) -> Self {
        let mut headers = vec![(
            "Accept".to_owned(),
            "application/json, text/plain, */*".to_owned(),
        )];
        if method == "POST" {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        if let Some(key) = api_key {
            headers.push(("Authorization".to_owned(), format!("Bearer {key}")));
        }
        Self {
            method,
            url: format!("{}{path}", base_url.trim_end_matches('/')),
            headers,
            body: None,
        }
    }
}

impl std::fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Headers<'a>(&'a [(String, String)]);
        impl std::fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut list = f.debug_list();
                for (name, value) in self.0 {
                    if name.eq_ignore_ascii_case("accept")
                        || name.eq_ignore_ascii_case("content-type")
                    {
                        list.entry(&(name, value));
                    } else {
                        list.entry(&(name, Redacted(value)));
                    }
                }
                list.finish()
            }
        }
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &Headers(&self.headers))
            .field("body", &RedactedOption(&self.body))
            .finish()
    }
}

/// What came back from an [`ApiRequest`]. `Debug` shows the body's length, not its content
/// (it carries tokens).
#[derive(Clone, PartialEq, Eq)]
pub enum ApiReply {
    /// An HTTP response arrived.
    Response {
        /// HTTP status.
        status: u16,
        /// The `Retry-After` header, if any.
        retry_after: Option<String>,
        /// The `X-Request-ID` header, if any.
        request_id: Option<String>,
        /// The raw body.
        body: Vec<u8>,
    },
    /// No answer within the host's deadline.
    Timeout,
    /// The connection failed (DNS, TLS, reset...).
    NetworkError(String),
}

impl std::fmt::Debug for ApiReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Response {
                status,
                retry_after,
                request_id,
                body,
            } => f
                .debug_struct("Response")
                .field("status", status)
                .field("retry_after", retry_after)
                .field("request_id", request_id)
                .field("body_bytes", &body.len())
                .finish(),
            Self::Timeout => f.write_str("Timeout"),
            Self::NetworkError(e) => f.debug_tuple("NetworkError").field(e).finish(),
        }
    }
}

/// The body of `POST /user_management/authenticate`, one variant per grant. Serialises to the
/// SDK's exact field names; absent options are omitted. `Debug` shows the grant type and
/// client id only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserResponse {
    /// Always `user`.
    #[serde(default = "user_object")]
    pub object: String,
    /// `user_...`
    pub id: String,
    /// Email address.
    pub email: String,
    /// Whether the email is verified.
    #[serde(default)]
    pub email_verified: bool,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Given name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub profile_picture_url: Option<String>,
    /// Fields this type does not name, kept as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

fn user_object() -> String {
    "user".to_owned()
}

/// The admin behind an impersonated session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impersonator {
    /// The admin's email.
    pub email: String,
    /// Why they impersonate (may be null).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Upstream OAuth tokens returned with some social logins.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OauthTokens {
    /// Provider access token.
    pub access_token: String,
    /// Provider refresh token.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Expiry (seconds since the epoch).
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// Granted scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for OauthTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OauthTokens([redacted])")
    }
}

/// A successful reply of `POST /user_management/authenticate`. The raw JSON is kept too, since
/// the SDK passes unknown fields through to its caller. `Debug` hides the tokens.
#[derive(Clone, PartialEq, Deserialize)]
pub struct AuthenticationResponse {
    /// The signed-in user.
    pub user: UserResponse,
    /// The organization the API scoped the session to (the cookie takes `org_id` from the token
    /// instead, as the SDK does).
    #[serde(default)]
    pub organization_id: Option<String>,
    /// RS256 JWT.
    pub access_token: String,
    /// Single-use refresh token.
    pub refresh_token: String,
    /// Set when an admin impersonates the user.
    #[serde(default)]
    pub impersonator: Option<Impersonator>,
    /// How the user signed in (`GoogleOAuth`, `Password`, `SSO`...).
    #[serde(default)]
    pub authentication_method: Option<String>,
    /// Upstream provider tokens.
    #[serde(default)]
    pub oauth_tokens: Option<OauthTokens>,
    /// The reply exactly as received.
    #[serde(skip)]
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
        let raw: Map<String, Value> = serde_json::from_slice(body)?;
        let mut typed: Self = serde_json::from_value(Value::Object(raw.clone()))?;
        typed.raw = raw;
        Ok(typed)
    }
}

/// A session as `GET /user_management/users/{id}/sessions` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Always `session`.
    #[serde(default)]
    pub object: String,
    /// `session_...` (the access token's `sid`).
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Where it was created.
    #[serde(default)]
    pub ip_address: Option<String>,
    /// Browser that created it.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Organization, if scoped.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// Impersonating admin, if any.
    #[serde(default)]
    pub impersonator: Option<Impersonator>,
    /// `password`, `oauth`, `sso`, `magic_code`...
    #[serde(default)]
    pub auth_method: Option<String>,
    /// `active`, `expired` or `revoked`.
    #[serde(default)]
    pub status: Option<String>,
    /// ISO 8601.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// ISO 8601, when ended.
    #[serde(default)]
    pub ended_at: Option<String>,
    /// ISO 8601.
    #[serde(default)]
    pub created_at: Option<String>,
    /// ISO 8601.
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// Cursor metadata of a list page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMetadata {
    /// Cursor for the previous page.
    #[serde(default)]
    pub before: Option<String>,
    /// Cursor for the next page; `None` on the last page.
    #[serde(default)]
    pub after: Option<String>,
}

/// One page of a paginated list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListResponse<T> {
    /// The items.
    pub data: Vec<T>,
    /// Cursors.
    #[serde(default)]
    pub list_metadata: ListMetadata,
}

/// Sort order of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Oldest first.
    Asc,
    /// Newest first (the SDK's default).
    #[default]
    Desc,
}

/// Options of a list call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Page size (the SDK's auto-pagination uses 100).
    pub limit: Option<u32>,
    /// Cursor: items before this id.
    pub before: Option<String>,
    /// Cursor: items after this id.
    pub after: Option<String>,
    /// Sort order.
    pub order: Order,
}

/// `GET /user_management/users/{user_id}/sessions`.
pub fn list_sessions_request(
    base_url: &str,
    api_key: &str,
    user_id: &str,
    options: &ListOptions,
) -> ApiRequest {
    let path = format!(
        "/user_management/users/{}/sessions",
        crate::encoding::rfc1738_encode(user_id)
    );
    let mut request = ApiRequest::new("GET", base_url, &path, Some(api_key));
    let mut query = Vec::new();
    if let Some(limit) = options.limit {
        query.push(format!("limit={limit}"));
    }
    if let Some(before) = &options.before {
        query.push(format!(
            "before={}",
            crate::encoding::form_urlencode(before)
        ));
    }
    if let Some(after) = &options.after {
        query.push(format!("after={}", crate::encoding::form_urlencode(after)));
    }
    query.push(format!(
        "order={}",
        if options.order == Order::Asc {
            "asc"
        } else {
            "desc"
        }
    ));
    request.url = format!("{}?{}", request.url, query.join("&"));
    request
}

/// `POST /user_management/sessions/revoke` with `{"session_id": ...}`.
pub fn revoke_session_request(base_url: &str, api_key: &str, session_id: &str) -> ApiRequest {
    let mut request = ApiRequest::new(
        "POST",
        base_url,
        "/user_management/sessions/revoke",
        Some(api_key),
    );
    request.body = Some(serde_json::json!({ "session_id": session_id }));
    request
}

/// An error reply from the API, in any of the shapes WorkOS uses
/// (`{error, error_description}`, `{code, message}`, `{code, errors}`). `Debug` hides the
/// pending-authentication token.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// OAuth-style error (`invalid_grant`, `sso_required`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// OAuth-style description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// WorkOS error code (`mfa_enrollment`, `invalid_request`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Human message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Token to continue a pending authentication (MFA, SSO, email verification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_authentication_token: Option<String>,
    /// Everything else (`user`, `organizations`, `connection_ids`, `errors`...).
    #[serde(flatten)]
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

/// A role reference inside a membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRef {
    /// Role slug (`admin`, `member`...).
    pub slug: String,
}

/// A user's membership of an organization (`GET /user_management/organization_memberships`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationMembership {
    /// `om_...`
    pub id: String,
    /// The member.
    pub user_id: String,
    /// The organization.
    pub organization_id: String,
    /// The organization's name (the real API includes it; the emulator does not).
    #[serde(default)]
    pub organization_name: Option<String>,
    /// The member's role.
    #[serde(default)]
    pub role: Option<RoleRef>,
    /// `active`, `inactive` or `pending`.
    #[serde(default)]
    pub status: Option<String>,
}

/// An organization (`GET /organizations/{id}`), the fields the edge uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// `org_...`
    pub id: String,
    /// Display name.
    pub name: String,
}

/// `GET /user_management/organization_memberships?user_id=...&limit=100`.
pub fn list_memberships_request(base_url: &str, api_key: &str, user_id: &str) -> ApiRequest {
    let mut request = ApiRequest::new(
        "GET",
        base_url,
        "/user_management/organization_memberships",
        Some(api_key),
    );
    request.url = format!(
        "{}?user_id={}&limit=100",
        request.url,
        crate::encoding::form_urlencode(user_id)
    );
    request
}

/// `GET /organizations/{id}`.
pub fn get_organization_request(
    base_url: &str,
    api_key: &str,
    organization_id: &str,
) -> ApiRequest {
    let path = format!(
        "/organizations/{}",
        crate::encoding::rfc1738_encode(organization_id)
    );
    ApiRequest::new("GET", base_url, &path, Some(api_key))
}
