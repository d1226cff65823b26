//! The command line, as scripts use it.

use crate::both_backends;
use crate::helpers::*;
use std::io::Write;
use std::process::{Command, Stdio};

pub(crate) fn shanzhi(app: &TestApp, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    shanzhi_at(&app.location, args, stdin, &[])
}

/// Runs the command over `location` with extra environment variables. One still running after 120 s (a
/// server that should have refused to start) is killed and reported as exit code -1: long enough for the demo's
/// load on PostgreSQL on a busy two-core machine (about 30 s), short enough to end a hung test.
pub(crate) fn shanzhi_at(
    location: &shanzhi::Location,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shanzhi"));
    cmd.arg("--data").arg(&location.data_dir).arg("--database-url").arg(&location.database_url).args(args);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).env("SHANZHI_LOG", "error");
    cmd.envs(env.iter().copied());
    let mut child = cmd.spawn().expect("run shanzhi");
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let until = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        match child.try_wait().unwrap() {
            Some(status) => break status.code().unwrap_or(-1),
            None if std::time::Instant::now() > until => {
                let _ = child.kill();
                let _ = child.wait();
                break -1;
            }
            None => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    };
    (status, stdout.join().unwrap(), stderr.join().unwrap())
}

both_backends! {
    async fn demo_is_idempotent_and_summary_matches_the_seed(backend) {
        let app = TestApp::empty(backend).await;
        let (code, out, err) = shanzhi(&app, &["demo"], None);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("demo loaded") && out.contains(DEMO_PASSWORD) && out.contains("czj.reviewer"), "{out}");
        let events = app.store.audit_head().await.unwrap().unwrap().0;
        let projects = app.store.projects().await.unwrap().len();
        let (code, out, _) = shanzhi(&app, &["demo"], None);
        assert_eq!(code, 0);
        assert!(out.contains("nothing changed"), "{out}");
        assert_eq!(app.store.audit_head().await.unwrap().unwrap().0, events, "a second run writes nothing");
        assert_eq!(app.store.projects().await.unwrap().len(), projects);

        let (code, out, err) = shanzhi(&app, &["report", "summary", "--year", "2013", "--json"], None);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["year"], 2013);
        assert_eq!(v["by_mode"], serde_json::json!({"post": "450000.00", "project": "900000.00"}));
        assert_eq!(v["projects_by_step"]["completed"], 3);
        for step in ["design", "cost_estimate", "review", "procurement", "contract", "acceptance", "cancelled"] {
            assert_eq!(v["projects_by_step"][step], 0, "{step}");
        }
        // Every step has a project standing at it today.
        let (_, out, _) = shanzhi(&app, &["report", "summary", "--json"], None);
        let all: serde_json::Value = serde_json::from_str(&out).unwrap();
        for step in ["design", "cost_estimate", "review", "procurement", "contract", "acceptance", "completed", "cancelled"] {
            assert!(all["projects_by_step"][step].as_i64().unwrap() >= 1, "{step}: {all}");
        }
        let (code, out, _) = shanzhi(&app, &["audit", "verify"], None);
        assert_eq!((code, out.trim().to_string()), (0, format!("ok: {events} events")));
    }

    async fn report_refuses_a_year_outside_the_data(backend) {
        let app = TestApp::empty(backend).await;
        let (code, out, err) = shanzhi(&app, &["report", "summary", "--year", "2013", "--json"], None);
        assert_eq!((code, out.as_str()), (2, ""), "an empty store has no years: {err}");
        assert!(err.contains("--year") && err.contains("no data"), "{err}");
        let (code, _, err) = shanzhi(&app, &["demo"], None);
        assert_eq!(code, 0, "{err}");
        for year in ["99999", "-2147483648", "1999"] {
            let flag = format!("--year={year}");
            for args in [
                vec!["report", "summary", "--json", &flag],
                vec!["report", "export", "--format", "csv", "--out", "/dev/null", &flag],
            ] {
                let (code, out, err) = shanzhi(&app, &args, None);
                assert_eq!((code, out.as_str()), (2, ""), "{args:?}: {err}");
                assert!(err.contains(&format!("--year: {year} is outside the data's years 2013–")), "{args:?}: {err}");
            }
        }
        // Every year from the first to the last is answered, even one without contracts.
        let (code, out, err) = shanzhi(&app, &["report", "summary", "--json", "--year", "2014"], None);
        assert_eq!(code, 0, "{err}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["year"], 2014);
    }

    async fn user_add_names_the_wrong_field(backend) {
        let app = TestApp::with_demo(backend).await;
        let (code, _, err) = shanzhi(&app, &["user", "add", "--username", "li.si", "--role", "king", "--org", "mzj"], None);
        assert_ne!(code, 0);
        assert!(err.contains("--role"), "{err}");
        let (code, _, err) = shanzhi(&app, &["user", "add", "--username", "li.si", "--role", "purchaser", "--org", "nowhere"], None);
        assert_ne!(code, 0);
        assert!(err.contains("--org"), "{err}");
        let (code, _, err) = shanzhi(&app, &["user", "add", "--username", "li.si", "--role", "purchaser", "--org", "mzj", "--password-stdin"], Some("short\n"));
        assert_ne!(code, 0);
        assert!(err.contains("--password"), "{err}");
        let (code, out, err) = shanzhi(&app, &["user", "add", "--username", "li.si", "--role", "purchaser,reviewer", "--org", "mzj", "--password-stdin"], Some("li-si-password-1\n"));
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("added user li.si") && !out.contains("password:"), "{out}");
        let (code, _, err) = shanzhi(&app, &["user", "add", "--username", "li.si", "--role", "purchaser", "--org", "mzj"], None);
        assert_ne!(code, 0);
        assert!(err.contains("--username"), "{err}");
        let (code, out, _) = shanzhi(&app, &["user", "add", "--username", "wang.wu", "--role", "supervisor", "--org", "czj", "--supervisor-region", "420506"], None);
        assert_eq!(code, 0);
        assert!(out.contains("password: sz-"), "a generated password is printed once: {out}");
        let (status, _) = app.call(reqwest::Method::POST, "/api/v1/session", None, Some(serde_json::json!({"username": "li.si", "password": "li-si-password-1"}))).await;
        assert_eq!(status, reqwest::StatusCode::CREATED);
    }
}

#[test]
fn bad_database_url_is_a_clear_error() {
    let out =
        // Its own data folder: the default `./data` would leave key files in the source tree.
        Command::new(env!("CARGO_BIN_EXE_shanzhi")).arg("--data").arg(temp_dir()).args(["--database-url", "mysql://x", "migrate"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite: or postgres://"));
}
