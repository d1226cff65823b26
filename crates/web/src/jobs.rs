//! Scheduled jobs over HTTP: the administrators' list of runs and, in test mode, a run on demand
//! (`shanzhi_app::jobs`).

use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde_json::{json, Value};
use shanzhi_domain::jobs::Job;

use crate::auth::ApiSession;
use crate::error::{AppError, AppResult};
use crate::paging::{ListQuery, Listed};
use crate::AppState;

fn parse_job(code: &str) -> AppResult<Job> {
    Job::parse(code).ok_or_else(|| {
        AppError::bad_request(
            "unknown_job",
            format!("没有名为 {code} 的定时任务"),
            format!("there is no job named {code}"),
        )
    })
}

/// `GET /api/v1/job-runs?job=&limit=&cursor=`: the runs, newest first, one page (administrators).
pub async fn api_runs(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<Listed<shanzhi_app::JobRun>>> {
    let q = ListQuery::parse(raw.as_deref(), &["job"])?;
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
