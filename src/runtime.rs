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

/// An outgoing request (for `fetch` or a Durable Object stub) built on the runtime's own
/// `RequestInit`. `worker::RequestInit` carries Cloudflare's image-resizing options, and
/// converting it serialises them: several KB of wasm that no request of ours needs.
pub fn outgoing_request(
    method: &str,
    url: &str,
    headers: Option<&web_sys::Headers>,
    body: Option<&str>,
    manual_redirect: bool,
) -> Result<worker::Request, JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(headers) = headers {
        init.set_headers(headers);
    }
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    if manual_redirect {
        init.set_redirect(web_sys::RequestRedirect::Manual);
    }
    web_sys::Request::new_with_str_and_init(url, &init).map(worker::Request::from)
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
