//! My account: who I am, my roles, my password, and my named API tokens for scripts (created, listed, revoked).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_domain::{DomainError, ErrorCode};

use super::forms::{self, csrf, error_summary, Errors, Form, Kind};
use super::layout::page;
use super::{error_page, fatal, render, see_other, OrPage, Page, Posted, SignedIn};
use crate::error::AppError;
use crate::throttle::ClientAddr;
use crate::AppState;
use shanzhi_app::accounts::{self, PasswordRequest};
use shanzhi_app::sessions::TokenInfo;

/// Where people change their own password (and where a reset sends them).
pub const CHANGE_PASSWORD: &str = "/account/password";

fn account_page(
    user: &SignedIn,
    tokens: &[TokenInfo],
    form: &Form,
    errors: &Errors,
    new_token: Option<&str>,
    password_changed: bool,
) -> Markup {
    let lang = user.lang;
    let a = &user.session.actor;
    let roles: Vec<&str> = a.roles.iter().map(|r| lang.t(r.label_zh(), r.label_en())).collect();
    let body = html! {
        (error_summary(lang, errors))
        @if password_changed {
            div.notice.notice--success role="status" {
                p { (lang.t("密码已修改。您在其他设备上的登录和所有 API 令牌已失效。", "Your password is changed. Your sign-ins elsewhere and all your API tokens have ended.")) }
            }
        }
        h1.page-title { (lang.t("我的账户", "My account")) }
        dl.summary-list {
            div.summary-list__row { dt { (lang.t("用户名", "Username")) } dd { (a.username) } }
            div.summary-list__row { dt { (lang.t("姓名", "Name")) } dd { (a.display_name) } }
            div.summary-list__row { dt { (lang.t("所属单位", "Organisation")) } dd { (a.org_name) } }
            div.summary-list__row { dt { (lang.t("角色", "Roles")) } dd { (roles.join(lang.t("、", ", "))) } }
        }
        p { a href=(CHANGE_PASSWORD) { (lang.t("修改密码", "Change your password")) } }
        h2 { (lang.t("API 令牌", "API tokens")) }
        p { (lang.t(
            "脚本可用令牌调用接口（请求头 Authorization: Bearer 令牌），无需保存密码。令牌只在创建时显示一次；不再使用时请撤销。",
            "Scripts call the API with a token (header Authorization: Bearer TOKEN) instead of a password. A token is shown once, when it is created; revoke it when it is no longer used.",
        )) }
        @if let Some(t) = new_token {
            div.notice.notice--success role="status" {
                p { strong { (lang.t("新令牌（请立即复制保存，离开本页后不再显示）：", "Your new token (copy it now; it will not be shown again):")) } }
                p.hash { (t) }
            }
        }
        @if tokens.is_empty() {
            p.muted { (lang.t("您还没有 API 令牌。", "You have no API tokens.")) }
        } @else {
            div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("用途", "Use")) } th scope="col" { (lang.t("编号", "Id")) }
                    th scope="col" { (lang.t("创建时间", "Created")) } th scope="col" { (lang.t("有效期至", "Expires")) }
                    th scope="col" { span.visually-hidden { (lang.t("操作", "Action")) } }
                } }
                tbody { @for t in tokens { tr {
                    td data-label=(lang.t("用途", "Use")) { (t.label) }
                    td data-label=(lang.t("编号", "Id")) { span.hash { (t.id) } }
                    td data-label=(lang.t("创建时间", "Created")) { (lang.datetime(t.created_at)) }
                    td data-label=(lang.t("有效期至", "Expires")) { (lang.datetime(t.expires_at)) }
                    td {
                        form method="post" action={"/account/tokens/" (t.id) "/revoke"} {
                            (csrf(&user.session))
                            button.btn.btn--warning type="submit" { (lang.t("撤销", "Revoke")) " " (t.label) }
                        }
                    }
                } } }
            } }
        }
        h3 { (lang.t("创建令牌", "Create a token")) }
        form method="post" action="/account/tokens" novalidate {
            (csrf(&user.session))
            (forms::text_field("label", lang.t("用途", "What it is for"), Some(lang.t("例如：统计报表脚本", "e.g. the statistics script")), form.get("label"), errors.get("label")))
            (forms::input(Kind::Integer, "days", lang.t("有效天数", "Valid for (days)"), Some(lang.t("1 至 365 天", "1 to 365 days")), form.get("days"), errors.get("days")))
            div.button-group { (forms::submit(lang.t("创建令牌", "Create the token"))) }
        }
    };
    page(&user.shell(), lang.t("我的账户", "My account"), body)
}

#[derive(serde::Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    password: Option<String>,
}

pub async fn show(State(state): State<AppState>, user: SignedIn, Query(q): Query<ShowQuery>) -> Page {
    let tokens = shanzhi_app::sessions::list_tokens(&state, &user.session).await.or_page(&user.shell())?;
    let mut form = Form::default();
    form.set("days", state.rules.api_token_days.to_string());
    let changed = q.password.as_deref() == Some("changed");
    Ok(render(StatusCode::OK, account_page(&user, &tokens, &form, &Errors::default(), None, changed)))
}

pub async fn create_token(State(state): State<AppState>, Posted { user, form }: Posted) -> Page {
    let days = form.get("days").trim().parse::<i64>().ok().or(Some(0));
    match shanzhi_app::sessions::create_token(&state, &user.session, form.get("label"), days)
        .await
        .map_err(AppError::from)
    {
        Ok((token, _)) => {
            let tokens = shanzhi_app::sessions::list_tokens(&state, &user.session).await.or_page(&user.shell())?;
            let fresh = Form::default();
            Ok(render(
                StatusCode::CREATED,
                account_page(&user, &tokens, &fresh, &Errors::default(), Some(&token), false),
            ))
        }
        Err(e) => {
            let errors = Errors::from_error(user.lang, &e);
            let tokens = shanzhi_app::sessions::list_tokens(&state, &user.session).await.or_page(&user.shell())?;
            Ok(render(e.status(), account_page(&user, &tokens, &form, &errors, None, false)))
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    super::PagePath(id): super::PagePath<String>,
    Posted { user, .. }: Posted,
) -> Page {
    shanzhi_app::sessions::revoke_token(&state, &user.session, &id).await.or_page(&user.shell())?;
    Ok(see_other("/account"))
}

fn password_page(user: &SignedIn, errors: &Errors) -> Markup {
    let lang = user.lang;
    let reset = user.session.must_change_password;
    let title = lang.t("修改密码", "Change your password");
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (title) }
        @if reset {
            div.notice.notice--warning role="status" {
                p { (lang.t(
                    "系统管理员重置了您的密码。请用管理员告诉您的临时密码设置一个只有您自己知道的新密码，之后才能继续使用平台。",
                    "An administrator reset your password. Use the temporary password they gave you to set a new one only you know; until then you cannot use the platform.",
                )) }
            }
        }
        p { (lang.t(
            "修改后，您在其他设备上的登录和所有 API 令牌都将失效。",
            "Once it is changed, your sign-ins elsewhere and all your API tokens end.",
        )) }
        form method="post" action=(CHANGE_PASSWORD) novalidate {
            (csrf(&user.session))
            (forms::input(
                Kind::Password,
                "current_password",
                if reset { lang.t("临时密码", "Temporary password") } else { lang.t("当前密码", "Current password") },
                None,
                "",
                errors.get("current_password"),
            ))
            (forms::input(
                Kind::NewPassword,
                "new_password",
                lang.t("新密码", "New password"),
                Some(lang.t("至少 10 个字符，须同时包含字母和数字或符号。", "At least 10 characters mixing letters with digits or symbols.")),
                "",
                errors.get("new_password"),
            ))
            (forms::input(
                Kind::NewPassword,
                "confirm_password",
                lang.t("再次输入新密码", "New password again"),
                None,
                "",
                errors.get("confirm_password"),
            ))
            div.button-group {
                (forms::submit(title))
                @if !reset { a href="/account" { (lang.t("取消", "Cancel")) } }
            }
        }
    };
    page(&user.shell(), title, body)
}

pub async fn password_form(user: SignedIn) -> Page {
    Ok(render(StatusCode::OK, password_page(&user, &Errors::default())))
}

pub async fn change_password(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Posted { user, form }: Posted,
) -> Page {
    let req = PasswordRequest {
        current_password: form.get("current_password").into(),
        new_password: form.get("new_password").into(),
    };
    let changed = if form.get("confirm_password") != req.new_password {
        Err(AppError::from(DomainError::field(
            "confirm_password",
            ErrorCode::PasswordMismatch,
            "两次输入的新密码不一致",
            "the two new passwords differ",
        )))
    } else {
        accounts::change_password(&state, &user.session, client, &req).await.map_err(AppError::from)
    };
    match changed {
        Ok(()) => Ok(see_other("/account?password=changed")),
        Err(e) if fatal(&e) => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let mut resp = render(e.status(), password_page(&user, &Errors::from_error(user.lang, &e)));
            if let Some(secs) = e.retry_after() {
                resp.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
            }
            Err(resp)
        }
    }
}
