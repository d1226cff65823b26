//! Item: competitive procedures — final offers from at least 3 suppliers except where the rules allow 2
//! (财政部令第74号 §27 and §33, 财库〔2015〕124号); each method's clarification period (财政部令第87号 §27,
//! 财库〔2014〕214号 §10, 财政部令第74号 §29 and §46); the committee's size from the region's threshold and the
//! purchaser's mark of a complex or high-impact tender (财政部令第87号 §47).

use super::*;

/// A negotiation or consultation (budget 500,000 yuan) opened on 30 Sep 2025 with `first` responses and a panel
/// that has declared and recorded a round; the final offers are called for 16:00 that day.
fn at_final_offers(method: Method, scoring: Scoring, first: usize, previous: Option<&Procurement>) -> Procurement {
    let rules = Rules::default();
    let c = cal();
    let input = StartInput { method, documents: documents(scoring), agency_org_id: None };
    let mut p = Procurement::start(&ctx(&rules, 500_000, previous), input, &buyer(), at(2025, 8, 1, 9)).unwrap().0;
    let deadline = if method == Method::CompetitiveConsultation { at(2025, 10, 13, 9) } else { at(2025, 9, 30, 9) };
    p.publish(&buyer(), deadline, &c, &rules, at(2025, 9, 26, 9).min(deadline - chrono::TimeDelta::days(17))).unwrap();
    let bids: Vec<OpenedBid> = (0..first).map(|i| opened(i as i64 + 1, 50 + i as i64, 450_000)).collect();
    p.open(&buyer(), &["监督员".into()], bids, &rules, deadline).unwrap();
    if p.stage == Stage::Failed {
        return p;
    }
    p.draw_committee(&buyer(), &pool(), vec![], [3; 32], &rules, deadline).unwrap();
    for m in p.committee.clone().unwrap().members {
        p.declare(&expert_user(m.user_id), true, deadline).unwrap();
    }
    let lead = expert_user(p.committee.as_ref().unwrap().members[0].user_id);
    p.record_round(&lead, "第一轮：逐一澄清服务频次", deadline).unwrap();
    p.call_final_offers(&lead, deadline + chrono::TimeDelta::hours(7), deadline).unwrap();
    p
}

fn consultation_scoring() -> Scoring {
    Scoring::Comprehensive {
        price_weight_bp: 2000,
        criteria: vec![CriterionSpec { key: "plan".into(), name: "服务方案".into(), weight_bp: 8000 }],
    }
}

#[test]
fn final_offers_need_three_suppliers_in_a_negotiation() {
    let rules = Rules::default();
    let mut p = at_final_offers(Method::CompetitiveNegotiation, Scoring::LowestPrice, 3, None);
    let t = p.final_deadline.unwrap();
    p.open(&buyer(), &["监督员".into()], vec![opened(11, 50, 420_000), opened(12, 51, 425_000)], &rules, t).unwrap();
    assert_eq!((p.stage, p.failure.as_ref().map(|f| f.code.as_str())), (Stage::Failed, Some("too_few_bids")));
}

#[test]
fn a_consultation_for_services_may_go_on_with_two_suppliers() {
    let rules = Rules::default();
    // Two responses are enough to open (财库〔2015〕124号) …
    let mut p = at_final_offers(Method::CompetitiveConsultation, consultation_scoring(), 2, None);
    assert_eq!(p.stage, Stage::FinalOffers);
    let t = p.final_deadline.unwrap();
    // … and two final offers to evaluate; one is not.
    let one = p.clone().open(&buyer(), &["监督员".into()], vec![opened(11, 50, 420_000)], &rules, t);
    assert!(one.is_ok());
    p.open(&buyer(), &["监督员".into()], vec![opened(11, 50, 420_000), opened(12, 51, 425_000)], &rules, t).unwrap();
    assert_eq!(p.stage, Stage::Evaluating);
    let mut q = at_final_offers(Method::CompetitiveConsultation, consultation_scoring(), 2, None);
    q.open(&buyer(), &["监督员".into()], vec![opened(11, 50, 420_000)], &rules, t).unwrap();
    assert_eq!((q.stage, q.failure.as_ref().map(|f| f.code.as_str())), (Stage::Failed, Some("too_few_bids")));
}

#[test]
fn a_negotiation_after_a_failed_open_tender_may_go_on_with_two_suppliers() {
    let rules = Rules::default();
    let c = cal();
    let mut failed = start(Method::OpenTender, comprehensive(), 500_000, at(2025, 6, 1, 9));
    failed.id = 1;
    failed.publish(&buyer(), at(2025, 8, 1, 9), &c, &rules, at(2025, 7, 8, 9)).unwrap();
    failed
        .open(&buyer(), &["监督员".into()], vec![opened(1, 50, 1), opened(2, 51, 2)], &rules, at(2025, 8, 1, 9))
        .unwrap();
    failed
        .request_switch(
            &buyer(),
            Method::CompetitiveNegotiation,
            "公开招标仅两家投标，申请改为竞争性谈判",
            at(2025, 8, 2, 9),
        )
        .unwrap();
    failed
        .decide_switch(&finance(), &district_finance(), true, "", "同意", &Rules::default(), at(2025, 8, 3, 9))
        .unwrap();
    let mut p = at_final_offers(Method::CompetitiveNegotiation, Scoring::LowestPrice, 2, Some(&failed));
    assert_eq!(p.stage, Stage::FinalOffers);
    let t = p.final_deadline.unwrap();
    p.open(&buyer(), &["监督员".into()], vec![opened(11, 50, 420_000), opened(12, 51, 425_000)], &rules, t).unwrap();
    assert_eq!(p.stage, Stage::Evaluating);
    let lead = expert_user(p.committee.as_ref().unwrap().members[0].user_id);
    for b in [11, 12] {
        p.review_compliance(&lead, b, true, "", t).unwrap();
    }
    p.finish_evaluation(&lead, &rules, t).unwrap();
    assert_eq!(p.stage, Stage::Confirming);
}

#[test]
fn final_offers_evaluated_need_three_qualified_in_a_negotiation() {
    let rules = Rules::default();
    let mut p = at_final_offers(Method::CompetitiveNegotiation, Scoring::LowestPrice, 3, None);
    let t = p.final_deadline.unwrap();
    let finals = vec![opened(11, 50, 420_000), opened(12, 51, 425_000), opened(13, 52, 430_000)];
    p.open(&buyer(), &["监督员".into()], finals, &rules, t).unwrap();
    let lead = expert_user(p.committee.as_ref().unwrap().members[0].user_id);
    p.review_compliance(&lead, 11, true, "", t).unwrap();
    p.review_compliance(&lead, 12, true, "", t).unwrap();
    p.review_compliance(&lead, 13, false, "未提供服务人员资质证明", t).unwrap();
    p.finish_evaluation(&lead, &rules, t).unwrap();
    assert_eq!((p.stage, p.failure.as_ref().map(|f| f.code.as_str())), (Stage::Failed, Some("too_few_qualified")));
}

#[test]
fn a_consultation_clarification_keeps_five_days() {
    let (rules, c) = (Rules::default(), cal());
    let mut p = start(Method::CompetitiveConsultation, consultation_scoring(), 500_000, at(2025, 8, 1, 9));
    p.publish(&buyer(), at(2025, 11, 13, 9), &c, &rules, at(2025, 11, 3, 9)).unwrap();
    // Six days before the deadline: nothing moves.
    p.clarify(&buyer(), "服务人次由 500 调整为 600", None, true, &c, &rules, at(2025, 11, 7, 10)).unwrap();
    assert_eq!(p.bid_deadline, Some(at(2025, 11, 13, 9)));
    // On 10 Nov: 5 days end on Saturday 15 Nov, so on Monday 17 Nov, same hour.
    p.clarify(&buyer(), "服务人次由 600 调整为 650", None, true, &c, &rules, at(2025, 11, 10, 10)).unwrap();
    assert_eq!(p.bid_deadline, Some(at(2025, 11, 17, 9)));
}

#[test]
fn a_quotation_or_negotiation_clarification_keeps_three_working_days() {
    let (rules, c) = (Rules::default(), cal());
    for method in [Method::RequestForQuotation, Method::CompetitiveNegotiation] {
        let mut p = start(method, Scoring::LowestPrice, 500_000, at(2025, 8, 1, 9));
        p.publish(&buyer(), at(2025, 9, 30, 9), &c, &rules, at(2025, 9, 26, 9)).unwrap();
        // From Friday 26 Sep: Sun 28 (worked), 29, 30 Sep — the deadline keeps its 3 working days.
        p.clarify(&buyer(), "服务人次由 500 调整为 600", None, true, &c, &rules, at(2025, 9, 26, 10)).unwrap();
        assert_eq!(p.bid_deadline, Some(at(2025, 9, 30, 9)), "{method:?}");
        // From 29 Sep: 30 Sep, then 9 and 10 Oct after the holiday.
        p.clarify(&buyer(), "服务人次由 600 调整为 650", None, true, &c, &rules, at(2025, 9, 29, 10)).unwrap();
        assert_eq!(p.bid_deadline, Some(at(2025, 10, 10, 9)), "{method:?}");
    }
}

#[test]
fn the_panel_size_follows_the_regions_open_tender_threshold() {
    // Hubei (42) sets 4,000,000 yuan: a 3,000,000-yuan consultation there is below it and needs a panel of 3.
    let mut rules = Rules::default();
    rules.region_thresholds.push(crate::rules::RegionThresholds {
        region: "42".into(),
        procurement_limit: None,
        open_tender_threshold: Some(Money::from_yuan(4_000_000)),
    });
    let c = cal();
    let input = StartInput {
        method: Method::CompetitiveConsultation,
        documents: documents(consultation_scoring()),
        agency_org_id: None,
    };
    let mut p = Procurement::start(&ctx(&rules, 3_000_000, None), input, &buyer(), at(2025, 8, 1, 9)).unwrap().0;
    p.publish(&buyer(), at(2025, 11, 13, 9), &c, &rules, at(2025, 11, 3, 9)).unwrap();
    let bids = vec![opened(1, 50, 2_900_000), opened(2, 51, 2_800_000), opened(3, 52, 2_700_000)];
    p.open(&buyer(), &["监督员".into()], bids, &rules, at(2025, 11, 13, 9)).unwrap();
    p.draw_committee(&buyer(), &pool(), vec![], [3; 32], &rules, at(2025, 11, 13, 10)).unwrap();
    assert_eq!(p.committee.as_ref().unwrap().members.len(), 3);
}

#[test]
fn a_tender_marked_complex_or_of_high_impact_draws_seven() {
    let rules = Rules::default();
    let c = cal();
    let mut d = documents(comprehensive());
    d.complex_or_high_impact = true;
    let input = StartInput { method: Method::OpenTender, documents: d, agency_org_id: None };
    let mut p = Procurement::start(&ctx(&rules, 500_000, None), input, &buyer(), at(2025, 8, 1, 9)).unwrap().0;
    p.publish(&buyer(), at(2025, 10, 9, 9), &c, &rules, at(2025, 9, 12, 9)).unwrap();
    let bids = vec![opened(1, 50, 400_000), opened(2, 51, 380_000), opened(3, 52, 420_000)];
    p.open(&buyer(), &["监督员".into()], bids, &rules, at(2025, 10, 9, 9)).unwrap();
    p.draw_committee(&buyer(), &pool(), vec![], [7; 32], &rules, at(2025, 10, 9, 10)).unwrap();
    assert_eq!(p.committee.as_ref().unwrap().members.len(), 7);
}
