//! Settings from `[vars]` and secrets, named as authkit-nextjs names them. They are read and
//! checked once per isolate ([`Config::for_env`]): about twenty binding reads and the parsing
//! of globs and rules are not a per-request cost. A missing or bad setting is not remembered,
//! so it names itself on every request until it is fixed. Parsing is separate from the `Env`
//! so it is unit-tested natively.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use crate::runtime::bindings::{Env, ObjectNamespace};
use js_sys::Object;
use wasm_bindgen::JsValue;
use workos_edge_core::api::DEFAULT_API_BASE_URL;
use workos_edge_core::assertion::{parse_signing_keys, SigningKey};
use workos_edge_core::web::chunks::{DEFAULT_SESSION_CHUNKS, MAX_SESSION_CHUNKS};
use workos_edge_core::web::cors::parse_allowed_origins;
use workos_edge_core::web::{
    any_rule_covers, parse_globs, parse_route_rules, CookieAttributes, PathGlob, RouteRule,
    SameSite,
};
use workos_edge_core::PasswordSet;

mod settings;
#[cfg(test)]
mod tests;

use settings::Settings;

/// authkit-nextjs's default cookie lifetime: 400 days, the most browsers allow.
const DEFAULT_COOKIE_MAX_AGE: u64 = 400 * 24 * 60 * 60;
/// Refresh when the access token has less than this left (authkit-nextjs uses 60 s).
const DEFAULT_REFRESH_BUFFER_SECONDS: u64 = 60;
/// WorkOS answers in well under a second; past this the user is better served by the old
/// session (or a 503) than by a hanging page. The SDK waits 60 s.
const DEFAULT_API_TIMEOUT_MS: u64 = 8_000;
/// Longest accepted `WORKOS_API_TIMEOUT_MS`: requests waiting for a refresh wait this long
/// (plus a margin) before refreshing themselves, and a page should not hang longer.
const MAX_API_TIMEOUT_MS: u64 = 30_000;
/// How long a valid organization API key is trusted before WorkOS is asked again.
const DEFAULT_API_KEY_CACHE_SECONDS: u64 = 60;
/// A revoked key must stop working within this bound whatever the setting says.
const MAX_API_KEY_CACHE_SECONDS: u64 = 3_600;

/// How often an isolate polls the revocation list: the bound on how long a revoked session
/// still works in isolates other than the one the webhook reached.
const DEFAULT_REVOCATION_SYNC_SECONDS: u64 = 10;
/// Revocation must stay prompt whatever the setting says.
const MAX_REVOCATION_SYNC_SECONDS: u64 = 300;

/// A setting that is missing or unusable. Carries the setting's name, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable name (`WORKOS_COOKIE_PASSWORD`...).
    pub setting: &'static str,
    /// What is wrong with it (never quoting it).
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting, self.problem)
    }
}

/// Which requests get a JSON log line (`LOG_REQUESTS`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogRequests {
    /// Every request.
    All,
    /// Everything but the quiet majority: successful public requests and requests served on a
    /// session or credential as it was (no refresh, no sign-in, no error). Printing a line
    /// costs more than the gateway's own work on those.
    #[default]
    Events,
    /// None.
    Off,
}

impl LogRequests {
    /// Whether a request that ended with `status` after `decision` gets a line.
    pub fn wants(self, status: u16, decision: &str) -> bool {
        match self {
            Self::All => true,
            Self::Off => false,
            Self::Events => {
                status >= 400
                    || !matches!(
                        decision,
                        "public" | "authenticated" | "access_token" | "api_key"
                    )
            }
        }
    }
}

/// Everything the gateway needs to know about its deployment. `Debug` is not derived: it holds
/// the API key and the cookie passwords.
pub struct Config {
    /// `WORKOS_CLIENT_ID`.
    pub client_id: String,
    /// `WORKOS_API_KEY` (secret).
    pub api_key: String,
    /// `WORKOS_COOKIE_PASSWORD` (secret, ≥ 32 characters), which seals, and
    /// `WORKOS_COOKIE_PASSWORD_PREVIOUS` (one, or a JSON array), which only open.
    pub passwords: PasswordSet,
    /// `WORKOS_REDIRECT_URI`; `None` means this host's `/auth/callback`.
    pub redirect_uri: Option<String>,
    /// `WORKOS_API_BASE_URL`.
    pub api_base_url: String,
    /// `WORKOS_API_TIMEOUT_MS`: how long a WorkOS call may take.
    pub api_timeout_ms: u64,
    /// `WORKOS_COOKIE_NAME` (may carry the `__Host-` prefix).
    pub cookie_name: String,
    /// `WORKOS_COOKIE_DOMAIN`, `WORKOS_COOKIE_MAX_AGE`, `WORKOS_COOKIE_SAMESITE`,
    /// `WORKOS_COOKIE_SECURE`.
    pub cookie: CookieAttributes,
    /// `ORIGIN_URL`; `None` serves `www/` through the `ASSETS` binding.
    pub origin_url: Option<String>,
    /// `PUBLIC_PATHS` (case-sensitive).
    pub public_paths: Vec<PathGlob>,
    /// `ROUTE_RULES` (case-insensitive).
    pub route_rules: Vec<RouteRule>,
    /// `REFRESH_BUFFER_SECONDS`.
    pub refresh_buffer_seconds: u64,
    /// `JWT_LEEWAY_SECONDS`.
    pub jwt_leeway_seconds: u64,
    /// `WORKOS_ISSUER` (optional, comma-separated).
    pub issuers: Vec<String>,
    /// `WORKOS_AUDIENCE` (optional, comma-separated): bearer access tokens must name one in
    /// `aud`.
    pub audiences: Vec<String>,
    /// `WORKOS_AUTHKIT_DOMAIN` (`https://your-app.authkit.app`): the authorization server that
    /// RFC 9728 metadata and bearer challenges point clients to.
    pub authkit_domain: Option<String>,
    /// `API_KEYS`: accept organization API keys as bearer credentials.
    pub api_keys: bool,
    /// `API_KEY_CACHE_SECONDS`: how long a valid API key is remembered in the isolate.
    pub api_key_cache_seconds: u64,
    /// `WORKOS_COOKIE_MAX_CHUNKS`: the most cookies a session may be split over (1–10).
    pub cookie_max_chunks: usize,
    /// `INACTIVITY_TIMEOUT_SECONDS`: sign out sessions unused for longer (off when unset or 0).
    pub inactivity_timeout_seconds: Option<u64>,
    /// `<cookie name>-activity`: when the session was last used (with the timeout on).
    pub activity_cookie_name: String,
    /// `CORS_ALLOWED_ORIGINS`: origins whose preflights the edge answers and whose requests
    /// get CORS headers (with credentials).
    pub cors_allowed_origins: Vec<String>,
    /// `LOG_REQUESTS`: `all`, `events` (default) or `off`.
    pub log_requests: LogRequests,
    /// The `REFRESH_COORDINATOR` Durable Object binding, when configured.
    pub refresh_coordinator: Option<ObjectNamespace>,
    /// `EDGE_ASSERTION_KEY` (secret): private JWKs; the first signs `X-WorkOS-Assertion`,
    /// all are published.
    pub assertion_keys: Vec<SigningKey>,
    /// `WORKOS_WEBHOOK_SECRET` (secret): turns on `POST /auth/webhooks/workos`.
    pub webhook_secret: Option<String>,
    /// The `REVOCATIONS` Durable Object binding (the revocation list), when configured.
    pub revocations: Option<ObjectNamespace>,
    /// `REVOCATION_SYNC_SECONDS`: how often an isolate asks the list what is new.
    pub revocation_sync_seconds: u64,
}

thread_local! {
    /// The settings of the `env` object this isolate was last given.
    static CACHED: RefCell<Option<(JsValue, Rc<Config>)>> = const { RefCell::new(None) };
}

impl Config {
    /// The settings for `env`, read once per isolate. The runtime hands every request of an
    /// isolate the same `env` object, and settings only change with a new deployment (a new
    /// isolate); a different object is read afresh.
    pub fn for_env(env: &Env) -> Result<Rc<Self>, ConfigError> {
        let cached = CACHED.with(|cached| {
            cached
                .borrow()
                .as_ref()
                .filter(|(seen, _)| Object::is(seen, env))
                .map(|(_, config)| config.clone())
        });
        if let Some(config) = cached {
            return Ok(config);
        }
        let config = Rc::new(Self::from_env(env)?);
        CACHED.with(|cached| {
            *cached.borrow_mut() = Some((JsValue::from(env.clone()), config.clone()));
        });
        Ok(config)
    }

    /// Reads and checks every setting from the Worker's bindings.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let mut config = Self::from_settings(|name| env.string(name))?;
        config.refresh_coordinator = env.durable_object("REFRESH_COORDINATOR");
        config.revocations = env.durable_object("REVOCATIONS");
        Ok(config)
    }

    /// Reads and checks every setting through `lookup` (a name → raw value function).
    pub fn from_settings(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let settings = Settings(&lookup);
        let password = settings.required("WORKOS_COOKIE_PASSWORD")?;
        let passwords = PasswordSet::single(password)
            .map_err(|_| ConfigError {
                setting: "WORKOS_COOKIE_PASSWORD",
                problem:
                    "must be at least 32 characters (generate one with `openssl rand -base64 32`)"
                        .into(),
            })?
            .with_previous(settings.secrets("WORKOS_COOKIE_PASSWORD_PREVIOUS")?)
            .map_err(|_| ConfigError {
                setting: "WORKOS_COOKIE_PASSWORD_PREVIOUS",
                problem: "every password must be at least 32 characters".into(),
            })?;
        let same_site = match settings.optional("WORKOS_COOKIE_SAMESITE") {
            None => SameSite::Lax,
            Some(text) => SameSite::parse(&text).ok_or(ConfigError {
                setting: "WORKOS_COOKIE_SAMESITE",
                problem: "must be lax, strict or none".into(),
            })?,
        };
        let cookie = CookieAttributes {
            path: "/".into(),
            domain: settings.optional("WORKOS_COOKIE_DOMAIN"),
            max_age: Some(settings.number("WORKOS_COOKIE_MAX_AGE", DEFAULT_COOKIE_MAX_AGE)?),
            same_site,
            secure: settings.boolean("WORKOS_COOKIE_SECURE", true)?,
        };
        let cookie_name = settings
            .optional("WORKOS_COOKIE_NAME")
            .unwrap_or_else(|| "wos-session".into());
        cookie
            .check_name(&cookie_name)
            .map_err(|problem| ConfigError {
                setting: "WORKOS_COOKIE_NAME",
                problem: problem.to_string(),
            })?;
        let route_rules = parse_route_rules(&settings.optional("ROUTE_RULES").unwrap_or_default())
            .map_err(|problem| ConfigError {
                setting: "ROUTE_RULES",
                problem,
            })?;
        let origin_url = settings.http_url("ORIGIN_URL", "must be an http(s) URL")?;
        let api_timeout_ms = settings.number("WORKOS_API_TIMEOUT_MS", DEFAULT_API_TIMEOUT_MS)?;
        if !(1..=MAX_API_TIMEOUT_MS).contains(&api_timeout_ms) {
            return Err(ConfigError {
                setting: "WORKOS_API_TIMEOUT_MS",
                problem: format!("must be between 1 and {MAX_API_TIMEOUT_MS}"),
            });
        }
        let authkit_domain = settings.http_url(
            "WORKOS_AUTHKIT_DOMAIN",
            "must be a URL such as https://your-app.authkit.app",
        )?;
        let api_key_cache_seconds =
            settings.number("API_KEY_CACHE_SECONDS", DEFAULT_API_KEY_CACHE_SECONDS)?;
        if api_key_cache_seconds > MAX_API_KEY_CACHE_SECONDS {
            return Err(ConfigError {
                setting: "API_KEY_CACHE_SECONDS",
                problem: format!("must be at most {MAX_API_KEY_CACHE_SECONDS}"),
            });
        }
        let log_requests = match settings
            .optional("LOG_REQUESTS")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("events") => LogRequests::Events,
            Some("all") => LogRequests::All,
            Some("off") => LogRequests::Off,
            Some(_) => {
                return Err(ConfigError {
                    setting: "LOG_REQUESTS",
                    problem: "must be all, events or off".into(),
                })
            }
        };
        let activity_cookie_name = format!("{cookie_name}-activity");
        let cookie_max_chunks =
            settings.number("WORKOS_COOKIE_MAX_CHUNKS", DEFAULT_SESSION_CHUNKS as u64)?;
        if !(1..=MAX_SESSION_CHUNKS as u64).contains(&cookie_max_chunks) {
            return Err(ConfigError {
                setting: "WORKOS_COOKIE_MAX_CHUNKS",
                problem: format!("must be between 1 and {MAX_SESSION_CHUNKS}"),
            });
        }
        let assertion_keys = match settings.optional("EDGE_ASSERTION_KEY") {
            None => Vec::new(),
            Some(text) => parse_signing_keys(&text).map_err(|problem| ConfigError {
                setting: "EDGE_ASSERTION_KEY",
                problem,
            })?,
        };
        let revocation_sync_seconds =
            settings.number("REVOCATION_SYNC_SECONDS", DEFAULT_REVOCATION_SYNC_SECONDS)?;
        if !(1..=MAX_REVOCATION_SYNC_SECONDS).contains(&revocation_sync_seconds) {
            return Err(ConfigError {
                setting: "REVOCATION_SYNC_SECONDS",
                problem: format!("must be between 1 and {MAX_REVOCATION_SYNC_SECONDS}"),
            });
        }
        let cors_allowed_origins = parse_allowed_origins(
            &settings
                .optional("CORS_ALLOWED_ORIGINS")
                .unwrap_or_default(),
        )
        .map_err(|problem| ConfigError {
            setting: "CORS_ALLOWED_ORIGINS",
            problem,
        })?;
        Ok(Self {
            client_id: settings.required("WORKOS_CLIENT_ID")?,
            api_key: settings.required("WORKOS_API_KEY")?,
            passwords,
            redirect_uri: settings.optional("WORKOS_REDIRECT_URI"),
            api_base_url: settings
                .optional("WORKOS_API_BASE_URL")
                .unwrap_or_else(|| DEFAULT_API_BASE_URL.to_owned())
                .trim_end_matches('/')
                .to_owned(),
            api_timeout_ms,
            cookie_name,
            cookie,
            origin_url,
            public_paths: parse_globs(&settings.optional("PUBLIC_PATHS").unwrap_or_default()),
            route_rules,
            refresh_buffer_seconds: settings
                .number("REFRESH_BUFFER_SECONDS", DEFAULT_REFRESH_BUFFER_SECONDS)?,
            jwt_leeway_seconds: settings.number("JWT_LEEWAY_SECONDS", 0)?,
            issuers: settings.list("WORKOS_ISSUER"),
            audiences: settings.list("WORKOS_AUDIENCE"),
            authkit_domain,
            api_keys: settings.boolean("API_KEYS", false)?,
            api_key_cache_seconds,
            activity_cookie_name,
            cookie_max_chunks: cookie_max_chunks as usize,
            inactivity_timeout_seconds: Some(settings.number("INACTIVITY_TIMEOUT_SECONDS", 0)?)
                .filter(|&seconds| seconds > 0),
            cors_allowed_origins,
            log_requests,
            refresh_coordinator: None,
            webhook_secret: settings.optional("WORKOS_WEBHOOK_SECRET"),
            assertion_keys,
            revocations: None,
            revocation_sync_seconds,
        })
    }

    /// Whether `path` (normalised) needs no session: a public glob matches it
    /// (case-sensitively: `/ASSETS/x` is not the public `/assets/x`) and no route rule covers
    /// it (a rule inside a public tree still guards its paths). Both err towards asking for a
    /// session.
    pub fn is_public(&self, path: &str) -> bool {
        self.public_paths.iter().any(|glob| glob.matches(path))
            && !any_rule_covers(&self.route_rules, path)
    }
}
