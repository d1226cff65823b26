//! An abnormally low price (财政部令第87号 §60): when the committee thinks a price clearly below the others may
//! affect quality or performance, it asks the bidder to prove the price reasonable in writing by a set time; the
//! bid is void only if the committee then finds the price unjustified. The thresholds in [`crate::scoring`] only
//! prompt the committee; they decide nothing.

use crate::audit::Action;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{need_text, refused, Procurement, Stage};
use crate::error::{DomainError, ErrorCode, Problems};
use crate::org::{Actor, Role};
use crate::project::Change;

/// The bidder's written explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub text: String,
    pub at: DateTime<Utc>,
}

/// The committee's finding on the explanation (or its absence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub justified: bool,
    pub reason: String,
    pub by: i64,
    pub at: DateTime<Utc>,
}

/// A price the committee asked its bidder to justify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowPrice {
    pub bid_id: i64,
    pub org_id: i64,
    /// Why the committee thinks the price may affect quality or performance.
    pub reason: String,
    pub flagged_by: i64,
    pub flagged_at: DateTime<Utc>,
    /// The bidder explains in writing by then.
    pub due: DateTime<Utc>,
    pub explanation: Option<Explanation>,
    pub finding: Option<Finding>,
}

impl Procurement {
    /// Whether the committee found this bid's price abnormally low and unjustified: the bid is void.
    pub fn low_price_unjustified(&self, bid_id: i64) -> bool {
        self.low_prices.iter().any(|l| l.bid_id == bid_id && l.finding.as_ref().is_some_and(|f| !f.justified))
    }

    fn low_price_mut(&mut self, bid_id: i64) -> Result<&mut LowPrice, DomainError> {
        self.low_prices.iter_mut().find(|l| l.bid_id == bid_id).ok_or(DomainError::NotFound { what: "low price" })
    }

    /// A committee member asks the bidder to justify its price in writing by `due`.
    pub fn flag_low_price(
        &mut self,
        actor: &Actor,
        bid_id: i64,
        reason: &str,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_reader(actor)?;
        self.require_stage(&[Stage::Evaluating], "flag_low_price")?;
        let org_id = self.find_bid(bid_id)?.org_id;
        if self.low_prices.iter().any(|l| l.bid_id == bid_id) {
            return Err(refused(
                ErrorCode::LowPriceFlagged,
                "已要求该投标人说明报价的合理性",
                "this bidder has already been asked to justify its price",
            ));
        }
        let mut p = Problems::default();
        need_text(&mut p, "reason", reason, 4, 2_000, "认为报价明显偏低的理由", "why the price seems abnormally low");
        if due <= now {
            p.add("due", ErrorCode::DeadlineInPast, "说明期限必须晚于现在", "the deadline must be in the future");
        }
        p.into_result()?;
        self.low_prices.push(LowPrice {
            bid_id,
            org_id,
            reason: reason.trim().into(),
            flagged_by: actor.user_id,
            flagged_at: now,
            due,
            explanation: None,
            finding: None,
        });
        self.note_evaluation(now);
        self.touch(now);
        Ok(Change::new(Action::ProcurementLowPriceFlag, json!({"bid_id": bid_id, "due": due})))
    }

    /// The bidder explains its price in writing, until the deadline (a later explanation replaces an earlier).
    pub fn explain_low_price(&mut self, actor: &Actor, text: &str, now: DateTime<Utc>) -> Result<Change, DomainError> {
        if !actor.has(Role::Provider) {
            return Err(DomainError::NotPermitted { action: "explain_low_price" });
        }
        self.require_stage(&[Stage::Evaluating], "explain_low_price")?;
        let l = self
            .low_prices
            .iter_mut()
            .find(|l| l.org_id == actor.org_id && l.finding.is_none())
            .ok_or(DomainError::NotFound { what: "request for an explanation" })?;
        if now >= l.due {
            return Err(refused(
                ErrorCode::ExplanationLate,
                "说明报价合理性的期限已过",
                "the deadline for explaining the price has passed",
            ));
        }
        let mut p = Problems::default();
        need_text(&mut p, "text", text, 10, 20_000, "报价合理性的书面说明", "written explanation");
        p.into_result()?;
        l.explanation = Some(Explanation { text: text.trim().into(), at: now });
        let bid_id = l.bid_id;
        self.touch(now);
        Ok(Change::new(Action::ProcurementLowPriceExplain, json!({"bid_id": bid_id})))
    }

    /// The committee finds the price justified or not, once the bidder explained or its deadline passed.
    pub fn decide_low_price(
        &mut self,
        actor: &Actor,
        bid_id: i64,
        justified: bool,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_reader(actor)?;
        self.require_stage(&[Stage::Evaluating], "decide_low_price")?;
        let l = self.low_price_mut(bid_id)?;
        if l.finding.is_some() {
            return Err(refused(ErrorCode::LowPriceDecided, "已对该报价作出认定", "the price has been judged already"));
        }
        if l.explanation.is_none() && now < l.due {
            return Err(refused(
                ErrorCode::ExplanationPending,
                "投标人尚未提交书面说明，说明期限也未届满",
                "the bidder has not explained yet and its deadline has not passed",
            ));
        }
        if !justified && reason.trim().chars().count() < 4 {
            return Err(DomainError::field(
                "reason",
                ErrorCode::ReasonRequired,
                "认定报价不合理、投标无效须写明理由（至少 4 个字）",
                "give the reason the price is unjustified (at least 4 characters)",
            ));
        }
        l.finding = Some(Finding { justified, reason: reason.trim().into(), by: actor.user_id, at: now });
        self.note_evaluation(now);
        self.touch(now);
        Ok(Change::new(Action::ProcurementLowPriceFinding, json!({"bid_id": bid_id, "justified": justified})))
    }
}
