//! A project's contribution to the statistics' summary rows (`statistics_rows`, `statistics_totals`,
//! `statistics_place_totals`, and its lottery rows per place in `statistics_place_lottery`), rewritten whenever
//! the project is saved, in the saving transaction. A batch ([`crate::bulk`]) keeps them in memory instead and
//! writes them when it commits, many rows to a statement: nothing reads them inside the batch but their writer,
//! and a project's rows change at nearly every step.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use shanzhi_domain::org::Region;
use shanzhi_domain::project::{Project, PurchaseMode};
use shanzhi_domain::statistics::sums::{contribution, same_contribution, Kind, Row};
use shanzhi_domain::Money;
use sqlx::{AnyConnection, Row as _};

use crate::error::Result;
use crate::listing::{Arg, Where};
use crate::pending::Pending;
use crate::rows::insert_rows;
use crate::sql::region_from_row;
use crate::statistics::row_from;
use crate::SqlStore;

type Sum = (i64, i64, Money);
/// A summary row's key: its kind, year and key within the kind.
type Key = (Kind, i32, String);
type Keyed = BTreeMap<Key, Sum>;
/// A change to a summary row: projects, posts, amount in fen.
type Delta = (i64, i64, i64);

fn keyed(rows: Vec<Row>) -> Keyed {
    rows.into_iter().map(|r| ((r.kind, r.year, r.key), (r.projects, r.posts, r.amount))).collect()
}

/// What a project's contribution rows hold before [`write_contribution`] rewrites them.
#[derive(Clone, Copy)]
pub enum Stored<'a> {
    /// None: the project is new.
    Nothing,
    /// Those of the project's record as it was.
    Of(&'a Project),
    /// Read them.
    Unknown,
}

/// One save's change to a project's rows: the rows and the places they were added to, and those they belong to
/// now (the places differ when the regions changed).
struct Change {
    old: Keyed,
    new: Keyed,
    was_in: BTreeSet<String>,
    now_in: BTreeSet<String>,
}

impl Change {
    /// The totals' and the per-place totals' differences, in key order (the lock order on PostgreSQL).
    fn add_to(&self, totals: &mut BTreeMap<Key, Delta>, places: &mut BTreeMap<(String, Key), Delta>) {
        for (sign, rows) in [(-1, &self.old), (1, &self.new)] {
            for (k, sum) in rows {
                add(totals.entry(k.clone()).or_default(), sign, sum);
            }
        }
        for (sign, (codes, rows)) in [(-1, (&self.was_in, &self.old)), (1, (&self.now_in, &self.new))] {
            for code in codes {
                for (k, sum) in rows {
                    add(places.entry((code.clone(), k.clone())).or_default(), sign, sum);
                }
            }
        }
    }
}

/// A project's lottery rows: (year, category) → amount.
fn lottery(rows: &Keyed) -> BTreeMap<(i32, &str), Money> {
    rows.iter()
        .filter(|((kind, _, _), _)| *kind == Kind::Lottery)
        .map(|((_, y, key), s)| ((*y, key.as_str()), s.2))
        .collect()
}

/// What a change does to the project's lottery rows per place (`statistics_place_lottery`): `None` when they
/// stay; else whether some are stored to delete, and the rows it has now, once for every place it is in.
fn place_lottery(project_id: i64, c: &Change) -> Option<(bool, Vec<Vec<Arg>>)> {
    let (old, new) = (lottery(&c.old), lottery(&c.new));
    if old == new && (new.is_empty() || c.was_in == c.now_in) {
        return None;
    }
    let rows = c
        .now_in
        .iter()
        .flat_map(|code| {
            new.iter().map(move |((year, key), amount)| {
                vec![
                    Arg::Text(code.clone()),
                    Arg::Int(i64::from(*year)),
                    Arg::Int(project_id),
                    Arg::Text((*key).to_string()),
                    Arg::Int(amount.fen()),
                ]
            })
        })
        .collect();
    Some((!old.is_empty(), rows))
}

/// Deletes the lottery rows per place of `stale` projects and writes `rows`.
async fn write_place_lottery(conn: &mut AnyConnection, stale: &[i64], rows: Vec<Vec<Arg>>) -> Result<()> {
    for chunk in stale.chunks(500) {
        let mut w = Where::default();
        let ids: Vec<String> = chunk.iter().map(|id| w.int(*id)).collect();
        let sql = format!("DELETE FROM statistics_place_lottery WHERE project_id IN ({})", ids.join(", "));
        w.bind(sqlx::query(&sql)).execute(&mut *conn).await?;
    }
    insert_rows(conn, "INSERT INTO statistics_place_lottery (code, year, project_id, key, amount_fen)", "", rows).await
}

/// The totals over every project and per place, with their columns (also filled whole by
/// [`crate::statistics::refill`]).
pub(crate) const TOTALS_TABLE: &str = "statistics_totals (kind, year, key, projects, posts, amount_fen)";
pub(crate) const PLACE_TOTALS_TABLE: &str =
    "statistics_place_totals (code, kind, year, key, projects, posts, amount_fen)";

fn add(d: &mut Delta, sign: i64, (projects, posts, amount): &Sum) {
    *d = (d.0 + sign * projects, d.1 + sign * posts, d.2 + sign * amount.fen());
}

/// Rewrites `p`'s contribution rows and changes the totals by the difference, in the caller's transaction. Every
/// writer of projects calls it (through [`SqlStore::contribute`]) after writing the project (saves, the
/// migration's fill, bulk loads), and after appending its audit event: on PostgreSQL that event's table lock is
/// then held, so the shared totals rows are only ever taken by one writer at a time and two writers never wait on
/// each other for them.
pub async fn write_contribution(conn: &mut AnyConnection, p: &Project, stored: Stored<'_>) -> Result<()> {
    // The stored rows are the record's as it was, with the places as they are (a new township rewrites the rows
    // under it): a save that changes nothing they depend on has nothing to read or write.
    if let Stored::Of(before) = stored {
        if same_contribution(before, p) {
            return Ok(());
        }
    }
    let (townships, seats, read) = places(conn, p, None, needs_reading(stored).then_some(p.id)).await?;
    let old = read.unwrap_or_else(|| from_record(stored));
    let Some(change) = change(p, &townships, &seats, old, was_in(p, stored)) else { return Ok(()) };
    let (mut totals, mut place_totals) = (BTreeMap::new(), BTreeMap::new());
    change.add_to(&mut totals, &mut place_totals);
    add_place_totals(conn, place_totals).await?;
    add_totals(conn, totals).await?;
    if let Some((stale, rows)) = place_lottery(p.id, &change) {
        let stale: &[i64] = if stale { &[p.id] } else { &[] };
        write_place_lottery(conn, stale, rows).await?;
    }
    let gone: Vec<&Key> = change.old.keys().filter(|k| !change.new.contains_key(*k)).collect();
    delete_rows(conn, p.id, &gone).await?;
    upsert_rows(conn, changed_rows(p.id, &change.old, &change.new)).await
}

/// Whether the rows stored for the record as it was must be read: with a contract they depend on places, which
/// may have changed since.
fn needs_reading(stored: Stored<'_>) -> bool {
    match stored {
        Stored::Nothing => false,
        Stored::Of(before) => before.contract.is_some(),
        Stored::Unknown => true,
    }
}

/// The rows stored for a record without a contract (or none): they follow from the record alone.
fn from_record(stored: Stored<'_>) -> Keyed {
    match stored {
        Stored::Of(before) => keyed(contribution(before, &[], &BTreeMap::new())),
        Stored::Nothing | Stored::Unknown => Keyed::new(),
    }
}

async fn read_rows(conn: &mut AnyConnection, project_id: i64) -> Result<Keyed> {
    let rows = sqlx::query(
        "SELECT kind, year, key, projects, posts, amount_fen AS amount FROM statistics_rows WHERE project_id = $1",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(keyed(rows.iter().map(|r| row_from(r)).collect::<Result<_>>()?))
}

/// A project's stored rows, when asked for.
async fn rows_if(conn: &mut AnyConnection, rows_of: Option<i64>) -> Result<Option<Keyed>> {
    Ok(match rows_of {
        Some(id) => Some(read_rows(conn, id).await?),
        None => None,
    })
}

/// The places a project's rows were added to before its save.
fn was_in(p: &Project, stored: Stored<'_>) -> BTreeSet<String> {
    match stored {
        Stored::Nothing => BTreeSet::new(),
        Stored::Of(before) => crate::projects::place_codes(&before.design.regions),
        Stored::Unknown => crate::projects::place_codes(&p.design.regions),
    }
}

/// The change `p`'s save makes to its rows, `old` being what they held in the places `was_in`; `None` when it
/// makes none.
fn change(
    p: &Project,
    townships: &[Region],
    seats: &BTreeMap<i64, String>,
    old: Keyed,
    was_in: BTreeSet<String>,
) -> Option<Change> {
    let new = keyed(contribution(p, townships, seats));
    let now_in = crate::projects::place_codes(&p.design.regions);
    (old != new || was_in != now_in).then_some(Change { old, new, was_in, now_in })
}

/// The rows of `new` that differ from `old`, as rows of `statistics_rows`.
fn changed_rows(project_id: i64, old: &Keyed, new: &Keyed) -> Vec<Vec<Arg>> {
    new.iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, (projects, posts, amount))| {
            std::iter::once(Arg::Int(project_id)).chain(sum_args(k, (*projects, *posts, amount.fen()))).collect()
        })
        .collect()
}

/// A summary row's values after whatever it belongs to: kind, year, key, projects, posts and amount in fen.
fn sum_args((kind, year, key): &Key, (projects, posts, amount): Delta) -> Vec<Arg> {
    vec![
        Arg::Text(kind.code().into()),
        Arg::Int(i64::from(*year)),
        Arg::Text(key.clone()),
        Arg::Int(projects),
        Arg::Int(posts),
        Arg::Int(amount),
    ]
}

async fn add_totals(conn: &mut AnyConnection, totals: BTreeMap<Key, Delta>) -> Result<()> {
    let changed: Vec<(Key, Delta)> = totals.into_iter().filter(|(_, d)| *d != (0, 0, 0)).collect();
    // A department's contracts go to its row of the year too (`statistics_departments`, beside its payments).
    let departments: BTreeMap<(i64, i64), Delta> = changed
        .iter()
        .filter(|((kind, _, _), _)| *kind == Kind::Department)
        .filter_map(|((_, year, key), d)| Some(((i64::from(*year), key.parse().ok()?), *d)))
        .collect();
    // In key order: the lock order on PostgreSQL.
    let departments = departments
        .into_iter()
        .map(|((year, org_id), (projects, posts, fen))| {
            [year, org_id, projects, posts, fen, 0].into_iter().map(Arg::Int).collect()
        })
        .collect();
    let rows = changed.iter().map(|(k, d)| sum_args(k, *d)).collect();
    insert_rows(
        conn,
        &format!("INSERT INTO {TOTALS_TABLE}"),
        " ON CONFLICT (kind, year, key) DO UPDATE SET projects = statistics_totals.projects + excluded.projects, \
         posts = statistics_totals.posts + excluded.posts, amount_fen = statistics_totals.amount_fen + excluded.amount_fen",
        rows,
    )
    .await?;
    insert_rows(
        conn,
        "INSERT INTO statistics_departments (year, org_id, projects, posts, contracted_fen, paid_fen)",
        " ON CONFLICT (year, org_id) DO UPDATE SET \
         projects = statistics_departments.projects + excluded.projects, \
         posts = statistics_departments.posts + excluded.posts, \
         contracted_fen = statistics_departments.contracted_fen + excluded.contracted_fen",
        departments,
    )
    .await
}

async fn add_place_totals(conn: &mut AnyConnection, totals: BTreeMap<(String, Key), Delta>) -> Result<()> {
    let rows = totals
        .into_iter()
        .filter(|(_, d)| *d != (0, 0, 0))
        .map(|((code, k), d)| std::iter::once(Arg::Text(code)).chain(sum_args(&k, d)).collect())
        .collect();
    insert_rows(
        conn,
        &format!("INSERT INTO {PLACE_TOTALS_TABLE}"),
        " ON CONFLICT (code, kind, year, key) DO UPDATE SET projects = statistics_place_totals.projects + excluded.projects, \
         posts = statistics_place_totals.posts + excluded.posts, \
         amount_fen = statistics_place_totals.amount_fen + excluded.amount_fen",
        rows,
    )
    .await
}

/// Deletes a project's rows of the keys that went.
async fn delete_rows(conn: &mut AnyConnection, project_id: i64, gone: &[&Key]) -> Result<()> {
    if gone.is_empty() {
        return Ok(());
    }
    let mut w = Where::default();
    let id = w.int(project_id);
    let keys: Vec<String> = gone
        .iter()
        .map(|(kind, year, key)| {
            format!("(kind = {} AND year = {} AND key = {})", w.text(kind.code()), w.int((*year).into()), w.text(key))
        })
        .collect();
    let sql = format!("DELETE FROM statistics_rows WHERE project_id = {id} AND ({})", keys.join(" OR "));
    w.bind(sqlx::query(&sql)).execute(&mut *conn).await?;
    Ok(())
}

async fn upsert_rows(conn: &mut AnyConnection, rows: Vec<Vec<Arg>>) -> Result<()> {
    insert_rows(
        conn,
        "INSERT INTO statistics_rows (project_id, kind, year, key, projects, posts, amount_fen)",
        " ON CONFLICT (project_id, kind, year, key) DO UPDATE SET projects = excluded.projects, \
         posts = excluded.posts, amount_fen = excluded.amount_fen",
        rows,
    )
    .await
}

/// What a batch holds back until it commits: for every project it saved, what the project's rows held before
/// the batch. Its rows follow from its last record, which the batch also holds ([`Pending<Project>`]): they are
/// worked out once, at the commit, instead of at each of a generated project's dozen saves.
#[derive(Default)]
pub(crate) struct Deferred {
    before: BTreeMap<i64, Before>,
}

/// A project's rows before a batch: those of its record as it was (none when new) or, when they depended on
/// places then (it had a contract), to be read; and the places they were added to.
struct Before {
    rows: Option<Keyed>,
    was_in: BTreeSet<String>,
}

impl Deferred {
    /// Writes every saved project's rows and the totals' differences, in the batch's transaction as it commits,
    /// from the projects' last records; the rows alone when the totals are put off (`summaries` false, see
    /// [`crate::statistics::refill`]).
    pub(crate) async fn write(
        self,
        conn: &mut AnyConnection,
        projects: &Pending<Project>,
        summaries: bool,
    ) -> Result<()> {
        let (mut totals, mut place_totals) = (BTreeMap::new(), BTreeMap::new());
        let mut cache = Places::default();
        let (mut upserts, mut stale, mut lottery_rows) = (Vec::new(), Vec::new(), Vec::new());
        for (id, before) in self.before {
            let p = projects
                .last(id)
                .ok_or_else(|| crate::error::StoreError::Corrupt(format!("project {id} saved without its row")))?;
            let (townships, seats, read) =
                places(conn, p, Some(&mut cache), before.rows.is_none().then_some(id)).await?;
            let old = before.rows.or(read).unwrap_or_default();
            let Some(change) = change(p, &townships, &seats, old, before.was_in) else { continue };
            change.add_to(&mut totals, &mut place_totals);
            if let Some((was_stored, rows)) = place_lottery(id, &change) {
                if was_stored {
                    stale.push(id);
                }
                lottery_rows.extend(rows);
            }
            let gone: Vec<&Key> = change.old.keys().filter(|k| !change.new.contains_key(*k)).collect();
            delete_rows(conn, id, &gone).await?;
            upserts.extend(changed_rows(id, &change.old, &change.new));
        }
        write_place_lottery(conn, &stale, lottery_rows).await?;
        if summaries {
            add_place_totals(conn, place_totals).await?;
            add_totals(conn, totals).await?;
        }
        upsert_rows(conn, upserts).await
    }
}

/// Places looked up for a batch's projects (regions and seats do not change inside a batch).
#[derive(Default)]
struct Places {
    /// By code: the township of that code, if it is one.
    townships: HashMap<String, Option<Region>>,
    /// By organisation: its seat.
    seats: HashMap<i64, Option<String>>,
}

impl SqlStore {
    /// Brings `p`'s contribution up to date after a save, in the caller's transaction: at once, or in a batch
    /// when the batch commits.
    pub(crate) async fn contribute(&self, conn: &mut AnyConnection, p: &Project, stored: Stored<'_>) -> Result<()> {
        let Some(batch) = &self.batch else { return write_contribution(conn, p, stored).await };
        let mut deferred = crate::bulk::lock(&batch.statistics);
        deferred.before.entry(p.id).or_insert_with(|| Before {
            rows: (!needs_reading(stored)).then(|| from_record(stored)),
            was_in: was_in(p, stored),
        });
        Ok(())
    }
}

/// What [`contribution`] needs of places for `p`: the townships its regions and its posts' hosts lie in, and the
/// hosts' seats. Only the prefixes of those codes are looked up, so a save reads a handful of regions; with a
/// batch's `cache`, only those the batch has not looked up yet. With `rows_of`, also that project's stored rows,
/// in the townships' statement when there is one (a round trip fewer).
async fn places(
    conn: &mut AnyConnection,
    p: &Project,
    mut cache: Option<&mut Places>,
    rows_of: Option<i64>,
) -> Result<(Vec<Region>, BTreeMap<i64, String>, Option<Keyed>)> {
    if p.contract.is_none() {
        return Ok((Vec::new(), BTreeMap::new(), rows_if(conn, rows_of).await?));
    }
    let hosts: BTreeSet<i64> = match p.design.mode {
        PurchaseMode::Post => p.design.posts.iter().map(|post| post.host_org_id).collect(),
        PurchaseMode::Project => BTreeSet::new(),
    };
    let mut seats: HashMap<i64, Option<String>> = HashMap::new();
    if let Some(c) = cache.as_deref() {
        seats.extend(hosts.iter().filter_map(|id| c.seats.get(id).map(|s| (*id, s.clone()))));
    }
    let missing: Vec<i64> = hosts.iter().copied().filter(|id| !seats.contains_key(id)).collect();
    if !missing.is_empty() {
        let mut w = Where::default();
        let ids: Vec<String> = missing.iter().map(|id| w.int(*id)).collect();
        let sql =
            format!("SELECT id, region FROM organisations WHERE region IS NOT NULL AND id IN ({})", ids.join(", "));
        let mut found: HashMap<i64, Option<String>> = missing.iter().map(|id| (*id, None)).collect();
        for r in w.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await? {
            found.insert(r.try_get::<i64, _>("id")?, Some(r.try_get::<String, _>("region")?));
        }
        if let Some(c) = cache.as_deref_mut() {
            c.seats.extend(found.clone());
        }
        seats.extend(found);
    }
    let seats: BTreeMap<i64, String> = seats.into_iter().filter_map(|(id, s)| Some((id, s?))).collect();
    let prefixes: BTreeSet<&str> = p
        .design
        .regions
        .iter()
        .chain(seats.values())
        .flat_map(|code| code.char_indices().map(|(i, c)| &code[..i + c.len_utf8()]))
        .collect();
    let mut townships: BTreeMap<String, Option<Region>> = BTreeMap::new();
    if let Some(c) = cache.as_deref() {
        townships
            .extend(prefixes.iter().filter_map(|code| c.townships.get(*code).map(|t| (code.to_string(), t.clone()))));
    }
    let missing: Vec<&str> = prefixes.iter().copied().filter(|code| !townships.contains_key(*code)).collect();
    if missing.is_empty() {
        return Ok((townships.into_values().flatten().collect(), seats, rows_if(conn, rows_of).await?));
    }
    let mut w = Where::default();
    // The stored rows first, when asked for, each marked by `part`; the townships' columns typed for the union.
    let rows = match rows_of {
        Some(id) => format!(
            "SELECT 'row' AS part, kind, year, key, projects, posts, amount_fen AS amount, CAST(NULL AS TEXT) AS code, \
             CAST(NULL AS TEXT) AS name, CAST(NULL AS TEXT) AS level, CAST(NULL AS BIGINT) AS urban, \
             CAST(NULL AS TEXT) AS parent FROM statistics_rows WHERE project_id = {} UNION ALL ",
            w.int(id)
        ),
        None => String::new(),
    };
    let codes: Vec<String> = missing.iter().map(|c| w.text(c)).collect();
    let sql = format!(
        "{rows}SELECT 'township' AS part, NULL, NULL, NULL, NULL, NULL, NULL, code, name, level, urban, parent \
         FROM regions WHERE level = 'township' AND code IN ({})",
        codes.join(", ")
    );
    let mut found: BTreeMap<String, Option<Region>> = missing.iter().map(|c| (c.to_string(), None)).collect();
    let mut stored = Vec::new();
    for r in w.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await? {
        if r.try_get::<String, _>("part")? == "row" {
            stored.push(row_from(&r)?);
        } else {
            let region = region_from_row(&r)?;
            found.insert(region.code.clone(), Some(region));
        }
    }
    if let Some(c) = cache {
        c.townships.extend(found.clone());
    }
    townships.extend(found);
    Ok((townships.into_values().flatten().collect(), seats, rows_of.map(|_| keyed(stored))))
}
