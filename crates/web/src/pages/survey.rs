//! The satisfaction survey's pages: the one-page questionnaire a code opens without an account, the page to type
//! a code, the printable sheet of QR codes a purchaser or provider issues, and the project page's section with the
//! answers counted. A code's pages are never cached: they say whether it has answered.

use axum::extract::{Path, RawForm, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use maud::{html, Markup};
use shanzhi_app::surveys::{self, IssueRequest, Issued, SurveyAnswerRequest, SurveyView};
use shanzhi_domain::project::Project;
use shanzhi_domain::survey::{display_code, Satisfaction, Tally};

use super::dashboard::{bars, permille, Bar};
use super::forms::{self, error_summary, Errors, Form};
use super::layout::{page, row};
use super::projects::{project_page, PanelInput};
use super::{error_page, fatal, render, see_other, Ids, OrPage, Page, Posted, SignedIn, Viewer};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn questionnaire(v: &Viewer, s: &SurveyView, code: &str, form: &Form, errors: &Errors) -> Markup {
    let lang = v.lang;
    let title = lang.t("服务满意度测评", "Satisfaction survey");
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (title) }
        dl.summary-list {
            (row(lang.t("服务项目", "Service"), html! { (s.title) }))
            (row(lang.t("购买主体", "Purchaser"), html! { (s.purchaser) }))
            (row(lang.t("承接主体", "Provider"), html! { (s.provider) }))
            (row(lang.t("测评期", "Period"), html! { (s.period_name) }))
        }
        @if s.answered {
            div.notice #survey-answered { p { (lang.t(
                "这张测评码在本期已经答过了，感谢您的参与。下一期服务时可以再次使用。",
                "This code has answered in this period: thank you. It can answer again in the next period of service.",
            )) } }
        } @else {
            p { (lang.t(
                "本测评不记录您的姓名和联系方式，结果只以汇总形式公开。每张测评码每期可答一次。",
                "The survey records neither your name nor your contacts, and its results are published only in total. Each code answers once a period.",
            )) }
            form method="post" action={"/surveys/" (code)} {
                fieldset #satisfaction {
                    legend { (lang.t("您对这项服务满意吗？", "How satisfied are you with this service?")) }
                    @if let Some(e) = errors.get("satisfaction") { span.error-message { (e) } }
                    @for s in Satisfaction::ALL {
                        div.choice {
                            input type="radio" name="satisfaction" id={"s-" (s.code())} value=(s.code()) checked[form.get("satisfaction") == s.code()];
                            label for={"s-" (s.code())} { (lang.t(s.label_zh(), s.label_en())) }
                        }
                    }
                }
                (forms::checkbox("on_time", lang.t("服务人员按约定的时间提供了服务", "The service came when it was promised"), None, form.flag("on_time")))
                (forms::checkbox("recommend", lang.t("我愿意继续接受这项服务", "I would go on using this service"), None, form.flag("recommend")))
                (forms::submit(lang.t("提交", "Send")))
            }
        }
    };
    page(&v.shell(), title, body)
}

/// The questionnaire a code opens.
pub async fn show(State(state): State<AppState>, v: Viewer, Path(code): Path<String>) -> Page {
    let s = surveys::view(&state, &code).await.map_err(AppError::from).or_page(&v.shell())?;
    Ok(no_store(render(StatusCode::OK, questionnaire(&v, &s, &code, &Form::default(), &Errors::default()))))
}

pub async fn answer(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    RawForm(body): RawForm,
) -> Page {
    let form = Form::parse(&body);
    let req = SurveyAnswerRequest {
        satisfaction: form.get("satisfaction").into(),
        on_time: form.flag("on_time"),
        recommend: form.flag("recommend"),
    };
    match surveys::answer(&state, &code, req).await.map_err(AppError::from) {
        Ok(s) => Ok(no_store(render(StatusCode::OK, questionnaire(&v, &s, &code, &form, &Errors::default())))),
        Err(e) if fatal(&e) => Err(error_page(&v.shell(), e)),
        Err(e) => {
            let s = surveys::view(&state, &code).await.map_err(AppError::from).or_page(&v.shell())?;
            let page = questionnaire(&v, &s, &code, &form, &Errors::from_error(v.lang, &e));
            Ok(no_store(render(e.status(), page)))
        }
    }
}

/// Where a code is typed in by hand (the card's printed code, when the QR code cannot be scanned).
pub async fn enter(v: Viewer, RawForm(body): RawForm) -> Page {
    let form = Form::parse(&body);
    let code = form.get("code").trim().to_string();
    if !code.is_empty() {
        match shanzhi_domain::survey::normalize_code(&code) {
            Ok(c) => return Ok(see_other(&format!("/surveys/{c}"))),
            Err(e) => {
                return Ok(render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    enter_page(&v, &form, &Errors::from_error(v.lang, &AppError::from(shanzhi_app::Error::Domain(e)))),
                ))
            }
        }
    }
    Ok(render(StatusCode::OK, enter_page(&v, &form, &Errors::default())))
}

fn enter_page(v: &Viewer, form: &Form, errors: &Errors) -> Markup {
    let lang = v.lang;
    let title = lang.t("服务满意度测评", "Satisfaction survey");
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (title) }
        form method="post" action="/surveys" {
            (forms::text_field("code", lang.t("测评码", "Survey code"), Some(lang.t("测评卡上的 10 位字母和数字。", "The 10 letters and digits on your card."), ), form.get("code"), errors.get("code")))
            (forms::submit(lang.t("开始测评", "Start")))
        }
    };
    page(&v.shell(), title, body)
}

/// The project page's section: the answers counted, and for its purchaser or provider the form that issues codes.
pub fn section(
    lang: Lang,
    user: &SignedIn,
    p: &Project,
    (tally, issued): (&Tally, i64),
    today: chrono::NaiveDate,
    input: &PanelInput,
) -> Markup {
    let may_issue = surveys::may_issue(&user.session.actor, p, today).is_ok();
    if p.contract.is_none() {
        return html! {};
    }
    let errors = if input.which == "survey_codes" { &input.errors } else { &Errors::default() };
    html! {
        section #survey {
            h2 { (lang.t("服务对象满意度测评", "Service users' satisfaction")) }
            (tally_view(lang, tally))
            p.small.muted { (lang.t("已发放测评码：", "Codes issued: ")) (issued) }
            @if may_issue {
                form.no-print method="post" action={"/projects/" (p.id) "/survey-codes"} {
                    (forms::csrf(&user.session))
                    (forms::input(forms::Kind::Integer, "count", lang.t("生成测评码（张）", "Issue codes (how many)"),
                        Some(lang.t("生成后打印成二维码卡片发给服务对象；测评码只显示这一次。", "Print them as QR-code cards for service users: the codes are shown this once only.")),
                        input.form.get("count"), errors.get("count")))
                    (forms::submit(lang.t("生成并打印", "Issue and print")))
                }
            }
        }
    }
}

/// The answers counted: the rate, and each level as a bar with its count beside it.
pub fn tally_view(lang: Lang, t: &Tally) -> Markup {
    html! {
        @if t.answers == 0 {
            p.muted { (lang.t("尚无答卷。", "No answers yet.")) }
        } @else {
            dl.summary-list #survey-tally {
                (row(lang.t("有效答卷", "Answers"), html! { (t.answers) }))
                (row(lang.t("满意率（非常满意与满意）", "Satisfied (very or satisfied)"), html! {
                    @if let Some(r) = t.satisfied_percent() { strong { (r.display()) "%" } }
                }))
                (row(lang.t("按时提供服务", "Came on time"), html! { (t.on_time) " / " (t.answers) }))
                (row(lang.t("愿意继续接受服务", "Would go on"), html! { (t.recommend) " / " (t.answers) }))
            }
            (bars("survey-chart", lang.t("各满意程度的答卷数", "Answers at each level"), &level_bars(lang, t)))
        }
    }
}

fn level_bars(lang: Lang, t: &Tally) -> Vec<Bar> {
    Satisfaction::ALL
        .iter()
        .zip(t.by_level)
        .map(|(s, n)| Bar {
            label: lang.t(s.label_zh(), s.label_en()).to_string(),
            permille: permille(i64::from(n), i64::from(t.answers)),
            text: n.to_string(),
            fill: "fill-general",
            marker: None,
        })
        .collect()
}

fn sheet(user: &SignedIn, p: &Project, issued: &Issued, base: &str) -> Markup {
    let shell = user.shell();
    let lang = shell.lang;
    let title = lang.t("满意度测评码", "Survey codes");
    let body = html! {
        h1.page-title.no-print { (title) " · " (p.code) " · " (lang.t("第", "batch ")) (issued.batch) (lang.t("批", "")) }
        div.notice.notice--warning.no-print { p { (lang.t(
            "测评码只显示这一次，平台不保存原码。请现在打印或保存本页，再把卡片发给服务对象。",
            "The codes are shown this once: the platform keeps no copy. Print or save this page now, then hand out the cards.",
        )) } }
        ul.survey-cards {
            @for code in &issued.codes {
                @let link = surveys::link(base, code);
                li.survey-card {
                    p.survey-card__title { (p.design.title) }
                    (crate::qr::svg(&link).unwrap_or_default())
                    p { (lang.t("扫码或访问 ", "Scan, or go to ")) (base.trim_end_matches('/')) "/surveys" }
                    p { (lang.t("测评码：", "Code: ")) strong.survey-card__code { (display_code(code)) } }
                }
            }
        }
        p.no-print { a href={"/projects/" (p.id) "#survey"} { (lang.t("返回项目", "Back to the project")) } }
    };
    page(&shell, title, body)
}

/// The purchaser or provider issues a batch of codes: the answer is the printable sheet, never stored or cached.
pub async fn issue(State(state): State<AppState>, ids: Ids, headers: HeaderMap, posted: Posted) -> Page {
    let Posted { user, form } = posted;
    let base = crate::feeds::origin(&state, &headers);
    let shell = user.shell();
    let count = form.get("count").trim().parse().unwrap_or(0);
    let actor = &user.session.actor;
    match surveys::issue(&state, actor, ids.id, IssueRequest { count }).await.map_err(AppError::from) {
        Ok(issued) => {
            let p = shanzhi_app::projects::visible_project(&state, actor, ids.id).await.or_page(&shell)?;
            Ok(no_store(render(StatusCode::OK, sheet(&user, &p, &issued, &base))))
        }
        Err(e) if fatal(&e) => Err(error_page(&shell, e)),
        Err(e) => {
            let p = shanzhi_app::projects::visible_project(&state, actor, ids.id).await.or_page(&shell)?;
            let errors = Errors::from_error(user.lang, &e);
            project_page(&state, &user, &p, &PanelInput { which: "survey_codes", form, errors }, e.status()).await
        }
    }
}
