//! Passwords people can manage: changing one's own, and an administrator disabling, re-enabling and resetting
//! users (a temporary password that must be changed before anything else); all of it audited.

use crate::both_backends;
use crate::helpers::*;
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn sign_in(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    app.call(Method::POST, "/api/v1/session", None, Some(json!({"username": username, "password": password}))).await
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    app.store.users().await.unwrap().into_iter().find(|u| u.username == username).unwrap().id
}

/// The audit events of `action`, and the whole log as text (to look for secrets in it).
async fn audited(app: &TestApp, action: &str) -> (Vec<shanzhi_domain::audit::AuditEvent>, String) {
    let all = app.store.audit_events(0, 1_000_000).await.unwrap();
    let text = serde_json::to_string(&all).unwrap();
    (all.into_iter().filter(|e| e.action == action).collect(), text)
}

both_backends! {
    async fn people_change_their_own_password(backend) {
        let app = TestApp::with_demo(backend).await;
        let here = app.token("jyj.purchaser").await;
        let elsewhere = app.token("jyj.purchaser").await;
        let named = app.ok(Method::POST, "/api/v1/tokens", &here, Some(json!({"label": "报表脚本"}))).await["token"].as_str().unwrap().to_string();
        let path = "/api/v1/me/password";
        let change = |current: &str, new: &str| Some(json!({"current_password": current, "new_password": new}));
        app.refused(Method::PUT, path, &here, change("wrong-password-1", "Neues-Passwort-2026"), StatusCode::UNPROCESSABLE_ENTITY, "wrong_password").await;
        app.refused(Method::PUT, path, &here, change(DEMO_PASSWORD, "short1"), StatusCode::UNPROCESSABLE_ENTITY, "weak_password").await;
        app.refused(Method::PUT, path, &here, change(DEMO_PASSWORD, DEMO_PASSWORD), StatusCode::UNPROCESSABLE_ENTITY, "password_unchanged").await;
        let v = app.refused(Method::PUT, path, &here, change("wrong-password-1", "short1"), StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
        assert_eq!(v["fields"].as_array().unwrap().len(), 2, "every problem at once: {v}");
        app.refused(Method::PUT, path, &here, Some(json!({"new_password": "x"})), StatusCode::BAD_REQUEST, "invalid_json").await;
        let (status, _) = app.call(Method::PUT, path, Some(&here), change(DEMO_PASSWORD, "Neues-Passwort-2026")).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        // The session it was changed from goes on; every other session and token of the user has ended.
        assert_eq!(app.get("/api/v1/me", &here).await.0, StatusCode::OK);
        for ended in [&elsewhere, &named] {
            app.refused(Method::GET, "/api/v1/me", ended, None, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        }
        assert_eq!(sign_in(&app, "jyj.purchaser", DEMO_PASSWORD).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(sign_in(&app, "jyj.purchaser", "Neues-Passwort-2026").await.0, StatusCode::CREATED);
        let (events, log) = audited(&app, "user.password_change").await;
        assert_eq!(events.len(), 1);
        assert_eq!((events[0].actor_name.as_str(), events[0].object_id.as_str()), ("jyj.purchaser", "jyj.purchaser"));
        assert_eq!(events[0].after["sessions_ended"], 2);
        assert!(!log.contains("Neues-Passwort-2026") && !log.contains("argon2"), "no password or hash in the log");
        // Signed out, nobody changes anything.
        let (status, _) = app.call(Method::PUT, path, None, change("Neues-Passwort-2026", "Drittes-Passwort-1")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    async fn administrators_disable_enable_and_reset_users(backend) {
        let app = TestApp::with_demo(backend).await;
        let admin = app.token("admin").await;
        let provider = app.token("p.yg").await;
        let id = user_id(&app, "p.yg").await;
        let reason = Some(json!({"reason": "调离本单位"}));
        // Only administrators, never on their own account, always with a reason.
        let other = app.token("mzj.reviewer").await;
        for act in ["disable", "enable", "password-reset"] {
            let path = format!("/api/v1/users/{id}/{act}");
            app.refused(Method::POST, &path, &other, reason.clone(), StatusCode::FORBIDDEN, "forbidden").await;
            let own = format!("/api/v1/users/{}/{act}", user_id(&app, "admin").await);
            app.refused(Method::POST, &own, &admin, reason.clone(), StatusCode::CONFLICT, "own_account").await;
            app.refused(Method::POST, &path, &admin, Some(json!({"reason": " "})), StatusCode::UNPROCESSABLE_ENTITY, "reason_required").await;
        }
        app.refused(Method::POST, "/api/v1/users/999999/disable", &admin, reason.clone(), StatusCode::NOT_FOUND, "not_found").await;

        // Disabled: the provider's token stops at once, and the right password no longer signs in.
        let disabled = app.ok(Method::POST, &format!("/api/v1/users/{id}/disable"), &admin, reason.clone()).await;
        assert_eq!(disabled["active"], false);
        app.refused(Method::GET, "/api/v1/me", &provider, None, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        let (status, body) = sign_in(&app, "p.yg", DEMO_PASSWORD).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("account_disabled")), "{body}");
        let (status, body) = sign_in(&app, "p.yg", "wrong-password-1").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_credentials")), "a wrong password says no more");
        app.refused(Method::POST, &format!("/api/v1/users/{id}/disable"), &admin, reason.clone(), StatusCode::CONFLICT, "user_already_disabled").await;

        // Enabled again: signing in works; the old token stays ended.
        let enabled = app.ok(Method::POST, &format!("/api/v1/users/{id}/enable"), &admin, Some(json!({"reason": "复岗"}))).await;
        assert_eq!(enabled["active"], true);
        app.refused(Method::POST, &format!("/api/v1/users/{id}/enable"), &admin, reason.clone(), StatusCode::CONFLICT, "user_already_active").await;
        assert_eq!(app.get("/api/v1/me", &provider).await.0, StatusCode::UNAUTHORIZED);
        let fresh = app.token("p.yg").await;

        // Reset: a temporary password, shown once; every session ends; the old password is gone.
        let reset = app.ok(Method::POST, &format!("/api/v1/users/{id}/password-reset"), &admin, Some(json!({"reason": "本人忘记密码"}))).await;
        let temporary = reset["temporary_password"].as_str().unwrap().to_string();
        assert!(temporary.len() >= 10 && reset["must_change_password"] == true, "{reset}");
        assert_eq!(app.get("/api/v1/me", &fresh).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(sign_in(&app, "p.yg", DEMO_PASSWORD).await.0, StatusCode::UNAUTHORIZED);
        let (status, body) = sign_in(&app, "p.yg", &temporary).await;
        assert_eq!((status, &body["must_change_password"]), (StatusCode::CREATED, &json!(true)), "{body}");
        let must_change = body["token"].as_str().unwrap().to_string();
        // With the temporary password a user can do nothing but change it.
        assert_eq!(app.get("/api/v1/me", &must_change).await.1["must_change_password"], true);
        for path in ["/api/v1/projects", "/api/v1/queue", "/api/v1/tokens", "/api/v1/organisations"] {
            app.refused(Method::GET, path, &must_change, None, StatusCode::FORBIDDEN, "password_change_required").await;
        }
        app.refused(Method::POST, "/api/v1/tokens", &must_change, Some(json!({"label": "绕过"})), StatusCode::FORBIDDEN, "password_change_required").await;
        let (status, _) = app.call(Method::PUT, "/api/v1/me/password", Some(&must_change), Some(json!({"current_password": temporary, "new_password": "Mein-Passwort-2026"}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(app.get("/api/v1/projects", &must_change).await.0, StatusCode::OK);
        assert_eq!(app.get("/api/v1/me", &must_change).await.1["must_change_password"], false);
        assert_eq!(sign_in(&app, "p.yg", &temporary).await.0, StatusCode::UNAUTHORIZED, "the temporary password is gone");

        // All of it audited, by the administrator, with reasons; never the temporary password.
        let (log_disable, log) = audited(&app, "user.disable").await;
        assert_eq!(log_disable.len(), 1);
        assert_eq!((log_disable[0].actor_name.as_str(), log_disable[0].object_id.as_str()), ("admin", "p.yg"));
        assert_eq!(log_disable[0].after["reason"], "调离本单位");
        assert_eq!(audited(&app, "user.enable").await.0[0].after["reason"], "复岗");
        let resets = audited(&app, "user.password_reset").await.0;
        assert_eq!((resets.len(), resets[0].after["reason"].as_str()), (1, Some("本人忘记密码")));
        assert!(!log.contains(&temporary));
    }

    async fn passwords_are_managed_through_the_pages(backend) {
        let app = TestApp::with_demo(backend).await;
        let admin = page_cookie(&app, "admin").await;
        let id = user_id(&app, "p.yg").await;
        let (status, html) = page(&app, "/admin/users", &admin).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!(r#"href="/admin/users/{id}""#)), "each user links to their page");
        // Filtered and paged as the API is: the same users, a page at a time.
        let token = app.token("admin").await;
        let org = app.org_id("mzj").await;
        let api: Vec<i64> = app.all(&format!("/api/v1/users?role=purchaser&org={org}"), Some(&token)).await.iter().map(|u| u["id"].as_i64().unwrap()).collect();
        assert!(!api.is_empty());
        let (status, html) = page(&app, &format!("/admin/users?role=purchaser&org={org}"), &admin).await;
        assert_eq!(status, StatusCode::OK);
        let listed = html.matches(r#"<td data-label="用户名"><a href="/admin/users/"#).count();
        assert_eq!(listed, api.len(), "the page lists what the API lists");
        assert!(html.contains(r#"<option value="purchaser" selected>"#), "the filter is shown");
        let (_, html) = page(&app, "/admin/users?limit=1", &admin).await;
        assert!(html.contains("/admin/users?limit=1&amp;cursor="), "a next page");
        let (status, _) = page(&app, "/admin/users?role=nobody", &admin).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, html) = page(&app, &format!("/admin/users/{id}"), &admin).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("停用账户") && html.contains("重置密码"), "{html}");
        let csrf = csrf_of(&html);
        let post = |path: String, cookie: String, fields: Vec<(&'static str, String)>| {
            let app = &app;
            async move {
                let resp = app.client.post(format!("{}{path}", app.base)).header("cookie", cookie).form(&fields).send().await.unwrap();
                let (status, location) = (resp.status(), resp.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_string()));
                (status, location, resp.text().await.unwrap())
            }
        };
        // A reset without a reason is answered beside the field; with one, the temporary password is shown once.
        let (status, _, html) = post(format!("/admin/users/{id}/reset-password"), admin.clone(), vec![("_csrf", csrf.clone()), ("reason", String::new()), ("confirm", "yes".into())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("请填写原因") && html.contains("field--error"), "{html}");
        // The old password cannot be brought back: the reset asks for a confirmation.
        let (status, _, html) = post(format!("/admin/users/{id}/reset-password"), admin.clone(), vec![("_csrf", csrf.clone()), ("reason", String::new())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("请勾选确认") && html.contains("请填写原因"), "every problem at once: {html}");
        let (status, _, html) = post(format!("/admin/users/{id}/reset-password"), admin.clone(), vec![("_csrf", "x".into()), ("reason", "忘记密码".into()), ("confirm", "yes".into())]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a form without the session's token does nothing: {html}");
        let (status, _, html) = post(format!("/admin/users/{id}/reset-password"), admin.clone(), vec![("_csrf", csrf.clone()), ("reason", "忘记密码".into()), ("confirm", "yes".into())]).await;
        assert_eq!(status, StatusCode::OK);
        let start = html.find(r#"<p class="hash">"#).expect("the temporary password is shown") + r#"<p class="hash">"#.len();
        let temporary = html[start..].split('<').next().unwrap().to_string();
        assert!(html.contains("须修改密码"));

        // Signing in with it leads to the password page, and nowhere else until it is changed.
        let resp = form_sign_in_from(&app, None, "p.yg", &temporary, "/projects").await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()[LOCATION], "/account/password");
        let provider = session_cookie_of(&resp);
        for path in ["/", "/projects", "/account", "/notices"] {
            let resp = app.client.get(format!("{}{path}", app.base)).header("cookie", &provider).send().await.unwrap();
            assert_eq!((resp.status(), resp.headers().get(LOCATION).map(|l| l.to_str().unwrap())), (StatusCode::SEE_OTHER, Some("/account/password")), "{path}");
        }
        let (status, html) = page(&app, "/account/password", &provider).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("临时密码"), "{html}");
        let csrf_p = csrf_of(&html);
        let (status, _, html) = post("/account/password".into(), provider.clone(), vec![("_csrf", csrf_p.clone()), ("current_password", temporary.clone()), ("new_password", "Mein-Passwort-2026".into()), ("confirm_password", "Mein-Passwort-2027".into())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("两次输入的新密码不一致"), "{html}");
        let (status, location, _) = post("/account/password".into(), provider.clone(), vec![("_csrf", csrf_p.clone()), ("current_password", temporary.clone()), ("new_password", "Mein-Passwort-2026".into()), ("confirm_password", "Mein-Passwort-2026".into())]).await;
        assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/account?password=changed")));
        let (status, html) = page(&app, "/account?password=changed", &provider).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("密码已修改"));
        assert_eq!(page(&app, "/projects", &provider).await.0, StatusCode::OK);

        // Disabled through the page: the provider's session ends at once.
        let (status, location, _) = post(format!("/admin/users/{id}/disable"), admin.clone(), vec![("_csrf", csrf.clone()), ("reason", "调离".into())]).await;
        assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(format!("/admin/users/{id}"))));
        let resp = app.client.get(format!("{}/account", app.base)).header("cookie", &provider).send().await.unwrap();
        assert!(resp.headers()[LOCATION].to_str().unwrap().starts_with("/sign-in"), "signed out");
        let resp = form_sign_in_from(&app, None, "p.yg", "Mein-Passwort-2026", "/").await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        assert!(resp.text().await.unwrap().contains("该账户已停用"));
        let (_, html) = page(&app, &format!("/admin/users/{id}"), &admin).await;
        assert!(html.contains("重新启用"));
        let (status, _, _) = post(format!("/admin/users/{id}/enable"), admin.clone(), vec![("_csrf", csrf.clone()), ("reason", "复岗".into())]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(form_sign_in_from(&app, None, "p.yg", "Mein-Passwort-2026", "/").await.status(), StatusCode::SEE_OTHER);

        // Anyone changes their own password from the account page; others may not use the admin page.
        let purchaser = page_cookie(&app, "jyj.purchaser").await;
        let (_, html) = page(&app, "/account", &purchaser).await;
        assert!(html.contains(r#"href="/account/password""#));
        assert_eq!(page(&app, &format!("/admin/users/{id}"), &purchaser).await.0, StatusCode::FORBIDDEN);
        let (_, html) = page(&app, "/account/password", &purchaser).await;
        let (status, _, html) = post("/account/password".into(), purchaser.clone(), vec![("_csrf", csrf_of(&html)), ("current_password", "nope-nope-1".into()), ("new_password", "Neues-Passwort-2026".into()), ("confirm_password", "Neues-Passwort-2026".into())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("当前密码不正确"), "{html}");
    }
}
