use super::*;
use crate::calendar::Calendar;
use crate::error::ErrorCode;

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn official() -> Calendar {
    Calendar::official().unwrap()
}

fn on(date: &str) -> Deadline {
    Deadline { date: d(date), provisional: false }
}

fn rules() -> PeriodRules {
    PeriodRules::default()
}

#[test]
fn deadlines_worked_examples_from_the_issue() {
    let (r, c) = (rules(), official());
    // 20 days end on 2025-10-02, inside the National Day holiday (10-01 to 10-08).
    assert_eq!(r.earliest(Period::TenderDocumentsToBidDeadline, d("2025-09-12"), &c).unwrap(), on("2025-10-09"));
    // Saturday 2025-10-11 is an adjusted working day and counts.
    assert_eq!(r.latest(Period::Challenge, d("2025-09-30"), &c).unwrap(), on("2025-10-16"));
    // Saturday 2026-02-14 counts; the Spring Festival 02-15 to 02-23 does not.
    assert_eq!(r.latest(Period::Complaint, d("2026-01-30"), &c).unwrap(), on("2026-02-27"));
}

#[test]
fn deadlines_minimum_in_working_days() {
    let (r, c) = (rules(), official());
    // Published Thu 2026-04-30: Labour Day 05-01 to 05-05 off, Sat 05-09 worked.
    assert_eq!(r.earliest(Period::TenderAnnouncement, d("2026-04-30"), &c).unwrap(), on("2026-05-11"));
    // Documents issued Mon 2026-03-02: Tue, Wed, Thu.
    assert_eq!(r.earliest(Period::NegotiationDocumentsToResponse, d("2026-03-02"), &c).unwrap(), on("2026-03-05"));
    assert_eq!(r.earliest(Period::SingleSourceNotice, d("2026-03-02"), &c).unwrap(), on("2026-03-09"));
}

#[test]
fn deadlines_minimum_in_calendar_days() {
    let (r, c) = (rules(), official());
    // A clarification on Fri 2026-09-18: 15 days end on Sat 10-03, inside National Day (10-01 to 10-07).
    assert_eq!(r.earliest(Period::Clarification, d("2026-09-18"), &c).unwrap(), on("2026-10-08"));
    assert_eq!(r.earliest(Period::ConsultationDocumentsToResponse, d("2026-03-02"), &c).unwrap(), on("2026-03-12"));
    assert_eq!(r.earliest(Period::PurchaseIntention, d("2026-03-02"), &c).unwrap(), on("2026-04-01"));
}

#[test]
fn deadlines_maximum_in_calendar_days() {
    let (r, c) = (rules(), official());
    // Award notice Fri 2026-01-16: 30 days end on 02-15, the first day of the Spring Festival holiday.
    assert_eq!(r.latest(Period::ContractSigning, d("2026-01-16"), &c).unwrap(), on("2026-02-24"));
    assert_eq!(r.latest(Period::Suspension, d("2026-03-02"), &c).unwrap(), on("2026-04-01"));
}

#[test]
fn deadlines_maximum_in_working_days() {
    let (r, c) = (rules(), official());
    // Signed Wed 2026-09-30: National Day 10-01 to 10-07 off.
    assert_eq!(r.latest(Period::ContractPublication, d("2026-09-30"), &c).unwrap(), on("2026-10-09"));
    // Report received Fri 2026-02-13: Sat 02-14 worked, then the Spring Festival.
    assert_eq!(r.latest(Period::WinnerConfirmation, d("2026-02-13"), &c).unwrap(), on("2026-02-27"));
    assert_eq!(r.latest(Period::AwardNotice, d("2026-02-13"), &c).unwrap(), on("2026-02-24"));
}

#[test]
fn deadlines_complaint_decision_pauses_across_the_spring_festival() {
    let (r, c) = (rules(), official());
    // Received Mon 2026-02-02. Unpaused: 10 working days to Sat 02-14, 5 more to Sat 02-28, 15 in March.
    assert_eq!(r.latest(Period::ComplaintDecision, d("2026-02-02"), &c).unwrap(), on("2026-03-20"));
    assert_eq!(r.latest_complaint_decision(d("2026-02-02"), &[], &c).unwrap(), on("2026-03-20"));
    // An expert review 02-12 to 02-26 takes out 6 working days (02-12, 02-13, 02-14, 02-24, 02-25, 02-26).
    let pause = [(d("2026-02-12"), d("2026-02-26"))];
    assert_eq!(r.latest_complaint_decision(d("2026-02-02"), &pause, &c).unwrap(), on("2026-03-30"));
    // A pause written last day first is the same pause; rest days inside a pause change nothing.
    let reversed = [(d("2026-02-26"), d("2026-02-12"))];
    assert_eq!(r.latest_complaint_decision(d("2026-02-02"), &reversed, &c).unwrap(), on("2026-03-30"));
    let holiday_only = [(d("2026-02-15"), d("2026-02-23"))];
    assert_eq!(r.latest_complaint_decision(d("2026-02-02"), &holiday_only, &c).unwrap(), on("2026-03-20"));
    assert!(Period::ComplaintDecision.pausable() && !Period::Complaint.pausable());
}

#[test]
fn deadlines_in_a_provisional_year_are_flagged() {
    let (r, c) = (rules(), official().with_provisional_years());
    // 20 days from 2026-12-20 end on Sat 2027-01-09; provisional 2027 has no adjusted days, so Mon 01-11.
    let deadline = r.earliest(Period::TenderDocumentsToBidDeadline, d("2026-12-20"), &c).unwrap();
    assert_eq!(deadline, Deadline { date: d("2027-01-11"), provisional: true });
    assert!(!r.earliest(Period::TenderDocumentsToBidDeadline, d("2026-09-01"), &c).unwrap().provisional);
    let pause = [(d("2027-01-04"), d("2027-01-08"))];
    assert!(r.latest_complaint_decision(d("2026-12-01"), &pause, &c).unwrap().provisional);
    let err = r.check_minimum(Period::TenderDocumentsToBidDeadline, d("2026-12-20"), d("2027-01-08"), &c).unwrap_err();
    assert!(err.message_zh().contains("2027年1月11日（暂定）"), "{}", err.message_zh());
    assert!(err.message_en().contains("2027-01-11 (provisional)"), "{}", err.message_en());
}

#[test]
fn deadlines_missing_year_is_an_error_not_a_panic() {
    let (r, c) = (rules(), official());
    let from = d("2026-12-20");
    assert_eq!(r.earliest(Period::TenderDocumentsToBidDeadline, from, &c), Err(CalendarError::YearMissing(2027)));
    assert_eq!(r.latest(Period::Complaint, from, &c), Err(CalendarError::YearMissing(2027)));
    assert_eq!(r.latest_complaint_decision(from, &[], &c), Err(CalendarError::YearMissing(2027)));
    assert_eq!(r.latest(Period::Challenge, d("2025-03-03"), &Calendar::empty()), Err(CalendarError::YearMissing(2025)));
    let err = r.check_minimum(Period::TenderDocumentsToBidDeadline, from, d("2027-02-01"), &c).unwrap_err();
    assert_eq!(err.code(), ErrorCode::CalendarYearMissing);
    assert!(err.message_zh().contains("2027") && err.message_en().contains("load"), "{err}");
    let err = r.latest_complaint_decision(NaiveDate::MAX, &[], &c).unwrap_err();
    assert_eq!(err, CalendarError::OutOfRange);
}

#[test]
fn deadlines_check_minimum_refuses_a_short_period() {
    let (r, c) = (rules(), official());
    let period = Period::TenderDocumentsToBidDeadline;
    assert_eq!(r.check_minimum(period, d("2025-09-12"), d("2025-10-09"), &c), Ok(()));
    assert_eq!(r.check_minimum(period, d("2025-09-12"), d("2025-10-20"), &c), Ok(()));
    let err = r.check_minimum(period, d("2025-09-12"), d("2025-10-02"), &c).unwrap_err();
    assert_eq!(
        (err.code(), err.fields()[0].field.as_str()),
        (ErrorCode::PeriodTooShort, "tender_documents_to_bid_deadline")
    );
    assert_eq!(err.message_zh(), "“招标文件发出至投标截止”不足法定期限（政府采购法 §35）：最早可为2025年10月9日");
    assert_eq!(
        err.message_en(),
        "the period “tender documents issued to the bid deadline” is too short (政府采购法 §35): \
         the earliest allowed date is 2025-10-09"
    );
}

#[test]
fn deadlines_every_period_is_described() {
    let mut codes: Vec<&str> = Period::ALL.iter().map(|p| p.code()).collect();
    for period in Period::ALL {
        assert!(!period.source().is_empty() && !period.name_zh().is_empty() && !period.name_en().is_empty());
        assert_eq!(serde_json::to_value(period).unwrap(), serde_json::json!(period.code()), "{period:?}");
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), Period::ALL.len());
    assert_eq!(date_zh(d("2025-10-09")), "2025年10月9日");
    // A province can lengthen a period; the rest keep the statute.
    let r: PeriodRules = serde_json::from_str(r#"{"tender_documents_to_bid_deadline": 25}"#).unwrap();
    assert_eq!(r.length(Period::TenderDocumentsToBidDeadline), 25);
    assert_eq!(
        r.earliest(Period::TenderDocumentsToBidDeadline, d("2026-03-02"), &official()).unwrap(),
        on("2026-03-27")
    );
    assert_eq!(r.length(Period::Challenge), 7);
}

/// One test per statutory default: the length, its unit, its kind and its source.
macro_rules! statutory_default {
    ($($test:ident: $period:ident = $n:literal $unit:ident $kind:ident, $source:literal;)*) => {$(
        #[test]
        fn $test() {
            let period = Period::$period;
            assert_eq!(PeriodRules::default().length(period), $n);
            assert_eq!((period.unit(), period.kind()), (Unit::$unit, Kind::$kind));
            assert!(period.source().contains($source), "{}", period.source());
        }
    )*};
}

statutory_default! {
    deadlines_default_purchase_intention_30_days: PurchaseIntention = 30 Days Minimum, "财库〔2020〕10号";
    deadlines_default_bid_deadline_20_days: TenderDocumentsToBidDeadline = 20 Days Minimum, "政府采购法 §35";
    deadlines_default_tender_announcement_5_working_days: TenderAnnouncement = 5 WorkingDays Minimum, "87号 §16";
    deadlines_default_documents_available_5_working_days: TenderDocumentsAvailable = 5 WorkingDays Minimum, "87号 §18";
    deadlines_default_clarification_15_days: Clarification = 15 Days Minimum, "87号 §27";
    deadlines_default_consultation_clarification_5_days: ConsultationClarification = 5 Days Minimum, "214号 第十条";
    deadlines_default_negotiation_clarification_3_working_days: NegotiationClarification = 3 WorkingDays Minimum, "74号 §29";
    deadlines_default_consultation_10_days: ConsultationDocumentsToResponse = 10 Days Minimum, "214号";
    deadlines_default_negotiation_3_working_days: NegotiationDocumentsToResponse = 3 WorkingDays Minimum, "74号";
    deadlines_default_evaluation_report_2_working_days: EvaluationReport = 2 WorkingDays Maximum, "条例 §43";
    deadlines_default_winner_5_working_days: WinnerConfirmation = 5 WorkingDays Maximum, "条例 §43";
    deadlines_default_award_notice_2_working_days: AwardNotice = 2 WorkingDays Maximum, "条例 §43";
    deadlines_default_result_announcement_1_working_day: ResultAnnouncement = 1 WorkingDays Minimum, "87号 §69";
    deadlines_default_contract_signing_30_days: ContractSigning = 30 Days Maximum, "政府采购法 §46";
    deadlines_default_contract_publication_2_working_days: ContractPublication = 2 WorkingDays Maximum, "条例 §50";
    deadlines_default_challenge_7_working_days: Challenge = 7 WorkingDays Maximum, "政府采购法 §52";
    deadlines_default_challenge_reply_7_working_days: ChallengeReply = 7 WorkingDays Maximum, "§53";
    deadlines_default_complaint_15_working_days: Complaint = 15 WorkingDays Maximum, "§55";
    deadlines_default_complaint_decision_30_working_days: ComplaintDecision = 30 WorkingDays Maximum, "条例 §58";
    deadlines_default_suspension_30_days: Suspension = 30 Days Maximum, "§57";
    deadlines_default_single_source_notice_5_working_days: SingleSourceNotice = 5 WorkingDays Minimum, "条例 §38";
}
