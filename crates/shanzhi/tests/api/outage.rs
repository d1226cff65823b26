//! Database outages fail fast: while PostgreSQL cannot be reached, requests and `/healthz` answer 503
//! `database_unavailable` within seconds, and the server recovers by itself; a damaged SQLite file is
//! reported as such at once.

use crate::cli::shanzhi_at;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use shanzhi::Location;
use shanzhi_store::{Backend, Timeouts};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A TCP proxy between the server and PostgreSQL. Cut, it keeps every connection open but lets nothing
/// through — as a network that drops packets — and holds new connections the same way; restored, it
/// passes everything again.
struct Proxy {
    addr: SocketAddr,
    open: watch::Sender<bool>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (open, _) = watch::channel(true);
        let gate = open.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mut gate = gate.subscribe();
                tokio::spawn(async move {
                    if gate.wait_for(|open| *open).await.is_err() {
                        return;
                    }
                    let Ok(server) = TcpStream::connect(upstream).await else { return };
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    tokio::join!(pipe(client_read, server_write, gate.clone()), pipe(server_read, client_write, gate));
                });
            }
        });
        Proxy { addr, open }
    }

    fn cut(&self) {
        self.open.send_replace(false);
    }

    fn restore(&self) {
        self.open.send_replace(true);
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut gate: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if gate.wait_for(|open| *open).await.is_err() || to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// `url` with its host and port replaced by `addr`.
fn via(url: &str, addr: SocketAddr) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (userinfo, rest) = rest.rsplit_once('@').map_or(("", rest), |(u, r)| (u, r));
    let path = &rest[rest.find('/').unwrap()..];
    let at = if userinfo.is_empty() { String::new() } else { format!("{userinfo}@") };
    format!("{scheme}://{at}{addr}{path}")
}

fn upstream(url: &str) -> SocketAddr {
    let rest = url.split_once("://").unwrap().1;
    let host = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let host = &host[..host.find('/').unwrap()];
    let host = if host.contains(':') { host.to_string() } else { format!("{host}:5432") };
    std::net::ToSocketAddrs::to_socket_addrs(&host.replace("localhost", "127.0.0.1")).unwrap().next().unwrap()
}

async fn assert_unavailable(resp: reqwest::Response, started: Instant, what: &str) {
    let elapsed = started.elapsed();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE, "{what}");
    assert!(resp.headers().contains_key("retry-after"), "{what}: Retry-After");
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    assert_eq!(body["code"], "database_unavailable", "{what}: {body}");
    assert!(elapsed < Duration::from_secs(8), "{what} answered after {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_answers_503_within_seconds_and_the_server_recovers() {
    let dir = temp_dir();
    let direct = fresh_database(Backend::Postgres, &dir).await;
    let proxy = Proxy::start(upstream(&direct)).await;
    // Statements may run 2 s here, so that a request cut off mid-query gives up within 3 + 2 + 2 s.
    let timeouts = Timeouts { connect: Duration::from_secs(3), statement: Duration::from_secs(2) };
    let location = Location::new(&dir, Some(&via(&direct, proxy.addr))).with_timeouts(timeouts);
    let app = TestApp::at(location, Backend::Postgres).await;
    app.load_demo().await;
    let token = app.token("mzj.purchaser").await;
    let health = app.client.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    proxy.cut();
    let started = Instant::now();
    let resp = app.client.get(format!("{}/api/v1/projects", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_unavailable(resp, started, "a read").await;
    let started = Instant::now();
    let resp = app
        .client
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"username": "czj.reviewer", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_unavailable(resp, started, "a sign-in").await;
    let started = Instant::now();
    let resp = app.client.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_unavailable(resp, started, "/healthz").await;
    let started = Instant::now();
    let resp = app.client.get(format!("{}/notices", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE, "a page");
    assert!(started.elapsed() < Duration::from_secs(8));

    // The network returns: the server answers again by itself.
    proxy.restore();
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let health = app.client.get(format!("{}/healthz", app.base)).send().await.unwrap();
        if health.status() == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < until, "the server did not recover: {}", health.status());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.get("/api/v1/projects", &token).await.0, StatusCode::OK);
    app.token("czj.reviewer").await;

    // A query already on its way when the network goes never comes back by itself: the request gives up.
    use sqlx::Connection;
    let mut blocker = sqlx::PgConnection::connect(&direct).await.unwrap();
    sqlx::raw_sql("BEGIN; LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE").execute(&mut blocker).await.unwrap();
    let request = {
        let (client, base) = (app.client.clone(), app.base.clone());
        tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/session"))
                .json(&json!({"username": "czj.reviewer", "password": DEMO_PASSWORD}))
                .send()
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    proxy.cut();
    let started = Instant::now();
    sqlx::raw_sql("ROLLBACK").execute(&mut blocker).await.unwrap();
    let resp = request.await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE, "a sign-in cut off mid-query");
    assert!(started.elapsed() < Duration::from_secs(12), "it gave up after {:?}", started.elapsed());
    proxy.restore();
    let until = Instant::now() + Duration::from_secs(20);
    while app.call(Method::GET, "/healthz", None, None).await.0 != StatusCode::OK {
        assert!(Instant::now() < until, "the server did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.token("czj.reviewer").await;
}

#[test]
fn a_command_gives_up_on_an_unreachable_database_within_seconds() {
    // A server that accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(64).collect();
        std::thread::sleep(Duration::from_secs(120));
        drop(held);
    });
    let location = Location::new(&temp_dir(), Some(&format!("postgres://postgres@{addr}/postgres")));
    let started = Instant::now();
    let (code, _, err) = shanzhi_at(&location, &["migrate"], None, &[]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("unavailable"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(8), "gave up after {:?}", started.elapsed());
}

#[test]
fn a_damaged_sqlite_file_is_reported_at_once() {
    let dir = temp_dir();
    let location = Location::new(&dir, None);
    let (code, _, err) = shanzhi_at(&location, &["migrate"], None, &[]);
    assert_eq!(code, 0, "{err}");
    // The first page, past the file header, is what SQLite reads first: ruin it (with no WAL to mend it).
    let db = dir.join("shanzhi.db");
    for side in ["shanzhi.db-wal", "shanzhi.db-shm"] {
        let _ = std::fs::remove_file(dir.join(side));
    }
    let mut bytes = std::fs::read(&db).unwrap();
    bytes[100..4096].fill(0xff);
    std::fs::write(&db, bytes).unwrap();
    let started = Instant::now();
    let (code, _, err) = shanzhi_at(&location, &["audit", "verify"], None, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("database disk image is malformed") && err.contains(&db.display().to_string()), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5), "reported after {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_upload_is_not_cut_off_by_the_request_deadline() {
    // A request may spend 1 + 1 + 2 = 4 s on its own work; its body arrives over 6 s.
    let timeouts = Timeouts { connect: Duration::from_secs(1), statement: Duration::from_secs(1) };
    let app = TestApp::at(Location::new(&temp_dir(), None).with_timeouts(timeouts), Backend::Sqlite).await;
    app.load_demo().await;
    let token = app.token("p.xlx").await;
    let boundary = "sz-slow-upload";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"签到表.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n{}\r\n--{boundary}--\r\n",
        "张三 李四 王五\n".repeat(200)
    );
    let head = format!(
        "POST /api/v1/files HTTP/1.1\r\nHost: shanzhi\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.as_bytes().chunks(body.len() / 6 + 1) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        stream.write_all(chunk).await.unwrap();
    }
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}
