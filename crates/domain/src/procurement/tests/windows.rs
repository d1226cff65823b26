//! Item: windows counted from the right day (政府采购法 §52/§55, 实施条例 §53, 财政部令第94号 §10/§17), the
//! evaluation report's duty from the end of the evaluation (实施条例 §43), suspensions of at most 30 days in
//! all (政府采购法 §57). Worked by hand on the 2025 calendar (National Day 1–8 Oct off; Sun 28 Sep and Sat 11
//! Oct worked).

use super::*;
use crate::error::ErrorCode;

fn challenge(p: &mut Procurement, org: i64, about: ChallengeAbout, now: DateTime<Utc>) -> Result<Change, DomainError> {
    p.challenge(
        &bidder(org),
        &format!("机构{org}"),
        about,
        "采购文件的资格条件排斥潜在供应商",
        &cal(),
        &Rules::default(),
        now,
    )
}

fn published_tender() -> Procurement {
    let mut p = start(Method::OpenTender, comprehensive(), 500_000, at(2025, 8, 1, 9));
    // Published Friday 12 Sep 2025; the documents are available for 5 working days, to Friday 19 Sep.
    p.publish(&buyer(), at(2025, 10, 9, 9), &cal(), &Rules::default(), at(2025, 9, 12, 9)).unwrap();
    p
}

#[test]
fn a_challenge_to_the_documents_runs_from_the_end_of_their_publication_period() {
    // 7 working days after 19 Sep: 22–26 Sep, Sun 28 and Mon 29 Sep. (Counted from the publication, the
    // window would have closed on 23 Sep.)
    let mut p = published_tender();
    p.register_interest(&bidder(50), &info(50), at(2025, 9, 12, 10)).unwrap();
    challenge(&mut p.clone(), 50, ChallengeAbout::Documents, at(2025, 9, 29, 9)).unwrap();
    assert_eq!(
        challenge(&mut p, 50, ChallengeAbout::Documents, at(2025, 9, 30, 9)).unwrap_err().code(),
        ErrorCode::ChallengeLate
    );
}

#[test]
fn a_challenge_to_the_documents_runs_from_their_receipt_when_that_is_later() {
    // Provider 51 obtains the documents on 30 Sep: 7 working days run to 16 Oct (9, 10, 11, 13–16 Oct).
    let mut p = published_tender();
    p.register_interest(&bidder(51), &info(51), at(2025, 9, 30, 10)).unwrap();
    challenge(&mut p.clone(), 51, ChallengeAbout::Documents, at(2025, 10, 16, 9)).unwrap();
    assert_eq!(
        challenge(&mut p, 51, ChallengeAbout::Documents, at(2025, 10, 17, 9)).unwrap_err().code(),
        ErrorCode::ChallengeLate
    );
}

fn awarded_on_30_september() -> Procurement {
    let rules = Rules::default();
    let mut p = tender_at_evaluation([400_000, 380_000, 420_000]);
    score_all(&mut p, &|_| {
        [
            (1, "plan", "90"),
            (1, "team", "80"),
            (2, "plan", "80"),
            (2, "team", "80"),
            (3, "plan", "95"),
            (3, "team", "90"),
        ]
    });
    let first = expert_user(p.committee.as_ref().unwrap().members[0].user_id);
    p.finish_evaluation(&first, &rules, at(2025, 9, 30, 15)).unwrap();
    p.confirm_winner(&buyer(), 3, "", &rules, at(2025, 9, 30, 16)).unwrap();
    p
}

#[test]
fn a_challenge_to_the_result_runs_from_the_end_of_the_result_notice() {
    // The result notice of 30 Sep runs 1 working day, to 9 Oct; 7 working days after that end on 17 Oct.
    let mut p = awarded_on_30_september();
    challenge(&mut p.clone(), 50, ChallengeAbout::Result, at(2025, 10, 17, 9)).unwrap();
    assert_eq!(
        challenge(&mut p, 50, ChallengeAbout::Result, at(2025, 10, 20, 9)).unwrap_err().code(),
        ErrorCode::ChallengeLate
    );
}

#[test]
fn a_complaint_runs_from_the_end_of_the_reply_period_not_from_the_reply() {
    let (c, rules) = (cal(), Rules::default());
    let mut p = awarded_on_30_september();
    challenge(&mut p, 50, ChallengeAbout::Result, at(2025, 10, 16, 9)).unwrap();
    // Replied at once, on 17 Oct; the reply period (7 working days from 16 Oct) ends on 27 Oct, and the 15
    // working days for the complaint run from there to 17 Nov. From the reply they would end on 7 Nov.
    p.reply(&buyer(), 1, "经复核评分无误，质疑不成立", false, at(2025, 10, 17, 9)).unwrap();
    assert_eq!(Procurement::complaint_due(&p.challenges[0], &rules, &c).unwrap().date, day(2025, 11, 17));
    let late = p.clone().complain(&bidder(50), 1, "对质疑答复不满意，请求复核", &c, &rules, at(2025, 11, 18, 9));
    assert_eq!(late.unwrap_err().code(), ErrorCode::ComplaintLate);
    p.complain(&bidder(50), 1, "对质疑答复不满意，请求复核", &c, &rules, at(2025, 11, 14, 9)).unwrap();
}

#[test]
fn the_evaluation_report_is_due_two_working_days_after_the_evaluation_ends() {
    let (c, rules) = (cal(), Rules::default());
    // Opened 9 Oct 2025. The committee meets only on 20 Oct: nothing is overdue meanwhile.
    let mut p = tender_at_evaluation([400_000, 380_000, 420_000]);
    assert!(
        p.duties(&rules, &c, day(2025, 10, 15)).iter().all(|d| !d.overdue),
        "{:?}",
        p.duties(&rules, &c, day(2025, 10, 15))
    );
    let members: Vec<i64> = p.committee.as_ref().unwrap().members.iter().map(|m| m.user_id).collect();
    let t = at(2025, 10, 20, 10);
    for m in &members {
        p.declare(&expert_user(*m), true, t).unwrap();
    }
    for bid in 1..=3 {
        p.review_compliance(&expert_user(members[0]), bid, true, "", t).unwrap();
    }
    for m in &members {
        let marks = (1..=3)
            .flat_map(|b| [(b, "plan".to_string(), "80".to_string()), (b, "team".to_string(), "80".to_string())])
            .collect();
        p.mark(&expert_user(*m), marks, t).unwrap();
    }
    // Every review and mark is in on 20 Oct: the report is due 2 working days later, on 22 Oct.
    let duties = p.duties(&rules, &c, day(2025, 10, 21));
    let report = duties.iter().find(|d| d.code == "finish_evaluation").expect("the report duty");
    assert_eq!((report.due, report.overdue), (day(2025, 10, 22), false));
    assert!(p.duties(&rules, &c, day(2025, 10, 23)).iter().any(|d| d.code == "finish_evaluation" && d.overdue));
}

#[test]
fn suspensions_last_at_most_thirty_days_in_all() {
    let (c, rules) = (cal(), Rules::default());
    let mut p = awarded_on_30_september();
    challenge(&mut p, 50, ChallengeAbout::Result, at(2025, 10, 16, 9)).unwrap();
    p.complain(&bidder(50), 1, "采购人逾期未答复质疑，请求复核评分", &c, &rules, at(2025, 11, 17, 9)).unwrap();
    // 10 days first, then 20 more: 30 in all. A 21st day more is refused.
    p.suspend(&finance(), 1, day(2025, 11, 27), &rules, at(2025, 11, 17, 9)).unwrap();
    let too_long = p.clone().suspend(&finance(), 1, day(2025, 12, 19), &rules, at(2025, 11, 28, 9)).unwrap_err();
    assert_eq!(codes(too_long), ["suspension_too_long"]);
    p.suspend(&finance(), 1, day(2025, 12, 18), &rules, at(2025, 11, 28, 9)).unwrap();
    assert!(p.suspended_on(day(2025, 12, 18)).is_some());
    let more = p.suspend(&finance(), 1, day(2025, 12, 20), &rules, at(2025, 12, 19, 9)).unwrap_err();
    assert_eq!(codes(more), ["suspension_too_long"]);
}
