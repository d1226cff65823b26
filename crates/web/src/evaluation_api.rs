//! Performance over `/api/v1`: a project's progress against its targets, its evaluation, commissioning the
//! third-party evaluator, each party's scores, the evaluators to choose from, the ties evaluators declare, and
//! the service users' satisfaction survey.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use shanzhi_app::evaluations::{self, EvaluationRequest, EvaluationView, StartEvaluationRequest, TieRequest};
use shanzhi_app::surveys::{self, IssueRequest, SurveyAnswerRequest};
use shanzhi_domain::evaluation::Tie;
use shanzhi_domain::org::Organisation;
use shanzhi_domain::survey::Tally;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiJson;
use crate::auth::ApiSession;
use crate::error::AppResult;
use crate::filters::NoFilters;
use crate::openapi::roles;
use crate::paging::{AnyListed, Listed, Listing};
use crate::AppState;

#[utoipa::path(
    get,
    path = "/projects/{id}/progress",
    summary = "Each target's progress as of the latest service report: the figure reported, where it should stand by then (at_least targets, in proportion to the term elapsed) and whether it is behind (behind_target_tolerance_bp)",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
pub(crate) async fn project_progress(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<shanzhi_domain::project::Progress>>> {
    Ok(Json(evaluations::progress(&state, &s.actor, id).await?))
}

#[utoipa::path(
    get,
    path = "/projects/{id}/evaluations",
    summary = "The project's performance evaluation: targets, each party's scores as the reader may read them (before the result a provider or evaluator reads only its own), the result and grade, who it waits for",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
pub(crate) async fn project_evaluations(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<EvaluationView>> {
    Ok(Json(evaluations::view(&state, &s.actor, id).await?))
}

#[utoipa::path(
    post,
    path = "/projects/{id}/evaluations",
    summary = "Commission a third-party evaluator, which starts the evaluation (409 evaluation_exists; 422 not_an_evaluator; 409 evaluator_conflict: a tie to the provider within conflict_years, or its evaluator consecutive_limit times in a row)",
    request_body = StartEvaluationRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::PURCHASER)))
)]
pub(crate) async fn start_evaluation(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<StartEvaluationRequest>,
) -> AppResult<Response> {
    let p = evaluations::start(&state, &s.actor, id, req).await?;
    Ok((StatusCode::CREATED, Json(EvaluationView::of(&s.actor, p))).into_response())
}

#[utoipa::path(
    post,
    path = "/projects/{id}/evaluations/parts",
    summary = "Submit the caller's part: the provider's self-evaluation, the purchaser's or the commissioned evaluator's; the last of the three fixes the weighted total and grade and publishes the evaluation-result notice (409 already_evaluated)",
    request_body = EvaluationRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::EVALUATION_PARTIES)))
)]
pub(crate) async fn submit_evaluation(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<EvaluationRequest>,
) -> AppResult<Response> {
    let p = evaluations::submit(&state, &s.actor, id, req).await?;
    Ok((StatusCode::CREATED, Json(EvaluationView::of(&s.actor, p))).into_response())
}

#[utoipa::path(
    get,
    path = "/evaluators",
    summary = "Third-party evaluator organisations that may be commissioned (active, verified), one page",
    params(Listing<NoFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
pub(crate) async fn list_evaluators(
    State(state): State<AppState>,
    ApiSession(_s): ApiSession,
    Listing(q, _): Listing<NoFilters>,
) -> AppResult<Json<Listed<Organisation>>> {
    Ok(Json(evaluations::evaluators(&state, q.page).await?.into()))
}

#[utoipa::path(
    get,
    path = "/evaluator-ties",
    summary = "The ties the caller's evaluator organisation has declared to providers, newest first",
    params(Listing<NoFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::EVALUATOR)))
)]
pub(crate) async fn list_ties(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<NoFilters>,
) -> AppResult<Json<Listed<Tie>>> {
    Ok(Json(evaluations::own_ties(&state, &s.actor, q.page).await?.into()))
}

#[utoipa::path(
    post,
    path = "/evaluator-ties",
    summary = "Declare a tie of the caller's evaluator organisation to a provider (incubation, consulting, shared personnel, ownership, other); it bars commissioning within conflict_years of its end",
    request_body = TieRequest,
    responses((status = 201, description = "success", body = Tie)),
    extensions(("x-roles" = json!(roles::EVALUATOR)))
)]
pub(crate) async fn declare_tie(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<TieRequest>,
) -> AppResult<Response> {
    let tie = evaluations::declare_tie(&state, &s.actor, req).await?;
    Ok((StatusCode::CREATED, Json(tie)).into_response())
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(project_progress))
        .routes(routes!(project_evaluations, start_evaluation))
        .routes(routes!(submit_evaluation))
        .routes(routes!(list_evaluators))
        .routes(routes!(list_ties, declare_tie))
        .routes(routes!(issue_survey_codes))
        .routes(routes!(project_survey))
        .routes(routes!(survey, answer_survey))
}

// ---- Service users' satisfaction survey ----

#[utoipa::path(
    post,
    path = "/projects/{id}/survey-codes",
    summary = "Issue one-time survey codes for the project (its purchaser or provider, while the service runs): the codes are in this answer only, the platform keeps their keyed hashes (422 out_of_range beyond survey_batch_max; 409 survey_closed)",
    request_body = IssueRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::SURVEY_ISSUERS)))
)]
pub(crate) async fn issue_survey_codes(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<IssueRequest>,
) -> AppResult<Response> {
    let issued = surveys::issue(&state, &s.actor, id, req).await?;
    let base = crate::feeds::origin(&state, &headers);
    let links: Vec<String> = issued.codes.iter().map(|c| surveys::link(&base, c)).collect();
    let body = serde_json::json!({"project_id": issued.project_id, "batch": issued.batch, "codes": issued.codes, "links": links});
    Ok(no_store((StatusCode::CREATED, Json(body)).into_response()))
}

#[utoipa::path(
    get,
    path = "/projects/{id}/survey",
    summary = "The project's survey answers counted: answers, by_level (very_satisfied … very_dissatisfied), on_time, recommend, satisfied_percent",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
pub(crate) async fn project_survey(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<serde_json::Value>> {
    let t = surveys::tally(&state, &s.actor, id).await?;
    Ok(Json(tally_json(&t)))
}

/// A tally with its rate.
pub fn tally_json(t: &Tally) -> serde_json::Value {
    let mut v = serde_json::json!(t);
    v["satisfied_percent"] = serde_json::json!(t.satisfied_percent().map(|q| q.display()));
    v
}

#[utoipa::path(
    get,
    path = "/surveys/{code}",
    summary = "What a survey code opens, without an account: the project, the survey period and whether the code has answered in it (404 for an unknown code; 409 survey_closed; 422 invalid_code)",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
pub(crate) async fn survey(State(state): State<AppState>, Path(code): Path<String>) -> AppResult<Response> {
    Ok(no_store(Json(surveys::view(&state, &code).await?).into_response()))
}

#[utoipa::path(
    post,
    path = "/surveys/{code}",
    summary = "Answer the survey with a code, without an account: once per code and survey period (409 already_answered)",
    request_body = SurveyAnswerRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
pub(crate) async fn answer_survey(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<SurveyAnswerRequest>,
) -> AppResult<Response> {
    let view = surveys::answer(&state, &code, req).await?;
    Ok(no_store((StatusCode::CREATED, Json(view)).into_response()))
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
