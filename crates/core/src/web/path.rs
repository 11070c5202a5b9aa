//! The one view of a request path that the gateway matches its rules against and forwards.
//!
//! Origins decode and normalise paths before routing (`/assets/..%2Freports` is `/reports` to
//! many of them, `/%72eports` is `/reports` to all). A gateway that matches the raw path while
//! the origin routes a decoded one can be walked around. So the path is normalised first, and
//! whatever could still mean two things to two parsers is refused:
//!
//! 1. percent-encoded unreserved characters (`A-Z a-z 0-9 - . _ ~`) are decoded; every other
//!    escape is kept, with upper-case hex;
//! 2. repeated `/` are merged and dot segments (`.`, `..`, also when they were encoded) are
//!    removed (RFC 3986 §5.2.4; `..` above the root stays at the root);
//! 3. refused: encoded `/`, `\` or NUL (`%2F`, `%5C`, `%00`, also double-encoded as `%252F`…),
//!    double-encoded dots (`%252E`), a raw `\`, `;` (path parameters, which Java servers strip
//!    before routing), control characters and broken escapes; and paths over
//!    [`MAX_PATH_BYTES`].
//!
//! The result is what the rules see and exactly what the origin receives.

use std::fmt;

/// Longest path accepted (bytes, as received).
pub const MAX_PATH_BYTES: usize = 8192;

/// Why a path is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// Longer than [`MAX_PATH_BYTES`].
    TooLong,
    /// Does not start with `/`.
    NotAbsolute,
    /// A `%` not followed by two hex digits.
    BadEscape,
    /// An encoded separator (`%2F`, `%5C`), NUL, or a double-encoded dot or separator.
    EncodedSeparator,
    /// A raw `\`, `;`, or a control character.
    ForbiddenCharacter,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooLong => "the path is too long",
            Self::NotAbsolute => "the path must start with /",
            Self::BadEscape => "the path has a broken percent-escape",
            Self::EncodedSeparator => {
                "the path has an encoded slash, backslash, dot or NUL that servers disagree on"
            }
            Self::ForbiddenCharacter => "the path has a backslash, semicolon or control character",
        })
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Normalises `raw` (a URL path as received: percent-encoded, without query) as described in
/// the [module docs](self), or says why it is refused.
///
/// ```
/// use workos_edge_core::web::path::{normalize_path, PathError};
/// assert_eq!(normalize_path("/assets/%2e%2e/reports/x").as_deref(), Ok("/reports/x"));
/// assert_eq!(normalize_path("//%72eports/./x/").as_deref(), Ok("/reports/x/"));
/// assert_eq!(normalize_path("/assets/..%2Freports"), Err(PathError::EncodedSeparator));
/// ```
pub fn normalize_path(raw: &str) -> Result<String, PathError> {
    if raw.len() > MAX_PATH_BYTES {
        return Err(PathError::TooLong);
    }
    if !raw.starts_with('/') {
        return Err(PathError::NotAbsolute);
    }
    let decoded = decode_unreserved(raw.as_bytes())?;
    // Only ASCII escapes were decoded and only whole escapes kept, so this stays UTF-8.
    let decoded = String::from_utf8(decoded).map_err(|_| PathError::BadEscape)?;
    // Checked again on the decoded text: a kept `%25` next to decoded escapes can spell a
    // double-encoded separator (`%25%32%65` is `%252e`), and U+0080..U+009F are control
    // characters too.
    if decoded.chars().any(char::is_control) {
        return Err(PathError::ForbiddenCharacter);
    }
    let spells_separator = |w: &[u8]| match w {
        [b'%', b'2', b'5', rest @ ..] => is_double_encoded_separator(rest),
        _ => false,
    };
    if decoded.as_bytes().windows(5).any(spells_separator) {
        return Err(PathError::EncodedSeparator);
    }
    Ok(remove_dot_segments(&decoded))
}

/// Step 1 and the refusals of step 3, in one pass over the bytes.
fn decode_unreserved(raw: &[u8]) -> Result<Vec<u8>, PathError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        match b {
            b'%' => {
                let (hi, lo, tail) = match rest {
                    [hi, lo, tail @ ..] => (*hi, *lo, tail),
                    _ => return Err(PathError::BadEscape),
                };
                rest = tail;
                let (Some(h), Some(l)) = (hex_value(hi), hex_value(lo)) else {
                    return Err(PathError::BadEscape);
                };
                let byte = h * 16 + l;
                match byte {
                    b'/' | b'\\' | 0 => return Err(PathError::EncodedSeparator),
                    b'%' if is_double_encoded_separator(rest) => {
                        return Err(PathError::EncodedSeparator)
                    }
                    _ if is_unreserved(byte) => out.push(byte),
                    _ => {
                        out.push(b'%');
                        out.push(hi.to_ascii_uppercase());
                        out.push(lo.to_ascii_uppercase());
                    }
                }
            }
            b'\\' | b';' => return Err(PathError::ForbiddenCharacter),
            _ if b.is_ascii_control() => return Err(PathError::ForbiddenCharacter),
            _ => out.push(b),
        }
    }
    Ok(out)
}

/// Whether the bytes after a `%25` spell a dot, slash, backslash or NUL once decoded again.
fn is_double_encoded_separator(after: &[u8]) -> bool {
    match after {
        [hi, lo, ..] => matches!(
            (hex_value(*hi), hex_value(*lo)),
            (Some(0x2), Some(0xE | 0xF)) | (Some(0x5), Some(0xC)) | (Some(0), Some(0))
        ),
        _ => false,
    }
}

/// Step 2: merges empty segments and resolves `.` and `..`.
fn remove_dot_segments(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let mut parts = path.split('/').skip(1).peekable();
    let mut trailing_slash = false;
    while let Some(segment) = parts.next() {
        let last = parts.peek().is_none();
        match segment {
            "" | "." => trailing_slash = last,
            ".." => {
                segments.pop();
                trailing_slash = last;
            }
            other => {
                segments.push(other);
                trailing_slash = false;
            }
        }
    }
    let mut out = String::with_capacity(path.len());
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() || trailing_slash {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises() {
        for (raw, want) in [
            ("/", "/"),
            ("/a/b", "/a/b"),
            ("/a/b/", "/a/b/"),
            ("//a//b", "/a/b"),
            ("/a/./b", "/a/b"),
            ("/a/../b", "/b"),
            ("/../../b", "/b"),
            ("/a/..", "/"),
            ("/a/b/..", "/a/"),
            ("/a/.", "/a/"),
            ("/%2e%2e/x", "/x"),
            ("/assets/%2E%2E/reports/x", "/reports/x"),
            ("/%72eports/x", "/reports/x"),
            ("/%7e%41", "/~A"),
            ("/a%20b", "/a%20b"),
            ("/a%3bb", "/a%3Bb"),
            ("/caf%C3%A9", "/caf%C3%A9"),
            ("/café", "/café"),
            ("/.%2e/x", "/x"),
            ("/a/.../b", "/a/.../b"),
        ] {
            assert_eq!(normalize_path(raw).as_deref(), Ok(want), "{raw}");
        }
    }

    #[test]
    fn refuses_what_servers_read_differently() {
        for (raw, want) in [
            ("/assets/..%2Freports/x", PathError::EncodedSeparator),
            ("/a%2fb", PathError::EncodedSeparator),
            ("/a%5Cb", PathError::EncodedSeparator),
            ("/a%00", PathError::EncodedSeparator),
            ("/a/%252e%252e/b", PathError::EncodedSeparator),
            ("/a%252Fb", PathError::EncodedSeparator),
            ("/a%255cb", PathError::EncodedSeparator),
            ("/a%2500", PathError::EncodedSeparator),
            ("/a/%25%32%65%25%32%65/b", PathError::EncodedSeparator),
            ("/a%250%30", PathError::EncodedSeparator),
            ("/a\u{85}b", PathError::ForbiddenCharacter),
            ("/reports;x/y", PathError::ForbiddenCharacter),
            ("/a\\b", PathError::ForbiddenCharacter),
            ("/a\tb", PathError::ForbiddenCharacter),
            ("/a%zz", PathError::BadEscape),
            ("/a%", PathError::BadEscape),
            ("/a%4", PathError::BadEscape),
            ("/a%é", PathError::BadEscape),
            ("a", PathError::NotAbsolute),
            ("", PathError::NotAbsolute),
        ] {
            assert_eq!(normalize_path(raw), Err(want), "{raw}");
        }
        assert_eq!(
            normalize_path(&format!("/{}", "a".repeat(MAX_PATH_BYTES))),
            Err(PathError::TooLong)
        );
        assert_eq!(normalize_path("/a%2541").as_deref(), Ok("/a%2541"));
    }

    #[test]
    fn is_idempotent() {
        for raw in [
            "/a/%2e%2e/b",
            "//x/./y/",
            "/%7e/%41%42",
            "/a%20b/..",
            "/%25/x",
        ] {
            let once = normalize_path(raw).unwrap();
            assert_eq!(normalize_path(&once).as_deref(), Ok(once.as_str()), "{raw}");
        }
    }
}
