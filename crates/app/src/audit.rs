//! Reading the tamper-evident audit log: the chain for anyone (each payload only to a reader in its scope), and
//! a project's history as its reader may see it.

use shanzhi_domain::audit::{AuditEvent, PublicEvent, GENESIS_HASH};
use shanzhi_domain::org::Actor;
use shanzhi_domain::project::Project;
use shanzhi_domain::visibility::{self, ProjectAccess};

use crate::{App, Result};

/// The chain's head: its last event's number and hash (0 and the genesis hash while it is empty).
pub async fn head(app: &App) -> Result<(i64, String)> {
    Ok(app.store.audit_head().await?.unwrap_or_else(|| (0, GENESIS_HASH.to_string())))
}

/// Events after `after`, at most `limit` (1–1,000), in order: each with its payload only when `reader` is in
/// the event's scope.
pub async fn chain(app: &App, reader: Option<&Actor>, after: i64, limit: i64) -> Result<Vec<PublicEvent>> {
    let events = app.store.audit_chain(after.max(0), limit.clamp(1, 1000)).await?;
    Ok(events.iter().map(|(e, scope)| e.public(scope, scope.readable_by(e, reader))).collect())
}

/// A project's history as `actor` reads it: all of it, or the provider's part.
pub async fn project_history(app: &App, actor: &Actor, p: &Project) -> Result<Vec<AuditEvent>> {
    let events = app.store.audit_for_object("project", &p.id.to_string()).await?;
    Ok(match visibility::project_access(actor, p) {
        Some(ProjectAccess::Full) => events,
        _ => events.iter().filter_map(visibility::event_for_provider).collect(),
    })
}
