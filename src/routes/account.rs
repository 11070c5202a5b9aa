//! The account API the site's pages use: the session, organization switching, the user's
//! organizations and sessions, and revoking sessions. State-changing routes check method,
//! content type and origin, and read their body, **before** resolving the session (which may
//! spend the refresh token).

use serde_json::{json, Value};
use web_sys::{Request, Response};
use workos_edge_core::api::{
    get_organization_request, list_memberships_request, list_sessions_request,
    revoke_session_request, ApiReply, ApiRequest, ListOptions, ListResponse, Order, Organization,
    OrganizationMembership, Session,
};
use workos_edge_core::json::{Members, ShapeError};
use workos_edge_core::refresh::RefreshFailure;
use workos_edge_core::web::chunks::session_cookie_value;

use super::{limits, private_json};
use crate::config::Config;
use crate::context::RequestContext;
use crate::credentials::{require_session, ActiveSession};
use crate::error::{describe_failure, GatewayError};
use crate::http::{check_json_request, header, read_json};
use crate::refresh;
use crate::runtime::now_ms;
use crate::workos;

type RouteResult = Result<Response, GatewayError>;

/// JSON bodies of the POST routes are a few dozen bytes.
const MAX_BODY_BYTES: u64 = 4096;
/// Ten pages (1 000 sessions) is far beyond one person's devices; stop there.
const MAX_SESSION_PAGES: usize = 10;

/// `GET /auth/session`: what pages need to show the session; never the tokens.
pub async fn session(request: &Request, cfg: &Config, ctx: &mut RequestContext) -> RouteResult {
    let active = require_session(header(request, "cookie").as_deref(), cfg, ctx).await?;
    ctx.decision = "session";
    let claims = &active.claims;
    private_json(&json!({
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
        "refreshedNow": active.new_cookie.is_some() && !active.resealed,
        "refreshDeferred": active.refresh_deferred,
    }))
}

/// `{"organizationId": ...}`.
struct SwitchOrganization {
    organization_id: String,
}

impl SwitchOrganization {
    fn read(mut members: Members) -> Result<Self, ShapeError> {
        Ok(Self {
            organization_id: members.string("organizationId")?,
        })
    }
}

/// `POST /auth/switch-organization {"organizationId": ..}`: refreshes into that organization;
/// WorkOS refuses organizations the user is not a member of.
pub async fn switch_organization(
    request: &Request,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> RouteResult {
    check_json_request(request, MAX_BODY_BYTES)?;
    let cookies = header(request, "cookie").unwrap_or_default();
    let body = read_json(request, MAX_BODY_BYTES, SwitchOrganization::read).await?;
    let current = require_session(Some(&cookies), cfg, ctx).await?;
    ctx.decision = "switch_organization";
    let sealed = current
        .new_cookie
        .clone()
        .or_else(|| session_cookie_value(&cookies, &cfg.cookie_name).map(String::from))
        .ok_or(GatewayError::Unauthenticated {
            reason: "no_session_cookie_provided",
        })?;
    let refreshed = refresh::refresh(cfg, &sealed, now_ms(), Some(&body.organization_id))
        .await
        .map_err(|failure| match failure {
            RefreshFailure::Failed { reason, .. } if !reason.is_retryable() => {
                GatewayError::Unauthenticated {
                    reason: reason.as_str(),
                }
            }
            RefreshFailure::Failed { retry_after, .. } => GatewayError::Unavailable {
                retry_after: retry_after.unwrap_or(5),
            },
            unexpected @ RefreshFailure::Unexpected(_) => {
                GatewayError::Upstream(describe_failure("organization switch", &unexpected))
            }
        })?;
    ctx.set_session(cfg, &refreshed.sealed, Some(&cookies))?;
    let claims = &refreshed.claims;
    private_json(&json!({
        "organizationId": claims.org_id,
        "role": claims.role,
        "permissions": claims.permissions.clone().unwrap_or_default(),
    }))
}

/// The error for a WorkOS reply that is not a 2xx: retryable ones become 503 with
/// `Retry-After`, the rest 502.
fn api_error(what: &str, reply: &ApiReply) -> GatewayError {
    match reply {
        ApiReply::Response {
            status: 429,
            retry_after,
            ..
        } => GatewayError::Unavailable {
            retry_after: retry_after
                .as_deref()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(5),
        },
        ApiReply::Response { status, .. } if *status >= 500 => {
            GatewayError::Unavailable { retry_after: 5 }
        }
        ApiReply::Response { status, .. } => {
            GatewayError::Upstream(format!("{what}: HTTP {status}"))
        }
        ApiReply::Timeout | ApiReply::NetworkError(_) => {
            GatewayError::Unavailable { retry_after: 5 }
        }
    }
}

/// A GET to the WorkOS API whose 200 body is `T`.
/// Calls the API and reads its JSON reply with `read`.
async fn get_json<T>(
    cfg: &Config,
    request: &ApiRequest,
    what: &str,
    read: impl FnOnce(Value) -> Result<T, ShapeError>,
) -> Result<T, GatewayError> {
    match workos::send(request, cfg.api_timeout_ms).await {
        ApiReply::Response {
            status: 200, body, ..
        } => serde_json::from_slice(&body)
            .ok()
            .and_then(|value| read(value).ok())
            .ok_or_else(|| GatewayError::Upstream(format!("{what} is malformed"))),
        other => Err(api_error(what, &other)),
    }
}

fn user_id(active: &ActiveSession) -> Result<String, GatewayError> {
    active.user_id().ok_or(GatewayError::Unauthenticated {
        reason: "invalid_session_cookie",
    })
}

/// The session's id for the per-session limits (the user's, for a token without `sid`).
fn limit_key(active: &ActiveSession) -> Result<String, GatewayError> {
    active
        .claims
        .sid
        .clone()
        .map_or_else(|| user_id(active), Ok)
}

/// `GET /auth/organizations`: the organizations the signed-in user belongs to, for a switcher.
pub async fn list_organizations(
    request: &Request,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> RouteResult {
    let active = require_session(header(request, "cookie").as_deref(), cfg, ctx).await?;
    ctx.decision = "list_organizations";
    limits::check("organizations", &limit_key(&active)?, now_ms())?;
    let memberships = get_json(
        cfg,
        &list_memberships_request(&cfg.api_base_url, &cfg.api_key, &user_id(&active)?),
        "membership list",
        |list| ListResponse::from_value(list, OrganizationMembership::from_value),
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
                get_json(cfg, &request, "organization", Organization::from_value)
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
    private_json(&json!({ "organizations": organizations }))
}

async fn user_sessions(cfg: &Config, user_id: &str) -> Result<Vec<Session>, GatewayError> {
    let mut sessions = Vec::new();
    let mut options = ListOptions {
        limit: Some(100),
        order: Order::Desc,
        ..Default::default()
    };
    for _ in 0..MAX_SESSION_PAGES {
        let request = list_sessions_request(&cfg.api_base_url, &cfg.api_key, user_id, &options);
        let page = get_json(cfg, &request, "session list", |list| {
            ListResponse::from_value(list, Session::from_value)
        })
        .await?;
        sessions.extend(page.data);
        match page.list_metadata.after {
            Some(after) => options.after = Some(after),
            None => break,
        }
    }
    Ok(sessions)
}

/// `GET /auth/sessions`: the signed-in user's own sessions, the current one marked.
pub async fn list_sessions(
    request: &Request,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> RouteResult {
    let active = require_session(header(request, "cookie").as_deref(), cfg, ctx).await?;
    ctx.decision = "list_sessions";
    limits::check("sessions", &limit_key(&active)?, now_ms())?;
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
    private_json(&json!({ "sessions": sessions }))
}

/// `{"sessionId": ...}` or `{"allExceptCurrent": true}`.
struct RevokeRequest {
    session_id: Option<String>,
    all_except_current: bool,
}

impl RevokeRequest {
    fn read(mut members: Members) -> Result<Self, ShapeError> {
        Ok(Self {
            session_id: members.optional_string("sessionId")?,
            all_except_current: members.bool_or_false("allExceptCurrent")?,
        })
    }
}

/// `POST /auth/sessions/revoke {"sessionId": ..} | {"allExceptCurrent": true}`: revokes only
/// sessions that belong to the signed-in user.
pub async fn revoke_sessions(
    request: &Request,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> RouteResult {
    check_json_request(request, MAX_BODY_BYTES)?;
    let cookies = header(request, "cookie");
    let body = read_json(request, MAX_BODY_BYTES, RevokeRequest::read).await?;
    let active = require_session(cookies.as_deref(), cfg, ctx).await?;
    ctx.decision = "revoke_sessions";
    limits::check("revoke", &limit_key(&active)?, now_ms())?;
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
        let reply = workos::send(
            &revoke_session_request(&cfg.api_base_url, &cfg.api_key, id),
            cfg.api_timeout_ms,
        )
        .await;
        match &reply {
            ApiReply::Response { status, .. } if (200..300).contains(status) => {}
            other => return Err(api_error("revoke", other)),
        }
    }
    for id in &targets {
        // A revoked session's old cookie must not be handed its last refresh either.
        refresh::end_replay_of_session(cfg, id).await;
    }
    if targets.iter().any(|id| Some(id) == current.as_ref()) {
        ctx.clear_session(cfg, cookies.as_deref());
    }
    private_json(&json!({ "revoked": targets }))
}
