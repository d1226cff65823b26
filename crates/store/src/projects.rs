//! Purchase projects in SQL: the record (JSON) with the columns lists filter, sort and sum on
//! ([`Project::facts`]), written together in the caller's transaction, and lists answered by queries that carry
//! the reader's [`Scope`] in their WHERE clause.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use shanzhi_domain::audit::{Action, Scope as AuditScope};
use shanzhi_domain::project::{
    Awaiting, Awaits, Change, Facts, Project, ProjectItem, Scope, Status, StoredProject, Waiting,
};
use shanzhi_domain::visibility::ProjectAccess;
use shanzhi_domain::Money;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

use crate::bulk::lock;
use crate::error::{classify, Result, StoreError};
use crate::listing::{Arg, Page, PageRequest, Where};
use crate::pending::Pending;
use crate::read::Cells;
use crate::rows::{insert_rows, Opening};
use crate::side_rows::{write_side_rows, Sides};
use crate::sql::{parse_ts, ts};
use crate::statistics::Stored;
use crate::{By, SqlStore};

/// What a project list is narrowed to; every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    /// One of the six steps or an end state (`completed`, `cancelled`, `terminated`).
    pub step: Option<String>,
    /// The year the project counts in (its contract's, else its creation's).
    pub year: Option<i32>,
    /// A region and everything under it.
    pub region: Option<String>,
    /// A catalogue category and everything under it.
    pub category: Option<String>,
    pub purchaser: Option<i64>,
    pub provider: Option<i64>,
    /// Projects whose records refer to this uploaded file.
    pub file: Option<i64>,
    /// Words the title holds, each whole (found by its terms in `project_terms`).
    pub q: Option<shanzhi_domain::search::Query>,
    /// Only projects with a published notice: those anyone may read.
    pub published: bool,
    /// The year, in China's time, the project was created in (not a list's filter: what a rule on one budget
    /// year's purchases reads).
    pub created_in: Option<i32>,
}

#[async_trait]
pub trait ProjectStore {
    /// Inserts a new project (its id and code are assigned here) with its audit event.
    async fn insert_project(
        &self,
        by: &By,
        project: Project,
        action: Action,
        detail: Value,
        now: DateTime<Utc>,
    ) -> Result<Project>;
    /// Saves a changed project if nobody saved another change since `before` was read, with the change's
    /// ledger entries: all of it, or nothing when an entry would overspend a budget line.
    async fn update_project(
        &self,
        by: &By,
        before: &Project,
        after: &Project,
        change: &Change,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn project(&self, id: i64) -> Result<Option<Project>>;
    /// Project `id` as stored, when `scope` sees it whole and its record is in this build's shape
    /// ([`RECORD_SHAPE`]); `None` otherwise — missing, not seen, seen only as its provider, or last written by an
    /// older build — and the caller reads it with [`ProjectStore::project`].
    async fn stored_project(&self, scope: &Scope, id: i64) -> Result<Option<StoredProject>>;
    /// Every project, oldest first: for whole-store work (exports, checks), never for a request.
    async fn projects(&self) -> Result<Vec<Project>>;
    /// The projects `scope` may see that match `filter`, newest first, one page.
    async fn project_page(&self, scope: &Scope, filter: &ProjectFilter, page: PageRequest) -> Result<Page<Project>>;
    /// The same list as [`ProjectStore::project_page`], as list items read from the list columns, each as
    /// `scope`'s reader may read it.
    async fn project_items(
        &self,
        scope: &Scope,
        filter: &ProjectFilter,
        page: PageRequest,
    ) -> Result<Page<ProjectItem>>;
    /// How many projects `scope` may see at each step and end state.
    async fn project_counts(&self, scope: &Scope) -> Result<BTreeMap<String, i64>>;
    /// The projects that may be waiting on someone of `kinds` in organisation `org_id`, newest first: a superset
    /// of the reader's work queue, read from list columns, which the caller narrows with [`Awaiting::for_reader`].
    async fn awaiting_page(&self, kinds: Awaits, org_id: i64, page: PageRequest) -> Result<Page<Awaiting>>;
    /// The projects with bought posts that `scope` may see, or that hold a post seated in `host_org_id`, newest
    /// first, one page.
    async fn post_page(&self, scope: &Scope, host_org_id: i64, page: PageRequest) -> Result<Page<Project>>;
    /// How many of the posts [`ProjectStore::post_page`] lists there are: all of them, those under running
    /// contracts, and of these the ones held.
    async fn post_counts(&self, scope: &Scope, host_org_id: i64) -> Result<PostCounts>;
}

/// Bought posts counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct PostCounts {
    pub all: i64,
    pub running: i64,
    pub filled: i64,
}

pub(crate) const COLUMNS: &str = "p.id, p.code, p.version, p.data";

pub(crate) fn project_from_row(r: &dyn Cells) -> Result<Project> {
    let data: String = r.try_get("data")?;
    let mut p: Project = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("project data: {e}")))?;
    p.id = r.try_get("id")?;
    p.code = r.try_get("code")?;
    p.version = r.try_get("version")?;
    Ok(p)
}

/// What [`ProjectStore::project_items`] reads: the list columns, and whether the reader sees the project whole.
const ITEM_COLUMNS: &str = "p.id, p.code, p.title, p.status, p.returned, p.purchaser_org_id, p.purchaser_name, \
                            p.provider_org_id, p.category, p.year, p.total, p.contracted, p.updated_at";

fn status_from_row(r: &dyn Cells) -> Result<Status> {
    let status: String = r.try_get("status")?;
    Status::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("project status {status}")))
}

fn item_from_row(r: &dyn Cells) -> Result<ProjectItem> {
    let status = status_from_row(r)?;
    let access = if r.try_get::<i64>("whole")? != 0 { ProjectAccess::Full } else { ProjectAccess::Provider };
    let item = ProjectItem {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        title: r.try_get("title")?,
        status,
        step: status.step(),
        returned: r.try_get::<i64>("returned")? != 0,
        purchaser_org_id: r.try_get("purchaser_org_id")?,
        purchaser_name: r.try_get("purchaser_name")?,
        provider_org_id: r.try_get("provider_org_id")?,
        category: r.try_get("category")?,
        year: i32::try_from(r.try_get::<i64>("year")?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        total: Some(Money::from_fen(r.try_get("total")?)),
        contract_total: r.try_get::<Option<i64>>("contracted")?.map(Money::from_fen),
        updated_at: parse_ts(&r.try_get::<String>("updated_at")?)?,
    };
    Ok(item.read_as(access))
}

/// What [`ProjectStore::awaiting_page`] reads: a queue entry's columns and the project's [`Waiting`].
const AWAITING_COLUMNS: &str = "p.id, p.code, p.title, p.purchaser_name, p.status, p.purchaser_org_id, \
                                p.designer_id, p.provider_org_id, p.evaluator_org_id, p.awaits, p.purchaser_duty";

/// What a project waits on, from its status, parties and the columns `designer_id`, `awaits` and `purchaser_duty`.
fn waiting_from_row(r: &dyn Cells) -> Result<Waiting> {
    let status = status_from_row(r)?;
    let awaits = u8::try_from(r.try_get::<i64>("awaits")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let duty: Option<String> = r.try_get("purchaser_duty")?;
    Waiting::from_columns(
        status,
        r.try_get("purchaser_org_id")?,
        r.try_get("designer_id")?,
        r.try_get("provider_org_id")?,
        r.try_get("evaluator_org_id")?,
        Awaits(awaits),
        duty.as_deref(),
    )
    .ok_or_else(|| StoreError::Corrupt(format!("purchaser duty {duty:?}")))
}

fn awaiting_from_row(r: &dyn Cells) -> Result<Awaiting> {
    Ok(Awaiting {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        title: r.try_get("title")?,
        purchaser_name: r.try_get("purchaser_name")?,
        waiting: waiting_from_row(r)?,
    })
}

/// The shape of the records this build writes: what `serde_json` makes of a [`Project`]. Raise it whenever that
/// changes (a field added, renamed or serialised otherwise): a record of an older shape may lack what a newer build
/// writes, and is decoded rather than answered as stored (see [`ProjectStore::stored_project`]). The test
/// `a_changed_record_shape_needs_a_new_number` fails until it is raised.
pub const RECORD_SHAPE: i64 = 3;

fn project_data(p: &Project) -> Result<String> {
    serde_json::to_string(p).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The clause that admits what `scope` may see of projects aliased `p`; `None` when it admits everything.
pub(crate) fn scope_clause(w: &mut Where, scope: &Scope) -> Option<String> {
    if scope.everything {
        return None;
    }
    let org = w.int(scope.purchaser_org_id);
    let mut any = vec![format!("p.purchaser_org_id = {org}")];
    if scope.reviewed {
        any.push("p.reviewed = 1".into());
    }
    if let Some(provider) = scope.provider_org_id {
        let v = w.int(provider);
        any.push(format!("p.provider_org_id = {v}"));
    }
    if let Some(root) = &scope.region {
        any.push(in_region(w, root));
    }
    if let Some(evaluator) = scope.evaluator_org_id {
        let v = w.int(evaluator);
        any.push(format!("p.evaluator_org_id = {v}"));
    }
    Some(format!("({})", any.join(" OR ")))
}

/// The clause that admits posts aliased `pp` (of projects `p`): those of projects `scope` may see, and those
/// seated in `host_org_id`.
fn posts_clause(w: &mut Where, scope: &Scope, host_org_id: i64) -> String {
    match scope_clause(w, scope) {
        Some(seen) => {
            let host = w.int(host_org_id);
            format!("({seen} OR pp.host_org_id = {host})")
        }
        None => "1 = 1".into(),
    }
}

/// Whether a region filter is a code of one level, which `project_places` (migration 19) and `notice_regions`
/// (migration 18) answer by a seek; any other prefix is answered by walking the list.
pub(crate) use shanzhi_domain::org::is_place_code;

/// Every level's code of every region of a project, once each: the places it counts in, and the codes it is listed
/// under in `project_places` and its notices in `notice_regions`.
pub(crate) fn place_codes(regions: &[String]) -> BTreeSet<String> {
    regions
        .iter()
        .flat_map(|r| {
            shanzhi_domain::org::PLACE_CODE_LENGTHS
                .iter()
                .filter(|l| r.len() >= **l && r.is_char_boundary(**l))
                .map(|l| &r[..*l])
        })
        .map(String::from)
        .collect()
}

/// Projects aliased `p` with a region in `root`'s subtree.
fn in_region(w: &mut Where, root: &str) -> String {
    let range = w.prefix("r.region", root);
    format!("EXISTS (SELECT 1 FROM project_regions r WHERE r.project_id = p.id AND {range})")
}

/// Adds `f`'s clauses; answers the tables the list reads and the id it pages on: a place's projects come from
/// `project_places`, newest first by its indexes, which also hold each project's step and year so that a place's
/// projects at a step or of a year are a seek too (any other region prefix walks the projects).
fn filter_clauses(w: &mut Where, f: &ProjectFilter, postgres: bool, place_leads: bool) -> (&'static str, &'static str) {
    let mut from = ("projects p", "p.id");
    // The table the step and year are matched in: the place's rows when the list is a place's.
    let mut keys = "p";
    // Words lead, and a place is then checked project by project, unless the place holds fewer projects than the
    // query's first term (see `SqlStore::search_lead`).
    let words_lead = f.q.is_some() && !place_leads;
    if let Some(q) = &f.q {
        crate::words::words_clauses(w, q, postgres, &crate::words::PROJECT_TERMS, words_lead);
        if words_lead {
            from = ("project_terms t JOIN projects p ON p.id = t.project_id", "t.project_id");
        }
    }
    if let Some(region) = &f.region {
        if is_place_code(region) && !words_lead {
            let v = w.text(region);
            w.and(format!("pl.code = {v}"));
            from = ("project_places pl JOIN projects p ON p.id = pl.project_id", "pl.project_id");
            keys = "pl";
        } else {
            let c = in_region(w, region);
            w.and(c);
        }
    }
    if let Some(step) = &f.step {
        let v = w.text(step);
        w.and(format!("{keys}.step = {v}"));
    }
    if let Some(year) = f.year {
        let v = w.int(i64::from(year));
        w.and(format!("{keys}.year = {v}"));
    }
    if let Some(category) = &f.category {
        let c = w.prefix("p.category", category);
        w.and(c);
    }
    if let Some(org) = f.purchaser {
        let v = w.int(org);
        w.and(format!("p.purchaser_org_id = {v}"));
    }
    if let Some(org) = f.provider {
        let v = w.int(org);
        w.and(format!("p.provider_org_id = {v}"));
    }
    if let Some(file) = f.file {
        let v = w.int(file);
        w.and(format!("EXISTS (SELECT 1 FROM project_files pf WHERE pf.project_id = p.id AND pf.file_id = {v})"));
    }
    if f.published {
        w.and("EXISTS (SELECT 1 FROM notices n WHERE n.project_id = p.id)".to_string());
    }
    if let Some(year) = f.created_in {
        // Stored times are UTC in RFC 3339 (`ts`), which sort as text; a bound without its fraction and zone sorts
        // before every stored time of its second.
        let start = |y: i32| {
            let eve = chrono::NaiveDate::from_ymd_opt(y - 1, 12, 31).unwrap_or(chrono::NaiveDate::MAX);
            shanzhi_domain::calendar::end_of_day(eve).format("%Y-%m-%dT%H:%M:%S").to_string()
        };
        let (from, until) = (w.text(&start(year)), w.text(&start(year.saturating_add(1))));
        w.and(format!("p.created_at >= {from} AND p.created_at < {until}"));
    }
    from
}

/// The list columns of `projects`, in the order [`fact_args`] gives their values.
const FACTS_COLUMNS: [&str; 21] = [
    "year",
    "step",
    "category",
    "mode",
    "reviewed",
    "provider_org_id",
    "contracted",
    "signed_on",
    "awaits",
    "title",
    "purchaser_name",
    "total",
    "returned",
    "designer_id",
    "purchaser_duty",
    "evaluator_org_id",
    "grade",
    "graded_on",
    "reports_late",
    "reports_rejected",
    "score",
];

/// The list columns of `projects`, as `SET` assignments numbered `$1`…`$21` ([`bind_facts`] binds them; the
/// statements' own arguments follow, from [`AFTER_FACTS`]).
static FACTS_SET: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    FACTS_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect::<Vec<_>>().join(", ")
});

fn bind_facts<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    f: &Facts,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    crate::listing::bind_all(q, fact_args(f))
}

/// The values of [`FACTS_SET`]'s columns, in its order.
fn fact_args(f: &Facts) -> Vec<Arg> {
    vec![
        Arg::Int(i64::from(f.year)),
        Arg::Text(f.step.into()),
        Arg::Text(f.category.clone()),
        Arg::Text(f.mode.into()),
        Arg::Int(i64::from(f.reviewed)),
        Arg::OptInt(f.provider_org_id),
        Arg::OptInt(f.contracted.map(|m| m.fen())),
        Arg::OptText(f.signed_on.map(|d| d.to_string())),
        Arg::Int(i64::from(f.awaits.0)),
        Arg::Text(f.title.clone()),
        Arg::Text(f.purchaser_name.clone()),
        Arg::Int(f.total.fen()),
        Arg::Int(i64::from(f.returned)),
        Arg::Int(f.designer_id),
        Arg::OptText(f.purchaser_duty.map(String::from)),
        Arg::OptInt(f.evaluator_org_id),
        Arg::OptText(f.grade.map(|g| g.code().to_string())),
        Arg::OptText(f.graded_on.map(|d| d.to_string())),
        Arg::Int(i64::from(f.reports.late)),
        Arg::Int(i64::from(f.reports.rejected)),
        Arg::OptInt(f.score.map(|s| s.0)),
    ]
}

/// The number of a statement's first argument after [`FACTS_SET`]'s.
const AFTER_FACTS: usize = FACTS_COLUMNS.len() + 1;

/// Writes a batch's projects as it commits: those it made inserted with their side rows, the others' last rows
/// over their stored ones, each with its list columns.
pub(crate) async fn write_pending(conn: &mut AnyConnection, projects: &Pending<Project>) -> Result<()> {
    let row = |p: &Project, f: &Facts| -> Result<Vec<Arg>> {
        let mut row = fact_args(f);
        row.extend([
            Arg::Int(p.version),
            Arg::Text(p.status.code().into()),
            Arg::Text(project_data(p)?),
            Arg::Text(ts(p.updated_at)),
            Arg::Text(p.code.clone()),
            Arg::Int(RECORD_SHAPE),
        ]);
        Ok(row)
    };
    let columns: Vec<&str> =
        FACTS_COLUMNS.iter().copied().chain(["version", "status", "data", "updated_at", "code", "shape"]).collect();
    // Each made project's facts once: for its row and for its side rows.
    let facts: BTreeMap<i64, Facts> = projects.made_records().map(|p| (p.id, p.facts())).collect();
    let row_of = |p: &Project| match facts.get(&p.id) {
        Some(f) => row(p, f),
        None => row(p, &p.facts()),
    };
    let mut made = Vec::new();
    for p in projects.new_records() {
        let mut values = row_of(p)?;
        values.extend([Arg::Int(p.id), Arg::Int(p.purchaser_org_id), Arg::Text(ts(p.created_at))]);
        made.push(values);
    }
    let head = format!("INSERT INTO projects ({}, id, purchaser_org_id, created_at)", columns.join(", "));
    insert_rows(conn, &head, "", made).await?;
    projects.write(conn, "projects", &columns, row_of).await?;
    crate::side_rows::insert_made(conn, &facts).await
}

/// A project's code: the year in China when it was created, and its id.
fn project_code(p: &Project) -> String {
    format!("SZ-{}-{:05}", shanzhi_domain::clock::china_date(p.created_at).format("%Y"), p.id)
}

/// Who may read a project's events: where it serves, from the record in hand (what [`crate::audit::scope_of`]
/// would look up).
pub(crate) fn reading_scope(p: &Project) -> AuditScope {
    AuditScope::regions(p.design.regions.iter().map(String::as_str))
}

impl SqlStore {
    /// Whether a words search of projects under a place should lead with the place's projects.
    async fn project_place_leads(&self, f: &ProjectFilter) -> Result<bool> {
        match (&f.q, f.region.as_deref().filter(|r| is_place_code(r))) {
            (Some(q), Some(code)) => {
                let lead = self.search_lead(&crate::words::PROJECT_TERMS, q, Some(code), &[]).await?;
                Ok(lead == crate::words::Lead::Place)
            }
            _ => Ok(false),
        }
    }

    /// The side rows a batch holds back, when writing in one.
    fn held(&self) -> Option<&std::sync::Mutex<crate::side_rows::Held>> {
        self.batch.as_ref().map(|b| &*b.sides)
    }

    /// Writes the project's list columns and side rows, in the caller's transaction.
    pub(crate) async fn write_facts(&self, conn: &mut AnyConnection, p: &Project) -> Result<()> {
        let f = p.facts();
        bind_facts(sqlx::query(&format!("UPDATE projects SET {} WHERE id = ${AFTER_FACTS}", *FACTS_SET)), &f)
            .bind(p.id)
            .execute(&mut *conn)
            .await?;
        write_side_rows(conn, p.id, &f, Sides::Unknown, None).await
    }

    /// Fills the list columns of projects stored before they existed (migration 12), in the migration's
    /// transaction.
    pub(crate) async fn fill_facts(&self, conn: &mut AnyConnection) -> Result<()> {
        let mut filled = 0usize;
        loop {
            let rows =
                sqlx::query(&format!("SELECT {COLUMNS} FROM projects p WHERE p.step = '' ORDER BY p.id LIMIT 500"))
                    .fetch_all(&mut *conn)
                    .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let p = project_from_row(r)?;
                self.write_facts(conn, &p).await?;
            }
            filled += rows.len();
        }
        if filled > 0 {
            tracing::info!(projects = filled, "filled the projects' list columns");
        }
        Ok(())
    }

    /// Writes a project change and its ledger entries and audit event inside the caller's transaction.
    pub(crate) async fn write_project(
        &self,
        conn: &mut AnyConnection,
        by: &By,
        before: &Project,
        after: &Project,
        change: &Change,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let facts = after.facts();
        let mut opening = None;
        // A project the batch made has no side rows yet: they are written from its last record at the commit.
        let made = if let Some(batch) = &self.batch {
            let mut held = lock(&batch.projects);
            held.save(before, after)?;
            held.is_new(after.id)
        } else {
            // Only the list columns that changed: SQLite rewrites the entry of every index on a column the
            // statement sets, changed or not (a dozen indexes, each a page more to write at the commit).
            let mut w = Where::default();
            let changed: Vec<String> = FACTS_COLUMNS
                .iter()
                .zip(fact_args(&facts).into_iter().zip(fact_args(&before.facts())))
                .filter(|(_, (now, was))| now != was)
                .map(|(column, (now, _))| format!("{column} = {}, ", w.arg(now)))
                .collect();
            let (version, status) = (w.int(after.version), w.text(after.status.code()));
            let (data, updated_at) = (w.text(&project_data(after)?), w.text(&ts(after.updated_at)));
            let (id, was) = (w.int(after.id), w.int(before.version));
            let sql = format!(
                "UPDATE projects SET {}version = {version}, status = {status}, data = {data}, \
                 shape = {RECORD_SHAPE}, updated_at = {updated_at} WHERE id = {id} AND version = {was}",
                changed.concat()
            );
            // On PostgreSQL the update waits for the write's first script and goes in its round trip.
            match w.inline_pg(&sql).filter(|_| self.is_postgres()) {
                Some(update) => opening = Some(Opening::new(&update)),
                None => {
                    let done = w.bind(sqlx::query(&sql)).execute(&mut *conn).await?;
                    Opening::check(usize::try_from(done.rows_affected()).unwrap_or(0))?;
                }
            }
            false
        };
        if !made {
            write_side_rows(conn, after.id, &facts, Sides::Of(&before.facts()), self.held()).await?;
        }
        let mut after_snapshot = after.snapshot();
        after_snapshot["detail"] = change.detail.clone();
        if !change.ledger.is_empty() {
            after_snapshot["ledger"] = serde_json::to_value(&change.ledger).unwrap_or_default();
        }
        let event = by.event(change.action, "project", &after.id.to_string(), before.snapshot(), after_snapshot);
        self.write_ledger(conn, &change.ledger, by.user_id, now, (event, reading_scope(after)), opening).await?;
        self.contribute(conn, after, Stored::Of(before)).await
    }
}

#[async_trait]
impl ProjectStore for SqlStore {
    async fn insert_project(
        &self,
        by: &By,
        project: Project,
        action: Action,
        detail: Value,
        now: DateTime<Utc>,
    ) -> Result<Project> {
        let mut w = self.begin_write().await?;
        let mut project = project;
        if let Some(batch) = self.batch.as_ref().filter(|_| self.is_postgres()) {
            // Numbered now and written with its side rows at the commit: nothing in the batch reads it back. Not
            // on SQLite, where a reference checked at the commit makes each project inserted then search every
            // table that refers to projects (its side rows still wait). As many ids are reserved as
            // the batch still plans to make, so that none is left over to leave a gap.
            let want = batch.plan_project();
            project.id = self.reserved_ids.projects.lock().await.next_id(&mut w.tx, want).await?;
            project.code = project_code(&project);
            lock(&batch.projects).insert(&project);
        } else {
            let placeholder = format!("new-{}", rand::random::<u64>());
            let row = sqlx::query(
                "INSERT INTO projects (code, version, status, purchaser_org_id, data, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&placeholder)
            .bind(project.version)
            .bind(project.status.code())
            .bind(project.purchaser_org_id)
            .bind("{}")
            .bind(ts(project.created_at))
            .bind(ts(project.updated_at))
            .fetch_one(&mut *w.tx)
            .await
            .map_err(classify)?;
            project.id = row.get::<i64, _>(0);
            project.code = project_code(&project);
            if let Some(batch) = &self.batch {
                // Its row and side rows are written from its last record at the commit, as on PostgreSQL.
                lock(&batch.projects).insert_stored(&project);
            } else {
                let facts = project.facts();
                bind_facts(
                    sqlx::query(&format!(
                        "UPDATE projects SET {}, code = ${}, data = ${}, shape = {RECORD_SHAPE} WHERE id = ${}",
                        *FACTS_SET,
                        AFTER_FACTS,
                        AFTER_FACTS + 1,
                        AFTER_FACTS + 2
                    )),
                    &facts,
                )
                .bind(&project.code)
                .bind(project_data(&project)?)
                .bind(project.id)
                .execute(&mut *w.tx)
                .await?;
                write_side_rows(&mut w.tx, project.id, &facts, Sides::New, None).await?;
            }
        }
        let mut after = project.snapshot();
        after["detail"] = detail;
        let event = by.event(action, "project", &project.id.to_string(), Value::Null, after);
        self.append_scoped(&mut w.tx, event, reading_scope(&project), now).await?;
        self.contribute(&mut w.tx, &project, Stored::Nothing).await?;
        w.tx.commit().await?;
        Ok(project)
    }

    async fn update_project(
        &self,
        by: &By,
        before: &Project,
        after: &Project,
        change: &Change,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut w = self.begin_write().await?;
        self.write_project(&mut w.tx, by, before, after, change, now).await?;
        w.tx.commit().await?;
        Ok(())
    }

    async fn project(&self, id: i64) -> Result<Option<Project>> {
        // In a batch, as the batch last saved it (it may not be written yet).
        if let Some(p) = self.batch.as_ref().and_then(|b| lock(&b.projects).last(id).cloned()) {
            return Ok(Some(p));
        }
        self.fetch_optional(
            &format!("SELECT {COLUMNS} FROM projects p WHERE p.id = $1"),
            vec![Arg::Int(id)],
            project_from_row,
        )
        .await
    }

    async fn stored_project(&self, scope: &Scope, id: i64) -> Result<Option<StoredProject>> {
        // In a batch the record may not be written yet: the caller reads it as the batch holds it.
        if self.batch.is_some() {
            return Ok(None);
        }
        let mut w = Where::default();
        let v = w.int(id);
        w.and(format!("p.id = {v}"));
        if let Some(c) = scope_clause(&mut w, &scope.seen_whole()) {
            w.and(c);
        }
        w.and(format!("p.shape = {RECORD_SHAPE}"));
        let sql = format!(
            "SELECT {ITEM_COLUMNS}, CAST(1 AS BIGINT) AS whole, p.designer_id, p.evaluator_org_id, p.awaits, p.purchaser_duty, p.data \
             FROM projects p{}",
            w.sql()
        );
        self.fetch_optional(&sql, w.into_args(), |r| {
            Ok(StoredProject { item: item_from_row(r)?, waiting: waiting_from_row(r)?, record: r.try_get("data")? })
        })
        .await
    }

    async fn projects(&self) -> Result<Vec<Project>> {
        self.fetch_all(&format!("SELECT {COLUMNS} FROM projects p ORDER BY p.id"), vec![], project_from_row).await
    }

    async fn project_page(&self, scope: &Scope, filter: &ProjectFilter, page: PageRequest) -> Result<Page<Project>> {
        let mut w = Where::default();
        if let Some(c) = scope_clause(&mut w, scope) {
            w.and(c);
        }
        let place_leads = self.project_place_leads(filter).await?;
        let (from, id) = filter_clauses(&mut w, filter, self.is_postgres(), place_leads);
        let sql = format!("SELECT {COLUMNS} FROM {from}{}", w.page_sql(id, page));
        let projects = self.fetch_all(&sql, w.into_args(), project_from_row).await?;
        Ok(Page::cut(projects, page.limit, |p| p.id))
    }

    async fn project_items(
        &self,
        scope: &Scope,
        filter: &ProjectFilter,
        page: PageRequest,
    ) -> Result<Page<ProjectItem>> {
        let mut w = Where::default();
        // Numbered before the WHERE clause's own arguments, which is fine: `$n` names its argument.
        let whole = match scope_clause(&mut w, &scope.seen_whole()) {
            Some(c) => format!("CAST(CASE WHEN {c} THEN 1 ELSE 0 END AS BIGINT)"),
            None => "CAST(1 AS BIGINT)".into(),
        };
        if let Some(c) = scope_clause(&mut w, scope) {
            w.and(c);
        }
        let place_leads = self.project_place_leads(filter).await?;
        let (from, id) = filter_clauses(&mut w, filter, self.is_postgres(), place_leads);
        let sql = format!("SELECT {ITEM_COLUMNS}, {whole} AS whole FROM {from}{}", w.page_sql(id, page));
        let items = self.fetch_all(&sql, w.into_args(), item_from_row).await?;
        Ok(Page::cut(items, page.limit, |p| p.id))
    }

    async fn project_counts(&self, scope: &Scope) -> Result<BTreeMap<String, i64>> {
        let mut w = Where::default();
        if let Some(c) = scope_clause(&mut w, scope) {
            w.and(c);
        }
        let sql = format!("SELECT p.step, COUNT(*) AS n FROM projects p{} GROUP BY p.step", w.sql());
        let rows = self.fetch_all(&sql, w.into_args(), |r| Ok((r.try_get("step")?, r.try_get("n")?))).await?;
        Ok(rows.into_iter().collect())
    }

    async fn awaiting_page(&self, kinds: Awaits, org_id: i64, page: PageRequest) -> Result<Page<Awaiting>> {
        let mut w = Where::default();
        let tied = Awaits::PURCHASER | Awaits::PROVIDER | Awaits::SELF_EVALUATION | Awaits::EVALUATOR;
        let org = if kinds.0 & tied != 0 { w.int(org_id) } else { String::new() };
        let mut any = Vec::new();
        for (bit, tie) in [
            (Awaits::PURCHASER, Some("p.purchaser_org_id")),
            (Awaits::CONTENT_REVIEWER, None),
            (Awaits::FINANCE_REVIEWER, None),
            (Awaits::PROVIDER, Some("p.provider_org_id")),
            (Awaits::SELF_EVALUATION, Some("p.provider_org_id")),
            (Awaits::EVALUATOR, Some("p.evaluator_org_id")),
        ] {
            if kinds.has(bit) {
                let tied = tie.map(|column| format!(" AND {column} = {org}")).unwrap_or_default();
                any.push(format!("((p.awaits & {bit}) <> 0{tied})"));
            }
        }
        if any.is_empty() {
            return Ok(Page { items: vec![], next: None });
        }
        w.and("p.awaits <> 0".into());
        w.and(format!("({})", any.join(" OR ")));
        let sql = format!("SELECT {AWAITING_COLUMNS} FROM projects p{}", w.page_sql("p.id", page));
        let candidates = self.fetch_all(&sql, w.into_args(), awaiting_from_row).await?;
        Ok(Page::cut(candidates, page.limit, |a| a.id))
    }

    async fn post_page(&self, scope: &Scope, host_org_id: i64, page: PageRequest) -> Result<Page<Project>> {
        let mut w = Where::default();
        let admitted = posts_clause(&mut w, scope, host_org_id);
        w.and(format!("EXISTS (SELECT 1 FROM project_posts pp WHERE pp.project_id = p.id AND {admitted})"));
        let sql = format!("SELECT {COLUMNS} FROM projects p{}", w.page_sql("p.id", page));
        let projects = self.fetch_all(&sql, w.into_args(), project_from_row).await?;
        Ok(Page::cut(projects, page.limit, |p| p.id))
    }

    async fn post_counts(&self, scope: &Scope, host_org_id: i64) -> Result<PostCounts> {
        let mut w = Where::default();
        let admitted = posts_clause(&mut w, scope, host_org_id);
        w.and(admitted);
        let running = w.text("acceptance");
        let sql = format!(
            "SELECT COUNT(*) AS all_posts, \
             COALESCE(SUM(CASE WHEN p.step = {running} THEN 1 ELSE 0 END), 0) AS running, \
             COALESCE(SUM(CASE WHEN p.step = {running} THEN pp.filled ELSE 0 END), 0) AS filled \
             FROM project_posts pp JOIN projects p ON p.id = pp.project_id{}",
            w.sql()
        );
        self.fetch_one(&sql, w.into_args(), |row| {
            Ok(PostCounts {
                all: row.try_get("all_posts")?,
                running: row.try_get("running")?,
                filled: row.try_get("filled")?,
            })
        })
        .await
    }
}
