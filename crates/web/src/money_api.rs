//! The money part of `/api/v1` that came with issue #8: supplementary contracts and closing fiscal years.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::api::{act, ApiJson};
use crate::auth::ApiSession;
use crate::error::AppResult;
use crate::AppState;
use shanzhi_app::projects::{Command, ReviewRequest, SignRequest, SupplementRequest};

async fn propose_supplement(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<SupplementRequest>,
) -> AppResult<Json<Value>> {
    act(&state, &s, id, Command::ProposeSupplement(req)).await
}

async fn review_supplement(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, u32)>,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> AppResult<Json<Value>> {
    act(&state, &s, id, Command::ReviewSupplement(n, req)).await
}

async fn sign_supplement(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, u32)>,
    ApiJson(req): ApiJson<SignRequest>,
) -> AppResult<Json<Value>> {
    act(&state, &s, id, Command::SignSupplement(n, req)).await
}

async fn fiscal_years(State(state): State<AppState>, ApiSession(_): ApiSession) -> AppResult<Json<Value>> {
    Ok(Json(json!(shanzhi_app::budgets::fiscal_years(&state).await?)))
}

async fn close_fiscal_year(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(year): Path<i32>,
) -> AppResult<Json<Value>> {
    Ok(Json(json!(shanzhi_app::budgets::close_year(&state, &s.actor, year).await?)))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/supplements", post(propose_supplement))
        .route("/projects/{id}/supplements/{n}/review", post(review_supplement))
        .route("/projects/{id}/supplements/{n}/sign", post(sign_supplement))
        .route("/fiscal-years", get(fiscal_years))
        .route("/fiscal-years/{year}/close", post(close_fiscal_year))
}
