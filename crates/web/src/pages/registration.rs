//! Provider self-registration: the public form, the applicant's status page, and civil affairs' list of
//! registrations to verify or reject.

use axum::extract::{RawForm, RawQuery, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_app::Registration;
use shanzhi_domain::org::{OrgKind, RegionLevel, Verification};

use super::forms::{self, error_summary, plain, Errors, Form, Kind};
use super::layout::{page, Shell};
use super::project_view::Refs;
use super::{error_page, fatal, render, Ids, OrPage, Page, Posted, SignedIn, Viewer};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;
use shanzhi_app::pool::{self, RegistrationRequest};

fn verification_tag(lang: Lang, v: Verification) -> Markup {
    let colour = match v {
        Verification::Pending => "tag--amber",
        Verification::Verified => "tag--green",
        Verification::Rejected => "tag--red",
    };
    html! { strong class={"tag " (colour)} { (lang.t(v.label_zh(), v.label_en())) } }
}

fn register_page(shell: &Shell, refs: &Refs, form: &Form, errors: &Errors) -> Markup {
    let lang = shell.lang;
    let e = |k: &str| errors.get(k);
    let kinds: Vec<(String, String)> = OrgKind::ALL
        .iter()
        .filter(|k| k.is_provider_kind())
        .map(|k| (k.code().to_string(), lang.t(k.label_zh(), k.label_en()).to_string()))
        .collect();
    let mut regions = vec![(String::new(), lang.t("请选择", "Choose").to_string())];
    regions.extend(refs.regions.iter().map(|r| (r.code.clone(), r.name.clone())));
    let title = lang.t("注册为承接主体", "Register as a provider");
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (title) }
        p.lead { (lang.t(
            "社会组织、企业、事业单位（一类公益事业单位除外）、农村集体经济组织、基层群众性自治组织和具备条件的个人，可以在这里注册，承接政府购买的服务。",
            "Social organisations, enterprises, public institutions (except class-one ones), rural collectives, self-governing bodies and qualified individuals can register here to provide services the government buys.",
        )) }
        p { (lang.t(
            "注册后由区民政局核验。核验通过前，您可以登录查看核验进度，但不能承接项目。",
            "The district civil affairs bureau then checks your registration. Until it is verified you can sign in to see where it stands, but you cannot take on projects.",
        )) }
        form method="post" action="/register" novalidate {
            h2 { (lang.t("单位信息", "Your organisation")) }
            (forms::text_field("name", lang.t("单位名称或个人姓名", "Name of the organisation or individual"),
                Some(lang.t("与登记证书或身份证上的名称一致。", "As on the registration certificate or ID card.")), form.get("name"), e("name")))
            (forms::select("kind", lang.t("类型", "Kind"), None, &plain(kinds), form.get("kind"), e("kind")))
            (forms::input(Kind::Text, "uscc", lang.t("统一社会信用代码", "Unified social credit code"),
                Some(lang.t("18 位，个人不填。", "18 characters; individuals leave this blank.")), form.get("uscc"), e("uscc")))
            (forms::input(Kind::Text, "resident_id", lang.t("身份证号码", "Resident ID number"),
                Some(lang.t("仅个人填写。加密保存，页面上只显示部分号码。", "Individuals only. Stored encrypted; pages show only part of it.")),
                "", e("resident_id")))
            (forms::select("region", lang.t("所在区划", "Region"), Some(lang.t("选择所在的县（市、区）。", "Choose your county or district.")), &plain(regions), form.get("region"), e("region")))
            (forms::text_field("contact", lang.t("联系人及电话", "Contact person and telephone"), None, form.get("contact"), e("contact")))
            (forms::checkbox("class_one", lang.t("本单位是一类公益事业单位", "We are a class-one public-welfare institution"),
                Some(lang.t("一类公益事业单位不能承接政府购买服务。", "Class-one institutions may not provide purchased services.")),
                form.flag("class_one")))
            @if let Some(msg) = e("class_one") { p.error-message { (msg) } }
            h2 { (lang.t("第一个用户", "Your first user")) }
            (forms::input(Kind::Username, "username", lang.t("用户名", "Username"),
                Some(lang.t("3–40 位小写字母、数字、点、横线或下划线", "3–40 lowercase letters, digits, dots, dashes or underscores")),
                form.get("username"), e("username")))
            (forms::text_field("display_name", lang.t("姓名", "Full name"), None, form.get("display_name"), e("display_name")))
            (forms::input(Kind::NewPassword, "password", lang.t("密码", "Password"),
                Some(lang.t("至少 10 个字符，须同时包含字母和数字或符号。", "At least 10 characters mixing letters with digits or symbols.")),
                "", e("password")))
            div.button-group { (forms::submit(lang.t("提交注册", "Register"))) }
        }
    };
    page(shell, title, body)
}

/// The places the form offers: the province's counties and the places above them (a province's townships and
/// villages would be thousands), with the one the form names kept.
async fn places(state: &AppState, form: &Form) -> AppResult<Refs> {
    let keep: Vec<String> = form.all("region").into_iter().filter(|c| !c.is_empty()).map(String::from).collect();
    let regions = shanzhi_app::reference::places_down_to(state, None, RegionLevel::District, &keep).await?;
    Ok(Refs { regions, ..Refs::empty(state) })
}

pub async fn form(State(state): State<AppState>, v: Viewer) -> Page {
    let mut form = Form::default();
    form.push("kind", OrgKind::SocialOrganisation.code());
    let refs = places(&state, &form).await.or_page(&v.shell())?;
    Ok(render(StatusCode::OK, register_page(&v.shell(), &refs, &form, &Errors::default())))
}

/// Like the sign-in form this one is posted without a session, so there is no session token to check;
/// it can do nothing an anonymous `POST /api/v1/registrations` could not.
pub async fn submit(State(state): State<AppState>, v: Viewer, RawForm(body): RawForm) -> Page {
    let shell = v.shell();
    let lang = v.lang;
    let form = Form::parse(&body);
    let opt = |k: &str| Some(form.get(k).trim().to_string()).filter(|s| !s.is_empty());
    let req = RegistrationRequest {
        name: form.get("name").into(),
        kind: form.get("kind").into(),
        uscc: opt("uscc"),
        resident_id: opt("resident_id"),
        region: opt("region"),
        contact: form.get("contact").into(),
        class_one: form.flag("class_one"),
        username: form.get("username").into(),
        display_name: form.get("display_name").into(),
        password: form.get("password").into(),
    };
    match pool::register(&state, req).await.map_err(AppError::from) {
        Ok(r) => {
            let body = html! {
                div.notice.notice--success role="status" {
                    h1.page-title { (lang.t("注册已提交", "Registration received")) }
                    p { (r.organisation.name) " · " (verification_tag(lang, r.organisation.verification)) }
                }
                p { (lang.t(
                    "区民政局核验后，您的单位即可承接政府购买服务项目。核验期间，您可以用刚才设置的用户名登录，查看核验进度。",
                    "Once the district civil affairs bureau has verified it, your organisation can take on purchased services. Meanwhile you can sign in with the username you chose to see where it stands.",
                )) }
                p { a.btn href="/sign-in?next=%2Fregistrations%2Fmine" { (lang.t("登录查看进度", "Sign in to see its progress")) } }
            };
            Ok(render(StatusCode::CREATED, page(&shell, lang.t("注册已提交", "Registration received"), body)))
        }
        Err(e) if fatal(&e) => Err(error_page(&shell, e)),
        Err(e) => {
            let refs = places(&state, &form).await.or_page(&shell)?;
            Err(render(e.status(), register_page(&shell, &refs, &form, &Errors::from_error(lang, &e))))
        }
    }
}

fn details(lang: Lang, refs: &Refs, r: &Registration) -> Markup {
    let o = &r.organisation;
    html! {
        dl.summary-list {
            div.summary-list__row { dt { (lang.t("类型", "Kind")) } dd { (lang.t(o.kind.label_zh(), o.kind.label_en())) } }
            div.summary-list__row {
                dt { (lang.t("统一社会信用代码 / 身份证号", "USCC / resident ID")) }
                dd {
                    @if let Some(u) = &o.uscc { span.hash { (u) } }
                    @else if let Some(m) = &o.resident_id_masked { span.masked { (m) } }
                }
            }
            div.summary-list__row { dt { (lang.t("所在区划", "Region")) } dd { (o.region.as_deref().map(|c| refs.region(c)).unwrap_or_default()) } }
            div.summary-list__row { dt { (lang.t("联系人", "Contact")) } dd { (o.contact) } }
            div.summary-list__row { dt { (lang.t("用户", "User")) } dd { (r.display_name) " (" (r.username) ")" } }
            div.summary-list__row { dt { (lang.t("状态", "Status")) } dd { (verification_tag(lang, o.verification)) } }
            @if let Some(reason) = &r.rejection_reason {
                div.summary-list__row { dt { (lang.t("驳回理由", "Reason for rejection")) } dd { (reason) } }
            }
            div.summary-list__row { dt { (lang.t("档案和证明文件", "Entry and documents")) }
                dd { a href={"/providers/" (o.id) "#registry"} { (lang.t("核对承接主体档案和资质证明文件", "Check the registry entry and the qualifications' documents")) } } }
        }
    }
}

/// When a registration was decided, in China time as every page gives times.
fn decided_at(lang: Lang, r: &Registration) -> String {
    let at = r.verified_at.as_deref().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    at.map(|t| lang.datetime(t.with_timezone(&chrono::Utc))).unwrap_or_default()
}

/// The registrations in one state, a page of them: `next` links to the next page.
struct Listed<'a> {
    state: Verification,
    items: &'a [Registration],
    next: Option<String>,
}

fn list_page(user: &SignedIn, refs: &Refs, listed: &Listed, errors: &Errors) -> Markup {
    let lang = user.lang;
    let title = lang.t("承接主体注册核验", "Provider registrations");
    let all = listed.items;
    let pending: Vec<_> = all.iter().filter(|r| r.organisation.verification == Verification::Pending).collect();
    let decided: Vec<_> = all.iter().filter(|r| r.organisation.verification != Verification::Pending).collect();
    let tab = |v: Verification, label: &str| {
        let href = if v == Verification::Pending {
            "/registrations".to_string()
        } else {
            format!("/registrations?verification={}", v.code())
        };
        html! {
            @if v == listed.state { strong { (label) } } @else { a href=(href) { (label) } }
        }
    };
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (title) }
        nav.no-print aria-label=(lang.t("按状态查看", "By state")) {
            p {
                (tab(Verification::Pending, lang.t("待核验", "Waiting")))
                " · " (tab(Verification::Verified, lang.t("已核验", "Verified")))
                " · " (tab(Verification::Rejected, lang.t("已驳回", "Rejected")))
            }
        }
        @if listed.state == Verification::Pending {
        h2 { (lang.t("待核验", "Waiting for verification")) }
        @if pending.is_empty() {
            p.notice { (lang.t("没有待核验的注册。", "No registrations are waiting.")) }
        }
        @for r in &pending {
            section.card {
                h3 { (r.organisation.name) }
                (details(lang, refs, r))
                form method="post" action={"/registrations/" (r.organisation.id) "/verify"} {
                    (forms::csrf(&user.session))
                    button.btn type="submit" { (lang.t("核验通过：", "Verify: ")) (r.organisation.name) }
                }
                form method="post" action={"/registrations/" (r.organisation.id) "/reject"} novalidate {
                    (forms::csrf(&user.session))
                    @let id = format!("reason_{}", r.organisation.id);
                    (forms::textarea(&id, "reason", lang.t("驳回理由", "Reason for rejecting"),
                        Some(lang.t("申请单位将看到这段文字。", "The applicant will see this.")), "", errors.get(&id)))
                    @let confirm = format!("confirm_{}", r.organisation.id);
                    (forms::confirm_box(&confirm, lang.t("我确认驳回该注册申请；驳回后不能撤回", "I confirm: reject this registration; this cannot be undone"), errors.get(&confirm)))
                    button.btn.btn--warning type="submit" { (lang.t("驳回：", "Reject: ")) (r.organisation.name) }
                }
            }
        }
        } @else {
        h2 { (lang.t("已处理", "Decided")) }
        @if decided.is_empty() {
            p.muted { (lang.t("暂无。", "None yet.")) }
        } @else {
            div.table-wrap { table.table.table--stack {
                thead { tr {
                    th scope="col" { (lang.t("名称", "Name")) }
                    th scope="col" { (lang.t("状态", "Status")) }
                    th scope="col" { (lang.t("处理时间", "Decided")) }
                    th scope="col" { (lang.t("驳回理由", "Reason")) }
                } }
                tbody { @for r in &decided { tr {
                    td data-label=(lang.t("名称", "Name")) { (r.organisation.name) }
                    td data-label=(lang.t("状态", "Status")) { (verification_tag(lang, r.organisation.verification)) }
                    td data-label=(lang.t("处理时间", "Decided")) { (decided_at(lang, r)) }
                    td data-label=(lang.t("驳回理由", "Reason")) { (r.rejection_reason.as_deref().unwrap_or_default()) }
                } } }
            } }
        }
        }
        @if let Some(href) = &listed.next {
            p { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } }
        }
    };
    page(&user.shell(), title, body)
}

/// A page of the registrations in the state `?verification=` names (pending when none), newest first.
async fn show_list(state: &AppState, user: &SignedIn, raw: Option<&str>, errors: &Errors, status: StatusCode) -> Page {
    let shell = user.shell();
    let q = ListQuery::parse_page(raw, &crate::filters::REGISTRATION_FILTERS).or_page(&shell)?;
    let wanted = crate::filters::registration_state(&q).or_page(&shell)?.unwrap_or(Verification::Pending);
    let page_of = pool::registrations(state, &user.session.actor, Some(wanted), q.page).await.or_page(&shell)?;
    let next = page_of.next.map(|cursor| next_page_href("/registrations", raw, cursor));
    let refs = Refs::places_named(state, &seats(&page_of.items)).await.or_page(&shell)?;
    let listed = Listed { state: wanted, items: &page_of.items, next };
    super::answer(status, list_page(user, &refs, &listed, errors))
}

/// The places the registrations are seated in.
fn seats(all: &[Registration]) -> Vec<String> {
    let mut codes: Vec<String> = all.iter().filter_map(|r| r.organisation.region.clone()).collect();
    codes.sort();
    codes.dedup();
    codes
}

pub async fn list(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Page {
    show_list(&state, &user, raw.as_deref(), &Errors::default(), StatusCode::OK).await
}

async fn decided(state: &AppState, user: &SignedIn, id: i64, result: Result<Registration, AppError>) -> Page {
    match result {
        Ok(_) => Ok(super::see_other("/registrations")),
        Err(e) if fatal(&e) || e.status() == StatusCode::FORBIDDEN => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let errors = Errors::from_error(user.lang, &e)
                .rename("reason", &format!("reason_{id}"))
                .rename("confirm", &format!("confirm_{id}"));
            show_list(state, user, None, &errors, e.status()).await
        }
    }
}

pub async fn verify(State(state): State<AppState>, ids: Ids, Posted { user, .. }: Posted) -> Page {
    let result = pool::decide(&state, &user.session.actor, ids.id, true, "").await.map_err(AppError::from);
    decided(&state, &user, ids.id, result).await
}

pub async fn reject(State(state): State<AppState>, ids: Ids, Posted { user, form }: Posted) -> Page {
    let result = match forms::confirmation_problem(&form) {
        None => {
            pool::decide(&state, &user.session.actor, ids.id, false, form.get("reason")).await.map_err(AppError::from)
        }
        Some(mut problems) => {
            if let Err(e) = pool::rejection_reason(form.get("reason")) {
                problems.absorb(e);
            }
            Err(AppError::from(problems.into_error()))
        }
    };
    decided(&state, &user, ids.id, result).await
}

/// The applicant's own registration and where it stands.
pub async fn mine(State(state): State<AppState>, user: SignedIn) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let r = pool::own_registration(&state, &user.session.actor).await.or_page(&shell)?;
    let refs = Refs::places_named(&state, &seats(std::slice::from_ref(&r))).await.or_page(&shell)?;
    let explain = match r.organisation.verification {
        Verification::Pending => lang.t(
            "区民政局正在核验您的注册。核验通过后，您即可承接政府购买服务项目。",
            "The district civil affairs bureau is checking your registration. Once it is verified you can take on purchased services.",
        ),
        Verification::Verified => lang.t(
            "您的单位已通过核验，可以承接政府购买服务项目。",
            "Your organisation is verified and can take on purchased services.",
        ),
        Verification::Rejected => lang.t(
            "您的注册未通过核验，理由见下。如有疑问，请联系区民政局。",
            "Your registration was rejected for the reason below. Contact the district civil affairs bureau with any questions.",
        ),
    };
    let title = lang.t("我的注册", "My registration");
    let body = html! {
        h1.page-title { (title) }
        p.lead { (r.organisation.name) }
        p { (explain) }
        @if r.organisation.verification == Verification::Pending {
            p { a #fill-registry href="/registry" { (lang.t("填写承接主体档案、上传资质证明文件（核验前必须完成）", "Fill in the registry entry and upload the qualifications' documents (needed before verification)")) } }
        }
        (details(lang, &refs, &r))
    };
    Ok(render(StatusCode::OK, page(&shell, title, body)))
}
