//! The provider registry's use cases: a provider keeps its profile, qualifications and training (before civil
//! affairs verifies it, and after); civil affairs checks qualifications against their documents and sees the ones
//! about to lapse; the sector overview shows where capacity is missing. What a provider declares is public; its
//! documents are read only by itself and civil affairs.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shanzhi_domain::catalogue::{category_status, Category, CategoryStatus};
use shanzhi_domain::clock::china_date;
use shanzhi_domain::error::Problems;
use shanzhi_domain::org::Actor;
use shanzhi_domain::registry::{self, Profile, Qualification, QualificationKind, SocialWorkers, Training, Validity};
use shanzhi_domain::ErrorCode;
pub use shanzhi_store::registry::FlaggedQualification;
use shanzhi_store::registry::{SectorCounts, TownshipCount};
use shanzhi_store::By;
use utoipa::ToSchema;

use crate::projects::{parse_date, parse_money, parse_quantity};
use crate::{App, Error, Page, PageRequest, Result};

/// A provider's profile as it sends it: dates `YYYY-MM-DD`, the capital in yuan.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ProfileRequest {
    #[schema(format = Date, example = "2012-05-04")]
    pub founded_on: String,
    #[schema(example = "300000.00")]
    pub registered_capital: String,
    pub staff: u32,
    #[serde(default)]
    pub social_workers: SocialWorkers,
    /// Region codes of the places served.
    pub service_areas: Vec<String>,
    /// Catalogue category codes served.
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct QualificationRequest {
    #[schema(value_type = QualificationKind)]
    pub kind: String,
    pub name: String,
    pub number: String,
    pub issuer: String,
    #[schema(format = Date)]
    pub issued_on: String,
    /// Empty or absent for a qualification without an end.
    #[serde(default)]
    #[schema(format = Date)]
    pub expires_on: Option<String>,
    /// The scanned document: an upload of the provider's own (`POST /api/v1/files`).
    pub file_id: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TrainingRequest {
    pub course: String,
    pub organiser: String,
    #[schema(format = Date)]
    pub held_on: String,
    /// Hours per participant, up to two decimals.
    #[schema(example = "16")]
    pub hours: String,
    pub participants: u32,
}

/// A qualification as a reader sees it: where it stands today, and its document only for who may read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualificationView {
    pub id: i64,
    /// The provider's organisation.
    pub org_id: i64,
    pub kind: QualificationKind,
    pub name: String,
    pub number: String,
    pub issuer: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub expires_on: Option<NaiveDate>,
    pub validity: Validity,
    /// Civil affairs has checked it against its document.
    pub verified: bool,
    /// The document's file, for the provider itself and civil affairs.
    pub file_id: Option<i64>,
}

/// A provider's registry entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistryEntry {
    pub org_id: i64,
    pub name: String,
    /// `None` until the provider fills it in.
    pub profile: Option<Profile>,
    pub qualifications: Vec<QualificationView>,
    /// The latest training records (the rest are paged at `/api/v1/providers/{id}/trainings`).
    pub trainings: Vec<Training>,
}

fn today(app: &App) -> NaiveDate {
    china_date(app.clock.now())
}

/// Whether `actor` reads provider `org_id`'s documents: the provider itself and civil affairs.
fn reads_documents(actor: Option<&Actor>, org_id: i64) -> bool {
    actor.is_some_and(|a| a.org_id == org_id || registry::may_verify(a))
}

fn view(q: Qualification, today: NaiveDate, warning_days: u32, documents: bool) -> QualificationView {
    QualificationView {
        id: q.id,
        org_id: q.org_id,
        kind: q.kind,
        validity: q.validity(today, warning_days),
        verified: q.verified_at.is_some(),
        file_id: documents.then_some(q.file_id),
        name: q.name,
        number: q.number,
        issuer: q.issuer,
        issued_on: q.issued_on,
        expires_on: q.expires_on,
    }
}

/// How many training records the entry carries.
pub const TRAININGS_SHOWN: u32 = 10;

/// Provider `org_id`'s registry entry, for anyone (`actor` decides whether its documents are named).
pub async fn entry(app: &App, actor: Option<&Actor>, org_id: i64) -> Result<RegistryEntry> {
    let org = crate::directory::provider(app, org_id).await?;
    let documents = reads_documents(actor, org_id);
    let (today, warn) = (today(app), app.rules.qualification_warning_days);
    let qualifications = app.store.qualifications_of(org_id).await?;
    Ok(RegistryEntry {
        org_id,
        name: org.name,
        profile: app.store.profile(org_id).await?,
        qualifications: qualifications.into_iter().map(|q| view(q, today, warn, documents)).collect(),
        trainings: app.store.trainings_of(org_id, PageRequest::first(TRAININGS_SHOWN)).await?.items,
    })
}

/// A page of provider `org_id`'s training records, for anyone.
pub async fn trainings(app: &App, org_id: i64, page: PageRequest) -> Result<Page<Training>> {
    crate::directory::provider(app, org_id).await?;
    Ok(app.store.trainings_of(org_id, page).await?)
}

/// Runs a domain check after parsing: a field that could not be read reports that, not what its placeholder then
/// breaks.
fn then_check(p: &mut Problems, check: impl FnOnce(&mut Problems)) {
    let mut rest = Problems::default();
    check(&mut rest);
    if let Err(e) = rest.into_result() {
        p.absorb(e);
    }
}

fn check_keeper(actor: &Actor, org_id: i64, action: &'static str) -> Result<()> {
    if registry::may_keep(actor, org_id) {
        Ok(())
    } else {
        Err(Error::forbidden(action))
    }
}

/// Places and categories as a set: trimmed, without repeats, in order.
fn codes(list: &[String]) -> Vec<String> {
    let set: std::collections::BTreeSet<String> =
        list.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
    set.into_iter().collect()
}

/// The provider keeps its profile; every problem is reported at once.
pub async fn save_profile(app: &App, actor: &Actor, org_id: i64, req: ProfileRequest) -> Result<Profile> {
    save_profile_after(app, actor, org_id, req, Problems::default()).await
}

/// [`save_profile`] after the caller's own reading of the request found `p` (a form's count that is no number):
/// nothing is saved unless there are no problems at all, and all of them are reported together.
pub async fn save_profile_after(
    app: &App,
    actor: &Actor,
    org_id: i64,
    req: ProfileRequest,
    mut p: Problems,
) -> Result<Profile> {
    check_keeper(actor, org_id, "keep_registry")?;
    crate::directory::provider(app, org_id).await?;
    let profile = Profile {
        founded_on: parse_date(&mut p, "founded_on", &req.founded_on),
        registered_capital: if req.registered_capital.trim().is_empty() {
            shanzhi_domain::money::Money::ZERO
        } else {
            parse_money(&mut p, "registered_capital", &req.registered_capital)
        },
        staff: req.staff,
        social_workers: req.social_workers,
        service_areas: codes(&req.service_areas),
        categories: codes(&req.categories),
    };
    then_check(&mut p, |rest| profile.check(today(app), rest));
    for code in &profile.service_areas {
        if app.store.region(code).await?.is_none() {
            p.add(
                "service_areas",
                ErrorCode::UnknownRegion,
                format!("没有代码为 {code} 的区划"),
                format!("no region {code}"),
            );
            break;
        }
    }
    let catalogue = app.store.catalogue().await?;
    let servable = servable_categories(&catalogue);
    if let Some(code) = profile.categories.iter().find(|c| !servable.iter().any(|k| k.code == **c)) {
        p.add(
            "categories",
            ErrorCode::UnknownCategory,
            format!("{code} 不是指导性目录中可以购买的最末级类别"),
            format!("{code} is not a category of the guidance catalogue's lowest level that may be purchased"),
        );
    }
    p.into_result()?;
    app.store.save_profile(&By::actor(actor), org_id, &profile, app.clock.now()).await?;
    Ok(profile)
}

/// The provider adds a qualification with its document (an upload of its own).
pub async fn add_qualification(
    app: &App,
    actor: &Actor,
    org_id: i64,
    req: QualificationRequest,
) -> Result<QualificationView> {
    check_keeper(actor, org_id, "keep_registry")?;
    crate::directory::provider(app, org_id).await?;
    let mut p = Problems::default();
    let kind = crate::projects::parse_code(&mut p, "kind", &req.kind, QualificationKind::parse);
    let issued_on = parse_date(&mut p, "issued_on", &req.issued_on);
    let expires_on =
        req.expires_on.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| parse_date(&mut p, "expires_on", s));
    if crate::files::own(app, actor, req.file_id).await?.is_none() {
        p.add("file_id", ErrorCode::UnknownFile, "请上传资质证明文件", "upload the qualification's document");
    }
    let q = Qualification {
        id: 0,
        org_id,
        kind: kind.unwrap_or(QualificationKind::Other),
        name: req.name.trim().into(),
        number: req.number.trim().into(),
        issuer: req.issuer.trim().into(),
        issued_on,
        expires_on,
        file_id: req.file_id,
        verified_at: None,
    };
    then_check(&mut p, |rest| q.check(today(app), rest));
    p.into_result()?;
    let q = app.store.add_qualification(&By::actor(actor), q, app.clock.now()).await?;
    Ok(view(q, today(app), app.rules.qualification_warning_days, true))
}

/// Civil affairs checks a qualification against its document.
pub async fn verify_qualification(app: &App, actor: &Actor, id: i64) -> Result<QualificationView> {
    if !registry::may_verify(actor) {
        return Err(Error::forbidden("verify_qualification"));
    }
    let q = app.store.verify_qualification(&By::actor(actor), id, app.clock.now()).await?;
    Ok(view(q, today(app), app.rules.qualification_warning_days, true))
}

/// The provider records a course its staff took.
pub async fn add_training(app: &App, actor: &Actor, org_id: i64, req: TrainingRequest) -> Result<Training> {
    add_training_after(app, actor, org_id, req, Problems::default()).await
}

/// [`add_training`] after the caller's own reading of the request found `p`, as [`save_profile_after`].
pub async fn add_training_after(
    app: &App,
    actor: &Actor,
    org_id: i64,
    req: TrainingRequest,
    mut p: Problems,
) -> Result<Training> {
    check_keeper(actor, org_id, "keep_registry")?;
    crate::directory::provider(app, org_id).await?;
    let held_on = parse_date(&mut p, "held_on", &req.held_on);
    let hours = parse_quantity(&mut p, "hours", &req.hours);
    let t = Training {
        id: 0,
        org_id,
        course: req.course.trim().into(),
        organiser: req.organiser.trim().into(),
        held_on,
        hours,
        participants: req.participants,
    };
    then_check(&mut p, |rest| t.check(today(app), rest));
    p.into_result()?;
    Ok(app.store.add_training(&By::actor(actor), t, app.clock.now()).await?)
}

/// Civil affairs may verify a registration only once the registry entry and a current registration certificate
/// are in.
pub async fn check_verifiable(app: &App, org_id: i64) -> Result<()> {
    let profile = app.store.profile(org_id).await?;
    let qualifications = app.store.qualifications_of(org_id).await?;
    Ok(registry::check_verifiable(profile.as_ref(), &qualifications, today(app))?)
}

/// The caller's own qualifications that are expiring or expired, for its home page.
pub async fn own_flags(app: &App, actor: &Actor) -> Result<Vec<QualificationView>> {
    if !registry::may_keep(actor, actor.org_id) {
        return Ok(vec![]);
    }
    let (today, warn) = (today(app), app.rules.qualification_warning_days);
    let all = app.store.qualifications_of(actor.org_id).await?;
    Ok(all.into_iter().map(|q| view(q, today, warn, true)).filter(|q| q.validity != Validity::Current).collect())
}

/// Qualifications in civil affairs' place that expire within the warning days or have expired, a page at a time.
pub async fn flagged(app: &App, actor: &Actor, page: PageRequest) -> Result<Page<FlaggedQualification>> {
    if !registry::may_verify(actor) {
        return Err(Error::forbidden("list_qualifications"));
    }
    let root = crate::directory::home_place(app, actor).await?.unwrap_or_default();
    let until = today(app) + chrono::Days::new(u64::from(app.rules.qualification_warning_days));
    Ok(app.store.flagged_qualifications(&root, until, page).await?)
}

/// One category's capacity: how many providers could bid for it, and its projects' grades.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryCapacity {
    pub code: String,
    pub name: String,
    pub providers: i64,
    /// Fewer providers than a procurement needs bidders (`min_bidders`).
    pub short: bool,
    /// Finished evaluations by grade code.
    pub grades: BTreeMap<String, i64>,
    /// Their average total out of 100 (two decimals), when there are any.
    pub average_score: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TownshipCapacity {
    pub code: String,
    pub name: String,
    pub providers: i64,
    pub short: bool,
}

/// Certified social workers by level, summed over providers.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct CertifiedTotals {
    pub assistant: i64,
    pub intermediate: i64,
    pub senior: i64,
}

/// Where capacity is, and where it is missing, in a region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectorOverview {
    /// The region the overview covers; empty for everywhere.
    pub region: String,
    #[schema(value_type = String, format = Date)]
    pub on: NaiveDate,
    /// How many providers a category or township needs before it is not short (the procurement's bidders).
    pub min_providers: u32,
    /// Providers who could bid (verified, active, not barred), by organisation kind code.
    pub by_kind: BTreeMap<String, i64>,
    pub providers: i64,
    pub staff: i64,
    pub social_workers: CertifiedTotals,
    /// Providers by founding year, with the running total.
    pub founded_by_year: Vec<(i32, i64, i64)>,
    pub categories: Vec<CategoryCapacity>,
    pub townships: Vec<TownshipCapacity>,
    pub trainings: i64,
    /// Participant-hours of training, e.g. "320.00".
    pub training_hours: String,
    /// Self-registrations waiting for civil affairs.
    pub pending: i64,
}

/// The sector overview for who reads statistics (civil affairs of its place, supervisors of theirs, finance and
/// the administrator everywhere), at `region` within that.
pub async fn sector(app: &App, actor: &Actor, region: Option<&str>) -> Result<SectorOverview> {
    let root = crate::statistics::reader_root(app, actor, region).await?.unwrap_or_default();
    let on = today(app);
    let counts = app.store.sector(&root, on).await?;
    let catalogue = app.store.catalogue().await?;
    Ok(overview(root, on, app.rules.min_bidders, counts, &catalogue))
}

/// The categories a provider serves and a procurement buys: the catalogue's lowest level, off the negative list.
pub fn servable_categories(catalogue: &[Category]) -> Vec<&Category> {
    let parents: std::collections::HashSet<&str> = catalogue.iter().filter_map(|k| k.parent.as_deref()).collect();
    catalogue
        .iter()
        .filter(|k| !parents.contains(k.code.as_str()) && category_status(catalogue, &k.code) == CategoryStatus::Listed)
        .collect()
}

/// Joins the store's counts with the catalogue: every category that may be purchased is listed, the ones nobody
/// serves with 0, so a missing category shows as short.
fn overview(region: String, on: NaiveDate, min: u32, c: SectorCounts, catalogue: &[Category]) -> SectorOverview {
    let served: BTreeMap<&str, i64> = c.by_category.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    let mut grades: BTreeMap<&str, BTreeMap<String, i64>> = BTreeMap::new();
    let mut points: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for g in &c.grades {
        *grades.entry(g.category.as_str()).or_default().entry(g.grade.clone()).or_default() += g.n;
        let (n, sum) = points.entry(g.category.as_str()).or_default();
        *n += g.n;
        *sum += g.points;
    }
    let categories = servable_categories(catalogue)
        .into_iter()
        .map(|k| {
            let providers = served.get(k.code.as_str()).copied().unwrap_or(0);
            CategoryCapacity {
                code: k.code.clone(),
                name: k.name.clone(),
                providers,
                short: providers < i64::from(min),
                grades: grades.remove(k.code.as_str()).unwrap_or_default(),
                average_score: points.get(k.code.as_str()).and_then(|(n, sum)| average(*sum, *n)),
            }
        })
        .collect();
    let townships = c
        .by_township
        .into_iter()
        .map(|TownshipCount { code, name, providers }| TownshipCapacity {
            code,
            name,
            providers,
            short: providers < i64::from(min),
        })
        .collect();
    let mut running = 0;
    let founded_by_year = c
        .founded_by_year
        .iter()
        .map(|(y, n)| {
            running += n;
            (*y, *n, running)
        })
        .collect();
    SectorOverview {
        region,
        on,
        min_providers: min,
        providers: c.by_kind.iter().map(|(_, n)| n).sum(),
        by_kind: c.by_kind.into_iter().collect(),
        staff: c.staff,
        social_workers: CertifiedTotals {
            assistant: c.social_workers.assistant,
            intermediate: c.social_workers.intermediate,
            senior: c.social_workers.senior,
        },
        founded_by_year,
        categories,
        townships,
        trainings: c.trainings,
        training_hours: c.training_hours.display(),
        pending: c.pending,
    }
}

/// The average of `n` totals summing to `sum` hundredths, rounded half up to two decimals.
fn average(sum: i64, n: i64) -> Option<String> {
    (n > 0).then(|| shanzhi_domain::evaluation::Points((2 * sum + n) / (2 * n)).display())
}

/// Whether `actor` reads the sector overview (for the menu).
pub fn may_see_sector(actor: &Actor) -> bool {
    crate::statistics::may_see(actor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shanzhi_domain::catalogue::Category;
    use shanzhi_store::registry::GradeCount;

    fn cat(code: &str, parent: Option<&str>, negative: bool) -> Category {
        Category { code: code.into(), name: code.into(), parent: parent.map(Into::into), negative }
    }

    #[test]
    fn every_purchasable_category_is_listed_and_a_missing_one_is_short() {
        let catalogue =
            [cat("A", None, false), cat("A01", Some("A"), false), cat("A02", Some("A"), false), cat("N", None, true)];
        let counts = SectorCounts {
            by_kind: vec![("enterprise".into(), 1), ("social_organisation".into(), 3)],
            by_category: vec![("A01".into(), 3)],
            founded_by_year: vec![(2012, 1), (2015, 3)],
            by_township: vec![TownshipCount { code: "420506001".into(), name: "小溪塔".into(), providers: 2 }],
            grades: vec![
                GradeCount { category: "A01".into(), grade: "excellent".into(), n: 2, points: 9_450 + 9_100 },
                GradeCount { category: "A01".into(), grade: "good".into(), n: 1, points: 8_001 },
            ],
            ..SectorCounts::default()
        };
        let o = overview("420506".into(), NaiveDate::MIN, 3, counts, &catalogue);
        let listed: Vec<(&str, i64, bool)> =
            o.categories.iter().map(|c| (c.code.as_str(), c.providers, c.short)).collect();
        assert_eq!(listed, [("A01", 3, false), ("A02", 0, true)], "a head and a negative category are not listed");
        assert_eq!(o.categories[0].grades.get("excellent"), Some(&2));
        // (94.50 + 91.00 + 80.01) / 3 = 88.503…, to two decimals.
        assert_eq!(o.categories[0].average_score.as_deref(), Some("88.50"));
        assert_eq!(o.categories[1].average_score, None);
        assert_eq!(o.providers, 4);
        assert_eq!(o.founded_by_year, [(2012, 1, 1), (2015, 3, 4)]);
        assert!(o.townships[0].short, "2 providers is fewer than the 3 bidders a procurement needs");
    }
}
