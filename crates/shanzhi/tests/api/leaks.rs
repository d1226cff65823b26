//! Nothing sealed, personal or internal on anything the public reads (issue 10): every public page and public API
//! answer — notices, feeds, open data, projects', providers' and places' pages, the audit chain, the reference
//! lists — is searched for sealed bids' prices before their opening, resident ID numbers, contacts' phone numbers
//! and names, and the projects' internal texts (reviewers' comments, cost lines, service reports, rejection reasons,
//! post holders, experts' notes).

use crate::both_backends;
use crate::helpers::*;
use crate::procurement::{approved_project, published_tender};
use crate::public_project::private_texts;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The bids' prices, each a figure found nowhere else.
const SEALED_PRICES: [&str; 3] = ["71234.56", "73456.78", "75678.91"];

/// Everything personal or internal the demo holds, read from its seed file and the working records.
async fn secrets(app: &TestApp) -> Vec<String> {
    let seed: Value =
        serde_json::from_str(include_str!("../../src/demo/yiling.json")).expect("the demo's seed is JSON");
    let mut out: Vec<String> = Vec::new();
    for o in seed["organisations"].as_array().unwrap().iter().chain(seed["registrations"].as_array().unwrap()) {
        if let Some(id) = o["resident_id"].as_str() {
            out.push(id.to_string());
            out.push(id[6..14].to_string()); // the birth date inside it
        }
        let kind = o["kind"].as_str().unwrap_or_default();
        let provider = ![
            "civil_affairs",
            "finance",
            "education",
            "health",
            "disabled_persons_federation",
            "womens_federation",
            "human_resources",
            "political_legal",
            "township_government",
        ]
        .contains(&kind);
        if let Some(contact) = o["contact"].as_str().filter(|_| provider) {
            // A provider's contact is a person: the name and any phone number — unless the provider is that person,
            // whose name as a supplier notices must publish.
            let name = o["name"].as_str().unwrap_or_default();
            out.extend(
                contact
                    .split_whitespace()
                    .map(|p| p.split('（').next().unwrap().to_string())
                    .filter(|p| p.chars().count() >= 2 && !name.contains(p.as_str())),
            );
        }
    }
    for e in seed["experts"].as_array().unwrap() {
        out.extend(e["note"].as_str().filter(|n| !n.is_empty()).map(String::from));
    }
    let admin = app.token("admin").await;
    for p in app.all("/api/v1/projects?limit=200", Some(&admin)).await {
        let (_, full) = app.get(&format!("/api/v1/projects/{}", p["id"]), &admin).await;
        out.extend(private_texts(&full));
    }
    out.extend(SEALED_PRICES.iter().map(|p| p.to_string()));
    // Money is shown with thousands separators on pages.
    out.extend(SEALED_PRICES.iter().map(|p| format!("{},{}", &p[..2], &p[2..])));
    out.sort();
    out.dedup();
    out
}

/// A public answer's body, read without credentials; `None` for 404.
async fn read(app: &TestApp, path: &str) -> Option<String> {
    let resp = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
    match resp.status() {
        StatusCode::NOT_FOUND => None,
        s => {
            assert_eq!(s, StatusCode::OK, "GET {path}");
            Some(resp.text().await.unwrap())
        }
    }
}

/// Every path the public can reach, from the public lists themselves.
async fn public_paths(app: &TestApp) -> Vec<String> {
    let mut paths: Vec<String> = [
        "/",
        "/notices",
        "/projects?limit=200",
        "/projects?q=%E6%9C%8D%E5%8A%A1",
        "/feed/all.atom",
        "/api/v1/notices",
        "/api/v1/regions",
        "/api/v1/catalogue",
        "/api/v1/standards",
        "/api/v1/audit/head",
        "/api/ocds/releases?limit=1000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let notices = app.all("/api/v1/notices", None).await;
    for n in &notices {
        paths.push(format!("/notices/{}", n["id"]));
        paths.push(format!("/api/v1/notices/{}", n["id"]));
        paths.push(format!("/feed/{}.atom", n["notice"]["kind"].as_str().or(n["kind"].as_str()).unwrap()));
    }
    let projects: BTreeSet<i64> = notices.iter().map(|n| n["project_id"].as_i64().unwrap()).collect();
    paths.extend(projects.iter().map(|p| format!("/projects/{p}")));
    let (_, feed) = app.call(Method::GET, "/api/ocds/releases?limit=1000", None, None).await;
    let ocids: BTreeSet<&str> =
        feed["releases"].as_array().unwrap().iter().map(|r| r["ocid"].as_str().unwrap()).collect();
    paths.extend(ocids.iter().map(|o| format!("/api/ocds/records/{o}")));
    // Providers' and places' pages: every organisation id (others answer 404) and the places two levels down.
    paths.extend((1..=80).map(|id| format!("/providers/{id}")));
    let (_, top) = app.call(Method::GET, "/api/v1/regions", None, None).await;
    for r in top.as_array().unwrap() {
        paths.push(format!("/regions/{}", r["code"].as_str().unwrap()));
        let (_, below) =
            app.call(Method::GET, &format!("/api/v1/regions?parent={}", r["code"].as_str().unwrap()), None, None).await;
        paths.extend(below.as_array().unwrap().iter().map(|c| format!("/regions/{}", c["code"].as_str().unwrap())));
    }
    // The whole audit chain, a page at a time.
    let (_, head) = app.call(Method::GET, "/api/v1/audit/head", None, None).await;
    let last = head["seq"].as_i64().unwrap_or(0);
    paths.extend((0..last).step_by(200).map(|after| format!("/api/v1/audit/events?after={after}&limit=200")));
    paths.sort();
    paths.dedup();
    paths
}

both_backends! {
    async fn nothing_sealed_personal_or_internal_reaches_a_public_page_or_answer(backend) {
        let app = TestApp::with_demo(backend).await;
        // A tender with bids sealed until their opening.
        let project = approved_project(&app, "泄露检查：留守儿童课后陪伴服务").await;
        let procurement = published_tender(&app, project).await;
        for (user, price) in ["p.yg", "p.hx", "p.qm"].iter().zip(SEALED_PRICES) {
            let t = app.token(user).await;
            app.ok(Method::POST, &format!("/api/v1/procurements/{procurement}/interest"), &t, None).await;
            let bid = json!({"price": price, "proposal": "每周三次入户陪伴", "small_or_micro": false});
            app.ok(Method::PUT, &format!("/api/v1/procurements/{procurement}/bid"), &t, Some(bid)).await;
        }
        let secrets = secrets(&app).await;
        assert!(secrets.len() >= 40, "{} secrets", secrets.len());
        assert!(secrets.iter().any(|s| s == "13872500000"), "a registration's phone number is among them");
        let paths = public_paths(&app).await;
        let mut read_count = 0;
        for path in &paths {
            let Some(body) = read(&app, path).await else { continue };
            read_count += 1;
            for s in &secrets {
                assert!(!body.contains(s.as_str()), "GET {path} shows {s:?}");
            }
        }
        assert!(read_count >= 100, "{read_count} public answers read of {} paths", paths.len());
    }
}
