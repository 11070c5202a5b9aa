//! Sessions larger than one browser cookie, split over `<name>.0 … <name>.N`.
//!
//! A browser drops, without a word, a cookie whose `Set-Cookie` line passes 4096 bytes; for a
//! session that is a sign-in loop. A seal that does not fit is written in chunks instead, each
//! line within the limit; reading joins `<name>.0, <name>.1 …` in order. A session that fits is
//! written whole under `<name>`, as the SDK writes it. Every write also deletes what the
//! request carried and the new state does not use (stale chunks after a session shrank, the
//! whole cookie after it grew), so the jar never holds two versions. The origin is given one
//! `<name>` cookie with the joined value, so SDK origins read it as they always have.

use std::borrow::Cow;

use super::cookies::{
    cookie_pairs, cookie_value, replace_cookies, CookieAttributes, MAX_SET_COOKIE_BYTES,
};

/// The most chunks a session may ever take (`WORKOS_COOKIE_MAX_CHUNKS` is at most this). Ten
/// 4 KiB chunks are a 40 KiB `Cookie` header, past what many servers accept.
pub const MAX_SESSION_CHUNKS: usize = 10;
/// The default: four chunks, a 16 KiB session, which the origin receives as one cookie (Node's
/// default limit for all request headers together is 16 KiB, nginx's per line 8 KiB).
pub const DEFAULT_SESSION_CHUNKS: usize = 4;

/// The name of chunk `index` of cookie `name`.
pub fn chunk_name(name: &str, index: usize) -> String {
    format!("{name}.{index}")
}

/// The index of `key` if it names a chunk of `name` (`name.<digits>`, at most two digits, no
/// leading zero: `name.05` is not chunk 5, whose deletion would not remove it).
fn chunk_index(key: &str, name: &str) -> Option<usize> {
    let digits = key.strip_prefix(name)?.strip_prefix('.')?;
    let canonical = digits == "0" || !digits.starts_with('0');
    if digits.is_empty()
        || digits.len() > 2
        || !canonical
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    digits.parse().ok()
}

/// The session cookie's value: `name` itself, else its chunks `name.0 …` joined (they must run
/// from 0 without a gap; at most [`MAX_SESSION_CHUNKS`]).
pub fn session_cookie_value<'a>(cookie_header: &'a str, name: &str) -> Option<Cow<'a, str>> {
    if let Some(whole) = cookie_value(cookie_header, name) {
        return Some(Cow::Borrowed(whole));
    }
    let mut parts: [Option<&str>; MAX_SESSION_CHUNKS] = [None; MAX_SESSION_CHUNKS];
    let mut any = false;
    for (key, value) in cookie_pairs(cookie_header) {
        if let Some(slot) = chunk_index(key, name).and_then(|i| parts.get_mut(i)) {
            // The first of a name wins, as for whole cookies.
            if slot.is_none() {
                *slot = Some(value);
                any = true;
            }
        }
    }
    if !any {
        return None;
    }
    let mut joined = String::new();
    for part in parts.iter().map_while(|p| *p) {
        joined.push_str(part);
    }
    (!joined.is_empty()).then_some(Cow::Owned(joined))
}

/// Whether the request carries the session in chunks.
pub fn has_chunks(cookie_header: &str, name: &str) -> bool {
    cookie_pairs(cookie_header).any(|(key, _)| chunk_index(key, name).is_some())
}

/// The `Set-Cookie` lines that store `value` as cookie `name` given what the request carried
/// (`cookie_header`): the whole cookie or its chunks, plus deletions of whatever else of it the
/// request had. `Err(bytes)` when `max_chunks` chunks (at most [`MAX_SESSION_CHUNKS`]) cannot
/// hold it.
pub fn session_set_cookies(
    attributes: &CookieAttributes,
    name: &str,
    value: &str,
    cookie_header: Option<&str>,
    max_chunks: usize,
) -> Result<Vec<String>, usize> {
    let carried = carried(cookie_header, name);
    let mut lines = Vec::new();
    if let Ok(line) = attributes.set_cookie_checked(name, value) {
        lines.push(line);
        lines.extend(
            carried
                .chunks
                .iter()
                .map(|&i| attributes.clear_cookie(&chunk_name(name, i))),
        );
        return Ok(lines);
    }
    // Room for the value in a line for the longest chunk name, `<name>.9`. Seals are ASCII,
    // so cutting at any byte keeps whole characters.
    let overhead = attributes
        .set_cookie(&chunk_name(name, MAX_SESSION_CHUNKS - 1), "")
        .len();
    let room = MAX_SET_COOKIE_BYTES.saturating_sub(overhead).max(1);
    let count = value.len().div_ceil(room);
    if count > max_chunks.min(MAX_SESSION_CHUNKS) || !value.is_ascii() {
        return Err(attributes.set_cookie(name, value).len());
    }
    for (index, start) in (0..value.len()).step_by(room).enumerate() {
        let part = value
            .get(start..(start + room).min(value.len()))
            .unwrap_or_default();
        lines.push(attributes.set_cookie(&chunk_name(name, index), part));
    }
    if carried.whole {
        lines.push(attributes.clear_cookie(name));
    }
    lines.extend(
        carried
            .chunks
            .iter()
            .filter(|&&i| i >= count)
            .map(|&i| attributes.clear_cookie(&chunk_name(name, i))),
    );
    Ok(lines)
}

/// The `Set-Cookie` lines deleting cookie `name` and every chunk of it the request carried
/// (the whole cookie is always deleted: it costs one line and covers a jar we cannot see).
pub fn session_clear_cookies(
    attributes: &CookieAttributes,
    name: &str,
    cookie_header: Option<&str>,
) -> Vec<String> {
    let carried = carried(cookie_header, name);
    std::iter::once(attributes.clear_cookie(name))
        .chain(
            carried
                .chunks
                .iter()
                .map(|&i| attributes.clear_cookie(&chunk_name(name, i))),
        )
        .collect()
}

/// The `Cookie` header an origin gets: the session's chunks replaced by one `name=value`
/// (where the first of them, or the whole cookie, was), everything else as it came.
pub fn origin_cookie_header(cookie_header: &str, name: &str, value: &str) -> String {
    let session = |key: &str| key == name || chunk_index(key, name).is_some();
    replace_cookies(cookie_header, session, name, Some(value))
}

/// What of cookie `name` a request carried.
struct Carried {
    whole: bool,
    chunks: Vec<usize>,
}

fn carried(cookie_header: Option<&str>, name: &str) -> Carried {
    let mut found = Carried {
        whole: false,
        chunks: Vec::new(),
    };
    for (key, _) in cookie_pairs(cookie_header.unwrap_or_default()) {
        if key == name {
            found.whole = true;
        } else if let Some(index) = chunk_index(key, name) {
            if !found.chunks.contains(&index) {
                found.chunks.push(index);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::SameSite;

    fn attributes() -> CookieAttributes {
        CookieAttributes {
            path: "/".into(),
            domain: None,
            max_age: Some(34_560_000),
            same_site: SameSite::Lax,
            secure: true,
        }
    }

    /// A browser's jar after `lines`, as a `Cookie` header.
    fn apply(jar: &mut Vec<(String, String)>, lines: &[String]) -> String {
        for line in lines {
            let pair = line.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            jar.retain(|(n, _)| n != name);
            if !line.contains("Max-Age=0") {
                jar.push((name.to_owned(), value.to_owned()));
            }
        }
        jar.iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn seal(len: usize) -> String {
        "Fe26.2*1*"
            .chars()
            .chain(std::iter::repeat('a'))
            .take(len)
            .collect()
    }

    /// The `Set-Cookie` lines writing `value` after a request that carried `header`.
    fn write(value: &str, header: Option<&str>) -> Vec<String> {
        session_set_cookies(
            &attributes(),
            "wos-session",
            value,
            header,
            MAX_SESSION_CHUNKS,
        )
        .unwrap()
    }

    fn read(header: &str) -> Option<String> {
        session_cookie_value(header, "wos-session").map(String::from)
    }

    #[test]
    fn a_session_grows_into_chunks_and_shrinks_back() {
        let mut jar = Vec::new();
        let small = seal(3_000);
        let header = apply(&mut jar, &write(&small, None));
        assert_eq!(read(&header), Some(small.clone()));

        let big = seal(9_000);
        let lines = write(&big, Some(&header));
        assert!(lines.iter().all(|l| l.len() <= MAX_SET_COOKIE_BYTES));
        let header = apply(&mut jar, &lines);
        assert!(
            !header.contains("wos-session="),
            "the whole cookie went: {header:.40}"
        );
        assert_eq!(jar.len(), 3, "9 000 bytes take three chunks");
        assert!(has_chunks(&header, "wos-session"));
        assert_eq!(read(&header), Some(big));

        let medium = seal(5_000);
        let header = apply(&mut jar, &write(&medium, Some(&header)));
        assert_eq!(jar.len(), 2, "the stale third chunk was deleted");
        assert_eq!(read(&header), Some(medium));

        let header = apply(&mut jar, &write(&small, Some(&header)));
        assert_eq!(header, format!("wos-session={small}"));

        let header = apply(
            &mut jar,
            &session_clear_cookies(&attributes(), "wos-session", Some(&header)),
        );
        assert_eq!(header, "");
    }

    #[test]
    fn the_origin_gets_one_joined_cookie() {
        assert_eq!(
            origin_cookie_header(
                "a=1; wos-session.0=x; b=2; wos-session.1=y",
                "wos-session",
                "xy"
            ),
            "a=1; wos-session=xy; b=2"
        );
        assert_eq!(
            origin_cookie_header("wos-session=old", "wos-session", "new"),
            "wos-session=new"
        );
        assert_eq!(
            origin_cookie_header("", "wos-session", "v"),
            "wos-session=v"
        );
    }

    #[test]
    fn too_many_chunks_are_refused() {
        let set =
            |len, max| session_set_cookies(&attributes(), "wos-session", &seal(len), None, max);
        assert!(set(39_000, MAX_SESSION_CHUNKS).is_ok());
        assert!(set(41_000, MAX_SESSION_CHUNKS).is_err());
        assert!(set(15_000, DEFAULT_SESSION_CHUNKS).is_ok());
        assert!(set(17_000, DEFAULT_SESSION_CHUNKS).is_err());
        assert!(set(41_000, 99).is_err(), "never past ten");
    }

    #[test]
    fn reading_needs_chunks_from_zero_without_gaps() {
        assert_eq!(
            session_cookie_value("wos-session.1=b", "wos-session").as_deref(),
            None
        );
        assert_eq!(
            session_cookie_value(
                "wos-session.1=b; wos-session.0=a; wos-session.3=d",
                "wos-session"
            )
            .as_deref(),
            Some("ab")
        );
        assert_eq!(
            session_cookie_value("wos-session=w; wos-session.0=a", "wos-session").as_deref(),
            Some("w")
        );
        for key in [
            "wos-session.",
            "wos-session.x",
            "wos-session.100",
            "wos-sessionx.0",
            "wos-session.-1",
            "wos-session.05",
            "wos-session.00",
        ] {
            assert!(!has_chunks(&format!("{key}=v"), "wos-session"), "{key}");
        }
        assert_eq!(session_cookie_value("other=1", "wos-session"), None);
    }

    #[test]
    fn clearing_without_a_header_still_deletes_the_whole_cookie() {
        let lines = session_clear_cookies(&attributes(), "wos-session", None);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with("wos-session=;"));
    }
}
