use shanzhi_domain::{DomainError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A rule the store enforces (stale version, duplicate key, missing reference).
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("already exists: {0}")]
    Duplicate(String),
    #[error("database: {0}")]
    Db(sqlx::Error),
    /// A read on SQLite's own connection failed (see [`crate::read`]).
    #[error("database: {0}")]
    Read(String),
    #[error("file storage: {0}")]
    Io(std::io::Error),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("configuration: {0}")]
    Config(String),
    /// The disk (or the database's own space) is full: writes fail until space returns; reads go on.
    #[error("storage is full: {0}")]
    StorageFull(String),
    /// The database does not answer in time: unreachable, restarting, or every connection busy.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The database file is damaged (SQLite's "database disk image is malformed").
    #[error("the database is damaged: {0}")]
    Damaged(String),
    /// A key is missing, unreadable, or not the one this store's data is sealed with. The message names the
    /// key file or environment variable.
    #[error("{0}")]
    Key(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<sqlx::Error> for StoreError {
    /// Database errors that say something about the database itself — full, unreachable, damaged — get
    /// their own kinds, so the web layer can answer 503 instead of 500 and the command line can say so.
    fn from(e: sqlx::Error) -> Self {
        use sqlx::postgres::PgDatabaseError;
        use sqlx::sqlite::SqliteError;
        match &e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
            sqlx::Error::Database(db) => {
                let message = db.message().to_string();
                if db.try_downcast_ref::<SqliteError>().is_some() {
                    // The primary result code is the low byte of the extended one.
                    let code = db.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or(0) & 0xff;
                    return sqlite_kind(code, message).unwrap_or(StoreError::Db(e));
                }
                if let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() {
                    let code = pg.code();
                    return match code {
                        "53100" => StoreError::StorageFull(message),
                        // Connection exceptions, shutting down, statement or lock timeouts, too many clients.
                        _ if code.starts_with("08") || code.starts_with("57P") || code.starts_with("53") => {
                            StoreError::Unavailable(message)
                        }
                        "57014" | "55P03" => StoreError::Unavailable(message),
                        _ => StoreError::Db(e),
                    };
                }
                StoreError::Db(e)
            }
            _ => StoreError::Db(e),
        }
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        if is_storage_full(&e) {
            StoreError::StorageFull(e.to_string())
        } else {
            StoreError::Io(e)
        }
    }
}

const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_IOERR: i32 = 10;
const SQLITE_CORRUPT: i32 = 11;
const SQLITE_FULL: i32 = 13;
const SQLITE_NOTADB: i32 = 26;

/// The kind of a SQLite error with primary result `code`, where it says something about the database itself.
pub(crate) fn sqlite_kind(code: i32, message: String) -> Option<StoreError> {
    match code {
        SQLITE_FULL => Some(StoreError::StorageFull(message)),
        SQLITE_CORRUPT | SQLITE_NOTADB => Some(StoreError::Damaged(message)),
        SQLITE_BUSY | SQLITE_LOCKED | SQLITE_IOERR => Some(StoreError::Unavailable(message)),
        _ => None,
    }
}

/// No space left on the device, or the owner's quota is used up.
fn is_storage_full(e: &std::io::Error) -> bool {
    const ENOSPC: i32 = 28;
    const EDQUOT: i32 = 122;
    e.kind() == std::io::ErrorKind::StorageFull
        || e.kind() == std::io::ErrorKind::QuotaExceeded
        || matches!(e.raw_os_error(), Some(ENOSPC | EDQUOT))
}

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
                ErrorCode::UnknownReference,
                "引用的对象不存在",
                "a referenced object does not exist",
            ));
        }
    }
    e.into()
}
