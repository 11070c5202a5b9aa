//! The inactivity timeout's activity cookie: when a session was last used, MAC-protected and
//! bound to the session id, so it can be renewed now and then instead of resealing the session
//! cookie on every request.
//!
//! The value is `<unix seconds>.<hex HMAC-SHA256>`; the MAC covers a domain tag, the session id
//! and the time, keyed with a cookie password. A value that is missing, malformed, for another
//! session or under an unknown key tells nothing, and the host falls back to a time it can
//! vouch for (the access token's `iat`, which is never later than the last request), so
//! deleting or forging the cookie never extends a session.

use hmac::{digest::KeyInit, Hmac, Mac};
use sha2::Sha256;

use crate::encoding::hex_lower;
use crate::password::PasswordSet;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of MAC kept (hex-encoded in the value): 128 bits.
const MAC_BYTES: usize = 16;
const DOMAIN: &[u8] = b"workos-edge activity v1\0";

/// The cookie value saying session `sid` was active at `now_s`, keyed with the sealing password.
pub fn activity_value(passwords: &PasswordSet, sid: &str, now_s: u64) -> Option<String> {
    let mac = mac_for(passwords.sealing_password().secret_bytes(), sid, now_s)?;
    Some(format!("{now_s}.{}", hex_lower(&mac)))
}

/// When session `sid` was last active according to `value`, if its MAC holds under any of the
/// passwords (previous ones included, so a rotation does not reset anyone's clock).
pub fn last_activity(passwords: &PasswordSet, sid: &str, value: &str) -> Option<u64> {
    let (time, mac_hex) = value.split_once('.')?;
    if time.is_empty() || time.len() > 12 || !time.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let at: u64 = time.parse().ok()?;
    let mac = decode_hex(mac_hex)?;
    let matches = passwords
        .candidates(passwords.sealing_password().id())
        .any(|(password, _)| {
            mac_for(password.secret_bytes(), sid, at)
                .is_some_and(|expected| constant_time_eq(&expected, &mac))
        });
    matches.then_some(at)
}

/// Whether a session last active at `last_s` has been idle longer than `timeout_s` at `now_s`.
pub fn is_idle(last_s: u64, now_s: u64, timeout_s: u64) -> bool {
    now_s.saturating_sub(last_s) > timeout_s
}

/// Whether the cookie should be rewritten: it is missing, or older than a quarter of the
/// timeout (so an active user's cookie is written at most about four times per timeout).
pub fn needs_renewal(last_s: Option<u64>, now_s: u64, timeout_s: u64) -> bool {
    last_s.is_none_or(|last| now_s.saturating_sub(last) >= (timeout_s / 4).max(1))
}

/// `None` only if HMAC refused the key, which it does for no length.
fn mac_for(key: &[u8], sid: &str, at: u64) -> Option<[u8; MAC_BYTES]> {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).ok()?;
    mac.update(DOMAIN);
    mac.update(sid.as_bytes());
    mac.update(b"\0");
    mac.update(at.to_string().as_bytes());
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; MAC_BYTES];
    for (slot, byte) in out.iter_mut().zip(full) {
        *slot = byte;
    }
    Some(out)
}

fn decode_hex(text: &str) -> Option<[u8; MAC_BYTES]> {
    if text.len() != MAC_BYTES * 2 {
        return None;
    }
    let mut out = [0u8; MAC_BYTES];
    for (slot, pair) in out.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let high = (*pair.first()? as char).to_digit(16)?;
        let low = (*pair.get(1)? as char).to_digit(16)?;
        *slot = u8::try_from(high * 16 + low).ok()?;
    }
    Some(out)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> PasswordSet {
        PasswordSet::single("an-activity-test-password-of-32-chars").unwrap()
    }

    #[test]
    fn a_value_reads_back_for_its_session_only() {
        let value = activity_value(&set(), "session_1", 1_700_000_000).unwrap();
        assert_eq!(
            last_activity(&set(), "session_1", &value),
            Some(1_700_000_000)
        );
        assert_eq!(last_activity(&set(), "session_2", &value), None);
        let other = PasswordSet::single("another-activity-password-of-32-ch").unwrap();
        assert_eq!(last_activity(&other, "session_1", &value), None);
    }

    #[test]
    fn a_moved_clock_or_a_broken_value_tells_nothing() {
        let value = activity_value(&set(), "s", 1_000).unwrap();
        let (_, mac) = value.split_once('.').unwrap();
        assert_eq!(last_activity(&set(), "s", &format!("2000.{mac}")), None);
        for bad in [
            "", ".", "1000", "1000.", "x.00", "1000.zz", "-1.00", "1e3.00",
        ] {
            assert_eq!(last_activity(&set(), "s", bad), None, "{bad:?}");
        }
    }

    #[test]
    fn previous_passwords_keep_the_clock_through_a_rotation() {
        let old = set();
        let value = activity_value(&old, "s", 5).unwrap();
        let rotated = PasswordSet::single("a-brand-new-activity-password-32-chars")
            .unwrap()
            .with_previous(["an-activity-test-password-of-32-chars"])
            .unwrap();
        assert_eq!(last_activity(&rotated, "s", &value), Some(5));
    }

    #[test]
    fn idleness_and_renewal() {
        assert!(!is_idle(100, 160, 60));
        assert!(is_idle(100, 161, 60));
        assert!(needs_renewal(None, 0, 60));
        assert!(!needs_renewal(Some(100), 114, 60));
        assert!(needs_renewal(Some(100), 115, 60));
        assert!(needs_renewal(Some(100), 101, 1));
    }
}
