//! Public feedback on services: filing without an account, routing to the competent department with its
//! working-day deadline, the department's answer, publication of its summary only, privacy of the sender's words
//! and contact, bad input, the honeypot, the form token's age, and the per-address limit.

use crate::both_backends;
use crate::helpers::*;
use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PRIVATE: &str = "楼下的王阿姨说送餐员态度差";
const NAME: &str = "李桂兰";
const PHONE: &str = "13912345678";
const EMAIL: &str = "guilan.li@example.cn";

/// A fresh form token, aged past the 3 seconds a person needs.
async fn aged_token(app: &TestApp) -> String {
    let (status, t) = app.call(Method::GET, "/api/v1/feedback/form-token", None, None).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(t["min_seconds"], 3);
    app.clock.advance(Duration::seconds(3));
    t["form_token"].as_str().unwrap().to_string()
}

/// Posts `body` with an aged token (unless it carries its own).
async fn file(app: &TestApp, mut body: Value) -> (StatusCode, Value) {
    if body.get("form_token").is_none() {
        body["form_token"] = json!(aged_token(app).await);
    }
    app.call(Method::POST, "/api/v1/feedback", None, Some(body)).await
}

/// A public project of civil affairs (`mzj`), the demo's purchasing department with the most projects.
pub(crate) async fn public_project(app: &TestApp) -> (i64, Value) {
    let admin = app.token("admin").await;
    let mzj = app.org_id("mzj").await;
    let mut ids: Vec<i64> =
        app.all("/api/v1/notices", None).await.iter().filter_map(|n| n["project_id"].as_i64()).collect();
    ids.dedup();
    for id in ids {
        let p = app.get(&format!("/api/v1/projects/{id}"), &admin).await.1;
        if p["purchaser_org_id"] == mzj {
            return (id, p);
        }
    }
    panic!("the demo has a public project of civil affairs")
}

fn full_feedback(project_id: i64) -> Value {
    json!({"project_id": project_id, "rating": 2, "problem": PRIVATE, "name": NAME, "phone": PHONE, "email": EMAIL})
}

/// Asserts that `text` shows nothing the sender wrote or gave.
fn assert_private(what: &str, text: &str) {
    for secret in [PRIVATE, NAME, PHONE, EMAIL] {
        assert!(!text.contains(secret), "{what} shows {secret:?}");
    }
}

both_backends! {
    async fn feedback_is_routed_due_answered_and_only_its_summary_published(backend) {
        let app = TestApp::with_demo(backend).await;
        let (id, project) = public_project(&app).await;
        let (status, receipt) = file(&app, full_feedback(id)).await;
        assert_eq!(status, StatusCode::CREATED, "{receipt}");
        assert_private("the receipt", &receipt.to_string());
        // Routed to the project's purchasing department, due 20 working days after Monday 2 March 2026.
        assert_eq!(receipt["department_name"], project["purchaser_name"]);
        assert_eq!(receipt["due_on"], "2026-03-30");
        let fid = receipt["id"].as_i64().unwrap();

        // On the department's list and work queue, the contact masked on its screen.
        let dept = app.token("mzj.purchaser").await;
        let waiting = app.all("/api/v1/feedback?status=waiting&mine=true", Some(&dept)).await;
        let listed = waiting.iter().find(|f| f["id"] == fid).expect("on the department's list");
        assert_eq!(listed["problem"], PRIVATE, "the department reads what was reported");
        assert_eq!(listed["overdue"], false);
        let one = app.get(&format!("/api/v1/feedback/{fid}"), &dept).await.1;
        assert_eq!(one["contact"]["phone"], "139****5678");
        assert_eq!(one["contact"]["name"], "李**");
        assert_private("the department's item", &one["contact"].to_string());
        let cookie = page_cookie(&app, "mzj.purchaser").await;
        let (_, home) = page(&app, "/", &cookie).await;
        assert!(home.contains("id=\"feedback-queue\"") && home.contains(&format!("#feedback-{fid}")), "on the work queue");
        let (_, list_page) = page(&app, "/feedback?status=waiting", &cookie).await;
        assert!(list_page.contains("139****5678") && !list_page.contains(PHONE) && !list_page.contains(NAME));

        // Another department neither reads nor answers it; a provider reads no feedback at all.
        let other = app.token("jyj.purchaser").await;
        app.refused(Method::GET, &format!("/api/v1/feedback/{fid}"), &other, None, StatusCode::NOT_FOUND, "not_found").await;
        let answer = json!({"summary": "已处理"});
        app.refused(Method::POST, &format!("/api/v1/feedback/{fid}/answer"), &other, Some(answer), StatusCode::NOT_FOUND, "not_found").await;
        assert!(app.all("/api/v1/feedback", Some(&other)).await.iter().all(|f| f["id"] != fid));
        let provider = app.token("p.xlx").await;
        app.refused(Method::GET, "/api/v1/feedback", &provider, None, StatusCode::FORBIDDEN, "forbidden").await;

        // The supervisor of the district follows it, sees no contact, and finds it overdue after its last day.
        let supervisor = app.token("supervisor").await;
        let seen = app.get(&format!("/api/v1/feedback/{fid}"), &supervisor).await.1;
        assert_eq!(seen["contact"], json!({"name": "", "phone": "", "email": ""}));
        assert!(app.all("/api/v1/feedback?overdue=true", Some(&supervisor)).await.iter().all(|f| f["id"] != fid));
        app.clock.advance(Duration::days(28)); // 30 March, the last day: not yet overdue
        assert!(app.all("/api/v1/feedback?overdue=true", Some(&supervisor)).await.iter().all(|f| f["id"] != fid));
        app.clock.advance(Duration::days(1));
        let late = app.all("/api/v1/feedback?overdue=true", Some(&supervisor)).await;
        assert!(late.iter().any(|f| f["id"] == fid && f["overdue"] == true), "overdue on 31 March");
        let sup_cookie = page_cookie(&app, "supervisor").await;
        let (_, overdue_page) = page(&app, "/overdue", &sup_cookie).await;
        assert!(overdue_page.contains("id=\"overdue-feedback\"") && overdue_page.contains(&format!("#feedback-{fid}")));
        app.refused(Method::POST, &format!("/api/v1/feedback/{fid}/answer"), &supervisor, Some(json!({"summary": "x"})), StatusCode::FORBIDDEN, "forbidden").await;

        // The department answers once, with its own summary; that summary alone is published.
        let summary = "已约谈承接机构，送餐时间调整为十一点半前送达。";
        app.refused(Method::POST, &format!("/api/v1/feedback/{fid}/answer"), &dept, Some(json!({"summary": " "})), StatusCode::UNPROCESSABLE_ENTITY, "required").await;
        let answered = app.ok(Method::POST, &format!("/api/v1/feedback/{fid}/answer"), &dept, Some(json!({"summary": summary}))).await;
        assert_eq!(answered["status"], "answered");
        app.refused(Method::POST, &format!("/api/v1/feedback/{fid}/answer"), &dept, Some(json!({"summary": "again"})), StatusCode::CONFLICT, "feedback_answered").await;
        let (status, public_page) = page(&app, &format!("/projects/{id}"), "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(public_page.contains(summary), "the summary is on the public page");
        assert_private("the public page", &public_page);
        let (status, published) = app.call(Method::GET, &format!("/api/v1/projects/{id}/feedback-answers"), None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(published.as_array().unwrap().iter().any(|a| a["summary"] == summary && a["id"] == fid), "{published}");
        assert_private("the published answers", &published.to_string());
        assert!(!published.to_string().contains("rating"), "the sender's rating is theirs too");

        // Neither the audit log nor its public chain keeps the sender's words or contact.
        let events = app.store.audit_for_object("feedback", &fid.to_string()).await.unwrap();
        assert_eq!(events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["feedback.file", "feedback.answer"]);
        for e in &events {
            assert_private("the audit event", &format!("{} {}", e.before, e.after));
            assert_eq!(e.actor_id.is_none(), e.action == "feedback.file", "filed by nobody the log names");
        }
        let (_, chain) = app.call(Method::GET, "/api/v1/audit/events?after=0&limit=10000", None, None).await;
        assert_private("the public audit chain", &chain.to_string());
    }

    async fn feedback_on_a_provider_goes_to_civil_affairs_of_its_place(backend) {
        let app = TestApp::with_demo(backend).await;
        let xlx = app.org_id("xlx").await;
        let (status, receipt) = file(&app, json!({"provider_org_id": xlx, "rating": 5})).await;
        assert_eq!(status, StatusCode::CREATED, "{receipt}");
        let mzj = app.store.organisation_by_key("mzj").await.unwrap().unwrap();
        assert_eq!(receipt["department_name"], mzj.name);
        let reviewer = app.token("mzj.reviewer").await;
        let mine = app.all("/api/v1/feedback?mine=true", Some(&reviewer)).await;
        let f = mine.iter().find(|f| f["id"] == receipt["id"]).expect("civil affairs has it");
        assert_eq!((f["subject"].as_str(), f["provider_org_id"].as_i64(), f["rating"].as_i64()), (Some("provider"), Some(xlx), Some(5)));
        // Not a provider: a department, or no organisation at all.
        let (status, body) = file(&app, json!({"provider_org_id": mzj.id, "rating": 5})).await;
        assert_eq!((status, body["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("provider_org_id")), "{body}");
        let (status, _) = file(&app, json!({"provider_org_id": 999_999, "rating": 5})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (_, html) = page(&app, &format!("/providers/{xlx}/feedback"), "").await;
        assert!(html.contains("name=\"form_token\"") && html.contains("name=\"website\""), "the provider's form");
        // Civil affairs' answer, its summary alone, is on the provider's public page; not before it is given.
        let (status, filed) = file(&app, json!({"provider_org_id": xlx, "problem": PRIVATE, "name": NAME, "phone": PHONE})).await;
        assert_eq!(status, StatusCode::CREATED, "{filed}");
        let summary = "已核实该机构的服务记录，要求其每月公开服务时间表。";
        let (_, before) = page(&app, &format!("/providers/{xlx}"), "").await;
        assert!(!before.contains(summary) && before.contains("id=\"provider-summary\""));
        let credit = format!("/api/v1/providers/{xlx}/credit");
        assert_eq!(app.call(Method::GET, &credit, None, None).await.1["complaints_upheld"], 0);
        // Found true: it counts on the provider's credit record, and says so beside the published summary.
        app.ok(Method::POST, &format!("/api/v1/feedback/{}/answer", filed["id"]), &reviewer, Some(json!({"summary": summary, "upheld": true}))).await;
        assert_eq!(app.call(Method::GET, &credit, None, None).await.1["complaints_upheld"], 1);
        let (status, after) = page(&app, &format!("/providers/{xlx}"), "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(after.contains(summary) && after.contains("id=\"public-feedback-answers\""), "the answer is published");
        assert!(after.contains("反映问题属实") && after.contains("经核实属实的投诉"));
        assert_private("the provider's page", &after);
        // An answer that finds nothing wrong counts against nobody.
        let (_, other) = file(&app, json!({"provider_org_id": xlx, "problem": "社工上门时间不固定"})).await;
        app.ok(Method::POST, &format!("/api/v1/feedback/{}/answer", other["id"]), &reviewer, Some(json!({"summary": "经核查，上门时间已提前告知服务对象。"}))).await;
        assert_eq!(app.call(Method::GET, &credit, None, None).await.1["complaints_upheld"], 1);
    }

    async fn bad_feedback_is_refused_field_by_field(backend) {
        let app = TestApp::with_demo(backend).await;
        let (id, _) = public_project(&app).await;
        let dept = app.token("mzj.purchaser").await;
        let on_project = format!("/api/v1/feedback?project_id={id}");
        let before = app.all(&on_project, Some(&dept)).await.len();
        let long = "长".repeat(2001);
        let cases = [
            (json!({"project_id": id, "rating": 6}), "rating", "out_of_range"),
            (json!({"project_id": id, "rating": 0, "problem": "x"}), "rating", "out_of_range"),
            (json!({"project_id": id}), "problem", "required"),
            (json!({"rating": 3}), "project_id", "required"),
            (json!({"project_id": id, "provider_org_id": 1, "rating": 3}), "project_id", "ambiguous_choice"),
            (json!({"project_id": id, "problem": long}), "problem", "too_long"),
            (json!({"project_id": id, "rating": 3, "name": "名".repeat(51)}), "name", "too_long"),
            (json!({"project_id": id, "rating": 3, "phone": "call me"}), "phone", "invalid_phone"),
            (json!({"project_id": id, "rating": 3, "email": "nobody"}), "email", "invalid_email"),
            (json!({"project_id": 999_999, "rating": 3}), "project_id", "not_found"),
        ];
        for (body, field, code) in cases {
            let (status, e) = file(&app, body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
            assert_eq!((e["fields"][0]["field"].as_str(), e["fields"][0]["code"].as_str()), (Some(field), Some(code)), "{body}: {e}");
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()) && e["message_en"].as_str().is_some_and(|m| !m.is_empty()));
        }
        // A project before its first notice takes no feedback, as it has no public page.
        let admin = app.token("admin").await;
        let notices = app.all("/api/v1/notices", None).await;
        let hidden = app.all("/api/v1/projects?limit=200", Some(&admin)).await.into_iter()
            .map(|p| p["id"].as_i64().unwrap())
            .find(|pid| notices.iter().all(|n| n["project_id"] != *pid))
            .expect("a project not yet public");
        let (status, e) = file(&app, json!({"project_id": hidden, "rating": 3})).await;
        assert_eq!((status, e["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("project_id")));
        let (status, e) = app.call(Method::POST, "/api/v1/feedback", None, Some(json!({"rating": "five"}))).await;
        assert_eq!((status, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_json")), "{e}");
        // Nothing of it was saved.
        assert_eq!(app.all(&on_project, Some(&dept)).await.len(), before);
    }

    async fn robots_are_refused_by_the_hidden_field_and_the_forms_age(backend) {
        let app = TestApp::with_demo(backend).await;
        let (id, _) = public_project(&app).await;
        let body = json!({"project_id": id, "rating": 1});
        let spam = |e: &Value| e["code"] == "spam_suspected" && e["message"].as_str().is_some_and(|m| !m.is_empty()) && e["message_en"].as_str().is_some_and(|m| !m.is_empty());
        // The hidden field filled.
        let (status, e) = file(&app, json!({"project_id": id, "rating": 1, "website": "http://cheap.example"})).await;
        assert!(status == StatusCode::UNPROCESSABLE_ENTITY && spam(&e), "{e}");
        // A token younger than 3 seconds, missing, or forged.
        let (_, t) = app.call(Method::GET, "/api/v1/feedback/form-token", None, None).await;
        let young = t["form_token"].as_str().unwrap().to_string();
        app.clock.advance(Duration::seconds(2));
        let mut b = body.clone();
        b["form_token"] = json!(young);
        let (status, e) = app.call(Method::POST, "/api/v1/feedback", None, Some(b.clone())).await;
        assert!(status == StatusCode::UNPROCESSABLE_ENTITY && spam(&e), "2 s old: {e}");
        let (status, e) = app.call(Method::POST, "/api/v1/feedback", None, Some(body.clone())).await;
        assert!(status == StatusCode::UNPROCESSABLE_ENTITY && spam(&e), "no token: {e}");
        let forged = format!("{}.0000000000000000.{}", shanzhi_domain::clock::Clock::now(&app.clock).timestamp() - 60, "a".repeat(64));
        let (status, e) = file(&app, json!({"project_id": id, "rating": 1, "form_token": forged})).await;
        assert!(status == StatusCode::UNPROCESSABLE_ENTITY && spam(&e), "forged: {e}");
        // The same token once it is 3 seconds old is good.
        app.clock.advance(Duration::seconds(1));
        let (status, e) = app.call(Method::POST, "/api/v1/feedback", None, Some(b)).await;
        assert_eq!(status, StatusCode::CREATED, "{e}");
        // The page form too: sent at once, the form comes back with the spam message.
        let (_, html) = page(&app, &format!("/projects/{id}/feedback"), "").await;
        let token = html.split("name=\"form_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let resp = app.client.post(format!("{}/projects/{id}/feedback", app.base))
            .form(&[("form_token", token.as_str()), ("rating", "3"), ("website", "")]).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(resp.text().await.unwrap().contains("自动程序"), "the spam message in Chinese");
    }

    async fn one_address_files_at_most_its_hours_share(backend) {
        let rules = shanzhi_domain::rules::Rules { feedback_per_address_per_hour: 2, ..Default::default() };
        let app = TestApp::with_demo_and(backend, Setup { rules, ..Setup::default() }).await;
        let (id, _) = public_project(&app).await;
        let dept = app.token("mzj.purchaser").await;
        let on_project = format!("/api/v1/feedback?project_id={id}");
        let before = app.all(&on_project, Some(&dept)).await.len();
        for _ in 0..2 {
            let (status, e) = file(&app, json!({"project_id": id, "rating": 4})).await;
            assert_eq!(status, StatusCode::CREATED, "{e}");
        }
        let token = aged_token(&app).await;
        let resp = app.client.post(format!("{}/api/v1/feedback", app.base))
            .json(&json!({"project_id": id, "rating": 4, "form_token": token})).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: i64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=3600).contains(&wait), "{wait}");
        let e: Value = resp.json().await.unwrap();
        assert_eq!(e["code"], "rate_limited");
        // Refused ones are not saved.
        assert_eq!(app.all(&on_project, Some(&dept)).await.len(), before + 2);
        // An hour later the address may file again: two at most, however many race for the places.
        app.clock.advance(Duration::hours(1));
        let mut tokens = Vec::new();
        for _ in 0..5 {
            tokens.push(aged_token(&app).await);
        }
        let racing = tokens.into_iter().map(|token| {
            let (client, url) = (app.client.clone(), format!("{}/api/v1/feedback", app.base));
            tokio::spawn(async move {
                let body = json!({"project_id": id, "rating": 4, "form_token": token});
                client.post(url).json(&body).send().await.unwrap().status()
            })
        });
        let mut statuses = Vec::new();
        for task in racing.collect::<Vec<_>>() {
            statuses.push(task.await.unwrap());
        }
        let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
        assert_eq!(created, 2, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
        assert_eq!(app.all(&on_project, Some(&dept)).await.len(), before + 4);
    }
}
