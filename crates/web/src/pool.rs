//! The JSON API of provider self-registration and the expert pool (`shanzhi_app::pool`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use shanzhi_app::pool::{
    add_expert, decide, entry, own_entry, own_registration, pool, register, registrations, update_expert, update_own,
    ExpertRequest, RegistrationRequest, RejectionRequest, TiesRequest,
};
use shanzhi_app::{ExpertEntry, Registration};

use crate::api::ApiJson;
use crate::auth::ApiSession;
use crate::error::AppResult;
use crate::openapi::roles;
use crate::AppState;

#[utoipa::path(
    post,
    path = "/registrations",
    summary = "Register as a provider (no sign-in); pending until civil affairs verifies it",
    request_body = RegistrationRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
pub async fn api_register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegistrationRequest>,
) -> AppResult<Response> {
    let r = register(&state, req).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

#[utoipa::path(
    get,
    path = "/registrations",
    summary = "Provider registrations, newest first, filtered by `verification` (civil-affairs reviewers)",
    params(crate::paging::Listing<crate::filters::RegistrationFilters>),
    responses((status = 200, description = "success", body = crate::paging::AnyListed)),
    extensions(("x-roles" = json!(roles::REVIEWER)))
)]
pub async fn api_registrations(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    crate::paging::Listing(q, _): crate::paging::Listing<crate::filters::RegistrationFilters>,
) -> AppResult<Json<crate::paging::Listed<Registration>>> {
    let wanted = crate::filters::registration_state(&q)?;
    Ok(Json(registrations(&state, &s.actor, wanted, q.page).await?.into()))
}

#[utoipa::path(
    get,
    path = "/registrations/mine",
    summary = "My organisation's registration and where it stands",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
pub async fn api_own_registration(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
) -> AppResult<Json<Registration>> {
    Ok(Json(own_registration(&state, &s.actor).await?))
}

#[utoipa::path(
    post,
    path = "/registrations/{id}/verify",
    summary = "Verify a pending registration: the provider becomes active (civil-affairs reviewers)",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::REVIEWER)))
)]
pub async fn api_verify(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Registration>> {
    Ok(Json(decide(&state, &s.actor, id, true, "").await?))
}

#[utoipa::path(
    post,
    path = "/registrations/{id}/reject",
    summary = "Reject a pending registration with a reason (civil-affairs reviewers)",
    request_body = RejectionRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::REVIEWER)))
)]
pub async fn api_reject(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<RejectionRequest>,
) -> AppResult<Json<Registration>> {
    Ok(Json(decide(&state, &s.actor, id, false, &req.reason).await?))
}

#[utoipa::path(
    get,
    path = "/experts",
    summary = "The expert pool, inactive entries included (finance), one page",
    params(crate::paging::Listing<crate::filters::NoFilters>),
    responses((status = 200, description = "success", body = crate::paging::AnyListed)),
    extensions(("x-roles" = json!(roles::FINANCE)))
)]
pub async fn api_experts(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    crate::paging::Listing(q, _): crate::paging::Listing<crate::filters::NoFilters>,
) -> AppResult<Json<crate::paging::Listed<ExpertEntry>>> {
    Ok(Json(pool(&state, &s.actor, q.page).await?.into()))
}

#[utoipa::path(
    post,
    path = "/experts",
    summary = "Add an expert to the pool, with a new or an existing account (finance)",
    request_body = ExpertRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::FINANCE)))
)]
pub async fn api_add_expert(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<ExpertRequest>,
) -> AppResult<Response> {
    let e = add_expert(&state, &s.actor, req).await?;
    Ok((StatusCode::CREATED, Json(e)).into_response())
}

#[utoipa::path(
    get,
    path = "/experts/{id}",
    summary = "One expert, by user id (finance)",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::FINANCE)))
)]
pub async fn api_expert(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<ExpertEntry>> {
    Ok(Json(entry(&state, &s.actor, id).await?))
}

#[utoipa::path(
    put,
    path = "/experts/{id}",
    summary = "Change an expert's categories, organisation, employers and ties, or deactivate them (finance)",
    request_body = ExpertRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::FINANCE)))
)]
pub async fn api_update_expert(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ExpertRequest>,
) -> AppResult<Json<ExpertEntry>> {
    Ok(Json(update_expert(&state, &s.actor, id, req).await?))
}

#[utoipa::path(
    get,
    path = "/experts/me",
    summary = "My own entry in the expert pool",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::EXPERT)))
)]
pub async fn api_own_expert(State(state): State<AppState>, ApiSession(s): ApiSession) -> AppResult<Json<ExpertEntry>> {
    Ok(Json(own_entry(&state, &s.actor).await?))
}

#[utoipa::path(
    put,
    path = "/experts/me",
    summary = "Declare my former employers and ties",
    request_body = TiesRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::EXPERT)))
)]
pub async fn api_update_own_expert(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<TiesRequest>,
) -> AppResult<Json<ExpertEntry>> {
    Ok(Json(update_own(&state, &s.actor, req).await?))
}
