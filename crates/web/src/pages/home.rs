//! The front door: landing page or work queue, signing in and out, and the public catalogue and audit pages.

use axum::extract::{RawForm, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use shanzhi_app::PageRequest;
use shanzhi_app::SessionKind;
use shanzhi_domain::catalogue::Category;
use shanzhi_domain::org::Role;
use shanzhi_domain::project::{END_STATES, STEPS};

use super::forms::{self, error_summary, Errors, Form, Kind};
use super::layout::{page, Shell};
use super::words::{duty_label, status_tag, step_label};
use super::{error_page, local_path, render, see_other, OrPage, Page, Viewer};
use crate::auth::{self, PreSession, SESSION_COOKIE};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::throttle::ClientAddr;
use crate::AppState;
use shanzhi_app::projects;

async fn audit_head(state: &AppState) -> Result<(i64, String), AppError> {
    Ok(shanzhi_app::audit::head(state).await?)
}

pub async fn index(State(state): State<AppState>, v: Viewer) -> Page {
    let shell = v.shell();
    match &v.session {
        None => {
            let head = audit_head(&state).await.or_page(&shell)?;
            let year = chrono::Datelike::year(&shanzhi_domain::clock::china_date(state.clock.now()));
            let figures = shanzhi_app::red_flags::public_figures(&state, year).await.or_page(&shell)?;
            let figures = super::red_flags::public_figures(v.lang, year, &figures);
            Ok(render(StatusCode::OK, landing(&shell, head, figures)))
        }
        Some(s) => {
            let lang = v.lang;
            let proc_duties = super::procurements::queue_section(&state, lang, &s.actor).await.or_page(&shell)?;
            let approvals = super::approvals::queue_section(&state, lang, &s.actor).await.or_page(&shell)?;
            let feedback = super::feedback::queue_section(&state, lang, &s.actor).await.or_page(&shell)?;
            let queue = projects::queue_page(&state, &s.actor, PageRequest::default()).await.or_page(&shell)?;
            let counts = projects::project_counts(&state, &s.actor).await.or_page(&shell)?;
            let lapsing = shanzhi_app::registry::own_flags(&state, &s.actor).await.or_page(&shell)?;
            // Civil affairs follows its place's providers' qualifications that lapse.
            let flagged = if shanzhi_domain::registry::may_verify(&s.actor) {
                shanzhi_app::registry::flagged(&state, &s.actor, PageRequest::first(1))
                    .await
                    .or_page(&shell)?
                    .items
                    .len()
            } else {
                0
            };
            let count = |step: &str| counts.get(step).copied().unwrap_or(0) as usize;
            let body = html! {
                span.caption { (s.actor.display_name) " · " (s.actor.org_name) }
                h1.page-title { (lang.t("工作台", "Work queue")) }
                @if s.actor.roles.is_empty() {
                    div.notice.notice--warning {
                        p { (lang.t("您的单位尚未通过民政部门核验，核验通过后才能承接项目。", "Civil affairs has not verified your organisation; until it does, it cannot take on projects.")) }
                        p { a href="/registrations/mine" { (lang.t("查看注册进度", "See where your registration stands")) } }
                    }
                }
                @if !lapsing.is_empty() {
                    div.notice.notice--warning #lapsing-qualifications {
                        p { strong { (lang.t("资质即将到期或已过期：", "Qualifications expiring or expired: ")) }
                            @for q in &lapsing { (q.name) "（" (lang.t(q.validity.label_zh(), q.validity.label_en()))
                                @if let Some(d) = q.expires_on { "，" (lang.date(d)) } "）" " " } }
                        p { a href="/registry#qualifications-heading" { (lang.t("登记换发的资质", "Add the renewed qualification")) } }
                    }
                }
                @if flagged > 0 {
                    div.notice #flagged-qualifications-notice {
                        p { (lang.t("本地有承接主体的资质即将到期或已过期。", "Some providers' qualifications here are expiring or have expired."))
                            " " a href="/sector#flagged" { (lang.t("查看并督促更新", "See them and ask for renewal")) } }
                    }
                }
                h2 { (lang.t("等待您处理", "Waiting for you")) }
                @if queue.items.is_empty() && queue.next.is_none() {
                    p.notice { (lang.t("目前没有等待您处理的事项。", "Nothing is waiting for you.")) " " (why_nothing(lang, &s.actor)) }
                } @else {
                    ul.queue {
                        @for q in &queue.items {
                            li.queue__item {
                                a href={"/projects/" (q.project_id)} { (q.title) }
                                strong.tag.tag--amber { (duty_label(lang, q.duty)) }
                                p.queue__meta { (q.code) " · " (q.purchaser_name) " · " (status_tag(lang, q.status)) }
                            }
                        }
                    }
                    @if queue.next.is_some() {
                        p.muted { (lang.t("这里只列出最新的待办；其余的可在项目列表中按进度查看。", "Only the newest items are listed here; find the rest in the project list by step.")) " " a href="/projects" { (lang.t("项目列表", "Project list")) } }
                    }
                }
                (proc_duties)
                (approvals)
                (feedback)
                @if s.actor.has(Role::Purchaser) {
                    div.button-group { a.btn href="/projects/new" { (lang.t("新建项目", "Start a new project")) } }
                }
                @if s.actor.has(Role::Evaluator) {
                    div.button-group { a href="/evaluator/ties" { (lang.t("申报与承接主体的利害关系", "Declare ties to providers")) } }
                }
                h2 { (lang.t("我可查看的项目", "Projects you can see")) }
                div.cards {
                    @for step in STEPS { (card(lang, step, count(step))) }
                    @for s in END_STATES {
                        @if count(s.code()) > 0 { (card(lang, s.code(), count(s.code()))) }
                    }
                }
                p { a href="/projects" { (lang.t("查看全部项目", "See all projects")) } }
            };
            Ok(render(StatusCode::OK, page(&shell, lang.t("工作台", "Work queue"), body)))
        }
    }
}

/// What comes to this person's queue, and from where, when nothing is waiting: each role's own sentence.
fn why_nothing(lang: Lang, actor: &shanzhi_domain::org::Actor) -> Markup {
    let (zh, en, link) = if actor.has(Role::Purchaser) {
        ("新建的项目、退回修改的项目、待确定承接主体、待签合同和待验收的服务报告会出现在这里。", "Projects to design or revise, providers to choose, contracts to sign and service reports to decide come here.", None)
    } else if actor.has(Role::Reviewer) {
        (
            "提交审核的项目和补充合同会出现在这里。",
            "Projects and supplementary contracts submitted for review come here.",
            None,
        )
    } else if actor.has(Role::Provider) {
        ("中标或成交后，合同的服务报告和绩效自评会出现在这里；可先查看正在进行的采购公告。", "Once you win a contract its service reports and self-evaluation come here; meanwhile, see the open procurement notices.", Some(("/notices", "采购公告", "Procurement notices")))
    } else if actor.has(Role::Evaluator) {
        ("购买主体委托贵机构开展第三方绩效评价后，评价任务会出现在这里。请先申报与承接主体的利害关系。", "When a purchaser commissions your organisation to evaluate a project, the task comes here. Declare your ties to providers first.", Some(("/evaluator/ties", "申报利害关系", "Declare ties")))
    } else if actor.has(Role::Expert) {
        (
            "被抽取为评审委员会成员后，需要您评审的采购项目会出现在这里。",
            "When you are drawn for an evaluation committee, the procurement to evaluate comes here.",
            Some(("/experts/me", "我的专家信息", "My expert record")),
        )
    } else if actor.has(Role::Supervisor) {
        (
            "监督人员没有需要办理的事项；可查看辖区的红色预警和统计。",
            "Supervisors have nothing to act on; see the red flags and statistics of your area.",
            Some(("/red-flags", "红色预警", "Red flags")),
        )
    } else {
        ("", "", None)
    };
    html! {
        (lang.t(zh, en))
        @if let Some((href, zh, en)) = link { " " a href=(href) { (lang.t(zh, en)) } }
    }
}

fn card(lang: Lang, step: &str, n: usize) -> Markup {
    html! {
        div.card {
            p.card__title { a href={"/projects?step=" (step)} { (step_label(lang, step)) } }
            p.card__value { (n) }
        }
    }
}

fn landing(shell: &Shell, (seq, hash): (i64, String), red_flags: Markup) -> Markup {
    let lang = shell.lang;
    let body = html! {
        h1.page-title { (lang.t("政府购买服务平台", "Public service purchasing")) }
        p.lead {
            (lang.t(
                "区、乡镇政府部门在这里向社会组织等承接主体购买养老、儿童关爱、社会工作岗位等公共服务，全过程公开留痕。",
                "Local government departments use Shanzhi to buy public services — elderly care, child welfare, \
                 social-work posts — from social organisations and other providers, with every step on the record.",
            ))
        }
        h2 { (lang.t("怎么运作", "How it works")) }
        ol {
            li { (lang.t(
                "购买主体设计项目：服务内容、服务对象、绩效目标。",
                "The purchasing department designs the project: what service, for whom, with which targets.",
            )) }
            li { (lang.t(
                "测算费用后，提交主管部门和财政部门审核。",
                "It estimates the cost and submits it to the competent department and the finance department for review.",
            )) }
            li { (lang.t("审核通过后确定承接主体，签订合同。", "Once approved, it chooses a provider and signs the contract.")) }
            li { (lang.t(
                "承接主体按合同节点提交服务报告，购买主体验收后按比例付款。",
                "The provider reports at each milestone; the purchaser accepts the work and pays the agreed share.",
            )) }
        }
        p { (lang.t(
            "每一步都记入公开审计链，任何人都可以核验记录没有被改动。",
            "Every step goes into a public audit chain that anyone can check for tampering.",
        )) }
        div.button-group {
            a.btn href="/sign-in" { (lang.t("登录", "Sign in")) }
            a href="/catalogue" { (lang.t("查看购买服务指导性目录", "See the guidance catalogue")) }
            a href="/notices" { (lang.t("查看采购公告", "See the procurement notices")) }
            a href="/register" { (lang.t("注册为承接主体", "Register as a provider")) }
        }
        (red_flags)
        h2 { (lang.t("审计链当前状态", "The audit chain now")) }
        p { (lang.t("最新记录序号：", "Latest record: ")) strong { (seq) } }
        p { span.hash { (hash) } }
        p { a href="/audit" { (lang.t("如何核验", "How to check it")) } }
    };
    page(shell, lang.t("首页", "Home"), body)
}

fn sign_in_page(shell: &Shell, form: &Form, errors: &Errors, csrf: &str) -> Markup {
    let lang = shell.lang;
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (lang.t("登录", "Sign in")) }
        form method="post" action="/sign-in" novalidate {
            input type="hidden" name="_csrf" value=(csrf);
            input type="hidden" name="next" value=(form.get("next"));
            (forms::input(
                Kind::Username,
                "username",
                lang.t("用户名", "Username"),
                None,
                form.get("username"),
                errors.get("username"),
            ))
            (forms::input(Kind::Password, "password", lang.t("密码", "Password"), None, "", errors.get("password")))
            div.button-group { (forms::submit(lang.t("登录", "Sign in"))) }
        }
        p.muted { (lang.t("忘记密码请联系本单位的系统管理员。", "If you forgot your password, ask your administrator.")) }
    };
    page(shell, lang.t("登录", "Sign in"), body)
}

/// The sign-in page, with its pre-session's token; the pre-session cookie is set when it is new.
fn sign_in_response(
    state: &AppState,
    shell: &Shell,
    status: StatusCode,
    form: &Form,
    errors: &Errors,
    pre: &PreSession,
) -> Response {
    let mut resp = render(status, sign_in_page(shell, form, errors, &pre.token(state)));
    if let Some(c) = pre.set_cookie(state).and_then(|c| HeaderValue::try_from(c).ok()) {
        resp.headers_mut().append(SET_COOKIE, c);
    }
    resp
}

pub async fn sign_in_form(
    State(state): State<AppState>,
    v: Viewer,
    pre: PreSession,
    axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>,
) -> Page {
    let next = q.iter().find(|(k, _)| k == "next").and_then(|(_, n)| local_path(n)).unwrap_or("/");
    if v.session.is_some() {
        return Ok(see_other(next));
    }
    let mut form = Form::default();
    form.push("next", next);
    Ok(sign_in_response(&state, &v.shell(), StatusCode::OK, &form, &Errors::default(), &pre))
}

pub async fn sign_in(
    State(state): State<AppState>,
    v: Viewer,
    ClientAddr(client): ClientAddr,
    pre: PreSession,
    RawForm(body): RawForm,
) -> Page {
    let shell = v.shell();
    let lang = v.lang;
    let form = Form::parse(&body);
    let next = local_path(form.get("next")).unwrap_or("/").to_string();
    // A form without its pre-session's token was not posted from our page: shown again, ready to use.
    if !pre.matches(&state, form.get("_csrf")) {
        let errors = Errors::from_error(lang, &AppError::BadCsrf);
        return Err(sign_in_response(&state, &shell, StatusCode::FORBIDDEN, &form, &errors, &pre));
    }
    let (username, password) = (form.get("username"), form.get("password"));
    let mut errors = Errors::default();
    if username.trim().is_empty() {
        errors.add("username", lang.t("请输入用户名", "Enter your username"));
    }
    if password.is_empty() {
        errors.add("password", lang.t("请输入密码", "Enter your password"));
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let mut retry_after = None;
    if errors.is_empty() {
        match shanzhi_app::sessions::sign_in(&state, client, username, password, SessionKind::Web)
            .await
            .map_err(AppError::from)
        {
            Ok(new) => {
                // Signing in again replaces any session this browser already had.
                if let Some(old) = &v.session {
                    shanzhi_app::sessions::sign_out(&state, old).await.or_page(&shell)?;
                }
                let to = if new.must_change_password { "/account/password" } else { next.as_str() };
                let mut resp = Redirect::to(to).into_response();
                for c in [
                    auth::cookie_header(&state, SESSION_COOKIE, &new.token, "/", None),
                    PreSession::clear_cookie(&state),
                ] {
                    if let Ok(c) = HeaderValue::try_from(c) {
                        resp.headers_mut().append(SET_COOKIE, c);
                    }
                }
                return Ok(resp);
            }
            Err(AppError::App(shanzhi_app::Error::InvalidCredentials)) => {
                status = StatusCode::UNAUTHORIZED;
                let e = AppError::from(shanzhi_app::Error::InvalidCredentials);
                errors.add("password", &forms::sentence(lang, lang.t(&e.message_zh(), &e.message_en())));
            }
            Err(e) if !super::fatal(&e) => {
                retry_after = e.retry_after();
                status = e.status();
                errors = Errors::from_error(lang, &e);
            }
            Err(e) => return Err(error_page(&shell, e)),
        }
    }
    let mut resp = sign_in_response(&state, &shell, status, &form, &errors, &pre);
    if let Some(secs) = retry_after {
        resp.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    Ok(resp)
}

pub async fn sign_out(State(state): State<AppState>, v: Viewer, RawForm(body): RawForm) -> Page {
    if let Some(s) = &v.session {
        let form = Form::parse(&body);
        if !auth::csrf_matches(&s.csrf, form.get("_csrf")) {
            return Err(error_page(&v.shell(), AppError::BadCsrf));
        }
        shanzhi_app::sessions::sign_out(&state, s).await.or_page(&v.shell())?;
    }
    let clear = auth::cookie_header(&state, SESSION_COOKIE, "", "/", Some(0));
    Ok(([(SET_COOKIE, clear)], Redirect::to("/")).into_response())
}

fn tree(lang: Lang, all: &[Category], parent: &str, depth: usize) -> Markup {
    html! {
        @if depth < 6 {
            ul {
                @for c in all.iter().filter(|c| c.parent.as_deref() == Some(parent)) {
                    li {
                        span.muted { (c.code) } " " (c.name)
                        @if c.negative { " " strong.tag.tag--red { (lang.t("负面清单", "Negative list")) } }
                        (tree(lang, all, &c.code, depth + 1))
                    }
                }
            }
        }
    }
}

pub async fn catalogue(State(state): State<AppState>, v: Viewer) -> Page {
    let shell = v.shell();
    let lang = v.lang;
    let all = shanzhi_app::reference::catalogue(&state).await.or_page(&shell)?;
    let heads = |negative: bool| all.iter().filter(move |c| c.parent.is_none() && c.negative == negative);
    let body = html! {
        h1.page-title { (lang.t("政府购买服务指导性目录", "Guidance catalogue of purchasable services")) }
        p.lead { (lang.t(
            "只有目录内的服务事项可以向社会力量购买；负面清单中的事项不得购买。",
            "Only services in the catalogue may be bought from providers; items on the negative list may never be bought.",
        )) }
        @for head in heads(false) {
            h2 { span.muted { (head.code) } " " (head.name) }
            (tree(lang, &all, &head.code, 0))
        }
        h2 { (lang.t("负面清单（不得购买）", "Negative list (may not be bought)")) }
        div.notice.notice--warning {
            p { (lang.t(
                "以下事项属于政府直接履职或不属于政府职责范围，不得作为政府购买服务项目。",
                "These are duties government must perform itself, or are outside its remit: they may not be purchased.",
            )) }
        }
        @for head in heads(true) {
            h3 { span.muted { (head.code) } " " (head.name) " " strong.tag.tag--red { (lang.t("负面清单", "Negative list")) } }
            (tree(lang, &all, &head.code, 0))
        }
    };
    Ok(render(StatusCode::OK, page(&shell, lang.t("指导性目录", "Catalogue"), body)))
}

pub async fn audit(State(state): State<AppState>, v: Viewer) -> Page {
    let shell = v.shell();
    let lang = v.lang;
    let (seq, hash) = audit_head(&state).await.or_page(&shell)?;
    let command = format!("shanzhi audit verify --checkpoint {seq}:{hash}");
    let body = html! {
        h1.page-title { (lang.t("公开审计链", "Public audit chain")) }
        p.lead {
            (lang.t(
                "平台上的每一次操作——创建项目、审核、签订合同、验收——都按顺序记入审计链。每条记录都包含前一条记录的哈希值（一种数字指纹），所以只要有一条记录被修改、删除或调换顺序，之后所有的指纹都会对不上。",
                "Every action on the platform — creating a project, reviewing, signing, accepting — is recorded in order. \
                 Each record includes the fingerprint (hash) of the one before, so changing, deleting or reordering any \
                 record breaks every fingerprint after it.",
            ))
        }
        h2 { (lang.t("当前链头", "The chain now")) }
        dl.summary-list {
            div.summary-list__row { dt { (lang.t("最新记录序号", "Latest record number")) } dd { (seq) } }
            div.summary-list__row { dt { (lang.t("最新记录哈希", "Latest record hash")) } dd { span.hash { (hash) } } }
        }
        h2 { (lang.t("如何核验", "How to check")) }
        ol {
            li { (lang.t(
                "记下上面的序号和哈希值，例如截图、打印，或交给第三方保存。",
                "Keep the number and hash above: take a screenshot, print it, or give it to someone independent.",
            )) }
            li {
                (lang.t(
                    "以后任何时候，请平台运维人员在服务器上运行：",
                    "At any later time, ask the platform's operators to run this on the server:",
                ))
                br;
                code.hash { (command) }
            }
            li { (lang.t(
                "该命令会从第一条记录起重新计算整条链，并确认第 N 条记录的哈希与您保存的一致。一致，说明到那时为止的记录没有被改动过。",
                "It recomputes the chain from the first record and confirms record N still has the hash you kept. If it does, nothing up to that point has been altered.",
            )) }
        }
        h2 { (lang.t("自己核验整条链", "Check the whole chain yourself")) }
        p { (lang.t(
            "任何人无需登录即可读取 /api/v1/audit/events：每条记录的序号、时间、操作、前一条的哈希、本条哈希，以及内容的哈希。本条哈希是“前一条哈希”与 {action, at, payload_hash, seq} 的规范 JSON（键按字母排序、无空白）连在一起的 SHA-256，所以不看内容也能核验整条链。记录的内容（谁、对什么、改动前后）只向有权查看的人显示，他们可以用内容哈希核对。",
            "Anyone can read /api/v1/audit/events without signing in: each record's number, time, action, the previous hash, its own hash and the hash of its content. A record's hash is the SHA-256 of the previous hash followed by the canonical JSON (keys sorted, no white space) of {action, at, payload_hash, seq}, so the whole chain can be checked without seeing any content. The content — who acted, on what, before and after — is shown only to those entitled to it, who can check it against its hash.",
        )) }
        p { (lang.t(
            "投标、撤回、投标附件、登记参与和提问在开标时才进入审计链，各附投标人提交时收到的回执：开标前，审计链不会透露有人投标、谁投标或有几家投标。",
            "Bids, withdrawals, bid attachments, registrations of interest and questions enter the chain at the opening, each with the receipt its bidder was given: before the opening the chain tells nobody that a bid exists, who made it or how many there are.",
        )) }
    };
    Ok(render(StatusCode::OK, page(&shell, lang.t("审计", "Audit"), body)))
}
