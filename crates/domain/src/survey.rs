//! Service users' satisfaction survey (服务对象满意度测评; 政府采购法实施条例 §45 has service users take part in
//! acceptance): a short questionnaire reached by a one-time code — printed as a QR code — without an account.
//! Each code answers once per survey period (a milestone's service period); only a keyed hash of it is kept.
//! Results are published in aggregate only.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, ErrorCode};
use crate::money::Quantity;
use crate::org::string_enum;
use crate::project::{Project, Status};

string_enum!(
    /// The overall answer, on the usual five-point scale.
    Satisfaction {
        VerySatisfied = "very_satisfied" / "非常满意" / "Very satisfied",
        Satisfied = "satisfied" / "满意" / "Satisfied",
        Fair = "fair" / "基本满意" / "Fairly satisfied",
        Dissatisfied = "dissatisfied" / "不满意" / "Dissatisfied",
        VeryDissatisfied = "very_dissatisfied" / "非常不满意" / "Very dissatisfied",
    }
);

/// One person's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub satisfaction: Satisfaction,
    /// The service came when it was promised.
    pub on_time: bool,
    /// They would go on using it.
    pub recommend: bool,
}

/// The answers to a project's survey, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    pub answers: u32,
    /// By [`Satisfaction`], in its order.
    pub by_level: [u32; 5],
    pub on_time: u32,
    pub recommend: u32,
}

impl Tally {
    pub fn add(&mut self, a: &Answer, n: u32) {
        self.answers += n;
        let i = Satisfaction::ALL.iter().position(|s| *s == a.satisfaction).unwrap_or(0);
        self.by_level[i] += n;
        self.on_time += if a.on_time { n } else { 0 };
        self.recommend += if a.recommend { n } else { 0 };
    }

    /// The satisfaction rate as commonly reported: the share answering 非常满意 or 满意, in percent with two
    /// decimals rounded half up; none without answers.
    pub fn satisfied_percent(&self) -> Option<Quantity> {
        let n = i64::from(self.answers);
        (n > 0).then(|| {
            let satisfied = i64::from(self.by_level[0] + self.by_level[1]);
            Quantity::from_hundredths((satisfied * 10_000 * 2 + n) / (n * 2))
        })
    }

    /// Whether there are enough answers to publish without pointing at anyone (`min`).
    pub fn publishable(&self, min: u32) -> bool {
        self.answers >= min.max(1)
    }
}

/// The survey period a code answers in on `today`: while the service runs (the acceptance step), the current
/// milestone's — the first not yet due — else the last. `None` when the survey is closed.
pub fn period(p: &Project, today: NaiveDate) -> Option<usize> {
    if p.status != Status::Acceptance {
        return None;
    }
    let milestones = &p.contract.as_ref()?.milestones;
    let last = milestones.len().checked_sub(1)?;
    Some(milestones.iter().position(|m| m.due >= today).unwrap_or(last))
}

/// The characters a code is written in: digits and capitals without the ones people confuse (0/O, 1/I/L).
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// A code's length: 31¹⁰ ≈ 8 × 10¹⁴ codes, so guessing one is hopeless.
pub const CODE_LENGTH: usize = 10;

/// A code as typed — any case, with spaces or dashes — in its one written form, or why it cannot be one.
pub fn normalize_code(typed: &str) -> Result<String, DomainError> {
    let code: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect::<String>().to_ascii_uppercase();
    if code.len() != CODE_LENGTH || !code.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
        return Err(DomainError::field(
            "code",
            ErrorCode::InvalidCode,
            "测评码应为 10 位字母和数字，请核对卡片上的测评码",
            "a survey code is 10 letters and digits: check the one on the card",
        ));
    }
    Ok(code)
}

/// A code written for reading aloud and typing: two groups of five.
pub fn display_code(code: &str) -> String {
    match (code.get(..5), code.get(5..)) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_counts_very_satisfied_and_satisfied_rounded_half_up() {
        let mut t = Tally::default();
        assert_eq!(t.satisfied_percent(), None);
        let a = |s| Answer { satisfaction: s, on_time: true, recommend: false };
        t.add(&a(Satisfaction::VerySatisfied), 1);
        t.add(&a(Satisfaction::Satisfied), 1);
        t.add(&a(Satisfaction::Fair), 1);
        // 2 of 3: 66.666… → 66.67.
        assert_eq!(t.satisfied_percent(), Some(Quantity::from_hundredths(6_667)));
        t.add(&a(Satisfaction::Dissatisfied), 5);
        // 2 of 8: 25.00; 1 of 8 would be 12.50 exactly.
        assert_eq!(t.satisfied_percent(), Some(Quantity::from_hundredths(2_500)));
        assert_eq!((t.answers, t.by_level, t.on_time, t.recommend), (8, [1, 1, 1, 5, 0], 8, 0));
        assert!(t.publishable(5) && !t.publishable(9));
    }

    #[test]
    fn codes_are_read_in_any_case_with_dashes_and_refused_otherwise() {
        assert_eq!(normalize_code("abcde-fghjk").unwrap(), "ABCDEFGHJK");
        assert_eq!(normalize_code(" 23456 789ab ").unwrap(), "23456789AB");
        for bad in ["ABCDEFGHJ", "ABCDEFGHJKM", "ABCDEFGHJ0", "ABCDEFGHJI", "测评码测评码测评码测"] {
            assert_eq!(normalize_code(bad).unwrap_err().code(), ErrorCode::InvalidCode, "{bad}");
        }
        assert_eq!(display_code("ABCDEFGHJK"), "ABCDE-FGHJK");
    }
}
