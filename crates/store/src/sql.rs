//! The SQL implementation of [`Store`], on SQLite or PostgreSQL through sqlx's runtime-checked queries.
//! Statements are written once in the SQL both backends accept (`$n` placeholders, `RETURNING`,
//! `ON CONFLICT`); where they differ (write serialisation) the backend decides.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use shanzhi_domain::audit::Action;
use shanzhi_domain::audit::{format_time, AuditEvent, NewEvent};
use shanzhi_domain::budget::{Balances, Budget, Entry, FundSource, Movement};
use shanzhi_domain::catalogue::Category;
use shanzhi_domain::org::{Actor, OrgKind, Organisation, Region, RegionLevel, Role, User, Verification};
use shanzhi_domain::standards::Standard;
use shanzhi_domain::Money;
use shanzhi_domain::{DomainError, ErrorCode};
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::connection::Timeouts;
use crate::error::{classify, Result, StoreError};
use crate::listing::Arg;
use crate::read::{Cells, Snapshot, SqliteReads};
use crate::secrets::DataKey;
use crate::{
    Backend, BudgetView, By, FileMeta, LedgerRow, NewOrganisation, NewUser, SessionKind, SessionRecord, Store,
};

#[derive(Clone)]
pub struct SqlStore {
    /// Where the store is, to open it again ([`SqlStore::reopen`]).
    pub(crate) url: Arc<str>,
    pub(crate) pool: AnyPool,
    /// On SQLite, the one connection batches write on (see [`crate::connection::pools`]).
    pub(crate) batch_pool: Option<AnyPool>,
    pub(crate) backend: Backend,
    pub(crate) key: DataKey,
    /// Wraps each procurement's bid key (see `procure`).
    pub(crate) bid_master: DataKey,
    /// SQLite allows one writer: writes in this process queue here instead of failing with SQLITE_BUSY.
    pub(crate) sqlite_writer: Arc<Mutex<()>>,
    pub(crate) timeouts: Timeouts,
    /// A batch's transaction (see [`crate::bulk`]): when set, every write goes into it.
    pub(crate) batch: Option<crate::bulk::Shared>,
    /// On a SQLite file, reads outside a transaction run on the caller's thread (see [`crate::read`]).
    pub(crate) sqlite_reads: Option<Arc<SqliteReads>>,
    /// Ids batches give to the rows they hold back, kept from one batch to the next.
    pub(crate) reserved_ids: Arc<crate::reserved_ids::Reserved>,
    /// The balances the last PostgreSQL batch left its budget lines with (see [`crate::ledger::KeptLines`]).
    pub(crate) kept_lines: Arc<crate::ledger::Kept>,
    /// The regions read so far (see [`crate::directory::KnownRegions`]).
    pub(crate) known_regions: Arc<crate::directory::KnownRegions>,
    /// The sizes of the lists searches chose between (see [`crate::words::ListSizes`]).
    pub(crate) list_sizes: Arc<crate::words::ListSizes>,
}

/// A write transaction, holding the SQLite writer slot when there is one.
pub(crate) struct WriteTx {
    pub(crate) tx: crate::bulk::Tx,
    _slot: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(crate) fn into_parts(self) -> (crate::bulk::Tx, Option<OwnedMutexGuard<()>>) {
        (self.tx, self._slot)
    }
    pub(crate) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    format_time(t)
}

pub(crate) fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("time {s}: {e}")))
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

impl SqlStore {
    /// The same store writing into `batch`.
    pub(crate) fn with_batch(&self, batch: crate::bulk::Shared) -> SqlStore {
        SqlStore { batch: Some(batch), ..self.clone() }
    }

    pub(crate) fn is_postgres(&self) -> bool {
        self.backend == Backend::Postgres
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Every row `sql` answers from committed data, decoded by `decode`.
    pub(crate) async fn fetch_all<T>(
        &self,
        sql: &str,
        args: Vec<Arg>,
        mut decode: impl FnMut(&dyn Cells) -> Result<T> + Send,
    ) -> Result<Vec<T>> {
        self.rows(sql, args, None, false, &mut decode).await
    }

    /// [`SqlStore::fetch_all`], but inside a batch from the batch's transaction, which sees what it has not
    /// committed yet.
    pub(crate) async fn fetch_all_with_batch<T>(
        &self,
        sql: &str,
        args: Vec<Arg>,
        mut decode: impl FnMut(&dyn Cells) -> Result<T> + Send,
    ) -> Result<Vec<T>> {
        self.rows(sql, args, None, true, &mut decode).await
    }

    /// The first row `sql` answers from committed data, if any.
    pub(crate) async fn fetch_optional<T>(
        &self,
        sql: &str,
        args: Vec<Arg>,
        mut decode: impl FnMut(&dyn Cells) -> Result<T> + Send,
    ) -> Result<Option<T>> {
        Ok(self.rows(sql, args, Some(1), false, &mut decode).await?.pop())
    }

    /// [`SqlStore::fetch_optional`], seeing the batch as [`SqlStore::fetch_all_with_batch`] does.
    pub(crate) async fn fetch_optional_with_batch<T>(
        &self,
        sql: &str,
        args: Vec<Arg>,
        mut decode: impl FnMut(&dyn Cells) -> Result<T> + Send,
    ) -> Result<Option<T>> {
        Ok(self.rows(sql, args, Some(1), true, &mut decode).await?.pop())
    }

    /// The row `sql` answers from committed data (an error when none).
    pub(crate) async fn fetch_one<T>(
        &self,
        sql: &str,
        args: Vec<Arg>,
        decode: impl FnMut(&dyn Cells) -> Result<T> + Send,
    ) -> Result<T> {
        self.fetch_optional(sql, args, decode).await?.ok_or_else(|| StoreError::Db(sqlx::Error::RowNotFound))
    }

    /// Several reads from one snapshot of committed data (see [`Snapshot`]).
    pub(crate) async fn snapshot(&self) -> Result<Snapshot<'_>> {
        if let Some(reads) = &self.sqlite_reads {
            return reads.snapshot();
        }
        if self.backend != Backend::Postgres {
            return Ok(Snapshot::Pool(Some(self.pool.begin().await?)));
        }
        // Each statement planned once per connection, not at every request: the statistics' statements are the
        // same for every region but for their arguments, and with the default (`auto`) PostgreSQL kept planning
        // several of them afresh at each call (a region's ledger 0.9 ms to plan against 0.4 to run); their plans
        // are by key, which a generic plan serves as well. One round trip: sqlx sends a transaction's opening
        // statement by the simple protocol, which takes a script.
        let tx = self
            .pool
            .begin_with(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL plan_cache_mode = force_generic_plan",
            )
            .await?;
        Ok(Snapshot::Pool(Some(tx)))
    }

    async fn rows<T>(
        &self,
        sql: &str,
        args: Vec<Arg>,
        limit: Option<usize>,
        with_batch: bool,
        decode: &mut (dyn FnMut(&dyn Cells) -> Result<T> + Send),
    ) -> Result<Vec<T>> {
        let in_batch = with_batch && self.batch.is_some();
        if let (Some(reads), false) = (&self.sqlite_reads, in_batch) {
            return reads.rows(sql, &args, limit, decode);
        }
        let q = crate::listing::bind_all(sqlx::query(sql), args);
        let rows = match (in_batch, limit) {
            (true, _) => q.fetch_all(&mut *self.reader().await?).await?,
            (false, Some(1)) => q.fetch_optional(&self.pool).await?.into_iter().collect(),
            (false, _) => q.fetch_all(&self.pool).await?,
        };
        rows.iter().take(limit.unwrap_or(usize::MAX)).map(|r| decode(r)).collect()
    }

    pub(crate) fn bid_master(&self) -> &DataKey {
        &self.bid_master
    }

    pub(crate) fn data_key(&self) -> &DataKey {
        &self.key
    }

    pub(crate) async fn begin_write(&self) -> Result<WriteTx> {
        if let Some(batch) = &self.batch {
            return Ok(WriteTx { tx: crate::bulk::Tx::Batch(batch.tx.clone().lock_owned().await), _slot: None });
        }
        self.begin_write_on(&self.pool).await
    }

    /// A batch's write transaction: on SQLite on the batches' own connection.
    pub(crate) async fn begin_batch_write(&self) -> Result<WriteTx> {
        match (&self.batch, &self.batch_pool) {
            (None, Some(batches)) => self.begin_write_on(batches).await,
            _ => self.begin_write().await,
        }
    }

    async fn begin_write_on(&self, pool: &AnyPool) -> Result<WriteTx> {
        crate::read::end_held_read();
        let slot = match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        // On SQLite the write lock is taken at the start, so another process writing the same file makes
        // this one wait (busy timeout) instead of failing when it upgrades from reading to writing.
        let tx = match self.backend {
            Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => pool.begin().await?,
        };
        Ok(WriteTx { tx: crate::bulk::Tx::Own(tx), _slot: slot })
    }
}

/// The budget lines' years as `y(year)`, the last row NULL: each next year the least one above the last, from the
/// index that starts with the year (neither backend skips through an index for DISTINCT by itself).
pub(crate) const LINE_YEARS: &str = "WITH RECURSIVE y(year) AS (SELECT MIN(year) FROM budgets UNION ALL \
     SELECT (SELECT MIN(b.year) FROM budgets b WHERE b.year > y.year) FROM y WHERE y.year IS NOT NULL)";

/// The whole catalogue, in its order.
pub(crate) const CATALOGUE: &str = "SELECT code, name, parent, negative FROM catalogue ORDER BY position, code";

pub(crate) fn category_from_row(r: &dyn Cells) -> Result<Category> {
    Ok(Category {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        parent: r.try_get("parent")?,
        negative: r.try_get::<i64>("negative")? != 0,
    })
}

pub(crate) fn region_from_row(r: &dyn Cells) -> Result<Region> {
    let level: String = r.try_get("level")?;
    Ok(Region {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        level: RegionLevel::parse(&level).ok_or_else(|| StoreError::Corrupt(format!("region level {level}")))?,
        urban: r.try_get::<i64>("urban")? != 0,
        parent: r.try_get("parent")?,
    })
}

pub(crate) fn org_from_row(r: &dyn Cells) -> Result<Organisation> {
    let kind: String = r.try_get("kind")?;
    let verification: String = r.try_get("verification")?;
    Ok(Organisation {
        id: r.try_get("id")?,
        key: r.try_get("key")?,
        name: r.try_get("name")?,
        kind: OrgKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("organisation kind {kind}")))?,
        uscc: r.try_get("uscc")?,
        resident_id_masked: r.try_get("resident_id_masked")?,
        region: r.try_get("region")?,
        parent_id: r.try_get("parent_id")?,
        class_one: r.try_get::<i64>("class_one")? != 0,
        active: r.try_get::<i64>("active")? != 0,
        contact: r.try_get("contact")?,
        verification: Verification::parse(&verification)
            .ok_or_else(|| StoreError::Corrupt(format!("organisation verification {verification}")))?,
        barred_until: r
            .try_get::<Option<String>>("barred_until")?
            .map(|d| d.parse().map_err(|e| StoreError::Corrupt(format!("organisation barred_until {d}: {e}"))))
            .transpose()?,
    })
}

pub(crate) fn parse_roles(s: &str) -> Result<Vec<Role>> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| Role::parse(x).ok_or_else(|| StoreError::Corrupt(format!("role {x}"))))
        .collect()
}

pub(crate) fn user_from_row(r: &dyn Cells) -> Result<User> {
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        org_id: r.try_get("org_id")?,
        roles: parse_roles(&r.try_get::<String>("roles")?)?,
        supervisor_region: r.try_get("supervisor_region")?,
        active: r.try_get::<i64>("active")? != 0,
    })
}

/// What [`actor_from_row`] reads of a user (`u`) joined by [`ACTOR_JOINS`] to their organisation and its region.
pub(crate) const ACTOR_COLUMNS: &str = "u.id, u.username, u.display_name, u.org_id, u.roles, u.supervisor_region, \
     u.active, o.name AS org_name, o.kind AS org_kind, o.verification, r.level AS org_level";
pub(crate) const ACTOR_JOINS: &str = "JOIN organisations o ON o.id = u.org_id LEFT JOIN regions r ON r.code = o.region";

/// The user as they act; `None` for a disabled user, who has no actor.
pub(crate) fn actor_from_row(r: &dyn Cells) -> Result<Option<Actor>> {
    let user = user_from_row(r)?;
    if !user.active {
        return Ok(None);
    }
    let kind: String = r.try_get("org_kind")?;
    Ok(Some(Actor {
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        org_id: user.org_id,
        org_name: r.try_get("org_name")?,
        org_kind: OrgKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("organisation kind {kind}")))?,
        // Users of a self-registered organisation that civil affairs has not verified may sign in to see
        // where their registration stands, and do nothing else: they act with no roles.
        roles: if r.try_get::<String>("verification")? == Verification::Verified.code() { user.roles } else { vec![] },
        supervisor_region: user.supervisor_region,
        org_level: r.try_get::<Option<String>>("org_level")?.as_deref().and_then(RegionLevel::parse),
    }))
}

pub(crate) fn event_from_row(r: &dyn Cells) -> Result<AuditEvent> {
    let json = |col: &str| -> Result<Value> {
        let s: String = r.try_get(col)?;
        serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("audit {col}: {e}")))
    };
    Ok(AuditEvent {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor_id: r.try_get("actor_id")?,
        actor_name: r.try_get("actor_name")?,
        org_id: r.try_get("org_id")?,
        action: r.try_get("action")?,
        object_type: r.try_get("object_type")?,
        object_id: r.try_get("object_id")?,
        before: json("before_json")?,
        after: json("after_json")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
        rule: u8::try_from(r.try_get::<i64>("rule")?).map_err(|_| StoreError::Corrupt("audit rule".into()))?,
        payload_hash: r.try_get("payload_hash")?,
    })
}

pub(crate) fn ledger_from_row(r: &dyn Cells) -> Result<LedgerRow> {
    let m: String = r.try_get("movement")?;
    Ok(LedgerRow {
        id: r.try_get("id")?,
        budget_id: r.try_get("budget_id")?,
        movement: Movement::parse(&m).ok_or_else(|| StoreError::Corrupt(format!("ledger movement {m}")))?,
        amount: Money::from_fen(r.try_get("amount_fen")?),
        project_id: r.try_get("project_id")?,
        actor_id: r.try_get("actor_id")?,
        at: r.try_get("at")?,
    })
}

pub(crate) const BUDGET_COLUMNS: &str = "id, year, org_id, source, donor, granted_from, note";

pub(crate) fn budget_from_row(r: &dyn Cells) -> Result<Budget> {
    let source: String = r.try_get("source")?;
    Ok(Budget {
        id: r.try_get("id")?,
        year: r.try_get::<i64>("year")? as i32,
        org_id: r.try_get("org_id")?,
        source: FundSource::parse(&source).ok_or_else(|| StoreError::Corrupt(format!("fund source {source}")))?,
        donor: r.try_get("donor")?,
        granted_from: r.try_get("granted_from")?,
        note: r.try_get("note")?,
    })
}

pub(crate) fn session_from_row(r: &dyn Cells) -> Result<SessionRecord> {
    let kind: String = r.try_get("kind")?;
    Ok(SessionRecord {
        user_id: r.try_get("user_id")?,
        kind: if kind == "api" { SessionKind::Api } else { SessionKind::Web },
        label: r.try_get("label")?,
        csrf: r.try_get("csrf")?,
        created_at: parse_ts(&r.try_get::<String>("created_at")?)?,
        expires_at: parse_ts(&r.try_get::<String>("expires_at")?)?,
    })
}

fn file_from_row(r: &dyn Cells) -> Result<FileMeta> {
    Ok(FileMeta {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        storage_key: r.try_get("storage_key")?,
        owner_org_id: r.try_get("owner_org_id")?,
        uploaded_by: r.try_get("uploaded_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) const ORG_COLUMNS: &str =
    "id, key, name, kind, uscc, resident_id_masked, region, parent_id, class_one, active, contact, verification, \
     barred_until";
pub(crate) const USER_COLUMNS: &str = "id, username, display_name, org_id, roles, supervisor_region, active";

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    async fn check(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    async fn regions(&self) -> Result<Vec<Region>> {
        self.fetch_all("SELECT code, name, level, urban, parent FROM regions ORDER BY code", vec![], region_from_row)
            .await
    }

    async fn add_region(&self, by: &By, region: &Region, now: DateTime<Utc>) -> Result<()> {
        if let Some(parent) = &region.parent {
            if !region.code.starts_with(parent.as_str()) || region.code == *parent {
                return Err(DomainError::field(
                    "code",
                    ErrorCode::RegionCodeNotUnderParent,
                    "区划代码须以上级区划代码开头",
                    "a region's code must extend its parent's",
                )
                .into());
            }
            let above = crate::Directory::region(self, parent).await?;
            if above.is_some_and(|above| !region.level.may_lie_under(above.level)) {
                return Err(DomainError::field(
                    "level",
                    ErrorCode::RegionLevelNotUnderParent,
                    "区划层级须低于上级区划（村、社区之下没有区划）",
                    "a region's level must be below its parent's (nothing lies under a village)",
                )
                .into());
            }
        }
        let event = by.event(
            Action::RegionCreate,
            "region",
            &region.code,
            Value::Null,
            serde_json::to_value(region).unwrap_or_default(),
        );
        let r = region.clone();
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO regions (code, name, level, urban, parent) VALUES ($1, $2, $3, $4, $5)")
            .bind(&r.code)
            .bind(&r.name)
            .bind(r.level.code())
            .bind(flag(r.urban))
            .bind(&r.parent)
            .execute(&mut *w.tx)
            .await
            .map_err(classify)?;
        self.append(&mut w.tx, event, now).await?;
        // After the event, as every writer of the statistics' totals does (see `statistics::write_contribution`).
        if r.level == RegionLevel::Township {
            crate::statistics::refresh_within(&mut w.tx, &r.code).await?;
        }
        w.commit().await
    }

    async fn organisations(&self) -> Result<Vec<Organisation>> {
        self.fetch_all(&format!("SELECT {ORG_COLUMNS} FROM organisations ORDER BY id"), vec![], org_from_row).await
    }

    async fn organisation(&self, id: i64) -> Result<Option<Organisation>> {
        // A batch reads each organisation once: its play asks for the same providers again and again.
        if let Some(org) = self.batch.as_ref().and_then(|b| crate::bulk::lock(&b.organisations).get(&id).cloned()) {
            return Ok(Some(org));
        }
        let sql = format!("SELECT {ORG_COLUMNS} FROM organisations WHERE id = $1");
        let org = self.fetch_optional_with_batch(&sql, vec![Arg::Int(id)], org_from_row).await?;
        if let (Some(b), Some(org)) = (&self.batch, &org) {
            crate::bulk::lock(&b.organisations).insert(id, org.clone());
        }
        Ok(org)
    }

    async fn organisation_by_uscc(&self, uscc: &str) -> Result<Option<Organisation>> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organisations WHERE uscc = $1");
        self.fetch_optional(&sql, vec![Arg::Text(uscc.to_string())], org_from_row).await
    }

    async fn organisation_by_key(&self, key: &str) -> Result<Option<Organisation>> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organisations WHERE key = $1");
        self.fetch_optional(&sql, vec![Arg::Text(key.to_string())], org_from_row).await
    }

    async fn add_organisation(&self, by: &By, org: NewOrganisation, now: DateTime<Utc>) -> Result<Organisation> {
        // The audit record names the organisation but never carries the ID number.
        let after = serde_json::json!({"key": org.key, "name": org.name, "kind": org.kind.code(), "uscc": org.uscc, "active": org.active});
        let event = by.event(Action::OrganisationCreate, "organisation", &org.key, Value::Null, after);
        let id = {
            let mut w = self.begin_write().await?;
            let out = self.insert_organisation(&mut w.tx, &org, now).await?;
            self.commit_with(w, event, now).await?;
            out
        };
        self.organisation(id).await?.ok_or(StoreError::Corrupt("inserted organisation vanished".into()))
    }

    async fn reveal_resident_id(&self, org_id: i64) -> Result<Option<String>> {
        let row = sqlx::query("SELECT resident_id_enc FROM organisations WHERE id = $1")
            .bind(org_id)
            .fetch_optional(&self.pool)
            .await?;
        match row.and_then(|r| r.get::<Option<String>, _>(0)) {
            Some(sealed) => Ok(Some(self.key.open(&sealed)?)),
            None => Ok(None),
        }
    }

    async fn catalogue(&self) -> Result<Vec<Category>> {
        self.fetch_all(CATALOGUE, vec![], category_from_row).await
    }

    async fn add_category(&self, by: &By, cat: &Category, now: DateTime<Utc>) -> Result<()> {
        let event = by.event(
            Action::CatalogueCreate,
            "category",
            &cat.code,
            Value::Null,
            serde_json::to_value(cat).unwrap_or_default(),
        );
        let cat = cat.clone();
        let mut w = self.begin_write().await?;
        let position: i64 = sqlx::query("SELECT COUNT(*) FROM catalogue").fetch_one(&mut *w.tx).await?.get(0);
        sqlx::query("INSERT INTO catalogue (code, name, parent, negative, position) VALUES ($1, $2, $3, $4, $5)")
            .bind(&cat.code)
            .bind(&cat.name)
            .bind(&cat.parent)
            .bind(flag(cat.negative))
            .bind(position)
            .execute(&mut *w.tx)
            .await
            .map_err(classify)?;
        self.commit_with(w, event, now).await
    }

    async fn users(&self) -> Result<Vec<User>> {
        self.fetch_all(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"), vec![], user_from_row).await
    }

    async fn user(&self, id: i64) -> Result<Option<User>> {
        self.fetch_optional(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
            vec![Arg::Int(id)],
            user_from_row,
        )
        .await
    }

    async fn add_user(&self, by: &By, user: NewUser, now: DateTime<Utc>) -> Result<User> {
        let roles: Vec<&str> = user.roles.iter().map(|r| r.code()).collect();
        let roles = roles.join(",");
        let after = serde_json::json!({"username": user.username, "org_id": user.org_id, "roles": roles, "supervisor_region": user.supervisor_region});
        let event = by.event(Action::UserCreate, "user", &user.username, Value::Null, after);
        let username = user.username.clone();
        {
            let mut w = self.begin_write().await?;
            self.insert_user(&mut w.tx, &user, now).await?;
            self.commit_with(w, event, now).await?;
        };
        let (u, _) =
            self.user_credentials(&username).await?.ok_or(StoreError::Corrupt("inserted user vanished".into()))?;
        Ok(u)
    }

    async fn user_credentials(&self, username: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1");
        self.fetch_optional_with_batch(&sql, vec![Arg::Text(username.to_string())], |r| {
            Ok((user_from_row(r)?, r.try_get("password_hash")?))
        })
        .await
    }

    async fn actor(&self, user_id: i64) -> Result<Option<Actor>> {
        let sql = format!("SELECT {ACTOR_COLUMNS} FROM users u {ACTOR_JOINS} WHERE u.id = $1");
        Ok(self.fetch_optional(&sql, vec![Arg::Int(user_id)], actor_from_row).await?.flatten())
    }

    async fn create_session(&self, by: &By, token_hash: &str, s: &SessionRecord, now: DateTime<Utc>) -> Result<()> {
        let after = serde_json::json!({"kind": s.kind.code(), "label": s.label, "expires_at": ts(s.expires_at)});
        // The object id is a prefix of the token's hash: enough to tell sessions apart, useless to replay.
        let event = by.event(Action::SessionCreate, "session", &token_hash[..12], Value::Null, after);
        let (hash, s) = (token_hash.to_string(), s.clone());
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, kind, label, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&hash)
                    .bind(s.user_id)
                    .bind(s.kind.code())
                    .bind(&s.label)
                    .bind(&s.csrf)
                    .bind(ts(s.created_at))
                    .bind(ts(s.expires_at))
                    .execute(&mut *w.tx)
                    .await
                    .map_err(classify)?;
        self.commit_with(w, event, now).await
    }

    async fn end_session(&self, by: &By, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
        let event =
            by.event(Action::SessionEnd, "session", &token_hash[..12.min(token_hash.len())], Value::Null, Value::Null);
        let hash = token_hash.to_string();
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&hash).execute(&mut *w.tx).await?;
        self.commit_with(w, event, now).await
    }

    async fn live_sessions(&self, user_id: i64, now: DateTime<Utc>) -> Result<Vec<(String, SessionRecord)>> {
        let sql = "SELECT token_hash, user_id, kind, label, csrf, created_at, expires_at FROM sessions \
                   WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC";
        self.fetch_all(sql, vec![Arg::Int(user_id), Arg::Text(ts(now))], |r| {
            Ok((r.try_get("token_hash")?, session_from_row(r)?))
        })
        .await
    }

    async fn budget(&self, id: i64) -> Result<Option<BudgetView>> {
        let mut conn = self.reader().await?;
        let Some(budget) = self.budget_in(&mut conn, id).await? else { return Ok(None) };
        let balances = self.balances_in(&mut conn, &[id], false).await?.remove(&id).unwrap_or_default();
        Ok(Some(BudgetView { budget, balances }))
    }

    async fn budget_years(&self) -> Result<Vec<i32>> {
        let sql = format!("{LINE_YEARS} SELECT CAST(year AS BIGINT) AS year FROM y WHERE year IS NOT NULL");
        self.fetch_all(&sql, vec![], |r| Ok(r.try_get::<i64>("year")? as i32)).await
    }

    async fn budgets(&self) -> Result<Vec<BudgetView>> {
        let sql = format!("SELECT {BUDGET_COLUMNS} FROM budgets ORDER BY year, org_id, id");
        let budgets = self.fetch_all(&sql, vec![], budget_from_row).await?;
        let sums = "SELECT budget_id, movement, CAST(SUM(amount_fen) AS BIGINT) AS total FROM ledger GROUP BY budget_id, movement";
        let totals: BTreeMap<(i64, String), i64> = self
            .fetch_all(sums, vec![], |r| Ok(((r.try_get("budget_id")?, r.try_get("movement")?), r.try_get("total")?)))
            .await?
            .into_iter()
            .collect();
        Ok(budgets
            .into_iter()
            .map(|budget| {
                let id = budget.id;
                let balances =
                    Balances::from_totals(|m| Money::from_fen(*totals.get(&(id, m.code().to_string())).unwrap_or(&0)));
                BudgetView { budget, balances }
            })
            .collect())
    }

    async fn add_budget(&self, by: &By, budget: Budget, amount: Money, now: DateTime<Utc>) -> Result<BudgetView> {
        let after = serde_json::json!({"year": budget.year, "org_id": budget.org_id, "source": budget.source.code(), "donor": budget.donor, "amount": amount});
        let mut w = self.begin_write().await?;
        let row = sqlx::query("INSERT INTO budgets (year, org_id, source, donor, granted_from, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(i64::from(budget.year))
            .bind(budget.org_id)
            .bind(budget.source.code())
            .bind(&budget.donor)
            .bind(budget.granted_from)
            .bind(&budget.note)
            .bind(ts(now))
            .fetch_one(&mut *w.tx)
            .await
            .map_err(classify)?;
        let id: i64 = row.get(0);
        let entry = Entry { budget_id: id, movement: Movement::Allocate, amount, project_id: None };
        let event = by.event(Action::BudgetAllocate, "budget", &id.to_string(), Value::Null, after);
        self.write_ledger_and_commit(w, &[entry], by.user_id, now, event).await?;
        self.budget_view(id).await
    }

    async fn grant(
        &self,
        by: &By,
        from: i64,
        to_org: i64,
        amount: Money,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<BudgetView> {
        let mut w = self.begin_write().await?;
        let source = self.budget_in(&mut w.tx, from).await?.ok_or_else(|| {
            StoreError::from(DomainError::field(
                "budget_id",
                ErrorCode::UnknownBudget,
                "预算不存在",
                "no such budget line",
            ))
        })?;
        if source.org_id == to_org {
            return Err(DomainError::field(
                "to_org_id",
                ErrorCode::GrantToSelf,
                "不能转拨给本单位",
                "a department cannot grant to itself",
            )
            .into());
        }
        let existing = sqlx::query("SELECT id FROM budgets WHERE org_id = $1 AND granted_from = $2")
            .bind(to_org)
            .bind(from)
            .fetch_optional(&mut *w.tx)
            .await?;
        let to = match existing {
            Some(r) => r.get::<i64, _>(0),
            None => sqlx::query("INSERT INTO budgets (year, org_id, source, donor, granted_from, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                .bind(i64::from(source.year))
                .bind(to_org)
                .bind(source.source.code())
                .bind(&source.donor)
                .bind(from)
                .bind(note)
                .bind(ts(now))
                .fetch_one(&mut *w.tx)
                .await
                .map_err(classify)?
                .get::<i64, _>(0),
        };
        let entries = [
            Entry { budget_id: from, movement: Movement::GrantOut, amount, project_id: None },
            Entry { budget_id: to, movement: Movement::GrantIn, amount, project_id: None },
        ];
        let after = serde_json::json!({"from": from, "to": to, "to_org_id": to_org, "amount": amount, "note": note});
        let event = by.event(Action::BudgetGrant, "budget", &from.to_string(), Value::Null, after);
        self.write_ledger_and_commit(w, &entries, by.user_id, now, event).await?;
        self.budget_view(to).await
    }

    async fn ledger(&self, budget_id: Option<i64>) -> Result<Vec<LedgerRow>> {
        match budget_id {
            Some(id) => {
                self.fetch_all(
                    "SELECT * FROM ledger WHERE budget_id = $1 ORDER BY id",
                    vec![Arg::Int(id)],
                    ledger_from_row,
                )
                .await
            }
            None => self.fetch_all("SELECT * FROM ledger ORDER BY id", vec![], ledger_from_row).await,
        }
    }

    async fn standards(&self) -> Result<Vec<Standard>> {
        let sql = "SELECT code, name, unit, max_unit_price_fen, note FROM standards ORDER BY code";
        self.fetch_all(sql, vec![], |r| {
            Ok(Standard {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                unit: r.try_get("unit")?,
                max_unit_price: Money::from_fen(r.try_get("max_unit_price_fen")?),
                note: r.try_get("note")?,
            })
        })
        .await
    }

    async fn set_standard(&self, by: &By, standard: &Standard, now: DateTime<Utc>) -> Result<()> {
        let before = self.standards().await?.into_iter().find(|s| s.code == standard.code);
        let event = by.event(
            Action::StandardSet,
            "standard",
            &standard.code,
            serde_json::to_value(&before).unwrap_or_default(),
            serde_json::to_value(standard).unwrap_or_default(),
        );
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO standards (code, name, unit, max_unit_price_fen, note, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, unit = excluded.unit, \
             max_unit_price_fen = excluded.max_unit_price_fen, note = excluded.note, updated_at = excluded.updated_at",
        )
        .bind(&standard.code)
        .bind(&standard.name)
        .bind(&standard.unit)
        .bind(standard.max_unit_price.fen())
        .bind(&standard.note)
        .bind(ts(now))
        .execute(&mut *w.tx)
        .await
        .map_err(classify)?;
        self.commit_with(w, event, now).await
    }

    async fn add_file(&self, by: &By, meta: FileMeta, now: DateTime<Utc>) -> Result<FileMeta> {
        let after = serde_json::json!({"name": meta.name, "size": meta.size, "sha256": meta.sha256, "content_type": meta.content_type});
        let event = by.event(Action::FileUpload, "file", &meta.sha256[..16], Value::Null, after);
        let mut meta = meta;
        meta.created_at = ts(now);
        let m = meta.clone();
        let id = {
            let mut w = self.begin_write().await?;
            let out = {
                let row = sqlx::query(
                        "INSERT INTO files (name, content_type, size, sha256, storage_key, owner_org_id, uploaded_by, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(&m.name)
                    .bind(&m.content_type)
                    .bind(m.size)
                    .bind(&m.sha256)
                    .bind(&m.storage_key)
                    .bind(m.owner_org_id)
                    .bind(m.uploaded_by)
                    .bind(&m.created_at)
                    .fetch_one(&mut *w.tx)
                    .await
                    .map_err(classify)?;
                row.get::<i64, _>(0)
            };
            self.commit_with(w, event, now).await?;
            out
        };
        meta.id = id;
        Ok(meta)
    }

    async fn file(&self, id: i64) -> Result<Option<FileMeta>> {
        let sql = "SELECT id, name, content_type, size, sha256, storage_key, owner_org_id, uploaded_by, created_at \
                   FROM files WHERE id = $1";
        self.fetch_optional(sql, vec![Arg::Int(id)], file_from_row).await
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        let sql = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1";
        self.fetch_optional(sql, vec![], |r| Ok((r.try_get("seq")?, r.try_get("hash")?))).await
    }

    async fn audit_events(&self, after: i64, limit: i64) -> Result<Vec<AuditEvent>> {
        let sql = "SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2";
        self.fetch_all(sql, vec![Arg::Int(after), Arg::Int(limit)], event_from_row).await
    }

    async fn audit_for_object(&self, object_type: &str, object_id: &str) -> Result<Vec<AuditEvent>> {
        let sql = "SELECT * FROM audit_events WHERE object_type = $1 AND object_id = $2 ORDER BY seq";
        let args = vec![Arg::Text(object_type.to_string()), Arg::Text(object_id.to_string())];
        self.fetch_all(sql, args, event_from_row).await
    }

    async fn audit_chain(&self, after: i64, limit: i64) -> Result<Vec<(AuditEvent, shanzhi_domain::audit::Scope)>> {
        self.chain_page(after, limit).await
    }

    async fn append_audit(&self, event: NewEvent, now: DateTime<Utc>) -> Result<AuditEvent> {
        let mut w = self.begin_write().await?;
        let e = self.append(&mut w.tx, event, now).await?;
        w.tx.commit().await?;
        Ok(e)
    }

    async fn setting(&self, key: &str) -> Result<Option<String>> {
        self.fetch_optional("SELECT value FROM settings WHERE key = $1", vec![Arg::from(key)], |r| r.try_get("value"))
            .await
    }

    async fn set_setting(&self, by: &By, key: &str, value: &str, now: DateTime<Utc>) -> Result<()> {
        let event = by.event(Action::SettingSet, "setting", key, Value::Null, Value::String(value.into()));
        let (k, v) = (key.to_string(), value.to_string());
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(&k)
        .bind(&v)
        .execute(&mut *w.tx)
        .await?;
        self.commit_with(w, event, now).await
    }

    async fn register_provider(
        &self,
        by: &By,
        org: NewOrganisation,
        user: NewUser,
        now: DateTime<Utc>,
    ) -> Result<crate::Registration> {
        self.pool_register_provider(by, org, user, now).await
    }

    async fn registration_page(
        &self,
        state: Option<shanzhi_domain::org::Verification>,
        page: crate::PageRequest,
    ) -> Result<crate::Page<crate::Registration>> {
        self.pool_registration_page(state, page).await
    }

    async fn registration(&self, org_id: i64) -> Result<Option<crate::Registration>> {
        Ok(self.pool_registrations(Some(org_id)).await?.pop())
    }

    async fn decide_registration(
        &self,
        by: &By,
        org_id: i64,
        decision: &crate::RegistrationDecision,
        now: DateTime<Utc>,
    ) -> Result<crate::Registration> {
        self.pool_decide_registration(by, org_id, decision, now).await
    }

    async fn experts(&self) -> Result<Vec<shanzhi_domain::committee::Expert>> {
        Ok(self.pool_entries(None, true).await?.into_iter().map(|e| e.expert).collect())
    }

    async fn experts_covering(&self, category: &str) -> Result<Vec<shanzhi_domain::committee::Expert>> {
        self.pool_covering(category).await
    }

    async fn expert(&self, user_id: i64) -> Result<Option<shanzhi_domain::committee::Expert>> {
        Ok(self.pool_entries(Some(user_id), true).await?.pop().map(|e| e.expert))
    }

    async fn expert_pool(&self) -> Result<Vec<crate::ExpertEntry>> {
        self.pool_entries(None, false).await
    }

    async fn expert_pool_page(&self, page: crate::PageRequest) -> Result<crate::Page<crate::ExpertEntry>> {
        self.pool_page(page).await
    }

    async fn expert_entry(&self, user_id: i64) -> Result<Option<crate::ExpertEntry>> {
        Ok(self.pool_entries(Some(user_id), false).await?.pop())
    }

    async fn add_expert(
        &self,
        by: &By,
        expert: &shanzhi_domain::committee::Expert,
        new_user: Option<NewUser>,
        now: DateTime<Utc>,
    ) -> Result<crate::ExpertEntry> {
        self.pool_add_expert(by, expert, new_user, now).await
    }

    async fn update_expert(
        &self,
        by: &By,
        expert: &shanzhi_domain::committee::Expert,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<crate::ExpertEntry> {
        self.pool_update_expert(by, expert, active, now).await
    }

    async fn latest_change(&self) -> Result<Option<DateTime<Utc>>> {
        SqlStore::latest_change(self).await
    }
}
