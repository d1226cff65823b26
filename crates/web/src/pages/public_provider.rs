//! A provider's public page (`/providers/{id}`, no sign-in): who it is, its contracted amounts by year (a chart and
//! a table beside it), and the public projects it was awarded, each with what was paid, newest first, a page at a
//! time. Nothing personal: no contact, no resident ID number.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use maud::html;
use shanzhi_app::provider_record::provider_record;

use super::dashboard::{bar_chart, Row, Series};
use super::layout::{breadcrumbs, page, row};
use super::{render, OrPage, Page, Viewer};
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;

pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Page {
    let shell = v.shell();
    let lang = v.lang;
    let id: i64 = id.parse().map_err(|_| shanzhi_app::Error::not_found()).or_page(&shell)?;
    let q = ListQuery::parse_page(raw.as_deref(), &[]).or_page(&shell)?;
    let r = provider_record(&state, id, q.page).await.or_page(&shell)?;
    let region = match &r.region {
        Some(code) => {
            shanzhi_app::reference::regions_named(&state, std::slice::from_ref(code)).await.or_page(&shell)?.pop()
        }
        None => None,
    };
    let path = format!("/providers/{id}");
    let next = r.projects.next.map(|cursor| next_page_href(&path, raw.as_deref(), cursor));
    let rows: Vec<Row> =
        r.years.iter().map(|y| Row { label: y.year.to_string(), values: vec![y.contracted] }).collect();
    let series = [Series { name: lang.t("合同金额", "Contracted"), fill: "fill-general" }];
    let body = html! {
        div.no-print { (breadcrumbs(lang, &[("/notices", lang.t("采购公告", "Procurement notices")), ("", &r.name)])) }
        span.caption { (lang.t("承接主体", "Provider")) }
        h1.page-title { (r.name) }
        p.lead { (lang.t("本页为公开信息，无需登录即可查阅。", "Public information: no sign-in needed.")) }
        dl.summary-list #provider-summary {
            (row(lang.t("类型", "Kind"), html! { (lang.t(r.kind.label_zh(), r.kind.label_en())) }))
            @if let Some(code) = &r.uscc { (row(lang.t("统一社会信用代码", "Unified social credit code"), html! { (code) })) }
            @if let Some(place) = &region { (row(lang.t("所在地", "Based in"), html! { (place.name) })) }
            (row(lang.t("公开项目", "Public projects"), html! { (r.years.iter().map(|y| y.projects).sum::<i64>()) }))
        }
        p.no-print { a #provider-feedback href={"/providers/" (id) "/feedback"} { (lang.t("对该承接主体的服务提意见", "Give feedback on this provider's services")) } }
        h2 { (lang.t("历年合同金额", "Contracted by year")) }
        (bar_chart(lang, "provider-years", lang.t("按项目年度", "By the project's year"), &series, &rows))
        table.table #provider-years-table {
            thead { tr { th { (lang.t("年度", "Year")) } th.num { (lang.t("项目数", "Projects")) } th.num { (lang.t("合同金额", "Contracted")) } } }
            tbody { @for y in &r.years { tr { td { (y.year) } td.num { (y.projects) } td.num { (lang.money(y.contracted)) } } } }
        }
        h2 { (lang.t("承接的项目", "Projects awarded")) }
        @if r.projects.items.is_empty() {
            p.muted { (lang.t("尚无公开的项目。", "No public project yet.")) }
        } @else {
            table.table #provider-projects {
                thead { tr {
                    th { (lang.t("项目", "Project")) } th { (lang.t("采购人", "Purchaser")) }
                    th.num { (lang.t("合同金额", "Contracted")) } th.num { (lang.t("已支付", "Paid")) } th { (lang.t("环节", "Step")) }
                } }
                tbody {
                    @for p in &r.projects.items {
                        tr {
                            td { a href={"/projects/" (p.id)} { (p.title) } }
                            td { (p.purchaser) }
                            td.num { @if let Some(c) = &p.contract { (lang.money(c.amount)) } }
                            td.num { @if let Some(c) = &p.contract { (lang.money(c.paid)) } }
                            td { (lang.t(p.status.label_zh(), p.status.label_en())) }
                        }
                    }
                }
            }
            @if let Some(href) = &next { p.no-print { a #next-page href=(href) { (lang.t("下一页", "Next page")) } } }
        }
        h2 { (lang.t("公众意见与答复", "Public feedback and answers")) }
        (super::feedback::published_answers(lang, &r.answers))
    };
    Ok(render(StatusCode::OK, page(&shell, &r.name, body)))
}
