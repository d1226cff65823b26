//! Reference data every form and page names things by: regions, the service catalogue and the spending
//! standards. Public, and bounded by the province's own size.

use shanzhi_domain::catalogue::Category;
use shanzhi_domain::org::Region;
use shanzhi_domain::standards::Standard;

use crate::{App, Result};

pub async fn regions(app: &App) -> Result<Vec<Region>> {
    Ok(app.store.regions().await?)
}

pub async fn catalogue(app: &App) -> Result<Vec<Category>> {
    Ok(app.store.catalogue().await?)
}

pub async fn standards(app: &App) -> Result<Vec<Standard>> {
    Ok(app.store.standards().await?)
}
