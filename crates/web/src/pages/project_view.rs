//! How a project reads: the step tracker, its details (shared by the project page and the printable view),
//! notices about returns and closures, and the history timeline.

use std::collections::HashMap;

use maud::{html, Markup};
use shanzhi_domain::audit::AuditEvent;
use shanzhi_domain::catalogue::Category;
use shanzhi_domain::org::{Organisation, Region};
use shanzhi_domain::project::{Milestone, Project, PurchaseMode, Status, STEPS};

use super::layout::{breadcrumbs, row};
use super::words::{
    action_label, audit_time, milestone_tag, period, status_label, status_tag, step_label, wan, wan_exact, yes_no,
};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::AppState;

/// Reference data pages look names up in.
pub struct Refs {
    pub catalogue: Vec<Category>,
    pub regions: Vec<Region>,
    pub orgs: Vec<Organisation>,
    /// The configured rules (e.g. which categories the welfare-lottery earmark counts as social work).
    pub rules: shanzhi_domain::rules::Rules,
}

impl Refs {
    /// Nothing looked up yet: a page fills in what it names.
    pub fn empty(state: &AppState) -> Refs {
        Refs { catalogue: Vec::new(), regions: Vec::new(), orgs: Vec::new(), rules: state.rules.clone() }
    }

    /// Only the places `codes` name, each read by its code: for pages that show a few records' places.
    pub async fn places_named(state: &AppState, codes: &[String]) -> AppResult<Refs> {
        Ok(Refs {
            catalogue: Vec::new(),
            regions: shanzhi_app::reference::regions_named(state, codes).await?,
            orgs: Vec::new(),
            rules: state.rules.clone(),
        })
    }

    /// What one project's page names: the catalogue and the project's own regions, read one by one rather
    /// than the province's whole list.
    pub async fn for_project(state: &AppState, p: &Project) -> AppResult<Refs> {
        Ok(Refs {
            catalogue: shanzhi_app::reference::catalogue(state).await?,
            regions: shanzhi_app::reference::regions_named(state, &p.design.regions).await?,
            orgs: Vec::new(),
            rules: state.rules.clone(),
        })
    }

    pub fn category(&self, code: &str) -> String {
        self.catalogue.iter().find(|c| c.code == code).map_or_else(|| code.to_string(), |c| c.name.clone())
    }

    pub fn region(&self, code: &str) -> String {
        self.regions.iter().find(|r| r.code == code).map_or_else(|| code.to_string(), |r| r.name.clone())
    }
}

/// Title block of a form about project `p`: breadcrumbs back to it, caption, heading.
pub fn form_heading(lang: Lang, p: &Project, title: &str) -> Markup {
    let href = format!("/projects/{}", p.id);
    html! {
        (breadcrumbs(lang, &[("/projects", lang.t("项目", "Projects")), (&href, &p.code), ("", title)]))
        span.caption { (p.code) " · " (p.design.title) }
        h1.page-title { (title) }
    }
}

/// Lines of free text, kept as lines.
pub fn paras(text: &str) -> Markup {
    html! { @for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() { @if i > 0 { br; } (line) } }
}

/// Basis points as a percent without trailing zeros: 5000 → "50%", 3333 → "33.33%".
pub fn percent(bp: u32) -> String {
    let s = format!("{}.{:02}", bp / 100, bp % 100);
    format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
}

/// The six-step tracker; closed projects show their end state instead of a current step.
pub fn tracker(lang: Lang, p: &Project) -> Markup {
    let current = p.status.step_index();
    let done_through = match p.status {
        Status::Completed => STEPS.len(),
        Status::Terminated => STEPS.len() - 1,
        _ => current.unwrap_or(0),
    };
    html! {
        ol.steps aria-label=(lang.t("项目进度", "Progress")) {
            @for (i, step) in STEPS.iter().enumerate() {
                @let class = if i < done_through { "steps__item steps__item--done" }
                    else if current == Some(i) { "steps__item steps__item--current" } else { "steps__item" };
                li class=(class) aria-current=[(current == Some(i)).then_some("step")] {
                    span.steps__label { (step_label(lang, step)) }
                }
            }
        }
        @if p.status.is_closed() { p { (status_tag(lang, p.status)) } }
    }
}

/// Returned, cancelled or terminated: say so, and why, before anything else.
pub fn closure_notice(lang: Lang, p: &Project) -> Markup {
    html! {
        @if p.is_returned() {
            @if let Some(r) = p.reviews.last() {
                div.notice.notice--warning {
                    h2 { (lang.t("项目已被退回修改", "The project was returned for changes")) }
                    p { strong { (lang.t("审核意见：", "Reviewer's comment: ")) } (r.comment) }
                    p.small { (r.reviewer_name) " · " (r.org_name) " · " (lang.datetime(r.at)) }
                }
            }
        }
        @if let Some(c) = &p.cancellation {
            div.notice.notice--warning {
                h2 { (lang.t("项目已撤销", "The project was cancelled")) }
                p { strong { (lang.t("原因：", "Reason: ")) } (c.reason) }
                p.small { (lang.datetime(c.at)) }
            }
        }
        @if let Some(t) = p.contract.as_ref().and_then(|c| c.termination.as_ref()) {
            div.notice.notice--warning {
                h2 { (lang.t("合同已终止", "The contract was terminated")) }
                p { strong { (lang.t("原因：", "Reason: ")) } (t.reason) }
                p.small { (lang.datetime(t.at)) }
            }
        }
    }
}

/// Everything known about the project, section by section.
pub fn details(lang: Lang, p: &Project, refs: &Refs) -> Markup {
    let d = &p.design;
    let regions: Vec<String> = d.regions.iter().map(|r| refs.region(r)).collect();
    let groups: Vec<&str> = d.target_groups.iter().map(|g| lang.t(g.label_zh(), g.label_en())).collect();
    let sep = lang.t("、", ", ");
    html! {
        h2 { (lang.t("项目设计", "Design")) }
        dl.summary-list {
            (row(lang.t("项目编号", "Project code"), html! { (p.code) }))
            (row(lang.t("项目状态", "Status"), status_tag(lang, p.status)))
            (row(lang.t("服务类别", "Service category"), html! { (refs.category(&d.category)) " " span.muted { "(" (d.category) ")" } }))
            (row(lang.t("购买主体", "Purchaser"), html! { (p.purchaser_name) }))
            (row(lang.t("服务区域", "Areas served"), html! { (regions.join(sep)) }))
            (row(lang.t("服务对象", "Who is served"), html! { (groups.join(sep)) }))
            (row(lang.t("购买方式", "Purchase mode"), html! { (lang.t(d.mode.label_zh(), d.mode.label_en())) }))
            (row(lang.t("服务期限", "Service period"), html! { (period(lang, d.period_start, d.period_end)) }))
            (row(lang.t("持续性服务", "Continuing service"), html! { (yes_no(lang, d.continuing)) }))
            @if !p.cost_lines.is_empty() {
                (row(lang.t("预算金额", "Budget"), html! { (wan(lang, p.total())) }))
            }
            (row(lang.t("服务内容", "Service content"), paras(&d.content)))
            (row(lang.t("服务标准", "Service standards"), paras(&d.standards)))
        }
        h2 { (lang.t("绩效目标", "Performance targets")) }
        div.table-wrap { table.table.table--stack {
            thead { tr {
                th scope="col" { (lang.t("指标类别", "Group")) } th scope="col" { (lang.t("指标", "Indicator")) }
                th scope="col" { (lang.t("目标值", "Target")) } th scope="col" { (lang.t("单位", "Unit")) }
            } }
            tbody { @for t in &d.targets { tr {
                td data-label=(lang.t("指标类别", "Group")) { (lang.t(t.group.label_zh(), t.group.label_en())) }
                td data-label=(lang.t("指标", "Indicator")) { (t.indicator) }
                td data-label=(lang.t("目标值", "Target")) { (t.target) }
                td data-label=(lang.t("单位", "Unit")) { (t.unit) }
            } } }
        } }
        @if d.mode == PurchaseMode::Post {
            h2 { (lang.t("购买岗位", "Posts")) }
            div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("设岗单位", "Host unit")) } th scope="col" { (lang.t("岗位名称", "Post")) }
                    th.num scope="col" { (lang.t("数量", "Count")) }
                } }
                tbody { @for post in &d.posts { tr {
                    td data-label=(lang.t("设岗单位", "Host unit")) { (post.host_name) }
                    td data-label=(lang.t("岗位名称", "Post")) { (post.title) }
                    td.num data-label=(lang.t("数量", "Count")) { (post.count) }
                } } }
            } }
        }
        (cost_table(lang, p))
        (funding_table(lang, p, refs))
        @if !p.reviews.is_empty() || p.content_review_skipped.is_some() {
            h2 { (lang.t("审核意见", "Review decisions")) }
            @if let Some(skip) = p.content_review_skipped {
                p.notice { (lang.t(skip.label_zh(), skip.label_en())) }
            }
            @if !p.reviews.is_empty() { div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("审核环节", "Stage")) } th scope="col" { (lang.t("结论", "Decision")) }
                    th scope="col" { (lang.t("意见", "Comment")) } th scope="col" { (lang.t("审核人", "Reviewer")) }
                    th scope="col" { (lang.t("时间", "When")) }
                } }
                tbody { @for r in &p.reviews { tr {
                    td data-label=(lang.t("审核环节", "Stage")) { (lang.t(r.stage.label_zh(), r.stage.label_en())) }
                    td data-label=(lang.t("结论", "Decision")) {
                        @if r.approved { strong.tag.tag--green { (lang.t("通过", "Approved")) } }
                        @else { strong.tag.tag--red { (lang.t("退回", "Returned")) } }
                    }
                    td data-label=(lang.t("意见", "Comment")) { (r.comment) }
                    td data-label=(lang.t("审核人", "Reviewer")) { (r.reviewer_name) " · " (r.org_name) }
                    td data-label=(lang.t("时间", "When")) { (lang.datetime(r.at)) }
                } } }
            } } }
        }
        @if let Some(a) = &p.award {
            h2 { (lang.t("承接主体", "Provider")) }
            dl.summary-list {
                (row(lang.t("承接主体", "Provider"), html! { (a.provider.name) " " span.muted { "(" (lang.t(a.provider.kind.label_zh(), a.provider.kind.label_en())) ")" } }))
                (row(lang.t("确定方式", "Method"), html! { @let (zh, en) = a.method_label(); (lang.t(zh, en)) }))
                (row(lang.t("理由", "Justification"), paras(&a.justification)))
                (row(lang.t("确定时间", "Decided"), html! { (lang.datetime(a.at)) }))
            }
        }
        (contract(lang, p))
    }
}

/// Which budgets pay, and — once contracted — what each has committed and paid.
pub fn funding_table(lang: Lang, p: &Project, refs: &Refs) -> Markup {
    let committed = p.committed_by_line();
    let paid = p.paid_by_line();
    let social_work = refs.rules.is_social_work(&p.design.category);
    let lottery = p.funding.iter().any(|l| l.source == shanzhi_domain::budget::FundSource::WelfareLottery);
    html! {
        @if !p.funding.is_empty() {
            h2 { (lang.t("资金来源", "Funding")) }
            @if lottery && !social_work {
                div.notice.notice--warning { p { (lang.t(
                    "提示：本项目使用福彩公益金，但服务类别不属于社会工作服务；福彩公益金按比例提取的部分应用于社会工作项目。",
                    "Note: this project uses welfare-lottery money, but its category is not a social-work service; the lottery fund's earmarked share is meant for social-work projects.",
                )) } }
            }
            div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("预算年度", "Year")) } th scope="col" { (lang.t("资金来源", "Source")) }
                    th.num scope="col" { (lang.t("计划", "Planned")) } th.num scope="col" { (lang.t("合同承诺", "Committed")) }
                    th.num scope="col" { (lang.t("已支付", "Paid")) }
                } }
                tbody { @for (i, l) in p.funding.iter().enumerate() { tr {
                    td data-label=(lang.t("预算年度", "Year")) { (l.year) }
                    td data-label=(lang.t("资金来源", "Source")) { (lang.t(l.source.label_zh(), l.source.label_en())) }
                    td.num data-label=(lang.t("计划", "Planned")) { (lang.money(l.amount)) }
                    td.num data-label=(lang.t("合同承诺", "Committed")) { (lang.money(committed[i])) }
                    td.num data-label=(lang.t("已支付", "Paid")) { (lang.money(paid[i])) }
                } } }
            } }
        }
    }
}

pub fn cost_table(lang: Lang, p: &Project) -> Markup {
    html! {
        @if !p.cost_lines.is_empty() {
            h2 { (lang.t("费用测算", "Cost estimate")) }
            div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("类别", "Kind")) } th scope="col" { (lang.t("费用名称", "Item")) }
                    th.num scope="col" { (lang.t("数量", "Quantity")) } th scope="col" { (lang.t("单位", "Unit")) }
                    th.num scope="col" { (lang.t("单价", "Unit price")) } th.num scope="col" { (lang.t("金额", "Amount")) }
                } }
                tbody { @for l in &p.cost_lines { tr {
                    td data-label=(lang.t("类别", "Kind")) { (lang.t(l.kind.label_zh(), l.kind.label_en())) }
                    td data-label=(lang.t("费用名称", "Item")) {
                        (l.item)
                        @if l.over_standard {
                            " " strong.tag.tag--amber { (lang.t("超标准", "Above standard")) }
                            br; span.small.muted { (lang.t("理由：", "Reason: ")) (l.reason) }
                        }
                    }
                    td.num data-label=(lang.t("数量", "Quantity")) { (l.quantity.display()) }
                    td data-label=(lang.t("单位", "Unit")) { (l.unit) }
                    td.num data-label=(lang.t("单价", "Unit price")) { (lang.money(l.unit_price)) }
                    td.num data-label=(lang.t("金额", "Amount")) { (lang.money(l.amount)) }
                } } }
                tfoot { tr {
                    th scope="row" colspan="5" { (lang.t("合计", "Total")) }
                    td.num data-label=(lang.t("合计", "Total")) { strong { (lang.money(p.total())) } }
                } }
            } }
        }
    }
}

fn contract(lang: Lang, p: &Project) -> Markup {
    let Some(c) = &p.contract else { return html! {} };
    html! {
        h2 { (lang.t("合同", "Contract")) }
        dl.summary-list {
            (row(lang.t("甲方（购买主体）", "Purchaser"), html! { (p.purchaser_name) }))
            (row(lang.t("乙方（承接主体）", "Provider"), html! { (c.provider.name) }))
            (row(lang.t("合同金额", "Amount"), wan_exact(lang, c.amount)))
            @if c.total() != c.amount {
                (row(lang.t("含补充合同", "With supplementary contracts"), wan_exact(lang, c.total())))
            }
            (row(lang.t("合同期限", "Term"), html! { (period(lang, c.start, c.end)) }))
            (row(lang.t("签订日期", "Signed on"), html! { (lang.date(c.signed_on)) }))
        }
        h3 { (lang.t("验收节点", "Milestones")) }
        div.table-wrap { table.table.table--stack {
            thead { tr {
                th scope="col" { (lang.t("节点", "Milestone")) } th.num scope="col" { (lang.t("付款比例", "Share")) }
                th.num scope="col" { (lang.t("金额", "Amount")) } th scope="col" { (lang.t("验收日期", "Due")) }
                th scope="col" { (lang.t("状态", "Status")) }
            } }
            tbody { @for m in &c.milestones { tr {
                td data-label=(lang.t("节点", "Milestone")) { (m.name) }
                td.num data-label=(lang.t("付款比例", "Share")) {
                    @match m.supplement {
                        Some(n) => { (lang.t("补充合同 ", "Supplement ")) (n) }
                        None => (percent(m.share_bp)),
                    }
                }
                td.num data-label=(lang.t("金额", "Amount")) { (lang.money(m.amount)) }
                td data-label=(lang.t("验收日期", "Due")) { (lang.date(m.due)) }
                td data-label=(lang.t("状态", "Status")) { (milestone_tag(lang, m.status)) }
            } } }
        } }
        @for (i, m) in c.milestones.iter().enumerate() { (reports(lang, i, m)) }
    }
}

fn reports(lang: Lang, i: usize, m: &Milestone) -> Markup {
    html! {
        @if !m.reports.is_empty() {
            h3 id={"milestone-" (i)} { (lang.t("服务报告：", "Service reports: ")) (m.name) }
            @for r in &m.reports {
                dl.summary-list {
                    (row(lang.t("提交时间", "Filed"), html! { (lang.datetime(r.filed_at)) }))
                    (row(lang.t("服务人数", "People served"), html! { (r.beneficiaries) }))
                    (row(lang.t("服务时长（小时）", "Hours"), html! { (r.hours.display()) }))
                    (row(lang.t("服务情况", "Summary"), paras(&r.summary)))
                    @if !r.outputs.is_empty() {
                        (row(lang.t("绩效完成情况", "Results"), html! { ul { @for o in &r.outputs { li { (o.indicator) "：" (o.actual) } } } }))
                    }
                    @if !r.files.is_empty() {
                        (row(lang.t("附件", "Files"), html! { ul { @for f in &r.files { li { a href={"/files/" (f.id)} { (f.name) } } } } }))
                    }
                }
            }
            @for d in &m.decisions {
                div.notice.notice--success[d.accepted].notice--warning[!d.accepted] {
                    p {
                        strong { @if d.accepted { (lang.t("验收通过", "Accepted")) } @else { (lang.t("验收不通过", "Rejected")) } }
                        " · " (lang.datetime(d.at))
                    }
                    @if !d.reason.is_empty() { p { (d.reason) } }
                }
            }
        }
    }
}

fn status_of(v: &serde_json::Value) -> Option<Status> {
    v.get("status").and_then(|s| s.as_str()).and_then(Status::parse)
}

/// The project's audit events, oldest first, each with its place in the public chain.
pub fn timeline(lang: Lang, events: &[AuditEvent], names: &HashMap<i64, String>) -> Markup {
    html! {
        ol.timeline {
            @for e in events {
                li.timeline__item {
                    span.timeline__time { (audit_time(lang, &e.at)) }
                    span.timeline__title { (action_label(lang, &e.action)) }
                    div.timeline__body {
                        p.small {
                            (e.actor_id.and_then(|id| names.get(&id)).unwrap_or(&e.actor_name))
                            @match (status_of(&e.before), status_of(&e.after)) {
                                (Some(b), Some(a)) if a != b => { " · " (status_label(lang, b)) " → " (status_label(lang, a)) }
                                (None, Some(a)) => { " · " (status_label(lang, a)) }
                                _ => {}
                            }
                        }
                        p.small.muted {
                            (lang.t("审计记录", "Audit record")) " #" (e.seq) " · "
                            span.hash title=(e.hash) { (e.hash.get(..12).unwrap_or(&e.hash)) }
                        }
                    }
                }
            }
        }
    }
}
