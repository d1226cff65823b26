//! The schema of each backend, applied in order by [`SqlStore::migrate`], and the data that a new migration's
//! tables or columns are filled with from what older stores hold.

use chrono::Utc;
use sqlx::Row;

use crate::error::Result;
use crate::sql::ts;
use crate::{Backend, SqlStore, Store};

const MIGRATIONS_SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../migrations/sqlite/0002_budgets.sql")),
    (3, include_str!("../migrations/sqlite/0003_standards.sql")),
    (4, include_str!("../migrations/sqlite/0004_procurement.sql")),
    (5, include_str!("../migrations/sqlite/0005_pool.sql")),
    (6, include_str!("../migrations/sqlite/0006_bid_files.sql")),
    (7, include_str!("../migrations/sqlite/0007_fiscal_years.sql")),
    (8, include_str!("../migrations/sqlite/0008_method_approvals.sql")),
    (9, include_str!("../migrations/sqlite/0009_sealed_audit.sql")),
    (10, include_str!("../migrations/sqlite/0010_accounts.sql")),
    (11, include_str!("../migrations/sqlite/0011_key_fingerprints.sql")),
    (12, include_str!("../migrations/sqlite/0012_project_facts.sql")),
    (13, include_str!("../migrations/sqlite/0013_job_runs.sql")),
    (14, include_str!("../migrations/sqlite/0014_procurement_facts.sql")),
    (15, include_str!("../migrations/sqlite/0015_project_files.sql")),
    (16, include_str!("../migrations/sqlite/0016_statistics.sql")),
    (17, include_str!("../migrations/sqlite/0017_project_posts.sql")),
    (18, include_str!("../migrations/sqlite/0018_notice_regions.sql")),
    (19, include_str!("../migrations/sqlite/0019_project_places.sql")),
    (20, include_str!("../migrations/sqlite/0020_statistics_places.sql")),
    (21, include_str!("../migrations/sqlite/0021_write_indexes.sql")),
    (22, include_str!("../migrations/sqlite/0022_project_lists.sql")),
    (23, include_str!("../migrations/sqlite/0023_notice_lists.sql")),
    (24, include_str!("../migrations/sqlite/0024_statistics_ledger_places.sql")),
    (25, include_str!("../migrations/sqlite/0025_region_children.sql")),
    (26, include_str!("../migrations/sqlite/0026_project_queue.sql")),
    (27, include_str!("../migrations/sqlite/0027_project_counts.sql")),
    (28, include_str!("../migrations/sqlite/0028_deferred_indexes.sql")),
    (29, include_str!("../migrations/sqlite/0029_ledger_sources.sql")),
    (30, include_str!("../migrations/sqlite/0030_place_lottery.sql")),
    (31, include_str!("../migrations/sqlite/0031_lookups.sql")),
    (32, include_str!("../migrations/sqlite/0032_place_lottery_keys.sql")),
    (33, include_str!("../migrations/sqlite/0033_ledger_groups.sql")),
    (34, include_str!("../migrations/sqlite/0034_records_last.sql")),
    (35, include_str!("../migrations/sqlite/0035_regions_by_level.sql")),
    (36, include_str!("../migrations/sqlite/0036_department_sums.sql")),
    (37, include_str!("../migrations/sqlite/0037_purchaser_queue.sql")),
    (38, include_str!("../migrations/sqlite/0038_record_shape.sql")),
    (39, include_str!("../migrations/sqlite/0039_place_lottery_order.sql")),
    (40, include_str!("../migrations/sqlite/0040_lottery_counts.sql")),
    (41, include_str!("../migrations/sqlite/0041_release_steps.sql")),
    (42, include_str!("../migrations/sqlite/0042_notice_terms.sql")),
    (43, include_str!("../migrations/sqlite/0043_red_flags.sql")),
    (44, include_str!("../migrations/sqlite/0044_feedback.sql")),
    (45, include_str!("../migrations/sqlite/0045_project_terms.sql")),
    (46, include_str!("../migrations/sqlite/0046_evaluations.sql")),
    (47, include_str!("../migrations/sqlite/0047_surveys.sql")),
    (48, include_str!("../migrations/sqlite/0048_blacklistings.sql")),
    (49, include_str!("../migrations/sqlite/0049_registry.sql")),
    (50, include_str!("../migrations/sqlite/0050_report_record.sql")),
    (51, include_str!("../migrations/sqlite/0051_sector_indexes.sql")),
];
const MIGRATIONS_POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (2, include_str!("../migrations/postgres/0002_budgets.sql")),
    (3, include_str!("../migrations/postgres/0003_standards.sql")),
    (4, include_str!("../migrations/postgres/0004_procurement.sql")),
    (5, include_str!("../migrations/postgres/0005_pool.sql")),
    (6, include_str!("../migrations/postgres/0006_bid_files.sql")),
    (7, include_str!("../migrations/postgres/0007_fiscal_years.sql")),
    (8, include_str!("../migrations/postgres/0008_method_approvals.sql")),
    (9, include_str!("../migrations/postgres/0009_sealed_audit.sql")),
    (10, include_str!("../migrations/postgres/0010_accounts.sql")),
    (11, include_str!("../migrations/postgres/0011_key_fingerprints.sql")),
    (12, include_str!("../migrations/postgres/0012_project_facts.sql")),
    (13, include_str!("../migrations/postgres/0013_job_runs.sql")),
    (14, include_str!("../migrations/postgres/0014_procurement_facts.sql")),
    (15, include_str!("../migrations/postgres/0015_project_files.sql")),
    (16, include_str!("../migrations/postgres/0016_statistics.sql")),
    (17, include_str!("../migrations/postgres/0017_project_posts.sql")),
    (18, include_str!("../migrations/postgres/0018_notice_regions.sql")),
    (19, include_str!("../migrations/postgres/0019_project_places.sql")),
    (20, include_str!("../migrations/postgres/0020_statistics_places.sql")),
    (21, include_str!("../migrations/postgres/0021_write_indexes.sql")),
    (22, include_str!("../migrations/postgres/0022_project_lists.sql")),
    (23, include_str!("../migrations/postgres/0023_notice_lists.sql")),
    (24, include_str!("../migrations/postgres/0024_statistics_ledger_places.sql")),
    (25, include_str!("../migrations/postgres/0025_region_children.sql")),
    (26, include_str!("../migrations/postgres/0026_project_queue.sql")),
    (27, include_str!("../migrations/postgres/0027_project_counts.sql")),
    (28, include_str!("../migrations/postgres/0028_deferred_indexes.sql")),
    (29, include_str!("../migrations/postgres/0029_ledger_sources.sql")),
    (30, include_str!("../migrations/postgres/0030_project_pages.sql")),
    (31, include_str!("../migrations/postgres/0031_deferrable_project_keys.sql")),
    (32, include_str!("../migrations/postgres/0032_deferrable_procurement_keys.sql")),
    (33, include_str!("../migrations/postgres/0033_place_lottery.sql")),
    (34, include_str!("../migrations/postgres/0034_lookups.sql")),
    (35, include_str!("../migrations/postgres/0035_place_lottery_keys.sql")),
    (36, include_str!("../migrations/postgres/0036_ledger_groups.sql")),
    (37, include_str!("../migrations/postgres/0037_regions_by_level.sql")),
    (38, include_str!("../migrations/postgres/0038_department_sums.sql")),
    (39, include_str!("../migrations/postgres/0039_purchaser_queue.sql")),
    (40, include_str!("../migrations/postgres/0040_lottery_warnings.sql")),
    (41, include_str!("../migrations/postgres/0041_regions_in_byte_order.sql")),
    (42, include_str!("../migrations/postgres/0042_record_shape.sql")),
    (43, include_str!("../migrations/postgres/0043_place_lottery_order.sql")),
    (44, include_str!("../migrations/postgres/0044_lottery_counts.sql")),
    (45, include_str!("../migrations/postgres/0045_release_steps.sql")),
    (46, include_str!("../migrations/postgres/0046_notice_terms.sql")),
    (47, include_str!("../migrations/postgres/0047_red_flags.sql")),
    (48, include_str!("../migrations/postgres/0048_feedback.sql")),
    (49, include_str!("../migrations/postgres/0049_project_terms.sql")),
    (50, include_str!("../migrations/postgres/0050_evaluations.sql")),
    (51, include_str!("../migrations/postgres/0051_surveys.sql")),
    (52, include_str!("../migrations/postgres/0052_blacklistings.sql")),
    (53, include_str!("../migrations/postgres/0053_registry.sql")),
    (54, include_str!("../migrations/postgres/0054_report_record.sql")),
    (55, include_str!("../migrations/postgres/0055_sector_indexes.sql")),
];

/// The migration that adds the statistics' summary rows, filled once from every project and ledger entry.
const STATISTICS_MIGRATION: i64 = 16;

/// PostgreSQL's migrations that rewrite summary rows in place (44: every welfare-lottery row), leaving as many dead
/// rows behind as they rewrote, which autovacuum leaves until a fifth of the table has changed: the statistics'
/// index-only reads then fetch rows from the table again (at a million projects a region's figures under load went
/// from p99 74 ms to 110 ms). After one of them the summary tables are vacuumed, as after a bulk load.
const REWRITE_SUMMARIES_POSTGRES: &[i64] = &[44];

impl SqlStore {
    /// Applies pending migrations of this backend, in one transaction, serialised across servers.
    pub async fn migrate(&self) -> Result<()> {
        if self.backend() == Backend::Sqlite && self.batch.is_none() {
            // The writer's turn, on a connection whose temporary storage is a file while it migrates: a migration
            // that rewrites a table (34) keeps in it what its statements may have to undo, which the connections'
            // in-memory temporary storage held whole (6 GB for a million projects).
            let _turn = self.sqlite_writer.clone().lock_owned().await;
            let mut conn = self.pool().acquire().await?;
            sqlx::raw_sql("PRAGMA temp_store = FILE").execute(&mut *conn).await?;
            let migrated = async {
                let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
                self.migrate_in(&mut tx).await?;
                Ok::<_, crate::StoreError>(tx.commit().await?)
            }
            .await;
            sqlx::raw_sql("PRAGMA temp_store = MEMORY").execute(&mut *conn).await?;
            return migrated;
        }
        let mut w = self.begin_write().await?;
        let applied = self.migrate_in(&mut w.tx).await?;
        w.tx.commit().await?;
        if self.backend() == Backend::Postgres && applied.iter().any(|v| REWRITE_SUMMARIES_POSTGRES.contains(v)) {
            self.analyze().await?;
        }
        Ok(())
    }

    /// Answers the versions it applied to a store migrated before (none for a new one, which has no rows to rewrite).
    async fn migrate_in(&self, conn: &mut sqlx::AnyConnection) -> Result<Vec<i64>> {
        if self.backend() == Backend::Postgres {
            // A migration, or waiting for another server's, may take longer than a request's statement may.
            sqlx::raw_sql("SET LOCAL statement_timeout = 0").execute(&mut *conn).await?;
        }
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *conn)
        .await?;
        if self.backend() == Backend::Postgres {
            sqlx::raw_sql("LOCK TABLE schema_migrations IN EXCLUSIVE MODE").execute(&mut *conn).await?;
        }
        let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.get::<i64, _>(0))
            .collect();
        let migrations = match self.backend() {
            Backend::Sqlite => MIGRATIONS_SQLITE,
            Backend::Postgres => MIGRATIONS_POSTGRES,
        };
        let statistics_were_there = applied.contains(&STATISTICS_MIGRATION);
        let mut now_applied = Vec::new();
        for (version, sql) in migrations {
            if applied.contains(version) {
                continue;
            }
            now_applied.push(*version);
            sqlx::raw_sql(sql).execute(&mut *conn).await?;
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(*version)
                .bind(ts(Utc::now()))
                .execute(&mut *conn)
                .await?;
            tracing::info!(version, backend = self.backend().name(), "applied migration");
        }
        self.fill_scopes(conn).await?;
        self.fill_facts(conn).await?;
        self.fill_procurement_facts(conn).await?;
        let flags = match self.backend() {
            Backend::Sqlite => crate::red_flags::MIGRATION_SQLITE,
            Backend::Postgres => crate::red_flags::MIGRATION_POSTGRES,
        };
        if !applied.is_empty() && now_applied.contains(&flags) {
            self.fill_award_facts(conn).await?;
        }
        if !statistics_were_there {
            crate::statistics::fill(conn).await?;
        }
        // A bulk load cut short left its list indexes dropped.
        self.restore_indexes_in(conn).await?;
        Ok(if applied.is_empty() { Vec::new() } else { now_applied })
    }
}
