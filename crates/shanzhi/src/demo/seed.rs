//! The demo's data as `yiling.json` writes it: places, organisations, people, the catalogue, budgets and grants,
//! standards, the expert pool, a registration, and the projects with how far each goes.

use chrono::NaiveDate;
use serde::Deserialize;
use shanzhi_domain::budget::FundSource;
use shanzhi_domain::catalogue::Category;
use shanzhi_domain::org::{OrgKind, Region, Role};
use shanzhi_domain::project::{CostKind, PerformanceTarget, PurchaseMode, TargetGroup};
use std::collections::BTreeMap;

#[derive(Deserialize)]
pub(super) struct Seed {
    pub(super) regions: Vec<Region>,
    pub(super) organisations: Vec<SeedOrg>,
    pub(super) users: Vec<SeedUser>,
    pub(super) catalogue: Vec<Category>,
    pub(super) projects: Vec<SeedProject>,
    pub(super) budgets: Vec<SeedBudget>,
    pub(super) grants: Vec<SeedGrant>,
    pub(super) standards: Vec<shanzhi_domain::standards::Standard>,
    #[serde(default)]
    pub(super) experts: Vec<SeedExpert>,
    #[serde(default)]
    pub(super) registrations: Vec<SeedRegistration>,
}

/// An entry of the expert pool; the account is one of the seed's users.
#[derive(Deserialize)]
pub(super) struct SeedExpert {
    pub(super) username: String,
    pub(super) org: Option<String>,
    pub(super) categories: Vec<String>,
    pub(super) former_employers: Vec<SeedEmployment>,
    pub(super) declared_ties: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct SeedEmployment {
    pub(super) org: String,
    pub(super) until: NaiveDate,
}

/// A provider that registered itself and waits for civil affairs.
#[derive(Deserialize)]
pub(super) struct SeedRegistration {
    pub(super) name: String,
    pub(super) kind: OrgKind,
    pub(super) uscc: String,
    pub(super) region: String,
    pub(super) contact: String,
    pub(super) username: String,
    pub(super) display_name: String,
}

/// `year: None` is the year the demo is loaded in.
#[derive(Deserialize)]
pub(super) struct SeedBudget {
    pub(super) year: Option<i32>,
    pub(super) org: String,
    pub(super) source: FundSource,
    pub(super) amount: String,
    pub(super) donor: Option<String>,
    pub(super) note: String,
}

#[derive(Deserialize)]
pub(super) struct SeedGrant {
    pub(super) year: Option<i32>,
    pub(super) from_org: String,
    pub(super) to_org: String,
    pub(super) source: FundSource,
    pub(super) amount: String,
    pub(super) note: String,
}

#[derive(Deserialize)]
pub(super) struct SeedFunding {
    pub(super) source: FundSource,
    pub(super) amount: String,
    pub(super) year: Option<i32>,
}

#[derive(Deserialize)]
pub(super) struct SeedOrg {
    pub(super) key: String,
    pub(super) name: String,
    pub(super) kind: OrgKind,
    pub(super) uscc: Option<String>,
    #[serde(default)]
    pub(super) resident_id: Option<String>,
    pub(super) region: Option<String>,
    pub(super) parent: Option<String>,
    pub(super) class_one: bool,
    pub(super) active: bool,
    #[serde(default)]
    pub(super) contact: String,
}

#[derive(Deserialize)]
pub(super) struct SeedUser {
    pub(super) username: String,
    pub(super) display_name: String,
    pub(super) org: String,
    pub(super) roles: Vec<Role>,
    pub(super) supervisor_region: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct SeedPost {
    pub(super) host: String,
    pub(super) title: String,
    pub(super) count: u32,
}

#[derive(Deserialize)]
pub(super) struct SeedLine {
    pub(super) kind: CostKind,
    pub(super) item: String,
    pub(super) quantity: String,
    pub(super) unit: String,
    pub(super) unit_price: String,
    #[serde(default)]
    pub(super) standard: Option<String>,
    #[serde(default)]
    pub(super) reason: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct SeedMilestone {
    pub(super) name: String,
    pub(super) percent: u32,
}

#[derive(Deserialize)]
pub(super) struct SeedReport {
    pub(super) beneficiaries: u32,
    pub(super) hours: u32,
    pub(super) summary: String,
    #[serde(default)]
    pub(super) outputs: BTreeMap<String, String>,
}

#[derive(Deserialize)]
pub(super) struct SeedProject {
    pub(super) title: String,
    pub(super) category: String,
    pub(super) purchaser: String,
    pub(super) regions: Vec<String>,
    pub(super) target_groups: Vec<TargetGroup>,
    pub(super) mode: PurchaseMode,
    pub(super) content: String,
    pub(super) standards: String,
    pub(super) continuing: bool,
    pub(super) months: u32,
    pub(super) targets: Vec<PerformanceTarget>,
    pub(super) posts: Vec<SeedPost>,
    pub(super) cost_lines: Vec<SeedLine>,
    pub(super) funding: Vec<SeedFunding>,
    pub(super) provider: Option<String>,
    pub(super) award_justification: Option<String>,
    pub(super) milestones: Vec<SeedMilestone>,
    pub(super) reports: Vec<SeedReport>,
    pub(super) year: Option<i32>,
    pub(super) days_ago: Option<i64>,
    pub(super) stop_at: String,
    pub(super) return_comment: Option<String>,
    pub(super) cancel_reason: Option<String>,
}
