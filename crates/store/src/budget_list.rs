//! Budget lines and their ledgers as lists: filtered and paged in SQL, the reader's [`BudgetScope`] in the WHERE
//! clause, and the balances of the page's lines only, from the ledger's per-line sums.

use async_trait::async_trait;
use std::collections::BTreeMap;

use shanzhi_domain::budget::{Balances, FundSource, Movement};
use shanzhi_domain::visibility::BudgetScope;
use shanzhi_domain::Money;

use crate::error::{Result, StoreError};
use crate::listing::{Page, PageRequest, Where};
use crate::sql::{budget_from_row, BUDGET_COLUMNS};
use crate::{BudgetView, LedgerRow, SqlStore};

/// What a budget list is narrowed to; every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetFilter {
    /// One line by its id.
    pub id: Option<i64>,
    pub year: Option<i32>,
    pub org_id: Option<i64>,
    pub source: Option<FundSource>,
}

#[async_trait]
pub trait BudgetLists {
    /// The budget lines `scope` may see that match `filter`, newest first, with their balances.
    async fn budget_page(
        &self,
        scope: &BudgetScope,
        filter: &BudgetFilter,
        page: PageRequest,
    ) -> Result<Page<BudgetView>>;
    /// The balances of every line `scope` may see that match `filter`, summed in the database.
    async fn budget_totals(&self, scope: &BudgetScope, filter: &BudgetFilter) -> Result<Balances>;
    /// One line's ledger, newest first.
    async fn ledger_page(&self, budget_id: i64, page: PageRequest) -> Result<Page<LedgerRow>>;
}

#[async_trait]
impl BudgetLists for SqlStore {
    async fn budget_page(
        &self,
        scope: &BudgetScope,
        filter: &BudgetFilter,
        page: PageRequest,
    ) -> Result<Page<BudgetView>> {
        let mut w = Where::default();
        lines_where(&mut w, scope, filter);
        let columns = BUDGET_COLUMNS.split(", ").map(|c| format!("b.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT {columns} FROM budgets b{}", w.page_sql("b.id", page));
        let budgets = self.fetch_all(&sql, w.into_args(), budget_from_row).await?;
        let ids: Vec<i64> = budgets.iter().map(|b| b.id).collect();
        let mut balances = self.committed_balances(&ids).await?;
        let views = budgets
            .into_iter()
            .map(|budget| BudgetView { balances: balances.remove(&budget.id).unwrap_or_default(), budget })
            .collect();
        Ok(Page::cut(views, page.limit, |b| b.budget.id))
    }

    async fn budget_totals(&self, scope: &BudgetScope, filter: &BudgetFilter) -> Result<Balances> {
        let mut w = Where::default();
        lines_where(&mut w, scope, filter);
        // Balances are sums of movements, so the lines' balances add up to the balances of their movements' sums.
        let sql = format!(
            "SELECT t.movement, CAST(SUM(t.amount_fen) AS BIGINT) AS total FROM budgets b \
             JOIN statistics_ledger_totals t ON t.budget_id = b.id{} GROUP BY t.movement",
            w.sql()
        );
        let rows = self
            .fetch_all(&sql, w.into_args(), |r| {
                let m: String = r.try_get("movement")?;
                let m = Movement::parse(&m).ok_or_else(|| StoreError::Corrupt(format!("ledger movement {m}")))?;
                Ok((m, Money::from_fen(r.try_get("total")?)))
            })
            .await?;
        let totals: BTreeMap<Movement, Money> = rows.into_iter().collect();
        Ok(Balances::from_totals(|m| totals.get(&m).copied().unwrap_or(Money::ZERO)))
    }

    async fn ledger_page(&self, budget_id: i64, page: PageRequest) -> Result<Page<LedgerRow>> {
        let mut w = Where::default();
        let v = w.int(budget_id);
        w.and(format!("budget_id = {v}"));
        let sql = format!("SELECT * FROM ledger{}", w.page_sql("id", page));
        let items = self.fetch_all(&sql, w.into_args(), crate::sql::ledger_from_row).await?;
        Ok(Page::cut(items, page.limit, |l| l.id))
    }
}

/// The lines `scope` may see that match `filter`, as clauses on `budgets b`.
fn lines_where(w: &mut Where, scope: &BudgetScope, filter: &BudgetFilter) {
    if !scope.everything {
        let org = w.int(scope.org_id);
        let mut any = vec![format!("b.org_id = {org}")];
        if let Some(root) = &scope.region {
            let range = w.starts_with("o.region", root);
            any.push(format!("EXISTS (SELECT 1 FROM organisations o WHERE o.id = b.org_id AND {range})"));
        }
        w.and(format!("({})", any.join(" OR ")));
    }
    if let Some(id) = filter.id {
        let v = w.int(id);
        w.and(format!("b.id = {v}"));
    }
    if let Some(year) = filter.year {
        let v = w.int(i64::from(year));
        w.and(format!("b.year = {v}"));
    }
    if let Some(org) = filter.org_id {
        let v = w.int(org);
        w.and(format!("b.org_id = {v}"));
    }
    if let Some(source) = filter.source {
        let v = w.text(source.code());
        w.and(format!("b.source = {v}"));
    }
}
