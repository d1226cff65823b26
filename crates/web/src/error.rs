//! The HTTP edge's error: the application's (`shanzhi_app::Error`) or the edge's own — no session, a password
//! that must be changed first, an expired form — each with a status, a stable snake_case code and messages in
//! Chinese and English. 5xx responses log the detail and show none.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use shanzhi_app::Error;
use shanzhi_domain::{DomainError, ErrorCode, ErrorKind, FieldError};
use utoipa::ToSchema;

#[derive(Debug)]
pub enum AppError {
    App(Error),
    Unauthenticated,
    /// The account's password was reset: it must be changed before anything else.
    PasswordChangeRequired,
    BadCsrf,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::App(e) => match e {
                Error::Domain(e) => match e.kind() {
                    ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorKind::Forbidden => StatusCode::FORBIDDEN,
                    ErrorKind::Conflict => StatusCode::CONFLICT,
                    ErrorKind::NotFound => StatusCode::NOT_FOUND,
                },
                Error::InvalidCredentials => StatusCode::UNAUTHORIZED,
                Error::TooManyAttempts(_) | Error::SignInBusy => StatusCode::TOO_MANY_REQUESTS,
                Error::AccountDisabled => StatusCode::FORBIDDEN,
                Error::BadRequest { .. } => StatusCode::BAD_REQUEST,
                Error::Conflict { .. } => StatusCode::CONFLICT,
                Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
                Error::StorageFull(_) | Error::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            },
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::PasswordChangeRequired | AppError::BadCsrf => StatusCode::FORBIDDEN,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::App(e) => e.code(),
            AppError::Unauthenticated => ErrorCode::Unauthenticated,
            AppError::PasswordChangeRequired => ErrorCode::PasswordChangeRequired,
            AppError::BadCsrf => ErrorCode::CsrfTokenInvalid,
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            AppError::App(e) => e.message_zh(),
            AppError::Unauthenticated => "请先登录".into(),
            AppError::PasswordChangeRequired => "管理员已重置您的密码，请先设置新密码".into(),
            AppError::BadCsrf => "页面已过期，请刷新后重新提交".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            AppError::App(e) => e.message_en(),
            AppError::Unauthenticated => "sign in first".into(),
            AppError::PasswordChangeRequired => {
                "an administrator reset your password: set a new one first (PUT /api/v1/me/password)".into()
            }
            AppError::BadCsrf => "this form has expired; reload the page and submit again".into(),
        }
    }

    pub fn fields(&self) -> &[FieldError] {
        match self {
            AppError::App(e) => e.fields(),
            _ => &[],
        }
    }

    /// Seconds after which trying again may succeed, for the `Retry-After` header.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::App(e) => e.retry_after(),
            _ => None,
        }
    }

    /// What a 5xx logs and never shows.
    pub fn detail(&self) -> Option<&str> {
        match self {
            AppError::App(e) => e.detail(),
            _ => None,
        }
    }

    pub fn bad_request(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::App(Error::bad_request(code, zh, en))
    }

    pub fn not_found() -> AppError {
        AppError::App(Error::not_found())
    }

    pub fn forbidden(action: &'static str) -> AppError {
        AppError::App(Error::forbidden(action))
    }

    /// A failure whose `detail` is logged, never shown.
    pub fn internal(detail: impl Into<String>) -> AppError {
        AppError::App(Error::Internal(detail.into()))
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError::App(Error::Domain(e))
    }
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError::App(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let Some(detail) = self.detail() {
            tracing::error!(%detail, code = self.code().as_str(), "request failed");
        }
        let body = ErrorBody {
            code: self.code(),
            message: self.message_zh(),
            message_en: self.message_en(),
            fields: self.fields().to_vec(),
        };
        let mut resp = (status, Json(body)).into_response();
        if let Some(secs) = self.retry_after() {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        resp
    }
}

/// What a refused request answers: a stable code, the message in Chinese and in English, and the fields at fault.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    pub message_en: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

pub type AppResult<T> = Result<T, AppError>;
