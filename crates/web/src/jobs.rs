//! Scheduled jobs, done once however many servers share the database: the daily purge of expired sessions and
//! the deadline sweep that marks overdue procurement duties. The binary's scheduler calls [`run`] on every
//! server; the store lets one server do each run (see `shanzhi_store::jobs`). The runs are listed for
//! administrators, and a test-mode server runs a job when asked.

use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use shanzhi_domain::calendar::china_date;
use shanzhi_domain::jobs::Job;
use shanzhi_domain::org::Role;
use shanzhi_domain::procurement::{Duty, Procurement};
use shanzhi_store::{JobRun, JobWork};

use crate::auth::ApiSession;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// The run of `job` that is due at `now`: its run key.
pub fn run_key(state: &AppState, job: Job, now: DateTime<Utc>) -> String {
    job.run_key(now, state.rules.deadline_sweep_minutes)
}

/// Does the run of `job` due now, unless a server (this one or another) already has. Returns the run key and
/// the run when this server did it.
pub async fn run(state: &AppState, job: Job) -> AppResult<(String, Option<JobRun>)> {
    let now = state.clock.now();
    let key = run_key(state, job, now);
    let today = china_date(now);
    let overdue = |p: &Procurement| -> Vec<Duty> {
        p.duties(&state.rules, &state.calendar, today).into_iter().filter(|d| d.overdue).collect()
    };
    let work = match job {
        Job::SessionPurge => JobWork::PurgeSessions,
        Job::DeadlineSweep => JobWork::SweepDeadlines(&overdue),
    };
    let run = state.store.run_job(work, &key, &state.instance, now).await?;
    Ok((key, run))
}

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
    if !s.actor.has(Role::Admin) {
        return Err(AppError::forbidden("read_job_runs"));
    }
    let job = q.job.as_deref().map(parse_job).transpose()?;
    Ok(Json(json!(state.store.job_runs(job, q.limit).await?)))
}

/// `POST /api/v1/test/jobs/{job}`: does the job's run due now, as the scheduler would. Test mode only.
pub async fn test_run(State(state): State<AppState>, Path(job): Path<String>) -> AppResult<Json<Value>> {
    if state.test_clock.is_none() {
        return Err(AppError::not_found());
    }
    let (key, run) = run(&state, parse_job(&job)?).await?;
    Ok(Json(json!({"job": job, "run_key": key, "ran": run.is_some(), "run": run})))
}
