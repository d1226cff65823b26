//! Accounts people can manage: changing one's own password, and an administrator disabling, re-enabling and
//! resetting users — a reset gives a temporary password, shown once, that the user must change at the next
//! sign-in before doing anything else. The rules at the edge, shared by the JSON API handlers below and the
//! pages; the store audits every change.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use shanzhi_domain::error::Problems;
use shanzhi_domain::org::Role;
use shanzhi_domain::DomainError;
use shanzhi_store::accounts::PasswordChange;
use shanzhi_store::Account;
use std::net::IpAddr;

use crate::api::ApiJson;
use crate::auth::{self, AccountSession, ApiSession, Session};
use crate::error::{AppError, AppResult};
use crate::throttle::{Attempt, ClientAddr};
use crate::AppState;
use shanzhi_app::projects::ReasonRequest;

#[derive(Debug, Default, Deserialize)]
pub struct PasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's own password: the current one is required (and checked like a sign-in, throttled), the
/// new one follows the password rules and differs from it. Every other session and token of the user ends.
pub async fn change_password(state: &AppState, s: &Session, client: IpAddr, req: &PasswordRequest) -> AppResult<()> {
    let mut p = Problems::default();
    if let Some((zh, en)) = auth::password_problem(&req.new_password) {
        p.add("new_password", "weak_password", zh, en);
    } else if req.new_password == req.current_password {
        p.add(
            "new_password",
            "password_unchanged",
            "新密码不能与当前密码相同",
            "the new password must differ from the current one",
        );
    }
    let attempt = Attempt::start(state, client, &s.actor.username).await?;
    let (_, hash) = state.store.user_credentials(&s.actor.username).await?.ok_or_else(AppError::not_found)?;
    if attempt.verify(&req.current_password, Some(&hash)).await? {
        attempt.succeeded().await?;
    } else {
        p.add("current_password", "wrong_password", "当前密码不正确", "the current password is wrong");
    }
    p.into_result()?;
    let hash = auth::hash_password(&req.new_password, state.password_cost);
    let keep = PasswordChange::Own { keep_session: &s.token_hash };
    state.store.set_password(&s.by(), s.actor.user_id, &hash, keep, state.clock.now()).await?;
    Ok(())
}

/// The administrator's acts on other users: never on their own account, which they manage like anyone.
fn check_admin_act(s: &Session, user_id: i64, action: &'static str, reason: &str) -> AppResult<String> {
    if !s.actor.has(Role::Admin) {
        return Err(AppError::forbidden(action));
    }
    if user_id == s.actor.user_id {
        return Err(AppError::Domain(DomainError::refused(
            "own_account",
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
        p.add("reason", "reason_required", "请填写原因（不超过 500 字）", "give the reason (at most 500 characters)");
    }
    reason.to_string()
}

/// Disables a user: they cannot sign in, and their sessions and tokens stop at once.
pub async fn disable(state: &AppState, s: &Session, user_id: i64, reason: &str) -> AppResult<Account> {
    let reason = check_admin_act(s, user_id, "disable_user", reason)?;
    Ok(state.store.set_active(&s.by(), user_id, false, &reason, state.clock.now()).await?)
}

/// Enables a disabled user again; they sign in afresh.
pub async fn enable(state: &AppState, s: &Session, user_id: i64, reason: &str) -> AppResult<Account> {
    let reason = check_admin_act(s, user_id, "enable_user", reason)?;
    Ok(state.store.set_active(&s.by(), user_id, true, &reason, state.clock.now()).await?)
}

/// Resets a user's password to a temporary one, returned here once, that must be changed at the next sign-in;
/// every session and token of the user ends.
pub async fn reset_password(state: &AppState, s: &Session, user_id: i64, reason: &str) -> AppResult<(Account, String)> {
    let reason = check_admin_act(s, user_id, "reset_password", reason)?;
    let temporary = auth::temporary_password();
    let hash = auth::hash_password(&temporary, state.password_cost);
    let change = PasswordChange::Reset { reason: &reason };
    let account = state.store.set_password(&s.by(), user_id, &hash, change, state.clock.now()).await?;
    Ok((account, temporary))
}

// ---- API ----------------------------------------------------------------------------------------------

/// The signed-in user, organisation and roles, and whether the password must be changed first.
pub async fn api_me(AccountSession(s): AccountSession) -> Json<Value> {
    let mut me = json!(s.actor);
    me["must_change_password"] = json!(s.must_change_password);
    Json(me)
}

pub async fn api_change_password(
    State(state): State<AppState>,
    AccountSession(s): AccountSession,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<PasswordRequest>,
) -> AppResult<StatusCode> {
    change_password(&state, &s, client, &req).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn api_disable(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Json<Account>> {
    Ok(Json(disable(&state, &s, id, &req.reason).await?))
}

pub async fn api_enable(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Json<Account>> {
    Ok(Json(enable(&state, &s, id, &req.reason).await?))
}

pub async fn api_reset_password(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Json<Value>> {
    let (account, temporary) = reset_password(&state, &s, id, &req.reason).await?;
    let mut body = json!(account);
    body["temporary_password"] = json!(temporary);
    Ok(Json(body))
}
