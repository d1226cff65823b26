//! The projects anyone may follow, without sign-in: every project from its first published notice on, searched by
//! the words of its title and narrowed by place, year, step and category, newest first.

use axum::http::StatusCode;
use shanzhi_domain::project::step_choices;

use super::projects::{project_table, search_field};
use super::words::step_label;
use super::{render, OrPage, Page, Viewer};
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;
use maud::html;
use shanzhi_app::projects;

pub async fn list(state: &AppState, v: &Viewer, raw: Option<&str>) -> Page {
    let shell = v.shell();
    let lang = v.lang;
    let q = ListQuery::parse_page(raw, &crate::filters::PROJECT_FILTERS).or_page(&shell)?;
    let filter = crate::filters::project_filter(&q).or_page(&shell)?;
    let listed = projects::public_project_items(state, &filter, q.page).await.or_page(&shell)?;
    let region = q.text("region");
    let places = shanzhi_app::reference::place_choice(state, region.as_deref()).await.or_page(&shell)?;
    let next = listed.next.map(|cursor| next_page_href("/projects", raw, cursor));
    let title = lang.t("项目公开信息", "Projects in the open");
    let body = html! {
        h1.page-title { (title) }
        p.lead { (lang.t(
            "每个项目自第一条公告发布起公开：预算和资金来源、采购、成交、合同、每期验收和付款。",
            "Every project is open from its first notice on: its budget and where the money comes from, the procurement, the award, the contract, each milestone's acceptance and payment.",
        )) }
        form.no-print method="get" action="/projects" role="search" {
            (search_field(lang, q.text("q").as_deref()))
            (super::places::place_field(lang, &places, region.as_deref()))
            div.field {
                label for="year" { (lang.t("年度", "Year")) }
                input #year .input--short name="year" inputmode="numeric" value=[q.text("year")];
            }
            div.field {
                label for="step" { (lang.t("进度", "Step")) }
                select #step name="step" {
                    option value="" { (lang.t("全部", "All")) }
                    @for s in step_choices() {
                        option value=(s) selected[filter.step.as_deref() == Some(s)] { (step_label(lang, s)) }
                    }
                }
            }
            div.field {
                label for="category" { (lang.t("服务类别代码（如 A07）", "Category code (e.g. A07)")) }
                input #category .input--short name="category" value=[q.text("category")];
            }
            div.button-group { button.btn.btn--secondary type="submit" { (lang.t("筛选", "Filter")) } }
        }
        @if let Some(words) = q.text("q") {
            p.hint.no-print {
                a href={"/notices?q=" (form_urlencoded::byte_serialize(words.as_bytes()).collect::<String>())} {
                    (lang.t("在公告中搜索", "Search the notices for")) " “" (words) "”"
                }
            }
        }
        (project_table(lang, &listed.items, true))
        @if let Some(href) = &next {
            p.no-print { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } }
        }
    };
    Ok(render(StatusCode::OK, super::layout::page(&shell, title, body)))
}
