//! One purchase project played through the real state machine by its people at plausible dates: the demo's
//! projects and the generator's (`crate::gen`) alike, so their history and audit trail are what the platform
//! would have recorded.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use shanzhi_app::{procurements, projects, App};
use shanzhi_domain::budget::{FundSource, FundingLine};
use shanzhi_domain::catalogue::{category_status, Category};
use shanzhi_domain::clock::china_offset;
use shanzhi_domain::org::{Actor, OrgKind, Organisation, Role};
use shanzhi_domain::project::{
    term_last_day, Certification, Change, ContractInput, CostKind, CostLineInput, Design, MilestoneInput, OutputActual,
    PerformanceTarget, PostHolder, PostSpec, Project, PurchaseMode, ReportInput, Status, SubmitContext, TargetGroup,
};
use shanzhi_domain::rules::Rules;
use shanzhi_domain::{Money, Quantity};
use shanzhi_store::BudgetView;
use std::collections::BTreeMap;

#[derive(Deserialize, Clone)]
pub(crate) struct SeedFunding {
    pub(crate) source: FundSource,
    pub(crate) amount: String,
    pub(crate) year: Option<i32>,
}

#[derive(Deserialize, Clone)]
pub(crate) struct SeedPost {
    pub(crate) host: String,
    pub(crate) title: String,
    pub(crate) count: u32,
}

#[derive(Deserialize, Clone)]
pub(crate) struct SeedLine {
    pub(crate) kind: CostKind,
    pub(crate) item: String,
    pub(crate) quantity: String,
    pub(crate) unit: String,
    pub(crate) unit_price: String,
    #[serde(default)]
    pub(crate) standard: Option<String>,
    #[serde(default)]
    pub(crate) reason: Option<String>,
}

#[derive(Deserialize, Clone)]
pub(crate) struct SeedMilestone {
    pub(crate) name: String,
    pub(crate) percent: u32,
}

#[derive(Deserialize, Clone)]
pub(crate) struct SeedReport {
    pub(crate) beneficiaries: u32,
    pub(crate) hours: u32,
    pub(crate) summary: String,
    #[serde(default)]
    pub(crate) outputs: BTreeMap<String, String>,
}

#[derive(Deserialize, Clone)]
pub(crate) struct SeedProject {
    pub(crate) title: String,
    pub(crate) category: String,
    pub(crate) purchaser: String,
    pub(crate) regions: Vec<String>,
    pub(crate) target_groups: Vec<TargetGroup>,
    pub(crate) mode: PurchaseMode,
    pub(crate) content: String,
    pub(crate) standards: String,
    pub(crate) continuing: bool,
    pub(crate) months: u32,
    pub(crate) targets: Vec<PerformanceTarget>,
    pub(crate) posts: Vec<SeedPost>,
    pub(crate) cost_lines: Vec<SeedLine>,
    pub(crate) funding: Vec<SeedFunding>,
    pub(crate) provider: Option<String>,
    pub(crate) award_justification: Option<String>,
    pub(crate) milestones: Vec<SeedMilestone>,
    pub(crate) reports: Vec<SeedReport>,
    pub(crate) year: Option<i32>,
    pub(crate) days_ago: Option<i64>,
    pub(crate) stop_at: String,
    pub(crate) return_comment: Option<String>,
    pub(crate) cancel_reason: Option<String>,
    /// The performance evaluation after the service: the evaluator commissioned and the parts submitted, in order.
    #[serde(default)]
    pub(crate) evaluation: Option<SeedEvaluation>,
}

#[derive(Deserialize, Clone)]
pub(crate) struct SeedEvaluation {
    /// The evaluator organisation's key.
    pub(crate) evaluator: String,
    pub(crate) parts: Vec<SeedPart>,
}

/// One party's evaluation: what it found where it differs from the last service report, and its opinion.
#[derive(Deserialize, Clone)]
pub(crate) struct SeedPart {
    pub(crate) party: shanzhi_domain::evaluation::Party,
    #[serde(default)]
    pub(crate) achieved: BTreeMap<String, String>,
    pub(crate) evidence: String,
    pub(crate) comment: String,
}

pub(crate) type LoadResult<T> = Result<T, String>;

/// The people who act in the projects, by organisation key and role.
pub(crate) struct Cast {
    orgs: BTreeMap<String, Organisation>,
    actors: Vec<Actor>,
    /// Each organisation's key and seat, by id.
    by_id: BTreeMap<i64, (String, String)>,
    /// Each organisation's people, by id: indexes into `actors`.
    people: BTreeMap<i64, Vec<usize>>,
    /// Each user's index into `actors`.
    users: BTreeMap<i64, usize>,
    /// The reviewers below the upper levels: indexes into `actors` (a province has thousands of people).
    reviewers: Vec<usize>,
    /// [`Cast::reviewer`]'s answers so far, by kind and region: a province's projects ask the same few thousand
    /// questions a million times.
    chosen: std::sync::Mutex<std::collections::HashMap<(OrgKind, String), usize>>,
    /// The active providers with someone to bid, in key order (what [`Cast::rivals`] picks from).
    bidders: Vec<Bidder>,
}

/// A provider that may bid: its id, kind and seat.
type Bidder = (i64, OrgKind, Option<String>);

impl Cast {
    pub(crate) fn new(orgs: BTreeMap<String, Organisation>, actors: Vec<Actor>) -> Cast {
        let by_id = orgs.values().map(|o| (o.id, (o.key.clone(), o.region.clone().unwrap_or_default()))).collect();
        let mut people: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for (i, a) in actors.iter().enumerate() {
            people.entry(a.org_id).or_default().push(i);
        }
        let users = actors.iter().enumerate().map(|(i, a)| (a.user_id, i)).collect();
        let reviewers =
            (0..actors.len()).filter(|i| actors[*i].has(Role::Reviewer) && !actors[*i].is_upper_level()).collect();
        let mut cast =
            Cast { orgs, actors, by_id, people, users, reviewers, chosen: Default::default(), bidders: vec![] };
        cast.bidders = cast
            .orgs
            .values()
            .filter(|o| o.is_eligible_provider() && cast.member(o.id, Role::Provider).is_some())
            .map(|o| (o.id, o.kind, o.region.clone()))
            .collect();
        cast
    }
    pub(crate) fn org(&self, key: &str) -> LoadResult<&Organisation> {
        self.orgs.get(key).ok_or_else(|| format!("demo: unknown organisation {key}"))
    }
    fn person(&self, user_id: i64) -> Option<&Actor> {
        self.users.get(&user_id).map(|i| &self.actors[*i])
    }
    fn member(&self, org_id: i64, role: Role) -> Option<&Actor> {
        self.people.get(&org_id)?.iter().map(|i| &self.actors[*i]).find(|a| a.has(role))
    }
    pub(crate) fn actor(&self, org_key: &str, role: Role) -> LoadResult<&Actor> {
        let org = self.org(org_key)?;
        self.member(org.id, role).ok_or_else(|| format!("demo: no {} in {org_key}", role.code()))
    }
    /// A county's reviewer of that kind (a city's or province's finance bureau only approves methods): the one
    /// seated nearest above `region`, else the first there is.
    pub(crate) fn reviewer(&self, kind: OrgKind, region: &str) -> LoadResult<&Actor> {
        let key = (kind, region.to_string());
        if let Some(i) = self.chosen.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(&self.actors[*i]);
        }
        let seat = |i: &usize| self.by_id.get(&self.actors[*i].org_id).map(|(_, r)| r.as_str()).unwrap_or_default();
        let i = *self
            .reviewers
            .iter()
            .filter(|i| self.actors[**i].org_kind == kind)
            .min_by_key(|i| (!region.starts_with(seat(i)), std::cmp::Reverse(seat(i).len())))
            .ok_or_else(|| format!("demo: no reviewer of kind {}", kind.code()))?;
        self.chosen.lock().unwrap_or_else(|e| e.into_inner()).insert(key, i);
        Ok(&self.actors[i])
    }
    /// Up to `n` active providers besides `winner` that `admits` lets take part and that have someone to bid,
    /// those seated in `near` first, each in key order.
    fn rivals(&self, winner: i64, near: &str, admits: impl Fn(OrgKind) -> bool, n: usize) -> Vec<i64> {
        let able = |b: &&Bidder| b.0 != winner && admits(b.1);
        let local = |b: &&Bidder| b.2.as_deref().is_some_and(|r| r.starts_with(near));
        let mut out: Vec<i64> = self.bidders.iter().filter(able).filter(local).take(n).map(|b| b.0).collect();
        if out.len() < n {
            let others = self.bidders.iter().filter(able).filter(|b| !local(b)).take(n - out.len());
            out.extend(others.map(|b| b.0));
        }
        out
    }
    fn org_by_id(&self, id: i64) -> LoadResult<&Organisation> {
        self.by_id
            .get(&id)
            .and_then(|(k, _)| self.orgs.get(k))
            .ok_or_else(|| format!("demo: unknown organisation {id}"))
    }
}

/// 09:00 China time on `d`.
/// When an in-flight project's step `k` happens: in office hours (09:00, then ten minutes apart) on the day `k`
/// gaps after `t0`, and never after `now`.
fn step_at(t0: DateTime<Utc>, gap: Duration, now: DateTime<Utc>, k: i32) -> DateTime<Utc> {
    let office = morning(shanzhi_domain::clock::china_date(t0 + gap * k)) + Duration::minutes(10 * i64::from(k));
    office.min(now - Duration::minutes(11 - i64::from(k)))
}

/// An open tender's announcement and bid deadline when its purchase intention was published on `intention_on`:
/// the announcement follows the intention as soon as the rules allow, the deadline as early as they allow.
fn tender_dates(
    rules: &Rules,
    calendar: &shanzhi_domain::calendar::Calendar,
    intention_on: NaiveDate,
) -> LoadResult<(DateTime<Utc>, DateTime<Utc>)> {
    use shanzhi_domain::deadlines::Period;
    let intention = shanzhi_domain::procurement::period_end(rules, Period::PurchaseIntention, intention_on, calendar)
        .map_err(|e| e.to_string())?;
    let publish = morning(intention.date);
    let deadline_day = rules
        .periods
        .earliest(Period::TenderDocumentsToBidDeadline, shanzhi_domain::clock::china_date(publish), calendar)
        .map_err(|e| e.to_string())?
        .date;
    Ok((publish, morning(deadline_day) + Duration::minutes(30)))
}

pub(crate) fn morning(d: NaiveDate) -> DateTime<Utc> {
    china_offset()
        .from_local_datetime(&d.and_hms_opt(9, 0, 0).expect("valid time"))
        .single()
        .expect("fixed offset")
        .with_timezone(&Utc)
}

/// Plays one seed project from design to where it stops.
pub(crate) struct Scenario<'a> {
    pub(crate) app: &'a App,
    pub(crate) rules: &'a Rules,
    pub(crate) cast: &'a Cast,
    pub(crate) catalogue: &'a [Category],
    pub(crate) budgets: &'a [BudgetView],
    pub(crate) standards: &'a [shanzhi_domain::standards::Standard],
    pub(crate) seed: &'a SeedProject,
    /// The expert pool committees are drawn from.
    pub(crate) experts: &'a [shanzhi_domain::committee::Expert],
    pub(crate) now: DateTime<Utc>,
}

const ORDER: [&str; 7] = ["design", "cost_estimate", "review", "procurement", "contract", "acceptance", "completed"];

impl Scenario<'_> {
    /// How far along the six steps this project goes (index in ORDER).
    fn reach(&self) -> usize {
        let step = match self.seed.stop_at.as_str() {
            "review_content" | "review_finance" | "returned" => "review",
            "cancelled" | "bidding" => "procurement",
            "terminated" => "acceptance",
            s => s,
        };
        ORDER.iter().position(|s| *s == step).unwrap_or(0)
    }

    async fn save(
        &self,
        by: &Actor,
        before: &Project,
        after: &Project,
        change: Change,
        at: DateTime<Utc>,
    ) -> LoadResult<()> {
        projects::record(self.app, by, before, after, &change, at).await.map_err(|e| e.to_string())
    }

    /// The seed's funding as lines of the purchaser's own budgets (its own or granted to it).
    fn funding(&self, purchaser_org: i64, this_year: i32) -> LoadResult<Vec<FundingLine>> {
        let s = self.seed;
        s.funding
            .iter()
            .map(|f| {
                let year = f.year.or(s.year).unwrap_or(this_year);
                let line = self
                    .budgets
                    .iter()
                    .find(|b| b.budget.org_id == purchaser_org && b.budget.year == year && b.budget.source == f.source)
                    .ok_or(format!("no {} budget in {year}", f.source.code()))?;
                let amount = Money::parse_yuan(&f.amount).map_err(|e| e.message_en().to_string())?;
                Ok(FundingLine { budget_id: line.budget.id, year, source: f.source, amount })
            })
            .collect()
    }

    pub(crate) async fn run(&self) -> LoadResult<()> {
        let s = self.seed;
        let reach = self.reach();
        let today = shanzhi_domain::clock::china_date(self.now);
        // At or above the procurement limit the purchase goes through an open tender, which takes two months.
        let estimate = self.lines()?.iter().try_fold(Money::ZERO, |sum, l| {
            l.unit_price.times_hundredths(l.quantity.hundredths()).and_then(|m| sum.checked_add(m))
        });
        let region = s.regions.first().map(String::as_str).unwrap_or("");
        let tendered = estimate.is_none_or(|e| e >= self.rules.procurement_limit_for(region));
        // When the service starts. Historic services run from 1 February of their year, so the last payment
        // falls early in the next. In-flight contracts run so that the milestones their reports cover are due
        // by a week ago (no payment for service not yet delivered); without reports they started a week ago.
        // Projects before the contract plan a service from next month. In-flight projects are paid from this
        // year's budgets, so their services run in this year too.
        let new_year = NaiveDate::from_ymd_opt(today.year(), 1, 1).ok_or("bad year")?;
        let reference = (today - Duration::days(7)).max(new_year);
        let period_start = match s.year {
            Some(y) => NaiveDate::from_ymd_opt(y, 2, 1).ok_or("bad year")?,
            None if reach >= 5 && s.reports.is_empty() => reference,
            None if reach >= 5 => {
                let covered = s.months * s.reports.len() as u32 / s.milestones.len().max(1) as u32;
                (reference + Duration::days(1)).checked_sub_months(chrono::Months::new(covered)).ok_or("bad term")?
            }
            None => (today + Duration::days(30)).min(NaiveDate::from_ymd_opt(today.year(), 12, 31).ok_or("bad year")?),
        };
        let period_end = term_last_day(period_start, s.months);
        // Historic projects are designed in January of their year, or the autumn before when tendered (as
        // budgets are), to be contracted in January. In-flight ones `days_ago` before today, their steps spread
        // evenly up to today (or, directly awarded and contracted, up to the service's start) so nothing is
        // overdue by accident.
        let t0 = match (s.year, s.days_ago) {
            (Some(y), _) if tendered => morning(NaiveDate::from_ymd_opt(y - 1, 10, 30).ok_or("bad year")?),
            (Some(y), _) => morning(NaiveDate::from_ymd_opt(y, 1, 6).ok_or("bad year")?),
            (None, Some(d)) => self.now - Duration::days(d),
            (None, None) => return Err("needs a year or days_ago".into()),
        };
        let gap = match s.year {
            Some(_) if tendered => Duration::days(4),
            Some(_) => Duration::days(3),
            None if reach >= 5 && !tendered => (morning(period_start) - t0) / 8,
            None => (self.now - t0) / 10,
        };
        if reach >= 5 && gap < Duration::days(1) {
            return Err("days_ago leaves no time before the service starts".into());
        }
        // Each step in office hours on its day (09:00, then ten minutes apart), never after now.
        let at = |k: i32| step_at(t0, gap, self.now, k);
        let contract_day = shanzhi_domain::clock::china_date(at(7));

        let purchaser = self.cast.actor(&s.purchaser, Role::Purchaser)?;
        let posts = s
            .posts
            .iter()
            .map(|p| {
                Ok(PostSpec {
                    host_org_id: self.cast.org(&p.host)?.id,
                    host_name: self.cast.org(&p.host)?.name.clone(),
                    title: p.title.clone(),
                    count: p.count,
                })
            })
            .collect::<LoadResult<Vec<_>>>()?;
        let design = Design {
            title: s.title.clone(),
            category: s.category.clone(),
            regions: s.regions.clone(),
            target_groups: s.target_groups.clone(),
            mode: s.mode,
            content: s.content.clone(),
            standards: s.standards.clone(),
            period_start,
            period_end,
            continuing: s.continuing,
            targets: s.targets.clone(),
            posts,
        };
        let ctx = SubmitContext { category: category_status(self.catalogue, &s.category), rules: self.rules };
        let (project, change) = Project::create(purchaser, design, &ctx, at(0)).map_err(|e| e.to_string())?;
        let mut p =
            projects::record_new(self.app, purchaser, project, change, at(0)).await.map_err(|e| e.to_string())?;
        macro_rules! step {
            ($who:expr, $at:expr, $call:expr) => {{
                step_on(self, &mut p, $who, $at, $call).await?;
            }};
        }
        if reach >= 1 {
            step!(purchaser, at(1), |p: &mut Project| p.finish_design(purchaser, at(1)));
            let lines = self.lines()?;
            step!(purchaser, at(2), |p: &mut Project| p.set_cost_estimate(
                purchaser,
                &lines,
                self.standards,
                self.rules,
                at(2)
            ));
            let plan = self.funding(p.purchaser_org_id, shanzhi_domain::clock::china_date(self.now).year())?;
            step!(purchaser, at(2), |p: &mut Project| p.set_funding(purchaser, plan, at(2)));
        }
        if reach >= 2 {
            step!(purchaser, at(3), |p: &mut Project| p.submit(purchaser, &ctx, at(3)));
            let mut k = 4;
            while matches!(p.status, Status::ReviewContent | Status::ReviewFinance) {
                let kind = if p.status == Status::ReviewContent { OrgKind::CivilAffairs } else { OrgKind::Finance };
                let seat = self.cast.org(&s.purchaser)?.region.as_deref().unwrap_or_default();
                let reviewer = self.cast.reviewer(kind, seat)?;
                let stop_here = (s.stop_at == "review_content" && p.status == Status::ReviewContent)
                    || (s.stop_at == "review_finance" && p.status == Status::ReviewFinance);
                if stop_here {
                    break;
                }
                if s.stop_at == "returned" {
                    let comment = s.return_comment.clone().unwrap_or_default();
                    step!(reviewer, at(k), |p: &mut Project| p.review(reviewer, false, &comment, at(k)));
                    break;
                }
                step!(reviewer, at(k), |p: &mut Project| p.review(reviewer, true, "符合要求，同意。", at(k)));
                k += 1;
            }
            let expected = match s.stop_at.as_str() {
                "review_content" => Some(Status::ReviewContent),
                "review_finance" => Some(Status::ReviewFinance),
                "returned" => Some(Status::Design),
                _ => None,
            };
            if let Some(want) = expected {
                return if p.status == want {
                    Ok(())
                } else {
                    Err(format!("stopped at {} instead of {}", p.status.code(), want.code()))
                };
            }
        }
        if s.stop_at == "cancelled" {
            let reason = s.cancel_reason.clone().unwrap_or_default();
            step!(purchaser, at(6), |p: &mut Project| p.cancel(purchaser, &reason, at(6)));
            return Ok(());
        }
        let (mut contract_day, mut contracted) = (contract_day, at(7));
        let mut last_step = at(7);
        if s.stop_at == "procurement" {
            // Standing at the procurement step: a competitive consultation is under way, its purchase intention
            // published, the announcement still to come.
            let method = shanzhi_domain::procurement::Method::CompetitiveConsultation;
            self.start_procurement(&p, purchaser, method, at(5) + Duration::days(1)).await?;
        }
        if s.stop_at == "bidding" {
            let provider = self.cast.org(s.provider.as_deref().ok_or("needs a provider")?)?.provider_info();
            self.tender(&mut p, purchaser, &provider, at(5) + Duration::days(1), true).await?;
        }
        if reach >= 4 {
            let provider = self.cast.org(s.provider.as_deref().ok_or("needs a provider")?)?.provider_info();
            if tendered {
                let awarded = self.tender(&mut p, purchaser, &provider, at(5) + Duration::days(1), false).await?;
                contract_day = shanzhi_domain::clock::china_date(awarded) + Duration::days(2);
                contracted = morning(contract_day);
            } else {
                let why = s.award_justification.clone().unwrap_or_default();
                step!(purchaser, at(6), |p: &mut Project| p.award_direct(purchaser, provider, self.rules, &why, at(6)));
            }
        }
        if reach >= 5 {
            // The term does not begin before the award (a tender may end later than planned).
            let award_day = p.award.as_ref().map(|a| shanzhi_domain::clock::china_date(a.at)).ok_or("no award")?;
            let start = period_start.max(award_day);
            if contract_day > today {
                return Err("the contract would be signed after today".into());
            }
            let input = self.contract(&p, start, term_last_day(start, s.months), contract_day)?;
            step!(purchaser, contracted, |p: &mut Project| p.sign_contract(
                purchaser,
                input,
                None,
                self.rules,
                contract_day,
                contracted
            ));
            self.fill_posts(&mut p, contracted).await?;
            last_step = self.acceptance(&mut p, purchaser, contracted).await?;
        }
        if let Some(e) = s.evaluation.as_ref().filter(|_| reach >= 5) {
            self.evaluate(&mut p, purchaser, e, last_step).await?;
        }
        if s.stop_at == "terminated" {
            let reason = s.cancel_reason.clone().unwrap_or_default();
            let t = (self.now - Duration::days(2)).max(last_step + Duration::minutes(1)).min(self.now);
            step!(purchaser, t, |p: &mut Project| p.terminate(purchaser, &reason, t));
        }
        let want = match s.stop_at.as_str() {
            "design" => Status::Design,
            "cost_estimate" => Status::CostEstimate,
            "procurement" | "bidding" => Status::Procurement,
            "contract" => Status::Contract,
            "acceptance" => Status::Acceptance,
            "terminated" => Status::Terminated,
            _ => Status::Completed,
        };
        if p.status != want {
            return Err(format!("stopped at {} instead of {}", p.status.code(), want.code()));
        }
        Ok(())
    }

    /// Starts a procurement of `p` by `method` with the demo's documents: the purchase intention is published.
    async fn start_procurement(
        &self,
        p: &Project,
        purchaser: &Actor,
        method: shanzhi_domain::procurement::Method,
        start: DateTime<Utc>,
    ) -> LoadResult<shanzhi_domain::procurement::Procurement> {
        use shanzhi_domain::procurement::{
            CriterionSpec, Documents, Method, Procurement, Scoring, StartContext, StartInput,
        };
        // Services by tender weigh price at 30 %, by consultation at 20 % (within 10–30 %).
        let price_bp = if method == Method::OpenTender { 3000 } else { 2000 };
        let ctx = StartContext {
            project_id: p.id,
            project_code: p.code.clone(),
            title: p.design.title.clone(),
            purchaser_org_id: p.purchaser_org_id,
            purchaser_name: p.purchaser_name.clone(),
            category: p.design.category.clone(),
            region: p.design.regions.first().cloned().unwrap_or_default(),
            budget: p.approved_amount().unwrap_or(p.total()),
            same_kind_total: Money::ZERO,
            previous: None,
            approval: None,
            rules: self.rules,
        };
        let documents = Documents {
            requirements: format!("{}：{}", p.design.title, p.design.content),
            qualifications: "依法登记的社会组织，具有持证社会工作者和同类服务经验".into(),
            // The requirement the platform checks: only social organisations may take part.
            admitted_kinds: vec![OrgKind::SocialOrganisation],
            complex_or_high_impact: false,
            scoring: Scoring::Comprehensive {
                price_weight_bp: price_bp,
                criteria: vec![
                    CriterionSpec { key: "plan".into(), name: "服务方案".into(), weight_bp: 5000 },
                    CriterionSpec { key: "team".into(), name: "团队与经验".into(), weight_bp: 5000 - price_bp },
                ],
            },
            sme_deduction_bp: self.rules.sme_price_deduction_bp,
            tie_rule: "服务方案得分高者优先；仍相同的，抽签确定".into(),
            invited: vec![],
            single_source: None,
            framework_members: None,
        };
        let input = StartInput { method, documents, agency_org_id: None };
        let (proc, change) = Procurement::start(&ctx, input, purchaser, start).map_err(|e| e.to_string())?;
        procurements::record_start(self.app, purchaser, proc, &change, start).await.map_err(|e| e.to_string())
    }

    /// An open tender from intention to award (with `open_only`, to its announcement: taking bids until a
    /// deadline still to come), played by the purchaser, the seed's provider and two rivals, and
    /// a committee drawn from the pool; the seed's provider wins. Returns when the award was made.
    async fn tender(
        &self,
        p: &mut Project,
        purchaser: &Actor,
        winner: &shanzhi_domain::org::ProviderInfo,
        start: DateTime<Utc>,
        open_only: bool,
    ) -> LoadResult<DateTime<Utc>> {
        use shanzhi_domain::procurement::{Method, OpenedBid, Procurement};
        let calendar = &self.app.calendar;
        let budget = p.approved_amount().unwrap_or(p.total());
        let mut q = self.start_procurement(p, purchaser, Method::OpenTender, start).await?;
        let (publish, deadline) = tender_dates(self.rules, calendar, q.intention_on)?;
        macro_rules! pstep {
            ($who:expr, $at:expr, $call:expr) => {{
                let before = q.clone();
                let change = $call(&mut q).map_err(|e: shanzhi_domain::DomainError| e.to_string())?;
                procurements::record(self.app, $who, &before, &q, &change, None, $at)
                    .await
                    .map_err(|e| e.to_string())?;
            }};
        }
        if open_only != (deadline >= self.now) || publish > self.now {
            return Err(format!(
                "the tender of {} would not be where it should be today ({}): started {start}, announced {publish}, \
                 bid deadline {deadline}",
                p.design.title, self.now
            ));
        }
        pstep!(purchaser, publish, |q: &mut Procurement| q.publish(purchaser, deadline, calendar, self.rules, publish));
        // Three bids: the seed's provider and the first two other active providers the qualification
        // requirements admit (registered social organisations), so no enterprise or village committee takes part.
        let mut bidders = vec![winner.org_id];
        let seat = self.cast.org(&self.seed.purchaser)?.region.clone().unwrap_or_default();
        let near: String = seat.chars().take(6).collect();
        bidders.extend(self.cast.rivals(winner.org_id, &near, |k| q.documents.admits(k), 2));
        let bid_at = publish + Duration::days(3);
        // A tender still open has the bids made by today, sealed until its deadline.
        if open_only && bid_at > self.now {
            return Ok(publish);
        }
        for (i, org_id) in bidders.iter().enumerate() {
            let org = self.cast.org_by_id(*org_id)?;
            let share = [9700, 9900, 10000][i];
            let content = shanzhi_domain::procurement::BidContent {
                price: budget.share_bp(share),
                small_or_micro: false,
                proposal: format!("{}的服务方案：按采购需求配置持证社工，按月报告服务进度", org.name),
                files: vec![],
            };
            // Each bid passes the same checks as one made on the platform: the qualification among them.
            let bidder = self.cast.actor(&org.key, Role::Provider)?;
            procurements::seal_bid(self.app, bidder, &q, &content, bid_at).await.map_err(|e| e.to_string())?;
        }
        if open_only {
            return Ok(publish);
        }
        let opened: Vec<OpenedBid> = procurements::unseal(self.app, &q, deadline).await.map_err(|e| e.to_string())?;
        let attendees = vec!["区财政局监督人员".to_string(), "各投标人授权代表".to_string()];
        pstep!(purchaser, deadline, |q: &mut Procurement| q.open(
            purchaser,
            &attendees,
            opened.clone(),
            self.rules,
            deadline
        ));
        let pool = self.experts;
        let seed: [u8; 32] = {
            use sha2::{Digest, Sha256};
            Sha256::digest(format!("demo-draw:{}", p.code).as_bytes()).into()
        };
        let drawn = deadline + Duration::minutes(30);
        pstep!(purchaser, drawn, |q: &mut Procurement| q.draw_committee(
            purchaser,
            pool,
            vec![],
            seed,
            self.rules,
            drawn
        ));
        let members: Vec<i64> =
            q.committee.as_ref().map(|c| c.members.iter().map(|m| m.user_id).collect()).unwrap_or_default();
        let mut experts: Vec<Actor> = Vec::new();
        for id in &members {
            experts.push(self.cast.person(*id).cloned().ok_or(format!("demo: expert {id} has no account"))?);
        }
        let winning = opened.iter().find(|b| b.org_id == winner.org_id).map(|b| b.bid_id).unwrap_or_default();
        for (i, e) in experts.iter().enumerate() {
            let t = drawn + Duration::minutes(10 + i as i64);
            pstep!(e, t, |q: &mut Procurement| q.declare(e, true, t));
        }
        let t = drawn + Duration::hours(1);
        for b in &opened {
            pstep!(&experts[0], t, |q: &mut Procurement| q.review_compliance(&experts[0], b.bid_id, true, "", t));
        }
        for e in &experts {
            let marks = opened
                .iter()
                .flat_map(|b| {
                    let (plan, team) = if b.bid_id == winning { ("92", "88") } else { ("80", "82") };
                    [(b.bid_id, "plan".to_string(), plan.to_string()), (b.bid_id, "team".to_string(), team.to_string())]
                })
                .collect();
            pstep!(e, t, |q: &mut Procurement| q.mark(e, marks, t));
        }
        let reported = t + Duration::hours(2);
        pstep!(&experts[0], reported, |q: &mut Procurement| q.finish_evaluation(&experts[0], self.rules, reported));
        let awarded = morning(
            calendar.add_working_days(shanzhi_domain::clock::china_date(reported), 1).map_err(|e| e.to_string())?.date,
        );
        let before = q.clone();
        let change = q.confirm_winner(purchaser, winning, "", self.rules, awarded).map_err(|e| e.to_string())?;
        let project_before = p.clone();
        let project_change = p.award_from_procurement(&q, winner.clone(), awarded).map_err(|e| e.to_string())?;
        let project = Some((&project_before, &*p, &project_change));
        procurements::record(self.app, purchaser, &before, &q, &change, project, awarded)
            .await
            .map_err(|e| e.to_string())?;
        Ok(awarded)
    }

    fn lines(&self) -> LoadResult<Vec<CostLineInput>> {
        self.seed
            .cost_lines
            .iter()
            .map(|l| {
                Ok(CostLineInput {
                    kind: l.kind,
                    item: l.item.clone(),
                    quantity: Quantity::parse(&l.quantity).map_err(|e| e.message_en().to_string())?,
                    unit: l.unit.clone(),
                    unit_price: Money::parse_yuan(&l.unit_price).map_err(|e| e.message_en().to_string())?,
                    standard: l.standard.clone(),
                    reason: l.reason.clone().unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The contract at the awarded price (a direct award: the whole estimate), milestones spread evenly over
    /// the term, the last on its end.
    fn contract(
        &self,
        p: &Project,
        start: NaiveDate,
        end: NaiveDate,
        signed_on: NaiveDate,
    ) -> LoadResult<ContractInput> {
        let n = self.seed.milestones.len() as u32;
        let milestones = self
            .seed
            .milestones
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let i = i as u32;
                let due = if i + 1 == n {
                    end
                } else {
                    term_last_day(start, self.seed.months * (i + 1) / n.max(1)).max(start)
                };
                MilestoneInput { name: m.name.clone(), share_bp: m.percent * 100, due }
            })
            .collect();
        let amount = p.contract_price(None).unwrap_or(p.total());
        Ok(ContractInput { amount, start, end, signed_on, milestones, final_payment_by_grade: false })
    }

    /// The provider puts its social workers into the contract's posts; in a running contract every tenth
    /// post is left vacant, as happens while a provider recruits.
    async fn fill_posts(&self, p: &mut Project, contracted: DateTime<Utc>) -> LoadResult<()> {
        let count = p.contract.as_ref().map(|c| c.posts.len()).unwrap_or(0);
        if count == 0 {
            return Ok(());
        }
        let provider_key = self.seed.provider.as_deref().ok_or("needs a provider")?;
        let provider = self.cast.actor(provider_key, Role::Provider)?;
        let since = p.contract.as_ref().map(|c| c.start).ok_or("no contract")?;
        let running = self.seed.stop_at == "acceptance";
        for i in 0..count {
            if running && i % 10 == 9 {
                continue;
            }
            let holder = PostHolder { name: social_worker_name(i), certification: certification_of(i), since };
            let before = p.clone();
            let change = p.fill_post(provider, i, holder, contracted).map_err(|e| e.to_string())?;
            self.save(provider, &before, p, change, contracted).await?;
        }
        Ok(())
    }

    /// Files and decides the seed's reports as the service is delivered: each report a few days before its
    /// milestone's date (not before the service it covers began), each decision on the date — in the first
    /// hours of 1 January, when a milestone falls due today, just now. At acceptance the last report filed
    /// waits for the purchaser. Returns when the last of these happened.
    async fn acceptance(
        &self,
        p: &mut Project,
        purchaser: &Actor,
        contracted: DateTime<Utc>,
    ) -> LoadResult<DateTime<Utc>> {
        let s = self.seed;
        let provider_key = s.provider.as_deref().ok_or("needs a provider")?;
        let provider = self.cast.actor(provider_key, Role::Provider)?;
        let mut last = contracted;
        for (i, r) in s.reports.iter().enumerate() {
            let due = p.contract.as_ref().map(|c| c.milestones[i].due).ok_or("no contract")?;
            let opens = p.report_opens(i).ok_or("no contract")?;
            let filed = (morning(due) - Duration::days(3)).max(morning(opens)).max(last + Duration::hours(1));
            let decided = morning(due).min(self.now - Duration::minutes(1)).max(filed + Duration::hours(1));
            last = decided;
            let waits = s.stop_at == "acceptance" && i + 1 == s.reports.len();
            if filed > self.now || (!waits && decided > self.now) {
                return Err(format!("report {i} would be filed or paid after today"));
            }
            let input = ReportInput {
                beneficiaries: r.beneficiaries,
                hours: Quantity::from_hundredths(i64::from(r.hours) * 100),
                outputs: r
                    .outputs
                    .iter()
                    .map(|(k, v)| OutputActual { indicator: k.clone(), actual: v.clone() })
                    .collect(),
                summary: r.summary.clone(),
                files: vec![],
            };
            let before = p.clone();
            let change = p.file_report(provider, i, input, self.rules, filed).map_err(|e| e.to_string())?;
            self.save(provider, &before, p, change, filed).await?;
            if !waits {
                let before = p.clone();
                let change = p
                    .decide_milestone(purchaser, i, true, "服务报告真实完整，同意验收。", self.rules, decided)
                    .map_err(|e| e.to_string())?;
                self.save(purchaser, &before, p, change, decided).await?;
            }
        }
        Ok(last)
    }

    /// The seed's evaluation, a week after the service's last step and a week between parts (never after now):
    /// each party finds what the last service report says unless it says otherwise.
    async fn evaluate(
        &self,
        p: &mut Project,
        purchaser: &Actor,
        seed: &SeedEvaluation,
        after: DateTime<Utc>,
    ) -> LoadResult<()> {
        use shanzhi_domain::evaluation::{IndicatorScore, PartInput, Party};
        let at = |k: i64| (after + Duration::days(7 * k)).min(self.now - Duration::minutes(10 - k));
        let org = self.cast.org(&seed.evaluator)?.clone();
        let candidate = shanzhi_app::evaluations::candidate(self.app, p, &org).await.map_err(|e| e.to_string())?;
        step_on(self, p, purchaser, at(1), |p| p.start_evaluation(purchaser, &candidate, self.rules, at(1))).await?;
        let reported: BTreeMap<String, String> =
            self.seed.reports.last().map(|r| r.outputs.clone()).unwrap_or_default();
        let provider_key = self.seed.provider.as_deref().ok_or("needs a provider")?;
        for (k, part) in seed.parts.iter().enumerate() {
            let who = match part.party {
                Party::SelfEvaluation => self.cast.actor(provider_key, Role::Provider)?,
                Party::Purchaser => purchaser,
                Party::ThirdParty => self.cast.actor(&seed.evaluator, Role::Evaluator)?,
            };
            let scores = p
                .design
                .targets
                .iter()
                .filter_map(|t| {
                    let found = part.achieved.get(&t.indicator).or(reported.get(&t.indicator))?;
                    Some(IndicatorScore {
                        indicator: t.indicator.clone(),
                        achieved: Quantity::parse(found).ok()?,
                        evidence: part.evidence.clone(),
                    })
                })
                .collect();
            let input = PartInput { scores, comment: part.comment.clone() };
            let t = at(k as i64 + 2);
            step_on(self, p, who, t, |p| p.submit_evaluation(who, input, self.rules, t)).await?;
        }
        Ok(())
    }
}

/// Applies one act of `who` to `p` at `t` and saves it with its effects.
async fn step_on(
    s: &Scenario<'_>,
    p: &mut Project,
    who: &Actor,
    t: DateTime<Utc>,
    act: impl FnOnce(&mut Project) -> Result<Change, shanzhi_domain::DomainError>,
) -> LoadResult<()> {
    let before = p.clone();
    let change = act(p).map_err(|e| e.to_string())?;
    s.save(who, &before, p, change, t).await
}

/// Invented, plausible names for the demo's social workers (no real people).
fn social_worker_name(i: usize) -> String {
    const FAMILY: [&str; 16] =
        ["王", "李", "张", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "郑", "覃"];
    const GIVEN: [&str; 13] =
        ["晓燕", "志强", "丽华", "文静", "海波", "春梅", "建国", "雪莲", "俊杰", "玉兰", "明亮", "思远", "佳怡"];
    format!("{}{}", FAMILY[i % FAMILY.len()], GIVEN[(i * 7 + i / FAMILY.len()) % GIVEN.len()])
}

/// Mostly assistant social workers, some social workers, a few not yet certified.
fn certification_of(i: usize) -> Certification {
    match i % 7 {
        0 | 3 => Certification::Intermediate,
        6 => Certification::None,
        _ => Certification::Assistant,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: i64, key: &str, kind: OrgKind, region: &str) -> Organisation {
        Organisation {
            id,
            key: key.into(),
            name: key.into(),
            kind,
            uscc: None,
            resident_id_masked: None,
            region: Some(region.into()),
            parent_id: None,
            class_one: false,
            active: true,
            contact: String::new(),
            verification: shanzhi_domain::org::Verification::Verified,
            barred_until: None,
        }
    }

    fn person(user_id: i64, o: &Organisation, role: Role) -> Actor {
        Actor {
            user_id,
            username: format!("u{user_id}"),
            display_name: String::new(),
            org_id: o.id,
            org_name: o.name.clone(),
            org_kind: o.kind,
            roles: vec![role],
            supervisor_region: None,
            org_level: None,
        }
    }

    /// Rivals are active, verified providers of an admitted kind with someone to bid, other than the winner:
    /// those seated in the place first, then others, each in key order. Reviewers are the nearest above the place,
    /// asked again or not.
    #[test]
    fn a_tenders_rivals_and_a_projects_reviewer_are_the_nearest_able_ones() {
        let mut lapsed = org(6, "b.lapsed", OrgKind::SocialOrganisation, "990101");
        lapsed.active = false;
        let orgs = vec![
            org(1, "a.far", OrgKind::SocialOrganisation, "9902"),
            org(2, "b.near", OrgKind::SocialOrganisation, "990101"),
            org(3, "c.near", OrgKind::Enterprise, "990102"),
            org(4, "d.near", OrgKind::SocialOrganisation, "990103"),
            org(5, "e.nobody", OrgKind::SocialOrganisation, "990101"),
            lapsed,
            org(7, "f.far", OrgKind::SocialOrganisation, "9903"),
            org(10, "fin.province", OrgKind::Finance, "99"),
            org(11, "fin.9901", OrgKind::Finance, "9901"),
            org(12, "fin.9902", OrgKind::Finance, "9902"),
        ];
        let mut actors: Vec<Actor> = orgs
            .iter()
            .filter(|o| o.kind.is_provider_kind() && o.id != 5)
            .map(|o| person(100 + o.id, o, Role::Provider))
            .collect();
        actors
            .extend(orgs.iter().filter(|o| o.kind == OrgKind::Finance).map(|o| person(100 + o.id, o, Role::Reviewer)));
        let cast = Cast::new(orgs.into_iter().map(|o| (o.key.clone(), o)).collect(), actors);
        let any = |_: OrgKind| true;
        assert_eq!(cast.rivals(2, "9901", any, 2), [3, 4], "the winner, the lapsed and the one with nobody left out");
        assert_eq!(cast.rivals(2, "9901", |k| k == OrgKind::SocialOrganisation, 2), [4, 1], "then from afar");
        assert_eq!(cast.rivals(2, "9904", any, 3), [1, 3, 4]);
        for _ in 0..2 {
            assert_eq!(cast.reviewer(OrgKind::Finance, "990102").unwrap().org_id, 11);
            assert_eq!(cast.reviewer(OrgKind::Finance, "990201").unwrap().org_id, 12);
            assert_eq!(cast.reviewer(OrgKind::Finance, "9905").unwrap().org_id, 10);
        }
        // Remembered by kind as well as place.
        assert_eq!(cast.reviewer(OrgKind::Finance, "9901").unwrap().org_id, 11);
        assert!(cast.reviewer(OrgKind::Health, "9901").is_err());
    }

    /// A generated project at the bidding step has its tender announced and still taking bids whatever day the
    /// province is generated on, holidays included (a Monday after a weekend once pushed an announcement past
    /// today).
    #[test]
    fn a_bidding_projects_tender_is_open_on_every_day_of_the_year() {
        let rules = Rules::default();
        let calendar = shanzhi_domain::calendar::Calendar::official().unwrap().with_provisional_years();
        let mut day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        while day.year() < 2027 {
            // Just after midnight and late in the evening, China time.
            for hour in [16, 15] {
                let now = Utc.from_utc_datetime(&day.and_hms_opt(hour, 59, 0).unwrap()) - Duration::days(1);
                for days_ago in crate::gen::plan::BIDDING_DAYS_AGO {
                    let t0 = now - Duration::days(days_ago);
                    // Steps spread over ten gaps up to today; the tender starts the day after step 5.
                    let start = step_at(t0, (now - t0) / 10, now, 5) + Duration::days(1);
                    let (publish, deadline) =
                        tender_dates(&rules, &calendar, shanzhi_domain::clock::china_date(start)).unwrap();
                    assert!(publish <= now && deadline >= now, "{now}, {days_ago} days: {publish} – {deadline}");
                }
            }
            day = day.succ_opt().unwrap();
        }
    }
}
