//! Statistics from SQL: the store's summary rows, summed for a year and a region, give exactly what the domain
//! computes from every record (`statistics::summary`, `summary_within`) — for every year and region of the demo,
//! for every active demo user's view through the API, for every year and region of a generated province (600
//! projects: the CLI tests' time limit keeps it at that in a debug build), and after a store made before the summary
//! rows is migrated.

use crate::both_backends;
use crate::helpers::*;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use shanzhi_domain::budget::Budget;
use shanzhi_domain::clock::china_date;
use shanzhi_domain::org::Region;
use shanzhi_domain::rules::Rules;
use shanzhi_domain::statistics::{self, Input, LedgerMove, Shown, Statistics, YearWarning};
use shanzhi_domain::visibility;
use shanzhi_store::PageRequest;
use shanzhi_store::StatisticsStore;

/// Every record the reference computation reads.
struct Everything {
    projects: Vec<shanzhi_domain::project::Project>,
    budgets: Vec<Budget>,
    ledger: Vec<LedgerMove>,
    organisations: Vec<shanzhi_domain::org::Organisation>,
    regions: Vec<Region>,
    catalogue: Vec<shanzhi_domain::catalogue::Category>,
    rules: Rules,
}

impl Everything {
    async fn load(app: &TestApp) -> Everything {
        let s = &app.store;
        let ledger = s
            .ledger(None)
            .await
            .unwrap()
            .iter()
            .map(|row| LedgerMove {
                budget_id: row.budget_id,
                movement: row.movement,
                amount: row.amount,
                on: china_date(DateTime::parse_from_rfc3339(&row.at).unwrap().with_timezone(&Utc)),
                project_id: row.project_id,
            })
            .collect();
        Everything {
            projects: s.projects().await.unwrap(),
            budgets: s.budgets().await.unwrap().into_iter().map(|b| b.budget).collect(),
            ledger,
            organisations: s.organisations().await.unwrap(),
            regions: s.regions().await.unwrap(),
            catalogue: s.catalogue().await.unwrap(),
            rules: app.setup.rules.clone(),
        }
    }

    fn input(&self) -> Input<'_> {
        Input {
            projects: &self.projects,
            budgets: &self.budgets,
            ledger: &self.ledger,
            organisations: &self.organisations,
            regions: &self.regions,
            catalogue: &self.catalogue,
            rules: &self.rules,
        }
    }

    /// The domain's own figures of `year` within `root`.
    fn reference(&self, year: Option<i32>, root: Option<&str>) -> Statistics {
        let input = self.input();
        match root {
            Some(root) => statistics::summary_within(&input, year, root),
            None => statistics::summary(&input, year),
        }
    }

    fn years(&self) -> Vec<Option<i32>> {
        let (first, last) = statistics::data_years(&self.input()).expect("the demo has data");
        std::iter::once(None).chain((first - 1..=last + 1).map(Some)).collect()
    }
}

/// Every year and region of the store (and none), the SQL figures against the domain's: with every item of the
/// long lists, with the first two of each and their count, and each list's pages (two a page) holding them all —
/// the warnings newest first, the departments by id newest first, the townships in code order.
async fn assert_every_year_and_region(app: &TestApp, all: &Everything) {
    let roots: Vec<Option<&str>> =
        std::iter::once(None).chain(all.regions.iter().map(|r| Some(r.code.as_str()))).collect();
    for year in all.years() {
        for root in &roots {
            let want = all.reference(year, *root);
            let got = app.store.statistics(&all.rules, year, *root, Shown::All).await.unwrap();
            assert_eq!(got, want, "year {year:?}, region {root:?}");
            let first = app.store.statistics(&all.rules, year, *root, Shown::First(2)).await.unwrap();
            assert_eq!(first, shown_first(&want, 2), "the first two: year {year:?}, region {root:?}");
            let (mut listed, mut page) = (Vec::new(), PageRequest::first(2));
            loop {
                let got = app.store.earmark_warnings(&all.rules, year, *root, page).await.unwrap();
                assert!(got.items.len() <= 2);
                listed.extend(got.items);
                match got.next {
                    Some(before) => page.before = Some(before),
                    None => break,
                }
            }
            assert_eq!(listed, newest_first(&want), "the warnings' pages: year {year:?}, region {root:?}");
            let (mut listed, mut page) = (Vec::new(), PageRequest::first(2));
            loop {
                let got = app.store.department_statistics(year, *root, page).await.unwrap();
                assert!(got.items.len() <= 2);
                listed.extend(got.items);
                match got.next {
                    Some(before) => page.before = Some(before),
                    None => break,
                }
            }
            let mut by_id = want.by_department.clone();
            by_id.sort_by_key(|d| std::cmp::Reverse(d.org_id));
            assert_eq!(listed, by_id, "the departments' pages: year {year:?}, region {root:?}");
            let (mut listed, mut after) = (Vec::new(), None::<String>);
            loop {
                let got = app.store.township_statistics(year, *root, after.as_deref(), 2).await.unwrap();
                assert!(got.items.len() <= 2);
                listed.extend(got.items);
                match got.next {
                    Some(code) => after = Some(code),
                    None => break,
                }
            }
            assert_eq!(listed, want.townships, "the townships' pages: year {year:?}, region {root:?}");
        }
    }
}

/// Every warning of `s`, newest first (by project, then year), as the paged list gives them.
fn newest_first(s: &Statistics) -> Vec<YearWarning> {
    let mut all: Vec<YearWarning> = s
        .welfare_lottery_earmark
        .iter()
        .flat_map(|e| e.warnings.iter().map(|w| YearWarning { year: e.year, warning: w.clone() }))
        .collect();
    all.sort_by_key(|w| std::cmp::Reverse((w.warning.project_id, w.year)));
    all
}

/// `s` as the API gives it: the first `n` departments (largest first) and townships (in code order) with their
/// counts, and each year's warnings only those among the first `n` newest, with the year's count.
fn shown_first(s: &Statistics, n: usize) -> Statistics {
    let first: Vec<YearWarning> = newest_first(s).into_iter().take(n).collect();
    let mut out = s.clone();
    out.departments_total = Some(s.by_department.len() as u32);
    out.by_department.truncate(n);
    out.townships_total = Some(s.townships.len() as u32);
    out.townships.truncate(n);
    for e in &mut out.welfare_lottery_earmark {
        e.warnings_total = Some(e.warnings.len() as u32);
        e.warnings = first.iter().filter(|w| w.year == e.year).map(|w| w.warning.clone()).collect();
    }
    out
}

both_backends! {
    async fn a_generated_provinces_statistics_from_sql_equal_the_domains_computation(backend) {
        let app = TestApp::empty(backend).await;
        let (code, out, err) = crate::gen::gen(&app, &["--projects", "600", "--counties", "2", "--seed", "3", "--batch", "200"]);
        assert_eq!(code, 0, "{out}{err}");
        let all = Everything::load(&app).await;
        assert_eq!(all.projects.len(), 600);
        let whole = all.reference(None, None);
        assert!(whole.totals.paid.fen() > 0, "money moved in the generated province");
        assert_every_year_and_region(&app, &all).await;
        // The warnings' page, two at a time: the newest two, then through the next page's link the next.
        let warned = newest_first(&whole);
        assert!(warned.len() > 4, "the generated province has warnings to page through: {}", warned.len());
        let resp = form_sign_in_from(&app, None, "province.admin", "province-2026", "/").await;
        let cookie = session_cookie_of(&resp);
        let (status, html) = page(&app, "/dashboard/warnings?limit=2", &cookie).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let shown = |html: &str| -> Vec<bool> { warned.iter().map(|w| html.contains(&format!(">{} ", w.warning.code))).collect() };
        assert_eq!(shown(&html)[..3], [true, true, false], "{html}");
        let key = "href=\"/dashboard/warnings?limit=2&amp;cursor=";
        let at = html.find(key).expect("a link to the next page") + "href=\"".len();
        let next = html[at..].split('"').next().unwrap().replace("&amp;", "&");
        let (status, html) = page(&app, &next, &cookie).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert_eq!(shown(&html)[..5], [false, false, true, true, false], "{html}");
        let (status, html) = page(&app, "/dashboard/warnings?year=20x", &cookie).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
        // The province's dashboard shows its largest departments, says how many there are and where the rest are.
        let shown = shanzhi_app::statistics::FIRST_SHOWN as usize;
        assert!(whole.by_department.len() > shown, "more departments than shown: {}", whole.by_department.len());
        let (status, html) = page(&app, "/dashboard", &cookie).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let note = format!("以上为 {} 个购买主体中金额最大的 {shown} 个", whole.by_department.len());
        assert!(html.contains(&note), "{note} in {html}");
        assert!(html.contains(&whole.by_department[shown - 1].name) && !html.contains(&whole.by_department[shown].name));
    }

    async fn every_year_and_region_from_sql_equals_the_domains_computation(backend) {
        let app = TestApp::with_demo(backend).await;
        let all = Everything::load(&app).await;
        assert!(all.regions.len() > 12 && all.projects.len() > 20, "the demo has places and projects");
        let whole = all.reference(None, None);
        assert!(whole.totals.paid.fen() > 0 && !whole.welfare_lottery_earmark.is_empty(), "money moved in the demo");
        assert_every_year_and_region(&app, &all).await;
        let (first, last) = app.store.data_years().await.unwrap().unwrap();
        assert_eq!(years_of(&all), (first, last));
    }

    async fn every_demo_users_view_from_the_api_equals_the_domains(backend) {
        let app = TestApp::with_demo(backend).await;
        let all = Everything::load(&app).await;
        let mut readers = 0;
        for user in app.store.users().await.unwrap().into_iter().filter(|u| u.active) {
            let actor = app.store.actor(user.id).await.unwrap().expect("an actor");
            let seat = app.store.organisation(actor.org_id).await.unwrap().and_then(|o| o.region);
            let token = app.token(&user.username).await;
            for year in [None, Some(2013), Some(2014), Some(2025)] {
                let path = match year {
                    Some(y) => format!("/api/v1/statistics?year={y}"),
                    None => "/api/v1/statistics".to_string(),
                };
                let (status, body) = app.get(&path, &token).await;
                let listed = path.replace("/statistics", "/statistics/warnings").replace('?', "?limit=200&");
                let listed = if year.is_none() { format!("{listed}?limit=200") } else { listed };
                let (list_status, list) = app.get(&listed, &token).await;
                match visibility::statistics_scope(&actor, seat.as_deref()) {
                    None => {
                        assert_eq!(status, StatusCode::FORBIDDEN, "{}", user.username);
                        assert_eq!(list_status, StatusCode::FORBIDDEN, "{}", user.username);
                    }
                    Some(scope) => {
                        readers += 1;
                        let root = scope.root_for(None).unwrap();
                        let reference = all.reference(year, root.as_deref());
                        let shown = shanzhi_app::statistics::FIRST_SHOWN as usize;
                        let want: Value = serde_json::to_value(shown_first(&reference, shown)).unwrap();
                        assert_eq!((status, body), (StatusCode::OK, want), "{} {year:?}", user.username);
                        let want = serde_json::json!({"items": newest_first(&reference), "next_cursor": null});
                        assert_eq!((list_status, list), (StatusCode::OK, want), "{} {listed}", user.username);
                        let mut by_id = reference.by_department.clone();
                        by_id.sort_by_key(|d| std::cmp::Reverse(d.org_id));
                        let (status, list) = app.get(&listed.replace("/warnings", "/departments"), &token).await;
                        let want = serde_json::json!({"items": by_id, "next_cursor": null});
                        assert_eq!((status, list), (StatusCode::OK, want), "{} departments", user.username);
                        let (status, list) = app.get(&listed.replace("/warnings", "/townships"), &token).await;
                        let want = serde_json::json!({"items": reference.townships, "next_cursor": null});
                        assert_eq!((status, list), (StatusCode::OK, want), "{} townships", user.username);
                        // An unknown region is outside a part's reader's part: refused as such.
                        let unknown = if root.is_none() { (StatusCode::BAD_REQUEST, "unknown_region") } else { (StatusCode::FORBIDDEN, "forbidden") };
                        for (bad, status, code) in [("cursor=x", StatusCode::BAD_REQUEST, "invalid_cursor"), ("limit=0", StatusCode::BAD_REQUEST, "invalid_limit"), ("kind=a", StatusCode::BAD_REQUEST, "unknown_parameter"), ("region=999", unknown.0, unknown.1), ("year=13", StatusCode::BAD_REQUEST, "invalid_year")] {
                            for list in ["warnings", "departments", "townships"] {
                                // A township's code is its list's cursor: any but an empty one or one with control characters.
                                let bad = match (list, bad) {
                                    ("townships", "cursor=x") => "cursor=%01",
                                    _ => bad,
                                };
                                let path = format!("/api/v1/statistics/{list}?{bad}");
                                app.refused(Method::GET, &path, &token, None, status, code).await;
                            }
                        }
                    }
                }
            }
        }
        assert!(readers > 4, "several demo users read statistics");
    }

    async fn a_project_whose_places_change_moves_its_money_between_places(backend) {
        let app = TestApp::with_demo(backend).await;
        let all = Everything::load(&app).await;
        // A paid project, moved (as no step would do today, so the store is driven directly) to a township of
        // another county's part: its ledger sums leave every place it left and arrive in every place it entered.
        let paid: std::collections::BTreeSet<i64> = all.ledger.iter().filter_map(|m| m.project_id).collect();
        let before = all.projects.iter().find(|p| paid.contains(&p.id) && p.design.regions.len() == 1).expect("a paid project");
        move_elsewhere(&app, &all, before).await;
        assert_every_year_and_region(&app, &Everything::load(&app).await).await;
        // A contracted project with welfare-lottery money, given a category outside social work (the demo has no
        // such warning) and moved: its warning appears in the places it entered; moved again, it leaves them.
        let all = Everything::load(&app).await;
        let lottery = |p: &&shanzhi_domain::project::Project| {
            p.contract.is_some()
                && p.funding.iter().any(|f| f.source == shanzhi_domain::budget::FundSource::WelfareLottery)
        };
        let before = all.projects.iter().find(lottery).expect("a contracted project with lottery money");
        let outside = all.catalogue.iter().find(|c| c.parent.is_some() && !all.rules.is_social_work(&c.code)).expect("a category outside social work");
        let mut recategorised = before.clone();
        recategorised.design.category = outside.code.clone();
        move_elsewhere(&app, &all, &recategorised).await;
        let all = Everything::load(&app).await;
        let warned = all.reference(None, None).welfare_lottery_earmark.iter().any(|e| e.warnings.iter().any(|w| w.project_id == before.id));
        assert!(warned, "the moved project has a warning");
        assert_every_year_and_region(&app, &all).await;
        let again = all.projects.iter().find(|p| p.id == before.id).expect("the project");
        move_elsewhere(&app, &all, again).await;
        assert_every_year_and_region(&app, &Everything::load(&app).await).await;
    }

    async fn a_store_made_before_the_summary_rows_gets_them_when_migrated(backend) {
        let app = TestApp::with_demo(backend).await;
        let all = Everything::load(&app).await;
        // As a store made before migration 16: none of its tables (nor those of migrations 20, 24, 29, the lottery
        // rows per place, the ledger's groups and the departments' rows, which sum its rows per place, per fund source
        // and per department), the migrations not applied.
        for table in ["statistics_departments", "statistics_ledger_place_groups", "statistics_ledger_groups", "statistics_place_lottery", "statistics_ledger_places", "statistics_place_totals", "statistics_rows", "statistics_totals", "statistics_ledger_sources", "statistics_ledger", "statistics_ledger_totals"] {
            sqlx::query(&format!("DROP TABLE {table}")).execute(app.store.pool()).await.unwrap();
        }
        sqlx::query("DROP INDEX budgets_year_source").execute(app.store.pool()).await.unwrap();
        let (place_lottery, groups, departments) = match backend {
            shanzhi_store::Backend::Sqlite => (30, 33, 36),
            shanzhi_store::Backend::Postgres => (33, 36, 38),
        };
        let versions = format!(
            "DELETE FROM schema_migrations WHERE version IN (16, 20, 24, 29, {place_lottery}, {groups}, {departments})"
        );
        sqlx::query(&versions).execute(app.store.pool()).await.unwrap();
        app.store.migrate().await.unwrap();
        assert_every_year_and_region(&app, &all).await;
        // Migrating again changes nothing.
        app.store.migrate().await.unwrap();
        assert_eq!(app.store.statistics(&all.rules, None, None, Shown::All).await.unwrap(), all.reference(None, None));
    }

    // And the departments' rows (migration 36 on SQLite, 38 on PostgreSQL), from the sums and the groups.
    async fn a_store_made_before_the_ledgers_groups_gets_them_from_its_sums_when_migrated(backend) {
        let app = TestApp::with_demo(backend).await;
        let all = Everything::load(&app).await;
        for table in ["statistics_departments", "statistics_ledger_place_groups", "statistics_ledger_groups"] {
            sqlx::query(&format!("DROP TABLE {table}")).execute(app.store.pool()).await.unwrap();
        }
        let (groups, departments) = match backend {
            shanzhi_store::Backend::Sqlite => (33, 36),
            shanzhi_store::Backend::Postgres => (36, 38),
        };
        let versions = format!("DELETE FROM schema_migrations WHERE version IN ({groups}, {departments})");
        sqlx::query(&versions).execute(app.store.pool()).await.unwrap();
        app.store.migrate().await.unwrap();
        assert_every_year_and_region(&app, &all).await;
    }
}

/// Saves `before` (as no step would do today, so the store is driven directly) moved to a township outside its
/// first region's part.
async fn move_elsewhere(app: &TestApp, all: &Everything, before: &shanzhi_domain::project::Project) {
    use shanzhi_store::ProjectStore;
    let elsewhere = all
        .regions
        .iter()
        .find(|r| {
            r.level == shanzhi_domain::org::RegionLevel::Township && !before.design.regions[0].starts_with(&r.code)
        })
        .expect("another township");
    let mut after = before.clone();
    after.design.regions = vec![elsewhere.code.clone()];
    after.version += 1;
    let change = shanzhi_domain::project::Change::new(shanzhi_domain::audit::Action::ProjectDesign, Value::Null);
    // The stored record is what the store compares with: the version it holds, whatever `before` changed.
    let stored = all.projects.iter().find(|p| p.id == before.id).expect("the stored project");
    app.store.update_project(&shanzhi_store::By::system("test"), stored, &after, &change, Utc::now()).await.unwrap();
}

fn years_of(all: &Everything) -> (i32, i32) {
    statistics::data_years(&all.input()).unwrap()
}
