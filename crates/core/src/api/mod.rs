//! WorkOS API requests and replies, as data. The core describes a call ([`ApiRequest`]); the host
//! performs it with whatever HTTP client it has and hands back an [`ApiReply`].

use serde_json::Value;

use crate::redact::{Redacted, RedactedOption};

mod api_keys;
mod authentication;
mod device;
mod reading;
mod resources;

pub use api_keys::*;
pub use authentication::*;
pub use device::*;
pub use resources::*;

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
