use shanzhi_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A rule the store enforces (stale version, duplicate key, missing reference).
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("already exists: {0}")]
    Duplicate(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("file storage: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("configuration: {0}")]
    Config(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Turns unique-constraint violations into [`StoreError::Duplicate`] so callers answer 409, not 500.
pub(crate) fn classify(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let msg = db.message().to_string();
        if db.is_unique_violation() || msg.contains("UNIQUE constraint") || msg.contains("duplicate key") {
            return StoreError::Duplicate(msg);
        }
        if db.is_foreign_key_violation() || msg.contains("FOREIGN KEY") || msg.contains("foreign key") {
            return StoreError::Domain(DomainError::field(
                "reference",
                "unknown_reference",
                "引用的对象不存在",
                "a referenced object does not exist",
            ));
        }
    }
    StoreError::Db(e)
}
