//! `shanzhi gen`: a generated province obeys the platform's rules, reads back through the lists, and is the
//! same for the same seed.

use crate::both_backends;
use crate::cli::shanzhi;
use crate::helpers::*;
use chrono::Datelike;
use shanzhi_domain::budget::Movement;
use shanzhi_domain::clock::Clock;
use shanzhi_domain::project::{Awaits, Status};
use shanzhi_domain::visibility::BudgetScope;
use shanzhi_store::{BudgetFilter, BudgetLists, PageRequest, ProcurementStore, ProjectStore};
use std::collections::{BTreeMap, BTreeSet};

const PASSWORD: &str = "province-2026";

/// Generates into `app`'s store as if it were the test clock's time.
pub(crate) fn gen(app: &TestApp, args: &[&str]) -> (i32, String, String) {
    let now = app.clock.now().to_rfc3339();
    let mut all = vec!["gen", "--now", now.as_str()];
    all.extend_from_slice(args);
    shanzhi(app, &all, None)
}

async fn sign_in(app: &TestApp, username: &str) -> String {
    let body = serde_json::json!({"username": username, "password": PASSWORD});
    let (status, body) = app.call(reqwest::Method::POST, "/api/v1/session", None, Some(body)).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "sign-in of {username}: {body}");
    body["token"].as_str().expect("token").to_string()
}

fn summary(app: &TestApp) -> serde_json::Value {
    let (code, out, err) = shanzhi(app, &["report", "summary", "--json"], None);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("JSON")
}

/// The summary tables with their columns: those summed from the projects' own rows, which a new province fills at
/// its end, and the projects' own rows.
const SUMMARY_TABLES: &[(&str, &str)] = &[
    ("statistics_totals", "kind, year, key, projects, posts, amount_fen"),
    ("statistics_place_totals", "code, kind, year, key, projects, posts, amount_fen"),
    ("statistics_ledger_totals", "budget_id, movement, year, amount_fen"),
    ("statistics_ledger_sources", "movement, year, source, amount_fen"),
    ("statistics_ledger_groups", "movement, year, source, org_id, line_year, granted, amount_fen"),
    ("statistics_ledger_places", "code, budget_id, movement, year, amount_fen"),
    ("statistics_ledger_place_groups", "code, movement, year, source, org_id, line_year, granted, amount_fen"),
    ("statistics_departments", "year, org_id, projects, posts, contracted_fen, paid_fen"),
    ("statistics_rows", "project_id, kind, year, key, projects, posts, amount_fen"),
    ("statistics_ledger", "project_id, budget_id, movement, year, amount_fen"),
    ("statistics_place_lottery", "code, year, project_id, key, amount_fen"),
];

/// Every summary table's rows, each as its values joined by `|`, sorted.
async fn summary_rows(app: &TestApp) -> BTreeMap<&'static str, Vec<String>> {
    let mut all = BTreeMap::new();
    for (table, columns) in SUMMARY_TABLES {
        let row: Vec<String> = columns.split(", ").map(|c| format!("CAST({c} AS TEXT)")).collect();
        let sql = format!("SELECT {} AS r FROM {table}", row.join(" || '|' || "));
        let mut rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(app.store.pool()).await.unwrap();
        rows.sort();
        all.insert(*table, rows);
    }
    all
}

/// `gen` with its info log, which names what a load put off.
fn gen_logged(app: &TestApp, args: &[&str]) -> (i32, String, String) {
    let now = app.clock.now().to_rfc3339();
    let mut all = vec!["gen", "--now", now.as_str()];
    all.extend_from_slice(args);
    crate::cli::shanzhi_at(&app.location, &all, None, &[("SHANZHI_LOG", "shanzhi_store=info")])
}

both_backends! {
    async fn a_new_province_fills_its_summary_tables_at_its_end_as_every_write_would(backend) {
        // The same province twice: new, its shared summary rows filled from the projects' rows at its end (on
        // PostgreSQL); and with --append into the empty store, every row written as the platform's writes do.
        let mut runs = Vec::new();
        for append in [false, true] {
            let app = TestApp::empty(backend).await;
            let mut args = vec!["--projects", "300", "--counties", "2", "--seed", "11", "--batch", "70"];
            if append {
                args.push("--append");
            }
            let (code, _, err) = gen_logged(&app, &args);
            assert_eq!(code, 0, "{err}");
            let put_off = !append && backend == shanzhi_store::Backend::Postgres;
            assert_eq!(err.contains("filling the statistics' summary tables"), put_off, "append {append}: {err}");
            runs.push((summary_rows(&app).await, summary(&app)));
        }
        let (filled, kept) = (&runs[0].0, &runs[1].0);
        for table in ["statistics_place_totals", "statistics_ledger_places", "statistics_departments"] {
            assert!(!kept[table].is_empty(), "{table} has rows");
        }
        for (table, rows) in kept {
            assert_eq!(filled[table].len(), rows.len(), "{table}: rows");
            assert_eq!(&filled[table], rows, "{table}");
        }
        assert_eq!(runs[0].1, runs[1].1, "the same report");
    }

    async fn a_load_cut_short_gets_its_summary_tables_filled_when_the_store_is_next_opened(backend) {
        let app = TestApp::empty(backend).await;
        let (code, _, err) = gen(&app, &["--projects", "60", "--counties", "2", "--seed", "3"]);
        assert_eq!(code, 0, "{err}");
        let whole = summary_rows(&app).await;
        // A load puts them off and dies before its end, its batches having written none of the shared rows.
        app.store.defer_summaries().await.unwrap();
        for table in ["statistics_place_totals", "statistics_ledger_places", "statistics_departments"] {
            sqlx::query(&format!("DELETE FROM {table}")).execute(app.store.pool()).await.unwrap();
        }
        assert_ne!(summary_rows(&app).await, whole);
        let again = app.another_server().await;
        assert_eq!(summary_rows(&again).await, whole, "filled as they were");
        assert_eq!(again.store.restore_list_indexes().await.unwrap(), 0, "nothing left to do");
    }

    async fn a_generated_province_obeys_the_rules_and_lists_agree(backend) {
        let app = TestApp::empty(backend).await;
        let (code, out, err) = gen(&app, &["--projects", "400", "--counties", "2", "--seed", "7", "--batch", "150"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("generated projects 1–400 in 2 counties"), "{out}");

        let projects = app.store.projects().await.unwrap();
        assert_eq!(projects.iter().map(|p| p.id).collect::<Vec<_>>(), (1..=400).collect::<Vec<_>>());
        let (code, out, _) = shanzhi(&app, &["audit", "verify"], None);
        assert_eq!(code, 0, "{out}");
        // Each record is written in this build's shape, and answered as stored just as it reads decoded.
        let admin = sign_in(&app, "province.admin").await;
        let sample: Vec<i64> = (1..=400).step_by(9).collect();
        let everything = whole_platform();
        let mut stored = Vec::new();
        for &id in &sample {
            assert!(app.store.stored_project(&everything, id).await.unwrap().is_some(), "project {id}");
            stored.push(app.get(&format!("/api/v1/projects/{id}"), &admin).await);
        }
        sqlx::raw_sql("UPDATE projects SET shape = 0").execute(app.store.pool()).await.unwrap();
        for (&id, stored) in sample.iter().zip(&stored) {
            assert_eq!(&app.get(&format!("/api/v1/projects/{id}"), &admin).await, stored, "project {id}");
        }
        // PostgreSQL's planner has the statistics of what the load wrote (a range over a million rows is planned
        // by them), without waiting for autovacuum.
        if backend == shanzhi_store::Backend::Postgres {
            let sql = "SELECT COUNT(DISTINCT tablename) FROM pg_stats WHERE schemaname = current_schema() \
                       AND tablename IN ('projects', 'project_regions', 'ledger', 'statistics_rows')";
            let analyzed: i64 = sqlx::query_scalar(sql).fetch_one(app.store.pool()).await.unwrap();
            assert_eq!(analyzed, 4, "tables with statistics");
            // And the summary tables the statistics count from by index are vacuumed (their visibility maps set).
            let sql = "SELECT COUNT(*) FROM pg_stat_user_tables WHERE schemaname = current_schema() \
                       AND relname IN ('statistics_rows', 'statistics_place_lottery', 'statistics_departments') \
                       AND last_vacuum IS NOT NULL";
            let vacuumed: i64 = sqlx::query_scalar(sql).fetch_one(app.store.pool()).await.unwrap();
            assert_eq!(vacuumed, 3, "summary tables vacuumed");
        }
        // The list indexes the load went without are all back, as an empty store has them.
        let fresh = TestApp::empty(backend).await;
        assert_eq!(app.store.index_definitions().await.unwrap(), fresh.store.index_definitions().await.unwrap());

        // Every step and end state has projects; a tenth or more count in the current year.
        let steps: BTreeSet<&str> = projects.iter().map(|p| p.facts().step).collect();
        for step in ["design", "cost_estimate", "review", "procurement", "contract", "acceptance", "completed", "cancelled", "terminated"] {
            assert!(steps.contains(step), "no project at {step}: {steps:?}");
        }
        let year = shanzhi_domain::clock::china_date(app.clock.now()).year();
        let current = projects.iter().filter(|p| p.facts().year == year).count();
        assert!(current * 10 >= projects.len(), "{current} of {} in {year}", projects.len());
        // Tenders taking bids, and reports waiting for the purchaser's acceptance.
        let open: Vec<_> = app.store.procurements().await.unwrap().into_iter().filter(|q| q.stage.code() == "bidding").collect();
        assert!(open.len() >= 10, "{} procurements take bids", open.len());
        // An open tender holds the bids made by today, sealed until its deadline (on PostgreSQL the batch wrote
        // them, and their records, only at its commit): refused before it, read back whole after it.
        let mut bids = 0;
        for q in &open {
            let deadline = q.sealed_until().expect("a deadline");
            let early = shanzhi_app::procurements::unseal(&app.application, q, deadline - chrono::Duration::minutes(1)).await;
            assert!(early.is_err(), "opened before the deadline");
            let opened = shanzhi_app::procurements::unseal(&app.application, q, deadline).await.unwrap();
            assert!(opened.iter().all(|b| b.price.fen() > 0 && !b.name.is_empty() && b.receipt.len() == 64), "{opened:?}");
            bids += opened.len();
        }
        assert!(bids >= 10, "{bids} sealed bids in open tenders");
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sealed_events").fetch_one(app.store.pool()).await.unwrap();
        assert_eq!(waiting, bids as i64, "each bid's record waits sealed for the opening");
        let waiting = projects.iter().filter(|p| p.status == Status::Acceptance && p.facts().awaits.has(Awaits::PURCHASER)).count();
        assert!(waiting >= 10, "{waiting} milestones await acceptance");

        // Money: no budget bucket below zero; per project, payments ≤ commitments ≤ reservations.
        let lines = app.store.budgets().await.unwrap();
        for b in &lines {
            let z = shanzhi_domain::Money::ZERO;
            let bal = &b.balances;
            assert!(bal.available >= z && bal.reserved >= z && bal.committed >= z && bal.paid >= z, "{b:?}");
        }
        // The balances writes check and pages show come from the ledger's per-line sums: equal to the entries'.
        let everyone = BudgetScope { everything: true, org_id: 0, region: None };
        let mut paged = BTreeMap::new();
        let mut page = PageRequest::first(200);
        loop {
            let p = app.store.budget_page(&everyone, &BudgetFilter::default(), page).await.unwrap();
            paged.extend(p.items.into_iter().map(|v| (v.budget.id, v.balances)));
            match p.next {
                Some(before) => page.before = Some(before),
                None => break,
            }
        }
        assert_eq!(paged, lines.iter().map(|v| (v.budget.id, v.balances)).collect::<BTreeMap<_, _>>());
        let mut per: BTreeMap<i64, BTreeMap<&str, i64>> = BTreeMap::new();
        for row in app.store.ledger(None).await.unwrap() {
            if let Some(p) = row.project_id {
                *per.entry(p).or_default().entry(row.movement.code()).or_default() += row.amount.fen();
            }
        }
        assert!(per.len() > 100, "{} projects moved money", per.len());
        for (p, m) in &per {
            let sum = |mv: Movement| m.get(mv.code()).copied().unwrap_or(0);
            assert!(sum(Movement::Pay) <= sum(Movement::Commit) && sum(Movement::Commit) <= sum(Movement::Reserve), "project {p}: {m:?}");
        }

        // The province's supervisor sees every project through the lists, which agree with the records.
        let supervisor = sign_in(&app, "province.supervisor").await;
        let listed: BTreeSet<i64> = app.all("/api/v1/projects?limit=200", Some(&supervisor)).await.iter().map(|v| v["id"].as_i64().unwrap()).collect();
        assert_eq!(listed.len(), 400);
        let accepting: BTreeSet<i64> = app.all("/api/v1/projects?step=acceptance&limit=100", Some(&supervisor)).await.iter().map(|v| v["id"].as_i64().unwrap()).collect();
        let expected: BTreeSet<i64> = projects.iter().filter(|p| p.status == Status::Acceptance).map(|p| p.id).collect();
        assert_eq!(accepting, expected);

        // The accounts file names a county's people, who sign in with the shared password.
        let accounts: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(app.location.data_dir.join("gen-accounts.json")).unwrap()).unwrap();
        let county = &accounts["counties"][1];
        let region = county["region"].as_str().unwrap();
        let purchaser = sign_in(&app, county["accounts"]["purchaser"].as_str().unwrap()).await;
        let own: Vec<_> = app.all("/api/v1/projects?limit=200", Some(&purchaser)).await;
        assert!(!own.is_empty());
        let in_county: BTreeSet<i64> = app.all(&format!("/api/v1/projects?region={region}&limit=200"), Some(&supervisor)).await.iter().map(|v| v["id"].as_i64().unwrap()).collect();
        let expected: BTreeSet<i64> = projects.iter().filter(|p| p.design.regions.iter().any(|r| r.starts_with(region))).map(|p| p.id).collect();
        assert_eq!(in_county, expected);
        // What a batch writes as it commits: each project's step under its places, and its posts.
        let accepting_here: BTreeSet<i64> = app.all(&format!("/api/v1/projects?region={region}&step=acceptance&limit=100"), Some(&supervisor)).await.iter().map(|v| v["id"].as_i64().unwrap()).collect();
        let expected: BTreeSet<i64> = projects.iter().filter(|p| p.status == Status::Acceptance && p.design.regions.iter().any(|r| r.starts_with(region))).map(|p| p.id).collect();
        assert!(!expected.is_empty());
        assert_eq!(accepting_here, expected);
        let posts: BTreeSet<(i64, u64)> = app.all("/api/v1/posts?limit=200", Some(&supervisor)).await.iter().map(|v| (v["project_id"].as_i64().unwrap(), v["index"].as_u64().unwrap())).collect();
        let mut want = BTreeSet::new();
        let (mut running, mut filled) = (0, 0);
        for p in &projects {
            for (i, post) in p.contract.iter().flat_map(|c| c.posts.iter()).enumerate() {
                want.insert((p.id, i as u64));
                if p.status == Status::Acceptance {
                    running += 1;
                    filled += usize::from(post.holder.is_some());
                }
            }
        }
        assert!(filled > 0, "some posts are held");
        assert_eq!(posts, want);
        // The notices a batch numbers as they are published and writes at its commit: each listed under its
        // project's places, publicly.
        let notices = app.store.notices().await.unwrap();
        assert!(notices.len() > projects.len() / 2, "{} notices", notices.len());
        let county_projects: BTreeSet<i64> = projects.iter().filter(|p| p.design.regions.iter().any(|r| r.starts_with(region))).map(|p| p.id).collect();
        let expected: BTreeSet<i64> = notices.iter().filter(|n| county_projects.contains(&n.notice.project_id)).map(|n| n.id).collect();
        let listed: BTreeSet<i64> = app.all(&format!("/api/v1/notices?region={region}&limit=200"), None).await.iter().map(|v| v["id"].as_i64().unwrap()).collect();
        assert!(!expected.is_empty());
        assert_eq!(listed, expected);
        // The red flags a batch numbers as they are raised and writes at its commit: each listed under its
        // project's places, and counted once in the tallies.
        let flags: Vec<(i64, i64)> = sqlx::query_as("SELECT id, project_id FROM red_flags").fetch_all(app.store.pool()).await.unwrap();
        assert!(flags.len() > 10, "{} red flags", flags.len());
        let expected: BTreeSet<i64> = flags.iter().filter(|(_, p)| county_projects.contains(p)).map(|(id, _)| *id).collect();
        let listed: BTreeSet<i64> = app.all(&format!("/api/v1/red-flags?region={region}&limit=200"), Some(&supervisor)).await.iter().map(|v| v["id"].as_i64().unwrap()).collect();
        assert!(!expected.is_empty());
        assert_eq!(listed, expected);
        let counted = "SELECT year, buyer_org_id, code, COUNT(*) FROM red_flags GROUP BY year, buyer_org_id, code ORDER BY 1, 2, 3";
        let tallied = "SELECT year, buyer_org_id, code, n FROM red_flag_tallies WHERE place = '' ORDER BY 1, 2, 3";
        let of = |sql| sqlx::query_as::<_, (i64, i64, String, i64)>(sql).fetch_all(app.store.pool());
        assert_eq!(of(counted).await.unwrap(), of(tallied).await.unwrap());
        let resp = form_sign_in_from(&app, None, "province.supervisor", PASSWORD, "/").await;
        let (status, body) = crate::helpers::page(&app, "/posts", &session_cookie_of(&resp)).await;
        assert_eq!(status, reqwest::StatusCode::OK);
        for (label, n) in [("合同期内岗位", running), ("在岗", filled), ("历年购买岗位", want.len())] {
            assert!(body.contains(&format!("{label}</p><p class=\"card__value\">{n}</p>")), "{label} {n}");
        }
        sign_in(&app, "province.admin").await;

        // A store with projects is refused unless the run appends.
        let (code, _, err) = gen(&app, &["--projects", "20"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("already holds projects") && err.contains("--append"), "{err}");
        let (code, out, err) = gen(&app, &["--projects", "20", "--append", "--seed", "8"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("generated projects 401–420"), "{out}");
        assert_eq!(app.store.projects().await.unwrap().len(), 420);
        let (code, out, _) = shanzhi(&app, &["audit", "verify"], None);
        assert_eq!(code, 0, "{out}");
    }

    async fn the_same_seed_gives_the_same_province(backend) {
        let runs = [5, 5, 6];
        let mut summaries = Vec::new();
        for seed in runs {
            let app = TestApp::empty(backend).await;
            let (code, _, err) = gen(&app, &["--projects", "150", "--counties", "2", "--seed", &seed.to_string()]);
            assert_eq!(code, 0, "{err}");
            summaries.push(summary(&app));
        }
        assert_eq!(summaries[0], summaries[1], "same seed, same summary");
        assert_ne!(summaries[0], summaries[2], "another seed, another province");
    }
}

#[tokio::test]
async fn bad_counts_are_refused_by_name() {
    let app = TestApp::empty(shanzhi_store::Backend::Sqlite).await;
    for args in [vec!["gen"], vec!["gen", "--projects", "0"], vec!["gen", "--projects", "many"]] {
        let (code, _, err) = shanzhi(&app, &args, None);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("--projects"), "{args:?}: {err}");
    }
    assert!(app.store.projects().await.unwrap().is_empty());
}
