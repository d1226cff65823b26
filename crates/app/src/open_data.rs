//! Open data in the Open Contracting Data Standard: the feed of releases in the order their steps committed, a
//! contracting process's record, and the walk the bulk export takes. Everything comes from what the public may
//! read — a project's public reading and its notices — through the OCDS crate's one mapping.

use std::collections::HashMap;

use serde_json::Value;
use shanzhi_domain::error::DomainError;
use shanzhi_ocds::process::{releases, Publisher, Release, Source};
use shanzhi_store::{StepFilter, StepKind};

use crate::error::{Error, Result};
use crate::App;

/// The largest page of releases the feed answers.
pub const MAX_RELEASES: usize = 1000;

/// The publisher of this platform's data, its pages at `base_url`.
pub fn publisher(app: &App, base_url: &str) -> Publisher {
    Publisher {
        prefix: app.rules.ocid_prefix.as_str().to_string(),
        name: app.rules.open_data_publisher.clone(),
        base_url: base_url.trim_end_matches('/').to_string(),
    }
}

/// One page of the release feed, and the cursor after it while more steps remain.
pub struct ReleasePage {
    pub releases: Vec<Value>,
    pub next: Option<i64>,
}

/// Up to `limit` releases after `filter`'s cursor, in the order their steps committed.
pub async fn release_page(app: &App, publisher: &Publisher, filter: &StepFilter, limit: usize) -> Result<ReleasePage> {
    let limit = limit.clamp(1, MAX_RELEASES);
    let mut steps = app.store.steps(filter, i64::try_from(limit).unwrap_or(1) + 1).await?;
    let more = steps.len() > limit;
    steps.truncate(limit);
    let notice_ids: Vec<i64> = steps
        .iter()
        .filter_map(|s| match s.kind {
            StepKind::Notice { notice_id } => Some(notice_id),
            _ => None,
        })
        .collect();
    let notice_projects: HashMap<i64, i64> =
        app.store.notices_by_ids(&notice_ids).await?.into_iter().map(|n| (n.id, n.notice.project_id)).collect();
    let sources: Vec<(i64, Source)> = steps
        .iter()
        .filter_map(|step| match step.kind {
            StepKind::Notice { notice_id } => notice_projects.get(&notice_id).map(|p| (*p, Source::Notice(notice_id))),
            StepKind::Payment { project_id, milestone } => Some((project_id, Source::Payment(milestone))),
            StepKind::Cancellation { project_id } => Some((project_id, Source::Cancellation)),
            StepKind::Termination { project_id } => Some((project_id, Source::Termination)),
        })
        .collect();
    // The page's projects read together, and each one's releases built once.
    let mut ids: Vec<i64> = sources.iter().map(|(p, _)| *p).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut built: HashMap<(i64, Source), Value> = HashMap::new();
    for (project, notices) in app.store.processes(&ids).await? {
        for r in releases(publisher, &project.public(), &notices) {
            built.insert((project.id, r.source), r.value);
        }
    }
    // A step of a project nothing of which is public (cancelled before its first notice) emits no release.
    let out = sources.iter().filter_map(|key| built.remove(key)).collect();
    Ok(ReleasePage { releases: out, next: more.then(|| steps.last().map(|s| s.seq)).flatten() })
}

/// The releases of the contracting process `ocid`, oldest first; not found unless it is this publisher's and
/// public.
pub async fn record(app: &App, publisher: &Publisher, ocid: &str) -> Result<Vec<Release>> {
    let not_found = || Error::Domain(DomainError::NotFound { what: "contracting process" });
    let code = publisher.code_of(ocid).ok_or_else(not_found)?;
    let project = app.store.project_by_code(code).await?.ok_or_else(not_found)?;
    let mut notices = app.store.notices_of_project(project.id).await?;
    notices.sort_by_key(|n| (n.published_at, n.id));
    let releases = releases(publisher, &project.public(), &notices);
    if releases.is_empty() {
        return Err(not_found());
    }
    Ok(releases)
}

/// One contracting process for the bulk export.
pub struct Process {
    pub project_id: i64,
    pub ocid: String,
    pub releases: Vec<Release>,
}

/// Up to `limit` public contracting processes after project `after_id`, by project id: the bulk export's walk.
pub async fn processes(app: &App, publisher: &Publisher, after_id: i64, limit: i64) -> Result<Vec<Process>> {
    let page = app.store.public_projects(after_id, limit).await?;
    Ok(page
        .into_iter()
        .map(|(project, notices)| {
            let public = project.public();
            Process {
                project_id: project.id,
                ocid: publisher.ocid(&project.code),
                releases: releases(publisher, &public, &notices),
            }
        })
        .collect())
}

/// The highest id a public project has: how far the bulk export's walk goes.
pub async fn last_public_project(app: &App) -> Result<i64> {
    Ok(app.store.last_public_project().await?)
}
