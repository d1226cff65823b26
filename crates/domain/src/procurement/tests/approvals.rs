//! Item: another method at or above the open-tender threshold, approved before the procurement starts by the
//! finance department of a city with districts or above, after the competent budget unit agreed (政府采购法
//! §27, 实施条例 §23, 财政部令第74号 §4, 财库〔2014〕214号 §4); the single-source notice only where one
//! supplier alone can do it (实施条例 §38).

use super::*;
use crate::error::ErrorCode;
use crate::procurement::approval::{ApprovalContext, ApprovalInput, Consent};

const BIG: i64 = 2_400_000;

fn approval_ctx(rules: &Rules, budget: i64, started: bool) -> ApprovalContext<'_> {
    ApprovalContext {
        project_id: 7,
        project_code: "P-7".into(),
        title: "居家养老探访".into(),
        purchaser_org_id: BUYER,
        purchaser_name: "民政局".into(),
        region: "420506".into(),
        budget: Money::from_yuan(budget),
        same_kind_total: Money::ZERO,
        started,
        notice_ended: false,
        pending: false,
        rules,
    }
}

fn application(method: Method) -> ApprovalInput {
    ApprovalInput {
        method,
        reason: "养老服务项目需求需与供应商多轮磋商确定，适用竞争性磋商".into(),
        consent: Consent { unit: "宜昌市夷陵区民政局".into(), document_no: "夷民文〔2026〕3号".into() },
        single_source: None,
    }
}

fn consultation_scoring() -> Scoring {
    Scoring::Comprehensive {
        price_weight_bp: 2000,
        criteria: vec![CriterionSpec { key: "plan".into(), name: "服务方案".into(), weight_bp: 8000 }],
    }
}

fn consultation(documents: Documents) -> StartInput {
    StartInput { method: Method::CompetitiveConsultation, documents, agency_org_id: None }
}

#[test]
fn another_method_at_the_threshold_needs_the_citys_approval_before_the_start() {
    let rules = Rules::default();
    let now = at(2026, 3, 2, 9);
    let input = || consultation(documents(consultation_scoring()));
    // Without an approval: open tender is required.
    assert_eq!(codes(check_start(&ctx(&rules, BIG, None), &input()).unwrap_err()), ["open_tender_required"]);

    let (mut a, change) = MethodApproval::request(
        &approval_ctx(&rules, BIG, false),
        application(Method::CompetitiveConsultation),
        &buyer(),
        now,
    )
    .unwrap();
    assert_eq!(change.action.code(), "method_approval.request");
    // The district's own finance bureau cannot approve it; a provider or the purchaser even less.
    let district = actor(300, FINANCE, OrgKind::Finance, &[Role::Reviewer]);
    let refused = a.clone().decide(&district, &district_finance(), true, "夷财采〔2026〕1号", "", now).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::NotApprovalAuthority);
    assert_eq!(
        a.clone().decide(&buyer(), &city_finance(), true, "x", "", now).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    // Yichang's finance bureau approves, with its document number.
    let missing = a.clone().decide(&city_reviewer(), &city_finance(), true, "", "", now).unwrap_err();
    assert_eq!(codes(missing), ["required"]);
    a.decide(&city_reviewer(), &city_finance(), true, "宜市财采〔2026〕8号", "同意采用竞争性磋商", now).unwrap();
    let again = a.clone().decide(&city_reviewer(), &city_finance(), false, "", "重新审查后不同意", now);
    assert_eq!(again.unwrap_err().code(), ErrorCode::ApprovalDecided);
    a.id = 5;

    let mut c = ctx(&rules, BIG, None);
    c.approval = Some(&a);
    check_start(&c, &input()).unwrap();
    let (p, change) = Procurement::start(&c, input(), &buyer(), now).unwrap();
    let r = p.approval.as_ref().expect("the procurement records its approval");
    assert_eq!((r.id, r.authority.as_str(), r.document_no.as_str()), (5, "宜昌市财政局", "宜市财采〔2026〕8号"));
    assert_eq!(change.detail["approval"], "宜市财采〔2026〕8号");
    // The approval is for consultation only.
    let negotiation = StartInput {
        method: Method::CompetitiveNegotiation,
        documents: documents(Scoring::LowestPrice),
        agency_org_id: None,
    };
    assert_eq!(codes(check_start(&c, &negotiation).unwrap_err()), ["open_tender_required"]);
}

#[test]
fn a_refused_approval_allows_nothing_and_applying_has_its_preconditions() {
    let rules = Rules::default();
    let now = at(2026, 3, 2, 9);
    let (mut a, _) = MethodApproval::request(
        &approval_ctx(&rules, BIG, false),
        application(Method::CompetitiveConsultation),
        &buyer(),
        now,
    )
    .unwrap();
    let blank = a.clone().decide(&city_reviewer(), &city_finance(), false, "", "", now).unwrap_err();
    assert_eq!(codes(blank), ["required"]);
    a.decide(&city_reviewer(), &city_finance(), false, "", "理由不充分，应当公开招标", now).unwrap();
    let mut c = ctx(&rules, BIG, None);
    c.approval = Some(&a);
    let input = consultation(documents(consultation_scoring()));
    assert_eq!(codes(check_start(&c, &input).unwrap_err()), ["open_tender_required"]);

    let request = |ctx: &ApprovalContext, input, who: &Actor| MethodApproval::request(ctx, input, who, now).map(|_| ());
    let ctx_ok = approval_ctx(&rules, BIG, false);
    assert_eq!(
        request(&ctx_ok, application(Method::CompetitiveConsultation), &bidder(50)).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    assert_eq!(
        request(&approval_ctx(&rules, BIG, true), application(Method::CompetitiveConsultation), &buyer())
            .unwrap_err()
            .code(),
        ErrorCode::ProcurementStarted
    );
    assert_eq!(
        request(
            &ApprovalContext { pending: true, ..approval_ctx(&rules, BIG, false) },
            application(Method::CompetitiveConsultation),
            &buyer()
        )
        .unwrap_err()
        .code(),
        ErrorCode::ApprovalPending
    );
    assert_eq!(
        request(&approval_ctx(&rules, 500_000, false), application(Method::CompetitiveConsultation), &buyer())
            .unwrap_err()
            .code(),
        ErrorCode::ApprovalNotNeeded
    );
    assert_eq!(
        codes(request(&ctx_ok, application(Method::RequestForQuotation), &buyer()).unwrap_err()),
        ["method_not_approvable"]
    );
    let mut bare = application(Method::SingleSource);
    bare.consent.document_no = " ".into();
    assert_eq!(
        codes(request(&ctx_ok, bare, &buyer()).unwrap_err()),
        ["required", "required"],
        "consent number and single source"
    );
}

fn only_one(case: SingleSourceCase) -> SingleSource {
    SingleSource {
        case,
        provider_org_id: 50,
        provider_name: "唯一机构".into(),
        justification: "辖区内仅该机构具备失独家庭心理援助资质与持续服务记录".into(),
    }
}

#[test]
fn only_one_supplier_at_the_threshold_publicises_first_and_is_approved_before_the_negotiation() {
    let (rules, c) = (Rules::default(), cal());
    let mut d = documents(Scoring::LowestPrice);
    d.single_source = Some(only_one(SingleSourceCase::OnlyOneSupplier));
    let input = || StartInput { method: Method::SingleSource, documents: d.clone(), agency_org_id: None };
    // The notice comes first (实施条例 §38): the procurement starts without an approval, and needs one later.
    let (mut p, _) = Procurement::start(&ctx(&rules, BIG, None), input(), &buyer(), at(2025, 8, 1, 9)).unwrap();
    assert!(p.approval_required);
    // An application before the notice has run is refused.
    let mut application = application(Method::SingleSource);
    application.single_source = Some(only_one(SingleSourceCase::OnlyOneSupplier));
    let early =
        MethodApproval::request(&approval_ctx(&rules, BIG, true), application.clone(), &buyer(), at(2025, 9, 26, 9));
    assert_eq!(early.unwrap_err().code(), ErrorCode::NoticeFirst);
    p.publish(&buyer(), at(2025, 9, 1, 9), &c, &rules, at(2025, 9, 26, 9)).unwrap();
    assert_eq!(p.stage, Stage::Notice);
    assert_eq!(p.bid_deadline, Some(crate::calendar::end_of_day(day(2025, 10, 10))));
    // After the notice: no negotiation without the approval …
    let minutes = "经协商，服务价格由 240 万元降为 230 万元";
    let t = at(2025, 10, 13, 9);
    let price = Money::from_yuan(2_300_000);
    assert_eq!(
        p.clone().record_negotiation(&buyer(), price, minutes, None, &c, &rules, t).unwrap_err().code(),
        ErrorCode::ApprovalRequired
    );
    // … which the purchaser now applies for, and the city grants.
    let ended = ApprovalContext { notice_ended: true, ..approval_ctx(&rules, BIG, true) };
    let (mut a, _) = MethodApproval::request(&ended, application, &buyer(), t).unwrap();
    a.decide(&city_reviewer(), &city_finance(), true, "宜市财采〔2025〕30号", "公示期内无异议", t).unwrap();
    // An approval for another provider does not do.
    let mut other = a.clone();
    other.single_source = Some(SingleSource { provider_org_id: 51, ..only_one(SingleSourceCase::OnlyOneSupplier) });
    let wrong = p.clone().record_negotiation(&buyer(), price, minutes, Some(&other), &c, &rules, t);
    assert_eq!(wrong.unwrap_err().code(), ErrorCode::ApprovalRequired);
    p.record_negotiation(&buyer(), price, minutes, Some(&a), &c, &rules, t).unwrap();
    assert_eq!(p.stage, Stage::Awarded);
    assert_eq!(p.approval.as_ref().map(|r| r.document_no.as_str()), Some("宜市财采〔2025〕30号"));
}

#[test]
fn an_approved_emergency_single_source_keeps_to_the_approved_provider() {
    let rules = Rules::default();
    let now = at(2025, 8, 1, 9);
    let mut input = application(Method::SingleSource);
    input.single_source = Some(only_one(SingleSourceCase::Emergency));
    let (mut a, _) = MethodApproval::request(&approval_ctx(&rules, BIG, false), input, &buyer(), now).unwrap();
    a.decide(&city_reviewer(), &city_finance(), true, "宜市财采〔2025〕29号", "", now).unwrap();
    let mut cx = ctx(&rules, BIG, None);
    cx.approval = Some(&a);
    let start_with = |s: SingleSource| {
        let mut d = documents(Scoring::LowestPrice);
        d.single_source = Some(s);
        StartInput { method: Method::SingleSource, documents: d, agency_org_id: None }
    };
    let other = SingleSource { provider_org_id: 51, ..only_one(SingleSourceCase::Emergency) };
    assert_eq!(codes(check_start(&cx, &start_with(other)).unwrap_err()), ["approval_mismatch"]);
    let (p, _) = Procurement::start(&cx, start_with(only_one(SingleSourceCase::Emergency)), &buyer(), now).unwrap();
    assert!(!p.approval_required && p.approval.is_some());
}

#[test]
fn an_emergency_single_source_has_no_notice() {
    let (rules, c) = (Rules::default(), cal());
    let mut d = documents(Scoring::LowestPrice);
    d.single_source = Some(only_one(SingleSourceCase::Emergency));
    let input = StartInput { method: Method::SingleSource, documents: d, agency_org_id: None };
    let mut p = Procurement::start(&ctx(&rules, 300_000, None), input, &buyer(), at(2025, 8, 1, 9)).unwrap().0;
    // No public notice for an emergency (实施条例 §38 is the only-one-supplier case) …
    assert_eq!(
        p.clone().publish(&buyer(), at(2025, 9, 1, 9), &c, &rules, at(2025, 8, 1, 10)).unwrap_err().code(),
        ErrorCode::NoNoticeForCase
    );
    // … and no 30-day wait for the purchase intention (财库〔2020〕10号 exempts the unforeseeable): negotiate now.
    p.record_negotiation(
        &buyer(),
        Money::from_yuan(280_000),
        "汛期紧急心理援助，经协商价格 28 万元",
        None,
        &c,
        &rules,
        at(2025, 8, 1, 11),
    )
    .unwrap();
    assert_eq!((p.stage, p.award.as_ref().unwrap().winner.org_id), (Stage::Awarded, 50));
}

#[test]
fn an_add_on_single_source_negotiates_without_notice_after_the_intention_period() {
    let (rules, c) = (Rules::default(), cal());
    let mut d = documents(Scoring::LowestPrice);
    d.single_source = Some(only_one(SingleSourceCase::AddOn));
    let input = StartInput { method: Method::SingleSource, documents: d, agency_org_id: None };
    let mut p = Procurement::start(&ctx(&rules, 30_000, None), input, &buyer(), at(2025, 8, 1, 9)).unwrap().0;
    let minutes = "原合同追加服务，经协商价格 3 万元";
    let early =
        p.clone().record_negotiation(&buyer(), Money::from_yuan(30_000), minutes, None, &c, &rules, at(2025, 8, 4, 9));
    assert_eq!(early.unwrap_err().code(), ErrorCode::IntentionPeriod);
    p.record_negotiation(&buyer(), Money::from_yuan(30_000), minutes, None, &c, &rules, at(2025, 9, 1, 9)).unwrap();
    assert_eq!(p.stage, Stage::Awarded);
    // Only single source records a negotiation.
    let mut q = start(Method::OpenTender, comprehensive(), 500_000, at(2025, 8, 1, 9));
    assert_eq!(
        q.record_negotiation(&buyer(), Money::from_yuan(1), minutes, None, &c, &rules, at(2025, 9, 1, 9))
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden
    );
}

#[test]
fn a_switch_after_a_failed_tender_at_the_threshold_needs_the_city_and_its_document_number() {
    let (rules, c) = (Rules::default(), cal());
    let mut p = start(Method::OpenTender, comprehensive(), BIG, at(2025, 6, 1, 9));
    p.publish(&buyer(), at(2025, 8, 1, 9), &c, &rules, at(2025, 7, 8, 9)).unwrap();
    p.open(&buyer(), &["监督员".into()], vec![opened(1, 50, 1), opened(2, 51, 2)], &rules, at(2025, 8, 1, 9)).unwrap();
    p.request_switch(
        &buyer(),
        Method::CompetitiveNegotiation,
        "公开招标仅两家投标，申请改为竞争性谈判",
        at(2025, 8, 2, 9),
    )
    .unwrap();
    let t = at(2025, 8, 3, 9);
    let by_district =
        p.clone().decide_switch(&finance(), &district_finance(), true, "夷财采〔2025〕2号", "同意", &rules, t);
    assert_eq!(by_district.unwrap_err().code(), ErrorCode::NotApprovalAuthority);
    let unnumbered = p.clone().decide_switch(&city_reviewer(), &city_finance(), true, "", "同意", &rules, t);
    assert_eq!(codes(unnumbered.unwrap_err()), ["required"]);
    p.decide_switch(&city_reviewer(), &city_finance(), true, "宜市财采〔2025〕31号", "同意", &rules, t).unwrap();
    let d = p.switch.as_ref().unwrap().decision.as_ref().unwrap();
    assert_eq!((d.authority.as_str(), d.document_no.as_str()), ("宜昌市财政局", "宜市财采〔2025〕31号"));
}
