//! Statistics: where each yuan came from and where it went, from the store's summary rows, for who may read
//! them — the whole platform, or a region subtree — the same for the API, the dashboard, the exports and the
//! command line.

use shanzhi_domain::error::DomainError;
use shanzhi_domain::org::Actor;
use shanzhi_domain::statistics::{DepartmentRow, Shown, Statistics, TownshipRow, YearWarning};
use shanzhi_domain::visibility;

use crate::reference::{self, PlaceChoice};
use crate::{App, Error, Page, PageRequest, Result};

/// How many departments, townships and welfare-lottery warnings (each year's) the API's statistics and the
/// dashboard list beside their count; the rest are on paged lists of their own.
pub const FIRST_SHOWN: u32 = 20;

/// Whether `actor` reads some statistics (for the menu): see `shanzhi_domain::visibility::statistics_scope`.
pub fn may_see(actor: &Actor) -> bool {
    visibility::may_see_statistics(actor)
}

/// The statistics of `year` as `actor` may read them: the whole platform, or its region subtree, narrowed to
/// `region` when asked (within what the reader reads); refused (`forbidden`) for anyone else, and for a region
/// outside the reader's or unknown (`unknown_region`). `list` says how many welfare-lottery warnings to list.
pub async fn for_reader(
    app: &App,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    list: Shown,
) -> Result<Statistics> {
    let root = reader_root(app, actor, region).await?;
    within(app, year, root.as_deref(), list).await
}

/// [`for_reader`]'s statistics with the place chooser of the statistics pages: at `region` (else where `actor`'s
/// statistics start), offering no place above the reader's own subtree, so every choice is one the reader may
/// read. The reader's subtree is worked out once for both.
pub async fn with_places(
    app: &App,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    list: Shown,
) -> Result<(Statistics, PlaceChoice)> {
    let (top, root) = reader_roots(app, actor, region).await?;
    let stats = within(app, year, root.as_deref(), list).await?;
    let mut choice = reference::place_choice(app, root.as_deref()).await?;
    if let Some(top) = top {
        if let Some(i) = choice.path.iter().position(|r| r.code == top) {
            choice.path.drain(..i);
        }
        choice.bounded = true;
    }
    Ok((stats, choice))
}

/// A page of the welfare-lottery warnings of `year` (every year when `None`) that `actor` may read, newest
/// first, narrowed to `region` as [`for_reader`] narrows the statistics.
pub async fn warnings(
    app: &App,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    page: PageRequest,
) -> Result<Page<YearWarning>> {
    let root = reader_root(app, actor, region).await?;
    Ok(app.store.earmark_warnings(&app.rules, year, root.as_deref(), page).await?)
}

/// A page of the departments' figures of `year` that `actor` may read (those with a contract or a payment in it),
/// by id newest first, narrowed to `region` as [`for_reader`] narrows the statistics: the whole list whose
/// largest [`FIRST_SHOWN`] the statistics show.
pub async fn departments(
    app: &App,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    page: PageRequest,
) -> Result<Page<DepartmentRow>> {
    let root = reader_root(app, actor, region).await?;
    Ok(app.store.department_statistics(year, root.as_deref(), page).await?)
}

/// A page of the townships' figures of `year` that `actor` may read, in code order after the township `after`,
/// narrowed to `region` as [`for_reader`] narrows the statistics.
pub async fn townships(
    app: &App,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    after: Option<&str>,
    limit: u32,
) -> Result<Page<TownshipRow, String>> {
    let root = reader_root(app, actor, region).await?;
    Ok(app.store.township_statistics(year, root.as_deref(), after, limit).await?)
}

/// The region subtree `actor` reads, narrowed to `region` (`None`: everything).
pub(crate) async fn reader_root(app: &App, actor: &Actor, region: Option<&str>) -> Result<Option<String>> {
    Ok(reader_roots(app, actor, region).await?.1)
}

/// The subtree `actor` may read at most and the one asked for (`region` within it), `None` being everything.
async fn reader_roots(app: &App, actor: &Actor, region: Option<&str>) -> Result<(Option<String>, Option<String>)> {
    let seat = app.store.organisation(actor.org_id).await?.and_then(|o| o.region);
    let scope = visibility::statistics_scope(actor, seat.as_deref()).ok_or(Error::forbidden("read_statistics"))?;
    let root = scope.root_for(region)?;
    reference::check_region_filter(app, region, false).await?;
    Ok((scope.root_for(None)?, root))
}

/// The statistics of `year` within the region subtree `root` (everything when `None`): for the command line's
/// report, run by the machine's operator.
pub async fn within(app: &App, year: Option<i32>, root: Option<&str>, list: Shown) -> Result<Statistics> {
    Ok(app.store.statistics(&app.rules, year, root, list).await?)
}

/// What anyone may read of a place (issue 10's region page): the place, its parent and the places under it, and the
/// spending of `year` (every year when `None`) within it — contracts and payments by fund source, category and
/// year. Only those: the statistics' budgets, warnings and steps before a contract are not public.
pub struct PublicRegion {
    pub region: shanzhi_domain::org::Region,
    pub parent: Option<shanzhi_domain::org::Region>,
    pub children: Vec<shanzhi_domain::org::Region>,
    pub statistics: Statistics,
}

/// Place `code`'s public spending; not found for no such place.
pub async fn public_region(app: &App, code: &str, year: Option<i32>) -> Result<PublicRegion> {
    let region = app.store.region(code).await?.ok_or(Error::Domain(DomainError::NotFound { what: "region" }))?;
    let parent = match &region.parent {
        Some(p) => app.store.region(p).await?,
        None => None,
    };
    let children = app.store.region_children(Some(code)).await?;
    let statistics = app.store.statistics(&app.rules, year, Some(code), Shown::First(0)).await?;
    Ok(PublicRegion { region, parent, children, statistics })
}
