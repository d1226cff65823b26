//! Scheduled jobs over HTTP: the administrators' list of runs and, in test mode, a run on demand
//! (`shanzhi_app::jobs`).

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};
use shanzhi_domain::jobs::Job;
use shanzhi_domain::ErrorCode;

use crate::auth::ApiSession;
use crate::error::{AppError, AppResult};
use crate::openapi::roles;
use crate::paging::{AnyListed, Listed, Listing};
use crate::AppState;

fn parse_job(code: &str) -> AppResult<Job> {
    Job::parse(code).ok_or_else(|| {
        AppError::bad_request(
            ErrorCode::UnknownJob,
            format!("没有名为 {code} 的定时任务"),
            format!("there is no job named {code}"),
        )
    })
}

/// `GET /api/v1/job-runs?job=&limit=&cursor=`: the runs, newest first, one page (administrators).
#[utoipa::path(
    get,
    path = "/job-runs",
    summary = "Runs of the scheduled jobs (session_purge, deadline_sweep), newest first, one page (filter: job)",
    params(Listing<crate::filters::JobRunFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::ADMIN)))
)]
pub async fn api_runs(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<crate::filters::JobRunFilters>,
) -> AppResult<Json<Listed<shanzhi_app::JobRun>>> {
    let job = q.text("job").as_deref().map(parse_job).transpose()?;
    Ok(Json(shanzhi_app::jobs::run_page(&state, &s.actor, job, q.page).await?.into()))
}

/// `POST /api/v1/test/jobs/{job}`: does the job's run due now, as the scheduler would. Test mode only.
pub async fn test_run(State(state): State<AppState>, Path(job): Path<String>) -> AppResult<Json<Value>> {
    if state.test_clock.is_none() {
        return Err(AppError::not_found());
    }
    let (key, run) = shanzhi_app::jobs::run(&state, parse_job(&job)?).await?;
    Ok(Json(json!({"job": job, "run_key": key, "ran": run.is_some(), "run": run})))
}
