//! Bid evaluation (评标): the lowest evaluated price method and comprehensive scoring (综合评分法), with the
//! small-and-micro-enterprise price deduction and abnormally low bids. Exact throughout: prices in fen, scores as
//! reduced fractions of a point; rounding happens only in `display`.
//!
//! An abnormally low price is the committee's judgement (财政部令第87号 §60): the thresholds here only flag a bid
//! for the committee to look at; a bid is void only when the committee found its price unjustified.
//! Sources: MOF order 87 arts. 54–56 and 60, 财库〔2014〕214号, 财库〔2020〕46号 (see shared/domain-facts.md).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize, Serializer};

use crate::error::{DomainError, ErrorCode, Problems};
use crate::money::Money;
use crate::org::string_enum;
use crate::rules::Rules;

#[cfg(test)]
mod tests;

/// The largest bid price accepted: the same bound as a parsed amount (one trillion yuan), which keeps every
/// product below in `u128`.
const MAX_PRICE_FEN: i64 = 100_000_000_000_000;
const FULL_BP: u128 = 10_000;

string_enum!(
    /// Which legal range the price weight of a comprehensive scoring must fall in.
    Procedure {
        Tender = "tender" / "招标" / "Tender",
        CompetitiveConsultation = "competitive_consultation" / "竞争性磋商" / "Competitive consultation",
    }
);

/// A score in points as an exact fraction, always reduced (so derived equality is value equality).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Points {
    num: u128,
    den: u128,
}

impl Points {
    pub const ZERO: Points = Points { num: 0, den: 1 };

    fn ratio(num: u128, den: u128) -> Points {
        let g = gcd(num, den);
        Points { num: num / g, den: den / g }
    }
    pub fn whole(points: u32) -> Points {
        Points { num: points.into(), den: 1 }
    }
    pub fn numer(self) -> u128 {
        self.num
    }
    pub fn denom(self) -> u128 {
        self.den
    }
    /// Ten-thousandths of a point, rounded half up (for integer columns and reports).
    pub fn ten_thousandths(self) -> u128 {
        (2 * self.num * 10_000 + self.den) / (2 * self.den)
    }
    /// `85.57`: two decimals, rounded half up. Only for showing; compare the exact value.
    pub fn display(self) -> String {
        let h = (2 * self.num * 100 + self.den) / (2 * self.den);
        format!("{}.{:02}", h / 100, h % 100)
    }
}

impl Ord for Points {
    fn cmp(&self, other: &Points) -> Ordering {
        mul_wide(self.num, other.den).cmp(&mul_wide(other.num, self.den))
    }
}
impl PartialOrd for Points {
    fn partial_cmp(&self, other: &Points) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Serialize for Points {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.display())
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// The full 256-bit product as (high, low), so cross-multiplied comparisons never overflow.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const LOW: u128 = u64::MAX as u128;
    let (a1, a0, b1, b0) = (a >> 64, a & LOW, b >> 64, b & LOW);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let mid = (p00 >> 64) + (p01 & LOW) + (p10 & LOW);
    ((p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64)), (p00 & LOW) | (mid << 64))
}

/// A bid price after policy deductions, in 1/10000 fen so a basis-point deduction stays exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EvaluatedPrice(u128);

impl EvaluatedPrice {
    /// `price × (1 − deduction)`; `price` must be positive (checked by [`evaluate`]).
    pub fn of(price: Money, deduction_bp: u32) -> EvaluatedPrice {
        EvaluatedPrice(price.fen().max(0) as u128 * (FULL_BP - u128::from(deduction_bp.min(10_000))))
    }
    pub fn ten_thousandths_of_fen(self) -> u128 {
        self.0
    }
    /// Rounded half up to the fen, for showing.
    pub fn rounded(self) -> Money {
        Money::from_fen(((self.0 + FULL_BP / 2) / FULL_BP) as i64)
    }
    pub fn display(self) -> String {
        self.rounded().yuan_string()
    }
}

impl Serialize for EvaluatedPrice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.display())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreError {
    Format,
    OutOfRange,
}

impl ScoreError {
    pub fn code(self) -> ErrorCode {
        match self {
            ScoreError::Format => ErrorCode::ScoreFormat,
            ScoreError::OutOfRange => ErrorCode::ScoreOutOfRange,
        }
    }
    pub fn message_zh(self) -> &'static str {
        match self {
            ScoreError::Format => "分数格式不正确，最多两位小数，例如 85.5",
            ScoreError::OutOfRange => "分数须在 0 至 100 之间",
        }
    }
    pub fn message_en(self) -> &'static str {
        match self {
            ScoreError::Format => "enter a score like 85.5, with at most two decimals",
            ScoreError::OutOfRange => "the score must be between 0 and 100",
        }
    }
}

/// One expert's score on one criterion: 0–100 with at most two decimals, held in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExpertScore(u32);

impl ExpertScore {
    pub fn parse(input: &str) -> Result<ExpertScore, ScoreError> {
        let s = input.trim();
        let (negative, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !digits(whole)
            || !digits(frac)
            || frac.len() > 2
            || (body.contains('.') && frac.is_empty())
        {
            return Err(ScoreError::Format);
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 3 {
            return Err(ScoreError::OutOfRange);
        }
        let whole: u32 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| ScoreError::Format)? };
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| ScoreError::Format)?;
        let hundredths = whole * 100 + frac;
        if hundredths > 10_000 || (negative && hundredths > 0) {
            return Err(ScoreError::OutOfRange);
        }
        Ok(ExpertScore(hundredths))
    }
    pub fn hundredths(self) -> u32 {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidInput {
    pub id: i64,
    /// The quoted price (投标报价).
    pub price: Money,
    /// A small or micro enterprise: its price is deducted for evaluation (财库〔2020〕46号).
    #[serde(default)]
    pub small_or_micro: bool,
    /// Failed the compliance review (资格性/符合性审查): not evaluated at all.
    #[serde(default)]
    pub disqualified: bool,
    /// The committee found the price abnormally low and the bidder's written explanation (or its absence)
    /// did not justify it (财政部令第87号 §60): the bid is void.
    #[serde(default)]
    pub low_price_unjustified: bool,
}

/// A non-price criterion and its weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub key: String,
    pub weight_bp: u32,
}

/// One expert's score of one bid on one criterion, as typed (`"85.5"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub expert: i64,
    pub bid: i64,
    pub criterion: String,
    pub score: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// 最低评标价法: rank by evaluated price.
    LowestEvaluatedPrice,
    /// 综合评分法: the price weight plus the criteria's weights make exactly 10000 basis points.
    Comprehensive { procedure: Procedure, price_weight_bp: u32, criteria: Vec<Criterion> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub method: Method,
    pub bids: Vec<BidInput>,
    #[serde(default)]
    pub marks: Vec<Mark>,
    /// The deduction the procurement documents set for small and micro enterprises; `None` takes the rules'.
    #[serde(default)]
    pub sme_deduction_bp: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionScore {
    pub key: String,
    /// The mean of all experts' scores: none dropped.
    pub mean: Points,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BidResult {
    pub id: i64,
    pub price: Money,
    pub evaluated_price: EvaluatedPrice,
    /// Empty for the lowest evaluated price method and for bids not ranked.
    pub criteria: Vec<CriterionScore>,
    pub price_score: Option<Points>,
    pub total: Option<Points>,
    /// Competition ranking (1, 1, 3); `None` for disqualified and void bids.
    pub rank: Option<u32>,
    /// Equal on every ranking key with another bid.
    pub tied: bool,
    /// The thresholds flag the price as possibly abnormally low: a prompt for the committee, nothing more.
    pub abnormally_low: bool,
    /// Void: the committee found the price abnormally low and unjustified.
    pub void: bool,
    pub disqualified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The lowest evaluated price among ranked bids: the price-score base.
    pub base_price: Option<EvaluatedPrice>,
    /// Ranked bids by rank (ties in input order), then the others in input order.
    pub bids: Vec<BidResult>,
    /// The bids ranked first; more than one is a tie the purchaser resolves under the documents' rule.
    pub winners: Vec<i64>,
    /// Every group of bids tied with each other, at any rank.
    pub tie_groups: Vec<Vec<i64>>,
}

impl Outcome {
    pub fn bid(&self, id: i64) -> Option<&BidResult> {
        self.bids.iter().find(|b| b.id == id)
    }
    pub fn tied(&self) -> bool {
        self.winners.len() > 1
    }
    /// The purchaser's pick among the bids tied first (or the sole winner), checked.
    pub fn resolve_tie(&self, chosen: i64) -> Result<i64, DomainError> {
        if self.winners.contains(&chosen) {
            Ok(chosen)
        } else {
            Err(DomainError::field(
                "winner",
                ErrorCode::NotATiedBid,
                "只能在排名并列第一的投标人中选择",
                "choose one of the bids ranked first",
            ))
        }
    }
}

/// Evaluates the bids, or lists every input problem at once.
pub fn evaluate(input: &Evaluation, rules: &Rules) -> Result<Outcome, DomainError> {
    let deduction_bp = input.sme_deduction_bp.unwrap_or(rules.sme_price_deduction_bp);
    let mut problems = Problems::default();
    check_bids(input, deduction_bp, &mut problems);
    if let Method::Comprehensive { procedure, price_weight_bp, criteria } = &input.method {
        check_weights(*procedure, *price_weight_bp, criteria, rules, &mut problems);
    }
    problems.into_result()?;

    let flags = abnormal_flags(&input.bids, rules);
    let mut results: Vec<BidResult> = input
        .bids
        .iter()
        .zip(&flags)
        .map(|(b, &abnormally_low)| BidResult {
            id: b.id,
            price: b.price,
            evaluated_price: EvaluatedPrice::of(b.price, if b.small_or_micro { deduction_bp } else { 0 }),
            criteria: vec![],
            price_score: None,
            total: None,
            rank: None,
            tied: false,
            abnormally_low,
            void: b.low_price_unjustified,
            disqualified: b.disqualified,
        })
        .collect();
    let ranked = |r: &BidResult| !r.disqualified && !r.void;
    let base_price = results.iter().filter(|r| ranked(r)).map(|r| r.evaluated_price).min();

    if let (Method::Comprehensive { price_weight_bp, criteria, .. }, Some(base)) = (&input.method, base_price) {
        let ranked_ids: BTreeSet<i64> = results.iter().filter(|r| ranked(r)).map(|r| r.id).collect();
        let (experts, sums) = mark_sums(input, criteria, &ranked_ids)?;
        for r in results.iter_mut().filter(|r| ranked(r)) {
            let p = r.evaluated_price.0;
            let mut weighted: u128 = 0;
            for (i, c) in criteria.iter().enumerate() {
                let sum = sums[&(r.id, i)];
                weighted += sum * u128::from(c.weight_bp);
                r.criteria.push(CriterionScore { key: c.key.clone(), mean: Points::ratio(sum, 100 * experts) });
            }
            r.price_score = Some(Points::ratio(100 * base.0, p));
            // Σ mean_i × w_i + price score × w_p over one denominator: means are sum/(100·experts), weights /10000.
            let num = p * weighted + u128::from(*price_weight_bp) * base.0 * 10_000 * experts;
            r.total = Some(Points::ratio(num, 1_000_000 * experts * p));
        }
    }

    // Ranking keys: comprehensive by total desc then quoted price asc (order 87 art. 55); lowest evaluated price
    // by evaluated price (art. 56). Equal keys are tied.
    let order = |a: &BidResult, b: &BidResult| match (&input.method, a.total, b.total) {
        (Method::Comprehensive { .. }, Some(ta), Some(tb)) => tb.cmp(&ta).then(a.price.cmp(&b.price)),
        _ => a.evaluated_price.cmp(&b.evaluated_price),
    };
    let (mut ranked_bids, others): (Vec<BidResult>, Vec<BidResult>) = results.into_iter().partition(ranked);
    ranked_bids.sort_by(order);
    let mut tie_groups = vec![];
    let mut start = 0;
    while start < ranked_bids.len() {
        let end = (start..ranked_bids.len())
            .find(|&j| order(&ranked_bids[start], &ranked_bids[j]) != Ordering::Equal)
            .unwrap_or(ranked_bids.len());
        let tied = end - start > 1;
        for r in &mut ranked_bids[start..end] {
            r.rank = Some(start as u32 + 1);
            r.tied = tied;
        }
        if tied {
            tie_groups.push(ranked_bids[start..end].iter().map(|r| r.id).collect());
        }
        start = end;
    }
    let winners = ranked_bids.iter().filter(|r| r.rank == Some(1)).map(|r| r.id).collect();
    ranked_bids.extend(others);
    Ok(Outcome { base_price, bids: ranked_bids, winners, tie_groups })
}

fn check_bids(input: &Evaluation, deduction_bp: u32, problems: &mut Problems) {
    if input.bids.is_empty() {
        problems.add("bids", ErrorCode::NoBids, "没有可评审的投标", "there are no bids to evaluate");
    }
    let mut seen = BTreeSet::new();
    for (i, b) in input.bids.iter().enumerate() {
        if !seen.insert(b.id) {
            problems.add(format!("bids[{i}].id"), ErrorCode::DuplicateBid, "投标重复", "the bid appears twice");
        }
        if b.price.fen() <= 0 {
            problems.add(
                format!("bids[{i}].price"),
                ErrorCode::PriceNotPositive,
                "报价必须大于 0",
                "the price must be above 0",
            );
        } else if b.price.fen() > MAX_PRICE_FEN {
            problems.add(format!("bids[{i}].price"), ErrorCode::AmountTooLarge, "报价过大", "the price is too large");
        }
    }
    if deduction_bp >= 10_000 {
        problems.add(
            "sme_deduction_bp",
            ErrorCode::DeductionOutOfRange,
            "价格扣除比例须小于 100%",
            "the price deduction must be below 100%",
        );
    }
}

/// Checks a comprehensive scoring's weights as procurement documents set them, before any bid exists.
pub fn validate_weights(
    procedure: Procedure,
    price_bp: u32,
    criteria: &[Criterion],
    rules: &Rules,
) -> Result<(), DomainError> {
    let mut p = Problems::default();
    check_weights(procedure, price_bp, criteria, rules, &mut p);
    p.into_result()
}

fn check_weights(procedure: Procedure, price_bp: u32, criteria: &[Criterion], rules: &Rules, problems: &mut Problems) {
    let mut keys = BTreeSet::new();
    for (i, c) in criteria.iter().enumerate() {
        if c.key.trim().is_empty() || !keys.insert(c.key.as_str()) {
            problems.add(
                format!("criteria[{i}].key"),
                ErrorCode::DuplicateCriterion,
                "评分因素名称不能为空或重复",
                "each criterion needs its own name",
            );
        }
        if c.weight_bp == 0 {
            problems.add(
                format!("criteria[{i}].weight_bp"),
                ErrorCode::WeightNotPositive,
                "权重必须大于 0",
                "the weight must be above 0",
            );
        }
    }
    let total: u64 = u64::from(price_bp) + criteria.iter().map(|c| u64::from(c.weight_bp)).sum::<u64>();
    if total != 10_000 {
        problems.add(
            "criteria",
            ErrorCode::WeightsNot100,
            format!("各项权重（含价格）合计须为 100%，现为 {}", percent(total)),
            format!("the weights, price included, must add up to 100%; they add up to {}", percent(total)),
        );
    }
    let (min, max) = match procedure {
        Procedure::Tender => (rules.service_price_weight_min_bp, 10_000),
        Procedure::CompetitiveConsultation => {
            (rules.consultation_price_weight_min_bp, rules.consultation_price_weight_max_bp)
        }
    };
    if price_bp < min || price_bp > max {
        let (lo, hi) = (percent(min.into()), percent(max.into()));
        problems.add(
            "price_weight_bp",
            ErrorCode::PriceWeightOutOfRange,
            format!("{}的价格分值权重须在 {lo} 至 {hi} 之间", procedure.label_zh()),
            format!("the price weight for {} must be between {lo} and {hi}", procedure.label_en().to_lowercase()),
        );
    }
}

fn percent(bp: u64) -> String {
    if bp.is_multiple_of(100) {
        format!("{}%", bp / 100)
    } else {
        format!("{}.{:02}%", bp / 100, bp % 100)
    }
}

/// Flags each compliant bid whose quoted price is at least the rules' share below the mean of the other compliant
/// bids, or below the next lowest: red flags that prompt the committee (Prozorro's thresholds). One pass, so a
/// flagged bid does not make its neighbour look low in turn.
fn abnormal_flags(bids: &[BidInput], rules: &Rules) -> Vec<bool> {
    let valid: Vec<(usize, u128)> =
        bids.iter().enumerate().filter(|(_, b)| !b.disqualified).map(|(i, b)| (i, b.price.fen() as u128)).collect();
    let mut flags = vec![false; bids.len()];
    for &(i, price) in &valid {
        let others: Vec<u128> = valid.iter().filter(|(j, _)| *j != i).map(|(_, p)| *p).collect();
        let Some(&next) = others.iter().min() else { continue };
        let sum: u128 = others.iter().sum();
        let keep_mean = FULL_BP - u128::from(rules.abnormal_below_mean_bp.min(10_000));
        let keep_next = FULL_BP - u128::from(rules.abnormal_below_next_bp.min(10_000));
        flags[i] = price * FULL_BP * others.len() as u128 <= sum * keep_mean || price * FULL_BP <= next * keep_next;
    }
    flags
}

/// Per (bid, criterion index): the sum of the experts' scores in hundredths.
type MarkSums = BTreeMap<(i64, usize), u128>;

/// Checks the marks and returns the number of experts and, per (bid, criterion index), the sum of their scores
/// in hundredths. Every expert must score every ranked bid on every criterion, once.
fn mark_sums(
    input: &Evaluation,
    criteria: &[Criterion],
    ranked: &BTreeSet<i64>,
) -> Result<(u128, MarkSums), DomainError> {
    let mut problems = Problems::default();
    let bids: BTreeSet<i64> = input.bids.iter().map(|b| b.id).collect();
    let mut seen: BTreeMap<(i64, i64, usize), u32> = BTreeMap::new();
    for (i, m) in input.marks.iter().enumerate() {
        let criterion = criteria.iter().position(|c| c.key == m.criterion);
        if !bids.contains(&m.bid) {
            problems.add(format!("marks[{i}].bid"), ErrorCode::UnknownBid, "没有这份投标", "no such bid");
        }
        if criterion.is_none() {
            problems.add(
                format!("marks[{i}].criterion"),
                ErrorCode::UnknownCriterion,
                "没有这项评分因素",
                "no such criterion",
            );
        }
        match ExpertScore::parse(&m.score) {
            Err(e) => problems.add(format!("marks[{i}].score"), e.code(), e.message_zh(), e.message_en()),
            Ok(score) => {
                if let Some(c) = criterion {
                    if seen.insert((m.expert, m.bid, c), score.hundredths()).is_some() {
                        problems.add(
                            format!("marks[{i}]"),
                            ErrorCode::DuplicateMark,
                            "该专家已对此投标的这项因素打分",
                            "this expert already scored this bid on this criterion",
                        );
                    }
                }
            }
        }
    }
    problems.into_result()?;
    let experts: BTreeSet<i64> = seen.keys().map(|k| k.0).collect();
    let mut sums = BTreeMap::new();
    let mut missing = 0;
    for &bid in ranked {
        for c in 0..criteria.len() {
            let mut sum = 0u128;
            for &e in &experts {
                match seen.get(&(e, bid, c)) {
                    Some(&h) => sum += u128::from(h),
                    None => missing += 1,
                }
            }
            sums.insert((bid, c), sum);
        }
    }
    if experts.is_empty() {
        missing = ranked.len() * criteria.len();
    }
    if missing > 0 {
        return Err(DomainError::field(
            "marks",
            ErrorCode::MarksIncomplete,
            &format!("每位专家须对每份有效投标的每项评分因素打分，尚缺 {missing} 项"),
            &format!("every expert must score every valid bid on every criterion; {missing} scores are missing"),
        ));
    }
    Ok((experts.len().max(1) as u128, sums))
}
