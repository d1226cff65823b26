//! Procurements, sealed bids and public notices in SQL.
//!
//! A bid is sealed with its procurement's own key, which is itself sealed with the bid master key kept outside
//! the database: a database reader sees ciphertext and a keyed hash of the bidder, never a price or a name.
//! The store refuses to unseal a round's bids before its deadline, and hands opened bids to readers only once
//! the opening is recorded — the web layer's permission checks are the first line, these the last.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use shanzhi_domain::audit::Action;
use shanzhi_domain::audit::{NewEvent, Scope as AuditScope};
use shanzhi_domain::notice::{NewNotice, Notice};
use shanzhi_domain::procurement::{BidContent, Duty, Procurement, Stage};
use shanzhi_domain::project::{Change, Project};
use shanzhi_domain::{DomainError, ErrorCode};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

use crate::bulk::lock;
use crate::error::{classify, Result, StoreError};
use crate::listing::{Arg, Page, PageRequest, Where};
use crate::notice_rows::{
    index_notices, notice_from_row, notice_values, project_clauses, publish_event, term_rows, NoticeFilter,
    NOTICE_FIELDS, TERMS_INSERT,
};
use crate::pending::Pending;
use crate::pending_bids::PendingBids;
use crate::read::Cells;
use crate::rows::insert_rows;
use crate::secrets::DataKey;
use crate::sql::ts;
use crate::words::Lead;
use crate::{By, SqlStore};

/// A bid as its own bidder sees it.
#[derive(Debug, Clone, Serialize)]
pub struct OwnBid {
    pub bid_id: i64,
    pub round: i64,
    pub receipt: String,
    pub content: BidContent,
    pub withdrawn: bool,
    pub submitted_at: String,
}

/// A file attached to a sealed bid, opened for a reader allowed to see it.
#[derive(Debug, Clone)]
pub struct BidFile {
    pub id: i64,
    /// Whether the reader asked as the file's own bidder.
    pub own: bool,
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A bid taken out of its seal: at the opening, or by the committee after it.
#[derive(Debug, Clone, Serialize)]
pub struct UnsealedBid {
    pub bid_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub receipt: String,
    pub content: BidContent,
    pub submitted_at: String,
}

impl UnsealedBid {
    /// What the opening reads out of the bid (唱标): who, at what price.
    pub fn read_out(self) -> shanzhi_domain::procurement::OpenedBid {
        shanzhi_domain::procurement::OpenedBid {
            bid_id: self.bid_id,
            org_id: self.org_id,
            name: self.org_name,
            price: self.content.price,
            small_or_micro: self.content.small_or_micro,
            receipt: self.receipt,
        }
    }
}

/// The record of what a provider does while bids are sealed: kept out of the chain until the opening (see
/// [`SqlStore::defer`]), then entered in the bidder's name with the receipt it was given.
fn bid_event(action: Action, org_id: i64, org_name: &str, procurement_id: i64, after: Value) -> NewEvent {
    NewEvent {
        actor_id: None,
        actor_name: org_name.into(),
        org_id: Some(org_id),
        action: action.code().into(),
        object_type: "procurement".into(),
        object_id: procurement_id.to_string(),
        before: Value::Null,
        after,
    }
}

/// Acts that would tell who takes part, and how many, if they entered the chain when they happen.
const DEFERRED: [Action; 2] = [Action::ProcurementInterest, Action::ProcurementQuestion];

/// Ids of bids and their files: random, so that the id a bidder is given says nothing about how many bids or
/// files there are. 53 bits, so they stay exact as JSON numbers; never below 2^52.
fn random_id() -> i64 {
    ((rand::random::<u64>() >> 12) | (1 << 52)) as i64
}

fn receipt_of(sealed: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(sealed.as_bytes()))
}

/// One procurement change: the procurement, and when the change reaches it, the project, in one transaction
/// with their audit events and the notices they publish.
pub struct ProcurementWrite<'a> {
    pub before: &'a Procurement,
    pub after: &'a Procurement,
    pub change: &'a Change,
    pub project: Option<(&'a Project, &'a Project, &'a Change)>,
    pub notices: Vec<NewNotice>,
    /// The procurement's outstanding duties after the change: an overdue mark of any other duty is resolved
    /// with it (the change did that duty).
    pub duties: Vec<Duty>,
    /// The red flags the change raised, and the award it made.
    pub flagging: crate::red_flags::Flagging,
}

type NoticeFn<'a> = &'a (dyn Fn(&Procurement) -> Vec<NewNotice> + Send + Sync);

#[async_trait]
pub trait ProcurementStore: Send + Sync {
    /// Inserts a new procurement with its own bid key, its audit event and the notices `notices` builds once the
    /// id is known.
    async fn insert_procurement(
        &self,
        by: &By,
        p: Procurement,
        change: &Change,
        notices: NoticeFn<'_>,
        now: DateTime<Utc>,
    ) -> Result<Procurement>;
    /// Saves a change if nobody saved another since `before` was read.
    async fn save_procurement(&self, by: &By, write: ProcurementWrite<'_>, now: DateTime<Utc>) -> Result<()>;
    async fn procurement(&self, id: i64) -> Result<Option<Procurement>>;
    async fn procurements(&self) -> Result<Vec<Procurement>>;

    /// Submits or replaces `org_id`'s bid in `round` (0: bids, 1: final offers); returns its receipt.
    #[allow(clippy::too_many_arguments)]
    async fn submit_bid(
        &self,
        procurement_id: i64,
        round: i64,
        org_id: i64,
        org_name: &str,
        content: &BidContent,
        now: DateTime<Utc>,
    ) -> Result<String>;
    async fn withdraw_bid(&self, procurement_id: i64, round: i64, org_id: i64, now: DateTime<Utc>) -> Result<()>;
    /// The bidder's own bid: the only read of a bid before the opening.
    async fn own_bid(&self, procurement_id: i64, round: i64, org_id: i64) -> Result<Option<OwnBid>>;
    /// Every live bid of the round, for the opening: refused while the round's deadline has not passed.
    async fn unseal_bids(&self, procurement_id: i64, round: i64, now: DateTime<Utc>) -> Result<Vec<UnsealedBid>>;
    /// The round's opened bids: refused until its opening is recorded.
    async fn opened_bids(&self, procurement_id: i64, round: i64) -> Result<Vec<UnsealedBid>>;

    /// Attaches a file to `org_id`'s coming bid, sealed like the bid; refused after the deadline. Returns its id.
    async fn add_bid_file(
        &self,
        procurement_id: i64,
        org_id: i64,
        name: &str,
        content_type: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<i64>;
    /// A bid file: before the opening only for its own bidder (`reader_org`), after it for whom the caller allows.
    async fn bid_file(&self, procurement_id: i64, file_id: i64, reader_org: Option<i64>) -> Result<Option<BidFile>>;

    /// Saves a project change together with the notices it publishes (e.g. the contract notice) and the red flags
    /// it raises.
    #[allow(clippy::too_many_arguments)]
    async fn update_project_with_notices(
        &self,
        by: &By,
        before: &Project,
        after: &Project,
        change: &Change,
        notices: Vec<NewNotice>,
        flagging: &crate::red_flags::Flagging,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn notices(&self) -> Result<Vec<Notice>>;
    /// Published notices matching `filter`, newest first, one page.
    async fn notice_page(&self, filter: &NoticeFilter, page: PageRequest) -> Result<Page<Notice>>;
    /// The notices of one project, newest first.
    async fn notices_of_project(&self, project_id: i64) -> Result<Vec<Notice>>;
    async fn notice(&self, id: i64) -> Result<Option<Notice>>;
    /// The procurements of one project, oldest first.
    async fn procurements_of_project(&self, project_id: i64) -> Result<Vec<Procurement>>;
}

/// Writes a batch's procurements as last saved, with their list columns, as it commits: those it made with their
/// committee members (`held` has their keys), the others over their rows.
pub(crate) async fn write_pending(
    conn: &mut AnyConnection,
    procurements: &Pending<Procurement>,
    held: &PendingBids,
) -> Result<()> {
    let columns = ["version", "stage", "data", "updated_at", "region", "method", "switch_requested", "awaits"];
    let row = |p: &Procurement| -> Result<Vec<Arg>> {
        let f = p.facts();
        Ok(vec![
            Arg::Int(p.version),
            Arg::Text(p.stage.code().into()),
            Arg::Text(data(p)?),
            Arg::Text(ts(p.updated_at)),
            Arg::Text(f.region),
            Arg::Text(p.method.code().into()),
            Arg::Int(i64::from(f.switch_requested)),
            Arg::Int(i64::from(f.awaits)),
        ])
    };
    let (mut made, mut members) = (Vec::new(), Vec::new());
    for p in procurements.new_records() {
        let wrapped =
            held.wrapped(p.id).ok_or_else(|| StoreError::Corrupt("a made procurement without its key".into()))?;
        let mut values = row(p)?;
        values.extend([
            Arg::Int(p.id),
            Arg::Int(p.project_id),
            Arg::Int(p.purchaser_org_id),
            Arg::OptInt(p.agency_org_id),
            Arg::Text(wrapped.into()),
            Arg::Text(ts(p.created_at)),
        ]);
        made.push(values);
        members.extend(crate::procurement_list::member_rows(p));
    }
    let head = format!(
        "INSERT INTO procurements ({}, id, project_id, purchaser_org_id, agency_org_id, wrapped_key, created_at)",
        columns.join(", ")
    );
    insert_rows(conn, &head, "", made).await?;
    insert_rows(conn, crate::procurement_list::MEMBERS_INSERT, "", members).await?;
    procurements.write(conn, "procurements", &columns, row).await
}

/// Inserts a new procurement's row, answering its id; its record is written once it has one.
async fn insert_row(conn: &mut AnyConnection, p: &Procurement, wrapped: &str) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO procurements (project_id, version, stage, purchaser_org_id, agency_org_id, wrapped_key, data, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(p.project_id)
    .bind(p.version)
    .bind(p.stage.code())
    .bind(p.purchaser_org_id)
    .bind(p.agency_org_id)
    .bind(wrapped)
    .bind("{}")
    .bind(ts(p.created_at))
    .bind(ts(p.updated_at))
    .fetch_one(&mut *conn)
    .await
    .map_err(classify)?;
    Ok(row.try_get(0)?)
}

/// Who may read a procurement's events: its region's readers, from the record in hand (what
/// [`crate::audit::scope_of`] would look up).
pub(crate) fn reading_scope(p: &Procurement) -> AuditScope {
    AuditScope::regions([p.region.as_str()])
}

pub(crate) fn procurement_from_row(r: &dyn Cells) -> Result<Procurement> {
    let data: String = r.try_get("data")?;
    let mut p: Procurement =
        serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("procurement data: {e}")))?;
    p.id = r.try_get("id")?;
    p.version = r.try_get("version")?;
    Ok(p)
}

fn data(p: &Procurement) -> Result<String> {
    serde_json::to_string(p).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn snapshot(p: &Procurement) -> Value {
    json!({"stage": p.stage.code(), "version": p.version, "method": p.method.code()})
}

fn sealed_refusal() -> StoreError {
    DomainError::refused(
        ErrorCode::BidsSealed,
        "投标文件在开标前保持密封，任何人不得查阅",
        "bids stay sealed until the opening",
    )
    .into()
}

/// What the sealed text holds besides the bid: who made it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Sealed {
    org_id: i64,
    org_name: String,
    content: BidContent,
}

impl SqlStore {
    async fn insert_notices(
        &self,
        conn: &mut AnyConnection,
        by: &By,
        notices: Vec<NewNotice>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        for n in notices {
            let values = notice_values(&n, now);
            if let Some(batch) = &self.batch {
                let id = self.reserved_ids.notices.lock().await.next_id(conn, crate::reserved_ids::RESERVED).await?;
                let mut pending = batch.notices.lock().await;
                pending.push(id, values);
                pending.push_terms(term_rows(id, &n));
                drop(pending);
                self.append(conn, publish_event(by, id, &n), now).await?;
                continue;
            }
            let sql = format!(
                "INSERT INTO notices ({NOTICE_FIELDS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
            );
            let row = crate::listing::bind_all(sqlx::query(&sql), values).fetch_one(&mut *conn).await?;
            let id: i64 = row.try_get(0)?;
            index_notices(conn, "n.id", id).await?;
            insert_rows(conn, TERMS_INSERT, " ON CONFLICT DO NOTHING", term_rows(id, &n)).await?;
            self.append(conn, publish_event(by, id, &n), now).await?;
        }
        Ok(())
    }

    /// The procurement's bid key, unwrapped with the master key.
    async fn bid_key(&self, conn: &mut AnyConnection, procurement_id: i64) -> Result<(DataKey, Procurement)> {
        // A batch keeps the keys it made or read (it holds the row's lock from its first read until it commits).
        if let Some(b) = &self.batch {
            let kept = lock(&b.bid_keys).get(&procurement_id).cloned();
            let held = lock(&b.procurements).last(procurement_id).cloned();
            if let (Some(key), Some(p)) = (kept, held) {
                return Ok((DataKey::from_base64(&key)?, p));
            }
        }
        let for_update = if crate::Store::backend(self) == crate::Backend::Postgres { " FOR UPDATE" } else { "" };
        let row =
            sqlx::query(&format!("SELECT id, version, data, wrapped_key FROM procurements WHERE id = $1{for_update}"))
                .bind(procurement_id)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(DomainError::NotFound { what: "procurement" })?;
        let wrapped: String = row.try_get("wrapped_key")?;
        let key_text = self.bid_master().open(&wrapped)?;
        let key = DataKey::from_base64(&key_text)?;
        // A batch's row is not written yet: its record is the batch's.
        let mut held = None;
        if let Some(b) = &self.batch {
            lock(&b.bid_keys).insert(procurement_id, key_text);
            held = lock(&b.procurements).last(procurement_id).cloned();
        }
        Ok((key, held.map_or_else(|| procurement_from_row(&row), Ok)?))
    }

    fn open_sealed(key: &DataKey, r: &dyn Cells) -> Result<(i64, Sealed, String, String)> {
        let sealed = Self::open_sealed_text(key, &r.try_get::<String>("sealed")?)?;
        Ok((r.try_get("id")?, sealed, r.try_get("receipt")?, r.try_get("submitted_at")?))
    }

    fn open_sealed_text(key: &DataKey, sealed: &str) -> Result<Sealed> {
        serde_json::from_str(&key.open(sealed)?).map_err(|e| StoreError::Corrupt(format!("sealed bid: {e}")))
    }

    async fn organisation_name(&self, conn: &mut AnyConnection, org_id: i64) -> Result<String> {
        let row =
            sqlx::query("SELECT name FROM organisations WHERE id = $1").bind(org_id).fetch_optional(&mut *conn).await?;
        Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?.unwrap_or_default())
    }

    /// Keeps `event` out of the chain, sealed with the procurement's bid key, until [`SqlStore::flush`] enters it.
    async fn defer(
        &self,
        conn: &mut AnyConnection,
        key: &DataKey,
        procurement_id: i64,
        event: &NewEvent,
    ) -> Result<()> {
        let plain = serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if let Some(b) = self.holder(procurement_id) {
            lock(&b.bids).defer(procurement_id, key.seal(&plain));
            return Ok(());
        }
        sqlx::query("INSERT INTO sealed_events (procurement_id, sealed) VALUES ($1, $2)")
            .bind(procurement_id)
            .bind(key.seal(&plain))
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Stores a bid: over the bidder's earlier one in the round (keeping its id), else as a new row.
    async fn store_bid(
        &self,
        conn: &mut AnyConnection,
        (procurement_id, round, tag): (i64, i64, &str),
        sealed: &str,
        receipt: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let updated = sqlx::query("UPDATE bids SET sealed = $1, receipt = $2, withdrawn = 0, submitted_at = $3 WHERE procurement_id = $4 AND round = $5 AND bidder_tag = $6")
            .bind(sealed)
            .bind(receipt)
            .bind(ts(now))
            .bind(procurement_id)
            .bind(round)
            .bind(tag)
            .execute(&mut *conn)
            .await?;
        if updated.rows_affected() == 0 {
            sqlx::query("INSERT INTO bids (id, procurement_id, round, bidder_tag, sealed, receipt, withdrawn, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)")
                .bind(random_id())
                .bind(procurement_id)
                .bind(round)
                .bind(tag)
                .bind(sealed)
                .bind(receipt)
                .bind(ts(now))
                .execute(&mut *conn)
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    /// Withdraws the bidder's standing stored bid, answering its receipt and sealed content.
    async fn withdraw_stored_bid(
        &self,
        conn: &mut AnyConnection,
        (procurement_id, round, tag): &(i64, i64, String),
        now: DateTime<Utc>,
    ) -> Result<(String, String)> {
        let row = sqlx::query(
            "SELECT receipt, sealed FROM bids WHERE procurement_id = $1 AND round = $2 AND bidder_tag = $3 AND withdrawn = 0",
        )
        .bind(procurement_id)
        .bind(round)
        .bind(tag)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(DomainError::NotFound { what: "bid" })?;
        sqlx::query("UPDATE bids SET withdrawn = 1, submitted_at = $1 WHERE procurement_id = $2 AND round = $3 AND bidder_tag = $4")
            .bind(ts(now))
            .bind(procurement_id)
            .bind(round)
            .bind(tag)
            .execute(&mut *conn)
            .await?;
        Ok((row.try_get("receipt")?, row.try_get("sealed")?))
    }

    /// The batch that made procurement `id` and holds its rows until it commits, if one did.
    fn holder(&self, id: i64) -> Option<&crate::bulk::Shared> {
        self.batch.as_ref().filter(|b| lock(&b.bids).holds(id))
    }

    /// Enters the procurement's deferred records in the chain, in the order they happened: at the opening, or
    /// when bidding ends without one.
    async fn flush(&self, conn: &mut AnyConnection, procurement_id: i64, now: DateTime<Utc>) -> Result<()> {
        let held = self.holder(procurement_id).map(|b| lock(&b.bids).take_sealed(procurement_id));
        let stored = held.is_none();
        let sealed: Vec<String> = match held {
            Some(records) => records,
            None => sqlx::query("SELECT id, sealed FROM sealed_events WHERE procurement_id = $1 ORDER BY id")
                .bind(procurement_id)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>("sealed"))
                .collect::<std::result::Result<_, _>>()?,
        };
        if sealed.is_empty() {
            return Ok(());
        }
        let (key, _) = self.bid_key(conn, procurement_id).await?;
        for s in &sealed {
            let event: NewEvent =
                serde_json::from_str(&key.open(s)?).map_err(|e| StoreError::Corrupt(format!("sealed event: {e}")))?;
            self.append(conn, event, now).await?;
        }
        if stored {
            sqlx::query("DELETE FROM sealed_events WHERE procurement_id = $1")
                .bind(procurement_id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    async fn unsealed(
        &self,
        procurement_id: i64,
        round: i64,
        check: impl Fn(&Procurement) -> bool,
    ) -> Result<Vec<UnsealedBid>> {
        // Within a batch the bids may not be committed yet.
        let mut conn = self.reader().await?;
        let (key, p) = self.bid_key(&mut conn, procurement_id).await?;
        if !check(&p) {
            return Err(sealed_refusal());
        }
        let opened: Vec<(i64, Sealed, String, String)> = match self.holder(procurement_id) {
            Some(b) => {
                let held = lock(&b.bids).standing_in(procurement_id, round);
                held.into_iter()
                    .map(|h| Ok((h.id, Self::open_sealed_text(&key, &h.sealed)?, h.receipt, h.submitted_at)))
                    .collect::<Result<_>>()?
            }
            None => sqlx::query("SELECT id, sealed, receipt, submitted_at FROM bids WHERE procurement_id = $1 AND round = $2 AND withdrawn = 0 ORDER BY id")
                .bind(procurement_id)
                .bind(round)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| Self::open_sealed(&key, r))
                .collect::<Result<_>>()?,
        };
        opened
            .into_iter()
            .map(|(bid_id, s, receipt, submitted_at)| {
                Ok(UnsealedBid {
                    bid_id,
                    org_id: s.org_id,
                    org_name: s.org_name,
                    receipt,
                    content: s.content,
                    submitted_at,
                })
            })
            .collect()
    }
}

/// Bids (and their files) are taken, changed and withdrawn only while their round is open.
fn require_open(p: &Procurement, now: DateTime<Utc>) -> Result<()> {
    if p.sealed_until().is_none_or(|d| now >= d) {
        return Err(deadline_passed());
    }
    Ok(())
}

fn deadline_passed() -> StoreError {
    DomainError::refused(
        ErrorCode::DeadlinePassed,
        "投标（响应）截止时间已过，不再接受投标或修改",
        "the deadline has passed; bids can no longer be made or changed",
    )
    .into()
}

fn tag(key: &DataKey, org_id: i64) -> String {
    key.tag(format!("bidder:{org_id}").as_bytes())
}

#[async_trait]
impl ProcurementStore for SqlStore {
    async fn insert_procurement(
        &self,
        by: &By,
        p: Procurement,
        change: &Change,
        notices: NoticeFn<'_>,
        now: DateTime<Utc>,
    ) -> Result<Procurement> {
        let (_, key_text) = DataKey::generate();
        let wrapped = self.bid_master().seal(&key_text);
        let mut w = self.begin_write().await?;
        let mut p = p;
        match &self.batch {
            // Numbered now, written with its bids at the commit (see `pending_bids`).
            Some(batch) if self.is_postgres() => {
                let mut ids = self.reserved_ids.procurements.lock().await;
                p.id = ids.next_id(&mut w.tx, crate::reserved_ids::RESERVED).await?;
                lock(&batch.procurements).insert(&p);
                lock(&batch.bid_keys).insert(p.id, key_text);
                lock(&batch.bids).made(p.id, wrapped);
            }
            // On SQLite its row is inserted now, for other rows to refer to; its bids still wait for the commit.
            Some(batch) => {
                p.id = insert_row(&mut w.tx, &p, &wrapped).await?;
                lock(&batch.procurements).save(&p, &p)?;
                lock(&batch.bid_keys).insert(p.id, key_text);
                lock(&batch.bids).made(p.id, wrapped);
            }
            None => {
                p.id = insert_row(&mut w.tx, &p, &wrapped).await?;
                sqlx::query("UPDATE procurements SET data = $1 WHERE id = $2")
                    .bind(data(&p)?)
                    .bind(p.id)
                    .execute(&mut *w.tx)
                    .await?;
            }
        }
        self.write_procurement_facts(&mut w.tx, &p, None).await?;
        let mut after = snapshot(&p);
        after["detail"] = change.detail.clone();
        let event = by.event(change.action, "procurement", &p.id.to_string(), Value::Null, after);
        self.append_scoped(&mut w.tx, event, reading_scope(&p), now).await?;
        self.insert_notices(&mut w.tx, by, notices(&p), now).await?;
        w.commit().await?;
        Ok(p)
    }

    async fn save_procurement(&self, by: &By, write: ProcurementWrite<'_>, now: DateTime<Utc>) -> Result<()> {
        let (before, after) = (write.before, write.after);
        let mut w = self.begin_write().await?;
        if let Some(batch) = &self.batch {
            lock(&batch.procurements).save(before, after)?;
        } else {
            let done = sqlx::query("UPDATE procurements SET version = $1, stage = $2, data = $3, updated_at = $4 WHERE id = $5 AND version = $6")
                .bind(after.version)
                .bind(after.stage.code())
                .bind(data(after)?)
                .bind(ts(after.updated_at))
                .bind(after.id)
                .bind(before.version)
                .execute(&mut *w.tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(DomainError::StaleVersion.into());
            }
        }
        self.write_procurement_facts(&mut w.tx, after, Some(before)).await?;
        let mut snap = snapshot(after);
        snap["detail"] = write.change.detail.clone();
        let event = by.event(write.change.action, "procurement", &after.id.to_string(), snapshot(before), snap);
        if DEFERRED.contains(&write.change.action) {
            let (key, _) = self.bid_key(&mut w.tx, after.id).await?;
            self.defer(&mut w.tx, &key, after.id, &event).await?;
        } else {
            // Sealing ends (opened, or bidding ended without an opening): what waited enters the chain first.
            if before.sealed_until().is_some() && after.sealed_until().is_none() {
                self.flush(&mut w.tx, after.id, now).await?;
            }
            self.append_scoped(&mut w.tx, event, reading_scope(after), now).await?;
        }
        if let Some((pb, pa, pc)) = write.project {
            self.write_project(&mut w.tx, by, pb, pa, pc, now).await?;
        }
        self.insert_notices(&mut w.tx, by, write.notices, now).await?;
        self.write_flagging(&mut w.tx, &write.flagging, now).await?;
        self.resolve_done_duties(&mut w.tx, after.id, &write.duties, by, now).await?;
        w.commit().await?;
        Ok(())
    }

    async fn procurement(&self, id: i64) -> Result<Option<Procurement>> {
        // In a batch, as the batch last saved it (it may not be written yet).
        if let Some(p) = self.batch.as_ref().and_then(|b| lock(&b.procurements).last(id).cloned()) {
            return Ok(Some(p));
        }
        self.fetch_optional(
            "SELECT id, version, data FROM procurements WHERE id = $1",
            vec![Arg::from(id)],
            procurement_from_row,
        )
        .await
    }

    async fn procurements(&self) -> Result<Vec<Procurement>> {
        self.fetch_all("SELECT id, version, data FROM procurements ORDER BY id", vec![], procurement_from_row).await
    }

    async fn submit_bid(
        &self,
        procurement_id: i64,
        round: i64,
        org_id: i64,
        org_name: &str,
        content: &BidContent,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let mut w = self.begin_write().await?;
        let (key, p) = self.bid_key(&mut w.tx, procurement_id).await?;
        require_open(&p, now)?;
        // A round that is not the open one has passed its deadline too.
        if round != i64::from(p.stage == Stage::FinalOffers) {
            return Err(deadline_passed());
        }
        let plain = serde_json::to_string(&Sealed { org_id, org_name: org_name.into(), content: content.clone() })
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sealed = key.seal(&plain);
        let receipt = receipt_of(&sealed);
        let tag = tag(&key, org_id);
        if let Some(b) = self.holder(procurement_id) {
            lock(&b.bids).submit((procurement_id, round, tag), random_id(), sealed, receipt.clone(), ts(now));
        } else {
            self.store_bid(&mut w.tx, (procurement_id, round, &tag), &sealed, &receipt, now).await?;
        }
        let after = json!({"receipt": receipt, "round": round, "submitted_at": ts(now)});
        self.defer(
            &mut w.tx,
            &key,
            procurement_id,
            &bid_event(Action::BidSubmit, org_id, org_name, procurement_id, after),
        )
        .await?;
        w.commit().await?;
        Ok(receipt)
    }

    async fn withdraw_bid(&self, procurement_id: i64, round: i64, org_id: i64, now: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        let (key, p) = self.bid_key(&mut w.tx, procurement_id).await?;
        require_open(&p, now)?;
        let bid = (procurement_id, round, tag(&key, org_id));
        let (receipt, sealed) = match self.holder(procurement_id) {
            Some(b) => {
                let mut held = lock(&b.bids);
                let standing = held.standing(&bid).ok_or(DomainError::NotFound { what: "bid" })?;
                let found = (standing.receipt.clone(), standing.sealed.clone());
                held.withdraw(&bid, ts(now));
                found
            }
            None => self.withdraw_stored_bid(&mut w.tx, &bid, now).await?,
        };
        // The bidder's name is in the sealed bid; the record names the organisation by id until the opening.
        let name = Self::open_sealed_text(&key, &sealed)?.org_name;
        let after = json!({"receipt": receipt, "round": round, "withdrawn_at": ts(now)});
        self.defer(
            &mut w.tx,
            &key,
            procurement_id,
            &bid_event(Action::BidWithdraw, org_id, &name, procurement_id, after),
        )
        .await?;
        w.commit().await?;
        Ok(())
    }
    async fn own_bid(&self, procurement_id: i64, round: i64, org_id: i64) -> Result<Option<OwnBid>> {
        let mut conn = self.pool().acquire().await?;
        let (key, _) = self.bid_key(&mut conn, procurement_id).await?;
        let row = sqlx::query("SELECT id, sealed, receipt, submitted_at, withdrawn FROM bids WHERE procurement_id = $1 AND round = $2 AND bidder_tag = $3")
            .bind(procurement_id)
            .bind(round)
            .bind(tag(&key, org_id))
            .fetch_optional(&mut *conn)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let (bid_id, s, receipt, submitted_at) = Self::open_sealed(&key, &r)?;
        if s.org_id != org_id {
            return Err(StoreError::Corrupt("bid tag does not match its bidder".into()));
        }
        Ok(Some(OwnBid {
            bid_id,
            round,
            receipt,
            content: s.content,
            withdrawn: r.try_get::<i64, _>("withdrawn")? != 0,
            submitted_at,
        }))
    }

    async fn unseal_bids(&self, procurement_id: i64, round: i64, now: DateTime<Utc>) -> Result<Vec<UnsealedBid>> {
        let stage = if round == 0 { Stage::Bidding } else { Stage::FinalOffers };
        self.unsealed(procurement_id, round, |p| p.stage == stage && p.sealed_until().is_some_and(|d| now >= d)).await
    }

    async fn opened_bids(&self, procurement_id: i64, round: i64) -> Result<Vec<UnsealedBid>> {
        self.unsealed(
            procurement_id,
            round,
            |p| if round == 0 { p.opening.is_some() } else { p.final_opening.is_some() },
        )
        .await
    }

    async fn add_bid_file(
        &self,
        procurement_id: i64,
        org_id: i64,
        name: &str,
        content_type: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let mut w = self.begin_write().await?;
        let (key, p) = self.bid_key(&mut w.tx, procurement_id).await?;
        require_open(&p, now)?;
        let sealed = key.seal_bytes(bytes);
        let row = sqlx::query(
            "INSERT INTO bid_files (id, procurement_id, bidder_tag, name_sealed, content_type, sealed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(random_id())
        .bind(procurement_id)
        .bind(tag(&key, org_id))
        .bind(key.seal(name))
        .bind(content_type)
        .bind(&sealed)
        .bind(ts(now))
        .fetch_one(&mut *w.tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        let after = json!({"receipt": receipt_of(&sealed), "uploaded_at": ts(now)});
        let name = self.organisation_name(&mut w.tx, org_id).await?;
        self.defer(&mut w.tx, &key, procurement_id, &bid_event(Action::BidFile, org_id, &name, procurement_id, after))
            .await?;
        w.commit().await?;
        Ok(id)
    }

    async fn bid_file(&self, procurement_id: i64, file_id: i64, reader_org: Option<i64>) -> Result<Option<BidFile>> {
        let mut conn = self.pool().acquire().await?;
        let (key, p) = self.bid_key(&mut conn, procurement_id).await?;
        let row = sqlx::query("SELECT id, bidder_tag, name_sealed, content_type, sealed FROM bid_files WHERE id = $1 AND procurement_id = $2")
            .bind(file_id)
            .bind(procurement_id)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let own =
            reader_org.is_some_and(|org| tag(&key, org) == r.try_get::<String, _>("bidder_tag").unwrap_or_default());
        if !own && p.opening.is_none() {
            return Err(sealed_refusal());
        }
        Ok(Some(BidFile {
            id: r.try_get("id")?,
            own,
            name: key.open(&r.try_get::<String, _>("name_sealed")?)?,
            content_type: r.try_get("content_type")?,
            bytes: key.open_bytes(&r.try_get::<String, _>("sealed")?)?,
        }))
    }

    async fn update_project_with_notices(
        &self,
        by: &By,
        before: &Project,
        after: &Project,
        change: &Change,
        notices: Vec<NewNotice>,
        flagging: &crate::red_flags::Flagging,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut w = self.begin_write().await?;
        self.write_project(&mut w.tx, by, before, after, change, now).await?;
        self.insert_notices(&mut w.tx, by, notices, now).await?;
        self.write_flagging(&mut w.tx, flagging, now).await?;
        w.commit().await?;
        Ok(())
    }

    async fn notices(&self) -> Result<Vec<Notice>> {
        self.fetch_all("SELECT * FROM notices ORDER BY id DESC", vec![], notice_from_row).await
    }

    async fn notice_page(&self, filter: &NoticeFilter, page: PageRequest) -> Result<Page<Notice>> {
        let mut w = Where::default();
        // A region code seeks its notices in `notice_regions`, which holds their kind and year too, so that every
        // combination of the filters is a seek; any other prefix walks the notices.
        let indexed = filter.region.as_deref().filter(|r| crate::projects::is_place_code(r));
        let under_prefix = |w: &mut Where, region: &str| {
            let range = w.prefix("r.region", region);
            w.and(format!("EXISTS (SELECT 1 FROM project_regions r WHERE r.project_id = n.project_id AND {range})"));
        };
        let words = &crate::words::NOTICE_TERMS;
        // Words lead unless the place's notices (of the kind and year asked), or all of the kind and year, are fewer.
        let lead = match &filter.q {
            Some(q) => {
                let mut listed = Vec::new();
                if let Some(kind) = filter.kind {
                    listed.push(("kind", Arg::Text(kind.code().into())));
                }
                if let Some(year) = filter.year {
                    listed.push(("year", Arg::Int(year.into())));
                }
                self.search_lead(words, q, indexed, &listed).await?
            }
            None => Lead::Words,
        };
        let in_place = |w: &mut Where| match (indexed, &filter.region) {
            (Some(code), _) => {
                let v = w.text(code);
                w.and(format!("EXISTS (SELECT 1 FROM notice_regions nr WHERE nr.notice_id = n.id AND nr.code = {v})"));
            }
            (None, Some(region)) => under_prefix(w, region),
            (None, None) => {}
        };
        let (from, id, keys) = match (&filter.q, indexed) {
            // Words: the newest notices under the query's first term that hold its other terms and every word
            // whole; a place is then checked notice by notice.
            (Some(q), _) if lead == Lead::Words => {
                crate::words::words_clauses(&mut w, q, self.is_postgres(), words, true);
                in_place(&mut w);
                ("notice_terms t JOIN notices n ON n.id = t.notice_id", "t.notice_id", "n")
            }
            // The kind's (and year's) notices, each checked for the words and the place.
            (Some(q), _) if lead == Lead::Listed => {
                crate::words::words_clauses(&mut w, q, self.is_postgres(), words, false);
                in_place(&mut w);
                ("notices n", "n.id", "n")
            }
            // The place's notices, each checked for the words.
            (q, Some(code)) => {
                if let Some(q) = q {
                    crate::words::words_clauses(&mut w, q, self.is_postgres(), words, false);
                }
                let v = w.text(code);
                w.and(format!("nr.code = {v}"));
                ("notice_regions nr JOIN notices n ON n.id = nr.notice_id", "nr.notice_id", "nr")
            }
            (_, None) => {
                if let Some(region) = &filter.region {
                    under_prefix(&mut w, region);
                }
                ("notices n", "n.id", "n")
            }
        };
        if let Some(kind) = filter.kind {
            let v = w.text(kind.code());
            w.and(format!("{keys}.kind = {v}"));
        }
        if let Some(year) = filter.year {
            let v = w.int(i64::from(year));
            w.and(format!("{keys}.year = {v}"));
        }
        project_clauses(&mut w, filter);
        let sql = format!("SELECT n.* FROM {from}{}", w.page_sql(id, page));
        let notices = self.fetch_all(&sql, w.into_args(), notice_from_row).await?;
        Ok(Page::cut(notices, page.limit, |n| n.id))
    }

    async fn notices_of_project(&self, project_id: i64) -> Result<Vec<Notice>> {
        self.fetch_all(
            "SELECT * FROM notices WHERE project_id = $1 ORDER BY id DESC",
            vec![Arg::from(project_id)],
            notice_from_row,
        )
        .await
    }

    async fn procurements_of_project(&self, project_id: i64) -> Result<Vec<Procurement>> {
        let stored = self
            .fetch_all(
                "SELECT id, version, data FROM procurements WHERE project_id = $1 ORDER BY id",
                vec![Arg::from(project_id)],
                procurement_from_row,
            )
            .await?;
        let Some(b) = &self.batch else { return Ok(stored) };
        // In a batch, each as the batch last saved it, with those it made.
        let held = lock(&b.procurements);
        let mut all: BTreeMap<i64, Procurement> = stored.into_iter().map(|p| (p.id, p)).collect();
        all.extend(held.records().filter(|p| p.project_id == project_id).map(|p| (p.id, p.clone())));
        Ok(all.into_values().collect())
    }

    async fn notice(&self, id: i64) -> Result<Option<Notice>> {
        self.fetch_optional("SELECT * FROM notices WHERE id = $1", vec![Arg::from(id)], notice_from_row).await
    }
}
