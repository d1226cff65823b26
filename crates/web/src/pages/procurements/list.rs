//! The list of procurements the actor may see (providers: every published one).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use maud::html;
use shanzhi_domain::org::Role;

use super::super::layout::page;
use super::super::{render, OrPage, Page, SignedIn};
use super::{method_label, stage_tag};
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;
use shanzhi_app::procurements;

pub async fn list(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let actor = &user.session.actor;
    let q = ListQuery::parse_page(raw.as_deref(), &crate::filters::PROCUREMENT_FILTERS).or_page(&shell)?;
    let listed =
        procurements::procurement_page(&state, actor, &crate::filters::procurement_filter(&q).or_page(&shell)?, q.page)
            .await
            .or_page(&shell)?;
    let shown = &listed.items;
    let next = listed.next.map(|cursor| next_page_href("/procurements", raw.as_deref(), cursor));
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
                tbody { @for p in shown { tr {
                    td data-label=(lang.t("项目", "Project")) { a href={"/procurements/" (p.id)} { (p.title) } br; span.small.muted { (p.project_code) " · " (p.purchaser_name) } }
                    td data-label=(lang.t("采购方式", "Method")) { (method_label(lang, p.method)) }
                    td data-label=(lang.t("阶段", "Stage")) { (stage_tag(lang, p.stage)) }
                    td.num data-label=(lang.t("预算", "Budget")) { (lang.money(p.budget)) }
                    td data-label=(lang.t("投标截止", "Bid deadline")) { @if let Some(t) = p.bid_deadline { (lang.datetime(t)) } }
                } } }
            } }
        }
        @if let Some(href) = &next {
            p { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } }
        }
    };
    Ok(render(StatusCode::OK, page(&shell, title, body)))
}
