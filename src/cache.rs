//! Per-isolate caches of verified credentials, keyed without hashing what they hold.
//!
//! A session cookie ends in its seal's MAC and an access token in its signature: tags nobody
//! can produce without the cookie password or the signing key, and unique per value. The
//! caches are found by that tag (a few dozen bytes to hash instead of a SHA-256 over a 2–40 KB
//! cookie on every request) and hold the whole value, which must match byte for byte: a
//! tampered value that reuses a genuine tag misses and is verified (and refused) like any new
//! one.

use std::collections::HashMap;

/// Values that were verified, by their tag.
pub struct TaggedCache<V> {
    entries: HashMap<Box<str>, (Box<str>, V)>,
    bytes: usize,
    max_entries: usize,
    max_bytes: usize,
}

impl<V> TaggedCache<V> {
    /// An empty cache holding at most `max_entries` values of `max_bytes` in all; a full
    /// cache is emptied rather than grown.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            entries: HashMap::new(),
            bytes: 0,
            max_entries,
            max_bytes,
        }
    }

    /// What verifying `value` (whose tag is `tag`) gave, if it was this very value.
    pub fn get(&self, value: &str, tag: &str) -> Option<&V> {
        self.entries
            .get(tag)
            .filter(|(held, _)| **held == *value)
            .map(|(_, entry)| entry)
    }

    /// Remembers what verifying `value` gave.
    pub fn insert(&mut self, value: &str, tag: &str, entry: V) {
        if self.entries.len() >= self.max_entries
            || self.bytes.saturating_add(value.len()) > self.max_bytes
        {
            self.entries.clear();
            self.bytes = 0;
        }
        if let Some((old, _)) = self.entries.insert(tag.into(), (value.into(), entry)) {
            self.bytes = self.bytes.saturating_sub(old.len());
        }
        self.bytes = self.bytes.saturating_add(value.len());
    }

    /// Forgets `value`.
    pub fn remove(&mut self, value: &str, tag: &str) {
        if self.get(value, tag).is_some() {
            if let Some((old, _)) = self.entries.remove(tag) {
                self.bytes = self.bytes.saturating_sub(old.len());
            }
        }
    }
}

/// The tag of a seal: its last `*` component (the MAC).
pub fn seal_tag(sealed: &str) -> &str {
    sealed.rsplit('*').next().unwrap_or(sealed)
}

/// The tag of a JWT: its last `.` component (the signature).
pub fn token_tag(token: &str) -> &str {
    token.rsplit('.').next().unwrap_or(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_reusing_a_tag_misses() {
        let mut cache = TaggedCache::new(8, 1_000);
        cache.insert(
            "Fe26.2*1*a*b*c**s*MAC",
            seal_tag("Fe26.2*1*a*b*c**s*MAC"),
            1,
        );
        assert_eq!(cache.get("Fe26.2*1*a*b*c**s*MAC", "MAC"), Some(&1));
        assert_eq!(cache.get("Fe26.2*1*X*b*c**s*MAC", "MAC"), None, "tampered");
        cache.remove("Fe26.2*1*X*b*c**s*MAC", "MAC");
        assert_eq!(
            cache.get("Fe26.2*1*a*b*c**s*MAC", "MAC"),
            Some(&1),
            "only the same value removes"
        );
        cache.remove("Fe26.2*1*a*b*c**s*MAC", "MAC");
        assert_eq!(cache.get("Fe26.2*1*a*b*c**s*MAC", "MAC"), None);
        assert_eq!(token_tag("h.p.sig"), "sig");
    }

    #[test]
    fn bounded_by_entries_and_bytes() {
        let mut cache = TaggedCache::new(2, 10);
        cache.insert("aaaa", "1", ());
        cache.insert("bbbb", "2", ());
        cache.insert("cccc", "3", ());
        assert!(cache.get("aaaa", "1").is_none(), "emptied when full");
        assert!(cache.get("cccc", "3").is_some());
        cache.insert("dddddddd", "4", ());
        assert!(
            cache.get("cccc", "3").is_none(),
            "emptied past the byte bound"
        );
        assert!(cache.get("dddddddd", "4").is_some());
    }
}
