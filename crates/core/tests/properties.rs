//! Property tests: seal → unseal roundtrips for arbitrary JSON and passwords, and valid seals and
//! tokens (from public.json, made by the real npm packages, or sealed here) changed one
//! component, claim or byte at a time: every change to what the MAC or the signature covers is
//! refused, changes that are re-authenticated give an error or a result, and nothing panics.

mod common;

use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Map, Value};
use sha2::Sha256;
use workos_edge_core::authenticate::{authenticate, AuthenticateFailure};
use workos_edge_core::cookie::{
    inspect, seal_json, unseal_json, unseal_json_iron_session, CookieError,
};
use workos_edge_core::encoding::{b64url_decode, b64url_encode};
use workos_edge_core::iron::{self, SealRandomness, UnsealError, TIMESTAMP_SKEW_MS};
use workos_edge_core::jwt::{
    self, Jwk, Jwks, JwtError, RustRsaVerifier, SignatureVerifier, VerifyOptions,
};
use workos_edge_core::PasswordSet;

use common::VECTORS_NOW_MS;

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

// ---------------------------------------------------------------------------------------------
// Valid inputs to start from.

struct SealCase {
    name: String,
    cookie: String,
    passwords: PasswordSet,
}

fn public() -> &'static Value {
    static FILE: OnceLock<Value> = OnceLock::new();
    FILE.get_or_init(common::public)
}

fn public_jwks() -> &'static Jwks {
    static JWKS: OnceLock<Jwks> = OnceLock::new();
    JWKS.get_or_init(|| common::jwks(public()))
}

fn main_passwords() -> PasswordSet {
    common::passwords(&public()["passwords"]["main"])
}

/// The session JSON of the plain SDK vector: the base for sealed-session changes.
fn normal_session() -> &'static Value {
    &public()["seal_vectors"][0]["expected_unsealed_json"]
}

/// Every seal vector of public.json, plus seals made here with an expiration and with a
/// password map (so the expiration and a non-default id are covered by what is changed).
fn seal_cases() -> &'static [SealCase] {
    static CASES: OnceLock<Vec<SealCase>> = OnceLock::new();
    CASES.get_or_init(|| {
        let mut cases: Vec<SealCase> = public()["seal_vectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| SealCase {
                name: v["id"].as_str().unwrap().to_owned(),
                cookie: v["sealed"].as_str().unwrap().to_owned(),
                passwords: common::passwords(&v["password"]),
            })
            .collect();
        let map = PasswordSet::map([
            ("1", "an-old-cookie-password-that-is-32-chars"),
            ("7", "a-new-cookie-password-that-is-32-chars!"),
        ])
        .unwrap();
        for (name, passwords) in [("fresh-single", main_passwords()), ("fresh-map", map)] {
            let cookie = seal_json(
                normal_session(),
                &passwords,
                &SealRandomness::from_bytes([5; 80]),
                Some(VECTORS_NOW_MS + 3_600_000),
            );
            cases.push(SealCase {
                name: name.to_owned(),
                cookie,
                passwords,
            });
        }
        cases
    })
}

/// The tokens of public.json that verify: the bases for header, claim and signature changes.
fn valid_tokens() -> &'static [String] {
    static TOKENS: OnceLock<Vec<String>> = OnceLock::new();
    TOKENS.get_or_init(|| {
        public()["access_tokens"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["expected"]["valid"] == true)
            .map(|t| t["token"].as_str().unwrap().to_owned())
            .collect()
    })
}

const NOW_S: i64 = (VECTORS_NOW_MS / 1000) as i64;

/// What the signature check would say if the key had signed anything: lets changed tokens
/// reach the time and issuer checks.
struct AcceptAnySignature;

impl SignatureVerifier for AcceptAnySignature {
    fn verify_rs256(&self, _: &Jwk, _: &[u8], _: &[u8]) -> bool {
        true
    }
}

/// The seal inside a cookie value (both readers split on every `~`).
fn seal_part(cookie: &str) -> &str {
    cookie.split('~').next().unwrap_or_default()
}

/// iron's MAC of the first six components, base64url.
fn mac_of(passwords: &PasswordSet, parts: &[String]) -> String {
    let password = passwords.find(&parts[1]).expect("the seal's password id");
    let key = iron::derive_key(password, &parts[6]);
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(parts[..6].join("*").as_bytes());
    b64url_encode(&mac.finalize().into_bytes())
}

fn json_text_of(segment: &str) -> String {
    String::from_utf8(b64url_decode(segment).unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Changes.

/// One change to a piece of text, by character.
#[derive(Debug, Clone)]
enum Edit {
    Replace(Index, char),
    Insert(Index, char),
    Delete(Index),
    Truncate(Index),
    Duplicate,
    Whole(String),
}

impl Edit {
    fn apply(&self, text: &str) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        let len = chars.len();
        match self {
            Self::Replace(i, c) if len > 0 => chars[i.index(len)] = *c,
            Self::Insert(i, c) => chars.insert(i.index(len + 1), *c),
            Self::Delete(i) if len > 0 => {
                chars.remove(i.index(len));
            }
            Self::Truncate(i) if len > 0 => chars.truncate(i.index(len)),
            Self::Duplicate => return text.repeat(2),
            Self::Whole(other) => return other.clone(),
            // Nothing to replace, delete or cut in an empty component.
            _ => {}
        }
        chars.into_iter().collect()
    }
}

/// Separators of every layer, base64url and digits, then anything.
fn edit_char() -> impl Strategy<Value = char> {
    const SPECIAL: &[char] = &[
        '*', '~', '.', '=', '+', '/', '-', '_', '0', '1', '9', 'A', 'a', 'z', ' ', '\0', 'é',
    ];
    prop_oneof![3 => prop::sample::select(SPECIAL), 1 => any::<char>()]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<Index>(), edit_char()).prop_map(|(i, c)| Edit::Replace(i, c)),
        2 => (any::<Index>(), edit_char()).prop_map(|(i, c)| Edit::Insert(i, c)),
        2 => any::<Index>().prop_map(Edit::Delete),
        1 => any::<Index>().prop_map(Edit::Truncate),
        1 => Just(Edit::Duplicate),
        2 => prop_oneof![
            Just(String::new()),
            "[1-9][0-9]{0,39}",
            "0[0-9]{0,5}",
            "[A-Za-z0-9_-]{1,90}",
            ".{1,40}",
        ]
        .prop_map(Edit::Whole),
    ]
}

/// JSON text (or almost-JSON text) a hostile token or cookie might carry in one field: every
/// type, numbers beyond i64/u64/f64, deep nesting, and a few values that are not JSON at all.
fn hostile_json_text() -> impl Strategy<Value = String> {
    const ODD: &[&str] = &[
        "1e400",
        "-1e400",
        "99999999999999999999999999999",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "4102444800.5",
        "1e12",
        "1e13",
        "-0",
        "0",
        "-1",
        "\"4102444800\"",
        "\"RS256\"",
        "\"none\"",
        "\"HS256\"",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "null",
        "true",
        "[]",
        "{}",
        "[\"RS256\"]",
        "{\"alg\":\"RS256\"}",
        "NaN",
        "undefined",
        "",
    ];
    prop_oneof![
        3 => prop::sample::select(ODD).prop_map(str::to_owned),
        2 => json_value().prop_map(|v| v.to_string()),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => any::<f64>().prop_map(|n| n.to_string()),
        1 => (1usize..4000).prop_map(|depth| "[".repeat(depth) + &"]".repeat(depth)),
        1 => (1usize..200).prop_map(|depth| "{\"a\":".repeat(depth) + "1" + &"}".repeat(depth)),
    ]
}

/// A key a header or claims set might have, known or not.
fn json_key() -> impl Strategy<Value = String> {
    const KEYS: &[&str] = &[
        "alg",
        "kid",
        "typ",
        "crit",
        "cty",
        "b64",
        "jku",
        "exp",
        "nbf",
        "iat",
        "iss",
        "sub",
        "sid",
        "jti",
        "org_id",
        "role",
        "roles",
        "permissions",
        "entitlements",
        "feature_flags",
        "act",
    ];
    prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-z_]{1,8}",
    ]
}

/// One change to a JSON object's text.
#[derive(Debug, Clone)]
enum JsonEdit {
    /// Sets (or adds) a member to this JSON text.
    Set(String, String),
    /// Adds the member again at the end (parsers disagree on which one wins).
    Duplicate(String, String),
    Remove(String),
    /// The whole object replaced by other JSON text.
    Whole(String),
    /// The same object inside another one.
    Nest,
}

fn json_edit() -> impl Strategy<Value = JsonEdit> {
    prop_oneof![
        6 => (json_key(), hostile_json_text()).prop_map(|(k, v)| JsonEdit::Set(k, v)),
        1 => (json_key(), hostile_json_text()).prop_map(|(k, v)| JsonEdit::Duplicate(k, v)),
        2 => json_key().prop_map(JsonEdit::Remove),
        1 => hostile_json_text().prop_map(JsonEdit::Whole),
        1 => Just(JsonEdit::Nest),
    ]
}

impl JsonEdit {
    fn apply(&self, text: &str) -> String {
        const SLOT: &str = "\u{1}slot\u{1}";
        let mut object: Map<String, Value> = serde_json::from_str(text).unwrap();
        let with_slot = |object: &Map<String, Value>, raw: &str| {
            serde_json::to_string(object)
                .unwrap()
                .replace(&serde_json::to_string(SLOT).unwrap(), raw)
        };
        match self {
            Self::Set(key, raw) => {
                object.insert(key.clone(), SLOT.into());
                with_slot(&object, raw)
            }
            Self::Duplicate(key, raw) => {
                let base = &text[..text.len() - 1];
                let separator = if object.is_empty() { "" } else { "," };
                format!("{base}{separator}{}:{raw}}}", Value::from(key.as_str()))
            }
            Self::Remove(key) => {
                object.shift_remove(key);
                serde_json::to_string(&object).unwrap()
            }
            Self::Whole(raw) => raw.clone(),
            Self::Nest => json!({ "claims": object }).to_string(),
        }
    }
}

/// One change to a token's signature bytes.
#[derive(Debug, Clone)]
enum SignatureEdit {
    FlipBit(Index, u8),
    Truncate(Index),
    Extend(Vec<u8>),
    Whole(Vec<u8>),
}

fn signature_edit() -> impl Strategy<Value = SignatureEdit> {
    prop_oneof![
        4 => (any::<Index>(), 0u8..8).prop_map(|(i, bit)| SignatureEdit::FlipBit(i, bit)),
        1 => any::<Index>().prop_map(SignatureEdit::Truncate),
        1 => prop::collection::vec(any::<u8>(), 1..40).prop_map(SignatureEdit::Extend),
        1 => prop::collection::vec(any::<u8>(), 0..600).prop_map(SignatureEdit::Whole),
    ]
}

impl SignatureEdit {
    fn apply(&self, signature: &[u8]) -> Vec<u8> {
        let mut bytes = signature.to_vec();
        match self {
            Self::FlipBit(i, bit) => bytes[i.index(signature.len())] ^= 1 << bit,
            Self::Truncate(i) => bytes.truncate(i.index(signature.len())),
            Self::Extend(more) => bytes.extend_from_slice(more),
            Self::Whole(other) => bytes.clone_from(other),
        }
        bytes
    }
}

/// Members of the SDK's session a changed cookie might carry differently.
const SESSION_PATHS: &[&[&str]] = &[
    &["accessToken"],
    &["refreshToken"],
    &["user"],
    &["user", "id"],
    &["user", "email"],
    &["impersonator"],
    &["organizationId"],
    &["authenticationMethod"],
    &["persistent"],
    &["other"],
];

/// The token checked as the SDK checks it: RS256 against public.json's key, at the vectors' time.
fn verify_signed(token: &str) -> Result<jwt::VerifiedAccessToken, JwtError> {
    jwt::verify(
        token,
        public_jwks(),
        &RustRsaVerifier,
        NOW_S,
        &VerifyOptions::default(),
    )
}

/// Seals `token` as the access token of the SDK's session and authenticates that cookie.
fn authenticate_token(token: &str) -> Result<(), AuthenticateFailure> {
    let mut session = normal_session().clone();
    session["accessToken"] = token.into();
    let set = main_passwords();
    let cookie = seal_json(&session, &set, &SealRandomness::from_bytes([3; 80]), None);
    authenticate(
        Some(&cookie),
        &set,
        public_jwks(),
        &RustRsaVerifier,
        VECTORS_NOW_MS,
        &VerifyOptions::default(),
    )
    .map(|_| ())
}

/// The checks every token (changed or not) goes through: the parsers must answer, and what the
/// signature-less paths accept must still satisfy the time rules.
fn check_token_invariants(token: &str) -> Result<(), TestCaseError> {
    let header_ok = token
        .split('.')
        .next()
        .and_then(|h| b64url_decode(h).ok())
        .and_then(|h| serde_json::from_slice::<Value>(&h).ok())
        .is_some_and(|h| h["alg"] == "RS256");
    if let Ok(verified) = jwt::verify(
        token,
        public_jwks(),
        &AcceptAnySignature,
        NOW_S,
        &VerifyOptions::default(),
    ) {
        prop_assert!(header_ok, "only RS256 is ever accepted: {token}");
        prop_assert!(
            verified.expires_at.is_none_or(|exp| exp > NOW_S),
            "an expired token was accepted: {verified:?}"
        );
    }
    let _ = jwt::prepare(token, public_jwks());
    if jwt::decode_unverified(token).is_ok() {
        let claims = token
            .split('.')
            .nth(1)
            .and_then(|c| b64url_decode(c).ok())
            .and_then(|c| serde_json::from_slice::<Value>(&c).ok());
        prop_assert!(
            claims.is_some_and(|c| c.is_object()),
            "claims that are not a JSON object were read: {token}"
        );
    }
    Ok(())
}

/// `token` with `key` of its header (`segment` 0) or claims (1) set to the JSON text `raw`,
/// re-encoded with the original signature.
fn with_member(token: &str, segment: usize, key: &str, raw: &str) -> String {
    let mut segments: Vec<String> = token.split('.').map(str::to_owned).collect();
    let text =
        JsonEdit::Set(key.to_owned(), raw.to_owned()).apply(&json_text_of(&segments[segment]));
    segments[segment] = b64url_encode(text.as_bytes());
    segments.join(".")
}

/// The 64 base64url characters.
const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// ---------------------------------------------------------------------------------------------

#[test]
fn the_unchanged_bases_open_and_verify() {
    for case in seal_cases() {
        assert!(
            unseal_json(&case.cookie, &case.passwords, VECTORS_NOW_MS).is_ok(),
            "{}",
            case.name
        );
        let parts = seal_part(&case.cookie).split('*').map(str::to_owned);
        let parts: Vec<String> = parts.collect();
        assert_eq!(mac_of(&case.passwords, &parts), parts[7], "{}", case.name);
    }
    assert_eq!(valid_tokens().len(), 4);
    for token in valid_tokens() {
        assert!(authenticate_token(token).is_ok(), "{token}");
    }
}

/// base64url of 32 bytes (the MAC) or 256 bytes (an RS256 signature) leaves bits unused in the
/// last character: every other spelling of that character must be refused, or the same MAC or
/// signature would have several spellings.
#[test]
fn no_other_spelling_of_the_last_mac_or_signature_character_is_accepted() {
    for case in seal_cases() {
        let seal = seal_part(&case.cookie);
        let suffix = &case.cookie[seal.len()..];
        for c in B64URL.chars().filter(|&c| !seal.ends_with(c)) {
            let cookie = format!("{}{c}{suffix}", &seal[..seal.len() - 1]);
            assert_eq!(
                unseal_json(&cookie, &case.passwords, VECTORS_NOW_MS),
                Err(CookieError::Unseal(UnsealError::BadMac)),
                "{}: MAC ending in {c}",
                case.name
            );
        }
    }
    for token in valid_tokens() {
        for c in B64URL.chars().filter(|&c| !token.ends_with(c)) {
            let changed = format!("{}{c}", &token[..token.len() - 1]);
            assert!(
                jwt::verify(
                    &changed,
                    public_jwks(),
                    &RustRsaVerifier,
                    NOW_S,
                    &VerifyOptions::default()
                )
                .is_err(),
                "signature ending in {c}"
            );
        }
    }
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

    /// Any change to any of the eight components is refused: the first six are MACed, the
    /// HMAC salt makes the key and the last is the MAC. Where the seal still has the shape of a
    /// seal the MAC is what refuses it, before anything is decrypted. A change to the `~`
    /// suffix alone leaves a seal that opens.
    #[test]
    fn a_changed_seal_component_is_refused(
        base in any::<Index>(),
        component in 0usize..9,
        edit in edit(),
    ) {
        let case = base.get(seal_cases());
        let seal = seal_part(&case.cookie);
        let mut suffix = case.cookie[seal.len()..].to_owned();
        let mut parts: Vec<String> = seal.split('*').map(str::to_owned).collect();
        if component < 8 {
            parts[component] = edit.apply(&parts[component]);
        } else {
            suffix = edit.apply(&suffix);
        }
        let cookie = parts.join("*") + &suffix;

        let opened = unseal_json(&cookie, &case.passwords, VECTORS_NOW_MS);
        let _ = unseal_json_iron_session(&cookie, &case.passwords, VECTORS_NOW_MS);
        let _ = inspect("wos-session", &cookie);
        let authenticated = authenticate(
            Some(&cookie),
            &case.passwords,
            public_jwks(),
            &RustRsaVerifier,
            VECTORS_NOW_MS,
            &VerifyOptions::default(),
        );
        let context = format!("{} component {component} {edit:?}", case.name);
        if seal_part(&cookie) == seal {
            prop_assert!(opened.is_ok(), "{}: {:?}", context, opened);
            return Ok(());
        }
        prop_assert!(
            matches!(opened, Err(CookieError::Unseal(_))),
            "{}: {:?}", context, opened
        );
        prop_assert!(
            matches!(authenticated, Err(AuthenticateFailure::Cookie(CookieError::Unseal(_)))),
            "{}: {:?}", context, authenticated
        );
        let changed: Vec<&str> = seal_part(&cookie).split('*').collect();
        let original: Vec<&str> = seal.split('*').collect();
        let shaped_like_a_seal = changed.len() == 8
            && changed[0] == original[0]
            && changed[5] == original[5]
            && case.passwords.find(changed[1]).is_some();
        if shaped_like_a_seal {
            prop_assert_eq!(opened, Err(CookieError::Unseal(UnsealError::BadMac)), "{}", context);
        }
    }

    /// A seal whose IV, ciphertext, encryption salt or expiration was changed *and* whose MAC
    /// was recomputed gets past the MAC: decryption and the expiration rules then answer, with
    /// an error or a result, never a panic.
    #[test]
    fn a_re_maced_change_is_opened_or_refused_cleanly(
        base in any::<Index>(),
        component in prop::sample::select(&[2usize, 3, 4, 5][..]),
        edit in edit(),
    ) {
        let case = base.get(seal_cases());
        let seal = seal_part(&case.cookie);
        let suffix = &case.cookie[seal.len()..];
        let mut parts: Vec<String> = seal.split('*').map(str::to_owned).collect();
        parts[component] = edit.apply(&parts[component]).replace(['*', '~'], ".");
        parts[7] = mac_of(&case.passwords, &parts);
        let cookie = parts.join("*") + suffix;
        let opened = iron::unseal(seal_part(&cookie), &case.passwords, VECTORS_NOW_MS);
        let _ = authenticate(
            Some(&cookie),
            &case.passwords,
            public_jwks(),
            &RustRsaVerifier,
            VECTORS_NOW_MS,
            &VerifyOptions::default(),
        );
        let original = iron::unseal(seal, &case.passwords, VECTORS_NOW_MS).unwrap();
        let context = format!("{} component {component} {edit:?}", case.name);
        let text = &parts[component];
        match component {
            5 => {
                // iron-webcrypto 2: `^[1-9]\d*$`, expired once 60 s of skew have passed.
                let expected = if text.is_empty() {
                    Ok(original)
                } else if !text.bytes().all(|b| b.is_ascii_digit()) || text.starts_with('0') {
                    Err(UnsealError::InvalidExpiration)
                } else if text.parse::<u128>().unwrap_or(u128::MAX)
                    <= u128::from(VECTORS_NOW_MS - TIMESTAMP_SKEW_MS)
                {
                    Err(UnsealError::Expired)
                } else {
                    Ok(original)
                };
                prop_assert_eq!(opened, expected, "{}", context);
            }
            3 if b64url_decode(text).map_or(true, |iv| iv.len() != 16) => {
                prop_assert_eq!(opened, Err(UnsealError::Decryption), "{}", context);
            }
            4 if b64url_decode(text).map_or(true, |c| c.is_empty() || c.len() % 16 != 0) => {
                prop_assert_eq!(opened, Err(UnsealError::Decryption), "{}", context);
            }
            _ if *text == seal.split('*').nth(component).unwrap() => {
                prop_assert_eq!(opened, Ok(original), "{}", context);
            }
            // A different key or IV decrypts to other bytes: bad padding, or garbage.
            _ => {}
        }
    }

    /// A valid seal of any bytes: JSON opens, anything else is `MalformedJson`.
    #[test]
    fn a_valid_seal_of_any_plaintext_is_json_or_refused(
        plaintext in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            hostile_json_text().prop_map(String::into_bytes),
        ],
        random in randomness(),
    ) {
        let set = main_passwords();
        let cookie = format!("{}~2", iron::seal(&plaintext, set.sealing_password(), &random, None));
        let is_json = serde_json::from_slice::<Value>(&plaintext).is_ok();
        let opened = unseal_json(&cookie, &set, VECTORS_NOW_MS);
        prop_assert_eq!(opened.is_ok(), is_json, "{:?}", opened);
        if !is_json {
            prop_assert_eq!(opened, Err(CookieError::MalformedJson));
        }
        let authenticated = authenticate(
            Some(&cookie),
            &set,
            public_jwks(),
            &RustRsaVerifier,
            VECTORS_NOW_MS,
            &VerifyOptions::default(),
        );
        // No plaintext that is not a session with the real access token authenticates.
        prop_assert!(authenticated.is_err());
    }

    /// The SDK's session with one member removed or set to a hostile value (at the top level
    /// or in `user`), sealed properly: authenticates only while the access token is intact.
    #[test]
    fn a_valid_seal_of_a_changed_session_never_panics(
        path in prop::sample::select(SESSION_PATHS),
        value in prop::option::of(hostile_json_text()),
        suffix in prop::sample::select(&["~2", "~1", "", "~", "~2~x"][..]),
    ) {
        let mut session = normal_session().clone();
        let (last, parents) = path.split_last().unwrap();
        let target = parents.iter().fold(&mut session, |value, key| &mut value[*key]);
        let value = value.and_then(|text| serde_json::from_str::<Value>(&text).ok());
        match (&value, target.as_object_mut()) {
            (Some(value), Some(object)) => { object.insert((*last).to_owned(), value.clone()); }
            (None, Some(object)) => { object.shift_remove(*last); }
            _ => {}
        }
        let set = main_passwords();
        let sealed = seal_json(&session, &set, &SealRandomness::from_bytes([2; 80]), None);
        let cookie = format!("{}{suffix}", seal_part(&sealed));
        let result = authenticate(
            Some(&cookie),
            &set,
            public_jwks(),
            &RustRsaVerifier,
            VECTORS_NOW_MS,
            &VerifyOptions::default(),
        );
        match unseal_json(&cookie, &set, VECTORS_NOW_MS) {
            Ok(opened) => {
                if opened["accessToken"] != normal_session()["accessToken"] {
                    prop_assert!(result.is_err(), "{:?}", path);
                }
            }
            // serde_json reads at most 128 levels of nesting; JSON.parse has no such limit, so
            // a deeper session the SDK would read is `invalid_session_cookie` here.
            Err(error) => {
                prop_assert_eq!(&error, &CookieError::MalformedJson);
                prop_assert!(
                    matches!(result, Err(AuthenticateFailure::Cookie(CookieError::MalformedJson))),
                    "{:?}", result
                );
            }
        }
    }
}

proptest! {
    // Each case checks RSA signatures (slow in debug builds): fewer cases.
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// A valid token with one header or claims member changed, removed, duplicated or its
    /// object replaced, re-encoded with the original signature: refused, since the signature
    /// covers both. With a verifier that accepts any signature the parsers and time checks
    /// still answer without panicking, and never accept an expired token.
    #[test]
    fn a_changed_token_header_or_claim_is_refused(
        base in any::<Index>(),
        in_claims in any::<bool>(),
        edit in json_edit(),
    ) {
        let token = base.get(valid_tokens());
        let segments: Vec<&str> = token.split('.').collect();
        let which = usize::from(in_claims);
        let changed_text = edit.apply(&json_text_of(segments[which]));
        let mut changed = segments.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        changed[which] = b64url_encode(changed_text.as_bytes());
        let changed = changed.join(".");

        let verified = verify_signed(&changed);
        let authenticated = authenticate_token(&changed);
        check_token_invariants(&changed)?;
        if changed == *token {
            prop_assert!(verified.is_ok() && authenticated.is_ok());
        } else {
            prop_assert!(verified.is_err(), "{:?} accepted: {}", edit, changed_text);
            prop_assert!(authenticated.is_err(), "{:?} accepted: {}", edit, changed_text);
        }
    }

    /// `exp` or `nbf` moved around now (with some leeway): whatever the signature, a changed
    /// token is a bad signature, checked before the times; if the signature were good, the times
    /// decide exactly as jose does (`exp` must be after now − leeway, `nbf` not after now +
    /// leeway).
    #[test]
    fn time_claims_decide_once_the_signature_holds(
        base in any::<Index>(),
        exp in any::<bool>(),
        offset in prop_oneof![-3i64..=3, -200i64..=200, -10_000_000_000i64..=10_000_000_000],
        leeway in prop_oneof![Just(0u64), 0u64..=120],
    ) {
        let token = base.get(valid_tokens());
        let claim = if exp { "exp" } else { "nbf" };
        let changed = with_member(token, 1, claim, &(NOW_S + offset).to_string());
        let options = VerifyOptions { leeway_seconds: leeway, issuers: vec![] };
        prop_assert_eq!(
            jwt::verify(&changed, public_jwks(), &RustRsaVerifier, NOW_S, &options).map(|_| ()),
            Err(JwtError::BadSignature)
        );
        let leeway = leeway as i64;
        let expected = match (exp, offset) {
            (true, o) if o <= -leeway => Err(JwtError::Expired),
            (false, o) if o > leeway => Err(JwtError::NotYetValid),
            _ => Ok(()),
        };
        let verified = jwt::verify(&changed, public_jwks(), &AcceptAnySignature, NOW_S, &options);
        prop_assert_eq!(verified.map(|_| ()), expected);
    }

    /// The header's `alg`, `kid` and `crit` changed: only RS256 from a key in the JWKS, with no
    /// critical extension, is ever checked further, whatever the signature.
    #[test]
    fn header_changes_are_refused_before_the_signature(
        base in any::<Index>(),
        member in prop_oneof![
            prop::sample::select(&[
                "\"RS256\"", "\"rs256\"", "\"RS512\"", "\"HS256\"", "\"none\"", "\"ES256\"",
                "\"PS256\"", "\"RS256 \"", "\"\"", "null", "[\"RS256\"]", "256",
            ][..]).prop_map(|alg| ("alg", alg.to_owned())),
            prop_oneof![
                Just(format!("{:?}", "sso_oidc_key_pair_015X5RH9NWDTYZFFD257094E4S")),
                "[a-z_0-9]{0,50}".prop_map(|kid| format!("{kid:?}")),
                hostile_json_text(),
            ].prop_map(|kid| ("kid", kid)),
            hostile_json_text().prop_map(|crit| ("crit", crit)),
        ],
    ) {
        let token = base.get(valid_tokens());
        let (key, raw) = member;
        let changed = with_member(token, 0, key, &raw);
        let verified = jwt::verify(
            &changed,
            public_jwks(),
            &AcceptAnySignature,
            NOW_S,
            &VerifyOptions::default(),
        );
        let header = changed.split('.').next().unwrap();
        let header = serde_json::from_slice::<Value>(&b64url_decode(header).unwrap()).ok();
        // A `null` kid is no kid (jose only filters keys by a string kid); a kid of another
        // type is refused (jose ignores it: we are stricter).
        let known_kid = |kid: &Value| {
            kid.is_null() || kid.as_str().is_some_and(|kid| public_jwks().has_key_id(kid))
        };
        let acceptable = header.is_some_and(|h| {
            h["alg"] == "RS256" && h.get("crit").is_none() && h.get("kid").is_none_or(known_kid)
        });
        prop_assert_eq!(verified.is_ok(), acceptable, "{}={}: {:?}", key, raw, verified);
        let alg = serde_json::from_str::<Value>(&raw).ok().filter(|_| key == "alg");
        if let Some(Value::String(alg)) = alg {
            if alg != "RS256" {
                prop_assert_eq!(verified.map(|_| ()), Err(JwtError::UnsupportedAlgorithm(alg)));
            }
        }
    }

    /// Signature bytes flipped, cut, extended or replaced: a bad signature, whatever the length.
    #[test]
    fn a_changed_token_signature_is_refused(
        base in any::<Index>(),
        edit in signature_edit(),
    ) {
        let token = base.get(valid_tokens());
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let signature = b64url_decode(signature).unwrap();
        let changed_signature = edit.apply(&signature);
        let changed = format!("{signed}.{}", b64url_encode(&changed_signature));
        let verified = verify_signed(&changed);
        if changed_signature == signature {
            prop_assert!(verified.is_ok());
        } else {
            prop_assert_eq!(verified, Err(JwtError::BadSignature), "{:?}", edit);
            prop_assert!(authenticate_token(&changed).is_err());
        }
    }

    /// The token's text changed anywhere (separators, base64url, anything): refused unless
    /// unchanged; strict base64url leaves no second spelling of the same signature.
    #[test]
    fn a_changed_token_text_is_refused(base in any::<Index>(), edit in edit()) {
        let token = base.get(valid_tokens());
        let changed = edit.apply(token);
        let verified = verify_signed(&changed);
        check_token_invariants(&changed)?;
        if changed == *token {
            prop_assert!(verified.is_ok());
        } else {
            prop_assert!(verified.is_err(), "{:?}", edit);
        }
    }
}
