//! Exact money: integer fen (分). Never a float.

use crate::error::ErrorCode;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Add, Sub};

/// An amount of renminbi in fen. Negative amounts are representable (ledger deltas), but
/// user input is parsed with [`Money::parse_yuan`], which refuses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    Empty,
    Format,
    Negative,
    TooManyDecimals,
    Overflow,
}

impl MoneyError {
    pub fn code(self) -> ErrorCode {
        match self {
            MoneyError::Empty => ErrorCode::Empty,
            MoneyError::Format => ErrorCode::InvalidAmount,
            MoneyError::Negative => ErrorCode::NegativeAmount,
            MoneyError::TooManyDecimals => ErrorCode::TooManyDecimals,
            MoneyError::Overflow => ErrorCode::AmountTooLarge,
        }
    }
    pub fn message_zh(self) -> &'static str {
        match self {
            MoneyError::Empty => "请填写金额",
            MoneyError::Format => "金额格式不正确，例如 36000.00",
            MoneyError::Negative => "金额不能为负数",
            MoneyError::TooManyDecimals => "金额最多保留两位小数（分）",
            MoneyError::Overflow => "金额过大",
        }
    }
    pub fn message_en(self) -> &'static str {
        match self {
            MoneyError::Empty => "enter an amount",
            MoneyError::Format => "enter an amount like 36000.00",
            MoneyError::Negative => "the amount cannot be negative",
            MoneyError::TooManyDecimals => "use at most two decimals (fen)",
            MoneyError::Overflow => "the amount is too large",
        }
    }
}

/// Upper bound for any single amount: one trillion yuan keeps every product and sum far from i64 overflow.
const MAX_FEN: i64 = 1_000_000_000_000 * 100;

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }
    pub const fn fen(self) -> i64 {
        self.0
    }
    pub fn from_yuan(yuan: i64) -> Money {
        Money(yuan * 100)
    }

    /// Parses a non-negative yuan amount such as `36000`, `36000.5`, `36,000.50` or `¥36000.00`.
    pub fn parse_yuan(input: &str) -> Result<Money, MoneyError> {
        let s: String =
            input.trim().trim_start_matches(['¥', '￥']).chars().filter(|c| *c != ',' && *c != '，').collect();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        if s.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s.as_str(), ""),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::Format);
        }
        if frac.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        if whole.len() > 13 {
            return Err(MoneyError::Overflow);
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::Format)?;
        let frac_fen: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| MoneyError::Format)? * 10,
            _ => frac.parse().map_err(|_| MoneyError::Format)?,
        };
        let fen = whole * 100 + frac_fen;
        if fen > MAX_FEN {
            return Err(MoneyError::Overflow);
        }
        Ok(Money(fen))
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).filter(|v| v.abs() <= MAX_FEN * 1000).map(Money)
    }

    /// Amount × quantity, where quantity is in hundredths (two decimals), rounded half up to the fen.
    /// `None` above the largest single amount, so sums of a few hundred lines can never overflow.
    pub fn times_hundredths(self, hundredths: i64) -> Option<Money> {
        let product = (self.0 as i128) * (hundredths as i128);
        let rounded = (product + 50).div_euclid(100);
        i64::try_from(rounded).ok().filter(|v| v.abs() <= MAX_FEN).map(Money)
    }

    /// Share of this amount in basis points (1/10000), rounded down to the fen; callers give any remainder
    /// to one designated part so parts always add up to the whole.
    pub fn share_bp(self, bp: u32) -> Money {
        Money(((self.0 as i128) * (bp as i128) / 10_000) as i64)
    }

    /// `123456.70` — yuan with two decimals, no separators (the machine format in JSON).
    pub fn yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// `123,456.70` — the human format on pages.
    pub fn display_yuan(self) -> String {
        let plain = self.yuan_string();
        let (sign, rest) = plain.strip_prefix('-').map(|r| ("-", r)).unwrap_or(("", plain.as_str()));
        let (whole, frac) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut grouped = String::new();
        for (i, ch) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        format!("{sign}{grouped}.{frac}")
    }

    /// `45.00万` — 万元 with two decimals for summaries (truncated, never rounded up).
    pub fn display_wan(self) -> String {
        let wan_hundredths = self.0 / 10_000;
        format!("{}.{:02}万", wan_hundredths / 100, (wan_hundredths % 100).abs())
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}
impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}
impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.yuan_string())
    }
}

/// JSON carries money as a yuan string with two decimals, so no client ever sees a float.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.yuan_string())
    }
}
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let s = String::deserialize(d)?;
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s.as_str()),
        };
        let m = Money::parse_yuan(body).map_err(|e| serde::de::Error::custom(e.message_en()))?;
        Ok(if neg { Money(-m.0) } else { m })
    }
}

/// A decimal quantity with two decimals (e.g. 2.5 person-years), stored in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Quantity(i64);

impl Quantity {
    pub fn from_hundredths(h: i64) -> Quantity {
        Quantity(h)
    }
    pub fn hundredths(self) -> i64 {
        self.0
    }
    /// Parses a positive quantity with at most two decimals.
    pub fn parse(input: &str) -> Result<Quantity, MoneyError> {
        // The grammar is money's: non-negative, at most two decimals.
        let m = Money::parse_yuan(input)?;
        Ok(Quantity(m.fen()))
    }
    pub fn display(self) -> String {
        let s = Money::from_fen(self.0).yuan_string();
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.display())
    }
}
impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Quantity, D::Error> {
        let s = String::deserialize(d)?;
        Quantity::parse(&s).map_err(|e| serde::de::Error::custom(e.message_en()))
    }
}

/// Money and quantities are documented as what they are on the wire: decimal strings.
#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;

    fn decimal_string(description: &str) -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[0-9]+(\.[0-9]{1,2})?$"))
            .description(Some(description))
            .into()
    }

    impl utoipa::PartialSchema for super::Money {
        fn schema() -> RefOr<Schema> {
            decimal_string("yuan, at most two decimals")
        }
    }
    impl utoipa::ToSchema for super::Money {}

    impl utoipa::PartialSchema for super::Quantity {
        fn schema() -> RefOr<Schema> {
            decimal_string("a decimal number, at most two decimals")
        }
    }
    impl utoipa::ToSchema for super::Quantity {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yuan_forms() {
        assert_eq!(Money::parse_yuan("36000").unwrap().fen(), 3_600_000);
        assert_eq!(Money::parse_yuan("36,000.5").unwrap().fen(), 3_600_050);
        assert_eq!(Money::parse_yuan(" ¥0.07 ").unwrap().fen(), 7);
        assert_eq!(Money::parse_yuan("").unwrap_err(), MoneyError::Empty);
        assert_eq!(Money::parse_yuan("-1").unwrap_err(), MoneyError::Negative);
        assert_eq!(Money::parse_yuan("1.234").unwrap_err(), MoneyError::TooManyDecimals);
        assert_eq!(Money::parse_yuan("1e5").unwrap_err(), MoneyError::Format);
        assert_eq!(Money::parse_yuan(".5").unwrap_err(), MoneyError::Format);
        assert_eq!(Money::parse_yuan("99999999999999").unwrap_err(), MoneyError::Overflow);
    }

    #[test]
    fn formats() {
        let m = Money::from_fen(123_456_789);
        assert_eq!(m.yuan_string(), "1234567.89");
        assert_eq!(m.display_yuan(), "1,234,567.89");
        assert_eq!(Money::from_fen(-5).yuan_string(), "-0.05");
        assert_eq!(Money::from_yuan(450_000).display_wan(), "45.00万");
        assert_eq!(Money::from_fen(99).display_yuan(), "0.99");
    }

    #[test]
    fn serde_round_trip_is_exact() {
        for fen in [0, 1, 10, 99, 100, 450_000_000, -12_345] {
            let m = Money::from_fen(fen);
            let json = serde_json::to_string(&m).unwrap();
            let back: Money = serde_json::from_str(&json).unwrap();
            assert_eq!(back, m, "{json}");
        }
    }

    #[test]
    fn quantity_times_price_rounds_half_up() {
        let price = Money::parse_yuan("33.33").unwrap();
        let q = Quantity::parse("1.5").unwrap();
        assert_eq!(price.times_hundredths(q.hundredths()).unwrap().fen(), 5000); // 49.995 → 50.00
        assert_eq!(Quantity::parse("2.50").unwrap().display(), "2.5");
    }

    #[test]
    fn products_above_the_largest_amount_are_refused() {
        let big = Money::parse_yuan("1000000000000").unwrap();
        assert_eq!(big.times_hundredths(100), Some(big));
        assert_eq!(big.times_hundredths(101), None);
    }

    #[test]
    fn shares_round_down() {
        assert_eq!(Money::from_fen(100).share_bp(3333).fen(), 33);
    }
}
