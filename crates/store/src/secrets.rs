//! Encryption of personal identifiers at rest, with a key kept outside the database.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use std::path::Path;

use crate::error::{Result, StoreError};

pub const KEY_ENV: &str = "SHANZHI_DATA_KEY";
/// The bid master key: wraps each procurement's own bid key. Kept apart from the data key so that whoever
/// holds one cannot read what the other protects.
pub const BID_KEY_ENV: &str = "SHANZHI_BID_KEY";

/// The data key: from `SHANZHI_DATA_KEY` (base64 of 32 bytes), else the file `secret.key` in the data folder,
/// created with owner-only permissions on first use.
#[derive(Clone)]
pub struct DataKey(Key);

impl DataKey {
    pub fn load(data_dir: &Path) -> Result<DataKey> {
        DataKey::load_named(data_dir, KEY_ENV, "secret.key")
    }

    /// The bid master key: from `SHANZHI_BID_KEY`, else the file `bid-master.key` in the data folder.
    pub fn load_bid_master(data_dir: &Path) -> Result<DataKey> {
        DataKey::load_named(data_dir, BID_KEY_ENV, "bid-master.key")
    }

    fn load_named(data_dir: &Path, env: &str, file: &str) -> Result<DataKey> {
        if let Ok(text) = std::env::var(env) {
            return DataKey::from_base64(text.trim());
        }
        let path = data_dir.join(file);
        if path.exists() {
            return DataKey::from_base64(std::fs::read_to_string(&path)?.trim());
        }
        std::fs::create_dir_all(data_dir)?;
        let key = ChaCha20Poly1305::generate_key(&mut OsRng);
        write_private(&path, &B64.encode(key))?;
        Ok(DataKey(key))
    }

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

    pub fn from_base64(text: &str) -> Result<DataKey> {
        let bytes = B64.decode(text).map_err(|_| StoreError::Config(format!("{KEY_ENV} is not base64")))?;
        if bytes.len() != 32 {
            return Err(StoreError::Config(format!("the data key must be 32 bytes, not {}", bytes.len())));
        }
        Ok(DataKey(*Key::from_slice(&bytes)))
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

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text)?;
    Ok(())
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
    fn key_file_is_created_private() {
        let dir = std::env::temp_dir().join(format!("shanzhi-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let a = DataKey::load(&dir).unwrap();
        let b = DataKey::load(&dir).unwrap();
        assert_eq!(b.open(&a.seal("x")).unwrap(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secret.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(DataKey::from_base64("not base64!").is_err());
        assert!(DataKey::from_base64(&B64.encode([1u8; 16])).is_err());
    }
}
