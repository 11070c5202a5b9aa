//! Path globs (`PUBLIC_PATHS`, `ROUTE_RULES`), matched in time linear in the path.
//!
//! A backtracking matcher tries every split of the path for every `*`, which is exponential in
//! the number of stars (`/*-*-*-*.js` against a long segment burnt seconds of CPU per anonymous
//! request). Here a glob is compiled once into tokens and run as an NFA: the set of pattern
//! positions still alive is advanced one path byte at a time, so a match costs at most
//! `path length × pattern length` steps, whatever the input.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// One byte, exactly (or ASCII case-insensitively, for a case-insensitive glob).
    Byte(u8),
    /// `*`: any run of bytes within one segment (no `/`).
    Star,
    /// `**`: any run of bytes, across segments.
    AnyDepth,
}

/// A path pattern: `*` matches within one segment, `**` across segments, and a trailing `/*`
/// after a literal prefix covers the prefix itself and everything below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathGlob {
    pattern: String,
    tokens: Vec<Token>,
    /// `Some(prefix)` for the subtree form `/prefix/*`.
    subtree: Option<String>,
    case_insensitive: bool,
}

impl PathGlob {
    /// A case-sensitive glob over URL paths (leading `/` added when missing).
    pub fn new(pattern: &str) -> Self {
        Self::build(pattern, false)
    }

    /// A glob that ignores ASCII case, for rules that must not be dodged by re-casing a path
    /// that a case-insensitive origin routes the same way.
    pub fn new_case_insensitive(pattern: &str) -> Self {
        Self::build(pattern, true)
    }

    fn build(pattern: &str, case_insensitive: bool) -> Self {
        let pattern = pattern.trim();
        let pattern = if pattern.starts_with('/') {
            pattern.to_owned()
        } else {
            format!("/{pattern}")
        };
        // Written the way normalised request paths are, or `/équipe/*` would never match
        // `/%C3%A9quipe/x` and the rule would be silently off.
        let mut pattern = normalize_pattern(&pattern);
        if case_insensitive {
            pattern.make_ascii_lowercase();
        }
        let subtree = pattern
            .strip_suffix("/*")
            .or_else(|| pattern.strip_suffix("/**"))
            .filter(|prefix| !prefix.contains('*'))
            .map(str::to_owned);
        let mut tokens = Vec::with_capacity(pattern.len());
        let mut bytes = pattern.bytes().peekable();
        while let Some(b) = bytes.next() {
            match b {
                b'*' if bytes.peek() == Some(&b'*') => {
                    while bytes.peek() == Some(&b'*') {
                        bytes.next();
                    }
                    tokens.push(Token::AnyDepth);
                }
                b'*' => tokens.push(Token::Star),
                other => tokens.push(Token::Byte(other)),
            }
        }
        Self {
            pattern,
            tokens,
            subtree,
            case_insensitive,
        }
    }

    /// Whether `path` (normalised: see [`super::path::normalize_path`]) matches.
    pub fn matches(&self, path: &str) -> bool {
        if let Some(prefix) = &self.subtree {
            // `/reports/*` covers `/reports` itself and everything below it: a rule must not be
            // dodged by leaving out the trailing slash (an origin may serve both).
            let path = path.as_bytes();
            let prefix = prefix.as_bytes();
            return match path.get(..prefix.len()) {
                Some(head) if self.bytes_equal(head, prefix) => {
                    matches!(path.get(prefix.len()), None | Some(b'/'))
                }
                _ => false,
            };
        }
        self.run(path.as_bytes())
    }

    fn bytes_equal(&self, a: &[u8], b: &[u8]) -> bool {
        if self.case_insensitive {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    }

    /// The NFA: `alive[i]` = the first `i` tokens can match the bytes read so far.
    fn run(&self, text: &[u8]) -> bool {
        let mut alive = vec![false; self.tokens.len() + 1];
        let mut next = alive.clone();
        set(&mut alive, 0);
        self.close(&mut alive);
        for &byte in text {
            let byte = if self.case_insensitive {
                byte.to_ascii_lowercase()
            } else {
                byte
            };
            next.iter_mut().for_each(|x| *x = false);
            let mut any = false;
            for ((i, token), _) in self
                .tokens
                .iter()
                .enumerate()
                .zip(&alive)
                .filter(|(_, on)| **on)
            {
                let (stay, advance) = match *token {
                    Token::Byte(b) => (false, b == byte),
                    Token::Star => (byte != b'/', false),
                    Token::AnyDepth => (true, false),
                };
                if stay {
                    set(&mut next, i);
                }
                if advance {
                    set(&mut next, i + 1);
                }
                any |= stay || advance;
            }
            if !any {
                return false;
            }
            std::mem::swap(&mut alive, &mut next);
            self.close(&mut alive);
        }
        alive.last().copied().unwrap_or(false)
    }

    /// A star may match nothing: whoever reaches it also reaches the token after it.
    fn close(&self, alive: &mut [bool]) {
        for (i, token) in self.tokens.iter().enumerate() {
            let star = matches!(token, Token::Star | Token::AnyDepth);
            if star && alive.get(i).copied().unwrap_or(false) {
                set(alive, i + 1);
            }
        }
    }
}

/// A glob spelled as [`super::path::normalize_path`] spells paths: non-ASCII bytes
/// percent-encoded, escapes of unreserved characters decoded, other escapes in upper-case hex,
/// and a `%` that starts no escape written `%25` (a path can only carry it that way; and
/// otherwise `%%341` would become `%41`, then `A`: not one spelling).
fn normalize_pattern(pattern: &str) -> String {
    let hex = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let bytes = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escape = match (b, bytes.get(i + 1).copied(), bytes.get(i + 2).copied()) {
            (b'%', Some(h), Some(l)) => hex(h).zip(hex(l)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match escape {
            Some(decoded) if decoded.is_ascii_alphanumeric() || b"-._~".contains(&decoded) => {
                out.push(char::from(decoded));
                i += 3;
            }
            Some(other) => {
                out.push_str(&format!("%{other:02X}"));
                i += 3;
            }
            None if b == b'%' => {
                out.push_str("%25");
                i += 1;
            }
            None if b.is_ascii() => {
                out.push(char::from(b));
                i += 1;
            }
            None => {
                out.push_str(&format!("%{b:02X}"));
                i += 1;
            }
        }
    }
    out
}

fn set(states: &mut [bool], i: usize) {
    if let Some(state) = states.get_mut(i) {
        *state = true;
    }
}

impl fmt::Display for PathGlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

/// Parses a comma-separated glob list (`PUBLIC_PATHS`), case-sensitively.
pub fn parse_globs(list: &str) -> Vec<PathGlob> {
    list.split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(PathGlob::new)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(PathGlob::new("/").matches("/"));
        assert!(!PathGlob::new("/").matches("/x"));
        assert!(PathGlob::new("/assets/*").matches("/assets/app/main.js"));
        assert!(!PathGlob::new("/assets/*").matches("/assetsx/a"));
        assert!(PathGlob::new("/reports/*").matches("/reports"));
        assert!(PathGlob::new("/reports/*").matches("/reports/"));
        assert!(PathGlob::new("/*.css").matches("/site.css"));
        assert!(!PathGlob::new("/*.css").matches("/a/site.css"));
        assert!(PathGlob::new("/docs/**").matches("/docs/a/b"));
        assert!(PathGlob::new("/docs/**").matches("/docs/"));
        assert!(PathGlob::new("/**/x.js").matches("/a/b/x.js"));
        assert!(PathGlob::new("/*/x/*.js").matches("/a/x/b.js"));
        assert!(!PathGlob::new("/*/x/*.js").matches("/a/y/b.js"));
        assert!(PathGlob::new("/a*b*c").matches("/abc"));
        assert!(PathGlob::new("/a*b*c").matches("/aXbYbZc"));
        assert!(!PathGlob::new("/a*b*c").matches("/aXbYbZ"));
        assert!(PathGlob::new("favicon.ico").matches("/favicon.ico"));
    }

    #[test]
    fn patterns_are_spelled_like_normalised_paths() {
        assert!(PathGlob::new("/équipe/*").matches("/%C3%A9quipe/x"));
        assert!(PathGlob::new("/%7euser/*").matches("/~user/x"));
        assert!(PathGlob::new("/a%2fb").matches("/a%2Fb"));
        assert!(PathGlob::new("/100%").matches("/100%25"));
        for odd in ["/rep%%6663A", "/%%341", "/%zz%", "/é%"] {
            let once = PathGlob::new(odd);
            assert_eq!(PathGlob::new(&once.to_string()), once, "{odd}");
        }
        assert!(PathGlob::new("/docs/**").matches("/docs"));
        assert!(!PathGlob::new("/docs/**").matches("/docsx"));
    }

    #[test]
    fn case() {
        assert!(!PathGlob::new("/reports/*").matches("/Reports/x"));
        assert!(PathGlob::new_case_insensitive("/reports/*").matches("/Reports/x"));
        assert!(PathGlob::new_case_insensitive("/Reports/*").matches("/REPORTS"));
        assert!(PathGlob::new_case_insensitive("/*.PDF").matches("/a.pdf"));
        assert!(!PathGlob::new_case_insensitive("/reports/*").matches("/reportsx"));
    }

    #[test]
    fn many_stars_stay_linear() {
        let glob = PathGlob::new("/*-*-*-*-*-*-*-*.js");
        let path = format!("/{}b", "a-".repeat(20_000));
        let started = std::time::Instant::now();
        assert!(!glob.matches(&path));
        // Backtracking takes hours here; the NFA a few milliseconds even unoptimised.
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(glob.matches("/a-b-c-d-e-f-g-h.js"));
    }
}
