//! Statistics out of the platform (loaded by `shanzhi_app::statistics`): the year parameter, and the exports — every table in one CSV file (UTF-8 with a byte-order
//! mark, so Excel reads the Chinese) or one XLSX worksheet per table, headed in the reader's language.

use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};
use shanzhi_domain::budget::FundSource;
use shanzhi_domain::project::{PurchaseMode, STEPS};
use shanzhi_domain::statistics::{self, Statistics};
use shanzhi_domain::{ErrorCode, Money};

use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::words::step_label;

/// `?year=` as the API and the dashboard take it: absent or empty for all years, else 2000–2100.
pub fn parse_year(raw: Option<&str>) -> Result<Option<i32>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => Ok(Some(y)),
            _ => Err(AppError::bad_request(
                ErrorCode::InvalidYear,
                format!("年度“{s}”不正确，应为 2000 至 2100 之间的年份，例如 2013"),
                format!("the year “{s}” is not valid: give a year from 2000 to 2100, such as 2013"),
            )),
        },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
    /// `shanzhi-statistics-2013.xlsx`, or `…-all.xlsx` for every year.
    /// `shanzhi-statistics-YEAR[-REGION].EXT`: a region's file is told from its province's by name. `region`
    /// is a region code, digits only, so it needs no quoting in a header.
    pub fn filename(self, year: Option<i32>, region: Option<&str>) -> String {
        let year = year.map_or("all".to_string(), |y| y.to_string());
        let region = region.filter(|r| r.bytes().all(|b| b.is_ascii_alphanumeric())).map(|r| format!("-{r}"));
        format!("shanzhi-statistics-{year}{}.{}", region.unwrap_or_default(), self.extension())
    }
    pub fn write(self, s: &Statistics, lang: Lang) -> Result<Vec<u8>, String> {
        match self {
            Format::Csv => Ok(csv(s, lang)),
            Format::Xlsx => xlsx(s, lang).map_err(|e| e.to_string()),
        }
    }
}

/// One value of an exported table. Amounts stay exact money until the spreadsheet cell is written.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(i64),
    Yuan(Money),
    /// A share as the statistics give it: four decimals, e.g. `0.1250`.
    Share(String),
}

/// A titled table with column headers in the reader's language; amounts' headers say 元 (yuan). A title is at
/// most 31 characters: it names a worksheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: &'static str,
    pub headers: Vec<&'static str>,
    /// The columns of names, shown wider.
    pub wide: Vec<usize>,
    pub rows: Vec<Vec<Cell>>,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn n(v: u32) -> Cell {
    Cell::Number(i64::from(v))
}

/// The steps and end states in the order people read them.
pub fn step_order() -> impl Iterator<Item = &'static str> {
    STEPS.iter().copied().chain(["completed", "cancelled", "terminated"])
}

/// Every table of the statistics, in the order of the dashboard, in `lang`.
pub fn tables(s: &Statistics, lang: Lang) -> Vec<Table> {
    let t = |zh: &'static str, en: &'static str| lang.t(zh, en);
    let (year_h, contracts_h, posts_h) = (t("年度", "Year"), t("签订合同数", "Contracts"), t("购买岗位数", "Posts"));
    let (projects_h, contracted_h, paid_h) =
        (t("项目数", "Projects"), t("合同金额（元）", "Contracted (yuan)"), t("已支付金额（元）", "Paid (yuan)"));
    let share_h = t("社会资金占比", "Social funds' share");
    let year = s.year.map_or(text(t("全部年度", "All years")), |y| Cell::Number(i64::from(y)));
    let yuan = Cell::Yuan;
    let table = |title: &'static str, headers: Vec<&'static str>, rows: Vec<Vec<Cell>>| Table {
        title,
        headers,
        wide: Vec::new(),
        rows,
    };
    let mut out = vec![table(
        t("概况", "Overview"),
        vec![year_h, contracts_h, posts_h, contracted_h, paid_h, share_h],
        vec![vec![
            year,
            n(s.totals.contracts),
            n(s.totals.posts),
            yuan(s.totals.contracted),
            yuan(s.totals.paid),
            Cell::Share(s.social_funds_share.clone()),
        ]],
    )];
    out.push(table(
        t("各环节项目数", "Projects by step"),
        vec![t("环节", "Step"), projects_h],
        step_order()
            .map(|k| vec![text(step_label(lang, k)), n(s.projects_by_step.get(k).copied().unwrap_or(0))])
            .collect(),
    ));
    out.push(table(
        t("按购买方式", "By purchase mode"),
        vec![t("购买方式", "Mode"), contracted_h],
        [(PurchaseMode::Post, s.by_mode.post), (PurchaseMode::Project, s.by_mode.project)]
            .iter()
            .map(|(m, amount)| vec![text(t(m.label_zh(), m.label_en())), yuan(*amount)])
            .collect(),
    ));
    let mut sources: Vec<Vec<Cell>> = FundSource::ALL
        .iter()
        .map(|f| {
            let (c, p) = (s.by_fund_source.get(*f), s.paid_by_fund_source.get(*f));
            let label = t(f.label_zh(), f.label_en());
            vec![text(label), yuan(c), Cell::Share(statistics::share(c, s.by_fund_source.total())), yuan(p)]
        })
        .collect();
    sources.push(vec![
        text(t("合计", "Total")),
        yuan(s.by_fund_source.total()),
        Cell::Share(statistics::share(s.by_fund_source.total(), s.by_fund_source.total())),
        yuan(s.paid_by_fund_source.total()),
    ]);
    out.push(table(
        t("按资金来源", "By fund source"),
        vec![t("资金来源", "Fund source"), contracted_h, t("占比", "Share"), paid_h],
        sources,
    ));
    let (urban, rural) = (t("城镇", "Urban"), t("农村", "Rural"));
    out.push(Table {
        wide: vec![1],
        ..table(
            t("乡镇（街道）", "Townships"),
            vec![
                t("区划代码", "Code"),
                t("乡镇（街道）", "Township"),
                t("城乡", "Urban or rural"),
                projects_h,
                posts_h,
                contracted_h,
            ],
            s.townships
                .iter()
                .map(|w| {
                    vec![
                        text(&w.code),
                        text(&w.name),
                        text(if w.urban { urban } else { rural }),
                        n(w.projects),
                        n(w.posts),
                        yuan(w.contracted),
                    ]
                })
                .collect(),
        )
    });
    let area = |label: &str, a: &statistics::AreaRow| vec![text(label), n(a.projects), n(a.posts), yuan(a.contracted)];
    out.push(table(
        t("城乡分布", "Urban and rural"),
        vec![t("区域", "Area"), projects_h, posts_h, contracted_h],
        vec![
            area(urban, &s.by_area.urban),
            area(rural, &s.by_area.rural),
            area(t("全区性", "District-wide"), &s.by_area.district_wide),
        ],
    ));
    out.push(Table {
        wide: vec![0],
        ..table(
            t("按购买主体", "By purchaser"),
            vec![t("购买主体", "Purchaser"), projects_h, contracted_h, paid_h],
            s.by_department
                .iter()
                .map(|d| vec![text(&d.name), n(d.projects), yuan(d.contracted), yuan(d.paid)])
                .collect(),
        )
    });
    let mut categories = Vec::new();
    let (head, group) = (t("一级", "Head"), t("二级", "Group"));
    for h in &s.by_category {
        categories.push(vec![text(&h.code), text(&h.name), text(head), n(h.projects), yuan(h.contracted)]);
        for g in &h.groups {
            categories.push(vec![text(&g.code), text(&g.name), text(group), n(g.projects), yuan(g.contracted)]);
        }
    }
    out.push(Table {
        wide: vec![1],
        ..table(
            t("按服务类别", "By category"),
            vec![t("类别代码", "Code"), t("类别名称", "Category"), t("层级", "Level"), projects_h, contracted_h],
            categories,
        )
    });
    out.push(table(
        t("按承接主体类型", "By provider kind"),
        vec![t("承接主体类型", "Provider kind"), projects_h, contracted_h],
        s.by_provider_kind
            .iter()
            .map(|k| vec![text(lang.t(&k.name, k.kind.label_en())), n(k.projects), yuan(k.contracted)])
            .collect(),
    ));
    out.push(table(
        t("年度趋势", "Trend"),
        vec![year_h, contracts_h, contracted_h, t("社会资金（元）", "Social funds (yuan)"), share_h, paid_h],
        s.trend
            .iter()
            .map(|w| {
                vec![
                    Cell::Number(i64::from(w.year)),
                    n(w.contracts),
                    yuan(w.contracted),
                    yuan(w.social_funds),
                    Cell::Share(w.social_funds_share.clone()),
                    yuan(w.paid),
                ]
            })
            .collect(),
    ));
    out.push(table(
        t("福彩公益金社工专项", "Welfare-lottery earmark"),
        vec![
            year_h,
            t("福彩公益金下达（元）", "Allocated (yuan)"),
            t("提取比例", "Earmarked share"),
            t("社工专项（元）", "Earmark (yuan)"),
            t("已用于社会工作（元）", "Used on social work (yuan)"),
            t("尚未使用（元）", "Not yet used (yuan)"),
            t("用于社会工作以外（元）", "Used elsewhere (yuan)"),
        ],
        s.welfare_lottery_earmark
            .iter()
            .map(|e| {
                vec![
                    Cell::Number(i64::from(e.year)),
                    yuan(e.allocated),
                    Cell::Share(bp_share(e.share_bp)),
                    yuan(e.earmark),
                    yuan(e.used),
                    yuan(e.remaining),
                    yuan(e.outside_social_work),
                ]
            })
            .collect(),
    ));
    out.push(Table {
        wide: vec![2, 4],
        ..table(
            t("福彩公益金使用预警", "Welfare-lottery warnings"),
            vec![
                year_h,
                t("项目编号", "Project code"),
                t("项目名称", "Project"),
                t("服务类别", "Category"),
                t("购买主体", "Purchaser"),
                t("福彩公益金（元）", "Welfare lottery (yuan)"),
            ],
            s.welfare_lottery_earmark
                .iter()
                .flat_map(|e| {
                    e.warnings.iter().map(|w| {
                        vec![
                            Cell::Number(i64::from(e.year)),
                            text(&w.code),
                            text(&w.title),
                            text(&w.category),
                            text(&w.purchaser),
                            yuan(w.amount),
                        ]
                    })
                })
                .collect(),
        )
    });
    out
}

/// Basis points as a four-decimal share: 1000 → `0.1000`.
pub fn bp_share(bp: u32) -> String {
    format!("{}.{:04}", bp / 10_000, bp % 10_000)
}

/// Text as one CSV field: quoted when it must be, and never read by a spreadsheet as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn csv_cell(c: &Cell) -> String {
    match c {
        Cell::Text(t) => csv_field(t),
        Cell::Number(v) => v.to_string(),
        Cell::Yuan(m) => m.yuan_string(),
        Cell::Share(s) => s.clone(),
    }
}

/// Every table in one file: its title line, its header and rows, a blank line between tables (RFC 4180
/// line ends, and a BOM so Excel takes the file as UTF-8).
pub fn csv(s: &Statistics, lang: Lang) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for (i, t) in tables(s, lang).iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push_str(&csv_field(t.title));
        out.push_str("\r\n");
        let line = |cells: Vec<String>| cells.join(",") + "\r\n";
        out.push_str(&line(t.headers.iter().map(|h| csv_field(h)).collect()));
        for r in &t.rows {
            out.push_str(&line(r.iter().map(csv_cell).collect()));
        }
    }
    out.into_bytes()
}

/// A spreadsheet number from the exact decimal text; the only place money becomes a float.
fn decimal(s: &str) -> f64 {
    s.parse().unwrap_or(0.0)
}

/// One worksheet per table, named by its title; header row bold and frozen; amounts as numbers shown
/// with separators and two decimals, shares as percentages.
pub fn xlsx(s: &Statistics, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = CellFormat::new().set_bold().set_text_wrap();
    let yuan = CellFormat::new().set_num_format("#,##0.00");
    let percent = CellFormat::new().set_num_format("0.00%");
    for t in tables(s, lang) {
        let sheet = book.add_worksheet();
        sheet.set_name(t.title)?;
        for (c, h) in t.headers.iter().enumerate() {
            let col = c as u16;
            sheet.write_string_with_format(0, col, *h, &header)?;
            sheet.set_column_width(col, if t.wide.contains(&c) { 36 } else { 16 })?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(v) => sheet.write_string(r, c, v)?,
                    Cell::Number(v) => sheet.write_number(r, c, *v as f64)?,
                    Cell::Yuan(m) => sheet.write_number_with_format(r, c, decimal(&m.yuan_string()), &yuan)?,
                    Cell::Share(v) => sheet.write_number_with_format(r, c, decimal(v), &percent)?,
                };
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_checked() {
        assert_eq!(parse_year(None).unwrap(), None);
        assert_eq!(parse_year(Some(" ")).unwrap(), None);
        assert_eq!(parse_year(Some("2013")).unwrap(), Some(2013));
        for bad in ["abc", "13", "2013.5", "-2013", "99999"] {
            assert_eq!(parse_year(Some(bad)).unwrap_err().code(), ErrorCode::InvalidYear, "{bad}");
        }
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("社工"), "社工");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("说\"好\""), "\"说\"\"好\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)", "a title is never a formula");
        assert_eq!(bp_share(1000), "0.1000");
        assert_eq!(Format::Xlsx.filename(Some(2013), None), "shanzhi-statistics-2013.xlsx");
        assert_eq!(Format::Csv.filename(None, None), "shanzhi-statistics-all.csv");
        assert_eq!(Format::Csv.filename(Some(2013), Some("420506008")), "shanzhi-statistics-2013-420506008.csv");
        assert_eq!(
            Format::Csv.filename(Some(2013), Some("a\"b")),
            "shanzhi-statistics-2013.csv",
            "no quote in a header"
        );
        assert_eq!(Format::parse("pdf"), None);
    }
}
