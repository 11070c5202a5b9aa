//! CORS for browser traffic that is not a navigation (`CORS_ALLOWED_ORIGINS`).
//!
//! Browsers send preflights (`OPTIONS` with `Access-Control-Request-Method`) without cookies,
//! so a gateway that asks them for a session fails every cross-origin call with credentials.
//! The edge answers preflights itself from an allow-list of exact origins, and marks the
//! responses to allowed origins (`Access-Control-Allow-Origin: <origin>` with credentials);
//! anything else gets no CORS headers, which the browser enforces.

/// An allow-list that cannot be used; the text says why (never quoting more than the entry).
pub type CorsConfigError = String;

/// How long browsers may cache a preflight answer (seconds); Chromium caps at 7200.
pub const PREFLIGHT_MAX_AGE: u32 = 600;

/// Parses `CORS_ALLOWED_ORIGINS`: comma-separated `scheme://host[:port]` origins, compared
/// exactly (lower-cased). `*` is refused: with credentials browsers ignore it, and reflecting
/// any origin would let every site read signed-in responses.
pub fn parse_allowed_origins(text: &str) -> Result<Vec<String>, CorsConfigError> {
    let mut origins = Vec::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        if entry == "*" {
            return Err("`*` is not allowed: list each origin (https://app.example.com)".into());
        }
        let origin = entry.trim_end_matches('/').to_ascii_lowercase();
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        let well_formed = rest.is_some_and(|host| {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        });
        if !well_formed {
            return Err(format!(
                "entry {} is not an origin such as https://app.example.com",
                origins.len() + 1
            ));
        }
        origins.push(origin);
    }
    Ok(origins)
}

/// The allowed origin matching a request's `Origin` header, as the browser spelled it.
pub fn allowed_origin<'a>(allowed: &[String], origin: Option<&'a str>) -> Option<&'a str> {
    let origin = origin?;
    allowed
        .iter()
        .any(|a| a.eq_ignore_ascii_case(origin))
        .then_some(origin)
}

/// Whether a request is a CORS preflight.
pub fn is_preflight(method: &str, request_method: Option<&str>) -> bool {
    method.eq_ignore_ascii_case("OPTIONS") && request_method.is_some()
}

/// The headers answering a preflight from an allowed `origin`, or `None` when what it asks
/// for is not a method token and a list of header names (then it gets no CORS headers).
pub fn preflight_headers(
    origin: &str,
    request_method: &str,
    request_headers: Option<&str>,
) -> Option<Vec<(&'static str, String)>> {
    if !is_token(request_method) {
        return None;
    }
    let mut headers = vec![
        ("Access-Control-Allow-Origin", origin.to_owned()),
        ("Access-Control-Allow-Credentials", "true".to_owned()),
        ("Access-Control-Allow-Methods", request_method.to_owned()),
        ("Access-Control-Max-Age", PREFLIGHT_MAX_AGE.to_string()),
        (
            "Vary",
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers".to_owned(),
        ),
    ];
    if let Some(list) = request_headers.map(str::trim).filter(|l| !l.is_empty()) {
        let names: Vec<&str> = list.split(',').map(str::trim).collect();
        if !names.iter().all(|name| is_token(name)) {
            return None;
        }
        headers.push(("Access-Control-Allow-Headers", names.join(", ")));
    }
    Some(headers)
}

/// RFC 9110 `token`.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 256
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_are_exact_origins() {
        let allowed =
            parse_allowed_origins(" https://App.example.com/ , http://localhost:5173").unwrap();
        assert_eq!(
            allowed,
            ["https://app.example.com", "http://localhost:5173"]
        );
        assert_eq!(
            allowed_origin(&allowed, Some("https://app.example.com")),
            Some("https://app.example.com")
        );
        assert_eq!(
            allowed_origin(&allowed, Some("https://app.example.com.evil.io")),
            None
        );
        assert_eq!(
            allowed_origin(&allowed, Some("http://app.example.com")),
            None
        );
        assert_eq!(allowed_origin(&allowed, Some("null")), None);
        assert_eq!(allowed_origin(&allowed, None), None);
        for bad in [
            "*",
            "app.example.com",
            "https://",
            "https://a.com/path",
            "ftp://a.com",
        ] {
            assert!(parse_allowed_origins(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_allowed_origins("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn preflights_echo_what_was_asked_when_it_is_well_formed() {
        assert!(is_preflight("OPTIONS", Some("PUT")));
        assert!(!is_preflight("OPTIONS", None));
        assert!(!is_preflight("GET", Some("PUT")));
        let headers =
            preflight_headers("https://a.com", "PUT", Some("content-type, x-csrf")).unwrap();
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("Access-Control-Allow-Origin"), Some("https://a.com"));
        assert_eq!(get("Access-Control-Allow-Credentials"), Some("true"));
        assert_eq!(get("Access-Control-Allow-Methods"), Some("PUT"));
        assert_eq!(
            get("Access-Control-Allow-Headers"),
            Some("content-type, x-csrf")
        );
        assert!(preflight_headers("https://a.com", "PU T", None).is_none());
        assert!(preflight_headers("https://a.com", "GET", Some("a\r\nb")).is_none());
    }
}
