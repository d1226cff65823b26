//! Keeping the ledger's summary rows: every writer of ledger entries adds them here in its transaction, a
//! project whose places change moves its sums, and a store made before them is filled once.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Utc};
use shanzhi_domain::budget::{Entry, Movement};
use shanzhi_domain::clock::china_date;
use sqlx::{AnyConnection, Row as _};

use super::{write_contribution, year_of, Stored};
use crate::error::{Result, StoreError};
use crate::listing::{Arg, Where};
use crate::rows::insert_rows;
use crate::sql::parse_ts;

/// Adds ledger entries made at `now` to the ledger's sums, in the caller's transaction. Every writer of ledger
/// entries calls it with the entries it wrote.
pub async fn add_ledger_entries(conn: &mut AnyConnection, entries: &[Entry], now: DateTime<Utc>) -> Result<()> {
    write_ledger_entries(conn, Vec::new(), entries, now).await
}

/// Writes `rows` (the ledger's own and the write's audit event, when given) and adds ledger entries made at
/// `now` to the ledger's sums, in the caller's transaction.
pub(crate) async fn write_ledger_entries(
    conn: &mut AnyConnection,
    rows: Vec<Rows<'_>>,
    entries: &[Entry],
    now: DateTime<Utc>,
) -> Result<()> {
    let year = china_date(now).year();
    let sums = entries.iter().map(|e| (e.budget_id, e.project_id, e.movement.code(), year, e.amount.fen()));
    add_ledger_sums_after(conn, rows, sums).await
}

/// Rows to insert: the statement's head (`INSERT INTO t (columns)`) and each row's values.
pub(crate) type Rows<'a> = (&'a str, Vec<Vec<Arg>>);

/// Adds amounts (line, project, movement, year, fen) to the ledger's summary rows: per project and line, and
/// per line.
pub(crate) async fn add_ledger_sums<'a>(
    conn: &mut AnyConnection,
    sums: impl Iterator<Item = (i64, Option<i64>, &'a str, i32, i64)>,
) -> Result<()> {
    add_ledger_sums_after(conn, Vec::new(), sums).await
}

/// [`add_ledger_sums`] after inserting `first` (the ledger's own rows, the write's event), in one round trip when
/// all are few.
async fn add_ledger_sums_after<'a>(
    conn: &mut AnyConnection,
    first: Vec<Rows<'_>>,
    sums: impl Iterator<Item = (i64, Option<i64>, &'a str, i32, i64)>,
) -> Result<()> {
    let by_project = summed(sums);
    let first_len = first.iter().map(|(_, rows)| rows.len()).max().unwrap_or(0);
    if by_project.len() <= ONE_STATEMENT_SUMS && first_len <= ONE_STATEMENT_SUMS {
        return add_ledger_sums_at_once(conn, first, &by_project).await;
    }
    for (head, rows) in first {
        insert_rows(conn, head, "", rows).await?;
    }
    add_place_sums(conn, &by_project).await?;
    let mut by_line: BTreeMap<(i64, &str, i32), i64> = BTreeMap::new();
    for ((_, line, movement, year), fen) in &by_project {
        *by_line.entry((*line, *movement, *year)).or_default() += fen;
    }
    write_project_sums(conn, by_project).await?;
    let rows: Vec<Vec<Arg>> = by_line
        .into_iter()
        .map(|((line, movement, year), fen)| {
            vec![Arg::Int(line), Arg::Text(movement.into()), Arg::Int(year.into()), Arg::Int(fen)]
        })
        .collect();
    let by_source = rows.clone();
    insert_rows(conn, &format!("INSERT INTO {TOTALS_TABLE}"), &format!(" {}", add_on_conflict(TOTALS_TABLE)), rows)
        .await?;
    // The same sums per fund source, the line's, looked up in the statement. In key order, which is lock order
    // on PostgreSQL; `WHERE` so that SQLite does not read `ON CONFLICT` as a join's `ON`.
    let by_group = by_source.clone();
    insert_rows(
        conn,
        &format!(
            "INSERT INTO {SOURCES_TABLE} SELECT v.column2, v.column3, b.source, CAST(SUM(v.column4) AS BIGINT) FROM ("
        ),
        &format!(
            ") v JOIN budgets b ON b.id = v.column1 WHERE 1 = 1 GROUP BY v.column2, v.column3, b.source \
             ORDER BY v.column2, v.column3, b.source {}",
            add_on_conflict(SOURCES_TABLE)
        ),
        by_source,
    )
    .await?;
    let head = format!(
        "INSERT INTO {GROUPS_TABLE} SELECT v.column2, v.column3, {}, CAST(SUM(v.column4) AS BIGINT) FROM (",
        grouped("v.column2")
    );
    let tail = format!(
        ") v JOIN budgets b ON b.id = v.column1 WHERE v.column2 {GROUPED} GROUP BY 1, 2, 3, 4, 5, 6 \
         ORDER BY 1, 2, 3, 4, 5, 6 {}",
        add_on_conflict(GROUPS_TABLE)
    );
    let by_department = by_group.clone();
    insert_rows(conn, &head, &tail, by_group).await?;
    let head = format!(
        "INSERT INTO {DEPARTMENTS_TABLE} SELECT v.column3, b.org_id, 0, 0, 0, CAST(SUM(v.column4) AS BIGINT) FROM ("
    );
    let tail = format!(
        ") v JOIN budgets b ON b.id = v.column1 WHERE v.column2 = 'pay' GROUP BY 1, 2 ORDER BY 1, 2 {ADD_PAID}"
    );
    insert_rows(conn, &head, &tail, by_department).await
}

/// Adds amounts (line, project, movement, year, fen) to the per-project ledger sums alone (`statistics_ledger`):
/// what a bulk load writes while the summary tables summed from them are put off ([`crate::statistics::refill`]).
pub(crate) async fn add_project_ledger_sums<'a>(
    conn: &mut AnyConnection,
    sums: impl Iterator<Item = (i64, Option<i64>, &'a str, i32, i64)>,
) -> Result<()> {
    write_project_sums(conn, summed(sums)).await
}

/// Amounts (line, project, movement, year, fen) summed per key (project, 0 for none; line; movement; year): one
/// statement may not update a row twice. Key order is lock order on PostgreSQL.
fn summed<'a>(sums: impl Iterator<Item = (i64, Option<i64>, &'a str, i32, i64)>) -> ProjectSums<'a> {
    let mut by_project: ProjectSums = BTreeMap::new();
    for (line, project, movement, year, fen) in sums {
        *by_project.entry((project.unwrap_or(0), line, movement, year)).or_default() += fen;
    }
    by_project
}

/// Adds summed amounts to `statistics_ledger`, in key order (the lock order on PostgreSQL).
async fn write_project_sums(conn: &mut AnyConnection, by_project: ProjectSums<'_>) -> Result<()> {
    let rows = by_project
        .into_iter()
        .map(|((project, line, movement, year), fen)| {
            vec![Arg::Int(project), Arg::Int(line), Arg::Text(movement.into()), Arg::Int(year.into()), Arg::Int(fen)]
        })
        .collect();
    insert_rows(conn, &format!("INSERT INTO {LEDGER_TABLE}"), &format!(" {}", add_on_conflict(LEDGER_TABLE)), rows)
        .await
}

/// The ledger's movements the statistics read (`pay` and `allocate`, see [`Sums`]), kept grouped in
/// `statistics_ledger_groups` and `statistics_ledger_place_groups` (migration 33 on SQLite, 36 on PostgreSQL).
pub(super) const GROUPED: &str = "IN ('pay', 'allocate')";

/// How a line's sum of movement `m` is grouped, as the line's (`b`) fund source, department, year and grant: a
/// payment per department and fund source (line year and grant 0), an allocation per fund source, line year and
/// grant (department 0) — all that the fold reads of each.
pub(super) fn grouped(m: &str) -> String {
    format!(
        "b.source, CAST(CASE WHEN {m} = 'pay' THEN b.org_id ELSE 0 END AS BIGINT), \
         CAST(CASE WHEN {m} = 'pay' THEN 0 ELSE b.year END AS BIGINT), \
         CAST(CASE WHEN {m} = 'pay' OR b.granted_from IS NULL THEN 0 ELSE 1 END AS BIGINT)"
    )
}

/// The ledger's summary tables with their columns, the amount last (see [`add_on_conflict`]).
const LEDGER_TABLE: &str = "statistics_ledger (project_id, budget_id, movement, year, amount_fen)";
pub(super) const TOTALS_TABLE: &str = "statistics_ledger_totals (budget_id, movement, year, amount_fen)";
pub(super) const SOURCES_TABLE: &str = "statistics_ledger_sources (movement, year, source, amount_fen)";
pub(super) const PLACES_TABLE: &str = "statistics_ledger_places (code, budget_id, movement, year, amount_fen)";
pub(super) const GROUPS_TABLE: &str =
    "statistics_ledger_groups (movement, year, source, org_id, line_year, granted, amount_fen)";
pub(super) const PLACE_GROUPS_TABLE: &str =
    "statistics_ledger_place_groups (code, movement, year, source, org_id, line_year, granted, amount_fen)";

/// Each department's figures of a year (migration 36 on SQLite, 38 on PostgreSQL): the ledger adds its payments,
/// by the line's department; its contracts come with the project's contribution (`contribution.rs`).
pub(super) const DEPARTMENTS_TABLE: &str =
    "statistics_departments (year, org_id, projects, posts, contracted_fen, paid_fen)";
const ADD_PAID: &str =
    "ON CONFLICT (year, org_id) DO UPDATE SET paid_fen = statistics_departments.paid_fen + excluded.paid_fen";

/// The upsert that adds to a summary table's `amount_fen` (`table` with its columns, the last being the amount).
fn add_on_conflict(table: &str) -> String {
    let name = table.split(' ').next().unwrap_or(table);
    let columns = table.split_once('(').map_or("", |(_, c)| c.trim_end_matches(')'));
    let key: Vec<&str> = columns.split(", ").filter(|c| *c != "amount_fen").collect();
    format!("ON CONFLICT ({}) DO UPDATE SET amount_fen = {name}.amount_fen + excluded.amount_fen", key.join(", "))
}

/// How many (project, line, movement, year) sums [`add_ledger_sums_at_once`] writes at most: five arguments each.
const ONE_STATEMENT_SUMS: usize = 100;

/// [`add_ledger_sums`] in one round trip instead of five: the sums as a `VALUES` list, the places and fund sources
/// looked up inside the statements. On PostgreSQL one statement whose data-modifying CTEs write the seven tables;
/// on SQLite seven statements sent as one query (sqlx runs them in turn, binding each `$n` to the same argument).
/// Every table's rows in key order; only the fund sources' rows are shared between budget lines (the others are
/// the locked lines' own).
async fn add_ledger_sums_at_once(conn: &mut AnyConnection, first: Vec<Rows<'_>>, sums: &ProjectSums<'_>) -> Result<()> {
    let mut w = Where::default();
    // The ledger's own rows and the event, written first (on PostgreSQL by CTEs of their own).
    let first: Vec<String> = first
        .into_iter()
        .filter(|(_, rows)| !rows.is_empty())
        .map(|(head, rows)| {
            let rows: Vec<String> = rows
                .into_iter()
                .map(|row| format!("({})", row.into_iter().map(|a| w.arg(a)).collect::<Vec<_>>().join(", ")))
                .collect();
            format!("{head} VALUES {}", rows.join(", "))
        })
        .collect();
    let postgres = conn.backend_name() == "PostgreSQL";
    let ctes = |statements: &[String]| -> Vec<String> {
        statements.iter().enumerate().map(|(i, sql)| format!("e{i} AS ({sql})")).collect()
    };
    if sums.is_empty() {
        let sql = match first.split_last() {
            None => return Ok(()),
            Some((last, rest)) if postgres && !rest.is_empty() => format!("WITH {} {last}", ctes(rest).join(", ")),
            Some(_) => first.join("; "),
        };
        return Ok(w.bind(sqlx::query(&sql)).execute(&mut *conn).await.map(|_| ())?);
    }
    let values: Vec<String> = sums
        .iter()
        .map(|((project, line, movement, year), fen)| {
            let (p, l, m) = (w.int(*project), w.int(*line), w.text(movement));
            let (y, f) = (w.int(i64::from(*year)), w.int(*fen));
            format!("(CAST({p} AS BIGINT), CAST({l} AS BIGINT), CAST({m} AS TEXT), CAST({y} AS INTEGER), CAST({f} AS BIGINT))")
        })
        .collect();
    let v = format!("v (project_id, budget_id, movement, year, amount_fen) AS (VALUES {})", values.join(", "));
    // (table and columns, the rows); `WHERE` so that SQLite does not read `ON CONFLICT` as a join's `ON`.
    let sum = "CAST(SUM(v.amount_fen) AS BIGINT)";
    let g = grouped("v.movement");
    let parts = [
        (
            PLACES_TABLE,
            format!("SELECT pl.code, v.budget_id, v.movement, v.year, {sum} FROM v JOIN project_places pl ON pl.project_id = v.project_id \
                     WHERE 1 = 1 GROUP BY 1, 2, 3, 4 HAVING SUM(v.amount_fen) <> 0 ORDER BY 1, 2, 3, 4"),
        ),
        (
            LEDGER_TABLE,
            "SELECT project_id, budget_id, movement, year, amount_fen FROM v WHERE 1 = 1 ORDER BY 1, 2, 3, 4".to_string(),
        ),
        (
            TOTALS_TABLE,
            format!("SELECT v.budget_id, v.movement, v.year, {sum} FROM v WHERE 1 = 1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"),
        ),
        (
            SOURCES_TABLE,
            format!("SELECT v.movement, v.year, b.source, {sum} FROM v JOIN budgets b ON b.id = v.budget_id \
                     WHERE 1 = 1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"),
        ),
        (
            GROUPS_TABLE,
            format!("SELECT v.movement, v.year, {g}, {sum} FROM v JOIN budgets b ON b.id = v.budget_id \
                     WHERE v.movement {GROUPED} GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"),
        ),
        (
            PLACE_GROUPS_TABLE,
            format!("SELECT pl.code, v.movement, v.year, {g}, {sum} FROM v JOIN project_places pl ON pl.project_id = v.project_id \
                     JOIN budgets b ON b.id = v.budget_id WHERE v.movement {GROUPED} GROUP BY 1, 2, 3, 4, 5, 6, 7 \
                     HAVING SUM(v.amount_fen) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7"),
        ),
    ];
    let mut inserts: Vec<String> =
        parts.iter().map(|(table, rows)| format!("INSERT INTO {table} {rows} {}", add_on_conflict(table))).collect();
    inserts.push(format!(
        "INSERT INTO {DEPARTMENTS_TABLE} SELECT v.year, b.org_id, 0, 0, 0, {sum} FROM v JOIN budgets b ON b.id = v.budget_id \
         WHERE v.movement = 'pay' GROUP BY 1, 2 ORDER BY 1, 2 {ADD_PAID}"
    ));
    let sql = if postgres {
        let (main, rest) = inserts.split_first().expect("seven tables");
        let mut ctes = ctes(&first);
        ctes.extend(rest.iter().enumerate().map(|(i, insert)| format!("t{i} AS ({insert})")));
        format!("WITH {v}, {} {main}", ctes.join(", "))
    } else {
        let sums = inserts.iter().map(|insert| format!("WITH {v} {insert}"));
        first.into_iter().chain(sums).collect::<Vec<_>>().join("; ")
    };
    // The few sizes a single write makes are kept prepared; a larger one is not.
    let kept = sums.len() <= 4;
    w.bind(sqlx::query(&sql).persistent(kept)).execute(&mut *conn).await?;
    Ok(())
}

/// A project's ledger sums: (project, line, movement, year) → fen.
type ProjectSums<'a> = BTreeMap<(i64, i64, &'a str, i32), i64>;

/// Adds projects' ledger sums to the per-place sums of every place the projects are in (`project_places`, which
/// the caller has written).
async fn add_place_sums(conn: &mut AnyConnection, sums: &ProjectSums<'_>) -> Result<()> {
    let projects: BTreeSet<i64> = sums.keys().map(|k| k.0).filter(|id| *id != 0).collect();
    if projects.is_empty() {
        return Ok(());
    }
    let projects: Vec<i64> = projects.into_iter().collect();
    let mut places: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    // A batch's projects are many: a statement's arguments are not.
    for chunk in projects.chunks(500) {
        let mut w = Where::default();
        let ids: Vec<String> = chunk.iter().map(|id| w.int(*id)).collect();
        let sql = format!("SELECT project_id, code FROM project_places WHERE project_id IN ({})", ids.join(", "));
        for r in w.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await? {
            places.entry(r.try_get("project_id")?).or_default().push(r.try_get("code")?);
        }
    }
    let mut by_place: BTreeMap<(String, i64, String, i32), i64> = BTreeMap::new();
    for ((project, line, movement, year), fen) in sums {
        for code in places.get(project).into_iter().flatten() {
            *by_place.entry((code.clone(), *line, movement.to_string(), *year)).or_default() += fen;
        }
    }
    write_place_ledger(conn, by_place).await
}

/// Adds amounts to the per-place ledger sums, in key order (the lock order on PostgreSQL).
async fn write_place_ledger(conn: &mut AnyConnection, sums: BTreeMap<(String, i64, String, i32), i64>) -> Result<()> {
    let rows = sums
        .into_iter()
        .filter(|(_, fen)| *fen != 0)
        .map(|((code, line, movement, year), fen)| {
            vec![Arg::Text(code), Arg::Int(line), Arg::Text(movement), Arg::Int(year.into()), Arg::Int(fen)]
        })
        .collect::<Vec<_>>();
    let groups = rows.clone();
    insert_rows(conn, &format!("INSERT INTO {PLACES_TABLE}"), &format!(" {}", add_on_conflict(PLACES_TABLE)), rows)
        .await?;
    let head = format!(
        "INSERT INTO {PLACE_GROUPS_TABLE} SELECT v.column1, v.column3, v.column4, {}, CAST(SUM(v.column5) AS BIGINT) FROM (",
        grouped("v.column3")
    );
    // Rows summing to nothing are kept (a place a project left is cleared by its caller): a statement of many
    // rows may be one of several that make up a place's sum.
    let tail = format!(
        ") v JOIN budgets b ON b.id = v.column2 WHERE v.column3 {GROUPED} GROUP BY 1, 2, 3, 4, 5, 6, 7 \
         ORDER BY 1, 2, 3, 4, 5, 6, 7 {}",
        add_on_conflict(PLACE_GROUPS_TABLE)
    );
    insert_rows(conn, &head, &tail, groups).await
}

/// Moves a project's ledger sums from the places it was in to those it is in now, in the caller's transaction:
/// its regions changed.
pub(crate) async fn move_place_ledger(
    conn: &mut AnyConnection,
    project_id: i64,
    was_in: &BTreeSet<String>,
    now_in: &BTreeSet<String>,
) -> Result<()> {
    let rows = sqlx::query("SELECT budget_id, movement, year, amount_fen FROM statistics_ledger WHERE project_id = $1")
        .bind(project_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut delta: BTreeMap<(String, i64, String, i32), i64> = BTreeMap::new();
    for r in &rows {
        let (line, movement, year): (i64, String, i32) =
            (r.try_get("budget_id")?, r.try_get("movement")?, year_of(r, "year")?);
        let fen: i64 = r.try_get("amount_fen")?;
        for (sign, places) in [(-1, was_in), (1, now_in)] {
            for code in places {
                *delta.entry((code.clone(), line, movement.clone(), year)).or_default() += sign * fen;
            }
        }
    }
    write_place_ledger(conn, delta).await?;
    // A place the project left keeps no row of its money: the row would still name the line in the place's
    // line years (entries are never of zero).
    let left: Vec<&String> = was_in.difference(now_in).collect();
    if !left.is_empty() {
        for table in ["statistics_ledger_places", "statistics_ledger_place_groups"] {
            let mut w = Where::default();
            let codes: Vec<String> = left.iter().map(|c| w.text(c)).collect();
            let sql = format!("DELETE FROM {table} WHERE amount_fen = 0 AND code IN ({})", codes.join(", "));
            w.bind(sqlx::query(&sql)).execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// Fills the summary rows from every project and ledger entry of a store made before them (the migration's
/// transaction), a batch at a time.
pub(crate) async fn fill(conn: &mut AnyConnection) -> Result<()> {
    let (mut after, mut projects) = (0i64, 0usize);
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM projects p WHERE p.id > $1 ORDER BY p.id LIMIT 500",
            crate::projects::COLUMNS
        ))
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("id")?;
        for r in &rows {
            write_contribution(conn, &crate::projects::project_from_row(r)?, Stored::Unknown).await?;
        }
        projects += rows.len();
    }
    let mut sums: BTreeMap<(i64, Option<i64>, String, i32), i64> = BTreeMap::new();
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, budget_id, project_id, movement, amount_fen, at FROM ledger WHERE id > $1 ORDER BY id LIMIT 5000",
        )
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("id")?;
        for r in &rows {
            let year = china_date(parse_ts(&r.try_get::<String, _>("at")?)?).year();
            let key = (r.try_get("budget_id")?, r.try_get("project_id")?, r.try_get("movement")?, year);
            *sums.entry(key).or_default() += r.try_get::<i64, _>("amount_fen")?;
        }
    }
    if let Some((_, _, movement, _)) = sums.keys().find(|(_, _, m, _)| Movement::parse(m).is_none()) {
        return Err(StoreError::Corrupt(format!("ledger movement {movement}")));
    }
    add_ledger_sums(
        conn,
        sums.iter().map(|((line, project, m, year), fen)| (*line, *project, m.as_str(), *year, *fen)),
    )
    .await?;
    if projects > 0 || !sums.is_empty() {
        tracing::info!(projects, ledger_sums = sums.len(), "filled the statistics' summary rows");
    }
    Ok(())
}

/// Rewrites the contribution rows of the projects with a region in `root`'s subtree: a township added under
/// existing places changes where their money falls.
pub(crate) async fn refresh_within(conn: &mut AnyConnection, root: &str) -> Result<()> {
    let mut w = Where::default();
    let range = w.prefix("r.region", root);
    let sql = format!(
        "SELECT {} FROM projects p WHERE p.id IN (SELECT r.project_id FROM project_regions r WHERE {range}) ORDER BY p.id",
        crate::projects::COLUMNS
    );
    for r in w.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await? {
        write_contribution(conn, &crate::projects::project_from_row(&r)?, Stored::Unknown).await?;
    }
    Ok(())
}
