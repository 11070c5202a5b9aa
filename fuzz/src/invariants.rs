//! What must hold for any input, one function per fuzz target.
//!
//! Each function takes the raw fuzz input and panics when an invariant breaks. The fuzz targets
//! (fuzz/fuzz_targets/*.rs) call them under libFuzzer; crates/core/tests/fuzz_regressions.rs
//! includes this same file and replays the seeds and every saved crash through them without
//! the fuzzer. It depends only on workos-edge-core, serde_json and url.
//!
//! Fixtures are the public test vectors (crates/core/tests/data/public.json): their passwords,
//! seals, JWKS and tokens. The only tokens and seals that may ever be accepted are the ones in
//! that file (nobody can forge an RS256 signature or an HMAC by mutating bytes), so "accepted"
//! implies "byte-identical to a vector".

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use workos_edge_core::api::{
    ApiErrorBody, ApiReply, AuthenticationResponse, ListResponse, OrganizationMembership, Session,
};
use workos_edge_core::authenticate::{self, AuthenticateFailure};
use workos_edge_core::cookie::{self, CookieError};
use workos_edge_core::iron::{self, SealRandomness, UnsealError, TIMESTAMP_SKEW_MS};
use workos_edge_core::jwt::{self, Jwk, Jwks, RustRsaVerifier, SignatureVerifier, VerifyOptions};
use workos_edge_core::refresh::{self, RefreshFailure};
use workos_edge_core::web::callback::{parse_callback_query, CallbackError, STATE_LENGTH};
use workos_edge_core::web::{self, PathGlob};
use workos_edge_core::PasswordSet;

/// The vectors' clock (public.json `generated_at`), in ms.
pub const NOW_MS: u64 = 1_795_801_917_309;

/// A target's invariants over one raw fuzz input.
pub type Check = fn(&[u8]);

/// Every target by name, for the replay test.
pub const TARGETS: &[(&str, Check)] = &[
    ("unseal", unseal),
    ("token", token),
    ("cookie_header", cookie_header),
    ("return_to", return_to),
    ("path", path),
    ("callback_query", callback_query),
    ("api_replies", api_replies),
    ("lifecycle", lifecycle),
];

struct Fixtures {
    /// `PasswordSet::single(main)`: the SDK's id `1`.
    single: PasswordSet,
    /// `{1: old, 2: main}`: seals with id `2`.
    map: PasswordSet,
    jwks: Jwks,
    /// Tokens in the vectors that carry a valid RS256 signature by the JWKS key (some are
    /// expired or not yet valid: with unlimited leeway they verify).
    signed_tokens: Vec<String>,
    /// Every other token in the vectors (wrong key, `none`, HS256, tampered...).
    unsigned_tokens: Vec<String>,
    /// The seal part (before `~`) of every vector cookie.
    known_seals: Vec<String>,
}

fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let vectors: Value =
            serde_json::from_str(include_str!("../../crates/core/tests/data/public.json"))
                .expect("public.json parses");
        let main = vectors["passwords"]["main"].as_str().unwrap();
        let old = vectors["passwords"]["old"].as_str().unwrap();
        let jwks: Jwks = serde_json::from_value(vectors["jwks"].clone()).unwrap();
        // Signed by the vectors' key: the names are fixed by the vector generator, not by what
        // the code under test says.
        const SIGNED: &[&str] = &[
            "valid",
            "valid-no-kid",
            "expired",
            "not-yet-valid",
            "no-sid",
            "other-issuer",
        ];
        let (mut signed_tokens, mut unsigned_tokens) = (Vec::new(), Vec::new());
        for t in vectors["access_tokens"].as_array().unwrap() {
            let token = t["token"].as_str().unwrap().to_owned();
            if SIGNED.contains(&t["name"].as_str().unwrap()) {
                signed_tokens.push(token);
            } else {
                unsigned_tokens.push(token);
            }
        }
        let mut known_seals = Vec::new();
        let mut cookies: Vec<&Value> = vectors["seal_vectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| &v["sealed"])
            .collect();
        cookies.extend(
            vectors["access_tokens"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| &t["sealed_session_with_this_token"]),
        );
        for cookie in cookies.into_iter().filter_map(Value::as_str) {
            known_seals.push(cookie.split('~').next().unwrap().to_owned());
        }
        Fixtures {
            single: PasswordSet::single(main).unwrap(),
            map: PasswordSet::map([("1", old), ("2", main)]).unwrap(),
            jwks,
            signed_tokens,
            unsigned_tokens,
            known_seals,
        }
    })
}

/// Reads fuzz bytes front to back; past the end it yields zeros / empty slices.
struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.data.split_first().unwrap_or((&0, &[]));
        self.data = rest;
        b
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    fn u64(&mut self) -> u64 {
        let mut bytes = [0; 8];
        let head = self.take(8);
        bytes[..head.len()].copy_from_slice(head);
        u64::from_le_bytes(bytes)
    }

    fn text(&mut self) -> String {
        let n = usize::from(self.byte());
        String::from_utf8_lossy(self.take(n)).into_owned()
    }

    fn rest(&mut self) -> &'a [u8] {
        self.take(self.data.len())
    }
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

// ---------------------------------------------------------------------------------------------
// unseal

/// First byte: 0 = a cookie value to open; 1 = JSON text to seal and reopen; 2 = a JSON value
/// built from the bytes, sealed and reopened; 3 = raw bytes through iron with an expiration.
pub fn unseal(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => open_cookie(&text(rest)),
        1 => {
            let value = serde_json::from_slice(rest).unwrap_or_else(|_| Value::String(text(rest)));
            roundtrip_json(&value, 1);
        }
        2 => {
            let mut reader = Reader { data: rest };
            let seed = reader.byte();
            let value = build_value(&mut reader, 0);
            roundtrip_json(&value, seed);
        }
        _ => roundtrip_iron(rest),
    }
}

/// Opening an arbitrary cookie value never panics, both readers agree, and whatever opens is a
/// vector's seal, byte for byte, that re-seals to itself.
fn open_cookie(cookie: &str) {
    let f = fixtures();
    let _ = cookie::inspect("wos-session", cookie);
    for set in [&f.single, &f.map] {
        let sdk = cookie::unseal_json(cookie, set, NOW_MS);
        let iron_session = cookie::unseal_json_iron_session(cookie, set, NOW_MS);
        assert_eq!(
            sdk.as_ref().err(),
            iron_session.as_ref().err(),
            "both readers fail alike"
        );
        let seal = cookie.split('~').next().unwrap_or_default();
        let plaintext = iron::unseal(seal, set, NOW_MS);
        match &plaintext {
            Err(e) => assert_eq!(sdk, Err(CookieError::Unseal(e.clone()))),
            Ok(bytes) => {
                let json = serde_json::from_slice::<Value>(bytes);
                assert_eq!(sdk.is_ok(), json.is_ok(), "opens iff the plaintext is JSON");
                assert!(
                    f.known_seals.iter().any(|s| s == seal),
                    "a seal nobody made with the password opened: {seal:?}"
                );
                assert_reseals_identically(seal, bytes, set);
                assert!(cookie::inspect("wos-session", cookie).well_formed);
                let has_expiry = !seal.split('*').nth(5).unwrap_or_default().is_empty();
                if !has_expiry {
                    assert_eq!(iron::unseal(seal, set, 0).as_ref(), Ok(bytes));
                    assert_eq!(iron::unseal(seal, set, u64::MAX).as_ref(), Ok(bytes));
                }
            }
        }
        let open_now = authenticate::open_session(Some(cookie), set, NOW_MS);
        if let Err(AuthenticateFailure::Cookie(e)) = &open_now {
            assert_eq!(sdk.as_ref().err(), Some(e));
        }
    }
}

/// An accepted seal is canonical: sealing its plaintext again with its own salts, IV and
/// expiration gives the same text (no second spelling of a MAC, IV or ciphertext opens).
fn assert_reseals_identically(seal: &str, plaintext: &[u8], set: &PasswordSet) {
    let parts: Vec<&str> = seal.split('*').collect();
    let password = set.find(parts[1]).expect("opened, so the id is known");
    let iv: [u8; 16] = workos_edge_core::encoding::b64url_decode(parts[3])
        .unwrap()
        .try_into()
        .unwrap();
    let expiration = (!parts[5].is_empty()).then(|| parts[5].parse::<u64>().unwrap());
    let again = iron::seal_with_salt_text(plaintext, password, parts[2], parts[6], &iv, expiration);
    assert_eq!(
        again, seal,
        "an accepted seal is the only spelling of itself"
    );
}

fn randomness(seed: u8) -> SealRandomness {
    let mut bytes = [0u8; 80];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = seed.wrapping_mul(31).wrapping_add(i as u8);
    }
    SealRandomness::from_bytes(bytes)
}

/// seal → unseal gives the value back (a sealed `null` reads as `{}`, as the SDK's), and a seal
/// opens under the set that made it only.
fn roundtrip_json(value: &Value, seed: u8) {
    let f = fixtures();
    let expected = if value.is_null() {
        json!({})
    } else {
        value.clone()
    };
    let sealed = cookie::seal_json(value, &f.single, &randomness(seed), None);
    assert!(sealed.ends_with("~2"));
    assert_eq!(
        cookie::unseal_json(&sealed, &f.single, NOW_MS).as_ref(),
        Ok(&expected),
        "seal → unseal is the identity"
    );
    assert_eq!(
        cookie::unseal_json_iron_session(&sealed, &f.single, NOW_MS).as_ref(),
        Ok(&expected)
    );
    // Id `1` in the map is a different secret.
    assert_eq!(
        cookie::unseal_json(&sealed, &f.map, NOW_MS),
        Err(CookieError::Unseal(UnsealError::BadMac))
    );
    let rotated = cookie::seal_json(value, &f.map, &randomness(seed), None);
    assert!(
        rotated.starts_with("Fe26.2*2*"),
        "the map seals with its highest id"
    );
    assert_eq!(
        cookie::unseal_json(&rotated, &f.map, NOW_MS).as_ref(),
        Ok(&expected)
    );
    assert_eq!(
        cookie::unseal_json(&rotated, &f.single, NOW_MS),
        Err(CookieError::Unseal(UnsealError::UnknownPasswordId(
            "2".into()
        )))
    );
}

/// Any bytes survive iron; an expiration is honoured with 60 s of skew.
fn roundtrip_iron(data: &[u8]) {
    let f = fixtures();
    let mut reader = Reader { data };
    let seed = reader.byte();
    let expiration = match reader.byte() % 4 {
        0 => None,
        1 => Some(
            NOW_MS
                .wrapping_add(reader.u64() % 200_000)
                .wrapping_sub(100_000),
        ),
        _ => Some(reader.u64()),
    };
    let plaintext = reader.rest();
    let sealed = iron::seal(
        plaintext,
        f.single.sealing_password(),
        &randomness(seed),
        expiration,
    );
    let opened = iron::unseal(&sealed, &f.single, NOW_MS);
    match expiration {
        None => assert_eq!(opened.as_deref(), Ok(plaintext)),
        Some(exp) if exp > NOW_MS.saturating_sub(TIMESTAMP_SKEW_MS) => {
            assert_eq!(opened.as_deref(), Ok(plaintext), "unexpired seal opens")
        }
        // `0` is written as "0", which iron refuses as malformed rather than expired.
        Some(0) => assert_eq!(opened, Err(UnsealError::InvalidExpiration)),
        Some(_) => assert_eq!(opened, Err(UnsealError::Expired)),
    }
}

/// A small JSON value from fuzz bytes (strings, numbers of every kind, nesting).
fn build_value(reader: &mut Reader, depth: u8) -> Value {
    match reader.byte() % 8 {
        0 => Value::Null,
        1 => Value::Bool(reader.byte() & 1 == 1),
        2 => json!(reader.u64() as i64),
        3 => json!(reader.u64()),
        4 => serde_json::Number::from_f64(f64::from_bits(reader.u64()))
            .map_or(Value::Null, Value::Number),
        5 | 6 if depth < 4 => {
            let len = reader.byte() % 5;
            if reader.byte() & 1 == 0 {
                Value::Array((0..len).map(|_| build_value(reader, depth + 1)).collect())
            } else {
                let mut map = Map::new();
                for _ in 0..len {
                    let key = reader.text();
                    map.insert(key, build_value(reader, depth + 1));
                }
                Value::Object(map)
            }
        }
        _ => Value::String(reader.text()),
    }
}

// ---------------------------------------------------------------------------------------------
// token

/// An input starting with `e` (every JWT starts `eyJ`) is a token as is. Otherwise the first
/// byte picks a vector token whose signature is kept, and the rest is `header JSON NUL payload
/// JSON`, base64url-encoded in front of that signature.
pub fn token(data: &[u8]) {
    let f = fixtures();
    let token = match data.split_first() {
        None => String::new(),
        Some((b'e', _)) => text(data),
        Some((&pick, rest)) => {
            let all: Vec<&String> = f.signed_tokens.iter().chain(&f.unsigned_tokens).collect();
            let donor = all[usize::from(pick) % all.len()];
            let signature = donor.rsplit('.').next().unwrap_or_default();
            let (header, payload) = match rest.iter().position(|&b| b == 0) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (&br#"{"alg":"RS256","typ":"JWT"}"#[..], rest),
            };
            let b64 = workos_edge_core::encoding::b64url_encode;
            format!("{}.{}.{signature}", b64(header), b64(payload))
        }
    };
    check_token(&token);
}

fn check_token(token: &str) {
    let f = fixtures();
    let signed = f.signed_tokens.iter().any(|t| t == token);
    let now_s = (NOW_MS / 1000) as i64;
    let strict = VerifyOptions::default();
    let lenient = VerifyOptions {
        leeway_seconds: u64::MAX,
        issuers: Vec::new(),
    };

    let unverified = jwt::decode_unverified(token);
    assert_eq!(
        jwt::decode_claims_unverified(token),
        unverified.clone().map(|u| u.claims)
    );

    if let Ok(pending) = jwt::prepare(token, &f.jwks) {
        let (data, _) = token.rsplit_once('.').expect("prepared, so it has dots");
        assert_eq!(pending.signed_data(), data.as_bytes());
        assert!(!pending.candidate_keys().is_empty());
        for key in pending.candidate_keys() {
            assert!(f.jwks.keys.contains(key));
        }
        let unverified = unverified.as_ref().expect("prepared, so it decodes");
        let finished = pending.finish(true, now_s, &lenient);
        assert_eq!(finished.map(|v| v.claims).as_ref(), Ok(&unverified.claims));
    }
    assert!(
        jwt::prepare(token, &Jwks::default()).is_err(),
        "no key, no candidates"
    );

    let verified = jwt::verify(token, &f.jwks, &RustRsaVerifier, now_s, &strict);
    let verified_lenient = jwt::verify(token, &f.jwks, &RustRsaVerifier, now_s, &lenient);
    if verified.is_ok() || verified_lenient.is_ok() {
        assert!(
            signed,
            "a token the JWKS key never signed verified: {token:?}"
        );
    }
    if signed {
        assert!(verified_lenient.is_ok(), "a vector's signed token verifies");
    }
    if let Ok(v) = &verified {
        assert_eq!(verified_lenient.as_ref(), Ok(v));
        let u = unverified.as_ref().unwrap();
        assert_eq!((&v.claims, v.expires_at), (&u.claims, u.expires_at));
    }

    // The same token inside a cookie, through the SDK's authenticate().
    let session = json!({
        "accessToken": token,
        "refreshToken": "refresh_fuzz",
        "user": {"object": "user", "id": "user_fuzz", "email": "fuzz@example.com"},
    });
    let cookie = cookie::seal_json(&session, &f.single, &randomness(7), None);
    let result = authenticate::authenticate(
        Some(&cookie),
        &f.single,
        &f.jwks,
        &RustRsaVerifier,
        NOW_MS,
        &lenient,
    );
    match &result {
        Ok(s) => {
            assert!(signed, "authenticate() accepted a forged token: {token:?}");
            assert_eq!(Ok(&s.token), verified_lenient.as_ref());
        }
        Err(AuthenticateFailure::MissingAccessToken) => assert!(token.is_empty()),
        Err(AuthenticateFailure::Jwt { error, .. }) => {
            assert_eq!(verified_lenient.as_ref().err(), Some(error))
        }
        Err(other) => panic!("the cookie we sealed did not open: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// cookie_header

/// `name NUL value NUL header` (value `Some`), `name NUL header` (value `None`), or just a
/// header (name `wos-session`, value `v`).
pub fn cookie_header(data: &[u8]) {
    let input = text(data);
    let parts: Vec<&str> = input.splitn(3, '\0').collect();
    let (name, value, header) = match parts[..] {
        [name, value, header] => (name, Some(value), header),
        [name, header] => (name, None, header),
        _ => ("wos-session", Some("v"), input.as_str()),
    };

    let pairs: Vec<(&str, &str)> = web::cookie_pairs(header).collect();
    for &(k, v) in &pairs {
        assert!(!k.contains(';') && !v.contains(';'));
        assert_eq!(k, k.trim());
        assert!(!k.contains('='), "the name ends at the first '='");
    }
    assert_eq!(
        web::cookie_value(header, name),
        pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    );

    let rewritten = web::rewrite_cookie_header(header, name, value);
    let name_is_token = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    // What a caller may pass as a value: our seals never hold `;`, edge whitespace or quotes.
    let plain_value = value.is_none_or(|v| {
        let quoted = v.len() >= 2 && v.starts_with('"') && v.ends_with('"');
        !v.contains(';') && v == v.trim() && !quoted
    });
    if !name_is_token || !plain_value {
        return;
    }
    let others = |h: &str| -> Vec<(String, String)> {
        web::cookie_pairs(h)
            .filter(|(k, _)| *k != name)
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    };
    assert_eq!(
        others(&rewritten),
        others(header),
        "other cookies are kept, in order"
    );
    assert_eq!(
        web::rewrite_cookie_header(&rewritten, name, value),
        rewritten,
        "rewriting is idempotent"
    );
    assert_eq!(
        web::cookie_value(&rewritten, name),
        value,
        "the rewritten cookie reads back"
    );
    let count = web::cookie_pairs(&rewritten)
        .filter(|(k, _)| *k == name)
        .count();
    assert_eq!(
        count,
        usize::from(value.is_some()),
        "one cookie of that name at most"
    );
}

// ---------------------------------------------------------------------------------------------
// return_to

/// The input is a `returnTo` value.
pub fn return_to(data: &[u8]) {
    let input = text(data);
    let Some(path) = web::safe_return_path(&input) else {
        return;
    };
    assert_eq!(path, input, "kept values are kept verbatim");
    assert!(path.starts_with('/') && !path.starts_with("//"));
    assert!(!path.contains('\\'));
    assert!(!path.chars().any(char::is_control));
    for base in ["https://example.com", "https://example.com/a/b?q#f"] {
        let base = url::Url::parse(base).unwrap();
        let resolved = base
            .join(&path)
            .unwrap_or_else(|e| panic!("{path:?} does not resolve: {e}"));
        assert_eq!(resolved.origin(), base.origin(), "{path:?} left the origin");
        assert_eq!(resolved.host_str(), Some("example.com"));
        assert_eq!((resolved.username(), resolved.password()), ("", None));
    }
}

// ---------------------------------------------------------------------------------------------
// path

/// First byte: bit 0 = case-insensitive glob. Then `raw path NUL glob NUL path to match`; the
/// glob and the path to match are cut short so the backtracking reference stays cheap.
pub fn path(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let input = text(rest);
    let mut parts = input.splitn(3, '\0');
    let raw = parts.next().unwrap_or_default();
    let pattern = truncate(parts.next().unwrap_or("/**"), 10);
    let candidate = truncate(parts.next().unwrap_or_default(), 20);

    let normalized = web::normalize_path(raw);
    if let Ok(n) = &normalized {
        check_normalized(raw, n);
    }

    let glob = if flags & 1 == 1 {
        PathGlob::new_case_insensitive(pattern)
    } else {
        PathGlob::new(pattern)
    };
    let again = if flags & 1 == 1 {
        PathGlob::new_case_insensitive(&glob.to_string())
    } else {
        PathGlob::new(&glob.to_string())
    };
    assert_eq!(again, glob, "a glob's text builds the same glob");
    let ci = flags & 1 == 1;
    // Globs are spelled as normalised paths are (non-ASCII and escapes normalised); the
    // reference matches against that spelling.
    let spelled = glob.to_string();
    assert!(
        spelled.is_ascii() && spelled.starts_with('/'),
        "{spelled:?}"
    );
    let mut paths = vec![candidate.to_owned(), raw.to_owned()];
    if let Ok(n) = &normalized {
        paths.push(n.clone());
    }
    for p in paths.iter().filter(|p| p.len() <= 20) {
        assert_eq!(
            glob.matches(p),
            reference_matches(&spelled, ci, p),
            "glob {pattern:?} = {spelled:?} (case-insensitive: {ci}) against {p:?}"
        );
    }

    // Never slow: a long path built from the input, matched against the glob.
    let unit = if candidate.is_empty() {
        "a-"
    } else {
        candidate
    };
    let long = format!("/{}", unit.repeat(4096 / unit.len().max(1)));
    let started = Instant::now();
    let _ = glob.matches(&long);
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(500),
        "glob {pattern:?} took {elapsed:?} on {} bytes",
        long.len()
    );
}

fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn check_normalized(raw: &str, n: &str) {
    assert!(n.starts_with('/'), "{raw:?} → {n:?}");
    assert!(!n.contains("//"), "{raw:?} → {n:?}");
    for segment in n.split('/') {
        assert!(segment != "." && segment != "..", "{raw:?} → {n:?}");
    }
    let lower = n.to_ascii_lowercase();
    for escape in ["%2f", "%5c", "%00"] {
        assert!(!lower.contains(escape), "{raw:?} → {n:?} has {escape}");
    }
    assert!(!n.contains(['\\', ';']) && !n.chars().any(char::is_control));
    assert_eq!(
        web::normalize_path(n).as_deref(),
        Ok(n),
        "normalising is idempotent: {raw:?} → {n:?}"
    );
}

/// The documented glob semantics, by plain backtracking: a trailing `/*` or `/**` after a
/// star-free prefix is the prefix and everything below it; otherwise a run of two or more `*` matches any
/// bytes, one `*` any bytes but `/`, anything else itself (ASCII case aside when asked).
fn reference_matches(pattern: &str, case_insensitive: bool, path: &str) -> bool {
    let pattern = pattern.trim();
    let pattern = if pattern.starts_with('/') {
        pattern.to_owned()
    } else {
        format!("/{pattern}")
    };
    let eq = |a: u8, b: u8| {
        if case_insensitive {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let text = path.as_bytes();
    let subtree = pattern
        .strip_suffix("/*")
        .or_else(|| pattern.strip_suffix("/**"))
        .filter(|p| !p.contains('*'));
    if let Some(prefix) = subtree {
        let prefix = prefix.as_bytes();
        return text.len() >= prefix.len()
            && text.iter().zip(prefix).all(|(&a, &b)| eq(a, b))
            && matches!(text.get(prefix.len()), None | Some(b'/'));
    }
    fn backtrack(p: &[u8], t: &[u8], eq: &dyn Fn(u8, u8) -> bool) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some(b'*') => {
                let stars = p.iter().take_while(|&&b| b == b'*').count();
                let rest = &p[stars..];
                for i in 0..=t.len() {
                    if backtrack(rest, &t[i..], eq) {
                        return true;
                    }
                    if stars == 1 && t.get(i) == Some(&b'/') {
                        return false;
                    }
                }
                false
            }
            Some(&c) => t.first().is_some_and(|&b| eq(c, b)) && backtrack(&p[1..], &t[1..], eq),
        }
    }
    backtrack(pattern.as_bytes(), text, &eq)
}

// ---------------------------------------------------------------------------------------------
// callback_query

/// The input is the callback's query string.
pub fn callback_query(data: &[u8]) {
    let query = text(data);
    let keys: Vec<&str> = query
        .split('&')
        .map(|pair| pair.split_once('=').map_or(pair, |(k, _)| k))
        .collect();
    match parse_callback_query(Some(&query)) {
        Ok(params) => {
            assert_eq!(params.state.len(), STATE_LENGTH);
            assert!(params
                .state
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert!(!params.code.is_empty());
            assert!(params
                .code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b)));
            assert!(!keys.contains(&"error"), "an error parameter always wins");
        }
        Err(CallbackError::Refused(code)) => {
            assert!(code.chars().count() <= 64);
            assert!(code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)));
            assert!(keys.contains(&"error"));
        }
        Err(CallbackError::Incomplete) => {
            assert!(!keys.contains(&"code") || !keys.contains(&"state"))
        }
        Err(CallbackError::Malformed) => {}
    }
    assert_eq!(
        parse_callback_query(None),
        Err(CallbackError::Incomplete),
        "no query, no sign-in"
    );
}

// ---------------------------------------------------------------------------------------------
// api_replies

/// `status (u16 LE), flags, [len, Retry-After], [len, X-Request-ID], body`. Flags: bit 0
/// Retry-After present, bit 1 request id present, bits 2-3 = 1 for a timeout, 2 for a network
/// error (the body is its message).
pub fn api_replies(data: &[u8]) {
    let f = fixtures();
    let mut reader = Reader { data };
    let status = u16::from_le_bytes([reader.byte(), reader.byte()]);
    let flags = reader.byte();
    let retry_after = (flags & 1 == 1).then(|| reader.text());
    let request_id = (flags & 2 == 2).then(|| reader.text());
    let body = reader.rest().to_vec();
    let reply = match (flags >> 2) & 3 {
        1 => ApiReply::Timeout,
        2 => ApiReply::NetworkError(text(&body)),
        _ => ApiReply::Response {
            status,
            retry_after: retry_after.clone(),
            request_id,
            body: body.clone(),
        },
    };

    let classified = refresh::classify_authenticate_reply(&reply);
    match (&reply, &classified) {
        (ApiReply::Response { status, .. }, Ok(response)) => {
            assert!((200..300).contains(status), "only 2xx succeeds");
            assert_eq!(
                AuthenticationResponse::from_json(&body).as_ref().ok(),
                Some(response)
            );
        }
        (ApiReply::Response { status, .. }, Err(failure)) => {
            if (200..300).contains(status) {
                assert!(AuthenticationResponse::from_json(&body).is_err());
            }
            // `Unexpected` replies count as retryable by design (never sign out on them);
            // a reported reason is retryable only for 408, 429 and 5xx.
            if let RefreshFailure::Failed {
                reason,
                retry_after,
                ..
            } = failure
            {
                if retry_after.is_some() {
                    assert_eq!(*status, 429, "Retry-After counts on 429 only");
                }
                if reason.is_retryable() {
                    assert!(*status == 408 || *status == 429 || *status >= 500);
                }
            }
            let _ = (failure.to_sdk_json(), failure.to_string());
        }
        (_, Err(failure)) => assert!(failure.is_retryable(), "timeouts and network errors"),
        (_, Ok(_)) => panic!("a reply without a response succeeded"),
    }

    let refreshed = refresh::complete_refresh(&reply, &f.single, &randomness(3), None);
    match (&classified, &refreshed) {
        (Ok(response), Ok(session)) => {
            assert_eq!(&session.response, response);
            let claims = jwt::decode_claims_unverified(&response.access_token);
            assert_eq!(claims.as_ref(), Ok(&session.claims));
            assert_eq!(
                cookie::unseal_json(&session.sealed, &f.single, NOW_MS),
                Ok(session.cookie.clone().into_json()),
                "the new cookie opens to the new session"
            );
            let _ = session.to_sdk_json();
        }
        (Ok(response), Err(_)) => assert!(jwt::decode_unverified(&response.access_token).is_err()),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (Err(_), Ok(_)) => panic!("refresh succeeded on a reply classified as a failure"),
    }

    roundtrips::<ListResponse<Session>>(&body);
    roundtrips::<ListResponse<OrganizationMembership>>(&body);
    roundtrips::<ApiErrorBody>(&body);
    if let Ok(jwks) = Jwks::from_json(&body) {
        let text = serde_json::to_vec(&jwks).unwrap();
        assert_eq!(Jwks::from_json(&text).ok().as_ref(), Some(&jwks));
        check_foreign_jwks(&jwks);
    }
}

fn roundtrips<T>(body: &[u8])
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    if let Ok(parsed) = serde_json::from_slice::<T>(body) {
        let text = serde_json::to_vec(&parsed).unwrap();
        assert_eq!(serde_json::from_slice::<T>(&text).ok(), Some(parsed));
    }
}

/// A JWKS from the network verifies a vector token only if it holds the vectors' key (same
/// modulus and exponent as numbers), whatever else it says.
fn check_foreign_jwks(jwks: &Jwks) {
    let f = fixtures();
    if jwks.keys.len() > 4 {
        return;
    }
    let strip = |bytes: Vec<u8>| -> Vec<u8> {
        let zeros = bytes.iter().take_while(|&&b| b == 0).count();
        bytes[zeros..].to_vec()
    };
    let real = f.jwks.keys[0].rsa_components().unwrap();
    let real = (strip(real.0), strip(real.1));
    let holds_real_key = |key: &Jwk| {
        key.rsa_components()
            .is_some_and(|(n, e)| (strip(n), strip(e)) == real)
    };
    let lenient = VerifyOptions {
        leeway_seconds: u64::MAX,
        issuers: Vec::new(),
    };
    for token in f.signed_tokens.iter().chain(&f.unsigned_tokens).take(3) {
        if let Ok(pending) = jwt::prepare(token, jwks) {
            for key in pending.candidate_keys() {
                let ok =
                    RustRsaVerifier.verify_rs256(key, pending.signed_data(), pending.signature());
                if ok {
                    assert!(
                        holds_real_key(key),
                        "a foreign key verified {token:?}: {key:?}"
                    );
                }
            }
        }
        if jwt::verify(
            token,
            jwks,
            &RustRsaVerifier,
            (NOW_MS / 1000) as i64,
            &lenient,
        )
        .is_ok()
        {
            assert!(f.signed_tokens.contains(token));
            assert!(jwks.keys.iter().any(holds_real_key));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// lifecycle

/// The session-lifecycle parsers that see attacker input: cookie chunks, CORS, webhook
/// signatures and events, the activity cookie, the sign-in counter and assertion keys. The
/// first byte picks one; the rest is its input.
pub fn lifecycle(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let input = text(rest);
    match selector % 6 {
        0 => chunks(&input),
        1 => cors(&input),
        2 => {
            let (header, body) = input.split_once('\0').unwrap_or((&input, ""));
            let verdict = web::webhook::verify_signature(
                Some(header),
                body.as_bytes(),
                "whsec_fuzz",
                NOW_MS,
                web::webhook::DEFAULT_TOLERANCE_MS,
            );
            // Nobody forges an HMAC by mutating bytes.
            assert!(verdict.is_err(), "accepted a forged delivery");
            let _ = web::webhook::WebhookEvent::parse(body.as_bytes())
                .map(|e| e.revoked_session().map(str::len));
        }
        3 => {
            let set = &fixtures().single;
            let (sid, value) = input.split_once('\0').unwrap_or(("session_1", &input));
            // Forged values never read as activity (the MAC needs the password).
            assert_eq!(
                web::activity::last_activity(set, sid, value),
                None,
                "{value:?}"
            );
            let at = rest.iter().fold(0u64, |acc, &b| {
                acc.wrapping_mul(31).wrapping_add(u64::from(b))
            }) % 10_000_000_000;
            let written = web::activity::activity_value(set, sid, at).expect("HMAC takes any key");
            assert_eq!(web::activity::last_activity(set, sid, &written), Some(at));
            assert_eq!(
                web::activity::last_activity(set, &format!("{sid}x"), &written),
                None
            );
        }
        4 => {
            let now = 1_800_000_000;
            if let Some(wait) = web::sign_in_loop::loop_detected(Some(&input), now) {
                assert!(wait <= web::sign_in_loop::LOOP_WINDOW_SECONDS);
            }
            let next = web::sign_in_loop::count_sign_in(Some(&input), now);
            assert!(
                next.bytes().all(|b| b.is_ascii_digit() || b == b'.'),
                "{next}"
            );
        }
        _ => {
            if let Ok(keys) = workos_edge_core::assertion::parse_signing_keys(&input) {
                let published = workos_edge_core::assertion::jwks(&keys).to_string();
                assert!(
                    !published.contains("\"d\""),
                    "a private member was published"
                );
            }
        }
    }
}

/// A `Cookie` header and a value to store as the session: every line fits a browser, and the
/// jar after the lines reads back exactly the value, with nothing of the session left over.
fn chunks(input: &str) {
    use web::chunks::{
        has_chunks, origin_cookie_header, session_cookie_value, session_set_cookies,
    };
    let name = "wos-session";
    let (header, raw_value) = input.split_once('\0').unwrap_or((input, "Fe26.2*1*v"));
    // Seals are base64url, digits, `*`, `.`, `~`: what a session value can be.
    let value: String = raw_value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "*-_.~".contains(*c))
        .cycle()
        .take(raw_value.len().saturating_mul(37) % 50_000)
        .collect();
    if let Some(read) = session_cookie_value(header, name) {
        assert!(web::cookie_value(header, name).is_some() || has_chunks(header, name));
        assert!(read.len() <= header.len());
    }
    let attributes = web::CookieAttributes {
        path: "/".into(),
        domain: None,
        max_age: Some(3600),
        same_site: web::SameSite::Lax,
        secure: true,
    };
    if value.is_empty() {
        return;
    }
    match session_set_cookies(
        &attributes,
        name,
        &value,
        Some(header),
        web::chunks::MAX_SESSION_CHUNKS,
    ) {
        Ok(lines) => {
            let mut jar: Vec<(String, String)> = web::cookie_pairs(header)
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            for line in &lines {
                assert!(
                    line.len() <= web::MAX_SET_COOKIE_BYTES,
                    "a line past 4096 bytes"
                );
                let pair = line.split(';').next().unwrap_or_default();
                let (key, val) = pair.split_once('=').unwrap_or((pair, ""));
                jar.retain(|(k, _)| k != key);
                if !line.contains("Max-Age=0") {
                    jar.push((key.to_owned(), val.to_owned()));
                }
            }
            let after: String = jar
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            // Cookies the header carried twice are beyond what one write can clean; the
            // browser never sends a name twice for one path.
            let repeated = {
                let keys: Vec<&str> = web::cookie_pairs(header).map(|(k, _)| k).collect();
                keys.iter().enumerate().any(|(i, k)| keys[..i].contains(k))
            };
            let clean_values = web::cookie_pairs(header).all(|(_, v)| !v.contains(['"', ' ']));
            if !repeated && clean_values && !header.contains(['"', '\t']) {
                assert_eq!(
                    session_cookie_value(&after, name).as_deref(),
                    Some(value.as_str()),
                    "the jar reads back the value"
                );
            }
        }
        Err(bytes) => assert!(bytes > 39_000, "refused a {bytes}-byte session that fits"),
    }
    let joined = origin_cookie_header(header, name, &value);
    assert!(!has_chunks(&joined, name), "the origin sees no chunks");
    assert_eq!(
        web::cookie_pairs(&joined)
            .filter(|(k, _)| *k == name)
            .count(),
        1
    );
}

/// `CORS_ALLOWED_ORIGINS`, an `Origin`, a method and headers: nothing with a CR, LF or NUL ever
/// reaches a response header, and only a listed origin is echoed.
fn cors(input: &str) {
    use web::cors::{allowed_origin, parse_allowed_origins, preflight_headers};
    let mut parts = input.split('\0');
    let (list, origin, method, headers) = (
        parts.next().unwrap_or_default(),
        parts.next(),
        parts.next().unwrap_or("GET"),
        parts.next(),
    );
    let Ok(allowed) = parse_allowed_origins(list) else {
        return;
    };
    for entry in &allowed {
        assert!(entry.starts_with("http://") || entry.starts_with("https://"));
        assert_eq!(entry, &entry.to_ascii_lowercase());
    }
    if let Some(echoed) = allowed_origin(&allowed, origin) {
        assert!(allowed.iter().any(|a| a.eq_ignore_ascii_case(echoed)));
        if let Some(lines) = preflight_headers(echoed, method, headers) {
            for (_, value) in lines {
                assert!(
                    !value.contains(['\r', '\n', '\0']),
                    "header injection: {value:?}"
                );
            }
        }
    }
}
