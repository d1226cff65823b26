//! Shanzhi's application layer. Each use case lives here once — authorise, load, decide with the domain,
//! apply the effects on other records (project ↔ procurement ↔ ledger ↔ notices ↔ duties), audit and save in
//! one transaction of the store — and the web, the CLI, the demo and the generator all call it. Callers pass
//! the acting person ([`Actor`](shanzhi_domain::org::Actor)); the HTTP edge only parses and renders.

pub mod approvals;
pub mod budgets;
pub mod error;
pub mod jobs;
pub mod procurements;
pub mod projects;

use shanzhi_domain::calendar::Calendar;
use shanzhi_domain::clock::Clock;
use shanzhi_domain::rules::Rules;
use shanzhi_store::files::FileStorage;
use shanzhi_store::Store;
use std::ops::Deref;
use std::sync::Arc;

pub use error::{Error, Result};

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
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, rules: Rules, files: Arc<dyn FileStorage>) -> App {
        let calendar = Calendar::official().unwrap_or_default().with_provisional_years();
        App(Arc::new(Inner { store, clock, rules, files, calendar, instance: format!("pid {}", std::process::id()) }))
    }

    /// Changes the application before it is shared; once shared, it stays as it is (and says so in the log).
    pub fn configure(&mut self, what: &str, change: impl FnOnce(&mut Inner)) {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => change(inner),
            None => tracing::warn!("{what} not set: the application is already shared"),
        }
    }
}
