//! The refresh coordinator: one Durable Object per session, so that requests racing in
//! different isolates (or data centres) spend a single-use refresh token once and all get the
//! same new cookie. authkit-nextjs and oauth2-proxy users lose sessions to this race
//! (`invalid_grant`); in-isolate coalescing alone cannot prevent it.
//!
//! It runs the same coalescer and the same refresh as the isolate path ([`super::local`]),
//! over its own state, kept in memory only.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use workos_edge_core::authenticate::open_session;

use super::local::{self, SharedCoalescer};
use super::protocol::{CoordinatorReply, CoordinatorRequest};
use super::{coordinator_name, remote};
use crate::config::Config;
use crate::runtime::bindings::{serve_message, Env, ObjectState};
use crate::runtime::{log_line, now_ms};

/// Refreshes of one session tracked at once (one per organization switch, in practice one).
const SESSION_LIMIT: usize = 64;
/// Coordinators whose sessions were refreshed into this one, remembered for sign-out.
const ALIAS_LIMIT: usize = 16;

/// One instance per session (named by a hash of its id); `src/entry.mjs` exports it.
#[wasm_bindgen]
pub struct RefreshCoordinator {
    coordinator: Rc<Coordinator>,
}

#[wasm_bindgen]
impl RefreshCoordinator {
    /// Called by the runtime for each new instance.
    #[wasm_bindgen(constructor)]
    pub fn new(_state: ObjectState, env: Env) -> Self {
        let coordinator = Coordinator {
            env,
            coalescer: local::new_coalescer(SESSION_LIMIT),
            aliases: RefCell::new(Vec::new()),
        };
        Self {
            coordinator: Rc::new(coordinator),
        }
    }

    /// A message from a Worker (`CoordinatorRequest` as JSON); the reply is a
    /// `CoordinatorReply`.
    pub fn fetch(&self, request: web_sys::Request) -> Promise {
        let coordinator = self.coordinator.clone();
        serve_message(request, |text| async move {
            let Some(request) = CoordinatorRequest::from_json(&text) else {
                return Ok(None);
            };
            Ok(Some(coordinator.answer(request).await.to_json()))
        })
    }
}

/// The instance's state, shared with the requests it is serving.
struct Coordinator {
    env: Env,
    coalescer: SharedCoalescer,
    aliases: RefCell<Vec<String>>,
}

impl Coordinator {
    async fn answer(&self, request: CoordinatorRequest) -> CoordinatorReply {
        let reply = match request {
            CoordinatorRequest::Refresh {
                sealed,
                organization_id,
            } => self.refresh(&sealed, organization_id.as_deref()).await,
            CoordinatorRequest::Forget => {
                self.coalescer.borrow_mut().clear();
                let aliases = self.aliases.take();
                if let Some(namespace) = self.env.durable_object("REFRESH_COORDINATOR") {
                    for alias in aliases {
                        remote::forget(&namespace, &alias).await;
                    }
                }
                CoordinatorReply::Forgotten
            }
            CoordinatorRequest::Alias { name } => {
                let mut aliases = self.aliases.borrow_mut();
                if !aliases.contains(&name) && aliases.len() < ALIAS_LIMIT {
                    aliases.push(name);
                }
                CoordinatorReply::Forgotten
            }
        };
        reply
    }

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
                if let Ok(refreshed) = &result {
                    self.link_new_session(&cfg, sealed, refreshed).await;
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
            Err(failure) => crate::error::describe_failure("refresh", failure),
        };
        log_line(&workos_edge_core::json::to_text(
            &serde_json::json!({ "coordinator": "refresh", "outcome": outcome }),
        ));
        CoordinatorReply::from(&result)
    }

    /// When WorkOS gave the refreshed session a new id (the emulator does), its coordinator is
    /// another object: tell it about this one, so a sign-out with the new cookie ends the
    /// replay of the old one here.
    async fn link_new_session(&self, cfg: &Config, sealed: &str, refreshed: &super::Refreshed) {
        let Ok(previous) = open_session(Some(sealed), &cfg.passwords, now_ms()) else {
            return;
        };
        let (old, new) = (
            coordinator_name(&previous),
            coordinator_name(&refreshed.cookie),
        );
        if old != new {
            if let Some(namespace) = &cfg.refresh_coordinator {
                remote::alias(namespace, &new, &old).await;
            }
        }
    }
}
