//! Shared loaders for the vector files in `tests/data/` (made by the real npm packages).
#![allow(dead_code)]

use serde_json::Value;
use workos_edge_core::jwt::Jwks;
use workos_edge_core::PasswordSet;

/// `generated_at` of public.json (2026-11-27T17:51:57.309Z): the clock the vectors were made at.
pub const VECTORS_NOW_MS: u64 = 1_795_801_917_309;

pub fn public() -> Value {
    serde_json::from_str(include_str!("data/public.json")).expect("public.json parses")
}

pub fn negative() -> Value {
    serde_json::from_str(include_str!("data/negative.json")).expect("negative.json parses")
}

pub fn jwks(file: &Value) -> Jwks {
    serde_json::from_value(file["jwks"].clone()).expect("jwks parses")
}

/// A vector's password: a string (SDK) or an iron-session `{id: secret}` map.
pub fn passwords(password: &Value) -> PasswordSet {
    match password {
        Value::String(secret) => {
            PasswordSet::single(secret.as_str()).expect("vector password is valid")
        }
        Value::Object(map) => PasswordSet::map(
            map.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())),
        )
        .expect("vector password map is valid"),
        other => panic!("unexpected password {other}"),
    }
}

/// Compares two JSON values ignoring object key order, with a readable failure.
#[track_caller]
pub fn assert_json_eq(actual: &Value, expected: &Value, context: &str) {
    assert_eq!(
        actual, expected,
        "{context}: got {actual:#} expected {expected:#}"
    );
}
