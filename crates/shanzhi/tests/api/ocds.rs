//! Open data in OCDS over HTTP: the release feed's pages and cursor (also while writes land), a process's record,
//! the bulk export, and what the endpoints refuse.

use crate::both_backends;
use crate::helpers::*;
use crate::procurement::{approved_project, comprehensive, documents};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};

/// A release's key across processes.
fn key(r: &Value) -> String {
    format!("{} {}", r["ocid"].as_str().unwrap(), r["id"].as_str().unwrap())
}

/// A release package's releases and the path of its next page.
async fn page(app: &TestApp, path: &str) -> (Vec<Value>, Option<String>) {
    let (status, p) = app.call(Method::GET, path, None, None).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {p}");
    assert_eq!(p["version"], "1.1");
    assert!(p["uri"].as_str().unwrap().ends_with(path), "{} for {path}", p["uri"]);
    let next = p["links"]["next"].as_str().map(|n| n[n.find("/api/ocds/").unwrap()..].to_string());
    (p["releases"].as_array().unwrap().clone(), next)
}

/// Every release from `path` on, following `links.next` to the end.
async fn feed(app: &TestApp, path: &str) -> Vec<Value> {
    let (mut all, mut next) = page(app, path).await;
    while let Some(path) = next {
        let (more, after) = page(app, &path).await;
        assert!(!more.is_empty() || after.is_none(), "a page that links on holds releases");
        all.extend(more);
        next = after;
    }
    all
}

/// Starts a procurement on an approved project, which publishes its purchase intention.
async fn intention(app: &TestApp, title: &str) -> i64 {
    let project = approved_project(app, title).await;
    let purchaser = app.token("jyj.purchaser").await;
    let body = json!({"method": "open_tender", "documents": documents(comprehensive())});
    app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(body)).await;
    project
}

both_backends! {
    async fn the_feed_pages_every_release_once_oldest_first_and_agrees_with_the_records(backend) {
        let app = TestApp::with_demo(backend).await;
        let all = feed(&app, "/api/ocds/releases?limit=7").await;
        let whole = feed(&app, "/api/ocds/releases?limit=1000").await;
        assert_eq!(all, whole, "the page size changes nothing");
        let keys: Vec<String> = all.iter().map(key).collect();
        assert_eq!(keys.iter().collect::<HashSet<_>>().len(), keys.len(), "no release twice");
        assert!(all.len() >= 80, "the demo's steps: {}", all.len());
        // Each process's releases in the feed are its record's, in the same order, and its compiled release is theirs.
        let mut by_ocid: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for r in &all {
            by_ocid.entry(r["ocid"].as_str().unwrap().to_string()).or_default().push(r.clone());
        }
        for (ocid, releases) in &by_ocid {
            let (status, p) = app.call(Method::GET, &format!("/api/ocds/records/{ocid}"), None, None).await;
            assert_eq!(status, StatusCode::OK, "{ocid}: {p}");
            let record = &p["records"][0];
            assert_eq!(record["ocid"], *ocid);
            let mut in_record = record["releases"].as_array().unwrap().clone();
            let mut in_feed = releases.clone();
            in_record.sort_by_key(key);
            in_feed.sort_by_key(key);
            assert_eq!(in_record, in_feed, "{ocid}");
            let compiled = shanzhi_ocds::Merger::ocds_1_1().compile(record["releases"].as_array().unwrap()).unwrap();
            assert_eq!(record["compiledRelease"], compiled, "{ocid}");
        }
        // Every notice is a release; the notices' projects are the processes.
        let notices = app.all("/api/v1/notices", None).await;
        let released: HashSet<String> = all.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
        for n in &notices {
            assert!(released.contains(&format!("notice-{}", n["id"])), "notice {} has no release", n["id"]);
        }
        let tags: HashSet<&str> = all.iter().flat_map(|r| r["tag"].as_array().unwrap().iter().map(|t| t.as_str().unwrap())).collect();
        for t in ["planning", "tender", "award", "contract", "implementation"] {
            assert!(tags.contains(t), "the demo has a {t} release");
        }
        // Dates narrow the feed.
        let since = feed(&app, "/api/ocds/releases?since=2015-01-01").await;
        assert!(!since.is_empty() && since.len() < all.len());
        assert!(since.iter().all(|r| r["date"].as_str().unwrap() >= "2014-12-31T16:00:00Z"), "since is China's midnight");
        let until = feed(&app, "/api/ocds/releases?until=2015-01-01").await;
        assert_eq!(since.len() + until.len(), all.len(), "since and until split the feed");
    }

    async fn the_cursor_neither_skips_nor_repeats_while_releases_are_being_added(backend) {
        let app = TestApp::with_demo(backend).await;
        let writer = {
            let app = app.another_server().await;
            tokio::spawn(async move {
                // One purchase intention and its announcement, between writes that release nothing.
                let purchaser = app.token("jyj.purchaser").await;
                app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(design("草稿一"))).await;
                let project = intention(&app, "开放数据并发测试项目").await;
                app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(design("草稿二"))).await;
                let procurement = app.get(&format!("/api/v1/projects/{project}"), &purchaser).await.1["procurement_id"].as_i64();
                (project, procurement)
            })
        };
        // Page through while the writer publishes; at the last page for now, read it again until the writer is done.
        let mut seen = Vec::new();
        let mut path = "/api/ocds/releases?limit=3".to_string();
        loop {
            // Whether the writer was done before this page was read: then the page holds all it wrote.
            let done = writer.is_finished();
            let (releases, next) = page(&app, &path).await;
            match next {
                Some(n) => {
                    seen.extend(releases);
                    path = n;
                }
                None if done => {
                    seen.extend(releases);
                    break;
                }
                None => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
        let (project, _) = writer.await.unwrap();
        let whole = feed(&app, "/api/ocds/releases?limit=1000").await;
        assert_eq!(seen.iter().map(key).collect::<Vec<_>>(), whole.iter().map(key).collect::<Vec<_>>());
        assert_eq!(seen, whole);
        let intentions = whole.iter().filter(|r| r["tag"] == json!(["planning"]) && r["tender"]["title"].as_str().is_some_and(|t| t.starts_with("开放数据并发测试项目"))).count();
        assert_eq!(intentions, 1, "the new intention is released once");
        let ocid = whole.iter().find(|r| r["tender"]["title"] == "开放数据并发测试项目").map(|r| r["ocid"].clone()).unwrap();
        let (_, record) = app.call(Method::GET, &format!("/api/ocds/records/{}", ocid.as_str().unwrap()), None, None).await;
        assert_eq!(record["records"][0]["compiledRelease"]["planning"]["budget"]["projectID"].as_str().map(|c| ocid.as_str().unwrap().ends_with(c)), Some(true), "project {project}");
    }

    async fn records_and_the_feed_refuse_what_they_cannot_answer(backend) {
        let app = TestApp::with_demo(backend).await;
        let unknown = ["ocds-sz0001-SZ-2099-99999", "ocds-zz9999-SZ-2014-00004", "SZ-2014-00004", "ocds-sz0001-"];
        for ocid in unknown {
            let (status, body) = app.call(Method::GET, &format!("/api/ocds/records/{ocid}"), None, None).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{ocid}: {body}");
        }
        // A project nothing of which is public yet has no record.
        let purchaser = app.token("jyj.purchaser").await;
        let draft = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(design("尚未公开的项目"))).await;
        let ocid = format!("ocds-sz0001-{}", draft["code"].as_str().unwrap());
        let (status, _) = app.call(Method::GET, &format!("/api/ocds/records/{ocid}"), None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        for (query, code) in [
            ("cursor=abc", "invalid_cursor"),
            ("cursor=0", "invalid_cursor"),
            ("limit=0", "invalid_limit"),
            ("limit=1001", "invalid_limit"),
            ("since=2015-13-01", "invalid_parameter"),
            ("until=yesterday", "invalid_parameter"),
            ("kind=award", "unknown_parameter"),
        ] {
            let (status, body) = app.call(Method::GET, &format!("/api/ocds/releases?{query}"), None, None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
            assert_eq!(body["code"], code, "{query}: {body}");
            assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()) && body["message_en"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        }
    }

    async fn the_export_writes_every_public_process_in_packages(backend) {
        let app = TestApp::with_demo(backend).await;
        let out = temp_dir();
        let written = shanzhi::export::ocds(&app.application, &out, "https://sz.example.cn", 5, false).await.unwrap();
        let whole = feed(&app, "/api/ocds/releases?limit=1000").await;
        let processes: HashSet<&str> = whole.iter().map(|r| r["ocid"].as_str().unwrap()).collect();
        assert_eq!(written.processes as usize, processes.len());
        assert_eq!(written.releases as usize, whole.len());
        assert_eq!(written.files as usize, 2 * processes.len().div_ceil(5));
        let mut exported = Vec::new();
        let mut records = 0;
        for dir in ["releases", "records"] {
            for entry in std::fs::read_dir(out.join(dir)).unwrap() {
                let p: Value = serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap();
                assert!(p["uri"].as_str().unwrap().starts_with("https://sz.example.cn/"));
                if dir == "releases" {
                    exported.extend(p["releases"].as_array().unwrap().iter().map(key));
                } else {
                    records += p["records"].as_array().unwrap().len();
                }
            }
        }
        exported.sort();
        let mut fed: Vec<String> = whole.iter().map(key).collect();
        fed.sort();
        assert_eq!(exported, fed, "the export holds the feed's releases");
        assert_eq!(records, processes.len());
    }
}
