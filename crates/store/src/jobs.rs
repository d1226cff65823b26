//! Scheduled jobs in SQL. A run is claimed by one INSERT into `job_runs`, whose UNIQUE(job, run_key) lets
//! exactly one of the servers asking for the same run win; the winner does the work, completes the row and
//! appends the audit event in that same transaction. A run that fails leaves nothing behind, so the next tick
//! (on any server) does it again. Also the overdue marks the deadline sweep keeps.

use crate::listing::{Page, PageRequest, Where};
use crate::read::Cells;
use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use shanzhi_domain::jobs::Job;
use shanzhi_domain::procurement::{Duty, Procurement};
use shanzhi_domain::sign_in::FORGIVEN_AFTER_HOURS;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

use crate::error::{Result, StoreError};
use crate::procure::procurement_from_row;
use crate::sql::{ts, SqlStore};
use crate::{Backend, By, Store};

/// One recorded run of a job.
#[derive(Debug, Clone, Serialize)]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    /// The period the run was for: a China date, or the start of a sweep's slot.
    pub run_key: String,
    /// The server that did it (`serve --instance`).
    pub server: String,
    pub started_at: String,
    pub finished_at: String,
    /// What it did: rows deleted, duties marked and resolved.
    pub outcome: Value,
}

/// A procurement duty the deadline sweep found overdue.
#[derive(Debug, Clone, Serialize)]
pub struct OverdueMark {
    #[serde(skip)]
    pub id: i64,
    pub procurement_id: i64,
    pub code: String,
    pub challenge: Option<u32>,
    pub due: NaiveDate,
    pub marked_at: String,
    pub resolved_at: Option<String>,
    /// Who resolved it: the one whose change did the duty, or the sweep.
    pub resolved_by: Option<String>,
}

impl OverdueMark {
    /// Whether this mark is about `duty` (the same duty, due the same day) of its procurement.
    pub fn is_for(&self, duty: &Duty) -> bool {
        self.code == duty.code && self.challenge == duty.challenge && self.due == duty.due
    }
}

/// Which of a procurement's duties are overdue now: the domain decides, the sweep records.
pub type OverdueFn<'a> = &'a (dyn Fn(&Procurement) -> Vec<Duty> + Send + Sync);

/// What a job does inside its run's transaction.
pub enum JobWork<'a> {
    /// Deletes sessions and tokens expired by now, and sign-in counts idle for a day.
    PurgeSessions,
    /// Marks the duties `overdue` names and resolves open marks of duties it no longer names.
    SweepDeadlines(OverdueFn<'a>),
}

impl JobWork<'_> {
    pub fn job(&self) -> Job {
        match self {
            JobWork::PurgeSessions => Job::SessionPurge,
            JobWork::SweepDeadlines(_) => Job::DeadlineSweep,
        }
    }
}

#[async_trait]
pub trait JobStore: Send + Sync {
    /// Claims run `run_key` of the work's job for `server` and does the work, in one transaction with the run's
    /// record and its audit event. `None`: the run was already claimed, here or by another server, and
    /// nothing was done.
    async fn run_job(
        &self,
        work: JobWork<'_>,
        run_key: &str,
        server: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<JobRun>>;
    /// Runs (of `job`, or of every job), newest first, one page.
    async fn job_run_page(&self, job: Option<Job>, page: PageRequest) -> Result<Page<JobRun>>;
    /// Overdue marks not yet resolved of these procurements, by due date. A request asks for the procurements it
    /// shows: the open marks of the whole province grow with the province.
    async fn open_overdue_marks(&self, procurement_ids: &[i64]) -> Result<Vec<OverdueMark>>;
}

/// Procurements read at once by the sweep.
const SWEEP_PAGE: i64 = 200;

fn run_from_row(r: &dyn Cells) -> Result<JobRun> {
    let outcome: String = r.try_get("outcome")?;
    Ok(JobRun {
        id: r.try_get("id")?,
        job: r.try_get("job")?,
        run_key: r.try_get("run_key")?,
        server: r.try_get("server")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
        outcome: serde_json::from_str(&outcome).map_err(|e| StoreError::Corrupt(format!("job outcome: {e}")))?,
    })
}

fn mark_from_row(r: &dyn Cells) -> Result<OverdueMark> {
    let due: String = r.try_get("due")?;
    let challenge: i64 = r.try_get("challenge")?;
    Ok(OverdueMark {
        id: r.try_get("id")?,
        procurement_id: r.try_get("procurement_id")?,
        code: r.try_get("code")?,
        challenge: u32::try_from(challenge).ok().filter(|c| *c != 0),
        due: due.parse().map_err(|_| StoreError::Corrupt(format!("overdue mark due {due}")))?,
        marked_at: r.try_get("marked_at")?,
        resolved_at: r.try_get("resolved_at")?,
        resolved_by: r.try_get("resolved_by")?,
    })
}

fn describe(procurement_id: i64, code: &str, challenge: Option<u32>, due: NaiveDate) -> Value {
    json!({"procurement_id": procurement_id, "code": code, "challenge": challenge, "due": due})
}

const MARK_COLUMNS: &str = "id, procurement_id, code, challenge, due, marked_at, resolved_at, resolved_by";

/// Procurements whose marks one statement reads: a page's worth, well within every backend's bound on a
/// statement's arguments.
const MARKS_READ_AT_ONCE: usize = 200;

impl SqlStore {
    async fn open_marks_in(&self, conn: &mut AnyConnection, procurement_id: Option<i64>) -> Result<Vec<OverdueMark>> {
        let rows = match procurement_id {
            Some(id) => {
                sqlx::query(&format!(
                    "SELECT {MARK_COLUMNS} FROM overdue_duties WHERE resolved_at IS NULL AND procurement_id = $1 ORDER BY due, id"
                ))
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {MARK_COLUMNS} FROM overdue_duties WHERE resolved_at IS NULL ORDER BY due, procurement_id, id"
                ))
                .fetch_all(&mut *conn)
                .await?
            }
        };
        rows.iter().map(|r| mark_from_row(r)).collect()
    }

    async fn resolve_mark(
        &self,
        conn: &mut AnyConnection,
        mark: &OverdueMark,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE overdue_duties SET resolved_at = $1, resolved_by = $2 WHERE id = $3 AND resolved_at IS NULL",
        )
        .bind(ts(now))
        .bind(by)
        .bind(mark.id)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Resolves, inside the caller's transaction (a change saved to the procurement), the open marks of duties
    /// that are no longer among `outstanding`: the change did them.
    pub(crate) async fn resolve_done_duties(
        &self,
        conn: &mut AnyConnection,
        procurement_id: i64,
        outstanding: &[Duty],
        by: &By,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if let Some(batch) = &self.batch {
            // A batch looks for marks once, not at every save: marks are made by the deadline sweep, which waits
            // for the batch on SQLite; one made on another server meanwhile is resolved by the next sweep.
            let marked = || crate::bulk::lock(&batch.marked);
            if marked().is_none() {
                let rows = sqlx::query("SELECT DISTINCT procurement_id FROM overdue_duties WHERE resolved_at IS NULL")
                    .fetch_all(&mut *conn)
                    .await?;
                let ids = rows.iter().map(|r| r.try_get::<i64, _>(0)).collect::<std::result::Result<_, _>>()?;
                *marked() = Some(ids);
            }
            if !marked().as_ref().is_some_and(|m| m.contains(&procurement_id)) {
                return Ok(());
            }
        }
        for mark in self.open_marks_in(conn, Some(procurement_id)).await? {
            if !outstanding.iter().any(|d| mark.is_for(d)) {
                self.resolve_mark(conn, &mark, &by.name, now).await?;
            }
        }
        Ok(())
    }

    async fn purge_sessions(&self, conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<Value> {
        let sessions =
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(ts(now)).execute(&mut *conn).await?;
        // The sign-in throttle forgives counts idle this long; a failed sign-in sweeps them too, but only then.
        let idle = ts(now - Duration::hours(FORGIVEN_AFTER_HOURS));
        let counts =
            sqlx::query("DELETE FROM sign_in_throttle WHERE last_at < $1").bind(idle).execute(&mut *conn).await?;
        Ok(json!({"sessions_deleted": sessions.rows_affected(), "sign_in_counts_deleted": counts.rows_affected()}))
    }

    /// Brings every procurement's overdue marks in line with `overdue`, page by page.
    async fn sweep_deadlines(
        &self,
        conn: &mut AnyConnection,
        run_id: i64,
        overdue: OverdueFn<'_>,
        by: &By,
        now: DateTime<Utc>,
    ) -> Result<Value> {
        let mut open: BTreeMap<i64, Vec<OverdueMark>> = BTreeMap::new();
        for mark in self.open_marks_in(conn, None).await? {
            open.entry(mark.procurement_id).or_default().push(mark);
        }
        let (mut marked, mut resolved, mut seen) = (Vec::new(), Vec::new(), 0u64);
        // Only a procurement that awaits someone has duties (its list column `awaits`, by its partial index), and
        // only one with open marks can have marks to resolve: those two, not every procurement (at a million
        // projects the sweep decoded 231,000 records every hour, 5.5 s inside its write transaction).
        let mut after = 0i64;
        let mut marked_only: Option<Vec<i64>> = None;
        loop {
            let rows = match &mut marked_only {
                None => {
                    let rows = sqlx::query(
                        "SELECT id, version, data FROM procurements WHERE awaits <> 0 AND id > $1 ORDER BY id LIMIT $2",
                    )
                    .bind(after)
                    .bind(SWEEP_PAGE)
                    .fetch_all(&mut *conn)
                    .await?;
                    let Some(last) = rows.last() else {
                        // The awaiting ones are done: then those left with open marks.
                        marked_only = Some(open.keys().copied().collect());
                        continue;
                    };
                    after = last.try_get("id")?;
                    rows
                }
                Some(ids) if ids.is_empty() => break,
                Some(ids) => {
                    let chunk: Vec<i64> = ids.drain(..ids.len().min(SWEEP_PAGE as usize)).collect();
                    let mut w = Where::default();
                    let list: Vec<String> = chunk.iter().map(|id| w.int(*id)).collect();
                    let sql = format!("SELECT id, version, data FROM procurements WHERE id IN ({})", list.join(", "));
                    w.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?
                }
            };
            for row in &rows {
                seen += 1;
                let p = procurement_from_row(row)?;
                let mut marks = open.remove(&p.id).unwrap_or_default();
                let mut due = overdue(&p);
                if same_duties(&due, &marks) {
                    continue;
                }
                if self.backend() == Backend::Postgres {
                    // Decide on the procurement as it is once no change to it can be saved meanwhile: a change
                    // saved since it was read has already resolved the marks of the duties it did.
                    let row = sqlx::query("SELECT id, version, data FROM procurements WHERE id = $1 FOR UPDATE")
                        .bind(p.id)
                        .fetch_one(&mut *conn)
                        .await?;
                    due = overdue(&procurement_from_row(&row)?);
                    marks = self.open_marks_in(conn, Some(p.id)).await?;
                }
                for d in due.iter().filter(|d| !marks.iter().any(|m| m.is_for(d))) {
                    let done = sqlx::query(
                        "INSERT INTO overdue_duties (procurement_id, code, challenge, due, marked_at, marked_by_run) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (procurement_id, code, challenge, due) DO NOTHING",
                    )
                    .bind(p.id)
                    .bind(d.code)
                    .bind(i64::from(d.challenge.unwrap_or(0)))
                    .bind(d.due.to_string())
                    .bind(ts(now))
                    .bind(run_id)
                    .execute(&mut *conn)
                    .await?;
                    if done.rows_affected() == 1 {
                        marked.push(describe(p.id, d.code, d.challenge, d.due));
                    }
                }
                for m in marks.iter().filter(|m| !due.iter().any(|d| m.is_for(d))) {
                    self.resolve_mark(conn, m, &by.name, now).await?;
                    resolved.push(describe(p.id, &m.code, m.challenge, m.due));
                }
            }
        }
        Ok(json!({"procurements": seen, "marked": marked, "resolved": resolved}))
    }
}

/// Whether `overdue` and the open `marks` name the same duties.
fn same_duties(overdue: &[Duty], marks: &[OverdueMark]) -> bool {
    overdue.len() == marks.len() && overdue.iter().all(|d| marks.iter().any(|m| m.is_for(d)))
}

#[async_trait]
impl JobStore for SqlStore {
    async fn run_job(
        &self,
        work: JobWork<'_>,
        run_key: &str,
        server: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<JobRun>> {
        let job = work.job();
        let started = std::time::Instant::now();
        let mut w = self.begin_write().await?;
        // The claim: of several servers inserting the same run, one inserts; the others find the conflict (on
        // PostgreSQL once the winner's transaction has ended) and do nothing.
        let claimed = sqlx::query(
            "INSERT INTO job_runs (job, run_key, server, started_at, finished_at, outcome) VALUES ($1, $2, $3, $4, $4, '{}') \
             ON CONFLICT (job, run_key) DO NOTHING RETURNING id",
        )
        .bind(job.code())
        .bind(run_key)
        .bind(server)
        .bind(ts(now))
        .fetch_optional(&mut *w.tx)
        .await?;
        let Some(claimed) = claimed else { return Ok(None) };
        let id: i64 = claimed.try_get(0)?;
        let by = By::system(job.code());
        let outcome = match work {
            JobWork::PurgeSessions => self.purge_sessions(&mut w.tx, now).await?,
            JobWork::SweepDeadlines(overdue) => self.sweep_deadlines(&mut w.tx, id, overdue, &by, now).await?,
        };
        // The clock may be a test's: the run ends as long after its start as it really took.
        let finished = now + Duration::from_std(started.elapsed()).unwrap_or_default();
        sqlx::query("UPDATE job_runs SET finished_at = $1, outcome = $2 WHERE id = $3")
            .bind(ts(finished))
            .bind(outcome.to_string())
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        let after = json!({"run_key": run_key, "server": server, "outcome": outcome});
        let event = by.event(job.action(), "job_run", &format!("{}:{run_key}", job.code()), Value::Null, after);
        self.commit_with(w, event, now).await?;
        Ok(Some(JobRun {
            id,
            job: job.code().to_string(),
            run_key: run_key.to_string(),
            server: server.to_string(),
            started_at: ts(now),
            finished_at: ts(finished),
            outcome,
        }))
    }

    async fn job_run_page(&self, job: Option<Job>, page: PageRequest) -> Result<Page<JobRun>> {
        let mut w = Where::default();
        if let Some(job) = job {
            let v = w.text(job.code());
            w.and(format!("job = {v}"));
        }
        let sql = format!("SELECT * FROM job_runs{}", w.page_sql("id", page));
        let runs = self.fetch_all(&sql, w.into_args(), run_from_row).await?;
        Ok(Page::cut(runs, page.limit, |r| r.id))
    }

    async fn open_overdue_marks(&self, procurement_ids: &[i64]) -> Result<Vec<OverdueMark>> {
        // Committed data, through the store's read path (on SQLite its own read connections, not the pool's).
        let mut marks = Vec::new();
        for chunk in procurement_ids.chunks(MARKS_READ_AT_ONCE) {
            let mut w = Where::default();
            let list: Vec<String> = chunk.iter().map(|id| w.int(*id)).collect();
            let sql = format!(
                "SELECT {MARK_COLUMNS} FROM overdue_duties WHERE resolved_at IS NULL AND procurement_id IN ({})",
                list.join(", ")
            );
            marks.extend(self.fetch_all(&sql, w.into_args(), mark_from_row).await?);
        }
        marks.sort_by_key(|m| (m.due, m.procurement_id, m.id));
        Ok(marks)
    }
}
