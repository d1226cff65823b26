//! The JSON API under `/api/v1`. Every handler authenticates by bearer token (except the public ones),
//! checks the role and scope on the server, and answers errors as `{code, message, message_en}`.

use axum::extract::{FromRequest, Multipart, Path, Query, RawQuery, Request, State};

use crate::paging::{ListQuery, Listed};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shanzhi_app::SessionKind;
use shanzhi_domain::org::Actor;
use shanzhi_domain::project::{waiting_on, Project};
use shanzhi_domain::visibility::{self, ProjectAccess};
use shanzhi_domain::DomainError;

use crate::auth::{self, AccountSession, ApiSession};
use crate::error::{AppError, AppResult};
use crate::throttle::ClientAddr;
use crate::AppState;
use shanzhi_app::directory::{self, OrganisationRequest, UserRequest};
use shanzhi_app::projects::{self, Command};

/// JSON body whose parse failures answer in our error format instead of axum's plain text.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(AppError::bad_request(
                "invalid_json",
                format!("请求内容不是有效的 JSON 或缺少字段：{}", e.body_text()),
                format!("the request body is not valid JSON for this endpoint: {}", e.body_text()),
            )),
        }
    }
}

/// A project as the API shows it: the stored project as the reader may see it, plus what is derived from it.
#[derive(Serialize)]
pub struct ProjectView {
    #[serde(flatten)]
    pub project: Project,
    pub step: &'static str,
    /// The cost estimate's total: not for the provider, which reads no cost lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<shanzhi_domain::Money>,
    pub returned: bool,
    pub waiting_on_me: Option<&'static str>,
    /// The contract's amount with its signed supplementary contracts.
    pub contract_total: Option<shanzhi_domain::Money>,
}

/// `p` as `actor` reads it; the caller has checked that `actor` may see it at all.
pub fn view(actor: &Actor, p: &Project) -> ProjectView {
    let access = visibility::project_access(actor, p).unwrap_or(ProjectAccess::Provider);
    ProjectView {
        project: visibility::project_for(access, p),
        step: p.status.step(),
        total: (access == ProjectAccess::Full).then(|| p.total()),
        returned: p.is_returned(),
        waiting_on_me: waiting_on(actor, p),
        contract_total: p.contract.as_ref().map(|c| c.total()),
    }
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

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

async fn delete_session(State(state): State<AppState>, AccountSession(s): AccountSession) -> AppResult<StatusCode> {
    shanzhi_app::sessions::sign_out(&state, &s).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct TokenRequest {
    label: String,
    #[serde(default)]
    days: Option<i64>,
}

async fn list_tokens(State(state): State<AppState>, ApiSession(s): ApiSession) -> AppResult<Json<Value>> {
    Ok(Json(json!(shanzhi_app::sessions::list_tokens(&state, &s).await?)))
}

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

async fn revoke_token(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    shanzhi_app::sessions::revoke_token(&state, &s, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn regions(State(state): State<AppState>) -> AppResult<Json<Value>> {
    Ok(Json(json!(shanzhi_app::reference::regions(&state).await?)))
}

async fn catalogue(State(state): State<AppState>) -> AppResult<Json<Value>> {
    Ok(Json(json!(shanzhi_app::reference::catalogue(&state).await?)))
}

/// The organisations the caller may list, one page (filters: `kind`, `region`).
async fn organisations(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<Listed<shanzhi_domain::org::Organisation>>> {
    let q = ListQuery::parse(raw.as_deref(), &crate::filters::ORGANISATION_FILTERS)?;
    let filter = crate::filters::organisation_filter(&q)?;
    Ok(Json(directory::organisation_page(&state, &s.actor, filter, q.page).await?.into()))
}

async fn add_organisation(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<OrganisationRequest>,
) -> AppResult<Response> {
    let org = directory::add_organisation(&state, &s.actor, req).await?;
    Ok((StatusCode::CREATED, Json(org)).into_response())
}

/// Users, one page, for the administrator (filters: `org`, `role`).
async fn users(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<Listed<shanzhi_domain::org::User>>> {
    let q = ListQuery::parse(raw.as_deref(), &crate::filters::USER_FILTERS)?;
    Ok(Json(directory::user_page(&state, &s.actor, &crate::filters::user_filter(&q)?, q.page).await?.into()))
}

async fn add_user(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<UserRequest>,
) -> AppResult<Response> {
    let user = directory::add_user(&state, &s.actor, req).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

/// The projects the caller may see, newest first, one page, narrowed by [`crate::filters::PROJECT_FILTERS`].
async fn list_projects(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<Listed<ProjectView>>> {
    let q = ListQuery::parse(raw.as_deref(), &crate::filters::PROJECT_FILTERS)?;
    let page = projects::project_page(&state, &s.actor, &crate::filters::project_filter(&q)?, q.page).await?;
    Ok(Json(page.map(|p| view(&s.actor, &p)).into()))
}

async fn create_project(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<projects::DesignRequest>,
) -> AppResult<Response> {
    let p = projects::create_project(&state, &s.actor, req).await?;
    Ok((StatusCode::CREATED, Json(json!(view(&s.actor, &p)))).into_response())
}

async fn get_project(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let p = projects::visible_project(&state, &s.actor, id).await?;
    Ok(Json(json!(view(&s.actor, &p))))
}

async fn history(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let p = projects::visible_project(&state, &s.actor, id).await?;
    Ok(Json(json!(shanzhi_app::audit::project_history(&state, &s.actor, &p).await?)))
}

pub(crate) async fn act(state: &AppState, s: &auth::Session, id: i64, cmd: Command) -> AppResult<Json<Value>> {
    let p = projects::perform(state, &s.actor, id, cmd).await?;
    Ok(Json(json!(view(&s.actor, &p))))
}

macro_rules! command_handler {
    ($name:ident, $req:ty, $make:expr) => {
        async fn $name(
            State(state): State<AppState>,
            ApiSession(s): ApiSession,
            Path(id): Path<i64>,
            ApiJson(req): ApiJson<$req>,
        ) -> AppResult<Json<Value>> {
            act(&state, &s, id, $make(req)).await
        }
    };
}

command_handler!(edit_design, projects::DesignRequest, Command::EditDesign);
command_handler!(set_cost, projects::CostRequest, Command::SetCost);
command_handler!(set_funding, shanzhi_app::budgets::FundingRequest, Command::SetFunding);
command_handler!(review, projects::ReviewRequest, Command::Review);
command_handler!(award, projects::AwardRequest, Command::Award);
command_handler!(sign_contract, projects::ContractRequest, Command::SignContract);
command_handler!(cancel, projects::ReasonRequest, Command::Cancel);
command_handler!(terminate, projects::ReasonRequest, Command::Terminate);

async fn finish_design(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    act(&state, &s, id, Command::FinishDesign).await
}

async fn submit(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    act(&state, &s, id, Command::Submit).await
}

async fn file_report(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, usize)>,
    ApiJson(req): ApiJson<projects::ReportRequest>,
) -> AppResult<Json<Value>> {
    act(&state, &s, id, Command::FileReport(n, req)).await
}

async fn decide(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, usize)>,
    ApiJson(req): ApiJson<projects::DecisionRequest>,
) -> AppResult<Json<Value>> {
    act(&state, &s, id, Command::Decide(n, req)).await
}

/// The budget lines the caller may see, newest first, one page (filters: `year`, `org`, `source`).
async fn list_budgets(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<Listed<shanzhi_app::BudgetView>>> {
    let q = ListQuery::parse(raw.as_deref(), &crate::filters::BUDGET_FILTERS)?;
    Ok(Json(
        shanzhi_app::budgets::budget_page(&state, &s.actor, &crate::filters::budget_filter(&q)?, q.page).await?.into(),
    ))
}

async fn add_budget(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<shanzhi_app::budgets::BudgetRequest>,
) -> AppResult<Response> {
    let b = shanzhi_app::budgets::add(&state, &s.actor, req).await?;
    Ok((StatusCode::CREATED, Json(b)).into_response())
}

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
async fn budget_ledger(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<Listed<shanzhi_app::LedgerRow>>> {
    let q = ListQuery::parse(raw.as_deref(), &[])?;
    Ok(Json(shanzhi_app::budgets::ledger(&state, &s.actor, id, q.page).await?.into()))
}

async fn standards(State(state): State<AppState>) -> AppResult<Json<Value>> {
    Ok(Json(json!(shanzhi_app::reference::standards(&state).await?)))
}

async fn set_standard(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<shanzhi_app::budgets::StandardRequest>,
) -> AppResult<Json<Value>> {
    let standard = shanzhi_app::budgets::set_standard(&state, &s.actor, &code, req).await?;
    Ok(Json(json!(standard)))
}

/// The statistics of `?year=` (all years without it) and `?region=` (a subtree; the caller's whole view without
/// it): the same object as `shanzhi report summary --json`, of the part the caller reads.
async fn statistics(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> AppResult<Json<shanzhi_domain::statistics::Statistics>> {
    let year = crate::export::parse_year(q.get("year").map(String::as_str))?;
    let region = q.get("region").map(String::as_str).filter(|r| !r.is_empty());
    Ok(Json(shanzhi_app::statistics::for_reader(&state, &s.actor, year, region).await?))
}

async fn fill_post(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, usize)>,
    ApiJson(req): ApiJson<projects::PostHolderRequest>,
) -> AppResult<Json<Value>> {
    act(&state, &s, id, Command::FillPost(n, req)).await
}

async fn vacate_post(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, usize)>,
    ApiJson(req): ApiJson<projects::ReasonRequest>,
) -> AppResult<Json<Value>> {
    act(&state, &s, id, Command::VacatePost(n, req)).await
}

/// The bought social-work posts the caller may see, newest contracts first, one page (of up to `limit`
/// contracts' posts).
async fn posts(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<Listed<projects::PostView>>> {
    let q = ListQuery::parse(raw.as_deref(), &[])?;
    Ok(Json(projects::post_page(&state, &s.actor, q.page).await?.into()))
}

/// The caller's work queue, one page: what each project waits on them to do.
async fn queue(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<Listed<Value>>> {
    let q = ListQuery::parse(raw.as_deref(), &[])?;
    let page = projects::queue_page(&state, &s.actor, q.page).await?;
    Ok(Json(
        page.map(|(p, duty)| json!({"project_id": p.id, "code": p.code, "title": p.design.title, "duty": duty, "status": p.status.code()}))
            .into(),
    ))
}

/// The `file` part of an API upload: its name and bytes.
pub async fn file_part(mut form: Multipart) -> AppResult<(String, axum::body::Bytes)> {
    while let Some(field) =
        form.next_field().await.map_err(|e| AppError::bad_request("invalid_upload", e.body_text(), e.body_text()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field.bytes().await.map_err(|_| {
                AppError::from(DomainError::field("file", "file_too_large", "文件过大", "the file is too large"))
            })?;
            return Ok((name, bytes));
        }
    }
    Err(AppError::from(DomainError::field("file", "required", "请选择要上传的文件", "choose a file to upload")))
}

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

async fn download(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    file_response(&state, &s.actor, id).await
}

async fn audit_head(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let (seq, hash) = shanzhi_app::audit::head(&state).await?;
    Ok(Json(json!({"seq": seq, "hash": hash})))
}

#[derive(Deserialize)]
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
            "clock_backwards",
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

pub fn router(test_mode: bool) -> Router<AppState> {
    let r = Router::new()
        .route("/openapi.json", get(|| async { Json(crate::openapi::document()) }))
        .route("/session", post(create_session).delete(delete_session))
        .route("/me", get(crate::accounts::api_me))
        .route("/me/password", put(crate::accounts::api_change_password))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{token_id}", axum::routing::delete(revoke_token))
        .route("/regions", get(regions))
        .route("/catalogue", get(catalogue))
        .route("/organisations", get(organisations).post(add_organisation))
        .route("/users", get(users).post(add_user))
        .route("/users/{id}/disable", post(crate::accounts::api_disable))
        .route("/users/{id}/enable", post(crate::accounts::api_enable))
        .route("/users/{id}/password-reset", post(crate::accounts::api_reset_password))
        .route("/queue", get(queue))
        .route("/projects", get(list_projects).post(create_project))
        .route("/projects/{id}", get(get_project))
        .route("/projects/{id}/history", get(history))
        .route("/projects/{id}/design", put(edit_design))
        .route("/projects/{id}/finish-design", post(finish_design))
        .route("/projects/{id}/cost-estimate", put(set_cost))
        .route("/projects/{id}/funding", put(set_funding))
        .route("/budgets", get(list_budgets).post(add_budget))
        .route("/budgets/{id}/grants", post(grant_budget))
        .route("/budgets/{id}/ledger", get(budget_ledger))
        .route("/statistics", get(statistics))
        .route("/standards", get(standards))
        .route("/standards/{code}", put(set_standard))
        .route("/projects/{id}/submit", post(submit))
        .route("/projects/{id}/review", post(review))
        .route("/projects/{id}/award", post(award))
        .route("/projects/{id}/contract", post(sign_contract))
        .route("/projects/{id}/milestones/{n}/report", post(file_report))
        .route("/projects/{id}/milestones/{n}/decision", post(decide))
        .route("/projects/{id}/posts/{n}/holder", put(fill_post))
        .route("/projects/{id}/posts/{n}/vacate", post(vacate_post))
        .route("/posts", get(posts))
        .route("/projects/{id}/cancel", post(cancel))
        .route("/projects/{id}/terminate", post(terminate))
        .route("/files", post(upload))
        .route("/files/{id}", get(download))
        .route("/audit/head", get(audit_head))
        .route("/audit/events", get(audit_events))
        .route("/job-runs", get(crate::jobs::api_runs))
        .merge(crate::procure_api::router())
        .merge(crate::approvals::router())
        .merge(crate::money_api::router())
        .route("/registrations", get(crate::pool::api_registrations).post(crate::pool::api_register))
        .route("/registrations/mine", get(crate::pool::api_own_registration))
        .route("/registrations/{id}/verify", post(crate::pool::api_verify))
        .route("/registrations/{id}/reject", post(crate::pool::api_reject))
        .route("/experts", get(crate::pool::api_experts).post(crate::pool::api_add_expert))
        .route("/experts/me", get(crate::pool::api_own_expert).put(crate::pool::api_update_own_expert))
        .route("/experts/{id}", get(crate::pool::api_expert).put(crate::pool::api_update_expert));
    if test_mode {
        r.route("/test/clock", post(move_clock)).route("/test/jobs/{job}", post(crate::jobs::test_run))
    } else {
        r
    }
}
