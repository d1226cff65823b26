//! A batch's notices: numbered as they are published (the play needs no notice read back, only its id for the
//! audit event), written many to a statement when the batch commits and indexed under their projects' places.

use sqlx::{AnyConnection, Row as _};

use crate::error::Result;
use crate::listing::Arg;
use crate::rows::insert_rows;

/// Ids reserved from PostgreSQL's sequence at a time.
const RESERVED: i64 = 256;

/// The notices a batch published and the ids it may still give.
#[derive(Default)]
pub(crate) struct PendingNotices {
    rows: Vec<Vec<Arg>>,
    /// The lowest and highest id the rows hold.
    given: Option<(i64, i64)>,
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

    /// Holds notice `id` with its other values ([`crate::procure::notice_values`]).
    pub(crate) fn push(&mut self, id: i64, values: Vec<Arg>) {
        self.given = Some(self.given.map_or((id, id), |(lo, hi)| (lo.min(id), hi.max(id))));
        self.rows.push(std::iter::once(Arg::Int(id)).chain(values).collect());
    }

    /// Writes the notices, after their projects' places, and indexes them under those places.
    pub(crate) async fn write(self, conn: &mut AnyConnection) -> Result<()> {
        let Some((first, last)) = self.given else { return Ok(()) };
        let head = format!("INSERT INTO notices (id, {})", crate::procure::NOTICE_FIELDS);
        insert_rows(conn, &head, "", self.rows).await?;
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
