//! The end of a procurement: the winner confirmed, a single-source negotiation recorded, the procurement
//! abandoned, or a switch of method requested and decided after a failure.

use crate::audit::Action;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::{
    need_text, refused, Authority, Award, Method, MethodApproval, Procurement, Stage, SwitchDecision, SwitchRequest,
    Winner,
};
use crate::calendar::{china_date, Calendar};
use crate::error::{DomainError, ErrorCode, Problems};
use crate::money::Money;
use crate::org::{Actor, Role};
use crate::project::Change;
use crate::rules::Rules;
use crate::scoring::Outcome;

impl Procurement {
    fn winner_of(&self, outcome: &Outcome, bid_id: i64, tie_reason: Option<String>) -> Result<Winner, DomainError> {
        let b = self.find_bid(bid_id)?;
        let r = outcome.bid(bid_id).ok_or(DomainError::NotFound { what: "bid" })?;
        Ok(Winner {
            bid_id,
            org_id: b.org_id,
            name: b.name.clone(),
            price: b.price,
            score: r.total.map(|t| t.display()),
            tie_reason,
        })
    }

    /// The purchaser fixes the winner: the first-ranked bid, or, on a tie, the one it picks under the
    /// documents' rule with the reason recorded. A framework agreement admits the first `framework_members`.
    pub fn confirm_winner(
        &mut self,
        actor: &Actor,
        bid_id: i64,
        tie_reason: &str,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_runner(actor, "confirm_winner")?;
        self.require_stage(&[Stage::Confirming], "confirm_winner")?;
        self.require_not_suspended(now)?;
        let outcome = self.outcome(rules)?;
        let chosen = outcome.resolve_tie(bid_id)?;
        let tie_reason = if outcome.tied() {
            if tie_reason.trim().chars().count() < 4 {
                return Err(DomainError::field(
                    "tie_reason",
                    ErrorCode::TieReasonRequired,
                    &format!("得分与报价并列，请依据采购文件规定（{}）写明选择理由", self.documents.tie_rule),
                    "the bids are tied: record why this one, under the documents' rule",
                ));
            }
            Some(tie_reason.trim().to_string())
        } else {
            None
        };
        let winner = self.winner_of(&outcome, chosen, tie_reason)?;
        let mut members = vec![];
        if let (Method::FrameworkAgreement, Some(n)) = (self.method, self.documents.framework_members) {
            members.push(winner.clone());
            for r in
                outcome.bids.iter().filter(|r| r.rank.is_some() && r.id != chosen).take(n.saturating_sub(1) as usize)
            {
                members.push(self.winner_of(&outcome, r.id, None)?);
            }
        }
        let detail = json!({"bid_id": chosen, "provider_org_id": winner.org_id, "price": winner.price});
        self.award = Some(Award { winner, members, at: now, by: actor.user_id, minutes: None, void: false });
        self.stage = Stage::Awarded;
        self.touch(now);
        Ok(Change::new(Action::ProcurementAward, detail))
    }

    /// Single source: the purchaser records the negotiated price and the minutes — after the public notice when
    /// only one supplier can do it (and, at or above the threshold, after finance approved it in the light of the
    /// notice: `approval` is the project's approved application), at once (from the draft) for an emergency or an
    /// add-on.
    #[allow(clippy::too_many_arguments)]
    pub fn record_negotiation(
        &mut self,
        actor: &Actor,
        price: Money,
        minutes: &str,
        approval: Option<&MethodApproval>,
        calendar: &Calendar,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_runner(actor, "record_negotiation")?;
        if self.method != Method::SingleSource {
            return Err(DomainError::NotPermitted { action: "record_negotiation" });
        }
        if self.needs_single_source_notice() {
            self.require_stage(&[Stage::Notice], "record_negotiation")?;
        } else {
            self.require_stage(&[Stage::Draft], "record_negotiation")?;
            self.require_intention_period(china_date(now), calendar, rules)?;
        }
        self.require_not_suspended(now)?;
        if self.bid_deadline.is_some_and(|d| now < d) {
            return Err(refused(
                ErrorCode::NoticeRunning,
                "单一来源公示期未满，不能进行协商",
                "the single-source notice has not ended",
            ));
        }
        if let Some(open) = self.challenges.iter().find(|c| c.reply.is_none()) {
            return Err(refused(
                ErrorCode::ChallengeOpen,
                format!("第 {} 号质疑尚未答复", open.id),
                format!("challenge {} has no reply yet", open.id),
            ));
        }
        let approval = if self.approval_required && self.approval.is_none() {
            let matching = approval.filter(|a| {
                a.approves(Method::SingleSource)
                    && a.single_source
                        .as_ref()
                        .zip(self.documents.single_source.as_ref())
                        .is_some_and(|(x, y)| x.case == y.case && x.provider_org_id == y.provider_org_id)
            });
            let Some(a) = matching.and_then(MethodApproval::reference) else {
                return Err(refused(
                    ErrorCode::ApprovalRequired,
                    "公示期满后，须报设区的市级以上财政部门批准采用单一来源方式，方可协商（政府采购法实施条例 §38）",
                    "after the notice, the finance department of a city with districts or above must approve single source before the negotiation (政府采购法实施条例 §38)",
                ));
            };
            Some(a)
        } else {
            None
        };
        let mut p = Problems::default();
        if !price.is_positive() {
            p.add("price", ErrorCode::MustBePositive, "成交价格必须大于零", "the price must be more than zero");
        } else if price > self.budget {
            p.add("price", ErrorCode::PriceAboveBudget, "成交价格超过采购预算", "the price exceeds the budget");
        }
        need_text(&mut p, "minutes", minutes, 10, 20_000, "协商记录", "negotiation minutes");
        p.into_result()?;
        let s = self.documents.single_source.clone().ok_or(DomainError::NotFound { what: "single-source provider" })?;
        let winner = Winner {
            bid_id: 0,
            org_id: s.provider_org_id,
            name: s.provider_name,
            price,
            score: None,
            tie_reason: None,
        };
        let detail = json!({"provider_org_id": winner.org_id, "price": price});
        if approval.is_some() {
            self.approval = approval;
        }
        self.award = Some(Award {
            winner,
            members: vec![],
            at: now,
            by: actor.user_id,
            minutes: Some(minutes.trim().into()),
            void: false,
        });
        self.stage = Stage::Awarded;
        self.touch(now);
        Ok(Change::new(Action::ProcurementAward, detail))
    }

    /// The purchaser ends a running procurement (e.g. the need has changed), with a reason.
    pub fn abandon(&mut self, actor: &Actor, reason: &str, now: DateTime<Utc>) -> Result<Change, DomainError> {
        self.require_runner(actor, "abandon")?;
        self.require_stage(
            &[
                Stage::Draft,
                Stage::Bidding,
                Stage::Notice,
                Stage::Negotiating,
                Stage::FinalOffers,
                Stage::Evaluating,
                Stage::Confirming,
            ],
            "abandon",
        )?;
        let mut p = Problems::default();
        need_text(&mut p, "reason", reason, 4, 2_000, "终止理由", "reason");
        p.into_result()?;
        self.fail("abandoned", reason.trim().into(), now);
        self.touch(now);
        Ok(Change::new(Action::ProcurementAbandon, json!({"reason": reason.trim()})))
    }

    /// After a failure the purchaser may ask finance to approve another method.
    pub fn request_switch(
        &mut self,
        actor: &Actor,
        to: Method,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        if !(actor.has(Role::Purchaser) && actor.org_id == self.purchaser_org_id) {
            return Err(DomainError::NotPermitted { action: "request_switch" });
        }
        self.require_stage(&[Stage::Failed], "request_switch")?;
        if self.switch.as_ref().is_some_and(|s| s.decision.is_none()) {
            return Err(refused(ErrorCode::SwitchPending, "已有待批准的变更申请", "a request is already waiting"));
        }
        let mut p = Problems::default();
        if to == self.method {
            p.add("to", ErrorCode::SameMethod, "变更后的采购方式不能与原方式相同", "choose a different method");
        }
        need_text(&mut p, "reason", reason, 10, 5_000, "变更理由", "reason");
        p.into_result()?;
        self.switch = Some(SwitchRequest {
            to,
            reason: reason.trim().into(),
            requested_at: now,
            requested_by: actor.user_id,
            decision: None,
        });
        self.touch(now);
        Ok(Change::new(Action::ProcurementRequestSwitch, json!({"to": to.code()})))
    }

    /// Finance decides; at or above the open-tender threshold only the finance department of a city with
    /// districts or above, recording its document number (政府采购法实施条例 §23, 财政部令第87号 §43).
    #[allow(clippy::too_many_arguments)]
    pub fn decide_switch(
        &mut self,
        actor: &Actor,
        authority: &Authority,
        approved: bool,
        document_no: &str,
        comment: &str,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        // Below the threshold the district's bureau decides; at or above it the approving authority.
        let above = self.budget >= rules.open_tender_threshold_for(&self.region);
        if !above && !actor.is_finance_reviewer() {
            return Err(DomainError::NotPermitted { action: "decide_switch" });
        }
        if above {
            authority.require(actor, &self.region, "decide_switch")?;
            if approved && document_no.trim().chars().count() < 2 {
                return Err(DomainError::field(
                    "document_no",
                    ErrorCode::Required,
                    "请填写批复文号",
                    "enter the approval's document number",
                ));
            }
        }
        let s = self
            .switch
            .as_mut()
            .filter(|s| s.decision.is_none())
            .ok_or_else(|| refused(ErrorCode::NoSwitchRequest, "没有待批准的变更申请", "no request is waiting"))?;
        if !approved && comment.trim().chars().count() < 4 {
            return Err(DomainError::field(
                "comment",
                ErrorCode::CommentRequired,
                "不批准时请写明理由",
                "give the reason for refusing",
            ));
        }
        s.decision = Some(SwitchDecision {
            approved,
            comment: comment.trim().into(),
            by: actor.user_id,
            by_name: actor.display_name.clone(),
            at: now,
            authority: if above { authority.name.clone() } else { String::new() },
            document_no: if above && approved { document_no.trim().into() } else { String::new() },
        });
        let to = s.to;
        self.touch(now);
        Ok(Change::new(Action::ProcurementDecideSwitch, json!({"to": to.code(), "approved": approved})))
    }
}
