//! Reads outside a transaction. On PostgreSQL they go through the pool. On SQLite they run on the calling
//! thread, on a connection of their own: sqlx's SQLite driver hands every statement to a worker thread and every
//! row back as a message, and under load those thread switches cost more than the statements (a list page is one
//! seek of a few dozen rows in the page cache). A read is short and never waits for a writer (write-ahead log), so
//! running it where the request runs costs less than any hand-off.
//!
//! A row is read through [`Cells`] whichever way it came, so each decoder is written once.
//!
//! Inside [`one_snapshot`] (a request that only reads) the reads share one read transaction on one connection:
//! they see one state of the data, and SQLite takes and drops its shared-memory read lock once rather than at
//! every statement (a list page's four statements spent a fifth of the server's time there under load).

use sqlx::any::AnyRow;
use sqlx::Row;
use std::cell::RefCell;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::{Result, StoreError};
use crate::listing::Arg;

/// A row's values by column name.
pub(crate) trait Cells {
    fn int(&self, name: &str) -> Result<Option<i64>>;
    fn text(&self, name: &str) -> Result<Option<String>>;
}

/// A Rust value one column holds.
pub(crate) trait Cell: Sized {
    fn read(row: &dyn Cells, name: &str) -> Result<Self>;
}

impl dyn Cells + '_ {
    /// The value of column `name`, as `T`; NULL only where `T` is an `Option`.
    pub(crate) fn try_get<T: Cell>(&self, name: &str) -> Result<T> {
        T::read(self, name)
    }
}

fn not_null<T>(v: Option<T>, name: &str) -> Result<T> {
    v.ok_or_else(|| StoreError::Corrupt(format!("column {name} is NULL")))
}

impl Cell for i64 {
    fn read(row: &dyn Cells, name: &str) -> Result<Self> {
        not_null(row.int(name)?, name)
    }
}
impl Cell for Option<i64> {
    fn read(row: &dyn Cells, name: &str) -> Result<Self> {
        row.int(name)
    }
}
impl Cell for String {
    fn read(row: &dyn Cells, name: &str) -> Result<Self> {
        not_null(row.text(name)?, name)
    }
}
impl Cell for Option<String> {
    fn read(row: &dyn Cells, name: &str) -> Result<Self> {
        row.text(name)
    }
}

impl Cells for AnyRow {
    fn int(&self, name: &str) -> Result<Option<i64>> {
        Ok(self.try_get::<Option<i64>, _>(name)?)
    }
    fn text(&self, name: &str) -> Result<Option<String>> {
        Ok(self.try_get::<Option<String>, _>(name)?)
    }
}

/// A SQLite row with its statement's column names, read once per statement: rusqlite finds a column by name by
/// asking SQLite for every column's name in turn, at every value (a twentieth of a list's time).
struct Named<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    names: &'r Names,
}

/// A statement's column names, in one buffer (one allocation, not one a column).
struct Names {
    text: String,
    ends: Vec<usize>,
}

impl Names {
    fn of(stmt: &rusqlite::Statement<'_>) -> Names {
        let mut names = Names { text: String::with_capacity(256), ends: Vec::with_capacity(stmt.column_count()) };
        for name in stmt.column_names() {
            names.text.push_str(name);
            names.ends.push(names.text.len());
        }
        names
    }

    fn position(&self, name: &str) -> Option<usize> {
        let mut start = 0;
        self.ends.iter().position(|&end| {
            let found = self.text[start..end].eq_ignore_ascii_case(name);
            start = end;
            found
        })
    }
}

impl Named<'_, '_> {
    fn index(&self, name: &str) -> Result<usize> {
        self.names.position(name).ok_or_else(|| from_sqlite(rusqlite::Error::InvalidColumnName(name.into())))
    }
}

impl Cells for Named<'_, '_> {
    fn int(&self, name: &str) -> Result<Option<i64>> {
        self.row.get::<_, Option<i64>>(self.index(name)?).map_err(from_sqlite)
    }
    fn text(&self, name: &str) -> Result<Option<String>> {
        self.row.get::<_, Option<String>>(self.index(name)?).map_err(from_sqlite)
    }
}

/// Connections kept for reading one SQLite file, each used by one thread at a time.
pub(crate) struct SqliteReads {
    path: PathBuf,
    busy: Duration,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

/// Connections kept idle at most: as many as threads read at once (the server's workers, a few more in tests).
const KEEP_IDLE: usize = 8;
/// Statements each connection keeps prepared: every list's filter combinations, the pages' reads.
const PREPARED: usize = 256;

impl SqliteReads {
    pub(crate) fn new(path: &Path, busy: Duration) -> SqliteReads {
        SqliteReads { path: path.to_path_buf(), busy, idle: Mutex::new(Vec::new()) }
    }

    fn take(&self) -> Result<rusqlite::Connection> {
        if let Some(conn) = self.idle.lock().map_err(|_| poisoned())?.pop() {
            return Ok(conn);
        }
        use rusqlite::OpenFlags;
        // Not created here: the pool has made the file, with its owner-only mode, before any read.
        let conn = rusqlite::Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(from_sqlite)?;
        conn.busy_timeout(self.busy).map_err(from_sqlite)?;
        // A reader that tried to write would be a bug: refuse it in SQLite itself.
        conn.pragma_update(None, "query_only", true).map_err(from_sqlite)?;
        conn.set_prepared_statement_cache_capacity(PREPARED);
        Ok(conn)
    }

    /// Closes the connections kept idle: called between reads (one in use would be kept when given back).
    pub(crate) fn close_idle(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }

    fn give_back(&self, conn: rusqlite::Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < KEEP_IDLE {
                idle.push(conn);
            }
        }
    }

    /// Runs `sql` with `args` bound to its `$n` placeholders, decoding at most `limit` rows: inside
    /// [`one_snapshot`] in its read transaction, begun by the first read, otherwise in a transaction of its own.
    pub(crate) fn rows<T>(
        self: &Arc<Self>,
        sql: &str,
        args: &[Arg],
        limit: Option<usize>,
        decode: &mut dyn FnMut(&dyn Cells) -> Result<T>,
    ) -> Result<Vec<T>> {
        let held = HELD.try_with(|slot| -> Result<Vec<T>> {
            let mut slot = slot.borrow_mut();
            let conn = match &*slot {
                Some(h) if Arc::ptr_eq(&h.reads, self) => h.conn.as_ref(),
                _ => {
                    let conn = self.take()?;
                    command(&conn, "BEGIN")?;
                    // Another store's transaction, if one was held, ends here.
                    slot.insert(Held { reads: self.clone(), conn: Some(conn) }).conn.as_ref()
                }
            };
            let conn = conn.ok_or_else(|| StoreError::Read("the held read has ended".into()))?;
            run(conn, sql, args, limit, decode)
        });
        if let Ok(answer) = held {
            return answer;
        }
        let conn = self.take()?;
        let answer = run(&conn, sql, args, limit, decode);
        // A connection whose statement failed is still sound (no transaction is left open by a read).
        self.give_back(conn);
        answer
    }

    /// A snapshot on one of these connections: its first read fixes what every later one sees.
    pub(crate) fn snapshot(&self) -> Result<Snapshot<'_>> {
        let conn = self.take()?;
        command(&conn, "BEGIN")?;
        Ok(Snapshot::Sqlite { reads: self, conn: Some(conn) })
    }
}

tokio::task_local! {
    /// The read transaction the reads of a [`one_snapshot`] share, once the first has begun it.
    static HELD: RefCell<Option<Held>>;
}

/// A read transaction held for the rest of a [`one_snapshot`], on a connection of `reads`.
struct Held {
    reads: Arc<SqliteReads>,
    conn: Option<rusqlite::Connection>,
}

impl Drop for Held {
    /// Ends the transaction (it changed nothing) and keeps the connection for the next reader.
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if command(&conn, "COMMIT").is_ok() {
                self.reads.give_back(conn);
            }
        }
    }
}

/// Runs `work` with its SQLite reads in one read transaction, begun at the first read and ended when `work`
/// finishes or writes: for a request that reads, so its reads agree with each other and share one lock. A write
/// ([`crate::SqlStore`]'s write transactions) ends it first, so what the task reads after its own write sees the
/// write. Reads in tasks `work` spawns, and on PostgreSQL, go on as they would without it.
pub async fn one_snapshot<F: Future>(work: F) -> F::Output {
    HELD.scope(RefCell::new(None), work).await
}

/// Ends the task's held read transaction, if it holds one: before a write, so later reads see it.
pub(crate) fn end_held_read() {
    let _ = HELD.try_with(|slot| slot.borrow_mut().take());
}

/// Several reads from one snapshot of the data, so a write between two of them cannot make them disagree.
pub(crate) enum Snapshot<'a> {
    Sqlite { reads: &'a SqliteReads, conn: Option<rusqlite::Connection> },
    Pool(Option<sqlx::Transaction<'static, sqlx::Any>>),
}

impl Snapshot<'_> {
    /// The database the snapshot reads.
    pub(crate) fn backend(&self) -> crate::Backend {
        match self {
            Snapshot::Pool(Some(tx)) if tx.backend_name() == "PostgreSQL" => crate::Backend::Postgres,
            _ => crate::Backend::Sqlite,
        }
    }

    pub(crate) async fn fetch_all<T>(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
        mut decode: impl FnMut(&dyn Cells) -> Result<T> + Send,
    ) -> Result<Vec<T>> {
        match self {
            Snapshot::Sqlite { conn: Some(conn), .. } => run(conn, sql, &args, None, &mut decode),
            Snapshot::Sqlite { conn: None, .. } | Snapshot::Pool(None) => {
                Err(StoreError::Read("the snapshot has ended".into()))
            }
            Snapshot::Pool(Some(tx)) => {
                let rows = crate::listing::bind_all(sqlx::query(sql), args).fetch_all(&mut **tx).await?;
                rows.iter().map(|r| decode(r)).collect()
            }
        }
    }

    /// Ends the snapshot (its transaction changed nothing).
    pub(crate) async fn end(mut self) -> Result<()> {
        match &mut self {
            Snapshot::Sqlite { reads, conn } => {
                if let Some(conn) = conn.take() {
                    command(&conn, "COMMIT")?;
                    reads.give_back(conn);
                }
                Ok(())
            }
            Snapshot::Pool(tx) => {
                if let Some(tx) = tx.take() {
                    tx.commit().await?;
                }
                Ok(())
            }
        }
    }
}

impl Drop for Snapshot<'_> {
    /// A snapshot left on an error: its transaction is rolled back (nothing to undo) before the connection is
    /// kept, so the next reader does not inherit an open transaction.
    fn drop(&mut self) {
        if let Snapshot::Sqlite { reads, conn } = self {
            if let Some(conn) = conn.take() {
                if conn.execute_batch("ROLLBACK").is_ok() {
                    reads.give_back(conn);
                }
            }
        }
    }
}

/// `BEGIN` or `COMMIT`, from the connection's prepared statements (a request that reads runs both).
fn command(conn: &rusqlite::Connection, sql: &str) -> Result<()> {
    conn.prepare_cached(sql).and_then(|mut s| s.raw_execute()).map(drop).map_err(from_sqlite)
}

fn run<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    args: &[Arg],
    limit: Option<usize>,
    decode: &mut dyn FnMut(&dyn Cells) -> Result<T>,
) -> Result<Vec<T>> {
    let started = std::time::Instant::now();
    let answer = execute(conn, sql, args, limit, decode);
    // What `SHANZHI_LOG=sqlx=debug` shows of the pool's statements, for these.
    tracing::debug!(target: "shanzhi_store::read", elapsed_us = started.elapsed().as_micros() as u64, sql);
    answer
}

fn execute<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    args: &[Arg],
    limit: Option<usize>,
    decode: &mut dyn FnMut(&dyn Cells) -> Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(from_sqlite)?;
    for (i, arg) in args.iter().enumerate() {
        // `$n` is a named parameter in SQLite, numbered by first appearance, not by n: look each up by name.
        let Some(index) = stmt.parameter_index(parameter_name(i + 1).as_ref()).map_err(from_sqlite)? else {
            continue;
        };
        let bound = match arg {
            Arg::Int(v) => stmt.raw_bind_parameter(index, v),
            Arg::Text(v) => stmt.raw_bind_parameter(index, v),
            Arg::OptInt(v) => stmt.raw_bind_parameter(index, v),
            Arg::OptText(v) => stmt.raw_bind_parameter(index, v),
        };
        bound.map_err(from_sqlite)?;
    }
    let names = Names::of(&stmt);
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while limit.is_none_or(|l| out.len() < l) {
        match rows.next().map_err(from_sqlite)? {
            Some(row) => out.push(decode(&Named { row, names: &names })?),
            None => break,
        }
    }
    Ok(out)
}

/// `$n`, without a new string for the first few.
fn parameter_name(n: usize) -> std::borrow::Cow<'static, str> {
    const FIRST: [&str; 16] =
        ["$0", "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15"];
    FIRST.get(n).map_or_else(|| format!("${n}").into(), |s| (*s).into())
}

fn poisoned() -> StoreError {
    StoreError::Unavailable("a reader panicked while holding the connection list".into())
}

/// SQLite's errors sorted as the pool's are (see [`crate::error`]): full, damaged and busy have their own kinds.
pub(crate) fn from_sqlite(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(failure, _) => {
            crate::error::sqlite_kind(failure.extended_code & 0xff, e.to_string()).unwrap_or_else(|| other(e))
        }
        _ => other(e),
    }
}

fn other(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::InvalidColumnName(_) => {
            StoreError::Corrupt(e.to_string())
        }
        e => StoreError::Read(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use crate::connection::Timeouts;
    use crate::error::StoreError;
    use crate::listing::Arg;
    use crate::secrets::DataKey;
    use crate::SqlStore;

    async fn store(name: &str) -> (SqlStore, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("shanzhi-read-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let url = format!("sqlite://{}", dir.join("t.db").display());
        let store =
            SqlStore::connect(&url, DataKey::generate().0, DataKey::generate().0, Timeouts::default()).await.unwrap();
        sqlx::raw_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)")
            .execute(store.pool())
            .await
            .unwrap();
        (store, dir)
    }

    async fn insert(store: &SqlStore, id: i64, name: &str) {
        let mut w = store.begin_write().await.unwrap();
        sqlx::query("INSERT INTO t (id, name, n) VALUES ($1, $2, NULL)")
            .bind(id)
            .bind(name)
            .execute(&mut *w.tx)
            .await
            .unwrap();
        w.commit().await.unwrap();
    }

    /// Reads run on their own connections, not the pool's: a committed write is seen by the next read.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_sees_what_was_committed_before_it() {
        let (store, dir) = store("seen").await;
        assert!(store.sqlite_reads.is_some(), "a SQLite file reads on the caller's thread");
        let names = |s: &SqlStore| {
            let s = s.clone();
            async move {
                s.fetch_all("SELECT name FROM t ORDER BY id", vec![], |r| r.try_get::<String>("name")).await.unwrap()
            }
        };
        assert!(names(&store).await.is_empty());
        insert(&store, 1, "甲").await;
        assert_eq!(names(&store).await, vec!["甲"]);
        insert(&store, 2, "乙").await;
        assert_eq!(names(&store).await, vec!["甲", "乙"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `$n` names its argument, wherever it stands in the statement (SQLite numbers named parameters by their
    /// first appearance); NULL reads as `None` only where an `Option` is asked for.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn placeholders_bind_by_their_number_not_their_place() {
        let (store, dir) = store("args").await;
        insert(&store, 1, "甲").await;
        insert(&store, 2, "乙").await;
        let sql = "SELECT id, name, n FROM t WHERE name = $2 AND id >= $1";
        let got = store
            .fetch_optional(sql, vec![Arg::Int(2), Arg::Text("乙".into())], |r| {
                Ok((r.try_get::<i64>("id")?, r.try_get::<Option<i64>>("n")?))
            })
            .await
            .unwrap();
        assert_eq!(got, Some((2, None)));
        let null = store.fetch_one("SELECT n FROM t WHERE id = $1", vec![Arg::Int(1)], |r| r.try_get::<i64>("n")).await;
        assert!(matches!(null, Err(StoreError::Corrupt(_))), "{null:?}");
        let none =
            store.fetch_optional("SELECT id FROM t WHERE id = $1", vec![Arg::Int(9)], |r| r.try_get::<i64>("id"));
        assert_eq!(none.await.unwrap(), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A snapshot's reads agree with each other though a write commits between them; once it ends, reads see
    /// the write. One dropped midway leaves no open transaction behind for the next reader.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_snapshot_sees_one_state_of_the_data() {
        let (store, dir) = store("snapshot").await;
        insert(&store, 1, "甲").await;
        let count = "SELECT COUNT(*) AS n FROM t";
        let mut snap = store.snapshot().await.unwrap();
        let before = snap.fetch_all(count, vec![], |r| r.try_get::<i64>("n")).await.unwrap();
        insert(&store, 2, "乙").await;
        let during = snap.fetch_all(count, vec![], |r| r.try_get::<i64>("n")).await.unwrap();
        assert_eq!((before, during), (vec![1], vec![1]));
        snap.end().await.unwrap();
        let after = store.fetch_one(count, vec![], |r| r.try_get::<i64>("n")).await.unwrap();
        assert_eq!(after, 2);

        for _ in 0..3 {
            let mut snap = store.snapshot().await.unwrap();
            assert!(snap.fetch_all("SELECT nothing FROM t", vec![], |_| Ok(())).await.is_err());
            drop(snap);
        }
        insert(&store, 3, "丙").await;
        let mut snap = store.snapshot().await.expect("a connection with no transaction left open");
        assert_eq!(snap.fetch_all(count, vec![], |r| r.try_get::<i64>("n")).await.unwrap(), vec![3]);
        snap.end().await.unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Inside `one_snapshot` a task's reads agree though another task commits between them; its own write ends
    /// the held read, so its next read sees that write; afterwards no transaction is left open on the connection.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_snapshot_holds_until_the_task_writes() {
        let (store, dir) = store("held").await;
        insert(&store, 1, "甲").await;
        let count = |s: &SqlStore| {
            let s = s.clone();
            async move { s.fetch_one("SELECT COUNT(*) AS n FROM t", vec![], |r| r.try_get::<i64>("n")).await.unwrap() }
        };
        let seen = super::one_snapshot(async {
            let first = count(&store).await;
            let other = store.clone();
            tokio::spawn(async move { insert(&other, 2, "乙").await }).await.unwrap();
            let second = count(&store).await;
            insert(&store, 3, "丙").await;
            let third = count(&store).await;
            (first, second, third)
        })
        .await;
        assert_eq!(seen, (1, 1, 3), "one state until the task's own write, then the state after it");
        insert(&store, 4, "丁").await;
        assert_eq!(count(&store).await, 4, "the connection given back holds no old snapshot");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The read connections refuse to write, in SQLite itself.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_connection_cannot_write() {
        let (store, dir) = store("query-only").await;
        let wrote = store
            .fetch_all("INSERT INTO t (id, name) VALUES (5, 'x') RETURNING id", vec![], |r| r.try_get::<i64>("id"));
        assert!(wrote.await.is_err());
        let n = store.fetch_one("SELECT COUNT(*) AS n FROM t", vec![], |r| r.try_get::<i64>("n")).await.unwrap();
        assert_eq!(n, 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
