//! Sign-in throttling that cannot be turned against users: counted per client address and per username and
//! address, never refusing the right password from another address; the client address behind trusted
//! proxies; the limit on password checks running at once.

use crate::both_backends;
use crate::helpers::*;
use reqwest::header::{LOCATION, RETRY_AFTER};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Rules that trust the test client (127.0.0.1) as a proxy, so `X-Forwarded-For` names the client.
fn behind_proxy() -> Setup {
    let rules = serde_json::from_value(json!({"trusted_proxies": ["127.0.0.1", "10.0.0.0/8"]})).unwrap();
    Setup { rules, ..Setup::default() }
}

/// `POST /api/v1/session` with `X-Forwarded-For: forwarded` (when given); status, `Retry-After` and body.
async fn api_sign_in(
    app: &TestApp,
    forwarded: Option<&str>,
    username: &str,
    password: &str,
) -> (StatusCode, Option<String>, Value) {
    let mut req = app
        .client
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"username": username, "password": password}));
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let retry = resp.headers().get(RETRY_AFTER).map(|v| v.to_str().unwrap().to_string());
    (status, retry, resp.json().await.unwrap_or(Value::Null))
}

both_backends! {
    async fn failures_from_one_address_never_lock_out_another(backend) {
        let app = TestApp::with_demo_and(backend, behind_proxy()).await;
        let attacker = Some("203.0.113.5");
        for _ in 0..5 {
            let (status, _, body) = api_sign_in(&app, attacker, "jyj.purchaser", "wrong-password-1").await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_credentials")), "{body}");
            assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()) && body["message_en"].is_string());
        }
        // From the attacker's address even the right password must wait…
        let (status, retry, body) = api_sign_in(&app, attacker, "jyj.purchaser", DEMO_PASSWORD).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")));
        assert_eq!(retry.as_deref(), Some("30"));
        // …while the owner, from another address, signs in at once.
        let (status, _, body) = api_sign_in(&app, Some("198.51.100.20"), "jyj.purchaser", DEMO_PASSWORD).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // Other accounts from the attacker's address are not blocked by this account's failures.
        let (status, _, _) = api_sign_in(&app, attacker, "wsj.purchaser", DEMO_PASSWORD).await;
        assert_eq!(status, StatusCode::CREATED);
        app.clock.advance(chrono::Duration::seconds(31));
        let (status, _, _) = api_sign_in(&app, attacker, "jyj.purchaser", DEMO_PASSWORD).await;
        assert_eq!(status, StatusCode::CREATED);
    }

    async fn one_address_cannot_try_usernames_without_end(backend) {
        let app = TestApp::with_demo_and(backend, behind_proxy()).await;
        let sprayer = Some("203.0.113.77");
        // Each username is tried once, so no account's own count ever reaches its limit.
        for i in 0..20 {
            let (status, _, body) = api_sign_in(&app, sprayer, &format!("guess.{i}"), "yiling-2013").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}: {body}");
        }
        let (status, retry, body) = api_sign_in(&app, sprayer, "admin", DEMO_PASSWORD).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")), "{body}");
        assert_eq!(retry.as_deref(), Some("30"));
        // Everyone else is unaffected.
        let (status, _, _) = api_sign_in(&app, Some("198.51.100.20"), "admin", DEMO_PASSWORD).await;
        assert_eq!(status, StatusCode::CREATED);
    }

    async fn forwarded_for_counts_only_from_a_trusted_proxy(backend) {
        // By default no proxy is trusted: the header is the client's own claim, and ignored.
        let app = TestApp::with_demo(backend).await;
        for i in 0..5 {
            let (status, _, _) = api_sign_in(&app, Some(&format!("203.0.113.{i}")), "admin", "wrong-password-1").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let (status, _, _) = api_sign_in(&app, Some("198.51.100.20"), "admin", DEMO_PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "a claimed address does not escape the throttle");

        // Behind trusted proxies the client is the last hop outside them: hops to its left are its own claims.
        let app = TestApp::with_demo_and(backend, behind_proxy()).await;
        for _ in 0..5 {
            let (status, _, _) = api_sign_in(&app, Some("198.51.100.1, 203.0.113.9, 10.1.2.3"), "admin", "wrong-password-1").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let (status, _, _) = api_sign_in(&app, Some("192.0.2.44, 203.0.113.9, 10.9.9.9"), "admin", DEMO_PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "203.0.113.9 is throttled whatever it claims before itself");
        let (status, _, _) = api_sign_in(&app, Some("203.0.113.9, 198.51.100.1, 10.1.2.3"), "admin", DEMO_PASSWORD).await;
        assert_eq!(status, StatusCode::CREATED, "198.51.100.1 is another client");
    }

    async fn the_sign_in_form_is_throttled_the_same_way(backend) {
        let app = TestApp::with_demo_and(backend, behind_proxy()).await;
        let attempt = |forwarded: &'static str, password: &'static str| {
            let app = &app;
            async move { form_sign_in_from(app, Some(forwarded), "jyj.purchaser", password, "/projects").await }
        };
        for _ in 0..5 {
            let resp = attempt("203.0.113.5", "wrong-password-1").await;
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
            let html = resp.text().await.unwrap();
            assert!(html.contains("用户名或密码不正确") && html.contains("field--error"), "{html}");
        }
        let resp = attempt("203.0.113.5", DEMO_PASSWORD).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()[RETRY_AFTER], "30");
        assert!(resp.text().await.unwrap().contains("30 秒后再试"));
        let resp = attempt("198.51.100.20", DEMO_PASSWORD).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()[LOCATION], "/projects");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_two_password_checks_run_at_once() {
    let gate = shanzhi_app::sessions::SignInGate::new(2);
    let mut setup = behind_proxy();
    setup.sign_in_gate = Some(gate.clone());
    let app = std::sync::Arc::new(TestApp::with_demo_and(shanzhi_store::Backend::Sqlite, setup).await);
    assert_eq!(app.setup.rules.sign_in_max_concurrent, 2, "the default");
    let mut held = Vec::new();
    for (i, user) in ["admin", "jyj.purchaser"].into_iter().enumerate() {
        let app = app.clone();
        let from = format!("198.51.100.{i}");
        held.push(tokio::spawn(async move { api_sign_in(&app, Some(&from), user, DEMO_PASSWORD).await }));
    }
    // Both checks have their slot and wait at the gate: a third is refused at once, whatever its password.
    gate.entered.wait().await;
    let third = api_sign_in(&app, Some("198.51.100.9"), "wsj.purchaser", DEMO_PASSWORD);
    let (status, retry, body) =
        tokio::time::timeout(std::time::Duration::from_secs(20), third).await.expect("the third is not held");
    assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("sign_in_busy")), "{body}");
    assert_eq!(retry.as_deref(), Some("1"));
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    gate.release.wait().await;
    for h in held {
        let (status, _, body) = h.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}
