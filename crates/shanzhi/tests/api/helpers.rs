//! The test app: a real server on a free port over its own fresh database, SQLite or PostgreSQL.

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use shanzhi::Location;
use shanzhi_domain::clock::TestClock;
use shanzhi_domain::rules::Rules;
use shanzhi_store::files::{FileStorage, FolderStorage};
use shanzhi_store::{Backend, SqlStore};
use shanzhi_web::{AppState, PasswordCost};
use std::path::PathBuf;
use std::sync::Arc;

pub use shanzhi::demo::DEMO_PASSWORD;
pub use shanzhi_store::{ProjectStore, Store};

/// Base URL of the PostgreSQL server the suite creates its databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("SHANZHI_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh, empty database for one test. PostgreSQL tests fail (never skip) when the server is unreachable.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.join("test.db").display()),
        Backend::Postgres => {
            use sqlx::Connection;
            let admin = postgres_admin_url();
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                panic!("PostgreSQL is required for these tests and is unreachable at {admin}: {e}")
            });
            drop_stale_databases(&mut conn).await;
            let name = format!("sz_test_{}", rand_suffix());
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
            let (base, _) = admin.rsplit_once('/').expect("URL has a database");
            format!("{base}/{name}")
        }
    }
}

/// Test databases are named after the test process; those of processes that have ended are dropped.
async fn drop_stale_databases(conn: &mut sqlx::PgConnection) {
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'sz_test_%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_default();
    for name in names {
        let pid = name.trim_start_matches("sz_test_").split('_').next().unwrap_or_default();
        if !pid.is_empty() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut *conn).await;
        }
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), nanos % 1_000_000_000, N.fetch_add(1, Ordering::Relaxed))
}

/// What the whole platform's reader sees of projects: every one of them, whole.
pub fn whole_platform() -> shanzhi_domain::project::Scope {
    shanzhi_domain::project::Scope::everything()
}

pub fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shanzhi-test-{}", rand_suffix()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The fixed start of every test's clock: 2026-03-02 09:00 China time.
pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00").expect("valid").with_timezone(&Utc)
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<SqlStore>,
    /// The server's application layer, for tests that drive use cases directly (the demo's load).
    pub application: shanzhi_app::App,
    pub clock: TestClock,
    pub location: Location,
    pub backend: Backend,
    pub setup: Setup,
}

/// How a test's server is configured, when not by the defaults.
#[derive(Clone, Default)]
pub struct Setup {
    pub rules: Rules,
    pub public_url: Option<&'static str>,
    pub sign_in_gate: Option<shanzhi_app::sessions::SignInGate>,
    /// Where uploads go, instead of the data folder.
    pub files: Option<Arc<dyn FileStorage>>,
}

impl TestApp {
    /// A server over an empty, migrated database.
    pub async fn empty(backend: Backend) -> TestApp {
        TestApp::empty_with(backend, Setup::default()).await
    }

    async fn empty_with(backend: Backend, setup: Setup) -> TestApp {
        let dir = temp_dir();
        let url = fresh_database(backend, &dir).await;
        let location = Location::new(&dir, Some(&url));
        TestApp::serve(location, backend, TestClock::at(start_time()), setup).await
    }

    /// A server with the Yiling demo loaded.
    pub async fn with_demo(backend: Backend) -> TestApp {
        TestApp::with_demo_and(backend, Setup::default()).await
    }

    /// A server with the Yiling demo loaded, configured by `setup`.
    pub async fn with_demo_and(backend: Backend, setup: Setup) -> TestApp {
        let app = TestApp::empty_with(backend, setup).await;
        app.load_demo().await;
        app
    }

    /// A server over the store at `location` (a data folder or database the test chose).
    pub async fn at(location: Location, backend: Backend) -> TestApp {
        TestApp::serve(location, backend, TestClock::at(start_time()), Setup::default()).await
    }

    /// A server over an empty database whose uploads go to `files` rather than the data folder.
    pub async fn with_files(backend: Backend, files: Arc<dyn FileStorage>) -> TestApp {
        TestApp::empty_with(backend, Setup { files: Some(files), ..Setup::default() }).await
    }

    pub async fn load_demo(&self) {
        shanzhi::demo::load(&self.application, &mut |_, _| {}).await.expect("demo loads");
    }

    /// Another server on the same database and clock, as after a restart or on a second machine.
    pub async fn another_server(&self) -> TestApp {
        TestApp::serve(self.location.clone(), self.backend, self.clock.clone(), self.setup.clone()).await
    }

    async fn serve(location: Location, backend: Backend, clock: TestClock, setup: Setup) -> TestApp {
        let store = Arc::new(location.open().await.expect("store opens"));
        let files =
            setup.files.clone().unwrap_or_else(|| Arc::new(FolderStorage::new(location.data_dir.join("files"))));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("free port");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let mut application = shanzhi_app::App::new(
            store.clone(),
            Arc::new(clock.clone()),
            setup.rules.clone(),
            files,
            PasswordCost::Cheap,
        );
        application.configure("sign-in gate and instance", |a| {
            a.sign_in_gate = setup.sign_in_gate.clone();
            a.instance = base.clone();
        });
        let state = AppState::new(application.clone(), Some(clock.clone()))
            .with_public_url(setup.public_url.map(|u| shanzhi_web::PublicUrl::parse(u).expect("a valid public URL")));
        tokio::spawn(async move {
            let _ = axum_serve(listener, state).await;
        });
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        TestApp { base, client, store, application, clock, location, backend, setup }
    }

    /// Does the run of `job` due now on this server, as its scheduler would; the answer says whether this
    /// server did it (`ran`) and the run.
    pub async fn run_job(&self, job: &str) -> Value {
        let (status, body) = self.call(Method::POST, &format!("/api/v1/test/jobs/{job}"), None, None).await;
        assert_eq!(status, StatusCode::OK, "{job}: {body}");
        body
    }

    /// Signs in through the API and returns the bearer token.
    pub async fn token(&self, username: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                Some(serde_json::json!({"username": username, "password": DEMO_PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "sign-in of {username}: {body}");
        body["token"].as_str().expect("token").to_string()
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// Every item of a paged list (`{"items", "next_cursor"}`), following the cursors to the end.
    pub async fn all(&self, path: &str, token: Option<&str>) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = match &cursor {
                Some(c) => format!("{path}{sep}cursor={c}"),
                None => path.to_string(),
            };
            let (status, page) = self.call(Method::GET, &url, token, None).await;
            assert_eq!(status, StatusCode::OK, "GET {url}: {page}");
            items.extend(
                page["items"].as_array().unwrap_or_else(|| panic!("GET {url} is not a page: {page}")).iter().cloned(),
            );
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return items,
            }
        }
    }

    /// Asserts success and returns the body.
    pub async fn ok(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
        let (status, value) = self.call(method.clone(), path, Some(token), body).await;
        assert!(status.is_success(), "{method} {path} → {status}: {value}");
        value
    }

    /// Asserts a refusal with this status and code.
    pub async fn refused(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        status: StatusCode,
        code: &str,
    ) -> Value {
        let (got, value) = self.call(method.clone(), path, Some(token), body).await;
        assert_eq!(got, status, "{method} {path}: {value}");
        assert_eq!(value["code"], code, "{method} {path}: {value}");
        assert!(value["message"].as_str().is_some_and(|m| !m.is_empty()), "Chinese message: {value}");
        assert!(value["message_en"].as_str().is_some_and(|m| !m.is_empty()), "English message: {value}");
        value
    }

    /// Funds project `id` (of the token's department) wholly from its current-year general budget.
    pub async fn fund(&self, token: &str, id: i64) -> Value {
        let project = self.get(&format!("/api/v1/projects/{id}"), token).await.1;
        let line = self.general_budget(token, project["purchaser_org_id"].as_i64().unwrap()).await;
        let body = serde_json::json!({"lines": [{"budget_id": line["id"], "amount": project["total"]}]});
        self.ok(Method::PUT, &format!("/api/v1/projects/{id}/funding"), token, Some(body)).await
    }

    /// The department's own current-year general-budget line, as the token's user sees it.
    pub async fn general_budget(&self, token: &str, org_id: i64) -> Value {
        let lines = self.all("/api/v1/budgets?year=2026", Some(token)).await;
        lines
            .iter()
            .find(|b| b["org_id"] == org_id && b["source"] == "general_budget" && b["granted_from"].is_null())
            .cloned()
            .unwrap_or_else(|| panic!("no 2026 general budget for organisation {org_id}: {lines:?}"))
    }

    pub async fn org_id(&self, key: &str) -> i64 {
        self.store.organisation_by_key(key).await.expect("query").expect("organisation exists").id
    }

    pub fn verify_cli(&self, checkpoint: Option<&str>) -> (i32, String) {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_shanzhi"));
        cmd.arg("--data")
            .arg(&self.location.data_dir)
            .arg("--database-url")
            .arg(&self.location.database_url)
            .args(["audit", "verify"]);
        if let Some(c) = checkpoint {
            cmd.args(["--checkpoint", c]);
        }
        let out = cmd.output().expect("run shanzhi");
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).to_string())
    }
}

async fn axum_serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    shanzhi_web::serve(listener, state, shanzhi_web::Limits::default(), std::future::pending()).await
}

/// Signs in through the sign-in form as a browser does: fetches the form (its pre-session cookie and CSRF
/// token), then posts it, with `X-Forwarded-For: forwarded` when given.
pub async fn form_sign_in_from(
    app: &TestApp,
    forwarded: Option<&str>,
    username: &str,
    password: &str,
    next: &str,
) -> reqwest::Response {
    let form = app.client.get(format!("{}/sign-in", app.base)).send().await.unwrap();
    let cookie = cookies_of(&form);
    let html = form.text().await.unwrap();
    let csrf = csrf_of(&html);
    let mut req = app.client.post(format!("{}/sign-in", app.base)).form(&[
        ("_csrf", csrf.as_str()),
        ("username", username),
        ("password", password),
        ("next", next),
    ]);
    if !cookie.is_empty() {
        req = req.header("cookie", cookie);
    }
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap()
}

/// The cookies a response sets, as a `Cookie` header would send them back.
pub fn cookies_of(resp: &reqwest::Response) -> String {
    let all = resp.headers().get_all(reqwest::header::SET_COOKIE);
    let pairs: Vec<&str> = all.iter().filter_map(|v| v.to_str().ok()).filter_map(|c| c.split(';').next()).collect();
    pairs.join("; ")
}

/// Signs in through the sign-in form with the demo password; returns the session cookie.
pub async fn page_cookie(app: &TestApp, username: &str) -> String {
    let resp = form_sign_in_from(app, None, username, DEMO_PASSWORD, "/").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{username} signs in");
    session_cookie_of(&resp)
}

/// The session cookie (`sz_session=…`) a response sets.
pub fn session_cookie_of(resp: &reqwest::Response) -> String {
    let all = resp.headers().get_all(reqwest::header::SET_COOKIE);
    let found = all.iter().filter_map(|v| v.to_str().ok()).find(|c| c.starts_with("sz_session="));
    found.expect("a session cookie").split(';').next().unwrap().to_string()
}

/// A page as the session with `cookie` sees it.
pub async fn page(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, String) {
    let resp = app.client.get(format!("{}{path}", app.base)).header("cookie", cookie).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// The CSRF token of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let key = r#"name="_csrf" value=""#;
    let start = html.find(key).unwrap_or_else(|| panic!("a form with a CSRF token: {html}")) + key.len();
    html[start..start + 64].to_string()
}

/// A valid new design for the education bureau's purchaser.
pub fn design(title: &str) -> Value {
    serde_json::json!({
        "title": title,
        "category": "A0201",
        "regions": ["420506001"],
        "target_groups": ["left_behind_children"],
        "mode": "project",
        "content": "为农村留守儿童提供课后陪伴、心理辅导和家庭探访服务。",
        "standards": "每名儿童每月至少探访一次，个案记录完整。",
        "period_start": "2026-04-01",
        "period_end": "2027-03-31",
        "continuing": false,
        "targets": [{"indicator": "服务儿童人数", "group": "output", "target": "200", "unit": "人", "weight": 100}],
        "posts": []
    })
}

pub fn cost_estimate() -> Value {
    serde_json::json!({"lines": [
        {"kind": "personnel", "item": "社工薪酬", "quantity": "2", "unit": "人·年", "unit_price": "36000.00"},
        {"kind": "activities", "item": "小组活动", "quantity": "12.5", "unit": "次", "unit_price": "800"}
    ]})
}

/// Generates one `#[tokio::test]` per backend from one body, so the same suite runs on SQLite and PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($backend:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { let $backend = shanzhi_store::Backend::Sqlite; $body })*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { let $backend = shanzhi_store::Backend::Postgres; $body })*
        }
    };
}
