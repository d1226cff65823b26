//! The acceptance step: the provider reports on each milestone once its service has run, the purchaser
//! accepts it once it is due, and acceptance pays it. No payment for service not yet delivered.

use super::*;
use crate::audit::Action;
use crate::clock::china_date;
use crate::deadlines::date_zh;
use crate::error::ErrorCode;

/// A project's service reports as its provider's credit record counts them ([`Project::report_record`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportRecord {
    pub late: u32,
    pub rejected: u32,
}

impl Project {
    /// What the provider's service reports came to, for its credit record: the milestones whose first report was
    /// filed after their due day (China time), and the milestones' rejections at acceptance.
    pub fn report_record(&self) -> ReportRecord {
        let milestones = || self.contract.iter().flat_map(|c| &c.milestones);
        let late = milestones().filter(|m| m.reports.first().is_some_and(|r| china_date(r.filed_at) > m.due)).count();
        let rejected = milestones().flat_map(|m| &m.decisions).filter(|d| !d.accepted).count();
        ReportRecord {
            late: u32::try_from(late).unwrap_or(u32::MAX),
            rejected: u32::try_from(rejected).unwrap_or(u32::MAX),
        }
    }

    /// The milestone that is next to be reported or decided: the first not yet accepted.
    pub fn current_milestone(&self) -> Option<usize> {
        let c = self.contract.as_ref()?;
        c.milestones.iter().position(|m| m.status != MilestoneStatus::Accepted)
    }

    /// The first day the provider may report on milestone `index`: the service it covers runs from the
    /// contract's start (the first milestone) or from the previous milestone's date.
    pub fn report_opens(&self, index: usize) -> Option<NaiveDate> {
        let c = self.contract.as_ref()?;
        match index {
            0 => Some(c.start),
            i => c.milestones.get(i - 1).map(|m| m.due),
        }
    }

    /// The first day milestone `index` may be accepted, and so paid: its date, less the configured grace.
    pub fn acceptance_opens(&self, index: usize, rules: &Rules) -> Option<NaiveDate> {
        let m = self.contract.as_ref()?.milestones.get(index)?;
        Some(m.due - chrono::Duration::days(i64::from(rules.acceptance_grace_days)))
    }

    fn milestone_mut(&mut self, index: usize, action: &'static str) -> Result<&mut Milestone, DomainError> {
        self.require_status(&[Status::Acceptance], action)?;
        if self.current_milestone() != Some(index) {
            return Err(DomainError::field(
                "milestone",
                ErrorCode::NotCurrentMilestone,
                "只能处理当前验收节点",
                "only the current milestone can be handled",
            ));
        }
        let contract = self.contract.as_mut().ok_or(DomainError::NotFound { what: "contract" })?;
        contract.milestones.get_mut(index).ok_or(DomainError::NotFound { what: "milestone" })
    }

    /// The field problems of a service report, all at once, without filing it.
    pub fn check_report(&self, input: &ReportInput) -> Result<(), DomainError> {
        let mut p = Problems::default();
        need_text(&mut p, "summary", &input.summary, 5000, "服务情况说明", "summary");
        if input.hours.hundredths() < 0 {
            p.add("hours", ErrorCode::HoursNegative, "服务时长不能为负", "hours cannot be negative");
        }
        for (i, o) in input.outputs.iter().enumerate() {
            if !self.design.targets.iter().any(|t| t.indicator == o.indicator) {
                p.add(
                    format!("outputs[{i}]"),
                    ErrorCode::UnknownIndicator,
                    "该指标不在项目绩效目标中",
                    "this indicator is not one of the project's targets",
                );
            }
        }
        p.into_result()
    }

    /// The provider files its service report on milestone `index`; the indicators it finds behind their targets
    /// (by `rules.behind_target_tolerance_bp`) are kept with it.
    pub fn file_report(
        &mut self,
        actor: &Actor,
        index: usize,
        input: ReportInput,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        let provider_org = self.contract.as_ref().map(|c| c.provider.org_id);
        if !actor.has(Role::Provider) || provider_org != Some(actor.org_id) {
            return Err(DomainError::NotPermitted { action: "file_report" });
        }
        self.check_report(&input)?;
        let opens = self.report_opens(index);
        let milestone = self.milestone_mut(index, "file_report")?;
        if milestone.status == MilestoneStatus::Reported {
            return Err(DomainError::WrongStep { action: "file_report", status: "acceptance" });
        }
        if let Some(opens) = opens.filter(|d| china_date(now) < *d) {
            return Err(DomainError::refused(
                ErrorCode::ServiceNotStarted,
                format!("本节点的服务自{}开始，届时方可提交服务报告", date_zh(opens)),
                format!("the service of this milestone runs from {opens}; report on it from then"),
            ));
        }
        milestone.reports.push(ServiceReport {
            beneficiaries: input.beneficiaries,
            hours: input.hours,
            outputs: input.outputs,
            summary: input.summary.trim().to_string(),
            files: input.files,
            filed_by: actor.user_id,
            filed_at: now,
            behind: Vec::new(),
        });
        milestone.status = MilestoneStatus::Reported;
        let name = milestone.name.clone();
        let behind: Vec<String> = self
            .progress(rules.behind_target_tolerance_bp)
            .into_iter()
            .filter(|p| p.behind)
            .map(|p| p.indicator)
            .collect();
        if let Some(r) =
            self.contract.as_mut().and_then(|c| c.milestones.get_mut(index)).and_then(|m| m.reports.last_mut())
        {
            r.behind = behind.clone();
        }
        self.touch(now);
        Ok(Change::new(Action::ProjectReportFile, json!({"milestone": index, "name": name, "behind": behind})))
    }

    /// The purchaser accepts a reported milestone, once it is due, which pays it; or rejects the report
    /// (at any time, with reasons), which pays nothing.
    pub fn decide_milestone(
        &mut self,
        actor: &Actor,
        index: usize,
        accept: bool,
        reason: &str,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_purchaser(actor, if accept { "accept_milestone" } else { "reject_milestone" })?;
        let paid_before = self.paid_by_line();
        let opens = self.acceptance_opens(index, rules);
        let withheld = if accept { self.withheld_by_grade(index, rules)? } else { Money::ZERO };
        let milestone = self.milestone_mut(index, "decide_milestone")?;
        if milestone.status != MilestoneStatus::Reported {
            return Err(DomainError::field(
                "milestone",
                ErrorCode::NoReportToDecide,
                "承接主体尚未提交本节点服务报告",
                "the provider has not filed a report for this milestone",
            ));
        }
        if let Some(opens) = opens.filter(|d| accept && china_date(now) < *d) {
            return Err(DomainError::refused(
                ErrorCode::MilestoneNotDue,
                format!("本节点于{}到期，届时方可验收付款", date_zh(opens)),
                format!("this milestone is due on {opens}; it can be accepted and paid from then"),
            ));
        }
        let reason = reason.trim();
        if !accept && reason.is_empty() {
            return Err(DomainError::field(
                "reason",
                ErrorCode::ReasonRequired,
                "不予验收时请写明理由",
                "give the reasons for rejecting",
            ));
        }
        milestone.decisions.push(MilestoneDecision {
            accepted: accept,
            reason: reason.to_string(),
            by: actor.user_id,
            at: now,
        });
        milestone.status = if accept { MilestoneStatus::Accepted } else { MilestoneStatus::Rejected };
        milestone.withheld = withheld;
        let (amount, supplement) = (milestone.amount, milestone.supplement);
        let mut ledger = Vec::new();
        if accept {
            // Acceptance pays the milestone: a supplementary contract's from its own lines, the original's
            // what the replayed payments add per line.
            match supplement.and_then(|n| self.contract.as_ref()?.supplement(n)) {
                Some(s) => {
                    let amounts: Vec<Money> = s.funding.iter().map(|l| l.amount).collect();
                    ledger = self.entries_on(&s.funding, Movement::Pay, &amounts);
                }
                None => {
                    let paid: Vec<Money> = self.paid_by_line().iter().zip(&paid_before).map(|(a, b)| *a - *b).collect();
                    ledger = self.entries(Movement::Pay, &paid);
                    if withheld.is_positive() {
                        // The final milestone: whatever is still committed is what the grade withheld.
                        let rest: Vec<Money> =
                            self.committed_by_line().iter().zip(self.paid_by_line()).map(|(c, p)| *c - p).collect();
                        ledger.extend(self.entries(Movement::Uncommit, &rest));
                    }
                }
            }
            if self.current_milestone().is_none() {
                self.status = Status::Completed;
                ledger.extend(self.lapse_supplements());
            }
        }
        self.touch(now);
        let action = if accept { Action::ProjectMilestoneAccept } else { Action::ProjectMilestoneReject };
        let mut detail = json!({"milestone": index, "amount": amount, "reason": reason});
        if withheld.is_positive() {
            detail["withheld"] = json!(withheld);
        }
        Ok(Change::new(action, detail).with_ledger(ledger))
    }

    /// Whether milestone `index` is the one whose payment follows the evaluation's grade: the original
    /// contract's last, when the contract says so.
    pub fn pays_by_grade(&self, index: usize) -> bool {
        self.contract.as_ref().is_some_and(|c| {
            c.final_payment_by_grade && c.milestones.iter().rposition(|m| m.supplement.is_none()) == Some(index)
        })
    }

    /// What accepting milestone `index` withholds by the evaluation's grade: nothing unless it pays by grade,
    /// and a refusal while the evaluation has no result.
    fn withheld_by_grade(&self, index: usize, rules: &Rules) -> Result<Money, DomainError> {
        if !self.pays_by_grade(index) {
            return Ok(Money::ZERO);
        }
        let Some(grade) = self.grade() else {
            return Err(DomainError::refused(
                ErrorCode::EvaluationNotFinished,
                "本合同的尾款按绩效评价等级支付：请待绩效评价完成（承接主体自评、购买主体评价和第三方评估均已提交）后再验收",
                "this contract's final payment follows the evaluation's grade: accept it once the evaluation is finished (the provider's, the purchaser's and the third party's all submitted)",
            ));
        };
        let amount = self.contract.as_ref().and_then(|c| c.milestones.get(index)).map_or(Money::ZERO, |m| m.amount);
        Ok(amount - rules.grades.released(grade, amount))
    }
}
