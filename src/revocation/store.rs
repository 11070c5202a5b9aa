//! The revocation list: one Durable Object for the deployment (strongly consistent, unlike
//! KV), holding the sessions revoked by `session.revoked` webhooks for
//! [`super::RETENTION_SECONDS`] and the event ids seen for [`super::EVENT_MEMORY_SECONDS`]
//! (to refuse replays). Isolates poll it for what is new at most every
//! `REVOCATION_SYNC_SECONDS`; the volume is the rate of sign-outs, not of requests.
//!
//! Storage keys: `seq` (the last sequence number), `r:<seq, 20 digits>` → `(session, at)`,
//! `e:<event id>` → at.

// `#[durable_object]` generates wasm-bindgen glue (constructor, fetch) without docs.
#![allow(missing_docs)]

use std::cell::Cell;

use wasm_bindgen_futures::JsFuture;
use worker::{
    durable_object, DurableObject, Env, ListOptions, Request, Response, Result, State, Storage,
};

use super::protocol::{revocation_pair, ListReply, ListRequest};
use super::{EVENT_MEMORY_SECONDS, RETENTION_SECONDS};

/// Stale keys are looked for at most this often per instance.
const PRUNE_EVERY_SECONDS: u64 = 60;

/// The deployment's revocation list.
#[durable_object]
pub struct RevocationList {
    state: State,
    pruned_at: Cell<u64>,
}

impl DurableObject for RevocationList {
    fn new(state: State, _env: Env) -> Self {
        Self {
            state,
            pruned_at: Cell::new(0),
        }
    }

    async fn fetch(&self, mut request: Request) -> Result<Response> {
        let Some(request) = ListRequest::from_json(&request.text().await?) else {
            return Response::error("malformed revocation list request", 400);
        };
        let reply = match request {
            ListRequest::Record {
                event_id,
                signed_at,
                session_id,
                now_s,
            } => self.record(&event_id, signed_at, session_id, now_s).await?,
            ListRequest::Since { after, now_s } => self.since(after, now_s).await?,
        };
        Response::ok(reply.to_json())
    }
}

impl RevocationList {
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
        storage.put(&event_key, (now_s, signed_at)).await?;
        if let Some(session) = session_id {
            seq += 1;
            let entry = workos_edge_core::json::to_text(&serde_json::json!([session, now_s]));
            storage.put(&revocation_key(seq), entry).await?;
            storage.put("seq", seq).await?;
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
        let entries = storage
            .list_with_options(ListOptions::new().prefix("r:").start(&start))
            .await?;
        let mut revoked = Vec::new();
        for value in entries.values() {
            let Some((session, at)) = value?.as_string().and_then(|text| parse_entry(&text)) else {
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
            let entries = storage
                .list_with_options(ListOptions::new().prefix(prefix))
                .await?;
            for entry in entries.entries() {
                let pair = js_sys::Array::from(&entry?);
                let Some(key) = pair.get(0).as_string() else {
                    continue;
                };
                let value = pair.get(1);
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
            storage.delete_multiple(stale).await?;
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

/// The number, or array of numbers, `put` stored under `key`, read through the runtime's own
/// storage call: `Storage::get` converts with serde_wasm_bindgen, whose typed readers link
/// float formatting into the wasm for error messages.
async fn stored_numbers(storage: &Storage, key: &str) -> Result<Option<Vec<u64>>> {
    let value = JsFuture::from(storage.as_raw().get(key)?).await?;
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

fn unexpected(key: &str) -> worker::Error {
    worker::Error::RustError(format!(
        "the stored `{key}` is not a number or list of numbers"
    ))
}

fn parse_entry(text: &str) -> Option<(String, u64)> {
    revocation_pair(&serde_json::from_slice(text.as_bytes()).ok()?)
}

fn revocation_key(seq: u64) -> String {
    format!("r:{seq:020}")
}
