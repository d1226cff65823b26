//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers themselves: each handler's
//! `#[utoipa::path]` gives its method, path, summary, success status, body type and who may call it (`x-roles`:
//! `public`, `signed_in`, or role codes; the access-matrix test reads that), and [`crate::api::documented`]
//! registers each handler's route and documentation together. Request bodies are the very types the handlers
//! deserialise, their schemas derived with `ToSchema`.

use std::sync::LazyLock;

use serde_json::{json, Value};
use utoipa::OpenApi;

/// Who may call an operation, as its `x-roles`.
pub mod roles {
    pub const PUBLIC: &[&str] = &["public"];
    pub const SIGNED_IN: &[&str] = &["signed_in"];
    pub const PURCHASER: &[&str] = &["purchaser"];
    pub const ADMIN: &[&str] = &["admin"];
    /// Reviewers of a civil-affairs department.
    pub const REVIEWER: &[&str] = &["reviewer"];
    /// Reviewers of a finance department, and administrators.
    pub const FINANCE: &[&str] = &["admin", "reviewer"];
    /// Who runs a procurement: the purchaser's staff or the agency it entrusted.
    pub const RUNNER: &[&str] = &["purchaser", "agency"];
    pub const PROVIDER: &[&str] = &["provider"];
    pub const EXPERT: &[&str] = &["expert"];
    /// Committee members: drawn experts and the purchaser's representatives.
    pub const COMMITTEE: &[&str] = &["expert", "purchaser"];
    /// Reviewers of a finance department (the domain checks the department).
    pub const FINANCE_REVIEWER: &[&str] = &["reviewer"];
    /// Who may read an application for another method: its department, finance, supervisors, administrators.
    pub const APPROVAL_READERS: &[&str] = &["admin", "purchaser", "reviewer", "supervisor"];
    /// Who reads red flags: supervisors (their subtree), finance and administrators.
    pub const SUPERVISION: &[&str] = &["admin", "reviewer", "supervisor"];
    /// The department that feedback was routed to, supervisors of its place, the administrator.
    pub const FEEDBACK_READERS: &[&str] = &["admin", "purchaser", "reviewer", "supervisor"];
    /// The department that feedback was routed to.
    pub const FEEDBACK_ANSWERERS: &[&str] = &["purchaser", "reviewer"];
    /// The parties of a performance evaluation: the provider, the purchaser, the commissioned evaluator.
    pub const EVALUATION_PARTIES: &[&str] = &["provider", "purchaser", "evaluator"];
    pub const EVALUATOR: &[&str] = &["evaluator"];
    /// Who hands out survey codes: the project's purchaser or provider.
    pub const SURVEY_ISSUERS: &[&str] = &["purchaser", "provider"];
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Shanzhi (善治) API",
        description = "Government purchase of public services: the six-step purchase project and its procurement (methods, sealed bids, committees, scoring, challenges and complaints). Money is yuan as a string with two decimals. Errors are {code, message, message_en}. Any operation may answer 503 with Retry-After: storage_full (writes are refused while the disk is full; reads go on) or database_unavailable."
    ),
    servers((url = "/api/v1")),
    components(schemas(crate::error::ErrorBody, crate::paging::AnyListed))
)]
struct Api;

/// What every operation shares, so no handler repeats it: any may be refused with an `Error`, and all but the
/// public ones need the bearer token.
fn complete(doc: &mut Value) {
    doc["components"]["securitySchemes"] =
        json!({"bearer": {"type": "http", "scheme": "bearer", "description": "token from POST /session"}});
    let refused = json!({"description": "refused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let Some(paths) = doc["paths"].as_object_mut() else { return };
    for operation in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|item| item.values_mut()) {
        operation["responses"]["4XX"] = refused.clone();
        let public = operation["x-roles"].as_array().is_some_and(|roles| roles.contains(&json!("public")));
        if !public {
            operation["security"] = json!([{"bearer": []}]);
        }
    }
}

/// The document, served at `/api/v1/openapi.json`.
pub fn document() -> Value {
    static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
        let mut api = Api::openapi();
        api.merge(crate::api::documented().into_openapi());
        let mut doc = serde_json::to_value(api).expect("the OpenAPI document serialises");
        complete(&mut doc);
        doc
    });
    DOCUMENT.clone()
}

#[cfg(test)]
mod tests;
