//! Accounts people can manage: changing one's own password, and an administrator disabling, re-enabling and
//! resetting users — a reset gives a temporary password, shown once, that the user must change at the next
//! sign-in before doing anything else. The store audits every change.

use serde::{Deserialize, Serialize};
use shanzhi_domain::error::Problems;
use shanzhi_domain::org::{Actor, Role};
use shanzhi_domain::{DomainError, ErrorCode};
use shanzhi_store::accounts::PasswordChange;
use shanzhi_store::{Account, By};
use std::net::IpAddr;
use utoipa::ToSchema;

use crate::sessions::{self, Attempt};
use crate::Session;
use crate::{App, Error, Result};

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct PasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's own password: the current one is required (and checked like a sign-in, throttled), the
/// new one follows the password rules and differs from it. Every other session and token of the user ends.
pub async fn change_password(app: &App, s: &Session, client: IpAddr, req: &PasswordRequest) -> Result<()> {
    let mut p = Problems::default();
    if let Some((zh, en)) = sessions::password_problem(&req.new_password) {
        p.add("new_password", ErrorCode::WeakPassword, zh, en);
    } else if req.new_password == req.current_password {
        p.add(
            "new_password",
            ErrorCode::PasswordUnchanged,
            "新密码不能与当前密码相同",
            "the new password must differ from the current one",
        );
    }
    let attempt = Attempt::start(app, client, &s.actor.username).await?;
    let (_, hash) = app.store.user_credentials(&s.actor.username).await?.ok_or_else(Error::not_found)?;
    if attempt.verify(&req.current_password, Some(&hash)).await? {
        attempt.succeeded().await?;
    } else {
        p.add("current_password", ErrorCode::WrongPassword, "当前密码不正确", "the current password is wrong");
    }
    p.into_result()?;
    let hash = sessions::hash_password(&req.new_password, app.password_cost);
    let keep = PasswordChange::Own { keep_session: &s.token_hash };
    app.store.set_password(&s.by(), s.actor.user_id, &hash, keep, app.clock.now()).await?;
    Ok(())
}

/// The administrator's acts on other users: never on their own account, which they manage like anyone.
fn check_admin_act(actor: &Actor, user_id: i64, action: &'static str, reason: &str) -> Result<String> {
    if !actor.has(Role::Admin) {
        return Err(Error::forbidden(action));
    }
    if user_id == actor.user_id {
        return Err(Error::Domain(DomainError::refused(
            ErrorCode::OwnAccount,
            "不能对自己的账户进行此操作；修改密码请到“我的账户”",
            "you cannot do this to your own account; change your password on your account page",
        )));
    }
    let mut p = Problems::default();
    let reason = check_reason(&mut p, reason);
    p.into_result()?;
    Ok(reason)
}

/// An administrator's act on a user gives its reason (at most 500 characters); returns it trimmed.
pub fn check_reason(p: &mut Problems, reason: &str) -> String {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        p.add(
            "reason",
            ErrorCode::ReasonRequired,
            "请填写原因（不超过 500 字）",
            "give the reason (at most 500 characters)",
        );
    }
    reason.to_string()
}

/// Disables a user: they cannot sign in, and their sessions and tokens stop at once.
pub async fn disable(app: &App, actor: &Actor, user_id: i64, reason: &str) -> Result<Account> {
    let reason = check_admin_act(actor, user_id, "disable_user", reason)?;
    Ok(app.store.set_active(&By::actor(actor), user_id, false, &reason, app.clock.now()).await?)
}

/// Enables a disabled user again; they sign in afresh.
pub async fn enable(app: &App, actor: &Actor, user_id: i64, reason: &str) -> Result<Account> {
    let reason = check_admin_act(actor, user_id, "enable_user", reason)?;
    Ok(app.store.set_active(&By::actor(actor), user_id, true, &reason, app.clock.now()).await?)
}

/// Resets a user's password to a temporary one, returned here once, that must be changed at the next sign-in;
/// every session and token of the user ends.
pub async fn reset_password(app: &App, actor: &Actor, user_id: i64, reason: &str) -> Result<(Account, String)> {
    let reason = check_admin_act(actor, user_id, "reset_password", reason)?;
    let temporary = sessions::temporary_password();
    let hash = sessions::hash_password(&temporary, app.password_cost);
    let change = PasswordChange::Reset { reason: &reason };
    let account = app.store.set_password(&By::actor(actor), user_id, &hash, change, app.clock.now()).await?;
    Ok((account, temporary))
}
