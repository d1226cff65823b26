//! Bad input gets a 4xx with a stable code and messages in both languages; nothing half-written.

use crate::both_backends;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends! {
    async fn malformed_requests_answer_json_errors(backend) {
        let app = TestApp::with_demo(backend).await;
        let t = app.token("jyj.purchaser").await;
        let resp = app.client.post(format!("{}/api/v1/projects", app.base)).bearer_auth(&t)
            .header("content-type", "application/json").body("{not json").send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let v: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(v["code"], "invalid_json");
        let v = app.refused(Method::POST, "/api/v1/projects", &t, Some(json!({"title": 5})), StatusCode::BAD_REQUEST, "invalid_json").await;
        let zh = v["message"].as_str().unwrap();
        assert!(zh.contains("字段 title") && !zh.contains("invalid type"), "the Chinese message names the field in Chinese: {zh}");
        assert!(v["message_en"].as_str().unwrap().contains("invalid type"), "{v}");
        app.refused(Method::GET, "/api/v1/projects/abc", &t, None, StatusCode::BAD_REQUEST, "bad_request").await;
        app.refused(Method::GET, "/api/v1/no-such-thing", &t, None, StatusCode::NOT_FOUND, "not_found").await;
        app.refused(Method::DELETE, "/api/v1/projects", &t, None, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
        app.refused(Method::GET, "/api/v1/projects/999999", &t, None, StatusCode::NOT_FOUND, "not_found").await;
    }

    async fn invalid_designs_list_every_field(backend) {
        let app = TestApp::with_demo(backend).await;
        let t = app.token("jyj.purchaser").await;
        let before = app.store.projects().await.unwrap().len();
        let mut d = design("");
        d["regions"] = json!(["999"]);
        d["target_groups"] = json!(["aliens"]);
        d["period_start"] = json!("2026-13-01");
        let v = app.refused(Method::POST, "/api/v1/projects", &t, Some(d), StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
        let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["regions[0]", "target_groups[0]", "period_start", "title"], "parse and rule problems together, one per field");
        let mut d = design("  ");
        d["period_end"] = json!("2028-01-01");
        let v = app.refused(Method::POST, "/api/v1/projects", &t, Some(d), StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
        let codes: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert_eq!(codes, vec!["required", "period_too_long"]);
        // The same place twice is refused at its second mention; a township with its village is two places.
        let mut d = design("重复区划");
        d["regions"] = json!(["420506001", "420506001002", "420506001"]);
        let v = app.refused(Method::POST, "/api/v1/projects", &t, Some(d), StatusCode::UNPROCESSABLE_ENTITY, "duplicate_region").await;
        assert_eq!((v["fields"][0]["field"].as_str(), v["fields"][0]["code"].as_str()), (Some("regions[2]"), Some("duplicate_region")), "{v}");
        assert_eq!(v["fields"].as_array().unwrap().len(), 1, "{v}");
        assert_eq!(app.store.projects().await.unwrap().len(), before, "nothing half-written");
    }

    async fn invalid_money_and_contracts_are_refused(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("mzj.purchaser").await;
        // The demo's project waiting for its cost estimate.
        let projects = app.all("/api/v1/projects", Some(&purchaser)).await;
        let at_cost = projects.iter().find(|p| p["status"] == "cost_estimate").unwrap()["id"].as_i64().unwrap();
        for (line, code) in [
            (json!({"kind": "personnel", "item": "x", "quantity": "1", "unit": "人", "unit_price": "-5"}), "negative_amount"),
            (json!({"kind": "personnel", "item": "x", "quantity": "1", "unit": "人", "unit_price": "1.005"}), "too_many_decimals"),
            (json!({"kind": "bribes", "item": "x", "quantity": "1", "unit": "人", "unit_price": "5"}), "unknown_value"),
            (json!({"kind": "personnel", "item": "x", "quantity": "0", "unit": "人", "unit_price": "5"}), "quantity_not_positive"),
        ] {
            app.refused(Method::PUT, &format!("/api/v1/projects/{at_cost}/cost-estimate"), &purchaser, Some(json!({"lines": [line]})), StatusCode::UNPROCESSABLE_ENTITY, code).await;
        }
        let contract_step = projects.iter().find(|p| p["status"] == "contract").unwrap();
        let cid = contract_step["id"].as_i64().unwrap();
        let total = contract_step["total"].as_str().unwrap();
        let over = format!("{}.01", total.split('.').next().unwrap());
        let base = json!({"amount": total, "start": "2026-04-01", "end": "2027-03-31", "signed_on": "2026-03-02",
            "milestones": [{"name": "全年", "share": "100", "due": "2027-03-31"}]});
        let cases = [
            ("amount", json!(over), "contract_exceeds_estimate"),
            ("end", json!("2027-04-01"), "contract_term_too_long"),
            ("signed_on", json!("2026-03-03"), "signed_on_out_of_range"),
            ("milestones", json!([{"name": "中期", "share": "50", "due": "2026-09-30"}, {"name": "终期", "share": "49.99", "due": "2027-03-31"}]), "milestones_not_hundred_percent"),
            ("start", json!("01/04/2026"), "invalid_date"),
        ];
        for (field, value, code) in cases {
            let mut body = base.clone();
            body[field] = value;
            app.refused(Method::POST, &format!("/api/v1/projects/{cid}/contract"), &purchaser, Some(body), StatusCode::UNPROCESSABLE_ENTITY, code).await;
        }
        assert_eq!(app.get(&format!("/api/v1/projects/{cid}"), &purchaser).await.1["status"], "contract");
    }

    async fn uploads_are_checked(backend) {
        let app = TestApp::with_demo(backend).await;
        let t = app.token("p.yg").await;
        for (name, bytes, code) in [("x.exe", b"MZ\x90\x00".to_vec(), "file_type_not_allowed"), ("x.pdf", b"not a pdf".to_vec(), "file_type_not_allowed"), ("x.pdf", vec![], "file_empty")] {
            let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
            let resp = app.client.post(format!("{}/api/v1/files", app.base)).bearer_auth(&t)
                .multipart(reqwest::multipart::Form::new().part("file", part)).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let v: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(v["code"], code);
        }
        let expert = app.token("expert.xiang").await;
        let part = reqwest::multipart::Part::bytes(b"%PDF-1.4".to_vec()).file_name("a.pdf");
        let resp = app.client.post(format!("{}/api/v1/files", app.base)).bearer_auth(&expert)
            .multipart(reqwest::multipart::Form::new().part("file", part)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    }
}
