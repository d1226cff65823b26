//! The running contract's money on the project page: when the current milestone may be reported and accepted,
//! and the supplementary contracts (补充合同) with a form for each step — the purchaser proposes one on its own
//! page with its funding lines, finance approves or returns it, the purchaser signs it.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use maud::{html, Markup};
use shanzhi_app::BudgetView;
use shanzhi_domain::org::{Actor, Role};
use shanzhi_domain::project::{Project, Status, Supplement, SupplementStatus};
use shanzhi_domain::rules::Rules;

use super::forms::{self, error_summary, options, Errors, Form, Kind};
use super::layout::page;
use super::project_view::{form_heading as heading, paras};
use super::projects::{for_form, is_own, project_page, PanelInput};
use super::{error_page, fatal, render, see_other, Ids, OrPage, Page, Posted, SignedIn};
use crate::i18n::Lang;
use crate::AppState;
use shanzhi_app::budgets::FundingLineRequest;
use shanzhi_app::projects::{self, Command, ReviewRequest, SignRequest, SupplementRequest};

/// Whether the purchaser may propose a supplementary contract now: a running contract with room left.
pub fn may_propose(actor: &Actor, p: &Project, rules: &Rules) -> bool {
    is_own(actor, p)
        && p.status == Status::Acceptance
        && p.contract.as_ref().is_some_and(|c| c.supplement_room(rules).is_positive())
}

fn finance_reviewer(actor: &Actor, p: &Project) -> bool {
    actor.is_finance_reviewer() && actor.org_id != p.purchaser_org_id
}

fn status_tag(lang: Lang, s: SupplementStatus) -> Markup {
    let colour = match s {
        SupplementStatus::Proposed | SupplementStatus::Approved => "tag--amber",
        SupplementStatus::Signed => "tag--green",
        SupplementStatus::Returned | SupplementStatus::Lapsed => "tag--grey",
    };
    html! { strong class={"tag " (colour)} { (lang.t(s.label_zh(), s.label_en())) } }
}

/// When the current milestone's report may be filed and when it may be accepted and paid.
fn milestone_timing(lang: Lang, p: &Project, rules: &Rules, today: NaiveDate) -> Markup {
    let Some(i) = p.current_milestone().filter(|_| p.status == Status::Acceptance) else { return html! {} };
    let (Some(report), Some(accept)) = (p.report_opens(i), p.acceptance_opens(i, rules)) else { return html! {} };
    let Some(m) = p.contract.as_ref().map(|c| &c.milestones[i]) else { return html! {} };
    let reported = m.status == shanzhi_domain::project::MilestoneStatus::Reported;
    html! {
        div.notice #milestone-timing {
            p {
                strong { (m.name) } "："
                @if reported { (lang.t("服务报告已提交", "the service report is filed")) }
                @else {
                    (lang.t("服务报告", "the service report may be filed "))
                    @if today < report { (lang.t("自", "from ")) strong { (lang.date(report)) } (lang.t("起可提交", "")) }
                    @else { (lang.t("现在可以提交", "now")) }
                }
                (lang.t("；验收付款", "; acceptance and payment "))
                @if today < accept { (lang.t("自", "from ")) strong { (lang.date(accept)) } (lang.t("起可进行", "")) }
                @else { (lang.t("现在可以进行", "now")) }
                (lang.t("（服务提供后方可付款）。", " (no payment before the service is delivered)."))
            }
        }
    }
}

/// "第1号" / "No. 1".
fn number(lang: Lang, n: u32) -> String {
    match lang {
        Lang::Zh => format!("第{n}号"),
        Lang::En => format!("No. {n}"),
    }
}

fn funding_list(lang: Lang, s: &Supplement) -> Markup {
    html! {
        ul.small { @for l in &s.funding { li {
            (l.year) " " (lang.t(l.source.label_zh(), l.source.label_en())) " · " (lang.money(l.amount))
        } } }
    }
}

/// The supplementary contracts of the project's contract, the timing of its current milestone, and the forms
/// finance and the purchaser act through. `input` keeps a refused form's input and problems.
pub fn section(
    lang: Lang,
    user: &SignedIn,
    p: &Project,
    rules: &Rules,
    today: NaiveDate,
    input: &PanelInput,
) -> Markup {
    let Some(c) = &p.contract else { return html! {} };
    let actor = &user.session.actor;
    let propose = may_propose(actor, p, rules);
    // Budget lines and finance's comments are the government's own: the provider sees amounts and status.
    let internal = !actor.has(Role::Provider) || actor.org_id == p.purchaser_org_id;
    let running = p.status == Status::Acceptance;
    let blank = PanelInput::default();
    let kept = |which: &str, n: u32| {
        if input.which == which && input.form.get("n") == n.to_string() {
            input
        } else {
            &blank
        }
    };
    let base = format!("/projects/{}/supplements", p.id);
    html! {
        (milestone_timing(lang, p, rules, today))
        @if !c.supplements.is_empty() || propose {
            h2 #supplements { (lang.t("补充合同", "Supplementary contracts")) }
            p.hint { (lang.t(
                "补充合同累计不得超过原合同金额的 10%（政府采购法第四十九条）；每份补充合同经财政部门审核预留资金后方可签订。",
                "Supplementary contracts together may add at most 10% of the original amount (Government Procurement Law art. 49); finance approves each and reserves its money before it is signed.",
            )) " " (lang.t("尚可补充：", "Room left: ")) strong { (lang.money(c.supplement_room(rules))) } }
            @if !c.supplements.is_empty() {
                div.table-wrap { table.table.table--stack {
                    thead { tr {
                        th scope="col" { (lang.t("编号", "No.")) } th.num scope="col" { (lang.t("金额", "Amount")) }
                        th scope="col" { (lang.t("补充内容与理由", "What and why")) } th scope="col" { (lang.t("验收节点", "Milestone")) }
                        @if internal { th scope="col" { (lang.t("资金来源", "Funding")) } }
                        th scope="col" { (lang.t("状态", "Status")) }
                    } }
                    tbody { @for s in &c.supplements { tr {
                        td data-label=(lang.t("编号", "No.")) { (number(lang, s.n)) }
                        td.num data-label=(lang.t("金额", "Amount")) { (lang.money(s.amount)) }
                        td data-label=(lang.t("补充内容与理由", "What and why")) { (paras(&s.reason)) }
                        td data-label=(lang.t("验收节点", "Milestone")) { (s.milestone_name) " · " (lang.date(s.due)) }
                        @if internal { td data-label=(lang.t("资金来源", "Funding")) { (funding_list(lang, s)) } }
                        td data-label=(lang.t("状态", "Status")) {
                            (status_tag(lang, s.status))
                            @if let Some(d) = s.signed_on { br; span.small { (lang.t("签订于 ", "signed ")) (lang.date(d)) } }
                            @if let Some(r) = s.review.as_ref().filter(|r| internal && !r.comment.is_empty()) {
                                br; span.small.muted { (lang.t("财政意见：", "Finance: ")) (r.comment) }
                            }
                        }
                    } } }
                } }
            }
            @for s in c.supplements.iter().filter(|s| running && s.status == SupplementStatus::Proposed && finance_reviewer(actor, p)) {
                @let i = kept("supplement_review", s.n);
                h3 { (lang.t("审核", "Review ")) (number(lang, s.n)) (lang.t("补充合同", " supplementary contract")) }
                form method="post" action={(base) "/" (s.n) "/review"} novalidate {
                    (forms::csrf(&user.session))
                    input type="hidden" name="n" value=(s.n);
                    @let choices = options(&[
                        ("approve", lang.t("通过，预留资金", "Approve and reserve the money")),
                        ("return", lang.t("退回", "Return")),
                    ]);
                    (forms::choices(false, "decision", lang.t("审核结论", "Your decision"), None, &choices,
                        &[i.form.get("decision")], i.errors.get("decision")))
                    (forms::textarea("supplement_comment", "comment", lang.t("审核意见", "Comment"),
                        Some(lang.t("退回时必须写明理由。", "Say why when returning it.")),
                        i.form.get("comment"), i.errors.get("supplement_comment")))
                    div.button-group { (forms::submit(lang.t("提交审核意见", "Record the decision"))) }
                }
            }
            @for s in c.supplements.iter().filter(|s| running && s.status == SupplementStatus::Approved && is_own(actor, p)) {
                @let i = kept("supplement_sign", s.n);
                @let value = if i.form.get("signed_on").is_empty() { today.to_string() } else { i.form.get("signed_on").to_string() };
                h3 { (lang.t("签订", "Sign ")) (number(lang, s.n)) (lang.t("补充合同", " supplementary contract")) }
                form method="post" action={(base) "/" (s.n) "/sign"} novalidate {
                    (forms::csrf(&user.session))
                    input type="hidden" name="n" value=(s.n);
                    (forms::date_field("supplement_signed_on", lang.t("签订日期", "Date signed"),
                        Some(lang.t("不早于财政部门同意之日，不晚于今天。", "Not before finance approved it, and not in the future.")),
                        &value, i.errors.get("supplement_signed_on")))
                    div.button-group { (forms::submit(lang.t("签订补充合同", "Sign the supplementary contract"))) }
                }
            }
            @if propose {
                p { a.btn.btn--secondary href={(base) "/new"} { (lang.t("提出补充合同", "Propose a supplementary contract")) } }
            }
        }
    }
}

/// Re-renders the project page with a refused section form's problems.
async fn act(state: &AppState, id: i64, posted: Posted, which: &'static str, cmd: Command) -> Page {
    let Posted { user, form } = posted;
    match projects::perform(state, &user.session.actor, id, cmd).await.map_err(crate::error::AppError::from) {
        Ok(_) => Ok(see_other(&format!("/projects/{id}#supplements"))),
        Err(e) if fatal(&e) => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let p = projects::visible_project(state, &user.session.actor, id).await.or_page(&user.shell())?;
            let errors = Errors::from_error(user.lang, &e)
                .rename("comment", "supplement_comment")
                .rename("signed_on", "supplement_signed_on");
            project_page(state, &user, &p, &PanelInput { which, form, errors }, e.status()).await
        }
    }
}

pub async fn review(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let req =
        ReviewRequest { decision: posted.form.get("decision").into(), comment: posted.form.get("comment").into() };
    act(&state, ids.id, posted, "supplement_review", Command::ReviewSupplement(ids.n as u32, req)).await
}

pub async fn sign(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let req = SignRequest { signed_on: posted.form.get("supplement_signed_on").into() };
    act(&state, ids.id, posted, "supplement_sign", Command::SignSupplement(ids.n as u32, req)).await
}

// ---- The proposal, on its own page ----

const COLS: [&str; 2] = ["budget", "amount"];

/// The purchaser's own budget lines (those granted to it included) of the years the contract runs in.
async fn lines_for(state: &AppState, actor: &Actor, p: &Project) -> shanzhi_app::Result<Vec<BudgetView>> {
    let years = p.contract.as_ref().map(|c| (c.start, c.end));
    Ok(shanzhi_app::budgets::lines_of(state, actor, p.purchaser_org_id)
        .await?
        .into_iter()
        .filter(|b| years.is_some_and(|(s, e)| (s.year()..=e.year()).contains(&b.budget.year)))
        .collect())
}

fn proposal_page(
    user: &SignedIn,
    p: &Project,
    rules: &Rules,
    lines: &[BudgetView],
    form: &Form,
    errors: &Errors,
) -> Markup {
    let shell = user.shell();
    let lang = shell.lang;
    let title = lang.t("提出补充合同", "Propose a supplementary contract");
    let e = |k: &str| errors.get(k);
    let room = p.contract.as_ref().map(|c| c.supplement_room(rules)).unwrap_or_default();
    let body = html! {
        (error_summary(lang, errors))
        (heading(lang, p, title))
        @if let Some(c) = &p.contract {
            p { (lang.t("原合同金额：", "Original amount: ")) (lang.money(c.amount)) " · " (lang.t("尚可补充：", "room left: ")) strong { (lang.money(room)) } }
        }
        p.hint { (lang.t(
            "补充合同在原合同期限内增加同类服务，另设一个验收节点按其金额付款；提交后由财政部门审核并从所列预算中预留资金。",
            "A supplementary contract adds more of the same service within the term, with its own milestone paying its amount; finance reviews it and reserves the money from the lines you list.",
        )) }
        form method="post" action={"/projects/" (p.id) "/supplements"} novalidate {
            (forms::csrf(&user.session))
            (forms::input(Kind::Decimal, "amount", lang.t("补充金额（元）", "Amount (yuan)"), None, form.get("amount"), e("amount")))
            (forms::textarea("reason", "reason", lang.t("补充内容与理由", "What is added, and why"), None, form.get("reason"), e("reason")))
            (forms::text_field("milestone_name", lang.t("验收节点名称", "Milestone name"), None, form.get("milestone_name"), e("milestone_name")))
            (forms::date_field("due", lang.t("验收日期", "Milestone date"),
                Some(lang.t("不早于最后一个验收节点，不晚于合同期限。", "Not before the last milestone, not after the term.")),
                form.get("due"), e("due")))
            (super::funding::lines_fieldset(lang, lines, form, errors, 2, Some(lang.t(
                "各资金来源之和须等于补充金额；只能使用合同期限所在年度的预算。",
                "The lines must add up to the amount, from budgets of the years the contract runs in.",
            ))))
            div.button-group {
                (forms::submit(lang.t("提交财政部门审核", "Send to finance for review")))
                a href={"/projects/" (p.id)} { (lang.t("返回项目", "Back to the project")) }
            }
        }
    };
    page(&shell, title, body)
}

pub async fn new_form(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    let rules = &state.rules;
    let p = for_form(&state, &user, ids.id, "propose_supplement", |_| true, is_own).await?;
    if !may_propose(&user.session.actor, &p, rules) {
        let e = crate::pages::projects::refuse(is_own(&user.session.actor, &p), &p, "propose_supplement");
        return Err(error_page(&user.shell(), e));
    }
    let lines = lines_for(&state, &user.session.actor, &p).await.or_page(&user.shell())?;
    let mut form = Form::default();
    if let Some(c) = &p.contract {
        form.push("milestone_name", user.lang.t("补充服务验收", "Supplementary service"));
        form.push("due", c.end.to_string());
    }
    Ok(render(StatusCode::OK, proposal_page(&user, &p, rules, &lines, &form, &Errors::default())))
}

pub async fn propose(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, mut form } = posted;
    let funding = form
        .take_rows("fund", &COLS, &COLS)
        .into_iter()
        .map(|r| FundingLineRequest { budget_id: r[0].parse().unwrap_or(0), amount: r[1].clone() })
        .collect();
    let req = SupplementRequest {
        amount: form.get("amount").into(),
        reason: form.get("reason").into(),
        milestone_name: form.get("milestone_name").into(),
        due: form.get("due").into(),
        funding,
    };
    match projects::perform(&state, &user.session.actor, ids.id, Command::ProposeSupplement(req))
        .await
        .map_err(crate::error::AppError::from)
    {
        Ok(_) => Ok(see_other(&format!("/projects/{}#supplements", ids.id))),
        Err(e) if fatal(&e) => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let p = projects::visible_project(&state, &user.session.actor, ids.id).await.or_page(&user.shell())?;
            let lines = lines_for(&state, &user.session.actor, &p).await.or_page(&user.shell())?;
            let errors = Errors::from_error(user.lang, &e);
            Err(render(e.status(), proposal_page(&user, &p, &state.rules, &lines, &form, &errors)))
        }
    }
}
