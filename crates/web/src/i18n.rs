//! Chinese by default, English on request; dates and money in each language's conventions.

use chrono::{DateTime, NaiveDate, Utc};
use shanzhi_domain::clock::china_offset;
use shanzhi_domain::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_code(s: &str) -> Lang {
        if s == "en" {
            Lang::En
        } else {
            Lang::Zh
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    /// Picks the text for this language.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
    pub fn date(self, d: NaiveDate) -> String {
        match self {
            Lang::Zh => d.format("%Y年%-m月%-d日").to_string(),
            Lang::En => d.format("%-d %b %Y").to_string(),
        }
    }
    /// A moment in China time.
    pub fn datetime(self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&china_offset());
        match self {
            Lang::Zh => local.format("%Y年%-m月%-d日 %H:%M").to_string(),
            Lang::En => local.format("%-d %b %Y %H:%M").to_string(),
        }
    }
    /// A figure with its thousands grouped, as amounts are (`1,190.04`; `200`).
    pub fn quantity(self, q: shanzhi_domain::Quantity) -> String {
        let text = q.display();
        let (whole, rest) = text.split_once('.').map_or((text.as_str(), None), |(w, r)| (w, Some(r)));
        let digits: Vec<char> = whole.chars().collect();
        let mut grouped = String::new();
        for (i, c) in digits.iter().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(*c);
        }
        match rest {
            Some(r) => format!("{grouped}.{r}"),
            None => grouped,
        }
    }
    pub fn money(self, m: Money) -> String {
        match self {
            Lang::Zh => format!("{} 元", m.display_yuan()),
            Lang::En => format!("¥{}", m.display_yuan()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_conventions() {
        let d = NaiveDate::from_ymd_opt(2025, 10, 9).unwrap();
        assert_eq!(Lang::Zh.date(d), "2025年10月9日");
        assert_eq!(Lang::En.date(d), "9 Oct 2025");
        assert_eq!(Lang::Zh.money(Money::from_yuan(450_000)), "450,000.00 元");
        let q = |h| shanzhi_domain::Quantity::from_hundredths(h);
        assert_eq!(Lang::Zh.quantity(q(119_004)), "1,190.04");
        assert_eq!(Lang::En.quantity(q(20_000)), "200");
        assert_eq!(Lang::En.quantity(q(123_456_700)), "1,234,567");
        let t = DateTime::parse_from_rfc3339("2025-10-08T17:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(Lang::Zh.datetime(t), "2025年10月9日 01:30", "shown in China time");
    }
}
