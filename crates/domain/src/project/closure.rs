//! Ending a project early: cancelled before the contract, terminated after it, or a complaint upheld by finance
//! voiding the award or ending the contract; the money reserved or still owed goes back.

use super::*;
use crate::audit::Action;
use crate::error::ErrorCode;

impl Project {
    /// Cancels at any step before the contract is signed.
    pub fn cancel(&mut self, actor: &Actor, reason: &str, now: DateTime<Utc>) -> Result<Change, DomainError> {
        self.may(actor, Act::Cancel)?;
        let reason = closure_reason(reason)?;
        let from = self.status.code();
        // Money reserved at approval goes back to the budgets.
        let reserved = matches!(self.status, Status::Procurement | Status::Contract);
        let ledger = if reserved { self.entries(Movement::Release, &self.planned()) } else { Vec::new() };
        self.cancellation = Some(Closure { reason: reason.clone(), by: actor.user_id, at: now });
        self.status = Status::Cancelled;
        self.touch(now);
        Ok(Change::new(Action::ProjectCancel, json!({"from": from, "reason": reason})).with_ledger(ledger))
    }

    /// Ends a signed contract early.
    pub fn terminate(&mut self, actor: &Actor, reason: &str, now: DateTime<Utc>) -> Result<Change, DomainError> {
        self.may(actor, Act::Terminate)?;
        self.end_contract(actor, reason, now)
    }

    /// A complaint upheld by finance reaches the project: a voided award before the contract sends it back to
    /// procurement; once the contract is signed, the contract ends and what it still owed goes back.
    pub fn apply_complaint(&mut self, actor: &Actor, reason: &str, now: DateTime<Utc>) -> Result<Change, DomainError> {
        if !(actor.is_finance_reviewer()) {
            return Err(DomainError::NotPermitted { action: "apply_complaint" });
        }
        match self.status {
            Status::Contract => {
                self.award = None;
                self.status = Status::Procurement;
                self.touch(now);
                Ok(Change::new(Action::ProjectAwardVoid, json!({"reason": reason})))
            }
            Status::Acceptance => self.end_contract(actor, reason, now),
            _ => Err(DomainError::WrongStep { action: "apply_complaint", status: self.status.code() }),
        }
    }

    fn end_contract(&mut self, actor: &Actor, reason: &str, now: DateTime<Utc>) -> Result<Change, DomainError> {
        self.require_status(&[Status::Acceptance], "terminate")?;
        let reason = closure_reason(reason)?;
        // What the contract still owed goes back to the budgets.
        let owed: Vec<Money> = self.committed_by_line().iter().zip(self.paid_by_line()).map(|(c, p)| *c - p).collect();
        let mut ledger = self.entries(Movement::Uncommit, &owed);
        ledger.extend(self.supplements_owed());
        ledger.extend(self.lapse_supplements());
        if let Some(c) = self.contract.as_mut() {
            c.termination = Some(Closure { reason: reason.clone(), by: actor.user_id, at: now });
        }
        self.status = Status::Terminated;
        self.touch(now);
        Ok(Change::new(Action::ProjectTerminate, json!({"reason": reason})).with_ledger(ledger))
    }
}

pub(super) fn closure_reason(reason: &str) -> Result<String, DomainError> {
    let reason = reason.trim();
    if reason.chars().count() < 4 {
        return Err(DomainError::field(
            "reason",
            ErrorCode::ReasonRequired,
            "请写明原因（至少 4 个字）",
            "give the reason (at least 4 characters)",
        ));
    }
    if reason.chars().count() > 2000 {
        return Err(DomainError::field(
            "reason",
            ErrorCode::TooLong,
            "原因不能超过 2000 字",
            "the reason must be at most 2000 characters",
        ));
    }
    Ok(reason.to_string())
}
