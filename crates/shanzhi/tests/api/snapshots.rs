//! Snapshots of what the public reads, so a change to a notice's or a release's published form is seen in review:
//! one notice of each kind the demo publishes, and one contracting process's OCDS record. The same snapshot on both
//! backends: they publish the same.

use crate::both_backends;
use crate::helpers::*;
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeMap;

/// `v` with this server's address (its port changes) and the answer's own publication time made constant.
fn stable(app: &TestApp, v: &Value) -> Value {
    let text = v.to_string().replace(&app.base, "http://test");
    let mut v: Value = serde_json::from_str(&text).unwrap();
    if v.get("publishedDate").is_some() {
        v["publishedDate"] = Value::from("(the time of the answer)");
    }
    v
}

both_backends! {
    async fn the_published_form_of_each_notice_kind_and_of_a_record(backend) {
        let app = TestApp::with_demo(backend).await;
        let mut first_of_kind: BTreeMap<String, Value> = BTreeMap::new();
        for n in app.all("/api/v1/notices", None).await.into_iter().rev() {
            first_of_kind.entry(n["kind"].as_str().unwrap().to_string()).or_insert(n);
        }
        assert!(first_of_kind.len() >= 5, "{:?}", first_of_kind.keys());
        insta::assert_json_snapshot!("notices_by_kind", first_of_kind);
        let contract = &first_of_kind["contract"];
        let (_, project) = app.call(Method::GET, "/api/ocds/releases?limit=1000", None, None).await;
        let ocid = project["releases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == format!("notice-{}", contract["id"]))
            .map(|r| r["ocid"].as_str().unwrap().to_string())
            .unwrap();
        let (_, record) = app.call(Method::GET, &format!("/api/ocds/records/{ocid}"), None, None).await;
        insta::assert_json_snapshot!("ocds_record", stable(&app, &record));
    }
}
