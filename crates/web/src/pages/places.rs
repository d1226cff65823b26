//! The place chooser of the list pages: the place a list is narrowed to, with the way up, and the places right
//! under it to narrow further. One level at a time, so a province's thousands of villages are never one list, and
//! it works without script: choosing and pressing the form's button reloads the list one level down.

use maud::{html, Markup};
use shanzhi_app::reference::PlaceChoice;

use crate::i18n::Lang;

/// A `region` field for a GET form: the chosen place (kept when nothing else is picked), the level above it, and
/// each place under it. `asked` is the filter as given, kept as it is when it names no place (a code prefix).
pub fn place_field(lang: Lang, choice: &PlaceChoice, asked: Option<&str>) -> Markup {
    let chosen = choice.path.last();
    let above = choice.path.len().checked_sub(2).map(|i| &choice.path[i]);
    let trail: Vec<&str> = choice.path.iter().map(|r| r.name.as_str()).collect();
    html! {
        div.field {
            label for="region" { (lang.t("地区", "Place")) }
            @if !trail.is_empty() {
                p.hint #region-hint { (lang.t("当前：", "Now: ")) (trail.join(" › ")) }
            }
            select #region name="region" aria-describedby=[chosen.map(|_| "region-hint")] {
                @match (chosen, asked) {
                    (Some(r), _) => option value=(r.code) selected { (lang.t("全部（", "All of ")) (r.name) (lang.t("）", "")) },
                    (None, Some(code)) => {
                        option value=(code) selected { (code) }
                        option value="" { (lang.t("全部地区", "Everywhere")) }
                    },
                    (None, None) => option value="" selected { (lang.t("全部地区", "Everywhere")) },
                }
                @if chosen.is_some() {
                    @match above {
                        Some(r) => option value=(r.code) { "↑ " (r.name) },
                        None if !choice.bounded => option value="" { "↑ " (lang.t("全部地区", "Everywhere")) },
                        None => {},
                    }
                }
                @for r in &choice.children {
                    option value=(r.code) { (r.name) }
                }
            }
        }
    }
}
