//! Every tampered or malformed cookie in tests/data/negative.json. Where the SDK returns a
//! result we return the same one; where it throws on hostile input we return the vector's
//! `portable_expectation` (a clean reason, never a panic).

mod common;

use common::*;
use serde_json::{json, Value};
use workos_edge_core::authenticate::authenticate;
use workos_edge_core::jwt::{RustRsaVerifier, VerifyOptions};
use workos_edge_core::{PasswordError, PasswordSet};

fn outcome(
    sealed: &str,
    set: &PasswordSet,
    jwks: &workos_edge_core::jwt::Jwks,
    now_ms: u64,
) -> Value {
    let result = authenticate(
        Some(sealed),
        set,
        jwks,
        &RustRsaVerifier,
        now_ms,
        &VerifyOptions::default(),
    );
    result
        .as_ref()
        .map_or_else(|f| f.to_sdk_json(), |s| s.to_sdk_json())
}

#[test]
fn every_negative_vector() {
    let file = negative();
    let jwks = jwks(&file);
    let vectors = file["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 30);
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let sealed = v["sealed"].as_str().unwrap();
        let sdk = &v["expected"]["workos_authenticate"];

        let set = match PasswordSet::single(v["password"].as_str().unwrap()) {
            Ok(set) => set,
            Err(error) => {
                // A short password is a configuration error: refused before any cookie is read.
                assert_eq!(name, "short-password");
                assert!(matches!(error, PasswordError::TooShort { .. }));
                assert_eq!(sdk["ok"], false);
                continue;
            }
        };

        if v["time_dependent"] == true {
            let at_generation =
                outcome(sealed, &set, &jwks, v["generated_at_ms"].as_u64().unwrap());
            assert_json_eq(&at_generation, &sdk["value"], name);
            let later = outcome(
                sealed,
                &set,
                &jwks,
                v["expiration_ms"].as_u64().unwrap() + 60_000,
            );
            assert_json_eq(
                &later,
                &json!({"authenticated": false, "reason": "invalid_session_cookie"}),
                name,
            );
            continue;
        }

        let ours = outcome(sealed, &set, &jwks, VECTORS_NOW_MS);
        let portable = v["portable_expectation"].as_str().unwrap_or_default();
        if name == "hmac-standard-base64-padding" {
            // Implementation-defined; we decode strictly as iron-session and @hapi/iron do.
            assert!(portable.contains("strict unpadded base64url -> invalid_session_cookie"));
            assert_json_eq(
                &ours,
                &json!({"authenticated": false, "reason": "invalid_session_cookie"}),
                name,
            );
        } else if sdk["ok"] == true {
            assert_json_eq(&ours, &sdk["value"], name);
        } else {
            assert!(
                portable.contains("Recommended: invalid_session_cookie"),
                "{name}: {portable}"
            );
            assert_json_eq(
                &ours,
                &json!({"authenticated": false, "reason": "invalid_session_cookie"}),
                name,
            );
        }
    }
}

#[test]
fn no_cookie_at_all_is_no_session_cookie_provided() {
    let file = negative();
    let set = PasswordSet::single("public-vectors-cookie-password-0123456789-abcdef").unwrap();
    let result = authenticate(
        None,
        &set,
        &jwks(&file),
        &RustRsaVerifier,
        VECTORS_NOW_MS,
        &VerifyOptions::default(),
    );
    assert_eq!(
        result.unwrap_err().to_sdk_json(),
        json!({"authenticated": false, "reason": "no_session_cookie_provided"})
    );
}
