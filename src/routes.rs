//! The routes the Worker answers itself under `/auth/`.

use serde::Deserialize;
use serde_json::{json, Value};
use worker::{Request, Response};
use workos_edge_core::api::{
    get_organization_request, list_memberships_request, list_sessions_request,
    revoke_session_request, ApiReply, ApiRequest, AuthenticateGrant, ListOptions, ListResponse,
    Order, Organization, OrganizationMembership, Session,
};
use workos_edge_core::cookie::{seal_json, unseal_json};
use workos_edge_core::iron::SealRandomness;
use workos_edge_core::refresh::{classify_authenticate_reply, RefreshFailure};
use workos_edge_core::urls::{
    authorization_url, logout_url, state_from_random, AuthorizationUrlOptions, Pkce, ScreenHint,
};
use workos_edge_core::web::{cookie_value, safe_return_path, CookieAttributes};
use workos_edge_core::SessionCookieData;

use crate::config::Config;
use crate::error::GatewayError;
use crate::gateway::{header, internal, redirect};
use crate::session::{self, ActiveSession, SessionState};
use crate::{now_ms, random_bytes, workos, RequestLog};

type RouteResult = Result<Response, GatewayError>;

/// A sign-in must come back within this time.
const LOGIN_STATE_TTL_SECONDS: u64 = 600;
/// Prefix of the per-flow state cookie (one per sign-in, so tabs do not clobber each other).
const STATE_COOKIE_PREFIX: &str = "wos-auth-";

fn query(request: &Request, key: &str) -> Option<String> {
    let url = request.url().ok()?;
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn site_origin(request: &Request) -> Result<String, GatewayError> {
    let url = request.url().map_err(internal)?;
    Ok(url.origin().ascii_serialization())
}

/// Whether a state-changing request comes from this site's own pages: browsers name a foreign
/// initiator in `Sec-Fetch-Site` and `Origin`; either one refuses the request (CSRF).
fn from_this_site(request: &Request) -> Result<bool, GatewayError> {
    let cross_site = matches!(
        header(request, "sec-fetch-site").as_deref(),
        Some("cross-site" | "same-site")
    );
    let ours = site_origin(request)?;
    let foreign_origin = header(request, "origin").is_some_and(|origin| origin != ours);
    Ok(!cross_site && !foreign_origin)
}

fn redirect_uri(request: &Request, cfg: &Config) -> Result<String, GatewayError> {
    match &cfg.redirect_uri {
        Some(uri) => Ok(uri.clone()),
        None => Ok(format!("{}/auth/callback", site_origin(request)?)),
    }
}

fn state_cookie(state: &str) -> String {
    format!("{STATE_COOKIE_PREFIX}{}", &state[..state.len().min(16)])
}

fn state_cookie_attributes(cfg: &Config) -> CookieAttributes {
    CookieAttributes {
        path: "/auth/callback".into(),
        domain: None,
        max_age: Some(LOGIN_STATE_TTL_SECONDS),
        same_site: workos_edge_core::web::SameSite::Lax,
        secure: cfg.cookie.secure,
    }
}

/// `GET /auth/login?returnTo=/path[&screenHint=sign-up][&loginHint=..][&organizationId=..]`:
/// AuthKit with PKCE; verifier, state and return path travel in a sealed, short-lived cookie.
pub fn login(request: &Request, cfg: &Config, log: &mut RequestLog) -> RouteResult {
    log.decision = "login";
    let return_to = query(request, "returnTo")
        .and_then(|r| safe_return_path(&r))
        .unwrap_or_else(|| "/".into());
    let pkce = Pkce::from_random(random_bytes());
    let state = state_from_random(random_bytes());
    let now = now_ms();
    let flow = json!({ "state": state, "codeVerifier": pkce.verifier, "returnTo": return_to });
    let sealed = seal_json(
        &flow,
        &cfg.passwords,
        &SealRandomness::from_bytes(random_bytes()),
        Some(now + LOGIN_STATE_TTL_SECONDS * 1000),
    );
    let options = AuthorizationUrlOptions {
        client_id: cfg.client_id.clone(),
        redirect_uri: redirect_uri(request, cfg)?,
        provider: Some("authkit".into()),
        organization_id: query(request, "organizationId"),
        login_hint: query(request, "loginHint"),
        screen_hint: query(request, "screenHint")
            .filter(|h| h == "sign-in" || h == "sign-up")
            .map(|h| ScreenHint::parse(&h)),
        state: Some(state.clone()),
        code_challenge: Some(pkce.challenge),
        code_challenge_method: Some("S256".into()),
        ..Default::default()
    };
    let url = authorization_url(&cfg.api_base_url, &options)
        .map_err(|e| GatewayError::Upstream(e.to_string()))?;
    let response = redirect(&url)?;
    response
        .headers()
        .append(
            "Set-Cookie",
            &state_cookie_attributes(cfg).set_cookie(&state_cookie(&state), &sealed),
        )
        .map_err(internal)?;
    Ok(response)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginFlow {
    state: String,
    code_verifier: String,
    return_to: String,
}

/// `GET /auth/callback?code=..&state=..`: checks the state against its sealed cookie,
/// exchanges the code (with the PKCE verifier) and sets the session cookie.
pub async fn callback(request: &Request, cfg: &Config, log: &mut RequestLog) -> RouteResult {
    log.decision = "callback";
    if let Some(error) = query(request, "error") {
        log.reason = Some(format!("authorize error: {error}"));
        return Err(GatewayError::BadRequest(
            "Sign-in was cancelled or refused. Please try again.",
        ));
    }
    let (Some(code), Some(state)) = (query(request, "code"), query(request, "state")) else {
        return Err(GatewayError::BadRequest(
            "The sign-in link is incomplete. Please sign in again.",
        ));
    };
    let cookies = header(request, "cookie").unwrap_or_default();
    let flow: LoginFlow = cookie_value(&cookies, &state_cookie(&state))
        .and_then(|sealed| unseal_json(sealed, &cfg.passwords, now_ms()).ok())
        .and_then(|value| serde_json::from_value(value).ok())
        .filter(|flow: &LoginFlow| flow.state == state)
        .ok_or(GatewayError::BadRequest(
            "This sign-in expired or was started in another browser. Please sign in again.",
        ))?;

    let grant = AuthenticateGrant::AuthorizationCode {
        client_id: cfg.client_id.clone(),
        client_secret: Some(cfg.api_key.clone()),
        code,
        code_verifier: Some(flow.code_verifier),
        invitation_token: None,
        ip_address: header(request, "cf-connecting-ip"),
        user_agent: header(request, "user-agent"),
    };
    let reply = workos::send(&grant.to_request(&cfg.api_base_url, Some(&cfg.api_key))).await;
    let response = classify_authenticate_reply(&reply)
        .map_err(|failure| upstream("code exchange", &failure))?;
    let session = SessionCookieData::from_authentication_response(&response);
    let sealed = seal_json(
        &session.into_json(),
        &cfg.passwords,
        &SealRandomness::from_bytes(random_bytes()),
        None,
    );

    let return_to = safe_return_path(&flow.return_to).unwrap_or_else(|| "/".into());
    let response = redirect(&return_to)?;
    let headers = response.headers();
    headers
        .append(
            "Set-Cookie",
            &cfg.cookie.set_cookie(&cfg.cookie_name, &sealed),
        )
        .map_err(internal)?;
    headers
        .append(
            "Set-Cookie",
            &state_cookie_attributes(cfg).clear_cookie(&state_cookie(&state)),
        )
        .map_err(internal)?;
    Ok(response)
}

fn upstream(what: &str, failure: &RefreshFailure) -> GatewayError {
    GatewayError::Upstream(format!("{what}: {failure}"))
}

/// `GET|POST /auth/logout`: clears the cookie and, when there is a session, ends it at WorkOS
/// (its logout URL redirects back to this site's home page).
pub fn logout(request: &Request, cfg: &Config, log: &mut RequestLog) -> RouteResult {
    log.decision = "logout";
    // A link on another site must not sign people out: browsers say where a navigation
    // came from, and a POST must carry our own Origin.
    if !from_this_site(request)? {
        log.reason = Some("cross-site sign-out refused".into());
        return redirect("/");
    }
    let cookies = header(request, "cookie");
    let home = format!("{}/", site_origin(request)?);
    let target = match session::session_id_of(cfg, cookies.as_deref(), now_ms()) {
        Some(sid) => logout_url(&cfg.api_base_url, &sid, Some(&home))
            .map_err(|e| GatewayError::Upstream(e.to_string()))?,
        None => "/".to_owned(),
    };
    let response = redirect(&target)?;
    response
        .headers()
        .append("Set-Cookie", &cfg.cookie.clear_cookie(&cfg.cookie_name))
        .map_err(internal)?;
    Ok(response)
}

/// Resolves the session for a JSON route, or the error to answer with.
async fn require_session(
    request: &Request,
    cfg: &Config,
    log: &mut RequestLog,
) -> Result<Box<ActiveSession>, GatewayError> {
    let started = now_ms();
    let cookies = header(request, "cookie");
    let state = session::resolve(cfg, cookies.as_deref(), started).await;
    log.auth_ms = Some(now_ms().saturating_sub(started));
    match state {
        SessionState::Active(active) => Ok(active),
        SessionState::Anonymous { reason, .. } => Err(GatewayError::Unauthenticated { reason }),
        SessionState::Unavailable {
            retry_after,
            reason,
        } => {
            log.reason = Some(reason);
            Err(GatewayError::Unavailable { retry_after })
        }
    }
}

/// A JSON response that is never cached and carries a refreshed cookie when there is one.
fn private_json(body: &Value, cfg: &Config, new_cookie: Option<&str>) -> RouteResult {
    let response = Response::from_json(body).map_err(internal)?;
    let headers = response.headers();
    headers
        .set("Cache-Control", "private, no-store")
        .map_err(internal)?;
    headers.set("Vary", "Cookie").map_err(internal)?;
    if let Some(cookie) = new_cookie {
        headers
            .append(
                "Set-Cookie",
                &cfg.cookie.set_cookie(&cfg.cookie_name, cookie),
            )
            .map_err(internal)?;
    }
    Ok(response)
}

/// `GET /auth/session`: what pages need to show the session; never the tokens.
pub async fn session(request: &Request, cfg: &Config, log: &mut RequestLog) -> RouteResult {
    log.decision = "session";
    let active = require_session(request, cfg, log).await?;
    let claims = &active.claims;
    let body = json!({
        "authenticated": true,
        "user": active.cookie.user(),
        "organizationId": claims.org_id,
        "role": claims.role,
        "roles": claims.roles,
        "permissions": claims.permissions.clone().unwrap_or_default(),
        "entitlements": claims.entitlements.clone().unwrap_or_default(),
        "featureFlags": claims.feature_flags.clone().unwrap_or_default(),
        "impersonator": active.cookie.get("impersonator"),
        "sessionId": claims.sid,
        "authenticationMethod": active.cookie.authentication_method(),
        "accessTokenExpiresAt": active.expires_at,
        "accessTokenIssuedAt": active.issued_at,
        "refreshedNow": active.refreshed_cookie.is_some(),
        "refreshDeferred": active.refresh_deferred,
    });
    private_json(&body, cfg, active.refreshed_cookie.as_deref())
}

/// Cross-site requests cannot send JSON without a CORS preflight we never answer, and a
/// browser's `Origin` must be ours: together they stop CSRF on the POST routes.
async fn json_body<T: for<'de> Deserialize<'de>>(mut request: Request) -> Result<T, GatewayError> {
    let content_type = header(&request, "content-type").unwrap_or_default();
    if !content_type.starts_with("application/json") {
        return Err(GatewayError::BadRequest(
            "Send JSON (Content-Type: application/json).",
        ));
    }
    if !from_this_site(&request)? {
        return Err(GatewayError::BadRequest(
            "Cross-origin requests are not allowed here.",
        ));
    }
    request
        .json()
        .await
        .map_err(|_| GatewayError::BadRequest("The request body is not the expected JSON."))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SwitchOrganization {
    organization_id: String,
}

/// `POST /auth/switch-organization {"organizationId": ..}`: refreshes into that organization;
/// WorkOS refuses organizations the user is not a member of.
pub async fn switch_organization(
    request: Request,
    cfg: &Config,
    log: &mut RequestLog,
) -> RouteResult {
    log.decision = "switch_organization";
    let cookies = header(&request, "cookie").unwrap_or_default();
    let current = require_session(&request, cfg, log).await?;
    let sealed = current
        .refreshed_cookie
        .clone()
        .or_else(|| cookie_value(&cookies, &cfg.cookie_name).map(str::to_owned))
        .ok_or(GatewayError::Unauthenticated {
            reason: "no_session_cookie_provided",
        })?;
    let body: SwitchOrganization = json_body(request).await?;
    let refreshed = session::refresh_to(cfg, &sealed, now_ms(), Some(&body.organization_id))
        .await
        .map_err(|failure| match failure {
            RefreshFailure::Failed { reason, .. } if !reason.is_retryable() => {
                GatewayError::Unauthenticated {
                    reason: reason.as_str(),
                }
            }
            other => upstream("organization switch", &other),
        })?;
    let claims = &refreshed.claims;
    let result = json!({
        "organizationId": claims.org_id,
        "role": claims.role,
        "permissions": claims.permissions.clone().unwrap_or_default(),
    });
    private_json(&result, cfg, Some(&refreshed.sealed))
}

/// A GET to the WorkOS API whose 200 body is `T`.
async fn get_json<T: for<'de> Deserialize<'de>>(
    request: &ApiRequest,
    what: &str,
) -> Result<T, GatewayError> {
    match workos::send(request).await {
        ApiReply::Response {
            status: 200, body, ..
        } => serde_json::from_slice(&body)
            .map_err(|e| GatewayError::Upstream(format!("{what} is malformed: {e}"))),
        ApiReply::Response { status, .. } => {
            Err(GatewayError::Upstream(format!("{what}: HTTP {status}")))
        }
        ApiReply::Timeout | ApiReply::NetworkError(_) => {
            Err(GatewayError::Unavailable { retry_after: 5 })
        }
    }
}

/// `GET /auth/organizations`: the organizations the signed-in user belongs to, for a switcher.
pub async fn list_organizations(
    request: &Request,
    cfg: &Config,
    log: &mut RequestLog,
) -> RouteResult {
    log.decision = "list_organizations";
    let active = require_session(request, cfg, log).await?;
    let memberships: ListResponse<OrganizationMembership> = get_json(
        &list_memberships_request(&cfg.api_base_url, &cfg.api_key, &user_id(&active)?),
        "membership list",
    )
    .await?;
    let mut organizations = Vec::new();
    for membership in memberships
        .data
        .into_iter()
        .filter(|m| m.status.as_deref().is_none_or(|s| s == "active"))
    {
        let name = match membership.organization_name {
            Some(name) => name,
            None => {
                let request = get_organization_request(
                    &cfg.api_base_url,
                    &cfg.api_key,
                    &membership.organization_id,
                );
                get_json::<Organization>(&request, "organization")
                    .await?
                    .name
            }
        };
        organizations.push(json!({
            "id": membership.organization_id,
            "name": name,
            "role": membership.role.map(|r| r.slug),
            "current": active.claims.org_id.as_deref() == Some(membership.organization_id.as_str()),
        }));
    }
    private_json(
        &json!({ "organizations": organizations }),
        cfg,
        active.refreshed_cookie.as_deref(),
    )
}

async fn user_sessions(cfg: &Config, user_id: &str) -> Result<Vec<Session>, GatewayError> {
    let mut sessions = Vec::new();
    let mut options = ListOptions {
        limit: Some(100),
        order: Order::Desc,
        ..Default::default()
    };
    // Ten pages (1 000 sessions) is far beyond one person's devices; stop there.
    for _ in 0..10 {
        let reply = workos::send(&list_sessions_request(
            &cfg.api_base_url,
            &cfg.api_key,
            user_id,
            &options,
        ))
        .await;
        let page: ListResponse<Session> = match reply {
            ApiReply::Response {
                status: 200, body, ..
            } => serde_json::from_slice(&body)
                .map_err(|e| GatewayError::Upstream(format!("session list is malformed: {e}")))?,
            ApiReply::Response { status, .. } => {
                return Err(GatewayError::Upstream(format!(
                    "session list: HTTP {status}"
                )))
            }
            ApiReply::Timeout | ApiReply::NetworkError(_) => {
                return Err(GatewayError::Unavailable { retry_after: 5 })
            }
        };
        sessions.extend(page.data);
        match page.list_metadata.after {
            Some(after) => options.after = Some(after),
            None => break,
        }
    }
    Ok(sessions)
}

fn user_id(active: &ActiveSession) -> Result<String, GatewayError> {
    active
        .claims
        .sub
        .clone()
        .or_else(|| active.cookie.user_id().map(str::to_owned))
        .ok_or(GatewayError::Unauthenticated {
            reason: "invalid_session_cookie",
        })
}

/// `GET /auth/sessions`: the signed-in user's own sessions, the current one marked.
pub async fn list_sessions(request: &Request, cfg: &Config, log: &mut RequestLog) -> RouteResult {
    log.decision = "list_sessions";
    let active = require_session(request, cfg, log).await?;
    let current = active.claims.sid.clone();
    let sessions: Vec<Value> = user_sessions(cfg, &user_id(&active)?)
        .await?
        .into_iter()
        .map(|s| {
            json!({
                "id": s.id,
                "current": Some(&s.id) == current.as_ref(),
                "status": s.status,
                "ipAddress": s.ip_address,
                "userAgent": s.user_agent,
                "authMethod": s.auth_method,
                "organizationId": s.organization_id,
                "createdAt": s.created_at,
                "updatedAt": s.updated_at,
                "expiresAt": s.expires_at,
            })
        })
        .collect();
    private_json(
        &json!({ "sessions": sessions }),
        cfg,
        active.refreshed_cookie.as_deref(),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevokeRequest {
    #[serde(default)]
    session_id: Option<String>,
    #[serde(default)]
    all_except_current: bool,
}

/// `POST /auth/sessions/revoke {"sessionId": ..} | {"allExceptCurrent": true}`: revokes only
/// sessions that belong to the signed-in user.
pub async fn revoke_sessions(request: Request, cfg: &Config, log: &mut RequestLog) -> RouteResult {
    log.decision = "revoke_sessions";
    let active = require_session(&request, cfg, log).await?;
    let body: RevokeRequest = json_body(request).await?;
    let current = active.claims.sid.clone();
    let own: Vec<Session> = user_sessions(cfg, &user_id(&active)?).await?;
    let targets: Vec<String> = match (&body.session_id, body.all_except_current) {
        (Some(id), false) => {
            if !own.iter().any(|s| &s.id == id) {
                return Err(GatewayError::BadRequest(
                    "That session does not belong to you.",
                ));
            }
            vec![id.clone()]
        }
        (None, true) => own
            .iter()
            .filter(|s| Some(&s.id) != current.as_ref() && s.status.as_deref() != Some("revoked"))
            .map(|s| s.id.clone())
            .collect(),
        _ => {
            return Err(GatewayError::BadRequest(
                "Send either sessionId or allExceptCurrent: true.",
            ))
        }
    };
    for id in &targets {
        match workos::send(&revoke_session_request(&cfg.api_base_url, &cfg.api_key, id)).await {
            ApiReply::Response { status, .. } if (200..300).contains(&status) => {}
            ApiReply::Response { status, .. } => {
                return Err(GatewayError::Upstream(format!("revoke: HTTP {status}")))
            }
            _ => return Err(GatewayError::Unavailable { retry_after: 5 }),
        }
    }
    let revoked_current = targets.iter().any(|id| Some(id) == current.as_ref());
    let response = private_json(&json!({ "revoked": targets }), cfg, None)?;
    if revoked_current {
        response
            .headers()
            .append("Set-Cookie", &cfg.cookie.clear_cookie(&cfg.cookie_name))
            .map_err(internal)?;
    }
    Ok(response)
}
