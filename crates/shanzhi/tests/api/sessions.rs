//! Sign-in, throttling, sign-out, tokens surviving a restart, and the test clock.

use crate::both_backends;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends! {
    async fn sign_in_out_and_restart(backend) {
        let app = TestApp::with_demo(backend).await;
        let (status, body) = app.call(Method::POST, "/api/v1/session", None, Some(json!({"username": "admin", "password": DEMO_PASSWORD}))).await;
        assert_eq!(status, StatusCode::CREATED);
        let token = body["token"].as_str().unwrap().to_string();
        assert!(body["expires_at"].as_str().unwrap().starts_with("2026-"), "{body}");
        assert_eq!(app.get("/api/v1/me", &token).await.1["username"], "admin");
        // Sessions live in the database: another server (or this one restarted) accepts the token.
        let restarted = app.another_server().await;
        assert_eq!(restarted.get("/api/v1/me", &token).await.0, StatusCode::OK);
        // Sign-out ends the token everywhere.
        let (status, _) = restarted.call(Method::DELETE, "/api/v1/session", Some(&token), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        app.refused(Method::GET, "/api/v1/me", &token, None, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        app.refused(Method::GET, "/api/v1/me", "garbage", None, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }

    async fn named_api_tokens_for_scripts(backend) {
        let app = TestApp::with_demo(backend).await;
        let session = app.token("czj.reviewer").await;
        app.refused(Method::POST, "/api/v1/tokens", &session, Some(json!({"label": " "})), StatusCode::UNPROCESSABLE_ENTITY, "invalid_label").await;
        app.refused(Method::POST, "/api/v1/tokens", &session, Some(json!({"label": "报表", "days": 400})), StatusCode::UNPROCESSABLE_ENTITY, "invalid_days").await;
        let created = app.ok(Method::POST, "/api/v1/tokens", &session, Some(json!({"label": "统计报表脚本", "days": 90}))).await;
        let token = created["token"].as_str().unwrap().to_string();
        assert!(created["expires_at"].as_str().unwrap().starts_with("2026-05-31"), "{created}");
        // The token works on its own, and its owner sees it listed by name, never by value.
        assert_eq!(app.get("/api/v1/me", &token).await.1["username"], "czj.reviewer");
        let list = app.get("/api/v1/tokens", &session).await.1;
        assert!(list.to_string().contains("统计报表脚本") && !list.to_string().contains(&token), "{list}");
        let id = created["id"].as_str().unwrap();
        // Nobody else can revoke it.
        let other = app.token("mzj.reviewer").await;
        app.refused(Method::DELETE, &format!("/api/v1/tokens/{id}"), &other, None, StatusCode::NOT_FOUND, "not_found").await;
        let (status, _) = app.call(Method::DELETE, &format!("/api/v1/tokens/{id}"), Some(&session), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        app.refused(Method::GET, "/api/v1/me", &token, None, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        let history = app.store.audit_events(0, 100_000).await.unwrap();
        assert!(!serde_json::to_string(&history).unwrap().contains(&token), "tokens never enter the audit log");
    }

    async fn tokens_expire_by_the_clock(backend) {
        let app = TestApp::with_demo(backend).await;
        let token = app.token("admin").await;
        app.clock.advance(chrono::Duration::days(29));
        assert_eq!(app.get("/api/v1/me", &token).await.0, StatusCode::OK);
        app.clock.advance(chrono::Duration::days(2));
        assert_eq!(app.get("/api/v1/me", &token).await.0, StatusCode::UNAUTHORIZED);
    }

    async fn repeated_failures_are_slowed_down(backend) {
        let app = TestApp::with_demo(backend).await;
        let wrong = json!({"username": "admin", "password": "wrong-password-1"});
        for _ in 0..5 {
            let (status, body) = app.call(Method::POST, "/api/v1/session", None, Some(wrong.clone())).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert_eq!(body["code"], "invalid_credentials");
        }
        // Now even the right password must wait, from this address (see `sign_in` for other addresses).
        let right = json!({"username": "admin", "password": DEMO_PASSWORD});
        let resp = app.client.post(format!("{}/api/v1/session", app.base)).json(&right).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()["retry-after"], "30");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "too_many_attempts");
        // Unknown usernames answer the same error.
        let (status, body) = app.call(Method::POST, "/api/v1/session", None, Some(json!({"username": "nobody", "password": "x"}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_credentials")));
        app.clock.advance(chrono::Duration::seconds(31));
        let (status, _) = app.call(Method::POST, "/api/v1/session", None, Some(right)).await;
        assert_eq!(status, StatusCode::CREATED);
    }

    async fn test_clock_endpoint_moves_time(backend) {
        let app = TestApp::with_demo(backend).await;
        let (status, body) = app.call(Method::POST, "/api/v1/test/clock", None, Some(json!({"advance_days": 2}))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body["now"].as_str().unwrap().starts_with("2026-03-04"), "{body}");
        let (status, body) = app.call(Method::POST, "/api/v1/test/clock", None, Some(json!({"advance_days": -1}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("clock_backwards")));
    }
}

#[tokio::test]
async fn production_servers_have_no_test_clock() {
    use shanzhi_domain::clock::SystemClock;
    use std::sync::Arc;
    let dir = temp_dir();
    let location = shanzhi::Location::new(&dir, None);
    let store = Arc::new(location.open().await.unwrap());
    let app = shanzhi_app::App::new(
        store,
        Arc::new(SystemClock),
        Default::default(),
        Arc::new(shanzhi_store::files::FolderStorage::new(dir.join("files"))),
        shanzhi_web::PasswordCost::Cheap,
    );
    let state = shanzhi_web::AppState::new(app, None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        shanzhi_web::serve(listener, state, shanzhi_web::Limits::default(), std::future::pending()).await
    });
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/v1/test/clock"))
        .json(&json!({"advance_days": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}
