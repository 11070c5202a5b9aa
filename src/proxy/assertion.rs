//! `X-WorkOS-Assertion` (`EDGE_ASSERTION_KEY`): every forwarded request carries a JWT signed
//! at the edge (ES256 or EdDSA through WebCrypto) saying who the request is for, valid for 60 s,
//! which the origin checks against `/.well-known/workos-edge/jwks.json` (see
//! `workos_edge_core::assertion`). Plain `X-WorkOS-*` headers are only as trustworthy as the
//! network between the edge and the origin; this one is not.
//!
//! Signing is not a per-request cost: an assertion is reused for the same identity (and
//! audience) until 15 s before it expires, so a busy session signs about once per 45 s per
//! isolate. Imported keys are kept per isolate too.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::CryptoKey;
use workos_edge_core::assertion::{compact, AssertionAlg, AssertionClaims, SigningKey};
use workos_edge_core::encoding::hex_lower;

use crate::config::Config;
use crate::credentials::Identity;
use crate::error::GatewayError;
use crate::runtime::{random_bytes, subtle};

/// How long an assertion lives (seconds).
const LIFETIME_SECONDS: u64 = 60;
/// An assertion is replaced when less than this is left: the origin always gets at least this
/// much validity, clock skew and queueing included.
const RENEW_BEFORE_SECONDS: u64 = 15;
/// Assertions kept per isolate (one per identity and audience).
const CACHE_LIMIT: usize = 4096;

type Signed = HashMap<[u8; 32], (String, u64)>;

thread_local! {
    static SIGNED: RefCell<Signed> = RefCell::new(HashMap::new());
    /// Imported signing keys, by kid and public `x`.
    static KEYS: RefCell<HashMap<String, CryptoKey>> = RefCell::new(HashMap::new());
}

/// The assertion for `identity` going from `issuer` (this gateway's origin) to `audience` (the
/// origin's URL), or `None` when no key is configured.
pub async fn for_identity(
    identity: &Identity,
    issuer: &str,
    audience: &str,
    cfg: &Config,
    now_s: u64,
) -> Result<Option<String>, GatewayError> {
    let Some(key) = cfg.assertion_keys.first() else {
        return Ok(None);
    };
    let claims = claims_of(identity, issuer, audience);
    let cache_key = claims.cache_key();
    let cached = SIGNED.with(|c| c.borrow().get(&cache_key).cloned());
    if let Some((jwt, expires)) = cached {
        if now_s + RENEW_BEFORE_SECONDS < expires {
            return Ok(Some(jwt));
        }
    }
    let jti = hex_lower(&random_bytes::<16>()?);
    let input = key.signing_input(&claims.to_json(now_s, LIFETIME_SECONDS, &jti));
    let signature = sign(key, input.as_bytes())
        .await
        .ok_or(GatewayError::Internal(
            "the identity assertion could not be signed",
        ))?;
    let jwt = compact(&input, &signature);
    SIGNED.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(cache_key, (jwt.clone(), now_s + LIFETIME_SECONDS));
    });
    Ok(Some(jwt))
}

/// What the assertion says about each kind of identity.
fn claims_of(identity: &Identity, issuer: &str, audience: &str) -> AssertionClaims {
    let mut claims = AssertionClaims {
        iss: issuer.to_owned(),
        aud: audience.to_owned(),
        credential: Some(identity.credential().to_owned()),
        ..Default::default()
    };
    match identity {
        Identity::Session(active) => {
            let token = &active.claims;
            claims.sub = active.user_id();
            claims.sid = token.sid.clone();
            claims.org_id = token.org_id.clone();
            claims.role = token.role.clone();
            claims.permissions = token.permissions.clone();
            claims.email = active
                .cookie
                .user()
                .and_then(|user| user.get("email"))
                .and_then(|email| email.as_str())
                .map(str::to_owned);
        }
        Identity::AccessToken(token) => {
            let token = &token.claims;
            claims.sub = token.sub.clone();
            claims.sid = token.sid.clone();
            claims.org_id = token.org_id.clone();
            claims.role = token.role.clone();
            claims.permissions = token.permissions.clone();
        }
        Identity::ApiKey(key) => {
            claims.sub = Some(key.id.clone());
            claims.org_id = key.organization_id().map(str::to_owned);
            claims.permissions = Some(key.permissions.clone());
        }
    }
    claims
}

/// The WebCrypto algorithm object: `{name}` plus the curve (import) or hash (sign) for ECDSA.
fn algorithm(alg: AssertionAlg, for_import: bool) -> Option<Object> {
    let object = Object::new();
    let set = |name: &str, value: &str| Reflect::set(&object, &name.into(), &value.into()).ok();
    match alg {
        AssertionAlg::Es256 => {
            set("name", "ECDSA")?;
            if for_import {
                set("namedCurve", "P-256")?;
            } else {
                set("hash", "SHA-256")?;
            }
        }
        AssertionAlg::EdDsa => {
            set("name", "Ed25519")?;
        }
    }
    Some(object)
}

async fn crypto_key(key: &SigningKey) -> Option<CryptoKey> {
    let x = key
        .public_jwk
        .get("x")
        .and_then(|x| x.as_str())
        .unwrap_or_default();
    let id = format!("{}|{x}", key.kid);
    if let Some(imported) = KEYS.with(|k| k.borrow().get(&id).cloned()) {
        return Some(imported);
    }
    let jwk: Object = js_sys::JSON::parse(&serde_json::to_string(&key.private_jwk).ok()?)
        .ok()?
        .dyn_into()
        .ok()?;
    // WebCrypto checks `alg` and `key_ops` against the use; ours are implied by the curve.
    let _ = Reflect::delete_property(&jwk, &"alg".into());
    let _ = Reflect::delete_property(&jwk, &"key_ops".into());
    let _ = Reflect::delete_property(&jwk, &"use".into());
    let usages = Array::of1(&"sign".into());
    let promise = subtle()?
        .import_key_with_object("jwk", &jwk, &algorithm(key.alg, true)?, false, &usages)
        .ok()?;
    let imported: CryptoKey = JsFuture::from(promise).await.ok()?.unchecked_into();
    KEYS.with(|k| k.borrow_mut().insert(id, imported.clone()));
    Some(imported)
}

async fn sign(key: &SigningKey, data: &[u8]) -> Option<Vec<u8>> {
    let imported = crypto_key(key).await?;
    let promise = subtle()?
        .sign_with_object_and_u8_array(&algorithm(key.alg, false)?, &imported, data)
        .ok()?;
    let signature = JsFuture::from(promise).await.ok()?;
    Some(Uint8Array::new(&signature).to_vec())
}
