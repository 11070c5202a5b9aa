//! Property tests: seal → unseal roundtrips for arbitrary JSON and passwords, and nothing a
//! client can send makes unseal or authenticate panic.

mod common;

use proptest::prelude::*;
use serde_json::{Map, Value};
use workos_edge_core::authenticate::authenticate;
use workos_edge_core::cookie::{seal_json, unseal_json};
use workos_edge_core::iron::{self, SealRandomness};
use workos_edge_core::jwt::{self, RustRsaVerifier, VerifyOptions};
use workos_edge_core::PasswordSet;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn password() -> impl Strategy<Value = String> {
    // At least 32 UTF-16 units whatever the characters are.
    prop::collection::vec(any::<char>(), 32..64).prop_map(|chars| chars.into_iter().collect())
}

fn randomness() -> impl Strategy<Value = SealRandomness> {
    prop::collection::vec(any::<u8>(), 80)
        .prop_map(|bytes| SealRandomness::from_bytes(bytes.try_into().unwrap()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn seal_then_unseal_returns_the_object(
        fields in prop::collection::vec((any::<String>(), json_value()), 0..8),
        secret in password(),
        random in randomness(),
    ) {
        // The cookie layer maps a sealed `null` to `{}` and unwraps `persistent` only for old
        // suffixes, so objects roundtrip exactly.
        let object = Value::Object(fields.into_iter().collect());
        let set = PasswordSet::single(secret).unwrap();
        let sealed = seal_json(&object, &set, &random, None);
        prop_assert_eq!(unseal_json(&sealed, &set, 0).unwrap(), object);
    }

    #[test]
    fn iron_roundtrips_any_bytes_with_map_passwords(
        plaintext in prop::collection::vec(any::<u8>(), 0..512),
        a in password(),
        b in password(),
        random in randomness(),
        expires_in in prop::option::of(60_001u64..10_000_000),
    ) {
        let set = PasswordSet::map([("1", a.clone()), ("2", b)]).unwrap();
        let now = 1_800_000_000_000u64;
        let sealed = iron::seal(&plaintext, set.sealing_password(), &random, expires_in.map(|ms| now + ms));
        prop_assert_eq!(iron::unseal(&sealed, &set, now).unwrap(), plaintext);
        // The old password alone cannot open what the new one sealed.
        let old_only = PasswordSet::map([("1", a)]).unwrap();
        prop_assert!(iron::unseal(&sealed, &old_only, now).is_err());
    }

    #[test]
    fn unseal_never_panics(input in ".{0,600}") {
        let set = PasswordSet::single("public-vectors-cookie-password-0123456789-abcdef").unwrap();
        let _ = unseal_json(&input, &set, 0);
    }

    #[test]
    fn unseal_never_panics_on_seal_shaped_input(parts in prop::collection::vec("[A-Za-z0-9_~*.=+/-]{0,80}", 0..10)) {
        let set = PasswordSet::single("public-vectors-cookie-password-0123456789-abcdef").unwrap();
        let mut input = String::from("Fe26.2*");
        input.push_str(&parts.join("*"));
        let _ = unseal_json(&input, &set, 1_800_000_000_000);
    }

    #[test]
    fn tampering_any_character_is_detected(index in any::<prop::sample::Index>(), random in randomness()) {
        let set = PasswordSet::single("public-vectors-cookie-password-0123456789-abcdef").unwrap();
        let sealed = seal_json(&serde_json::json!({"accessToken": "x"}), &set, &random, None);
        let seal_part = sealed.len() - 2;
        let i = index.index(seal_part);
        let original = sealed.as_bytes()[i];
        let replacement = if original == b'A' { b'B' } else { b'A' };
        let mut tampered = sealed.into_bytes();
        tampered[i] = replacement;
        let tampered = String::from_utf8(tampered).unwrap();
        prop_assert!(unseal_json(&tampered, &set, 0).is_err());
    }

    #[test]
    fn token_parsing_never_panics(token in ".{0,400}", dotted in prop::collection::vec("[A-Za-z0-9_-]{0,60}", 0..5)) {
        let jwks = common::jwks(&common::public());
        let _ = jwt::verify(&token, &jwks, &RustRsaVerifier, 0, &VerifyOptions::default());
        let _ = jwt::verify(&dotted.join("."), &jwks, &RustRsaVerifier, 0, &VerifyOptions::default());
        let _ = jwt::decode_claims_unverified(&token);
    }

    #[test]
    fn authenticate_never_panics(cookie in ".{0,300}") {
        let jwks = common::jwks(&common::public());
        let set = PasswordSet::single("public-vectors-cookie-password-0123456789-abcdef").unwrap();
        let _ = authenticate(Some(&cookie), &set, &jwks, &RustRsaVerifier, 0, &VerifyOptions::default());
    }
}
