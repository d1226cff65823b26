//! Public feedback on services in SQL: filing (with the per-address count, in the same transaction), the
//! department's answer, and the lists. The sender's contact is sealed with the data key; audit events carry
//! neither the sender's words nor their contact.

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{json, Value};
use shanzhi_domain::audit::Action;
use shanzhi_domain::feedback::{Contact, Feedback};
use shanzhi_domain::org::{OrgKind, Organisation, PLACE_CODE_LENGTHS};
use shanzhi_domain::DomainError;
use sqlx::Row;

use crate::error::{classify, Result, StoreError};
use crate::listing::{Arg, Page, PageRequest, Where};
use crate::read::Cells;
use crate::sql::{flag, parse_ts, ts};
use crate::{By, SqlStore, Store};

/// Which feedback a list holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackFilter {
    /// Whose: `None` for every item (the administrator, or a project's published answers).
    pub reader: Option<FeedbackReader>,
    /// Only answered (`Some(true)`) or waiting (`Some(false)`) ones.
    pub answered: Option<bool>,
    /// Only those still waiting whose last day was before this one.
    pub overdue_on: Option<NaiveDate>,
    pub project_id: Option<i64>,
    pub provider_org_id: Option<i64>,
}

/// A reader's part: the items routed to `department`, and with `region` those about places in that subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackReader {
    pub department: i64,
    pub region: Option<String>,
}

/// How many items one sender may file in an hour, and the keyed hash they are counted under.
#[derive(Debug, Clone)]
pub struct SenderLimit {
    pub key: String,
    pub per_hour: u32,
}

/// A filing's outcome: saved, or refused because its sender filed their hour's share already.
#[derive(Debug, Clone)]
pub enum Filed {
    Saved(Box<Feedback>),
    /// Seconds until the sender's hour ends.
    Throttled(u64),
}

#[async_trait]
pub trait FeedbackStore: Send + Sync {
    /// The civil affairs bureau seated nearest above `region` (the place itself first), which answers for
    /// providers registered there.
    async fn competent_civil_affairs(&self, region: &str) -> Result<Option<Organisation>>;
    /// Saves new feedback with its sealed contact and its audit event, counting it against `limit` in the same
    /// transaction; nothing is written when the sender is over it.
    async fn file_feedback(
        &self,
        by: &By,
        f: Feedback,
        contact: &Contact,
        limit: Option<&SenderLimit>,
        now: DateTime<Utc>,
    ) -> Result<Filed>;
    /// One item with its contact, in clear: only for the application layer, which masks it.
    async fn feedback(&self, id: i64) -> Result<Option<(Feedback, Contact)>>;
    /// Saves the department's answer if nobody saved another since `before` was read.
    /// `upheld_against`: the provider an upheld complaint counts against on its credit record.
    async fn answer_feedback(
        &self,
        by: &By,
        before: &Feedback,
        after: &Feedback,
        upheld_against: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// A page of the feedback `filter` chooses, newest first, each with its contact (in clear: the application
    /// layer masks it or leaves it out).
    async fn feedback_page(&self, filter: &FeedbackFilter, page: PageRequest) -> Result<Page<(Feedback, Contact)>>;
}

fn from_row(r: &dyn Cells) -> Result<Feedback> {
    let data: String = r.try_get("data")?;
    let mut f: Feedback =
        serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("feedback data: {e}")))?;
    f.id = r.try_get("id")?;
    f.version = r.try_get("version")?;
    Ok(f)
}

fn with_contact(r: &dyn Cells, key: &crate::secrets::DataKey) -> Result<(Feedback, Contact)> {
    let contact = match r.try_get::<Option<String>>("contact")? {
        Some(sealed) => serde_json::from_str(&key.open(&sealed)?)
            .map_err(|e| StoreError::Corrupt(format!("feedback contact: {e}")))?,
        None => Contact::default(),
    };
    Ok((from_row(r)?, contact))
}

fn data(f: &Feedback) -> Result<String> {
    serde_json::to_string(f).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// What the audit log keeps: where it went and by when, never the sender's words, rating or contact.
fn snapshot(f: &Feedback) -> Value {
    json!({
        "subject": f.subject.code(),
        "project_id": f.project_id,
        "provider_org_id": f.provider_org_id,
        "department_org_id": f.department_org_id,
        "due_on": f.due_on.to_string(),
        "answered": f.answer.is_some(),
        "version": f.version,
    })
}

const COLUMNS: &str = "id, version, data, contact";

impl SqlStore {
    /// Counts one filing under `limit.key`; the seconds to wait instead when its hour's share is used up (the
    /// caller then drops the transaction, and the count with it). One statement reads and counts, under the row's
    /// lock, so filings racing from one address cannot both take the last place.
    async fn count_sender(
        &self,
        tx: &mut sqlx::AnyConnection,
        limit: &SenderLimit,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>> {
        let hour = Duration::hours(1);
        // Rows of hours long gone are of no use to anyone.
        sqlx::query("DELETE FROM feedback_senders WHERE window_start < $1")
            .bind(ts(now - Duration::days(1)))
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(
            "INSERT INTO feedback_senders (key, window_start, filed) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
             filed = CASE WHEN feedback_senders.window_start <= $3 THEN 1 ELSE feedback_senders.filed + 1 END, \
             window_start = CASE WHEN feedback_senders.window_start <= $3 THEN excluded.window_start \
             ELSE feedback_senders.window_start END \
             RETURNING window_start, filed",
        )
        .bind(&limit.key)
        .bind(ts(now))
        .bind(ts(now - hour))
        .fetch_one(&mut *tx)
        .await?;
        let (start, filed) = (parse_ts(&row.try_get::<String, _>(0)?)?, row.try_get::<i64, _>(1)?);
        Ok((filed > i64::from(limit.per_hour)).then(|| (start + hour - now).num_seconds().max(1) as u64))
    }
}

#[async_trait]
impl FeedbackStore for SqlStore {
    async fn competent_civil_affairs(&self, region: &str) -> Result<Option<Organisation>> {
        let seats: Vec<&str> = PLACE_CODE_LENGTHS.iter().filter_map(|n| region.get(..*n)).collect();
        let mut w = Where::default();
        let kind = w.text(OrgKind::CivilAffairs.code());
        let places: Vec<String> = seats.iter().map(|s| w.text(s)).collect();
        if places.is_empty() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT id, region FROM organisations WHERE kind = {kind} AND active = 1 AND region IN ({}) ORDER BY length(region) DESC, id LIMIT 1",
            places.join(", ")
        );
        let found = self.fetch_optional(&sql, w.into_args(), |r| r.try_get::<i64>("id")).await?;
        match found {
            Some(id) => self.organisation(id).await,
            None => Ok(None),
        }
    }

    async fn file_feedback(
        &self,
        by: &By,
        f: Feedback,
        contact: &Contact,
        limit: Option<&SenderLimit>,
        now: DateTime<Utc>,
    ) -> Result<Filed> {
        let mut w = self.begin_write().await?;
        if let Some(limit) = limit {
            if let Some(wait) = self.count_sender(&mut w.tx, limit, now).await? {
                return Ok(Filed::Throttled(wait));
            }
        }
        let sealed = if contact.is_empty() {
            None
        } else {
            let text = serde_json::to_string(contact).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Some(self.data_key().seal(&text))
        };
        let row = sqlx::query(
            "INSERT INTO feedback (version, subject, project_id, provider_org_id, department_org_id, region, answered, \
             due_on, received_at, data, contact) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10) RETURNING id",
        )
        .bind(f.version)
        .bind(f.subject.code())
        .bind(f.project_id)
        .bind(f.provider_org_id)
        .bind(f.department_org_id)
        .bind(&f.region)
        .bind(f.due_on.to_string())
        .bind(ts(f.received_at))
        .bind(data(&f)?)
        .bind(sealed)
        .fetch_one(&mut *w.tx)
        .await
        .map_err(classify)?;
        let mut f = f;
        f.id = row.try_get(0)?;
        sqlx::query("UPDATE feedback SET data = $1 WHERE id = $2")
            .bind(data(&f)?)
            .bind(f.id)
            .execute(&mut *w.tx)
            .await?;
        let event = by.event(Action::FeedbackFile, "feedback", &f.id.to_string(), Value::Null, snapshot(&f));
        self.commit_with(w, event, now).await?;
        Ok(Filed::Saved(Box::new(f)))
    }

    async fn feedback(&self, id: i64) -> Result<Option<(Feedback, Contact)>> {
        let key = self.data_key().clone();
        let sql = format!("SELECT {COLUMNS} FROM feedback WHERE id = $1");
        self.fetch_optional(&sql, vec![Arg::from(id)], move |r| with_contact(r, &key)).await
    }

    async fn answer_feedback(
        &self,
        by: &By,
        before: &Feedback,
        after: &Feedback,
        upheld_against: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE feedback SET version = $1, answered = $2, data = $3, upheld_against = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(after.version)
        .bind(flag(after.answer.is_some()))
        .bind(data(after)?)
        .bind(upheld_against)
        .bind(after.id)
        .bind(before.version)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(DomainError::StaleVersion.into());
        }
        let event =
            by.event(Action::FeedbackAnswer, "feedback", &after.id.to_string(), snapshot(before), snapshot(after));
        self.commit_with(w, event, now).await
    }

    async fn feedback_page(&self, filter: &FeedbackFilter, page: PageRequest) -> Result<Page<(Feedback, Contact)>> {
        let mut w = Where::default();
        if let Some(reader) = &filter.reader {
            let own = w.int(reader.department);
            match &reader.region {
                Some(root) => {
                    let within = w.subtree(self.backend(), "region", root);
                    w.and(format!("(department_org_id = {own} OR ({within}))"));
                }
                None => w.and(format!("department_org_id = {own}")),
            }
        }
        if let Some(answered) = filter.answered {
            let a = w.int(flag(answered));
            w.and(format!("answered = {a}"));
        }
        if let Some(today) = filter.overdue_on {
            let d = w.text(&today.to_string());
            w.and(format!("answered = 0 AND due_on < {d}"));
        }
        if let Some(id) = filter.project_id {
            let p = w.int(id);
            w.and(format!("project_id = {p}"));
        }
        if let Some(id) = filter.provider_org_id {
            let p = w.int(id);
            w.and(format!("provider_org_id = {p}"));
        }
        let sql = format!("SELECT {COLUMNS} FROM feedback{}", w.page_sql("id", page));
        let key = self.data_key().clone();
        let items = self.fetch_all(&sql, w.into_args(), move |r| with_contact(r, &key)).await?;
        Ok(Page::cut(items, page.limit, |(f, _)| f.id))
    }
}
