//! The JSON API of method approvals (`shanzhi_app::approvals`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use shanzhi_app::approvals::{decide, list, request, visible, ApprovalRequest, DecisionRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiJson;
use crate::auth::ApiSession;
use crate::error::AppResult;
use crate::openapi::roles;
use crate::AppState;

#[utoipa::path(
    post,
    path = "/projects/{id}/method-approvals",
    summary = "Apply for a method other than open tender at or above the threshold, before the procurement starts",
    request_body = ApprovalRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::PURCHASER)))
)]
async fn api_request(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(project_id): Path<i64>,
    ApiJson(req): ApiJson<ApprovalRequest>,
) -> AppResult<Response> {
    let a = request(&state, &s.actor, project_id, req).await?;
    Ok((StatusCode::CREATED, Json(json!(a))).into_response())
}

#[utoipa::path(
    get,
    path = "/method-approvals",
    summary = "Applications for other methods that I may see, newest first, one page (`pending`: only undecided ones)",
    params(crate::paging::Listing<crate::filters::ApprovalFilters>),
    responses((status = 200, description = "success", body = crate::paging::AnyListed)),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn api_list(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    crate::paging::Listing(q, _): crate::paging::Listing<crate::filters::ApprovalFilters>,
) -> AppResult<Json<crate::paging::Listed<shanzhi_domain::procurement::MethodApproval>>> {
    let pending = q.one_of("pending", &["true", "false"])?.is_some_and(|v| v == "true");
    Ok(Json(list(&state, &s.actor, pending, q.page).await?.into()))
}

#[utoipa::path(
    get,
    path = "/method-approvals/{id}",
    summary = "One application for another method, with its decision",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::APPROVAL_READERS)))
)]
async fn api_get(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    Ok(Json(json!(visible(&state, &s.actor, id).await?)))
}

#[utoipa::path(
    post,
    path = "/method-approvals/{id}/decision",
    summary = "Approve (with the document number) or refuse: a finance department of a city with districts or above",
    request_body = DecisionRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::FINANCE_REVIEWER)))
)]
async fn api_decide(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> AppResult<Json<Value>> {
    Ok(Json(json!(decide(&state, &s.actor, id, req).await?)))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api_request))
        .routes(routes!(api_list))
        .routes(routes!(api_get))
        .routes(routes!(api_decide))
}
