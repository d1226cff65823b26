//! The OpenAPI document is a public output: snapshot-tested, and served as it is built.

use crate::helpers::*;

#[test]
fn openapi_snapshot() {
    insta::assert_json_snapshot!("openapi", shanzhi_web::openapi::document());
}

#[tokio::test]
async fn openapi_is_served() {
    let app = TestApp::empty(shanzhi_store::Backend::Sqlite).await;
    let doc: serde_json::Value =
        reqwest::get(format!("{}/api/v1/openapi.json", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(doc, shanzhi_web::openapi::document());
    assert_eq!(doc["openapi"], "3.1.0");
}

/// Every route of the API router is documented, with the same methods (the test-mode routes excepted).
#[test]
fn every_route_is_documented() {
    let sources = [
        include_str!("../../../web/src/api.rs"),
        include_str!("../../../web/src/procure_api.rs"),
        include_str!("../../../web/src/approvals.rs"),
        include_str!("../../../web/src/money_api.rs"),
    ];
    let mut routed = Vec::new();
    for line in sources
        .iter()
        .flat_map(|s| s.lines())
        .map(str::trim)
        .filter(|l| l.starts_with(".route(\"") || l.starts_with("r.route(\""))
    {
        let path = line.split('"').nth(1).unwrap();
        if path.starts_with("/test/") || path == "/openapi.json" {
            continue;
        }
        let handlers = line.split_once(',').unwrap().1;
        for method in ["get", "post", "put", "delete"] {
            if handlers.contains(&format!("{method}(")) {
                routed.push(format!("{method} {path}"));
            }
        }
    }
    let mut documented: Vec<String> =
        shanzhi_web::openapi::OPERATIONS.iter().map(|o| format!("{} {}", o.method, o.path)).collect();
    routed.sort();
    documented.sort();
    assert_eq!(routed, documented);
}
