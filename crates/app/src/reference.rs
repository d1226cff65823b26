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

/// A place chooser's state: the chosen place with the places above it (top first; empty for none or an unknown
/// code), and the places directly under it (the top level for none).
pub struct PlaceChoice {
    pub path: Vec<Region>,
    pub children: Vec<Region>,
    /// The path starts at the highest place the reader may choose: nothing above it, not even everywhere, is
    /// offered (a township supervisor's statistics).
    pub bounded: bool,
}

/// What a list page offers to narrow it by place, `chosen` being the place it is narrowed to now.
pub async fn place_choice(app: &App, chosen: Option<&str>) -> Result<PlaceChoice> {
    let path = match chosen {
        Some(code) => app.store.region_path(code).await?,
        None => Vec::new(),
    };
    let children = app.store.region_children(path.last().map(|r| r.code.as_str())).await?;
    Ok(PlaceChoice { path, children, bounded: false })
}

pub async fn catalogue(app: &App) -> Result<Vec<Category>> {
    Ok(app.store.catalogue().await?)
}

pub async fn standards(app: &App) -> Result<Vec<Standard>> {
    Ok(app.store.standards().await?)
}
