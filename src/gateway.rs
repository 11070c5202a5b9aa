//! Every request that is not an `/auth/*` route: strip spoofed headers, resolve the session,
//! apply route rules, forward with identity, and make the response safe to cache.

use worker::{Env, Fetch, Headers, Request, RequestInit, RequestRedirect, Response};
use workos_edge_core::web::{rewrite_cookie_header, unmet_requirement};

use crate::config::Config;
use crate::error::GatewayError;
use crate::session::{self, ActiveSession, SessionState};
use crate::{now_ms, RequestLog};

/// Prefix of the identity headers we send; inbound ones are always removed.
const IDENTITY_PREFIX: &str = "x-workos-";

type GatewayResult = Result<Response, GatewayError>;

/// Whether the client is navigating to a page (so a sign-in redirect makes sense) rather than
/// fetching data or an asset (which gets a 401 instead: never redirect an XHR).
pub fn is_document_request(request: &Request) -> bool {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    let method = request.method().to_string();
    if method != "GET" && method != "HEAD" {
        return false;
    }
    match header("sec-fetch-dest").as_str() {
        "" => header("accept").contains("text/html"),
        dest => dest == "document",
    }
}

/// The gateway pipeline.
pub async fn handle(
    request: Request,
    env: &Env,
    cfg: &Config,
    log: &mut RequestLog,
) -> GatewayResult {
    let path = request.path();
    let headers = forwarded_headers(request.headers());
    if cfg.is_public(&path) {
        log.decision = "public";
        return forward(request, headers, env, cfg).await;
    }

    let started = now_ms();
    let cookie_header = header(&request, "cookie");
    let state = session::resolve(cfg, cookie_header.as_deref(), started).await;
    let auth_ms = now_ms().saturating_sub(started);
    log.auth_ms = Some(auth_ms);

    let active = match state {
        SessionState::Active(active) => active,
        SessionState::Anonymous {
            reason,
            clear_cookie,
        } => {
            log.decision = "unauthenticated";
            log.reason = Some(reason.to_owned());
            return sign_in_required(&request, cfg, reason, clear_cookie);
        }
        SessionState::Unavailable {
            retry_after,
            reason,
        } => {
            log.reason = Some(reason);
            return Err(GatewayError::Unavailable { retry_after });
        }
    };
    if let Some(requirement) = unmet_requirement(&cfg.route_rules, &path, &active.claims) {
        return Err(GatewayError::Forbidden(requirement.clone()));
    }

    log.decision = match (&active.refreshed_cookie, active.refresh_deferred) {
        (Some(_), _) => "refreshed",
        (None, true) => "refresh_deferred",
        (None, false) => "authenticated",
    };
    add_identity(&headers, &active, cookie_header.as_deref(), cfg);
    let response = forward(request, headers, env, cfg).await?;
    let response = private_response(
        response,
        active.refreshed_cookie.as_deref(),
        cfg,
        auth_ms,
        log.decision,
    )?;
    Ok(response)
}

/// Unauthenticated: documents go to sign-in (coming back here after), the rest get 401.
pub fn sign_in_required(
    request: &Request,
    cfg: &Config,
    reason: &'static str,
    clear_cookie: bool,
) -> GatewayResult {
    let clear = clear_cookie.then(|| cfg.cookie.clear_cookie(&cfg.cookie_name));
    if is_document_request(request) {
        let url = request
            .url()
            .map_err(|_| GatewayError::BadRequest("Bad URL."))?;
        let mut return_to = url.path().to_owned();
        if let Some(query) = url.query() {
            return_to.push('?');
            return_to.push_str(query);
        }
        let location = format!(
            "/auth/login?returnTo={}",
            workos_edge_core::encoding::form_urlencode(&return_to)
        );
        let response = redirect(&location)?;
        if let Some(clear) = clear {
            response
                .headers()
                .append("Set-Cookie", &clear)
                .map_err(internal)?;
        }
        return Ok(response);
    }
    let mut response = GatewayError::Unauthenticated { reason }
        .into_response(false)
        .map_err(internal)?;
    if let Some(clear) = clear {
        response
            .headers_mut()
            .append("Set-Cookie", &clear)
            .map_err(internal)?;
    }
    Ok(response)
}

/// A request header's value, if present and readable.
pub fn header(request: &Request, name: &str) -> Option<String> {
    request.headers().get(name).ok().flatten()
}

/// A 302 to a path on this site (or an absolute URL we built).
pub fn redirect(location: &str) -> Result<Response, GatewayError> {
    let response = Response::empty().map_err(internal)?.with_status(302);
    response
        .headers()
        .set("Location", location)
        .map_err(internal)?;
    response
        .headers()
        .set("Cache-Control", "private, no-store")
        .map_err(internal)?;
    Ok(response)
}

pub(crate) fn internal(e: worker::Error) -> GatewayError {
    GatewayError::Upstream(format!("runtime error: {e}"))
}

/// Inbound headers minus anything in our identity namespace, whatever happens next.
fn forwarded_headers(inbound: &Headers) -> Headers {
    let headers = Headers::new();
    for (name, value) in inbound.entries() {
        if !name.to_ascii_lowercase().starts_with(IDENTITY_PREFIX) {
            let _ = headers.append(&name, &value);
        }
    }
    headers
}

fn add_identity(
    headers: &Headers,
    active: &ActiveSession,
    cookie_header: Option<&str>,
    cfg: &Config,
) {
    let claims = &active.claims;
    let user = active.cookie.user();
    let text = |v: Option<&serde_json::Value>, key: &str| {
        v.and_then(|u| u.get(key))
            .and_then(|x| x.as_str())
            .map(str::to_owned)
    };
    let entries = [
        (
            "X-WorkOS-User-Id",
            claims
                .sub
                .clone()
                .or_else(|| active.cookie.user_id().map(str::to_owned)),
        ),
        ("X-WorkOS-User-Email", text(user, "email")),
        ("X-WorkOS-Session-Id", claims.sid.clone()),
        ("X-WorkOS-Organization-Id", claims.org_id.clone()),
        ("X-WorkOS-Role", claims.role.clone()),
        (
            "X-WorkOS-Permissions",
            claims.permissions.as_ref().map(|p| p.join(",")),
        ),
        (
            "X-WorkOS-Impersonator-Email",
            active.cookie.impersonator().map(|i| i.email),
        ),
    ];
    for (name, value) in entries {
        if let Some(value) = value {
            let _ = headers.set(name, &value);
        }
    }
    if let Some(fresh) = &active.refreshed_cookie {
        // The origin sees the refreshed session in this very request.
        let rewritten = rewrite_cookie_header(
            cookie_header.unwrap_or_default(),
            &cfg.cookie_name,
            Some(fresh),
        );
        let _ = headers.set("Cookie", &rewritten);
    }
}

/// Sends the request on to the origin (or the static assets) with `headers`.
async fn forward(request: Request, headers: Headers, env: &Env, cfg: &Config) -> GatewayResult {
    let url = request.url().map_err(internal)?;
    let method = request.method();
    let body = request.inner().body();
    let target = match &cfg.origin_url {
        Some(origin) => {
            let mut target = format!("{origin}{}", url.path());
            if let Some(query) = url.query() {
                target.push('?');
                target.push_str(query);
            }
            target
        }
        None => url.to_string(),
    };
    let mut init = RequestInit::new();
    init.with_method(method)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if let Some(body) = body {
        init.with_body(Some(body.into()));
    }
    let outgoing = Request::new_with_init(&target, &init).map_err(internal)?;
    let response = match &cfg.origin_url {
        Some(_) => Fetch::Request(outgoing).send().await,
        None => match env.assets("ASSETS") {
            Ok(assets) => assets.fetch_request(outgoing).await,
            Err(_) => {
                return Err(GatewayError::Config(crate::config::ConfigError {
                    setting: "ORIGIN_URL",
                    problem: "is not set and there is no ASSETS binding to serve www/".into(),
                }))
            }
        },
    }
    .map_err(|e| GatewayError::Upstream(format!("origin fetch failed: {e}")))?;
    Ok(response)
}

/// Copies the origin's response with headers we control: never cacheable by shared caches,
/// `Vary: Cookie`, the refreshed cookie, and the auth timing.
fn private_response(
    response: Response,
    refreshed_cookie: Option<&str>,
    cfg: &Config,
    auth_ms: u64,
    decision: &str,
) -> Result<Response, GatewayError> {
    let headers = Headers::new();
    for (name, value) in response.headers().entries() {
        let lower = name.to_ascii_lowercase();
        if lower != "cache-control" && lower != "expires" && lower != "pragma" {
            headers.append(&name, &value).map_err(internal)?;
        }
    }
    headers
        .set("Cache-Control", "private, no-store")
        .map_err(internal)?;
    headers.append("Vary", "Cookie").map_err(internal)?;
    headers
        .append(
            "Server-Timing",
            &format!("auth;dur={auth_ms};desc=\"{decision}\""),
        )
        .map_err(internal)?;
    if let Some(cookie) = refreshed_cookie {
        headers
            .append(
                "Set-Cookie",
                &cfg.cookie.set_cookie(&cfg.cookie_name, cookie),
            )
            .map_err(internal)?;
    }
    Ok(response.with_headers(headers))
}
