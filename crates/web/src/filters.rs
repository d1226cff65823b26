//! The filters each list takes, read from its query string (see [`ListQuery`]): unknown values of a closed set
//! are refused with `invalid_parameter`, as the lists' OpenAPI entries say.

use shanzhi_app::{BudgetFilter, NoticeFilter, OrganisationFilter, ProcurementFilter, ProjectFilter, UserFilter};
use shanzhi_domain::budget::FundSource;
use shanzhi_domain::error::ErrorCode;
use shanzhi_domain::notice::NoticeKind;
use shanzhi_domain::org::{OrgKind, Role, Verification};
use shanzhi_domain::procurement::{Method, Stage};
use shanzhi_domain::project::step_choices;
use shanzhi_domain::search::{Query, QueryError};

use crate::error::{AppError, AppResult};
use crate::paging::{Filters, ListQuery};

/// The filters of a project list: `q` (words of the title), `step`, `year`, `region`, `category`, `purchaser`,
/// `provider`.
pub const PROJECT_FILTERS: [&str; 7] = ["q", "step", "year", "region", "category", "purchaser", "provider"];

/// A project list's filters as given in `q`.
pub fn project_filter(q: &ListQuery) -> AppResult<ProjectFilter> {
    let steps: Vec<&str> = step_choices().collect();
    Ok(ProjectFilter {
        step: q.one_of("step", &steps)?,
        year: q.number("year")?,
        region: q.text("region"),
        category: q.text("category"),
        purchaser: q.number("purchaser")?,
        provider: q.number("provider")?,
        file: None,
        q: words(q)?,
        published: false,
        created_in: None,
    })
}

/// The words of a list's `q`, checked.
fn words(q: &ListQuery) -> AppResult<Option<Query>> {
    q.text("q").map(|text| Query::parse(&text)).transpose().map_err(|e| {
        let (zh, en) = match e {
            QueryError::TooShort => ("搜索词每个至少两个字", "each search word needs two characters or more"),
            QueryError::TooLong => ("搜索内容最多 50 个字", "search for at most 50 characters"),
        };
        AppError::bad_request(ErrorCode::InvalidParameter, format!("参数 q：{zh}"), format!("parameter q: {en}"))
    })
}

/// The filters of a notice list: `kind`, `region` (a subtree, by the notice's project), `year` (of publication).
/// The public notices' filters: words, kind, place (a subtree), year, and the project's purchasing department,
/// category (or head), provider, procurement method, budget range (yuan) and publication days.
pub const NOTICE_FILTERS: [&str; 12] = [
    "q",
    "kind",
    "region",
    "year",
    "purchaser",
    "category",
    "provider",
    "method",
    "budget_min",
    "budget_max",
    "from",
    "to",
];

pub fn notice_filter(q: &ListQuery) -> AppResult<NoticeFilter> {
    let kinds: Vec<&str> = NoticeKind::ALL.iter().map(|k| k.code()).collect();
    Ok(NoticeFilter {
        kind: q.one_of("kind", &kinds)?.as_deref().and_then(NoticeKind::parse),
        region: q.text("region"),
        year: q.number("year")?,
        q: words(q)?,
        purchaser: q.number("purchaser")?,
        category: q.text("category"),
        provider: q.number("provider")?,
        method: q
            .one_of("method", &Method::ALL.iter().map(|m| m.code()).collect::<Vec<_>>())?
            .as_deref()
            .and_then(Method::parse),
        budget_min: q.money("budget_min")?,
        budget_max: q.money("budget_max")?,
        published_from: q.date("from")?,
        published_to: q.date("to")?,
    })
}

/// The filters of a procurement list: `stage`, `method`, `region` (a subtree), `purchaser` (an organisation id).
pub const PROCUREMENT_FILTERS: [&str; 4] = ["stage", "method", "region", "purchaser"];

pub fn procurement_filter(q: &ListQuery) -> AppResult<ProcurementFilter> {
    let stages: Vec<&str> = Stage::ALL.iter().map(|s| s.code()).collect();
    let methods: Vec<&str> = Method::ALL.iter().map(|m| m.code()).collect();
    Ok(ProcurementFilter {
        stage: q.one_of("stage", &stages)?.as_deref().and_then(Stage::parse),
        method: q.one_of("method", &methods)?.as_deref().and_then(Method::parse),
        region: q.text("region"),
        purchaser: q.number("purchaser")?,
        overdue: false,
    })
}

/// The filters of a budget list: `year`, `org` (the department's id), `source` (a fund source's code).
pub const BUDGET_FILTERS: [&str; 3] = ["year", "org", "source"];

pub fn budget_filter(q: &ListQuery) -> AppResult<BudgetFilter> {
    let sources: Vec<&str> = FundSource::ALL.iter().map(|s| s.code()).collect();
    Ok(BudgetFilter {
        id: None,
        year: q.number("year")?,
        org_id: q.number("org")?,
        source: q.one_of("source", &sources)?.as_deref().and_then(FundSource::parse),
    })
}

/// The filters of an organisation list: `kind`, `region` (a subtree).
pub const ORGANISATION_FILTERS: [&str; 2] = ["kind", "region"];

pub fn organisation_filter(q: &ListQuery) -> AppResult<OrganisationFilter> {
    let kinds: Vec<&str> = OrgKind::ALL.iter().map(|k| k.code()).collect();
    Ok(OrganisationFilter {
        verified_or: None,
        kind: q.one_of("kind", &kinds)?.as_deref().and_then(OrgKind::parse),
        region: q.text("region"),
        ..OrganisationFilter::default()
    })
}

/// The filter of the registration list: `verification` (pending, verified or rejected; any when absent).
pub const REGISTRATION_FILTERS: [&str; 1] = ["verification"];

pub fn registration_state(q: &ListQuery) -> AppResult<Option<Verification>> {
    let states: Vec<&str> = Verification::ALL.iter().map(|v| v.code()).collect();
    Ok(q.one_of("verification", &states)?.as_deref().and_then(Verification::parse))
}

/// The filters of a user list: `org` (an organisation id), `role`.
pub const USER_FILTERS: [&str; 2] = ["org", "role"];

pub fn user_filter(q: &ListQuery) -> AppResult<UserFilter> {
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
    Ok(UserFilter {
        org_id: q.number("org")?,
        role: q.one_of("role", &roles)?.as_deref().and_then(Role::parse),
        ids: Vec::new(),
    })
}

/// The filters of the administrators' list of job runs: `job`.
pub const JOB_RUN_FILTERS: [&str; 1] = ["job"];

/// The filters of the statistics' paged lists — the welfare-lottery warnings, the departments and the townships:
/// `year` (a warning's budget line's), `region` (a subtree).
pub const STATISTICS_FILTERS: [&str; 2] = ["year", "region"];

/// The filters of the red flags' list: `code`, `region` (a subtree), `purchaser` (the buyer's organisation id),
/// `provider` (an organisation id), `year` (the flag's).
pub const RED_FLAG_FILTERS: [&str; 5] = ["code", "region", "purchaser", "provider", "year"];

pub fn red_flag_query(q: &ListQuery) -> AppResult<shanzhi_app::red_flags::FlagQuery> {
    use shanzhi_domain::red_flags::FlagCode;
    let codes: Vec<&str> = FlagCode::ALL.iter().map(|c| c.code()).collect();
    Ok(shanzhi_app::red_flags::FlagQuery {
        code: q.one_of("code", &codes)?.as_deref().and_then(FlagCode::parse),
        region: q.text("region"),
        buyer: q.number("purchaser")?,
        provider: q.number("provider")?,
        year: q.number("year")?,
    })
}

/// Each list's filters as a type, for [`crate::paging::Listing`].
macro_rules! filters {
    ($($name:ident = $names:expr),* $(,)?) => {
        $(
            pub struct $name;
            impl Filters for $name {
                const NAMES: &'static [&'static str] = &$names;
            }
        )*
    };
}

filters!(
    ProjectFilters = PROJECT_FILTERS,
    NoticeFilters = NOTICE_FILTERS,
    ProcurementFilters = PROCUREMENT_FILTERS,
    BudgetFilters = BUDGET_FILTERS,
    OrganisationFilters = ORGANISATION_FILTERS,
    UserFilters = USER_FILTERS,
    RegistrationFilters = REGISTRATION_FILTERS,
    ApprovalFilters = ["pending"],
    JobRunFilters = JOB_RUN_FILTERS,
    StatisticsFilters = STATISTICS_FILTERS,
    RedFlagFilters = RED_FLAG_FILTERS,
    NoFilters = [],
);

/// The townships' statistics, paged in code order by their code.
pub struct TownshipFilters;
impl Filters for TownshipFilters {
    const NAMES: &'static [&'static str] = &STATISTICS_FILTERS;
    const BY_CODE: bool = true;
}
