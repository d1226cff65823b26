//! Cookies and forms: the sign-in form's pre-session CSRF token, `Secure` cookies behind an https public
//! address (`serve --public-url`), and private downloads that are never cached.

use crate::both_backends;
use crate::helpers::*;
use reqwest::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use std::io::BufRead;

fn set_cookies(resp: &reqwest::Response) -> Vec<String> {
    resp.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect()
}

/// The sign-in form as a browser gets it: its pre-session cookie (`sz_pre=…`) and the form's token.
async fn sign_in_form(app: &TestApp) -> (String, String) {
    let resp = app.client.get(format!("{}/sign-in", app.base)).send().await.unwrap();
    let cookie = set_cookies(&resp).into_iter().find(|c| c.starts_with("sz_pre=")).expect("a pre-session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("Path=/sign-in"), "{cookie}");
    let html = resp.text().await.unwrap();
    (cookie.split(';').next().unwrap().to_string(), csrf_of(&html))
}

async fn post_sign_in(app: &TestApp, cookie: Option<&str>, csrf: &str) -> reqwest::Response {
    let mut req = app.client.post(format!("{}/sign-in", app.base)).form(&[
        ("_csrf", csrf),
        ("username", "jyj.purchaser"),
        ("password", DEMO_PASSWORD),
        ("next", "/projects"),
    ]);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.unwrap()
}

both_backends! {
    async fn the_sign_in_form_carries_a_csrf_token(backend) {
        let app = TestApp::with_demo(backend).await;
        let (cookie, csrf) = sign_in_form(&app).await;
        let (other_cookie, other_csrf) = sign_in_form(&app).await;
        assert_ne!(csrf, other_csrf);
        // Posted from elsewhere — without the cookie, without the token, or with another browser's — it signs
        // nobody in, and comes back as a form that works.
        for (c, t) in [(None, csrf.as_str()), (Some(cookie.as_str()), ""), (Some(cookie.as_str()), other_csrf.as_str()), (Some(other_cookie.as_str()), csrf.as_str())] {
            let resp = post_sign_in(&app, c, t).await;
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{c:?} {t}");
            assert!(!set_cookies(&resp).iter().any(|c| c.starts_with("sz_session=")), "no session");
            let html = resp.text().await.unwrap();
            assert!(html.contains("页面已过期") && html.contains(r#"name="_csrf""#), "{html}");
        }
        // The form's own token with its own cookie signs in, on any server sharing the store, and ends the
        // pre-session.
        let other_server = app.another_server().await;
        let resp = post_sign_in(&other_server, Some(&cookie), &csrf).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()[LOCATION], "/projects");
        let cookies = set_cookies(&resp);
        assert!(cookies.iter().any(|c| c.starts_with("sz_session=")), "{cookies:?}");
        assert!(cookies.iter().any(|c| c.starts_with("sz_pre=;") && c.contains("Max-Age=0")), "{cookies:?}");
    }

    async fn cookies_are_secure_behind_an_https_public_url(backend) {
        let setup = Setup { public_url: Some("https://shanzhi.yiling.gov.cn/"), ..Setup::default() };
        let app = TestApp::with_demo_and(backend, setup).await;
        let resp = app.client.get(format!("{}/sign-in", app.base)).send().await.unwrap();
        assert!(set_cookies(&resp).iter().all(|c| c.contains("; Secure")), "{:?}", set_cookies(&resp));
        let resp = form_sign_in_from(&app, None, "jyj.purchaser", DEMO_PASSWORD, "/").await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let cookies = set_cookies(&resp);
        let session = cookies.iter().find(|c| c.starts_with("sz_session=")).unwrap();
        assert!(session.contains("; Secure") && session.contains("HttpOnly"), "{session}");
        let cookie = session_cookie_of(&resp);
        let (_, html) = page(&app, "/", &cookie).await;
        let resp = app.client.post(format!("{}/sign-out", app.base)).header("cookie", &cookie).form(&[("_csrf", csrf_of(&html))]).send().await.unwrap();
        assert!(set_cookies(&resp).iter().all(|c| c.contains("; Secure") && c.contains("Max-Age=0")));
    }

    async fn private_downloads_are_never_cached(backend) {
        let app = TestApp::with_demo(backend).await;
        let provider = app.token("p.yg").await;
        let part = reqwest::multipart::Part::bytes(b"%PDF-1.4 private".to_vec()).file_name("证明.pdf");
        let resp = app.client.post(format!("{}/api/v1/files", app.base)).bearer_auth(&provider)
            .multipart(reqwest::multipart::Form::new().part("file", part)).send().await.unwrap();
        let id = resp.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
        let api = app.client.get(format!("{}/api/v1/files/{id}", app.base)).bearer_auth(&provider).send().await.unwrap();
        let cookie = page_cookie(&app, "p.yg").await;
        let page_download = app.client.get(format!("{}/files/{id}", app.base)).header("cookie", &cookie).send().await.unwrap();
        let supervisor = page_cookie(&app, "supervisor").await;
        let export = app.client.get(format!("{}/dashboard/export.csv?year=2013", app.base)).header("cookie", &supervisor).send().await.unwrap();
        let (_, me) = app.call(Method::GET, "/api/v1/me", Some(&provider), None).await;
        assert_eq!(me["username"], "p.yg");
        let json = app.client.get(format!("{}/api/v1/me", app.base)).bearer_auth(&provider).send().await.unwrap();
        for (what, resp) in [("API download", api), ("page download", page_download), ("export", export), ("API answer", json)] {
            assert_eq!(resp.status(), StatusCode::OK, "{what}");
            assert_eq!(resp.headers().get(CACHE_CONTROL).map(|v| v.to_str().unwrap()), Some("private, no-store"), "{what}");
        }
        // The stylesheet, public and versioned by its content, is still cached for long.
        let (_, home) = page(&app, "/", "").await;
        let href = home.split(r#"rel="stylesheet" href=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
        let css = app.client.get(format!("{}{href}", app.base)).send().await.unwrap();
        assert_eq!(css.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
    }
}

#[test]
fn serve_takes_a_public_url() {
    let dir = temp_dir();
    let run = |url: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_shanzhi"))
            .arg("--data")
            .arg(&dir)
            .args(["serve", "--addr", "127.0.0.1:0", "--public-url", url])
            .env("SHANZHI_LOG", "error")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run shanzhi")
    };
    for bad in ["ftp://shanzhi.example", "shanzhi.example", "https://", "https://a b"] {
        let out = run(bad).wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains("--public-url"), "{bad}: {err}");
    }
    // A real server: its cookies are Secure.
    let mut child = run("https://shanzhi.yiling.gov.cn");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    let answer = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let resp = reqwest::get(format!("{base}/sign-in")).await.unwrap();
            (resp.status(), set_cookies(&resp))
        })
    })
    .join();
    child.kill().unwrap();
    child.wait().unwrap();
    let (status, cookies) = answer.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(cookies.iter().any(|c| c.starts_with("sz_pre=") && c.contains("; Secure")), "{cookies:?}");
}
