//! Breaking sign-in loops.
//!
//! When a browser completes sign-in but never sends the session back (the cookie was dropped:
//! a wrong `WORKOS_COOKIE_DOMAIN`, `SameSite` across sites, a blocked cookie, a proxy that eats
//! `Set-Cookie`), every page sends it to sign-in again and WorkOS signs it straight back in,
//! forever. The callback counts completed sign-ins in a small cookie; the first request that
//! arrives with a working session deletes it. A browser that comes back to `/auth/login`
//! after [`LOOP_LIMIT`] completed sign-ins within [`LOOP_WINDOW_SECONDS`] and no session in
//! between is shown an error page that says why, instead of another redirect.
//!
//! The counter is not signed. A client can lower its own count (which only lets it loop), and
//! a counter planted by a sibling subdomain can block sign-in for one window at most: a count
//! dated in the future is ignored.

/// The name of the counter cookie.
pub const COUNTER_COOKIE: &str = "wos-sign-ins";
/// Completed sign-ins, without a session seen since, that make the next one a loop.
pub const LOOP_LIMIT: u32 = 3;
/// The window they are counted in (seconds); also the counter cookie's lifetime.
pub const LOOP_WINDOW_SECONDS: u64 = 60;

/// The counter after one more completed sign-in at `now_s` (`<count>.<first at>`).
pub fn count_sign_in(counter: Option<&str>, now_s: u64) -> String {
    match parse(counter) {
        Some((count, first)) if first <= now_s && now_s - first < LOOP_WINDOW_SECONDS => {
            format!("{}.{first}", count.saturating_add(1))
        }
        _ => format!("1.{now_s}"),
    }
}

/// `Some(seconds to wait)` when a new sign-in at `now_s` would continue a loop.
pub fn loop_detected(counter: Option<&str>, now_s: u64) -> Option<u64> {
    let (count, first) = parse(counter).filter(|&(_, first)| first <= now_s)?;
    let age = now_s.saturating_sub(first);
    (count >= LOOP_LIMIT && age < LOOP_WINDOW_SECONDS).then(|| LOOP_WINDOW_SECONDS - age)
}

fn parse(counter: Option<&str>) -> Option<(u32, u64)> {
    let (count, first) = counter?.split_once('.')?;
    Some((count.parse().ok()?, first.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_sign_ins_within_a_minute_without_a_session_are_a_loop() {
        let one = count_sign_in(None, 1_000);
        assert_eq!(loop_detected(Some(&one), 1_001), None);
        let two = count_sign_in(Some(&one), 1_002);
        let three = count_sign_in(Some(&two), 1_004);
        assert_eq!(three, "3.1000");
        assert_eq!(loop_detected(Some(&three), 1_005), Some(55));
        assert_eq!(
            loop_detected(Some(&three), 1_060),
            None,
            "the window has passed"
        );
        assert_eq!(count_sign_in(Some(&three), 1_070), "1.1070", "a new window");
    }

    #[test]
    fn a_counter_dated_in_the_future_blocks_nothing() {
        assert_eq!(loop_detected(Some("3.9999999999"), 1_000), None);
        assert_eq!(count_sign_in(Some("3.9999999999"), 1_000), "1.1000");
    }

    #[test]
    fn a_broken_counter_counts_as_none() {
        for bad in ["", "x", "3", "3.", "a.b", "-1.5"] {
            assert_eq!(loop_detected(Some(bad), 10), None, "{bad}");
            assert_eq!(count_sign_in(Some(bad), 10), "1.10");
        }
    }
}
