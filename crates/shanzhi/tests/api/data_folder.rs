//! The data folder: keys that belong to their store — a missing or different one stops every command
//! instead of being silently replaced — and folders and files only their owner can read.

use crate::both_backends;
use crate::cli::shanzhi_at;
use crate::helpers::*;
use base64::Engine;
use shanzhi::Location;
use shanzhi_store::Backend;

/// Each key file and the environment variable that may give the key instead.
const KEYS: [(&str, &str); 2] = [("secret.key", "SHANZHI_DATA_KEY"), ("bid-master.key", "SHANZHI_BID_KEY")];

/// Every command that opens the store.
const COMMANDS: [&[&str]; 6] = [
    &["audit", "verify"],
    &["migrate"],
    &["demo"],
    &["report", "summary", "--json"],
    &["user", "add", "--username", "wang.er", "--role", "purchaser", "--org", "mzj"],
    &["serve", "--addr", "127.0.0.1:0"],
];

fn other_key() -> String {
    base64::engine::general_purpose::STANDARD.encode([7u8; 32])
}

async fn individual_provider(app: &TestApp) -> i64 {
    let orgs = app.store.organisations().await.unwrap();
    orgs.iter().find(|o| o.kind.code() == "individual").expect("the demo has an individual provider").id
}

async fn fingerprints(app: &TestApp) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM key_fingerprints").fetch_one(app.store.pool()).await.unwrap()
}

both_backends! {
    async fn a_missing_or_different_key_stops_every_command(backend) {
        let app = TestApp::with_demo(backend).await;
        let individual = individual_provider(&app).await;
        let resident_id = app.store.reveal_resident_id(individual).await.unwrap();
        assert!(resident_id.is_some());
        let head = app.store.audit_head().await.unwrap();
        for (file, env) in KEYS {
            let path = app.location.data_dir.join(file);
            let named = path.display().to_string();
            let kept = std::fs::read_to_string(&path).unwrap();
            std::fs::remove_file(&path).unwrap();
            for args in COMMANDS {
                let (code, out, err) = shanzhi_at(&app.location, args, None, &[]);
                assert_eq!(code, 2, "{args:?} without {file}: {out}{err}");
                assert!(err.contains(&named) && err.contains("missing"), "{args:?} names {file}: {err}");
                assert!(!path.exists(), "{args:?} made a new {file}");
            }
            std::fs::write(&path, other_key()).unwrap();
            for args in COMMANDS {
                let (code, out, err) = shanzhi_at(&app.location, args, None, &[]);
                assert_eq!(code, 2, "{args:?} with a different {file}: {out}{err}");
                assert!(err.contains(&named) && err.contains("not the key"), "{args:?}: {err}");
            }
            std::fs::write(&path, &kept).unwrap();
            // A key from the environment comes before the file, and is named as such.
            let (code, _, err) = shanzhi_at(&app.location, &["audit", "verify"], None, &[(env, &other_key())]);
            assert_eq!(code, 2, "{err}");
            assert!(err.contains(env) && !err.contains(&named), "{err}");
            let (code, out, err) = shanzhi_at(&app.location, &["audit", "verify"], None, &[(env, kept.trim())]);
            assert_eq!(code, 0, "the right key from {env}: {out}{err}");
            let (code, _, err) = shanzhi_at(&app.location, &["audit", "verify"], None, &[(env, "not a key")]);
            assert_eq!(code, 2, "{err}");
            assert!(err.contains(env) && err.contains("base64"), "{err}");
        }
        let (code, out, err) = shanzhi_at(&app.location, &["audit", "verify"], None, &[]);
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(app.store.audit_head().await.unwrap(), head, "the refused commands wrote nothing");
        assert_eq!(app.store.reveal_resident_id(individual).await.unwrap(), resident_id);
    }

    async fn a_store_from_before_fingerprints_records_them_with_its_own_keys(backend) {
        let app = TestApp::with_demo(backend).await;
        // As a store made before fingerprints were kept.
        sqlx::query("DELETE FROM key_fingerprints").execute(app.store.pool()).await.unwrap();
        for (file, _) in KEYS {
            let path = app.location.data_dir.join(file);
            let kept = std::fs::read_to_string(&path).unwrap();
            std::fs::remove_file(&path).unwrap();
            let (code, _, err) = shanzhi_at(&app.location, &["audit", "verify"], None, &[]);
            assert_eq!(code, 2, "the store is not empty: no new {file} ({err})");
            assert!(err.contains(&path.display().to_string()), "{err}");
            assert!(!path.exists(), "no new {file}");
            // A key that does not open what the store sealed is not recorded.
            std::fs::write(&path, other_key()).unwrap();
            let (code, _, err) = shanzhi_at(&app.location, &["audit", "verify"], None, &[]);
            assert_eq!(code, 2, "a different {file}: {err}");
            assert!(err.contains("not the key"), "{err}");
            std::fs::write(&path, kept).unwrap();
            assert_eq!(fingerprints(&app).await, 0, "nothing recorded while a key was wrong");
        }
        let (code, out, err) = shanzhi_at(&app.location, &["audit", "verify"], None, &[]);
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(fingerprints(&app).await, 2, "recorded on the first open with the keys present");
        let path = app.location.data_dir.join("secret.key");
        let kept = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, other_key()).unwrap();
        let (code, _, err) = shanzhi_at(&app.location, &["migrate"], None, &[]);
        assert_eq!(code, 2, "{err}");
        std::fs::write(&path, kept).unwrap();
    }

    async fn an_empty_store_makes_its_keys_once(backend) {
        let dir = temp_dir().join("data");
        let location = Location::new(&dir, match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_database(backend, &temp_dir()).await),
        }.as_deref());
        let (code, out, err) = shanzhi_at(&location, &["migrate"], None, &[]);
        assert_eq!(code, 0, "{out}{err}");
        let keys: Vec<String> = KEYS.iter().map(|(f, _)| std::fs::read_to_string(dir.join(f)).unwrap()).collect();
        let (code, _, err) = shanzhi_at(&location, &["migrate"], None, &[]);
        assert_eq!(code, 0, "{err}");
        let again: Vec<String> = KEYS.iter().map(|(f, _)| std::fs::read_to_string(dir.join(f)).unwrap()).collect();
        assert_eq!(keys, again, "the keys are made once");
        // They were recorded with the store: another key is refused even before anything was sealed.
        let (code, _, err) = shanzhi_at(&location, &["migrate"], None, &[("SHANZHI_BID_KEY", &other_key())]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("SHANZHI_BID_KEY"), "{err}");
    }
}

/// Modes of everything under `dir`, folders included, as `(path, mode, is_dir)`.
fn modes(dir: &std::path::Path) -> Vec<(String, u32, bool)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = std::fs::symlink_metadata(entry.path()).unwrap();
        out.push((entry.path().display().to_string(), meta.permissions().mode() & 0o777, meta.is_dir()));
        if meta.is_dir() {
            out.extend(modes(&entry.path()));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_and_its_files_are_for_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir().join("data");
    let app = TestApp::at(Location::new(&dir, None), Backend::Sqlite).await;
    app.load_demo().await;
    let provider = app.token("p.xlx").await;
    let part = reqwest::multipart::Part::bytes(b"%PDF-1.4 sign-in sheet".to_vec()).file_name("签到表.pdf");
    let resp = app
        .client
        .post(format!("{}/api/v1/files", app.base))
        .bearer_auth(&provider)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::CREATED);
    let out = dir.join("statistics.xlsx");
    let (code, _, err) =
        shanzhi_at(&app.location, &["report", "export", "--format", "xlsx", "--out", out.to_str().unwrap()], None, &[]);
    assert_eq!(code, 0, "{err}");

    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700, "the data folder");
    let all = modes(&dir);
    for name in ["shanzhi.db", "shanzhi.db-wal", "shanzhi.db-shm", "secret.key", "bid-master.key", "statistics.xlsx"] {
        assert!(all.iter().any(|(p, _, _)| p.ends_with(&format!("/{name}"))), "{name} in {all:?}");
    }
    assert!(all.iter().any(|(p, _, d)| p.contains("/files/") && !d), "the upload: {all:?}");
    for (path, mode, is_dir) in &all {
        assert_eq!(*mode, if *is_dir { 0o700 } else { 0o600 }, "{path}");
    }
}
