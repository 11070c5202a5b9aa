//! What one request has done so far: the facts for its log line, and the cookies its response
//! must carry **whatever that response turns out to be**.
//!
//! Resolving a session may spend the single-use refresh token. From then on the browser must
//! get the new cookie, even if the request ends in a 403, a 400 or a 502 — otherwise it keeps a
//! spent token and is signed out after the grace window. So cookies are not put on responses by
//! handlers: they are recorded here the moment they exist, and `lib.rs` puts them on the final
//! response, success or error.

use std::fmt;

use crate::config::{Config, LogRequests};
use crate::error::GatewayError;
use crate::http::with_headers;

/// The session cookie's fate on this response.
enum SessionCookie {
    /// `Set-Cookie` line writing a new session.
    Set(String),
    /// `Set-Cookie` line deleting it.
    Clear(String),
}

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
    session_cookie: Option<SessionCookie>,
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
    /// Records a new session cookie value for the response. Refuses one that browsers would
    /// drop for its size (a silent sign-in loop) with an error that says so.
    pub fn set_session(&mut self, cfg: &Config, sealed: &str) -> Result<(), GatewayError> {
        let line = cfg
            .cookie
            .set_cookie_checked(&cfg.cookie_name, sealed)
            .map_err(|bytes| GatewayError::SessionTooLarge { bytes })?;
        self.session_cookie = Some(SessionCookie::Set(line));
        Ok(())
    }

    /// Records that the response deletes the session cookie (overrides a pending new one).
    pub fn clear_session(&mut self, cfg: &Config) {
        self.session_cookie = Some(SessionCookie::Clear(
            cfg.cookie.clear_cookie(&cfg.cookie_name),
        ));
    }

    /// Adds any other `Set-Cookie` line (sign-in state cookies).
    pub fn add_cookie(&mut self, line: String) {
        self.other_cookies.push(line);
    }

    /// Whether the response will write or delete cookies.
    pub fn has_cookies(&self) -> bool {
        self.session_cookie.is_some() || !self.other_cookies.is_empty()
    }

    /// Puts the recorded cookies on `response` (copying its headers, which may be immutable
    /// when they come from `fetch`).
    pub fn apply_cookies(
        &self,
        response: web_sys::Response,
    ) -> Result<web_sys::Response, GatewayError> {
        if !self.has_cookies() {
            return Ok(response);
        }
        let headers = web_sys::Headers::new_with_headers(&response.headers())?;
        for line in &self.other_cookies {
            headers.append("Set-Cookie", line)?;
        }
        match &self.session_cookie {
            Some(SessionCookie::Set(line) | SessionCookie::Clear(line)) => {
                headers.append("Set-Cookie", line)?;
            }
            None => {}
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
    fn a_session_too_large_for_a_browser_cookie_is_refused_not_written() {
        let cfg = config();
        let mut ctx = RequestContext::default();
        assert!(ctx.set_session(&cfg, &"v".repeat(3_900)).is_ok());
        assert!(ctx.has_cookies());
        match ctx.set_session(&cfg, &"v".repeat(4_200)) {
            Err(GatewayError::SessionTooLarge { bytes }) => assert!(bytes > 4_096),
            other => panic!("expected SessionTooLarge, got {other:?}"),
        }
    }

    #[test]
    fn clearing_overrides_a_pending_session() {
        let cfg = config();
        let mut ctx = RequestContext::default();
        ctx.set_session(&cfg, "new").unwrap();
        ctx.clear_session(&cfg);
        match &ctx.session_cookie {
            Some(SessionCookie::Clear(line)) => assert!(line.contains("Max-Age=0")),
            _ => panic!("the clear must win"),
        }
    }
}
