//! Writes per second through the server's own use cases, against a bare INSERT loop on the same database with the
//! same pool and settings (SQLite with `synchronous = FULL`): how much of what the disk and database allow the
//! platform's writes keep. One writer at a time, on a fresh store with the Yiling demo in a temporary folder; then
//! on PostgreSQL too when `SHANZHI_BENCH_POSTGRES_URL` names a server and a user allowed to create databases.
//!
//! ```sh
//! cargo bench -p shanzhi --bench writes
//! SHANZHI_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p shanzhi --bench writes
//! ```
//!
//! Sizes: `BENCH_BIDS` (default 300), `BENCH_ACCEPTANCES` (default 120, in projects of 12 monthly milestones),
//! `BENCH_INSERTS` (default 1000). Beside each rate, the CPU the timed writes used, per write: this process's
//! (the application, and SQLite inside it) and the PostgreSQL server processes' of the bench's database.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shanzhi::Location;
use shanzhi_app::procurements::{self, ProcCommand};
use shanzhi_app::projects::{self, Command};
use shanzhi_domain::budget::{Budget, FundSource};
use shanzhi_domain::clock::{china_date, Clock, TestClock};
use shanzhi_domain::org::Actor;
use shanzhi_domain::rules::Rules;
use shanzhi_domain::Money;
use shanzhi_store::files::FolderStorage;
use shanzhi_store::{Backend, By, Store};
use shanzhi_web::PasswordCost;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The server's allocator (crates/shanzhi/src/main.rs), so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MILESTONES: usize = 12;

fn size(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(default)
}

/// A China-time instant, `2026-03-02T09:00`.
fn china(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{s}:00+08:00")).expect("a valid time").with_timezone(&Utc)
}

/// A request body as the API would receive it.
fn body<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("a valid request body")
}

/// The use case's result, or the benchmark stops saying what was refused.
fn done<T>(what: &str, r: shanzhi_app::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn temp_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("shanzhi-bench-{}-{}", std::process::id(), nanos % 1_000_000_000));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

/// A fresh database: SQLite in `dir`, or a new PostgreSQL database on `admin` (dropped by [`drop_database`]).
async fn database(admin: Option<&str>, dir: &Path) -> Option<(String, String)> {
    use sqlx::Connection;
    let admin = admin?;
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("SHANZHI_BENCH_POSTGRES_URL: cannot connect to {admin}: {e}"));
    let name = format!("sz_bench_{}", dir.file_name().and_then(|n| n.to_str()).unwrap_or("x").replace('-', "_"));
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create the bench database");
    let (base, _) = admin.rsplit_once('/').expect("the URL names a database");
    Some((format!("{base}/{name}"), name))
}

async fn drop_database(admin: &str, name: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
    }
}

struct Bench {
    app: shanzhi_app::App,
    clock: TestClock,
    store: Arc<shanzhi_store::SqlStore>,
}

impl Bench {
    /// The person `username`, as the server finds them behind a token.
    async fn actor(&self, username: &str) -> Actor {
        let users = self.store.users().await.expect("users");
        let user = users.iter().find(|u| u.username == username).unwrap_or_else(|| panic!("no user {username}"));
        self.store.actor(user.id).await.expect("actor").expect("an active user")
    }

    /// A project of the education bureau approved by both reviewers, at the procurement step, funded from `line`.
    async fn approved_project(&self, title: &str, line: i64) -> i64 {
        let purchaser = self.actor("jyj.purchaser").await;
        let design = body(json!({
            "title": title, "category": "A0201", "regions": ["420506001"], "target_groups": ["left_behind_children"],
            "mode": "project", "content": "为农村留守儿童提供课后陪伴、心理辅导和家庭探访服务。",
            "standards": "每名儿童每月至少探访一次，个案记录完整。", "period_start": "2026-04-01", "period_end": "2027-03-31",
            "targets": [{"indicator": "服务儿童人数", "group": "output", "target": "200", "unit": "人", "weight": 100}]
        }));
        let id = done("design", projects::create_project(&self.app, &purchaser, design).await).id;
        let cost = body(json!({"lines": [
            {"kind": "personnel", "item": "社工薪酬", "quantity": "2", "unit": "人·年", "unit_price": "36000.00"},
            {"kind": "activities", "item": "小组活动", "quantity": "12.5", "unit": "次", "unit_price": "800"}
        ]}));
        let funding = body(json!({"lines": [{"budget_id": line, "amount": "82000.00"}]}));
        for (what, cmd) in [
            ("finish design", Command::FinishDesign),
            ("cost", Command::SetCost(cost)),
            ("funding", Command::SetFunding(funding)),
            ("submit", Command::Submit),
        ] {
            done(what, projects::perform(&self.app, &purchaser, id, cmd).await);
        }
        for reviewer in ["mzj.reviewer", "czj.reviewer"] {
            let s = self.actor(reviewer).await;
            let approve = Command::Review(body(json!({"decision": "approve"})));
            done(reviewer, projects::perform(&self.app, &s, id, approve).await);
        }
        id
    }
}

struct Measured {
    what: &'static str,
    ops: usize,
    took: Duration,
    /// CPU the timed writes used: this process's, the database server's processes' (PostgreSQL).
    cpu: Cpu,
}

/// CPU time in nanoseconds, from the scheduler's own count (`/proc/…/schedstat`, Linux): of this process's
/// threads, and of the database server's processes serving this database (PostgreSQL; SQLite runs in this one).
#[derive(Clone, Copy, Default)]
struct Cpu {
    own: u64,
    db: u64,
}

impl Cpu {
    fn now(db_pids: &[u32]) -> Cpu {
        let ran = |path: &Path| -> u64 {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            text.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0)
        };
        let own = std::fs::read_dir("/proc/self/task")
            .map(|tasks| tasks.flatten().map(|t| ran(&t.path().join("schedstat"))).sum())
            .unwrap_or(0);
        let db = db_pids.iter().map(|pid| ran(Path::new(&format!("/proc/{pid}/schedstat")))).sum();
        Cpu { own, db }
    }
    fn since(self, start: Cpu) -> Cpu {
        Cpu { own: self.own.saturating_sub(start.own), db: self.db.saturating_sub(start.db) }
    }
    fn add(&mut self, more: Cpu) {
        self.own += more.own;
        self.db += more.db;
    }
}

/// The server processes of the database `pool` uses (PostgreSQL on this machine), each pooled connection's.
async fn database_pids(pool: &sqlx::AnyPool, backend: Backend) -> Vec<u32> {
    if backend != Backend::Postgres {
        return Vec::new();
    }
    let rows: Vec<(i32,)> = sqlx::query_as("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        .fetch_all(pool)
        .await
        .unwrap_or_default();
    rows.into_iter().filter_map(|(pid,)| u32::try_from(pid).ok()).collect()
}

impl Measured {
    fn per_second(&self) -> f64 {
        self.ops as f64 / self.took.as_secs_f64()
    }
}

async fn run(admin: Option<&str>) {
    let dir = temp_dir();
    let pg = database(admin, &dir).await;
    let location = Location::new(&dir, pg.as_ref().map(|(url, _)| url.as_str()));
    let store = Arc::new(location.open().await.expect("open the store"));
    let backend = store.backend();
    let start = china("2026-03-02T09:00");
    let clock = TestClock::at(start);
    let rules = Rules::default();
    eprintln!("{}: loading the demo…", backend.name());
    let files = Arc::new(FolderStorage::new(dir.join("files")));
    let app = shanzhi_app::App::new(store.clone(), Arc::new(clock.clone()), rules, files, PasswordCost::Cheap);
    shanzhi::demo::load(&app, &mut |_, _| {}).await.expect("demo");
    let b = Bench { app, clock, store: store.clone() };

    // Money enough for every project: a line of the education bureau's own.
    let jyj = store.organisation_by_key("jyj").await.expect("query").expect("the education bureau");
    let finance = b.actor("czj.reviewer").await;
    let line = Budget {
        id: 0,
        year: 2026,
        org_id: jyj.id,
        source: FundSource::GeneralBudget,
        donor: None,
        granted_from: None,
        note: "bench".into(),
    };
    let amount = Money::parse_yuan("1000000000.00").expect("an amount");
    let line = store.add_budget(&By::actor(&finance), line, amount, start).await.expect("budget line").budget.id;

    let projects = size("BENCH_ACCEPTANCES", 120).div_ceil(MILESTONES);
    eprintln!("{}: setting up {projects} contracts and an open tender…", backend.name());
    let purchaser = b.actor("jyj.purchaser").await;
    let yg = store.organisation_by_key("yg").await.expect("query").expect("a provider").id;
    let mut contracted = Vec::new();
    for i in 0..projects {
        let id = b.approved_project(&format!("学校社会工作服务 {i}"), line).await;
        let award = Command::Award(body(
            json!({"provider_org_id": yg, "justification": "该机构为区内唯一具备学校社工督导资质的机构"}),
        ));
        done("award", projects::perform(&b.app, &purchaser, id, award).await);
        // Twelve monthly milestones, 8 % each and 9 % for the last four.
        let milestones: Vec<Value> = (0..MILESTONES)
            .map(|m| {
                let due = chrono::NaiveDate::from_ymd_opt(2026, 4, 1)
                    .and_then(|d| d.checked_add_months(chrono::Months::new(m as u32 + 1)))
                    .and_then(|d| d.pred_opt())
                    .expect("a date");
                json!({"name": format!("第{}月", m + 1), "share": if m < 8 { "8" } else { "9" }, "due": due.to_string()})
            })
            .collect();
        let contract = json!({"amount": "80000.00", "start": "2026-04-01", "end": "2027-03-31",
            "signed_on": china_date(start).to_string(), "milestones": milestones});
        done("contract", projects::perform(&b.app, &purchaser, id, Command::SignContract(body(contract))).await);
        contracted.push(id);
    }
    let tendered = b.approved_project("农村留守儿童关爱服务", line).await;
    let documents = json!({
        "requirements": "为辖区农村留守儿童提供课后陪伴与心理辅导服务，每周不少于两次",
        "qualifications": "依法登记的社会组织，具有两名以上持证社工", "sme_deduction_bp": 1000,
        "tie_rule": "服务方案得分高者优先；仍相同的抽签确定",
        "scoring": {"kind": "comprehensive", "price_weight_bp": 3000, "criteria": [
            {"key": "plan", "name": "服务方案", "weight_bp": 5000}, {"key": "team", "name": "团队与经验", "weight_bp": 2000}]}
    });
    let started = procurements::start(
        &b.app,
        &purchaser,
        tendered,
        body(json!({"method": "open_tender", "documents": documents})),
    )
    .await;
    let procurement = done("start the tender", started).id;
    // The purchase intention stands 30 days; bids are taken until the deadline.
    b.clock.set(china("2026-04-03T09:00"));
    let publish = ProcCommand::Publish(procurements::PublishRequest { bid_deadline: "2026-04-28T09:30".into() });
    let p = done("publish", procurements::perform(&b.app, &purchaser, procurement, publish).await);

    // Every provider account whose organisation may bid.
    let mut bidders = Vec::new();
    for u in store.users().await.expect("users") {
        let s = b.actor(&u.username).await;
        let Ok(Some(org)) = store.organisation(s.org_id).await else { continue };
        if p.check_bid_window(&s, &org.provider_info(), None, b.clock.now()).is_ok() {
            bidders.push(s);
        }
    }
    assert!(!bidders.is_empty(), "no provider may bid");

    // (a) Bids: sealed with the procurement's key, with their deferred audit record, by each bidder in turn (the
    // first of each an INSERT, later ones replacing it).
    let n = size("BENCH_BIDS", 300);
    let pids = database_pids(store.pool(), backend).await;
    let (t, cpu) = (Instant::now(), Cpu::now(&pids));
    for i in 0..n {
        let s = &bidders[i % bidders.len()];
        let bid = body(json!({"price": format!("{}.00", 60000 + i % 20000),
            "proposal": "每周三次入户陪伴，配备两名持证社工与一名心理咨询师", "small_or_micro": false}));
        done("bid", procurements::submit_bid(&b.app, s, procurement, bid).await);
    }
    let bids = Measured {
        what: "bid submission (sealed, audit record)",
        ops: n,
        took: t.elapsed(),
        cpu: Cpu::now(&pids).since(cpu),
    };

    // (b) Acceptance, once the year's service is delivered: each milestone reported by the provider (not timed),
    // then accepted and paid (timed), in order — only the current milestone can be reported.
    b.clock.set(china("2027-03-31T10:00"));
    let provider = b.actor("p.yg").await;
    // Read again: the pool may have opened connections since.
    let pids = database_pids(store.pool(), backend).await;
    let (mut took, mut cpu) = (Duration::ZERO, Cpu::default());
    for &id in &contracted {
        for m in 0..MILESTONES {
            let report = body(json!({"beneficiaries": 20, "hours": "50", "summary": "本月服务完成"}));
            done("report", projects::perform(&b.app, &provider, id, Command::FileReport(m, report)).await);
            let accept = Command::Decide(m, body(json!({"decision": "accept"})));
            // The CPU is read outside the timed part (reading it costs this process some 30 µs).
            let before = Cpu::now(&pids);
            let t = Instant::now();
            tracing::debug!("acceptance begins");
            done("acceptance", projects::perform(&b.app, &purchaser, id, accept).await);
            tracing::debug!("acceptance ends");
            took += t.elapsed();
            cpu.add(Cpu::now(&pids).since(before));
        }
    }
    let acceptances =
        Measured { what: "milestone acceptance (ledger, audit)", ops: contracted.len() * MILESTONES, took, cpu };

    // (c) The floor of a write on this database: one row per transaction, through the product's pool.
    let pool = store.pool();
    let key = match backend {
        Backend::Sqlite => "INTEGER PRIMARY KEY",
        Backend::Postgres => "BIGINT PRIMARY KEY",
    };
    sqlx::raw_sql(&format!("CREATE TABLE bench_scratch (id {key}, at TEXT NOT NULL, payload TEXT NOT NULL)"))
        .execute(pool)
        .await
        .expect("scratch table");
    let n = size("BENCH_INSERTS", 1000);
    let pids = database_pids(pool, backend).await;
    let (t, cpu) = (Instant::now(), Cpu::now(&pids));
    for i in 0..n {
        let mut tx = match backend {
            Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => pool.begin().await,
        }
        .expect("begin");
        sqlx::query("INSERT INTO bench_scratch (id, at, payload) VALUES ($1, $2, $3)")
            .bind(i as i64)
            .bind(Utc::now().to_rfc3339())
            .bind("每周三次入户陪伴")
            .execute(&mut *tx)
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
    }
    let bare = Measured {
        what: "bare INSERT, one row per transaction",
        ops: n,
        took: t.elapsed(),
        cpu: Cpu::now(&pids).since(cpu),
    };

    let settings = match backend {
        Backend::Sqlite => "SQLite, WAL, synchronous = FULL",
        Backend::Postgres => "PostgreSQL, synchronous_commit as the server has it",
    };
    println!("\nwrites on {} ({settings}), one writer at a time, {} bidders", backend.name(), bidders.len());
    println!("| write | ops | seconds | ops/s | share of the bare insert | CPU µs/op here | CPU µs/op database |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for m in [&bids, &acceptances, &bare] {
        let per_op = |ns: u64| ns as f64 / 1000.0 / m.ops.max(1) as f64;
        println!(
            "| {} | {} | {:.2} | {:.1} | {:.0} % | {:.0} | {:.0} |",
            m.what,
            m.ops,
            m.took.as_secs_f64(),
            m.per_second(),
            100.0 * m.per_second() / bare.per_second(),
            per_op(m.cpu.own),
            per_op(m.cpu.db),
        );
    }
    drop(b);
    pool.close().await;
    if let (Some(admin), Some((_, name))) = (admin, &pg) {
        drop_database(admin, name).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken. SHANZHI_LOG=sqlx=debug lists each write's statements.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("SHANZHI_LOG") {
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(run(None));
    if let Ok(admin) = std::env::var("SHANZHI_BENCH_POSTGRES_URL") {
        runtime.block_on(run(Some(&admin)));
    }
}
