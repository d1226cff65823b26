//! Reading the tamper-evident audit log: the chain for anyone (each payload only to a reader in its scope), and
//! a project's history as its reader may see it.

use shanzhi_domain::audit::{AuditEvent, PublicEvent, GENESIS_HASH};
use shanzhi_domain::org::Actor;
use shanzhi_domain::project::Project;
use shanzhi_domain::visibility::{self, ProjectAccess};

use shanzhi_domain::ErrorCode;

use crate::{App, Error, Result};

/// The chain's head: its last event's number and hash (0 and the genesis hash while it is empty).
pub async fn head(app: &App) -> Result<(i64, String)> {
    Ok(app.store.audit_head().await?.unwrap_or_else(|| (0, GENESIS_HASH.to_string())))
}

/// The most events one read of the chain gives.
pub const CHAIN_MAX_LIMIT: i64 = 1000;

/// Events after `after`, at most `limit` (1–1,000, else `invalid_limit`), in order: each with its payload only
/// when `reader` is in the event's scope.
pub async fn chain(app: &App, reader: Option<&Actor>, after: i64, limit: i64) -> Result<Vec<PublicEvent>> {
    if !(1..=CHAIN_MAX_LIMIT).contains(&limit) {
        return Err(Error::bad_request(
            ErrorCode::InvalidLimit,
            format!("limit 应为 1 到 {CHAIN_MAX_LIMIT} 之间的整数"),
            format!("limit must be a whole number from 1 to {CHAIN_MAX_LIMIT}"),
        ));
    }
    let events = app.store.audit_chain(after.max(0), limit).await?;
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
