//! A project as a list or a work queue shows it: what its list columns hold, so a page of projects is read
//! without decoding a single record.

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;

use super::{Project, Status, Waiting};
use crate::money::Money;
use crate::org::Actor;
use crate::visibility::ProjectAccess;

/// One project in a list, as its reader may read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectItem {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub status: Status,
    /// One of [`super::STEPS`] or an end state's code.
    pub step: &'static str,
    /// Returned by a reviewer and not yet resubmitted.
    pub returned: bool,
    pub purchaser_org_id: i64,
    pub purchaser_name: String,
    pub provider_org_id: Option<i64>,
    pub category: String,
    /// The year the project counts in (see [`super::Facts::year`]).
    pub year: i32,
    /// The cost estimate's total: not for the provider, which reads no cost lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<Money>,
    /// The contract's amount with its signed supplementary contracts.
    pub contract_total: Option<Money>,
    pub updated_at: DateTime<Utc>,
}

impl ProjectItem {
    /// The item as a reader with `access` reads it.
    pub fn read_as(mut self, access: ProjectAccess) -> ProjectItem {
        if access != ProjectAccess::Full {
            self.total = None;
        }
        self
    }
}

impl Project {
    /// The project as a list item, read with `access` (what a store builds from the list columns).
    pub fn item(&self, access: ProjectAccess) -> ProjectItem {
        let facts = self.facts();
        ProjectItem {
            id: self.id,
            code: self.code.clone(),
            title: facts.title,
            status: self.status,
            step: facts.step,
            returned: facts.returned,
            purchaser_org_id: self.purchaser_org_id,
            purchaser_name: facts.purchaser_name,
            provider_org_id: facts.provider_org_id,
            category: facts.category,
            year: facts.year,
            total: Some(facts.total),
            contract_total: facts.contracted,
            // Stored times keep microseconds (`audit::format_time`); the record may hold finer.
            updated_at: self.updated_at.trunc_subsecs(6),
        }
        .read_as(access)
    }
}

/// A project that may wait on a reader, as a store reads it from list columns for a work queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Awaiting {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub purchaser_name: String,
    pub waiting: Waiting,
}

/// One entry of a reader's work queue: a project and what it waits on them to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueItem {
    pub project_id: i64,
    pub code: String,
    pub title: String,
    pub purchaser_name: String,
    pub status: Status,
    /// What the reader is to do (the codes of [`super::waiting_on`]).
    pub duty: &'static str,
}

impl Awaiting {
    /// The queue entry `actor` reads, when the project waits on them.
    pub fn for_reader(self, actor: &Actor) -> Option<QueueItem> {
        let duty = self.waiting.duty_for(actor)?;
        Some(QueueItem {
            project_id: self.id,
            code: self.code,
            title: self.title,
            purchaser_name: self.purchaser_name,
            status: self.waiting.status,
            duty,
        })
    }
}
