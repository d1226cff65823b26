//! One project is answered from its stored record as it is, when its reader sees it whole and the record is in this
//! build's shape (`RECORD_SHAPE`): that answer must be the decoded record's, byte for byte, for every reader; a
//! record of an older shape is decoded; and the shape's number must change whenever the record's fields do.

use crate::both_backends;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;
use shanzhi_domain::org::Actor;
use shanzhi_domain::project::Scope;
use shanzhi_store::{Backend, ProjectStore, Store, RECORD_SHAPE};
use std::collections::BTreeSet;

/// Readers of every kind: the administrator, the purchasing department, both reviewers, supervisors of the
/// district and of a township, providers, an expert and an evaluator.
const READERS: [&str; 10] = [
    "admin",
    "jyj.purchaser",
    "mzj.reviewer",
    "czj.reviewer",
    "supervisor",
    "lq.supervisor",
    "p.yg",
    "p.hx",
    "expert.xiang",
    "xjpg.evaluator",
];

async fn actor(app: &TestApp, username: &str) -> Actor {
    let users = app.store.users().await.unwrap();
    let user = users.iter().find(|u| u.username == username).unwrap_or_else(|| panic!("no user {username}"));
    app.store.actor(user.id).await.unwrap().expect("an active user")
}

/// Each reader's answer for each project: its status and its body as sent.
async fn answers(app: &TestApp, ids: &[i64]) -> Vec<(String, i64, StatusCode, String)> {
    let mut all = Vec::new();
    for reader in READERS {
        let token = app.token(reader).await;
        for &id in ids {
            let resp = app
                .client
                .get(format!("{}/api/v1/projects/{id}", app.base))
                .bearer_auth(&token)
                .send()
                .await
                .expect("request sent");
            let status = resp.status();
            if status == StatusCode::OK {
                let kind = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
                assert_eq!(kind, "application/json", "{reader} reading project {id}");
            }
            all.push((reader.to_string(), id, status, resp.text().await.expect("body")));
        }
    }
    all
}

/// Every key path of `v` (array items under `[]`), the shape of a record.
fn key_paths(v: &Value, at: &str, paths: &mut BTreeSet<String>) {
    match v {
        Value::Object(fields) => {
            for (k, v) in fields {
                let path = format!("{at}.{k}");
                paths.insert(path.clone());
                key_paths(v, &path, paths);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| key_paths(i, &format!("{at}[]"), paths)),
        _ => {}
    }
}

both_backends! {
    async fn one_project_reads_the_same_from_its_stored_record_as_decoded(backend) {
        let app = TestApp::with_demo(backend).await;
        let ids: Vec<i64> = app.store.projects().await.unwrap().iter().map(|p| p.id).collect();
        assert!(ids.len() > 20, "the demo's projects");
        // Written by this build: the administrator, who sees every project whole, reads each as stored; a provider
        // reads the projects it delivers without their cost lines, so decoded.
        let admin = Scope::of(&actor(&app, "admin").await);
        for &id in &ids {
            assert!(app.store.stored_project(&admin, id).await.unwrap().is_some(), "project {id} as stored");
        }
        let provider = Scope::of(&actor(&app, "p.yg").await);
        let delivered = app.store.projects().await.unwrap().into_iter()
            .filter(|p| provider.admits(p))
            .map(|p| p.id)
            .collect::<Vec<_>>();
        assert!(!delivered.is_empty());
        for &id in &delivered {
            assert!(app.store.stored_project(&provider, id).await.unwrap().is_none(), "project {id} as its provider reads it");
        }
        let stored = answers(&app, &ids).await;
        assert!(stored.iter().any(|(_, _, s, _)| *s == StatusCode::NOT_FOUND), "some reader may not see some project");
        // The same records as if an older build had written them: each is decoded and encoded again.
        sqlx::raw_sql("UPDATE projects SET shape = 0").execute(app.store.pool()).await.unwrap();
        assert!(app.store.stored_project(&admin, ids[0]).await.unwrap().is_none(), "an older record is not answered as stored");
        let decoded = answers(&app, &ids).await;
        for (a, b) in stored.iter().zip(&decoded) {
            assert_eq!(a, b, "{} reading project {}: as stored, then decoded", a.0, a.1);
        }
        assert_eq!(stored.len(), decoded.len());
        // The next write of a record gives it this build's shape again.
        let token = app.token("jyj.purchaser").await;
        let design = app.ok(reqwest::Method::POST, "/api/v1/projects", &token, Some(design("学校社会工作服务"))).await;
        let id = design["id"].as_i64().unwrap();
        assert!(app.store.stored_project(&admin, id).await.unwrap().is_some());
        let shapes: Vec<(i64,)> = sqlx::query_as(&format!("SELECT CAST(shape AS BIGINT) FROM projects WHERE id = {id}"))
            .fetch_all(app.store.pool()).await.unwrap();
        assert_eq!(shapes, [(RECORD_SHAPE,)]);
    }
}

/// The demo's records' fields, with the shape's number: when this snapshot changes, raise `RECORD_SHAPE`
/// (`crates/store/src/projects.rs`) in the same change, or records written before it would be answered as stored
/// without the new fields.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_record_shape_needs_a_new_number() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let mut paths = BTreeSet::new();
    for p in app.store.projects().await.unwrap() {
        key_paths(&serde_json::to_value(&p).unwrap(), "", &mut paths);
    }
    let text = format!("RECORD_SHAPE = {RECORD_SHAPE}\n{}", paths.into_iter().collect::<Vec<_>>().join("\n"));
    insta::assert_snapshot!("record_shape", text);
}
