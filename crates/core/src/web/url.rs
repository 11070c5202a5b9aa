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

/// The first value of `key` in a query string, decoded as `application/x-www-form-urlencoded`
/// exactly as URL parsers do it (WHATWG): `+` is a space, broken escapes stay as they are and
/// bytes that are not UTF-8 become U+FFFD — never an error.
pub fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    query?
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(name, _)| form_decode_lossy(name) == key)
        .map(|(_, value)| form_decode_lossy(value))
}

fn form_decode_lossy(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|h| char::from(*h).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'+', _, _) => out.push(b' '),
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'%'));
                i += 2;
            }
            (other, _, _) => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
    fn query_params_decode_like_url_parsers() {
        let queries = [
            "returnTo=%2Fdashboard%3Fx%3D1&screenHint=sign-up",
            "a=1&a=2&b",
            "returnTo=/a+b%20c&x=%zz%4",
            "k%65y=v&key=w",
            "x=%C3%A9%FF&&=&y",
            "",
        ];
        for query in queries {
            for key in ["returnTo", "screenHint", "a", "b", "x", "key", "y", ""] {
                let expected = ::url::form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.into_owned());
                assert_eq!(query_param(Some(query), key), expected, "{query} {key}");
            }
        }
        assert_eq!(query_param(None, "a"), None);
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
