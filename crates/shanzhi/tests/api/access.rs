//! The access matrix: every role (and nobody) against every endpoint of the OpenAPI document. Refusals
//! are 401/403/404 with a JSON error; nothing ever answers 5xx; only listed roles can succeed.

use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const ACCOUNTS: &[(&str, &str)] = &[
    ("admin", "admin"),
    ("purchaser", "jyj.purchaser"),
    ("reviewer", "mzj.reviewer"),
    ("provider", "p.yg"),
    ("expert", "expert.xiang"),
    ("evaluator", "xjpg.evaluator"),
    ("supervisor", "supervisor"),
];

async fn matrix(backend: shanzhi_store::Backend) {
    let app = TestApp::with_demo(backend).await;
    // A project of the education bureau at the design step, visible to its purchaser only (and the admin).
    let owner = app.token("jyj.purchaser").await;
    let id = app.ok(Method::POST, "/api/v1/projects", &owner, Some(design("权限矩阵测试项目"))).await["id"]
        .as_i64()
        .unwrap();
    let mut tokens = vec![(None, None)];
    for (role, user) in ACCOUNTS {
        tokens.push((Some(*role), Some(app.token(user).await)));
    }
    let doc = shanzhi_web::openapi::document();
    let operations = doc["paths"].as_object().unwrap().iter().flat_map(|(path, item)| {
        item.as_object().unwrap().iter().map(move |(method, op)| (path.as_str(), method.as_str(), op))
    });
    for (doc_path, doc_method, op) in operations {
        if doc_path == "/session" {
            continue; // signing in and out is covered in the session tests
        }
        let roles: Vec<&str> = op["x-roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        let path = format!(
            "/api/v1{}",
            doc_path
                .replace("{id}", &id.to_string())
                .replace("{n}", "0")
                .replace("{token_id}", "0123456789abcdef")
                .replace("{year}", "2025")
        );
        let method = Method::from_bytes(doc_method.to_uppercase().as_bytes()).unwrap();
        for (role, token) in &tokens {
            let body = op.get("requestBody").map(|_| json!({}));
            let (status, value) = app.call(method.clone(), &path, token.as_deref(), body).await;
            let who = role.unwrap_or("anonymous");
            assert!(!status.is_server_error(), "{who} {method} {path} → {status}: {value}");
            if status.is_client_error() {
                assert!(
                    value["code"].is_string() && value["message_en"].is_string(),
                    "{who} {method} {path}: JSON error expected, got {value}"
                );
            }
            let public = roles.contains(&"public");
            let listed = roles.contains(&"signed_in") || role.is_some_and(|r| roles.contains(&r));
            match role {
                None if !public => assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {method} {path}"),
                Some(_) if !public && !listed => {
                    assert!(status.is_client_error(), "{who} {method} {path} must be refused, got {status}: {value}");
                }
                _ => assert!(status != StatusCode::UNAUTHORIZED, "{who} {method} {path}"),
            }
        }
    }
}

/// With well-formed bodies, roles outside an endpoint's list are refused with 403 (or 404 for objects they may not see).
async fn admin_only_with_valid_bodies(backend: shanzhi_store::Backend) {
    let app = TestApp::with_demo(backend).await;
    let org = app.org_id("xlx").await;
    let user = json!({"username": "new.user", "display_name": "新用户", "org_id": org, "roles": ["provider"], "password": "shanzhi-2026!"});
    for (_, username) in ACCOUNTS.iter().filter(|(r, _)| *r != "admin") {
        let token = app.token(username).await;
        app.refused(Method::POST, "/api/v1/users", &token, Some(user.clone()), StatusCode::FORBIDDEN, "forbidden")
            .await;
        app.refused(Method::GET, "/api/v1/users", &token, None, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let admin = app.token("admin").await;
    let created = app.ok(Method::POST, "/api/v1/users", &admin, Some(user.clone())).await;
    assert_eq!(created["username"], "new.user");
    app.refused(Method::POST, "/api/v1/users", &admin, Some(user), StatusCode::CONFLICT, "already_exists").await;
    // The new user can sign in with the password the admin set.
    let (status, _) = app
        .call(Method::POST, "/api/v1/session", None, Some(json!({"username": "new.user", "password": "shanzhi-2026!"})))
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_only_sqlite() {
    admin_only_with_valid_bodies(shanzhi_store::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_only_postgres() {
    admin_only_with_valid_bodies(shanzhi_store::Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_matrix_sqlite() {
    matrix(shanzhi_store::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_matrix_postgres() {
    matrix(shanzhi_store::Backend::Postgres).await;
}
