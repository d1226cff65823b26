//! Providers' credit records: finance's blacklistings, kept with the last day of the provider's bar on its
//! organisation in one transaction, and what its projects say of it (grades, contracts ended early, service reports
//! late or rejected), counted in SQL.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shanzhi_domain::audit::Action;
use shanzhi_domain::credit::Blacklisting;

use crate::listing::Arg;
use crate::read::Cells;
use crate::sql::ts;
use crate::{By, Result, SqlStore, StoreError};

/// What a provider's projects say of it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ProjectRecord {
    /// Finished evaluations by grade code.
    pub grades: BTreeMap<String, i64>,
    /// Contracts the purchaser ended early.
    pub terminated: i64,
    /// Contracts completed.
    pub completed: i64,
    /// Milestones whose first service report came after their due day.
    pub reports_late: i64,
    /// Milestones the purchaser rejected at acceptance.
    pub reports_rejected: i64,
    /// Public complaints about its services that the competent department found true.
    pub complaints_upheld: i64,
}

#[async_trait]
pub trait CreditStore: Send + Sync {
    /// Records finance's decision and bars the provider until its last day, with its audit event, in one
    /// transaction.
    async fn blacklist(&self, by: &By, b: Blacklisting, now: DateTime<Utc>) -> Result<Blacklisting>;
    /// A provider's blacklistings, newest first.
    async fn blacklistings_of(&self, provider_org_id: i64) -> Result<Vec<Blacklisting>>;
    async fn project_record(&self, provider_org_id: i64) -> Result<ProjectRecord>;
}

fn blacklisting_from_row(r: &dyn Cells) -> Result<Blacklisting> {
    let data: String = r.try_get("data")?;
    let mut b: Blacklisting =
        serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("blacklisting: {e}")))?;
    b.id = r.try_get("id")?;
    Ok(b)
}

#[async_trait]
impl CreditStore for SqlStore {
    async fn blacklist(&self, by: &By, b: Blacklisting, now: DateTime<Utc>) -> Result<Blacklisting> {
        let data = |b: &Blacklisting| serde_json::to_string(b).map_err(|e| StoreError::Corrupt(e.to_string()));
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO blacklistings (provider_org_id, from_on, until_on, decided_at, data) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(b.provider_org_id)
        .bind(b.from.to_string())
        .bind(b.until.to_string())
        .bind(ts(b.decided_at))
        .bind(data(&b)?)
        .fetch_one(&mut *w.tx)
        .await
        .map_err(crate::error::classify)?;
        let b = Blacklisting { id: sqlx::Row::try_get(&row, 0)?, ..b };
        // The bar a later decision sets never shortens an earlier one's.
        sqlx::query(
            "UPDATE organisations SET barred_until = $1 WHERE id = $2 AND (barred_until IS NULL OR barred_until < $1)",
        )
        .bind(b.until.to_string())
        .bind(b.provider_org_id)
        .execute(&mut *w.tx)
        .await?;
        let after: Value = json!({
            "blacklisting_id": b.id,
            "from": b.from,
            "until": b.until,
            "years": b.years,
            "reason": b.reason,
        });
        let event =
            by.event(Action::ProviderBlacklist, "organisation", &b.provider_org_id.to_string(), Value::Null, after);
        self.commit_with(w, event, now).await?;
        Ok(b)
    }

    async fn blacklistings_of(&self, provider_org_id: i64) -> Result<Vec<Blacklisting>> {
        self.fetch_all(
            "SELECT id, data FROM blacklistings WHERE provider_org_id = $1 ORDER BY id DESC",
            vec![Arg::Int(provider_org_id)],
            blacklisting_from_row,
        )
        .await
    }

    async fn project_record(&self, provider_org_id: i64) -> Result<ProjectRecord> {
        let rows = self
            .fetch_all(
                "SELECT p.status AS status, p.grade AS grade, COUNT(*) AS n, \
                 CAST(SUM(p.reports_late) AS BIGINT) AS late, CAST(SUM(p.reports_rejected) AS BIGINT) AS rejected \
                 FROM projects p WHERE p.provider_org_id = $1 GROUP BY p.status, p.grade",
                vec![Arg::Int(provider_org_id)],
                |r| {
                    let status: String = r.try_get("status")?;
                    let reports = (r.try_get::<i64>("late")?, r.try_get::<i64>("rejected")?);
                    Ok((status, r.try_get::<Option<String>>("grade")?, r.try_get::<i64>("n")?, reports))
                },
            )
            .await?;
        let complaints_upheld = self
            .fetch_optional(
                "SELECT COUNT(*) AS n FROM feedback WHERE upheld_against = $1",
                vec![Arg::Int(provider_org_id)],
                |r| r.try_get::<i64>("n"),
            )
            .await?
            .unwrap_or(0);
        let mut record = ProjectRecord { complaints_upheld, ..ProjectRecord::default() };
        for (status, grade, n, (late, rejected)) in rows {
            record.reports_late += late;
            record.reports_rejected += rejected;
            match status.as_str() {
                "terminated" => record.terminated += n,
                "completed" => record.completed += n,
                _ => {}
            }
            if let Some(g) = grade {
                *record.grades.entry(g).or_default() += n;
            }
        }
        Ok(record)
    }
}
