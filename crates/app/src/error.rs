//! The application layer's error: a domain refusal, a bad or conflicting request with its stable code and
//! messages in Chinese and English, or a failure of the store. The HTTP edge and the CLI turn it into their own
//! answers; the detail of a failure is for the log, never for the user.

use shanzhi_domain::DomainError;
use shanzhi_store::StoreError;

#[derive(Debug)]
pub enum Error {
    Domain(DomainError),
    /// A sign-in with a wrong username or password (which of the two is not said).
    InvalidCredentials,
    /// Too many failed sign-ins from this address; retry after this many seconds.
    TooManyAttempts(u64),
    /// As many password checks as the server allows are running; retry in a second.
    SignInBusy,
    /// The right password of a disabled account.
    AccountDisabled,
    BadRequest {
        code: &'static str,
        zh: String,
        en: String,
    },
    Conflict {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// Something that should not happen; the detail is logged.
    Internal(String),
    /// The disk is full: nothing can be saved until space returns; reads go on.
    StorageFull(String),
    /// The database does not answer in time.
    DatabaseUnavailable(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn bad_request(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Error {
        Error::BadRequest { code, zh: zh.into(), en: en.into() }
    }

    pub fn not_found() -> Error {
        Error::Domain(DomainError::NotFound { what: "object" })
    }

    pub fn forbidden(action: &'static str) -> Error {
        Error::Domain(DomainError::NotPermitted { action })
    }
}

impl From<DomainError> for Error {
    fn from(e: DomainError) -> Self {
        Error::Domain(e)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => Error::Domain(d),
            StoreError::Duplicate(_) => {
                Error::Conflict {
                    code: "already_exists", zh: "该记录已存在".into(), en: "this already exists".into()
                }
            }
            StoreError::StorageFull(d) => Error::StorageFull(d),
            StoreError::Unavailable(d) => Error::DatabaseUnavailable(d),
            other => Error::Internal(other.to_string()),
        }
    }
}

/// In English, for logs and the CLI: the refusal's message, or a failure's detail.
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Domain(e) => write!(f, "{}", e.message_en()),
            Error::InvalidCredentials => write!(f, "the username or password is wrong"),
            Error::TooManyAttempts(s) => write!(f, "too many failed sign-ins; try again in {s} seconds"),
            Error::SignInBusy => write!(f, "too many people are signing in; try again in a moment"),
            Error::AccountDisabled => write!(f, "this account is disabled"),
            Error::BadRequest { en, .. } | Error::Conflict { en, .. } => write!(f, "{en}"),
            Error::Internal(d) => write!(f, "internal error: {d}"),
            Error::StorageFull(d) => write!(f, "storage is full: {d}"),
            Error::DatabaseUnavailable(d) => write!(f, "the database is unavailable: {d}"),
        }
    }
}

impl std::error::Error for Error {}
