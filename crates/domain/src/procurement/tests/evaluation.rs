//! Item: evaluation — the purchaser's representatives score like the experts (财政部令第87号 §46); an
//! abnormally low price is the committee's to judge (财政部令第87号 §60), thresholds only prompt it; the
//! small-business price deduction for services is 10–20 % (财库〔2022〕19号).

use super::*;
use crate::error::ErrorCode;

fn all_marks(p: &Procurement) -> Vec<(i64, String, String)> {
    p.evaluated_bids()
        .iter()
        .flat_map(|b| {
            [(b.bid_id, "plan".to_string(), "80".to_string()), (b.bid_id, "team".to_string(), "80".to_string())]
        })
        .collect()
}

#[test]
fn the_purchasers_representative_scores_like_the_experts() {
    let rules = Rules::default();
    let c = cal();
    let mut p = start(Method::OpenTender, comprehensive(), 500_000, at(2025, 8, 1, 9));
    p.publish(&buyer(), at(2025, 10, 9, 9), &c, &rules, at(2025, 9, 12, 9)).unwrap();
    let bids = vec![opened(1, 50, 400_000), opened(2, 51, 380_000), opened(3, 52, 420_000)];
    p.open(&buyer(), &["监督员".into()], bids, &rules, at(2025, 10, 9, 9)).unwrap();
    let rep = Member { user_id: 101, name: "采购人代表".into(), expert: false };
    p.draw_committee(&buyer(), &pool(), vec![rep], [7; 32], &rules, at(2025, 10, 9, 10)).unwrap();
    let members = p.committee.clone().unwrap().members;
    assert_eq!((members.len(), members.iter().filter(|m| !m.expert).count()), (5, 1));
    let t = at(2025, 10, 9, 11);
    let experts: Vec<Actor> = members.iter().filter(|m| m.expert).map(|m| expert_user(m.user_id)).collect();
    for e in &experts {
        p.declare(e, true, t).unwrap();
        let marks = all_marks(&p);
        p.mark(e, marks, t).unwrap();
    }
    for b in 1..=3 {
        p.review_compliance(&experts[0], b, true, "", t).unwrap();
    }
    // The report waits for the representative's marks too, which its work queue shows.
    assert_eq!(p.member_tasks(101), vec![MemberTask::Mark]);
    assert_eq!(p.clone().finish_evaluation(&experts[0], &rules, t).unwrap_err().code(), ErrorCode::MarksMissing);
    let rep = actor(101, BUYER, OrgKind::CivilAffairs, &[Role::Purchaser]);
    let marks = all_marks(&p);
    p.mark(&rep, marks, t).unwrap();
    p.finish_evaluation(&experts[0], &rules, t).unwrap();
    assert_eq!(p.stage, Stage::Confirming);
}

#[test]
fn thresholds_only_prompt_the_committee_about_a_low_price() {
    let rules = Rules::default();
    // 200,000 is far below the others' mean (390,000): the thresholds flag it, but the bid stands and, with
    // equal marks, wins on price until the committee finds otherwise.
    let mut p = tender_at_evaluation([400_000, 380_000, 200_000]);
    score_all(&mut p, &|_| {
        [
            (1, "plan", "80"),
            (1, "team", "80"),
            (2, "plan", "80"),
            (2, "team", "80"),
            (3, "plan", "80"),
            (3, "team", "80"),
        ]
    });
    let o = p.outcome(&rules).unwrap();
    let low = o.bid(3).unwrap();
    assert!(low.abnormally_low && !low.void, "{low:?}");
    assert_eq!(o.winners, vec![3]);
}

#[test]
fn the_small_business_deduction_for_services_is_ten_to_twenty_percent() {
    let rules = Rules::default();
    let check = |bp: u32| {
        let mut d = documents(comprehensive());
        d.sme_deduction_bp = bp;
        check_start(
            &ctx(&rules, 500_000, None),
            &StartInput { method: Method::OpenTender, documents: d, agency_org_id: None },
        )
        .err()
        .map(codes)
        .unwrap_or_default()
    };
    assert_eq!(check(999), ["out_of_range"]);
    assert!(check(1000).is_empty() && check(2000).is_empty());
    assert_eq!(check(2001), ["out_of_range"]);
}

/// A tender at evaluation whose bid 3 (bidder 52) is priced far below the others, reviewed and scored equally.
fn low_bid_tender() -> Procurement {
    let mut p = tender_at_evaluation([400_000, 380_000, 200_000]);
    score_all(&mut p, &|_| {
        [
            (1, "plan", "80"),
            (1, "team", "80"),
            (2, "plan", "80"),
            (2, "team", "80"),
            (3, "plan", "80"),
            (3, "team", "80"),
        ]
    });
    p
}

#[test]
fn the_committee_asks_for_a_written_explanation_and_voids_only_an_unjustified_price() {
    let rules = Rules::default();
    let mut p = low_bid_tender();
    let lead = expert_user(p.committee.as_ref().unwrap().members[0].user_id);
    let (t, due) = (at(2025, 10, 9, 14), at(2025, 10, 10, 12));
    assert!(p.evaluated_at.is_some(), "every review and mark is in");
    assert_eq!(codes(p.clone().flag_low_price(&lead, 3, "报价", due, t).unwrap_err()), ["required"]);
    assert_eq!(
        codes(p.clone().flag_low_price(&lead, 3, "报价明显低于其他投标", t, t).unwrap_err()),
        ["deadline_in_past"]
    );
    assert_eq!(
        p.clone().flag_low_price(&bidder(52), 3, "报价明显低于其他投标", due, t).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    p.flag_low_price(&lead, 3, "报价明显低于其他投标人，可能影响服务质量", due, t).unwrap();
    assert!(p.evaluated_at.is_none(), "a price to judge reopens the evaluation");
    assert_eq!(p.member_tasks(lead.user_id), vec![MemberTask::LowPrice]);
    assert_eq!(
        p.clone().flag_low_price(&lead, 3, "再次要求说明", due, t).unwrap_err().code(),
        ErrorCode::LowPriceFlagged
    );
    // The report waits for the committee's finding, which waits for the explanation or its deadline.
    assert_eq!(p.clone().finish_evaluation(&lead, &rules, t).unwrap_err().code(), ErrorCode::LowPricePending);
    assert_eq!(
        p.clone().decide_low_price(&lead, 3, false, "未作说明", t).unwrap_err().code(),
        ErrorCode::ExplanationPending
    );
    // Only the bidder asked explains, before the deadline.
    assert_eq!(
        p.clone().explain_low_price(&bidder(50), "本机构报价依据充分合理可靠", t).unwrap_err().code(),
        ErrorCode::NotFound
    );
    let late = p.clone().explain_low_price(&bidder(52), "本机构报价依据充分合理可靠", due);
    assert_eq!(late.unwrap_err().code(), ErrorCode::ExplanationLate);
    p.explain_low_price(&bidder(52), "本机构有志愿者团队承担部分服务，人员成本较低，附成本测算表", t).unwrap();
    // Found justified: the bid stands and wins on price.
    let mut kept = p.clone();
    kept.decide_low_price(&lead, 3, true, "", t).unwrap();
    kept.finish_evaluation(&lead, &rules, t).unwrap();
    assert_eq!(kept.outcome(&rules).unwrap().winners, vec![3]);
    // Found unjustified (with a reason): the bid is void and the next wins.
    assert_eq!(codes(p.clone().decide_low_price(&lead, 3, false, "", t).unwrap_err()), ["reason_required"]);
    p.decide_low_price(&lead, 3, false, "成本测算未包含社工薪酬，不能证明报价合理", t).unwrap();
    assert_eq!(p.clone().decide_low_price(&lead, 3, true, "", t).unwrap_err().code(), ErrorCode::LowPriceDecided);
    p.finish_evaluation(&lead, &rules, t).unwrap();
    let o = p.outcome(&rules).unwrap();
    assert!(o.bid(3).unwrap().void && o.bid(3).unwrap().rank.is_none());
    assert_eq!(o.winners, vec![2]);
}

#[test]
fn without_an_explanation_by_the_deadline_the_committee_may_void_the_bid() {
    let rules = Rules::default();
    let mut p = low_bid_tender();
    let lead = expert_user(p.committee.as_ref().unwrap().members[0].user_id);
    p.flag_low_price(&lead, 3, "报价明显低于其他投标人", at(2025, 10, 10, 12), at(2025, 10, 9, 14)).unwrap();
    p.decide_low_price(&lead, 3, false, "投标人逾期未提交书面说明", at(2025, 10, 10, 12)).unwrap();
    p.finish_evaluation(&lead, &rules, at(2025, 10, 10, 13)).unwrap();
    assert_eq!(p.outcome(&rules).unwrap().winners, vec![2]);
}

#[test]
fn a_class_one_public_institution_cannot_bid_at_all() {
    let mut p = start(Method::OpenTender, comprehensive(), 500_000, at(2025, 8, 1, 9));
    p.publish(&buyer(), at(2025, 10, 9, 9), &cal(), &Rules::default(), at(2025, 9, 12, 9)).unwrap();
    let institution = actor(1070, 70, OrgKind::PublicInstitution, &[Role::Provider]);
    let class_one = ProviderInfo { kind: OrgKind::PublicInstitution, class_one: true, ..info(70) };
    let t = at(2025, 9, 20, 9);
    assert_eq!(
        p.check_bid_window(&institution, &class_one, None, t).unwrap_err().code(),
        ErrorCode::ClassOneIneligible
    );
    assert_eq!(
        p.clone().register_interest(&institution, &class_one, t).unwrap_err().code(),
        ErrorCode::ClassOneIneligible
    );
    let class_two = ProviderInfo { class_one: false, ..class_one };
    assert!(p.check_bid_window(&institution, &class_two, None, t).is_ok());
}

#[test]
fn the_documents_admit_provider_kinds_and_others_cannot_take_part() {
    let rules = Rules::default();
    let mut d = documents(comprehensive());
    d.admitted_kinds = vec![OrgKind::SocialOrganisation, OrgKind::Finance];
    let input = StartInput { method: Method::OpenTender, documents: d.clone(), agency_org_id: None };
    assert_eq!(codes(check_start(&ctx(&rules, 500_000, None), &input).unwrap_err()), ["not_provider_kind"]);
    d.admitted_kinds = vec![OrgKind::SocialOrganisation];
    let input = StartInput { method: Method::OpenTender, documents: d, agency_org_id: None };
    let mut p = Procurement::start(&ctx(&rules, 500_000, None), input, &buyer(), at(2025, 8, 1, 9)).unwrap().0;
    p.publish(&buyer(), at(2025, 10, 9, 9), &cal(), &rules, at(2025, 9, 12, 9)).unwrap();
    let t = at(2025, 9, 20, 9);
    let company = actor(1080, 80, OrgKind::Enterprise, &[Role::Provider]);
    let company_info = ProviderInfo { kind: OrgKind::Enterprise, ..info(80) };
    let refused = p.check_bid_window(&company, &company_info, None, t).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::KindNotAdmitted);
    assert!(
        refused.message_zh().contains("社会组织") && refused.message_zh().contains("企业"),
        "{}",
        refused.message_zh()
    );
    let committee = actor(1081, 81, OrgKind::SelfGoverningBody, &[Role::Provider]);
    let committee_info = ProviderInfo { kind: OrgKind::SelfGoverningBody, ..info(81) };
    assert_eq!(
        p.clone().register_interest(&committee, &committee_info, t).unwrap_err().code(),
        ErrorCode::KindNotAdmitted
    );
    assert!(p.check_bid_window(&bidder(50), &info(50), None, t).is_ok());
}
