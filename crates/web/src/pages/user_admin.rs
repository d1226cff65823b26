//! The administrator's page of one user: disable, enable again, or reset the password to a temporary one that
//! is shown here once and must be changed at the user's next sign-in.

use axum::extract::State;
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_app::Account;

use super::admin::{require_admin, role_names};
use super::forms::{self, csrf, error_summary, Errors};
use super::layout::page;
use super::{error_page, fatal, see_other, Ids, OrPage, Page, Posted, SignedIn};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;
use shanzhi_app::accounts;

const RESET: &str = "reset-password";

/// What the page shows besides the user: a fresh temporary password, or the problems of a refused act.
#[derive(Default)]
struct Outcome<'a> {
    temporary_password: Option<&'a str>,
    act: &'a str,
    errors: Errors,
}

fn act_form(lang: Lang, user: &SignedIn, id: i64, act: &str, out: &Outcome, text: (&str, &str)) -> Markup {
    let (label, hint) = match act {
        "disable" => (
            lang.t("停用原因", "Why disable the account"),
            lang.t("例如：调离本单位", "e.g. moved to another organisation"),
        ),
        "enable" => (lang.t("启用原因", "Why enable it again"), lang.t("例如：复岗", "e.g. back at work")),
        _ => (lang.t("重置原因", "Why reset the password"), lang.t("例如：本人忘记密码", "e.g. they forgot it")),
    };
    let error = |key: &str| if out.act == act { out.errors.get(key) } else { None };
    html! {
        form method="post" action={"/admin/users/" (id) "/" (act)} novalidate {
            (csrf(&user.session))
            (forms::textarea(&format!("{act}-reason"), "reason", label, Some(hint), "", error("reason")))
            // The old password cannot be brought back.
            @if act == RESET {
                (forms::confirm_box(
                    &format!("{act}-confirm"),
                    lang.t("我确认要重置该用户的密码", "I confirm resetting this user's password"),
                    error("confirm"),
                ))
            }
            div.button-group { button.btn.btn--warning type="submit" { (lang.t(text.0, text.1)) } }
        }
    }
}

fn user_page(user: &SignedIn, account: &Account, org_name: &str, out: &Outcome) -> Markup {
    let lang = user.lang;
    let u = &account.user;
    let own = u.id == user.session.actor.user_id;
    let body = html! {
        (error_summary(lang, &out.errors))
        span.caption { (lang.t("用户", "User")) }
        h1.page-title { (u.display_name) " (" (u.username) ")" }
        @if let Some(p) = out.temporary_password {
            div.notice.notice--success role="status" {
                p { strong { (lang.t("临时密码（只显示这一次，请当面或电话告知本人）：", "The temporary password (shown only now; tell the person in private):")) } }
                p.hash { (p) }
                p { (lang.t("本人用它登录后必须先设置新密码。", "After signing in with it, they must set a new password first.")) }
            }
        }
        dl.summary-list {
            div.summary-list__row { dt { (lang.t("用户名", "Username")) } dd { (u.username) } }
            div.summary-list__row { dt { (lang.t("姓名", "Name")) } dd { (u.display_name) } }
            div.summary-list__row { dt { (lang.t("单位", "Organisation")) } dd { (org_name) } }
            div.summary-list__row { dt { (lang.t("角色", "Roles")) } dd { (role_names(lang, &u.roles)) } }
            div.summary-list__row { dt { (lang.t("状态", "Status")) } dd {
                @if u.active { strong.tag.tag--green { (lang.t("启用", "Active")) } }
                @else { strong.tag.tag--grey { (lang.t("停用", "Disabled")) } }
                @if account.must_change_password {
                    " " strong.tag.tag--amber { (lang.t("须修改密码", "Must change password")) }
                }
            } }
        }
        @if own {
            p { (lang.t("这是您自己的账户。", "This is your own account.")) " " a href=(super::account::CHANGE_PASSWORD) { (lang.t("修改密码", "Change your password")) } }
        } @else {
            @if u.active {
                h2 { (lang.t("停用账户", "Disable the account")) }
                p { (lang.t("停用后本人无法登录，已登录的会话和 API 令牌立即失效。", "A disabled user cannot sign in; their sessions and API tokens stop at once.")) }
                (act_form(lang, user, u.id, "disable", out, ("停用账户", "Disable the account")))
            } @else {
                h2 { (lang.t("重新启用", "Enable again")) }
                (act_form(lang, user, u.id, "enable", out, ("重新启用", "Enable the account")))
            }
            h2 { (lang.t("重置密码", "Reset the password")) }
            p { (lang.t(
                "生成一个临时密码；本人的会话和 API 令牌立即失效，用临时密码登录后必须先设置新密码。",
                "Makes a temporary password; the user's sessions and API tokens stop at once, and after signing in with it they must set a new password first.",
            )) }
            (act_form(lang, user, u.id, RESET, out, ("重置密码", "Reset the password")))
        }
        p { a href="/admin/users" { (lang.t("返回用户列表", "Back to the users")) } }
    };
    page(&user.shell(), lang.t("用户", "User"), body)
}

async fn show_user(state: &AppState, user: &SignedIn, id: i64, status: StatusCode, out: &Outcome<'_>) -> Page {
    let shell = user.shell();
    let account = shanzhi_app::directory::account(state, &user.session.actor, id).await.or_page(&shell)?;
    let org = shanzhi_app::directory::organisation(state, account.user.org_id).await.or_page(&shell)?;
    super::answer(status, user_page(user, &account, &org.map(|o| o.name).unwrap_or_default(), out))
}

pub async fn show(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    require_admin(&user, "list_users")?;
    show_user(&state, &user, ids.id, StatusCode::OK, &Outcome::default()).await
}

pub async fn act(
    State(state): State<AppState>,
    super::PagePath((id, act)): super::PagePath<(String, String)>,
    posted: Posted,
) -> Page {
    let Posted { user, form } = posted;
    let Ok(id) = id.parse::<i64>() else { return Err(error_page(&user.shell(), AppError::not_found())) };
    let reason = form.get("reason");
    let done = match act.as_str() {
        "disable" => {
            accounts::disable(&state, &user.session.actor, id, reason).await.map(|_| None).map_err(AppError::from)
        }
        "enable" => {
            accounts::enable(&state, &user.session.actor, id, reason).await.map(|_| None).map_err(AppError::from)
        }
        // Without its confirmation a reset is refused with every problem of the form.
        RESET => match forms::confirmation_problem(&form).map(|mut p| {
            accounts::check_reason(&mut p, reason);
            p.into_result()
        }) {
            Some(Err(problems)) => Err(AppError::from(problems)),
            _ => accounts::reset_password(&state, &user.session.actor, id, reason)
                .await
                .map(|(_, p)| Some(p))
                .map_err(AppError::from),
        },
        _ => Err(AppError::not_found()),
    };
    match done {
        Ok(None) => Ok(see_other(&format!("/admin/users/{id}"))),
        Ok(Some(temporary)) => {
            let out = Outcome { temporary_password: Some(&temporary), ..Outcome::default() };
            show_user(&state, &user, id, StatusCode::OK, &out).await
        }
        Err(e) if fatal(&e) || e.status() == StatusCode::FORBIDDEN => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let out = Outcome { act: &act, errors: Errors::from_error(user.lang, &e), ..Outcome::default() };
            show_user(&state, &user, id, e.status(), &out).await
        }
    }
}
