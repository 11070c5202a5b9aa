//! wasm-bindgen bindings of `workos-edge-core` for the `workos-edge` npm package.
//!
//! Conversion only: every function turns JS values into core types, calls the core, and turns
//! the answer back. HTTP, WebCrypto, caches and the SDK-shaped classes live in `npm/index.js`.
//! Here: passwords and seals; `authenticate`; `opening` (cookies opened with the host's
//! native crypto); `api` (requests and replies); `web` (URLs and cookies).

use serde::Serialize;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use workos_edge_core::api::{ApiReply, ApiRequest, AuthenticateGrant};
use workos_edge_core::authenticate::{open_session, AuthenticateFailure, AuthenticatedSession};
use workos_edge_core::cookie::{self, CookieError};
use workos_edge_core::iron::SealRandomness;
use workos_edge_core::json::{Members, ShapeError};
use workos_edge_core::jwt::{self, Jwks, JwtError, PendingVerification, VerifyOptions};
use workos_edge_core::refresh::{self, ClientConfig, RefreshFailure};
use workos_edge_core::session::sdk_authentication_response;
use workos_edge_core::urls::{self, AuthorizationUrlOptions, Pkce, ScreenHint};
use workos_edge_core::{PasswordError, PasswordSet, SessionCookieData};

mod api;
mod authenticate;
mod opening;
mod web;

pub use api::*;
pub use authenticate::*;
pub use web::*;

/// A value for JS: written as JSON text and read by `JSON.parse`, the runtime's fastest way
/// to build an object graph, with no second serialiser in the wasm.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("the runtime could not parse JSON"))
}

/// A JS value as JSON: `JSON.stringify`, then one parse. Everything the JS layer hands in is
/// JSON-compatible, and going through text keeps a single JSON reader in the wasm (a typed
/// `serde_wasm_bindgen` reader per type was a large share of the package's size).
fn json_from_js(value: JsValue, what: &str) -> Result<Value, JsError> {
    let text = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|text| JsValue::from(text).as_string())
        .ok_or_else(|| JsError::new(&format!("{what}: not a JSON value")))?;
    serde_json::from_slice(text.as_bytes()).map_err(|_| JsError::new(&format!("{what}: not JSON")))
}

/// The error for a value of the wrong shape.
fn shape(what: &str) -> impl Fn(ShapeError) -> JsError + '_ {
    move |error| JsError::new(&format!("{what}: {error}"))
}

/// A password error as the SDK words it (the secret is never part of the message).
fn password_error(error: PasswordError) -> JsError {
    match error {
        PasswordError::TooShort { .. } => {
            JsError::new("Password string too short (min 32 characters required)")
        }
        other => JsError::new(&other.to_string()),
    }
}

/// A string password, or an iron-session `{id: password}` map.
pub(crate) fn passwords(value: JsValue) -> Result<PasswordSet, JsError> {
    if let Some(secret) = value.as_string() {
        return PasswordSet::single(secret).map_err(password_error);
    }
    let Value::Object(map) = json_from_js(value, "password")? else {
        return Err(JsError::new(
            "password must be a string or a map of strings",
        ));
    };
    let entries = map
        .into_iter()
        .map(|(id, secret)| match secret {
            Value::String(secret) => Ok((id, secret)),
            _ => Err(JsError::new("password map values must be strings")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    PasswordSet::map(entries).map_err(password_error)
}

fn randomness(bytes: &[u8]) -> Result<SealRandomness, JsError> {
    let bytes: [u8; 80] = bytes
        .try_into()
        .map_err(|_| JsError::new("sealing needs 80 random bytes"))?;
    Ok(SealRandomness::from_bytes(bytes))
}

pub(crate) fn millis(value: f64) -> u64 {
    if value.is_finite() && value > 0.0 {
        value as u64
    } else {
        0
    }
}

/// Checks a password (string or map) now, so configuration errors surface at construction.
#[wasm_bindgen(js_name = checkPassword)]
pub fn check_password(password: JsValue) -> Result<(), JsError> {
    passwords(password).map(|_| ())
}

/// A hex fingerprint of a password (string or map) to key caches with, so that no cache key
/// holds the secret itself.
#[wasm_bindgen(js_name = passwordFingerprint)]
pub fn password_fingerprint(password: JsValue) -> Result<String, JsError> {
    Ok(workos_edge_core::encoding::hex_lower(
        &passwords(password)?.fingerprint(),
    ))
}

/// Opens a `wos-session` value as `@workos-inc/node` does (`getSessionFromCookie`):
/// `{ok: true, value}` or `{ok: false, error}` with iron's message.
#[wasm_bindgen(js_name = unsealSession)]
pub fn unseal_session(cookie: &str, password: JsValue, now_ms: f64) -> Result<JsValue, JsError> {
    let set = passwords(password)?;
    to_js(&match cookie::unseal_json(cookie, &set, millis(now_ms)) {
        Ok(value) => json!({ "ok": true, "value": value }),
        Err(error) => json!({ "ok": false, "error": error.to_string() }),
    })
}

/// Opens a seal as iron-session 8's `unsealData` does; a seal that does not open is `{}`.
#[wasm_bindgen(js_name = unsealData)]
pub fn unseal_data(seal: &str, password: JsValue, now_ms: f64) -> Result<JsValue, JsError> {
    let set = passwords(password)?;
    match cookie::unseal_json_iron_session(seal, &set, millis(now_ms)) {
        Ok(value) => to_js(&value),
        Err(CookieError::MalformedJson) => Err(JsError::new("Failed parsing sealed object JSON")),
        Err(_) => to_js(&json!({})),
    }
}

/// Seals JSON-compatible data (`JSON.stringify` output inside) with the `~2` suffix.
/// `expiration_ms` is absolute; `undefined` never expires.
#[wasm_bindgen(js_name = sealData)]
pub fn seal_data(
    data: JsValue,
    password: JsValue,
    expiration_ms: Option<f64>,
    random: &[u8],
) -> Result<String, JsError> {
    let set = passwords(password)?;
    let value = json_from_js(data, "data")?;
    Ok(cookie::seal_json(
        &value,
        &set,
        &randomness(random)?,
        expiration_ms.map(millis),
    ))
}
