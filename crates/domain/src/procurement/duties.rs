//! Who must act on a procurement by when: the winner's confirmation, the report, replies and decisions.

use chrono::NaiveDate;
use serde::Serialize;

use super::{period_end, Procurement, Stage};
use crate::calendar::{china_date, Calendar, Deadline};
use crate::deadlines::Period;
use crate::error::DomainError;
use crate::org::string_enum;
use crate::rules::Rules;
use serde::Deserialize;

string_enum!(
    /// Who holds a duty.
    Holder {
        Purchaser = "purchaser" / "采购人（或代理机构）" / "Purchaser (or its agency)",
        Finance = "finance" / "财政部门" / "Finance department",
        Committee = "committee" / "评审委员会" / "Evaluation committee",
        Bidder = "bidder" / "供应商" / "Bidder",
    }
);

/// Someone who must act by a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duty {
    pub code: &'static str,
    pub holder: Holder,
    pub due: NaiveDate,
    pub provisional: bool,
    pub overdue: bool,
    pub challenge: Option<u32>,
}

impl Duty {
    pub fn label_zh(&self) -> &'static str {
        match self.code {
            "confirm_winner" => "确定中标（成交）人",
            "reply_challenge" => "答复质疑",
            "decide_complaint" => "作出投诉处理决定",
            "end_suspension" => "暂停采购活动期满",
            "finish_evaluation" => "提交评审报告",
            _ => "待办事项",
        }
    }
    pub fn label_en(&self) -> &'static str {
        match self.code {
            "confirm_winner" => "Confirm the winner",
            "reply_challenge" => "Reply to the challenge",
            "decide_complaint" => "Decide the complaint",
            "end_suspension" => "Suspension ends",
            "finish_evaluation" => "Submit the evaluation report",
            _ => "Duty",
        }
    }
}

impl Procurement {
    /// Who must act by when, with overdue flags as of `today`.
    pub fn duties(&self, rules: &Rules, calendar: &Calendar, today: NaiveDate) -> Vec<Duty> {
        let mut out = Vec::new();
        let mut push = |code, holder, due: Result<Deadline, DomainError>, challenge| {
            if let Ok(d) = due {
                out.push(Duty {
                    code,
                    holder,
                    due: d.date,
                    provisional: d.provisional,
                    overdue: today > d.date,
                    challenge,
                });
            }
        };
        if self.stage == Stage::Confirming {
            if let Some(r) = &self.report {
                push(
                    "confirm_winner",
                    Holder::Purchaser,
                    period_end(rules, Period::WinnerConfirmation, china_date(r.at), calendar),
                    None,
                );
            }
        }
        // The report is due 2 working days after the evaluation ended (政府采购法实施条例 §43), not after the opening.
        if let (Stage::Evaluating, Some(ended)) = (self.stage, self.evaluated_at) {
            push(
                "finish_evaluation",
                Holder::Committee,
                period_end(rules, Period::EvaluationReport, china_date(ended), calendar),
                None,
            );
        }
        for c in &self.challenges {
            // Once the challenger has complained, finance holds the matter.
            if c.reply.is_none() && c.complaint.is_none() {
                push("reply_challenge", Holder::Purchaser, Self::reply_due(c, rules, calendar), Some(c.id));
            }
            if c.complaint.as_ref().is_some_and(|k| k.decision.is_none()) {
                if let Some(due) = Self::decision_due(c, rules, calendar) {
                    push("decide_complaint", Holder::Finance, due, Some(c.id));
                }
            }
        }
        out
    }
}
