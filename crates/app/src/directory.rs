//! Who is who: organisations and the people who act for them, kept by the administrator. Lists are pages; an
//! organisation's contact is shown only to those who may read it.

use serde::{Deserialize, Serialize};
use shanzhi_domain::error::Problems;
use shanzhi_domain::ids::{ResidentId, Uscc};
use shanzhi_domain::org::{valid_username, Actor, OrgKind, Organisation, Role, User};
use shanzhi_domain::DomainError;
use shanzhi_domain::{visibility, ErrorCode};
use shanzhi_store::{Account, By, NewOrganisation, NewUser, OrganisationFilter, Page, PageRequest, UserFilter};
use utoipa::ToSchema;

use crate::{App, Error, Result};

fn require(actor: &Actor, role: Role, action: &'static str) -> Result<()> {
    if actor.has(role) {
        Ok(())
    } else {
        Err(Error::forbidden(action))
    }
}

/// One page of the organisations `actor` may list (verified ones and its own: `visibility::lists_organisation`),
/// each with its contact only where `actor` may read it.
pub async fn organisation_page(
    app: &App,
    actor: &Actor,
    filter: OrganisationFilter,
    page: PageRequest,
) -> Result<Page<Organisation>> {
    if !visibility::may_list_organisations(actor) {
        return Err(Error::forbidden("list_organisations"));
    }
    let filter = OrganisationFilter { verified_or: Some(actor.org_id), ..filter };
    let page = app.store.organisation_page(&filter, page).await?;
    crate::reference::check_region_filter(app, filter.region.as_deref(), !page.items.is_empty()).await?;
    Ok(page.map(|mut o| {
        if !visibility::sees_contact(actor, &o) {
            o.contact = String::new();
        }
        o
    }))
}

/// Which organisations a form's choice may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Organisations that may provide purchased services (an award, a single source).
    Providers,
    /// Purchasing departments (a budget line's holder).
    Departments,
    /// Any active organisation (a social-work post's host).
    Active,
    /// Any organisation (an expert's employer, a new user's or organisation's parent).
    Any,
}

/// The most organisations a form's choice lists; any other is named by its credit code.
pub const CHOICES: u32 = crate::MAX_LIMIT;

/// The place whose organisations `actor`'s forms offer: the county (district) of its organisation's region,
/// or that region when it is a city's or the province's; none for an organisation without a place.
pub async fn home_place(app: &App, actor: &Actor) -> Result<Option<String>> {
    let org = app.store.organisation(actor.org_id).await?;
    Ok(org.and_then(|o| o.region).map(|r| shanzhi_domain::org::county_of(&r).to_string()))
}

/// What a form offers `actor` to choose from: the organisations of `offer` in its home place ([`home_place`]),
/// at most [`CHOICES`] of them, by name, with those of `keep` (the form's current values) wherever they are.
/// A province's registry is never read whole: an organisation elsewhere is named by its credit code.
pub async fn choices(app: &App, actor: &Actor, offer: Offer, keep: &[i64]) -> Result<Vec<Organisation>> {
    let mut filter = OrganisationFilter { region: home_place(app, actor).await?, ..OrganisationFilter::default() };
    match offer {
        Offer::Providers => filter.eligible_providers = true,
        Offer::Departments => {
            filter.kinds = OrgKind::ALL.iter().copied().filter(|k| k.is_purchasing_department()).collect()
        }
        Offer::Active => filter.active_only = true,
        Offer::Any => {}
    }
    let mut out = app.store.organisation_page(&filter, PageRequest::first(CHOICES)).await?.items;
    for id in keep {
        if *id > 0 && !out.iter().any(|o| o.id == *id) {
            // A provider kept must still be one: a refused code is not offered back as a choice.
            let org = app.store.organisation(*id).await?;
            out.extend(org.filter(|o| offer != Offer::Providers || o.is_eligible_provider()));
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// The organisation with unified social credit code `code` (as typed: surrounding blanks and case ignored).
pub async fn organisation_by_uscc(app: &App, code: &str) -> Result<Option<Organisation>> {
    Ok(app.store.organisation_by_uscc(&code.trim().to_ascii_uppercase()).await?)
}

/// The organisations `ids` (a page's worth of names), by id; unknown ids are left out.
pub async fn organisations_named(app: &App, ids: &[i64]) -> Result<std::collections::HashMap<i64, Organisation>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = std::collections::HashMap::new();
    for id in ids {
        if let Some(o) = app.store.organisation(id).await? {
            out.insert(id, o);
        }
    }
    Ok(out)
}

/// Organisation `id` when it is of a provider kind; otherwise, or when missing, "provider not found".
pub async fn provider(app: &App, id: i64) -> Result<Organisation> {
    let not_found = || Error::Domain(shanzhi_domain::DomainError::NotFound { what: "provider" });
    let org = app.store.organisation(id).await?.ok_or_else(not_found)?;
    if !org.kind.is_provider_kind() {
        return Err(not_found());
    }
    Ok(org)
}

pub async fn organisation(app: &App, id: i64) -> Result<Option<Organisation>> {
    Ok(app.store.organisation(id).await?)
}

/// The organisations with staff in the `agency` role, which a purchaser may entrust with its procurement:
/// read from the agencies' users, page by page, not from every organisation.
pub async fn agencies(app: &App) -> Result<Vec<Organisation>> {
    let filter = UserFilter { role: Some(Role::Agency), ..UserFilter::default() };
    let mut page = PageRequest::first(crate::MAX_LIMIT);
    let mut ids = std::collections::BTreeSet::new();
    loop {
        let got = app.store.user_page(&filter, page).await?;
        ids.extend(got.items.iter().map(|u| u.org_id));
        match got.next {
            Some(before) => page.before = Some(before),
            None => break,
        }
    }
    let mut out = Vec::new();
    for id in ids {
        out.extend(app.store.organisation(id).await?);
    }
    Ok(out)
}

/// The display names of users `ids` (at most a page's worth: a history's actors), by id.
pub async fn display_names(app: &App, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut names = std::collections::HashMap::new();
    for chunk in ids.chunks(crate::MAX_LIMIT as usize) {
        let filter = UserFilter { ids: chunk.to_vec(), ..UserFilter::default() };
        let page = app.store.user_page(&filter, PageRequest::first(crate::MAX_LIMIT)).await?;
        names.extend(page.items.into_iter().map(|u| (u.id, u.display_name)));
    }
    Ok(names)
}

/// A user's account as the administrator manages it.
pub async fn account(app: &App, actor: &Actor, user_id: i64) -> Result<Account> {
    require(actor, Role::Admin, "read_account")?;
    app.store.account(user_id).await?.ok_or_else(Error::not_found)
}

/// Adds an organisation (the administrator).
pub async fn add_organisation(app: &App, actor: &Actor, req: OrganisationRequest) -> Result<Organisation> {
    require(actor, Role::Admin, "add_organisation")?;
    Ok(app.store.add_organisation(&By::actor(actor), req.into_new()?, app.clock.now()).await?)
}

/// One page of users (the administrator).
pub async fn user_page(app: &App, actor: &Actor, filter: &UserFilter, page: PageRequest) -> Result<Page<User>> {
    require(actor, Role::Admin, "list_users")?;
    Ok(app.store.user_page(filter, page).await?)
}

/// The staff of `org_id` a form offers to choose from (a procurement's representatives), at most a page's
/// worth, newest first: a department, not the province's people.
pub async fn staff_of(app: &App, org_id: i64) -> Result<Vec<User>> {
    let filter = UserFilter { org_id: Some(org_id), ..UserFilter::default() };
    Ok(app.store.user_page(&filter, PageRequest::first(crate::MAX_LIMIT)).await?.items)
}

/// The user with `username`, if any.
pub async fn user_named(app: &App, username: &str) -> Result<Option<User>> {
    Ok(app.store.user_credentials(username).await?.map(|(user, _)| user))
}

/// Adds a user (the administrator).
pub async fn add_user(app: &App, actor: &Actor, req: UserRequest) -> Result<User> {
    require(actor, Role::Admin, "add_user")?;
    create_user(app, &By::actor(actor), req).await
}

/// Adds a user on the say of `by`, whoever it is: the command line of the machine's operator, which has no
/// signed-in actor. A taken username is refused with `already_exists`.
pub async fn create_user(app: &App, by: &By, req: UserRequest) -> Result<User> {
    let user = new_user(app, req).await?;
    Ok(app.store.add_user(by, user, app.clock.now()).await?)
}

#[derive(Default, Serialize, Deserialize, ToSchema)]
pub struct OrganisationRequest {
    pub key: String,
    pub name: String,
    #[schema(value_type = OrgKind)]
    pub kind: String,
    #[serde(default)]
    pub uscc: Option<String>,
    #[serde(default)]
    pub resident_id: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub class_one: bool,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub contact: String,
}

fn yes() -> bool {
    true
}

impl OrganisationRequest {
    /// Validates identifiers: an 18-character USCC for organisations, a resident ID for individuals.
    pub fn into_new(self) -> Result<NewOrganisation, DomainError> {
        let mut p = Problems::default();
        let kind = OrgKind::parse(&self.kind);
        if kind.is_none() {
            p.add("kind", ErrorCode::UnknownValue, "单位类型不正确", "unknown organisation kind");
        }
        if !valid_username(&self.key) {
            p.add(
                "key",
                ErrorCode::InvalidKey,
                "简称须为 3–40 位小写字母、数字、点或横线",
                "the key must be 3–40 lowercase letters, digits, dots or dashes",
            );
        }
        if self.name.trim().is_empty() {
            p.add("name", ErrorCode::Required, "请填写单位名称", "enter the name");
        }
        let mut uscc = None;
        let mut resident_id = None;
        if kind == Some(OrgKind::Individual) {
            match ResidentId::parse(self.resident_id.as_deref().unwrap_or_default()) {
                Ok(r) => resident_id = Some(r),
                Err(e) => p.add(
                    "resident_id",
                    e.code(),
                    format!("身份证号码：{}", e.message_zh()),
                    format!("resident ID: {}", e.message_en()),
                ),
            }
        } else {
            match Uscc::parse(self.uscc.as_deref().unwrap_or_default()) {
                Ok(u) => uscc = Some(u.as_str().to_string()),
                Err(e) => p.add(
                    "uscc",
                    e.code(),
                    format!("统一社会信用代码：{}", e.message_zh()),
                    format!("USCC: {}", e.message_en()),
                ),
            }
        }
        p.into_result()?;
        Ok(NewOrganisation {
            key: self.key,
            name: self.name.trim().into(),
            kind: kind.unwrap_or(OrgKind::SocialOrganisation),
            uscc,
            resident_id,
            region: self.region.filter(|r| !r.is_empty()),
            parent_id: self.parent_id,
            class_one: self.class_one,
            active: self.active,
            contact: self.contact,
        })
    }
}

#[derive(Default, Serialize, Deserialize, ToSchema)]
pub struct UserRequest {
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    #[schema(value_type = Vec<Role>)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub supervisor_region: Option<String>,
    pub password: String,
}

/// Checks a new account's username, name and password, adding what is wrong to `p`; returns the username
/// as stored (trimmed, lower case).
pub fn check_account(p: &mut Problems, username: &str, display_name: &str, password: &str) -> String {
    let username = username.trim().to_ascii_lowercase();
    if !valid_username(&username) {
        p.add(
            "username",
            ErrorCode::InvalidUsername,
            "用户名须为 3–40 位小写字母、数字、点、横线或下划线",
            "the username must be 3–40 lowercase letters, digits, dots, dashes or underscores",
        );
    }
    if display_name.trim().is_empty() {
        p.add("display_name", ErrorCode::Required, "请填写姓名", "enter the name");
    }
    if let Some((zh, en)) = crate::sessions::password_problem(password) {
        p.add("password", ErrorCode::WeakPassword, zh, en);
    }
    username
}

/// Checks a new user's fields and hashes the password.
pub async fn new_user(app: &App, req: UserRequest) -> Result<NewUser> {
    let mut p = Problems::default();
    let username = check_account(&mut p, &req.username, &req.display_name, &req.password);
    let roles: Vec<Role> = req.roles.iter().filter_map(|r| Role::parse(r.trim())).collect();
    if roles.is_empty() || roles.len() != req.roles.len() {
        p.add("roles", ErrorCode::UnknownRole, "请选择有效的角色", "choose valid roles");
    }
    if app.store.organisation(req.org_id).await?.is_none() {
        p.add("org_id", ErrorCode::UnknownOrganisation, "所属单位不存在", "no such organisation");
    }
    let supervisor_region = req.supervisor_region.filter(|r| !r.trim().is_empty());
    if roles.contains(&Role::Supervisor) {
        let known = match &supervisor_region {
            Some(r) => app.store.region(r).await?.is_some(),
            None => false,
        };
        if !known {
            p.add(
                "supervisor_region",
                ErrorCode::UnknownRegion,
                "监督人员须指定监督的区划",
                "a supervisor needs the region they oversee",
            );
        }
    }
    p.into_result()?;
    Ok(NewUser {
        username,
        display_name: req.display_name.trim().into(),
        org_id: req.org_id,
        roles,
        supervisor_region,
        password_hash: crate::sessions::hash_password(&req.password, app.password_cost),
    })
}
