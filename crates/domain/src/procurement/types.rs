//! The records a procurement keeps: its documents, questions and clarifications, openings, committee, rounds,
//! award, failure, method switch, challenges and call-offs; and a bid's sealed contents.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{ChallengeAbout, Consequence, Method, SingleSourceCase};
use crate::committee::{Declaration, Draw};
use crate::money::Money;
use crate::org::OrgKind;

/// How bids are evaluated, as the documents fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scoring {
    LowestPrice,
    Comprehensive { price_weight_bp: u32, criteria: Vec<CriterionSpec> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriterionSpec {
    pub key: String,
    pub name: String,
    pub weight_bp: u32,
}

/// The procurement documents (采购文件) in the parts the platform checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Documents {
    pub requirements: String,
    pub qualifications: String,
    pub scoring: Scoring,
    /// The small-and-micro-enterprise price deduction the documents set (basis points).
    pub sme_deduction_bp: u32,
    /// How the purchaser picks between bids equal in total and price (e.g. 技术得分高者优先).
    pub tie_rule: String,
    /// Invited tender: the providers invited (≥ 3).
    #[serde(default)]
    pub invited: Vec<i64>,
    /// Single source: the case, the one provider and why.
    #[serde(default)]
    pub single_source: Option<SingleSource>,
    /// Framework agreement: how many providers stage one admits.
    #[serde(default)]
    pub framework_members: Option<u32>,
    /// The kinds of provider the qualification requirements admit (e.g. only social organisations); empty:
    /// every provider kind. Checked against a bidder's registered kind before it may take part.
    #[serde(default)]
    pub admitted_kinds: Vec<OrgKind>,
    /// The purchaser marks a tender technically complex or of high social impact: its committee has at least 7
    /// members (财政部令第87号 §47).
    #[serde(default)]
    pub complex_or_high_impact: bool,
}

impl Documents {
    /// Whether the qualification requirements admit a provider of this kind.
    pub fn admits(&self, kind: OrgKind) -> bool {
        self.admitted_kinds.is_empty() || self.admitted_kinds.contains(&kind)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SingleSource {
    pub case: SingleSourceCase,
    pub provider_org_id: i64,
    pub provider_name: String,
    pub justification: String,
}

/// A named person at a step (opening attendees, committee members).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: i64,
    pub name: String,
    /// A drawn expert, not the purchaser's representative.
    pub expert: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: u32,
    /// Who asked stays with the purchaser; clarifications never name them.
    pub org_id: i64,
    pub text: String,
    pub asked_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clarification {
    pub text: String,
    pub answers: Option<u32>,
    pub affects_bids: bool,
    pub at: DateTime<Utc>,
    /// The bid deadline moved to keep the statutory period after a clarification that affects bids.
    pub moved_deadline: Option<DateTime<Utc>>,
}

/// A bid as read out at the opening (唱标): who, at what price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedBid {
    pub bid_id: i64,
    pub org_id: i64,
    pub name: String,
    pub price: Money,
    pub small_or_micro: bool,
    /// SHA-256 of the sealed bid, the receipt its bidder was given at submission.
    pub receipt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    pub at: DateTime<Utc>,
    pub by: i64,
    pub attendees: Vec<String>,
    pub bids: Vec<OpenedBid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committee {
    pub draw: Draw,
    /// Drawn experts who recused themselves after declaring a conflict, and the replacement draws.
    #[serde(default)]
    pub replacements: Vec<Draw>,
    pub members: Vec<Member>,
    pub declarations: Vec<Declaration>,
}

impl Committee {
    pub fn member(&self, user_id: i64) -> Option<&Member> {
        self.members.iter().find(|m| m.user_id == user_id)
    }
    /// Members who may see bids: representatives at once, experts once they declared no conflict.
    pub fn may_see_bids(&self, user_id: i64) -> bool {
        let Some(m) = self.member(user_id) else { return false };
        if !m.expert {
            return true;
        }
        let mine = || self.declarations.iter().filter(|d| d.expert_id == user_id);
        mine().any(|d| d.no_conflict) && mine().all(|d| d.no_conflict)
    }
    pub fn recused(&self, user_id: i64) -> bool {
        self.declarations.iter().any(|d| d.expert_id == user_id && !d.no_conflict)
    }
    /// Members still sitting (recused experts leave).
    pub fn sitting(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| !self.recused(m.user_id))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    pub n: u32,
    pub notes: String,
    pub at: DateTime<Utc>,
    pub by: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compliance {
    pub bid_id: i64,
    pub qualified: bool,
    pub reason: String,
    pub by: i64,
}

/// When a provider obtained the documents (registered its interest): a challenge to them may count from then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obtained {
    pub org_id: i64,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub at: DateTime<Utc>,
    pub by: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Winner {
    pub bid_id: i64,
    pub org_id: i64,
    pub name: String,
    pub price: Money,
    /// Total score shown to two decimals (comprehensive scoring), else `None`.
    pub score: Option<String>,
    /// Why this bid among equals, under the documents' tie rule.
    pub tie_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub winner: Winner,
    /// Framework agreement: every admitted provider, the winner first.
    #[serde(default)]
    pub members: Vec<Winner>,
    pub at: DateTime<Utc>,
    pub by: i64,
    /// Single source: the negotiation's minutes.
    #[serde(default)]
    pub minutes: Option<String>,
    /// Set when a complaint decision voided the award.
    #[serde(default)]
    pub void: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub code: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwitchRequest {
    pub to: Method,
    pub reason: String,
    pub requested_at: DateTime<Utc>,
    pub requested_by: i64,
    pub decision: Option<SwitchDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwitchDecision {
    pub approved: bool,
    pub comment: String,
    pub by: i64,
    pub by_name: String,
    pub at: DateTime<Utc>,
    /// At or above the open-tender threshold: the approving finance department and its document number.
    #[serde(default)]
    pub authority: String,
    #[serde(default)]
    pub document_no: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub text: String,
    pub upheld: bool,
    pub on: NaiveDate,
    pub by: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintDecision {
    pub upheld: bool,
    pub consequence: Option<Consequence>,
    pub reasons: String,
    pub on: NaiveDate,
    pub by: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    pub text: String,
    pub filed_on: NaiveDate,
    /// Working days excluded from the decision period (testing, appraisal, expert review, corrections).
    #[serde(default)]
    pub pauses: Vec<(NaiveDate, NaiveDate)>,
    pub decision: Option<ComplaintDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub id: u32,
    pub org_id: i64,
    pub org_name: String,
    pub about: ChallengeAbout,
    pub text: String,
    /// The day the challenger knew or should have known: the publication, opening or result it is about.
    pub knew_on: NaiveDate,
    pub filed_on: NaiveDate,
    pub reply: Option<Reply>,
    pub complaint: Option<Complaint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub challenge: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallOff {
    pub n: u32,
    pub org_id: i64,
    pub org_name: String,
    pub amount: Money,
    pub note: String,
    pub on: NaiveDate,
    pub by: i64,
}

/// A bid's sealed contents: only the store holds them, encrypted, until the opening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidContent {
    pub price: Money,
    #[serde(default)]
    pub small_or_micro: bool,
    pub proposal: String,
    #[serde(default)]
    pub files: Vec<crate::project::FileRef>,
}
