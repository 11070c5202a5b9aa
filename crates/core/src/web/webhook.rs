//! WorkOS webhook signatures, checked as `@workos-inc/node`'s `webhooks.constructEvent` checks
//! them, and the one event the gateway acts on.
//!
//! `WorkOS-Signature: t=<timestamp>, v1=<hex>`: the header is split on `,` and each part on
//! `=`; the signed string is `"<t>.<raw body>"`; the MAC is HMAC-SHA256 keyed with the UTF-8
//! secret, compared in constant time; a timestamp older than the tolerance (180 s) is refused,
//! a future one is not (as in the SDK).
//!
//! One deliberate difference: the SDK reads `t` as milliseconds, the real API writes
//! milliseconds, and the official emulator (0.14.0) writes seconds. A `t` below 10^11 cannot be
//! a millisecond time after March 1973, so it is read as seconds; both then meet the same
//! 180 s tolerance. The MAC covers `t` as written, so this changes no signature.

use std::fmt;

use hmac::{digest::KeyInit, Hmac, Mac};
use sha2::Sha256;

use crate::json::Members;

/// The SDK's default tolerance.
pub const DEFAULT_TOLERANCE_MS: u64 = 180_000;
/// Below this a timestamp is read as seconds (see the module docs).
const SECONDS_BELOW: u64 = 100_000_000_000;

/// Why a delivery was refused, in the SDK's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No header, or no `t`/`v1` in it.
    Missing,
    /// No `v1=` hash.
    NoV1,
    /// Older than the tolerance.
    Stale,
    /// The MAC does not match.
    Mismatch,
}

impl SignatureError {
    /// The `SignatureVerificationException` message of the SDK.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "Signature or timestamp missing",
            Self::NoV1 => "No signature hash found with expected scheme v1",
            Self::Stale => "Timestamp outside the tolerance zone",
            Self::Mismatch => {
                "Signature hash does not match the expected signature hash for payload"
            }
        }
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Checks `header` (the `WorkOS-Signature` value) over `body` (the raw bytes) at `now_ms`.
/// Returns the delivery time in milliseconds.
pub fn verify_signature(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now_ms: u64,
    tolerance_ms: u64,
) -> Result<u64, SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut v1 = None;
    for part in header.split(',') {
        let mut pieces = part.split('=');
        let key = pieces.next().unwrap_or_default().trim();
        let value = pieces.next().unwrap_or_default().trim();
        match key {
            "t" => timestamp = Some(value),
            "v1" => v1 = Some(value),
            _ => {}
        }
    }
    let timestamp = timestamp
        .filter(|t| !t.is_empty())
        .ok_or(SignatureError::Missing)?;
    let v1 = v1.filter(|v| !v.is_empty()).ok_or(SignatureError::NoV1)?;
    // `Number(t)` in the SDK: a non-number compares false and is never stale; here it cannot
    // match a real delivery either, so it is refused as missing.
    let written: u64 = timestamp.parse().map_err(|_| SignatureError::Missing)?;
    let at_ms = if written < SECONDS_BELOW {
        written.saturating_mul(1000)
    } else {
        written
    };
    if at_ms < now_ms.saturating_sub(tolerance_ms) {
        return Err(SignatureError::Stale);
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .map_err(|_| SignatureError::Mismatch)?;
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    let presented = decode_hex(v1).ok_or(SignatureError::Mismatch)?;
    let same = presented.len() == expected.len()
        && presented
            .iter()
            .zip(expected.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        Ok(at_ms)
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The parts of an event the gateway reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// `event_…`: deliveries of one event share it (replays are refused by it).
    pub id: String,
    /// `session.revoked`, `session.created`, `user.updated`…
    pub event: String,
    /// The object; for session events, a Session (`id`, `user_id`…).
    pub data: serde_json::Value,
}

impl WebhookEvent {
    /// Parses a verified body; `None` when it is not an event.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let mut members = Members::of(serde_json::from_slice(body).ok()?, "event").ok()?;
        Some(Self {
            id: members.string("id").ok().filter(|id| !id.is_empty())?,
            event: members.string("event").ok()?,
            data: members.value("data"),
        })
    }

    /// The session id a `session.revoked` event revokes.
    pub fn revoked_session(&self) -> Option<&str> {
        if self.event != "session.revoked" {
            return None;
        }
        self.data
            .get("id")
            .and_then(|id| id.as_str())
            .filter(|id| !id.is_empty())
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| {
            let high = (*pair.first()? as char).to_digit(16)?;
            let low = (*pair.get(1)? as char).to_digit(16)?;
            u8::try_from(high * 16 + low).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::hex_lower;

    const SECRET: &str = "whsec_test";
    const BODY: &[u8] = br#"{"id":"event_1","event":"session.revoked","data":{"id":"session_1"}}"#;

    fn sign(t: &str, body: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        format!("t={t}, v1={}", hex_lower(&mac.finalize().into_bytes()))
    }

    /// The verdict on `header` over the test body at `now`.
    fn at(header: &str, now: u64) -> Result<u64, SignatureError> {
        verify_signature(Some(header), BODY, SECRET, now, DEFAULT_TOLERANCE_MS)
    }

    #[test]
    fn milliseconds_as_the_sdk_writes_them() {
        let now = 1_800_000_000_000;
        let header = sign(&now.to_string(), BODY);
        assert_eq!(at(&header, now + 1_000), Ok(now));
        assert_eq!(at(&header, now + 180_001), Err(SignatureError::Stale));
        // Future timestamps are not refused (as in the SDK).
        assert!(at(&header, now - 600_000).is_ok());
    }

    #[test]
    fn seconds_as_the_emulator_writes_them() {
        let now = 1_800_000_000_000;
        let header = sign("1800000000", BODY);
        assert_eq!(at(&header, now + 5_000), Ok(now));
        assert_eq!(at(&header, now + 200_000), Err(SignatureError::Stale));
    }

    #[test]
    fn forgeries_are_refused() {
        let now = 1_800_000_000_000u64;
        let t = now.to_string();
        let good = sign(&t, BODY);
        let tampered = br#"{"id":"event_1","event":"session.revoked","data":{"id":"session_2"}}"#;
        let check = |h: Option<&str>, body: &[u8]| {
            verify_signature(h, body, SECRET, now, DEFAULT_TOLERANCE_MS)
        };
        assert_eq!(check(Some(&good), tampered), Err(SignatureError::Mismatch));
        assert_eq!(check(None, BODY), Err(SignatureError::Missing));
        assert_eq!(check(Some("v1=00"), BODY), Err(SignatureError::Missing));
        assert_eq!(
            check(Some(&format!("t={t}")), BODY),
            Err(SignatureError::NoV1)
        );
        assert_eq!(
            check(Some(&format!("t={t}, v1=zz")), BODY),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            check(Some(&format!("t={t}, v1=abc")), BODY),
            Err(SignatureError::Mismatch)
        );
        // The signature of another time does not move to this one.
        let (_, v1) = good.split_once(", ").unwrap();
        assert_eq!(
            check(Some(&format!("t={}, {v1}", now + 1)), BODY),
            Err(SignatureError::Mismatch)
        );
        let other_secret =
            verify_signature(Some(&good), BODY, "whsec_other", now, DEFAULT_TOLERANCE_MS);
        assert_eq!(other_secret, Err(SignatureError::Mismatch));
    }

    #[test]
    fn session_revoked_names_its_session() {
        let event = WebhookEvent::parse(BODY).unwrap();
        assert_eq!(event.revoked_session(), Some("session_1"));
        let created =
            WebhookEvent::parse(br#"{"id":"e","event":"session.created","data":{"id":"s"}}"#)
                .unwrap();
        assert_eq!(created.revoked_session(), None);
        assert!(WebhookEvent::parse(b"[]").is_none());
        assert!(WebhookEvent::parse(br#"{"id":"","event":"x"}"#).is_none());
    }
}
