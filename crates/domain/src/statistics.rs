//! Statistics for supervisors and finance: where each yuan came from and where it went, year by year.
//! Pure: the caller loads projects, budgets, the ledger, organisations, regions and the catalogue.
//!
//! Money figures are on the basis of `by_mode`: contracts signed in the year (every year when none is
//! given), each contract's amount split over its funding lines as the contract committed it. Payments are
//! the ledger's `pay` entries made in the year (China date). Shares are strings with four decimals,
//! computed with integers and rounded half up.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::budget::{split, Budget, FundSource, Movement};
use crate::catalogue::Category;
use crate::clock::china_date;
use crate::money::Money;
use crate::org::{region_within, OrgKind, Organisation, Region, RegionLevel};
use crate::project::{Contract, Project, PurchaseMode, Status, STEPS};
use crate::rules::Rules;

/// One ledger entry as statistics need it: which line, what, how much, and the China date it happened on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerMove {
    pub budget_id: i64,
    pub movement: Movement,
    pub amount: Money,
    pub on: NaiveDate,
    /// The project the money moved for (reservations, commitments, payments, releases).
    pub project_id: Option<i64>,
}

/// Everything the statistics are computed from.
pub struct Input<'a> {
    pub projects: &'a [Project],
    pub budgets: &'a [Budget],
    pub ledger: &'a [LedgerMove],
    pub organisations: &'a [Organisation],
    pub regions: &'a [Region],
    pub catalogue: &'a [Category],
    /// For the welfare-lottery earmark: its share and the social-work category.
    pub rules: &'a Rules,
}

/// Amounts by fund source; serialised as an object with every source's code as a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BySource([Money; 5]);

impl BySource {
    fn index(source: FundSource) -> usize {
        FundSource::ALL.iter().position(|s| *s == source).unwrap_or(FundSource::ALL.len() - 1)
    }
    pub fn get(&self, source: FundSource) -> Money {
        self.0[Self::index(source)]
    }
    pub(crate) fn add(&mut self, source: FundSource, amount: Money) {
        let i = Self::index(source);
        self.0[i] = self.0[i] + amount;
    }
    pub fn total(&self) -> Money {
        self.0.iter().copied().sum()
    }
    /// Each source with its amount, in the order of [`FundSource::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = (FundSource, Money)> + '_ {
        FundSource::ALL.iter().copied().zip(self.0.iter().copied())
    }
    /// Social funds' share of the total.
    pub fn social_funds_share(&self) -> String {
        share(self.get(FundSource::SocialFunds), self.total())
    }
}

impl Serialize for BySource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(FundSource::ALL.len()))?;
        for (source, amount) in self.iter() {
            map.serialize_entry(source.code(), &amount)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ByMode {
    pub post: Money,
    pub project: Money,
}

/// The year's headline figures (the dashboard's cards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    /// Contracts signed.
    pub contracts: u32,
    /// Social-work posts bought by those contracts.
    pub posts: u32,
    pub contracted: Money,
    pub paid: Money,
}

/// One township or street. A project in several townships counts in each, its amount split evenly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TownshipRow {
    pub code: String,
    pub name: String,
    pub urban: bool,
    pub projects: u32,
    pub posts: u32,
    pub contracted: Money,
}

impl TownshipRow {
    /// The township's row before anything is counted in it.
    pub(crate) fn empty(t: &Region) -> TownshipRow {
        TownshipRow {
            code: t.code.clone(),
            name: t.name.clone(),
            urban: t.urban,
            projects: 0,
            posts: 0,
            contracted: Money::ZERO,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AreaRow {
    pub projects: u32,
    pub posts: u32,
    pub contracted: Money,
}

/// Towns against countryside, by the township's own flag; district-wide projects and posts hosted by
/// district-level units apart. The three `contracted` figures add up to the year's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ByArea {
    pub urban: AreaRow,
    pub rural: AreaRow,
    pub district_wide: AreaRow,
}

/// A purchasing department: its contracts of the year and what its budget lines paid in the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentRow {
    pub org_id: i64,
    pub name: String,
    pub projects: u32,
    pub contracted: Money,
    pub paid: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryGroupRow {
    pub code: String,
    pub name: String,
    pub projects: u32,
    pub contracted: Money,
}

/// A head of the guidance catalogue (e.g. `A` 基本公共服务) with its second-level groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryRow {
    pub code: String,
    pub name: String,
    pub projects: u32,
    pub contracted: Money,
    pub groups: Vec<CategoryGroupRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderKindRow {
    pub kind: OrgKind,
    pub name: String,
    pub projects: u32,
    pub contracted: Money,
}

/// One year of the trend, whatever year the statistics are for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendRow {
    pub year: i32,
    pub contracts: u32,
    pub contracted: Money,
    pub social_funds: Money,
    pub social_funds_share: String,
    pub paid: Money,
}

/// Welfare-lottery money committed to a project outside social work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarmarkWarning {
    pub project_id: i64,
    pub code: String,
    pub title: String,
    pub category: String,
    pub purchaser: String,
    pub amount: Money,
}

/// The share of a year's welfare-lottery fund set aside for social work, and what became of it. A
/// commitment counts in the year of the budget line it draws on (a three-year contract in each year's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarmarkRow {
    pub year: i32,
    /// Allocated to the year's own welfare-lottery lines (grants between departments are not counted twice).
    pub allocated: Money,
    pub share_bp: u32,
    /// `allocated × share_bp / 10000`, rounded down to the fen.
    pub earmark: Money,
    /// Lottery money committed to projects in the social-work category.
    pub used: Money,
    /// What of the earmark is not yet used (never below zero).
    pub remaining: Money,
    /// Lottery money committed to projects outside social work: the sum of every warning's amount.
    pub outside_social_work: Money,
    /// One warning per project outside social work: all of them, unless `warnings_total` is given.
    pub warnings: Vec<EarmarkWarning>,
    /// When `warnings` holds only the first page ([`Shown::First`]), how many there are in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings_total: Option<u32>,
}

/// How much of each long list the statistics give — the departments, the townships and each year's
/// welfare-lottery warnings: every item (the report and the downloads), or the first `n` of each with their count
/// (the API and the dashboard: a province has thousands of each, which have paged lists of their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    All,
    First(u32),
}

/// A warning and the year of the budget line it draws on, as the paged list gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearWarning {
    pub year: i32,
    #[serde(flatten)]
    pub warning: EarmarkWarning,
}

/// The statistics of one year (or of all years): one JSON object, the report's and the API's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statistics {
    pub year: Option<i32>,
    /// Projects of the year (by contract, else creation) at each step and end state.
    pub projects_by_step: BTreeMap<&'static str, u32>,
    pub by_mode: ByMode,
    pub by_fund_source: BySource,
    pub paid_by_fund_source: BySource,
    pub social_funds_share: String,
    /// Every township-level region, in code order (the first of them under [`Shown::First`]).
    pub townships: Vec<TownshipRow>,
    /// When `townships` holds only the first, how many there are in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub townships_total: Option<u32>,
    pub totals: Totals,
    pub by_area: ByArea,
    /// Departments with a contract or a payment in the year, largest first (the first of them under
    /// [`Shown::First`]).
    pub by_department: Vec<DepartmentRow>,
    /// When `by_department` holds only the first, how many there are in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departments_total: Option<u32>,
    /// Catalogue heads with contracts in the year, in code order.
    pub by_category: Vec<CategoryRow>,
    /// Every kind of provider, in the order of [`OrgKind::ALL`].
    pub by_provider_kind: Vec<ProviderKindRow>,
    /// Every year with a contract, a budget line or a payment, oldest first.
    pub trend: Vec<TrendRow>,
    pub welfare_lottery_earmark: Vec<EarmarkRow>,
}

/// `part ÷ total` with four decimals, rounded half up, e.g. `"0.1250"`; `"0.0000"` when the total is 0.
pub fn share(part: Money, total: Money) -> String {
    let (p, t) = (i128::from(part.fen().max(0)), i128::from(total.fen()));
    if t <= 0 {
        return "0.0000".into();
    }
    let q = (p * 20_000 + t) / (2 * t);
    format!("{}.{:04}", q / 10_000, q % 10_000)
}

/// The year a project counts in: the year its contract was signed, else the year it was created (China time).
pub fn project_year(p: &Project) -> i32 {
    match &p.contract {
        Some(c) => c.signed_on.year(),
        None => china_date(p.created_at).year(),
    }
}

/// What a contract (with its signed supplementary contracts) committed, by fund source. A contract without a
/// funding plan counts as `other`.
fn committed_by_source(p: &Project, c: &Contract) -> Vec<(FundSource, Money)> {
    if p.funding.is_empty() {
        return vec![(FundSource::Other, c.total())];
    }
    p.committed_lines().into_iter().map(|(l, amount)| (l.source, amount)).collect()
}

fn in_year(year: Option<i32>, y: i32) -> bool {
    year.is_none_or(|want| want == y)
}

fn contracts(projects: &[Project], year: Option<i32>) -> Vec<(&Project, &Contract)> {
    projects
        .iter()
        .filter_map(|p| p.contract.as_ref().map(|c| (p, c)))
        .filter(|(_, c)| in_year(year, c.signed_on.year()))
        .collect()
}

fn committed(projects: &[Project], year: Option<i32>) -> BySource {
    let mut out = BySource::default();
    for (p, c) in contracts(projects, year) {
        for (source, amount) in committed_by_source(p, c) {
            out.add(source, amount);
        }
    }
    out
}

fn payments<'a>(input: &'a Input, year: Option<i32>) -> impl Iterator<Item = (&'a LedgerMove, Option<&'a Budget>)> {
    input
        .ledger
        .iter()
        .filter(move |m| m.movement == Movement::Pay && in_year(year, m.on.year()))
        .map(|m| (m, input.budgets.iter().find(|b| b.id == m.budget_id)))
}

fn paid(input: &Input, year: Option<i32>) -> BySource {
    let mut out = BySource::default();
    for (m, budget) in payments(input, year) {
        out.add(budget.map_or(FundSource::Other, |b| b.source), m.amount);
    }
    out
}

/// The townships (indices into `townships`) that any of `codes` lies in, each once.
fn townships_of<'a>(townships: &[&Region], codes: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
    let mut out = BTreeSet::new();
    for code in codes {
        if let Some(i) = townships.iter().position(|t| region_within(code, &t.code)) {
            out.insert(i);
        }
    }
    out.into_iter().collect()
}

/// A category and its ancestors, the category first; bounded by the catalogue's size against cycles.
fn lineage<'a>(catalogue: &'a [Category], code: &str) -> Vec<&'a Category> {
    let mut chain = Vec::new();
    let mut current = catalogue.iter().find(|c| c.code == code);
    while let Some(c) = current {
        if chain.len() > catalogue.len() {
            break;
        }
        chain.push(c);
        current = c.parent.as_deref().and_then(|p| catalogue.iter().find(|x| x.code == p));
    }
    chain
}

fn by_step(projects: &[Project], year: Option<i32>) -> BTreeMap<&'static str, u32> {
    let mut out = no_steps();
    for p in projects.iter().filter(|p| in_year(year, project_year(p))) {
        if let Some(n) = out.get_mut(step_key(p)) {
            *n += 1;
        }
    }
    out
}

/// Every step and end state at zero.
pub(crate) fn no_steps() -> BTreeMap<&'static str, u32> {
    STEPS.iter().copied().chain(["completed", "cancelled", "terminated"]).map(|k| (k, 0)).collect()
}

/// The key a project counts under in `projects_by_step`: its step, or its end state.
pub(crate) fn step_key(p: &Project) -> &'static str {
    match p.status {
        Status::Completed | Status::Cancelled | Status::Terminated => p.status.code(),
        s => s.step(),
    }
}

/// Where one contract's money and posts fall, with `townships` in code order: each township it lies in (an
/// index) with its part of the amount — split evenly, the odd fen to the first — and each post's count with its
/// host's township (`None` for a district-level host). Posts only for post purchases.
pub(crate) struct Placed {
    pub parts: Vec<(usize, Money)>,
    pub posts: Vec<(Option<usize>, u32)>,
}

pub(crate) fn placed<'a>(
    p: &Project,
    c: &Contract,
    townships: &[&Region],
    host_region: impl Fn(i64) -> Option<&'a str>,
) -> Placed {
    let mine = townships_of(townships, p.design.regions.iter().map(String::as_str));
    let parts = split(c.total(), &vec![Money::from_fen(1); mine.len()]);
    let posts = match p.design.mode {
        PurchaseMode::Post => p
            .design
            .posts
            .iter()
            .map(|post| (townships_of(townships, host_region(post.host_org_id)).first().copied(), post.count))
            .collect(),
        PurchaseMode::Project => Vec::new(),
    };
    Placed { parts: mine.into_iter().zip(parts).collect(), posts }
}

/// A contracted project's welfare-lottery commitments: (the budget line's year, amount), amounts above zero.
pub(crate) fn lottery_commitments(p: &Project) -> Vec<(i32, Money)> {
    if p.contract.is_none() {
        return Vec::new();
    }
    p.committed_lines()
        .into_iter()
        .filter(|(line, amount)| line.source == FundSource::WelfareLottery && amount.fen() > 0)
        .map(|(line, amount)| (line.year, amount))
        .collect()
}

fn townships_and_areas(input: &Input, year: Option<i32>) -> (Vec<TownshipRow>, ByArea) {
    let mut townships: Vec<&Region> = input.regions.iter().filter(|r| r.level == RegionLevel::Township).collect();
    townships.sort_by(|a, b| a.code.cmp(&b.code));
    let mut rows: Vec<TownshipRow> = townships.iter().map(|t| TownshipRow::empty(t)).collect();
    let mut area = ByArea::default();
    let host_region = |id: i64| input.organisations.iter().find(|o| o.id == id).and_then(|o| o.region.as_deref());
    for (p, c) in contracts(input.projects, year) {
        let placed = placed(p, c, &townships, host_region);
        if placed.parts.is_empty() {
            area.district_wide.projects += 1;
            area.district_wide.contracted = area.district_wide.contracted + c.total();
        }
        let (mut urban, mut rural) = (false, false);
        for (i, part) in placed.parts {
            rows[i].projects += 1;
            rows[i].contracted = rows[i].contracted + part;
            let a = if rows[i].urban { &mut area.urban } else { &mut area.rural };
            a.contracted = a.contracted + part;
            urban |= rows[i].urban;
            rural |= !rows[i].urban;
        }
        area.urban.projects += u32::from(urban);
        area.rural.projects += u32::from(rural);
        for (township, count) in placed.posts {
            match township {
                Some(i) => {
                    rows[i].posts += count;
                    if rows[i].urban { &mut area.urban } else { &mut area.rural }.posts += count;
                }
                None => area.district_wide.posts += count,
            }
        }
    }
    (rows, area)
}

fn org_name(input: &Input, id: i64) -> Option<String> {
    input.organisations.iter().find(|o| o.id == id).map(|o| o.name.clone())
}

fn by_department(input: &Input, year: Option<i32>) -> Vec<DepartmentRow> {
    let mut rows: BTreeMap<i64, DepartmentRow> = BTreeMap::new();
    fn row<'r>(
        rows: &'r mut BTreeMap<i64, DepartmentRow>,
        input: &Input,
        id: i64,
        fallback: &str,
    ) -> &'r mut DepartmentRow {
        rows.entry(id).or_insert_with(|| DepartmentRow {
            org_id: id,
            name: org_name(input, id).unwrap_or_else(|| fallback.to_string()),
            projects: 0,
            contracted: Money::ZERO,
            paid: Money::ZERO,
        })
    }
    for (p, c) in contracts(input.projects, year) {
        let r = row(&mut rows, input, p.purchaser_org_id, &p.purchaser_name);
        r.projects += 1;
        r.contracted = r.contracted + c.total();
    }
    for (m, budget) in payments(input, year) {
        if let Some(b) = budget {
            let r = row(&mut rows, input, b.org_id, "");
            r.paid = r.paid + m.amount;
        }
    }
    largest_first(rows)
}

/// Departments largest first: by contracted, then paid, then id.
pub(crate) fn largest_first(rows: BTreeMap<i64, DepartmentRow>) -> Vec<DepartmentRow> {
    let mut out: Vec<DepartmentRow> = rows.into_values().collect();
    out.sort_by(|a, b| b.contracted.cmp(&a.contracted).then(b.paid.cmp(&a.paid)).then(a.org_id.cmp(&b.org_id)));
    out
}

fn by_category(input: &Input, year: Option<i32>) -> Vec<CategoryRow> {
    let contracted =
        contracts(input.projects, year).into_iter().map(|(p, c)| (p.design.category.as_str(), 1, c.total()));
    categorise(input.catalogue, contracted)
}

/// Catalogue heads with their second-level groups, from (category, projects, amount) items.
pub(crate) fn categorise<'a>(
    catalogue: &[Category],
    items: impl IntoIterator<Item = (&'a str, u32, Money)>,
) -> Vec<CategoryRow> {
    let mut heads: BTreeMap<String, CategoryRow> = BTreeMap::new();
    for (category, projects, amount) in items {
        let chain = lineage(catalogue, category);
        let (head_code, head_name) = match chain.last() {
            Some(h) => (h.code.clone(), h.name.clone()),
            None => (category.to_string(), category.to_string()),
        };
        let head = heads.entry(head_code.clone()).or_insert_with(|| CategoryRow {
            code: head_code,
            name: head_name,
            projects: 0,
            contracted: Money::ZERO,
            groups: Vec::new(),
        });
        head.projects += projects;
        head.contracted = head.contracted + amount;
        if chain.len() >= 2 {
            let g = chain[chain.len() - 2];
            let pos = match head.groups.iter().position(|x| x.code == g.code) {
                Some(pos) => pos,
                None => {
                    head.groups.push(CategoryGroupRow {
                        code: g.code.clone(),
                        name: g.name.clone(),
                        projects: 0,
                        contracted: Money::ZERO,
                    });
                    head.groups.len() - 1
                }
            };
            head.groups[pos].projects += projects;
            head.groups[pos].contracted = head.groups[pos].contracted + amount;
        }
    }
    let mut out: Vec<CategoryRow> = heads.into_values().collect();
    for h in &mut out {
        h.groups.sort_by(|a, b| a.code.cmp(&b.code));
    }
    out
}

fn by_provider_kind(input: &Input, year: Option<i32>) -> Vec<ProviderKindRow> {
    provider_kinds(contracts(input.projects, year).into_iter().map(|(_, c)| (c.provider.kind, 1, c.total())))
}

/// Every kind of provider with the (kind, projects, amount) items of its kind.
pub(crate) fn provider_kinds(items: impl IntoIterator<Item = (OrgKind, u32, Money)>) -> Vec<ProviderKindRow> {
    let mut out: Vec<ProviderKindRow> = OrgKind::ALL
        .iter()
        .filter(|k| k.is_provider_kind())
        .map(|k| ProviderKindRow { kind: *k, name: k.label_zh().into(), projects: 0, contracted: Money::ZERO })
        .collect();
    for (kind, projects, amount) in items {
        if let Some(r) = out.iter_mut().find(|r| r.kind == kind) {
            r.projects += projects;
            r.contracted = r.contracted + amount;
        }
    }
    out
}

/// The first and last year the data speaks of: projects (by the year they count in), budget lines and ledger
/// entries; `None` for an empty store.
pub fn data_years(input: &Input) -> Option<(i32, i32)> {
    let years = input
        .projects
        .iter()
        .map(project_year)
        .chain(input.budgets.iter().map(|b| b.year))
        .chain(input.ledger.iter().map(|m| m.on.year()));
    years.fold(None, |range, y| match range {
        None => Some((y, y)),
        Some((first, last)) => Some((first.min(y), last.max(y))),
    })
}

fn trend(input: &Input) -> Vec<TrendRow> {
    let mut years: BTreeSet<i32> = input.budgets.iter().map(|b| b.year).collect();
    years.extend(input.projects.iter().filter_map(|p| p.contract.as_ref()).map(|c| c.signed_on.year()));
    years.extend(input.ledger.iter().filter(|m| m.movement == Movement::Pay).map(|m| m.on.year()));
    years
        .into_iter()
        .map(|y| {
            let money = committed(input.projects, Some(y));
            trend_row(y, contracts(input.projects, Some(y)).len() as u32, money, paid(input, Some(y)).total())
        })
        .collect()
}

pub(crate) fn trend_row(year: i32, contracts: u32, money: BySource, paid: Money) -> TrendRow {
    TrendRow {
        year,
        contracts,
        contracted: money.total(),
        social_funds: money.get(FundSource::SocialFunds),
        social_funds_share: money.social_funds_share(),
        paid,
    }
}

fn earmark(input: &Input, year: Option<i32>) -> Vec<EarmarkRow> {
    let rules = input.rules;
    let lottery_lines: Vec<&Budget> =
        input.budgets.iter().filter(|b| b.source == FundSource::WelfareLottery && b.granted_from.is_none()).collect();
    // Lottery commitments by budget year: (year, project, amount).
    let commitments: Vec<(i32, &Project, Money)> = input
        .projects
        .iter()
        .flat_map(|p| lottery_commitments(p).into_iter().map(move |(y, amount)| (y, p, amount)))
        .collect();
    let years: BTreeSet<i32> = match year {
        Some(y) => [y].into(),
        None => lottery_lines.iter().map(|b| b.year).chain(commitments.iter().map(|c| c.0)).collect(),
    };
    years
        .into_iter()
        .map(|y| {
            let allocated: Money = input
                .ledger
                .iter()
                .filter(|m| m.movement == Movement::Allocate)
                .filter(|m| lottery_lines.iter().any(|b| b.id == m.budget_id && b.year == y))
                .map(|m| m.amount)
                .sum();
            let mut used = Money::ZERO;
            let mut warnings: Vec<EarmarkWarning> = Vec::new();
            for (_, p, amount) in commitments.iter().filter(|c| c.0 == y) {
                if rules.is_social_work(&p.design.category) {
                    used = used + *amount;
                } else if let Some(w) = warnings.iter_mut().find(|w| w.project_id == p.id) {
                    w.amount = w.amount + *amount;
                } else {
                    warnings.push(EarmarkWarning {
                        project_id: p.id,
                        code: p.code.clone(),
                        title: p.design.title.clone(),
                        category: p.design.category.clone(),
                        purchaser: org_name(input, p.purchaser_org_id).unwrap_or_else(|| p.purchaser_name.clone()),
                        amount: *amount,
                    });
                }
            }
            let outside = warnings.iter().map(|w| w.amount).sum();
            earmark_row(rules, y, (allocated, used, outside), warnings, None)
        })
        .collect()
}

/// One year's earmark from what was allocated to original lottery lines and what was committed in and outside
/// social work, with the warnings listed (all of them, or the first of `total`).
pub(crate) fn earmark_row(
    rules: &Rules,
    year: i32,
    (allocated, used, outside): (Money, Money, Money),
    warnings: Vec<EarmarkWarning>,
    total: Option<u32>,
) -> EarmarkRow {
    let earmark = allocated.share_bp(rules.welfare_lottery_social_work_bp);
    EarmarkRow {
        year,
        allocated,
        share_bp: rules.welfare_lottery_social_work_bp,
        earmark,
        used,
        remaining: if used < earmark { earmark - used } else { Money::ZERO },
        outside_social_work: outside,
        warnings,
        warnings_total: total,
    }
}

/// The statistics of `year`, or of all years when `None`.
pub fn summary(input: &Input, year: Option<i32>) -> Statistics {
    let year_contracts = contracts(input.projects, year);
    let mode_total = |mode: PurchaseMode| -> Money {
        year_contracts.iter().filter(|(p, _)| p.design.mode == mode).map(|(_, c)| c.total()).sum()
    };
    let by_fund_source = committed(input.projects, year);
    let paid_by_fund_source = paid(input, year);
    let (townships, by_area) = townships_and_areas(input, year);
    let posts: u32 = year_contracts
        .iter()
        .filter(|(p, _)| p.design.mode == PurchaseMode::Post)
        .flat_map(|(p, _)| &p.design.posts)
        .map(|post| post.count)
        .sum();
    Statistics {
        year,
        projects_by_step: by_step(input.projects, year),
        by_mode: ByMode { post: mode_total(PurchaseMode::Post), project: mode_total(PurchaseMode::Project) },
        social_funds_share: by_fund_source.social_funds_share(),
        totals: Totals {
            contracts: year_contracts.len() as u32,
            posts,
            contracted: by_fund_source.total(),
            paid: paid_by_fund_source.total(),
        },
        by_fund_source,
        paid_by_fund_source,
        townships,
        townships_total: None,
        by_area,
        by_department: by_department(input, year),
        departments_total: None,
        by_category: by_category(input, year),
        by_provider_kind: by_provider_kind(input, year),
        trend: trend(input),
        welfare_lottery_earmark: earmark(input, year),
    }
}

mod scope;

#[cfg(test)]
mod tests;

pub use scope::summary_within;
pub mod sums;
