//! How long the statistics take at scale: the Yiling demo's projects cloned into `BENCH_DISTRICTS` copies of its
//! district (default 20) until there are `BENCH_PROJECTS` (default 100,000), each clone with its contribution rows
//! and its ledger sums written by the store's own helpers, then each question timed (the median of five).
//! SQLite in a temporary folder; PostgreSQL too when `SHANZHI_BENCH_POSTGRES_URL` names a server.
//!
//! ```sh
//! cargo bench -p shanzhi --bench statistics
//! BENCH_PROJECTS=1000000 SHANZHI_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo bench -p shanzhi --bench statistics
//! ```

use chrono::{DateTime, Utc};
use shanzhi::Location;
use shanzhi_domain::budget::Entry;
use shanzhi_domain::clock::{Clock, SystemClock};
use shanzhi_domain::org::Region;
use shanzhi_domain::rules::Rules;
use shanzhi_domain::statistics::Shown;
use shanzhi_store::statistics::{add_ledger_entries, write_contribution, Stored};
use shanzhi_store::{By, ProjectStore, StatisticsStore, Store};
use shanzhi_web::PasswordCost;
use std::time::{Duration, Instant};

/// The server's allocator (crates/shanzhi/src/main.rs), so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEMO_DISTRICT: &str = "420506";

fn size(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(default)
}

/// The code of the `k`th copy of the demo district, beside it in the same city (at most 50).
fn district(k: usize) -> String {
    format!("4205{:02}", 50 + k % 50)
}

fn moved(code: &str, to: &str) -> String {
    match code.strip_prefix(DEMO_DISTRICT) {
        Some(rest) => format!("{to}{rest}"),
        None => code.to_string(),
    }
}

async fn run(admin: Option<&str>) {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let dir =
        std::env::temp_dir().join(format!("shanzhi-bench-stats-{}-{}", std::process::id(), nanos % 1_000_000_000));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let pg = match admin {
        Some(admin) => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(admin).await.expect("SHANZHI_BENCH_POSTGRES_URL");
            let name = format!("sz_bench_stats_{}", std::process::id());
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create the database");
            let (base, _) = admin.rsplit_once('/').expect("the URL names a database");
            Some((format!("{base}/{name}"), name))
        }
        None => None,
    };
    let location = Location::new(&dir, pg.as_ref().map(|(url, _)| url.as_str()));
    let store = std::sync::Arc::new(location.open().await.expect("open the store"));
    let backend = store.backend();
    let rules = Rules::default();
    let now = SystemClock.now();
    let files = std::sync::Arc::new(shanzhi_store::files::FolderStorage::new(dir.join("files")));
    let app = shanzhi_app::App::new(
        store.clone(),
        std::sync::Arc::new(SystemClock),
        rules.clone(),
        files,
        PasswordCost::Cheap,
    );
    shanzhi::demo::load(&app, &mut |_, _| {}).await.expect("demo");

    let (projects, districts) = (size("BENCH_PROJECTS", 100_000), size("BENCH_DISTRICTS", 20).min(50));
    let demo = store.projects().await.expect("projects");
    let ledger = store.ledger(None).await.expect("ledger");
    let by = By::system("bench");
    let mut places: Vec<Region> =
        store.regions().await.expect("regions").into_iter().filter(|r| r.code.starts_with(DEMO_DISTRICT)).collect();
    places.sort_by_key(|r| r.code.len());
    for k in 0..districts {
        for r in &places {
            let copy = Region {
                code: moved(&r.code, &district(k)),
                parent: r.parent.as_deref().map(|p| moved(p, &district(k))),
                ..r.clone()
            };
            store.add_region(&by, &copy, now).await.expect("a region");
        }
    }
    eprintln!(
        "{}: cloning the demo's {} projects into {projects} over {districts} districts…",
        backend.name(),
        demo.len()
    );
    let started = Instant::now();
    let mut made = 0;
    while made < projects {
        let mut tx = store.pool().begin().await.expect("a transaction");
        for p in demo.iter().cycle().skip(made % demo.len()).take((projects - made).min(2_000)) {
            let to = district(made % districts);
            let mut q = p.clone();
            q.design.regions = q.design.regions.iter().map(|r| moved(r, &to)).collect();
            let data = serde_json::to_string(&q).expect("json");
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO projects (code, version, status, purchaser_org_id, data, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(format!("B-{made}"))
            .bind(q.version)
            .bind(q.status.code())
            .bind(q.purchaser_org_id)
            .bind(data)
            .bind(now.to_rfc3339())
            .fetch_one(&mut *tx)
            .await
            .expect("a project");
            q.id = id;
            let mut regions = q.design.regions.clone();
            regions.sort();
            regions.dedup();
            for r in regions {
                sqlx::query("INSERT INTO project_regions (region, project_id) VALUES ($1, $2)")
                    .bind(r)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .expect("a region row");
            }
            write_contribution(&mut tx, &q, Stored::Nothing).await.expect("contribution rows");
            for row in ledger.iter().filter(|l| l.project_id == Some(p.id)) {
                let at: DateTime<Utc> = DateTime::parse_from_rfc3339(&row.at).expect("a time").with_timezone(&Utc);
                let entry = Entry {
                    budget_id: row.budget_id,
                    movement: row.movement,
                    amount: row.amount,
                    project_id: Some(id),
                };
                add_ledger_entries(&mut tx, &[entry], at).await.expect("ledger sums");
            }
            made += 1;
        }
        tx.commit().await.expect("commit");
    }
    eprintln!("{}: {made} projects written in {:.1} s", backend.name(), started.elapsed().as_secs_f64());
    if backend == shanzhi_store::Backend::Postgres {
        sqlx::query("ANALYZE").execute(store.pool()).await.expect("analyze");
    }

    let county = district(0);
    let township = format!("{county}001");
    let questions: [(&str, Option<i32>, Option<&str>); 7] = [
        ("whole platform, 2013", Some(2013), None),
        ("whole platform, all years", None, None),
        ("one county, 2013", Some(2013), Some(&county)),
        ("one county, all years", None, Some(&county)),
        ("one township, 2013", Some(2013), Some(&township)),
        ("the city (4205), 2013", Some(2013), Some("4205")),
        ("the demo district, 2013", Some(2013), Some(DEMO_DISTRICT)),
    ];
    println!("{} with {} projects in {} districts:", backend.name(), demo.len() + made, districts + 1);
    for (what, year, root) in questions {
        let mut times: Vec<Duration> = Vec::new();
        let mut contracts = 0;
        for _ in 0..5 {
            let t = Instant::now();
            // As the API reads them: the first warnings and their count.
            let list = Shown::First(shanzhi_app::statistics::FIRST_SHOWN);
            let s = store.statistics(&rules, year, root, list).await.expect("statistics");
            times.push(t.elapsed());
            contracts = s.totals.contracts;
        }
        times.sort();
        println!(
            "  {what:<36} median {:>8.1} ms  (fastest {:>8.1} ms; {contracts} contracts)",
            ms(times[2]),
            ms(times[0])
        );
    }
    drop(store);
    if let (Some(admin), Some((_, name))) = (admin, pg) {
        use sqlx::Connection;
        if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
        }
    }
    // `BENCH_KEEP=1` keeps the SQLite store to look at its query plans.
    if std::env::var("BENCH_KEEP").is_ok() {
        eprintln!("kept {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(run(None));
    if let Ok(admin) = std::env::var("SHANZHI_BENCH_POSTGRES_URL") {
        runtime.block_on(run(Some(&admin)));
    }
}
