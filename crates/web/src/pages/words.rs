//! Codes in plain words: steps, statuses, duties and audit actions, in both languages.

use maud::{html, Markup};
use shanzhi_domain::project::{MilestoneStatus, Status};
use shanzhi_domain::Money;

use crate::i18n::Lang;

/// The six steps as the tracker and filters name them (review is one step with two stages).
pub fn step_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "design" => lang.t("设计项目", "Design"),
        "cost_estimate" => lang.t("测算费用", "Cost estimate"),
        "review" => lang.t("审核项目", "Review"),
        "procurement" => lang.t("组织购买", "Procurement"),
        "contract" => lang.t("签订合同", "Contract"),
        "acceptance" => lang.t("验收项目", "Acceptance"),
        other => Status::parse(other).map(|s| status_label(lang, s)).unwrap_or(lang.t("未知", "Unknown")),
    }
}

pub fn status_label(lang: Lang, s: Status) -> &'static str {
    lang.t(s.label_zh(), s.label_en())
}

/// Colour by how far along, and red for ends that are not completion.
pub fn status_tag(lang: Lang, s: Status) -> Markup {
    let colour = match s {
        Status::Design => "tag--grey",
        Status::CostEstimate => "tag--purple",
        Status::ReviewContent | Status::ReviewFinance => "tag--amber",
        Status::Procurement | Status::Contract | Status::Acceptance => "tag--blue",
        Status::Completed => "tag--green",
        Status::Cancelled | Status::Terminated => "tag--red",
    };
    html! { strong class={"tag " (colour)} { (status_label(lang, s)) } }
}

pub fn milestone_tag(lang: Lang, s: MilestoneStatus) -> Markup {
    let colour = match s {
        MilestoneStatus::Pending => "tag--grey",
        MilestoneStatus::Reported => "tag--amber",
        MilestoneStatus::Rejected => "tag--red",
        MilestoneStatus::Accepted => "tag--green",
    };
    html! { strong class={"tag " (colour)} { (lang.t(s.label_zh(), s.label_en())) } }
}

/// What the work queue asks of the user, from `waiting_on`.
pub fn duty_label(lang: Lang, duty: &str) -> &'static str {
    match duty {
        "finish_design" => lang.t("完成项目设计", "Finish the design"),
        "estimate_and_submit" => lang.t("测算费用并提交审核", "Estimate the cost and submit for review"),
        "revise_returned" => lang.t("按审核意见修改后重新提交", "Revise as the reviewer asked and resubmit"),
        "review" => lang.t("审核", "Review"),
        "award" => lang.t("确定承接主体", "Choose the provider"),
        "sign_contract" => lang.t("签订合同", "Sign the contract"),
        "decide_milestone" => lang.t("验收服务报告", "Decide on the service report"),
        "file_report" => lang.t("提交服务报告", "File the service report"),
        "review_supplement" => lang.t("审核补充合同", "Review the supplementary contract"),
        "sign_supplement" => lang.t("签订补充合同", "Sign the supplementary contract"),
        _ => lang.t("待办", "To do"),
    }
}

/// Audit actions on projects, for the history timeline.
pub fn action_label(lang: Lang, action: &str) -> String {
    let (zh, en) = match action {
        "project.create" => ("创建项目", "Project created"),
        "project.design" => ("修改设计", "Design changed"),
        "project.finish_design" => ("完成设计", "Design finished"),
        "project.cost_estimate" => ("测算费用", "Cost estimated"),
        "project.submit" => ("提交审核", "Submitted for review"),
        "project.review_approve" => ("审核通过", "Approved in review"),
        "project.review_return" => ("审核退回", "Returned in review"),
        "project.award" => ("确定承接主体", "Provider chosen"),
        "project.contract_sign" => ("签订合同", "Contract signed"),
        "project.report_file" => ("提交服务报告", "Service report filed"),
        "project.milestone_accept" => ("验收通过", "Milestone accepted"),
        "project.milestone_reject" => ("验收不通过", "Milestone rejected"),
        "project.cancel" => ("撤销项目", "Project cancelled"),
        "project.terminate" => ("终止合同", "Contract terminated"),
        "project.supplement_propose" => ("提出补充合同", "Supplementary contract proposed"),
        "project.supplement_approve" => ("补充合同审核通过", "Supplementary contract approved"),
        "project.supplement_return" => ("补充合同退回", "Supplementary contract returned"),
        "project.supplement_sign" => ("签订补充合同", "Supplementary contract signed"),
        other => return other.to_string(),
    };
    lang.t(zh, en).to_string()
}

/// Summaries speak in 万元 (with the exact amount in English, where 万 means nothing).
pub fn wan(lang: Lang, m: Money) -> String {
    match lang {
        Lang::Zh => format!("{}元", m.display_wan()),
        Lang::En => lang.money(m),
    }
}

/// An amount in 万元 with the exact yuan beside it; English has no 万, so the exact amount once.
pub fn wan_exact(lang: Lang, m: Money) -> Markup {
    html! {
        @match lang {
            Lang::Zh => { strong { (wan(lang, m)) } " " span.muted { "（" (lang.money(m)) "）" } }
            Lang::En => strong { (lang.money(m)) },
        }
    }
}

pub fn yes_no(lang: Lang, b: bool) -> &'static str {
    if b {
        lang.t("是", "Yes")
    } else {
        lang.t("否", "No")
    }
}

/// A date range such as "2025年1月1日 至 2025年12月31日".
pub fn period(lang: Lang, start: chrono::NaiveDate, end: chrono::NaiveDate) -> String {
    format!("{} {} {}", lang.date(start), lang.t("至", "to"), lang.date(end))
}

/// Audit times are stored as RFC 3339 text; shown in China time.
pub fn audit_time(lang: Lang, at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| lang.datetime(t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| at.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_in_both_languages() {
        assert_eq!(step_label(Lang::Zh, "review"), "审核项目");
        assert_eq!(step_label(Lang::En, "cancelled"), "Cancelled");
        assert_eq!(action_label(Lang::Zh, "project.review_return"), "审核退回");
        assert_eq!(action_label(Lang::Zh, "user.add"), "user.add");
        assert_eq!(wan(Lang::Zh, Money::from_yuan(450_000)), "45.00万元");
        assert_eq!(audit_time(Lang::Zh, "2025-10-08T17:30:00.000000Z"), "2025年10月9日 01:30");
    }
}
