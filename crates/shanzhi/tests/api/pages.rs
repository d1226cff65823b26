//! The pages as a browser without scripts sees them: sign-in by form, session cookie, CSRF on every form,
//! redirects to sign-in, the language switch, and what the public may see.

use crate::both_backends;
use crate::helpers::*;
use reqwest::header::{CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

/// Signs in through the form, asking to land on `/projects`.
async fn form_sign_in(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    form_sign_in_from(app, None, username, password, "/projects").await
}

both_backends! {
    async fn sign_in_by_form_and_csrf_on_every_post(backend) {
        let app = TestApp::with_demo(backend).await;
        let resp = form_sign_in(&app, "jyj.purchaser", "wrong-password-9").await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let html = resp.text().await.unwrap();
        assert!(html.contains("error-summary") && html.contains("用户名或密码不正确"), "{html}");

        let resp = form_sign_in(&app, "jyj.purchaser", DEMO_PASSWORD).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()[LOCATION], "/projects");
        let set_cookie = resp.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap()).find(|c| c.starts_with("sz_session=")).unwrap().to_string();
        assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        assert!(!set_cookie.contains("Secure"), "plain http: not Secure");
        let cookie = set_cookie.split(';').next().unwrap().to_string();

        let (status, html) = page(&app, "/projects/new", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        let csrf = csrf_of(&html);
        let before = app.store.projects().await.unwrap().len();
        for token in ["", "0000000000000000000000000000000000000000000000000000000000000000"] {
            let resp = app.client.post(format!("{}/projects/new", app.base)).header("cookie", &cookie)
                .form(&[("_csrf", token), ("title", "跨站伪造的项目")]).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "a form without this session's token is refused");
        }
        assert_eq!(app.store.projects().await.unwrap().len(), before, "nothing was written");
        // With the token, a wrong form comes back with its errors beside the fields.
        let resp = app.client.post(format!("{}/projects/new", app.base)).header("cookie", &cookie)
            .form(&[("_csrf", csrf.as_str()), ("title", "")]).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains("error-summary") && html.contains("请填写项目名称") && html.contains("field--error"));

        // A named API token, created on the account page, is shown once.
        let (_, html) = page(&app, "/account", &cookie).await;
        assert!(html.contains("API"));
        let resp = app.client.post(format!("{}/account/tokens", app.base)).header("cookie", &cookie)
            .form(&[("_csrf", csrf.as_str()), ("label", "导出脚本"), ("days", "30")]).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let html = resp.text().await.unwrap();
        let start = html.find(r#"<p class="hash">"#).expect("the new token is shown") + r#"<p class="hash">"#.len();
        let token = &html[start..start + 64];
        assert_eq!(app.call(reqwest::Method::GET, "/api/v1/me", Some(token), None).await.0, StatusCode::OK);
        let (_, html) = page(&app, "/account", &cookie).await;
        assert!(html.contains("导出脚本") && !html.contains(token), "listed by name, never shown again");

        // Sign-out needs the token too, and ends the session.
        let resp = app.client.post(format!("{}/sign-out", app.base)).header("cookie", &cookie).form(&[("_csrf", "x")]).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let resp = app.client.post(format!("{}/sign-out", app.base)).header("cookie", &cookie).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let resp = app.client.get(format!("{}/budgets", app.base)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()[LOCATION], "/sign-in?next=%2Fbudgets");
    }

    async fn public_pages_and_language(backend) {
        let app = TestApp::with_demo(backend).await;
        let (status, html) = page(&app, "/catalogue", "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("负面清单") && html.contains("社会工作岗位购买"));
        let (head, hash) = app.store.audit_head().await.unwrap().unwrap();
        let (status, html) = page(&app, "/audit", "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&hash) && html.contains(&head.to_string()), "the public sees the chain head");
        let resp = app.client.get(format!("{}/lang/en?back=/catalogue", app.base)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()[LOCATION], "/catalogue");
        let cookie = resp.headers()[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
        let (_, html) = page(&app, "/catalogue", &cookie).await;
        assert!(html.contains(r#"<html lang="en""#) && html.contains("<title>Catalogue"), "English page");
        let resp = app.client.get(format!("{}/lang/en?back=https://evil.example/", app.base)).send().await.unwrap();
        assert_eq!(resp.headers()[LOCATION], "/", "never redirects off the site");
        let resp = app.client.get(format!("{}/", app.base)).send().await.unwrap();
        assert!(resp.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().contains("default-src 'self'"));
        // The stylesheet is served from our own host, at an address that changes with its content.
        let (_, home) = page(&app, "/", "").await;
        let href = home.split(r#"rel="stylesheet" href=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
        assert!(href.starts_with("/static/app.css?v="), "{href}");
        let css = app.client.get(format!("{}{href}", app.base)).send().await.unwrap();
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
        // Signed-out visitors are sent to sign in, for every private page.
        // (A project's own page is public from its first notice on, and `/projects` lists those: see
        // `public_project` and `project_search`.)
        for path in ["/budgets", "/organisations", "/admin/users", "/projects/new"] {
            let resp = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
            assert!(resp.headers()[LOCATION].to_str().unwrap().starts_with("/sign-in?next="), "{path}");
        }
    }

    async fn pages_respect_scope_and_mask_identifiers(backend) {
        let app = TestApp::with_demo(backend).await;
        let cookie = |resp: reqwest::Response| session_cookie_of(&resp);
        let health = cookie(form_sign_in(&app, "wsj.purchaser", DEMO_PASSWORD).await);
        let education_project = app.store.projects().await.unwrap().into_iter().find(|p| p.purchaser_name.contains("教育局")).unwrap();
        let (status, _) = page(&app, &format!("/projects/{}", education_project.id), &health).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another department's project is not there for you");
        let (status, _) = page(&app, "/admin/users", &health).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A path that is not UTF-8 is the site's own not-found page, in HTML, not the framework's plain text.
        let (status, html) = page(&app, "/lang/%FF", &health).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(html.contains("<html") && html.contains("未找到"), "{html}");
        let (admin_cookie, csrf) = signed_in(&app, "admin").await;
        for path in ["/admin/users/5/%FF", "/procurements/4/do/%FF", "/account/tokens/%FF/revoke"] {
            let (status, html) = post_form(&app, path, &admin_cookie, &[("_csrf", &csrf)]).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(html.contains("<html"), "{path}: {html}");
        }
        let admin = cookie(form_sign_in(&app, "admin", DEMO_PASSWORD).await);
        let (status, html) = page(&app, "/organisations", &admin).await;
        assert_eq!(status, StatusCode::OK);
        let seed: serde_json::Value = serde_json::from_str(include_str!("../../src/demo/yiling.json")).unwrap();
        let id_number = seed["organisations"].as_array().unwrap().iter().find_map(|o| o["resident_id"].as_str()).unwrap();
        assert!(!html.contains(id_number) && !html.contains(&id_number[6..14]), "only the masked ID is shown");
        assert!(html.contains("*************"));
        // Welfare-lottery money on a project outside social work is pointed out on the project page.
        let projects = app.store.projects().await.unwrap();
        let outside = projects.iter().find(|p| p.design.category.starts_with('B') && p.funding.iter().any(|l| l.source.code() == "welfare_lottery")).unwrap();
        let inside = projects.iter().find(|p| p.design.category.starts_with("A02") && p.funding.iter().any(|l| l.source.code() == "welfare_lottery")).unwrap();
        let (_, html) = page(&app, &format!("/projects/{}", outside.id), &admin).await;
        assert!(html.contains("服务类别不属于社会工作服务"));
        let (_, html) = page(&app, &format!("/projects/{}", inside.id), &admin).await;
        assert!(!html.contains("服务类别不属于社会工作服务"));
    }
}

/// Signs in by form and returns the cookie and the CSRF token of a page.
async fn signed_in(app: &TestApp, username: &str) -> (String, String) {
    let cookie = page_cookie(app, username).await;
    let (_, html) = page(app, "/", &cookie).await;
    (cookie, csrf_of(&html))
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let resp =
        app.client.post(format!("{}{path}", app.base)).header("cookie", cookie).form(fields).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

mod forms {
    use super::*;

    both_backends! {
        async fn the_contract_deadline_is_shown_and_turns_overdue(backend) {
            let app = TestApp::with_demo(backend).await;
            let (c, _) = signed_in(&app, "mzj.purchaser").await;
            let p = app.store.projects().await.unwrap().into_iter().find(|p| p.status.code() == "contract").unwrap();
            let award_day = shanzhi_domain::clock::china_date(p.award.as_ref().unwrap().at);
            let calendar = shanzhi_domain::calendar::Calendar::official().unwrap();
            let last = calendar.add_days(award_day, 30).unwrap().date;
            let (_, html) = page(&app, &format!("/projects/{}", p.id), &c).await;
            assert!(html.contains("签订合同期限") && html.contains(&format!("{}年{}月{}日", last.format("%Y"), last.format("%-m"), last.format("%-d"))), "deadline {last} shown");
            assert!(!html.contains("已逾期"));
            let today = shanzhi_domain::clock::china_date(shanzhi_domain::clock::Clock::now(&app.clock));
            app.clock.advance(chrono::Duration::days((last - today).num_days() + 1));
            let (c, _) = signed_in(&app, "mzj.purchaser").await; // the earlier session has expired by now
            let (_, html) = page(&app, &format!("/projects/{}", p.id), &c).await;
            assert!(html.contains("已逾期"), "a day after the last day it is overdue");
        }

        async fn a_contract_recorded_late_shows_its_publication_late(backend) {
            let app = TestApp::with_demo(backend).await;
            let p = app.store.projects().await.unwrap().into_iter().find(|p| p.status.code() == "contract").unwrap();
            let award_day = shanzhi_domain::clock::china_date(p.award.as_ref().unwrap().at);
            app.clock.advance(chrono::Duration::days(10));
            // Signed on the award day but recorded ten days later: the notice is out more than 2 working days late.
            let contract = serde_json::json!({"amount": p.total(), "start": p.design.period_start, "end": p.design.period_end,
                "signed_on": award_day, "milestones": [{"name": "终期", "share": "100", "due": p.design.period_end}]});
            let token = app.token("mzj.purchaser").await;
            app.ok(reqwest::Method::POST, &format!("/api/v1/projects/{}/contract", p.id), &token, Some(contract)).await;
            let (c, _) = signed_in(&app, "mzj.purchaser").await;
            let (_, html) = page(&app, &format!("/projects/{}", p.id), &c).await;
            assert!(html.contains("合同公告") && html.contains("逾期公告"), "late publication flagged");
            // A contract published as it was signed is on time.
            let done = app.store.projects().await.unwrap().into_iter().find(|q| q.status.code() == "completed" && q.purchaser_org_id == p.purchaser_org_id).unwrap();
            let (_, html) = page(&app, &format!("/projects/{}", done.id), &c).await;
            assert!(html.contains("合同公告") && !html.contains("逾期公告"), "on time");
        }

        async fn every_form_answers_bad_input_beside_the_field(backend) {
            let app = TestApp::with_demo(backend).await;
            let projects = app.store.projects().await.unwrap();
            let at = |status: &str| projects.iter().find(|p| p.status.code() == status).unwrap().id;
            let expect = |(status, html): (StatusCode, String), message: &str| {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
                assert!(html.contains("error-summary") && html.contains(message), "{message} expected in the page");
            };

            let (c, t) = signed_in(&app, "mzj.purchaser").await;
            let id = at("cost_estimate");
            expect(post_form(&app, &format!("/projects/{id}/cost-estimate"), &c, &[("_csrf", &t), ("line_kind_0", "personnel"), ("line_item_0", "社工"), ("line_qty_0", "1"), ("line_unit_0", "人"), ("line_price_0", "-3")]).await, "金额不能为负数");
            let id = at("cost_estimate");
        expect(post_form(&app, &format!("/projects/{id}/funding"), &c, &[("_csrf", &t), ("fund_budget_0", "999999"), ("fund_amount_0", "1")]).await, "只能使用本单位的预算");
        let id = at("procurement");
            expect(post_form(&app, &format!("/projects/{id}/award"), &c, &[("_csrf", &t), ("provider_org_id", ""), ("justification", "短")]).await, "承接主体");
            let id = at("contract");
            expect(post_form(&app, &format!("/projects/{id}/contract"), &c, &[("_csrf", &t), ("amount", "1000"), ("start", "2026-04-01"), ("end", "2027-03-31"), ("signed_on", "2026-03-02"),
                ("milestone_name_0", "中期"), ("milestone_share_0", "50"), ("milestone_due_0", "2026-09-30"), ("milestone_name_1", "终期"), ("milestone_share_1", "40"), ("milestone_due_1", "2027-03-31")]).await, "100%");
            expect(post_form(&app, &format!("/projects/{id}/cancel"), &c, &[("_csrf", &t), ("reason", "")]).await, "请写明原因");
            let id = at("design");
            expect(post_form(&app, &format!("/projects/{id}/design"), &c, &[("_csrf", &t), ("title", ""), ("period_start", "2026-02-30")]).await, "请按 2025-10-09 的格式填写日期");

            let (c, t) = signed_in(&app, "mzj.reviewer").await;
            let id = at("review_content");
            expect(post_form(&app, &format!("/projects/{id}/review"), &c, &[("_csrf", &t), ("decision", "return"), ("comment", "")]).await, "退回时请写明修改意见");

            let acceptance = projects.iter().find(|p| p.status.code() == "acceptance" && p.contract.as_ref().unwrap().milestones[0].reports.is_empty()).unwrap();
            let provider = app.store.users().await.unwrap().into_iter().find(|u| u.org_id == acceptance.contract.as_ref().unwrap().provider.org_id).unwrap();
            let (c, t) = signed_in(&app, &provider.username).await;
            // Every wrong field gets its own message at once, not only the first the page parses.
            let form = reqwest::multipart::Form::new().text("_csrf", t.clone()).text("beneficiaries", "x").text("hours", "abc").text("summary", "");
            let resp = app.client.post(format!("{}/projects/{}/milestones/0/report", app.base, acceptance.id)).header("cookie", &c).multipart(form).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let html = resp.text().await.unwrap();
            let summary = &html[html.find("error-summary").unwrap()..];
            let summary = &summary[..summary.find("</ul>").unwrap()];
            for field in ["#beneficiaries", "#hours", "#summary"] {
                assert!(summary.contains(field), "{field} has no message: {summary}");
            }

            let (c, t) = signed_in(&app, "admin").await;
            expect(post_form(&app, "/admin/users", &c, &[("_csrf", &t), ("username", "a"), ("display_name", ""), ("password", "123")]).await, "密码至少需要 10 个字符");
            expect(post_form(&app, "/admin/organisations", &c, &[("_csrf", &t), ("key", "new.org"), ("name", "新机构"), ("kind", "social_organisation"), ("uscc", "123")]).await, "统一社会信用代码");
            assert_eq!(app.store.projects().await.unwrap().len(), projects.len());
        }
    }
}
