//! The statistics of part of the district, for a reader whose view is a region subtree (a township's supervisor;
//! a department seated there). Exactly the whole-district figures restricted to:
//! - the projects with an area in the subtree (as the reader sees projects), with their whole contracts;
//! - the budget lines of departments seated in the subtree, with their ledger moves; and the payments, reservations
//!   and commitments made for the projects above, from whichever line;
//! - the townships in the subtree (or the one it lies in), each with its share of those projects as the whole
//!   district's figures give it.

use super::{summary, townships_and_areas, Input, LedgerMove, Statistics};
use crate::budget::Budget;
use crate::org::region_within;
use crate::project::Project;
use std::collections::BTreeSet;

/// The statistics of `year` (all years when `None`) within the region subtree rooted at `root`.
pub fn summary_within(input: &Input, year: Option<i32>, root: &str) -> Statistics {
    let projects: Vec<Project> =
        input.projects.iter().filter(|p| p.design.regions.iter().any(|r| region_within(r, root))).cloned().collect();
    let project_ids: BTreeSet<i64> = projects.iter().map(|p| p.id).collect();
    let seated: BTreeSet<i64> = input
        .organisations
        .iter()
        .filter(|o| o.region.as_deref().is_some_and(|r| region_within(r, root)))
        .map(|o| o.id)
        .collect();
    let own_lines: BTreeSet<i64> = input.budgets.iter().filter(|b| seated.contains(&b.org_id)).map(|b| b.id).collect();
    let ledger: Vec<LedgerMove> = input
        .ledger
        .iter()
        .filter(|m| match m.project_id {
            Some(p) => project_ids.contains(&p),
            None => own_lines.contains(&m.budget_id),
        })
        .cloned()
        .collect();
    // A line that paid for a project here is kept too, so its money is counted by its fund source.
    let used: BTreeSet<i64> = ledger.iter().map(|m| m.budget_id).collect();
    let budgets: Vec<Budget> =
        input.budgets.iter().filter(|b| own_lines.contains(&b.id) || used.contains(&b.id)).cloned().collect();
    let scoped = Input { projects: &projects, budgets: &budgets, ledger: &ledger, ..*input };
    let mut s = summary(&scoped, year);
    // The townships in it, each with its share as the whole platform's figures give it: a district-wide contract
    // with posts hosted in a township counts there, though the contract is not the township's.
    s.townships = townships_and_areas(input, year).0;
    s.townships.retain(|t| region_within(&t.code, root) || region_within(root, &t.code));
    s
}
