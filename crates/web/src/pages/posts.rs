//! Social-work posts (岗位购买): who holds each bought post, with what qualification, and which are vacant.
//! The provider that employs the social workers fills and vacates its posts.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_domain::org::Role;
use shanzhi_domain::project::{Certification, Project, Status};

use super::forms::{self, csrf, plain};
use super::layout::page;
use super::{render, see_other, Ids, OrPage, Page, Posted, SignedIn};
use crate::i18n::Lang;
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;
use shanzhi_app::projects::{self, Command, PostHolderRequest, ReasonRequest};

fn certification_choices(lang: Lang) -> Vec<forms::OptGroup> {
    plain(
        Certification::ALL
            .iter()
            .map(|c| (c.code().to_string(), lang.t(c.label_zh(), c.label_en()).to_string()))
            .collect(),
    )
}

/// The posts of a post-purchase contract, with the provider's forms while the contract runs.
pub fn section(lang: Lang, user: &SignedIn, p: &Project) -> Markup {
    let Some(c) = &p.contract else { return html! {} };
    if c.posts.is_empty() {
        return html! {};
    }
    let actor = &user.session.actor;
    let editable = p.status == Status::Acceptance && actor.has(Role::Provider) && actor.org_id == c.provider.org_id;
    let filled = c.posts.iter().filter(|x| x.holder.is_some()).count();
    html! {
        h2 #posts { (lang.t("购买岗位", "Posts bought")) }
        p { (lang.t("在岗 ", "Filled: ")) strong { (filled) } " / " (c.posts.len())
            " · " (lang.t("空缺 ", "vacant: ")) strong { (c.posts.len() - filled) } }
        div.table-wrap { table.table.table--stack {
            thead { tr {
                th scope="col" { (lang.t("设岗单位", "Host unit")) } th scope="col" { (lang.t("岗位", "Post")) }
                th.num scope="col" { (lang.t("年度经费", "Yearly cost")) } th scope="col" { (lang.t("在岗社工", "Held by")) }
                @if editable { th scope="col" { (lang.t("办理", "Action")) } }
            } }
            tbody { @for (i, post) in c.posts.iter().enumerate() { tr {
                td data-label=(lang.t("设岗单位", "Host unit")) { (post.host_name) }
                td data-label=(lang.t("岗位", "Post")) { (post.title) }
                td.num data-label=(lang.t("年度经费", "Yearly cost")) { (lang.money(post.yearly_cost)) }
                td data-label=(lang.t("在岗社工", "Held by")) {
                    @match &post.holder {
                        Some(h) => { (h.name) br; span.small.muted { (lang.t(h.certification.label_zh(), h.certification.label_en())) " · " (lang.t("到岗 ", "since ")) (lang.date(h.since)) } }
                        None => strong.tag.tag--amber { (lang.t("空缺", "Vacant")) },
                    }
                }
                @if editable { td data-label=(lang.t("办理", "Action")) {
                    form.no-print method="post" action={"/projects/" (p.id) "/posts/" (i) "/holder"} novalidate {
                        (csrf(&user.session))
                        (forms::text_field(&format!("name_{i}"), lang.t("社工姓名", "Social worker"), None, "", None))
                        (forms::select(&format!("certification_{i}"), lang.t("职业水平", "Qualification"), None, &certification_choices(lang), "", None))
                        (forms::date_field(&format!("since_{i}"), lang.t("到岗日期", "Since"), None, &c.start.to_string(), None))
                        (forms::submit(lang.t("登记在岗社工", "Record the post holder")))
                    }
                    @if post.holder.is_some() {
                        form.no-print method="post" action={"/projects/" (p.id) "/posts/" (i) "/vacate"} novalidate {
                            (csrf(&user.session))
                            (forms::text_field(&format!("reason_{i}"), lang.t("离岗原因", "Why they left"), None, "", None))
                            button.btn.btn--warning type="submit" { (lang.t("登记离岗", "Record that they left")) }
                        }
                    }
                } }
            } } }
        } }
    }
}

pub async fn fill(State(state): State<AppState>, ids: Ids, Posted { user, form }: Posted) -> Page {
    let n = ids.n;
    let req = PostHolderRequest {
        name: form.get(&format!("name_{n}")).into(),
        certification: form.get(&format!("certification_{n}")).into(),
        since: form.get(&format!("since_{n}")).into(),
    };
    projects::perform(&state, &user.session.actor, ids.id, Command::FillPost(n, req)).await.or_page(&user.shell())?;
    Ok(see_other(&format!("/projects/{}#posts", ids.id)))
}

pub async fn vacate(State(state): State<AppState>, ids: Ids, Posted { user, form }: Posted) -> Page {
    let n = ids.n;
    let req = ReasonRequest { reason: form.get(&format!("reason_{n}")).into() };
    projects::perform(&state, &user.session.actor, ids.id, Command::VacatePost(n, req)).await.or_page(&user.shell())?;
    Ok(see_other(&format!("/projects/{}#posts", ids.id)))
}

/// The posts the user may see, newest contracts first, one page, with the totals of all of them.
pub async fn list(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let q = ListQuery::parse_page(raw.as_deref(), &[]).or_page(&shell)?;
    let listed = projects::post_page(&state, &user.session.actor, q.page).await.or_page(&shell)?;
    let counts = projects::post_counts(&state, &user.session.actor).await.or_page(&shell)?;
    let posts = &listed.items;
    let next = listed.next.map(|cursor| next_page_href("/posts", raw.as_deref(), cursor));
    let body = html! {
        h1.page-title { (lang.t("社会工作岗位", "Social-work posts")) }
        p.lead { (lang.t(
            "岗位购买：承接主体聘用社会工作者，派驻到设岗单位服务，经费按合同支付。",
            "Post purchase: the provider employs the social workers, who serve at the host unit; the contract pays for them.",
        )) }
        div.cards {
            div.card { p.card__title { (lang.t("合同期内岗位", "Posts under running contracts")) } p.card__value { (counts.running) } }
            div.card { p.card__title { (lang.t("在岗", "Filled")) } p.card__value { (counts.filled) } }
            div.card { p.card__title { (lang.t("空缺", "Vacant")) } p.card__value { (counts.running - counts.filled) } }
            div.card { p.card__title { (lang.t("历年购买岗位", "Posts bought, all years")) } p.card__value { (counts.all) } }
        }
        @if let Some(cap) = posts.first().and_then(|x| x.standard_cap) {
            p { (lang.t("岗位年度经费标准：每人每年不超过 ", "Post standard: at most ")) (lang.money(cap)) (lang.t("。", " a year.")) }
        }
        @if posts.is_empty() {
            p.muted { (lang.t("没有可查看的岗位。", "No posts to show.")) }
        } @else {
            div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("项目", "Project")) } th scope="col" { (lang.t("设岗单位", "Host unit")) }
                    th scope="col" { (lang.t("岗位", "Post")) } th scope="col" { (lang.t("承接主体", "Provider")) }
                    th scope="col" { (lang.t("期限", "Term")) } th.num scope="col" { (lang.t("年度经费", "Yearly cost")) }
                    th scope="col" { (lang.t("在岗社工", "Held by")) }
                } }
                tbody { @for x in posts { tr {
                    td data-label=(lang.t("项目", "Project")) { a href={"/projects/" (x.project_id) "#posts"} { (x.project_code) } }
                    td data-label=(lang.t("设岗单位", "Host unit")) { (x.post.host_name) }
                    td data-label=(lang.t("岗位", "Post")) { (x.post.title) }
                    td data-label=(lang.t("承接主体", "Provider")) { (x.provider) }
                    td data-label=(lang.t("期限", "Term")) { (lang.date(x.start)) " – " (lang.date(x.end)) }
                    td.num data-label=(lang.t("年度经费", "Yearly cost")) {
                        (lang.money(x.post.yearly_cost))
                        @if x.above_standard { br; strong.tag.tag--amber { (lang.t("超过岗位经费标准", "Above the post standard")) } }
                    }
                    td data-label=(lang.t("在岗社工", "Held by")) {
                        @match &x.post.holder {
                            Some(h) => { (h.name) " · " span.small.muted { (lang.t(h.certification.label_zh(), h.certification.label_en())) } }
                            None => strong.tag.tag--amber { (lang.t("空缺", "Vacant")) },
                        }
                    }
                } } }
            } }
        }
        @if let Some(href) = &next {
            p.no-print { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } }
        }
    };
    Ok(render(StatusCode::OK, page(&shell, lang.t("社会工作岗位", "Social-work posts"), body)))
}
