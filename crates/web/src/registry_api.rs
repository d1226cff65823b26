//! The provider registry over `/api/v1`: a provider's public entry and training, what the provider keeps (its
//! profile, qualifications with their documents, training), civil affairs' checks and flagged qualifications, and
//! the sector overview.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use shanzhi_app::registry::{
    self, FlaggedQualification, ProfileRequest, QualificationRequest, QualificationView, RegistryEntry, SectorOverview,
    TrainingRequest,
};
use shanzhi_domain::registry::{Profile, Training};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiJson;
use crate::auth::{ApiSession, MaybeApiSession};
use crate::error::AppResult;
use crate::filters::NoFilters;
use crate::openapi::roles;
use crate::paging::{Listed, Listing};
use crate::AppState;

#[utoipa::path(
    get,
    path = "/providers/{id}/registry",
    summary = "A provider's registry entry, public: its profile (founding, capital, staff, certified social workers by level, places and categories served), qualifications with where each stands today (`current`, `expiring`, `expired`) and whether civil affairs checked it, and its latest training; the documents' file ids only for the provider and civil affairs",
    responses((status = 200, description = "success", body = RegistryEntry)),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
pub(crate) async fn provider_registry(
    State(state): State<AppState>,
    MaybeApiSession(s): MaybeApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<RegistryEntry>> {
    Ok(Json(registry::entry(&state, s.as_ref().map(|s| &s.actor), id).await?))
}

#[utoipa::path(
    put,
    path = "/providers/{id}/profile",
    summary = "The provider keeps its own profile, before and after civil affairs verifies it (422 with every wrong field: founded_on, registered_capital, staff, social_workers, service_areas, categories)",
    request_body = ProfileRequest,
    responses((status = 200, description = "success", body = Profile)),
    extensions(("x-roles" = json!(roles::PROVIDER)))
)]
pub(crate) async fn save_profile(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ProfileRequest>,
) -> AppResult<Json<Profile>> {
    Ok(Json(registry::save_profile(&state, &s.actor, id, req).await?))
}

#[utoipa::path(
    post,
    path = "/providers/{id}/qualifications",
    summary = "The provider adds a qualification with its document, an upload of its own (`unknown_file` otherwise); civil affairs then checks it",
    request_body = QualificationRequest,
    responses((status = 201, description = "success", body = QualificationView)),
    extensions(("x-roles" = json!(roles::PROVIDER)))
)]
pub(crate) async fn add_qualification(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<QualificationRequest>,
) -> AppResult<Response> {
    let q = registry::add_qualification(&state, &s.actor, id, req).await?;
    Ok((StatusCode::CREATED, Json(q)).into_response())
}

#[utoipa::path(
    post,
    path = "/qualifications/{id}/verification",
    summary = "Civil affairs has checked a qualification against its document (verifying a registration checks all its qualifications at once); a second check changes nothing",
    responses((status = 200, description = "success", body = QualificationView)),
    extensions(("x-roles" = json!(roles::REVIEWER)))
)]
pub(crate) async fn verify_qualification(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<QualificationView>> {
    Ok(Json(registry::verify_qualification(&state, &s.actor, id).await?))
}

#[utoipa::path(
    get,
    path = "/qualifications/flagged",
    summary = "Qualifications of providers in civil affairs' place that expire within `qualification_warning_days` or have expired, newest first (civil-affairs reviewers)",
    params(Listing<NoFilters>),
    responses((status = 200, description = "success", body = crate::paging::AnyListed)),
    extensions(("x-roles" = json!(roles::REVIEWER)))
)]
pub(crate) async fn flagged_qualifications(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<NoFilters>,
) -> AppResult<Json<Listed<FlaggedQualification>>> {
    Ok(Json(registry::flagged(&state, &s.actor, q.page).await?.into()))
}

#[utoipa::path(
    post,
    path = "/providers/{id}/trainings",
    summary = "The provider records a course its staff took (course, organiser, held_on, hours per participant, participants)",
    request_body = TrainingRequest,
    responses((status = 201, description = "success", body = Training)),
    extensions(("x-roles" = json!(roles::PROVIDER)))
)]
pub(crate) async fn add_training(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<TrainingRequest>,
) -> AppResult<Response> {
    let t = registry::add_training(&state, &s.actor, id, req).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

#[utoipa::path(
    get,
    path = "/providers/{id}/trainings",
    summary = "A provider's training records, public, newest first, a page at a time",
    params(Listing<NoFilters>),
    responses((status = 200, description = "success", body = crate::paging::AnyListed)),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
pub(crate) async fn trainings(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Listing(q, _): Listing<NoFilters>,
) -> AppResult<Json<Listed<Training>>> {
    Ok(Json(registry::trainings(&state, id, q.page).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(crate) struct SectorQuery {
    /// A region code: the overview of its subtree, within the reader's own.
    region: Option<String>,
}

#[utoipa::path(
    get,
    path = "/sector",
    summary = "The sector overview of ?region= (the reader's whole view without it): providers who could bid by kind, staff and certified social workers, founding years, providers per category and per township with `short` where fewer than `min_bidders` could bid, grades by category, training; civil affairs of its place, supervisors of theirs, finance and administrators",
    params(SectorQuery),
    responses((status = 200, description = "success", body = SectorOverview)),
    extensions(("x-roles" = json!(["admin", "supervisor", "reviewer", "purchaser"])))
)]
pub(crate) async fn sector(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Query(q): Query<SectorQuery>,
) -> AppResult<Json<SectorOverview>> {
    let region = q.region.as_deref().filter(|r| !r.is_empty());
    Ok(Json(registry::sector(&state, &s.actor, region).await?))
}

// One route a line, as the documentation test reads them (rustfmt would join two).
#[rustfmt::skip]
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(provider_registry))
        .routes(routes!(save_profile))
        .routes(routes!(add_qualification))
        .routes(routes!(verify_qualification))
        .routes(routes!(flagged_qualifications))
        .routes(routes!(add_training, trainings))
        .routes(routes!(sector))
}
