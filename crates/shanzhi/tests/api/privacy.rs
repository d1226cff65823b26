//! Resident ID numbers are stored encrypted, shown masked, and never appear in responses or the audit log.

use crate::both_backends;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn seed_resident_id() -> String {
    let seed: serde_json::Value = serde_json::from_str(include_str!("../../src/demo/yiling.json")).unwrap();
    seed["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|o| o["resident_id"].as_str().map(String::from))
        .expect("the demo has an individual provider")
}

both_backends! {
    async fn resident_ids_never_leak(backend) {
        let app = TestApp::with_demo(backend).await;
        let id_number = seed_resident_id();
        let admin = app.token("admin").await;
        let orgs = app.all("/api/v1/organisations", Some(&admin)).await;
        let text = serde_json::to_string(&orgs).unwrap();
        assert!(!text.contains(&id_number[6..14]), "birth date digits must not appear");
        let individual = orgs.iter().find(|o| o["kind"] == "individual").unwrap();
        let masked = individual["resident_id_masked"].as_str().unwrap();
        assert_eq!(masked.chars().count(), 18);
        assert!(masked.contains("*************"));
        // Not in the audit log, not in plain text in the database; the store can still open it.
        let events = app.store.audit_events(0, 100_000).await.unwrap();
        assert!(!serde_json::to_string(&events).unwrap().contains(&id_number));
        let raw: Vec<String> = sqlx::query_scalar("SELECT resident_id_enc FROM organisations WHERE resident_id_enc IS NOT NULL")
            .fetch_all(app.store.pool()).await.unwrap();
        assert_eq!(raw.len(), 1);
        assert!(!raw[0].contains(&id_number));
        assert_eq!(app.store.reveal_resident_id(individual["id"].as_i64().unwrap()).await.unwrap().unwrap(), id_number);
    }

    async fn organisations_need_valid_identifiers(backend) {
        let app = TestApp::with_demo(backend).await;
        let admin = app.token("admin").await;
        let uscc = shanzhi_domain::ids::uscc_with_check(&format!("52420506{}", shanzhi_domain::ids::org_code_with_check("MJH12345").unwrap())).unwrap();
        let wrong_check = format!("{}{}", &uscc[..17], if uscc.ends_with('0') { '1' } else { '0' });
        let bad_uscc = json!({"key": "new.org", "name": "新社工机构", "kind": "social_organisation", "uscc": wrong_check});
        app.refused(Method::POST, "/api/v1/organisations", &admin, Some(bad_uscc), StatusCode::UNPROCESSABLE_ENTITY, "check_character_mismatch").await;
        let bad_id = json!({"key": "new.person", "name": "张三", "kind": "individual", "resident_id": "420506199001011234"});
        app.refused(Method::POST, "/api/v1/organisations", &admin, Some(bad_id), StatusCode::UNPROCESSABLE_ENTITY, "check_character_mismatch").await;
        let ok = json!({"key": "new.org", "name": "新社工机构", "kind": "social_organisation", "uscc": uscc, "region": "420506"});
        let created = app.ok(Method::POST, "/api/v1/organisations", &admin, Some(ok.clone())).await;
        assert_eq!(created["uscc"], uscc);
        app.refused(Method::POST, "/api/v1/organisations", &admin, Some(ok), StatusCode::CONFLICT, "already_exists").await;
    }
}
