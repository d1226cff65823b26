//! The store's two keys — the data key (resident ID numbers) and the bid master key (each procurement's bid
//! key) — and the check that they are the ones its data is sealed with.
//!
//! A store records a fingerprint of each key (see [`DataKey::fingerprint`]) when it is made. Opening it
//! later with a key missing or different is refused, naming the key file or environment variable: a key
//! silently made anew would leave everything sealed with the old one unreadable. A new key is made only for
//! an empty store. A store made before fingerprints were kept records them on its first open, with the keys
//! present, after checking that they open what the store has sealed.

use chrono::Utc;
use rand::RngCore;
use sqlx::Row;
use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};
use crate::secrets::{DataKey, BID_KEY_ENV, KEY_ENV};
use crate::sql::{ts, SqlStore};
use crate::{Backend, Store};

/// Where a key was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Env,
    File,
    /// Neither: made in memory, and written to its file only if the store turns out to be empty.
    New,
}

/// What a key is for and where it is looked for.
struct KeySpec {
    /// The name its fingerprint is recorded under.
    name: &'static str,
    /// What it seals, for messages.
    seals: &'static str,
    env: &'static str,
    file: &'static str,
    /// A stored value sealed with this key, to check a key against a store that has no fingerprint yet.
    sample: &'static str,
}

const DATA_KEY: KeySpec = KeySpec {
    name: "data_key",
    seals: "resident ID numbers",
    env: KEY_ENV,
    file: "secret.key",
    sample: "SELECT resident_id_enc FROM organisations WHERE resident_id_enc IS NOT NULL ORDER BY id LIMIT 1",
};

const BID_MASTER_KEY: KeySpec = KeySpec {
    name: "bid_master_key",
    seals: "bids",
    env: BID_KEY_ENV,
    file: "bid-master.key",
    sample: "SELECT wrapped_key FROM procurements ORDER BY id LIMIT 1",
};

/// One of the store's keys, with where it comes from.
pub struct KeySlot {
    spec: &'static KeySpec,
    path: PathBuf,
    source: Source,
    key: DataKey,
}

impl KeySlot {
    /// The key from its environment variable (base64 of 32 bytes) if set, else from its file in the data folder.
    fn load(data_dir: &Path, spec: &'static KeySpec) -> Result<KeySlot> {
        let path = data_dir.join(spec.file);
        let unreadable = |origin: &str, e: &dyn std::fmt::Display| {
            StoreError::Key(format!("{origin} does not hold a key ({e}): it must be base64 of 32 bytes"))
        };
        let (source, key) = if let Ok(text) = std::env::var(spec.env) {
            (Source::Env, DataKey::from_base64(text.trim()).map_err(|e| unreadable(spec.env, &e))?)
        } else {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    (Source::File, DataKey::from_base64(text.trim()).map_err(|e| unreadable(&show(&path), &e))?)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Source::New, DataKey::generate().0),
                Err(e) => return Err(StoreError::Key(format!("{}: cannot read the key: {e}", show(&path)))),
            }
        };
        Ok(KeySlot { spec, path, source, key })
    }

    pub fn key(&self) -> &DataKey {
        &self.key
    }

    /// The file or environment variable the key came from, as messages name it.
    fn origin(&self) -> String {
        match self.source {
            Source::Env => self.spec.env.to_string(),
            Source::File | Source::New => show(&self.path),
        }
    }

    fn missing(&self) -> StoreError {
        StoreError::Key(format!(
            "{} is missing, and this store's {} are sealed with the key it held. Put back the key file from the \
             backup taken with the database (or set {}); a new key is made only for an empty store",
            show(&self.path),
            self.spec.seals,
            self.spec.env
        ))
    }

    fn different(&self) -> StoreError {
        StoreError::Key(format!(
            "{} is not the key this store's {} are sealed with. Use the key backed up with this database",
            self.origin(),
            self.spec.seals
        ))
    }

    /// Writes a new key to its file, owner-only; never over an existing file.
    fn write(&self, text: &str) -> Result<()> {
        use std::io::Write;
        let mut f = crate::private::create_new_file(&self.path)
            .map_err(|e| StoreError::Key(format!("{}: cannot create the key: {e}", show(&self.path))))?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        Ok(())
    }
}

fn show(path: &Path) -> String {
    path.display().to_string()
}

/// The store's keys, as found in the environment or the data folder.
pub struct Keyring {
    pub data: KeySlot,
    pub bid_master: KeySlot,
}

impl Keyring {
    /// Finds both keys; a missing one is made in memory, to be kept only if the store is empty.
    pub fn load(data_dir: &Path) -> Result<Keyring> {
        Ok(Keyring { data: KeySlot::load(data_dir, &DATA_KEY)?, bid_master: KeySlot::load(data_dir, &BID_MASTER_KEY)? })
    }
}

impl SqlStore {
    /// Checks the keys against the fingerprints the store recorded, or records them: for an empty store
    /// (writing any key that was missing), or for a store from before fingerprints whose sealed data the
    /// keys open. One transaction, serialised with other servers opening the same store.
    pub(crate) async fn check_keys(&self, keys: &Keyring) -> Result<()> {
        let mut w = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("LOCK TABLE key_fingerprints IN EXCLUSIVE MODE").execute(&mut *w.tx).await?;
        }
        let empty = sqlx::query("SELECT seq FROM audit_events LIMIT 1").fetch_optional(&mut *w.tx).await?.is_none();
        let mut to_record = Vec::new();
        for slot in [&keys.data, &keys.bid_master] {
            let recorded = sqlx::query("SELECT salt, fingerprint FROM key_fingerprints WHERE name = $1")
                .bind(slot.spec.name)
                .fetch_optional(&mut *w.tx)
                .await?;
            match recorded {
                Some(row) => {
                    if slot.source == Source::New {
                        return Err(slot.missing());
                    }
                    let (salt, fingerprint): (String, String) = (row.try_get("salt")?, row.try_get("fingerprint")?);
                    if slot.key.fingerprint(slot.spec.name, &salt) != fingerprint {
                        return Err(slot.different());
                    }
                }
                None if empty => to_record.push(slot),
                None if slot.source == Source::New => return Err(slot.missing()),
                None => {
                    let sample = sqlx::query(slot.spec.sample).fetch_optional(&mut *w.tx).await?;
                    if let Some(sealed) = sample.and_then(|r| r.try_get::<Option<String>, _>(0).ok().flatten()) {
                        if slot.key.open_bytes(&sealed).is_err() {
                            return Err(slot.different());
                        }
                    }
                    to_record.push(slot);
                }
            }
        }
        for slot in to_record {
            if slot.source == Source::New {
                // Written before the fingerprint is recorded: a crash in between leaves an empty store with
                // its key file, which the next open records.
                slot.write(&slot.key.to_base64())?;
                tracing::info!(file = %show(&slot.path), "made a new key for an empty store");
            }
            let mut salt = [0u8; 16];
            rand::thread_rng().fill_bytes(&mut salt);
            let salt = hex::encode(salt);
            sqlx::query("INSERT INTO key_fingerprints (name, salt, fingerprint, recorded_at) VALUES ($1, $2, $3, $4)")
                .bind(slot.spec.name)
                .bind(&salt)
                .bind(slot.key.fingerprint(slot.spec.name, &salt))
                .bind(ts(Utc::now()))
                .execute(&mut *w.tx)
                .await?;
        }
        w.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let d = std::env::temp_dir().join(format!(
            "shanzhi-keyring-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        crate::private::create_dir(&d).unwrap();
        d
    }

    #[test]
    fn a_missing_key_is_made_in_memory_only() {
        let d = dir();
        let keys = Keyring::load(&d).unwrap();
        assert_eq!(keys.data.source, Source::New);
        assert!(!d.join("secret.key").exists(), "nothing is written before the store is checked");
        assert!(keys.data.missing().to_string().contains("secret.key"));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn an_unreadable_key_file_is_named() {
        let d = dir();
        std::fs::write(d.join("bid-master.key"), "not a key").unwrap();
        let err = Keyring::load(&d).err().expect("refused").to_string();
        assert!(err.contains("bid-master.key") && err.contains("base64"), "{err}");
        let _ = std::fs::remove_dir_all(&d);
    }
}
