//! A batch's notices: numbered as they are published (the play needs no notice read back, only its id for the
//! audit event), written many to a statement when the batch commits and indexed under their projects' places.

use sqlx::{AnyConnection, Row as _};

use crate::error::Result;
use crate::listing::Arg;
use crate::rows::insert_rows;

/// Ids reserved from PostgreSQL's sequence at a time.
const RESERVED: i64 = 256;

pub(crate) const NOTICE_COLUMNS: &str =
    "INSERT INTO notices (id, kind, project_id, procurement_id, title, body, published_on, ends_on, published_at, year)";

/// The notices a batch published and the ids it may still give.
#[derive(Default)]
pub(crate) struct PendingNotices {
    rows: Vec<Vec<Arg>>,
    ids: Vec<i64>,
    /// On SQLite, the last id given: the batch holds the only writer, so the next is one more.
    last: Option<i64>,
}

impl PendingNotices {
    /// The next notice id, reserving more first when none is left: from the sequence on PostgreSQL (ids others
    /// take meanwhile are skipped), after the highest ever given on SQLite (`AUTOINCREMENT` never reuses one).
    pub(crate) async fn next_id(&mut self, conn: &mut AnyConnection) -> Result<i64> {
        if conn.backend_name() == "PostgreSQL" {
            if self.ids.is_empty() {
                let sql = "SELECT nextval(pg_get_serial_sequence('notices', 'id')) AS id FROM generate_series(1, $1)";
                let rows = sqlx::query(sql).bind(RESERVED).fetch_all(&mut *conn).await?;
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
                let sql = "SELECT MAX(n) AS n FROM (SELECT MAX(id) AS n FROM notices \
                           UNION ALL SELECT seq FROM sqlite_sequence WHERE name = 'notices')";
                sqlx::query(sql).fetch_one(&mut *conn).await?.try_get::<Option<i64>, _>("n")?.unwrap_or(0)
            }
        };
        self.last = Some(last + 1);
        Ok(last + 1)
    }

    pub(crate) fn push(&mut self, row: Vec<Arg>) {
        self.rows.push(row);
    }

    /// Writes the notices, after their projects' places, and indexes them under those places.
    pub(crate) async fn write(self, conn: &mut AnyConnection) -> Result<()> {
        let ids: Vec<i64> = self
            .rows
            .iter()
            .filter_map(|r| if let Some(Arg::Int(id)) = r.first() { Some(*id) } else { None })
            .collect();
        let (Some(first), Some(last)) = (ids.iter().min().copied(), ids.iter().max().copied()) else { return Ok(()) };
        insert_rows(conn, NOTICE_COLUMNS, "", self.rows).await?;
        // A range: on PostgreSQL it may hold others' notices, which are indexed already (nothing done twice).
        sqlx::query(
            "INSERT INTO notice_regions (code, kind, year, notice_id) SELECT pl.code, n.kind, n.year, n.id FROM notices n \
             JOIN project_places pl ON pl.project_id = n.project_id WHERE n.id BETWEEN $1 AND $2 ON CONFLICT DO NOTHING",
        )
        .bind(first)
        .bind(last)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
