//! The `shanzhi` command: opening the store, and the users' verbs (serve, demo, migrate, user add,
//! audit verify, report summary and export, export ocds), and the scheduler that runs beside the server.

pub mod cli;
pub mod demo;
pub mod export;
pub mod gen;
pub mod scheduler;

use shanzhi_domain::rules::Rules;
use shanzhi_store::keyring::Keyring;
use shanzhi_store::{SqlStore, Timeouts};
use std::path::{Path, PathBuf};

/// Where the data lives: the folder (key files, uploads, config, default SQLite file) and the database URL,
/// and how long to wait on the database.
#[derive(Debug, Clone)]
pub struct Location {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub timeouts: Timeouts,
}

impl Location {
    pub fn new(data_dir: &Path, database_url: Option<&str>) -> Location {
        let database_url = match database_url {
            Some(url) if !url.is_empty() => url.to_string(),
            _ => format!("sqlite://{}", data_dir.join("shanzhi.db").display()),
        };
        Location { data_dir: data_dir.to_path_buf(), database_url, timeouts: Timeouts::default() }
    }

    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Location {
        self.timeouts = timeouts;
        self
    }

    /// Opens the store and applies pending migrations. The data folder is created owner-only; the keys must
    /// be the ones the store's data is sealed with (a new key is made only for an empty store).
    pub async fn open(&self) -> Result<SqlStore, shanzhi_store::StoreError> {
        shanzhi_store::private::create_dir(&self.data_dir)?;
        warn_if_shared(&self.data_dir);
        let keys = Keyring::load(&self.data_dir)?;
        shanzhi_store::open(&self.database_url, keys, self.timeouts).await
    }

    /// Rules from `config.json` in the data folder when present; the statutory defaults otherwise.
    pub fn rules(&self) -> Result<Rules, String> {
        let path = self.data_dir.join("config.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(_) => Ok(Rules::default()),
        }
    }
}

/// A data folder made by an older version, or by hand, may be open to other users: say so, since it holds the
/// keys (its mode is the operator's to change).
fn warn_if_shared(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(dir) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(folder = %dir.display(), "the data folder is open to other users: `chmod 700` it");
            }
        }
    }
}
