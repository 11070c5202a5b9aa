//! What the Worker and the revocation list (a Durable Object) say to each other.

use serde::{Deserialize, Serialize};

/// A call to the revocation list.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ListRequest {
    /// Records a verified webhook delivery: refuses a replayed event id, and adds the session
    /// it revokes, if any.
    Record {
        /// The event's id.
        event_id: String,
        /// The delivery's signature timestamp (as written): the same id with another
        /// timestamp is a redelivery, with the same one a replay.
        signed_at: u64,
        /// The session a `session.revoked` event revokes.
        session_id: Option<String>,
        /// The time of the delivery (seconds), for pruning.
        now_s: u64,
    },
    /// Revocations after sequence number `after`.
    Since {
        /// The last sequence number the isolate has.
        after: u64,
        /// Now (seconds), for pruning.
        now_s: u64,
    },
}

/// The list's answer.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ListReply {
    /// This very delivery was seen before (only for `Record`).
    #[serde(default)]
    pub replayed: bool,
    /// The event was seen before in another delivery (only for `Record`).
    #[serde(default)]
    pub duplicate: bool,
    /// The newest sequence number.
    pub seq: u64,
    /// Sessions revoked after the asked-for sequence number, with when (seconds).
    #[serde(default)]
    pub revoked: Vec<(String, u64)>,
}
