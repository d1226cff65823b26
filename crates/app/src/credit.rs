//! Providers' credit records: finance's blacklisting decisions, and the record anyone may read — the bars, the
//! grades of the provider's evaluations and the contracts ended early. The record is a qualification (a barred
//! provider is refused wherever it would act), never a scoring factor.

use serde::{Deserialize, Serialize};
use shanzhi_domain::clock::china_date;
use shanzhi_domain::credit::{self, BlacklistInput, Blacklisting};
use shanzhi_domain::org::Actor;
use shanzhi_domain::DomainError;
use shanzhi_store::{By, ProjectRecord};
use utoipa::ToSchema;

use crate::{App, Error, Result};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BlacklistRequest {
    /// One to three years (政府采购法 §77).
    pub years: u32,
    /// The facts and grounds of the decision (public).
    pub reason: String,
}

/// A provider's public credit record.
#[derive(Debug, Clone, Serialize)]
pub struct CreditRecord {
    pub provider_org_id: i64,
    pub name: String,
    /// The last day it is barred from government purchasing, while it is.
    pub barred_until: Option<chrono::NaiveDate>,
    pub blacklistings: Vec<Blacklisting>,
    #[serde(flatten)]
    pub projects: ProjectRecord,
}

/// Finance bars provider `provider_org_id` from government purchasing.
pub async fn blacklist(app: &App, actor: &Actor, provider_org_id: i64, req: BlacklistRequest) -> Result<Blacklisting> {
    let provider = app
        .store
        .organisation(provider_org_id)
        .await?
        .ok_or(Error::Domain(DomainError::NotFound { what: "provider" }))?;
    let now = app.clock.now();
    let input = BlacklistInput { years: req.years, reason: req.reason };
    let decision = credit::blacklist(actor, &provider, &input, china_date(now), now)?;
    Ok(app.store.blacklist(&By::actor(actor), decision, now).await?)
}

/// Provider `provider_org_id`'s credit record, for anyone; an organisation that is no provider is not found.
pub async fn record(app: &App, provider_org_id: i64) -> Result<CreditRecord> {
    let org = crate::directory::provider(app, provider_org_id).await?;
    let today = china_date(app.clock.now());
    Ok(CreditRecord {
        provider_org_id,
        barred_until: org.provider_info().barred_on(today),
        name: org.name,
        blacklistings: app.store.blacklistings_of(provider_org_id).await?,
        projects: app.store.project_record(provider_org_id).await?,
    })
}

/// Reads into a project's award whether its provider is barred now, so that signing can refuse it.
pub async fn read_bar(app: &App, p: &mut shanzhi_domain::project::Project) -> Result<()> {
    if let Some(a) = p.award.as_mut() {
        a.provider.barred_until = app.store.organisation(a.provider.org_id).await?.and_then(|o| o.barred_until);
    }
    Ok(())
}
