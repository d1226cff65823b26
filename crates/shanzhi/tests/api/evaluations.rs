//! Performance evaluation over the API and the pages, on the demo: the evaluation waiting for `xjpg.evaluator`
//! on its work queue, what each party reads before the result, the evaluator's part refused field by field and
//! then fixing the grade, the result's notice and public page, the conflict checks when an evaluator is
//! commissioned, declared ties, and the report's grade counts.

use crate::both_backends;
use crate::cli::shanzhi;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The demo's project whose evaluation waits for the third party.
async fn waiting_project(app: &TestApp, evaluator: &str) -> Value {
    let queue = app.all("/api/v1/queue", Some(evaluator)).await;
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["duty"], "evaluate");
    queue[0].clone()
}

fn third_party_part(targets: &Value) -> Value {
    let scores: Vec<Value> = targets
        .as_array()
        .unwrap()
        .iter()
        .map(|t| json!({"indicator": t["indicator"], "achieved": t["target"], "evidence": "抽查托养档案40份，入户回访家属20户"}))
        .collect();
    json!({"scores": scores, "comment": "托养服务规范，目标全部实现。"})
}

both_backends! {
    async fn the_demo_evaluation_waits_for_the_evaluator_who_fixes_the_grade(backend) {
        let app = TestApp::with_demo(backend).await;
        let xjpg = app.token("xjpg.evaluator").await;
        let item = waiting_project(&app, &xjpg).await;
        let id = item["project_id"].as_i64().unwrap();
        let path = format!("/api/v1/projects/{id}/evaluations");
        // The evaluator reads the project as an outsider and none of the parts submitted before its own.
        let (status, p) = app.get(&format!("/api/v1/projects/{id}"), &xjpg).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert!(p["cost_lines"].as_array().unwrap().is_empty() && p["funding"].as_array().unwrap().is_empty(), "{p}");
        let v = app.ok(Method::GET, &path, &xjpg, None).await;
        assert_eq!(v["evaluate_as"], "third_party");
        assert_eq!(v["waiting_for"], json!(["third_party"]));
        assert!(v["evaluation"]["parts"].as_array().unwrap().is_empty(), "{v}");
        let purchaser = app.token("cl.purchaser").await;
        let seen = app.ok(Method::GET, &path, &purchaser, None).await;
        assert_eq!(seen["evaluation"]["parts"].as_array().unwrap().len(), 2, "the purchaser reads both parts");
        // The other evaluator, commissioned nowhere here, sees nothing.
        let cxdpg = app.token("cxdpg.evaluator").await;
        app.refused(Method::GET, &path, &cxdpg, None, StatusCode::NOT_FOUND, "not_found").await;
        app.refused(Method::POST, &format!("{path}/parts"), &cxdpg, Some(third_party_part(&v["targets"])), StatusCode::NOT_FOUND, "not_found").await;

        // Bad parts: every problem at once, nothing saved.
        let bad = json!({"scores": [
            {"indicator": "不是目标", "achieved": "1", "evidence": "x"},
            {"indicator": v["targets"][0]["indicator"], "achieved": "很多", "evidence": ""}
        ], "comment": ""});
        let (status, body) = app.call(Method::POST, &format!("{path}/parts"), Some(&xjpg), Some(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<(&str, &str)> = body["fields"].as_array().unwrap().iter().map(|f| (f["field"].as_str().unwrap(), f["code"].as_str().unwrap())).collect();
        for want in [("scores[0].indicator", "unknown_indicator"), ("scores[1].achieved", "invalid_amount"), ("scores[1].evidence", "required"), ("comment", "required")] {
            assert!(fields.contains(&want), "{want:?} in {fields:?}");
        }
        assert!(app.ok(Method::GET, &path, &xjpg, None).await["evaluation"]["parts"].as_array().unwrap().is_empty());

        let done = app.ok(Method::POST, &format!("{path}/parts"), &xjpg, Some(third_party_part(&v["targets"]))).await;
        let result = &done["evaluation"]["result"];
        assert!(result["grade"].is_string(), "{done}");
        assert_eq!(done["evaluation"]["parts"].as_array().unwrap().len(), 3, "after the result every part is read");
        app.refused(Method::POST, &format!("{path}/parts"), &xjpg, Some(third_party_part(&v["targets"])), StatusCode::CONFLICT, "already_evaluated").await;
        assert!(app.all("/api/v1/queue", Some(&xjpg)).await.is_empty(), "nothing left for the evaluator");

        // The result is published: a notice of its own and the project's public page, without the evidence.
        let notices = app.all("/api/v1/notices?kind=evaluation", None).await;
        let notice = notices.iter().find(|n| n["project_id"] == id).unwrap_or_else(|| panic!("{notices:?}"));
        assert!(notice["title"].as_str().unwrap().ends_with("的绩效评价结果公告"), "{notice}");
        let public = app.client.get(format!("{}/projects/{id}", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(public.contains("public-evaluation") && public.contains(result["total"].as_str().unwrap()), "public page");
        assert!(!public.contains("入户回访家属") && !public.contains("托养服务规范"), "no evidence or opinion in public");
        // The printable report, for those who may see the project.
        let cookie = page_cookie(&app, "cl.purchaser").await;
        let (status, report) = page(&app, &format!("/projects/{id}/evaluation/report"), &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(report.contains("入户回访家属") && report.contains("chart-third_party"), "the report has the evidence and chart");
        // Two evaluations have their grade now.
        let (code, out, err) = shanzhi(&app, &["report", "summary", "--json"], None);
        assert_eq!(code, 0, "{err}");
        let summary: Value = serde_json::from_str(&out).unwrap();
        let graded: i64 = ["excellent", "good", "fair", "poor"].iter().map(|g| summary["grades"][g].as_i64().unwrap()).sum();
        assert_eq!(graded, 2, "{}", summary["grades"]);
        assert!(summary["providers_by_kind"]["social_organisation"].as_i64().unwrap() >= 5, "{}", summary["providers_by_kind"]);
        let (code, _) = app.verify_cli(None);
        assert_eq!(code, 0);
    }

    async fn an_evaluator_is_commissioned_only_without_a_conflict(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("cl.purchaser").await;
        // The federation's other completed project from the same provider (kfxh), not evaluated yet.
        let projects = app.all("/api/v1/projects?step=completed", Some(&purchaser)).await;
        let mut open = None;
        for p in &projects {
            let v = app.ok(Method::GET, &format!("/api/v1/projects/{}/evaluations", p["id"]), &purchaser, None).await;
            if v["may_start"] == true {
                open = Some(p["id"].as_i64().unwrap());
            }
        }
        let id = open.expect("a completed project to evaluate");
        let path = format!("/api/v1/projects/{id}/evaluations");
        let (xjpg, cxdpg) = (app.org_id("xjpg").await, app.org_id("cxdpg").await);
        // xjpg was commissioned for this provider's last evaluation: not twice in a row.
        app.refused(Method::POST, &path, &purchaser, Some(json!({"evaluator_org_id": xjpg})), StatusCode::CONFLICT, "evaluator_conflict").await;
        // Not an evaluator, or none at all.
        let provider = app.org_id("kfxh").await;
        app.refused(Method::POST, &path, &purchaser, Some(json!({"evaluator_org_id": provider})), StatusCode::UNPROCESSABLE_ENTITY, "not_an_evaluator").await;
        app.refused(Method::POST, &path, &purchaser, Some(json!({"evaluator_org_id": 999_999})), StatusCode::UNPROCESSABLE_ENTITY, "unknown_organisation").await;
        // Only the purchaser commissions.
        let cxdpg_user = app.token("cxdpg.evaluator").await;
        app.refused(Method::POST, &path, &cxdpg_user, Some(json!({"evaluator_org_id": cxdpg})), StatusCode::NOT_FOUND, "not_found").await;
        // cxdpg declares that it incubated the provider until last year: a conflict for three years.
        let bad_tie = json!({"provider_org_id": provider, "kind": "friendship", "since": "2023-13-01", "until": "2022-01-01"});
        let (status, body) = app.call(Method::POST, "/api/v1/evaluator-ties", Some(&cxdpg_user), Some(bad_tie)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"kind") && fields.contains(&"since"), "{body}");
        app.refused(Method::POST, "/api/v1/evaluator-ties", &purchaser, Some(json!({"provider_org_id": provider, "kind": "incubation", "since": "2020-01-01"})), StatusCode::FORBIDDEN, "forbidden").await;
        let tie = json!({"provider_org_id": provider, "kind": "incubation", "since": "2020-01-01", "until": "2025-06-30", "note": "孵化期满出壳"});
        let (status, made) = app.call(Method::POST, "/api/v1/evaluator-ties", Some(&cxdpg_user), Some(tie)).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        assert_eq!(app.all("/api/v1/evaluator-ties", Some(&cxdpg_user)).await.len(), 1);
        let refused = app.refused(Method::POST, &path, &purchaser, Some(json!({"evaluator_org_id": cxdpg})), StatusCode::CONFLICT, "evaluator_conflict").await;
        assert!(refused["message"].as_str().unwrap().contains("孵化培育"), "{refused}");
        assert!(app.ok(Method::GET, &path, &purchaser, None).await["evaluation"].is_null(), "nothing started");
        // Another purchaser's completed project with another provider: cxdpg is free there.
        let mzj = app.token("mzj.purchaser").await;
        let qm = app.org_id("qm").await;
        let theirs = app.all("/api/v1/projects?step=completed", Some(&mzj)).await;
        let other = theirs.iter().find(|p| p["provider_org_id"] == qm).and_then(|p| p["id"].as_i64()).unwrap();
        let started = app.ok(Method::POST, &format!("/api/v1/projects/{other}/evaluations"), &mzj, Some(json!({"evaluator_org_id": cxdpg}))).await;
        assert_eq!(started["evaluation"]["evaluator"]["org_id"], cxdpg, "{started}");
        assert_eq!(started["waiting_for"], json!(["self_evaluation", "purchaser", "third_party"]));
        app.refused(Method::POST, &format!("/api/v1/projects/{other}/evaluations"), &mzj, Some(json!({"evaluator_org_id": cxdpg})), StatusCode::CONFLICT, "evaluation_exists").await;
        let (code, _) = app.verify_cli(None);
        assert_eq!(code, 0);
    }

    async fn every_role_has_work_or_a_sentence_saying_why_not(backend) {
        let app = TestApp::with_demo(backend).await;
        let cookie = page_cookie(&app, "xjpg.evaluator").await;
        let (_, home) = page(&app, "/", &cookie).await;
        assert!(home.contains("提交绩效评价") && home.contains("/evaluator/ties"), "the evaluator's task is on its queue");
        let cookie = page_cookie(&app, "cxdpg.evaluator").await;
        let (_, home) = page(&app, "/", &cookie).await;
        assert!(home.contains("委托贵机构开展第三方绩效评价后"), "an evaluator without a task is told why");
        let (status, ties) = page(&app, "/evaluator/ties", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(ties.contains("申报新的利害关系"));
        for (user, words) in [("supervisor", "红色预警"), ("expert.he", "评审委员会")] {
            let cookie = page_cookie(&app, user).await;
            let (_, home) = page(&app, "/", &cookie).await;
            assert!(home.contains(words), "{user}");
        }
    }

    async fn progress_against_the_targets_and_monitoring_visits(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("fl.purchaser").await;
        let running = app.all("/api/v1/projects?step=acceptance", Some(&purchaser)).await;
        let id = running[0]["id"].as_i64().unwrap();
        let progress = app.ok(Method::GET, &format!("/api/v1/projects/{id}/progress"), &purchaser, None).await;
        let rows = progress.as_array().unwrap();
        assert!(!rows.is_empty() && rows.iter().any(|r| r["reported"].is_string()), "the latest report's figures: {progress}");
        // The page draws them, and the purchaser's form records a visit; bad input is refused by field.
        let cookie = page_cookie(&app, "fl.purchaser").await;
        let (_, html) = page(&app, &format!("/projects/{id}"), &cookie).await;
        assert!(html.contains("id=\"monitoring\"") && html.contains("progress-title") && html.contains("visit_findings"));
        let path = format!("/api/v1/projects/{id}/visits");
        let bad = json!({"on": "2099-01-01", "kind": "picnic", "findings": ""});
        let (status, body) = app.call(Method::POST, &path, Some(&purchaser), Some(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        for f in ["on", "kind", "findings"] {
            assert!(fields.contains(&f), "{f}: {body}");
        }
        let provider = app.token("p.qm").await;
        let visit = json!({"on": shanzhi_domain::clock::china_date(shanzhi_domain::clock::Clock::now(&app.clock)).to_string(), "kind": "on_site", "findings": "查看托管点安全设施，督促补齐值守记录"});
        let (status, _) = app.call(Method::POST, &path, Some(&provider), Some(visit.clone())).await;
        assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "{status}");
        let p = app.ok(Method::POST, &path, &purchaser, Some(visit)).await;
        assert_eq!(p["visits"].as_array().unwrap().len(), 1);
        let (code, _) = app.verify_cli(None);
        assert_eq!(code, 0);
    }
}
