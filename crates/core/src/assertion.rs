//! The signed identity assertion the gateway gives its origin (`X-WorkOS-Assertion`), as
//! Cloudflare Access gives `Cf-Access-Jwt-Assertion`: a short-lived JWT with the identity, so
//! an origin does not have to trust the network between the edge and itself.
//!
//! This module is the pure part: the signing keys' JWKs (`EDGE_ASSERTION_KEY`: one private JWK
//! or a JSON array of them; the first signs, all are published), the published JWKS, the
//! claims and the JWS framing. The signature itself is the host's (WebCrypto).
//!
//! ```
//! use workos_edge_core::assertion::{parse_signing_keys, AssertionClaims};
//!
//! let keys = parse_signing_keys(r#"{"kty":"EC","crv":"P-256","kid":"edge-1",
//!   "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
//!   "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
//!   "d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}"#).unwrap();
//! let claims = AssertionClaims {
//!     iss: "https://edge.example".into(),
//!     aud: "https://origin.example".into(),
//!     sub: Some("user_1".into()),
//!     ..Default::default()
//! };
//! let input = keys[0].signing_input(&claims.to_json(1_700_000_000, 60, "jti-1"));
//! assert!(input.starts_with("eyJ"));
//! assert!(!keys[0].public_jwk.to_string().contains("\"d\""));
//! ```

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::encoding::{b64url_decode, b64url_encode};

/// Where the gateway publishes the assertion keys.
pub const JWKS_PATH: &str = "/.well-known/workos-edge/jwks.json";

/// Longest life of an assertion (seconds).
pub const MAX_LIFETIME_SECONDS: u64 = 60;

/// The JWS algorithms the gateway signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssertionAlg {
    /// ECDSA P-256 / SHA-256.
    Es256,
    /// Ed25519.
    EdDsa,
}

impl AssertionAlg {
    /// The JWS `alg` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }
}

/// One signing key: its private JWK (for the host to import), its public JWK (published) and
/// its id.
#[derive(Clone, PartialEq)]
pub struct SigningKey {
    /// `kid`: the JWK's own, else its RFC 7638 thumbprint.
    pub kid: String,
    /// The algorithm its curve implies.
    pub alg: AssertionAlg,
    /// The private JWK as configured (with `d`).
    pub private_jwk: Map<String, Value>,
    /// The public JWK as published (`kty`, `crv`, `x`, `y` (EC keys), `kid`, `alg`, `use`).
    pub public_jwk: Value,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// `base64url(header).base64url(claims)`: what is signed.
    pub fn signing_input(&self, claims: &Value) -> String {
        let header = json!({ "alg": self.alg.as_str(), "kid": self.kid, "typ": "JWT" });
        format!(
            "{}.{}",
            b64url_encode(header.to_string().as_bytes()),
            b64url_encode(claims.to_string().as_bytes())
        )
    }
}

/// The compact JWS: the signing input and the raw signature (ECDSA as `r‖s`, which is what
/// WebCrypto returns and JWS wants).
pub fn compact(signing_input: &str, signature: &[u8]) -> String {
    format!("{signing_input}.{}", b64url_encode(signature))
}

/// Parses `EDGE_ASSERTION_KEY`: one private JWK, or a JSON array of them. The error names the
/// key by position and never quotes it.
pub fn parse_signing_keys(text: &str) -> Result<Vec<SigningKey>, String> {
    let value: Value = serde_json::from_slice(text.trim().as_bytes())
        .map_err(|_| "must be a JWK or a JSON array of JWKs")?;
    let entries = match value {
        Value::Array(entries) => entries,
        single @ Value::Object(_) => vec![single],
        _ => return Err("must be a JWK or a JSON array of JWKs".into()),
    };
    if entries.is_empty() {
        return Err("holds no key".into());
    }
    let keys = entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| signing_key(entry).map_err(|e| format!("key {}: {e}", index + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    for (index, key) in keys.iter().enumerate() {
        if keys.iter().take(index).any(|k| k.kid == key.kid) {
            return Err(format!("key {}: kid repeats an earlier key's", index + 1));
        }
    }
    Ok(keys)
}

fn signing_key(entry: Value) -> Result<SigningKey, &'static str> {
    let Value::Object(jwk) = entry else {
        return Err("is not a JSON object");
    };
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);
    let (alg, length) = match (text("kty"), text("crv")) {
        (Some("EC"), Some("P-256")) => (AssertionAlg::Es256, 32),
        (Some("OKP"), Some("Ed25519")) => (AssertionAlg::EdDsa, 32),
        _ => return Err("must be an EC P-256 or OKP Ed25519 key"),
    };
    let member = |name: &str| -> Result<&str, &'static str> {
        let value = text(name).ok_or("lacks a member (x, y or d)")?;
        match b64url_decode(value) {
            Ok(bytes) if bytes.len() == length => Ok(value),
            _ => Err("has a member of the wrong size"),
        }
    };
    member("d")?;
    let x = member("x")?;
    let mut public = Map::new();
    public.insert("kty".into(), jwk.get("kty").cloned().unwrap_or_default());
    public.insert("crv".into(), jwk.get("crv").cloned().unwrap_or_default());
    public.insert("x".into(), x.into());
    let thumbprint_input = if alg == AssertionAlg::Es256 {
        let y = member("y")?;
        public.insert("y".into(), y.into());
        format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#)
    } else {
        format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#)
    };
    let kid = match text("kid") {
        Some(kid) if !kid.is_empty() => kid.to_owned(),
        _ => b64url_encode(&Sha256::digest(thumbprint_input.as_bytes())),
    };
    public.insert("kid".into(), kid.clone().into());
    public.insert("alg".into(), alg.as_str().into());
    public.insert("use".into(), "sig".into());
    Ok(SigningKey {
        kid,
        alg,
        private_jwk: jwk,
        public_jwk: Value::Object(public),
    })
}

/// The JWKS document publishing every key's public half.
pub fn jwks(keys: &[SigningKey]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.public_jwk.clone()).collect::<Vec<_>>() })
}

/// Who the assertion speaks for, besides the times and id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssertionClaims {
    /// The gateway's origin.
    pub iss: String,
    /// The origin's URL.
    pub aud: String,
    /// The user id (or the API key id).
    pub sub: Option<String>,
    /// The WorkOS session id.
    pub sid: Option<String>,
    /// The organization.
    pub org_id: Option<String>,
    /// The role slug.
    pub role: Option<String>,
    /// Permission slugs.
    pub permissions: Option<Vec<String>>,
    /// The user's email (cookie sessions only: access tokens carry none).
    pub email: Option<String>,
    /// `session`, `access_token` or `api_key`.
    pub credential: Option<String>,
}

impl AssertionClaims {
    /// The claims issued at `iat` for `lifetime` seconds (at most
    /// [`MAX_LIFETIME_SECONDS`]), with id `jti`.
    pub fn to_json(&self, iat: u64, lifetime: u64, jti: &str) -> Value {
        let mut claims = Map::new();
        claims.insert("iss".into(), self.iss.clone().into());
        claims.insert("aud".into(), self.aud.clone().into());
        let optional = [
            ("sub", &self.sub),
            ("sid", &self.sid),
            ("org_id", &self.org_id),
            ("role", &self.role),
            ("email", &self.email),
            ("credential", &self.credential),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                claims.insert(name.into(), value.clone().into());
            }
        }
        if let Some(permissions) = &self.permissions {
            claims.insert("permissions".into(), permissions.clone().into());
        }
        claims.insert("iat".into(), iat.into());
        claims.insert(
            "exp".into(),
            (iat + lifetime.min(MAX_LIFETIME_SECONDS)).into(),
        );
        claims.insert("jti".into(), jti.into());
        Value::Object(claims)
    }

    /// A digest of everything but the times and id: assertions are reused while it holds.
    pub fn cache_key(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        let parts = [
            Some(&self.iss),
            Some(&self.aud),
            self.sub.as_ref(),
            self.sid.as_ref(),
            self.org_id.as_ref(),
            self.role.as_ref(),
            self.email.as_ref(),
            self.credential.as_ref(),
        ];
        for part in parts {
            let part = part.map_or("", String::as_str);
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        for permission in self.permissions.iter().flatten() {
            hasher.update((permission.len() as u64).to_be_bytes());
            hasher.update(permission.as_bytes());
        }
        hasher.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7515 appendix A.3's P-256 key, and RFC 8037's Ed25519 key.
    const EC: &str = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}"#;
    const ED: &str = r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;

    #[test]
    fn one_key_or_several_and_the_public_half_only() {
        let keys = parse_signing_keys(&format!("[{EC}, {ED}]")).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].alg, AssertionAlg::Es256);
        assert_eq!(keys[1].alg, AssertionAlg::EdDsa);
        // RFC 8037 appendix A.3: the Ed25519 key's thumbprint.
        assert_eq!(keys[1].kid, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
        let published = jwks(&keys).to_string();
        assert!(!published.contains("\"d\""), "{published}");
        assert!(published.contains("\"use\":\"sig\""));
        assert_eq!(parse_signing_keys(EC).unwrap().len(), 1);
    }

    #[test]
    fn unusable_keys_are_refused_without_quoting_them() {
        let rsa = r#"{"kty":"RSA","n":"AQAB","e":"AQAB","d":"secret-value"}"#;
        let public_only = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;
        for bad in ["", "[]", "42", rsa, public_only, "{\"kty\":\"EC\""] {
            let error = parse_signing_keys(bad).unwrap_err();
            assert!(!error.contains("secret-value"), "{error}");
        }
        let twice = format!("[{EC}, {EC}]");
        assert!(parse_signing_keys(&twice).unwrap_err().contains("kid"));
    }

    #[test]
    fn claims_live_at_most_a_minute_and_reuse_follows_the_identity() {
        let claims = AssertionClaims {
            iss: "https://edge".into(),
            aud: "https://origin".into(),
            sub: Some("user_1".into()),
            permissions: Some(vec!["a".into()]),
            ..Default::default()
        };
        let json = claims.to_json(100, 600, "j");
        assert_eq!(json["exp"], 160);
        assert_eq!(json["permissions"][0], "a");
        assert!(json.get("sid").is_none());
        let other = AssertionClaims {
            permissions: Some(vec!["b".into()]),
            ..claims.clone()
        };
        assert_ne!(claims.cache_key(), other.cache_key());
        assert_eq!(claims.cache_key(), claims.clone().cache_key());
    }
}
