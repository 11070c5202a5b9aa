//! Instant revocation: sessions WorkOS revoked (`session.revoked` webhooks) are signed out at
//! the edge before their access tokens run out.
//!
//! * The isolate that receives the webhook blocks the session at once.
//! * Every other isolate, in every data centre, learns of it from the revocation list (a Durable
//!   Object, [`store`]) within `REVOCATION_SYNC_SECONDS` (default 10): the first request after
//!   that interval asks the list for what is new since its last sequence number. Only that
//!   request waits for the answer; the others meanwhile use the list they have.
//! * Per request, the check is a clock comparison and a hash lookup of the session id. The
//!   poll costs one Durable Object round trip per isolate per interval, however many sessions
//!   and requests it serves.
//! * The list failing is not a reason to sign anyone out: the isolate keeps the list it has
//!   and tries again after the interval (fail open, logged).
//!
//! A revoked session's refresh token is already dead at WorkOS, so it ends at its next refresh
//! anyway; the list only needs to remember it for as long as an access token can live
//! ([`RETENTION_SECONDS`]).

pub mod protocol;
pub mod store;

use std::cell::RefCell;
use std::collections::HashMap;

use crate::runtime::bindings::ObjectNamespace;
use crate::runtime::log_line;

use crate::config::Config;
use protocol::{ListReply, ListRequest};

/// How long a revocation is remembered (seconds): longer than any access token lives.
pub const RETENTION_SECONDS: u64 = 24 * 60 * 60;
/// How long an event id is remembered to refuse a replay: past the 180 s signature tolerance,
/// a replay is refused as stale anyway.
pub const EVENT_MEMORY_SECONDS: u64 = 600;
/// The list's one instance.
const LIST_NAME: &str = "revocations";

/// What this isolate knows.
#[derive(Default)]
struct IsolateList {
    /// Session id → when it was revoked (seconds).
    revoked: HashMap<String, u64>,
    /// Event ids of webhooks received here (for deployments without the list): when, and the
    /// signature timestamp of the delivery accepted.
    events: HashMap<String, (u64, u64)>,
    /// The last sequence number fetched from the list.
    seq: u64,
    /// When the list was last asked (seconds); `None` before the first time.
    synced_at: Option<u64>,
    /// When the request asking the list now started (seconds). A poll that never finishes (its
    /// request cancelled, the object hung) is abandoned after [`abandon_after`].
    syncing_since: Option<u64>,
}

/// How long a poll may take before another request polls instead.
fn abandon_after(cfg: &Config) -> u64 {
    (cfg.revocation_sync_seconds * 2).max(cfg.api_timeout_ms.div_ceil(1000) + 1)
}

thread_local! {
    static LIST: RefCell<IsolateList> = RefCell::new(IsolateList::default());
}

/// Whether session `sid` was revoked, as far as this isolate knows after polling the list if
/// that is due.
pub async fn is_revoked(cfg: &Config, sid: &str, now_s: u64) -> bool {
    if let Some(namespace) = &cfg.revocations {
        let due = LIST.with(|list| {
            let mut list = list.borrow_mut();
            let due = poll_due(&list, cfg, now_s);
            if due {
                list.syncing_since = Some(now_s);
            }
            due
        });
        if due {
            sync(namespace, now_s).await;
        }
    }
    LIST.with(|list| list.borrow().revoked.contains_key(sid))
}

/// [`is_revoked`] without waiting: `None` when the list is due to be polled (then only
/// [`is_revoked`] may answer).
pub fn known_revoked(cfg: &Config, sid: &str, now_s: u64) -> Option<bool> {
    LIST.with(|list| {
        let list = list.borrow();
        let due = cfg.revocations.is_some() && poll_due(&list, cfg, now_s);
        (!due).then(|| list.revoked.contains_key(sid))
    })
}

/// Whether a request at `now_s` should poll the list.
fn poll_due(list: &IsolateList, cfg: &Config, now_s: u64) -> bool {
    let polling = list
        .syncing_since
        .is_some_and(|since| now_s.saturating_sub(since) < abandon_after(cfg));
    match list.synced_at {
        // Until the first poll has answered, every request asks: none is judged on an empty
        // list while the first poll is under way.
        None => true,
        Some(at) => !polling && now_s.saturating_sub(at) >= cfg.revocation_sync_seconds,
    }
}

async fn sync(namespace: &ObjectNamespace, now_s: u64) {
    let after = LIST.with(|list| list.borrow().seq);
    let reply = call(namespace, &ListRequest::Since { after, now_s }).await;
    LIST.with(|list| {
        let mut list = list.borrow_mut();
        list.syncing_since = None;
        list.synced_at = Some(now_s);
        match reply {
            Ok(reply) => {
                list.seq = list.seq.max(reply.seq);
                list.revoked.extend(reply.revoked);
                list.revoked
                    .retain(|_, at| now_s.saturating_sub(*at) <= RETENTION_SECONDS);
            }
            Err(_) => log_line(
                r#"{"revocations":"sync_failed","outcome":"kept the list this isolate has"}"#,
            ),
        }
    });
}

/// How a webhook delivery was recorded.
#[derive(Debug, PartialEq, Eq)]
pub enum Recorded {
    /// New, and stored where every isolate will see it.
    Stored,
    /// The event came before in another delivery (WorkOS signs each redelivery afresh, say
    /// after a reply was lost): acknowledged, nothing to do.
    Duplicate,
    /// This very delivery (same signature timestamp) came before: a replay.
    Replayed,
    /// The list could not be reached: WorkOS should deliver it again (this isolate has it).
    Unavailable,
}

/// Records a verified delivery (`signed_at`: its signature timestamp): blocks
/// `revoked_session` here at once, then in the list.
pub async fn record(
    cfg: &Config,
    event_id: &str,
    signed_at: u64,
    revoked_session: Option<&str>,
    now_s: u64,
) -> Recorded {
    let seen_here = LIST.with(|list| {
        let mut list = list.borrow_mut();
        if let Some(sid) = revoked_session {
            list.revoked.insert(sid.to_owned(), now_s);
        }
        list.revoked
            .retain(|_, at| now_s.saturating_sub(*at) <= RETENTION_SECONDS);
        list.events
            .retain(|_, (at, _)| now_s.saturating_sub(*at) <= EVENT_MEMORY_SECONDS);
        let seen = list.events.get(event_id).map(|&(_, signed)| signed);
        if seen.is_none() {
            list.events.insert(event_id.to_owned(), (now_s, signed_at));
        }
        seen
    });
    let Some(namespace) = &cfg.revocations else {
        return match seen_here {
            None => Recorded::Stored,
            Some(signed) if signed == signed_at => Recorded::Replayed,
            Some(_) => Recorded::Duplicate,
        };
    };
    let request = ListRequest::Record {
        event_id: event_id.to_owned(),
        signed_at,
        session_id: revoked_session.map(str::to_owned),
        now_s,
    };
    match call(namespace, &request).await {
        Ok(reply) if reply.replayed => Recorded::Replayed,
        Ok(reply) if reply.duplicate => Recorded::Duplicate,
        Ok(_) => Recorded::Stored,
        Err(_) => {
            // Let WorkOS's retry through this isolate's replay check.
            LIST.with(|list| list.borrow_mut().events.remove(event_id));
            Recorded::Unavailable
        }
    }
}

async fn call(namespace: &ObjectNamespace, request: &ListRequest) -> Result<ListReply, ()> {
    let (status, text) = namespace
        .call(LIST_NAME, "https://revocation-list/", &request.to_json())
        .await
        .map_err(drop)?;
    if status != 200 {
        return Err(());
    }
    ListReply::from_json(&text).ok_or(())
}
