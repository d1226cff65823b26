//! The project page's procurement part: its procurements, and the way to start one.

use maud::{html, Markup};
use shanzhi_domain::org::Role;
use shanzhi_domain::procurement::{Procurement, Stage};
use shanzhi_domain::project::{Act, Project};

use super::super::SignedIn;
use super::{method_label, stage_tag};
use shanzhi_app::procurements;

/// The project page's part: its procurements, and the way to start one at the procurement step.
pub fn project_section(
    user: &SignedIn,
    p: &Project,
    procurements: &[Procurement],
    approvals: &[shanzhi_domain::procurement::MethodApproval],
    rules: &shanzhi_domain::rules::Rules,
    now: chrono::DateTime<chrono::Utc>,
) -> Markup {
    let lang = user.lang;
    let actor = &user.session.actor;
    let list: Vec<&Procurement> = procurements
        .iter()
        .filter(|x| procurements::can_view(actor, x) || (actor.has(Role::Provider) && x.stage != Stage::Draft))
        .collect();
    let may_start = p.may(actor, Act::StartProcurement).is_ok();
    html! {
        @if !list.is_empty() || may_start || !approvals.is_empty() {
            h2 #procurement { (lang.t("组织购买（采购活动）", "Procurement")) }
            @if !list.is_empty() {
                ul { @for x in &list { li {
                    a href={"/procurements/" (x.id)} { (method_label(lang, x.method)) } " " (stage_tag(lang, x.stage))
                } } }
            }
            @for a in approvals.iter().filter(|a| a.can_view(actor)) { (super::super::approvals::details(lang, a)) }
            @if may_start {
                div.button-group {
                    a.btn href={"/projects/" (p.id) "/procurement"} { (lang.t("发起采购活动", "Start a procurement")) }
                    // At or above the open-tender threshold another method needs the city's approval first.
                    @if shanzhi_app::approvals::may_apply(p.status, procurements, now) && p.approved_amount().unwrap_or(p.total()) >= rules.open_tender_threshold_for(p.design.regions.first().map(String::as_str).unwrap_or("")) {
                        a.btn.btn--secondary href={"/projects/" (p.id) "/method-approval"} { (lang.t("申请采用其他采购方式", "Apply for another method")) }
                    }
                }
            }
        }
    }
}
