//! Monitoring during service: each indicator's progress against its share of the term, the reports that fall
//! behind, and the purchaser's visits that answer them — on hand-worked figures.

use super::*;
use crate::project::{VisitInput, VisitKind};

fn report_of(children: &str) -> ReportInput {
    ReportInput {
        outputs: vec![OutputActual { indicator: "服务儿童人数".into(), actual: children.into() }],
        ..report()
    }
}

fn visit(on: NaiveDate) -> VisitInput {
    VisitInput {
        on, kind: VisitKind::OnSite, findings: "查看活动记录，约谈项目负责人，督促加快入户探访".into()
    }
}

#[test]
fn progress_is_the_latest_figure_against_the_share_of_the_term_elapsed() {
    let r = rules();
    assert_eq!(r.behind_target_tolerance_bp, 2000);
    let mut p = contracted();
    assert!(p.progress(2000)[0].reported.is_none(), "nothing reported yet");
    // The term runs 1 April 2026 – 31 March 2027 (365 days). Filed on 30 September, 183 days in: 50.13 % elapsed,
    // so 200 × 5013 / 10000 = 100.26 children expected; behind means below 80 % of that, 80.21: 81 is not.
    p.file_report(&provider_user(), 0, report_of("81"), &r, on(2026, 9, 30)).unwrap();
    let progress = &p.progress(r.behind_target_tolerance_bp)[0];
    assert_eq!(progress.expected, Some(Quantity::from_hundredths(10_026)));
    assert_eq!(progress.reported, Some(Quantity::from_hundredths(8_100)));
    assert!(!progress.behind && !p.behind_unvisited());
    // 80 children is more than 20 % short: behind, kept with the report, and on the purchaser's queue once the
    // report is decided.
    let mut q = contracted();
    let change = q.file_report(&provider_user(), 0, report_of("80"), &r, on(2026, 9, 30)).unwrap();
    assert_eq!(change.detail["behind"], serde_json::json!(["服务儿童人数"]));
    assert!(q.progress(r.behind_target_tolerance_bp)[0].behind && q.behind_unvisited());
    assert_eq!(waiting_on(&purchaser(), &q), Some("decide_milestone"), "the report's decision comes first");
    q.decide_milestone(&purchaser(), 0, true, "", &r, on(2026, 9, 30)).unwrap();
    assert_eq!(waiting_on(&purchaser(), &q), Some("monitor_progress"));
    // A tolerance of 25 % would let 80 pass: configurable.
    assert!(!q.progress(2500)[0].behind);
}

#[test]
fn a_visit_answers_a_report_behind_its_targets() {
    let r = rules();
    let mut p = contracted();
    p.file_report(&provider_user(), 0, report_of("10"), &r, on(2026, 9, 1)).unwrap();
    p.decide_milestone(&purchaser(), 0, true, "", &r, on(2026, 9, 30)).unwrap();
    assert_eq!(waiting_on(&purchaser(), &p), Some("monitor_progress"));
    // Only the purchaser, within the term and not in the future, with findings.
    let now = on(2026, 10, 8);
    assert_eq!(p.record_visit(&provider_user(), visit(d(2026, 10, 8)), now).unwrap_err().code(), ErrorCode::Forbidden);
    assert_eq!(p.record_visit(&purchaser(), visit(d(2026, 10, 9)), now).unwrap_err().code(), ErrorCode::OutOfRange);
    assert_eq!(p.record_visit(&purchaser(), visit(d(2026, 3, 31)), now).unwrap_err().code(), ErrorCode::OutOfRange);
    let blank = VisitInput { findings: " ".into(), ..visit(d(2026, 10, 8)) };
    assert_eq!(p.record_visit(&purchaser(), blank, now).unwrap_err().code(), ErrorCode::Required);
    let change = p.record_visit(&purchaser(), visit(d(2026, 10, 8)), now).unwrap();
    assert_eq!(change.action, crate::audit::Action::ProjectMonitoringVisit);
    assert_eq!(p.visits.len(), 1);
    assert_eq!(waiting_on(&purchaser(), &p), None, "visited since the report");
    // The next report behind asks again.
    p.file_report(&provider_user(), 1, report_of("20"), &r, on(2027, 3, 1)).unwrap();
    assert!(p.behind_unvisited());
}

#[test]
fn an_at_most_target_is_behind_above_it() {
    let r = rules();
    let mut p = awarded();
    p.design.targets[0] = PerformanceTarget {
        indicator: "平均响应天数".into(),
        dimension: crate::evaluation::Dimension::Timeliness,
        target: "2".into(),
        unit: "天".into(),
        rule: crate::evaluation::ScoringRule::AtMost,
        ..p.design.targets[0].clone()
    };
    p.sign_contract(&purchaser(), contract_input(), None, &r, d(2026, 3, 6), t(6)).unwrap();
    let input = |days: &str| ReportInput {
        outputs: vec![OutputActual { indicator: "平均响应天数".into(), actual: days.into() }],
        ..report()
    };
    // 2.4 days is 20 % above 2: not yet behind; 2.41 is.
    p.file_report(&provider_user(), 0, input("2.4"), &r, on(2026, 9, 1)).unwrap();
    assert!(!p.progress(2000)[0].behind);
    let mut q = p.clone();
    q.decide_milestone(&purchaser(), 0, false, "数据缺少来源", &r, on(2026, 9, 2)).unwrap();
    q.file_report(&provider_user(), 0, input("2.41"), &r, on(2026, 9, 3)).unwrap();
    assert!(q.progress(2000)[0].behind);
}

#[test]
fn late_and_rejected_reports_count_on_the_provider_record() {
    let r = rules();
    let mut p = contracted();
    assert_eq!(p.report_record(), ReportRecord::default());
    // The first milestone falls due on 30 September: a report on the day is on time, and its rejection counts.
    p.file_report(&provider_user(), 0, report(), &r, on(2026, 9, 30)).unwrap();
    p.decide_milestone(&purchaser(), 0, false, "缺少活动签到表", &r, on(2026, 10, 8)).unwrap();
    // Its second report comes after the due day, but only a milestone's first report is late or not.
    p.file_report(&provider_user(), 0, report(), &r, on(2026, 10, 12)).unwrap();
    p.decide_milestone(&purchaser(), 0, true, "", &r, on(2026, 10, 15)).unwrap();
    assert_eq!(p.report_record(), ReportRecord { late: 0, rejected: 1 });
    // The final milestone (due 31 March 2027) reported on 1 April: late.
    p.file_report(&provider_user(), 1, report(), &r, on(2027, 4, 1)).unwrap();
    assert_eq!(p.report_record(), ReportRecord { late: 1, rejected: 1 });
    assert_eq!(p.facts().reports, ReportRecord { late: 1, rejected: 1 }, "kept as the project's list columns");
}
