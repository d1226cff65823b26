//! A project through all six steps over the API, by the people whose turn it is.

use crate::both_backends;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends! {
    async fn six_steps_end_to_end(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let civil = app.token("mzj.reviewer").await;
        let finance = app.token("czj.reviewer").await;
        let provider = app.token("p.yg").await;

        // 1 design
        let p = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(design("城区学校社会工作服务"))).await;
        let id = p["id"].as_i64().unwrap();
        assert_eq!(p["status"], "design");
        assert_eq!(p["waiting_on_me"], "finish_design");
        assert!(p["code"].as_str().unwrap().starts_with("SZ-2026-"));
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/finish-design"), &purchaser, None).await;
        // 2 cost estimate: 2 × 36000 + 12.5 × 800 = 82000.00
        let p = app.ok(Method::PUT, &format!("/api/v1/projects/{id}/cost-estimate"), &purchaser, Some(cost_estimate())).await;
        assert_eq!(p["total"], "82000.00");
        app.fund(&purchaser, id).await;
        // 3 review: the provider cannot see it yet; civil affairs on content, then finance on money
        app.refused(Method::GET, &format!("/api/v1/projects/{id}"), &provider, None, StatusCode::NOT_FOUND, "not_found").await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/submit"), &purchaser, None).await;
        let queue = app.all("/api/v1/queue", Some(&civil)).await;
        assert!(queue.iter().any(|q| q["project_id"] == id && q["duty"] == "review"), "{queue:?}");
        app.refused(Method::POST, &format!("/api/v1/projects/{id}/review"), &finance, Some(json!({"decision": "approve"})), StatusCode::FORBIDDEN, "forbidden").await;
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &civil, Some(json!({"decision": "approve", "comment": "内容符合目录"}))).await;
        assert_eq!(p["status"], "review_finance");
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &finance, Some(json!({"decision": "approve"}))).await;
        assert_eq!(p["status"], "procurement");
        // 4 procurement: a direct award to an eligible provider
        let inactive = app.store.organisations().await.unwrap().into_iter().find(|o| o.kind.is_provider_kind() && !o.active).unwrap();
        app.refused(Method::POST, &format!("/api/v1/projects/{id}/award"), &purchaser,
            Some(json!({"provider_org_id": inactive.id, "justification": "该机构曾在本区开展同类服务多年"})), StatusCode::UNPROCESSABLE_ENTITY, "provider_inactive").await;
        let yg = app.org_id("yg").await;
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{id}/award"), &purchaser,
            Some(json!({"provider_org_id": yg, "justification": "该机构为区内唯一具备学校社工督导资质的机构"}))).await;
        assert_eq!(p["status"], "contract");
        // 5 contract
        let contract = json!({"amount": "80000.00", "start": "2026-04-01", "end": "2027-03-31", "signed_on": "2026-03-02",
            "milestones": [{"name": "中期", "share": "40", "due": "2026-09-30"}, {"name": "终期", "share": "60", "due": "2027-03-31"}]});
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{id}/contract"), &purchaser, Some(contract)).await;
        assert_eq!(p["status"], "acceptance");
        assert_eq!(p["contract"]["milestones"][0]["amount"], "32000.00");
        // 6 acceptance, as the service is delivered: upload evidence, report, reject, report again, accept when
        // the milestone is due, and the last milestone completes
        app.clock.set(crate::procurement::at("2026-09-25T09:00"));
        let (purchaser, provider) = (app.token("jyj.purchaser").await, app.token("p.yg").await);
        let part = reqwest::multipart::Part::bytes(b"%PDF-1.4 sign-in sheet".to_vec()).file_name("签到表.pdf");
        let resp = app.client.post(format!("{}/api/v1/files", app.base)).bearer_auth(&provider)
            .multipart(reqwest::multipart::Form::new().part("file", part)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let file: serde_json::Value = resp.json().await.unwrap();
        let report = json!({"beneficiaries": 120, "hours": "300", "summary": "上半年服务完成", "file_ids": [file["id"]],
            "outputs": [{"indicator": "服务儿童人数", "actual": "130"}]});
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/milestones/0/report"), &provider, Some(report.clone())).await;
        app.refused(Method::POST, &format!("/api/v1/projects/{id}/milestones/0/decision"), &purchaser, Some(json!({"decision": "reject"})), StatusCode::UNPROCESSABLE_ENTITY, "reason_required").await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/milestones/0/decision"), &purchaser, Some(json!({"decision": "reject", "reason": "缺少活动照片"}))).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/milestones/0/report"), &provider, Some(report.clone())).await;
        app.clock.set(crate::procurement::at("2026-09-30T09:00"));
        let (purchaser, provider) = (app.token("jyj.purchaser").await, app.token("p.yg").await);
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/milestones/0/decision"), &purchaser, Some(json!({"decision": "accept"}))).await;
        let acceptance_notices = || async {
            let all = app.all("/api/v1/notices?kind=acceptance", None).await;
            all.into_iter().filter(|n| n["project_id"] == id).collect::<Vec<_>>()
        };
        assert!(acceptance_notices().await.is_empty(), "no acceptance result while a milestone is still open");
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/milestones/1/report"), &provider, Some(json!({"beneficiaries": 210, "hours": "640.5", "summary": "全年服务完成"}))).await;
        app.clock.set(crate::procurement::at("2027-03-31T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{id}/milestones/1/decision"), &purchaser, Some(json!({"decision": "accept"}))).await;
        assert_eq!(p["status"], "completed");
        // The acceptance result is public as the last milestone is accepted (政府采购法实施条例 §45): each
        // milestone with the day it was accepted, and what was paid — neither the reports nor a rejection's reasons.
        let published = acceptance_notices().await;
        assert_eq!(published.len(), 1, "{published:?}");
        let n = &published[0];
        assert_eq!((n["title"].as_str(), n["published_on"].as_str()), (Some("宜昌市夷陵区教育局关于城区学校社会工作服务的验收结果公告"), Some("2027-03-31")));
        let body = &n["body"];
        assert_eq!((body["paid"].as_str(), body["amount"].as_str(), body["provider"].as_str()), (Some("80000.00"), Some("80000.00"), Some("宜昌市夷陵区阳光心理咨询服务中心")), "{body}");
        let accepted: Vec<_> = body["milestones"].as_array().unwrap().iter().map(|m| (m["name"].as_str().unwrap(), m["accepted_on"].as_str().unwrap())).collect();
        assert_eq!(accepted, [("中期", "2026-09-30"), ("终期", "2027-03-31")]);
        let (status, html) = page(&app, &format!("/notices/{}", n["id"]), "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("验收结果公告") && html.contains("已支付金额") && html.contains("验收于"), "the public page shows the result");
        for private in ["缺少活动照片", "上半年服务完成", "全年服务完成", "签到表"] {
            assert!(!n.to_string().contains(private) && !html.contains(private), "{private} is not published");
        }
        // The purchaser may download the provider's evidence now that it is attached to a visible project.
        let resp = app.client.get(format!("{}/api/v1/files/{}", app.base, file["id"])).bearer_auth(&purchaser).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.bytes().await.unwrap().as_ref(), b"%PDF-1.4 sign-in sheet");
        // Another department, which sees no project holding it, may not.
        let other = app.token("wsj.purchaser").await;
        let resp = app.client.get(format!("{}/api/v1/files/{}", app.base, file["id"])).bearer_auth(&other).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);

        // History: every step recorded, in order, by the right people.
        let history = app.get(&format!("/api/v1/projects/{id}/history"), &purchaser).await.1;
        let actions: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, vec![
            "project.create", "project.finish_design", "project.cost_estimate", "project.funding", "project.submit",
            "project.review_approve", "project.review_approve", "project.award", "project.contract_sign",
            "project.report_file", "project.milestone_reject", "project.report_file", "project.milestone_accept",
            "project.report_file", "project.milestone_accept",
        ]);
        assert_eq!(history[5]["actor_name"], "mzj.reviewer");
        assert_eq!(history[4]["before"]["status"], "cost_estimate");
        assert_eq!(history[4]["after"]["status"], "review_content");
        let (code, out) = app.verify_cli(None);
        assert_eq!(code, 0, "{out}");
        assert!(out.starts_with("ok: "), "{out}");
    }

    async fn returned_projects_are_revised_and_resubmitted(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let civil = app.token("mzj.reviewer").await;
        let id = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(design("学生心理疏导服务"))).await["id"].as_i64().unwrap();
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/finish-design"), &purchaser, None).await;
        app.ok(Method::PUT, &format!("/api/v1/projects/{id}/cost-estimate"), &purchaser, Some(cost_estimate())).await;
        app.fund(&purchaser, id).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/submit"), &purchaser, None).await;
        app.refused(Method::POST, &format!("/api/v1/projects/{id}/review"), &civil, Some(json!({"decision": "return"})), StatusCode::UNPROCESSABLE_ENTITY, "comment_required").await;
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &civil, Some(json!({"decision": "return", "comment": "请补充服务对象摸底数据"}))).await;
        assert_eq!(p["status"], "design");
        assert_eq!(p["returned"], true);
        let mut revised = design("学生心理疏导服务");
        revised["content"] = json!("补充摸底数据后：为 200 名留守儿童提供心理疏导。");
        app.ok(Method::PUT, &format!("/api/v1/projects/{id}/design"), &purchaser, Some(revised)).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/finish-design"), &purchaser, None).await;
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{id}/submit"), &purchaser, None).await;
        assert_eq!(p["status"], "review_content");
        assert_eq!(p["returned"], false);
        // Cancel with a reason; afterwards nothing more can happen.
        app.refused(Method::POST, &format!("/api/v1/projects/{id}/cancel"), &purchaser, Some(json!({"reason": ""})), StatusCode::UNPROCESSABLE_ENTITY, "reason_required").await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/cancel"), &purchaser, Some(json!({"reason": "与区民政局项目重复，撤销"}))).await;
        app.refused(Method::POST, &format!("/api/v1/projects/{id}/review"), &civil, Some(json!({"decision": "approve"})), StatusCode::CONFLICT, "wrong_step").await;
    }

    async fn negative_list_and_catalogue_are_enforced(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        // Refused when chosen, at design (`money_rules` checks every path); nothing is created.
        let before = app.all("/api/v1/projects", Some(&purchaser)).await.len();
        for (category, code) in [("X05", "category_on_negative_list"), ("Z99", "category_not_in_catalogue")] {
            let mut d = design("为本单位招聘临时人员");
            d["category"] = json!(category);
            app.refused(Method::POST, "/api/v1/projects", &purchaser, Some(d), StatusCode::UNPROCESSABLE_ENTITY, code).await;
        }
        assert_eq!(app.all("/api/v1/projects", Some(&purchaser)).await.len(), before);
    }

    async fn scope_keeps_departments_and_providers_apart(backend) {
        let app = TestApp::with_demo(backend).await;
        let education = app.token("jyj.purchaser").await;
        let health = app.token("wsj.purchaser").await;
        let provider = app.token("p.yg").await;
        let expert = app.token("expert.xiang").await;
        let id = app.ok(Method::POST, "/api/v1/projects", &education, Some(design("仅教育局可见的草稿"))).await["id"].as_i64().unwrap();
        app.refused(Method::GET, &format!("/api/v1/projects/{id}"), &health, None, StatusCode::NOT_FOUND, "not_found").await;
        app.refused(Method::POST, &format!("/api/v1/projects/{id}/finish-design"), &health, None, StatusCode::NOT_FOUND, "not_found").await;
        for token in [&health, &provider, &expert] {
            let list = app.all("/api/v1/projects", Some(token)).await;
            assert!(!list.iter().any(|p| p["id"] == id));
        }
        // A provider sees exactly the projects awarded to it.
        let yg = app.org_id("yg").await;
        let list = app.all("/api/v1/projects", Some(&provider)).await;
        assert!(!list.is_empty());
        assert!(list.iter().all(|p| p["provider_org_id"] == yg));
        // A township supervisor sees only projects in the township's subtree.
        let lq = app.token("lq.supervisor").await;
        let list = app.all("/api/v1/projects", Some(&lq)).await;
        assert!(!list.is_empty(), "龙泉镇 has projects in the demo");
        for item in &list {
            let project = app.ok(Method::GET, &format!("/api/v1/projects/{}", item["id"]), &lq, None).await;
            assert!(project["design"]["regions"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().starts_with("420506008")), "{project}");
        }
    }

    async fn concurrent_writers_never_fork_the_chain(backend) {
        let app = TestApp::with_demo(backend).await;
        let second = app.another_server().await;
        let a = app.token("jyj.purchaser").await;
        let b = second.token("wsj.purchaser").await;
        let mut tasks = Vec::new();
        for i in 0..12 {
            let (server, token) = if i % 2 == 0 { (&app, a.clone()) } else { (&second, b.clone()) };
            let url = format!("{}/api/v1/projects", server.base);
            let client = server.client.clone();
            tasks.push(tokio::spawn(async move {
                client.post(url).bearer_auth(token).json(&design(&format!("并发创建的项目 {i}"))).send().await.unwrap().status()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), StatusCode::CREATED);
        }
        let (code, out) = app.verify_cli(None);
        assert_eq!(code, 0, "{out}");
    }

    async fn stale_writes_are_refused(backend) {
        let app = TestApp::with_demo(backend).await;
        let p = app.store.projects().await.unwrap().into_iter().next().unwrap();
        let mut newer = p.clone();
        newer.version += 1;
        let by = shanzhi_store::By::system("test");
        let change = shanzhi_domain::project::Change::new(shanzhi_domain::audit::Action::ProjectDesign, json!({}));
        app.store.update_project(&by, &p, &newer, &change, start_time()).await.unwrap();
        let err = app.store.update_project(&by, &p, &newer, &change, start_time()).await.unwrap_err();
        assert!(matches!(err, shanzhi_store::StoreError::Domain(shanzhi_domain::DomainError::StaleVersion)), "{err}");
    }

    // On PostgreSQL a project's update rides in the round trip of the write's locks, its values written in as
    // literals: what goes in must come back byte for byte, and a stale write with ledger entries leaves nothing.
    async fn a_write_keeps_every_character_and_a_stale_one_leaves_no_entry(backend) {
        use shanzhi_domain::budget::{Entry, Movement};
        let app = TestApp::with_demo(backend).await;
        let (store, by) = (&app.store, shanzhi_store::By::system("test"));
        let p = store.projects().await.unwrap().into_iter().next().unwrap();
        let mut newer = p.clone();
        newer.version += 1;
        newer.design.title = "它's \\ \\' ''引号'' \"x\" E'\\n' $1 $$ 😀".into();
        let change = shanzhi_domain::project::Change::new(shanzhi_domain::audit::Action::ProjectDesign, json!({}));
        store.update_project(&by, &p, &newer, &change, start_time()).await.unwrap();
        assert_eq!(store.project(p.id).await.unwrap().unwrap().design.title, newer.design.title);

        let jyj = store.organisation_by_key("jyj").await.unwrap().unwrap().id;
        let budget = shanzhi_domain::budget::Budget {
            id: 0,
            year: 2026,
            org_id: jyj,
            source: shanzhi_domain::budget::FundSource::GeneralBudget,
            donor: None,
            granted_from: None,
            note: "test".into(),
        };
        let amount = shanzhi_domain::Money::from_fen(10_000);
        let line = store.add_budget(&by, budget, amount, start_time()).await.unwrap().budget.id;
        let entries = store.ledger(Some(line)).await.unwrap().len();
        let mut paid = change.clone();
        paid.ledger =
            vec![Entry { budget_id: line, movement: Movement::Allocate, amount: shanzhi_domain::Money::from_fen(100), project_id: Some(p.id) }];
        let err = store.update_project(&by, &p, &newer, &paid, start_time()).await.unwrap_err();
        assert!(matches!(err, shanzhi_store::StoreError::Domain(shanzhi_domain::DomainError::StaleVersion)), "{err}");
        assert_eq!(store.ledger(Some(line)).await.unwrap().len(), entries, "the stale write's entry was kept");
        let current = store.project(p.id).await.unwrap().unwrap();
        let mut next = current.clone();
        next.version += 1;
        store.update_project(&by, &current, &next, &paid, start_time()).await.unwrap();
        assert_eq!(store.ledger(Some(line)).await.unwrap().len(), entries + 1);
        let (code, out) = app.verify_cli(None);
        assert_eq!(code, 0, "{out}");
    }
}
