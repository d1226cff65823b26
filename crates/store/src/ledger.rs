//! The ledger in SQL: budget lines' balances summed from their entries, and entries checked before they are
//! appended, inside the caller's transaction.

use chrono::{DateTime, Utc};
use shanzhi_domain::audit::{NewEvent, Scope};
use shanzhi_domain::budget::{Balances, Budget, Entry, Movement};
use shanzhi_domain::{DomainError, ErrorCode, Money};
use sqlx::{AnyConnection, Column, Row};
use std::collections::BTreeMap;

use crate::audit::{sealed_row, AUDIT_INSERT};
use crate::bulk::lock;
use crate::error::{Result, StoreError};
use crate::fiscal::{closed_year, CLOSED_YEARS};
use crate::listing::{Arg, Where};
use crate::read::Cells;
use crate::rows::{insert_rows, Opening};
use crate::sql::{budget_from_row, ts, BUDGET_COLUMNS};
use crate::{BudgetView, SqlStore};
use chrono::Datelike;
use shanzhi_domain::clock::china_date;
use shanzhi_domain::fiscal::{check_movement, draws_on_year};
use std::collections::HashMap;

/// A batch's ledger ([`crate::bulk`]): the balances of the lines it touched, as its entries left them, and the
/// entries and their summary sums, written when it commits. A generated project draws on the ledger half a dozen
/// times, and each draw read the lines' sums and the closed years again and wrote four statements.
#[derive(Default)]
pub(crate) struct PendingLedger {
    /// By line: its year and its balances with the batch's entries.
    lines: HashMap<i64, (i32, Balances)>,
    /// Whether the batch holds every line (PostgreSQL: the table's lock), so a line's first read takes no lock.
    all_locked: bool,
    /// The closed years, read at the batch's first entry that draws on a year's money.
    closed: Option<Vec<i32>>,
    /// Rows of `ledger`, in the order they were made.
    entries: Vec<Vec<Arg>>,
    /// Amounts for the summary rows: (line, project, movement, year) → fen.
    sums: BTreeMap<(i64, Option<i64>, &'static str, i32), i64>,
}

impl PendingLedger {
    /// Writes the entries and their sums, in the batch's transaction as it commits — only the per-project sums
    /// when the summary tables that sum those are put off (`summaries` false, see [`crate::statistics::refill`]);
    /// answers the lines' balances as the entries leave them.
    pub(crate) async fn write(
        self,
        conn: &mut AnyConnection,
        summaries: bool,
    ) -> Result<HashMap<i64, (i32, Balances)>> {
        insert_rows(conn, LEDGER_INSERT, "", self.entries).await?;
        let sums =
            self.sums.into_iter().map(|((line, project, movement, year), fen)| (line, project, movement, year, fen));
        if summaries {
            crate::statistics::add_ledger_sums(conn, sums).await?;
        } else {
            crate::statistics::add_project_ledger_sums(conn, sums).await?;
        }
        Ok(self.lines)
    }
}

/// The balances a batch left its lines with, and the ledger's sequence at its commit. A load of a million projects
/// draws on twenty thousand lines, a thousand of them in each batch: the next batch starts from these instead of
/// locking and summing each line again, when no entry was made in between (the sequence has not moved; on
/// PostgreSQL any entry, even one rolled back, moves it).
pub(crate) struct KeptLines {
    sequence: i64,
    lines: HashMap<i64, (i32, Balances)>,
}

/// What the store keeps from one batch to the next.
pub(crate) type Kept = std::sync::Mutex<Option<KeptLines>>;

/// The ledger's sequence: the last id it gave (the ledger is only ever appended to).
async fn ledger_sequence(conn: &mut AnyConnection) -> Result<i64> {
    const POSTGRES: &str = "SELECT CAST(COALESCE(pg_sequence_last_value(\
                            CAST(pg_get_serial_sequence('ledger', 'id') AS regclass)), 0) AS BIGINT)";
    const SQLITE: &str = "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'ledger'";
    let sql = if conn.backend_name() == "PostgreSQL" { POSTGRES } else { SQLITE };
    Ok(sqlx::query(sql).fetch_one(&mut *conn).await?.try_get(0)?)
}

impl SqlStore {
    /// A batch's ledger at its start: on PostgreSQL it locks every budget line until it commits (a writer elsewhere
    /// waits for the batch, as it would at the audit chain's lock; on SQLite the batch holds the one write lock),
    /// and it takes over the balances the last batch left when they still hold.
    pub(crate) async fn batch_ledger(&self, conn: &mut AnyConnection) -> Result<PendingLedger> {
        let all_locked = self.is_postgres();
        if all_locked {
            sqlx::query("LOCK TABLE budgets IN EXCLUSIVE MODE").execute(&mut *conn).await?;
        }
        let sequence = ledger_sequence(conn).await?;
        let kept = lock(&self.kept_lines).take().filter(|k| k.sequence == sequence);
        Ok(PendingLedger { lines: kept.map(|k| k.lines).unwrap_or_default(), all_locked, ..Default::default() })
    }

    /// Keeps a committing batch's balances for the next (see [`KeptLines`]), read in its transaction after its
    /// entries; answers what to keep once it has committed.
    pub(crate) async fn lines_to_keep(
        &self,
        conn: &mut AnyConnection,
        lines: HashMap<i64, (i32, Balances)>,
    ) -> Result<KeptLines> {
        Ok(KeptLines { sequence: ledger_sequence(conn).await?, lines })
    }

    pub(crate) fn keep_lines(&self, kept: KeptLines) {
        *lock(&self.kept_lines) = Some(kept);
    }
}

const LEDGER_INSERT: &str = "INSERT INTO ledger (budget_id, movement, amount_fen, project_id, actor_id, at)";

impl SqlStore {
    /// Balances of budget lines as they stand inside the caller's transaction, from the ledger's per-line sums
    /// (kept with every entry in the same transaction), or in a batch as its entries left them. On PostgreSQL the
    /// lines are locked first (in id order, so two writers cannot deadlock), so a concurrent writer on another
    /// server waits until this transaction ends and then sees its entries.
    pub(crate) async fn balances_in(
        &self,
        conn: &mut AnyConnection,
        ids: &[i64],
        for_update: bool,
    ) -> Result<BTreeMap<i64, Balances>> {
        Ok(self.line_states(conn, ids, for_update, None).await?.0.into_iter().map(|(id, (_, b))| (id, b)).collect())
    }

    /// [`SqlStore::balances_in`] with each line's year.
    async fn line_states(
        &self,
        conn: &mut AnyConnection,
        ids: &[i64],
        for_update: bool,
        opening: Option<Opening>,
    ) -> Result<(BTreeMap<i64, (i32, Balances)>, Option<UnderLocks>)> {
        let Some(batch) = &self.batch else { return self.lines(conn, ids, for_update, opening).await };
        let (missing, all_locked): (Vec<i64>, bool) = {
            let pending = lock(&batch.ledger);
            (ids.iter().copied().filter(|id| !pending.lines.contains_key(id)).collect(), pending.all_locked)
        };
        // Only PostgreSQL locks a line the batch does not hold already; a batch keeps its own closed years and
        // chain head, so nothing else is read beside the sums (on SQLite the batch holds the one write lock).
        let (read, _) = self.lines(conn, &missing, for_update && !all_locked && self.is_postgres(), opening).await?;
        let mut pending = lock(&batch.ledger);
        pending.lines.extend(read);
        let lines = ids.iter().map(|id| pending.lines.get(id).map(|line| (*id, *line)).ok_or_else(unknown_line));
        Ok((lines.collect::<Result<_>>()?, None))
    }

    /// The closed years, inside the caller's transaction; a batch reads them once (closing one waits for the
    /// batch: it takes the lines' locks).
    async fn closed_years_now(&self, conn: &mut AnyConnection) -> Result<Vec<i32>> {
        let Some(batch) = &self.batch else { return self.closed_years_in(conn).await };
        if let Some(closed) = lock(&batch.ledger).closed.clone() {
            return Ok(closed);
        }
        let closed = self.closed_years_in(conn).await?;
        lock(&batch.ledger).closed = Some(closed.clone());
        Ok(closed)
    }

    /// Budget lines' years and balances as stored, locked first on PostgreSQL when `for_update`, with what the
    /// write reads next under those locks.
    async fn lines(
        &self,
        conn: &mut AnyConnection,
        ids: &[i64],
        for_update: bool,
        opening: Option<Opening>,
    ) -> Result<(BTreeMap<i64, (i32, Balances)>, Option<UnderLocks>)> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        // Only PostgreSQL's script of locks takes the opening into its round trip.
        let opening = match opening {
            Some(o) if ids.is_empty() || !for_update || !self.is_postgres() => {
                o.run(conn).await?;
                None
            }
            o => o,
        };
        if ids.is_empty() {
            return Ok((BTreeMap::new(), None));
        }
        let mut under = None;
        let rows = if for_update {
            // Read under the lines' locks in one round trip: their sums, the closed years (a closing takes the
            // same locks) and, under the chain's lock, its head for the write's event (every write takes its
            // lines' locks before the chain's). On PostgreSQL the lines are locked first, in id order, by a
            // script (the ids are the store's own numbers, written in); on SQLite the write transaction already
            // holds the database's one write lock, and the statements share the sums' bound ids.
            let (sql, args) = if self.is_postgres() {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                let lock = format!("SELECT id FROM budgets WHERE id IN ({}) ORDER BY id FOR UPDATE", list.join(", "));
                let script = format!(
                    "{lock}; {}; {CLOSED_YEARS}; {}; {}",
                    line_sums_sql(&list),
                    crate::audit::CHAIN_LOCK,
                    crate::audit::CHAIN_HEAD
                );
                (script, None)
            } else {
                let mut w = Where::default();
                let list: Vec<String> = ids.iter().map(|id| w.int(*id)).collect();
                (format!("{}; {CLOSED_YEARS}; {}", line_sums_sql(&list), crate::audit::CHAIN_HEAD), Some(w))
            };
            let found = match args {
                // The write's own update first: every write takes its record's lock before its lines'.
                None => Opening::fetch_before(opening, conn, &sql).await?,
                Some(w) => w.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?,
            };
            let (mut closed, mut head, mut sums) = (Vec::new(), None, Vec::new());
            for r in found {
                match (r.columns().len(), r.columns()[0].name()) {
                    // The lock's rows hold only the id.
                    (1, "id") => {}
                    (1, "closed") => closed.push(closed_year(&r)?),
                    (2, "seq") => head = Some(r),
                    _ => sums.push(r),
                }
            }
            under = Some(UnderLocks { closed, head: crate::audit::head_from(head) });
            sums
        } else {
            let mut w = Where::default();
            let list: Vec<String> = ids.iter().map(|id| w.int(*id)).collect();
            w.bind(sqlx::query(&line_sums_sql(&list))).fetch_all(&mut *conn).await?
        };
        let lines = fold_sums(rows.iter().map(|r| sum_row(r)).collect::<Result<_>>()?);
        if lines.len() != ids.len() {
            return Err(unknown_line());
        }
        Ok((lines, under))
    }

    /// The balances of budget lines as last committed, for lists: read on the store's read path (on SQLite its
    /// own read connections, not the writers' pool), no lock taken. Lines that do not exist are left out.
    pub(crate) async fn committed_balances(&self, ids: &[i64]) -> Result<BTreeMap<i64, Balances>> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let mut w = Where::default();
        let list: Vec<String> = ids.iter().map(|id| w.int(*id)).collect();
        let rows = self.fetch_all(&line_sums_sql(&list), w.into_args(), sum_row).await?;
        Ok(fold_sums(rows).into_iter().map(|(id, (_, b))| (id, b)).collect())
    }

    /// Checks and appends ledger entries, then the write's audit event (with its reading scope), inside the
    /// caller's transaction; refuses all of them if any one would take a bucket below zero. Outside a batch the
    /// chain's head is read beside the lines (under the chain's lock on PostgreSQL, under the write lock on
    /// SQLite) and the event is written by the entries' own statement: one round trip fewer. The write's own
    /// `opening` goes first, in the round trip of the locks on PostgreSQL.
    pub(crate) async fn write_ledger(
        &self,
        conn: &mut AnyConnection,
        entries: &[Entry],
        actor_id: Option<i64>,
        now: DateTime<Utc>,
        event: (NewEvent, Scope),
        opening: Option<Opening>,
    ) -> Result<()> {
        let (event, scope) = event;
        if entries.is_empty() {
            let head = match opening {
                Some(o) => Some(self.chain_head_after(conn, Some(o)).await?),
                None => None,
            };
            return self.append_at(conn, event, scope, now, head).await.map(|_| ());
        }
        let ids: Vec<i64> = entries.iter().map(|e| e.budget_id).collect();
        let (mut lines, under) = self.line_states(conn, &ids, true, opening).await?;
        // After the lines are locked: no entry may put a closed year's money to new use.
        if entries.iter().any(|e| draws_on_year(e.movement)) {
            let closed = match &under {
                Some(u) => u.closed.clone(),
                None => self.closed_years_now(conn).await?,
            };
            for e in entries {
                let (year, _) = lines.get(&e.budget_id).ok_or_else(unknown_line)?;
                check_movement(e.movement, *year, &closed)?;
            }
        }
        for e in entries {
            let (_, b) = lines.get_mut(&e.budget_id).ok_or_else(|| StoreError::Corrupt("budget vanished".into()))?;
            b.apply(e.movement, e.amount)?;
        }
        let rows: Vec<Vec<Arg>> = entries
            .iter()
            .map(|e| {
                vec![
                    Arg::Int(e.budget_id),
                    Arg::Text(e.movement.code().into()),
                    Arg::Int(e.amount.fen()),
                    Arg::OptInt(e.project_id),
                    Arg::OptInt(actor_id),
                    Arg::Text(ts(now)),
                ]
            })
            .collect();
        let Some(batch) = &self.batch else {
            // The event goes in the entries' statement, sealed after the head read under the locks.
            let head = match under {
                Some(u) => u.head,
                None => self.chain_head(conn).await?,
            };
            let (_, event) = sealed_row(event, &scope, now, head);
            let rows = vec![(LEDGER_INSERT, rows), (AUDIT_INSERT, vec![event])];
            return crate::statistics::write_ledger_entries(conn, rows, entries, now).await;
        };
        {
            let year = china_date(now).year();
            let mut pending = lock(&batch.ledger);
            for (id, line) in lines {
                pending.lines.insert(id, line);
            }
            pending.entries.extend(rows);
            for e in entries {
                *pending.sums.entry((e.budget_id, e.project_id, e.movement.code(), year)).or_default() +=
                    e.amount.fen();
            }
        }
        self.append_at(conn, event, scope, now, None).await.map(|_| ())
    }

    /// [`SqlStore::write_ledger`] for a write whose event's scope is found from the event, then the commit.
    pub(crate) async fn write_ledger_and_commit(
        &self,
        mut w: crate::sql::WriteTx,
        entries: &[Entry],
        actor_id: Option<i64>,
        now: DateTime<Utc>,
        event: NewEvent,
    ) -> Result<()> {
        let scope = self.event_scope(&mut w.tx, &event).await?;
        self.write_ledger(&mut w.tx, entries, actor_id, now, (event, scope), None).await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// One budget line with its balances, without computing every other line's; one that must exist.
    pub(crate) async fn budget_view(&self, id: i64) -> Result<BudgetView> {
        crate::Store::budget(self, id).await?.ok_or(StoreError::Corrupt("budget vanished".into()))
    }

    pub(crate) async fn budget_in(&self, conn: &mut AnyConnection, id: i64) -> Result<Option<Budget>> {
        let row = sqlx::query(&format!("SELECT {BUDGET_COLUMNS} FROM budgets WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(|r| budget_from_row(r)).transpose()
    }
}

/// What a write reads under its budget lines' locks (see [`SqlStore::lines`]).
pub(crate) struct UnderLocks {
    closed: Vec<i32>,
    head: (i64, String),
}

/// Each line's year and the sum of each of its movements, from the per-line summary rows; a line without
/// entries comes once, with no movement.
fn line_sums_sql(list: &[String]) -> String {
    format!(
        "SELECT b.id, b.year, t.movement, CAST(SUM(t.amount_fen) AS BIGINT) AS total FROM budgets b \
         LEFT JOIN statistics_ledger_totals t ON t.budget_id = b.id WHERE b.id IN ({}) \
         GROUP BY b.id, b.year, t.movement",
        list.join(", ")
    )
}

/// One row of [`line_sums_sql`]: the line, its year, and one movement with its sum.
type LineSum = (i64, i32, Option<(Movement, Money)>);

fn sum_row(r: &dyn Cells) -> Result<LineSum> {
    let year = i32::try_from(r.try_get::<i64>("year")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let movement = match r.try_get::<Option<String>>("movement")? {
        Some(m) => {
            let m = Movement::parse(&m).ok_or_else(|| StoreError::Corrupt(format!("ledger movement {m}")))?;
            Some((m, Money::from_fen(r.try_get::<i64>("total")?)))
        }
        None => None,
    };
    Ok((r.try_get("id")?, year, movement))
}

/// The lines' years and balances from their sums.
fn fold_sums(rows: Vec<LineSum>) -> BTreeMap<i64, (i32, Balances)> {
    let mut totals: BTreeMap<i64, (i32, BTreeMap<Movement, Money>)> = BTreeMap::new();
    for (id, year, movement) in rows {
        let line = &mut totals.entry(id).or_insert_with(|| (year, BTreeMap::new())).1;
        if let Some((m, total)) = movement {
            line.insert(m, total);
        }
    }
    totals
        .into_iter()
        .map(|(id, (year, t))| (id, (year, Balances::from_totals(|m| t.get(&m).copied().unwrap_or(Money::ZERO)))))
        .collect()
}

fn unknown_line() -> StoreError {
    DomainError::field("budget_id", ErrorCode::UnknownBudget, "预算不存在", "no such budget line").into()
}
