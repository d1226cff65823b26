//! Shanzhi's application layer. Each use case lives here once — authorise, load, decide with the domain,
//! apply the effects on other records (project ↔ procurement ↔ ledger ↔ notices ↔ duties), audit and save in
//! one transaction of the store — and the web, the CLI, the demo and the generator all call it. Callers pass
//! the acting person ([`Actor`](shanzhi_domain::org::Actor)); the HTTP edge only parses and renders.

pub mod accounts;
pub mod approvals;
pub mod audit;
pub mod budgets;
pub mod credit;
pub mod directory;
pub mod error;
pub mod evaluations;
pub mod feedback;
pub mod files;
pub mod jobs;
pub mod open_data;
pub mod pool;
pub mod procurements;
pub mod projects;
pub mod provider_record;
pub mod red_flags;
pub mod reference;
pub mod registry;
pub mod sessions;
pub mod setup;
pub mod statistics;
pub mod surveys;

use shanzhi_domain::calendar::Calendar;
use shanzhi_domain::clock::Clock;
use shanzhi_domain::rules::Rules;
use shanzhi_store::files::FileStorage;
use shanzhi_store::Store;
use std::ops::Deref;
use std::sync::Arc;

pub use error::{Error, Result};
pub use sessions::{PasswordCost, Session};
/// The records and the list vocabulary use cases answer with, as the store keeps them.
pub use shanzhi_store::listing::{DEFAULT_LIMIT, MAX_LIMIT};
/// A request that reads runs in it: its reads see one state of the data (see the store's `read`).
pub use shanzhi_store::one_snapshot;
pub use shanzhi_store::{
    Account, BidFile, BudgetFilter, BudgetView, ExpertEntry, FileMeta, JobRun, LedgerRow, NoticeFilter,
    OrganisationFilter, Page, PageRequest, ProcurementFilter, ProjectFilter, ProviderYear, Registration, SessionKind,
    SessionRecord, StepFilter, UserFilter,
};

use sessions::{hash_password, SignInGate};

/// What every use case works with: the store, the clock, the rules in force, the file storage, the working-day
/// calendar and this server's name in the job runs it records.
pub struct Inner {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub rules: Rules,
    pub files: Arc<dyn FileStorage>,
    /// Working days for statutory deadlines: the shipped years, provisional ones after them.
    pub calendar: Calendar,
    /// This server's name in the job runs it records (`serve --instance`).
    pub instance: String,
    pub password_cost: PasswordCost,
    /// A hash to verify against when the username is unknown, so both paths cost the same.
    pub dummy_hash: String,
    /// One permit per password check allowed to run at once (`sign_in_max_concurrent`).
    pub sign_in_slots: Arc<tokio::sync::Semaphore>,
    /// Tests only: holds password checks so a test can see how many run at once.
    pub sign_in_gate: Option<SignInGate>,
}

/// The application, cheap to clone and share between requests.
#[derive(Clone)]
pub struct App(Arc<Inner>);

impl Deref for App {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl App {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        rules: Rules,
        files: Arc<dyn FileStorage>,
        password_cost: PasswordCost,
    ) -> App {
        let calendar = Calendar::official().unwrap_or_default().with_provisional_years();
        let dummy_hash = hash_password("no such user, no such password", password_cost);
        let sign_in_slots = Arc::new(tokio::sync::Semaphore::new(rules.sign_in_max_concurrent.max(1) as usize));
        App(Arc::new(Inner {
            store,
            clock,
            rules,
            files,
            calendar,
            instance: format!("pid {}", std::process::id()),
            password_cost,
            dummy_hash,
            sign_in_slots,
            sign_in_gate: None,
        }))
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn check(&self) -> Result<()> {
        Ok(self.store.check().await?)
    }

    /// The time of the latest change anyone made (of the audit log's last event), none in an empty store.
    pub async fn latest_change(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        Ok(self.store.latest_change().await?)
    }

    /// How long a request may take before it is answered `database_unavailable`: the store's own waits and
    /// a little more.
    pub fn request_deadline(&self) -> std::time::Duration {
        self.store.timeouts().request_deadline()
    }

    /// Changes the application before it is shared; once shared, it stays as it is (and says so in the log).
    pub fn configure(&mut self, what: &str, change: impl FnOnce(&mut Inner)) {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => change(inner),
            None => tracing::warn!("{what} not set: the application is already shared"),
        }
    }
}
