//! Each red flag on crafted records: raised at its threshold, not just below it; and each threshold's default.

use super::*;
use crate::org::{OrgKind, ProviderInfo};
use crate::procurement::{Award, Compliance, Documents, Opening, Report, Scoring, Stage, Winner};
use crate::project::{Award as ProjectAward, Contract, Design, Project, PurchaseMode, Status, Supplement};
use chrono::{DateTime, TimeZone, Utc};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
/// Noon, China time, on a day.
fn noon(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(4, 0, 0).unwrap())
}
fn cal() -> Calendar {
    Calendar::official().unwrap()
}
fn yuan(y: i64) -> Money {
    Money::from_yuan(y)
}
fn codes(flags: &[RedFlag]) -> Vec<FlagCode> {
    flags.iter().map(|f| f.code).collect()
}
fn has(flags: &[RedFlag], code: FlagCode) -> bool {
    flags.iter().any(|f| f.code == code)
}

fn procurement() -> Procurement {
    let at = noon(day(2026, 3, 2));
    Procurement {
        id: 1,
        project_id: 7,
        project_code: "P-1".into(),
        title: "居家养老服务".into(),
        version: 1,
        method: Method::OpenTender,
        stage: Stage::Draft,
        purchaser_org_id: 10,
        purchaser_name: "民政局".into(),
        agency_org_id: None,
        category: "A0701".into(),
        region: "420506".into(),
        budget: yuan(1_000_000),
        documents: Documents {
            requirements: "r".into(),
            qualifications: "q".into(),
            scoring: Scoring::LowestPrice,
            sme_deduction_bp: 1000,
            tie_rule: "t".into(),
            invited: vec![],
            single_source: None,
            framework_members: None,
            admitted_kinds: vec![],
            complex_or_high_impact: false,
        },
        intention_on: day(2026, 1, 5),
        published_on: None,
        bid_deadline: None,
        interests: vec![],
        documents_obtained: vec![],
        approval: None,
        approval_required: false,
        questions: vec![],
        clarifications: vec![],
        opening: None,
        committee: None,
        rounds: vec![],
        final_deadline: None,
        final_opening: None,
        compliance: vec![],
        marks: vec![],
        low_prices: vec![],
        evaluated_at: None,
        report: None,
        award: None,
        failure: None,
        switch: None,
        replaces: None,
        after_failed_open_tender: false,
        challenges: vec![],
        suspensions: vec![],
        call_offs: vec![],
        created_at: at,
        updated_at: at,
    }
}

fn bid(id: i64, price: Money) -> OpenedBid {
    OpenedBid {
        bid_id: id,
        org_id: 100 + id,
        name: format!("机构{id}"),
        price,
        small_or_micro: false,
        receipt: String::new(),
    }
}

/// A procurement awarded to bid 1, with these bids opened; the report on 2 Mar 2026, the award on `awarded`.
fn awarded_with(prices: &[Money], awarded: NaiveDate) -> Procurement {
    let mut p = procurement();
    let bids: Vec<OpenedBid> = prices.iter().enumerate().map(|(i, m)| bid(i as i64 + 1, *m)).collect();
    p.opening = Some(Opening { at: noon(day(2026, 2, 27)), by: 1, attendees: vec![], bids: bids.clone() });
    p.compliance =
        bids.iter().map(|b| Compliance { bid_id: b.bid_id, qualified: true, reason: String::new(), by: 1 }).collect();
    p.report = Some(Report { at: noon(day(2026, 3, 2)), by: 1 });
    let w = &bids[0];
    let winner = Winner {
        bid_id: w.bid_id,
        org_id: w.org_id,
        name: w.name.clone(),
        price: w.price,
        score: None,
        tie_reason: None,
    };
    p.award = Some(Award { winner, members: vec![], at: noon(awarded), by: 1, minutes: None, void: false });
    p.stage = Stage::Awarded;
    p
}

fn awarded(prices: &[Money]) -> Procurement {
    awarded_with(prices, day(2026, 3, 3))
}

fn rules() -> Rules {
    Rules::default()
}

#[test]
fn every_code_is_snake_case_and_distinct() {
    let mut seen = std::collections::BTreeSet::new();
    for c in FlagCode::ALL {
        assert!(c.code().chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'), "{}", c.code());
        assert!(seen.insert(c.code()));
        assert_eq!(FlagCode::parse(c.code()), Some(*c));
    }
    assert_eq!(FlagCode::ALL.len(), 13);
}

#[test]
fn defaults() {
    let r = FlagRules::default();
    assert_eq!(r.short_submission_margin_days, 2);
    assert_eq!(r.single_bid_max, 1);
    assert_eq!(r.identical_bids_min, 2);
    assert_eq!((r.evenly_spaced_min_bids, r.evenly_spaced_tolerance_bp), (3, 100));
    assert_eq!(r.ceiling_close_bp, 100);
    assert_eq!((r.repeat_winner_min, r.repeat_winner_window_days), (3, 365));
    assert_eq!(r.all_others_disqualified_min_bids, 2);
    assert_eq!((r.splitting_min_purchases, r.splitting_window_days, r.splitting_near_bp), (2, 365, 2000));
    assert_eq!((r.late_award_grace_days, r.late_contract_grace_days, r.late_publication_grace_days), (0, 0, 0));
    assert_eq!(r.supplement_near_bp, 9000);
    assert_eq!(Rules::default().red_flags, r);
    let partial: Rules = serde_json::from_str(r#"{"red_flags": {"repeat_winner_min": 5}}"#).unwrap();
    assert_eq!((partial.red_flags.repeat_winner_min, partial.red_flags.single_bid_max), (5, 1));
}

#[test]
fn short_submission_period_is_the_bare_minimum() {
    let r = rules();
    let mut p = procurement();
    let published = day(2026, 3, 2);
    p.published_on = Some(published);
    let earliest = r.periods.earliest(p.method.response_period(), published, &cal()).unwrap().date;
    // One day past the earliest allowed deadline: within the 2-day margin.
    p.bid_deadline = Some(noon(earliest + chrono::Days::new(1)));
    let flags = on_publication(&p, &r, &cal());
    assert_eq!(codes(&flags), vec![FlagCode::ShortSubmissionPeriod]);
    assert_eq!(flags[0].evidence["earliest_allowed"], json!(earliest));
    // Two days past it: just outside.
    p.bid_deadline = Some(noon(earliest + chrono::Days::new(2)));
    assert!(on_publication(&p, &r, &cal()).is_empty());
}

#[test]
fn single_bid() {
    let r = rules();
    let p = awarded(&[yuan(800_000)]);
    assert!(has(&on_award(&p, &r, &cal()), FlagCode::SingleBid));
    let p = awarded(&[yuan(800_000), yuan(850_000)]);
    assert!(!has(&on_award(&p, &r, &cal()), FlagCode::SingleBid));
}

#[test]
fn identical_bid_prices() {
    let r = rules();
    let flags = on_award(&awarded(&[yuan(800_000), yuan(900_000), yuan(900_000)]), &r, &cal());
    let f = flags.iter().find(|f| f.code == FlagCode::IdenticalBidPrices).unwrap();
    assert_eq!((f.evidence["price"].as_str(), f.evidence["bids"].as_u64()), (Some("900000.00"), Some(2)));
    let just_below = [yuan(800_000), yuan(900_000), Money::from_fen(90_000_001)];
    assert!(!has(&on_award(&awarded(&just_below), &r, &cal()), FlagCode::IdenticalBidPrices));
}

#[test]
fn evenly_spaced_bid_prices() {
    let r = rules();
    // Gaps 100,000 and 101,000: they differ by 1 % of the mean gap (100,500 × 1 % = 1,005) — within.
    let even = [yuan(700_000), yuan(800_000), yuan(901_000)];
    assert!(has(&on_award(&awarded(&even), &r, &cal()), FlagCode::EvenlySpacedBidPrices));
    // Gaps 100,000 and 102,100: 2,100 apart, above 1 % of the mean (101,050 → 1,010.50).
    let uneven = [yuan(700_000), yuan(800_000), yuan(902_100)];
    assert!(!has(&on_award(&awarded(&uneven), &r, &cal()), FlagCode::EvenlySpacedBidPrices));
    // Two prices are not a spacing.
    assert!(!has(&on_award(&awarded(&[yuan(700_000), yuan(800_000)]), &r, &cal()), FlagCode::EvenlySpacedBidPrices));
}

#[test]
fn evenly_spaced_tolerance_edge() {
    let r = rules();
    // Gaps 10,000 and 10,100 fen: mean 10,050, tolerance 100.5 fen ≥ 100 apart — even; 10,000 and 10,102 not.
    let at = [Money::from_fen(1_000_000), Money::from_fen(1_010_000), Money::from_fen(1_020_100)];
    assert!(has(&on_award(&awarded(&at), &r, &cal()), FlagCode::EvenlySpacedBidPrices));
    let above = [Money::from_fen(1_000_000), Money::from_fen(1_010_000), Money::from_fen(1_020_102)];
    assert!(!has(&on_award(&awarded(&above), &r, &cal()), FlagCode::EvenlySpacedBidPrices));
}

#[test]
fn price_close_to_ceiling() {
    let r = rules();
    // Budget 1,000,000: within 1 % is 990,000 and above.
    let at = awarded(&[yuan(990_000), yuan(995_000)]);
    let flags = on_award(&at, &r, &cal());
    let f = flags.iter().find(|f| f.code == FlagCode::PriceCloseToCeiling).unwrap();
    assert_eq!(f.evidence["below_budget_bp"], json!(100));
    let below = awarded(&[Money::from_fen(98_999_999), yuan(995_000)]);
    assert!(!has(&on_award(&below, &r, &cal()), FlagCode::PriceCloseToCeiling));
}

#[test]
fn all_others_disqualified() {
    let r = rules();
    let mut p = awarded(&[yuan(800_000), yuan(850_000), yuan(870_000)]);
    for c in p.compliance.iter_mut().filter(|c| c.bid_id != 1) {
        c.qualified = false;
    }
    let flags = on_award(&p, &r, &cal());
    assert!(has(&flags, FlagCode::AllOthersDisqualified), "{flags:?}");
    // One other bid stays qualified: not all.
    p.compliance[2].qualified = true;
    assert!(!has(&on_award(&p, &r, &cal()), FlagCode::AllOthersDisqualified));
}

#[test]
fn abnormally_low_price_below_the_mean_or_the_next() {
    let r = rules();
    // Others 1,000,000 and 1,000,000: 40 % below the mean is 600,000 (and 30 % below the next is 700,000).
    let p = awarded(&[yuan(700_000), yuan(1_000_000), yuan(1_000_000)]);
    let flags = on_award(&p, &r, &cal());
    let f = flags.iter().find(|f| f.code == FlagCode::AbnormallyLowPrice).unwrap();
    assert_eq!((f.evidence["below_next"].as_bool(), f.evidence["below_mean"].as_bool()), (Some(true), Some(false)));
    let just_above = awarded(&[Money::from_fen(70_000_001), yuan(1_000_000), yuan(1_000_000)]);
    assert!(!has(&on_award(&just_above, &r, &cal()), FlagCode::AbnormallyLowPrice));
    // Below the mean only: next 800,000 (30 % below is 560,000), mean of others 1,000,000 → 600,000.
    let mean = awarded(&[yuan(600_000), yuan(800_000), yuan(1_200_000)]);
    let flags = on_award(&mean, &r, &cal());
    let f = flags.iter().find(|f| f.code == FlagCode::AbnormallyLowPrice).unwrap();
    assert_eq!((f.evidence["below_mean"].as_bool(), f.evidence["below_next"].as_bool()), (Some(true), Some(false)));
    let mean_just_above = awarded(&[Money::from_fen(60_000_001), yuan(800_000), yuan(1_200_000)]);
    assert!(!has(&on_award(&mean_just_above, &r, &cal()), FlagCode::AbnormallyLowPrice));
}

#[test]
fn late_award_counts_working_days_from_the_report() {
    let r = rules();
    // Report Monday 2 Mar 2026; 5 working days end Monday 9 Mar.
    let due = r.periods.latest(Period::WinnerConfirmation, day(2026, 3, 2), &cal()).unwrap().date;
    assert_eq!(due, day(2026, 3, 9));
    let prices = [yuan(800_000), yuan(850_000), yuan(880_000)];
    assert!(!has(&on_award(&awarded_with(&prices, due), &r, &cal()), FlagCode::LateAward));
    let flags = on_award(&awarded_with(&prices, day(2026, 3, 10)), &r, &cal());
    let f = flags.iter().find(|f| f.code == FlagCode::LateAward).unwrap();
    assert_eq!(f.evidence["days_late"], json!(1));
}

#[test]
fn no_bid_flag_before_the_opening() {
    let r = rules();
    // Awarded without an opening on record (nothing unsealed): no flag that needs prices.
    let mut p = awarded(&[yuan(990_000)]);
    p.opening = None;
    let flags = on_award(&p, &r, &cal());
    assert!(flags.iter().all(|f| f.code == FlagCode::LateAward), "{flags:?}");
    // At the publication, bids are sealed: only the period can be flagged.
    let mut p = procurement();
    p.published_on = Some(day(2026, 3, 2));
    p.bid_deadline = Some(noon(day(2026, 5, 30)));
    p.stage = Stage::Bidding;
    assert!(on_publication(&p, &r, &cal()).is_empty());
}

fn fact(project_id: i64, provider: i64, category: &str, amount: Money, on: NaiveDate) -> AwardFact {
    AwardFact {
        project_id,
        buyer_org_id: 10,
        provider_org_id: provider,
        category: category.into(),
        region: "420506".into(),
        amount,
        on,
    }
}

#[test]
fn repeat_winner_within_the_window() {
    let r = rules();
    let now = fact(3, 50, "A0701", yuan(100_000), day(2026, 6, 1));
    let history = vec![
        fact(1, 50, "A0201", yuan(100_000), day(2025, 6, 2)),
        fact(2, 50, "A0301", yuan(100_000), day(2026, 1, 5)),
        fact(9, 51, "A0301", yuan(100_000), day(2026, 1, 5)),
    ];
    let flags = on_history(&now, &history, &r);
    let f = flags.iter().find(|f| f.code == FlagCode::RepeatWinner).unwrap();
    assert_eq!(f.evidence["awards"], json!(3));
    // This award first, then the others by id, in whatever order the history came.
    assert_eq!(f.evidence["projects"], json!([3, 1, 2]));
    let reversed: Vec<AwardFact> = history.iter().rev().cloned().collect();
    assert_eq!(on_history(&now, &reversed, &r), flags);
    // The first award 365 days before: outside the window, two awards only.
    let mut outside = history.clone();
    outside[0].on = day(2025, 6, 1);
    assert!(!has(&on_history(&now, &outside, &r), FlagCode::RepeatWinner));
    // This award listed in the history too counts once.
    let mut twice = outside.clone();
    twice.push(now.clone());
    assert!(!has(&on_history(&now, &twice, &r), FlagCode::RepeatWinner));
}

#[test]
fn splitting_just_under_the_procurement_limit() {
    let r = rules();
    // Procurement limit 1,000,000: within 20 % under it is 800,000 up to 999,999.99.
    let now = fact(3, 50, "A0701", yuan(900_000), day(2026, 6, 1));
    let earlier = vec![fact(1, 51, "A0701", yuan(800_000), day(2026, 2, 1))];
    let flags = on_history(&now, &earlier, &r);
    let f = flags.iter().find(|f| f.code == FlagCode::Splitting).unwrap();
    assert_eq!(
        (f.evidence["purchases"].as_u64(), f.evidence["threshold"].as_str()),
        (Some(2), Some("procurement_limit"))
    );
    // Just below the near band: 799,999.99 is not "just under".
    let far = vec![fact(1, 51, "A0701", Money::from_fen(79_999_999), day(2026, 2, 1))];
    assert!(!has(&on_history(&now, &far, &r), FlagCode::Splitting));
    // Another category does not count.
    let other = vec![fact(1, 51, "A0201", yuan(800_000), day(2026, 2, 1))];
    assert!(!has(&on_history(&now, &other, &r), FlagCode::Splitting));
    // Another buyer does not either.
    let mut theirs = earlier.clone();
    theirs[0].buyer_org_id = 11;
    assert!(!has(&on_history(&now, &theirs, &r), FlagCode::Splitting));
}

#[test]
fn the_history_needed_is_the_wins_window_and_the_near_band_only_for_an_award_just_under() {
    let r = rules();
    let now = fact(3, 50, "A0701", yuan(900_000), day(2026, 6, 1));
    let needed = history_needed(&now, &r);
    assert_eq!(needed.wins_since, day(2025, 6, 1), "365 days back: the first day outside on_history's window");
    assert_eq!(needed.until, now.on, "later awards do not count for this one");
    let later = vec![
        fact(1, 50, "A0701", yuan(100_000), day(2026, 6, 2)),
        fact(2, 50, "A0701", yuan(100_000), day(2026, 6, 3)),
    ];
    assert!(!has(&on_history(&now, &later, &r), FlagCode::RepeatWinner), "on_history leaves them out too");
    // Just under the procurement limit (1,000,000) only: its band, 800,000 up to the limit.
    let band = needed.parts.unwrap();
    assert_eq!((band.since, band.low, band.high), (day(2025, 6, 1), yuan(800_000), yuan(1_000_000)));
    // The band's bounds are exactly on_history's: its low end counts as a part, a fen below it does not.
    for (amount, counted) in [(band.low, true), (Money::from_fen(band.low.fen() - 1), false)] {
        let earlier = vec![fact(1, 51, "A0701", amount, day(2026, 2, 1))];
        assert_eq!(has(&on_history(&now, &earlier, &r), FlagCode::Splitting), counted, "{amount:?}");
    }
    // An award nowhere near a threshold reads no parts at all: nothing in its category can make it a split.
    assert_eq!(history_needed(&fact(4, 50, "A0701", yuan(100_000), day(2026, 6, 1)), &r).parts, None);
    // At the limit itself it is not under it.
    assert_eq!(history_needed(&fact(5, 50, "A0701", yuan(1_000_000), day(2026, 6, 1)), &r).parts, None);
}

#[test]
fn the_history_needed_names_the_providers_wins_and_the_parts_in_the_band_up_to_the_award() {
    let r = rules();
    let now = fact(3, 50, "A0701", yuan(900_000), day(2026, 6, 1));
    let needed = history_needed(&now, &r);
    let named = |f: AwardFact| needed.names(now.buyer_org_id, now.provider_org_id, &now.category, &f);
    assert!(named(now.clone()), "an award is in its own history");
    // The provider's wins in the window, of any category and amount; not a day before it, nor after the award.
    assert!(named(fact(1, 50, "A0201", yuan(10), day(2025, 6, 1))));
    assert!(!named(fact(1, 50, "A0201", yuan(10), day(2025, 5, 31))));
    assert!(!named(fact(1, 50, "A0701", yuan(900_000), day(2026, 6, 2))));
    // Another provider's awards of the category, inside the band only.
    assert!(named(fact(1, 51, "A0701", yuan(800_000), day(2026, 2, 1))));
    assert!(!named(fact(1, 51, "A0701", Money::from_fen(79_999_999), day(2026, 2, 1))));
    assert!(!named(fact(1, 51, "A0701", yuan(1_000_000), day(2026, 2, 1))));
    assert!(!named(fact(1, 51, "A0201", yuan(800_000), day(2026, 2, 1))));
    // Another buyer's, never.
    let mut theirs = fact(1, 50, "A0701", yuan(900_000), day(2026, 2, 1));
    theirs.buyer_org_id += 1;
    assert!(!named(theirs));
    // An award nowhere near a threshold names no other provider's.
    let small = fact(4, 50, "A0701", yuan(100_000), day(2026, 6, 1));
    let other = fact(1, 51, "A0701", yuan(100_000), day(2026, 2, 1));
    assert!(!history_needed(&small, &r).names(small.buyer_org_id, small.provider_org_id, &small.category, &other));
}

fn project() -> Project {
    let at = noon(day(2026, 3, 3));
    let provider = ProviderInfo {
        org_id: 50,
        name: "机构".into(),
        kind: OrgKind::SocialOrganisation,
        active: true,
        class_one: false,
        barred_until: None,
    };
    Project {
        id: 7,
        code: "P-7".into(),
        version: 3,
        status: Status::Acceptance,
        purchaser_org_id: 10,
        purchaser_name: "民政局".into(),
        designer_id: 1,
        design: Design {
            title: "居家养老服务".into(),
            category: "A0701".into(),
            regions: vec!["420506".into()],
            target_groups: vec![],
            mode: PurchaseMode::Project,
            content: "c".into(),
            standards: "s".into(),
            period_start: day(2026, 4, 1),
            period_end: day(2026, 12, 31),
            continuing: false,
            targets: vec![],
            posts: vec![],
        },
        cost_lines: vec![],
        funding: vec![],
        reviews: vec![],
        content_review_skipped: None,
        award: Some(ProjectAward {
            method: AwardMethod::Procured(Method::OpenTender),
            provider: provider.clone(),
            justification: String::new(),
            amount: yuan(800_000),
            at,
            by: 1,
        }),
        contract: Some(Contract {
            purchaser_org_id: 10,
            provider,
            amount: yuan(800_000),
            start: day(2026, 4, 1),
            end: day(2026, 12, 31),
            signed_on: day(2026, 4, 2),
            milestones: vec![],
            termination: None,
            posts: vec![],
            supplements: vec![],
            final_payment_by_grade: false,
        }),
        cancellation: None,
        evaluation: None,
        visits: vec![],
        created_at: at,
        updated_at: at,
    }
}

#[test]
fn late_contract_after_thirty_days() {
    let r = rules();
    let mut p = project();
    // Awarded 3 Mar: 30 days end 2 Apr.
    p.contract.as_mut().unwrap().signed_on = day(2026, 4, 2);
    assert!(!has(&on_contract(&p, day(2026, 4, 2), &r, &cal()), FlagCode::LateContract));
    p.contract.as_mut().unwrap().signed_on = day(2026, 4, 3);
    let flags = on_contract(&p, day(2026, 4, 3), &r, &cal());
    assert_eq!(codes(&flags), vec![FlagCode::LateContract]);
    // A direct award is outside the procurement law's 30 days.
    p.award.as_mut().unwrap().method = AwardMethod::Direct;
    assert!(on_contract(&p, day(2026, 4, 3), &r, &cal()).is_empty());
}

#[test]
fn late_publication_after_two_working_days() {
    let r = rules();
    let p = project();
    // Signed Thursday 2 Apr 2026; 2 working days: Friday 3 Apr, then (Qingming 4–6 Apr off) Tuesday 7 Apr.
    let due = r.periods.latest(Period::ContractPublication, day(2026, 4, 2), &cal()).unwrap().date;
    assert!(!has(&on_contract(&p, due, &r, &cal()), FlagCode::LatePublication));
    let flags = on_contract(&p, due + chrono::Days::new(1), &r, &cal());
    assert_eq!(codes(&flags), vec![FlagCode::LatePublication]);
    assert_eq!(flags[0].evidence["due"], json!(due));
}

fn supplement(n: u32, amount: Money, status: SupplementStatus) -> Supplement {
    Supplement {
        n,
        amount,
        reason: "r".into(),
        milestone_name: "m".into(),
        due: day(2026, 12, 1),
        funding: vec![],
        status,
        proposed_by: 1,
        proposed_at: noon(day(2026, 6, 1)),
        review: None,
        signed_on: Some(day(2026, 6, 2)),
    }
}

#[test]
fn supplement_near_limit() {
    let r = rules();
    let mut p = project();
    // Original 800,000: the limit is 80,000, 90 % of it 72,000.
    p.contract.as_mut().unwrap().supplements = vec![
        supplement(1, yuan(40_000), SupplementStatus::Signed),
        supplement(2, yuan(32_000), SupplementStatus::Signed),
        supplement(3, yuan(8_000), SupplementStatus::Returned),
    ];
    let flags = on_supplement(&p, &r);
    assert_eq!(codes(&flags), vec![FlagCode::SupplementNearLimit]);
    assert_eq!(flags[0].evidence["used_bp"], json!(9000));
    p.contract.as_mut().unwrap().supplements[1].amount = Money::from_fen(3_199_999);
    assert!(on_supplement(&p, &r).is_empty());
}

#[test]
fn single_source_has_no_competition_flags() {
    let r = rules();
    let mut p = awarded(&[yuan(995_000)]);
    p.method = Method::SingleSource;
    assert!(on_award(&p, &r, &cal()).is_empty());
}

#[test]
fn late_contract_counts_a_deadline_on_a_rest_day_from_the_next_working_day() {
    let r = rules();
    let mut p = project();
    // Awarded Friday 24 April 2026: 30 days end on Sunday 24 May, which moves to Monday 25 May.
    p.award.as_mut().unwrap().at = noon(day(2026, 4, 24));
    p.contract.as_mut().unwrap().signed_on = day(2026, 5, 25);
    assert!(on_contract(&p, day(2026, 5, 25), &r, &cal()).is_empty());
    p.contract.as_mut().unwrap().signed_on = day(2026, 5, 26);
    assert_eq!(codes(&on_contract(&p, day(2026, 5, 26), &r, &cal())), vec![FlagCode::LateContract]);
}
