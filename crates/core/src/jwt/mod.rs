//! WorkOS access tokens: RS256 JWTs checked against a JWKS given as data.
//!
//! Parsing is done by hand (the `compact` module); the RSA check sits behind [`SignatureVerifier`] so hosts
//! with WebCrypto can do it natively (it is ~5x faster than RSA in wasm). Hosts whose check is
//! asynchronous use the two halves, [`prepare`] and [`PendingVerification::finish`].
//!
//! Policy, compared with jose as the SDK calls it: only `RS256` is accepted (`none`, `HS*`,
//! `RS512`... are [`JwtError::UnsupportedAlgorithm`], where jose throws); key selection follows
//! jose (by `kid` when present, honouring the JWK's `alg`, `use` and `key_ops`); `exp` and `nbf`
//! are checked with a leeway that defaults to 0 as in the SDK; `iss` only when issuers are set.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::encoding::b64url_decode;
use crate::json::{Members, ShapeError};

mod compact;

use compact::TimedClaims;

/// The only algorithm WorkOS signs access tokens with, and the only one accepted.
pub const ACCEPTED_ALGORITHM: &str = "RS256";

/// A JSON Web Key Set as served by `GET /sso/jwks/{clientId}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// Parses a JWKS document.
    pub fn from_json(json: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice::<Value>(json)
            .and_then(|value| Self::from_value(value).map_err(serde::de::Error::custom))
    }

    /// Reads a JWKS document already parsed: `keys` must be an array of keys.
    pub fn from_value(value: Value) -> Result<Self, ShapeError> {
        let keys = Members::of(value, "jwks")?.required("keys", |keys| match keys {
            Value::Array(keys) => keys.into_iter().map(Jwk::from_value).collect(),
            _ => Err(ShapeError("keys")),
        })?;
        Ok(Self { keys })
    }

    /// Whether any key has this id.
    pub fn has_key_id(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }
}

/// One JSON Web Key. Only RSA keys can verify WorkOS tokens; others are kept but never chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jwk {
    /// Key type (`RSA`).
    pub kty: String,
    /// Key id, matched against the token header's `kid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Algorithm the key is meant for (`RS256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Intended use (`sig`).
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
    /// Allowed operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<String>>,
    /// RSA modulus, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA public exponent, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
}

impl Jwk {
    /// Reads one key: `kty` is required; the other members may be absent or `null`.
    pub fn from_value(value: Value) -> Result<Self, ShapeError> {
        let mut members = Members::of(value, "key")?;
        Ok(Self {
            kty: members.string("kty")?,
            kid: members.optional_string("kid")?,
            alg: members.optional_string("alg")?,
            key_use: members.optional_string("use")?,
            key_ops: members.optional_strings("key_ops")?,
            n: members.optional_string("n")?,
            e: members.optional_string("e")?,
        })
    }

    /// Modulus and exponent as big-endian bytes, if this is a well-formed RSA key.
    pub fn rsa_components(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        if self.kty != "RSA" {
            return None;
        }
        let n = b64url_decode(self.n.as_deref()?).ok()?;
        let e = b64url_decode(self.e.as_deref()?).ok()?;
        Some((n, e))
    }

    fn can_verify(&self, alg: &str) -> bool {
        self.kty == "RSA"
            && self.alg.as_deref().is_none_or(|a| a == alg)
            && self.key_use.as_deref().is_none_or(|u| u == "sig")
            && self
                .key_ops
                .as_ref()
                .is_none_or(|ops| ops.iter().any(|op| op == "verify"))
    }
}

crate::json::deserialize_by_hand!(Jwks, Jwk);

/// Checks RSASSA-PKCS1-v1_5 with SHA-256 signatures.
pub trait SignatureVerifier {
    /// Whether `signature` is a valid RS256 signature of `signed_data` under `key`.
    fn verify_rs256(&self, key: &Jwk, signed_data: &[u8], signature: &[u8]) -> bool;
}

/// The claims of a WorkOS access token (besides `exp`, `nbf`, `iat`). Read by hand
/// ([`AccessTokenClaims::from_map`]); `null` reads as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccessTokenClaims {
    /// Issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The WorkOS session id (used for logout and revocation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Token id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Organization the session is scoped to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Role slug in that organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// All role slugs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Permission slugs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    /// Entitlements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entitlements: Option<Vec<String>>,
    /// Feature flags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_flags: Option<Vec<String>>,
    /// Actor: `{ "sub": <admin email> }` when impersonated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Value>,
    /// Custom claims from JWT templates.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Why an access token was refused. Every variant is `invalid_jwt` to the SDK's callers;
/// [`JwtError::UnknownKeyId`] additionally tells the host to refetch the JWKS once.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtError {
    /// Not a compact JWS with JSON header and claims.
    Malformed,
    /// The claims are not an object of the expected types.
    MalformedClaims,
    /// An algorithm other than RS256 (including `none` and `HS256`).
    UnsupportedAlgorithm(String),
    /// The header names a `kid` that no key in the JWKS has.
    UnknownKeyId(String),
    /// No key in the JWKS can verify this token.
    NoMatchingKey,
    /// The signature does not verify.
    BadSignature,
    /// `exp` has passed (beyond the leeway).
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    NotYetValid,
    /// `iss` is not one of the configured issuers.
    WrongIssuer,
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str("access token is not a well-formed JWT"),
            Self::MalformedClaims => f.write_str("access token claims are malformed"),
            Self::UnsupportedAlgorithm(alg) => {
                write!(f, "access token algorithm {alg:?} is not accepted")
            }
            Self::UnknownKeyId(kid) => write!(f, "no key with id {kid:?} in the JWKS"),
            Self::NoMatchingKey => f.write_str("no key in the JWKS matches the access token"),
            Self::BadSignature => f.write_str("access token signature verification failed"),
            Self::Expired => f.write_str("access token has expired"),
            Self::NotYetValid => f.write_str("access token is not valid yet"),
            Self::WrongIssuer => f.write_str("access token issuer is not accepted"),
        }
    }
}

impl std::error::Error for JwtError {}

/// How strictly to check a token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Seconds of clock skew tolerated on `exp` and `nbf` (the SDK: 0).
    pub leeway_seconds: u64,
    /// Accepted `iss` values; empty means `iss` is not checked (the SDK's default).
    pub issuers: Vec<String>,
}

/// A token whose signature has been checked and whose time and issuer claims hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAccessToken {
    /// The WorkOS claims.
    pub claims: AccessTokenClaims,
    /// `exp`, seconds since the epoch.
    pub expires_at: Option<i64>,
    /// `iat`, seconds since the epoch.
    pub issued_at: Option<i64>,
}

/// A parsed token waiting for its signature check.
#[derive(Debug, Clone)]
pub struct PendingVerification {
    keys: Vec<Jwk>,
    key_indices: Vec<usize>,
    signed_data: Vec<u8>,
    signature: Vec<u8>,
    claims: TimedClaims,
}

impl PendingVerification {
    /// Keys that may have signed the token (usually one); the token is valid if any verifies.
    pub fn candidate_keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// Where each of [`candidate_keys`](Self::candidate_keys) sits in the JWKS the token was
    /// prepared against, in the same order: a host that imported that JWKS's keys once can
    /// pick them by position instead of reading key material on every call.
    pub fn candidate_indices(&self) -> &[usize] {
        &self.key_indices
    }

    /// `base64url(header) "." base64url(payload)`: the bytes the signature covers.
    pub fn signed_data(&self) -> &[u8] {
        &self.signed_data
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Completes the check once the host knows whether a candidate key verified the signature.
    pub fn finish(
        self,
        signature_valid: bool,
        now_seconds: i64,
        options: &VerifyOptions,
    ) -> Result<VerifiedAccessToken, JwtError> {
        if !signature_valid {
            return Err(JwtError::BadSignature);
        }
        let leeway = i64::try_from(options.leeway_seconds).unwrap_or(i64::MAX);
        let expires_at = self.claims.expiration;
        let not_before = self.claims.not_before;
        if expires_at.is_some_and(|exp| exp <= now_seconds.saturating_sub(leeway)) {
            return Err(JwtError::Expired);
        }
        if not_before.is_some_and(|nbf| nbf > now_seconds.saturating_add(leeway)) {
            return Err(JwtError::NotYetValid);
        }
        let claims = self.claims.claims;
        if !options.issuers.is_empty()
            && !claims
                .iss
                .as_ref()
                .is_some_and(|iss| options.issuers.contains(iss))
        {
            return Err(JwtError::WrongIssuer);
        }
        Ok(VerifiedAccessToken {
            claims,
            expires_at,
            issued_at: self.claims.issued_at,
        })
    }
}

impl AccessTokenClaims {
    /// Whether the token's `aud` (a string or an array of strings, RFC 7519 §4.1.3) names one
    /// of `accepted`. An empty `accepted` list accepts any token, as the SDK checks no audience.
    pub fn audience_matches(&self, accepted: &[String]) -> bool {
        if accepted.is_empty() {
            return true;
        }
        match self.other.get("aud") {
            Some(Value::String(aud)) => accepted.contains(aud),
            Some(Value::Array(auds)) => auds
                .iter()
                .filter_map(Value::as_str)
                .any(|aud| accepted.iter().any(|a| a == aud)),
            _ => false,
        }
    }
}

/// Parses a token and picks the keys that may verify it.
pub fn prepare(token: &str, jwks: &Jwks) -> Result<PendingVerification, JwtError> {
    let parsed = compact::split(token)?;
    if parsed.has_critical {
        // No extension is understood, so a critical one can never be honoured (RFC 7515 §4.1.11).
        return Err(JwtError::Malformed);
    }
    let alg = parsed.algorithm.as_str();
    if alg != ACCEPTED_ALGORITHM {
        return Err(JwtError::UnsupportedAlgorithm(alg.to_owned()));
    }
    let kid = parsed.key_id.as_deref();
    let (key_indices, keys): (Vec<usize>, Vec<Jwk>) = jwks
        .keys
        .iter()
        .enumerate()
        .filter(|(_, k)| kid.is_none_or(|kid| k.kid.as_deref() == Some(kid)) && k.can_verify(alg))
        .map(|(index, key)| (index, key.clone()))
        .unzip();
    if keys.is_empty() {
        return Err(match kid {
            Some(kid) if !jwks.has_key_id(kid) => JwtError::UnknownKeyId(kid.to_owned()),
            _ => JwtError::NoMatchingKey,
        });
    }
    let claims = compact::read_claims(&parsed.claims_json)?;
    Ok(PendingVerification {
        keys,
        key_indices,
        signed_data: parsed.signed_data.as_bytes().to_vec(),
        signature: parsed.signature,
        claims,
    })
}

/// Verifies a token in one call with a synchronous [`SignatureVerifier`].
pub fn verify(
    token: &str,
    jwks: &Jwks,
    verifier: &dyn SignatureVerifier,
    now_seconds: i64,
    options: &VerifyOptions,
) -> Result<VerifiedAccessToken, JwtError> {
    let pending = prepare(token, jwks)?;
    let valid = pending
        .candidate_keys()
        .iter()
        .any(|key| verifier.verify_rs256(key, pending.signed_data(), pending.signature()));
    pending.finish(valid, now_seconds, options)
}

/// A token read without any check (for tokens that come straight from the WorkOS API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnverifiedAccessToken {
    /// The WorkOS claims.
    pub claims: AccessTokenClaims,
    /// `exp`, seconds since the epoch.
    pub expires_at: Option<i64>,
    /// `iat`, seconds since the epoch.
    pub issued_at: Option<i64>,
}

/// Reads a token without checking anything, as jose's `decodeJwt` does (the SDK uses it for
/// `org_id` when sealing and for the claims of a freshly refreshed token).
pub fn decode_unverified(token: &str) -> Result<UnverifiedAccessToken, JwtError> {
    let parsed = compact::split(token)?;
    let claims = compact::read_claims(&parsed.claims_json)?;
    Ok(UnverifiedAccessToken {
        expires_at: claims.expiration,
        issued_at: claims.issued_at,
        claims: claims.claims,
    })
}

/// The claims of [`decode_unverified`].
pub fn decode_claims_unverified(token: &str) -> Result<AccessTokenClaims, JwtError> {
    decode_unverified(token).map(|token| token.claims)
}

/// The pure-Rust RS256 check (the `rsa` crate), for native hosts, tests and the CLI.
#[cfg(feature = "rsa-verifier")]
#[derive(Debug, Clone, Copy, Default)]
pub struct RustRsaVerifier;

#[cfg(feature = "rsa-verifier")]
impl SignatureVerifier for RustRsaVerifier {
    fn verify_rs256(&self, key: &Jwk, signed_data: &[u8], signature: &[u8]) -> bool {
        use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
        use sha2::{Digest, Sha256};

        let Some((n, e)) = key.rsa_components() else {
            return false;
        };
        let Ok(public_key) =
            RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e))
        else {
            return false;
        };
        let digest = Sha256::digest(signed_data);
        public_key
            .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, signature)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::b64url_encode;

    fn token_with_header(header: &str) -> String {
        format!(
            "{}.{}.AAAA",
            b64url_encode(header.as_bytes()),
            b64url_encode(br#"{"sub":"user_1"}"#)
        )
    }

    #[test]
    fn audience() {
        let claims = |aud: Value| AccessTokenClaims {
            other: [("aud".to_owned(), aud)].into_iter().collect(),
            ..Default::default()
        };
        let accepted = vec!["client_1".to_owned()];
        assert!(claims(Value::from("client_1")).audience_matches(&accepted));
        assert!(claims(serde_json::json!(["x", "client_1"])).audience_matches(&accepted));
        assert!(!claims(Value::from("client_2")).audience_matches(&accepted));
        assert!(!claims(serde_json::json!([1, "x"])).audience_matches(&accepted));
        assert!(!AccessTokenClaims::default().audience_matches(&accepted));
        assert!(AccessTokenClaims::default().audience_matches(&[]));
    }

    #[test]
    fn any_crit_member_is_refused_even_null() {
        for crit in ["null", "[]", r#"["exp"]"#, r#""b64""#, "{}"] {
            let token = token_with_header(&format!(r#"{{"alg":"RS256","crit":{crit}}}"#));
            assert_eq!(
                prepare(&token, &Jwks::default()).err(),
                Some(JwtError::Malformed),
                "crit {crit}"
            );
        }
        // Without `crit` the same token gets as far as choosing a key.
        let token = token_with_header(r#"{"alg":"RS256"}"#);
        assert_eq!(
            prepare(&token, &Jwks::default()).err(),
            Some(JwtError::NoMatchingKey)
        );
    }
    #[test]
    fn candidate_indices_name_the_candidate_keys_positions_in_the_jwks() {
        let key = |kid: &str, kty: &str| serde_json::json!({"kty": kty, "kid": kid, "n": "AQAB", "e": "AQAB"});
        let jwks = Jwks::from_value(serde_json::json!({"keys": [
            key("a", "RSA"), key("b", "EC"), key("b", "RSA"), key("c", "RSA"), key("b", "RSA"),
        ]}))
        .unwrap();
        let pending = prepare(&token_with_header(r#"{"alg":"RS256","kid":"b"}"#), &jwks).unwrap();
        assert_eq!(pending.candidate_indices(), &[2, 4]);
        for (index, key) in pending
            .candidate_indices()
            .iter()
            .zip(pending.candidate_keys())
        {
            assert_eq!(&jwks.keys[*index], key);
        }
        // No `kid`: every RS256-capable key, in the JWKS's order.
        let pending = prepare(&token_with_header(r#"{"alg":"RS256"}"#), &jwks).unwrap();
        assert_eq!(pending.candidate_indices(), &[0, 2, 3, 4]);
    }
}
