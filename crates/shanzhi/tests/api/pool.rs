//! Provider self-registration verified by civil affairs, and the expert pool kept by finance: API, store
//! and pages, on both backends.

use crate::both_backends;
use crate::helpers::*;
use chrono::NaiveDate;
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shanzhi_domain::ids::{org_code_with_check, uscc_with_check};
use shanzhi_domain::rules::Rules;

/// A valid USCC of a social organisation registered in Yiling, built from an 8-character body.
fn uscc(body: &str) -> String {
    let org = org_code_with_check(body).expect("valid body");
    uscc_with_check(&format!("52420506{org}")).expect("valid prefix")
}

fn registration(username: &str, code: &str) -> Value {
    json!({
        "name": "宜昌市夷陵区新芽青少年社会工作服务中心",
        "kind": "social_organisation",
        "uscc": code,
        "region": "420506001",
        "contact": "刘芳 13800000000",
        "username": username,
        "display_name": "刘芳",
        "password": DEMO_PASSWORD,
    })
}

/// What a refused write must leave untouched.
async fn footprint(app: &TestApp) -> (usize, usize, Option<(i64, String)>) {
    (
        app.store.organisations().await.unwrap().len(),
        app.store.users().await.unwrap().len(),
        app.store.audit_head().await.unwrap(),
    )
}

async fn register(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.call(Method::POST, "/api/v1/registrations", None, Some(body)).await
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    app.store.user_credentials(username).await.unwrap().expect("user exists").0.id
}

both_backends! {
    async fn registration_is_pending_until_civil_affairs_verifies_it(backend) {
        let app = TestApp::with_demo(backend).await;
        let before = app.store.audit_head().await.unwrap().unwrap().0;
        let (status, body) = register(&app, registration("p.xinya", &uscc("MA4XY001"))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["organisation"]["verification"], "pending");
        assert_eq!(body["organisation"]["active"], false);
        assert_eq!(body["username"], "p.xinya");
        let org_id = body["organisation"]["id"].as_i64().unwrap();
        // One write, one audit event; the password is never in it.
        let events = app.store.audit_events(before, 10).await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].action, "organisation.register");
        assert!(!events[0].after.to_string().contains(DEMO_PASSWORD));

        // The applicant may sign in and see where the registration stands, with no role to act.
        let applicant = app.token("p.xinya").await;
        assert_eq!(app.get("/api/v1/me", &applicant).await.1["roles"], json!([]));
        assert_eq!(app.get("/api/v1/registrations/mine", &applicant).await.1["organisation"]["verification"], "pending");

        let reviewer = app.token("mzj.reviewer").await;
        let list = app.all("/api/v1/registrations?verification=pending", Some(&reviewer)).await;
        assert!(list.iter().all(|r| r["organisation"]["verification"] == "pending"));
        assert_eq!(list[0]["organisation"]["id"], org_id, "newest first");
        let every = app.all("/api/v1/registrations?limit=1", Some(&reviewer)).await;
        assert_eq!(every.len(), list.len(), "one at a time, each once (all are pending yet)");

        crate::registry::fill_registry(&app, &applicant, org_id).await;
        let verified = app.ok(Method::POST, &format!("/api/v1/registrations/{org_id}/verify"), &reviewer, None).await;
        assert_eq!(verified["organisation"]["verification"], "verified");
        assert_eq!(verified["organisation"]["active"], true);
        assert!(verified["verified_at"].is_string() && verified["verified_by"].is_i64());
        assert!(app.store.organisation(org_id).await.unwrap().unwrap().is_eligible_provider());
        assert_eq!(app.get("/api/v1/me", &applicant).await.1["roles"], json!(["provider"]));
        let events = app.store.audit_for_object("organisation", "reg-p.xinya").await.unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["organisation.register", "organisation.verify"]);
    }

    async fn bad_registrations_are_refused_and_write_nothing(backend) {
        let app = TestApp::with_demo(backend).await;
        let good = registration("p.newone", &uscc("MA4XY002"));
        let mut bad_check = uscc("MA4XY003");
        let last = if bad_check.ends_with('0') { '1' } else { '0' };
        bad_check.pop();
        bad_check.push(last);
        let taken_uscc = app.store.organisation_by_key("xlx").await.unwrap().unwrap().uscc.unwrap();
        let with = |field: &str, value: Value| {
            let mut b = good.clone();
            b[field] = value;
            b
        };
        let cases = [
            (with("uscc", json!(bad_check)), "check_character_mismatch"),
            (with("uscc", json!("12345")), "wrong_length"),
            (with("uscc", json!(taken_uscc)), "uscc_taken"),
            (with("username", json!("p.xlx")), "username_taken"),
            (with("username", json!("No Such")), "invalid_username"),
            (with("kind", json!("finance")), "not_provider_kind"),
            (with("kind", json!("third_party_evaluator")), "not_provider_kind"),
            (with("class_one", json!(true)), "class_one_ineligible"),
            (with("password", json!("short1")), "weak_password"),
            (with("password", json!("onlyletterspassword")), "weak_password"),
            (with("region", json!("999999")), "unknown_region"),
            (with("kind", json!("individual")), "empty"),
            (with("name", json!("  ")), "required"),
        ];
        let before = footprint(&app).await;
        for (body, code) in cases {
            let (status, value) = register(&app, body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {value}");
            assert_eq!(value["code"], code, "{body}: {value}");
            assert!(value["message"].is_string() && value["message_en"].is_string());
            assert_eq!(footprint(&app).await, before, "nothing written for {code}");
        }
        let (status, value) = register(&app, json!({"name": "x"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{value}");
        assert_eq!(value["code"], "invalid_json");
        assert_eq!(footprint(&app).await, before);

        // An individual registers by resident ID, which is stored encrypted and shown masked.
        let mut person = with("kind", json!("individual"));
        person["uscc"] = Value::Null;
        person["resident_id"] = json!("11010519491231002X");
        let (status, value) = register(&app, person).await;
        assert_eq!(status, StatusCode::CREATED, "{value}");
        assert!(!value.to_string().contains("11010519491231002X"));
        let org_id = value["organisation"]["id"].as_i64().unwrap();
        assert_eq!(app.store.reveal_resident_id(org_id).await.unwrap().as_deref(), Some("11010519491231002X"));
    }

    async fn an_unverified_provider_cannot_act_as_a_provider(backend) {
        let app = TestApp::with_demo(backend).await;
        let body = register(&app, registration("p.waiting", &uscc("MA4XY004"))).await.1;
        let org_id = body["organisation"]["id"].as_i64().unwrap();
        let applicant = app.token("p.waiting").await;
        // No provider role yet: no project is visible (it uploads only its registry's documents).
        assert_eq!(app.get("/api/v1/projects", &applicant).await.1, json!({"items": [], "next_cursor": null}));
        // A purchaser cannot award it a project.
        let purchaser = app.token("jyj.purchaser").await;
        let id = crate::procurement::approved_project(&app, "青少年成长陪伴（直接购买）").await;
        let award = json!({"provider_org_id": org_id, "justification": "该机构在本区长期开展青少年服务，经验丰富"});
        let path = format!("/api/v1/projects/{id}/award");
        app.refused(Method::POST, &path, &purchaser, Some(award.clone()), StatusCode::UNPROCESSABLE_ENTITY, "provider_inactive").await;
        // Once verified, it can.
        let reviewer = app.token("mzj.reviewer").await;
        crate::registry::fill_registry(&app, &applicant, org_id).await;
        app.ok(Method::POST, &format!("/api/v1/registrations/{org_id}/verify"), &reviewer, None).await;
        let awarded = app.ok(Method::POST, &path, &purchaser, Some(award)).await;
        assert_eq!(awarded["award"]["provider"]["org_id"], org_id);
    }

    async fn only_civil_affairs_reviewers_verify(backend) {
        let app = TestApp::with_demo(backend).await;
        let pending = app.org_id("reg-p.swxz").await;
        let verify = format!("/api/v1/registrations/{pending}/verify");
        let reject = format!("/api/v1/registrations/{pending}/reject");
        assert_eq!(app.call(Method::POST, &verify, None, None).await.0, StatusCode::UNAUTHORIZED);
        for username in ["czj.reviewer", "admin", "mzj.purchaser", "p.xlx", "expert.xiang", "supervisor", "p.swxz"] {
            let token = app.token(username).await;
            app.refused(Method::POST, &verify, &token, None, StatusCode::FORBIDDEN, "forbidden").await;
            app.refused(Method::POST, &reject, &token, Some(json!({"reason": "材料不全"})), StatusCode::FORBIDDEN, "forbidden").await;
            app.refused(Method::GET, "/api/v1/registrations", &token, None, StatusCode::FORBIDDEN, "forbidden").await;
        }
        assert_eq!(app.store.organisation(pending).await.unwrap().unwrap().verification.code(), "pending");

        let reviewer = app.token("mzj.reviewer").await;
        app.refused(Method::POST, &reject, &reviewer, Some(json!({"reason": " "})), StatusCode::UNPROCESSABLE_ENTITY, "required").await;
        // Only registrations can be verified: an organisation the administrator added is not one.
        let xlx = app.org_id("xlx").await;
        app.refused(Method::POST, &format!("/api/v1/registrations/{xlx}/verify"), &reviewer, None, StatusCode::NOT_FOUND, "not_found").await;
        let rejected = app.ok(Method::POST, &reject, &reviewer, Some(json!({"reason": "登记证书已过有效期"}))).await;
        assert_eq!(rejected["organisation"]["verification"], "rejected");
        assert_eq!(rejected["rejection_reason"], "登记证书已过有效期");
        app.refused(Method::POST, &verify, &reviewer, None, StatusCode::CONFLICT, "registration_decided").await;
        // The applicant sees why, and still has no role.
        let applicant = app.token("p.swxz").await;
        let mine = app.get("/api/v1/registrations/mine", &applicant).await.1;
        assert_eq!(mine["rejection_reason"], "登记证书已过有效期");
        assert_eq!(app.get("/api/v1/me", &applicant).await.1["roles"], json!([]));
        // Someone whose organisation never registered has no registration to see.
        let other = app.token("p.xlx").await;
        app.refused(Method::GET, "/api/v1/registrations/mine", &other, None, StatusCode::NOT_FOUND, "not_found").await;
    }

    async fn finance_keeps_the_expert_pool(backend) {
        let app = TestApp::with_demo(backend).await;
        let finance = app.token("czj.reviewer").await;
        // A page at a time, newest first; every entry once across the pages.
        let pool = app.all("/api/v1/experts?limit=3", Some(&finance)).await;
        assert!(pool.len() >= 10, "{pool:?}");
        let ids: Vec<i64> = pool.iter().map(|e| e["id"].as_i64().unwrap()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!(ids, sorted, "newest first, none twice");
        assert_eq!(ids.len(), app.store.expert_pool().await.unwrap().len(), "every entry");
        let first = app.get("/api/v1/experts?limit=3", &finance).await.1;
        assert_eq!(first["items"].as_array().unwrap().len(), 3);
        assert!(first["next_cursor"].is_string(), "{first}");
        app.refused(Method::GET, "/api/v1/experts?limit=0", &finance, None, StatusCode::BAD_REQUEST, "invalid_limit").await;
        app.refused(Method::GET, "/api/v1/experts?category=A07", &finance, None, StatusCode::BAD_REQUEST, "unknown_parameter").await;
        let cookie = page_cookie(&app, "czj.reviewer").await;
        let (status, html) = page(&app, "/experts?limit=3", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("/experts?limit=3&amp;cursor="), "the page links to the next one");
        let (xlx, yg, hx) = (app.org_id("xlx").await, app.org_id("yg").await, app.org_id("hx").await);
        let new = json!({
            "new_user": {"username": "expert.fang", "display_name": "方志远", "password": "pool-2026-ok"},
            "categories": ["A07", "A0201"],
            "org_id": xlx,
            "former_employers": [{"org_id": yg, "until": "2025-01-31"}],
            "declared_ties": [hx],
        });
        let before = footprint(&app).await;
        let created = app.ok(Method::POST, "/api/v1/experts", &finance, Some(new.clone())).await;
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["name"], "方志远");
        assert_eq!(created["active"], true);
        assert_eq!(footprint(&app).await.1, before.1 + 1, "the account was created with the entry");
        let (status, _) = app.call(Method::POST, "/api/v1/session", None, Some(json!({"username": "expert.fang", "password": "pool-2026-ok"}))).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(app.get(&format!("/api/v1/experts/{id}"), &finance).await.1["categories"], json!(["A07", "A0201"]));

        // Bad input is refused with its own code, and writes nothing.
        let with = |field: &str, value: Value| {
            let mut b = new.clone();
            b["new_user"]["username"] = json!("expert.other");
            b[field] = value;
            b
        };
        let future = json!([{"org_id": yg, "until": "2030-01-01"}]);
        let cases = [
            (with("categories", json!(["Z99"])), "unknown_category"),
            (with("categories", json!(["X01"])), "unknown_category"),
            (with("categories", json!([])), "required"),
            (with("former_employers", future), "date_in_future"),
            (with("former_employers", json!([{"org_id": yg, "until": "31/01/2025"}])), "invalid_date"),
            (with("former_employers", json!([{"org_id": yg, "until": " "}])), "required"),
            (with("declared_ties", json!([999999])), "unknown_organisation"),
            (with("org_id", json!(999999)), "unknown_organisation"),
            (with("new_user", json!({"username": "expert.xiang", "display_name": "重名", "password": "pool-2026-ok"})), "username_taken"),
            (with("new_user", json!({"username": "expert.weak", "display_name": "弱", "password": "123"})), "weak_password"),
            (with("new_user", Value::Null), "account_required"),
        ];
        let before = footprint(&app).await;
        for (body, code) in cases {
            app.refused(Method::POST, "/api/v1/experts", &finance, Some(body), StatusCode::UNPROCESSABLE_ENTITY, code).await;
        }
        app.refused(Method::POST, "/api/v1/experts", &finance, Some(json!({"user_id": id, "categories": ["A07"]})), StatusCode::CONFLICT, "already_in_pool").await;
        assert_eq!(footprint(&app).await, before);

        // An existing account joins the pool and gains the expert role; admins anywhere may add.
        let admin = app.token("admin").await;
        let sup = user_id(&app, "lq.supervisor").await;
        app.ok(Method::POST, "/api/v1/experts", &admin, Some(json!({"user_id": sup, "categories": ["A01"]}))).await;
        let roles = app.store.users().await.unwrap().into_iter().find(|u| u.id == sup).unwrap().roles;
        assert_eq!(roles.iter().map(|r| r.code()).collect::<Vec<_>>(), ["supervisor", "expert"]);

        // The draw finds the expert by category prefix: A07 covers A0701, A0201 covers itself, A02 is wider.
        let covering = |cat: &'static str| {
            let store = app.store.clone();
            async move { store.experts_covering(cat).await.unwrap().iter().any(|e| e.id == id) }
        };
        assert!(covering("A0701").await && covering("A07").await && covering("A0201").await);
        assert!(!covering("A02").await && !covering("A06").await && !covering("").await);

        // Edit, then deactivate: the entry stays, the draw no longer sees it.
        let edit = json!({"categories": ["A06"], "org_id": null, "former_employers": [], "declared_ties": [xlx]});
        let edited = app.ok(Method::PUT, &format!("/api/v1/experts/{id}"), &finance, Some(edit.clone())).await;
        assert_eq!(edited["categories"], json!(["A06"]));
        assert!(covering("A06").await && !covering("A0701").await, "the draw follows the edit");
        assert_eq!(edited["declared_ties"], json!([xlx]));
        assert!(app.store.expert(id).await.unwrap().is_some());
        let mut off = edit;
        off["active"] = json!(false);
        let edited = app.ok(Method::PUT, &format!("/api/v1/experts/{id}"), &finance, Some(off)).await;
        assert_eq!(edited["active"], false);
        assert!(app.store.expert(id).await.unwrap().is_none());
        assert!(app.store.experts().await.unwrap().iter().all(|e| e.id != id));
        assert!(!covering("A06").await, "an inactive expert is not drawn");
        assert!(!app.store.expert_entry(id).await.unwrap().unwrap().active);
        let actions: Vec<String> =
            app.store.audit_for_object("expert", &id.to_string()).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["expert.create", "expert.update", "expert.update"]);
        app.refused(Method::PUT, "/api/v1/experts/999999", &finance, Some(json!({"categories": ["A07"]})), StatusCode::NOT_FOUND, "not_found").await;
    }

    async fn only_finance_manages_the_pool(backend) {
        let app = TestApp::with_demo(backend).await;
        let mei = user_id(&app, "expert.mei").await;
        let body = json!({"new_user": {"username": "expert.nope", "display_name": "无权", "password": "pool-2026-ok"}, "categories": ["A07"]});
        assert_eq!(app.call(Method::GET, "/api/v1/experts", None, None).await.0, StatusCode::UNAUTHORIZED);
        let mut tokens = Vec::new();
        for username in ["mzj.reviewer", "mzj.purchaser", "p.xlx", "expert.xiang", "supervisor", "xjpg.evaluator"] {
            tokens.push(app.token(username).await);
        }
        let before = footprint(&app).await;
        for token in tokens {
            app.refused(Method::GET, "/api/v1/experts", &token, None, StatusCode::FORBIDDEN, "forbidden").await;
            app.refused(Method::POST, "/api/v1/experts", &token, Some(body.clone()), StatusCode::FORBIDDEN, "forbidden").await;
            app.refused(Method::GET, &format!("/api/v1/experts/{mei}"), &token, None, StatusCode::FORBIDDEN, "forbidden").await;
            app.refused(Method::PUT, &format!("/api/v1/experts/{mei}"), &token, Some(json!({"categories": ["A07"], "active": false})), StatusCode::FORBIDDEN, "forbidden").await;
        }
        assert_eq!(footprint(&app).await, before);
        assert!(app.store.expert(mei).await.unwrap().is_some());
    }

    async fn an_expert_declares_own_ties_only(backend) {
        let app = TestApp::with_demo(backend).await;
        let xiang = app.token("expert.xiang").await;
        let me = app.get("/api/v1/experts/me", &xiang).await.1;
        assert_eq!(me["username"], "expert.xiang");
        let categories = me["categories"].clone();
        let (hx, qm) = (app.org_id("hx").await, app.org_id("qm").await);
        let declared = json!({"former_employers": [{"org_id": qm, "until": "2025-12-31"}], "declared_ties": [hx]});
        let saved = app.ok(Method::PUT, "/api/v1/experts/me", &xiang, Some(declared)).await;
        assert_eq!(saved["declared_ties"], json!([hx]));
        assert_eq!(saved["former_employers"], json!([{"org_id": qm, "until": "2025-12-31"}]));
        assert_eq!(saved["categories"], categories, "finance's fields are untouched");
        let id = me["id"].as_i64().unwrap();
        let stored = app.store.expert(id).await.unwrap().unwrap();
        assert_eq!(stored.declared_ties, [hx]);
        app.refused(Method::PUT, "/api/v1/experts/me", &xiang, Some(json!({"former_employers": [{"org_id": qm, "until": "2099-01-01"}]})), StatusCode::UNPROCESSABLE_ENTITY, "date_in_future").await;
        // Not someone else's entry, and not as someone outside the pool.
        let mei = user_id(&app, "expert.mei").await;
        app.refused(Method::PUT, &format!("/api/v1/experts/{mei}"), &xiang, Some(json!({"categories": ["A07"], "declared_ties": []})), StatusCode::FORBIDDEN, "forbidden").await;
        let provider = app.token("p.xlx").await;
        app.refused(Method::PUT, "/api/v1/experts/me", &provider, Some(json!({"declared_ties": []})), StatusCode::FORBIDDEN, "forbidden").await;
        assert_eq!(app.store.expert(mei).await.unwrap().unwrap().declared_ties, [app.org_id("ll").await]);
    }

    async fn the_pool_gives_the_domain_experts_the_draw_needs(backend) {
        let app = TestApp::with_demo(backend).await;
        let experts = app.store.experts().await.unwrap();
        assert!(experts.len() >= 10);
        let xiang = experts.iter().find(|e| e.name == "向丽君").expect("expert.xiang");
        assert_eq!(xiang.id, user_id(&app, "expert.xiang").await, "an expert's id is their user id");
        assert_eq!(xiang.org_id, Some(app.org_id("swa").await));
        let xlx = app.org_id("xlx").await;
        assert_eq!(xiang.former_employers[0].org_id, xlx);
        assert_eq!(xiang.former_employers[0].until, NaiveDate::from_ymd_opt(2024, 8, 31).unwrap());
        assert!(xiang.covers("A0701") && !xiang.covers("A0201"));
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert!(!xiang.conflicts(&[xlx], today, &Rules::default()).is_empty(), "worked there within three years");
        let mei = experts.iter().find(|e| e.name == "梅建平").unwrap();
        assert_eq!(mei.declared_ties, [app.org_id("ll").await]);
        // Every category a demo project uses has at least three experts to draw from, and the category's index
        // finds exactly the experts who cover it.
        for p in app.store.projects().await.unwrap() {
            let cat = &p.design.category;
            let expected: Vec<i64> = experts.iter().filter(|e| e.covers(cat)).map(|e| e.id).collect();
            assert!(expected.len() >= 3, "{} ({cat}) has {} experts", p.design.title, expected.len());
            let found: Vec<i64> = app.store.experts_covering(cat).await.unwrap().iter().map(|e| e.id).collect();
            assert_eq!(found, expected, "{cat}");
        }
    }

    async fn registration_and_pool_pages_in_chinese_and_english(backend) {
        let app = TestApp::with_demo(backend).await;
        // The public registration form, in both languages.
        let (status, html) = page(&app, "/register", "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("注册为承接主体") && html.contains(r#"name="uscc""#));
        let (_, html) = page(&app, "/register", "sz_lang=en").await;
        assert!(html.contains("Register as a provider") && html.contains(r#"lang="en""#));
        let code = uscc("MA4XY005");
        let mut fields = vec![
            ("name", "宜昌市夷陵区晴川社会工作服务中心"), ("kind", "social_organisation"), ("uscc", code.as_str()),
            ("region", "420506"), ("contact", "王晴 13900000000"), ("username", "p.qingchuan"),
            ("display_name", "王晴"), ("password", "short"),
        ];
        let resp = app.client.post(format!("{}/register", app.base)).form(&fields).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains("error-summary") && html.contains("密码至少需要 10 个字符"), "{html}");
        fields.last_mut().unwrap().1 = DEMO_PASSWORD;
        let resp = app.client.post(format!("{}/register", app.base)).form(&fields).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        assert!(resp.text().await.unwrap().contains("注册已提交"));
        let applicant = page_cookie(&app, "p.qingchuan").await;
        let (status, html) = page(&app, "/registrations/mine", &applicant).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("待民政部门核验"), "{html}");
        let (_, html) = page(&app, "/", &applicant).await;
        assert!(html.contains("尚未通过民政部门核验") && html.contains(r#"href="/registrations/mine""#));

        // Civil affairs verifies by form, with the session's CSRF token.
        let reviewer = page_cookie(&app, "mzj.reviewer").await;
        let (status, html) = page(&app, "/registrations", &reviewer).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("宜昌市夷陵区晴川社会工作服务中心") && html.contains("宜昌市夷陵区守望相助农村社会工作服务中心"));
        let (_, en) = page(&app, "/registrations", &format!("{reviewer}; sz_lang=en")).await;
        assert!(en.contains("Provider registrations") && en.contains("Waiting for verification"));
        let csrf = csrf_of(&html);
        let org_id = app.org_id("reg-p.qingchuan").await;
        crate::registry::fill_registry(&app, &app.token("p.qingchuan").await, org_id).await;
        let verify = format!("{}/registrations/{org_id}/verify", app.base);
        let resp = app.client.post(&verify).header("cookie", &reviewer).form(&[("_csrf", "forged")]).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let resp = app.client.post(&verify).header("cookie", &reviewer).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()[LOCATION], "/registrations");
        assert!(app.store.organisation(org_id).await.unwrap().unwrap().is_eligible_provider());
        let pending = app.org_id("reg-p.swxz").await;
        let resp = app.client.post(format!("{}/registrations/{pending}/reject", app.base)).header("cookie", &reviewer)
            .form(&[("_csrf", csrf.as_str()), ("reason", "")]).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(resp.text().await.unwrap().contains("请写明驳回理由"));
        // One state at a time: the verified one has left the pending list for the verified.
        let (_, html) = page(&app, "/registrations", &reviewer).await;
        assert!(!html.contains("宜昌市夷陵区晴川社会工作服务中心") && html.contains("宜昌市夷陵区守望相助农村社会工作服务中心"));
        assert!(html.contains(r#"href="/registrations?verification=verified""#));
        let (status, html) = page(&app, "/registrations?verification=verified", &reviewer).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("宜昌市夷陵区晴川社会工作服务中心") && !html.contains("守望相助"), "{html}");
        let decided = html.split(r#"<td data-label="处理时间">"#).nth(1).unwrap().split("</td>").next().unwrap();
        assert!(decided.contains('年') && !decided.contains('Z'), "in China time, as pages give times: {decided}");
        assert_eq!(page(&app, "/registrations?verification=maybe", &reviewer).await.0, StatusCode::BAD_REQUEST);

        // Finance's pool, in both languages; others are refused.
        let finance = page_cookie(&app, "czj.reviewer").await;
        let (status, html) = page(&app, "/experts", &finance).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("评审专家库") && html.contains("向丽君") && html.contains("宜昌市夷陵区心连心社会工作服务中心"));
        let (_, en) = page(&app, "/experts", &format!("{finance}; sz_lang=en")).await;
        assert!(en.contains("Expert pool") && en.contains("Add the expert"));
        let csrf = csrf_of(&html);
        let resp = app.client.post(format!("{}/experts", app.base)).header("cookie", &finance)
            .form(&[("_csrf", csrf.as_str()), ("account", "new"), ("username", "expert.page"), ("display_name", "页面专家"),
                    ("password", "pool-2026-ok"), ("categories", "A07"), ("categories", "B01"), ("org_id", "")])
            .send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let id = user_id(&app, "expert.page").await;
        assert_eq!(app.store.expert(id).await.unwrap().unwrap().categories, ["A07", "B01"]);
        // An existing user is named by username, not chosen from a list of every user.
        assert!(!html.contains(r#"name="user_id""#), "no list of users");
        let existing = |name: &'static str| [("_csrf", csrf.clone()), ("account", "existing".into()), ("existing_username", name.into()), ("categories", "A07".into()), ("org_id", String::new())];
        let resp = app.client.post(format!("{}/experts", app.base)).header("cookie", &finance).form(&existing("nobody.here")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(resp.text().await.unwrap().contains("该用户不存在"));
        let resp = app.client.post(format!("{}/experts", app.base)).header("cookie", &finance).form(&existing("jyj.purchaser")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let named = user_id(&app, "jyj.purchaser").await;
        assert_eq!(app.store.expert(named).await.unwrap().unwrap().categories, ["A07"]);
        let (status, html) = page(&app, &format!("/experts/{id}"), &finance).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("页面专家"));
        let resp = app.client.post(format!("{}/experts/{id}", app.base)).header("cookie", &finance)
            .form(&[("_csrf", csrf.as_str()), ("categories", "Z99")]).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let purchaser = page_cookie(&app, "mzj.purchaser").await;
        assert_eq!(page(&app, "/experts", &purchaser).await.0, StatusCode::FORBIDDEN);
        assert_eq!(page(&app, "/registrations", &purchaser).await.0, StatusCode::FORBIDDEN);

        // An expert declares ties on their own page.
        let expert = page_cookie(&app, "expert.xiang").await;
        let (status, html) = page(&app, "/experts/me", &expert).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("我的专家信息") && html.contains("曾任职单位"));
        let (_, en) = page(&app, "/experts/me", &format!("{expert}; sz_lang=en")).await;
        assert!(en.contains("My expert record") && en.contains("Former employers"));
        let csrf = csrf_of(&html);
        let hx = app.org_id("hx").await.to_string();
        let resp = app.client.post(format!("{}/experts/me", app.base)).header("cookie", &expert)
            .form(&[("_csrf", csrf.as_str()), ("declared_ties", hx.as_str()), ("employer_org_0", ""), ("employer_until_0", "")])
            .send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let me = user_id(&app, "expert.xiang").await;
        let stored = app.store.expert(me).await.unwrap().unwrap();
        assert_eq!(stored.declared_ties, [app.org_id("hx").await]);
        assert!(stored.former_employers.is_empty(), "the form replaced the declaration");
    }
}
