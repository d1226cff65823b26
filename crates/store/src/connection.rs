//! The connection pool, and what keeps it healthy through faults: time limits so that an unreachable
//! database is reported within seconds, a damaged SQLite file reported at once, and no connection handed to
//! the next request in the middle of a transaction that failed to end.

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool, Connection};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Result, StoreError};
use crate::read::SqliteReads;
use crate::secrets::DataKey;
use crate::{Backend, SqlStore};
use std::sync::Arc;
use tokio::sync::Mutex;

/// How long the store waits on the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For a connection: to connect, or to get one from the pool (a dead one found on the way is dropped).
    pub connect: Duration,
    /// For one statement (PostgreSQL's `statement_timeout`, SQLite's busy timeout) and for a transaction
    /// left idle on PostgreSQL.
    pub statement: Duration,
}

pub const CONNECT_TIMEOUT_ENV: &str = "SHANZHI_DB_CONNECT_TIMEOUT_SECS";
pub const STATEMENT_TIMEOUT_ENV: &str = "SHANZHI_DB_STATEMENT_TIMEOUT_SECS";

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts { connect: Duration::from_secs(3), statement: Duration::from_secs(10) }
    }
}

impl Timeouts {
    /// The longest a request may spend on its own work: a connection, then its statements. Beyond it the
    /// database is taken to be unreachable (a query on a connection whose network is gone never returns).
    pub fn request_deadline(&self) -> Duration {
        self.connect + self.statement + Duration::from_secs(2)
    }
}

/// How a SQLite store's connections write its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Journal {
    /// Into the write-ahead log, synced at every commit, and from there into the file at each checkpoint:
    /// readers never wait for the writer, and an acknowledged write survives a power cut.
    Wal,
    /// Once, straight into the file, unsynced, with each changed page's old content kept in a rollback journal
    /// beside it: a bulk load into a new store (see [`crate::SqlStore::reopen`]), which writes a page's every
    /// change twice through the log (log, then file) and syncs both at every batch. A process killed midway
    /// leaves the file as its last commit left it (the journal undoes the rest at the next opening); a power cut
    /// may not, and the load is made again. Readers wait while a commit writes, which the load's one thread
    /// never does.
    BulkLoad,
}

/// The store's pools for `url`: the one every request uses, and on SQLite a pool of one connection for batches
/// (opened at the first). SQLite empties a connection's page cache whenever another connection has written since
/// its last transaction: batches handed out in turn to the main pool's connections each began with a cold cache,
/// reading their hot pages again, and each connection could keep a batch's 512 MB cache of its own.
pub(crate) async fn pools(
    url: &str,
    backend: Backend,
    timeouts: Timeouts,
    journal: Journal,
) -> Result<(AnyPool, Option<AnyPool>)> {
    if backend == Backend::Sqlite {
        crate::sqlite_memory::use_mimalloc();
    }
    let pool = pool(url, backend, timeouts, journal).await?;
    let batches = match backend {
        // A database in memory is the connection's own: a second pool would open another.
        Backend::Sqlite if sqlite_file(url).is_some() => {
            Some(pool_options(true, timeouts, 1, journal).connect_lazy(&sqlite_url(url))?)
        }
        Backend::Sqlite | Backend::Postgres => None,
    };
    Ok((pool, batches))
}

/// A SQLite URL that opens the file read-write and creates it when missing.
fn sqlite_url(url: &str) -> String {
    let mut url = url.to_string();
    if !url.contains("mode=") {
        url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
    }
    url
}

/// Opens the pool for `url`. A SQLite file is created owner-only, and checked before the pool is made, so
/// a damaged one is reported at once and by name.
pub(crate) async fn pool(url: &str, backend: Backend, timeouts: Timeouts, journal: Journal) -> Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let sqlite = backend == Backend::Sqlite;
    let mut url = url.to_string();
    if sqlite {
        let path = sqlite_file(&url);
        if let Some(path) = &path {
            create_sqlite_file(path)?;
        }
        url = sqlite_url(&url);
        check_sqlite(&url, path.as_deref(), timeouts, journal).await?;
    }
    Ok(pool_options(sqlite, timeouts, if sqlite { 4 } else { 10 }, journal).connect(&url).await?)
}

/// How the store's pools hand out `connections` at most, and set each one up.
fn pool_options(sqlite: bool, timeouts: Timeouts, connections: u32, journal: Journal) -> AnyPoolOptions {
    let statement = timeouts.statement;
    AnyPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(timeouts.connect)
        // sqlx pings every connection it hands out by default: a round trip before every transaction and read,
        // a third of a bare insert's. One that answered within the last second is handed out as it is; a server
        // that went away since makes its next statement fail like any lost connection, which is then closed.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= RECENTLY_USED {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _| Box::pin(async move { set_up(conn, sqlite, statement, journal).await }))
        .after_release(move |conn, _| Box::pin(async move { reusable(conn, sqlite, statement).await }))
}

/// A pooled connection used this recently is handed out without a ping.
const RECENTLY_USED: Duration = Duration::from_secs(1);

/// Every connection's settings. SQLite: foreign keys, write-ahead log synced at every commit (`FULL`: an
/// acknowledged bid survives a power cut, where `NORMAL` may lose the last commits; a bulk load's [`Journal`]
/// differs, and keeps a batch's changed pages in memory until its commit), how long to wait for
/// another writer, and statement journals in memory (a statement inside a long transaction copies each page it
/// changes there first, in case it must be undone alone: in a temporary file that was 500 small writes per
/// generated project). PostgreSQL: how long a statement may run and a transaction may sit idle (one whose client is
/// gone would otherwise hold its locks, among them the audit log's, until the server notices).
async fn set_up(conn: &mut AnyConnection, sqlite: bool, statement: Duration, journal: Journal) -> sqlx::Result<()> {
    let ms = statement.as_millis();
    let settings = if sqlite {
        const WAL: &[&str] = &["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL"];
        // Without the cache spilling a batch's pages into the file before its commit, which would lock out the
        // load's own reads of what is committed.
        const BULK_LOAD: &[&str] = &["PRAGMA synchronous = OFF", "PRAGMA cache_spill = OFF"];
        let journal = match journal {
            Journal::Wal => WAL,
            Journal::BulkLoad => {
                if leave_the_log(conn).await {
                    BULK_LOAD
                } else {
                    WAL
                }
            }
        };
        let mut settings = vec!["PRAGMA foreign_keys = ON".to_string(), format!("PRAGMA busy_timeout = {ms}")];
        settings.extend(journal.iter().map(|s| s.to_string()));
        settings.push("PRAGMA temp_store = MEMORY".to_string());
        settings
    } else {
        vec![format!("SET statement_timeout = {ms}"), format!("SET idle_in_transaction_session_timeout = {ms}")]
    };
    for s in settings {
        sqlx::query(&s).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Switches the file to a rollback journal. SQLite leaves the log only for a connection alone on the file, and
/// refuses another at once, without waiting: a connection this process has just closed may still be
/// letting go of it (sqlx closes a SQLite connection on its worker thread), so the switch is tried for a moment.
/// Where another process has the file open, the load writes through the log as every write does.
async fn leave_the_log(conn: &mut AnyConnection) -> bool {
    const TRIES: u32 = 20;
    for tried in 1..=TRIES {
        // Refused, SQLite answers busy or names the mode it kept.
        let answer: sqlx::Result<String> =
            sqlx::query_scalar("PRAGMA journal_mode = TRUNCATE").fetch_one(&mut *conn).await;
        match answer {
            Ok(mode) if mode.eq_ignore_ascii_case("truncate") => return true,
            Ok(mode) if tried == TRIES => tracing::info!("the bulk load writes through the {mode} journal"),
            Err(e) if tried == TRIES => tracing::info!("the bulk load writes through the write-ahead log: {e}"),
            _ => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
    false
}

/// Whether a connection given back to the pool may serve the next request. One still in a transaction —
/// its COMMIT or ROLLBACK failed, e.g. on a full disk, where SQLite may already have rolled back behind the
/// driver's back — would refuse every later BEGIN ("begin_with at non-zero transaction depth"), so it is
/// closed instead, and the pool opens a fresh one when needed.
async fn reusable(conn: &mut AnyConnection, sqlite: bool, limit: Duration) -> sqlx::Result<bool> {
    if sqlite {
        // A dropped transaction's ROLLBACK runs on SQLite's worker thread: let it finish before judging.
        match tokio::time::timeout(limit, conn.ping()).await {
            Ok(answered) => answered?,
            Err(_) => return Err(sqlx::Error::Protocol("the connection did not answer".into())),
        }
    }
    Ok(!conn.is_in_transaction())
}

/// The database file of a SQLite URL (`sqlite://path?…`), unless it is in memory.
pub(crate) fn sqlite_file(url: &str) -> Option<PathBuf> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:" && !url.contains("mode=memory")).then(|| PathBuf::from(path))
}

/// Creates the database file (and its folder) owner-only before SQLite does, since SQLite gives new files
/// the process's default mode — and its WAL and SHM files the database file's.
fn create_sqlite_file(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::private::create_dir(parent)?;
    }
    match crate::private::create_new_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e.into()),
        _ => Ok(()),
    }
}

/// Opens the SQLite file once, as the pool will, and reads its schema. The pool would retry a failing
/// connection until its time-out and then report only that; this reports what is wrong, at once.
async fn check_sqlite(url: &str, path: Option<&Path>, timeouts: Timeouts, journal: Journal) -> Result<()> {
    let name = path.map_or_else(|| url.to_string(), |p| p.display().to_string());
    let checked = async {
        let mut conn = AnyConnection::connect(url).await?;
        set_up(&mut conn, true, timeouts.statement, journal).await?;
        sqlx::query("SELECT count(*) FROM sqlite_master").fetch_one(&mut conn).await?;
        conn.close().await
    };
    match checked.await.map_err(StoreError::from) {
        Ok(()) => Ok(()),
        Err(StoreError::Damaged(what)) => Err(StoreError::Damaged(format!("{name}: {what}"))),
        Err(other) => Err(other),
    }
}

impl SqlStore {
    pub async fn connect(url: &str, key: DataKey, bid_master: DataKey, timeouts: Timeouts) -> Result<SqlStore> {
        SqlStore::connect_with(url, key, bid_master, timeouts, Journal::Wal).await
    }

    async fn connect_with(
        url: &str,
        key: DataKey,
        bid_master: DataKey,
        timeouts: Timeouts,
        journal: Journal,
    ) -> Result<SqlStore> {
        let backend = Backend::from_url(url)?;
        let (pool, batch_pool) = pools(url, backend, timeouts, journal).await?;
        let sqlite_reads = match backend {
            Backend::Sqlite => sqlite_file(url).map(|path| Arc::new(SqliteReads::new(&path, timeouts.statement))),
            Backend::Postgres => None,
        };
        let sqlite_writer = Arc::new(Mutex::new(()));
        let reserved_ids = Arc::default();
        Ok(SqlStore {
            url: url.into(),
            pool,
            batch_pool,
            backend,
            key,
            bid_master,
            sqlite_writer,
            timeouts,
            batch: None,
            sqlite_reads,
            reserved_ids,
            kept_lines: Arc::default(),
            known_regions: Arc::default(),
            list_sizes: Arc::default(),
        })
    }

    /// This store, opened again with `journal` on a SQLite file (a PostgreSQL store is kept as it is): its
    /// connections are closed first — this store's clones can no longer read or write — since SQLite leaves
    /// the write-ahead log only for a connection alone on the file. Answers the journal the file got: where
    /// another process has it open, it stays in the log. Back to [`Journal::Wal`] the file is synced first,
    /// so that what a bulk load wrote unsynced is on the disk before the store is used as usual.
    pub async fn reopen(self, journal: Journal) -> Result<(SqlStore, Journal)> {
        let sqlite = self.backend == Backend::Sqlite && self.batch.is_none();
        let Some(path) = sqlite_file(&self.url).filter(|_| sqlite) else {
            return Ok((self, Journal::Wal));
        };
        // A connection given back just before is checked on a task of its own before it is idle, and one still
        // being checked when the pool closes is not closed with it: a moment lets those tasks end.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        self.pool.close().await;
        if let Some(batches) = &self.batch_pool {
            batches.close().await;
        }
        if let Some(reads) = &self.sqlite_reads {
            reads.close_idle();
        }
        if journal == Journal::Wal {
            std::fs::File::open(&path).and_then(|f| f.sync_all()).map_err(StoreError::from)?;
        }
        let store = SqlStore::connect_with(&self.url, self.key, self.bid_master, self.timeouts, journal).await?;
        // Closed here, not given back: a connection still being given back when the pool closes stays open (sqlx
        // checks it on a task of its own), and would keep the file in its log at the next reopening.
        let mut conn = store.pool.acquire().await?.detach();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut conn).await?;
        sqlx::Connection::close(conn).await?;
        let got = if mode.eq_ignore_ascii_case("wal") { Journal::Wal } else { Journal::BulkLoad };
        Ok((store, got))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::DataKey;
    use crate::SqlStore;

    #[test]
    fn sqlite_files_are_found_in_urls() {
        assert_eq!(sqlite_file("sqlite:///srv/d/shanzhi.db?mode=rwc"), Some(PathBuf::from("/srv/d/shanzhi.db")));
        assert_eq!(sqlite_file("sqlite:data/x.db"), Some(PathBuf::from("data/x.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("sqlite://x.db?mode=memory"), None);
    }

    /// Every pooled SQLite connection syncs the log at each commit (2 = FULL), so an acknowledged write
    /// survives a power cut.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_commits_are_durable_through_a_power_cut() {
        let (dir, url) = new_file("sync");
        let store = connect(&url).await;
        for _ in 0..6 {
            let mut conns = Vec::new();
            // Several at once, so more than one pooled connection is asked.
            for _ in 0..3 {
                conns.push(store.pool().acquire().await.unwrap());
            }
            for c in &mut conns {
                let level: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut **c).await.unwrap();
                assert_eq!(level, 2, "synchronous = FULL");
                let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut **c).await.unwrap();
                assert_eq!(mode, "wal");
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A folder of its own for a test's SQLite file, and the file's URL.
    fn new_file(test: &str) -> (PathBuf, String) {
        let dir = std::env::temp_dir().join(format!("shanzhi-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let url = format!("sqlite://{}", dir.join("t.db").display());
        (dir, url)
    }

    async fn connect(url: &str) -> SqlStore {
        SqlStore::connect(url, DataKey::generate().0, DataKey::generate().0, Timeouts::default()).await.unwrap()
    }

    async fn journal_of(store: &SqlStore) -> (String, i64) {
        let mut c = store.pool().acquire().await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *c).await.unwrap();
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *c).await.unwrap();
        (mode, sync)
    }

    /// A bulk load writes through a rollback journal, unsynced; a batch it drops is undone whole; committed
    /// batches are read as usual; and the store goes back to the synced write-ahead log after. While another
    /// connection has the file open, the file keeps its log.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bulk_load_writes_through_a_rollback_journal_and_goes_back_to_the_log() {
        use crate::{By, Store};
        let (dir, url) = new_file("bulk");
        let store = connect(&url).await;
        store.migrate().await.unwrap();
        let now = chrono::Utc::now();
        let by = By::system("test");

        // Held open by another store: the file keeps its log, and writes go on.
        let other = connect(&url).await;
        let (store, got) = store.reopen(Journal::BulkLoad).await.unwrap();
        assert_eq!(got, Journal::Wal);
        assert_eq!(journal_of(&store).await, ("wal".to_string(), 2));
        store.set_setting(&by, "a", "1", now).await.unwrap();
        other.pool().close().await;
        drop(other);
        let (store, _) = store.reopen(Journal::Wal).await.unwrap();

        // Alone on the file: a rollback journal, unsynced.
        let (store, got) = store.reopen(Journal::BulkLoad).await.unwrap();
        assert_eq!(got, Journal::BulkLoad);
        assert_eq!(journal_of(&store).await, ("truncate".to_string(), 0));
        let batch = store.batch().await.unwrap();
        batch.store().set_setting(&by, "b", "2", now).await.unwrap();
        batch.commit().await.unwrap();
        let batch = store.batch().await.unwrap();
        batch.store().set_setting(&by, "c", "3", now).await.unwrap();
        drop(batch);
        assert_eq!(store.setting("b").await.unwrap().as_deref(), Some("2"), "committed, read as usual");
        assert_eq!(store.setting("c").await.unwrap(), None, "a dropped batch is undone");

        let (store, got) = store.reopen(Journal::Wal).await.unwrap();
        assert_eq!(got, Journal::Wal);
        assert_eq!(journal_of(&store).await, ("wal".to_string(), 2));
        let ok: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(store.pool()).await.unwrap();
        assert_eq!(ok, "ok");
        for (key, value) in [("a", Some("1")), ("b", Some("2")), ("c", None)] {
            assert_eq!(store.setting(key).await.unwrap().as_deref(), value, "setting {key}");
        }
        let events = store.audit_events(0, 1000).await.unwrap();
        assert!(events.len() >= 2, "the settings' events");
        let mut chain = shanzhi_domain::audit::Verifier::new(None);
        assert!(events.iter().all(|e| chain.feed(e).is_ok()), "the audit chain holds");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A transaction that SQLite ended while the driver still counts it open — as when a statement or a
    /// COMMIT fails on a full disk and SQLite rolls back by itself — must not poison the pool.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_transaction_ended_behind_the_drivers_back_does_not_poison_the_pool() {
        let (dir, url) = new_file("poison");
        let store = connect(&url).await;
        store.migrate().await.unwrap();
        for end in ["COMMIT", "ROLLBACK"].iter().cycle().take(8) {
            let mut w = store.begin_write().await.expect("a clean connection");
            sqlx::raw_sql(end).execute(&mut *w.tx).await.unwrap();
            drop(w);
        }
        for _ in 0..8 {
            let w = store.begin_write().await.expect("no connection is handed out mid-transaction");
            w.commit().await.unwrap();
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
