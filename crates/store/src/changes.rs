//! When the data last changed. Every change appends an audit event in its own transaction, so the latest
//! event's time is the time of the latest change; it is read by the primary key, one row.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::sql::parse_ts;
use crate::SqlStore;

impl SqlStore {
    pub(crate) async fn latest_change(&self) -> Result<Option<DateTime<Utc>>> {
        let sql = "SELECT at FROM audit_events ORDER BY seq DESC LIMIT 1";
        self.fetch_optional(sql, vec![], |r| parse_ts(&r.try_get::<String>("at")?)).await
    }
}
