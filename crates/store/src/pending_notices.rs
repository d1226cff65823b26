//! A batch's notices: numbered as they are published (the play needs no notice read back, only its id for the
//! audit event), written many to a statement when the batch commits and indexed under their projects' places.

use sqlx::AnyConnection;

use crate::error::Result;
use crate::listing::Arg;
use crate::rows::insert_rows;

/// The notices a batch published.
#[derive(Default)]
pub(crate) struct PendingNotices {
    rows: Vec<Vec<Arg>>,
    /// The lowest and highest id the rows hold.
    given: Option<(i64, i64)>,
    /// Their search terms' rows.
    terms: Vec<Vec<Arg>>,
}

impl PendingNotices {
    /// Holds notice `id` with its other values ([`crate::notice_rows::notice_values`]).
    pub(crate) fn push(&mut self, id: i64, values: Vec<Arg>) {
        self.given = Some(self.given.map_or((id, id), |(lo, hi)| (lo.min(id), hi.max(id))));
        self.rows.push(std::iter::once(Arg::Int(id)).chain(values).collect());
    }

    /// Holds a notice's search terms' rows ([`crate::notice_rows::term_rows`]).
    pub(crate) fn push_terms(&mut self, rows: Vec<Vec<Arg>>) {
        self.terms.extend(rows);
    }

    /// Writes the notices, after their projects' places, and indexes them under those places and by their terms.
    pub(crate) async fn write(self, conn: &mut AnyConnection) -> Result<()> {
        let Some((first, last)) = self.given else { return Ok(()) };
        let head = format!("INSERT INTO notices (id, {})", crate::notice_rows::NOTICE_FIELDS);
        insert_rows(conn, &head, "", self.rows).await?;
        insert_rows(conn, crate::notice_rows::TERMS_INSERT, " ON CONFLICT DO NOTHING", self.terms).await?;
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
