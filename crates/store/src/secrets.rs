//! Encryption of personal identifiers at rest, with a key kept outside the database.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

use crate::error::{Result, StoreError};

pub const KEY_ENV: &str = "SHANZHI_DATA_KEY";
/// The bid master key: wraps each procurement's own bid key. Kept apart from the data key so that whoever
/// holds one cannot read what the other protects.
pub const BID_KEY_ENV: &str = "SHANZHI_BID_KEY";

/// A 32-byte key (ChaCha20-Poly1305). Where the store's keys come from, and the check that they are the ones
/// its data was sealed with, is [`crate::keyring`].
#[derive(Clone)]
pub struct DataKey(Key);

impl DataKey {
    /// A fresh random key and its base64 text (for wrapping under another key).
    pub fn generate() -> (DataKey, String) {
        let key = ChaCha20Poly1305::generate_key(&mut OsRng);
        (DataKey(key), B64.encode(key))
    }

    /// A keyed digest of `data` (SHA-256 over key and data): equal inputs give equal tags, and without the key
    /// nobody can tell which input a tag stands for.
    pub fn tag(&self, data: &[u8]) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.0.as_slice());
        h.update(data);
        hex::encode(h.finalize())
    }

    /// The key's fingerprint under `salt`: HMAC-SHA256 keyed with the key over a fixed label, the key's
    /// name and the salt. It tells whether a key is the one recorded, and nothing else: unlike a plain hash of
    /// the key it cannot be looked up or computed without the key, its label keeps it apart from every
    /// other use of the key (`tag`, sealing), and the store's own random salt makes two stores' fingerprints
    /// of one key differ, so they cannot be matched across stores or backups.
    pub fn fingerprint(&self, name: &str, salt: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac =
            <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.0.as_slice()).expect("HMAC takes any key length");
        mac.update(b"shanzhi key fingerprint v1\0");
        mac.update(name.as_bytes());
        mac.update(b"\0");
        mac.update(salt.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn from_base64(text: &str) -> Result<DataKey> {
        let bytes = B64.decode(text).map_err(|_| StoreError::Config("a key is base64 text".into()))?;
        if bytes.len() != 32 {
            return Err(StoreError::Config(format!("a key is 32 bytes, not {}", bytes.len())));
        }
        Ok(DataKey(*Key::from_slice(&bytes)))
    }

    /// The key as base64 text, as key files and the environment hold it.
    pub fn to_base64(&self) -> String {
        B64.encode(self.0)
    }

    pub fn seal(&self, plain: &str) -> String {
        self.seal_bytes(plain.as_bytes())
    }

    pub fn seal_bytes(&self, plain: &[u8]) -> String {
        let cipher = ChaCha20Poly1305::new(&self.0);
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher.encrypt(&nonce, plain).expect("encrypting in memory cannot fail");
        format!("v1:{}:{}", B64.encode(nonce), B64.encode(sealed))
    }

    pub fn open(&self, sealed: &str) -> Result<String> {
        String::from_utf8(self.open_bytes(sealed)?)
            .map_err(|_| StoreError::Corrupt("sealed value cannot be opened with this key".into()))
    }

    pub fn open_bytes(&self, sealed: &str) -> Result<Vec<u8>> {
        let bad = || StoreError::Corrupt("sealed value cannot be opened with this key".into());
        let mut parts = sealed.splitn(3, ':');
        let (Some("v1"), Some(n), Some(c)) = (parts.next(), parts.next(), parts.next()) else { return Err(bad()) };
        let nonce = B64.decode(n).map_err(|_| bad())?;
        let body = B64.decode(c).map_err(|_| bad())?;
        if nonce.len() != 12 {
            return Err(bad());
        }
        ChaCha20Poly1305::new(&self.0).decrypt(Nonce::from_slice(&nonce), body.as_ref()).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let key = DataKey::from_base64(&B64.encode([7u8; 32])).unwrap();
        let sealed = key.seal("11010519491231002X");
        assert!(!sealed.contains("1101051949"));
        assert_ne!(sealed, key.seal("11010519491231002X"), "fresh nonce each time");
        assert_eq!(key.open(&sealed).unwrap(), "11010519491231002X");
        let other = DataKey::from_base64(&B64.encode([8u8; 32])).unwrap();
        assert!(other.open(&sealed).is_err());
    }

    #[test]
    fn fingerprints_depend_on_key_name_and_salt_only() {
        let key = DataKey::from_base64(&B64.encode([7u8; 32])).unwrap();
        let other = DataKey::from_base64(&B64.encode([8u8; 32])).unwrap();
        let f = key.fingerprint("data_key", "s1");
        assert_eq!(f, key.fingerprint("data_key", "s1"));
        assert_eq!(f.len(), 64);
        assert_ne!(f, other.fingerprint("data_key", "s1"));
        assert_ne!(f, key.fingerprint("bid_master_key", "s1"));
        assert_ne!(f, key.fingerprint("data_key", "s2"));
        assert!(!f.contains(&hex::encode([7u8; 32])));
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(DataKey::from_base64("not base64!").is_err());
        assert!(DataKey::from_base64(&B64.encode([1u8; 16])).is_err());
    }
}
