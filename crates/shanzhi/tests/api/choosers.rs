//! Forms choose organisations and places without reading a province's registry: they offer the reader's home
//! place (its county and what lies under it) and take any other organisation by its credit code; the regions API
//! answers one level at a time. On both backends.

use crate::both_backends;
use crate::helpers::*;
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::json;
use shanzhi_domain::ids::{org_code_with_check, uscc_with_check};
use shanzhi_domain::org::{Region, RegionLevel};
use shanzhi_store::By;

/// A second county beside Yiling, with a township, and a verified provider registered there.
async fn another_county(app: &TestApp) -> (i64, String) {
    let by = By::system("test");
    for (code, name, level, parent) in
        [("420525", "远安县", RegionLevel::District, "4205"), ("420525100", "鸣凤镇", RegionLevel::Township, "420525")]
    {
        let region = Region { code: code.into(), name: name.into(), level, urban: false, parent: Some(parent.into()) };
        app.store.add_region(&by, &region, start_time()).await.unwrap();
    }
    let uscc = uscc_with_check(&format!("52420525{}", org_code_with_check("MJY00001").unwrap())).unwrap();
    let admin = app.token("admin").await;
    let org = json!({"key": "ya-sg", "name": "远安县鸣凤社会工作服务中心", "kind": "social_organisation", "uscc": uscc, "region": "420525100"});
    let created = app.ok(Method::POST, "/api/v1/organisations", &admin, Some(org)).await;
    (created["id"].as_i64().unwrap(), uscc)
}

/// A new project of the education bureau's, reviewed and at its procurement step.
async fn project_at_procurement(app: &TestApp) -> i64 {
    let purchaser = app.token("jyj.purchaser").await;
    let p = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(design("城区学校社会工作服务"))).await;
    let id = p["id"].as_i64().unwrap();
    app.ok(Method::POST, &format!("/api/v1/projects/{id}/finish-design"), &purchaser, None).await;
    app.ok(Method::PUT, &format!("/api/v1/projects/{id}/cost-estimate"), &purchaser, Some(cost_estimate())).await;
    app.fund(&purchaser, id).await;
    app.ok(Method::POST, &format!("/api/v1/projects/{id}/submit"), &purchaser, None).await;
    for reviewer in ["mzj.reviewer", "czj.reviewer"] {
        let t = app.token(reviewer).await;
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/review"), &t, Some(json!({"decision": "approve"}))).await;
    }
    id
}

both_backends! {
    async fn the_award_form_offers_local_providers_and_takes_any_other_by_its_code(backend) {
        let app = TestApp::with_demo(backend).await;
        let (far, far_code) = another_county(&app).await;
        let id = project_at_procurement(&app).await;
        let cookie = page_cookie(&app, "jyj.purchaser").await;
        let (status, html) = page(&app, &format!("/projects/{id}/award"), &cookie).await;
        assert_eq!(status, StatusCode::OK);
        let yg = app.org_id("yg").await;
        assert!(html.contains(&format!(r#"<option value="{yg}""#)), "a provider of Yiling is offered: {html}");
        assert!(!html.contains(&format!(r#"<option value="{far}""#)), "another county's is not listed");
        assert!(!html.contains(&format!(r#"value="{}""#, app.org_id("mzj").await)), "a department is no provider");
        assert!(html.contains(r#"name="provider_org_id_uscc""#), "{html}");

        let post = |fields: Vec<(&'static str, String)>| {
            let (app, cookie) = (&app, cookie.clone());
            async move {
                let resp = app.client.post(format!("{}/projects/{id}/award", app.base)).header("cookie", cookie).form(&fields).send().await.unwrap();
                let location = resp.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_string());
                (resp.status(), location, resp.text().await.unwrap())
            }
        };
        let csrf = csrf_of(&html);
        let fields = |code: &str| vec![
            ("_csrf", csrf.clone()),
            ("provider_org_id", String::new()),
            ("provider_org_id_uscc", code.to_string()),
            ("justification", "该机构在本市长期开展学校社工服务".into()),
            ("confirm", "yes".into()),
        ];
        // A code that names nobody is refused beside its field, and nothing is written.
        let head = app.store.audit_head().await.unwrap();
        let nobody = uscc_with_check(&format!("52420525{}", org_code_with_check("MJY00009").unwrap())).unwrap();
        let (status, _, html) = post(fields(&nobody)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains(&format!("没有统一社会信用代码为“{nobody}”的单位")) && html.contains("field--error"), "{html}");
        assert!(html.contains(&format!(r#"value="{nobody}""#)), "the code typed is kept");
        assert_eq!(app.store.audit_head().await.unwrap(), head);
        // A good code with another field wrong: shown again with the provider chosen and the code field empty, so
        // that sending it again is one choice, not two.
        let mut short = fields(&far_code);
        short[3].1 = "太短".into();
        let (status, _, html) = post(short).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains(&format!(r#"<option value="{far}" selected>"#)) && html.contains(r#"name="provider_org_id_uscc" value="""#), "{html}");
        // The other county's provider, by its code (typed in lower case): awarded.
        let (status, location, _) = post(fields(&far_code.to_lowercase())).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location.as_deref(), Some(format!("/projects/{id}").as_str()));
        let token = app.token("jyj.purchaser").await;
        let p = app.get(&format!("/api/v1/projects/{id}"), &token).await.1;
        assert_eq!(p["status"], "contract");
        assert_eq!(p["award"]["provider"]["org_id"], far, "{p}");
    }

    async fn only_eligible_providers_are_invited_and_one_choice_is_one(backend) {
        let app = TestApp::with_demo(backend).await;
        let id = project_at_procurement(&app).await;
        let purchaser = app.token("jyj.purchaser").await;
        let mut invited = Vec::new();
        for key in ["yg", "hx", "qm"] {
            invited.push(app.org_id(key).await);
        }
        let inactive = app.store.organisations().await.unwrap().into_iter().find(|o| o.kind.is_provider_kind() && !o.active).unwrap().id;
        let own = app.org_id("jyj").await;
        let head = app.store.audit_head().await.unwrap();
        let mut docs = crate::procurement::documents(crate::procurement::comprehensive());
        docs["invited"] = json!([invited[0], own, invited[1], inactive, invited[2]]);
        let (status, body) = app.call(Method::POST, &format!("/api/v1/projects/{id}/procurements"), Some(&purchaser), Some(json!({"method": "invited_tender", "documents": docs}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<(&str, &str)> = body["fields"].as_array().unwrap().iter().map(|f| (f["field"].as_str().unwrap(), f["code"].as_str().unwrap())).collect();
        assert_eq!(fields, [("documents.invited[1]", "provider_ineligible"), ("documents.invited[3]", "provider_ineligible")], "the purchaser itself and an inactive provider, both named");
        assert_eq!(app.store.audit_head().await.unwrap(), head, "nothing written");

        // On the award form, a provider chosen and another's code typed is one too many: nothing is awarded.
        let cookie = page_cookie(&app, "jyj.purchaser").await;
        let (_, html) = page(&app, &format!("/projects/{id}/award"), &cookie).await;
        let far = app.org_id("xlx").await;
        let fields = [
            ("_csrf", csrf_of(&html)),
            ("provider_org_id", invited[0].to_string()),
            ("provider_org_id_uscc", "zzz".to_string()),
            ("justification", "该机构在本市长期开展学校社工服务".to_string()),
            ("confirm", "yes".to_string()),
        ];
        let resp = app.client.post(format!("{}/projects/{id}/award", app.base)).header("cookie", &cookie).form(&fields).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(resp.text().await.unwrap().contains("二者只填其一"));
        assert_eq!(app.get(&format!("/api/v1/projects/{id}"), &purchaser).await.1["status"], "procurement");
        // A refused code's organisation is not offered back as a provider to choose.
        let dept = app.store.organisation(own).await.unwrap().unwrap().uscc.unwrap();
        let fields = [
            ("_csrf", csrf_of(&html)),
            ("provider_org_id", String::new()),
            ("provider_org_id_uscc", dept),
            ("justification", "该机构在本市长期开展学校社工服务".to_string()),
            ("confirm", "yes".to_string()),
        ];
        let resp = app.client.post(format!("{}/projects/{id}/award", app.base)).header("cookie", &cookie).form(&fields).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(!html.contains(&format!(r#"<option value="{own}""#)) && html.contains(&format!(r#"<option value="{far}""#)), "{html}");
    }

    async fn a_bad_code_is_reported_with_the_forms_other_errors(backend) {
        let app = TestApp::with_demo(backend).await;
        let cookie = page_cookie(&app, "admin").await;
        let (status, html) = page(&app, "/admin/organisations", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        let orgs_before = app.store.organisations().await.unwrap().len();
        let fields = [
            ("_csrf", csrf_of(&html)),
            ("name", "新社工机构".to_string()),
            ("key", String::new()),
            ("kind", "social_organisation".to_string()),
            ("uscc", "zzz".to_string()),
            ("parent_id", String::new()),
            ("parent_id_uscc", "zzz".to_string()),
            ("active", "yes".to_string()),
        ];
        let resp = app.client.post(format!("{}/admin/organisations", app.base)).header("cookie", &cookie).form(&fields).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains("没有统一社会信用代码为“zzz”的单位"), "the parent's code: {html}");
        assert!(html.contains("简称须为") && html.contains(r##"href="#uscc""##), "and the key and the credit code, at once: {html}");
        assert_eq!(app.store.organisations().await.unwrap().len(), orgs_before, "nothing written");
    }

    async fn forms_offer_the_home_place_not_the_province(backend) {
        let app = TestApp::with_demo(backend).await;
        another_county(&app).await;
        // A design serves its purchaser's county: Yiling and its townships, not the other county's.
        let cookie = page_cookie(&app, "jyj.purchaser").await;
        let (status, html) = page(&app, "/projects/new", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"value="420506001""#) && html.contains(r#"value="420506""#), "{html}");
        assert!(!html.contains(r#"value="420525100""#) && !html.contains(r#"value="420525""#));
        assert!(!html.contains("远安县鸣凤社会工作服务中心"), "nor its organisations as post hosts");
        // A public registration chooses a county; townships and villages are not listed one by one.
        let (status, html) = page(&app, "/register", "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"value="420506""#) && html.contains(r#"value="420525""#), "{html}");
        assert!(!html.contains(r#"value="420506001""#) && !html.contains(r#"value="420525100""#));
        // The expert pool's employer choice is local too, with the code field for any other.
        let cookie = page_cookie(&app, "czj.reviewer").await;
        let (status, html) = page(&app, "/experts", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("远安县鸣凤社会工作服务中心") && html.contains(r#"name="org_id_uscc""#), "{html}");
    }

    async fn regions_are_answered_one_level_at_a_time(backend) {
        let app = TestApp::with_demo(backend).await;
        let (status, top) = app.call(Method::GET, "/api/v1/regions", None, None).await;
        assert_eq!(status, StatusCode::OK);
        let codes = |v: &serde_json::Value| v.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(codes(&top), ["4205"]);
        let (_, county) = app.call(Method::GET, "/api/v1/regions?parent=4205", None, None).await;
        assert_eq!(codes(&county), ["420506"]);
        let (_, townships) = app.call(Method::GET, "/api/v1/regions?parent=420506", None, None).await;
        let townships = codes(&townships);
        assert!(townships.len() >= 10 && townships.iter().all(|c| c.len() == 9 && c.starts_with("420506")), "{townships:?}");
        let (status, body) = app.call(Method::GET, "/api/v1/regions?parent=999", None, None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
        for query in ["level=township", "limit=5", "cursor=x"] {
            let (status, body) = app.call(Method::GET, &format!("/api/v1/regions?{query}"), None, None).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_parameter")), "{query}");
            assert!(body["message_en"].as_str().unwrap().ends_with("allowed: parent"), "{body}");
        }
    }

    async fn a_place_is_read_with_its_path_and_its_children_in_one(backend) {
        use shanzhi_store::Directory;
        let app = TestApp::with_demo(backend).await;
        let codes = |rs: &[Region]| rs.iter().map(|r| r.code.clone()).collect::<Vec<_>>();
        let top = app.store.region_children(None).await.unwrap();
        let townships = app.store.region_children(Some("420506")).await.unwrap();
        let township = townships.iter().find(|t| t.code == "420506001").expect("a township of Yiling").clone();
        let villages = app.store.region_children(Some("420506001")).await.unwrap();
        assert!(!villages.is_empty(), "the demo's first township has villages");
        let (path, children) = app.store.region_path_and_children(Some("420506001")).await.unwrap();
        assert_eq!(codes(&path), ["4205", "420506", "420506001"]);
        assert_eq!(path[2], township);
        assert_eq!(children, villages, "the places under it, in code order");
        let (path, children) = app.store.region_path_and_children(Some("420506")).await.unwrap();
        assert_eq!((codes(&path), children), (vec!["4205".to_string(), "420506".to_string()], townships));
        let village = villages[0].code.clone();
        let (path, children) = app.store.region_path_and_children(Some(&village)).await.unwrap();
        assert_eq!((path.len(), children.len()), (4, 0), "a village has nothing under it");
        // Nothing chosen, or a code naming no place: the top level alone.
        for chosen in [None, Some("4205069"), Some("9"), Some("")] {
            let (path, children) = app.store.region_path_and_children(chosen).await.unwrap();
            assert_eq!((path, &children), (vec![], &top), "{chosen:?}");
        }
    }

    async fn places_another_server_adds_are_seen_by_a_server_that_read_their_parents(backend) {
        use shanzhi_store::Directory;
        let app = TestApp::with_demo(backend).await;
        let other = app.another_server().await;
        // This server reads a township, its path and its villages, twice (the second time from what it knows).
        let first = app.store.region_path_and_children(Some("420506001")).await.unwrap();
        assert_eq!(app.store.region_path_and_children(Some("420506001")).await.unwrap(), first);
        assert_eq!(app.store.region("420506001999").await.unwrap(), None, "not yet a place");
        // The other server adds a village under it.
        let village = Region {
            code: "420506001999".into(),
            name: "新设村".into(),
            level: RegionLevel::Village,
            urban: false,
            parent: Some("420506001".into()),
        };
        other.store.add_region(&By::system("test"), &village, start_time()).await.unwrap();
        let (path, children) = app.store.region_path_and_children(Some("420506001")).await.unwrap();
        assert_eq!(path, first.0);
        assert_eq!(children.len(), first.1.len() + 1);
        assert_eq!(children.last(), Some(&village), "the new village among the township's, in code order");
        assert_eq!(app.store.region("420506001999").await.unwrap(), Some(village.clone()), "and found by its code");
        let (path, none) = app.store.region_path_and_children(Some("420506001999")).await.unwrap();
        assert_eq!((path.last(), none.len()), (Some(&village), 0));
        // Nothing lies under a village, and no place under a lower level than its own.
        for (code, level, parent) in [
            ("420506001999001", RegionLevel::Village, "420506001999"),
            ("420506001998", RegionLevel::District, "420506001"),
        ] {
            let region = Region { code: code.into(), name: "不成立的区划".into(), level, urban: false, parent: Some(parent.into()) };
            let refused = other.store.add_region(&By::system("test"), &region, start_time()).await.unwrap_err();
            let shanzhi_store::StoreError::Domain(e) = &refused else { panic!("{refused}") };
            assert_eq!(e.code(), shanzhi_domain::ErrorCode::RegionLevelNotUnderParent, "{code}");
            assert_eq!(app.store.region(code).await.unwrap(), None, "{code} was not added");
        }
        // A list filtered by it is a list, not an unknown place.
        let admin = app.token("admin").await;
        assert_eq!(app.get("/api/v1/projects?region=420506001999", &admin).await.0, StatusCode::OK);
    }

    async fn a_store_from_before_the_lookups_migrates_to_them(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = crate::procurement_law::big_project(&app, "全区中小学生心理健康服务（竞争性磋商）").await;
        let purchaser = app.token("jyj.purchaser").await;
        let applied = app.ok(Method::POST, &format!("/api/v1/projects/{project}/method-approvals"), &purchaser, Some(crate::procurement_law::application())).await;
        let experts = |cat: &'static str| {
            let store = app.store.clone();
            async move { store.experts_covering(cat).await.unwrap().len() }
        };
        let before = (app.all("/api/v1/method-approvals", Some(&purchaser)).await, experts("A0701").await);
        assert!(before.0.iter().any(|a| a["id"] == applied["id"]) && before.1 >= 3);
        // As a store made before migration 31 (PostgreSQL: 34) holds them: no lookup table, column or index.
        let version = match backend { shanzhi_store::Backend::Sqlite => 31, shanzhi_store::Backend::Postgres => 34 };
        for sql in [
            "DROP INDEX organisations_region".to_string(),
            "DROP INDEX organisations_registered".to_string(),
            "DROP INDEX method_approvals_purchaser".to_string(),
            "DROP TABLE expert_categories".to_string(),
            "ALTER TABLE method_approvals DROP COLUMN purchaser_org_id".to_string(),
            format!("DELETE FROM schema_migrations WHERE version = {version}"),
        ] {
            sqlx::query(&sql).execute(app.store.pool()).await.unwrap();
        }
        app.store.migrate().await.unwrap();
        let after = (app.all("/api/v1/method-approvals", Some(&purchaser)).await, experts("A0701").await);
        assert_eq!(after, before, "a department's applications and a category's experts are found again");
    }
}
