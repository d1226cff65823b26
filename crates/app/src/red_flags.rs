//! Red flags: raised at the step that makes their evidence known, saved in that step's transaction (so the demo
//! and the generator, which record their steps through the same use cases, raise them too); read by supervisors,
//! finance and the administrator; counted for the report and, without any project's evidence, for the public.

use chrono::{DateTime, Utc};
use shanzhi_domain::audit::Action;
use shanzhi_domain::calendar::china_date;
use shanzhi_domain::notice::{NewNotice, NoticeKind};
use shanzhi_domain::org::Actor;
use shanzhi_domain::procurement::Procurement;
use shanzhi_domain::project::{Change, Project};
use shanzhi_domain::red_flags::{self, AwardFact, FlagCode, RedFlag};
use shanzhi_domain::visibility::{self, StatisticsScope};
pub use shanzhi_store::{FlagTally, StoredFlag};
use shanzhi_store::{Flagging, NewRedFlag, RedFlagFilter};
use std::collections::BTreeMap;

use crate::{reference, App, Error, Page, PageRequest, Result};

/// How many departments the public figures name.
pub const PUBLIC_DEPARTMENTS: u32 = 10;

/// Where a flag about `project` belongs.
fn placed(project: &Project, procurement_id: Option<i64>, flag: RedFlag) -> NewRedFlag {
    let provider = project.award.as_ref().map(|a| &a.provider);
    NewRedFlag {
        flag,
        project_id: project.id,
        procurement_id,
        project_code: project.code.clone(),
        title: project.design.title.clone(),
        buyer_org_id: project.purchaser_org_id,
        buyer_name: project.purchaser_name.clone(),
        provider_org_id: provider.map(|p| p.org_id),
        provider_name: provider.map(|p| p.name.clone()),
        regions: project.design.regions.clone(),
    }
}

/// The award a project change made and the flags it raises across the buyer's purchases.
async fn award_flags(app: &App, after: &Project) -> Result<(Option<AwardFact>, Vec<RedFlag>)> {
    let Some(fact) = AwardFact::of(after) else { return Ok((None, vec![])) };
    let needed = red_flags::history_needed(&fact, &app.rules);
    let history = app.store.award_history(fact.buyer_org_id, fact.provider_org_id, &fact.category, &needed).await?;
    let flags = red_flags::on_history(&fact, &history, &app.rules);
    Ok((Some(fact), flags))
}

/// What a procurement change raises: the publication's period; the award's bids, timing and the buyer's
/// history, with the project the award reaches.
pub(crate) async fn for_procurement(
    app: &App,
    after: &Procurement,
    change: &Change,
    project: Option<&Project>,
) -> Result<Flagging> {
    let (rules, calendar) = (&app.rules, &app.calendar);
    let mut flagging = Flagging::default();
    let mut raised = match change.action {
        Action::ProcurementPublish => red_flags::on_publication(after, rules, calendar),
        Action::ProcurementAward => red_flags::on_award(after, rules, calendar),
        _ => return Ok(flagging),
    };
    if let Some(project) = project.filter(|_| change.action == Action::ProcurementAward) {
        let (fact, more) = award_flags(app, project).await?;
        flagging.award = fact;
        raised.extend(more);
    }
    if raised.is_empty() {
        return Ok(flagging);
    }
    let loaded;
    let project = match project {
        Some(p) => p,
        None => {
            loaded = app.store.project(after.project_id).await?.ok_or_else(Error::not_found)?;
            &loaded
        }
    };
    flagging.flags = raised.into_iter().map(|f| placed(project, Some(after.id), f)).collect();
    Ok(flagging)
}

/// What a project change raises: a direct award's history, the contract's timing, the supplementary contracts'
/// share; `notices` are those the change publishes, at `at`.
pub(crate) async fn for_project(
    app: &App,
    after: &Project,
    change: &Change,
    notices: &[NewNotice],
    at: DateTime<Utc>,
) -> Result<Flagging> {
    let (rules, calendar) = (&app.rules, &app.calendar);
    let mut flagging = Flagging::default();
    let raised = match change.action {
        Action::ProjectAward => {
            let (fact, flags) = award_flags(app, after).await?;
            flagging.award = fact;
            flags
        }
        Action::ProjectContractSign => match notices.iter().find(|n| n.kind == NoticeKind::Contract) {
            Some(n) => red_flags::on_contract(after, n.published_on, rules, calendar),
            None => red_flags::on_contract(after, china_date(at), rules, calendar),
        },
        Action::ProjectSupplementSign => red_flags::on_supplement(after, rules),
        _ => vec![],
    };
    flagging.flags = raised.into_iter().map(|f| placed(after, None, f)).collect();
    Ok(flagging)
}

/// The list's filters as asked: `region` a subtree within what the reader reads.
#[derive(Debug, Clone, Default)]
pub struct FlagQuery {
    pub code: Option<FlagCode>,
    pub region: Option<String>,
    pub buyer: Option<i64>,
    pub provider: Option<i64>,
    pub year: Option<i32>,
}

/// What `actor` reads of the flags; refused (`forbidden`) to anyone but supervisors, finance and the
/// administrator.
fn scope(actor: &Actor) -> Result<StatisticsScope> {
    visibility::red_flag_scope(actor).ok_or(Error::forbidden("read_red_flags"))
}

/// Whether `actor` reads red flags (for the menu and the project page).
pub fn may_see(actor: &Actor) -> bool {
    visibility::red_flag_scope(actor).is_some()
}

/// One page of the flags `actor` may read that match `query`, newest first.
pub async fn page(app: &App, actor: &Actor, query: &FlagQuery, page: PageRequest) -> Result<Page<StoredFlag>> {
    let root = scope(actor)?.root_for(query.region.as_deref())?;
    reference::check_region_filter(app, query.region.as_deref(), false).await?;
    let filter = RedFlagFilter {
        code: query.code,
        root,
        buyer: query.buyer,
        provider: query.provider,
        year: query.year,
        project: None,
    };
    Ok(app.store.red_flag_page(&filter, page).await?)
}

/// The flags of one project, newest first, for a reader who may read flags and see the project (the caller has
/// checked the latter); none for anyone else.
pub async fn of_project(app: &App, actor: &Actor, project: &Project) -> Result<Vec<StoredFlag>> {
    let Some(scope) = visibility::red_flag_scope(actor) else { return Ok(vec![]) };
    if let StatisticsScope::Within(root) = &scope {
        if !project.design.regions.iter().any(|r| shanzhi_domain::org::region_within(r, root)) {
            return Ok(vec![]);
        }
    }
    let filter = RedFlagFilter { project: Some(project.id), ..RedFlagFilter::default() };
    Ok(app.store.red_flag_page(&filter, PageRequest::first(shanzhi_store::listing::MAX_LIMIT)).await?.items)
}

/// How many flags of each code were raised in `year` (every year when `None`), every code present: for the
/// operator's report.
pub async fn counts(app: &App, year: Option<i32>) -> Result<BTreeMap<String, i64>> {
    Ok(app.store.red_flag_counts(year, "").await?)
}

/// The public figures of a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicFigures {
    /// Flags under each place of the first level with more than one place.
    pub places: Vec<FlagTally>,
    /// The places above those that have flags of their own projects, which lie in none of the places below (a
    /// district-wide project's), each with those flags, the nearest first: without them the places would not add
    /// up to the whole.
    pub own: Vec<FlagTally>,
    /// The departments with most flags.
    pub departments: Vec<FlagTally>,
}

/// The public figures of `year`: flags under each place of the first level with more than one (below the single
/// province, city or district the platform may serve), those of that place's own projects, and the departments
/// with most flags. Counts only — no project, evidence or provider.
pub async fn public_figures(app: &App, year: i32) -> Result<PublicFigures> {
    let mut places = app.store.red_flags_by_place(year, None).await?;
    let mut own = Vec::new();
    // At most the five levels of a region code.
    for _ in 0..5 {
        if places.len() != 1 {
            break;
        }
        let parent = places[0].clone();
        let below = app.store.red_flags_by_place(year, Some(&parent.key)).await?;
        if below.is_empty() {
            break;
        }
        let rest = parent.flags - below.iter().map(|t| t.flags).sum::<i64>();
        if rest > 0 {
            own.insert(0, FlagTally { flags: rest, ..parent });
        }
        places = below;
    }
    let departments = app.store.red_flags_by_buyer(year, "", PUBLIC_DEPARTMENTS).await?;
    Ok(PublicFigures { places, own, departments })
}
