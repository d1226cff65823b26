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
        // A read of the chain gives 1 to 1,000 events; any other limit is refused, not quietly changed.
        let (status, events) = app.call(reqwest::Method::GET, "/api/v1/audit/events?after=0&limit=1000", None, None).await;
        assert_eq!((status, events.as_array().unwrap().len() as i64), (StatusCode::OK, seq.min(1000)));
        for limit in ["0", "-3", "1001", "100000"] {
            let (status, body) = app.call(reqwest::Method::GET, &format!("/api/v1/audit/events?limit={limit}"), None, None).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_limit")), "{limit}");
        }
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

    async fn an_old_chain_still_verifies_after_the_split_and_tells_nothing_sealed(backend) {
        let (location, hashes) = legacy_database(backend).await;
        let app = TestApp::at(location, backend).await;
        // The old events keep their hashes and verify under the old rule; a saved checkpoint still holds.
        let (code, out) = app.verify_cli(Some(&format!("3:{}", hashes[2].1)));
        assert_eq!((code, out.trim()), (0, "ok: 5 events"), "{out}");
        // New events follow under the new rule, on the same chain.
        app.store.append_audit(shanzhi_domain::audit::NewEvent {
            actor_id: None, actor_name: "system:test".into(), org_id: None, action: "demo.load".into(),
            object_type: "demo".into(), object_id: "1".into(), before: serde_json::Value::Null, after: serde_json::json!({"n": 1}),
        }, start_time()).await.unwrap();
        let (code, out) = app.verify_cli(Some(&format!("5:{}", hashes[4].1)));
        assert_eq!((code, out.trim()), (0, "ok: 6 events"), "{out}");
        // The public sees the whole chain linked, the old events with their hashes; nothing of the old sealed
        // bid or interest, and no name.
        let events = crate::sealed::chain(&app, None).await;
        assert_eq!(events.len(), 6);
        crate::sealed::verify_public(&events);
        for (e, (seq, hash)) in events.iter().zip(&hashes) {
            assert_eq!((e["seq"].as_i64().unwrap(), e["hash"].as_str().unwrap(), e["rule"].as_i64()), (*seq, hash.as_str(), Some(1)));
            assert!(e["payload"].is_null() || e["action"] == "region.create", "{e}");
        }
        assert!(events[2]["action"].is_null() && events[2]["at"].is_null(), "an old sealed bid stays anonymous: {}", events[2]);
        assert!(events[3]["action"].is_null(), "so does an old interest: {}", events[3]);
        assert_eq!(events[1]["action"], "session.create");
        assert!(!serde_json::to_string(&events).unwrap().contains("p.old"));
        assert_eq!(events[5]["rule"], 2);
        // Rewriting an old event is still caught.
        sqlx::raw_sql("UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 2").execute(app.store.pool()).await.unwrap();
        let (code, out) = app.verify_cli(None);
        assert_eq!(code, 1, "{out}");
        assert!(out.starts_with("broken at event 2:"), "{out}");
    }
}

/// A database as the platform left it before the chain was split from its content: the schema of migration 6,
/// and events hashed by the old rule (SHA-256 over the previous hash and the whole event), among them a sealed
/// bid's record and a provider's interest as they were written then.
async fn legacy_database(backend: shanzhi_store::Backend) -> (shanzhi::Location, Vec<(i64, String)>) {
    use sqlx::Connection;
    let dir = temp_dir();
    let url = fresh_database(backend, &dir).await;
    let folder = match backend {
        shanzhi_store::Backend::Sqlite => "sqlite",
        shanzhi_store::Backend::Postgres => "postgres",
    };
    let mut sql =
        vec!["CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)".to_string()];
    for n in 1..=6 {
        let dir = format!("{}/../store/migrations/{folder}", env!("CARGO_MANIFEST_DIR"));
        let file = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{n:04}_")))
            .unwrap();
        sql.push(std::fs::read_to_string(file).unwrap());
        sql.push(format!("INSERT INTO schema_migrations (version, applied_at) VALUES ({n}, '2025-01-01T00:00:00Z')"));
    }
    let events = [
        (
            Some(1),
            "admin",
            Some(1),
            "region.create",
            "region",
            "420506",
            serde_json::json!({"code": "420506", "name": "夷陵区"}),
        ),
        (Some(7), "p.old", Some(9), "session.create", "session", "a1b2c3d4e5f6", serde_json::json!({"kind": "api"})),
        (
            None,
            "sealed",
            None,
            "bid.submit",
            "sealed_bid",
            "0123456789abcdef",
            serde_json::json!({"receipt": "0123456789abcdef".repeat(4)}),
        ),
        (Some(7), "p.old", Some(9), "procurement.interest", "procurement", "4", serde_json::json!({})),
        (Some(2), "jyj.old", Some(3), "project.create", "project", "12", serde_json::json!({"status": "design"})),
    ];
    let mut prev = shanzhi_domain::audit::GENESIS_HASH.to_string();
    let mut hashes = Vec::new();
    for (i, (actor_id, actor_name, org_id, action, object_type, object_id, after)) in events.into_iter().enumerate() {
        let seq = i as i64 + 1;
        let at = format!("2025-06-01T08:00:0{seq}.000000Z");
        let body = serde_json::json!({"seq": seq, "at": at, "actor_id": actor_id, "actor_name": actor_name, "org_id": org_id,
            "action": action, "object_type": object_type, "object_id": object_id, "before": null, "after": after});
        let mut canonical = String::new();
        shanzhi_domain::audit::canonical_json(&body, &mut canonical);
        use sha2::Digest;
        let hash: String =
            sha2::Sha256::digest(format!("{prev}{canonical}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
        let opt = |v: Option<i64>| v.map_or("NULL".to_string(), |v| v.to_string());
        sql.push(format!(
            "INSERT INTO audit_events (seq, at, actor_id, actor_name, org_id, action, object_type, object_id, before_json, after_json, prev_hash, hash) \
             VALUES ({seq}, {}, {}, {}, {}, {}, {}, {}, 'null', {}, {}, {})",
            quote(&at), opt(actor_id), quote(actor_name), opt(org_id), quote(action), quote(object_type), quote(object_id),
            quote(&after.to_string()), quote(&prev), quote(&hash)
        ));
        hashes.push((seq, hash.clone()));
        prev = hash;
    }
    match backend {
        shanzhi_store::Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&format!("{url}?mode=rwc")).await.unwrap();
            for s in &sql {
                sqlx::raw_sql(s).execute(&mut conn).await.unwrap_or_else(|e| panic!("{s}: {e}"));
            }
        }
        shanzhi_store::Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            for s in &sql {
                sqlx::raw_sql(s).execute(&mut conn).await.unwrap_or_else(|e| panic!("{s}: {e}"));
            }
        }
    }
    // Its keys, kept beside it as before (the store has nothing sealed with them yet).
    for file in ["secret.key", "bid-master.key"] {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(file);
        std::fs::write(&path, shanzhi_store::secrets::DataKey::generate().1).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    (shanzhi::Location::new(&dir, Some(&url)), hashes)
}
