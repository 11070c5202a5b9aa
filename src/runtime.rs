//! What the pure core leaves to the host: the clock, randomness and WebCrypto.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::SubtleCrypto;
use worker::Date;

use crate::error::GatewayError;

/// Milliseconds since the epoch, from the runtime's clock.
pub fn now_ms() -> u64 {
    Date::now().as_millis()
}

/// Random bytes from the runtime's CSPRNG (`crypto.getRandomValues`). Fails closed: PKCE
/// verifiers, `state`, salts and IVs made of zeros would be guessable, so a failure refuses the
/// request (500, logged) instead.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], GatewayError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes)
        .map_err(|_| GatewayError::Internal("the runtime's random number generator failed"))?;
    Ok(bytes)
}

/// The runtime's WebCrypto (`crypto.subtle`).
pub fn subtle() -> Option<SubtleCrypto> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok()?;
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    Some(subtle.unchecked_into())
}
