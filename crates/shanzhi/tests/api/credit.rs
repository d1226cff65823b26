//! Credit records and blacklisting: finance bars a provider for one to three years (政府采购法 §77), the bar is
//! public on its record and page, and a barred provider is refused at every point where it could take part or win
//! — registering interest, bidding, a direct award, signing (the award from a procurement in the domain's tests).

use crate::both_backends;
use crate::helpers::*;
use crate::procurement::{approved_project, published_tender};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn decision(years: u32) -> serde_json::Value {
    json!({"years": years, "reason": "在2025年项目投标中提供虚假的社工资格证书，经查证属实"})
}

both_backends! {
    async fn a_barred_provider_is_refused_wherever_it_would_take_part(backend) {
        let app = TestApp::with_demo(backend).await;
        let finance = app.token("czj.reviewer").await;
        let (yg, ll) = (app.org_id("yg").await, app.org_id("ll").await);
        let path = |id: i64| format!("/api/v1/providers/{id}/blacklistings");
        // Who decides, for how long and why.
        let purchaser = app.token("mzj.purchaser").await;
        app.refused(Method::POST, &path(yg), &purchaser, Some(decision(1)), StatusCode::FORBIDDEN, "forbidden").await;
        for years in [0, 4] {
            let (status, body) = app.call(Method::POST, &path(yg), Some(&finance), Some(decision(years))).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["fields"][0]["field"], "years");
        }
        let (status, body) = app.call(Method::POST, &path(yg), Some(&finance), Some(json!({"years": 1, "reason": "违规"}))).await;
        assert_eq!((status, body["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
        app.refused(Method::POST, &path(999_999), &finance, Some(decision(1)), StatusCode::NOT_FOUND, "not_found").await;
        let mzj = app.org_id("mzj").await;
        let (status, body) = app.call(Method::POST, &path(mzj), Some(&finance), Some(decision(1))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("provider_ineligible")));
        assert!(app.call(Method::GET, &format!("/api/v1/providers/{yg}/credit"), None, None).await.1["barred_until"].is_null());

        let (status, made) = app.call(Method::POST, &path(yg), Some(&finance), Some(decision(2))).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let (status, made_ll) = app.call(Method::POST, &path(ll), Some(&finance), Some(decision(1))).await;
        assert_eq!(status, StatusCode::CREATED, "{made_ll}");
        // The record is public: the bar, the decision, and the page says so.
        let (status, record) = app.call(Method::GET, &format!("/api/v1/providers/{yg}/credit"), None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(record["barred_until"], made["until"]);
        assert_eq!(record["blacklistings"].as_array().unwrap().len(), 1);
        let page = app.client.get(format!("{}/providers/{yg}?after", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("id=\"barred\"") && page.contains("虚假的社工资格证书"));

        // Signing with a barred provider: the demo's project awaiting its contract with ll.
        let contract_step = app.all("/api/v1/projects?step=contract", Some(&purchaser)).await;
        let waiting = contract_step.iter().find(|p| p["provider_org_id"] == ll).expect("a project awarded to ll");
        let id = waiting["id"].as_i64().unwrap();
        let p = app.ok(Method::GET, &format!("/api/v1/projects/{id}"), &purchaser, None).await;
        let today = shanzhi_domain::clock::china_date(shanzhi_domain::clock::Clock::now(&app.clock));
        let start = today.max(chrono::NaiveDate::parse_from_str(p["design"]["period_start"].as_str().unwrap(), "%Y-%m-%d").unwrap());
        let end = shanzhi_domain::project::term_last_day(start, 12);
        let body = json!({
            "amount": p["award"]["amount"], "start": start.to_string(), "end": end.to_string(),
            "signed_on": today.to_string(),
            "milestones": [{"name": "全期", "share": "100", "due": end.to_string()}]
        });
        let (status, refused) = app.call(Method::POST, &format!("/api/v1/projects/{id}/contract"), Some(&purchaser), Some(body)).await;
        assert_eq!(refused["code"], "provider_barred", "{status}: {refused}");
        assert_eq!(app.ok(Method::GET, &format!("/api/v1/projects/{id}"), &purchaser, None).await["status"], "contract");

        // A direct award to a barred provider.
        let project = approved_project(&app, "困境儿童关爱服务（信用测试）").await;
        let jyj = app.token("jyj.purchaser").await;
        let award = json!({"provider_org_id": yg, "justification": "该机构长期在本地开展同类服务，经验丰富"});
        let (_, refused) = app.call(Method::POST, &format!("/api/v1/projects/{project}/award"), Some(&jyj), Some(award)).await;
        assert_eq!(refused["code"], "provider_barred", "{refused}");

        // Taking part in a tender: interest, questions and bids are refused.
        let tender = approved_project(&app, "留守儿童课后陪伴服务（信用测试）").await;
        let id = published_tender(&app, tender).await;
        let bidder = app.token("p.yg").await;
        let (_, refused) = app.call(Method::POST, &format!("/api/v1/procurements/{id}/interest"), Some(&bidder), None).await;
        assert_eq!(refused["code"], "provider_barred", "{refused}");
        let bid = json!({"price": "70000.00", "proposal": "每周三次入户陪伴", "small_or_micro": false});
        let (_, refused) = app.call(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), Some(&bidder), Some(bid)).await;
        assert_eq!(refused["code"], "provider_barred", "{refused}");
        // Another provider takes part as before.
        let other = app.token("p.hx").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/interest"), &other, None).await;
        let (code, _) = app.verify_cli(None);
        assert_eq!(code, 0);
    }

    async fn the_record_counts_service_reports_filed_late_and_rejected(backend) {
        let app = TestApp::with_demo(backend).await;
        let admin = app.token("admin").await;
        // A report waiting for the purchaser's decision at acceptance.
        let mut waiting = None;
        for listed in app.all("/api/v1/projects?step=acceptance", Some(&admin)).await {
            let id = listed["id"].as_i64().unwrap();
            let p = app.ok(Method::GET, &format!("/api/v1/projects/{id}"), &admin, None).await;
            let reported = p["contract"]["milestones"].as_array().and_then(|ms| ms.iter().position(|m| m["status"] == "reported"));
            if let Some(n) = reported {
                waiting = Some((id, n, p));
                break;
            }
        }
        let (id, n, p) = waiting.expect("a project whose report waits for the purchaser's decision");
        let provider = p["award"]["provider"]["org_id"].as_i64().unwrap();
        let credit = format!("/api/v1/providers/{provider}/credit");
        let before = app.call(Method::GET, &credit, None, None).await.1;
        // The record is what the provider's projects' own records say, summed in the database.
        let mut expected = shanzhi_domain::project::ReportRecord::default();
        for q in app.store.projects().await.unwrap().iter().filter(|q| q.award.as_ref().is_some_and(|a| a.provider.org_id == provider)) {
            let r = q.report_record();
            expected.late += r.late;
            expected.rejected += r.rejected;
        }
        assert_eq!((before["reports_late"].as_u64(), before["reports_rejected"].as_u64()), (Some(u64::from(expected.late)), Some(u64::from(expected.rejected))));
        let purchaser = app.store.organisation(p["purchaser_org_id"].as_i64().unwrap()).await.unwrap().unwrap();
        let decider = app.store.users().await.unwrap().into_iter()
            .find(|u| u.org_id == purchaser.id && u.roles.contains(&shanzhi_domain::org::Role::Purchaser)).expect("a purchaser").username;
        let token = app.token(&decider).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/milestones/{n}/decision"), &token,
            Some(json!({"decision": "reject", "reason": "缺少服务对象签到表"}))).await;
        let after = app.call(Method::GET, &credit, None, None).await.1;
        assert_eq!(after["reports_rejected"].as_i64(), before["reports_rejected"].as_i64().map(|r| r + 1), "{after}");
        assert_eq!(after["reports_late"], before["reports_late"]);
        let page = app.client.get(format!("{}/providers/{provider}", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("验收未通过的服务报告"));
    }
}
