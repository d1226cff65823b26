//! A provider's public page (`/providers/{id}`, no sign-in): who it is, its contracted amounts by year (a chart and
//! a table beside it), and the public projects it was awarded, each with what was paid, newest first, a page at a
//! time. Nothing personal: no contact, no resident ID number.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use maud::html;
use shanzhi_app::provider_record::provider_record;

use super::dashboard::{bar_chart, Row, Series};
use super::forms::{self, error_summary, Errors, Form};
use super::layout::{breadcrumbs, page, row};
use super::{error_page, fatal, render, see_other, OrPage, Page, Posted, Viewer};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;
use maud::Markup;
use shanzhi_app::credit::{BlacklistRequest, CreditRecord};

pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Page {
    let shell = v.shell();
    let lang = v.lang;
    let id: i64 = id.parse().map_err(|_| shanzhi_app::Error::not_found()).or_page(&shell)?;
    let q = ListQuery::parse_page(raw.as_deref(), &[]).or_page(&shell)?;
    let r = provider_record(&state, id, q.page).await.or_page(&shell)?;
    let credit = shanzhi_app::credit::record(&state, id).await.or_page(&shell)?;
    let finance = v.session.as_ref().is_some_and(|s| s.actor.is_finance_reviewer());
    let reader = v.session.as_ref().map(|s| &s.actor);
    let entry = shanzhi_app::registry::entry(&state, reader, id).await.or_page(&shell)?;
    let (places, categories) = registry_names(&state, &entry).await.or_page(&shell)?;
    let checker = v.session.as_ref().filter(|s| shanzhi_domain::registry::may_verify(&s.actor));
    let region = match &r.region {
        Some(code) => {
            shanzhi_app::reference::regions_named(&state, std::slice::from_ref(code)).await.or_page(&shell)?.pop()
        }
        None => None,
    };
    let path = format!("/providers/{id}");
    let next = r.projects.next.map(|cursor| next_page_href(&path, raw.as_deref(), cursor));
    let rows: Vec<Row> =
        r.years.iter().map(|y| Row { label: y.year.to_string(), values: vec![y.contracted] }).collect();
    let series = [Series { name: lang.t("合同金额", "Contracted"), fill: "fill-general" }];
    let body = html! {
        div.no-print { (breadcrumbs(lang, &[("/notices", lang.t("采购公告", "Procurement notices")), ("", &r.name)])) }
        span.caption { (lang.t("承接主体", "Provider")) }
        h1.page-title { (r.name) }
        p.lead { (lang.t("本页为公开信息，无需登录即可查阅。", "Public information: no sign-in needed.")) }
        dl.summary-list #provider-summary {
            (row(lang.t("类型", "Kind"), html! { (lang.t(r.kind.label_zh(), r.kind.label_en())) }))
            @if let Some(code) = &r.uscc { (row(lang.t("统一社会信用代码", "Unified social credit code"), html! { (code) })) }
            @if let Some(place) = &region { (row(lang.t("所在地", "Based in"), html! { (place.name) })) }
            (row(lang.t("公开项目", "Public projects"), html! { (r.years.iter().map(|y| y.projects).sum::<i64>()) }))
        }
        h2 #registry { (lang.t("承接主体档案", "Registry entry")) }
        (super::registry::profile_summary(lang, &entry, &places, &categories))
        h3 { (lang.t("资质", "Qualifications")) }
        (super::registry::qualification_table(lang, &entry.qualifications, checker.is_some(), checker.map(|s| s.csrf.as_str())))
        h3 { (lang.t("培训记录", "Training")) }
        (super::registry::training_table(lang, &entry))
        (credit_section(lang, &credit))
        @if finance { (blacklist_form(lang, &v, id, &Form::default(), &Errors::default())) }
        p.no-print { a #provider-feedback href={"/providers/" (id) "/feedback"} { (lang.t("对该承接主体的服务提意见", "Give feedback on this provider's services")) } }
        h2 { (lang.t("历年合同金额", "Contracted by year")) }
        (bar_chart(lang, "provider-years", lang.t("按项目年度", "By the project's year"), &series, &rows))
        table.table #provider-years-table {
            thead { tr { th { (lang.t("年度", "Year")) } th.num { (lang.t("项目数", "Projects")) } th.num { (lang.t("合同金额", "Contracted")) } } }
            tbody { @for y in &r.years { tr { td { (y.year) } td.num { (y.projects) } td.num { (lang.money(y.contracted)) } } } }
        }
        h2 { (lang.t("承接的项目", "Projects awarded")) }
        @if r.projects.items.is_empty() {
            p.muted { (lang.t("尚无公开的项目。", "No public project yet.")) }
        } @else {
            table.table #provider-projects {
                thead { tr {
                    th { (lang.t("项目", "Project")) } th { (lang.t("采购人", "Purchaser")) }
                    th.num { (lang.t("合同金额", "Contracted")) } th.num { (lang.t("已支付", "Paid")) } th { (lang.t("环节", "Step")) }
                } }
                tbody {
                    @for p in &r.projects.items {
                        tr {
                            td { a href={"/projects/" (p.id)} { (p.title) } }
                            td { (p.purchaser) }
                            td.num { @if let Some(c) = &p.contract { (lang.money(c.amount)) } }
                            td.num { @if let Some(c) = &p.contract { (lang.money(c.paid)) } }
                            td { (lang.t(p.status.label_zh(), p.status.label_en())) }
                        }
                    }
                }
            }
            @if let Some(href) = &next { p.no-print { a #next-page href=(href) { (lang.t("下一页", "Next page")) } } }
        }
        h2 { (lang.t("公众意见与答复", "Public feedback and answers")) }
        (super::feedback::published_answers(lang, &r.answers))
    };
    Ok(render(StatusCode::OK, page(&shell, &r.name, body)))
}

/// The names of the places and categories a registry entry lists, as (code, name).
async fn registry_names(
    state: &AppState,
    e: &shanzhi_app::registry::RegistryEntry,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), AppError> {
    let Some(p) = &e.profile else { return Ok((vec![], vec![])) };
    let places = shanzhi_app::reference::regions_named(state, &p.service_areas).await?;
    let catalogue = shanzhi_app::reference::catalogue(state).await?;
    Ok((
        places.into_iter().map(|r| (r.code, r.name)).collect(),
        catalogue.into_iter().filter(|c| p.categories.contains(&c.code)).map(|c| (c.code, c.name)).collect(),
    ))
}

/// The provider's credit record: whether it is barred now, finance's decisions, its evaluations' grades and its
/// contracts — a qualification, not a score.
fn credit_section(lang: Lang, c: &CreditRecord) -> Markup {
    html! {
        h2 #credit { (lang.t("信用记录", "Credit record")) }
        @if let Some(until) = c.barred_until {
            div.notice.notice--warning #barred { p { strong { (lang.t("已列入不良行为记录名单：", "Barred from government purchasing: ")) }
                (lang.t("禁止参加政府采购活动至 ", "until ")) (lang.date(until)) (lang.t("（政府采购法第七十七条）。", " (政府采购法 §77).")) } }
        }
        dl.summary-list #credit-summary {
            (row(lang.t("已完成合同", "Contracts completed"), html! { (c.projects.completed) }))
            (row(lang.t("提前终止的合同", "Contracts ended early"), html! { (c.projects.terminated) }))
            (row(lang.t("逾期提交的服务报告", "Service reports filed late"), html! { (c.projects.reports_late) }))
            (row(lang.t("验收未通过的服务报告", "Service reports rejected at acceptance"), html! { (c.projects.reports_rejected) }))
            (row(lang.t("经核实属实的投诉", "Complaints found true"), html! { (c.projects.complaints_upheld) }))
            (row(lang.t("绩效评价等级", "Evaluation grades"), html! {
                @if c.projects.grades.is_empty() { span.muted { (lang.t("尚无", "None yet")) } }
                @for g in shanzhi_domain::evaluation::Grade::ALL {
                    @if let Some(n) = c.projects.grades.get(g.code()) { (lang.t(g.label_zh(), g.label_en())) " " (n) " " }
                }
            }))
        }
        @if !c.blacklistings.is_empty() {
            ul #blacklistings { @for b in &c.blacklistings {
                li { strong { (lang.date(b.from)) " – " (lang.date(b.until)) } " · " (b.decided_by_org_name) "：" (b.reason) }
            } }
        }
    }
}

fn blacklist_form(lang: Lang, v: &Viewer, id: i64, form: &Form, errors: &Errors) -> Markup {
    let Some(session) = v.session.as_ref() else { return html! {} };
    html! {
        (error_summary(lang, errors))
        form.no-print #blacklist-form method="post" action={"/providers/" (id) "/blacklistings"} {
            h3 { (lang.t("列入不良行为记录名单（财政部门）", "Bar from government purchasing (finance)")) }
            (forms::csrf(session))
            (forms::select("years", lang.t("禁止期限", "For"), None,
                &forms::plain(forms::options(&[("1", lang.t("一年", "1 year")), ("2", lang.t("二年", "2 years")), ("3", lang.t("三年", "3 years"))])),
                form.get("years"), errors.get("years")))
            (forms::textarea("reason", "reason", lang.t("处理决定的事实和依据（公开）", "Facts and grounds of the decision (public)"), None, form.get("reason"), errors.get("reason")))
            (forms::submit(lang.t("作出处理决定", "Decide")))
        }
    }
}

/// Finance bars the provider; a refused form comes back on the provider's page with its errors.
pub async fn blacklist(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, posted: Posted) -> Page {
    let Posted { user, form } = posted;
    let shell = user.shell();
    let req =
        BlacklistRequest { years: form.get("years").trim().parse().unwrap_or(0), reason: form.get("reason").into() };
    match shanzhi_app::credit::blacklist(&state, &user.session.actor, id, req).await.map_err(AppError::from) {
        Ok(_) => Ok(see_other(&format!("/providers/{id}#credit"))),
        Err(e) if fatal(&e) || e.status() == StatusCode::FORBIDDEN => Err(error_page(&shell, e)),
        Err(e) => {
            let errors = Errors::from_error(user.lang, &e);
            Ok(render(
                e.status(),
                page(&shell, lang_title(user.lang), blacklist_form(user.lang, &v, id, &form, &errors)),
            ))
        }
    }
}

fn lang_title(lang: Lang) -> &'static str {
    lang.t("列入不良行为记录名单", "Bar from government purchasing")
}
