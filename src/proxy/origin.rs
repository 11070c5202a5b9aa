//! Sending the request on: to `ORIGIN_URL`, or to `www/` through the `ASSETS` binding.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCache, RequestInit, RequestRedirect, Response};

use crate::runtime::bindings::Env;
use crate::runtime::fetch::global_fetch;

use crate::config::{Config, ConfigError};
use crate::error::GatewayError;
use workos_edge_core::web::UrlParts;

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
pub fn cache_mode(audience: Audience) -> Option<RequestCache> {
    match audience {
        Audience::Public => None,
        Audience::Private => Some(RequestCache::NoStore),
    }
}

/// Sends the request with `headers` to the normalised `path` (the exact path the rules
/// matched) and the original query. The runtime's request and response are used as they are
/// (no wrapper copies): the origin's response streams back untouched.
pub async fn forward(
    request: Request,
    url: &UrlParts<'_>,
    path: &str,
    headers: Headers,
    audience: Audience,
    env: &Env,
    cfg: &Config,
) -> Result<Response, GatewayError> {
    let sent = send(&request, url, path, &headers, audience, env, cfg)?;
    received(JsFuture::from(sent).await)
}

/// The sending half of [`forward`]: the runtime's promise of the origin's response.
pub fn send(
    request: &Request,
    url: &UrlParts<'_>,
    path: &str,
    headers: &Headers,
    audience: Audience,
    env: &Env,
    cfg: &Config,
) -> Result<Promise, GatewayError> {
    let base = cfg.origin_url.as_deref().unwrap_or(url.origin);
    let mut target =
        String::with_capacity(base.len() + path.len() + 1 + url.query.map_or(0, str::len));
    target.push_str(base);
    target.push_str(path);
    if let Some(query) = url.query {
        target.push('?');
        target.push_str(query);
    }
    let init = RequestInit::new();
    init.set_method(&request.method());
    init.set_headers(headers);
    init.set_redirect(RequestRedirect::Manual);
    if let Some(body) = request.body() {
        init.set_body(&body);
    }
    match &cfg.origin_url {
        Some(_) => {
            if let Some(mode) = cache_mode(audience) {
                init.set_cache(mode);
            }
            let outgoing = Request::new_with_str_and_init(&target, &init)?;
            Ok(global_fetch(&outgoing))
        }
        None => {
            let outgoing = Request::new_with_str_and_init(&target, &init)?;
            binding_fetch(env, "ASSETS", &outgoing).ok_or_else(|| {
                GatewayError::Config(ConfigError {
                    setting: "ORIGIN_URL",
                    problem: "is not set and there is no ASSETS binding to serve www/".into(),
                })
            })
        }
    }
}

/// The receiving half of [`forward`]: the origin's answer, if it can be passed on.
pub fn received(answer: Result<JsValue, JsValue>) -> Result<Response, GatewayError> {
    let response: Response = answer
        .map_err(|_| GatewayError::Upstream("the origin could not be reached".into()))?
        .unchecked_into();
    let status = response.status();
    if !is_relayable_status(status) {
        // Rebuilding such a response (to add headers or cookies) throws in the runtime.
        return Err(GatewayError::Upstream(format!(
            "the origin answered HTTP {status}, which cannot be passed on"
        )));
    }
    Ok(response)
}

/// Whether [`send`] has somewhere to send to: `ORIGIN_URL`, or the `ASSETS` binding.
pub fn reachable(env: &Env, cfg: &Config) -> bool {
    cfg.origin_url.is_some() || fetcher(env, "ASSETS").is_some()
}

/// `env[binding]` and its `fetch`, if it is a fetcher binding.
fn fetcher(env: &Env, binding: &str) -> Option<(JsValue, Function)> {
    let fetcher = Reflect::get(env, &JsValue::from_str(binding)).ok()?;
    let fetch: Function = Reflect::get(&fetcher, &JsValue::from_str("fetch"))
        .ok()?
        .dyn_into()
        .ok()?;
    Some((fetcher, fetch))
}

/// `env[binding].fetch(request)`, or `None` when there is no such fetcher binding.
fn binding_fetch(env: &Env, binding: &str, request: &Request) -> Option<Promise> {
    let (fetcher, fetch) = fetcher(env, binding)?;
    fetch.call1(&fetcher, request).ok()?.dyn_into().ok()
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
        assert_eq!(cache_mode(Audience::Private), Some(RequestCache::NoStore));
        assert!(cache_mode(Audience::Public).is_none());
    }
}
