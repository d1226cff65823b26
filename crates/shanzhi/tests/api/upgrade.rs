//! A data folder made by the release before the application layer (main of 2026-12-02: the demo loaded, its
//! report summaries recorded for every year) still opens: it migrates, its audit chain verifies, and every
//! report summary is what that release gave.

use crate::cli::shanzhi_at;
use crate::helpers::temp_dir;
use std::io::Read;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data-2026-12-02");

/// A copy of the fixture's data folder, its database unpacked.
fn data_folder() -> std::path::PathBuf {
    let dir = temp_dir();
    std::fs::create_dir_all(&dir).unwrap();
    for key in ["secret.key", "bid-master.key"] {
        std::fs::copy(format!("{FIXTURE}/{key}"), dir.join(key)).unwrap();
    }
    let packed = std::fs::File::open(format!("{FIXTURE}/shanzhi.db.gz")).unwrap();
    let mut db = Vec::new();
    flate2::read::GzDecoder::new(packed).read_to_end(&mut db).unwrap();
    std::fs::write(dir.join("shanzhi.db"), db).unwrap();
    dir
}

#[test]
fn a_data_folder_of_the_release_before_migrates_verifies_and_reports_the_same() {
    let dir = data_folder();
    let location = shanzhi::Location::new(&dir, None);
    let (code, out, err) = shanzhi_at(&location, &["migrate"], None, &[]);
    assert_eq!(code, 0, "migrate: {out}{err}");
    let (code, out, err) = shanzhi_at(&location, &["audit", "verify"], None, &[]);
    assert_eq!(code, 0, "audit verify: {out}{err}");
    assert!(out.contains("ok"), "{out}");
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{FIXTURE}/summaries.json")).unwrap()).unwrap();
    let recorded = recorded.as_object().unwrap();
    assert!(recorded.len() > 10, "the fixture holds the summary of every year");
    for (year, want) in recorded {
        let mut args = vec!["report", "summary", "--json"];
        if year != "all" {
            args.extend(["--year", year.as_str()]);
        }
        let (code, out, err) = shanzhi_at(&location, &args, None, &[]);
        assert_eq!(code, 0, "report summary {year}: {err}");
        let mut got: serde_json::Value = serde_json::from_str(&out).unwrap();
        // The release before raised no red flags: the report names every code, none raised.
        let flags = got.as_object_mut().unwrap().remove("red_flags").expect("red_flags");
        assert!(
            flags.as_object().unwrap().len() == 13 && flags.as_object().unwrap().values().all(|n| n == 0),
            "{flags}"
        );
        // Nor had it evaluations; the providers it had are counted by kind.
        let grades = got.as_object_mut().unwrap().remove("grades").expect("grades");
        assert_eq!(grades, serde_json::json!({"excellent": 0, "good": 0, "fair": 0, "poor": 0}));
        let kinds = got.as_object_mut().unwrap().remove("providers_by_kind").expect("providers_by_kind");
        assert!(kinds.as_object().unwrap().values().all(|n| n.as_i64().unwrap() > 0), "{kinds}");
        assert_eq!(&got, want, "report summary of {year}");
    }
}

/// Migrations 18 and 19 index the notices and projects already stored under their places: after the upgrade a
/// region's notice list is the notices of the projects in that region, and its project list those projects.
#[tokio::test]
async fn notices_and_projects_stored_before_are_found_by_region_after_the_upgrade() {
    use shanzhi_store::{NoticeFilter, PageRequest, ProcurementStore, ProjectFilter, ProjectStore, Store};
    let dir = data_folder();
    let location = shanzhi::Location::new(&dir, None);
    let (code, out, err) = shanzhi_at(&location, &["migrate"], None, &[]);
    assert_eq!(code, 0, "migrate: {out}{err}");
    let store = location.open().await.unwrap();
    let projects = store.projects().await.unwrap();
    let notices = store.notices().await.unwrap();
    assert!(!notices.is_empty());
    let everything = crate::helpers::whole_platform();
    let mut matched = 0;
    for region in store.regions().await.unwrap() {
        let code = region.code;
        let want: Vec<i64> = notices
            .iter()
            .filter(|n| {
                projects
                    .iter()
                    .any(|p| p.id == n.notice.project_id && p.design.regions.iter().any(|r| r.starts_with(&code)))
            })
            .map(|n| n.id)
            .collect();
        matched += usize::from(!want.is_empty());
        let filter = NoticeFilter { region: Some(code.clone()), ..NoticeFilter::default() };
        let got = store.notice_page(&filter, PageRequest::first(200)).await.unwrap();
        assert_eq!(got.items.iter().map(|n| n.id).collect::<Vec<_>>(), want, "region {code}");
        let mut want: Vec<i64> =
            projects.iter().filter(|p| p.design.regions.iter().any(|r| r.starts_with(&code))).map(|p| p.id).collect();
        want.reverse();
        let filter = ProjectFilter { region: Some(code.clone()), ..ProjectFilter::default() };
        let got = store.project_page(&everything, &filter, PageRequest::first(200)).await.unwrap();
        assert_eq!(got.items.iter().map(|p| p.id).collect::<Vec<_>>(), want, "projects of {code}");
    }
    // Migration 22 filled the list items' columns from the records.
    let items = store.project_items(&everything, &ProjectFilter::default(), PageRequest::first(200)).await.unwrap();
    let want: Vec<_> = projects.iter().rev().map(|p| p.item(shanzhi_domain::visibility::ProjectAccess::Full)).collect();
    assert_eq!(items.items, want, "every project's list item, from its columns");
    assert!(matched > 3, "{matched} places have notices");
}

/// Migration 31 indexes the experts already in the pool by their categories: after the upgrade a committee
/// draw's experts for a category are those of the whole pool who cover it.
#[tokio::test]
async fn experts_stored_before_are_found_by_category_after_the_upgrade() {
    use shanzhi_store::{ProjectStore, Store};
    let dir = data_folder();
    let location = shanzhi::Location::new(&dir, None);
    let (code, out, err) = shanzhi_at(&location, &["migrate"], None, &[]);
    assert_eq!(code, 0, "migrate: {out}{err}");
    let store = location.open().await.unwrap();
    let pool = store.experts().await.unwrap();
    assert!(pool.len() >= 10, "{} experts", pool.len());
    let mut categories: Vec<String> = store.projects().await.unwrap().into_iter().map(|p| p.design.category).collect();
    categories.extend(["A", "A07", "B"].map(String::from));
    for cat in categories {
        let want: Vec<i64> = pool.iter().filter(|e| e.covers(&cat)).map(|e| e.id).collect();
        let got: Vec<i64> = store.experts_covering(&cat).await.unwrap().iter().map(|e| e.id).collect();
        assert_eq!(got, want, "category {cat}");
    }
}

/// Migration 34 moves each project's and procurement's JSON record to the end of its row on SQLite, where the
/// release before stored it ahead of the list columns: every record still reads, and nothing follows it.
#[tokio::test]
async fn records_stored_before_the_list_columns_end_their_rows_after_the_upgrade() {
    use shanzhi_store::{ProcurementStore, ProjectStore};
    let dir = data_folder();
    let location = shanzhi::Location::new(&dir, None);
    let columns = |table: &'static str| {
        let url = format!("sqlite://{}", dir.join("shanzhi.db").display());
        async move {
            use sqlx::Connection;
            let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let sql = format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid");
            let columns: Vec<(String,)> = sqlx::query_as(&sql).fetch_all(&mut db).await.unwrap();
            columns.into_iter().map(|c| c.0).collect::<Vec<_>>()
        }
    };
    let before = [columns("projects").await, columns("procurements").await];
    assert!(before.iter().all(|c| c.last().unwrap() != "data"), "the fixture stores the record before other columns");
    let (code, out, err) = shanzhi_at(&location, &["migrate"], None, &[]);
    assert_eq!(code, 0, "migrate: {out}{err}");
    // Only a project record's shape (migration 38) follows it: read with the record, never without it.
    let (projects_after, procurements_after) = (columns("projects").await, columns("procurements").await);
    assert!(projects_after.ends_with(&["data".to_string(), "shape".to_string()]), "{projects_after:?}");
    assert_eq!(procurements_after.last().unwrap(), "data");
    let store = location.open().await.unwrap();
    let (projects, procurements) = (store.projects().await.unwrap(), store.procurements().await.unwrap());
    assert!(!projects.is_empty() && !procurements.is_empty());
    assert!(projects.iter().all(|p| !p.design.title.is_empty()), "every project's record reads whole");
}

/// Migration 44 on PostgreSQL rewrites every welfare-lottery summary row of a store that had them: the figures
/// after it are those before, and the summary tables are vacuumed, so that their index-only reads do not fetch the
/// rows it left dead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lottery_rows_rewritten_by_the_upgrade_give_the_same_figures_and_are_vacuumed_on_postgresql() {
    use crate::helpers::TestApp;
    // Social work narrowed to its own head: the demo's lottery-funded elderly and children's services are warned of.
    let rules = shanzhi_domain::rules::Rules { social_work_categories: vec!["A07".into()], ..Default::default() };
    let setup = crate::helpers::Setup { rules, ..Default::default() };
    let app = TestApp::with_demo_and(shanzhi_store::Backend::Postgres, setup).await;
    let admin = app.token("admin").await;
    let before = figures(&app, &admin).await;
    let warned: usize = before
        .iter()
        .flat_map(|s| s["welfare_lottery_earmark"].as_array().cloned().unwrap_or_default())
        .map(|e| e["warnings_total"].as_u64().unwrap_or(0) as usize)
        .sum();
    assert!(warned > 0, "the demo has welfare-lottery warnings: {before:?}");
    // The store as the release before migration 44 left it: lottery rows that count no project.
    let pool = app.store.pool();
    sqlx::raw_sql(
        "DELETE FROM schema_migrations WHERE version = 44; \
         UPDATE statistics_rows SET projects = 0 WHERE kind = 'lottery'; \
         UPDATE statistics_totals SET projects = 0 WHERE kind = 'lottery'; \
         UPDATE statistics_place_totals SET projects = 0 WHERE kind = 'lottery'",
    )
    .execute(pool)
    .await
    .unwrap();
    app.store.migrate().await.unwrap();
    assert_eq!(figures(&app, &admin).await, before);
    // The vacuum's own connection reports its counts as it closes; wait for them to show.
    let mut seen = vacuum_count(pool).await;
    for _ in 0..50 {
        if seen == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        seen = vacuum_count(pool).await;
    }
    assert_eq!(seen, 3, "summary tables vacuumed");
}

async fn vacuum_count(pool: &sqlx::AnyPool) -> i64 {
    let sql = "SELECT COUNT(*) FROM pg_stat_user_tables WHERE schemaname = current_schema() \
               AND relname IN ('statistics_rows', 'statistics_totals', 'statistics_place_totals') \
               AND last_vacuum IS NOT NULL";
    sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap()
}

/// The platform's figures of all years and of two years.
async fn figures(app: &crate::helpers::TestApp, token: &str) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    for year in ["", "?year=2025", "?year=2026"] {
        all.push(app.ok(reqwest::Method::GET, &format!("/api/v1/statistics{year}"), token, None).await);
    }
    all
}

/// The red flags' migration (sqlite 41) keeps each award already made, so the flags across a buyer's purchases
/// (`repeat_winner`, `splitting`) count the awards made before the upgrade.
#[tokio::test]
async fn awards_made_before_are_kept_for_the_red_flags_after_the_upgrade() {
    use shanzhi_store::{ProjectStore, RedFlagStore};
    let dir = data_folder();
    let location = shanzhi::Location::new(&dir, None);
    let (code, out, err) = shanzhi_at(&location, &["migrate"], None, &[]);
    assert_eq!(code, 0, "migrate: {out}{err}");
    let store = location.open().await.unwrap();
    let awards: Vec<_> =
        store.projects().await.unwrap().iter().filter_map(shanzhi_domain::red_flags::AwardFact::of).collect();
    assert!(awards.len() > 3, "{} awards", awards.len());
    for a in &awards {
        let needed = shanzhi_domain::red_flags::HistoryNeeded {
            wins_since: a.on - chrono::Days::new(1),
            until: a.on,
            parts: None,
        };
        let history = store.award_history(a.buyer_org_id, a.provider_org_id, &a.category, &needed).await.unwrap();
        assert!(history.contains(a), "{a:?} kept: {history:?}");
    }
}
