//! The procurement page's documents, schedule and clarifications.

use chrono::NaiveDate;
use maud::{html, Markup};
use shanzhi_domain::procurement::{Documents, Method};

use super::super::notices::scoring_text;
use super::super::project_view::{paras, percent};
use super::{method_label, row};
use crate::i18n::Lang;

pub(super) fn documents_section(lang: Lang, d: &Documents) -> Markup {
    html! {
        h2 { (lang.t("采购文件", "Procurement documents")) }
        dl.summary-list #documents {
            (row(lang.t("采购需求", "Requirements"), paras(&d.requirements)))
            (row(lang.t("供应商资格要求", "Qualifications"), paras(&d.qualifications)))
            @if !d.admitted_kinds.is_empty() {
                (row(lang.t("限定的承接主体类型", "Provider kinds admitted"), html! { @for (i, k) in d.admitted_kinds.iter().enumerate() { @if i > 0 { (lang.t("、", ", ")) } (lang.t(k.label_zh(), k.label_en())) } }))
            }
            @if d.complex_or_high_impact { (row(lang.t("技术复杂或社会影响较大", "Technically complex or of high social impact"), html! { (lang.t("是（评标委员会不少于 7 人）", "Yes (a committee of at least 7)")) })) }
            (row(lang.t("评审方法", "Evaluation"), html! { (scoring_text(lang, &d.scoring)) }))
            (row(lang.t("小微企业价格扣除", "Small-enterprise price deduction"), html! { (percent(d.sme_deduction_bp)) }))
            (row(lang.t("并列时的确定规则", "Tie rule"), paras(&d.tie_rule)))
            @if let Some(s) = &d.single_source {
                (row(lang.t("单一来源供应商", "Single-source provider"), html! { (s.provider_name) " · " (lang.t(s.case.label_zh(), s.case.label_en())) }))
                (row(lang.t("单一来源理由", "Justification"), paras(&s.justification)))
            }
            @if let Some(n) = d.framework_members { (row(lang.t("入围供应商数量", "Framework members"), html! { (n) })) }
        }
    }
}

pub(super) fn schedule(
    lang: Lang,
    p_method: Method,
    intention_on: Option<NaiveDate>,
    published_on: Option<NaiveDate>,
    bid_deadline: Option<chrono::DateTime<chrono::Utc>>,
    final_deadline: Option<chrono::DateTime<chrono::Utc>>,
    budget: shanzhi_domain::Money,
) -> Markup {
    html! {
        dl.summary-list #schedule {
            (row(lang.t("采购方式", "Method"), html! { (method_label(lang, p_method)) }))
            (row(lang.t("预算金额", "Budget"), html! { (lang.money(budget)) }))
            @if let Some(d) = intention_on { (row(lang.t("采购意向公开", "Intention published"), html! { (lang.date(d)) })) }
            @if let Some(d) = published_on { (row(lang.t("公告发布", "Announcement published"), html! { (lang.date(d)) })) }
            @if let Some(t) = bid_deadline { (row(lang.t("投标（响应）截止时间", "Bid deadline"), html! { (lang.datetime(t)) })) }
            @if let Some(t) = final_deadline { (row(lang.t("最后报价截止时间", "Final offers deadline"), html! { (lang.datetime(t)) })) }
        }
    }
}

pub(super) fn clarifications(lang: Lang, list: &[shanzhi_domain::procurement::Clarification]) -> Markup {
    html! {
        @if !list.is_empty() {
            h2 { (lang.t("澄清与更正", "Clarifications")) }
            ol.timeline { @for c in list { li.timeline__item {
                span.timeline__time { (lang.datetime(c.at)) }
                div.timeline__body { p { (paras(&c.text)) }
                    @if let Some(t) = c.moved_deadline { p.small { (lang.t("投标截止时间顺延至：", "Bid deadline moved to: ")) (lang.datetime(t)) } }
                }
            } } }
        }
    }
}
