//! The contract follows the award, supplementary contracts are their own recorded acts within 10 % of the
//! original and reserve their money through finance, and the demo's contracts and payments tell the same story.

use crate::both_backends;
use crate::helpers::*;
use crate::procurement::{approved_project, at, china, documents};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shanzhi_domain::clock::china_date;
use shanzhi_domain::project::MilestoneStatus;

async fn balances(app: &TestApp, budget_id: i64) -> Value {
    let finance = app.token("czj.reviewer").await;
    let lines = app.all("/api/v1/budgets", Some(&finance)).await;
    lines.iter().find(|b| b["id"] == budget_id).unwrap()["balances"].clone()
}

async fn contracted_2026(app: &TestApp) -> Value {
    app.get("/api/v1/statistics?year=2026", &app.token("supervisor").await).await.1["totals"]["contracted"].clone()
}

both_backends! {
    async fn money_contract_follows_the_award(backend) {
        let app = TestApp::with_demo(backend).await;
        // A single-source purchase negotiated down to 80,000 of the 82,000 approved, on 14 April 2026.
        let project = approved_project(&app, "特殊困境儿童个案服务（合同依中标）").await;
        let purchaser = app.token("jyj.purchaser").await;
        let yg = app.org_id("yg").await;
        let name = app.store.organisation(yg).await.unwrap().unwrap().name;
        let mut docs = documents(json!({"kind": "lowest_price"}));
        docs["single_source"] = json!({"case": "only_one_supplier", "provider_org_id": yg, "provider_name": name, "justification": "辖区内仅该机构具备困境儿童个案管理资质与连续服务记录"});
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(json!({"method": "single_source", "documents": docs}))).await;
        let id = p["id"].as_i64().unwrap();
        app.clock.set(at("2026-04-03T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(json!({"bid_deadline": china("2026-04-03T10:00")}))).await;
        app.clock.set(at("2026-04-14T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/negotiation"), &purchaser, Some(json!({"price": "80000.00", "minutes": "经协商，服务价格由 82000 元降为 80000 元"}))).await;
        let contract = |amount: &str, start: &str| json!({"amount": amount, "start": start, "end": "2027-03-31", "signed_on": "2026-04-14",
            "milestones": [{"name": "终期", "share": "100", "due": "2027-03-31"}]});
        let path = format!("/api/v1/projects/{project}/contract");
        // Not the approved estimate, nor any other price: the awarded one.
        for amount in ["82000.00", "79999.99"] {
            let v = app.refused(Method::POST, &path, &purchaser, Some(contract(amount, "2026-04-15")), StatusCode::UNPROCESSABLE_ENTITY, "contract_not_award_price").await;
            assert_eq!(v["fields"][0]["field"], "amount");
        }
        // The service cannot begin before the award.
        let v = app.refused(Method::POST, &path, &purchaser, Some(contract("80000.00", "2026-04-13")), StatusCode::UNPROCESSABLE_ENTITY, "term_before_award").await;
        assert_eq!(v["fields"][0]["field"], "start");
        let p = app.ok(Method::POST, &path, &purchaser, Some(contract("80000.00", "2026-04-14"))).await;
        assert_eq!(p["contract"]["amount"], "80000.00");
    }

    async fn money_supplementary_contracts_are_recorded_and_funded(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let finance = app.token("czj.reviewer").await;
        let provider = app.token("p.yg").await;
        let jyj = app.org_id("jyj").await;
        let line = app.ok(Method::POST, "/api/v1/budgets", &finance, Some(json!({"year": 2026, "org_id": jyj, "source": "other", "amount": "100000"}))).await;
        let small = app.ok(Method::POST, "/api/v1/budgets", &finance, Some(json!({"year": 2026, "org_id": jyj, "source": "social_funds", "donor": "宜昌市慈善总会", "amount": "3000"}))).await;
        let (bid, small_id) = (line["id"].as_i64().unwrap(), small["id"].as_i64().unwrap());
        // A direct purchase contracted at 80,000 from 1 March 2026.
        let id = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some({
            let mut d = design("补充合同测试项目");
            d["period_start"] = json!("2026-03-01");
            d["period_end"] = json!("2027-02-28");
            d
        })).await["id"].as_i64().unwrap();
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/finish-design"), &purchaser, None).await;
        app.ok(Method::PUT, &format!("/api/v1/projects/{id}/cost-estimate"), &purchaser, Some(cost_estimate())).await;
        app.ok(Method::PUT, &format!("/api/v1/projects/{id}/funding"), &purchaser, Some(json!({"lines": [{"budget_id": bid, "amount": "82000.00"}]}))).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/submit"), &purchaser, None).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &app.token("mzj.reviewer").await, Some(json!({"decision": "approve"}))).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &finance, Some(json!({"decision": "approve"}))).await;
        let yg = app.org_id("yg").await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/award"), &purchaser, Some(json!({"provider_org_id": yg, "justification": "该机构长期在本区开展学校社工服务"}))).await;
        let contract = json!({"amount": "80000.00", "start": "2026-03-02", "end": "2027-02-28", "signed_on": "2026-03-02",
            "milestones": [{"name": "中期", "share": "50", "due": "2026-08-31"}, {"name": "终期", "share": "50", "due": "2027-02-28"}]});
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/contract"), &purchaser, Some(contract)).await;
        let contracted_before = contracted_2026(&app).await;
        let base = format!("/api/v1/projects/{id}/supplements");
        let supplement = |amount: &str, budget: i64| json!({"amount": amount, "reason": "服务对象增加 20 名，增加个案服务",
            "milestone_name": "补充服务验收", "due": "2027-02-28", "funding": [{"budget_id": budget, "amount": amount}]});
        // Only the purchaser proposes; at most 10 % of the original amount (政府采购法 §49).
        app.refused(Method::POST, &base, &provider, Some(supplement("1000.00", bid)), StatusCode::FORBIDDEN, "forbidden").await;
        app.refused(Method::POST, &base, &finance, Some(supplement("1000.00", bid)), StatusCode::FORBIDDEN, "forbidden").await;
        app.refused(Method::POST, &base, &purchaser, Some(supplement("8000.01", bid)), StatusCode::UNPROCESSABLE_ENTITY, "supplement_above_limit").await;
        app.refused(Method::POST, &base, &purchaser, Some(json!({"amount": "100.00", "reason": "", "milestone_name": "", "due": "2027-03-31", "funding": []})), StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
        // Finance reviews it like the original: a line too short is refused, nothing is written.
        let p = app.ok(Method::POST, &base, &purchaser, Some(supplement("5000.00", small_id))).await;
        assert_eq!(p["contract"]["supplements"][0]["status"], "proposed");
        let queue = app.all("/api/v1/queue", Some(&finance)).await;
        assert!(queue.iter().any(|q| q["project_id"] == id && q["duty"] == "review_supplement"), "{queue:?}");
        app.refused(Method::POST, &format!("{base}/1/review"), &purchaser, Some(json!({"decision": "approve"})), StatusCode::FORBIDDEN, "forbidden").await;
        app.refused(Method::POST, &format!("{base}/1/review"), &finance, Some(json!({"decision": "approve"})), StatusCode::CONFLICT, "budget_exceeded").await;
        app.refused(Method::POST, &format!("{base}/1/review"), &finance, Some(json!({"decision": "return"})), StatusCode::UNPROCESSABLE_ENTITY, "comment_required").await;
        app.ok(Method::POST, &format!("{base}/1/review"), &finance, Some(json!({"decision": "return", "comment": "请改用一般资金"}))).await;
        // A returned one no longer counts towards the 10 %; a pending one does.
        app.ok(Method::POST, &base, &purchaser, Some(supplement("8000.00", bid))).await;
        app.refused(Method::POST, &base, &purchaser, Some(supplement("0.01", bid)), StatusCode::UNPROCESSABLE_ENTITY, "supplement_above_limit").await;
        app.refused(Method::POST, &format!("{base}/2/sign"), &purchaser, Some(json!({"signed_on": "2026-03-02"})), StatusCode::CONFLICT, "wrong_step").await;
        app.ok(Method::POST, &format!("{base}/2/review"), &finance, Some(json!({"decision": "approve", "comment": "同意"}))).await;
        assert_eq!(balances(&app, bid).await, json!({"available": "12000.00", "reserved": "8000.00", "committed": "80000.00", "paid": "0.00"}));
        assert_eq!(contracted_2026(&app).await, contracted_before, "not contracted until signed");
        app.refused(Method::POST, &format!("{base}/2/sign"), &finance, Some(json!({"signed_on": "2026-03-02"})), StatusCode::FORBIDDEN, "forbidden").await;
        app.refused(Method::POST, &format!("{base}/2/sign"), &purchaser, Some(json!({"signed_on": "2026-03-03"})), StatusCode::UNPROCESSABLE_ENTITY, "signed_on_out_of_range").await;
        let p = app.ok(Method::POST, &format!("{base}/2/sign"), &purchaser, Some(json!({"signed_on": "2026-03-02"}))).await;
        assert_eq!(balances(&app, bid).await, json!({"available": "12000.00", "reserved": "0.00", "committed": "88000.00", "paid": "0.00"}));
        assert_eq!(p["contract"]["amount"], "80000.00", "the original amount stays as signed");
        assert_eq!(p["contract_total"], "88000.00");
        let last = &p["contract"]["milestones"][2];
        assert_eq!((last["amount"].as_str(), last["supplement"].as_i64()), (Some("8000.00"), Some(2)));
        // The provider reads the supplement it signs, but not its budget lines or finance's decision on it.
        let seen = app.get(&format!("/api/v1/projects/{id}"), &provider).await.1;
        let s = &seen["contract"]["supplements"];
        assert_eq!(s[1]["amount"], "8000.00", "{seen}");
        for i in 0..2 {
            assert!(s[i]["funding"].as_array().is_none_or(|f| f.is_empty()) && s[i]["review"].is_null(), "{seen}");
        }
        assert!(!seen.to_string().contains("请改用一般资金"), "finance's comment: {seen}");
        let before: shanzhi_domain::Money = shanzhi_domain::Money::parse_yuan(contracted_before.as_str().unwrap()).unwrap();
        assert_eq!(contracted_2026(&app).await, json!((before + shanzhi_domain::Money::from_yuan(8000)).yuan_string()), "statistics count it");
        // Each milestone pays when due; the supplement's pays from its own lines.
        for (n, when) in [(0, "2026-08-31T09:00"), (1, "2027-02-28T09:00"), (2, "2027-02-28T10:00")] {
            app.clock.set(at(when));
            let (purchaser, provider) = (app.token("jyj.purchaser").await, app.token("p.yg").await);
            app.ok(Method::POST, &format!("/api/v1/projects/{id}/milestones/{n}/report"), &provider, Some(json!({"beneficiaries": 20, "hours": "40", "summary": "完成"}))).await;
            app.ok(Method::POST, &format!("/api/v1/projects/{id}/milestones/{n}/decision"), &purchaser, Some(json!({"decision": "accept"}))).await;
        }
        assert_eq!(balances(&app, bid).await, json!({"available": "12000.00", "reserved": "0.00", "committed": "0.00", "paid": "88000.00"}));
        assert_eq!(balances(&app, small_id).await["reserved"], "0.00");
        let purchaser = app.token("jyj.purchaser").await;
        assert_eq!(app.get(&format!("/api/v1/projects/{id}"), &purchaser).await.1["status"], "completed");
        let history = app.get(&format!("/api/v1/projects/{id}/history"), &purchaser).await.1;
        let actions: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).filter(|a| a.contains("supplement")).collect();
        assert_eq!(actions, ["project.supplement_propose", "project.supplement_return", "project.supplement_propose", "project.supplement_approve", "project.supplement_sign"]);
        assert_eq!(app.verify_cli(None).0, 0);
    }

    async fn money_terminating_gives_back_what_supplements_hold(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("fl.purchaser").await;
        let finance = app.token("czj.reviewer").await;
        // The women's federation's running contract, a report waiting: add a supplement, approve it, terminate.
        let p = app.store.projects().await.unwrap().into_iter().find(|p| p.design.title.contains("暑期")).unwrap();
        let c = p.contract.as_ref().unwrap();
        let line = p.funding[0].budget_id;
        let amount = c.amount.share_bp(500);
        let due = c.milestones.last().unwrap().due;
        let body = json!({"amount": amount, "reason": "增加服务频次", "milestone_name": "补充服务", "due": due.to_string(), "funding": [{"budget_id": line, "amount": amount}]});
        app.ok(Method::POST, &format!("/api/v1/projects/{}/supplements", p.id), &purchaser, Some(body)).await;
        let before = balances(&app, line).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{}/supplements/1/review", p.id), &finance, Some(json!({"decision": "approve"}))).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{}/terminate", p.id), &purchaser, Some(json!({"reason": "承接主体无法继续履约"}))).await;
        let after = balances(&app, line).await;
        assert_eq!(after["reserved"], before["reserved"], "the supplement's reservation went back");
        let p = app.get(&format!("/api/v1/projects/{}", p.id), &purchaser).await.1;
        assert_eq!(p["contract"]["supplements"][0]["status"], "lapsed");
    }

    async fn money_demo_contracts_follow_awards_and_payments_follow_service(backend) {
        // Loaded relative to today: on the tests' day, on the day the issue was seen, and around New Year.
        for day in ["2026-03-02T09:00", "2026-12-02T09:00", "2026-12-31T23:30", "2027-01-01T00:30", "2027-01-02T08:00"] {
            let app = TestApp::empty(backend).await;
            app.clock.set(at(day));
            let now = shanzhi_domain::clock::Clock::now(&app.clock);
            shanzhi::demo::load(&app.application, &mut |_, _| {})
                .await
                .unwrap_or_else(|e| panic!("the demo loads on {day}: {e}"));
            demo_is_consistent(&app, now).await;
        }
    }
}

/// Every demo contract follows its award and every payment follows delivered service, as of `now`.
async fn demo_is_consistent(app: &TestApp, now: chrono::DateTime<chrono::Utc>) {
    let today = china_date(now);
    let mut tendered = 0;
    for p in app.store.projects().await.unwrap() {
        let Some(c) = &p.contract else { continue };
        let award = p.award.as_ref().unwrap();
        let what = format!("{} (loaded {today})", p.design.title);
        if award.method != shanzhi_domain::project::AwardMethod::Direct {
            tendered += 1;
            assert_eq!(c.amount, award.amount, "{what}: the contract follows the award");
        }
        assert!(c.start >= china_date(award.at), "{what}: the term begins after the award");
        assert!(c.signed_on <= today && c.signed_on >= china_date(award.at), "{what}");
        for l in &p.funding {
            assert!(
                (c.start.year()..=c.end.year()).contains(&l.year),
                "{what}: funded from {} outside its term",
                l.year
            );
        }
        for (i, m) in c.milestones.iter().enumerate() {
            let opens = if i == 0 { c.start } else { c.milestones[i - 1].due };
            for r in &m.reports {
                assert!(
                    china_date(r.filed_at) >= opens && r.filed_at <= now,
                    "{what}: report {i} filed before its service"
                );
            }
            for d in m.decisions.iter().filter(|d| d.accepted) {
                assert!(china_date(d.at) >= m.due && d.at <= now, "{what}: milestone {i} paid before it was due");
            }
            if m.status == MilestoneStatus::Reported && p.status.code() == "acceptance" {
                assert!(m.due <= today, "{what}: the report waiting for acceptance is due");
            }
        }
    }
    assert!(tendered >= 3, "the demo's tenders are there: {tendered}");
}

use chrono::Datelike;
