//! A notice's rows: its columns, what a notice list filters by (its project, procurement, place, day and words),
//! the search index's terms, and the notice's audit event — everything the notices' writes and lists share.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::{json, Value};
use shanzhi_domain::audit::Action;
use shanzhi_domain::notice::{NewNotice, Notice, NoticeBody, NoticeKind};
use shanzhi_domain::search::Query;
use shanzhi_domain::Money;
use sqlx::AnyConnection;

use crate::error::{Result, StoreError};
use crate::listing::{Arg, Where};
use crate::read::Cells;
use crate::sql::{parse_ts, ts};
use crate::By;

/// What a notice list is narrowed to; every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeFilter {
    pub kind: Option<NoticeKind>,
    /// A region and everything under it, by the notice's project.
    pub region: Option<String>,
    /// The year of publication.
    pub year: Option<i32>,
    /// Words the title holds, each whole (found by its terms in `notice_terms`).
    pub q: Option<Query>,
    /// The project's purchasing department (an organisation id).
    pub purchaser: Option<i64>,
    /// The project's catalogue category, or a head of it (a code prefix).
    pub category: Option<String>,
    /// The project's provider (an organisation id).
    pub provider: Option<i64>,
    /// The procurement's method (notices of a procurement).
    pub method: Option<shanzhi_domain::procurement::Method>,
    /// The project's budget within these amounts, both included.
    pub budget_min: Option<Money>,
    pub budget_max: Option<Money>,
    /// Published on these days or between them, both included.
    pub published_from: Option<NaiveDate>,
    pub published_to: Option<NaiveDate>,
}

/// Indexes the notices whose `column` (`n.id` or `n.project_id`) is `id` under their project's places
/// (`project_places`), with their kind and year, in the caller's transaction.
pub(crate) async fn index_notices(conn: &mut AnyConnection, column: &str, id: i64) -> Result<()> {
    let sql = format!(
        "INSERT INTO notice_regions (code, kind, year, notice_id) SELECT pl.code, n.kind, n.year, n.id FROM notices n \
         JOIN project_places pl ON pl.project_id = n.project_id WHERE {column} = $1 ON CONFLICT DO NOTHING"
    );
    sqlx::query(&sql).bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Indexes a project's notices again after its regions changed.
pub(crate) async fn reindex_notices(conn: &mut AnyConnection, project_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM notice_regions WHERE notice_id IN (SELECT id FROM notices WHERE project_id = $1)")
        .bind(project_id)
        .execute(&mut *conn)
        .await?;
    index_notices(conn, "n.project_id", project_id).await
}

pub(crate) fn notice_from_row(r: &dyn Cells) -> Result<Notice> {
    let kind: String = r.try_get("kind")?;
    let body: String = r.try_get("body")?;
    let date = |s: String| s.parse().map_err(|_| StoreError::Corrupt(format!("notice date {s}")));
    let ends: Option<String> = r.try_get("ends_on")?;
    Ok(Notice {
        id: r.try_get("id")?,
        notice: NewNotice {
            kind: NoticeKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("notice kind {kind}")))?,
            project_id: r.try_get("project_id")?,
            procurement_id: r.try_get("procurement_id")?,
            title: r.try_get("title")?,
            body: NoticeBody::from_text(body).map_err(|e| StoreError::Corrupt(format!("notice body: {e}")))?,
            published_on: date(r.try_get("published_on")?)?,
            ends_on: ends.map(date).transpose()?,
        },
        published_at: parse_ts(&r.try_get::<String>("published_at")?)?,
    })
}

/// The columns of a notice's row after its id, and a notice's values for them.
pub(crate) const NOTICE_FIELDS: &str =
    "kind, project_id, procurement_id, title, body, published_on, ends_on, published_at, year";

pub(crate) fn notice_values(n: &NewNotice, now: DateTime<Utc>) -> Vec<Arg> {
    vec![
        Arg::Text(n.kind.code().into()),
        Arg::Int(n.project_id),
        Arg::OptInt(n.procurement_id),
        Arg::Text(n.title.clone()),
        Arg::Text(n.body.text().to_string()),
        Arg::Text(n.published_on.to_string()),
        Arg::OptText(n.ends_on.map(|d| d.to_string())),
        Arg::Text(ts(now)),
        Arg::Int(i64::from(n.published_on.year())),
    ]
}

/// A notice filter's clauses on its project, procurement and day, checked notice by notice.
pub(crate) fn project_clauses(w: &mut Where, f: &NoticeFilter) {
    let mut of_project = Vec::new();
    if let Some(org) = f.purchaser {
        of_project.push(format!("p.purchaser_org_id = {}", w.int(org)));
    }
    if let Some(category) = &f.category {
        of_project.push(w.prefix("p.category", category));
    }
    if let Some(org) = f.provider {
        of_project.push(format!("p.provider_org_id = {}", w.int(org)));
    }
    if let Some(min) = f.budget_min {
        of_project.push(format!("p.total >= {}", w.int(min.fen())));
    }
    if let Some(max) = f.budget_max {
        of_project.push(format!("p.total <= {}", w.int(max.fen())));
    }
    if !of_project.is_empty() {
        w.and(format!("EXISTS (SELECT 1 FROM projects p WHERE p.id = n.project_id AND {})", of_project.join(" AND ")));
    }
    if let Some(method) = f.method {
        let v = w.text(method.code());
        w.and(format!("EXISTS (SELECT 1 FROM procurements pr WHERE pr.id = n.procurement_id AND pr.method = {v})"));
    }
    if let Some(from) = f.published_from {
        let v = w.text(&from.to_string());
        w.and(format!("n.published_on >= {v}"));
    }
    if let Some(to) = f.published_to {
        let v = w.text(&to.to_string());
        w.and(format!("n.published_on <= {v}"));
    }
}

/// The search index's rows of a notice: its title's terms ([`shanzhi_domain::search::bigrams`]).
pub(crate) const TERMS_INSERT: &str = "INSERT INTO notice_terms (term, notice_id)";

pub(crate) fn term_rows(id: i64, n: &NewNotice) -> Vec<Vec<Arg>> {
    crate::words::term_rows(id, &n.title)
}

/// The audit event of a notice's publication.
pub(crate) fn publish_event(by: &By, id: i64, n: &NewNotice) -> shanzhi_domain::audit::NewEvent {
    by.event(
        Action::NoticePublish,
        "notice",
        &id.to_string(),
        Value::Null,
        json!({"kind": n.kind.code(), "title": n.title}),
    )
}
