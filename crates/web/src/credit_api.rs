//! Providers' credit records over `/api/v1`: the public record, and finance's blacklisting decisions.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use shanzhi_app::credit::{self, BlacklistRequest, CreditRecord};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiJson;
use crate::auth::ApiSession;
use crate::error::AppResult;
use crate::openapi::roles;
use crate::AppState;

#[utoipa::path(
    get,
    path = "/providers/{id}/credit",
    summary = "A provider's credit record, public: barred_until while finance bars it, every blacklisting decision, its evaluations' grades, contracts completed and ended early, service reports filed late (`reports_late`) and rejected at acceptance (`reports_rejected`), public complaints found true (`complaints_upheld`) (404 for an organisation that is no provider)",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
pub(crate) async fn provider_credit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<CreditRecord>> {
    Ok(Json(credit::record(&state, id).await?))
}

#[utoipa::path(
    post,
    path = "/providers/{id}/blacklistings",
    summary = "Finance bars a provider from government purchasing for 1–3 years (政府采购法 §77): from then it cannot register interest, bid, be awarded or sign (422 out_of_range for years, required for the reason)",
    request_body = BlacklistRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::FINANCE_REVIEWER)))
)]
pub(crate) async fn blacklist(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<BlacklistRequest>,
) -> AppResult<Response> {
    let b = credit::blacklist(&state, &s.actor, id, req).await?;
    Ok((StatusCode::CREATED, Json(b)).into_response())
}

// One route a line, as the documentation test reads them (rustfmt would join two).
#[rustfmt::skip]
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(provider_credit))
        .routes(routes!(blacklist))
}
