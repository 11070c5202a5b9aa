//! Bearer credentials (RFC 6750): reading `Authorization: Bearer …`, telling access tokens from
//! API keys, and writing the `WWW-Authenticate` challenges clients act on.

use std::fmt::Write as _;

/// What a request's `Authorization` header presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented<'a> {
    /// No `Authorization` header, or a scheme that is not ours (Basic for the origin, say):
    /// the request is judged by its cookie, and the header goes to the origin untouched.
    Nothing,
    /// `Bearer <value>`, with a value in RFC 6750's `b64token` syntax.
    Bearer(BearerValue<'a>),
    /// `Bearer` with an empty value or characters a `b64token` cannot hold.
    MalformedBearer,
}

/// A bearer value, classified by its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerValue<'a> {
    /// Three dot-separated base64url segments: an access token (a JWT).
    Jwt(&'a str),
    /// Anything else: an organization API key.
    Opaque(&'a str),
}

impl<'a> BearerValue<'a> {
    /// The value itself (never log it).
    pub fn as_str(&self) -> &'a str {
        match self {
            Self::Jwt(value) | Self::Opaque(value) => value,
        }
    }
}

/// Bearer values longer than this are refused unread (an access token is ~1 KiB).
pub const MAX_BEARER_BYTES: usize = 8192;

/// Reads an `Authorization` header value. The scheme is case-insensitive (RFC 7235 §2.1); the
/// value must be a `b64token` (RFC 6750 §2.1: `A-Z a-z 0-9 - . _ ~ + /` then `=` padding).
pub fn parse_authorization(header: Option<&str>) -> Presented<'_> {
    let Some(header) = header else {
        return Presented::Nothing;
    };
    let header = header.trim_matches([' ', '\t']);
    let (scheme, rest) = header
        .split_once([' ', '\t'])
        .unwrap_or((header, Default::default()));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Presented::Nothing;
    }
    let value = rest.trim_start_matches([' ', '\t']);
    if value.is_empty() || value.len() > MAX_BEARER_BYTES || !is_b64token(value) {
        return Presented::MalformedBearer;
    }
    Presented::Bearer(if looks_like_jwt(value) {
        BearerValue::Jwt(value)
    } else {
        BearerValue::Opaque(value)
    })
}

fn is_b64token(value: &str) -> bool {
    let body = value.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// Whether `value` has the shape of a compact JWS: three base64url segments, the first two
/// non-empty. (An API key never contains a dot.)
pub fn looks_like_jwt(value: &str) -> bool {
    let mut segments = value.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return false;
    };
    let base64url = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    !header.is_empty()
        && !payload.is_empty()
        && base64url(header)
        && base64url(payload)
        && base64url(signature)
}

/// The error codes of RFC 6750 §3.1 that a resource server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerError {
    /// The credential is expired, revoked, malformed or otherwise not valid.
    InvalidToken,
    /// The credential is valid but does not grant what the resource requires.
    InsufficientScope,
}

impl BearerError {
    /// The code as it appears in the challenge and JSON bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
        }
    }
}

/// A `WWW-Authenticate: Bearer …` challenge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Challenge<'a> {
    /// `realm`: the host the client asked for.
    pub realm: &'a str,
    /// RFC 9728 `resource_metadata`: where the protected-resource metadata lives.
    pub resource_metadata: Option<&'a str>,
    /// The error, when a credential was presented and refused.
    pub error: Option<BearerError>,
    /// A short human-readable `error_description`.
    pub error_description: Option<&'a str>,
    /// `scope`: what the resource needs (for `insufficient_scope`).
    pub scope: Option<&'a str>,
}

impl Challenge<'_> {
    /// The header value. Parameter values are quoted strings; characters a quoted string may
    /// not hold (controls, non-ASCII, and `"`/`\` in the error description, which RFC 6750
    /// restricts) are dropped rather than escaped, so any client parser reads it.
    pub fn header_value(&self) -> String {
        let mut out = String::from("Bearer");
        let mut params: Vec<(&str, &str)> = vec![("realm", self.realm)];
        if let Some(url) = self.resource_metadata {
            params.push(("resource_metadata", url));
        }
        if let Some(error) = self.error {
            params.push(("error", error.as_str()));
        }
        if let Some(description) = self.error_description {
            params.push(("error_description", description));
        }
        if let Some(scope) = self.scope {
            params.push(("scope", scope));
        }
        for (index, (name, value)) in params.into_iter().enumerate() {
            let separator = if index == 0 { " " } else { ", " };
            let _ = write!(out, "{separator}{name}=\"{}\"", quotable(value));
        }
        out
    }
}

/// `value` restricted to the characters RFC 6750 allows in its quoted parameters
/// (`%x20-21 / %x23-5B / %x5D-7E`).
fn quotable(value: &str) -> String {
    value
        .chars()
        .filter(|c| matches!(*c, ' '..='~') && *c != '"' && *c != '\\')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln";

    #[test]
    fn reads_the_bearer_scheme_in_any_case() {
        for header in [
            format!("Bearer {JWT}"),
            format!("bearer {JWT}"),
            format!("BEARER   {JWT} "),
        ] {
            assert_eq!(
                parse_authorization(Some(&header)),
                Presented::Bearer(BearerValue::Jwt(JWT)),
                "{header}"
            );
        }
        assert_eq!(
            parse_authorization(Some("Bearer sk_live_abc123")),
            Presented::Bearer(BearerValue::Opaque("sk_live_abc123"))
        );
    }

    #[test]
    fn other_schemes_are_not_ours() {
        assert_eq!(parse_authorization(None), Presented::Nothing);
        assert_eq!(
            parse_authorization(Some("Basic dXNlcjpwYXNz")),
            Presented::Nothing
        );
        assert_eq!(parse_authorization(Some("Bearerx abc")), Presented::Nothing);
        assert_eq!(parse_authorization(Some("")), Presented::Nothing);
    }

    #[test]
    fn malformed_bearer_values_are_refused() {
        let long = format!("Bearer {}", "a".repeat(MAX_BEARER_BYTES + 1));
        for header in [
            "Bearer",
            "Bearer ",
            "Bearer a b",
            "Bearer a,b",
            "Bearer \"quoted\"",
            "Bearer ===",
            "Bearer é",
            long.as_str(),
        ] {
            assert_eq!(
                parse_authorization(Some(header)),
                Presented::MalformedBearer,
                "{header:.40}"
            );
        }
    }

    #[test]
    fn jwt_shape() {
        assert!(looks_like_jwt(JWT));
        // `alg: none` tokens have an empty signature: still a JWT, refused later.
        assert!(looks_like_jwt("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0."));
        assert!(!looks_like_jwt("a.b"));
        assert!(!looks_like_jwt("a.b.c.d"));
        assert!(!looks_like_jwt(".b.c"));
        assert!(!looks_like_jwt("a+.b.c"));
        assert!(!looks_like_jwt("sk_test_123"));
    }

    #[test]
    fn challenges() {
        let plain = Challenge {
            realm: "app.example.com",
            ..Default::default()
        };
        assert_eq!(plain.header_value(), "Bearer realm=\"app.example.com\"");
        let full = Challenge {
            realm: "app.example.com",
            resource_metadata: Some("https://app.example.com/.well-known/oauth-protected-resource"),
            error: Some(BearerError::InsufficientScope),
            error_description: Some("requires \"permission:reports:read\"\n"),
            scope: Some("reports:read"),
        };
        assert_eq!(
            full.header_value(),
            "Bearer realm=\"app.example.com\", \
             resource_metadata=\"https://app.example.com/.well-known/oauth-protected-resource\", \
             error=\"insufficient_scope\", error_description=\"requires permission:reports:read\", \
             scope=\"reports:read\""
        );
    }
}
