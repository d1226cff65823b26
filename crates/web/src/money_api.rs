//! The money part of `/api/v1` that came with issue #8: supplementary contracts and closing fiscal years.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{act, ApiJson, ProjectView};
use crate::auth::ApiSession;
use crate::error::AppResult;
use crate::openapi::roles;
use crate::AppState;
use shanzhi_app::projects::{Command, ReviewRequest, SignRequest, SupplementRequest};

#[utoipa::path(
    post,
    path = "/projects/{id}/supplements",
    summary = "Propose a supplementary contract (together ≤ 10 % of the original) with its funding lines",
    request_body = SupplementRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PURCHASER)))
)]
async fn propose_supplement(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<SupplementRequest>,
) -> AppResult<Json<ProjectView>> {
    act(&state, &s, id, Command::ProposeSupplement(req)).await
}

#[utoipa::path(
    post,
    path = "/projects/{id}/supplements/{n}/review",
    summary = "Finance approves supplementary contract n (reserving its money) or returns it",
    request_body = ReviewRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::FINANCE_REVIEWER)))
)]
async fn review_supplement(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, u32)>,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> AppResult<Json<ProjectView>> {
    act(&state, &s, id, Command::ReviewSupplement(n, req)).await
}

#[utoipa::path(
    post,
    path = "/projects/{id}/supplements/{n}/sign",
    summary = "Sign approved supplementary contract n: its money is committed, its milestone added",
    request_body = SignRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PURCHASER)))
)]
async fn sign_supplement(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, u32)>,
    ApiJson(req): ApiJson<SignRequest>,
) -> AppResult<Json<ProjectView>> {
    act(&state, &s, id, Command::SignSupplement(n, req)).await
}

#[utoipa::path(
    get,
    path = "/fiscal-years",
    summary = "Fiscal years with budget lines, and whether finance has closed them",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn fiscal_years(State(state): State<AppState>, ApiSession(s): ApiSession) -> AppResult<Json<Value>> {
    Ok(Json(json!(shanzhi_app::budgets::fiscal_years(&state, &s.actor).await?)))
}

#[utoipa::path(
    post,
    path = "/fiscal-years/{year}/close",
    summary = "Close a fiscal year that has ended: nothing more is reserved, allocated or granted from it",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::FINANCE)))
)]
async fn close_fiscal_year(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(year): Path<i32>,
) -> AppResult<Json<Value>> {
    Ok(Json(json!(shanzhi_app::budgets::close_year(&state, &s.actor, year).await?)))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(propose_supplement))
        .routes(routes!(review_supplement))
        .routes(routes!(sign_supplement))
        .routes(routes!(fiscal_years))
        .routes(routes!(close_fiscal_year))
}
