//! A project's public page: open without signing in from its first notice on, 404 before, and only what the
//! public may read.

use crate::both_backends;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

/// Every text of a project that must never be public: reviewers' comments, cost lines' items, service reports,
/// rejection reasons and post holders — those not also in the design's own public words.
pub(crate) fn private_texts(p: &Value) -> Vec<String> {
    let public = format!("{} {}", p["design"]["title"], p["design"]["content"]);
    let mut out = Vec::new();
    let mut add = |v: &Value| {
        if let Some(s) = v.as_str().filter(|s| s.chars().count() >= 2 && !public.contains(*s)) {
            out.push(s.to_string());
        }
    };
    for r in p["reviews"].as_array().into_iter().flatten() {
        add(&r["comment"]);
    }
    for c in p["cost_lines"].as_array().into_iter().flatten() {
        add(&c["item"]);
    }
    for m in p["contract"]["milestones"].as_array().into_iter().flatten() {
        for r in m["reports"].as_array().into_iter().flatten() {
            add(&r["summary"]);
        }
        for d in m["decisions"].as_array().into_iter().flatten() {
            add(&d["reason"]);
        }
    }
    for post in p["contract"]["posts"].as_array().into_iter().flatten() {
        add(&post["holder"]["name"]);
    }
    out
}

both_backends! {
    async fn a_project_is_public_from_its_first_notice_on_and_shows_only_public_things(backend) {
        let app = TestApp::with_demo(backend).await;
        let admin = app.token("admin").await;
        let projects = app.all("/api/v1/projects?limit=200", Some(&admin)).await;
        let notices = app.all("/api/v1/notices", None).await;
        let noticed = |id: i64| notices.iter().any(|n| n["project_id"] == id);
        let (mut shown, mut hidden, mut private_checked) = (0, 0, 0);
        for item in &projects {
            let id = item["id"].as_i64().unwrap();
            let (status, html) = page(&app, &format!("/projects/{id}"), "").await;
            if !noticed(id) {
                assert_eq!(status, StatusCode::NOT_FOUND, "project {id} has no public notice yet");
                hidden += 1;
                continue;
            }
            assert_eq!(status, StatusCode::OK, "project {id}");
            shown += 1;
            let (_, p) = app.call(reqwest::Method::GET, &format!("/api/v1/projects/{id}"), Some(&admin), None).await;
            let title = p["design"]["title"].as_str().unwrap();
            assert!(html.contains(title) && html.contains(p["purchaser_name"].as_str().unwrap()), "{id}");
            assert!(html.contains("资金来源") && html.contains("id=\"public-funding-table\""), "{id}: the funding, as a chart and a table");
            for n in notices.iter().filter(|n| n["project_id"] == id) {
                assert!(html.contains(&format!("href=\"/notices/{}\"", n["id"])), "{id} links its notice {}", n["id"]);
            }
            if p["contract"].is_object() {
                assert!(html.contains("id=\"public-milestones\""), "{id}: the contract");
                for m in p["contract"]["milestones"].as_array().unwrap() {
                    assert!(html.contains(m["name"].as_str().unwrap()), "{id}: milestone {}", m["name"]);
                }
            }
            for text in private_texts(&p) {
                assert!(!html.contains(&text), "project {id}'s public page shows {text:?}");
                private_checked += 1;
            }
        }
        assert!(shown >= 10 && hidden >= 3 && private_checked >= 20, "shown {shown}, hidden {hidden}, checked {private_checked}");

        // A notice leads to its project's public page; a signed-in reader still gets the working page.
        let n = &notices[0];
        let (_, html) = page(&app, &format!("/notices/{}", n["id"]), "").await;
        assert!(html.contains(&format!("href=\"/projects/{}\"", n["project_id"])), "the notice links its project");
        let cookie = page_cookie(&app, "admin").await;
        let (status, html) = page(&app, &format!("/projects/{}", n["project_id"]), &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("id=\"public-summary\""), "signed in, the working page");
        let resp = app.client.get(format!("{}/projects/{}", app.base, n["project_id"])).send().await.unwrap();
        assert!(resp.headers()["cache-control"].to_str().unwrap().starts_with("public"), "the public page is cacheable");
        assert_eq!(page(&app, "/projects/999999", "").await.0, StatusCode::NOT_FOUND);
    }
}
