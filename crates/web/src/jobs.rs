//! Scheduled jobs over HTTP: the administrators' list of runs and, in test mode, a run on demand
//! (`shanzhi_app::jobs`).

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use shanzhi_domain::jobs::Job;

use crate::auth::ApiSession;
use crate::error::{AppError, AppResult};
use crate::AppState;

#[derive(Deserialize)]
pub struct RunsQuery {
    #[serde(default)]
    job: Option<String>,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    50
}

fn parse_job(code: &str) -> AppResult<Job> {
    Job::parse(code).ok_or_else(|| {
        AppError::bad_request(
            "unknown_job",
            format!("没有名为 {code} 的定时任务"),
            format!("there is no job named {code}"),
        )
    })
}

/// `GET /api/v1/job-runs?job=&limit=`: the latest runs, newest first (administrators).
pub async fn api_runs(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Query(q): Query<RunsQuery>,
) -> AppResult<Json<Value>> {
    let job = q.job.as_deref().map(parse_job).transpose()?;
    Ok(Json(json!(shanzhi_app::jobs::runs(&state, &s.actor, job, q.limit).await?)))
}

/// `POST /api/v1/test/jobs/{job}`: does the job's run due now, as the scheduler would. Test mode only.
pub async fn test_run(State(state): State<AppState>, Path(job): Path<String>) -> AppResult<Json<Value>> {
    if state.test_clock.is_none() {
        return Err(AppError::not_found());
    }
    let (key, run) = shanzhi_app::jobs::run(&state, parse_job(&job)?).await?;
    Ok(Json(json!({"job": job, "run_key": key, "ran": run.is_some(), "run": run})))
}
