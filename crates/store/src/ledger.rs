//! The ledger in SQL: budget lines' balances summed from their entries, and entries checked before they are
//! appended, inside the caller's transaction.

use chrono::{DateTime, Utc};
use shanzhi_domain::budget::{Balances, Budget, Entry, Movement};
use shanzhi_domain::{DomainError, ErrorCode, Money};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

use crate::error::{Result, StoreError};
use crate::listing::{Arg, Where};
use crate::rows::insert_rows;
use crate::sql::{budget_from_row, ts, BUDGET_COLUMNS};
use crate::{BudgetView, SqlStore};

impl SqlStore {
    /// Balances of budget lines as they stand inside the caller's transaction, from the ledger's per-line sums
    /// (kept with every entry in the same transaction). On PostgreSQL the lines are locked first (in id order, so
    /// two writers cannot deadlock), so a concurrent writer on another server waits until this transaction ends
    /// and then sees its entries.
    pub(crate) async fn balances_in(
        &self,
        conn: &mut AnyConnection,
        ids: &[i64],
        for_update: bool,
    ) -> Result<BTreeMap<i64, Balances>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        if for_update && self.is_postgres() {
            let mut w = Where::default();
            let list: Vec<String> = ids.iter().map(|id| w.int(*id)).collect();
            let sql = format!("SELECT id FROM budgets WHERE id IN ({}) ORDER BY id FOR UPDATE", list.join(", "));
            w.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?;
        }
        let mut w = Where::default();
        let list: Vec<String> = ids.iter().map(|id| w.int(*id)).collect();
        let sql = format!(
            "SELECT b.id, t.movement, CAST(SUM(t.amount_fen) AS BIGINT) AS total FROM budgets b \
             LEFT JOIN statistics_ledger_totals t ON t.budget_id = b.id WHERE b.id IN ({}) GROUP BY b.id, t.movement",
            list.join(", ")
        );
        let mut totals: BTreeMap<i64, BTreeMap<Movement, Money>> = BTreeMap::new();
        for r in w.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await? {
            let line = totals.entry(r.try_get("id")?).or_default();
            // A line without entries comes once, with no movement.
            if let Some(m) = r.try_get::<Option<String>, _>("movement")? {
                let m = Movement::parse(&m).ok_or_else(|| StoreError::Corrupt(format!("ledger movement {m}")))?;
                line.insert(m, Money::from_fen(r.try_get::<i64, _>("total")?));
            }
        }
        if totals.len() != ids.len() {
            return Err(
                DomainError::field("budget_id", ErrorCode::UnknownBudget, "预算不存在", "no such budget line").into()
            );
        }
        Ok(totals
            .into_iter()
            .map(|(id, t)| (id, Balances::from_totals(|m| t.get(&m).copied().unwrap_or(Money::ZERO))))
            .collect())
    }

    /// Checks and appends ledger entries inside the caller's transaction; refuses all of them if any one
    /// would take a bucket below zero.
    pub(crate) async fn write_ledger(
        &self,
        conn: &mut AnyConnection,
        entries: &[Entry],
        actor_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = entries.iter().map(|e| e.budget_id).collect();
        let mut balances = self.balances_in(conn, &ids, true).await?;
        self.check_open_years(conn, entries).await?;
        for e in entries {
            let b = balances.get_mut(&e.budget_id).ok_or_else(|| StoreError::Corrupt("budget vanished".into()))?;
            b.apply(e.movement, e.amount)?;
        }
        let rows = entries
            .iter()
            .map(|e| {
                vec![
                    Arg::Int(e.budget_id),
                    Arg::Text(e.movement.code().into()),
                    Arg::Int(e.amount.fen()),
                    Arg::OptInt(e.project_id),
                    Arg::OptInt(actor_id),
                    Arg::Text(ts(now)),
                ]
            })
            .collect();
        insert_rows(conn, "INSERT INTO ledger (budget_id, movement, amount_fen, project_id, actor_id, at)", "", rows)
            .await?;
        crate::statistics::add_ledger_entries(conn, entries, now).await
    }

    /// One budget line with its balances, without computing every other line's.
    pub(crate) async fn budget_view(&self, id: i64) -> Result<BudgetView> {
        let mut conn = self.reader().await?;
        let budget = self.budget_in(&mut conn, id).await?.ok_or(StoreError::Corrupt("budget vanished".into()))?;
        let balances = self.balances_in(&mut conn, &[id], false).await?.remove(&id).unwrap_or_default();
        Ok(BudgetView { budget, balances })
    }

    pub(crate) async fn budget_in(&self, conn: &mut AnyConnection, id: i64) -> Result<Option<Budget>> {
        let row = sqlx::query(&format!("SELECT {BUDGET_COLUMNS} FROM budgets WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(budget_from_row).transpose()
    }
}
