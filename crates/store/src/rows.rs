//! Many rows in few statements. Every statement is a round trip (to SQLite's worker thread or over PostgreSQL's
//! socket) that costs more than the row it writes, so side tables and summary rows are written as one multi-row
//! `INSERT` per write instead of one statement per row.

use sqlx::AnyConnection;

use crate::error::Result;
use crate::listing::{Arg, Where};

/// Arguments bound per statement at most, on PostgreSQL and on SQLite. On SQLite the rows' placeholders are
/// anonymous (`?`): sqlx binds a `$n` by looking its name up in a linear scan of the statement's names, which costs
/// the square of a statement's arguments, while an anonymous one is bound by its position.
const MAX_ARGS: (usize, usize) = (1000, 960);

/// The rows of a script of several statements sent in one round trip (PostgreSQL's simple protocol: no
/// arguments, so only numbers the store made may be written into it). Each statement reads its own snapshot
/// under READ COMMITTED, so a read after a lock sees what the lock's last holder committed.
pub(crate) async fn fetch_script(conn: &mut AnyConnection, sql: &str) -> Result<Vec<sqlx::any::AnyRow>> {
    use sqlx::Executor;
    Ok(conn.fetch_all(sqlx::raw_sql(sql)).await?)
}

/// A write's versioned `UPDATE`, its values written in as literals ([`crate::listing::Where::inline_pg`]), sent in
/// the round trip of the write's first script on PostgreSQL instead of one of its own. It answers one row named
/// `opened` when it finds its row; none means the record changed since it was read.
pub(crate) struct Opening(String);

impl Opening {
    /// `update`: an `UPDATE … WHERE id = … AND version = …` with no `RETURNING`.
    pub(crate) fn new(update: &str) -> Opening {
        Opening(format!("{update} RETURNING 1 AS opened"))
    }

    /// The rows of `script` ([`fetch_script`]), sent after `opening` in the same round trip when there is one,
    /// which must have found its row; the opening's own row is not among them.
    pub(crate) async fn fetch_before(
        opening: Option<Opening>,
        conn: &mut AnyConnection,
        script: &str,
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        use sqlx::{Column, Row};
        let Some(opening) = opening else { return fetch_script(conn, script).await };
        let is_opened = |row: &sqlx::any::AnyRow| row.columns().len() == 1 && row.columns()[0].name() == "opened";
        let (opened, rest): (Vec<_>, Vec<_>) =
            fetch_script(conn, &format!("{}; {script}", opening.0)).await?.into_iter().partition(is_opened);
        Opening::check(opened.len())?;
        Ok(rest)
    }

    /// Sent alone, where no script follows.
    pub(crate) async fn run(self, conn: &mut AnyConnection) -> Result<()> {
        Opening::check(fetch_script(conn, &self.0).await?.len())
    }

    /// The write goes on only when the opening found its row.
    pub(crate) fn check(opened: usize) -> Result<()> {
        if opened == 1 {
            Ok(())
        } else {
            Err(shanzhi_domain::DomainError::StaleVersion.into())
        }
    }
}

/// Runs `{head} VALUES (…), (…){tail}` for `rows`, in as few statements as the argument limit allows. Every row
/// has the same number of values, in the order of `head`'s columns. With an upsert `tail`, no two rows may share
/// a key: PostgreSQL refuses to update one row twice in one statement.
pub(crate) async fn insert_rows(conn: &mut AnyConnection, head: &str, tail: &str, rows: Vec<Vec<Arg>>) -> Result<()> {
    write_rows(conn, head, tail, rows).await.map(|_| ())
}

/// [`insert_rows`], answering how many rows the statements changed.
pub(crate) async fn write_rows(conn: &mut AnyConnection, head: &str, tail: &str, rows: Vec<Vec<Arg>>) -> Result<u64> {
    let Some(width) = rows.first().map(Vec::len) else { return Ok(0) };
    let sqlite = conn.backend_name() == "SQLite";
    let per_statement = (if sqlite { MAX_ARGS.1 } else { MAX_ARGS.0 } / width.max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    let mut changed = 0;
    while rows.peek().is_some() {
        // `Where` numbers the arguments in order; no WHERE clause is written.
        let mut args = Where::default();
        let values: Vec<String> = rows
            .by_ref()
            .take(per_statement)
            .map(|row| {
                let placeholders: Vec<String> = row
                    .into_iter()
                    .map(|a| {
                        let numbered = args.arg(a);
                        if sqlite {
                            "?".to_string()
                        } else {
                            numbered
                        }
                    })
                    .collect();
                format!("({})", placeholders.join(", "))
            })
            .collect();
        // A connection keeps a hundred prepared statements: only the one-row and the full-size forms are kept,
        // so the many other sizes do not push out the statements every write uses.
        let kept = values.len() == 1 || values.len() == per_statement;
        let sql = format!("{head} VALUES {}{tail}", values.join(", "));
        changed += args.bind(sqlx::query(&sql).persistent(kept)).execute(&mut *conn).await?.rows_affected();
    }
    Ok(changed)
}
