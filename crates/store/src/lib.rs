//! Persistence behind one [`Store`] trait. [`SqlStore`] implements it on SQLite (the embedded default) and
//! PostgreSQL (the scale-out store), chosen by the database URL; each backend has its own migrations.
//!
//! Every write is one transaction that also appends its audit event, so a change and its record land
//! together or not at all.

pub mod accounts;
pub mod approvals;
mod audit;
pub mod budget_list;
pub mod bulk;
mod changes;
mod connection;
mod contribution;
pub mod credit;
pub mod directory;
mod error;
pub mod evaluations;
pub mod feedback;
pub mod files;
mod fiscal;
pub mod jobs;
pub mod keyring;
mod ledger;
mod list_indexes;
pub mod listing;
mod migrations;
mod notice_rows;
pub mod open_data;
mod pending;
mod pending_bids;
mod pending_notices;
mod pool;
pub mod private;
pub mod procure;
pub mod procurement_list;
pub mod projects;
pub mod provider_record;
mod read;
pub mod red_flags;
pub mod registry;
mod reserved_ids;
mod rows;
pub mod secrets;
mod side_rows;
mod sql;
mod sqlite_memory;
pub mod statistics;
pub mod surveys;
mod words;

pub use accounts::{Account, AccountStore};
pub use approvals::{ApprovalFilter, ApprovalStore};
pub use budget_list::{BudgetFilter, BudgetLists};
pub use bulk::Batch;
pub use connection::{Journal, Timeouts, CONNECT_TIMEOUT_ENV, STATEMENT_TIMEOUT_ENV};
pub use credit::{CreditStore, ProjectRecord};
pub use directory::{Directory, OrganisationFilter, UserFilter};
pub use error::{Result, StoreError};
pub use evaluations::EvaluationStore;
pub use feedback::{FeedbackFilter, FeedbackReader, FeedbackStore, Filed, SenderLimit};
pub use fiscal::FiscalStore;
pub use jobs::{JobRun, JobStore, JobWork, OverdueMark};
pub use listing::{Page, PageRequest};
pub use notice_rows::NoticeFilter;
pub use open_data::{OpenDataStore, Step, StepFilter, StepKind};
pub use procure::{BidFile, OwnBid, ProcurementStore, ProcurementWrite, UnsealedBid};
pub use procurement_list::{Holding, ProcurementFilter, ProcurementLists};
pub use projects::{PostCounts, ProjectFilter, ProjectStore, RECORD_SHAPE};
pub use provider_record::{ProviderRecord, ProviderYear};
pub use read::one_snapshot;
pub use red_flags::{FlagTally, Flagging, NewRedFlag, RedFlagFilter, RedFlagStore, StoredFlag};
pub use registry::RegistryStore;
pub use sql::SqlStore;
pub use statistics::StatisticsStore;
pub use surveys::{Answered, SurveyStore};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shanzhi_domain::audit::Action;
use shanzhi_domain::audit::{AuditEvent, NewEvent};
use shanzhi_domain::budget::{Balances, Budget, Movement};
use shanzhi_domain::catalogue::Category;
use shanzhi_domain::org::{Actor, OrgKind, Organisation, Region, Role, User};
use shanzhi_domain::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Config("the database URL must start with sqlite: or postgres://".into()))
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A new organisation as given by an administrator or the demo loader.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub key: String,
    pub name: String,
    pub kind: OrgKind,
    pub uscc: Option<String>,
    /// Plain resident ID of an individual provider; the store keeps it encrypted and masked.
    pub resident_id: Option<shanzhi_domain::ids::ResidentId>,
    pub region: Option<String>,
    pub parent_id: Option<i64>,
    pub class_one: bool,
    pub active: bool,
    pub contact: String,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub roles: Vec<Role>,
    pub supervisor_region: Option<String>,
    pub password_hash: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Browser session: cookie plus CSRF token.
    Web,
    /// Bearer token for scripts.
    Api,
}

impl SessionKind {
    pub fn code(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user_id: i64,
    pub kind: SessionKind,
    pub label: String,
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FileMeta {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    #[serde(skip)]
    pub storage_key: String,
    pub owner_org_id: i64,
    pub uploaded_by: i64,
    pub created_at: String,
}

/// A budget line with the balances derived from its ledger.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BudgetView {
    #[serde(flatten)]
    pub budget: Budget,
    pub balances: Balances,
}

/// One stored ledger entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LedgerRow {
    pub id: i64,
    pub budget_id: i64,
    pub movement: Movement,
    pub amount: Money,
    pub project_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub at: String,
}

/// A provider's self-registration as civil affairs reviews it: the organisation, the account registered
/// with it, and the decision once there is one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Registration {
    pub organisation: Organisation,
    pub username: String,
    pub display_name: String,
    pub registered_at: String,
    pub verified_by: Option<i64>,
    pub verified_at: Option<String>,
    pub rejection_reason: Option<String>,
}

/// What a civil-affairs reviewer decides about a pending registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationDecision {
    /// The organisation becomes verified and active: an eligible provider.
    Verify,
    /// The organisation stays inactive; the reason is recorded and shown to the registrant.
    Reject { reason: String },
}

/// An entry of the expert pool as finance manages it: the domain's expert plus the account and whether
/// the entry is active (only active entries are drawn).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExpertEntry {
    #[serde(flatten)]
    pub expert: shanzhi_domain::committee::Expert,
    pub username: String,
    pub active: bool,
    pub updated_at: String,
}

/// Who caused a change, for the audit record: a signed-in actor, or the system itself (migrations, demo).
#[derive(Debug, Clone)]
pub struct By {
    pub user_id: Option<i64>,
    pub name: String,
    pub org_id: Option<i64>,
}

impl By {
    pub fn actor(a: &Actor) -> By {
        By { user_id: Some(a.user_id), name: a.username.clone(), org_id: Some(a.org_id) }
    }
    pub fn system(what: &str) -> By {
        By { user_id: None, name: format!("system:{what}"), org_id: None }
    }
    /// Someone without an account (public feedback), whom the log does not name.
    pub fn public() -> By {
        By { user_id: None, name: "public".into(), org_id: None }
    }
    pub fn event(
        &self,
        action: Action,
        object_type: &str,
        object_id: &str,
        before: serde_json::Value,
        after: serde_json::Value,
    ) -> NewEvent {
        NewEvent {
            actor_id: self.user_id,
            actor_name: self.name.clone(),
            org_id: self.org_id,
            action: action.code().into(),
            object_type: object_type.into(),
            object_id: object_id.into(),
            before,
            after,
        }
    }
}

#[async_trait]
pub trait Store:
    ProjectStore
    + ProcurementStore
    + BudgetLists
    + ProcurementLists
    + Directory
    + ApprovalStore
    + FeedbackStore
    + FiscalStore
    + AccountStore
    + JobStore
    + StatisticsStore
    + OpenDataStore
    + ProviderRecord
    + RedFlagStore
    + EvaluationStore
    + SurveyStore
    + CreditStore
    + RegistryStore
    + Send
    + Sync
{
    fn backend(&self) -> Backend;
    /// How long the store waits on the database.
    fn timeouts(&self) -> Timeouts;
    /// Whether the database answers (for `/healthz`).
    async fn check(&self) -> Result<()>;

    // Places, organisations, people, catalogue.
    async fn regions(&self) -> Result<Vec<Region>>;
    async fn add_region(&self, by: &By, region: &Region, now: DateTime<Utc>) -> Result<()>;
    async fn organisations(&self) -> Result<Vec<Organisation>>;
    async fn organisation(&self, id: i64) -> Result<Option<Organisation>>;
    async fn organisation_by_key(&self, key: &str) -> Result<Option<Organisation>>;
    /// The organisation registered with a unified social credit code, by its unique index.
    async fn organisation_by_uscc(&self, uscc: &str) -> Result<Option<Organisation>>;
    async fn add_organisation(&self, by: &By, org: NewOrganisation, now: DateTime<Utc>) -> Result<Organisation>;
    /// The full resident ID of an individual provider: only for the administrator's explicit look-up.
    async fn reveal_resident_id(&self, org_id: i64) -> Result<Option<String>>;
    async fn catalogue(&self) -> Result<Vec<Category>>;
    async fn add_category(&self, by: &By, category: &Category, now: DateTime<Utc>) -> Result<()>;
    async fn users(&self) -> Result<Vec<User>>;
    async fn user(&self, id: i64) -> Result<Option<User>>;
    async fn add_user(&self, by: &By, user: NewUser, now: DateTime<Utc>) -> Result<User>;
    /// The user and password hash for sign-in.
    async fn user_credentials(&self, username: &str) -> Result<Option<(User, String)>>;
    async fn actor(&self, user_id: i64) -> Result<Option<Actor>>;

    // Sessions (sign-in throttling and password management: `AccountStore`).
    async fn create_session(
        &self,
        by: &By,
        token_hash: &str,
        session: &SessionRecord,
        now: DateTime<Utc>,
    ) -> Result<()>;
    async fn end_session(&self, by: &By, token_hash: &str, now: DateTime<Utc>) -> Result<()>;
    /// A user's sessions and tokens that have not expired at `now`, newest first, with their token hashes.
    async fn live_sessions(&self, user_id: i64, now: DateTime<Utc>) -> Result<Vec<(String, SessionRecord)>>;

    // Budgets and the ledger.
    async fn budgets(&self) -> Result<Vec<BudgetView>>;
    /// One budget line with its balances.
    async fn budget(&self, id: i64) -> Result<Option<BudgetView>>;
    /// The years that have budget lines, oldest first, found by key (a few dozen look-ups, however many lines).
    async fn budget_years(&self) -> Result<Vec<i32>>;
    /// Adds a budget line and allocates `amount` to it.
    async fn add_budget(&self, by: &By, budget: Budget, amount: Money, now: DateTime<Utc>) -> Result<BudgetView>;
    /// Moves `amount` from budget line `from` to `to_org`'s line of the same year and source (created on first use).
    async fn grant(
        &self,
        by: &By,
        from: i64,
        to_org: i64,
        amount: Money,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<BudgetView>;
    /// Ledger entries, of one budget line or all, in order.
    async fn ledger(&self, budget_id: Option<i64>) -> Result<Vec<LedgerRow>>;

    // Spending standards.
    async fn standards(&self) -> Result<Vec<shanzhi_domain::standards::Standard>>;
    /// Adds or changes a standard (by its code).
    async fn set_standard(
        &self,
        by: &By,
        standard: &shanzhi_domain::standards::Standard,
        now: DateTime<Utc>,
    ) -> Result<()>;

    // Files.
    async fn add_file(&self, by: &By, meta: FileMeta, now: DateTime<Utc>) -> Result<FileMeta>;
    async fn file(&self, id: i64) -> Result<Option<FileMeta>>;

    // Audit.
    async fn audit_head(&self) -> Result<Option<(i64, String)>>;
    /// Events with `seq > after`, in order, at most `limit`.
    async fn audit_events(&self, after: i64, limit: i64) -> Result<Vec<AuditEvent>>;
    async fn audit_for_object(&self, object_type: &str, object_id: &str) -> Result<Vec<AuditEvent>>;
    /// Events with `seq > after`, in order, at most `limit`, each with who may read its payload.
    async fn audit_chain(&self, after: i64, limit: i64) -> Result<Vec<(AuditEvent, shanzhi_domain::audit::Scope)>>;
    /// Appends an event that changes nothing else (e.g. a demo load marker).
    async fn append_audit(&self, event: NewEvent, now: DateTime<Utc>) -> Result<AuditEvent>;

    // Settings.
    async fn setting(&self, key: &str) -> Result<Option<String>>;
    async fn set_setting(&self, by: &By, key: &str, value: &str, now: DateTime<Utc>) -> Result<()>;

    // Provider self-registration, verified by civil affairs.
    /// Creates a provider organisation, pending and inactive, with its first user (whose `org_id` is
    /// replaced by the new organisation's), in one transaction.
    async fn register_provider(
        &self,
        by: &By,
        org: NewOrganisation,
        user: NewUser,
        now: DateTime<Utc>,
    ) -> Result<Registration>;
    /// A page of the self-registered organisations in `state` (any state when none), newest first.
    async fn registration_page(
        &self,
        state: Option<shanzhi_domain::org::Verification>,
        page: PageRequest,
    ) -> Result<Page<Registration>>;
    async fn registration(&self, org_id: i64) -> Result<Option<Registration>>;
    /// Decides a pending registration; refused with `registration_decided` once it has been decided.
    async fn decide_registration(
        &self,
        by: &By,
        org_id: i64,
        decision: &RegistrationDecision,
        now: DateTime<Utc>,
    ) -> Result<Registration>;

    // The expert pool, kept by finance.
    /// Active experts, as the committee draw needs them; `Expert.id` is the expert's user id.
    async fn experts(&self) -> Result<Vec<shanzhi_domain::committee::Expert>>;
    /// The active experts who may sit for `category` (see [`shanzhi_domain::committee::Expert::covers`]), read
    /// by the category's index: what a committee draw needs, without the rest of the pool.
    async fn experts_covering(&self, category: &str) -> Result<Vec<shanzhi_domain::committee::Expert>>;
    /// One active expert by user id.
    async fn expert(&self, user_id: i64) -> Result<Option<shanzhi_domain::committee::Expert>>;
    /// Every entry of the pool, inactive ones included.
    async fn expert_pool(&self) -> Result<Vec<ExpertEntry>>;
    /// A page of the pool, inactive entries included, newest first.
    async fn expert_pool_page(&self, page: PageRequest) -> Result<Page<ExpertEntry>>;
    async fn expert_entry(&self, user_id: i64) -> Result<Option<ExpertEntry>>;
    /// Adds an expert. With `new_user` the account is created too (and its id replaces `expert.id`);
    /// otherwise `expert.id` names an existing user, who gains the `expert` role.
    async fn add_expert(
        &self,
        by: &By,
        expert: &shanzhi_domain::committee::Expert,
        new_user: Option<NewUser>,
        now: DateTime<Utc>,
    ) -> Result<ExpertEntry>;
    /// Replaces an entry's categories, organisation, former employers, declared ties and active flag.
    async fn update_expert(
        &self,
        by: &By,
        expert: &shanzhi_domain::committee::Expert,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<ExpertEntry>;

    /// The time of the latest change (of the latest audit event), or none in an empty store.
    async fn latest_change(&self) -> Result<Option<DateTime<Utc>>>;
}

/// Opens the store for `url`, applying any pending migrations, with keys that must be the ones its data is
/// sealed with (see [`keyring`]).
pub async fn open(url: &str, keys: keyring::Keyring, timeouts: Timeouts) -> Result<SqlStore> {
    let store = SqlStore::connect(url, keys.data.key().clone(), keys.bid_master.key().clone(), timeouts).await?;
    store.migrate().await?;
    store.check_keys(&keys).await?;
    Ok(store)
}
