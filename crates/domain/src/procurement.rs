//! Organising the purchase (组织购买) by a statutory procurement method: open and invited tender, competitive
//! negotiation and consultation, request for quotation, single source and framework agreements, each with its
//! own steps and minimum periods on the working-day calendar; sealed bids opened at a recorded opening; an
//! evaluation committee drawn from the expert pool; scoring; the award; challenges and complaints.
//!
//! Like [`crate::project`], every step is a method that checks who acts and what must hold, changes the
//! procurement and returns the audit [`Change`], or returns a typed error and leaves it as it was. Bid contents
//! never enter this type before opening: the store keeps them sealed, and hands them over only to [`Procurement::open`].

use crate::calendar::{china_date, Calendar, Deadline};
use crate::committee::{self, Declaration, Draw, Expert, Sizing};
use crate::deadlines::{date_zh, Period};
use crate::error::{DomainError, Problems};
use crate::money::Money;
use crate::org::{string_enum, Actor, OrgKind, ProviderInfo, Role};
use crate::project::Change;
use crate::rules::Rules;
use crate::scoring::{self, BidInput, Criterion, Evaluation, Mark, Outcome, Procedure};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub mod approval;
mod challenges;
pub mod low_price;
mod member;
mod sealing;
#[cfg(test)]
mod tests;

pub use approval::{ApprovalRef, Authority, MethodApproval};
pub use low_price::LowPrice;
pub use member::MemberTask;

string_enum!(
    Method {
        OpenTender = "open_tender" / "公开招标" / "Open tender",
        InvitedTender = "invited_tender" / "邀请招标" / "Invited tender",
        CompetitiveNegotiation = "competitive_negotiation" / "竞争性谈判" / "Competitive negotiation",
        CompetitiveConsultation = "competitive_consultation" / "竞争性磋商" / "Competitive consultation",
        RequestForQuotation = "request_for_quotation" / "询价" / "Request for quotation",
        SingleSource = "single_source" / "单一来源采购" / "Single source",
        FrameworkAgreement = "framework_agreement" / "框架协议采购" / "Framework agreement",
    }
);

impl Method {
    /// The committee rules this method follows; single source has none (the purchaser negotiates).
    pub fn panel(self) -> Option<committee::Method> {
        Some(match self {
            Method::OpenTender | Method::FrameworkAgreement => committee::Method::OpenTender,
            Method::InvitedTender => committee::Method::InvitedTender,
            Method::CompetitiveNegotiation => committee::Method::CompetitiveNegotiation,
            Method::CompetitiveConsultation => committee::Method::CompetitiveConsultation,
            Method::RequestForQuotation => committee::Method::RequestForQuotation,
            Method::SingleSource => return None,
        })
    }
    /// The minimum period from the documents' issue to the bid (response) deadline.
    pub fn response_period(self) -> Period {
        match self {
            Method::OpenTender | Method::InvitedTender | Method::FrameworkAgreement => {
                Period::TenderDocumentsToBidDeadline
            }
            Method::CompetitiveConsultation => Period::ConsultationDocumentsToResponse,
            Method::CompetitiveNegotiation | Method::RequestForQuotation => Period::NegotiationDocumentsToResponse,
            Method::SingleSource => Period::SingleSourceNotice,
        }
    }
    /// How long before the deadline a clarification that affects bids must come (else the deadline moves).
    pub fn clarification_period(self) -> Period {
        match self {
            Method::CompetitiveConsultation => Period::ConsultationClarification,
            Method::CompetitiveNegotiation | Method::RequestForQuotation => Period::NegotiationClarification,
            _ => Period::Clarification,
        }
    }
    /// The documents' publication period, from whose end a challenge to them counts; negotiation, quotation and
    /// single source have none, so it counts from their publication.
    pub fn documents_period(self) -> Option<Period> {
        match self {
            Method::OpenTender
            | Method::InvitedTender
            | Method::FrameworkAgreement
            | Method::CompetitiveConsultation => Some(Period::TenderDocumentsAvailable),
            _ => None,
        }
    }
    /// Negotiation and consultation hold rounds with each supplier, then call for final offers.
    pub fn has_rounds(self) -> bool {
        matches!(self, Method::CompetitiveNegotiation | Method::CompetitiveConsultation)
    }
    /// Whether the documents may choose comprehensive scoring (else the lowest compliant price wins).
    pub fn allows_comprehensive(self) -> bool {
        matches!(
            self,
            Method::OpenTender | Method::InvitedTender | Method::CompetitiveConsultation | Method::FrameworkAgreement
        )
    }
    /// Whether the method must use comprehensive scoring.
    pub fn requires_comprehensive(self) -> bool {
        self == Method::CompetitiveConsultation
    }
    /// What the announcement is called (公告格式规范).
    pub fn notice_zh(self) -> &'static str {
        match self {
            Method::OpenTender | Method::InvitedTender => "招标公告",
            Method::CompetitiveNegotiation => "竞争性谈判公告",
            Method::CompetitiveConsultation => "竞争性磋商公告",
            Method::RequestForQuotation => "询价公告",
            Method::SingleSource => "单一来源采购公示",
            Method::FrameworkAgreement => "框架协议征集公告",
        }
    }
}

string_enum!(
    Stage {
        Draft = "draft" / "编制采购文件" / "Preparing documents",
        Bidding = "bidding" / "接收投标（响应）" / "Receiving bids",
        Notice = "notice" / "单一来源公示期" / "Single-source notice",
        Negotiating = "negotiating" / "谈判（磋商）" / "Negotiating",
        FinalOffers = "final_offers" / "最后报价" / "Final offers",
        Evaluating = "evaluating" / "评审" / "Evaluating",
        Confirming = "confirming" / "确定中标（成交）人" / "Confirming the winner",
        Awarded = "awarded" / "已确定中标（成交）人" / "Awarded",
        Failed = "failed" / "采购失败" / "Failed",
    }
);

string_enum!(
    /// Why single source is lawful here (政府采购法 §31).
    SingleSourceCase {
        OnlyOneSupplier = "only_one_supplier" / "只能从唯一供应商处采购" / "Only one supplier can do it",
        Emergency = "emergency" / "不可预见的紧急情况" / "Unforeseeable emergency",
        AddOn = "add_on" / "原合同追加（不超过 10%）" / "Add-on to the original contract (≤ 10 %)",
    }
);

string_enum!(
    ChallengeAbout {
        Documents = "documents" / "采购文件" / "The procurement documents",
        Process = "process" / "采购过程" / "The procurement process",
        Result = "result" / "中标（成交）结果" / "The result",
    }
);

string_enum!(
    Consequence {
        Reprocure = "reprocure" / "重新开展采购活动" / "Procure again",
        AwardVoid = "award_void" / "中标（成交）结果无效" / "The award is void",
        ContractEnded = "contract_ended" / "合同终止" / "The contract is ended",
    }
);

/// How bids are evaluated, as the documents fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scoring {
    LowestPrice,
    Comprehensive { price_weight_bp: u32, criteria: Vec<CriterionSpec> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionSpec {
    pub key: String,
    pub name: String,
    pub weight_bp: u32,
}

/// The procurement documents (采购文件) in the parts the platform checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procurement {
    pub id: i64,
    pub project_id: i64,
    pub project_code: String,
    pub title: String,
    /// Incremented by every change; the store refuses a write based on an older version.
    pub version: i64,
    pub method: Method,
    pub stage: Stage,
    pub purchaser_org_id: i64,
    pub purchaser_name: String,
    /// The procurement agency entrusted with running it, if any.
    pub agency_org_id: Option<i64>,
    pub category: String,
    pub region: String,
    /// The approved budget: no bid may exceed it.
    pub budget: Money,
    pub documents: Documents,
    /// The purchase intention's publication (≥ 30 days before the announcement).
    pub intention_on: NaiveDate,
    pub published_on: Option<NaiveDate>,
    pub bid_deadline: Option<DateTime<Utc>>,
    #[serde(default)]
    pub interests: Vec<i64>,
    /// When each interested provider obtained the documents.
    #[serde(default)]
    pub documents_obtained: Vec<Obtained>,
    /// The approval of this method at or above the open-tender threshold, if it needed one.
    #[serde(default)]
    pub approval: Option<ApprovalRef>,
    /// The approval is still to come: a single source because only one supplier can do it publishes its notice
    /// first, and finance approves before the negotiation (政府采购法实施条例 §38).
    #[serde(default)]
    pub approval_required: bool,
    #[serde(default)]
    pub questions: Vec<Question>,
    #[serde(default)]
    pub clarifications: Vec<Clarification>,
    pub opening: Option<Opening>,
    pub committee: Option<Committee>,
    #[serde(default)]
    pub rounds: Vec<Round>,
    pub final_deadline: Option<DateTime<Utc>>,
    /// Negotiation and consultation: the final offers, read out like the first opening.
    pub final_opening: Option<Opening>,
    #[serde(default)]
    pub compliance: Vec<Compliance>,
    #[serde(default)]
    pub marks: Vec<Mark>,
    /// Prices the committee asked bidders to justify (财政部令第87号 §60).
    #[serde(default)]
    pub low_prices: Vec<LowPrice>,
    /// When the committee's last review, mark or finding completed the evaluation: the report is due from then.
    #[serde(default)]
    pub evaluated_at: Option<DateTime<Utc>>,
    pub report: Option<Report>,
    pub award: Option<Award>,
    pub failure: Option<Failure>,
    pub switch: Option<SwitchRequest>,
    /// The procurement this one replaces after a failure (re-procurement or a switched method).
    pub replaces: Option<i64>,
    /// It follows a failed open tender (directly or through further failures): a negotiation may then go on with
    /// two suppliers (财政部令第74号 §27).
    #[serde(default)]
    pub after_failed_open_tender: bool,
    #[serde(default)]
    pub challenges: Vec<Challenge>,
    #[serde(default)]
    pub suspensions: Vec<Suspension>,
    #[serde(default)]
    pub call_offs: Vec<CallOff>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What starting a procurement needs to know about the project and its history.
pub struct StartContext<'a> {
    pub project_id: i64,
    pub project_code: String,
    pub title: String,
    pub purchaser_org_id: i64,
    pub purchaser_name: String,
    pub category: String,
    pub region: String,
    pub budget: Money,
    /// The department's other purchases of the same category this year that did not use open tender, summed:
    /// together with this one they must stay under the open-tender threshold (no splitting).
    pub same_kind_total: Money,
    /// The last procurement of this project, when it failed.
    pub previous: Option<&'a Procurement>,
    /// The project's approved application for another method, if any.
    pub approval: Option<&'a MethodApproval>,
    pub rules: &'a Rules,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StartInput {
    pub method: Method,
    pub documents: Documents,
    #[serde(default)]
    pub agency_org_id: Option<i64>,
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

/// Someone who must act by a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duty {
    pub code: &'static str,
    /// `purchaser` (or its agency), `finance`, `committee` or `bidder`.
    pub holder: &'static str,
    pub due: NaiveDate,
    pub provisional: bool,
    pub overdue: bool,
    pub challenge: Option<u32>,
}

impl Duty {
    pub fn label_zh(&self) -> &'static str {
        match self.code {
            "confirm_winner" => "确定中标（成交）人",
            "reply_challenge" => "答复质疑",
            "decide_complaint" => "作出投诉处理决定",
            "end_suspension" => "暂停采购活动期满",
            "finish_evaluation" => "提交评审报告",
            _ => "待办事项",
        }
    }
    pub fn label_en(&self) -> &'static str {
        match self.code {
            "confirm_winner" => "Confirm the winner",
            "reply_challenge" => "Reply to the challenge",
            "decide_complaint" => "Decide the complaint",
            "end_suspension" => "Suspension ends",
            "finish_evaluation" => "Submit the evaluation report",
            _ => "Duty",
        }
    }
}

fn refused(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> DomainError {
    DomainError::refused(code, zh, en)
}

fn need_text(p: &mut Problems, field: &str, value: &str, min: usize, max: usize, zh: &str, en: &str) {
    let n = value.trim().chars().count();
    if n < min.max(1) {
        let (z, e) = if min > 1 {
            (format!("请填写{zh}（至少 {min} 个字）"), format!("enter the {en} (at least {min} characters)"))
        } else {
            (format!("请填写{zh}"), format!("enter the {en}"))
        };
        p.add(field, "required", z, e);
    } else if n > max {
        p.add(
            field,
            "too_long",
            format!("{zh}不能超过 {max} 个字"),
            format!("the {en} must be at most {max} characters"),
        );
    }
}

fn calendar_refusal(e: crate::calendar::CalendarError) -> DomainError {
    match e {
        crate::calendar::CalendarError::YearMissing(year) => refused(
            "calendar_year_missing",
            format!("尚无{year}年的节假日安排，无法计算期限：请载入该年度的节假日数据文件"),
            format!("no holiday data for {year}, so the period cannot be counted: load that year's holiday file"),
        ),
        other => refused("date_out_of_range", "日期超出可计算的范围", format!("the period cannot be counted: {other}")),
    }
}

/// The period's end from `from`, as a refusal when the calendar cannot count it.
pub fn period_end(
    rules: &Rules,
    period: Period,
    from: NaiveDate,
    calendar: &Calendar,
) -> Result<Deadline, DomainError> {
    rules.periods.end(period, from, calendar).map_err(calendar_refusal)
}

/// Checks the method against the thresholds: open tender above the threshold (and when splitting would bring
/// the department's same-kind purchases there) unless finance approved another method before the start, the
/// method's own preconditions, and the documents.
pub fn check_start(ctx: &StartContext, input: &StartInput) -> Result<(), DomainError> {
    let rules = ctx.rules;
    let method = input.method;
    let doc = &input.documents;
    let mut p = Problems::default();
    let switched =
        ctx.previous.and_then(|prev| prev.switch.as_ref()).filter(|s| s.decision.as_ref().is_some_and(|d| d.approved));
    if let Some(prev) = ctx.previous {
        if prev.stage != Stage::Failed {
            return Err(refused(
                "procurement_running",
                "本项目已有正在进行的采购活动",
                "this project already has a procurement under way",
            ));
        }
        if let Some(s) = &prev.switch {
            if s.decision.is_none() {
                return Err(refused(
                    "switch_pending",
                    "变更采购方式的申请尚待财政部门批准",
                    "the request to change the method awaits finance's decision",
                ));
            }
        }
        let allowed = switched.map(|s| s.to).unwrap_or(prev.method);
        if method != allowed {
            p.add(
                "method",
                "method_not_approved",
                format!("采购失败后只能以原方式重新采购，或以财政部门批准的方式（{}）采购", allowed.label_zh()),
                format!(
                    "after a failure, procure again by the same method or the one finance approved ({})",
                    allowed.code()
                ),
            );
        }
    }
    let threshold = rules.open_tender_threshold_for(&ctx.region);
    let approved = ctx.approval.filter(|a| a.approves(method));
    if method != Method::OpenTender && switched.is_none() && approved.is_none() && !notice_first(method, doc) {
        if ctx.budget >= threshold {
            p.add(
                "method",
                "open_tender_required",
                format!(
                    "预算 {} 元达到公开招标数额标准（{} 元），应当公开招标；采用其他方式须在采购活动开始前报设区的市级以上财政部门批准",
                    ctx.budget.display_yuan(),
                    threshold.display_yuan()
                ),
                format!(
                    "a budget of {} yuan reaches the open-tender threshold ({} yuan): use open tender, or have another method approved by the finance department of a city with districts or above before starting",
                    ctx.budget.display_yuan(),
                    threshold.display_yuan()
                ),
            );
        } else if ctx.budget.checked_add(ctx.same_kind_total).is_none_or(|sum| sum >= threshold) {
            p.add(
                "method",
                "split_purchase",
                format!(
                    "本单位本年度同类服务已以非公开招标方式采购 {} 元，加上本项目将达到公开招标数额标准（{} 元）：不得化整为零规避公开招标",
                    ctx.same_kind_total.display_yuan(),
                    threshold.display_yuan()
                ),
                format!(
                    "this year's other purchases of the same kind by other methods total {} yuan; with this one they reach the open-tender threshold ({} yuan): a purchase may not be split to avoid open tender",
                    ctx.same_kind_total.display_yuan(),
                    threshold.display_yuan()
                ),
            );
        }
    }
    need_text(&mut p, "documents.requirements", &doc.requirements, 10, 20_000, "采购需求", "requirements");
    need_text(
        &mut p,
        "documents.qualifications",
        &doc.qualifications,
        2,
        5_000,
        "资格要求",
        "qualification requirements",
    );
    if let (Some(a), Method::SingleSource) = (approved, method) {
        // The approval names the case and the provider: the documents keep to them.
        let same = a
            .single_source
            .as_ref()
            .zip(doc.single_source.as_ref())
            .is_some_and(|(x, y)| x.case == y.case && x.provider_org_id == y.provider_org_id);
        if !same {
            p.add(
                "documents.single_source",
                "approval_mismatch",
                "单一来源的情形或供应商与财政部门批准的不一致",
                "the single-source case or provider differs from the one finance approved",
            );
        }
    }
    let (min_sme, max_sme) = (rules.sme_price_deduction_min_bp, rules.sme_price_deduction_max_bp);
    if method != Method::SingleSource && !(min_sme..=max_sme).contains(&doc.sme_deduction_bp) {
        p.add(
            "documents.sme_deduction_bp",
            "out_of_range",
            format!("服务项目的小微企业价格扣除比例应为 {}%–{}%（财库〔2022〕19号）", min_sme / 100, max_sme / 100),
            format!(
                "the small-business price deduction for services is {}–{} % (财库〔2022〕19号)",
                min_sme / 100,
                max_sme / 100
            ),
        );
    }
    for (i, k) in doc.admitted_kinds.iter().enumerate() {
        if !k.is_provider_kind() {
            p.add(
                format!("documents.admitted_kinds[{i}]"),
                "not_provider_kind",
                format!("{}不是承接主体的类型", k.label_zh()),
                format!("{} is not a kind of provider", k.label_en().to_lowercase()),
            );
        }
    }
    match &doc.scoring {
        Scoring::LowestPrice if method.requires_comprehensive() => p.add(
            "documents.scoring",
            "comprehensive_required",
            "竞争性磋商应当采用综合评分法",
            "competitive consultation uses comprehensive scoring",
        ),
        Scoring::Comprehensive { .. } if !method.allows_comprehensive() => p.add(
            "documents.scoring",
            "lowest_price_required",
            format!("{}应当以最低报价确定成交供应商", method.label_zh()),
            format!("{} awards the lowest compliant price", method.label_en().to_lowercase()),
        ),
        Scoring::Comprehensive { price_weight_bp, criteria } => {
            let scoring::Method::Comprehensive { procedure, criteria: weights, .. } =
                scoring_method(method, *price_weight_bp, criteria)
            else {
                unreachable!("scoring_method is comprehensive")
            };
            if let Err(e) = scoring::validate_weights(procedure, *price_weight_bp, &weights, rules) {
                for f in e.fields() {
                    p.add(format!("documents.scoring.{}", f.field), f.code, f.message.clone(), f.message_en.clone());
                }
            }
            for (i, c) in criteria.iter().enumerate() {
                need_text(
                    &mut p,
                    &format!("documents.scoring.criteria[{i}].name"),
                    &c.name,
                    1,
                    100,
                    "评分因素名称",
                    "criterion name",
                );
            }
        }
        Scoring::LowestPrice => {}
    }
    if method.allows_comprehensive() || method == Method::CompetitiveNegotiation {
        need_text(&mut p, "documents.tie_rule", &doc.tie_rule, 4, 500, "并列时的确定规则", "tie rule");
    }
    match method {
        Method::InvitedTender => {
            let mut invited = doc.invited.clone();
            invited.sort_unstable();
            invited.dedup();
            if invited.len() < rules.min_bidders as usize {
                p.add(
                    "documents.invited",
                    "too_few_invited",
                    format!("邀请招标应当邀请至少 {} 家供应商", rules.min_bidders),
                    format!("invite at least {} providers", rules.min_bidders),
                );
            }
        }
        Method::SingleSource => match &doc.single_source {
            None => p.add(
                "documents.single_source",
                "required",
                "请写明单一来源的理由与供应商",
                "give the single-source case and provider",
            ),
            Some(s) => need_text(
                &mut p,
                "documents.single_source.justification",
                &s.justification,
                20,
                5_000,
                "单一来源采购理由",
                "single-source justification",
            ),
        },
        Method::FrameworkAgreement if doc.framework_members.is_none_or(|n| n < 2) => p.add(
            "documents.framework_members",
            "too_few_members",
            "框架协议应当确定至少 2 家入围供应商",
            "a framework agreement admits at least 2 providers",
        ),
        _ => {}
    }
    if let Some(agency) = input.agency_org_id {
        if agency == ctx.purchaser_org_id {
            p.add(
                "agency_org_id",
                "invalid_agency",
                "代理机构不能是本单位",
                "the agency cannot be the purchaser itself",
            );
        }
    }
    p.into_result()
}

/// Only one supplier can do it: the single-source public notice comes first, and finance's approval (at or above
/// the threshold) after it, before the negotiation (政府采购法实施条例 §38).
fn notice_first(method: Method, doc: &Documents) -> bool {
    method == Method::SingleSource
        && doc.single_source.as_ref().is_some_and(|s| s.case == SingleSourceCase::OnlyOneSupplier)
}

/// Whether this method, at this budget, needs finance's approval: another method at or above the open-tender
/// threshold (or reaching it with the department's same-kind purchases), unless finance approved a switch.
fn approval_needed(ctx: &StartContext, method: Method) -> bool {
    let threshold = ctx.rules.open_tender_threshold_for(&ctx.region);
    let switched =
        ctx.previous.and_then(|p| p.switch.as_ref()).is_some_and(|s| s.decision.as_ref().is_some_and(|d| d.approved));
    method != Method::OpenTender
        && !switched
        && ctx.budget.checked_add(ctx.same_kind_total).is_none_or(|sum| sum >= threshold)
}

fn scoring_method(method: Method, price_weight_bp: u32, criteria: &[CriterionSpec]) -> scoring::Method {
    scoring::Method::Comprehensive {
        procedure: if method == Method::CompetitiveConsultation {
            Procedure::CompetitiveConsultation
        } else {
            Procedure::Tender
        },
        price_weight_bp,
        criteria: criteria.iter().map(|c| Criterion { key: c.key.clone(), weight_bp: c.weight_bp }).collect(),
    }
}

impl Procurement {
    /// A new procurement in draft; the purchase intention is published today.
    pub fn start(
        ctx: &StartContext,
        input: StartInput,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(Procurement, Change), DomainError> {
        if !(actor.has(Role::Purchaser) && actor.org_id == ctx.purchaser_org_id) {
            return Err(DomainError::NotPermitted { action: "start_procurement" });
        }
        check_start(ctx, &input)?;
        let p = Procurement {
            id: 0,
            project_id: ctx.project_id,
            project_code: ctx.project_code.clone(),
            title: ctx.title.clone(),
            version: 1,
            method: input.method,
            stage: Stage::Draft,
            purchaser_org_id: ctx.purchaser_org_id,
            purchaser_name: ctx.purchaser_name.clone(),
            agency_org_id: input.agency_org_id,
            category: ctx.category.clone(),
            region: ctx.region.clone(),
            budget: ctx.budget,
            documents: input.documents,
            intention_on: china_date(now),
            published_on: None,
            bid_deadline: None,
            interests: vec![],
            documents_obtained: vec![],
            approval: ctx.approval.filter(|a| a.approves(input.method)).and_then(MethodApproval::reference),
            approval_required: approval_needed(ctx, input.method)
                && !ctx.approval.is_some_and(|a| a.approves(input.method)),
            questions: vec![],
            clarifications: vec![],
            opening: None,
            committee: None,
            rounds: vec![],
            final_deadline: None,
            final_opening: None,
            compliance: vec![],
            marks: vec![],
            low_prices: vec![],
            evaluated_at: None,
            report: None,
            award: None,
            failure: None,
            switch: None,
            replaces: ctx.previous.map(|p| p.id),
            after_failed_open_tender: ctx
                .previous
                .is_some_and(|p| p.method == Method::OpenTender || p.after_failed_open_tender),
            challenges: vec![],
            suspensions: vec![],
            call_offs: vec![],
            created_at: now,
            updated_at: now,
        };
        let approval = p.approval.as_ref().map(|a| a.document_no.clone());
        let detail = json!({"method": p.method.code(), "project_id": p.project_id, "agency_org_id": p.agency_org_id, "approval": approval});
        Ok((p, Change::new("procurement.start", detail)))
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = now;
    }

    /// The purchaser's own staff, or the entrusted agency's.
    pub fn runs(&self, actor: &Actor) -> bool {
        (actor.has(Role::Purchaser) && actor.org_id == self.purchaser_org_id)
            || (actor.has(Role::Agency) && Some(actor.org_id) == self.agency_org_id)
    }

    pub fn require_runner(&self, actor: &Actor, action: &'static str) -> Result<(), DomainError> {
        if self.runs(actor) {
            Ok(())
        } else {
            Err(DomainError::NotPermitted { action })
        }
    }

    fn require_stage(&self, allowed: &[Stage], action: &'static str) -> Result<(), DomainError> {
        if allowed.contains(&self.stage) {
            Ok(())
        } else {
            Err(refused(
                "wrong_stage",
                format!("采购活动当前处于“{}”，不能进行此操作", self.stage.label_zh()),
                format!("cannot {} while the procurement is at “{}”", action.replace('_', " "), self.stage.label_en()),
            ))
        }
    }

    /// The suspension in force on `today`, if finance suspended the procurement during a complaint.
    pub fn suspended_on(&self, today: NaiveDate) -> Option<&Suspension> {
        self.suspensions.iter().find(|s| s.from <= today && today <= s.until)
    }

    fn require_not_suspended(&self, now: DateTime<Utc>) -> Result<(), DomainError> {
        match self.suspended_on(china_date(now)) {
            Some(s) => Err(refused(
                "procurement_suspended",
                format!("财政部门已暂停本采购活动至{}", date_zh(s.until)),
                format!("finance has suspended this procurement until {}", s.until),
            )),
            None => Ok(()),
        }
    }

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

    /// The purchase intention must stand 30 days before the procurement goes on (财库〔2020〕10号), except for a
    /// re-procurement and for an unforeseeable emergency, which that rule exempts.
    fn require_intention_period(
        &self,
        today: NaiveDate,
        calendar: &Calendar,
        rules: &Rules,
    ) -> Result<(), DomainError> {
        let emergency = self.documents.single_source.as_ref().is_some_and(|s| s.case == SingleSourceCase::Emergency)
            && self.method == Method::SingleSource;
        if self.replaces.is_some() || emergency {
            return Ok(());
        }
        let start = period_end(rules, Period::PurchaseIntention, self.intention_on, calendar)?;
        if today < start.date {
            return Err(refused(
                "intention_period",
                format!(
                    "采购意向公开满 30 日后方可开展采购活动：最早{}（{}）",
                    date_zh(start.date),
                    Period::PurchaseIntention.source()
                ),
                format!(
                    "procurement may start 30 days after the purchase intention: from {} ({})",
                    start.date,
                    Period::PurchaseIntention.source()
                ),
            ));
        }
        Ok(())
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
                "no_notice_for_case",
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
                    "deadline_in_past",
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
            "procurement.publish",
            json!({"method": self.method.code(), "bid_deadline": self.bid_deadline, "published_on": today}),
        ))
    }

    /// Whether this organisation may take part: a provider kind but not a class-one public institution
    /// (财政部令第102号), verified and active, of a kind the qualification requirements admit, and invited when
    /// the method invites.
    pub fn check_bidder(&self, actor: &Actor, bidder: &ProviderInfo) -> Result<(), DomainError> {
        if !actor.has(Role::Provider) || !actor.org_kind.is_provider_kind() || bidder.org_id != actor.org_id {
            return Err(DomainError::NotPermitted { action: "bid" });
        }
        if bidder.class_one {
            return Err(refused(
                "class_one_ineligible",
                "承担行政职能的事业单位（公益一类事业单位）不能作为承接主体，不得参与投标（财政部令第102号）",
                "a class-one public institution cannot be a provider and may not bid (财政部令第102号)",
            ));
        }
        if !bidder.active {
            return Err(refused(
                "provider_not_verified",
                "贵单位尚未通过民政部门核验或已被暂停，不能参与投标",
                "your organisation is not verified by civil affairs (or is suspended) and may not bid",
            ));
        }
        if !self.documents.admits(bidder.kind) {
            let admitted: Vec<&str> = self.documents.admitted_kinds.iter().map(|k| k.label_zh()).collect();
            let admitted_en: Vec<&str> = self.documents.admitted_kinds.iter().map(|k| k.code()).collect();
            return Err(refused(
                "kind_not_admitted",
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
            return Err(refused("not_invited", "本项目仅接受受邀供应商参与", "only invited providers may take part"));
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
        self.check_bidder(actor, bidder)?;
        self.require_stage(&[Stage::Bidding], "register_interest")?;
        // Interest is for bidding: once the deadline has passed there is nothing left to take part in.
        if self.bid_deadline.is_some_and(|d| now >= d) {
            return Err(refused(
                "deadline_passed",
                "投标（响应）截止时间已过，不再接受登记参与",
                "the deadline has passed; interest can no longer be registered",
            ));
        }
        if !self.interests.contains(&actor.org_id) {
            self.interests.push(actor.org_id);
            self.documents_obtained.push(Obtained { org_id: actor.org_id, on: china_date(now) });
            self.touch(now);
        }
        Ok(Change::new("procurement.interest", json!({})))
    }

    /// Checks a bid (or final offer) may be submitted, changed or withdrawn now.
    pub fn check_bid_window(
        &self,
        actor: &Actor,
        bidder: &ProviderInfo,
        content: Option<&BidContent>,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.check_bidder(actor, bidder)?;
        self.require_not_suspended(now)?;
        let deadline = self.sealed_until().ok_or_else(|| {
            refused("not_accepting_bids", "当前不接受投标（响应）", "bids are not being accepted now")
        })?;
        if now >= deadline {
            return Err(refused(
                "deadline_passed",
                "投标（响应）截止时间已过，不再接受",
                "the deadline has passed; bids are no longer accepted",
            ));
        }
        if self.stage == Stage::FinalOffers
            && !self.opening.as_ref().is_some_and(|o| o.bids.iter().any(|b| b.org_id == actor.org_id))
        {
            return Err(refused(
                "not_a_bidder",
                "只有参加谈判（磋商）的供应商可以提交最后报价",
                "only suppliers in the negotiation may make a final offer",
            ));
        }
        if let Some(c) = content {
            let mut p = Problems::default();
            if !c.price.is_positive() {
                p.add("price", "must_be_positive", "报价必须大于零", "the price must be more than zero");
            } else if c.price > self.budget {
                p.add(
                    "price",
                    "price_above_budget",
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
        self.check_bidder(actor, bidder)?;
        self.require_stage(&[Stage::Bidding], "ask")?;
        let mut p = Problems::default();
        need_text(&mut p, "text", text, 5, 2_000, "问题", "question");
        p.into_result()?;
        let id = self.questions.len() as u32 + 1;
        self.questions.push(Question { id, org_id: actor.org_id, text: text.trim().into(), asked_at: now });
        self.touch(now);
        Ok(Change::new("procurement.question", json!({"question": id})))
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
                p.add("answers", "unknown_question", "没有这个问题", "no such question");
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
        Ok(Change::new("procurement.clarify", json!({"affects_bids": affects_bids, "moved_deadline": moved})))
    }

    /// The fewest suppliers the procurement goes on with, at each opening and after evaluation: 3 (final offers
    /// too, 财政部令第74号 §33), or 2 where the rules allow — a consultation for services (财库〔2015〕124号) and a
    /// negotiation after a failed open tender (财政部令第74号 §27).
    pub fn min_suppliers(&self, rules: &Rules) -> usize {
        let reduced = self.method == Method::CompetitiveConsultation
            || (self.method == Method::CompetitiveNegotiation && self.after_failed_open_tender);
        (if reduced { rules.min_bidders_reduced } else { rules.min_bidders }) as usize
    }

    /// What fixes the committee's least size; `None` for single source, which has no committee.
    pub fn sizing(&self) -> Option<Sizing<'_>> {
        Some(Sizing {
            method: self.method.panel()?,
            budget: self.budget,
            region: &self.region,
            complex_or_high_impact: self.documents.complex_or_high_impact,
        })
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
                "bids_sealed",
                "投标截止时间未到，不能开标",
                "the bids stay sealed until the deadline",
            ));
        }
        let attendees: Vec<String> = attendees.iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
        if attendees.is_empty() {
            return Err(DomainError::field(
                "attendees",
                "required",
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
        let action = if final_round { "procurement.open_final" } else { "procurement.open" };
        let min = self.min_suppliers(rules);
        if count < min {
            self.fail("too_few_bids", format!("递交投标（响应）文件的供应商不足 {min} 家（{count} 家）"), now);
        } else {
            self.stage = if final_round || !self.method.has_rounds() { Stage::Evaluating } else { Stage::Negotiating };
        }
        self.touch(now);
        Ok(Change::new(action, json!({"bids": count, "stage": self.stage.code()})))
    }

    fn fail(&mut self, code: &str, reason: String, now: DateTime<Utc>) {
        self.stage = Stage::Failed;
        self.failure = Some(Failure { code: code.into(), reason, at: now });
    }

    /// The bidders as opened (the first opening names who takes part).
    pub fn bidders(&self) -> Vec<i64> {
        self.opening.as_ref().map(|o| o.bids.iter().map(|b| b.org_id).collect()).unwrap_or_default()
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
            return Err(refused("committee_drawn", "评审委员会已经抽取", "the committee has already been drawn"));
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
        Ok(Change::new("procurement.draw_committee", detail))
    }

    fn committee_member(&self, actor: &Actor) -> Result<&Committee, DomainError> {
        let c = self
            .committee
            .as_ref()
            .ok_or_else(|| refused("no_committee", "尚未抽取评审委员会", "no committee has been drawn"))?;
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
                "declaration_required",
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
            return Err(refused("already_declared", "您已作出声明", "you have already declared"));
        }
        if let Some(c) = self.committee.as_mut() {
            c.declarations.push(Declaration { expert_id: actor.user_id, no_conflict, at: now });
        }
        self.touch(now);
        Ok(Change::new("procurement.declare", json!({"no_conflict": no_conflict})))
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
            .ok_or_else(|| refused("no_committee", "尚未抽取评审委员会", "no committee has been drawn"))?;
        let recused: Vec<i64> = c.members.iter().filter(|m| c.recused(m.user_id)).map(|m| m.user_id).collect();
        let replaced = c.replacements.iter().map(|d| d.size as usize).sum::<usize>();
        let need = recused.len().saturating_sub(replaced) as u32;
        if need == 0 {
            return Err(refused("nothing_to_replace", "没有需要替补的专家", "no expert needs replacing"));
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
        Ok(Change::new("procurement.replace_recused", detail))
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
        Ok(Change::new("procurement.round", json!({"round": n})))
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
            return Err(refused("round_required", "请先记录至少一轮谈判（磋商）", "record at least one round first"));
        }
        if deadline <= now {
            return Err(DomainError::field(
                "deadline",
                "deadline_in_past",
                "截止时间必须晚于现在",
                "the deadline must be in the future",
            ));
        }
        self.final_deadline = Some(deadline);
        self.stage = Stage::FinalOffers;
        self.touch(now);
        Ok(Change::new("procurement.call_final_offers", json!({"deadline": deadline})))
    }

    /// The bids evaluated: the final offers where the method has them (suppliers without one withdrew).
    pub fn evaluated_bids(&self) -> Vec<&OpenedBid> {
        match &self.final_opening {
            Some(f) => f.bids.iter().collect(),
            None => self.opening.as_ref().map(|o| o.bids.iter().collect()).unwrap_or_default(),
        }
    }

    fn find_bid(&self, bid_id: i64) -> Result<&OpenedBid, DomainError> {
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
                "reason_required",
                "不合格须写明理由（至少 4 个字）",
                "give the reason a bid fails (at least 4 characters)",
            ));
        }
        self.compliance.retain(|c| c.bid_id != bid_id);
        self.compliance.push(Compliance { bid_id, qualified, reason: reason.trim().into(), by: actor.user_id });
        self.note_evaluation(now);
        self.touch(now);
        Ok(Change::new("procurement.compliance", json!({"bid_id": bid_id, "qualified": qualified})))
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
    fn note_evaluation(&mut self, now: DateTime<Utc>) {
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
            return Err(refused("no_marks", "最低价法不需要专家打分", "the lowest-price method has no marks"));
        };
        let mut p = Problems::default();
        let bids: Vec<i64> = self.evaluated_bids().iter().map(|b| b.bid_id).collect();
        let mut new = Vec::new();
        for (i, (bid, criterion, score)) in marks.into_iter().enumerate() {
            if !bids.contains(&bid) {
                p.add(format!("marks[{i}].bid"), "unknown_bid", "没有这份投标", "no such bid");
            }
            if !criteria.iter().any(|c| c.key == criterion) {
                p.add(format!("marks[{i}].criterion"), "unknown_criterion", "没有这个评分因素", "no such criterion");
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
                        "marks_incomplete",
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
        Ok(Change::new("procurement.mark", json!({"expert": actor.user_id})))
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
                "committee_incomplete",
                "评审委员会人数不足，请先替补回避的专家",
                "the committee is short: replace recused experts first",
            ));
        }
        let experts: Vec<i64> = c.sitting().filter(|m| m.expert).map(|m| m.user_id).collect();
        if let Some(undeclared) = experts.iter().find(|e| !c.declarations.iter().any(|d| d.expert_id == **e)) {
            return Err(refused(
                "declaration_missing",
                format!("专家（编号 {undeclared}）尚未作出利害关系声明"),
                format!("expert {undeclared} has not declared"),
            ));
        }
        let bids = self.evaluated_bids();
        if let Some(b) = bids.iter().find(|b| !self.compliance.iter().any(|c| c.bid_id == b.bid_id)) {
            return Err(refused(
                "compliance_missing",
                format!("尚未审查{}的投标", b.name),
                format!("the bid of {} has not been reviewed", b.name),
            ));
        }
        if matches!(self.documents.scoring, Scoring::Comprehensive { .. }) {
            if let Some(m) = c.sitting().find(|m| !self.marks.iter().any(|x| x.expert == m.user_id)) {
                return Err(refused(
                    "marks_missing",
                    format!("评审委员会成员{}尚未打分", m.name),
                    format!("committee member {} has not scored", m.user_id),
                ));
            }
        }
        if let Some(l) = self.low_prices.iter().find(|l| l.finding.is_none()) {
            return Err(refused(
                "low_price_pending",
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
        Ok(Change::new("procurement.report", json!({"ranked": ranked, "winners": outcome.winners})))
    }

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
                    "tie_reason_required",
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
        Ok(Change::new("procurement.award", detail))
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
                "notice_running",
                "单一来源公示期未满，不能进行协商",
                "the single-source notice has not ended",
            ));
        }
        if let Some(open) = self.challenges.iter().find(|c| c.reply.is_none()) {
            return Err(refused(
                "challenge_open",
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
                    "approval_required",
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
            p.add("price", "must_be_positive", "成交价格必须大于零", "the price must be more than zero");
        } else if price > self.budget {
            p.add("price", "price_above_budget", "成交价格超过采购预算", "the price exceeds the budget");
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
        Ok(Change::new("procurement.award", detail))
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
        Ok(Change::new("procurement.abandon", json!({"reason": reason.trim()})))
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
            return Err(refused("switch_pending", "已有待批准的变更申请", "a request is already waiting"));
        }
        let mut p = Problems::default();
        if to == self.method {
            p.add("to", "same_method", "变更后的采购方式不能与原方式相同", "choose a different method");
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
        Ok(Change::new("procurement.request_switch", json!({"to": to.code()})))
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
        if !(actor.is_finance_reviewer()) {
            return Err(DomainError::NotPermitted { action: "decide_switch" });
        }
        let above = self.budget >= rules.open_tender_threshold_for(&self.region);
        if above {
            authority.require(actor, &self.region, "decide_switch")?;
            if approved && document_no.trim().chars().count() < 2 {
                return Err(DomainError::field(
                    "document_no",
                    "required",
                    "请填写批复文号",
                    "enter the approval's document number",
                ));
            }
        }
        let s = self
            .switch
            .as_mut()
            .filter(|s| s.decision.is_none())
            .ok_or_else(|| refused("no_switch_request", "没有待批准的变更申请", "no request is waiting"))?;
        if !approved && comment.trim().chars().count() < 4 {
            return Err(DomainError::field(
                "comment",
                "comment_required",
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
        Ok(Change::new("procurement.decide_switch", json!({"to": to.code(), "approved": approved})))
    }

    /// Framework agreement, stage two: the purchaser (for a service user) calls off an order from an admitted
    /// provider; together the orders stay within the awarded amount.
    pub fn call_off(
        &mut self,
        actor: &Actor,
        org_id: i64,
        amount: Money,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_runner(actor, "call_off")?;
        self.require_stage(&[Stage::Awarded], "call_off")?;
        let award = self.award.as_ref().filter(|_| self.method == Method::FrameworkAgreement).ok_or_else(|| {
            refused("not_a_framework", "只有框架协议可以下单", "only a framework agreement takes call-offs")
        })?;
        let member = award.members.iter().find(|m| m.org_id == org_id).ok_or_else(|| {
            DomainError::field(
                "org_id",
                "not_a_member",
                "该供应商不是入围供应商",
                "that provider is not in the framework",
            )
        })?;
        let used: i64 = self.call_offs.iter().map(|c| c.amount.fen()).sum();
        let mut p = Problems::default();
        if !amount.is_positive() {
            p.add("amount", "must_be_positive", "金额必须大于零", "the amount must be more than zero");
        } else if used + amount.fen() > self.budget.fen() {
            p.add(
                "amount",
                "framework_exhausted",
                format!("累计下单将超过框架协议预算（已用 {} 元）", Money::from_fen(used).display_yuan()),
                format!(
                    "the orders would exceed the framework's budget ({} yuan used)",
                    Money::from_fen(used).display_yuan()
                ),
            );
        }
        need_text(&mut p, "note", note, 2, 2_000, "服务对象与内容", "service and recipient");
        p.into_result()?;
        let n = self.call_offs.len() as u32 + 1;
        let name = member.name.clone();
        self.call_offs.push(CallOff {
            n,
            org_id,
            org_name: name,
            amount,
            note: note.trim().into(),
            on: china_date(now),
            by: actor.user_id,
        });
        self.touch(now);
        Ok(Change::new("procurement.call_off", json!({"n": n, "org_id": org_id, "amount": amount})))
    }

    /// Who must act by when, with overdue flags as of `today`.
    pub fn duties(&self, rules: &Rules, calendar: &Calendar, today: NaiveDate) -> Vec<Duty> {
        let mut out = Vec::new();
        let mut push = |code, holder, due: Result<Deadline, DomainError>, challenge| {
            if let Ok(d) = due {
                out.push(Duty {
                    code,
                    holder,
                    due: d.date,
                    provisional: d.provisional,
                    overdue: today > d.date,
                    challenge,
                });
            }
        };
        if self.stage == Stage::Confirming {
            if let Some(r) = &self.report {
                push(
                    "confirm_winner",
                    "purchaser",
                    period_end(rules, Period::WinnerConfirmation, china_date(r.at), calendar),
                    None,
                );
            }
        }
        // The report is due 2 working days after the evaluation ended (政府采购法实施条例 §43), not after the opening.
        if let (Stage::Evaluating, Some(ended)) = (self.stage, self.evaluated_at) {
            push(
                "finish_evaluation",
                "committee",
                period_end(rules, Period::EvaluationReport, china_date(ended), calendar),
                None,
            );
        }
        for c in &self.challenges {
            // Once the challenger has complained, finance holds the matter.
            if c.reply.is_none() && c.complaint.is_none() {
                push("reply_challenge", "purchaser", Self::reply_due(c, rules, calendar), Some(c.id));
            }
            if c.complaint.as_ref().is_some_and(|k| k.decision.is_none()) {
                if let Some(due) = Self::decision_due(c, rules, calendar) {
                    push("decide_complaint", "finance", due, Some(c.id));
                }
            }
        }
        out
    }

    /// Whether an actor may see the procurement's working record (not the public notices, which anyone may).
    pub fn can_view(&self, actor: &Actor) -> bool {
        actor.has(Role::Admin)
            || self.runs(actor)
            || actor.org_id == self.purchaser_org_id
            || (actor.is_finance_reviewer())
            || self.committee.as_ref().is_some_and(|c| c.member(actor.user_id).is_some())
            || (actor.has(Role::Supervisor)
                && actor.supervisor_region.as_ref().is_some_and(|r| crate::org::region_within(&self.region, r)))
    }
}
