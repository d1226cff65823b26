//! The JSON API of provider self-registration and the expert pool (`shanzhi_app::pool`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use shanzhi_app::pool::{
    add_expert, decide, entry, own_entry, own_registration, pool, register, registrations, update_expert, update_own,
    DecisionRequest, ExpertRequest, RegistrationRequest, TiesRequest,
};
use shanzhi_app::{ExpertEntry, Registration};

use crate::api::ApiJson;
use crate::auth::ApiSession;
use crate::error::AppResult;
use crate::AppState;

pub async fn api_register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegistrationRequest>,
) -> AppResult<Response> {
    let r = register(&state, req).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

pub async fn api_registrations(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
) -> AppResult<Json<Vec<Registration>>> {
    Ok(Json(registrations(&state, &s.actor).await?))
}

pub async fn api_own_registration(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
) -> AppResult<Json<Registration>> {
    Ok(Json(own_registration(&state, &s.actor).await?))
}

pub async fn api_verify(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Registration>> {
    Ok(Json(decide(&state, &s.actor, id, true, "").await?))
}

pub async fn api_reject(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> AppResult<Json<Registration>> {
    Ok(Json(decide(&state, &s.actor, id, false, &req.reason).await?))
}

pub async fn api_experts(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
) -> AppResult<Json<Vec<ExpertEntry>>> {
    Ok(Json(pool(&state, &s.actor).await?))
}

pub async fn api_add_expert(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<ExpertRequest>,
) -> AppResult<Response> {
    let e = add_expert(&state, &s.actor, req).await?;
    Ok((StatusCode::CREATED, Json(e)).into_response())
}

pub async fn api_expert(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<ExpertEntry>> {
    Ok(Json(entry(&state, &s.actor, id).await?))
}

pub async fn api_update_expert(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ExpertRequest>,
) -> AppResult<Json<ExpertEntry>> {
    Ok(Json(update_expert(&state, &s.actor, id, req).await?))
}

pub async fn api_own_expert(State(state): State<AppState>, ApiSession(s): ApiSession) -> AppResult<Json<ExpertEntry>> {
    Ok(Json(own_entry(&state, &s.actor).await?))
}

pub async fn api_update_own_expert(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<TiesRequest>,
) -> AppResult<Json<ExpertEntry>> {
    Ok(Json(update_own(&state, &s.actor, req).await?))
}
