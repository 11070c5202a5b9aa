//! What the pure core leaves to the host, and the few runtime APIs the Worker calls, bound
//! directly (no `worker` crate: its wrappers, exported classes and their glue were 33 KiB of the
//! gzipped upload):
//! the clock, randomness, timers ([`sleep`]), `fetch` ([`fetch`]), the log, WebCrypto, and the
//! bindings of `env` and Durable Objects ([`bindings`]).

pub mod bindings;
pub mod fetch;
mod sleep;

use js_sys::Reflect;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::SubtleCrypto;

use crate::error::GatewayError;

pub use sleep::{sleep, Sleep};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn console_log(line: &str);
}

/// Writes one line to the Worker's log (`console.log`). Lines never carry secrets, tokens,
/// cookie values or API keys.
pub fn log_line(line: &str) {
    console_log(line);
}

/// Milliseconds since the epoch, from the runtime's clock.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
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

/// What a thrown JavaScript value says (an `Error`'s message, or a thrown string).
pub fn js_error_text(error: &JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => error.as_string().unwrap_or_else(|| "unknown error".into()),
    }
}

/// The runtime's WebCrypto (`crypto.subtle`).
pub fn subtle() -> Option<SubtleCrypto> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok()?;
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    Some(subtle.unchecked_into())
}
