//! A project's side rows — its regions, the places it is listed under (with its step and year), its title's search
//! terms, its files and its posts — rewritten with the record in the caller's transaction where they changed. A
//! batch ([`crate::bulk`]) holds back the two that change at nearly every step and that no write reads — the
//! places' step and year, and the posts — and writes each project's last ones when it commits, many to a
//! statement. A project a batch made has no side rows until the batch commits, which writes them all from its
//! last record ([`insert_made`]).

use shanzhi_domain::project::{Facts, PostFact};
use sqlx::AnyConnection;
use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::bulk::lock;
use crate::error::Result;
use crate::listing::{Arg, Where};
use crate::projects::place_codes;
use crate::rows::insert_rows;

/// What a project's side rows held before the write.
#[derive(Clone, Copy)]
pub(crate) enum Sides<'a> {
    /// Nothing: the project is new.
    New,
    /// Unknown: replace whatever is there.
    Unknown,
    /// Those of the record's facts as they were.
    Of(&'a Facts),
}

/// What a batch holds back until it commits, per project: its step and year, and its posts, as they are now.
#[derive(Default)]
pub(crate) struct Held {
    steps: BTreeMap<i64, (String, i32)>,
    posts: BTreeMap<i64, Vec<PostFact>>,
}

impl Held {
    /// Writes what was held back, in the batch's transaction as it commits.
    pub(crate) async fn write(self, conn: &mut AnyConnection) -> Result<()> {
        let steps = self
            .steps
            .into_iter()
            .map(|(id, (step, year))| vec![Arg::Int(id), Arg::Text(step), Arg::Int(year.into())])
            .collect();
        // VALUES names its columns column1, column2, … on both databases.
        insert_rows(
            conn,
            "UPDATE project_places SET step = v.column2, year = v.column3 FROM (",
            ") AS v WHERE project_places.project_id = v.column1",
            steps,
        )
        .await?;
        let ids: Vec<i64> = self.posts.keys().copied().collect();
        for chunk in ids.chunks(500) {
            let mut w = Where::default();
            let list: Vec<String> = chunk.iter().map(|id| w.int(*id)).collect();
            let sql = format!("DELETE FROM project_posts WHERE project_id IN ({})", list.join(", "));
            w.bind(sqlx::query(&sql)).execute(&mut *conn).await?;
        }
        let posts = self.posts.iter().flat_map(|(id, posts)| post_rows(*id, posts)).collect();
        insert_rows(conn, &format!("INSERT INTO project_posts ({POSTS})"), "", posts).await
    }
}

/// Each side table's columns, in the order its rows below hold them.
const REGIONS: &str = "region, project_id";
const PLACES: &str = "code, step, year, project_id";
const FILES: &str = "file_id, project_id";
const POSTS: &str = "project_id, idx, host_org_id, filled";
const TERMS: &str = "term, project_id";

fn region_rows(project_id: i64, f: &Facts) -> Vec<Vec<Arg>> {
    f.regions.iter().map(|r| vec![Arg::Text(r.clone()), Arg::Int(project_id)]).collect()
}

fn place_rows(project_id: i64, f: &Facts) -> Vec<Vec<Arg>> {
    let place = |c: String| vec![Arg::Text(c), Arg::Text(f.step.into()), Arg::Int(f.year.into()), Arg::Int(project_id)];
    place_codes(&f.regions).into_iter().map(place).collect()
}

fn term_rows(project_id: i64, f: &Facts) -> Vec<Vec<Arg>> {
    crate::words::term_rows(project_id, &f.title)
}

fn file_rows(project_id: i64, f: &Facts) -> Vec<Vec<Arg>> {
    f.files.iter().map(|file| vec![Arg::Int(*file), Arg::Int(project_id)]).collect()
}

/// A side table's rows for a project, from its facts.
type RowsOf = fn(i64, &Facts) -> Vec<Vec<Arg>>;

/// Inserts the side rows of projects a batch made, from their last facts, as the batch commits.
pub(crate) async fn insert_made(conn: &mut AnyConnection, made: &BTreeMap<i64, Facts>) -> Result<()> {
    let tables: [(&str, &str, RowsOf); 5] = [
        ("project_regions", REGIONS, region_rows),
        ("project_terms", TERMS, term_rows),
        ("project_places", PLACES, place_rows),
        ("project_files", FILES, file_rows),
        ("project_posts", POSTS, |id, f| post_rows(id, &f.posts)),
    ];
    for (table, columns, rows) in tables {
        let rows = made.iter().flat_map(|(id, f)| rows(*id, f)).collect();
        insert_rows(conn, &format!("INSERT INTO {table} ({columns})"), "", rows).await?;
    }
    Ok(())
}

fn post_rows(project_id: i64, posts: &[PostFact]) -> Vec<Vec<Arg>> {
    posts
        .iter()
        .enumerate()
        .map(|(i, post)| {
            vec![Arg::Int(project_id), Arg::Int(i as i64), Arg::Int(post.host_org_id), Arg::Int(i64::from(post.filled))]
        })
        .collect()
}

/// Replaces a project's rows in a side table with `rows`, each the values of `columns` (`project_id` among them);
/// a new project has none to delete.
async fn replace_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &str,
    project_id: i64,
    rows: Vec<Vec<Arg>>,
    sides: Sides<'_>,
) -> Result<()> {
    if !matches!(sides, Sides::New) {
        sqlx::query(&format!("DELETE FROM {table} WHERE project_id = $1")).bind(project_id).execute(&mut *conn).await?;
    }
    insert_rows(conn, &format!("INSERT INTO {table} ({columns})"), "", rows).await
}

/// Deletes the terms a project's old `title` wrote, each by the table's key `(term, project_id)`: by the project
/// alone the delete would read the whole table, which holds every title's terms (21 million rows, seconds, at a
/// million projects), at every renaming.
async fn delete_terms(conn: &mut AnyConnection, project_id: i64, title: &str) -> Result<()> {
    let terms = shanzhi_domain::search::bigrams(title);
    if terms.is_empty() {
        return Ok(());
    }
    let mut w = Where::default();
    let sql = terms_delete(&mut w, project_id, &terms);
    w.bind(sqlx::query(&sql)).execute(&mut *conn).await?;
    Ok(())
}

fn terms_delete(w: &mut Where, project_id: i64, terms: &[String]) -> String {
    let id = w.int(project_id);
    let keys: Vec<String> = terms.iter().map(|t| w.text(t)).collect();
    format!("DELETE FROM project_terms WHERE project_id = {id} AND term IN ({})", keys.join(", "))
}

/// Rewrites the side tables whose rows changed from `sides` (all of them for a new record), or hands the step and
/// the posts to the batch's `held` rows.
pub(crate) async fn write_side_rows(
    conn: &mut AnyConnection,
    project_id: i64,
    f: &Facts,
    sides: Sides<'_>,
    held: Option<&Mutex<Held>>,
) -> Result<()> {
    let was = match sides {
        Sides::Of(was) => Some(was),
        Sides::New | Sides::Unknown => None,
    };
    if was.is_none_or(|b| b.regions != f.regions) {
        replace_rows(conn, "project_regions", REGIONS, project_id, region_rows(project_id, f), sides).await?;
        replace_rows(conn, "project_places", PLACES, project_id, place_rows(project_id, f), sides).await?;
        if let Some(was) = was {
            let now_in = place_codes(&f.regions);
            crate::notice_rows::reindex_notices(conn, project_id).await?;
            crate::statistics::move_place_ledger(conn, project_id, &place_codes(&was.regions), &now_in).await?;
        }
        if let Some(held) = held {
            // The rows just written carry them; a step held from before must not overwrite them.
            lock(held).steps.remove(&project_id);
        }
    } else if was.is_some_and(|b| (b.step, b.year) != (f.step, f.year)) {
        if let Some(held) = held {
            lock(held).steps.insert(project_id, (f.step.to_string(), f.year));
        } else {
            sqlx::query("UPDATE project_places SET step = $1, year = $2 WHERE project_id = $3")
                .bind(f.step)
                .bind(i64::from(f.year))
                .bind(project_id)
                .execute(&mut *conn)
                .await?;
        }
    }
    if was.is_none_or(|b| b.title != f.title) {
        if let Some(was) = was {
            delete_terms(conn, project_id, &was.title).await?;
            // A stale write's `was` is not what is stored, so some of its new terms may still be there; on
            // PostgreSQL its version is checked only after this (the update rides with the write's first
            // script), and the write is then refused as stale and rolled back whole.
            let insert = format!("INSERT INTO project_terms ({TERMS})");
            insert_rows(conn, &insert, " ON CONFLICT DO NOTHING", term_rows(project_id, f)).await?;
        } else {
            replace_rows(conn, "project_terms", TERMS, project_id, term_rows(project_id, f), sides).await?;
        }
    }
    if was.is_none_or(|b| b.files != f.files) {
        replace_rows(conn, "project_files", FILES, project_id, file_rows(project_id, f), sides).await?;
    }
    if was.is_none_or(|b| b.posts != f.posts) {
        match held {
            Some(held) => {
                lock(held).posts.insert(project_id, f.posts.clone());
            }
            None => {
                let posts = post_rows(project_id, &f.posts);
                replace_rows(conn, "project_posts", POSTS, project_id, posts, sides).await?
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's plan for `sql` over the project terms' table as its migration makes it, one step a line.
    fn plan(sql: &str) -> Vec<String> {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE projects (id INTEGER PRIMARY KEY, title TEXT NOT NULL)").unwrap();
        db.execute_batch(include_str!("../migrations/sqlite/0045_project_terms.sql")).unwrap();
        let mut explain = db.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let unbound = vec![rusqlite::types::Null; explain.parameter_count()];
        let steps = explain.query_map(rusqlite::params_from_iter(unbound), |r| r.get::<_, String>(3)).unwrap();
        steps.map(|step| step.unwrap()).collect()
    }

    #[test]
    fn a_renamed_projects_old_terms_are_deleted_by_their_keys_without_reading_every_title() {
        let terms = shanzhi_domain::search::bigrams("养老服务");
        let by_key = plan(&terms_delete(&mut Where::default(), 7, &terms));
        assert!(by_key.iter().all(|step| !step.starts_with("SCAN")), "{by_key:?}");
        assert!(by_key.iter().any(|step| step.contains("PRIMARY KEY")), "{by_key:?}");
        // What the plan above rules out: by the project alone, every title's terms are read.
        assert_eq!(plan("DELETE FROM project_terms WHERE project_id = 7"), ["SCAN project_terms"]);
    }
}
