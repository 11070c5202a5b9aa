//! Route rules: paths that need more than a session (an organization, a role, a permission).

use std::fmt;

use super::glob::PathGlob;
use crate::jwt::AccessTokenClaims;

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
    /// Paths the rule covers (ASCII case-insensitively: a rule errs towards asking for more).
    pub glob: PathGlob,
    /// Requirements, all of which must be met.
    pub requires: Vec<Requirement>,
}

/// Parses `ROUTE_RULES`: `;`-separated `GLOB=KIND:VALUE[,KIND:VALUE...]` with KIND one of
/// `organization`, `role`, `permission`. Example:
/// `/admin/*=role:admin; /reports/*=permission:reports:read`.
///
/// Errors name the rule by position, never quote it: the text is a setting, and error pages
/// must not echo settings.
pub fn parse_route_rules(text: &str) -> Result<Vec<RouteRule>, String> {
    let mut rules = Vec::new();
    for (index, rule) in text
        .split(';')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .enumerate()
    {
        let number = index + 1;
        let (glob, requirements) = rule
            .split_once('=')
            .ok_or_else(|| format!("rule {number} has no '=' (GLOB=KIND:VALUE)"))?;
        let requires = requirements
            .split(',')
            .map(str::trim)
            .map(|req| match req.split_once(':') {
                Some(("organization", v)) if !v.is_empty() => {
                    Ok(Requirement::Organization(v.to_owned()))
                }
                Some(("role", v)) if !v.is_empty() => Ok(Requirement::Role(v.to_owned())),
                Some(("permission", v)) if !v.is_empty() => {
                    Ok(Requirement::Permission(v.to_owned()))
                }
                _ => Err(format!(
                    "rule {number}: each requirement must be organization:X, role:X or permission:X"
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        rules.push(RouteRule {
            glob: PathGlob::new_case_insensitive(glob),
            requires,
        });
    }
    Ok(rules)
}

impl RouteRule {
    /// Whether the rule covers `path`: ASCII case-insensitively, and with or without a
    /// trailing `/` (most routers serve `/admin/` as `/admin`, so a rule on `/admin` must
    /// cover both).
    pub fn covers(&self, path: &str) -> bool {
        let trimmed = path.trim_end_matches('/');
        self.glob.matches(path) || (!trimmed.is_empty() && self.glob.matches(trimmed))
    }
}

/// Whether any rule covers `path` (such a path always needs a session, even when a public
/// glob matches it too).
pub fn any_rule_covers(rules: &[RouteRule], path: &str) -> bool {
    rules.iter().any(|rule| rule.covers(path))
}

/// The first requirement of the first matching rule that the claims do not meet.
pub fn unmet_requirement<'a>(
    rules: &'a [RouteRule],
    path: &str,
    claims: &AccessTokenClaims,
) -> Option<&'a Requirement> {
    rules
        .iter()
        .filter(|rule| rule.covers(path))
        .flat_map(|rule| rule.requires.iter())
        .find(|req| !req.is_met_by(claims))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            unmet_requirement(&rules, "/ADMIN/x", &claims),
            Some(&Requirement::Role("admin".into()))
        );
        claims.permissions = Some(vec!["reports:read".into()]);
        claims.org_id = Some("org_1".into());
        assert_eq!(unmet_requirement(&rules, "/reports/q", &claims), None);
    }

    #[test]
    fn trailing_slashes_do_not_dodge_a_rule() {
        let rules = parse_route_rules("/admin=role:admin; /api/v1=role:api").unwrap();
        let claims = AccessTokenClaims::default();
        for path in ["/admin", "/admin/", "/ADMIN//", "/api/v1/"] {
            assert!(unmet_requirement(&rules, path, &claims).is_some(), "{path}");
            assert!(any_rule_covers(&rules, path), "{path}");
        }
        assert!(!any_rule_covers(&rules, "/"));
        assert!(!any_rule_covers(&rules, "/admins"));
    }

    #[test]
    fn errors_never_quote_the_setting() {
        for bad in ["secret-value-xyz", "/x=colour:secret-value-xyz", "/x=role:"] {
            let err = parse_route_rules(bad).unwrap_err();
            assert!(!err.contains("secret-value-xyz"), "{err}");
            assert!(err.starts_with("rule 1"), "{err}");
        }
    }
}
