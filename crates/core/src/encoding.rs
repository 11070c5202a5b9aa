//! Small text encodings shared by the seal, the token parser and the URL builders.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// base64url without padding, as iron and JWTs write it.
pub fn b64url_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict base64url without padding: `+`, `/`, `=` and stray bits are errors.
pub fn b64url_decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(text)
}

/// Lowercase hex, as iron writes its salts.
pub fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            out.push(char::from(
                *DIGITS.get(usize::from(nibble)).unwrap_or(&b'0'),
            ));
        }
    }
    out
}

/// `application/x-www-form-urlencoded` as `URLSearchParams` writes it: space becomes `+`,
/// only `*-._` and ASCII alphanumerics stay as they are.
pub fn form_urlencode(text: &str) -> String {
    percent_encode(text, |b| b.is_ascii_alphanumeric() || b"*-._".contains(&b))
}

/// The SDK's `toQueryString` encoding: `encodeURIComponent` with `!'*` also escaped and space as
/// `+` (RFC 1738 style).
pub fn rfc1738_encode(text: &str) -> String {
    percent_encode(text, |b| {
        b.is_ascii_alphanumeric() || b"-_.~()".contains(&b)
    })
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space); `None` for a broken
/// escape or bytes that are not UTF-8.
pub fn form_urldecode(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = char::from(bytes.next()?).to_digit(16)?;
                let lo = char::from(bytes.next()?).to_digit(16)?;
                out.push(u8::try_from(hi * 16 + lo).ok()?);
            }
            other => out.push(other),
        }
    }
    String::from_utf8(out).ok()
}

fn percent_encode(text: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if keep(b) {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_matches_url_search_params() {
        assert_eq!(
            form_urlencode("https://app.example.com/signed out?x=1"),
            "https%3A%2F%2Fapp.example.com%2Fsigned+out%3Fx%3D1"
        );
        assert_eq!(form_urlencode("a*b~c"), "a*b%7Ec");
    }

    #[test]
    fn form_decoding() {
        assert_eq!(form_urldecode("a+b%2Fc%C3%A9").as_deref(), Some("a b/cé"));
        for bad in ["%", "%4", "%zz", "%C3", "%FF"] {
            assert_eq!(form_urldecode(bad), None, "{bad}");
        }
    }

    #[test]
    fn strict_base64url() {
        assert!(b64url_decode("AAECAw").is_ok());
        assert!(b64url_decode("AAECAw==").is_err());
        assert!(b64url_decode("AA+/").is_err());
    }
}
