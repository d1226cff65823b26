//! Budgets: every line with what is available, reserved, committed and paid, by year; finance allocates
//! lines and anyone who manages a line may grant part of it to another department.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use chrono::Datelike;
use maud::{html, Markup};
use shanzhi_app::{BudgetFilter, BudgetView};
use shanzhi_domain::budget::{Balances, FundSource};
use shanzhi_domain::org::Role;
use shanzhi_domain::ErrorCode;

use super::forms::{self, error_summary, plain, Errors, Form, Kind};
use super::layout::page;
use super::project_view::Refs;
use super::{error_page, fatal, render, see_other, OrPage, Page, Posted, SignedIn};
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;
use shanzhi_app::budgets::{self as rules, BudgetRequest, FiscalYearView, GrantRequest};
use shanzhi_app::directory::Offer;

fn may_allocate(user: &SignedIn) -> bool {
    let a = &user.session.actor;
    a.has(Role::Admin) || (a.is_finance_reviewer())
}

/// `?year=`, a budget year from 2000 to 2100 (else `invalid_year`); this year in China when not given.
fn year_of(asked: Option<&str>, state: &AppState) -> Result<i32, crate::error::AppError> {
    let asked = crate::export::parse_year(asked)?;
    Ok(asked.unwrap_or_else(|| shanzhi_domain::clock::china_date(state.clock.now()).year()))
}

/// The fiscal years, closed or open, and for finance the form that closes one that has ended (年终结账).
fn fiscal_years(user: &SignedIn, years: &[FiscalYearView], today: i32, form: &Form, errors: &Errors) -> Markup {
    let lang = user.lang;
    let mut closable = vec![(String::new(), lang.t("请选择年度", "Choose the year").to_string())];
    closable.extend(
        years
            .iter()
            .filter(|y| !y.closed && y.year < today)
            .map(|y| (y.year.to_string(), format!("{}{}", y.year, lang.t("年度", "")))),
    );
    html! {
        h2 #fiscal-years { (lang.t("财政年度", "Fiscal years")) }
        p.hint { (lang.t(
            "财政部门在年度结束后关账；已关账年度的预算不能再审核预留、下达或转拨，已签订合同的款项照常支付。",
            "Finance closes a year once it has ended; a closed year's budgets can no longer be reserved, allocated or granted, while what contracts committed is still paid.",
        )) }
        div.table-wrap { table.table.table--stack {
            thead { tr {
                th scope="col" { (lang.t("年度", "Year")) } th scope="col" { (lang.t("状态", "Status")) }
                th scope="col" { (lang.t("关账", "Closed")) }
            } }
            tbody { @for y in years { tr {
                td data-label=(lang.t("年度", "Year")) { a href={"/budgets?year=" (y.year)} { (y.year) } }
                td data-label=(lang.t("状态", "Status")) {
                    @if y.closed { strong.tag.tag--grey { (lang.t("已关账", "Closed")) } }
                    @else { strong.tag.tag--green { (lang.t("开放", "Open")) } }
                }
                td data-label=(lang.t("关账", "Closed")) {
                    @if let (Some(at), Some(by)) = (y.closed_at, &y.closed_by) { (lang.datetime(at)) " · " (by) }
                }
            } } }
        } }
        @if may_allocate(user) && closable.len() > 1 {
            form method="post" action="/budgets/fiscal-years/close" novalidate {
                (forms::csrf(&user.session))
                (forms::select("fiscal_year", lang.t("关账年度", "Year to close"),
                    Some(lang.t("关账后不能恢复。", "A closed year stays closed.")),
                    &plain(closable), form.get("fiscal_year"), errors.get("fiscal_year")))
                (forms::confirm_box("fiscal_year_confirm",
                    lang.t("我确认关闭该财政年度，关账后不能恢复", "I confirm: close this fiscal year; this cannot be undone"),
                    errors.get("fiscal_year_confirm")))
                div.button-group { button.btn.btn--warning type="submit" { (lang.t("关闭财政年度", "Close the fiscal year")) } }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn budgets_page(
    user: &SignedIn,
    refs: &Refs,
    filter: &BudgetFilter,
    page_of: &Lines,
    years: &[FiscalYearView],
    today: i32,
    form: &Form,
    errors: &Errors,
) -> Markup {
    let shell = user.shell();
    let lang = shell.lang;
    let year = filter.year.unwrap_or(today);
    let title = lang.t("预算", "Budgets");
    // The year links keep the department and fund source chosen.
    let kept: String = filter
        .org_id
        .map(|o| format!("&org={o}"))
        .into_iter()
        .chain(filter.source.map(|s| format!("&source={}", s.code())))
        .collect();
    let (lines, totals) = (page_of.shown, &page_of.totals);
    let departments: Vec<(String, String)> = refs
        .orgs
        .iter()
        .filter(|o| o.kind.is_purchasing_department())
        .map(|o| (o.id.to_string(), o.name.clone()))
        .collect();
    let mut dept_choices = vec![(String::new(), lang.t("请选择部门", "Choose the department").to_string())];
    dept_choices.extend(departments.iter().cloned());
    let sources: Vec<(String, String)> = FundSource::ALL
        .iter()
        .map(|s| (s.code().to_string(), lang.t(s.label_zh(), s.label_en()).to_string()))
        .collect();
    let e = |k: &str| errors.get(k);
    let name = |id: i64| refs.orgs.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_default();
    // Finance chooses among every department; anyone else among those whose lines they see, and no other's name.
    let choosable: Vec<(String, String)> = if may_allocate(user) {
        departments.clone()
    } else {
        let seen: std::collections::BTreeSet<i64> =
            lines.iter().chain(page_of.grantable).map(|b| b.budget.org_id).collect();
        seen.into_iter().map(|id| (id.to_string(), name(id))).collect()
    };
    let grantable = page_of.grantable;
    let mut from_choices =
        vec![(String::new(), lang.t("请选择转出的预算", "Choose the line to grant from").to_string())];
    from_choices.extend(grantable.iter().map(|b| {
        let source = lang.t(b.budget.source.label_zh(), b.budget.source.label_en());
        let label = format!(
            "#{} {} {} · {} {}",
            b.budget.id,
            name(b.budget.org_id),
            source,
            lang.t("可用", "available"),
            lang.money(b.balances.available)
        );
        (b.budget.id.to_string(), label)
    }));
    let body = html! {
        (error_summary(lang, errors))
        span.caption { (lang.t("无预算不购买", "No budget, no purchase")) }
        h1.page-title { (title) " " (year) }
        p {
            @if year > 2000 { a href={"/budgets?year=" (year - 1) (kept)} { "← " (year - 1) } }
            @if year > 2000 && year < 2100 { " · " }
            @if year < 2100 { a href={"/budgets?year=" (year + 1) (kept)} { (year + 1) " →" } }
        }
        form.no-print method="get" action="/budgets" {
            input type="hidden" name="year" value=(year);
            div.field {
                label for="filter-org" { (lang.t("部门", "Department")) }
                select #filter-org name="org" {
                    option value="" { (lang.t("全部", "All")) }
                    @for (id, name) in &choosable {
                        option value=(id) selected[filter.org_id.map(|o| o.to_string()).as_ref() == Some(id)] { (name) }
                    }
                }
            }
            div.field {
                label for="filter-source" { (lang.t("资金来源", "Fund source")) }
                select #filter-source name="source" {
                    option value="" { (lang.t("全部", "All")) }
                    @for (code, label) in &sources {
                        option value=(code) selected[filter.source.map(FundSource::code) == Some(code.as_str())] { (label) }
                    }
                }
            }
            div.button-group { button.btn.btn--secondary type="submit" { (lang.t("筛选", "Filter")) } }
        }
        div.cards {
            div.card { p.card__title { (lang.t("可用", "Available")) } p.card__value { (lang.money(totals.available)) } }
            div.card { p.card__title { (lang.t("审核预留", "Reserved")) } p.card__value { (lang.money(totals.reserved)) } }
            div.card { p.card__title { (lang.t("合同承诺", "Committed")) } p.card__value { (lang.money(totals.committed)) } }
            div.card { p.card__title { (lang.t("已支付", "Paid")) } p.card__value { (lang.money(totals.paid)) } }
        }
        @if lines.is_empty() {
            p.muted { (lang.t("本年度没有可查看的预算。", "No budget lines to show for this year.")) }
        } @else {
            div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("部门", "Department")) } th scope="col" { (lang.t("资金来源", "Source")) }
                    th.num scope="col" { (lang.t("可用", "Available")) } th.num scope="col" { (lang.t("预留", "Reserved")) }
                    th.num scope="col" { (lang.t("承诺", "Committed")) } th.num scope="col" { (lang.t("已支付", "Paid")) }
                } }
                tbody { @for b in lines { tr {
                    td data-label=(lang.t("部门", "Department")) {
                        (name(b.budget.org_id))
                        @if let Some(from) = b.budget.granted_from {
                            " " span.tag.tag--purple { (lang.t("转拨自预算 #", "granted from #")) (from) }
                        }
                    }
                    td data-label=(lang.t("资金来源", "Source")) {
                        (lang.t(b.budget.source.label_zh(), b.budget.source.label_en()))
                        @if let Some(d) = &b.budget.donor { br; span.small.muted { (d) } }
                    }
                    td.num data-label=(lang.t("可用", "Available")) { (lang.money(b.balances.available)) }
                    td.num data-label=(lang.t("预留", "Reserved")) { (lang.money(b.balances.reserved)) }
                    td.num data-label=(lang.t("承诺", "Committed")) { (lang.money(b.balances.committed)) }
                    td.num data-label=(lang.t("已支付", "Paid")) { (lang.money(b.balances.paid)) }
                } } }
            } }
            @if let Some(href) = &page_of.next {
                p.no-print { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } }
            }
        }
        @if may_allocate(user) {
            h2 { (lang.t("下达预算", "Allocate a budget line")) }
            form method="post" action="/budgets" novalidate {
                (forms::csrf(&user.session))
                (forms::input(Kind::Integer, "year", lang.t("预算年度", "Fiscal year"), None, form.get("year"), e("year")))
                (forms::select("org_id", lang.t("部门", "Department"), None, &plain(dept_choices.clone()), form.get("org_id"), e("org_id")))
                (forms::select("source", lang.t("资金来源", "Fund source"), None, &plain(sources.clone()), form.get("source"), e("source")))
                (forms::input(Kind::Decimal, "amount", lang.t("金额（元）", "Amount (yuan)"), None, form.get("amount"), e("amount")))
                (forms::text_field("donor", lang.t("捐赠方（社会资金必填）", "Donor (for social funds)"), None, form.get("donor"), e("donor")))
                (forms::text_field("note", lang.t("说明", "Note"), None, form.get("note"), e("note")))
                div.button-group { (forms::submit(lang.t("下达预算", "Allocate"))) }
            }
        }
        (fiscal_years(user, years, today, form, errors))
        @if !grantable.is_empty() {
            h2 { (lang.t("转拨资金", "Grant to another department")) }
            form method="post" action="/budgets/grant" novalidate {
                (forms::csrf(&user.session))
                (forms::select("from", lang.t("转出预算", "From"), may_allocate(user).then(|| lang.t("列出本页所列的预算；可按部门、资金来源筛选。", "The lines on this page; narrow them by department or fund source.")), &plain(from_choices), form.get("from"), e("from")))
                (forms::select("to_org_id", lang.t("转入部门", "To department"), None, &plain(dept_choices), form.get("to_org_id"), e("to_org_id")))
                (forms::input(Kind::Decimal, "grant_amount", lang.t("金额（元）", "Amount (yuan)"), None, form.get("grant_amount"), e("grant_amount")))
                (forms::text_field("grant_note", lang.t("用途", "Purpose"), None, form.get("grant_note"), e("grant_note")))
                div.button-group { (forms::submit(lang.t("转拨", "Grant"))) }
            }
        }
    };
    page(&shell, title, body)
}

async fn show(state: &AppState, user: &SignedIn, year: i32, form: &Form, errors: &Errors, status: StatusCode) -> Page {
    let filter = BudgetFilter { year: Some(year), ..BudgetFilter::default() };
    show_lines(state, user, &filter, None, form, errors, status).await
}

/// A page of the lines `filter` chooses (its year always given; `raw` the page's query, with its cursor), their
/// totals over every page, and the forms beside them.
async fn show_lines(
    state: &AppState,
    user: &SignedIn,
    filter: &BudgetFilter,
    raw: Option<&str>,
    form: &Form,
    errors: &Errors,
    status: StatusCode,
) -> Page {
    let (actor, shell) = (&user.session.actor, user.shell());
    let q = ListQuery::parse_page(raw, &crate::filters::BUDGET_FILTERS).or_page(&shell)?;
    let shown = rules::budget_page(state, actor, filter, q.page).await.or_page(&shell)?;
    let totals = rules::totals(state, actor, filter).await.or_page(&shell)?;
    // What may be granted from: finance the lines shown (a province's year holds thousands; the filters and pages
    // find the one), a purchasing department its own lines of the year.
    let own = if !may_allocate(user) && actor.has(Role::Purchaser) {
        let mine = BudgetFilter { year: filter.year, org_id: Some(actor.org_id), ..BudgetFilter::default() };
        rules::visible(state, actor, mine).await.or_page(&shell)?
    } else {
        Vec::new()
    };
    let grantable: &[BudgetView] = if may_allocate(user) { &shown.items } else { &own };
    // Finance (allocating) and a purchasing department (granting) choose among the home place's departments;
    // anyone else learns only the names of the departments whose lines it sees.
    let mut keep: Vec<i64> = shown.items.iter().chain(grantable).map(|b| b.budget.org_id).collect();
    let departments = if may_allocate(user) || actor.has(Role::Purchaser) {
        keep.extend(filter.org_id.filter(|_| may_allocate(user)));
        shanzhi_app::directory::choices(state, actor, Offer::Departments, &keep).await
    } else {
        shanzhi_app::directory::organisations_named(state, &keep).await.map(|m| m.into_values().collect())
    };
    let refs = Refs { orgs: departments.or_page(&shell)?, ..Refs::empty(state) };
    let years = rules::fiscal_years(state, actor).await.or_page(&shell)?;
    let today = shanzhi_domain::clock::china_date(state.clock.now()).year();
    let next = shown.next.map(|cursor| next_page_href("/budgets", raw, cursor));
    let lines = Lines { shown: &shown.items, totals, grantable, next };
    Ok(render(status, budgets_page(user, &refs, filter, &lines, &years, today, form, errors)))
}

/// A page of budget lines: those shown, the totals of every page, the lines a grant may come from, the next page.
struct Lines<'a> {
    shown: &'a [BudgetView],
    totals: Balances,
    grantable: &'a [BudgetView],
    next: Option<String>,
}

/// `?year=` (see [`year_of`]), `?org=` and `?source=`, as `GET /api/v1/budgets` takes them.
pub async fn list(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Page {
    let shell = user.shell();
    let q = ListQuery::parse_page(raw.as_deref(), &crate::filters::BUDGET_FILTERS).or_page(&shell)?;
    let year = year_of(q.text("year").as_deref(), &state).or_page(&shell)?;
    let filter = crate::filters::budget_filter(&q).map(|f| BudgetFilter { year: Some(year), ..f });
    let filter = filter.or_page(&shell)?;
    let mut form = Form::default();
    form.set("year", year.to_string());
    show_lines(&state, &user, &filter, raw.as_deref(), &form, &Errors::default(), StatusCode::OK).await
}

pub async fn add(State(state): State<AppState>, Posted { user, form }: Posted) -> Page {
    let year = form.get("year").trim().parse().unwrap_or(0);
    let req = BudgetRequest {
        year,
        org_id: form.get("org_id").parse().unwrap_or(0),
        source: form.get("source").into(),
        amount: form.get("amount").into(),
        donor: Some(form.get("donor").to_string()),
        note: form.get("note").into(),
    };
    match rules::add(&state, &user.session.actor, req).await.map_err(crate::error::AppError::from) {
        Ok(_) => Ok(see_other(&format!("/budgets?year={year}"))),
        Err(e) if fatal(&e) => Err(error_page(&user.shell(), e)),
        Err(e) => {
            show(&state, &user, year.clamp(2000, 2100), &form, &Errors::from_error(user.lang, &e), e.status()).await
        }
    }
}

/// Grants from the line chosen in the form (`from`).
pub async fn grant(State(state): State<AppState>, Posted { user, form }: Posted) -> Page {
    let from: i64 = form.get("from").parse().unwrap_or(0);
    let req = GrantRequest {
        to_org_id: form.get("to_org_id").parse().unwrap_or(0),
        amount: form.get("grant_amount").into(),
        note: form.get("grant_note").into(),
    };
    let year = rules::seen_line(&state, &user.session.actor, from).await.ok().map(|b| b.budget.year);
    let year = year.unwrap_or_else(|| shanzhi_domain::clock::china_date(state.clock.now()).year());
    match rules::grant(&state, &user.session.actor, from, req).await.map_err(crate::error::AppError::from) {
        Ok(_) => Ok(see_other(&format!("/budgets?year={year}"))),
        Err(e) if fatal(&e) && !matches!(e.code(), ErrorCode::NotFound) => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let errors = Errors::from_error(user.lang, &e).rename("amount", "grant_amount").rename("budget_id", "from");
            show(&state, &user, year, &form, &errors, e.status()).await
        }
    }
}

/// Closes the fiscal year chosen in the form (`fiscal_year`).
pub async fn close_year(State(state): State<AppState>, Posted { user, form }: Posted) -> Page {
    let today = shanzhi_domain::clock::china_date(state.clock.now()).year();
    let Ok(year) = form.get("fiscal_year").trim().parse::<i32>() else {
        let mut errors = Errors::default();
        errors.add("fiscal_year", user.lang.t("请选择要关账的年度", "Choose the year to close"));
        return show(&state, &user, today, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    // Closing is final: the person confirms it, as for any irreversible act.
    if let Some(problems) = forms::confirmation_problem(&form).filter(|_| may_allocate(&user)) {
        let e = crate::error::AppError::from(problems.into_error());
        let errors = Errors::from_error(user.lang, &e).rename("confirm", "fiscal_year_confirm");
        return show(&state, &user, today, &form, &errors, e.status()).await;
    }
    match rules::close_year(&state, &user.session.actor, year).await.map_err(crate::error::AppError::from) {
        Ok(_) => Ok(see_other(&format!("/budgets?year={year}#fiscal-years"))),
        Err(e) if fatal(&e) => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let errors = Errors::from_error(user.lang, &e).rename("year", "fiscal_year");
            show(&state, &user, today, &form, &errors, e.status()).await
        }
    }
}
