//! Budgets as users meet them: who may see and manage which lines, shared by the API and the pages.

use serde::{Deserialize, Serialize};
use shanzhi_domain::budget::{Budget, FundSource, FundingLine};
use shanzhi_domain::error::Problems;
use shanzhi_domain::org::{Actor, Role};
use shanzhi_domain::standards::Standard;
use shanzhi_domain::visibility::BudgetScope;
use shanzhi_domain::{DomainError, ErrorCode, Money};
use shanzhi_store::{BudgetFilter, BudgetView, Page, PageRequest};

use shanzhi_store::By;
use utoipa::ToSchema;

use crate::{App, Error, Result};

fn manages_all(actor: &Actor) -> bool {
    actor.has(Role::Admin) || (actor.is_finance_reviewer())
}

/// One page of the budget lines `actor` may see (see `shanzhi_domain::visibility::may_see_budget`) that match
/// `filter`: finance and the administrator all; a supervisor those of departments seated in its region subtree;
/// a department its own.
pub async fn budget_page(
    app: &App,
    actor: &Actor,
    filter: &BudgetFilter,
    page: PageRequest,
) -> Result<Page<BudgetView>> {
    Ok(app.store.budget_page(&BudgetScope::of(actor), filter, page).await?)
}

/// The balances of every line `actor` may see that match `filter`, summed in the database (a page's totals
/// without reading every line).
pub async fn totals(app: &App, actor: &Actor, filter: &BudgetFilter) -> Result<shanzhi_domain::budget::Balances> {
    Ok(app.store.budget_totals(&BudgetScope::of(actor), filter).await?)
}

/// One budget line, if `actor` may see it.
pub async fn seen_line(app: &App, actor: &Actor, id: i64) -> Result<BudgetView> {
    let filter = BudgetFilter { id: Some(id), ..BudgetFilter::default() };
    let page = app.store.budget_page(&BudgetScope::of(actor), &filter, PageRequest::first(1)).await?;
    page.items.into_iter().next().ok_or(Error::Domain(DomainError::NotFound { what: "budget" }))
}

/// The budget lines `actor` may see that match `filter` (the budgets page: a year's lines, of one department or
/// fund source when asked, every page of them).
pub async fn visible(app: &App, actor: &Actor, filter: BudgetFilter) -> Result<Vec<BudgetView>> {
    lines(app, actor, filter).await
}

/// The lines of department `org_id` (its own and those granted to it) that `actor` may see: what a
/// department's purchaser draws on.
pub async fn lines_of(app: &App, actor: &Actor, org_id: i64) -> Result<Vec<BudgetView>> {
    lines(app, actor, BudgetFilter { org_id: Some(org_id), ..BudgetFilter::default() }).await
}

/// Every page of the lines `actor` may see that match `filter`, by department and id.
async fn lines(app: &App, actor: &Actor, filter: BudgetFilter) -> Result<Vec<BudgetView>> {
    let scope = BudgetScope::of(actor);
    let mut out = Vec::new();
    let mut page = PageRequest::first(shanzhi_store::listing::MAX_LIMIT);
    loop {
        let got = app.store.budget_page(&scope, &filter, page).await?;
        out.extend(got.items);
        match got.next {
            Some(before) => page.before = Some(before),
            None => break,
        }
    }
    out.sort_by_key(|b| (b.budget.org_id, b.budget.id));
    Ok(out)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BudgetRequest {
    pub year: i32,
    pub org_id: i64,
    #[schema(value_type = FundSource)]
    pub source: String,
    #[schema(value_type = Money)]
    pub amount: String,
    #[serde(default)]
    pub donor: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// A yuan amount that must also be above zero (budgets, grants, funding lines, standards).
fn parse_amount(p: &mut Problems, field: &str, s: &str) -> Money {
    let m = crate::projects::parse_money(p, field, s);
    if m.fen() <= 0 && !p.has_field(field) {
        p.add(field, ErrorCode::AmountNotPositive, "金额必须大于 0", "the amount must be above 0");
    }
    m
}

/// Allocates a new budget line: finance or an administrator, for a purchasing department.
pub async fn add(app: &App, actor: &Actor, req: BudgetRequest) -> Result<BudgetView> {
    if !manages_all(actor) {
        return Err(Error::forbidden("add_budget"));
    }
    let mut p = Problems::default();
    let source = FundSource::parse(req.source.trim());
    if source.is_none() {
        p.add("source", ErrorCode::UnknownFundSource, "资金来源不正确", "unknown fund source");
    }
    if !(2000..=2100).contains(&req.year) {
        p.add(
            "year",
            ErrorCode::InvalidYear,
            "预算年度须在 2000 至 2100 年之间",
            "the fiscal year must be between 2000 and 2100",
        );
    }
    let amount = parse_amount(&mut p, "amount", &req.amount);
    match app.store.organisation(req.org_id).await? {
        Some(o) if o.kind.is_purchasing_department() => {}
        _ => p.add(
            "org_id",
            ErrorCode::NotADepartment,
            "预算只能下达给购买主体（政府部门）",
            "budgets go to purchasing departments",
        ),
    }
    let donor = req.donor.map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
    if source == Some(FundSource::SocialFunds) && donor.is_none() {
        p.add("donor", ErrorCode::DonorRequired, "社会资金须写明捐赠方", "social funds need the donor's name");
    }
    p.into_result()?;
    let budget = Budget {
        id: 0,
        year: req.year,
        org_id: req.org_id,
        source: source.unwrap_or(FundSource::Other),
        donor,
        granted_from: None,
        note: req.note.trim().to_string(),
    };
    Ok(app.store.add_budget(&By::actor(actor), budget, amount, app.clock.now()).await?)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct GrantRequest {
    pub to_org_id: i64,
    #[schema(value_type = Money)]
    pub amount: String,
    #[serde(default)]
    pub note: String,
}

/// Grants part of a budget line to another department: finance, an administrator, or the line's own purchaser.
pub async fn grant(app: &App, actor: &Actor, from: i64, req: GrantRequest) -> Result<BudgetView> {
    let mut p = Problems::default();
    let amount = parse_amount(&mut p, "amount", &req.amount);
    match app.store.organisation(req.to_org_id).await? {
        Some(o) if o.kind.is_purchasing_department() => {}
        _ => p.add(
            "to_org_id",
            ErrorCode::NotADepartment,
            "只能转拨给购买主体（政府部门）",
            "grants go to purchasing departments",
        ),
    }
    // No line chosen is a form left unfilled, said with the form's other problems; a line named is looked up.
    if from <= 0 {
        p.add("budget_id", ErrorCode::Required, "请选择转出的预算", "choose the line to grant from");
        return Err(p.into_error().into());
    }
    let line = seen_line(app, actor, from).await.map_err(|_| Error::not_found())?;
    let own = actor.has(Role::Purchaser) && line.budget.org_id == actor.org_id;
    if !(manages_all(actor) || own) {
        return Err(Error::forbidden("grant"));
    }
    p.into_result()?;
    Ok(app.store.grant(&By::actor(actor), from, req.to_org_id, amount, req.note.trim(), app.clock.now()).await?)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct FundingLineRequest {
    pub budget_id: i64,
    #[schema(value_type = Money)]
    pub amount: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct FundingRequest {
    pub lines: Vec<FundingLineRequest>,
}

impl FundingRequest {
    /// Resolves budget ids to the purchaser's own lines; anything else is refused field by field.
    pub async fn into_lines(self, app: &App, purchaser_org: i64) -> Result<Vec<FundingLine>> {
        let mut p = Problems::default();
        let mut out = Vec::new();
        for (i, l) in self.lines.iter().enumerate() {
            let amount = parse_amount(&mut p, &format!("funding[{i}].amount"), &l.amount);
            match app.store.budget(l.budget_id).await? {
                Some(b) if b.budget.org_id == purchaser_org => out.push(FundingLine {
                    budget_id: b.budget.id,
                    year: b.budget.year,
                    source: b.budget.source,
                    amount,
                }),
                _ => p.add(
                    format!("funding[{i}].budget_id"),
                    ErrorCode::BudgetNotYours,
                    "只能使用本单位的预算（含其他部门转拨的资金）",
                    "use your own department's budget lines (including grants to it)",
                ),
            }
        }
        p.into_result()?;
        Ok(out)
    }
}

/// The ledger of one line, newest first, one page, for those who may see the line.
pub async fn ledger(app: &App, actor: &Actor, id: i64, page: PageRequest) -> Result<Page<shanzhi_store::LedgerRow>> {
    seen_line(app, actor, id).await?;
    Ok(app.store.ledger_page(id, page).await?)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct StandardRequest {
    pub name: String,
    pub unit: String,
    #[schema(value_type = Money)]
    pub max_unit_price: String,
    #[serde(default)]
    pub note: String,
}

/// Adds or changes a spending standard: finance or an administrator.
pub async fn set_standard(app: &App, actor: &Actor, code: &str, req: StandardRequest) -> Result<Standard> {
    if !manages_all(actor) {
        return Err(Error::forbidden("set_standard"));
    }
    let mut p = Problems::default();
    let code = code.trim();
    if code.is_empty() || code.len() > 40 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        p.add(
            "code",
            ErrorCode::InvalidCode,
            "编码须为字母、数字或下划线",
            "the code must be letters, digits or underscores",
        );
    }
    if req.name.trim().is_empty() {
        p.add("name", ErrorCode::Required, "请填写标准名称", "enter the standard's name");
    }
    if req.unit.trim().is_empty() {
        p.add("unit", ErrorCode::Required, "请填写计量单位", "enter the unit");
    }
    let max_unit_price = parse_amount(&mut p, "max_unit_price", &req.max_unit_price);
    p.into_result()?;
    let standard = Standard {
        code: code.to_string(),
        name: req.name.trim().to_string(),
        unit: req.unit.trim().to_string(),
        max_unit_price,
        note: req.note.trim().to_string(),
    };
    app.store.set_standard(&By::actor(actor), &standard, app.clock.now()).await?;
    Ok(standard)
}

/// A fiscal year as the budgets page and `GET /fiscal-years` show it: closed or not, by whom and when.
#[derive(Debug, Clone, Serialize)]
pub struct FiscalYearView {
    pub year: i32,
    pub closed: bool,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub closed_by: Option<String>,
}

/// Every year that has budget lines or was closed, oldest first. Which years are closed is no secret:
/// every department needs to know which money can still be planned.
pub async fn fiscal_years(app: &App, actor: &Actor) -> Result<Vec<FiscalYearView>> {
    if !shanzhi_domain::visibility::may_read_fiscal_years(actor) {
        return Err(Error::forbidden("read_fiscal_years"));
    }
    let closed = app.store.closed_years().await?;
    let mut years: Vec<i32> = app.store.budget_years().await?;
    years.extend(closed.iter().map(|c| c.year));
    years.sort_unstable();
    years.dedup();
    Ok(years
        .into_iter()
        .map(|year| {
            let c = closed.iter().find(|c| c.year == year);
            FiscalYearView {
                year,
                closed: c.is_some(),
                closed_at: c.map(|c| c.closed_at),
                closed_by: c.map(|c| c.closed_by_name.clone()),
            }
        })
        .collect())
}

/// Finance closes a fiscal year that has ended (年终结账); no more money is reserved, allocated or granted from it.
pub async fn close_year(app: &App, actor: &Actor, year: i32) -> Result<FiscalYearView> {
    let closed: Vec<i32> = app.store.closed_years().await?.iter().map(|c| c.year).collect();
    let today = shanzhi_domain::clock::china_date(app.clock.now());
    shanzhi_domain::fiscal::check_close(actor, year, today, &closed)?;
    let c = app.store.close_fiscal_year(&By::actor(actor), year, app.clock.now()).await?;
    Ok(FiscalYearView { year, closed: true, closed_at: Some(c.closed_at), closed_by: Some(c.closed_by_name) })
}
