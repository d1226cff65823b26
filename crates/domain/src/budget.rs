//! Money: budgets by fiscal year, department and fund source, and the append-only ledger that moves
//! money between a budget line's buckets. Balances are derived from the ledger; a movement that would
//! take a bucket below zero is refused, so nothing is ever overspent.

use crate::error::{DomainError, ErrorCode, Problems};
use crate::money::Money;
use crate::org::string_enum;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

string_enum!(
    /// Where public-service money comes from (the seed's four sources, and the rest).
    FundSource {
        GeneralBudget = "general_budget" / "一般公共预算" / "General public budget",
        WelfareLottery = "welfare_lottery" / "福彩公益金" / "Welfare-lottery public-welfare fund",
        EmploymentFund = "employment_fund" / "就业专项资金" / "Employment fund",
        SocialFunds = "social_funds" / "社会资金（公益慈善）" / "Social and charity funds",
        Other = "other" / "其他资金" / "Other funds",
    }
);

string_enum!(
    /// What a ledger entry does to a budget line.
    Movement {
        Allocate = "allocate" / "下达预算" / "Allocate",
        GrantOut = "grant_out" / "调出（转拨）" / "Grant out",
        GrantIn = "grant_in" / "调入（转拨）" / "Grant in",
        Reserve = "reserve" / "审核预留" / "Reserve",
        Release = "release" / "释放预留" / "Release reservation",
        Commit = "commit" / "合同承诺" / "Commit",
        Pay = "pay" / "验收支付" / "Pay",
        Uncommit = "uncommit" / "释放合同承诺" / "Release commitment",
    }
);

/// A budget line: one department's money from one fund source for one fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    pub id: i64,
    pub year: i32,
    pub org_id: i64,
    pub source: FundSource,
    /// For social funds: who gave the money.
    pub donor: Option<String>,
    /// The line this one was granted from, if it came from another department.
    pub granted_from: Option<i64>,
    pub note: String,
}

/// What a budget line holds, derived from its ledger entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Balances {
    /// Free to reserve or grant.
    pub available: Money,
    /// Held for approved projects not yet contracted.
    pub reserved: Money,
    /// Promised by signed contracts, not yet paid.
    pub committed: Money,
    pub paid: Money,
}

impl Balances {
    /// Everything that ever came in, net of grants out: the sum of the four buckets.
    pub fn total(&self) -> Money {
        self.available + self.reserved + self.committed + self.paid
    }

    /// Applies one movement, or refuses it when the bucket it draws on holds too little.
    pub fn apply(&mut self, movement: Movement, amount: Money) -> Result<(), DomainError> {
        if amount.fen() <= 0 {
            return Err(DomainError::field(
                "amount",
                ErrorCode::AmountNotPositive,
                "金额必须大于 0",
                "the amount must be above 0",
            ));
        }
        let (from, to): (Option<&mut Money>, Option<&mut Money>) = match movement {
            Movement::Allocate | Movement::GrantIn => (None, Some(&mut self.available)),
            Movement::GrantOut => (Some(&mut self.available), None),
            Movement::Reserve => {
                let Balances { available, reserved, .. } = self;
                (Some(available), Some(reserved))
            }
            Movement::Release => {
                let Balances { available, reserved, .. } = self;
                (Some(reserved), Some(available))
            }
            Movement::Commit => {
                let Balances { reserved, committed, .. } = self;
                (Some(reserved), Some(committed))
            }
            Movement::Pay => {
                let Balances { committed, paid, .. } = self;
                (Some(committed), Some(paid))
            }
            Movement::Uncommit => {
                let Balances { available, committed, .. } = self;
                (Some(committed), Some(available))
            }
        };
        if let Some(from) = &from {
            if **from < amount {
                return Err(DomainError::BudgetExceeded { needed: amount, available: **from });
            }
        }
        if let Some(from) = from {
            *from = *from - amount;
        }
        if let Some(to) = to {
            *to = *to + amount;
        }
        Ok(())
    }
}

impl Balances {
    /// Balances from the sum of each movement's amounts on one budget line.
    pub fn from_totals(total: impl Fn(Movement) -> Money) -> Balances {
        use Movement::*;
        Balances {
            available: total(Allocate) + total(GrantIn) - total(GrantOut) - total(Reserve)
                + total(Release)
                + total(Uncommit),
            reserved: total(Reserve) - total(Release) - total(Commit),
            committed: total(Commit) - total(Pay) - total(Uncommit),
            paid: total(Pay),
        }
    }
}

/// One entry of the ledger as the domain asks for it; the store adds ids and times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub budget_id: i64,
    pub movement: Movement,
    pub amount: Money,
    pub project_id: Option<i64>,
}

/// Splits `amount` over parts in proportion to `weights`, exactly: each part rounded down, the fen left
/// over going to the parts with the largest remainders (earliest first on ties).
pub fn split(amount: Money, weights: &[Money]) -> Vec<Money> {
    let total: i128 = weights.iter().map(|w| w.fen() as i128).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if total <= 0 {
        let mut out = vec![Money::ZERO; weights.len()];
        out[0] = amount;
        return out;
    }
    let a = amount.fen() as i128;
    let mut parts: Vec<(i64, i128, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let exact = a * w.fen() as i128;
            ((exact / total) as i64, exact % total, i)
        })
        .collect();
    let given: i64 = parts.iter().map(|p| p.0).sum();
    let mut left = amount.fen() - given;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|x, y| parts[*y].1.cmp(&parts[*x].1).then(x.cmp(y)));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i].0 += 1;
        left -= 1;
    }
    parts.into_iter().map(|p| Money::from_fen(p.0)).collect()
}

/// A line of a project's funding plan: how much of the estimate one budget line pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingLine {
    pub budget_id: i64,
    pub year: i32,
    pub source: FundSource,
    pub amount: Money,
}

/// Checks a funding plan against the estimate: positive lines, no budget twice, summing to the total.
pub fn check_plan(lines: &[FundingLine], total: Money) -> Result<(), DomainError> {
    let mut p = Problems::default();
    if lines.is_empty() {
        p.add("funding", ErrorCode::FundingRequired, "请填写资金来源", "say which budgets pay for the project");
    }
    for (i, l) in lines.iter().enumerate() {
        if l.amount.fen() <= 0 {
            p.add(
                format!("funding[{i}].amount"),
                ErrorCode::AmountNotPositive,
                "金额必须大于 0",
                "the amount must be above 0",
            );
        }
        if lines[..i].iter().any(|o| o.budget_id == l.budget_id) {
            p.add(
                format!("funding[{i}].budget_id"),
                ErrorCode::BudgetRepeated,
                "同一预算只能列一次",
                "list each budget once",
            );
        }
    }
    let sum: Money = lines.iter().map(|l| l.amount).sum();
    if !lines.is_empty() && sum != total {
        p.add(
            "funding",
            ErrorCode::FundingNotTotal,
            format!("各资金来源之和（{} 元）须等于项目预算（{} 元）", sum.display_yuan(), total.display_yuan()),
            format!(
                "the funding lines add up to {} yuan, not the estimate of {} yuan",
                sum.display_yuan(),
                total.display_yuan()
            ),
        );
    }
    p.into_result()
}

/// Money comes from a fiscal year in which the service runs: refuses each line of another year, on its
/// `funding[i].budget_id` field. A service over several years may draw on each of them.
pub fn check_years(lines: &[FundingLine], start: NaiveDate, end: NaiveDate) -> Result<(), DomainError> {
    let mut p = Problems::default();
    for (i, l) in lines.iter().enumerate().filter(|(_, l)| l.year < start.year() || l.year > end.year()) {
        p.add(
            format!("funding[{i}].budget_id"),
            ErrorCode::FundingYearOutsideService,
            format!("{} 年度的预算不能用于 {} 至 {} 的服务", l.year, start, end),
            format!("a {} budget cannot pay for a service from {start} to {end}", l.year),
        );
    }
    p.into_result()
}

#[cfg(test)]
mod tests;
