//! What open data (OCDS) reads: the public steps in the order they committed, and the projects they belong to.
//! The steps are the audit log's own events — a notice published, a milestone accepted and paid, a project
//! cancelled, a contract terminated — so their order is the chain's, which commits one write after another: a
//! cursor on the sequence number can neither skip a step that commits later nor repeat one.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shanzhi_domain::audit::Action;
use shanzhi_domain::notice::Notice;
use shanzhi_domain::project::Project;

use crate::error::{Result, StoreError};
use crate::listing::Arg;
use crate::sql::{parse_ts, ts, SqlStore};

/// The audit actions that are public steps; `0041_release_steps.sql` (PostgreSQL: `0045_…`) indexes exactly these.
const STEPS: &str = "action IN ('notice.publish', 'project.milestone_accept', 'project.cancel', 'project.terminate')";

/// One public step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The audit event's sequence number: the cursor.
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub kind: StepKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Notice { notice_id: i64 },
    Payment { project_id: i64, milestone: usize },
    Cancellation { project_id: i64 },
    Termination { project_id: i64 },
}

/// Which steps to read: after a cursor, within dates.
#[derive(Debug, Clone, Default)]
pub struct StepFilter {
    pub after_seq: i64,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait OpenDataStore {
    /// Up to `limit` public steps after the filter's cursor, in commit order.
    async fn steps(&self, filter: &StepFilter, limit: i64) -> Result<Vec<Step>>;
    async fn project_by_code(&self, code: &str) -> Result<Option<Project>>;
    /// The notices `ids`, in any order (a missing one is left out).
    async fn notices_by_ids(&self, ids: &[i64]) -> Result<Vec<Notice>>;
    /// Up to `limit` projects with a published notice after project `after_id`, by id, each with its notices
    /// oldest first: the bulk export's walk.
    async fn public_projects(&self, after_id: i64, limit: i64) -> Result<Vec<(Project, Vec<Notice>)>>;
    /// The projects `ids` (those that exist), by id, each with its notices oldest first.
    async fn processes(&self, ids: &[i64]) -> Result<Vec<(Project, Vec<Notice>)>>;
    /// The highest id of a project with a published notice (0 when none).
    async fn last_public_project(&self) -> Result<i64>;
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

#[async_trait]
impl OpenDataStore for SqlStore {
    async fn steps(&self, filter: &StepFilter, limit: i64) -> Result<Vec<Step>> {
        let milestone = if self.is_postgres() {
            "CAST(after_json::jsonb #>> '{detail,milestone}' AS BIGINT)"
        } else {
            "CAST(json_extract(after_json, '$.detail.milestone') AS INTEGER)"
        };
        let mut sql = format!(
            "SELECT seq, at, action, object_id, CASE WHEN action = 'project.milestone_accept' THEN {milestone} END \
             AS milestone FROM audit_events WHERE {STEPS} AND seq > $1"
        );
        let mut args = vec![Arg::Int(filter.after_seq)];
        for (op, at) in [(">=", filter.since), ("<", filter.until)] {
            if let Some(at) = at {
                args.push(Arg::Text(ts(at)));
                sql.push_str(&format!(" AND at {op} ${}", args.len()));
            }
        }
        args.push(Arg::Int(limit));
        sql.push_str(&format!(" ORDER BY seq LIMIT ${}", args.len()));
        self.fetch_all(&sql, args, |r| {
            let action: String = r.try_get("action")?;
            let object: String = r.try_get("object_id")?;
            let id: i64 = object.parse().map_err(|_| StoreError::Corrupt(format!("audit object id {object}")))?;
            let kind = match Action::parse(&action) {
                Some(Action::NoticePublish) => StepKind::Notice { notice_id: id },
                Some(Action::ProjectMilestoneAccept) => {
                    let m: Option<i64> = r.try_get("milestone")?;
                    let milestone = m
                        .and_then(|m| usize::try_from(m).ok())
                        .ok_or_else(|| StoreError::Corrupt(format!("milestone of audit event {object}")))?;
                    StepKind::Payment { project_id: id, milestone }
                }
                Some(Action::ProjectCancel) => StepKind::Cancellation { project_id: id },
                Some(Action::ProjectTerminate) => StepKind::Termination { project_id: id },
                _ => return Err(StoreError::Corrupt(format!("audit action {action} is no public step"))),
            };
            Ok(Step { seq: r.try_get("seq")?, at: parse_ts(&r.try_get::<String>("at")?)?, kind })
        })
        .await
    }

    async fn project_by_code(&self, code: &str) -> Result<Option<Project>> {
        self.fetch_optional(
            &format!("SELECT {} FROM projects p WHERE p.code = $1", crate::projects::COLUMNS),
            vec![Arg::Text(code.to_string())],
            crate::projects::project_from_row,
        )
        .await
    }

    async fn notices_by_ids(&self, ids: &[i64]) -> Result<Vec<Notice>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT * FROM notices WHERE id IN ({})", id_list(ids));
        self.fetch_all(&sql, vec![], crate::notice_rows::notice_from_row).await
    }

    async fn last_public_project(&self) -> Result<i64> {
        let last = self
            .fetch_optional("SELECT MAX(project_id) AS last FROM notices", vec![], |r| r.try_get::<Option<i64>>("last"))
            .await?;
        Ok(last.flatten().unwrap_or(0))
    }

    async fn public_projects(&self, after_id: i64, limit: i64) -> Result<Vec<(Project, Vec<Notice>)>> {
        let ids: Vec<i64> = self
            .fetch_all(
                "SELECT DISTINCT project_id FROM notices WHERE project_id > $1 ORDER BY project_id LIMIT $2",
                vec![Arg::Int(after_id), Arg::Int(limit)],
                |r| r.try_get::<i64>("project_id"),
            )
            .await?;
        self.processes(&ids).await
    }

    async fn processes(&self, ids: &[i64]) -> Result<Vec<(Project, Vec<Notice>)>> {
        // The projects, then all their notices: two statements whatever the number.
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = id_list(ids);
        let projects = self
            .fetch_all(
                &format!("SELECT {} FROM projects p WHERE p.id IN ({list}) ORDER BY p.id", crate::projects::COLUMNS),
                vec![],
                crate::projects::project_from_row,
            )
            .await?;
        let notices = self
            .fetch_all(
                &format!("SELECT * FROM notices WHERE project_id IN ({list}) ORDER BY project_id, published_at, id"),
                vec![],
                crate::notice_rows::notice_from_row,
            )
            .await?;
        let mut out: Vec<(Project, Vec<Notice>)> = projects.into_iter().map(|p| (p, Vec::new())).collect();
        for n in notices {
            if let Ok(at) = out.binary_search_by_key(&n.notice.project_id, |(p, _)| p.id) {
                out[at].1.push(n);
            }
        }
        Ok(out)
    }
}
