//! The audit chain catches edited, deleted and reordered events, and a saved checkpoint catches truncation.

use crate::both_backends;
use crate::helpers::*;
use reqwest::StatusCode;

async fn exec(app: &TestApp, sql: &str) {
    sqlx::raw_sql(sql).execute(app.store.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

both_backends! {
    async fn intact_log_verifies_and_head_is_public(backend) {
        let app = TestApp::with_demo(backend).await;
        let (code, out) = app.verify_cli(None);
        assert_eq!(code, 0, "{out}");
        let (seq, hash) = app.store.audit_head().await.unwrap().unwrap();
        assert_eq!(out.trim(), format!("ok: {seq} events"));
        let resp = reqwest::get(format!("{}/api/v1/audit/head", app.base)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let head: serde_json::Value = resp.json().await.unwrap();
        assert_eq!((head["seq"].as_i64().unwrap(), head["hash"].as_str().unwrap()), (seq, hash.as_str()));
        let (code, out) = app.verify_cli(Some(&format!("{}:{}", seq - 5, app.store.audit_events(seq - 6, 1).await.unwrap()[0].hash)));
        assert_eq!(code, 0, "{out}");
    }

    async fn edited_event_is_caught(backend) {
        let app = TestApp::with_demo(backend).await;
        exec(&app, "UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 40").await;
        let (code, out) = app.verify_cli(None);
        assert_eq!(code, 1);
        assert!(out.starts_with("broken at event 40:"), "{out}");
    }

    async fn edited_payload_is_caught(backend) {
        let app = TestApp::with_demo(backend).await;
        exec(&app, "UPDATE audit_events SET after_json = '{\"status\":\"completed\"}' WHERE seq = 300").await;
        let (code, out) = app.verify_cli(None);
        assert_eq!((code, out.starts_with("broken at event 300:")), (1, true), "{out}");
    }

    async fn deleted_event_is_caught(backend) {
        let app = TestApp::with_demo(backend).await;
        exec(&app, "DELETE FROM audit_events WHERE seq = 77").await;
        let (code, out) = app.verify_cli(None);
        assert_eq!(code, 1);
        assert!(out.starts_with("broken at event 77:"), "{out}");
    }

    async fn reordered_events_are_caught(backend) {
        let app = TestApp::with_demo(backend).await;
        exec(&app, "UPDATE audit_events SET seq = -1 WHERE seq = 10").await;
        exec(&app, "UPDATE audit_events SET seq = 10 WHERE seq = 11").await;
        exec(&app, "UPDATE audit_events SET seq = 11 WHERE seq = -1").await;
        let (code, out) = app.verify_cli(None);
        assert_eq!(code, 1);
        assert!(out.starts_with("broken at event 10:"), "{out}");
    }

    async fn checkpoint_catches_truncation(backend) {
        let app = TestApp::with_demo(backend).await;
        let (seq, hash) = app.store.audit_head().await.unwrap().unwrap();
        exec(&app, &format!("DELETE FROM audit_events WHERE seq > {}", seq - 3)).await;
        // The shortened chain is internally consistent...
        assert_eq!(app.verify_cli(None).0, 0);
        // ...but the head someone saved is no longer in it.
        let (code, out) = app.verify_cli(Some(&format!("{seq}:{hash}")));
        assert_eq!(code, 1);
        assert_eq!(out.trim(), format!("broken at event {seq}: checkpoint event {seq} is not in the chain, which has {} events (truncated)", seq - 3));
        let (code, out) = app.verify_cli(Some("3:nothex"));
        assert_ne!(code, 0, "{out}");
    }
}
