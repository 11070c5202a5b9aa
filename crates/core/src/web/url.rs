//! The parts of a request URL the gateway needs, read from the URL as the runtime serialised
//! it (WHATWG), without parsing it again: a full URL parser (and its IDNA tables) on every
//! request costs time and bundle size, and the runtime has already normalised the URL.

/// The pieces of a serialised `http(s)` request URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// `scheme://host[:port]`.
    pub origin: &'a str,
    /// The host, without port (IPv6 hosts keep their brackets).
    pub host: &'a str,
    /// The path as sent (not normalised).
    pub path: &'a str,
    /// The query without `?`, if there is one.
    pub query: Option<&'a str>,
}

/// Splits a WHATWG-serialised absolute URL. `None` when it is not of the form
/// `scheme://host[:port]/path…` (a runtime never hands a request such a URL).
pub fn url_parts(url: &str) -> Option<UrlParts<'_>> {
    let without_fragment = url.split_once('#').map_or(url, |(before, _)| before);
    let (before_query, query) = match without_fragment.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (without_fragment, None),
    };
    let scheme_end = before_query.find("://")?;
    let authority_start = scheme_end + 3;
    let rest = before_query.get(authority_start..)?;
    let path_start = rest.find('/').unwrap_or(rest.len());
    let authority = rest.get(..path_start)?;
    let origin = before_query.get(..authority_start + path_start)?;
    let path = match rest.get(path_start..)? {
        "" => "/",
        path => path,
    };
    // Credentials in a request URL are never sent by browsers; such a URL is refused rather
    // than given an origin that would include them.
    if authority.contains('@') {
        return None;
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port))
            if !authority.ends_with(']') && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            host
        }
        _ => authority,
    };
    if host.is_empty() {
        return None;
    }
    Some(UrlParts {
        origin,
        host,
        path,
        query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_what_runtimes_serialise() {
        let parts = url_parts("https://app.example.com/a/b?x=1&y=%2F#frag").unwrap();
        assert_eq!(parts.origin, "https://app.example.com");
        assert_eq!(parts.host, "app.example.com");
        assert_eq!(parts.path, "/a/b");
        assert_eq!(parts.query, Some("x=1&y=%2F"));

        let local = url_parts("http://127.0.0.1:8787/").unwrap();
        assert_eq!(local.origin, "http://127.0.0.1:8787");
        assert_eq!(local.host, "127.0.0.1");
        assert_eq!(local.query, None);

        let v6 = url_parts("http://[::1]:8787/x?").unwrap();
        assert_eq!(v6.host, "[::1]");
        assert_eq!(v6.query, Some(""));
        assert_eq!(url_parts("http://[::1]/").unwrap().host, "[::1]");
        assert_eq!(url_parts("https://example.com").unwrap().path, "/");
        assert_eq!(url_parts("/relative"), None);
        assert_eq!(url_parts("http:///x"), None);
        assert_eq!(url_parts("http://user:pw@host.example:81/a?b#c"), None);
    }

    #[test]
    fn agrees_with_a_full_parser() {
        for input in [
            "https://app.example.com/",
            "https://app.example.com:8443/p/q?r=s",
            "http://xn--bcher-kva.example/%C3%A9?%20",
            "http://[2001:db8::1]:8080/x",
        ] {
            let full = ::url::Url::parse(input).unwrap();
            let parts = url_parts(full.as_str()).unwrap();
            assert_eq!(parts.origin, full.origin().ascii_serialization(), "{input}");
            assert_eq!(parts.path, full.path(), "{input}");
            assert_eq!(parts.query, full.query(), "{input}");
            assert_eq!(parts.host, full.host_str().unwrap(), "{input}");
        }
    }
}
