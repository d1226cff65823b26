//! Approval of another method at or above the open-tender threshold: the purchaser's application from its
//! project, and the list where the finance department of a city with districts or above decides.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_app::directory::Offer;
use shanzhi_domain::org::Organisation;
use shanzhi_domain::procurement::approval::{approvable, Consent};
use shanzhi_domain::procurement::{Method, MethodApproval, SingleSource, SingleSourceCase};
use shanzhi_domain::project::Project;
use shanzhi_domain::ErrorCode;

use super::choosers;
use super::forms::{self, error_summary, options, plain, Errors, Form};
use super::layout::page;
use super::procurements::method_label;
use super::project_view::{form_heading, paras};
use super::projects::is_own;
use super::{error_page, fatal, see_other, Ids, OrPage, Page, Posted, SignedIn};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;
use shanzhi_app::approvals::{self, ApprovalRequest, DecisionRequest};
use shanzhi_app::PageRequest;

fn status(lang: Lang, a: &MethodApproval) -> Markup {
    html! {
        @match &a.decision {
            Some(d) if d.approved => { strong.tag.tag--green { (lang.t("已批准", "Approved")) } " " (d.authority) " " (d.document_no) }
            Some(d) => { strong.tag.tag--red { (lang.t("不予批准", "Refused")) } " " (d.authority) " · " (d.comment) }
            None => { strong.tag.tag--amber { (lang.t("待批准", "Waiting")) } }
        }
    }
}

/// One application as a summary list.
pub fn details(lang: Lang, a: &MethodApproval) -> Markup {
    let row = |label: &str, value: Markup| html! { div.summary-list__row { dt { (label) } dd { (value) } } };
    html! {
        dl.summary-list.method-approval {
            (row(lang.t("项目", "Project"), html! { a href={"/projects/" (a.project_id)} { (a.project_code) " " (a.title) } }))
            (row(lang.t("采购人", "Purchaser"), html! { (a.purchaser_name) }))
            (row(lang.t("预算", "Budget"), html! { (lang.money(a.budget)) }))
            (row(lang.t("申请采用的方式", "Method applied for"), html! { (method_label(lang, a.method)) }))
            @if let Some(s) = &a.single_source {
                (row(lang.t("单一来源", "Single source"), html! { (lang.t(s.case.label_zh(), s.case.label_en())) " · " (s.provider_name) " · " (s.justification) }))
            }
            (row(lang.t("理由", "Reason"), paras(&a.reason)))
            (row(lang.t("主管预算单位同意", "Competent budget unit's agreement"), html! { (a.consent.unit) " " (a.consent.document_no) }))
            (row(lang.t("申请时间", "Applied"), html! { (lang.datetime(a.requested_at)) }))
            (row(lang.t("审批", "Decision"), status(lang, a)))
        }
    }
}

fn list_page(user: &SignedIn, all: &[MethodApproval], next: Option<&str>, decides: bool, errors: &Errors) -> Markup {
    let lang = user.lang;
    let title = lang.t("采购方式审批", "Approvals of other methods");
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (title) }
        p.lead { (lang.t(
            "达到公开招标数额标准的项目采用公开招标以外的方式，须在采购活动开始前，经主管预算单位同意后，报设区的市级以上人民政府财政部门批准（政府采购法第二十七条）。",
            "A purchase at or above the open-tender threshold may use another method only with the approval, before it starts, of the finance department of a city with districts or above, after the competent budget unit agreed (政府采购法 §27).",
        )) }
        @if all.is_empty() { p.muted { (lang.t("暂无申请。", "No applications.")) } }
        @for a in all {
            section.card id={"approval-" (a.id)} {
                h2 { (a.title) }
                (details(lang, a))
                @if decides && a.decision.is_none() {
                    @let (doc, comment) = (format!("document_no_{}", a.id), format!("comment_{}", a.id));
                    form method="post" action={"/method-approvals/" (a.id) "/decision"} novalidate {
                        (forms::csrf(&user.session))
                        (forms::choices(false, &format!("approve_{}", a.id), lang.t("审批意见", "Decision"), None, &options(&[("true", lang.t("批准", "Approve")), ("false", lang.t("不予批准", "Refuse"))]), &[], errors.get(&format!("approve_{}", a.id))))
                        (forms::text_field(&doc, lang.t("批复文号", "Approval's document number"), Some(lang.t("批准时必填，例如 宜市财采〔2026〕8号。", "Required to approve, e.g. 宜市财采〔2026〕8号.")), "", errors.get(&doc)))
                        (forms::textarea(&comment, &comment, lang.t("说明", "Comment"), Some(lang.t("不予批准时必须写明理由。", "Required when refusing.")), "", errors.get(&comment)))
                        (forms::confirm_box(&format!("confirm_{}", a.id), lang.t("我确认这一审批决定；作出后不能更改", "I confirm this decision; it cannot be changed"), errors.get(&format!("confirm_{}", a.id))))
                        div.button-group { (forms::submit(lang.t("作出审批决定", "Decide"))) }
                    }
                }
            }
        }
        @if let Some(href) = next {
            p.no-print { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } }
        }
    };
    page(&user.shell(), title, body)
}

/// A page of the applications the reader may see (`?limit=`, `?cursor=`), newest first.
async fn show_list(state: &AppState, user: &SignedIn, raw: Option<&str>, errors: &Errors, status: StatusCode) -> Page {
    let shell = user.shell();
    let actor = &user.session.actor;
    let q = ListQuery::parse_page(raw, &[]).or_page(&shell)?;
    let listed = approvals::list(state, actor, false, q.page).await.or_page(&shell)?;
    let next = listed.next.map(|cursor| next_page_href("/method-approvals", raw, cursor));
    let decides = approvals::decides(state, actor).await.or_page(&shell)?;
    super::answer(status, list_page(user, &listed.items, next.as_deref(), decides, errors))
}

pub async fn list(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Page {
    show_list(&state, &user, raw.as_deref(), &Errors::default(), StatusCode::OK).await
}

pub async fn decide(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, form } = posted;
    let id = ids.id;
    let approve = match form.get(&format!("approve_{id}")) {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    let result = match (approve, forms::confirmation_problem(&form)) {
        // Always an error: the confirmation's problem.
        (_, Some(missing)) => missing.into_result().map_err(AppError::from),
        (Some(approve), None) => {
            let req = DecisionRequest {
                approve,
                document_no: form.get(&format!("document_no_{id}")).into(),
                comment: form.get(&format!("comment_{id}")).into(),
            };
            approvals::decide(&state, &user.session.actor, id, req).await.map(|_| ()).map_err(AppError::from)
        }
        (None, None) => Err(AppError::from(shanzhi_domain::DomainError::field(
            "approve",
            ErrorCode::Required,
            "请选择一项",
            "choose one",
        ))),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/method-approvals#approval-{id}"))),
        Err(e) if fatal(&e) || e.status() == StatusCode::FORBIDDEN => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let errors = Errors::from_error(user.lang, &e)
                .rename("confirm", &format!("confirm_{id}"))
                .rename("approve", &format!("approve_{id}"))
                .rename("document_no", &format!("document_no_{id}"))
                .rename("comment", &format!("comment_{id}"));
            show_list(&state, &user, None, &errors, e.status()).await
        }
    }
}

fn request_page(
    user: &SignedIn,
    p: &Project,
    mine: &[MethodApproval],
    providers: &[Organisation],
    form: &Form,
    errors: &Errors,
) -> Markup {
    let lang = user.lang;
    let title = lang.t("申请采用公开招标以外的采购方式", "Apply for another method");
    let e = |k: &str| errors.get(k);
    let methods: Vec<(String, String)> = Method::ALL
        .iter()
        .filter(|m| approvable(**m))
        .map(|m| (m.code().to_string(), method_label(lang, *m).to_string()))
        .collect();
    let cases: Vec<(String, String)> = SingleSourceCase::ALL
        .iter()
        .map(|c| (c.code().to_string(), lang.t(c.label_zh(), c.label_en()).to_string()))
        .collect();
    let body = html! {
        (error_summary(lang, errors))
        (form_heading(lang, p, title))
        p.lead { (lang.t(
            "预算达到公开招标数额标准的，采用其他方式须在采购活动开始前，经主管预算单位同意后，报设区的市级以上财政部门批准。批准后再发起采购活动。",
            "At or above the open-tender threshold, another method needs the approval, before the procurement starts, of the finance department of a city with districts or above, after the competent budget unit agreed. Start the procurement once approved.",
        )) }
        @for a in mine { (details(lang, a)) }
        form method="post" action={"/projects/" (p.id) "/method-approval"} novalidate {
            (forms::csrf(&user.session))
            (forms::select("method", lang.t("申请采用的方式", "Method"), None, &plain(methods), form.get("method"), e("method")))
            (forms::textarea("reason", "reason", lang.t("理由", "Reason"), Some(lang.t("例如：服务需求须与供应商磋商确定（竞争性磋商）。", "E.g. the service must be worked out with the suppliers (consultation).")), form.get("reason"), e("reason")))
            fieldset.field {
                legend { (lang.t("主管预算单位的同意", "The competent budget unit's agreement")) }
                (forms::text_field("consent_unit", lang.t("主管预算单位", "Competent budget unit"), None, form.get("consent_unit"), e("consent_unit")))
                (forms::text_field("consent_document_no", lang.t("同意文件的文号", "Number of its written agreement"), None, form.get("consent_document_no"), e("consent_document_no")))
            }
            fieldset.field {
                legend { (lang.t("单一来源采购（仅申请单一来源时填写）", "Single source (only when applying for it)")) }
                (choosers::organisation(lang, "ss_provider", lang.t("供应商", "Provider"), None, lang.t("（不适用）", "(not applicable)"), providers, |o| o.name.clone(), form, errors))
                (forms::select("ss_case", lang.t("适用情形", "Case"), None, &plain(cases), form.get("ss_case"), e("ss_case")))
                (forms::textarea("ss_justification", "ss_justification", lang.t("理由", "Justification"), None, form.get("ss_justification"), e("ss_justification")))
            }
            div.button-group { (forms::submit(lang.t("提交申请", "Apply"))) a href={"/projects/" (p.id)} { (lang.t("返回项目", "Back to the project")) } }
        }
    };
    page(&user.shell(), title, body)
}

/// The project, if the actor's department owns it; otherwise the error page.
async fn own_project(state: &AppState, user: &SignedIn, id: i64) -> Result<Project, axum::response::Response> {
    let p = shanzhi_app::projects::visible_project(state, &user.session.actor, id).await.or_page(&user.shell())?;
    if !is_own(&user.session.actor, &p) {
        return Err(error_page(&user.shell(), AppError::forbidden("request_method_approval")));
    }
    Ok(p)
}

async fn show_request(
    state: &AppState,
    user: &SignedIn,
    p: &Project,
    form: &Form,
    errors: &Errors,
    status: StatusCode,
) -> Page {
    let shell = user.shell();
    let mine = shanzhi_app::approvals::of_project(state, p.id).await.or_page(&shell)?;
    let providers = choosers::offered(state, &user.session.actor, Offer::Providers, form, &["ss_provider"]);
    let providers = providers.await.or_page(&shell)?;
    super::answer(status, request_page(user, p, &mine, &providers, form, errors))
}

pub async fn request_form(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    let p = own_project(&state, &user, ids.id).await?;
    let mut form = Form::default();
    form.set("method", Method::CompetitiveConsultation.code());
    form.set("consent_unit", p.purchaser_name.clone());
    // After a single source's notice, the application is for that single source.
    let last = shanzhi_app::procurements::of_project(&state, p.id).await.or_page(&user.shell())?.pop();
    if let Some(s) = last.filter(|q| q.approval_required).and_then(|q| q.documents.single_source) {
        form.set("method", Method::SingleSource.code());
        form.set("ss_provider", s.provider_org_id.to_string());
        form.set("ss_case", s.case.code());
        form.set("ss_justification", s.justification);
    }
    show_request(&state, &user, &p, &form, &Errors::default(), StatusCode::OK).await
}

pub async fn request(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, mut form } = posted;
    let p = own_project(&state, &user, ids.id).await?;
    if let Err(e) = choosers::take_codes(&state, &mut form, &["ss_provider"]).await {
        let errors = Errors::from_error(user.lang, &e);
        return show_request(&state, &user, &p, &form, &errors, e.status()).await;
    }
    let name = super::org_name(&state, form.get("ss_provider")).await.or_page(&user.shell())?;
    let single_source = form.get("ss_provider").parse::<i64>().ok().map(|org_id| SingleSource {
        case: SingleSourceCase::parse(form.get("ss_case")).unwrap_or(SingleSourceCase::OnlyOneSupplier),
        provider_org_id: org_id,
        provider_name: name,
        justification: form.get("ss_justification").trim().into(),
    });
    let req = ApprovalRequest {
        method: form.get("method").into(),
        reason: form.get("reason").into(),
        consent: Consent { unit: form.get("consent_unit").into(), document_no: form.get("consent_document_no").into() },
        single_source,
    };
    match approvals::request(&state, &user.session.actor, p.id, req).await.map_err(AppError::from) {
        Ok(_) => Ok(see_other(&format!("/projects/{}#procurement", p.id))),
        Err(e) if fatal(&e) => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let errors = Errors::from_error(user.lang, &e)
                .rename("consent.unit", "consent_unit")
                .rename("consent.document_no", "consent_document_no")
                .rename("single_source.justification", "ss_justification")
                .rename("single_source.provider_org_id", "ss_provider")
                .rename("single_source", "ss_provider");
            show_request(&state, &user, &p, &form, &errors, e.status()).await
        }
    }
}

/// Applications waiting for the actor's decision, for the work queue of a city's (or higher) finance reviewer.
pub async fn queue_section(
    state: &AppState,
    lang: Lang,
    actor: &shanzhi_domain::org::Actor,
) -> crate::error::AppResult<Markup> {
    if !approvals::decides(state, actor).await? {
        return Ok(html! {});
    }
    let pending: Vec<MethodApproval> =
        approvals::list(state, actor, true, PageRequest::first(shanzhi_app::MAX_LIMIT)).await?.items;
    Ok(html! {
        @if !pending.is_empty() {
            h2 { (lang.t("待审批的采购方式申请", "Applications for another method to decide")) }
            ul.queue #method-approvals { @for a in &pending { li.queue__item {
                a href={"/method-approvals#approval-" (a.id)} { (a.title) }
                " " strong.tag.tag--amber { (method_label(lang, a.method)) }
                p.queue__meta { (a.project_code) " · " (a.purchaser_name) " · " (lang.money(a.budget)) }
            } } }
        }
    })
}
