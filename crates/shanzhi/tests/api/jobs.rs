//! Several servers on one database: scheduled jobs run once however many servers ask (one `job_runs` row per
//! run), sessions and sign-in counts are shared, racing approvals never overspend and the audit chain never
//! forks; and what the jobs do — the purge of expired sessions, the sweep that marks overdue duties.

use crate::both_backends;
use crate::helpers::*;
use crate::money::{balances, ready_project};
use crate::procurement::{approved_project, at, published_tender};
use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shanzhi_domain::jobs::Job;
use shanzhi_store::{JobStore, PageRequest};
use sqlx::Row;

/// The whole audit chain: its sequence numbers run 1, 2, 3 … without a gap or a repeat, and `audit verify`
/// passes. Returns the events.
async fn whole_chain(app: &TestApp) -> Vec<shanzhi_domain::audit::AuditEvent> {
    let mut events = Vec::new();
    loop {
        let after = events.last().map_or(0, |e: &shanzhi_domain::audit::AuditEvent| e.seq);
        let batch = app.store.audit_events(after, 1000).await.unwrap();
        if batch.is_empty() {
            break;
        }
        events.extend(batch);
    }
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1, "sequence numbers are contiguous");
    }
    let (code, out) = app.verify_cli(None);
    assert_eq!(code, 0, "{out}");
    events
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(app.store.pool()).await.unwrap().get::<i64, _>(0)
}

async fn signed_in(app: &TestApp, cookie: &str) -> bool {
    page(app, "/account/password", cookie).await.0 == StatusCode::OK
}

/// A request to one server: method, path, bearer token, JSON body.
type Ask<'a> = (&'a TestApp, Method, String, Option<String>, Option<Value>);

/// Requests sent at once, each to its server.
async fn at_once(requests: Vec<Ask<'_>>) -> Vec<(StatusCode, Value)> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(server, method, path, token, body)| {
            let mut req = server.client.request(method, format!("{}{path}", server.base));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            if let Some(b) = body {
                req = req.json(&b);
            }
            tokio::spawn(async move {
                let resp = req.send().await.unwrap();
                let status = resp.status();
                (status, resp.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

both_backends! {
    async fn a_job_asked_for_on_two_servers_at_once_runs_once(backend) {
        let app = TestApp::with_demo(backend).await;
        let second = app.another_server().await;
        for hour in 0..3 {
            for job in Job::ALL.map(Job::code) {
                let path = format!("/api/v1/test/jobs/{job}");
                let answers = at_once(vec![
                    (&app, Method::POST, path.clone(), None, None),
                    (&second, Method::POST, path.clone(), None, None),
                ])
                .await;
                assert!(answers.iter().all(|(s, _)| *s == StatusCode::OK), "{answers:?}");
                assert_eq!(answers[0].1["run_key"], answers[1].1["run_key"]);
                let ran = answers.iter().filter(|(_, a)| a["ran"] == true).count();
                // The purge is once a day; the sweep once an hour.
                let expected = usize::from(hour == 0 || job == "deadline_sweep");
                assert_eq!(ran, expected, "{job} in hour {hour}: {answers:?}");
            }
            app.clock.advance(Duration::hours(1));
        }
        let sweeps = app.store.job_run_page(Some(Job::DeadlineSweep), PageRequest::first(10)).await.unwrap().items;
        let keys: Vec<&str> = sweeps.iter().map(|r| r.run_key.as_str()).collect();
        assert_eq!(keys, ["2026-03-02T11:00+08:00", "2026-03-02T10:00+08:00", "2026-03-02T09:00+08:00"], "newest first");
        let purges = app.store.job_run_page(Some(Job::SessionPurge), PageRequest::first(10)).await.unwrap().items;
        assert_eq!(purges.iter().map(|r| r.run_key.as_str()).collect::<Vec<_>>(), ["2026-03-02"]);
        assert!(sweeps.iter().chain(&purges).all(|r| r.server == app.base || r.server == second.base), "{sweeps:?}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM job_runs").await, 4);

        // Administrators read the runs on any server; nobody else does.
        let admin = app.token("admin").await;
        let listed = second.get("/api/v1/job-runs?job=deadline_sweep&limit=2", &admin).await.1;
        assert!(listed["next_cursor"].is_string(), "a third sweep follows: {listed}");
        let listed = listed["items"].as_array().unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(second.all("/api/v1/job-runs?limit=1", Some(&admin)).await.len(), 4, "every run, page by page");
        assert_eq!(listed[0]["run_key"], "2026-03-02T11:00+08:00");
        // The sweep looks at the procurements that await someone and those with marks, not at every one.
        let examined = listed[0]["outcome"]["procurements"].as_i64().unwrap();
        let awaiting = count(&app, "SELECT COUNT(*) FROM procurements WHERE awaits <> 0").await;
        let marked = count(&app, "SELECT COUNT(DISTINCT procurement_id) FROM overdue_duties").await;
        let all = count(&app, "SELECT COUNT(*) FROM procurements").await;
        assert!(awaiting <= examined && examined <= awaiting + marked, "{examined} of {all}: {listed:?}");
        assert!(examined < all, "{examined} of {all}");
        app.refused(Method::GET, "/api/v1/job-runs", &app.token("supervisor").await, None, StatusCode::FORBIDDEN, "forbidden").await;
        app.refused(Method::GET, "/api/v1/job-runs?job=nope", &admin, None, StatusCode::BAD_REQUEST, "unknown_job").await;

        // Each run is one audit event by the system, in a chain that did not fork.
        let events = whole_chain(&app).await;
        let of = |action: &str| events.iter().filter(|e| e.action == action).count();
        assert_eq!((of("job.deadline_sweep"), of("job.session_purge")), (3, 1));
        assert!(events.iter().filter(|e| e.action.starts_with("job.")).all(|e| e.actor_id.is_none() && e.actor_name.starts_with("system:")));
    }

    async fn sessions_and_sign_in_counts_are_shared_by_the_servers(backend) {
        let app = TestApp::with_demo(backend).await;
        let second = app.another_server().await;
        // A token from one server works on the other; signing out on either ends it on both.
        let token = app.token("jyj.purchaser").await;
        assert_eq!(second.get("/api/v1/me", &token).await.1["username"], "jyj.purchaser");
        let (status, _) = second.call(Method::DELETE, "/api/v1/session", Some(&token), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        app.refused(Method::GET, "/api/v1/me", &token, None, StatusCode::UNAUTHORIZED, "unauthenticated").await;

        // So does a browser's session: signed in on one, used on the other, signed out on the first.
        let cookie = page_cookie(&app, "mzj.reviewer").await;
        let (status, html) = page(&second, "/account/password", &cookie).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let form = [("_csrf", csrf_of(&html))];
        let resp = app.client.post(format!("{}/sign-out", app.base)).header("cookie", &cookie).form(&form).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let resp = second.client.get(format!("{}/account/password", second.base)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "signed out everywhere");
        assert!(resp.headers()["location"].to_str().unwrap().starts_with("/sign-in"));

        // Failed sign-ins count together: five wrong passwords, alternating servers, make the right one wait
        // on both.
        let wrong = json!({"username": "czj.reviewer", "password": "wrong-password-1"});
        for k in 0..5 {
            let server = if k % 2 == 0 { &app } else { &second };
            let (status, _) = server.call(Method::POST, "/api/v1/session", None, Some(wrong.clone())).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let right = json!({"username": "czj.reviewer", "password": DEMO_PASSWORD});
        for server in [&app, &second] {
            let (status, body) = server.call(Method::POST, "/api/v1/session", None, Some(right.clone())).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")));
        }
        app.clock.advance(Duration::seconds(31));
        let (status, _) = second.call(Method::POST, "/api/v1/session", None, Some(right)).await;
        assert_eq!(status, StatusCode::CREATED);
    }

    async fn racing_approvals_and_jobs_on_two_servers_keep_the_money_and_the_chain(backend) {
        let app = TestApp::with_demo(backend).await;
        let second = app.another_server().await;
        let purchaser = app.token("jyj.purchaser").await;
        let civil = app.token("mzj.reviewer").await;
        let finance = [app.token("czj.reviewer").await, second.token("czj.reviewer").await];
        let jyj = app.org_id("jyj").await;
        for round in 0..2 {
            let line = app.ok(Method::POST, "/api/v1/budgets", &finance[0], Some(json!({"year": 2026, "org_id": jyj, "source": "other", "amount": "100000"}))).await;
            let mut ids = Vec::new();
            for k in 0..4 {
                let id = ready_project(&app, &purchaser, &format!("两台服务器竞争预算 {round}-{k}"), &line, "40000.00").await;
                app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &civil, Some(json!({"decision": "approve"}))).await;
                ids.push(id);
            }
            // Four approvals of 40,000 against 100,000, two on each server, while both servers run both jobs.
            let servers = [&app, &second];
            let mut requests = Vec::new();
            for (k, id) in ids.iter().enumerate() {
                let body = Some(json!({"decision": "approve"}));
                requests.push((servers[k % 2], Method::POST, format!("/api/v1/projects/{id}/review"), Some(finance[k % 2].clone()), body));
            }
            for job in Job::ALL.map(Job::code) {
                for server in servers {
                    requests.push((server, Method::POST, format!("/api/v1/test/jobs/{job}"), None, None));
                }
            }
            let answers = at_once(requests).await;
            let approvals: Vec<StatusCode> = answers[..4].iter().map(|(s, _)| *s).collect();
            assert_eq!(approvals.iter().filter(|s| **s == StatusCode::OK).count(), 2, "{approvals:?}");
            assert_eq!(approvals.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 2, "{approvals:?}");
            let ran = answers[4..].iter().filter(|(s, a)| *s == StatusCode::OK && a["ran"] == true).count();
            assert_eq!(ran, if round == 0 { 2 } else { 1 }, "{answers:?}");
            let b = balances(&app, &finance[0], line["id"].as_i64().unwrap()).await;
            assert_eq!(b, json!({"available": "20000.00", "reserved": "80000.00", "committed": "0.00", "paid": "0.00"}));
            app.clock.advance(Duration::hours(1));
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM job_runs").await, 3, "one purge, two sweeps");
        whole_chain(&app).await;
    }

    async fn the_purge_deletes_only_expired_sessions(backend) {
        let app = TestApp::with_demo(backend).await;
        let sessions = || count(&app, "SELECT COUNT(*) FROM sessions");
        // A browser session lasts 12 hours, an API token 30 days.
        let morning = page_cookie(&app, "jyj.purchaser").await;
        let script = app.token("czj.reviewer").await;
        let wrong = json!({"username": "mzj.reviewer", "password": "wrong-password-1"});
        assert_eq!(app.call(Method::POST, "/api/v1/session", None, Some(wrong)).await.0, StatusCode::UNAUTHORIZED);
        // At 22:00 the morning's session has expired; the token and an evening session have not.
        app.clock.advance(Duration::hours(13));
        let evening = page_cookie(&app, "wsj.purchaser").await;
        assert_eq!(sessions().await, 3);
        assert!(!signed_in(&app, &morning).await);
        let run = app.run_job("session_purge").await;
        assert_eq!(run["run_key"], "2026-03-02");
        assert_eq!(run["run"]["outcome"], json!({"sessions_deleted": 1, "sign_in_counts_deleted": 0}), "{run}");
        assert_eq!(sessions().await, 2);
        assert!(signed_in(&app, &evening).await);
        assert_eq!(app.get("/api/v1/me", &script).await.0, StatusCode::OK);
        assert_eq!(app.run_job("session_purge").await["ran"], false, "once a day");
        // The next day at 11:00 the evening session has expired too, and the failed sign-in's counts (one for
        // the address, one for the username there) have been idle for more than a day.
        app.clock.advance(Duration::hours(13));
        let run = app.run_job("session_purge").await;
        assert_eq!(run["run_key"], "2026-03-03");
        assert_eq!(run["run"]["outcome"], json!({"sessions_deleted": 1, "sign_in_counts_deleted": 2}), "{run}");
        assert_eq!(sessions().await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sign_in_throttle").await, 0);
        assert!(!signed_in(&app, &evening).await);
        assert_eq!(app.get("/api/v1/me", &script).await.0, StatusCode::OK, "the 30-day token lives on");
        whole_chain(&app).await;
    }

    async fn the_sweep_marks_a_late_duty_overdue_and_the_reply_clears_it(backend) {
        let app = TestApp::with_demo(backend).await;
        let first = app.run_job("deadline_sweep").await;
        assert_eq!(first["run"]["outcome"]["marked"], json!([]), "nothing in the demo is late: {first}");
        let project = approved_project(&app, "留守儿童陪伴（逾期巡检）").await;
        let id = published_tender(&app, project).await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/interest"), &app.token("p.hx").await, None).await;
        let about = json!({"about": "documents", "text": "资格条件要求三年以上同类业绩，排斥新设立的社会组织"});
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/challenges"), &app.token("p.hx").await, Some(about)).await;
        let duties = app.get("/api/v1/duties", &app.token("jyj.purchaser").await).await.1;
        let reply = duties.as_array().unwrap().iter().find(|d| d["code"] == "reply_challenge" && d["procurement_id"] == id).unwrap().clone();
        let due = reply["due"].as_str().unwrap().to_string();
        assert_eq!(reply["overdue"], false);

        // On its last day the reply is not late.
        app.clock.set(at(&format!("{due}T23:00")));
        let run = app.run_job("deadline_sweep").await;
        assert_eq!(run["run"]["outcome"]["marked"], json!([]), "{run}");
        // Ten minutes into the next day it is late, and shown so everywhere once the sweep has marked it.
        let next_day = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").unwrap().succ_opt().unwrap();
        app.clock.set(at(&format!("{next_day}T00:10")));
        let (purchaser, supervisor) = (app.token("jyj.purchaser").await, app.token("supervisor").await);
        let record = app.get(&format!("/api/v1/procurements/{id}"), &purchaser).await.1;
        assert_eq!(record["duties"][0]["overdue"], false, "not before the sweep: every view reads its marks");
        assert_eq!(app.get("/api/v1/overdue", &supervisor).await.1, json!([]));
        let run = app.run_job("deadline_sweep").await;
        assert_eq!(run["run_key"], format!("{next_day}T00:00+08:00"));
        assert_eq!(run["run"]["outcome"]["marked"], json!([{"procurement_id": id, "code": "reply_challenge", "challenge": 1, "due": due}]), "{run}");
        let overdue = app.get("/api/v1/overdue", &supervisor).await.1;
        assert_eq!(overdue.as_array().unwrap().len(), 1, "{overdue}");
        assert_eq!((overdue[0]["procurement_id"].as_i64(), overdue[0]["code"].as_str()), (Some(id), Some("reply_challenge")));
        assert!(overdue[0]["overdue_since"].as_str().unwrap().starts_with(&format!("{due}T16:10")), "{overdue}");
        let record = app.get(&format!("/api/v1/procurements/{id}"), &purchaser).await.1;
        assert_eq!(record["duties"][0]["overdue"], true);
        let mine = app.get("/api/v1/duties", &purchaser).await.1;
        assert!(mine.as_array().unwrap().iter().any(|d| d["procurement_id"] == id && d["overdue"] == true), "{mine}");
        let (status, html) = page(&app, "/overdue", &page_cookie(&app, "supervisor").await).await;
        assert!(status == StatusCode::OK && html.contains("留守儿童陪伴（逾期巡检）"), "{html}");
        let (_, html) = page(&app, &format!("/procurements/{id}"), &page_cookie(&app, "jyj.purchaser").await).await;
        assert!(html.contains("已逾期"), "the procurement's page says so too");
        assert_eq!(app.run_job("deadline_sweep").await["ran"], false, "once an hour");

        // Two hours later the reply resolves the mark in its own transaction: the list is empty at once, and the
        // record of how late it was stays.
        app.clock.advance(Duration::hours(2));
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/challenges/1/reply"), &purchaser, Some(json!({"text": "资格条件已按法规修改并发布更正公告", "upheld": true}))).await;
        assert_eq!(app.get("/api/v1/overdue", &supervisor).await.1, json!([]));
        let row = sqlx::query("SELECT marked_at, resolved_at, resolved_by FROM overdue_duties WHERE procurement_id = $1")
            .bind(id)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert!(row.get::<String, _>("marked_at") < row.get::<Option<String>, _>("resolved_at").unwrap());
        assert_eq!(row.get::<Option<String>, _>("resolved_by").as_deref(), Some("jyj.purchaser"));
        app.clock.advance(Duration::hours(1));
        let run = app.run_job("deadline_sweep").await;
        assert_eq!((run["run"]["outcome"]["marked"].clone(), run["run"]["outcome"]["resolved"].clone()), (json!([]), json!([])), "{run}");

        // A mark left open on a procurement that awaits nobody (its duty went without a write resolving it) is
        // resolved by the next sweep, which looks at such procurements beside the awaiting ones.
        let idle: i64 = sqlx::query("SELECT id FROM procurements WHERE awaits = 0 ORDER BY id LIMIT 1")
            .fetch_one(app.store.pool()).await.unwrap().get(0);
        sqlx::query("INSERT INTO overdue_duties (procurement_id, code, challenge, due, marked_at, marked_by_run) \
                     SELECT $1, 'confirm_winner', 0, '2026-01-05', '2026-01-06T00:10:00Z', MAX(id) FROM job_runs")
            .bind(idle).execute(app.store.pool()).await.unwrap();
        app.clock.advance(Duration::hours(1));
        let run = app.run_job("deadline_sweep").await;
        let resolved = run["run"]["outcome"]["resolved"].as_array().unwrap().clone();
        assert_eq!(resolved.len(), 1, "{run}");
        assert_eq!((resolved[0]["procurement_id"].as_i64(), resolved[0]["code"].as_str()), (Some(idle), Some("confirm_winner")));
        assert_eq!(app.get("/api/v1/overdue", &supervisor).await.1, json!([]));
        whole_chain(&app).await;
    }

    async fn a_work_queue_reads_the_open_marks_of_its_own_procurements_only(backend) {
        // A home page once read every open mark of the province to show one department's few duties.
        let app = TestApp::empty(backend).await;
        let (code, _, err) = crate::gen::gen(&app, &["--projects", "1200", "--counties", "2", "--seed", "3"]);
        assert_eq!(code, 0, "{err}");
        app.run_job("deadline_sweep").await;
        let pool = app.store.pool();
        sqlx::raw_sql("INSERT INTO overdue_duties (procurement_id, code, challenge, due, marked_at, marked_by_run) \
                       SELECT id, 'confirm_winner', 0, '2026-01-05', '2026-01-06T00:10:00Z', (SELECT MAX(id) FROM job_runs) \
                       FROM procurements WHERE 1 = 1 ON CONFLICT DO NOTHING").execute(pool).await.unwrap();
        sqlx::raw_sql("UPDATE overdue_duties SET resolved_at = '2026-01-07T00:00:00Z', resolved_by = 'test' \
                       WHERE procurement_id = (SELECT MIN(id) FROM procurements)").execute(pool).await.unwrap();
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM procurements ORDER BY id").fetch_all(pool).await.unwrap();
        assert!(ids.len() > 200, "more than one statement's worth: {}", ids.len());
        let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM overdue_duties WHERE resolved_at IS NULL").fetch_one(pool).await.unwrap();
        let all = app.store.open_overdue_marks(&ids).await.unwrap();
        assert_eq!(all.len() as i64, open);
        assert!(all.iter().all(|m| m.resolved_at.is_none() && m.procurement_id != ids[0]), "resolved marks stay out");
        assert!(all.windows(2).all(|w| (w[0].due, w[0].procurement_id, w[0].id) <= (w[1].due, w[1].procurement_id, w[1].id)));
        let some = [ids[0], ids[1], ids[ids.len() - 1]];
        let marks = app.store.open_overdue_marks(&some).await.unwrap();
        assert_eq!(marks.iter().map(|m| m.procurement_id).collect::<std::collections::BTreeSet<_>>(), some[1..].iter().copied().collect());
        assert_eq!(marks.len(), all.iter().filter(|m| some.contains(&m.procurement_id)).count());
        assert!(app.store.open_overdue_marks(&[]).await.unwrap().is_empty());
    }
}

/// A `shanzhi serve` process; answers it and the address it serves at, once it says so.
fn serve(dir: &std::path::Path, url: &str, extra: &[&str]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shanzhi"))
        .arg("--data")
        .arg(dir)
        .args(["--database-url", url, "serve", "--addr", "127.0.0.1:0", "--test-clock", "2026-03-02T09:00:00+08:00"])
        .args(extra)
        .env("SHANZHI_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run shanzhi");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // The demo's account list comes first.
    while !line.contains("serving http://") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "the server ended before serving");
    }
    let base = format!("http://{}", line.trim().rsplit("http://").next().unwrap());
    (child, base)
}

fn stop(mut child: std::process::Child) {
    let term = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let asked = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if asked.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("still running 20 s after SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

/// README, "Several servers": two `serve` processes on one PostgreSQL database and one data folder. Their
/// schedulers both start by asking for the day's purge and the hour's sweep; each is done once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_processes_on_one_postgresql_database() {
    let dir = temp_dir();
    let url = fresh_database(shanzhi_store::Backend::Postgres, &dir).await;
    let migrate = std::process::Command::new(env!("CARGO_BIN_EXE_shanzhi"))
        .arg("--data")
        .arg(&dir)
        .args(["--database-url", &url, "migrate"])
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    let (a, base_a) = serve(&dir, &url, &["--demo", "--instance", "a"]);
    let (b, base_b) = serve(&dir, &url, &["--instance", "b"]);
    let store = shanzhi::Location::new(&dir, Some(&url)).open().await.unwrap();
    let started = std::time::Instant::now();
    let runs = loop {
        let runs = store.job_run_page(None, PageRequest::first(10)).await.unwrap().items;
        if runs.len() >= 2 || started.elapsed() > std::time::Duration::from_secs(20) {
            break runs;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let mut keys: Vec<(&str, &str)> = runs.iter().map(|r| (r.job.as_str(), r.run_key.as_str())).collect();
    keys.sort();
    assert_eq!(keys, [("deadline_sweep", "2026-03-02T09:00+08:00"), ("session_purge", "2026-03-02")], "{runs:?}");
    assert!(runs.iter().all(|r| r.server == "a" || r.server == "b"), "{runs:?}");
    let client = reqwest::Client::new();
    for base in [&base_a, &base_b] {
        for job in Job::ALL.map(Job::code) {
            let answer: Value =
                client.post(format!("{base}/api/v1/test/jobs/{job}")).send().await.unwrap().json().await.unwrap();
            assert_eq!(answer["ran"], false, "{base} {job}: the schedulers have done it: {answer}");
        }
    }
    assert_eq!(store.job_run_page(None, PageRequest::first(10)).await.unwrap().items.len(), 2);
    // Signed in on one, signed out on the other.
    let signed: Value = client
        .post(format!("{base_a}/api/v1/session"))
        .json(&json!({"username": "admin", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signed["token"].as_str().unwrap();
    let me = client.get(format!("{base_b}/api/v1/me")).bearer_auth(token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let out = client.delete(format!("{base_b}/api/v1/session")).bearer_auth(token).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let me = client.get(format!("{base_a}/api/v1/me")).bearer_auth(token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    stop(a);
    stop(b);
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_shanzhi"))
        .arg("--data")
        .arg(&dir)
        .args(["--database-url", &url, "audit", "verify"])
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
}
