//! `shanzhi gen`: a province-sized store for trying the platform at scale. Every project is played through
//! the real state machine by the demo's scenario ([`crate::demo::Scenario`]) at dates drawn from the seed, and
//! written through the store's own write paths inside batches of many projects per transaction
//! ([`shanzhi_store::Batch`]), so the rows and the audit chain are the application's. Projects are generated
//! and written batch by batch: memory stays flat however many there are.

mod names;
pub(crate) mod plan;
mod province;
mod registry;

pub use province::PASSWORD;

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::SeedableRng;
use shanzhi_app::sessions::{hash_password, PasswordCost};
use shanzhi_app::App;
use shanzhi_domain::clock::china_date;
use shanzhi_domain::org::{Actor, Role};
use shanzhi_domain::project::Scope;
use shanzhi_domain::rules::Rules;
use shanzhi_store::{BudgetView, By, Journal, PageRequest, ProjectFilter, ProjectStore, SqlStore, Store};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::demo::{Cast, LoadResult, Scenario};
use plan::Planner;
use province::Province;

/// The setting that records how many counties the generated province has, for later `--append` runs.
const COUNTIES: &str = "gen.counties";

pub struct Options {
    pub projects: u64,
    pub seed: u64,
    /// Counties of a new province; by default one per 10,000 projects, at least two and at most a hundred.
    pub counties: Option<usize>,
    /// Add to a store that already has projects, writing every row as the platform's own writes do (a new
    /// province puts some off until its end).
    pub append: bool,
    /// Projects per transaction.
    pub batch: u64,
}

impl Options {
    fn counties(&self) -> usize {
        self.counties.unwrap_or_else(|| (self.projects / 10_000).clamp(2, 100) as usize)
    }
}

pub struct Outcome {
    pub first_id: i64,
    pub last_id: i64,
    pub counties: usize,
    pub accounts: PathBuf,
}

/// Fills the store; `on_progress(done, total)` after each project. Refused (with a message naming the
/// problem) when the store holds projects and `append` is not set.
pub async fn run(
    store: SqlStore,
    rules: &Rules,
    options: &Options,
    cost: PasswordCost,
    now: DateTime<Utc>,
    data_dir: &Path,
    on_progress: &mut dyn FnMut(u64, u64),
) -> LoadResult<Outcome> {
    let e = |what: &'static str| move |e: shanzhi_store::StoreError| format!("gen {what}: {e}");
    let everything = Scope::everything();
    let newest = store
        .project_page(&everything, &ProjectFilter::default(), PageRequest { limit: 1, before: None })
        .await
        .map_err(e("projects"))?;
    let before = newest.items.first().map_or(0, |p| p.id);
    if let (Some(p), false) = (newest.items.first(), options.append) {
        return Err(format!(
            "the store already holds projects (the newest is number {}): gen fills an empty store; pass --append to add to it",
            p.id
        ));
    }
    let counties = match store.setting(COUNTIES).await.map_err(e("setting"))? {
        Some(n) => {
            let n: usize = n.parse().map_err(|_| format!("gen: setting {COUNTIES} is not a number"))?;
            if options.counties.is_some_and(|c| c != n) {
                return Err(format!("--counties: the generated province already has {n} counties"));
            }
            n
        }
        None => options.counties(),
    };
    let province = Province::new(counties);
    let templates = crate::demo::templates()?;
    let system = By::system("gen");
    let fresh = store.setting(COUNTIES).await.map_err(e("setting"))?.is_none();
    if fresh {
        let batch = store.batch().await.map_err(e("batch"))?;
        let b = batch.store();
        let known: Vec<String> = b.catalogue().await.map_err(e("catalogue"))?.into_iter().map(|c| c.code).collect();
        for c in templates.catalogue.iter().filter(|c| !known.contains(&c.code)) {
            b.add_category(&system, c, now).await.map_err(e("category"))?;
        }
        let known: Vec<String> = b.standards().await.map_err(e("standards"))?.into_iter().map(|s| s.code).collect();
        for s in templates.standards.iter().filter(|s| !known.contains(&s.code)) {
            b.set_standard(&system, s, now).await.map_err(e("standard"))?;
        }
        // Everyone generated shares one password: hashed once.
        province.create(b, &hash_password(PASSWORD, cost), now).await?;
        b.set_setting(&system, COUNTIES, &counties.to_string(), now).await.map_err(e("setting"))?;
        batch.commit().await.map_err(e("commit"))?;
    }

    let orgs = store.organisations().await.map_err(e("organisations"))?;
    let mut actors: Vec<Actor> = Vec::new();
    for u in store.users().await.map_err(e("users"))? {
        actors.extend(store.actor(u.id).await.map_err(e("actor"))?);
    }
    let keys: BTreeMap<String, i64> = orgs.iter().map(|o| (o.key.clone(), o.id)).collect();
    let cast = Cast::new(orgs.into_iter().map(|o| (o.key.clone(), o)).collect(), actors);
    let today = china_date(now);
    let planner = Planner::new(&province, &templates.projects, today, rules.procurement_limit);

    // This run's own budget lines, so an appended run never spends what an earlier one planned for.
    let mut budgets: BTreeMap<i64, Vec<BudgetView>> = BTreeMap::new();
    let batch = store.batch().await.map_err(e("batch"))?;
    for a in planner.allocations(options.projects) {
        let county = &province.counties[a.county - 1];
        let org_id = *keys.get(&a.org_key).ok_or(format!("gen: no department {}", a.org_key))?;
        let finance = cast.actor(&county.key("czj"), Role::Reviewer)?;
        let line = batch
            .store()
            .add_budget(&By::actor(finance), a.budget(org_id, &county.name), a.amount, now)
            .await
            .map_err(e("budget"))?;
        budgets.entry(org_id).or_default().push(line);
    }
    batch.commit().await.map_err(e("commit"))?;

    let catalogue = store.catalogue().await.map_err(e("catalogue"))?;
    // The providers' registry entries, once, with the province: each write its own transaction, as the registry
    // page's (a qualification reads back the upload it names, which a batch would still hold).
    if fresh {
        let app = batch_app(&store, rules, now, data_dir);
        registry::fill(&app, &province, &cast, &catalogue, options.seed).await?;
    }
    let standards = store.standards().await.map_err(e("standards"))?;
    let experts = store.experts().await.map_err(e("experts"))?;
    // A new province goes without its list indexes until the projects are in (see `store/src/list_indexes.rs`), and
    // on PostgreSQL without the summary tables summed from the projects' rows, whose upserts were half its time.
    // Not on SQLite: filling them sorts every project's rows in temporary storage, which is memory there (a
    // million projects' would take the load past its 2 GB). `--append` writes as every other write does.
    let new_store = before == 0 && !options.append;
    if new_store {
        store.defer_list_indexes().await.map_err(e("indexes"))?;
        if store.backend() == shanzhi_store::Backend::Postgres {
            store.defer_summaries().await.map_err(e("summaries"))?;
        }
    }
    // A new SQLite store is loaded through a rollback journal, unsynced, and synced at the end: each page is
    // written once, where the write-ahead log wrote it twice (log, then file) and synced both at every batch
    // (a fifth of the load's time). See `Journal::BulkLoad` for what a cut-short load leaves.
    let journal = if new_store { Journal::BulkLoad } else { Journal::Wal };
    let (store, journal) = store.reopen(journal).await.map_err(e("reopen"))?;
    tracing::debug!(?journal, "loading the batches");
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut done = 0u64;
    while done < options.projects {
        let end = (done + options.batch.max(1)).min(options.projects);
        let started = std::time::Instant::now();
        let batch = store.batch_making(end - done).await.map_err(e("batch"))?;
        // The batch's writes go through the application layer, as every write does; the application holds the
        // batch's store until the batch commits.
        let app = batch_app(batch.store(), rules, now, data_dir);
        while done < end {
            let seed = planner.project(&mut rng).ok_or("gen: a template's amounts do not parse")?;
            let purchaser = *keys.get(&seed.purchaser).ok_or(format!("gen: no purchaser {}", seed.purchaser))?;
            Scenario {
                app: &app,
                rules,
                cast: &cast,
                catalogue: &catalogue,
                budgets: budgets.get(&purchaser).map(Vec::as_slice).unwrap_or_default(),
                standards: &standards,
                seed: &seed,
                experts: &experts,
                now,
            }
            .run()
            .await
            .map_err(|e| format!("gen project {} “{}” ({}): {e}", done + 1, seed.title, seed.stop_at))?;
            done += 1;
            on_progress(done, options.projects);
        }
        drop(app);
        let played = started.elapsed();
        batch.commit().await.map_err(e("commit"))?;
        // Where a load's time goes: the play (the application's decisions and the reads they make) or the commit.
        tracing::debug!(
            projects = end,
            played_ms = played.as_millis(),
            committed_ms = (started.elapsed() - played).as_millis(),
            "batch"
        );
    }
    let store = match journal {
        Journal::BulkLoad => store.reopen(Journal::Wal).await.map_err(e("reopen"))?.0,
        Journal::Wal => store,
    };
    store.restore_list_indexes().await.map_err(e("indexes"))?;
    store.analyze().await.map_err(e("statistics of the tables"))?;
    let newest = store
        .project_page(&everything, &ProjectFilter::default(), PageRequest { limit: 1, before: None })
        .await
        .map_err(e("projects"))?;
    let accounts = write_accounts(&province, data_dir)?;
    Ok(Outcome { first_id: before + 1, last_id: newest.items.first().map_or(before, |p| p.id), counties, accounts })
}

/// The application over a batch's store, at the generator's `now`. Nobody signs in through it: the cheap
/// password cost only saves hashing the unknown-user dummy at the standard one.
fn batch_app(store: &SqlStore, rules: &Rules, now: DateTime<Utc>, data_dir: &Path) -> App {
    let files = std::sync::Arc::new(shanzhi_store::files::FolderStorage::new(data_dir.join("files")));
    let clock = std::sync::Arc::new(shanzhi_domain::clock::TestClock::at(now));
    App::new(std::sync::Arc::new(store.clone()), clock, rules.clone(), files, PasswordCost::Cheap)
}

/// DATA/gen-accounts.json: the province's two accounts and one account of each role in every county.
fn write_accounts(province: &Province, data_dir: &Path) -> LoadResult<PathBuf> {
    let counties: Vec<_> = province
        .counties
        .iter()
        .map(|c| serde_json::json!({"county": c.name, "region": c.code, "accounts": c.accounts()}))
        .collect();
    let doc = serde_json::json!({
        "password": PASSWORD,
        "province": {"admin": "province.admin", "supervisor": "province.supervisor", "region": names::PROVINCE_CODE},
        "counties": counties,
    });
    let path = data_dir.join("gen-accounts.json");
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    shanzhi_store::private::write(&path, text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
