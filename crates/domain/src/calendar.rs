//! China's working-day calendar: statutory holidays and adjusted working weekends (调休) year by year, and the
//! civil-code counting of periods over it (民法典 §201, §203: the start day is not counted; a period whose last day
//! is a rest day ends on the next working day).
//!
//! A year's data is official (shipped with the platform, or read from a year file the State Council's notice was
//! typed into) or, on request, *provisional*: computed from the holiday law alone, with no adjusted days.

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};
use serde_json::{Map, Value};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::RangeInclusive;

/// Official data 2004–2026, in the year-file format (see [`YearFile::parse`]); its `source` key says where it
/// comes from.
const SHIPPED: &str = include_str!("../data/holidays.json");

/// Years a provisional calendar can be computed for: the amended holiday law is in force from 2025, and the
/// lunar table below ends in 2100.
pub const PROVISIONAL_YEARS: RangeInclusive<i32> = 2025..=2100;

/// Whether a day is worked. Rest days are weekends not swapped for work, and statutory holidays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    Workday,
    Restday,
}

impl DayKind {
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Workday => "workday",
            DayKind::Restday => "restday",
        }
    }
}

/// Where a year's data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Shipped with the platform.
    Shipped,
    /// Read from a year file in the data folder.
    File,
    /// Computed from the holiday law alone: to be replaced by the official notice.
    Provisional,
}

/// One day of the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day<'a> {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The holiday's Chinese name (春节, 国庆节 …) on the rest days of a holiday.
    pub holiday: Option<&'a str>,
    /// A weekend day worked in exchange for a holiday (调休上班).
    pub adjusted: bool,
    pub provisional: bool,
}

impl Day<'_> {
    pub fn is_workday(&self) -> bool {
        self.kind == DayKind::Workday
    }
}

/// The end of a counted period; provisional when any day it was counted over lies in a provisional year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub date: NaiveDate,
    pub provisional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarError {
    /// No data for this year: load its year file, or ask for a provisional year.
    YearMissing(i32),
    /// A year file that cannot be used. `field` names the place, e.g. `holidays[1].days[0]`.
    BadYearFile { field: String, message: String },
    /// A count that runs past the last date the calendar can represent.
    OutOfRange,
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalendarError::YearMissing(year) => write!(f, "no holiday data for {year}"),
            CalendarError::BadYearFile { field, message } if field.is_empty() => write!(f, "{message}"),
            CalendarError::BadYearFile { field, message } => write!(f, "{field}: {message}"),
            CalendarError::OutOfRange => write!(f, "the date is out of range"),
        }
    }
}

impl std::error::Error for CalendarError {}

/// One year's holidays and adjusted working days, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearFile {
    year: i32,
    source: Option<String>,
    holidays: BTreeMap<NaiveDate, String>,
    workdays: BTreeSet<NaiveDate>,
}

impl YearFile {
    /// Parses a year file:
    ///
    /// ```json
    /// {
    ///   "year": 2026,
    ///   "source": "国务院办公厅关于2026年部分节假日安排的通知",
    ///   "holidays": [{"name": "元旦", "days": ["2026-01-01", "2026-01-02", "2026-01-03"]}],
    ///   "workdays": ["2026-01-04"]
    /// }
    /// ```
    ///
    /// `holidays` lists every rest day of each holiday (weekend days inside the span included); `workdays` the
    /// weekend days worked instead (调休上班). Every date lies in `year`; `source` is optional; other keys are
    /// refused, so a misspelt key cannot silently drop data.
    pub fn parse(text: &str) -> Result<YearFile, CalendarError> {
        let value: Value = serde_json::from_str(text).map_err(|e| bad("", format!("not valid JSON: {e}")))?;
        YearFile::from_value(&value, "")
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    fn from_value(value: &Value, at: &str) -> Result<YearFile, CalendarError> {
        let fields = object(value, at, &["year", "source", "holidays", "workdays"])?;
        let year = match fields.get("year").map(|v| (v, v.as_i64())) {
            None => return Err(bad(&format!("{at}year"), "missing: the year as a number, e.g. 2027")),
            Some((_, Some(y))) if (1949..=9999).contains(&y) => y as i32,
            Some((v, _)) => return Err(bad(&format!("{at}year"), format!("{v} is not a year between 1949 and 9999"))),
        };
        let source = match fields.get("source") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(bad(&format!("{at}source"), "must be a string")),
        };
        let mut holidays = BTreeMap::new();
        let field = format!("{at}holidays");
        for (i, holiday) in array(fields.get("holidays"), &field)?.iter().enumerate() {
            let at = format!("{field}[{i}]");
            let holiday = object(holiday, &format!("{at}."), &["name", "days"])?;
            let name = match holiday.get("name") {
                Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
                _ => return Err(bad(&format!("{at}.name"), "missing: the holiday's Chinese name, e.g. 春节")),
            };
            let field = format!("{at}.days");
            for (j, day) in array(holiday.get("days"), &field)?.iter().enumerate() {
                let at = format!("{field}[{j}]");
                let date = date_in(day, year, &at)?;
                if let Some(other) = holidays.insert(date, name.clone()) {
                    return Err(bad(&at, format!("{date} is listed twice (also under {other})")));
                }
            }
        }
        let mut workdays = BTreeSet::new();
        let field = format!("{at}workdays");
        for (i, day) in array(fields.get("workdays"), &field)?.iter().enumerate() {
            let at = format!("{field}[{i}]");
            let date = date_in(day, year, &at)?;
            if !is_weekend(date) {
                return Err(bad(
                    &at,
                    format!("{date} is a {}: only a Saturday or Sunday can be an adjusted working day", date.weekday()),
                ));
            }
            if holidays.contains_key(&date) {
                return Err(bad(&at, format!("{date} is also listed as a holiday")));
            }
            if !workdays.insert(date) {
                return Err(bad(&at, format!("{date} is listed twice")));
            }
        }
        Ok(YearFile { year, source, holidays, workdays })
    }
}

fn bad(field: &str, message: impl Into<String>) -> CalendarError {
    CalendarError::BadYearFile { field: field.to_string(), message: message.into() }
}

fn object<'v>(value: &'v Value, at: &str, keys: &[&str]) -> Result<&'v Map<String, Value>, CalendarError> {
    let map = value.as_object().ok_or_else(|| bad(at.trim_end_matches('.'), "must be an object {…}"))?;
    match map.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(unknown) => Err(bad(&format!("{at}{unknown}"), format!("unknown key (expected {})", keys.join(", ")))),
        None => Ok(map),
    }
}

fn array<'v>(value: Option<&'v Value>, field: &str) -> Result<&'v Vec<Value>, CalendarError> {
    match value {
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(bad(field, "must be a list […]")),
        None => Err(bad(field, "missing (write [] when there are none)")),
    }
}

fn date_in(value: &Value, year: i32, at: &str) -> Result<NaiveDate, CalendarError> {
    let text = value.as_str().ok_or_else(|| bad(at, format!("{value} is not a date in the form YYYY-MM-DD")))?;
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 10)
        .ok_or_else(|| bad(at, format!("“{text}” is not a date in the form YYYY-MM-DD")))?;
    if date.year() != year {
        return Err(bad(at, format!("{date} is not in {year}")));
    }
    Ok(date)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

#[derive(Debug, Clone)]
struct Year {
    origin: Origin,
    data: YearFile,
}

/// The working-day calendar over the years it has data for.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, Year>,
}

impl Calendar {
    /// An empty calendar: every year is missing.
    pub fn empty() -> Calendar {
        Calendar::default()
    }

    /// The official data shipped with the platform (2004–2026).
    pub fn official() -> Result<Calendar, CalendarError> {
        let value: Value = serde_json::from_str(SHIPPED).map_err(|e| bad("shipped data", e.to_string()))?;
        let shipped = object(&value, "", &["source", "years"])?;
        let mut calendar = Calendar::empty();
        for (i, year) in array(shipped.get("years"), "years")?.iter().enumerate() {
            let data = YearFile::from_value(year, &format!("years[{i}]."))?;
            calendar.years.insert(data.year, Year { origin: Origin::Shipped, data });
        }
        Ok(calendar)
    }

    /// Adds a year from a year file; it replaces any data the calendar had for that year.
    pub fn insert(&mut self, data: YearFile) {
        self.years.insert(data.year, Year { origin: Origin::File, data });
    }

    /// Fills every year without data in [`PROVISIONAL_YEARS`] with its provisional calendar.
    pub fn with_provisional_years(mut self) -> Calendar {
        for year in PROVISIONAL_YEARS {
            if let (Entry::Vacant(slot), Some(data)) = (self.years.entry(year), provisional_year(year)) {
                slot.insert(Year { origin: Origin::Provisional, data });
            }
        }
        self
    }

    /// Where the year's data comes from; `None` when it has none.
    pub fn origin(&self, year: i32) -> Option<Origin> {
        self.years.get(&year).map(|y| y.origin)
    }

    /// The years with data, in order.
    pub fn years(&self) -> impl Iterator<Item = (i32, Origin)> + '_ {
        self.years.iter().map(|(y, data)| (*y, data.origin))
    }

    pub fn day(&self, date: NaiveDate) -> Result<Day<'_>, CalendarError> {
        let year = self.years.get(&date.year()).ok_or(CalendarError::YearMissing(date.year()))?;
        let holiday = year.data.holidays.get(&date).map(String::as_str);
        let adjusted = year.data.workdays.contains(&date);
        let kind =
            if holiday.is_none() && (adjusted || !is_weekend(date)) { DayKind::Workday } else { DayKind::Restday };
        Ok(Day { date, kind, holiday, adjusted, provisional: year.origin == Origin::Provisional })
    }

    pub fn is_workday(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.day(date).map(|d| d.is_workday())
    }

    /// The day `n` working days after `date` (the start day is not counted). `n = 0` gives `date` itself.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<Deadline, CalendarError> {
        let mut deadline = Deadline { date, provisional: false };
        let mut counted = 0;
        while counted < n {
            deadline.date = deadline.date.succ_opt().ok_or(CalendarError::OutOfRange)?;
            let day = self.day(deadline.date)?;
            deadline.provisional |= day.provisional;
            if day.is_workday() {
                counted += 1;
            }
        }
        Ok(deadline)
    }

    /// The last day of a period of `n` calendar days from `date` (the start day is not counted); a last day that
    /// is a rest day moves to the next working day.
    pub fn add_days(&self, date: NaiveDate, n: u32) -> Result<Deadline, CalendarError> {
        let mut date = date.checked_add_days(Days::new(u64::from(n))).ok_or(CalendarError::OutOfRange)?;
        let mut provisional = false;
        loop {
            let day = self.day(date)?;
            provisional |= day.provisional;
            if day.is_workday() {
                return Ok(Deadline { date, provisional });
            }
            date = date.succ_opt().ok_or(CalendarError::OutOfRange)?;
        }
    }
}

/// The date in China (Asia/Shanghai: UTC+8 all year, no daylight saving since 1991) at an instant.
pub fn china_date(instant: DateTime<Utc>) -> NaiveDate {
    let naive = instant.naive_utc();
    naive.checked_add_signed(TimeDelta::hours(8)).unwrap_or(naive).date()
}

/// 24:00 (China time) of `date`: the end of a period without a set time (民法典 §203).
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    let next = date.succ_opt().unwrap_or(date);
    next.and_hms_opt(0, 0, 0).map(|t| t.and_utc() - TimeDelta::hours(8)).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `date` at the China time of day of `instant` (a moved deadline keeps its hour).
pub fn at_china_time(date: NaiveDate, instant: DateTime<Utc>) -> DateTime<Utc> {
    let time = instant.naive_utc().checked_add_signed(TimeDelta::hours(8)).unwrap_or(instant.naive_utc()).time();
    (date.and_time(time) - TimeDelta::hours(8)).and_utc()
}

/// A year computed from 国务院《全国年节及纪念日放假办法》 as amended in 2024 (in force from 2025): 元旦 Jan 1,
/// 春节 除夕 to 正月初三, 清明节 on the Qingming term day, 劳动节 May 1–2, 端午节 五月初五, 中秋节 八月十五,
/// 国庆节 Oct 1–3. No adjusted working days: those only the yearly notice sets. `None` outside
/// [`PROVISIONAL_YEARS`].
pub fn provisional_year(year: i32) -> Option<YearFile> {
    let (_, [spring, qingming, dragon_boat, mid_autumn]) = LUNAR.iter().find(|(y, _)| *y == year)?;
    let on = |(month, day): (u32, u32)| NaiveDate::from_ymd_opt(year, month, day);
    let new_year = on(*spring)?;
    let spring_festival =
        [new_year.pred_opt()?, new_year, new_year.succ_opt()?, new_year.checked_add_days(Days::new(2))?];
    let mut holidays = BTreeMap::new();
    let mut add = |name: &str, dates: &[NaiveDate]| {
        for date in dates {
            holidays.insert(*date, name.to_string());
        }
    };
    add("元旦", &[on((1, 1))?]);
    add("春节", &spring_festival);
    add("清明节", &[on(*qingming)?]);
    add("劳动节", &[on((5, 1))?, on((5, 2))?]);
    add("端午节", &[on(*dragon_boat)?]);
    add("中秋节", &[on(*mid_autumn)?]);
    add("国庆节", &[on((10, 1))?, on((10, 2))?, on((10, 3))?]);
    let source = "provisional: computed from 《全国年节及纪念日放假办法》 (2024 amendment) alone".to_string();
    Some(YearFile { year, source: Some(source), holidays, workdays: BTreeSet::new() })
}

/// Per year (month, day) of 正月初一, the Qingming solar term, 五月初五 and 八月十五, in China time.
/// Computed once with tyme4rs 1.5.0 (crates.io, MIT; solar terms by the 寿星天文历 algorithm) and cross-checked
/// against chinese-lunisolar-calendar 0.2.5 (crates.io, MIT): the two agree on every lunar date here except
/// 中秋 2089 (tyme4rs 09-18, the other 09-17), which is far enough out to be provisional anyway.
const LUNAR: &[(i32, [(u32, u32); 4])] = &[
    (2025, [(1, 29), (4, 4), (5, 31), (10, 6)]),
    (2026, [(2, 17), (4, 5), (6, 19), (9, 25)]),
    (2027, [(2, 6), (4, 5), (6, 9), (9, 15)]),
    (2028, [(1, 26), (4, 4), (5, 28), (10, 3)]),
    (2029, [(2, 13), (4, 4), (6, 16), (9, 22)]),
    (2030, [(2, 3), (4, 5), (6, 5), (9, 12)]),
    (2031, [(1, 23), (4, 5), (6, 24), (10, 1)]),
    (2032, [(2, 11), (4, 4), (6, 12), (9, 19)]),
    (2033, [(1, 31), (4, 4), (6, 1), (9, 8)]),
    (2034, [(2, 19), (4, 5), (6, 20), (9, 27)]),
    (2035, [(2, 8), (4, 5), (6, 10), (9, 16)]),
    (2036, [(1, 28), (4, 4), (5, 30), (10, 4)]),
    (2037, [(2, 15), (4, 4), (6, 18), (9, 24)]),
    (2038, [(2, 4), (4, 5), (6, 7), (9, 13)]),
    (2039, [(1, 24), (4, 5), (5, 27), (10, 2)]),
    (2040, [(2, 12), (4, 4), (6, 14), (9, 20)]),
    (2041, [(2, 1), (4, 4), (6, 3), (9, 10)]),
    (2042, [(1, 22), (4, 4), (6, 22), (9, 28)]),
    (2043, [(2, 10), (4, 5), (6, 11), (9, 17)]),
    (2044, [(1, 30), (4, 4), (5, 31), (10, 5)]),
    (2045, [(2, 17), (4, 4), (6, 19), (9, 25)]),
    (2046, [(2, 6), (4, 4), (6, 8), (9, 15)]),
    (2047, [(1, 26), (4, 5), (5, 29), (10, 4)]),
    (2048, [(2, 14), (4, 4), (6, 15), (9, 22)]),
    (2049, [(2, 2), (4, 4), (6, 4), (9, 11)]),
    (2050, [(1, 23), (4, 4), (6, 23), (9, 30)]),
    (2051, [(2, 11), (4, 5), (6, 13), (9, 19)]),
    (2052, [(2, 1), (4, 4), (6, 1), (9, 7)]),
    (2053, [(2, 19), (4, 4), (6, 20), (9, 26)]),
    (2054, [(2, 8), (4, 4), (6, 10), (9, 16)]),
    (2055, [(1, 28), (4, 5), (5, 30), (10, 5)]),
    (2056, [(2, 15), (4, 4), (6, 17), (9, 24)]),
    (2057, [(2, 4), (4, 4), (6, 6), (9, 13)]),
    (2058, [(1, 24), (4, 4), (6, 25), (10, 2)]),
    (2059, [(2, 12), (4, 5), (6, 14), (9, 21)]),
    (2060, [(2, 2), (4, 4), (6, 3), (9, 9)]),
    (2061, [(1, 21), (4, 4), (6, 22), (9, 28)]),
    (2062, [(2, 9), (4, 4), (6, 11), (9, 17)]),
    (2063, [(1, 29), (4, 5), (6, 1), (10, 6)]),
    (2064, [(2, 17), (4, 4), (6, 19), (9, 25)]),
    (2065, [(2, 5), (4, 4), (6, 8), (9, 15)]),
    (2066, [(1, 26), (4, 4), (5, 28), (10, 3)]),
    (2067, [(2, 14), (4, 5), (6, 16), (9, 23)]),
    (2068, [(2, 3), (4, 4), (6, 4), (9, 11)]),
    (2069, [(1, 23), (4, 4), (6, 23), (9, 29)]),
    (2070, [(2, 11), (4, 4), (6, 13), (9, 19)]),
    (2071, [(1, 31), (4, 5), (6, 2), (9, 8)]),
    (2072, [(2, 19), (4, 4), (6, 20), (9, 26)]),
    (2073, [(2, 7), (4, 4), (6, 10), (9, 16)]),
    (2074, [(1, 27), (4, 4), (5, 30), (10, 5)]),
    (2075, [(2, 15), (4, 4), (6, 17), (9, 24)]),
    (2076, [(2, 5), (4, 4), (6, 6), (9, 12)]),
    (2077, [(1, 24), (4, 4), (6, 24), (10, 1)]),
    (2078, [(2, 12), (4, 4), (6, 14), (9, 20)]),
    (2079, [(2, 2), (4, 4), (6, 4), (9, 10)]),
    (2080, [(1, 22), (4, 4), (6, 22), (9, 28)]),
    (2081, [(2, 9), (4, 4), (6, 11), (9, 17)]),
    (2082, [(1, 29), (4, 4), (6, 1), (10, 6)]),
    (2083, [(2, 17), (4, 4), (6, 19), (9, 26)]),
    (2084, [(2, 6), (4, 4), (6, 7), (9, 14)]),
    (2085, [(1, 26), (4, 4), (5, 27), (10, 3)]),
    (2086, [(2, 14), (4, 4), (6, 15), (9, 22)]),
    (2087, [(2, 3), (4, 4), (6, 5), (9, 11)]),
    (2088, [(1, 24), (4, 4), (6, 23), (9, 29)]),
    (2089, [(2, 10), (4, 4), (6, 13), (9, 18)]),
    (2090, [(1, 30), (4, 4), (6, 2), (9, 8)]),
    (2091, [(2, 18), (4, 4), (6, 21), (9, 27)]),
    (2092, [(2, 7), (4, 4), (6, 9), (9, 16)]),
    (2093, [(1, 27), (4, 4), (5, 29), (10, 5)]),
    (2094, [(2, 15), (4, 4), (6, 17), (9, 24)]),
    (2095, [(2, 5), (4, 4), (6, 6), (9, 13)]),
    (2096, [(1, 25), (4, 4), (6, 24), (9, 30)]),
    (2097, [(2, 12), (4, 4), (6, 14), (9, 20)]),
    (2098, [(2, 1), (4, 4), (6, 4), (9, 9)]),
    (2099, [(1, 21), (4, 4), (6, 23), (9, 29)]),
    (2100, [(2, 9), (4, 5), (6, 12), (9, 18)]),
];

#[cfg(test)]
mod notices;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn span(first: &str, last: &str) -> Vec<NaiveDate> {
        d(first).iter_days().take_while(|x| *x <= d(last)).collect()
    }

    fn official() -> Calendar {
        Calendar::official().unwrap()
    }

    #[test]
    fn calendar_worked_examples_from_the_issue() {
        let calendar = official();
        // Tender documents issued 2025-09-12: 20 days end on 2025-10-02, a holiday, so the deadline day moves on.
        assert_eq!(
            calendar.add_days(d("2025-09-12"), 20).unwrap(),
            Deadline { date: d("2025-10-09"), provisional: false }
        );
        assert_eq!(calendar.add_working_days(d("2025-09-30"), 7).unwrap().date, d("2025-10-16"));
        assert_eq!(calendar.add_working_days(d("2026-01-30"), 15).unwrap().date, d("2026-02-27"));
    }

    #[test]
    fn calendar_counting_rules() {
        let calendar = official();
        // The start day is not counted, even when it is a workday.
        assert_eq!(calendar.add_working_days(d("2026-03-02"), 1).unwrap().date, d("2026-03-03"));
        assert_eq!(calendar.add_working_days(d("2026-03-02"), 0).unwrap().date, d("2026-03-02"));
        // From a Friday, one working day is the Monday; an adjusted Saturday counts.
        assert_eq!(calendar.add_working_days(d("2026-03-06"), 1).unwrap().date, d("2026-03-09"));
        assert_eq!(calendar.add_working_days(d("2026-02-13"), 1).unwrap().date, d("2026-02-14"));
        // A period ending on a workday stays; one ending on a plain Sunday moves to Monday.
        assert_eq!(calendar.add_days(d("2026-03-02"), 3).unwrap().date, d("2026-03-05"));
        assert_eq!(calendar.add_days(d("2026-03-02"), 6).unwrap().date, d("2026-03-09"));
        // An adjusted working Saturday is a valid last day.
        assert_eq!(calendar.add_days(d("2026-02-07"), 7).unwrap().date, d("2026-02-14"));
        assert!(calendar.is_workday(d("2026-02-14")).unwrap());
        assert!(!calendar.is_workday(d("2026-02-17")).unwrap());
        let day = calendar.day(d("2026-02-17")).unwrap();
        assert_eq!((day.kind.code(), day.holiday, day.adjusted), ("restday", Some("春节"), false));
        let day = calendar.day(d("2026-03-07")).unwrap();
        assert_eq!((day.kind, day.holiday), (DayKind::Restday, None));
    }

    #[test]
    fn calendar_missing_year_is_an_error_not_a_panic() {
        let calendar = official();
        assert_eq!(calendar.origin(2027), None);
        assert_eq!(calendar.day(d("2027-01-04")), Err(CalendarError::YearMissing(2027)));
        assert_eq!(calendar.add_working_days(d("2026-12-24"), 10), Err(CalendarError::YearMissing(2027)));
        assert_eq!(calendar.add_days(d("2026-12-20"), 20), Err(CalendarError::YearMissing(2027)));
        assert_eq!(calendar.day(d("2003-12-31")), Err(CalendarError::YearMissing(2003)));
        assert_eq!(Calendar::empty().is_workday(d("2025-01-02")), Err(CalendarError::YearMissing(2025)));
        // Past the provisional table too.
        let provisional = official().with_provisional_years();
        assert_eq!(provisional.day(d("2101-01-03")), Err(CalendarError::YearMissing(2101)));
        assert_eq!(Calendar::empty().add_days(NaiveDate::MAX, 1), Err(CalendarError::OutOfRange));
        assert_eq!(CalendarError::YearMissing(2027).to_string(), "no holiday data for 2027");
    }

    #[test]
    fn calendar_shipped_data_covers_2004_to_2026() {
        let calendar = official();
        let years: Vec<(i32, Origin)> = calendar.years().collect();
        assert_eq!(years, (2004..=2026).map(|y| (y, Origin::Shipped)).collect::<Vec<_>>());
        assert_eq!(calendar.day(d("2004-01-22")).unwrap().holiday, Some("春节"));
        assert!(calendar.is_workday(d("2004-01-17")).unwrap(), "2004's adjusted Saturday");
        // The one-off holiday of 2015 and its adjusted Sunday.
        assert!(calendar.day(d("2015-09-03")).unwrap().holiday.unwrap().contains("70周年"));
        assert!(calendar.is_workday(d("2015-09-06")).unwrap());
        // The 2019 New Year holiday began in the old year.
        assert_eq!(calendar.day(d("2018-12-31")).unwrap().holiday, Some("元旦"));
        assert!(calendar.is_workday(d("2018-12-29")).unwrap());
    }

    #[test]
    fn calendar_provisional_year_follows_the_holiday_law() {
        let calendar = official().with_provisional_years();
        assert_eq!(calendar.origin(2025), Some(Origin::Shipped), "official data wins over a computed year");
        assert_eq!(calendar.origin(2030), Some(Origin::Provisional));
        // 春节 2030 is 2030-02-03: 除夕 to 初三 off.
        for date in span("2030-02-02", "2030-02-05") {
            let day = calendar.day(date).unwrap();
            assert_eq!((day.kind, day.holiday, day.provisional), (DayKind::Restday, Some("春节"), true), "{date}");
        }
        assert!(calendar.is_workday(d("2030-02-01")).unwrap() && calendar.is_workday(d("2030-02-06")).unwrap());
        let mut statutory = 0;
        for date in span("2030-01-01", "2030-12-31") {
            let day = calendar.day(date).unwrap();
            assert!(day.provisional && !day.adjusted, "{date}");
            statutory += usize::from(day.holiday.is_some());
            if day.holiday.is_none() {
                assert_eq!(day.is_workday(), !is_weekend(date), "no adjusted days: {date}");
            }
        }
        assert_eq!(statutory, 13, "13 statutory days from 2025");
        // A deadline counted into a provisional year is provisional.
        let deadline = calendar.add_working_days(d("2026-12-24"), 10).unwrap();
        assert!(deadline.provisional && deadline.date.year() == 2027, "{deadline:?}");
        assert!(!calendar.add_working_days(d("2026-03-02"), 10).unwrap().provisional);
    }

    #[test]
    fn calendar_lunar_dates_match_known_dates() {
        let holiday = |year: i32, name: &str| -> Vec<NaiveDate> {
            let data = provisional_year(year).unwrap();
            data.holidays.iter().filter(|(_, n)| n.as_str() == name).map(|(date, _)| *date).collect()
        };
        assert_eq!(holiday(2025, "春节"), span("2025-01-28", "2025-01-31"), "正月初一 2025-01-29");
        assert_eq!(holiday(2026, "春节"), span("2026-02-16", "2026-02-19"), "正月初一 2026-02-17");
        assert_eq!(holiday(2027, "春节"), span("2027-02-05", "2027-02-08"), "正月初一 2027-02-06");
        assert_eq!(holiday(2025, "清明节"), vec![d("2025-04-04")]);
        assert_eq!(holiday(2026, "清明节"), vec![d("2026-04-05")]);
        assert_eq!(holiday(2025, "端午节"), vec![d("2025-05-31")]);
        assert_eq!(holiday(2026, "端午节"), vec![d("2026-06-19")]);
        assert_eq!(holiday(2025, "中秋节"), vec![d("2025-10-06")]);
        assert_eq!(holiday(2026, "中秋节"), vec![d("2026-09-25")]);
        assert!(provisional_year(2024).is_none() && provisional_year(2101).is_none());
        // The table is whole and plausible: one row per year, festivals in their seasons.
        let years: Vec<i32> = LUNAR.iter().map(|(y, _)| *y).collect();
        assert_eq!(years, PROVISIONAL_YEARS.collect::<Vec<_>>());
        for (year, [spring, qingming, dragon_boat, mid_autumn]) in LUNAR {
            let on = |(m, day): (u32, u32)| NaiveDate::from_ymd_opt(*year, m, day).unwrap();
            assert!((on((1, 21))..=on((2, 20))).contains(&on(*spring)), "{year}");
            assert!((4..=5).contains(&qingming.1) && qingming.0 == 4, "{year}");
            assert!((on((5, 25))..=on((6, 25))).contains(&on(*dragon_boat)), "{year}");
            assert!((on((9, 7))..=on((10, 8))).contains(&on(*mid_autumn)), "{year}");
        }
    }

    #[test]
    fn calendar_statutory_days_of_the_law_are_rest_days_in_the_2025_and_2026_notices() {
        let calendar = official();
        for year in [2025, 2026] {
            for date in provisional_year(year).unwrap().holidays.keys() {
                assert!(!calendar.is_workday(*date).unwrap(), "{date}");
            }
        }
    }

    const GOOD: &str = r#"{
        "year": 2027,
        "source": "a test notice",
        "holidays": [
            {"name": "元旦", "days": ["2027-01-01", "2027-01-02", "2027-01-03"]},
            {"name": "春节", "days": ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"]}
        ],
        "workdays": ["2027-02-20"]
    }"#;

    #[test]
    fn calendar_year_file_is_loaded_and_replaces_a_provisional_year() {
        let mut calendar = official().with_provisional_years();
        assert!(calendar.day(d("2027-02-20")).unwrap().provisional);
        let file = YearFile::parse(GOOD).unwrap();
        assert_eq!((file.year(), file.source()), (2027, Some("a test notice")));
        calendar.insert(file);
        assert_eq!(calendar.origin(2027), Some(Origin::File));
        let day = calendar.day(d("2027-02-20")).unwrap();
        assert_eq!((day.kind, day.adjusted, day.provisional), (DayKind::Workday, true, false));
        assert_eq!(calendar.day(d("2027-01-02")).unwrap().holiday, Some("元旦"));
        assert_eq!(
            calendar.add_working_days(d("2026-12-31"), 1).unwrap(),
            Deadline { date: d("2027-01-04"), provisional: false }
        );
    }

    fn refusal(text: &str) -> (String, String) {
        match YearFile::parse(text) {
            Err(CalendarError::BadYearFile { field, message }) => (field, message),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn calendar_year_file_refusals_name_the_field() {
        let (field, message) = refusal(&GOOD.replace("2027-02-06", "2027-02-30"));
        assert_eq!(field, "holidays[1].days[1]");
        assert!(message.contains("2027-02-30") && message.contains("YYYY-MM-DD"), "{message}");
        let (field, message) = refusal(&GOOD.replace("\"workdays\"", "\"workday\""));
        assert_eq!(field, "workday");
        assert!(message.contains("unknown key"), "{message}");
        let (field, _) = refusal(&GOOD.replace("\"days\": [\"2027-01-01\"", "\"dates\": [\"2027-01-01\""));
        assert_eq!(field, "holidays[0].dates");
        let (field, message) = refusal(&GOOD.replace("2027-01-03", "2026-01-03"));
        assert_eq!(field, "holidays[0].days[2]");
        assert!(message.contains("not in 2027"), "{message}");
        let (field, message) = refusal(&GOOD.replace("2027-02-20", "2027-02-22"));
        assert_eq!(field, "workdays[0]");
        assert!(message.contains("Saturday or Sunday"), "{message}");
        let (field, message) = refusal(&GOOD.replace("2027-02-20", "2027-01-02"));
        assert_eq!(field, "workdays[0]");
        assert!(message.contains("also listed as a holiday"), "{message}");
        let (field, _) = refusal(&GOOD.replace("2027-01-02\", \"2027-01-03", "2027-01-02\", \"2027-01-02"));
        assert_eq!(field, "holidays[0].days[2]");
        let (field, _) = refusal(&GOOD.replace("\"year\": 2027", "\"year\": \"2027\""));
        assert_eq!(field, "year");
        let (field, _) = refusal(&GOOD.replace("\"name\": \"元旦\"", "\"name\": \"\""));
        assert_eq!(field, "holidays[0].name");
        let (field, message) = refusal(r#"{"year": 2027, "holidays": []}"#);
        assert_eq!(field, "workdays");
        assert!(message.contains("missing"), "{message}");
        let (field, message) = refusal("{\"year\": 2027,");
        assert!(field.is_empty() && message.contains("not valid JSON"), "{message}");
        let (field, _) = refusal("[]");
        assert_eq!(field, "");
        assert_eq!(
            YearFile::parse(&GOOD.replace("2027-02-06", "2027-2-6")).unwrap_err().to_string(),
            "holidays[1].days[1]: “2027-2-6” is not a date in the form YYYY-MM-DD"
        );
    }

    #[test]
    fn calendar_china_date_is_utc_plus_8() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(china_date(t("2025-09-30T15:59:59Z")), d("2025-09-30"));
        assert_eq!(china_date(t("2025-09-30T16:00:00Z")), d("2025-10-01"));
    }

    proptest! {
        #[test]
        fn calendar_working_days_land_on_a_workday_after_exactly_n(start in 0u32..8000, n in 1u32..60) {
            let calendar = official();
            let from = d("2004-01-01") + TimeDelta::days(i64::from(start));
            let end = calendar.add_working_days(from, n).unwrap().date;
            prop_assert!(calendar.is_workday(end).unwrap());
            let counted = from.iter_days().skip(1).take_while(|x| *x <= end).filter(|x| calendar.is_workday(*x).unwrap()).count();
            prop_assert_eq!(counted, n as usize);
            let due = calendar.add_days(from, n).unwrap().date;
            prop_assert!(due >= from + TimeDelta::days(i64::from(n)) && calendar.is_workday(due).unwrap());
        }
    }
}
