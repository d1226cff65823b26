//! Red flags (风险提示): signs in the platform's own records that a procurement may not have been fair, each
//! with a stable code, the evidence that raised it and a configurable threshold ([`FlagRules`]). A flag decides
//! nothing: it points supervisors at a process to look at (open-contracting's cardinal indicators and
//! Prozorro's risk indicators, fitted to the Chinese rules in shared/domain-facts.md).
//!
//! Each function reads what one step makes known — the publication, the award, the contract, a supplementary
//! contract — and never a sealed bid: bid prices come only from a procurement's openings
//! ([`Procurement::evaluated_bids`]), which hold nothing before the opening.

use crate::calendar::{china_date, Calendar};
use crate::deadlines::Period;
use crate::money::Money;
use crate::org::string_enum;
use crate::procurement::{Method, OpenedBid, Procurement};
use crate::project::{AwardMethod, Project, SupplementStatus};
use crate::rules::Rules;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[cfg(test)]
mod tests;

string_enum!(
    /// What a red flag points at.
    FlagCode {
        ShortSubmissionPeriod = "short_submission_period" / "投标（响应）期限过短" / "Short submission period",
        SingleBid = "single_bid" / "仅一家投标（响应）" / "Single bid",
        IdenticalBidPrices = "identical_bid_prices" / "投标报价相同" / "Identical bid prices",
        EvenlySpacedBidPrices = "evenly_spaced_bid_prices" / "投标报价等差分布" / "Evenly spaced bid prices",
        PriceCloseToCeiling = "price_close_to_ceiling" / "中标价格接近预算上限" / "Winning price close to the budget ceiling",
        RepeatWinner = "repeat_winner" / "同一承接主体反复中标" / "Same provider repeatedly winning from one buyer",
        AllOthersDisqualified = "all_others_disqualified" / "除中标人外均被认定不合格" / "All other bids disqualified",
        AbnormallyLowPrice = "abnormally_low_price" / "中标价格异常偏低" / "Abnormally low winning price",
        Splitting = "splitting" / "疑似化整为零" / "Possible splitting of a purchase",
        LateAward = "late_award" / "逾期确定中标（成交）人" / "Late award",
        LateContract = "late_contract" / "逾期签订合同" / "Late contract",
        LatePublication = "late_publication" / "逾期公告合同" / "Late publication of the contract",
        SupplementNearLimit = "supplement_near_limit" / "补充合同接近 10% 上限" / "Supplementary contracts near the 10 % limit",
    }
);

/// The thresholds of the red flags. Shares are in basis points (1/100 of a percent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FlagRules {
    /// A bid deadline fewer than this many days after the earliest the law allows is short: bidders got only
    /// the statutory minimum.
    pub short_submission_margin_days: u32,
    /// A competitive procurement awarded with at most this many bids opened.
    pub single_bid_max: u32,
    /// At least this many opened bids at one price.
    pub identical_bids_min: u32,
    /// At least this many distinct opened prices whose gaps are all equal within the tolerance below.
    pub evenly_spaced_min_bids: u32,
    /// How far (basis points of the mean gap) the largest and the smallest gap may differ and still be even.
    pub evenly_spaced_tolerance_bp: u32,
    /// A winning price this close (basis points of the budget) to the budget or closer.
    pub ceiling_close_bp: u32,
    /// At least this many awards by one buyer to one provider within the window below, this one included.
    pub repeat_winner_min: u32,
    pub repeat_winner_window_days: u32,
    /// At least this many bids opened, and every one but the winner's disqualified.
    pub all_others_disqualified_min_bids: u32,
    /// At least this many purchases of one category by one buyer within the window below, each just under the
    /// procurement limit or the open-tender threshold — at most `splitting_near_bp` below it — and together at
    /// or above it (条例 §28).
    pub splitting_min_purchases: u32,
    pub splitting_window_days: u32,
    pub splitting_near_bp: u32,
    /// Days past the statutory deadline tolerated before a step counts as late.
    pub late_award_grace_days: u32,
    pub late_contract_grace_days: u32,
    pub late_publication_grace_days: u32,
    /// Supplementary contracts that together reach this share (basis points) of their limit
    /// ([`Rules::supplement_max_bp`] of the original amount).
    pub supplement_near_bp: u32,
}

impl Default for FlagRules {
    fn default() -> Self {
        FlagRules {
            short_submission_margin_days: 2,
            single_bid_max: 1,
            identical_bids_min: 2,
            evenly_spaced_min_bids: 3,
            evenly_spaced_tolerance_bp: 100,
            ceiling_close_bp: 100,
            repeat_winner_min: 3,
            repeat_winner_window_days: 365,
            all_others_disqualified_min_bids: 2,
            splitting_min_purchases: 2,
            splitting_window_days: 365,
            splitting_near_bp: 2000,
            late_award_grace_days: 0,
            late_contract_grace_days: 0,
            late_publication_grace_days: 0,
            supplement_near_bp: 9000,
        }
    }
}

/// A flag raised, with what raised it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedFlag {
    pub code: FlagCode,
    pub evidence: Value,
}

fn flag(code: FlagCode, evidence: Value) -> RedFlag {
    RedFlag { code, evidence }
}

/// One award, as the flags that look across a buyer's purchases need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardFact {
    pub project_id: i64,
    pub buyer_org_id: i64,
    pub provider_org_id: i64,
    pub category: String,
    /// The region the threshold is read for: the project's first.
    pub region: String,
    pub amount: Money,
    pub on: NaiveDate,
}

impl AwardFact {
    /// The project's award, if it has one.
    pub fn of(p: &Project) -> Option<AwardFact> {
        let a = p.award.as_ref()?;
        Some(AwardFact {
            project_id: p.id,
            buyer_org_id: p.purchaser_org_id,
            provider_org_id: a.provider.org_id,
            category: p.design.category.clone(),
            region: p.design.regions.first().cloned().unwrap_or_default(),
            amount: a.amount,
            on: china_date(a.at),
        })
    }
}

/// `a` is at most `bp` basis points of `of` below `of` (and not above it).
fn within_bp_below(a: Money, of: Money, bp: u32) -> bool {
    a <= of && i128::from((of - a).fen()) * 10_000 <= i128::from(of.fen()) * i128::from(bp)
}

/// At the publication: a bid deadline that leaves bidders only about the statutory minimum.
pub fn on_publication(p: &Procurement, rules: &Rules, calendar: &Calendar) -> Vec<RedFlag> {
    let (Some(published), Some(deadline)) = (p.published_on, p.bid_deadline) else { return vec![] };
    if p.method == Method::SingleSource {
        return vec![];
    }
    let period = p.method.response_period();
    let Ok(earliest) = rules.periods.earliest(period, published, calendar) else { return vec![] };
    let deadline_day = china_date(deadline);
    let margin = i64::from(rules.red_flags.short_submission_margin_days);
    if (deadline_day - earliest.date).num_days() >= margin {
        return vec![];
    }
    vec![flag(
        FlagCode::ShortSubmissionPeriod,
        json!({
            "published_on": published,
            "bid_deadline": deadline_day,
            "earliest_allowed": earliest.date,
            "days": (deadline_day - published).num_days(),
            "period": period.source(),
            "margin_days": margin,
        }),
    )]
}

/// At the award of a competitive procurement: what its opened bids and the committee's findings show, and
/// whether the purchaser fixed the winner late.
pub fn on_award(p: &Procurement, rules: &Rules, calendar: &Calendar) -> Vec<RedFlag> {
    let Some(award) = p.award.as_ref().filter(|a| !a.void) else { return vec![] };
    let mut out = Vec::new();
    let r = &rules.red_flags;
    if let Some(report) = &p.report {
        let from = china_date(report.at);
        if let Ok(due) = rules.periods.latest(Period::WinnerConfirmation, from, calendar) {
            let on = china_date(award.at);
            let late = (on - due.date).num_days();
            if late > i64::from(r.late_award_grace_days) {
                out.push(flag(
                    FlagCode::LateAward,
                    json!({"report_on": from, "due": due.date, "awarded_on": on, "days_late": late}),
                ));
            }
        }
    }
    // Single source has one supplier by law; bids exist only once opened.
    if p.method == Method::SingleSource || p.opening.is_none() {
        return out;
    }
    let bids = p.evaluated_bids();
    let winner = &award.winner;
    let prices = |bids: &[&OpenedBid]| bids.iter().map(|b| b.price).collect::<Vec<_>>();
    if !bids.is_empty() && bids.len() as u64 <= u64::from(r.single_bid_max) {
        out.push(flag(FlagCode::SingleBid, json!({"bids": bids.len(), "price": winner.price})));
    }
    out.extend(identical(&prices(&bids), r));
    out.extend(evenly_spaced(&prices(&bids), r));
    if within_bp_below(winner.price, p.budget, r.ceiling_close_bp) {
        let gap_bp = if p.budget.fen() > 0 {
            i128::from((p.budget - winner.price).fen()) * 10_000 / i128::from(p.budget.fen())
        } else {
            0
        };
        out.push(flag(
            FlagCode::PriceCloseToCeiling,
            json!({"price": winner.price, "budget": p.budget, "below_budget_bp": gap_bp as i64}),
        ));
    }
    let disqualified =
        |id: i64| p.compliance.iter().any(|c| c.bid_id == id && !c.qualified) || p.low_price_unjustified(id);
    let others: Vec<&OpenedBid> = bids.iter().copied().filter(|b| b.bid_id != winner.bid_id).collect();
    if bids.len() as u64 >= u64::from(r.all_others_disqualified_min_bids.max(2))
        && !others.is_empty()
        && others.iter().all(|b| disqualified(b.bid_id))
    {
        out.push(flag(
            FlagCode::AllOthersDisqualified,
            json!({"bids": bids.len(), "disqualified": others.len(), "price": winner.price}),
        ));
    }
    let valid: Vec<Money> = others.iter().filter(|b| !disqualified(b.bid_id)).map(|b| b.price).collect();
    out.extend(abnormally_low(winner.price, &valid, rules));
    out
}

fn identical(prices: &[Money], r: &FlagRules) -> Option<RedFlag> {
    let mut counts = std::collections::BTreeMap::<Money, u32>::new();
    for p in prices {
        *counts.entry(*p).or_default() += 1;
    }
    let (price, n) = counts.into_iter().max_by_key(|(price, n)| (*n, std::cmp::Reverse(*price)))?;
    (n >= r.identical_bids_min.max(2)).then(|| flag(FlagCode::IdenticalBidPrices, json!({"price": price, "bids": n})))
}

fn evenly_spaced(prices: &[Money], r: &FlagRules) -> Option<RedFlag> {
    let mut sorted: Vec<i64> = prices.iter().map(|m| m.fen()).collect();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() < r.evenly_spaced_min_bids.max(3) as usize || sorted.len() != prices.len() {
        return None;
    }
    let gaps: Vec<i128> = sorted.windows(2).map(|w| i128::from(w[1] - w[0])).collect();
    let (min, max) = (*gaps.iter().min()?, *gaps.iter().max()?);
    let sum: i128 = gaps.iter().sum();
    // (max − min) ≤ tolerance × mean gap, in integers: (max − min) × n × 10000 ≤ tolerance × Σ gaps.
    let even = (max - min) * gaps.len() as i128 * 10_000 <= i128::from(r.evenly_spaced_tolerance_bp) * sum;
    even.then(|| {
        let prices: Vec<Money> = sorted.iter().map(|f| Money::from_fen(*f)).collect();
        flag(
            FlagCode::EvenlySpacedBidPrices,
            json!({"prices": prices, "gap_min": Money::from_fen(min as i64), "gap_max": Money::from_fen(max as i64)}),
        )
    })
}

/// The winner at least [`Rules::abnormal_below_mean_bp`] below the mean of the other valid bids, or at least
/// [`Rules::abnormal_below_next_bp`] below the next lowest (Prozorro's thresholds, shared/domain-facts.md).
fn abnormally_low(price: Money, others: &[Money], rules: &Rules) -> Option<RedFlag> {
    let next = *others.iter().min()?;
    let sum: i128 = others.iter().map(|m| i128::from(m.fen())).sum();
    let n = others.len() as i128;
    let p = i128::from(price.fen());
    let keep_mean = 10_000 - i128::from(rules.abnormal_below_mean_bp.min(10_000));
    let keep_next = 10_000 - i128::from(rules.abnormal_below_next_bp.min(10_000));
    let below_mean = p * 10_000 * n <= sum * keep_mean;
    let below_next = p * 10_000 <= i128::from(next.fen()) * keep_next;
    (below_mean || below_next).then(|| {
        flag(
            FlagCode::AbnormallyLowPrice,
            json!({
                "price": price,
                "mean_of_others": Money::from_fen((sum / n) as i64),
                "next_price": next,
                "below_mean": below_mean,
                "below_next": below_next,
            }),
        )
    })
}

/// Which of the buyer's earlier awards [`on_history`] can count for `award`, so a store answers those alone: a
/// buyer with years of purchases has hundreds of awards in a category, and only the few just under a threshold
/// can be parts of a split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryNeeded {
    /// The awards to the same provider on or after this day (the repeat-winner window)…
    pub wins_since: NaiveDate,
    /// …and for both, on or before this one, the award's own: later ones do not count for it.
    pub until: NaiveDate,
    /// The awards of the same category in this band, when the award itself is just under a threshold.
    pub parts: Option<PartsBand>,
}

/// Awards of the same category on or after `since` whose amount is at least `low` and below `high`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartsBand {
    pub since: NaiveDate,
    pub low: Money,
    pub high: Money,
}

impl HistoryNeeded {
    /// Whether `f` is among the awards named for an award of `buyer` to `provider` in `category`: what a store's
    /// query answers, applied to awards it holds in memory.
    pub fn names(&self, buyer: i64, provider: i64, category: &str, f: &AwardFact) -> bool {
        let wins = f.provider_org_id == provider && f.on >= self.wins_since;
        let part = |b: &PartsBand| f.category == category && f.on >= b.since && f.amount >= b.low && f.amount < b.high;
        f.buyer_org_id == buyer && f.on <= self.until && (wins || self.parts.as_ref().is_some_and(part))
    }
}

/// The history [`on_history`] reads for `award`: a superset of what it counts (it filters again).
pub fn history_needed(award: &AwardFact, rules: &Rules) -> HistoryNeeded {
    let r = &rules.red_flags;
    let back = |days: u32| award.on.checked_sub_days(chrono::Days::new(u64::from(days))).unwrap_or(award.on);
    let parts = thresholds(award, rules)
        .into_iter()
        .filter(|(_, limit)| near_below(award.amount, *limit, r.splitting_near_bp))
        .map(|(_, limit)| (lowest_near(limit, r.splitting_near_bp), limit))
        .reduce(|(low, high), (l, h)| (low.min(l), high.max(h)))
        .map(|(low, high)| PartsBand { since: back(r.splitting_window_days), low, high });
    HistoryNeeded { wins_since: back(r.repeat_winner_window_days), until: award.on, parts }
}

/// The thresholds a purchase just under may have been split to stay under, for the award's region.
fn thresholds(award: &AwardFact, rules: &Rules) -> [(&'static str, Money); 2] {
    [
        ("procurement_limit", rules.procurement_limit_for(&award.region)),
        ("open_tender_threshold", rules.open_tender_threshold_for(&award.region)),
    ]
}

/// `a` is under `limit` by at most `bp` basis points of it: a part of a possible split.
fn near_below(a: Money, limit: Money, bp: u32) -> bool {
    a < limit && within_bp_below(a, limit, bp)
}

/// The least amount [`near_below`] `limit` (for a limit above zero).
fn lowest_near(limit: Money, bp: u32) -> Money {
    let off = i128::from(limit.fen().max(0)) * i128::from(bp.min(10_000)) / 10_000;
    Money::from_fen(limit.fen().max(0) - i64::try_from(off).unwrap_or(0))
}

/// At an award, across the buyer's purchases: `history` holds the buyer's earlier awards (any order; this one
/// may be among them, it counts once) that share this award's provider or category, at least those
/// [`history_needed`] names.
pub fn on_history(award: &AwardFact, history: &[AwardFact], rules: &Rules) -> Vec<RedFlag> {
    let r = &rules.red_flags;
    let mut seen = std::collections::BTreeSet::new();
    // The evidence lists the projects in one order (this award's first, then by id), whatever order a store
    // answered in.
    let mut earlier: Vec<&AwardFact> = history.iter().collect();
    earlier.sort_by_key(|a| a.project_id);
    let mine: Vec<&AwardFact> = std::iter::once(award)
        .chain(earlier)
        .filter(|a| a.buyer_org_id == award.buyer_org_id && a.on <= award.on && seen.insert(a.project_id))
        .collect();
    let within = |a: &&&AwardFact, days: u32| (award.on - a.on).num_days() < i64::from(days);
    let mut out = Vec::new();
    let wins: Vec<i64> = mine
        .iter()
        .filter(|a| a.provider_org_id == award.provider_org_id && within(a, r.repeat_winner_window_days))
        .map(|a| a.project_id)
        .collect();
    if wins.len() as u64 >= u64::from(r.repeat_winner_min.max(2)) {
        out.push(flag(
            FlagCode::RepeatWinner,
            json!({"awards": wins.len(), "window_days": r.repeat_winner_window_days, "projects": wins}),
        ));
    }
    for (name, limit) in thresholds(award, rules) {
        let near = |a: &&&AwardFact| near_below(a.amount, limit, r.splitting_near_bp);
        if !near(&&award) {
            continue;
        }
        let parts: Vec<&&AwardFact> = mine
            .iter()
            .filter(|a| a.category == award.category && within(a, r.splitting_window_days) && near(a))
            .collect();
        let total: Money = parts.iter().map(|a| a.amount).sum();
        if parts.len() as u64 >= u64::from(r.splitting_min_purchases.max(2)) && total >= limit {
            out.push(flag(
                FlagCode::Splitting,
                json!({
                    "category": award.category,
                    "threshold": name,
                    "limit": limit,
                    "purchases": parts.len(),
                    "total": total,
                    "window_days": r.splitting_window_days,
                    "projects": parts.iter().map(|a| a.project_id).collect::<Vec<_>>(),
                }),
            ));
            break;
        }
    }
    out
}

/// At the contract's signing, published on `published_on`: signed too long after a procurement's award
/// (政府采购法 §46), or published too long after signing (条例 §50).
pub fn on_contract(p: &Project, published_on: NaiveDate, rules: &Rules, calendar: &Calendar) -> Vec<RedFlag> {
    let (Some(award), Some(c)) = (&p.award, &p.contract) else { return vec![] };
    let r = &rules.red_flags;
    let mut out = Vec::new();
    if matches!(award.method, AwardMethod::Procured(_)) {
        let awarded = china_date(award.at);
        if let Ok(due) = rules.periods.latest(Period::ContractSigning, awarded, calendar) {
            let late = (c.signed_on - due.date).num_days();
            if late > i64::from(r.late_contract_grace_days) {
                out.push(flag(
                    FlagCode::LateContract,
                    json!({"awarded_on": awarded, "due": due.date, "signed_on": c.signed_on, "days_late": late}),
                ));
            }
        }
    }
    if let Ok(due) = rules.periods.latest(Period::ContractPublication, c.signed_on, calendar) {
        let late = (published_on - due.date).num_days();
        if late > i64::from(r.late_publication_grace_days) {
            out.push(flag(
                FlagCode::LatePublication,
                json!({"signed_on": c.signed_on, "due": due.date, "published_on": published_on, "days_late": late}),
            ));
        }
    }
    out
}

/// At a supplementary contract's signing: the signed ones together near their limit (政府采购法 §49).
pub fn on_supplement(p: &Project, rules: &Rules) -> Vec<RedFlag> {
    let Some(c) = &p.contract else { return vec![] };
    let cap = c.amount.share_bp(rules.supplement_max_bp);
    let signed: Money = c.supplements.iter().filter(|s| s.status == SupplementStatus::Signed).map(|s| s.amount).sum();
    let near =
        i128::from(signed.fen()) * 10_000 >= i128::from(cap.fen()) * i128::from(rules.red_flags.supplement_near_bp);
    if cap.fen() <= 0 || signed.fen() <= 0 || !near {
        return vec![];
    }
    vec![flag(
        FlagCode::SupplementNearLimit,
        json!({"original": c.amount, "supplements": signed, "limit": cap, "used_bp": (i128::from(signed.fen()) * 10_000 / i128::from(cap.fen())) as i64}),
    )]
}
