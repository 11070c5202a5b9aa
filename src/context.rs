//! What one request has done so far: the facts for its log line, and the cookies its response
//! must carry **whatever that response turns out to be**.
//!
//! Resolving a session may spend the single-use refresh token. From then on the browser must
//! get the new cookie, even if the request ends in a 403, a 400 or a 502 — otherwise it keeps a
//! spent token and is signed out after the grace window. So cookies are not put on responses by
//! handlers: they are recorded here the moment they exist, and `lib.rs` puts them on the final
//! response, success or error.

use std::fmt;

use workos_edge_core::web::chunks::{session_clear_cookies, session_set_cookies};
use workos_edge_core::web::cookie_value;

use crate::config::{Config, LogRequests};
use crate::error::GatewayError;
use crate::http::with_headers;

/// Per-request state shared by the pipeline, the routes and the response.
#[derive(Default)]
pub struct RequestContext {
    /// `forward`, `public`, `login`, `callback`, `refreshed`...
    pub decision: &'static str,
    /// SDK reason or error detail, never a secret.
    pub reason: Option<String>,
    /// Time spent deciding about the session, in ms.
    pub auth_ms: Option<u64>,
    /// Whether authentication challenges point to the RFC 9728 metadata
    /// (`WORKOS_AUTHKIT_DOMAIN` is set).
    pub advertise_metadata: bool,
    /// Which requests get a log line (`LOG_REQUESTS`).
    pub log: LogRequests,
    /// The request's `Origin` when `CORS_ALLOWED_ORIGINS` allows it: the response says so.
    pub cors_origin: Option<String>,
    /// `CORS_ALLOWED_ORIGINS` is set: every response varies on `Origin` (a cached answer to a
    /// request without one must not serve a cross-origin one).
    pub cors_enabled: bool,
    /// `Set-Cookie` lines writing or deleting the session (its chunks included); the last
    /// decision replaces earlier ones.
    session_cookie: Vec<String>,
    other_cookies: Vec<String>,
}

impl fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field("decision", &self.decision)
            .field("reason", &self.reason)
            .field("auth_ms", &self.auth_ms)
            .finish_non_exhaustive()
    }
}

impl RequestContext {
    /// Records a new session cookie value for the response: whole, or in chunks when it is
    /// larger than a browser keeps in one cookie, deleting whatever of the session the request
    /// (`cookie_header`) carried that the new value does not use. Refuses a value too large
    /// even for the most chunks, with an error that says so.
    pub fn set_session(
        &mut self,
        cfg: &Config,
        sealed: &str,
        cookie_header: Option<&str>,
    ) -> Result<(), GatewayError> {
        self.session_cookie = session_set_cookies(
            &cfg.cookie,
            &cfg.cookie_name,
            sealed,
            cookie_header,
            cfg.cookie_max_chunks,
        )
        .map_err(|bytes| GatewayError::SessionTooLarge { bytes })?;
        Ok(())
    }

    /// Records that the response deletes the session cookie, every chunk of it the request
    /// carried and its activity cookie (overrides a pending new session).
    pub fn clear_session(&mut self, cfg: &Config, cookie_header: Option<&str>) {
        self.session_cookie = session_clear_cookies(&cfg.cookie, &cfg.cookie_name, cookie_header);
        let activity = &cfg.activity_cookie_name;
        if cookie_header.is_some_and(|h| cookie_value(h, activity).is_some()) {
            self.session_cookie.push(cfg.cookie.clear_cookie(activity));
        }
    }

    /// Adds any other `Set-Cookie` line (sign-in state cookies).
    pub fn add_cookie(&mut self, line: String) {
        self.other_cookies.push(line);
    }

    /// Whether the response will write or delete cookies.
    pub fn has_cookies(&self) -> bool {
        !self.session_cookie.is_empty() || !self.other_cookies.is_empty()
    }

    /// Puts the recorded cookies and CORS headers on `response` (copying its headers, which
    /// may be immutable when they come from `fetch`).
    pub fn finish(&self, response: web_sys::Response) -> Result<web_sys::Response, GatewayError> {
        if !self.has_cookies() && !self.cors_enabled {
            return Ok(response);
        }
        let headers = web_sys::Headers::new_with_headers(&response.headers())?;
        for line in self.other_cookies.iter().chain(&self.session_cookie) {
            headers.append("Set-Cookie", line)?;
        }
        if let Some(origin) = &self.cors_origin {
            headers.set("Access-Control-Allow-Origin", origin)?;
            headers.set("Access-Control-Allow-Credentials", "true")?;
        }
        if self.cors_enabled {
            headers.append("Vary", "Origin")?;
        }
        with_headers(&response, &headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let vars = [
            ("WORKOS_CLIENT_ID", "client_1"),
            ("WORKOS_API_KEY", "sk_test_key"),
            (
                "WORKOS_COOKIE_PASSWORD",
                "a-cookie-password-of-at-least-32-chars",
            ),
        ];
        Config::from_settings(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap()
    }

    #[test]
    fn a_session_too_large_for_one_cookie_is_chunked_and_past_the_limit_refused() {
        let cfg = config();
        let mut ctx = RequestContext::default();
        ctx.set_session(&cfg, &"v".repeat(3_900), None).unwrap();
        assert_eq!(ctx.session_cookie.len(), 1);
        ctx.set_session(&cfg, &"v".repeat(7_000), None).unwrap();
        assert_eq!(ctx.session_cookie.len(), 2, "two chunks");
        assert!(ctx.session_cookie[0].starts_with("wos-session.0="));
        match ctx.set_session(&cfg, &"v".repeat(20_000), None) {
            Err(GatewayError::SessionTooLarge { bytes }) => assert!(bytes > 16_000),
            other => panic!("expected SessionTooLarge, got {other:?}"),
        }
    }

    #[test]
    fn clearing_overrides_a_pending_session_and_takes_the_activity_cookie() {
        let cfg = config();
        let mut ctx = RequestContext::default();
        ctx.set_session(&cfg, "new", None).unwrap();
        ctx.clear_session(
            &cfg,
            Some("wos-session.0=a; wos-session.1=b; wos-session-activity=1.x"),
        );
        let names: Vec<&str> = ctx
            .session_cookie
            .iter()
            .map(|line| line.split('=').next().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "wos-session",
                "wos-session.0",
                "wos-session.1",
                "wos-session-activity"
            ]
        );
        assert!(ctx.session_cookie.iter().all(|l| l.contains("Max-Age=0")));
    }
}
