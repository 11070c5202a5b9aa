//! The OAuth 2.0 device authorization grant (RFC 8628) as a public client: the request that
//! starts it, its reply, the token request the host polls with, and what each poll reply means.
//! The host owns the clock, the sleeping and the HTTP client.

use serde::Deserialize;

use super::{ApiErrorBody, ApiReply, ApiRequest, AuthenticationResponse, AUTHENTICATE_PATH};
use crate::redact::Redacted;

/// Path of the device authorization endpoint.
pub const DEVICE_AUTHORIZATION_PATH: &str = "/user_management/authorize/device";

/// The `grant_type` of a device-code token request.
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Seconds between polls when the server does not say (RFC 8628 §3.2).
pub const DEFAULT_DEVICE_POLL_INTERVAL_SECONDS: u64 = 5;

/// Seconds added to the polling interval on every `slow_down` (RFC 8628 §3.5).
pub const SLOW_DOWN_INCREMENT_SECONDS: u64 = 5;

/// Longest server-supplied text [`printable`] keeps.
const MAX_MESSAGE_CHARS: usize = 300;

/// `POST /user_management/authorize/device` for a public client: no API key, only the client
/// id in the JSON body.
pub fn device_authorization_request(base_url: &str, client_id: &str) -> ApiRequest {
    let mut request = ApiRequest::new("POST", base_url, DEVICE_AUTHORIZATION_PATH, None);
    request.body = Some(serde_json::json!({ "client_id": client_id }));
    request
}

/// The token request a device polls with: `POST /user_management/authenticate` with the
/// device-code grant, no API key.
pub fn device_code_grant_request(base_url: &str, client_id: &str, device_code: &str) -> ApiRequest {
    let mut request = ApiRequest::new("POST", base_url, AUTHENTICATE_PATH, None);
    request.body = Some(serde_json::json!({
        "grant_type": DEVICE_CODE_GRANT_TYPE,
        "device_code": device_code,
        "client_id": client_id,
    }));
    request
}

/// The reply of the device authorization endpoint. `Debug` hides the device code (it is a
/// bearer secret until the user approves or it expires).
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct DeviceAuthorization {
    /// The secret the device polls with. Never show or log it.
    pub device_code: String,
    /// The short code the user types or checks in the browser.
    pub user_code: String,
    /// Where the user goes to enter [`Self::user_code`].
    pub verification_uri: String,
    /// The same page with the code already filled in, when the server offers it.
    #[serde(default)]
    pub verification_uri_complete: Option<String>,
    /// Seconds until the device code expires.
    pub expires_in: u64,
    /// Seconds to wait between polls; see [`Self::poll_interval_seconds`].
    #[serde(default)]
    pub interval: Option<u64>,
}

impl std::fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("device_code", &Redacted(&self.device_code))
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("verification_uri_complete", &self.verification_uri_complete)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish()
    }
}

impl DeviceAuthorization {
    /// The polling interval: the server's, or 5 s when absent, and never below 1 s (a zero
    /// interval would make the host spin).
    pub fn poll_interval_seconds(&self) -> u64 {
        self.interval
            .unwrap_or(DEFAULT_DEVICE_POLL_INTERVAL_SECONDS)
            .max(1)
    }

    /// Reads the reply of [`device_authorization_request`]. The error is a message fit to show
    /// the user (it never contains a code or token).
    pub fn from_reply(reply: &ApiReply) -> Result<Self, String> {
        match reply {
            ApiReply::Response { status, body, .. } if (200..300).contains(status) => {
                serde_json::from_slice(body).map_err(|_| {
                    format!(
                        "the device authorization reply (HTTP {status}) is not what WorkOS sends"
                    )
                })
            }
            ApiReply::Response { status, body, .. } => Err(format!(
                "WorkOS refused to start the sign-in (HTTP {status}{})",
                error_detail(body)
            )),
            other => Err(transport_message(other)),
        }
    }
}

/// What one poll of the token endpoint means for the device flow.
#[derive(Debug, Clone, PartialEq)]
pub enum DevicePoll {
    /// The user approved: here are the tokens.
    Authenticated(Box<AuthenticationResponse>),
    /// `authorization_pending`: poll again after the interval.
    Pending,
    /// `slow_down`: add [`SLOW_DOWN_INCREMENT_SECONDS`] to the interval, then poll again.
    SlowDown,
    /// `access_denied`: the user declined. Stop.
    Denied,
    /// `expired_token`: the device code expired. Stop; the user must start over.
    Expired,
    /// Anything else (another error code, an unreadable reply, no answer). Stop. The message is
    /// fit to show the user: it never contains the device code or a token.
    Failed(String),
}

/// Classifies the reply to a [`device_code_grant_request`]. The OAuth error may be in `error`
/// (`{error, error_description}`, as the API) or in `code` (`{code, message}`, as the WorkOS
/// emulator); both are read.
pub fn classify_device_poll(reply: &ApiReply) -> DevicePoll {
    let (status, body) = match reply {
        ApiReply::Response { status, body, .. } => (*status, body),
        other => return DevicePoll::Failed(transport_message(other)),
    };
    if (200..300).contains(&status) {
        return match AuthenticationResponse::from_json(body) {
            Ok(response) => DevicePoll::Authenticated(Box::new(response)),
            Err(_) => DevicePoll::Failed(format!(
                "the sign-in reply (HTTP {status}) is not what WorkOS sends"
            )),
        };
    }
    let error: ApiErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let known = [error.error.as_deref(), error.code.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|code| match code {
            "authorization_pending" => Some(DevicePoll::Pending),
            "slow_down" => Some(DevicePoll::SlowDown),
            "access_denied" => Some(DevicePoll::Denied),
            "expired_token" => Some(DevicePoll::Expired),
            _ => None,
        });
    known.unwrap_or_else(|| {
        DevicePoll::Failed(format!(
            "WorkOS refused the sign-in (HTTP {status}{})",
            error_detail(body)
        ))
    })
}

/// Whether a failed call is worth repeating as is: no answer, a server error (5xx) or rate
/// limiting (429). A device-code poll may be repeated while the code is valid; a refresh-token
/// request may not (the token is single use and may already be spent).
pub fn is_transient(reply: &ApiReply) -> bool {
    match reply {
        ApiReply::Response { status, .. } => *status == 429 || *status >= 500,
        ApiReply::Timeout | ApiReply::NetworkError(_) => true,
    }
}

/// `": code: message"` from an error body in any WorkOS shape, made [`printable`]; empty when
/// the body says nothing readable.
pub fn error_detail(body: &[u8]) -> String {
    let error: ApiErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let code = error.code_or_error();
    let message = error
        .error_description
        .as_deref()
        .or(error.message.as_deref());
    match (code, message) {
        (Some(code), Some(message)) => {
            format!(": {}: {}", printable(code), printable(message))
        }
        (Some(text), None) | (None, Some(text)) => format!(": {}", printable(text)),
        (None, None) => String::new(),
    }
}

/// Server-supplied text made safe for a terminal: control characters (escape sequences,
/// newlines) become spaces and the length is capped.
pub fn printable(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(MAX_MESSAGE_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(MAX_MESSAGE_CHARS).is_some() {
        out.push('…');
    }
    out
}

fn transport_message(reply: &ApiReply) -> String {
    match reply {
        ApiReply::Timeout => "WorkOS did not answer in time".to_owned(),
        ApiReply::NetworkError(error) => format!("cannot reach WorkOS: {}", printable(error)),
        ApiReply::Response { status, .. } => format!("unexpected HTTP {status} from WorkOS"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn reply(status: u16, body: Value) -> ApiReply {
        ApiReply::Response {
            status,
            retry_after: None,
            request_id: None,
            body: body.to_string().into_bytes(),
        }
    }

    fn header<'a>(request: &'a ApiRequest, name: &str) -> Option<&'a str> {
        request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn device_authorization_request_is_public() {
        let request = device_authorization_request("https://api.workos.com/", "client_1");
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.url,
            "https://api.workos.com/user_management/authorize/device"
        );
        assert_eq!(request.body, Some(json!({ "client_id": "client_1" })));
        assert_eq!(header(&request, "content-type"), Some("application/json"));
        assert_eq!(header(&request, "authorization"), None);
    }

    #[test]
    fn device_code_grant_request_shape() {
        let request = device_code_grant_request("http://127.0.0.1:9", "client_1", "dc_secret");
        assert_eq!(
            request.url,
            "http://127.0.0.1:9/user_management/authenticate"
        );
        assert_eq!(
            request.body,
            Some(json!({
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                "device_code": "dc_secret",
                "client_id": "client_1",
            }))
        );
        assert_eq!(header(&request, "authorization"), None);
        assert!(!format!("{request:?}").contains("dc_secret"));
    }

    #[test]
    fn device_authorization_reply_parses_and_hides_the_code() {
        let ok = reply(
            200,
            json!({
                "device_code": "dc_secret",
                "user_code": "ABCD-EFGH",
                "verification_uri": "https://auth.example/device",
                "verification_uri_complete": "https://auth.example/device?user_code=ABCD-EFGH",
                "expires_in": 300,
                "interval": 5,
            }),
        );
        let auth = DeviceAuthorization::from_reply(&ok).unwrap();
        assert_eq!(auth.user_code, "ABCD-EFGH");
        assert_eq!(auth.expires_in, 300);
        assert_eq!(auth.poll_interval_seconds(), 5);
        assert!(!format!("{auth:?}").contains("dc_secret"));

        let minimal = reply(
            200,
            json!({
                "device_code": "d", "user_code": "u",
                "verification_uri": "https://x", "expires_in": 1,
            }),
        );
        let auth = DeviceAuthorization::from_reply(&minimal).unwrap();
        assert_eq!(auth.verification_uri_complete, None);
        assert_eq!(auth.poll_interval_seconds(), 5);

        let zero = reply(
            200,
            json!({
                "device_code": "d", "user_code": "u",
                "verification_uri": "https://x", "expires_in": 1, "interval": 0,
            }),
        );
        let auth = DeviceAuthorization::from_reply(&zero).unwrap();
        assert_eq!(auth.poll_interval_seconds(), 1);
    }

    #[test]
    fn device_authorization_errors_are_readable() {
        let refused = reply(
            401,
            json!({ "code": "unauthorized", "message": "Unauthorized" }),
        );
        assert_eq!(
            DeviceAuthorization::from_reply(&refused).unwrap_err(),
            "WorkOS refused to start the sign-in (HTTP 401: unauthorized: Unauthorized)"
        );
        let garbage = reply(200, json!({ "device_code": 3 }));
        assert!(DeviceAuthorization::from_reply(&garbage).is_err());
        assert_eq!(
            DeviceAuthorization::from_reply(&ApiReply::Timeout).unwrap_err(),
            "WorkOS did not answer in time"
        );
    }

    #[test]
    fn success_is_authenticated() {
        let ok = reply(
            200,
            json!({
                "user": { "object": "user", "id": "user_1", "email": "ada@example.com" },
                "organization_id": "org_1",
                "access_token": "at",
                "refresh_token": "rt",
            }),
        );
        match classify_device_poll(&ok) {
            DevicePoll::Authenticated(response) => {
                assert_eq!(response.user.id, "user_1");
                assert_eq!(response.organization_id.as_deref(), Some("org_1"));
                assert_eq!(response.refresh_token, "rt");
            }
            other => panic!("{other:?}"),
        }
        let broken = reply(200, json!({ "access_token": "at_secret" }));
        match classify_device_poll(&broken) {
            DevicePoll::Failed(message) => assert!(!message.contains("at_secret")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn oauth_and_emulator_error_shapes_both_classify() {
        let cases = [
            ("authorization_pending", DevicePoll::Pending),
            ("slow_down", DevicePoll::SlowDown),
            ("access_denied", DevicePoll::Denied),
            ("expired_token", DevicePoll::Expired),
        ];
        for (code, expected) in cases {
            let oauth = reply(400, json!({ "error": code, "error_description": "x" }));
            assert_eq!(classify_device_poll(&oauth), expected, "{code} (oauth)");
            let emulator = reply(400, json!({ "code": code, "message": "x" }));
            assert_eq!(
                classify_device_poll(&emulator),
                expected,
                "{code} (emulator)"
            );
        }
        // A generic `code` next to a specific `error` still classifies.
        let both = reply(
            400,
            json!({ "code": "invalid_request", "error": "authorization_pending" }),
        );
        assert_eq!(classify_device_poll(&both), DevicePoll::Pending);
    }

    #[test]
    fn other_errors_fail_with_a_clean_message() {
        let invalid = reply(
            400,
            json!({ "code": "invalid_grant", "message": "Invalid device code" }),
        );
        assert_eq!(
            classify_device_poll(&invalid),
            DevicePoll::Failed(
                "WorkOS refused the sign-in (HTTP 400: invalid_grant: Invalid device code)".into()
            )
        );
        let html = ApiReply::Response {
            status: 502,
            retry_after: None,
            request_id: None,
            body: b"<html>bad gateway</html>".to_vec(),
        };
        assert_eq!(
            classify_device_poll(&html),
            DevicePoll::Failed("WorkOS refused the sign-in (HTTP 502)".into())
        );
        assert_eq!(
            classify_device_poll(&ApiReply::NetworkError("connection refused".into())),
            DevicePoll::Failed("cannot reach WorkOS: connection refused".into())
        );
    }

    #[test]
    fn transient_failures() {
        assert!(is_transient(&ApiReply::Timeout));
        assert!(is_transient(&ApiReply::NetworkError("reset".into())));
        assert!(is_transient(&reply(503, json!({}))));
        assert!(is_transient(&reply(429, json!({}))));
        assert!(!is_transient(&reply(400, json!({ "error": "slow_down" }))));
        assert!(!is_transient(&reply(200, json!({}))));
    }

    #[test]
    fn printable_strips_control_characters_and_caps_length() {
        assert_eq!(printable("a\x1b[31mb\nc"), "a [31mb c");
        let long = "x".repeat(1000);
        assert_eq!(printable(&long).chars().count(), MAX_MESSAGE_CHARS + 1);
        assert_eq!(error_detail(b"not json"), "");
        assert_eq!(
            error_detail(br#"{"error":"invalid_grant","error_description":"gone"}"#),
            ": invalid_grant: gone"
        );
    }
}
