//! Red flags for supervisors, finance and the administrator: the filtered list with each flag's evidence, the
//! flags on a project's page, and the counts the public portal shows (per region and department, no evidence).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use serde_json::Value;
use shanzhi_app::red_flags::{FlagTally, PublicFigures, StoredFlag};
use shanzhi_domain::red_flags::FlagCode;

use super::layout::page;
use super::{error_page, render, OrPage, Page, SignedIn};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;

pub fn code_label(lang: Lang, c: FlagCode) -> &'static str {
    lang.t(c.label_zh(), c.label_en())
}

/// What an evidence field is called.
fn evidence_label(lang: Lang, key: &str) -> String {
    let (zh, en) = match key {
        "published_on" => ("公告日期", "Published on"),
        "bid_deadline" => ("截止日期", "Bid deadline"),
        "earliest_allowed" => ("法定最早截止日", "Earliest lawful deadline"),
        "days" => ("期限（日）", "Days"),
        "period" => ("依据", "Rule"),
        "margin_days" => ("提示阈值（日）", "Threshold (days)"),
        "report_on" => ("评审报告日期", "Report on"),
        "due" => ("法定期限", "Statutory deadline"),
        "awarded_on" => ("确定中标日期", "Awarded on"),
        "days_late" => ("逾期天数", "Days late"),
        "bids" => ("投标数", "Bids"),
        "price" => ("中标价格", "Winning price"),
        "budget" => ("预算", "Budget"),
        "below_budget_bp" => ("低于预算（万分比）", "Below budget (bp)"),
        "prices" => ("报价", "Prices"),
        "gap_min" => ("最小差额", "Smallest gap"),
        "gap_max" => ("最大差额", "Largest gap"),
        "disqualified" => ("不合格数", "Disqualified"),
        "mean_of_others" => ("其他有效报价均值", "Mean of the other bids"),
        "next_price" => ("次低报价", "Next lowest bid"),
        "below_mean" => ("低于均值阈值", "Below the mean threshold"),
        "below_next" => ("低于次低价阈值", "Below the next-bid threshold"),
        "awards" => ("中标次数", "Awards"),
        "window_days" => ("统计区间（日）", "Window (days)"),
        "projects" => ("涉及项目", "Projects"),
        "category" => ("品目", "Category"),
        "threshold" => ("限额", "Threshold"),
        "limit" => ("限额金额", "Limit"),
        "purchases" => ("采购次数", "Purchases"),
        "total" => ("合计金额", "Total"),
        "signed_on" => ("签订日期", "Signed on"),
        "original" => ("原合同金额", "Original amount"),
        "supplements" => ("补充合同合计", "Supplements"),
        "used_bp" => ("已用上限（万分比）", "Share of the limit used (bp)"),
        other => return other.to_string(),
    };
    lang.t(zh, en).to_string()
}

fn evidence_value(lang: Lang, v: &Value) -> String {
    match v {
        Value::String(s) => match s.as_str() {
            "procurement_limit" => lang.t("采购限额标准", "Procurement limit").into(),
            "open_tender_threshold" => lang.t("公开招标数额标准", "Open-tender threshold").into(),
            _ => s.clone(),
        },
        Value::Bool(b) => lang.t(if *b { "是" } else { "否" }, if *b { "yes" } else { "no" }).into(),
        Value::Array(items) => {
            items.iter().map(|i| evidence_value(lang, i)).collect::<Vec<_>>().join(lang.t("、", ", "))
        }
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// A flag's evidence, field by field.
pub fn evidence(lang: Lang, f: &StoredFlag) -> Markup {
    html! {
        dl.evidence {
            @if let Some(map) = f.evidence.as_object() {
                @for (k, v) in map {
                    dt { (evidence_label(lang, k)) } dd { (evidence_value(lang, v)) }
                }
            }
        }
    }
}

/// The flags of one project, for its page (empty for readers who may not read flags).
pub fn project_section(lang: Lang, flags: &[StoredFlag]) -> Markup {
    if flags.is_empty() {
        return html! {};
    }
    html! {
        section #red-flags {
            h2 { (lang.t("风险提示", "Red flags")) }
            ul.queue {
                @for f in flags {
                    li.queue__item {
                        strong.tag.tag--red { (code_label(lang, f.code)) }
                        p.queue__meta { (lang.t("提示时间：", "Raised: ")) (lang.datetime(f.raised_at)) }
                        (evidence(lang, f))
                    }
                }
            }
        }
    }
}

/// The supervisors' list.
pub async fn list(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let actor = &user.session.actor;
    if !shanzhi_app::red_flags::may_see(actor) {
        return Err(error_page(&shell, AppError::forbidden("read_red_flags")));
    }
    let q = ListQuery::parse_page(raw.as_deref(), &crate::filters::RED_FLAG_FILTERS).or_page(&shell)?;
    let query = crate::filters::red_flag_query(&q).or_page(&shell)?;
    let listed = shanzhi_app::red_flags::page(&state, actor, &query, q.page).await.or_page(&shell)?;
    let region = q.text("region");
    let places = shanzhi_app::reference::place_choice(&state, region.as_deref()).await.or_page(&shell)?;
    let next = listed.next.map(|cursor| next_page_href("/red-flags", raw.as_deref(), cursor));
    let title = lang.t("风险提示", "Red flags");
    let body = html! {
        h1.page-title { (title) }
        p.lead { (lang.t(
            "根据平台记录自动计算的风险提示，仅提示需关注的采购活动，不作为违法违规的认定。",
            "Indicators computed from the platform's own records: they point at procurements worth a look and decide nothing.",
        )) }
        form.no-print method="get" action="/red-flags" {
            div.field {
                label for="code" { (lang.t("提示类型", "Kind of flag")) }
                select #code name="code" {
                    option value="" { (lang.t("全部", "All")) }
                    @for c in FlagCode::ALL {
                        option value=(c.code()) selected[query.code == Some(*c)] { (code_label(lang, *c)) }
                    }
                }
            }
            div.field {
                label for="year" { (lang.t("年度", "Year")) }
                input #year .input--short name="year" inputmode="numeric" value=[q.text("year")];
            }
            (super::places::place_field(lang, &places, region.as_deref()))
            @if let Some(b) = query.buyer { input type="hidden" name="purchaser" value=(b); }
            @if let Some(p) = query.provider { input type="hidden" name="provider" value=(p); }
            div.button-group { button.btn.btn--secondary type="submit" { (lang.t("筛选", "Filter")) } }
        }
        @if listed.items.is_empty() {
            p.notice { (lang.t("没有符合条件的风险提示。", "No red flags match.")) }
        } @else {
            div.table-wrap { table.table.table--stack #red-flags {
                thead { tr {
                    th scope="col" { (lang.t("提示", "Flag")) }
                    th scope="col" { (lang.t("项目", "Project")) }
                    th scope="col" { (lang.t("采购人", "Buyer")) }
                    th scope="col" { (lang.t("承接主体", "Provider")) }
                    th scope="col" { (lang.t("依据", "Evidence")) }
                } }
                tbody { @for f in &listed.items { tr {
                    td data-label=(lang.t("提示", "Flag")) { strong { (code_label(lang, f.code)) } br; span.small.muted { (lang.date(shanzhi_domain::calendar::china_date(f.raised_at))) } }
                    td data-label=(lang.t("项目", "Project")) { a href={"/projects/" (f.project_id)} { (f.title) } br; span.small.muted { (f.project_code) } }
                    td data-label=(lang.t("采购人", "Buyer")) { a href={"/red-flags?purchaser=" (f.buyer_org_id)} { (f.buyer_name) } }
                    td data-label=(lang.t("承接主体", "Provider")) {
                        @match (f.provider_org_id, &f.provider_name) {
                            (Some(id), Some(name)) => { a href={"/red-flags?provider=" (id)} { (name) } }
                            _ => { "—" }
                        }
                    }
                    td data-label=(lang.t("依据", "Evidence")) { (evidence(lang, f)) }
                } } }
            } }
        }
        @if let Some(href) = &next {
            p.no-print { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } }
        }
    };
    Ok(render(StatusCode::OK, page(&shell, title, body)))
}

/// The public figures: flags of the year under each region and for the departments with most — counts only.
pub fn public_figures(lang: Lang, year: i32, figures: &PublicFigures) -> Markup {
    let table = |caption: &str, head: &str, rows: &[FlagTally], own: &[FlagTally]| {
        html! {
            div.table-wrap { table.table {
                caption { (caption) }
                thead { tr { th scope="col" { (head) } th.num scope="col" { (lang.t("风险提示数", "Red flags")) } } }
                tbody {
                    @for r in rows { tr { td { (r.name) } td.num { (r.flags) } } }
                    @for r in own {
                        tr.own-level { td { (r.name) (lang.t("本级（不属于上列任一地区）", " itself (in none of the places above)")) } td.num { (r.flags) } }
                    }
                }
            } }
        }
    };
    let (places, departments) = (&figures.places, &figures.departments);
    html! {
        section #red-flag-figures {
            h2 { (lang.t("风险提示统计", "Red flags")) " " (year) }
            p.small.muted { (lang.t(
                "平台根据采购记录自动计算的风险提示数量，供社会监督参考；提示不等于违法违规认定。",
                "How many red flags the platform computed from its records, for public oversight; a flag decides nothing.",
            )) }
            @if !places.is_empty() { (table(lang.t("按地区", "By region"), lang.t("地区", "Region"), places, &figures.own)) }
            @if !departments.is_empty() { (table(lang.t("按采购单位", "By department"), lang.t("采购单位", "Department"), departments, &[])) }
        }
    }
}
