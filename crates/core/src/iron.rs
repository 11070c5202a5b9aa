//! The iron seal (`Fe26.2`), byte-compatible with iron-webcrypto, iron-session and @hapi/iron.
//!
//! `Fe26.2*<id>*<encSalt>*<iv>*<ciphertext>*<expiration>*<macSalt>*<mac>`:
//! keys are PBKDF2-HMAC-SHA1 (1 iteration, 32 bytes) of the password with the salt *text*
//! (64 hex characters) as salt; AES-256-CBC with PKCS#7 encrypts, HMAC-SHA256 over the first six
//! components authenticates. The MAC is checked, in constant time, before anything is decrypted.

use std::fmt;

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::{digest::KeyInit, Hmac, Mac};
use sha2::Sha256;

use crate::encoding::{b64url_decode, b64url_encode, hex_lower};
use crate::password::{Password, PasswordSet, SealedWith};

/// The MAC format prefix every seal starts with.
pub const MAC_PREFIX: &str = "Fe26.2";

/// Seals are still accepted this long after their expiration (iron's `timestampSkewSec`).
pub const TIMESTAMP_SKEW_MS: u64 = 60_000;

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;
type HmacSha256 = Hmac<Sha256>;

/// Why a seal could not be opened. The first five are the ones iron reports for a foreign,
/// tampered or stale cookie; the rest are cases where the SDK throws and we do not.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsealError {
    /// Not exactly eight `*`-separated components.
    IncorrectComponentCount,
    /// The first component is not `Fe26.2`.
    WrongMacPrefix,
    /// The expiration component is not a positive integer without leading zeros.
    InvalidExpiration,
    /// The seal's expiration (plus 60 s of skew) has passed.
    Expired,
    /// No password with the seal's id (`default` for an empty id).
    UnknownPasswordId(String),
    /// The MAC does not match (tampered, wrong password, or not strict base64url).
    BadMac,
    /// The MAC matched but the IV or ciphertext could not be decoded or decrypted.
    Decryption,
}

impl fmt::Display for UnsealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The same words iron uses, so logs read the same across implementations.
        match self {
            Self::IncorrectComponentCount => f.write_str("Incorrect number of sealed components"),
            Self::WrongMacPrefix => f.write_str("Wrong mac prefix"),
            Self::InvalidExpiration => f.write_str("Invalid expiration"),
            Self::Expired => f.write_str("Expired seal"),
            Self::UnknownPasswordId(id) => write!(f, "Cannot find password: {id}"),
            Self::BadMac => f.write_str("Bad hmac value"),
            Self::Decryption => f.write_str("Failed to decrypt sealed object"),
        }
    }
}

impl std::error::Error for UnsealError {}

/// The random inputs of one seal: two 32-byte salts and a 16-byte IV. The core has no
/// randomness of its own; callers fill this from their CSPRNG (`crypto.getRandomValues`,
/// `getrandom`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SealRandomness {
    /// Bytes of the encryption salt (written as 64 hex characters).
    pub encryption_salt: [u8; 32],
    /// Bytes of the HMAC salt (written as 64 hex characters).
    pub hmac_salt: [u8; 32],
    /// The AES-CBC initialisation vector.
    pub iv: [u8; 16],
}

impl SealRandomness {
    /// Splits 80 random bytes into salts and IV.
    pub fn from_bytes(bytes: [u8; 80]) -> Self {
        let mut encryption_salt = [0; 32];
        let mut hmac_salt = [0; 32];
        let mut iv = [0; 16];
        encryption_salt.copy_from_slice(&bytes[..32]);
        hmac_salt.copy_from_slice(&bytes[32..64]);
        iv.copy_from_slice(&bytes[64..]);
        Self {
            encryption_salt,
            hmac_salt,
            iv,
        }
    }
}

impl fmt::Debug for SealRandomness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealRandomness(<redacted>)")
    }
}

/// PBKDF2-HMAC-SHA1, one iteration, 32 bytes: iron's key derivation. `salt` is the salt text.
pub fn derive_key(password: &Password, salt: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password.secret_bytes(), salt.as_bytes(), 1, &mut key);
    key
}

/// Seals `plaintext` with the given salts and IV. `expiration_ms` is an absolute time in
/// milliseconds since the epoch, or `None` for a seal that never expires (what the SDK writes).
pub fn seal(
    plaintext: &[u8],
    password: &Password,
    randomness: &SealRandomness,
    expiration_ms: Option<u64>,
) -> String {
    seal_with_salt_text(
        plaintext,
        password,
        &hex_lower(&randomness.encryption_salt),
        &hex_lower(&randomness.hmac_salt),
        &randomness.iv,
        expiration_ms,
    )
}

/// [`seal`] with the salt texts given verbatim, for reproducing seals made by other tools.
pub fn seal_with_salt_text(
    plaintext: &[u8],
    password: &Password,
    encryption_salt: &str,
    hmac_salt: &str,
    iv: &[u8; 16],
    expiration_ms: Option<u64>,
) -> String {
    let encryption_key = derive_key(password, encryption_salt);
    let ciphertext = Aes256CbcEnc::new(&encryption_key.into(), iv.into())
        .encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    let expiration = expiration_ms.map(|ms| ms.to_string()).unwrap_or_default();
    let mac_base = format!(
        "{MAC_PREFIX}*{}*{encryption_salt}*{}*{}*{expiration}",
        password.id(),
        b64url_encode(iv),
        b64url_encode(&ciphertext),
    );
    let mac = hmac_of(password, hmac_salt, mac_base.as_bytes())
        .finalize()
        .into_bytes();
    format!("{mac_base}*{hmac_salt}*{}", b64url_encode(&mac))
}

/// Opens a seal at time `now_ms` and returns the plaintext bytes.
///
/// Checks run in iron's order: component count, prefix, expiration, password id, MAC
/// (constant time), and only then decryption.
pub fn unseal(sealed: &str, passwords: &PasswordSet, now_ms: u64) -> Result<Vec<u8>, UnsealError> {
    unseal_reporting(sealed, passwords, now_ms).map(|(plaintext, _)| plaintext)
}

/// [`unseal`], also saying whether a previous secret opened the seal (see
/// [`PasswordSet::with_previous`]): previous secrets are tried only after the current MAC fails.
pub fn unseal_reporting(
    sealed: &str,
    passwords: &PasswordSet,
    now_ms: u64,
) -> Result<(Vec<u8>, SealedWith), UnsealError> {
    let seal = OpenableSeal::parse(sealed, passwords, now_ms)?;
    let keys = seal
        .candidates(passwords)
        .find(|keys| {
            hmac_of(keys.password, seal.hmac_salt, seal.mac_base)
                .verify_slice(&seal.mac)
                .is_ok()
        })
        .ok_or(UnsealError::BadMac)?;
    let (iv, ciphertext) = seal.iv_and_ciphertext()?;
    let plaintext = Aes256CbcDec::new(&keys.encryption_key().into(), &iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(&ciphertext)
        .map_err(|_| UnsealError::Decryption)?;
    Ok((plaintext, keys.sealed_with))
}

/// A seal checked as far as it can be without its keys (components, prefix, expiration,
/// password id, MAC encoding), so that a host can run the MAC check and the decryption on its
/// own crypto (WebCrypto is native code; the wasm AES and SHA-256 are not), in iron's order:
/// MAC with each [candidate](Self::candidates) first, then [`Self::iv_and_ciphertext`] and
/// AES-256-CBC with the matching candidate's [encryption key](SealKeys::encryption_key).
#[derive(Debug)]
pub struct OpenableSeal<'a> {
    mac_base: &'a [u8],
    mac: Vec<u8>,
    password_id: &'a str,
    encryption_salt: &'a str,
    hmac_salt: &'a str,
    iv: &'a str,
    ciphertext: &'a str,
}

/// The keys of one password that may have made a seal.
pub struct SealKeys<'a> {
    password: &'a Password,
    encryption_salt: &'a str,
    hmac_salt: &'a str,
    /// Whether the password is a previous one (the seal is then to be resealed).
    pub sealed_with: SealedWith,
}

impl fmt::Debug for SealKeys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealKeys")
            .field("sealed_with", &self.sealed_with)
            .finish_non_exhaustive()
    }
}

impl SealKeys<'_> {
    /// The HMAC-SHA256 key (32 bytes; HMAC pads it to its block as usual).
    pub fn mac_key(&self) -> [u8; 32] {
        derive_key(self.password, self.hmac_salt)
    }

    /// The AES-256-CBC key.
    pub fn encryption_key(&self) -> [u8; 32] {
        derive_key(self.password, self.encryption_salt)
    }
}

impl<'a> OpenableSeal<'a> {
    /// Checks everything that needs no key, in iron's order.
    pub fn parse(
        sealed: &'a str,
        passwords: &PasswordSet,
        now_ms: u64,
    ) -> Result<Self, UnsealError> {
        let parts: Vec<&str> = sealed.split('*').collect();
        let [prefix, password_id, encryption_salt, iv, ciphertext, expiration, hmac_salt, mac] =
            parts[..]
        else {
            return Err(UnsealError::IncorrectComponentCount);
        };
        if prefix != MAC_PREFIX {
            return Err(UnsealError::WrongMacPrefix);
        }
        if !expiration.is_empty() {
            let expires_at = parse_expiration(expiration)?;
            if expires_at <= now_ms.saturating_sub(TIMESTAMP_SKEW_MS) {
                return Err(UnsealError::Expired);
            }
        }
        if passwords.candidates(password_id).next().is_none() {
            return Err(UnsealError::UnknownPasswordId(lookup_name(password_id)));
        }
        // The MAC covers everything before `*hmac_salt*mac`.
        let mac_base = sealed
            .len()
            .checked_sub(mac.len() + hmac_salt.len() + 2)
            .and_then(|end| sealed.as_bytes().get(..end))
            .ok_or(UnsealError::BadMac)?;
        let mac = b64url_decode(mac).map_err(|_| UnsealError::BadMac)?;
        Ok(Self {
            mac_base,
            mac,
            password_id,
            encryption_salt,
            hmac_salt,
            iv,
            ciphertext,
        })
    }

    /// What the MAC covers.
    pub fn mac_base(&self) -> &[u8] {
        self.mac_base
    }

    /// The MAC as sent.
    pub fn mac(&self) -> &[u8] {
        &self.mac
    }

    /// The keys of each password that may have made the seal, current first.
    pub fn candidates<'s>(
        &'s self,
        passwords: &'s PasswordSet,
    ) -> impl Iterator<Item = SealKeys<'s>> + 's {
        passwords
            .candidates(self.password_id)
            .map(|(password, sealed_with)| SealKeys {
                password,
                encryption_salt: self.encryption_salt,
                hmac_salt: self.hmac_salt,
                sealed_with,
            })
    }

    /// The IV and ciphertext, decoded only once the MAC holds (iron's order).
    pub fn iv_and_ciphertext(&self) -> Result<([u8; 16], Vec<u8>), UnsealError> {
        let iv: [u8; 16] = b64url_decode(self.iv)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(UnsealError::Decryption)?;
        let ciphertext = b64url_decode(self.ciphertext).map_err(|_| UnsealError::Decryption)?;
        Ok((iv, ciphertext))
    }
}

fn hmac_of(password: &Password, salt: &str, data: &[u8]) -> HmacSha256 {
    // HMAC zero-pads keys shorter than its 64-byte block (RFC 2104), so padding the 32-byte
    // key here is the same MAC, without the fallible `new_from_slice`.
    let mut block = [0u8; 64];
    for (slot, byte) in block.iter_mut().zip(derive_key(password, salt)) {
        *slot = byte;
    }
    let mut mac = <HmacSha256 as KeyInit>::new(&block.into());
    mac.update(data);
    mac
}

/// iron-webcrypto 2 (the SDK's) accepts `^[1-9]\d*$` only.
fn parse_expiration(text: &str) -> Result<u64, UnsealError> {
    let well_formed = text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0');
    if !well_formed {
        return Err(UnsealError::InvalidExpiration);
    }
    // Longer than u64 is far in the future: saturate instead of failing.
    Ok(text.parse::<u64>().unwrap_or(u64::MAX))
}

fn lookup_name(id: &str) -> String {
    if id.is_empty() {
        "default".to_owned()
    } else {
        id.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passwords() -> PasswordSet {
        PasswordSet::single("an-example-password-of-32-chars!!").unwrap()
    }

    /// A seal's eight components, to break one or two of them on purpose.
    fn components(sealed: &str) -> Vec<String> {
        sealed.split('*').map(str::to_owned).collect()
    }

    /// The components joined again with a MAC that is valid for `password`, so that only what a
    /// test breaks on purpose is wrong.
    fn remac(mut parts: Vec<String>, password: &Password) -> String {
        let base = parts[..6].join("*");
        let mac = hmac_of(password, &parts[6], base.as_bytes())
            .finalize()
            .into_bytes();
        parts[7] = b64url_encode(&mac);
        parts.join("*")
    }

    /// The components joined with the MAC left as it was (wrong once anything else changed),
    /// or broken outright when nothing did.
    fn keep_mac(mut parts: Vec<String>, original: &str) -> String {
        if parts.join("*") == original {
            parts[7] = b64url_encode(&[0; 32]);
        }
        parts.join("*")
    }

    #[test]
    fn a_previous_secret_opens_a_seal_and_says_so() {
        let old = PasswordSet::single("the-old-cookie-password-of-32-chars").unwrap();
        let new = PasswordSet::single("the-new-cookie-password-of-32-chars").unwrap();
        let rotating = new
            .clone()
            .with_previous(["the-old-cookie-password-of-32-chars"])
            .unwrap();
        let randomness = SealRandomness::from_bytes([3; 80]);
        let by_old = seal(b"{}", old.sealing_password(), &randomness, None);
        let by_new = seal(b"{}", new.sealing_password(), &randomness, None);
        assert_eq!(
            unseal_reporting(&by_old, &rotating, 0),
            Ok((b"{}".to_vec(), SealedWith::Previous))
        );
        assert_eq!(
            unseal_reporting(&by_new, &rotating, 0),
            Ok((b"{}".to_vec(), SealedWith::Current))
        );
        // Without the previous secret, or with an unrelated one, the old seal stays shut.
        assert_eq!(unseal(&by_old, &new, 0), Err(UnsealError::BadMac));
        let other = new
            .with_previous(["an-unrelated-password-of-32-chars!!"])
            .unwrap();
        assert_eq!(unseal(&by_old, &other, 0), Err(UnsealError::BadMac));
    }

    #[test]
    fn roundtrip_and_structure() {
        let set = passwords();
        let sealed = seal(
            b"{\"a\":1}",
            set.sealing_password(),
            &SealRandomness::from_bytes([7; 80]),
            None,
        );
        assert_eq!(unseal(&sealed, &set, 0).unwrap(), b"{\"a\":1}");
        assert_eq!(
            unseal("a*b", &set, 0),
            Err(UnsealError::IncorrectComponentCount)
        );
        let wrong_prefix = sealed.replacen("Fe26.2", "Fe26.1", 1);
        assert_eq!(
            unseal(&wrong_prefix, &set, 0),
            Err(UnsealError::WrongMacPrefix)
        );
    }

    /// Two things wrong at once: the check iron makes first decides the error, as in
    /// @hapi/iron's and iron-webcrypto's `unseal`: component count, prefix, expiration format,
    /// expiry, password lookup, MAC, and only then IV and decryption. Each failure is first
    /// shown to give its own error alone, so the pair proves which check runs first.
    #[test]
    fn checks_run_in_irons_order() {
        let a = Password::new("1", "an-example-password-of-32-chars!!").unwrap();
        let b = Password::new("9", "another-password-of-32-characters").unwrap();
        let set = PasswordSet::map([("1", "an-example-password-of-32-chars!!")]).unwrap();
        let now = 2_000_000_000_000;
        let random = SealRandomness::from_bytes([3; 80]);
        let sealed = seal(b"{}", &a, &random, Some(now + 3_600_000));
        assert_eq!(unseal(&sealed, &set, now).unwrap(), b"{}");
        let good = components(&sealed);
        let with = |index: usize, value: &str| {
            let mut parts = good.clone();
            parts[index] = value.to_owned();
            parts
        };
        let expect = |sealed: &str, error: UnsealError| {
            assert_eq!(unseal(sealed, &set, now), Err(error), "{sealed}");
        };

        // Alone, each failure is reported as itself (with an otherwise valid MAC).
        let bad_expiration = remac(with(5, "0123"), &a);
        expect(&bad_expiration, UnsealError::InvalidExpiration);
        let expired = remac(with(5, "1000000"), &a);
        expect(&expired, UnsealError::Expired);
        let unknown_id = remac(with(1, "9"), &b);
        expect(&unknown_id, UnsealError::UnknownPasswordId("9".into()));
        let bad_mac = keep_mac(good.clone(), &sealed);
        expect(&bad_mac, UnsealError::BadMac);
        let bad_iv = remac(with(3, "!!"), &a);
        expect(&bad_iv, UnsealError::Decryption);
        let short_iv = remac(with(3, "AAAA"), &a);
        expect(&short_iv, UnsealError::Decryption);

        // Count before prefix, prefix before expiration.
        expect(
            &format!("Fe26.1*{}", good[..6].join("*")),
            UnsealError::IncorrectComponentCount,
        );
        let mut parts = with(0, "Fe26.1");
        parts[5] = "0123".into();
        expect(&remac(parts, &a), UnsealError::WrongMacPrefix);

        // Bad expiration + unknown password id: the expiration wins.
        let mut parts = with(1, "9");
        parts[5] = "0123".into();
        expect(&remac(parts, &b), UnsealError::InvalidExpiration);
        // Expired + unknown password id: the expiry wins.
        let mut parts = with(1, "9");
        parts[5] = "1000000".into();
        expect(&remac(parts, &b), UnsealError::Expired);
        // Expired + bad MAC: the expiry wins.
        expect(&keep_mac(with(5, "1000000"), &sealed), UnsealError::Expired);
        // Unknown id + bad MAC: the password lookup wins.
        expect(
            &keep_mac(with(1, "9"), &sealed),
            UnsealError::UnknownPasswordId("9".into()),
        );
        // Bad MAC + bad IV: the MAC wins; nothing is decoded or decrypted before it.
        expect(&keep_mac(with(3, "!!"), &sealed), UnsealError::BadMac);
        expect(&keep_mac(with(3, "AAAA"), &sealed), UnsealError::BadMac);
        // Bad MAC + ciphertext that cannot decrypt: the MAC wins.
        expect(&keep_mac(with(4, "AAAA"), &sealed), UnsealError::BadMac);
    }

    #[test]
    fn expiration_allows_sixty_seconds_of_skew() {
        let set = passwords();
        let sealed = seal(
            b"1",
            set.sealing_password(),
            &SealRandomness::from_bytes([1; 80]),
            Some(1_000_000),
        );
        assert!(unseal(&sealed, &set, 1_000_000 + 59_999).is_ok());
        assert_eq!(
            unseal(&sealed, &set, 1_000_000 + 60_000),
            Err(UnsealError::Expired)
        );
    }

    #[test]
    fn leading_zero_expiration_is_invalid() {
        assert_eq!(
            parse_expiration("0123"),
            Err(UnsealError::InvalidExpiration)
        );
        assert_eq!(parse_expiration("12a"), Err(UnsealError::InvalidExpiration));
        assert_eq!(parse_expiration("99999999999999999999999"), Ok(u64::MAX));
    }
}
