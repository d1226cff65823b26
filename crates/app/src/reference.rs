//! Reference data every form and page names things by: regions, the service catalogue and the spending
//! standards. Public, and bounded by the province's own size.

use shanzhi_domain::catalogue::Category;
use shanzhi_domain::org::{self, Actor, Region, RegionLevel};
use shanzhi_domain::standards::Standard;
use shanzhi_domain::ErrorCode;

use crate::{App, Error, Result};

/// Refuses a list's region filter that names no region (`unknown_region`), after the list was read: `found` says
/// whether it found anything. Only a region's own code matches rows when it has a division code's shape, so a
/// list that found some under such a code needs no look-up; an empty one, or any other filter, asks for the place.
pub async fn check_region_filter(app: &App, region: Option<&str>, found: bool) -> Result<()> {
    match region {
        Some(code) if !(found && org::is_place_code(code)) && app.store.region(code).await?.is_none() => {
            Err(unknown_region(code))
        }
        _ => Ok(()),
    }
}

/// The refusal of a region code that names no region.
fn unknown_region(code: &str) -> Error {
    Error::bad_request(
        ErrorCode::UnknownRegion,
        format!("没有代码为“{code}”的地区"),
        format!("there is no region with the code “{code}”"),
    )
}

/// The places directly under `parent` (the top level for none), in code order; none when `parent` names no
/// place. One level at a time: a province's every village is never one answer.
pub async fn region_children(app: &App, parent: Option<&str>) -> Result<Option<Vec<Region>>> {
    if let Some(code) = parent {
        if app.store.region(code).await?.is_none() {
            return Ok(None);
        }
    }
    Ok(Some(app.store.region_children(parent).await?))
}

/// The regions of `codes` (a project's few places), each read by its code; unknown codes are left out.
pub async fn regions_named(app: &App, codes: &[String]) -> Result<Vec<Region>> {
    let mut out = Vec::new();
    for code in codes {
        out.extend(app.store.region(code).await?);
    }
    Ok(out)
}

/// The places a project of `actor`'s may serve, as its design form offers them: the districts and townships of
/// its home place ([`crate::directory::home_place`]), with the places of `keep` (the form's current values).
pub async fn service_areas(app: &App, actor: &Actor, keep: &[String]) -> Result<Vec<Region>> {
    let home = crate::directory::home_place(app, actor).await?;
    let mut out = places_down_to(app, home.as_deref(), RegionLevel::Township, keep).await?;
    out.retain(|r| matches!(r.level, RegionLevel::District | RegionLevel::Township) || keep.contains(&r.code));
    Ok(out)
}

/// The places from `root` (the top level when none) down to level `deepest`, walked by the parent index, at most
/// [`crate::directory::CHOICES`] of them, with the places of `keep` wherever they are, in code order: what a form
/// offers as a place without reading a province's every village.
pub async fn places_down_to(
    app: &App,
    root: Option<&str>,
    deepest: RegionLevel,
    keep: &[String],
) -> Result<Vec<Region>> {
    let depth = |l: RegionLevel| RegionLevel::ALL.iter().position(|x| *x == l);
    let limit = crate::directory::CHOICES as usize;
    let mut out = Vec::new();
    let mut level: Vec<Region> = match root {
        Some(code) => app.store.region(code).await?.into_iter().collect(),
        None => app.store.region_children(None).await?,
    };
    while !level.is_empty() && out.len() < limit {
        let mut next = Vec::new();
        for r in level {
            if depth(r.level) < depth(deepest) && out.len() + next.len() < limit {
                next.extend(app.store.region_children(Some(&r.code)).await?);
            }
            if depth(r.level) <= depth(deepest) {
                out.push(r);
            }
        }
        level = next;
    }
    out.truncate(limit);
    let missing: Vec<String> = keep.iter().filter(|c| !out.iter().any(|r| &r.code == *c)).cloned().collect();
    out.extend(regions_named(app, &missing).await?);
    out.sort_by(|a, b| a.code.cmp(&b.code));
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
    let (path, children) = app.store.region_path_and_children(chosen).await?;
    Ok(PlaceChoice { path, children, bounded: false })
}

pub async fn catalogue(app: &App) -> Result<Vec<Category>> {
    Ok(app.store.catalogue().await?)
}

pub async fn standards(app: &App) -> Result<Vec<Standard>> {
    Ok(app.store.standards().await?)
}
