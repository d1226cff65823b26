//! The procurement page's challenges and complaints, with their reply, complaint and decision deadlines.

use maud::{html, Markup};
use shanzhi_domain::calendar::china_date;
use shanzhi_domain::procurement::Procurement;

use super::super::project_view::paras;
use super::due_tag;
use crate::i18n::Lang;
use crate::AppState;

pub(super) fn challenges(state: &AppState, lang: Lang, p: &Procurement) -> Markup {
    let list: Vec<&shanzhi_domain::procurement::Challenge> = p.challenges.iter().collect();
    challenge_list(state, lang, &list)
}

pub(super) fn challenge_list(state: &AppState, lang: Lang, list: &[&shanzhi_domain::procurement::Challenge]) -> Markup {
    let today = china_date(state.clock.now());
    let (rules, cal) = (&state.rules, &state.calendar);
    html! {
        @if !list.is_empty() {
            h2 { (lang.t("质疑与投诉", "Challenges and complaints")) }
            @for c in list {
                div.card.challenge {
                    h3 { (lang.t("质疑 ", "Challenge ")) (c.id) " · " (c.org_name) }
                    p.small { (lang.t(c.about.label_zh(), c.about.label_en())) " · " (lang.t("提出：", "Filed: ")) (lang.date(c.filed_on)) }
                    p { (paras(&c.text)) }
                    @match &c.reply {
                        Some(r) => p { strong { (lang.t("答复：", "Reply: ")) } (r.text) " (" (lang.date(r.on)) ")" },
                        None => { @if let Ok(d) = Procurement::reply_due(c, rules, cal) {
                            p { (lang.t("答复期限：", "Reply due: ")) (due_tag(lang, d.date, d.provisional, c.complaint.is_none() && today > d.date)) }
                        } },
                    }
                    @match &c.complaint {
                        Some(k) => {
                            p { strong { (lang.t("投诉：", "Complaint: ")) } (k.text) " (" (lang.date(k.filed_on)) ")" }
                            @for (from, to) in &k.pauses { p.small { (lang.t("处理期限中止：", "Paused: ")) (lang.date(*from)) " – " (lang.date(*to)) } }
                            @match &k.decision {
                                Some(d) => p { strong { (lang.t("处理决定：", "Decision: ")) }
                                    @if d.upheld { (lang.t("投诉成立", "Upheld")) } @else { (lang.t("投诉不成立", "Dismissed")) }
                                    @if let Some(q) = d.consequence { " · " (lang.t(q.label_zh(), q.label_en())) }
                                    " · " (d.reasons) },
                                None => { @if let Some(Ok(d)) = Procurement::decision_due(c, rules, cal) {
                                    p { (lang.t("处理决定期限：", "Decision due: ")) (due_tag(lang, d.date, d.provisional, today > d.date)) }
                                } },
                            }
                        },
                        None => { @if let Ok(d) = Procurement::complaint_due(c, rules, cal) {
                            p.small { (lang.t("投诉期限：", "Complaint possible until: ")) (lang.date(d.date)) }
                        } },
                    }
                }
            }
        }
    }
}
