//! Competitive procurement over the API: each method's steps end to end on the test clock, sealed bids that
//! nobody else can read before the opening, committee draws, scoring, awards, challenges and complaints.

use crate::both_backends;
use crate::helpers::*;
use chrono::{DateTime, Datelike, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shanzhi_domain::clock::Clock;
use sqlx::Row;

/// A China-time instant as the API takes it.
pub(crate) fn china(s: &str) -> String {
    format!("{s}:00+08:00")
}

pub(crate) fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&china(s)).unwrap().with_timezone(&Utc)
}

/// A project of the education bureau approved by both reviewers, at the procurement step. Its service runs for
/// a year from April 2026, or from the next month when the test clock has moved past March.
pub(crate) async fn approved_project(app: &TestApp, title: &str) -> i64 {
    let purchaser = app.token("jyj.purchaser").await;
    let mut d = design(title);
    let today = shanzhi_domain::clock::china_date(app.clock.now());
    let next_month = today.checked_add_months(chrono::Months::new(1)).unwrap().with_day(1).unwrap();
    let start = next_month.max(chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
    d["period_start"] = json!(start.to_string());
    d["period_end"] = json!(shanzhi_domain::project::term_last_day(start, 12).to_string());
    let id = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(d)).await["id"].as_i64().unwrap();
    app.ok(Method::POST, &format!("/api/v1/projects/{id}/finish-design"), &purchaser, None).await;
    app.ok(Method::PUT, &format!("/api/v1/projects/{id}/cost-estimate"), &purchaser, Some(cost_estimate())).await;
    app.fund(&purchaser, id).await;
    app.ok(Method::POST, &format!("/api/v1/projects/{id}/submit"), &purchaser, None).await;
    let civil = app.token("mzj.reviewer").await;
    app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &civil, Some(json!({"decision": "approve"}))).await;
    let finance = app.token("czj.reviewer").await;
    let p = app
        .ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &finance, Some(json!({"decision": "approve"})))
        .await;
    assert_eq!(p["status"], "procurement");
    id
}

pub(crate) fn documents(scoring: Value) -> Value {
    json!({
        "requirements": "为辖区农村留守儿童提供课后陪伴与心理辅导服务，每周不少于两次",
        "qualifications": "依法登记的社会组织，具有两名以上持证社工",
        "scoring": scoring,
        "sme_deduction_bp": 1000,
        "tie_rule": "服务方案得分高者优先；仍相同的抽签确定"
    })
}

pub(crate) fn comprehensive() -> Value {
    json!({"kind": "comprehensive", "price_weight_bp": 3000, "criteria": [
        {"key": "plan", "name": "服务方案", "weight_bp": 5000},
        {"key": "team", "name": "团队与经验", "weight_bp": 2000}
    ]})
}

fn bid(price: &str) -> Value {
    json!({"price": price, "proposal": "每周三次入户陪伴，配备两名持证社工与一名心理咨询师", "small_or_micro": false})
}

/// Username of each user id, as the administrator sees them.
pub(crate) async fn usernames(app: &TestApp) -> std::collections::HashMap<i64, String> {
    let admin = app.token("admin").await;
    let users = app.all("/api/v1/users", Some(&admin)).await;
    users.iter().map(|u| (u["id"].as_i64().unwrap(), u["username"].as_str().unwrap().to_string())).collect()
}

const PROVIDERS: [&str; 3] = ["p.yg", "p.hx", "p.qm"];

/// Fresh tokens: moving the clock by weeks outlives the ones signed in before.
async fn tokens_of(app: &TestApp, users: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for u in users {
        out.push(app.token(u).await);
    }
    out
}

/// Starts and publishes an open tender; returns the procurement id. Bid deadline 2026-04-28 09:30.
pub(crate) async fn published_tender(app: &TestApp, project: i64) -> i64 {
    let purchaser = app.token("jyj.purchaser").await;
    let body = json!({"method": "open_tender", "documents": documents(comprehensive())});
    let p = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(body)).await;
    let id = p["id"].as_i64().unwrap();
    // The purchase intention must stand 30 days first.
    let early = json!({"bid_deadline": china("2026-04-28T09:30")});
    app.refused(
        Method::POST,
        &format!("/api/v1/procurements/{id}/publish"),
        &purchaser,
        Some(early.clone()),
        StatusCode::CONFLICT,
        "intention_period",
    )
    .await;
    app.clock.set(at("2026-04-03T09:00"));
    let purchaser = app.token("jyj.purchaser").await;
    // 20 days from 3 April end on 23 April: a deadline on the 22nd is refused.
    let short = json!({"bid_deadline": china("2026-04-22T09:30")});
    app.refused(
        Method::POST,
        &format!("/api/v1/procurements/{id}/publish"),
        &purchaser,
        Some(short),
        StatusCode::UNPROCESSABLE_ENTITY,
        "period_too_short",
    )
    .await;
    let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(early)).await;
    assert_eq!(p["stage"], "bidding");
    id
}

both_backends! {
    async fn open_tender_end_to_end(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = approved_project(&app, "留守儿童课后陪伴服务（公开招标）").await;
        let id = published_tender(&app, project).await;
        // The public sees the intention and the announcement without signing in.
        let notices = app.all("/api/v1/notices", None).await;
        let kinds: Vec<&str> = notices.iter().filter(|n| n["procurement_id"] == id).map(|n| n["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["announcement", "intention"]);

        let (since, _) = app.store.audit_head().await.unwrap().unwrap();
        let mut tokens = Vec::new();
        for (user, price) in PROVIDERS.iter().zip(["76000.00", "72000.00", "80000.00"]) {
            let t = app.token(user).await;
            app.ok(Method::POST, &format!("/api/v1/procurements/{id}/interest"), &t, None).await;
            let r = app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &t, Some(bid(price))).await;
            assert_eq!(r["receipt"].as_str().unwrap().len(), 64);
            tokens.push(t);
        }
        // A bid above the budget, and bad input, are refused with their codes.
        app.refused(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &tokens[0], Some(bid("82000.01")), StatusCode::UNPROCESSABLE_ENTITY, "price_above_budget").await;
        app.refused(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &tokens[0], Some(bid("七万")), StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount").await;
        // An attachment is uploaded sealed and attached by id; another bidder cannot attach it.
        let part = reqwest::multipart::Part::bytes(b"%PDF-1.4 service plan".to_vec()).file_name("服务方案.pdf");
        let resp = app.client.post(format!("{}/api/v1/procurements/{id}/bid/files", app.base)).bearer_auth(&tokens[0])
            .multipart(reqwest::multipart::Form::new().part("file", part)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let file: Value = resp.json().await.unwrap();
        let mut with_file = bid("75000.00");
        with_file["file_ids"] = json!([file["id"]]);
        let mut stolen = bid("72000.00");
        stolen["file_ids"] = json!([file["id"]]);
        app.refused(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &tokens[1], Some(stolen), StatusCode::UNPROCESSABLE_ENTITY, "unknown_file").await;
        let file_path = format!("/api/v1/procurements/{id}/bid/files/{}", file["id"]);
        app.refused(Method::GET, &file_path, &tokens[1], None, StatusCode::NOT_FOUND, "not_found").await;
        // Change, withdraw, resubmit: the last one counts.
        app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &tokens[0], Some(with_file)).await;
        let (status, _) = app.get(&file_path, &tokens[0]).await;
        assert_eq!(status, StatusCode::OK, "its own bidder reads it");
        let mine = app.get(&format!("/api/v1/procurements/{id}/bid"), &tokens[0]).await.1;
        assert_eq!(mine[0]["content"]["price"], "75000.00");

        // A late clarification that affects bids moves the deadline (15 days from 20 April → 5 May).
        app.clock.set(at("2026-04-20T10:00"));
        let (purchaser, tokens) = (app.token("jyj.purchaser").await, tokens_of(&app, &PROVIDERS).await);
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/clarifications"), &purchaser,
            Some(json!({"text": "服务时长由每周两次调整为每周三次", "affects_bids": true}))).await;
        assert_eq!(p["bid_deadline"], "2026-05-06T01:30:00Z", "5 May is a holiday in 2026: the period ends on 6 May");

        // Before the opening nobody but the bidder reads a bid, or even learns who bid.
        let mut bidder_names = Vec::new();
        for key in ["yg", "hx", "qm"] {
            bidder_names.push(app.store.organisation_by_key(key).await.unwrap().unwrap().name);
        }
        let others = [purchaser.clone(), app.token("czj.reviewer").await, app.token("admin").await, app.token("supervisor").await, app.token("expert.xiang").await];
        for t in &others {
            let (status, body) = app.get(&format!("/api/v1/procurements/{id}/bids"), t).await;
            assert!(status.is_client_error(), "{body}");
            let (_, body) = app.get(&format!("/api/v1/procurements/{id}"), t).await;
            let text = body.to_string();
            assert!(["75000", "72000", "80000"].iter().all(|p| !text.contains(&format!("\"{p}.00\""))), "a price leaked: {text}");
            assert!(bidder_names.iter().all(|n| !text.contains(n.as_str())) && body["opening"].is_null(), "a bidder leaked: {text}");
        }
        for t in &others {
            let (status, _) = app.get(&file_path, t).await;
            assert!(status.is_client_error(), "an attachment before the opening");
        }
        let other = app.get(&format!("/api/v1/procurements/{id}/bid"), &tokens[1]).await.1;
        assert_eq!(other.as_array().unwrap().len(), 1);
        assert_eq!(other[0]["content"]["price"], "72000.00", "each bidder sees only its own");
        // The raw database holds ciphertext only: no price, no bidder name, in bids or the audit log.
        let sealed: Vec<String> = sqlx::query("SELECT sealed FROM bids WHERE procurement_id = $1").bind(id).fetch_all(app.store.pool()).await.unwrap().iter().map(|r| r.get(0)).collect();
        assert_eq!(sealed.len(), 3);
        let audit: Vec<String> = sqlx::query("SELECT after_json FROM audit_events WHERE seq > $1").bind(since).fetch_all(app.store.pool()).await.unwrap().iter().map(|r| r.get(0)).collect();
        for text in sealed.iter().chain(&audit) {
            assert!(!text.contains("\"75000.00\"") && !text.contains("\"72000.00\""), "plaintext price at rest: {text}");
        }
        for s in &sealed {
            assert!(s.starts_with("v1:") && !s.contains("org_id"), "sealed: {s}");
        }
        // Nor does the statistics export (CSV and spreadsheet) know of any bid.
        let stats = shanzhi_app::statistics::within(&app.application, None, None, shanzhi_domain::statistics::Shown::All).await.unwrap();
        let csv = String::from_utf8(shanzhi_web::export::csv(&stats, shanzhi_web::i18n::Lang::Zh)).unwrap();
        assert!(["75000.00", "72000.00", "80000.00"].iter().all(|p| !csv.contains(p)) && bidder_names.iter().all(|n| !csv.contains(n.as_str())) || !csv.contains("投标"), "export: {csv}");
        // The opening waits for the deadline.
        app.refused(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &purchaser, Some(json!({"attendees": ["区财政局监督员"]})), StatusCode::CONFLICT, "bids_sealed").await;
        app.clock.set(at("2026-05-06T09:30"));
        let (purchaser, tokens) = (app.token("jyj.purchaser").await, tokens_of(&app, &PROVIDERS).await);
        app.refused(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &tokens[2], Some(bid("70000.00")), StatusCode::CONFLICT, "deadline_passed").await;
        app.refused(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &tokens[0], Some(json!({"attendees": ["x"]})), StatusCode::FORBIDDEN, "forbidden").await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &purchaser, Some(json!({"attendees": ["区财政局监督员", "投标人代表三名"]}))).await;
        assert_eq!(p["stage"], "evaluating");
        assert_eq!(p["opening"]["bids"].as_array().unwrap().len(), 3);

        // The committee: drawn from the pool, each expert declares before reading a bid.
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/committee"), &purchaser, Some(json!({}))).await;
        let members: Vec<i64> = p["committee"]["members"].as_array().unwrap().iter().map(|m| m["user_id"].as_i64().unwrap()).collect();
        assert_eq!(members.len(), 5);
        let names = usernames(&app).await;
        let bid_ids: Vec<i64> = p["opening"]["bids"].as_array().unwrap().iter().map(|b| b["bid_id"].as_i64().unwrap()).collect();
        for (i, m) in members.iter().enumerate() {
            let t = app.token(&names[m]).await;
            app.refused(Method::GET, &format!("/api/v1/procurements/{id}/bids"), &t, None, StatusCode::CONFLICT, "bids_not_readable").await;
            app.ok(Method::POST, &format!("/api/v1/procurements/{id}/declaration"), &t, Some(json!({"no_conflict": true}))).await;
            let bids = app.get(&format!("/api/v1/procurements/{id}/bids"), &t).await.1;
            assert_eq!(bids.as_array().unwrap().len(), 3);
            if i == 0 {
                let resp = app.client.get(format!("{}{file_path}", app.base)).bearer_auth(&t).send().await.unwrap();
                assert_eq!(resp.status(), StatusCode::OK, "a declared expert reads the attachment after the opening");
                assert_eq!(resp.bytes().await.unwrap().as_ref(), b"%PDF-1.4 service plan");
            }
            if i == 0 {
                for b in &bid_ids {
                    app.ok(Method::POST, &format!("/api/v1/procurements/{id}/compliance"), &t, Some(json!({"bid_id": b, "qualified": true}))).await;
                }
            }
            let marks: Vec<Value> = bid_ids.iter().flat_map(|b| [json!({"bid_id": b, "criterion": "plan", "score": "80"}), json!({"bid_id": b, "criterion": "team", "score": "90"})]).collect();
            app.ok(Method::POST, &format!("/api/v1/procurements/{id}/marks"), &t, Some(json!({"marks": marks}))).await;
        }
        let lead = app.token(&names[&members[0]]).await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/report"), &lead, None).await;
        assert_eq!(p["stage"], "confirming");
        // Equal marks: the lowest price (72,000) wins with 30 + 40 + 18 = 88.00.
        let winner = p["outcome"]["winners"][0].as_i64().unwrap();
        app.refused(Method::POST, &format!("/api/v1/procurements/{id}/award"), &purchaser, Some(json!({"bid_id": bid_ids.iter().find(|b| **b != winner).unwrap()})), StatusCode::UNPROCESSABLE_ENTITY, "not_a_tied_bid").await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/award"), &purchaser, Some(json!({"bid_id": winner}))).await;
        assert_eq!(p["award"]["winner"]["price"], "72000.00");
        assert_eq!(p["award"]["winner"]["score"], "88.00");
        let project_now = app.get(&format!("/api/v1/projects/{project}"), &purchaser).await.1;
        assert_eq!(project_now["status"], "contract");
        assert_eq!(project_now["award"]["amount"], "72000.00");
        assert_eq!(project_now["award"]["method"], "open_tender");
        // The result notice names the winner, price, score and committee; each bidder sees its own score and rank.
        let notices = app.all("/api/v1/notices", None).await;
        let result = notices.iter().find(|n| n["kind"] == "result" && n["procurement_id"] == id).unwrap().clone();
        assert_eq!(result["body"]["price"], "72000.00");
        assert_eq!(result["body"]["committee"].as_array().unwrap().len(), 5);
        let mine = app.get(&format!("/api/v1/procurements/{id}"), &tokens[0]).await.1;
        assert_eq!((mine["my_rank"].as_u64(), mine["my_score"].as_str()), (Some(2), Some("86.80")));

        // A losing bidder challenges the result; the reply is late, so it shows as overdue; then a complaint.
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/challenges"), &tokens[0], Some(json!({"about": "result", "text": "中标人团队人员资质与投标文件不符，请核实"}))).await;
        let duties = app.get("/api/v1/duties", &purchaser).await.1;
        assert_eq!(duties[0]["code"], "reply_challenge");
        assert_eq!(duties[0]["overdue"], false);
        app.clock.set(at("2026-05-20T09:00"));
        let (purchaser, tokens) = (app.token("jyj.purchaser").await, tokens_of(&app, &PROVIDERS).await);
        app.run_job("deadline_sweep").await;
        let overdue = app.get("/api/v1/overdue", &app.token("supervisor").await).await.1;
        assert!(overdue.as_array().unwrap().iter().any(|d| d["code"] == "reply_challenge" && d["procurement_id"] == id), "{overdue}");
        app.refused(Method::GET, "/api/v1/overdue", &tokens[0], None, StatusCode::FORBIDDEN, "forbidden").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/challenges/1/complaint"), &tokens[0], Some(json!({"text": "采购人逾期未答复质疑，请求财政部门处理"}))).await;
        let finance = app.token("czj.reviewer").await;
        let duties = app.get("/api/v1/duties", &finance).await.1;
        assert!(duties.as_array().unwrap().iter().any(|d| d["code"] == "decide_complaint"), "{duties}");
        app.refused(Method::POST, &format!("/api/v1/procurements/{id}/challenges/1/suspension"), &finance, Some(json!({"until": "2026-07-01"})), StatusCode::UNPROCESSABLE_ENTITY, "suspension_too_long").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/challenges/1/decision"), &finance,
            Some(json!({"upheld": false, "reasons": "经核查中标人人员资质符合要求，投诉不成立"}))).await;
        let notices = app.all("/api/v1/notices", None).await;
        assert!(notices.iter().any(|n| n["kind"] == "complaint_decision" && n["procurement_id"] == id));

        // The contract is signed within 30 days and published with it.
        let contract = json!({"amount": "72000.00", "start": "2026-06-01", "end": "2027-05-31", "signed_on": "2026-05-20",
            "milestones": [{"name": "终期", "share": "100", "due": "2027-05-31"}]});
        app.ok(Method::POST, &format!("/api/v1/projects/{project}/contract"), &purchaser, Some(contract)).await;
        let notices = app.all("/api/v1/notices", None).await;
        assert!(notices.iter().any(|n| n["kind"] == "contract" && n["project_id"] == project));
        // The audit chain holds every step and still verifies.
        assert_eq!(app.verify_cli(None).0, 0);
    }

    async fn too_few_bids_fail_and_finance_approves_another_method(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = approved_project(&app, "留守儿童心理辅导（流标）").await;
        let id = published_tender(&app, project).await;
        for user in &PROVIDERS[..2] {
            let t = app.token(user).await;
            app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &t, Some(bid("70000.00"))).await;
        }
        app.clock.set(at("2026-04-28T09:30"));
        let purchaser = app.token("jyj.purchaser").await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &purchaser, Some(json!({"attendees": ["监督员"]}))).await;
        assert_eq!((p["stage"].as_str(), p["failure"]["code"].as_str()), (Some("failed"), Some("too_few_bids")));
        let negotiation = json!({"method": "competitive_negotiation", "documents": documents(json!({"kind": "lowest_price"}))});
        app.refused(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(negotiation.clone()), StatusCode::UNPROCESSABLE_ENTITY, "method_not_approved").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/switch"), &purchaser, Some(json!({"to": "competitive_negotiation", "reason": "公开招标仅两家投标，申请改为竞争性谈判"}))).await;
        app.refused(Method::POST, &format!("/api/v1/procurements/{id}/switch/decision"), &app.token("mzj.reviewer").await, Some(json!({"approve": true})), StatusCode::NOT_FOUND, "not_found").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/switch/decision"), &app.token("czj.reviewer").await, Some(json!({"approve": true, "comment": "同意"}))).await;
        // Negotiation: responses after ≥ 3 working days, a panel of 3, rounds, sealed final offers, lowest price.
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(negotiation)).await;
        let next = p["id"].as_i64().unwrap();
        assert_eq!(p["replaces"], id);
        app.refused(Method::POST, &format!("/api/v1/procurements/{next}/publish"), &purchaser, Some(json!({"bid_deadline": china("2026-04-30T09:00")})), StatusCode::UNPROCESSABLE_ENTITY, "period_too_short").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{next}/publish"), &purchaser, Some(json!({"bid_deadline": china("2026-05-07T09:00")}))).await;
        let mut tokens = Vec::new();
        for (user, price) in PROVIDERS.iter().zip(["78000.00", "76000.00", "77000.00"]) {
            let t = app.token(user).await;
            app.ok(Method::PUT, &format!("/api/v1/procurements/{next}/bid"), &t, Some(bid(price))).await;
            tokens.push(t);
        }
        app.clock.set(at("2026-05-07T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{next}/opening"), &purchaser, Some(json!({"attendees": ["监督员"]}))).await;
        assert_eq!(p["stage"], "negotiating");
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{next}/committee"), &purchaser, Some(json!({}))).await;
        let members: Vec<i64> = p["committee"]["members"].as_array().unwrap().iter().map(|m| m["user_id"].as_i64().unwrap()).collect();
        assert_eq!(members.len(), 3);
        let names = usernames(&app).await;
        for m in &members {
            let t = app.token(&names[m]).await;
            app.ok(Method::POST, &format!("/api/v1/procurements/{next}/declaration"), &t, Some(json!({"no_conflict": true}))).await;
        }
        let lead = app.token(&names[&members[0]]).await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{next}/rounds"), &lead, Some(json!({"notes": "第一轮：与三家供应商逐一谈判服务频次与人员"}))).await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{next}/final-offers"), &lead, Some(json!({"deadline": china("2026-05-07T16:00")}))).await;
        app.ok(Method::PUT, &format!("/api/v1/procurements/{next}/bid"), &tokens[0], Some(bid("74000.00"))).await;
        app.ok(Method::PUT, &format!("/api/v1/procurements/{next}/bid"), &tokens[1], Some(bid("75000.00"))).await;
        app.clock.set(at("2026-05-07T16:00"));
        let (purchaser, lead) = (app.token("jyj.purchaser").await, app.token(&names[&members[0]]).await);
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{next}/opening"), &purchaser, Some(json!({"attendees": ["监督员"]}))).await;
        assert_eq!(p["final_opening"]["bids"].as_array().unwrap().len(), 2);
        for b in p["final_opening"]["bids"].as_array().unwrap() {
            app.ok(Method::POST, &format!("/api/v1/procurements/{next}/compliance"), &lead, Some(json!({"bid_id": b["bid_id"], "qualified": true}))).await;
        }
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{next}/report"), &lead, None).await;
        let winner = p["outcome"]["winners"][0].clone();
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{next}/award"), &purchaser, Some(json!({"bid_id": winner}))).await;
        assert_eq!(p["award"]["winner"]["price"], "74000.00");
        assert_eq!(app.get(&format!("/api/v1/projects/{project}"), &purchaser).await.1["award"]["method"], "competitive_negotiation");
    }

    async fn single_source_waits_for_its_notice(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = approved_project(&app, "特殊困境儿童个案服务（单一来源）").await;
        let purchaser = app.token("jyj.purchaser").await;
        let yg = app.org_id("yg").await;
        let mut docs = documents(json!({"kind": "lowest_price"}));
        docs["single_source"] = json!({"case": "only_one_supplier", "provider_org_id": yg, "provider_name": "bad name", "justification": "辖区内仅该机构具备困境儿童个案管理资质与连续服务记录"});
        let body = json!({"method": "single_source", "documents": docs.clone()});
        app.refused(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(body), StatusCode::UNPROCESSABLE_ENTITY, "unknown_organisation").await;
        let name = app.store.organisation(yg).await.unwrap().unwrap().name;
        docs["single_source"]["provider_name"] = json!(name);
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(json!({"method": "single_source", "documents": docs}))).await;
        let id = p["id"].as_i64().unwrap();
        app.clock.set(at("2026-04-03T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(json!({"bid_deadline": china("2026-04-03T10:00")}))).await;
        assert_eq!(p["stage"], "notice");
        // Five working days from Friday 3 April 2026: 7 (after Qingming), 8, 9, 10, 13 April.
        assert_eq!(p["bid_deadline"], "2026-04-13T16:00:00Z");
        let negotiation = json!({"price": "80000.00", "minutes": "经协商，服务价格由 82000 元降为 80000 元"});
        app.refused(Method::POST, &format!("/api/v1/procurements/{id}/negotiation"), &purchaser, Some(negotiation.clone()), StatusCode::CONFLICT, "notice_running").await;
        app.clock.set(at("2026-04-14T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/negotiation"), &purchaser, Some(negotiation)).await;
        let project_now = app.get(&format!("/api/v1/projects/{project}"), &purchaser).await.1;
        assert_eq!((project_now["status"].as_str(), project_now["award"]["amount"].as_str()), (Some("contract"), Some("80000.00")));
        let notices = app.all("/api/v1/notices", None).await;
        assert!(notices.iter().any(|n| n["kind"] == "single_source" && n["procurement_id"] == id));
    }

    async fn direct_purchase_only_below_the_limit_and_procurement_rules_are_enforced(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = approved_project(&app, "留守儿童陪伴（方式校验）").await;
        let purchaser = app.token("jyj.purchaser").await;
        // Consultation must use comprehensive scoring; RFQ the lowest price; unknown methods are refused.
        let bad = json!({"method": "competitive_consultation", "documents": documents(json!({"kind": "lowest_price"}))});
        app.refused(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(bad), StatusCode::UNPROCESSABLE_ENTITY, "comprehensive_required").await;
        let bad = json!({"method": "auction", "documents": documents(json!({"kind": "lowest_price"}))});
        app.refused(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(bad), StatusCode::UNPROCESSABLE_ENTITY, "unknown_value").await;
        app.refused(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &app.token("p.yg").await,
            Some(json!({"method": "open_tender", "documents": documents(comprehensive())})), StatusCode::NOT_FOUND, "not_found").await;
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(json!({"method": "request_for_quotation", "documents": documents(json!({"kind": "lowest_price"}))}))).await;
        let id = p["id"].as_i64().unwrap();
        // While it runs, the provider cannot be chosen directly.
        let yg = app.org_id("yg").await;
        app.refused(Method::POST, &format!("/api/v1/projects/{project}/award"), &purchaser,
            Some(json!({"provider_org_id": yg, "justification": "该机构长期在本区开展同类服务"})), StatusCode::CONFLICT, "procurement_running").await;
        // Only one procurement at a time.
        app.refused(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(json!({"method": "request_for_quotation", "documents": documents(json!({"kind": "lowest_price"}))})), StatusCode::CONFLICT, "procurement_running").await;
        // Drafts are not shown to providers; malformed actions answer 400 with a code.
        app.refused(Method::GET, &format!("/api/v1/procurements/{id}"), &app.token("p.yg").await, None, StatusCode::NOT_FOUND, "not_found").await;
        app.refused(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(json!({"bid_deadline": "soon"})), StatusCode::UNPROCESSABLE_ENTITY, "invalid_time").await;
        app.refused(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(json!([1])), StatusCode::BAD_REQUEST, "invalid_json").await;
        let before = app.store.audit_head().await.unwrap();
        app.refused(Method::POST, &format!("/api/v1/procurements/{id}/abandon"), &purchaser, Some(json!({"reason": "x"})), StatusCode::UNPROCESSABLE_ENTITY, "required").await;
        assert_eq!(app.store.audit_head().await.unwrap(), before, "a refused change writes nothing");
    }

    async fn every_other_method_runs_to_its_award(backend) {
        let app = TestApp::with_demo(backend).await;
        let invited: Vec<i64> = {
            let mut v = Vec::new();
            for key in ["yg", "hx", "qm"] {
                v.push(app.org_id(key).await);
            }
            v
        };
        let cases = [
            ("invited_tender", { let mut d = documents(comprehensive()); d["invited"] = json!(invited); d }),
            ("competitive_consultation", documents(json!({"kind": "comprehensive", "price_weight_bp": 2000, "criteria": [
                {"key": "plan", "name": "服务方案", "weight_bp": 6000}, {"key": "team", "name": "团队", "weight_bp": 2000}]}))),
            ("request_for_quotation", documents(json!({"kind": "lowest_price"}))),
            ("framework_agreement", { let mut d = documents(comprehensive()); d["framework_members"] = json!(2); d }),
        ];
        let names = usernames(&app).await;
        for (n, (method, docs)) in cases.into_iter().enumerate() {
            // Each case runs on a fresh project, weeks after the previous one.
            let project = approved_project(&app, &format!("留守儿童陪伴服务（{method}）")).await;
            let purchaser = app.token("jyj.purchaser").await;
            let p = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(json!({"method": method, "documents": docs}))).await;
            let id = p["id"].as_i64().unwrap();
            let start = app.clock.now();
            // 30 days that end on a rest day run on to the next working day: 35 days is always enough.
            app.clock.set(start + chrono::Duration::days(35));
            let purchaser = app.token("jyj.purchaser").await;
            let deadline = shanzhi_domain::calendar::end_of_day(shanzhi_domain::calendar::china_date(start + chrono::Duration::days(64)));
            app.ok(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(json!({"bid_deadline": deadline.to_rfc3339()}))).await;
            // An uninvited provider is refused an invited tender.
            if method == "invited_tender" {
                let outsider = app.token("p.xlx").await;
                app.refused(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &outsider, Some(bid("70000.00")), StatusCode::CONFLICT, "not_invited").await;
            }
            for (user, price) in PROVIDERS.iter().zip(["78000.00", "74000.00", "76000.00"]) {
                let t = app.token(user).await;
                app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &t, Some(bid(price))).await;
            }
            app.clock.set(deadline);
            let purchaser = app.token("jyj.purchaser").await;
            let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &purchaser, Some(json!({"attendees": ["监督员"]}))).await;
            let want = if method == "competitive_consultation" { "negotiating" } else { "evaluating" };
            assert_eq!(p["stage"], want, "{method}");
            let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/committee"), &purchaser, Some(json!({}))).await;
            let members: Vec<i64> = p["committee"]["members"].as_array().unwrap().iter().map(|m| m["user_id"].as_i64().unwrap()).collect();
            let size = if method.ends_with("tender") || method == "framework_agreement" { 5 } else { 3 };
            assert_eq!(members.len(), size, "{method}");
            let mut experts = Vec::new();
            for m in &members {
                let t = app.token(&names[m]).await;
                app.ok(Method::POST, &format!("/api/v1/procurements/{id}/declaration"), &t, Some(json!({"no_conflict": true}))).await;
                experts.push(t);
            }
            let mut p = p;
            if method == "competitive_consultation" {
                app.ok(Method::POST, &format!("/api/v1/procurements/{id}/rounds"), &experts[0], Some(json!({"notes": "第一轮磋商：明确服务频次与督导安排"}))).await;
                let final_deadline = app.clock.now() + chrono::Duration::hours(4);
                app.ok(Method::POST, &format!("/api/v1/procurements/{id}/final-offers"), &experts[0], Some(json!({"deadline": final_deadline.to_rfc3339()}))).await;
                for (user, price) in PROVIDERS.iter().zip(["77000.00", "73000.00", "75000.00"]) {
                    let t = app.token(user).await;
                    app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &t, Some(bid(price))).await;
                }
                app.clock.set(final_deadline);
                let purchaser = app.token("jyj.purchaser").await;
                p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &purchaser, Some(json!({"attendees": ["监督员"]}))).await;
                experts.clear();
                for m in &members {
                    experts.push(app.token(&names[m]).await);
                }
            }
            let evaluated = if p["final_opening"].is_null() { &p["opening"] } else { &p["final_opening"] };
            let bid_ids: Vec<i64> = evaluated["bids"].as_array().unwrap().iter().map(|b| b["bid_id"].as_i64().unwrap()).collect();
            for b in &bid_ids {
                app.ok(Method::POST, &format!("/api/v1/procurements/{id}/compliance"), &experts[0], Some(json!({"bid_id": b, "qualified": true}))).await;
            }
            if method != "request_for_quotation" {
                for t in &experts {
                    let marks: Vec<Value> = bid_ids.iter().flat_map(|b| [json!({"bid_id": b, "criterion": "plan", "score": "85"}), json!({"bid_id": b, "criterion": "team", "score": "80"})]).collect();
                    app.ok(Method::POST, &format!("/api/v1/procurements/{id}/marks"), t, Some(json!({"marks": marks}))).await;
                }
            } else {
                app.refused(Method::POST, &format!("/api/v1/procurements/{id}/marks"), &experts[0], Some(json!({"marks": []})), StatusCode::CONFLICT, "no_marks").await;
            }
            let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/report"), &experts[0], None).await;
            let winner = p["outcome"]["winners"][0].clone();
            let purchaser = app.token("jyj.purchaser").await;
            let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/award"), &purchaser, Some(json!({"bid_id": winner}))).await;
            // Equal marks everywhere: the lowest price wins every method.
            let want = if method == "competitive_consultation" { "73000.00" } else { "74000.00" };
            assert_eq!(p["award"]["winner"]["price"], want, "{method}");
            let project_now = app.get(&format!("/api/v1/projects/{project}"), &purchaser).await.1;
            assert_eq!(project_now["award"]["method"], method);
            if method == "framework_agreement" {
                let members = p["award"]["members"].as_array().unwrap();
                assert_eq!(members.len(), 2);
                let second = members[1]["org_id"].clone();
                app.ok(Method::POST, &format!("/api/v1/procurements/{id}/call-offs"), &purchaser, Some(json!({"org_id": second, "amount": "30000.00", "note": "城关社区 12 户留守儿童家庭"}))).await;
                app.refused(Method::POST, &format!("/api/v1/procurements/{id}/call-offs"), &purchaser, Some(json!({"org_id": second, "amount": "60000.00", "note": "超出预算的订单"})), StatusCode::UNPROCESSABLE_ENTITY, "framework_exhausted").await;
            }
            // Cancelling gives the reservation back for the next case.
            app.ok(Method::POST, &format!("/api/v1/projects/{project}/cancel"), &purchaser, Some(json!({"reason": "测试结束，撤销项目"}))).await;
            assert!(n < 4);
        }
    }

    async fn an_entrusted_agency_runs_the_procurement(backend) {
        let app = TestApp::with_demo(backend).await;
        let admin = app.token("admin").await;
        let org_code = shanzhi_domain::ids::org_code_with_check("MA4F2Q7D").unwrap();
        let uscc = shanzhi_domain::ids::uscc_with_check(&format!("91420506{org_code}")).unwrap();
        let agency = app.ok(Method::POST, "/api/v1/organisations", &admin, Some(json!({
            "key": "zbdl", "name": "宜昌三峡招标代理有限公司", "kind": "enterprise", "uscc": uscc, "region": "420506", "contact": "王经理"
        }))).await;
        app.ok(Method::POST, "/api/v1/users", &admin, Some(json!({
            "username": "zbdl.agent", "display_name": "王代理", "org_id": agency["id"], "roles": ["agency"], "password": DEMO_PASSWORD
        }))).await;
        let agent = app.token("zbdl.agent").await;
        let project = approved_project(&app, "留守儿童陪伴（委托代理）").await;
        let purchaser = app.token("jyj.purchaser").await;
        let body = json!({"method": "request_for_quotation", "documents": documents(json!({"kind": "lowest_price"})), "agency_org_id": agency["id"]});
        // The agency cannot start a purchase for the department; the department entrusts it.
        app.refused(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &agent, Some(body.clone()), StatusCode::NOT_FOUND, "not_found").await;
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(body)).await;
        let id = p["id"].as_i64().unwrap();
        app.clock.set(at("2026-04-10T09:00"));
        let agent = app.token("zbdl.agent").await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &agent, Some(json!({"bid_deadline": china("2026-04-16T09:00")}))).await;
        assert_eq!(p["stage"], "bidding");
        let list = app.all("/api/v1/procurements", Some(&agent)).await;
        assert!(list.iter().any(|x| x["id"] == id));
        // An agency it did not entrust sees nothing.
        let other = app.ok(Method::POST, "/api/v1/organisations", &app.token("admin").await, Some(json!({
            "key": "zbdl2", "name": "另一家招标代理公司", "kind": "enterprise",
            "uscc": shanzhi_domain::ids::uscc_with_check(&format!("91420506{}", shanzhi_domain::ids::org_code_with_check("MA4F2Q8D").unwrap())).unwrap(),
            "region": "420506", "contact": "李经理"
        }))).await;
        app.ok(Method::POST, "/api/v1/users", &app.token("admin").await, Some(json!({
            "username": "zbdl2.agent", "display_name": "李代理", "org_id": other["id"], "roles": ["agency"], "password": DEMO_PASSWORD
        }))).await;
        let stranger = app.token("zbdl2.agent").await;
        app.refused(Method::GET, &format!("/api/v1/procurements/{id}"), &stranger, None, StatusCode::NOT_FOUND, "not_found").await;
        app.refused(Method::POST, &format!("/api/v1/procurements/{id}/clarifications"), &stranger, Some(json!({"text": "冒充代理机构发布澄清"})), StatusCode::NOT_FOUND, "not_found").await;
    }
}
