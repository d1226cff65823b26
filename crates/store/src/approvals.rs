//! Applications for a method other than open tender, and finance's decisions on them, in SQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shanzhi_domain::procurement::MethodApproval;
use shanzhi_domain::project::Change;
use shanzhi_domain::DomainError;
use sqlx::Row;

use crate::error::{classify, Result, StoreError};
use crate::listing::{Arg, Page, PageRequest, Where};
use crate::read::Cells;
use crate::sql::{flag, ts};
use crate::{By, SqlStore};

#[async_trait]
pub trait ApprovalStore: Send + Sync {
    /// Inserts a new application with its audit event; returns it with its id.
    async fn insert_method_approval(
        &self,
        by: &By,
        a: MethodApproval,
        change: &Change,
        now: DateTime<Utc>,
    ) -> Result<MethodApproval>;
    /// Saves a decision if nobody saved another since `before` was read.
    async fn save_method_approval(
        &self,
        by: &By,
        before: &MethodApproval,
        after: &MethodApproval,
        change: &Change,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn method_approval(&self, id: i64) -> Result<Option<MethodApproval>>;
    /// The applications of one project, oldest first.
    async fn method_approvals_of_project(&self, project_id: i64) -> Result<Vec<MethodApproval>>;
    /// A page of the applications `filter` chooses, newest first.
    async fn method_approval_page(&self, filter: &ApprovalFilter, page: PageRequest) -> Result<Page<MethodApproval>>;
}

/// Which applications a list holds: those of `own_org`'s projects, and with `region` those of every project in
/// that region subtree too ("" for everywhere); only undecided ones when `pending_only`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApprovalFilter {
    pub own_org: i64,
    pub region: Option<String>,
    pub pending_only: bool,
}

fn from_row(r: &dyn Cells) -> Result<MethodApproval> {
    let data: String = r.try_get("data")?;
    let mut a: MethodApproval =
        serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("method approval data: {e}")))?;
    a.id = r.try_get("id")?;
    a.version = r.try_get("version")?;
    Ok(a)
}

fn data(a: &MethodApproval) -> Result<String> {
    serde_json::to_string(a).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn snapshot(a: &MethodApproval) -> Value {
    json!({"project_id": a.project_id, "method": a.method.code(), "version": a.version, "decided": a.decision.is_some()})
}

const COLUMNS: &str = "id, version, data";

#[async_trait]
impl ApprovalStore for SqlStore {
    async fn insert_method_approval(
        &self,
        by: &By,
        a: MethodApproval,
        change: &Change,
        now: DateTime<Utc>,
    ) -> Result<MethodApproval> {
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO method_approvals (project_id, version, region, purchaser_org_id, decided, data, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(a.project_id)
        .bind(a.version)
        .bind(&a.region)
        .bind(a.purchaser_org_id)
        .bind(flag(a.decision.is_some()))
        .bind("{}")
        .bind(ts(now))
        .bind(ts(now))
        .fetch_one(&mut *w.tx)
        .await
        .map_err(classify)?;
        let mut a = a;
        a.id = row.try_get(0)?;
        sqlx::query("UPDATE method_approvals SET data = $1 WHERE id = $2")
            .bind(data(&a)?)
            .bind(a.id)
            .execute(&mut *w.tx)
            .await?;
        let mut after = snapshot(&a);
        after["detail"] = change.detail.clone();
        let event = by.event(change.action, "method_approval", &a.id.to_string(), Value::Null, after);
        self.commit_with(w, event, now).await?;
        Ok(a)
    }

    async fn save_method_approval(
        &self,
        by: &By,
        before: &MethodApproval,
        after: &MethodApproval,
        change: &Change,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE method_approvals SET version = $1, decided = $2, data = $3, updated_at = $4 WHERE id = $5 AND version = $6",
        )
        .bind(after.version)
        .bind(flag(after.decision.is_some()))
        .bind(data(after)?)
        .bind(ts(now))
        .bind(after.id)
        .bind(before.version)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(DomainError::StaleVersion.into());
        }
        let mut snap = snapshot(after);
        snap["detail"] = change.detail.clone();
        let event = by.event(change.action, "method_approval", &after.id.to_string(), snapshot(before), snap);
        self.commit_with(w, event, now).await
    }

    async fn method_approval(&self, id: i64) -> Result<Option<MethodApproval>> {
        self.fetch_optional(
            &format!("SELECT {COLUMNS} FROM method_approvals WHERE id = $1"),
            vec![Arg::from(id)],
            from_row,
        )
        .await
    }

    async fn method_approvals_of_project(&self, project_id: i64) -> Result<Vec<MethodApproval>> {
        self.fetch_all(
            &format!("SELECT {COLUMNS} FROM method_approvals WHERE project_id = $1 ORDER BY id"),
            vec![Arg::from(project_id)],
            from_row,
        )
        .await
    }

    async fn method_approval_page(&self, filter: &ApprovalFilter, page: PageRequest) -> Result<Page<MethodApproval>> {
        let mut w = Where::default();
        let own = w.int(filter.own_org);
        match &filter.region {
            Some(root) => {
                let within = w.starts_with("region", root);
                w.and(format!("(purchaser_org_id = {own} OR {within})"));
            }
            None => w.and(format!("purchaser_org_id = {own}")),
        }
        if filter.pending_only {
            w.and("decided = 0".to_string());
        }
        let sql = format!("SELECT {COLUMNS} FROM method_approvals{}", w.page_sql("id", page));
        let items = self.fetch_all(&sql, w.into_args(), from_row).await?;
        Ok(Page::cut(items, page.limit, |a| a.id))
    }
}
