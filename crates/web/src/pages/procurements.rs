//! Procurement pages for every role: the list, one procurement with a form for each step the actor may take
//! now, starting a procurement from its project, and the overdue list. Display only: every change goes
//! through `procure::perform`, `start` or `submit_bid`, which hold the rules. A provider sees only what
//! `procure::provider_view` gives it; others only what `procure_api::view` would show them.

use chrono::NaiveDate;
use maud::{html, Markup};
use shanzhi_domain::org::{Actor, Role};
use shanzhi_domain::procurement::{Duty, Holder, Method, Stage};

use super::layout::row;
use crate::i18n::Lang;

mod actions;
mod challenges;
mod command;
mod documents;
mod duties;
mod handlers;
mod list;
mod low_price;
mod opening;
mod project;
mod show;
mod start;
pub use duties::{overdue, queue_section};
pub use handlers::{act, bid, bid_file, withdraw};
pub use list::list;
pub use project::project_section;
pub use show::show;
pub use start::{start, start_form};

pub fn stage_tag(lang: Lang, s: Stage) -> Markup {
    let colour = match s {
        Stage::Draft => "tag--grey",
        Stage::Bidding | Stage::Notice => "tag--blue",
        Stage::Negotiating | Stage::FinalOffers | Stage::Evaluating | Stage::Confirming => "tag--amber",
        Stage::Awarded => "tag--green",
        Stage::Failed => "tag--red",
    };
    html! { strong class={"tag " (colour)} { (lang.t(s.label_zh(), s.label_en())) } }
}

pub fn method_label(lang: Lang, m: Method) -> &'static str {
    lang.t(m.label_zh(), m.label_en())
}

fn holder_label(lang: Lang, holder: Holder) -> &'static str {
    lang.t(holder.label_zh(), holder.label_en())
}

fn duty_label(lang: Lang, d: &Duty) -> &'static str {
    lang.t(d.label_zh(), d.label_en())
}

fn is_finance(a: &Actor) -> bool {
    a.is_finance_reviewer()
}

fn may_see_overdue(a: &Actor) -> bool {
    a.has(Role::Supervisor) || a.has(Role::Admin) || is_finance(a)
}

/// Whether the nav offers the overdue list.
pub fn nav_overdue(a: &Actor) -> bool {
    may_see_overdue(a)
}

fn due_tag(lang: Lang, due: NaiveDate, provisional: bool, overdue: bool) -> Markup {
    html! {
        (lang.date(due))
        @if provisional { " " (lang.t("（暂定）", "(provisional)")) }
        @if overdue { " " strong.tag.tag--red { (lang.t("已逾期", "Overdue")) } }
    }
}

fn method_options(lang: Lang) -> Vec<(String, String)> {
    Method::ALL.iter().map(|m| (m.code().to_string(), method_label(lang, *m).to_string())).collect()
}
