//! The provider's own registry entry (`/registry`): its profile, qualifications with their documents, and its
//! staff's training, each kept with a form of its own on one page; and civil affairs' check of a qualification
//! against its document. What others read of the entry is on the provider's public page.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_app::registry::{
    self, ProfileRequest, QualificationRequest, QualificationView, RegistryEntry, TrainingRequest,
};
use shanzhi_domain::error::Problems;
use shanzhi_domain::org::RegionLevel;
use shanzhi_domain::registry::{QualificationKind, SocialWorkerLevel, SocialWorkers, Validity};
use shanzhi_domain::ErrorCode;

use super::forms::{self, error_summary, plain, Errors, Form, Kind};
use super::layout::{page, row};
use super::steps::read_multipart;
use super::{check_csrf, error_page, fatal, render, see_other, OrPage, Page, Posted, SignedIn};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;

/// Which of the page's forms a refusal belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Profile,
    Qualification,
    Training,
}

/// Where a qualification stands, as a tag.
pub(crate) fn validity_tag(lang: Lang, q: &QualificationView) -> Markup {
    let class = match q.validity {
        Validity::Current => "tag tag--green",
        Validity::Expiring => "tag tag--amber",
        Validity::Expired => "tag tag--red",
    };
    html! {
        strong class=(class) { (lang.t(q.validity.label_zh(), q.validity.label_en())) }
        " "
        @if q.verified { span.tag { (lang.t("已核验", "Checked")) } }
        @else { span.tag.tag--grey { (lang.t("待民政部门核验", "Waiting for civil affairs")) } }
    }
}

/// The qualifications as a table; `document` links each one's file for who may read it.
pub(crate) fn qualification_table(lang: Lang, list: &[QualificationView], verify: bool, csrf: Option<&str>) -> Markup {
    html! {
        @if list.is_empty() {
            p.muted { (lang.t("尚未登记资质。", "No qualification yet.")) }
        } @else {
            table.table #qualifications {
                thead { tr {
                    th { (lang.t("资质", "Qualification")) } th { (lang.t("证书编号", "Number")) } th { (lang.t("发证机关", "Issuer")) }
                    th { (lang.t("有效期至", "Expires")) } th { (lang.t("状态", "Status")) }
                } }
                tbody { @for q in list {
                    tr {
                        td { (lang.t(q.kind.label_zh(), q.kind.label_en())) "：" (q.name)
                            @if let Some(f) = q.file_id { br; a.no-print href={"/files/" (f)} { (lang.t("查看证明文件", "See the document")) } } }
                        td { (q.number) }
                        td { (q.issuer) }
                        td { @match q.expires_on { Some(d) => (lang.date(d)), None => (lang.t("长期", "No end")) } }
                        td { (validity_tag(lang, q))
                            @if let (true, false, Some(token)) = (verify, q.verified, csrf) {
                                form.no-print method="post" action={"/qualifications/" (q.id) "/verify"} {
                                    input type="hidden" name="_csrf" value=(token);
                                    button.button.button--secondary type="submit" { (lang.t("已核对证明文件", "Checked against the document")) }
                                }
                            }
                        }
                    }
                } }
            }
        }
    }
}

/// The profile in brief, for the provider's public page and its own.
pub(crate) fn profile_summary(
    lang: Lang,
    e: &RegistryEntry,
    places: &[(String, String)],
    categories: &[(String, String)],
) -> Markup {
    let name_of = |list: &[(String, String)], code: &str| {
        list.iter().find(|(c, _)| c == code).map_or_else(|| code.to_string(), |(_, n)| n.clone())
    };
    html! {
        @match &e.profile {
            None => p.muted #profile-missing { (lang.t("该单位尚未填写承接主体档案。", "The provider has not filled in its registry entry.")) },
            Some(p) => dl.summary-list #profile {
                (row(lang.t("成立日期", "Founded"), html! { (lang.date(p.founded_on)) }))
                (row(lang.t("注册资本", "Registered capital"), html! { (lang.money(p.registered_capital)) }))
                (row(lang.t("从业人员", "Staff"), html! { (p.staff) }))
                (row(lang.t("持证社会工作者", "Certified social workers"), html! {
                    @for level in SocialWorkerLevel::ALL { (lang.t(level.label_zh(), level.label_en())) " " (p.social_workers.at(*level)) "　" }
                }))
                (row(lang.t("服务区域", "Places served"), html! { (p.service_areas.iter().map(|c| name_of(places, c)).collect::<Vec<_>>().join("、")) }))
                (row(lang.t("服务类别", "Categories served"), html! { (p.categories.iter().map(|c| name_of(categories, c)).collect::<Vec<_>>().join("、")) }))
            },
        }
    }
}

/// The training records as a table.
pub(crate) fn training_table(lang: Lang, e: &RegistryEntry) -> Markup {
    html! {
        @if e.trainings.is_empty() {
            p.muted { (lang.t("尚无培训记录。", "No training recorded yet.")) }
        } @else {
            table.table #trainings {
                thead { tr { th { (lang.t("日期", "Date")) } th { (lang.t("课程", "Course")) } th { (lang.t("举办单位", "Held by")) }
                    th.num { (lang.t("学时", "Hours")) } th.num { (lang.t("参训人数", "Participants")) } } }
                tbody { @for t in &e.trainings {
                    tr { td { (lang.date(t.held_on)) } td { (t.course) } td { (t.organiser) } td.num { (lang.quantity(t.hours)) } td.num { (t.participants) } }
                } }
            }
        }
    }
}

/// The places a provider may say it serves — its county and the townships in it — and the catalogue's
/// categories that may be purchased, as (code, name).
async fn choices(
    state: &AppState,
    user: &SignedIn,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), AppError> {
    let home = shanzhi_app::directory::home_place(state, &user.session.actor).await?;
    let mut places = Vec::new();
    if let Some(home) = home {
        let choice = shanzhi_app::reference::place_choice(state, Some(&home)).await?;
        places.extend(choice.path.into_iter().filter(|r| r.code == home).map(|r| (r.code, r.name)));
        places
            .extend(choice.children.into_iter().filter(|r| r.level == RegionLevel::Township).map(|r| (r.code, r.name)));
    }
    let catalogue = shanzhi_app::reference::catalogue(state).await?;
    let categories = registry::servable_categories(&catalogue)
        .into_iter()
        .map(|c| (c.code.clone(), format!("{} {}", c.code, c.name)))
        .collect();
    Ok((places, categories))
}

/// The profile form's values from the entry, when no form came back refused.
fn profile_form(e: &RegistryEntry) -> Form {
    let mut f = Form::default();
    if let Some(p) = &e.profile {
        f.push("founded_on", p.founded_on.to_string());
        f.push("registered_capital", p.registered_capital.to_string());
        f.push("staff", p.staff.to_string());
        for level in SocialWorkerLevel::ALL {
            f.push(format!("sw_{}", level.code()), p.social_workers.at(*level).to_string());
        }
        for c in &p.service_areas {
            f.push("service_areas", c.clone());
        }
        for c in &p.categories {
            f.push("categories", c.clone());
        }
    }
    f
}

async fn own_page(
    state: &AppState,
    user: &SignedIn,
    refused: Option<(Part, &Form, &Errors)>,
    status: StatusCode,
) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let actor = &user.session.actor;
    if !shanzhi_domain::registry::may_keep(actor, actor.org_id) {
        return Err(error_page(&shell, AppError::from(shanzhi_app::Error::forbidden("keep_registry"))));
    }
    let e = registry::entry(state, Some(actor), actor.org_id).await.or_page(&shell)?;
    let (places, categories) = choices(state, user).await.or_page(&shell)?;
    let blank = (Form::default(), Errors::default());
    let stored = profile_form(&e);
    let of = |part: Part| match refused {
        Some((p, f, errs)) if p == part => (f, errs),
        _ if part == Part::Profile => (&stored, &blank.1),
        _ => (&blank.0, &blank.1),
    };
    let csrf = forms::csrf(&user.session);
    let (pf, pe) = of(Part::Profile);
    let (qf, qe) = of(Part::Qualification);
    let (tf, te) = of(Part::Training);
    let kinds: Vec<(String, String)> = QualificationKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), lang.t(k.label_zh(), k.label_en()).to_string()))
        .collect();
    let title = lang.t("本单位档案", "Our registry entry");
    let body = html! {
        span.caption { (actor.org_name) }
        h1.page-title { (title) }
        p.lead { (lang.t(
            "民政部门根据本档案和上传的证明文件核验承接主体；核验通过后方可参加政府购买服务。档案和资质公开，证明文件只有本单位和民政部门可以查看。",
            "Civil affairs verifies providers against this entry and the documents uploaded; only then may a provider bid. The entry and qualifications are public; the documents are read only by you and civil affairs.")) }
        p.no-print { a href={"/providers/" (actor.org_id)} { (lang.t("查看公开页面", "See the public page")) } }

        h2 #profile-heading { (lang.t("基本情况", "Profile")) }
        (profile_summary(lang, &e, &places, &categories))
        (error_summary(lang, pe))
        form.no-print #profile-form method="post" action="/registry/profile" {
            (csrf.clone())
            h3 { (lang.t("填写或修改基本情况", "Fill in or change the profile")) }
            (forms::date_field("founded_on", lang.t("成立日期", "Founded on"), None, pf.get("founded_on"), pe.get("founded_on")))
            (forms::input(Kind::Decimal, "registered_capital", lang.t("注册资本（元）", "Registered capital (yuan)"), None, pf.get("registered_capital"), pe.get("registered_capital")))
            (forms::input(Kind::Integer, "staff", lang.t("从业人员（人）", "Staff"), None, pf.get("staff"), pe.get("staff")))
            // The levels together, which the summary's link to the total's error lands on.
            div #social_workers {
                @for (i, level) in SocialWorkerLevel::ALL.iter().enumerate() {
                    @let id = format!("sw_{}", level.code());
                    // The three levels' total exceeding the staff is said once, under the first.
                    @let total = if i == 0 { pe.get("social_workers") } else { None };
                    (forms::input(Kind::Integer, &id, lang.t(level.label_zh(), level.label_en()), None, pf.get(&id), pe.get(&id).or(total)))
                }
            }
            (forms::choices(true, "service_areas", lang.t("服务区域", "Places served"), Some(lang.t("选择区县即服务其全部乡镇", "Choosing the county covers all its townships")), &places, &pf.all("service_areas"), pe.get("service_areas")))
            (forms::choices(true, "categories", lang.t("服务类别", "Categories served"), None, &categories, &pf.all("categories"), pe.get("categories")))
            (forms::submit(lang.t("保存档案", "Save the profile")))
        }

        h2 #qualifications-heading { (lang.t("资质", "Qualifications")) }
        (qualification_table(lang, &e.qualifications, false, None))
        (error_summary(lang, qe))
        form.no-print #qualification-form method="post" action="/registry/qualifications" enctype="multipart/form-data" {
            (csrf.clone())
            h3 { (lang.t("登记资质", "Add a qualification")) }
            (forms::select("kind", lang.t("资质类型", "Kind"), None, &plain(kinds), qf.get("kind"), qe.get("kind")))
            (forms::text_field("name", lang.t("资质名称", "Name"), None, qf.get("name"), qe.get("name")))
            (forms::text_field("number", lang.t("证书编号", "Certificate number"), None, qf.get("number"), qe.get("number")))
            (forms::text_field("issuer", lang.t("发证机关", "Issued by"), None, qf.get("issuer"), qe.get("issuer")))
            (forms::date_field("issued_on", lang.t("发证日期", "Issued on"), None, qf.get("issued_on"), qe.get("issued_on")))
            (forms::date_field("expires_on", lang.t("有效期至", "Expires on"), Some(lang.t("长期有效的不填", "Leave empty when it has no end")), qf.get("expires_on"), qe.get("expires_on")))
            (forms::input(Kind::File, "file", lang.t("证明文件（PDF 或图片）", "The document (PDF or image)"), None, "", qe.get("file").or(qe.get("file_id"))))
            (forms::submit(lang.t("登记资质", "Add the qualification")))
        }

        h2 #trainings-heading { (lang.t("培训记录", "Training")) }
        (training_table(lang, &e))
        (error_summary(lang, te))
        form.no-print #training-form method="post" action="/registry/trainings" {
            (csrf)
            h3 { (lang.t("登记培训", "Add a course")) }
            (forms::text_field("course", lang.t("课程", "Course"), None, tf.get("course"), te.get("course")))
            (forms::text_field("organiser", lang.t("举办单位", "Held by"), None, tf.get("organiser"), te.get("organiser")))
            (forms::date_field("held_on", lang.t("培训日期", "Held on"), None, tf.get("held_on"), te.get("held_on")))
            (forms::input(Kind::Decimal, "hours", lang.t("每人学时", "Hours per participant"), None, tf.get("hours"), te.get("hours")))
            (forms::input(Kind::Integer, "participants", lang.t("参训人数", "Participants"), None, tf.get("participants"), te.get("participants")))
            (forms::submit(lang.t("登记培训", "Add the course")))
        }
    };
    Ok(render(status, page(&shell, title, body)))
}

pub async fn show(State(state): State<AppState>, user: SignedIn) -> Page {
    own_page(&state, &user, None, StatusCode::OK).await
}

/// A whole number from the form, or a problem named after its field.
fn count(p: &mut Problems, form: &Form, field: &str) -> u32 {
    let raw = form.get(field).trim();
    if raw.is_empty() {
        return 0;
    }
    raw.parse().unwrap_or_else(|_| {
        p.add(field, ErrorCode::InvalidCount, "请填写整数，例如 12", "enter a whole number, like 12");
        0
    })
}

/// After a form: back to the page on success, or the page again with the form's errors.
async fn after(state: &AppState, user: &SignedIn, part: Part, form: &Form, outcome: Result<(), AppError>) -> Page {
    match outcome {
        Ok(()) => Ok(see_other(match part {
            Part::Profile => "/registry#profile-heading",
            Part::Qualification => "/registry#qualifications-heading",
            Part::Training => "/registry#trainings-heading",
        })),
        Err(e) if fatal(&e) || e.status() == StatusCode::FORBIDDEN => Err(error_page(&user.shell(), e)),
        Err(e) => own_page(state, user, Some((part, form, &Errors::from_error(user.lang, &e))), e.status()).await,
    }
}

pub async fn save_profile(State(state): State<AppState>, Posted { user, form }: Posted) -> Page {
    let actor = &user.session.actor;
    let mut p = Problems::default();
    let req = ProfileRequest {
        founded_on: form.get("founded_on").into(),
        registered_capital: form.get("registered_capital").into(),
        staff: count(&mut p, &form, "staff"),
        social_workers: SocialWorkers {
            assistant: count(&mut p, &form, "sw_assistant"),
            intermediate: count(&mut p, &form, "sw_intermediate"),
            senior: count(&mut p, &form, "sw_senior"),
        },
        service_areas: form.all("service_areas").into_iter().map(String::from).collect(),
        categories: form.all("categories").into_iter().map(String::from).collect(),
    };
    let outcome =
        registry::save_profile_after(&state, actor, actor.org_id, req, p).await.map(|_| ()).map_err(AppError::from);
    after(&state, &user, Part::Profile, &form, outcome).await
}

pub async fn add_qualification(State(state): State<AppState>, user: SignedIn, mp: Multipart) -> Page {
    let shell = user.shell();
    let (mut form, upload) = read_multipart(mp).await.or_page(&shell)?;
    check_csrf(&user, &form)?;
    let actor = &user.session.actor;
    if let Some((name, bytes)) = upload {
        match shanzhi_app::files::upload(&state, actor, &name, &bytes).await.map_err(AppError::from) {
            Ok(meta) => form.push("file_id", meta.id.to_string()),
            Err(e) => return after(&state, &user, Part::Qualification, &form, Err(e)).await,
        }
    }
    let req = QualificationRequest {
        kind: form.get("kind").into(),
        name: form.get("name").into(),
        number: form.get("number").into(),
        issuer: form.get("issuer").into(),
        issued_on: form.get("issued_on").into(),
        expires_on: Some(form.get("expires_on").into()),
        file_id: form.get("file_id").parse().unwrap_or(0),
    };
    let outcome =
        registry::add_qualification(&state, actor, actor.org_id, req).await.map(|_| ()).map_err(AppError::from);
    after(&state, &user, Part::Qualification, &form, outcome).await
}

pub async fn add_training(State(state): State<AppState>, Posted { user, form }: Posted) -> Page {
    let actor = &user.session.actor;
    let mut p = Problems::default();
    let req = TrainingRequest {
        course: form.get("course").into(),
        organiser: form.get("organiser").into(),
        held_on: form.get("held_on").into(),
        hours: form.get("hours").into(),
        participants: count(&mut p, &form, "participants"),
    };
    let outcome =
        registry::add_training_after(&state, actor, actor.org_id, req, p).await.map(|_| ()).map_err(AppError::from);
    after(&state, &user, Part::Training, &form, outcome).await
}

/// Civil affairs has checked a qualification against its document: back to the provider's page.
pub async fn verify_qualification(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { user, .. }: Posted,
) -> Page {
    let q = registry::verify_qualification(&state, &user.session.actor, id).await.or_page(&user.shell())?;
    Ok(see_other(&format!("/providers/{}#registry", q.org_id)))
}
