//! Opening a cookie with the host's native crypto (Node's, Deno's and Bun's `node:crypto`):
//! the core checks the seal as far as it goes without keys and derives the keys; the host
//! runs the HMAC-SHA256 check and the AES-256-CBC decryption synchronously in native code (in
//! wasm they are most of an uncached `authenticate()`), then hands the plaintext back.

use js_sys::{Function, Uint8Array};

#[wasm_bindgen]
extern "C" {
    /// The host's synchronous RS256 check: `(keyIndex, signedData, signature) => boolean`.
    /// The byte arrays arrive as views into wasm memory (no copy).
    pub type Rs256Verify;

    #[wasm_bindgen(method, catch, js_name = call)]
    fn verify(
        this: &Rs256Verify,
        this_arg: &JsValue,
        key_index: u32,
        signed_data: &[u8],
        signature: &[u8],
    ) -> Result<bool, JsValue>;
}
use serde_json::json;
use wasm_bindgen::prelude::*;
use workos_edge_core::authenticate::{session_from_json, AuthenticateFailure};
use workos_edge_core::cookie::{json_from_plaintext, OpenableCookie};

use crate::{begin_with, millis, passwords, to_js, KeySet};

/// What opening `cookie` needs from the host. `cookie` is its UTF-8 bytes (the host's
/// `TextEncoder.encodeInto` writes them natively, where a string argument is copied a
/// character at a time in JS).
///
/// `{decided}` (the SDK result) when the seal fails before its MAC (format, expiration,
/// password id), else one `Uint8Array` (one copy across the boundary instead of an object of
/// six): six little-endian `u32`s — MAC input length, MAC length, IV length (0 when IV or
/// ciphertext do not decode: the cookie is then refused once its MAC holds, in iron's order),
/// ciphertext length, number of candidate passwords, and 1 if the MAC input's bytes follow or
/// 0 if it is the first bytes of `cookie` (always, for a seal; the host has them) — then the
/// MAC input (if it follows), MAC, IV and ciphertext, then 64 bytes per candidate (its HMAC
/// key, then its AES key), current password first.
#[wasm_bindgen(js_name = openSeal)]
pub fn open_seal(cookie: &[u8], password: JsValue, now_ms: f64) -> Result<JsValue, JsError> {
    let set_of_passwords = passwords(password)?;
    if cookie.is_empty() {
        return to_js(&json!({ "decided": AuthenticateFailure::NoCookie.to_sdk_json() }));
    }
    // `TextEncoder` always writes UTF-8; anything else is not a seal either.
    let cookie = std::str::from_utf8(cookie).unwrap_or("\u{fffd}");
    let opening = match OpenableCookie::parse(cookie, &set_of_passwords, millis(now_ms)) {
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
    let mac_base_follows = !cookie.as_bytes().starts_with(seal.mac_base());
    let header = [
        seal.mac_base().len(),
        seal.mac().len(),
        iv.len(),
        ciphertext.len(),
        candidates.len(),
        usize::from(mac_base_follows),
    ];
    let mac_base: &[u8] = if mac_base_follows {
        seal.mac_base()
    } else {
        &[]
    };
    let mut out = Vec::with_capacity(
        24 + mac_base.len()
            + seal.mac().len()
            + iv.len()
            + ciphertext.len()
            + 64 * candidates.len(),
    );
    for field in header {
        out.extend_from_slice(&u32::try_from(field).unwrap_or(u32::MAX).to_le_bytes());
    }
    out.extend_from_slice(mac_base);
    out.extend_from_slice(seal.mac());
    out.extend_from_slice(iv);
    out.extend_from_slice(ciphertext);
    for keys in &candidates {
        out.extend_from_slice(&keys.mac_key());
        out.extend_from_slice(&keys.encryption_key());
    }
    Ok(Uint8Array::from(&out[..]).into())
}

/// `authenticate()` in one synchronous call for a cookie the host decrypted ([`open_seal`]),
/// when the host can also verify RS256 synchronously (node:crypto): no object to hold between
/// two halves, and the cookie does not cross again. Only the cookie's suffix is read, so
/// `suffix` is the value from its first `~` on (`""` when it has none).
///
/// `verify(keyIndex, signedData, signature)` answers whether the key at that position of
/// `jwks` signed the token; the byte arrays are views into wasm memory, valid during the call
/// only (the callback must not call back into the wasm). `known(accessToken)`, when given,
/// answers whether the token was verified before (the host's token cache), which skips the
/// signature check.
///
/// Returns JSON text: `{"result", "expiresAt"}` as `finish` does, or `{"unknownKeyId": true}`
/// when the token names a key the JWKS lacks (refetch it and call again).
#[wasm_bindgen(js_name = authenticateOpened)]
#[allow(clippy::too_many_arguments)]
pub fn authenticate_opened(
    suffix: &str,
    plaintext: &[u8],
    jwks: &KeySet,
    now_ms: f64,
    leeway_seconds: f64,
    issuers: Option<Vec<String>>,
    verify: &Rs256Verify,
    known: Option<Function>,
) -> Result<String, JsError> {
    let opened = json_from_plaintext(suffix, plaintext)
        .map_err(AuthenticateFailure::Cookie)
        .and_then(session_from_json);
    let auth = begin_with(opened, jwks, now_ms, leeway_seconds, issuers)?;
    if auth.unknown_key_id() {
        return Ok(r#"{"unknownKeyId":true}"#.to_owned());
    }
    let valid = match auth.pending() {
        None => false,
        Some(pending) => {
            let token = auth.token().unwrap_or_default();
            let seen = known.is_some_and(|known| {
                known
                    .call1(&JsValue::NULL, &JsValue::from_str(token))
                    .is_ok_and(|answer| answer.is_truthy())
            });
            seen || pending.candidate_indices().iter().any(|&index| {
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                verify
                    .verify(
                        &JsValue::NULL,
                        index,
                        pending.signed_data(),
                        pending.signature(),
                    )
                    .unwrap_or(false)
            })
        }
    };
    Ok(auth.finish(valid))
}
