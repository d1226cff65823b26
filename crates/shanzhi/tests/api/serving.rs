//! The server process as an operator runs it: its serving limits are flags, and SIGTERM stops it cleanly.

use crate::both_backends;
use crate::helpers::*;
use reqwest::StatusCode;
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
    }
}
