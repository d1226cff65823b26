use super::*;
use crate::committee::Expert;
use crate::error::ErrorCode;
use crate::org::{OrgKind, ProviderInfo};
use crate::project::Change;
use chrono::TimeZone;

mod approvals;
mod competition;
mod evaluation;
mod windows;

const BUYER: i64 = 10;
const FINANCE: i64 = 2;
const CITY_FINANCE: i64 = 3;

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    // `h` is China time.
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap() - chrono::TimeDelta::hours(8)
}
fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
fn cal() -> Calendar {
    Calendar::official().unwrap()
}
use crate::org::test_actor as actor;
fn buyer() -> Actor {
    actor(100, BUYER, OrgKind::CivilAffairs, &[Role::Purchaser])
}
fn finance() -> Actor {
    actor(300, FINANCE, OrgKind::Finance, &[Role::Reviewer])
}
fn bidder(org: i64) -> Actor {
    actor(1000 + org, org, OrgKind::SocialOrganisation, &[Role::Provider])
}
/// Bidder `org` as its organisation record says: an active, verified social organisation.
fn info(org: i64) -> ProviderInfo {
    ProviderInfo {
        org_id: org,
        name: format!("机构{org}"),
        kind: OrgKind::SocialOrganisation,
        active: true,
        class_one: false,
        barred_until: None,
    }
}
fn region(code: &str, level: crate::org::RegionLevel) -> crate::org::Region {
    crate::org::Region { code: code.into(), name: code.into(), level, urban: true, parent: None }
}
/// The district's finance bureau (Yiling): it may not approve another method at or above the threshold.
fn district_finance() -> Authority {
    let r = region("420506", crate::org::RegionLevel::District);
    Authority { org_id: FINANCE, name: "夷陵区财政局".into(), kind: OrgKind::Finance, region: Some(r) }
}
/// The city's finance bureau (Yichang), a city with districts: it may.
fn city_finance() -> Authority {
    let r = region("4205", crate::org::RegionLevel::City);
    Authority { org_id: CITY_FINANCE, name: "宜昌市财政局".into(), kind: OrgKind::Finance, region: Some(r) }
}
/// A reviewer of Yichang's finance bureau, its organisation's level filled in as the store does.
fn city_reviewer() -> Actor {
    Actor {
        org_level: Some(crate::org::RegionLevel::City),
        ..actor(400, CITY_FINANCE, OrgKind::Finance, &[Role::Reviewer])
    }
}
fn expert_user(id: i64) -> Actor {
    actor(id, 900 + id, OrgKind::PublicInstitution, &[Role::Expert])
}
fn pool() -> Vec<Expert> {
    (1..=9)
        .map(|id| Expert {
            id,
            name: format!("专家{id}"),
            categories: vec!["A07".into()],
            org_id: Some(900 + id),
            // Expert 1 worked for bidder 51 until last year: a conflict.
            former_employers: if id == 1 {
                vec![committee::FormerEmployment { org_id: 51, until: day(2024, 6, 30) }]
            } else {
                vec![]
            },
            declared_ties: vec![],
        })
        .collect()
}
fn codes(e: DomainError) -> Vec<String> {
    match &e {
        DomainError::InvalidInput(f) => f.iter().map(|f| f.code.to_string()).collect(),
        other => vec![other.code().to_string()],
    }
}
fn comprehensive() -> Scoring {
    Scoring::Comprehensive {
        price_weight_bp: 3000,
        criteria: vec![
            CriterionSpec { key: "plan".into(), name: "服务方案".into(), weight_bp: 5000 },
            CriterionSpec { key: "team".into(), name: "团队".into(), weight_bp: 2000 },
        ],
    }
}
fn documents(scoring: Scoring) -> Documents {
    Documents {
        requirements: "为辖区独居老人提供每周两次上门探访服务".into(),
        qualifications: "依法登记的社会组织".into(),
        scoring,
        sme_deduction_bp: 1000,
        tie_rule: "服务方案得分高者优先".into(),
        invited: vec![],
        single_source: None,
        framework_members: None,
        admitted_kinds: vec![],
        complex_or_high_impact: false,
    }
}
fn ctx<'a>(rules: &'a Rules, budget: i64, previous: Option<&'a Procurement>) -> StartContext<'a> {
    StartContext {
        project_id: 7,
        project_code: "P-7".into(),
        title: "居家养老探访".into(),
        purchaser_org_id: BUYER,
        purchaser_name: "民政局".into(),
        category: "A0701".into(),
        region: "420506".into(),
        budget: Money::from_yuan(budget),
        same_kind_total: Money::ZERO,
        previous,
        approval: None,
        rules,
    }
}
fn start(method: Method, scoring: Scoring, budget: i64, now: DateTime<Utc>) -> Procurement {
    let rules = Rules::default();
    let input = StartInput { method, documents: documents(scoring), agency_org_id: None };
    Procurement::start(&ctx(&rules, budget, None), input, &buyer(), now).unwrap().0
}
fn opened(bid_id: i64, org: i64, yuan: i64) -> OpenedBid {
    OpenedBid {
        bid_id,
        org_id: org,
        name: format!("机构{org}"),
        price: Money::from_yuan(yuan),
        small_or_micro: false,
        receipt: format!("r{bid_id}"),
    }
}

#[test]
fn open_tender_is_required_at_the_threshold_and_splitting_is_refused() {
    let rules = Rules::default();
    let neg = |budget, same| {
        let mut c = ctx(&rules, budget, None);
        c.same_kind_total = Money::from_yuan(same);
        let input = StartInput {
            method: Method::CompetitiveNegotiation,
            documents: documents(Scoring::LowestPrice),
            agency_org_id: None,
        };
        check_start(&c, &input)
    };
    assert_eq!(codes(neg(2_000_000, 0).unwrap_err()), ["open_tender_required"]);
    assert!(neg(1_999_999, 0).is_ok());
    assert_eq!(codes(neg(1_500_000, 600_000).unwrap_err()), ["split_purchase"]);
    // A province's own threshold applies to its regions.
    let mut local = Rules::default();
    local.region_thresholds.push(crate::rules::RegionThresholds {
        region: "42".into(),
        procurement_limit: None,
        open_tender_threshold: Some(Money::from_yuan(4_000_000)),
    });
    assert_eq!(local.open_tender_threshold_for("420506"), Money::from_yuan(4_000_000));
    assert_eq!(local.open_tender_threshold_for("510100"), Money::from_yuan(2_000_000));
    let c = ctx(&local, 3_000_000, None);
    let input = StartInput {
        method: Method::CompetitiveNegotiation,
        documents: documents(Scoring::LowestPrice),
        agency_org_id: None,
    };
    assert!(check_start(&c, &input).is_ok());
}

#[test]
fn each_method_checks_its_documents() {
    let rules = Rules::default();
    let check = |method, scoring, f: &dyn Fn(&mut Documents)| {
        let mut documents = documents(scoring);
        f(&mut documents);
        check_start(&ctx(&rules, 500_000, None), &StartInput { method, documents, agency_org_id: None })
            .err()
            .map(codes)
            .unwrap_or_default()
    };
    assert_eq!(check(Method::CompetitiveConsultation, Scoring::LowestPrice, &|_| {}), ["comprehensive_required"]);
    assert_eq!(check(Method::RequestForQuotation, comprehensive(), &|_| {}), ["lowest_price_required"]);
    let too_heavy = Scoring::Comprehensive {
        price_weight_bp: 4000,
        criteria: vec![CriterionSpec { key: "plan".into(), name: "方案".into(), weight_bp: 6000 }],
    };
    assert!(!check(Method::CompetitiveConsultation, too_heavy, &|_| {}).is_empty(), "consultation price weight ≤ 30 %");
    assert_eq!(check(Method::InvitedTender, comprehensive(), &|d| d.invited = vec![50, 51]), ["too_few_invited"]);
    assert_eq!(check(Method::SingleSource, Scoring::LowestPrice, &|_| {}), ["required"]);
    assert_eq!(
        check(Method::FrameworkAgreement, comprehensive(), &|d| d.framework_members = Some(1)),
        ["too_few_members"]
    );
    assert!(check(Method::OpenTender, comprehensive(), &|_| {}).is_empty());
}

#[test]
fn the_schedule_keeps_every_minimum_period() {
    let rules = Rules::default();
    let c = cal();
    // Intention on 2025-08-01; tender documents issued 2025-09-12.
    let mut p = start(Method::OpenTender, comprehensive(), 500_000, at(2025, 8, 1, 9));
    let early = p.clone().publish(&buyer(), at(2025, 9, 20, 9), &c, &rules, at(2025, 8, 20, 9)).unwrap_err();
    assert_eq!(early.code(), ErrorCode::IntentionPeriod);
    // 20 days from 2025-09-12 end on 2 Oct, a holiday: the earliest bid deadline day is 9 Oct.
    let short = p.clone().publish(&buyer(), at(2025, 10, 8, 9), &c, &rules, at(2025, 9, 12, 9)).unwrap_err();
    assert_eq!(short.code(), ErrorCode::PeriodTooShort);
    p.publish(&buyer(), at(2025, 10, 9, 9), &c, &rules, at(2025, 9, 12, 9)).unwrap();
    assert_eq!(p.stage, Stage::Bidding);

    let mut q = start(Method::CompetitiveConsultation, comprehensive(), 500_000, at(2025, 8, 1, 9));
    // ≥ 10 days for consultation: 2025-11-03 + 10 = 13 Nov.
    assert!(q.clone().publish(&buyer(), at(2025, 11, 12, 9), &c, &rules, at(2025, 11, 3, 9)).is_err());
    q.publish(&buyer(), at(2025, 11, 13, 9), &c, &rules, at(2025, 11, 3, 9)).unwrap();

    let mut r = start(Method::RequestForQuotation, Scoring::LowestPrice, 500_000, at(2025, 8, 1, 9));
    // ≥ 3 working days: from Friday 2025-09-26, the 3rd working day is Tuesday 30 Sep.
    assert!(r.clone().publish(&buyer(), at(2025, 9, 29, 9), &c, &rules, at(2025, 9, 26, 9)).is_err());
    r.publish(&buyer(), at(2025, 9, 30, 9), &c, &rules, at(2025, 9, 26, 9)).unwrap();
}

#[test]
fn a_late_clarification_moves_the_deadline() {
    let rules = Rules::default();
    let c = cal();
    let mut p = start(Method::OpenTender, comprehensive(), 500_000, at(2025, 8, 1, 9));
    p.publish(&buyer(), at(2025, 10, 9, 9), &c, &rules, at(2025, 9, 12, 9)).unwrap();
    // Not affecting bids: the deadline stays.
    p.clarify(&buyer(), "开标地点改为三楼会议室", None, false, &c, &rules, at(2025, 10, 1, 10)).unwrap();
    assert_eq!(p.bid_deadline, Some(at(2025, 10, 9, 9)));
    // Affecting bids on 2025-09-30: 15 days end on 15 Oct, so the deadline moves there, same hour.
    p.clarify(&buyer(), "服务人次由 500 调整为 600", None, true, &c, &rules, at(2025, 9, 30, 10)).unwrap();
    assert_eq!(p.bid_deadline, Some(at(2025, 10, 15, 9)));
    assert_eq!(p.clarifications.last().unwrap().moved_deadline, Some(at(2025, 10, 15, 9)));
    assert_eq!(p.knew_on(ChallengeAbout::Documents, 50, &rules, &c).unwrap(), Some(day(2025, 10, 1)));
}

#[test]
fn bids_are_taken_only_until_the_deadline_and_opened_only_after_it() {
    let rules = Rules::default();
    let c = cal();
    let mut p = start(Method::OpenTender, comprehensive(), 500_000, at(2025, 8, 1, 9));
    p.publish(&buyer(), at(2025, 10, 9, 9), &c, &rules, at(2025, 9, 12, 9)).unwrap();
    let content =
        BidContent {
            price: Money::from_yuan(400_000), small_or_micro: false, proposal: "方案".into(), files: vec![]
        };
    assert!(p.check_bid_window(&bidder(50), &info(50), Some(&content), at(2025, 10, 9, 8)).is_ok());
    assert_eq!(
        p.check_bid_window(&bidder(50), &info(50), Some(&content), at(2025, 10, 9, 9)).unwrap_err().code(),
        ErrorCode::DeadlinePassed
    );
    assert_eq!(
        p.check_bid_window(&bidder(50), &ProviderInfo { active: false, ..info(50) }, None, at(2025, 10, 1, 9))
            .unwrap_err()
            .code(),
        ErrorCode::ProviderNotVerified
    );
    assert_eq!(
        p.check_bid_window(&buyer(), &info(BUYER), None, at(2025, 10, 1, 9)).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let dear = BidContent { price: Money::from_yuan(500_001), ..content };
    assert_eq!(
        p.check_bid_window(&bidder(50), &info(50), Some(&dear), at(2025, 10, 1, 9)).unwrap_err().code(),
        ErrorCode::PriceAboveBudget
    );
    let bids = vec![opened(1, 50, 400_000), opened(2, 51, 380_000), opened(3, 52, 420_000)];
    let early = p.clone().open(&buyer(), &["监督员".into()], bids.clone(), &rules, at(2025, 10, 9, 8));
    assert_eq!(early.unwrap_err().code(), ErrorCode::BidsSealed);
    assert_eq!(
        p.clone().open(&buyer(), &[], bids.clone(), &rules, at(2025, 10, 9, 9)).unwrap_err().code(),
        ErrorCode::Required
    );
    p.open(&buyer(), &["监督员".into()], bids, &rules, at(2025, 10, 9, 9)).unwrap();
    assert_eq!(p.stage, Stage::Evaluating);
}

#[test]
fn fewer_than_three_bids_fail_and_finance_approves_a_switch() {
    let rules = Rules::default();
    let c = cal();
    let mut p = start(Method::OpenTender, comprehensive(), 500_000, at(2025, 8, 1, 9));
    p.id = 1;
    p.publish(&buyer(), at(2025, 10, 9, 9), &c, &rules, at(2025, 9, 12, 9)).unwrap();
    p.open(&buyer(), &["监督员".into()], vec![opened(1, 50, 1), opened(2, 51, 2)], &rules, at(2025, 10, 9, 10))
        .unwrap();
    assert_eq!((p.stage, p.failure.as_ref().unwrap().code.as_str()), (Stage::Failed, "too_few_bids"));
    // Switching needs finance's approval, recorded.
    let switch_input = || StartInput {
        method: Method::CompetitiveNegotiation,
        documents: documents(Scoring::LowestPrice),
        agency_org_id: None,
    };
    assert_eq!(
        codes(check_start(&ctx(&rules, 500_000, Some(&p)), &switch_input()).unwrap_err()),
        ["method_not_approved"]
    );
    p.request_switch(
        &buyer(),
        Method::CompetitiveNegotiation,
        "公开招标仅两家投标，拟改为竞争性谈判",
        at(2025, 10, 10, 9),
    )
    .unwrap();
    assert_eq!(
        check_start(&ctx(&rules, 500_000, Some(&p)), &switch_input()).unwrap_err().code(),
        ErrorCode::SwitchPending
    );
    assert_eq!(
        p.decide_switch(&buyer(), &district_finance(), true, "", "", &Rules::default(), at(2025, 10, 11, 9))
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden
    );
    p.decide_switch(&finance(), &district_finance(), true, "", "同意", &Rules::default(), at(2025, 10, 11, 9)).unwrap();
    let (next, _) =
        Procurement::start(&ctx(&rules, 500_000, Some(&p)), switch_input(), &buyer(), at(2025, 10, 12, 9)).unwrap();
    assert_eq!(next.replaces, Some(1));
    // A re-procurement does not wait for another purchase intention.
    let mut next = next;
    next.publish(&buyer(), at(2025, 10, 20, 9), &c, &rules, at(2025, 10, 13, 9)).unwrap();
}

fn tender_at_evaluation(prices: [i64; 3]) -> Procurement {
    let rules = Rules::default();
    let c = cal();
    let mut p = start(Method::OpenTender, comprehensive(), 500_000, at(2025, 8, 1, 9));
    p.publish(&buyer(), at(2025, 10, 9, 9), &c, &rules, at(2025, 9, 12, 9)).unwrap();
    let bids = vec![opened(1, 50, prices[0]), opened(2, 51, prices[1]), opened(3, 52, prices[2])];
    p.open(&buyer(), &["监督员".into()], bids, &rules, at(2025, 10, 9, 9)).unwrap();
    p.draw_committee(&buyer(), &pool(), vec![], [7; 32], &rules, at(2025, 10, 9, 10)).unwrap();
    p
}

#[test]
fn the_committee_excludes_conflicts_and_experts_declare_before_seeing_bids() {
    let rules = Rules::default();
    let p0 = tender_at_evaluation([400_000, 380_000, 420_000]);
    let mut p = p0.clone();
    let committee = p.committee.clone().unwrap();
    assert_eq!(committee.members.len(), 5);
    assert!(!committee.members.iter().any(|m| m.user_id == 1), "expert 1 worked for a bidder");
    assert_eq!(committee.draw.excluded.len(), 1);
    assert!(committee::verify(&committee.draw, &pool(), &rules));
    let first = expert_user(committee.members[0].user_id);
    assert_eq!(p.require_reader(&first).unwrap_err().code(), ErrorCode::DeclarationRequired);
    assert_eq!(p.require_reader(&expert_user(1)).unwrap_err().code(), ErrorCode::Forbidden);
    p.declare(&first, true, at(2025, 10, 9, 11)).unwrap();
    assert!(p.require_reader(&first).is_ok());
    // A declared conflict recuses; a replacement is drawn from the rest of the pool.
    let second = expert_user(committee.members[1].user_id);
    p.declare(&second, false, at(2025, 10, 9, 11)).unwrap();
    assert_eq!(p.require_reader(&second).unwrap_err().code(), ErrorCode::DeclarationRequired);
    p.replace_recused(&buyer(), &pool(), [8; 32], &rules, at(2025, 10, 9, 12)).unwrap();
    let c = p.committee.as_ref().unwrap();
    assert_eq!(c.sitting().count(), 5);
    assert!(c.members.iter().all(|m| m.user_id != 1));
}

fn score_all(p: &mut Procurement, marks: &dyn Fn(i64) -> [(i64, &'static str, &'static str); 6]) {
    let members: Vec<i64> = p.committee.as_ref().unwrap().members.iter().map(|m| m.user_id).collect();
    for m in &members {
        p.declare(&expert_user(*m), true, at(2025, 10, 9, 11)).unwrap();
    }
    for bid in 1..=3 {
        p.review_compliance(&expert_user(members[0]), bid, true, "", at(2025, 10, 9, 12)).unwrap();
    }
    for m in members {
        let ms = marks(m).iter().map(|(b, c, s)| (*b, c.to_string(), s.to_string())).collect();
        p.mark(&expert_user(m), ms, at(2025, 10, 9, 13)).unwrap();
    }
}

#[test]
fn a_tender_runs_to_an_award_worked_by_hand() {
    let rules = Rules::default();
    let mut p = tender_at_evaluation([400_000, 380_000, 420_000]);
    // Every expert gives the same marks, so each criterion's mean is that mark.
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
    let members: Vec<i64> = p.committee.as_ref().unwrap().members.iter().map(|m| m.user_id).collect();
    p.finish_evaluation(&expert_user(members[0]), &rules, at(2025, 10, 9, 15)).unwrap();
    assert_eq!(p.stage, Stage::Confirming);
    let o = p.outcome(&rules).unwrap();
    // Base 380,000. Bid 1: 380/400×100×0.3 = 28.5; 90×0.5 + 80×0.2 = 61 → 89.50.
    // Bid 2: 30 + 40 + 16 = 86.00. Bid 3: 380/420×30 = 27.142857…; 47.5 + 18 = 65.5 → 92.64.
    let total = |id| o.bid(id).unwrap().total.unwrap().display();
    assert_eq!((total(1), total(2), total(3)), ("89.50".to_string(), "86.00".to_string(), "92.64".to_string()));
    assert_eq!(o.winners, vec![3]);
    assert_eq!(
        p.confirm_winner(&buyer(), 1, "", &rules, at(2025, 10, 10, 9)).unwrap_err().code(),
        ErrorCode::NotATiedBid
    );
    p.confirm_winner(&buyer(), 3, "", &rules, at(2025, 10, 10, 9)).unwrap();
    let w = &p.award.as_ref().unwrap().winner;
    assert_eq!((w.org_id, w.price, w.score.as_deref()), (52, Money::from_yuan(420_000), Some("92.64")));
    // Confirmation is due 5 working days after the report: no duty remains.
    assert!(p.duties(&rules, &cal(), day(2025, 10, 30)).is_empty());
}

#[test]
fn a_tie_needs_the_purchasers_recorded_pick() {
    let rules = Rules::default();
    let mut p = tender_at_evaluation([400_000, 400_000, 420_000]);
    score_all(&mut p, &|_| {
        [
            (1, "plan", "90"),
            (1, "team", "80"),
            (2, "plan", "90"),
            (2, "team", "80"),
            (3, "plan", "60"),
            (3, "team", "60"),
        ]
    });
    let first = p.committee.as_ref().unwrap().members[0].user_id;
    p.finish_evaluation(&expert_user(first), &rules, at(2025, 10, 9, 15)).unwrap();
    assert_eq!(p.outcome(&rules).unwrap().winners, vec![1, 2]);
    assert_eq!(
        p.confirm_winner(&buyer(), 2, "", &rules, at(2025, 10, 10, 9)).unwrap_err().code(),
        ErrorCode::TieReasonRequired
    );
    // The duty to confirm is overdue after 5 working days: report on 9 Oct 2025 → due 15 Oct (Saturday 11 Oct
    // was an adjusted working day).
    assert!(!p.duties(&rules, &cal(), day(2025, 10, 15))[0].overdue);
    let duties = p.duties(&rules, &cal(), day(2025, 10, 16));
    assert_eq!((duties[0].code, duties[0].due, duties[0].overdue), ("confirm_winner", day(2025, 10, 15), true));
    holders_are_in_the_facts(&p, &duties);
    p.confirm_winner(&buyer(), 2, "依采购文件，服务方案得分相同时抽签决定，抽中 2 号", &rules, at(2025, 10, 10, 9))
        .unwrap();
    assert!(p.award.as_ref().unwrap().winner.tie_reason.is_some());
}

#[test]
fn too_few_qualified_bids_fail_after_evaluation() {
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
    assert_eq!(
        p.review_compliance(&first, 2, false, "", at(2025, 10, 9, 14)).unwrap_err().code(),
        ErrorCode::ReasonRequired
    );
    p.review_compliance(&first, 2, false, "资格证明缺失", at(2025, 10, 9, 14)).unwrap();
    p.finish_evaluation(&first, &rules, at(2025, 10, 9, 15)).unwrap();
    assert_eq!((p.stage, p.failure.as_ref().unwrap().code.as_str()), (Stage::Failed, "too_few_qualified"));
}

#[test]
fn negotiation_runs_rounds_then_sealed_final_offers() {
    let rules = Rules::default();
    let c = cal();
    let mut p = start(Method::CompetitiveNegotiation, Scoring::LowestPrice, 500_000, at(2025, 8, 1, 9));
    p.publish(&buyer(), at(2025, 9, 30, 9), &c, &rules, at(2025, 9, 26, 9)).unwrap();
    let bids = vec![opened(1, 50, 450_000), opened(2, 51, 430_000), opened(3, 52, 440_000), opened(4, 53, 460_000)];
    p.open(&buyer(), &["监督员".into()], bids, &rules, at(2025, 9, 30, 9)).unwrap();
    assert_eq!(p.stage, Stage::Negotiating);
    p.draw_committee(&buyer(), &pool(), vec![], [3; 32], &rules, at(2025, 9, 30, 10)).unwrap();
    assert_eq!(p.committee.as_ref().unwrap().members.len(), 3, "a panel of 3 below the open-tender threshold");
    let lead = expert_user(p.committee.as_ref().unwrap().members[0].user_id);
    assert_eq!(
        p.record_round(&lead, "第一轮谈判", at(2025, 9, 30, 11)).unwrap_err().code(),
        ErrorCode::DeclarationRequired
    );
    for m in p.committee.clone().unwrap().members {
        p.declare(&expert_user(m.user_id), true, at(2025, 9, 30, 10)).unwrap();
    }
    assert_eq!(
        p.call_final_offers(&lead, at(2025, 9, 30, 16), at(2025, 9, 30, 11)).unwrap_err().code(),
        ErrorCode::RoundRequired
    );
    p.record_round(&lead, "第一轮：逐一澄清服务频次", at(2025, 9, 30, 11)).unwrap();
    p.call_final_offers(&lead, at(2025, 9, 30, 16), at(2025, 9, 30, 11)).unwrap();
    assert_eq!(p.sealed_until(), Some(at(2025, 9, 30, 16)));
    assert_eq!(
        p.check_bid_window(&bidder(60), &info(60), None, at(2025, 9, 30, 12)).unwrap_err().code(),
        ErrorCode::NotABidder
    );
    assert!(p.check_bid_window(&bidder(50), &info(50), None, at(2025, 9, 30, 12)).is_ok());
    // Bidder 52 made no final offer: it is out; three final offers remain (财政部令第74号 §33).
    let finals = vec![opened(11, 50, 420_000), opened(12, 51, 425_000), opened(13, 53, 430_000)];
    p.open(&buyer(), &["监督员".into()], finals, &rules, at(2025, 9, 30, 16)).unwrap();
    assert_eq!(p.stage, Stage::Evaluating);
    for b in [11, 12, 13] {
        p.review_compliance(&lead, b, true, "", at(2025, 9, 30, 17)).unwrap();
    }
    p.finish_evaluation(&lead, &rules, at(2025, 9, 30, 17)).unwrap();
    assert_eq!(p.outcome(&rules).unwrap().winners, vec![11]);
    p.confirm_winner(&buyer(), 11, "", &rules, at(2025, 10, 9, 9)).unwrap();
    assert_eq!(p.award.as_ref().unwrap().winner.price, Money::from_yuan(420_000));
}

#[test]
fn single_source_needs_five_working_days_of_notice() {
    let rules = Rules::default();
    let c = cal();
    let mut doc = documents(Scoring::LowestPrice);
    doc.single_source = Some(SingleSource {
        case: SingleSourceCase::OnlyOneSupplier,
        provider_org_id: 50,
        provider_name: "唯一机构".into(),
        justification: "辖区内仅该机构具备失独家庭心理援助资质与持续服务记录".into(),
    });
    let input = StartInput { method: Method::SingleSource, documents: doc, agency_org_id: None };
    let mut p = Procurement::start(&ctx(&rules, 300_000, None), input, &buyer(), at(2025, 8, 1, 9)).unwrap().0;
    p.publish(&buyer(), at(2025, 9, 1, 9), &c, &rules, at(2025, 9, 26, 9)).unwrap();
    assert_eq!(p.stage, Stage::Notice);
    // From Friday 26 Sep 2025: 28 Sep (a worked Sunday), 29, 30 Sep, then after the holiday 9 and 10 Oct.
    assert_eq!(p.bid_deadline, Some(crate::calendar::end_of_day(day(2025, 10, 10))));
    let minutes = "经协商，服务价格由 30 万元降为 28 万元";
    assert_eq!(
        p.record_negotiation(&buyer(), Money::from_yuan(280_000), minutes, None, &c, &rules, at(2025, 10, 10, 9))
            .unwrap_err()
            .code(),
        ErrorCode::NoticeRunning
    );
    // A challenge during the notice must be answered first.
    p.challenge(
        &bidder(60),
        "机构60",
        ChallengeAbout::Documents,
        "本机构同样具备该项服务能力",
        &c,
        &rules,
        at(2025, 9, 29, 9),
    )
    .unwrap();
    assert_eq!(
        p.record_negotiation(&buyer(), Money::from_yuan(280_000), minutes, None, &c, &rules, at(2025, 10, 13, 9))
            .unwrap_err()
            .code(),
        ErrorCode::ChallengeOpen
    );
    p.reply(&buyer(), 1, "经核实该机构不具备相应资质，质疑不成立", false, at(2025, 10, 9, 9)).unwrap();
    p.record_negotiation(&buyer(), Money::from_yuan(280_000), minutes, None, &c, &rules, at(2025, 10, 13, 9)).unwrap();
    assert_eq!(p.award.as_ref().unwrap().winner.org_id, 50);
}

#[test]
fn a_framework_admits_several_and_calls_off_within_its_budget() {
    let rules = Rules::default();
    let c = cal();
    let mut doc = documents(comprehensive());
    doc.framework_members = Some(2);
    let input = StartInput { method: Method::FrameworkAgreement, documents: doc, agency_org_id: None };
    let mut p = Procurement::start(&ctx(&rules, 500_000, None), input, &buyer(), at(2025, 8, 1, 9)).unwrap().0;
    p.publish(&buyer(), at(2025, 10, 9, 9), &c, &rules, at(2025, 9, 12, 9)).unwrap();
    let bids = vec![opened(1, 50, 400_000), opened(2, 51, 380_000), opened(3, 52, 420_000)];
    p.open(&buyer(), &["监督员".into()], bids, &rules, at(2025, 10, 9, 9)).unwrap();
    p.draw_committee(&buyer(), &pool(), vec![], [7; 32], &rules, at(2025, 10, 9, 10)).unwrap();
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
    p.finish_evaluation(&first, &rules, at(2025, 10, 9, 15)).unwrap();
    p.confirm_winner(&buyer(), 3, "", &rules, at(2025, 10, 10, 9)).unwrap();
    let members: Vec<i64> = p.award.as_ref().unwrap().members.iter().map(|m| m.org_id).collect();
    assert_eq!(members, vec![52, 50]);
    p.call_off(&buyer(), 50, Money::from_yuan(300_000), "张某某家庭：助浴", at(2025, 10, 20, 9)).unwrap();
    assert_eq!(
        codes(p.call_off(&buyer(), 51, Money::from_yuan(1), "助餐", at(2025, 10, 20, 9)).unwrap_err()),
        ["not_a_member"]
    );
    assert_eq!(
        codes(p.call_off(&buyer(), 52, Money::from_yuan(200_001), "助餐", at(2025, 10, 20, 9)).unwrap_err()),
        ["framework_exhausted"]
    );
}

#[test]
fn challenges_replies_and_complaints_keep_their_deadlines() {
    let rules = Rules::default();
    let c = cal();
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
    // Result on 30 Sep 2025; its notice period ends on 9 Oct and 7 working days after that on 17 Oct.
    let late = p.clone().challenge(
        &bidder(50),
        "机构50",
        ChallengeAbout::Result,
        "评分有误，请复核",
        &c,
        &rules,
        at(2025, 10, 20, 9),
    );
    assert_eq!(late.unwrap_err().code(), ErrorCode::ChallengeLate);
    assert_eq!(
        p.clone()
            .challenge(
                &bidder(77),
                "机构77",
                ChallengeAbout::Result,
                "评分有误，请复核",
                &c,
                &rules,
                at(2025, 10, 9, 9)
            )
            .unwrap_err()
            .code(),
        ErrorCode::NotAParticipant
    );
    p.challenge(
        &bidder(50),
        "机构50",
        ChallengeAbout::Result,
        "评分有误，请复核服务方案得分",
        &c,
        &rules,
        at(2025, 10, 16, 9),
    )
    .unwrap();
    // Reply due 7 working days after 16 Oct: 27 Oct. Complaining before then is premature.
    let duties = p.duties(&rules, &c, day(2025, 10, 28));
    assert_eq!((duties[0].code, duties[0].due, duties[0].overdue), ("reply_challenge", day(2025, 10, 27), true));
    holders_are_in_the_facts(&p, &duties);
    assert_eq!(
        p.complain(&bidder(50), 1, "采购人未答复质疑", &c, &rules, at(2025, 10, 27, 9)).unwrap_err().code(),
        ErrorCode::ReplyPending
    );
    assert_eq!(
        p.complain(&bidder(51), 1, "采购人未答复质疑", &c, &rules, at(2025, 10, 28, 9)).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    // 15 working days after the reply was due (27 Oct): 17 Nov.
    assert_eq!(
        p.clone().complain(&bidder(50), 1, "采购人未答复质疑", &c, &rules, at(2025, 11, 18, 9)).unwrap_err().code(),
        ErrorCode::ComplaintLate
    );
    p.complain(&bidder(50), 1, "采购人逾期未答复质疑，请求复核评分", &c, &rules, at(2025, 11, 17, 9)).unwrap();
    // Finance: 30 working days from 17 Nov → 29 Dec; a 3-working-day pause moves it to 1 Jan → 5 Jan 2026?
    let due = |p: &Procurement| Procurement::decision_due(&p.challenges[0], &rules, &c).unwrap().unwrap().date;
    assert_eq!(due(&p), day(2025, 12, 29));
    let duties = p.duties(&rules, &c, day(2025, 11, 20));
    assert!(duties.iter().any(|d| d.holder == Holder::Finance));
    holders_are_in_the_facts(&p, &duties);
    p.pause_complaint(&finance(), 1, day(2025, 11, 24), day(2025, 11, 26), at(2025, 11, 24, 9)).unwrap();
    assert_eq!(due(&p), day(2026, 1, 4), "three paused working days; 1 Jan is a holiday and 4 Jan a worked Sunday");
    assert_eq!(
        codes(p.suspend(&finance(), 1, day(2025, 12, 20), &rules, at(2025, 11, 18, 9)).unwrap_err()),
        ["suspension_too_long"]
    );
    p.suspend(&finance(), 1, day(2025, 12, 18), &rules, at(2025, 11, 18, 9)).unwrap();
    assert!(p.suspended_on(day(2025, 12, 1)).is_some());
    assert_eq!(
        p.call_off(&buyer(), 52, Money::from_yuan(1), "x", at(2025, 12, 1, 9)).unwrap_err().code(),
        ErrorCode::NotAFramework
    );
    let bad = p.decide_complaint(&finance(), 1, true, None, "评分确有错误，投诉成立", at(2025, 12, 1, 9)).unwrap_err();
    assert_eq!(codes(bad), ["required"]);
    assert_eq!(
        p.decide_complaint(&buyer(), 1, false, None, "理由充分的驳回决定", at(2025, 12, 1, 9)).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    p.decide_complaint(&finance(), 1, true, Some(Consequence::AwardVoid), "服务方案评分计算错误", at(2025, 12, 1, 9))
        .unwrap();
    assert!(p.award.as_ref().unwrap().void);
    assert_eq!(p.stage, Stage::Failed);
    assert!(p.suspended_on(day(2025, 12, 2)).is_none(), "the decision ends the suspension");
    assert!(p.duties(&rules, &c, day(2025, 12, 2)).is_empty());
    assert_eq!(p.facts().awaits, 0, "nobody holds a duty on a failed procurement");
}

/// A work queue finds a procurement by the holders in its facts: each duty's holder must be there.
fn holders_are_in_the_facts(p: &Procurement, duties: &[Duty]) {
    assert!(!duties.is_empty());
    for d in duties {
        assert_ne!(p.facts().awaits & holder_bit(d.holder), 0, "{} held by {:?}", d.code, d.holder);
    }
}

#[test]
fn each_member_sees_their_own_committee_work() {
    let rules = Rules::default();
    let mut p = tender_at_evaluation([400_000, 380_000, 420_000]);
    let members: Vec<i64> = p.committee.as_ref().unwrap().members.iter().map(|m| m.user_id).collect();
    let (first, second) = (members[0], members[1]);
    assert_eq!(p.member_tasks(first), vec![MemberTask::Declare]);
    assert!(p.member_tasks(1).is_empty(), "not on the committee");
    p.declare(&expert_user(first), true, at(2025, 10, 9, 11)).unwrap();
    assert_eq!(p.member_tasks(first), vec![MemberTask::Compliance, MemberTask::Mark]);
    assert_eq!(p.member_tasks(second), vec![MemberTask::Declare], "the others still declare");
    for bid in 1..=3 {
        p.review_compliance(&expert_user(first), bid, true, "", at(2025, 10, 9, 12)).unwrap();
    }
    let marks: Vec<(i64, String, String)> = (1..=3)
        .flat_map(|b| [(b, "plan".to_string(), "80".to_string()), (b, "team".to_string(), "80".to_string())])
        .collect();
    p.mark(&expert_user(first), marks.clone(), at(2025, 10, 9, 13)).unwrap();
    assert_eq!(p.member_tasks(first), vec![MemberTask::Report], "only the report is left");
    for m in &members[1..] {
        p.declare(&expert_user(*m), true, at(2025, 10, 9, 11)).unwrap();
        assert_eq!(p.member_tasks(*m), vec![MemberTask::Mark]);
        p.mark(&expert_user(*m), marks.clone(), at(2025, 10, 9, 13)).unwrap();
    }
    p.finish_evaluation(&expert_user(first), &rules, at(2025, 10, 9, 15)).unwrap();
    assert!(members.iter().all(|m| p.member_tasks(*m).is_empty()), "nothing once the report is in");
}
