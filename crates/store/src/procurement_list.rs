//! Procurements as lists and work queues: the columns they filter on ([`Procurement::facts`]) written with the
//! record, and queries that carry the reader's [`Scope`] in their WHERE clause.

use async_trait::async_trait;
use shanzhi_domain::procurement::{holder_bit, Facts, Holder, Method, Procurement, Scope, Stage};
use sqlx::AnyConnection;

use crate::error::Result;
use crate::listing::{Arg, Page, PageRequest, Where};
use crate::procure::procurement_from_row;
use crate::rows::insert_rows;
use crate::SqlStore;

/// What a procurement list is narrowed to; every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcurementFilter {
    pub stage: Option<Stage>,
    pub method: Option<Method>,
    /// A region and everything under it.
    pub region: Option<String>,
    pub purchaser: Option<i64>,
    /// Only those with a duty the deadline sweep has marked overdue and nobody has done yet.
    pub overdue: bool,
}

/// Whose work a procurement queue looks for: the kinds of holder the reader is, and its ties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// Runs procurements of this organisation (a purchaser's staff).
    pub purchaser_org_id: Option<i64>,
    /// Runs procurements entrusted to this agency.
    pub agency_org_id: Option<i64>,
    /// A finance reviewer: decides complaints.
    pub finance: bool,
    /// Sits on committees as this user.
    pub member_user_id: i64,
}

#[async_trait]
pub trait ProcurementLists {
    /// The procurements `scope` may see that match `filter`, newest first; with `published`, every procurement
    /// past its draft too (what providers may bid for).
    async fn procurement_page(
        &self,
        scope: &Scope,
        published: bool,
        filter: &ProcurementFilter,
        page: PageRequest,
    ) -> Result<Page<Procurement>>;
    /// Procurements where someone `holding` may hold a duty, newest first: a superset of the holder's duties.
    async fn awaiting_procurements(&self, holding: &Holding, page: PageRequest) -> Result<Page<Procurement>>;
    /// Procurements whose committee `user_id` sits on and that are not decided yet, newest first.
    async fn member_procurements(&self, user_id: i64, page: PageRequest) -> Result<Page<Procurement>>;
}

const COLUMNS: &str = "q.id, q.version, q.data";

pub(crate) const MEMBERS_INSERT: &str = "INSERT INTO procurement_members (user_id, procurement_id)";

/// The rows of `procurement_members` for `p`: who sits on its committee or handles it, once each.
pub(crate) fn member_rows(p: &Procurement) -> Vec<Vec<Arg>> {
    let mut members = p.facts().members;
    members.sort_unstable();
    members.dedup();
    members.into_iter().map(|user_id| vec![Arg::Int(user_id), Arg::Int(p.id)]).collect()
}

impl SqlStore {
    /// Writes a procurement's list columns, and its committee members when they changed from `before`'s, in the
    /// caller's transaction. Without `before` the procurement is new or was never listed (filled by migration
    /// 14): either way it has no member rows yet, which are only ever written here with its list columns.
    pub(crate) async fn write_procurement_facts(
        &self,
        conn: &mut AnyConnection,
        p: &Procurement,
        before: Option<&Procurement>,
    ) -> Result<()> {
        // A procurement the batch made is written whole, members and all, at the commit.
        if self.batch.as_ref().is_some_and(|b| crate::bulk::lock(&b.bids).holds(p.id)) {
            return Ok(());
        }
        let f = p.facts();
        let was = before.map(|b| (b.facts(), b.method));
        let columns = |f: &Facts| (f.region.clone(), f.switch_requested, f.awaits);
        // Most saves change none of them: a stage's work within the stage. A batch writes them with the record.
        let changed = was.as_ref().is_none_or(|(w, method)| (columns(w), *method) != (columns(&f), p.method));
        if changed && self.batch.is_none() {
            sqlx::query(
                "UPDATE procurements SET region = $1, method = $2, switch_requested = $3, awaits = $4 WHERE id = $5",
            )
            .bind(&f.region)
            .bind(p.method.code())
            .bind(i64::from(f.switch_requested))
            .bind(i64::from(f.awaits))
            .bind(p.id)
            .execute(&mut *conn)
            .await?;
        }
        if was.is_some_and(|(w, _)| w.members == f.members) {
            return Ok(());
        }
        if before.is_some() {
            sqlx::query("DELETE FROM procurement_members WHERE procurement_id = $1")
                .bind(p.id)
                .execute(&mut *conn)
                .await?;
        }
        insert_rows(conn, MEMBERS_INSERT, "", member_rows(p)).await
    }

    /// Fills the list columns of procurements stored before they existed (migration 14).
    pub(crate) async fn fill_procurement_facts(&self, conn: &mut AnyConnection) -> Result<()> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM procurements q WHERE q.region = '' ORDER BY q.id"))
            .fetch_all(&mut *conn)
            .await?;
        for r in &rows {
            let p = procurement_from_row(r)?;
            if !p.region.is_empty() {
                self.write_procurement_facts(conn, &p, None).await?;
            }
        }
        Ok(())
    }

    async fn procurements_where(&self, mut w: Where, page: PageRequest) -> Result<Page<Procurement>> {
        let sql = format!("SELECT {COLUMNS} FROM procurements q{}", w.page_sql("q.id", page));
        let items = self.fetch_all(&sql, w.into_args(), procurement_from_row).await?;
        Ok(Page::cut(items, page.limit, |p| p.id))
    }
}

/// The procurements whose committee `user_id` sits on: a set read from the members' key (`user_id` first), so a
/// person on no committee costs a seek, where a correlated EXISTS walked every procurement looking for them.
fn member(w: &mut Where, user_id: i64) -> String {
    let v = w.int(user_id);
    format!("q.id IN (SELECT m.procurement_id FROM procurement_members m WHERE m.user_id = {v})")
}

#[async_trait]
impl ProcurementLists for SqlStore {
    async fn procurement_page(
        &self,
        scope: &Scope,
        published: bool,
        filter: &ProcurementFilter,
        page: PageRequest,
    ) -> Result<Page<Procurement>> {
        let mut w = Where::default();
        if !scope.everything {
            let org = w.int(scope.purchaser_org_id);
            let mut any = vec![format!("q.purchaser_org_id = {org}")];
            if let Some(agency) = scope.agency_org_id {
                let v = w.int(agency);
                any.push(format!("q.agency_org_id = {v}"));
            }
            if scope.switch_requested {
                any.push("q.switch_requested = 1".into());
            }
            any.push(member(&mut w, scope.member_user_id));
            if let Some(root) = &scope.region {
                any.push(w.prefix("q.region", root));
            }
            if published {
                let draft = w.text(Stage::Draft.code());
                any.push(format!("q.stage <> {draft}"));
            }
            w.and(format!("({})", any.join(" OR ")));
        }
        if let Some(stage) = filter.stage {
            let v = w.text(stage.code());
            w.and(format!("q.stage = {v}"));
        }
        if let Some(method) = filter.method {
            let v = w.text(method.code());
            w.and(format!("q.method = {v}"));
        }
        if let Some(root) = &filter.region {
            let c = w.prefix("q.region", root);
            w.and(c);
        }
        if let Some(org) = filter.purchaser {
            let v = w.int(org);
            w.and(format!("q.purchaser_org_id = {v}"));
        }
        if filter.overdue {
            w.and(
                "EXISTS (SELECT 1 FROM overdue_duties o WHERE o.procurement_id = q.id AND o.resolved_at IS NULL)"
                    .into(),
            );
        }
        self.procurements_where(w, page).await
    }

    async fn awaiting_procurements(&self, holding: &Holding, page: PageRequest) -> Result<Page<Procurement>> {
        let mut w = Where::default();
        let (purchaser, finance, committee) =
            (holder_bit(Holder::Purchaser), holder_bit(Holder::Finance), holder_bit(Holder::Committee));
        let mut any = Vec::new();
        for (column, org) in
            [("q.purchaser_org_id", holding.purchaser_org_id), ("q.agency_org_id", holding.agency_org_id)]
        {
            if let Some(org) = org {
                let v = w.int(org);
                any.push(format!("((q.awaits & {purchaser}) <> 0 AND {column} = {v})"));
            }
        }
        if holding.finance {
            any.push(format!("(q.awaits & {finance}) <> 0"));
        }
        let m = member(&mut w, holding.member_user_id);
        any.push(format!("((q.awaits & {committee}) <> 0 AND {m})"));
        w.and("q.awaits <> 0".into());
        w.and(format!("({})", any.join(" OR ")));
        self.procurements_where(w, page).await
    }

    async fn member_procurements(&self, user_id: i64, page: PageRequest) -> Result<Page<Procurement>> {
        let mut w = Where::default();
        let m = member(&mut w, user_id);
        w.and(m);
        let (awarded, failed) = (w.text(Stage::Awarded.code()), w.text(Stage::Failed.code()));
        w.and(format!("q.stage NOT IN ({awarded}, {failed})"));
        self.procurements_where(w, page).await
    }
}
