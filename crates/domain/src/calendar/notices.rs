//! The State Council's holiday notices 2004–2026, typed from their own wording, and the test that every day of
//! the shipped calendar agrees with them. Kept apart from the shipped data on purpose: the data was exported from
//! another project, this table was typed from the notices, so a slip in either shows up as a disagreement.
//!
//! One line per holiday per notice: `(year of the notice, holiday, days off, weekend days worked)`.
//! - The holiday is named as the notice names it; the joint spans keep the notice's order (中秋节、国庆节 in 2012,
//!   国庆节、中秋节 in 2009). The notices of 2004–2007 say “五一” and “十一”, 2008's “五一”国际劳动节: those are
//!   typed under the law's names 劳动节 and 国庆节.
//! - Days off are the days the notice gives off, as it gives them: `10-01..10-07` (至), or single days
//!   (`04-05, 04-07` for “4月5日放假，4月7日（星期一）补休”). A notice that says only “与周末连休” gives the holiday
//!   alone: the weekend next to it is a rest day anyway.
//! - Dates are `MM-DD` in the notice's year, or `YYYY-MM-DD` when the notice names another year (a New Year holiday
//!   that starts in December, or December's worked weekend).
//! - A later line for the same year and holiday is an amending notice and replaces the earlier line.
//!
//! Where each notice was read: gov.cn or its reprints (人民日报, 光明日报, 新华社, 中国政府网 copies on provincial and
//! ministry sites, 维基文库's 国务院公报 texts). 2004 and 2005: no gov.cn page or newspaper copy could be found with
//! the tools available; their wording is as quoted, with the document numbers, in public holiday-calendar projects
//! (from 维基文库 and a legal database), and 2005's Spring Festival also in the Xinjiang government's own notice.

use super::*;

type Line = (i32, &'static str, &'static str, &'static [&'static str]);

const ANTI_FASCIST_WAR: &str = "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日";

#[rustfmt::skip]
const NOTICES: &[Line] = &[
    // 国务院办公厅关于2004年部分节假日安排的通知 (国办发明电〔2003〕53号, 2003-12-18): “1月22日———28日…放假，
    // 共7天…1月17日、18日上班”; “五一” 5月8日、9日上班; “十一” 10月9日、10日上班.
    (2004, "元旦", "01-01", &[]),
    (2004, "春节", "01-22..01-28", &["01-17", "01-18"]),
    (2004, "劳动节", "05-01..05-07", &["05-08", "05-09"]),
    (2004, "国庆节", "10-01..10-07", &["10-09", "10-10"]),
    // 国务院办公厅关于2005年部分节假日安排的通知 (国办发明电〔2004〕52号, 2004-12): 元旦 “1月1日～3日放假，共3天”.
    (2005, "元旦", "01-01..01-03", &[]),
    (2005, "春节", "02-09..02-15", &["02-05", "02-06"]),
    (2005, "劳动节", "05-01..05-07", &["04-30", "05-08"]),
    (2005, "国庆节", "10-01..10-07", &["10-08", "10-09"]),
    // 国务院办公厅关于2006年部分节假日安排的通知 (国办发明电〔2005〕35号, 2005-12-16): 元旦 “1月1日—3日放假…
    // 12月31日（星期六）上班”.
    (2006, "元旦", "01-01..01-03", &["2005-12-31"]),
    (2006, "春节", "01-29..02-04", &["01-28", "02-05"]),
    (2006, "劳动节", "05-01..05-07", &["04-29", "04-30"]),
    (2006, "国庆节", "10-01..10-07", &["09-30", "10-08"]),
    // 国务院办公厅关于2007年部分节假日安排的通知 (国办发明电〔2006〕49号, 2006-12-14): 元旦 “…2006年12月30日
    // （星期六）、31日（星期日）上班”.
    (2007, "元旦", "01-01..01-03", &["2006-12-30", "2006-12-31"]),
    (2007, "春节", "02-18..02-24", &["02-17", "02-25"]),
    (2007, "劳动节", "05-01..05-07", &["04-28", "04-29"]),
    (2007, "国庆节", "10-01..10-07", &["09-29", "09-30"]),
    // 国务院办公厅关于2008年部分节假日安排的通知 (2007-12; the first under 国务院令第513号, which amended
    // 《全国年节及纪念日放假办法》 on 2007-12-14: 清明、端午、中秋 added, “五一” cut to one day; read in 中新网's
    // reprint of 2007-12-18): 元旦 “2007年12月30日—2008年1月1日放假，共3天…12月29日（星期六）上班”.
    (2008, "元旦", "2007-12-30..01-01", &["2007-12-29"]),
    (2008, "春节", "02-06..02-12", &["02-02", "02-03"]),
    (2008, "清明节", "04-04..04-06", &[]),
    (2008, "劳动节", "05-01..05-03", &["05-04"]),
    (2008, "端午节", "06-07..06-09", &[]),
    (2008, "中秋节", "09-13..09-15", &[]),
    (2008, "国庆节", "09-29..10-05", &["09-27", "09-28"]),
    // 国务院办公厅关于2009年部分节假日安排的通知 (国办发明电〔2008〕42号, 2008-12).
    (2009, "元旦", "01-01..01-03", &["01-04"]),
    (2009, "春节", "01-25..01-31", &["01-24", "02-01"]),
    (2009, "清明节", "04-04..04-06", &[]),
    (2009, "劳动节", "05-01..05-03", &[]),
    (2009, "端午节", "05-28..05-30", &["05-31"]),
    (2009, "国庆节、中秋节", "10-01..10-08", &["09-27", "10-10"]),
    // 国务院办公厅关于2010年部分节假日安排的通知 (国办发明电〔2009〕27号, 2009-12-07).
    (2010, "元旦", "01-01..01-03", &[]),
    (2010, "春节", "02-13..02-19", &["02-20", "02-21"]),
    (2010, "清明节", "04-03..04-05", &[]),
    (2010, "劳动节", "05-01..05-03", &[]),
    (2010, "端午节", "06-14..06-16", &["06-12", "06-13"]),
    (2010, "中秋节", "09-22..09-24", &["09-19", "09-25"]),
    (2010, "国庆节", "10-01..10-07", &["09-26", "10-09"]),
    // 国务院办公厅关于2011年部分节假日安排的通知 (国办发明电〔2010〕40号, 2010-12-09).
    (2011, "元旦", "01-01..01-03", &[]),
    (2011, "春节", "02-02..02-08", &["01-30", "02-12"]),
    (2011, "清明节", "04-03..04-05", &["04-02"]),
    (2011, "劳动节", "04-30..05-02", &[]),
    (2011, "端午节", "06-04..06-06", &[]),
    (2011, "中秋节", "09-10..09-12", &[]),
    (2011, "国庆节", "10-01..10-07", &["10-08", "10-09"]),
    // 国务院办公厅关于2012年部分节假日安排的通知 (国办发明电〔2011〕45号, 2011-12-05): 元旦 “2012年1月1日至3日
    // 放假调休，共3天。2011年12月31日（星期六）上班”.
    (2012, "元旦", "01-01..01-03", &["2011-12-31"]),
    (2012, "春节", "01-22..01-28", &["01-21", "01-29"]),
    (2012, "清明节", "04-02..04-04", &["03-31", "04-01"]),
    (2012, "劳动节", "04-29..05-01", &["04-28"]),
    (2012, "端午节", "06-22..06-24", &[]),
    (2012, "中秋节、国庆节", "09-30..10-07", &["09-29"]),
    // 国务院办公厅关于2013年部分节假日安排的通知 (国办发明电〔2012〕33号, 2012-12-08).
    (2013, "元旦", "01-01..01-03", &["01-05", "01-06"]),
    (2013, "春节", "02-09..02-15", &["02-16", "02-17"]),
    (2013, "清明节", "04-04..04-06", &["04-07"]),
    (2013, "劳动节", "04-29..05-01", &["04-27", "04-28"]),
    (2013, "端午节", "06-10..06-12", &["06-08", "06-09"]),
    (2013, "中秋节", "09-19..09-21", &["09-22"]),
    (2013, "国庆节", "10-01..10-07", &["09-29", "10-12"]),
    // 国务院办公厅关于2014年部分节假日安排的通知 (国办发明电〔2013〕28号, 2013-12-11): 清明 “4月5日放假，
    // 4月7日（星期一）补休”; 端午、中秋 “…放假，与周末连休”.
    (2014, "元旦", "01-01", &[]),
    (2014, "春节", "01-31..02-06", &["01-26", "02-08"]),
    (2014, "清明节", "04-05, 04-07", &[]),
    (2014, "劳动节", "05-01..05-03", &["05-04"]),
    (2014, "端午节", "06-02", &[]),
    (2014, "中秋节", "09-08", &[]),
    (2014, "国庆节", "10-01..10-07", &["09-28", "10-11"]),
    // 国务院办公厅关于2015年部分节假日安排的通知 (国办发明电〔2014〕28号, 2014-12-16): 清明 “4月5日放假，4月6日
    // （星期一）补休”; 中秋 “9月27日放假”.
    (2015, "元旦", "01-01..01-03", &["01-04"]),
    (2015, "春节", "02-18..02-24", &["02-15", "02-28"]),
    (2015, "清明节", "04-05, 04-06", &[]),
    (2015, "劳动节", "05-01", &[]),
    (2015, "端午节", "06-20, 06-22", &[]),
    (2015, "中秋节", "09-27", &[]),
    (2015, "国庆节", "10-01..10-07", &["10-10"]),
    // 国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知 (国发明电〔2015〕1号,
    // 2015-05-13): “9月3日至5日调休放假，共3天…9月6日（星期日）上班”.
    (2015, ANTI_FASCIST_WAR, "09-03..09-05", &["09-06"]),
    // 国务院办公厅关于2016年部分节假日安排的通知 (国办发明电〔2015〕18号, 2015-12-10,
    // gov.cn/zhengce/content/2015-12/10/content_10394.htm): 国庆 “10月1日至7日放假调休，共7天。10月8日（星期六）、
    // 10月9日（星期日）上班”.
    (2016, "元旦", "01-01", &[]),
    (2016, "春节", "02-07..02-13", &["02-06", "02-14"]),
    (2016, "清明节", "04-04", &[]),
    (2016, "劳动节", "05-01, 05-02", &[]),
    (2016, "端午节", "06-09..06-11", &["06-12"]),
    (2016, "中秋节", "09-15..09-17", &["09-18"]),
    (2016, "国庆节", "10-01..10-07", &["10-08", "10-09"]),
    // 国务院办公厅关于2017年部分节假日安排的通知 (国办发明电〔2016〕17号, 2016-12-01,
    // gov.cn/zhengce/content/2016-12/01/content_5141603.htm): 元旦 “1月1日放假，1月2日（星期一）补休”.
    (2017, "元旦", "01-01, 01-02", &[]),
    (2017, "春节", "01-27..02-02", &["01-22", "02-04"]),
    (2017, "清明节", "04-02..04-04", &["04-01"]),
    (2017, "劳动节", "05-01", &[]),
    (2017, "端午节", "05-28..05-30", &["05-27"]),
    (2017, "中秋节、国庆节", "10-01..10-08", &["09-30"]),
    // 国务院办公厅关于2018年部分节假日安排的通知 (国办发明电〔2017〕12号, 2017-11-30): 元旦、端午、中秋
    // “…放假，与周末连休”.
    (2018, "元旦", "01-01", &[]),
    (2018, "春节", "02-15..02-21", &["02-11", "02-24"]),
    (2018, "清明节", "04-05..04-07", &["04-08"]),
    (2018, "劳动节", "04-29..05-01", &["04-28"]),
    (2018, "端午节", "06-18", &[]),
    (2018, "中秋节", "09-24", &[]),
    (2018, "国庆节", "10-01..10-07", &["09-29", "09-30"]),
    // 国务院办公厅关于2019年部分节假日安排的通知 (国办发明电〔2018〕15号, 2018-12-04): 元旦 “2018年12月30日至
    // 2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班”; 劳动节 “5月1日放假”.
    (2019, "元旦", "2018-12-30..01-01", &["2018-12-29"]),
    (2019, "春节", "02-04..02-10", &["02-02", "02-03"]),
    (2019, "清明节", "04-05", &[]),
    (2019, "劳动节", "05-01", &[]),
    (2019, "端午节", "06-07", &[]),
    (2019, "中秋节", "09-13", &[]),
    (2019, "国庆节", "10-01..10-07", &["09-29", "10-12"]),
    // 国务院办公厅关于调整2019年劳动节假期安排的通知 (国办发明电〔2019〕3号, 2019-03-22): “2019年5月1日至4日
    // 放假调休，共4天。4月28日（星期日）、5月5日（星期日）上班”.
    (2019, "劳动节", "05-01..05-04", &["04-28", "05-05"]),
    // 国务院办公厅关于2020年部分节假日安排的通知 (国办发明电〔2019〕16号, 2019-11-21): 春节 “1月24日至30日放假
    // 调休，共7天。1月19日（星期日）、2月1日（星期六）上班”.
    (2020, "元旦", "01-01", &[]),
    (2020, "春节", "01-24..01-30", &["01-19", "02-01"]),
    (2020, "清明节", "04-04..04-06", &[]),
    (2020, "劳动节", "05-01..05-05", &["04-26", "05-09"]),
    (2020, "端午节", "06-25..06-27", &["06-28"]),
    (2020, "国庆节、中秋节", "10-01..10-08", &["09-27", "10-10"]),
    // 国务院办公厅关于延长2020年春节假期的通知 (国办发明电〔2020〕1号, 2020-01-26): “延长2020年春节假期至2月2日
    // （农历正月初九，星期日），2月3日（星期一）起正常上班” — so 1 February is no longer worked.
    (2020, "春节", "01-24..02-02", &["01-19"]),
    // 国务院办公厅关于2021年部分节假日安排的通知 (国办发明电〔2020〕27号, 2020-11-25).
    (2021, "元旦", "01-01..01-03", &[]),
    (2021, "春节", "02-11..02-17", &["02-07", "02-20"]),
    (2021, "清明节", "04-03..04-05", &[]),
    (2021, "劳动节", "05-01..05-05", &["04-25", "05-08"]),
    (2021, "端午节", "06-12..06-14", &[]),
    (2021, "中秋节", "09-19..09-21", &["09-18"]),
    (2021, "国庆节", "10-01..10-07", &["09-26", "10-09"]),
    // 国务院办公厅关于2022年部分节假日安排的通知 (国办发明电〔2021〕11号, 2021-10-25).
    (2022, "元旦", "01-01..01-03", &[]),
    (2022, "春节", "01-31..02-06", &["01-29", "01-30"]),
    (2022, "清明节", "04-03..04-05", &["04-02"]),
    (2022, "劳动节", "04-30..05-04", &["04-24", "05-07"]),
    (2022, "端午节", "06-03..06-05", &[]),
    (2022, "中秋节", "09-10..09-12", &[]),
    (2022, "国庆节", "10-01..10-07", &["10-08", "10-09"]),
    // 国务院办公厅关于2023年部分节假日安排的通知 (国办发明电〔2022〕16号, 2022-12-08): 元旦 “2022年12月31日至
    // 2023年1月2日放假调休，共3天”.
    (2023, "元旦", "2022-12-31..01-02", &[]),
    (2023, "春节", "01-21..01-27", &["01-28", "01-29"]),
    (2023, "清明节", "04-05", &[]),
    (2023, "劳动节", "04-29..05-03", &["04-23", "05-06"]),
    (2023, "端午节", "06-22..06-24", &["06-25"]),
    (2023, "中秋节、国庆节", "09-29..10-06", &["10-07", "10-08"]),
    // 国务院办公厅关于2024年部分节假日安排的通知 (国办发明电〔2023〕7号, 2023-10-25).
    (2024, "元旦", "01-01", &[]),
    (2024, "春节", "02-10..02-17", &["02-04", "02-18"]),
    (2024, "清明节", "04-04..04-06", &["04-07"]),
    (2024, "劳动节", "05-01..05-05", &["04-28", "05-11"]),
    (2024, "端午节", "06-10", &[]),
    (2024, "中秋节", "09-15..09-17", &["09-14"]),
    (2024, "国庆节", "10-01..10-07", &["09-29", "10-12"]),
    // 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12).
    (2025, "元旦", "01-01", &[]),
    (2025, "春节", "01-28..02-04", &["01-26", "02-08"]),
    (2025, "清明节", "04-04..04-06", &[]),
    (2025, "劳动节", "05-01..05-05", &["04-27"]),
    (2025, "端午节", "05-31..06-02", &[]),
    (2025, "国庆节、中秋节", "10-01..10-08", &["09-28", "10-11"]),
    // 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号, 2025-11-04).
    (2026, "元旦", "01-01..01-03", &["01-04"]),
    (2026, "春节", "02-15..02-23", &["02-14", "02-28"]),
    (2026, "清明节", "04-04..04-06", &[]),
    (2026, "劳动节", "05-01..05-05", &["05-09"]),
    (2026, "端午节", "06-19..06-21", &[]),
    (2026, "中秋节", "09-25..09-27", &[]),
    (2026, "国庆节", "10-01..10-07", &["09-20", "10-10"]),
];

/// A date of a notice: `MM-DD` in the notice's year, or a full `YYYY-MM-DD`.
fn notice_date(year: i32, text: &str) -> NaiveDate {
    let full = if text.len() == 5 { format!("{year}-{text}") } else { text.to_string() };
    NaiveDate::parse_from_str(&full, "%Y-%m-%d").unwrap_or_else(|_| panic!("{year}: “{text}” is not a date"))
}

/// The days off of a line: `A`, `A..B` or several of them separated by `, `.
fn days_off(year: i32, text: &str) -> Vec<NaiveDate> {
    let mut days = Vec::new();
    for item in text.split(", ") {
        let (first, last) = item.split_once("..").unwrap_or((item, item));
        let (first, last) = (notice_date(year, first), notice_date(year, last));
        assert!(first <= last, "{year}: {item} runs backwards");
        days.extend(first.iter_days().take_while(|d| *d <= last));
    }
    days
}

/// What the notices give: the holiday of every day off, and the weekend days worked.
struct Notices {
    off: BTreeMap<NaiveDate, &'static str>,
    worked: BTreeSet<NaiveDate>,
}

impl Notices {
    fn typed() -> Notices {
        // A later line for the same year and holiday (an amending notice) replaces the earlier one.
        let mut lines: BTreeMap<(i32, &str), Line> = BTreeMap::new();
        for line in NOTICES {
            lines.insert((line.0, line.1), *line);
        }
        let mut notices = Notices { off: BTreeMap::new(), worked: BTreeSet::new() };
        for (year, holiday, off, worked) in lines.into_values() {
            for date in days_off(year, off) {
                let other = notices.off.insert(date, holiday);
                assert!(other.is_none(), "{date} is off for both {holiday} and {other:?}: typo in the table");
            }
            for text in worked {
                let date = notice_date(year, text);
                assert!(is_weekend(date), "{date} worked under {year} {holiday} is a weekday: typo in the table");
                assert!(notices.worked.insert(date), "{date} is worked twice: typo in the table");
            }
        }
        for date in &notices.worked {
            assert!(!notices.off.contains_key(date), "{date} is both off and worked: typo in the table");
        }
        notices
    }

    fn kind(&self, date: NaiveDate) -> DayKind {
        if self.off.contains_key(&date) || (is_weekend(date) && !self.worked.contains(&date)) {
            DayKind::Restday
        } else {
            DayKind::Workday
        }
    }

    /// The holidays of the break `date` lies in: a weekend next to a holiday (“与周末连休”, or the Sunday between
    /// a holiday and its 补休) may carry the holiday's name.
    fn break_holidays(&self, date: NaiveDate) -> BTreeSet<&'static str> {
        let mut names = BTreeSet::new();
        for step in [-1, 1] {
            let mut day = date;
            while self.kind(day) == DayKind::Restday {
                if let Some(name) = self.off.get(&day) {
                    names.insert(*name);
                }
                day += TimeDelta::days(step);
            }
        }
        names
    }
}

#[test]
fn calendar_every_day_2004_to_2026_agrees_with_the_notices() {
    let notices = Notices::typed();
    let calendar = Calendar::official().unwrap();
    let mut disagreements = Vec::new();
    let (first, last) = (NaiveDate::from_ymd_opt(2004, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
    for date in first.iter_days().take_while(|d| *d <= last) {
        let day = calendar.day(date).unwrap();
        let kind = notices.kind(date);
        let worked = notices.worked.contains(&date);
        let name_ok = match (notices.off.get(&date), day.holiday) {
            (Some(expected), shown) => shown == Some(*expected),
            (None, None) => true,
            (None, Some(shown)) => kind == DayKind::Restday && notices.break_holidays(date).contains(shown),
        };
        if day.kind != kind || day.adjusted != worked || !name_ok {
            disagreements.push(format!(
                "{date} ({}): calendar {} {} {}, notices {} {} {}",
                date.weekday(),
                day.kind.code(),
                day.holiday.unwrap_or("-"),
                if day.adjusted { "adjusted" } else { "" },
                kind.code(),
                notices.off.get(&date).unwrap_or(&"-"),
                if worked { "adjusted" } else { "" },
            ));
        }
    }
    assert!(disagreements.is_empty(), "{} days disagree:\n{}", disagreements.len(), disagreements.join("\n"));
}

#[test]
fn calendar_notice_table_reads_the_notice_forms() {
    assert_eq!(days_off(2014, "04-05, 04-07"), vec![notice_date(2014, "04-05"), notice_date(2014, "04-07")]);
    assert_eq!(days_off(2019, "2018-12-30..01-01").len(), 3);
    assert_eq!(notice_date(2019, "2018-12-29"), NaiveDate::from_ymd_opt(2018, 12, 29).unwrap());
    let notices = Notices::typed();
    // The amending notices replace the yearly notice's lines.
    assert_eq!(notices.off.get(&notice_date(2019, "05-04")), Some(&"劳动节"));
    assert_eq!(notices.off.get(&notice_date(2020, "02-01")), Some(&"春节"));
    assert!(!notices.worked.contains(&notice_date(2020, "02-01")));
    // A weekend next to a one-day holiday belongs to its break; a plain weekend to none.
    assert_eq!(notices.break_holidays(notice_date(2018, "06-16")), BTreeSet::from(["端午节"]));
    assert!(notices.break_holidays(notice_date(2018, "06-23")).is_empty());
}
