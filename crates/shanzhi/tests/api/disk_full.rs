//! A full disk: writes are refused with 503 `storage_full` while reads go on, and the server recovers by
//! itself when space returns. SQLite's `max_page_count` makes the database full without filling a disk.

use crate::helpers::*;
use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde_json::json;
use shanzhi_store::files::{FileStorage, FolderStorage};
use shanzhi_store::{Backend, StoreError};
use std::sync::Arc;

/// The pool's size on SQLite: every connection gets the limit.
const SQLITE_CONNECTIONS: usize = 4;

/// Lets no pooled connection grow the database beyond its present size (`full`), or lifts that limit.
async fn set_full(app: &TestApp, full: bool) {
    let mut conns = Vec::new();
    for _ in 0..SQLITE_CONNECTIONS {
        conns.push(app.store.pool().acquire().await.unwrap());
    }
    for conn in &mut conns {
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(&mut **conn).await.unwrap();
        let limit = if full { pages } else { 1_073_741_823 };
        sqlx::query(&format!("PRAGMA max_page_count = {limit}")).execute(&mut **conn).await.unwrap();
    }
}

async fn sign_in(app: &TestApp, username: &str) -> (StatusCode, serde_json::Value) {
    let body = json!({"username": username, "password": DEMO_PASSWORD});
    app.call(Method::POST, "/api/v1/session", None, Some(body)).await
}

fn assert_storage_full(status: StatusCode, body: &serde_json::Value) {
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "storage_full", "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("存储空间已满")), "{body}");
    assert!(body["message_en"].as_str().is_some_and(|m| m.contains("storage is full")), "{body}");
}

async fn upload(app: &TestApp, token: &str) -> (StatusCode, serde_json::Value) {
    let part = reqwest::multipart::Part::bytes(b"%PDF-1.4 sign-in sheet".to_vec()).file_name("签到表.pdf");
    let resp = app
        .client
        .post(format!("{}/api/v1/files", app.base))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_database_refuses_writes_keeps_serving_reads_and_recovers() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let reader = app.token("mzj.purchaser").await;
    let projects = app.get("/api/v1/projects", &reader).await.1;
    set_full(&app, true).await;
    // Each sign-in writes a session and an audit event: soon there is no room.
    let mut refused = 0;
    for _ in 0..60 {
        let (status, body) = sign_in(&app, "czj.reviewer").await;
        if status == StatusCode::CREATED {
            continue;
        }
        assert_storage_full(status, &body);
        refused += 1;
        // Reads go on while writes are refused.
        let (status, body) = app.get("/api/v1/projects", &reader).await;
        assert_eq!((status, &body), (StatusCode::OK, &projects));
    }
    assert!(refused > 0, "the database never filled");
    // Space returns: every connection writes again, none stuck in a transaction that failed.
    set_full(&app, false).await;
    for _ in 0..2 * SQLITE_CONNECTIONS {
        let (status, body) = sign_in(&app, "czj.reviewer").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (code, out) = app.verify_cli(None);
    assert_eq!(code, 0, "the audit chain is whole: {out}");
}

/// File storage on a disk that fills when told to (after the demo has stored its documents).
struct FullDisk {
    folder: FolderStorage,
    full: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl FileStorage for FullDisk {
    async fn put(&self, key: &str, bytes: &[u8]) -> shanzhi_store::Result<()> {
        if self.full.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::from(std::io::Error::from_raw_os_error(28)));
        }
        self.folder.put(key, bytes).await
    }
    async fn get(&self, key: &str) -> shanzhi_store::Result<Vec<u8>> {
        self.folder.get(key).await
    }
    async fn remove(&self, key: &str) -> shanzhi_store::Result<()> {
        self.folder.remove(key).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_to_a_full_disk_is_refused_cleanly() {
    let dir = temp_dir();
    let disk = Arc::new(FullDisk { folder: FolderStorage::new(dir.clone()), full: false.into() });
    let app = TestApp::with_files(Backend::Sqlite, disk.clone()).await;
    app.load_demo().await;
    let files = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM files").fetch_one(app.store.pool()).await.unwrap()
    };
    let before = files().await;
    disk.full.store(true, std::sync::atomic::Ordering::SeqCst);
    let provider = app.token("p.xlx").await;
    let (status, body) = upload(&app, &provider).await;
    assert_storage_full(status, &body);
    assert_eq!(files().await, before, "no record of a file that was not stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_the_full_database_cannot_record_leaves_no_file() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let provider = app.token("p.xlx").await;
    set_full(&app, true).await;
    let mut refused = false;
    for _ in 0..60 {
        let (status, body) = upload(&app, &provider).await;
        if status != StatusCode::CREATED {
            assert_storage_full(status, &body);
            refused = true;
            break;
        }
    }
    assert!(refused, "the database never filled");
    let recorded: Vec<String> =
        sqlx::query_scalar("SELECT storage_key FROM files").fetch_all(app.store.pool()).await.unwrap();
    let mut stored = Vec::new();
    let root = app.location.data_dir.join("files");
    for sub in std::fs::read_dir(&root).unwrap() {
        for f in std::fs::read_dir(sub.unwrap().path()).unwrap() {
            let path = f.unwrap().path();
            stored.push(path.strip_prefix(&root).unwrap().display().to_string());
        }
    }
    stored.sort();
    let mut recorded = recorded;
    recorded.sort();
    assert_eq!(stored, recorded, "every stored file is recorded; no partial or orphaned file");
}
