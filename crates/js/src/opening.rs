//! Opening a cookie with the host's native crypto (Node's, Deno's and Bun's `node:crypto`):
//! the core checks the seal as far as it goes without keys and derives the keys; the host
//! runs the HMAC-SHA256 check and the AES-256-CBC decryption synchronously in native code (in
//! wasm they are most of an uncached `authenticate()`), then hands the plaintext back.

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde_json::json;
use wasm_bindgen::prelude::*;
use workos_edge_core::authenticate::{session_from_json, AuthenticateFailure};
use workos_edge_core::cookie::{json_from_plaintext, OpenableCookie};

use crate::{begin_with, millis, passwords, to_js, Authentication, KeySet};

fn set(object: &Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    Reflect::set(object, &key.into(), value)
        .map(|_| ())
        .map_err(|_| JsError::new("could not build the seal description"))
}

/// What opening `cookie` needs from the host: `{decided}` (the SDK result) when the seal fails
/// before its MAC (format, expiration, password id), else `{macBase, mac, candidates:
/// [{macKey, encryptionKey}], iv, ciphertext}` (`iv`/`ciphertext` absent when they do not
/// decode: the cookie is refused once its MAC holds, in iron's order).
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
    let out = Object::new();
    set(&out, "macBase", &Uint8Array::from(seal.mac_base()).into())?;
    set(&out, "mac", &Uint8Array::from(seal.mac()).into())?;
    let candidates = Array::new();
    for keys in seal.candidates(&set_of_passwords) {
        let candidate = Object::new();
        set(
            &candidate,
            "macKey",
            &Uint8Array::from(&keys.mac_key()[..]).into(),
        )?;
        set(
            &candidate,
            "encryptionKey",
            &Uint8Array::from(&keys.encryption_key()[..]).into(),
        )?;
        candidates.push(&candidate);
    }
    set(&out, "candidates", &candidates.into())?;
    if let Ok((iv, ciphertext)) = seal.iv_and_ciphertext() {
        set(&out, "iv", &Uint8Array::from(&iv[..]).into())?;
        set(
            &out,
            "ciphertext",
            &Uint8Array::from(&ciphertext[..]).into(),
        )?;
    }
    Ok(out.into())
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
