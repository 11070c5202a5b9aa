//! What the Worker and the revocation list (a Durable Object) say to each other.
//!
//! Written and read by hand over `serde_json::Value`, like the refresh coordinator's messages
//! (derived internally tagged enums cost more wasm than the messages are worth).

use serde_json::{json, Value};
use workos_edge_core::json::{parse_object, to_text, Members, ShapeError};

/// A call to the revocation list.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ListReply {
    /// This very delivery was seen before (only for `Record`).
    pub replayed: bool,
    /// The event was seen before in another delivery (only for `Record`).
    pub duplicate: bool,
    /// The newest sequence number.
    pub seq: u64,
    /// Sessions revoked after the asked-for sequence number, with when (seconds).
    pub revoked: Vec<(String, u64)>,
}

impl ListRequest {
    /// `{"op": "record" | "since", ...}`.
    pub fn to_json(&self) -> String {
        let message = match self {
            Self::Record {
                event_id,
                signed_at,
                session_id,
                now_s,
            } => json!({
                "op": "record",
                "event_id": event_id,
                "signed_at": signed_at,
                "session_id": session_id,
                "now_s": now_s,
            }),
            Self::Since { after, now_s } => json!({"op": "since", "after": after, "now_s": now_s}),
        };
        to_text(&message)
    }

    /// The request [`Self::to_json`] wrote, or `None` for anything else.
    pub fn from_json(text: &str) -> Option<Self> {
        let mut m = Members::from_map(parse_object(text.as_bytes())?);
        let read = |m: &mut Members| -> Result<Self, ShapeError> {
            Ok(match m.string("op")?.as_str() {
                "record" => Self::Record {
                    event_id: m.string("event_id")?,
                    signed_at: m.u64("signed_at")?,
                    session_id: m.optional_string("session_id")?,
                    now_s: m.u64("now_s")?,
                },
                "since" => Self::Since {
                    after: m.u64("after")?,
                    now_s: m.u64("now_s")?,
                },
                _ => return Err(ShapeError("op")),
            })
        };
        read(&mut m).ok()
    }
}

/// One revocation as a pair `[session id, at]`, in replies and in the Durable Object's storage.
pub fn revocation_pair(value: &Value) -> Option<(String, u64)> {
    match value.as_array()?.as_slice() {
        [session, at] => Some((session.as_str()?.to_owned(), at.as_u64()?)),
        _ => None,
    }
}

impl ListReply {
    /// `{"replayed", "duplicate", "seq", "revoked": [[session, at], ...]}`.
    pub fn to_json(&self) -> String {
        to_text(&json!({
            "replayed": self.replayed,
            "duplicate": self.duplicate,
            "seq": self.seq,
            "revoked": self.revoked,
        }))
    }

    /// The reply [`Self::to_json`] wrote (`replayed`, `duplicate` and `revoked` may be absent),
    /// or `None` for anything else.
    pub fn from_json(text: &str) -> Option<Self> {
        let mut m = Members::from_map(parse_object(text.as_bytes())?);
        let read = |m: &mut Members| -> Result<Self, ShapeError> {
            Ok(Self {
                replayed: m.bool_or_false("replayed")?,
                duplicate: m.bool_or_false("duplicate")?,
                seq: m.u64("seq")?,
                revoked: m
                    .optional("revoked", |list| match list {
                        Value::Array(pairs) => pairs
                            .iter()
                            .map(|pair| revocation_pair(pair).ok_or(ShapeError("revoked")))
                            .collect(),
                        _ => Err(ShapeError("revoked")),
                    })?
                    .unwrap_or_default(),
            })
        };
        read(&mut m).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_survive_the_round_trip() {
        for request in [
            ListRequest::Record {
                event_id: "evt_1".into(),
                signed_at: 1_700_000_000,
                session_id: Some("session_1".into()),
                now_s: 1_700_000_001,
            },
            ListRequest::Record {
                event_id: "evt_2".into(),
                signed_at: 1,
                session_id: None,
                now_s: 2,
            },
            ListRequest::Since { after: 7, now_s: 9 },
        ] {
            assert_eq!(ListRequest::from_json(&request.to_json()), Some(request));
        }
        let reply = ListReply {
            replayed: false,
            duplicate: true,
            seq: 3,
            revoked: vec![("session_1".into(), 5), ("session_2".into(), 6)],
        };
        assert_eq!(ListReply::from_json(&reply.to_json()), Some(reply));
        assert_eq!(
            ListReply::from_json(r#"{"seq":4}"#),
            Some(ListReply {
                seq: 4,
                ..ListReply::default()
            })
        );
    }

    #[test]
    fn malformed_messages_are_refused() {
        for text in [
            r#"{"seq":-1}"#,
            r#"{"seq":1,"revoked":[["s"]]}"#,
            r#"{"seq":1,"replayed":"yes"}"#,
        ] {
            assert_eq!(ListReply::from_json(text), None, "{text}");
        }
        for text in [
            r#"{"op":"since","after":1}"#,
            r#"{"op":"record","event_id":1}"#,
        ] {
            assert_eq!(ListRequest::from_json(text), None, "{text}");
        }
    }
}
