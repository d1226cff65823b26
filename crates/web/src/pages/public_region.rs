//! A place's public page (`/regions/{code}`, no sign-in): what was contracted and paid within it, by fund source,
//! by category and by year, each as a chart with the same figures in a table beside it; a year to choose; the
//! places above and below. Only contracts and payments, which notices have made public: never budgets.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use maud::html;
use shanzhi_app::statistics::public_region;
use shanzhi_domain::budget::FundSource;
use shanzhi_domain::error::ErrorCode;

use super::dashboard::{bar_chart, source_label, source_stack, trend_chart, Row, Series};
use super::layout::{breadcrumbs, page, row};
use super::{render, OrPage, Page, Viewer};
use crate::error::AppError;
use crate::paging::ListQuery;
use crate::AppState;

pub async fn show(State(state): State<AppState>, v: Viewer, Path(code): Path<String>, RawQuery(raw): RawQuery) -> Page {
    let shell = v.shell();
    let lang = v.lang;
    let q = ListQuery::parse_unpaged(raw.as_deref(), &["year"]).or_page(&shell)?;
    let year: Option<i32> = q.number("year").or_page(&shell)?;
    if year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        let e = AppError::bad_request(
            ErrorCode::InvalidParameter,
            "年度应在 2000 到 2100 之间",
            "the year must be from 2000 to 2100",
        );
        return Err(e).or_page(&shell);
    }
    let r = public_region(&state, &code, year).await.or_page(&shell)?;
    let s = &r.statistics;
    let name = r.region.name.clone();
    let by_source: Vec<(FundSource, shanzhi_domain::Money, shanzhi_domain::Money)> =
        FundSource::ALL.iter().map(|f| (*f, s.by_fund_source.get(*f), s.paid_by_fund_source.get(*f))).collect();
    let categories: Vec<Row> =
        s.by_category.iter().map(|c| Row { label: c.name.clone(), values: vec![c.contracted] }).collect();
    let amount = [Series { name: lang.t("合同金额", "Contracted"), fill: "fill-general" }];
    let here = format!("/regions/{code}");
    let body = html! {
        div.no-print { (breadcrumbs(lang, &[("/notices", lang.t("采购公告", "Procurement notices")), ("", &name)])) }
        span.caption { (lang.t(r.region.level.label_zh(), r.region.level.label_en())) }
        h1.page-title { (name) @if let Some(y) = year { " · " (y) (lang.t("年度", "")) } }
        p.lead { (lang.t("本地区（含下辖各地）购买服务的合同与支付，均来自已公开的公告；无需登录即可查阅。",
                         "Contracts and payments for services bought in this place and the places under it, all from published notices; no sign-in needed.")) }
        form.no-print method="get" action=(here) {
            div.field {
                label for="year" { (lang.t("年度（留空为全部年度）", "Year (empty for every year)")) }
                input #year name="year" type="number" min="2000" max="2100" value=[year];
            }
            div.button-group { button.btn.btn--secondary type="submit" { (lang.t("查看", "Show")) } }
        }
        dl.summary-list #region-totals {
            @if let Some(p) = &r.parent { (row(lang.t("上级", "Within"), html! { a href={"/regions/" (p.code)} { (p.name) } })) }
            (row(lang.t("合同数", "Contracts"), html! { (s.totals.contracts) }))
            (row(lang.t("合同金额", "Contracted"), html! { (lang.money(s.totals.contracted)) }))
            (row(lang.t("已支付", "Paid"), html! { (lang.money(s.totals.paid)) }))
            (row(lang.t("公告", "Notices"), html! { a href={"/notices?region=" (code)} { (lang.t("本地区的采购公告", "This place's notices")) } }))
        }
        h2 { (lang.t("按资金来源", "By fund source")) }
        (source_stack(lang, s))
        table.table #region-sources {
            thead { tr { th { (lang.t("资金来源", "Source")) } th.num { (lang.t("合同金额", "Contracted")) } th.num { (lang.t("已支付", "Paid")) } } }
            tbody { @for (f, c, p) in &by_source { tr { td { (source_label(lang, *f)) } td.num { (lang.money(*c)) } td.num { (lang.money(*p)) } } } }
        }
        h2 { (lang.t("按服务类别", "By category")) }
        (bar_chart(lang, "region-categories", lang.t("各类别合同金额", "Contracted by category"), &amount, &categories))
        table.table #region-categories-table {
            thead { tr { th { (lang.t("类别", "Category")) } th.num { (lang.t("项目数", "Projects")) } th.num { (lang.t("合同金额", "Contracted")) } } }
            tbody { @for c in &s.by_category { tr { td { (c.name) } td.num { (c.projects) } td.num { (lang.money(c.contracted)) } } } }
        }
        h2 { (lang.t("按年度", "By year")) }
        (trend_chart(lang, s))
        table.table #region-years {
            thead { tr { th { (lang.t("年度", "Year")) } th.num { (lang.t("合同数", "Contracts")) } th.num { (lang.t("合同金额", "Contracted")) } th.num { (lang.t("已支付", "Paid")) } } }
            tbody { @for t in &s.trend { tr {
                td { a href={(here) "?year=" (t.year)} { (t.year) } } td.num { (t.contracts) } td.num { (lang.money(t.contracted)) } td.num { (lang.money(t.paid)) }
            } } }
        }
        @if !r.children.is_empty() {
            h2 { (lang.t("下辖地区", "Places under it")) }
            ul.region-children #region-children {
                @for c in &r.children { li { a href={"/regions/" (c.code) @if let Some(y) = year { "?year=" (y) }} { (c.name) } } }
            }
        }
    };
    Ok(render(StatusCode::OK, page(&shell, &name, body)))
}
