//! Supplementary contracts (补充合同): more of the same service during a running contract, each its own
//! recorded act. All of them together may add at most 10 % of the original amount (政府采购法 §49,
//! `supplement_max_bp`). Each reserves its money like the original: the purchaser proposes it with its funding
//! lines, finance approves (reserving the money, refused when a line is short) or returns it, and signing
//! commits the money and adds a milestone that pays the supplement's amount from its own lines.

use super::*;
use crate::audit::Action;
use crate::budget::check_years;
use crate::clock::china_date;
use crate::error::ErrorCode;

string_enum!(
    SupplementStatus {
        Proposed = "proposed" / "待财政审核" / "Awaiting finance",
        Approved = "approved" / "待签订" / "Awaiting signature",
        Signed = "signed" / "已签订" / "Signed",
        Returned = "returned" / "已退回" / "Returned",
        Lapsed = "lapsed" / "已失效" / "Lapsed",
    }
);

impl SupplementStatus {
    /// Proposed, approved or signed: counts towards the 10 %.
    pub fn counts(self) -> bool {
        matches!(self, SupplementStatus::Proposed | SupplementStatus::Approved | SupplementStatus::Signed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplement {
    /// 1, 2, … in the order proposed.
    pub n: u32,
    pub amount: Money,
    pub reason: String,
    /// The milestone the signed supplement adds, and its date.
    pub milestone_name: String,
    pub due: NaiveDate,
    /// The budget lines that pay for it; they add up to `amount`.
    pub funding: Vec<FundingLine>,
    pub status: SupplementStatus,
    pub proposed_by: i64,
    pub proposed_at: DateTime<Utc>,
    /// Finance's decision.
    pub review: Option<ReviewDecision>,
    pub signed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplementInput {
    pub amount: Money,
    pub reason: String,
    pub milestone_name: String,
    pub due: NaiveDate,
    /// Lines the caller has checked are the purchaser's own.
    pub funding: Vec<FundingLine>,
}

impl Contract {
    /// The original amount plus the signed supplementary contracts: what the contract is worth now.
    pub fn total(&self) -> Money {
        self.amount + self.supplements.iter().filter(|s| s.status == SupplementStatus::Signed).map(|s| s.amount).sum()
    }

    pub fn supplement(&self, n: u32) -> Option<&Supplement> {
        self.supplements.iter().find(|s| s.n == n)
    }

    /// How much more supplementary contracts may add under `rules`.
    pub fn supplement_room(&self, rules: &Rules) -> Money {
        let cap = self.amount.share_bp(rules.supplement_max_bp);
        let used: Money = self.supplements.iter().filter(|s| s.status.counts()).map(|s| s.amount).sum();
        if used < cap {
            cap - used
        } else {
            Money::ZERO
        }
    }
}

impl Project {
    fn supplement_mut(&mut self, n: u32, action: &'static str) -> Result<&mut Supplement, DomainError> {
        self.require_status(&[Status::Acceptance], action)?;
        let c = self.contract.as_mut().ok_or(DomainError::NotFound { what: "contract" })?;
        c.supplements.iter_mut().find(|s| s.n == n).ok_or(DomainError::NotFound { what: "supplement" })
    }

    /// The purchaser proposes a supplementary contract to its running contract.
    pub fn propose_supplement(
        &mut self,
        actor: &Actor,
        input: SupplementInput,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_purchaser(actor, "propose_supplement")?;
        self.require_status(&[Status::Acceptance], "propose_supplement")?;
        let c = self.contract.as_ref().ok_or(DomainError::NotFound { what: "contract" })?;
        let mut p = Problems::default();
        let room = c.supplement_room(rules);
        if !input.amount.is_positive() {
            p.add("amount", ErrorCode::AmountNotPositive, "金额必须大于 0", "the amount must be above 0");
        } else if input.amount > room {
            p.add(
                "amount",
                ErrorCode::SupplementAboveLimit,
                format!(
                    "补充合同累计不得超过原合同金额的 {}%，尚可补充 {} 元",
                    rules.supplement_max_bp / 100,
                    room.display_yuan()
                ),
                format!(
                    "supplementary contracts together may add at most {}% of the original amount; {} yuan is left",
                    rules.supplement_max_bp / 100,
                    room.display_yuan()
                ),
            );
        }
        need_text(&mut p, "reason", &input.reason, 2000, "补充理由", "reason");
        need_text(&mut p, "milestone_name", &input.milestone_name, 200, "验收节点名称", "milestone name");
        let last_due = c.milestones.last().map(|m| m.due).unwrap_or(c.start);
        if input.due < last_due || input.due > c.end {
            p.add(
                "due",
                ErrorCode::DueOutsideTerm,
                format!("验收日期须在 {} 至 {} 之间（最后一个节点之后、合同期限之内）", last_due, c.end),
                format!(
                    "the date must fall between {last_due} and {} (after the last milestone, within the term)",
                    c.end
                ),
            );
        }
        if input.amount.is_positive() {
            if let Err(e) = check_plan(&input.funding, input.amount) {
                p.absorb(e);
            }
        }
        if let Err(e) = check_years(&input.funding, c.start, c.end) {
            p.absorb(e);
        }
        p.into_result()?;
        let n = c.supplements.iter().map(|s| s.n).max().unwrap_or(0) + 1;
        let supplement = Supplement {
            n,
            amount: input.amount,
            reason: input.reason.trim().to_string(),
            milestone_name: input.milestone_name.trim().to_string(),
            due: input.due,
            funding: input.funding,
            status: SupplementStatus::Proposed,
            proposed_by: actor.user_id,
            proposed_at: now,
            review: None,
            signed_on: None,
        };
        let detail = json!({"supplement": n, "amount": supplement.amount, "reason": supplement.reason});
        if let Some(c) = self.contract.as_mut() {
            c.supplements.push(supplement);
        }
        self.touch(now);
        Ok(Change::new(Action::ProjectSupplementPropose, detail))
    }

    /// Finance approves a proposed supplementary contract, reserving its money, or returns it with comments.
    pub fn review_supplement(
        &mut self,
        actor: &Actor,
        n: u32,
        approve: bool,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        if !actor.is_finance_reviewer() {
            return Err(DomainError::NotPermitted { action: "review_supplement" });
        }
        if actor.org_id == self.purchaser_org_id {
            return Err(DomainError::OwnProject);
        }
        let comment = comment.trim().to_string();
        let s = self.supplement_mut(n, "review_supplement")?;
        if s.status != SupplementStatus::Proposed {
            return Err(DomainError::WrongStep { action: "review_supplement", status: s.status.code() });
        }
        if !approve && comment.is_empty() {
            return Err(DomainError::field(
                "comment",
                ErrorCode::CommentRequired,
                "退回时请写明意见",
                "say why when returning it",
            ));
        }
        s.review = Some(ReviewDecision {
            stage: ReviewStage::Finance,
            approved: approve,
            comment: comment.clone(),
            reviewer_id: actor.user_id,
            reviewer_name: actor.display_name.clone(),
            org_id: actor.org_id,
            org_name: actor.org_name.clone(),
            at: now,
        });
        s.status = if approve { SupplementStatus::Approved } else { SupplementStatus::Returned };
        let lines = s.funding.clone();
        self.touch(now);
        let detail = json!({"supplement": n, "comment": comment});
        if !approve {
            return Ok(Change::new(Action::ProjectSupplementReturn, detail));
        }
        // Like the original: approval reserves the money; the store refuses it when a line is short.
        let amounts: Vec<Money> = lines.iter().map(|l| l.amount).collect();
        let ledger = self.entries_on(&lines, Movement::Reserve, &amounts);
        Ok(Change::new(Action::ProjectSupplementApprove, detail).with_ledger(ledger))
    }

    /// The purchaser signs an approved supplementary contract: its money is committed and its milestone added.
    pub fn sign_supplement(
        &mut self,
        actor: &Actor,
        n: u32,
        signed_on: NaiveDate,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_purchaser(actor, "sign_supplement")?;
        let s = self.supplement_mut(n, "sign_supplement")?;
        if s.status != SupplementStatus::Approved {
            return Err(DomainError::WrongStep { action: "sign_supplement", status: s.status.code() });
        }
        let approved_on = s.review.as_ref().map(|r| china_date(r.at)).unwrap_or(today);
        if signed_on < approved_on || signed_on > today {
            return Err(DomainError::field(
                "signed_on",
                ErrorCode::SignedOnOutOfRange,
                "签订日期须在财政部门同意之后且不晚于今天",
                "the signing date must be after finance's approval and not in the future",
            ));
        }
        s.status = SupplementStatus::Signed;
        s.signed_on = Some(signed_on);
        let s = s.clone();
        if let Some(c) = self.contract.as_mut() {
            c.milestones.push(Milestone {
                name: s.milestone_name.clone(),
                share_bp: 0,
                amount: s.amount,
                due: s.due,
                status: MilestoneStatus::Pending,
                reports: Vec::new(),
                decisions: Vec::new(),
                supplement: Some(n),
                withheld: Money::ZERO,
            });
        }
        self.touch(now);
        let amounts: Vec<Money> = s.funding.iter().map(|l| l.amount).collect();
        let ledger = self.entries_on(&s.funding, Movement::Commit, &amounts);
        Ok(Change::new(
            Action::ProjectSupplementSign,
            json!({"supplement": n, "amount": s.amount, "signed_on": signed_on}),
        )
        .with_ledger(ledger))
    }

    /// When the contract ends (completed or terminated), supplements not yet signed lapse and what approved
    /// ones reserved goes back to the budgets.
    pub(super) fn lapse_supplements(&mut self) -> Vec<Entry> {
        let Some(c) = self.contract.as_mut() else { return Vec::new() };
        let mut released = Vec::new();
        for s in c
            .supplements
            .iter_mut()
            .filter(|s| matches!(s.status, SupplementStatus::Proposed | SupplementStatus::Approved))
        {
            if s.status == SupplementStatus::Approved {
                released.push(s.funding.clone());
            }
            s.status = SupplementStatus::Lapsed;
        }
        released
            .iter()
            .flat_map(|lines| {
                let amounts: Vec<Money> = lines.iter().map(|l| l.amount).collect();
                self.entries_on(lines, Movement::Release, &amounts)
            })
            .collect()
    }

    /// What signed supplements still owe (their milestones not accepted), to give back when the contract ends.
    pub(super) fn supplements_owed(&self) -> Vec<Entry> {
        let Some(c) = self.contract.as_ref() else { return Vec::new() };
        let unpaid = |s: &&Supplement| {
            s.status == SupplementStatus::Signed
                && c.milestones.iter().any(|m| m.supplement == Some(s.n) && m.status != MilestoneStatus::Accepted)
        };
        c.supplements
            .iter()
            .filter(unpaid)
            .flat_map(|s| {
                let amounts: Vec<Money> = s.funding.iter().map(|l| l.amount).collect();
                self.entries_on(&s.funding, Movement::Uncommit, &amounts)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
