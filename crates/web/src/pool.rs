//! Provider self-registration (verified by civil affairs) and the expert pool (kept by finance): the rules
//! at the edge, shared by the JSON API handlers below and the pages.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use shanzhi_domain::committee::{Expert, FormerEmployment};
use shanzhi_domain::error::Problems;
use shanzhi_domain::org::{Actor, OrgKind, Organisation, Role};
use shanzhi_domain::DomainError;
use shanzhi_store::{By, ExpertEntry, NewUser, Registration, RegistrationDecision};

use crate::api::{check_account, ApiJson, OrganisationRequest};
use crate::auth::{self, ApiSession, Session};
use crate::error::{AppError, AppResult};
use crate::AppState;

// ---- Registration -------------------------------------------------------------------------------------

/// What an organisation gives when it registers itself as a provider.
#[derive(Debug, Default, Deserialize)]
pub struct RegistrationRequest {
    pub name: String,
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
pub async fn register(state: &AppState, req: RegistrationRequest) -> AppResult<Registration> {
    let mut p = Problems::default();
    let username = check_account(&mut p, &req.username, &req.display_name, &req.password);
    let key = registration_key(&username);
    let kind = OrgKind::parse(&req.kind);
    if kind.is_some_and(|k| !k.is_provider_kind()) {
        p.add(
            "kind",
            "not_provider_kind",
            "只有社会组织、企业、事业单位、农村集体经济组织、基层群众性自治组织和自然人可以注册为承接主体",
            "only social organisations, enterprises, public institutions, rural collectives, self-governing bodies and individuals may register as providers",
        );
    }
    if req.class_one {
        p.add(
            "class_one",
            "class_one_ineligible",
            "一类公益事业单位不能作为承接主体",
            "a class-one public-welfare institution may not be a provider",
        );
    }
    if req.contact.trim().is_empty() {
        p.add("contact", "required", "请填写联系人和联系电话", "enter a contact person and telephone number");
    }
    let region = req.region.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(String::from);
    if let Some(r) = &region {
        if !state.store.regions().await?.iter().any(|x| &x.code == r) {
            p.add("region", "unknown_region", "所在区划不存在", "no such region");
        }
    }
    if state.store.user_credentials(&username).await?.is_some()
        || state.store.organisation_by_key(&key).await?.is_some()
    {
        p.add("username", "username_taken", "该用户名已被使用，请换一个", "this username is taken; choose another");
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
                if state.store.organisations().await?.iter().any(|o| o.uscc.as_deref() == Some(uscc)) {
                    p.add(
                        "uscc",
                        "uscc_taken",
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
    let org = org.ok_or_else(|| AppError::Internal("organisation checked but missing".into()))?;
    let user = NewUser {
        username: username.clone(),
        display_name: req.display_name.trim().into(),
        org_id: 0,
        roles: vec![Role::Provider],
        supervisor_region: None,
        password_hash: auth::hash_password(&req.password, state.password_cost),
    };
    let by = By { user_id: None, name: format!("registrant:{username}"), org_id: None };
    Ok(state.store.register_provider(&by, org, user, state.clock.now()).await?)
}

/// Reviewers of civil affairs verify registrations; nobody else.
pub fn may_verify(actor: &Actor) -> bool {
    actor.has(Role::Reviewer) && actor.org_kind == OrgKind::CivilAffairs
}

/// Registrations for civil affairs: pending first, then decided, each in the order they came in.
pub async fn registrations(state: &AppState, actor: &Actor) -> AppResult<Vec<Registration>> {
    if !may_verify(actor) {
        return Err(AppError::forbidden("list_registrations"));
    }
    let mut all = state.store.registrations().await?;
    all.sort_by_key(|r| r.organisation.verification != shanzhi_domain::org::Verification::Pending);
    Ok(all)
}

/// The caller's own organisation's registration, for its status page.
pub async fn own_registration(state: &AppState, actor: &Actor) -> AppResult<Registration> {
    state.store.registration(actor.org_id).await?.ok_or_else(AppError::not_found)
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionRequest {
    #[serde(default)]
    pub reason: String,
}

/// Verifies or rejects a registration (a rejection needs its reason).
/// A rejection needs its reason: the applicant reads it.
pub fn rejection_reason(reason: &str) -> Result<String, DomainError> {
    match reason.trim() {
        "" => Err(DomainError::field(
            "reason",
            "required",
            "请写明驳回理由，申请单位将看到它",
            "give the reason for rejecting; the applicant will see it",
        )),
        r => Ok(r.into()),
    }
}

pub async fn decide(state: &AppState, s: &Session, org_id: i64, verify: bool, reason: &str) -> AppResult<Registration> {
    if !may_verify(&s.actor) {
        return Err(AppError::forbidden("verify_registration"));
    }
    if org_id == s.actor.org_id {
        return Err(AppError::forbidden("verify_own_organisation"));
    }
    let decision = if verify {
        RegistrationDecision::Verify
    } else {
        RegistrationDecision::Reject { reason: rejection_reason(reason)? }
    };
    Ok(state.store.decide_registration(&s.by(), org_id, &decision, state.clock.now()).await?)
}

// ---- Expert pool --------------------------------------------------------------------------------------

/// Finance keeps the pool: its reviewers and administrators, and administrators anywhere.
pub fn keeps_pool(actor: &Actor) -> bool {
    actor.has(Role::Admin) || (actor.is_finance_reviewer())
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct EmployerRequest {
    pub org_id: i64,
    /// The last day of the employment, `YYYY-MM-DD`.
    pub until: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct AccountRequest {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// An expert as finance adds or edits them. On adding, either `user_id` (an existing account) or
/// `new_user`; on editing both are ignored.
#[derive(Debug, Default, Deserialize)]
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
#[derive(Debug, Default, Deserialize)]
pub struct TiesRequest {
    #[serde(default)]
    pub former_employers: Vec<EmployerRequest>,
    #[serde(default)]
    pub declared_ties: Vec<i64>,
}

fn known_org(orgs: &[Organisation], id: i64) -> bool {
    orgs.iter().any(|o| o.id == id)
}

/// Checks former employers and declared ties against the organisations; employments end in the past.
fn check_ties(
    p: &mut Problems,
    orgs: &[Organisation],
    today: NaiveDate,
    employers: &[EmployerRequest],
    ties: &[i64],
) -> (Vec<FormerEmployment>, Vec<i64>) {
    let mut out = Vec::new();
    for (i, e) in employers.iter().enumerate() {
        let field = format!("former_employers[{i}]");
        if !known_org(orgs, e.org_id) {
            p.add(&field, "unknown_organisation", "曾任职单位不存在", "no such former employer");
            continue;
        }
        match NaiveDate::parse_from_str(e.until.trim(), "%Y-%m-%d") {
            Ok(until) if until > today => p.add(
                &field,
                "date_in_future",
                "离职日期不能晚于今天；仍在任职的单位请填为“现工作单位”",
                "the employment must have ended; give a current employer as the organisation instead",
            ),
            Ok(until) => out.push(FormerEmployment { org_id: e.org_id, until }),
            Err(_) => p.add(&field, "invalid_date", "离职日期格式应为 2024-06-30", "give the end date as 2024-06-30"),
        }
    }
    out.sort_by_key(|e| (e.org_id, e.until));
    out.dedup();
    let mut tied = Vec::new();
    for &t in ties {
        if !known_org(orgs, t) {
            p.add(
                "declared_ties",
                "unknown_organisation",
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
async fn check_expert(state: &AppState, p: &mut Problems, req: &ExpertRequest) -> AppResult<Expert> {
    let catalogue = state.store.catalogue().await?;
    let orgs = state.store.organisations().await?;
    let mut categories: Vec<String> = Vec::new();
    for c in req.categories.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if !catalogue.iter().any(|x| x.code == c && !x.negative) {
            p.add(
                "categories",
                "unknown_category",
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
            "required",
            "请至少选择一个可评审的服务类别",
            "choose at least one category the expert may evaluate",
        );
    }
    if req.org_id.is_some_and(|id| !known_org(&orgs, id)) {
        p.add("org_id", "unknown_organisation", "现工作单位不存在", "no such organisation");
    }
    let today = shanzhi_domain::clock::china_date(state.clock.now());
    let (former_employers, declared_ties) = check_ties(p, &orgs, today, &req.former_employers, &req.declared_ties);
    Ok(Expert { id: 0, name: String::new(), categories, org_id: req.org_id, former_employers, declared_ties })
}

/// Adds an expert to the pool, with a new account or an existing one.
pub async fn add_expert(state: &AppState, s: &Session, req: ExpertRequest) -> AppResult<ExpertEntry> {
    if !keeps_pool(&s.actor) {
        return Err(AppError::forbidden("add_expert"));
    }
    let mut p = Problems::default();
    let mut expert = check_expert(state, &mut p, &req).await?;
    let new_user = match (&req.user_id, &req.new_user) {
        (Some(id), None) => {
            if !state.store.users().await?.iter().any(|u| u.id == *id) {
                p.add("user_id", "unknown_user", "该用户不存在", "no such user");
            } else if state.store.expert_entry(*id).await?.is_some() {
                p.into_result()?;
                return Err(DomainError::refused(
                    "already_in_pool",
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
            if state.store.user_credentials(&username).await?.is_some() {
                p.add(
                    "username",
                    "username_taken",
                    "该用户名已被使用，请换一个",
                    "this username is taken; choose another",
                );
            }
            Some(NewUser {
                username,
                display_name: a.display_name.trim().into(),
                // The account belongs to the expert's organisation; a retired expert's to the pool's keeper.
                org_id: req.org_id.unwrap_or(s.actor.org_id),
                roles: vec![Role::Expert],
                supervisor_region: None,
                password_hash: auth::hash_password(&a.password, state.password_cost),
            })
        }
        _ => {
            p.add(
                "user_id",
                "account_required",
                "请选择已有用户，或为专家新建账户（二者选一）",
                "choose an existing user or create an account for the expert (one of the two)",
            );
            None
        }
    };
    p.into_result()?;
    Ok(state.store.add_expert(&s.by(), &expert, new_user, state.clock.now()).await?)
}

/// Finance changes an entry: categories, organisation, employers, ties, and whether it is drawn.
pub async fn update_expert(state: &AppState, s: &Session, id: i64, req: ExpertRequest) -> AppResult<ExpertEntry> {
    if !keeps_pool(&s.actor) {
        return Err(AppError::forbidden("edit_expert"));
    }
    let current = state.store.expert_entry(id).await?.ok_or_else(AppError::not_found)?;
    let mut p = Problems::default();
    let mut expert = check_expert(state, &mut p, &req).await?;
    p.into_result()?;
    expert.id = id;
    let active = req.active.unwrap_or(current.active);
    Ok(state.store.update_expert(&s.by(), &expert, active, state.clock.now()).await?)
}

/// The caller's own entry; only experts in the pool have one.
pub async fn own_entry(state: &AppState, actor: &Actor) -> AppResult<ExpertEntry> {
    if !actor.has(Role::Expert) {
        return Err(AppError::forbidden("read_own_expert_entry"));
    }
    state.store.expert_entry(actor.user_id).await?.ok_or_else(AppError::not_found)
}

/// An expert declares their own former employers and ties; everything else stays as finance set it.
pub async fn update_own(state: &AppState, s: &Session, req: TiesRequest) -> AppResult<ExpertEntry> {
    let current = own_entry(state, &s.actor).await?;
    let orgs = state.store.organisations().await?;
    let today = shanzhi_domain::clock::china_date(state.clock.now());
    let mut p = Problems::default();
    let (former_employers, declared_ties) = check_ties(&mut p, &orgs, today, &req.former_employers, &req.declared_ties);
    p.into_result()?;
    let expert = Expert { former_employers, declared_ties, ..current.expert };
    Ok(state.store.update_expert(&s.by(), &expert, current.active, state.clock.now()).await?)
}

/// One entry, for finance.
pub async fn entry(state: &AppState, actor: &Actor, id: i64) -> AppResult<ExpertEntry> {
    if !keeps_pool(actor) {
        return Err(AppError::forbidden("read_expert"));
    }
    state.store.expert_entry(id).await?.ok_or_else(AppError::not_found)
}

/// The whole pool, for finance.
pub async fn pool(state: &AppState, actor: &Actor) -> AppResult<Vec<ExpertEntry>> {
    if !keeps_pool(actor) {
        return Err(AppError::forbidden("list_experts"));
    }
    Ok(state.store.expert_pool().await?)
}

// ---- JSON handlers ------------------------------------------------------------------------------------

pub async fn api_register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegistrationRequest>,
) -> AppResult<Response> {
    let r = register(&state, req).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

pub async fn api_registrations(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
) -> AppResult<Json<Vec<Registration>>> {
    Ok(Json(registrations(&state, &s.actor).await?))
}

pub async fn api_own_registration(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
) -> AppResult<Json<Registration>> {
    Ok(Json(own_registration(&state, &s.actor).await?))
}

pub async fn api_verify(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Registration>> {
    Ok(Json(decide(&state, &s, id, true, "").await?))
}

pub async fn api_reject(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> AppResult<Json<Registration>> {
    Ok(Json(decide(&state, &s, id, false, &req.reason).await?))
}

pub async fn api_experts(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
) -> AppResult<Json<Vec<ExpertEntry>>> {
    Ok(Json(pool(&state, &s.actor).await?))
}

pub async fn api_add_expert(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<ExpertRequest>,
) -> AppResult<Response> {
    let e = add_expert(&state, &s, req).await?;
    Ok((StatusCode::CREATED, Json(e)).into_response())
}

pub async fn api_expert(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<ExpertEntry>> {
    Ok(Json(entry(&state, &s.actor, id).await?))
}

pub async fn api_update_expert(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ExpertRequest>,
) -> AppResult<Json<ExpertEntry>> {
    Ok(Json(update_expert(&state, &s, id, req).await?))
}

pub async fn api_own_expert(State(state): State<AppState>, ApiSession(s): ApiSession) -> AppResult<Json<ExpertEntry>> {
    Ok(Json(own_entry(&state, &s.actor).await?))
}

pub async fn api_update_own_expert(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(req): ApiJson<TiesRequest>,
) -> AppResult<Json<ExpertEntry>> {
    Ok(Json(update_own(&state, &s, req).await?))
}
