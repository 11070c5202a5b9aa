//! Calling the refresh coordinator (a Durable Object per session) from the Worker.

use crate::runtime::bindings::ObjectNamespace;
use crate::runtime::js_error_text;
use workos_edge_core::refresh::{ApiError, RefreshFailure, RefreshFailureReason};

use super::protocol::{CoordinatorReply, CoordinatorRequest};

/// Asks the coordinator `name` to refresh `sealed`; returns the new cookie value.
pub async fn refresh(
    namespace: &ObjectNamespace,
    name: &str,
    sealed: &str,
    organization_id: Option<&str>,
) -> Result<String, RefreshFailure> {
    let request = CoordinatorRequest::Refresh {
        sealed: sealed.to_owned(),
        organization_id: organization_id.map(str::to_owned),
    };
    match call(namespace, name, &request).await {
        Ok(reply) => reply.into_result(),
        // The coordinator itself failing is transient: keep the session, retry later.
        Err(e) => Err(RefreshFailure::Failed {
            reason: RefreshFailureReason::ServerError,
            retry_after: None,
            error: Some(ApiError::other(format!(
                "refresh coordinator unavailable: {}",
                js_error_text(&e)
            ))),
        }),
    }
}

/// Tells the coordinator `name` that its session signed out. Best effort: a failure only means
/// the old cookie's replay lasts out its grace period.
pub async fn forget(namespace: &ObjectNamespace, name: &str) {
    let _ = call(namespace, name, &CoordinatorRequest::Forget).await;
}

/// Tells the coordinator `name` that the coordinator `alias` refreshed a session into it.
pub async fn alias(namespace: &ObjectNamespace, name: &str, alias: &str) {
    let request = CoordinatorRequest::Alias {
        name: alias.to_owned(),
    };
    let _ = call(namespace, name, &request).await;
}

async fn call(
    namespace: &ObjectNamespace,
    name: &str,
    request: &CoordinatorRequest,
) -> Result<CoordinatorReply, wasm_bindgen::JsValue> {
    let (_, text) = namespace
        .call(name, "https://refresh-coordinator/", &request.to_json())
        .await?;
    CoordinatorReply::from_json(&text)
        .ok_or_else(|| "the refresh coordinator's reply is malformed".into())
}
