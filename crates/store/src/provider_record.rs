//! A provider's public record: the projects it was awarded that are public (a notice made them so), newest first,
//! and its contracted amounts by year, summed in the database.

use async_trait::async_trait;
use shanzhi_domain::project::Project;
use shanzhi_domain::Money;

use crate::error::Result;
use crate::listing::{Arg, Page, PageRequest, Where};
use crate::sql::SqlStore;

/// A provider's public projects and contracted amount in one year (the project's year).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderYear {
    pub year: i32,
    pub projects: i64,
    pub contracted: Money,
}

/// Only projects a published notice made public.
const PUBLIC: &str = "EXISTS (SELECT 1 FROM notices n WHERE n.project_id = p.id)";

#[async_trait]
pub trait ProviderRecord {
    /// One page of the public projects awarded to provider `org_id`, newest first.
    async fn provider_projects(&self, org_id: i64, page: PageRequest) -> Result<Page<Project>>;
    /// Provider `org_id`'s public projects and contracted amounts by year, oldest first.
    async fn provider_years(&self, org_id: i64) -> Result<Vec<ProviderYear>>;
}

#[async_trait]
impl ProviderRecord for SqlStore {
    async fn provider_projects(&self, org_id: i64, page: PageRequest) -> Result<Page<Project>> {
        let mut w = Where::default();
        let v = w.int(org_id);
        w.and(format!("p.provider_org_id = {v}"));
        w.and(PUBLIC.to_string());
        let sql = format!("SELECT {} FROM projects p{}", crate::projects::COLUMNS, w.page_sql("p.id", page));
        let projects = self.fetch_all(&sql, w.into_args(), crate::projects::project_from_row).await?;
        Ok(Page::cut(projects, page.limit, |p| p.id))
    }

    async fn provider_years(&self, org_id: i64) -> Result<Vec<ProviderYear>> {
        let sql = format!(
            "SELECT p.year, COUNT(*) AS projects, CAST(COALESCE(SUM(p.contracted), 0) AS BIGINT) AS contracted \
             FROM projects p WHERE p.provider_org_id = $1 AND {PUBLIC} GROUP BY p.year ORDER BY p.year"
        );
        self.fetch_all(&sql, vec![Arg::Int(org_id)], |r| {
            Ok(ProviderYear {
                year: i32::try_from(r.try_get::<i64>("year")?).unwrap_or_default(),
                projects: r.try_get("projects")?,
                contracted: Money::from_fen(r.try_get("contracted")?),
            })
        })
        .await
    }
}
