//! Budgets, grants and the ledger over the API: no budget, no purchase; money reserved at approval,
//! committed by the contract, paid at acceptance, released on cancellation; never overspent, even
//! when two servers race for the same budget line.

use crate::both_backends;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Designs, estimates (82,000 yuan) and funds a project of `token`'s department from budget line `budget`.
pub(crate) async fn ready_project(app: &TestApp, token: &str, title: &str, budget: &Value, amount: &str) -> i64 {
    let id = app.ok(Method::POST, "/api/v1/projects", token, Some(design(title))).await["id"].as_i64().unwrap();
    app.ok(Method::POST, &format!("/api/v1/projects/{id}/finish-design"), token, None).await;
    let lines = json!({"lines": [{"kind": "personnel", "item": "社工薪酬", "quantity": "1", "unit": "项", "unit_price": amount}]});
    app.ok(Method::PUT, &format!("/api/v1/projects/{id}/cost-estimate"), token, Some(lines)).await;
    let funding = json!({"lines": [{"budget_id": budget["id"], "amount": amount}]});
    app.ok(Method::PUT, &format!("/api/v1/projects/{id}/funding"), token, Some(funding)).await;
    app.ok(Method::POST, &format!("/api/v1/projects/{id}/submit"), token, None).await;
    id
}

pub(crate) async fn balances(app: &TestApp, token: &str, budget_id: i64) -> Value {
    let lines = app.all("/api/v1/budgets", Some(token)).await;
    lines.iter().find(|b| b["id"] == budget_id).unwrap()["balances"].clone()
}

both_backends! {
    async fn budgets_are_managed_by_finance_and_seen_in_scope(backend) {
        let app = TestApp::with_demo(backend).await;
        let finance = app.token("czj.reviewer").await;
        let education = app.token("jyj.purchaser").await;
        let jyj = app.org_id("jyj").await;
        let body = json!({"year": 2026, "org_id": jyj, "source": "social_funds", "amount": "50000", "donor": "宜昌市慈善总会", "note": "助学"});
        app.refused(Method::POST, "/api/v1/budgets", &education, Some(body.clone()), StatusCode::FORBIDDEN, "forbidden").await;
        let line = app.ok(Method::POST, "/api/v1/budgets", &finance, Some(body)).await;
        assert_eq!(line["balances"]["available"], "50000.00");
        for (field, value, code) in [
            ("source", json!("lottery"), "unknown_fund_source"),
            ("amount", json!("-5"), "negative_amount"),
            ("amount", json!("0"), "amount_not_positive"),
            ("donor", json!(null), "donor_required"),
            ("org_id", json!(app.org_id("xlx").await), "not_a_department"),
            ("year", json!(1990), "invalid_year"),
        ] {
            let mut b = json!({"year": 2026, "org_id": jyj, "source": "social_funds", "amount": "10", "donor": "某基金会"});
            b[field] = value;
            app.refused(Method::POST, "/api/v1/budgets", &finance, Some(b), StatusCode::UNPROCESSABLE_ENTITY, code).await;
        }
        // A department sees only its own lines; finance sees all.
        let own = app.all("/api/v1/budgets", Some(&education)).await;
        assert!(own.iter().all(|b| b["org_id"] == jyj));
        let all = app.all("/api/v1/budgets", Some(&finance)).await;
        assert!(all.len() > own.len());
        let other = all.iter().find(|b| b["org_id"] != jyj).unwrap();
        app.refused(Method::GET, &format!("/api/v1/budgets/{}/ledger", other["id"]), &education, None, StatusCode::NOT_FOUND, "not_found").await;
        let ledger = app.all(&format!("/api/v1/budgets/{}/ledger", line["id"]), Some(&finance)).await;
        assert_eq!(ledger[0]["movement"], "allocate");
        assert_eq!(ledger[0]["amount"], "50000.00");
    }

    async fn grants_move_money_between_departments(backend) {
        let app = TestApp::with_demo(backend).await;
        let civil = app.token("mzj.purchaser").await;
        let health = app.token("wsj.purchaser").await;
        let mzj = app.org_id("mzj").await;
        let wsj = app.org_id("wsj").await;
        let lottery = app.all("/api/v1/budgets?year=2026", Some(&civil)).await.into_iter()
            .find(|b| b["org_id"] == mzj && b["source"] == "welfare_lottery" && b["granted_from"].is_null()).unwrap().clone();
        let before = lottery["balances"]["available"].as_str().unwrap().to_string();
        app.refused(Method::POST, &format!("/api/v1/budgets/{}/grants", lottery["id"]), &health, Some(json!({"to_org_id": wsj, "amount": "1000"})), StatusCode::NOT_FOUND, "not_found").await;
        let granted = app.ok(Method::POST, &format!("/api/v1/budgets/{}/grants", lottery["id"]), &civil, Some(json!({"to_org_id": wsj, "amount": "30000", "note": "医务社工项目"}))).await;
        assert_eq!(granted["org_id"], wsj);
        assert_eq!(granted["source"], "welfare_lottery");
        assert_eq!(granted["granted_from"], lottery["id"]);
        assert_eq!(granted["balances"]["available"], "30000.00");
        let after = balances(&app, &civil, lottery["id"].as_i64().unwrap()).await;
        let expect = shanzhi_domain::Money::parse_yuan(&before).unwrap() - shanzhi_domain::Money::from_yuan(30_000);
        assert_eq!(after["available"], expect.yuan_string());
        app.refused(Method::POST, &format!("/api/v1/budgets/{}/grants", lottery["id"]), &civil, Some(json!({"to_org_id": wsj, "amount": "999999999"})), StatusCode::CONFLICT, "budget_exceeded").await;
        // The receiving department can now fund a project from the grant.
        let id = ready_project(&app, &health, "医务社会工作服务", &granted, "30000.00").await;
        assert_eq!(app.get(&format!("/api/v1/projects/{id}"), &health).await.1["funding"][0]["source"], "welfare_lottery");
        // …but not from another department's line.
        let other = app.token("jyj.purchaser").await;
        let pid = app.ok(Method::POST, "/api/v1/projects", &other, Some(design("借用他人预算"))).await["id"].as_i64().unwrap();
        app.ok(Method::POST, &format!("/api/v1/projects/{pid}/finish-design"), &other, None).await;
        app.ok(Method::PUT, &format!("/api/v1/projects/{pid}/cost-estimate"), &other, Some(cost_estimate())).await;
        app.refused(Method::PUT, &format!("/api/v1/projects/{pid}/funding"), &other, Some(json!({"lines": [{"budget_id": granted["id"], "amount": "82000.00"}]})), StatusCode::UNPROCESSABLE_ENTITY, "budget_not_yours").await;
    }

    async fn money_follows_the_steps(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let civil = app.token("mzj.reviewer").await;
        let finance = app.token("czj.reviewer").await;
        let finance_org = app.org_id("czj").await;
        let jyj = app.org_id("jyj").await;
        let _ = finance_org;
        let line = app.ok(Method::POST, "/api/v1/budgets", &finance, Some(json!({"year": 2026, "org_id": jyj, "source": "other", "amount": "100000"}))).await;
        let bid = line["id"].as_i64().unwrap();
        let id = ready_project(&app, &purchaser, "资金流转测试项目", &line, "82000.00").await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &civil, Some(json!({"decision": "approve"}))).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &finance, Some(json!({"decision": "approve"}))).await;
        assert_eq!(balances(&app, &finance, bid).await, json!({"available": "18000.00", "reserved": "82000.00", "committed": "0.00", "paid": "0.00"}));
        let yg = app.org_id("yg").await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/award"), &purchaser, Some(json!({"provider_org_id": yg, "justification": "该机构长期在本区开展学校社工服务"}))).await;
        let contract = json!({"amount": "80000.00", "start": "2026-04-01", "end": "2027-03-31", "signed_on": "2026-03-02",
            "milestones": [{"name": "中期", "share": "40", "due": "2026-09-30"}, {"name": "终期", "share": "60", "due": "2027-03-31"}]});
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/contract"), &purchaser, Some(contract)).await;
        assert_eq!(balances(&app, &finance, bid).await, json!({"available": "20000.00", "reserved": "0.00", "committed": "80000.00", "paid": "0.00"}));
        // The first milestone is due on 30 September: reported and paid then.
        app.clock.set(crate::procurement::at("2026-09-30T09:00"));
        let (purchaser, finance, provider) = (app.token("jyj.purchaser").await, app.token("czj.reviewer").await, app.token("p.yg").await);
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/milestones/0/report"), &provider, Some(json!({"beneficiaries": 50, "hours": "100", "summary": "完成"}))).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/milestones/0/decision"), &purchaser, Some(json!({"decision": "accept"}))).await;
        assert_eq!(balances(&app, &finance, bid).await, json!({"available": "20000.00", "reserved": "0.00", "committed": "48000.00", "paid": "32000.00"}));
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/terminate"), &purchaser, Some(json!({"reason": "承接主体人员流失无法履约"}))).await;
        assert_eq!(balances(&app, &finance, bid).await, json!({"available": "68000.00", "reserved": "0.00", "committed": "0.00", "paid": "32000.00"}));
        // Newest first, as every list: read back to front, the line's life in order.
        let ledger = app.all(&format!("/api/v1/budgets/{bid}/ledger?limit=2"), Some(&finance)).await;
        let moves: Vec<&str> = ledger.iter().rev().map(|e| e["movement"].as_str().unwrap()).collect();
        assert_eq!(moves, vec!["allocate", "reserve", "commit", "release", "pay", "uncommit"]);
        // The ledger is append-only, even for someone with the database.
        let tampered = sqlx::raw_sql("UPDATE ledger SET amount_fen = 1").execute(app.store.pool()).await;
        assert!(tampered.is_err(), "ledger rows cannot be changed");
        let deleted = sqlx::raw_sql("DELETE FROM ledger").execute(app.store.pool()).await;
        assert!(deleted.is_err(), "ledger rows cannot be deleted");
    }

    async fn approval_cannot_overspend(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let civil = app.token("mzj.reviewer").await;
        let finance = app.token("czj.reviewer").await;
        let jyj = app.org_id("jyj").await;
        let line = app.ok(Method::POST, "/api/v1/budgets", &finance, Some(json!({"year": 2026, "org_id": jyj, "source": "other", "amount": "100000"}))).await;
        // A split that does not add up to the estimate is refused, field by field.
        let pid = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(design("资金拆分校验"))).await["id"].as_i64().unwrap();
        app.ok(Method::POST, &format!("/api/v1/projects/{pid}/finish-design"), &purchaser, None).await;
        app.ok(Method::PUT, &format!("/api/v1/projects/{pid}/cost-estimate"), &purchaser, Some(cost_estimate())).await;
        let funding = |amount: &str| json!({"lines": [{"budget_id": line["id"], "amount": amount}]});
        app.refused(Method::PUT, &format!("/api/v1/projects/{pid}/funding"), &purchaser, Some(funding("81999.99")), StatusCode::UNPROCESSABLE_ENTITY, "funding_not_total").await;
        app.refused(Method::PUT, &format!("/api/v1/projects/{pid}/funding"), &purchaser, Some(funding("-1")), StatusCode::UNPROCESSABLE_ENTITY, "negative_amount").await;
        app.refused(Method::PUT, &format!("/api/v1/projects/{pid}/funding"), &purchaser, Some(json!({"lines": []})), StatusCode::UNPROCESSABLE_ENTITY, "funding_required").await;
        app.refused(Method::POST, &format!("/api/v1/projects/{pid}/submit"), &purchaser, None, StatusCode::UNPROCESSABLE_ENTITY, "funding_required").await;
        let a = ready_project(&app, &purchaser, "甲项目", &line, "60000.00").await;
        let b = ready_project(&app, &purchaser, "乙项目", &line, "60000.00").await;
        for id in [a, b] {
            app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &civil, Some(json!({"decision": "approve"}))).await;
        }
        app.ok(Method::POST, &format!("/api/v1/projects/{a}/review"), &finance, Some(json!({"decision": "approve"}))).await;
        let v = app.refused(Method::POST, &format!("/api/v1/projects/{b}/review"), &finance, Some(json!({"decision": "approve"})), StatusCode::CONFLICT, "budget_exceeded").await;
        assert!(v["message"].as_str().unwrap().contains("40,000.00"), "{v}");
        assert_eq!(app.get(&format!("/api/v1/projects/{b}"), &finance).await.1["status"], "review_finance", "nothing half-written");
        // Cancelling the first gives its reservation back; now the second fits.
        app.ok(Method::POST, &format!("/api/v1/projects/{a}/cancel"), &purchaser, Some(json!({"reason": "合并到乙项目实施"}))).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{b}/review"), &finance, Some(json!({"decision": "approve"}))).await;
    }

    async fn racing_approvals_on_two_servers_never_overspend(backend) {
        let app = TestApp::with_demo(backend).await;
        let second = app.another_server().await;
        let purchaser = app.token("jyj.purchaser").await;
        let civil = app.token("mzj.reviewer").await;
        let finance_a = app.token("czj.reviewer").await;
        let finance_b = second.token("czj.reviewer").await;
        let jyj = app.org_id("jyj").await;
        for round in 0..3 {
            let line = app.ok(Method::POST, "/api/v1/budgets", &finance_a, Some(json!({"year": 2026, "org_id": jyj, "source": "other", "amount": "100000"}))).await;
            let mut ids = Vec::new();
            for k in 0..4 {
                let id = ready_project(&app, &purchaser, &format!("竞争预算 {round}-{k}"), &line, "40000.00").await;
                app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &civil, Some(json!({"decision": "approve"}))).await;
                ids.push(id);
            }
            // Four approvals of 40,000 against 100,000, at once, half on each server: two can succeed.
            let mut tasks = Vec::new();
            for (k, id) in ids.iter().enumerate() {
                let (base, token) = if k % 2 == 0 { (app.base.clone(), finance_a.clone()) } else { (second.base.clone(), finance_b.clone()) };
                let client = app.client.clone();
                let url = format!("{base}/api/v1/projects/{id}/review");
                tasks.push(tokio::spawn(async move { client.post(url).bearer_auth(token).json(&json!({"decision": "approve"})).send().await.unwrap().status() }));
            }
            let mut statuses = Vec::new();
            for t in tasks {
                statuses.push(t.await.unwrap());
            }
            assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 2, "{statuses:?}");
            assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 2, "{statuses:?}");
            let b = balances(&app, &finance_a, line["id"].as_i64().unwrap()).await;
            assert_eq!(b, json!({"available": "20000.00", "reserved": "80000.00", "committed": "0.00", "paid": "0.00"}));
        }
        let (code, out) = app.verify_cli(None);
        assert_eq!(code, 0, "{out}");
    }

    async fn spending_standards_flag_estimates(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let finance = app.token("czj.reviewer").await;
        let (status, list) = app.call(Method::GET, "/api/v1/standards", None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(list.as_array().unwrap().iter().any(|s| s["code"] == "sw_post_year" && s["max_unit_price"] == "60000.00"));
        let body = json!({"name": "社工岗位年度经费", "unit": "人·年", "max_unit_price": "50000"});
        app.refused(Method::PUT, "/api/v1/standards/sw_post_year", &purchaser, Some(body.clone()), StatusCode::FORBIDDEN, "forbidden").await;
        app.refused(Method::PUT, "/api/v1/standards/sw_post_year", &finance, Some(json!({"name": "x", "unit": "人", "max_unit_price": "0"})), StatusCode::UNPROCESSABLE_ENTITY, "amount_not_positive").await;
        app.refused(Method::PUT, "/api/v1/standards/bad code", &finance, Some(body.clone()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_code").await;
        app.ok(Method::PUT, "/api/v1/standards/sw_post_year", &finance, Some(body)).await;

        let id = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(design("驻校社工岗位"))).await["id"].as_i64().unwrap();
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/finish-design"), &purchaser, None).await;
        let line = |price: &str, reason: &str| json!({"kind": "personnel", "item": "驻校社工", "quantity": "2", "unit": "人·年", "unit_price": price, "standard": "sw_post_year", "reason": reason});
        let path = format!("/api/v1/projects/{id}/cost-estimate");
        app.refused(Method::PUT, &path, &purchaser, Some(json!({"lines": [line("52000", "")]})), StatusCode::UNPROCESSABLE_ENTITY, "above_standard").await;
        let p = app.ok(Method::PUT, &path, &purchaser, Some(json!({"lines": [line("52000", "中级社会工作师，按职称标准")]}))).await;
        assert_eq!(p["cost_lines"][0]["over_standard"], true);
        let p = app.ok(Method::PUT, &path, &purchaser, Some(json!({"lines": [line("50000", "")]}))).await;
        assert_eq!(p["cost_lines"][0]["over_standard"], false);
        let fee = json!({"kind": "management_fee", "item": "管理费", "quantity": "1", "unit": "项", "unit_price": "10000.01"});
        app.refused(Method::PUT, &path, &purchaser, Some(json!({"lines": [line("50000", ""), fee]})), StatusCode::UNPROCESSABLE_ENTITY, "management_fee_above_cap").await;
        let unknown = json!({"kind": "personnel", "item": "x", "quantity": "1", "unit": "人", "unit_price": "1", "standard": "nope"});
        app.refused(Method::PUT, &path, &purchaser, Some(json!({"lines": [unknown]})), StatusCode::UNPROCESSABLE_ENTITY, "unknown_standard").await;
    }

    async fn posts_are_filled_by_the_provider(backend) {
        let app = TestApp::with_demo(backend).await;
        let supervisor = app.token("supervisor").await;
        let provider = app.token("p.xlx").await;
        let purchaser = app.token("mzj.purchaser").await;
        let posts = app.all("/api/v1/posts?limit=2", Some(&supervisor)).await;
        let running: Vec<&Value> = posts.iter().filter(|p| p["status"] == "acceptance").collect();
        assert!(running.len() >= 50, "the seed's 50+ posts: {}", running.len());
        assert!(running.iter().all(|p| p["standard_cap"] == "60000.00" && p["above_standard"] == false), "held against the post standard");
        let vacant = running.iter().find(|p| p["holder"].is_null()).expect("some posts are vacant");
        let (id, n) = (vacant["project_id"].as_i64().unwrap(), vacant["index"].as_i64().unwrap());
        let path = format!("/api/v1/projects/{id}/posts/{n}/holder");
        let holder = json!({"name": "覃小琴", "certification": "assistant", "since": "2026-03-01"});
        app.refused(Method::PUT, &path, &purchaser, Some(holder.clone()), StatusCode::FORBIDDEN, "forbidden").await;
        app.refused(Method::PUT, &path, &provider, Some(json!({"name": "覃小琴", "certification": "master", "since": "2026-03-01"})), StatusCode::UNPROCESSABLE_ENTITY, "unknown_value").await;
        app.refused(Method::PUT, &path, &provider, Some(json!({"name": "", "certification": "assistant", "since": "2026-03-01"})), StatusCode::UNPROCESSABLE_ENTITY, "required").await;
        let p = app.ok(Method::PUT, &path, &provider, Some(holder)).await;
        assert_eq!(p["contract"]["posts"][n as usize]["holder"]["certification"], "assistant");
        let history = app.get(&format!("/api/v1/projects/{id}/history"), &purchaser).await.1;
        assert!(!history.to_string().contains("覃小琴"), "post holders' names stay out of the audit log");
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/posts/{n}/vacate"), &provider, Some(json!({"reason": "社工考取公务员离职"}))).await;
        app.refused(Method::POST, &format!("/api/v1/projects/{id}/posts/{n}/vacate"), &provider, Some(json!({"reason": "再次离岗登记"})), StatusCode::UNPROCESSABLE_ENTITY, "post_vacant").await;
        // A provider sees only its own posts; a department with no post contracts sees none.
        let other = app.token("p.yg").await;
        let theirs = app.all("/api/v1/posts", Some(&other)).await;
        assert!(theirs.iter().all(|p| p["provider"] != vacant["provider"]));
    }
}
