//! The statistics dashboard, for supervisors, finance and administrators: the year's totals on cards;
//! bars for where the money came from and went (each chart titled, its figures also as text and in a
//! table); townships shaded by the money they received; the welfare-lottery earmark with its warnings;
//! and the CSV and XLSX downloads. Bars are inline SVG sized by attributes: the CSP allows no inline style.

use std::collections::HashMap;

use axum::extract::{Query, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use maud::{html, Markup};
use shanzhi_domain::budget::{split, FundSource};
use shanzhi_domain::statistics::{share, EarmarkWarning, Shown, Statistics};
use shanzhi_domain::Money;

use super::layout::page;
use super::words::wan;
use super::{render, OrPage, Page, SignedIn};
use crate::error::AppError;
use crate::export::{self, Format};
use crate::i18n::Lang;
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;
use shanzhi_app::reference::PlaceChoice;

/// `?region=`, the place the page is narrowed to; empty (the chooser's "everywhere") is none.
fn region(q: &HashMap<String, String>) -> Option<&str> {
    q.get("region").map(String::as_str).filter(|r| !r.is_empty())
}

/// Loads the statistics of `?year=` as the user may read them (the whole platform, or its region subtree),
/// narrowed to `?region=`, for a download; anyone else, or a region outside the reader's, gets the error page.
async fn load(
    state: &AppState,
    user: &SignedIn,
    q: &HashMap<String, String>,
    list: Shown,
) -> Result<Statistics, axum::response::Response> {
    let shell = user.shell();
    let year = export::parse_year(q.get("year").map(String::as_str)).or_page(&shell)?;
    shanzhi_app::statistics::for_reader(state, &user.session.actor, year, region(q), list).await.or_page(&shell)
}

pub async fn show(State(state): State<AppState>, user: SignedIn, Query(q): Query<HashMap<String, String>>) -> Page {
    let shell = user.shell();
    let year = export::parse_year(q.get("year").map(String::as_str)).or_page(&shell)?;
    let list = Shown::First(shanzhi_app::statistics::FIRST_SHOWN);
    let (stats, places) = shanzhi_app::statistics::with_places(&state, &user.session.actor, year, region(&q), list)
        .await
        .or_page(&shell)?;
    let social_work = state.rules.social_work_categories.join("、");
    Ok(render(StatusCode::OK, dashboard(&user, &stats, &places, region(&q), &social_work)))
}

/// Under a long list that shows only its first `shown` of `total` (a province's departments or townships): how many
/// there are, and where the rest are — a narrower place, or the downloads, which hold them all. `what` says which
/// `shown` of how many, in Chinese and English, given the two numbers.
fn more(lang: Lang, total: Option<u32>, shown: usize, what: fn(u32, usize) -> (String, String), this: &str) -> Markup {
    let Some(total) = total.filter(|t| *t as usize > shown) else { return html! {} };
    let (zh, en) = what(total, shown);
    html! {
        p.small.muted {
            (lang.t(&format!("以上为{zh}；可在上方选择地区缩小范围，或"), &format!("These are {en}: choose a place above to narrow them, or ")))
            a href={"/dashboard/export.csv" (this)} download { (lang.t("下载 CSV", "download the CSV")) }
            (lang.t("查看全部。", " for all of them."))
        }
    }
}

/// The query of a statistics link: the year and the place, each when there is one.
fn query(year: Option<i32>, region: Option<&str>) -> String {
    let year = year.map(|y| y.to_string());
    crate::paging::query_of(&[("year", year.as_deref()), ("region", region)])
}

async fn download(state: &AppState, user: &SignedIn, q: &HashMap<String, String>, format: Format) -> Page {
    let stats = load(state, user, q, Shown::All).await?;
    let bytes = format.write(&stats, user.lang).map_err(AppError::internal).or_page(&user.shell())?;
    let disposition = format!("attachment; filename=\"{}\"", format.filename(stats.year, region(q)));
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

pub async fn csv(State(state): State<AppState>, user: SignedIn, Query(q): Query<HashMap<String, String>>) -> Page {
    download(&state, &user, &q, Format::Csv).await
}

pub async fn xlsx(State(state): State<AppState>, user: SignedIn, Query(q): Query<HashMap<String, String>>) -> Page {
    download(&state, &user, &q, Format::Xlsx).await
}

/// `"0.0435"` → `"4.35%"`, by integer arithmetic on the digits.
fn percent(share: &str) -> String {
    let (whole, frac) = share.split_once('.').unwrap_or((share, "0"));
    match (whole.parse::<i64>(), format!("{frac:0<4}").get(..4).and_then(|f| f.parse::<i64>().ok())) {
        (Ok(w), Some(f)) => {
            let bp = w * 10_000 + f;
            format!("{}.{:02}%", bp / 100, bp % 100)
        }
        _ => share.to_string(),
    }
}

/// A length out of `scale` for `value` against `max`, at least a sliver when the value is not zero.
fn length(value: Money, max: Money, scale: i64) -> i64 {
    if max.fen() <= 0 || value.fen() <= 0 {
        return 0;
    }
    let l = (i128::from(value.fen()) * i128::from(scale) / i128::from(max.fen())) as i64;
    l.max(scale / 200).max(1)
}

pub(crate) fn source_label(lang: Lang, s: FundSource) -> &'static str {
    lang.t(s.label_zh(), s.label_en())
}

/// Colour class of a fund source: the same in the stacked bar, the legend and the bars.
fn source_fill(s: FundSource) -> &'static str {
    match s {
        FundSource::GeneralBudget => "fill-general",
        FundSource::WelfareLottery => "fill-lottery",
        FundSource::EmploymentFund => "fill-employment",
        FundSource::SocialFunds => "fill-social",
        FundSource::Other => "fill-other",
    }
}

pub(crate) struct Series<'a> {
    pub(crate) name: &'a str,
    pub(crate) fill: &'static str,
}

pub(crate) struct Row {
    pub(crate) label: String,
    pub(crate) values: Vec<Money>,
}

/// Horizontal bars, one line per series in each row, scaled to the largest value. The labels and figures
/// are text beside the bars, so the chart reads the same without seeing them.
pub(crate) fn bar_chart(lang: Lang, id: &str, title: &str, series: &[Series], rows: &[Row]) -> Markup {
    let max = rows.iter().flat_map(|r| r.values.iter().copied()).max().unwrap_or(Money::ZERO);
    html! {
        figure.chart aria-labelledby={(id) "-title"} {
            figcaption.chart__title #{(id) "-title"} { (title) }
            @if series.len() > 1 { (legend(series.iter().map(|s| (s.fill, s.name.to_string())))) }
            @if rows.is_empty() {
                p.muted { (lang.t("本年度没有数据。", "Nothing in this year.")) }
            } @else {
                ul.chart__rows {
                    @for r in rows {
                        li.chart__row {
                            span.chart__label { (r.label) }
                            span.chart__bars {
                                @for (s, v) in series.iter().zip(&r.values) {
                                    span.chart__line {
                                        svg.chart__bar viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true" focusable="false" {
                                            rect.chart__track width="1000" height="10" {}
                                            rect class=(s.fill) width=(length(*v, max, 1000)) height="10" {}
                                        }
                                        span.chart__value {
                                            @if series.len() > 1 { span.visually-hidden { (s.name) " " } }
                                            (lang.money(*v))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One bar of [`bars`]: its label, how much of the track it fills (thousandths), the figure written beside it,
/// its colour, and where a marker stands on the track (thousandths), if anywhere.
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) permille: i64,
    pub(crate) text: String,
    pub(crate) fill: &'static str,
    pub(crate) marker: Option<i64>,
}

/// Thousandths of `whole` that `part` makes, within the track.
pub(crate) fn permille(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        0
    } else {
        (i128::from(part.clamp(0, whole)) * 1000 / i128::from(whole)) as i64
    }
}

/// Horizontal bars of figures that are not money (points, counts, a target's progress), one per row, each with its
/// figure as text beside it.
pub(crate) fn bars(id: &str, title: &str, rows: &[Bar]) -> Markup {
    html! {
        figure.chart aria-labelledby={(id) "-title"} {
            figcaption.chart__title #{(id) "-title"} { (title) }
            ul.chart__rows {
                @for b in rows {
                    li.chart__row {
                        span.chart__label { (b.label) }
                        span.chart__bars { span.chart__line {
                            svg.chart__bar viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true" focusable="false" {
                                rect.chart__track width="1000" height="10" {}
                                rect class=(b.fill) width=(b.permille) height="10" {}
                                @if let Some(x) = b.marker { rect.fill-other x=(x) width="6" height="10" {} }
                            }
                            span.chart__value { (b.text) }
                        } }
                    }
                }
            }
        }
    }
}

fn swatch(fill: &str) -> Markup {
    html! {
        svg.swatch viewBox="0 0 10 10" aria-hidden="true" focusable="false" { rect class=(fill) width="10" height="10" {} }
    }
}

fn legend(items: impl Iterator<Item = (&'static str, String)>) -> Markup {
    html! { ul.legend { @for (fill, text) in items { li { (swatch(fill)) " " (text) } } } }
}

/// One 100 % bar split by fund source: the share of each in the year's contracts.
pub(crate) fn source_stack(lang: Lang, s: &Statistics) -> Markup {
    let total = s.by_fund_source.total();
    let parts: Vec<(FundSource, Money)> = s.by_fund_source.iter().collect();
    // Widths in thousandths that add up to exactly 1000, split as money is.
    let weights: Vec<Money> = parts.iter().map(|p| p.1).collect();
    let widths = split(Money::from_fen(1000), &weights);
    let figures: Vec<String> = parts
        .iter()
        .map(|(src, m)| format!("{} {}（{}）", source_label(lang, *src), percent(&share(*m, total)), lang.money(*m)))
        .collect();
    let mut x = 0;
    let segments: Vec<(FundSource, i64, i64)> = parts
        .iter()
        .zip(&widths)
        .map(|((src, _), w)| {
            let at = x;
            x += w.fen();
            (*src, at, w.fen())
        })
        .filter(|(_, _, w)| *w > 0)
        .collect();
    html! {
        figure.chart aria-labelledby="stack-title" {
            figcaption.chart__title #stack-title { (lang.t("资金来源构成", "Where the money came from")) }
            @if total.fen() == 0 {
                p.muted { (lang.t("本年度没有签订合同。", "No contracts were signed in this year.")) }
            } @else {
                svg.stack viewBox="0 0 1000 40" preserveAspectRatio="none" role="img" aria-labelledby="stack-svg-title stack-svg-desc" {
                    title #stack-svg-title { (lang.t("资金来源构成", "Where the money came from")) }
                    desc #stack-svg-desc { (figures.join(lang.t("；", "; "))) }
                    @for (src, at, w) in &segments {
                        rect class=(source_fill(*src)) x=(at) y="0" width=(w) height="40" {}
                    }
                }
                (legend(parts.iter().zip(&figures).map(|((src, _), f)| (source_fill(*src), f.clone()))))
            }
        }
    }
}

/// The yearly trend: a column per year for the contracted total, its social-funds part darker at the foot,
/// the share above. The same figures follow in a table.
pub(crate) fn trend_chart(lang: Lang, s: &Statistics) -> Markup {
    let max = s.trend.iter().map(|t| t.contracted).max().unwrap_or(Money::ZERO);
    // Narrow enough that a dozen years fit a desktop column; the stylesheet keeps it legible on a phone.
    let step = 56;
    let width = (s.trend.len() as i64 * step + 16).max(320);
    let (base, tall) = (200, 160);
    let desc: Vec<String> = s
        .trend
        .iter()
        .map(|t| {
            format!(
                "{}{} {}，{} {}",
                t.year,
                lang.t("年", ":"),
                lang.money(t.contracted),
                lang.t("社会资金占", "social funds"),
                percent(&t.social_funds_share)
            )
        })
        .collect();
    html! {
        figure.chart aria-labelledby="trend-title" {
            figcaption.chart__title #trend-title { (lang.t("历年合同金额与社会资金占比", "Contracts and the social-funds share by year")) }
            (legend([("fill-total", lang.t("合同金额", "Contracted").to_string()), ("fill-social", lang.t("其中社会资金", "of which social funds").to_string())].into_iter()))
            // Wide on a phone: a region that scrolls sideways, reachable by keyboard too.
            div.chart-scroll tabindex="0" role="group" aria-labelledby="trend-title" {
                svg.trend viewBox={"0 0 " (width) " 230"} role="img" aria-labelledby="trend-svg-title trend-svg-desc" {
                    title #trend-svg-title { (lang.t("历年合同金额与社会资金占比", "Contracts and the social-funds share by year")) }
                    desc #trend-svg-desc { (desc.join(lang.t("；", "; "))) }
                    line.axis x1="0" y1=(base) x2=(width) y2=(base) {}
                    @for (i, t) in s.trend.iter().enumerate() {
                        @let x = i as i64 * step + 12;
                        @let h = length(t.contracted, max, tall);
                        @let hs = length(t.social_funds, max, tall).min(h);
                        rect.fill-total x=(x) y=(base - h) width="40" height=(h) {}
                        @if hs > 0 { rect.fill-social x=(x) y=(base - hs) width="40" height=(hs) {} }
                        text.trend__share x=(x + 20) y=(base - h - 6) text-anchor="middle" { (percent(&t.social_funds_share)) }
                        text.trend__year x=(x + 20) y=(base + 20) text-anchor="middle" { (t.year) }
                    }
                }
            }
        }
    }
}

/// `.shade-0` (nothing) to `.shade-5` (the most), in fifths of the largest amount, rounded up.
fn shade(value: Money, max: Money) -> String {
    let n = if value.fen() <= 0 || max.fen() <= 0 {
        0
    } else {
        ((i128::from(value.fen()) * 5 + i128::from(max.fen()) - 1) / i128::from(max.fen())).clamp(1, 5)
    };
    format!("shade-{n}")
}

fn details(lang: Lang, body: Markup) -> Markup {
    html! {
        details.data-table {
            summary { (lang.t("以表格查看数据", "Show the figures as a table")) }
            (body)
        }
    }
}

fn dashboard(user: &SignedIn, s: &Statistics, places: &PlaceChoice, region: Option<&str>, social_work: &str) -> Markup {
    let shell = user.shell();
    let lang = shell.lang;
    let mut title = match (s.year, lang) {
        (Some(y), Lang::Zh) => format!("{y}年统计"),
        (Some(y), Lang::En) => format!("Statistics {y}"),
        (None, _) => lang.t("全部年度统计", "Statistics, all years").to_string(),
    };
    if let Some(place) = places.path.last() {
        title = format!("{} · {title}", place.name);
    }
    let this = query(s.year, region);
    let t = &s.totals;
    let money_col = lang.t("合同金额", "Contracted");
    let paid_col = lang.t("已支付", "Paid");
    let projects_col = lang.t("项目数", "Projects");
    let posts_col = lang.t("岗位数", "Posts");
    let sources: Vec<Row> = FundSource::ALL
        .iter()
        .map(|f| Row {
            label: source_label(lang, *f).into(),
            values: vec![s.by_fund_source.get(*f), s.paid_by_fund_source.get(*f)],
        })
        .collect();
    let departments: Vec<Row> =
        s.by_department.iter().map(|d| Row { label: d.name.clone(), values: vec![d.contracted, d.paid] }).collect();
    let categories: Vec<Row> = s
        .by_category
        .iter()
        .map(|c| Row { label: format!("{} {}", c.code, c.name), values: vec![c.contracted] })
        .collect();
    let kinds: Vec<Row> = s
        .by_provider_kind
        .iter()
        .map(|k| Row { label: lang.t(&k.name, k.kind.label_en()).to_string(), values: vec![k.contracted] })
        .collect();
    let areas: Vec<Row> = [
        (lang.t("城镇", "Urban"), s.by_area.urban),
        (lang.t("农村", "Rural"), s.by_area.rural),
        (lang.t("全区性（不分乡镇）", "District-wide"), s.by_area.district_wide),
    ]
    .into_iter()
    .map(|(l, a)| Row { label: l.to_string(), values: vec![a.contracted] })
    .collect();
    let most = s.townships.iter().map(|t| t.contracted).max().unwrap_or(Money::ZERO);
    let body = html! {
        span.caption { (lang.t("统计与分析", "Statistics")) }
        h1.page-title { (title) }
        nav.year-switcher aria-label=(lang.t("选择年度", "Choose the year")) {
            ul {
                li { a href={"/dashboard" (query(None, region))} aria-current=[s.year.is_none().then_some("page")] { (lang.t("全部年度", "All years")) } }
                @for tr in s.trend.iter().rev() {
                    li { a href={"/dashboard" (query(Some(tr.year), region))} aria-current=[(s.year == Some(tr.year)).then_some("page")] { (tr.year) } }
                }
            }
        }
        form.no-print method="get" action="/dashboard" {
            @if let Some(y) = s.year { input type="hidden" name="year" value=(y); }
            (super::places::place_field(lang, places, region))
            div.button-group { button.btn.btn--secondary type="submit" { (lang.t("查看", "Show")) } }
        }
        p.muted { (lang.t(
            "金额按当年签订的合同统计，并按各合同的资金来源拆分；已支付按当年验收支付统计。",
            "Amounts are those of contracts signed in the year, split over each contract's fund sources; payments are those made in the year.",
        )) }
        div.cards.cards--stats {
            div.card { p.card__title { (lang.t("合同金额", "Contracted")) } p.card__value { (wan(lang, t.contracted)) } }
            div.card { p.card__title { (lang.t("已支付", "Paid")) } p.card__value { (wan(lang, t.paid)) } }
            div.card { p.card__title { (lang.t("签订合同", "Contracts signed")) } p.card__value { (t.contracts) } }
            div.card { p.card__title { (lang.t("购买社工岗位", "Social-work posts bought")) } p.card__value { (t.posts) } }
            div.card { p.card__title { (lang.t("社会资金占比", "Social funds' share")) } p.card__value { (percent(&s.social_funds_share)) } }
        }
        p.downloads {
            (lang.t("下载全部统计表：", "Download every table: "))
            a href={"/dashboard/export.xlsx" (this)} download { "Excel（XLSX）" }
            " · "
            a href={"/dashboard/export.csv" (this)} download { "CSV" }
        }

        h2 { (lang.t("资金来源", "Fund sources")) }
        (source_stack(lang, s))
        (bar_chart(lang, "chart-sources", lang.t("按资金来源：合同金额与已支付", "By fund source: contracted and paid"), &[Series { name: money_col, fill: "fill-total" }, Series { name: paid_col, fill: "fill-paid" }], &sources))
        (details(lang, html! {
            div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("资金来源", "Fund source")) } th.num scope="col" { (money_col) }
                    th.num scope="col" { (lang.t("占比", "Share")) } th.num scope="col" { (paid_col) }
                } }
                tbody { @for (f, m) in s.by_fund_source.iter() { tr {
                    th scope="row" data-label=(lang.t("资金来源", "Fund source")) { (source_label(lang, f)) }
                    td.num data-label=(money_col) { (lang.money(m)) }
                    td.num data-label=(lang.t("占比", "Share")) { (percent(&share(m, s.by_fund_source.total()))) }
                    td.num data-label=(paid_col) { (lang.money(s.paid_by_fund_source.get(f))) }
                } } }
            } }
        }))

        h2 { (lang.t("购买主体", "Purchasing departments")) }
        (bar_chart(lang, "chart-departments", lang.t("按购买主体：合同金额与已支付", "By department: contracted and paid"), &[Series { name: money_col, fill: "fill-total" }, Series { name: paid_col, fill: "fill-paid" }], &departments))
        (details(lang, html! {
            div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("购买主体", "Department")) } th.num scope="col" { (projects_col) }
                    th.num scope="col" { (money_col) } th.num scope="col" { (paid_col) }
                } }
                tbody { @for d in &s.by_department { tr {
                    th scope="row" data-label=(lang.t("购买主体", "Department")) { (d.name) }
                    td.num data-label=(projects_col) { (d.projects) }
                    td.num data-label=(money_col) { (lang.money(d.contracted)) }
                    td.num data-label=(paid_col) { (lang.money(d.paid)) }
                } } }
            } }
        }))
        (more(lang, s.departments_total, s.by_department.len(), |total, shown| (format!(" {total} 个购买主体中金额最大的 {shown} 个"), format!("the {shown} largest of {total} departments")), &this))

        h2 { (lang.t("服务类别", "Service categories")) }
        (bar_chart(lang, "chart-categories", lang.t("按指导性目录一级类别：合同金额", "By catalogue head: contracted"), &[Series { name: money_col, fill: "fill-total" }], &categories))
        (details(lang, html! {
            div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("类别", "Category")) } th.num scope="col" { (projects_col) } th.num scope="col" { (money_col) }
                } }
                tbody { @for c in &s.by_category {
                    tr {
                        th scope="row" data-label=(lang.t("类别", "Category")) { (c.code) " " (c.name) }
                        td.num data-label=(projects_col) { (c.projects) }
                        td.num data-label=(money_col) { (lang.money(c.contracted)) }
                    }
                    @for g in &c.groups { tr {
                        td data-label=(lang.t("类别", "Category")) { span.muted { "└ " } (g.code) " " (g.name) }
                        td.num data-label=(projects_col) { (g.projects) }
                        td.num data-label=(money_col) { (lang.money(g.contracted)) }
                    } }
                } }
            } }
        }))

        h2 { (lang.t("承接主体类型", "Kinds of provider")) }
        (bar_chart(lang, "chart-providers", lang.t("按承接主体类型：合同金额", "By kind of provider: contracted"), &[Series { name: money_col, fill: "fill-total" }], &kinds))
        (details(lang, html! {
            div.table-wrap { table.table.table--stack {
                thead { tr { th scope="col" { (lang.t("承接主体类型", "Kind")) } th.num scope="col" { (projects_col) } th.num scope="col" { (money_col) } } }
                tbody { @for k in &s.by_provider_kind { tr {
                    th scope="row" data-label=(lang.t("承接主体类型", "Kind")) { (lang.t(&k.name, k.kind.label_en())) }
                    td.num data-label=(projects_col) { (k.projects) }
                    td.num data-label=(money_col) { (lang.money(k.contracted)) }
                } } }
            } }
        }))

        h2 { (lang.t("年度趋势", "Trend")) }
        (trend_chart(lang, s))
        (details(lang, html! {
            div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("年度", "Year")) } th.num scope="col" { (lang.t("合同数", "Contracts")) }
                    th.num scope="col" { (money_col) } th.num scope="col" { (lang.t("社会资金", "Social funds")) }
                    th.num scope="col" { (lang.t("社会资金占比", "Share")) } th.num scope="col" { (paid_col) }
                } }
                tbody { @for tr in &s.trend { tr {
                    th scope="row" data-label=(lang.t("年度", "Year")) { (tr.year) }
                    td.num data-label=(lang.t("合同数", "Contracts")) { (tr.contracts) }
                    td.num data-label=(money_col) { (lang.money(tr.contracted)) }
                    td.num data-label=(lang.t("社会资金", "Social funds")) { (lang.money(tr.social_funds)) }
                    td.num data-label=(lang.t("社会资金占比", "Share")) { (percent(&tr.social_funds_share)) }
                    td.num data-label=(paid_col) { (lang.money(tr.paid)) }
                } } }
            } }
        }))

        h2 { (lang.t("城乡与乡镇（街道）", "Towns, countryside and townships")) }
        (bar_chart(lang, "chart-areas", lang.t("城乡分布：合同金额", "Urban and rural: contracted"), &[Series { name: money_col, fill: "fill-total" }], &areas))
        p.muted { (lang.t(
            "跨多个乡镇的项目在每个乡镇各计一个项目，金额在这些乡镇间平均分配；全区性项目不计入乡镇。岗位按设岗单位所在乡镇统计。颜色越深，合同金额越多。",
            "A project in several townships counts in each, its amount split evenly between them; district-wide projects count in none. Posts count where their host unit is. The darker the row, the more money.",
        )) }
        h3 #townships-title { (lang.t("各乡镇（街道）项目、岗位与合同金额", "Projects, posts and money by township")) }
        div.table-wrap { table.table.table--stack.township-table aria-labelledby="townships-title" {
            thead { tr {
                th scope="col" { (lang.t("乡镇（街道）", "Township")) } th scope="col" { (lang.t("城乡", "Area")) }
                th.num scope="col" { (projects_col) } th.num scope="col" { (posts_col) } th.num scope="col" { (money_col) }
            } }
            tbody { @for tw in &s.townships { tr class=(shade(tw.contracted, most)) {
                th scope="row" data-label=(lang.t("乡镇（街道）", "Township")) { (tw.name) " " span.small.muted { (tw.code) } }
                td data-label=(lang.t("城乡", "Area")) { (if tw.urban { lang.t("城镇", "Urban") } else { lang.t("农村", "Rural") }) }
                td.num data-label=(projects_col) { (tw.projects) }
                td.num data-label=(posts_col) { (tw.posts) }
                td.num data-label=(money_col) { (lang.money(tw.contracted)) }
            } } }
        } }
        (more(lang, s.townships_total, s.townships.len(), |total, shown| (format!(" {total} 个乡镇（街道）中按代码排列的前 {shown} 个"), format!("the first {shown} by code of {total} townships")), &this))

        h2 { (lang.t("福彩公益金社工专项", "Welfare-lottery earmark for social work")) }
        p.muted { (match lang {
            Lang::Zh => format!("每年下达的福彩公益金按比例提取用于购买社会工作服务（服务类别以 {} 开头）。", social_work),
            Lang::En => format!("A share of each year's welfare-lottery fund is earmarked for social-work purchases (categories starting {}).", social_work),
        }) }
        @if s.welfare_lottery_earmark.is_empty() {
            p.muted { (lang.t("没有福彩公益金预算。", "No welfare-lottery budget.")) }
        } @else {
            div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("年度", "Year")) } th.num scope="col" { (lang.t("福彩公益金", "Lottery fund")) }
                    th.num scope="col" { (lang.t("社工专项", "Earmark")) } th.num scope="col" { (lang.t("已用于社会工作", "Used for social work")) }
                    th.num scope="col" { (lang.t("尚未使用", "Not yet used")) } th.num scope="col" { (lang.t("用于社会工作以外", "Used outside social work")) }
                } }
                tbody { @for e in &s.welfare_lottery_earmark { tr {
                    th scope="row" data-label=(lang.t("年度", "Year")) { (e.year) }
                    td.num data-label=(lang.t("福彩公益金", "Lottery fund")) { (lang.money(e.allocated)) }
                    td.num data-label=(lang.t("社工专项", "Earmark")) { (lang.money(e.earmark)) " " span.small.muted { "(" (percent(&export::bp_share(e.share_bp))) ")" } }
                    td.num data-label=(lang.t("已用于社会工作", "Used for social work")) { (lang.money(e.used)) }
                    td.num data-label=(lang.t("尚未使用", "Not yet used")) { (lang.money(e.remaining)) }
                    td.num data-label=(lang.t("用于社会工作以外", "Used outside social work")) {
                        @if e.outside_social_work.fen() > 0 { strong.tag.tag--amber { (lang.money(e.outside_social_work)) } }
                        @else { (lang.money(e.outside_social_work)) }
                    }
                } } }
            } }
            @let warnings: Vec<_> = s.welfare_lottery_earmark.iter().flat_map(|e| e.warnings.iter().map(move |w| (e.year, w))).collect();
            @if !warnings.is_empty() {
                div.notice.notice--warning role="region" aria-labelledby="earmark-warnings" {
                    h3 #earmark-warnings { (lang.t("提醒：以下项目使用了福彩公益金，但不属于社会工作类别", "Warning: these projects use welfare-lottery money outside social work")) }
                    (warning_list(lang, warnings.iter().map(|(y, w)| (*y, *w))))
                    @for e in &s.welfare_lottery_earmark {
                        @if let Some(total) = e.warnings_total.filter(|t| *t as usize > e.warnings.len()) {
                            p { a href={"/dashboard/warnings" (query(Some(e.year), region))} {
                                (lang.t(&format!("{}年共 {total} 项，查看全部", e.year), &format!("All {total} of {}", e.year)))
                            } }
                        }
                    }
                }
            }
        }
    };
    page(&shell, &title, body)
}

/// Warnings as a list: year, project, category, purchasing department and the lottery money.
fn warning_list<'a>(lang: Lang, warnings: impl Iterator<Item = (i32, &'a EarmarkWarning)>) -> Markup {
    html! { ul #warnings {
        @for (year, w) in warnings {
            li {
                (year) " · " a href={"/projects/" (w.project_id)} { (w.code) " " (w.title) }
                " · " (w.category) " · " (w.purchaser) " · " strong { (lang.money(w.amount)) }
            }
        }
    } }
}

/// Every welfare-lottery warning of `?year=` the reader may see, newest first, a page at a time.
pub async fn warnings(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Page {
    let shell = user.shell();
    let lang = shell.lang;
    let q = ListQuery::parse_page(raw.as_deref(), &crate::filters::STATISTICS_FILTERS).or_page(&shell)?;
    let year = export::parse_year(q.text("year").as_deref()).or_page(&shell)?;
    let actor = &user.session.actor;
    let listed = shanzhi_app::statistics::warnings(&state, actor, year, q.text("region").as_deref(), q.page)
        .await
        .or_page(&shell)?;
    let next = listed.next.map(|cursor| next_page_href("/dashboard/warnings", raw.as_deref(), cursor));
    let title = lang.t("福彩公益金使用预警", "Welfare-lottery warnings");
    let back = format!("/dashboard{}", query(year, q.text("region").as_deref().filter(|r| !r.is_empty())));
    let body = html! {
        h1.page-title { (title) @if let Some(y) = year { " · " (y) } }
        p.lead { (lang.t("以下项目使用了福彩公益金，但不属于社会工作类别；按项目从新到旧排列。", "These projects use welfare-lottery money outside social work, newest first.")) }
        @if listed.items.is_empty() {
            p.notice { (lang.t("没有预警。", "No warnings.")) }
        } @else {
            (warning_list(lang, listed.items.iter().map(|w| (w.year, &w.warning))))
        }
        p.no-print {
            @if let Some(href) = &next { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } " " }
            a href=(back) { (lang.t("返回统计", "Back to the statistics")) }
        }
    };
    Ok(render(StatusCode::OK, page(&shell, title, body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_shades() {
        assert_eq!(percent("0.0435"), "4.35%");
        assert_eq!(percent("1.0000"), "100.00%");
        assert_eq!(percent("0.0000"), "0.00%");
        assert_eq!(shade(Money::ZERO, Money::from_yuan(10)), "shade-0");
        assert_eq!(shade(Money::from_fen(1), Money::from_yuan(10)), "shade-1");
        assert_eq!(shade(Money::from_yuan(6), Money::from_yuan(10)), "shade-3");
        assert_eq!(shade(Money::from_yuan(10), Money::from_yuan(10)), "shade-5");
        assert_eq!(length(Money::from_yuan(1), Money::from_yuan(1_000_000), 1000), 5, "a sliver, not nothing");
        assert_eq!(length(Money::from_yuan(50), Money::from_yuan(100), 1000), 500);
        assert_eq!(length(Money::ZERO, Money::ZERO, 1000), 0);
    }
}
