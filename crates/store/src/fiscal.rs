//! Closed fiscal years in SQL. Closing locks the year's budget lines as a reservation does, so a closing and a
//! reservation on another server take turns: a reservation either lands before the closing or is refused.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shanzhi_domain::audit::Action;
use shanzhi_domain::fiscal::{check_movement, ClosedYear};
use sqlx::{AnyConnection, Row};

use crate::error::{classify, Result, StoreError};
use crate::sql::{parse_ts, ts};
use crate::{Backend, By, SqlStore, Store};

#[async_trait]
pub trait FiscalStore {
    /// The years finance has closed, oldest first.
    async fn closed_years(&self) -> Result<Vec<ClosedYear>>;
    /// Closes `year` with its audit event; refused with `fiscal_year_closed` when it already is.
    async fn close_fiscal_year(&self, by: &By, year: i32, now: DateTime<Utc>) -> Result<ClosedYear>;
}

fn already_closed(year: i32) -> StoreError {
    match check_movement(shanzhi_domain::budget::Movement::Reserve, year, &[year]) {
        Err(e) => e.into(),
        Ok(()) => StoreError::Corrupt("fiscal year check".into()),
    }
}

/// The closed years, one per row (its one column named `closed`, so a script's rows can tell them apart).
pub(crate) const CLOSED_YEARS: &str = "SELECT year AS closed FROM fiscal_years";

/// A row of [`CLOSED_YEARS`].
pub(crate) fn closed_year(r: &sqlx::any::AnyRow) -> Result<i32> {
    i32::try_from(r.try_get::<i64, _>(0)?).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl SqlStore {
    /// The closed years, inside the caller's transaction.
    pub(crate) async fn closed_years_in(&self, conn: &mut AnyConnection) -> Result<Vec<i32>> {
        sqlx::query(CLOSED_YEARS).fetch_all(&mut *conn).await?.iter().map(closed_year).collect()
    }
}

#[async_trait]
impl FiscalStore for SqlStore {
    async fn closed_years(&self) -> Result<Vec<ClosedYear>> {
        // The closer as they are named now, else as they were named when they closed it.
        let sql =
            "SELECT f.year, f.closed_at, f.closed_by, COALESCE(u.display_name, f.closed_by_name) AS closed_by_name \
                   FROM fiscal_years f LEFT JOIN users u ON u.id = f.closed_by ORDER BY f.year";
        self.fetch_all(sql, vec![], |r| {
            Ok(ClosedYear {
                year: r.try_get::<i64>("year")? as i32,
                closed_at: parse_ts(&r.try_get::<String>("closed_at")?)?,
                closed_by: r.try_get("closed_by")?,
                closed_by_name: r.try_get("closed_by_name")?,
            })
        })
        .await
    }

    async fn close_fiscal_year(&self, by: &By, year: i32, now: DateTime<Utc>) -> Result<ClosedYear> {
        let mut w = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            // In id order, as reservations lock them, so the two cannot deadlock.
            sqlx::query("SELECT id FROM budgets WHERE year = $1 ORDER BY id FOR UPDATE")
                .bind(i64::from(year))
                .fetch_all(&mut *w.tx)
                .await?;
        }
        sqlx::query("INSERT INTO fiscal_years (year, closed_at, closed_by, closed_by_name) VALUES ($1, $2, $3, $4)")
            .bind(i64::from(year))
            .bind(ts(now))
            .bind(by.user_id)
            .bind(&by.name)
            .execute(&mut *w.tx)
            .await
            .map_err(|e| match classify(e) {
                StoreError::Duplicate(_) => already_closed(year),
                other => other,
            })?;
        let event =
            by.event(Action::FiscalYearClose, "fiscal_year", &year.to_string(), Value::Null, json!({"year": year}));
        self.commit_with(w, event, now).await?;
        Ok(ClosedYear { year, closed_at: now, closed_by: by.user_id, closed_by_name: by.name.clone() })
    }
}
