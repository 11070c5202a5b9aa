//! The revocation list: one Durable Object for the deployment (strongly consistent, unlike
//! KV), holding the sessions revoked by `session.revoked` webhooks for
//! [`super::RETENTION_SECONDS`] and the event ids seen for [`super::EVENT_MEMORY_SECONDS`]
//! (to refuse replays). Isolates poll it for what is new at most every
//! `REVOCATION_SYNC_SECONDS`; the volume is the rate of sign-outs, not of requests.
//!
//! Storage keys: `seq` (the last sequence number), `r:<seq, 20 digits>` → `(session, at)`,
//! `e:<event id>` → at.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::protocol::{revocation_pair, ListReply, ListRequest};
use super::{EVENT_MEMORY_SECONDS, RETENTION_SECONDS};
use crate::runtime::bindings::{serve_message, Env, ObjectState, Storage};

/// A storage call's failure (the runtime's error, or a value we did not store).
type Result<T> = std::result::Result<T, JsValue>;

/// Stale keys are looked for at most this often per instance.
const PRUNE_EVERY_SECONDS: u64 = 60;

/// The deployment's revocation list; `src/entry.mjs` exports it.
#[wasm_bindgen]
pub struct RevocationList {
    list: Rc<List>,
}

#[wasm_bindgen]
impl RevocationList {
    /// Called by the runtime for its one instance.
    #[wasm_bindgen(constructor)]
    pub fn new(state: ObjectState, _env: Env) -> Self {
        let list = List {
            state,
            pruned_at: Cell::new(0),
        };
        Self {
            list: Rc::new(list),
        }
    }

    /// A message from a Worker ([`ListRequest`] as JSON); the reply is a [`ListReply`].
    pub fn fetch(&self, request: web_sys::Request) -> Promise {
        let list = self.list.clone();
        serve_message(request, |text| async move {
            let Some(request) = ListRequest::from_json(&text) else {
                return Ok(None);
            };
            Ok(Some(list.answer(request).await?.to_json()))
        })
    }
}

/// The instance's state, shared with the requests it is serving.
struct List {
    state: ObjectState,
    pruned_at: Cell<u64>,
}

impl List {
    async fn answer(&self, request: ListRequest) -> Result<ListReply> {
        Ok(match request {
            ListRequest::Record {
                event_id,
                signed_at,
                session_id,
                now_s,
            } => self.record(&event_id, signed_at, session_id, now_s).await?,
            ListRequest::Since { after, now_s } => self.since(after, now_s).await?,
        })
    }

    async fn record(
        &self,
        event_id: &str,
        signed_at: u64,
        session_id: Option<String>,
        now_s: u64,
    ) -> Result<ListReply> {
        let storage = self.state.storage();
        let event_key = format!("e:{event_id}");
        let mut seq = stored_number(&storage, "seq").await?.unwrap_or(0);
        // `[received at, signature timestamp]` of the delivery accepted.
        if let Some(&[_, signed]) = stored_numbers(&storage, &event_key).await?.as_deref() {
            return Ok(ListReply {
                replayed: signed == signed_at,
                duplicate: signed != signed_at,
                seq,
                revoked: Vec::new(),
            });
        }
        let pair: js_sys::Array = [now_s, signed_at]
            .iter()
            .map(|&n| JsValue::from_f64(n as f64))
            .collect();
        storage.put(&event_key, &pair).await?;
        if let Some(session) = session_id {
            seq += 1;
            let entry = workos_edge_core::json::to_text(&serde_json::json!([session, now_s]));
            storage
                .put(&revocation_key(seq), &JsValue::from_str(&entry))
                .await?;
            storage.put("seq", &JsValue::from_f64(seq as f64)).await?;
        }
        // Pruning lists every key: at most once a minute per instance, not per delivery.
        if now_s.saturating_sub(self.pruned_at.get()) >= PRUNE_EVERY_SECONDS {
            self.pruned_at.set(now_s);
            self.prune(now_s).await?;
        }
        Ok(ListReply {
            replayed: false,
            duplicate: false,
            seq,
            revoked: Vec::new(),
        })
    }

    async fn since(&self, after: u64, now_s: u64) -> Result<ListReply> {
        let storage = self.state.storage();
        let seq = stored_number(&storage, "seq").await?.unwrap_or(0);
        let start = revocation_key(after.saturating_add(1));
        let entries = storage.list("r:", Some(&start)).await?;
        let mut revoked = Vec::new();
        for (_, value) in entries {
            let Some((session, at)) = value.as_string().and_then(|text| parse_entry(&text)) else {
                continue;
            };
            if now_s.saturating_sub(at) <= RETENTION_SECONDS {
                revoked.push((session, at));
            }
        }
        Ok(ListReply {
            replayed: false,
            duplicate: false,
            seq,
            revoked,
        })
    }

    /// Drops revocations past retention and event ids past the replay window.
    async fn prune(&self, now_s: u64) -> Result<()> {
        let storage = self.state.storage();
        let mut stale = Vec::new();
        for (prefix, keep) in [("e:", EVENT_MEMORY_SECONDS), ("r:", RETENTION_SECONDS)] {
            for (key, value) in storage.list(prefix, None).await? {
                // Event ids hold `[at, signed_at]`; revocations a JSON `[session, at]` string.
                let first = js_sys::Array::from(&value).get(0);
                let at = first.as_f64().map(|at| at as u64).or_else(|| {
                    value
                        .as_string()
                        .and_then(|text| parse_entry(&text))
                        .map(|(_, at)| at)
                });
                if at.is_none_or(|at| now_s.saturating_sub(at) > keep) {
                    stale.push(key);
                }
            }
        }
        if !stale.is_empty() {
            storage.delete(&stale).await?;
        }
        Ok(())
    }
}

/// A number `put` stored under `key` (`None` when the key is absent).
async fn stored_number(storage: &Storage, key: &str) -> Result<Option<u64>> {
    match stored_numbers(storage, key).await?.as_deref() {
        None => Ok(None),
        Some(&[number]) => Ok(Some(number)),
        Some(_) => Err(unexpected(key)),
    }
}

/// The number, or array of numbers, `put` stored under `key`.
async fn stored_numbers(storage: &Storage, key: &str) -> Result<Option<Vec<u64>>> {
    let value = storage.get(key).await?;
    if value.is_undefined() {
        return Ok(None);
    }
    let number = |value: &wasm_bindgen::JsValue| {
        value
            .as_f64()
            .filter(|n| n.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(n))
            .map(|n| n as u64)
    };
    let numbers = if js_sys::Array::is_array(&value) {
        js_sys::Array::from(&value)
            .iter()
            .map(|item| number(&item))
            .collect()
    } else {
        number(&value).map(|n| vec![n])
    };
    numbers.map(Some).ok_or_else(|| unexpected(key))
}

/// 2^53 − 1: integers up to here are exact as JavaScript numbers.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

fn unexpected(key: &str) -> JsValue {
    JsValue::from_str(&format!(
        "the stored `{key}` is not a number or list of numbers"
    ))
}

fn parse_entry(text: &str) -> Option<(String, u64)> {
    revocation_pair(&serde_json::from_slice(text.as_bytes()).ok()?)
}

fn revocation_key(seq: u64) -> String {
    format!("r:{seq:020}")
}
