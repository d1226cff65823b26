//! Organisations (for everyone acting in a role: the verified ones and their own) and the administrator's users and
//! organisations forms.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use shanzhi_domain::error::Problems;
use shanzhi_domain::org::{OrgKind, Organisation, RegionLevel, Role, User, Verification};

use super::choosers;
use super::forms::{self, error_summary, plain, Errors, Form, Kind};
use super::layout::page;
use super::project_view::Refs;
use super::{error_page, fatal, render, see_other, OrPage, Page, Posted, SignedIn};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;
use shanzhi_app::directory::{self, Offer, OrganisationRequest, UserRequest};

pub(super) fn require_admin(user: &SignedIn, action: &'static str) -> Result<(), Response> {
    if user.session.actor.has(Role::Admin) {
        Ok(())
    } else {
        Err(error_page(&user.shell(), AppError::forbidden(action)))
    }
}

/// The new organisation the form describes.
fn organisation_request(form: &Form) -> OrganisationRequest {
    let opt = |k: &str| Some(form.get(k).trim().to_string()).filter(|v| !v.is_empty());
    OrganisationRequest {
        key: form.get("key").trim().into(),
        name: form.get("name").into(),
        kind: form.get("kind").into(),
        uscc: opt("uscc"),
        resident_id: opt("resident_id"),
        region: opt("region"),
        parent_id: form.get("parent_id").parse().ok(),
        class_one: form.flag("class_one"),
        active: form.flag("active"),
        contact: form.get("contact").into(),
    }
}

/// What the administrator's forms offer: the organisations of the home place (with `keep` and the form's own
/// `org_id` and `parent_id`), and its places down to the townships (with the form's `region_field`).
async fn form_refs(
    state: &AppState,
    user: &SignedIn,
    form: &Form,
    keep: &[i64],
    region_field: &str,
) -> AppResult<Refs> {
    let actor = &user.session.actor;
    let mut keep = keep.to_vec();
    keep.extend(["org_id", "parent_id"].iter().filter_map(|f| form.get(f).parse::<i64>().ok()));
    let home = directory::home_place(state, actor).await?;
    let places: Vec<String> = form.all(region_field).into_iter().filter(|c| !c.is_empty()).map(String::from).collect();
    Ok(Refs {
        orgs: directory::choices(state, actor, Offer::Any, &keep).await?,
        regions: shanzhi_app::reference::places_down_to(state, home.as_deref(), RegionLevel::Township, &places).await?,
        ..Refs::empty(state)
    })
}

fn org_name(orgs: &[Organisation], id: Option<i64>) -> String {
    id.and_then(|id| orgs.iter().find(|o| o.id == id)).map(|o| o.name.clone()).unwrap_or_default()
}

pub async fn organisations(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let q = ListQuery::parse_page(raw.as_deref(), &crate::filters::ORGANISATION_FILTERS).or_page(&shell)?;
    let filter = crate::filters::organisation_filter(&q).or_page(&shell)?;
    let page_of = directory::organisation_page(&state, &user.session.actor, filter, q.page).await.or_page(&shell)?;
    let listed = &page_of.items;
    let next = page_of.next.map(|cursor| next_page_href("/organisations", raw.as_deref(), cursor));
    // Only what the page names: the listed organisations' parents and places.
    let parents: Vec<i64> = listed.iter().filter_map(|o| o.parent_id).collect();
    let places: Vec<String> = listed.iter().filter_map(|o| o.region.clone()).collect();
    let refs = Refs {
        orgs: directory::organisations_named(&state, &parents).await.or_page(&shell)?.into_values().collect(),
        ..Refs::places_named(&state, &places).await.or_page(&shell)?
    };
    let body = html! {
        h1.page-title { (lang.t("单位", "Organisations")) }
        @if user.session.actor.has(Role::Admin) {
            div.button-group { a.btn.btn--secondary href="/admin/organisations" { (lang.t("添加单位", "Add an organisation")) } }
        }
        div.table-wrap { table.table.table--stack {
            thead { tr {
                th scope="col" { (lang.t("名称", "Name")) } th scope="col" { (lang.t("类型", "Kind")) }
                th scope="col" { (lang.t("统一社会信用代码 / 身份证号", "USCC / resident ID")) }
                th scope="col" { (lang.t("所在区划", "Region")) } th scope="col" { (lang.t("上级单位", "Parent")) }
                th scope="col" { (lang.t("状态", "Status")) }
            } }
            tbody { @for o in listed { tr {
                td data-label=(lang.t("名称", "Name")) { (o.name) }
                td data-label=(lang.t("类型", "Kind")) { (lang.t(o.kind.label_zh(), o.kind.label_en())) }
                td data-label=(lang.t("代码", "Code")) {
                    @if let Some(u) = &o.uscc { span.hash { (u) } }
                    // Only the masked number ever reaches a page.
                    @else if let Some(m) = &o.resident_id_masked { span.masked { (m) } }
                }
                td data-label=(lang.t("区划", "Region")) { (o.region.as_deref().map(|r| refs.region(r)).unwrap_or_default()) }
                td data-label=(lang.t("上级单位", "Parent")) { (org_name(&refs.orgs, o.parent_id)) }
                td data-label=(lang.t("状态", "Status")) {
                    @if o.active { strong.tag.tag--green { (lang.t("启用", "Active")) } }
                    @else { strong.tag.tag--grey { (lang.t("停用", "Inactive")) } }
                    @if o.is_eligible_provider() { " " strong.tag.tag--blue { (lang.t("可作承接主体", "Eligible provider")) } }
                    @if o.class_one { " " strong.tag.tag--grey { (lang.t("一类公益事业单位", "Class-one institution")) } }
                    @if o.verification != Verification::Verified {
                        " " strong.tag.tag--amber { (lang.t(o.verification.label_zh(), o.verification.label_en())) }
                    }
                }
            } } }
        } }
        @if let Some(href) = &next {
            p { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } }
        }
    };
    Ok(render(StatusCode::OK, page(&shell, lang.t("单位", "Organisations"), body)))
}

pub(super) fn role_names(lang: Lang, roles: &[Role]) -> String {
    roles.iter().map(|r| lang.t(r.label_zh(), r.label_en())).collect::<Vec<_>>().join(lang.t("、", ", "))
}

fn users_page(user: &SignedIn, refs: &Refs, list: &UserList, form: &Form, errors: &Errors) -> Markup {
    let users = list.users;
    let shell = user.shell();
    let lang = user.lang;
    let e = |k: &str| errors.get(k);
    let roles: Vec<(String, String)> =
        Role::ALL.iter().map(|r| (r.code().to_string(), lang.t(r.label_zh(), r.label_en()).to_string())).collect();
    let mut regions = vec![(String::new(), lang.t("不适用", "Not a supervisor").to_string())];
    regions.extend(refs.regions.iter().map(|r| (r.code.clone(), r.name.clone())));
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (lang.t("用户", "Users")) }
        form.no-print method="get" action="/admin/users" {
            div.field {
                label for="filter-role" { (lang.t("角色", "Role")) }
                select #filter-role name="role" {
                    option value="" { (lang.t("全部", "All")) }
                    @for (code, label) in &roles {
                        option value=(code) selected[list.role.as_deref() == Some(code.as_str())] { (label) }
                    }
                }
            }
            div.field {
                label for="filter-org" { (lang.t("单位", "Organisation")) }
                select #filter-org name="org" {
                    option value="" { (lang.t("全部", "All")) }
                    @for o in &refs.orgs {
                        option value=(o.id) selected[list.org == Some(o.id)] { (o.name) }
                    }
                }
            }
            div.button-group { button.btn.btn--secondary type="submit" { (lang.t("筛选", "Filter")) } }
        }
        @if users.is_empty() { p.notice { (lang.t("没有符合条件的用户。", "No users match.")) } }
        div.table-wrap { table.table.table--stack {
            thead { tr {
                th scope="col" { (lang.t("用户名", "Username")) } th scope="col" { (lang.t("姓名", "Name")) }
                th scope="col" { (lang.t("单位", "Organisation")) } th scope="col" { (lang.t("角色", "Roles")) }
                th scope="col" { (lang.t("状态", "Status")) }
            } }
            tbody { @for u in users { tr {
                td data-label=(lang.t("用户名", "Username")) { a href={"/admin/users/" (u.id)} { (u.username) } }
                td data-label=(lang.t("姓名", "Name")) { (u.display_name) }
                td data-label=(lang.t("单位", "Organisation")) { (org_name(&refs.orgs, Some(u.org_id))) }
                td data-label=(lang.t("角色", "Roles")) { (role_names(lang, &u.roles)) }
                td data-label=(lang.t("状态", "Status")) {
                    @if u.active { strong.tag.tag--green { (lang.t("启用", "Active")) } }
                    @else { strong.tag.tag--grey { (lang.t("停用", "Inactive")) } }
                }
            } } }
        } }
        @if let Some(href) = &list.next { p.no-print { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } } }
        h2 #add-user { (lang.t("添加用户", "Add a user")) }
        form method="post" action="/admin/users" novalidate {
            (forms::csrf(&user.session))
            (forms::input(
                Kind::Username,
                "username",
                lang.t("用户名", "Username"),
                Some(lang.t(
                    "3–40 位小写字母、数字、点、横线或下划线，例如 mzj.wangmin",
                    "3–40 lowercase letters, digits, dots, dashes or underscores, like mzj.wangmin",
                )),
                form.get("username"),
                e("username"),
            ))
            (forms::text_field(
                "display_name",
                lang.t("姓名", "Full name"),
                None,
                form.get("display_name"),
                e("display_name"),
            ))
            (choosers::organisation(
                lang,
                "org_id",
                lang.t("所属单位", "Organisation"),
                None,
                lang.t("请选择单位", "Choose the organisation"),
                &refs.orgs,
                |o| o.name.clone(),
                form,
                errors,
            ))
            (forms::choices(
                true,
                "roles",
                lang.t("角色", "Roles"),
                Some(lang.t("可多选。", "Choose all that apply.")),
                &roles,
                &form.all("roles"),
                e("roles"),
            ))
            (forms::select(
                "supervisor_region",
                lang.t("监督区划", "Region overseen"),
                Some(lang.t("仅监督人员需要选择。", "Only for supervisors.")),
                &plain(regions),
                form.get("supervisor_region"),
                e("supervisor_region"),
            ))
            (forms::input(
                Kind::NewPassword,
                "password",
                lang.t("初始密码", "First password"),
                Some(lang.t(
                    "至少 10 个字符，须同时包含字母和数字或符号。请当面告知本人。",
                    "At least 10 characters mixing letters with digits or symbols. Tell the person in private.",
                )),
                "",
                e("password"),
            ))
            div.button-group { (forms::submit(lang.t("添加用户", "Add the user"))) }
        }
        p { a href="/admin/organisations" { (lang.t("添加单位", "Add an organisation")) } }
    };
    page(&shell, lang.t("用户", "Users"), body)
}

async fn show_users(state: &AppState, user: &SignedIn, form: &Form, errors: &Errors, status: StatusCode) -> Page {
    show_user_page(state, user, None, form, errors, status).await
}

/// The users a page at a time, newest first, filtered by `?role=` and `?org=` as the API is.
async fn show_user_page(
    state: &AppState,
    user: &SignedIn,
    raw: Option<&str>,
    form: &Form,
    errors: &Errors,
    status: StatusCode,
) -> Page {
    let shell = user.shell();
    let q = ListQuery::parse_page(raw, &crate::filters::USER_FILTERS).or_page(&shell)?;
    let filter = crate::filters::user_filter(&q).or_page(&shell)?;
    let listed = directory::user_page(state, &user.session.actor, &filter, q.page).await.or_page(&shell)?;
    let next = listed.next.map(|cursor| next_page_href("/admin/users", raw, cursor));
    let mut keep: Vec<i64> = listed.items.iter().map(|u| u.org_id).collect();
    keep.extend(filter.org_id);
    let refs = form_refs(state, user, form, &keep, "supervisor_region").await.or_page(&shell)?;
    let shown = UserList { users: &listed.items, role: q.text("role"), org: filter.org_id, next };
    super::answer(status, users_page(user, &refs, &shown, form, errors))
}

/// A page of users with the filters that chose them and the link to the next page.
struct UserList<'a> {
    users: &'a [User],
    role: Option<String>,
    org: Option<i64>,
    next: Option<String>,
}

pub async fn users(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Page {
    require_admin(&user, "list_users")?;
    show_user_page(&state, &user, raw.as_deref(), &Form::default(), &Errors::default(), StatusCode::OK).await
}

pub async fn add_user(State(state): State<AppState>, posted: Posted) -> Page {
    let Posted { user, mut form } = posted;
    require_admin(&user, "add_user")?;
    if let Err(e) = choosers::take_codes(&state, &mut form, &["org_id"]).await {
        return show_users(&state, &user, &form, &Errors::from_error(user.lang, &e), e.status()).await;
    }
    let req = UserRequest {
        username: form.get("username").into(),
        display_name: form.get("display_name").into(),
        org_id: form.get("org_id").parse().unwrap_or(0),
        roles: form.all("roles").into_iter().map(Into::into).collect(),
        supervisor_region: Some(form.get("supervisor_region").into()),
        password: form.get("password").into(),
    };
    let added = directory::add_user(&state, &user.session.actor, req).await.map_err(AppError::from);
    match added {
        Ok(_) => Ok(see_other("/admin/users")),
        Err(e) if fatal(&e) => Err(error_page(&user.shell(), e)),
        Err(e) => show_users(&state, &user, &form, &Errors::from_error(user.lang, &e), e.status()).await,
    }
}

fn organisation_page(user: &SignedIn, refs: &Refs, form: &Form, errors: &Errors) -> Markup {
    let shell = user.shell();
    let lang = user.lang;
    let e = |k: &str| errors.get(k);
    let kinds: Vec<(String, String)> =
        OrgKind::ALL.iter().map(|k| (k.code().to_string(), lang.t(k.label_zh(), k.label_en()).to_string())).collect();
    let mut regions = vec![(String::new(), lang.t("无", "None").to_string())];
    regions.extend(refs.regions.iter().map(|r| (r.code.clone(), r.name.clone())));
    let title = lang.t("添加单位", "Add an organisation");
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (title) }
        form method="post" action="/admin/organisations" novalidate {
            (forms::csrf(&user.session))
            (forms::text_field(
                "name",
                lang.t("单位名称", "Name"),
                Some(lang.t("与登记证书上的名称一致。", "As on the registration certificate.")),
                form.get("name"),
                e("name"),
            ))
            (forms::input(
                Kind::Username,
                "key",
                lang.t("简称", "Short key"),
                Some(lang.t(
                    "用于命令行和数据导入，3–40 位小写字母、数字、点或横线，例如 sg-xinyuan",
                    "Used on the command line: 3–40 lowercase letters, digits, dots or dashes, like sg-xinyuan",
                )),
                form.get("key"),
                e("key"),
            ))
            (forms::select("kind", lang.t("单位类型", "Kind"), None, &plain(kinds), form.get("kind"), e("kind")))
            (forms::text_field(
                "uscc",
                lang.t("统一社会信用代码", "Unified social credit code"),
                Some(lang.t("18 位，自然人不填。", "18 characters; leave blank for an individual.")),
                form.get("uscc"),
                e("uscc"),
            ))
            (forms::text_field(
                "resident_id",
                lang.t("身份证号码", "Resident ID number"),
                Some(lang.t(
                    "仅自然人填写。加密保存，页面上只显示部分号码。",
                    "Individuals only. Stored encrypted; pages show only part of it.",
                )),
                "",
                e("resident_id"),
            ))
            (forms::select("region", lang.t("所在区划", "Region"), None, &plain(regions), form.get("region"), e("region")))
            (choosers::organisation(
                lang,
                "parent_id",
                lang.t("上级单位", "Parent organisation"),
                None,
                lang.t("无", "None"),
                &refs.orgs,
                |o| o.name.clone(),
                form,
                errors,
            ))
            (forms::text_field("contact", lang.t("联系方式", "Contact"), None, form.get("contact"), e("contact")))
            (forms::checkbox(
                "class_one",
                lang.t("一类公益事业单位", "Class-one public-welfare institution"),
                Some(lang.t("一类公益事业单位既不能购买也不能承接服务。", "These may neither buy nor provide services.")),
                form.flag("class_one"),
            ))
            (forms::checkbox("active", lang.t("启用", "Active"), None, form.flag("active")))
            div.button-group { (forms::submit(title)) a href="/organisations" { (lang.t("取消", "Cancel")) } }
        }
    };
    page(&shell, title, body)
}

pub async fn organisation_form(State(state): State<AppState>, user: SignedIn) -> Page {
    require_admin(&user, "add_organisation")?;
    let mut form = Form::default();
    form.push("active", "yes");
    form.push("kind", OrgKind::SocialOrganisation.code());
    let refs = form_refs(&state, &user, &form, &[], "region").await.or_page(&user.shell())?;
    Ok(render(StatusCode::OK, organisation_page(&user, &refs, &form, &Errors::default())))
}

pub async fn add_organisation(State(state): State<AppState>, posted: Posted) -> Page {
    let Posted { user, mut form } = posted;
    require_admin(&user, "add_organisation")?;
    let taken = choosers::take_codes(&state, &mut form, &["parent_id"]).await;
    let req = organisation_request(&form);
    let added = match taken {
        Ok(()) => directory::add_organisation(&state, &user.session.actor, req).await.map_err(AppError::from),
        // The parent's code is reported with whatever else the form gets wrong, not one submission at a time.
        Err(AppError::App(shanzhi_app::Error::Domain(code))) => {
            let mut problems = Problems::default();
            problems.absorb(code);
            if let Err(rest) = req.into_new() {
                problems.absorb(rest);
            }
            Err(AppError::from(shanzhi_app::Error::Domain(problems.into_error())))
        }
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => Ok(see_other("/organisations")),
        Err(e) if fatal(&e) => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let refs = form_refs(&state, &user, &form, &[], "region").await.or_page(&user.shell())?;
            Err(render(e.status(), organisation_page(&user, &refs, &form, &Errors::from_error(user.lang, &e))))
        }
    }
}
