//! The funding form: which of the department's budget lines pay the estimate (无预算不购买).

use axum::extract::State;
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_app::BudgetView;
use shanzhi_domain::org::Actor;
use shanzhi_domain::project::Project;

use super::forms::{self, error_summary, plain, row_name, Errors, Form, Kind};
use super::layout::page;
use super::project_view::form_heading as heading;
use super::projects::{for_form, is_own};
use super::words::wan_exact;
use super::{error_page, fatal, render, see_other, Ids, OrPage, Page, Posted, SignedIn};
use crate::i18n::Lang;
use crate::AppState;
use shanzhi_app::budgets::{FundingLineRequest, FundingRequest};
use shanzhi_app::projects::{self, Command};

const COLS: [&str; 2] = ["budget", "amount"];

/// The lines the purchaser may draw on: its own, including those granted to it.
async fn own_lines(state: &AppState, actor: &Actor, p: &Project) -> shanzhi_app::Result<Vec<BudgetView>> {
    shanzhi_app::budgets::lines_of(state, actor, p.purchaser_org_id).await
}

fn funding_page(user: &SignedIn, p: &Project, lines: &[BudgetView], form: &Form, errors: &Errors) -> Markup {
    let shell = user.shell();
    let lang = shell.lang;
    let title = lang.t("落实资金来源", "Fund the project");
    let body = html! {
        (error_summary(lang, errors))
        (heading(lang, p, title))
        p { (lang.t("项目预算：", "Estimate: ")) (wan_exact(lang, p.total())) }
        p.hint { (lang.t(
            "各资金来源之和须等于项目预算。多年度合同可分别使用各年度预算；其他部门转拨的资金（如民政部门管理的福彩公益金）列在本单位名下。财政审核通过时预留资金，预算不足则不能通过。",
            "The lines must add up to the estimate. A contract over several years draws on each year's budget; money another department granted (such as welfare-lottery funds administered by civil affairs) is listed under your department. Finance approval reserves the money and cannot approve what the budgets do not cover.",
        )) }
        @if lines.is_empty() {
            div.notice.notice--warning { p { (lang.t("本单位还没有预算，请联系财政部门下达预算。", "Your department has no budget yet: ask the finance department to allocate one.")) } }
        }
        form method="post" action={"/projects/" (p.id) "/funding"} novalidate {
            (forms::csrf(&user.session))
            (lines_fieldset(lang, lines, form, errors, 3, None))
            div.button-group {
                (forms::submit(lang.t("保存资金来源", "Save the funding")))
                a href={"/projects/" (p.id)} { (lang.t("返回项目", "Back to the project")) }
            }
        }
    };
    page(&shell, title, body)
}

/// The rows of budget lines and amounts that pay for something (a project's estimate, a supplementary contract):
/// at least `min_rows`, more when the form came back with more.
pub(super) fn lines_fieldset(
    lang: Lang,
    lines: &[BudgetView],
    form: &Form,
    errors: &Errors,
    min_rows: usize,
    hint: Option<&str>,
) -> Markup {
    let mut choices = vec![(String::new(), lang.t("请选择预算", "Choose a budget line").to_string())];
    choices.extend(lines.iter().map(|b| {
        let from = b.budget.granted_from.map(|_| lang.t("（转拨）", " (granted)")).unwrap_or("");
        let label = format!(
            "{} {}{} · {} {}",
            b.budget.year,
            lang.t(b.budget.source.label_zh(), b.budget.source.label_en()),
            from,
            lang.t("可用", "available"),
            lang.money(b.balances.available)
        );
        (b.budget.id.to_string(), label)
    }));
    let choices = plain(choices);
    let rows = form.row_count("fund").clamp(min_rows, 12);
    let e = |k: &str| errors.get(k);
    html! {
        fieldset.field.field--error[e("funding").is_some()] {
            legend { (lang.t("资金来源", "Funding lines")) }
            @if let Some(h) = hint { span.hint { (h) } }
            @if let Some(m) = e("funding") { span.error-message { (m) } }
            @for i in 0..rows {
                @let n = |c: &str| row_name("fund", c, i);
                div.form-row role="group" aria-label={(lang.t("资金 ", "Line ")) (i + 1)} {
                    (forms::select(&n("budget"), lang.t("预算", "Budget line"), None, &choices, form.get(&n("budget")), e(&n("budget"))))
                    (forms::cell(Kind::Decimal, &n("amount"), lang.t("金额（元）", "Amount (yuan)"), form.get(&n("amount")), e(&n("amount"))))
                }
            }
        }
    }
}

pub async fn form(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    let p = for_form(&state, &user, ids.id, "set_funding", |o| o.funding, is_own).await?;
    let lines = own_lines(&state, &user.session.actor, &p).await.or_page(&user.shell())?;
    let mut form = Form::default();
    for (i, l) in p.funding.iter().enumerate() {
        form.push(row_name("fund", "budget", i), l.budget_id.to_string());
        form.push(row_name("fund", "amount", i), l.amount.yuan_string());
    }
    if p.funding.is_empty() {
        // Most projects are paid from one line: offer the estimate on the first row.
        form.push(row_name("fund", "amount", 0), p.total().yuan_string());
    }
    Ok(render(StatusCode::OK, funding_page(&user, &p, &lines, &form, &Errors::default())))
}

pub async fn save(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, mut form } = posted;
    let lines = form
        .take_rows("fund", &COLS, &["budget", "amount"])
        .into_iter()
        .map(|r| FundingLineRequest { budget_id: r[0].parse().unwrap_or(0), amount: r[1].clone() })
        .collect();
    match projects::perform(&state, &user.session.actor, ids.id, Command::SetFunding(FundingRequest { lines }))
        .await
        .map_err(crate::error::AppError::from)
    {
        Ok(_) => Ok(see_other(&format!("/projects/{}", ids.id))),
        Err(e) => {
            if fatal(&e) {
                return Err(error_page(&user.shell(), e));
            }
            let p = projects::visible_project(&state, &user.session.actor, ids.id).await.or_page(&user.shell())?;
            let lines = own_lines(&state, &user.session.actor, &p).await.or_page(&user.shell())?;
            Err(render(e.status(), funding_page(&user, &p, &lines, &form, &Errors::from_error(user.lang, &e))))
        }
    }
}
