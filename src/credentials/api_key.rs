//! `Authorization: Bearer <organization API key>` (setting `API_KEYS=on`): validated against
//! WorkOS (`POST /api_keys/validations`) and remembered in the isolate by the key's SHA-256,
//! never the key itself.
//!
//! * A valid key is trusted for `API_KEY_CACHE_SECONDS` (so a revoked key works at most that
//!   long after revocation); an unknown key is remembered for [`UNKNOWN_KEY_TTL_MS`], so a
//!   client retrying a bad key does not turn into a WorkOS call per request.
//! * One validation per key is in flight at a time: a burst of requests with a new key costs
//!   one WorkOS call, the rest await the same answer.
//! * WorkOS unreachable or failing is a `503` with `Retry-After`, never a `401`: an outage must
//!   not tell a customer's server that its key is bad.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use workos_edge_core::api::{
    classify_api_key_reply, validate_api_key_request, ApiKey, ApiKeyValidation,
};

use crate::config::Config;
use crate::context::RequestContext;
use crate::error::GatewayError;
use crate::runtime::now_ms as clock_ms;
use crate::workos;

/// How long an unknown key is answered from memory.
pub const UNKNOWN_KEY_TTL_MS: u64 = 5_000;
/// Bound on remembered keys per isolate; a full cache is emptied rather than grown.
const KEY_CACHE_LIMIT: usize = 4096;
/// Requests waiting for another request's validation look for its answer this often. (They
/// poll a timer rather than await the other request's promise: workerd cancels a request
/// that waits on I/O belonging to another request as hung.)
const WAIT_POLL: Duration = Duration::from_millis(20);
/// A validation older than the API timeout plus this margin was abandoned (its request went
/// away): the next request makes its own.
const ABANDONED_AFTER_MARGIN_MS: u64 = 2_000;

/// WorkOS's last answer about one key.
struct Answer {
    validation: Rc<ApiKeyValidation>,
    /// When it arrived (ms): requests that waited for it take it whatever its lifetime.
    finished_ms: u64,
    /// Until when later requests may use it without asking again.
    usable_until_ms: u64,
}

#[derive(Default)]
struct KeyCache {
    /// Answers by key digest.
    answers: HashMap<[u8; 32], Answer>,
    /// Validations under way, by key digest, with their start time.
    in_flight: HashMap<[u8; 32], u64>,
}

thread_local! {
    static KEYS: RefCell<KeyCache> = RefCell::new(KeyCache::default());
}

/// What to do about a key right now.
enum Step {
    Use(Rc<ApiKeyValidation>),
    Wait,
    Validate,
}

/// Validates an API key presented as a bearer value (why WorkOS could not answer goes to the
/// log line through `ctx`).
pub async fn validate(
    key: &str,
    cfg: &Config,
    ctx: &mut RequestContext,
    now_ms: u64,
) -> Result<Rc<ApiKey>, GatewayError> {
    let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
    let abandoned_after = cfg.api_timeout_ms.saturating_add(ABANDONED_AFTER_MARGIN_MS);
    let answer = loop {
        let now = clock_ms();
        let step = KEYS.with(|cache| {
            let mut cache = cache.borrow_mut();
            match cache.answers.get(&digest) {
                Some(answer) if now < answer.usable_until_ms || answer.finished_ms >= now_ms => {
                    return Step::Use(answer.validation.clone());
                }
                _ => {}
            }
            match cache.in_flight.get(&digest) {
                Some(started) if now.saturating_sub(*started) < abandoned_after => Step::Wait,
                _ => {
                    cache.in_flight.insert(digest, now);
                    Step::Validate
                }
            }
        });
        match step {
            Step::Use(answer) => break answer,
            Step::Wait => crate::runtime::sleep(WAIT_POLL).await,
            Step::Validate => break validate_now(key, digest, cfg).await,
        }
    };
    match answer.as_ref() {
        ApiKeyValidation::Valid(key) => Ok(Rc::new(key.as_ref().clone())),
        ApiKeyValidation::Unknown => Err(GatewayError::InvalidToken("the API key is not valid")),
        ApiKeyValidation::Unavailable {
            retry_after,
            reason,
        } => {
            ctx.reason = Some(reason.clone());
            Err(GatewayError::Unavailable {
                retry_after: retry_after.unwrap_or(5),
            })
        }
        ApiKeyValidation::Failed(reason) => Err(GatewayError::Upstream(reason.clone())),
    }
}

/// Asks WorkOS about `key` and records the answer for this isolate.
async fn validate_now(key: &str, digest: [u8; 32], cfg: &Config) -> Rc<ApiKeyValidation> {
    let request = validate_api_key_request(&cfg.api_base_url, &cfg.api_key, key);
    let validation = Rc::new(classify_api_key_reply(
        &workos::send(&request, cfg.api_timeout_ms).await,
    ));
    let ttl_ms = match validation.as_ref() {
        ApiKeyValidation::Valid(_) => cfg.api_key_cache_seconds.saturating_mul(1000),
        ApiKeyValidation::Unknown => UNKNOWN_KEY_TTL_MS,
        // Only the requests that waited for it get this answer: the next one asks again (the
        // outage may be over).
        ApiKeyValidation::Unavailable { .. } | ApiKeyValidation::Failed(_) => 0,
    };
    let finished_ms = clock_ms();
    KEYS.with(|cache| {
        let mut cache = cache.borrow_mut();
        cache.in_flight.remove(&digest);
        if cache.answers.len() >= KEY_CACHE_LIMIT {
            cache.answers.clear();
        }
        cache.answers.insert(
            digest,
            Answer {
                validation: validation.clone(),
                finished_ms,
                usable_until_ms: finished_ms.saturating_add(ttl_ms),
            },
        );
    });
    validation
}
