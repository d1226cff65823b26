//! Performance targets at design time: each with its dimension, a positive target, a unit, a weight and a
//! scoring rule, the weights adding up to 100 — refused field by field otherwise, on the API and the form — and
//! targets designed before weights read with their group's dimension and no weight.

use crate::both_backends;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn with_targets(targets: Value) -> Value {
    let mut d = design("绩效目标测试项目");
    d["targets"] = targets;
    d
}

both_backends! {
    async fn targets_are_saved_with_their_dimension_weight_and_rule(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let d = with_targets(json!([
            {"indicator": "服务儿童人数", "group": "output", "dimension": "quantity", "target": "200", "unit": "人", "weight": 50},
            {"indicator": "平均响应时间", "group": "output", "dimension": "timeliness", "target": "2.5", "unit": "天", "weight": 20, "rule": "at_most"},
            {"indicator": "家长满意度", "group": "satisfaction", "target": "90", "unit": "%", "weight": 30, "rule": "reached"}
        ]));
        let p = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(d)).await;
        let (_, p) = app.get(&format!("/api/v1/projects/{}", p["id"]), &purchaser).await;
        let t = &p["design"]["targets"];
        assert_eq!((t[0]["dimension"].as_str(), t[0]["weight"].as_u64(), t[0]["rule"].as_str()), (Some("quantity"), Some(50), Some("at_least")));
        assert_eq!((t[1]["dimension"].as_str(), t[1]["rule"].as_str()), (Some("timeliness"), Some("at_most")));
        // Left out, the dimension is the group's first.
        assert_eq!((t[2]["dimension"].as_str(), t[2]["rule"].as_str()), (Some("satisfaction"), Some("reached")));
        // The demo's projects have weights that add up to 100 each.
        let admin = app.token("admin").await;
        for item in app.all("/api/v1/projects?limit=200", Some(&admin)).await.iter().take(10) {
            let (_, p) = app.get(&format!("/api/v1/projects/{}", item["id"]), &admin).await;
            let sum: u64 = p["design"]["targets"].as_array().unwrap().iter().map(|t| t["weight"].as_u64().unwrap()).sum();
            assert_eq!(sum, 100, "{}", p["design"]["title"]);
        }
    }

    async fn bad_targets_are_refused_field_by_field(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let t = |weight: u32| json!({"indicator": "服务儿童人数", "group": "output", "target": "200", "unit": "人", "weight": weight});
        let cases = [
            (json!([t(60), {"indicator": "满意度", "group": "satisfaction", "target": "90", "unit": "%", "weight": 30}]), "targets", "weights_not_100"),
            (json!([{"indicator": "服务儿童人数", "group": "output", "target": "不少于200", "unit": "人", "weight": 100}]), "targets[0].target", "invalid_target_value"),
            (json!([{"indicator": "服务儿童人数", "group": "output", "target": "0", "unit": "人", "weight": 100}]), "targets[0].target", "invalid_target_value"),
            (json!([{"indicator": "服务儿童人数", "group": "output", "dimension": "speed", "target": "2", "unit": "人", "weight": 100}]), "targets[0].dimension", "unknown_value"),
            (json!([{"indicator": "服务儿童人数", "group": "output", "dimension": "social", "target": "2", "unit": "人", "weight": 100}]), "targets[0].dimension", "invalid_parameter"),
            (json!([{"indicator": "服务儿童人数", "group": "output", "target": "2", "unit": "人", "weight": 100, "rule": "at_best"}]), "targets[0].rule", "unknown_value"),
            (json!([{"indicator": "服务儿童人数", "group": "output", "target": "2", "unit": "人"}]), "targets[0].weight", "weight_not_positive"),
            (json!([t(50), t(50)]), "targets[1].indicator", "duplicate_indicator"),
            (json!([{"indicator": "服务儿童人数", "group": "output", "target": "2", "unit": "", "weight": 100}]), "targets[0].unit", "required"),
        ];
        let before = app.all("/api/v1/projects?limit=200", Some(&purchaser)).await.len();
        for (targets, field, code) in cases {
            let (status, body) = app.call(Method::POST, "/api/v1/projects", Some(&purchaser), Some(with_targets(targets.clone()))).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{targets}: {body}");
            let fields = body["fields"].as_array().unwrap();
            assert!(fields.iter().any(|f| f["field"] == field && f["code"] == code), "{targets}: {body}");
            assert!(fields.iter().all(|f| !f["message"].as_str().unwrap().is_empty() && !f["message_en"].as_str().unwrap().is_empty()));
        }
        assert_eq!(app.all("/api/v1/projects?limit=200", Some(&purchaser)).await.len(), before, "nothing half-written");

        // The form shows the weights' error at the targets and keeps what was typed.
        let cookie = page_cookie(&app, "jyj.purchaser").await;
        let (_, form) = page(&app, "/projects/new", &cookie).await;
        assert!(form.contains("id=\"target_weight_0\"") && form.contains("id=\"target_rule_0\"") && form.contains("value=\"timeliness\""));
    }

    async fn the_form_fills_in_the_chosen_categorys_template_and_creates_nothing(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("jyj.purchaser").await;
        let before = app.all("/api/v1/projects?limit=200", Some(&purchaser)).await.len();
        let cookie = page_cookie(&app, "jyj.purchaser").await;
        let (_, form) = page(&app, "/projects/new", &cookie).await;
        assert!(form.contains("id=\"use-template\""));
        let csrf = form.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let resp = app
            .client
            .post(format!("{}/projects/new", app.base))
            .header("cookie", &cookie)
            .form(&[("_csrf", csrf.as_str()), ("title", "模板测试项目"), ("category", "A0101"), ("target_indicator_0", "旧指标"), ("use_template", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = resp.text().await.unwrap();
        let template = shanzhi_domain::evaluation::template("A0101");
        for (i, t) in template.iter().enumerate() {
            assert!(html.contains(&format!("name=\"target_indicator_{i}\"")) && html.contains(&t.indicator), "{}", t.indicator);
        }
        assert!(!html.contains("旧指标") && html.contains("value=\"模板测试项目\""), "the targets replaced, the rest kept");
        assert_eq!(app.all("/api/v1/projects?limit=200", Some(&purchaser)).await.len(), before, "nothing created");
    }
}
