//! Scoring and grading on hand-worked examples.

use super::*;
use crate::rules::Rules;

fn q(s: &str) -> Quantity {
    Quantity::parse(s).unwrap()
}

fn target(indicator: &str, dimension: Dimension, value: &str, weight: u32, rule: ScoringRule) -> PerformanceTarget {
    PerformanceTarget {
        indicator: indicator.into(),
        group: dimension.group(),
        dimension,
        target: value.into(),
        unit: "个".into(),
        weight,
        rule,
    }
}

#[test]
fn each_rule_scores_by_hand() {
    use ScoringRule::*;
    // 200 of 225 cases, 30 points: 30 × 200 / 225 = 26.666… → 26.67.
    assert_eq!(target_points(AtLeast, 30, q("225"), q("200")), Points(2667));
    // More than the target earns no more than its weight.
    assert_eq!(target_points(AtLeast, 30, q("225"), q("260")), Points(3000));
    // 2 of 3 points' worth: 10 × 2 / 3 = 6.666… → 6.67; 10 × 1 / 3 = 3.333… → 3.33.
    assert_eq!(target_points(AtLeast, 10, q("3"), q("2")), Points(667));
    assert_eq!(target_points(AtLeast, 10, q("3"), q("1")), Points(333));
    // Half a hundredth rounds up: 1 × 1 / 8 = 0.125 → 0.13.
    assert_eq!(target_points(AtLeast, 1, q("8"), q("1")), Points(13));
    // At most 30 days to respond: 36 days earns 20 × 30 / 36 = 16.666… → 16.67; 25 days all 20.
    assert_eq!(target_points(AtMost, 20, q("30"), q("36")), Points(1667));
    assert_eq!(target_points(AtMost, 20, q("30"), q("25")), Points(2000));
    // Reached or not.
    assert_eq!(target_points(Reached, 10, q("85"), q("85")), Points(1000));
    assert_eq!(target_points(Reached, 10, q("85"), q("84.99")), Points(0));
    // Nothing achieved.
    assert_eq!(target_points(AtLeast, 30, q("225"), q("0")), Points(0));
}

#[test]
fn a_scorecard_totals_its_targets_and_grades_the_total() {
    let targets = vec![
        target("完成个案服务数", Dimension::Quantity, "225", 30, ScoringRule::AtLeast),
        target("开展小组及社区活动场次", Dimension::Quantity, "60", 20, ScoringRule::AtLeast),
        target("平均响应时间", Dimension::Timeliness, "3", 10, ScoringRule::AtMost),
        target("服务对象问题改善率", Dimension::Social, "80", 30, ScoringRule::AtLeast),
        target("服务对象满意度", Dimension::Satisfaction, "85", 10, ScoringRule::Reached),
    ];
    let achieved = |i: &str| match i {
        "完成个案服务数" => Some(q("200")),        // 26.67
        "开展小组及社区活动场次" => Some(q("66")), // 20.00
        "平均响应时间" => Some(q("4")),            // 10 × 3 / 4 = 7.50
        "服务对象问题改善率" => Some(q("72")),     // 30 × 72 / 80 = 27.00
        _ => None,                                 // satisfaction not measured: 0
    };
    let card = score(&targets, achieved, &GradeRules::default());
    let points: Vec<i64> = card.lines.iter().map(|l| l.points.0).collect();
    assert_eq!(points, [2667, 2000, 750, 2700, 0]);
    assert_eq!(card.total, Points(8117));
    assert_eq!(card.total.display(), "81.17");
    assert_eq!(card.grade, Grade::Good);
    assert_eq!(card.lines[4].achieved, None);
}

#[test]
fn grades_follow_the_bounds_at_their_edges() {
    let g = GradeRules::default();
    for (total, grade) in [
        (10_000, Grade::Excellent),
        (9_000, Grade::Excellent),
        (8_999, Grade::Good),
        (8_000, Grade::Good),
        (7_999, Grade::Fair),
        (6_000, Grade::Fair),
        (5_999, Grade::Poor),
        (0, Grade::Poor),
    ] {
        assert_eq!(g.grade(Points(total)), grade, "{total}");
    }
    // Configurable: a province grading 优 from 95.
    let strict = GradeRules { excellent_min: 95, ..GradeRules::default() };
    assert_eq!(strict.grade(Points(9_400)), Grade::Good);
}

#[test]
fn a_grade_releases_its_share_of_the_final_payment() {
    let g = GradeRules::default();
    let due = Money::from_yuan(36_000);
    assert_eq!(g.released(Grade::Excellent, due), due);
    assert_eq!(g.released(Grade::Good, due), due);
    assert_eq!(g.released(Grade::Fair, due), Money::from_yuan(32_400));
    assert_eq!(g.released(Grade::Poor, due), Money::from_yuan(25_200));
    // Whole fen, rounded down: 70 % of 0.05 yuan is 3.5 fen → 3 fen.
    assert_eq!(g.released(Grade::Poor, Money::from_fen(5)), Money::from_fen(3));
}

#[test]
fn the_grade_rules_are_configurable_and_checked_as_read() {
    assert_eq!(Rules::default().grades, GradeRules::default());
    let r: Rules = serde_json::from_str(r#"{"grades": {"excellent_min": 95, "poor_payment_bp": 5000}}"#).unwrap();
    assert_eq!((r.grades.excellent_min, r.grades.good_min, r.grades.poor_payment_bp), (95, 80, 5000));
    for bad in [r#"{"excellent_min": 80}"#, r#"{"excellent_min": 101}"#, r#"{"fair_payment_bp": 10001}"#] {
        let e = serde_json::from_str::<Rules>(&format!(r#"{{"grades": {bad}}}"#)).unwrap_err();
        assert!(e.to_string().contains("grades"), "{bad}: {e}");
    }
}

#[test]
fn targets_set_before_weights_share_the_points_evenly() {
    let old = |n: usize| -> Vec<PerformanceTarget> {
        (0..n).map(|i| target(&format!("指标{i}"), Dimension::Quantity, "10", 0, ScoringRule::AtLeast)).collect()
    };
    assert_eq!(weights(&old(5)), [20; 5]);
    assert_eq!(weights(&old(3)), [34, 33, 33]);
    assert_eq!(weights(&old(7)), [15, 15, 14, 14, 14, 14, 14]);
    assert_eq!(weights(&old(7)).iter().sum::<u32>(), 100);
    // A record from before reads with its group's dimension and the proportional rule.
    let stored: PerformanceTarget =
        serde_json::from_str(r#"{"indicator":"服务对象满意度","group":"satisfaction","target":"85","unit":"%"}"#)
            .unwrap();
    assert_eq!((stored.dimension, stored.weight, stored.rule), (Dimension::Satisfaction, 0, ScoringRule::AtLeast));
    let effect: PerformanceTarget =
        serde_json::from_str(r#"{"indicator":"改善率","group":"effect","target":"80","unit":"%"}"#).unwrap();
    assert_eq!(effect.dimension, Dimension::Social);
    // Scored evenly: all reached gives 100.
    let card = score(&old(3), |_| Some(q("10")), &GradeRules::default());
    assert_eq!((card.total, card.grade), (Points(10_000), Grade::Excellent));
}

#[test]
fn a_designs_targets_are_checked_field_by_field() {
    let codes = |targets: &[PerformanceTarget]| -> Vec<(String, &'static str)> {
        match checked_targets(targets) {
            Ok(()) => vec![],
            Err(DomainError::InvalidInput(fields)) => {
                fields.iter().map(|f| (f.field.clone(), f.code.as_str())).collect()
            }
            Err(e) => panic!("{e:?}"),
        }
    };
    let good = vec![
        target("个案数", Dimension::Quantity, "225", 60, ScoringRule::AtLeast),
        target("满意度", Dimension::Satisfaction, "85.5", 40, ScoringRule::Reached),
    ];
    assert!(codes(&good).is_empty());
    assert_eq!(codes(&[]), [("targets".to_string(), "required")]);
    let mut bad = good.clone();
    bad[0].weight = 50;
    assert_eq!(codes(&bad), [("targets".to_string(), "weights_not_100")]);
    let mut bad = good.clone();
    bad[0].target = "不少于200".into();
    bad[1].target = "0".into();
    assert_eq!(
        codes(&bad),
        [
            ("targets[0].target".to_string(), "invalid_target_value"),
            ("targets[1].target".to_string(), "invalid_target_value")
        ]
    );
    let mut bad = good.clone();
    bad[1].dimension = Dimension::Quality; // an output dimension under satisfaction
    bad[1].indicator = "个案数".into();
    bad[0].unit = " ".into();
    assert_eq!(
        codes(&bad),
        [
            ("targets[0].unit".to_string(), "required"),
            ("targets[1].dimension".to_string(), "invalid_parameter"),
            ("targets[1].indicator".to_string(), "duplicate_indicator"),
        ]
    );
    let mut bad = good.clone();
    bad[0].weight = 0;
    bad[1].weight = 100;
    assert_eq!(codes(&bad), [("targets[0].weight".to_string(), "weight_not_positive")]);
}

#[test]
fn every_dimension_belongs_to_one_group_and_each_group_has_one() {
    for g in [IndicatorGroup::Output, IndicatorGroup::Effect, IndicatorGroup::Satisfaction] {
        assert_eq!(Dimension::of_group(g).group(), g);
        assert!(Dimension::ALL.iter().any(|d| d.group() == g));
    }
    assert_eq!(Dimension::ALL.iter().filter(|d| d.group() == IndicatorGroup::Output).count(), 4);
}

#[test]
fn every_categorys_template_is_a_valid_set_of_targets_with_the_typical_split() {
    for category in ["A0101", "A0201", "A03", "A0601", "A0701", "B0101", "C01", "", "E04"] {
        let targets = template(category);
        checked_targets(&targets).unwrap_or_else(|e| panic!("{category}: {e:?}"));
        let of = |g: IndicatorGroup| targets.iter().filter(|t| t.group == g).map(|t| t.weight).sum::<u32>();
        assert_eq!(
            (of(IndicatorGroup::Output), of(IndicatorGroup::Effect), of(IndicatorGroup::Satisfaction)),
            (60, 30, 10),
            "{category}"
        );
    }
    assert_ne!(template("A0101")[0].indicator, template("A0201")[0].indicator, "each head its own");
    assert_eq!(template("C01"), template("D02"), "the general set");
}

#[test]
fn points_are_written_as_decimal_strings_and_read_back() {
    assert_eq!(serde_json::to_string(&Points(9050)).unwrap(), "\"90.50\"");
    assert_eq!(serde_json::to_string(&Points(7)).unwrap(), "\"0.07\"");
    assert_eq!(serde_json::from_str::<Points>("\"100.00\"").unwrap(), Points(10_000));
    assert!(serde_json::from_str::<Points>("\"-1\"").is_err());
    assert!(serde_json::from_str::<Points>("9050").is_err(), "a bare number is ambiguous");
}

#[test]
fn evaluation_rules_are_configurable_and_checked_as_read() {
    let r = Rules::default();
    assert_eq!(
        (r.evaluation.self_weight, r.evaluation.purchaser_weight, r.evaluation.third_party_weight),
        (10, 30, 60)
    );
    assert_eq!((r.evaluation.conflict_years, r.evaluation.consecutive_limit), (3, 1));
    let read: Rules = serde_json::from_str(r#"{"evaluation": {"self_weight": 0, "purchaser_weight": 40}}"#).unwrap();
    assert_eq!(
        (read.evaluation.self_weight, read.evaluation.purchaser_weight, read.evaluation.third_party_weight),
        (0, 40, 60)
    );
    let err = serde_json::from_str::<Rules>(r#"{"evaluation": {"self_weight": 20}}"#).unwrap_err().to_string();
    assert!(err.contains("not 100"), "{err}");
    assert!(serde_json::from_str::<Rules>(r#"{"evaluation": {"consecutive_limit": 0}}"#).is_err());
}
