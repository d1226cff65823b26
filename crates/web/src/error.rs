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
                Error::TooManyAttempts(_) | Error::SignInBusy | Error::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
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

    /// A request body that is not the JSON an endpoint takes. The English message carries the parser's own
    /// words; the Chinese one says the same in Chinese, naming the field where the parser names one.
    pub fn invalid_json(detail: &str) -> AppError {
        AppError::bad_request(
            ErrorCode::InvalidJson,
            format!("请求内容不是本接口所需的 JSON：{}", json_problem_zh(detail)),
            format!("the request body is not valid JSON for this endpoint: {detail}"),
        )
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

/// serde_json's account of a body it could not read, in Chinese: which field is missing, unknown or of the wrong
/// type, or that the text is not JSON at all, with the field's name as the parser gives it.
fn json_problem_zh(detail: &str) -> String {
    let quoted =
        |after: &str| detail.split_once(after).and_then(|(_, rest)| rest.split('`').nth(1)).map(str::to_string);
    if let Some(field) = quoted("missing field") {
        format!("缺少字段 {field}")
    } else if let Some(field) = quoted("unknown field") {
        format!("不认识的字段 {field}")
    } else if let Some(at) = detail.find("invalid type").or_else(|| detail.find("invalid value")) {
        // axum names the field's path before the problem: "…target type: title: invalid type: …".
        let path = detail[..at].trim_end_matches(": ").rsplit(": ").next().unwrap_or_default();
        if path.is_empty() || path.contains(' ') || path == "." {
            "某个字段的类型或取值不对".to_string()
        } else {
            format!("字段 {path} 的类型或取值不对")
        }
    } else if detail.contains("Content-Type") || detail.contains("content type") {
        "请以 Content-Type: application/json 发送".to_string()
    } else if detail.contains("into the target type") {
        // Valid JSON of another shape, e.g. a list where an object is wanted.
        "JSON 的结构不对：应为文档所列字段组成的对象".to_string()
    } else {
        "不是有效的 JSON 文本".to_string()
    }
}

#[cfg(test)]
mod json_problem_tests {
    use super::json_problem_zh;

    #[test]
    fn the_chinese_message_names_the_field_without_the_parsers_english() {
        let cases = [
            ("Failed to deserialize the JSON body into the target type: missing field `password` at line 1 column 20", "缺少字段 password"),
            ("Failed to deserialize the JSON body into the target type: unknown field `pasword`, expected `username` or `password` at line 1 column 11", "不认识的字段 pasword"),
            ("Failed to deserialize the JSON body into the target type: title: invalid type: integer `5`, expected a string at line 1 column 11", "字段 title 的类型或取值不对"),
            ("Failed to parse the request body as JSON: key must be a string at line 1 column 2", "不是有效的 JSON 文本"),
            ("Expected request with `Content-Type: application/json`", "请以 Content-Type: application/json 发送"),
            ("Failed to deserialize the JSON body into the target type: invalid length 0, expected struct DesignRequest at line 1 column 2", "JSON 的结构不对：应为文档所列字段组成的对象"),
        ];
        for (detail, want) in cases {
            assert_eq!(json_problem_zh(detail), want, "{detail}");
        }
    }
}
