//! The procurement page's bid openings: bidder names by bid id and an opening's record.

use std::collections::HashMap;

use maud::{html, Markup};
use shanzhi_domain::procurement::Procurement;

use crate::i18n::Lang;

/// Bidder names by bid id, from the openings (only for those who may see the openings).
pub(super) fn bid_names(p: &Procurement) -> HashMap<i64, String> {
    p.opening
        .iter()
        .chain(p.final_opening.iter())
        .flat_map(|o| o.bids.iter())
        .map(|b| (b.bid_id, b.name.clone()))
        .collect()
}

/// An opening's record; a price `priced` refuses stays sealed (a negotiation's first round, before the final offers).
pub(super) fn opening_table(
    lang: Lang,
    title: &str,
    o: &shanzhi_domain::procurement::Opening,
    priced: impl Fn(&shanzhi_domain::procurement::OpenedBid) -> bool,
) -> Markup {
    html! {
        h2 { (title) }
        p.small { (lang.t("开标时间：", "Opened: ")) (lang.datetime(o.at)) " · " (lang.t("参加人员：", "Present: ")) (o.attendees.join(lang.t("、", ", "))) }
        div.table-wrap { table.table.table--stack.opening {
            thead { tr {
                th scope="col" { (lang.t("投标人", "Bidder")) } th.num scope="col" { (lang.t("投标报价", "Price")) }
                th scope="col" { (lang.t("小微企业", "Small or micro")) } th scope="col" { (lang.t("回执", "Receipt")) }
            } }
            tbody { @for b in &o.bids { tr {
                td data-label=(lang.t("投标人", "Bidder")) { (b.name) }
                @if priced(b) {
                    td.num data-label=(lang.t("投标报价", "Price")) { (lang.money(b.price)) }
                    td data-label=(lang.t("小微企业", "Small or micro")) { (super::super::words::yes_no(lang, b.small_or_micro)) }
                } @else {
                    td.num data-label=(lang.t("投标报价", "Price")) { span.muted { (lang.t("仅评审小组可见", "For the panel only")) } }
                    td data-label=(lang.t("小微企业", "Small or micro")) { span.muted { "—" } }
                }
                td data-label=(lang.t("回执", "Receipt")) { span.hash title=(b.receipt) { (b.receipt.get(..12).unwrap_or(&b.receipt)) } }
            } } }
        } }
    }
}
