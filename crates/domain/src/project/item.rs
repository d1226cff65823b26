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

/// What a reader's view of one project adds to its record: derived from the record, or read from the list
/// columns that hold the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewFacts {
    pub step: &'static str,
    /// The cost estimate's total: not for the provider, which reads no cost lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<Money>,
    pub returned: bool,
    pub waiting_on_me: Option<&'static str>,
    /// The contract's amount with its signed supplementary contracts.
    pub contract_total: Option<Money>,
}

impl ViewFacts {
    /// The facts of `p` as `actor`, reading it with `access`, sees them: what its list columns would hold.
    pub fn of(actor: &Actor, p: &Project, access: ProjectAccess) -> ViewFacts {
        ViewFacts::from_columns(actor, &p.item(access), &Waiting::of(p))
    }

    /// The same facts from a project's list columns: `item` as its reader may read it, and its `waiting`.
    pub fn from_columns(actor: &Actor, item: &ProjectItem, waiting: &Waiting) -> ViewFacts {
        ViewFacts {
            step: item.step,
            total: item.total,
            returned: item.returned,
            waiting_on_me: waiting.duty_for(actor),
            contract_total: item.contract_total,
        }
    }
}

/// A project as stored, read by someone who sees it whole: its record in the shape this build writes (what
/// `serde_json` makes of the [`Project`]) and its list columns, so that it is answered without decoding it.
#[derive(Debug, Clone)]
pub struct StoredProject {
    pub record: String,
    pub item: ProjectItem,
    pub waiting: Waiting,
}

impl StoredProject {
    /// The view's JSON: the record's own fields, then `facts` — the bytes of the decoded record flattened beside
    /// them. `None` when the record is no JSON object.
    pub fn view_json(self, facts: &ViewFacts) -> Option<String> {
        let mut json = self.record;
        let extra = serde_json::to_string(facts).ok()?;
        let extra = extra.strip_prefix('{')?;
        if !json.starts_with('{') || json.pop() != Some('}') || extra == "}" {
            return None;
        }
        if json.len() > 1 {
            json.push(',');
        }
        json.push_str(extra);
        Some(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ViewFacts {
        ViewFacts {
            step: "contract",
            total: Some(Money::from_fen(8_200_000)),
            returned: false,
            waiting_on_me: Some("file_report"),
            contract_total: None,
        }
    }

    #[test]
    fn the_view_of_a_stored_record_is_its_fields_then_the_facts() {
        #[derive(Serialize)]
        struct Flat<'a> {
            #[serde(flatten)]
            record: &'a serde_json::Value,
            #[serde(flatten)]
            facts: &'a ViewFacts,
        }
        let record = serde_json::json!({"id": 7, "title": "学校社会工作服务 \"一\"", "contract": {"amount": "1.00"}});
        let stored = |record: String| StoredProject {
            record,
            item: ProjectItem {
                id: 7,
                code: "SZ-2026-00007".into(),
                title: String::new(),
                status: super::super::Status::Design,
                step: "design",
                returned: false,
                purchaser_org_id: 1,
                purchaser_name: String::new(),
                provider_org_id: None,
                category: String::new(),
                year: 2026,
                total: None,
                contract_total: None,
                updated_at: DateTime::<Utc>::default(),
            },
            waiting: Waiting::from_columns(
                super::super::Status::Design,
                1,
                1,
                None,
                None,
                super::super::Awaits(0),
                None,
            )
            .expect("a waiting"),
        };
        let f = facts();
        let want = serde_json::to_string(&Flat { record: &record, facts: &f }).unwrap();
        assert_eq!(stored(record.to_string()).view_json(&f).as_deref(), Some(want.as_str()));
        // An empty record has no comma before the facts; what is no JSON object is refused, not patched.
        let empty = stored("{}".into()).view_json(&f).unwrap();
        assert!(empty.starts_with("{\"step\":\"contract\""), "{empty}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&empty).unwrap()["waiting_on_me"], "file_report");
        for bad in ["", "[1]", "{\"a\":1", "null"] {
            assert_eq!(stored(bad.into()).view_json(&f), None, "{bad}");
        }
    }
}
