//! What a person may do to a project now. Each act's first check — who may do it, and in which step — lives
//! here once: the act itself makes it before anything else, and pages ask it which acts to offer instead of
//! re-deriving the rules. What an act checks of its input comes after, in the act.

use super::*;

/// The acts on a project that depend on who asks and on the step it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    EditDesign,
    FinishDesign,
    SetCostEstimate,
    SetFunding,
    Submit,
    Review,
    Award,
    /// Starting a procurement of the project (the procurement then runs as its own record).
    StartProcurement,
    SignContract,
    Cancel,
    Terminate,
}

impl Act {
    pub const ALL: [Act; 11] = [
        Act::EditDesign,
        Act::FinishDesign,
        Act::SetCostEstimate,
        Act::SetFunding,
        Act::Submit,
        Act::Review,
        Act::Award,
        Act::StartProcurement,
        Act::SignContract,
        Act::Cancel,
        Act::Terminate,
    ];

    /// The act's name in refusals (`not_permitted`, `wrong_step`).
    pub fn code(self) -> &'static str {
        match self {
            Act::EditDesign => "edit_design",
            Act::FinishDesign => "finish_design",
            Act::SetCostEstimate => "set_cost_estimate",
            Act::SetFunding => "set_funding",
            Act::Submit => "submit",
            Act::Review => "review",
            Act::Award => "award",
            Act::StartProcurement => "start_procurement",
            Act::SignContract => "sign_contract",
            Act::Cancel => "cancel",
            Act::Terminate => "terminate",
        }
    }

    /// The steps in which the act is open.
    fn steps(self) -> &'static [Status] {
        use Status::*;
        match self {
            Act::EditDesign | Act::SetFunding => &[Design, CostEstimate],
            Act::FinishDesign => &[Design],
            Act::SetCostEstimate | Act::Submit => &[CostEstimate],
            Act::Review => &[ReviewContent, ReviewFinance],
            Act::Award | Act::StartProcurement => &[Procurement],
            Act::SignContract => &[Contract],
            Act::Cancel => &[Design, CostEstimate, ReviewContent, ReviewFinance, Procurement, Contract],
            Act::Terminate => &[Acceptance],
        }
    }
}

impl Project {
    /// Whether `actor` may do `act` now, or the refusal the act would give: `not_permitted` to the wrong
    /// person, `own_project` to a reviewer of their own department's project, `wrong_step` in another step.
    pub fn may(&self, actor: &Actor, act: Act) -> Result<(), DomainError> {
        if act == Act::Review {
            let stage = match self.status {
                Status::ReviewContent => ReviewStage::Content,
                Status::ReviewFinance => ReviewStage::Finance,
                _ => return Err(DomainError::WrongStep { action: act.code(), status: self.status.code() }),
            };
            if !stage.reviewed_by(actor) {
                return Err(DomainError::NotPermitted { action: act.code() });
            }
            if actor.org_id == self.purchaser_org_id || actor.user_id == self.designer_id {
                return Err(DomainError::OwnProject);
            }
            return Ok(());
        }
        self.require_purchaser(actor, act.code())?;
        self.require_status(act.steps(), act.code())
    }

    /// The acts open to `actor` now.
    pub fn open_acts(&self, actor: &Actor) -> Vec<Act> {
        Act::ALL.into_iter().filter(|a| self.may(actor, *a).is_ok()).collect()
    }
}
