//! Submission and review: the content review by the competent department and the funding review by finance,
//! whose approval reserves the money.

use super::*;
use crate::audit::Action;
use crate::error::ErrorCode;

impl Project {
    /// Submits for review. The category must be in the catalogue and not on the negative list.
    pub fn submit(&mut self, actor: &Actor, ctx: &SubmitContext, now: DateTime<Utc>) -> Result<Change, DomainError> {
        self.may(actor, Act::Submit)?;
        match ctx.category {
            CategoryStatus::Listed => {}
            CategoryStatus::Negative => return Err(DomainError::CategoryOnNegativeList),
            CategoryStatus::Unknown => return Err(DomainError::CategoryNotInCatalogue),
        }
        self.design.validate(ctx.rules)?;
        if self.cost_lines.is_empty() {
            return Err(DomainError::field(
                "cost_lines",
                ErrorCode::CostEstimateMissing,
                "提交前请先完成费用测算",
                "complete the cost estimate before submitting",
            ));
        }
        // No budget, no purchase: the plan must cover the estimate as it now stands.
        check_plan(&self.funding, self.total())?;
        check_years(&self.funding, self.design.period_start, self.design.period_end)?;
        // The competent department reviews other departments' content; its own projects go straight to finance.
        self.content_review_skipped = if ctx.rules.review_stages == ReviewStages::One {
            Some(ContentReviewSkipped::OneStage)
        } else if actor.org_kind == OrgKind::CivilAffairs {
            Some(ContentReviewSkipped::OwnDepartment)
        } else {
            None
        };
        self.status = if self.content_review_skipped.is_none() { Status::ReviewContent } else { Status::ReviewFinance };
        self.touch(now);
        Ok(Change::new(Action::ProjectSubmit, json!({"total": self.total(), "stage": self.status.code()})))
    }

    /// A reviewer approves or returns the project at its current review stage.
    pub fn review(
        &mut self,
        actor: &Actor,
        approve: bool,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.may(actor, Act::Review)?;
        let stage = if self.status == Status::ReviewContent { ReviewStage::Content } else { ReviewStage::Finance };
        let comment = comment.trim();
        if !approve && comment.is_empty() {
            return Err(DomainError::field(
                "comment",
                ErrorCode::CommentRequired,
                "退回时请写明修改意见",
                "say what must change when returning a project",
            ));
        }
        if comment.chars().count() > 2000 {
            return Err(DomainError::field(
                "comment",
                ErrorCode::TooLong,
                "意见不能超过 2000 字",
                "the comment must be at most 2000 characters",
            ));
        }
        self.reviews.push(ReviewDecision {
            stage,
            approved: approve,
            comment: comment.to_string(),
            reviewer_id: actor.user_id,
            reviewer_name: actor.display_name.clone(),
            org_id: actor.org_id,
            org_name: actor.org_name.clone(),
            at: now,
        });
        self.status = match (approve, stage) {
            (false, _) => Status::Design,
            (true, ReviewStage::Content) => Status::ReviewFinance,
            (true, ReviewStage::Finance) => Status::Procurement,
        };
        self.touch(now);
        let action = if approve { Action::ProjectReviewApprove } else { Action::ProjectReviewReturn };
        // Finance approval reserves the plan's money on each budget line; the store refuses it if short.
        let ledger = if approve && stage == ReviewStage::Finance {
            self.entries(Movement::Reserve, &self.planned())
        } else {
            Vec::new()
        };
        Ok(Change::new(action, json!({"stage": stage.code(), "comment": comment})).with_ledger(ledger))
    }
}
