//! Performance evaluation's use cases: the purchaser commissions a third-party evaluator (checked for conflicts
//! against its declared ties and the provider's last evaluators), each party submits its scores, and evaluators
//! declare their ties to providers. The evaluation lives in the project's record, so each act is saved like any
//! project change, with its audit event and the result notice it publishes ([`crate::projects::record`]).

use serde::{Deserialize, Serialize};
use shanzhi_domain::error::Problems;
use shanzhi_domain::evaluation::{Candidate, IndicatorScore, PartInput, Tie, TieKind};
use shanzhi_domain::org::{Actor, OrgKind, Organisation, Role, Verification};
use shanzhi_domain::project::Project;
use shanzhi_domain::{DomainError, ErrorCode};
use shanzhi_store::{By, OrganisationFilter, Page, PageRequest};
use utoipa::ToSchema;

use crate::projects::{parse_code, parse_date, parse_quantity, record, visible_project};
use crate::{App, Error, Result};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct StartEvaluationRequest {
    /// The third-party evaluator organisation to commission.
    pub evaluator_org_id: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ScoreRequest {
    pub indicator: String,
    /// What was achieved, in the target's unit, at most two decimals.
    pub achieved: String,
    pub evidence: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct EvaluationRequest {
    /// One per indicator scored; an indicator left out scores nothing.
    pub scores: Vec<ScoreRequest>,
    pub comment: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TieRequest {
    pub provider_org_id: i64,
    #[schema(value_type = TieKind)]
    pub kind: String,
    #[schema(format = Date)]
    pub since: String,
    /// Left out or empty: the tie still runs.
    #[serde(default)]
    #[schema(format = Date)]
    pub until: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// Whether `org` may be commissioned as a third-party evaluator: of that kind, active and verified.
pub fn is_evaluator(org: &Organisation) -> bool {
    org.kind == OrgKind::ThirdPartyEvaluator && org.active && org.verification == Verification::Verified
}

/// The organisations a purchaser may choose from: active, verified third-party evaluators.
pub async fn evaluators(app: &App, page: PageRequest) -> Result<Page<Organisation>> {
    let filter = OrganisationFilter {
        kind: Some(OrgKind::ThirdPartyEvaluator),
        active_only: true,
        verified_or: Some(0),
        ..Default::default()
    };
    Ok(app.store.organisation_page(&filter, page).await?)
}

/// What the conflict check knows of `org` as the evaluator of project `p`'s provider.
pub async fn candidate(app: &App, p: &Project, org: &Organisation) -> Result<Candidate> {
    let provider = p.contract.as_ref().map_or(0, |c| c.provider.org_id);
    let limit = app.rules.evaluation.consecutive_limit;
    Ok(Candidate {
        org_id: org.id,
        org_name: org.name.clone(),
        is_evaluator: is_evaluator(org),
        ties: app.store.ties_between(org.id, provider).await?,
        recent_evaluators: app.store.recent_evaluators(provider, p.id, limit).await?,
    })
}

/// The purchaser commissions a third-party evaluator for project `id`, which starts its evaluation.
pub async fn start(app: &App, actor: &Actor, id: i64, req: StartEvaluationRequest) -> Result<Project> {
    let before = visible_project(app, actor, id).await?;
    // Who may and when comes first: a refusal of the act says more than one about the evaluator chosen.
    before.may_start_evaluation(actor)?;
    let org = app.store.organisation(req.evaluator_org_id).await?.ok_or_else(|| {
        DomainError::field("evaluator_org_id", ErrorCode::UnknownOrganisation, "评估机构不存在", "no such evaluator")
    })?;
    let candidate = candidate(app, &before, &org).await?;
    let now = app.clock.now();
    let mut after = before.clone();
    let change = after.start_evaluation(actor, &candidate, &app.rules, now)?;
    record(app, actor, &before, &after, &change, now).await?;
    Ok(after)
}

/// `actor` submits its party's evaluation of project `id`.
pub async fn submit(app: &App, actor: &Actor, id: i64, req: EvaluationRequest) -> Result<Project> {
    let before = visible_project(app, actor, id).await?;
    before.may_evaluate(actor)?;
    let mut problems = Problems::default();
    let scores: Vec<IndicatorScore> = req
        .scores
        .into_iter()
        .enumerate()
        .filter(|(_, s)| !(s.achieved.trim().is_empty() && s.evidence.trim().is_empty()))
        .map(|(i, s)| IndicatorScore {
            achieved: parse_quantity(&mut problems, &format!("scores[{i}].achieved"), s.achieved.trim()),
            indicator: s.indicator,
            evidence: s.evidence,
        })
        .collect();
    let input = PartInput { scores, comment: req.comment };
    if let Err(e) = shanzhi_domain::evaluation::check_part(&before.design.targets, &input) {
        problems.absorb(e);
    }
    problems.into_result()?;
    let now = app.clock.now();
    let mut after = before.clone();
    let change = after.submit_evaluation(actor, input, &app.rules, now)?;
    record(app, actor, &before, &after, &change, now).await?;
    Ok(after)
}

/// An evaluator declares a tie of its own organisation to a provider.
pub async fn declare_tie(app: &App, actor: &Actor, req: TieRequest) -> Result<Tie> {
    if !actor.has(Role::Evaluator) || actor.org_kind != OrgKind::ThirdPartyEvaluator {
        return Err(Error::Domain(DomainError::NotPermitted { action: "declare_tie" }));
    }
    let mut problems = Problems::default();
    let kind = parse_code(&mut problems, "kind", &req.kind, TieKind::parse);
    let since = parse_date(&mut problems, "since", &req.since);
    let until = req.until.as_deref().filter(|u| !u.trim().is_empty()).map(|u| parse_date(&mut problems, "until", u));
    match app.store.organisation(req.provider_org_id).await? {
        Some(org) if org.is_eligible_provider() => {}
        _ => problems.add("provider_org_id", ErrorCode::UnknownOrganisation, "承接主体不存在", "no such provider"),
    }
    let tie = Tie {
        id: 0,
        evaluator_org_id: actor.org_id,
        provider_org_id: req.provider_org_id,
        kind: kind.unwrap_or(TieKind::Other),
        since,
        until,
        note: req.note,
    };
    if let Err(e) = tie.check() {
        problems.absorb(e);
    }
    problems.into_result()?;
    Ok(app.store.declare_tie(&By::actor(actor), tie, app.clock.now()).await?)
}

/// The ties `actor`'s evaluator organisation has declared, newest first.
pub async fn own_ties(app: &App, actor: &Actor, page: PageRequest) -> Result<Page<Tie>> {
    if !actor.has(Role::Evaluator) {
        return Err(Error::Domain(DomainError::NotPermitted { action: "list_ties" }));
    }
    Ok(app.store.ties_of(actor.org_id, page).await?)
}

/// A project's evaluation as one reader reads it: the targets it scores, the evaluation (before the result a
/// provider or evaluator reads only its own part), who it waits for and what the reader may do now.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationView {
    pub project_id: i64,
    pub targets: Vec<shanzhi_domain::project::PerformanceTarget>,
    pub evaluation: Option<shanzhi_domain::evaluation::Evaluation>,
    pub waiting_for: Vec<shanzhi_domain::evaluation::Party>,
    /// The reader may commission the evaluator now.
    pub may_start: bool,
    /// The party the reader may submit as now.
    pub evaluate_as: Option<shanzhi_domain::evaluation::Party>,
    /// The final milestone pays by the grade.
    pub final_payment_by_grade: bool,
}

impl EvaluationView {
    pub fn of(actor: &Actor, p: Project) -> EvaluationView {
        use shanzhi_domain::visibility::{project_access, project_for, ProjectAccess};
        let may_start = p.may_start_evaluation(actor).is_ok();
        let evaluate_as = p.may_evaluate(actor).ok();
        let final_payment_by_grade = p.contract.as_ref().is_some_and(|c| c.final_payment_by_grade);
        let waiting_for = p.evaluation.as_ref().map(|e| e.waiting_for()).unwrap_or_default();
        let access = project_access(actor, &p).unwrap_or(ProjectAccess::Provider);
        let p = project_for(access, p);
        EvaluationView {
            project_id: p.id,
            targets: p.design.targets,
            evaluation: p.evaluation,
            waiting_for,
            may_start,
            evaluate_as,
            final_payment_by_grade,
        }
    }
}

/// Project `id`'s evaluation as `actor` reads it.
pub async fn view(app: &App, actor: &Actor, id: i64) -> Result<EvaluationView> {
    Ok(EvaluationView::of(actor, visible_project(app, actor, id).await?))
}

/// Project `id`'s progress against its targets as of its latest service report, as `actor` may read it.
pub async fn progress(app: &App, actor: &Actor, id: i64) -> Result<Vec<shanzhi_domain::project::Progress>> {
    Ok(visible_project(app, actor, id).await?.progress(app.rules.behind_target_tolerance_bp))
}
