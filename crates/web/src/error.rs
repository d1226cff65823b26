//! The HTTP edge's error: a status, a stable snake_case code and messages in Chinese and English.
//! 5xx responses log the detail and show none.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use shanzhi_domain::{DomainError, ErrorKind, FieldError};

#[derive(Debug)]
pub enum AppError {
    Domain(DomainError),
    Unauthenticated,
    /// A sign-in with a wrong username or password (which of the two is not said).
    InvalidCredentials,
    /// Too many failed sign-ins from this address; retry after this many seconds.
    TooManyAttempts(u64),
    /// As many password checks as the server allows are running; retry in a second.
    SignInBusy,
    /// The right password of a disabled account.
    AccountDisabled,
    /// The account's password was reset: it must be changed before anything else.
    PasswordChangeRequired,
    BadCsrf,
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
    Internal(String),
    /// The disk is full: nothing can be saved until space returns; reads go on. The detail is logged.
    StorageFull(String),
    /// The database does not answer in time. The detail is logged.
    DatabaseUnavailable(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Domain(e) => match e.kind() {
                ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                ErrorKind::Forbidden => StatusCode::FORBIDDEN,
                ErrorKind::Conflict => StatusCode::CONFLICT,
                ErrorKind::NotFound => StatusCode::NOT_FOUND,
            },
            AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::TooManyAttempts(_) | AppError::SignInBusy => StatusCode::TOO_MANY_REQUESTS,
            AppError::AccountDisabled | AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            AppError::BadCsrf => StatusCode::FORBIDDEN,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::StorageFull(_) | AppError::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Domain(e) => e.code(),
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::TooManyAttempts(_) => "too_many_attempts",
            AppError::SignInBusy => "sign_in_busy",
            AppError::AccountDisabled => "account_disabled",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::BadCsrf => "csrf_token_invalid",
            AppError::BadRequest { code, .. } | AppError::Conflict { code, .. } => code,
            AppError::Internal(_) => "internal_error",
            AppError::StorageFull(_) => "storage_full",
            AppError::DatabaseUnavailable(_) => "database_unavailable",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            AppError::Domain(e) => e.message_zh(),
            AppError::Unauthenticated => "请先登录".into(),
            AppError::InvalidCredentials => "用户名或密码不正确".into(),
            AppError::TooManyAttempts(s) => format!("登录失败次数过多，请 {s} 秒后再试"),
            AppError::SignInBusy => "登录的人太多，请稍后再试".into(),
            AppError::AccountDisabled => "该账户已停用，请联系系统管理员".into(),
            AppError::PasswordChangeRequired => "管理员已重置您的密码，请先设置新密码".into(),
            AppError::BadCsrf => "页面已过期，请刷新后重新提交".into(),
            AppError::BadRequest { zh, .. } | AppError::Conflict { zh, .. } => zh.clone(),
            AppError::Internal(_) => "系统内部错误，请稍后再试".into(),
            AppError::StorageFull(_) => {
                "存储空间已满，暂时无法保存任何内容；已有信息仍可查看。请稍后再试，或告知系统管理员".into()
            }
            AppError::DatabaseUnavailable(_) => "数据库暂时无法连接，请稍后再试".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            AppError::Domain(e) => e.message_en(),
            AppError::Unauthenticated => "sign in first".into(),
            AppError::InvalidCredentials => "the username or password is wrong".into(),
            AppError::TooManyAttempts(s) => format!("too many failed sign-ins; try again in {s} seconds"),
            AppError::SignInBusy => "too many people are signing in; try again in a moment".into(),
            AppError::AccountDisabled => "this account is disabled; ask your administrator".into(),
            AppError::PasswordChangeRequired => {
                "an administrator reset your password: set a new one first (PUT /api/v1/me/password)".into()
            }
            AppError::BadCsrf => "this form has expired; reload the page and submit again".into(),
            AppError::BadRequest { en, .. } | AppError::Conflict { en, .. } => en.clone(),
            AppError::Internal(_) => "internal error; please try again later".into(),
            AppError::StorageFull(_) => {
                "storage is full, so nothing can be saved for now; you can still read everything. Try again later or tell the administrator".into()
            }
            AppError::DatabaseUnavailable(_) => "the database cannot be reached at the moment; please try again shortly".into(),
        }
    }

    pub fn fields(&self) -> &[FieldError] {
        match self {
            AppError::Domain(e) => e.fields(),
            _ => &[],
        }
    }

    /// Seconds after which trying again may succeed, for the `Retry-After` header.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts(secs) => Some(*secs),
            AppError::SignInBusy => Some(1),
            AppError::DatabaseUnavailable(_) => Some(5),
            AppError::StorageFull(_) => Some(60),
            _ => None,
        }
    }

    /// What a 5xx logs and never shows.
    pub fn detail(&self) -> Option<&str> {
        match self {
            AppError::Internal(d) | AppError::StorageFull(d) | AppError::DatabaseUnavailable(d) => Some(d),
            _ => None,
        }
    }

    pub fn bad_request(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::BadRequest { code, zh: zh.into(), en: en.into() }
    }

    pub fn not_found() -> AppError {
        AppError::Domain(DomainError::NotFound { what: "object" })
    }

    pub fn forbidden(action: &'static str) -> AppError {
        AppError::Domain(DomainError::NotPermitted { action })
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError::Domain(e)
    }
}

impl From<shanzhi_app::Error> for AppError {
    fn from(e: shanzhi_app::Error) -> Self {
        use shanzhi_app::Error as E;
        match e {
            E::Domain(d) => AppError::Domain(d),
            E::InvalidCredentials => AppError::InvalidCredentials,
            E::TooManyAttempts(secs) => AppError::TooManyAttempts(secs),
            E::SignInBusy => AppError::SignInBusy,
            E::AccountDisabled => AppError::AccountDisabled,
            E::BadRequest { code, zh, en } => AppError::BadRequest { code, zh, en },
            E::Conflict { code, zh, en } => AppError::Conflict { code, zh, en },
            E::Internal(d) => AppError::Internal(d),
            E::StorageFull(d) => AppError::StorageFull(d),
            E::DatabaseUnavailable(d) => AppError::DatabaseUnavailable(d),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let Some(detail) = self.detail() {
            tracing::error!(%detail, code = self.code(), "request failed");
        }
        let mut body = json!({"code": self.code(), "message": self.message_zh(), "message_en": self.message_en()});
        if !self.fields().is_empty() {
            body["fields"] = json!(self.fields());
        }
        let mut resp = (status, Json(body)).into_response();
        if let Some(secs) = self.retry_after() {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        resp
    }
}

pub type AppResult<T> = Result<T, AppError>;
