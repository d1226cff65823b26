//! One procurement's page: the working record for those who may view it, the provider's own view otherwise.

use axum::extract::State;
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_domain::procurement::{Procurement, Stage};

use super::super::forms::{error_summary, Errors, Form};
use super::super::layout::{breadcrumbs, page};
use super::super::project_view::paras;
use super::super::{Ids, OrPage, Page, SignedIn};
use super::actions::actions;
use super::challenges::{challenge_list, challenges};
use super::command::criteria;
use super::documents::{clarifications, documents_section, schedule};
use super::opening::{bid_names, opening_table};
use super::{due_tag, duty_label, holder_label, low_price, method_label, row, stage_tag};
use crate::error::AppResult;
use crate::AppState;
use shanzhi_app::procurements;

/// Input and problems from one of the page's forms, to show again. `which` names the form.
#[derive(Default)]
pub struct Kept {
    pub which: String,
    pub form: Form,
    pub errors: Errors,
}

pub async fn show(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    let p = procurements::visible(&state, &user.session.actor, ids.id).await.or_page(&user.shell())?;
    proc_page(&state, &user, &p, &Kept::default(), StatusCode::OK).await
}

pub(super) async fn proc_page(
    state: &AppState,
    user: &SignedIn,
    p: &Procurement,
    kept: &Kept,
    status: StatusCode,
) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let actor = &user.session.actor;
    let record = procurements::can_view(actor, p);
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
    super::super::answer(status, page(&shell, &p.title, body))
}

async fn record_view(state: &AppState, user: &SignedIn, p: &Procurement, kept: &Kept) -> AppResult<Markup> {
    let lang = user.lang;
    let actor = &user.session.actor;
    let duties = procurements::duties_of(state, p).await?;
    let names = bid_names(p);
    let outcome = if p.report.is_some() { p.outcome(&state.rules).ok() } else { None };
    let purchaser_side = p.sees_interest(actor);
    let reader = p.may_read_opened(actor);
    let opened = if reader { procurements::opened_bids(state, actor, p).await.unwrap_or_default() } else { vec![] };
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

async fn provider_page(state: &AppState, user: &SignedIn, p: &Procurement, kept: &Kept) -> AppResult<Markup> {
    let lang = user.lang;
    let v = procurements::provider_view(state, &user.session.actor, p).await?;
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
                (row(lang.t("小微企业", "Small or micro"), html! { (super::super::words::yes_no(lang, b.content.small_or_micro)) }))
                (row(lang.t("技术方案", "Proposal"), paras(&b.content.proposal)))
                @if !b.content.files.is_empty() {
                    (row(lang.t("附件", "Attachments"), html! { ul { @for f in &b.content.files { li { a href={"/procurements/" (v.id) "/bid-files/" (f.id)} { (f.name) } } } } }))
                }
                (row(lang.t("回执", "Receipt"), html! { span.hash { (b.receipt) } }))
                (row(lang.t("提交时间", "Submitted"), html! { (super::super::words::audit_time(lang, &b.submitted_at)) }))
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
