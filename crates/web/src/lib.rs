#![recursion_limit = "256"]
//! Shanzhi's web layer: server-rendered pages for every role, the JSON API under `/api/v1` and its
//! OpenAPI document, over any [`Store`].

pub mod accounts;
pub mod api;
pub mod approvals;
pub mod auth;
pub mod credit_api;
pub mod deadline;
pub mod error;
pub mod evaluation_api;
pub mod export;
pub mod feedback;
pub mod feeds;
pub mod filters;
pub mod flags_api;
pub mod i18n;
pub mod jobs;
pub mod listen;
pub mod money_api;
mod ocds_api;
pub mod openapi;
pub mod pages;
pub mod paging;
pub mod pool;
pub mod procure_api;
pub mod public;
pub mod qr;
pub mod registry_api;
pub mod throttle;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use shanzhi_app::App;
use shanzhi_domain::clock::TestClock;
use shanzhi_domain::ErrorCode;
use std::ops::Deref;
use std::sync::Arc;

pub use auth::PublicUrl;
pub use listen::Limits;
pub use shanzhi_app::PasswordCost;

/// The HTTP edge's state: the application (which it derefs to, so `state.store`, `state.rules` … read through)
/// and what only the edge needs.
pub struct Inner {
    pub app: App,
    /// Present only when the server was started in test mode; then `/api/v1/test/clock` moves it.
    pub test_clock: Option<TestClock>,
    /// Where people reach the server (`serve --public-url`); cookies are `Secure` when it is https.
    pub public_url: Option<PublicUrl>,
    /// When this server started, on its clock: pages may differ from those of the release before.
    pub started_at: chrono::DateTime<chrono::Utc>,
}

impl Deref for Inner {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// The edge of `app`; in test mode (`test_clock`) it also answers `/api/v1/test/…`.
    pub fn new(app: App, test_clock: Option<TestClock>) -> AppState {
        let started_at = app.clock.now();
        AppState(Arc::new(Inner { app, test_clock, public_url: None, started_at }))
    }

    /// Changes the state before it is shared (by the builders below).
    fn configure(mut self, what: &str, change: impl FnOnce(&mut Inner)) -> AppState {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => change(inner),
            None => tracing::warn!("{what} not set: the state is already shared"),
        }
        self
    }

    /// The address people reach the server at.
    pub fn with_public_url(self, url: Option<PublicUrl>) -> AppState {
        self.configure("public URL", |inner| inner.public_url = url)
    }
}

/// API answers are JSON even when axum itself refuses a request (bad path, wrong method, body too large).
async fn json_errors(resp: Response) -> Response {
    let status = resp.status();
    let is_json =
        resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !status.is_client_error() || is_json {
        return resp;
    }
    let (code, zh, en) = match status {
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "未找到", "not found"),
        StatusCode::METHOD_NOT_ALLOWED => (ErrorCode::MethodNotAllowed, "不支持该请求方法", "method not allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::PayloadTooLarge, "请求内容过大", "the request is too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            (ErrorCode::UnsupportedMediaType, "请求内容类型不正确，应为 JSON", "send the body as application/json")
        }
        _ => (
            ErrorCode::BadRequest,
            "请求格式不正确（路径或参数有误）",
            "the request is malformed (check the path and parameters)",
        ),
    };
    let body = serde_json::json!({"code": code, "message": zh, "message_en": en});
    (status, axum::Json(body)).into_response()
}

const CSS: &str = include_str!("../static/app.css");

/// The stylesheet's address, versioned by its content: browsers may cache it for long, and a new release
/// is fetched at once because its address changes.
pub fn stylesheet_href() -> &'static str {
    use sha2::{Digest, Sha256};
    static HREF: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("/static/app.css?v={}", &hex::encode(Sha256::digest(CSS.as_bytes()))[..12])
    });
    &HREF
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        CSS,
    )
        .into_response()
}

/// Headers that keep pages from being framed or sniffed, and scripts and styles to our own host. Caching is
/// [`public::caching`]'s.
async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    resp
}

/// A GET or HEAD reads the data as of one moment (its `Last-Modified` too), in one read transaction; a write it
/// makes ends that moment, so what it reads afterwards includes the write.
async fn reads_in_one_snapshot(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD) {
        shanzhi_app::one_snapshot(next.run(req)).await
    } else {
        next.run(req).await
    }
}

/// 200 while the database answers, 503 `database_unavailable` (with `Retry-After`) while it does not.
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match state.check().await {
        Ok(()) => "ok".into_response(),
        Err(e) => error::AppError::from(shanzhi_app::Error::DatabaseUnavailable(e.to_string())).into_response(),
    }
}

pub fn app(state: AppState) -> Router {
    let test_mode = state.test_clock.is_some();
    let body_limit = state.rules.max_upload_bytes as usize + 64 * 1024;
    let api = api::router(test_mode)
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(axum::middleware::map_response(json_errors));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/app.css", get(stylesheet))
        .nest("/api/v1", api)
        .nest("/api/ocds", ocds_api::router().layer(axum::middleware::map_response(json_errors)))
        .merge(pages::router())
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), deadline::deadline))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), public::caching))
        .layer(axum::middleware::from_fn(reads_in_one_snapshot))
        .layer(public::compression())
        .with_state(state)
}

/// Serves until `shutdown` (for the server, [`listen::signalled`]), within `limits`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    listen::serve_until(listener, app(state), limits, shutdown).await
}

#[cfg(test)]
mod layering {
    /// The web is HTTP and HTML over the application layer: it reaches the store only through it.
    #[test]
    fn the_web_depends_on_neither_the_store_nor_sqlx() {
        let manifest = include_str!("../Cargo.toml");
        let deps = manifest.split("[dependencies]").nth(1).unwrap_or_default().split("\n[").next().unwrap_or_default();
        for banned in ["shanzhi-store", "sqlx"] {
            assert!(!deps.lines().any(|l| l.trim_start().starts_with(banned)), "web depends on {banned}");
        }
        assert!(deps.contains("shanzhi-app"), "the web goes through the application layer");
    }
}
