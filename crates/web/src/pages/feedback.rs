//! Public feedback pages: the form anyone fills about a project or a provider, the department's list where it
//! answers, its part of the work queue and the supervisors' overdue list, and the answers on a public page.

use axum::extract::{RawForm, RawQuery, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_app::feedback::{self, AnswerRequest, FeedbackQuery, FeedbackRequest, FeedbackView, Receipt};
use shanzhi_app::PageRequest;
use shanzhi_domain::feedback::{FeedbackStatus, PublishedAnswer, Subject, TEXT_MAX_CHARS};
use shanzhi_domain::org::Actor;

use super::forms::{self, error_summary, Errors, Form};
use super::layout::{page, row};
use super::project_view::paras;
use super::{error_page, fatal, render, see_other, Ids, OrPage, Page, Posted, SignedIn, Viewer};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::paging::{next_page_href, ListQuery};
use crate::throttle::ClientAddr;
use crate::AppState;

/// What a form is about: a public project or a provider, by id, with its name.
struct About {
    subject: Subject,
    id: i64,
    name: String,
}

impl About {
    fn action(&self) -> String {
        match self.subject {
            Subject::Project => format!("/projects/{}/feedback", self.id),
            Subject::Provider => format!("/providers/{}/feedback", self.id),
        }
    }
}

async fn about(state: &AppState, subject: Subject, id: i64) -> AppResult<About> {
    let name = match subject {
        Subject::Project => shanzhi_app::projects::public_project(state, id).await?.0.title,
        Subject::Provider => feedback::provider_name(state, id).await?,
    };
    Ok(About { subject, id, name })
}

fn ratings(lang: Lang) -> Vec<(String, String)> {
    let words = [("很差", "Very poor"), ("较差", "Poor"), ("一般", "Fair"), ("较好", "Good"), ("很好", "Very good")];
    words
        .iter()
        .enumerate()
        .map(|(i, (zh, en))| ((i + 1).to_string(), format!("{} {}", i + 1, lang.t(zh, en))))
        .collect()
}

fn form_page(state: &AppState, v: &Viewer, a: &About, form: &Form, errors: &Errors) -> Markup {
    let lang = v.lang;
    let title = lang.t("提出意见或评价", "Give feedback");
    let e = |k: &str| errors.get(k);
    let what = match a.subject {
        Subject::Project => lang.t("项目", "Project"),
        Subject::Provider => lang.t("承接主体", "Provider"),
    };
    let body = html! {
        (error_summary(lang, errors))
        span.caption { (what) "：" (a.name) }
        h1.page-title { (title) }
        p.lead { (lang.t(
            "您可以对这项服务评分，或反映遇到的问题，无需登录。意见将转交主管部门，部门在规定期限内答复，答复摘要会在项目公开页面上公布；您填写的内容和联系方式不会公开。",
            "Rate this service or report a problem, without signing in. It goes to the competent department, which answers within the set time and publishes a summary of its answer on the public page; what you write and your contact details are never published.",
        )) }
        form method="post" action=(a.action()) novalidate {
            input type="hidden" name="form_token" value=(feedback::form_token(state));
            (forms::choices(false, "rating", lang.t("评分（可选）", "Rating (optional)"), Some(lang.t("1 为很差，5 为很好。", "1 is very poor, 5 very good.")), &ratings(lang), &[form.get("rating")], e("rating")))
            (forms::textarea("problem", "problem", lang.t("遇到的问题（可选）", "The problem (optional)"), Some(&format!("{}{TEXT_MAX_CHARS}{}", lang.t("请描述时间、地点和情况，不超过 ", "Say when, where and what happened; at most "), lang.t(" 字。", " characters."))), form.get("problem"), e("problem")))
            fieldset.field {
                legend { (lang.t("联系方式（可选，仅供主管部门联系您，不会公开）", "Contact (optional: only for the department to reach you, never published)")) }
                (forms::text_field("name", lang.t("姓名", "Name"), None, form.get("name"), e("name")))
                (forms::text_field("phone", lang.t("电话", "Phone"), None, form.get("phone"), e("phone")))
                (forms::text_field("email", lang.t("电子邮箱", "E-mail"), None, form.get("email"), e("email")))
            }
            // A field people never see: a robot that fills every field fills this one too.
            div hidden aria-hidden="true" {
                label for="website" { "Website" }
                input type="text" id="website" name="website" tabindex="-1" autocomplete="off" value="";
            }
            div.button-group { (forms::submit(lang.t("提交意见", "Send feedback"))) }
        }
    };
    page(&v.shell(), title, body)
}

fn thanks_page(v: &Viewer, a: &About, r: &Receipt) -> Markup {
    let lang = v.lang;
    let title = lang.t("意见已提交", "Feedback sent");
    let body = html! {
        div.panel.panel--confirmation #feedback-receipt {
            h1.page-title { (title) }
            p { (lang.t("编号：", "Reference: ")) strong { (r.id) } }
        }
        p { (lang.t("您的意见已转交", "Your feedback went to ")) (r.department_name) (lang.t("，答复期限为", ", which answers by ")) (lang.date(r.due_on)) (lang.t("。", ".")) }
        @if a.subject == Subject::Project {
            p { a href={"/projects/" (a.id)} { (lang.t("返回项目公开页面", "Back to the project's public page")) } }
        }
    };
    page(&v.shell(), title, body)
}

async fn show_form(state: &AppState, v: Viewer, subject: Subject, id: i64) -> Page {
    let a = about(state, subject, id).await.or_page(&v.shell())?;
    Ok(render(StatusCode::OK, form_page(state, &v, &a, &Form::default(), &Errors::default())))
}

pub async fn project_form(State(state): State<AppState>, v: Viewer, ids: Ids) -> Page {
    show_form(&state, v, Subject::Project, ids.id).await
}

pub async fn provider_form(State(state): State<AppState>, v: Viewer, ids: Ids) -> Page {
    show_form(&state, v, Subject::Provider, ids.id).await
}

async fn submit(state: &AppState, v: Viewer, client: ClientAddr, subject: Subject, id: i64, body: &[u8]) -> Page {
    let a = about(state, subject, id).await.or_page(&v.shell())?;
    let form = Form::parse(body);
    let rating = form.get("rating");
    let req = FeedbackRequest {
        project_id: (subject == Subject::Project).then_some(id),
        provider_org_id: (subject == Subject::Provider).then_some(id),
        rating: if rating.is_empty() { None } else { Some(rating.parse().unwrap_or(0)) },
        problem: form.get("problem").into(),
        name: form.get("name").into(),
        phone: form.get("phone").into(),
        email: form.get("email").into(),
        form_token: form.get("form_token").into(),
        website: form.get("website").into(),
    };
    match feedback::submit(state, client.0, req).await.map_err(AppError::from) {
        Ok(r) => Ok(render(StatusCode::OK, thanks_page(&v, &a, &r))),
        Err(e) if fatal(&e) => Err(error_page(&v.shell(), e)),
        Err(e) => {
            let errors = Errors::from_error(v.lang, &e).rename("form_token", "problem");
            super::answer(e.status(), form_page(state, &v, &a, &form, &errors))
        }
    }
}

pub async fn submit_project(
    State(state): State<AppState>,
    v: Viewer,
    client: ClientAddr,
    ids: Ids,
    RawForm(body): RawForm,
) -> Page {
    submit(&state, v, client, Subject::Project, ids.id, &body).await
}

pub async fn submit_provider(
    State(state): State<AppState>,
    v: Viewer,
    client: ClientAddr,
    ids: Ids,
    RawForm(body): RawForm,
) -> Page {
    submit(&state, v, client, Subject::Provider, ids.id, &body).await
}

fn status_tag(lang: Lang, f: &FeedbackView) -> Markup {
    html! {
        @match f.status {
            FeedbackStatus::Answered => strong.tag.tag--green { (lang.t("已答复", "Answered")) },
            FeedbackStatus::Waiting => strong.tag.tag--amber { (lang.t("待答复", "Waiting")) },
        }
        @if f.overdue { " " strong.tag.tag--red { (lang.t("已逾期", "Overdue")) } }
    }
}

fn subject_link(lang: Lang, f: &FeedbackView) -> Markup {
    let fb = &f.feedback;
    html! {
        @match (fb.project_id, fb.provider_org_id) {
            (Some(p), _) => { (lang.t("项目：", "Project: ")) a href={"/projects/" (p)} { (fb.about) } },
            _ => { (lang.t("承接主体：", "Provider: ")) (fb.about) },
        }
    }
}

fn item(user: &SignedIn, f: &FeedbackView, errors: &Errors) -> Markup {
    let lang = user.lang;
    let fb = &f.feedback;
    let summary = format!("summary_{}", fb.id);
    let c = &f.contact;
    html! {
        section.card id={"feedback-" (fb.id)} {
            h2 { (lang.t("意见 ", "Feedback ")) (fb.id) " " (status_tag(lang, f)) }
            dl.summary-list {
                (row(lang.t("针对", "About"), subject_link(lang, f)))
                (row(lang.t("主管部门", "Department"), html! { (fb.department_name) }))
                (row(lang.t("收到", "Received"), html! { (lang.datetime(fb.received_at)) }))
                (row(lang.t("答复期限", "Answer by"), html! { (lang.date(fb.due_on)) @if fb.due_provisional { " " (lang.t("（暂定）", "(provisional)")) } }))
                @if let Some(r) = fb.rating { (row(lang.t("评分", "Rating"), html! { (r) " / 5" })) }
                @if !fb.problem.is_empty() { (row(lang.t("反映的问题（不公开）", "The problem (not published)"), paras(&fb.problem))) }
                @if !c.is_empty() {
                    (row(lang.t("联系方式（已遮蔽）", "Contact (masked)"), html! { (c.name) " " (c.phone) " " (c.email) }))
                }
                @if let Some(a) = &fb.answer {
                    (row(lang.t("公开的答复摘要", "Published answer"), html! { (paras(&a.summary)) p.small.muted { (a.answered_by) " · " (lang.datetime(a.answered_at)) } }))
                }
            }
            @if f.may_answer {
                form method="post" action={"/feedback/" (fb.id) "/answer"} novalidate {
                    (forms::csrf(&user.session))
                    (forms::textarea(&summary, &summary, lang.t("答复摘要（将公开发布）", "Answer summary (published)"), Some(lang.t("用您自己的话概括处理结果，不要引用来信内容或个人信息。", "Sum up what was done in your own words; do not quote the sender or include personal details.")), "", errors.get(&summary)))
                    (forms::checkbox(&format!("upheld_{}", fb.id), lang.t("经核实，反映问题属实", "Found true on checking"),
                        Some(lang.t("属实的意见计入承接主体的信用记录，并随答复摘要公开。", "A complaint found true counts on the provider's credit record and is published with the summary.")), false))
                    div.button-group { (forms::submit(lang.t("答复并公开摘要", "Answer and publish the summary"))) }
                }
            }
        }
    }
}

const LIST_FILTERS: [&str; 4] = ["status", "overdue", "project_id", "mine"];

async fn show_list(state: &AppState, user: &SignedIn, raw: Option<&str>, errors: &Errors, status: StatusCode) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let q = ListQuery::parse_page(raw, &LIST_FILTERS).or_page(&shell)?;
    let query = crate::feedback::query_of(&q).or_page(&shell)?;
    let listed = feedback::list(state, &user.session.actor, &query, q.page).await.or_page(&shell)?;
    let next = listed.next.map(|c| next_page_href("/feedback", raw, c));
    let title = lang.t("公众意见", "Public feedback");
    let tabs = [
        ("/feedback?status=waiting", lang.t("待答复", "Waiting")),
        ("/feedback?overdue=true", lang.t("已逾期", "Overdue")),
        ("/feedback?status=answered", lang.t("已答复", "Answered")),
        ("/feedback", lang.t("全部", "All")),
    ];
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (title) }
        p.lead { (lang.t(
            "公众对服务的评分和反映的问题，由主管部门在期限内答复；答复摘要在项目公开页面发布，来信内容和联系方式不公开。",
            "Ratings and problems the public reported, for the competent department to answer in time; the answer's summary is published on the project's public page, the sender's words and contact never.",
        )) }
        p.no-print { @for (href, label) in tabs { a.btn.btn--secondary href=(href) { (label) } " " } }
        @if listed.items.is_empty() { p.notice { (lang.t("没有符合条件的意见。", "No feedback matches.")) } }
        @for f in &listed.items { (item(user, f, errors)) }
        @if let Some(href) = next {
            p.no-print { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } }
        }
    };
    super::answer(status, page(&shell, title, body))
}

pub async fn list(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Page {
    show_list(&state, &user, raw.as_deref(), &Errors::default(), StatusCode::OK).await
}

pub async fn answer(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, form } = posted;
    let id = ids.id;
    let req = AnswerRequest {
        summary: form.get(&format!("summary_{id}")).into(),
        upheld: form.get(&format!("upheld_{id}")) == "yes",
    };
    match feedback::answer(&state, &user.session.actor, id, req).await.map_err(AppError::from) {
        Ok(_) => Ok(see_other(&format!("/feedback?status=answered#feedback-{id}"))),
        Err(e) if fatal(&e) || e.status() == StatusCode::FORBIDDEN => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let errors = Errors::from_error(user.lang, &e).rename("summary", &format!("summary_{id}"));
            show_list(&state, &user, Some("status=waiting"), &errors, e.status()).await
        }
    }
}

/// The feedback waiting for the actor's department, for the work queue.
pub async fn queue_section(state: &AppState, lang: Lang, actor: &Actor) -> AppResult<Markup> {
    if !feedback::may_read(actor) {
        return Ok(html! {});
    }
    let q = FeedbackQuery { status: Some(FeedbackStatus::Waiting), own_only: true, ..FeedbackQuery::default() };
    let waiting = feedback::list(state, actor, &q, PageRequest::first(10)).await?;
    Ok(html! {
        @if !waiting.items.is_empty() {
            h2 { (lang.t("待答复的公众意见", "Public feedback to answer")) }
            ul.queue #feedback-queue { @for f in &waiting.items { li.queue__item {
                a href={"/feedback?status=waiting#feedback-" (f.feedback.id)} { (f.feedback.about) }
                " " (status_tag(lang, f))
                p.queue__meta { (lang.t("答复期限：", "Answer by: ")) (lang.date(f.feedback.due_on)) }
            } } }
            @if waiting.next.is_some() { p { a href="/feedback?mine=true&status=waiting" { (lang.t("查看全部待答复意见", "See all feedback waiting")) } } }
        }
    })
}

/// Feedback past its last day unanswered in the supervisor's region, for the overdue list.
pub async fn overdue_section(state: &AppState, lang: Lang, actor: &Actor) -> AppResult<Markup> {
    if !feedback::may_see_overdue(actor) {
        return Ok(html! {});
    }
    let q = FeedbackQuery { overdue: true, ..FeedbackQuery::default() };
    let late = feedback::list(state, actor, &q, PageRequest::default()).await?;
    Ok(html! {
        h2 { (lang.t("逾期未答复的公众意见", "Public feedback not answered in time")) }
        @if late.items.is_empty() {
            p.notice { (lang.t("没有逾期未答复的意见。", "No feedback is overdue.")) }
        } @else {
            div.table-wrap { table.table.table--stack #overdue-feedback {
                thead { tr {
                    th scope="col" { (lang.t("意见", "Feedback")) } th scope="col" { (lang.t("主管部门", "Department")) }
                    th scope="col" { (lang.t("期限", "Due")) }
                } }
                tbody { @for f in &late.items { tr {
                    td data-label=(lang.t("意见", "Feedback")) { a href={"/feedback?overdue=true#feedback-" (f.feedback.id)} { (f.feedback.id) } " " (subject_link(lang, f)) }
                    td data-label=(lang.t("主管部门", "Department")) { (f.feedback.department_name) }
                    td data-label=(lang.t("期限", "Due")) { (lang.date(f.feedback.due_on)) }
                } } }
            } }
            @if late.next.is_some() { p { a href="/feedback?overdue=true" { (lang.t("查看全部逾期意见", "See all overdue feedback")) } } }
        }
    })
}

/// The departments' published answers on a public page, and the way to give feedback.
pub fn published_section(lang: Lang, project_id: i64, answers: &[PublishedAnswer]) -> Markup {
    html! {
        h2 { (lang.t("公众意见与答复", "Public feedback and answers")) }
        p { a.btn.btn--secondary href={"/projects/" (project_id) "/feedback"} { (lang.t("对本项目提出意见或评价", "Give feedback on this project")) } }
        (published_answers(lang, answers))
    }
}

/// The departments' published answers, newest first: each summary, who answered and when.
pub fn published_answers(lang: Lang, answers: &[PublishedAnswer]) -> Markup {
    html! {
        @if answers.is_empty() {
            p.muted { (lang.t("暂无已答复的意见。", "No feedback has been answered yet.")) }
        } @else {
            ul.queue #public-feedback-answers { @for a in answers { li.queue__item {
                @if a.upheld { p { strong.tag.tag--red { (lang.t("反映问题属实", "Found true")) } } }
                (paras(&a.summary))
                p.queue__meta { (a.department_name) " · " (lang.t("收到于", "received ")) (lang.date(a.received_on)) " · " (lang.t("答复于", "answered ")) (lang.date(a.answered_on)) }
            } } }
        }
    }
}
