//! The JSON API of one's own account and of the administrator's acts on users (`shanzhi_app::accounts`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use shanzhi_app::accounts::{change_password, disable, enable, reset_password, PasswordRequest};
use shanzhi_app::projects::ReasonRequest;
use shanzhi_app::Account;

use crate::api::ApiJson;
use crate::auth::{AccountSession, ApiSession};
use crate::error::AppResult;
use crate::throttle::ClientAddr;
use crate::AppState;

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
    Ok(Json(disable(&state, &s.actor, id, &req.reason).await?))
}

pub async fn api_enable(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Json<Account>> {
    Ok(Json(enable(&state, &s.actor, id, &req.reason).await?))
}

pub async fn api_reset_password(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Json<Value>> {
    let (account, temporary) = reset_password(&state, &s.actor, id, &req.reason).await?;
    let mut body = json!(account);
    body["temporary_password"] = json!(temporary);
    Ok(Json(body))
}
