//! The service users' satisfaction survey: codes issued by the project's purchaser or provider and kept only as
//! keyed hashes, answered once per code and period without an account, counted for the project and published in
//! total once there are enough answers.

use crate::both_backends;
use crate::helpers::*;
use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shanzhi_domain::clock::Clock;

/// The demo's running project of `purchaser`: at the acceptance step.
async fn running(app: &TestApp, purchaser: &str) -> i64 {
    let token = app.token(purchaser).await;
    let items = app.all("/api/v1/projects?step=acceptance", Some(&token)).await;
    items[0]["id"].as_i64().unwrap()
}

fn happy() -> Value {
    json!({"satisfaction": "very_satisfied", "on_time": true, "recommend": true})
}

both_backends! {
    async fn a_code_answers_once_a_period_without_an_account_and_is_kept_only_as_a_hash(backend) {
        let app = TestApp::with_demo(backend).await;
        let id = running(&app, "jyj.purchaser").await;
        let purchaser = app.token("jyj.purchaser").await;
        let path = format!("/api/v1/projects/{id}/survey-codes");
        for count in [0, 201] {
            app.refused(Method::POST, &path, &purchaser, Some(json!({"count": count})), StatusCode::UNPROCESSABLE_ENTITY, "out_of_range").await;
        }
        let other = app.token("mzj.purchaser").await;
        app.refused(Method::POST, &path, &other, Some(json!({"count": 3})), StatusCode::NOT_FOUND, "not_found").await;
        let (status, issued) = app.call(Method::POST, &path, Some(&purchaser), Some(json!({"count": 6}))).await;
        assert_eq!(status, StatusCode::CREATED, "{issued}");
        let codes: Vec<String> = issued["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
        assert_eq!(codes.len(), 6);
        assert!(issued["links"][0].as_str().unwrap().ends_with(&format!("/surveys/{}", codes[0])));
        // Only keyed hashes are kept: no code appears in the database.
        let tags: Vec<(String,)> = sqlx::query_as("SELECT tag FROM survey_codes").fetch_all(app.store.pool()).await.unwrap();
        assert_eq!(tags.len(), 6);
        assert!(tags.iter().all(|(t,)| codes.iter().all(|c| !t.contains(c.as_str()))));

        // Without an account: what the code opens, then one answer in this period.
        let code = &codes[0];
        let (status, view) = app.call(Method::GET, &format!("/api/v1/surveys/{code}"), None, None).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!((view["project_id"].as_i64(), view["answered"].as_bool()), (Some(id), Some(false)));
        let (status, bad) = app.call(Method::GET, "/api/v1/surveys/NOT-A-CODE", None, None).await;
        assert_eq!((status, bad["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_code")));
        let (status, _) = app.call(Method::GET, "/api/v1/surveys/ABCDEFGHJK", None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "an unknown code is not found");
        let url = format!("/api/v1/surveys/{code}");
        let (status, body) = app.call(Method::POST, &url, None, Some(json!({"satisfaction": "great", "on_time": true, "recommend": true}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_value")), "{body}");
        let (status, body) = app.call(Method::POST, &url, None, Some(happy())).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["answered"], true);
        let (status, body) = app.call(Method::POST, &format!("/api/v1/surveys/{}", code.to_lowercase()), None, Some(happy())).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("already_answered")), "typed in lower case, the same code");

        // The next period: the same code answers again.
        let view = app.call(Method::GET, &url, None, None).await.1;
        let project = app.ok(Method::GET, &format!("/api/v1/projects/{id}"), &purchaser, None).await;
        let due = project["contract"]["milestones"][view["period"].as_u64().unwrap() as usize]["due"].as_str().unwrap().to_string();
        let milestones = project["contract"]["milestones"].as_array().unwrap().len();
        if (view["period"].as_u64().unwrap() as usize) + 1 < milestones {
            let due = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").unwrap();
            let days = (due - shanzhi_domain::clock::china_date(app.clock.now())).num_days() + 1;
            app.clock.advance(Duration::days(days));
            let (status, body) = app.call(Method::POST, &url, None, Some(happy())).await;
            assert_eq!(status, StatusCode::CREATED, "a new period: {body}");
        }

        // Counted for the project; published only from the fifth answer on.
        let counted = app.ok(Method::GET, &format!("/api/v1/projects/{id}/survey"), &purchaser, None).await;
        assert!(counted["answers"].as_u64().unwrap() >= 1, "{counted}");
        assert_eq!(counted["satisfied_percent"], "100");
        let public = |app: &TestApp| {
            let url = format!("{}/projects/{id}?t={}", app.base, app.clock.now().timestamp());
            let client = app.client.clone();
            async move { client.get(url).send().await.unwrap().text().await.unwrap() }
        };
        assert!(!public(&app).await.contains("survey-tally"), "too few answers to publish");
        for code in &codes[1..5] {
            let body = json!({"satisfaction": "fair", "on_time": false, "recommend": true});
            let (status, _) = app.call(Method::POST, &format!("/api/v1/surveys/{code}"), None, Some(body)).await;
            assert_eq!(status, StatusCode::CREATED);
        }
        let page = public(&app).await;
        assert!(page.contains("survey-tally"), "published in total");
        assert!(codes.iter().all(|c| !page.contains(c.as_str())));
        // The audit chain records each answer without its code, and verifies.
        let (_, events) = app.call(Method::GET, "/api/v1/audit/events?after=0&limit=1000", None, None).await;
        let events = events.as_array().unwrap().clone();
        let answers: Vec<&Value> = events.iter().filter(|e| e["action"] == "survey.answer").collect();
        assert!(answers.len() >= 5);
        let text = serde_json::to_string(&events).unwrap();
        assert!(codes.iter().all(|c| !text.contains(c.as_str())), "no code in the audit chain");
        let (code, _) = app.verify_cli(None);
        assert_eq!(code, 0);
    }

    async fn the_survey_opens_only_while_the_service_runs(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("mzj.purchaser").await;
        let done = app.all("/api/v1/projects?step=completed", Some(&purchaser)).await;
        let id = done[0]["id"].as_i64().unwrap();
        app.refused(Method::POST, &format!("/api/v1/projects/{id}/survey-codes"), &purchaser, Some(json!({"count": 1})), StatusCode::CONFLICT, "survey_closed").await;
        // The provider of a running project may issue codes too; a reviewer may not.
        let id = running(&app, "jyj.purchaser").await;
        let provider = app.token("p.qm").await;
        let (status, body) = app.call(Method::POST, &format!("/api/v1/projects/{id}/survey-codes"), Some(&provider), Some(json!({"count": 1}))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let reviewer = app.token("czj.reviewer").await;
        let (status, _) = app.call(Method::POST, &format!("/api/v1/projects/{id}/survey-codes"), Some(&reviewer), Some(json!({"count": 1}))).await;
        assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "{status}");

        // The pages: the printable sheet of QR codes, the questionnaire, the code typed by hand.
        let cookie = page_cookie(&app, "jyj.purchaser").await;
        let (_, project_page) = page(&app, &format!("/projects/{id}"), &cookie).await;
        let csrf = csrf_of(&project_page);
        let resp = app
            .client
            .post(format!("{}/projects/{id}/survey-codes", app.base))
            .header("cookie", &cookie)
            .form(&[("_csrf", csrf.as_str()), ("count", "2")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["cache-control"], "no-store");
        let sheet = resp.text().await.unwrap();
        assert_eq!(sheet.matches("<svg class=\"qr\"").count(), 2, "two QR codes");
        let code = sheet.split("survey-card__code\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        assert_eq!(code.len(), 11, "shown in two groups of five: {code}");
        let form = app.client.get(format!("{}/surveys/{code}", app.base)).send().await.unwrap();
        assert_eq!(form.headers()["cache-control"], "no-store");
        assert!(form.text().await.unwrap().contains("name=\"satisfaction\""));
        let answered = app
            .client
            .post(format!("{}/surveys/{code}", app.base))
            .form(&[("satisfaction", "satisfied"), ("on_time", "yes")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(answered.contains("survey-answered"));
        let typed = app
            .client
            .post(format!("{}/surveys", app.base))
            .form(&[("code", code.to_lowercase().as_str())])
            .send()
            .await
            .unwrap();
        let to = typed.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(to, format!("/surveys/{}", code.replace('-', "")), "the code in its one written form");
    }
}
