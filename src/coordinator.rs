//! The refresh coordinator: one Durable Object per refresh token, so that requests racing in
//! different isolates (or different data centres) spend a single-use refresh token once and all
//! get the same new cookie. authkit-nextjs and oauth2-proxy users lose sessions to this race
//! (`invalid_grant`); in-isolate coalescing alone cannot prevent it.

use std::cell::RefCell;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use worker::{
    durable_object, Delay, DurableObject, Env, Method, ObjectNamespace, Request, RequestInit,
    Response, Result, State,
};
use workos_edge_core::refresh::{ApiError, RefreshFailure, RefreshFailureReason};

use crate::config::Config;
use crate::{now_ms, session};

/// How long the result of a refresh is handed to late requests with the same old cookie.
const GRACE_MS: u64 = 30_000;
/// Waiters look for the winner's result this often...
const POLL: Duration = Duration::from_millis(20);
/// ...and give up waiting (and refresh themselves) after this long.
const WAIT_MS: u64 = 10_000;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CoordinatorRequest {
    sealed: String,
    organization_id: Option<String>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
enum CoordinatorReply {
    Refreshed {
        sealed: String,
    },
    Failed {
        reason: String,
        retry_after: Option<u64>,
    },
    Unexpected {
        name: String,
        message: String,
        status: Option<u16>,
    },
}

impl From<&Result<String, RefreshFailure>> for CoordinatorReply {
    fn from(result: &Result<String, RefreshFailure>) -> Self {
        match result {
            Ok(sealed) => Self::Refreshed {
                sealed: sealed.clone(),
            },
            Err(RefreshFailure::Failed {
                reason,
                retry_after,
                ..
            }) => Self::Failed {
                reason: reason.as_str().to_owned(),
                retry_after: *retry_after,
            },
            Err(RefreshFailure::Unexpected(error)) => Self::Unexpected {
                name: error.name.clone(),
                message: error.message.clone(),
                status: error.status,
            },
        }
    }
}

impl CoordinatorReply {
    fn into_result(self) -> std::result::Result<String, RefreshFailure> {
        match self {
            Self::Refreshed { sealed } => Ok(sealed),
            Self::Failed {
                reason,
                retry_after,
            } => match RefreshFailureReason::parse(&reason) {
                Some(reason) => Err(RefreshFailure::Failed {
                    reason,
                    retry_after,
                    error: None,
                }),
                None => Err(unexpected(&format!("unknown refresh reason {reason:?}"))),
            },
            Self::Unexpected {
                name,
                message,
                status,
            } => Err(RefreshFailure::Unexpected(Box::new(ApiError {
                name,
                message,
                status,
                code: None,
                request_id: None,
            }))),
        }
    }
}

fn unexpected(message: &str) -> RefreshFailure {
    RefreshFailure::Unexpected(ApiError::other(message))
}

/// Asks the coordinator named `key` to refresh `sealed`; returns the new cookie value.
pub async fn refresh_via(
    namespace: &ObjectNamespace,
    key: &str,
    sealed: &str,
    organization_id: Option<&str>,
) -> std::result::Result<String, RefreshFailure> {
    let call = async {
        let stub = namespace.get_by_name(key)?;
        let body = serde_json::to_string(&CoordinatorRequest {
            sealed: sealed.to_owned(),
            organization_id: organization_id.map(str::to_owned),
        })?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_body(Some(body.into()));
        let request = Request::new_with_init("https://refresh-coordinator/refresh", &init)?;
        let mut response = stub.fetch_with_request(request).await?;
        response.json::<CoordinatorReply>().await
    };
    match call.await {
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

struct Slot {
    started_ms: u64,
    result: Option<std::result::Result<String, RefreshFailure>>,
}

/// One instance per refresh token (named by its hash); it keeps the outcome in memory only.
#[durable_object]
pub struct RefreshCoordinator {
    env: Env,
    slot: RefCell<Option<Slot>>,
}

impl DurableObject for RefreshCoordinator {
    fn new(_state: State, env: Env) -> Self {
        Self {
            env,
            slot: RefCell::new(None),
        }
    }

    async fn fetch(&self, mut request: Request) -> Result<Response> {
        let body: CoordinatorRequest = request.json().await?;
        let started = now_ms();
        loop {
            let now = now_ms();
            let action = {
                let mut slot = self.slot.borrow_mut();
                match slot.as_ref() {
                    Some(s) if now.saturating_sub(s.started_ms) >= GRACE_MS => None,
                    Some(Slot {
                        result: Some(result),
                        ..
                    }) => Some(Some(CoordinatorReply::from(result))),
                    Some(_) if now.saturating_sub(started) < WAIT_MS => Some(None),
                    _ => None,
                }
                .or_else(|| {
                    *slot = Some(Slot {
                        started_ms: now,
                        result: None,
                    });
                    None
                })
            };
            match action {
                Some(Some(reply)) => return Response::from_json(&reply),
                Some(None) => Delay::from(POLL).await,
                None => break,
            }
        }

        let result = match Config::from_env(&self.env, false) {
            Ok(cfg) => session::refresh_in_isolate(
                &cfg,
                &body.sealed,
                now_ms(),
                body.organization_id.as_deref(),
            )
            .await
            .map(|refreshed| refreshed.sealed),
            Err(e) => Err(unexpected(&format!(
                "refresh coordinator misconfigured: {e}"
            ))),
        };
        let reply = CoordinatorReply::from(&result);
        let outcome = match &result {
            Ok(_) => "refreshed".to_owned(),
            Err(failure) => failure.to_string(),
        };
        worker::console_log!(
            "{}",
            serde_json::json!({ "coordinator": "refresh", "outcome": outcome })
        );
        let mut slot = self.slot.borrow_mut();
        if result.is_ok() {
            if let Some(s) = slot.as_mut() {
                s.result = Some(result);
            }
        } else {
            // Failures are not replayed: the next request should try again.
            *slot = None;
        }
        drop(slot);
        Response::from_json(&reply)
    }
}
