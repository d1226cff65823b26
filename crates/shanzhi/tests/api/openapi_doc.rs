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

/// Every route of the API router is documented, with the same methods (the test-mode routes and the document
/// itself excepted): routes registered with `routes!` carry their handler's documentation, whose operation id is
/// the handler's name; any other route must still be documented.
#[test]
fn every_route_is_documented() {
    let sources = [
        include_str!("../../../web/src/api.rs"),
        include_str!("../../../web/src/procure_api.rs"),
        include_str!("../../../web/src/approvals.rs"),
        include_str!("../../../web/src/money_api.rs"),
        include_str!("../../../web/src/feedback.rs"),
        include_str!("../../../web/src/evaluation_api.rs"),
        include_str!("../../../web/src/credit_api.rs"),
        include_str!("../../../web/src/registry_api.rs"),
    ];
    let doc = shanzhi_web::openapi::document();
    let mut documented = Vec::new();
    let mut operation_ids = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            documented.push(format!("{method} {path}"));
            operation_ids.push(op["operationId"].as_str().unwrap().to_string());
        }
    }
    let mut registered = Vec::new();
    for line in sources.iter().flat_map(|s| s.lines()).map(str::trim) {
        if let Some(handlers) = line.strip_prefix(".routes(routes!(").and_then(|l| l.split_once("))")) {
            registered.extend(handlers.0.split(", ").map(|h| h.rsplit("::").next().unwrap().to_string()));
        } else if line.starts_with(".route(\"") || line.starts_with("r.route(\"") {
            let path = line.split('"').nth(1).unwrap();
            if path.starts_with("/test/") || path == "/openapi.json" {
                continue;
            }
            let handlers = line.split_once(',').unwrap().1;
            for method in ["get", "post", "put", "delete"].iter().filter(|m| handlers.contains(&format!("{m}("))) {
                assert!(documented.contains(&format!("{method} {path}")), "{method} {path} is routed, not documented");
            }
        }
    }
    registered.sort();
    operation_ids.sort();
    let mut unique = operation_ids.clone();
    unique.dedup();
    assert_eq!(operation_ids, unique, "operation ids are unique");
    assert_eq!(registered, operation_ids, "the documented operations are the registered handlers");
}
