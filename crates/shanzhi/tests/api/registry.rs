//! The provider registry: a provider keeps its profile, qualifications (each with its document) and training; the
//! entry is public but the documents only the provider's and civil affairs'; civil affairs verifies a registration
//! only once the entry and a registration certificate are in; lapsing qualifications are flagged; the sector
//! overview counts the providers who could bid by category and township, and marks where fewer than a
//! procurement's bidders could.

use crate::both_backends;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shanzhi_store::RegistryStore;

/// Uploads a one-page PDF as `token`'s organisation; its file id.
pub(crate) async fn upload_pdf(app: &TestApp, token: &str, name: &str) -> i64 {
    let part = reqwest::multipart::Part::bytes(b"%PDF-1.4 scanned certificate".to_vec()).file_name(name.to_string());
    let resp = app
        .client
        .post(format!("{}/api/v1/files", app.base))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED, "upload {name}");
    resp.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

pub(crate) fn profile(areas: &[&str], categories: &[&str]) -> Value {
    json!({
        "founded_on": "2018-03-01", "registered_capital": "30000.00", "staff": 10,
        "social_workers": {"assistant": 3, "intermediate": 1, "senior": 0},
        "service_areas": areas, "categories": categories,
    })
}

/// What civil affairs needs before it verifies organisation `org_id`: the profile and a registration certificate.
pub(crate) async fn fill_registry(app: &TestApp, token: &str, org_id: i64) {
    app.ok(
        Method::PUT,
        &format!("/api/v1/providers/{org_id}/profile"),
        token,
        Some(profile(&["420506001"], &["A0201"])),
    )
    .await;
    let file_id = upload_pdf(app, token, "登记证书.pdf").await;
    let cert = json!({
        "kind": "registration_certificate", "name": "民办非企业单位登记证书", "number": format!("夷民证字第 {org_id} 号"),
        "issuer": "宜昌市夷陵区民政局", "issued_on": "2018-03-01", "file_id": file_id,
    });
    let (status, body) =
        app.call(Method::POST, &format!("/api/v1/providers/{org_id}/qualifications"), Some(token), Some(cert)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

fn fields(body: &Value) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = body["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields: {body}"))
        .iter()
        .map(|f| (f["field"].as_str().unwrap().to_string(), f["code"].as_str().unwrap().to_string()))
        .collect();
    f.sort();
    f
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_string(), code.to_string())
}

both_backends! {
    async fn a_provider_keeps_its_entry_and_only_it_and_civil_affairs_read_the_documents(backend) {
        let app = TestApp::with_demo(backend).await;
        let cwh = app.org_id("cwh").await;
        let owner = app.token("p.cwh").await;
        let base = format!("/api/v1/providers/{cwh}");
        let before = app.store.audit_head().await.unwrap().unwrap().0;

        // Every wrong field at once, and nothing written.
        let bad = json!({
            "founded_on": "2090-01-01", "registered_capital": "-5", "staff": 2,
            "social_workers": {"assistant": 2, "intermediate": 1, "senior": 0},
            "service_areas": ["999999"], "categories": ["A01"],
        });
        let (status, body) = app.call(Method::PUT, &format!("{base}/profile"), Some(&owner), Some(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&body), [
            pair("categories", "unknown_category"), pair("founded_on", "date_out_of_range"),
            pair("registered_capital", "negative_amount"), pair("service_areas", "unknown_region"),
            pair("social_workers", "out_of_range"),
        ]);
        assert!(body["fields"][0]["message"].is_string() && body["fields"][0]["message_en"].is_string());
        assert!(app.call(Method::GET, &format!("{base}/registry"), None, None).await.1["profile"].is_null());
        assert_eq!(app.store.audit_head().await.unwrap().unwrap().0, before, "a refused write records nothing");

        // Only its own provider users keep it.
        for other in ["p.hx", "mzj.reviewer", "jyj.purchaser"] {
            let t = app.token(other).await;
            app.refused(Method::PUT, &format!("{base}/profile"), &t, Some(profile(&["420506008"], &["A0101"])), StatusCode::FORBIDDEN, "forbidden").await;
        }
        let saved = app.ok(Method::PUT, &format!("{base}/profile"), &owner, Some(profile(&["420506008", "420506008"], &["A0101"]))).await;
        assert_eq!(saved["service_areas"], json!(["420506008"]), "a place listed twice is kept once");
        assert_eq!(saved["registered_capital"], "30000.00");

        // A qualification needs a document of its own organisation's.
        let theirs = upload_pdf(&app, &app.token("p.hx").await, "别人的证书.pdf").await;
        let mine = upload_pdf(&app, &owner, "村委会登记证.pdf").await;
        let q = |file_id: i64, expires_on: Option<&str>| json!({
            "kind": "registration_certificate", "name": "基层群众性自治组织特别法人统一社会信用代码证书",
            "number": "Y1420506545405913D", "issuer": "宜昌市夷陵区民政局", "issued_on": "2018-06-01",
            "expires_on": expires_on, "file_id": file_id,
        });
        let (status, body) = app.call(Method::POST, &format!("{base}/qualifications"), Some(&owner), Some(q(theirs, None))).await;
        assert_eq!((status, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec![pair("file_id", "unknown_file")]));
        let (status, body) = app.call(Method::POST, &format!("{base}/qualifications"), Some(&owner), Some(q(mine, Some("2018-05-01")))).await;
        assert_eq!((status, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec![pair("expires_on", "invalid_date")]));
        let added = app.ok(Method::POST, &format!("{base}/qualifications"), &owner, Some(q(mine, None))).await;
        assert_eq!((added["validity"].as_str(), added["verified"].as_bool()), (Some("current"), Some(false)));

        // Training, with its refusals.
        let course = json!({"course": "村级社会工作站运营", "organiser": "宜昌市夷陵区民政局", "held_on": "2026-01-15", "hours": "12", "participants": 4});
        let (status, body) = app.call(Method::POST, &format!("{base}/trainings"), Some(&owner),
            Some(json!({"course": "", "organiser": "x", "held_on": "2026-13-01", "hours": "0", "participants": 0}))).await;
        assert_eq!((status, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec![
            pair("course", "required"), pair("held_on", "invalid_date"), pair("hours", "out_of_range"), pair("participants", "out_of_range"),
        ]));
        app.ok(Method::POST, &format!("{base}/trainings"), &owner, Some(course)).await;
        let listed = app.all(&format!("{base}/trainings"), None).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["hours"], "12");

        // The entry is public; the document is named only to the provider and civil affairs.
        let (status, public) = app.call(Method::GET, &format!("{base}/registry"), None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(public["profile"]["staff"], 10);
        assert!(public["qualifications"][0]["file_id"].is_null(), "{public}");
        let hx = app.token("p.hx").await;
        assert!(app.get(&format!("{base}/registry"), &hx).await.1["qualifications"][0]["file_id"].is_null());
        let civil = app.token("mzj.reviewer").await;
        assert_eq!(app.get(&format!("{base}/registry"), &civil).await.1["qualifications"][0]["file_id"], mine);
        assert_eq!(app.get(&format!("{base}/registry"), &owner).await.1["qualifications"][0]["file_id"], mine);
        let file = format!("/api/v1/files/{mine}");
        assert_eq!(app.call(Method::GET, &file, Some(&civil), None).await.0, StatusCode::OK, "civil affairs reads the document");
        assert_eq!(app.call(Method::GET, &file, Some(&hx), None).await.0, StatusCode::NOT_FOUND, "another provider does not");
        assert_eq!(app.call(Method::GET, &file, Some(&app.token("czj.reviewer").await), None).await.0, StatusCode::NOT_FOUND);
        let page = app.client.get(format!("{}/providers/{cwh}", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("id=\"registry\"") && page.contains("村级社会工作站运营") && page.contains("龙泉镇"));
        assert!(!page.contains(&format!("/files/{mine}")), "no document link on the public page");

        // Civil affairs checks it against its document, once; nobody else can.
        let verify = format!("/api/v1/qualifications/{}/verification", added["id"]);
        app.refused(Method::POST, &verify, &owner, None, StatusCode::FORBIDDEN, "forbidden").await;
        let checked = app.ok(Method::POST, &verify, &civil, None).await;
        assert_eq!(checked["verified"], true);
        app.ok(Method::POST, &verify, &civil, None).await;
        let events = app.store.audit_for_object("organisation", &cwh.to_string()).await.unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["provider.profile_save", "provider.qualification_add", "provider.training_add", "provider.qualification_verify"]);
        app.refused(Method::POST, "/api/v1/qualifications/999999/verification", &civil, None, StatusCode::NOT_FOUND, "not_found").await;
        // An organisation that is no provider has no entry.
        let mzj = app.org_id("mzj").await;
        app.refused(Method::GET, &format!("/api/v1/providers/{mzj}/registry"), &civil, None, StatusCode::NOT_FOUND, "not_found").await;
    }

    async fn civil_affairs_verifies_a_registration_only_against_its_documents(backend) {
        let app = TestApp::with_demo(backend).await;
        let pending = app.org_id("reg-p.swxz").await;
        let reviewer = app.token("mzj.reviewer").await;
        let verify = format!("/api/v1/registrations/{pending}/verify");
        let (status, body) = app.call(Method::POST, &verify, Some(&reviewer), None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("registry_incomplete")), "{body}");
        // The civil-affairs reviewer's list links the entry, to check it against its documents.
        let cookie = page_cookie(&app, "mzj.reviewer").await;
        let (_, html) = page(&app, "/registrations", &cookie).await;
        assert!(html.contains(&format!("href=\"/providers/{pending}#registry\"")));
        // The registrant, who has no role yet, fills the entry in; the profile alone is not enough.
        let applicant = app.token("p.swxz").await;
        let base = format!("/api/v1/providers/{pending}");
        app.ok(Method::PUT, &format!("{base}/profile"), &applicant, Some(profile(&["420506003"], &["A0103"]))).await;
        let (_, body) = app.call(Method::POST, &verify, Some(&reviewer), None).await;
        assert_eq!(body["code"], "registry_incomplete");
        assert!(body["message"].as_str().unwrap().contains("登记证书"), "{body}");
        // A certificate that has lapsed does not count either.
        let file_id = upload_pdf(&app, &applicant, "登记证书.pdf").await;
        let cert = |expires_on: &str| json!({
            "kind": "registration_certificate", "name": "民办非企业单位登记证书", "number": "夷民证字第 0399 号",
            "issuer": "宜昌市夷陵区民政局", "issued_on": "2020-01-01", "expires_on": expires_on, "file_id": file_id,
        });
        app.ok(Method::POST, &format!("{base}/qualifications"), &applicant, Some(cert("2021-01-01"))).await;
        assert_eq!(app.call(Method::POST, &verify, Some(&reviewer), None).await.1["code"], "registry_incomplete");
        app.ok(Method::POST, &format!("{base}/qualifications"), &applicant, Some(cert(""))).await;
        let verified = app.ok(Method::POST, &verify, &reviewer, None).await;
        assert_eq!(verified["organisation"]["verification"], "verified");
        // Verifying the registration checked its documents.
        let entry = app.get(&format!("{base}/registry"), &reviewer).await.1;
        assert!(entry["qualifications"].as_array().unwrap().iter().all(|q| q["verified"] == true), "{entry}");
    }

    async fn lapsing_qualifications_are_flagged_to_the_provider_and_civil_affairs(backend) {
        let app = TestApp::with_demo(backend).await;
        // The demo's 乐龄 licence lapses within the warning days.
        let ll = app.org_id("ll").await;
        let entry = app.call(Method::GET, &format!("/api/v1/providers/{ll}/registry"), None, None).await.1;
        let validities: Vec<&str> = entry["qualifications"].as_array().unwrap().iter().map(|q| q["validity"].as_str().unwrap()).collect();
        assert!(validities.contains(&"expiring") && validities.contains(&"current"), "{entry}");
        let civil = app.token("mzj.reviewer").await;
        let flagged = app.all("/api/v1/qualifications/flagged", Some(&civil)).await;
        let names: Vec<&str> = flagged.iter().map(|f| f["provider_name"].as_str().unwrap()).collect();
        assert_eq!(names, ["宜昌市夷陵区乐龄居家养老服务中心"]);
        app.refused(Method::GET, "/api/v1/qualifications/flagged", &app.token("p.ll").await, None, StatusCode::FORBIDDEN, "forbidden").await;
        let (_, html) = page(&app, "/", &page_cookie(&app, "mzj.reviewer").await).await;
        assert!(html.contains("id=\"flagged-qualifications-notice\"") && html.contains("/sector#flagged"), "on civil affairs' work queue");
        let cookie = page_cookie(&app, "p.ll").await;
        let (_, html) = page(&app, "/", &cookie).await;
        assert!(html.contains("id=\"lapsing-qualifications\"") && html.contains("养老机构备案回执"), "{html}");
        let (_, html) = page(&app, "/", &page_cookie(&app, "p.hx").await).await;
        assert!(!html.contains("lapsing-qualifications"), "nothing lapses for 和馨");
        // A month on it has lapsed: still flagged, as expired.
        app.clock.advance(chrono::Duration::days(30));
        let entry = app.call(Method::GET, &format!("/api/v1/providers/{ll}/registry"), None, None).await.1;
        assert!(entry["qualifications"].as_array().unwrap().iter().any(|q| q["validity"] == "expired"));
        let civil = app.token("mzj.reviewer").await;
        assert_eq!(app.all("/api/v1/qualifications/flagged", Some(&civil)).await.len(), 1);
    }

    async fn the_sector_overview_counts_who_could_bid_and_marks_where_too_few_could(backend) {
        let app = TestApp::with_demo(backend).await;
        let civil = app.token("mzj.reviewer").await;
        let o = app.ok(Method::GET, "/api/v1/sector", &civil, None).await;
        assert_eq!(o["region"], "420506");
        assert_eq!(o["min_providers"], 3);
        // Hand-counted from the demo: four providers serve the whole district; 小溪塔 adds 和馨, 平安 and 安康, 樟村坪
        // only 平安.
        let township = |o: &Value, name: &str| o["townships"].as_array().unwrap().iter().find(|t| t["name"] == name).cloned().unwrap();
        assert_eq!(township(&o, "小溪塔街道")["providers"], 7);
        assert_eq!(township(&o, "樟村坪镇")["providers"], 5);
        let category = |o: &Value, code: &str| o["categories"].as_array().unwrap().iter().find(|c| c["code"] == code).cloned().unwrap();
        assert_eq!((category(&o, "A0101")["providers"].as_i64(), category(&o, "A0101")["short"].as_bool()), (Some(3), Some(false)));
        assert_eq!((category(&o, "A0102")["providers"].as_i64(), category(&o, "A0102")["short"].as_bool()), (Some(1), Some(true)));
        assert_eq!(category(&o, "B0302")["providers"], 0, "a category nobody serves is listed, as short");
        // The demo's finished evaluation: its category's average is its own total, its grade counted.
        let graded = app.store.projects().await.unwrap().into_iter().find(|p| p.grade().is_some()).expect("a graded project");
        let result = graded.evaluation.as_ref().and_then(|e| e.result.as_ref()).unwrap();
        let c = category(&o, &graded.design.category);
        assert_eq!(c["average_score"], result.total.display());
        assert_eq!(c["grades"][result.grade.code()], 1);
        assert_eq!(o["providers"], 8);
        assert_eq!(o["staff"], 154);
        assert_eq!(o["social_workers"], json!({"assistant": 24, "intermediate": 12, "senior": 1}));
        assert_eq!(o["training_hours"], "1296", "Σ hours × participants");
        assert_eq!(o["pending"], 1);
        let years = o["founded_by_year"].as_array().unwrap();
        assert_eq!(years.last().unwrap(), &json!([2020, 1, 8]));

        // A provider finance bars can no longer bid: it leaves every count.
        let finance = app.token("czj.reviewer").await;
        let ak = app.org_id("ak").await;
        app.ok(Method::POST, &format!("/api/v1/providers/{ak}/blacklistings"), &finance,
            Some(json!({"years": 1, "reason": "伪造服务记录骗取服务费用，经查证属实"}))).await;
        let o = app.ok(Method::GET, "/api/v1/sector", &civil, None).await;
        assert_eq!(township(&o, "小溪塔街道")["providers"], 6);
        assert_eq!((category(&o, "A0101")["providers"].as_i64(), category(&o, "A0101")["short"].as_bool()), (Some(2), Some(true)));
        assert_eq!(o["providers"], 7);

        // Who reads it, and where.
        let finance_view = app.ok(Method::GET, "/api/v1/sector?region=420506001", &finance, None).await;
        assert_eq!(finance_view["townships"].as_array().unwrap().len(), 1);
        for refused in ["jyj.purchaser", "p.hx", "expert.xiang"] {
            let t = app.token(refused).await;
            app.refused(Method::GET, "/api/v1/sector", &t, None, StatusCode::FORBIDDEN, "forbidden").await;
        }
        assert_eq!(app.call(Method::GET, "/api/v1/sector", None, None).await.0, StatusCode::UNAUTHORIZED);
        app.refused(Method::GET, "/api/v1/sector?region=4201", &civil, None, StatusCode::FORBIDDEN, "forbidden").await;

        // The page: charts with their tables, in Chinese and English, the lapsing licence for civil affairs.
        let cookie = page_cookie(&app, "mzj.reviewer").await;
        let (status, html) = page(&app, "/sector", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        for id in ["sector-categories-chart-title", "sector-categories", "sector-townships-chart-title", "sector-townships", "sector-growth", "sector-levels", "flagged-qualifications"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
        }
        assert!(html.contains("承接能力不足") && html.contains("乐龄"));
        let (_, en) = page(&app, "/sector", &format!("{cookie}; sz_lang=en")).await;
        assert!(en.contains("Capacity missing") && en.contains("Providers who could bid"));
    }

    async fn the_provider_keeps_its_entry_on_its_page(backend) {
        let app = TestApp::with_demo(backend).await;
        let cookie = page_cookie(&app, "p.cwh").await;
        let (status, html) = page(&app, "/registry", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"profile-form\"") && html.contains("id=\"qualification-form\"") && html.contains("id=\"training-form\""));
        let csrf = csrf_of(&html);
        // A count that is no number and a missing date: both reported, nothing saved.
        let form = [("_csrf", csrf.as_str()), ("founded_on", ""), ("registered_capital", "1000"), ("staff", "十"),
            ("sw_assistant", "0"), ("sw_intermediate", "0"), ("sw_senior", "0"), ("service_areas", "420506008"), ("categories", "A0101")];
        let resp = app.client.post(format!("{}/registry/profile", app.base)).header("cookie", &cookie).form(&form).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains("请填写整数") && html.contains("2025-10-09"), "{html}");
        let cwh = app.org_id("cwh").await;
        assert!(app.store.profile(cwh).await.unwrap().is_none());
        // More certified social workers than staff: said in the summary and once under the levels, not under each.
        let form = [("_csrf", csrf.as_str()), ("founded_on", "2010-01-01"), ("registered_capital", ""), ("staff", "2"),
            ("sw_assistant", "2"), ("sw_intermediate", "1"), ("sw_senior", "0"), ("service_areas", "420506008"), ("categories", "A0101")];
        let resp = app.client.post(format!("{}/registry/profile", app.base)).header("cookie", &cookie).form(&form).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert_eq!(html.matches("持证社会工作者人数不能超过从业人员总数").count(), 2, "{html}");
        assert!(html.contains("href=\"#social_workers\"") && html.contains("id=\"social_workers\""), "the summary's link lands on the levels");
        assert!(app.store.profile(cwh).await.unwrap().is_none());
        let form = [("_csrf", csrf.as_str()), ("founded_on", "2010-01-01"), ("registered_capital", ""), ("staff", "5"),
            ("sw_assistant", "1"), ("sw_intermediate", "0"), ("sw_senior", "0"), ("service_areas", "420506008"), ("categories", "A0101")];
        let resp = app.client.post(format!("{}/registry/profile", app.base)).header("cookie", &cookie).form(&form).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.store.profile(cwh).await.unwrap().unwrap().staff, 5);
        // A qualification with its scan, in one form.
        let multipart = reqwest::multipart::Form::new()
            .text("_csrf", csrf.clone()).text("kind", "registration_certificate").text("name", "村民委员会登记证")
            .text("number", "Y1420506545405913D").text("issuer", "宜昌市夷陵区民政局").text("issued_on", "2018-06-01")
            .text("expires_on", "")
            .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4 scan".to_vec()).file_name("登记证.pdf"));
        let resp = app.client.post(format!("{}/registry/qualifications", app.base)).header("cookie", &cookie).multipart(multipart).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let (_, html) = page(&app, "/registry", &cookie).await;
        assert!(html.contains("村民委员会登记证") && html.contains("待民政部门核验"));
        // Another organisation's user has no entry page to keep here.
        let (status, _) = page(&app, "/registry", &page_cookie(&app, "mzj.purchaser").await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Civil affairs checks it from the provider's page.
        let reviewer = page_cookie(&app, "mzj.reviewer").await;
        let (_, html) = page(&app, &format!("/providers/{cwh}"), &reviewer).await;
        let q = app.store.qualifications_of(cwh).await.unwrap()[0].id;
        assert!(html.contains(&format!("/qualifications/{q}/verify")), "{html}");
        let resp = app.client.post(format!("{}/qualifications/{q}/verify", app.base)).header("cookie", &reviewer)
            .form(&[("_csrf", csrf_of(&html).as_str())]).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert!(app.store.qualifications_of(cwh).await.unwrap()[0].verified_at.is_some());
    }
}
