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
use crate::openapi::roles;
use crate::throttle::ClientAddr;
use crate::AppState;

/// The signed-in user, organisation and roles, and whether the password must be changed first.
#[utoipa::path(
    get,
    path = "/me",
    summary = "The signed-in user, organisation and roles, and whether the password must be changed first",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
pub async fn api_me(AccountSession(s): AccountSession) -> Json<Value> {
    let mut me = json!(s.actor);
    me["must_change_password"] = json!(s.must_change_password);
    Json(me)
}

#[utoipa::path(
    put,
    path = "/me/password",
    summary = "Change my password (the current one is required); my other sessions and tokens end",
    request_body = PasswordRequest,
    responses((status = 204, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
pub async fn api_change_password(
    State(state): State<AppState>,
    AccountSession(s): AccountSession,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<PasswordRequest>,
) -> AppResult<StatusCode> {
    change_password(&state, &s, client, &req).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/users/{id}/disable",
    summary = "Disable a user: no sign-in, and their sessions and tokens stop at once",
    request_body = ReasonRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::ADMIN)))
)]
pub async fn api_disable(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Json<Account>> {
    Ok(Json(disable(&state, &s.actor, id, &req.reason).await?))
}

#[utoipa::path(
    post,
    path = "/users/{id}/enable",
    summary = "Enable a disabled user again",
    request_body = ReasonRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::ADMIN)))
)]
pub async fn api_enable(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Json<Account>> {
    Ok(Json(enable(&state, &s.actor, id, &req.reason).await?))
}

#[utoipa::path(
    post,
    path = "/users/{id}/password-reset",
    summary = "Reset a user's password: returns a temporary password, shown once, that must be changed at the next sign-in",
    request_body = ReasonRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::ADMIN)))
)]
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
