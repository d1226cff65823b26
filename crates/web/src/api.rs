//! The JSON API under `/api/v1`. Every handler authenticates by bearer token (except the public ones),
//! checks the role and scope on the server, and answers errors as `{code, message, message_en}`.

use axum::extract::{FromRequest, Multipart, Path, Query, RawQuery, Request, State};

use crate::openapi::roles;
use crate::paging::{AnyListed, Listed, Listing};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shanzhi_app::SessionKind;
use shanzhi_domain::org::Actor;
use shanzhi_domain::project::{Project, ProjectItem, QueueItem, ViewFacts};
use shanzhi_domain::statistics::{DepartmentRow, Shown, TownshipRow, YearWarning};
use shanzhi_domain::visibility::{self, ProjectAccess};
use shanzhi_domain::{DomainError, ErrorCode};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{self, AccountSession, ApiSession};
use crate::error::{AppError, AppResult};
use crate::throttle::ClientAddr;
use crate::AppState;
use shanzhi_app::budgets::FundingRequest;
use shanzhi_app::directory::{self, OrganisationRequest, UserRequest};
use shanzhi_app::projects::{
    self, AwardRequest, Command, ContractRequest, CostRequest, DesignRequest, ProjectReading, ReasonRequest,
    ReviewRequest, VisitRequest,
};

/// JSON body whose parse failures answer in our error format instead of axum's plain text.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(AppError::invalid_json(&e.body_text())),
        }
    }
}

/// A project as the API shows it: the stored project as the reader may see it, plus what is derived from it.
#[derive(Serialize)]
pub struct ProjectView {
    #[serde(flatten)]
    pub project: Project,
    #[serde(flatten)]
    pub facts: ViewFacts,
}

/// `p` as `actor` reads it; the caller has checked that `actor` may see it at all.
pub fn view(actor: &Actor, p: Project) -> ProjectView {
    let access = visibility::project_access(actor, &p).unwrap_or(ProjectAccess::Provider);
    let facts = ViewFacts::of(actor, &p, access);
    ProjectView { project: visibility::project_for(access, p), facts }
}

#[derive(Default, Serialize, Deserialize, ToSchema)]
pub(crate) struct Credentials {
    username: String,
    password: String,
}

#[utoipa::path(
    post,
    path = "/session",
    summary = "Sign in; returns a bearer token (401 invalid_credentials; 429 too_many_attempts or sign_in_busy with Retry-After; 403 account_disabled)",
    request_body = Credentials,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
async fn create_session(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(c): ApiJson<Credentials>,
) -> AppResult<Response> {
    let new = shanzhi_app::sessions::sign_in(&state, client, &c.username, &c.password, SessionKind::Api).await?;
    let body = json!({
        "token": new.token,
        "expires_at": new.record.expires_at.to_rfc3339(),
        "must_change_password": new.must_change_password,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(
    delete,
    path = "/session",
    summary = "Sign out (ends this token)",
    responses((status = 204, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn delete_session(State(state): State<AppState>, AccountSession(s): AccountSession) -> AppResult<StatusCode> {
    shanzhi_app::sessions::sign_out(&state, &s).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Default, Serialize, Deserialize, ToSchema)]
pub(crate) struct TokenRequest {
    label: String,
    /// How many days the token lasts.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 365)]
    days: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/tokens",
    summary = "My named API tokens (never the tokens themselves)",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn list_tokens(State(state): State<AppState>, ApiSession(s): ApiSession) -> AppResult<Json<Value>> {
    Ok(Json(json!(shanzhi_app::sessions::list_tokens(&state, &s).await?)))
}

#[utoipa::path(
    post,
    path = "/tokens",
    summary = "Create a named API token for scripts; the token is shown once",
    request_body = TokenRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn create_token(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<TokenRequest>,
) -> AppResult<Response> {
    let (token, info) = shanzhi_app::sessions::create_token(&state, &s, &req.label, req.days).await?;
    let mut body = json!(info);
    body["token"] = json!(token);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(
    delete,
    path = "/tokens/{token_id}",
    summary = "Revoke one of my API tokens",
    responses((status = 204, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn revoke_token(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    shanzhi_app::sessions::revoke_token(&state, &s, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/regions",
    summary = "Regions one level at a time: the top level, or the places directly under `parent`",
    params(("parent" = Option<String>, Query, description = "a region's code: list the places directly under it")),
    responses((status = 200, description = "success"), (status = 404, description = "no region has that code")),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
async fn regions(State(state): State<AppState>, RawQuery(raw): RawQuery) -> AppResult<Json<Value>> {
    let q = crate::paging::ListQuery::parse_unpaged(raw.as_deref(), &["parent"])?;
    let children = shanzhi_app::reference::region_children(&state, q.text("parent").as_deref()).await?;
    Ok(Json(json!(children.ok_or_else(AppError::not_found)?)))
}

#[utoipa::path(
    get,
    path = "/catalogue",
    summary = "Guidance catalogue and negative list",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
async fn catalogue(State(state): State<AppState>) -> AppResult<Json<Value>> {
    Ok(Json(json!(shanzhi_app::reference::catalogue(&state).await?)))
}

/// The organisations the caller may list, one page (filters: `kind`, `region`).
#[utoipa::path(
    get,
    path = "/organisations",
    summary = "Organisations (individuals' ID numbers masked)",
    params(Listing<crate::filters::OrganisationFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn organisations(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<crate::filters::OrganisationFilters>,
) -> AppResult<Json<Listed<shanzhi_domain::org::Organisation>>> {
    let filter = crate::filters::organisation_filter(&q)?;
    Ok(Json(directory::organisation_page(&state, &s.actor, filter, q.page).await?.into()))
}

#[utoipa::path(
    post,
    path = "/organisations",
    summary = "Register an organisation",
    request_body = OrganisationRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::ADMIN)))
)]
async fn add_organisation(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<OrganisationRequest>,
) -> AppResult<Response> {
    let org = directory::add_organisation(&state, &s.actor, req).await?;
    Ok((StatusCode::CREATED, Json(org)).into_response())
}

/// Users, one page, for the administrator (filters: `org`, `role`).
#[utoipa::path(
    get,
    path = "/users",
    summary = "Users",
    params(Listing<crate::filters::UserFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::ADMIN)))
)]
async fn users(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<crate::filters::UserFilters>,
) -> AppResult<Json<Listed<shanzhi_domain::org::User>>> {
    Ok(Json(directory::user_page(&state, &s.actor, &crate::filters::user_filter(&q)?, q.page).await?.into()))
}

#[utoipa::path(
    post,
    path = "/users",
    summary = "Add a user",
    request_body = UserRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::ADMIN)))
)]
async fn add_user(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<UserRequest>,
) -> AppResult<Response> {
    let user = directory::add_user(&state, &s.actor, req).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

/// The projects the caller may see, newest first, one page, narrowed by [`crate::filters::PROJECT_FILTERS`].
#[utoipa::path(
    get,
    path = "/projects",
    summary = "Projects I may see, newest first, one page (filters: step, year, region, category, purchaser, provider)",
    params(Listing<crate::filters::ProjectFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn list_projects(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<crate::filters::ProjectFilters>,
) -> AppResult<Json<Listed<ProjectItem>>> {
    let page = projects::project_items(&state, &s.actor, &crate::filters::project_filter(&q)?, q.page).await?;
    Ok(Json(page.into()))
}

#[utoipa::path(
    post,
    path = "/projects",
    summary = "Design a new purchase project",
    request_body = projects::DesignRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::PURCHASER)))
)]
async fn create_project(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<projects::DesignRequest>,
) -> AppResult<Response> {
    let p = projects::create_project(&state, &s.actor, req).await?;
    Ok((StatusCode::CREATED, Json(view(&s.actor, p))).into_response())
}

#[utoipa::path(
    get,
    path = "/projects/{id}",
    summary = "One project",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn get_project(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    Ok(match projects::read_project(&state, &s.actor, id).await? {
        ProjectReading::Stored(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        ProjectReading::Decoded(p) => Json(view(&s.actor, *p)).into_response(),
    })
}

#[utoipa::path(
    get,
    path = "/projects/{id}/history",
    summary = "The project's audit history",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn history(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let p = projects::visible_project(&state, &s.actor, id).await?;
    Ok(Json(json!(shanzhi_app::audit::project_history(&state, &s.actor, &p).await?)))
}

pub(crate) async fn act(state: &AppState, s: &auth::Session, id: i64, cmd: Command) -> AppResult<Json<ProjectView>> {
    let p = projects::perform(state, &s.actor, id, cmd).await?;
    Ok(Json(view(&s.actor, p)))
}

/// A handler that applies one project command with its body; its documentation names that very body type.
// rustfmt indents the attribute further on every run.
#[rustfmt::skip]
macro_rules! command_handler {
    ($name:ident: $method:ident $path:literal, $summary:literal, $roles:expr, $req:ident => $make:expr) => {
        #[utoipa::path(
            $method,
            path = $path,
            summary = $summary,
            request_body = $req,
            responses((status = 200, description = "success")),
            extensions(("x-roles" = json!($roles)))
        )]
        async fn $name(
            State(state): State<AppState>,
            ApiSession(s): ApiSession,
            Path(id): Path<i64>,
            ApiJson(req): ApiJson<$req>,
        ) -> AppResult<Json<ProjectView>> {
            act(&state, &s, id, $make(req)).await
        }
    };
}

command_handler!(
    edit_design: put "/projects/{id}/design",
    "Edit the design (design and cost-estimate steps)",
    roles::PURCHASER,
    DesignRequest => Command::EditDesign
);
command_handler!(
    record_visit: post "/projects/{id}/visits",
    "Record a monitoring visit to the running service (acceptance step): on (not before the contract's start, not after today), kind, findings",
    roles::PURCHASER,
    VisitRequest => Command::RecordVisit
);
command_handler!(
    set_cost: put "/projects/{id}/cost-estimate",
    "Set the cost estimate's lines",
    roles::PURCHASER,
    CostRequest => Command::SetCost
);
command_handler!(
    set_funding: put "/projects/{id}/funding",
    "Say which of the department's budget lines pay the estimate (must add up to it)",
    roles::PURCHASER,
    FundingRequest => Command::SetFunding
);
command_handler!(
    review: post "/projects/{id}/review",
    "Approve or return at the current review stage",
    ["reviewer"],
    ReviewRequest => Command::Review
);
command_handler!(
    award: post "/projects/{id}/award",
    "Record a direct award to an eligible provider",
    roles::PURCHASER,
    AwardRequest => Command::Award
);
command_handler!(
    sign_contract: post "/projects/{id}/contract",
    "Record the signed contract",
    roles::PURCHASER,
    ContractRequest => Command::SignContract
);
command_handler!(
    cancel: post "/projects/{id}/cancel",
    "Cancel before the contract",
    roles::PURCHASER,
    ReasonRequest => Command::Cancel
);
command_handler!(
    terminate: post "/projects/{id}/terminate",
    "Terminate a signed contract",
    roles::PURCHASER,
    ReasonRequest => Command::Terminate
);

#[utoipa::path(
    post,
    path = "/projects/{id}/finish-design",
    summary = "Finish the design; go on to the cost estimate",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PURCHASER)))
)]
async fn finish_design(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<ProjectView>> {
    act(&state, &s, id, Command::FinishDesign).await
}

#[utoipa::path(
    post,
    path = "/projects/{id}/submit",
    summary = "Submit for review",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PURCHASER)))
)]
async fn submit(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<ProjectView>> {
    act(&state, &s, id, Command::Submit).await
}

#[utoipa::path(
    post,
    path = "/projects/{id}/milestones/{n}/report",
    summary = "File the service report of milestone n (0-based)",
    request_body = projects::ReportRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PROVIDER)))
)]
async fn file_report(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, usize)>,
    ApiJson(req): ApiJson<projects::ReportRequest>,
) -> AppResult<Json<ProjectView>> {
    act(&state, &s, id, Command::FileReport(n, req)).await
}

#[utoipa::path(
    post,
    path = "/projects/{id}/milestones/{n}/decision",
    summary = "Accept or reject milestone n",
    request_body = projects::AcceptanceRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PURCHASER)))
)]
async fn decide(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, usize)>,
    ApiJson(req): ApiJson<projects::AcceptanceRequest>,
) -> AppResult<Json<ProjectView>> {
    act(&state, &s, id, Command::Decide(n, req)).await
}

/// The budget lines the caller may see, newest first, one page (filters: `year`, `org`, `source`).
#[utoipa::path(
    get,
    path = "/budgets",
    summary = "Budget lines with balances (available, reserved, committed, paid); ?year=",
    params(Listing<crate::filters::BudgetFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn list_budgets(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<crate::filters::BudgetFilters>,
) -> AppResult<Json<Listed<shanzhi_app::BudgetView>>> {
    Ok(Json(
        shanzhi_app::budgets::budget_page(&state, &s.actor, &crate::filters::budget_filter(&q)?, q.page).await?.into(),
    ))
}

#[utoipa::path(
    post,
    path = "/budgets",
    summary = "Allocate a budget line to a department (finance)",
    request_body = shanzhi_app::budgets::BudgetRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::FINANCE)))
)]
async fn add_budget(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<shanzhi_app::budgets::BudgetRequest>,
) -> AppResult<Response> {
    let b = shanzhi_app::budgets::add(&state, &s.actor, req).await?;
    Ok((StatusCode::CREATED, Json(b)).into_response())
}

#[utoipa::path(
    post,
    path = "/budgets/{id}/grants",
    summary = "Grant part of a budget line to another department",
    request_body = shanzhi_app::budgets::GrantRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(["admin", "reviewer", "purchaser"])))
)]
async fn grant_budget(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<shanzhi_app::budgets::GrantRequest>,
) -> AppResult<Response> {
    let b = shanzhi_app::budgets::grant(&state, &s.actor, id, req).await?;
    Ok((StatusCode::CREATED, Json(b)).into_response())
}

/// One budget line's ledger, newest first, one page.
#[utoipa::path(
    get,
    path = "/budgets/{id}/ledger",
    summary = "The append-only ledger of one budget line",
    params(Listing<crate::filters::NoFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn budget_ledger(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    Listing(q, _): Listing<crate::filters::NoFilters>,
) -> AppResult<Json<Listed<shanzhi_app::LedgerRow>>> {
    Ok(Json(shanzhi_app::budgets::ledger(&state, &s.actor, id, q.page).await?.into()))
}

#[utoipa::path(
    get,
    path = "/standards",
    summary = "Spending standards: the most one unit of a service may cost",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
async fn standards(State(state): State<AppState>) -> AppResult<Json<Value>> {
    Ok(Json(json!(shanzhi_app::reference::standards(&state).await?)))
}

#[utoipa::path(
    put,
    path = "/standards/{code}",
    summary = "Add or change a spending standard (finance)",
    request_body = shanzhi_app::budgets::StandardRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::FINANCE)))
)]
async fn set_standard(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<shanzhi_app::budgets::StandardRequest>,
) -> AppResult<Json<Value>> {
    let standard = shanzhi_app::budgets::set_standard(&state, &s.actor, &code, req).await?;
    Ok(Json(json!(standard)))
}

/// `?year=` (read by [`crate::export::parse_year`], which answers `invalid_year`) and `?region=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatisticsQuery {
    #[param(value_type = Option<i32>)]
    year: Option<String>,
    region: Option<String>,
}

/// The statistics of `?year=` (all years without it) and `?region=` (a subtree; the caller's whole view without
/// it): the same object as `shanzhi report summary --json`, of the part the caller reads, except that its long
/// lists hold their first few with their count — the departments (`departments_total`, the rest:
/// `/statistics/departments`), the townships (`townships_total`, `/statistics/townships`) and each year's
/// welfare-lottery warnings (`warnings_total`, `/statistics/warnings`).
#[utoipa::path(
    get,
    path = "/statistics",
    summary = "Statistics of ?year= (all years without it) and ?region= (a subtree), as `report summary --json` with the first departments, townships and warnings and their counts; supervisors and finance",
    params(StatisticsQuery),
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(["admin", "supervisor", "reviewer"])))
)]
async fn statistics(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Query(q): Query<StatisticsQuery>,
) -> AppResult<Json<shanzhi_domain::statistics::Statistics>> {
    let year = crate::export::parse_year(q.year.as_deref())?;
    let region = q.region.as_deref().filter(|r| !r.is_empty());
    let list = Shown::First(shanzhi_app::statistics::FIRST_SHOWN);
    Ok(Json(shanzhi_app::statistics::for_reader(&state, &s.actor, year, region, list).await?))
}

/// The welfare-lottery warnings — lottery money committed to projects outside social work — of `?year=` (the
/// budget line's; every year without it) within `?region=`, newest first, one page; the cursor is the project's id
/// times 10,000 plus the year.
#[utoipa::path(
    get,
    path = "/statistics/warnings",
    summary = "Welfare-lottery money committed outside social work, one warning per project and line year, newest first, one page; supervisors and finance",
    params(Listing<crate::filters::StatisticsFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(["admin", "supervisor", "reviewer"])))
)]
async fn statistics_warnings(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<crate::filters::StatisticsFilters>,
) -> AppResult<Json<Listed<YearWarning>>> {
    let year = crate::export::parse_year(q.text("year").as_deref())?;
    let region = q.text("region");
    let page = shanzhi_app::statistics::warnings(&state, &s.actor, year, region.as_deref(), q.page).await?;
    Ok(Json(page.into()))
}

/// The departments' figures of `?year=` (every year without it) within `?region=` — those with a contract or a
/// payment in it, which the statistics list largest first — by id newest first, one page; the cursor is an id.
#[utoipa::path(
    get,
    path = "/statistics/departments",
    summary = "Each department's contracts and payments of ?year= within ?region=, by id newest first, one page; supervisors and finance",
    params(Listing<crate::filters::StatisticsFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(["admin", "supervisor", "reviewer"])))
)]
async fn statistics_departments(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<crate::filters::StatisticsFilters>,
) -> AppResult<Json<Listed<DepartmentRow>>> {
    let year = crate::export::parse_year(q.text("year").as_deref())?;
    let region = q.text("region");
    let page = shanzhi_app::statistics::departments(&state, &s.actor, year, region.as_deref(), q.page).await?;
    Ok(Json(page.into()))
}

/// The townships' figures of `?year=` (every year without it) within `?region=` (with the one a village lies in),
/// in code order, one page; the cursor is a township's code.
#[utoipa::path(
    get,
    path = "/statistics/townships",
    summary = "Each township's projects, posts and contracts of ?year= within ?region=, in code order, one page; supervisors and finance",
    params(Listing<crate::filters::TownshipFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(["admin", "supervisor", "reviewer"])))
)]
async fn statistics_townships(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<crate::filters::TownshipFilters>,
) -> AppResult<Json<Listed<TownshipRow>>> {
    let year = crate::export::parse_year(q.text("year").as_deref())?;
    let region = q.text("region");
    let (after, limit) = (q.after.as_deref(), q.page.limit);
    let page = shanzhi_app::statistics::townships(&state, &s.actor, year, region.as_deref(), after, limit).await?;
    Ok(Json(page.into()))
}

#[utoipa::path(
    put,
    path = "/projects/{id}/posts/{n}/holder",
    summary = "Put a social worker the provider employs into post n (0-based)",
    request_body = projects::PostHolderRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PROVIDER)))
)]
async fn fill_post(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, usize)>,
    ApiJson(req): ApiJson<projects::PostHolderRequest>,
) -> AppResult<Json<ProjectView>> {
    act(&state, &s, id, Command::FillPost(n, req)).await
}

#[utoipa::path(
    post,
    path = "/projects/{id}/posts/{n}/vacate",
    summary = "Record that post n's holder left; the post is vacant",
    request_body = projects::ReasonRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PROVIDER)))
)]
async fn vacate_post(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, usize)>,
    ApiJson(req): ApiJson<projects::ReasonRequest>,
) -> AppResult<Json<ProjectView>> {
    act(&state, &s, id, Command::VacatePost(n, req)).await
}

/// The bought social-work posts the caller may see, newest contracts first, one page (of up to `limit`
/// contracts' posts).
#[utoipa::path(
    get,
    path = "/posts",
    summary = "Bought social-work posts: host unit, holder and certification, yearly cost, vacancies",
    params(Listing<crate::filters::NoFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn posts(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<crate::filters::NoFilters>,
) -> AppResult<Json<Listed<projects::PostView>>> {
    Ok(Json(projects::post_page(&state, &s.actor, q.page).await?.into()))
}

/// The caller's work queue, one page: what each project waits on them to do.
#[utoipa::path(
    get,
    path = "/queue",
    summary = "What waits on me, newest first, one page",
    params(Listing<crate::filters::NoFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn queue(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<crate::filters::NoFilters>,
) -> AppResult<Json<Listed<QueueItem>>> {
    Ok(Json(projects::queue_page(&state, &s.actor, q.page).await?.into()))
}

/// An upload as a multipart form: its `file` part (read by `file_part`).
#[derive(Default, Serialize, ToSchema)]
pub struct Upload {
    #[schema(content_media_type = "application/octet-stream")]
    pub file: String,
}

/// The `file` part of an API upload: its name and bytes.
pub async fn file_part(mut form: Multipart) -> AppResult<(String, axum::body::Bytes)> {
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::bad_request(ErrorCode::InvalidUpload, e.body_text(), e.body_text()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field.bytes().await.map_err(|_| {
                AppError::from(DomainError::field("file", ErrorCode::FileTooLarge, "文件过大", "the file is too large"))
            })?;
            return Ok((name, bytes));
        }
    }
    Err(AppError::from(DomainError::field(
        "file",
        ErrorCode::Required,
        "请选择要上传的文件",
        "choose a file to upload",
    )))
}

#[utoipa::path(
    post,
    path = "/files",
    summary = "Upload a file (multipart field `file`)",
    request_body(content = Upload, content_type = "multipart/form-data"),
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(["purchaser", "provider"])))
)]
async fn upload(State(state): State<AppState>, ApiSession(s): ApiSession, form: Multipart) -> AppResult<Response> {
    let (name, bytes) = file_part(form).await?;
    let meta = shanzhi_app::files::upload(&state, &s.actor, &name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(meta)).into_response())
}

/// A file as a download, for one who may read it (`shanzhi_app::files::download`).
pub async fn file_response(state: &AppState, actor: &Actor, id: i64) -> AppResult<Response> {
    let (file, bytes) = shanzhi_app::files::download(state, actor, id).await?;
    let disposition = format!("attachment; filename*=UTF-8''{}", percent_encode(&file.name));
    Ok(([(header::CONTENT_TYPE, file.content_type.clone()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[utoipa::path(
    get,
    path = "/files/{id}",
    summary = "Download a file",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn download(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    file_response(&state, &s.actor, id).await
}

#[utoipa::path(
    get,
    path = "/audit/head",
    summary = "Current head of the audit chain (sequence number and hash)",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
async fn audit_head(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let (seq, hash) = shanzhi_app::audit::head(&state).await?;
    Ok(Json(json!({"seq": seq, "hash": hash})))
}

/// The events after sequence number `after`, at most `limit` of them.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct EventsQuery {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    100
}

/// The chain, for anyone: every event's number, time, action, hashes and payload hash; each payload only to a
/// reader in its scope (see `shanzhi_domain::audit::Scope`).
#[utoipa::path(
    get,
    path = "/audit/events",
    summary = "The audit chain after a sequence number: public; each payload only to readers in its scope",
    params(EventsQuery),
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
async fn audit_events(
    State(state): State<AppState>,
    auth::MaybeApiSession(s): auth::MaybeApiSession,
    Query(q): Query<EventsQuery>,
) -> AppResult<Json<Value>> {
    let reader = s.as_ref().map(|s| &s.actor);
    Ok(Json(json!(shanzhi_app::audit::chain(&state, reader, q.after, q.limit).await?)))
}

#[derive(Deserialize)]
struct ClockRequest {
    #[serde(default)]
    advance_days: i64,
    #[serde(default)]
    advance_seconds: i64,
}

/// Only routed when the server was started in test mode.
async fn move_clock(State(state): State<AppState>, ApiJson(req): ApiJson<ClockRequest>) -> AppResult<Json<Value>> {
    let clock = state.test_clock.as_ref().ok_or_else(AppError::not_found)?;
    if req.advance_days < 0 || req.advance_seconds < 0 {
        return Err(AppError::bad_request(
            ErrorCode::ClockBackwards,
            "测试时钟只能向前拨",
            "the test clock only moves forward",
        ));
    }
    clock.advance(
        chrono::Duration::days(req.advance_days.min(3650))
            + chrono::Duration::seconds(req.advance_seconds.min(86_400 * 3650)),
    );
    Ok(Json(json!({"now": state.clock.now().to_rfc3339()})))
}

/// Every documented operation of `/api/v1`, each registered with its documentation (its handler's
/// `#[utoipa::path]`), so that no route goes undocumented and no documented operation unrouted.
pub fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_session, delete_session))
        .routes(routes!(crate::accounts::api_me))
        .routes(routes!(crate::accounts::api_change_password))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(regions))
        .routes(routes!(catalogue))
        .routes(routes!(organisations, add_organisation))
        .routes(routes!(users, add_user))
        .routes(routes!(crate::accounts::api_disable))
        .routes(routes!(crate::accounts::api_enable))
        .routes(routes!(crate::accounts::api_reset_password))
        .routes(routes!(queue))
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project))
        .routes(routes!(history))
        .routes(routes!(edit_design))
        .routes(routes!(finish_design))
        .routes(routes!(set_cost))
        .routes(routes!(set_funding))
        .routes(routes!(list_budgets, add_budget))
        .routes(routes!(grant_budget))
        .routes(routes!(budget_ledger))
        .routes(routes!(statistics))
        .routes(routes!(statistics_warnings))
        .routes(routes!(statistics_departments))
        .routes(routes!(statistics_townships))
        .routes(routes!(standards))
        .routes(routes!(set_standard))
        .routes(routes!(submit))
        .routes(routes!(review))
        .routes(routes!(award))
        .routes(routes!(sign_contract))
        .routes(routes!(file_report))
        .routes(routes!(decide))
        .routes(routes!(record_visit))
        .routes(routes!(fill_post))
        .routes(routes!(vacate_post))
        .routes(routes!(posts))
        .routes(routes!(cancel))
        .routes(routes!(terminate))
        .routes(routes!(upload))
        .routes(routes!(download))
        .routes(routes!(audit_head))
        .routes(routes!(audit_events))
        .routes(routes!(crate::jobs::api_runs))
        .merge(crate::procure_api::router())
        .merge(crate::approvals::router())
        .merge(crate::feedback::router())
        .merge(crate::money_api::router())
        .merge(crate::evaluation_api::router())
        .merge(crate::credit_api::router())
        .merge(crate::registry_api::router())
        .routes(routes!(crate::flags_api::red_flags))
        .routes(routes!(crate::pool::api_registrations, crate::pool::api_register))
        .routes(routes!(crate::pool::api_own_registration))
        .routes(routes!(crate::pool::api_verify))
        .routes(routes!(crate::pool::api_reject))
        .routes(routes!(crate::pool::api_experts, crate::pool::api_add_expert))
        .routes(routes!(crate::pool::api_own_expert, crate::pool::api_update_own_expert))
        .routes(routes!(crate::pool::api_expert, crate::pool::api_update_expert))
}

pub fn router(test_mode: bool) -> Router<AppState> {
    let (routes, _) = documented().split_for_parts();
    let r = routes.route("/openapi.json", get(|| async { Json(crate::openapi::document()) }));
    if test_mode {
        r.route("/test/clock", post(move_clock)).route("/test/jobs/{job}", post(crate::jobs::test_run))
    } else {
        r
    }
}
