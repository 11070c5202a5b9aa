//! The refresh itself (one WorkOS call, resealed with our passwords) and its coalescing inside
//! this isolate, which the Durable Object also runs over its own [`Coalescer`].

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use workos_edge_core::coalesce::{refresh_key, Coalescer, CoalescerTiming, Entry};
use workos_edge_core::iron::SealRandomness;
use workos_edge_core::jwt::decode_claims_unverified;
use workos_edge_core::refresh::{
    complete_refresh, plan_refresh, ApiError, ClientConfig, RefreshFailure, RefreshFailureReason,
    RefreshPlan,
};
use workos_edge_core::SessionCookieData;

use super::Refreshed;
use crate::config::Config;
use crate::runtime::{now_ms, random_bytes};
use crate::workos;

/// How often a request waiting for another request's refresh looks for the result. Waiters
/// poll with their own timers instead of awaiting the leader's future: workerd ties every
/// promise to the request that created it, and a request that only waits on another request's
/// I/O is cancelled as hung.
const POLL: Duration = Duration::from_millis(20);
/// Sessions refreshing at once that one isolate tracks.
const ISOLATE_LIMIT: usize = 4096;
/// See [`timing`].
const TAKEOVER_MARGIN_MS: u64 = 2_000;

/// One coalescer per Durable Object or isolate.
pub type SharedCoalescer = Rc<RefCell<Coalescer<Refreshed>>>;

/// A new, empty coalescer (its timing is set from the settings on every use).
pub fn new_coalescer(limit: usize) -> SharedCoalescer {
    Rc::new(RefCell::new(Coalescer::new(
        CoalescerTiming::default(),
        limit,
    )))
}

/// Results are replayed 30 s; a waiter takes over only once the leader's WorkOS call must have
/// ended (its whole deadline, plus a margin for sealing and scheduling). Taking over earlier
/// would spend the single-use refresh token twice.
pub fn timing(cfg: &Config) -> CoalescerTiming {
    CoalescerTiming {
        grace_ms: CoalescerTiming::default().grace_ms,
        wait_ms: cfg.api_timeout_ms.saturating_add(TAKEOVER_MARGIN_MS),
    }
}

thread_local! {
    static ISOLATE: SharedCoalescer = new_coalescer(ISOLATE_LIMIT);
}

/// Opens the cookie and describes the refresh call (the core checks it can be refreshed).
pub fn plan(
    cfg: &Config,
    sealed: &str,
    now_ms: u64,
    organization_id: Option<&str>,
) -> Result<RefreshPlan, RefreshFailure> {
    let client = ClientConfig {
        base_url: cfg.api_base_url.clone(),
        client_id: cfg.client_id.clone(),
        api_key: Some(cfg.api_key.clone()),
    };
    plan_refresh(
        Some(sealed),
        &cfg.passwords,
        now_ms,
        &client,
        organization_id,
    )
}

/// The session id of a cookie's access token (decoded: the cookie's MAC vouches for it).
pub fn session_id(session: &SessionCookieData) -> Option<String> {
    decode_claims_unverified(session.access_token()?).ok()?.sid
}

/// Refreshes `sealed`, coalesced with every other refresh of the same token in this isolate.
pub async fn refresh(
    cfg: &Config,
    sealed: &str,
    now_ms: u64,
    organization_id: Option<&str>,
) -> Result<Refreshed, RefreshFailure> {
    let coalescer = ISOLATE.with(Rc::clone);
    refresh_with(&coalescer, cfg, sealed, now_ms, organization_id)
        .await
        .0
}

/// Refreshes `sealed` under `coalescer` (this isolate's, or a Durable Object's); the flag says
/// whether this call performed the WorkOS call (rather than waiting for or reusing another's).
///
/// Coalescing is per refresh token, whatever the target organization: an organization switch
/// racing a plain refresh of the same token must not spend it twice. A switch that finds a
/// plain refresh under way (or just done) waits for it, then switches from its result.
pub async fn refresh_with(
    coalescer: &SharedCoalescer,
    cfg: &Config,
    sealed: &str,
    now_ms: u64,
    organization_id: Option<&str>,
) -> (Result<Refreshed, RefreshFailure>, bool) {
    coalescer.borrow_mut().set_timing(timing(cfg));
    let mut sealed = sealed.to_owned();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let plan = match plan(cfg, &sealed, now_ms, organization_id) {
            Ok(plan) => plan,
            Err(failure) => return (Err(failure), false),
        };
        let key = refresh_key(plan.previous.refresh_token().unwrap_or_default(), None);
        let session = session_id(&plan.previous);
        let (result, performed) =
            coalesced(coalescer, key, session.as_deref(), || perform(cfg, &plan)).await;
        match (&result, organization_id) {
            (Ok(refreshed), Some(org))
                if !performed
                    && attempts < 2
                    && refreshed.claims.org_id.as_deref() != Some(org) =>
            {
                sealed = refreshed.sealed.clone();
            }
            _ => return (result, performed),
        }
    }
}

/// Runs `work` as the leader for `key`, or waits for the leader, or reuses its result; the flag
/// says whether `work` ran.
async fn coalesced<F, Fut>(
    coalescer: &SharedCoalescer,
    key: [u8; 32],
    session: Option<&str>,
    work: F,
) -> (Result<Refreshed, RefreshFailure>, bool)
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Refreshed, RefreshFailure>>,
{
    let waiting_since = now_ms();
    let ticket = loop {
        let entry = coalescer
            .borrow_mut()
            .enter(key, session, now_ms(), waiting_since);
        match entry {
            Entry::Lead(ticket) => break ticket,
            Entry::Reuse(refreshed) => return (Ok(refreshed), false),
            Entry::Wait => crate::runtime::sleep(POLL).await,
        }
    };
    let result = work().await;
    // The emulator gives a refreshed session a new id (WorkOS keeps it): remember both, so a
    // sign-out with either cookie ends the replay.
    let new_session = result.as_ref().ok().and_then(|r| session_id(&r.cookie));
    coalescer.borrow_mut().complete(
        key,
        ticket,
        now_ms(),
        result.as_ref().ok().cloned(),
        new_session.as_deref(),
    );
    (result, true)
}

/// The WorkOS call and the new seal.
pub async fn perform(cfg: &Config, plan: &RefreshPlan) -> Result<Refreshed, RefreshFailure> {
    let randomness = random_bytes().map_err(|_| {
        // No randomness, no seal: transient from the user's point of view.
        RefreshFailure::Failed {
            reason: RefreshFailureReason::ServerError,
            retry_after: None,
            error: Some(ApiError::other("randomness unavailable")),
        }
    })?;
    let reply = workos::send(&plan.request, cfg.api_timeout_ms).await;
    complete_refresh(
        &reply,
        &cfg.passwords,
        &SealRandomness::from_bytes(randomness),
        None,
    )
    .map(Refreshed::from)
}

/// Ends this isolate's replays for session `sid`.
pub fn forget_session_id(sid: &str) {
    ISOLATE.with(|c| c.borrow_mut().forget_session(sid));
}

/// Ends this isolate's replays for the session in `session`.
pub fn forget_session(session: &SessionCookieData) {
    if let Some(sid) = session_id(session) {
        ISOLATE.with(|c| c.borrow_mut().forget_session(&sid));
    }
    if let Some(token) = session.refresh_token() {
        ISOLATE.with(|c| c.borrow_mut().forget(&refresh_key(token, None)));
    }
}
