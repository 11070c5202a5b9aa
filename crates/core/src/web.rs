//! HTTP details every host needs and none should get wrong: reading and rewriting `Cookie`
//! headers, writing `Set-Cookie`, keeping `returnTo` on our origin, matching path globs and
//! the route rules that guard paths by organization, role or permission.

use std::fmt;

use crate::jwt::AccessTokenClaims;

/// The value of cookie `name` in a `Cookie` request header (the first one, as browsers send the
/// most specific first).
pub fn cookie_value<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key.trim() == name).then(|| value.trim().trim_matches('"'))
    })
}

/// The `Cookie` header with cookie `name` set to `value` (replaced where it was, appended
/// otherwise) and any other cookie of that name dropped; `None` removes it.
pub fn rewrite_cookie_header(cookie_header: &str, name: &str, value: Option<&str>) -> String {
    let mut pairs: Vec<String> = Vec::new();
    let mut placed = false;
    for pair in cookie_header
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let key = pair.split_once('=').map_or(pair, |(k, _)| k).trim();
        if key != name {
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

impl CookieAttributes {
    /// `Set-Cookie` header value setting `name=value`. Always `HttpOnly`: page scripts never see
    /// session material.
    pub fn set_cookie(&self, name: &str, value: &str) -> String {
        let mut header = format!("{name}={value}; Path={}", self.path);
        if let Some(domain) = &self.domain {
            header.push_str(&format!("; Domain={domain}"));
        }
        if let Some(max_age) = self.max_age {
            header.push_str(&format!("; Max-Age={max_age}"));
        }
        header.push_str("; HttpOnly");
        if self.secure || self.same_site == SameSite::None {
            header.push_str("; Secure");
        }
        header.push_str(&format!("; SameSite={}", self.same_site.as_str()));
        header
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

/// Reduces a `returnTo` value to a path (with query and fragment) on our own origin, or `None`.
///
/// Accepts only values starting with a single `/`; refuses `//host`, `/\host`, backslashes and
/// control characters anywhere (browsers treat `\` as `/`), and percent-encoded slashes or
/// backslashes right after the first `/` (servers that decode twice would see `//host`).
pub fn safe_return_path(return_to: &str) -> Option<String> {
    let bytes = return_to.as_bytes();
    if bytes.first() != Some(&b'/') || bytes.len() > 2048 {
        return None;
    }
    if return_to.contains('\\') || return_to.chars().any(|c| c.is_control() || c == ' ') {
        return None;
    }
    let second = return_to[1..].to_ascii_lowercase();
    if second.starts_with('/') || second.starts_with("%2f") || second.starts_with("%5c") {
        return None;
    }
    Some(return_to.to_owned())
}

/// A path pattern: `*` matches within one segment, `**` (or a trailing `/*`) across segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathGlob {
    pattern: String,
}

impl PathGlob {
    /// A glob over URL paths (leading `/` added when missing).
    pub fn new(pattern: &str) -> Self {
        let pattern = pattern.trim();
        let pattern = if pattern.starts_with('/') {
            pattern.to_owned()
        } else {
            format!("/{pattern}")
        };
        Self { pattern }
    }

    /// Whether `path` matches.
    pub fn matches(&self, path: &str) -> bool {
        if let Some(prefix) = self.pattern.strip_suffix("/*") {
            // `/reports/*` covers `/reports` itself and everything below it: a rule must not be
            // dodged by leaving out the trailing slash (an origin may serve both).
            if !prefix.contains('*') {
                return path == prefix
                    || (path.starts_with(prefix) && path[prefix.len()..].starts_with('/'));
            }
        }
        glob_match(self.pattern.as_bytes(), path.as_bytes())
    }
}

impl fmt::Display for PathGlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    match pattern {
        [] => text.is_empty(),
        [b'*', b'*', rest @ ..] => (0..=text.len()).any(|i| glob_match(rest, &text[i..])),
        [b'*', rest @ ..] => {
            let segment_end = text.iter().position(|&c| c == b'/').unwrap_or(text.len());
            (0..=segment_end).any(|i| glob_match(rest, &text[i..]))
        }
        [p, rest @ ..] => text.first() == Some(p) && glob_match(rest, &text[1..]),
    }
}

/// Parses a comma-separated glob list (`PUBLIC_PATHS`).
pub fn parse_globs(list: &str) -> Vec<PathGlob> {
    list.split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(PathGlob::new)
        .collect()
}

/// What a guarded path requires of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// The session must be scoped to this organization.
    Organization(String),
    /// The token's `role` (or one of `roles`) must be this.
    Role(String),
    /// The token's `permissions` must include this.
    Permission(String),
}

impl Requirement {
    /// Whether the claims satisfy this requirement.
    pub fn is_met_by(&self, claims: &AccessTokenClaims) -> bool {
        match self {
            Self::Organization(org) => claims.org_id.as_deref() == Some(org),
            Self::Role(role) => {
                claims.role.as_deref() == Some(role)
                    || claims.roles.as_ref().is_some_and(|r| r.contains(role))
            }
            Self::Permission(p) => claims.permissions.as_ref().is_some_and(|ps| ps.contains(p)),
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Organization(o) => write!(f, "organization:{o}"),
            Self::Role(r) => write!(f, "role:{r}"),
            Self::Permission(p) => write!(f, "permission:{p}"),
        }
    }
}

/// A path glob and what it requires (every requirement must hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRule {
    /// Paths the rule covers.
    pub glob: PathGlob,
    /// Requirements, all of which must be met.
    pub requires: Vec<Requirement>,
}

/// Parses `ROUTE_RULES`: `;`-separated `GLOB=KIND:VALUE[,KIND:VALUE...]` with KIND one of
/// `organization`, `role`, `permission`. Example:
/// `/admin/*=role:admin; /reports/*=permission:reports:read`.
pub fn parse_route_rules(text: &str) -> Result<Vec<RouteRule>, String> {
    let mut rules = Vec::new();
    for rule in text.split(';').map(str::trim).filter(|r| !r.is_empty()) {
        let (glob, requirements) = rule
            .split_once('=')
            .ok_or_else(|| format!("rule {rule:?} has no '='"))?;
        let requires = requirements
            .split(',')
            .map(str::trim)
            .map(|req| match req.split_once(':') {
                Some(("organization", v)) => Ok(Requirement::Organization(v.to_owned())),
                Some(("role", v)) => Ok(Requirement::Role(v.to_owned())),
                Some(("permission", v)) => Ok(Requirement::Permission(v.to_owned())),
                _ => Err(format!(
                    "requirement {req:?} must be organization:, role: or permission:"
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        rules.push(RouteRule {
            glob: PathGlob::new(glob),
            requires,
        });
    }
    Ok(rules)
}

/// The first requirement of the first matching rule that the claims do not meet.
pub fn unmet_requirement<'a>(
    rules: &'a [RouteRule],
    path: &str,
    claims: &AccessTokenClaims,
) -> Option<&'a Requirement> {
    rules
        .iter()
        .filter(|rule| rule.glob.matches(path))
        .flat_map(|rule| rule.requires.iter())
        .find(|req| !req.is_met_by(claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_rewrites_cookie_headers() {
        let header = "a=1; wos-session=old; b=2";
        assert_eq!(cookie_value(header, "wos-session"), Some("old"));
        assert_eq!(cookie_value(header, "session"), None);
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
            path: "/".into(),
            domain: None,
            max_age: Some(60),
            same_site: SameSite::None,
            secure: false,
        };
        assert_eq!(
            attrs.set_cookie("n", "v"),
            "n=v; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=None"
        );
        assert!(attrs.clear_cookie("n").contains("Max-Age=0"));
    }

    #[test]
    fn return_paths_stay_on_the_origin() {
        for ok in ["/", "/dashboard?tab=1", "/a/b#c", "/%2e%2e/x"] {
            assert_eq!(safe_return_path(ok).as_deref(), Some(ok), "{ok}");
        }
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil",
            "/%2fevil.example",
            "/%2F%2Fevil",
            "/%5cevil",
            "javascript:alert(1)",
            "evil",
            "",
            "/\t/evil",
            "/ /evil",
        ] {
            assert_eq!(safe_return_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn globs() {
        assert!(PathGlob::new("/").matches("/"));
        assert!(!PathGlob::new("/").matches("/x"));
        assert!(PathGlob::new("/assets/*").matches("/assets/app/main.js"));
        assert!(!PathGlob::new("/assets/*").matches("/assetsx/a"));
        assert!(PathGlob::new("/reports/*").matches("/reports"));
        assert!(PathGlob::new("/reports/*").matches("/reports/"));
        assert!(PathGlob::new("/*.css").matches("/site.css"));
        assert!(!PathGlob::new("/*.css").matches("/a/site.css"));
        assert!(PathGlob::new("/docs/**").matches("/docs/a/b"));
    }

    #[test]
    fn route_rules() {
        let rules = parse_route_rules(
            "/admin/*=role:admin; /reports/*=permission:reports:read,organization:org_1",
        )
        .unwrap();
        let mut claims = AccessTokenClaims {
            role: Some("member".into()),
            ..Default::default()
        };
        assert_eq!(
            unmet_requirement(&rules, "/admin/x", &claims),
            Some(&Requirement::Role("admin".into()))
        );
        claims.permissions = Some(vec!["reports:read".into()]);
        claims.org_id = Some("org_1".into());
        assert_eq!(unmet_requirement(&rules, "/reports/q", &claims), None);
        assert!(parse_route_rules("/x=colour:blue").is_err());
    }
}
