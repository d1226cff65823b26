//! Applications for a method other than open tender at or above the open-tender threshold, and the decisions of
//! the finance department of a city with districts or above: shared by the JSON API and the pages.

use serde::{Deserialize, Serialize};

use shanzhi_domain::org::{Actor, OrgKind, RegionLevel, Role};
use shanzhi_domain::procurement::approval::{ApprovalContext, ApprovalInput, Consent};
use shanzhi_domain::procurement::{Authority, Method, MethodApproval, Procurement, SingleSource, Stage};
use shanzhi_domain::project::Status;
use shanzhi_domain::{DomainError, ErrorCode};

use shanzhi_store::{ApprovalFilter, By};
use utoipa::ToSchema;

use crate::{App, Error, Page, PageRequest, Result};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ApprovalRequest {
    #[schema(value_type = Method)]
    pub method: String,
    pub reason: String,
    pub consent: Consent,
    #[serde(default)]
    pub single_source: Option<SingleSource>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DecisionRequest {
    pub approve: bool,
    #[serde(default)]
    pub document_no: String,
    #[serde(default)]
    pub comment: String,
}

fn field(f: &str, code: ErrorCode, zh: &str, en: &str) -> Error {
    Error::Domain(DomainError::field(f, code, zh, en))
}

/// The actor's organisation as a deciding authority: its kind and the region it governs.
pub async fn authority_of(app: &App, actor: &Actor) -> Result<Authority> {
    let org = app.store.organisation(actor.org_id).await?.ok_or_else(Error::not_found)?;
    let region = match &org.region {
        Some(code) => app.store.region(code).await?,
        None => None,
    };
    Ok(Authority { org_id: org.id, name: org.name, kind: org.kind, region })
}

/// A project's applications, oldest first.
pub async fn of_project(app: &App, project_id: i64) -> Result<Vec<MethodApproval>> {
    Ok(app.store.method_approvals_of_project(project_id).await?)
}

/// The project's latest approved application, which a procurement of that method may rely on.
pub async fn approved_of(app: &App, project_id: i64) -> Result<Option<MethodApproval>> {
    let all = app.store.method_approvals_of_project(project_id).await?;
    Ok(all.into_iter().rev().find(|a| a.decision.as_ref().is_some_and(|d| d.approved)))
}

/// The single-source provider named in documents or an application: an eligible provider of that name and of a
/// kind `admits` allows.
pub async fn check_single_source(
    app: &App,
    field_name: &str,
    s: &SingleSource,
    admits: impl Fn(OrgKind) -> bool,
) -> Result<()> {
    let org = app.store.organisation(s.provider_org_id).await?;
    if org.is_some_and(|o| o.is_eligible_provider() && o.name == s.provider_name && admits(o.kind)) {
        return Ok(());
    }
    Err(field(
        field_name,
        ErrorCode::UnknownOrganisation,
        "单一来源供应商不存在或不是合格的承接主体",
        "the single-source provider does not exist or is not eligible",
    ))
}

/// The purchaser applies for another method for its project, before any procurement of it starts.
pub async fn request(app: &App, actor: &Actor, project_id: i64, req: ApprovalRequest) -> Result<MethodApproval> {
    let project = crate::projects::visible_project(app, actor, project_id).await?;
    if project.status != Status::Procurement {
        return Err(Error::Domain(DomainError::WrongStep {
            action: "request_method_approval",
            status: project.status.code(),
        }));
    }
    let method = Method::parse(&req.method)
        .ok_or_else(|| field("method", ErrorCode::UnknownValue, "请选择采购方式", "choose a procurement method"))?;
    if let Some(s) = &req.single_source {
        check_single_source(app, "single_source.provider_org_id", s, |_| true).await?;
    }
    let procurements = app.store.procurements_of_project(project_id).await?;
    let applications = app.store.method_approvals_of_project(project_id).await?;
    let same_kind_total = crate::procurements::same_kind_total(app, &project).await?;
    let ctx = ApprovalContext {
        project_id,
        project_code: project.code.clone(),
        title: project.design.title.clone(),
        purchaser_org_id: project.purchaser_org_id,
        purchaser_name: project.purchaser_name.clone(),
        region: project.design.regions.first().cloned().unwrap_or_default(),
        budget: project.approved_amount().unwrap_or(project.total()),
        same_kind_total,
        started: !procurements.is_empty(),
        notice_ended: notice_ended(procurements.last(), app.clock.now()),
        pending: applications.iter().any(|a| a.decision.is_none()),
        rules: &app.rules,
    };
    let input = ApprovalInput { method, reason: req.reason, consent: req.consent, single_source: req.single_source };
    let now = app.clock.now();
    let (a, change) = MethodApproval::request(&ctx, input, actor, now)?;
    Ok(app.store.insert_method_approval(&By::actor(actor), a, &change, now).await?)
}

/// The application if the actor may see it; otherwise 404.
pub async fn visible(app: &App, actor: &Actor, id: i64) -> Result<MethodApproval> {
    match app.store.method_approval(id).await? {
        Some(a) if a.can_view(actor) => Ok(a),
        _ => Err(Error::Domain(DomainError::NotFound { what: "method approval" })),
    }
}

/// The finance department of a city with districts or above decides.
pub async fn decide(app: &App, actor: &Actor, id: i64, req: DecisionRequest) -> Result<MethodApproval> {
    let before = visible(app, actor, id).await?;
    let authority = authority_of(app, actor).await?;
    let mut a = before.clone();
    let now = app.clock.now();
    let change = a.decide(actor, &authority, req.approve, &req.document_no, &req.comment, now)?;
    app.store.save_method_approval(&By::actor(actor), &before, &a, &change, now).await?;
    Ok(a)
}

/// A page of the applications the actor may see, newest first: an authority's and a supervisor's in their
/// region, finance's and the administrator's everywhere, a department's own (the domain's
/// `MethodApproval::can_view`, as a query); only those still waiting for a decision when `pending_only` (a work
/// queue, which need not read the decided ones of every past year).
pub async fn list(app: &App, actor: &Actor, pending_only: bool, page: PageRequest) -> Result<Page<MethodApproval>> {
    let region = if actor.has(Role::Admin) {
        Some(String::new())
    } else if actor.has(Role::Supervisor) {
        actor.supervisor_region.clone()
    } else if actor.is_finance_reviewer() || actor.is_upper_finance_reviewer() {
        match authority_of(app, actor).await?.region {
            Some(r) if matches!(r.level, RegionLevel::City | RegionLevel::Province) => Some(r.code),
            _ => Some(String::new()),
        }
    } else {
        None
    };
    let filter = ApprovalFilter { own_org: actor.org_id, region, pending_only };
    Ok(app.store.method_approval_page(&filter, page).await?)
}

/// Whether the actor decides applications: a reviewer of a finance department of a city with districts or above.
pub async fn decides(app: &App, actor: &Actor) -> Result<bool> {
    if !actor.is_upper_finance_reviewer() {
        return Ok(false);
    }
    let a = authority_of(app, actor).await?;
    Ok(a.region.as_ref().is_some_and(|r| a.approves_for(&r.code)))
}

/// Whether the project's single source (only one supplier) has run its notice and now waits for the approval.
fn notice_ended(last: Option<&Procurement>, now: chrono::DateTime<chrono::Utc>) -> bool {
    last.is_some_and(|p| {
        p.stage == Stage::Notice
            && p.approval_required
            && p.approval.is_none()
            && p.bid_deadline.is_some_and(|d| now >= d)
    })
}

/// Whether the purchaser may apply now: at the procurement step before any procurement starts, or once a single
/// source's notice has ended.
pub fn may_apply(project_status: Status, procurements: &[Procurement], now: chrono::DateTime<chrono::Utc>) -> bool {
    project_status == Status::Procurement && (procurements.is_empty() || notice_ended(procurements.last(), now))
}
