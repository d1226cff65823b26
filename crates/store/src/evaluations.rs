//! What a performance evaluation needs beside the project's record: evaluators' declared ties to providers, the
//! evaluators a provider had before (for the conflict check), and the grades counted by year.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};
use shanzhi_domain::audit::Action;
use shanzhi_domain::evaluation::{Tie, TieKind};
use shanzhi_domain::org::{OrgKind, Verification};

use crate::error::classify;
use crate::listing::{Arg, Where};
use crate::read::Cells;
use crate::sql::ts;
use crate::{By, Page, PageRequest, Result, SqlStore, StoreError};

#[async_trait]
pub trait EvaluationStore: Send + Sync {
    /// Records a declared tie, with its audit event, in one transaction.
    async fn declare_tie(&self, by: &By, tie: Tie, now: DateTime<Utc>) -> Result<Tie>;
    /// The ties `evaluator_org_id` declared to `provider_org_id`.
    async fn ties_between(&self, evaluator_org_id: i64, provider_org_id: i64) -> Result<Vec<Tie>>;
    /// An evaluator's declared ties, newest first.
    async fn ties_of(&self, evaluator_org_id: i64, page: PageRequest) -> Result<Page<Tie>>;
    /// The evaluators commissioned for the provider's other projects, latest first, at most `limit`.
    async fn recent_evaluators(&self, provider_org_id: i64, except_project: i64, limit: u32) -> Result<Vec<i64>>;
    /// Evaluations whose result was fixed in `year` (China dates; every year: `None`), by grade code.
    async fn grades_in(&self, year: Option<i32>) -> Result<BTreeMap<String, i64>>;
    /// Organisations that may provide (active, verified, not class one), by kind code.
    async fn providers_by_kind(&self) -> Result<BTreeMap<String, i64>>;
}

const TIE_COLUMNS: &str = "id, evaluator_org_id, provider_org_id, kind, since, until, note";

fn date(s: &str) -> Result<NaiveDate> {
    s.parse().map_err(|e| StoreError::Corrupt(format!("date {s}: {e}")))
}

fn tie_from_row(r: &dyn Cells) -> Result<Tie> {
    let kind: String = r.try_get("kind")?;
    Ok(Tie {
        id: r.try_get("id")?,
        evaluator_org_id: r.try_get("evaluator_org_id")?,
        provider_org_id: r.try_get("provider_org_id")?,
        kind: TieKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("tie kind {kind}")))?,
        since: date(&r.try_get::<String>("since")?)?,
        until: r.try_get::<Option<String>>("until")?.as_deref().map(date).transpose()?,
        note: r.try_get("note")?,
    })
}

#[async_trait]
impl EvaluationStore for SqlStore {
    async fn declare_tie(&self, by: &By, tie: Tie, now: DateTime<Utc>) -> Result<Tie> {
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO evaluator_ties (evaluator_org_id, provider_org_id, kind, since, until, note, declared_by, \
             declared_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(tie.evaluator_org_id)
        .bind(tie.provider_org_id)
        .bind(tie.kind.code())
        .bind(tie.since.to_string())
        .bind(tie.until.map(|d| d.to_string()))
        .bind(tie.note.trim())
        .bind(by.user_id)
        .bind(ts(now))
        .fetch_one(&mut *w.tx)
        .await
        .map_err(classify)?;
        let tie = Tie { id: sqlx::Row::try_get(&row, 0)?, note: tie.note.trim().to_string(), ..tie };
        let after: Value = json!({
            "evaluator_org_id": tie.evaluator_org_id,
            "provider_org_id": tie.provider_org_id,
            "kind": tie.kind.code(),
            "since": tie.since,
            "until": tie.until,
        });
        let event = by.event(Action::EvaluatorTieDeclare, "evaluator_tie", &tie.id.to_string(), Value::Null, after);
        self.commit_with(w, event, now).await?;
        Ok(tie)
    }

    async fn ties_between(&self, evaluator_org_id: i64, provider_org_id: i64) -> Result<Vec<Tie>> {
        let sql = format!(
            "SELECT {TIE_COLUMNS} FROM evaluator_ties WHERE evaluator_org_id = $1 AND provider_org_id = $2 ORDER BY id"
        );
        self.fetch_all(&sql, vec![Arg::Int(evaluator_org_id), Arg::Int(provider_org_id)], tie_from_row).await
    }

    async fn ties_of(&self, evaluator_org_id: i64, page: PageRequest) -> Result<Page<Tie>> {
        let mut w = Where::default();
        let v = w.int(evaluator_org_id);
        w.and(format!("evaluator_org_id = {v}"));
        let sql = format!("SELECT {TIE_COLUMNS} FROM evaluator_ties{}", w.page_sql("id", page));
        let ties = self.fetch_all(&sql, w.into_args(), tie_from_row).await?;
        Ok(Page::cut(ties, page.limit, |t| t.id))
    }

    async fn recent_evaluators(&self, provider_org_id: i64, except_project: i64, limit: u32) -> Result<Vec<i64>> {
        // A provider has a handful of projects: its index reads them, newest first.
        let sql = "SELECT p.evaluator_org_id AS e FROM projects p WHERE p.provider_org_id = $1 AND p.id <> $2 \
                   AND p.evaluator_org_id IS NOT NULL ORDER BY p.id DESC LIMIT $3";
        let args = vec![Arg::Int(provider_org_id), Arg::Int(except_project), Arg::Int(i64::from(limit))];
        self.fetch_all(sql, args, |r| r.try_get::<i64>("e")).await
    }

    async fn grades_in(&self, year: Option<i32>) -> Result<BTreeMap<String, i64>> {
        let (from, to) = match year {
            Some(y) => (format!("{y:04}-01-01"), format!("{y:04}-12-31")),
            None => ("0000-01-01".into(), "9999-12-31".into()),
        };
        let sql = "SELECT p.grade AS grade, COUNT(*) AS n FROM projects p \
                   WHERE p.graded_on >= $1 AND p.graded_on <= $2 AND p.grade IS NOT NULL GROUP BY p.grade";
        let count = |r: &dyn Cells| Ok((r.try_get::<String>("grade")?, r.try_get::<i64>("n")?));
        let rows = self.fetch_all(sql, vec![Arg::Text(from), Arg::Text(to)], count).await?;
        Ok(rows.into_iter().collect())
    }

    async fn providers_by_kind(&self) -> Result<BTreeMap<String, i64>> {
        let mut w = Where::default();
        let kinds: Vec<String> =
            OrgKind::ALL.iter().filter(|k| k.is_provider_kind()).map(|k| w.text(k.code())).collect();
        let verified = w.text(Verification::Verified.code());
        let sql = format!(
            "SELECT kind, COUNT(*) AS n FROM organisations WHERE kind IN ({}) AND active = 1 AND class_one = 0 \
             AND verification = {verified} GROUP BY kind",
            kinds.join(", ")
        );
        let count = |r: &dyn Cells| Ok((r.try_get::<String>("kind")?, r.try_get::<i64>("n")?));
        let rows = self.fetch_all(&sql, w.into_args(), count).await?;
        Ok(rows.into_iter().collect())
    }
}
