//! A project's public page (`/projects/{id}` without signing in), open from its first public notice on: the design
//! in brief, the budget by fund source, the award, the contract with each milestone's acceptance and payment, and
//! the notices. It shows only [`PublicProject`], the domain's one definition of what is public about a project.

use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_domain::notice::Notice;
use shanzhi_domain::project::{PublicContract, PublicProject};

use super::dashboard::{bar_chart, source_label, Row, Series};
use super::layout::{breadcrumbs, page, row};
use super::notices::notice_item;
use super::project_view::paras;
use super::{render, OrPage, Page, Viewer};
use crate::i18n::Lang;
use crate::AppState;

pub async fn show(state: &AppState, v: &Viewer, id: i64) -> Page {
    let shell = v.shell();
    let lang = v.lang;
    let (p, notices) = shanzhi_app::projects::public_project(state, id).await.or_page(&shell)?;
    let places = shanzhi_app::reference::regions_named(state, &p.regions).await.or_page(&shell)?;
    let place_names: Vec<&str> = places.iter().map(|r| r.name.as_str()).collect();
    let answers = shanzhi_app::feedback::published_of_project(state, id).await.or_page(&shell)?;
    let survey = shanzhi_app::surveys::public_tally(state, id).await.or_page(&shell)?;
    let body = html! {
        div.no-print { (breadcrumbs(lang, &[("/notices", lang.t("采购公告", "Procurement notices")), ("", &p.title)])) }
        span.caption { (p.code) }
        h1.page-title { (p.title) }
        p.lead { (lang.t("本页为公开信息，无需登录即可查阅。", "Public information: no sign-in needed.")) }
        dl.summary-list #public-summary {
            (row(lang.t("采购人", "Purchaser"), html! { (p.purchaser) }))
            (row(lang.t("服务地区", "Where"), html! { (place_names.join(lang.t("、", ", "))) }))
            (row(lang.t("服务期限", "Service period"), html! { (lang.date(p.period_start)) " – " (lang.date(p.period_end)) }))
            (row(lang.t("当前环节", "Step"), html! { (lang.t(p.status.label_zh(), p.status.label_en())) }))
            (row(lang.t("服务内容", "Service"), paras(&p.content)))
            (row(lang.t("预算金额", "Budget"), html! { (lang.money(p.budget)) }))
        }
        h2 { (lang.t("资金来源", "Where the money comes from")) }
        (funding(lang, &p))
        @if let Some(a) = &p.award {
            h2 { (lang.t("确定承接主体", "Provider chosen")) }
            dl.summary-list #public-award {
                (row(lang.t("方式", "How"), html! { (lang.t(a.method_zh, a.method_en)) }))
                (row(lang.t("承接主体", "Provider"), html! { a href={"/providers/" (a.provider_org_id)} { (a.provider) } }))
                (row(lang.t("金额", "Amount"), html! { (lang.money(a.amount)) }))
                (row(lang.t("日期", "On"), html! { (lang.date(a.on)) }))
            }
        }
        @if let Some(c) = &p.contract { (contract(lang, c)) }
        @if let Some(e) = &p.evaluation { (evaluation(lang, e)) }
        @if let Some(t) = &survey {
            h2 { (lang.t("服务对象满意度测评", "Service users' satisfaction")) }
            (super::survey::tally_view(lang, t))
        }
        @if let Some(on) = p.cancelled_on {
            p.notice { (lang.t("本项目已于", "Cancelled on ")) (lang.date(on)) (lang.t("撤销。", ".")) }
        }
        h2 { (lang.t("公告", "Notices")) }
        (notice_list(lang, &notices))
        (super::feedback::published_section(lang, id, &answers))
    };
    Ok(render(StatusCode::OK, page(&shell, &p.title, body)))
}

/// The budget's lines by fund source and year: a chart, and the same figures as a table beside it.
fn funding(lang: Lang, p: &PublicProject) -> Markup {
    let rows: Vec<Row> = p
        .funding
        .iter()
        .map(|f| Row { label: format!("{} {}", source_label(lang, f.source), f.year), values: vec![f.amount] })
        .collect();
    // One series, so one colour: a source's own colour on every bar would mislabel the others.
    let series = [Series { name: lang.t("金额", "Amount"), fill: "fill-general" }];
    html! {
        (bar_chart(lang, "public-funding", lang.t("按来源和年度", "By source and year"), &series, &rows))
        table.table #public-funding-table {
            thead { tr { th { (lang.t("资金来源", "Source")) } th { (lang.t("年度", "Year")) } th.num { (lang.t("金额", "Amount")) } } }
            tbody {
                @for f in &p.funding {
                    tr { td { (source_label(lang, f.source)) } td { (f.year) } td.num { (lang.money(f.amount)) } }
                }
            }
        }
    }
}

/// The contract and each milestone: due, amount, accepted and paid or not yet.
fn contract(lang: Lang, c: &PublicContract) -> Markup {
    let rows = vec![
        Row { label: lang.t("合同金额", "Contract").into(), values: vec![c.amount] },
        Row { label: lang.t("已支付", "Paid").into(), values: vec![c.paid] },
    ];
    let series = [Series { name: lang.t("金额", "Amount"), fill: "fill-general" }];
    html! {
        h2 { (lang.t("合同与验收", "Contract and acceptance")) }
        dl.summary-list #public-contract {
            (row(lang.t("承接主体", "Provider"), html! { a href={"/providers/" (c.provider_org_id)} { (c.provider) } }))
            (row(lang.t("合同期限", "Term"), html! { (lang.date(c.start)) " – " (lang.date(c.end)) }))
            (row(lang.t("签订日期", "Signed on"), html! { (lang.date(c.signed_on)) }))
            @if let Some(on) = c.terminated_on { (row(lang.t("合同终止", "Ended early"), html! { (lang.date(on)) })) }
        }
        (bar_chart(lang, "public-paid", lang.t("合同金额与已支付", "Contract and paid"), &series, &rows))
        table.table #public-milestones {
            thead { tr {
                th { (lang.t("验收节点", "Milestone")) } th { (lang.t("到期", "Due")) } th.num { (lang.t("金额", "Amount")) }
                th { (lang.t("验收与支付", "Accepted and paid")) }
            } }
            tbody {
                @for m in &c.milestones {
                    tr {
                        td { (m.name) } td { (lang.date(m.due)) } td.num { (lang.money(m.amount)) }
                        td { @match m.accepted_on {
                            Some(on) => {
                                (lang.t("已验收并支付，", "Accepted and paid on ")) (lang.date(on))
                                @if m.withheld.is_positive() {
                                    " · " (lang.t("按绩效评价等级支付 ", "paid by grade ")) (lang.money(m.paid))
                                    (lang.t("，扣减 ", ", withheld ")) (lang.money(m.withheld))
                                }
                            },
                            None => { (lang.t(m.status.label_zh(), m.status.label_en())) },
                        } }
                    }
                }
            }
        }
    }
}

/// The evaluation's result: the grade, each party's total, and the third party's points per indicator as a
/// table (the evidence and opinions are not public).
fn evaluation(lang: Lang, e: &shanzhi_domain::project::PublicEvaluation) -> Markup {
    html! {
        h2 { (lang.t("绩效评价", "Performance evaluation")) }
        dl.summary-list #public-evaluation {
            (row(lang.t("综合得分", "Total"), html! { strong { (e.total.display()) } " " (super::evaluation::grade_tag(lang, e.grade)) }))
            (row(lang.t("第三方评估机构", "Third-party evaluator"), html! { (e.evaluator) }))
            (row(lang.t("评价完成日期", "Finished on"), html! { (lang.date(e.finished_on)) }))
            @for (party, total) in &e.parts {
                (row(lang.t(party.label_zh(), party.label_en()), html! { (total.display()) }))
            }
        }
        @if !e.lines.is_empty() {
            table.table #public-evaluation-lines {
                thead { tr {
                    th { (lang.t("指标", "Indicator")) } th.num { (lang.t("权重", "Weight")) } th.num { (lang.t("目标值", "Target")) }
                    th.num { (lang.t("完成值", "Achieved")) } th.num { (lang.t("得分", "Points")) }
                } }
                tbody { @for l in &e.lines { tr {
                    td { (l.indicator) } td.num { (l.weight) } td.num { (lang.quantity(l.target)) }
                    td.num { @if let Some(a) = l.achieved { (lang.quantity(a)) } @else { "—" } } td.num { (l.points.display()) }
                } } }
            }
        }
    }
}

fn notice_list(lang: Lang, notices: &[Notice]) -> Markup {
    html! { ul.queue #public-notices { @for n in notices { (notice_item(lang, n, false)) } } }
}
