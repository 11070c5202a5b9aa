//! The one place where failures become responses. Every auth failure looks the same to the
//! client (the detail goes to the log line); documents get a small HTML page, the rest JSON.

use worker::{Headers, Response, Result};
use workos_edge_core::web::Requirement;

use crate::config::ConfigError;

/// What went wrong while answering a request.
#[derive(Debug)]
pub enum GatewayError {
    /// A setting is missing or wrong (named, never its value).
    Config(ConfigError),
    /// The request is malformed or not allowed (`message` is safe to show).
    BadRequest(&'static str),
    /// No valid session; `reason` is the SDK reason string.
    Unauthenticated { reason: &'static str },
    /// Signed in, but a route rule is not met.
    Forbidden(Requirement),
    /// WorkOS is unreachable and the session needs it.
    Unavailable { retry_after: u64 },
    /// WorkOS refused a call that should have worked (code exchange, list, revoke).
    Upstream(String),
}

impl GatewayError {
    /// HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::Config(_) => 500,
            Self::BadRequest(_) => 400,
            Self::Unauthenticated { .. } => 401,
            Self::Forbidden(_) => 403,
            Self::Unavailable { .. } => 503,
            Self::Upstream(_) => 502,
        }
    }

    /// Short machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(_) => "misconfigured",
            Self::BadRequest(_) => "bad_request",
            Self::Unauthenticated { .. } => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::Unavailable { .. } => "auth_unavailable",
            Self::Upstream(_) => "upstream_error",
        }
    }

    /// Text that is safe to show to the visitor.
    fn public_message(&self) -> String {
        match self {
            Self::Config(e) => format!("This site is misconfigured: {e}."),
            Self::BadRequest(message) => (*message).to_owned(),
            Self::Unauthenticated { .. } => "Sign in to continue.".into(),
            Self::Forbidden(requirement) => {
                format!("Your session does not grant access here (requires {requirement}).")
            }
            Self::Unavailable { .. } => {
                "Sign-in is temporarily unavailable. Please retry in a moment.".into()
            }
            Self::Upstream(_) => {
                "The sign-in service refused the request. Please try again.".into()
            }
        }
    }

    /// Detail for the log line (never secrets).
    pub fn log_detail(&self) -> String {
        match self {
            Self::Config(e) => e.to_string(),
            Self::Unauthenticated { reason } => (*reason).to_owned(),
            Self::Forbidden(requirement) => requirement.to_string(),
            Self::Upstream(detail) => detail.clone(),
            other => other.code().to_owned(),
        }
    }

    /// The response: HTML for document navigations, JSON otherwise.
    pub fn into_response(self, document: bool) -> Result<Response> {
        let status = self.status();
        let headers = Headers::new();
        headers.set("Cache-Control", "private, no-store")?;
        if let Self::Unavailable { retry_after } = &self {
            headers.set("Retry-After", &retry_after.to_string())?;
        }
        if let Self::Unauthenticated { .. } = &self {
            headers.set("WWW-Authenticate", "Cookie realm=\"workos-edge\"")?;
        }
        let message = self.public_message();
        let response = if document {
            let links = match &self {
                // Signed in already: offer the way back, or another account.
                Self::Forbidden(_) => "<a href=\"/\">Home</a> · <a href=\"/dashboard\">Dashboard</a> · <a href=\"/auth/logout\">Sign in as someone else</a>",
                _ => "<a href=\"/\">Home</a> · <a href=\"/auth/login\">Sign in</a>",
            };
            Response::from_html(error_page(status, &message, links))?
        } else {
            let mut body = serde_json::json!({ "error": self.code(), "message": message });
            if let Self::Unauthenticated { reason } = &self {
                body["reason"] = (*reason).into();
            }
            Response::from_json(&body)?
        };
        for (name, value) in headers.entries() {
            response.headers().set(&name, &value)?;
        }
        Ok(response.with_status(status))
    }
}

impl From<ConfigError> for GatewayError {
    fn from(e: ConfigError) -> Self {
        Self::Config(e)
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
