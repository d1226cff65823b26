//! The statistics from sums, so a store answers them without reading every record: each project's
//! [`contribution`] is a few rows the store keeps beside the project (rewritten in the same transaction as it), the
//! store sums them (and the ledger's) with SQL for the reader's year and region, and [`fold`] turns the sums into
//! exactly the [`Statistics`] that [`super::summary`] computes from every record.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;

use super::{
    categorise, committed_by_source, earmark_row, in_year, lottery_commitments, no_steps, placed, project_year,
    provider_kinds, step_key, trend_row, AreaRow, ByArea, ByMode, BySource, DepartmentRow, EarmarkWarning, Statistics,
    Totals, TownshipRow,
};
use crate::budget::{FundSource, Movement};
use crate::catalogue::Category;
use crate::money::Money;
use crate::org::{OrgKind, Region, RegionLevel};
use crate::project::{Project, PurchaseMode};
use crate::rules::Rules;

/// What a contribution row counts, and so what its key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Every project, in the year it counts in; key: its step or end state.
    Step,
    /// A contract, in the year signed; key: the purchase mode; with its posts and amount.
    Contract,
    /// A contract's commitment from one fund source; key: the source.
    Source,
    /// Key: the purchasing department's id.
    Department,
    /// Key: the catalogue category.
    Category,
    /// Key: the provider's kind.
    Provider,
    /// A township's part of a contract, or posts hosted there; key: the township's code.
    Township,
    /// Key: `urban`, `rural` or `district_wide` (see [`ByArea`]).
    Area,
    /// Welfare-lottery money committed, in the budget line's year; key: the project's category.
    Lottery,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Step,
        Kind::Contract,
        Kind::Source,
        Kind::Department,
        Kind::Category,
        Kind::Provider,
        Kind::Township,
        Kind::Area,
        Kind::Lottery,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Kind::Step => "step",
            Kind::Contract => "contract",
            Kind::Source => "source",
            Kind::Department => "department",
            Kind::Category => "category",
            Kind::Provider => "provider",
            Kind::Township => "township",
            Kind::Area => "area",
            Kind::Lottery => "lottery",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// One row of a project's contribution, or the sum of such rows with the same kind, year and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub kind: Kind,
    pub year: i32,
    pub key: String,
    pub projects: i64,
    pub posts: i64,
    pub amount: Money,
}

/// The rows one project adds to the statistics, one per kind, year and key. `townships` holds at least the
/// township-level regions that the project's regions and its posts' hosts lie in (other levels are ignored);
/// `seats` the seats of its posts' hosts.
pub fn contribution(p: &Project, townships: &[Region], seats: &BTreeMap<i64, String>) -> Vec<Row> {
    let mut rows: BTreeMap<(Kind, i32, String), (i64, i64, Money)> = BTreeMap::new();
    let mut add = |kind: Kind, year: i32, key: &str, projects: i64, posts: i64, amount: Money| {
        let r = rows.entry((kind, year, key.to_string())).or_insert((0, 0, Money::ZERO));
        *r = (r.0 + projects, r.1 + posts, r.2 + amount);
    };
    add(Kind::Step, project_year(p), step_key(p), 1, 0, Money::ZERO);
    // A lottery row counts its project once, however many of the year's lines pay it: the year's warnings (one
    // per project and line year) are then counted from the totals rather than row by row.
    let mut lottery: BTreeMap<i32, Money> = BTreeMap::new();
    for (year, amount) in lottery_commitments(p) {
        let sum = lottery.entry(year).or_insert(Money::ZERO);
        *sum = *sum + amount;
    }
    for (year, amount) in lottery {
        add(Kind::Lottery, year, &p.design.category, 1, 0, amount);
    }
    if let Some(c) = &p.contract {
        let (year, total) = (c.signed_on.year(), c.total());
        let posts = match p.design.mode {
            PurchaseMode::Post => p.design.posts.iter().map(|post| i64::from(post.count)).sum(),
            PurchaseMode::Project => 0,
        };
        add(Kind::Contract, year, p.design.mode.code(), 1, posts, total);
        for (source, amount) in committed_by_source(p, c) {
            add(Kind::Source, year, source.code(), 0, 0, amount);
        }
        add(Kind::Department, year, &p.purchaser_org_id.to_string(), 1, 0, total);
        add(Kind::Category, year, &p.design.category, 1, 0, total);
        add(Kind::Provider, year, c.provider.kind.code(), 1, 0, total);
        let mut ts: Vec<&Region> = townships.iter().filter(|r| r.level == RegionLevel::Township).collect();
        ts.sort_by(|a, b| a.code.cmp(&b.code));
        ts.dedup_by(|a, b| a.code == b.code);
        let placed = placed(p, c, &ts, |id| seats.get(&id).map(String::as_str));
        if placed.parts.is_empty() {
            add(Kind::Area, year, DISTRICT_WIDE, 1, 0, total);
        }
        let (mut urban, mut rural) = (false, false);
        for (i, part) in placed.parts {
            add(Kind::Township, year, &ts[i].code, 1, 0, part);
            add(Kind::Area, year, area_key(ts[i].urban), 0, 0, part);
            urban |= ts[i].urban;
            rural |= !ts[i].urban;
        }
        for (flag, is) in [(true, urban), (false, rural)] {
            if is {
                add(Kind::Area, year, area_key(flag), 1, 0, Money::ZERO);
            }
        }
        for (township, count) in placed.posts {
            match township {
                Some(i) => {
                    add(Kind::Township, year, &ts[i].code, 0, i64::from(count), Money::ZERO);
                    add(Kind::Area, year, area_key(ts[i].urban), 0, i64::from(count), Money::ZERO);
                }
                None => add(Kind::Area, year, DISTRICT_WIDE, 0, i64::from(count), Money::ZERO),
            }
        }
    }
    rows.into_iter()
        .map(|((kind, year, key), (projects, posts, amount))| Row { kind, year, key, projects, posts, amount })
        .collect()
}

/// Whether `a` and `b` add the same rows whatever the places: the places only split what the rows without
/// places hold (amounts, counts) by the projects' regions and their posts' hosts, so equal rows without places,
/// equal regions and equal posts give equal rows. A save that changes none of them (a milestone's acceptance
/// and payment) leaves its project's rows as they are.
pub fn same_contribution(a: &Project, b: &Project) -> bool {
    let unplaced = |p: &Project| contribution(p, &[], &BTreeMap::new());
    a.design.regions == b.design.regions && a.design.posts == b.design.posts && unplaced(a) == unplaced(b)
}

const DISTRICT_WIDE: &str = "district_wide";

fn area_key(urban: bool) -> &'static str {
    if urban {
        "urban"
    } else {
        "rural"
    }
}

/// The budget line a ledger sum was moved on, as the statistics need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Line {
    pub year: i32,
    pub source: FundSource,
    pub org_id: i64,
    /// Granted from another line (its allocation is not counted twice).
    pub granted: bool,
}

/// The ledger's payments and allocations summed by movement, the entry's year (China date) and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerSum {
    pub movement: Movement,
    pub year: i32,
    pub line: Line,
    pub amount: Money,
}

/// Everything [`fold`] needs from the store, for one reader's part of the data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sums {
    /// The contribution rows of the projects in the part, summed by kind, year and key: every year's for
    /// `Contract` and `Source` (the trend), at least the asked year's for the rest.
    pub rows: Vec<Row>,
    /// The ledger entries in the part (`pay` and `allocate` suffice), summed.
    pub ledger: Vec<LedgerSum>,
    /// The years of the budget lines in the part, and of those that are original welfare-lottery lines.
    pub line_years: BTreeSet<i32>,
    pub lottery_line_years: BTreeSet<i32>,
    /// Lottery money committed outside social work (the categories [`outside_social_work`] names), by the line's
    /// year, one warning per project and year: every one in project order, or the first page newest first when
    /// `warnings_total` is given.
    pub warnings: Vec<(i32, EarmarkWarning)>,
    /// How many warnings each year has in all, when `warnings` holds only the first page.
    pub warnings_total: Option<BTreeMap<i32, u32>>,
    /// The part's departments with their figures of the year, largest first, and its townships (with the one a
    /// village lies in) in code order: lists that grow with the province, so the store sums, orders and cuts them
    /// in SQL ([`super::Shown`]).
    pub departments: Cut<DepartmentRow>,
    pub townships: Cut<TownshipRow>,
}

/// A long list as the store gives it: every item, or the first with how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut<T> {
    pub items: Vec<T>,
    pub total: Option<u32>,
}

impl<T> Default for Cut<T> {
    fn default() -> Self {
        Cut { items: Vec::new(), total: None }
    }
}

/// The categories of lottery commitments in `rows` that are not social work: the store lists their projects.
pub fn outside_social_work(rows: &[Row], rules: &Rules) -> BTreeSet<String> {
    rows.iter().filter(|r| r.kind == Kind::Lottery && !rules.is_social_work(&r.key)).map(|r| r.key.clone()).collect()
}

/// What the fold looks up: the catalogue and the rules.
pub struct Lookups<'a> {
    pub catalogue: &'a [Category],
    pub rules: &'a Rules,
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// The statistics of `year` (all years when `None`) from the sums of the part within `root` (everything when
/// `None`): equal to [`super::summary`] and [`super::summary_within`] on the records summed.
pub fn fold(sums: &Sums, look: &Lookups, year: Option<i32>) -> Statistics {
    let of = |kind: Kind| sums.rows.iter().filter(move |r| r.kind == kind);
    let this_year = |kind: Kind| of(kind).filter(move |r| in_year(year, r.year));
    let paid_in = |y: Option<i32>| {
        let mut out = BySource::default();
        for l in sums.ledger.iter().filter(|l| l.movement == Movement::Pay && in_year(y, l.year)) {
            out.add(l.line.source, l.amount);
        }
        out
    };
    let committed_in = |y: Option<i32>| {
        let mut out = BySource::default();
        for r in of(Kind::Source).filter(|r| in_year(y, r.year)) {
            out.add(FundSource::parse(&r.key).unwrap_or(FundSource::Other), r.amount);
        }
        out
    };

    let mut projects_by_step = no_steps();
    for r in this_year(Kind::Step) {
        if let Some(n) = projects_by_step.get_mut(r.key.as_str()) {
            *n += count(r.projects);
        }
    }
    let (mut by_mode, mut contracts, mut posts) = (ByMode::default(), 0, 0);
    for r in this_year(Kind::Contract) {
        match PurchaseMode::parse(&r.key) {
            Some(PurchaseMode::Post) => by_mode.post = by_mode.post + r.amount,
            Some(PurchaseMode::Project) => by_mode.project = by_mode.project + r.amount,
            None => {}
        }
        contracts += count(r.projects);
        posts += count(r.posts);
    }
    let by_fund_source = committed_in(year);
    let paid_by_fund_source = paid_in(year);

    let mut by_area = ByArea::default();
    for r in this_year(Kind::Area) {
        let a: &mut AreaRow = match r.key.as_str() {
            "urban" => &mut by_area.urban,
            "rural" => &mut by_area.rural,
            _ => &mut by_area.district_wide,
        };
        a.projects += count(r.projects);
        a.posts += count(r.posts);
        a.contracted = a.contracted + r.amount;
    }

    let mut trend_years: BTreeSet<i32> = sums.line_years.clone();
    trend_years.extend(of(Kind::Contract).map(|r| r.year));
    trend_years.extend(sums.ledger.iter().filter(|l| l.movement == Movement::Pay).map(|l| l.year));
    let trend = trend_years
        .into_iter()
        .map(|y| {
            let contracts = of(Kind::Contract).filter(|r| r.year == y).map(|r| count(r.projects)).sum();
            trend_row(y, contracts, committed_in(Some(y)), paid_in(Some(y)).total())
        })
        .collect();

    let earmark_years: BTreeSet<i32> = match year {
        Some(y) => [y].into(),
        None => sums.lottery_line_years.iter().copied().chain(of(Kind::Lottery).map(|r| r.year)).collect(),
    };
    let welfare_lottery_earmark = earmark_years
        .into_iter()
        .map(|y| {
            let allocated = sums
                .ledger
                .iter()
                .filter(|l| l.movement == Movement::Allocate && l.line.year == y)
                .filter(|l| l.line.source == FundSource::WelfareLottery && !l.line.granted)
                .map(|l| l.amount)
                .sum();
            let (used, outside) =
                of(Kind::Lottery).filter(|r| r.year == y).fold((Money::ZERO, Money::ZERO), |(u, o), r| {
                    if look.rules.is_social_work(&r.key) {
                        (u + r.amount, o)
                    } else {
                        (u, o + r.amount)
                    }
                });
            let warnings = sums.warnings.iter().filter(|(wy, _)| *wy == y).map(|(_, w)| w.clone()).collect();
            let total = sums.warnings_total.as_ref().map(|t| t.get(&y).copied().unwrap_or(0));
            earmark_row(look.rules, y, (allocated, used, outside), warnings, total)
        })
        .collect();

    Statistics {
        year,
        projects_by_step,
        by_mode,
        social_funds_share: by_fund_source.social_funds_share(),
        totals: Totals { contracts, posts, contracted: by_fund_source.total(), paid: paid_by_fund_source.total() },
        by_fund_source,
        paid_by_fund_source,
        townships: sums.townships.items.clone(),
        townships_total: sums.townships.total,
        by_area,
        by_department: sums.departments.items.clone(),
        departments_total: sums.departments.total,
        by_category: categorise(
            look.catalogue,
            this_year(Kind::Category).map(|r| (r.key.as_str(), count(r.projects), r.amount)),
        ),
        by_provider_kind: provider_kinds(
            this_year(Kind::Provider).filter_map(|r| OrgKind::parse(&r.key).map(|k| (k, count(r.projects), r.amount))),
        ),
        trend,
        welfare_lottery_earmark,
    }
}
