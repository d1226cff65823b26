//! What anyone may read of a project once its first notice is public (issue 10's public project page, and later
//! its open data): one definition, so that a page or an export cannot show more by accident. Left out on purpose:
//! the reviewers' comments, the cost lines' working, the service reports (they may name service users), the
//! reasons given for a rejection (the purchaser's internal comments), the social workers in posts, and who did what
//! inside the departments.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{AwardMethod, MilestoneStatus, Project, Status};
use crate::budget::FundSource;
use crate::calendar::china_date;
use crate::evaluation::{Grade, Party, Points, ScoreLine};
use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicProject {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub purchaser: String,
    pub purchaser_org_id: i64,
    pub category: String,
    pub regions: Vec<String>,
    /// What the service is, as the design describes it.
    pub content: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: Status,
    /// The estimate's total: the budget the purchase may spend.
    pub budget: Money,
    /// Where the money comes from, by source and year.
    pub funding: Vec<PublicFunding>,
    pub award: Option<PublicAward>,
    pub contract: Option<PublicContract>,
    /// The day the project was cancelled, if it was.
    pub cancelled_on: Option<NaiveDate>,
    /// When it was cancelled: the time its open data's cancellation carries.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The performance evaluation's result, once every party has scored.
    pub evaluation: Option<PublicEvaluation>,
}

/// What the public reads of an evaluation: who evaluated, each party's total, the result and the third party's
/// points per indicator. Not the evidence or the opinions, which may name service users or staff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicEvaluation {
    pub evaluator: String,
    pub total: Points,
    pub grade: Grade,
    pub finished_on: NaiveDate,
    pub parts: Vec<(Party, Points)>,
    pub lines: Vec<ScoreLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicFunding {
    pub source: FundSource,
    pub year: i32,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicAward {
    pub method_zh: &'static str,
    pub method_en: &'static str,
    pub provider: String,
    pub provider_org_id: i64,
    pub amount: Money,
    pub on: NaiveDate,
    /// A direct award (no procurement, so no result notice announced it).
    pub direct: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicContract {
    pub provider: String,
    pub provider_org_id: i64,
    pub amount: Money,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub signed_on: NaiveDate,
    pub milestones: Vec<PublicMilestone>,
    /// What the accepted milestones paid.
    pub paid: Money,
    /// The day the contract was ended early, if it was.
    pub terminated_on: Option<NaiveDate>,
    pub terminated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicMilestone {
    pub name: String,
    pub due: NaiveDate,
    pub amount: Money,
    pub status: MilestoneStatus,
    /// What acceptance paid: the amount less what the evaluation's grade withheld.
    pub paid: Money,
    pub withheld: Money,
    /// The day it was accepted (and paid), once it was.
    pub accepted_on: Option<NaiveDate>,
    /// When it was accepted: the payment's time in open data.
    pub accepted_at: Option<DateTime<Utc>>,
}

impl Project {
    /// The project as the public may read it (see the module's note on what is left out).
    pub fn public(&self) -> PublicProject {
        let d = &self.design;
        let funding =
            self.funding.iter().map(|l| PublicFunding { source: l.source, year: l.year, amount: l.amount }).collect();
        let award = self.award.as_ref().map(|a| {
            let (method_zh, method_en) = a.method_label();
            PublicAward {
                method_zh,
                method_en,
                provider: a.provider.name.clone(),
                provider_org_id: a.provider.org_id,
                amount: a.amount,
                on: china_date(a.at),
                direct: a.method == AwardMethod::Direct,
            }
        });
        let contract = self.contract.as_ref().map(|c| {
            let milestones: Vec<PublicMilestone> = c
                .milestones
                .iter()
                .map(|m| {
                    let accepted_at = (m.status == MilestoneStatus::Accepted)
                        .then(|| m.decisions.iter().rev().find(|x| x.accepted).map(|x| x.at))
                        .flatten();
                    PublicMilestone {
                        name: m.name.clone(),
                        due: m.due,
                        amount: m.amount,
                        status: m.status,
                        paid: m.paid(),
                        withheld: m.withheld,
                        accepted_on: accepted_at.map(china_date),
                        accepted_at,
                    }
                })
                .collect();
            let paid = milestones.iter().map(|m| m.paid).sum();
            PublicContract {
                provider: c.provider.name.clone(),
                provider_org_id: c.provider.org_id,
                amount: c.amount,
                start: c.start,
                end: c.end,
                signed_on: c.signed_on,
                milestones,
                paid,
                terminated_on: c.termination.as_ref().map(|t| china_date(t.at)),
                terminated_at: c.termination.as_ref().map(|t| t.at),
            }
        });
        PublicProject {
            id: self.id,
            code: self.code.clone(),
            title: d.title.clone(),
            purchaser: self.purchaser_name.clone(),
            purchaser_org_id: self.purchaser_org_id,
            category: d.category.clone(),
            regions: d.regions.clone(),
            content: d.content.clone(),
            period_start: d.period_start,
            period_end: d.period_end,
            status: self.status,
            budget: self.total(),
            funding,
            award,
            contract,
            cancelled_on: self.cancellation.as_ref().map(|c| china_date(c.at)),
            cancelled_at: self.cancellation.as_ref().map(|c| c.at),
            evaluation: self.public_evaluation(),
        }
    }

    fn public_evaluation(&self) -> Option<PublicEvaluation> {
        let e = self.evaluation.as_ref()?;
        let result = e.result.as_ref()?;
        Some(PublicEvaluation {
            evaluator: e.evaluator.org_name.clone(),
            total: result.total,
            grade: result.grade,
            finished_on: china_date(result.at),
            parts: e.parts.iter().map(|p| (p.party, p.scorecard.total)).collect(),
            lines: e.part(Party::ThirdParty).map(|p| p.scorecard.lines.clone()).unwrap_or_default(),
        })
    }
}
