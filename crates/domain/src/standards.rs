//! Spending standards (支出标准): the most a unit of a service may cost. Cost-estimate lines priced above
//! their standard, and management fees above the cap, are flagged and need a written reason.

use crate::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standard {
    /// Stable handle, e.g. `sw_post_year`.
    pub code: String,
    pub name: String,
    /// What one unit is, e.g. `人·年`, `小时`.
    pub unit: String,
    pub max_unit_price: Money,
    #[serde(default)]
    pub note: String,
}

/// Whether management fees exceed `cap_bp` (basis points) of everything else in the estimate.
pub fn management_fee_above_cap(fees: Money, others: Money, cap_bp: u32) -> bool {
    (fees.fen() as i128) * 10_000 > (others.fen() as i128) * cap_bp as i128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_cap_is_inclusive() {
        let others = Money::from_yuan(100_000);
        assert!(!management_fee_above_cap(Money::from_yuan(10_000), others, 1000), "exactly 10 % is allowed");
        assert!(management_fee_above_cap(Money::from_fen(1_000_001), others, 1000));
        assert!(!management_fee_above_cap(Money::ZERO, Money::ZERO, 1000));
    }
}
