//! A batch (`SqlStore::batch`, the generator's transactions) holds projects' rows and ledger entries until it
//! commits: what it answers inside the batch and what it leaves afterwards must be what the same writes would
//! give one at a time — stale versions refused, balances that count the batch's own entries, nothing left
//! behind by a batch that is dropped.

use crate::both_backends;
use crate::helpers::*;
use shanzhi_domain::audit::Action;
use shanzhi_domain::project::{Change, Project};
use shanzhi_domain::statistics::Shown;
use shanzhi_domain::{DomainError, Money};
use shanzhi_store::{By, PageRequest, ProjectStore, StatisticsStore, Store, StoreError};

fn retitled(p: &Project, title: &str) -> Project {
    let mut after = p.clone();
    after.design.title = title.to_string();
    after.version += 1;
    after
}

fn note() -> Change {
    Change::new(Action::ProjectDesign, serde_json::json!({"note": "batch test"}))
}

fn is_stale(e: &StoreError) -> bool {
    matches!(e, StoreError::Domain(DomainError::StaleVersion))
}

both_backends! {
    async fn a_batch_saves_a_project_once_with_its_last_version(backend) {
        let app = TestApp::with_demo(backend).await;
        let by = By::system("test");
        let now = start_time();
        let p = app.store.projects().await.unwrap().into_iter().next().expect("a demo project");

        let batch = app.store.batch().await.unwrap();
        let first = retitled(&p, "第一次");
        batch.store().update_project(&by, &p, &first, &note(), now).await.unwrap();
        // Saved again from the version the batch already replaced: refused at once, as outside a batch.
        let err = batch.store().update_project(&by, &p, &retitled(&p, "又一次"), &note(), now).await.unwrap_err();
        assert!(is_stale(&err), "{err}");
        let second = retitled(&first, "第二次");
        batch.store().update_project(&by, &first, &second, &note(), now).await.unwrap();
        // Not written until the batch commits.
        assert_eq!(app.store.project(p.id).await.unwrap().unwrap().version, p.version);
        batch.commit().await.unwrap();

        let stored = app.store.project(p.id).await.unwrap().unwrap();
        assert_eq!((stored.version, stored.design.title.as_str()), (p.version + 2, "第二次"));
        let everything = whole_platform();
        let page = PageRequest { limit: 200, before: None };
        let items = app.store.project_items(&everything, &Default::default(), page).await.unwrap();
        let item = items.items.iter().find(|i| i.id == p.id).expect("listed");
        assert_eq!(item.title, "第二次", "the list columns are the last version's");
    }

    async fn a_project_a_batch_makes_and_renames_is_searched_by_its_last_title_alone(backend) {
        let app = TestApp::with_demo(backend).await;
        let by = By::system("test");
        let now = start_time();
        let p = app.store.projects().await.unwrap().into_iter().next().expect("a demo project");

        let batch = app.store.batch().await.unwrap();
        let made = batch.store().insert_project(&by, retitled(&p, "批内新建项目"), Action::ProjectCreate, serde_json::Value::Null, now).await.unwrap();
        let renamed = retitled(&made, "批内改名项目");
        batch.store().update_project(&by, &made, &renamed, &note(), now).await.unwrap();
        batch.commit().await.unwrap();

        // The terms the batch held for the project it made are the last title's, written once as it committed.
        let terms = crate::project_search::title_terms(&app, made.id).await;
        assert_eq!(terms, shanzhi_domain::search::bigrams("批内改名项目").into_iter().collect());
    }

    async fn a_project_a_batch_makes_and_moves_is_listed_under_its_last_places_alone(backend) {
        let app = TestApp::with_demo(backend).await;
        let by = By::system("test");
        let now = start_time();
        let projects = app.store.projects().await.unwrap();
        // A project in some townships, and a township apart from all of them.
        let apart = |was: &[String], r: &String| !was.iter().any(|w| r.starts_with(w.as_str()) || w.starts_with(r.as_str()));
        let (p, elsewhere) = projects
            .iter()
            .find_map(|p| {
                let was = &p.design.regions;
                projects.iter().flat_map(|q| q.design.regions.iter()).find(|r| apart(was, r)).map(|r| (p, r.clone()))
            })
            .expect("projects in different townships");
        let was = p.design.regions.clone();

        let batch = app.store.batch().await.unwrap();
        let made = batch.store().insert_project(&by, retitled(p, "批内新建项目"), Action::ProjectCreate, serde_json::Value::Null, now).await.unwrap();
        let mut moved = retitled(&made, "批内新建项目");
        moved.design.regions = vec![elsewhere.clone()];
        batch.store().update_project(&by, &made, &moved, &note(), now).await.unwrap();
        batch.commit().await.unwrap();

        // Its places are the last record's, written once as the batch committed: listed there, once, and not
        // where it was made.
        let everything = whole_platform();
        let under = |region: &str| {
            let filter = shanzhi_store::ProjectFilter { region: Some(region.to_string()), ..Default::default() };
            let (app, everything) = (&app, &everything);
            async move {
                let page = app.store.project_items(everything, &filter, PageRequest { limit: 200, before: None }).await.unwrap();
                page.items.iter().filter(|i| i.id == made.id).count()
            }
        };
        assert_eq!(under(&elsewhere).await, 1);
        assert_eq!(under(&elsewhere[..6]).await, 1, "under the county above it, once");
        assert_eq!(under(&was[0]).await, 0);
        let regions: Vec<String> = sqlx::query_scalar("SELECT region FROM project_regions WHERE project_id = $1").bind(made.id).fetch_all(app.store.pool()).await.unwrap();
        assert_eq!(regions, [elsewhere]);
    }

    async fn a_batch_saving_from_a_version_someone_else_replaced_commits_nothing(backend) {
        let app = TestApp::with_demo(backend).await;
        let by = By::system("test");
        let now = start_time();
        let mut projects = app.store.projects().await.unwrap().into_iter();
        let (p, q) = (projects.next().unwrap(), projects.next().unwrap());
        // Someone saves `p` outside the batch after the batch's writer read it.
        let batch = app.store.batch().await;
        let batch = match backend {
            // SQLite's batch holds the only writer's slot: the other save comes first.
            shanzhi_store::Backend::Sqlite => {
                drop(batch);
                app.store.update_project(&by, &p, &retitled(&p, "别人改过"), &note(), now).await.unwrap();
                app.store.batch().await.unwrap()
            }
            shanzhi_store::Backend::Postgres => {
                app.store.update_project(&by, &p, &retitled(&p, "别人改过"), &note(), now).await.unwrap();
                batch.unwrap()
            }
        };
        batch.store().update_project(&by, &q, &retitled(&q, "批里改的"), &note(), now).await.unwrap();
        batch.store().update_project(&by, &p, &retitled(&p, "批里改的"), &note(), now).await.unwrap();
        let err = batch.commit().await.unwrap_err();
        assert!(is_stale(&err), "{err}");
        assert_eq!(app.store.project(p.id).await.unwrap().unwrap().design.title, "别人改过");
        assert_eq!(app.store.project(q.id).await.unwrap().unwrap().version, q.version, "nothing of the batch stays");
        let events = app.store.audit_events(0, 100_000).await.unwrap();
        assert!(!events.iter().any(|e| e.after.to_string().contains("批里改的")), "no event of the batch stays");
    }

    async fn a_batch_counts_its_own_ledger_entries_and_keeps_them_only_when_it_commits(backend) {
        let app = TestApp::with_demo(backend).await;
        let by = By::system("test");
        let now = start_time();
        let budgets = app.store.budgets().await.unwrap();
        let line = budgets.iter().max_by_key(|b| b.balances.available).expect("a demo budget line");
        let to = budgets.iter().map(|b| b.budget.org_id).find(|o| *o != line.budget.org_id).expect("another department");
        let available = line.balances.available;
        let most = Money::from_fen(available.fen() * 3 / 5);
        let entries_before = app.store.ledger(None).await.unwrap().len();

        // Dropped: nothing stays.
        let batch = app.store.batch().await.unwrap();
        let view = batch.store().grant(&by, line.budget.id, to, most, "第一笔", now).await.unwrap();
        assert_eq!(view.balances.available, most, "the receiving line, as the batch left it");
        // The source line's balance inside the batch counts the first grant: the second overspends it.
        let err = batch.store().grant(&by, line.budget.id, to, most, "第二笔", now).await.unwrap_err();
        assert!(matches!(err, StoreError::Domain(DomainError::BudgetExceeded { .. })), "{err}");
        drop(batch);
        assert_eq!(app.store.ledger(None).await.unwrap().len(), entries_before);
        let again = app.store.budgets().await.unwrap().into_iter().find(|b| b.budget.id == line.budget.id).unwrap();
        assert_eq!(again.balances.available, available);

        // Committed: the entries, their balances and their sums are those of grants made one at a time.
        let batch = app.store.batch().await.unwrap();
        let part = Money::from_fen(available.fen() / 5);
        batch.store().grant(&by, line.budget.id, to, part, "第一笔", now).await.unwrap();
        batch.store().grant(&by, line.budget.id, to, part, "第二笔", now).await.unwrap();
        batch.commit().await.unwrap();
        assert_eq!(app.store.ledger(None).await.unwrap().len(), entries_before + 4, "out and in, twice");
        let after = app.store.budgets().await.unwrap().into_iter().find(|b| b.budget.id == line.budget.id).unwrap();
        assert_eq!(after.balances.available, available - part - part);
        let one_at_a_time = TestApp::with_demo(backend).await;
        let twin = one_at_a_time.store.budgets().await.unwrap();
        let twin_line = twin.iter().find(|b| b.budget.id == line.budget.id).unwrap();
        one_at_a_time.store.grant(&by, twin_line.budget.id, to, part, "第一笔", now).await.unwrap();
        one_at_a_time.store.grant(&by, twin_line.budget.id, to, part, "第二笔", now).await.unwrap();
        let year = chrono::Datelike::year(&shanzhi_domain::clock::china_date(now));
        let rules = &app.setup.rules;
        let (ours, theirs) = (
            app.store.statistics(rules, Some(year), None, Shown::All).await.unwrap(),
            one_at_a_time.store.statistics(rules, Some(year), None, Shown::All).await.unwrap(),
        );
        let figures = |s| serde_json::to_value(s).unwrap();
        assert_eq!(figures(ours), figures(theirs));
    }

    async fn a_batch_starts_from_the_last_batchs_balances_only_while_nobody_else_moved_money(backend) {
        let app = TestApp::with_demo(backend).await;
        let by = By::system("test");
        let now = start_time();
        let budgets = app.store.budgets().await.unwrap();
        let line = budgets.iter().max_by_key(|b| b.balances.available).expect("a budget line").clone();
        let to = budgets.iter().map(|b| b.budget.org_id).find(|o| *o != line.budget.org_id).expect("another department");
        let tenth = Money::from_fen(line.balances.available.fen() / 10);

        let batch = app.store.batch().await.unwrap();
        batch.store().grant(&by, line.budget.id, to, tenth, "批一", now).await.unwrap();
        batch.commit().await.unwrap();
        // The next batch goes on from the balance the last one left (on PostgreSQL without reading it again).
        let batch = app.store.batch().await.unwrap();
        let view = batch.store().grant(&by, line.budget.id, to, tenth, "批二", now).await.unwrap();
        assert_eq!(view.balances.available, tenth + tenth);
        batch.commit().await.unwrap();
        // Money moved outside a batch: the next batch sees it, and refuses what would now overspend the line.
        let left = line.balances.available - tenth - tenth;
        let most = Money::from_fen(left.fen() / 2);
        app.store.grant(&by, line.budget.id, to, most, "批外", now).await.unwrap();
        let batch = app.store.batch().await.unwrap();
        let err = batch.store().grant(&by, line.budget.id, to, left - most + Money::from_fen(1), "超支", now).await.unwrap_err();
        assert!(matches!(err, StoreError::Domain(DomainError::BudgetExceeded { .. })), "{err}");
        drop(batch);
        // A dropped batch leaves nothing to go on from: the next reads the line as stored.
        let batch = app.store.batch().await.unwrap();
        batch.store().grant(&by, line.budget.id, to, left - most, "刚好", now).await.unwrap();
        batch.commit().await.unwrap();
        let after = app.store.budgets().await.unwrap().into_iter().find(|b| b.budget.id == line.budget.id).unwrap();
        assert_eq!(after.balances.available, Money::ZERO);
    }
}
