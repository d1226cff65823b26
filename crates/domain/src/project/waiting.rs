//! The work queue's rule: what a project waits on whom to do. [`Waiting`] is the part of a record the rule
//! reads, small enough to keep in list columns, so a queue is answered from them without decoding records.

use super::{MilestoneStatus, Project, ReviewStage, Status, SupplementStatus};
use crate::evaluation::Party;
use crate::org::{Actor, Role};

use super::scope::Awaits;

/// What the purchasing department may be asked to do, the codes of [`Waiting::purchaser`].
pub const PURCHASER_DUTIES: [&str; 10] = [
    "revise_returned",
    "finish_design",
    "estimate_and_submit",
    "award",
    "sign_contract",
    "sign_supplement",
    "decide_milestone",
    "start_evaluation",
    "evaluate",
    "monitor_progress",
];

/// Who a project waits on and for what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub status: Status,
    pub purchaser_org_id: i64,
    /// Reviewers never review a project they designed.
    pub designer_id: i64,
    /// The provider awarded (the contract's is the award's).
    pub provider_org_id: Option<i64>,
    /// The purchasing department's duty, one of [`PURCHASER_DUTIES`].
    pub purchaser: Option<&'static str>,
    /// A proposed supplementary contract waits for finance.
    pub supplement_review: bool,
    /// The current milestone waits for the provider's report.
    pub provider_report: bool,
    /// The commissioned third-party evaluator.
    pub evaluator_org_id: Option<i64>,
    /// The evaluation waits for the provider's self-evaluation.
    pub self_evaluation: bool,
    /// The evaluation waits for the third-party evaluator's.
    pub third_party_evaluation: bool,
}

impl Waiting {
    pub fn of(p: &Project) -> Waiting {
        let mut w = Waiting {
            status: p.status,
            purchaser_org_id: p.purchaser_org_id,
            designer_id: p.designer_id,
            provider_org_id: p.award.as_ref().map(|a| a.provider.org_id),
            purchaser: None,
            supplement_review: false,
            provider_report: false,
            evaluator_org_id: p.evaluation.as_ref().map(|e| e.evaluator.org_id),
            self_evaluation: false,
            third_party_evaluation: false,
        };
        w.purchaser = match p.status {
            Status::Design if p.is_returned() => Some("revise_returned"),
            Status::Design => Some("finish_design"),
            Status::CostEstimate => Some("estimate_and_submit"),
            Status::Procurement => Some("award"),
            Status::Contract => Some("sign_contract"),
            _ => None,
        };
        if let (Status::Acceptance, Some(c)) = (p.status, &p.contract) {
            w.supplement_review = c.supplements.iter().any(|s| s.status == SupplementStatus::Proposed);
            let milestone = p.current_milestone().map(|i| c.milestones[i].status);
            w.purchaser = if c.supplements.iter().any(|s| s.status == SupplementStatus::Approved) {
                Some("sign_supplement")
            } else if milestone == Some(MilestoneStatus::Reported) {
                Some("decide_milestone")
            } else {
                None
            };
            w.provider_report = matches!(milestone, Some(MilestoneStatus::Pending | MilestoneStatus::Rejected));
            // A final payment that follows the grade waits for the evaluation: the purchaser starts it.
            let final_waits = p.current_milestone().is_some_and(|i| p.pays_by_grade(i))
                && milestone == Some(MilestoneStatus::Reported)
                && p.grade().is_none();
            if final_waits && p.evaluation.is_none() {
                w.purchaser = Some("start_evaluation");
            } else if final_waits {
                w.purchaser = None;
            }
            if w.purchaser.is_none() && p.behind_unvisited() {
                w.purchaser = Some("monitor_progress");
            }
        }
        if let Some(e) = &p.evaluation {
            let waiting = e.waiting_for();
            w.self_evaluation = waiting.contains(&Party::SelfEvaluation);
            w.third_party_evaluation = waiting.contains(&Party::ThirdParty);
            if waiting.contains(&Party::Purchaser) && w.purchaser.is_none() {
                w.purchaser = Some("evaluate");
            }
        }
        w
    }

    /// The kinds of people the project waits on (what a store's column holds and a queue's query matches).
    pub fn awaits(&self) -> Awaits {
        let mut bits = 0;
        if self.purchaser.is_some() {
            bits |= Awaits::PURCHASER;
        }
        match self.review_stage() {
            Some(ReviewStage::Content) => bits |= Awaits::CONTENT_REVIEWER,
            Some(ReviewStage::Finance) => bits |= Awaits::FINANCE_REVIEWER,
            None => {}
        }
        if self.supplement_review {
            bits |= Awaits::FINANCE_REVIEWER;
        }
        if self.provider_report {
            bits |= Awaits::PROVIDER;
        }
        if self.self_evaluation {
            bits |= Awaits::SELF_EVALUATION;
        }
        if self.third_party_evaluation {
            bits |= Awaits::EVALUATOR;
        }
        Awaits(bits)
    }

    /// The waiting as a store keeps it: the status, the ids, the kinds it waits on and the purchaser's duty.
    /// `None` when the columns cannot come from [`Waiting::of`] (an unknown duty).
    pub fn from_columns(
        status: Status,
        purchaser_org_id: i64,
        designer_id: i64,
        provider_org_id: Option<i64>,
        evaluator_org_id: Option<i64>,
        awaits: Awaits,
        purchaser_duty: Option<&str>,
    ) -> Option<Waiting> {
        let purchaser = match purchaser_duty {
            Some(d) => Some(*PURCHASER_DUTIES.iter().find(|c| **c == d)?),
            None => None,
        };
        let reviewing = matches!(status, Status::ReviewContent | Status::ReviewFinance);
        Some(Waiting {
            status,
            purchaser_org_id,
            designer_id,
            provider_org_id,
            purchaser,
            supplement_review: !reviewing && awaits.has(Awaits::FINANCE_REVIEWER),
            provider_report: awaits.has(Awaits::PROVIDER),
            evaluator_org_id,
            self_evaluation: awaits.has(Awaits::SELF_EVALUATION),
            third_party_evaluation: awaits.has(Awaits::EVALUATOR),
        })
    }

    fn review_stage(&self) -> Option<ReviewStage> {
        match self.status {
            Status::ReviewContent => Some(ReviewStage::Content),
            Status::ReviewFinance => Some(ReviewStage::Finance),
            _ => None,
        }
    }

    /// What the project waits on `actor` to do, if anything.
    pub fn duty_for(&self, actor: &Actor) -> Option<&'static str> {
        let other_department = actor.org_id != self.purchaser_org_id;
        if let Some(stage) = self.review_stage() {
            let eligible = stage.reviewed_by(actor) && other_department && actor.user_id != self.designer_id;
            return eligible.then_some("review");
        }
        if self.supplement_review && actor.is_finance_reviewer() && other_department {
            return Some("review_supplement");
        }
        if actor.has(Role::Purchaser) && !other_department {
            if let Some(duty) = self.purchaser {
                return Some(duty);
            }
        }
        let provider = actor.has(Role::Provider) && self.provider_org_id == Some(actor.org_id);
        if self.provider_report && provider {
            return Some("file_report");
        }
        if self.self_evaluation && provider {
            return Some("self_evaluate");
        }
        let evaluator = actor.has(Role::Evaluator) && self.evaluator_org_id == Some(actor.org_id);
        (self.third_party_evaluation && evaluator).then_some("evaluate")
    }
}

/// What the project waits on `actor` to do, if anything: the work queue.
pub fn waiting_on(actor: &Actor, p: &Project) -> Option<&'static str> {
    Waiting::of(p).duty_for(actor)
}

/// The waiting read back from what a store keeps of `p` in columns.
#[cfg(test)]
pub(crate) fn kept(p: &Project) -> Option<Waiting> {
    let f = p.facts();
    Waiting::from_columns(
        p.status,
        p.purchaser_org_id,
        f.designer_id,
        f.provider_org_id,
        f.evaluator_org_id,
        f.awaits,
        f.purchaser_duty,
    )
}
