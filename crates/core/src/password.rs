//! Cookie passwords: single secrets, `{id: secret}` maps, and the rules both iron libraries apply.

use std::fmt;

/// The shortest password iron accepts, counted in UTF-16 code units as JavaScript counts
/// `string.length` (so `"é"` counts 1 and an emoji counts 2).
pub const MIN_PASSWORD_LENGTH: usize = 32;

/// The password id `@workos-inc/node` always writes and looks up.
pub const SDK_PASSWORD_ID: &str = "1";

/// A password configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordError {
    /// The secret is shorter than [`MIN_PASSWORD_LENGTH`]; carries the id, never the secret.
    TooShort {
        /// Id of the offending password (`"1"` for a single password).
        id: String,
    },
    /// An id that is not `^\w+$` (iron refuses to seal with it).
    InvalidId(String),
    /// A password map without any entry.
    Empty,
    /// A password map whose ids are not numbers: iron-session seals with the highest numeric id.
    NoNumericId,
}

impl fmt::Display for PasswordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { id } => write!(
                f,
                "password {id:?} is too short (min {MIN_PASSWORD_LENGTH} characters required)"
            ),
            Self::InvalidId(id) => {
                write!(f, "invalid password id {id:?} (letters, digits and _ only)")
            }
            Self::Empty => f.write_str("no password given"),
            Self::NoNumericId => f.write_str("a password map needs at least one numeric id"),
        }
    }
}

impl std::error::Error for PasswordError {}

/// One secret with the id that is written into (and looked up from) the seal.
#[derive(Clone, PartialEq, Eq)]
pub struct Password {
    id: String,
    secret: String,
}

impl Password {
    /// A password with an explicit id. The id must be `^\w+$`; the secret at least 32 characters.
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Result<Self, PasswordError> {
        let id = id.into();
        let secret = secret.into();
        if !is_valid_id(&id) {
            return Err(PasswordError::InvalidId(id));
        }
        if secret.encode_utf16().count() < MIN_PASSWORD_LENGTH {
            return Err(PasswordError::TooShort { id });
        }
        Ok(Self { id, secret })
    }

    /// The id written into seals made with this password.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn secret_bytes(&self) -> &[u8] {
        self.secret.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Password")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The passwords a cookie may be opened with, and the one new cookies are sealed with.
///
/// * [`PasswordSet::single`] is what `@workos-inc/node` and iron-session do with one string:
///   seal with id `1`, open only seals whose id is `1`.
/// * [`PasswordSet::map`] is iron-session's rotation: seal with the numerically highest id,
///   open any seal whose id is in the map (an empty id is looked up as `default`).
///
/// [`PasswordSet::with_previous`] adds rotation for the SDK's fixed id: the SDK writes id `1`
/// whatever the secret, so an old secret cannot be told apart by id. Previous secrets are tried,
/// in order, only after the current one's MAC fails, and a seal opened with one is reported
/// ([`SealedWith::Previous`]) so the host can reseal it with the current secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordSet {
    passwords: Vec<Password>,
    sealing: Password,
    previous: Vec<Password>,
}

/// Which password opened a seal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedWith {
    /// A password in force: nothing to do.
    Current,
    /// A previous secret ([`PasswordSet::with_previous`]): reseal with the current one.
    Previous,
}

impl PasswordSet {
    /// One secret, id `1` (the SDK's and iron-session's convention for a string password).
    pub fn single(secret: impl Into<String>) -> Result<Self, PasswordError> {
        let password = Password::new(SDK_PASSWORD_ID, secret)?;
        Ok(Self {
            passwords: vec![password.clone()],
            sealing: password,
            previous: Vec::new(),
        })
    }

    /// Adds previous secrets, tried in order under the sealing password's id when the current
    /// secret does not open a seal. New seals are still made with the current secret only.
    pub fn with_previous<I, S>(mut self, secrets: I) -> Result<Self, PasswordError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for secret in secrets {
            let password = Password::new(self.sealing.id.clone(), secret)?;
            if password != self.sealing && !self.previous.contains(&password) {
                self.previous.push(password);
            }
        }
        Ok(self)
    }

    /// The passwords to try for a seal's id, current first, each with whether it is previous.
    pub fn candidates<'a>(
        &'a self,
        id: &'a str,
    ) -> impl Iterator<Item = (&'a Password, SealedWith)> {
        let current = self.find(id).map(|p| (p, SealedWith::Current));
        let lookup = if id.is_empty() { "default" } else { id };
        let previous = self
            .previous
            .iter()
            .filter(move |p| p.id == lookup)
            .map(|p| (p, SealedWith::Previous));
        current.into_iter().chain(previous)
    }

    /// Whether previous secrets are configured.
    pub fn is_rotating(&self) -> bool {
        !self.previous.is_empty()
    }

    /// An iron-session password map `{id: secret}`; every secret must be long enough.
    pub fn map<I, K, V>(entries: I) -> Result<Self, PasswordError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let passwords = entries
            .into_iter()
            .map(|(id, secret)| Password::new(id, secret))
            .collect::<Result<Vec<_>, _>>()?;
        if passwords.is_empty() {
            return Err(PasswordError::Empty);
        }
        let sealing = passwords
            .iter()
            .filter_map(|p| p.id.parse::<f64>().ok().map(|n| (p, n)))
            .fold(None, |best: Option<(&Password, f64)>, (p, n)| match best {
                Some((_, m)) if m >= n => best,
                _ => Some((p, n)),
            })
            .map(|(p, _)| p.clone())
            .ok_or(PasswordError::NoNumericId)?;
        Ok(Self {
            passwords,
            sealing,
            previous: Vec::new(),
        })
    }

    /// The password new seals are made with.
    pub fn sealing_password(&self) -> &Password {
        &self.sealing
    }

    /// The password for a seal's id, as iron looks it up (`""` means `default`).
    pub fn find(&self, id: &str) -> Option<&Password> {
        let id = if id.is_empty() { "default" } else { id };
        self.passwords.iter().find(|p| p.id == id)
    }

    /// Every password, sealing one included.
    pub fn passwords(&self) -> &[Password] {
        &self.passwords
    }

    /// A one-way fingerprint of the whole set (ids and secrets, order-independent), for hosts
    /// that key caches by password: the key then holds a hash, never the secret.
    pub fn fingerprint(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut entries: Vec<&Password> = self.passwords.iter().collect();
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        let mut hasher = Sha256::new();
        hasher.update(b"workos-edge password set v1\0");
        for p in entries {
            for part in [&p.id, &p.secret] {
                hasher.update((part.len() as u64).to_be_bytes());
                hasher.update(part.as_bytes());
            }
        }
        // Previous secrets open seals too, so they are part of the identity (in their order).
        for p in &self.previous {
            hasher.update(b"previous\0");
            hasher.update((p.secret.len() as u64).to_be_bytes());
            hasher.update(p.secret.as_bytes());
        }
        hasher.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_identify_sets_without_the_secret() {
        let a = "a".repeat(32);
        let b = "b".repeat(32);
        let one = PasswordSet::map([("1", a.as_str()), ("2", b.as_str())]).unwrap();
        let same = PasswordSet::map([("2", b.as_str()), ("1", a.as_str())]).unwrap();
        let other = PasswordSet::map([("1", b.as_str()), ("2", a.as_str())]).unwrap();
        assert_eq!(one.fingerprint(), same.fingerprint());
        assert_ne!(one.fingerprint(), other.fingerprint());
        assert_ne!(
            PasswordSet::single(a.clone()).unwrap().fingerprint(),
            PasswordSet::map([("1", format!("{a}x"))])
                .unwrap()
                .fingerprint()
        );
    }

    #[test]
    fn length_counts_utf16_units_like_javascript() {
        // 16 emoji are 16 chars in Rust but 32 UTF-16 units: JavaScript accepts them.
        assert!(PasswordSet::single("😀".repeat(16)).is_ok());
        // 31 two-byte characters are 62 bytes but 31 units: rejected.
        assert!(matches!(
            PasswordSet::single("é".repeat(31)),
            Err(PasswordError::TooShort { .. })
        ));
    }

    #[test]
    fn map_seals_with_highest_numeric_id() {
        let set = PasswordSet::map([
            ("1", "a".repeat(32)),
            ("10", "b".repeat(32)),
            ("2", "c".repeat(32)),
        ])
        .unwrap();
        assert_eq!(set.sealing_password().id(), "10");
        assert!(set.find("2").is_some());
        assert!(set.find("3").is_none());
    }

    #[test]
    fn previous_secrets_are_tried_after_the_current_one_under_the_same_id() {
        let set = PasswordSet::single("n".repeat(32))
            .unwrap()
            .with_previous(["o".repeat(32), "n".repeat(32), "o".repeat(32)])
            .unwrap();
        let tried: Vec<_> = set.candidates("1").map(|(p, age)| (p.id(), age)).collect();
        assert_eq!(
            tried,
            [("1", SealedWith::Current), ("1", SealedWith::Previous)]
        );
        assert_eq!(set.candidates("2").count(), 0);
        assert!(set.is_rotating());
        assert_ne!(
            set.fingerprint(),
            PasswordSet::single("n".repeat(32)).unwrap().fingerprint()
        );
        assert!(matches!(
            PasswordSet::single("n".repeat(32))
                .unwrap()
                .with_previous(["short"]),
            Err(PasswordError::TooShort { .. })
        ));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let set = PasswordSet::single("s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t").unwrap();
        assert!(!format!("{set:?}").contains("s3cr3t"));
    }

    #[test]
    fn bad_ids_are_refused() {
        assert!(matches!(
            Password::new("a-b", "x".repeat(32)),
            Err(PasswordError::InvalidId(_))
        ));
        assert!(matches!(
            PasswordSet::map([("a", "x".repeat(32))]),
            Err(PasswordError::NoNumericId)
        ));
    }
}
