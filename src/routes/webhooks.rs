//! `POST /auth/webhooks/workos`: WorkOS events, verified as `@workos-inc/node`'s
//! `webhooks.constructEvent` verifies them (`WORKOS_WEBHOOK_SECRET`; see `web::webhook`).
//! `session.revoked` signs the session out at the edge ([`crate::revocation`]); other events
//! are acknowledged. Forged, stale and replayed deliveries (the same signed delivery again) get
//! a 401 and a log line; a redelivery of an event (signed afresh by WorkOS, as after a lost
//! reply) is acknowledged again.

use serde_json::json;
use web_sys::{Request, Response};
use workos_edge_core::web::webhook::{verify_signature, WebhookEvent, DEFAULT_TOLERANCE_MS};

use crate::config::Config;
use crate::context::RequestContext;
use crate::error::GatewayError;
use crate::http::{header, read_body};
use crate::revocation::{self, Recorded};
use crate::runtime::now_ms;

/// WorkOS events are small; anything larger is not one.
const MAX_BODY_BYTES: u64 = 256 * 1024;

/// `POST /auth/webhooks/workos`.
pub async fn workos(
    request: &Request,
    cfg: &Config,
    ctx: &mut RequestContext,
) -> Result<Response, GatewayError> {
    ctx.decision = "webhook";
    let Some(secret) = &cfg.webhook_secret else {
        return Err(GatewayError::NotFound);
    };
    let signature = header(request, "workos-signature");
    let body = read_body(request, MAX_BODY_BYTES).await?;
    let now = now_ms();
    let signed_at = verify_signature(
        signature.as_deref(),
        &body,
        secret,
        now,
        DEFAULT_TOLERANCE_MS,
    )
    .map_err(|error| {
        ctx.reason = Some(format!("webhook refused: {error}"));
        GatewayError::WebhookRefused(error.as_str())
    })?;
    let event = WebhookEvent::parse(&body)
        .ok_or(GatewayError::BadRequest("The body is not a WorkOS event."))?;
    let revoked = event.revoked_session();
    let outcome = revocation::record(cfg, &event.id, signed_at, revoked, now / 1000).await;
    match outcome {
        Recorded::Replayed => {
            ctx.reason = Some(format!("webhook refused: {} replayed", event.id));
            Err(GatewayError::WebhookRefused("replayed"))
        }
        Recorded::Unavailable => {
            ctx.reason = Some("revocation list unavailable".into());
            Err(GatewayError::Unavailable { retry_after: 5 })
        }
        Recorded::Stored | Recorded::Duplicate => {
            let again = if outcome == Recorded::Duplicate {
                " (redelivered)"
            } else {
                ""
            };
            ctx.reason = Some(format!("{} {}{again}", event.event, event.id));
            let response = crate::http::json(200, &json!({ "received": true }))?;
            response.headers().set("Cache-Control", "no-store")?;
            Ok(response)
        }
    }
}
