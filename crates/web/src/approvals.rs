//! The JSON API of method approvals (`shanzhi_app::approvals`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use shanzhi_app::approvals::{decide, list, request, visible, ApprovalRequest, DecisionRequest};

use crate::api::ApiJson;
use crate::auth::ApiSession;
use crate::error::AppResult;
use crate::AppState;

async fn api_request(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(project_id): Path<i64>,
    ApiJson(req): ApiJson<ApprovalRequest>,
) -> AppResult<Response> {
    let a = request(&state, &s.actor, project_id, req).await?;
    Ok((StatusCode::CREATED, Json(json!(a))).into_response())
}

async fn api_list(State(state): State<AppState>, ApiSession(s): ApiSession) -> AppResult<Json<Value>> {
    Ok(Json(json!(list(&state, &s.actor).await?)))
}

async fn api_get(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    Ok(Json(json!(visible(&state, &s.actor, id).await?)))
}

async fn api_decide(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> AppResult<Json<Value>> {
    Ok(Json(json!(decide(&state, &s.actor, id, req).await?)))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/method-approvals", post(api_request))
        .route("/method-approvals", get(api_list))
        .route("/method-approvals/{id}", get(api_get))
        .route("/method-approvals/{id}/decision", post(api_decide))
}
