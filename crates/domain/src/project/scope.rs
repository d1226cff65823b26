//! Which projects a reader may see, as a filter a store can put in its query ([`can_view`](super::can_view) is the
//! same rule on one project), and the facts about a project that lists filter, sort and sum on.

use chrono::NaiveDate;

use super::{Project, ReviewStage, Status, Waiting};
use crate::money::Money;
use crate::org::{region_within, Actor, Role};

/// The projects a reader may see: any that one of the admitted kinds of tie matches. Deny by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Administrators see every project.
    pub everything: bool,
    /// The reader's organisation sees the projects it purchases.
    pub purchaser_org_id: i64,
    /// Content and finance reviewers see projects under review or reviewed once.
    pub reviewed: bool,
    /// A provider sees the projects awarded to it.
    pub provider_org_id: Option<i64>,
    /// A supervisor sees projects with a region in its subtree.
    pub region: Option<String>,
    /// A third-party evaluator sees the projects it was commissioned to evaluate.
    pub evaluator_org_id: Option<i64>,
}

impl Scope {
    /// Every project: an administrator's, and what the public lists narrow to the published ones.
    pub fn everything() -> Scope {
        Scope {
            everything: true,
            purchaser_org_id: 0,
            reviewed: false,
            provider_org_id: None,
            region: None,
            evaluator_org_id: None,
        }
    }

    pub fn of(actor: &Actor) -> Scope {
        Scope {
            everything: actor.has(Role::Admin),
            purchaser_org_id: actor.org_id,
            reviewed: ReviewStage::Content.reviewed_by(actor) || ReviewStage::Finance.reviewed_by(actor),
            provider_org_id: actor.has(Role::Provider).then_some(actor.org_id),
            region: if actor.has(Role::Supervisor) { actor.supervisor_region.clone() } else { None },
            evaluator_org_id: actor.has(Role::Evaluator).then_some(actor.org_id),
        }
    }

    /// The projects the reader sees whole: those it sees other than as their provider or evaluator
    /// (see [`crate::visibility::project_access`]).
    pub fn seen_whole(&self) -> Scope {
        Scope { provider_org_id: None, evaluator_org_id: None, ..self.clone() }
    }

    pub fn admits(&self, p: &Project) -> bool {
        let facts = p.facts();
        self.everything
            || p.purchaser_org_id == self.purchaser_org_id
            || (self.reviewed && facts.reviewed)
            || (self.provider_org_id.is_some() && self.provider_org_id == facts.provider_org_id)
            || (self.evaluator_org_id.is_some() && self.evaluator_org_id == facts.evaluator_org_id)
            || self.region.as_deref().is_some_and(|root| facts.regions.iter().any(|r| region_within(r, root)))
    }
}

/// What lists filter, sort and sum projects on, kept as columns beside the record in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The year the project counts in: its contract's, else its creation's (China time).
    pub year: i32,
    /// One of [`super::STEPS`] or an end state's code.
    pub step: &'static str,
    pub category: String,
    pub mode: &'static str,
    /// Under review now or reviewed once: what reviewers see.
    pub reviewed: bool,
    pub provider_org_id: Option<i64>,
    /// The third-party evaluator commissioned, once the evaluation is started.
    pub evaluator_org_id: Option<i64>,
    /// The evaluation's grade and the day it was fixed (China time), once every party has scored.
    pub grade: Option<crate::evaluation::Grade>,
    pub graded_on: Option<NaiveDate>,
    /// The evaluation's total, with the grade: the sector overview averages it.
    pub score: Option<crate::evaluation::Points>,
    pub regions: Vec<String>,
    /// The contract's total with its signed supplementary contracts.
    pub contracted: Option<Money>,
    pub signed_on: Option<NaiveDate>,
    /// Who the project may be waiting on: a superset of what [`super::waiting_on`] finds for any reader.
    pub awaits: Awaits,
    /// The rest of [`Waiting`] beside the columns above: who designed the project, the purchaser's duty.
    pub designer_id: i64,
    pub purchaser_duty: Option<&'static str>,
    pub title: String,
    pub purchaser_name: String,
    /// The cost estimate's total.
    pub total: Money,
    /// Returned by a reviewer and not yet resubmitted.
    pub returned: bool,
    /// Its service reports filed late and rejected, for the provider's credit record.
    pub reports: super::ReportRecord,
    /// Uploaded files the record refers to (service reports' attachments), each once.
    pub files: Vec<i64>,
    /// The contract's social-work posts in order: the unit each is seated in, and whether it is held.
    pub posts: Vec<PostFact>,
}

/// One bought post as lists and counts need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostFact {
    pub host_org_id: i64,
    pub filled: bool,
}

/// Kinds of people a project may wait on, as bits a store keeps in one column and a work queue matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Awaits(pub u8);

impl Awaits {
    /// The purchasing department (design, estimate, award, contract, signing a supplement, deciding a milestone).
    pub const PURCHASER: u8 = 1;
    pub const CONTENT_REVIEWER: u8 = 2;
    /// Finance reviewers: the funding review and proposed supplementary contracts.
    pub const FINANCE_REVIEWER: u8 = 4;
    /// The provider, to report on its milestone.
    pub const PROVIDER: u8 = 8;
    /// The commissioned third-party evaluator, to evaluate.
    pub const EVALUATOR: u8 = 16;
    /// The provider, to evaluate itself.
    pub const SELF_EVALUATION: u8 = 32;

    /// The kinds `actor` is, for matching against a project's bits (ties to the project are checked apart).
    pub fn kinds(actor: &Actor) -> Awaits {
        let mut bits = 0;
        if actor.has(Role::Purchaser) {
            bits |= Self::PURCHASER;
        }
        if ReviewStage::Content.reviewed_by(actor) {
            bits |= Self::CONTENT_REVIEWER;
        }
        if ReviewStage::Finance.reviewed_by(actor) {
            bits |= Self::FINANCE_REVIEWER;
        }
        if actor.has(Role::Provider) {
            bits |= Self::PROVIDER | Self::SELF_EVALUATION;
        }
        if actor.has(Role::Evaluator) {
            bits |= Self::EVALUATOR;
        }
        Awaits(bits)
    }

    pub fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

impl Project {
    pub fn facts(&self) -> Facts {
        let waiting = Waiting::of(self);
        let mut regions = self.design.regions.clone();
        regions.sort();
        regions.dedup();
        Facts {
            year: crate::statistics::project_year(self),
            step: self.status.step(),
            category: self.design.category.clone(),
            mode: self.design.mode.code(),
            reviewed: !self.reviews.is_empty() || matches!(self.status, Status::ReviewContent | Status::ReviewFinance),
            provider_org_id: self.award.as_ref().map(|a| a.provider.org_id),
            evaluator_org_id: self.evaluation.as_ref().map(|e| e.evaluator.org_id),
            grade: self.grade(),
            graded_on: self.evaluation.as_ref().and_then(|e| e.result.as_ref()).map(|r| crate::clock::china_date(r.at)),
            score: self.evaluation.as_ref().and_then(|e| e.result.as_ref()).map(|r| r.total),
            regions,
            contracted: self.contract.as_ref().map(|c| c.total()),
            signed_on: self.contract.as_ref().map(|c| c.signed_on),
            awaits: waiting.awaits(),
            designer_id: waiting.designer_id,
            purchaser_duty: waiting.purchaser,
            title: self.design.title.clone(),
            purchaser_name: self.purchaser_name.clone(),
            total: self.total(),
            returned: self.is_returned(),
            reports: self.report_record(),
            files: {
                let mut files: Vec<i64> = self
                    .contract
                    .iter()
                    .flat_map(|c| &c.milestones)
                    .flat_map(|m| &m.reports)
                    .flat_map(|r| &r.files)
                    .map(|f| f.id)
                    .collect();
                files.sort_unstable();
                files.dedup();
                files
            },
            posts: self
                .contract
                .iter()
                .flat_map(|c| &c.posts)
                .map(|p| PostFact { host_org_id: p.host_org_id, filled: p.holder.is_some() })
                .collect(),
        }
    }
}
