//! Summary figures for supervisors and scripts.

use chrono::Datelike;
use serde_json::{json, Map, Value};
use shanzhi_domain::clock::china_date;
use shanzhi_domain::project::{Project, PurchaseMode, Status, STEPS};
use shanzhi_domain::Money;

/// The year a project counts in: the year its contract was signed, else the year it was created (China time).
pub fn project_year(p: &Project) -> i32 {
    match &p.contract {
        Some(c) => c.signed_on.year(),
        None => china_date(p.created_at).year(),
    }
}

/// `{"year", "projects_by_step", "by_mode"}`; `by_mode` sums contracts signed in the year, in yuan.
pub fn summary(projects: &[Project], year: Option<i32>) -> Value {
    let in_year: Vec<&Project> = projects.iter().filter(|p| year.is_none_or(|y| project_year(p) == y)).collect();
    let mut by_step = Map::new();
    for step in STEPS.iter().copied().chain(["completed", "cancelled", "terminated"]) {
        by_step.insert(step.into(), json!(0));
    }
    for p in &in_year {
        let key = match p.status {
            Status::Completed | Status::Cancelled | Status::Terminated => p.status.code(),
            s => s.step(),
        };
        if let Some(n) = by_step.get_mut(key) {
            *n = json!(n.as_i64().unwrap_or(0) + 1);
        }
    }
    let mode_total = |mode: PurchaseMode| -> Money {
        in_year.iter().filter(|p| p.design.mode == mode).filter_map(|p| p.contract.as_ref()).map(|c| c.amount).sum()
    };
    json!({
        "year": year,
        "projects_by_step": by_step,
        "by_mode": {
            "post": mode_total(PurchaseMode::Post).yuan_string(),
            "project": mode_total(PurchaseMode::Project).yuan_string(),
        }
    })
}
