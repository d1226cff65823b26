//! The statistics from summary rows kept in the same transaction as what they sum, so a reader's figures cost a
//! few `GROUP BY` sums instead of reading every project and ledger entry:
//! - `statistics_rows`: each project's contribution ([`contribution`]), rewritten whenever the project is saved;
//!   a region's figures sum the rows of its projects (found through `project_regions`);
//! - `statistics_totals`: the same rows summed over every project, changed by the difference each save makes,
//!   for the whole platform's figures;
//! - `statistics_ledger` (by line, project, movement and year), `statistics_ledger_totals` (by line, movement
//!   and year) and `statistics_ledger_places` (by place — every level of the project's places — line, movement
//!   and year), added to with every ledger entry; a place's sums move with a project whose regions change;
//! - `statistics_ledger_groups` and `statistics_ledger_place_groups`: the payments and allocations among them
//!   grouped as the fold reads them ([`GROUPED`]), for the whole platform and per place, so a year's figures read a
//!   row per department and fund source instead of every line it paid on.
//!
//! The domain's [`fold`] turns the sums into the [`Statistics`] object, equal to computing it from every record.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use shanzhi_domain::budget::{FundSource, Movement};
use shanzhi_domain::rules::Rules;
use shanzhi_domain::statistics::sums::{fold, outside_social_work, Kind, LedgerSum, Line, Lookups, Row, Sums};
use shanzhi_domain::statistics::{DepartmentRow, EarmarkWarning, Shown, Statistics, TownshipRow, YearWarning};
use shanzhi_domain::Money;

use crate::error::{Result, StoreError};
use crate::listing::{Page, PageRequest, Where};
use crate::read::{Cells, Snapshot};
use crate::{Backend, SqlStore};

pub use crate::contribution::{write_contribution, Stored};
pub(crate) use refill::refill;
pub use write::add_ledger_entries;
pub(crate) use write::{
    add_ledger_sums, add_project_ledger_sums, fill, move_place_ledger, refresh_within, write_ledger_entries,
};
use write::{grouped, GROUPED};

mod lists;
mod refill;
mod write;

#[async_trait]
pub trait StatisticsStore {
    /// The statistics of `year` (all years when `None`) within the region subtree `root` (everything when
    /// `None`), from the summary rows.
    async fn statistics(&self, rules: &Rules, year: Option<i32>, root: Option<&str>, list: Shown)
        -> Result<Statistics>;
    /// A page of the welfare-lottery warnings of `year` (all years when `None`) within `root`, newest first:
    /// the lottery money committed to projects outside social work, one per project and line year.
    async fn earmark_warnings(
        &self,
        rules: &Rules,
        year: Option<i32>,
        root: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<YearWarning>>;
    /// A page of the departments' figures of `year` (all years when `None`) within `root`, by id newest first:
    /// those with a contract or a payment in the year, as the statistics list them largest first.
    async fn department_statistics(
        &self,
        year: Option<i32>,
        root: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<DepartmentRow>>;
    /// A page of the townships' figures of `year` within `root`, in code order after the township `after`.
    async fn township_statistics(
        &self,
        year: Option<i32>,
        root: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Page<TownshipRow, String>>;
    /// The first and last year the data speaks of (projects by the year they count in, budget lines, ledger
    /// entries); `None` for an empty store.
    async fn data_years(&self) -> Result<Option<(i32, i32)>>;
}

/// Whether `root`'s subtree holds every project (each has a region, the design requires one) and every department
/// with a budget line: then its sums are the whole platform's, read from the totals (a province's own view).
///
/// The nearest region outside on each side, each as its own ordered `LIMIT 1`: asked only for some row below a
/// bound, PostgreSQL's generic plan reads the table in order hoping for an early one, and where there is none (the
/// first city, the first township) it read all 1.8 million rows of a million projects (90 ms) to learn it.
async fn holds_everything(snap: &mut Snapshot<'_>, root: &str) -> Result<bool> {
    let mut w = Where::default();
    let (lo, hi) = (w.text(root), w.text(&crate::listing::prefix_end(root)));
    let seated = w.starts_with("o.region", root);
    let sql = format!(
        "SELECT 1 FROM (SELECT region FROM project_regions WHERE region < {lo} ORDER BY region DESC LIMIT 1) below \
         UNION ALL SELECT 1 FROM (SELECT region FROM project_regions WHERE region >= {hi} ORDER BY region LIMIT 1) above \
         UNION ALL SELECT 1 FROM budgets b JOIN organisations o ON o.id = b.org_id WHERE o.region IS NULL OR NOT ({seated}) \
         LIMIT 1"
    );
    Ok(snap.fetch_all(&sql, w.into_args(), |_| Ok(())).await?.is_empty())
}

pub(crate) fn row_from(r: &dyn Cells) -> Result<Row> {
    let kind: String = r.try_get("kind")?;
    Ok(Row {
        kind: Kind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("statistics row kind {kind}")))?,
        year: year_of(r, "year")?,
        key: r.try_get("key")?,
        projects: r.try_get("projects")?,
        posts: r.try_get("posts")?,
        amount: Money::from_fen(r.try_get("amount")?),
    })
}

fn year_of(r: &dyn Cells, column: &str) -> Result<i32> {
    let y: i64 = r.try_get(column)?;
    i32::try_from(y).map_err(|_| StoreError::Corrupt(format!("year {y}")))
}

/// The ids of the projects with a region in `root`'s subtree, as a subquery.
fn projects_within(w: &mut Where, root: &str) -> String {
    let range = w.prefix("r.region", root);
    format!("SELECT r.project_id FROM project_regions r WHERE {range}")
}

/// The budget lines (as `b2`) of departments seated in `root`'s subtree, as a subquery selecting `select` of them.
fn own_lines(w: &mut Where, backend: Backend, root: &str, select: &str) -> String {
    // The departments by the organisations' `(region, id)` index (migrations 31 and 34), not by testing each.
    let seated = w.subtree(backend, "o.region", root);
    // From the departments to their lines (`CROSS JOIN` keeps that order on SQLite): a province has a few
    // thousand departments and ten times as many lines, which SQLite otherwise walked, each looked up.
    format!("SELECT {select} FROM organisations o CROSS JOIN budgets b2 WHERE b2.org_id = o.id AND {seated}")
}

/// Rows of other years than the asked one that the fold still reads: the trend's.
const EVERY_YEAR: &str = "kind IN ('contract', 'source')";
/// The rows the fold reads, named (so the kinds are seeks in the key): not the departments' and townships', whose
/// lists are summed in SQL ([`lists`]).
fn folded(column: &str) -> String {
    let kinds: Vec<String> = Kind::ALL
        .into_iter()
        .filter(|k| !matches!(k, Kind::Department | Kind::Township))
        .map(|k| format!("'{}'", k.code()))
        .collect();
    format!("{column} IN ({})", kinds.join(", "))
}

async fn contribution_sums(snap: &mut Snapshot<'_>, year: Option<i32>, root: Option<&str>) -> Result<Vec<Row>> {
    let mut w = Where::default();
    let sql = match root {
        None => {
            w.and(folded("kind"));
            if let Some(y) = year {
                let y = w.int(i64::from(y));
                w.and(format!("(year = {y} OR {EVERY_YEAR})"));
            }
            format!("SELECT kind, year, key, projects, posts, amount_fen AS amount FROM statistics_totals{}", w.sql())
        }
        // A place's sums are kept per place: read, not summed.
        Some(code) if crate::projects::is_place_code(code) => {
            let c = w.text(code);
            w.and(format!("code = {c}"));
            w.and(folded("kind"));
            if let Some(y) = year {
                let y = w.int(i64::from(y));
                w.and(format!("(year = {y} OR {EVERY_YEAR})"));
            }
            format!(
                "SELECT kind, year, key, projects, posts, amount_fen AS amount FROM statistics_place_totals{}",
                w.sql()
            )
        }
        Some(root) => {
            let within = projects_within(&mut w, root);
            w.and(format!("s.project_id IN ({within})"));
            w.and(folded("s.kind"));
            if let Some(y) = year {
                let y = w.int(i64::from(y));
                w.and(format!("(s.year = {y} OR s.{EVERY_YEAR})"));
            }
            format!(
                "SELECT s.kind, s.year, s.key, CAST(SUM(s.projects) AS BIGINT) AS projects, \
                 CAST(SUM(s.posts) AS BIGINT) AS posts, CAST(SUM(s.amount_fen) AS BIGINT) AS amount \
                 FROM statistics_rows s{} GROUP BY s.kind, s.year, s.key",
                w.sql()
            )
        }
    };
    let rows = snap.fetch_all(&sql, w.into_args(), row_from).await?;
    // A sum of nothing (a step every project has left) must not count as a year with data.
    Ok(rows.into_iter().filter(|r| (r.projects, r.posts, r.amount) != (0, 0, Money::ZERO)).collect())
}

/// The ledger's payments and allocations in the part under `root` (everything when `None`) as the fold reads them
/// (see [`Sums`]): for the whole platform and for a place, from their grouped rows ([`GROUPED`]) — every year's
/// payments per fund source (the trend; a department's are [`lists`]'), the allocations of the year's original
/// welfare-lottery lines (every year's allocations for all years) — and, for a place, its own departments' entries
/// without a project (allocations and grants: `sql.rs`), grouped alike.
async fn ledger_sums(snap: &mut Snapshot<'_>, year: Option<i32>, root: Option<&str>) -> Result<Vec<LedgerSum>> {
    let place = match root {
        None => None,
        Some(code) if crate::projects::is_place_code(code) => Some(code),
        Some(root) => return part_ledger_sums(snap, year, root).await,
    };
    let mut w = Where::default();
    let (table, at) = match place {
        None => ("statistics_ledger_groups", String::new()),
        Some(code) => ("statistics_ledger_place_groups", format!("code = {} AND ", w.text(code))),
    };
    let by_source = "SELECT movement, year, source, CAST(0 AS BIGINT) AS org_id, CAST(0 AS BIGINT) AS line_year, \
                     CAST(0 AS BIGINT) AS granted, CAST(";
    let paid = match place {
        None => {
            format!("{by_source}amount_fen AS BIGINT) AS amount FROM statistics_ledger_sources WHERE movement = 'pay'")
        }
        Some(_) => format!(
            "{by_source}SUM(amount_fen) AS BIGINT) AS amount FROM {table} WHERE {at}movement = 'pay' \
             GROUP BY movement, year, source"
        ),
    };
    let allocated = "SELECT movement, year, source, org_id, line_year, granted, amount_fen";
    let allocated = match year {
        None => format!("{allocated} FROM {table} WHERE {at}movement = 'allocate'"),
        Some(y) => format!(
            "{allocated} FROM {table} WHERE {at}movement = 'allocate' AND line_year = {} \
             AND source = 'welfare_lottery' AND granted = 0",
            w.int(i64::from(y))
        ),
    };
    let mut parts = vec![paid, allocated];
    if let Some(code) = place {
        // Of the year's own lines only its original welfare-lottery ones: the fold reads no other entry without
        // a project in a year.
        let mut own = own_lines(&mut w, snap.backend(), code, "b2.id");
        if let Some(y) = year {
            let y = w.int(i64::from(y));
            own = format!("{own} AND b2.year = {y} AND b2.source = 'welfare_lottery' AND b2.granted_from IS NULL");
        }
        parts.push(format!(
            "SELECT l.movement, l.year, {}, CAST(SUM(l.amount_fen) AS BIGINT) FROM statistics_ledger l \
             JOIN budgets b ON b.id = l.budget_id WHERE l.project_id = 0 AND l.movement {GROUPED} \
             AND l.budget_id IN ({own}) GROUP BY 1, 2, 3, 4, 5, 6",
            grouped("l.movement")
        ));
    }
    snap.fetch_all(&parts.join(" UNION ALL "), w.into_args(), ledger_sum_from).await
}

/// The ledger sums of a part that is not a place (a region prefix of no level): its projects' sums per line,
/// each tested for the part, and its own departments' lines, grouped per request.
async fn part_ledger_sums(snap: &mut Snapshot<'_>, year: Option<i32>, root: &str) -> Result<Vec<LedgerSum>> {
    let mut w = Where::default();
    let moved = "SELECT budget_id, movement, year, amount_fen FROM";
    let wanted = "movement IN ('pay', 'allocate')";
    let within = projects_within(&mut w, root);
    let own = own_lines(&mut w, snap.backend(), root, "b2.id");
    // Two halves rather than one OR, so each is answered from the table's key.
    let from = format!(
        "({moved} statistics_ledger WHERE {wanted} AND project_id IN ({within}) \
         UNION ALL {moved} statistics_ledger WHERE {wanted} AND project_id = 0 AND budget_id IN ({own})) l"
    );
    // What the fold reads of the ledger (`sums::fold`): payments by year and fund source for the trend; the
    // welfare-lottery lines' own allocations in the asked year. For one year the rest is summed away in SQL (line
    // and grant as 0; the department always, its payments are [`lists`]'), so a year's figures read a few dozen
    // rows rather than one per line, year and movement.
    let (keep, wanted) = match year {
        None => ("1 = 1".to_string(), "1 = 1".to_string()),
        Some(y) => {
            let y = w.int(i64::from(y));
            (
                format!("(l.movement = 'allocate' OR l.year = {y})"),
                format!(
                    "(l.movement = 'pay' OR (b.year = {y} AND b.source = 'welfare_lottery' AND b.granted_from IS NULL))"
                ),
            )
        }
    };
    w.and(wanted);
    let sql = format!(
        "SELECT l.movement, l.year, CAST(CASE WHEN {keep} THEN b.year ELSE 0 END AS BIGINT) AS line_year, b.source, \
         CAST(0 AS BIGINT) AS org_id, \
         CAST(CASE WHEN {keep} AND b.granted_from IS NOT NULL THEN 1 ELSE 0 END AS BIGINT) AS granted, \
         CAST(SUM(l.amount_fen) AS BIGINT) AS amount FROM {from} JOIN budgets b ON b.id = l.budget_id{} \
         GROUP BY l.movement, l.year, 3, b.source, 5, 6",
        w.sql()
    );
    snap.fetch_all(&sql, w.into_args(), ledger_sum_from).await
}

fn ledger_sum_from(r: &dyn Cells) -> Result<LedgerSum> {
    let movement: String = r.try_get("movement")?;
    let source: String = r.try_get("source")?;
    Ok(LedgerSum {
        movement: Movement::parse(&movement)
            .ok_or_else(|| StoreError::Corrupt(format!("ledger movement {movement}")))?,
        year: year_of(r, "year")?,
        line: Line {
            year: year_of(r, "line_year")?,
            source: FundSource::parse(&source).ok_or_else(|| StoreError::Corrupt(format!("fund source {source}")))?,
            org_id: r.try_get("org_id")?,
            granted: r.try_get::<i64>("granted")? != 0,
        },
        amount: Money::from_fen(r.try_get("amount")?),
    })
}

/// The years of the budget lines in the part, and of its original welfare-lottery lines: its departments' own
/// lines and the lines its projects' money moved on.
///
/// Each year any line has ([`crate::sql::LINE_YEARS`]: a few dozen look-ups in the index of year, source and grant)
/// is tested for the part by `EXISTS`, its own departments' lines first: those nearly always have lines in every
/// year, found by the first seek, so the lines its projects moved money on (every such line looked up in `budgets`:
/// 2 ms for a city of 10 counties at 100,000 projects) are read only for a year its own lines lack.
async fn line_years(snap: &mut Snapshot<'_>, root: Option<&str>) -> Result<(BTreeSet<i32>, BTreeSet<i32>)> {
    let mut w = Where::default();
    // Lines as `b2`, so the year's condition below applies to both halves.
    let (own, moved) = match root {
        None => ("SELECT 1 FROM budgets b2 WHERE 1 = 1".to_string(), None),
        Some(root) => {
            // Each department's lines of the year by `(org_id, year)`.
            let own = own_lines(&mut w, snap.backend(), root, "1");
            let moved = if crate::projects::is_place_code(root) {
                let c = w.text(root);
                format!(
                    "SELECT 1 FROM statistics_ledger_places l JOIN budgets b2 ON b2.id = l.budget_id WHERE l.code = {c}"
                )
            } else {
                let within = projects_within(&mut w, root);
                format!(
                    "SELECT 1 FROM statistics_ledger l JOIN budgets b2 ON b2.id = l.budget_id \
                     WHERE l.project_id IN ({within})"
                )
            };
            (own, Some(moved))
        }
    };
    // Whether the part has a line of `y.year` (narrowed by `lottery`): `CASE` tries the moved lines only when its
    // own have none (an `OR` may evaluate both).
    let has = |lottery: &str| {
        let of_year = format!("AND b2.year = y.year{lottery}");
        let moved = moved.as_ref().map(|m| format!(" WHEN EXISTS ({m} {of_year}) THEN 1")).unwrap_or_default();
        format!("CAST(CASE WHEN EXISTS ({own} {of_year}) THEN 1{moved} ELSE 0 END AS BIGINT)")
    };
    let sql = format!(
        "{} SELECT CAST(y.year AS BIGINT) AS year, {} AS any_line, {} AS lottery FROM y WHERE y.year IS NOT NULL",
        crate::sql::LINE_YEARS,
        has(""),
        has(" AND b2.source = 'welfare_lottery' AND b2.granted_from IS NULL"),
    );
    let (mut all, mut lottery) = (BTreeSet::new(), BTreeSet::new());
    let years = snap.fetch_all(&sql, w.into_args(), |r| {
        Ok((year_of(r, "year")?, r.try_get::<i64>("any_line")? != 0, r.try_get::<i64>("lottery")? != 0))
    });
    for (y, any, is_lottery) in years.await? {
        if any {
            all.insert(y);
        }
        if is_lottery {
            lottery.insert(y);
        }
    }
    Ok((all, lottery))
}

/// Which warnings a query reads: every one in project order, or a page newest first.
#[derive(Clone, Copy)]
enum Warnings {
    All,
    Page(PageRequest),
}

/// A warning's place in the list newest first (by project, then the line's year) as one cursor: years have four
/// digits.
fn warning_key(project_id: i64, year: i32) -> i64 {
    project_id * 10_000 + i64::from(year)
}

/// Rows `s` of one of `categories` and of `year` if one is given.
fn of_categories(categories: &BTreeSet<String>, year: Option<i32>) -> Where {
    let mut w = Where::default();
    let keys: Vec<String> = categories.iter().map(|c| w.text(c)).collect();
    w.and(format!("s.key IN ({})", keys.join(", ")));
    if let Some(y) = year {
        let y = w.int(i64::from(y));
        w.and(format!("s.year = {y}"));
    }
    w
}

/// The lottery commitments in `categories` (those outside social work) of `year` in the part under `root`,
/// one per project and line year: the table their queries read them from (as `s`, with `year`, `project_id`,
/// `key` and `amount_fen`) and the clause they share. A place's are its own rows (`statistics_place_lottery`);
/// the whole platform's its projects' rows; those of a part that is not a place are its projects' rows, each
/// tested for the part.
fn warnings_where(categories: &BTreeSet<String>, year: Option<i32>, root: Option<&str>) -> (&'static str, Where) {
    let mut w = of_categories(categories, year);
    let table = match root {
        Some(code) if crate::projects::is_place_code(code) => {
            let c = w.text(code);
            w.and(format!("s.code = {c}"));
            "statistics_place_lottery"
        }
        _ => {
            w.and("s.kind = 'lottery'".to_string());
            if let Some(root) = root {
                let range = w.prefix("r.region", root);
                w.and(format!(
                    "EXISTS (SELECT 1 FROM project_regions r WHERE r.project_id = s.project_id AND {range})"
                ));
            }
            "statistics_rows"
        }
    };
    (table, w)
}

/// The warnings `which` asks for, each with its line's year.
async fn warnings(
    snap: &mut Snapshot<'_>,
    categories: &BTreeSet<String>,
    year: Option<i32>,
    root: Option<&str>,
    which: Warnings,
) -> Result<Page<(i32, EarmarkWarning)>> {
    if categories.is_empty() {
        return Ok(Page { items: Vec::new(), next: None });
    }
    let (table, mut w) = warnings_where(categories, year, root);
    let (order, cut, limit) = match which {
        Warnings::All => ("s.project_id, s.year", String::new(), None),
        Warnings::Page(page) => {
            if let Some(before) = page.before {
                let (id, key) = (w.int(before / 10_000), w.int(before));
                // The first part lets the planner start at the project; the second is the exact place.
                w.and(format!("s.project_id <= {id} AND s.project_id * 10000 + s.year < {key}"));
            }
            let limit = w.int(i64::from(page.limit) + 1);
            ("s.project_id DESC, s.year DESC", format!(" LIMIT {limit}"), Some(page.limit))
        }
    };
    // The rows chosen (and a page cut) from the lottery rows' index first, then each looked up in `projects`:
    // a page of thousands joins only its own.
    let sql = format!(
        "SELECT s.year, s.project_id, s.key, s.amount_fen, p.code, p.title, p.purchaser_name, o.name AS purchaser \
         FROM (SELECT s.year, s.project_id, s.key, s.amount_fen FROM {table} s{} ORDER BY {order}{cut}) s \
         JOIN projects p ON p.id = s.project_id LEFT JOIN organisations o ON o.id = p.purchaser_org_id \
         ORDER BY {order}",
        w.sql(),
    );
    let rows = snap
        .fetch_all(&sql, w.into_args(), |r| {
            let purchaser: Option<String> = r.try_get("purchaser")?;
            Ok((
                year_of(r, "year")?,
                EarmarkWarning {
                    project_id: r.try_get("project_id")?,
                    code: r.try_get("code")?,
                    title: r.try_get("title")?,
                    category: r.try_get("key")?,
                    // The department's name now, else the name the project recorded.
                    purchaser: match purchaser {
                        Some(name) => name,
                        None => r.try_get("purchaser_name")?,
                    },
                    amount: Money::from_fen(r.try_get("amount_fen")?),
                },
            ))
        })
        .await?;
    Ok(match limit {
        None => Page { items: rows, next: None },
        Some(limit) => Page::cut(rows, limit, |(y, w)| warning_key(w.project_id, *y)),
    })
}

/// How many warnings each line year has.
async fn warning_counts(
    snap: &mut Snapshot<'_>,
    categories: &BTreeSet<String>,
    year: Option<i32>,
    root: Option<&str>,
) -> Result<BTreeMap<i32, u32>> {
    if categories.is_empty() {
        return Ok(BTreeMap::new());
    }
    let (sql, w) = match root {
        // The whole platform's from its totals, where a lottery row counts its project once (a warning each):
        // a row per category and year, not the year's warnings one by one (a million projects: 0.56 ms).
        None => {
            let mut w = of_categories(categories, year);
            w.and("s.kind = 'lottery'".to_string());
            let sql = format!(
                "SELECT s.year, CAST(SUM(s.projects) AS BIGINT) AS n FROM statistics_totals s{} GROUP BY s.year \
                 HAVING SUM(s.projects) > 0",
                w.sql()
            );
            (sql, w)
        }
        Some(_) => {
            let (table, w) = warnings_where(categories, year, root);
            (format!("SELECT s.year, COUNT(*) AS n FROM {table} s{} GROUP BY s.year", w.sql()), w)
        }
    };
    let counts = snap.fetch_all(&sql, w.into_args(), |r| Ok((year_of(r, "year")?, r.try_get::<i64>("n")? as u32)));
    Ok(counts.await?.into_iter().collect())
}

/// The lottery categories outside social work that any project was ever committed in, from the platform's totals
/// (a few rows).
async fn lottery_categories_outside(snap: &mut Snapshot<'_>, rules: &Rules) -> Result<BTreeSet<String>> {
    let sql = "SELECT DISTINCT key FROM statistics_totals WHERE kind = 'lottery'";
    let keys = snap.fetch_all(sql, vec![], |r| r.try_get::<String>("key")).await?;
    Ok(keys.into_iter().filter(|k| !rules.is_social_work(k)).collect())
}

/// The part of the data under `root` that the sums must be narrowed to: `None` when it holds everything.
async fn part_of<'a>(snap: &mut Snapshot<'_>, root: Option<&'a str>) -> Result<Option<&'a str>> {
    Ok(match root {
        Some(root) if !holds_everything(snap, root).await? => Some(root),
        _ => None,
    })
}

#[async_trait]
impl StatisticsStore for SqlStore {
    async fn statistics(
        &self,
        rules: &Rules,
        year: Option<i32>,
        root: Option<&str>,
        list: Shown,
    ) -> Result<Statistics> {
        // One snapshot for every sum, so a save between two of them cannot make the figures disagree.
        let mut tx = self.snapshot().await?;
        let catalogue = tx.fetch_all(crate::sql::CATALOGUE, vec![], crate::sql::category_from_row).await?;
        let part = part_of(&mut tx, root).await?;
        let rows = contribution_sums(&mut tx, year, part).await?;
        let ledger = ledger_sums(&mut tx, year, part).await?;
        let (line_years, lottery_line_years) = line_years(&mut tx, part).await?;
        let outside = outside_social_work(&rows, rules);
        let (warnings, warnings_total) = match list {
            Shown::All => (warnings(&mut tx, &outside, year, part, Warnings::All).await?.items, None),
            Shown::First(n) => {
                let first = warnings(&mut tx, &outside, year, part, Warnings::Page(PageRequest::first(n))).await?;
                (first.items, Some(warning_counts(&mut tx, &outside, year, part).await?))
            }
        };
        let departments = lists::shown_departments(&mut tx, year, part, list).await?;
        let townships = lists::shown_townships(&mut tx, year, root, list).await?;
        tx.end().await?;
        let sums =
            Sums { rows, ledger, line_years, lottery_line_years, warnings, warnings_total, departments, townships };
        let look = Lookups { catalogue: &catalogue, rules };
        Ok(fold(&sums, &look, year))
    }

    async fn department_statistics(
        &self,
        year: Option<i32>,
        root: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<DepartmentRow>> {
        let mut tx = self.snapshot().await?;
        let part = part_of(&mut tx, root).await?;
        let found = lists::department_page(&mut tx, year, part, page).await?;
        tx.end().await?;
        Ok(found)
    }

    async fn township_statistics(
        &self,
        year: Option<i32>,
        root: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Page<TownshipRow, String>> {
        let mut tx = self.snapshot().await?;
        let found = lists::township_page(&mut tx, year, root, after, limit).await?;
        tx.end().await?;
        Ok(found)
    }

    async fn earmark_warnings(
        &self,
        rules: &Rules,
        year: Option<i32>,
        root: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<YearWarning>> {
        let mut tx = self.snapshot().await?;
        let part = part_of(&mut tx, root).await?;
        let outside = lottery_categories_outside(&mut tx, rules).await?;
        let found = warnings(&mut tx, &outside, year, part, Warnings::Page(page)).await?;
        tx.end().await?;
        Ok(found.map(|(year, warning)| YearWarning { year, warning }))
    }

    async fn data_years(&self) -> Result<Option<(i32, i32)>> {
        let sql = "SELECT CAST(MIN(year) AS BIGINT) AS first, CAST(MAX(year) AS BIGINT) AS last FROM projects \
                   UNION ALL SELECT CAST(MIN(year) AS BIGINT), CAST(MAX(year) AS BIGINT) FROM budgets \
                   UNION ALL SELECT CAST(MIN(year) AS BIGINT), CAST(MAX(year) AS BIGINT) FROM statistics_ledger_totals";
        let rows = self
            .fetch_all(sql, vec![], |r| Ok((r.try_get::<Option<i64>>("first")?, r.try_get::<Option<i64>>("last")?)))
            .await?;
        let mut span: Option<(i32, i32)> = None;
        for pair in rows {
            let (Some(first), Some(last)) = pair else {
                continue;
            };
            let (first, last) = (first as i32, last as i32);
            span = Some(span.map_or((first, last), |(a, b)| (a.min(first), b.max(last))));
        }
        Ok(span)
    }
}
