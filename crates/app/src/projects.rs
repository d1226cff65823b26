//! What users do to projects, shared by the JSON API and the pages: requests are parsed into domain
//! input here, applied by the domain, and saved with their audit event by the store.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shanzhi_domain::catalogue::category_status;
use shanzhi_domain::clock::china_date;
use shanzhi_domain::error::Problems;
use shanzhi_domain::evaluation::{Dimension, ScoringRule};
use shanzhi_domain::org::{Actor, Organisation};
use shanzhi_domain::project::{
    can_view, Certification, Change, ContractInput, CostKind, CostLineInput, Design, FileRef, IndicatorGroup,
    MilestoneInput, OutputActual, PerformanceTarget, PostHolder, PostSpec, Project, PurchaseMode, ReportInput,
    SubmitContext, SupplementInput, TargetGroup,
};
use shanzhi_domain::{DomainError, ErrorCode, Money, Quantity};

use shanzhi_domain::notice::Notice;
use shanzhi_domain::project::{Awaits, ProjectItem, PublicProject, QueueItem, Scope, ViewFacts};
use shanzhi_store::{Page, PageRequest, PostCounts, ProjectFilter};

use shanzhi_store::By;
use utoipa::ToSchema;

use crate::{reference, App, Error, Result};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TargetRequest {
    pub indicator: String,
    #[schema(value_type = IndicatorGroup)]
    pub group: String,
    /// What the indicator measures; left out, its group's first (quantity, social effect, satisfaction).
    #[serde(default)]
    #[schema(value_type = Option<Dimension>)]
    pub dimension: String,
    /// A positive number, at most two decimals.
    pub target: String,
    #[serde(default)]
    pub unit: String,
    /// Whole points of the 100 the evaluation gives; the targets' weights add up to 100.
    #[serde(default)]
    pub weight: u32,
    /// How its points follow what was achieved; left out, `at_least`.
    #[serde(default)]
    #[schema(value_type = Option<ScoringRule>)]
    pub rule: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PostRequest {
    pub host_org_id: i64,
    pub title: String,
    pub count: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DesignRequest {
    pub title: String,
    pub category: String,
    pub regions: Vec<String>,
    #[schema(value_type = Vec<TargetGroup>)]
    pub target_groups: Vec<String>,
    #[schema(value_type = PurchaseMode)]
    pub mode: String,
    pub content: String,
    pub standards: String,
    #[schema(format = Date)]
    pub period_start: String,
    #[schema(format = Date)]
    pub period_end: String,
    #[serde(default)]
    pub continuing: bool,
    #[serde(default)]
    pub targets: Vec<TargetRequest>,
    #[serde(default)]
    pub posts: Vec<PostRequest>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CostLineRequest {
    #[schema(value_type = CostKind)]
    pub kind: String,
    pub item: String,
    #[schema(value_type = Quantity)]
    pub quantity: String,
    #[serde(default)]
    pub unit: String,
    #[schema(value_type = Money)]
    pub unit_price: String,
    /// Code of the spending standard the line is priced against, if any.
    #[serde(default)]
    pub standard: Option<String>,
    /// Why the line is above its standard (or the management fee above the cap).
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CostRequest {
    pub lines: Vec<CostLineRequest>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ReviewRequest {
    /// `approve` or `return`.
    pub decision: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct AwardRequest {
    pub provider_org_id: i64,
    pub justification: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct MilestoneRequest {
    pub name: String,
    /// Payment share in percent, up to two decimals, e.g. `"33.33"`.
    #[schema(value_type = Quantity)]
    pub share: String,
    #[schema(format = Date)]
    pub due: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ContractRequest {
    #[schema(value_type = Money)]
    pub amount: String,
    #[schema(format = Date)]
    pub start: String,
    #[schema(format = Date)]
    pub end: String,
    #[schema(format = Date)]
    pub signed_on: String,
    pub milestones: Vec<MilestoneRequest>,
    /// Pay the final milestone by the performance evaluation's grade (see `grades` in the configuration).
    #[serde(default)]
    pub final_payment_by_grade: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct OutputRequest {
    pub indicator: String,
    pub actual: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ReportRequest {
    pub beneficiaries: u32,
    #[schema(value_type = Quantity)]
    pub hours: String,
    pub summary: String,
    #[serde(default)]
    pub outputs: Vec<OutputRequest>,
    #[serde(default)]
    pub file_ids: Vec<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct AcceptanceRequest {
    /// `accept` or `reject`.
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ReasonRequest {
    pub reason: String,
}

/// A monitoring visit the purchaser made to the running service.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct VisitRequest {
    #[schema(format = Date)]
    pub on: String,
    #[schema(value_type = shanzhi_domain::project::VisitKind)]
    pub kind: String,
    pub findings: String,
}

/// A supplementary contract as the purchaser proposes it: its amount, why, the milestone it adds and the
/// budget lines that pay for it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SupplementRequest {
    #[schema(value_type = Money)]
    pub amount: String,
    pub reason: String,
    pub milestone_name: String,
    #[schema(format = Date)]
    pub due: String,
    #[serde(default)]
    pub funding: Vec<crate::budgets::FundingLineRequest>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SignRequest {
    #[schema(format = Date)]
    pub signed_on: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PostHolderRequest {
    pub name: String,
    /// `none`, `assistant`, `intermediate` or `senior`.
    #[schema(value_type = Certification)]
    pub certification: String,
    #[schema(format = Date)]
    pub since: String,
}

/// Every change a user can make to an existing project.
pub enum Command {
    EditDesign(DesignRequest),
    FinishDesign,
    SetCost(CostRequest),
    SetFunding(crate::budgets::FundingRequest),
    Submit,
    Review(ReviewRequest),
    Award(AwardRequest),
    SignContract(ContractRequest),
    FileReport(usize, ReportRequest),
    Decide(usize, AcceptanceRequest),
    FillPost(usize, PostHolderRequest),
    VacatePost(usize, ReasonRequest),
    Cancel(ReasonRequest),
    Terminate(ReasonRequest),
    RecordVisit(VisitRequest),
    ProposeSupplement(SupplementRequest),
    ReviewSupplement(u32, ReviewRequest),
    SignSupplement(u32, SignRequest),
}

pub(crate) fn parse_date(p: &mut Problems, field: &str, s: &str) -> NaiveDate {
    match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => d,
        Err(_) => {
            p.add(field, ErrorCode::InvalidDate, "请按 2025-10-09 的格式填写日期", "enter a date like 2025-10-09");
            NaiveDate::MIN
        }
    }
}

pub(crate) fn parse_money(p: &mut Problems, field: &str, s: &str) -> Money {
    Money::parse_yuan(s).unwrap_or_else(|e| {
        p.add(field, e.code(), e.message_zh(), e.message_en());
        Money::ZERO
    })
}

pub(crate) fn parse_quantity(p: &mut Problems, field: &str, s: &str) -> Quantity {
    Quantity::parse(s).unwrap_or_else(|e| {
        p.add(field, e.code(), e.message_zh().replace("金额", "数量"), e.message_en().replace("amount", "quantity"));
        Quantity::default()
    })
}

pub(crate) fn parse_code<T>(p: &mut Problems, field: &str, s: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
    let v = parse(s.trim());
    if v.is_none() {
        p.add(field, ErrorCode::UnknownValue, format!("“{s}”不是可选的值"), format!("“{s}” is not one of the choices"));
    }
    v
}

impl DesignRequest {
    /// Parses into a domain design, checking references against the current organisations and regions, and
    /// the design as made today (its dates and category).
    pub async fn into_design(self, app: &App) -> Result<Design> {
        let mut p = Problems::default();
        // Each place by its code: a province has tens of thousands.
        for (i, r) in self.regions.iter().enumerate() {
            if self.regions[..i].contains(r) {
                p.add(
                    format!("regions[{i}]"),
                    ErrorCode::DuplicateRegion,
                    "同一区划重复填写",
                    "this place is listed twice",
                );
            } else if app.store.region(r).await?.is_none() {
                p.add(format!("regions[{i}]"), ErrorCode::UnknownRegion, "区划不存在", "no such region");
            }
        }
        let target_groups: Vec<TargetGroup> = self
            .target_groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| parse_code(&mut p, &format!("target_groups[{i}]"), g, TargetGroup::parse))
            .collect();
        let mode = parse_code(&mut p, "mode", &self.mode, PurchaseMode::parse).unwrap_or(PurchaseMode::Project);
        let period_start = parse_date(&mut p, "period_start", &self.period_start);
        let period_end = parse_date(&mut p, "period_end", &self.period_end);
        let targets = self
            .targets
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let group = parse_code(&mut p, &format!("targets[{i}].group"), &t.group, IndicatorGroup::parse)?;
                let dimension = match t.dimension.trim() {
                    "" => Dimension::of_group(group),
                    code => parse_code(&mut p, &format!("targets[{i}].dimension"), code, Dimension::parse)?,
                };
                let rule = match t.rule.trim() {
                    "" => ScoringRule::AtLeast,
                    code => parse_code(&mut p, &format!("targets[{i}].rule"), code, ScoringRule::parse)?,
                };
                Some(PerformanceTarget {
                    indicator: t.indicator.trim().into(),
                    group,
                    dimension,
                    target: t.target.trim().into(),
                    unit: t.unit.trim().into(),
                    weight: t.weight,
                    rule,
                })
            })
            .collect();
        let mut hosts = Vec::new();
        for post in &self.posts {
            hosts.extend(app.store.organisation(post.host_org_id).await?);
        }
        let posts = self
            .posts
            .iter()
            .enumerate()
            .filter_map(|(i, post)| match hosts.iter().find(|o| o.id == post.host_org_id) {
                Some(host) => Some(PostSpec {
                    host_org_id: host.id,
                    host_name: host.name.clone(),
                    title: post.title.trim().into(),
                    count: post.count,
                }),
                None => {
                    p.add(
                        format!("posts[{i}].host_org_id"),
                        ErrorCode::UnknownOrganisation,
                        "设岗单位不存在",
                        "no such host unit",
                    );
                    None
                }
            })
            .collect();
        let design = Design {
            title: self.title.trim().into(),
            category: self.category.trim().into(),
            regions: self.regions,
            target_groups,
            mode,
            content: self.content.trim().into(),
            standards: self.standards.trim().into(),
            period_start,
            period_end,
            continuing: self.continuing,
            targets,
            posts,
        };
        // Report parse problems and the domain's checks together, so the user fixes everything in one go;
        // a date that did not parse would only produce misleading period errors.
        let dates_ok = !p.has_field("period_start") && !p.has_field("period_end");
        let category = category_status(&app.store.catalogue().await?, &design.category);
        if let Err(e) = design.check_new(&app.rules, china_date(app.clock.now()), category) {
            p.absorb(if dates_ok { e } else { without_period(e) });
        }
        p.into_result()?;
        Ok(design)
    }
}

fn without_period(e: DomainError) -> DomainError {
    match e {
        DomainError::InvalidInput(fields) => {
            DomainError::InvalidInput(fields.into_iter().filter(|f| !f.field.starts_with("period")).collect())
        }
        other => other,
    }
}

impl CostRequest {
    pub fn into_lines(self) -> Result<Vec<CostLineInput>, DomainError> {
        let mut p = Problems::default();
        let lines = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| CostLineInput {
                kind: parse_code(&mut p, &format!("cost_lines[{i}].kind"), &l.kind, CostKind::parse)
                    .unwrap_or(CostKind::Other),
                item: l.item.clone(),
                quantity: parse_quantity(&mut p, &format!("cost_lines[{i}].quantity"), &l.quantity),
                unit: l.unit.clone(),
                unit_price: parse_money(&mut p, &format!("cost_lines[{i}].unit_price"), &l.unit_price),
                standard: l.standard.clone().filter(|c| !c.trim().is_empty()),
                reason: l.reason.clone(),
            })
            .collect();
        p.into_result()?;
        Ok(lines)
    }
}

impl ContractRequest {
    pub fn into_input(self) -> Result<ContractInput, DomainError> {
        let mut p = Problems::default();
        let input = ContractInput {
            amount: parse_money(&mut p, "amount", &self.amount),
            start: parse_date(&mut p, "start", &self.start),
            end: parse_date(&mut p, "end", &self.end),
            signed_on: parse_date(&mut p, "signed_on", &self.signed_on),
            milestones: self
                .milestones
                .iter()
                .enumerate()
                .map(|(i, m)| MilestoneInput {
                    name: m.name.clone(),
                    // A percent with two decimals is a count of basis points.
                    share_bp: parse_quantity(&mut p, &format!("milestones[{i}].share"), &m.share).hundredths() as u32,
                    due: parse_date(&mut p, &format!("milestones[{i}].due"), &m.due),
                })
                .collect(),
            final_payment_by_grade: self.final_payment_by_grade,
        };
        p.into_result()?;
        Ok(input)
    }
}

/// A two-way decision's code; the message names both choices as the form shows them, never by their codes.
fn yes_no(s: &str, yes: Choice, no: Choice, field: &str) -> Result<bool, DomainError> {
    match s.trim() {
        v if v == yes.code => Ok(true),
        v if v == no.code => Ok(false),
        _ => Err(DomainError::field(
            field,
            ErrorCode::UnknownDecision,
            &format!("请选择“{}”或“{}”", yes.zh, no.zh),
            &format!("choose “{}” ({}) or “{}” ({})", yes.en, yes.code, no.en, no.code),
        )),
    }
}

/// One answer of a two-way decision: its code and its words.
struct Choice {
    code: &'static str,
    zh: &'static str,
    en: &'static str,
}

const APPROVE: Choice = Choice { code: "approve", zh: "通过", en: "Approve" };
const RETURN: Choice = Choice { code: "return", zh: "退回", en: "Return" };
const ACCEPT: Choice = Choice { code: "accept", zh: "验收", en: "Accept" };
const REJECT: Choice = Choice { code: "reject", zh: "不予验收", en: "Do not accept" };

/// A service report request as the domain's input, or every problem with it at once: those of parsing here
/// and the domain's own checks.
async fn report_input(app: &App, actor: &Actor, p: &Project, req: ReportRequest) -> Result<ReportInput> {
    let mut problems = Problems::default();
    let hours = parse_quantity(&mut problems, "hours", &req.hours);
    let files = own_files(app, actor, &req.file_ids, &mut problems).await?;
    let input = ReportInput {
        beneficiaries: req.beneficiaries,
        hours,
        outputs: req
            .outputs
            .into_iter()
            .filter(|o| !o.actual.trim().is_empty())
            .map(|o| OutputActual { indicator: o.indicator, actual: o.actual.trim().into() })
            .collect(),
        summary: req.summary,
        files,
    };
    if let Err(e) = p.check_report(&input) {
        problems.absorb(e);
    }
    problems.into_result()?;
    Ok(input)
}

/// One project as a reader reads it over the API.
pub enum ProjectReading {
    /// The view's JSON written from the stored record as it is: the reader sees the project whole and its record
    /// is in this build's shape, so nothing is decoded or encoded again.
    Stored(String),
    /// The record decoded, for the caller to show as the reader may read it.
    Decoded(Box<Project>),
}

/// Project `id` as `actor` reads it: as stored where it can be, else decoded ([`visible_project`]); a project they
/// may not see is the same 404 as a missing one.
pub async fn read_project(app: &App, actor: &Actor, id: i64) -> Result<ProjectReading> {
    if let Some(stored) = app.store.stored_project(&Scope::of(actor), id).await? {
        let facts = ViewFacts::from_columns(actor, &stored.item, &stored.waiting);
        if let Some(json) = stored.view_json(&facts) {
            return Ok(ProjectReading::Stored(json));
        }
    }
    Ok(ProjectReading::Decoded(Box::new(visible_project(app, actor, id).await?)))
}

/// Loads a project the actor may see; others get the same 404 as a missing one, so ids reveal nothing.
pub async fn visible_project(app: &App, actor: &Actor, id: i64) -> Result<Project> {
    match app.store.project(id).await? {
        Some(p) if can_view(actor, &p) => Ok(p),
        _ => Err(Error::Domain(DomainError::NotFound { what: "project" })),
    }
}

/// A project as anyone may read it, with its notices, from its first public notice on; before that (or for no
/// such project) the same 404, so ids reveal nothing.
pub async fn public_project(app: &App, id: i64) -> Result<(PublicProject, Vec<Notice>)> {
    let notices = app.store.notices_of_project(id).await?;
    if notices.is_empty() {
        return Err(Error::Domain(DomainError::NotFound { what: "project" }));
    }
    let project = app.store.project(id).await?.ok_or(Error::Domain(DomainError::NotFound { what: "project" }))?;
    Ok((project.public(), notices))
}

/// One page of the projects anyone may read — those with a published notice — that match `filter`, newest
/// first.
pub async fn public_project_items(app: &App, filter: &ProjectFilter, page: PageRequest) -> Result<Page<ProjectItem>> {
    let filter = ProjectFilter { published: true, file: None, ..filter.clone() };
    let page = app.store.project_items(&Scope::everything(), &filter, page).await?;
    reference::check_region_filter(app, filter.region.as_deref(), !page.items.is_empty()).await?;
    Ok(page)
}

/// One page of `actor`'s work queue: the projects waiting on them and for what, newest first. A page may hold
/// fewer than its limit while more follow (`next`).
pub async fn queue_page(app: &App, actor: &Actor, page: PageRequest) -> Result<Page<QueueItem>> {
    let candidates = app.store.awaiting_page(Awaits::kinds(actor), actor.org_id, page).await?;
    Ok(candidates.filter_map(|a| a.for_reader(actor)))
}

/// How many projects `actor` may see at each step and end state.
pub async fn project_counts(app: &App, actor: &Actor) -> Result<std::collections::BTreeMap<String, i64>> {
    Ok(app.store.project_counts(&Scope::of(actor)).await?)
}

/// One page of the projects `actor` may see that match `filter`, newest first.
pub async fn project_page(
    app: &App,
    actor: &Actor,
    filter: &ProjectFilter,
    page: PageRequest,
) -> Result<Page<Project>> {
    let page = app.store.project_page(&Scope::of(actor), filter, page).await?;
    reference::check_region_filter(app, filter.region.as_deref(), !page.items.is_empty()).await?;
    Ok(page)
}

/// The same list as [`project_page`], as list items read from the list columns (what list pages show).
pub async fn project_items(
    app: &App,
    actor: &Actor,
    filter: &ProjectFilter,
    page: PageRequest,
) -> Result<Page<ProjectItem>> {
    let page = app.store.project_items(&Scope::of(actor), filter, page).await?;
    reference::check_region_filter(app, filter.region.as_deref(), !page.items.is_empty()).await?;
    Ok(page)
}

pub async fn create_project(app: &App, actor: &Actor, req: DesignRequest) -> Result<Project> {
    let now = app.clock.now();
    let design = req.into_design(app).await?;
    let ctx = design_context(app, &design).await?;
    let (project, change) = Project::create(actor, design, &ctx, now)?;
    record_new(app, actor, project, change, now).await
}

/// Records a project the domain created (`Project::create`) at `at`, with its audit event; it gets its id.
pub async fn record_new(
    app: &App,
    actor: &Actor,
    project: Project,
    change: Change,
    at: DateTime<Utc>,
) -> Result<Project> {
    Ok(app.store.insert_project(&By::actor(actor), project, change.action, change.detail, at).await?)
}

/// Records a change of a project the domain decided at `at`, with its effects, in one transaction: the
/// change's ledger entries, its audit event, the public notices it publishes (a signed contract, a finished
/// acceptance: [`shanzhi_domain::notice::for_project`]) and the red flags it raises ([`crate::red_flags`]).
pub async fn record(
    app: &App,
    actor: &Actor,
    before: &Project,
    after: &Project,
    change: &Change,
    at: DateTime<Utc>,
) -> Result<()> {
    let notices = shanzhi_domain::notice::for_project(change.action, after, at);
    let flagging = crate::red_flags::for_project(app, after, change, &notices, at).await?;
    if notices.is_empty() && flagging.is_empty() {
        app.store.update_project(&By::actor(actor), before, after, change, at).await?;
    } else {
        let by = By::actor(actor);
        app.store.update_project_with_notices(&by, before, after, change, notices, &flagging, at).await?;
    }
    Ok(())
}

/// The catalogue's word on a design's category, with the rules: what design and submission are checked against.
async fn design_context<'a>(app: &'a App, design: &Design) -> Result<SubmitContext<'a>> {
    let catalogue = app.store.catalogue().await?;
    Ok(SubmitContext { category: category_status(&catalogue, &design.category), rules: &app.rules })
}

/// A domain result over input that may also have had parse problems: refusals that are not about fields come
/// first (who may act, in which step), then every field's problem at once.
fn with_problems(problems: Problems, result: Result<Change, DomainError>) -> Result<Change> {
    match result {
        Err(e @ DomainError::InvalidInput(_)) => {
            let mut problems = problems;
            problems.absorb(e);
            problems.into_result()?;
            Err(Error::Domain(DomainError::InvalidInput(Vec::new())))
        }
        Err(e) => Err(e.into()),
        Ok(change) => {
            problems.into_result()?;
            Ok(change)
        }
    }
}

async fn provider(app: &App, org_id: i64) -> Result<Organisation> {
    app.store.organisation(org_id).await?.ok_or_else(|| {
        Error::Domain(DomainError::field(
            "provider_org_id",
            ErrorCode::UnknownOrganisation,
            "承接主体不存在",
            "no such provider",
        ))
    })
}

/// The uploaded files `ids` of the actor's own organisation; any other id is a problem on `file_ids[i]`.
pub async fn own_files(app: &App, actor: &Actor, ids: &[i64], problems: &mut Problems) -> Result<Vec<FileRef>> {
    let mut files = Vec::new();
    for (i, fid) in ids.iter().enumerate() {
        match app.store.file(*fid).await? {
            Some(f) if f.owner_org_id == actor.org_id => files.push(FileRef { id: f.id, name: f.name }),
            _ => problems.add(format!("file_ids[{i}]"), ErrorCode::UnknownFile, "附件不存在", "no such file"),
        }
    }
    Ok(files)
}

/// Applies `cmd` to project `id` as `actor` and saves it with its audit event.
pub async fn perform(app: &App, actor: &Actor, id: i64, cmd: Command) -> Result<Project> {
    let Applied { before, after: p, change, now } = apply(app, actor, id, cmd).await?;
    record(app, actor, &before, &p, &change, now).await?;
    Ok(p)
}

/// The refusal for a form in which the page already found `problems` of its own, joined by every field
/// problem `perform` would find in the rest: each wrong field gets its message at once. Nothing is saved.
pub async fn refusal(app: &App, actor: &Actor, id: i64, cmd: Command, mut problems: Problems) -> Error {
    match apply(app, actor, id, cmd).await {
        Err(Error::Domain(e @ DomainError::InvalidInput(_))) => problems.absorb(e),
        // A refusal of the act itself (wrong step, not permitted) says more than the form's fields.
        Err(e) => return e,
        Ok(_) => {}
    }
    Error::Domain(problems.into_error())
}

/// A command applied in memory: the project before and after, the change to save, and when.
struct Applied {
    before: Project,
    after: Project,
    change: Change,
    now: chrono::DateTime<chrono::Utc>,
}

async fn apply(app: &App, actor: &Actor, id: i64, cmd: Command) -> Result<Applied> {
    let before = visible_project(app, actor, id).await?;
    let mut p = before.clone();
    let now = app.clock.now();
    let rules = &app.rules;
    let change: Change = match cmd {
        Command::EditDesign(req) => {
            let design = req.into_design(app).await?;
            let ctx = design_context(app, &design).await?;
            p.edit_design(actor, design, &ctx, now)?
        }
        Command::FinishDesign => p.finish_design(actor, now)?,
        Command::SetCost(req) => {
            let standards = app.store.standards().await?;
            p.set_cost_estimate(actor, &req.into_lines()?, &standards, rules, now)?
        }
        Command::SetFunding(req) => {
            let lines = req.into_lines(app, p.purchaser_org_id).await?;
            p.set_funding(actor, lines, now)?
        }
        Command::Submit => {
            let ctx = design_context(app, &p.design).await?;
            p.submit(actor, &ctx, now)?
        }
        Command::Review(req) => {
            let approve = yes_no(&req.decision, APPROVE, RETURN, "decision")?;
            p.review(actor, approve, &req.comment, now)?
        }
        Command::Award(req) => {
            let org = provider(app, req.provider_org_id).await?;
            // A procurement under way decides the provider; only a failed one leaves room for a direct purchase.
            if crate::procurements::latest_of(app, p.id)
                .await?
                .is_some_and(|q| q.stage != shanzhi_domain::procurement::Stage::Failed)
            {
                return Err(Error::Domain(DomainError::refused(
                    ErrorCode::ProcurementRunning,
                    "本项目已有正在进行的采购活动，不能直接确定承接主体",
                    "a procurement of this project is under way; the provider cannot be chosen directly",
                )));
            }
            p.award_direct(actor, org.provider_info(), &app.rules, &req.justification, now)?
        }
        Command::SignContract(req) => {
            // A framework agreement's contract follows what was called off under it.
            let procurement = crate::procurements::latest_of(app, p.id).await?;
            crate::credit::read_bar(app, &mut p).await?;
            p.sign_contract(actor, req.into_input()?, procurement.as_ref(), rules, china_date(now), now)?
        }
        Command::FileReport(index, req) => {
            let input = report_input(app, actor, &p, req).await?;
            p.file_report(actor, index, input, rules, now)?
        }
        Command::Decide(index, req) => {
            let accept = yes_no(&req.decision, ACCEPT, REJECT, "decision")?;
            p.decide_milestone(actor, index, accept, &req.reason, rules, now)?
        }
        Command::FillPost(index, req) => {
            let mut problems = Problems::default();
            let certification = parse_code(&mut problems, "certification", &req.certification, Certification::parse)
                .unwrap_or(Certification::None);
            let since = parse_date(&mut problems, "since", &req.since);
            problems.into_result()?;
            p.fill_post(actor, index, PostHolder { name: req.name, certification, since }, now)?
        }
        Command::VacatePost(index, req) => p.vacate_post(actor, index, &req.reason, now)?,
        Command::RecordVisit(req) => {
            let mut problems = Problems::default();
            let kind = parse_code(&mut problems, "kind", &req.kind, shanzhi_domain::project::VisitKind::parse);
            let on = parse_date(&mut problems, "on", &req.on);
            let input = shanzhi_domain::project::VisitInput {
                on,
                kind: kind.unwrap_or(shanzhi_domain::project::VisitKind::OnSite),
                findings: req.findings,
            };
            with_problems(problems, p.record_visit(actor, input, now))?
        }
        Command::Cancel(req) => p.cancel(actor, &req.reason, now)?,
        Command::Terminate(req) => p.terminate(actor, &req.reason, now)?,
        Command::ProposeSupplement(req) => {
            let mut problems = Problems::default();
            let amount = parse_money(&mut problems, "amount", &req.amount);
            let due = parse_date(&mut problems, "due", &req.due);
            let funding =
                match (crate::budgets::FundingRequest { lines: req.funding }).into_lines(app, p.purchaser_org_id).await
                {
                    Ok(lines) => lines,
                    Err(Error::Domain(e)) => {
                        problems.absorb(e);
                        Vec::new()
                    }
                    Err(e) => return Err(e),
                };
            let input =
                SupplementInput { amount, reason: req.reason, milestone_name: req.milestone_name, due, funding };
            with_problems(problems, p.propose_supplement(actor, input, rules, now))?
        }
        Command::ReviewSupplement(n, req) => {
            let approve = yes_no(&req.decision, APPROVE, RETURN, "decision")?;
            p.review_supplement(actor, n, approve, &req.comment, now)?
        }
        Command::SignSupplement(n, req) => {
            let mut problems = Problems::default();
            let signed_on = parse_date(&mut problems, "signed_on", &req.signed_on);
            with_problems(problems, p.sign_supplement(actor, n, signed_on, china_date(now), now))?
        }
    };
    Ok(Applied { before, after: p, change, now })
}

/// A post as listed across projects.
#[derive(Debug, Clone, Serialize)]
pub struct PostView {
    pub project_id: i64,
    pub project_code: String,
    pub index: usize,
    pub provider: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub status: &'static str,
    /// The standard's yearly cap, when the configured post standard exists.
    pub standard_cap: Option<Money>,
    pub above_standard: bool,
    #[serde(flatten)]
    pub post: shanzhi_domain::project::Post,
}

/// One page of posts `actor` may see, newest contracts first: every post of the contracts they may see, and
/// the posts seated in their own unit. A page holds the posts of up to `page.limit` projects.
pub async fn post_page(app: &App, actor: &Actor, page: PageRequest) -> Result<Page<PostView>> {
    let projects = app.store.post_page(&Scope::of(actor), actor.org_id, page).await?;
    let cap =
        app.store.standards().await?.into_iter().find(|s| s.code == app.rules.post_standard).map(|s| s.max_unit_price);
    let next = projects.next;
    let mut items = Vec::new();
    for p in &projects.items {
        let Some(c) = &p.contract else { continue };
        let sees_project = can_view(actor, p);
        for (index, post) in c.posts.iter().enumerate() {
            if sees_project || post.host_org_id == actor.org_id {
                items.push(PostView {
                    project_id: p.id,
                    project_code: p.code.clone(),
                    index,
                    provider: c.provider.name.clone(),
                    start: c.start,
                    end: c.end,
                    status: p.status.code(),
                    standard_cap: cap,
                    above_standard: cap.is_some_and(|c| post.yearly_cost > c),
                    post: post.clone(),
                });
            }
        }
    }
    Ok(Page { items, next })
}

/// How many posts `actor` may see (as [`post_page`] lists them): all, under running contracts, and held.
pub async fn post_counts(app: &App, actor: &Actor) -> Result<PostCounts> {
    Ok(app.store.post_counts(&Scope::of(actor), actor.org_id).await?)
}
