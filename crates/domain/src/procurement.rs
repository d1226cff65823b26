//! Organising the purchase (组织购买) by a statutory procurement method: open and invited tender, competitive
//! negotiation and consultation, request for quotation, single source and framework agreements, each with its
//! own steps and minimum periods on the working-day calendar; sealed bids opened at a recorded opening; an
//! evaluation committee drawn from the expert pool; scoring; the award; challenges and complaints.
//!
//! Like [`crate::project`], every step is a method that checks who acts and what must hold, changes the
//! procurement and returns the audit [`Change`], or returns a typed error and leaves it as it was. Bid contents
//! never enter this type before opening: the store keeps them sealed, and hands them over only to [`Procurement::open`].
//!
//! [`Change`]: crate::project::Change

use crate::calendar::{china_date, Calendar, Deadline};
use crate::committee;
use crate::deadlines::{date_zh, Period};
use crate::error::{DomainError, ErrorCode, Problems};
use crate::money::Money;
use crate::org::{string_enum, Actor, Role};
use crate::rules::Rules;
use crate::scoring::Mark;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub mod approval;
mod award;
mod bidding;
mod challenges;
mod duties;
mod evaluation;
mod framework;
pub mod low_price;
mod member;
mod scope;
mod sealing;
mod start;
#[cfg(test)]
mod tests;
mod types;

pub use approval::{ApprovalRef, Authority, MethodApproval};
pub use duties::{Duty, Holder};
pub use low_price::LowPrice;
pub use member::MemberTask;
pub use scope::{holder_bit, Facts, Scope};
pub use start::{check_start, may_follow, StartContext, StartInput};
pub use types::{
    Award, BidContent, CallOff, Challenge, Clarification, Committee, Complaint, ComplaintDecision, Compliance,
    CriterionSpec, Documents, Failure, Member, Obtained, OpenedBid, Opening, Question, Reply, Report, Round, Scoring,
    SingleSource, Suspension, SwitchDecision, SwitchRequest, Winner,
};

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

fn refused(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> DomainError {
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
        p.add(field, ErrorCode::Required, z, e);
    } else if n > max {
        p.add(
            field,
            ErrorCode::TooLong,
            format!("{zh}不能超过 {max} 个字"),
            format!("the {en} must be at most {max} characters"),
        );
    }
}

fn calendar_refusal(e: crate::calendar::CalendarError) -> DomainError {
    match e {
        crate::calendar::CalendarError::YearMissing(year) => refused(
            ErrorCode::CalendarYearMissing,
            format!("尚无{year}年的节假日安排，无法计算期限：请载入该年度的节假日数据文件"),
            format!("no holiday data for {year}, so the period cannot be counted: load that year's holiday file"),
        ),
        other => {
            refused(ErrorCode::DateOutOfRange, "日期超出可计算的范围", format!("the period cannot be counted: {other}"))
        }
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

impl Procurement {
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
                ErrorCode::WrongStage,
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
                ErrorCode::ProcurementSuspended,
                format!("财政部门已暂停本采购活动至{}", date_zh(s.until)),
                format!("finance has suspended this procurement until {}", s.until),
            )),
            None => Ok(()),
        }
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
                ErrorCode::IntentionPeriod,
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

    fn fail(&mut self, code: &str, reason: String, now: DateTime<Utc>) {
        self.stage = Stage::Failed;
        self.failure = Some(Failure { code: code.into(), reason, at: now });
    }

    /// Whether an actor may see the procurement's working record (not the public notices, which anyone may).
    pub fn can_view(&self, actor: &Actor) -> bool {
        Scope::of(actor).admits(self)
    }
}
