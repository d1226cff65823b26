//! Reference data every form and page names things by: regions, the service catalogue and the spending
//! standards. Public, and bounded by the province's own size.

use shanzhi_domain::catalogue::Category;
use shanzhi_domain::org::Region;
use shanzhi_domain::standards::Standard;

use crate::{App, Result};

pub async fn regions(app: &App) -> Result<Vec<Region>> {
    Ok(app.store.regions().await?)
}

/// The regions of `codes` (a project's few places), each read by its code; unknown codes are left out.
pub async fn regions_named(app: &App, codes: &[String]) -> Result<Vec<Region>> {
    let mut out = Vec::new();
    for code in codes {
        out.extend(app.store.region(code).await?);
    }
    Ok(out)
}

pub async fn catalogue(app: &App) -> Result<Vec<Category>> {
    Ok(app.store.catalogue().await?)
}

pub async fn standards(app: &App) -> Result<Vec<Standard>> {
    Ok(app.store.standards().await?)
}
