//! The server process as an operator runs it: its serving limits are flags, and SIGTERM stops it cleanly.

use crate::both_backends;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use shanzhi_domain::clock::Clock;
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn serve(dir: &std::path::Path, extra: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_shanzhi"))
        .arg("--data")
        .arg(dir)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .env("SHANZHI_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run shanzhi")
}

#[test]
fn the_serving_limits_refuse_nonsense() {
    let dir = temp_dir();
    for (flag, value) in
        [("--max-connections", "0"), ("--header-read-timeout-secs", "0"), ("--shutdown-grace-secs", "x")]
    {
        let out = serve(&dir, &[flag, value]).wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {err}");
        assert!(err.contains(flag), "{flag} {value}: {err}");
    }
}

#[test]
fn sigterm_stops_the_server_within_its_grace_period() {
    let dir = temp_dir();
    let mut child = serve(&dir, &["--shutdown-grace-secs", "2"]);
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_string();
    // A client that opened a connection and sent half a request holds nothing up.
    let mut half = std::net::TcpStream::connect(&addr).unwrap();
    std::io::Write::write_all(&mut half, b"GET / HTTP/1.1\r\n").unwrap();
    let asked = Instant::now();
    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if asked.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("still running 20 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    assert!(asked.elapsed() < Duration::from_secs(10), "exited {:?} after SIGTERM", asked.elapsed());
    assert!(std::net::TcpStream::connect(&addr).is_err(), "nothing listens any more");
}

both_backends! {
    async fn public_answers_are_gzipped_and_signed_in_ones_are_not(backend) {
        let app = TestApp::with_demo(backend).await;
        let get = |path: &str, auth: Option<(&str, String)>| {
            let mut req = app.client.get(format!("{}{path}", app.base)).header("accept-encoding", "gzip");
            if let Some((name, value)) = auth {
                req = req.header(name, value);
            }
            req.send()
        };
        let encoding = |r: &reqwest::Response| r.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_string());
        for path in ["/notices", "/api/v1/notices", "/catalogue"] {
            let resp = get(path, None).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{path}");
            assert_eq!(encoding(&resp).as_deref(), Some("gzip"), "{path}");
            let body = resp.bytes().await.unwrap();
            assert_eq!(&body[..2], &[0x1f, 0x8b], "{path}: a gzip stream");
        }
        // Without Accept-Encoding: plain.
        let plain = app.client.get(format!("{}/notices", app.base)).send().await.unwrap();
        assert_eq!(encoding(&plain), None);
        // Signed in, by cookie or token, or handed a cookie: never compressed (BREACH).
        let cookie = page_cookie(&app, "mzj.purchaser").await;
        let token = app.token("mzj.purchaser").await;
        for (path, auth) in [
            ("/", Some(("cookie", cookie.clone()))),
            ("/notices", Some(("cookie", cookie.clone()))),
            ("/api/v1/projects", Some(("authorization", format!("Bearer {token}")))),
            ("/sign-in", None),
        ] {
            let resp = get(path, auth).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{path}");
            assert_eq!(encoding(&resp), None, "{path}");
        }
    }

    async fn public_answers_are_cacheable_and_revalidated_and_signed_in_ones_are_not(backend) {
        let app = TestApp::with_demo(backend).await;
        let header = |r: &reqwest::Response, h: &str| r.headers().get(h).map(|v| v.to_str().unwrap().to_string());
        let first = app.client.get(format!("{}/notices", app.base)).send().await.unwrap();
        assert_eq!(header(&first, "cache-control").as_deref(), Some("public, max-age=60"));
        let tag = header(&first, "etag").expect("a public page has an ETag");
        assert!(tag.starts_with("W/\""), "{tag}");
        let again = app.client.get(format!("{}/notices", app.base)).send().await.unwrap();
        assert_eq!(header(&again, "etag").as_deref(), Some(tag.as_str()), "the same page, the same tag");
        let other = app.client.get(format!("{}/catalogue", app.base)).send().await.unwrap();
        assert_ne!(header(&other, "etag"), Some(tag.clone()), "another page, another tag");
        // The client's copy is current: 304 and no body.
        let cached = app.client.get(format!("{}/notices", app.base)).header("if-none-match", &tag).send().await.unwrap();
        assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
        assert!(cached.bytes().await.unwrap().is_empty());
        let stale = app.client.get(format!("{}/notices", app.base)).header("if-none-match", "W/\"old\"").send().await.unwrap();
        assert_eq!(stale.status(), StatusCode::OK);
        // The public API too.
        let api = app.client.get(format!("{}/api/v1/notices", app.base)).send().await.unwrap();
        assert!(header(&api, "etag").is_some() && header(&api, "cache-control").as_deref() == Some("public, max-age=60"));
        // Signed in: private, never stored, no tag — even for a page anyone could read.
        let cookie = page_cookie(&app, "mzj.purchaser").await;
        let mine = app.client.get(format!("{}/notices", app.base)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(header(&mine, "cache-control").as_deref(), Some("private, no-store"));
        assert_eq!(header(&mine, "etag"), None);
        // A page that hands out a cookie, and an error, are not stored either.
        let sign_in = app.client.get(format!("{}/sign-in", app.base)).send().await.unwrap();
        assert_eq!(header(&sign_in, "cache-control").as_deref(), Some("no-store"));
        let missing = app.client.get(format!("{}/notices/999999", app.base)).send().await.unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(header(&missing, "cache-control").as_deref(), Some("no-store"));
        // The error page leads someone not signed in to what is open to all, not to a work queue they have not.
        let html = missing.text().await.unwrap();
        assert!(html.contains("href=\"/notices\"") && html.contains("href=\"/sign-in\""), "{html}");
        assert!(!html.contains("返回工作台"), "{html}");
        let (status, html) = page(&app, "/notices/999999", &cookie).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(html.contains("返回工作台"), "signed in, the way on is the work queue: {html}");
    }

    async fn public_answers_say_when_the_data_last_changed_and_answer_if_modified_since(backend) {
        let app = TestApp::with_demo(backend).await;
        let header = |r: &reqwest::Response, h: &str| r.headers().get(h).map(|v| v.to_str().unwrap().to_string());
        let get = |path: &str, headers: &[(&str, &str)]| {
            let mut req = app.client.get(format!("{}{path}", app.base));
            for (name, value) in headers {
                req = req.header(*name, *value);
            }
            req.send()
        };
        let latest_event = || async {
            let (_, head) = app.call(Method::GET, "/api/v1/audit/head", None, None).await;
            let after = head["seq"].as_i64().unwrap() - 1;
            let (_, events) = app.call(Method::GET, &format!("/api/v1/audit/events?after={after}"), None, None).await;
            let at = chrono::DateTime::parse_from_rfc3339(events[0]["at"].as_str().unwrap()).unwrap();
            at.with_timezone(&chrono::Utc).format("%a, %d %b %Y %H:%M:%S GMT").to_string()
        };
        // The demo has just been loaded: a write of this very moment could still be on its way, so no date yet.
        let fresh = get("/notices", &[]).await.unwrap();
        assert_eq!(fresh.status(), StatusCode::OK);
        assert_eq!(header(&fresh, "last-modified"), None);

        app.clock.advance(chrono::Duration::minutes(1));
        let mut modified = String::new();
        for path in ["/notices", "/api/v1/notices"] {
            let first = get(path, &[]).await.unwrap();
            let lm = header(&first, "last-modified").unwrap_or_else(|| panic!("{path}: a Last-Modified"));
            // RFC 7231's IMF-fixdate, e.g. "Mon, 02 Mar 2026 01:00:00 GMT": the time of the latest change.
            let parsed = chrono::NaiveDateTime::parse_from_str(&lm, "%a, %d %b %Y %H:%M:%S GMT").unwrap();
            assert_eq!(parsed.format("%a, %d %b %Y %H:%M:%S GMT").to_string(), lm, "{path}");
            assert_eq!(lm, latest_event().await, "{path}");
            modified = lm.clone();
            // Nothing changed since: 304 without a body, with the same validators.
            let cached = get(path, &[("if-modified-since", &lm)]).await.unwrap();
            assert_eq!(cached.status(), StatusCode::NOT_MODIFIED, "{path}");
            assert_eq!(header(&cached, "last-modified").as_deref(), Some(lm.as_str()));
            assert_eq!(header(&cached, "etag"), header(&first, "etag"));
            assert!(cached.bytes().await.unwrap().is_empty());
            let later = get(path, &[("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT")]).await.unwrap();
            assert_eq!(later.status(), StatusCode::NOT_MODIFIED, "{path}");
            // A copy from before the change, or a date that is no date: the answer in full.
            for since in ["Sun, 01 Mar 2026 00:00:00 GMT", "yesterday"] {
                let old = get(path, &[("if-modified-since", since)]).await.unwrap();
                assert_eq!(old.status(), StatusCode::OK, "{path} {since}");
            }
            // If-None-Match decides when both are sent.
            let both = get(path, &[("if-modified-since", &lm), ("if-none-match", "W/\"old\"")]).await.unwrap();
            assert_eq!(both.status(), StatusCode::OK, "{path}");
        }

        // Signed in, by cookie or token: no date, and the validator asks nothing.
        let cookie = page_cookie(&app, "mzj.purchaser").await;
        let finance = app.token("czj.reviewer").await;
        let bearer = format!("Bearer {finance}");
        for (path, name, value) in
            [("/notices", "cookie", cookie.as_str()), ("/api/v1/projects", "authorization", bearer.as_str())]
        {
            let mine = get(path, &[(name, value), ("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT")]).await.unwrap();
            assert_eq!(mine.status(), StatusCode::OK, "{path}");
            assert_eq!(header(&mine, "last-modified"), None, "{path}");
        }

        // A change: the old copy is answered in full again, and once the change has settled it carries its time.
        app.clock.advance(chrono::Duration::minutes(1));
        let standard = serde_json::json!({"name": "社工岗位年度经费", "unit": "人·年", "max_unit_price": "50000"});
        app.ok(Method::PUT, "/api/v1/standards/sw_post_year", &finance, Some(standard)).await;
        let changed_at = app.clock.now();
        for path in ["/api/v1/standards", "/notices"] {
            let again = get(path, &[("if-modified-since", &modified)]).await.unwrap();
            assert_eq!(again.status(), StatusCode::OK, "{path}");
            assert_eq!(header(&again, "last-modified"), None, "{path}: too recent to be sure of");
        }
        app.clock.advance(chrono::Duration::minutes(1));
        let settled = get("/api/v1/standards", &[("if-modified-since", &modified)]).await.unwrap();
        assert_eq!(settled.status(), StatusCode::OK);
        let lm = header(&settled, "last-modified").unwrap();
        assert_eq!(lm, changed_at.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
        assert_eq!(lm, latest_event().await);
        let cached = get("/api/v1/standards", &[("if-modified-since", &lm)]).await.unwrap();
        assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    }
}
