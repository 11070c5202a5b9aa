//! Sending the request on: to `ORIGIN_URL`, or to `www/` through the `ASSETS` binding.

use worker::{CacheMode, Env, Fetch, Headers, Request, RequestInit, RequestRedirect, Response};

use crate::config::{Config, ConfigError};
use crate::error::GatewayError;
use crate::http::{parts, request_url};

/// Whether a request goes on with a user's identity attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone: a public path.
    Public,
    /// One user: identity headers and cookies are on it.
    Private,
}

/// How the origin subrequest may be cached by Cloudflare. Cloudflare caches subrequests by URL;
/// one that carries a user's identity must never be stored, or the next visitor of that URL
/// gets the first one's page.
pub fn cache_mode(audience: Audience) -> Option<CacheMode> {
    match audience {
        Audience::Public => None,
        Audience::Private => Some(CacheMode::NoStore),
    }
}

/// Sends the request with `headers` to the normalised `path` (the exact path the rules
/// matched) and the original query.
pub async fn forward(
    request: Request,
    path: &str,
    headers: Headers,
    audience: Audience,
    env: &Env,
    cfg: &Config,
) -> Result<Response, GatewayError> {
    let url = request_url(&request);
    let url = parts(&url)?;
    let base = cfg.origin_url.as_deref().unwrap_or(url.origin);
    let mut target =
        String::with_capacity(base.len() + path.len() + 1 + url.query.map_or(0, str::len));
    target.push_str(base);
    target.push_str(path);
    if let Some(query) = url.query {
        target.push('?');
        target.push_str(query);
    }
    let method = request.method();
    let body = request.inner().body();
    let mut init = RequestInit::new();
    init.with_method(method)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if let Some(body) = body {
        init.with_body(Some(body.into()));
    }
    let response = match &cfg.origin_url {
        Some(_) => {
            if let Some(mode) = cache_mode(audience) {
                init.with_cache(mode);
            }
            let outgoing = Request::new_with_init(&target, &init)?;
            Fetch::Request(outgoing).send().await
        }
        None => {
            let outgoing = Request::new_with_init(&target, &init)?;
            let assets = env.assets("ASSETS").map_err(|_| {
                GatewayError::Config(ConfigError {
                    setting: "ORIGIN_URL",
                    problem: "is not set and there is no ASSETS binding to serve www/".into(),
                })
            })?;
            assets.fetch_request(outgoing).await
        }
    };
    let response =
        response.map_err(|_| GatewayError::Upstream("the origin could not be reached".into()))?;
    let status = response.status_code();
    if !is_relayable_status(status) {
        // workers-rs rebuilds the response with `new Response()`, which throws on such a
        // status: a panic, and the isolate with every cache in it would be gone.
        return Err(GatewayError::Upstream(format!(
            "the origin answered HTTP {status}, which cannot be passed on"
        )));
    }
    Ok(response)
}

/// Statuses a Worker can return: 200–599, and 101 for WebSocket upgrades.
pub fn is_relayable_status(status: u16) -> bool {
    (200..=599).contains(&status) || status == 101
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_outside_the_fetch_range_are_not_relayed() {
        for ok in [101, 200, 204, 302, 404, 503, 599] {
            assert!(is_relayable_status(ok), "{ok}");
        }
        for bad in [0, 100, 103, 199, 600, 999] {
            assert!(!is_relayable_status(bad), "{bad}");
        }
    }

    #[test]
    fn identity_bearing_subrequests_are_never_stored() {
        assert!(matches!(
            cache_mode(Audience::Private),
            Some(CacheMode::NoStore)
        ));
        assert!(cache_mode(Audience::Public).is_none());
    }
}
