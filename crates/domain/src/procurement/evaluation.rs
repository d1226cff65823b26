//! The evaluation: the committee drawn, declared and replaced, negotiation rounds and final offers, compliance
//! review, marks, and the outcome with the committee's report.

use crate::audit::Action;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::start::scoring_method;
use super::{need_text, refused, Committee, Compliance, Member, OpenedBid, Procurement, Report, Round, Scoring, Stage};
use crate::calendar::china_date;
use crate::committee::{self, Declaration, Expert, Sizing};
use crate::error::{DomainError, ErrorCode, Problems};
use crate::org::Actor;
use crate::project::Change;
use crate::rules::Rules;
use crate::scoring::{self, BidInput, Evaluation, Mark, Outcome};

impl Procurement {
    /// What fixes the committee's least size; `None` for single source, which has no committee.
    pub fn sizing(&self) -> Option<Sizing<'_>> {
        Some(Sizing {
            method: self.method.panel()?,
            budget: self.budget,
            region: &self.region,
            complex_or_high_impact: self.documents.complex_or_high_impact,
        })
    }

    /// Draws the committee from the pool (after the opening, so conflicts with the actual bidders are known),
    /// with the purchaser's representatives; experts must be at least two thirds.
    #[allow(clippy::too_many_arguments)]
    pub fn draw_committee(
        &mut self,
        actor: &Actor,
        pool: &[Expert],
        representatives: Vec<Member>,
        seed: [u8; 32],
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_runner(actor, "draw_committee")?;
        self.require_stage(&[Stage::Negotiating, Stage::Evaluating], "draw_committee")?;
        if self.committee.is_some() {
            return Err(refused(
                ErrorCode::CommitteeDrawn,
                "评审委员会已经抽取",
                "the committee has already been drawn",
            ));
        }
        let sizing = self.sizing().ok_or(DomainError::NotPermitted { action: "draw_committee" })?;
        let size = committee::required_size(&sizing, rules);
        let reps = representatives.len() as u32;
        let experts = size.saturating_sub(reps);
        committee::validate_composition(&sizing, rules, size, experts)?;
        let draw = committee::draw(pool, &self.category, &self.bidders(), experts, seed, china_date(now), rules)?;
        let mut members: Vec<Member> = draw
            .chosen
            .iter()
            .map(|id| Member {
                user_id: *id,
                name: pool.iter().find(|e| e.id == *id).map(|e| e.name.clone()).unwrap_or_default(),
                expert: true,
            })
            .collect();
        members.extend(representatives.into_iter().map(|m| Member { expert: false, ..m }));
        let detail = json!({"size": size, "seed": draw.seed, "chosen": draw.chosen, "excluded": draw.excluded.len()});
        self.committee = Some(Committee { draw, replacements: vec![], members, declarations: vec![] });
        self.touch(now);
        Ok(Change::new(Action::ProcurementDrawCommittee, detail))
    }

    fn committee_member(&self, actor: &Actor) -> Result<&Committee, DomainError> {
        let c = self
            .committee
            .as_ref()
            .ok_or_else(|| refused(ErrorCode::NoCommittee, "尚未抽取评审委员会", "no committee has been drawn"))?;
        if c.member(actor.user_id).is_none() {
            return Err(DomainError::NotPermitted { action: "evaluate" });
        }
        Ok(c)
    }

    /// A committee member who may see bids (declared no conflict, not recused).
    pub fn require_reader(&self, actor: &Actor) -> Result<(), DomainError> {
        let c = self.committee_member(actor)?;
        if !c.may_see_bids(actor.user_id) {
            return Err(refused(
                ErrorCode::DeclarationRequired,
                "请先声明与供应商无利害关系，方可查看投标文件",
                "declare that you have no conflict with the bidders before seeing bids",
            ));
        }
        Ok(())
    }

    /// An expert declares, before seeing any bid, whether they have a conflict; a conflict recuses them.
    pub fn declare(&mut self, actor: &Actor, no_conflict: bool, now: DateTime<Utc>) -> Result<Change, DomainError> {
        let c = self.committee_member(actor)?;
        if !c.member(actor.user_id).is_some_and(|m| m.expert) {
            return Err(DomainError::NotPermitted { action: "declare" });
        }
        if c.declarations.iter().any(|d| d.expert_id == actor.user_id) {
            return Err(refused(ErrorCode::AlreadyDeclared, "您已作出声明", "you have already declared"));
        }
        if let Some(c) = self.committee.as_mut() {
            c.declarations.push(Declaration { expert_id: actor.user_id, no_conflict, at: now });
        }
        self.touch(now);
        Ok(Change::new(Action::ProcurementDeclare, json!({"no_conflict": no_conflict})))
    }

    /// Replaces recused experts by a further draw from the pool (excluding everyone drawn before).
    pub fn replace_recused(
        &mut self,
        actor: &Actor,
        pool: &[Expert],
        seed: [u8; 32],
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_runner(actor, "replace_recused")?;
        let bidders = self.bidders();
        let c = self
            .committee
            .as_ref()
            .ok_or_else(|| refused(ErrorCode::NoCommittee, "尚未抽取评审委员会", "no committee has been drawn"))?;
        let recused: Vec<i64> = c.members.iter().filter(|m| c.recused(m.user_id)).map(|m| m.user_id).collect();
        let replaced = c.replacements.iter().map(|d| d.size as usize).sum::<usize>();
        let need = recused.len().saturating_sub(replaced) as u32;
        if need == 0 {
            return Err(refused(ErrorCode::NothingToReplace, "没有需要替补的专家", "no expert needs replacing"));
        }
        let drawn: Vec<i64> = c.members.iter().map(|m| m.user_id).collect();
        let rest: Vec<Expert> = pool.iter().filter(|e| !drawn.contains(&e.id)).cloned().collect();
        let draw = committee::draw(&rest, &self.category, &bidders, need, seed, china_date(now), rules)?;
        let c = self.committee.as_mut().expect("checked above");
        for id in &draw.chosen {
            let name = pool.iter().find(|e| e.id == *id).map(|e| e.name.clone()).unwrap_or_default();
            c.members.push(Member { user_id: *id, name, expert: true });
        }
        let detail = json!({"chosen": draw.chosen, "seed": draw.seed});
        c.replacements.push(draw);
        self.note_evaluation(now);
        self.touch(now);
        Ok(Change::new(Action::ProcurementReplaceRecused, detail))
    }

    /// Negotiation or consultation: the committee records a round with the suppliers.
    pub fn record_round(&mut self, actor: &Actor, notes: &str, now: DateTime<Utc>) -> Result<Change, DomainError> {
        self.require_reader(actor)?;
        self.require_stage(&[Stage::Negotiating], "record_round")?;
        let mut p = Problems::default();
        need_text(&mut p, "notes", notes, 5, 20_000, "谈判（磋商）记录", "round notes");
        p.into_result()?;
        let n = self.rounds.len() as u32 + 1;
        self.rounds.push(Round { n, notes: notes.trim().into(), at: now, by: actor.user_id });
        self.touch(now);
        Ok(Change::new(Action::ProcurementRound, json!({"round": n})))
    }

    /// After at least one round, the committee asks the suppliers for sealed final offers by a deadline.
    pub fn call_final_offers(
        &mut self,
        actor: &Actor,
        deadline: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_reader(actor)?;
        self.require_stage(&[Stage::Negotiating], "call_final_offers")?;
        if self.rounds.is_empty() {
            return Err(refused(
                ErrorCode::RoundRequired,
                "请先记录至少一轮谈判（磋商）",
                "record at least one round first",
            ));
        }
        if deadline <= now {
            return Err(DomainError::field(
                "deadline",
                ErrorCode::DeadlineInPast,
                "截止时间必须晚于现在",
                "the deadline must be in the future",
            ));
        }
        self.final_deadline = Some(deadline);
        self.stage = Stage::FinalOffers;
        self.touch(now);
        Ok(Change::new(Action::ProcurementCallFinalOffers, json!({"deadline": deadline})))
    }

    /// The bids evaluated: the final offers where the method has them (suppliers without one withdrew).
    pub fn evaluated_bids(&self) -> Vec<&OpenedBid> {
        match &self.final_opening {
            Some(f) => f.bids.iter().collect(),
            None => self.opening.as_ref().map(|o| o.bids.iter().collect()).unwrap_or_default(),
        }
    }

    pub(super) fn find_bid(&self, bid_id: i64) -> Result<&OpenedBid, DomainError> {
        self.evaluated_bids().into_iter().find(|b| b.bid_id == bid_id).ok_or(DomainError::NotFound { what: "bid" })
    }

    /// The committee's compliance review of one bid (资格性、符合性审查).
    pub fn review_compliance(
        &mut self,
        actor: &Actor,
        bid_id: i64,
        qualified: bool,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_reader(actor)?;
        self.require_stage(&[Stage::Evaluating], "review_compliance")?;
        self.find_bid(bid_id)?;
        if !qualified && reason.trim().chars().count() < 4 {
            return Err(DomainError::field(
                "reason",
                ErrorCode::ReasonRequired,
                "不合格须写明理由（至少 4 个字）",
                "give the reason a bid fails (at least 4 characters)",
            ));
        }
        self.compliance.retain(|c| c.bid_id != bid_id);
        self.compliance.push(Compliance { bid_id, qualified, reason: reason.trim().into(), by: actor.user_id });
        self.note_evaluation(now);
        self.touch(now);
        Ok(Change::new(Action::ProcurementCompliance, json!({"bid_id": bid_id, "qualified": qualified})))
    }

    /// Whether the committee's work is all in: every bid reviewed, every sitting member's marks (comprehensive
    /// scoring), every questioned low price judged.
    pub fn evaluation_complete(&self) -> bool {
        let Some(c) = &self.committee else { return false };
        let bids = self.evaluated_bids();
        let reviewed = bids.iter().all(|b| self.compliance.iter().any(|x| x.bid_id == b.bid_id));
        let marked = !matches!(self.documents.scoring, Scoring::Comprehensive { .. })
            || c.sitting().all(|m| self.marks.iter().any(|x| x.expert == m.user_id));
        !bids.is_empty() && reviewed && marked && self.low_prices.iter().all(|l| l.finding.is_some())
    }

    /// Records when the evaluation ended, for the report's due date (政府采购法实施条例 §43): the time of the
    /// committee input that completed it; a later change moves it.
    pub(super) fn note_evaluation(&mut self, now: DateTime<Utc>) {
        self.evaluated_at = self.evaluation_complete().then_some(now);
    }

    /// A committee member's scores for every bid on every criterion (comprehensive scoring); replaces their
    /// earlier ones. The purchaser's representatives score like the experts (财政部令第87号 §46).
    pub fn mark(
        &mut self,
        actor: &Actor,
        marks: Vec<(i64, String, String)>,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_reader(actor)?;
        self.require_stage(&[Stage::Evaluating], "mark")?;
        let Scoring::Comprehensive { criteria, .. } = &self.documents.scoring else {
            return Err(refused(ErrorCode::NoMarks, "最低价法不需要专家打分", "the lowest-price method has no marks"));
        };
        let mut p = Problems::default();
        let bids: Vec<i64> = self.evaluated_bids().iter().map(|b| b.bid_id).collect();
        let mut new = Vec::new();
        for (i, (bid, criterion, score)) in marks.into_iter().enumerate() {
            if !bids.contains(&bid) {
                p.add(format!("marks[{i}].bid"), ErrorCode::UnknownBid, "没有这份投标", "no such bid");
            }
            if !criteria.iter().any(|c| c.key == criterion) {
                p.add(
                    format!("marks[{i}].criterion"),
                    ErrorCode::UnknownCriterion,
                    "没有这个评分因素",
                    "no such criterion",
                );
            }
            if let Err(e) = scoring::ExpertScore::parse(&score) {
                p.add(format!("marks[{i}].score"), e.code(), e.message_zh(), e.message_en());
            }
            new.push(Mark { expert: actor.user_id, bid, criterion, score: score.trim().into() });
        }
        for b in &bids {
            for c in criteria {
                if !new.iter().any(|m| m.bid == *b && m.criterion == c.key) {
                    p.add(
                        "marks",
                        ErrorCode::MarksIncomplete,
                        format!("请为每份投标的每个评分因素打分（缺 {}）", c.name),
                        format!("score every bid on every criterion (missing {})", c.key),
                    );
                    break;
                }
            }
        }
        p.into_result()?;
        self.marks.retain(|m| m.expert != actor.user_id);
        self.marks.extend(new);
        self.note_evaluation(now);
        self.touch(now);
        Ok(Change::new(Action::ProcurementMark, json!({"expert": actor.user_id})))
    }

    /// The scoring inputs as they stand.
    pub fn evaluation(&self) -> Evaluation {
        let bids = self
            .evaluated_bids()
            .iter()
            .map(|b| {
                let c = self.compliance.iter().find(|c| c.bid_id == b.bid_id);
                BidInput {
                    id: b.bid_id,
                    price: b.price,
                    small_or_micro: b.small_or_micro,
                    disqualified: c.is_some_and(|c| !c.qualified),
                    low_price_unjustified: self.low_price_unjustified(b.bid_id),
                }
            })
            .collect();
        let method = match &self.documents.scoring {
            Scoring::LowestPrice => scoring::Method::LowestEvaluatedPrice,
            Scoring::Comprehensive { price_weight_bp, criteria } => {
                scoring_method(self.method, *price_weight_bp, criteria)
            }
        };
        let sitting: Vec<i64> =
            self.committee.as_ref().map(|c| c.sitting().map(|m| m.user_id).collect()).unwrap_or_default();
        let marks = self.marks.iter().filter(|m| sitting.contains(&m.expert)).cloned().collect();
        Evaluation { method, bids, marks, sme_deduction_bp: Some(self.documents.sme_deduction_bp) }
    }

    /// The scored outcome, once evaluation has inputs.
    pub fn outcome(&self, rules: &Rules) -> Result<Outcome, DomainError> {
        scoring::evaluate(&self.evaluation(), rules)
    }

    /// The committee finishes: every bid reviewed, every sitting expert's marks in. Fewer qualified bids than
    /// the minimum fails the procurement; otherwise the report goes to the purchaser.
    pub fn finish_evaluation(
        &mut self,
        actor: &Actor,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_reader(actor)?;
        self.require_stage(&[Stage::Evaluating], "finish_evaluation")?;
        let c = self.committee.as_ref().expect("a reader sits on the committee");
        let sitting = c.sitting().count() as u32;
        let sizing = self.sizing().expect("methods with a committee have a panel");
        if sitting < committee::required_size(&sizing, rules) {
            return Err(refused(
                ErrorCode::CommitteeIncomplete,
                "评审委员会人数不足，请先替补回避的专家",
                "the committee is short: replace recused experts first",
            ));
        }
        let experts: Vec<i64> = c.sitting().filter(|m| m.expert).map(|m| m.user_id).collect();
        if let Some(undeclared) = experts.iter().find(|e| !c.declarations.iter().any(|d| d.expert_id == **e)) {
            return Err(refused(
                ErrorCode::DeclarationMissing,
                format!("专家（编号 {undeclared}）尚未作出利害关系声明"),
                format!("expert {undeclared} has not declared"),
            ));
        }
        let bids = self.evaluated_bids();
        if let Some(b) = bids.iter().find(|b| !self.compliance.iter().any(|c| c.bid_id == b.bid_id)) {
            return Err(refused(
                ErrorCode::ComplianceMissing,
                format!("尚未审查{}的投标", b.name),
                format!("the bid of {} has not been reviewed", b.name),
            ));
        }
        if matches!(self.documents.scoring, Scoring::Comprehensive { .. }) {
            if let Some(m) = c.sitting().find(|m| !self.marks.iter().any(|x| x.expert == m.user_id)) {
                return Err(refused(
                    ErrorCode::MarksMissing,
                    format!("评审委员会成员{}尚未打分", m.name),
                    format!("committee member {} has not scored", m.user_id),
                ));
            }
        }
        if let Some(l) = self.low_prices.iter().find(|l| l.finding.is_none()) {
            return Err(refused(
                ErrorCode::LowPricePending,
                format!("投标 {} 的报价合理性尚未作出认定", l.bid_id),
                format!("the committee has not yet judged whether bid {}'s price is justified", l.bid_id),
            ));
        }
        let outcome = self.outcome(rules)?;
        let ranked = outcome.bids.iter().filter(|b| b.rank.is_some()).count();
        let min = self.min_suppliers(rules);
        if ranked < min {
            self.fail("too_few_qualified", format!("有效投标（响应）不足 {min} 家（{ranked} 家）"), now);
        } else {
            self.stage = Stage::Confirming;
        }
        self.report = Some(Report { at: now, by: actor.user_id });
        self.touch(now);
        Ok(Change::new(Action::ProcurementReport, json!({"ranked": ranked, "winners": outcome.winners})))
    }
}
