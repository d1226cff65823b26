//! Provider self-registration (verified by civil affairs) and the expert pool (kept by finance).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shanzhi_domain::committee::{Expert, FormerEmployment};
use shanzhi_domain::error::Problems;
use shanzhi_domain::org::{Actor, OrgKind, Role};
use shanzhi_domain::{DomainError, ErrorCode};
use shanzhi_store::{By, ExpertEntry, NewUser, Registration, RegistrationDecision};
use utoipa::ToSchema;

use crate::directory::{check_account, OrganisationRequest};
use crate::{App, Error, Result};

// ---- Registration -------------------------------------------------------------------------------------

/// What an organisation gives when it registers itself as a provider.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct RegistrationRequest {
    pub name: String,
    #[schema(value_type = OrgKind)]
    pub kind: String,
    #[serde(default)]
    pub uscc: Option<String>,
    /// Individuals only: their resident ID number, stored encrypted.
    #[serde(default)]
    pub resident_id: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub contact: String,
    /// A class-one public-welfare institution may not provide services; saying so ends the registration.
    #[serde(default)]
    pub class_one: bool,
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// The organisation's key: derived from the username, which is unique, so the registrant need not pick one.
pub fn registration_key(username: &str) -> String {
    let key = format!("reg-{username}");
    key.chars().take(40).collect()
}

/// Checks a registration, reporting every problem at once, and records it: the organisation pending and
/// inactive, its first user with the `provider` role (which it can use once civil affairs verifies it).
pub async fn register(app: &App, req: RegistrationRequest) -> Result<Registration> {
    let mut p = Problems::default();
    let username = check_account(&mut p, &req.username, &req.display_name, &req.password);
    let key = registration_key(&username);
    let kind = OrgKind::parse(&req.kind);
    if kind.is_some_and(|k| !k.is_provider_kind()) {
        p.add(
            "kind",
            ErrorCode::NotProviderKind,
            "只有社会组织、企业、事业单位、农村集体经济组织、基层群众性自治组织和自然人可以注册为承接主体",
            "only social organisations, enterprises, public institutions, rural collectives, self-governing bodies and individuals may register as providers",
        );
    }
    if req.class_one {
        p.add(
            "class_one",
            ErrorCode::ClassOneIneligible,
            "一类公益事业单位不能作为承接主体",
            "a class-one public-welfare institution may not be a provider",
        );
    }
    if req.contact.trim().is_empty() {
        p.add("contact", ErrorCode::Required, "请填写联系人和联系电话", "enter a contact person and telephone number");
    }
    let region = req.region.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(String::from);
    if let Some(r) = &region {
        if app.store.region(r).await?.is_none() {
            p.add("region", ErrorCode::UnknownRegion, "所在区划不存在", "no such region");
        }
    }
    if app.store.user_credentials(&username).await?.is_some() || app.store.organisation_by_key(&key).await?.is_some() {
        p.add(
            "username",
            ErrorCode::UsernameTaken,
            "该用户名已被使用，请换一个",
            "this username is taken; choose another",
        );
    }
    let org = OrganisationRequest {
        key,
        name: req.name,
        kind: req.kind,
        uscc: req.uscc.map(|u| u.trim().to_ascii_uppercase()),
        resident_id: req.resident_id,
        region: region.clone(),
        parent_id: None,
        class_one: false,
        active: false,
        contact: req.contact.trim().into(),
    }
    .into_new();
    let org = match org {
        Ok(org) => {
            if let Some(uscc) = &org.uscc {
                if app.store.organisation_by_uscc(uscc).await?.is_some() {
                    p.add(
                        "uscc",
                        ErrorCode::UsccTaken,
                        "该统一社会信用代码已经登记，请联系民政部门",
                        "an organisation with this unified social credit code is already registered; contact civil affairs",
                    );
                }
            }
            Some(org)
        }
        // The key is derived from the username, whose own problem is already reported.
        Err(DomainError::InvalidInput(fields)) => {
            p.absorb(DomainError::InvalidInput(fields.into_iter().filter(|f| f.field != "key").collect()));
            None
        }
        Err(e) => return Err(e.into()),
    };
    p.into_result()?;
    let org = org.ok_or_else(|| Error::Internal("organisation checked but missing".into()))?;
    let user = NewUser {
        username: username.clone(),
        display_name: req.display_name.trim().into(),
        org_id: 0,
        roles: vec![Role::Provider],
        supervisor_region: None,
        password_hash: crate::sessions::hash_password(&req.password, app.password_cost),
    };
    let by = By { user_id: None, name: format!("registrant:{username}"), org_id: None };
    Ok(app.store.register_provider(&by, org, user, app.clock.now()).await?)
}

/// Reviewers of civil affairs verify registrations; nobody else.
pub fn may_verify(actor: &Actor) -> bool {
    actor.has(Role::Reviewer) && actor.org_kind == OrgKind::CivilAffairs
}

/// A page of the registrations in `state` (any when none), newest first, for civil affairs.
pub async fn registrations(
    app: &App,
    actor: &Actor,
    state: Option<shanzhi_domain::org::Verification>,
    page: shanzhi_store::PageRequest,
) -> Result<shanzhi_store::Page<Registration>> {
    if !may_verify(actor) {
        return Err(Error::forbidden("list_registrations"));
    }
    Ok(app.store.registration_page(state, page).await?)
}

/// The caller's own organisation's registration, for its status page.
pub async fn own_registration(app: &App, actor: &Actor) -> Result<Registration> {
    app.store.registration(actor.org_id).await?.ok_or_else(Error::not_found)
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct RejectionRequest {
    #[serde(default)]
    pub reason: String,
}

/// Verifies or rejects a registration (a rejection needs its reason).
/// A rejection needs its reason: the applicant reads it.
pub fn rejection_reason(reason: &str) -> Result<String, DomainError> {
    match reason.trim() {
        "" => Err(DomainError::field(
            "reason",
            ErrorCode::Required,
            "请写明驳回理由，申请单位将看到它",
            "give the reason for rejecting; the applicant will see it",
        )),
        r => Ok(r.into()),
    }
}

pub async fn decide(app: &App, actor: &Actor, org_id: i64, verify: bool, reason: &str) -> Result<Registration> {
    if !may_verify(actor) {
        return Err(Error::forbidden("verify_registration"));
    }
    if org_id == actor.org_id {
        return Err(Error::forbidden("verify_own_organisation"));
    }
    let decision = if verify {
        // Only a pending registration needs its documents; a decided or unknown one the store refuses as such.
        let pending = app.store.registration(org_id).await?;
        if pending.is_some_and(|r| r.organisation.verification == shanzhi_domain::org::Verification::Pending) {
            crate::registry::check_verifiable(app, org_id).await?;
        }
        RegistrationDecision::Verify
    } else {
        RegistrationDecision::Reject { reason: rejection_reason(reason)? }
    };
    Ok(app.store.decide_registration(&By::actor(actor), org_id, &decision, app.clock.now()).await?)
}

// ---- Expert pool --------------------------------------------------------------------------------------

/// Finance keeps the pool: its reviewers and administrators, and administrators anywhere.
pub fn keeps_pool(actor: &Actor) -> bool {
    actor.has(Role::Admin) || (actor.is_finance_reviewer())
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct EmployerRequest {
    pub org_id: i64,
    /// The last day of the employment, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub until: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct AccountRequest {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// An expert as finance adds or edits them. On adding, either `user_id` (an existing account) or
/// `new_user`; on editing both are ignored.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct ExpertRequest {
    #[serde(default)]
    pub user_id: Option<i64>,
    #[serde(default)]
    pub new_user: Option<AccountRequest>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub org_id: Option<i64>,
    #[serde(default)]
    pub former_employers: Vec<EmployerRequest>,
    #[serde(default)]
    pub declared_ties: Vec<i64>,
    /// On editing: `false` takes the expert out of the draw; absent keeps the current state.
    #[serde(default)]
    pub active: Option<bool>,
}

/// What an expert may change about themself.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct TiesRequest {
    #[serde(default)]
    pub former_employers: Vec<EmployerRequest>,
    #[serde(default)]
    pub declared_ties: Vec<i64>,
}

/// Those of `ids` (an expert's employers, ties and seat: a handful) that name an organisation, each read by its
/// id.
async fn known_orgs(app: &App, ids: impl IntoIterator<Item = i64>) -> Result<BTreeSet<i64>> {
    let mut known = BTreeSet::new();
    for id in ids.into_iter().collect::<BTreeSet<_>>() {
        if app.store.organisation(id).await?.is_some() {
            known.insert(id);
        }
    }
    Ok(known)
}

/// The organisations an expert's request names.
fn named_orgs(employers: &[EmployerRequest], ties: &[i64]) -> Vec<i64> {
    employers.iter().map(|e| e.org_id).chain(ties.iter().copied()).collect()
}

/// Checks former employers and declared ties against the organisations; employments end in the past.
fn check_ties(
    p: &mut Problems,
    known: &BTreeSet<i64>,
    today: NaiveDate,
    employers: &[EmployerRequest],
    ties: &[i64],
) -> (Vec<FormerEmployment>, Vec<i64>) {
    let mut out = Vec::new();
    for (i, e) in employers.iter().enumerate() {
        let field = format!("former_employers[{i}]");
        if !known.contains(&e.org_id) {
            p.add(&field, ErrorCode::UnknownOrganisation, "曾任职单位不存在", "no such former employer");
            continue;
        }
        match NaiveDate::parse_from_str(e.until.trim(), "%Y-%m-%d") {
            Ok(until) if until > today => p.add(
                &field,
                ErrorCode::DateInFuture,
                "离职日期不能晚于今天；仍在任职的单位请填为“现工作单位”",
                "the employment must have ended; give a current employer as the organisation instead",
            ),
            Ok(until) => out.push(FormerEmployment { org_id: e.org_id, until }),
            Err(_) if e.until.trim().is_empty() => {
                p.add(&field, ErrorCode::Required, "请填写在该单位的离职日期", "give the last day worked there")
            }
            Err(_) => {
                p.add(&field, ErrorCode::InvalidDate, "离职日期格式应为 2024-06-30", "give the end date as 2024-06-30")
            }
        }
    }
    out.sort_by_key(|e| (e.org_id, e.until));
    out.dedup();
    let mut tied = Vec::new();
    for &t in ties {
        if !known.contains(&t) {
            p.add(
                "declared_ties",
                ErrorCode::UnknownOrganisation,
                "申报关联的单位不存在",
                "no such organisation among the declared ties",
            );
        } else if !tied.contains(&t) {
            tied.push(t);
        }
    }
    (out, tied)
}

/// Checks the finance-managed fields and builds the domain expert (`id` and `name` filled in by the caller).
async fn check_expert(app: &App, p: &mut Problems, req: &ExpertRequest) -> Result<Expert> {
    let catalogue = app.store.catalogue().await?;
    let orgs =
        known_orgs(app, named_orgs(&req.former_employers, &req.declared_ties).into_iter().chain(req.org_id)).await?;
    let mut categories: Vec<String> = Vec::new();
    for c in req.categories.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if !catalogue.iter().any(|x| x.code == c && !x.negative) {
            p.add(
                "categories",
                ErrorCode::UnknownCategory,
                format!("“{c}”不是指导性目录中的服务类别"),
                format!("“{c}” is not a category of the guidance catalogue"),
            );
        } else if !categories.iter().any(|x| x == c) {
            categories.push(c.into());
        }
    }
    if req.categories.iter().all(|c| c.trim().is_empty()) {
        p.add(
            "categories",
            ErrorCode::Required,
            "请至少选择一个可评审的服务类别",
            "choose at least one category the expert may evaluate",
        );
    }
    if req.org_id.is_some_and(|id| !orgs.contains(&id)) {
        p.add("org_id", ErrorCode::UnknownOrganisation, "现工作单位不存在", "no such organisation");
    }
    let today = shanzhi_domain::clock::china_date(app.clock.now());
    let (former_employers, declared_ties) = check_ties(p, &orgs, today, &req.former_employers, &req.declared_ties);
    Ok(Expert { id: 0, name: String::new(), categories, org_id: req.org_id, former_employers, declared_ties })
}

/// Adds an expert to the pool, with a new account or an existing one.
pub async fn add_expert(app: &App, actor: &Actor, req: ExpertRequest) -> Result<ExpertEntry> {
    if !keeps_pool(actor) {
        return Err(Error::forbidden("add_expert"));
    }
    let mut p = Problems::default();
    let mut expert = check_expert(app, &mut p, &req).await?;
    let new_user = match (&req.user_id, &req.new_user) {
        (Some(id), None) => {
            if app.store.user(*id).await?.is_none() {
                p.add("user_id", ErrorCode::UnknownUser, "该用户不存在", "no such user");
            } else if app.store.expert_entry(*id).await?.is_some() {
                p.into_result()?;
                return Err(DomainError::refused(
                    ErrorCode::AlreadyInPool,
                    "该用户已在专家库中，请修改原有记录",
                    "this user is already in the expert pool; edit their entry instead",
                )
                .into());
            }
            expert.id = *id;
            None
        }
        (None, Some(a)) => {
            let username = check_account(&mut p, &a.username, &a.display_name, &a.password);
            if app.store.user_credentials(&username).await?.is_some() {
                p.add(
                    "username",
                    ErrorCode::UsernameTaken,
                    "该用户名已被使用，请换一个",
                    "this username is taken; choose another",
                );
            }
            Some(NewUser {
                username,
                display_name: a.display_name.trim().into(),
                // The account belongs to the expert's organisation; a retired expert's to the pool's keeper.
                org_id: req.org_id.unwrap_or(actor.org_id),
                roles: vec![Role::Expert],
                supervisor_region: None,
                password_hash: crate::sessions::hash_password(&a.password, app.password_cost),
            })
        }
        _ => {
            p.add(
                "user_id",
                ErrorCode::AccountRequired,
                "请选择已有用户，或为专家新建账户（二者选一）",
                "choose an existing user or create an account for the expert (one of the two)",
            );
            None
        }
    };
    p.into_result()?;
    Ok(app.store.add_expert(&By::actor(actor), &expert, new_user, app.clock.now()).await?)
}

/// Finance changes an entry: categories, organisation, employers, ties, and whether it is drawn.
pub async fn update_expert(app: &App, actor: &Actor, id: i64, req: ExpertRequest) -> Result<ExpertEntry> {
    if !keeps_pool(actor) {
        return Err(Error::forbidden("edit_expert"));
    }
    let current = app.store.expert_entry(id).await?.ok_or_else(Error::not_found)?;
    let mut p = Problems::default();
    let mut expert = check_expert(app, &mut p, &req).await?;
    p.into_result()?;
    expert.id = id;
    let active = req.active.unwrap_or(current.active);
    Ok(app.store.update_expert(&By::actor(actor), &expert, active, app.clock.now()).await?)
}

/// The caller's own entry; only experts in the pool have one.
pub async fn own_entry(app: &App, actor: &Actor) -> Result<ExpertEntry> {
    if !actor.has(Role::Expert) {
        return Err(Error::forbidden("read_own_expert_entry"));
    }
    app.store.expert_entry(actor.user_id).await?.ok_or_else(Error::not_found)
}

/// An expert declares their own former employers and ties; everything else stays as finance set it.
pub async fn update_own(app: &App, actor: &Actor, req: TiesRequest) -> Result<ExpertEntry> {
    let current = own_entry(app, actor).await?;
    let orgs = known_orgs(app, named_orgs(&req.former_employers, &req.declared_ties)).await?;
    let today = shanzhi_domain::clock::china_date(app.clock.now());
    let mut p = Problems::default();
    let (former_employers, declared_ties) = check_ties(&mut p, &orgs, today, &req.former_employers, &req.declared_ties);
    p.into_result()?;
    let expert = Expert { former_employers, declared_ties, ..current.expert };
    Ok(app.store.update_expert(&By::actor(actor), &expert, current.active, app.clock.now()).await?)
}

/// One entry, for finance.
pub async fn entry(app: &App, actor: &Actor, id: i64) -> Result<ExpertEntry> {
    if !keeps_pool(actor) {
        return Err(Error::forbidden("read_expert"));
    }
    app.store.expert_entry(id).await?.ok_or_else(Error::not_found)
}

/// A page of the pool, inactive entries included, newest first, for finance.
pub async fn pool(
    app: &App,
    actor: &Actor,
    page: shanzhi_store::PageRequest,
) -> Result<shanzhi_store::Page<ExpertEntry>> {
    if !keeps_pool(actor) {
        return Err(Error::forbidden("list_experts"));
    }
    Ok(app.store.expert_pool_page(page).await?)
}
