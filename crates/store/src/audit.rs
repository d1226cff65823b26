//! The audit chain in SQL: events appended under the chain's lock (or a batch's head), each with its reading
//! scope fixed as it is appended (and once for events from before scopes existed), and the chain read with the
//! scopes for the web layer to decide who reads which payload.

use chrono::{DateTime, Utc};
use serde_json::Value;
use shanzhi_domain::audit::{AuditEvent, NewEvent, Scope, GENESIS_HASH};
use shanzhi_domain::org::Organisation;
use sqlx::{AnyConnection, Row};

use crate::error::Result;
use crate::listing::Arg;
use crate::rows::{insert_rows, Opening};
use crate::sql::WriteTx;
use crate::SqlStore;
use crate::{Backend, Store};

/// The first column of the row `sql` finds for `id`, as text.
async fn text_of<'q, T>(conn: &mut AnyConnection, sql: &'q str, id: T) -> Result<Option<String>>
where
    T: 'q + Send + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    let row = sqlx::query(sql).bind(id).fetch_optional(&mut *conn).await?;
    Ok(row.and_then(|r| r.try_get::<Option<String>, _>(0).ok().flatten()))
}

/// The organisations a batch has read, by id (see [`crate::bulk::Shared`]).
pub(crate) type KnownOrgs = std::sync::Mutex<std::collections::HashMap<i64, Organisation>>;

/// An organisation's region: from the batch's organisations (`known`), which the one read here joins.
async fn org_region(conn: &mut AnyConnection, org_id: i64, known: Option<&KnownOrgs>) -> Result<Option<String>> {
    let Some(known) = known else {
        return text_of(conn, "SELECT region FROM organisations WHERE id = $1", org_id).await;
    };
    if let Some(org) = crate::bulk::lock(known).get(&org_id) {
        return Ok(org.region.clone());
    }
    let sql = format!("SELECT {} FROM organisations WHERE id = $1", crate::sql::ORG_COLUMNS);
    let Some(row) = sqlx::query(&sql).bind(org_id).fetch_optional(&mut *conn).await? else { return Ok(None) };
    let org = crate::sql::org_from_row(&row)?;
    let region = org.region.clone();
    crate::bulk::lock(known).insert(org_id, org);
    Ok(region)
}

const USER_REGION: &str = "SELECT o.region FROM users u JOIN organisations o ON o.id = u.org_id WHERE ";

/// A stored JSON record's `data` (projects, procurements).
async fn data(conn: &mut AnyConnection, sql: &str, id: &str) -> Result<Value> {
    let Ok(id) = id.parse::<i64>() else { return Ok(Value::Null) };
    Ok(text_of(conn, sql, id).await?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

/// Who may read `e`'s payload: from the kind of object, else from where the object is. `old` marks events from
/// before the chain was split, when sealed bids and interest entered the chain as they happened. A batch passes
/// the organisations it has read (`known`).
pub(crate) async fn scope_of(
    conn: &mut AnyConnection,
    e: &NewEvent,
    old: bool,
    known: Option<&KnownOrgs>,
) -> Result<Scope> {
    if let Some(s) = Scope::of_object_type(&e.object_type) {
        return Ok(s);
    }
    if old && matches!(e.action.as_str(), "procurement.interest" | "procurement.question") {
        return Ok(Scope::Sealed);
    }
    let id = e.object_id.as_str();
    let regions: Vec<String> = match e.object_type.as_str() {
        "project" => {
            let d = data(conn, "SELECT data FROM projects WHERE id = $1", id).await?;
            d["design"]["regions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(String::from))
                .collect()
        }
        "procurement" => {
            let d = data(conn, "SELECT data FROM procurements WHERE id = $1", id).await?;
            d["region"].as_str().map(String::from).into_iter().collect()
        }
        "organisation" => text_of(conn, "SELECT region FROM organisations WHERE key = $1", id.to_string())
            .await?
            .into_iter()
            .collect(),
        "user" => text_of(conn, &format!("{USER_REGION}u.username = $1"), id.to_string()).await?.into_iter().collect(),
        "expert" => match id.parse::<i64>() {
            Ok(uid) => text_of(conn, &format!("{USER_REGION}u.id = $1"), uid).await?.into_iter().collect(),
            Err(_) => vec![],
        },
        // An application for another method is its project's region's, whoever decides it.
        "method_approval" => match id.parse::<i64>() {
            Ok(aid) => {
                text_of(conn, "SELECT region FROM method_approvals WHERE id = $1", aid).await?.into_iter().collect()
            }
            Err(_) => vec![],
        },
        // Feedback is its place's, wherever it was routed.
        "feedback" => match id.parse::<i64>() {
            Ok(fid) => text_of(conn, "SELECT region FROM feedback WHERE id = $1", fid).await?.into_iter().collect(),
            Err(_) => vec![],
        },
        "budget" => {
            // A line is its department's; a grant is also the receiving department's.
            let mut orgs: Vec<i64> = e.after["to_org_id"].as_i64().into_iter().collect();
            if let Ok(line) = id.parse::<i64>() {
                let row = sqlx::query("SELECT org_id FROM budgets WHERE id = $1")
                    .bind(line)
                    .fetch_optional(&mut *conn)
                    .await?;
                orgs.extend(row.and_then(|r| r.try_get::<i64, _>(0).ok()));
            }
            let mut out = Vec::new();
            for org in orgs {
                out.extend(org_region(conn, org, known).await?);
            }
            out
        }
        // Anything else (uploaded files, records added later) belongs where the acting organisation is.
        _ => match e.org_id {
            Some(org) => org_region(conn, org, known).await?.into_iter().collect(),
            None => vec![],
        },
    };
    Ok(Scope::regions(regions.iter().map(String::as_str)))
}

/// The audit chain's lock: appends take turns (on PostgreSQL; SQLite has one writer).
pub(crate) const CHAIN_LOCK: &str = "LOCK TABLE audit_events IN EXCLUSIVE MODE";
/// The chain's last event, read after its lock.
pub(crate) const CHAIN_HEAD: &str = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1";

/// The next sequence number and the hash to link to, from the chain's last event (none: the genesis).
pub(crate) fn head_from<R: Row>(last: Option<R>) -> (i64, String)
where
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    match last {
        Some(r) => (r.get::<i64, _>(0) + 1, r.get::<String, _>(1)),
        None => (1, GENESIS_HASH.to_string()),
    }
}

/// The audit chain's columns, for [`insert_rows`].
pub(crate) const AUDIT_INSERT: &str =
    "INSERT INTO audit_events (seq, at, actor_id, actor_name, org_id, action, object_type, \
     object_id, before_json, after_json, prev_hash, hash, rule, payload_hash, scope)";

/// `event` sealed after `head` (the next sequence number and the hash to link to), and its row for
/// [`AUDIT_INSERT`].
pub(crate) fn sealed_row(
    event: NewEvent,
    scope: &Scope,
    now: DateTime<Utc>,
    head: (i64, String),
) -> (AuditEvent, Vec<Arg>) {
    let (seq, prev) = head;
    let e = AuditEvent::seal(event, seq, now, &prev);
    let row = vec![
        Arg::Int(e.seq),
        Arg::Text(e.at.clone()),
        Arg::OptInt(e.actor_id),
        Arg::Text(e.actor_name.clone()),
        Arg::OptInt(e.org_id),
        Arg::Text(e.action.clone()),
        Arg::Text(e.object_type.clone()),
        Arg::Text(e.object_id.clone()),
        Arg::Text(e.before.to_string()),
        Arg::Text(e.after.to_string()),
        Arg::Text(e.prev_hash.clone()),
        Arg::Text(e.hash.clone()),
        Arg::Int(i64::from(e.rule)),
        Arg::OptText(e.payload_hash.clone()),
        Arg::Text(scope.code()),
    ];
    (e, row)
}

impl SqlStore {
    /// Appends `event` to the chain inside the caller's transaction. On PostgreSQL the table lock makes
    /// concurrent servers take turns, so two appends can never claim the same sequence number.
    pub(crate) async fn append(
        &self,
        conn: &mut AnyConnection,
        event: NewEvent,
        now: DateTime<Utc>,
    ) -> Result<AuditEvent> {
        let scope = self.event_scope(conn, &event).await?;
        self.append_scoped(conn, event, scope, now).await
    }

    /// Who may read `event`'s payload, fixed as it is appended.
    pub(crate) async fn event_scope(&self, conn: &mut AnyConnection, event: &NewEvent) -> Result<Scope> {
        match self.held_scope(event) {
            Some(scope) => Ok(scope),
            None => scope_of(conn, event, false, self.batch.as_ref().map(|b| &*b.organisations)).await,
        }
    }

    /// Appends an event whose reading scope the caller knows from the record in hand, saving the look-up.
    pub(crate) async fn append_scoped(
        &self,
        conn: &mut AnyConnection,
        event: NewEvent,
        scope: Scope,
        now: DateTime<Utc>,
    ) -> Result<AuditEvent> {
        self.append_at(conn, event, scope, now, None).await
    }

    /// [`SqlStore::append_scoped`] after `head` (the next sequence number and the hash to link to), when the
    /// write already read it under the chain's lock.
    pub(crate) async fn append_at(
        &self,
        conn: &mut AnyConnection,
        event: NewEvent,
        scope: Scope,
        now: DateTime<Utc>,
        head: Option<(i64, String)>,
    ) -> Result<AuditEvent> {
        let head = match (self.batch.as_ref().and_then(|b| b.head()), head) {
            (Some((seq, hash)), _) => (seq + 1, hash),
            (None, Some(head)) => head,
            (None, None) => self.chain_head(conn).await?,
        };
        let (e, row) = sealed_row(event, &scope, now, head);
        match &self.batch {
            // A batch's events wait to be written many to a statement; nothing reads the chain inside a batch,
            // and the batch writes the rest before it commits.
            Some(b) => {
                b.set_head(e.seq, &e.hash);
                if let Some(rows) = b.queue_event(row) {
                    insert_rows(conn, AUDIT_INSERT, "", rows).await?;
                }
            }
            None => insert_rows(conn, AUDIT_INSERT, "", vec![row]).await?,
        }
        Ok(e)
    }

    /// The next sequence number and the hash to link to, read under the chain's lock.
    pub(crate) async fn chain_head(&self, conn: &mut AnyConnection) -> Result<(i64, String)> {
        self.chain_head_after(conn, None).await
    }

    /// [`SqlStore::chain_head`] after the write's `opening`, in the same round trip on PostgreSQL.
    pub(crate) async fn chain_head_after(
        &self,
        conn: &mut AnyConnection,
        opening: Option<Opening>,
    ) -> Result<(i64, String)> {
        let head = if self.backend() == Backend::Postgres {
            // The lock and the read in one round trip; the read's snapshot is taken after the lock is granted
            // (READ COMMITTED: a snapshot per statement), so it sees the last holder's event.
            let sql = format!("{CHAIN_LOCK}; {CHAIN_HEAD}");
            Opening::fetch_before(opening, conn, &sql).await?.into_iter().next()
        } else {
            if let Some(opening) = opening {
                opening.run(conn).await?;
            }
            sqlx::query(CHAIN_HEAD).fetch_optional(&mut *conn).await?
        };
        Ok(head_from(head))
    }

    /// Appends the write's audit event and commits both together.
    pub(crate) async fn commit_with(&self, mut w: WriteTx, event: NewEvent, now: DateTime<Utc>) -> Result<()> {
        self.append(&mut w.tx, event, now).await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Gives every event that has no scope yet (those appended before scopes existed) its scope, once.
    pub(crate) async fn fill_scopes(&self, conn: &mut AnyConnection) -> Result<()> {
        let rows =
            sqlx::query("SELECT * FROM audit_events WHERE scope IS NULL ORDER BY seq").fetch_all(&mut *conn).await?;
        for r in &rows {
            let e = crate::sql::event_from_row(r)?;
            let new = NewEvent {
                actor_id: e.actor_id,
                actor_name: e.actor_name,
                org_id: e.org_id,
                action: e.action,
                object_type: e.object_type,
                object_id: e.object_id,
                before: e.before,
                after: e.after,
            };
            let scope = scope_of(conn, &new, e.rule < 2, None).await?;
            sqlx::query("UPDATE audit_events SET scope = $1 WHERE seq = $2")
                .bind(scope.code())
                .bind(e.seq)
                .execute(&mut *conn)
                .await?;
        }
        if !rows.is_empty() {
            tracing::info!(events = rows.len(), "gave the audit events their reading scopes");
        }
        Ok(())
    }

    pub(crate) async fn chain_page(&self, after: i64, limit: i64) -> Result<Vec<(AuditEvent, Scope)>> {
        let sql = "SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2";
        self.fetch_all(sql, vec![Arg::Int(after), Arg::Int(limit)], |r| {
            let scope: Option<String> = r.try_get("scope")?;
            Ok((crate::sql::event_from_row(r)?, Scope::parse(scope.as_deref())))
        })
        .await
    }
}
