//! Procurement pages for every role: the list, one procurement with a form for each step the actor may take
//! now, starting a procurement from its project, and the overdue list. Display only: every change goes
//! through `procure::perform`, `start` or `submit_bid`, which hold the rules. A provider sees only what
//! `procure::provider_view` gives it; others only what `procure_api::view` would show them.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde_json::{json, Map, Value};
use shanzhi_domain::calendar::china_date;
use shanzhi_domain::error::Problems;
use shanzhi_domain::org::{Actor, Role};
use shanzhi_domain::procurement::{
    ChallengeAbout, Consequence, CriterionSpec, Documents, Duty, Method, Procurement, Scoring, Stage,
};
use shanzhi_domain::project::{Project, Status};

use super::forms::{self, error_summary, options, plain, Errors, Form, Kind, Problem};
use super::layout::{breadcrumbs, page};
use super::notices::scoring_text;
use super::project_view::{paras, percent};
use super::projects::is_own;
use super::{error_page, fatal, render, see_other, Ids, OrPage, Page, Posted, SignedIn};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::procure::{self, BidRequest, ProcCommand};
use crate::AppState;

pub fn stage_tag(lang: Lang, s: Stage) -> Markup {
    let colour = match s {
        Stage::Draft => "tag--grey",
        Stage::Bidding | Stage::Notice => "tag--blue",
        Stage::Negotiating | Stage::FinalOffers | Stage::Evaluating | Stage::Confirming => "tag--amber",
        Stage::Awarded => "tag--green",
        Stage::Failed => "tag--red",
    };
    html! { strong class={"tag " (colour)} { (lang.t(s.label_zh(), s.label_en())) } }
}

pub fn method_label(lang: Lang, m: Method) -> &'static str {
    lang.t(m.label_zh(), m.label_en())
}

fn holder_label(lang: Lang, holder: &str) -> &'static str {
    match holder {
        "purchaser" => lang.t("采购人（或代理机构）", "Purchaser (or its agency)"),
        "finance" => lang.t("财政部门", "Finance department"),
        "committee" => lang.t("评审委员会", "Evaluation committee"),
        "bidder" => lang.t("供应商", "Bidder"),
        _ => lang.t("其他", "Other"),
    }
}

fn duty_label(lang: Lang, d: &Duty) -> &'static str {
    lang.t(d.label_zh(), d.label_en())
}

fn is_finance(a: &Actor) -> bool {
    a.is_finance_reviewer()
}

fn may_see_overdue(a: &Actor) -> bool {
    a.has(Role::Supervisor) || a.has(Role::Admin) || is_finance(a)
}

/// Whether the nav offers the overdue list.
pub fn nav_overdue(a: &Actor) -> bool {
    may_see_overdue(a)
}

fn row(label: &str, value: Markup) -> Markup {
    html! { div.summary-list__row { dt { (label) } dd { (value) } } }
}

fn due_tag(lang: Lang, due: NaiveDate, provisional: bool, overdue: bool) -> Markup {
    html! {
        (lang.date(due))
        @if provisional { " " (lang.t("（暂定）", "(provisional)")) }
        @if overdue { " " strong.tag.tag--red { (lang.t("已逾期", "Overdue")) } }
    }
}

// ---- List ----

pub async fn list(State(state): State<AppState>, user: SignedIn) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let actor = &user.session.actor;
    let all = state.store.procurements().await.or_page(&shell)?;
    let mut shown: Vec<&Procurement> = all
        .iter()
        .filter(|p| procure::can_view(actor, p) || (actor.has(Role::Provider) && p.stage != Stage::Draft))
        .collect();
    shown.sort_by_key(|p| std::cmp::Reverse(p.id));
    let title = lang.t("采购活动", "Procurements");
    let body = html! {
        h1.page-title { (title) }
        @if actor.has(Role::Provider) {
            p.lead { (lang.t("已发布的采购活动。登记参与后可提问、提交密封投标。", "Published procurements. Register your interest to ask questions and submit a sealed bid.")) }
        }
        p { a href="/notices" { (lang.t("查看公开的采购公告", "See the public notices")) } }
        @if shown.is_empty() {
            p.notice { (lang.t("暂无您可查看的采购活动。", "There are no procurements you can see.")) }
        } @else {
            div.table-wrap { table.table.table--stack #procurements {
                thead { tr {
                    th scope="col" { (lang.t("项目", "Project")) } th scope="col" { (lang.t("采购方式", "Method")) }
                    th scope="col" { (lang.t("阶段", "Stage")) } th.num scope="col" { (lang.t("预算", "Budget")) }
                    th scope="col" { (lang.t("投标截止", "Bid deadline")) }
                } }
                tbody { @for p in &shown { tr {
                    td data-label=(lang.t("项目", "Project")) { a href={"/procurements/" (p.id)} { (p.title) } br; span.small.muted { (p.project_code) " · " (p.purchaser_name) } }
                    td data-label=(lang.t("采购方式", "Method")) { (method_label(lang, p.method)) }
                    td data-label=(lang.t("阶段", "Stage")) { (stage_tag(lang, p.stage)) }
                    td.num data-label=(lang.t("预算", "Budget")) { (lang.money(p.budget)) }
                    td data-label=(lang.t("投标截止", "Bid deadline")) { @if let Some(t) = p.bid_deadline { (lang.datetime(t)) } }
                } } }
            } }
        }
    };
    Ok(render(StatusCode::OK, page(&shell, title, body)))
}

// ---- One procurement ----

/// Input and problems from one of the page's forms, to show again. `which` names the form.
#[derive(Default)]
pub struct Kept {
    pub which: String,
    pub form: Form,
    pub errors: Errors,
}

pub async fn show(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    let p = procure::visible(&state, &user.session.actor, ids.id).await.or_page(&user.shell())?;
    proc_page(&state, &user, &p, &Kept::default(), StatusCode::OK).await
}

async fn proc_page(state: &AppState, user: &SignedIn, p: &Procurement, kept: &Kept, status: StatusCode) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let actor = &user.session.actor;
    let record = procure::can_view(actor, p);
    let content = if record {
        record_view(state, user, p, kept).await.or_page(&shell)?
    } else {
        provider_page(state, user, p, kept).await.or_page(&shell)?
    };
    let body = html! {
        (error_summary(lang, &kept.errors))
        (breadcrumbs(lang, &[("/procurements", lang.t("采购活动", "Procurements")), ("", &p.project_code)]))
        span.caption { (p.project_code) " · " (p.purchaser_name) }
        h1.page-title { (p.title) }
        p { (stage_tag(lang, p.stage)) " " (method_label(lang, p.method)) }
        (content)
    };
    super::answer(status, page(&shell, &p.title, body))
}

fn documents_section(lang: Lang, d: &Documents) -> Markup {
    html! {
        h2 { (lang.t("采购文件", "Procurement documents")) }
        dl.summary-list #documents {
            (row(lang.t("采购需求", "Requirements"), paras(&d.requirements)))
            (row(lang.t("供应商资格要求", "Qualifications"), paras(&d.qualifications)))
            @if !d.admitted_kinds.is_empty() {
                (row(lang.t("限定的承接主体类型", "Provider kinds admitted"), html! { @for (i, k) in d.admitted_kinds.iter().enumerate() { @if i > 0 { (lang.t("、", ", ")) } (lang.t(k.label_zh(), k.label_en())) } }))
            }
            @if d.complex_or_high_impact { (row(lang.t("技术复杂或社会影响较大", "Technically complex or of high social impact"), html! { (lang.t("是（评标委员会不少于 7 人）", "Yes (a committee of at least 7)")) })) }
            (row(lang.t("评审方法", "Evaluation"), html! { (scoring_text(lang, &d.scoring)) }))
            (row(lang.t("小微企业价格扣除", "Small-enterprise price deduction"), html! { (percent(d.sme_deduction_bp)) }))
            (row(lang.t("并列时的确定规则", "Tie rule"), paras(&d.tie_rule)))
            @if let Some(s) = &d.single_source {
                (row(lang.t("单一来源供应商", "Single-source provider"), html! { (s.provider_name) " · " (lang.t(s.case.label_zh(), s.case.label_en())) }))
                (row(lang.t("单一来源理由", "Justification"), paras(&s.justification)))
            }
            @if let Some(n) = d.framework_members { (row(lang.t("入围供应商数量", "Framework members"), html! { (n) })) }
        }
    }
}

fn schedule(
    lang: Lang,
    p_method: Method,
    intention_on: Option<NaiveDate>,
    published_on: Option<NaiveDate>,
    bid_deadline: Option<chrono::DateTime<chrono::Utc>>,
    final_deadline: Option<chrono::DateTime<chrono::Utc>>,
    budget: shanzhi_domain::Money,
) -> Markup {
    html! {
        dl.summary-list #schedule {
            (row(lang.t("采购方式", "Method"), html! { (method_label(lang, p_method)) }))
            (row(lang.t("预算金额", "Budget"), html! { (lang.money(budget)) }))
            @if let Some(d) = intention_on { (row(lang.t("采购意向公开", "Intention published"), html! { (lang.date(d)) })) }
            @if let Some(d) = published_on { (row(lang.t("公告发布", "Announcement published"), html! { (lang.date(d)) })) }
            @if let Some(t) = bid_deadline { (row(lang.t("投标（响应）截止时间", "Bid deadline"), html! { (lang.datetime(t)) })) }
            @if let Some(t) = final_deadline { (row(lang.t("最后报价截止时间", "Final offers deadline"), html! { (lang.datetime(t)) })) }
        }
    }
}

fn clarifications(lang: Lang, list: &[shanzhi_domain::procurement::Clarification]) -> Markup {
    html! {
        @if !list.is_empty() {
            h2 { (lang.t("澄清与更正", "Clarifications")) }
            ol.timeline { @for c in list { li.timeline__item {
                span.timeline__time { (lang.datetime(c.at)) }
                div.timeline__body { p { (paras(&c.text)) }
                    @if let Some(t) = c.moved_deadline { p.small { (lang.t("投标截止时间顺延至：", "Bid deadline moved to: ")) (lang.datetime(t)) } }
                }
            } } }
        }
    }
}

/// Bidder names by bid id, from the openings (only for those who may see the openings).
fn bid_names(p: &Procurement) -> HashMap<i64, String> {
    p.opening
        .iter()
        .chain(p.final_opening.iter())
        .flat_map(|o| o.bids.iter())
        .map(|b| (b.bid_id, b.name.clone()))
        .collect()
}

/// An opening's record; a price `priced` refuses stays sealed (a negotiation's first round, before the final offers).
fn opening_table(
    lang: Lang,
    title: &str,
    o: &shanzhi_domain::procurement::Opening,
    priced: impl Fn(&shanzhi_domain::procurement::OpenedBid) -> bool,
) -> Markup {
    html! {
        h2 { (title) }
        p.small { (lang.t("开标时间：", "Opened: ")) (lang.datetime(o.at)) " · " (lang.t("参加人员：", "Present: ")) (o.attendees.join(lang.t("、", ", "))) }
        div.table-wrap { table.table.table--stack.opening {
            thead { tr {
                th scope="col" { (lang.t("投标人", "Bidder")) } th.num scope="col" { (lang.t("投标报价", "Price")) }
                th scope="col" { (lang.t("小微企业", "Small or micro")) } th scope="col" { (lang.t("回执", "Receipt")) }
            } }
            tbody { @for b in &o.bids { tr {
                td data-label=(lang.t("投标人", "Bidder")) { (b.name) }
                @if priced(b) {
                    td.num data-label=(lang.t("投标报价", "Price")) { (lang.money(b.price)) }
                    td data-label=(lang.t("小微企业", "Small or micro")) { (super::words::yes_no(lang, b.small_or_micro)) }
                } @else {
                    td.num data-label=(lang.t("投标报价", "Price")) { span.muted { (lang.t("仅评审小组可见", "For the panel only")) } }
                    td data-label=(lang.t("小微企业", "Small or micro")) { span.muted { "—" } }
                }
                td data-label=(lang.t("回执", "Receipt")) { span.hash title=(b.receipt) { (b.receipt.get(..12).unwrap_or(&b.receipt)) } }
            } } }
        } }
    }
}

async fn record_view(state: &AppState, user: &SignedIn, p: &Procurement, kept: &Kept) -> AppResult<Markup> {
    let lang = user.lang;
    let actor = &user.session.actor;
    let today = china_date(state.clock.now());
    let duties = p.duties(&state.rules, &state.calendar, today);
    let names = bid_names(p);
    let outcome = if p.report.is_some() { p.outcome(&state.rules).ok() } else { None };
    let purchaser_side = p.sees_interest(actor);
    let reader = p.may_read_opened(actor);
    let opened = if reader { procure::opened_bids(state, actor, p).await.unwrap_or_default() } else { vec![] };
    let actions = actions(state, user, p, kept).await?;
    Ok(html! {
        (schedule(lang, p.method, Some(p.intention_on), p.published_on, p.bid_deadline, p.final_deadline, p.budget))
        @if let Some(a) = &p.approval {
            p.notice #approval { (lang.t("本采购方式已经批准：", "This method was approved: ")) (a.authority) " " (a.document_no) " · " (lang.date(a.approved_on)) }
        }
        @if p.stage == Stage::Draft && p.replaces.is_none() {
            @if let Ok(d) = shanzhi_domain::procurement::period_end(&state.rules, shanzhi_domain::deadlines::Period::PurchaseIntention, p.intention_on, &state.calendar) {
                p.notice #earliest-announcement {
                    (lang.t("采购意向公开满 30 日后方可发布采购公告：最早 ", "The announcement may follow 30 days after the purchase intention: from "))
                    strong { (lang.date(d.date)) }
                    @if d.provisional { " " (lang.t("（暂定）", "(provisional)")) }
                }
            }
        }
        h2 { (lang.t("期限与待办", "Deadlines and duties")) }
        @if duties.is_empty() { p.muted { (lang.t("目前没有计时中的期限。", "No deadline is running now.")) } }
        @else {
            ul.queue #duties { @for d in &duties { li.queue__item {
                strong { (duty_label(lang, d)) }
                p.queue__meta { (holder_label(lang, d.holder)) " · " (lang.t("截止：", "Due: ")) (due_tag(lang, d.due, d.provisional, d.overdue)) }
            } } }
        }
        @for s in &p.suspensions {
            div.notice.notice--warning { p { (lang.t("财政部门暂停采购活动：", "Suspended by finance: ")) (lang.date(s.from)) " – " (lang.date(s.until)) } }
        }
        (documents_section(lang, &p.documents))
        (clarifications(lang, &p.clarifications))
        @if purchaser_side && !p.questions.is_empty() {
            h2 { (lang.t("供应商提问", "Questions from providers")) }
            ol { @for q in &p.questions { li { (q.text) " " span.small.muted { (lang.datetime(q.asked_at)) } } } }
        }
        @if let Some(o) = &p.opening { (opening_table(lang, lang.t("开标记录", "Bid opening"), o, |b| p.may_see_price(actor, false, b.org_id))) }
        @if let Some(o) = &p.final_opening { (opening_table(lang, lang.t("最后报价开启记录", "Final offers opening"), o, |b| p.may_see_price(actor, true, b.org_id))) }
        @if !opened.is_empty() {
            h2 { (lang.t("投标文件", "Bid documents")) }
            @for b in &opened {
                h3 { (b.org_name) " · " (lang.money(b.content.price)) }
                p { (paras(&b.content.proposal)) }
                @if !b.content.files.is_empty() { ul { @for f in &b.content.files { li { a href={"/procurements/" (p.id) "/bid-files/" (f.id)} { (f.name) } } } } }
            }
        }
        @if let Some(c) = &p.committee {
            h2 { (lang.t("评审委员会", "Evaluation committee")) }
            ul #committee { @for m in &c.members { li {
                (m.name) " " span.small.muted { @if m.expert { (lang.t("评审专家", "Expert")) } @else { (lang.t("采购人代表", "Purchaser's representative")) } }
                @if c.recused(m.user_id) { " " strong.tag.tag--red { (lang.t("已回避", "Recused")) } }
                @else if c.may_see_bids(m.user_id) { " " strong.tag.tag--green { (lang.t("已声明无利害关系", "Declared")) } }
                @else { " " strong.tag.tag--grey { (lang.t("未声明", "Not declared")) } }
            } } }
        }
        @if !p.rounds.is_empty() {
            h2 { (lang.t("谈判（磋商）记录", "Negotiation rounds")) }
            ol { @for r in &p.rounds { li { (paras(&r.notes)) " " span.small.muted { (lang.datetime(r.at)) } } } }
        }
        @if !p.compliance.is_empty() {
            h2 { (lang.t("资格与符合性审查", "Compliance review")) }
            ul { @for c in &p.compliance { li {
                (names.get(&c.bid_id).map(String::as_str).unwrap_or("?")) "："
                @if c.qualified { (lang.t("通过", "Qualified")) } @else { (lang.t("不通过", "Not qualified")) }
                @if !c.reason.is_empty() { " · " (c.reason) }
            } } }
        }
        (low_price::section(lang, p, &names))
        @if let Some(o) = &outcome {
            h2 { (lang.t("评审结果", "Evaluation result")) }
            div.table-wrap { table.table.table--stack #outcome {
                thead { tr {
                    th scope="col" { (lang.t("投标人", "Bidder")) } th.num scope="col" { (lang.t("报价", "Price")) }
                    th.num scope="col" { (lang.t("评审价", "Evaluated price")) }
                    @for c in &criteria(p) { th.num scope="col" { (c.name) } }
                    th.num scope="col" { (lang.t("价格得分", "Price score")) }
                    th.num scope="col" { (lang.t("总分", "Total")) } th.num scope="col" { (lang.t("排名", "Rank")) }
                    th scope="col" { (lang.t("说明", "Notes")) }
                } }
                tbody { @for b in &o.bids { tr {
                    td data-label=(lang.t("投标人", "Bidder")) { (names.get(&b.id).map(String::as_str).unwrap_or("?")) }
                    td.num data-label=(lang.t("报价", "Price")) { (lang.money(b.price)) }
                    td.num data-label=(lang.t("评审价", "Evaluated price")) { (lang.money(b.evaluated_price.rounded())) }
                    @for c in &criteria(p) {
                        td.num data-label=(c.name) { @if let Some(m) = b.criteria.iter().find(|m| m.key == c.key) { (m.mean.display()) } }
                    }
                    td.num data-label=(lang.t("价格得分", "Price score")) { @if let Some(s) = b.price_score { (s.display()) } }
                    td.num data-label=(lang.t("总分", "Total")) { @if let Some(s) = b.total { (s.display()) } }
                    td.num data-label=(lang.t("排名", "Rank")) { @if let Some(r) = b.rank { (r) } }
                    td data-label=(lang.t("说明", "Notes")) {
                        @if b.tied { (lang.t("并列 ", "Tied ")) }
                        @if b.void { (lang.t("报价不合理，无效 ", "Price unjustified, void ")) }
                        @else if b.abnormally_low { (lang.t("异常低价提示 ", "Possibly abnormally low ")) }
                        @if b.disqualified { (lang.t("未通过审查", "Not qualified")) }
                    }
                } } }
            } }
        }
        @if let Some(a) = &p.award {
            h2 { (lang.t("中标（成交）结果", "Award")) }
            dl.summary-list #award {
                (row(lang.t("中标（成交）供应商", "Winner"), html! { (a.winner.name) @if a.void { " " strong.tag.tag--red { (lang.t("已无效", "Void")) } } }))
                (row(lang.t("中标（成交）金额", "Price"), html! { (lang.money(a.winner.price)) }))
                @if let Some(s) = &a.winner.score { (row(lang.t("评审得分", "Score"), html! { (s) })) }
                @if let Some(t) = &a.winner.tie_reason { (row(lang.t("并列时的选择理由", "Tie reason"), html! { (t) })) }
                @if let Some(m) = &a.minutes { (row(lang.t("谈判记录", "Minutes"), paras(m))) }
                (row(lang.t("确定时间", "Decided"), html! { (lang.datetime(a.at)) }))
            }
        }
        @if let Some(f) = &p.failure {
            div.notice.notice--warning { h2 { (lang.t("采购失败", "The procurement failed")) } p { (f.reason) } }
        }
        @if let Some(s) = &p.switch {
            h2 { (lang.t("变更采购方式", "Change of method")) }
            p { (lang.t("申请改为：", "Requested: ")) (method_label(lang, s.to)) " · " (s.reason) }
            @match &s.decision {
                Some(d) => p { @if d.approved { (lang.t("财政部门已批准", "Approved by finance")) } @else { (lang.t("财政部门未批准", "Refused by finance")) } " · " (d.by_name)
                    @if !d.document_no.is_empty() { " · " (d.authority) " " (d.document_no) } " · " (d.comment) },
                None => p.muted { (lang.t("等待财政部门审批", "Waiting for finance")) },
            }
        }
        (challenges(state, lang, p))
        @if !p.call_offs.is_empty() {
            h2 { (lang.t("框架协议采购订单", "Call-offs")) }
            ul { @for c in &p.call_offs { li { (c.org_name) " · " (lang.money(c.amount)) " · " (c.note) " · " (lang.date(c.on)) } } }
        }
        (actions)
    })
}

fn challenges(state: &AppState, lang: Lang, p: &Procurement) -> Markup {
    let list: Vec<&shanzhi_domain::procurement::Challenge> = p.challenges.iter().collect();
    challenge_list(state, lang, &list)
}

fn challenge_list(state: &AppState, lang: Lang, list: &[&shanzhi_domain::procurement::Challenge]) -> Markup {
    let today = china_date(state.clock.now());
    let (rules, cal) = (&state.rules, &state.calendar);
    html! {
        @if !list.is_empty() {
            h2 { (lang.t("质疑与投诉", "Challenges and complaints")) }
            @for c in list {
                div.card.challenge {
                    h3 { (lang.t("质疑 ", "Challenge ")) (c.id) " · " (c.org_name) }
                    p.small { (lang.t(c.about.label_zh(), c.about.label_en())) " · " (lang.t("提出：", "Filed: ")) (lang.date(c.filed_on)) }
                    p { (paras(&c.text)) }
                    @match &c.reply {
                        Some(r) => p { strong { (lang.t("答复：", "Reply: ")) } (r.text) " (" (lang.date(r.on)) ")" },
                        None => { @if let Ok(d) = Procurement::reply_due(c, rules, cal) {
                            p { (lang.t("答复期限：", "Reply due: ")) (due_tag(lang, d.date, d.provisional, c.complaint.is_none() && today > d.date)) }
                        } },
                    }
                    @match &c.complaint {
                        Some(k) => {
                            p { strong { (lang.t("投诉：", "Complaint: ")) } (k.text) " (" (lang.date(k.filed_on)) ")" }
                            @for (from, to) in &k.pauses { p.small { (lang.t("处理期限中止：", "Paused: ")) (lang.date(*from)) " – " (lang.date(*to)) } }
                            @match &k.decision {
                                Some(d) => p { strong { (lang.t("处理决定：", "Decision: ")) }
                                    @if d.upheld { (lang.t("投诉成立", "Upheld")) } @else { (lang.t("投诉不成立", "Dismissed")) }
                                    @if let Some(q) = d.consequence { " · " (lang.t(q.label_zh(), q.label_en())) }
                                    " · " (d.reasons) },
                                None => { @if let Some(Ok(d)) = Procurement::decision_due(c, rules, cal) {
                                    p { (lang.t("处理决定期限：", "Decision due: ")) (due_tag(lang, d.date, d.provisional, today > d.date)) }
                                } },
                            }
                        },
                        None => { @if let Ok(d) = Procurement::complaint_due(c, rules, cal) {
                            p.small { (lang.t("投诉期限：", "Complaint possible until: ")) (lang.date(d.date)) }
                        } },
                    }
                }
            }
        }
    }
}

async fn provider_page(state: &AppState, user: &SignedIn, p: &Procurement, kept: &Kept) -> AppResult<Markup> {
    let lang = user.lang;
    let v = procure::provider_view(state, &user.session.actor, p).await?;
    let actions = actions(state, user, p, kept).await?;
    let mine: Vec<&shanzhi_domain::procurement::Challenge> = v.my_challenges.iter().collect();
    Ok(html! {
        (schedule(lang, v.method, None, v.published_on, v.bid_deadline, v.final_deadline, v.budget))
        (documents_section(lang, &v.documents))
        (clarifications(lang, &v.clarifications))
        @if v.registered_interest { p.notice.notice--success { (lang.t("您已登记参与本次采购。", "You have registered your interest.")) } }
        @if !v.my_questions.is_empty() {
            h2 { (lang.t("我的提问", "My questions")) }
            ol { @for q in &v.my_questions { li { (q.text) } } }
        }
        h2 #my-bid { (lang.t("我的投标", "My bid")) }
        @if v.my_bids.is_empty() { p.muted { (lang.t("您尚未提交投标。", "You have not bid.")) } }
        @for b in &v.my_bids {
            dl.summary-list.my-bid {
                (row(lang.t("轮次", "Round"), html! { @if b.round == 0 { (lang.t("首次报价", "First bid")) } @else { (lang.t("最后报价", "Final offer")) } }))
                (row(lang.t("报价", "Price"), html! { (lang.money(b.content.price)) @if b.withdrawn { " " strong.tag.tag--grey { (lang.t("已撤回", "Withdrawn")) } } }))
                (row(lang.t("小微企业", "Small or micro"), html! { (super::words::yes_no(lang, b.content.small_or_micro)) }))
                (row(lang.t("技术方案", "Proposal"), paras(&b.content.proposal)))
                @if !b.content.files.is_empty() {
                    (row(lang.t("附件", "Attachments"), html! { ul { @for f in &b.content.files { li { a href={"/procurements/" (v.id) "/bid-files/" (f.id)} { (f.name) } } } } }))
                }
                (row(lang.t("回执", "Receipt"), html! { span.hash { (b.receipt) } }))
                (row(lang.t("提交时间", "Submitted"), html! { (super::words::audit_time(lang, &b.submitted_at)) }))
            }
        }
        @if let Some(o) = &v.opening {
            h2 { (lang.t("开标唱标", "Opening read-out")) }
            ul { @for (name, price) in o { li { (name) " · " (lang.money(*price)) } } }
        }
        @if let Some(o) = &v.final_opening {
            h2 { (lang.t("最后报价唱标", "Final offers read-out")) }
            ul { @for (name, price) in o { li { (name) " · " (lang.money(*price)) } } }
        }
        @if let Some((name, price, score)) = &v.winner {
            h2 { (lang.t("中标（成交）结果", "Award")) }
            dl.summary-list #award {
                (row(lang.t("中标（成交）供应商", "Winner"), html! { (name) }))
                (row(lang.t("中标（成交）金额", "Price"), html! { (lang.money(*price)) }))
                @if let Some(s) = score { (row(lang.t("评审得分", "Score"), html! { (s) })) }
            }
        }
        @if v.my_score.is_some() || v.my_rank.is_some() {
            dl.summary-list #my-result {
                @if let Some(s) = &v.my_score { (row(lang.t("我的得分", "My score"), html! { (s) })) }
                @if let Some(r) = v.my_rank { (row(lang.t("我的排名", "My rank"), html! { (r) })) }
            }
        }
        (low_price::own(lang, v.my_low_price.as_ref()))
        @if let Some(f) = &v.failure { div.notice.notice--warning { h2 { (lang.t("采购失败", "The procurement failed")) } p { (f.reason) } } }
        (challenge_list(state, lang, &mine))
        (actions)
    })
}

// ---- Forms for the actions ----

/// One field of an action form: its name in the command, and how to read it.
#[derive(Clone, Copy, PartialEq)]
enum F {
    Text,
    /// A yes/no radio that must be answered.
    Choice,
    Check,
    Int,
    OptInt,
    Lines,
    IntList,
}

fn spec(action: &str) -> Option<&'static [(&'static str, F)]> {
    use F::*;
    Some(match action {
        "publish" => &[("bid_deadline", Text)],
        "interest" | "replace_recused" | "report" => &[],
        "draw_committee" => &[("representatives", IntList)],
        "ask" => &[("text", Text)],
        "clarify" => &[("text", Text), ("answers", OptInt), ("affects_bids", Check)],
        "open" => &[("attendees", Lines)],
        "declare" => &[("no_conflict", Choice)],
        "round" => &[("notes", Text)],
        "call_final_offers" => &[("deadline", Text)],
        "compliance" => &[("bid_id", Int), ("qualified", Choice), ("reason", Text)],
        "flag_low_price" => &[("bid_id", Int), ("reason", Text), ("due", Text)],
        "explain_low_price" => &[("text", Text)],
        "decide_low_price" => &[("bid_id", Int), ("justified", Choice), ("reason", Text)],
        "award" => &[("bid_id", Int), ("tie_reason", Text)],
        "negotiation" => &[("price", Text), ("minutes", Text)],
        "abandon" => &[("reason", Text)],
        "request_switch" => &[("to", Text), ("reason", Text)],
        "decide_switch" => &[("approve", Choice), ("document_no", Text), ("comment", Text)],
        "challenge" => &[("about", Text), ("text", Text)],
        "reply" => &[("challenge", Int), ("text", Text), ("upheld", Choice)],
        "complain" => &[("challenge", Int), ("text", Text)],
        "pause" => &[("challenge", Int), ("from", Text), ("to", Text)],
        "suspend" => &[("challenge", Int), ("until", Text)],
        "decide" => &[("challenge", Int), ("upheld", Choice), ("consequence", Text), ("reasons", Text)],
        "call_off" => &[("org_id", Int), ("amount", Text), ("note", Text)],
        "marks" => &[],
        _ => return None,
    })
}

/// The form's name on the page: the action, and the challenge it is about.
fn which_of(action: &str, form: &Form) -> String {
    match form.get("challenge") {
        "" => action.to_string(),
        n => format!("{action}{n}"),
    }
}

fn fid(which: &str, name: &str) -> String {
    format!("{which}_{name}")
}

/// Actions that cannot be undone: the page asks the person to confirm them.
const IRREVERSIBLE: &[&str] = &["award", "abandon", "decide_low_price"];

/// Reads an action form into the command `procure::perform` takes.
fn command(p: &Procurement, action: &str, which: &str, form: &Form) -> AppResult<ProcCommand> {
    let fields = spec(action).ok_or_else(AppError::not_found)?;
    let mut obj = Map::new();
    obj.insert("action".into(), json!(action));
    let mut problems = Problems::default();
    if let Some(missing) = forms::confirmation_problem(form).filter(|_| IRREVERSIBLE.contains(&action)) {
        problems = missing;
    }
    for (name, kind) in fields {
        let raw = if *name == "challenge" { form.get("challenge") } else { form.get(&fid(which, name)) }.trim();
        let value = match kind {
            F::Text => json!(raw),
            F::Check => json!(form.flag(&fid(which, name))),
            F::Choice => match raw {
                "true" => json!(true),
                "false" => json!(false),
                _ => {
                    problems.add(*name, "required", "请选择一项", "choose one");
                    continue;
                }
            },
            F::Int | F::OptInt => match raw.parse::<i64>() {
                Ok(n) if n >= 0 => json!(n),
                _ if raw.is_empty() && *kind == F::OptInt => Value::Null,
                _ => {
                    problems.add(
                        *name,
                        "invalid_number",
                        "请选择或填写一个有效的编号",
                        "choose or enter a valid number",
                    );
                    continue;
                }
            },
            F::Lines => json!(raw.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>()),
            F::IntList => {
                json!(form.all(&fid(which, name)).iter().filter_map(|v| v.parse::<i64>().ok()).collect::<Vec<_>>())
            }
        };
        obj.insert((*name).into(), value);
    }
    if action == "marks" {
        let criteria = criteria(p);
        let mut marks = Vec::new();
        for b in p.evaluated_bids() {
            for c in &criteria {
                marks.push(json!({"bid_id": b.bid_id, "criterion": c.key, "score": form.get(&mark_id(b.bid_id, &c.key)).trim()}));
            }
        }
        obj.insert("marks".into(), json!(marks));
    }
    problems.into_result()?;
    serde_json::from_value(Value::Object(obj)).map_err(|e| {
        AppError::bad_request("invalid_form", format!("表单内容有误：{e}"), format!("the form is not valid: {e}"))
    })
}

fn criteria(p: &Procurement) -> Vec<CriterionSpec> {
    match &p.documents.scoring {
        Scoring::Comprehensive { criteria, .. } => criteria.clone(),
        Scoring::LowestPrice => vec![],
    }
}

fn mark_id(bid: i64, key: &str) -> String {
    format!("marks_{bid}_{key}")
}

/// Problems from a failed action, keyed by the form's own input ids.
fn kept_errors(lang: Lang, p: &Procurement, which: &str, err: &AppError) -> Errors {
    let mut errors = Errors::from_error(lang, err);
    if err.fields().is_empty() {
        return errors;
    }
    let marks: Vec<String> =
        p.evaluated_bids().iter().flat_map(|b| criteria(p).into_iter().map(|c| mark_id(b.bid_id, &c.key))).collect();
    for (item, f) in errors.items.iter_mut().zip(err.fields()) {
        let key = if let Some(rest) = f.field.strip_prefix("marks[") {
            rest.split(']').next().and_then(|i| i.parse::<usize>().ok()).and_then(|i| marks.get(i).cloned())
        } else {
            None
        };
        let key = key.unwrap_or_else(|| fid(which, f.field.split(['.', '[']).next().unwrap_or(&f.field)));
        *item = Problem { href: Some(format!("#{key}")), key, message: item.message.clone() };
    }
    errors
}

pub async fn act(State(state): State<AppState>, Path((id, action)): Path<(String, String)>, posted: Posted) -> Page {
    let Posted { user, form } = posted;
    let Ok(id) = id.parse::<i64>() else { return Err(error_page(&user.shell(), AppError::not_found())) };
    let p = procure::visible(&state, &user.session.actor, id).await.or_page(&user.shell())?;
    let which = which_of(&action, &form);
    let result = match command(&p, &action, &which, &form) {
        Ok(cmd) => procure::perform(&state, &user.session, id, cmd).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/procurements/{id}"))),
        Err(e) => failed(&state, &user, &p, which, form, e).await,
    }
}

async fn failed(state: &AppState, user: &SignedIn, p: &Procurement, which: String, form: Form, e: AppError) -> Page {
    if fatal(&e) {
        return Err(error_page(&user.shell(), e));
    }
    let errors = kept_errors(user.lang, p, &which, &e);
    let kept = Kept { which, form, errors };
    proc_page(state, user, p, &kept, e.status()).await
}

pub async fn bid(State(state): State<AppState>, user: SignedIn, ids: Ids, mp: axum::extract::Multipart) -> Page {
    let (form, upload) = super::steps::read_multipart(mp).await.or_page(&user.shell())?;
    super::check_csrf(&user, &form)?;
    let actor = &user.session.actor;
    let p = procure::visible(&state, actor, ids.id).await.or_page(&user.shell())?;
    // A changed bid keeps the files of the bid it replaces, plus the one chosen now.
    let round = i64::from(p.stage == Stage::FinalOffers);
    let mut file_ids: Vec<i64> = procure::own_bids(&state, actor, &p)
        .await
        .or_page(&user.shell())?
        .into_iter()
        .filter(|b| b.round == round && !b.withdrawn)
        .flat_map(|b| b.content.files.into_iter().map(|f| f.id))
        .collect();
    if let Some((name, bytes)) = upload {
        match procure::upload_bid_file(&state, &user.session, p.id, &name, &bytes).await {
            Ok(f) => file_ids.push(f.id),
            Err(e) => return failed(&state, &user, &p, "bid".into(), form, e).await,
        }
    }
    let req = BidRequest {
        price: form.get("bid_price").trim().into(),
        small_or_micro: form.flag("bid_small_or_micro"),
        proposal: form.get("bid_proposal").into(),
        file_ids,
    };
    match procure::submit_bid(&state, &user.session, p.id, req).await {
        Ok(_) => Ok(see_other(&format!("/procurements/{}#my-bid", p.id))),
        Err(e) => failed(&state, &user, &p, "bid".into(), form, e).await,
    }
}

/// A sealed bid's file, for whom `procure::bid_file` allows.
pub async fn bid_file(State(state): State<AppState>, user: SignedIn, Path((id, n)): Path<(i64, i64)>) -> Page {
    let f = procure::bid_file(&state, &user.session.actor, id, n).await.or_page(&user.shell())?;
    Ok(crate::procure_api::bid_file_response(f))
}

pub async fn withdraw(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, form } = posted;
    let p = procure::visible(&state, &user.session.actor, ids.id).await.or_page(&user.shell())?;
    match procure::withdraw_bid(&state, &user.session, p.id).await {
        Ok(()) => Ok(see_other(&format!("/procurements/{}#my-bid", p.id))),
        Err(e) => failed(&state, &user, &p, "withdraw".into(), form, e).await,
    }
}

/// The kept input for form `which`, else a blank one.
fn pick<'a>(kept: &'a Kept, which: &str, blank: &'a Kept) -> &'a Kept {
    if kept.which == which {
        kept
    } else {
        blank
    }
}

struct Ctx<'a> {
    user: &'a SignedIn,
    p: &'a Procurement,
    kept: &'a Kept,
    blank: Kept,
}

impl Ctx<'_> {
    fn k(&self, which: &str) -> &Kept {
        pick(self.kept, which, &self.blank)
    }
    fn text(&self, which: &str, name: &str, label: &str, hint: Option<&str>) -> Markup {
        let id = fid(which, name);
        let k = self.k(which);
        forms::text_field(&id, label, hint, k.form.get(&id), k.errors.get(&id))
    }
    fn area(&self, which: &str, name: &str, label: &str, hint: Option<&str>) -> Markup {
        let id = fid(which, name);
        let k = self.k(which);
        forms::textarea(&id, &id, label, hint, k.form.get(&id), k.errors.get(&id))
    }
    fn yes_no(&self, which: &str, name: &str, legend: &str, yes: &str, no: &str) -> Markup {
        let id = fid(which, name);
        let k = self.k(which);
        let opts = options(&[("true", yes), ("false", no)]);
        forms::choices(false, &id, legend, None, &opts, &[k.form.get(&id)], k.errors.get(&id))
    }
    fn select(&self, which: &str, name: &str, label: &str, opts: Vec<(String, String)>) -> Markup {
        let id = fid(which, name);
        let k = self.k(which);
        forms::select(&id, label, None, &plain(opts), k.form.get(&id), k.errors.get(&id))
    }
    fn check(&self, which: &str, name: &str, label: &str) -> Markup {
        let id = fid(which, name);
        forms::checkbox(&id, label, None, self.k(which).form.flag(&id))
    }
    /// The confirmation an irreversible action (see `IRREVERSIBLE`) is posted with.
    fn confirm(&self, which: &str, label: &str) -> Markup {
        let id = fid(which, "confirm");
        forms::confirm_box(&id, label, self.k(which).errors.get(&id))
    }
    /// One action's form, posting to `/procurements/{id}/do/{action}`, with problems that name no input.
    fn form(&self, action: &str, challenge: Option<u32>, heading: &str, fields: Markup, button: &str) -> Markup {
        let which = match challenge {
            Some(n) => format!("{action}{n}"),
            None => action.to_string(),
        };
        let k = self.k(&which);
        let general: Vec<&str> =
            k.errors.items.iter().filter(|e| e.key.is_empty()).map(|e| e.message.as_str()).collect();
        html! {
            section.action id={"action-" (which)} {
                h3 { (heading) }
                @for m in &general { p.error-message { (m) } }
                form method="post" action={"/procurements/" (self.p.id) "/do/" (action)} novalidate {
                    (forms::csrf(&self.user.session))
                    @if let Some(n) = challenge { input type="hidden" name="challenge" value=(n); }
                    (fields)
                    div.button-group { (forms::submit(button)) }
                }
            }
        }
    }
}

fn method_options(lang: Lang) -> Vec<(String, String)> {
    Method::ALL.iter().map(|m| (m.code().to_string(), method_label(lang, *m).to_string())).collect()
}

async fn actions(state: &AppState, user: &SignedIn, p: &Procurement, kept: &Kept) -> AppResult<Markup> {
    let lang = user.lang;
    let actor = &user.session.actor;
    let c = Ctx { user, p, kept, blank: Kept::default() };
    let runs = p.runs(actor);
    let member = p.committee.as_ref().and_then(|cm| cm.member(actor.user_id).map(|_| cm));
    let declared = member.is_some_and(|cm| cm.may_see_bids(actor.user_id));
    let finance = is_finance(actor);
    let provider = actor.has(Role::Provider) && !procure::can_view(actor, p);
    let names = bid_names(p);
    let bid_options: Vec<(String, String)> = p
        .evaluated_bids()
        .iter()
        .map(|b| (b.bid_id.to_string(), names.get(&b.bid_id).cloned().unwrap_or_default()))
        .collect();
    let mut out: Vec<Markup> = Vec::new();
    let s = p.stage;
    let time_hint = lang.t("北京时间，格式 YYYY-MM-DD HH:MM", "China time, YYYY-MM-DD HH:MM");
    if runs {
        let negotiates_at_once = p.method == Method::SingleSource && !p.needs_single_source_notice();
        if s == Stage::Draft && !negotiates_at_once {
            out.push(c.form(
                "publish",
                None,
                lang.t("发布采购公告", "Publish the announcement"),
                c.text("publish", "bid_deadline", lang.t("投标（响应）截止时间", "Bid deadline"), Some(time_hint)),
                lang.t("发布公告", "Publish"),
            ));
        }
        if s == Stage::Bidding {
            let mut questions =
                vec![(String::new(), lang.t("（不针对具体问题）", "(not answering a question)").to_string())];
            questions.extend(p.questions.iter().map(|q| (q.id.to_string(), format!("{}. {}", q.id, q.text))));
            out.push(c.form("clarify", None, lang.t("澄清或修改采购文件", "Clarify or amend the documents"), html! {
                @if !p.questions.is_empty() { (c.select("clarify", "answers", lang.t("答复的问题（提问人不公开）", "Question answered (the asker is never named)"), questions)) }
                (c.area("clarify", "text", lang.t("澄清内容", "Clarification"), None))
                (c.check("clarify", "affects_bids", lang.t("影响投标文件编制（截止时间将依法顺延）", "It affects how bids are prepared (the deadline moves as the law requires)")))
            }, lang.t("发布澄清", "Publish the clarification")));
        }
        if matches!(s, Stage::Bidding | Stage::FinalOffers) {
            out.push(c.form(
                "open",
                None,
                lang.t("开标", "Open the bids"),
                c.area(
                    "open",
                    "attendees",
                    lang.t("参加开标人员", "Present at the opening"),
                    Some(lang.t(
                        "每行一人，例如监督人员、投标人代表。截止时间之后才能开标。",
                        "One per line, e.g. supervisors and bidders' representatives. Only after the deadline.",
                    )),
                ),
                lang.t("开标", "Open the bids"),
            ));
        }
        if matches!(s, Stage::Negotiating | Stage::Evaluating) && p.committee.is_none() {
            let staff: Vec<(String, String)> = state
                .store
                .users()
                .await?
                .into_iter()
                .filter(|u| u.org_id == p.purchaser_org_id)
                .map(|u| (u.id.to_string(), u.display_name))
                .collect();
            out.push(c.form("draw_committee", None, lang.t("抽取评审委员会", "Draw the evaluation committee"),
                html! {
                    p.hint { (lang.t("从专家库随机抽取，排除有利害关系的专家；抽取种子记录在案。", "Drawn at random from the expert pool, excluding conflicted experts; the seed is recorded.")) }
                    (forms::choices(true, "draw_committee_representatives", lang.t("采购人代表（可选；专家不少于三分之二）", "Purchaser's representatives (optional; experts stay at least two thirds)"), None, &staff, &c.k("draw_committee").form.all("draw_committee_representatives"), c.k("draw_committee").errors.get("representatives")))
                },
                lang.t("随机抽取", "Draw")));
        }
        if let Some(cm) = &p.committee {
            if cm.members.iter().any(|m| cm.recused(m.user_id)) && matches!(s, Stage::Negotiating | Stage::Evaluating) {
                out.push(c.form(
                    "replace_recused",
                    None,
                    lang.t("补抽回避专家", "Replace recused experts"),
                    html! {},
                    lang.t("补抽", "Draw replacements"),
                ));
            }
        }
        if s == Stage::Confirming {
            let outcome = p.outcome(&state.rules).ok();
            let winners: Vec<(String, String)> = outcome
                .map(|o| o.winners)
                .unwrap_or_default()
                .iter()
                .map(|b| (b.to_string(), names.get(b).cloned().unwrap_or_default()))
                .collect();
            out.push(c.form("award", None, lang.t("确定中标（成交）人", "Confirm the winner"), html! {
                (c.select("award", "bid_id", lang.t("中标（成交）供应商", "Winner"), winners))
                (c.text("award", "tie_reason", lang.t("并列时的选择理由", "Reason if tied"), Some(lang.t("仅在得分与报价均并列时填写，按采购文件规定的规则。", "Only when tied on score and price, under the documents' rule."))))
                (c.confirm("award", lang.t("我确认上述中标（成交）供应商；确定后发布结果公告，不能撤回", "I confirm this winner; the result notice is published and this cannot be undone")))
            }, lang.t("确定中标（成交）人", "Confirm the winner")));
        }
        if s == Stage::Notice || (s == Stage::Draft && negotiates_at_once) {
            out.push(c.form(
                "negotiation",
                None,
                lang.t("记录单一来源价格协商", "Record the single-source negotiation"),
                html! {
                    (c.text("negotiation", "price", lang.t("成交价格（元）", "Agreed price (yuan)"), None))
                    (c.area("negotiation", "minutes", lang.t("协商记录", "Minutes"), None))
                },
                lang.t("记录并确定成交", "Record and award"),
            ));
        }
        if s == Stage::Failed && p.switch.is_none() {
            out.push(c.form(
                "request_switch",
                None,
                lang.t("申请变更采购方式", "Ask finance to change the method"),
                html! {
                    (c.select("request_switch", "to", lang.t("改为", "Change to"), method_options(lang)))
                    (c.area("request_switch", "reason", lang.t("理由", "Reason"), None))
                },
                lang.t("提交申请", "Ask finance"),
            ));
        }
        if s == Stage::Awarded && p.method == Method::FrameworkAgreement {
            let members: Vec<(String, String)> =
                p.award.iter().flat_map(|a| a.members.iter()).map(|w| (w.org_id.to_string(), w.name.clone())).collect();
            out.push(c.form(
                "call_off",
                None,
                lang.t("框架协议下单", "Call off the framework"),
                html! {
                    (c.select("call_off", "org_id", lang.t("供应商", "Provider"), members))
                    (c.text("call_off", "amount", lang.t("金额（元）", "Amount (yuan)"), None))
                    (c.text("call_off", "note", lang.t("说明", "Note"), None))
                },
                lang.t("下单", "Call off"),
            ));
        }
        for ch in p.challenges.iter().filter(|ch| ch.reply.is_none() && ch.complaint.is_none()) {
            let w = format!("reply{}", ch.id);
            out.push(c.form("reply", Some(ch.id), &format!("{}{}", lang.t("答复质疑 ", "Reply to challenge "), ch.id), html! {
                (c.area(&w, "text", lang.t("答复内容", "Reply"), None))
                (c.yes_no(&w, "upheld", lang.t("质疑是否成立", "Is the challenge upheld?"), lang.t("成立", "Upheld"), lang.t("不成立", "Not upheld")))
            }, lang.t("答复", "Reply")));
        }
        if !matches!(s, Stage::Awarded | Stage::Failed) {
            out.push(c.form(
                "abandon",
                None,
                lang.t("终止采购活动", "Abandon the procurement"),
                html! {
                    (c.area("abandon", "reason", lang.t("终止原因", "Reason"), None))
                    (c.confirm("abandon", lang.t("我确认终止本次采购活动，终止后不能恢复", "I confirm: abandon this procurement; this cannot be undone")))
                },
                lang.t("终止采购", "Abandon"),
            ));
        }
    }
    if member.is_some() && !declared && !member.is_some_and(|cm| cm.recused(actor.user_id)) {
        out.push(c.form("declare", None, lang.t("利害关系声明", "Declare any conflict"), html! {
            p.hint { (lang.t("声明后才能查阅投标文件。有利害关系的须回避。", "You see the bids only after declaring. Declare a conflict to step aside.")) }
            (c.yes_no("declare", "no_conflict", lang.t("本人与各投标人是否存在利害关系？", "Do you have a conflict with any bidder?"), lang.t("不存在利害关系", "No conflict"), lang.t("存在利害关系，申请回避", "I have a conflict and step aside")))
        }, lang.t("提交声明", "Declare")));
    }
    if declared {
        if s == Stage::Negotiating {
            out.push(c.form(
                "round",
                None,
                lang.t("记录谈判（磋商）轮次", "Record a negotiation round"),
                c.area("round", "notes", lang.t("谈判记录", "Notes"), None),
                lang.t("记录", "Record"),
            ));
            out.push(c.form(
                "call_final_offers",
                None,
                lang.t("要求最后报价", "Call for final offers"),
                c.text(
                    "call_final_offers",
                    "deadline",
                    lang.t("最后报价截止时间", "Final offers deadline"),
                    Some(time_hint),
                ),
                lang.t("发出", "Call"),
            ));
        }
        if s == Stage::Evaluating {
            out.push(c.form("compliance", None, lang.t("资格与符合性审查", "Compliance review"), html! {
                (c.select("compliance", "bid_id", lang.t("投标人", "Bidder"), bid_options.clone()))
                (c.yes_no("compliance", "qualified", lang.t("审查结论", "Result"), lang.t("通过", "Qualified"), lang.t("不通过", "Not qualified")))
                (c.text("compliance", "reason", lang.t("理由", "Reason"), Some(lang.t("不通过时必须写明。", "Required when not qualified."))))
            }, lang.t("记录审查结论", "Record")));
            out.extend(low_price::committee_forms(&c, lang, &bid_options));
            let crit = criteria(p);
            if !crit.is_empty() {
                let k = c.k("marks");
                out.push(c.form("marks", None, lang.t("评分", "Marks"), html! {
                    p.hint { (lang.t("每个投标人每项评分因素 0–100 分。", "Score each bid on each criterion from 0 to 100.")) }
                    @for b in p.evaluated_bids() {
                        fieldset.field {
                            legend { (names.get(&b.bid_id).map(String::as_str).unwrap_or("?")) }
                            @for cr in &crit {
                                @let id = mark_id(b.bid_id, &cr.key);
                                // What this expert entered before, unless a refused form is being shown again.
                                @let earlier = p.marks.iter().find(|m| m.expert == actor.user_id && m.bid == b.bid_id && m.criterion == cr.key).map(|m| m.score.as_str());
                                @let value = if k.which == "marks" { k.form.get(&id) } else { earlier.unwrap_or("") };
                                (forms::input(Kind::Decimal, &id, &format!("{}（{}）", cr.name, percent(cr.weight_bp)), None, value, k.errors.get(&id)))
                            }
                        }
                    }
                }, lang.t("提交评分", "Submit the marks")));
            }
            out.push(c.form("report", None, lang.t("完成评审", "Finish the evaluation"),
                html! { p.hint { (lang.t("全部专家评分后提交评审报告，按得分排序推荐中标候选人。", "When every expert has marked, submit the report; bids are ranked by score.")) } },
                lang.t("提交评审报告", "Submit the report")));
        }
    }
    if finance {
        if p.switch.as_ref().is_some_and(|sw| sw.decision.is_none()) {
            out.push(c.form("decide_switch", None, lang.t("审批变更采购方式", "Decide the change of method"), html! {
                (c.yes_no("decide_switch", "approve", lang.t("审批意见", "Decision"), lang.t("批准", "Approve"), lang.t("不批准", "Refuse")))
                (c.text("decide_switch", "document_no", lang.t("批复文号", "Approval's document number"), Some(lang.t("公开招标数额标准以上的项目须由设区的市级以上财政部门批准并填写文号。", "At or above the open-tender threshold, the city's (or higher) finance department approves, with its document number."))))
                (c.area("decide_switch", "comment", lang.t("说明", "Comment"), None))
            }, lang.t("提交审批", "Decide")));
        }
        for ch in p.challenges.iter().filter(|ch| ch.complaint.as_ref().is_some_and(|k| k.decision.is_none())) {
            let n = ch.id;
            let (wp, ws, wd) = (format!("pause{n}"), format!("suspend{n}"), format!("decide{n}"));
            let date_hint = Some(lang.t("格式 YYYY-MM-DD", "YYYY-MM-DD"));
            out.push(c.form(
                "pause",
                Some(n),
                &format!("{}{}", lang.t("中止投诉处理期限 · 质疑 ", "Pause the complaint · challenge "), n),
                html! {
                    (c.text(&wp, "from", lang.t("自", "From"), date_hint))
                    (c.text(&wp, "to", lang.t("至", "To"), date_hint))
                },
                lang.t("中止期限", "Pause"),
            ));
            out.push(c.form(
                "suspend",
                Some(n),
                &format!("{}{}", lang.t("暂停采购活动 · 质疑 ", "Suspend the procurement · challenge "), n),
                c.text(&ws, "until", lang.t("暂停至", "Until"), date_hint),
                lang.t("暂停", "Suspend"),
            ));
            let mut consequences = vec![(String::new(), lang.t("无", "None").to_string())];
            consequences.extend(
                Consequence::ALL.iter().map(|q| (q.code().to_string(), lang.t(q.label_zh(), q.label_en()).to_string())),
            );
            out.push(c.form("decide", Some(n), &format!("{}{}", lang.t("作出投诉处理决定 · 质疑 ", "Decide the complaint · challenge "), n), html! {
                (c.yes_no(&wd, "upheld", lang.t("投诉是否成立", "Is the complaint upheld?"), lang.t("成立", "Upheld"), lang.t("不成立，驳回", "Dismissed")))
                (c.select(&wd, "consequence", lang.t("处理方式", "Consequence"), consequences))
                (c.area(&wd, "reasons", lang.t("处理理由", "Reasons"), None))
            }, lang.t("作出决定", "Decide")));
        }
    }
    if provider {
        let v = procure::provider_view(state, actor, p).await?;
        if s == Stage::Bidding && !v.registered_interest {
            out.push(c.form(
                "interest",
                None,
                lang.t("登记参与", "Register your interest"),
                html! {},
                lang.t("登记参与", "Register"),
            ));
        }
        if s == Stage::Bidding {
            out.push(c.form(
                "ask",
                None,
                lang.t("向采购人提问", "Ask the purchaser"),
                c.area(
                    "ask",
                    "text",
                    lang.t("问题", "Question"),
                    Some(lang.t(
                        "答复以澄清公告形式公开，不公开提问人。",
                        "Answers are published as clarifications, without naming who asked.",
                    )),
                ),
                lang.t("提交问题", "Ask"),
            ));
        }
        out.extend(low_price::bidder_form(&c, lang, v.my_low_price.as_ref()));
        let final_round = s == Stage::FinalOffers && v.final_deadline.is_some();
        if s == Stage::Bidding || final_round {
            let k = c.k("bid");
            let has_bid = v.my_bids.iter().any(|b| !b.withdrawn && (b.round == 1) == final_round);
            out.push(html! {
                section.action #action-bid {
                    h3 { @if has_bid { (lang.t("修改密封投标", "Change your sealed bid")) } @else { (lang.t("提交密封投标", "Submit a sealed bid")) } }
                    @for m in k.errors.items.iter().filter(|e| e.key.is_empty()) { p.error-message { (m.message) } }
                    form method="post" action={"/procurements/" (p.id) "/bid"} enctype="multipart/form-data" novalidate {
                        (forms::csrf(&user.session))
                        (forms::input(Kind::Decimal, "bid_price", lang.t("报价（元）", "Price (yuan)"), Some(lang.t("开标前任何人（包括采购人）都无法查看。", "Nobody, the purchaser included, can read it before the opening.")), k.form.get("bid_price"), k.errors.get("bid_price")))
                        (forms::checkbox("bid_small_or_micro", lang.t("本单位为小微企业", "We are a small or micro enterprise"), None, k.form.flag("bid_small_or_micro")))
                        (forms::textarea("bid_proposal", "bid_proposal", lang.t("技术方案", "Technical proposal"), None, k.form.get("bid_proposal"), k.errors.get("bid_proposal")))
                        div.field.(if k.errors.get("file").is_some() { "field--error" } else { "" }) {
                            label.label for="file" { (lang.t("附件（可选，与投标一同密封）", "Attachment (optional, sealed with the bid)")) }
                            @if let Some(m) = k.errors.get("file") { p.error-message #file-error { (m) } }
                            input #file type="file" name="file";
                        }
                        div.button-group { (forms::submit(lang.t("提交投标", "Submit the bid"))) }
                    }
                    @if has_bid {
                        form method="post" action={"/procurements/" (p.id) "/bid/withdraw"} {
                            (forms::csrf(&user.session))
                            div.button-group { button.btn.btn--warning type="submit" { (lang.t("撤回投标", "Withdraw the bid")) } }
                        }
                    }
                }
            });
        }
        if p.published_on.is_some() {
            let abouts: Vec<(String, String)> = ChallengeAbout::ALL
                .iter()
                .map(|a| (a.code().to_string(), lang.t(a.label_zh(), a.label_en()).to_string()))
                .collect();
            out.push(c.form(
                "challenge",
                None,
                lang.t("提出质疑", "Challenge"),
                html! {
                    (c.select("challenge", "about", lang.t("质疑事项", "About"), abouts))
                    (c.area("challenge", "text", lang.t("质疑内容", "Challenge"), None))
                },
                lang.t("提出质疑", "Challenge"),
            ));
        }
        for ch in v.my_challenges.iter().filter(|ch| ch.complaint.is_none()) {
            let w = format!("complain{}", ch.id);
            out.push(c.form(
                "complain",
                Some(ch.id),
                &format!("{}{}", lang.t("向财政部门投诉 · 质疑 ", "Complain to finance · challenge "), ch.id),
                c.area(&w, "text", lang.t("投诉内容", "Complaint"), None),
                lang.t("投诉", "Complain"),
            ));
        }
    }
    Ok(html! {
        h2 #actions { (lang.t("可进行的操作", "What you can do")) }
        @if out.is_empty() { p.muted { (lang.t("目前没有需要您处理的事项。", "There is nothing for you to do here now.")) } }
        @for m in &out { (m) }
    })
}

mod low_price;
mod start;
pub use start::{start, start_form};

/// The project page's part: its procurements, and the way to start one at the procurement step.
pub fn project_section(
    user: &SignedIn,
    p: &Project,
    procurements: &[Procurement],
    approvals: &[shanzhi_domain::procurement::MethodApproval],
    rules: &shanzhi_domain::rules::Rules,
    now: chrono::DateTime<chrono::Utc>,
) -> Markup {
    let lang = user.lang;
    let actor = &user.session.actor;
    let list: Vec<&Procurement> = procurements
        .iter()
        .filter(|x| procure::can_view(actor, x) || (actor.has(Role::Provider) && x.stage != Stage::Draft))
        .collect();
    let may_start = is_own(actor, p) && p.status == Status::Procurement;
    html! {
        @if !list.is_empty() || may_start || !approvals.is_empty() {
            h2 #procurement { (lang.t("组织购买（采购活动）", "Procurement")) }
            @if !list.is_empty() {
                ul { @for x in &list { li {
                    a href={"/procurements/" (x.id)} { (method_label(lang, x.method)) } " " (stage_tag(lang, x.stage))
                } } }
            }
            @for a in approvals.iter().filter(|a| a.can_view(actor)) { (super::approvals::details(lang, a)) }
            @if may_start {
                div.button-group {
                    a.btn href={"/projects/" (p.id) "/procurement"} { (lang.t("发起采购活动", "Start a procurement")) }
                    // At or above the open-tender threshold another method needs the city's approval first.
                    @if crate::approvals::may_apply(p.status, procurements, now) && p.approved_amount().unwrap_or(p.total()) >= rules.open_tender_threshold_for(p.design.regions.first().map(String::as_str).unwrap_or("")) {
                        a.btn.btn--secondary href={"/projects/" (p.id) "/method-approval"} { (lang.t("申请采用其他采购方式", "Apply for another method")) }
                    }
                }
            }
        }
    }
}

// ---- Duties: the work queue and the overdue list ----

/// The actor's procurement duties, for the work queue.
pub async fn queue_section(state: &AppState, user_lang: Lang, actor: &Actor) -> AppResult<Markup> {
    let lang = user_lang;
    let duties = procure::duties(state, actor, true).await?;
    let work = procure::committee_work(state, actor).await?;
    Ok(html! {
        @if !work.is_empty() {
            h2 { (lang.t("评审工作", "Committee work")) }
            ul.queue #committee-work { @for (p, tasks) in &work { li.queue__item {
                a href={"/procurements/" (p.id)} { (p.title) }
                @for t in tasks { " " strong.tag.tag--amber { (lang.t(t.label_zh(), t.label_en())) } }
                p.queue__meta { (p.project_code) " · " (lang.t(p.method.label_zh(), p.method.label_en())) }
            } } }
        }
        @if !duties.is_empty() {
            h2 { (lang.t("采购活动待办", "Procurement duties")) }
            ul.queue #procurement-duties { @for d in &duties { li.queue__item {
                a href={"/procurements/" (d.procurement_id)} { (d.title) }
                " " strong.tag.tag--amber { (duty_label(lang, &d.duty)) }
                p.queue__meta { (d.project_code) " · " (lang.t("截止：", "Due: ")) (due_tag(lang, d.duty.due, d.duty.provisional, d.duty.overdue)) }
            } } }
        }
    })
}

pub async fn overdue(State(state): State<AppState>, user: SignedIn) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let actor = &user.session.actor;
    if !may_see_overdue(actor) {
        return Err(error_page(&shell, AppError::forbidden("read_overdue")));
    }
    let duties = procure::duties(&state, actor, false).await.or_page(&shell)?;
    let procs: HashMap<i64, Procurement> =
        state.store.procurements().await.or_page(&shell)?.into_iter().map(|p| (p.id, p)).collect();
    let today = china_date(state.clock.now());
    let title = lang.t("逾期事项", "Overdue duties");
    let body = html! {
        h1.page-title { (title) }
        @if duties.is_empty() {
            p.notice { (lang.t("没有逾期事项。", "Nothing is overdue.")) }
        } @else {
            div.table-wrap { table.table.table--stack #overdue {
                thead { tr {
                    th scope="col" { (lang.t("采购活动", "Procurement")) } th scope="col" { (lang.t("事项", "Duty")) }
                    th scope="col" { (lang.t("责任方", "Held by")) } th scope="col" { (lang.t("期限", "Due")) }
                    th.num scope="col" { (lang.t("逾期天数", "Days late")) }
                } }
                tbody { @for d in &duties { tr {
                    td data-label=(lang.t("采购活动", "Procurement")) { a href={"/procurements/" (d.procurement_id)} { (d.title) } br; span.small.muted { (d.project_code) } }
                    td data-label=(lang.t("事项", "Duty")) { (duty_label(lang, &d.duty)) }
                    td data-label=(lang.t("责任方", "Held by")) {
                        (holder_label(lang, d.duty.holder))
                        @if d.duty.holder == "purchaser" { @if let Some(p) = procs.get(&d.procurement_id) { " · " (p.purchaser_name) } }
                    }
                    td data-label=(lang.t("期限", "Due")) { (due_tag(lang, d.duty.due, d.duty.provisional, d.duty.overdue)) }
                    td.num data-label=(lang.t("逾期天数", "Days late")) { ((today - d.duty.due).num_days()) }
                } } }
            } }
        }
    };
    Ok(render(StatusCode::OK, page(&shell, title, body)))
}
