//! Procurement law as a user meets it over the API and the pages: another method at or above the open-tender
//! threshold approved by Yichang's finance bureau before the start; challenge windows from the documents'
//! receipt; per-method clarification periods; a consultation going on with two suppliers; the qualification
//! requirement's provider kinds and class-one institutions refused at bidding; the committee's judgement of an
//! abnormally low price and the purchaser's representative scoring; the demo's tenders keeping to their
//! qualification requirement.

use crate::both_backends;
use crate::helpers::*;
use crate::procurement::{approved_project, at, china, comprehensive, documents, usernames};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shanzhi_store::{ApprovalStore, ProcurementStore};

fn bid(price: &str) -> Value {
    json!({"price": price, "proposal": "每周三次入户陪伴，配备两名持证社工与一名心理咨询师", "small_or_micro": false})
}

fn consultation_documents() -> Value {
    documents(json!({"kind": "comprehensive", "price_weight_bp": 2000, "criteria": [
        {"key": "plan", "name": "服务方案", "weight_bp": 6000}, {"key": "team", "name": "团队", "weight_bp": 2000}]}))
}

/// A 2,400,000-yuan project of the education bureau, at or above the open-tender threshold, approved by both
/// reviewers and funded from a line finance adds for it.
pub(crate) async fn big_project(app: &TestApp, title: &str) -> i64 {
    project_of(app, title, "A0201", 40).await
}

/// A project of the education bureau in `category` costing `workers` social workers' year (60,000 yuan each),
/// approved by both reviewers and funded from a line finance adds for it.
async fn project_of(app: &TestApp, title: &str, category: &str, workers: u32) -> i64 {
    let amount = format!("{}.00", u64::from(workers) * 60_000);
    let finance = app.token("czj.reviewer").await;
    let jyj = app.org_id("jyj").await;
    let line = app
        .ok(
            Method::POST,
            "/api/v1/budgets",
            &finance,
            Some(json!({"year": 2026, "org_id": jyj, "source": "other", "amount": amount, "note": "全区学生心理服务专项"})),
        )
        .await;
    let purchaser = app.token("jyj.purchaser").await;
    let mut d = design(title);
    d["category"] = json!(category);
    let id = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(d)).await["id"].as_i64().unwrap();
    app.ok(Method::POST, &format!("/api/v1/projects/{id}/finish-design"), &purchaser, None).await;
    let cost = json!({"lines": [{"kind": "personnel", "item": "社工薪酬", "quantity": workers.to_string(), "unit": "人·年", "unit_price": "60000.00"}]});
    app.ok(Method::PUT, &format!("/api/v1/projects/{id}/cost-estimate"), &purchaser, Some(cost)).await;
    let funding = json!({"lines": [{"budget_id": line["id"], "amount": amount}]});
    app.ok(Method::PUT, &format!("/api/v1/projects/{id}/funding"), &purchaser, Some(funding)).await;
    app.ok(Method::POST, &format!("/api/v1/projects/{id}/submit"), &purchaser, None).await;
    let civil = app.token("mzj.reviewer").await;
    app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &civil, Some(json!({"decision": "approve"}))).await;
    let p = app
        .ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &finance, Some(json!({"decision": "approve"})))
        .await;
    assert_eq!(p["status"], "procurement");
    id
}

pub(crate) fn application() -> Value {
    json!({
        "method": "competitive_consultation",
        "reason": "全区学生心理服务的内容须与供应商多轮磋商确定，适用竞争性磋商",
        "consent": {"unit": "宜昌市夷陵区教育局", "document_no": "夷教发〔2026〕5号"}
    })
}

/// Starts and publishes an open tender of `project` with `docs`; the bid deadline is 2026-04-28 09:30.
async fn published(app: &TestApp, project: i64, docs: Value) -> i64 {
    let purchaser = app.token("jyj.purchaser").await;
    let body = json!({"method": "open_tender", "documents": docs});
    let id = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(body)).await
        ["id"]
        .as_i64()
        .unwrap();
    app.clock.set(at("2026-04-03T09:00"));
    let purchaser = app.token("jyj.purchaser").await;
    let deadline = json!({"bid_deadline": china("2026-04-28T09:30")});
    app.ok(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(deadline)).await;
    id
}

both_backends! {
    async fn a_departments_purchases_of_one_kind_in_one_year_add_up_against_the_open_tender_threshold(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        // 1,500,000 yuan of school social work under way, 1,500,000 of another kind, and 600,000 more of the first.
        let first = project_of(&app, "学校社会工作服务（一期）", "A0201", 25).await;
        project_of(&app, "社区老年人关爱服务", "A0202", 25).await;
        let second = project_of(&app, "学校社会工作服务（二期）", "A0201", 10).await;
        let start = json!({"method": "competitive_consultation", "documents": consultation_documents()});
        let starts = |id: i64| format!("/api/v1/projects/{id}/procurements");
        // Together with the first, the second reaches the threshold: it may not go by consultation.
        app.refused(Method::POST, &starts(second), &purchaser, Some(start.clone()), StatusCode::UNPROCESSABLE_ENTITY, "split_purchase").await;
        // Once the first goes to open tender it no longer counts, and the other kind never did.
        let tender = json!({"method": "open_tender", "documents": documents(comprehensive())});
        app.ok(Method::POST, &starts(first), &purchaser, Some(tender)).await;
        app.ok(Method::POST, &starts(second), &purchaser, Some(start)).await;

        // A project's year is the one it was created in, in China's time: the first second of 2027 there is
        // still 2026 in UTC.
        let jyj = app.org_id("jyj").await;
        let mut made = Vec::new();
        for instant in ["2026-12-31T15:59:59Z", "2026-12-31T16:00:00Z"] {
            app.clock.set(chrono::DateTime::parse_from_rfc3339(instant).unwrap().with_timezone(&chrono::Utc));
            let mut d = design("学校社会工作服务（跨年）");
            d["period_start"] = json!("2027-02-01");
            d["period_end"] = json!("2028-01-31");
            let token = app.token("jyj.purchaser").await;
            made.push(app.ok(Method::POST, "/api/v1/projects", &token, Some(d)).await["id"].as_i64().unwrap());
        }
        let created_in = |year: i32| shanzhi_store::ProjectFilter { purchaser: Some(jyj), created_in: Some(year), ..Default::default() };
        let mut found = std::collections::BTreeMap::new();
        for year in [2026, 2027] {
            let page = app.store.project_page(&whole_platform(), &created_in(year), shanzhi_store::PageRequest::first(200)).await.unwrap();
            assert!(page.next.is_none());
            found.insert(year, page.items.iter().map(|p| p.id).collect::<Vec<_>>());
        }
        assert!(found[&2026].contains(&made[0]) && found[&2026].contains(&first), "{found:?}");
        assert_eq!(found[&2027], vec![made[1]]);
    }

    async fn the_city_decides_a_switch_after_a_failed_tender_at_the_threshold(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = big_project(&app, "全区中小学生心理健康服务（流标后变更）").await;
        let id = published(&app, project, documents(comprehensive())).await;
        for user in ["p.xlx", "p.qm"] {
            let t = app.token(user).await;
            app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &t, Some(bid("2300000.00"))).await;
        }
        app.clock.set(at("2026-04-28T09:30"));
        let purchaser = app.token("jyj.purchaser").await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &purchaser, Some(json!({"attendees": ["监督员"]}))).await;
        assert_eq!(p["failure"]["code"], "too_few_bids");
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/switch"), &purchaser,
            Some(json!({"to": "competitive_consultation", "reason": "公开招标仅两家投标，申请改为竞争性磋商"}))).await;
        let decision = |doc: &str| json!({"approve": true, "document_no": doc, "comment": "同意"});
        // The district's bureau is not the authority at this amount …
        app.refused(Method::POST, &format!("/api/v1/procurements/{id}/switch/decision"), &app.token("czj.reviewer").await,
            Some(decision("夷财采〔2026〕3号")), StatusCode::CONFLICT, "not_approval_authority").await;
        // … Yichang's is: it finds the procurement, sees the form on its page, and decides.
        let city = app.token("yc.czj.reviewer").await;
        app.ok(Method::GET, &format!("/api/v1/procurements/{id}"), &city, None).await;
        let cookie = page_cookie(&app, "yc.czj.reviewer").await;
        let (status, html) = page(&app, &format!("/procurements/{id}"), &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("审批变更采购方式"), "the decision form is offered");
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/switch/decision"), &city, Some(decision("宜市财采〔2026〕12号"))).await;
        assert_eq!(p["switch"]["decision"]["document_no"], "宜市财采〔2026〕12号");
        assert_eq!(p["switch"]["decision"]["authority"], "宜昌市财政局");
    }

    async fn another_method_at_the_threshold_is_approved_by_the_citys_finance_bureau_first(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = big_project(&app, "全区中小学生心理健康服务（竞争性磋商）").await;
        let purchaser = app.token("jyj.purchaser").await;
        let start = json!({"method": "competitive_consultation", "documents": consultation_documents()});
        let starts = format!("/api/v1/projects/{project}/procurements");
        app.refused(Method::POST, &starts, &purchaser, Some(start.clone()), StatusCode::UNPROCESSABLE_ENTITY, "open_tender_required").await;

        // The purchaser applies, with its competent budget unit's agreement.
        let applies = format!("/api/v1/projects/{project}/method-approvals");
        app.refused(Method::POST, &applies, &app.token("p.yg").await, Some(application()), StatusCode::NOT_FOUND, "not_found").await;
        let mut bare = application();
        bare["consent"]["document_no"] = json!("");
        app.refused(Method::POST, &applies, &purchaser, Some(bare), StatusCode::UNPROCESSABLE_ENTITY, "required").await;
        let (status, a) = app.call(Method::POST, &applies, Some(&purchaser), Some(application())).await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        let id = a["id"].as_i64().unwrap();
        app.refused(Method::POST, &applies, &purchaser, Some(application()), StatusCode::CONFLICT, "approval_pending").await;

        // Yiling's own finance bureau may not approve it; Yichang's does, with its document number.
        let decision = format!("/api/v1/method-approvals/{id}/decision");
        let approve = json!({"approve": true, "document_no": "宜市财采〔2026〕8号", "comment": "同意采用竞争性磋商"});
        app.refused(Method::POST, &decision, &app.token("czj.reviewer").await, Some(approve.clone()), StatusCode::CONFLICT, "not_approval_authority").await;
        app.refused(Method::POST, &decision, &purchaser, Some(approve.clone()), StatusCode::FORBIDDEN, "forbidden").await;
        let city = app.token("yc.czj.reviewer").await;
        app.refused(Method::POST, &decision, &city, Some(json!({"approve": true})), StatusCode::UNPROCESSABLE_ENTITY, "required").await;
        let decided = app.ok(Method::POST, &decision, &city, Some(approve.clone())).await;
        assert_eq!((decided["decision"]["authority"].as_str(), decided["decision"]["document_no"].as_str()), (Some("宜昌市财政局"), Some("宜市财采〔2026〕8号")));
        app.refused(Method::POST, &decision, &city, Some(approve), StatusCode::CONFLICT, "approval_decided").await;

        // Who sees the application: the department, finance, the district's supervisor; not a provider, not
        // a township's supervisor.
        let one = format!("/api/v1/method-approvals/{id}");
        for user in ["jyj.purchaser", "czj.reviewer", "yc.czj.reviewer", "supervisor", "admin"] {
            let (status, body) = app.get(&one, &app.token(user).await).await;
            assert_eq!(status, StatusCode::OK, "{user}: {body}");
        }
        for user in ["p.yg", "lq.supervisor", "mzj.purchaser"] {
            app.refused(Method::GET, &one, &app.token(user).await, None, StatusCode::NOT_FOUND, "not_found").await;
        }
        let listed = app.all("/api/v1/method-approvals", Some(&city)).await;
        assert!(listed.iter().any(|x| x["id"] == id), "{listed:?}");
        assert!(app.all("/api/v1/method-approvals?pending=true", Some(&city)).await.iter().all(|x| x["id"] != id), "decided");
        let own = app.all("/api/v1/method-approvals?limit=1", Some(&purchaser)).await;
        assert!(own.iter().any(|x| x["id"] == id) && own.iter().all(|x| x["purchaser_org_id"] == listed[0]["purchaser_org_id"]), "a department's own, a page at a time");
        assert!(app.all("/api/v1/method-approvals", Some(&app.token("p.yg").await)).await.is_empty());
        assert!(app.all("/api/v1/method-approvals", Some(&app.token("lq.supervisor").await)).await.is_empty(), "another township's");
        app.refused(Method::GET, "/api/v1/method-approvals?pending=maybe", &city, None, StatusCode::BAD_REQUEST, "invalid_parameter").await;

        // With the approval the consultation starts, and records and publishes its approval.
        let p = app.ok(Method::POST, &starts, &purchaser, Some(start)).await;
        assert_eq!((p["approval"]["authority"].as_str(), p["approval"]["document_no"].as_str()), (Some("宜昌市财政局"), Some("宜市财采〔2026〕8号")));
        let notices = app.all("/api/v1/notices", None).await;
        let intention = notices.iter().find(|n| n["procurement_id"] == p["id"]).unwrap().clone();
        assert_eq!(intention["body"]["approval"]["document_no"], "宜市财采〔2026〕8号");
        // Approval comes before the start: afterwards it is too late to apply.
        let mut other = application();
        other["method"] = json!("competitive_negotiation");
        app.refused(Method::POST, &applies, &purchaser, Some(other), StatusCode::CONFLICT, "procurement_started").await;
        // Both acts are in the audit chain.
        let events = app.store.audit_for_object("method_approval", &id.to_string()).await.unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["method_approval.request", "method_approval.decide"]);
    }

    async fn only_one_supplier_at_the_threshold_publicises_then_is_approved_then_negotiates(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = big_project(&app, "全区学生心理危机干预服务（单一来源）").await;
        let purchaser = app.token("jyj.purchaser").await;
        let yg = app.org_id("yg").await;
        let name = app.store.organisation(yg).await.unwrap().unwrap().name;
        let single = json!({"case": "only_one_supplier", "provider_org_id": yg, "provider_name": name, "justification": "辖区内仅该机构具备学生心理危机干预资质与连续服务记录"});
        let mut docs = documents(json!({"kind": "lowest_price"}));
        docs["single_source"] = single.clone();
        // The notice comes first (实施条例 §38): the procurement starts without an approval …
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(json!({"method": "single_source", "documents": docs}))).await;
        let id = p["id"].as_i64().unwrap();
        let mut application = application();
        application["method"] = json!("single_source");
        application["single_source"] = single;
        let applies = format!("/api/v1/projects/{project}/method-approvals");
        app.refused(Method::POST, &applies, &purchaser, Some(application.clone()), StatusCode::CONFLICT, "notice_first").await;
        app.clock.set(at("2026-04-03T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(json!({"bid_deadline": china("2026-04-03T10:00")}))).await;
        // … and after its 5 working days negotiates only once Yichang has approved.
        app.clock.set(at("2026-04-14T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        let negotiation = json!({"price": "2300000.00", "minutes": "经协商，服务价格由 240 万元降为 230 万元"});
        let negotiates = format!("/api/v1/procurements/{id}/negotiation");
        app.refused(Method::POST, &negotiates, &purchaser, Some(negotiation.clone()), StatusCode::CONFLICT, "approval_required").await;
        let owner = page_cookie(&app, "jyj.purchaser").await;
        let (_, form) = page(&app, &format!("/projects/{project}/method-approval"), &owner).await;
        assert!(form.contains(r#"<option value="single_source" selected"#), "the application form starts from the single source");
        let a = app.ok(Method::POST, &applies, &purchaser, Some(application)).await;
        let decision = json!({"approve": true, "document_no": "宜市财采〔2026〕11号", "comment": "公示期内无异议"});
        app.ok(Method::POST, &format!("/api/v1/method-approvals/{}/decision", a["id"]), &app.token("yc.czj.reviewer").await, Some(decision)).await;
        let p = app.ok(Method::POST, &negotiates, &purchaser, Some(negotiation)).await;
        assert_eq!((p["stage"].as_str(), p["approval"]["document_no"].as_str()), (Some("awarded"), Some("宜市财采〔2026〕11号")));
    }

    async fn the_city_decides_on_its_page_and_the_project_offers_the_application(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = big_project(&app, "全区中小学生心理健康服务（页面审批）").await;
        let owner = page_cookie(&app, "jyj.purchaser").await;
        let (_, html) = page(&app, &format!("/projects/{project}"), &owner).await;
        assert!(html.contains(&format!("/projects/{project}/method-approval")), "the project offers the application");
        let (status, form) = page(&app, &format!("/projects/{project}/method-approval"), &owner).await;
        assert_eq!(status, StatusCode::OK);
        let resp = app.client.post(format!("{}/projects/{project}/method-approval", app.base)).header("cookie", &owner)
            .form(&[("_csrf", csrf_of(&form).as_str()), ("method", "competitive_consultation"), ("reason", "服务内容须与供应商多轮磋商确定"),
                ("consent_unit", "宜昌市夷陵区教育局"), ("consent_document_no", "夷教发〔2026〕5号")])
            .send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let id = app.store.method_approvals_of_project(project).await.unwrap()[0].id;
        // The district's finance bureau sees it but has no decision form; Yichang's decides on the page.
        let district = page_cookie(&app, "czj.reviewer").await;
        let (_, html) = page(&app, "/method-approvals", &district).await;
        assert!(html.contains("全区中小学生心理健康服务（页面审批）") && !html.contains(&format!("/method-approvals/{id}/decision")));
        let city = page_cookie(&app, "yc.czj.reviewer").await;
        let (_, queue) = page(&app, "/", &city).await;
        assert!(queue.contains("全区中小学生心理健康服务（页面审批）"), "it waits in Yichang's work queue");
        assert!(queue.contains(r#"href="/method-approvals""#), "the deciding authority finds the approvals in its menu");
        let (_, html) = page(&app, "/method-approvals", &city).await;
        assert!(html.contains(&format!("/method-approvals/{id}/decision")), "{html}");
        let post = |fields: Vec<(String, String)>| {
            let mut all = vec![("_csrf".to_string(), csrf_of(&html))];
            all.extend(fields);
            app.client.post(format!("{}/method-approvals/{id}/decision", app.base)).header("cookie", &city).form(&all).send()
        };
        // An irreversible decision is confirmed first.
        let resp = post(vec![(format!("approve_{id}"), "true".into()), (format!("document_no_{id}"), "宜市财采〔2026〕9号".into())]).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(resp.text().await.unwrap().contains("请勾选确认"), "the confirmation is asked for");
        let confirm = ("confirm".to_string(), "yes".to_string());
        let resp = post(vec![(format!("approve_{id}"), "true".into()), confirm.clone()]).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(resp.text().await.unwrap().contains("请填写批复文号"), "the missing number is named");
        let resp = post(vec![(format!("approve_{id}"), "true".into()), (format!("document_no_{id}"), "宜市财采〔2026〕9号".into()), confirm]).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let a = app.store.method_approval(id).await.unwrap().unwrap();
        assert_eq!(a.decision.unwrap().document_no, "宜市财采〔2026〕9号");
    }

    async fn bidders_outside_the_qualification_requirement_and_class_one_institutions_cannot_bid(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = approved_project(&app, "留守儿童陪伴（资格要求）").await;
        let purchaser = app.token("jyj.purchaser").await;
        let mut docs = documents(comprehensive());
        docs["sme_deduction_bp"] = json!(500);
        app.refused(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser,
            Some(json!({"method": "open_tender", "documents": docs.clone()})), StatusCode::UNPROCESSABLE_ENTITY, "out_of_range").await;
        docs["sme_deduction_bp"] = json!(1000);
        docs["admitted_kinds"] = json!(["social_organisation"]);
        let id = published(&app, project, docs).await;
        let bids = format!("/api/v1/procurements/{id}/bid");
        // A household-services company and a village committee: refused, with the requirement named.
        for user in ["p.ak", "p.cwh"] {
            let refused = app.refused(Method::PUT, &bids, &app.token(user).await, Some(bid("70000.00")), StatusCode::CONFLICT, "kind_not_admitted").await;
            assert!(refused["message"].as_str().unwrap().contains("社会组织"), "{refused}");
            app.refused(Method::POST, &format!("/api/v1/procurements/{id}/interest"), &app.token(user).await, None, StatusCode::CONFLICT, "kind_not_admitted").await;
        }
        app.ok(Method::PUT, &bids, &app.token("p.yg").await, Some(bid("70000.00"))).await;
        // A class-one public institution cannot bid at all.
        let admin = app.token("admin").await;
        let code = shanzhi_domain::ids::org_code_with_check("MB1C3D5E").unwrap();
        let uscc = shanzhi_domain::ids::uscc_with_check(&format!("12420506{code}")).unwrap();
        let org = app.ok(Method::POST, "/api/v1/organisations", &admin, Some(json!({
            "key": "jzzx", "name": "宜昌市夷陵区救助管理站", "kind": "public_institution", "uscc": uscc, "region": "420506", "class_one": true, "contact": "站办公室"
        }))).await;
        app.ok(Method::POST, "/api/v1/users", &admin, Some(json!({
            "username": "p.jzzx", "display_name": "救助站经办人", "org_id": org["id"], "roles": ["provider"], "password": DEMO_PASSWORD
        }))).await;
        app.refused(Method::PUT, &bids, &app.token("p.jzzx").await, Some(bid("70000.00")), StatusCode::CONFLICT, "class_one_ineligible").await;
    }

    async fn a_challenge_to_the_documents_counts_from_their_receipt(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = approved_project(&app, "留守儿童陪伴（质疑期）").await;
        // Published Friday 3 April 2026; the documents are available for 5 working days (Qingming 4–6 April
        // off) to 13 April; 7 working days after that run to 22 April.
        let id = published(&app, project, documents(comprehensive())).await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/interest"), &app.token("p.hx").await, None).await;
        app.clock.set(at("2026-04-20T09:00"));
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/interest"), &app.token("p.qm").await, None).await;
        app.clock.set(at("2026-04-22T09:00"));
        let challenges = format!("/api/v1/procurements/{id}/challenges");
        let about = json!({"about": "documents", "text": "资格条件要求三年以上同类业绩，排斥新设立的社会组织"});
        app.ok(Method::POST, &challenges, &app.token("p.hx").await, Some(about.clone())).await;
        // A week later the window of those who had the documents early has closed; p.qm obtained them on
        // 20 April, so its own runs to 29 April.
        app.clock.set(at("2026-04-27T09:00"));
        app.refused(Method::POST, &challenges, &app.token("p.hx").await, Some(about.clone()), StatusCode::CONFLICT, "challenge_late").await;
        app.ok(Method::POST, &challenges, &app.token("p.qm").await, Some(about)).await;
    }

    async fn clarifications_keep_each_methods_period_and_a_consultation_goes_on_with_two(backend) {
        let app = TestApp::with_demo(backend).await;
        // Quotation: a clarification 4 working days before the deadline keeps its 3 working days — it stays.
        let project = approved_project(&app, "留守儿童陪伴（询价澄清）").await;
        let purchaser = app.token("jyj.purchaser").await;
        let body = json!({"method": "request_for_quotation", "documents": documents(json!({"kind": "lowest_price"}))});
        let id = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(body)).await["id"].as_i64().unwrap();
        app.clock.set(at("2026-04-10T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(json!({"bid_deadline": china("2026-04-16T09:00")}))).await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/clarifications"), &purchaser,
            Some(json!({"text": "服务人次由每周两次调整为每周三次", "affects_bids": true}))).await;
        assert_eq!(p["bid_deadline"], "2026-04-16T01:00:00Z");
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/abandon"), &purchaser, Some(json!({"reason": "测试结束，终止采购"}))).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{project}/cancel"), &purchaser, Some(json!({"reason": "测试结束，撤销项目"}))).await;

        // Consultation for services: two responses are enough (财库〔2015〕124号).
        let project = approved_project(&app, "留守儿童陪伴（两家磋商）").await;
        let purchaser = app.token("jyj.purchaser").await;
        let body = json!({"method": "competitive_consultation", "documents": consultation_documents()});
        let id = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(body)).await["id"].as_i64().unwrap();
        app.clock.set(at("2026-05-14T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(json!({"bid_deadline": china("2026-05-25T09:00")}))).await;
        for (user, price) in [("p.yg", "78000.00"), ("p.hx", "76000.00")] {
            app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &app.token(user).await, Some(bid(price))).await;
        }
        app.clock.set(at("2026-05-25T09:00"));
        let purchaser = app.token("jyj.purchaser").await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &purchaser, Some(json!({"attendees": ["监督员"]}))).await;
        assert_eq!(p["stage"], "negotiating", "{}", p["failure"]);
    }

    async fn the_committee_judges_a_low_price_and_the_purchasers_representative_scores(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = approved_project(&app, "留守儿童陪伴（异常低价）").await;
        let id = published(&app, project, documents(comprehensive())).await;
        // Four bids, so three remain when one is void.
        for (user, price) in [("p.yg", "76000.00"), ("p.hx", "72000.00"), ("p.kfxh", "74000.00"), ("p.qm", "30000.00")] {
            app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &app.token(user).await, Some(bid(price))).await;
        }
        app.clock.set(at("2026-04-28T09:30"));
        let purchaser = app.token("jyj.purchaser").await;
        let me = app.get("/api/v1/me", &purchaser).await.1;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &purchaser, Some(json!({"attendees": ["监督员"]}))).await;
        let bids: Vec<(i64, String)> = p["opening"]["bids"].as_array().unwrap().iter().map(|b| (b["bid_id"].as_i64().unwrap(), b["price"].as_str().unwrap().to_string())).collect();
        let low = bids.iter().find(|(_, price)| price == "30000.00").unwrap().0;
        let second = bids.iter().find(|(_, price)| price == "72000.00").unwrap().0;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/committee"), &purchaser, Some(json!({"representatives": [me["user_id"]]}))).await;
        let members = p["committee"]["members"].as_array().unwrap().clone();
        assert_eq!((members.len(), members.iter().filter(|m| m["expert"] == false).count()), (5, 1));
        let names = usernames(&app).await;
        let marks: Vec<Value> = bids.iter().flat_map(|(b, _)| [json!({"bid_id": b, "criterion": "plan", "score": "80"}), json!({"bid_id": b, "criterion": "team", "score": "80"})]).collect();
        let mut experts = Vec::new();
        for m in members.iter().filter(|m| m["expert"] == true) {
            let t = app.token(&names[&m["user_id"].as_i64().unwrap()]).await;
            app.ok(Method::POST, &format!("/api/v1/procurements/{id}/declaration"), &t, Some(json!({"no_conflict": true}))).await;
            app.ok(Method::POST, &format!("/api/v1/procurements/{id}/marks"), &t, Some(json!({"marks": marks}))).await;
            experts.push(t);
        }
        for (b, _) in &bids {
            app.ok(Method::POST, &format!("/api/v1/procurements/{id}/compliance"), &experts[0], Some(json!({"bid_id": b, "qualified": true}))).await;
        }
        // The representative scores like the experts: the report waits for it.
        let report = format!("/api/v1/procurements/{id}/report");
        app.refused(Method::POST, &report, &experts[0], None, StatusCode::CONFLICT, "marks_missing").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/marks"), &purchaser, Some(json!({"marks": marks}))).await;
        // 30,000 against 72,000 to 76,000: the committee asks for a written explanation by a deadline.
        let flag = json!({"bid_id": low, "reason": "报价明显低于其他投标人，可能影响服务质量", "due": china("2026-04-29T17:00")});
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/low-prices"), &experts[0], Some(flag)).await;
        app.refused(Method::POST, &report, &experts[0], None, StatusCode::CONFLICT, "low_price_pending").await;
        let finding = format!("/api/v1/procurements/{id}/low-prices/{low}/finding");
        app.refused(Method::POST, &finding, &experts[0], Some(json!({"justified": false, "reason": "未作说明"})), StatusCode::CONFLICT, "explanation_pending").await;
        // Only the bidder asked sees the request and explains.
        let qm = app.token("p.qm").await;
        let mine = app.get(&format!("/api/v1/procurements/{id}"), &qm).await.1;
        assert_eq!(mine["my_low_price"]["reason"], "报价明显低于其他投标人，可能影响服务质量");
        assert!(app.get(&format!("/api/v1/procurements/{id}"), &app.token("p.yg").await).await.1["my_low_price"].is_null());
        let explain = format!("/api/v1/procurements/{id}/low-prices/explanation");
        app.refused(Method::POST, &explain, &app.token("p.yg").await, Some(json!({"text": "本机构报价依据充分合理可靠"})), StatusCode::NOT_FOUND, "not_found").await;
        app.ok(Method::POST, &explain, &qm, Some(json!({"text": "本机构由志愿者承担部分服务，人员成本较低，附成本测算"}))).await;
        // The committee finds it unjustified: the bid is void and the next lowest wins.
        app.refused(Method::POST, &finding, &app.token("p.qm").await, Some(json!({"justified": true})), StatusCode::FORBIDDEN, "forbidden").await;
        app.ok(Method::POST, &finding, &experts[0], Some(json!({"justified": false, "reason": "成本测算未包含社工薪酬，不能证明报价合理"}))).await;
        let p = app.ok(Method::POST, &report, &experts[0], None).await;
        assert_eq!(p["stage"], "confirming");
        let o = &p["outcome"];
        assert_eq!(o["winners"], json!([second]));
        let void = o["bids"].as_array().unwrap().iter().find(|b| b["id"] == low).unwrap();
        assert_eq!((void["void"].as_bool(), void["abnormally_low"].as_bool()), (Some(true), Some(true)));
    }

    async fn the_demos_tenders_keep_to_their_qualification_requirement(backend) {
        let app = TestApp::with_demo(backend).await;
        let orgs = app.store.organisations().await.unwrap();
        let tenders: Vec<_> = app.store.procurements().await.unwrap().into_iter().filter(|p| p.method == shanzhi_domain::procurement::Method::OpenTender).collect();
        assert!(!tenders.is_empty());
        for p in &tenders {
            assert!(p.documents.qualifications.contains("社会组织"));
            assert_eq!(p.documents.admitted_kinds, [shanzhi_domain::org::OrgKind::SocialOrganisation]);
            let opening = p.opening.as_ref().expect("opened");
            assert!(opening.bids.len() >= 3, "{} had enough bids", p.title);
            for b in &opening.bids {
                let kind = orgs.iter().find(|o| o.id == b.org_id).unwrap().kind;
                assert_eq!(kind, shanzhi_domain::org::OrgKind::SocialOrganisation, "{} bid in {}", b.name, p.title);
            }
            assert!(p.award.is_some(), "{} was awarded", p.title);
        }
        // Yichang's finance bureau is there, with its reviewer.
        let city = app.get("/api/v1/me", &app.token("yc.czj.reviewer").await).await.1;
        assert_eq!((city["org_name"].as_str(), city["org_kind"].as_str()), (Some("宜昌市财政局"), Some("finance")));
    }

    async fn the_citys_finance_bureau_approves_methods_and_keeps_no_district_money(backend) {
        let app = TestApp::with_demo(backend).await;
        let city = app.token("yc.czj.reviewer").await;
        let projects = app.store.projects().await.unwrap();
        // The district's money is the district finance bureau's: the city's reviewer may not review it…
        let at_finance = projects.iter().find(|p| p.status == shanzhi_domain::project::Status::ReviewFinance).unwrap();
        let path = format!("/api/v1/projects/{}/review", at_finance.id);
        let (status, _) = app.call(Method::POST, &path, Some(&city), Some(json!({"decision": "approve"}))).await;
        assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "{status}");
        let queue = app.get("/api/v1/queue", &city).await.1;
        assert!(!queue.to_string().contains(&at_finance.code), "not on the city's queue: {queue}");
        // …nor allocate budgets, close the district's years or decide anything else finance decides here.
        let jyj = app.org_id("jyj").await;
        app.refused(Method::POST, "/api/v1/budgets", &city, Some(json!({"year": 2026, "org_id": jyj, "source": "other", "amount": "1"})), StatusCode::FORBIDDEN, "forbidden").await;
        let (status, _) = app.call(Method::POST, "/api/v1/fiscal-years/2024/close", Some(&city), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app.call(Method::GET, "/api/v1/experts", Some(&city), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "the expert pool is the district's");
        // The district's finance reviewer does what the city may not.
        let district = app.token("czj.reviewer").await;
        app.ok(Method::POST, &path, &district, Some(json!({"decision": "approve", "comment": "同意"}))).await;
    }
}
