//! Indexes a bulk load goes without. A generated project adds rows to a dozen indexes that only lists, counts and
//! figures read; at a million projects each batch's rows land all over each of them, so every row cost a search
//! and a page write in an index the page cache no longer held. A load into an empty store drops them first and
//! makes them at its end, each by one sort. Their definitions are kept in `deferred_indexes` (migration 28) in the
//! same transaction as the drop, so a load cut short gets them back when the store is next opened (migrate).
//!
//! The summary tables that sum the projects' own summary rows are put off the same way: a row named
//! [`SUMMARIES`] in `deferred_indexes` says that batches write the projects' rows alone, and its going — when the
//! load ends, or the store is next opened — fills those tables from the rows ([`crate::statistics::refill`]).

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use crate::error::Result;
use crate::{Backend, SqlStore, Store};

/// The indexes no write looks anything up by (writes find rows by primary key, by project or by procurement),
/// and that no unique rule needs.
const LIST_INDEXES: &[&str] = &[
    "audit_events_unscoped",
    "audit_object",
    "ledger_budget",
    "ledger_project",
    "notice_regions_kind",
    "notice_regions_kind_year",
    "notice_regions_year",
    "notices_kind",
    "notices_kind_year",
    "notices_published",
    "notices_year",
    "procurements_agency",
    "procurements_awaiting",
    "procurements_method",
    "procurements_purchaser",
    "procurements_region",
    "procurements_stage",
    "procurements_switch",
    "project_places_step",
    "project_places_step_year",
    "project_places_year",
    "project_posts_host",
    "projects_awaiting",
    "projects_category",
    "projects_provider",
    "projects_provider_step",
    "projects_purchaser",
    "projects_purchaser_awaiting",
    "projects_purchaser_step",
    "projects_reviewed",
    "projects_step",
    "projects_step_year",
    "projects_year",
    "statistics_place_lottery_key",
    "statistics_rows_lottery",
];

/// On PostgreSQL, the tables whose primary key a load into an empty store also goes without: a load only adds
/// rows to them (nothing looks a row up, updates or deletes it by the key until the load ends), and their keys
/// lead with a title's two-character term, so each batch's rows land all over the index. A notice's title gives
/// some 34 terms: at 630,000 notices the key held 21 million rows in 655 MB, and a batch's notices took longer to
/// write than the rest of it. (`project_terms` keeps its key: a renamed project's terms are deleted by it.)
const LOAD_KEYS: &[&str] = &["notice_terms"];

/// The `deferred_indexes` row that puts off the summary tables summed from the projects' rows; it holds no
/// definition: what fills them is the running program's.
const SUMMARIES: &str = "statistics_summaries";

/// Runs `drop` after keeping `definition`, the statement that makes `name` again, in `deferred_indexes`.
async fn put_off(conn: &mut AnyConnection, name: &str, definition: &str, drop: &str) -> Result<()> {
    sqlx::query("INSERT INTO deferred_indexes (name, definition) VALUES ($1, $2)")
        .bind(name)
        .bind(definition)
        .execute(&mut *conn)
        .await?;
    sqlx::raw_sql(drop).execute(&mut *conn).await?;
    Ok(())
}

/// Whether a bulk load has put off the summary tables summed from the projects' rows.
pub(crate) async fn summaries_deferred(conn: &mut AnyConnection) -> Result<bool> {
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM deferred_indexes WHERE name = $1")
        .bind(SUMMARIES)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    Ok(n > 0)
}

/// The statistics' summary tables (`statistics.rs`), which a bulk load fills and their readers count from by index.
const SUMMARY_TABLES: &[&str] = &[
    "statistics_departments",
    "statistics_ledger",
    "statistics_ledger_groups",
    "statistics_ledger_place_groups",
    "statistics_ledger_places",
    "statistics_ledger_sources",
    "statistics_ledger_totals",
    "statistics_place_lottery",
    "statistics_place_totals",
    "statistics_rows",
    "statistics_totals",
];

impl SqlStore {
    /// Drops the list indexes before a bulk load (and on PostgreSQL the [`LOAD_KEYS`]), keeping their definitions
    /// to make them again; answers how many.
    pub async fn defer_list_indexes(&self) -> Result<usize> {
        let mut w = self.begin_write().await?;
        let existing = self.indexes_in(&mut w.tx).await?;
        let mut dropped = 0;
        for name in LIST_INDEXES {
            let Some(definition) = existing.get(*name) else { continue };
            put_off(&mut w.tx, name, definition, &format!("DROP INDEX {name}")).await?;
            dropped += 1;
        }
        if self.backend() == Backend::Postgres {
            for table in LOAD_KEYS {
                let key = sqlx::query(
                    "SELECT CAST(conname AS TEXT) AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint \
                     WHERE conrelid = to_regclass($1) AND contype = 'p'",
                )
                .bind(*table)
                .fetch_optional(&mut *w.tx)
                .await?;
                let Some(key) = key else { continue };
                let (name, definition): (String, String) = (key.try_get("name")?, key.try_get("definition")?);
                let add = format!("ALTER TABLE {table} ADD CONSTRAINT {name} {definition}");
                put_off(&mut w.tx, &name, &add, &format!("ALTER TABLE {table} DROP CONSTRAINT {name}")).await?;
                dropped += 1;
            }
        }
        w.tx.commit().await?;
        Ok(dropped)
    }

    /// Puts off the summary tables summed from the projects' rows until [`SqlStore::restore_list_indexes`] (or the
    /// store's next opening) fills them: a bulk load's batches then write each project's own rows alone.
    pub async fn defer_summaries(&self) -> Result<()> {
        let mut w = self.begin_write().await?;
        if !summaries_deferred(&mut w.tx).await? {
            sqlx::query("INSERT INTO deferred_indexes (name, definition) VALUES ($1, '')")
                .bind(SUMMARIES)
                .execute(&mut *w.tx)
                .await?;
        }
        w.tx.commit().await?;
        Ok(())
    }

    /// Makes the indexes [`SqlStore::defer_list_indexes`] dropped, and fills the summary tables put off by
    /// [`SqlStore::defer_summaries`]; answers how many of the two it did.
    pub async fn restore_list_indexes(&self) -> Result<usize> {
        let mut w = self.begin_write().await?;
        let made = self.restore_indexes_in(&mut w.tx).await?;
        w.tx.commit().await?;
        Ok(made)
    }

    /// After a bulk load, on PostgreSQL: the planner's statistics of every table, which autovacuum would gather
    /// only some time later. Without them a range on a million rows is estimated at a third of the table, and a
    /// city's statistics, answered in 57 ms with them, took 360 ms (a scan where an index answers). SQLite plans
    /// by its indexes alone and keeps no statistics unless told to; none are made for it.
    ///
    /// The summary tables the statistics count from are vacuumed too: a table no vacuum has visited has an empty
    /// visibility map, so an index-only read fetches every row from the table anyway (at a million projects the
    /// province's welfare-lottery warnings were counted from 5,380 rows fetched one by one, 7.6 ms; vacuumed, from
    /// the index alone). `VACUUM` cannot run in a transaction: it runs on a connection of its own, closed after.
    pub async fn analyze(&self) -> Result<()> {
        if self.backend() == Backend::Postgres {
            let mut conn = self.pool().acquire().await?.detach();
            // Longer than a request's statement may take.
            sqlx::raw_sql("SET statement_timeout = 0").execute(&mut conn).await?;
            sqlx::raw_sql(&format!("VACUUM {}", SUMMARY_TABLES.join(", "))).execute(&mut conn).await?;
            sqlx::raw_sql("ANALYZE").execute(&mut conn).await?;
            sqlx::Connection::close(conn).await?;
        }
        Ok(())
    }

    pub(crate) async fn restore_indexes_in(&self, conn: &mut AnyConnection) -> Result<usize> {
        let rows =
            sqlx::query("SELECT name, definition FROM deferred_indexes ORDER BY name").fetch_all(&mut *conn).await?;
        if rows.is_empty() {
            return Ok(0);
        }
        if self.backend() == Backend::Postgres {
            // Sorting a million projects' rows takes longer than a request's statement may, and more memory.
            sqlx::raw_sql("SET LOCAL statement_timeout = 0; SET LOCAL maintenance_work_mem = '256MB'")
                .execute(&mut *conn)
                .await?;
        }
        for r in &rows {
            let (name, definition): (String, String) = (r.try_get("name")?, r.try_get("definition")?);
            if name == SUMMARIES {
                tracing::info!("filling the statistics' summary tables");
                crate::statistics::refill(conn).await?;
            } else {
                tracing::info!(index = name, "making a deferred index");
                sqlx::raw_sql(&definition).execute(&mut *conn).await?;
            }
            sqlx::query("DELETE FROM deferred_indexes WHERE name = $1").bind(&name).execute(&mut *conn).await?;
        }
        Ok(rows.len())
    }

    /// Every index the schema made (not those of primary keys and unique columns), by name, with its definition.
    pub async fn index_definitions(&self) -> Result<BTreeMap<String, String>> {
        let mut conn = self.pool().acquire().await?;
        self.indexes_in(&mut conn).await
    }

    async fn indexes_in(&self, conn: &mut AnyConnection) -> Result<BTreeMap<String, String>> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            }
            Backend::Postgres => {
                "SELECT CAST(i.indexname AS TEXT) AS name, i.indexdef AS definition FROM pg_indexes i \
                 WHERE i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
                 WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)"
            }
        };
        let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
        rows.iter().map(|r| Ok((r.try_get("name")?, r.try_get("definition")?))).collect()
    }
}
