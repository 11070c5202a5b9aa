//! Opening a cookie with the host's native crypto (Node's, Deno's and Bun's `node:crypto`):
//! the core checks the seal as far as it goes without keys and derives the keys; the host
//! runs the HMAC-SHA256 check and the AES-256-CBC decryption synchronously in native code (in
//! wasm they are most of an uncached `authenticate()`), then hands the plaintext back.

use js_sys::Uint8Array;
use serde_json::json;
use wasm_bindgen::prelude::*;
use workos_edge_core::authenticate::{session_from_json, AuthenticateFailure};
use workos_edge_core::cookie::{json_from_plaintext, OpenableCookie};

use crate::{begin_with, millis, passwords, to_js, Authentication, KeySet};

/// What opening `cookie` needs from the host: `{decided}` (the SDK result) when the seal fails
/// before its MAC (format, expiration, password id), else one `Uint8Array` (one copy across the
/// boundary instead of an object of six): five little-endian `u32` lengths — MAC input, MAC,
/// IV (0 when IV or ciphertext do not decode: the cookie is then refused once its MAC holds, in
/// iron's order), ciphertext, number of candidate passwords — then those bytes in that order,
/// then 64 bytes per candidate (its HMAC key, then its AES key), current password first.
#[wasm_bindgen(js_name = openSeal)]
pub fn open_seal(
    cookie: Option<String>,
    password: JsValue,
    now_ms: f64,
) -> Result<JsValue, JsError> {
    let set_of_passwords = passwords(password)?;
    let Some(cookie) = cookie.filter(|c| !c.is_empty()) else {
        return to_js(&json!({ "decided": AuthenticateFailure::NoCookie.to_sdk_json() }));
    };
    let opening = match OpenableCookie::parse(&cookie, &set_of_passwords, millis(now_ms)) {
        Ok(opening) => opening,
        Err(error) => {
            return to_js(&json!({ "decided": AuthenticateFailure::Cookie(error).to_sdk_json() }))
        }
    };
    let seal = &opening.seal;
    let decoded = seal.iv_and_ciphertext().ok();
    let (iv, ciphertext): (&[u8], &[u8]) = match &decoded {
        Some((iv, ciphertext)) => (iv, ciphertext),
        None => (&[], &[]),
    };
    let candidates: Vec<_> = seal.candidates(&set_of_passwords).collect();
    let lengths = [
        seal.mac_base().len(),
        seal.mac().len(),
        iv.len(),
        ciphertext.len(),
        candidates.len(),
    ];
    let mut out =
        Vec::with_capacity(20 + lengths[..4].iter().sum::<usize>() + 64 * candidates.len());
    for length in lengths {
        out.extend_from_slice(&u32::try_from(length).unwrap_or(u32::MAX).to_le_bytes());
    }
    out.extend_from_slice(seal.mac_base());
    out.extend_from_slice(seal.mac());
    out.extend_from_slice(iv);
    out.extend_from_slice(ciphertext);
    for keys in &candidates {
        out.extend_from_slice(&keys.mac_key());
        out.extend_from_slice(&keys.encryption_key());
    }
    Ok(Uint8Array::from(&out[..]).into())
}

/// `beginAuthenticate` for a cookie the host decrypted ([`open_seal`]): `plaintext` is the
/// decrypted seal.
#[wasm_bindgen(js_name = beginAuthenticateOpened)]
pub fn begin_authenticate_opened(
    cookie: String,
    plaintext: &[u8],
    jwks: &KeySet,
    now_ms: f64,
    leeway_seconds: f64,
    issuers: Option<Vec<String>>,
) -> Result<Authentication, JsError> {
    let opened = json_from_plaintext(&cookie, plaintext)
        .map_err(AuthenticateFailure::Cookie)
        .and_then(session_from_json);
    begin_with(opened, jwks, now_ms, leeway_seconds, issuers)
}
