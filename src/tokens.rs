//! Access-token checks in the isolate: the JWKS and verified tokens cached in memory, and the
//! RSA signature checked by the runtime's WebCrypto (several times faster than RSA in wasm).
//!
//! The JWKS is fetched by one request at a time (others wait for it, as refreshes do), and a
//! failed fetch is remembered for [`JWKS_FAILURE_TTL_MS`]: a slow or failing WorkOS must not
//! make every request of the isolate wait out the API timeout.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};
use workos_edge_core::jwt::{self, Jwk, Jwks, JwtError, VerifiedAccessToken, VerifyOptions};

use crate::cache::{token_tag, TaggedCache};
use crate::runtime::{now_ms as clock_ms, subtle};
use crate::workos::{self, JwksFailure};

/// jose's defaults, which the SDK uses: keep a JWKS 10 minutes, and after an unknown `kid`
/// refetch at most once per cool-down.
const JWKS_MAX_AGE_MS: u64 = 10 * 60 * 1000;
const JWKS_REFETCH_COOLDOWN_MS: u64 = 30 * 1000;
/// Bound on remembered tokens per isolate; a full cache is emptied rather than grown.
const TOKEN_CACHE_LIMIT: usize = 4096;
/// Bound on the bytes of remembered tokens.
const TOKEN_CACHE_BYTES: usize = 8 * 1024 * 1024;
/// Bound on imported WebCrypto keys (a JWKS holds a handful).
const KEY_CACHE_LIMIT: usize = 64;
/// After a failed JWKS fetch, requests that need one fail fast for this long.
pub const JWKS_FAILURE_TTL_MS: u64 = 10_000;
/// Requests waiting for another request's JWKS fetch look for it this often.
const JWKS_POLL: Duration = Duration::from_millis(20);

struct IsolateCaches {
    jwks: Option<(Rc<Jwks>, u64)>,
    last_forced_refetch_ms: u64,
    /// When the JWKS fetch under way started, if one is.
    jwks_fetch_started_ms: Option<u64>,
    /// When the last JWKS fetch failed, and why.
    jwks_failure: Option<(u64, JwksFailure)>,
    keys: HashMap<String, CryptoKey>,
    tokens: TaggedCache<VerifiedAccessToken>,
}

impl Default for IsolateCaches {
    fn default() -> Self {
        Self {
            jwks: None,
            last_forced_refetch_ms: 0,
            jwks_fetch_started_ms: None,
            jwks_failure: None,
            keys: HashMap::new(),
            tokens: TaggedCache::new(TOKEN_CACHE_LIMIT, TOKEN_CACHE_BYTES),
        }
    }
}

thread_local! {
    static CACHES: RefCell<IsolateCaches> = RefCell::new(IsolateCaches::default());
}

/// Why a token could not be judged or was refused.
#[derive(Debug)]
pub enum TokenCheckError {
    /// The token is not valid.
    Invalid(JwtError),
    /// The JWKS could not be fetched, so nothing can be said about the token.
    JwksUnavailable(JwksFailure),
}

/// Where the JWKS comes from.
pub struct JwksSource<'a> {
    /// `WORKOS_API_BASE_URL`.
    pub api_base_url: &'a str,
    /// `WORKOS_CLIENT_ID`.
    pub client_id: &'a str,
    /// `WORKOS_API_TIMEOUT_MS`.
    pub timeout_ms: u64,
}

/// Verifies a WorkOS access token at `now_ms`, using and filling the isolate caches.
pub async fn verify_access_token(
    token: &str,
    source: &JwksSource<'_>,
    options: &VerifyOptions,
    now_ms: u64,
) -> Result<VerifiedAccessToken, TokenCheckError> {
    let now_s = (now_ms / 1000) as i64;
    let tag = token_tag(token);
    if let Some(cached) = CACHES.with(|c| c.borrow().tokens.get(token, tag).cloned()) {
        let leeway = options.leeway_seconds as i64;
        if cached.expires_at.is_none_or(|exp| exp > now_s - leeway) {
            return Ok(cached);
        }
        return Err(TokenCheckError::Invalid(JwtError::Expired));
    }

    let mut jwks = cached_jwks(source, now_ms).await?;
    let pending = match jwt::prepare(token, &jwks) {
        Err(JwtError::UnknownKeyId(kid)) => {
            // WorkOS may have rotated keys: refetch once, within the cool-down.
            let allowed = CACHES.with(|c| {
                now_ms.saturating_sub(c.borrow().last_forced_refetch_ms) >= JWKS_REFETCH_COOLDOWN_MS
            });
            if !allowed {
                return Err(TokenCheckError::Invalid(JwtError::UnknownKeyId(kid)));
            }
            CACHES.with(|c| c.borrow_mut().last_forced_refetch_ms = now_ms);
            jwks = jwks_fetch(source, now_ms).await?;
            jwt::prepare(token, &jwks)
        }
        other => other,
    }
    .map_err(TokenCheckError::Invalid)?;

    let mut valid = false;
    for key in pending.candidate_keys() {
        if webcrypto_verify(key, pending.signed_data(), pending.signature()).await {
            valid = true;
            break;
        }
    }
    let verified = pending
        .finish(valid, now_s, options)
        .map_err(TokenCheckError::Invalid)?;
    CACHES.with(|c| c.borrow_mut().tokens.insert(token, tag, verified.clone()));
    Ok(verified)
}

async fn cached_jwks(source: &JwksSource<'_>, now_ms: u64) -> Result<Rc<Jwks>, TokenCheckError> {
    let cached = CACHES.with(|c| c.borrow().jwks.clone());
    match cached {
        Some((jwks, fetched_at)) if now_ms.saturating_sub(fetched_at) < JWKS_MAX_AGE_MS => Ok(jwks),
        Some((jwks, _)) => match jwks_fetch(source, now_ms).await {
            Ok(fresh) => Ok(fresh),
            // A stale key set still verifies tokens signed by keys it has: better than failing.
            Err(_) => Ok(jwks),
        },
        None => jwks_fetch(source, now_ms).await,
    }
}

/// Fetches the JWKS, single-flight per isolate, failing fast after a recent failure.
async fn jwks_fetch(source: &JwksSource<'_>, started_ms: u64) -> Result<Rc<Jwks>, TokenCheckError> {
    let wait_limit_ms = source.timeout_ms.saturating_mul(2);
    loop {
        let now = clock_ms();
        let state = CACHES.with(|c| {
            let caches = c.borrow();
            (
                caches.jwks_failure.clone(),
                caches.jwks_fetch_started_ms,
                caches.jwks.clone(),
            )
        });
        match state {
            (Some((failed_at, failure)), _, _)
                if now.saturating_sub(failed_at) < JWKS_FAILURE_TTL_MS =>
            {
                let remaining_s =
                    (JWKS_FAILURE_TTL_MS - now.saturating_sub(failed_at)).div_ceil(1000);
                return Err(TokenCheckError::JwksUnavailable(JwksFailure {
                    reason: format!("{} (remembered)", failure.reason),
                    retry_after: failure.retry_after.or(Some(remaining_s.max(1))),
                }));
            }
            // Someone else's fetch finished since we started waiting: use its result.
            (_, None, Some((jwks, fetched_at))) if fetched_at >= started_ms => return Ok(jwks),
            (_, Some(since), _)
                if now.saturating_sub(since) < source.timeout_ms
                    && now.saturating_sub(started_ms) < wait_limit_ms =>
            {
                crate::runtime::sleep(JWKS_POLL).await;
            }
            _ => break,
        }
    }
    CACHES.with(|c| c.borrow_mut().jwks_fetch_started_ms = Some(clock_ms()));
    let fetched = workos::fetch_jwks(source.api_base_url, source.client_id, source.timeout_ms)
        .await
        .map(Rc::new);
    let finished = clock_ms();
    CACHES.with(|c| {
        let mut caches = c.borrow_mut();
        caches.jwks_fetch_started_ms = None;
        match &fetched {
            Ok(jwks) => {
                caches.jwks = Some((jwks.clone(), finished));
                caches.jwks_failure = None;
            }
            Err(reason) => caches.jwks_failure = Some((finished, reason.clone())),
        }
    });
    fetched.map_err(TokenCheckError::JwksUnavailable)
}

fn rs256_algorithm() -> Object {
    let algorithm = Object::new();
    let hash = Object::new();
    let _ = Reflect::set(&hash, &"name".into(), &"SHA-256".into());
    let _ = Reflect::set(&algorithm, &"name".into(), &"RSASSA-PKCS1-v1_5".into());
    let _ = Reflect::set(&algorithm, &"hash".into(), &hash);
    algorithm
}

async fn crypto_key(subtle: &SubtleCrypto, jwk: &Jwk) -> Option<CryptoKey> {
    let (n, e) = (jwk.n.as_deref()?, jwk.e.as_deref()?);
    let cache_key = format!("{}|{n}|{e}", jwk.kid.as_deref().unwrap_or_default());
    if let Some(key) = CACHES.with(|c| c.borrow().keys.get(&cache_key).cloned()) {
        return Some(key);
    }
    let key_data = Object::new();
    for (name, value) in [("kty", "RSA"), ("n", n), ("e", e), ("alg", "RS256")] {
        Reflect::set(&key_data, &name.into(), &value.into()).ok()?;
    }
    let usages = Array::of1(&"verify".into());
    let promise = subtle
        .import_key_with_object("jwk", &key_data, &rs256_algorithm(), false, &usages)
        .ok()?;
    let key: CryptoKey = JsFuture::from(promise).await.ok()?.unchecked_into();
    CACHES.with(|c| {
        let mut caches = c.borrow_mut();
        if caches.keys.len() >= KEY_CACHE_LIMIT {
            caches.keys.clear();
        }
        caches.keys.insert(cache_key, key.clone());
    });
    Some(key)
}

/// RSASSA-PKCS1-v1_5 / SHA-256 through WebCrypto.
async fn webcrypto_verify(jwk: &Jwk, signed_data: &[u8], signature: &[u8]) -> bool {
    let Some(subtle) = subtle() else { return false };
    let Some(key) = crypto_key(&subtle, jwk).await else {
        return false;
    };
    let Ok(promise) = subtle.verify_with_object_and_u8_array_and_u8_array(
        &rs256_algorithm(),
        &key,
        signature,
        signed_data,
    ) else {
        return false;
    };
    matches!(
        JsFuture::from(promise).await.map(|v| v.as_bool()),
        Ok(Some(true))
    )
}
