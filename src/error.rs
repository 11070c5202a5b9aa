//! The one place where failures become responses. Every auth failure looks the same to the
//! client (the detail goes to the log line); documents get a small HTML page, the rest JSON.
//! Every 5xx that a retry can cure carries `Retry-After`.

use web_sys::Response;
use workos_edge_core::refresh::RefreshFailure;
use workos_edge_core::web::bearer::{BearerError, Challenge};
use workos_edge_core::web::{PathError, Requirement};

use crate::config::ConfigError;

/// Seconds a client should wait before retrying when WorkOS could not help.
const DEFAULT_RETRY_AFTER: u64 = 5;

/// What went wrong while answering a request.
#[derive(Debug)]
pub enum GatewayError {
    /// A setting is missing or wrong (named, never its value).
    Config(ConfigError),
    /// The request is malformed (`message` is safe to show).
    BadRequest(&'static str),
    /// The path is refused by the normalisation policy.
    BadPath(PathError),
    /// No such route under `/auth/`.
    NotFound,
    /// A method the gateway does not handle.
    MethodNotAllowed,
    /// A state-changing request that is not from this site's own pages (CSRF).
    CrossSite,
    /// A JSON route was sent something else.
    UnsupportedMediaType,
    /// The body is larger than the route accepts.
    PayloadTooLarge,
    /// No valid session; `reason` is the SDK reason string.
    Unauthenticated {
        /// `no_session_cookie_provided`, `invalid_session_cookie`, `invalid_jwt`...
        reason: &'static str,
    },
    /// Signed in, but a route rule is not met.
    Forbidden(Requirement),
    /// A bearer credential was presented and refused (RFC 6750 `invalid_token`); the text is
    /// a short description safe to show.
    InvalidToken(&'static str),
    /// A valid bearer credential that a route rule refuses (RFC 6750 `insufficient_scope`).
    InsufficientScope(Requirement),
    /// Too many calls to a route that fans out to WorkOS.
    RateLimited {
        /// Seconds until the window has room again.
        retry_after: u64,
    },
    /// WorkOS is unreachable and the request needs it.
    Unavailable {
        /// Seconds (WorkOS's own `Retry-After` when it sent one).
        retry_after: u64,
    },
    /// WorkOS answered something unusable (a 5xx, a malformed body).
    Upstream(String),
    /// WorkOS refused the sign-in (a bad or spent authorization code).
    SignInRefused(String),
    /// The session no longer fits in a browser cookie.
    SessionTooLarge {
        /// Length of the `Set-Cookie` line the whole session would need.
        bytes: usize,
    },
    /// The runtime failed us (randomness, header construction).
    Internal(&'static str),
    /// A CORS preflight from an origin that is not allowed (or asking for nonsense).
    CorsRefused,
    /// The browser completed several sign-ins without ever keeping its session.
    SignInLoop {
        /// Seconds until a new sign-in is allowed.
        retry_after: u64,
    },
    /// A webhook delivery that is forged, stale or replayed (the SDK's words, or `replayed`).
    WebhookRefused(&'static str),
}

impl GatewayError {
    /// HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::Config(_) | Self::SessionTooLarge { .. } | Self::Internal(_) => 500,
            Self::BadRequest(_) | Self::SignInRefused(_) => 400,
            Self::BadPath(PathError::TooLong) => 414,
            Self::BadPath(_) => 400,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::CrossSite
            | Self::Forbidden(_)
            | Self::InsufficientScope(_)
            | Self::CorsRefused => 403,
            Self::WebhookRefused(_) => 401,
            Self::SignInLoop { .. } => 429,
            Self::UnsupportedMediaType => 415,
            Self::PayloadTooLarge => 413,
            Self::Unauthenticated { .. } | Self::InvalidToken(_) => 401,
            Self::RateLimited { .. } => 429,
            Self::Unavailable { .. } => 503,
            Self::Upstream(_) => 502,
        }
    }

    /// Short machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(_) => "misconfigured",
            Self::BadRequest(_) => "bad_request",
            Self::BadPath(_) => "bad_path",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::CrossSite => "cross_site_request",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Unauthenticated { .. } => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::InvalidToken(_) => BearerError::InvalidToken.as_str(),
            Self::InsufficientScope(_) => BearerError::InsufficientScope.as_str(),
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable { .. } => "auth_unavailable",
            Self::Upstream(_) => "upstream_error",
            Self::SignInRefused(_) => "sign_in_failed",
            Self::SessionTooLarge { .. } => "session_too_large",
            Self::Internal(_) => "internal_error",
            Self::CorsRefused => "cors_not_allowed",
            Self::SignInLoop { .. } => "sign_in_loop",
            Self::WebhookRefused(_) => "webhook_refused",
        }
    }

    /// `Retry-After` seconds, for the errors a retry can cure.
    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after }
            | Self::Unavailable { retry_after }
            | Self::SignInLoop { retry_after } => Some(*retry_after),
            Self::Upstream(_) | Self::Internal(_) => Some(DEFAULT_RETRY_AFTER),
            _ => None,
        }
    }

    /// Text that is safe to show to the visitor.
    fn public_message(&self) -> String {
        match self {
            Self::Config(e) => format!("This site is misconfigured: {e}."),
            Self::BadRequest(message) => (*message).to_owned(),
            Self::BadPath(e) => format!("This address cannot be served: {e}."),
            Self::NotFound => "There is no such page.".into(),
            Self::MethodNotAllowed => "This method is not supported here.".into(),
            Self::CrossSite => "Requests from other sites are not allowed here.".into(),
            Self::UnsupportedMediaType => "Send JSON (Content-Type: application/json).".into(),
            Self::PayloadTooLarge => "The request body is too large.".into(),
            Self::Unauthenticated { .. } => "Sign in to continue.".into(),
            Self::Forbidden(requirement) => {
                format!("Your session does not grant access here (requires {requirement}).")
            }
            Self::InvalidToken(description) => {
                format!("The bearer credential was refused: {description}.")
            }
            Self::InsufficientScope(requirement) => {
                format!("This credential does not grant access here (requires {requirement}).")
            }
            Self::RateLimited { .. } => "Too many requests. Please retry in a moment.".into(),
            Self::Unavailable { .. } => {
                "Sign-in is temporarily unavailable. Please retry in a moment.".into()
            }
            Self::Upstream(_) => {
                "The sign-in service gave an unusable answer. Please try again.".into()
            }
            Self::SignInRefused(_) => "Sign-in did not complete. Please sign in again.".into(),
            Self::SessionTooLarge { bytes } => format!(
                "Your session is too large to keep in browser cookies ({bytes} bytes, more \
                 than the cookies this site allows hold). Please tell the site's administrator."
            ),
            Self::Internal(_) => "Something went wrong here. Please retry in a moment.".into(),
            Self::CorsRefused => {
                "This origin may not call this site (it is not in CORS_ALLOWED_ORIGINS).".into()
            }
            Self::SignInLoop { retry_after } => format!(
                "This browser has signed in several times in the last minute but never kept its \
                 session, so signing in again would go round in circles. Its session cookie is \
                 being dropped: check that cookies are allowed for this site (and, for the \
                 site's administrator, the cookie domain and SameSite settings). You can try \
                 again in {retry_after} seconds."
            ),
            Self::WebhookRefused(why) => format!("Webhook refused: {why}."),
        }
    }

    /// Detail for the log line (never secrets).
    pub fn log_detail(&self) -> String {
        match self {
            Self::Config(e) => e.to_string(),
            Self::BadPath(e) => e.to_string(),
            Self::Unauthenticated { reason } => (*reason).to_owned(),
            Self::Forbidden(requirement) | Self::InsufficientScope(requirement) => {
                requirement.to_string()
            }
            Self::InvalidToken(description) => (*description).to_owned(),
            Self::Upstream(detail) | Self::SignInRefused(detail) => detail.clone(),
            Self::SessionTooLarge { bytes } => {
                format!("the session seals to {bytes} bytes, more than WORKOS_COOKIE_MAX_CHUNKS cookies hold")
            }
            Self::Internal(detail) => (*detail).to_owned(),
            other => other.code().to_owned(),
        }
    }

    /// The RFC 6750 challenge for this error, if it is one a client can answer with a
    /// (better) credential.
    fn challenge<'a>(&self, site: &'a ChallengeSite, description: &'a str) -> Option<String> {
        let (error, scope) = match self {
            Self::Unauthenticated { .. } => (None, None),
            Self::InvalidToken(_) => (Some(BearerError::InvalidToken), None),
            Self::InsufficientScope(Requirement::Permission(permission)) => (
                Some(BearerError::InsufficientScope),
                Some(permission.as_str()),
            ),
            Self::InsufficientScope(_) => (Some(BearerError::InsufficientScope), None),
            _ => return None,
        };
        let challenge = Challenge {
            realm: &site.realm,
            resource_metadata: site.resource_metadata.as_deref(),
            error,
            error_description: error.map(|_| description),
            scope,
        };
        Some(challenge.header_value())
    }

    /// The response: HTML for document navigations, JSON otherwise. Authentication failures
    /// carry a `WWW-Authenticate: Bearer` challenge pointing at `site`.
    pub fn into_response(
        self,
        document: bool,
        site: &ChallengeSite,
    ) -> Result<Response, GatewayError> {
        let status = self.status();
        let message = self.public_message();
        let response = if document {
            let links = match &self {
                // Signed in already: offer the way back, or another account.
                Self::Forbidden(_) => "<a href=\"/\">Home</a> · <a href=\"/dashboard\">Dashboard</a> · <a href=\"/auth/logout\">Sign in as someone else</a>",
                _ => "<a href=\"/\">Home</a> · <a href=\"/auth/login\">Sign in</a>",
            };
            crate::http::html(status, &error_page(status, &message, links))?
        } else {
            let reason = match &self {
                Self::Unauthenticated { reason } => Some(*reason),
                _ => None,
            };
            let mut body =
                serde_json::json!({ "error": self.code(), "message": message, "reason": reason });
            if let (Self::InvalidToken(_) | Self::InsufficientScope(_), Some(fields)) =
                (&self, body.as_object_mut())
            {
                fields.insert("error_description".into(), self.description().into());
            }
            crate::http::json(status, &body)?
        };
        let headers = response.headers();
        headers.set("Cache-Control", "private, no-store")?;
        if let Some(seconds) = self.retry_after() {
            headers.set("Retry-After", &seconds.to_string())?;
        }
        if let Self::MethodNotAllowed = &self {
            headers.set("Allow", &crate::http::SUPPORTED_METHODS.join(", "))?;
        }
        if let Some(challenge) = self.challenge(site, &self.description()) {
            headers.set("WWW-Authenticate", &challenge)?;
        }
        Ok(response)
    }

    /// What the `error_description` and the challenge say.
    fn description(&self) -> String {
        match self {
            Self::InsufficientScope(requirement) => format!("requires {requirement}"),
            other => other.log_detail(),
        }
    }
}

/// Where this request's `WWW-Authenticate` challenges point.
#[derive(Debug, Clone, Default)]
pub struct ChallengeSite {
    /// `realm`: the host the client asked for.
    pub realm: String,
    /// The RFC 9728 metadata URL, when `WORKOS_AUTHKIT_DOMAIN` is set.
    pub resource_metadata: Option<String>,
}

impl From<ConfigError> for GatewayError {
    fn from(e: ConfigError) -> Self {
        Self::Config(e)
    }
}

/// Any runtime (JavaScript) error while building a request or response.
impl From<wasm_bindgen::JsValue> for GatewayError {
    fn from(_: wasm_bindgen::JsValue) -> Self {
        Self::Internal("the runtime refused to build a request or response")
    }
}

/// A refresh or code-exchange failure for the log line: the reason, or the error class, HTTP
/// status and WorkOS code — never WorkOS's message, which may quote what was sent (a code).
pub fn describe_failure(what: &str, failure: &RefreshFailure) -> String {
    match failure {
        RefreshFailure::Failed { reason, .. } => format!("{what}: {}", reason.as_str()),
        RefreshFailure::Unexpected(error) => format!(
            "{what}: {} (HTTP {}, code {})",
            error.name,
            error
                .status
                .map_or_else(|| "none".to_owned(), |s| s.to_string()),
            error.code.as_deref().unwrap_or("none"),
        ),
    }
}

/// A plain page for errors shown to people.
fn error_page(status: u16, message: &str, links: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{status}</title><body style=\"font:16px system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem\">\
         <main><h1>{status}</h1><p>{}</p><p>{links}</p></main></body></html>",
        html_escape(message)
    )
}

/// Escapes text for HTML.
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
