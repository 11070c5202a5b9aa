//! The `wos-session` cookie value: an iron seal of JSON plus the `~2` version suffix.
//!
//! `@workos-inc/node` and iron-session write `<seal>~2`. Reading follows the SDK: the value is
//! split on every `~`; version 2 or no suffix gives the object as is, any other suffix gives
//! `object.persistent` when present (the iron-session v1 wrapper), else the object.

use std::fmt;

use serde_json::Value;

use crate::iron::{self, OpenableSeal, SealRandomness, UnsealError};
use crate::password::{PasswordSet, SealedWith};

/// The version suffix written after every seal.
pub const VERSION_SUFFIX: &str = "~2";

/// Browsers keep cookies up to 4096 bytes for name, `=` and value together.
pub const BROWSER_COOKIE_LIMIT: usize = 4096;

/// Why a cookie value did not yield session JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieError {
    /// The seal itself could not be opened.
    Unseal(UnsealError),
    /// The seal opened but its plaintext is not JSON (the SDK throws here).
    MalformedJson,
}

impl fmt::Display for CookieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unseal(e) => e.fmt(f),
            Self::MalformedJson => f.write_str("Failed parsing sealed object JSON"),
        }
    }
}

impl std::error::Error for CookieError {}

impl From<UnsealError> for CookieError {
    fn from(e: UnsealError) -> Self {
        Self::Unseal(e)
    }
}

/// Opens a cookie value and returns the JSON inside, as `@workos-inc/node` reads it
/// (`getSessionFromCookie`): a sealed `null` becomes `{}`.
pub fn unseal_json(
    cookie: &str,
    passwords: &PasswordSet,
    now_ms: u64,
) -> Result<Value, CookieError> {
    unseal_json_reporting(cookie, passwords, now_ms).map(|(value, _)| value)
}

/// [`unseal_json`], also saying whether a previous password opened it (reseal it then).
pub fn unseal_json_reporting(
    cookie: &str,
    passwords: &PasswordSet,
    now_ms: u64,
) -> Result<(Value, SealedWith), CookieError> {
    let (version, object, sealed_with) = open_versioned(cookie, passwords, now_ms)?;
    Ok((sdk_object(version, object), sealed_with))
}

/// A cookie value whose seal is [checked as far as it can be without keys](OpenableSeal), for
/// hosts that run the MAC check and decryption on their own crypto; [`Self::finish`] then
/// reads the plaintext as [`unseal_json`] does.
#[derive(Debug)]
pub struct OpenableCookie<'a> {
    /// The seal.
    pub seal: OpenableSeal<'a>,
    version: Suffix,
}

impl<'a> OpenableCookie<'a> {
    /// Splits the `~N` suffix off and checks the seal.
    pub fn parse(
        cookie: &'a str,
        passwords: &PasswordSet,
        now_ms: u64,
    ) -> Result<Self, CookieError> {
        let (seal, version) = split_suffix(cookie);
        Ok(Self {
            seal: OpenableSeal::parse(seal, passwords, now_ms)?,
            version,
        })
    }

    /// The session JSON in the decrypted `plaintext`, as [`unseal_json`] gives it.
    pub fn finish(&self, plaintext: &[u8]) -> Result<Value, CookieError> {
        let object = serde_json::from_slice(plaintext).map_err(|_| CookieError::MalformedJson)?;
        Ok(sdk_object(self.version, object))
    }
}

/// The session JSON of `cookie` given its decrypted seal (`plaintext`), as [`unseal_json`]
/// gives it: for hosts that decrypt [`OpenableCookie`]s themselves in another call.
pub fn json_from_plaintext(cookie: &str, plaintext: &[u8]) -> Result<Value, CookieError> {
    let (_, version) = split_suffix(cookie);
    let object = serde_json::from_slice(plaintext).map_err(|_| CookieError::MalformedJson)?;
    Ok(sdk_object(version, object))
}

/// What the SDK makes of an opened object and its suffix: version 2 or none gives the object,
/// any other the v1 wrapper's `persistent`; a sealed `null` is `{}`.
fn sdk_object(version: Suffix, object: Value) -> Value {
    let object = match version {
        Suffix::None | Suffix::Version(Some(2)) => object,
        Suffix::Version(_) => match object.get("persistent") {
            Some(inner) if !inner.is_null() => inner.clone(),
            _ => object,
        },
    };
    if object.is_null() {
        Value::Object(Default::default())
    } else {
        object
    }
}

/// Opens a value as iron-session 8's `unsealData` reads it: a `~2` suffix gives the object,
/// anything else the old v1 wrapper's `persistent` member (`{}` when there is none).
pub fn unseal_json_iron_session(
    cookie: &str,
    passwords: &PasswordSet,
    now_ms: u64,
) -> Result<Value, CookieError> {
    let (version, object, _) = open_versioned(cookie, passwords, now_ms)?;
    Ok(match (version, object) {
        (Suffix::Version(Some(2)), Value::Null) => Value::Object(Default::default()),
        (Suffix::Version(Some(2)), object) => object,
        (_, object) => match object.get("persistent") {
            Some(Value::Object(inner)) => Value::Object(inner.clone()),
            _ => Value::Object(Default::default()),
        },
    })
}

/// What follows the seal: nothing, or `~N` read with `parseInt` (`None` for `NaN`).
#[derive(Debug, Clone, Copy)]
enum Suffix {
    None,
    Version(Option<i64>),
}

/// Splits on every `~` as both JavaScript readers do (`value.split('~')`), opens the seal and
/// parses its JSON; the readers differ only in what they make of the suffix.
fn open_versioned(
    cookie: &str,
    passwords: &PasswordSet,
    now_ms: u64,
) -> Result<(Suffix, Value, SealedWith), CookieError> {
    let (seal, suffix) = split_suffix(cookie);
    let (plaintext, sealed_with) = iron::unseal_reporting(seal, passwords, now_ms)?;
    let object = serde_json::from_slice(&plaintext).map_err(|_| CookieError::MalformedJson)?;
    Ok((suffix, object, sealed_with))
}

/// The seal and its suffix, split on every `~` as both JavaScript readers do.
fn split_suffix(cookie: &str) -> (&str, Suffix) {
    let mut parts = cookie.split('~');
    let seal = parts.next().unwrap_or_default();
    let suffix = parts
        .next()
        .map_or(Suffix::None, |text| Suffix::Version(parse_int(text)));
    (seal, suffix)
}

/// The part of a cookie value that the seal's MAC covers: everything before the first `~`.
/// The `~N` suffix is not authenticated, so caches must key on this part, or one session could
/// fill a cache under endless suffixes.
pub fn authenticated_part(cookie: &str) -> &str {
    cookie.split('~').next().unwrap_or(cookie)
}

/// Seals JSON into a cookie value with the `~2` suffix, as `JSON.stringify` would write it.
/// `expiration_ms` is absolute; `None` (the SDK's choice) never expires.
pub fn seal_json(
    value: &Value,
    passwords: &PasswordSet,
    randomness: &SealRandomness,
    expiration_ms: Option<u64>,
) -> String {
    // A `Value` has string keys only, so it always serialises.
    let plaintext = serde_json::to_vec(value).unwrap_or_default();
    let mut sealed = iron::seal(
        &plaintext,
        passwords.sealing_password(),
        randomness,
        expiration_ms,
    );
    sealed.push_str(VERSION_SUFFIX);
    sealed
}

/// JavaScript `parseInt(text)` (radix 10, or 16 after `0x`), `None` for `NaN`.
fn parse_int(text: &str) -> Option<i64> {
    let text = text.trim_start_matches([' ', '\t', '\n', '\r', '\u{b}', '\u{c}']);
    let (negative, text) = match (text.strip_prefix('-'), text.strip_prefix('+')) {
        (Some(rest), _) => (true, rest),
        (_, Some(rest)) => (false, rest),
        _ => (false, text),
    };
    let (radix, digits) = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(rest) => (16, rest),
        None => (10, text),
    };
    let end = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    let magnitude = i64::from_str_radix(digits.get(..end.min(18))?, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// What can be read from a cookie value without its password.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CookieInspection {
    /// Length of the value in bytes.
    pub length: usize,
    /// Whether `name=value` fits the 4096-byte browser limit.
    pub fits_in_browser_cookie: bool,
    /// Whether it has the eight iron components and the `Fe26.2` prefix.
    pub well_formed: bool,
    /// The MAC prefix (first component).
    pub prefix: Option<String>,
    /// Id of the password it was sealed with (`1` for the SDK).
    pub password_id: Option<String>,
    /// The text after the first `~`, if any (`2` for current cookies).
    pub version_suffix: Option<String>,
    /// Absolute expiration in ms, `None` when it never expires.
    pub expiration_ms: Option<u64>,
    /// Length in bytes of each component, in order.
    pub component_lengths: Vec<usize>,
}

/// Describes a cookie value without opening it (for operators and logs: no secret needed,
/// nothing secret revealed).
pub fn inspect(cookie_name: &str, cookie: &str) -> CookieInspection {
    let (seal, suffix) = match cookie.split_once('~') {
        Some((seal, suffix)) => (seal, Some(suffix.to_owned())),
        None => (cookie, None),
    };
    let parts: Vec<&str> = seal.split('*').collect();
    let well_formed = parts.len() == 8 && parts.first() == Some(&iron::MAC_PREFIX);
    CookieInspection {
        length: cookie.len(),
        fits_in_browser_cookie: cookie_name.len() + 1 + cookie.len() <= BROWSER_COOKIE_LIMIT,
        well_formed,
        prefix: parts.first().map(|p| (*p).to_owned()),
        password_id: parts.get(1).map(|p| (*p).to_owned()),
        version_suffix: suffix,
        expiration_ms: parts.get(5).and_then(|e| e.parse().ok()),
        component_lengths: parts.iter().map(|p| p.len()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_is_javascripts() {
        assert_eq!(parse_int("2"), Some(2));
        assert_eq!(parse_int("2abc"), Some(2));
        assert_eq!(parse_int(" 1"), Some(1));
        assert_eq!(parse_int("0x2"), Some(2));
        assert_eq!(parse_int("abc"), None);
        assert_eq!(parse_int(""), None);
    }
}
