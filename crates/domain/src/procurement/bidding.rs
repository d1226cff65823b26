//! From the announcement to the opening: publication, who may bid, the bid window, questions and
//! clarifications, and the opening that reads out the bids.

use crate::audit::Action;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::{
    need_text, period_end, refused, BidContent, Clarification, Method, Obtained, OpenedBid, Opening, Procurement,
    Question, SingleSourceCase, Stage,
};
use crate::calendar::{china_date, Calendar};
use crate::error::{DomainError, ErrorCode, Problems};
use crate::org::{Actor, ProviderInfo, Role};
use crate::project::Change;
use crate::rules::Rules;

impl Procurement {
    /// The bid (response) deadline in force, or the final-offer deadline while final offers are sealed.
    pub fn sealed_until(&self) -> Option<DateTime<Utc>> {
        match self.stage {
            Stage::Bidding => self.bid_deadline,
            Stage::FinalOffers => self.final_deadline,
            _ => None,
        }
    }

    /// Single source because only one supplier can do it: the case with the 5-working-day public notice
    /// (政府采购法实施条例 §38). An emergency or an add-on negotiates without one.
    pub fn needs_single_source_notice(&self) -> bool {
        self.method == Method::SingleSource
            && self.documents.single_source.as_ref().is_some_and(|s| s.case == SingleSourceCase::OnlyOneSupplier)
    }

    /// Publishes the announcement (or the single-source notice) with the bid deadline, refusing a schedule
    /// shorter than the law's minimum periods.
    pub fn publish(
        &mut self,
        actor: &Actor,
        bid_deadline: DateTime<Utc>,
        calendar: &Calendar,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_runner(actor, "publish")?;
        self.require_stage(&[Stage::Draft], "publish")?;
        if self.method == Method::SingleSource && !self.needs_single_source_notice() {
            return Err(refused(
                ErrorCode::NoNoticeForCase,
                "单一来源采购公示（政府采购法实施条例 §38）只适用于只能从唯一供应商处采购的情形；紧急情况或原合同追加请直接记录协商结果",
                "the single-source notice (政府采购法实施条例 §38) is for the only-one-supplier case; for an emergency or an add-on, record the negotiation directly",
            ));
        }
        let today = china_date(now);
        self.require_intention_period(today, calendar, rules)?;
        let period = self.method.response_period();
        let deadline_day = china_date(bid_deadline);
        if self.method == Method::SingleSource {
            // The notice runs its minimum; the negotiation may follow once it ends.
            let end = period_end(rules, period, today, calendar)?;
            self.bid_deadline = Some(crate::calendar::end_of_day(end.date).max(bid_deadline));
            self.stage = Stage::Notice;
        } else {
            if bid_deadline <= now {
                return Err(DomainError::field(
                    "bid_deadline",
                    ErrorCode::DeadlineInPast,
                    "截止时间必须晚于现在",
                    "the deadline must be in the future",
                ));
            }
            rules.periods.check_minimum(period, today, deadline_day, calendar)?;
            self.bid_deadline = Some(bid_deadline);
            self.stage = Stage::Bidding;
        }
        self.published_on = Some(today);
        self.touch(now);
        Ok(Change::new(
            Action::ProcurementPublish,
            json!({"method": self.method.code(), "bid_deadline": self.bid_deadline, "published_on": today}),
        ))
    }

    /// Whether this organisation may take part: a provider kind but not a class-one public institution
    /// (财政部令第102号), verified and active, not barred by finance (政府采购法 §77), of a kind the qualification
    /// requirements admit, and invited when the method invites.
    pub fn check_bidder(&self, actor: &Actor, bidder: &ProviderInfo, now: DateTime<Utc>) -> Result<(), DomainError> {
        if !actor.has(Role::Provider) || !actor.org_kind.is_provider_kind() || bidder.org_id != actor.org_id {
            return Err(DomainError::NotPermitted { action: "bid" });
        }
        if bidder.class_one {
            return Err(refused(
                ErrorCode::ClassOneIneligible,
                "承担行政职能的事业单位（公益一类事业单位）不能作为承接主体，不得参与投标（财政部令第102号）",
                "a class-one public institution cannot be a provider and may not bid (财政部令第102号)",
            ));
        }
        if !bidder.active {
            return Err(refused(
                ErrorCode::ProviderNotVerified,
                "贵单位尚未通过民政部门核验或已被暂停，不能参与投标",
                "your organisation is not verified by civil affairs (or is suspended) and may not bid",
            ));
        }
        bidder.check_not_barred(china_date(now))?;
        if !self.documents.admits(bidder.kind) {
            let admitted: Vec<&str> = self.documents.admitted_kinds.iter().map(|k| k.label_zh()).collect();
            let admitted_en: Vec<&str> = self.documents.admitted_kinds.iter().map(|k| k.code()).collect();
            return Err(refused(
                ErrorCode::KindNotAdmitted,
                format!(
                    "采购文件的资格要求限于{}，贵单位登记为{}，不符合资格要求",
                    admitted.join("、"),
                    bidder.kind.label_zh()
                ),
                format!(
                    "the qualification requirements admit only {}; your organisation is registered as {}",
                    admitted_en.join(", "),
                    bidder.kind.code()
                ),
            ));
        }
        let invited = match self.method {
            Method::InvitedTender => self.documents.invited.contains(&actor.org_id),
            Method::SingleSource => {
                self.documents.single_source.as_ref().is_some_and(|s| s.provider_org_id == actor.org_id)
            }
            _ => true,
        };
        if !invited {
            return Err(refused(
                ErrorCode::NotInvited,
                "本项目仅接受受邀供应商参与",
                "only invited providers may take part",
            ));
        }
        Ok(())
    }

    /// A provider registers interest and obtains the documents.
    pub fn register_interest(
        &mut self,
        actor: &Actor,
        bidder: &ProviderInfo,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.check_bidder(actor, bidder, now)?;
        self.require_stage(&[Stage::Bidding], "register_interest")?;
        // Interest is for bidding: once the deadline has passed there is nothing left to take part in.
        if self.bid_deadline.is_some_and(|d| now >= d) {
            return Err(refused(
                ErrorCode::DeadlinePassed,
                "投标（响应）截止时间已过，不再接受登记参与",
                "the deadline has passed; interest can no longer be registered",
            ));
        }
        if !self.interests.contains(&actor.org_id) {
            self.interests.push(actor.org_id);
            self.documents_obtained.push(Obtained { org_id: actor.org_id, on: china_date(now) });
            self.touch(now);
        }
        Ok(Change::new(Action::ProcurementInterest, json!({})))
    }

    /// Checks a bid (or final offer) may be submitted, changed or withdrawn now.
    pub fn check_bid_window(
        &self,
        actor: &Actor,
        bidder: &ProviderInfo,
        content: Option<&BidContent>,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.check_bidder(actor, bidder, now)?;
        self.require_not_suspended(now)?;
        let deadline = self.sealed_until().ok_or_else(|| {
            refused(ErrorCode::NotAcceptingBids, "当前不接受投标（响应）", "bids are not being accepted now")
        })?;
        if now >= deadline {
            return Err(refused(
                ErrorCode::DeadlinePassed,
                "投标（响应）截止时间已过，不再接受",
                "the deadline has passed; bids are no longer accepted",
            ));
        }
        if self.stage == Stage::FinalOffers
            && !self.opening.as_ref().is_some_and(|o| o.bids.iter().any(|b| b.org_id == actor.org_id))
        {
            return Err(refused(
                ErrorCode::NotABidder,
                "只有参加谈判（磋商）的供应商可以提交最后报价",
                "only suppliers in the negotiation may make a final offer",
            ));
        }
        if let Some(c) = content {
            let mut p = Problems::default();
            if !c.price.is_positive() {
                p.add("price", ErrorCode::MustBePositive, "报价必须大于零", "the price must be more than zero");
            } else if c.price > self.budget {
                p.add(
                    "price",
                    ErrorCode::PriceAboveBudget,
                    format!("报价超过采购预算（{} 元）", self.budget.display_yuan()),
                    format!("the price exceeds the budget ({} yuan)", self.budget.display_yuan()),
                );
            }
            need_text(&mut p, "proposal", &c.proposal, 1, 50_000, "技术（服务）方案", "proposal");
            p.into_result()?;
        }
        Ok(())
    }

    pub fn ask(
        &mut self,
        actor: &Actor,
        bidder: &ProviderInfo,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.check_bidder(actor, bidder, now)?;
        self.require_stage(&[Stage::Bidding], "ask")?;
        let mut p = Problems::default();
        need_text(&mut p, "text", text, 5, 2_000, "问题", "question");
        p.into_result()?;
        let id = self.questions.len() as u32 + 1;
        self.questions.push(Question { id, org_id: actor.org_id, text: text.trim().into(), asked_at: now });
        self.touch(now);
        Ok(Change::new(Action::ProcurementQuestion, json!({"question": id})))
    }

    /// Publishes a clarification (answering a question or not). One that affects bids must come at least the
    /// method's clarification period before the deadline — 15 days for tenders (财政部令第87号 §27), 5 days for
    /// consultation (财库〔2014〕214号 §10), 3 working days for negotiation and quotation (财政部令第74号 §29,
    /// §46) — else the deadline moves to keep that period.
    #[allow(clippy::too_many_arguments)]
    pub fn clarify(
        &mut self,
        actor: &Actor,
        text: &str,
        answers: Option<u32>,
        affects_bids: bool,
        calendar: &Calendar,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_runner(actor, "clarify")?;
        self.require_stage(&[Stage::Bidding], "clarify")?;
        let mut p = Problems::default();
        need_text(&mut p, "text", text, 5, 10_000, "澄清内容", "clarification");
        if let Some(q) = answers {
            if !self.questions.iter().any(|x| x.id == q) {
                p.add("answers", ErrorCode::UnknownQuestion, "没有这个问题", "no such question");
            }
        }
        p.into_result()?;
        let mut moved = None;
        if affects_bids {
            let earliest = period_end(rules, self.method.clarification_period(), china_date(now), calendar)?;
            let deadline = self.bid_deadline.unwrap_or(now);
            if china_date(deadline) < earliest.date {
                let new = crate::calendar::at_china_time(earliest.date, deadline);
                self.bid_deadline = Some(new);
                moved = Some(new);
            }
        }
        self.clarifications.push(Clarification {
            text: text.trim().into(),
            answers,
            affects_bids,
            at: now,
            moved_deadline: moved,
        });
        self.touch(now);
        Ok(Change::new(Action::ProcurementClarify, json!({"affects_bids": affects_bids, "moved_deadline": moved})))
    }

    /// The fewest suppliers the procurement goes on with, at each opening and after evaluation: 3 (final offers
    /// too, 财政部令第74号 §33), or 2 where the rules allow — a consultation for services (财库〔2015〕124号) and a
    /// negotiation after a failed open tender (财政部令第74号 §27).
    pub fn min_suppliers(&self, rules: &Rules) -> usize {
        let reduced = self.method == Method::CompetitiveConsultation
            || (self.method == Method::CompetitiveNegotiation && self.after_failed_open_tender);
        (if reduced { rules.min_bidders_reduced } else { rules.min_bidders }) as usize
    }

    /// The opening (开标): at or after the deadline, with who was there; reads out every bid. Fewer than the
    /// minimum number of suppliers fails the procurement.
    pub fn open(
        &mut self,
        actor: &Actor,
        attendees: &[String],
        mut bids: Vec<OpenedBid>,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_runner(actor, "open")?;
        self.require_stage(&[Stage::Bidding, Stage::FinalOffers], "open")?;
        self.require_not_suspended(now)?;
        let deadline = self.sealed_until().unwrap_or(now);
        if now < deadline {
            return Err(refused(
                ErrorCode::BidsSealed,
                "投标截止时间未到，不能开标",
                "the bids stay sealed until the deadline",
            ));
        }
        let attendees: Vec<String> = attendees.iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
        if attendees.is_empty() {
            return Err(DomainError::field(
                "attendees",
                ErrorCode::Required,
                "请记录参加开标的人员",
                "record who attended the opening",
            ));
        }
        bids.sort_by_key(|b| b.bid_id);
        let final_round = self.stage == Stage::FinalOffers;
        let count = bids.len();
        let opening = Opening { at: now, by: actor.user_id, attendees, bids };
        if final_round {
            self.final_opening = Some(opening);
        } else {
            self.opening = Some(opening);
        }
        let action = if final_round { Action::ProcurementOpenFinal } else { Action::ProcurementOpen };
        let min = self.min_suppliers(rules);
        if count < min {
            self.fail("too_few_bids", format!("递交投标（响应）文件的供应商不足 {min} 家（{count} 家）"), now);
        } else {
            self.stage = if final_round || !self.method.has_rounds() { Stage::Evaluating } else { Stage::Negotiating };
        }
        self.touch(now);
        Ok(Change::new(action, json!({"bids": count, "stage": self.stage.code()})))
    }

    /// The bidders as opened (the first opening names who takes part).
    pub fn bidders(&self) -> Vec<i64> {
        self.opening.as_ref().map(|o| o.bids.iter().map(|b| b.org_id).collect()).unwrap_or_default()
    }
}
