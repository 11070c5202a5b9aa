//! Settings from `[vars]` and secrets, named as authkit-nextjs names them, checked once per
//! request (they are cheap to read) so a missing one names itself on the first request.

use std::fmt;

use worker::{Env, ObjectNamespace};
use workos_edge_core::api::DEFAULT_API_BASE_URL;
use workos_edge_core::web::{
    parse_globs, parse_route_rules, CookieAttributes, PathGlob, RouteRule, SameSite,
};
use workos_edge_core::PasswordSet;

/// authkit-nextjs's default cookie lifetime: 400 days, the most browsers allow.
const DEFAULT_COOKIE_MAX_AGE: u64 = 400 * 24 * 60 * 60;
/// Refresh when the access token has less than this left (authkit-nextjs uses 60 s).
const DEFAULT_REFRESH_BUFFER_SECONDS: u64 = 60;

/// A setting that is missing or unusable. Carries the setting's name, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable name (`WORKOS_COOKIE_PASSWORD`...).
    pub setting: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting, self.problem)
    }
}

/// Everything the gateway needs to know about its deployment.
pub struct Config {
    /// `WORKOS_CLIENT_ID`.
    pub client_id: String,
    /// `WORKOS_API_KEY` (secret).
    pub api_key: String,
    /// `WORKOS_COOKIE_PASSWORD` (secret, ≥ 32 characters).
    pub passwords: PasswordSet,
    /// `WORKOS_REDIRECT_URI`; `None` means this host's `/auth/callback`.
    pub redirect_uri: Option<String>,
    /// `WORKOS_API_BASE_URL`.
    pub api_base_url: String,
    /// `WORKOS_COOKIE_NAME`.
    pub cookie_name: String,
    /// `WORKOS_COOKIE_DOMAIN`, `WORKOS_COOKIE_MAX_AGE`, `WORKOS_COOKIE_SAMESITE`.
    pub cookie: CookieAttributes,
    /// `ORIGIN_URL`; `None` serves `www/` through the `ASSETS` binding.
    pub origin_url: Option<String>,
    /// `PUBLIC_PATHS`.
    pub public_paths: Vec<PathGlob>,
    /// `ROUTE_RULES`.
    pub route_rules: Vec<RouteRule>,
    /// `REFRESH_BUFFER_SECONDS`.
    pub refresh_buffer_seconds: u64,
    /// `JWT_LEEWAY_SECONDS`.
    pub jwt_leeway_seconds: u64,
    /// `WORKOS_ISSUER` (optional, comma-separated).
    pub issuers: Vec<String>,
    /// The `REFRESH_COORDINATOR` Durable Object binding, when configured.
    pub refresh_coordinator: Option<ObjectNamespace>,
}

impl Config {
    /// Reads and checks every setting. `secure` is whether the site is served over https.
    pub fn from_env(env: &Env, secure_request: bool) -> Result<Self, ConfigError> {
        let client_id = required(env, "WORKOS_CLIENT_ID")?;
        let api_key = required(env, "WORKOS_API_KEY")?;
        let password = required(env, "WORKOS_COOKIE_PASSWORD")?;
        let passwords = PasswordSet::single(password).map_err(|_| ConfigError {
            setting: "WORKOS_COOKIE_PASSWORD",
            problem: "must be at least 32 characters (generate one with `openssl rand -base64 32`)"
                .into(),
        })?;
        let redirect_uri = optional(env, "WORKOS_REDIRECT_URI");
        let same_site = match optional(env, "WORKOS_COOKIE_SAMESITE") {
            None => SameSite::Lax,
            Some(text) => SameSite::parse(&text).ok_or(ConfigError {
                setting: "WORKOS_COOKIE_SAMESITE",
                problem: "must be lax, strict or none".into(),
            })?,
        };
        // Secure whenever the callback is https, as authkit-nextjs infers it.
        let secure = redirect_uri
            .as_deref()
            .map_or(secure_request, |uri| uri.starts_with("https:"));
        let cookie = CookieAttributes {
            path: "/".into(),
            domain: optional(env, "WORKOS_COOKIE_DOMAIN"),
            max_age: Some(number(
                env,
                "WORKOS_COOKIE_MAX_AGE",
                DEFAULT_COOKIE_MAX_AGE,
            )?),
            same_site,
            secure,
        };
        let route_rules = parse_route_rules(&optional(env, "ROUTE_RULES").unwrap_or_default())
            .map_err(|problem| ConfigError {
                setting: "ROUTE_RULES",
                problem,
            })?;
        let origin_url = optional(env, "ORIGIN_URL").map(|u| u.trim_end_matches('/').to_owned());
        if let Some(origin) = &origin_url {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) {
                return Err(ConfigError {
                    setting: "ORIGIN_URL",
                    problem: "must be an http(s) URL".into(),
                });
            }
        }
        Ok(Self {
            client_id,
            api_key,
            passwords,
            redirect_uri,
            api_base_url: optional(env, "WORKOS_API_BASE_URL")
                .unwrap_or_else(|| DEFAULT_API_BASE_URL.to_owned())
                .trim_end_matches('/')
                .to_owned(),
            cookie_name: optional(env, "WORKOS_COOKIE_NAME")
                .unwrap_or_else(|| "wos-session".into()),
            cookie,
            origin_url,
            public_paths: parse_globs(&optional(env, "PUBLIC_PATHS").unwrap_or_default()),
            route_rules,
            refresh_buffer_seconds: number(
                env,
                "REFRESH_BUFFER_SECONDS",
                DEFAULT_REFRESH_BUFFER_SECONDS,
            )?,
            jwt_leeway_seconds: number(env, "JWT_LEEWAY_SECONDS", 0)?,
            issuers: optional(env, "WORKOS_ISSUER")
                .map(|list| {
                    list.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            refresh_coordinator: env.durable_object("REFRESH_COORDINATOR").ok(),
        })
    }

    /// Whether `path` needs no session.
    pub fn is_public(&self, path: &str) -> bool {
        self.public_paths.iter().any(|glob| glob.matches(path))
    }
}

/// A string binding, whether it was declared as a var or a secret.
fn optional(env: &Env, name: &str) -> Option<String> {
    let value = env
        .secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()?;
    let value = value.trim().to_owned();
    (!value.is_empty()).then_some(value)
}

fn required(env: &Env, name: &'static str) -> Result<String, ConfigError> {
    optional(env, name).ok_or(ConfigError {
        setting: name,
        problem: "is not set".into(),
    })
}

fn number(env: &Env, name: &'static str, default: u64) -> Result<u64, ConfigError> {
    match optional(env, name) {
        None => Ok(default),
        Some(text) => text.parse().map_err(|_| ConfigError {
            setting: name,
            problem: "must be a whole number of seconds".into(),
        }),
    }
}
