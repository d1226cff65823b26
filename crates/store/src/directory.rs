//! Organisations and users as lists: filtered and paged in SQL, with what the reader may list in the WHERE clause.

use std::collections::HashMap;
use std::sync::RwLock;

use async_trait::async_trait;
use shanzhi_domain::org::{OrgKind, Organisation, Region, RegionLevel, Role, User, Verification};

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};

use crate::error::{classify, Result};
use crate::listing::{Arg, Page, PageRequest, Where};
use crate::sql::{flag, org_from_row, region_from_row, ts, user_from_row, ORG_COLUMNS, USER_COLUMNS};
use crate::{NewOrganisation, NewUser, SqlStore};

/// What an organisation list is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganisationFilter {
    /// Verified organisations and this one only (what anyone but the administrator lists).
    pub verified_or: Option<i64>,
    pub kind: Option<OrgKind>,
    /// Any of these kinds (none: any kind); with `kind`, both must hold.
    pub kinds: Vec<OrgKind>,
    /// Active organisations only.
    pub active_only: bool,
    /// Only organisations that may provide purchased services (see [`Organisation::is_eligible_provider`]).
    pub eligible_providers: bool,
    /// A region and everything under it.
    pub region: Option<String>,
}

/// The regions this process has read, by code. A region is never changed or removed once added (the store has no
/// such write), so a row read once stays true for every server sharing the database, and a place another server
/// adds is read when first asked for. Only rows read outside a batch are kept: a batch may still roll back. Which
/// places lie under a place can grow, so children are always read. Bounded by the regions table (a province's
/// tens of thousands of places, a few megabytes).
#[derive(Debug, Default)]
pub(crate) struct KnownRegions(RwLock<HashMap<String, Region>>);

impl KnownRegions {
    fn get(&self, code: &str) -> Option<Region> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).get(code).cloned()
    }

    fn keep<'a>(&self, regions: impl IntoIterator<Item = &'a Region>) {
        let mut known = self.0.write().unwrap_or_else(|e| e.into_inner());
        for r in regions {
            known.entry(r.code.clone()).or_insert_with(|| r.clone());
        }
    }
}

impl SqlStore {
    /// Keeps `regions` as read, unless they were read in a batch, which may still roll back.
    fn remember_regions<'a>(&self, regions: impl IntoIterator<Item = &'a Region>) {
        if self.batch.is_none() {
            self.known_regions.keep(regions);
        }
    }
}

/// The places of `found` from the top down to `code`, each the parent of the next; `None` when they do not reach
/// `code`.
fn path_to(found: &[Region], code: &str) -> Option<Vec<Region>> {
    let mut path: Vec<Region> = Vec::new();
    while path.len() < found.len() {
        let Some(next) = found.iter().find(|r| r.parent.as_deref() == path.last().map(|p| p.code.as_str())) else {
            break;
        };
        path.push(next.clone());
    }
    path.last().is_some_and(|r| r.code == code).then_some(path)
}

/// What a user list is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub org_id: Option<i64>,
    pub role: Option<Role>,
    /// Only these users (none: any).
    pub ids: Vec<i64>,
}

#[async_trait]
pub trait Directory {
    async fn organisation_page(&self, filter: &OrganisationFilter, page: PageRequest) -> Result<Page<Organisation>>;
    async fn user_page(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>>;
    /// One region by its code, without reading the others.
    async fn region(&self, code: &str) -> Result<Option<Region>>;
    /// The regions directly under `parent` (the top level when `None`), in code order.
    async fn region_children(&self, parent: Option<&str>) -> Result<Vec<Region>>;
    /// The place `code` and the places above it, top first (a place's code begins with its parent's), with the
    /// places directly under it in code order, in one read; no path and the top level when `code` is `None` or
    /// names no place.
    async fn region_path_and_children(&self, code: Option<&str>) -> Result<(Vec<Region>, Vec<Region>)>;
}

#[async_trait]
impl Directory for SqlStore {
    async fn organisation_page(&self, filter: &OrganisationFilter, page: PageRequest) -> Result<Page<Organisation>> {
        let mut w = Where::default();
        if let Some(own) = filter.verified_or {
            let (verified, own) = (w.text(Verification::Verified.code()), w.int(own));
            w.and(format!("(verification = {verified} OR id = {own})"));
        }
        if let Some(kind) = filter.kind {
            let v = w.text(kind.code());
            w.and(format!("kind = {v}"));
        }
        let mut kinds = filter.kinds.clone();
        if filter.eligible_providers {
            // Providers of the kinds asked for, or of any provider kind.
            let asked: &[OrgKind] = if kinds.is_empty() { OrgKind::ALL } else { &filter.kinds };
            kinds = asked.iter().copied().filter(|k| k.is_provider_kind()).collect();
            let verified = w.text(Verification::Verified.code());
            w.and(format!("class_one = 0 AND active = 1 AND verification = {verified}"));
        }
        if !kinds.is_empty() || filter.eligible_providers {
            let codes: Vec<String> = kinds.iter().map(|k| w.text(k.code())).collect();
            // No kind left (e.g. providers among departments) matches nothing.
            w.and(if codes.is_empty() { "1 = 0".to_string() } else { format!("kind IN ({})", codes.join(", ")) });
        }
        if filter.active_only {
            w.and("active = 1".to_string());
        }
        if let Some(root) = &filter.region {
            // By the `(region, id)` index (migrations 31 and 34).
            let c = w.subtree(crate::Store::backend(self), "region", root);
            w.and(c);
        }
        let sql = format!("SELECT {ORG_COLUMNS} FROM organisations{}", w.page_sql("id", page));
        let items = self.fetch_all(&sql, w.into_args(), org_from_row).await?;
        Ok(Page::cut(items, page.limit, |o| o.id))
    }

    async fn region(&self, code: &str) -> Result<Option<Region>> {
        if let Some(known) = self.known_regions.get(code) {
            return Ok(Some(known));
        }
        let found = self
            .fetch_optional(
                "SELECT code, name, level, urban, parent FROM regions WHERE code = $1",
                vec![Arg::from(code)],
                region_from_row,
            )
            .await?;
        self.remember_regions(&found);
        Ok(found)
    }

    async fn region_children(&self, parent: Option<&str>) -> Result<Vec<Region>> {
        let columns = "SELECT code, name, level, urban, parent FROM regions";
        match parent {
            Some(p) => {
                let sql = format!("{columns} WHERE parent = $1 ORDER BY code");
                self.fetch_all(&sql, vec![Arg::from(p)], region_from_row).await
            }
            None => {
                let sql = format!("{columns} WHERE parent IS NULL ORDER BY code");
                self.fetch_all(&sql, vec![], region_from_row).await
            }
        }
    }

    async fn region_path_and_children(&self, code: Option<&str>) -> Result<(Vec<Region>, Vec<Region>)> {
        let codes: Vec<String> =
            code.map(|c| crate::projects::place_codes(&[c.to_string()])).unwrap_or_default().into_iter().collect();
        let Some(code) = code.filter(|_| !codes.is_empty()) else {
            return Ok((Vec::new(), self.region_children(None).await?));
        };
        // A path read before is known: only the children are read.
        let known: Option<Vec<Region>> = codes.iter().map(|c| self.known_regions.get(c)).collect();
        if let Some(path) = known.as_deref().and_then(|k| path_to(k, code)) {
            // Nothing lies under a village (`RegionLevel::may_lie_under`, checked when a place is added).
            let under = path.last().is_some_and(|r| r.level != RegionLevel::Village);
            let children = if under { self.region_children(Some(code)).await? } else { Vec::new() };
            return Ok((path, children));
        }
        // One look-up by key for each level rather than an IN list, which SQLite answers through a temporary index
        // it builds and drops at every execution (a notices page filtered by place spent 12.5 % of its time here
        // under load, then 9.9 %), and the children in the same statement.
        let mut w = Where::default();
        let columns = "SELECT code, name, level, urban, parent FROM regions";
        let params: Vec<String> = codes.iter().map(|c| w.text(c)).collect();
        let chosen = params.last().cloned().unwrap_or_default();
        let sql = params
            .iter()
            .map(|c| format!("{columns} WHERE code = {c}"))
            .chain([format!("{columns} WHERE parent = {chosen}")])
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let found: Vec<Region> = self.fetch_all(&sql, w.into_args(), region_from_row).await?;
        self.remember_regions(&found);
        // A child's parent is the place chosen, which no place on its path has.
        let (mut children, found): (Vec<Region>, Vec<Region>) =
            found.into_iter().partition(|r| r.parent.as_deref() == Some(code));
        let Some(path) = path_to(&found, code) else {
            return Ok((Vec::new(), self.region_children(None).await?));
        };
        children.sort_by(|a, b| a.code.cmp(&b.code));
        Ok((path, children))
    }

    async fn user_page(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>> {
        let mut w = Where::default();
        if let Some(org) = filter.org_id {
            let v = w.int(org);
            w.and(format!("org_id = {v}"));
        }
        if !filter.ids.is_empty() {
            let ids: Vec<String> = filter.ids.iter().map(|id| w.int(*id)).collect();
            w.and(format!("id IN ({})", ids.join(", ")));
        }
        if let Some(role) = filter.role {
            // Roles are a comma-separated list of codes.
            let v = w.text(&format!("%,{},%", role.code()));
            w.and(format!("(',' || roles || ',') LIKE {v}"));
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM users{}", w.page_sql("id", page));
        let items = self.fetch_all(&sql, w.into_args(), user_from_row).await?;
        Ok(Page::cut(items, page.limit, |u| u.id))
    }
}

impl SqlStore {
    /// Inserts an organisation inside the caller's transaction; an individual's resident ID is stored
    /// encrypted and masked, never in plain text.
    pub(crate) async fn insert_organisation(
        &self,
        conn: &mut AnyConnection,
        org: &NewOrganisation,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let masked = org.resident_id.as_ref().map(|r| r.masked());
        let sealed = org.resident_id.as_ref().map(|r| self.data_key().seal(r.as_str()));
        let row = sqlx::query(
            "INSERT INTO organisations (key, name, kind, uscc, resident_id_enc, resident_id_masked, region, parent_id, class_one, active, contact, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(&org.key)
        .bind(&org.name)
        .bind(org.kind.code())
        .bind(&org.uscc)
        .bind(&sealed)
        .bind(&masked)
        .bind(&org.region)
        .bind(org.parent_id)
        .bind(flag(org.class_one))
        .bind(flag(org.active))
        .bind(&org.contact)
        .bind(ts(now))
        .fetch_one(&mut *conn)
        .await
        .map_err(classify)?;
        Ok(row.get::<i64, _>(0))
    }

    /// Inserts a user inside the caller's transaction.
    pub(crate) async fn insert_user(
        &self,
        conn: &mut AnyConnection,
        user: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let roles: Vec<&str> = user.roles.iter().map(|r| r.code()).collect();
        let row = sqlx::query(
            "INSERT INTO users (username, display_name, org_id, roles, supervisor_region, password_hash, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
        )
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(user.org_id)
        .bind(roles.join(","))
        .bind(&user.supervisor_region)
        .bind(&user.password_hash)
        .bind(ts(now))
        .fetch_one(&mut *conn)
        .await
        .map_err(classify)?;
        Ok(row.get::<i64, _>(0))
    }
}
