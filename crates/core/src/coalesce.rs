//! One refresh per refresh token: the state machine that coalesces concurrent refreshes.
//!
//! WorkOS refresh tokens are single use. Two tabs (or two isolates) that refresh the same
//! session at once would spend it twice, and the loser is signed out (`invalid_grant`): the
//! race authkit-nextjs and oauth2-proxy users report. So every refresh first [`enter`]s here:
//! the first caller for a key **leads** (performs the refresh), later callers **wait** for it,
//! and once it [`complete`]s, callers within the grace period **reuse** its result (tabs that
//! still hold the old cookie get the same new cookie). Failures are not kept: the next caller
//! leads again.
//!
//! It is pure (time comes in as arguments) so the Worker's in-isolate path and its Durable
//! Object run the very same machine, and it is tested natively.
//!
//! [`enter`]: Coalescer::enter
//! [`complete`]: Coalescer::complete

use std::collections::HashMap;

use sha2::{Digest, Sha256};

/// How long results are shared and how long callers wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoalescerTiming {
    /// A completed refresh is handed to later callers with the same key this long.
    pub grace_ms: u64,
    /// A caller stops waiting after this long and leads itself; an in-flight slot older than
    /// this is considered abandoned (its leader died).
    pub wait_ms: u64,
}

impl Default for CoalescerTiming {
    fn default() -> Self {
        Self {
            grace_ms: 30_000,
            wait_ms: 10_000,
        }
    }
}

/// What a caller should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry<V> {
    /// Perform the refresh, then call [`Coalescer::complete`] with this ticket.
    Lead(Ticket),
    /// Someone else is refreshing: look again shortly.
    Wait,
    /// Someone else refreshed moments ago: use this.
    Reuse(V),
}

/// Proof of leadership, handed back on completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

#[derive(Debug)]
enum Slot<V> {
    InFlight { since_ms: u64, ticket: u64 },
    Done { at_ms: u64, value: V },
}

#[derive(Debug)]
struct Tracked<V> {
    slot: Slot<V>,
    /// The sessions the refresh belongs to (before, and after when the refresh gave the
    /// session a new id), so that signing out with either cookie ends the replay.
    sessions: Vec<String>,
}

/// The coalescing state for one isolate or one Durable Object.
#[derive(Debug)]
pub struct Coalescer<V> {
    slots: HashMap<[u8; 32], Tracked<V>>,
    timing: CoalescerTiming,
    limit: usize,
    next_ticket: u64,
}

impl<V: Clone> Coalescer<V> {
    /// An empty coalescer tracking at most `limit` keys (past that, callers lead without
    /// coalescing rather than growing memory without bound).
    pub fn new(timing: CoalescerTiming, limit: usize) -> Self {
        Self {
            slots: HashMap::new(),
            timing,
            limit,
            next_ticket: 1,
        }
    }

    /// Changes the timing (hosts derive the wait from their API timeout, which is a setting).
    pub fn set_timing(&mut self, timing: CoalescerTiming) {
        self.timing = timing;
    }

    /// Enters for `key` at `now_ms`; `waiting_since_ms` is when this caller first entered
    /// (equal to `now_ms` on the first call), `session` the session id when known.
    pub fn enter(
        &mut self,
        key: [u8; 32],
        session: Option<&str>,
        now_ms: u64,
        waiting_since_ms: u64,
    ) -> Entry<V> {
        self.prune(now_ms);
        if let Some(tracked) = self.slots.get(&key) {
            match &tracked.slot {
                Slot::Done { value, .. } => return Entry::Reuse(value.clone()),
                Slot::InFlight { .. }
                    if now_ms.saturating_sub(waiting_since_ms) < self.timing.wait_ms =>
                {
                    return Entry::Wait
                }
                // Waited long enough: take over below.
                Slot::InFlight { .. } => {}
            }
        } else if self.slots.len() >= self.limit {
            return Entry::Lead(Ticket(0));
        }
        let ticket = self.next_ticket;
        self.next_ticket = self.next_ticket.wrapping_add(1).max(1);
        self.slots.insert(
            key,
            Tracked {
                slot: Slot::InFlight {
                    since_ms: now_ms,
                    ticket,
                },
                sessions: session.map(str::to_owned).into_iter().collect(),
            },
        );
        Entry::Lead(Ticket(ticket))
    }

    /// Records the leader's outcome: `Some(value)` is shared for the grace period, `None`
    /// (a failure) frees the key so the next caller tries again. `new_session` is the session
    /// id of the result when the refresh changed it. A ticket whose slot was taken over or
    /// forgotten records nothing.
    pub fn complete(
        &mut self,
        key: [u8; 32],
        ticket: Ticket,
        now_ms: u64,
        outcome: Option<V>,
        new_session: Option<&str>,
    ) {
        let Some(tracked) = self.slots.get_mut(&key) else {
            return;
        };
        if !matches!(tracked.slot, Slot::InFlight { ticket: t, .. } if t == ticket.0) {
            return;
        }
        if let Some(session) = new_session {
            if !tracked.sessions.iter().any(|s| s == session) {
                tracked.sessions.push(session.to_owned());
            }
        }
        match outcome {
            Some(value) => {
                tracked.slot = Slot::Done {
                    at_ms: now_ms,
                    value,
                }
            }
            None => {
                self.slots.remove(&key);
            }
        }
    }

    /// Ends every replay for `session` (after a sign-out, the old cookie must not fetch the
    /// new one).
    pub fn forget_session(&mut self, session: &str) {
        self.slots
            .retain(|_, tracked| !tracked.sessions.iter().any(|s| s == session));
    }

    /// Ends every replay and wait (the session signed out).
    pub fn clear(&mut self) {
        self.slots.clear();
    }

    /// Ends the replay for one key.
    pub fn forget(&mut self, key: &[u8; 32]) {
        self.slots.remove(key);
    }

    /// Keys currently tracked.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn prune(&mut self, now_ms: u64) {
        let timing = self.timing;
        self.slots.retain(|_, tracked| match tracked.slot {
            Slot::Done { at_ms, .. } => now_ms.saturating_sub(at_ms) < timing.grace_ms,
            Slot::InFlight { since_ms, .. } => now_ms.saturating_sub(since_ms) < timing.wait_ms,
        });
    }
}

/// The coalescing key of a refresh: the refresh token and the target organization, each
/// length-prefixed so that no two different pairs hash alike.
pub fn refresh_key(refresh_token: &str, organization_id: Option<&str>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"workos-edge refresh v1\0");
    hasher.update((refresh_token.len() as u64).to_be_bytes());
    hasher.update(refresh_token.as_bytes());
    match organization_id {
        None => hasher.update([0]),
        Some(org) => {
            hasher.update([1]);
            hasher.update((org.len() as u64).to_be_bytes());
            hasher.update(org.as_bytes());
        }
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [u8; 32] = [1; 32];
    const B: [u8; 32] = [2; 32];

    fn coalescer() -> Coalescer<&'static str> {
        Coalescer::new(CoalescerTiming::default(), 16)
    }

    fn lead(entry: Entry<&str>) -> Ticket {
        match entry {
            Entry::Lead(ticket) => ticket,
            other => panic!("expected to lead, got {other:?}"),
        }
    }

    #[test]
    fn first_leads_others_wait_then_reuse() {
        let mut c = coalescer();
        let ticket = lead(c.enter(A, Some("s1"), 0, 0));
        assert_eq!(c.enter(A, None, 5, 5), Entry::Wait);
        assert!(matches!(c.enter(B, None, 5, 5), Entry::Lead(_)));
        c.complete(A, ticket, 100, Some("new"), None);
        assert_eq!(c.enter(A, None, 200, 5), Entry::Reuse("new"));
        assert_eq!(c.enter(A, None, 29_000, 29_000), Entry::Reuse("new"));
        // Past the grace period the key is free again.
        assert!(matches!(c.enter(A, None, 30_100, 30_100), Entry::Lead(_)));
    }

    #[test]
    fn failures_are_not_replayed() {
        let mut c = coalescer();
        let ticket = lead(c.enter(A, None, 0, 0));
        assert_eq!(c.enter(A, None, 1, 1), Entry::Wait);
        c.complete(A, ticket, 2, None, None);
        assert!(matches!(c.enter(A, None, 3, 1), Entry::Lead(_)));
    }

    #[test]
    fn waiters_take_over_from_a_leader_that_never_returns() {
        let mut c = coalescer();
        let first = lead(c.enter(A, None, 0, 0));
        assert_eq!(c.enter(A, None, 9_999, 0), Entry::Wait);
        let second = lead(c.enter(A, None, 10_000, 0));
        assert_ne!(first, second);
        // The first leader's late answer is ignored; the second one's counts.
        c.complete(A, first, 10_001, Some("late"), None);
        assert_eq!(c.enter(A, None, 10_002, 10_002), Entry::Wait);
        c.complete(A, second, 10_003, Some("second"), None);
        assert_eq!(c.enter(A, None, 10_004, 10_004), Entry::Reuse("second"));
    }

    #[test]
    fn sign_out_ends_the_replay() {
        let mut c = coalescer();
        let ticket = lead(c.enter(A, Some("s1"), 0, 0));
        c.complete(A, ticket, 1, Some("new"), None);
        let other = lead(c.enter(B, Some("s2"), 1, 1));
        c.complete(B, other, 1, Some("other"), None);
        c.forget_session("s1");
        assert!(matches!(c.enter(A, None, 2, 2), Entry::Lead(_)));
        assert_eq!(c.enter(B, None, 2, 2), Entry::Reuse("other"));
    }

    #[test]
    fn sign_out_with_the_new_session_id_ends_the_replay_too() {
        let mut c = coalescer();
        let ticket = lead(c.enter(A, Some("s1"), 0, 0));
        c.complete(A, ticket, 1, Some("new"), Some("s2"));
        c.forget_session("s2");
        assert!(matches!(c.enter(A, None, 2, 2), Entry::Lead(_)));
    }

    #[test]
    fn bounded() {
        let mut c = Coalescer::<u8>::new(CoalescerTiming::default(), 2);
        lead_any(&mut c, [1; 32]);
        lead_any(&mut c, [2; 32]);
        assert_eq!(c.enter([3; 32], None, 0, 0), Entry::Lead(Ticket(0)));
        assert_eq!(c.len(), 2);
        // An untracked leader's completion records nothing.
        c.complete([3; 32], Ticket(0), 1, Some(9), None);
        assert_eq!(c.len(), 2);
    }

    fn lead_any(c: &mut Coalescer<u8>, key: [u8; 32]) {
        assert!(matches!(c.enter(key, None, 0, 0), Entry::Lead(Ticket(t)) if t > 0));
    }

    #[test]
    fn keys_are_length_prefixed() {
        assert_ne!(refresh_key("ab", Some("c")), refresh_key("a", Some("bc")));
        assert_ne!(refresh_key("abc", None), refresh_key("ab", Some("c")));
        assert_ne!(refresh_key("a", Some("")), refresh_key("a", None));
        assert_eq!(refresh_key("a", Some("b")), refresh_key("a", Some("b")));
    }
}
