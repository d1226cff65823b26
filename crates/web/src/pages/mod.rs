//! Server-rendered pages for every role: Chinese by default with an English switch, GOV.UK-style forms,
//! no JavaScript. Every change goes through `actions`, which holds the rules; pages only render.

// A handler's error side is itself a rendered page, built once per request: boxing it would buy nothing.
#![allow(clippy::result_large_err)]

mod account;
mod admin;
mod approvals;
mod budgets;
mod choosers;
mod dashboard;
mod design;
mod evaluation;
mod experts;
mod feedback;
mod forms;
mod funding;
mod home;
mod layout;
mod monitoring;
mod notices;
mod places;
mod posts;
mod procurements;
mod project_view;
mod projects;
mod public_project;
mod public_projects;
mod public_provider;
mod public_region;
pub(crate) mod red_flags;
mod registration;
mod registry;
mod sector;
mod steps;
mod supplements;
mod survey;
mod user_admin;
pub(crate) mod words;

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Path, Query, RawForm, Request, State};
use axum::http::header::{REFERER, RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};

use crate::auth::{self, MaybeSession, PageLang, Session};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;
use forms::Form;
use layout::Shell;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::index))
        .route("/sign-in", get(home::sign_in_form).post(home::sign_in))
        .route("/sign-out", post(home::sign_out))
        .route("/lang/{code}", get(set_lang))
        .route("/catalogue", get(home::catalogue))
        .route("/audit", get(home::audit))
        .route("/account", get(account::show))
        .route(account::CHANGE_PASSWORD, get(account::password_form).post(account::change_password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{token_id}/revoke", post(account::revoke_token))
        .route("/organisations", get(admin::organisations))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{id}", get(user_admin::show))
        .route("/admin/users/{id}/{act}", post(user_admin::act))
        .route("/admin/organisations", get(admin::organisation_form).post(admin::add_organisation))
        .route("/projects", get(projects::list))
        .route("/projects/new", get(design::new_form).post(design::create))
        .route("/projects/{id}", get(projects::show))
        .route("/projects/{id}/print", get(projects::print))
        .route("/projects/{id}/design", get(design::edit_form).post(design::edit))
        .route("/projects/{id}/finish-design", post(projects::finish_design))
        .route("/projects/{id}/cost-estimate", get(steps::cost_form).post(steps::set_cost))
        .route("/projects/{id}/funding", get(funding::form).post(funding::save))
        .route("/projects/{id}/submit", post(projects::submit))
        .route("/budgets", get(budgets::list).post(budgets::add))
        .route("/budgets/grant", post(budgets::grant))
        .route("/dashboard", get(dashboard::show))
        .route("/dashboard/warnings", get(dashboard::warnings))
        .route("/dashboard/export.csv", get(dashboard::csv))
        .route("/dashboard/export.xlsx", get(dashboard::xlsx))
        .route("/projects/{id}/review", post(projects::review))
        .route("/projects/{id}/award", get(steps::award_form).post(steps::award))
        .route("/projects/{id}/contract", get(steps::contract_form).post(steps::sign_contract))
        .route("/projects/{id}/milestones/{n}/report", get(steps::report_form).post(steps::file_report))
        .route("/projects/{id}/milestones/{n}/decision", post(projects::decide))
        .route("/projects/{id}/posts/{n}/holder", post(posts::fill))
        .route("/projects/{id}/posts/{n}/vacate", post(posts::vacate))
        .route("/posts", get(posts::list))
        .route("/projects/{id}/supplements", post(supplements::propose))
        .route("/projects/{id}/supplements/new", get(supplements::new_form))
        .route("/projects/{id}/supplements/{n}/review", post(supplements::review))
        .route("/projects/{id}/supplements/{n}/sign", post(supplements::sign))
        .route("/projects/{id}/visits", post(monitoring::record_visit))
        .route("/projects/{id}/survey-codes", post(survey::issue))
        .route("/surveys", get(survey::enter).post(survey::enter))
        .route("/surveys/{code}", get(survey::show).post(survey::answer))
        .route("/projects/{id}/evaluation", post(evaluation::start))
        .route("/projects/{id}/evaluation/part", get(evaluation::part_form).post(evaluation::submit_part))
        .route("/projects/{id}/evaluation/report", get(evaluation::report))
        .route("/evaluator/ties", get(evaluation::ties).post(evaluation::declare_tie))
        .route("/budgets/fiscal-years/close", post(budgets::close_year))
        .route("/projects/{id}/cancel", post(projects::cancel))
        .route("/projects/{id}/terminate", post(projects::terminate))
        .route("/notices", get(notices::list))
        .route("/providers/{id}", get(public_provider::show))
        .route("/providers/{id}/blacklistings", post(public_provider::blacklist))
        .route("/regions/{code}", get(public_region::show))
        .route("/notices/{id}", get(notices::show))
        .route("/feed/{file}", get(crate::feeds::feed))
        .route("/procurements", get(procurements::list))
        .route("/procurements/{id}", get(procurements::show))
        .route("/procurements/{id}/do/{action}", post(procurements::act))
        .route("/procurements/{id}/bid", post(procurements::bid))
        .route("/procurements/{id}/bid/withdraw", post(procurements::withdraw))
        .route("/procurements/{id}/bid-files/{n}", get(procurements::bid_file))
        .route("/projects/{id}/procurement", get(procurements::start_form).post(procurements::start))
        .route("/overdue", get(procurements::overdue))
        .route("/red-flags", get(red_flags::list))
        .route("/projects/{id}/method-approval", get(approvals::request_form).post(approvals::request))
        .route("/method-approvals", get(approvals::list))
        .route("/method-approvals/{id}/decision", post(approvals::decide))
        .route("/projects/{id}/feedback", get(feedback::project_form).post(feedback::submit_project))
        .route("/providers/{id}/feedback", get(feedback::provider_form).post(feedback::submit_provider))
        .route("/feedback", get(feedback::list))
        .route("/feedback/{id}/answer", post(feedback::answer))
        .route("/files/{id}", get(download))
        .route("/register", get(registration::form).post(registration::submit))
        .route("/registrations", get(registration::list))
        .route("/registrations/mine", get(registration::mine))
        .route("/registry", get(registry::show))
        .route("/registry/profile", post(registry::save_profile))
        .route("/registry/qualifications", post(registry::add_qualification))
        .route("/registry/trainings", post(registry::add_training))
        .route("/qualifications/{id}/verify", post(registry::verify_qualification))
        .route("/sector", get(sector::show))
        .route("/registrations/{id}/verify", post(registration::verify))
        .route("/registrations/{id}/reject", post(registration::reject))
        .route("/experts", get(experts::list).post(experts::add))
        .route("/experts/me", get(experts::me).post(experts::save_me))
        .route("/experts/{id}", get(experts::edit_form).post(experts::save))
        .fallback(not_found)
}

/// Handlers answer a page either way: the error side is an already rendered error page or redirect.
type Page = Result<Response, Response>;

/// The pages a session whose password must be changed may still use.
const OPEN_BEFORE_PASSWORD_CHANGE: &[&str] = &[account::CHANGE_PASSWORD, "/sign-in", "/sign-out"];

/// Anyone, signed in or not.
pub struct Viewer {
    pub lang: Lang,
    pub session: Option<Session>,
    pub path: String,
    pub back: Option<String>,
}

impl Viewer {
    pub fn shell(&self) -> Shell<'_> {
        Shell { lang: self.lang, session: self.session.as_ref(), path: &self.path, back: self.back.as_deref() }
    }

    /// The signed-in reader, or the viewer as it was when no one is signed in.
    pub fn signed_in(self) -> Result<SignedIn, Viewer> {
        match self.session {
            Some(session) => Ok(SignedIn { lang: self.lang, session, path: self.path, back: self.back }),
            None => Err(self),
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Ok(PageLang(lang)) = PageLang::from_request_parts(parts, state).await;
        let here = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let referer = parts.headers.get(REFERER).and_then(|v| v.to_str().ok()).and_then(referer_path);
        let back = referer.filter(|r| *r != here).map(str::to_string);
        // A page rendered in answer to a POST stands in for the page the form was on: that is where the
        // language switch and sign-in links should lead back to.
        let path = if parts.method == Method::GET { here.to_string() } else { referer.unwrap_or("/").to_string() };
        match MaybeSession::from_request_parts(parts, state).await {
            // Until a reset password is replaced, changing it (or signing out) is all a session may do.
            Ok(MaybeSession(Some(s)))
                if s.must_change_password && !OPEN_BEFORE_PASSWORD_CHANGE.contains(&parts.uri.path()) =>
            {
                Err(see_other(account::CHANGE_PASSWORD))
            }
            Ok(MaybeSession(session)) => Ok(Viewer { lang, session, path, back }),
            Err(e) => Err(error_page(&Shell { lang, session: None, path: &path, back: back.as_deref() }, e)),
        }
    }
}

/// A signed-in user; without a session the request is sent to sign in and come back.
pub struct SignedIn {
    pub lang: Lang,
    pub session: Session,
    pub path: String,
    pub back: Option<String>,
}

impl SignedIn {
    pub fn shell(&self) -> Shell<'_> {
        Shell { lang: self.lang, session: Some(&self.session), path: &self.path, back: self.back.as_deref() }
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // For a POST whose session ran out, `path` is the page the form was on: go back there.
        Viewer::from_request_parts(parts, state)
            .await?
            .signed_in()
            .map_err(|v| see_other(&format!("/sign-in?next={}", layout::encode(&v.path))))
    }
}

/// A urlencoded POST from a signed-in user whose CSRF token has been checked.
pub struct Posted {
    pub user: SignedIn,
    pub form: Form,
}

impl FromRequest<AppState> for Posted {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = SignedIn::from_request_parts(&mut parts, state).await?;
        let RawForm(bytes) = RawForm::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form = Form::parse(&bytes);
        check_csrf(&user, &form)?;
        Ok(Posted { user, form })
    }
}

/// Refuses a form whose `_csrf` is not this session's, before anything else happens.
pub fn check_csrf(user: &SignedIn, form: &Form) -> Result<(), Response> {
    if auth::csrf_matches(&user.session.csrf, form.get("_csrf")) {
        Ok(())
    } else {
        Err(error_page(&user.shell(), AppError::BadCsrf))
    }
}

/// Project routes' ids; a malformed one is simply "not found", as a missing project is.
pub struct Ids {
    pub id: i64,
    pub n: usize,
}

impl FromRequestParts<AppState> for Ids {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let params =
            Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map(|p| p.0).unwrap_or_default();
        let id = params.get("id").and_then(|s| s.parse().ok());
        let n = params.get("n").map_or(Some(0), |s| s.parse().ok());
        match (id, n) {
            (Some(id), Some(n)) => Ok(Ids { id, n }),
            _ => {
                let v = Viewer::from_request_parts(parts, state).await?;
                Err(error_page(&v.shell(), AppError::not_found()))
            }
        }
    }
}

/// A page route's path parameters. One that cannot be read (not UTF-8, not a number) is the not-found page, as a
/// malformed id is in [`Ids`], rather than the framework's English plain text.
pub struct PagePath<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequestParts<AppState> for PagePath<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(t)) => Ok(PagePath(t)),
            Err(_) => {
                let v = Viewer::from_request_parts(parts, state).await?;
                Err(error_page(&v.shell(), AppError::not_found()))
            }
        }
    }
}

/// The name of the organisation a form's id field names, read by that id ("" when it names none), for the
/// application to check against the record (a single-source provider).
pub async fn org_name(state: &AppState, id: &str) -> Result<String, AppError> {
    let Ok(id) = id.parse::<i64>() else { return Ok(String::new()) };
    Ok(shanzhi_app::directory::organisation(state, id).await?.map(|o| o.name).unwrap_or_default())
}

/// Turns store and action errors into the error page, with `?`.
pub trait OrPage<T> {
    fn or_page(self, shell: &Shell) -> Result<T, Response>;
}

impl<T, E: Into<AppError>> OrPage<T> for Result<T, E> {
    fn or_page(self, shell: &Shell) -> Result<T, Response> {
        self.map_err(|e| error_page(shell, e.into()))
    }
}

/// Pages carry personal data: never cached.
pub fn render(status: StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

/// A page rendered with `status`: a success is the page, anything else the page as an error.
fn answer(status: StatusCode, markup: Markup) -> Page {
    let resp = render(status, markup);
    if status.is_success() {
        Ok(resp)
    } else {
        Err(resp)
    }
}

pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Errors that replace the page rather than annotate a form: not found, and failures of our own.
pub fn fatal(e: &AppError) -> bool {
    e.status() == StatusCode::NOT_FOUND || e.status().is_server_error()
}

/// The one error page: a status-specific title and the error's own message.
pub fn error_page(shell: &Shell, err: AppError) -> Response {
    let lang = shell.lang;
    let status = err.status();
    if let Some(detail) = err.detail() {
        tracing::error!(%detail, code = err.code().as_str(), "page failed");
    }
    let title = match status {
        StatusCode::NOT_FOUND => lang.t("未找到该页面", "Page not found"),
        StatusCode::FORBIDDEN => lang.t("无法进行此操作", "You cannot do this"),
        StatusCode::CONFLICT => lang.t("当前不能进行此操作", "This cannot be done now"),
        StatusCode::UNPROCESSABLE_ENTITY => lang.t("填写有误", "Something needs correcting"),
        StatusCode::TOO_MANY_REQUESTS => lang.t("请稍后再试", "Please try again later"),
        s if s.is_server_error() => lang.t("系统出现问题", "Sorry, there is a problem with the service"),
        _ => lang.t("请求有误", "Bad request"),
    };
    let (zh, en) = (err.message_zh(), err.message_en());
    let body = html! {
        h1.page-title { (title) }
        p.lead { (forms::sentence(lang, lang.t(&zh, &en))) }
        // A refusal sends the person back to the page they acted from, where they can read why and go on.
        @if let Some(back) = shell.back.filter(|_| status.is_client_error()) {
            p { a.btn href=(back) { (lang.t("返回上一页", "Go back to the page you came from")) } }
        }
        // Someone signed in goes on from their work queue; anyone else from what is open to all.
        @if shell.session.is_some() {
            p { a href="/" { (lang.t("返回工作台", "Go to the work queue")) } }
        } @else {
            p {
                a href="/notices" { (lang.t("查看采购公告", "Read the procurement notices")) } " · "
                a href="/sign-in" { (lang.t("登录", "Sign in")) }
            }
        }
    };
    let mut resp = render(status, layout::page(shell, title, body));
    if let Some(secs) = err.retry_after() {
        resp.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

/// The error page for a request whose session is not known (e.g. one cut off by its deadline).
pub fn error_page_in(lang: Lang, err: AppError) -> Response {
    error_page(&Shell { lang, session: None, path: "/", back: None }, err)
}

async fn not_found(v: Viewer) -> Response {
    error_page(&v.shell(), AppError::not_found())
}

/// `back` if it is a path on this site: one leading slash, no scheme or host, nothing a browser might
/// read as one (`//host`, `/\host`), no control characters.
pub fn local_path(back: &str) -> Option<&str> {
    let ok = back.starts_with('/')
        && !back[1..].starts_with(['/', '\\'])
        && !back.chars().any(|c| c.is_control() || c == '\\');
    ok.then_some(back)
}

/// The local path of a referring URL (`http://host/projects/3?x` → `/projects/3?x`).
fn referer_path(url: &str) -> Option<&str> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = &after_scheme[after_scheme.find('/')?..];
    local_path(path)
}

async fn set_lang(PagePath(code): PagePath<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let lang = Lang::from_code(&code);
    let back = q.get("back").and_then(|b| local_path(b)).unwrap_or("/");
    let cookie = format!("{}={}; Path=/; SameSite=Lax; Max-Age=31536000", auth::LANG_COOKIE, lang.code());
    ([(SET_COOKIE, cookie)], Redirect::to(back)).into_response()
}

async fn download(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    crate::api::file_response(&state, &user.session.actor, ids.id).await.or_page(&user.shell())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/projects/3?x=1"), Some("/projects/3?x=1"));
        assert_eq!(local_path("/"), Some("/"));
        for bad in ["", "projects", "//evil.example", "/\\evil.example", "https://evil.example", "/a\r\nSet-Cookie:x"] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn referer_gives_a_local_path() {
        assert_eq!(
            referer_path("http://127.0.0.1:8080/projects/3/cost-estimate?rows=9"),
            Some("/projects/3/cost-estimate?rows=9")
        );
        assert_eq!(referer_path("https://shanzhi.example"), None);
        assert_eq!(referer_path("https://shanzhi.example//evil.example/x"), None);
    }

    #[tokio::test]
    async fn error_page_has_status_and_message() {
        let shell = Shell { lang: Lang::Zh, session: None, path: "/", back: Some("/projects/3") };
        let resp = error_page(&shell, AppError::forbidden("create_project"));
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(html.contains(r#"href="/projects/3""#), "a refusal links back: {html}");
        let resp = error_page(&shell, AppError::from(shanzhi_app::Error::TooManyAttempts(30)));
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()[RETRY_AFTER], "30");
    }
}
