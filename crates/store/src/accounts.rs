//! Accounts in SQL: password changes and resets, disabling and re-enabling users, the sign-in throttle's counts,
//! and the keyed tag of forms posted before sign-in. Every change is one transaction with its audit event.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use shanzhi_domain::audit::Action;
use shanzhi_domain::org::{Actor, User};
use shanzhi_domain::sign_in::{Failures, FORGIVEN_AFTER_HOURS};
use shanzhi_domain::{DomainError, ErrorCode};
use sqlx::AnyConnection;

use crate::error::{Result, StoreError};
use crate::listing::Arg;
use crate::read::Cells;
use crate::sql::{
    actor_from_row, flag, parse_ts, session_from_row, ts, user_from_row, SqlStore, ACTOR_COLUMNS, ACTOR_JOINS,
    USER_COLUMNS,
};
use crate::{By, SessionRecord};

/// A user as administrators manage it.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    #[serde(flatten)]
    pub user: User,
    /// An administrator reset the password: it must be changed before the account can do anything else.
    pub must_change_password: bool,
}

/// Who changes a password, and so which sessions survive it.
#[derive(Debug, Clone, Copy)]
pub enum PasswordChange<'a> {
    /// Its owner, who keeps the session (or token, by its hash) they changed it from; every other one ends.
    Own { keep_session: &'a str },
    /// An administrator's reset to a temporary password that must be changed at the next sign-in; every
    /// session and token of the user ends.
    Reset { reason: &'a str },
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn account(&self, user_id: i64) -> Result<Option<Account>>;
    /// A session by its token's hash, with whether its user must change their password before anything else,
    /// and its user as they act (none when disabled).
    async fn session_with_actor(&self, token_hash: &str) -> Result<Option<(SessionRecord, bool, Option<Actor>)>>;
    /// Replaces a user's password hash and ends their sessions and tokens as `change` says.
    async fn set_password(
        &self,
        by: &By,
        user_id: i64,
        password_hash: &str,
        change: PasswordChange<'_>,
        now: DateTime<Utc>,
    ) -> Result<Account>;
    /// Disables a user, ending every session and token at once, or enables them again; refused when the user
    /// already is so (`user_already_disabled`, `user_already_active`).
    async fn set_active(
        &self,
        by: &By,
        user_id: i64,
        active: bool,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Account>;

    /// Failed sign-ins counted under `key` (see `shanzhi_domain::sign_in`).
    async fn sign_in_failures(&self, key: &str) -> Result<Option<Failures>>;
    /// Counts one failed sign-in under each key, together; a count idle for a day starts again.
    async fn record_sign_in_failure(&self, keys: &[String], now: DateTime<Utc>) -> Result<()>;
    async fn clear_sign_in_failures(&self, key: &str) -> Result<()>;

    /// The tag that makes `nonce` a valid token for a form posted before sign-in. It is keyed by the data key,
    /// so every server sharing the store issues and accepts the same tags, and nobody without it can forge one.
    fn form_tag(&self, nonce: &str) -> String;
}

const ACCOUNT_COLUMNS: &str = "must_change_password";

fn account_from_row(r: &dyn Cells) -> Result<Account> {
    Ok(Account { user: user_from_row(r)?, must_change_password: r.try_get::<i64>(ACCOUNT_COLUMNS)? != 0 })
}

impl SqlStore {
    async fn account_in(&self, conn: &mut AnyConnection, user_id: i64) -> Result<Account> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS}, {ACCOUNT_COLUMNS} FROM users WHERE id = $1"))
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref()
            .map(|r| account_from_row(r))
            .transpose()?
            .ok_or(StoreError::Domain(DomainError::NotFound { what: "user" }))
    }

    /// Ends the user's sessions and tokens but `keep`; returns how many ended.
    async fn end_sessions_of(&self, conn: &mut AnyConnection, user_id: i64, keep: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(&mut *conn)
            .await?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn account(&self, user_id: i64) -> Result<Option<Account>> {
        self.fetch_optional(
            &format!("SELECT {USER_COLUMNS}, {ACCOUNT_COLUMNS} FROM users WHERE id = $1"),
            vec![Arg::from(user_id)],
            account_from_row,
        )
        .await
    }

    async fn session_with_actor(&self, token_hash: &str) -> Result<Option<(SessionRecord, bool, Option<Actor>)>> {
        // One statement for what every signed-in request reads first.
        let sql = format!(
            "SELECT s.user_id, s.kind, s.label, s.csrf, s.created_at, s.expires_at, u.must_change_password, \
             {ACTOR_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id {ACTOR_JOINS} WHERE s.token_hash = $1"
        );
        self.fetch_optional(&sql, vec![Arg::from(token_hash)], |r| {
            Ok((session_from_row(r)?, r.try_get::<i64>("must_change_password")? != 0, actor_from_row(r)?))
        })
        .await
    }

    async fn set_password(
        &self,
        by: &By,
        user_id: i64,
        password_hash: &str,
        change: PasswordChange<'_>,
        now: DateTime<Utc>,
    ) -> Result<Account> {
        let (must_change, keep, action, reason) = match change {
            PasswordChange::Own { keep_session } => (false, keep_session, Action::UserPasswordChange, None),
            PasswordChange::Reset { reason } => (true, "", Action::UserPasswordReset, Some(reason)),
        };
        let mut w = self.begin_write().await?;
        let before = self.account_in(&mut w.tx, user_id).await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(flag(must_change))
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        let ended = self.end_sessions_of(&mut w.tx, user_id, keep).await?;
        let mut after = json!({"must_change_password": must_change, "sessions_ended": ended});
        if let Some(reason) = reason {
            after["reason"] = json!(reason);
        }
        // Neither password nor hash enters the log.
        let event = by.event(action, "user", &before.user.username, Value::Null, after);
        self.commit_with(w, event, now).await?;
        Ok(Account { must_change_password: must_change, ..before })
    }

    async fn set_active(
        &self,
        by: &By,
        user_id: i64,
        active: bool,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Account> {
        let mut w = self.begin_write().await?;
        let mut account = self.account_in(&mut w.tx, user_id).await?;
        if account.user.active == active {
            return Err(StoreError::Domain(if active {
                DomainError::refused(ErrorCode::UserAlreadyActive, "该用户已是启用状态", "the user is already active")
            } else {
                DomainError::refused(ErrorCode::UserAlreadyDisabled, "该用户已停用", "the user is already disabled")
            }));
        }
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(flag(active))
            .bind(user_id)
            .execute(&mut *w.tx)
            .await?;
        // A disabled user's sessions and tokens stop at once, and none comes back when they are enabled again.
        let ended = if active { 0 } else { self.end_sessions_of(&mut w.tx, user_id, "").await? };
        let (action, after) = if active {
            (Action::UserEnable, json!({"reason": reason}))
        } else {
            (Action::UserDisable, json!({"reason": reason, "sessions_ended": ended}))
        };
        let event = by.event(action, "user", &account.user.username, Value::Null, after);
        self.commit_with(w, event, now).await?;
        account.user.active = active;
        Ok(account)
    }

    async fn sign_in_failures(&self, key: &str) -> Result<Option<Failures>> {
        let sql = "SELECT failures, last_at FROM sign_in_throttle WHERE key = $1";
        self.fetch_optional(sql, vec![Arg::from(key)], |r| {
            Ok(Failures {
                count: r.try_get::<i64>("failures")?.clamp(0, u32::MAX as i64) as u32,
                last: parse_ts(&r.try_get::<String>("last_at")?)?,
            })
        })
        .await
    }

    async fn record_sign_in_failure(&self, keys: &[String], now: DateTime<Utc>) -> Result<()> {
        let forgiven = ts(now - Duration::hours(FORGIVEN_AFTER_HOURS));
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM sign_in_throttle WHERE last_at < $1").bind(&forgiven).execute(&mut *w.tx).await?;
        for key in keys {
            sqlx::query(
                "INSERT INTO sign_in_throttle (key, failures, last_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET failures = sign_in_throttle.failures + 1, last_at = excluded.last_at",
            )
            .bind(key)
            .bind(ts(now))
            .execute(&mut *w.tx)
            .await?;
        }
        w.commit().await
    }

    async fn clear_sign_in_failures(&self, key: &str) -> Result<()> {
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM sign_in_throttle WHERE key = $1").bind(key).execute(&mut *w.tx).await?;
        w.commit().await
    }

    fn form_tag(&self, nonce: &str) -> String {
        self.data_key().tag(format!("shanzhi pre-session form\0{nonce}").as_bytes())
    }
}
