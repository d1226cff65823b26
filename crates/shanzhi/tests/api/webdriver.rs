//! A small W3C WebDriver client over HTTP, driving Debian's Chromium through its chromedriver.

use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    client: reqwest::Client,
    base: String,
    session: String,
    driver: Child,
}

/// Whether browser tests must run: in CI (where .ci/run installs Chromium) or when asked for.
pub fn required() -> bool {
    std::env::var("SHANZHI_BROWSER_TESTS").is_ok_and(|v| v == "1") || std::env::var("CI").is_ok()
}

fn find_program(name: &str) -> Option<String> {
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file()).map(|p| p.display().to_string())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium. `None` when they are not installed and not required.
    pub async fn start() -> Option<Browser> {
        let (Some(driver_bin), Some(chromium)) = (find_program("chromedriver"), find_program("chromium")) else {
            assert!(!required(), "browser tests are required here but chromium/chromedriver are not installed");
            eprintln!(
                "SKIPPED: chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
            );
            return None;
        };
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("addr").port()
        };
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..100 {
            if client.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!("shanzhi-chromium-{port}"));
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=412,915", format!("--user-data-dir={}", profile.display())]
        }}}});
        let resp: Value = client
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .expect("new session")
            .json()
            .await
            .expect("json");
        let session = resp["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {resp}")).to_string();
        Some(Browser { client, base, session, driver })
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.client.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.expect("webdriver").json().await.expect("webdriver json");
        if let Some(err) = v["value"]["error"].as_str() {
            panic!("webdriver {path}: {err}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({"url": url}))).await;
    }

    /// Forgets every cookie: the next page is seen signed out.
    pub async fn clear_cookies(&self) {
        self.cmd(reqwest::Method::DELETE, "/cookie", None).await;
    }

    pub async fn url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None).await.as_str().unwrap_or_default().to_string()
    }

    pub async fn source(&self) -> String {
        self.cmd(reqwest::Method::GET, "/source", None).await.as_str().unwrap_or_default().to_string()
    }

    async fn find(&self, css: &str) -> String {
        let v = self.cmd(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await;
        match v[ELEMENT].as_str() {
            Some(id) => id.to_string(),
            None => panic!(
                "no element {css} on {}: {v}\n{}",
                self.url().await,
                self.source().await.chars().take(800).collect::<String>()
            ),
        }
    }

    /// Clears the field and types `text`.
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{e}/clear"), Some(json!({}))).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{e}/value"), Some(json!({"text": text}))).await;
    }

    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{e}/click"), Some(json!({}))).await;
    }

    async fn script(&self, script: &str) -> Value {
        self.cmd(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": []}))).await
    }

    /// How many of the elements `css` selects hold content wider than their box, plus one if the whole page is
    /// wider than the window: what would need a sideways scroll or spill over its neighbours on a phone.
    pub async fn overflowing(&self, css: &str) -> i64 {
        let script = "const d = document.documentElement; \
            const spilt = [...document.querySelectorAll(arguments[0])].filter(e => e.scrollWidth > e.clientWidth + 1); \
            return spilt.length + (d.scrollWidth > d.clientWidth ? 1 : 0);";
        let v = self.cmd(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": [css]}))).await;
        v.as_i64().unwrap_or_else(|| panic!("a count, not {v}"))
    }

    /// How many of the elements `css` selects take more than one line (a figure broken in two).
    pub async fn wrapped(&self, css: &str) -> i64 {
        let script = "return [...document.querySelectorAll(arguments[0])].filter(e => \
            e.clientHeight > 1.5 * parseFloat(getComputedStyle(e).lineHeight)).length;";
        let v = self.cmd(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": [css]}))).await;
        v.as_i64().unwrap_or_else(|| panic!("a count, not {v}"))
    }

    /// Clicks something that loads a new page, and waits until the new page has loaded.
    pub async fn click_and_wait(&self, css: &str) {
        self.script("window.__shanzhi_old_page = true;").await;
        self.click(css).await;
        for _ in 0..200 {
            let fresh = self
                .script("return window.__shanzhi_old_page === undefined && document.readyState === 'complete';")
                .await;
            if fresh == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("clicking {css} did not load a page within 5 s");
    }

    /// Sets a form control's value by script (date inputs, selects), as a user's picker would.
    pub async fn set(&self, css: &str, value: &str) {
        let script = "const e = document.querySelector(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('change', {bubbles: true}));";
        self.cmd(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": [css, value]}))).await;
    }

    pub async fn text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.cmd(reqwest::Method::GET, &format!("/element/{e}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// A PNG of the current page.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap_or_default()).unwrap_or_default()
    }

    pub async fn quit(mut self) {
        let _ = self.client.delete(format!("{}/session/{}", self.base, self.session)).send().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
