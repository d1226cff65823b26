//! A project's evaluation: who commissions whom, each party's part, the weighted result, who reads what, and
//! the final payment tied to the grade — on hand-worked figures.

use super::*;
use crate::evaluation::{Candidate, Grade, IndicatorScore, PartInput, Party, Points, Tie, TieKind};
use crate::visibility::{project_access, project_for, ProjectAccess};

const EVALUATOR_ORG: i64 = 60;

fn evaluator_user() -> Actor {
    actor(600, EVALUATOR_ORG, OrgKind::ThirdPartyEvaluator, &[Role::Evaluator])
}

fn candidate() -> Candidate {
    Candidate {
        org_id: EVALUATOR_ORG,
        org_name: "宜昌市社会工作评估中心".into(),
        is_evaluator: true,
        ties: vec![],
        recent_evaluators: vec![],
    }
}

fn tie(until: Option<NaiveDate>) -> Tie {
    Tie {
        id: 1,
        evaluator_org_id: EVALUATOR_ORG,
        provider_org_id: PROVIDER_ORG,
        kind: TieKind::Incubation,
        since: d(2019, 1, 1),
        until,
        note: String::new(),
    }
}

/// A part finding `children` served of the target's 200.
fn part(children: &str) -> PartInput {
    PartInput {
        scores: vec![IndicatorScore {
            indicator: "服务儿童人数".into(),
            achieved: Quantity::parse(children).unwrap(),
            evidence: "服务台账与回访记录".into(),
        }],
        comment: "服务基本达到合同要求".into(),
    }
}

fn started(p: &mut Project) {
    p.start_evaluation(&purchaser(), &candidate(), &rules(), on(2027, 3, 1)).unwrap();
}

#[test]
fn only_the_purchaser_commissions_an_evaluator_once_the_service_runs() {
    let r = rules();
    let now = on(2027, 3, 1);
    let mut early = awarded();
    assert_eq!(early.start_evaluation(&purchaser(), &candidate(), &r, now).unwrap_err().code(), ErrorCode::WrongStep);
    let mut p = contracted();
    for who in [provider_user(), evaluator_user(), civil_reviewer()] {
        assert_eq!(p.start_evaluation(&who, &candidate(), &r, now).unwrap_err().code(), ErrorCode::Forbidden);
    }
    let not_one = Candidate { is_evaluator: false, ..candidate() };
    assert_eq!(p.start_evaluation(&purchaser(), &not_one, &r, now).unwrap_err().code(), ErrorCode::NotAnEvaluator);
    assert!(p.evaluation.is_none(), "a refusal leaves the project as it was");
    let change = p.start_evaluation(&purchaser(), &candidate(), &r, now).unwrap();
    assert_eq!(change.action, crate::audit::Action::ProjectEvaluationStart);
    assert_eq!(
        p.start_evaluation(&purchaser(), &candidate(), &r, now).unwrap_err().code(),
        ErrorCode::EvaluationExists
    );
}

#[test]
fn a_tie_within_three_years_or_a_second_turn_in_a_row_is_a_conflict() {
    let r = rules();
    let today = d(2027, 3, 1);
    let check = |c: &Candidate, rules: &crate::evaluation::EvaluationRules| {
        crate::evaluation::conflict(c, today, rules).map_err(|e| e.code())
    };
    let e = &r.evaluation;
    assert_eq!(e.conflict_years, 3);
    assert_eq!(e.consecutive_limit, 1);
    // Still running, or ended within three years (the day itself included): a conflict.
    for until in [None, Some(d(2026, 6, 30)), Some(d(2024, 3, 1))] {
        let c = Candidate { ties: vec![tie(until)], ..candidate() };
        assert_eq!(check(&c, e), Err(ErrorCode::EvaluatorConflict), "{until:?}");
    }
    // Ended a day more than three years ago: free.
    let c = Candidate { ties: vec![tie(Some(d(2024, 2, 29)))], ..candidate() };
    assert_eq!(check(&c, e), Ok(()));
    let five = crate::evaluation::EvaluationRules { conflict_years: 5, ..e.clone() };
    assert_eq!(check(&c, &five), Err(ErrorCode::EvaluatorConflict), "the look-back is configurable");
    // The provider's last evaluation was this evaluator's: not twice in a row; another in between is fine.
    let last = Candidate { recent_evaluators: vec![EVALUATOR_ORG, 61], ..candidate() };
    assert_eq!(check(&last, e), Err(ErrorCode::EvaluatorConflict));
    let between = Candidate { recent_evaluators: vec![61, EVALUATOR_ORG], ..candidate() };
    assert_eq!(check(&between, e), Ok(()));
    let twice = crate::evaluation::EvaluationRules { consecutive_limit: 2, ..e.clone() };
    assert_eq!(check(&last, &twice), Ok(()));
    let two_in_a_row = Candidate { recent_evaluators: vec![EVALUATOR_ORG, EVALUATOR_ORG], ..candidate() };
    assert_eq!(check(&two_in_a_row, &twice), Err(ErrorCode::EvaluatorConflict));
}

#[test]
fn three_parties_score_and_the_last_fixes_the_weighted_grade() {
    let r = rules();
    let mut p = contracted();
    started(&mut p);
    let evaluator = evaluator_user();
    assert!(can_view(&evaluator, &p), "the commissioned evaluator sees the project");
    assert_eq!(project_access(&evaluator, &p), Some(ProjectAccess::Evaluator));
    let other = actor(601, 61, OrgKind::ThirdPartyEvaluator, &[Role::Evaluator]);
    assert!(!can_view(&other, &p), "another evaluator does not");
    assert_eq!(waiting_on(&evaluator, &p), Some("evaluate"));
    assert_eq!(waiting_on(&purchaser(), &p), Some("evaluate"));
    // The provider's report comes first while its milestone waits for it.
    assert_eq!(waiting_on(&provider_user(), &p), Some("file_report"));
    let now = on(2027, 3, 2);
    // Bad parts, every problem at once.
    let bad = PartInput {
        scores: vec![
            IndicatorScore {
                indicator: "不存在的指标".into(),
                achieved: Quantity::parse("1").unwrap(),
                evidence: "x".into(),
            },
            IndicatorScore {
                indicator: "服务儿童人数".into(),
                achieved: Quantity::from_hundredths(-100),
                evidence: " ".into(),
            },
        ],
        comment: String::new(),
    };
    let fields: Vec<(String, ErrorCode)> = p
        .submit_evaluation(&provider_user(), bad, &r, now)
        .unwrap_err()
        .fields()
        .iter()
        .map(|f| (f.field.clone(), f.code))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("scores[0].indicator".into(), ErrorCode::UnknownIndicator),
            ("scores[1].achieved".into(), ErrorCode::InvalidTargetValue),
            ("scores[1].evidence".into(), ErrorCode::Required),
            ("comment".into(), ErrorCode::Required),
        ]
    );
    assert_eq!(p.submit_evaluation(&other, part("1"), &r, now).unwrap_err().code(), ErrorCode::Forbidden);
    // 200 of 200: 100 points; 180: 90; 150: 75.
    p.submit_evaluation(&provider_user(), part("200"), &r, now).unwrap();
    assert_eq!(
        p.submit_evaluation(&provider_user(), part("200"), &r, now).unwrap_err().code(),
        ErrorCode::AlreadyEvaluated
    );
    p.submit_evaluation(&purchaser(), part("180"), &r, now).unwrap();
    // Before the result the evaluator reads its own part only, the purchaser every part.
    let seen = project_for(ProjectAccess::Evaluator, p.clone());
    assert!(seen.evaluation.as_ref().unwrap().parts.is_empty());
    assert_eq!(project_for(ProjectAccess::Full, p.clone()).evaluation.unwrap().parts.len(), 2);
    let change = p.submit_evaluation(&evaluator, part("150"), &r, now).unwrap();
    let e = p.evaluation.as_ref().unwrap();
    let totals: Vec<(Party, Points)> = e.parts.iter().map(|x| (x.party, x.scorecard.total)).collect();
    assert_eq!(
        totals,
        vec![
            (Party::SelfEvaluation, Points(10_000)),
            (Party::Purchaser, Points(9_000)),
            (Party::ThirdParty, Points(7_500))
        ]
    );
    // 10 % × 100 + 30 % × 90 + 60 % × 75 = 10 + 27 + 45 = 82.00: 良.
    let result = e.result.as_ref().unwrap();
    assert_eq!((result.total, result.grade), (Points(8_200), Grade::Good));
    assert_eq!(change.detail["result"]["grade"], "good");
    assert_eq!(p.grade(), Some(Grade::Good));
    assert_eq!(waiting_on(&evaluator, &p), None, "nothing left to do");
    // After the result each party reads all three; the public the totals and the third party's lines.
    assert_eq!(project_for(ProjectAccess::Provider, p.clone()).evaluation.unwrap().parts.len(), 3);
    let public = p.public().evaluation.unwrap();
    assert_eq!((public.total, public.grade, public.lines.len()), (Points(8_200), Grade::Good, 1));
    let text = serde_json::to_string(&p.public()).unwrap();
    assert!(!text.contains("服务台账") && !text.contains("服务基本达到"), "no evidence or opinion is public");
    let notices = crate::notice::for_project(change.action, &p, now);
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind, crate::notice::NoticeKind::Evaluation);
    assert!(notices[0].title.ends_with("的绩效评价结果公告"));
    assert!(
        crate::notice::for_project(crate::audit::Action::ProjectEvaluationSubmit, &contracted(), now).is_empty(),
        "no notice before a result"
    );
}

#[test]
fn the_weighted_result_rounds_half_up_and_the_weights_are_configurable() {
    let mut r = rules();
    r.evaluation = crate::evaluation::EvaluationRules {
        self_weight: 0,
        purchaser_weight: 50,
        third_party_weight: 50,
        ..r.evaluation
    };
    let mut p = contracted();
    started(&mut p);
    let now = on(2027, 3, 2);
    // 133 of 200 → 66.50; 1 of 200 → 0.50: (66.50 + 0.50) / 2 = 33.50; the self-evaluation counts nothing.
    p.submit_evaluation(&provider_user(), part("200"), &r, now).unwrap();
    p.submit_evaluation(&purchaser(), part("133"), &r, now).unwrap();
    p.submit_evaluation(&evaluator_user(), part("1"), &r, now).unwrap();
    let result = p.evaluation.as_ref().unwrap().result.clone().unwrap();
    assert_eq!((result.total, result.grade), (Points(3_350), Grade::Poor));
    // 66.67 and 0.50 average 33.585 → 33.59.
    let mut q = contracted();
    started(&mut q);
    q.submit_evaluation(&provider_user(), part("0"), &r, now).unwrap();
    q.submit_evaluation(&purchaser(), part("133.34"), &r, now).unwrap();
    q.submit_evaluation(&evaluator_user(), part("1"), &r, now).unwrap();
    assert_eq!(q.evaluation.unwrap().result.unwrap().total, Points(3_359));
    assert!(crate::evaluation::EvaluationRules { self_weight: 20, ..Default::default() }.check().is_err());
}

#[test]
fn the_final_payment_follows_the_grade_and_the_rest_goes_back() {
    let r = rules();
    let mut p = awarded();
    let input = ContractInput { final_payment_by_grade: true, ..contract_input() };
    p.sign_contract(&purchaser(), input, None, &r, d(2026, 3, 6), t(6)).unwrap();
    assert!(!p.pays_by_grade(0) && p.pays_by_grade(1));
    p.file_report(&provider_user(), 0, report(), &rules(), on(2026, 9, 1)).unwrap();
    p.decide_milestone(&purchaser(), 0, true, "", &r, on(2026, 9, 30)).unwrap();
    p.file_report(&provider_user(), 1, report(), &rules(), on(2027, 3, 1)).unwrap();
    assert_eq!(waiting_on(&purchaser(), &p), Some("start_evaluation"));
    assert_eq!(
        p.decide_milestone(&purchaser(), 1, true, "", &r, on(2027, 3, 31)).unwrap_err().code(),
        ErrorCode::EvaluationNotFinished
    );
    // Rejecting needs no grade.
    let mut rejected = p.clone();
    rejected.decide_milestone(&purchaser(), 1, false, "缺少附件", &r, on(2027, 3, 31)).unwrap();
    started(&mut p);
    let now = on(2027, 3, 20);
    // 10 % × 100 + 30 % × 70 + 60 % × 60 = 10 + 21 + 36 = 67.00: 中, which releases 90 %.
    p.submit_evaluation(&provider_user(), part("200"), &r, now).unwrap();
    p.submit_evaluation(&purchaser(), part("140"), &r, now).unwrap();
    // Waiting for the third party; meanwhile the last report's 130 children are behind its 200 (see monitoring).
    assert_eq!(waiting_on(&purchaser(), &p), Some("monitor_progress"));
    p.submit_evaluation(&evaluator_user(), part("120"), &r, now).unwrap();
    assert_eq!(p.grade(), Some(Grade::Fair));
    assert_eq!(waiting_on(&purchaser(), &p), Some("decide_milestone"));
    let change = p.decide_milestone(&purchaser(), 1, true, "", &r, on(2027, 3, 31)).unwrap();
    // The final milestone is 53,336.00: 90 % is 48,002.40 paid, 5,333.60 withheld and uncommitted.
    let sum = |m: Movement| change.ledger.iter().filter(|e| e.movement == m).map(|e| e.amount.fen()).sum::<i64>();
    assert_eq!((sum(Movement::Pay), sum(Movement::Uncommit)), (4_800_240, 533_360));
    assert_eq!(change.detail["withheld"], "5333.60");
    let last = &p.contract.as_ref().unwrap().milestones[1];
    assert_eq!((last.paid(), last.withheld), (Money::from_fen(4_800_240), Money::from_fen(533_360)));
    assert_eq!(p.status, Status::Completed);
    // Per line, what was paid and what went back make up exactly what was committed.
    let back: Vec<i64> =
        change.ledger.iter().filter(|e| e.movement == Movement::Uncommit).map(|e| e.amount.fen()).collect();
    let paid: Vec<i64> = p.paid_by_line().iter().map(|m| m.fen()).collect();
    let committed: Vec<i64> = p.committed_by_line().iter().map(|m| m.fen()).collect();
    assert_eq!(paid.iter().zip(&back).map(|(a, b)| a + b).collect::<Vec<_>>(), committed);
    assert_eq!(p.public().contract.unwrap().paid, Money::from_fen(2_666_400 + 4_800_240));
    let notice = &crate::notice::for_project(change.action, &p, on(2027, 3, 31))[0];
    assert_eq!(notice.body.value()["withheld"], "5333.60");
}

#[test]
fn a_grade_releases_its_configured_share() {
    let g = crate::evaluation::GradeRules::default();
    let due = Money::from_fen(5_333_600);
    assert_eq!(g.released(Grade::Excellent, due), due);
    assert_eq!(g.released(Grade::Good, due), due);
    assert_eq!(g.released(Grade::Fair, due), Money::from_fen(4_800_240));
    assert_eq!(g.released(Grade::Poor, due), Money::from_fen(3_733_520));
}
