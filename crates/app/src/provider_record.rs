//! A provider's public record (issue 10's provider page): who it is, the public projects it was awarded with what
//! they paid, and its contracted amounts by year. Nothing personal: no contact, no resident ID number.

use shanzhi_domain::error::DomainError;
use shanzhi_domain::org::Organisation;
use shanzhi_domain::project::PublicProject;
use shanzhi_store::{Page, PageRequest, ProviderYear};

use crate::error::{Error, Result};
use crate::App;

/// What the provider page shows.
pub struct ProviderRecord {
    pub name: String,
    pub kind: shanzhi_domain::org::OrgKind,
    /// The unified social credit code: public business registration, not personal (an individual has none).
    pub uscc: Option<String>,
    pub region: Option<String>,
    pub years: Vec<ProviderYear>,
    pub projects: Page<PublicProject>,
    /// The departments' published answers to feedback on its services (their summaries only).
    pub answers: Vec<shanzhi_domain::feedback::PublishedAnswer>,
}

/// Provider `org_id`'s public record, its projects one page at a time; not found unless it is a provider.
pub async fn provider_record(app: &App, org_id: i64, page: PageRequest) -> Result<ProviderRecord> {
    let org: Organisation = app
        .store
        .organisation(org_id)
        .await?
        .filter(|o| o.kind.is_provider_kind())
        .ok_or(Error::Domain(DomainError::NotFound { what: "provider" }))?;
    let years = app.store.provider_years(org_id).await?;
    let projects = app.store.provider_projects(org_id, page).await?.map(|p| p.public());
    let answers = crate::feedback::published_of_provider(app, org_id).await?;
    Ok(ProviderRecord { name: org.name, kind: org.kind, uscc: org.uscc, region: org.region, years, projects, answers })
}
