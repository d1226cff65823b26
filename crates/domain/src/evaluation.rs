//! Performance evaluation (绩效评价; 财预〔2020〕10号 and practice, domain-facts.md "Performance evaluation"): what a
//! project's performance targets weigh and how each is scored, a total out of 100, its grade, and the share of the
//! final payment a grade releases. Scoring only: who evaluates, and when, is the evaluation's own record.
//!
//! A target weighs whole points (the weights add up to 100). Each is scored by its rule against what was achieved,
//! in hundredths of a point, rounded half up; a target nothing was reported for scores nothing. Targets designed
//! before weights existed (free text, weight 0) share the 100 points evenly.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, ErrorCode, Problems};
use crate::money::Quantity;
use crate::org::string_enum;
use crate::project::{IndicatorGroup, PerformanceTarget};
use crate::Money;

string_enum!(
    /// The standard framework's second level: what an indicator measures.
    Dimension {
        Quantity = "quantity" / "数量指标" / "Quantity",
        Quality = "quality" / "质量指标" / "Quality",
        Timeliness = "timeliness" / "时效指标" / "Timeliness",
        Cost = "cost" / "成本指标" / "Cost",
        Social = "social" / "社会效益指标" / "Social effect",
        Sustainability = "sustainability" / "可持续影响指标" / "Sustainability",
        Satisfaction = "satisfaction" / "服务对象满意度指标" / "Service users' satisfaction",
    }
);

impl Dimension {
    /// The first level it belongs to.
    pub fn group(self) -> IndicatorGroup {
        match self {
            Dimension::Quantity | Dimension::Quality | Dimension::Timeliness | Dimension::Cost => {
                IndicatorGroup::Output
            }
            Dimension::Social | Dimension::Sustainability => IndicatorGroup::Effect,
            Dimension::Satisfaction => IndicatorGroup::Satisfaction,
        }
    }

    /// What a target of `group` set before dimensions existed measures: outputs were counts, effects social.
    pub fn of_group(group: IndicatorGroup) -> Dimension {
        match group {
            IndicatorGroup::Output => Dimension::Quantity,
            IndicatorGroup::Effect => Dimension::Social,
            IndicatorGroup::Satisfaction => Dimension::Satisfaction,
        }
    }
}

string_enum!(
    /// How a target's points follow what was achieved.
    ScoringRule {
        AtLeast = "at_least" / "不低于目标值：按完成比例计分" / "At least the target: points in proportion to what was achieved",
        AtMost = "at_most" / "不高于目标值：超出部分按比例扣分" / "At most the target: points fall in proportion above it",
        Reached = "reached" / "达到目标值得满分，否则不得分" / "All points when the target is reached, none otherwise",
    }
);

string_enum!(
    Grade {
        Excellent = "excellent" / "优" / "Excellent",
        Good = "good" / "良" / "Good",
        Fair = "fair" / "中" / "Fair",
        Poor = "poor" / "差" / "Poor",
    }
);

/// The grades' lower bounds (whole points out of 100) and the share of the final milestone's payment each grade
/// releases; what a grade withholds goes back to its budget line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GradeRules {
    /// 优 from 90, 良 from 80, 中 from 60, 差 below (domain-facts.md).
    pub excellent_min: u32,
    pub good_min: u32,
    pub fair_min: u32,
    /// Basis points of the final payment released at each grade. A local choice, not a statute: full payment at
    /// 优 and 良, 90 % at 中, 70 % at 差.
    pub excellent_payment_bp: u32,
    pub good_payment_bp: u32,
    pub fair_payment_bp: u32,
    pub poor_payment_bp: u32,
}

impl Default for GradeRules {
    fn default() -> Self {
        GradeRules {
            excellent_min: 90,
            good_min: 80,
            fair_min: 60,
            excellent_payment_bp: 10_000,
            good_payment_bp: 10_000,
            fair_payment_bp: 9_000,
            poor_payment_bp: 7_000,
        }
    }
}

impl GradeRules {
    /// Why these rules cannot grade: bounds not falling, above 100, or a share above the whole payment.
    pub fn check(&self) -> Result<(), String> {
        if !(self.excellent_min <= 100 && self.excellent_min > self.good_min && self.good_min > self.fair_min) {
            return Err(format!(
                "grades: excellent_min {} > good_min {} > fair_min {} must fall, within 100",
                self.excellent_min, self.good_min, self.fair_min
            ));
        }
        for (name, bp) in [
            ("excellent_payment_bp", self.excellent_payment_bp),
            ("good_payment_bp", self.good_payment_bp),
            ("fair_payment_bp", self.fair_payment_bp),
            ("poor_payment_bp", self.poor_payment_bp),
        ] {
            if bp > 10_000 {
                return Err(format!("grades: {name} {bp} is more than the whole payment (10000)"));
            }
        }
        Ok(())
    }

    /// The grade of a total in hundredths of a point.
    pub fn grade(&self, total: Points) -> Grade {
        let at_least = |min: u32| total.0 >= i64::from(min) * 100;
        if at_least(self.excellent_min) {
            Grade::Excellent
        } else if at_least(self.good_min) {
            Grade::Good
        } else if at_least(self.fair_min) {
            Grade::Fair
        } else {
            Grade::Poor
        }
    }

    /// What the final payment `due` releases at `grade`, in whole fen rounded down; the rest is withheld.
    pub fn released(&self, grade: Grade, due: Money) -> Money {
        let bp = match grade {
            Grade::Excellent => self.excellent_payment_bp,
            Grade::Good => self.good_payment_bp,
            Grade::Fair => self.fair_payment_bp,
            Grade::Poor => self.poor_payment_bp,
        };
        Money::from_fen(due.fen() * i64::from(bp) / 10_000)
    }
}

/// Points in hundredths (9050 is 90.50 points); written as the decimal string `"90.50"`, as money is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Points(pub i64);

impl Serialize for Points {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.display())
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Quantity::parse(&text)
            .map(|q| Points(q.hundredths()))
            .map_err(|_| serde::de::Error::custom(format!("points {text}")))
    }
}

impl Points {
    pub fn display(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// `a × b / c` rounded half up, for non-negative `a`, `b` and positive `c`.
fn mul_div_round(a: i64, b: i64, c: i64) -> i64 {
    let n = i128::from(a) * i128::from(b);
    let c = i128::from(c);
    ((n * 2 + c) / (c * 2)) as i64
}

/// The points a target of `weight` whole points earns when `achieved` was achieved against `target` by `rule`.
pub fn target_points(rule: ScoringRule, weight: u32, target: Quantity, achieved: Quantity) -> Points {
    let full = i64::from(weight) * 100;
    let (t, a) = (target.hundredths(), achieved.hundredths().max(0));
    if t <= 0 {
        return Points(0);
    }
    Points(match rule {
        ScoringRule::AtLeast => mul_div_round(full, a.min(t), t),
        ScoringRule::AtMost if a <= t => full,
        ScoringRule::AtMost => mul_div_round(full, t, a),
        ScoringRule::Reached if a >= t => full,
        ScoringRule::Reached => 0,
    })
}

/// Each target's weight: its own, or for targets set before weights (all 0) an even share of 100, the remainder
/// to the first ones (three targets: 34, 33, 33).
pub fn weights(targets: &[PerformanceTarget]) -> Vec<u32> {
    if targets.iter().any(|t| t.weight > 0) || targets.is_empty() {
        return targets.iter().map(|t| t.weight).collect();
    }
    let n = targets.len() as u32;
    (0..n).map(|i| 100 / n + u32::from(i < 100 % n)).collect()
}

/// One target's line of a scorecard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreLine {
    pub indicator: String,
    pub weight: u32,
    pub target: Quantity,
    /// What was achieved; none reported scores nothing.
    pub achieved: Option<Quantity>,
    pub points: Points,
}

/// A scored evaluation: each target's points, the total out of 100 and its grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    pub lines: Vec<ScoreLine>,
    pub total: Points,
    pub grade: Grade,
}

/// Scores `targets` against what was achieved (`achieved(indicator)`), graded by `rules`. A target whose value
/// does not read as a number scores nothing (the design's check keeps new ones from it).
pub fn score(
    targets: &[PerformanceTarget],
    achieved: impl Fn(&str) -> Option<Quantity>,
    rules: &GradeRules,
) -> Scorecard {
    let lines: Vec<ScoreLine> = targets
        .iter()
        .zip(weights(targets))
        .map(|(t, weight)| {
            let target = Quantity::parse(t.target.trim()).unwrap_or(Quantity::from_hundredths(0));
            let got = achieved(&t.indicator);
            let points = got.map_or(Points(0), |a| target_points(t.rule, weight, target, a));
            ScoreLine { indicator: t.indicator.clone(), weight, target, achieved: got, points }
        })
        .collect();
    let total = Points(lines.iter().map(|l| l.points.0).sum());
    Scorecard { grade: rules.grade(total), lines, total }
}

/// The field problems of a design's targets: each with an indicator, a unit, a positive numeric target and a
/// positive weight in points, a dimension of its group, no indicator twice, and the weights adding up to 100.
pub fn check_targets(p: &mut Problems, targets: &[PerformanceTarget]) {
    if targets.is_empty() {
        p.add("targets", ErrorCode::Required, "请至少填写一项绩效目标", "add at least one performance target");
        return;
    }
    for (i, t) in targets.iter().enumerate() {
        let field = |name: &str| format!("targets[{i}].{name}");
        if t.indicator.trim().is_empty() || t.target.trim().is_empty() {
            p.add(
                format!("targets[{i}]"),
                ErrorCode::IncompleteTarget,
                "绩效目标需填写指标名称和目标值",
                "each target needs an indicator and a target value",
            );
            continue;
        }
        if !Quantity::parse(t.target.trim()).is_ok_and(|q| q.hundredths() > 0) {
            p.add(
                field("target"),
                ErrorCode::InvalidTargetValue,
                "目标值须为正数，最多两位小数",
                "the target value must be a positive number with at most two decimals",
            );
        }
        if t.unit.trim().is_empty() {
            p.add(field("unit"), ErrorCode::Required, "请填写计量单位", "give the unit");
        }
        if t.weight == 0 {
            p.add(field("weight"), ErrorCode::WeightNotPositive, "请填写权重（分）", "give the weight in points");
        }
        if t.dimension.group() != t.group {
            p.add(
                field("dimension"),
                ErrorCode::InvalidParameter,
                format!("{}不属于{}", t.dimension.label_zh(), t.group.label_zh()),
                format!("{} is not an indicator of {}", t.dimension.label_en(), t.group.label_en()),
            );
        }
        if targets[..i].iter().any(|o| o.indicator.trim() == t.indicator.trim()) {
            p.add(field("indicator"), ErrorCode::DuplicateIndicator, "指标名称重复", "this indicator is listed twice");
        }
    }
    let sum: u32 = targets.iter().map(|t| t.weight).sum();
    if sum != 100 {
        p.add(
            "targets",
            ErrorCode::WeightsNot100,
            format!("各项指标权重合计须为 100 分（现为 {sum} 分）"),
            format!("the targets' weights must add up to 100 points (they add up to {sum})"),
        );
    }
}

/// [`check_targets`] as a result.
pub fn checked_targets(targets: &[PerformanceTarget]) -> Result<(), DomainError> {
    let mut p = Problems::default();
    check_targets(&mut p, targets);
    p.into_result()
}

mod record;
pub use record::*;

#[cfg(test)]
mod tests;

/// A starting set of targets for a project of catalogue `category` (by its head: 养老 A01, 儿童 A02, 残疾人 A03,
/// 心理 A06, 社工 A07, 社区 B01; any other the general set), weighted to 100 as the typical split (output 60, effect
/// 30, satisfaction 10); the department sets its own values before it submits.
pub fn template(category: &str) -> Vec<PerformanceTarget> {
    use Dimension::*;
    use ScoringRule::*;
    let rows: &[(&str, Dimension, &str, &str, u32, ScoringRule)] = match category.get(..3).unwrap_or("") {
        "A01" => &[
            ("服务老年人数", Quantity, "100", "人", 25, AtLeast),
            ("上门服务人次", Quantity, "1200", "人次", 20, AtLeast),
            ("服务记录规范率", Quality, "95", "%", 15, AtLeast),
            ("老年人生活质量改善率", Social, "80", "%", 30, AtLeast),
            ("老年人及家属满意度", Satisfaction, "90", "%", 10, AtLeast),
        ],
        "A02" => &[
            ("服务儿童人数", Quantity, "100", "人", 25, AtLeast),
            ("家庭探访次数", Quantity, "300", "次", 20, AtLeast),
            ("个案评估及时率", Timeliness, "95", "%", 15, AtLeast),
            ("儿童安全与成长状况改善率", Social, "80", "%", 30, AtLeast),
            ("儿童及监护人满意度", Satisfaction, "90", "%", 10, AtLeast),
        ],
        "A03" => &[
            ("服务残疾人数", Quantity, "80", "人", 25, AtLeast),
            ("康复训练及活动场次", Quantity, "48", "场", 20, AtLeast),
            ("服务方案执行达标率", Quality, "90", "%", 15, AtLeast),
            ("社会参与能力提升率", Social, "70", "%", 30, AtLeast),
            ("服务对象满意度", Satisfaction, "90", "%", 10, AtLeast),
        ],
        "A06" => &[
            ("心理咨询及疏导人次", Quantity, "300", "人次", 25, AtLeast),
            ("危机个案平均响应时间", Timeliness, "1", "天", 20, AtMost),
            ("个案记录规范率", Quality, "95", "%", 15, AtLeast),
            ("心理状况改善率", Social, "75", "%", 30, AtLeast),
            ("服务对象满意度", Satisfaction, "90", "%", 10, AtLeast),
        ],
        "A07" => &[
            ("完成个案服务数", Quantity, "60", "个", 20, AtLeast),
            ("开展小组及社区活动场次", Quantity, "24", "场", 20, AtLeast),
            ("服务档案规范率", Quality, "95", "%", 20, AtLeast),
            ("服务对象问题改善率", Social, "80", "%", 20, AtLeast),
            ("培育志愿者及社区骨干人数", Sustainability, "20", "人", 10, AtLeast),
            ("服务对象满意度", Satisfaction, "90", "%", 10, AtLeast),
        ],
        "B01" => &[
            ("开展社区活动场次", Quantity, "36", "场", 25, AtLeast),
            ("参与居民人次", Quantity, "1500", "人次", 20, AtLeast),
            ("居民议事协商事项办结率", Quality, "90", "%", 15, AtLeast),
            ("社区社会组织培育数", Sustainability, "3", "个", 30, AtLeast),
            ("居民满意度", Satisfaction, "90", "%", 10, AtLeast),
        ],
        _ => &[
            ("服务对象人数", Quantity, "100", "人", 30, AtLeast),
            ("按期完成服务内容比例", Timeliness, "100", "%", 15, AtLeast),
            ("服务成果验收合格率", Quality, "95", "%", 15, AtLeast),
            ("服务对象问题改善率", Social, "75", "%", 30, AtLeast),
            ("服务对象满意度", Satisfaction, "90", "%", 10, AtLeast),
        ],
    };
    rows.iter()
        .map(|(indicator, dimension, target, unit, weight, rule)| PerformanceTarget {
            indicator: (*indicator).into(),
            group: dimension.group(),
            dimension: *dimension,
            target: (*target).into(),
            unit: (*unit).into(),
            weight: *weight,
            rule: *rule,
        })
        .collect()
}
