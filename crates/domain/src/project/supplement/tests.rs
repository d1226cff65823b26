use super::*;
use crate::budget::FundSource;
use crate::error::ErrorCode;
use crate::org::ProviderInfo;
use chrono::TimeZone;

const PURCHASER_ORG: i64 = 10;

use crate::org::test_actor as actor;
fn purchaser() -> Actor {
    actor(100, PURCHASER_ORG, OrgKind::Education, &[Role::Purchaser])
}
fn finance() -> Actor {
    actor(300, 2, OrgKind::Finance, &[Role::Reviewer])
}
fn provider() -> Actor {
    actor(400, 50, OrgKind::SocialOrganisation, &[Role::Provider])
}
fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
/// 09:00 China time.
fn on(y: i32, m: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, 1, 0, 0).unwrap()
}
fn line(budget_id: i64, yuan: i64) -> FundingLine {
    FundingLine { budget_id, year: 2026, source: FundSource::GeneralBudget, amount: Money::from_yuan(yuan) }
}

/// A running contract of 80,000 from 1 April 2026 to 31 March 2027, paid from budget line 1.
fn running() -> Project {
    let milestone = |name: &str, share_bp, yuan, due| Milestone {
        name: name.into(),
        share_bp,
        amount: Money::from_yuan(yuan),
        due,
        status: MilestoneStatus::Pending,
        reports: vec![],
        decisions: vec![],
        supplement: None,
        withheld: Money::ZERO,
    };
    let provider = ProviderInfo {
        org_id: 50,
        name: "阳光社工".into(),
        kind: OrgKind::SocialOrganisation,
        active: true,
        class_one: false,
        barred_until: None,
    };
    Project {
        id: 7,
        code: "SZ-2026-00007".into(),
        version: 9,
        status: Status::Acceptance,
        purchaser_org_id: PURCHASER_ORG,
        purchaser_name: "教育局".into(),
        designer_id: 100,
        design: Design {
            title: "留守儿童关爱".into(),
            category: "A0201".into(),
            regions: vec!["420506001".into()],
            target_groups: vec![TargetGroup::LeftBehindChildren],
            mode: PurchaseMode::Project,
            content: "陪伴".into(),
            standards: "每月探访".into(),
            period_start: d(2026, 4, 1),
            period_end: d(2027, 3, 31),
            continuing: false,
            targets: vec![],
            posts: vec![],
        },
        cost_lines: vec![],
        funding: vec![line(1, 82_000)],
        reviews: vec![],
        content_review_skipped: None,
        award: None,
        contract: Some(Contract {
            purchaser_org_id: PURCHASER_ORG,
            provider,
            amount: Money::from_yuan(80_000),
            start: d(2026, 4, 1),
            end: d(2027, 3, 31),
            signed_on: d(2026, 3, 6),
            milestones: vec![
                milestone("中期", 5000, 40_000, d(2026, 9, 30)),
                milestone("终期", 5000, 40_000, d(2027, 3, 31)),
            ],
            termination: None,
            posts: vec![],
            supplements: vec![],
            final_payment_by_grade: false,
        }),
        cancellation: None,
        evaluation: None,
        visits: vec![],
        created_at: on(2026, 3, 1),
        updated_at: on(2026, 3, 6),
    }
}

fn input(yuan: i64, lines: Vec<FundingLine>) -> SupplementInput {
    SupplementInput {
        amount: Money::from_yuan(yuan),
        reason: "服务对象增加 20 名".into(),
        milestone_name: "补充服务验收".into(),
        due: d(2027, 3, 31),
        funding: lines,
    }
}

fn moves(c: &Change) -> Vec<(i64, Movement, i64)> {
    c.ledger.iter().map(|e| (e.budget_id, e.movement, e.amount.fen() / 100)).collect()
}

fn codes(e: DomainError) -> Vec<ErrorCode> {
    e.fields().iter().map(|f| f.code).collect()
}

#[test]
fn supplements_together_add_at_most_ten_percent() {
    let r = Rules::default();
    let mut p = running();
    let e = p.propose_supplement(&purchaser(), input(8_001, vec![line(2, 8_001)]), &r, on(2026, 5, 1)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SupplementAboveLimit);
    assert!(e.message_zh().contains("8,000.00"), "{}", e.message_zh());
    p.propose_supplement(&purchaser(), input(5_000, vec![line(2, 5_000)]), &r, on(2026, 5, 1)).unwrap();
    let e = p.propose_supplement(&purchaser(), input(3_001, vec![line(2, 3_001)]), &r, on(2026, 5, 1)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SupplementAboveLimit, "a proposed one counts");
    // Returned, it no longer does.
    p.review_supplement(&finance(), 1, false, "请补充依据", on(2026, 5, 2)).unwrap();
    p.propose_supplement(&purchaser(), input(8_000, vec![line(2, 8_000)]), &r, on(2026, 5, 3)).unwrap();
    let twenty = Rules { supplement_max_bp: 2000, ..Rules::default() };
    assert_eq!(p.contract.as_ref().unwrap().supplement_room(&twenty), Money::from_yuan(8_000), "configurable");
}

#[test]
fn a_supplement_is_proposed_approved_and_signed_like_the_original() {
    let r = Rules::default();
    let mut p = running();
    assert_eq!(
        p.propose_supplement(&provider(), input(5_000, vec![line(2, 5_000)]), &r, on(2026, 5, 1)).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let c = p.propose_supplement(&purchaser(), input(5_000, vec![line(2, 3_000), line(3, 2_000)]), &r, on(2026, 5, 1));
    let c = c.unwrap();
    assert_eq!((c.action.code(), c.ledger.len()), ("project.supplement_propose", 0), "proposing moves no money");
    assert_eq!(waiting_on(&finance(), &p), Some("review_supplement"));
    assert_eq!(crate::project::waiting::kept(&p), Some(crate::project::Waiting::of(&p)));
    assert_eq!(
        p.review_supplement(&purchaser(), 1, true, "", on(2026, 5, 2)).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let own_finance = actor(301, PURCHASER_ORG, OrgKind::Finance, &[Role::Reviewer]);
    assert_eq!(
        p.review_supplement(&own_finance, 1, true, "", on(2026, 5, 2)).unwrap_err().code(),
        ErrorCode::SeparationOfDuties
    );
    assert_eq!(
        p.review_supplement(&finance(), 1, false, " ", on(2026, 5, 2)).unwrap_err().code(),
        ErrorCode::CommentRequired
    );
    assert_eq!(
        p.sign_supplement(&purchaser(), 1, d(2026, 5, 2), d(2026, 5, 2), on(2026, 5, 2)).unwrap_err().code(),
        ErrorCode::WrongStep
    );
    let c = p.review_supplement(&finance(), 1, true, "同意", on(2026, 5, 2)).unwrap();
    assert_eq!(moves(&c), [(2, Movement::Reserve, 3_000), (3, Movement::Reserve, 2_000)]);
    assert_eq!(waiting_on(&purchaser(), &p), Some("sign_supplement"));
    assert_eq!(crate::project::waiting::kept(&p), Some(crate::project::Waiting::of(&p)));
    assert_eq!(p.review_supplement(&finance(), 1, true, "", on(2026, 5, 2)).unwrap_err().code(), ErrorCode::WrongStep);
    assert_eq!(
        p.sign_supplement(&finance(), 1, d(2026, 5, 2), d(2026, 5, 2), on(2026, 5, 2)).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let early = p.sign_supplement(&purchaser(), 1, d(2026, 5, 1), d(2026, 5, 3), on(2026, 5, 3)).unwrap_err();
    assert_eq!(early.code(), ErrorCode::SignedOnOutOfRange, "not before finance agreed");
    let future = p.sign_supplement(&purchaser(), 1, d(2026, 5, 4), d(2026, 5, 3), on(2026, 5, 3)).unwrap_err();
    assert_eq!(future.code(), ErrorCode::SignedOnOutOfRange);
    assert_eq!(p.contract.as_ref().unwrap().total(), Money::from_yuan(80_000), "not until signed");
    let c = p.sign_supplement(&purchaser(), 1, d(2026, 5, 3), d(2026, 5, 3), on(2026, 5, 3)).unwrap();
    assert_eq!(moves(&c), [(2, Movement::Commit, 3_000), (3, Movement::Commit, 2_000)]);
    let contract = p.contract.as_ref().unwrap();
    assert_eq!((contract.amount, contract.total()), (Money::from_yuan(80_000), Money::from_yuan(85_000)));
    let added = contract.milestones.last().unwrap();
    assert_eq!((added.amount, added.supplement, added.due), (Money::from_yuan(5_000), Some(1), d(2027, 3, 31)));
    assert_eq!(p.committed_by_line(), [Money::from_yuan(80_000)], "the original lines are untouched");
}

#[test]
fn a_proposal_is_checked_field_by_field() {
    let r = Rules::default();
    let mut p = running();
    let mut bad = input(5_000, vec![line(2, 4_000)]);
    bad.reason = " ".into();
    bad.milestone_name = String::new();
    bad.due = d(2026, 9, 29);
    let e = p.propose_supplement(&purchaser(), bad, &r, on(2026, 5, 1)).unwrap_err();
    assert_eq!(
        codes(e),
        [ErrorCode::Required, ErrorCode::Required, ErrorCode::DueOutsideTerm, ErrorCode::FundingNotTotal]
    );
    let mut old = input(5_000, vec![line(2, 5_000)]);
    old.funding[0].year = 2025;
    let e = p.propose_supplement(&purchaser(), old, &r, on(2026, 5, 1)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::FundingYearOutsideService);
    let mut late = input(5_000, vec![line(2, 5_000)]);
    late.due = d(2027, 4, 1);
    assert_eq!(
        p.propose_supplement(&purchaser(), late, &r, on(2026, 5, 1)).unwrap_err().code(),
        ErrorCode::DueOutsideTerm
    );
    p.status = Status::Completed;
    let e = p.propose_supplement(&purchaser(), input(5_000, vec![line(2, 5_000)]), &r, on(2026, 5, 1)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::WrongStep);
}

#[test]
fn the_supplement_milestone_pays_from_its_own_lines_and_completes_the_project() {
    let r = Rules::default();
    let mut p = running();
    p.propose_supplement(&purchaser(), input(7_000, vec![line(2, 7_000)]), &r, on(2026, 5, 1)).unwrap();
    p.review_supplement(&finance(), 1, true, "", on(2026, 5, 2)).unwrap();
    p.sign_supplement(&purchaser(), 1, d(2026, 5, 2), d(2026, 5, 2), on(2026, 5, 2)).unwrap();
    // A second one, approved but not signed when the contract completes, lapses.
    p.propose_supplement(&purchaser(), input(1_000, vec![line(3, 1_000)]), &r, on(2026, 5, 3)).unwrap();
    p.review_supplement(&finance(), 2, true, "", on(2026, 5, 4)).unwrap();
    let report = ReportInput {
        beneficiaries: 1,
        hours: Quantity::default(),
        outputs: vec![],
        summary: "完成".into(),
        files: vec![],
    };
    for (i, day) in [(0, on(2026, 9, 30)), (1, on(2027, 3, 31))] {
        p.file_report(&provider(), i, report.clone(), &Rules::default(), day).unwrap();
        let c = p.decide_milestone(&purchaser(), i, true, "", &r, day).unwrap();
        assert!(
            c.ledger.iter().all(|e| e.budget_id == 1 && e.movement == Movement::Pay),
            "the original pays from its lines"
        );
    }
    assert_eq!(p.status, Status::Acceptance, "the supplement's milestone is still to come");
    p.file_report(&provider(), 2, report, &Rules::default(), on(2027, 3, 31)).unwrap();
    let c = p.decide_milestone(&purchaser(), 2, true, "", &r, on(2027, 3, 31)).unwrap();
    assert_eq!(moves(&c), [(2, Movement::Pay, 7_000), (3, Movement::Release, 1_000)]);
    assert_eq!(p.status, Status::Completed);
    assert_eq!(p.contract.as_ref().unwrap().supplements[1].status, SupplementStatus::Lapsed);
    assert_eq!(p.paid_by_line(), p.committed_by_line());
}

#[test]
fn terminating_gives_back_what_supplements_hold() {
    let r = Rules::default();
    let mut p = running();
    p.propose_supplement(&purchaser(), input(6_000, vec![line(2, 6_000)]), &r, on(2026, 5, 1)).unwrap();
    p.review_supplement(&finance(), 1, true, "", on(2026, 5, 2)).unwrap();
    p.sign_supplement(&purchaser(), 1, d(2026, 5, 2), d(2026, 5, 2), on(2026, 5, 2)).unwrap();
    p.propose_supplement(&purchaser(), input(2_000, vec![line(3, 2_000)]), &r, on(2026, 5, 3)).unwrap();
    p.review_supplement(&finance(), 2, true, "", on(2026, 5, 4)).unwrap();
    let c = p.terminate(&purchaser(), "承接主体严重违约", on(2026, 6, 1)).unwrap();
    assert_eq!(
        moves(&c),
        [(1, Movement::Uncommit, 80_000), (2, Movement::Uncommit, 6_000), (3, Movement::Release, 2_000)]
    );
    assert_eq!(p.contract.as_ref().unwrap().supplements[1].status, SupplementStatus::Lapsed);
}
