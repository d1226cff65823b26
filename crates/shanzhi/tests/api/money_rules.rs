//! Money follows delivered service, the right fiscal year and a sensible design: reports and payments wait
//! for the service, funding lines belong to the years the service runs in, finance closes fiscal years,
//! and a design's dates and category are checked when it is made.

use crate::both_backends;
use crate::helpers::*;
use crate::procurement::at;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A project of the education bureau from design to review, funded from budget line `budget`; returns its id.
async fn submitted(app: &TestApp, token: &str, design: Value, budget: &Value) -> i64 {
    let id = app.ok(Method::POST, "/api/v1/projects", token, Some(design)).await["id"].as_i64().unwrap();
    app.ok(Method::POST, &format!("/api/v1/projects/{id}/finish-design"), token, None).await;
    app.ok(Method::PUT, &format!("/api/v1/projects/{id}/cost-estimate"), token, Some(cost_estimate())).await;
    let funding = json!({"lines": [{"budget_id": budget["id"], "amount": "82000.00"}]});
    app.ok(Method::PUT, &format!("/api/v1/projects/{id}/funding"), token, Some(funding)).await;
    app.ok(Method::POST, &format!("/api/v1/projects/{id}/submit"), token, None).await;
    id
}

async fn paid(app: &TestApp, token: &str, budget_id: i64) -> Value {
    let lines = app.all("/api/v1/budgets", Some(token)).await;
    lines.iter().find(|b| b["id"] == budget_id).unwrap()["balances"]["paid"].clone()
}

both_backends! {
    async fn money_rules_no_report_or_payment_before_the_service(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let finance = app.token("czj.reviewer").await;
        let jyj = app.org_id("jyj").await;
        let line = app.ok(Method::POST, "/api/v1/budgets", &finance, Some(json!({"year": 2026, "org_id": jyj, "source": "other", "amount": "100000"}))).await;
        let bid = line["id"].as_i64().unwrap();
        let id = submitted(&app, &purchaser, design("服务未开始不得付款"), &line).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &app.token("mzj.reviewer").await, Some(json!({"decision": "approve"}))).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &finance, Some(json!({"decision": "approve"}))).await;
        let yg = app.org_id("yg").await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/award"), &purchaser, Some(json!({"provider_org_id": yg, "justification": "该机构长期在本区开展学校社工服务"}))).await;
        // Signed on 2 March 2026 for a service from 1 April; the first milestone on 30 September.
        let contract = json!({"amount": "80000.00", "start": "2026-04-01", "end": "2027-03-31", "signed_on": "2026-03-02",
            "milestones": [{"name": "中期", "share": "40", "due": "2026-09-30"}, {"name": "终期", "share": "60", "due": "2027-03-31"}]});
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/contract"), &purchaser, Some(contract)).await;
        let provider = app.token("p.yg").await;
        let report = json!({"beneficiaries": 50, "hours": "100", "summary": "完成"});
        let report_path = |n: u32| format!("/api/v1/projects/{id}/milestones/{n}/report");
        let decision_path = |n: u32| format!("/api/v1/projects/{id}/milestones/{n}/decision");
        let v = app.refused(Method::POST, &report_path(0), &provider, Some(report.clone()), StatusCode::CONFLICT, "service_not_started").await;
        assert!(v["message"].as_str().unwrap().contains("2026年4月1日"), "says when: {v}");
        // From the contract's start the report may be filed, but not accepted before the milestone's date.
        app.clock.set(at("2026-04-01T09:00"));
        let (purchaser, provider) = (app.token("jyj.purchaser").await, app.token("p.yg").await);
        app.ok(Method::POST, &report_path(0), &provider, Some(report.clone())).await;
        let v = app.refused(Method::POST, &decision_path(0), &purchaser, Some(json!({"decision": "accept"})), StatusCode::CONFLICT, "milestone_not_due").await;
        assert!(v["message"].as_str().unwrap().contains("2026年9月30日"), "says when: {v}");
        assert_eq!(paid(&app, &app.token("czj.reviewer").await, bid).await, "0.00", "nothing paid");
        // A report can be rejected at once; a rejection pays nothing.
        app.ok(Method::POST, &decision_path(0), &purchaser, Some(json!({"decision": "reject", "reason": "缺少活动签到表"}))).await;
        app.ok(Method::POST, &report_path(0), &provider, Some(report.clone())).await;
        app.clock.set(at("2026-09-30T09:00"));
        let (purchaser, provider) = (app.token("jyj.purchaser").await, app.token("p.yg").await);
        app.ok(Method::POST, &decision_path(0), &purchaser, Some(json!({"decision": "accept"}))).await;
        assert_eq!(paid(&app, &app.token("czj.reviewer").await, bid).await, "32000.00");
        // The second milestone's service runs from the first one's date: its report may be filed now.
        app.ok(Method::POST, &report_path(1), &provider, Some(report.clone())).await;
        app.clock.set(at("2027-03-30T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        app.refused(Method::POST, &decision_path(1), &purchaser, Some(json!({"decision": "accept"})), StatusCode::CONFLICT, "milestone_not_due").await;
        app.clock.set(at("2027-03-31T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        let p = app.ok(Method::POST, &decision_path(1), &purchaser, Some(json!({"decision": "accept"}))).await;
        assert_eq!(p["status"], "completed");
        assert_eq!(paid(&app, &app.token("czj.reviewer").await, bid).await, "80000.00");
    }

    async fn money_rules_funding_comes_from_the_years_the_service_runs(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let finance = app.token("czj.reviewer").await;
        let jyj = app.org_id("jyj").await;
        let line = |year: i32| json!({"year": year, "org_id": jyj, "source": "other", "amount": "100000"});
        let old = app.ok(Method::POST, "/api/v1/budgets", &finance, Some(line(2025))).await;
        let next = app.ok(Method::POST, "/api/v1/budgets", &finance, Some(line(2027))).await;
        // The service runs from April 2026 to March 2027: a 2025 line is refused, a 2027 line is fine.
        let id = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(design("跨年度服务资金"))).await["id"].as_i64().unwrap();
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/finish-design"), &purchaser, None).await;
        app.ok(Method::PUT, &format!("/api/v1/projects/{id}/cost-estimate"), &purchaser, Some(cost_estimate())).await;
        let funding = |b: &Value| json!({"lines": [{"budget_id": b["id"], "amount": "82000.00"}]});
        let v = app.refused(Method::PUT, &format!("/api/v1/projects/{id}/funding"), &purchaser, Some(funding(&old)), StatusCode::UNPROCESSABLE_ENTITY, "funding_year_outside_service").await;
        assert_eq!(v["fields"][0]["field"], "funding[0].budget_id", "{v}");
        app.ok(Method::PUT, &format!("/api/v1/projects/{id}/funding"), &purchaser, Some(funding(&next))).await;
        // Moving the service out of 2027 after funding it from 2027 is caught at submission.
        let mut moved = design("跨年度服务资金");
        moved["period_start"] = json!("2026-04-01");
        moved["period_end"] = json!("2026-12-31");
        app.ok(Method::PUT, &format!("/api/v1/projects/{id}/design"), &purchaser, Some(moved)).await;
        app.refused(Method::POST, &format!("/api/v1/projects/{id}/submit"), &purchaser, None, StatusCode::UNPROCESSABLE_ENTITY, "funding_year_outside_service").await;
    }

    async fn money_rules_finance_closes_a_fiscal_year(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let finance = app.token("czj.reviewer").await;
        let jyj = app.org_id("jyj").await;
        let line = app.ok(Method::POST, "/api/v1/budgets", &finance, Some(json!({"year": 2025, "org_id": jyj, "source": "other", "amount": "100000"}))).await;
        // A service from mid-December 2025 to June 2026 may be paid from 2025 money.
        let mut d = design("跨年度冬季关爱服务");
        d["period_start"] = json!("2025-12-15");
        d["period_end"] = json!("2026-06-30");
        let id = submitted(&app, &purchaser, d, &line).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &app.token("mzj.reviewer").await, Some(json!({"decision": "approve"}))).await;
        // Only finance closes, only a year that has ended, and only once.
        app.refused(Method::POST, "/api/v1/fiscal-years/2025/close", &purchaser, None, StatusCode::FORBIDDEN, "forbidden").await;
        app.refused(Method::POST, "/api/v1/fiscal-years/2026/close", &finance, None, StatusCode::CONFLICT, "fiscal_year_not_ended").await;
        let closed = app.ok(Method::POST, "/api/v1/fiscal-years/2025/close", &finance, None).await;
        assert_eq!((closed["year"].clone(), closed["closed"].clone()), (json!(2025), json!(true)));
        app.refused(Method::POST, "/api/v1/fiscal-years/2025/close", &finance, None, StatusCode::CONFLICT, "fiscal_year_closed").await;
        let years = app.get("/api/v1/fiscal-years", &purchaser).await.1;
        assert!(years.as_array().unwrap().iter().any(|y| y["year"] == 2025 && y["closed"] == true), "{years}");
        assert!(years.as_array().unwrap().iter().any(|y| y["year"] == 2026 && y["closed"] == false), "{years}");
        // Nothing more is reserved from the closed year: the approval is refused and nothing is written.
        let before = app.store.audit_head().await.unwrap();
        app.refused(Method::POST, &format!("/api/v1/projects/{id}/review"), &finance, Some(json!({"decision": "approve"})), StatusCode::CONFLICT, "fiscal_year_closed").await;
        assert_eq!(app.store.audit_head().await.unwrap(), before);
        assert_eq!(app.get(&format!("/api/v1/projects/{id}"), &finance).await.1["status"], "review_finance");
        // Nor allocated to it, nor granted from it.
        app.refused(Method::POST, "/api/v1/budgets", &finance, Some(json!({"year": 2025, "org_id": jyj, "source": "general_budget", "amount": "1"})), StatusCode::CONFLICT, "fiscal_year_closed").await;
        let wsj = app.org_id("wsj").await;
        app.refused(Method::POST, &format!("/api/v1/budgets/{}/grants", line["id"]), &finance, Some(json!({"to_org_id": wsj, "amount": "1"})), StatusCode::CONFLICT, "fiscal_year_closed").await;
        // The act is in the audit log.
        let events = app.store.audit_for_object("fiscal_year", "2025").await.unwrap();
        assert_eq!(events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["fiscal_year.close"], "audited");
        assert_eq!(events[0].actor_name, "czj.reviewer");
    }

    async fn money_rules_design_dates_and_category_are_checked_at_design(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let mut d = design("1901 年的服务");
        d["period_start"] = json!("1901-01-01");
        d["period_end"] = json!("1901-06-30");
        let v = app.refused(Method::POST, "/api/v1/projects", &purchaser, Some(d), StatusCode::UNPROCESSABLE_ENTITY, "period_start_too_early").await;
        assert_eq!(v["fields"][0]["field"], "period_start");
        // The window is 90 days before the design date (2 March 2026): 2 December 2025 is the earliest start.
        let mut d = design("回溯 90 天的服务");
        d["period_start"] = json!("2025-12-01");
        d["period_end"] = json!("2026-06-30");
        app.refused(Method::POST, "/api/v1/projects", &purchaser, Some(d.clone()), StatusCode::UNPROCESSABLE_ENTITY, "period_start_too_early").await;
        d["period_start"] = json!("2025-12-02");
        let id = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(d)).await["id"].as_i64().unwrap();
        // A negative-list or unknown category is refused when chosen, at creation and at every change.
        for (category, code) in [("X05", "category_on_negative_list"), ("Z99", "category_not_in_catalogue")] {
            let mut d = design("为本单位招聘临时人员");
            d["category"] = json!(category);
            let v = app.refused(Method::POST, "/api/v1/projects", &purchaser, Some(d.clone()), StatusCode::UNPROCESSABLE_ENTITY, code).await;
            assert_eq!(v["fields"][0]["field"], "category");
            app.refused(Method::PUT, &format!("/api/v1/projects/{id}/design"), &purchaser, Some(d), StatusCode::UNPROCESSABLE_ENTITY, code).await;
        }
    }
}
