//! The expert pool: finance's list, add and edit pages, and an expert's own page for declaring former
//! employers and ties.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_app::directory::Offer;
use shanzhi_app::ExpertEntry;

use super::choosers;
use super::forms::{self, error_summary, row_name, Errors, Form, Kind};
use super::layout::page;
use super::project_view::Refs;
use super::{error_page, fatal, render, see_other, Ids, OrPage, Page, Posted, SignedIn};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;
use shanzhi_app::pool::{self, AccountRequest, EmployerRequest, ExpertRequest, TiesRequest};

/// Blank employer rows offered beyond those already filled in.
const SPARE_ROWS: usize = 2;

/// What the pool's pages name and offer: the catalogue, and the home place's organisations with those that the
/// form and `entries` name (each read by id: a province's registry is never read whole).
async fn pool_refs(state: &AppState, user: &SignedIn, form: &Form, entries: &[&ExpertEntry]) -> AppResult<Refs> {
    let mut keep: Vec<i64> = ["org_id", "declared_ties"]
        .iter()
        .flat_map(|f| form.all(f))
        .chain((0..form.row_count("employer")).flat_map(|i| form.all(&row_name("employer", "org", i))))
        .filter_map(|v| v.parse().ok())
        .collect();
    for x in entries {
        keep.extend(x.expert.org_id);
        keep.extend(x.expert.former_employers.iter().map(|e| e.org_id));
        keep.extend(x.expert.declared_ties.iter().copied());
    }
    Ok(Refs {
        catalogue: shanzhi_app::reference::catalogue(state).await?,
        orgs: shanzhi_app::directory::choices(state, &user.session.actor, Offer::Any, &keep).await?,
        ..Refs::empty(state)
    })
}

/// The form's select fields that a credit code may fill in: the current organisation and each employer row.
fn code_fields(form: &Form) -> Vec<String> {
    let rows = (0..form.row_count("employer") + SPARE_ROWS).map(|i| row_name("employer", "org", i));
    std::iter::once("org_id".to_string()).chain(rows).collect()
}

/// Fills the selects and the ties from the credit codes typed beside them.
async fn take_codes(state: &AppState, form: &mut Form) -> AppResult<()> {
    let fields = code_fields(form);
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    choosers::take_codes(state, form, &fields).await?;
    choosers::take_code_list(state, form, "declared_ties").await
}

fn org_name(refs: &Refs, id: i64) -> String {
    refs.orgs.iter().find(|o| o.id == id).map_or_else(|| id.to_string(), |o| o.name.clone())
}

/// The form's employer rows and ties as the request wants them; unparsable ids become 0 (no such organisation).
fn ties_of(form: &mut Form) -> (Vec<EmployerRequest>, Vec<i64>) {
    let rows = form.take_rows("employer", &["org", "until"], &["org", "until"]);
    let employers =
        rows.into_iter().map(|r| EmployerRequest { org_id: r[0].parse().unwrap_or(0), until: r[1].clone() }).collect();
    let ties = form.all("declared_ties").iter().map(|t| t.parse().unwrap_or(0)).collect();
    (employers, ties)
}

fn request_of(form: &mut Form) -> ExpertRequest {
    let (former_employers, declared_ties) = ties_of(form);
    let new_account = form.get("account") == "new";
    ExpertRequest {
        user_id: if new_account { None } else { form.get("user_id").parse().ok() },
        new_user: new_account.then(|| AccountRequest {
            username: form.get("username").into(),
            display_name: form.get("display_name").into(),
            password: form.get("password").into(),
        }),
        categories: form.all("categories").into_iter().map(Into::into).collect(),
        org_id: form.get("org_id").parse().ok(),
        former_employers,
        declared_ties,
        active: Some(form.flag("active")),
    }
}

/// Fills a form from an entry, for editing.
fn form_of(e: &ExpertEntry) -> Form {
    let mut f = Form::default();
    for c in &e.expert.categories {
        f.push("categories", c.clone());
    }
    if let Some(o) = e.expert.org_id {
        f.push("org_id", o.to_string());
    }
    for (i, emp) in e.expert.former_employers.iter().enumerate() {
        f.push(row_name("employer", "org", i), emp.org_id.to_string());
        f.push(row_name("employer", "until", i), emp.until.to_string());
    }
    for t in &e.expert.declared_ties {
        f.push("declared_ties", t.to_string());
    }
    if e.active {
        f.push("active", "yes");
    }
    f
}

/// Former employers (rows) and declared ties (checkboxes over the providers).
fn ties_fields(lang: Lang, refs: &Refs, form: &Form, errors: &Errors) -> Markup {
    let rows = form.row_count("employer") + SPARE_ROWS;
    let providers: Vec<(String, String)> =
        refs.orgs.iter().filter(|o| o.kind.is_provider_kind()).map(|o| (o.id.to_string(), o.name.clone())).collect();
    html! {
        h2 #former_employers { (lang.t("曾任职单位", "Former employers")) }
        p.hint { (lang.t(
            "近三年内曾任职的单位投标时，您须回避。请填写离职日期。",
            "You stand aside when an organisation you worked for in the last three years bids. Give the last day you worked there.",
        )) }
        @if let Some(msg) = errors.get("former_employers") { p.error-message { (msg) } }
        @for i in 0..rows {
            div.form-row {
                (choosers::organisation(lang, &row_name("employer", "org", i), lang.t("单位", "Organisation"), None,
                    lang.t("请选择单位", "Choose the organisation"), &refs.orgs, |o| o.name.clone(), form, errors))
                (forms::date_field(&row_name("employer", "until", i), lang.t("离职日期", "Last day"), None,
                    form.get(&row_name("employer", "until", i)), None))
            }
        }
        (forms::choices(true, "declared_ties", lang.t("申报存在利害关系的单位", "Organisations you declare ties to"),
            Some(lang.t("如亲属任职、持股、担任顾问等。", "For example a relative works there, you hold shares, or you advise it.")),
            &providers, &form.all("declared_ties"), errors.get("declared_ties")))
        (forms::text_field(&choosers::code_field("declared_ties"), lang.t("其他单位的统一社会信用代码", "Unified social credit codes of other organisations"),
            Some(lang.t("上面只列出本地的承接主体；其他单位填写其统一社会信用代码，多个以空格或逗号分开。", "Only local providers are listed above; for others give their codes, separated by spaces or commas.")),
            form.get(&choosers::code_field("declared_ties")), errors.get(&choosers::code_field("declared_ties"))))
    }
}

/// The fields finance sets: categories, current organisation, employers and ties.
fn pool_fields(lang: Lang, refs: &Refs, form: &Form, errors: &Errors) -> Markup {
    let categories: Vec<(String, String)> = refs
        .catalogue
        .iter()
        .filter(|c| !c.negative)
        .map(|c| (c.code.clone(), format!("{} {}", c.code, c.name)))
        .collect();
    html! {
        (forms::choices(true, "categories", lang.t("可评审的服务类别", "Categories the expert may evaluate"),
            Some(lang.t("选择上级类别即包含其下全部类别。", "A category covers every category below it.")),
            &categories, &form.all("categories"), errors.get("categories")))
        (choosers::organisation(lang, "org_id", lang.t("现工作单位", "Current organisation"), None,
            lang.t("无（如已退休）", "None (e.g. retired)"), &refs.orgs, |o| o.name.clone(), form, errors))
        (ties_fields(lang, refs, form, errors))
    }
}

fn status_tag(lang: Lang, active: bool) -> Markup {
    html! {
        @if active { strong.tag.tag--green { (lang.t("在库", "In the pool")) } }
        @else { strong.tag.tag--grey { (lang.t("已停用", "Deactivated")) } }
    }
}

fn list_page(
    user: &SignedIn,
    refs: &Refs,
    entries: &[ExpertEntry],
    next: Option<&str>,
    form: &Form,
    errors: &Errors,
) -> Markup {
    let lang = user.lang;
    let e = |k: &str| errors.get(k);
    let title = lang.t("评审专家库", "Expert pool");
    let account_choices = forms::options(&[
        ("existing", lang.t("已有用户", "An existing user")),
        ("new", lang.t("新建账户", "A new account")),
    ]);
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (title) }
        p.lead { (lang.t(
            "评审委员会从在库专家中按服务类别随机抽取，并排除与投标人有利害关系的专家。",
            "Evaluation committees are drawn at random from the experts in the pool by category, leaving out any expert with a tie to a bidder.",
        )) }
        div.table-wrap { table.table.table--stack {
            thead { tr {
                th scope="col" { (lang.t("姓名", "Name")) }
                th scope="col" { (lang.t("类别", "Categories")) }
                th scope="col" { (lang.t("现工作单位", "Organisation")) }
                th scope="col" { (lang.t("曾任职 / 利害关系", "Former employers / ties")) }
                th scope="col" { (lang.t("状态", "Status")) }
                th scope="col" { span.visually-hidden { (lang.t("操作", "Action")) } }
            } }
            tbody { @for x in entries { tr {
                td data-label=(lang.t("姓名", "Name")) { (x.expert.name) br; span.muted { (x.username) } }
                td data-label=(lang.t("类别", "Categories")) {
                    @for c in &x.expert.categories { span.muted { (c) } " " (refs.category(c)) br; }
                }
                td data-label=(lang.t("现工作单位", "Organisation")) { (x.expert.org_id.map(|o| org_name(refs, o)).unwrap_or_default()) }
                td data-label=(lang.t("曾任职 / 利害关系", "Former employers / ties")) {
                    @for emp in &x.expert.former_employers { (org_name(refs, emp.org_id)) " (" (lang.date(emp.until)) ")" br; }
                    @for t in &x.expert.declared_ties { (org_name(refs, *t)) " " strong.tag.tag--purple { (lang.t("申报", "declared")) } br; }
                }
                td data-label=(lang.t("状态", "Status")) { (status_tag(lang, x.active)) }
                td { a href={"/experts/" (x.expert.id)} { (lang.t("修改", "Change")) span.visually-hidden { " " (x.expert.name) } } }
            } } }
        } }
        @if let Some(href) = next {
            p { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } }
        }
        h2 #add-expert { (lang.t("添加专家", "Add an expert")) }
        form method="post" action="/experts" novalidate {
            (forms::csrf(&user.session))
            (forms::choices(false, "account", lang.t("专家账户", "The expert's account"), None, &account_choices,
                &[form.get("account")], e("account")))
            // Named, not chosen from a list: a province has tens of thousands of users.
            (forms::input(Kind::Username, "existing_username", lang.t("已有用户的用户名", "The existing user's username"),
                Some(lang.t("选择“已有用户”时填写，例如 expert.xiang", "When adding an existing user, like expert.xiang")),
                form.get("existing_username"), e("user_id")))
            (forms::input(Kind::Username, "username", lang.t("新账户用户名", "New account's username"),
                Some(lang.t("3–40 位小写字母、数字、点、横线或下划线，例如 expert.wang", "3–40 lowercase letters, digits, dots, dashes or underscores, like expert.wang")),
                form.get("username"), e("username")))
            (forms::text_field("display_name", lang.t("姓名", "Full name"), None, form.get("display_name"), e("display_name")))
            (forms::input(Kind::NewPassword, "password", lang.t("初始密码", "First password"),
                Some(lang.t("至少 10 个字符，须同时包含字母和数字或符号。", "At least 10 characters mixing letters with digits or symbols.")),
                "", e("password")))
            (pool_fields(lang, refs, form, errors))
            div.button-group { (forms::submit(lang.t("添加专家", "Add the expert"))) }
        }
    };
    page(&user.shell(), title, body)
}

/// A page of the pool (`?limit=`, `?cursor=`) with the form to add an expert.
async fn show_list(
    state: &AppState,
    user: &SignedIn,
    raw: Option<&str>,
    form: &Form,
    errors: &Errors,
    status: StatusCode,
) -> Page {
    let shell = user.shell();
    let q = ListQuery::parse_page(raw, &[]).or_page(&shell)?;
    let listed = pool::pool(state, &user.session.actor, q.page).await.or_page(&shell)?;
    let next = listed.next.map(|cursor| next_page_href("/experts", raw, cursor));
    let refs = pool_refs(state, user, form, &listed.items.iter().collect::<Vec<_>>()).await.or_page(&shell)?;
    super::answer(status, list_page(user, &refs, &listed.items, next.as_deref(), form, errors))
}

pub async fn list(State(state): State<AppState>, user: SignedIn, RawQuery(raw): RawQuery) -> Page {
    let mut form = Form::default();
    form.push("account", "new");
    show_list(&state, &user, raw.as_deref(), &form, &Errors::default(), StatusCode::OK).await
}

pub async fn add(State(state): State<AppState>, Posted { user, mut form }: Posted) -> Page {
    if let Err(e) = take_codes(&state, &mut form).await {
        return show_list(&state, &user, None, &form, &Errors::from_error(user.lang, &e), e.status()).await;
    }
    // The existing user by the username given; one that names nobody is refused by the pool as no such user.
    let named = form.get("existing_username").trim().to_string();
    if form.get("account") != "new" && !named.is_empty() {
        let found = shanzhi_app::directory::user_named(&state, &named).await.or_page(&user.shell())?;
        form.set("user_id", found.map_or(0, |u| u.id).to_string());
    }
    let req = request_of(&mut form);
    match pool::add_expert(&state, &user.session.actor, req).await.map_err(crate::error::AppError::from) {
        Ok(_) => Ok(see_other("/experts")),
        Err(e) if fatal(&e) || e.status() == StatusCode::FORBIDDEN => Err(error_page(&user.shell(), e)),
        Err(e) => show_list(&state, &user, None, &form, &Errors::from_error(user.lang, &e), e.status()).await,
    }
}

fn edit_page(user: &SignedIn, refs: &Refs, entry: &ExpertEntry, form: &Form, errors: &Errors) -> Markup {
    let lang = user.lang;
    let title = format!("{}{}", lang.t("修改专家：", "Change expert: "), entry.expert.name);
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (title) }
        form method="post" action={"/experts/" (entry.expert.id)} novalidate {
            (forms::csrf(&user.session))
            (pool_fields(lang, refs, form, errors))
            (forms::checkbox("active", lang.t("在库（可被抽取）", "In the pool (may be drawn)"),
                Some(lang.t("取消勾选即停用该专家，记录保留。", "Untick to deactivate the expert; the record is kept.")), form.flag("active")))
            div.button-group { (forms::submit(lang.t("保存", "Save"))) a href="/experts" { (lang.t("取消", "Cancel")) } }
        }
    };
    page(&user.shell(), &title, body)
}

pub async fn edit_form(State(state): State<AppState>, ids: Ids, user: SignedIn) -> Page {
    let shell = user.shell();
    let entry = pool::entry(&state, &user.session.actor, ids.id).await.or_page(&shell)?;
    let form = form_of(&entry);
    let refs = pool_refs(&state, &user, &form, &[&entry]).await.or_page(&shell)?;
    Ok(render(StatusCode::OK, edit_page(&user, &refs, &entry, &form, &Errors::default())))
}

pub async fn save(State(state): State<AppState>, ids: Ids, Posted { user, mut form }: Posted) -> Page {
    let shell = user.shell();
    let result = match take_codes(&state, &mut form).await {
        Ok(()) => {
            let req = request_of(&mut form);
            pool::update_expert(&state, &user.session.actor, ids.id, req).await.map_err(crate::error::AppError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other("/experts")),
        Err(e) if fatal(&e) || e.status() == StatusCode::FORBIDDEN => Err(error_page(&shell, e)),
        Err(e) => {
            let entry = pool::entry(&state, &user.session.actor, ids.id).await.or_page(&shell)?;
            let refs = pool_refs(&state, &user, &form, &[&entry]).await.or_page(&shell)?;
            Err(render(e.status(), edit_page(&user, &refs, &entry, &form, &Errors::from_error(user.lang, &e))))
        }
    }
}

fn me_page(user: &SignedIn, refs: &Refs, entry: &ExpertEntry, form: &Form, errors: &Errors, saved: bool) -> Markup {
    let lang = user.lang;
    let title = lang.t("我的专家信息", "My expert record");
    let body = html! {
        (error_summary(lang, errors))
        @if saved {
            div.notice.notice--success role="status" { p { (lang.t("已保存。", "Saved.")) } }
        }
        h1.page-title { (title) }
        dl.summary-list {
            div.summary-list__row { dt { (lang.t("姓名", "Name")) } dd { (entry.expert.name) } }
            div.summary-list__row { dt { (lang.t("可评审的服务类别", "Categories")) } dd {
                @for c in &entry.expert.categories { span.muted { (c) } " " (refs.category(c)) br; }
            } }
            div.summary-list__row { dt { (lang.t("现工作单位", "Current organisation")) } dd { (entry.expert.org_id.map(|o| org_name(refs, o)).unwrap_or_default()) } }
            div.summary-list__row { dt { (lang.t("状态", "Status")) } dd { (status_tag(lang, entry.active)) } }
        }
        p.muted { (lang.t("类别和现工作单位由财政部门维护；如有变化请联系财政部门。", "Finance keeps your categories and current organisation; tell them of any change.")) }
        form method="post" action="/experts/me" novalidate {
            (forms::csrf(&user.session))
            (ties_fields(lang, refs, form, errors))
            div.button-group { (forms::submit(lang.t("保存申报", "Save my declaration"))) }
        }
    };
    page(&user.shell(), title, body)
}

pub async fn me(State(state): State<AppState>, user: SignedIn) -> Page {
    let shell = user.shell();
    let entry = pool::own_entry(&state, &user.session.actor).await.or_page(&shell)?;
    let form = form_of(&entry);
    let refs = pool_refs(&state, &user, &form, &[&entry]).await.or_page(&shell)?;
    Ok(render(StatusCode::OK, me_page(&user, &refs, &entry, &form, &Errors::default(), false)))
}

pub async fn save_me(State(state): State<AppState>, Posted { user, mut form }: Posted) -> Page {
    let shell = user.shell();
    let result = match take_codes(&state, &mut form).await {
        Ok(()) => {
            let (former_employers, declared_ties) = ties_of(&mut form);
            pool::update_own(&state, &user.session.actor, TiesRequest { former_employers, declared_ties })
                .await
                .map_err(crate::error::AppError::from)
        }
        Err(e) => Err(e),
    };
    let own = pool::own_entry(&state, &user.session.actor).await.or_page(&shell)?;
    let refs = pool_refs(&state, &user, &form, &[&own]).await.or_page(&shell)?;
    match result {
        Ok(entry) => {
            Ok(render(StatusCode::OK, me_page(&user, &refs, &entry, &form_of(&entry), &Errors::default(), true)))
        }
        Err(e) if fatal(&e) || e.status() == StatusCode::FORBIDDEN => Err(error_page(&shell, e)),
        Err(e) => {
            let entry = pool::own_entry(&state, &user.session.actor).await.or_page(&shell)?;
            let errors = Errors::from_error(user.lang, &e);
            Err(render(e.status(), me_page(&user, &refs, &entry, &form, &errors, false)))
        }
    }
}
