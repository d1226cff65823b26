use super::*;
use crate::error::ErrorCode;
use chrono::TimeZone;
use proptest::prelude::*;

fn rules() -> Rules {
    Rules::default()
}

fn yuan(y: i64) -> Money {
    Money::from_yuan(y)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const TODAY: (i32, u32, u32) = (2025, 10, 9);

fn today() -> NaiveDate {
    day(TODAY.0, TODAY.1, TODAY.2)
}

fn expert(id: i64) -> Expert {
    Expert {
        id,
        name: format!("专家{id}"),
        categories: vec!["A07".into()],
        org_id: Some(1000 + id),
        former_employers: vec![],
        declared_ties: vec![],
    }
}

fn pool(n: i64) -> Vec<Expert> {
    (1..=n).map(expert).collect()
}

fn size(method: Method, budget: Money, r: &Rules) -> u32 {
    required_size(&Sizing { method, budget, region: "420506", complex_or_high_impact: false }, r)
}

fn code(r: Result<(), DomainError>) -> Vec<ErrorCode> {
    match r {
        Ok(()) => vec![],
        Err(e) => e.fields().iter().map(|f| f.code).collect(),
    }
}

// --- size rules ---

#[test]
fn tenders_need_five_and_seven_from_ten_million_yuan() {
    let r = rules();
    for m in [Method::OpenTender, Method::InvitedTender] {
        assert_eq!(size(m, yuan(0), &r), 5);
        assert_eq!(size(m, Money::from_fen(1_000_000_000 - 1), &r), 5, "one fen below");
        assert_eq!(size(m, yuan(10_000_000), &r), 7, "at the threshold");
        assert_eq!(size(m, yuan(10_000_001), &r), 7);
    }
}

#[test]
fn panels_need_three_and_five_from_the_open_tender_threshold() {
    let r = rules();
    for m in [Method::CompetitiveNegotiation, Method::CompetitiveConsultation, Method::RequestForQuotation] {
        assert_eq!(size(m, yuan(1_999_999), &r), 3);
        assert_eq!(size(m, Money::from_fen(200_000_000 - 1), &r), 3, "one fen below");
        assert_eq!(size(m, yuan(2_000_000), &r), 5, "at the threshold");
        assert_eq!(size(m, yuan(50_000_000), &r), 5, "the tender rule of 7 is not for panels");
    }
}

#[test]
fn thresholds_follow_the_regions_rules() {
    let r =
        Rules { open_tender_threshold: yuan(4_000_000), committee_large_tender_threshold: yuan(5_000_000), ..rules() };
    assert_eq!(size(Method::CompetitiveConsultation, yuan(3_000_000), &r), 3);
    assert_eq!(size(Method::CompetitiveConsultation, yuan(4_000_000), &r), 5);
    assert_eq!(size(Method::OpenTender, yuan(5_000_000), &r), 7);
}

#[test]
fn a_panel_follows_its_regions_open_tender_threshold() {
    let mut r = rules();
    r.region_thresholds.push(crate::rules::RegionThresholds {
        region: "51".into(),
        procurement_limit: None,
        open_tender_threshold: Some(yuan(4_000_000)),
    });
    let panel = |region| {
        required_size(
            &Sizing {
                method: Method::CompetitiveConsultation,
                budget: yuan(3_000_000),
                region,
                complex_or_high_impact: false,
            },
            &r,
        )
    };
    assert_eq!((panel("510104"), panel("420506")), (3, 5), "Sichuan's 4,000,000 against the default 2,000,000");
}

#[test]
fn a_complex_or_high_impact_tender_needs_seven() {
    let r = rules();
    let sized = |method, complex_or_high_impact| {
        required_size(&Sizing { method, budget: yuan(500_000), region: "420506", complex_or_high_impact }, &r)
    };
    assert_eq!((sized(Method::OpenTender, false), sized(Method::OpenTender, true)), (5, 7));
    assert_eq!(sized(Method::InvitedTender, true), 7);
    assert_eq!(sized(Method::CompetitiveConsultation, true), 3, "the mark is a tender rule (87号令 §47)");
}

#[test]
fn composition_refuses_even_small_and_expert_light_committees() {
    let r = rules();
    let v = |method, budget, members, experts| {
        let s = Sizing { method, budget, region: "420506", complex_or_high_impact: false };
        code(validate_composition(&s, &r, members, experts))
    };
    assert_eq!(v(Method::OpenTender, yuan(1_000_000), 5, 4), Vec::<ErrorCode>::new());
    assert_eq!(v(Method::OpenTender, yuan(1_000_000), 6, 6), vec![ErrorCode::CommitteeSizeEven]);
    assert_eq!(v(Method::OpenTender, yuan(1_000_000), 3, 3), vec![ErrorCode::CommitteeTooSmall]);
    assert_eq!(v(Method::OpenTender, yuan(10_000_000), 5, 5), vec![ErrorCode::CommitteeTooSmall]);
    assert_eq!(v(Method::OpenTender, yuan(10_000_000), 7, 5), Vec::<ErrorCode>::new());
    assert_eq!(v(Method::RequestForQuotation, yuan(100_000), 3, 2), Vec::<ErrorCode>::new());
    assert_eq!(v(Method::RequestForQuotation, yuan(2_000_000), 3, 3), vec![ErrorCode::CommitteeTooSmall]);
    assert_eq!(v(Method::OpenTender, yuan(1_000_000), 5, 3), vec![ErrorCode::TooFewExperts]);
    assert_eq!(v(Method::OpenTender, yuan(10_000_000), 7, 4), vec![ErrorCode::TooFewExperts]);
    assert_eq!(v(Method::RequestForQuotation, yuan(100_000), 3, 1), vec![ErrorCode::TooFewExperts]);
    assert_eq!(
        v(Method::OpenTender, yuan(1_000_000), 4, 1),
        vec![ErrorCode::CommitteeSizeEven, ErrorCode::TooFewExperts]
    );
    assert_eq!(v(Method::OpenTender, yuan(1_000_000), 5, 6), vec![ErrorCode::ExpertsExceedMembers]);
}

#[test]
fn two_thirds_is_exact() {
    assert!(enough_experts(3, 2) && !enough_experts(3, 1));
    assert!(enough_experts(9, 6) && !enough_experts(9, 5));
    assert!(enough_experts(7, 5) && !enough_experts(7, 4));
}

// --- conflicts ---

fn draw_all(pool: &[Expert], bidders: &[i64], on: NaiveDate) -> Result<Draw, DomainError> {
    let eligible = pool.iter().filter(|e| e.conflicts(bidders, on, &rules()).is_empty()).count() as u32;
    draw(pool, "A0701", bidders, eligible.max(1), [7; 32], on, &rules())
}

#[test]
fn an_expert_of_a_bidder_is_never_drawn() {
    let mut p = pool(6);
    p[0].org_id = Some(500);
    let d = draw_all(&p, &[500, 501], today()).unwrap();
    assert!(!d.chosen.contains(&1));
    assert_eq!(
        d.excluded,
        vec![Exclusion { expert_id: 1, conflicts: vec![conflict(ConflictKind::SameOrganisation, 500)] }]
    );
    assert_eq!(d.eligible, 5);
}

fn conflict(kind: ConflictKind, org_id: i64) -> Conflict {
    Conflict { kind, org_id }
}

#[test]
fn employment_at_a_bidder_conflicts_for_three_years_to_the_day() {
    let p = |until: NaiveDate| {
        let mut p = pool(4);
        p[0].former_employers = vec![FormerEmployment { org_id: 500, until }];
        p
    };
    let drawn = |until| draw_all(&p(until), &[500], today()).unwrap().chosen.contains(&1);
    assert!(!drawn(day(2025, 10, 8)), "left yesterday");
    assert!(!drawn(day(2022, 10, 10)), "three years less a day");
    assert!(!drawn(day(2022, 10, 9)), "exactly three years: still within");
    assert!(drawn(day(2022, 10, 8)), "three years and a day");
    assert!(drawn(day(2019, 1, 1)));
    let d = draw_all(&p(day(2022, 10, 9)), &[500], today()).unwrap();
    assert_eq!(d.excluded[0].conflicts, vec![conflict(ConflictKind::RecentEmployment, 500)]);
}

#[test]
fn the_look_back_is_configurable() {
    let mut e = expert(1);
    e.former_employers = vec![FormerEmployment { org_id: 500, until: day(2021, 1, 1) }];
    assert!(e.conflicts(&[500], today(), &rules()).is_empty());
    let five = Rules { expert_conflict_years: 5, ..rules() };
    assert_eq!(e.conflicts(&[500], today(), &five), vec![conflict(ConflictKind::RecentEmployment, 500)]);
}

#[test]
fn a_declared_tie_to_a_bidder_excludes_but_a_tie_elsewhere_does_not() {
    let mut p = pool(4);
    p[0].declared_ties = vec![500];
    p[1].declared_ties = vec![999];
    p[2].former_employers = vec![FormerEmployment { org_id: 999, until: today() }];
    let d = draw_all(&p, &[500, 501], today()).unwrap();
    assert_eq!(d.excluded, vec![Exclusion { expert_id: 1, conflicts: vec![conflict(ConflictKind::DeclaredTie, 500)] }]);
    assert_eq!(d.chosen.len(), 3);
    assert!(d.chosen.contains(&2) && d.chosen.contains(&3));
}

#[test]
fn every_conflict_is_recorded_by_code() {
    let mut e = expert(1);
    e.org_id = Some(500);
    e.former_employers = vec![FormerEmployment { org_id: 501, until: day(2024, 6, 30) }];
    e.declared_ties = vec![500, 502];
    let c = e.conflicts(&[500, 501, 502], today(), &rules());
    let codes: Vec<_> = c.iter().map(|c| (c.kind.code(), c.org_id)).collect();
    assert_eq!(
        codes,
        vec![("same_organisation", 500), ("recent_employment", 501), ("declared_tie", 500), ("declared_tie", 502)]
    );
    let json = serde_json::to_value(c[0]).unwrap();
    assert_eq!(json, serde_json::json!({"kind": "same_organisation", "org_id": 500}));
}

#[test]
fn categories_match_by_catalogue_prefix() {
    let mut p = pool(5);
    p[0].categories = vec!["A0701".into()];
    p[1].categories = vec!["A0702".into()];
    p[2].categories = vec!["A".into(), "B01".into()];
    p[3].categories = vec!["A070101".into()];
    p[4].categories = vec![String::new()];
    let d = draw(&p, "A0701", &[], 2, [1; 32], today(), &rules()).unwrap();
    assert_eq!(d.eligible, 2);
    let mut chosen = d.chosen.clone();
    chosen.sort();
    assert_eq!(chosen, vec![1, 3]);
}

// --- the draw ---

#[test]
fn the_same_seed_gives_the_same_committee_and_another_seed_another_order() {
    let p = pool(30);
    let a = draw(&p, "A0701", &[], 5, [1; 32], today(), &rules()).unwrap();
    let mut shuffled = p.clone();
    shuffled.reverse();
    let b = draw(&shuffled, "A0701", &[], 5, [1; 32], today(), &rules()).unwrap();
    assert_eq!(a, b, "the pool's order does not matter");
    let c = draw(&p, "A0701", &[], 5, [2; 32], today(), &rules()).unwrap();
    assert_ne!(a.chosen, c.chosen);
    assert_eq!(a.seed, "01".repeat(32));
}

#[test]
fn the_order_is_the_sorted_draw_keys() {
    let p = pool(10);
    let seed = [9; 32];
    let d = draw(&p, "A0701", &[], 10, seed, today(), &rules()).unwrap();
    let keys: Vec<_> = d.chosen.iter().map(|&id| draw_key(&seed, id)).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    // A fixed vector so a change to the key's encoding cannot pass unnoticed.
    assert_eq!(
        hex::encode(draw_key(&[0; 32], 1)),
        hex::encode(Sha256::digest([[0u8; 32].as_slice(), &[0, 0, 0, 0, 0, 0, 0, 1]].concat()))
    );
}

#[test]
fn too_few_eligible_experts_is_an_error_that_counts_them() {
    let mut p = pool(5);
    p[0].org_id = Some(500);
    let e = draw(&p, "A0701", &[500], 5, [1; 32], today(), &rules()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotEnoughExperts);
    assert!(e.message_en().contains("only 4 experts"), "{}", e.message_en());
    assert!(e.message_zh().contains("仅 4 名"));
    assert_eq!(draw(&p, "B01", &[], 1, [1; 32], today(), &rules()).unwrap_err().code(), ErrorCode::NotEnoughExperts);
}

#[test]
fn a_draw_refuses_zero_size_and_repeated_ids() {
    assert_eq!(
        draw(&pool(3), "A0701", &[], 0, [1; 32], today(), &rules()).unwrap_err().code(),
        ErrorCode::CommitteeTooSmall
    );
    let mut p = pool(3);
    p.push(expert(2));
    assert_eq!(draw(&p, "A0701", &[], 1, [1; 32], today(), &rules()).unwrap_err().code(), ErrorCode::DuplicateExpert);
}

#[test]
fn verify_reruns_the_draw_and_catches_tampering() {
    let mut p = pool(12);
    p[3].declared_ties = vec![500];
    let d = draw(&p, "A0701", &[500], 5, [3; 32], today(), &rules()).unwrap();
    assert!(verify(&d, &p, &rules()));
    let json = serde_json::to_string(&d).unwrap();
    assert!(verify(&serde_json::from_str(&json).unwrap(), &p, &rules()), "survives storage");

    let mut swapped = d.clone();
    swapped.chosen.swap(0, 1);
    assert!(!verify(&swapped, &p, &rules()));
    let mut reseeded = d.clone();
    reseeded.seed = "02".repeat(32);
    assert!(!verify(&reseeded, &p, &rules()));
    let mut bad_seed = d.clone();
    bad_seed.seed = "zz".into();
    assert!(!verify(&bad_seed, &p, &rules()));
    let mut hidden = d.clone();
    hidden.excluded.clear();
    assert!(!verify(&hidden, &p, &rules()));
}

// --- declarations ---

fn declared(expert_id: i64, no_conflict: bool, hour: u32) -> Declaration {
    Declaration { expert_id, no_conflict, at: Utc.with_ymd_and_hms(2025, 10, 9, hour, 0, 0).unwrap() }
}

#[test]
fn only_drawn_experts_who_declared_no_conflict_see_bids() {
    let d = draw(&pool(5), "A0701", &[], 3, [4; 32], today(), &rules()).unwrap();
    let (a, b, c) = (d.chosen[0], d.chosen[1], d.chosen[2]);
    let outsider = (1..=5).find(|id| !d.chosen.contains(id)).unwrap();
    let decls = vec![declared(a, true, 9), declared(b, false, 9), declared(outsider, true, 9)];
    assert!(may_see_bids(&d, &decls, a));
    assert!(!may_see_bids(&d, &decls, b), "declared a conflict");
    assert!(!may_see_bids(&d, &decls, c), "has not declared");
    assert!(!may_see_bids(&d, &decls, outsider), "not on the committee");
    let later = [declared(b, false, 9), declared(b, true, 10)];
    assert!(!may_see_bids(&d, &later, b), "a declared conflict is not withdrawn by a later declaration");
}

// --- property ---

fn arb_expert(id: i64) -> impl Strategy<Value = Expert> {
    (
        prop::sample::select(vec!["A", "A07", "A0701", "A0702", "B01"]),
        prop::option::of(0i64..12),
        prop::collection::vec((0i64..12, 0i64..3000), 0..3),
        prop::collection::vec(0i64..12, 0..3),
    )
        .prop_map(move |(cat, org, jobs, ties)| Expert {
            id,
            name: format!("e{id}"),
            categories: vec![cat.to_string()],
            org_id: org,
            former_employers: jobs
                .into_iter()
                .map(|(org_id, days_ago)| FormerEmployment {
                    org_id,
                    until: today() - chrono::Duration::days(days_ago),
                })
                .collect(),
            declared_ties: ties,
        })
}

fn arb_pool() -> impl Strategy<Value = Vec<Expert>> {
    (0usize..40).prop_flat_map(|n| (0..n as i64).map(arb_expert).collect::<Vec<_>>())
}

proptest! {
    #[test]
    fn a_draw_never_includes_a_conflicted_expert(
        pool in arb_pool(),
        bidders in prop::collection::vec(0i64..12, 0..5),
        size in 1u32..9,
        seed in any::<[u8; 32]>(),
    ) {
        let r = rules();
        match draw(&pool, "A0701", &bidders, size, seed, today(), &r) {
            Ok(d) => {
                prop_assert_eq!(d.chosen.len(), size as usize);
                let mut distinct = d.chosen.clone();
                distinct.sort();
                distinct.dedup();
                prop_assert_eq!(distinct.len(), size as usize);
                for id in &d.chosen {
                    let e = pool.iter().find(|e| e.id == *id).unwrap();
                    prop_assert!(e.covers("A0701"));
                    prop_assert!(e.conflicts(&bidders, today(), &r).is_empty());
                    prop_assert!(e.org_id.is_none_or(|o| !bidders.contains(&o)));
                    prop_assert!(!e.declared_ties.iter().any(|t| bidders.contains(t)));
                }
                prop_assert!(verify(&d, &pool, &r));
            }
            Err(e) => {
                prop_assert_eq!(e.code(), ErrorCode::NotEnoughExperts);
                let eligible = pool.iter().filter(|e| e.covers("A0701") && e.conflicts(&bidders, today(), &r).is_empty()).count();
                prop_assert!(eligible < size as usize);
            }
        }
    }
}
