//! The demo: Yiling district's 2013 pilot and the years after, in realistic, self-written detail
//! (`demo/yiling.json`). Projects are driven through the real state machine by the demo's own users at
//! plausible dates, so their history and audit trail are what the platform would have recorded.
//! Loading is idempotent: what exists already is left alone.

mod feedback;
mod registry;
mod scenario;

pub(crate) use scenario::{Cast, LoadResult, Scenario, SeedFunding, SeedPost, SeedProject, SeedReport};

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use shanzhi_app::sessions::hash_password;
use shanzhi_app::{setup, App};
use shanzhi_domain::budget::{Budget, FundSource};
use shanzhi_domain::catalogue::Category;
use shanzhi_domain::ids::ResidentId;
use shanzhi_domain::org::{OrgKind, Region, Role};
use shanzhi_domain::Money;
use shanzhi_store::{By, NewOrganisation, NewUser};

/// Every demo account's password. Printed by `shanzhi demo` and listed in the README; change it in production.
pub const DEMO_PASSWORD: &str = "yiling-2013";
const LOADED: &str = "demo.loaded";
/// Yiling district, whose departments keep the demo's budgets and standards.
const DISTRICT: &str = "420506";
const DATA: &str = include_str!("demo/yiling.json");

#[derive(Deserialize)]
struct Seed {
    regions: Vec<Region>,
    organisations: Vec<SeedOrg>,
    users: Vec<SeedUser>,
    catalogue: Vec<Category>,
    projects: Vec<SeedProject>,
    budgets: Vec<SeedBudget>,
    grants: Vec<SeedGrant>,
    standards: Vec<shanzhi_domain::standards::Standard>,
    #[serde(default)]
    experts: Vec<SeedExpert>,
    #[serde(default)]
    registrations: Vec<SeedRegistration>,
    #[serde(default)]
    registry: Vec<registry::SeedEntry>,
}

/// An entry of the expert pool; the account is one of the seed's users.
#[derive(Deserialize)]
struct SeedExpert {
    username: String,
    org: Option<String>,
    categories: Vec<String>,
    former_employers: Vec<SeedEmployment>,
    declared_ties: Vec<String>,
}

#[derive(Deserialize)]
struct SeedEmployment {
    org: String,
    until: NaiveDate,
}

/// A provider that registered itself and waits for civil affairs.
#[derive(Deserialize)]
struct SeedRegistration {
    name: String,
    kind: OrgKind,
    uscc: String,
    region: String,
    contact: String,
    username: String,
    display_name: String,
}

/// `year: None` is the year the demo is loaded in.
#[derive(Deserialize)]
struct SeedBudget {
    year: Option<i32>,
    org: String,
    source: FundSource,
    amount: String,
    donor: Option<String>,
    note: String,
}

#[derive(Deserialize)]
struct SeedGrant {
    year: Option<i32>,
    from_org: String,
    to_org: String,
    source: FundSource,
    amount: String,
    note: String,
}

#[derive(Deserialize)]
struct SeedOrg {
    key: String,
    name: String,
    kind: OrgKind,
    uscc: Option<String>,
    #[serde(default)]
    resident_id: Option<String>,
    region: Option<String>,
    parent: Option<String>,
    class_one: bool,
    active: bool,
    #[serde(default)]
    contact: String,
}

#[derive(Deserialize)]
struct SeedUser {
    username: String,
    display_name: String,
    org: String,
    roles: Vec<Role>,
    supervisor_region: Option<String>,
}

/// What loading did.
pub struct Outcome {
    /// False when the demo was already there and nothing changed.
    pub loaded: bool,
    pub users: Vec<(String, String, Vec<Role>)>,
}

fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("demo {what}: {e}")
}

/// What the generator builds on: the demo's catalogue and spending standards, and its projects with the kind
/// of department that bought each.
pub(crate) struct Templates {
    pub catalogue: Vec<Category>,
    pub standards: Vec<shanzhi_domain::standards::Standard>,
    pub projects: Vec<(OrgKind, SeedProject)>,
}

pub(crate) fn templates() -> LoadResult<Templates> {
    let seed: Seed = serde_json::from_str(DATA).map_err(err("data"))?;
    let kind = |key: &str| seed.organisations.iter().find(|o| o.key == key).map(|o| o.kind);
    let projects = seed.projects.iter().filter_map(|p| Some((kind(&p.purchaser)?, p.clone()))).collect();
    Ok(Templates { catalogue: seed.catalogue, standards: seed.standards, projects })
}

/// Loads the demo through the application's use cases, as of `app`'s clock, hashing its accounts' password
/// at `app`'s cost.
pub async fn load(app: &App, on_progress: &mut dyn FnMut(u64, u64)) -> LoadResult<Outcome> {
    let (store, rules, cost, now) = (app.store.as_ref(), &app.rules, app.password_cost, app.clock.now());
    let seed: Seed = serde_json::from_str(DATA).map_err(err("data"))?;
    let users = seed.users.iter().map(|u| (u.username.clone(), u.display_name.clone(), u.roles.clone())).collect();
    if store.setting(LOADED).await.map_err(err("setting"))?.is_some() {
        return Ok(Outcome { loaded: false, users });
    }
    let system = By::system("demo");
    let total = (seed.regions.len()
        + seed.catalogue.len()
        + seed.organisations.len()
        + seed.users.len()
        + seed.budgets.len()
        + seed.grants.len()
        + seed.projects.len()
        + seed.experts.len()
        + seed.registrations.len()) as u64;
    let mut done = 0u64;
    let mut tick = |n: &mut u64| {
        *n += 1;
        on_progress(*n, total);
    };

    let existing: Vec<String> = store.regions().await.map_err(err("regions"))?.into_iter().map(|r| r.code).collect();
    for r in &seed.regions {
        if !existing.contains(&r.code) {
            setup::add_region(app, &system, r).await.map_err(err(&format!("region {}", r.code)))?;
        }
        tick(&mut done);
    }
    let existing: Vec<String> =
        store.catalogue().await.map_err(err("catalogue"))?.into_iter().map(|c| c.code).collect();
    for c in &seed.catalogue {
        if !existing.contains(&c.code) {
            setup::add_category(app, &system, c).await.map_err(err(&format!("category {}", c.code)))?;
        }
        tick(&mut done);
    }
    for o in &seed.organisations {
        if store.organisation_by_key(&o.key).await.map_err(err("organisation"))?.is_none() {
            let parent_id = match &o.parent {
                Some(k) => Some(
                    store
                        .organisation_by_key(k)
                        .await
                        .map_err(err("organisation"))?
                        .ok_or(format!("demo: parent {k} must come first"))?
                        .id,
                ),
                None => None,
            };
            let resident_id = o
                .resident_id
                .as_deref()
                .map(ResidentId::parse)
                .transpose()
                .map_err(|e| format!("demo {}: {}", o.key, e.message_en()))?;
            let new = NewOrganisation {
                key: o.key.clone(),
                name: o.name.clone(),
                kind: o.kind,
                uscc: o.uscc.clone(),
                resident_id,
                region: o.region.clone(),
                parent_id,
                class_one: o.class_one,
                active: o.active,
                contact: o.contact.clone(),
            };
            setup::add_organisation(app, &system, new).await.map_err(err(&format!("organisation {}", o.key)))?;
        }
        tick(&mut done);
    }
    let known_users: Vec<String> = store.users().await.map_err(err("users"))?.into_iter().map(|u| u.username).collect();
    for u in &seed.users {
        if !known_users.contains(&u.username) {
            let org = store
                .organisation_by_key(&u.org)
                .await
                .map_err(err("user"))?
                .ok_or(format!("demo: user {} org {}", u.username, u.org))?;
            let new = NewUser {
                username: u.username.clone(),
                display_name: u.display_name.clone(),
                org_id: org.id,
                roles: u.roles.clone(),
                supervisor_region: u.supervisor_region.clone(),
                password_hash: hash_password(DEMO_PASSWORD, cost),
            };
            setup::add_user(app, &system, new).await.map_err(err(&format!("user {}", u.username)))?;
        }
        tick(&mut done);
    }

    let orgs =
        store.organisations().await.map_err(err("organisations"))?.into_iter().map(|o| (o.key.clone(), o)).collect();
    let mut actors = Vec::new();
    for u in store.users().await.map_err(err("users"))? {
        if let Some(a) = store.actor(u.id).await.map_err(err("actor"))? {
            actors.push(a);
        }
    }
    let cast = Cast::new(orgs, actors);
    let known: Vec<String> = store.standards().await.map_err(err("standards"))?.into_iter().map(|s| s.code).collect();
    for st in &seed.standards {
        if !known.contains(&st.code) {
            let by = By::actor(cast.reviewer(OrgKind::Finance, DISTRICT)?);
            setup::set_standard(app, &by, st).await.map_err(err(&format!("standard {}", st.code)))?;
        }
    }
    let this_year = shanzhi_domain::clock::china_date(now).year();
    // Finance allocates the budgets and records the grants.
    let finance = By::actor(cast.reviewer(OrgKind::Finance, DISTRICT)?);
    let money = |s: &str| Money::parse_yuan(s).map_err(|e| format!("demo amount {s}: {}", e.message_en()));
    for b in &seed.budgets {
        let org = cast.org(&b.org)?;
        let year = b.year.unwrap_or(this_year);
        let lines = store.budgets().await.map_err(err("budgets"))?;
        let exists = lines.iter().any(|l| {
            l.budget.org_id == org.id
                && l.budget.year == year
                && l.budget.source == b.source
                && l.budget.granted_from.is_none()
        });
        if !exists {
            let budget = Budget {
                id: 0,
                year,
                org_id: org.id,
                source: b.source,
                donor: b.donor.clone(),
                granted_from: None,
                note: b.note.clone(),
            };
            setup::add_budget(app, &finance, budget, money(&b.amount)?)
                .await
                .map_err(err(&format!("budget {} {year}", b.org)))?;
        }
        tick(&mut done);
    }
    for g in &seed.grants {
        let year = g.year.unwrap_or(this_year);
        let (from, to) = (cast.org(&g.from_org)?, cast.org(&g.to_org)?);
        let lines = store.budgets().await.map_err(err("budgets"))?;
        let source = lines
            .iter()
            .find(|l| {
                l.budget.org_id == from.id
                    && l.budget.year == year
                    && l.budget.source == g.source
                    && l.budget.granted_from.is_none()
            })
            .ok_or(format!("demo grant: {} has no {} line in {year}", g.from_org, g.source.code()))?;
        if !lines.iter().any(|l| l.budget.org_id == to.id && l.budget.granted_from == Some(source.budget.id)) {
            setup::grant(app, &finance, source.budget.id, to.id, money(&g.amount)?, &g.note)
                .await
                .map_err(err("grant"))?;
        }
        tick(&mut done);
    }
    // The pool first: the demo's larger purchases are tendered, with committees drawn from it.
    load_pool(app, &seed, &cast, &mut || tick(&mut done)).await?;
    let experts = store.experts().await.map_err(err("experts"))?;
    let budgets = store.budgets().await.map_err(err("budgets"))?;
    let standards = store.standards().await.map_err(err("standards"))?;
    let catalogue = store.catalogue().await.map_err(err("catalogue"))?;
    let existing: Vec<(i64, String)> = store
        .projects()
        .await
        .map_err(err("projects"))?
        .into_iter()
        .map(|p| (p.purchaser_org_id, p.design.title))
        .collect();
    for sp in &seed.projects {
        let purchaser = cast.org(&sp.purchaser)?;
        if !existing.contains(&(purchaser.id, sp.title.clone())) {
            Scenario {
                app,
                rules,
                cast: &cast,
                catalogue: &catalogue,
                budgets: &budgets,
                standards: &standards,
                seed: sp,
                experts: &experts,
                now,
            }
            .run()
            .await
            .map_err(|e| format!("demo project “{}”: {e}", sp.title))?;
        }
        tick(&mut done);
    }
    // Finance has closed the years before last (年终结账); last year's accounts are still being settled.
    let closed: Vec<i32> = store.closed_years().await.map_err(err("fiscal years"))?.iter().map(|c| c.year).collect();
    let mut old: Vec<i32> = store.budgets().await.map_err(err("budgets"))?.iter().map(|b| b.budget.year).collect();
    old.retain(|y| *y < this_year - 1 && !closed.contains(y));
    old.dedup();
    for year in old {
        setup::close_year(app, &finance, year).await.map_err(err(&format!("closing {year}")))?;
    }
    // The public's feedback, one item waiting in civil affairs' queue.
    feedback::load(app, &cast).await?;
    registry::load(app, &cast, &seed.registry).await?;
    setup::set_setting(app, &system, LOADED, &now.to_rfc3339()).await.map_err(err("marker"))?;
    Ok(Outcome { loaded: true, users })
}

/// Finance's expert pool and a provider registration waiting for civil affairs.
async fn load_pool(app: &App, seed: &Seed, cast: &Cast, tick: &mut dyn FnMut()) -> LoadResult<()> {
    let (store, cost) = (app.store.as_ref(), app.password_cost);
    let finance = By::actor(cast.reviewer(OrgKind::Finance, DISTRICT)?);
    let users = store.users().await.map_err(err("users"))?;
    for e in &seed.experts {
        let user = users
            .iter()
            .find(|u| u.username == e.username)
            .ok_or(format!("demo expert {}: no such user", e.username))?;
        if store.expert_entry(user.id).await.map_err(err("expert"))?.is_none() {
            let id = |key: &str| cast.org(key).map(|o| o.id);
            let expert = shanzhi_domain::committee::Expert {
                id: user.id,
                name: user.display_name.clone(),
                categories: e.categories.clone(),
                org_id: e.org.as_deref().map(id).transpose()?,
                former_employers: e
                    .former_employers
                    .iter()
                    .map(|f| Ok(shanzhi_domain::committee::FormerEmployment { org_id: id(&f.org)?, until: f.until }))
                    .collect::<LoadResult<_>>()?,
                declared_ties: e.declared_ties.iter().map(|k| id(k)).collect::<LoadResult<_>>()?,
            };
            setup::add_expert(app, &finance, &expert).await.map_err(err(&format!("expert {}", e.username)))?;
        }
        tick();
    }
    for r in &seed.registrations {
        if !users.iter().any(|u| u.username == r.username) {
            let org = NewOrganisation {
                key: shanzhi_app::pool::registration_key(&r.username),
                name: r.name.clone(),
                kind: r.kind,
                uscc: Some(r.uscc.clone()),
                resident_id: None,
                region: Some(r.region.clone()),
                parent_id: None,
                class_one: false,
                active: false,
                contact: r.contact.clone(),
            };
            let user = NewUser {
                username: r.username.clone(),
                display_name: r.display_name.clone(),
                org_id: 0,
                roles: vec![Role::Provider],
                supervisor_region: None,
                password_hash: hash_password(DEMO_PASSWORD, cost),
            };
            let by = By { user_id: None, name: format!("registrant:{}", r.username), org_id: None };
            setup::register_provider(app, &by, org, user)
                .await
                .map_err(err(&format!("registration {}", r.username)))?;
        }
        tick();
    }
    Ok(())
}
