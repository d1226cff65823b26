//! The `shanzhi` command: opening the store, and the users' verbs (serve, demo, migrate, user add,
//! audit verify, report summary and export).

pub mod cli;
pub mod demo;

use shanzhi_domain::rules::Rules;
use shanzhi_store::secrets::DataKey;
use shanzhi_store::SqlStore;
use std::path::{Path, PathBuf};

/// Where the data lives: the folder (key file, uploads, config, default SQLite file) and the database URL.
#[derive(Debug, Clone)]
pub struct Location {
    pub data_dir: PathBuf,
    pub database_url: String,
}

impl Location {
    pub fn new(data_dir: &Path, database_url: Option<&str>) -> Location {
        let database_url = match database_url {
            Some(url) if !url.is_empty() => url.to_string(),
            _ => format!("sqlite://{}", data_dir.join("shanzhi.db").display()),
        };
        Location { data_dir: data_dir.to_path_buf(), database_url }
    }

    /// Opens the store and applies pending migrations.
    pub async fn open(&self) -> Result<SqlStore, shanzhi_store::StoreError> {
        std::fs::create_dir_all(&self.data_dir)?;
        let key = DataKey::load(&self.data_dir)?;
        let bid_master = DataKey::load_bid_master(&self.data_dir)?;
        shanzhi_store::open(&self.database_url, key, bid_master).await
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
