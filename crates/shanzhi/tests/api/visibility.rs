//! Readers see only their part: for each kind of reader, what it sees and what it does not — organisations and
//! their contacts, budgets and ledgers, statistics and their exports, the audit log's payloads, and a provider's
//! view of the project it delivers.

use crate::both_backends;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The pending registration's contact, and a verified provider's.
const PENDING_PHONE: &str = "13872500000";
const PENDING_NAME: &str = "守望相助";
const HX_CONTACT: &str = "刘德明（理事长）";

/// Contracts of projects with a region in the subtree of `root`, as the store holds them.
async fn contracts_within(app: &TestApp, root: &str) -> usize {
    app.store
        .projects()
        .await
        .unwrap()
        .iter()
        .filter(|p| p.contract.is_some() && p.design.regions.iter().any(|r| r.starts_with(root)))
        .count()
}

both_backends! {
    async fn organisations_and_contacts_are_shown_only_to_those_who_need_them(backend) {
        let app = TestApp::with_demo(backend).await;
        // An unverified registrant lists nothing.
        let pending = app.token("p.swxz").await;
        app.refused(Method::GET, "/api/v1/organisations", &pending, None, StatusCode::FORBIDDEN, "forbidden").await;
        let (status, html) = page(&app, "/organisations", &page_cookie(&app, "p.swxz").await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(!html.contains(PENDING_PHONE) && !html.contains(HX_CONTACT));
        // Everyone else signed in sees the verified organisations, no pending registration, and contacts only
        // where they are theirs to see: civil affairs' reviewers and the administrator, and each its own.
        for (user, sees_contacts) in [("admin", true), ("mzj.reviewer", true), ("jyj.purchaser", false), ("czj.reviewer", false),
            ("p.yg", false), ("expert.xiang", false), ("xjpg.evaluator", false), ("supervisor", false), ("lq.supervisor", false)] {
            let t = app.token(user).await;
            let orgs = app.all("/api/v1/organisations", Some(&t)).await;
            let text = serde_json::to_string(&orgs).unwrap();
            assert!(!text.contains(PENDING_PHONE) && !text.contains(PENDING_NAME), "{user} lists a pending registration");
            assert!(orgs.iter().any(|o| o["key"] == "hx"), "{user} lists the providers");
            assert_eq!(text.contains(HX_CONTACT), sees_contacts, "{user} and another organisation's contact");
            let (status, html) = page(&app, "/organisations", &page_cookie(&app, user).await).await;
            assert_eq!(status, StatusCode::OK);
            assert!(!html.contains(PENDING_PHONE) && !html.contains(PENDING_NAME), "{user}'s page lists a pending registration");
        }
        let own = app.all("/api/v1/organisations", Some(&app.token("p.hx").await)).await;
        assert!(serde_json::to_string(&own).unwrap().contains(HX_CONTACT), "a provider sees its own contact");
        // Civil affairs still decides registrations, with the contact it needs.
        let regs = app.all("/api/v1/registrations", Some(&app.token("mzj.reviewer").await)).await;
        assert!(serde_json::to_string(&regs).unwrap().contains(PENDING_PHONE));
    }

    async fn a_township_supervisor_reads_its_township_and_civil_affairs_its_district(backend) {
        let app = TestApp::with_demo(backend).await;
        let lq_org = app.org_id("zf-lq").await;
        let lq = app.token("lq.supervisor").await;
        let district = app.token("supervisor").await;
        // Budgets and ledgers: the township's own lines only.
        let lines = app.all("/api/v1/budgets", Some(&lq)).await;
        assert!(!lines.is_empty() && lines.iter().all(|b| b["org_id"] == lq_org), "{lines:?}");
        let all = app.all("/api/v1/budgets", Some(&district)).await;
        let mzj_line = all.iter().find(|b| b["org_id"] != lq_org).unwrap().clone();
        assert!(all.len() > lines.len());
        app.refused(Method::GET, &format!("/api/v1/budgets/{}/ledger", mzj_line["id"]), &lq, None, StatusCode::NOT_FOUND, "not_found").await;
        app.ok(Method::GET, &format!("/api/v1/budgets/{}/ledger", lines[0]["id"]), &lq, None).await;
        app.ok(Method::GET, &format!("/api/v1/budgets/{}/ledger", mzj_line["id"]), &district, None).await;
        let (_, html) = page(&app, "/budgets", &page_cookie(&app, "lq.supervisor").await).await;
        assert!(!html.contains("宜昌市夷陵区教育局"), "the township supervisor's budget page shows another department's lines");

        // Statistics: the township's projects and only its township; the district's for the district.
        let stats = app.ok(Method::GET, "/api/v1/statistics", &lq, None).await;
        let townships: Vec<&str> = stats["townships"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
        assert_eq!(townships, ["420506008"]);
        assert_eq!(stats["totals"]["contracts"].as_u64().unwrap() as usize, contracts_within(&app, "420506008").await);
        let whole = app.ok(Method::GET, "/api/v1/statistics", &district, None).await;
        assert_eq!(whole["totals"]["contracts"].as_u64().unwrap() as usize, contracts_within(&app, "420506").await);
        assert!(stats["totals"]["contracted"] != whole["totals"]["contracted"]);
        let cookie = page_cookie(&app, "lq.supervisor").await;
        for path in ["/dashboard", "/dashboard/export.csv"] {
            let (status, text) = page(&app, path, &cookie).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(text.contains("龙泉镇") && !text.contains("樟村坪镇"), "{path} shows another township");
        }
        // Civil affairs, the lead department, gets the district's statistics; other departments and the rest none.
        for user in ["mzj.reviewer", "mzj.purchaser"] {
            let s = app.ok(Method::GET, "/api/v1/statistics", &app.token(user).await, None).await;
            assert_eq!(s["totals"], whole["totals"], "{user}");
            let (status, _) = page(&app, "/dashboard", &page_cookie(&app, user).await).await;
            assert_eq!(status, StatusCode::OK, "{user}");
        }
        for user in ["jyj.purchaser", "p.yg", "expert.xiang", "xjpg.evaluator", "p.swxz"] {
            let t = app.token(user).await;
            app.refused(Method::GET, "/api/v1/statistics", &t, None, StatusCode::FORBIDDEN, "forbidden").await;
            let me = app.get("/api/v1/me", &t).await.1;
            let lines = app.all("/api/v1/budgets", Some(&t)).await;
            assert!(lines.iter().all(|b| b["org_id"] == me["org_id"]), "{user} sees another department's budget");
        }

        // The audit log: the township supervisor reads the payloads of its township's events only.
        let jyj = app.token("jyj.purchaser").await;
        let elsewhere = app.ok(Method::POST, "/api/v1/projects", &jyj, Some(design("小溪塔街道儿童服务（可见性）"))).await["id"].clone();
        let seq_elsewhere = app.call(Method::GET, "/api/v1/audit/head", None, None).await.1["seq"].as_i64().unwrap();
        let mut here = design("龙泉镇儿童服务（可见性）");
        here["regions"] = json!(["420506008001"]);
        let here_id = app.ok(Method::POST, "/api/v1/projects", &app.token("lq.purchaser").await, Some(here)).await["id"].clone();
        let seq_here = app.call(Method::GET, "/api/v1/audit/head", None, None).await.1["seq"].as_i64().unwrap();
        let read = |events: &Value, seq: i64| events.as_array().unwrap().iter().find(|e| e["seq"] == seq).cloned().unwrap();
        let lq = app.token("lq.supervisor").await;
        let events = app.ok(Method::GET, &format!("/api/v1/audit/events?after={}", seq_elsewhere - 1), &lq, None).await;
        assert!(read(&events, seq_elsewhere)["payload"].is_null(), "another township's project");
        assert_eq!(read(&events, seq_here)["payload"]["object_id"], here_id.to_string());
        let events = app.ok(Method::GET, &format!("/api/v1/audit/events?after={}", seq_elsewhere - 1), &district, None).await;
        assert_eq!(read(&events, seq_elsewhere)["payload"]["object_id"], elsewhere.to_string());
        let events = app.ok(Method::GET, &format!("/api/v1/audit/events?after={}", seq_elsewhere - 1), &app.token("p.yg").await, None).await;
        assert!(read(&events, seq_elsewhere)["payload"].is_null() && read(&events, seq_here)["payload"].is_null(), "a provider reads no department's record");
    }

    async fn a_provider_sees_the_project_it_delivers_not_the_purchasers_working(backend) {
        let app = TestApp::with_demo(backend).await;
        let qm = app.token("p.qm").await;
        let mine = app.all("/api/v1/projects", Some(&qm)).await;
        assert!(!mine.is_empty());
        let cookie = page_cookie(&app, "p.qm").await;
        let owner_cookie = page_cookie(&app, "jyj.purchaser").await;
        for v in &mine {
            let id = v["id"].as_i64().unwrap();
            let stored = app.store.project(id).await.unwrap().unwrap();
            assert!(!stored.cost_lines.is_empty() && !stored.reviews.is_empty());
            let cost_item = stored.cost_lines[0].item.clone();
            let reviewer = stored.reviews[0].reviewer_name.clone();
            for body in [v.clone(), app.ok(Method::GET, &format!("/api/v1/projects/{id}"), &qm, None).await] {
                assert!(body["cost_lines"].as_array().is_none_or(|l| l.is_empty()), "cost lines: {body}");
                assert!(body["reviews"].as_array().is_none_or(|l| l.is_empty()), "reviews: {body}");
                assert!(body["funding"].as_array().is_none_or(|l| l.is_empty()), "funding: {body}");
                assert!(!body.to_string().contains(&cost_item) && !body.to_string().contains(&reviewer));
            }
            let history = app.ok(Method::GET, &format!("/api/v1/projects/{id}/history"), &qm, None).await;
            for e in history.as_array().unwrap() {
                let action = e["action"].as_str().unwrap();
                assert!(!action.starts_with("project.review") && action != "project.cost_estimate" && action != "project.funding", "{e}");
                assert!(!e.to_string().contains("\"ledger\""), "{e}");
            }
            for path in [format!("/projects/{id}"), format!("/projects/{id}/print")] {
                let (status, html) = page(&app, &path, &cookie).await;
                assert_eq!(status, StatusCode::OK);
                assert!(!html.contains(&cost_item) && !html.contains(&reviewer), "{path} shows the purchaser's working");
            }
            if stored.purchaser_org_id == app.org_id("jyj").await {
                let (_, html) = page(&app, &format!("/projects/{id}"), &owner_cookie).await;
                assert!(html.contains(&cost_item) && html.contains(&reviewer), "the purchaser sees its own working");
            }
        }
    }
}
