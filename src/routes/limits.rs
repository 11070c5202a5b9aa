//! Per-session limits on the routes that fan out to WorkOS (listing and revoking sessions):
//! one signed-in user must not be able to turn the gateway into a WorkOS load generator.
//! Counted per isolate, which is where the cost lands.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::error::GatewayError;

/// Calls per session per window.
const CALLS_PER_WINDOW: u32 = 20;
/// The window, in ms.
const WINDOW_MS: u64 = 60_000;
/// Sessions tracked per isolate; past this the table starts over.
const TRACKED_LIMIT: usize = 4096;

/// `(route, session)` → `(window start, calls in it)`.
type Windows = HashMap<(&'static str, String), (u64, u32)>;

thread_local! {
    static WINDOWS: RefCell<Windows> = RefCell::new(HashMap::new());
}

/// Counts one call of `route` by `session`; `Err(RateLimited)` once the window is full.
pub fn check(route: &'static str, session: &str, now_ms: u64) -> Result<(), GatewayError> {
    WINDOWS.with(|w| {
        let mut windows = w.borrow_mut();
        if windows.len() >= TRACKED_LIMIT {
            windows.retain(|_, (start, _)| now_ms.saturating_sub(*start) < WINDOW_MS);
            if windows.len() >= TRACKED_LIMIT {
                windows.clear();
            }
        }
        let entry = windows
            .entry((route, session.to_owned()))
            .or_insert((now_ms, 0));
        count(entry, now_ms)
    })
}

/// One call against a `(window start, calls)` entry.
fn count(entry: &mut (u64, u32), now_ms: u64) -> Result<(), GatewayError> {
    if now_ms.saturating_sub(entry.0) >= WINDOW_MS {
        *entry = (now_ms, 0);
    }
    if entry.1 >= CALLS_PER_WINDOW {
        let retry_after = (WINDOW_MS - now_ms.saturating_sub(entry.0)).div_ceil(1000);
        return Err(GatewayError::RateLimited {
            retry_after: retry_after.max(1),
        });
    }
    entry.1 += 1;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        let mut entry = (0, 0);
        for _ in 0..CALLS_PER_WINDOW {
            assert!(count(&mut entry, 1_000).is_ok());
        }
        match count(&mut entry, 30_000) {
            Err(GatewayError::RateLimited { retry_after }) => assert_eq!(retry_after, 30),
            other => panic!("expected a limit, got {other:?}"),
        }
        assert!(count(&mut entry, 60_000).is_ok());
    }
}
