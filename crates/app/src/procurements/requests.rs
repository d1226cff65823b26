//! What a procurement's requests carry: the body of each action as the API takes it, and [`ProcCommand`], the
//! action with its body (and the challenge or bid the path names) that [`super::perform`] applies. Times are
//! read by [`super::parse_instant`].

use serde::{Deserialize, Serialize};
use shanzhi_domain::procurement::{ChallengeAbout, Consequence, Documents, Method};
use shanzhi_domain::Money;
use utoipa::ToSchema;

use crate::approvals::DecisionRequest;
use crate::projects::ReasonRequest;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StartRequest {
    #[schema(value_type = Method)]
    pub method: String,
    pub documents: Documents,
    /// The procurement agency the purchaser entrusts, if any.
    #[serde(default)]
    pub agency_org_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BidRequest {
    #[schema(value_type = Money)]
    pub price: String,
    #[serde(default)]
    pub small_or_micro: bool,
    pub proposal: String,
    /// Files uploaded for this bid (`POST /procurements/{id}/bid/files`).
    #[serde(default)]
    pub file_ids: Vec<i64>,
}

/// One member's score of one bid on one criterion.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MarkRequest {
    pub bid_id: i64,
    pub criterion: String,
    #[schema(pattern = r"^[0-9]{1,3}(\.[0-9]{1,2})?$")]
    pub score: String,
}

/// A question, an explanation or a complaint: text alone.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TextRequest {
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PublishRequest {
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` in China time.
    pub bid_deadline: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ClarificationRequest {
    pub text: String,
    /// The question it answers, if any.
    #[serde(default)]
    pub answers: Option<u32>,
    /// Moves a deadline closer than 15 days away.
    #[serde(default)]
    pub affects_bids: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct OpeningRequest {
    #[schema(min_items = 1)]
    pub attendees: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CommitteeRequest {
    /// User ids of the purchaser's representatives.
    #[serde(default)]
    pub representatives: Vec<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DeclarationRequest {
    pub no_conflict: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RoundRequest {
    pub notes: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct FinalOffersRequest {
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` in China time.
    pub deadline: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ComplianceRequest {
    pub bid_id: i64,
    pub qualified: bool,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct LowPriceRequest {
    pub bid_id: i64,
    pub reason: String,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` in China time.
    pub due: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct LowPriceFindingRequest {
    pub justified: bool,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct MarksRequest {
    pub marks: Vec<MarkRequest>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct WinnerRequest {
    pub bid_id: i64,
    /// On a tie, why this bid under the documents' rule.
    #[serde(default)]
    pub tie_reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct NegotiationRequest {
    #[schema(value_type = Money)]
    pub price: String,
    pub minutes: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SwitchMethodRequest {
    #[schema(value_type = Method)]
    pub to: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ChallengeRequest {
    #[schema(value_type = ChallengeAbout)]
    pub about: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ChallengeReplyRequest {
    pub text: String,
    pub upheld: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PauseRequest {
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub to: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SuspensionRequest {
    #[schema(format = Date)]
    pub until: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ComplaintDecisionRequest {
    pub upheld: bool,
    /// An upheld complaint's consequence.
    #[serde(default)]
    #[schema(value_type = Option<Consequence>)]
    pub consequence: Option<String>,
    pub reasons: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CallOffRequest {
    pub org_id: i64,
    #[schema(value_type = Money)]
    pub amount: String,
    pub note: String,
}

/// Every change to a procurement after it starts: the action and its body, flat in one object (as the pages'
/// forms send it).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ProcCommand {
    Publish(PublishRequest),
    Interest,
    Ask(TextRequest),
    Clarify(ClarificationRequest),
    Open(OpeningRequest),
    DrawCommittee(CommitteeRequest),
    ReplaceRecused,
    Declare(DeclarationRequest),
    Round(RoundRequest),
    CallFinalOffers(FinalOffersRequest),
    Compliance(ComplianceRequest),
    FlagLowPrice(LowPriceRequest),
    ExplainLowPrice(TextRequest),
    DecideLowPrice {
        bid_id: i64,
        #[serde(flatten)]
        finding: LowPriceFindingRequest,
    },
    Marks(MarksRequest),
    Report,
    Award(WinnerRequest),
    Negotiation(NegotiationRequest),
    Abandon(ReasonRequest),
    RequestSwitch(SwitchMethodRequest),
    DecideSwitch(DecisionRequest),
    Challenge(ChallengeRequest),
    Reply {
        challenge: u32,
        #[serde(flatten)]
        reply: ChallengeReplyRequest,
    },
    Complain {
        challenge: u32,
        #[serde(flatten)]
        complaint: TextRequest,
    },
    Pause {
        challenge: u32,
        #[serde(flatten)]
        pause: PauseRequest,
    },
    Suspend {
        challenge: u32,
        #[serde(flatten)]
        suspension: SuspensionRequest,
    },
    Decide {
        challenge: u32,
        #[serde(flatten)]
        decision: ComplaintDecisionRequest,
    },
    CallOff(CallOffRequest),
}
