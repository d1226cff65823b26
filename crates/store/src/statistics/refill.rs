//! The summary tables that sum other rows — every project's (`statistics_rows`, `statistics_ledger`) over places,
//! lines, fund sources and departments — filled again from those rows, one `INSERT … SELECT … GROUP BY` each.
//!
//! A bulk load into an empty PostgreSQL store puts them off (`list_indexes.rs`, `gen`): its batches add each project
//! to rows that thousands of others share: a quarter of a million generated projects had made 16 million upserts
//! of fewer than a million shared rows, half of PostgreSQL's time in the load. Filled at the end, each is one pass
//! over the rows it sums. What comes out equals, row for row, what the writes keep (`gen`'s test compares the
//! two): a shared row exists once some project added a non-zero amount to it, as the writes leave out a change of
//! nothing.

use sqlx::AnyConnection;

use super::write::{
    grouped, DEPARTMENTS_TABLE, GROUPED, GROUPS_TABLE, PLACES_TABLE, PLACE_GROUPS_TABLE, SOURCES_TABLE, TOTALS_TABLE,
};
use crate::error::Result;

/// Empties the summary tables summed from other rows and fills them again from those rows, in the caller's
/// transaction.
pub(crate) async fn refill(conn: &mut AnyConnection) -> Result<()> {
    for (table, select) in statements() {
        let name = table.split(' ').next().unwrap_or(table);
        sqlx::query(&format!("DELETE FROM {name}")).execute(&mut *conn).await?;
        sqlx::query(&format!("INSERT INTO {table} {select}")).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Each table with its columns and the query that fills it, in the order they are filled: a table read by a
/// later one comes first.
fn statements() -> Vec<(&'static str, String)> {
    const ANY_ROW: &str = "(s.projects <> 0 OR s.posts <> 0 OR s.amount_fen <> 0)";
    vec![
        (
            crate::contribution::TOTALS_TABLE,
            format!(
                "SELECT s.kind, s.year, s.key, SUM(s.projects), SUM(s.posts), SUM(s.amount_fen) \
                 FROM statistics_rows s WHERE {ANY_ROW} GROUP BY s.kind, s.year, s.key"
            ),
        ),
        (
            crate::contribution::PLACE_TOTALS_TABLE,
            format!(
                "SELECT pl.code, s.kind, s.year, s.key, SUM(s.projects), SUM(s.posts), SUM(s.amount_fen) \
                 FROM statistics_rows s JOIN project_places pl ON pl.project_id = s.project_id WHERE {ANY_ROW} \
                 GROUP BY pl.code, s.kind, s.year, s.key"
            ),
        ),
        (
            TOTALS_TABLE,
            "SELECT budget_id, movement, year, SUM(amount_fen) FROM statistics_ledger GROUP BY budget_id, movement, year"
                .into(),
        ),
        (
            SOURCES_TABLE,
            "SELECT t.movement, t.year, b.source, SUM(t.amount_fen) FROM statistics_ledger_totals t \
             JOIN budgets b ON b.id = t.budget_id GROUP BY t.movement, t.year, b.source"
                .into(),
        ),
        (
            GROUPS_TABLE,
            format!(
                "SELECT t.movement, t.year, {}, SUM(t.amount_fen) FROM statistics_ledger_totals t \
                 JOIN budgets b ON b.id = t.budget_id WHERE t.movement {GROUPED} GROUP BY 1, 2, 3, 4, 5, 6",
                grouped("t.movement")
            ),
        ),
        (
            PLACES_TABLE,
            "SELECT pl.code, l.budget_id, l.movement, l.year, SUM(l.amount_fen) FROM statistics_ledger l \
             JOIN project_places pl ON pl.project_id = l.project_id WHERE l.amount_fen <> 0 \
             GROUP BY pl.code, l.budget_id, l.movement, l.year"
                .into(),
        ),
        (
            PLACE_GROUPS_TABLE,
            format!(
                "SELECT l.code, l.movement, l.year, {}, SUM(l.amount_fen) FROM statistics_ledger_places l \
                 JOIN budgets b ON b.id = l.budget_id WHERE l.movement {GROUPED} GROUP BY 1, 2, 3, 4, 5, 6, 7",
                grouped("l.movement")
            ),
        ),
        (
            DEPARTMENTS_TABLE,
            "SELECT year, org_id, SUM(projects), SUM(posts), SUM(contracted), SUM(paid) FROM (\
             SELECT year, CAST(key AS BIGINT) AS org_id, projects, posts, amount_fen AS contracted, 0 AS paid \
             FROM statistics_totals WHERE kind = 'department' UNION ALL \
             SELECT year, org_id, 0, 0, 0, amount_fen FROM statistics_ledger_groups WHERE movement = 'pay') u \
             GROUP BY year, org_id"
                .into(),
        ),
    ]
}
