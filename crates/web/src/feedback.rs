//! The JSON API of public feedback (`shanzhi_app::feedback`): the public's form token and filing, the
//! department's and supervisors' list, one item, the answer, and a project's published answers.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use shanzhi_app::feedback::{self, AnswerRequest, FeedbackQuery, FeedbackRequest, FeedbackView, Receipt};
use shanzhi_domain::feedback::{FeedbackStatus, PublishedAnswer};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiJson;
use crate::auth::ApiSession;
use crate::error::AppResult;
use crate::openapi::roles;
use crate::paging::{AnyListed, Filters, ListQuery, Listed, Listing};
use crate::throttle::ClientAddr;
use crate::AppState;

/// The list's filters: `status` (`waiting`, `answered`), `overdue` (`true`: unanswered past the last day),
/// `project_id`, `mine` (`true`: only those routed to my own department).
pub struct FeedbackFilters;
impl Filters for FeedbackFilters {
    const NAMES: &'static [&'static str] = &["status", "overdue", "project_id", "mine"];
}

/// The query of a feedback list, from the API's or a page's parameters.
pub fn query_of(q: &ListQuery) -> AppResult<FeedbackQuery> {
    let codes: Vec<&str> = FeedbackStatus::ALL.iter().map(|s| s.code()).collect();
    Ok(FeedbackQuery {
        status: q.one_of("status", &codes)?.as_deref().and_then(FeedbackStatus::parse),
        overdue: q.one_of("overdue", &["true", "false"])?.is_some_and(|v| v == "true"),
        project_id: q.number("project_id")?,
        own_only: q.one_of("mine", &["true", "false"])?.is_some_and(|v| v == "true"),
    })
}

/// A signed token for one feedback form.
#[derive(Serialize, ToSchema)]
pub struct FormToken {
    /// Send it back as `form_token`, no sooner than `min_seconds` after it was issued.
    pub form_token: String,
    pub min_seconds: u32,
}

#[utoipa::path(
    get,
    path = "/feedback/form-token",
    summary = "A signed token for one feedback form: send it back with the feedback at least `min_seconds` (3) later",
    responses((status = 200, description = "success", body = FormToken)),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
async fn feedback_form_token(State(state): State<AppState>) -> Json<FormToken> {
    Json(FormToken { form_token: feedback::form_token(&state), min_seconds: state.rules.feedback_min_form_secs })
}

#[utoipa::path(
    post,
    path = "/feedback",
    summary = "Rate a service (1–5) and/or report a problem with a public project or a provider, without an account; contact optional and kept private (422 field errors or spam_suspected; 429 rate_limited)",
    request_body = FeedbackRequest,
    responses((status = 201, description = "success", body = Receipt)),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
async fn file_feedback(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<FeedbackRequest>,
) -> AppResult<Response> {
    let receipt = feedback::submit(&state, client, req).await?;
    Ok((StatusCode::CREATED, Json(receipt)).into_response())
}

#[utoipa::path(
    get,
    path = "/feedback",
    summary = "Feedback I may read, newest first, one page: my department's, a supervisor's region's, all for the administrator; the department reads the contact masked",
    params(Listing<FeedbackFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::FEEDBACK_READERS)))
)]
async fn list_feedback(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<FeedbackFilters>,
) -> AppResult<Json<Listed<FeedbackView>>> {
    let query = query_of(&q)?;
    Ok(Json(feedback::list(&state, &s.actor, &query, q.page).await?.into()))
}

#[utoipa::path(
    get,
    path = "/feedback/{id}",
    summary = "One item of feedback; its department reads the contact masked",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::FEEDBACK_READERS)))
)]
async fn get_feedback(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    Ok(Json(json!(feedback::visible(&state, &s.actor, id).await?)))
}

#[utoipa::path(
    post,
    path = "/feedback/{id}/answer",
    summary = "Answer feedback routed to my department, once, with the summary to publish on the public page",
    request_body = AnswerRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::FEEDBACK_ANSWERERS)))
)]
async fn answer_feedback(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> AppResult<Json<Value>> {
    Ok(Json(json!(feedback::answer(&state, &s.actor, id, req).await?)))
}

#[utoipa::path(
    get,
    path = "/projects/{id}/feedback-answers",
    summary = "The departments' published answers to feedback on a public project, newest first (the summaries only)",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
async fn published_feedback(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<PublishedAnswer>>> {
    // Only a project that is public has a public page of answers.
    shanzhi_app::projects::public_project(&state, id).await?;
    Ok(Json(feedback::published_of_project(&state, id).await?))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(feedback_form_token))
        .routes(routes!(list_feedback, file_feedback))
        .routes(routes!(get_feedback))
        .routes(routes!(answer_feedback))
        .routes(routes!(published_feedback))
}
