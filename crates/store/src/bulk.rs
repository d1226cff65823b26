//! Bulk writing: a [`Batch`] is a view of the store whose writes all go into one transaction, committed
//! when the batch is. The generator writes thousands of projects per transaction this way through the very
//! same write paths (records, list columns, side tables, ledger, audit chain, notices) as one request at a
//! time, so what it leaves is what the application would have written; only the commits are fewer. What a
//! project changes at nearly every step and nothing inside the batch reads back from the database — its row and
//! side rows, its ledger entries and their balances, its audit events, its summary rows, its red flags, the bids
//! of a tender the batch made — the batch holds in memory and writes once, many rows to a statement, when it
//! commits. On PostgreSQL so does the row of a project or procurement it makes (numbered at once, its references
//! from other rows checked at the commit); SQLite inserts that row at once, for other rows to refer to.
//!
//! A write that fails inside a batch may leave part of its rows in the batch's transaction: the caller
//! drops the batch (its transaction rolls back) instead of going on.

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::contribution::Deferred;
use crate::error::{Result, StoreError};
use crate::ledger::PendingLedger;
use crate::listing::Arg;
use crate::pending::Pending;
use crate::pending_notices::PendingNotices;
use crate::rows::insert_rows;
use crate::side_rows::Held;
use crate::SqlStore;
use shanzhi_domain::procurement::Procurement;
use shanzhi_domain::project::Project;

/// The transaction a batch's writes share, and the head of the audit chain as the batch's last event left it.
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) tx: Arc<Mutex<Transaction<'static, Any>>>,
    head: Arc<std::sync::Mutex<Option<(i64, String)>>>,
    /// Audit events appended but not written yet, as rows of [`crate::audit::AUDIT_INSERT`].
    events: Arc<std::sync::Mutex<Vec<Vec<Arg>>>>,
    /// The statistics' summary rows, written at the commit.
    pub(crate) statistics: Arc<std::sync::Mutex<Deferred>>,
    /// Projects' steps in their places and their posts, written at the commit.
    pub(crate) sides: Arc<std::sync::Mutex<Held>>,
    /// Projects' rows as last saved, written at the commit.
    pub(crate) projects: Arc<std::sync::Mutex<Pending<Project>>>,
    /// Procurements' rows as last saved, written at the commit.
    pub(crate) procurements: Arc<std::sync::Mutex<Pending<Procurement>>>,
    /// The procurements with open overdue marks, read at the batch's first save of one.
    pub(crate) marked: Arc<std::sync::Mutex<Option<std::collections::BTreeSet<i64>>>>,
    /// Ledger entries and the balances they leave, written at the commit.
    pub(crate) ledger: Arc<std::sync::Mutex<PendingLedger>>,
    /// Notices published, written at the commit.
    pub(crate) notices: Arc<Mutex<PendingNotices>>,
    /// Procurements' bid keys (unwrapped) the batch made or read, by procurement.
    pub(crate) bid_keys: Arc<std::sync::Mutex<std::collections::HashMap<i64, String>>>,
    /// Organisations the batch read (for its play and its events' reading scopes), by id; forgotten when the
    /// batch changes one.
    pub(crate) organisations: Arc<crate::audit::KnownOrgs>,
    /// Red flags raised, written at the commit.
    pub(crate) flags: Arc<std::sync::Mutex<crate::red_flags::PendingFlags>>,
    /// The bids and sealed records of the procurements the batch made, written at the commit.
    pub(crate) bids: Arc<std::sync::Mutex<crate::pending_bids::PendingBids>>,
    /// How many more projects the batch was told it will make.
    planned_projects: Arc<std::sync::atomic::AtomicI64>,
    /// Whether the batch adds to the summary tables that sum the projects' rows; not while a bulk load has put
    /// them off ([`SqlStore::defer_summaries`]).
    summaries: bool,
}

/// A batch's held rows, even after a writer panicked holding them (the batch is then dropped, not committed).
pub(crate) fn lock<T>(held: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    held.lock().unwrap_or_else(|e| e.into_inner())
}

/// Events written per statement when a batch's queue is full.
const QUEUED_EVENTS: usize = 256;

/// SQLite's page cache on a batch's connection, in KiB. A batch changes tens of megabytes of pages; with the
/// default cache (2 MB) SQLite writes them to the log again and again before the batch commits.
const BATCH_CACHE_KIB: u32 = 512 * 1024;

impl Shared {
    /// The chain's head after this batch's last event; none before its first. The batch holds the chain
    /// (SQLite's writer lock, PostgreSQL's table lock taken at its first event) until it commits, so no one
    /// else can append in between and the head need not be read again.
    pub(crate) fn head(&self) -> Option<(i64, String)> {
        self.head.lock().ok().and_then(|h| h.clone())
    }

    pub(crate) fn set_head(&self, seq: i64, hash: &str) {
        if let Ok(mut h) = self.head.lock() {
            *h = Some((seq, hash.to_string()));
        }
    }

    /// Queues an event's row; when the queue is full, hands back every queued row to write now.
    pub(crate) fn queue_event(&self, row: Vec<Arg>) -> Option<Vec<Vec<Arg>>> {
        let mut queue = lock(&self.events);
        queue.push(row);
        (queue.len() >= QUEUED_EVENTS).then(|| std::mem::take(&mut *queue))
    }

    /// Counts a project made, answering how many the batch still planned to make with it (at least one).
    pub(crate) fn plan_project(&self) -> i64 {
        use std::sync::atomic::Ordering;
        self.planned_projects.fetch_sub(1, Ordering::Relaxed).max(1)
    }

    fn take_events(&self) -> Vec<Vec<Arg>> {
        std::mem::take(&mut *lock(&self.events))
    }
}

/// A write's connection: its own transaction, or a turn at its batch's.
pub(crate) enum Tx {
    Own(Transaction<'static, Any>),
    Batch(OwnedMutexGuard<Transaction<'static, Any>>),
}

impl Tx {
    /// Commits a write's own transaction; a batch's commits with the batch.
    pub(crate) async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        match self {
            Tx::Own(tx) => tx.commit().await,
            Tx::Batch(_) => Ok(()),
        }
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match self {
            Tx::Own(tx) => tx,
            Tx::Batch(tx) => tx,
        }
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Tx::Own(tx) => tx,
            Tx::Batch(tx) => tx,
        }
    }
}

/// A connection for reading what a write may not have committed yet (a record read back after it is
/// written): the batch's, else the pool's.
pub(crate) enum Reader {
    Pool(PoolConnection<Any>),
    Batch(OwnedMutexGuard<Transaction<'static, Any>>),
}

impl Deref for Reader {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match self {
            Reader::Pool(c) => c,
            Reader::Batch(tx) => tx,
        }
    }
}

impl DerefMut for Reader {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Reader::Pool(c) => c,
            Reader::Batch(tx) => tx,
        }
    }
}

/// How long each part of a commit took, for the debug log: where a bulk load's time goes.
struct Phases {
    last: std::time::Instant,
    parts: Vec<(&'static str, std::time::Duration)>,
}

impl Phases {
    fn start() -> Phases {
        Phases { last: std::time::Instant::now(), parts: Vec::new() }
    }

    /// Ends `part`, which began at the last mark.
    fn mark(&mut self, part: &'static str) {
        let now = std::time::Instant::now();
        self.parts.push((part, now - self.last));
        self.last = now;
    }
}

impl std::fmt::Display for Phases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (part, took) in &self.parts {
            write!(f, "{part} {} ms; ", took.as_millis())?;
        }
        Ok(())
    }
}

/// Writes gathered into one transaction; see the module's note.
pub struct Batch {
    store: SqlStore,
    /// The SQLite writer slot, held for the whole batch.
    _slot: Option<OwnedMutexGuard<()>>,
}

impl Batch {
    /// The store to write through: reads of committed data go to the pool as usual, writes into the batch.
    pub fn store(&self) -> &SqlStore {
        &self.store
    }

    /// Commits every write of the batch at once.
    pub async fn commit(self) -> Result<()> {
        let Batch { mut store, _slot } = self;
        let shared = store.batch.take().ok_or_else(|| StoreError::Corrupt("a batch without its transaction".into()))?;
        let events = shared.take_events();
        let mut tx = Arc::try_unwrap(shared.tx)
            .map_err(|_| StoreError::Corrupt("a batch committed while a write was still using it".into()))?
            .into_inner();
        let mut took = Phases::start();
        let projects = std::mem::take(&mut *lock(&shared.projects));
        crate::projects::write_pending(&mut tx, &projects).await?;
        took.mark("projects");
        let procurements = std::mem::take(&mut *lock(&shared.procurements));
        let bids = std::mem::take(&mut *lock(&shared.bids));
        crate::procure::write_pending(&mut tx, &procurements, &bids).await?;
        bids.write(&mut tx).await?;
        took.mark("procurements");
        // After the projects, whose places index them.
        std::mem::take(&mut *shared.notices.lock().await).write(&mut tx).await?;
        took.mark("notices");
        let flags = std::mem::take(&mut *lock(&shared.flags));
        flags.write(&mut tx).await?;
        let ledger = std::mem::take(&mut *lock(&shared.ledger));
        let lines = ledger.write(&mut tx, shared.summaries).await?;
        let keep = store.lines_to_keep(&mut tx, lines).await?;
        took.mark("flags and ledger");
        insert_rows(&mut tx, crate::audit::AUDIT_INSERT, "", events).await?;
        took.mark("last events");
        // After the events, as every writer of the summary rows (see `contribution::write_contribution`).
        let statistics = std::mem::take(&mut *lock(&shared.statistics));
        statistics.write(&mut tx, &projects, shared.summaries).await?;
        took.mark("statistics");
        let sides = std::mem::take(&mut *lock(&shared.sides));
        sides.write(&mut tx).await?;
        took.mark("places");
        tx.commit().await?;
        took.mark("commit");
        tracing::debug!(took = %took, "batch committed");
        store.keep_lines(keep);
        Ok(())
    }
}

impl SqlStore {
    /// Starts a batch: until it is committed, this process's other writes wait (SQLite) or run beside it
    /// (PostgreSQL, where the audit chain's table lock makes them wait at their first event).
    pub async fn batch(&self) -> Result<Batch> {
        self.batch_making(0).await
    }

    /// A batch that will make about `projects` projects: on PostgreSQL it reserves their ids as many at a time,
    /// and one at a time beyond them.
    pub async fn batch_making(&self, projects: u64) -> Result<Batch> {
        let (tx, slot) = self.begin_batch_write().await?.into_parts();
        let Tx::Own(mut tx) = tx else { return Err(StoreError::Corrupt("batches do not nest".into())) };
        if self.is_postgres() {
            // The projects the batch makes are written at its commit, after rows that refer to them (a
            // procurement, a bid): their references are checked then (migration 31 made them deferrable).
            sqlx::query("SET CONSTRAINTS ALL DEFERRED").execute(&mut *tx).await?;
        } else {
            // Kept by the connection afterwards: in the pool of a process that writes batches.
            sqlx::query(&format!("PRAGMA cache_size = -{BATCH_CACHE_KIB}")).execute(&mut *tx).await?;
        }
        let ledger = self.batch_ledger(&mut tx).await?;
        self.reserved_ids.recount().await;
        let summaries = !crate::list_indexes::summaries_deferred(&mut tx).await?;
        let shared = Shared {
            tx: Arc::new(Mutex::new(tx)),
            head: Arc::default(),
            events: Arc::default(),
            statistics: Arc::default(),
            sides: Arc::default(),
            projects: Arc::default(),
            ledger: Arc::new(std::sync::Mutex::new(ledger)),
            procurements: Arc::default(),
            marked: Arc::default(),
            notices: Arc::default(),
            bid_keys: Arc::default(),
            organisations: Arc::default(),
            bids: Arc::default(),
            flags: Arc::default(),
            planned_projects: Arc::new(i64::try_from(projects).unwrap_or(i64::MAX).into()),
            summaries,
        };
        Ok(Batch { store: self.with_batch(shared), _slot: slot })
    }

    /// An event's reading scope from the record this store's batch holds for its object, whose row the batch
    /// has not written yet (what [`crate::audit::scope_of`] would read from it).
    pub(crate) fn held_scope(&self, e: &shanzhi_domain::audit::NewEvent) -> Option<shanzhi_domain::audit::Scope> {
        let b = self.batch.as_ref()?;
        let id = e.object_id.parse::<i64>().ok()?;
        match e.object_type.as_str() {
            "project" => lock(&b.projects).last(id).map(crate::projects::reading_scope),
            "procurement" => lock(&b.procurements).last(id).map(crate::procure::reading_scope),
            _ => None,
        }
    }

    /// Forgets what this store's batch read of organisation `id`, which it is changing.
    pub(crate) fn forget_organisation(&self, id: i64) {
        if let Some(b) = &self.batch {
            lock(&b.organisations).remove(&id);
        }
    }

    /// A connection that sees this store's uncommitted batch, if it has one.
    pub(crate) async fn reader(&self) -> Result<Reader> {
        Ok(match &self.batch {
            Some(b) => Reader::Batch(b.tx.clone().lock_owned().await),
            None => Reader::Pool(self.pool().acquire().await?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Phases;

    #[test]
    fn a_commits_log_names_each_part_in_order_with_its_time() {
        let mut took = Phases::start();
        took.mark("projects");
        std::thread::sleep(std::time::Duration::from_millis(20));
        took.mark("commit");
        let line = took.to_string();
        assert!(line.starts_with("projects "), "{line}");
        let commit: u128 = line.split("commit ").nth(1).and_then(|r| r.split(' ').next()).unwrap().parse().unwrap();
        assert!(commit >= 20, "{line}");
    }
}
