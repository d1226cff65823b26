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
