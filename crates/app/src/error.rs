//! The application layer's error: a domain refusal, a sign-in's outcome, a bad or conflicting request with its
//! stable code and messages in Chinese and English, or a failure of the store. The HTTP edge and the CLI turn it
//! into their own answers; the detail of a failure is for the log, never for the user.

use shanzhi_domain::{DomainError, ErrorCode, FieldError};
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
    /// Too many public submissions from this address; retry after this many seconds.
    RateLimited(u64),
    /// The right password of a disabled account.
    AccountDisabled,
    BadRequest {
        code: ErrorCode,
        zh: String,
        en: String,
    },
    Conflict {
        code: ErrorCode,
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
    pub fn bad_request(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> Error {
        Error::BadRequest { code, zh: zh.into(), en: en.into() }
    }

    pub fn not_found() -> Error {
        Error::Domain(DomainError::NotFound { what: "object" })
    }

    pub fn forbidden(action: &'static str) -> Error {
        Error::Domain(DomainError::NotPermitted { action })
    }

    /// The stable snake_case code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Domain(e) => e.code(),
            Error::InvalidCredentials => ErrorCode::InvalidCredentials,
            Error::TooManyAttempts(_) => ErrorCode::TooManyAttempts,
            Error::SignInBusy => ErrorCode::SignInBusy,
            Error::RateLimited(_) => ErrorCode::RateLimited,
            Error::AccountDisabled => ErrorCode::AccountDisabled,
            Error::BadRequest { code, .. } | Error::Conflict { code, .. } => *code,
            Error::Internal(_) => ErrorCode::InternalError,
            Error::StorageFull(_) => ErrorCode::StorageFull,
            Error::DatabaseUnavailable(_) => ErrorCode::DatabaseUnavailable,
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            Error::Domain(e) => e.message_zh(),
            Error::InvalidCredentials => "用户名或密码不正确".into(),
            Error::TooManyAttempts(s) => format!("登录失败次数过多，请 {s} 秒后再试"),
            Error::SignInBusy => "登录的人太多，请稍后再试".into(),
            Error::RateLimited(s) => format!("提交过于频繁，请 {s} 秒后再试"),
            Error::AccountDisabled => "该账户已停用，请联系系统管理员".into(),
            Error::BadRequest { zh, .. } | Error::Conflict { zh, .. } => zh.clone(),
            Error::Internal(_) => "系统内部错误，请稍后再试".into(),
            Error::StorageFull(_) => {
                "存储空间已满，暂时无法保存任何内容；已有信息仍可查看。请稍后再试，或告知系统管理员".into()
            }
            Error::DatabaseUnavailable(_) => "数据库暂时无法连接，请稍后再试".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Error::Domain(e) => e.message_en(),
            Error::InvalidCredentials => "the username or password is wrong".into(),
            Error::TooManyAttempts(s) => format!("too many failed sign-ins; try again in {s} seconds"),
            Error::SignInBusy => "too many people are signing in; try again in a moment".into(),
            Error::RateLimited(s) => format!("too many submissions from your address; try again in {s} seconds"),
            Error::AccountDisabled => "this account is disabled; ask your administrator".into(),
            Error::BadRequest { en, .. } | Error::Conflict { en, .. } => en.clone(),
            Error::Internal(_) => "internal error; please try again later".into(),
            Error::StorageFull(_) => {
                "storage is full, so nothing can be saved for now; you can still read everything. Try again later or tell the administrator".into()
            }
            Error::DatabaseUnavailable(_) => "the database cannot be reached at the moment; please try again shortly".into(),
        }
    }

    /// Every field's problem, for forms that show them beside their inputs.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            Error::Domain(e) => e.fields(),
            _ => &[],
        }
    }

    /// Seconds after which trying again may succeed.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Error::TooManyAttempts(secs) | Error::RateLimited(secs) => Some(*secs),
            Error::SignInBusy => Some(1),
            Error::DatabaseUnavailable(_) => Some(5),
            Error::StorageFull(_) => Some(60),
            _ => None,
        }
    }

    /// What a failure logs and never shows.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Error::Internal(d) | Error::StorageFull(d) | Error::DatabaseUnavailable(d) => Some(d),
            _ => None,
        }
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
            StoreError::Duplicate(_) => Error::Conflict {
                code: ErrorCode::AlreadyExists,
                zh: "该记录已存在".into(),
                en: "this already exists".into(),
            },
            StoreError::StorageFull(d) => Error::StorageFull(d),
            StoreError::Unavailable(d) => Error::DatabaseUnavailable(d),
            other => Error::Internal(other.to_string()),
        }
    }
}

/// In English, for logs and the CLI: the message, and a failure's detail.
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.detail() {
            Some(detail) => write!(f, "{}: {detail}", self.code()),
            None => write!(f, "{}", self.message_en()),
        }
    }
}

impl std::error::Error for Error {}
