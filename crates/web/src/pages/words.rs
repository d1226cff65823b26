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
        "start_evaluation" => {
            lang.t("委托第三方评估，启动绩效评价", "Commission a third-party evaluator to start the evaluation")
        }
        "evaluate" => lang.t("提交绩效评价", "Submit the performance evaluation"),
        "self_evaluate" => lang.t("提交绩效自评", "Submit the self-evaluation"),
        "monitor_progress" => {
            lang.t("服务进度落后于绩效目标，请开展监测走访", "Behind its targets: make a monitoring visit")
        }
        _ => lang.t("待办", "To do"),
    }
}

/// Every audit action in plain words, for histories: a person never reads an internal code.
pub fn action_label(lang: Lang, action: &str) -> String {
    let (zh, en) = match action {
        "project.create" => ("创建项目", "Project created"),
        "project.design" => ("修改设计", "Design changed"),
        "project.finish_design" => ("完成设计", "Design finished"),
        "project.cost_estimate" => ("测算费用", "Cost estimated"),
        "project.funding" => ("资金安排", "Funding arranged"),
        "project.submit" => ("提交审核", "Submitted for review"),
        "project.review_approve" => ("审核通过", "Approved in review"),
        "project.review_return" => ("审核退回", "Returned in review"),
        "project.award" => ("确定承接主体", "Provider chosen"),
        "project.award_void" => ("中标（成交）结果无效", "Award void"),
        "project.contract_sign" => ("签订合同", "Contract signed"),
        "project.report_file" => ("提交服务报告", "Service report filed"),
        "project.milestone_accept" => ("验收通过", "Milestone accepted"),
        "project.milestone_reject" => ("不予验收", "Milestone not accepted"),
        "project.post_fill" => ("社会工作者到岗", "Post filled"),
        "project.post_vacate" => ("岗位空缺", "Post vacated"),
        "project.cancel" => ("撤销项目", "Project cancelled"),
        "project.terminate" => ("终止合同", "Contract terminated"),
        "project.evaluation_start" => ("启动绩效评价", "Evaluation started"),
        "project.evaluation_submit" => ("提交绩效评价", "Evaluation submitted"),
        "evaluator.tie_declare" => ("申报利害关系", "Tie declared"),
        "project.monitoring_visit" => ("监测走访", "Monitoring visit"),
        "project.supplement_propose" => ("提出补充合同", "Supplementary contract proposed"),
        "project.supplement_approve" => ("补充合同审核通过", "Supplementary contract approved"),
        "project.supplement_return" => ("补充合同退回", "Supplementary contract returned"),
        "project.supplement_sign" => ("签订补充合同", "Supplementary contract signed"),
        "procurement.start" => ("发起采购活动", "Procurement started"),
        "procurement.publish" => ("发布采购公告", "Procurement notice published"),
        "procurement.interest" => ("登记参与", "Interest registered"),
        "procurement.question" => ("提出问题", "Question asked"),
        "procurement.clarify" => ("澄清或修改采购文件", "Documents clarified"),
        "procurement.open" => ("开标", "Bids opened"),
        "procurement.draw_committee" => ("抽取评审委员会", "Committee drawn"),
        "procurement.declare" => ("评审专家声明", "Expert's declaration"),
        "procurement.replace_recused" => ("补抽回避专家", "Recused expert replaced"),
        "procurement.compliance" => ("资格与符合性审查", "Compliance reviewed"),
        "procurement.mark" => ("专家评分", "Marks entered"),
        "procurement.report" => ("提交评审报告", "Evaluation report"),
        "procurement.award" => ("确定中标（成交）供应商", "Winner confirmed"),
        "procurement.round" => ("谈判（磋商）", "Negotiation round"),
        "procurement.call_final_offers" => ("要求提交最后报价", "Final offers called"),
        "procurement.open_final" => ("开启最后报价", "Final offers opened"),
        "procurement.call_off" => ("框架协议采购", "Call-off"),
        "procurement.challenge" => ("提出质疑", "Challenge"),
        "procurement.reply" => ("答复质疑", "Challenge answered"),
        "procurement.complain" => ("提出投诉", "Complaint"),
        "procurement.pause_complaint" => ("投诉处理暂停计时", "Complaint paused"),
        "procurement.decide_complaint" => ("投诉处理决定", "Complaint decided"),
        "procurement.suspend" => ("暂停采购活动", "Procurement suspended"),
        "procurement.request_switch" => ("申请变更采购方式", "Change of method requested"),
        "procurement.decide_switch" => ("变更采购方式审批", "Change of method decided"),
        "procurement.abandon" => ("终止采购活动", "Procurement abandoned"),
        "bid.submit" => ("提交投标（响应）文件", "Bid submitted"),
        "bid.withdraw" => ("撤回投标（响应）文件", "Bid withdrawn"),
        "bid.file" => ("上传投标附件", "Bid attachment uploaded"),
        "budget.allocate" => ("下达预算", "Budget allocated"),
        "budget.grant" => ("划转预算", "Budget granted"),
        "fiscal_year.close" => ("关闭财政年度", "Fiscal year closed"),
        "expert.create" => ("评审专家入库", "Expert added to the pool"),
        "expert.update" => ("修改专家信息", "Expert record changed"),
        "file.upload" => ("上传文件", "File uploaded"),
        "notice.publish" => ("发布公告", "Notice published"),
        "organisation.create" => ("新增单位", "Organisation added"),
        "organisation.register" => ("承接主体注册", "Provider registered"),
        "organisation.verify" => ("注册核验通过", "Registration verified"),
        "organisation.reject" => ("注册未通过核验", "Registration rejected"),
        "region.create" => ("新增区域", "Region added"),
        "job.session_purge" => ("清理过期会话", "Expired sessions purged"),
        "job.deadline_sweep" => ("期限巡检", "Deadlines swept"),
        "session.create" => ("登录", "Signed in"),
        "session.end" => ("退出登录", "Signed out"),
        "setting.set" => ("修改设置", "Setting changed"),
        "standard.set" => ("设置支出标准", "Spending standard set"),
        "user.add" | "user.create" => ("新增用户", "User added"),
        // An action without words yet still reads as an action, never as its code.
        _ => ("其他操作", "Other action"),
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
        assert_eq!(action_label(Lang::Zh, "project.funding"), "资金安排");
        assert_eq!(action_label(Lang::Zh, "project.milestone_reject"), "不予验收");
        assert_eq!(action_label(Lang::En, "user.add"), "User added");
        assert_eq!(wan(Lang::Zh, Money::from_yuan(450_000)), "45.00万元");
        assert_eq!(audit_time(Lang::Zh, "2025-10-08T17:30:00.000000Z"), "2025年10月9日 01:30");
    }
}
