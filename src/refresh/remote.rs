//! Calling the refresh coordinator (a Durable Object per session) from the Worker.

use worker::ObjectNamespace;
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
                "refresh coordinator unavailable: {e}"
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
) -> worker::Result<CoordinatorReply> {
    let stub = namespace.get_by_name(name)?;
    let body = request.to_json();
    let request = crate::runtime::outgoing_request(
        "POST",
        "https://refresh-coordinator/",
        None,
        Some(&body),
        false,
    )?;
    let mut response = stub.fetch_with_request(request).await?;
    let text = response.text().await?;
    CoordinatorReply::from_json(&text).ok_or_else(|| {
        worker::Error::RustError("the refresh coordinator's reply is malformed".into())
    })
}
