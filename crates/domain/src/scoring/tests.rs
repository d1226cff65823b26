use super::*;
use crate::error::ErrorCode;
use proptest::prelude::*;

fn bid(id: i64, yuan: i64) -> BidInput {
    BidInput {
        id,
        price: Money::from_yuan(yuan),
        small_or_micro: false,
        disqualified: false,
        low_price_unjustified: false,
    }
}

fn criterion(key: &str, weight_bp: u32) -> Criterion {
    Criterion { key: key.into(), weight_bp }
}

/// Marks from `(bid, criterion, [expert 1, expert 2, expert 3])`.
fn marks(rows: &[(i64, &str, [&str; 3])]) -> Vec<Mark> {
    rows.iter()
        .flat_map(|(bid, c, scores)| {
            scores.iter().enumerate().map(move |(e, s)| Mark {
                expert: e as i64 + 1,
                bid: *bid,
                criterion: c.to_string(),
                score: s.to_string(),
            })
        })
        .collect()
}

fn comprehensive(price_weight_bp: u32, criteria: Vec<Criterion>, bids: Vec<BidInput>, marks: Vec<Mark>) -> Evaluation {
    Evaluation {
        method: Method::Comprehensive { procedure: Procedure::Tender, price_weight_bp, criteria },
        bids,
        marks,
        sme_deduction_bp: None,
    }
}

fn lowest_price(bids: Vec<BidInput>) -> Evaluation {
    Evaluation { method: Method::LowestEvaluatedPrice, bids, marks: vec![], sme_deduction_bp: None }
}

fn codes(err: DomainError) -> Vec<(String, ErrorCode)> {
    err.fields().iter().map(|f| (f.field.clone(), f.code)).collect()
}

fn ranks(o: &Outcome) -> Vec<(i64, Option<u32>)> {
    o.bids.iter().map(|b| (b.id, b.rank)).collect()
}

fn total(o: &Outcome, id: i64) -> String {
    o.bid(id).unwrap().total.unwrap().display()
}

#[test]
fn three_bids_three_experts_by_hand() {
    // Price 30 %, technical 50 %, service 20 %. Bids A=1 100,000, B=2 90,000, C=3 120,000 yuan.
    // Base = 90,000. Price scores: A 90/100×100 = 90, B 100, C 90/120×100 = 75.
    // Technical means: A (80+85+90)/3 = 85, B (70+75+71)/3 = 72, C (90+95+91)/3 = 92.
    // Service means:   A (80+80+81)/3 = 80.333…, B (60+65+70)/3 = 65, C (85+90+95)/3 = 90.
    // Totals: A = 42.5 + 16.0666… + 27 = 2567/30 = 85.5666… → 85.57
    //         B = 36 + 13 + 30 = 79.00;  C = 46 + 18 + 22.5 = 86.50.  Ranking C, A, B.
    let input = comprehensive(
        3000,
        vec![criterion("technical", 5000), criterion("service", 2000)],
        vec![bid(1, 100_000), bid(2, 90_000), bid(3, 120_000)],
        marks(&[
            (1, "technical", ["80", "85", "90"]),
            (2, "technical", ["70", "75", "71"]),
            (3, "technical", ["90", "95", "91"]),
            (1, "service", ["80", "80", "81"]),
            (2, "service", ["60", "65", "70"]),
            (3, "service", ["85", "90", "95"]),
        ]),
    );
    let o = evaluate(&input, &Rules::default()).unwrap();
    assert_eq!(ranks(&o), vec![(3, Some(1)), (1, Some(2)), (2, Some(3))]);
    assert_eq!(o.base_price.unwrap().rounded(), Money::from_yuan(90_000));
    let a = o.bid(1).unwrap();
    assert_eq!(a.total, Some(Points::ratio(2567, 30)));
    assert_eq!((total(&o, 1), total(&o, 2), total(&o, 3)), ("85.57".into(), "79.00".into(), "86.50".into()));
    assert_eq!(a.price_score, Some(Points::whole(90)));
    assert_eq!(a.criteria[1].mean, Points::ratio(241, 3));
    assert_eq!(a.criteria[1].mean.display(), "80.33");
    assert_eq!(o.bid(3).unwrap().price_score.unwrap().display(), "75.00");
    assert_eq!(o.winners, vec![3]);
    assert!(!o.tied() && o.tie_groups.is_empty());
    assert_eq!(a.total.unwrap().ten_thousandths(), 855_667);
}

#[test]
fn equal_totals_rank_the_lower_price_first() {
    // Price 20 %, technical 80 %. A=1 100,000, B=2 80,000; base 80,000.
    // A: 85 × 0.8 + 80 × 0.2 = 68 + 16 = 84.  B: 80 × 0.8 + 100 × 0.2 = 64 + 20 = 84.
    // Equal totals: B's lower price ranks it first; no tie.
    let input = comprehensive(
        2000,
        vec![criterion("technical", 8000)],
        vec![bid(1, 100_000), bid(2, 80_000)],
        marks(&[(1, "technical", ["85", "84", "86"]), (2, "technical", ["80", "80", "80"])]),
    );
    let o = evaluate(&input, &Rules::default()).unwrap();
    assert_eq!(o.bid(1).unwrap().total, o.bid(2).unwrap().total);
    assert_eq!(total(&o, 1), "84.00");
    assert_eq!(ranks(&o), vec![(2, Some(1)), (1, Some(2))]);
    assert!(!o.tied() && !o.bid(1).unwrap().tied);
}

#[test]
fn equal_total_and_price_are_tied_for_the_purchaser_to_pick() {
    // Price 30 %, technical 70 %. A=1 and B=2 both 50,000, C=3 60,000; base 50,000.
    // A: 80 × 0.7 + 100 × 0.3 = 86.  B: mean (70+80+90)/3 = 80 → 86.  C: 80 × 0.7 + 50/60 × 100 × 0.3 = 56 + 25 = 81.
    let input = comprehensive(
        3000,
        vec![criterion("technical", 7000)],
        vec![bid(1, 50_000), bid(2, 50_000), bid(3, 60_000)],
        marks(&[
            (1, "technical", ["80", "80", "80"]),
            (2, "technical", ["70", "80", "90"]),
            (3, "technical", ["80", "80", "80"]),
        ]),
    );
    let o = evaluate(&input, &Rules::default()).unwrap();
    assert_eq!(ranks(&o), vec![(1, Some(1)), (2, Some(1)), (3, Some(3))]);
    assert_eq!((total(&o, 1), total(&o, 3)), ("86.00".into(), "81.00".into()));
    assert!(o.tied() && o.bid(1).unwrap().tied && !o.bid(3).unwrap().tied);
    assert_eq!(o.winners, vec![1, 2]);
    assert_eq!(o.tie_groups, vec![vec![1, 2]]);
    assert_eq!(o.resolve_tie(2).unwrap(), 2);
    assert_eq!(o.resolve_tie(3).unwrap_err().code(), ErrorCode::NotATiedBid);
}

#[test]
fn a_low_price_the_committee_finds_unjustified_is_void_and_the_base_recomputed() {
    // A=1 100,000, B=2 95,000, C=3 105,000, D=4 55,000 yuan. Price 30 %, technical 70 %; all 80 but D 60.
    // D: mean of others 100,000; 55,000 ≤ 60 % × 100,000 → abnormally low (also ≤ 70 % × 95,000 = 66,500).
    // Others: A vs mean (95+105+55)/3 = 85,000 and B vs mean 86,667 are not low; neither is below its next bid.
    // The thresholds flag D; the committee accepts its explanation, base 55,000:
    //   A 56 + 30 × 55/100 = 72.50; B 56 + 30 × 55/95 = 73.368… → 73.37; C 56 + 30 × 55/105 = 71.714… → 71.71;
    //   D 42 + 30 = 72.00. Ranking B, A, D, C.
    // The committee finds D's price unjustified, D void, base 95,000:
    //   A 56 + 28.5 = 84.50; B 56 + 30 = 86.00; C 56 + 30 × 95/105 = 83.142… → 83.14. Ranking B, A, C.
    let mut bids = vec![bid(1, 100_000), bid(2, 95_000), bid(3, 105_000), bid(4, 55_000)];
    let rows = marks(&[
        (1, "technical", ["80", "80", "80"]),
        (2, "technical", ["80", "80", "80"]),
        (3, "technical", ["80", "80", "80"]),
        (4, "technical", ["60", "60", "60"]),
    ]);
    let input = comprehensive(3000, vec![criterion("technical", 7000)], bids.clone(), rows.clone());
    let before = evaluate(&input, &Rules::default()).unwrap();
    assert_eq!(before.base_price.unwrap().rounded(), Money::from_yuan(55_000));
    let d = before.bid(4).unwrap();
    assert!(d.abnormally_low && !d.void);
    assert_eq!([1, 2, 3, 4].map(|id| total(&before, id)), ["72.50", "73.37", "71.71", "72.00"].map(String::from));
    assert_eq!(ranks(&before), vec![(2, Some(1)), (1, Some(2)), (4, Some(3)), (3, Some(4))]);

    bids[3].low_price_unjustified = true;
    let input = comprehensive(3000, vec![criterion("technical", 7000)], bids, rows);
    let after = evaluate(&input, &Rules::default()).unwrap();
    assert_eq!(after.base_price.unwrap().rounded(), Money::from_yuan(95_000));
    let d = after.bid(4).unwrap();
    assert!(d.abnormally_low && d.void && d.rank.is_none() && d.total.is_none());
    assert_eq!([1, 2, 3].map(|id| total(&after, id)), ["84.50", "86.00", "83.14"].map(String::from));
    assert_eq!(ranks(&after), vec![(2, Some(1)), (1, Some(2)), (3, Some(3)), (4, None)]);
    assert!([1, 2, 3].iter().all(|&id| !after.bid(id).unwrap().abnormally_low));
}

#[test]
fn small_enterprise_deduction_changes_the_ranking() {
    // A=1 100,000 yuan; B=2 105,000 yuan, a small enterprise.
    // Default 10 %: B evaluated 94,500 < 100,000 → B first. Without the SME flag A is first.
    // Documents setting 4 %: B evaluated 100,800 > 100,000 → A first.
    let mut b = bid(2, 105_000);
    b.small_or_micro = true;
    let o = evaluate(&lowest_price(vec![bid(1, 100_000), b.clone()]), &Rules::default()).unwrap();
    assert_eq!(o.bid(2).unwrap().evaluated_price.rounded(), Money::from_yuan(94_500));
    assert_eq!(o.bid(2).unwrap().evaluated_price.display(), "94500.00");
    assert_eq!(o.winners, vec![2]);

    let o = evaluate(&lowest_price(vec![bid(1, 100_000), bid(2, 105_000)]), &Rules::default()).unwrap();
    assert_eq!(o.winners, vec![1]);

    let mut input = lowest_price(vec![bid(1, 100_000), b]);
    input.sme_deduction_bp = Some(400);
    let o = evaluate(&input, &Rules::default()).unwrap();
    assert_eq!(o.bid(2).unwrap().evaluated_price.rounded(), Money::from_yuan(100_800));
    assert_eq!(o.winners, vec![1]);
}

#[test]
fn deduction_is_exact_below_the_fen() {
    // 123.45 yuan less 10 % = 111.105 yuan: kept exactly, shown rounded half up as 111.11.
    let p = EvaluatedPrice::of(Money::from_fen(12_345), 1000);
    assert_eq!(p.ten_thousandths_of_fen(), 111_105_000);
    assert_eq!(p.display(), "111.11");
}

#[test]
fn weights_must_add_up_to_one_hundred_percent() {
    // 30 % + 60 % = 90 %.
    let input = comprehensive(3000, vec![criterion("technical", 6000)], vec![bid(1, 100)], vec![]);
    let err = evaluate(&input, &Rules::default()).unwrap_err();
    assert_eq!(codes(err.clone()), vec![("criteria".into(), ErrorCode::WeightsNot100)]);
    assert!(err.message_zh().contains("90%"), "{}", err.message_zh());
}

#[test]
fn consultation_price_weight_must_be_ten_to_thirty_percent() {
    let consultation = |price_weight_bp| Evaluation {
        method: Method::Comprehensive {
            procedure: Procedure::CompetitiveConsultation,
            price_weight_bp,
            criteria: vec![criterion("technical", 10_000 - price_weight_bp)],
        },
        bids: vec![bid(1, 100)],
        marks: marks(&[(1, "technical", ["90", "90", "90"])]),
        sme_deduction_bp: None,
    };
    let err = evaluate(&consultation(3500), &Rules::default()).unwrap_err();
    assert_eq!(codes(err.clone()), vec![("price_weight_bp".into(), ErrorCode::PriceWeightOutOfRange)]);
    assert!(err.message_zh().contains("10% 至 30%"), "{}", err.message_zh());
    assert!(evaluate(&consultation(900), &Rules::default()).is_err());
    assert!(evaluate(&consultation(3000), &Rules::default()).is_ok());
    assert!(evaluate(&consultation(1000), &Rules::default()).is_ok());
    // A tender of services needs at least 10 %.
    let tender = comprehensive(900, vec![criterion("technical", 9100)], vec![bid(1, 100)], vec![]);
    assert_eq!(codes(evaluate(&tender, &Rules::default()).unwrap_err())[0].1, ErrorCode::PriceWeightOutOfRange);
}

#[test]
fn expert_scores_are_zero_to_one_hundred_with_two_decimals() {
    assert_eq!(ExpertScore::parse("100").unwrap().hundredths(), 10_000);
    assert_eq!(ExpertScore::parse("0").unwrap().hundredths(), 0);
    assert_eq!(ExpertScore::parse(" 85.5 ").unwrap().hundredths(), 8550);
    assert_eq!(ExpertScore::parse("0.07").unwrap().hundredths(), 7);
    assert_eq!(ExpertScore::parse("100.01"), Err(ScoreError::OutOfRange));
    assert_eq!(ExpertScore::parse("-1"), Err(ScoreError::OutOfRange));
    assert_eq!(ExpertScore::parse("100000"), Err(ScoreError::OutOfRange));
    for bad in ["", "85.555", "8a", "85.", ".5", "1e2", "--1"] {
        assert_eq!(ExpertScore::parse(bad), Err(ScoreError::Format), "{bad:?}");
    }

    let input = comprehensive(
        3000,
        vec![criterion("technical", 7000)],
        vec![bid(1, 100)],
        marks(&[(1, "technical", ["100.01", "-1", "90"])]),
    );
    assert_eq!(
        codes(evaluate(&input, &Rules::default()).unwrap_err()),
        vec![
            ("marks[0].score".into(), ErrorCode::ScoreOutOfRange),
            ("marks[1].score".into(), ErrorCode::ScoreOutOfRange)
        ]
    );
}

#[test]
fn every_expert_scores_every_valid_bid() {
    let mut rows = marks(&[(1, "technical", ["80", "80", "80"]), (2, "technical", ["80", "80", "80"])]);
    rows.pop();
    let input = comprehensive(3000, vec![criterion("technical", 7000)], vec![bid(1, 100), bid(2, 100)], rows);
    assert_eq!(evaluate(&input, &Rules::default()).unwrap_err().code(), ErrorCode::MarksIncomplete);
}

#[test]
fn lowest_evaluated_price_ranks_ascending_with_ties() {
    // A=1 100,000, B=2 90,000, C=3 90,000, D=4 120,000 yuan, D disqualified at compliance review.
    // B and C tie first (the documents' rule picks); A third.
    let mut d = bid(4, 120_000);
    d.disqualified = true;
    let o =
        evaluate(&lowest_price(vec![bid(1, 100_000), bid(2, 90_000), bid(3, 90_000), d]), &Rules::default()).unwrap();
    assert_eq!(ranks(&o), vec![(2, Some(1)), (3, Some(1)), (1, Some(3)), (4, None)]);
    assert_eq!(o.winners, vec![2, 3]);
    assert!(o.tied() && o.bid(4).unwrap().disqualified);
    assert!(o.bids.iter().all(|b| b.total.is_none() && b.price_score.is_none()));
}

#[test]
fn bad_bids_are_all_reported() {
    let input = lowest_price(vec![bid(1, 0), bid(1, 100)]);
    assert_eq!(
        codes(evaluate(&input, &Rules::default()).unwrap_err()),
        vec![("bids[0].price".into(), ErrorCode::PriceNotPositive), ("bids[1].id".into(), ErrorCode::DuplicateBid)]
    );
    assert_eq!(evaluate(&lowest_price(vec![]), &Rules::default()).unwrap_err().code(), ErrorCode::NoBids);
}

proptest! {
    #[test]
    fn totals_never_exceed_one_hundred_and_ranks_follow_the_order(
        bids in prop::collection::vec((1i64..10_000_000_000, any::<bool>(), any::<bool>()), 1..7),
        price_weight_bp in 1000u32..9000,
        split in 1u32..10_000,
        scores in prop::collection::vec(0u32..=10_000, 7 * 2 * 3),
    ) {
        let technical = 1 + (split % (9_999 - price_weight_bp));
        let criteria = vec![criterion("technical", technical), criterion("service", 10_000 - price_weight_bp - technical)];
        let bid_inputs: Vec<BidInput> = bids.iter().enumerate().map(|(i, &(fen, sme, justified))| BidInput {
            id: i as i64,
            price: Money::from_fen(fen),
            small_or_micro: sme,
            disqualified: false,
            // The committee's finding, never of the first bid, so one stays ranked.
            low_price_unjustified: !justified && i > 0,
        }).collect();
        let mut all_marks = vec![];
        for b in 0..bid_inputs.len() {
            for (c, key) in ["technical", "service"].iter().enumerate() {
                for e in 0..3 {
                    let h = scores[(b * 2 + c) * 3 + e];
                    all_marks.push(Mark {
                        expert: e as i64,
                        bid: b as i64,
                        criterion: key.to_string(),
                        score: format!("{}.{:02}", h / 100, h % 100),
                    });
                }
            }
        }
        let o = evaluate(&comprehensive(price_weight_bp, criteria, bid_inputs, all_marks), &Rules::default()).unwrap();
        let ranked: Vec<&BidResult> = o.bids.iter().filter(|b| b.rank.is_some()).collect();
        for b in &ranked {
            prop_assert!(b.total.unwrap() <= Points::whole(100));
            prop_assert!(b.price_score.unwrap() <= Points::whole(100));
            let better = ranked.iter().filter(|x| {
                x.total > b.total || (x.total == b.total && x.price < b.price)
            }).count();
            prop_assert_eq!(b.rank, Some(better as u32 + 1));
        }
        let mut ids: Vec<i64> = o.bids.iter().map(|b| b.id).collect();
        ids.sort();
        prop_assert_eq!(ids, (0..bids.len() as i64).collect::<Vec<_>>());
        if o.tie_groups.is_empty() {
            let rank_list: Vec<u32> = ranked.iter().map(|b| b.rank.unwrap()).collect();
            prop_assert_eq!(rank_list, (1..=ranked.len() as u32).collect::<Vec<_>>());
        }
        prop_assert!(!ranked.is_empty());
    }
}
