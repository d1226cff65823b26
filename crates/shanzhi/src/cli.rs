//! Command-line verbs. Every verb that touches data takes `--data DIR` or `--database-url URL`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use shanzhi_app::{App, PasswordCost};
use shanzhi_domain::audit::{Checkpoint, Verifier};
use shanzhi_domain::calendar::{Calendar, CalendarError, YearFile, PROVISIONAL_YEARS};
use shanzhi_domain::clock::{Clock, SystemClock, TestClock};
use shanzhi_domain::org::Role;
use shanzhi_domain::rules::Rules;
use shanzhi_domain::statistics::{Shown, Statistics};
use shanzhi_domain::ErrorCode;
use shanzhi_store::files::FolderStorage;
use shanzhi_store::{By, SqlStore, StatisticsStore, Store};
use shanzhi_web::export::Format;
use shanzhi_web::AppState;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::Location;

#[derive(Parser)]
#[command(name = "shanzhi", version, about = "善治 Shanzhi: government purchase of public services")]
pub struct Cli {
    #[command(flatten)]
    pub place: Place,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct Place {
    /// Data folder: SQLite database, key file, uploaded files, config.json.
    #[arg(long, global = true, default_value = "./data", value_name = "DIR")]
    pub data: PathBuf,
    /// Database URL (`sqlite:…` or `postgres://…`); defaults to SQLite inside the data folder.
    #[arg(long, global = true, env = "SHANZHI_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Seconds to wait for a database connection before answering 503 `database_unavailable`.
    #[arg(long, global = true, env = shanzhi_store::CONNECT_TIMEOUT_ENV, default_value_t = 3, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub db_connect_timeout_secs: u64,
    /// Seconds one database statement may run.
    #[arg(long, global = true, env = shanzhi_store::STATEMENT_TIMEOUT_ENV, default_value_t = 10, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub db_statement_timeout_secs: u64,
}

impl Place {
    fn location(&self) -> Location {
        let timeouts = shanzhi_store::Timeouts {
            connect: std::time::Duration::from_secs(self.db_connect_timeout_secs),
            statement: std::time::Duration::from_secs(self.db_statement_timeout_secs),
        };
        Location::new(&self.data, self.database_url.as_deref()).with_timeouts(timeouts)
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the web pages and the API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Load the demo when the store has no users yet.
        #[arg(long)]
        demo: bool,
        /// Test mode: start the clock at this RFC 3339 time (or `now`) and let POST /api/v1/test/clock move it.
        #[arg(long, value_name = "TIME")]
        test_clock: Option<String>,
        /// The address people reach the server at; with https:// its cookies are sent over https only.
        #[arg(long, value_name = "URL", value_parser = shanzhi_web::PublicUrl::parse)]
        public_url: Option<shanzhi_web::PublicUrl>,
        /// Seconds a client has to send a request's head before its connection is closed.
        #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
        header_read_timeout_secs: u64,
        /// Connections served at once; further ones wait to be accepted.
        #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        max_connections: u64,
        /// Seconds requests in flight may still take after SIGTERM or ctrl-c before the server exits anyway.
        #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=300))]
        shutdown_grace_secs: u64,
        /// This server's name in the scheduled job runs it records (default: its address and process id).
        #[arg(long, value_name = "NAME")]
        instance: Option<String>,
    },
    /// Load the Yiling demo (idempotent).
    Demo,
    /// Fill an empty store with a generated province: counties, departments, providers, experts, budgets and
    /// projects at every step, deterministic per seed. Accounts: DATA/gen-accounts.json.
    Gen(GenArgs),
    /// Apply pending database migrations.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Reports.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Export the public data.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// China's working-day calendar: a year day by day (`calendar 2026`), or a date N working days on
    /// (`calendar add 2025-09-30 7`). Year files in DATA/calendar/YYYY.json add or replace years.
    Calendar(CalendarArgs),
}

#[derive(Args)]
pub struct GenArgs {
    /// How many projects to generate.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub projects: u64,
    /// The same seed (on the same day) gives the same province.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Counties of the province (default: one per 10,000 projects, 2 to 100).
    #[arg(long, value_name = "C", value_parser = clap::value_parser!(u64).range(1..=999))]
    pub counties: Option<u64>,
    /// Add projects to a store that already has some.
    #[arg(long)]
    pub append: bool,
    /// Projects written per transaction.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch: u64,
    /// Generate as if it were this RFC 3339 time (default: now), for data reproducible on another day.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CalendarArgs {
    #[command(subcommand)]
    pub command: Option<CalendarCommand>,
    /// Print this year, one line per day: `YYYY-MM-DD workday|restday [holiday] [provisional]`.
    #[arg(value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1..=9999))]
    pub year: Option<i32>,
    /// For a year without official data, compute one from the holiday law alone (no adjusted working days).
    #[arg(long)]
    pub provisional: bool,
}

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Print the date N working days after DATE (DATE itself is not counted).
    Add {
        #[arg(value_name = "DATE", value_parser = parse_date)]
        date: NaiveDate,
        #[arg(value_name = "N", value_parser = parse_count)]
        n: u32,
        /// Count through years without official data on their provisional calendar; the answer says so.
        #[arg(long)]
        provisional: bool,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user to an organisation (by its key, e.g. `mzj`).
    Add {
        #[arg(long)]
        username: String,
        /// admin, purchaser, reviewer, provider, expert, evaluator or supervisor; repeat or comma-separate.
        #[arg(long = "role", required = true, value_delimiter = ',')]
        roles: Vec<String>,
        #[arg(long)]
        org: String,
        #[arg(long)]
        display_name: Option<String>,
        /// For supervisors: the region code they oversee.
        #[arg(long)]
        supervisor_region: Option<String>,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain; with --checkpoint also prove a saved head N:HASH is still in it.
    Verify {
        #[arg(long, value_name = "N:HASH")]
        checkpoint: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ExportCommand {
    /// Every public contracting process in the Open Contracting Data Standard 1.1: release packages in
    /// OUT/releases and record packages in OUT/records, one file of each per --per-file processes.
    Ocds {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The platform's public address, which the data's links and uris start with.
        #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080", value_parser = shanzhi_web::PublicUrl::parse)]
        base_url: shanzhi_web::PublicUrl,
        /// Contracting processes per file.
        #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(i64).range(1..=100_000))]
        per_file: i64,
    },
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Statistics of a year (all years without --year): projects by step, money by purchase mode, fund source,
    /// township, department, category and provider kind, the trend and the welfare-lottery earmark.
    Summary {
        #[arg(long)]
        year: Option<i32>,
        /// Print JSON (the only format so far): the object GET /api/v1/statistics returns, with `red_flags`, each
        /// red flag's code and how many were raised.
        #[arg(long)]
        json: bool,
    },
    /// Write every statistics table to one file: CSV (UTF-8 with a BOM, for Excel) or XLSX (a sheet per table).
    Export {
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, value_parser = ["csv", "xlsx"])]
        format: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("SHANZHI_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    if matches!(cli.command, Command::Gen(_)) && cli.place.location().database_url.starts_with("sqlite:") {
        one_core();
    }
    // The generator does one thing at a time: a runtime on this thread saves waking another.
    let mut builder = if matches!(cli.command, Command::Gen(_)) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The generator writes one statement at a time and waits for each: on SQLite its threads (the runtime's, and the
/// database connection's that the runtime starts, which inherit this thread's cores and scheduling) take turns on
/// one core, so a wake-up is a switch on the same core instead of an interrupt to the other (measured: half the
/// time). As batch work (`SCHED_BATCH`) a woken thread does not preempt the one that woke it: the connection's
/// thread sends a statement's rows and result before the runtime takes them, instead of a switch for each (2.5
/// switches per statement instead of 5: 3,000 projects in 16 s instead of 19). On PostgreSQL the server needs the
/// other core.
fn one_core() {
    let pinned =
        core_affinity::get_core_ids().and_then(|ids| ids.first().copied()).is_some_and(core_affinity::set_for_current);
    if !pinned {
        tracing::debug!("gen runs on every core: this system does not let it choose one");
    }
    #[cfg(target_os = "linux")]
    {
        use thread_priority::unix::{set_thread_priority_and_policy, thread_native_id};
        use thread_priority::{
            NormalThreadSchedulePolicy, ThreadPriority, ThreadPriorityOsValue, ThreadSchedulePolicy,
        };
        // Niceness 0, as before: only the policy changes.
        let nice = ThreadPriority::Os(ThreadPriorityOsValue::default());
        let batch = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch);
        if let Err(e) = set_thread_priority_and_policy(thread_native_id(), nice, batch) {
            tracing::debug!("gen runs without SCHED_BATCH: {e:?}");
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    // The calendar needs neither the database nor the key file.
    if let Command::Calendar(args) = &cli.command {
        return calendar(&cli.place.data, args);
    }
    let place = cli.place.location();
    let rules = place.rules()?;
    let store = place.open().await.map_err(|e| format!("cannot open {}: {e}", redact(&place.database_url)))?;
    match cli.command {
        Command::Migrate => {
            println!("migrations applied ({})", store.backend().name());
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let files = Arc::new(FolderStorage::new(place.data_dir.join("files")));
            let mut app = App::new(Arc::new(store), Arc::new(SystemClock), rules, files, PasswordCost::Standard);
            let calendar = load_calendar(&place.data_dir, true)?;
            app.configure("calendar", |a| a.calendar = calendar);
            demo(&app).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Gen(args) => {
            generate(store.clone(), &rules, &args, &place.data_dir).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            addr,
            demo: with_demo,
            test_clock,
            public_url,
            header_read_timeout_secs,
            max_connections,
            shutdown_grace_secs,
            instance,
        } => {
            let (clock, test): (Arc<dyn Clock>, Option<TestClock>) = match test_clock {
                Some(t) => {
                    let start = if t == "now" { Utc::now() } else { parse_time(&t)? };
                    let c = TestClock::at(start);
                    eprintln!("TEST MODE: the clock starts at {start} and moves only by POST /api/v1/test/clock");
                    (Arc::new(c.clone()), Some(c))
                }
                None => (Arc::new(SystemClock), None),
            };
            // One user read, not every one: a province has thousands.
            let first = shanzhi_store::PageRequest { limit: 1, before: None };
            let empty = shanzhi_store::Directory::user_page(&store, &Default::default(), first)
                .await
                .map_err(|e| e.to_string())?
                .items
                .is_empty();
            let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| format!("--addr {addr}: {e}"))?;
            let local = listener.local_addr().map_err(|e| e.to_string())?;
            let files = Arc::new(FolderStorage::new(place.data_dir.join("files")));
            let calendar = load_calendar(&place.data_dir, true)?;
            let instance = instance.unwrap_or_else(|| format!("{local} pid {}", std::process::id()));
            let mut app = App::new(Arc::new(store), clock, rules, files, PasswordCost::Standard);
            app.configure("calendar and instance", |a| {
                a.calendar = calendar;
                a.instance = instance;
            });
            if with_demo && empty {
                demo(&app).await?;
            }
            let state = AppState::new(app, test).with_public_url(public_url);
            let signalled = shanzhi_web::listen::signalled();
            // The signal stops the scheduler at once and the server after its requests in flight.
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let jobs = tokio::spawn(crate::scheduler::run(state.app.clone(), async move {
                let mut stopped = stopped;
                let _ = stopped.wait_for(|s| *s).await;
            }));
            println!("Shanzhi is serving http://{local}");
            let limits = shanzhi_web::Limits {
                header_read: std::time::Duration::from_secs(header_read_timeout_secs),
                max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
                shutdown_grace: std::time::Duration::from_secs(shutdown_grace_secs),
            };
            let served = shanzhi_web::serve(listener, state, limits, async {
                signalled.await;
                stop.send_replace(true);
            })
            .await;
            stop.send_replace(true);
            let _ = jobs.await;
            served.map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command: UserCommand::Add { username, roles, org, display_name, supervisor_region, password_stdin },
        } => {
            let org_row = store
                .organisation_by_key(&org)
                .await
                .map_err(|e| e.to_string())?
                .ok_or(format!("--org: no organisation with key “{org}”"))?;
            for r in &roles {
                if Role::parse(r.trim()).is_none() {
                    return Err(format!("--role: “{r}” is not one of admin, purchaser, reviewer, provider, expert, evaluator, supervisor"));
                }
            }
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("--password-stdin: {e}"))?;
                (line.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (shanzhi_app::sessions::temporary_password(), true)
            };
            let app = cli_app(store, rules);
            let req = shanzhi_app::directory::UserRequest {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                org_id: org_row.id,
                roles,
                supervisor_region,
                password: password.clone(),
            };
            let user =
                shanzhi_app::directory::create_user(&app, &By::system("cli"), req).await.map_err(|e| match e {
                    shanzhi_app::Error::Domain(d) if !d.fields().is_empty() => {
                        let fields: Vec<String> = d
                            .fields()
                            .iter()
                            .map(|f| format!("--{}: {}", f.field.replace('_', "-"), f.message_en))
                            .collect();
                        fields.join("; ")
                    }
                    shanzhi_app::Error::Conflict { code: ErrorCode::AlreadyExists, .. } => {
                        "--username: that username is taken".to_string()
                    }
                    other => other.to_string(),
                })?;
            println!("added user {} (id {}) to {}", user.username, user.id, org_row.name);
            if generated {
                println!("password: {password}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Verify { checkpoint } } => {
            let checkpoint =
                checkpoint.map(|c| Checkpoint::parse(&c).map_err(|e| format!("--checkpoint: {e}"))).transpose()?;
            let mut verifier = Verifier::new(checkpoint);
            let mut after = 0;
            loop {
                let batch = store.audit_events(after, 1000).await.map_err(|e| e.to_string())?;
                if batch.is_empty() {
                    break;
                }
                for e in &batch {
                    if let Err(b) = verifier.feed(e) {
                        println!("broken at event {}: {}", b.seq, b.reason);
                        return Ok(ExitCode::from(1));
                    }
                }
                after = batch.last().map(|e| e.seq).unwrap_or(after);
            }
            match verifier.finish() {
                Ok(n) => {
                    println!("ok: {n} events");
                    Ok(ExitCode::SUCCESS)
                }
                Err(b) => {
                    println!("broken at event {}: {}", b.seq, b.reason);
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Calendar(args) => calendar(&cli.place.data, &args),
        Command::Export { command: ExportCommand::Ocds { out, base_url, per_file } } => {
            let app = cli_app(store, rules);
            let w = crate::export::ocds(&app, &out, base_url.as_str(), per_file, true).await?;
            println!(
                "{} contracting processes, {} releases, {} files written to {}",
                w.processes,
                w.releases,
                w.files,
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { command: ReportCommand::Summary { year, json: _ } } => {
            let stats = report(&store, &rules, year).await?;
            let mut summary = serde_json::to_value(&stats).map_err(|e| e.to_string())?;
            // Every red flag's code with how many were raised in the year (every year without --year).
            let flags =
                shanzhi_store::RedFlagStore::red_flag_counts(&store, year, "").await.map_err(|e| e.to_string())?;
            summary["red_flags"] = serde_json::json!(flags);
            // Evaluations finished in the year by grade, every grade named; providers that may bid, by kind.
            let grades = shanzhi_store::EvaluationStore::grades_in(&store, year).await.map_err(|e| e.to_string())?;
            let count = |g: shanzhi_domain::evaluation::Grade| grades.get(g.code()).copied().unwrap_or(0);
            let grades: serde_json::Map<String, serde_json::Value> = shanzhi_domain::evaluation::Grade::ALL
                .iter()
                .map(|g| (g.code().to_string(), count(*g).into()))
                .collect();
            summary["grades"] = serde_json::Value::Object(grades);
            let kinds = shanzhi_store::EvaluationStore::providers_by_kind(&store).await.map_err(|e| e.to_string())?;
            summary["providers_by_kind"] = serde_json::json!(kinds);
            println!("{}", serde_json::to_string(&summary).map_err(|e| e.to_string())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { command: ReportCommand::Export { year, format, out } } => {
            let format = Format::parse(&format).ok_or(format!("--format: “{format}” is not csv or xlsx"))?;
            let stats = report(&store, &rules, year).await?;
            let bytes = format
                .write(&stats, shanzhi_web::i18n::Lang::Zh)
                .map_err(|e| format!("--format {}: {e}", format.extension()))?;
            shanzhi_store::private::write(&out, &bytes)
                .map_err(|e| format!("--out {}: cannot write the file: {e}", out.display()))?;
            let which = year.map_or("all years".to_string(), |y| y.to_string());
            println!("statistics ({which}) written to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn calendar(data: &Path, args: &CalendarArgs) -> Result<ExitCode, String> {
    match (&args.command, args.year) {
        (Some(CalendarCommand::Add { date, n, provisional }), _) => {
            let calendar = load_calendar(data, *provisional)?;
            let deadline = calendar.add_working_days(*date, *n).map_err(|e| calendar_error(data, e, *provisional))?;
            let flag = if deadline.provisional { " provisional" } else { "" };
            println!("{}{flag}", deadline.date);
        }
        (None, Some(year)) => {
            let calendar = load_calendar(data, args.provisional)?;
            if calendar.origin(year).is_none() {
                return Err(calendar_error(data, CalendarError::YearMissing(year), args.provisional));
            }
            let mut lines = String::new();
            let mut date = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(format!("YEAR: {year} is out of range"))?;
            while date.year() == year {
                let day = calendar.day(date).map_err(|e| calendar_error(data, e, args.provisional))?;
                let holiday = day.holiday.map(|h| format!(" {h}")).unwrap_or_default();
                let flag = if day.provisional { " provisional" } else { "" };
                lines.push_str(&format!("{date} {}{holiday}{flag}\n", day.kind.code()));
                match date.succ_opt() {
                    Some(next) => date = next,
                    None => break,
                }
            }
            // A reader that stops early (`| head`) is not an error.
            let mut out = std::io::stdout().lock();
            match out.write_all(lines.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.to_string()),
                _ => {}
            }
        }
        (None, None) => {
            return Err("YEAR: give a year (`shanzhi calendar 2026`) or `shanzhi calendar add DATE N`".to_string());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The shipped calendar, with every `calendar/YYYY.json` of the data folder over it.
fn load_calendar(data: &Path, provisional: bool) -> Result<Calendar, String> {
    let mut calendar = Calendar::official().map_err(|e| format!("shipped holiday data: {e}"))?;
    let dir = data.join("calendar");
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(finish(calendar, provisional)),
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for path in files {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let year = Some(stem)
            .filter(|s| s.len() == 4)
            .and_then(|s| s.parse::<i32>().ok())
            .ok_or(format!("{}: a year file is named YYYY.json, e.g. 2027.json", path.display()))?;
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file = YearFile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if file.year() != year {
            return Err(format!("{}: year: {} does not match the file name", path.display(), file.year()));
        }
        calendar.insert(file);
    }
    Ok(finish(calendar, provisional))
}

fn finish(calendar: Calendar, provisional: bool) -> Calendar {
    if provisional {
        calendar.with_provisional_years()
    } else {
        calendar
    }
}

/// The statistics of `year`; a year outside the data's first and last year is refused rather than answered
/// with an empty report that looks like a true zero.
async fn report(store: &SqlStore, rules: &Rules, year: Option<i32>) -> Result<Statistics, String> {
    if let Some(y) = year {
        match store.data_years().await.map_err(|e| e.to_string())? {
            None => return Err(format!("--year: {y}: there is no data yet (load the demo or add budgets first)")),
            Some((first, last)) if !(first..=last).contains(&y) => {
                return Err(format!("--year: {y} is outside the data's years {first}–{last}"))
            }
            Some(_) => {}
        }
    }
    store.statistics(rules, year, None, Shown::All).await.map_err(|e| e.to_string())
}

/// A missing year says how to load it.
fn calendar_error(data: &Path, error: CalendarError, provisional: bool) -> String {
    let CalendarError::YearMissing(year) = error else {
        return error.to_string();
    };
    let path = data.join("calendar").join(format!("{year}.json"));
    let fallback = if !provisional {
        "or pass --provisional for a year computed from the holiday law alone (no adjusted working days)".to_string()
    } else {
        format!("provisional years are computed only for {}–{}", PROVISIONAL_YEARS.start(), PROVISIONAL_YEARS.end())
    };
    format!(
        "no official holiday data for {year}. Type the State Council's notice for {year} into {} as\n  \
         {{\"year\": {year}, \"holidays\": [{{\"name\": \"春节\", \"days\": [\"{year}-MM-DD\", …]}}, …], \
         \"workdays\": [\"{year}-MM-DD\", …]}}\n\
         (every rest day of each holiday, weekends inside it included; `workdays` are the weekend days worked \
         instead; see README, “Working-day calendar”), {fallback}",
        path.display()
    )
}

fn parse_count(s: &str) -> Result<u32, String> {
    s.parse::<u32>().ok().filter(|n| *n >= 1).ok_or(format!("“{s}” is not a whole number of working days, 1 or more"))
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10)
        .ok_or(format!("“{s}” is not a date like 2025-09-30"))
}

/// The application, for verbs that run outside a server.
fn cli_app(store: shanzhi_store::SqlStore, rules: shanzhi_domain::rules::Rules) -> App {
    let files = Arc::new(FolderStorage::new(std::env::temp_dir()));
    App::new(Arc::new(store), Arc::new(SystemClock), rules, files, PasswordCost::Standard)
}

fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("“{s}” is not an RFC 3339 time like 2026-03-01T09:00:00+08:00"))
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("--test-clock: “{s}” is not an RFC 3339 time like 2026-03-01T09:00:00+08:00"))
}

/// Database URLs can carry passwords; messages show only the scheme and host.
fn redact(url: &str) -> String {
    match url.split_once('@') {
        Some((head, tail)) => format!("{}://…@{tail}", head.split("://").next().unwrap_or("db")),
        None => url.to_string(),
    }
}

async fn demo(app: &App) -> Result<(), String> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}").map_err(|e| e.to_string())?.progress_chars("=> "),
    );
    bar.set_message("loading demo");
    let outcome = crate::demo::load(app, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    if outcome.loaded {
        println!("demo loaded: Yiling district (夷陵区) pilot, 2013 onwards");
    } else {
        println!("demo already loaded: nothing changed");
    }
    println!("accounts (password for all: {}):", crate::demo::DEMO_PASSWORD);
    for (username, name, roles) in &outcome.users {
        let roles: Vec<&str> = roles.iter().map(|r| r.code()).collect();
        println!("  {username:<18} {:<24} {name}", roles.join(","));
    }
    Ok(())
}

async fn generate(store: SqlStore, rules: &Rules, args: &GenArgs, data_dir: &Path) -> Result<(), String> {
    let options = crate::gen::Options {
        projects: args.projects,
        seed: args.seed,
        counties: args.counties.map(|c| c as usize),
        append: args.append,
        batch: args.batch,
    };
    let bar = ProgressBar::new(args.projects);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} projects, {per_sec}, {eta} left")
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
    );
    bar.set_message("generating");
    let now = args.now.unwrap_or_else(|| SystemClock.now());
    let started = std::time::Instant::now();
    let outcome = crate::gen::run(store, rules, &options, PasswordCost::Standard, now, data_dir, &mut |done, _| {
        bar.set_position(done)
    })
    .await;
    bar.finish_and_clear();
    let outcome = outcome?;
    println!(
        "generated projects {}–{} in {} counties in {:.1} s (seed {})",
        outcome.first_id,
        outcome.last_id,
        outcome.counties,
        started.elapsed().as_secs_f64(),
        args.seed
    );
    println!(
        "accounts: province.admin and province.supervisor, password {}; one of each role per county in {}",
        crate::gen::PASSWORD,
        outcome.accounts.display()
    );
    Ok(())
}
