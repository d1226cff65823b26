//! Procurement duties: the work queue's part and the overdue list.

use axum::extract::State;
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_domain::calendar::china_date;
use shanzhi_domain::org::Actor;
use shanzhi_domain::procurement::Holder;

use super::super::layout::page;
use super::super::{error_page, render, OrPage, Page, SignedIn};
use super::{due_tag, duty_label, holder_label, may_see_overdue};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::AppState;
use shanzhi_app::procurements;

/// The actor's procurement duties, for the work queue.
pub async fn queue_section(state: &AppState, user_lang: Lang, actor: &Actor) -> AppResult<Markup> {
    let lang = user_lang;
    let duties = procurements::duties(state, actor, true).await?;
    let work = procurements::committee_work(state, actor).await?;
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
    let duties = procurements::duties(&state, actor, false).await.or_page(&shell)?;
    let today = china_date(state.clock.now());
    let feedback = super::super::feedback::overdue_section(&state, lang, actor).await.or_page(&shell)?;
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
                        @if d.duty.holder == Holder::Purchaser { " · " (d.purchaser_name) }
                    }
                    td data-label=(lang.t("期限", "Due")) { (due_tag(lang, d.duty.due, d.duty.provisional, d.duty.overdue)) }
                    td.num data-label=(lang.t("逾期天数", "Days late")) { ((today - d.duty.due).num_days()) }
                } } }
            } }
        }
        (feedback)
    };
    Ok(render(StatusCode::OK, page(&shell, title, body)))
}
