//! What is recorded without a signed-in request — by the installer, the demo and the generator, as the system
//! or on finance's say: places and the catalogue, organisations and people, budget lines and grants, closed
//! years, the expert pool and registrations waiting for civil affairs. Each is one transaction with its audit
//! event, as every other write; the caller has decided it (from its own data) and says who by.

use shanzhi_domain::budget::Budget;
use shanzhi_domain::catalogue::Category;
use shanzhi_domain::committee::Expert;
use shanzhi_domain::org::{Organisation, Region, User};
use shanzhi_domain::standards::Standard;
use shanzhi_domain::Money;
use shanzhi_store::{BudgetView, By, NewOrganisation, NewUser, Registration};

use crate::{App, Result};

pub async fn add_region(app: &App, by: &By, region: &Region) -> Result<()> {
    Ok(app.store.add_region(by, region, app.clock.now()).await?)
}

pub async fn add_category(app: &App, by: &By, category: &Category) -> Result<()> {
    Ok(app.store.add_category(by, category, app.clock.now()).await?)
}

pub async fn set_standard(app: &App, by: &By, standard: &Standard) -> Result<()> {
    Ok(app.store.set_standard(by, standard, app.clock.now()).await?)
}

pub async fn add_organisation(app: &App, by: &By, org: NewOrganisation) -> Result<Organisation> {
    Ok(app.store.add_organisation(by, org, app.clock.now()).await?)
}

pub async fn add_user(app: &App, by: &By, user: NewUser) -> Result<User> {
    Ok(app.store.add_user(by, user, app.clock.now()).await?)
}

/// A budget line allocated `amount`.
pub async fn add_budget(app: &App, by: &By, budget: Budget, amount: Money) -> Result<BudgetView> {
    Ok(app.store.add_budget(by, budget, amount, app.clock.now()).await?)
}

/// Moves `amount` from line `from` to `to_org`'s line of the same year and source.
pub async fn grant(app: &App, by: &By, from: i64, to_org: i64, amount: Money, note: &str) -> Result<BudgetView> {
    Ok(app.store.grant(by, from, to_org, amount, note, app.clock.now()).await?)
}

/// Closes a fiscal year's accounts (年终结账).
pub async fn close_year(app: &App, by: &By, year: i32) -> Result<()> {
    app.store.close_fiscal_year(by, year, app.clock.now()).await?;
    Ok(())
}

/// Puts an existing user into the expert pool.
pub async fn add_expert(app: &App, by: &By, expert: &Expert) -> Result<()> {
    app.store.add_expert(by, expert, None, app.clock.now()).await?;
    Ok(())
}

/// A provider that registered itself: pending and inactive, with its first user.
pub async fn register_provider(app: &App, by: &By, org: NewOrganisation, user: NewUser) -> Result<Registration> {
    Ok(app.store.register_provider(by, org, user, app.clock.now()).await?)
}

pub async fn setting(app: &App, key: &str) -> Result<Option<String>> {
    Ok(app.store.setting(key).await?)
}

pub async fn set_setting(app: &App, by: &By, key: &str, value: &str) -> Result<()> {
    Ok(app.store.set_setting(by, key, value, app.clock.now()).await?)
}
