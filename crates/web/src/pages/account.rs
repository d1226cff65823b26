//! My account: who I am, my roles, and my named API tokens for scripts (created, listed, revoked).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use maud::{html, Markup};

use super::forms::{self, csrf, error_summary, Errors, Form, Kind};
use super::layout::page;
use super::{render, see_other, OrPage, Page, Posted, SignedIn};
use crate::auth::{self, TokenInfo};
use crate::AppState;

fn account_page(
    user: &SignedIn,
    tokens: &[TokenInfo],
    form: &Form,
    errors: &Errors,
    new_token: Option<&str>,
) -> Markup {
    let lang = user.lang;
    let a = &user.session.actor;
    let roles: Vec<&str> = a.roles.iter().map(|r| lang.t(r.label_zh(), r.label_en())).collect();
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (lang.t("我的账户", "My account")) }
        dl.summary-list {
            div.summary-list__row { dt { (lang.t("用户名", "Username")) } dd { (a.username) } }
            div.summary-list__row { dt { (lang.t("姓名", "Name")) } dd { (a.display_name) } }
            div.summary-list__row { dt { (lang.t("所属单位", "Organisation")) } dd { (a.org_name) } }
            div.summary-list__row { dt { (lang.t("角色", "Roles")) } dd { (roles.join(lang.t("、", ", "))) } }
        }
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

pub async fn show(State(state): State<AppState>, user: SignedIn) -> Page {
    let tokens = auth::list_tokens(&state, &user.session).await.or_page(&user.shell())?;
    let mut form = Form::default();
    form.set("days", state.rules.api_token_days.to_string());
    Ok(render(StatusCode::OK, account_page(&user, &tokens, &form, &Errors::default(), None)))
}

pub async fn create_token(State(state): State<AppState>, Posted { user, form }: Posted) -> Page {
    let days = form.get("days").trim().parse::<i64>().ok().or(Some(0));
    match auth::create_token(&state, &user.session, form.get("label"), days).await {
        Ok((token, _)) => {
            let tokens = auth::list_tokens(&state, &user.session).await.or_page(&user.shell())?;
            let fresh = Form::default();
            Ok(render(StatusCode::CREATED, account_page(&user, &tokens, &fresh, &Errors::default(), Some(&token))))
        }
        Err(e) => {
            let errors = Errors::from_error(user.lang, &e);
            let tokens = auth::list_tokens(&state, &user.session).await.or_page(&user.shell())?;
            Ok(render(e.status(), account_page(&user, &tokens, &form, &errors, None)))
        }
    }
}

pub async fn revoke_token(State(state): State<AppState>, Path(id): Path<String>, Posted { user, .. }: Posted) -> Page {
    auth::revoke_token(&state, &user.session, &id).await.or_page(&user.shell())?;
    Ok(see_other("/account"))
}
