//! The statistics' long lists — the departments and the townships — summed, ordered and cut in SQL: a province has
//! thousands of each, so a year's figures carry the first few with their count ([`Shown::First`]) and the rest
//! are read a page at a time, where the fold used to receive every row of both and sort them itself.

use shanzhi_domain::statistics::sums::Cut;
use shanzhi_domain::statistics::{DepartmentRow, Shown, TownshipRow};
use shanzhi_domain::Money;

use super::projects_within;
use crate::error::Result;
use crate::listing::{Page, PageRequest, Where};
use crate::read::{Cells, Snapshot};

/// How a list is read: as the statistics show it (ordered as the fold orders it, every item or the first `n` with
/// their count), or one page of the paged list (newest first by key, for the cursor).
#[derive(Clone, Copy)]
enum Read<'a> {
    Shown(Shown),
    Page(PageRequest),
    After(Option<&'a str>, u32),
}

/// Each department's contracts of the year and its lines' payments in the year, within the part under `part`
/// (everything when `None`), as a subquery of `org_id`, `projects`, `contracted` and `paid`: a department counts
/// when a contribution row of it holds something or a payment of the year was made on one of its lines, as in
/// [`shanzhi_domain::statistics::sums::fold`]. The whole platform's are kept a row per year and department
/// (`statistics_departments`, in the order shown by its index); a part's are summed from its contribution rows
/// and payments. Payments always belong to a project (a milestone's), so a part's own lines' entries without a
/// project add none; and they are never of nothing, so a department paid in the year has a paid sum.
fn department_sums(w: &mut Where, year: Option<i32>, part: Option<&str>) -> String {
    let y = year.map(|y| w.int(i64::from(y)));
    let in_year = |column: &str| y.as_ref().map(|y| format!(" AND {column} = {y}")).unwrap_or_default();
    let contributed = "kind = 'department' AND NOT (projects = 0 AND posts = 0 AND amount_fen = 0)";
    let (rows, pays) = match part {
        None => {
            let held = "NOT (projects = 0 AND posts = 0 AND contracted_fen = 0 AND paid_fen = 0)";
            return match &y {
                Some(y) => format!(
                    "SELECT org_id, projects, contracted_fen AS contracted, paid_fen AS paid \
                     FROM statistics_departments WHERE year = {y} AND {held}"
                ),
                None => format!(
                    "SELECT org_id, CAST(SUM(projects) AS BIGINT) AS projects, \
                     CAST(SUM(contracted_fen) AS BIGINT) AS contracted, CAST(SUM(paid_fen) AS BIGINT) AS paid \
                     FROM statistics_departments WHERE {held} GROUP BY org_id"
                ),
            };
        }
        Some(code) if crate::projects::is_place_code(code) => {
            let c = w.text(code);
            (
                format!(
                    "SELECT key, projects, posts, amount_fen FROM statistics_place_totals WHERE code = {c} \
                     AND {contributed}{}",
                    in_year("year")
                ),
                format!(
                    "SELECT org_id, amount_fen FROM statistics_ledger_place_groups WHERE code = {c} \
                     AND movement = 'pay'{}",
                    in_year("year")
                ),
            )
        }
        Some(root) => {
            let within = projects_within(w, root);
            let rows = format!(
                "SELECT s.key, SUM(s.projects) AS projects, SUM(s.posts) AS posts, SUM(s.amount_fen) AS amount_fen \
                 FROM statistics_rows s WHERE s.kind = 'department' AND s.project_id IN ({within}){} \
                 GROUP BY s.year, s.key",
                in_year("s.year")
            );
            let within = projects_within(w, root);
            let pays = format!(
                "SELECT b.org_id, l.amount_fen FROM statistics_ledger l JOIN budgets b ON b.id = l.budget_id \
                 WHERE l.movement = 'pay' AND l.project_id IN ({within}){}",
                in_year("l.year")
            );
            (format!("SELECT * FROM ({rows}) g WHERE NOT (projects = 0 AND posts = 0 AND amount_fen = 0)"), pays)
        }
    };
    format!(
        "SELECT org_id, CAST(SUM(projects) AS BIGINT) AS projects, CAST(SUM(contracted) AS BIGINT) AS contracted, \
         CAST(SUM(paid) AS BIGINT) AS paid FROM (\
         SELECT CAST(r.key AS BIGINT) AS org_id, r.projects, r.amount_fen AS contracted, CAST(0 AS BIGINT) AS paid \
         FROM ({rows}) r UNION ALL \
         SELECT p.org_id, 0, 0, p.amount_fen FROM ({pays}) p) u GROUP BY org_id"
    )
}

fn department_from(r: &dyn Cells) -> Result<DepartmentRow> {
    Ok(DepartmentRow {
        org_id: r.try_get("org_id")?,
        name: r.try_get("name")?,
        projects: u32::try_from(r.try_get::<i64>("projects")?).unwrap_or(0),
        contracted: Money::from_fen(r.try_get("contracted")?),
        paid: Money::from_fen(r.try_get("paid")?),
    })
}

/// The part's townships (with the one `root` lies in when it is a village) in code order with their figures of
/// the year: a township's figures are the whole platform's for it, whatever part it is shown in. A year's are one
/// row each, looked up by key, so the first few townships read no others; all years' are summed per township.
/// Answers the list's SQL and its condition on the places `r`.
fn township_sums(w: &mut Where, backend: crate::Backend, year: Option<i32>, root: Option<&str>) -> (String, String) {
    let sums = match year {
        Some(y) => format!(
            "statistics_totals t ON t.kind = 'township' AND t.year = {} AND t.key = r.code",
            w.int(i64::from(y))
        ),
        None => "(SELECT key, SUM(projects) AS projects, SUM(posts) AS posts, SUM(amount_fen) AS amount_fen \
                 FROM statistics_totals WHERE kind = 'township' GROUP BY key) t ON t.key = r.code"
            .to_string(),
    };
    let mut places = "r.level = 'township'".to_string();
    if let Some(root) = root {
        // Those within by the key's range, and those above by key: seeks rather than a test of every place.
        let above: Vec<String> = crate::projects::place_codes(&[root.to_string()])
            .iter()
            .filter(|c| c.len() < root.len())
            .map(|c| w.text(c))
            .collect();
        let above = above.join(", ");
        places = match backend {
            _ if above.is_empty() => format!("{places} AND {}", w.subtree(backend, "r.code", root)),
            // PostgreSQL seeks both in its indexes and joins what they found (a bitmap); the union below it
            // answered by hashing every township of the province (a village's figures: 0.42 ms, now 0.2).
            crate::Backend::Postgres => {
                format!("{places} AND ({} OR r.code IN ({above}))", w.subtree(backend, "r.code", root))
            }
            // SQLite would answer `within OR above` by testing every township of the province (0.3–0.4 ms).
            crate::Backend::Sqlite => format!(
                "{places} AND r.code IN (SELECT x.code FROM regions x WHERE {} \
                 UNION ALL SELECT x.code FROM regions x WHERE x.code IN ({above}))",
                w.subtree(backend, "x.code", root)
            ),
        };
    }
    let sql = format!(
        "SELECT r.code, r.name, r.urban, CAST(COALESCE(t.projects, 0) AS BIGINT) AS projects, \
         CAST(COALESCE(t.posts, 0) AS BIGINT) AS posts, CAST(COALESCE(t.amount_fen, 0) AS BIGINT) AS amount \
         FROM regions r LEFT JOIN {sums} WHERE {places}"
    );
    (sql, places)
}

fn township_from(r: &dyn Cells) -> Result<TownshipRow> {
    Ok(TownshipRow {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        urban: r.try_get::<i64>("urban")? != 0,
        projects: u32::try_from(r.try_get::<i64>("projects")?).unwrap_or(0),
        posts: u32::try_from(r.try_get::<i64>("posts")?).unwrap_or(0),
        contracted: Money::from_fen(r.try_get("amount")?),
    })
}

/// How a list is laid out for [`cut`]: the SQL of its rows, the order the statistics show them in, the column a
/// page is keyed by, and `dress`, which adds what only the rows kept need (a department's name) to the cut rows
/// `c`, in the same order.
struct List {
    sql: String,
    order: &'static str,
    key: &'static str,
    dress: fn(&str) -> String,
    /// How [`Shown::First`] counts the rows: over them as they are ordered (`None`: when every row must be made
    /// to be ordered at all, as the departments' sums) or by a query of its own, whose rows are counted (a list
    /// read in an index's order only as far as its first rows).
    count: Option<String>,
}

/// The list's rows ordered and cut as `read` asks, with their count for [`Shown::First`] (`before` is a page's
/// cursor for [`Read::Page`], `after` for [`Read::After`]).
async fn cut<T>(
    snap: &mut Snapshot<'_>,
    mut w: Where,
    list: List,
    read: Read<'_>,
    from: fn(&dyn Cells) -> Result<T>,
) -> Result<(Vec<T>, Option<u32>)> {
    let List { sql, order, key, dress, count } = list;
    let (cut, order, counted) = match read {
        Read::Shown(Shown::All) => (format!("SELECT l.* FROM ({sql}) l ORDER BY {order}"), order.to_string(), false),
        Read::Shown(Shown::First(n)) => {
            // Written in, not bound: with the limit a parameter PostgreSQL's generic plan guesses at how many rows
            // are kept and loses to a custom one, so it planned these lists at every request (200–230 µs each, a
            // fifth of the province's figures' time in PostgreSQL); the first rows' count is always the same.
            let total = match &count {
                None => "COUNT(*) OVER ()".to_string(),
                Some(count) => format!("(SELECT COUNT(*) FROM ({count}) a)"),
            };
            (format!("SELECT l.*, {total} AS total FROM ({sql}) l ORDER BY {order} LIMIT {n}"), order.to_string(), true)
        }
        Read::Page(page) => {
            let cut = page.before.map(|b| format!(" WHERE l.{key} < {}", w.int(b))).unwrap_or_default();
            let n = w.int(i64::from(page.limit) + 1);
            (format!("SELECT l.* FROM ({sql}) l{cut} ORDER BY l.{key} DESC LIMIT {n}"), format!("{key} DESC"), false)
        }
        Read::After(after, limit) => {
            let cut = after.map(|a| format!(" WHERE l.{key} > {}", w.text(a))).unwrap_or_default();
            let n = w.int(i64::from(limit) + 1);
            (format!("SELECT l.* FROM ({sql}) l{cut} ORDER BY l.{key} LIMIT {n}"), key.to_string(), false)
        }
    };
    let order: Vec<String> = order.split(", ").map(|term| format!("c.{term}")).collect();
    let sql = format!("{} ORDER BY {}", dress(&cut), order.join(", "));
    let mut total = None;
    let rows = snap
        .fetch_all(&sql, w.into_args(), |r| {
            if counted {
                total = Some(u32::try_from(r.try_get::<i64>("total")?).unwrap_or(0));
            }
            from(r)
        })
        .await?;
    // No row, no count: a list with nothing in it counts none.
    Ok((rows, counted.then_some(total.unwrap_or(0))))
}

async fn departments(
    snap: &mut Snapshot<'_>,
    year: Option<i32>,
    part: Option<&str>,
    read: Read<'_>,
) -> Result<(Vec<DepartmentRow>, Option<u32>)> {
    let mut w = Where::default();
    let sql = department_sums(&mut w, year, part);
    let list = List {
        // The whole platform's year is read in its index's order, as far as its first rows; the index holds
        // every column, so the count reads none of the table either.
        count: (part.is_none() && year.is_some()).then(|| sql.clone()),
        sql,
        order: "contracted DESC, paid DESC, org_id",
        key: "org_id",
        // Names for the rows kept only: a province's first twenty, not its 1,300.
        dress: |cut| {
            format!(
                "SELECT c.*, COALESCE(o.name, '') AS name FROM ({cut}) c LEFT JOIN organisations o ON o.id = c.org_id"
            )
        },
    };
    cut(snap, w, list, read, department_from).await
}

/// The departments of the statistics: largest first (by contracted, then paid, then id).
pub(super) async fn shown_departments(
    snap: &mut Snapshot<'_>,
    year: Option<i32>,
    part: Option<&str>,
    shown: Shown,
) -> Result<Cut<DepartmentRow>> {
    let (items, total) = departments(snap, year, part, Read::Shown(shown)).await?;
    Ok(Cut { items, total })
}

/// A page of the departments' figures, by id newest first.
pub(super) async fn department_page(
    snap: &mut Snapshot<'_>,
    year: Option<i32>,
    part: Option<&str>,
    page: PageRequest,
) -> Result<Page<DepartmentRow>> {
    let (rows, _) = departments(snap, year, part, Read::Page(page)).await?;
    Ok(Page::cut(rows, page.limit, |d| d.org_id))
}

async fn townships(
    snap: &mut Snapshot<'_>,
    year: Option<i32>,
    root: Option<&str>,
    read: Read<'_>,
) -> Result<(Vec<TownshipRow>, Option<u32>)> {
    let mut w = Where::default();
    let (sql, places) = township_sums(&mut w, snap.backend(), year, root);
    let list = List {
        sql,
        order: "code",
        key: "code",
        dress: |cut| format!("SELECT c.* FROM ({cut}) c"),
        // The places alone, without their figures: each township is one row either way.
        count: Some(format!("SELECT r.code FROM regions r WHERE {places}")),
    };
    cut(snap, w, list, read, township_from).await
}

/// The townships of the statistics, in code order.
pub(super) async fn shown_townships(
    snap: &mut Snapshot<'_>,
    year: Option<i32>,
    root: Option<&str>,
    shown: Shown,
) -> Result<Cut<TownshipRow>> {
    let (items, total) = townships(snap, year, root, Read::Shown(shown)).await?;
    Ok(Cut { items, total })
}

/// A page of the townships' figures in code order, after the township `after`.
pub(super) async fn township_page(
    snap: &mut Snapshot<'_>,
    year: Option<i32>,
    root: Option<&str>,
    after: Option<&str>,
    limit: u32,
) -> Result<Page<TownshipRow, String>> {
    let (rows, _) = townships(snap, year, root, Read::After(after, limit)).await?;
    Ok(Page::cut_by(rows, limit, |t| t.code.clone()))
}
