use super::*;
use crate::budget::FundSource;
use crate::error::ErrorCode;
use chrono::TimeZone;

mod evaluation;
mod monitoring;

const PURCHASER_ORG: i64 = 10;
const CIVIL: i64 = 1;
const FINANCE: i64 = 2;
const PROVIDER_ORG: i64 = 50;

fn t(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 2, 0, 0).unwrap()
}
/// 09:00 China time on a day.
fn on(y: i32, m: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, 1, 0, 0).unwrap()
}
fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

use crate::org::test_actor as actor;
fn purchaser() -> Actor {
    actor(100, PURCHASER_ORG, OrgKind::Education, &[Role::Purchaser])
}
fn civil_reviewer() -> Actor {
    actor(200, CIVIL, OrgKind::CivilAffairs, &[Role::Reviewer])
}
fn finance_reviewer() -> Actor {
    actor(300, FINANCE, OrgKind::Finance, &[Role::Reviewer])
}
fn provider_user() -> Actor {
    actor(400, PROVIDER_ORG, OrgKind::SocialOrganisation, &[Role::Provider])
}
fn provider_info() -> ProviderInfo {
    ProviderInfo {
        org_id: PROVIDER_ORG,
        name: "夷陵区阳光社会工作服务中心".into(),
        kind: OrgKind::SocialOrganisation,
        active: true,
        class_one: false,
        barred_until: None,
    }
}

fn design() -> Design {
    Design {
        title: "农村留守儿童关爱服务".into(),
        category: "A0201".into(),
        regions: vec!["420506001".into()],
        target_groups: vec![TargetGroup::LeftBehindChildren],
        mode: PurchaseMode::Project,
        content: "开展课后陪伴、心理辅导与家庭探访".into(),
        standards: "每名儿童每月至少探访一次".into(),
        period_start: d(2026, 4, 1),
        period_end: d(2027, 3, 31),
        continuing: false,
        targets: vec![PerformanceTarget {
            indicator: "服务儿童人数".into(),
            group: IndicatorGroup::Output,
            dimension: crate::evaluation::Dimension::Quantity,
            target: "200".into(),
            unit: "人".into(),
            weight: 100,
            rule: crate::evaluation::ScoringRule::AtLeast,
        }],
        posts: vec![],
    }
}

fn line(kind: CostKind, item: &str, qty: &str, unit: &str, price: &str) -> CostLineInput {
    CostLineInput {
        kind,
        item: item.into(),
        quantity: Quantity::parse(qty).unwrap(),
        unit: unit.into(),
        unit_price: Money::parse_yuan(price).unwrap(),
        standard: None,
        reason: String::new(),
    }
}

fn lines() -> Vec<CostLineInput> {
    vec![
        line(CostKind::Personnel, "社工薪酬", "2", "人·年", "36000"),
        line(CostKind::Activities, "小组活动", "12.5", "次", "800.00"),
    ]
}

/// The estimate of `lines()` (82,000 yuan) paid from two budget lines.
fn plan() -> Vec<FundingLine> {
    vec![
        FundingLine { budget_id: 1, year: 2026, source: FundSource::GeneralBudget, amount: Money::from_yuan(60_000) },
        FundingLine { budget_id: 2, year: 2026, source: FundSource::WelfareLottery, amount: Money::from_yuan(22_000) },
    ]
}

fn fund(p: &mut Project, who: &Actor) {
    p.set_funding(who, plan(), t(2)).unwrap();
}

fn rules() -> Rules {
    Rules::default()
}

fn ctx(r: &Rules) -> SubmitContext<'_> {
    SubmitContext { category: CategoryStatus::Listed, rules: r }
}

fn submitted() -> Project {
    let r = rules();
    let (mut p, _) = Project::create(&purchaser(), design(), &ctx(&r), t(1)).unwrap();
    p.finish_design(&purchaser(), t(1)).unwrap();
    p.set_cost_estimate(&purchaser(), &lines(), &[], &rules(), t(2)).unwrap();
    fund(&mut p, &purchaser());
    p.submit(&purchaser(), &ctx(&r), t(2)).unwrap();
    p
}

fn approved() -> Project {
    let mut p = submitted();
    p.review(&civil_reviewer(), true, "", t(3)).unwrap();
    p.review(&finance_reviewer(), true, "同意", t(4)).unwrap();
    p
}

fn awarded() -> Project {
    let mut p = approved();
    p.award_direct(
        &purchaser(),
        provider_info(),
        &Rules::default(),
        "该机构长期在本地开展留守儿童服务，经验丰富",
        t(5),
    )
    .unwrap();
    p
}

fn contract_input() -> ContractInput {
    ContractInput {
        amount: Money::parse_yuan("80000.00").unwrap(),
        start: d(2026, 4, 1),
        end: d(2027, 3, 31),
        signed_on: d(2026, 3, 6),
        milestones: vec![
            MilestoneInput { name: "中期".into(), share_bp: 3333, due: d(2026, 9, 30) },
            MilestoneInput { name: "终期".into(), share_bp: 6667, due: d(2027, 3, 31) },
        ],
        final_payment_by_grade: false,
    }
}

fn contracted() -> Project {
    let mut p = awarded();
    p.sign_contract(&purchaser(), contract_input(), None, &rules(), d(2026, 3, 6), t(6)).unwrap();
    p
}

fn report() -> ReportInput {
    ReportInput {
        beneficiaries: 120,
        hours: Quantity::parse("300").unwrap(),
        outputs: vec![OutputActual { indicator: "服务儿童人数".into(), actual: "130".into() }],
        summary: "完成上半年服务".into(),
        files: vec![],
    }
}

#[test]
fn create_requires_a_purchaser_of_a_department() {
    let r = rules();
    assert_eq!(Project::create(&provider_user(), design(), &ctx(&r), t(1)).unwrap_err().code(), ErrorCode::Forbidden);
    let not_dept = actor(1, 50, OrgKind::SocialOrganisation, &[Role::Purchaser]);
    assert_eq!(Project::create(&not_dept, design(), &ctx(&r), t(1)).unwrap_err().code(), ErrorCode::Forbidden);
    let (p, change) = Project::create(&purchaser(), design(), &ctx(&r), t(1)).unwrap();
    assert_eq!(p.status, Status::Design);
    assert_eq!(p.purchaser_org_id, PURCHASER_ORG);
    assert_eq!(change.action.code(), "project.create");
}

#[test]
fn design_validation_reports_every_problem() {
    let mut bad = design();
    bad.title = " ".into();
    bad.regions.clear();
    bad.period_end = d(2026, 3, 1);
    bad.mode = PurchaseMode::Post;
    let err = bad.validate(&rules()).unwrap_err();
    let fields: Vec<&str> = err.fields().iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, vec!["title", "regions", "period_end", "posts"]);
    assert_eq!(err.code(), ErrorCode::InvalidInput);
}

#[test]
fn service_period_limits_follow_the_rules() {
    let mut long = design();
    long.period_end = d(2027, 4, 1);
    assert_eq!(long.validate(&rules()).unwrap_err().code(), ErrorCode::PeriodTooLong);
    long.continuing = true;
    assert!(long.validate(&rules()).is_ok(), "continuing services may run three years");
    long.period_end = d(2029, 4, 1);
    assert_eq!(long.validate(&rules()).unwrap_err().code(), ErrorCode::PeriodTooLong);
    assert_eq!(term_last_day(d(2026, 1, 1), 12), d(2026, 12, 31));
}

#[test]
fn cost_estimate_is_exact() {
    let p = submitted();
    // 2 × 36000 + 12.5 × 800 = 82000.00
    assert_eq!(p.total(), Money::parse_yuan("82000").unwrap());
    assert_eq!(p.cost_lines[1].amount.fen(), 1_000_000);
}

#[test]
fn bad_cost_lines_are_refused() {
    let mut l = lines();
    l[0].unit_price = Money::ZERO;
    l[1].item = "".into();
    let err = price_lines(&l, &[], 1000).unwrap_err();
    assert_eq!(err.fields().len(), 2);
    assert_eq!(price_lines(&[], &[], 1000).unwrap_err().code(), ErrorCode::Required);
}

#[test]
fn cost_estimate_only_at_its_step() {
    let r = rules();
    let (mut p, _) = Project::create(&purchaser(), design(), &ctx(&r), t(1)).unwrap();
    assert_eq!(
        p.set_cost_estimate(&purchaser(), &lines(), &[], &rules(), t(1)).unwrap_err().code(),
        ErrorCode::WrongStep
    );
    assert_eq!(p.submit(&purchaser(), &ctx(&r), t(1)).unwrap_err().code(), ErrorCode::WrongStep);
}

#[test]
fn submit_checks_catalogue_and_negative_list() {
    let r = rules();
    let (mut p, _) = Project::create(&purchaser(), design(), &ctx(&r), t(1)).unwrap();
    p.finish_design(&purchaser(), t(1)).unwrap();
    p.set_cost_estimate(&purchaser(), &lines(), &[], &rules(), t(1)).unwrap();
    fund(&mut p, &purchaser());
    let negative = SubmitContext { category: CategoryStatus::Negative, rules: &r };
    assert_eq!(p.submit(&purchaser(), &negative, t(1)).unwrap_err(), DomainError::CategoryOnNegativeList);
    let unknown = SubmitContext { category: CategoryStatus::Unknown, rules: &r };
    assert_eq!(p.submit(&purchaser(), &unknown, t(1)).unwrap_err(), DomainError::CategoryNotInCatalogue);
    assert_eq!(p.status, Status::CostEstimate, "a refused submission leaves the project as it was");
    p.submit(&purchaser(), &ctx(&r), t(1)).unwrap();
    assert_eq!(p.status, Status::ReviewContent);
}

#[test]
fn submit_without_estimate_is_refused() {
    let r = rules();
    let (mut p, _) = Project::create(&purchaser(), design(), &ctx(&r), t(1)).unwrap();
    p.finish_design(&purchaser(), t(1)).unwrap();
    assert_eq!(p.submit(&purchaser(), &ctx(&r), t(1)).unwrap_err().code(), ErrorCode::CostEstimateMissing);
}

#[test]
fn civil_affairs_own_projects_skip_the_content_stage() {
    let r = rules();
    let civil_purchaser = actor(101, CIVIL, OrgKind::CivilAffairs, &[Role::Purchaser]);
    let (mut p, _) = Project::create(&civil_purchaser, design(), &ctx(&r), t(1)).unwrap();
    p.finish_design(&civil_purchaser, t(1)).unwrap();
    p.set_cost_estimate(&civil_purchaser, &lines(), &[], &rules(), t(1)).unwrap();
    fund(&mut p, &civil_purchaser);
    p.submit(&civil_purchaser, &ctx(&r), t(1)).unwrap();
    assert_eq!(p.status, Status::ReviewFinance);
    assert_eq!(p.content_review_skipped, Some(ContentReviewSkipped::OwnDepartment), "the page can say why");
    // And no civil-affairs reviewer may review it (separation of duties).
    assert_eq!(p.review(&civil_reviewer(), true, "", t(2)).unwrap_err().code(), ErrorCode::Forbidden);
}

#[test]
fn one_stage_review_goes_to_finance() {
    let r = Rules { review_stages: ReviewStages::One, ..Rules::default() };
    let (mut p, _) = Project::create(&purchaser(), design(), &ctx(&r), t(1)).unwrap();
    p.finish_design(&purchaser(), t(1)).unwrap();
    p.set_cost_estimate(&purchaser(), &lines(), &[], &rules(), t(1)).unwrap();
    fund(&mut p, &purchaser());
    p.submit(&purchaser(), &ctx(&r), t(1)).unwrap();
    assert_eq!(p.status, Status::ReviewFinance);
    assert_eq!(p.content_review_skipped, Some(ContentReviewSkipped::OneStage));
}

#[test]
fn two_stage_review_in_order() {
    let mut p = submitted();
    assert_eq!(p.content_review_skipped, None);
    assert_eq!(
        p.review(&finance_reviewer(), true, "", t(3)).unwrap_err().code(),
        ErrorCode::Forbidden,
        "finance cannot take the content stage"
    );
    p.review(&civil_reviewer(), true, "", t(3)).unwrap();
    assert_eq!(p.status, Status::ReviewFinance);
    assert_eq!(p.review(&civil_reviewer(), true, "", t(3)).unwrap_err().code(), ErrorCode::Forbidden);
    p.review(&finance_reviewer(), true, "", t(4)).unwrap();
    assert_eq!(p.status, Status::Procurement);
    assert_eq!(p.approved_amount(), Some(p.total()));
}

#[test]
fn separation_of_duties() {
    let mut p = submitted();
    let same_org_reviewer = actor(201, PURCHASER_ORG, OrgKind::CivilAffairs, &[Role::Reviewer]);
    assert_eq!(p.review(&same_org_reviewer, true, "", t(3)).unwrap_err(), DomainError::OwnProject);
    let designer_as_reviewer = actor(100, CIVIL, OrgKind::CivilAffairs, &[Role::Reviewer, Role::Purchaser]);
    assert_eq!(p.review(&designer_as_reviewer, true, "", t(3)).unwrap_err(), DomainError::OwnProject);
}

#[test]
fn return_needs_a_comment_and_goes_back_to_design() {
    let mut p = submitted();
    assert_eq!(p.review(&civil_reviewer(), false, "  ", t(3)).unwrap_err().code(), ErrorCode::CommentRequired);
    p.review(&civil_reviewer(), false, "服务对象数量依据不足", t(3)).unwrap();
    assert_eq!(p.status, Status::Design);
    assert!(p.is_returned());
    assert_eq!(waiting_on(&purchaser(), &p), Some("revise_returned"));
    assert_eq!(waiting::kept(&p), Some(Waiting::of(&p)));
    // Edit and resubmit.
    let mut changed = design();
    changed.content = "补充了服务对象摸底数据".into();
    p.edit_design(&purchaser(), changed, &ctx(&rules()), t(4)).unwrap();
    p.finish_design(&purchaser(), t(4)).unwrap();
    p.submit(&purchaser(), &ctx(&rules()), t(4)).unwrap();
    assert_eq!(p.status, Status::ReviewContent);
    assert!(!p.is_returned());
}

#[test]
fn award_checks_the_provider() {
    let mut p = approved();
    let mut bad = provider_info();
    bad.kind = OrgKind::ThirdPartyEvaluator;
    assert_eq!(
        p.award_direct(&purchaser(), bad, &Rules::default(), "理由写得足够长足够长", t(5)).unwrap_err(),
        DomainError::ProviderIneligible
    );
    let mut class_one = provider_info();
    class_one.kind = OrgKind::PublicInstitution;
    class_one.class_one = true;
    assert_eq!(
        p.award_direct(&purchaser(), class_one, &Rules::default(), "理由写得足够长足够长", t(5)).unwrap_err(),
        DomainError::ProviderIneligible
    );
    let mut inactive = provider_info();
    inactive.active = false;
    assert_eq!(
        p.award_direct(&purchaser(), inactive, &Rules::default(), "理由写得足够长足够长", t(5)).unwrap_err(),
        DomainError::ProviderInactive
    );
    assert_eq!(
        p.award_direct(&purchaser(), provider_info(), &Rules::default(), "短", t(5)).unwrap_err().code(),
        ErrorCode::JustificationRequired
    );
    assert_eq!(
        p.award_direct(&provider_user(), provider_info(), &Rules::default(), "理由写得足够长足够长", t(5))
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden
    );
    // At or above the procurement limit (82,000 yuan here, configured low) only a statutory method may buy.
    let strict = Rules { procurement_limit: Money::parse_yuan("82000").unwrap(), ..Rules::default() };
    assert_eq!(
        p.award_direct(&purchaser(), provider_info(), &strict, "理由写得足够长足够长", t(5)).unwrap_err().code(),
        ErrorCode::AboveProcurementLimit
    );
    assert_eq!(Rules::default().procurement_limit, Money::from_yuan(1_000_000));
    p.award_direct(&purchaser(), provider_info(), &Rules::default(), "理由写得足够长足够长", t(5)).unwrap();
    assert_eq!(p.status, Status::Contract);
}

#[test]
fn contract_rules() {
    let r = rules();
    let today = d(2026, 3, 6);
    let mut p = awarded();
    let mut too_much = contract_input();
    too_much.amount = Money::parse_yuan("82000.01").unwrap();
    assert_eq!(
        p.sign_contract(&purchaser(), too_much, None, &r, today, t(6)).unwrap_err().code(),
        ErrorCode::ContractExceedsEstimate
    );
    let mut too_long = contract_input();
    too_long.end = d(2027, 4, 1);
    assert_eq!(
        p.sign_contract(&purchaser(), too_long, None, &r, today, t(6)).unwrap_err().code(),
        ErrorCode::ContractTermTooLong
    );
    let mut not_hundred = contract_input();
    not_hundred.milestones[1].share_bp = 6000;
    assert_eq!(
        p.sign_contract(&purchaser(), not_hundred, None, &r, today, t(6)).unwrap_err().code(),
        ErrorCode::MilestonesNotHundredPercent
    );
    let mut future = contract_input();
    future.signed_on = d(2026, 3, 7);
    assert_eq!(
        p.sign_contract(&purchaser(), future, None, &r, today, t(6)).unwrap_err().code(),
        ErrorCode::SignedOnOutOfRange
    );
    let mut before_award = contract_input();
    before_award.signed_on = d(2026, 3, 4);
    assert_eq!(
        p.sign_contract(&purchaser(), before_award, None, &r, today, t(6)).unwrap_err().code(),
        ErrorCode::SignedOnOutOfRange
    );
    assert_eq!(p.status, Status::Contract);
    p.sign_contract(&purchaser(), contract_input(), None, &r, today, t(6)).unwrap();
    let c = p.contract.as_ref().unwrap();
    assert_eq!(c.milestones[0].amount.fen(), 2_666_400, "33.33% of 80000, rounded down");
    assert_eq!(c.milestones[1].amount.fen(), 5_333_600, "the last takes the remainder");
    assert_eq!(c.milestones.iter().map(|m| m.amount).sum::<Money>(), c.amount);
}

#[test]
fn continuing_contract_may_run_three_years() {
    let r = rules();
    let mut p = awarded();
    p.design.continuing = true;
    let mut three = contract_input();
    three.end = d(2029, 3, 31);
    three.milestones[1].due = d(2029, 3, 31);
    p.sign_contract(&purchaser(), three, None, &r, d(2026, 3, 6), t(6)).unwrap();
}

#[test]
fn acceptance_milestone_by_milestone() {
    let r = rules();
    let mut p = contracted();
    assert_eq!(waiting_on(&provider_user(), &p), Some("file_report"));
    let started = on(2026, 4, 1);
    assert_eq!(
        p.decide_milestone(&purchaser(), 0, true, "", &r, started).unwrap_err().code(),
        ErrorCode::NoReportToDecide
    );
    assert_eq!(p.file_report(&purchaser(), 0, report(), &rules(), started).unwrap_err().code(), ErrorCode::Forbidden);
    assert_eq!(
        p.file_report(&provider_user(), 1, report(), &rules(), started).unwrap_err().code(),
        ErrorCode::NotCurrentMilestone
    );
    p.file_report(&provider_user(), 0, report(), &rules(), started).unwrap();
    assert_eq!(waiting_on(&purchaser(), &p), Some("decide_milestone"));
    assert_eq!(
        p.file_report(&provider_user(), 0, report(), &rules(), started).unwrap_err().code(),
        ErrorCode::WrongStep
    );
    assert_eq!(
        p.decide_milestone(&purchaser(), 0, false, "", &r, started).unwrap_err().code(),
        ErrorCode::ReasonRequired
    );
    p.decide_milestone(&purchaser(), 0, false, "缺少活动签到表", &r, started).unwrap();
    assert_eq!(p.contract.as_ref().unwrap().milestones[0].status, MilestoneStatus::Rejected);
    p.file_report(&provider_user(), 0, report(), &rules(), on(2026, 6, 1)).unwrap();
    p.decide_milestone(&purchaser(), 0, true, "", &r, on(2026, 9, 30)).unwrap();
    assert_eq!(p.status, Status::Acceptance);
    p.file_report(&provider_user(), 1, report(), &rules(), on(2026, 9, 30)).unwrap();
    p.decide_milestone(&purchaser(), 1, true, "", &r, on(2027, 3, 31)).unwrap();
    assert_eq!(p.status, Status::Completed);
    assert_eq!(p.contract.as_ref().unwrap().milestones[0].reports.len(), 2);
}

#[test]
fn no_report_before_the_service_and_no_payment_before_the_milestone() {
    let r = rules();
    let mut p = contracted();
    // Signed on 6 March for a service from 1 April: nothing to report on yet.
    let e = p.file_report(&provider_user(), 0, report(), &rules(), t(7)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ServiceNotStarted);
    assert!(e.message_zh().contains("2026年4月1日"), "{}", e.message_zh());
    assert_eq!(p.report_opens(0), Some(d(2026, 4, 1)));
    assert_eq!(p.report_opens(1), Some(d(2026, 9, 30)), "the second runs from the first one's date");
    // 31 March is still before the start in China (UTC+8), even late in the evening.
    let evening = Utc.with_ymd_and_hms(2026, 3, 31, 15, 59, 0).unwrap();
    assert_eq!(
        p.file_report(&provider_user(), 0, report(), &rules(), evening).unwrap_err().code(),
        ErrorCode::ServiceNotStarted
    );
    p.file_report(&provider_user(), 0, report(), &rules(), on(2026, 4, 1)).unwrap();
    let e = p.decide_milestone(&purchaser(), 0, true, "", &r, on(2026, 9, 29)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::MilestoneNotDue);
    assert!(e.message_zh().contains("2026年9月30日"), "{}", e.message_zh());
    assert_eq!(p.contract.as_ref().unwrap().milestones[0].status, MilestoneStatus::Reported, "left as it was");
    // With a grace of 5 days acceptance opens on 25 September; the next report still waits for the 30th.
    let grace = Rules { acceptance_grace_days: 5, ..rules() };
    assert_eq!(p.acceptance_opens(0, &grace), Some(d(2026, 9, 25)));
    assert_eq!(
        p.decide_milestone(&purchaser(), 0, true, "", &grace, on(2026, 9, 24)).unwrap_err().code(),
        ErrorCode::MilestoneNotDue
    );
    let paid = p.decide_milestone(&purchaser(), 0, true, "", &grace, on(2026, 9, 25)).unwrap();
    assert!(!paid.ledger.is_empty(), "acceptance pays");
    assert_eq!(
        p.file_report(&provider_user(), 1, report(), &rules(), on(2026, 9, 29)).unwrap_err().code(),
        ErrorCode::ServiceNotStarted
    );
    p.file_report(&provider_user(), 1, report(), &rules(), on(2026, 9, 30)).unwrap();
}

#[test]
fn report_outputs_must_match_targets() {
    let mut p = contracted();
    let mut r = report();
    r.outputs[0].indicator = "不存在的指标".into();
    assert_eq!(
        p.file_report(&provider_user(), 0, r, &rules(), on(2026, 4, 1)).unwrap_err().code(),
        ErrorCode::UnknownIndicator
    );
}

#[test]
fn cancel_before_contract_only() {
    for mut p in [submitted(), approved(), awarded()] {
        assert_eq!(p.cancel(&purchaser(), "", t(9)).unwrap_err().code(), ErrorCode::ReasonRequired);
        p.cancel(&purchaser(), "上级政策调整，项目取消", t(9)).unwrap();
        assert_eq!(p.status, Status::Cancelled);
        assert_eq!(p.cancel(&purchaser(), "再次撤销试试", t(9)).unwrap_err().code(), ErrorCode::WrongStep);
    }
    let mut c = contracted();
    assert_eq!(c.cancel(&purchaser(), "上级政策调整，项目取消", t(9)).unwrap_err().code(), ErrorCode::WrongStep);
    c.terminate(&purchaser(), "承接主体严重违约", t(9)).unwrap();
    assert_eq!(c.status, Status::Terminated);
    assert!(c.contract.unwrap().termination.is_some());
}

#[test]
fn every_change_bumps_the_version() {
    let p = contracted();
    // create 1, finish_design, estimate, funding, submit, 2 reviews, award, contract = 8 changes
    assert_eq!(p.version, 9);
}

#[test]
fn visibility_is_denied_by_default() {
    let p = submitted();
    let stranger = actor(9, 99, OrgKind::Health, &[Role::Purchaser]);
    assert!(!can_view(&stranger, &p));
    assert!(can_view(&purchaser(), &p));
    assert!(can_view(&civil_reviewer(), &p));
    assert!(!can_view(&provider_user(), &p), "the provider sees the project only once awarded");
    assert!(can_view(&provider_user(), &awarded()));
    let expert = actor(5, 60, OrgKind::SocialOrganisation, &[Role::Expert]);
    assert!(!can_view(&expert, &p));
    let mut sup = actor(6, 2, OrgKind::Finance, &[Role::Supervisor]);
    sup.supervisor_region = Some("420506".into());
    assert!(can_view(&sup, &p));
    sup.supervisor_region = Some("420506002".into());
    assert!(!can_view(&sup, &p));
}

#[test]
fn snapshot_has_no_personal_fields() {
    let p = contracted();
    let s = p.snapshot().to_string();
    assert!(s.contains("acceptance"));
    assert!(!s.contains("用户"), "no names of people in audit snapshots: {s}");
}

fn ledger_of(c: &Change) -> Vec<(i64, Movement, i64)> {
    c.ledger.iter().map(|e| (e.budget_id, e.movement, e.amount.fen())).collect()
}

#[test]
fn no_budget_no_submission() {
    let r = rules();
    let (mut p, _) = Project::create(&purchaser(), design(), &ctx(&r), t(1)).unwrap();
    p.finish_design(&purchaser(), t(1)).unwrap();
    p.set_cost_estimate(&purchaser(), &lines(), &[], &rules(), t(1)).unwrap();
    assert_eq!(p.submit(&purchaser(), &ctx(&r), t(1)).unwrap_err().code(), ErrorCode::FundingRequired);
    let mut short = plan();
    short[1].amount = Money::from_yuan(21_999);
    assert_eq!(p.set_funding(&purchaser(), short, t(1)).unwrap_err().code(), ErrorCode::FundingNotTotal);
    fund(&mut p, &purchaser());
    // The estimate changes after the plan was made: the plan no longer covers it.
    let mut more = lines();
    more[0].quantity = Quantity::parse("3").unwrap();
    p.set_cost_estimate(&purchaser(), &more, &[], &rules(), t(1)).unwrap();
    assert_eq!(p.submit(&purchaser(), &ctx(&r), t(1)).unwrap_err().code(), ErrorCode::FundingNotTotal);
    assert_eq!(p.set_funding(&provider_user(), plan(), t(1)).unwrap_err().code(), ErrorCode::Forbidden);
}

#[test]
fn money_moves_with_the_steps() {
    let mut p = submitted();
    let c = p.review(&civil_reviewer(), true, "", t(3)).unwrap();
    assert!(c.ledger.is_empty(), "content review moves no money");
    let c = p.review(&finance_reviewer(), true, "", t(4)).unwrap();
    assert_eq!(ledger_of(&c), vec![(1, Movement::Reserve, 6_000_000), (2, Movement::Reserve, 2_200_000)]);
    p.award_direct(
        &purchaser(),
        provider_info(),
        &Rules::default(),
        "该机构长期在本地开展留守儿童服务，经验丰富",
        t(5),
    )
    .unwrap();
    let c = p.sign_contract(&purchaser(), contract_input(), None, &rules(), d(2026, 3, 6), t(6)).unwrap();
    // 80,000 of 82,000 committed in proportion (58,536.59 + 21,463.41); the rest released.
    assert_eq!(
        ledger_of(&c),
        vec![
            (1, Movement::Commit, 5_853_659),
            (2, Movement::Commit, 2_146_341),
            (1, Movement::Release, 146_341),
            (2, Movement::Release, 53_659),
        ]
    );
    let r = rules();
    p.file_report(&provider_user(), 0, report(), &rules(), on(2026, 9, 1)).unwrap();
    let first = p.decide_milestone(&purchaser(), 0, true, "", &r, on(2026, 9, 30)).unwrap();
    assert_eq!(first.ledger.iter().map(|e| e.amount).sum::<Money>(), Money::from_fen(2_666_400));
    p.file_report(&provider_user(), 1, report(), &rules(), on(2027, 3, 1)).unwrap();
    let rejected = p.decide_milestone(&purchaser(), 1, false, "缺少附件", &r, on(2027, 3, 2)).unwrap();
    assert!(rejected.ledger.is_empty());
    p.file_report(&provider_user(), 1, report(), &rules(), on(2027, 3, 3)).unwrap();
    p.decide_milestone(&purchaser(), 1, true, "", &r, on(2027, 3, 31)).unwrap();
    assert_eq!(p.paid_by_line(), p.committed_by_line(), "completion pays exactly what was committed, line by line");
}

#[test]
fn cancelling_and_terminating_give_money_back() {
    let mut in_review = submitted();
    assert!(
        in_review.cancel(&purchaser(), "政策调整取消", t(5)).unwrap().ledger.is_empty(),
        "nothing was reserved yet"
    );
    let mut approved = approved();
    let c = approved.cancel(&purchaser(), "政策调整取消", t(5)).unwrap();
    assert_eq!(ledger_of(&c), vec![(1, Movement::Release, 6_000_000), (2, Movement::Release, 2_200_000)]);
    let mut p = contracted();
    p.file_report(&provider_user(), 0, report(), &rules(), on(2026, 9, 1)).unwrap();
    p.decide_milestone(&purchaser(), 0, true, "", &rules(), on(2026, 9, 30)).unwrap();
    let c = p.terminate(&purchaser(), "承接主体严重违约", on(2026, 10, 9)).unwrap();
    let owed: Money = c.ledger.iter().map(|e| e.amount).sum();
    assert_eq!(owed, Money::from_fen(8_000_000 - 2_666_400));
    assert!(c.ledger.iter().all(|e| e.movement == Movement::Uncommit));
}

#[test]
fn spending_standards_flag_lines_and_need_reasons() {
    let standards = vec![crate::standards::Standard {
        code: "sw_post_year".into(),
        name: "社工岗位年度经费".into(),
        unit: "人·年".into(),
        max_unit_price: Money::from_yuan(40_000),
        note: String::new(),
    }];
    let mut above = line(CostKind::Personnel, "社工薪酬", "2", "人·年", "45000");
    above.standard = Some("sw_post_year".into());
    let err = price_lines(&[above.clone()], &standards, 1000).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AboveStandard);
    assert_eq!(err.fields()[0].field, "cost_lines[0].reason");
    above.reason = "高级社工师，按职称标准".into();
    let priced = price_lines(&[above.clone()], &standards, 1000).unwrap();
    assert!(priced[0].over_standard);
    let mut within = line(CostKind::Personnel, "社工薪酬", "2", "人·年", "40000");
    within.standard = Some("sw_post_year".into());
    assert!(!price_lines(&[within.clone()], &standards, 1000).unwrap()[0].over_standard);
    within.standard = Some("nope".into());
    assert_eq!(price_lines(&[within], &standards, 1000).unwrap_err().code(), ErrorCode::UnknownStandard);
}

#[test]
fn management_fee_above_the_cap_needs_a_reason() {
    let base = line(CostKind::Personnel, "社工薪酬", "1", "人·年", "100000");
    let fee = line(CostKind::ManagementFee, "管理费", "1", "项", "10000.01");
    assert_eq!(
        price_lines(&[base.clone(), fee.clone()], &[], 1000).unwrap_err().code(),
        ErrorCode::ManagementFeeAboveCap
    );
    let ok = line(CostKind::ManagementFee, "管理费", "1", "项", "10000");
    assert!(!price_lines(&[base.clone(), ok], &[], 1000).unwrap()[1].over_standard, "exactly the cap is fine");
    let mut explained = fee;
    explained.reason = "含项目审计费用".into();
    assert!(price_lines(&[base.clone(), explained.clone()], &[], 1000).unwrap()[1].over_standard);
    assert!(price_lines(&[base, explained], &[], 2000).is_ok(), "the cap is configurable");
}

fn post_design() -> Design {
    let mut d = design();
    d.mode = PurchaseMode::Post;
    d.posts = vec![
        PostSpec { host_org_id: 7, host_name: "区教育局".into(), title: "学校社会工作岗".into(), count: 2 },
        PostSpec {
            host_org_id: 8, host_name: "龙泉镇社会工作服务站".into(), title: "农村社会工作岗".into(), count: 1
        },
    ];
    d
}

#[test]
fn post_purchase_contracts_create_posts_that_providers_fill() {
    let mut p = awarded();
    p.design = post_design();
    p.sign_contract(&purchaser(), contract_input(), None, &rules(), d(2026, 3, 6), t(6)).unwrap();
    let posts = &p.contract.as_ref().unwrap().posts;
    assert_eq!(posts.len(), 3);
    assert!(posts.iter().all(|x| x.holder.is_none()), "vacant until filled");
    // 80,000 over three posts for a one-year term: 26,666.67 / 26,666.67 / 26,666.66 a year.
    assert_eq!(posts.iter().map(|x| x.yearly_cost.fen()).collect::<Vec<_>>(), vec![2_666_667, 2_666_667, 2_666_666]);
    let holder =
        PostHolder { name: "陈晓燕".into(), certification: Certification::Intermediate, since: d(2026, 4, 1) };
    assert_eq!(p.fill_post(&purchaser(), 0, holder.clone(), t(7)).unwrap_err().code(), ErrorCode::Forbidden);
    assert_eq!(p.fill_post(&provider_user(), 9, holder.clone(), t(7)).unwrap_err().code(), ErrorCode::NotFound);
    let mut early = holder.clone();
    early.since = d(2026, 3, 1);
    assert_eq!(p.fill_post(&provider_user(), 0, early, t(7)).unwrap_err().code(), ErrorCode::SinceOutsideTerm);
    let c = p.fill_post(&provider_user(), 0, holder, t(7)).unwrap();
    assert!(!c.detail.to_string().contains("陈晓燕"), "no names in the audit record");
    assert!(p.contract.as_ref().unwrap().posts[0].holder.is_some());
    assert_eq!(p.vacate_post(&provider_user(), 1, "岗位空缺测试", t(8)).unwrap_err().code(), ErrorCode::PostVacant);
    p.vacate_post(&provider_user(), 0, "社工辞职", t(8)).unwrap();
    assert!(p.contract.as_ref().unwrap().posts[0].holder.is_none());
}

#[test]
fn project_purchases_have_no_posts() {
    assert!(contracted().contract.unwrap().posts.is_empty());
}

/// The awarded project, as if a competitive `method` had awarded it at `yuan` on 5 March.
fn awarded_by(method: &str, yuan: i64) -> Project {
    let mut p = awarded();
    let a = p.award.as_mut().unwrap();
    a.method = AwardMethod::parse(method).expect("a known award method");
    a.amount = Money::from_yuan(yuan);
    p
}

#[test]
fn the_contract_follows_the_award() {
    let r = rules();
    let today = d(2026, 3, 6);
    let mut p = awarded_by("open_tender", 78_000);
    assert_eq!(p.contract_price(None), Some(Money::from_yuan(78_000)));
    // The approved estimate's 80,000 is no longer enough: the awarded price it is.
    let e = p.sign_contract(&purchaser(), contract_input(), None, &r, today, t(6)).unwrap_err();
    assert_eq!((e.code(), e.fields()[0].field.as_str()), (ErrorCode::ContractNotAwardPrice, "amount"));
    assert!(e.message_zh().contains("78,000.00"), "{}", e.message_zh());
    let mut input = contract_input();
    input.amount = Money::from_yuan(78_000);
    // Not a term that begins before the award (5 March).
    let term = |mut c: ContractInput, start: NaiveDate| {
        c.start = start;
        c.end = term_last_day(start, 12);
        c.milestones[1].due = c.end;
        c
    };
    let early = term(input.clone(), d(2026, 3, 4));
    let e = p.sign_contract(&purchaser(), early, None, &r, today, t(6)).unwrap_err();
    assert_eq!(e.fields().iter().map(|f| f.code).collect::<Vec<_>>(), [ErrorCode::TermBeforeAward]);
    let from_award = term(input.clone(), d(2026, 3, 5));
    p.clone().sign_contract(&purchaser(), from_award, None, &r, today, t(6)).unwrap();
    p.sign_contract(&purchaser(), input, None, &r, today, t(6)).unwrap();
    // A direct award may be contracted below the estimate, but its term does not begin before the award either.
    let mut direct = awarded();
    assert_eq!(direct.contract_price(None), None);
    let early = term(contract_input(), d(2026, 3, 1));
    assert_eq!(
        direct.sign_contract(&purchaser(), early, None, &r, today, t(6)).unwrap_err().code(),
        ErrorCode::TermBeforeAward
    );
    direct.sign_contract(&purchaser(), contract_input(), None, &r, today, t(6)).unwrap();
}

#[test]
fn a_framework_contract_follows_its_call_offs() {
    use crate::procurement::{
        CallOff, CriterionSpec, Documents, Method, Procurement, Scoring, StartContext, StartInput,
    };
    let r = rules();
    let mut p = awarded_by("framework_agreement", 60_000);
    p.id = 7;
    let documents = Documents {
        requirements: "为辖区困难家庭提供助浴助洁上门服务".into(),
        qualifications: "依法登记的社会组织".into(),
        scoring: Scoring::Comprehensive {
            price_weight_bp: 3000,
            criteria: vec![CriterionSpec { key: "plan".into(), name: "服务方案".into(), weight_bp: 7000 }],
        },
        sme_deduction_bp: 1000,
        tie_rule: "服务方案得分高者优先".into(),
        invited: vec![],
        single_source: None,
        framework_members: Some(2),
        admitted_kinds: vec![],
        complex_or_high_impact: false,
    };
    let ctx = StartContext {
        project_id: 7,
        project_code: "P-7".into(),
        title: "助浴助洁".into(),
        purchaser_org_id: PURCHASER_ORG,
        purchaser_name: "教育局".into(),
        category: "A0201".into(),
        region: "420506".into(),
        budget: Money::from_yuan(82_000),
        same_kind_total: Money::ZERO,
        previous: None,
        approval: None,
        rules: &r,
    };
    let input = StartInput { method: Method::FrameworkAgreement, documents, agency_org_id: None };
    let (mut q, _) = Procurement::start(&ctx, input, &purchaser(), t(1)).unwrap();
    let call_off = |org_id, yuan| CallOff {
        n: 1,
        org_id,
        org_name: "机构".into(),
        amount: Money::from_yuan(yuan),
        note: "张某某家庭".into(),
        on: d(2026, 3, 5),
        by: 100,
    };
    // Nothing called off from the provider yet: nothing to sign.
    q.call_offs = vec![call_off(51, 20_000)];
    let e = p.clone().sign_contract(&purchaser(), contract_input(), Some(&q), &r, d(2026, 3, 6), t(6)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NoCallOff);
    q.call_offs.push(call_off(PROVIDER_ORG, 30_000));
    q.call_offs.push(call_off(PROVIDER_ORG, 10_000));
    assert_eq!(p.contract_price(Some(&q)), Some(Money::from_yuan(40_000)), "what was called off from the provider");
    let e = p.clone().sign_contract(&purchaser(), contract_input(), Some(&q), &r, d(2026, 3, 6), t(6)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ContractNotAwardPrice);
    let mut input = contract_input();
    input.amount = Money::from_yuan(40_000);
    p.sign_contract(&purchaser(), input, Some(&q), &r, d(2026, 3, 6), t(6)).unwrap();
}

#[test]
fn a_design_is_checked_when_it_is_made() {
    let r = rules();
    let listed = ctx(&r);
    // 1 March 2026: the service may start from 1 December 2025 (90 days before), not earlier.
    let mut old = design();
    old.period_start = d(1901, 1, 1);
    old.period_end = d(1901, 6, 30);
    let e = Project::create(&purchaser(), old, &listed, t(1)).unwrap_err();
    assert_eq!((e.code(), e.fields()[0].field.as_str()), (ErrorCode::PeriodStartTooEarly, "period_start"));
    let mut edge = design();
    edge.period_start = d(2025, 12, 1);
    edge.period_end = d(2026, 6, 30);
    assert!(Project::create(&purchaser(), edge.clone(), &listed, t(1)).is_ok());
    edge.period_start = d(2025, 11, 30);
    assert_eq!(
        Project::create(&purchaser(), edge.clone(), &listed, t(1)).unwrap_err().code(),
        ErrorCode::PeriodStartTooEarly
    );
    let wide = Rules { service_start_window_days: 91, ..rules() };
    assert!(Project::create(&purchaser(), edge, &ctx(&wide), t(1)).is_ok(), "the window is configurable");
    // A category on the negative list, or outside the catalogue, is refused when chosen, beside the field.
    let negative = SubmitContext { category: CategoryStatus::Negative, rules: &r };
    let e = Project::create(&purchaser(), design(), &negative, t(1)).unwrap_err();
    assert_eq!((e.code(), e.fields()[0].field.as_str()), (ErrorCode::CategoryOnNegativeList, "category"));
    let unknown = SubmitContext { category: CategoryStatus::Unknown, rules: &r };
    assert_eq!(
        Project::create(&purchaser(), design(), &unknown, t(1)).unwrap_err().code(),
        ErrorCode::CategoryNotInCatalogue
    );
    let (mut p, _) = Project::create(&purchaser(), design(), &listed, t(1)).unwrap();
    assert_eq!(
        p.edit_design(&purchaser(), design(), &negative, t(2)).unwrap_err().code(),
        ErrorCode::CategoryOnNegativeList
    );
    // Every problem at once.
    let mut bad = design();
    bad.title = String::new();
    bad.period_start = d(2020, 1, 1);
    bad.period_end = d(2020, 6, 30);
    let e = p.edit_design(&purchaser(), bad, &negative, t(2)).unwrap_err();
    assert_eq!(e.fields().iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["period_start", "category", "title"]);
}

#[test]
fn funding_comes_from_the_years_the_service_runs() {
    let r = rules();
    let (mut p, _) = Project::create(&purchaser(), design(), &ctx(&r), t(1)).unwrap();
    p.finish_design(&purchaser(), t(1)).unwrap();
    p.set_cost_estimate(&purchaser(), &lines(), &[], &r, t(1)).unwrap();
    let mut old = plan();
    old[1].year = 2013;
    let e = p.set_funding(&purchaser(), old, t(1)).unwrap_err();
    assert_eq!(
        (e.code(), e.fields()[0].field.as_str()),
        (ErrorCode::FundingYearOutsideService, "funding[1].budget_id")
    );
    let mut spread = plan();
    spread[1].year = 2027;
    p.set_funding(&purchaser(), spread, t(1)).unwrap();
    // The service moved into 2026 alone after the plan drew on 2027: the submission says so.
    let mut moved = design();
    moved.period_end = d(2026, 12, 31);
    p.edit_design(&purchaser(), moved, &ctx(&r), t(2)).unwrap();
    assert_eq!(p.submit(&purchaser(), &ctx(&r), t(2)).unwrap_err().code(), ErrorCode::FundingYearOutsideService);
}

#[test]
fn the_contract_term_includes_the_funded_years() {
    let mut p = awarded();
    let mut later = contract_input();
    later.start = d(2027, 1, 1);
    later.end = d(2027, 12, 31);
    later.milestones[0].due = d(2027, 6, 30);
    later.milestones[1].due = d(2027, 12, 31);
    let e = p.sign_contract(&purchaser(), later, None, &rules(), d(2026, 3, 6), t(6)).unwrap_err();
    assert_eq!((e.code(), e.fields()[0].field.as_str()), (ErrorCode::TermOutsideFundingYears, "start"));
}

#[test]
fn whoever_a_project_waits_on_is_among_the_kinds_its_facts_name() {
    let r = rules();
    let mut states = vec![Project::create(&purchaser(), design(), &ctx(&r), t(1)).unwrap().0, submitted()];
    let mut content_reviewed = submitted();
    content_reviewed.review(&civil_reviewer(), true, "", t(3)).unwrap();
    states.extend([content_reviewed, approved(), awarded(), contracted()]);
    let mut reported = contracted();
    reported.file_report(&provider_user(), 0, report(), &rules(), on(2026, 4, 1)).unwrap();
    states.push(reported);
    let readers = [purchaser(), civil_reviewer(), finance_reviewer(), provider_user()];
    for p in &states {
        let waiting: Vec<&Actor> = readers.iter().filter(|a| waiting_on(a, p).is_some()).collect();
        assert!(!waiting.is_empty(), "{:?} waits on someone", p.status);
        for a in waiting {
            assert!(p.facts().awaits.0 & Awaits::kinds(a).0 != 0, "{:?} waits on {}", p.status, a.username);
        }
        // What a store keeps of it in columns gives back the same waiting, so a queue read from them agrees.
        assert_eq!(waiting::kept(p), Some(Waiting::of(p)), "{:?}", p.status);
    }
    assert_eq!(
        Waiting::from_columns(Status::Design, 1, 1, None, None, Awaits(1), Some("bribe")),
        None,
        "an unknown duty is refused"
    );
    let mut closed = contracted();
    closed.status = Status::Completed;
    assert_eq!(closed.facts().awaits, Awaits::default(), "a closed project waits on nobody");
}

#[test]
fn award_methods_read_and_write_their_recorded_codes() {
    use crate::procurement::Method;
    for (method, code) in [
        (AwardMethod::Direct, "direct_award"),
        (AwardMethod::Procured(Method::OpenTender), "open_tender"),
        (AwardMethod::Procured(Method::FrameworkAgreement), "framework_agreement"),
    ] {
        assert_eq!(serde_json::to_value(method).unwrap(), serde_json::json!(code));
        assert_eq!(serde_json::from_value::<AwardMethod>(serde_json::json!(code)).unwrap(), method);
    }
    assert!(serde_json::from_value::<AwardMethod>(serde_json::json!("by_lottery")).is_err());
}

#[test]
fn the_acts_open_are_the_ones_the_acts_allow() {
    let others = [civil_reviewer(), finance_reviewer(), provider_user()];
    for p in [submitted(), approved(), awarded(), contracted()] {
        for who in std::iter::once(purchaser()).chain(others.iter().cloned()) {
            for act in Act::ALL {
                let open = p.open_acts(&who).contains(&act);
                assert_eq!(open, p.may(&who, act).is_ok(), "{act:?} by {} at {}", who.username, p.status.code());
            }
        }
    }
    // The purchaser's acts by step; reviewers review, and only in their stage.
    let submitted = submitted();
    assert_eq!(submitted.open_acts(&purchaser()), vec![Act::Cancel]);
    assert_eq!(submitted.open_acts(&civil_reviewer()), vec![Act::Review]);
    assert!(submitted.open_acts(&finance_reviewer()).is_empty());
    assert_eq!(approved().open_acts(&purchaser()), vec![Act::Award, Act::StartProcurement, Act::Cancel]);
    assert_eq!(awarded().open_acts(&purchaser()), vec![Act::SignContract, Act::Cancel]);
    assert_eq!(contracted().open_acts(&purchaser()), vec![Act::Terminate]);
    assert!(contracted().open_acts(&provider_user()).is_empty());
    // A refusal names the act: the wrong person, then the wrong step.
    assert!(matches!(
        submitted.may(&provider_user(), Act::Review),
        Err(DomainError::NotPermitted { action: "review" })
    ));
    assert!(matches!(
        contracted().may(&purchaser(), Act::Cancel),
        Err(DomainError::WrongStep { action: "cancel", status: "acceptance" })
    ));
}

#[test]
fn the_public_reads_the_contract_and_each_acceptance_but_no_working() {
    let r = rules();
    let mut p = contracted();
    p.file_report(&provider_user(), 0, report(), &rules(), on(2026, 6, 1)).unwrap();
    p.decide_milestone(&purchaser(), 0, false, "缺少活动签到表", &r, on(2026, 6, 2)).unwrap();
    p.file_report(&provider_user(), 0, report(), &rules(), on(2026, 6, 3)).unwrap();
    p.decide_milestone(&purchaser(), 0, true, "", &r, on(2026, 9, 30)).unwrap();
    let public = p.public();
    assert_eq!((public.title.as_str(), public.budget), (p.design.title.as_str(), p.total()));
    assert_eq!(public.funding.iter().map(|f| f.amount).sum::<Money>(), p.total(), "every funding line, by source");
    let c = public.contract.as_ref().unwrap();
    assert_eq!(c.milestones[0].accepted_on, Some(d(2026, 9, 30)), "accepted on the day, after a rejection");
    assert_eq!((c.milestones[1].accepted_on, c.milestones[1].status), (None, MilestoneStatus::Pending));
    assert_eq!(c.paid, c.milestones[0].amount);
    let text = serde_json::to_string(&public).unwrap();
    for private in ["缺少活动签到表", "完成上半年服务", "服务儿童人数"] {
        assert!(!text.contains(private), "{private} is not public: {text}");
    }
    for line in &p.cost_lines {
        assert!(!text.contains(&line.item), "the cost line {} is not public", line.item);
    }
    // The acceptance result is published with the last acceptance, not before.
    use crate::audit::Action;
    use crate::notice::{for_project, NoticeKind};
    assert!(for_project(Action::ProjectMilestoneAccept, &p, on(2026, 9, 30)).is_empty());
    p.file_report(&provider_user(), 1, report(), &rules(), on(2026, 9, 30)).unwrap();
    p.decide_milestone(&purchaser(), 1, true, "", &r, on(2027, 3, 31)).unwrap();
    let published = for_project(Action::ProjectMilestoneAccept, &p, on(2027, 3, 31));
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].kind, NoticeKind::Acceptance);
    assert_eq!(published[0].title, format!("{}关于{}的验收结果公告", p.purchaser_name, p.design.title));
    assert_eq!(published[0].body.value()["paid"], serde_json::json!(p.contract.as_ref().unwrap().amount));
    assert!(!published[0].body.text().contains("缺少活动签到表"));
}

#[test]
fn a_barred_provider_is_neither_awarded_nor_signed() {
    let r = rules();
    let barred = ProviderInfo { barred_until: Some(d(2026, 3, 31)), ..provider_info() };
    let mut p = approved();
    let why = "该机构长期在本地开展留守儿童服务，经验丰富";
    assert_eq!(
        p.award_direct(&purchaser(), barred.clone(), &r, why, t(5)).unwrap_err().code(),
        ErrorCode::ProviderBarred
    );
    assert_eq!(p.status, Status::Procurement, "nothing awarded");
    // Awarded before the bar, then barred: the contract is not signed while the bar lasts.
    let mut q = awarded();
    q.award.as_mut().unwrap().provider.barred_until = Some(d(2026, 3, 31));
    let e = q.sign_contract(&purchaser(), contract_input(), None, &r, d(2026, 3, 6), t(6)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ProviderBarred);
    assert!(e.to_string().contains("2026年3月31日") || !e.to_string().is_empty());
    // The bar is not kept with the award: a record read back has none, its organisation says.
    let text = serde_json::to_string(&q).unwrap();
    assert!(!text.contains("barred_until"));
}

#[test]
fn a_barred_winner_is_not_awarded_from_its_procurement() {
    use crate::procurement::{self as proc, Award as ProcAward, Documents, Method, Procurement, Scoring, Winner};
    let rules = rules();
    let p = approved();
    let ctx = proc::StartContext {
        project_id: p.id,
        project_code: p.code.clone(),
        title: p.design.title.clone(),
        purchaser_org_id: PURCHASER_ORG,
        purchaser_name: p.purchaser_name.clone(),
        category: p.design.category.clone(),
        region: "420506".into(),
        budget: p.total(),
        same_kind_total: Money::ZERO,
        previous: None,
        approval: None,
        rules: &rules,
    };
    let documents = Documents {
        requirements: "为农村留守儿童提供课后陪伴与心理辅导服务".into(),
        qualifications: "依法登记的社会组织".into(),
        scoring: Scoring::LowestPrice,
        sme_deduction_bp: 1000,
        tie_rule: "报价相同的抽签确定".into(),
        invited: vec![],
        single_source: None,
        framework_members: None,
        admitted_kinds: vec![],
        complex_or_high_impact: false,
    };
    let input = proc::StartInput { method: Method::RequestForQuotation, documents, agency_org_id: None };
    let (mut q, _) = Procurement::start(&ctx, input, &purchaser(), t(5)).unwrap();
    let winner = Winner {
        bid_id: 1,
        org_id: PROVIDER_ORG,
        name: provider_info().name,
        price: Money::from_yuan(80_000),
        score: None,
        tie_reason: None,
    };
    q.award = Some(ProcAward { winner, members: vec![], at: t(5), by: 100, minutes: None, void: false });
    let barred = ProviderInfo { barred_until: Some(d(2026, 12, 31)), ..provider_info() };
    let mut won = p.clone();
    assert_eq!(won.award_from_procurement(&q, barred, t(5)).unwrap_err().code(), ErrorCode::ProviderBarred);
    assert!(won.award.is_none());
    won.award_from_procurement(&q, provider_info(), t(5)).unwrap();
}
