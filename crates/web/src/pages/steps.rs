//! The forms for the later steps: cost estimate, award, contract and service reports.

use std::collections::HashMap;

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use maud::{html, Markup};
use shanzhi_app::directory::Offer;
use shanzhi_domain::clock::china_date;
use shanzhi_domain::error::Problems;
use shanzhi_domain::org::{Actor, Organisation, Role};
use shanzhi_domain::project::{term_last_day, CostKind, Project};
use shanzhi_domain::standards::Standard;
use shanzhi_domain::{ErrorCode, Money};

use super::choosers;
use super::forms::{self, error_summary, plain, row_name, Errors, Form, Kind};
use super::layout::page;
use super::project_view::{form_heading as heading, paras};
use super::projects::{for_form, is_own, offer};
use super::words::{milestone_tag, wan_exact};
use super::{check_csrf, error_page, fatal, render, see_other, Ids, OrPage, Page, Posted, SignedIn};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::AppState;
use shanzhi_app::projects::{
    self, AwardRequest, Command, ContractRequest, CostLineRequest, CostRequest, MilestoneRequest,
};
use shanzhi_app::projects::{OutputRequest, ReportRequest};

const LINE_COLS: [&str; 7] = ["kind", "item", "qty", "unit", "price", "standard", "reason"];
const MILESTONE_COLS: [&str; 3] = ["name", "share", "due"];
/// The domain's cap on cost lines, and a sane one for milestones.
const MAX_LINES: usize = 200;
const MAX_MILESTONES: usize = 24;

fn rows_param(q: &HashMap<String, String>) -> usize {
    q.get("rows").and_then(|r| r.parse().ok()).unwrap_or(0)
}

fn back_link(lang: Lang, p: &Project) -> Markup {
    html! { a href={"/projects/" (p.id)} { (lang.t("返回项目", "Back to the project")) } }
}

/// Re-renders a step form after a failed POST, or the error page when the failure is not about the form.
async fn failed(
    state: &AppState,
    user: &SignedIn,
    id: i64,
    e: AppError,
    draw: impl FnOnce(&Project, &Errors) -> Markup,
) -> Page {
    if fatal(&e) {
        return Err(error_page(&user.shell(), e));
    }
    let p = projects::visible_project(state, &user.session.actor, id).await.or_page(&user.shell())?;
    Err(render(e.status(), draw(&p, &Errors::from_error(user.lang, &e))))
}

fn done(id: i64) -> Page {
    Ok(see_other(&format!("/projects/{id}")))
}

// ---- Cost estimate ----

fn cost_page(
    user: &SignedIn,
    p: &Project,
    standards: &[Standard],
    form: &Form,
    errors: &Errors,
    rows: usize,
) -> Markup {
    let shell = user.shell();
    let lang = shell.lang;
    let title = lang.t("测算费用", "Estimate the cost");
    let kinds = plain(
        CostKind::ALL.iter().map(|k| (k.code().to_string(), lang.t(k.label_zh(), k.label_en()).to_string())).collect(),
    );
    let rows = rows.max(form.row_count("line")).clamp(6, MAX_LINES);
    let mut standard_choices = vec![(String::new(), lang.t("不适用", "None").to_string())];
    standard_choices.extend(
        standards
            .iter()
            .map(|s| (s.code.clone(), format!("{}（≤ {} / {}）", s.name, lang.money(s.max_unit_price), s.unit))),
    );
    let standard_choices = plain(standard_choices);
    let e = |k: &str| errors.get(k);
    let body = html! {
        (error_summary(lang, errors))
        (heading(lang, p, title))
        @if !p.cost_lines.is_empty() {
            div.notice.notice--success {
                p { (lang.t("已保存的测算合计：", "Saved estimate total: ")) (wan_exact(lang, p.total())) }
            }
        }
        form method="post" action={"/projects/" (p.id) "/cost-estimate"} novalidate {
            (forms::csrf(&user.session))
            fieldset.field.field--error[e("cost_lines").is_some()] {
                legend { (lang.t("费用明细", "Cost lines")) }
                span.hint { (lang.t(
                    "金额 = 数量 × 单价，保存时自动计算。空行会被忽略。选择对应的支出标准：单价超过标准、或管理费超过上限的，须写明理由。",
                    "Amount = quantity × unit price, worked out when you save. Blank rows are ignored. Choose the spending standard that applies: a price above it, or a management fee above the cap, needs a reason.",
                )) }
                @if let Some(m) = e("cost_lines") { span.error-message { (m) } }
                @for i in 0..rows {
                    @let n = |c: &str| row_name("line", c, i);
                    div.form-row role="group" aria-label={(lang.t("费用 ", "Line ")) (i + 1)} {
                        (forms::select(
                            &n("kind"),
                            lang.t("类别", "Kind"),
                            None,
                            &kinds,
                            form.get(&n("kind")),
                            e(&n("kind")),
                        ))
                        (forms::text_field(
                            &n("item"),
                            lang.t("费用名称", "Item"),
                            None,
                            form.get(&n("item")),
                            e(&n("item")),
                        ))
                        (forms::cell(
                            Kind::Decimal,
                            &n("qty"),
                            lang.t("数量", "Quantity"),
                            form.get(&n("qty")),
                            e(&n("qty")),
                        ))
                        (forms::text_field(&n("unit"), lang.t("单位", "Unit"), None, form.get(&n("unit")), e(&n("unit"))))
                        (forms::cell(
                            Kind::Decimal,
                            &n("price"),
                            lang.t("单价（元）", "Unit price (yuan)"),
                            form.get(&n("price")),
                            e(&n("price")),
                        ))
                        (forms::select(
                            &n("standard"),
                            lang.t("支出标准", "Spending standard"),
                            None,
                            &standard_choices,
                            form.get(&n("standard")),
                            e(&n("standard")),
                        ))
                        (forms::text_field(
                            &n("reason"),
                            lang.t("超标理由", "Reason if above"),
                            None,
                            form.get(&n("reason")),
                            e(&n("reason")),
                        ))
                    }
                }
                @if rows < MAX_LINES {
                    p { a href={"/projects/" (p.id) "/cost-estimate?rows=" (rows + 3)} { (lang.t("增加行", "Add rows")) } " "
                        span.muted.small { (lang.t("（请先保存已填写的内容）", "(save what you have entered first)")) } }
                }
            }
            div.button-group { (forms::submit(lang.t("保存费用测算", "Save the estimate"))) (back_link(lang, p)) }
        }
    };
    page(&shell, title, body)
}

pub async fn cost_form(
    State(state): State<AppState>,
    user: SignedIn,
    ids: Ids,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let p = for_form(&state, &user, ids.id, "set_cost_estimate", |o| o.cost, is_own).await?;
    let mut form = Form::default();
    for (i, l) in p.cost_lines.iter().enumerate() {
        let values = [
            l.kind.code().to_string(),
            l.item.clone(),
            l.quantity.display(),
            l.unit.clone(),
            l.unit_price.yuan_string(),
            l.standard.clone().unwrap_or_default(),
            l.reason.clone(),
        ];
        for (col, v) in LINE_COLS.iter().zip(values) {
            form.push(row_name("line", col, i), v);
        }
    }
    let standards = shanzhi_app::reference::standards(&state).await.or_page(&user.shell())?;
    Ok(render(StatusCode::OK, cost_page(&user, &p, &standards, &form, &Errors::default(), rows_param(&q))))
}

pub async fn set_cost(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, mut form } = posted;
    let lines = form
        .take_rows("line", &LINE_COLS, &["item", "qty", "unit", "price", "reason"])
        .into_iter()
        .map(|r| CostLineRequest {
            kind: r[0].clone(),
            item: r[1].clone(),
            quantity: r[2].clone(),
            unit: r[3].clone(),
            unit_price: r[4].clone(),
            standard: Some(r[5].clone()),
            reason: r[6].clone(),
        })
        .collect();
    match projects::perform(&state, &user.session.actor, ids.id, Command::SetCost(CostRequest { lines }))
        .await
        .map_err(AppError::from)
    {
        Ok(_) => done(ids.id),
        Err(e) => {
            let standards = shanzhi_app::reference::standards(&state).await.or_page(&user.shell())?;
            failed(&state, &user, ids.id, e, |p, errors| cost_page(&user, p, &standards, &form, errors, 0)).await
        }
    }
}

// ---- Award ----

fn award_page(user: &SignedIn, offered: &[Organisation], p: &Project, form: &Form, errors: &Errors) -> Markup {
    let shell = user.shell();
    let lang = shell.lang;
    let title = lang.t("确定承接主体", "Choose the provider");
    let body = html! {
        (error_summary(lang, errors))
        (heading(lang, p, title))
        p { (lang.t("审核通过的预算：", "Approved budget: ")) (wan_exact(lang, p.total())) }
        form method="post" action={"/projects/" (p.id) "/award"} novalidate {
            (forms::csrf(&user.session))
            (choosers::organisation(
                lang,
                "provider_org_id",
                lang.t("承接主体", "Provider"),
                Some(lang.t(
                    "只列出可以承接政府购买服务的单位（不含一类公益事业单位和已停用的单位）。",
                    "Only organisations that may provide purchased services are listed.",
                )),
                lang.t("请选择承接主体", "Choose a provider"),
                offered,
                |o| format!("{}（{}）", o.name, lang.t(o.kind.label_zh(), o.kind.label_en())),
                form,
                errors,
            ))
            (forms::textarea(
                "justification",
                "justification",
                lang.t("直接确定的理由", "Why this provider"),
                Some(lang.t(
                    "至少 10 个字，例如依据的采购方式、承接主体的资质和服务经验。",
                    "At least 10 characters: the procurement basis, the provider's qualifications and experience.",
                )),
                form.get("justification"),
                errors.get("justification"),
            ))
            (forms::confirm_box(
                "confirm",
                lang.t(
                    "我确认由所选单位承接本项目；确定后进入合同签订，不能改选",
                    "I confirm this provider; the contract step follows and the choice cannot be changed",
                ),
                errors.get("confirm"),
            ))
            div.button-group { (forms::submit(title)) (back_link(lang, p)) }
        }
    };
    page(&shell, title, body)
}

/// The providers the award form offers.
async fn providers(state: &AppState, user: &SignedIn, form: &Form) -> AppResult<Vec<Organisation>> {
    choosers::offered(state, &user.session.actor, Offer::Providers, form, &["provider_org_id"]).await
}

pub async fn award_form(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    let p = for_form(&state, &user, ids.id, "award", |o| o.award, is_own).await?;
    let form = Form::default();
    let offered = providers(&state, &user, &form).await.or_page(&user.shell())?;
    Ok(render(StatusCode::OK, award_page(&user, &offered, &p, &form, &Errors::default())))
}

pub async fn award(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, mut form } = posted;
    let taken = choosers::take_codes(&state, &mut form, &["provider_org_id"]).await;
    let result = match taken {
        Ok(()) => {
            let req = AwardRequest {
                provider_org_id: form.get("provider_org_id").parse().unwrap_or(0),
                justification: form.get("justification").into(),
            };
            forms::perform_confirmed(&state, &user.session, ids.id, Command::Award(req), &form).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => done(ids.id),
        Err(e) => {
            let offered = providers(&state, &user, &form).await.or_page(&user.shell())?;
            failed(&state, &user, ids.id, e, |p, errors| award_page(&user, &offered, p, &form, errors)).await
        }
    }
}

// ---- Contract ----

/// `n` milestones splitting 100% as evenly as two decimals allow (the last takes the remainder), due at
/// even intervals through the term, the last on its final day.
pub fn milestone_plan(n: usize, start: NaiveDate, end: NaiveDate) -> Vec<(String, NaiveDate)> {
    let n = n.clamp(1, MAX_MILESTONES);
    let base = 10_000 / n as u32;
    let days = (end - start).num_days().max(0);
    (0..n)
        .map(|i| {
            let bp = if i + 1 == n { 10_000 - base * (n as u32 - 1) } else { base };
            let share = format!("{}.{:02}", bp / 100, bp % 100);
            let share = share.trim_end_matches('0').trim_end_matches('.').to_string();
            let due = if i + 1 == n { end } else { start + chrono::Duration::days(days * (i as i64 + 1) / n as i64) };
            (share, due)
        })
        .collect()
}

/// `price`: the awarded price the contract must be signed at, if the award was competitive.
fn contract_page(
    user: &SignedIn,
    p: &Project,
    price: Option<Money>,
    form: &Form,
    errors: &Errors,
    rows: usize,
) -> Markup {
    let shell = user.shell();
    let lang = shell.lang;
    let title = lang.t("签订合同", "Sign the contract");
    let e = |k: &str| errors.get(k);
    let rows = rows.max(form.row_count("milestone")).clamp(1, MAX_MILESTONES);
    let provider = p.award.as_ref().map(|a| a.provider.name.as_str()).unwrap_or_default();
    let amount_hint = match price {
        Some(price) => format!("{}{}", lang.t("须等于中标（成交）金额 ", "The awarded price: "), lang.money(price)),
        None => {
            format!("{}{}", lang.t("不得超过审核通过的预算 ", "At most the approved budget of "), lang.money(p.total()))
        }
    };
    let body = html! {
        (error_summary(lang, errors))
        (heading(lang, p, title))
        p { (lang.t("承接主体：", "Provider: ")) strong { (provider) } }
        form method="post" action={"/projects/" (p.id) "/contract"} novalidate {
            (forms::csrf(&user.session))
            (forms::input(
                Kind::Decimal,
                "amount",
                lang.t("合同金额（元）", "Contract amount (yuan)"),
                Some(&amount_hint),
                form.get("amount"),
                e("amount"),
            ))
            fieldset {
                legend { (lang.t("合同期限", "Term")) }
                div.form-row {
                    (forms::date_field("start", lang.t("开始日期", "Start date"),
                        Some(lang.t("不早于确定承接主体之日。", "Not before the award.")), form.get("start"), e("start")))
                    (forms::date_field("end", lang.t("结束日期", "End date"), None, form.get("end"), e("end")))
                }
            }
            (forms::date_field(
                "signed_on",
                lang.t("签订日期", "Date signed"),
                Some(lang.t("不能早于确定承接主体的日期，也不能晚于今天。", "Not before the award, and not in the future.")),
                form.get("signed_on"),
                e("signed_on"),
            ))
            fieldset.field.field--error[e("milestones").is_some()] {
                legend { (lang.t("验收节点", "Milestones")) }
                span.hint { (lang.t(
                    "每个节点验收通过后按比例付款，各节点比例之和须为 100%。",
                    "Each milestone pays its share once accepted; shares must add up to 100%.",
                )) }
                @if let Some(m) = e("milestones") { span.error-message { (m) } }
                @for i in 0..rows {
                    @let n = |c: &str| row_name("milestone", c, i);
                    div.form-row role="group" aria-label={(lang.t("节点 ", "Milestone ")) (i + 1)} {
                        (forms::text_field(
                            &n("name"),
                            lang.t("节点名称", "Name"),
                            None,
                            form.get(&n("name")),
                            e(&n("name")),
                        ))
                        (forms::cell(
                            Kind::Decimal,
                            &n("share"),
                            lang.t("付款比例（%）", "Share (%)"),
                            form.get(&n("share")),
                            e(&n("share")),
                        ))
                        (forms::cell(
                            Kind::Date,
                            &n("due"),
                            lang.t("验收日期", "Due date"),
                            form.get(&n("due")),
                            e(&n("due")),
                        ))
                    }
                }
                @if rows < MAX_MILESTONES {
                    p { a href={"/projects/" (p.id) "/contract?rows=" (rows + 1)} { (lang.t(
                        "增加节点（按平均比例重新填写）",
                        "Add a milestone (refills even shares)",
                    )) } }
                }
            }
            (forms::checkbox(
                "final_payment_by_grade",
                lang.t("尾款按绩效评价等级支付", "Pay the final milestone by the evaluation's grade"),
                Some(lang.t(
                    "最后一期须待绩效评价完成后验收，按评价等级对应的比例支付，扣减部分退回预算指标。",
                    "The last milestone is accepted once the evaluation is finished and pays the share its grade releases; what is withheld goes back to the budget lines.",
                )),
                form.flag("final_payment_by_grade"),
            ))
            div.button-group { (forms::submit(title)) (back_link(lang, p)) }
        }
    };
    page(&shell, title, body)
}

pub async fn contract_form(
    State(state): State<AppState>,
    user: SignedIn,
    ids: Ids,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let p = for_form(&state, &user, ids.id, "sign_contract", |o| o.contract, is_own).await?;
    let lang = user.lang;
    let price = awarded_price(&state, &p).await.or_page(&user.shell())?;
    // The planned service period, begun no earlier than the award.
    let award_day = p.award.as_ref().map(|a| china_date(a.at)).unwrap_or(p.design.period_start);
    let start = p.design.period_start.max(award_day);
    let end = if p.design.period_end >= start { p.design.period_end } else { term_last_day(start, 12) };
    let mut form = Form::default();
    form.push("amount", price.unwrap_or(p.total()).yuan_string());
    form.push("start", start.to_string());
    form.push("end", end.to_string());
    form.push("signed_on", china_date(state.clock.now()).to_string());
    let n = match rows_param(&q) {
        0 => 2,
        n => n,
    };
    for (i, (share, due)) in milestone_plan(n, start, end).into_iter().enumerate() {
        let name = match lang {
            Lang::Zh => format!("第{}期服务验收", i + 1),
            Lang::En => format!("Stage {} acceptance", i + 1),
        };
        form.push(row_name("milestone", "name", i), name);
        form.push(row_name("milestone", "share", i), share);
        form.push(row_name("milestone", "due", i), due.to_string());
    }
    Ok(render(StatusCode::OK, contract_page(&user, &p, price, &form, &Errors::default(), n)))
}

/// The price a competitive award fixes for the contract (a framework agreement: what was called off).
async fn awarded_price(state: &AppState, p: &Project) -> crate::error::AppResult<Option<Money>> {
    Ok(p.contract_price(shanzhi_app::procurements::latest_of(state, p.id).await?.as_ref()))
}

pub async fn sign_contract(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, mut form } = posted;
    let milestones = form
        .take_rows("milestone", &MILESTONE_COLS, &MILESTONE_COLS)
        .into_iter()
        .map(|r| MilestoneRequest { name: r[0].clone(), share: r[1].clone(), due: r[2].clone() })
        .collect();
    let req = ContractRequest {
        amount: form.get("amount").into(),
        start: form.get("start").into(),
        end: form.get("end").into(),
        signed_on: form.get("signed_on").into(),
        milestones,
        final_payment_by_grade: form.flag("final_payment_by_grade"),
    };
    match projects::perform(&state, &user.session.actor, ids.id, Command::SignContract(req))
        .await
        .map_err(AppError::from)
    {
        Ok(_) => done(ids.id),
        Err(e) => {
            let price = match projects::visible_project(&state, &user.session.actor, ids.id).await {
                Ok(p) => awarded_price(&state, &p).await.or_page(&user.shell())?,
                Err(_) => None,
            };
            failed(&state, &user, ids.id, e, |p, errors| contract_page(&user, p, price, &form, errors, 1)).await
        }
    }
}

// ---- Service report ----

fn is_provider(actor: &Actor, p: &Project) -> bool {
    actor.has(Role::Provider) && p.contract.as_ref().is_some_and(|c| c.provider.org_id == actor.org_id)
}

/// Files already uploaded with an earlier, refused attempt: (id, name).
type Kept = Vec<(i64, String)>;

fn report_page(
    user: &SignedIn,
    p: &Project,
    n: usize,
    form: &Form,
    errors: &Errors,
    kept: &Kept,
    max_mb: u64,
) -> Markup {
    let shell = user.shell();
    let lang = shell.lang;
    let title = lang.t("提交服务报告", "File the service report");
    let e = |k: &str| errors.get(k);
    let m = p.contract.as_ref().and_then(|c| c.milestones.get(n));
    let body = html! {
        (error_summary(lang, errors))
        (heading(lang, p, title))
        @if let Some(m) = m {
            dl.summary-list {
                div.summary-list__row { dt { (lang.t("验收节点", "Milestone")) } dd { (m.name) " " (milestone_tag(lang, m.status)) } }
                div.summary-list__row { dt { (lang.t("验收日期", "Due")) } dd { (lang.date(m.due)) } }
                div.summary-list__row { dt { (lang.t("节点金额", "Amount")) } dd { (lang.money(m.amount)) } }
            }
            @if let Some(d) = m.decisions.last().filter(|d| !d.accepted) {
                div.notice.notice--warning {
                    p { strong { (lang.t("上次报告未通过验收，意见：", "The last report was rejected: ")) } }
                    (paras(&d.reason))
                }
            }
        }
        form method="post" action={"/projects/" (p.id) "/milestones/" (n) "/report"} enctype="multipart/form-data" novalidate {
            (forms::csrf(&user.session))
            (forms::input(
                Kind::Integer,
                "beneficiaries",
                lang.t("服务人数", "People served"),
                Some(lang.t("本节点内接受服务的人数。", "How many people were served in this period.")),
                form.get("beneficiaries"),
                e("beneficiaries"),
            ))
            (forms::input(
                Kind::Decimal,
                "hours",
                lang.t("服务时长（小时）", "Hours of service"),
                None,
                form.get("hours"),
                e("hours"),
            ))
            (forms::textarea(
                "summary",
                "summary",
                lang.t("服务情况说明", "What was done"),
                Some(lang.t("做了哪些服务、效果如何、遇到的问题。", "The services delivered, how they went, any problems.")),
                form.get("summary"),
                e("summary"),
            ))
            @if !p.design.targets.is_empty() {
                fieldset {
                    legend { (lang.t("绩效目标完成情况", "Results against the targets")) }
                    span.hint { (lang.t("填写实际完成值；暂无数据可留空。", "Enter the actual figure; leave blank if not yet known.")) }
                    @for (i, t) in p.design.targets.iter().enumerate() {
                        @let id = row_name("output", "actual", i);
                        @let label = format!("{}（{}{}{}）", t.indicator, lang.t("目标：", "target: "), t.target, t.unit);
                        (forms::text_field(&id, &label, None, form.get(&id), e(&id)))
                    }
                }
            }
            @for (id, name) in kept {
                input type="hidden" name="file_id" value=(id);
                p { (lang.t("已上传附件：", "Already uploaded: ")) (name) }
            }
            (forms::input(
                Kind::File,
                "file",
                lang.t("附件（可选）", "Attachment (optional)"),
                Some(&format!("{} {max_mb} MB", lang.t(
                    "PDF、图片、Word、Excel、文本或 CSV 文件，不超过",
                    "PDF, image, Word, Excel, text or CSV, at most",
                ))),
                "",
                e("file"),
            ))
            div.button-group { (forms::submit(title)) (back_link(lang, p)) }
        }
    };
    page(&shell, title, body)
}

pub async fn report_form(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    let n = ids.n;
    let p = for_form(&state, &user, ids.id, "file_report", |o| o.report == Some(n), is_provider).await?;
    Ok(render(
        StatusCode::OK,
        report_page(
            &user,
            &p,
            n,
            &Form::default(),
            &Errors::default(),
            &Vec::new(),
            state.rules.max_upload_bytes / 1024 / 1024,
        ),
    ))
}

/// The text fields as a form, and the file if one was chosen.
pub(crate) async fn read_multipart(mut mp: Multipart) -> Result<(Form, Option<(String, Vec<u8>)>), AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(
            ErrorCode::InvalidUpload,
            "上传内容无法读取",
            format!("the upload could not be read: {}", e.body_text()),
        )
    };
    let mut form = Form::default();
    let mut file = None;
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(|_| {
                AppError::from(shanzhi_domain::DomainError::field(
                    "file",
                    ErrorCode::FileTooLarge,
                    "文件过大",
                    "the file is too large",
                ))
            })?;
            // Browsers send an empty, nameless part when no file was chosen.
            if !file_name.is_empty() || !bytes.is_empty() {
                file = Some((if file_name.is_empty() { "upload".into() } else { file_name }, bytes.to_vec()));
            }
        } else {
            form.push(name, field.text().await.map_err(bad)?);
        }
    }
    Ok((form, file))
}

pub async fn file_report(State(state): State<AppState>, user: SignedIn, ids: Ids, mp: Multipart) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let (mut form, upload) = read_multipart(mp).await.or_page(&shell)?;
    check_csrf(&user, &form)?;
    let actor = &user.session.actor;
    let p = projects::visible_project(&state, actor, ids.id).await.or_page(&shell)?;
    let mut errors = Errors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    // Store the file only when the report can be filed now; otherwise `perform` below gives the refusal.
    if let Some((name, bytes)) = upload.filter(|_| offer(actor, &p).report == Some(ids.n)) {
        match shanzhi_app::files::upload(&state, &user.session.actor, &name, &bytes).await.map_err(AppError::from) {
            Ok(meta) => form.push("file_id", meta.id.to_string()),
            Err(e) if fatal(&e) => return Err(error_page(&shell, e)),
            Err(e) => errors = Errors::from_error(lang, &e),
        }
    }
    if errors.is_empty() {
        let beneficiaries = form.get("beneficiaries").trim().parse::<u32>();
        let mut problems = Problems::default();
        if beneficiaries.is_err() {
            problems.add(
                "beneficiaries",
                ErrorCode::InvalidCount,
                "请填写服务人数（整数），例如 120",
                "Enter the number of people served, like 120",
            );
        }
        let req = ReportRequest {
            beneficiaries: beneficiaries.unwrap_or(0),
            hours: form.get("hours").into(),
            summary: form.get("summary").into(),
            outputs: (p.design.targets.iter().enumerate())
                .map(|(i, t)| OutputRequest {
                    indicator: t.indicator.clone(),
                    actual: form.get(&row_name("output", "actual", i)).into(),
                })
                .collect(),
            file_ids: form.all("file_id").iter().filter_map(|s| s.parse().ok()).collect(),
        };
        // A wrong count is only the page's to find: the other fields are still checked, so each wrong field
        // gets its message at once.
        let cmd = Command::FileReport(ids.n, req);
        let outcome = if problems.is_empty() {
            projects::perform(&state, &user.session.actor, ids.id, cmd).await.map(|_| ()).map_err(AppError::from)
        } else {
            Err(projects::refusal(&state, &user.session.actor, ids.id, cmd, problems).await.into())
        };
        match outcome {
            Ok(()) => return done(ids.id),
            Err(e) if fatal(&e) => return Err(error_page(&shell, e)),
            Err(e) => {
                status = e.status();
                errors = Errors::from_error(lang, &e);
            }
        }
    }
    let mut kept = Vec::new();
    for id in form.all("file_id").iter().filter_map(|s| s.parse::<i64>().ok()) {
        if let Some(f) = shanzhi_app::files::own(&state, actor, id).await.or_page(&shell)? {
            kept.push((f.id, f.name));
        }
    }
    Err(render(
        status,
        report_page(&user, &p, ids.n, &form, &errors, &kept, state.rules.max_upload_bytes / 1024 / 1024),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milestone_plan_splits_evenly() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let two = milestone_plan(2, d("2025-01-01"), d("2025-12-31"));
        assert_eq!(two.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(), ["50", "50"]);
        assert_eq!(two[1].1, d("2025-12-31"));
        assert!(two[0].1 > d("2025-06-01") && two[0].1 < d("2025-07-31"));
        let three = milestone_plan(3, d("2025-01-01"), d("2025-12-31"));
        assert_eq!(three.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(), ["33.33", "33.33", "33.34"]);
        assert_eq!(milestone_plan(0, d("2025-01-01"), d("2025-01-01")).len(), 1);
    }
}
