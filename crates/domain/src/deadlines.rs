//! The statutory periods of a procurement, as data, counted on the working-day calendar (民法典 §201, §203: the
//! start day is not counted; a last day that is a rest day moves to the next working day).
//!
//! A minimum period ends on the earliest day the next act is allowed (a bid deadline may fall on the 20th day after
//! the tender documents were issued, 政府采购法 §35); a maximum period ends on the latest day a duty may be done.
//! Lengths are [`PeriodRules`] defaults a province can change; units, kinds and sources are the law's.

use crate::calendar::{Calendar, CalendarError, Deadline};
use crate::error::{DomainError, ErrorCode};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// How a period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Calendar days (日); a last day that is a rest day moves to the next working day.
    Days,
    /// Working days (工作日), adjusted working weekends included.
    WorkingDays,
}

/// Whether the end of a period is the earliest or the latest day allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// At least this long: the next act is allowed from the period's end on.
    Minimum,
    /// At most this long: the duty must be done by the period's end.
    Maximum,
}

/// Every statutory period of a procurement, each counted from the day named in its doc comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// From the purchase intention's publication to the start of procurement.
    PurchaseIntention,
    /// From the day the tender documents are first issued to the bid deadline.
    TenderDocumentsToBidDeadline,
    /// From the tender announcement's publication to its end.
    TenderAnnouncement,
    /// From the first day the tender documents are available to the last.
    TenderDocumentsAvailable,
    /// Tenders: from a clarification or change that affects bids to the bid deadline (else the deadline moves).
    Clarification,
    /// Competitive consultation: from a clarification that affects responses to the response deadline.
    ConsultationClarification,
    /// Competitive negotiation and request for quotation: from a clarification that affects responses to the
    /// response deadline.
    NegotiationClarification,
    /// Competitive consultation: from the documents' issue to the first responses.
    ConsultationDocumentsToResponse,
    /// Competitive negotiation and request for quotation: from the documents' issue to the responses.
    NegotiationDocumentsToResponse,
    /// From the end of evaluation to the committee's report reaching the purchaser.
    EvaluationReport,
    /// From receiving the evaluation report to the purchaser fixing the winner.
    WinnerConfirmation,
    /// From the winner being fixed to the award notice and the result announcement.
    AwardNotice,
    /// From the result announcement's publication to its end.
    ResultAnnouncement,
    /// From the award notice to the signed contract.
    ContractSigning,
    /// From signing to the contract's publication.
    ContractPublication,
    /// From the day the bidder knew or should have known of the harm to its challenge (质疑).
    Challenge,
    /// From receiving a challenge to the reply.
    ChallengeReply,
    /// From the end of the reply period to the complaint (投诉) to the finance department.
    Complaint,
    /// From receiving a complaint to the finance department's decision; pausable, see
    /// [`PeriodRules::latest_complaint_decision`].
    ComplaintDecision,
    /// From the start of a suspension of the procurement during a complaint to its end.
    Suspension,
    /// From the single-source public notice's publication to its end (only-one-supplier case).
    SingleSourceNotice,
}

impl Period {
    pub const ALL: [Period; 21] = [
        Period::PurchaseIntention,
        Period::TenderDocumentsToBidDeadline,
        Period::TenderAnnouncement,
        Period::TenderDocumentsAvailable,
        Period::Clarification,
        Period::ConsultationClarification,
        Period::NegotiationClarification,
        Period::ConsultationDocumentsToResponse,
        Period::NegotiationDocumentsToResponse,
        Period::EvaluationReport,
        Period::WinnerConfirmation,
        Period::AwardNotice,
        Period::ResultAnnouncement,
        Period::ContractSigning,
        Period::ContractPublication,
        Period::Challenge,
        Period::ChallengeReply,
        Period::Complaint,
        Period::ComplaintDecision,
        Period::Suspension,
        Period::SingleSourceNotice,
    ];

    pub fn code(self) -> &'static str {
        self.spec().code
    }

    pub fn unit(self) -> Unit {
        self.spec().unit
    }

    pub fn kind(self) -> Kind {
        self.spec().kind
    }

    /// The legal source, e.g. `政府采购法 §35`.
    pub fn source(self) -> &'static str {
        self.spec().source
    }

    pub fn name_zh(self) -> &'static str {
        self.spec().zh
    }

    pub fn name_en(self) -> &'static str {
        self.spec().en
    }

    /// Whether time may be excluded from the count (testing, appraisal, expert review, corrections: 条例 §58).
    pub fn pausable(self) -> bool {
        self == Period::ComplaintDecision
    }

    fn spec(self) -> Spec {
        use Kind::{Maximum as Max, Minimum as Min};
        use Unit::{Days, WorkingDays as Work};
        let (code, unit, kind, source, zh, en) = match self {
            Period::PurchaseIntention => (
                "purchase_intention",
                Days,
                Min,
                "财库〔2020〕10号",
                "采购意向公开至采购活动开始",
                "purchase intention published before procurement starts",
            ),
            Period::TenderDocumentsToBidDeadline => (
                "tender_documents_to_bid_deadline",
                Days,
                Min,
                "政府采购法 §35",
                "招标文件发出至投标截止",
                "tender documents issued to the bid deadline",
            ),
            Period::TenderAnnouncement => {
                ("tender_announcement", Work, Min, "财政部令第87号 §16", "招标公告期限", "tender announcement period")
            }
            Period::TenderDocumentsAvailable => (
                "tender_documents_available",
                Work,
                Min,
                "财政部令第87号 §18",
                "招标文件提供期限",
                "tender documents available",
            ),
            Period::Clarification => (
                "clarification",
                Days,
                Min,
                "财政部令第87号 §27",
                "澄清或者修改至投标截止",
                "clarification to the bid deadline",
            ),
            Period::ConsultationClarification => (
                "consultation_clarification",
                Days,
                Min,
                "财库〔2014〕214号 第十条",
                "磋商文件澄清或者修改至提交首次响应文件截止",
                "consultation clarification to the response deadline",
            ),
            Period::NegotiationClarification => (
                "negotiation_clarification",
                Work,
                Min,
                "财政部令第74号 §29、§46",
                "谈判文件、询价通知书澄清或者修改至提交响应文件截止",
                "negotiation or quotation clarification to the response deadline",
            ),
            Period::ConsultationDocumentsToResponse => (
                "consultation_documents_to_response",
                Days,
                Min,
                "财库〔2014〕214号 第十条",
                "磋商文件发出至提交首次响应文件截止",
                "consultation documents issued to the first responses",
            ),
            Period::NegotiationDocumentsToResponse => (
                "negotiation_documents_to_response",
                Work,
                Min,
                "财政部令第74号",
                "谈判文件、询价通知书发出至提交响应文件截止",
                "negotiation or quotation documents issued to the responses",
            ),
            Period::EvaluationReport => (
                "evaluation_report",
                Work,
                Max,
                "政府采购法实施条例 §43",
                "评审报告送交采购人",
                "evaluation report to the purchaser",
            ),
            Period::WinnerConfirmation => (
                "winner_confirmation",
                Work,
                Max,
                "政府采购法实施条例 §43",
                "采购人确定中标、成交供应商",
                "purchaser confirms the winner",
            ),
            Period::AwardNotice => (
                "award_notice",
                Work,
                Max,
                "政府采购法实施条例 §43",
                "发出中标、成交通知书并公告结果",
                "award notice and result announcement",
            ),
            Period::ResultAnnouncement => (
                "result_announcement",
                Work,
                Min,
                "财政部令第87号 §69",
                "中标、成交结果公告期限",
                "result announcement period",
            ),
            Period::ContractSigning => (
                "contract_signing",
                Days,
                Max,
                "政府采购法 §46",
                "中标、成交通知书发出后签订合同",
                "contract signed after the award notice",
            ),
            Period::ContractPublication => (
                "contract_publication",
                Work,
                Max,
                "政府采购法实施条例 §50",
                "合同签订后公告",
                "contract published after signing",
            ),
            Period::Challenge => ("challenge", Work, Max, "政府采购法 §52", "提出质疑", "challenge"),
            Period::ChallengeReply => {
                ("challenge_reply", Work, Max, "政府采购法 §53", "答复质疑", "reply to a challenge")
            }
            Period::Complaint => (
                "complaint",
                Work,
                Max,
                "政府采购法 §55",
                "答复期满后提起投诉",
                "complaint to the finance department after the reply period",
            ),
            Period::ComplaintDecision => (
                "complaint_decision",
                Work,
                Max,
                "政府采购法 §56，政府采购法实施条例 §58",
                "财政部门作出投诉处理决定",
                "finance department decides a complaint",
            ),
            Period::Suspension => (
                "suspension",
                Days,
                Max,
                "政府采购法 §57",
                "投诉处理期间暂停采购活动",
                "procurement suspended during a complaint",
            ),
            Period::SingleSourceNotice => (
                "single_source_notice",
                Work,
                Min,
                "政府采购法实施条例 §38",
                "单一来源采购公示",
                "single-source public notice",
            ),
        };
        Spec { code, unit, kind, source, zh, en }
    }
}

struct Spec {
    code: &'static str,
    unit: Unit,
    kind: Kind,
    source: &'static str,
    zh: &'static str,
    en: &'static str,
}

/// The length of each period in its [`Unit`]: statutory defaults, configurable per region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PeriodRules {
    pub purchase_intention: u32,
    pub tender_documents_to_bid_deadline: u32,
    pub tender_announcement: u32,
    pub tender_documents_available: u32,
    pub clarification: u32,
    pub consultation_clarification: u32,
    pub negotiation_clarification: u32,
    pub consultation_documents_to_response: u32,
    pub negotiation_documents_to_response: u32,
    pub evaluation_report: u32,
    pub winner_confirmation: u32,
    pub award_notice: u32,
    pub result_announcement: u32,
    pub contract_signing: u32,
    pub contract_publication: u32,
    pub challenge: u32,
    pub challenge_reply: u32,
    pub complaint: u32,
    pub complaint_decision: u32,
    pub suspension: u32,
    pub single_source_notice: u32,
}

impl Default for PeriodRules {
    fn default() -> Self {
        PeriodRules {
            purchase_intention: 30,
            tender_documents_to_bid_deadline: 20,
            tender_announcement: 5,
            tender_documents_available: 5,
            clarification: 15,
            consultation_clarification: 5,
            negotiation_clarification: 3,
            consultation_documents_to_response: 10,
            negotiation_documents_to_response: 3,
            evaluation_report: 2,
            winner_confirmation: 5,
            award_notice: 2,
            result_announcement: 1,
            contract_signing: 30,
            contract_publication: 2,
            challenge: 7,
            challenge_reply: 7,
            complaint: 15,
            complaint_decision: 30,
            suspension: 30,
            single_source_notice: 5,
        }
    }
}

impl PeriodRules {
    /// The period's length, in [`Period::unit`].
    pub fn length(&self, period: Period) -> u32 {
        match period {
            Period::PurchaseIntention => self.purchase_intention,
            Period::TenderDocumentsToBidDeadline => self.tender_documents_to_bid_deadline,
            Period::TenderAnnouncement => self.tender_announcement,
            Period::TenderDocumentsAvailable => self.tender_documents_available,
            Period::Clarification => self.clarification,
            Period::ConsultationClarification => self.consultation_clarification,
            Period::NegotiationClarification => self.negotiation_clarification,
            Period::ConsultationDocumentsToResponse => self.consultation_documents_to_response,
            Period::NegotiationDocumentsToResponse => self.negotiation_documents_to_response,
            Period::EvaluationReport => self.evaluation_report,
            Period::WinnerConfirmation => self.winner_confirmation,
            Period::AwardNotice => self.award_notice,
            Period::ResultAnnouncement => self.result_announcement,
            Period::ContractSigning => self.contract_signing,
            Period::ContractPublication => self.contract_publication,
            Period::Challenge => self.challenge,
            Period::ChallengeReply => self.challenge_reply,
            Period::Complaint => self.complaint,
            Period::ComplaintDecision => self.complaint_decision,
            Period::Suspension => self.suspension,
            Period::SingleSourceNotice => self.single_source_notice,
        }
    }

    /// The last day of the period counted from `from`: the start day is not counted, and a last day that is a
    /// rest day moves to the next working day.
    pub fn end(&self, period: Period, from: NaiveDate, calendar: &Calendar) -> Result<Deadline, CalendarError> {
        let n = self.length(period);
        match period.unit() {
            Unit::Days => calendar.add_days(from, n),
            Unit::WorkingDays => calendar.add_working_days(from, n),
        }
    }

    /// The earliest day allowed after a [`Kind::Minimum`] period: its end, e.g. the earliest bid deadline day.
    pub fn earliest(&self, period: Period, from: NaiveDate, calendar: &Calendar) -> Result<Deadline, CalendarError> {
        self.end(period, from, calendar)
    }

    /// The latest day allowed for a [`Kind::Maximum`] period: its end, e.g. the last day to sign the contract.
    /// The complaint decision's pauses are counted by [`PeriodRules::latest_complaint_decision`].
    pub fn latest(&self, period: Period, from: NaiveDate, calendar: &Calendar) -> Result<Deadline, CalendarError> {
        self.end(period, from, calendar)
    }

    /// The latest day for the finance department's decision on a complaint received on `received`: working days
    /// inside a pause (`(first, last)`, both included) are not counted (政府采购法实施条例 §58: testing,
    /// appraisal, expert review and corrections are excluded).
    pub fn latest_complaint_decision(
        &self,
        received: NaiveDate,
        pauses: &[(NaiveDate, NaiveDate)],
        calendar: &Calendar,
    ) -> Result<Deadline, CalendarError> {
        let paused = |date: NaiveDate| pauses.iter().any(|(a, b)| (*a.min(b)..=*a.max(b)).contains(&date));
        let mut deadline = Deadline { date: received, provisional: false };
        let mut counted = 0;
        while counted < self.complaint_decision {
            deadline.date = deadline.date.succ_opt().ok_or(CalendarError::OutOfRange)?;
            let day = calendar.day(deadline.date)?;
            deadline.provisional |= day.provisional;
            if day.is_workday() && !paused(deadline.date) {
                counted += 1;
            }
        }
        Ok(deadline)
    }

    /// Refuses `chosen` when it falls before the end of `period` counted from `from` (code `period_too_short`,
    /// reported on the field named by the period's code).
    pub fn check_minimum(
        &self,
        period: Period,
        from: NaiveDate,
        chosen: NaiveDate,
        calendar: &Calendar,
    ) -> Result<(), DomainError> {
        let earliest = self.earliest(period, from, calendar).map_err(|e| calendar_error(period, e))?;
        if chosen >= earliest.date {
            return Ok(());
        }
        let (zh_note, en_note) = if earliest.provisional { ("（暂定）", " (provisional)") } else { ("", "") };
        Err(DomainError::field(
            period.code(),
            ErrorCode::PeriodTooShort,
            &format!(
                "“{}”不足法定期限（{}）：最早可为{}{zh_note}",
                period.name_zh(),
                period.source(),
                date_zh(earliest.date)
            ),
            &format!(
                "the period “{}” is too short ({}): the earliest allowed date is {}{en_note}",
                period.name_en(),
                period.source(),
                earliest.date.format("%Y-%m-%d")
            ),
        ))
    }
}

/// A date as Chinese pages write it: 2025年10月9日.
pub fn date_zh(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

fn calendar_error(period: Period, error: CalendarError) -> DomainError {
    match error {
        CalendarError::YearMissing(year) => DomainError::field(
            period.code(),
            ErrorCode::CalendarYearMissing,
            &format!("尚无{year}年的节假日安排，无法计算期限：请载入该年度的节假日数据文件"),
            &format!("no holiday data for {year}, so the period cannot be counted: load that year's holiday file"),
        ),
        other => DomainError::field(
            period.code(),
            ErrorCode::DateOutOfRange,
            "日期超出可计算的范围",
            &format!("the period cannot be counted: {other}"),
        ),
    }
}

#[cfg(test)]
mod tests;
