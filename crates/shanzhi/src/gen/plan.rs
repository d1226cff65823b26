//! What each generated project will be: one of the demo's projects as a template, moved to a county of the
//! province, a year and a step it stops at, with dates that the scenario can play without anything falling
//! after today. Only choices are made here; the scenario makes every decision through the domain.

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::Rng;
use shanzhi_domain::budget::FundSource;
use shanzhi_domain::org::OrgKind;
use shanzhi_domain::{Money, Quantity};
use std::collections::BTreeMap;

use super::province::{Allocation, County, Province};
use crate::demo::{SeedFunding, SeedPost, SeedProject, SeedReport};

/// Where projects stop, with their weight in a hundred: `true` for projects of past years.
const MIX: [(&str, bool, u32); 14] = [
    ("completed", true, 52),
    ("cancelled", true, 3),
    ("design", false, 3),
    ("cost_estimate", false, 3),
    ("review_content", false, 3),
    ("review_finance", false, 3),
    ("returned", false, 2),
    ("procurement", false, 2),
    ("bidding", false, 11),
    ("cancelled", false, 1),
    ("contract", false, 3),
    ("acceptance", false, 11),
    ("terminated", false, 1),
    ("completed", false, 2),
];
/// Past years with projects (budgets cover these and the current year).
pub(crate) const PAST_YEARS: i32 = 4;
/// How long ago a project at the bidding step was designed. Its steps spread over that time, so its tender starts
/// 40–44 days ago: the purchase intention (30 days, its end moved past up to nine days of holidays) is over and
/// announced by yesterday, and the bid deadline (20 days after the announcement) is still to come.
pub(crate) const BIDDING_DAYS_AGO: std::ops::RangeInclusive<i64> = 82..=88;
/// Share of the current year's projects, in percent (the rest spread evenly over past years).
const CURRENT_PERCENT: u32 = 45;
/// Of past projects, the share tendered, in percent: the rest are bought directly below the limit.
const TENDERED_PERCENT: u32 = 10;
/// No project costs more than this (a scaled-up tender or the demo's largest post purchase).
const LARGEST: Money = Money::from_fen(250_000_000);
/// Fund sources as shares of a project's total in basis points, where the template and department use them;
/// the general budget pays the rest.
const SHARES: [(FundSource, u32); 3] =
    [(FundSource::SocialFunds, 1000), (FundSource::WelfareLottery, 4000), (FundSource::EmploymentFund, 4000)];

/// The fund sources a department's budget has besides the general budget.
pub(crate) fn sources(kind: OrgKind) -> Vec<FundSource> {
    let mut out = vec![FundSource::GeneralBudget, FundSource::SocialFunds];
    match kind {
        OrgKind::CivilAffairs => out.extend([FundSource::WelfareLottery, FundSource::EmploymentFund]),
        OrgKind::HumanResources => out.push(FundSource::EmploymentFund),
        OrgKind::DisabledPersonsFederation | OrgKind::TownshipGovernment => out.push(FundSource::WelfareLottery),
        _ => {}
    }
    out
}

pub(crate) struct Planner<'a> {
    province: &'a Province,
    /// Templates usable in a year's budget (a term of at most twelve months), with their totals.
    templates: Vec<(OrgKind, &'a SeedProject, Money)>,
    today: NaiveDate,
    limit: Money,
}

impl<'a> Planner<'a> {
    pub fn new(
        province: &'a Province,
        templates: &'a [(OrgKind, SeedProject)],
        today: NaiveDate,
        limit: Money,
    ) -> Self {
        let templates = templates
            .iter()
            .filter(|(_, t)| t.months <= 12 && !t.cost_lines.is_empty() && !t.milestones.is_empty())
            .filter_map(|(k, t)| Some((*k, t, total(t, 100)?)))
            .collect();
        Planner { province, templates, today, limit }
    }

    /// Budget lines for `projects` more projects: each department's expected share of them in each year, with
    /// room for chance (four standard deviations), at the largest a project may cost.
    pub fn allocations(&self, projects: u64) -> Vec<Allocation> {
        let per_county = projects as f64 / self.province.counties.len().max(1) as f64;
        let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, _, _) in &self.templates {
            *by_kind.entry(k.code()).or_default() += 1;
        }
        let this_year = self.today.year();
        let mut out = Vec::new();
        for c in &self.province.counties {
            let purchasers = c.purchasers();
            for (key, kind) in &purchasers {
                let same = purchasers.iter().filter(|(_, k)| k == kind).count().max(1);
                let share = *by_kind.get(kind.code()).unwrap_or(&0) as f64 / self.templates.len().max(1) as f64;
                for year in this_year - PAST_YEARS..=this_year {
                    let in_year = if year == this_year {
                        f64::from(CURRENT_PERCENT) / 100.0
                    } else {
                        f64::from(100 - CURRENT_PERCENT) / 100.0 / f64::from(PAST_YEARS)
                    };
                    let expected = per_county * share / same as f64 * in_year;
                    // Counting, not money: the bound is turned into whole projects before it meets fen.
                    let room = (expected + 4.0 * expected.sqrt() + 3.0).ceil() as i64;
                    for source in sources(*kind) {
                        let amount = Money::from_fen(LARGEST.fen() * room);
                        out.push(Allocation { org_key: key.clone(), county: c.index, year, source, amount });
                    }
                }
            }
        }
        out
    }

    /// The next project.
    pub fn project(&self, rng: &mut StdRng) -> Option<SeedProject> {
        let (stop, past) = pick_stop(rng);
        let county = &self.province.counties[rng.gen_range(0..self.province.counties.len())];
        let this_year = self.today.year();
        let year = past.then(|| this_year - rng.gen_range(1..=PAST_YEARS));
        // Tenders take two months; in-flight projects past the award were bought directly, so their dates
        // stay in this year.
        let tendered = stop == "bidding" || (past && stop == "completed" && rng.gen_range(0..100) < TENDERED_PERCENT);
        let candidates: Vec<_> =
            self.templates.iter().filter(|(_, _, t)| tendered || past || *t < self.limit).collect();
        let (kind, template, base) = *candidates[rng.gen_range(0..candidates.len())];
        let factor = if tendered && base < self.limit { self.limit.fen() / base.fen().max(1) + 1 } else { 1 };
        // At or above the limit the scenario tenders, and tenders admit social organisations only.
        let tendered = tendered || base >= self.limit;
        let (purchaser, seat) = purchaser(county, kind, rng);
        let mut s = template.clone();
        s.purchaser = purchaser;
        // Civil affairs answers for its own projects' content: they go straight to finance.
        let civil = kind == OrgKind::CivilAffairs;
        s.stop_at = if stop == "review_content" && civil { "review_finance" } else { stop }.to_string();
        s.year = year;
        s.regions = if kind == OrgKind::TownshipGovernment {
            vec![seat]
        } else {
            let n = rng.gen_range(1..=3).min(county.townships.len());
            let first = rng.gen_range(0..county.townships.len());
            let mut r: Vec<String> =
                (0..n).map(|i| county.townships[(first + i) % county.townships.len()].0.clone()).collect();
            r.sort();
            r
        };
        for line in &mut s.cost_lines {
            let q = Quantity::parse(&line.quantity).ok()?.hundredths() * factor;
            line.quantity = format!("{}.{:02}", q / 100, q % 100);
        }
        s.posts = posts(&s.posts, county);
        let label = year.unwrap_or(this_year);
        s.title = retitle(&template.title, label, &county.name);
        s.content = s.content.replace("夷陵区", &county.name);
        let providers = county.providers();
        let provider = if tendered || rng.gen_range(0..10) < 7 {
            &providers[rng.gen_range(0..providers.iter().filter(|p| p.1 == OrgKind::SocialOrganisation).count())]
        } else {
            &providers[rng.gen_range(0..providers.len())]
        };
        s.provider = Some(provider.0.clone());
        s.award_justification = Some("经比选，该机构在本地有同类服务基础，报价合理，服务方案可行。".into());
        s.return_comment = Some("绩效目标不够具体，请补充服务对象人数和满意度指标后重新提交。".into());
        s.cancel_reason = Some("服务需求已由上级统一安排，本项目不再实施。".into());
        let milestones = s.milestones.len() as u32;
        // A contract ends once its last milestone is accepted: one with a single milestone is not terminated
        // after its first report.
        if s.stop_at == "terminated" && milestones < 2 {
            s.stop_at = "acceptance".into();
        }
        let reports = match s.stop_at.as_str() {
            "completed" => milestones,
            "acceptance" | "terminated" => 1,
            _ => 0,
        };
        s.reports =
            (0..reports as usize).map(|i| template.reports.get(i).cloned().unwrap_or_else(|| report(i))).collect();
        s.days_ago = None;
        // The demo's evaluations name its own evaluators; a generated province has none of them.
        s.evaluation = None;
        if !past {
            self.schedule(&mut s, rng, milestones, reports)?;
        } else if year == Some(this_year - 1) {
            // A service of last year ends before this one begins.
            s.months = s.months.min(10);
        }
        s.funding = funding(&s, kind)?;
        Some(s)
    }

    /// Dates of an in-flight project: how long ago it was designed, and for one past the contract a term
    /// within this year whose reported milestones are already due.
    fn schedule(&self, s: &mut SeedProject, rng: &mut StdRng, milestones: u32, reports: u32) -> Option<()> {
        let elapsed = i64::from(self.today.ordinal0());
        let recent = |rng: &mut StdRng, most: i64| rng.gen_range(5..=most.max(6)).min(elapsed.max(5));
        s.days_ago = Some(match s.stop_at.as_str() {
            "bidding" => rng.gen_range(BIDDING_DAYS_AGO),
            "acceptance" | "terminated" | "completed" => {
                // Months of service the reports cover, counted back from a week ago, must fit in this year.
                let months_left = (elapsed - 10) / 31;
                let most = if reports == milestones { months_left } else { months_left * i64::from(milestones) };
                let months = i64::from(s.months).min(most);
                if months < i64::from(milestones).max(2) {
                    s.stop_at = "contract".into();
                    s.reports.clear();
                    return self.schedule(s, rng, milestones, 0);
                }
                s.months = months as u32;
                let covered = months * i64::from(reports) / i64::from(milestones);
                covered * 31 + 7 + rng.gen_range(15..=40)
            }
            _ => recent(rng, 60),
        });
        Some(())
    }
}

fn pick_stop(rng: &mut StdRng) -> (&'static str, bool) {
    let mut n = rng.gen_range(0..MIX.iter().map(|m| m.2).sum::<u32>());
    for (stop, past, weight) in MIX {
        if n < weight {
            return (stop, past);
        }
        n -= weight;
    }
    ("completed", true)
}

/// A purchaser of `kind` in `county`, and its seat.
fn purchaser(county: &County, kind: OrgKind, rng: &mut StdRng) -> (String, String) {
    let same: Vec<_> = county.purchasers().into_iter().filter(|(_, k)| *k == kind).collect();
    let i = if same.is_empty() { 0 } else { rng.gen_range(0..same.len()) };
    match same.get(i) {
        Some((key, OrgKind::TownshipGovernment)) => {
            let t: usize = key.rsplit('t').next().and_then(|n| n.parse().ok()).unwrap_or(1);
            (key.clone(), county.townships[t - 1].0.clone())
        }
        Some((key, _)) => (key.clone(), county.code.clone()),
        None => (county.key("mzj"), county.code.clone()),
    }
}

/// The sum of the template's cost lines with quantities times `percent` / 100.
fn total(s: &SeedProject, percent: i64) -> Option<Money> {
    s.cost_lines.iter().try_fold(Money::ZERO, |sum, l| {
        let q = Quantity::parse(&l.quantity).ok()?.hundredths() * percent / 100;
        Money::parse_yuan(&l.unit_price).ok()?.times_hundredths(q).and_then(|m| sum.checked_add(m))
    })
}

/// The funding plan: the template's sources that the department's budget has, at their shares, and the
/// general budget for the rest, in the project's year.
fn funding(s: &SeedProject, kind: OrgKind) -> Option<Vec<SeedFunding>> {
    let total = total(s, 100)?;
    let has = sources(kind);
    let mut rest = total;
    let mut out = Vec::new();
    for (source, bp) in SHARES {
        if has.contains(&source) && s.funding.iter().any(|f| f.source == source) {
            let amount = total.share_bp(bp);
            if amount.is_positive() {
                rest = Money::from_fen(rest.fen() - amount.fen());
                out.push(SeedFunding { source, amount: amount.yuan_string(), year: None });
            }
        }
    }
    out.push(SeedFunding { source: FundSource::GeneralBudget, amount: rest.yuan_string(), year: None });
    Some(out)
}

/// The template's posts hosted by the county's own departments and township governments.
fn posts(template: &[SeedPost], county: &County) -> Vec<SeedPost> {
    let hosts = county.purchasers();
    let mut out: Vec<SeedPost> = Vec::new();
    for (i, p) in template.iter().enumerate() {
        let host = hosts[i % hosts.len()].0.clone();
        match out.iter_mut().find(|o| o.host == host && o.title == p.title) {
            Some(o) => o.count += p.count,
            None => out.push(SeedPost { host, title: p.title.clone(), count: p.count }),
        }
    }
    out
}

/// The template's title for another county and year.
fn retitle(title: &str, year: i32, county: &str) -> String {
    let rest = title.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches('年');
    let rest = rest.replace("宜昌市", "").replace("夷陵区", county);
    let rest = if rest.contains(county) { rest } else { format!("{county}{rest}") };
    format!("{year}年{rest}")
}

/// A report for a milestone the template has none for.
fn report(i: usize) -> SeedReport {
    SeedReport {
        beneficiaries: 60 + 15 * i as u32,
        hours: 300 + 40 * i as u32,
        summary: format!("第{}阶段服务按合同约定完成，服务记录、签到表和满意度回访材料齐全。", i + 1),
        outputs: BTreeMap::new(),
    }
}
