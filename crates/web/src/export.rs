//! Statistics out of the platform (loaded by `shanzhi_app::statistics`): the year parameter, and the exports — every table in one CSV file (UTF-8 with a byte-order
//! mark, so Excel reads the Chinese) or one XLSX worksheet per table.

use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};
use shanzhi_domain::budget::FundSource;
use shanzhi_domain::project::{PurchaseMode, STEPS};
use shanzhi_domain::statistics::{self, Statistics};
use shanzhi_domain::{ErrorCode, Money};

use crate::error::AppError;

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
    pub fn write(self, s: &Statistics) -> Result<Vec<u8>, String> {
        match self {
            Format::Csv => Ok(csv(s)),
            Format::Xlsx => xlsx(s).map_err(|e| e.to_string()),
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

/// A titled table with Chinese column headers; amounts' headers say 元.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn n(v: u32) -> Cell {
    Cell::Number(i64::from(v))
}

/// The Chinese name of a step or end state as `projects_by_step` counts it.
pub fn step_zh(code: &str) -> &'static str {
    match code {
        "design" => "设计项目",
        "cost_estimate" => "测算费用",
        "review" => "审核项目",
        "procurement" => "组织购买",
        "contract" => "签订合同",
        "acceptance" => "验收项目",
        other => shanzhi_domain::project::status_label_zh(other),
    }
}

/// The steps and end states in the order people read them.
pub fn step_order() -> impl Iterator<Item = &'static str> {
    STEPS.iter().copied().chain(["completed", "cancelled", "terminated"])
}

/// Every table of the statistics, in the order of the dashboard.
pub fn tables(s: &Statistics) -> Vec<Table> {
    let year = s.year.map_or(text("全部年度"), |y| Cell::Number(i64::from(y)));
    let yuan = Cell::Yuan;
    let mut out = vec![Table {
        title: "概况",
        headers: vec!["年度", "签订合同数", "购买岗位数", "合同金额（元）", "已支付金额（元）", "社会资金占比"],
        rows: vec![vec![
            year,
            n(s.totals.contracts),
            n(s.totals.posts),
            yuan(s.totals.contracted),
            yuan(s.totals.paid),
            Cell::Share(s.social_funds_share.clone()),
        ]],
    }];
    out.push(Table {
        title: "各环节项目数",
        headers: vec!["环节", "项目数"],
        rows: step_order()
            .map(|k| vec![text(step_zh(k)), n(s.projects_by_step.get(k).copied().unwrap_or(0))])
            .collect(),
    });
    out.push(Table {
        title: "按购买方式",
        headers: vec!["购买方式", "合同金额（元）"],
        rows: vec![
            vec![text(PurchaseMode::Post.label_zh()), yuan(s.by_mode.post)],
            vec![text(PurchaseMode::Project.label_zh()), yuan(s.by_mode.project)],
        ],
    });
    let mut sources: Vec<Vec<Cell>> = FundSource::ALL
        .iter()
        .map(|f| {
            let (c, p) = (s.by_fund_source.get(*f), s.paid_by_fund_source.get(*f));
            vec![text(f.label_zh()), yuan(c), Cell::Share(statistics::share(c, s.by_fund_source.total())), yuan(p)]
        })
        .collect();
    sources.push(vec![
        text("合计"),
        yuan(s.by_fund_source.total()),
        Cell::Share(statistics::share(s.by_fund_source.total(), s.by_fund_source.total())),
        yuan(s.paid_by_fund_source.total()),
    ]);
    out.push(Table {
        title: "按资金来源",
        headers: vec!["资金来源", "合同金额（元）", "占比", "已支付金额（元）"],
        rows: sources,
    });
    out.push(Table {
        title: "乡镇（街道）",
        headers: vec!["区划代码", "乡镇（街道）", "城乡", "项目数", "岗位数", "合同金额（元）"],
        rows: s
            .townships
            .iter()
            .map(|t| {
                vec![
                    text(&t.code),
                    text(&t.name),
                    text(if t.urban { "城镇" } else { "农村" }),
                    n(t.projects),
                    n(t.posts),
                    yuan(t.contracted),
                ]
            })
            .collect(),
    });
    let area = |label: &str, a: &statistics::AreaRow| vec![text(label), n(a.projects), n(a.posts), yuan(a.contracted)];
    out.push(Table {
        title: "城乡分布",
        headers: vec!["区域", "项目数", "岗位数", "合同金额（元）"],
        rows: vec![
            area("城镇", &s.by_area.urban),
            area("农村", &s.by_area.rural),
            area("全区性", &s.by_area.district_wide),
        ],
    });
    out.push(Table {
        title: "按购买主体",
        headers: vec!["购买主体", "项目数", "合同金额（元）", "已支付金额（元）"],
        rows: s
            .by_department
            .iter()
            .map(|d| vec![text(&d.name), n(d.projects), yuan(d.contracted), yuan(d.paid)])
            .collect(),
    });
    let mut categories = Vec::new();
    for h in &s.by_category {
        categories.push(vec![text(&h.code), text(&h.name), text("一级"), n(h.projects), yuan(h.contracted)]);
        for g in &h.groups {
            categories.push(vec![text(&g.code), text(&g.name), text("二级"), n(g.projects), yuan(g.contracted)]);
        }
    }
    out.push(Table {
        title: "按服务类别",
        headers: vec!["类别代码", "类别名称", "层级", "项目数", "合同金额（元）"],
        rows: categories,
    });
    out.push(Table {
        title: "按承接主体类型",
        headers: vec!["承接主体类型", "项目数", "合同金额（元）"],
        rows: s.by_provider_kind.iter().map(|k| vec![text(&k.name), n(k.projects), yuan(k.contracted)]).collect(),
    });
    out.push(Table {
        title: "年度趋势",
        headers: vec!["年度", "签订合同数", "合同金额（元）", "社会资金（元）", "社会资金占比", "已支付金额（元）"],
        rows: s
            .trend
            .iter()
            .map(|t| {
                vec![
                    Cell::Number(i64::from(t.year)),
                    n(t.contracts),
                    yuan(t.contracted),
                    yuan(t.social_funds),
                    Cell::Share(t.social_funds_share.clone()),
                    yuan(t.paid),
                ]
            })
            .collect(),
    });
    out.push(Table {
        title: "福彩公益金社工专项",
        headers: vec![
            "年度",
            "福彩公益金下达（元）",
            "提取比例",
            "社工专项（元）",
            "已用于社会工作（元）",
            "尚未使用（元）",
            "用于社会工作以外（元）",
        ],
        rows: s
            .welfare_lottery_earmark
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
    });
    out.push(Table {
        title: "福彩公益金使用预警",
        headers: vec!["年度", "项目编号", "项目名称", "服务类别", "购买主体", "福彩公益金（元）"],
        rows: s
            .welfare_lottery_earmark
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
pub fn csv(s: &Statistics) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for (i, t) in tables(s).iter().enumerate() {
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
pub fn xlsx(s: &Statistics) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = CellFormat::new().set_bold().set_text_wrap();
    let yuan = CellFormat::new().set_num_format("#,##0.00");
    let percent = CellFormat::new().set_num_format("0.00%");
    for t in tables(s) {
        let sheet = book.add_worksheet();
        sheet.set_name(t.title)?;
        for (c, h) in t.headers.iter().enumerate() {
            let col = c as u16;
            sheet.write_string_with_format(0, col, *h, &header)?;
            sheet.set_column_width(col, if h.contains("名称") || *h == "购买主体" { 36 } else { 16 })?;
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
