//! The JWS compact form (`header.claims.signature`) read by hand.
//!
//! This replaced the `jwt-compact` crate, whose header and claims types flatten custom fields
//! through serde's `Content` buffers (a large share of the edge Worker's wasm, for four
//! fields). What is accepted is what that crate accepted, so tokens are judged as before:
//! - exactly three base64url parts, unpadded, with canonical trailing bits;
//! - a JSON object header with a string `alg`, a `cty` that is absent, `null` or `"json"` in
//!   any case, and `kid`, `jku`, `x5u`, `typ`, `x5t` and `x5t#S256` absent, `null` or strings;
//! - claims that are a JSON object whose `exp`, `nbf` and `iat`, when present, are numbers
//!   (a fraction is cut off) within chrono's range of dates, years −262 143 to 262 142.
//!
//! Two differences: the crate also decoded `x5t`/`x5t#S256` as base64 thumbprints of a set
//! length (nothing here uses certificates and jose ignores those members, so only their type
//! is checked); and it refused a header or claims object naming a member twice (serde's
//! `duplicate_field`), where the `serde_json::Value` read here keeps the last one, as jose's
//! `JSON.parse` does. The signature covers the bytes, so only the signer can send such a token.

use serde_json::{Map, Value};

use super::{AccessTokenClaims, JwtError};
use crate::encoding::b64url_decode;
use crate::json::parse_object;

/// A token split into its parts, with the header read.
pub(crate) struct CompactToken<'a> {
    /// `header.claims`, the bytes the signature covers.
    pub signed_data: &'a str,
    /// The header's `alg`.
    pub algorithm: String,
    /// The header's `kid`.
    pub key_id: Option<String>,
    /// Whether the header has a `crit` member (even `null`).
    pub has_critical: bool,
    /// The decoded claims segment, not yet parsed.
    pub claims_json: Vec<u8>,
    /// The decoded signature.
    pub signature: Vec<u8>,
}

/// The claims with their three time members as seconds since the epoch.
#[derive(Debug, Clone)]
pub(crate) struct TimedClaims {
    pub expiration: Option<i64>,
    pub not_before: Option<i64>,
    pub issued_at: Option<i64>,
    pub claims: AccessTokenClaims,
}

/// Splits and decodes a token and reads its header; any problem is [`JwtError::Malformed`].
pub(crate) fn split(token: &str) -> Result<CompactToken<'_>, JwtError> {
    let mut parts = token.splitn(4, '.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    // Everything before the last dot: there are exactly two dots.
    let signed_data = token.rsplit_once('.').map_or("", |(data, _)| data);
    let decode = |part: &str| b64url_decode(part).map_err(|_| JwtError::Malformed);
    let header_json = decode(header)?;
    let claims_json = decode(claims)?;
    let signature = decode(signature)?;
    let header = parse_object(&header_json).ok_or(JwtError::Malformed)?;
    let algorithm = match header.get("alg") {
        Some(Value::String(alg)) => alg.clone(),
        _ => return Err(JwtError::Malformed),
    };
    match header.get("cty") {
        None | Some(Value::Null) => {}
        Some(Value::String(cty)) if cty.eq_ignore_ascii_case("json") => {}
        Some(_) => return Err(JwtError::Malformed),
    }
    for name in ["jku", "x5u", "typ", "x5t", "x5t#S256"] {
        if !matches!(
            header.get(name),
            None | Some(Value::Null | Value::String(_))
        ) {
            return Err(JwtError::Malformed);
        }
    }
    let key_id = match header.get("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(JwtError::Malformed),
    };
    Ok(CompactToken {
        signed_data,
        algorithm,
        key_id,
        has_critical: header.contains_key("crit"),
        claims_json,
        signature,
    })
}

/// The earliest and latest second chrono (which `jwt-compact` used) can represent.
const TIMESTAMP_RANGE: std::ops::RangeInclusive<i64> = -8_334_601_315_200..=8_210_266_876_799;

/// Reads the claims segment; any problem is [`JwtError::MalformedClaims`].
pub(crate) fn read_claims(json: &[u8]) -> Result<TimedClaims, JwtError> {
    let object = parse_object(json).ok_or(JwtError::MalformedClaims)?;
    let mut timed = TimedClaims {
        expiration: None,
        not_before: None,
        issued_at: None,
        claims: AccessTokenClaims::default(),
    };
    for (name, value) in object {
        let time = match name.as_str() {
            "exp" => &mut timed.expiration,
            "nbf" => &mut timed.not_before,
            "iat" => &mut timed.issued_at,
            _ => {
                timed.claims.read_member(name, value)?;
                continue;
            }
        };
        *time = Some(timestamp(&value).ok_or(JwtError::MalformedClaims)?);
    }
    Ok(timed)
}

/// A numeric date as chrono read it: an integer, or a float cut to its integer part.
fn timestamp(value: &Value) -> Option<i64> {
    let Value::Number(number) = value else {
        return None;
    };
    // `as` saturates: a float beyond i64 lands outside the range and is refused.
    #[allow(clippy::cast_possible_truncation)]
    let seconds = number
        .as_i64()
        .or_else(|| number.as_f64().map(|float| float as i64))?;
    TIMESTAMP_RANGE.contains(&seconds).then_some(seconds)
}

fn optional_string(value: Value) -> Result<Option<String>, JwtError> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text)),
        _ => Err(JwtError::MalformedClaims),
    }
}

fn optional_strings(value: Value) -> Result<Option<Vec<String>>, JwtError> {
    match value {
        Value::Null => Ok(None),
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(text) => Ok(text),
                _ => Err(JwtError::MalformedClaims),
            })
            .collect::<Result<_, _>>()
            .map(Some),
        _ => Err(JwtError::MalformedClaims),
    }
}

impl AccessTokenClaims {
    /// Reads one claim into its field, or into `other` when no field names it.
    fn read_member(&mut self, name: String, value: Value) -> Result<(), JwtError> {
        let text = match name.as_str() {
            "iss" => &mut self.iss,
            "sub" => &mut self.sub,
            "sid" => &mut self.sid,
            "jti" => &mut self.jti,
            "org_id" => &mut self.org_id,
            "role" => &mut self.role,
            "roles" | "permissions" | "entitlements" | "feature_flags" => {
                let list = match name.as_str() {
                    "roles" => &mut self.roles,
                    "permissions" => &mut self.permissions,
                    "entitlements" => &mut self.entitlements,
                    _ => &mut self.feature_flags,
                };
                *list = optional_strings(value)?;
                return Ok(());
            }
            "act" => {
                self.act = Some(value).filter(|act| !act.is_null());
                return Ok(());
            }
            _ => {
                self.other.insert(name, value);
                return Ok(());
            }
        };
        *text = optional_string(value)?;
        Ok(())
    }

    /// Reads claims given as a JSON object (the time members included, as [`Self::other`]
    /// would hold them when read this way).
    pub fn from_map(object: Map<String, Value>) -> Result<Self, JwtError> {
        let mut claims = Self::default();
        for (name, value) in object {
            claims.read_member(name, value)?;
        }
        Ok(claims)
    }
}

impl<'de> serde::Deserialize<'de> for AccessTokenClaims {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        Self::from_map(Map::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::b64url_encode;

    fn token(header: &str, claims: &str) -> String {
        format!(
            "{}.{}.AAAA",
            b64url_encode(header.as_bytes()),
            b64url_encode(claims.as_bytes())
        )
    }

    #[test]
    fn a_token_has_three_canonical_parts() {
        let good = token(r#"{"alg":"RS256","kid":"k"}"#, "{}");
        let split_good = split(&good).unwrap();
        assert_eq!(split_good.key_id.as_deref(), Some("k"));
        assert_eq!(split_good.signature, [0, 0, 0]);
        assert_eq!(split_good.signed_data, good.rsplit_once('.').unwrap().0);
        for bad in [
            good.replacen(".AAAA", "", 1),
            format!("{good}.AAAA"),
            good.replace("AAAA", "AAAA="),
            good.replace("AAAA", "AAB"),
            good.replace("AAAA", "AA+A"),
        ] {
            assert!(matches!(split(&bad), Err(JwtError::Malformed)), "{bad}");
        }
    }

    #[test]
    fn header_members_must_have_their_types() {
        for (header, accepted) in [
            (
                r#"{"alg":"RS256","cty":"JSON","typ":"JWT","kid":null}"#,
                true,
            ),
            (r#"{"alg":"RS256","x5t":"anything","jku":null}"#, true),
            (r#"{"alg":"RS256","cty":"cbor"}"#, false),
            (r#"{"alg":"RS256","typ":1}"#, false),
            (r#"{"alg":"RS256","kid":["k"]}"#, false),
            (r#"{"alg":"RS256","x5t#S256":{}}"#, false),
            (r#"{"alg":null}"#, false),
            (r#"["RS256"]"#, false),
            ("not json", false),
        ] {
            assert_eq!(split(&token(header, "{}")).is_ok(), accepted, "{header}");
        }
        let critical = token(r#"{"alg":"RS256","crit":null}"#, "{}");
        assert!(split(&critical).unwrap().has_critical);
    }

    #[test]
    fn claims_keep_their_types_and_unknown_members() {
        let read = read_claims(
            br#"{"sub":"u","exp":10,"nbf":2.9,"iat":-5,"permissions":["a"],"act":null,"x":1}"#,
        )
        .unwrap();
        assert_eq!(
            (read.expiration, read.not_before, read.issued_at),
            (Some(10), Some(2), Some(-5))
        );
        assert_eq!(read.claims.sub.as_deref(), Some("u"));
        assert_eq!(read.claims.permissions, Some(vec!["a".to_owned()]));
        assert_eq!(read.claims.act, None);
        assert_eq!(read.claims.other.keys().collect::<Vec<_>>(), ["x"]);
        for bad in [
            r#"{"exp":"10"}"#,
            r#"{"exp":null}"#,
            r#"{"iat":1e300}"#,
            r#"{"nbf":8210266876800}"#,
            r#"{"roles":["a",1]}"#,
            r#"{"sid":5}"#,
            r#"[]"#,
        ] {
            assert!(
                matches!(read_claims(bad.as_bytes()), Err(JwtError::MalformedClaims)),
                "{bad}"
            );
        }
        let edges = read_claims(br#"{"exp":8210266876799,"nbf":-8334601315200}"#).unwrap();
        assert_eq!(edges.expiration, Some(8_210_266_876_799));
        for bad in [
            r#"{"exp":18446744073709551615}"#,
            r#"{"exp":-8334601315201}"#,
            r#"{"exp":1e400}"#,
            r#"{"exp":true}"#,
            r#"{"exp":[1]}"#,
            r#"{"act":1,"sub":{}}"#,
            r#"{"permissions":"a"}"#,
        ] {
            assert!(read_claims(bad.as_bytes()).is_err(), "{bad}");
        }
        assert_eq!(read_claims(br#"{"exp":-0.9}"#).unwrap().expiration, Some(0));
        assert_eq!(
            read_claims(br#"{"sub":null,"roles":null}"#).unwrap().claims,
            AccessTokenClaims::default()
        );
    }

    /// jwt-compact refused a repeated member; this reader keeps the last, as jose does. Pinned
    /// so that a change either way is deliberate.
    #[test]
    fn a_repeated_member_keeps_the_last_value_as_jose_does() {
        let repeated = token(r#"{"alg":"none","alg":"RS256","kid":"a","kid":"b"}"#, "{}");
        let header = split(&repeated).unwrap();
        assert_eq!(
            (header.algorithm.as_str(), header.key_id.as_deref()),
            ("RS256", Some("b"))
        );
        let claims = read_claims(br#"{"exp":1,"exp":2,"sub":"a","sub":"b"}"#).unwrap();
        assert_eq!(claims.expiration, Some(2));
        assert_eq!(claims.claims.sub.as_deref(), Some("b"));
        // A repeated `crit` is still a `crit`.
        assert!(
            split(&token(r#"{"alg":"RS256","crit":["x"],"crit":null}"#, "{}"))
                .unwrap()
                .has_critical
        );
    }

    #[test]
    fn hostile_segments_are_errors_not_panics() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let inputs = [
            String::new(),
            "..".to_owned(),
            "...".to_owned(),
            "\u{e9}.\u{e9}.\u{e9}".to_owned(),
            token(&deep, "{}"),
            token(r#"{"alg":"RS256"}"#, &deep),
            format!("{}..", b64url_encode(br#"{"alg":"RS256"}"#)),
            format!(
                "{}.{}.",
                b64url_encode(br#"{"alg":"RS256"}"#),
                b64url_encode(b"\xff")
            ),
        ];
        for input in &inputs {
            if let Ok(parsed) = split(input) {
                let _ = read_claims(&parsed.claims_json);
            }
        }
        // An empty signature part decodes to no bytes (the signature check then fails).
        let unsigned = format!(
            "{}.{}.",
            b64url_encode(br#"{"alg":"RS256"}"#),
            b64url_encode(b"{}")
        );
        let empty = split(&unsigned).unwrap();
        assert!(empty.signature.is_empty());
    }
}
