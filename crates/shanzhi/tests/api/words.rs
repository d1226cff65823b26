//! Pages speak to people, not in codes: actions, decisions and methods in words, amounts formatted, refusals
//! that say why and lead back, irreversible acts confirmed first, and each person's own work on their queue.

use crate::both_backends;
use crate::helpers::*;
use crate::procurement::{approved_project, published_tender, usernames};
use reqwest::header::REFERER;
use reqwest::{Method, StatusCode};
use serde_json::json;
use shanzhi_domain::project::Status;
use shanzhi_store::ProcurementStore;

/// The text a person reads: tags dropped, and with them every attribute (form values, links).
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// An internal code a person would stumble over: `project.funding`, `open_tender`, or an amount without
/// thousands separators such as `2295408.00`.
fn codes_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || "（）()，。：:、".contains(c)) {
        let dotted = word.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && (a.chars().chain(b.chars())).all(|c| c.is_ascii_lowercase() || c == '_')
        });
        let snake = word.contains('_') && word.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        let bare_amount = word.split_once('.').is_some_and(|(a, b)| {
            a.len() >= 4
                && b.len() == 2
                && a.chars().all(|c| c.is_ascii_digit())
                && b.chars().all(|c| c.is_ascii_digit())
        });
        if dotted || snake || bare_amount {
            found.push(word.to_string());
        }
    }
    found
}

async fn post(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let resp = app
        .client
        .post(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .header(REFERER, format!("{}/projects", app.base))
        .form(fields)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.text().await.unwrap())
}

both_backends! {
    async fn project_and_procurement_pages_show_no_internal_codes(backend) {
        let app = TestApp::with_demo(backend).await;
        // The district supervisor sees every project and procurement of the district.
        let cookie = page_cookie(&app, "supervisor").await;
        let mut seen_funding = false;
        for p in app.store.projects().await.unwrap() {
            let (status, html) = page(&app, &format!("/projects/{}", p.id), &cookie).await;
            assert_eq!(status, StatusCode::OK, "project {}", p.id);
            let text = visible_text(&html);
            assert!(codes_in(&text).is_empty(), "project {} shows codes {:?}", p.id, codes_in(&text));
            seen_funding |= text.contains("资金安排");
            if p.award.as_ref().is_some_and(|a| a.method.code() == "open_tender") {
                assert!(text.contains("公开招标"), "the award method by name");
            }
        }
        assert!(seen_funding, "a history with the funding arranged, in words");
        let mut paths: Vec<String> = ["/", "/projects", "/procurements", "/notices", "/budgets", "/posts", "/dashboard", "/overdue", "/organisations"]
            .iter().map(|p| p.to_string()).collect();
        paths.extend(app.store.procurements().await.unwrap().iter().map(|p| format!("/procurements/{}", p.id)));
        let notices = app.all("/api/v1/notices", None).await;
        paths.extend(notices.iter().map(|n| format!("/notices/{}", n["id"])));
        for path in paths {
            let (status, html) = page(&app, &path, &cookie).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let text = visible_text(&html);
            assert!(codes_in(&text).is_empty(), "{path} shows codes {:?}", codes_in(&text));
        }
    }

    async fn decisions_are_named_as_the_form_names_them(backend) {
        let app = TestApp::with_demo(backend).await;
        let projects = app.store.projects().await.unwrap();
        let review = projects.iter().find(|p| p.status == Status::ReviewContent).unwrap();
        let reviewer = app.token("mzj.reviewer").await;
        let (status, body) = app.call(Method::POST, &format!("/api/v1/projects/{}/review", review.id), Some(&reviewer), Some(json!({"decision": "yes"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let zh = body["fields"][0]["message"].as_str().unwrap();
        assert!(zh.contains("“通过”") && zh.contains("“退回”") && !zh.contains("approve"), "{body}");
        // The decision is read before anything else, so any milestone still to decide will do.
        let reported = projects.iter().find(|p| p.status == Status::Acceptance).unwrap();
        let n = reported.current_milestone().unwrap();
        let purchaser = app.store.users().await.unwrap().into_iter().find(|u| u.org_id == reported.purchaser_org_id && u.username.ends_with(".purchaser")).unwrap();
        let token = app.token(&purchaser.username).await;
        let (_, body) = app.call(Method::POST, &format!("/api/v1/projects/{}/milestones/{n}/decision", reported.id), Some(&token), Some(json!({"decision": "ok"}))).await;
        let zh = body["fields"][0]["message"].as_str().unwrap();
        assert!(zh.contains("“验收”") && zh.contains("“不予验收”") && !zh.contains("reject"), "{body}");
    }

    async fn a_refusal_says_why_and_leads_back(backend) {
        let app = TestApp::with_demo(backend).await;
        let mzj = app.org_id("mzj").await;
        let done = app.store.projects().await.unwrap().into_iter().find(|p| p.status == Status::Completed && p.purchaser_org_id == mzj).unwrap();
        let cookie = page_cookie(&app, "mzj.purchaser").await;
        // A form that no longer applies (a bookmark, an old tab): the page says why and leads to the project…
        let (status, html) = page(&app, &format!("/projects/{}/contract", done.id), &cookie).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("已完成"), "why: {html}");
        assert!(html.contains(&format!(r#"href="/projects/{}""#, done.id)), "a way back to the project: {html}");
        // …or back to where the person came from.
        let resp = app.client.get(format!("{}/projects/{}/contract", app.base, done.id)).header("cookie", &cookie)
            .header(REFERER, format!("{}/projects?step=completed", app.base)).send().await.unwrap();
        let html = resp.text().await.unwrap();
        assert!(html.contains(r#"href="/projects?step=completed""#), "{html}");
        // A refused act on the project page comes back to that page with the reason at the top.
        let (_, html) = page(&app, &format!("/projects/{}", done.id), &cookie).await;
        let csrf = csrf_of(&html);
        let (status, html) = post(&app, &format!("/projects/{}/cancel", done.id), &cookie, &[("_csrf", &csrf), ("reason", "不再需要该服务"), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("error-summary") && html.contains("不能进行此操作") && html.contains(&done.design.title), "{html}");
    }

    async fn irreversible_acts_ask_for_confirmation(backend) {
        let app = TestApp::with_demo(backend).await;
        let mzj = app.org_id("mzj").await;
        let open = app.store.projects().await.unwrap().into_iter().find(|p| p.status == Status::Design && p.purchaser_org_id == mzj).unwrap();
        let cookie = page_cookie(&app, "mzj.purchaser").await;
        let (_, html) = page(&app, &format!("/projects/{}", open.id), &cookie).await;
        assert!(html.contains(r#"id="cancel_confirm""#), "the cancel form has its confirmation");
        let csrf = csrf_of(&html);
        // Without the box ticked, nothing happens, and every problem of the form is named at once.
        let (status, html) = post(&app, &format!("/projects/{}/cancel", open.id), &cookie, &[("_csrf", &csrf), ("reason", "")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("请勾选确认") && html.contains("请写明原因"), "{html}");
        assert_eq!(app.store.project(open.id).await.unwrap().unwrap().status, Status::Design);
        let (status, _) = post(&app, &format!("/projects/{}/cancel", open.id), &cookie, &[("_csrf", &csrf), ("reason", "需求已由其他项目覆盖"), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(app.store.project(open.id).await.unwrap().unwrap().status, Status::Cancelled);
    }

    async fn civil_affairs_own_project_says_it_skipped_the_content_review(backend) {
        let app = TestApp::with_demo(backend).await;
        let mzj = app.org_id("mzj").await;
        let own = app.store.projects().await.unwrap().into_iter()
            .find(|p| p.purchaser_org_id == mzj && p.reviews.iter().any(|r| r.approved) && p.content_review_skipped.is_some())
            .expect("a civil-affairs project past review");
        let cookie = page_cookie(&app, "mzj.purchaser").await;
        let (_, html) = page(&app, &format!("/projects/{}", own.id), &cookie).await;
        assert!(html.contains("直接进入财政部门资金审核"), "{html}");
        let other = app.store.projects().await.unwrap().into_iter()
            .find(|p| p.purchaser_org_id != mzj && p.reviews.iter().any(|r| r.approved)).unwrap();
        let cookie = page_cookie(&app, "supervisor").await;
        let (_, html) = page(&app, &format!("/projects/{}", other.id), &cookie).await;
        assert!(!html.contains("直接进入财政部门资金审核"));
    }

    async fn experts_find_their_committee_work_on_their_queue(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = approved_project(&app, "留守儿童课后陪伴服务（评审工作）").await;
        let id = published_tender(&app, project).await;
        for (user, price) in [("p.yg", "76000.00"), ("p.hx", "72000.00"), ("p.qm", "80000.00")] {
            let t = app.token(user).await;
            app.ok(Method::POST, &format!("/api/v1/procurements/{id}/interest"), &t, None).await;
            app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &t, Some(json!({"price": price, "proposal": "每周三次入户陪伴，配备两名持证社工"}))).await;
        }
        app.clock.set(crate::procurement::at("2026-04-28T09:30"));
        let purchaser = app.token("jyj.purchaser").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &purchaser, Some(json!({"attendees": ["区财政局监督员"]}))).await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/committee"), &purchaser, Some(json!({}))).await;
        let member = p["committee"]["members"][0]["user_id"].as_i64().unwrap();
        let username = usernames(&app).await[&member].clone();
        let cookie = page_cookie(&app, &username).await;
        let (_, html) = page(&app, "/", &cookie).await;
        assert!(html.contains(r#"id="committee-work""#) && html.contains("作出利害关系声明"), "{html}");
        let t = app.token(&username).await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/declaration"), &t, Some(json!({"no_conflict": true}))).await;
        let (_, html) = page(&app, "/", &cookie).await;
        assert!(html.contains("为各投标评分") && !html.contains("作出利害关系声明"), "{html}");
    }
}
