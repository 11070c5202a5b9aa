//! Reading and rewriting `Cookie` request headers and writing `Set-Cookie` values.

/// Browsers keep a cookie only when its whole `Set-Cookie` line (name, value and attributes)
/// fits in this many bytes; a longer one is dropped without a word, which would sign the user
/// out in a loop (RFC 6265 §6.1, and what Chromium and Firefox enforce).
pub const MAX_SET_COOKIE_BYTES: usize = 4096;

/// The `name=value` pairs of a `Cookie` header, in order, names and values trimmed and a
/// quoted value unquoted. Pairs without `=` are skipped.
pub fn cookie_pairs(cookie_header: &str) -> impl Iterator<Item = (&str, &str)> {
    cookie_header.split(';').filter_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        Some((key.trim(), unquote(value.trim())))
    })
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// The value of cookie `name` in a `Cookie` request header (the first one, as browsers send the
/// most specific first).
pub fn cookie_value<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_pairs(cookie_header).find_map(|(key, value)| (key == name).then_some(value))
}

/// The `Cookie` header with cookie `name` set to `value` (replaced where it was, appended
/// otherwise) and any other cookie of that name dropped; `None` removes it.
pub fn rewrite_cookie_header(cookie_header: &str, name: &str, value: Option<&str>) -> String {
    replace_cookies(cookie_header, |key| key == name, name, value)
}

/// The `Cookie` header with every cookie whose name `replaced` picks dropped and, when `value`
/// is given, one `name=value` where the first of them was (appended when there was none).
pub(crate) fn replace_cookies(
    cookie_header: &str,
    replaced: impl Fn(&str) -> bool,
    name: &str,
    value: Option<&str>,
) -> String {
    let mut pairs: Vec<String> = Vec::new();
    let mut placed = false;
    for pair in cookie_header
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let key = pair.split_once('=').map_or(pair, |(k, _)| k).trim();
        if !replaced(key) {
            pairs.push(pair.to_owned());
        } else if let (Some(value), false) = (value, placed) {
            pairs.push(format!("{name}={value}"));
            placed = true;
        }
    }
    if let (Some(value), false) = (value, placed) {
        pairs.push(format!("{name}={value}"));
    }
    pairs.join("; ")
}

/// `SameSite` attribute of a cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Sent on top-level navigations from other sites (the default, as authkit-nextjs).
    Lax,
    /// Never sent from other sites.
    Strict,
    /// Always sent (requires `Secure`).
    None,
}

impl SameSite {
    /// Parses `lax`, `strict` or `none` (any case).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "lax" => Some(Self::Lax),
            "strict" => Some(Self::Strict),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Lax => "Lax",
            Self::Strict => "Strict",
            Self::None => "None",
        }
    }
}

/// Attributes of a cookie we set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieAttributes {
    /// `Path`.
    pub path: String,
    /// `Domain`, when the cookie must be shared with subdomains.
    pub domain: Option<String>,
    /// `Max-Age` in seconds; `None` makes a browser-session cookie.
    pub max_age: Option<u64>,
    /// `SameSite`.
    pub same_site: SameSite,
    /// `Secure` (forced on for `SameSite=None`).
    pub secure: bool,
}

/// Why a cookie name cannot be used with the given attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CookieNameError {
    /// Empty, or characters a cookie name may not contain (RFC 6265 token).
    Invalid,
    /// `__Host-` cookies must be `Secure`, `Path=/` and carry no `Domain`.
    HostPrefix,
    /// `__Secure-` cookies must be `Secure`.
    SecurePrefix,
}

impl std::fmt::Display for CookieNameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Invalid => "is not a valid cookie name (letters, digits and !#$%&'*+-.^_`|~)",
            Self::HostPrefix => {
                "starts with __Host-, which needs Secure cookies, Path=/ and no cookie domain"
            }
            Self::SecurePrefix => "starts with __Secure-, which needs Secure cookies",
        })
    }
}

impl CookieAttributes {
    /// Checks that browsers will accept cookie `name` with these attributes, including the
    /// rules of the `__Host-` and `__Secure-` prefixes (which browsers enforce by refusing the
    /// cookie: a sign-in loop).
    pub fn check_name(&self, name: &str) -> Result<(), CookieNameError> {
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(token) {
            return Err(CookieNameError::Invalid);
        }
        let secure = self.is_secure();
        if name.starts_with("__Host-") && !(secure && self.path == "/" && self.domain.is_none()) {
            return Err(CookieNameError::HostPrefix);
        }
        if name.starts_with("__Secure-") && !secure {
            return Err(CookieNameError::SecurePrefix);
        }
        Ok(())
    }

    fn is_secure(&self) -> bool {
        self.secure || self.same_site == SameSite::None
    }

    /// `Set-Cookie` header value setting `name=value`. Always `HttpOnly`: page scripts never see
    /// session material.
    pub fn set_cookie(&self, name: &str, value: &str) -> String {
        let mut header = format!("{name}={value}; Path={}", self.path);
        if let Some(domain) = &self.domain {
            header.push_str("; Domain=");
            header.push_str(domain);
        }
        if let Some(max_age) = self.max_age {
            header.push_str(&format!("; Max-Age={max_age}"));
        }
        header.push_str("; HttpOnly");
        if self.is_secure() {
            header.push_str("; Secure");
        }
        header.push_str("; SameSite=");
        header.push_str(self.same_site.as_str());
        header
    }

    /// [`set_cookie`](Self::set_cookie), or `Err(length)` when browsers would silently drop
    /// the cookie because the line is longer than [`MAX_SET_COOKIE_BYTES`].
    pub fn set_cookie_checked(&self, name: &str, value: &str) -> Result<String, usize> {
        let header = self.set_cookie(name, value);
        if header.len() > MAX_SET_COOKIE_BYTES {
            return Err(header.len());
        }
        Ok(header)
    }

    /// `Set-Cookie` header value deleting `name` (same path and domain, expired).
    pub fn clear_cookie(&self, name: &str) -> String {
        let expired = Self {
            max_age: Some(0),
            ..self.clone()
        };
        format!(
            "{}; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            expired.set_cookie(name, "")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes(secure: bool) -> CookieAttributes {
        CookieAttributes {
            path: "/".into(),
            domain: None,
            max_age: Some(60),
            same_site: SameSite::Lax,
            secure,
        }
    }

    #[test]
    fn reads_and_rewrites_cookie_headers() {
        let header = "a=1; wos-session=old; b=2";
        assert_eq!(cookie_value(header, "wos-session"), Some("old"));
        assert_eq!(cookie_value(header, "session"), None);
        assert_eq!(cookie_value("x=\"quoted\"", "x"), Some("quoted"));
        assert_eq!(cookie_value("x=\"", "x"), Some("\""));
        assert_eq!(cookie_value("é=1; ü", "é"), Some("1"));
        assert_eq!(
            rewrite_cookie_header(header, "wos-session", Some("new")),
            "a=1; wos-session=new; b=2"
        );
        assert_eq!(
            rewrite_cookie_header("a=1", "wos-session", Some("new")),
            "a=1; wos-session=new"
        );
        assert_eq!(
            rewrite_cookie_header(header, "wos-session", None),
            "a=1; b=2"
        );
    }

    #[test]
    fn set_cookie_attributes() {
        let attrs = CookieAttributes {
            same_site: SameSite::None,
            ..attributes(false)
        };
        assert_eq!(
            attrs.set_cookie("n", "v"),
            "n=v; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=None"
        );
        assert!(attrs.clear_cookie("n").contains("Max-Age=0"));
        assert!(!attributes(false).set_cookie("n", "v").contains("Secure"));
    }

    #[test]
    fn oversized_cookies_are_refused() {
        let attrs = attributes(true);
        assert!(attrs.set_cookie_checked("n", &"v".repeat(4000)).is_ok());
        let err = attrs
            .set_cookie_checked("n", &"v".repeat(4090))
            .unwrap_err();
        assert!(err > MAX_SET_COOKIE_BYTES);
    }

    #[test]
    fn cookie_name_prefixes() {
        assert_eq!(attributes(true).check_name("__Host-wos-session"), Ok(()));
        assert_eq!(
            attributes(false).check_name("__Host-wos-session"),
            Err(CookieNameError::HostPrefix)
        );
        let shared = CookieAttributes {
            domain: Some("example.com".into()),
            ..attributes(true)
        };
        assert_eq!(
            shared.check_name("__Host-s"),
            Err(CookieNameError::HostPrefix)
        );
        assert_eq!(shared.check_name("__Secure-s"), Ok(()));
        assert_eq!(
            attributes(false).check_name("__Secure-s"),
            Err(CookieNameError::SecurePrefix)
        );
        for bad in ["", "a b", "a;b", "a=b", "é"] {
            assert_eq!(
                attributes(true).check_name(bad),
                Err(CookieNameError::Invalid)
            );
        }
    }
}
