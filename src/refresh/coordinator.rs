//! The refresh coordinator: one Durable Object per session, so that requests racing in
//! different isolates (or data centres) spend a single-use refresh token once and all get the
//! same new cookie. authkit-nextjs and oauth2-proxy users lose sessions to this race
//! (`invalid_grant`); in-isolate coalescing alone cannot prevent it.
//!
//! It runs the same coalescer and the same refresh as the isolate path ([`super::local`]),
//! over its own state, kept in memory only.

use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

use super::local::{self, SharedCoalescer};
use super::protocol::{CoordinatorReply, CoordinatorRequest};
use crate::config::Config;
use crate::runtime::now_ms;

/// Refreshes of one session tracked at once (one per organization switch, in practice one).
const SESSION_LIMIT: usize = 64;

/// One instance per session (named by a hash of its id).
#[durable_object]
pub struct RefreshCoordinator {
    env: Env,
    coalescer: SharedCoalescer,
}

impl DurableObject for RefreshCoordinator {
    fn new(_state: State, env: Env) -> Self {
        Self {
            env,
            coalescer: local::new_coalescer(SESSION_LIMIT),
        }
    }

    async fn fetch(&self, mut request: Request) -> Result<Response> {
        let reply = match request.json::<CoordinatorRequest>().await? {
            CoordinatorRequest::Refresh {
                sealed,
                organization_id,
            } => self.refresh(&sealed, organization_id.as_deref()).await,
            CoordinatorRequest::Forget => {
                self.coalescer.borrow_mut().clear();
                CoordinatorReply::Forgotten
            }
        };
        Response::from_json(&reply)
    }
}

impl RefreshCoordinator {
    async fn refresh(&self, sealed: &str, organization_id: Option<&str>) -> CoordinatorReply {
        let result = match Config::from_env(&self.env) {
            Ok(cfg) => {
                let (result, performed) =
                    local::refresh_with(&self.coalescer, &cfg, sealed, now_ms(), organization_id)
                        .await;
                if !performed {
                    // Handed the result of a refresh already logged.
                    return CoordinatorReply::from(&result.map(|refreshed| refreshed.sealed));
                }
                result.map(|refreshed| refreshed.sealed)
            }
            Err(e) => Err(workos_edge_core::refresh::RefreshFailure::Unexpected(
                workos_edge_core::refresh::ApiError::other(format!(
                    "refresh coordinator misconfigured: {e}"
                )),
            )),
        };
        let outcome = match &result {
            Ok(_) => "refreshed".to_owned(),
            Err(failure) => failure.to_string(),
        };
        worker::console_log!(
            "{}",
            serde_json::json!({ "coordinator": "refresh", "outcome": outcome })
        );
        CoordinatorReply::from(&result)
    }
}
