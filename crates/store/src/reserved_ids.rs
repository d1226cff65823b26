//! Ids a batch ([`crate::bulk`]) gives to the rows it holds back, so that a row it writes only at its commit is
//! numbered when it is made: the play needs the id (for the audit event, a code, the rows that refer to it) but
//! not the row. The store keeps them from one batch to the next, so that the ids a batch reserved and did not
//! give go to the next one rather than leave a gap (a generated province numbers its projects 1..N).

use sqlx::{AnyConnection, Row as _};

use crate::error::Result;

/// Ids reserved from PostgreSQL's sequence at a time, at most.
pub(crate) const RESERVED: i64 = 256;

/// The ids of the tables whose rows a batch numbers.
pub(crate) struct Reserved {
    pub(crate) projects: tokio::sync::Mutex<ReservedIds>,
    pub(crate) procurements: tokio::sync::Mutex<ReservedIds>,
    pub(crate) notices: tokio::sync::Mutex<ReservedIds>,
    pub(crate) red_flags: tokio::sync::Mutex<ReservedIds>,
}

impl Default for Reserved {
    fn default() -> Self {
        Reserved {
            projects: tokio::sync::Mutex::new(ReservedIds::of("projects")),
            procurements: tokio::sync::Mutex::new(ReservedIds::of("procurements")),
            notices: tokio::sync::Mutex::new(ReservedIds::of("notices")),
            red_flags: tokio::sync::Mutex::new(ReservedIds::of("red_flags")),
        }
    }
}

impl Reserved {
    /// At a batch's start: on SQLite, ids are counted again from the table (others may have written since the
    /// last batch); PostgreSQL's reserved ids are the store's until given.
    pub(crate) async fn recount(&self) {
        self.projects.lock().await.last = None;
        self.procurements.lock().await.last = None;
        self.notices.lock().await.last = None;
        self.red_flags.lock().await.last = None;
    }
}

/// The ids of one table a batch may still give.
pub(crate) struct ReservedIds {
    table: &'static str,
    /// On PostgreSQL, reserved and not given yet, highest first.
    ids: Vec<i64>,
    /// On SQLite, the last id given: the batch holds the only writer, so the next is one more.
    last: Option<i64>,
}

impl ReservedIds {
    /// For `table`, whose `id` is a serial (PostgreSQL) or an `AUTOINCREMENT` key (SQLite).
    pub(crate) fn of(table: &'static str) -> ReservedIds {
        ReservedIds { table, ids: Vec::new(), last: None }
    }

    /// The next id, reserving more first when none is left: `want` of them (at most [`RESERVED`]) from the
    /// sequence on PostgreSQL, where ids others take meanwhile are skipped and those reserved and never given are
    /// lost when the process ends; after the highest ever given on SQLite (`AUTOINCREMENT` never reuses one).
    pub(crate) async fn next_id(&mut self, conn: &mut AnyConnection, want: i64) -> Result<i64> {
        if conn.backend_name() == "PostgreSQL" {
            if self.ids.is_empty() {
                let sql = format!(
                    "SELECT nextval(pg_get_serial_sequence('{}', 'id')) AS id FROM generate_series(1, $1)",
                    self.table
                );
                let rows = sqlx::query(&sql).bind(want.clamp(1, RESERVED)).fetch_all(&mut *conn).await?;
                let mut ids =
                    rows.iter().map(|r| r.try_get::<i64, _>("id")).collect::<std::result::Result<Vec<_>, _>>()?;
                ids.sort_unstable_by(|a, b| b.cmp(a));
                self.ids = ids;
            }
            return Ok(self.ids.pop().expect("ids were just reserved"));
        }
        let last = match self.last {
            Some(last) => last,
            None => {
                let sql = format!(
                    "SELECT MAX(n) AS n FROM (SELECT MAX(id) AS n FROM {0} \
                     UNION ALL SELECT seq FROM sqlite_sequence WHERE name = '{0}')",
                    self.table
                );
                sqlx::query(&sql).fetch_one(&mut *conn).await?.try_get::<Option<i64>, _>("n")?.unwrap_or(0)
            }
        };
        self.last = Some(last + 1);
        Ok(last + 1)
    }
}
