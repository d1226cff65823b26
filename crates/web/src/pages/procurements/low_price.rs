//! The abnormally-low-price procedure on the procurement page (财政部令第87号 §60): the committee's requests and
//! findings in the record, the bidder's own request and its explanation form.

use std::collections::HashMap;

use maud::{html, Markup};
use shanzhi_domain::procurement::{LowPrice, Procurement, Stage};

use super::super::project_view::paras;
use super::actions::Ctx;
use super::row;
use crate::i18n::Lang;

fn status(lang: Lang, l: &LowPrice) -> Markup {
    html! {
        @match &l.finding {
            Some(f) if f.justified => strong.tag.tag--green { (lang.t("报价合理", "Justified")) },
            Some(_) => strong.tag.tag--red { (lang.t("报价不合理，投标无效", "Unjustified: the bid is void")) },
            None => strong.tag.tag--grey { (lang.t("待认定", "To be judged")) },
        }
    }
}

fn details(lang: Lang, l: &LowPrice) -> Markup {
    html! {
        dl.summary-list.low-price {
            (row(lang.t("认为报价明显偏低的理由", "Why the price seems abnormally low"), html! { (l.reason) }))
            (row(lang.t("书面说明期限", "Explanation due"), html! { (lang.datetime(l.due)) }))
            (row(lang.t("投标人的书面说明", "The bidder's explanation"), match &l.explanation {
                Some(e) => html! { (paras(&e.text)) " " span.small.muted { (lang.datetime(e.at)) } },
                None => html! { span.muted { (lang.t("尚未提交", "Not yet given")) } },
            }))
            (row(lang.t("认定", "Finding"), html! {
                (status(lang, l))
                @if let Some(f) = &l.finding { @if !f.reason.is_empty() { " · " (f.reason) } }
            }))
        }
    }
}

/// The committee's requests and findings, for those who see the working record.
pub(super) fn section(lang: Lang, p: &Procurement, names: &HashMap<i64, String>) -> Markup {
    html! {
        @if !p.low_prices.is_empty() {
            h2 #low-prices { (lang.t("异常低价的书面说明", "Abnormally low prices")) }
            @for l in &p.low_prices {
                h3 { (names.get(&l.bid_id).map(String::as_str).unwrap_or("?")) }
                (details(lang, l))
            }
        }
    }
}

/// What the bidder sees of the committee's request about its own price.
pub(super) fn own(lang: Lang, l: Option<&LowPrice>) -> Markup {
    html! {
        @if let Some(l) = l {
            h2 #my-low-price { (lang.t("评审委员会要求说明报价的合理性", "The committee asks you to justify your price")) }
            (details(lang, l))
        }
    }
}

/// The committee's forms: ask a bidder to justify its price, and judge the explanation.
pub(super) fn committee_forms(c: &Ctx, lang: Lang, bids: &[(String, String)]) -> Vec<Markup> {
    let mut out = Vec::new();
    let time_hint = lang.t("北京时间，格式 YYYY-MM-DD HH:MM", "China time, YYYY-MM-DD HH:MM");
    let unasked: Vec<(String, String)> =
        bids.iter().filter(|(id, _)| !c.p.low_prices.iter().any(|l| l.bid_id.to_string() == *id)).cloned().collect();
    if !unasked.is_empty() {
        out.push(c.form("flag_low_price", None, lang.t("要求说明报价的合理性", "Ask a bidder to justify its price"), html! {
            p.hint { (lang.t("报价明显低于其他投标、可能影响服务质量或不能诚信履约的，由评审委员会要求投标人在规定期限内书面说明；评分表中的“异常低价提示”只是提示。", "When a price is clearly below the others and may affect quality or performance, the committee asks for a written explanation by a deadline; the score table's prompts are only prompts.")) }
            (c.select("flag_low_price", "bid_id", lang.t("投标人", "Bidder"), unasked))
            (c.text("flag_low_price", "reason", lang.t("理由", "Reason"), None))
            (c.text("flag_low_price", "due", lang.t("书面说明期限", "Explanation due"), Some(time_hint)))
        }, lang.t("要求说明", "Ask")));
    }
    let open: Vec<(String, String)> =
        c.p.low_prices
            .iter()
            .filter(|l| l.finding.is_none())
            .filter_map(|l| bids.iter().find(|(id, _)| *id == l.bid_id.to_string()).cloned())
            .collect();
    if !open.is_empty() {
        out.push(c.form("decide_low_price", None, lang.t("认定报价是否合理", "Judge the price"), html! {
            (c.select("decide_low_price", "bid_id", lang.t("投标人", "Bidder"), open))
            (c.yes_no("decide_low_price", "justified", lang.t("认定", "Finding"), lang.t("报价合理", "Justified"), lang.t("不能证明报价合理，投标无效", "Not justified: the bid is void")))
            (c.text("decide_low_price", "reason", lang.t("理由", "Reason"), Some(lang.t("认定投标无效时必须写明。", "Required when the bid is void."))))
            (c.confirm("decide_low_price", lang.t("我确认这一认定；认定后不能更改", "I confirm this finding; it cannot be changed")))
        }, lang.t("作出认定", "Record the finding")));
    }
    out
}

/// The bidder's explanation form, while the request is open and its deadline has not passed.
pub(super) fn bidder_form(c: &Ctx, lang: Lang, l: Option<&LowPrice>) -> Option<Markup> {
    let l = l.filter(|l| l.finding.is_none() && c.p.stage == Stage::Evaluating)?;
    Some(c.form(
        "explain_low_price",
        None,
        lang.t("提交报价合理性的书面说明", "Explain your price in writing"),
        html! {
            p.hint { (lang.t("期限：", "Due: ")) (lang.datetime(l.due)) }
            (c.area("explain_low_price", "text", lang.t("书面说明", "Explanation"), None))
        },
        lang.t("提交说明", "Submit"),
    ))
}
