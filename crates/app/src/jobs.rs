//! Scheduled jobs, done once however many servers share the database: the daily purge of expired sessions and
//! the deadline sweep that marks overdue procurement duties. The binary's scheduler calls [`run`] on every
//! server; the store lets one server do each run (see `shanzhi_store::jobs`). The runs are listed for
//! administrators.

use chrono::{DateTime, Utc};
use shanzhi_domain::calendar::china_date;
use shanzhi_domain::jobs::Job;
use shanzhi_domain::org::{Actor, Role};
use shanzhi_domain::procurement::{Duty, Procurement};
use shanzhi_store::{JobRun, JobWork, Page, PageRequest};

use crate::{App, Error, Result};

/// The run of `job` that is due at `now`: its run key.
pub fn run_key(app: &App, job: Job, now: DateTime<Utc>) -> String {
    job.run_key(now, app.rules.deadline_sweep_minutes)
}

/// Does the run of `job` due now, unless a server (this one or another) already has. Returns the run key and
/// the run when this server did it.
pub async fn run(app: &App, job: Job) -> Result<(String, Option<JobRun>)> {
    let now = app.clock.now();
    let key = run_key(app, job, now);
    let today = china_date(now);
    let overdue = |p: &Procurement| -> Vec<Duty> {
        p.duties(&app.rules, &app.calendar, today).into_iter().filter(|d| d.overdue).collect()
    };
    let work = match job {
        Job::SessionPurge => JobWork::PurgeSessions,
        Job::DeadlineSweep => JobWork::SweepDeadlines(&overdue),
    };
    let run = app.store.run_job(work, &key, &app.instance, now).await?;
    Ok((key, run))
}

/// One page of runs (of `job`, or of every job), newest first: for administrators.
pub async fn run_page(app: &App, actor: &Actor, job: Option<Job>, page: PageRequest) -> Result<Page<JobRun>> {
    if !actor.has(Role::Admin) {
        return Err(Error::forbidden("read_job_runs"));
    }
    Ok(app.store.job_run_page(job, page).await?)
}
