//! The project list, the project page with its action panel and history, the printable view, and the
//! actions that are a single button or a short form on the project page.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_domain::deadlines::Period;
use shanzhi_domain::org::{Actor, Role};
use shanzhi_domain::project::{step_choices, waiting_on, Act, Project, ProjectItem, Status};
use shanzhi_domain::visibility::{self, ProjectAccess};
use shanzhi_domain::DomainError;

use super::forms::{self, csrf, error_summary, options, Errors, Form};
use super::layout::{breadcrumbs, page, Shell};
use super::project_view::{closure_notice, details, timeline, tracker, Refs};
use super::words::{duty_label, status_tag, step_label};
use super::{error_page, fatal, render, see_other, Ids, OrPage, Page, Posted, SignedIn};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;
use shanzhi_app::projects::{self, AcceptanceRequest, Command, ReasonRequest, ReviewRequest};

/// What the panel offers this actor now. Display only: `projects::perform` re-checks every rule.
#[derive(Debug, Default, PartialEq)]
pub struct Offer {
    pub edit_design: bool,
    pub finish_design: bool,
    pub cost: bool,
    pub funding: bool,
    pub submit: bool,
    pub review: bool,
    pub award: bool,
    pub contract: bool,
    pub report: Option<usize>,
    pub decide: Option<usize>,
    pub cancel: bool,
    pub terminate: bool,
}

pub fn is_own(actor: &Actor, p: &Project) -> bool {
    actor.has(Role::Purchaser) && actor.org_id == p.purchaser_org_id
}

/// The forms the project's panel offers `actor`: the acts the domain says are open to them now (see
/// `Project::may`), and the duties it says wait on them. Submitting waits for an estimate and its funding.
pub fn offer(actor: &Actor, p: &Project) -> Offer {
    let open = |act: Act| p.may(actor, act).is_ok();
    let duty = waiting_on(actor, p);
    let estimated = !p.cost_lines.is_empty();
    Offer {
        edit_design: open(Act::EditDesign),
        finish_design: open(Act::FinishDesign),
        cost: open(Act::SetCostEstimate),
        funding: open(Act::SetFunding) && estimated,
        submit: open(Act::Submit) && estimated && !p.funding.is_empty(),
        review: open(Act::Review),
        award: open(Act::Award),
        contract: open(Act::SignContract),
        report: p.current_milestone().filter(|_| duty == Some("file_report")),
        decide: p.current_milestone().filter(|_| duty == Some("decide_milestone")),
        cancel: open(Act::Cancel),
        terminate: open(Act::Terminate),
    }
}

/// For a form page the panel would not offer: the error the server would give on submitting it.
pub fn refuse(permitted: bool, p: &Project, action: &'static str) -> AppError {
    if permitted {
        AppError::from(DomainError::WrongStep { action, status: p.status.code() })
    } else {
        AppError::forbidden(action)
    }
}

/// Loads a project for a form page and checks the panel offers that form, else the error page.
pub async fn for_form(
    state: &AppState,
    user: &SignedIn,
    id: i64,
    action: &'static str,
    allowed: impl Fn(&Offer) -> bool,
    permitted: impl Fn(&Actor, &Project) -> bool,
) -> Result<Project, axum::response::Response> {
    let actor = &user.session.actor;
    let p = projects::visible_project(state, actor, id).await.or_page(&user.shell())?;
    if allowed(&offer(actor, &p)) {
        Ok(p)
    } else {
        // Refused here, the way back is the page the person came from, or else the project itself.
        let project = format!("/projects/{id}");
        let shell = Shell { back: Some(user.back.as_deref().unwrap_or(&project)), ..user.shell() };
        Err(error_page(&shell, refuse(permitted(actor, &p), &p, action)))
    }
}

/// `p` as `actor` may read it (see `shanzhi_domain::visibility::project_access`).
fn readable(actor: &Actor, p: Project) -> Project {
    visibility::project_for(visibility::project_access(actor, &p).unwrap_or(ProjectAccess::Provider), p)
}

/// The projects list: the reader's projects when signed in, the published ones for anyone else.
pub async fn list(State(state): State<AppState>, v: super::Viewer, RawQuery(raw): RawQuery) -> Page {
    let user = match v.signed_in() {
        Ok(user) => user,
        Err(v) => return super::public_projects::list(&state, &v, raw.as_deref()).await,
    };
    let shell = user.shell();
    let lang = user.lang;
    let q = ListQuery::parse_page(raw.as_deref(), &crate::filters::PROJECT_FILTERS).or_page(&shell)?;
    let filter = crate::filters::project_filter(&q).or_page(&shell)?;
    let listed = projects::project_items(&state, &user.session.actor, &filter, q.page).await.or_page(&shell)?;
    let projects = &listed.items;
    let region = q.text("region");
    let places = shanzhi_app::reference::place_choice(&state, region.as_deref()).await.or_page(&shell)?;
    let step = filter.step.as_deref();
    // A step's link keeps every other filter chosen, and so does the form (those it has no field for, hidden).
    let unlisted = ["category", "purchaser", "provider"];
    let limit = (q.page.limit != shanzhi_app::DEFAULT_LIMIT).then_some(q.page.limit);
    let pairs = |keys: &[&str]| -> String {
        keys.iter()
            .filter_map(|k| {
                q.text(k).map(|v| format!("&{k}={}", form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
            })
            .collect()
    };
    // What the form shows (the place and the year), and everything kept.
    let shown = pairs(&["q", "region", "year"]);
    let mut kept = format!("{shown}{}", pairs(&unlisted));
    if let Some(n) = limit {
        kept.push_str(&format!("&limit={n}"));
    }
    let next = listed.next.map(|cursor| next_page_href("/projects", raw.as_deref(), cursor));
    let heading = match step {
        Some(s) => format!("{}：{}", lang.t("项目", "Projects"), step_label(lang, s)),
        None => lang.t("项目", "Projects").to_string(),
    };
    let body = html! {
        h1.page-title { (heading) }
        nav.button-group aria-label=(lang.t("按进度筛选", "Filter by step")) {
            a href={"/projects?" (kept.trim_start_matches('&'))} aria-current=[step.is_none().then_some("page")] { (lang.t("全部", "All")) }
            @for s in step_choices() {
                a href={"/projects?step=" (s) (kept)} aria-current=[(step == Some(s)).then_some("page")] { (step_label(lang, s)) }
            }
        }
        form.no-print method="get" action="/projects" role="search" {
            (search_field(lang, q.text("q").as_deref()))
            (super::places::place_field(lang, &places, region.as_deref()))
            div.field {
                label for="year" { (lang.t("统计年度", "Year")) }
                input #year .input--short name="year" inputmode="numeric" value=[q.text("year")];
            }
            @if let Some(s) = step { input type="hidden" name="step" value=(s); }
            @for k in unlisted {
                @if let Some(v) = q.text(k) { input type="hidden" name=(k) value=(v); }
            }
            @if let Some(n) = limit { input type="hidden" name="limit" value=(n); }
            div.button-group { button.btn.btn--secondary type="submit" { (lang.t("筛选", "Filter")) } }
        }
        // The filters the form has no field for are said, with the way to drop them.
        @let hidden: Vec<(&str, String)> = [("category", lang.t("类别", "category")), ("purchaser", lang.t("购买主体编号", "purchaser id")), ("provider", lang.t("承接主体编号", "provider id"))]
            .into_iter().filter_map(|(k, label)| q.text(k).map(|v| (label, v))).collect();
        @if !hidden.is_empty() {
            p.hint.no-print {
                (lang.t("另按", "Also narrowed to ")) (hidden.iter().map(|(l, v)| format!("{l} {v}")).collect::<Vec<_>>().join(lang.t("、", ", "))) (lang.t("筛选。", ". "))
                a href={"/projects?" (format!("{}{shown}", step.map(|s| format!("&step={s}")).unwrap_or_default()).trim_start_matches('&'))} { (lang.t("取消这些筛选", "Drop these filters")) }
            }
        }
        (project_table(lang, projects, false))
        @if let Some(href) = &next {
            p { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } }
        }
    };
    Ok(render(StatusCode::OK, page(&shell, lang.t("项目", "Projects"), body)))
}

/// The search field of a projects list.
pub(crate) fn search_field(lang: Lang, q: Option<&str>) -> Markup {
    html! {
        div.field {
            label for="q" { (lang.t("搜索项目名称（如“养老”）", "Search project titles (e.g. 养老)")) }
            input #q type="search" name="q" maxlength="50" value=[q];
        }
    }
}

/// A list of projects as a table; the public's shows each project's year where staff see when it last changed.
pub(crate) fn project_table(lang: Lang, projects: &[ProjectItem], public: bool) -> Markup {
    html! {
        @if projects.is_empty() {
            p.notice { (lang.t("没有符合条件的项目。", "No projects match.")) }
        } @else {
            div.table-wrap { table.table.table--stack #projects {
                thead { tr {
                    th scope="col" { (lang.t("项目编号", "Code")) } th scope="col" { (lang.t("项目名称", "Title")) }
                    th scope="col" { (lang.t("购买主体", "Purchaser")) } th scope="col" { (lang.t("进度", "Step")) }
                    th.num scope="col" { (lang.t("预算", "Total")) }
                    @if public { th scope="col" { (lang.t("年度", "Year")) } } @else { th scope="col" { (lang.t("更新时间", "Updated")) } }
                } }
                tbody { @for p in projects { tr {
                    td data-label=(lang.t("项目编号", "Code")) { (p.code) }
                    td data-label=(lang.t("项目名称", "Title")) { a href={"/projects/" (p.id)} { (p.title) } }
                    td data-label=(lang.t("购买主体", "Purchaser")) { (p.purchaser_name) }
                    td data-label=(lang.t("进度", "Step")) {
                        (status_tag(lang, p.status))
                        @if p.returned && !public { " " strong.tag.tag--red { (lang.t("已退回", "Returned")) } }
                    }
                    td.num data-label=(lang.t("预算", "Total")) {
                        @if let Some(total) = p.total { (lang.money(total)) } @else { span.muted { "—" } }
                    }
                    @if public {
                        td data-label=(lang.t("年度", "Year")) { (p.year) }
                    } @else {
                        td data-label=(lang.t("更新时间", "Updated")) { (lang.datetime(p.updated_at)) }
                    }
                } } }
            } }
        }
    }
}

/// Input and problems from a panel form, to show again on the project page. `which` names the form.
#[derive(Default)]
pub struct PanelInput {
    pub which: &'static str,
    pub form: Form,
    pub errors: Errors,
}

/// A project's page: the working page for a signed-in reader who may see it, the public page for anyone else.
pub async fn show(State(state): State<AppState>, v: super::Viewer, ids: Ids) -> Page {
    let user = match v.signed_in() {
        Ok(user) => user,
        Err(v) => return super::public_project::show(&state, &v, ids.id).await,
    };
    let p = projects::visible_project(&state, &user.session.actor, ids.id).await.or_page(&user.shell())?;
    project_page(&state, &user, &p, &PanelInput::default(), StatusCode::OK).await
}

pub(crate) async fn project_page(
    state: &AppState,
    user: &SignedIn,
    p: &Project,
    input: &PanelInput,
    status: StatusCode,
) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let refs = Refs::for_project(state, p).await.or_page(&shell)?;
    let events = shanzhi_app::audit::project_history(state, &user.session.actor, p).await.or_page(&shell)?;
    // The project as this reader may see it: its provider reads the service, not the purchaser's working.
    let shown = readable(&user.session.actor, p.clone());
    let p = &shown;
    let actors: Vec<i64> = events.iter().filter_map(|e| e.actor_id).collect();
    let names: HashMap<i64, String> = shanzhi_app::directory::display_names(state, &actors).await.or_page(&shell)?;
    let duty = waiting_on(&user.session.actor, p);
    // The project's procurements once: for the procurement section and whether a direct purchase is open.
    let procurements = shanzhi_app::procurements::of_project(state, p.id).await.or_page(&shell)?;
    let approvals = shanzhi_app::approvals::of_project(state, p.id).await.or_page(&shell)?;
    let procurement =
        super::procurements::project_section(user, p, &procurements, &approvals, &state.rules, state.clock.now());
    let running = procurements.last().is_some_and(|q| q.stage != shanzhi_domain::procurement::Stage::Failed);
    let region = p.design.regions.first().map(String::as_str).unwrap_or("");
    let direct_purchase = !running && p.total() < state.rules.procurement_limit_for(region);
    let contract_notice = match p.contract {
        Some(_) => shanzhi_app::procurements::notices_of_project(state, p.id)
            .await
            .or_page(&shell)?
            .into_iter()
            .find(|n| n.notice.kind == shanzhi_domain::notice::NoticeKind::Contract),
        None => None,
    };
    let flags = shanzhi_app::red_flags::of_project(state, &user.session.actor, p).await.or_page(&shell)?;
    let evaluation = shanzhi_app::evaluations::EvaluationView::of(&user.session.actor, p.clone());
    let (tally, issued) = shanzhi_app::surveys::counts(state, p).await.or_page(&shell)?;
    let evaluators = match evaluation.may_start {
        true => {
            shanzhi_app::evaluations::evaluators(state, shanzhi_app::PageRequest::first(200))
                .await
                .or_page(&shell)?
                .items
        }
        false => Vec::new(),
    };
    let body = html! {
        (error_summary(lang, &input.errors))
        (breadcrumbs(lang, &[("/", lang.t("工作台", "Work queue")), ("/projects", lang.t("项目", "Projects")), ("", &p.code)]))
        span.caption { (p.code) " · " (p.purchaser_name) }
        h1.page-title { (p.design.title) }
        (tracker(lang, p))
        @if let Some(d) = duty {
            @let target = match d {
                _ if d.ends_with("_supplement") => "#supplements",
                "start_evaluation" | "evaluate" | "self_evaluate" => "#evaluation",
                "monitor_progress" => "#monitoring",
                _ => "#actions",
            };
            div.notice { p { (lang.t("等待您：", "Waiting for you: ")) strong { (duty_label(lang, d)) } " · " a href=(target) { (lang.t("去处理", "Go to actions")) } } }
        }
        (closure_notice(lang, p))
        (contract_deadline(lang, state, p))
        (contract_publication(lang, state, p, contract_notice.as_ref()))
        (details(lang, p, &refs))
        (super::posts::section(lang, user, p))
        (super::supplements::section(lang, user, p, &state.rules, shanzhi_domain::clock::china_date(state.clock.now()), input))
        (procurement)
        (super::red_flags::project_section(lang, &flags))
        (super::monitoring::section(lang, user, p, state.rules.behind_target_tolerance_bp, input))
        (super::survey::section(lang, user, p, (&tally, issued), shanzhi_domain::clock::china_date(state.clock.now()), input))
        (super::evaluation::section(lang, user, &evaluation, &evaluators, input))
        (panel(lang, user, p, input, direct_purchase))
        h2 { (lang.t("办理记录", "History")) }
        (timeline(lang, &events, &names))
        p.no-print { a href={"/projects/" (p.id) "/print"} { (lang.t("打印版项目信息表", "Printable information sheet")) } }
    };
    super::answer(status, page(&shell, &p.design.title, body))
}

/// After the award the contract must be signed within the statutory period (政府采购法 §46): its last day on
/// the working-day calendar, and a warning once it has passed.
fn contract_deadline(lang: Lang, state: &AppState, p: &Project) -> Markup {
    let Some(award) = p.award.as_ref().filter(|_| p.status == Status::Contract) else { return html! {} };
    let period = Period::ContractSigning;
    let from = shanzhi_domain::clock::china_date(award.at);
    let Ok(deadline) = state.rules.periods.latest(period, from, &state.calendar) else { return html! {} };
    let overdue = shanzhi_domain::clock::china_date(state.clock.now()) > deadline.date;
    html! {
        div.notice.notice--warning[overdue] #contract-deadline {
            p {
                (lang.t("签订合同期限：", "Sign the contract by: ")) strong { (lang.date(deadline.date)) }
                @if deadline.provisional { " " (lang.t("（暂定）", "(provisional)")) }
                " " span.small.muted { "（" (lang.t(period.name_zh(), period.name_en())) " · " (period.source()) "）" }
                @if overdue { " " strong.tag.tag--red { (lang.t("已逾期", "Overdue")) } }
            }
        }
    }
}

/// The contract is published as it is signed; the law allows 2 working days after signing (实施条例 §50), so a
/// signing recorded late shows as a late publication.
fn contract_publication(
    lang: Lang,
    state: &AppState,
    p: &Project,
    notice: Option<&shanzhi_domain::notice::Notice>,
) -> Markup {
    let Some(c) = p.contract.as_ref() else { return html! {} };
    let period = Period::ContractPublication;
    let Ok(deadline) = state.rules.periods.latest(period, c.signed_on, &state.calendar) else { return html! {} };
    let published = notice.map(|n| n.notice.published_on);
    let late = published.is_none_or(|d| d > deadline.date);
    html! {
        p.small #contract-publication {
            (lang.t("合同公告：", "Contract notice: "))
            @match (published, notice) {
                (Some(d), Some(n)) => { a href={"/notices/" (n.id)} { (lang.date(d)) } }
                _ => { (lang.t("未发布", "not published")) }
            }
            " · " (lang.t("期限：", "due by ")) (lang.date(deadline.date))
            " " span.muted { "（" (period.source()) "）" }
            @if late { " " strong.tag.tag--red { (lang.t("逾期公告", "Published late")) } }
        }
    }
}

/// `direct_purchase`: whether choosing the provider directly is open (below the procurement limit, and no
/// procurement of the project under way); otherwise the procurement section offers the statutory methods.
fn panel(lang: Lang, user: &SignedIn, p: &Project, input: &PanelInput, direct_purchase: bool) -> Markup {
    let mut o = offer(&user.session.actor, p);
    o.award &= direct_purchase;
    let base = format!("/projects/{}", p.id);
    let blank = PanelInput::default();
    let button_form = |path: &str, label: &str| {
        html! { form method="post" action={(base) "/" (path)} { (csrf(&user.session)) (forms::submit(label)) } }
    };
    let anything = o != Offer::default();
    html! {
        h2 #actions { (lang.t("可进行的操作", "What you can do")) }
        @if !anything { p.muted { (lang.t("目前没有需要您处理的事项。", "There is nothing for you to do on this project now.")) } }
        @if o.finish_design || o.edit_design || o.cost || o.funding || o.submit || o.award || o.contract || o.report.is_some() {
            div.button-group {
                @if o.finish_design { (button_form("finish-design", lang.t("完成设计，进入费用测算", "Finish the design"))) }
                @if o.edit_design { a.btn.btn--secondary href={(base) "/design"} { (lang.t("修改项目设计", "Change the design")) } }
                @if o.cost { a.btn.btn--secondary href={(base) "/cost-estimate"} { (lang.t("测算费用", "Estimate the cost")) } }
                @if o.funding { a.btn.btn--secondary href={(base) "/funding"} { (lang.t("落实资金来源", "Fund the project")) } }
                @if o.submit { (button_form("submit", lang.t("提交审核", "Submit for review"))) }
                @if o.award { a.btn href={(base) "/award"} { (lang.t("确定承接主体", "Choose the provider")) } }
                @if o.contract { a.btn href={(base) "/contract"} { (lang.t("签订合同", "Sign the contract")) } }
                @if let Some(n) = o.report { a.btn href={(base) "/milestones/" (n) "/report"} { (lang.t("提交服务报告", "File the service report")) } }
            }
        }
        @if o.cost && !o.submit { p.hint { (lang.t(
            "完成费用测算并落实资金来源（无预算不购买）后即可提交审核。",
            "Once the cost is estimated and funded from budgets (no budget, no purchase) you can submit for review.",
        )) } }
        @if o.review {
            @let i = pick(input, "review", &blank);
            form method="post" action={(base) "/review"} novalidate {
                (csrf(&user.session))
                @let choices = options(&[
                    ("approve", lang.t("审核通过", "Approve")),
                    ("return", lang.t("退回修改", "Return for changes")),
                ]);
                (forms::choices(
                    false,
                    "decision",
                    lang.t("审核结论", "Your decision"),
                    None,
                    &choices,
                    &[i.form.get("decision")],
                    i.errors.get("decision"),
                ))
                (forms::textarea(
                    "review_comment",
                    "comment",
                    lang.t("审核意见", "Comment"),
                    Some(lang.t("退回时必须写明需要修改的内容。", "When returning, say what must change.")),
                    i.form.get("comment"),
                    i.errors.get("review_comment"),
                ))
                div.button-group { (forms::submit(lang.t("提交审核意见", "Record the decision"))) }
            }
        }
        @if let Some(n) = o.decide {
            @let i = pick(input, "decision", &blank);
            form method="post" action={(base) "/milestones/" (n) "/decision"} novalidate {
                (csrf(&user.session))
                @let choices = options(&[
                    ("accept", lang.t("验收通过", "Accept")),
                    ("reject", lang.t("不予验收，退回补充", "Reject and ask for more")),
                ]);
                (forms::choices(
                    false,
                    "decision",
                    lang.t("验收结论", "Your decision"),
                    Some(lang.t("请先阅读上方的服务报告。", "Read the service report above first.")),
                    &choices,
                    &[i.form.get("decision")],
                    i.errors.get("decision"),
                ))
                (forms::textarea(
                    "decision_reason",
                    "reason",
                    lang.t("验收意见", "Reasons"),
                    Some(lang.t("不予验收时必须写明理由。", "Give reasons when rejecting.")),
                    i.form.get("reason"),
                    i.errors.get("decision_reason"),
                ))
                (forms::confirm_box(
                    "decision_confirm",
                    lang.t(
                        "选择“不予验收”时请勾选：我已阅读服务报告，确认不予验收，本节点款项暂不支付",
                        "When not accepting, tick: I have read the report and do not accept it; this milestone is not paid",
                    ),
                    i.errors.get("decision_confirm"),
                ))
                div.button-group { (forms::submit(lang.t("提交验收结论", "Record the decision"))) }
            }
        }
        @if o.cancel { (closing_form(lang, user, &base, "cancel", pick(input, "cancel", &blank))) }
        @if o.terminate { (closing_form(lang, user, &base, "terminate", pick(input, "terminate", &blank))) }
    }
}

/// The kept input if it came from form `which`, else a blank one.
fn pick<'a>(input: &'a PanelInput, which: &str, blank: &'a PanelInput) -> &'a PanelInput {
    if input.which == which {
        input
    } else {
        blank
    }
}

/// Cancel and terminate: a reason and a red button.
fn closing_form(lang: Lang, user: &SignedIn, base: &str, which: &'static str, input: &PanelInput) -> Markup {
    let id = format!("{which}_reason");
    let (heading, hint, button, confirm) = if which == "cancel" {
        (
            lang.t("撤销项目", "Cancel the project"),
            lang.t(
                "签订合同前可以撤销。请写明原因（至少 4 个字），撤销后不能恢复。",
                "Possible until the contract is signed. Give the reason (at least 4 characters); this cannot be undone.",
            ),
            lang.t("撤销项目", "Cancel the project"),
            lang.t("我确认撤销本项目，撤销后不能恢复", "I confirm: cancel this project; this cannot be undone"),
        )
    } else {
        (
            lang.t("终止合同", "Terminate the contract"),
            lang.t(
                "提前终止已签订的合同。请写明原因（至少 4 个字），终止后不能恢复。",
                "End the signed contract early. Give the reason (at least 4 characters); this cannot be undone.",
            ),
            lang.t("终止合同", "Terminate the contract"),
            lang.t("我确认终止本合同，终止后不能恢复", "I confirm: terminate this contract; this cannot be undone"),
        )
    };
    html! {
        h3 { (heading) }
        form method="post" action={(base) "/" (which)} novalidate {
            (csrf(&user.session))
            (forms::textarea(&id, "reason", lang.t("原因", "Reason"), Some(hint),
                input.form.get("reason"), input.errors.get(&id)))
            @let confirm_id = format!("{which}_confirm");
            (forms::confirm_box(&confirm_id, confirm, input.errors.get(&confirm_id)))
            div.button-group { button.btn.btn--warning type="submit" { (button) } }
        }
    }
}

/// Panel errors point at the panel's inputs; anything about the design or costs links to that form.
fn panel_errors(lang: Lang, err: &AppError, which: &str, id: i64) -> Errors {
    let own = [
        "review_comment",
        "decision",
        "decision_reason",
        "decision_confirm",
        "cancel_reason",
        "cancel_confirm",
        "terminate_reason",
        "terminate_confirm",
    ];
    Errors::from_error(lang, err)
        .rename("comment", "review_comment")
        .rename("reason", &format!("{which}_reason"))
        .rename("confirm", &format!("{which}_confirm"))
        .relink(|p| match &p.href {
            Some(h) if own.contains(&p.key.as_str()) => {
                Some(if p.key == "decision" { "#decision_0".into() } else { h.clone() })
            }
            Some(h) if p.key.starts_with("line_") || p.key == "cost_lines" => {
                Some(format!("/projects/{id}/cost-estimate{h}"))
            }
            Some(h) if !p.key.is_empty() && p.key != "milestone" => Some(format!("/projects/{id}/design{h}")),
            _ => None,
        })
}

async fn act(state: &AppState, id: i64, posted: Posted, which: &'static str, cmd: Command) -> Page {
    let Posted { user, form } = posted;
    let outcome = projects::perform(state, &user.session.actor, id, cmd).await.map_err(AppError::from);
    answer(state, user, form, id, which, outcome).await
}

/// An irreversible act: done only when the person ticked the confirmation, else refused with every problem.
async fn act_confirmed(state: &AppState, id: i64, posted: Posted, which: &'static str, cmd: Command) -> Page {
    let Posted { user, form } = posted;
    let outcome = forms::perform_confirmed(state, &user.session, id, cmd, &form).await;
    answer(state, user, form, id, which, outcome).await
}

/// Back to the project when done; else the project page again with the panel's form and its errors.
async fn answer(
    state: &AppState,
    user: SignedIn,
    form: Form,
    id: i64,
    which: &'static str,
    outcome: Result<Project, AppError>,
) -> Page {
    let e = match outcome {
        Ok(_) => return Ok(see_other(&format!("/projects/{id}"))),
        Err(e) if fatal(&e) => return Err(error_page(&user.shell(), e)),
        Err(e) => e,
    };
    let p = projects::visible_project(state, &user.session.actor, id).await.or_page(&user.shell())?;
    let input = PanelInput { which, errors: panel_errors(user.lang, &e, which, id), form };
    project_page(state, &user, &p, &input, e.status()).await
}

pub async fn finish_design(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    act(&state, ids.id, posted, "finish_design", Command::FinishDesign).await
}

pub async fn submit(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    act(&state, ids.id, posted, "submit", Command::Submit).await
}

pub async fn review(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let req =
        ReviewRequest { decision: posted.form.get("decision").into(), comment: posted.form.get("comment").into() };
    act(&state, ids.id, posted, "review", Command::Review(req)).await
}

pub async fn decide(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let req =
        AcceptanceRequest { decision: posted.form.get("decision").into(), reason: posted.form.get("reason").into() };
    // Not accepting holds back the payment: it asks for confirmation, accepting does not.
    if req.decision == "reject" {
        act_confirmed(&state, ids.id, posted, "decision", Command::Decide(ids.n, req)).await
    } else {
        act(&state, ids.id, posted, "decision", Command::Decide(ids.n, req)).await
    }
}

pub async fn cancel(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let req = ReasonRequest { reason: posted.form.get("reason").into() };
    act_confirmed(&state, ids.id, posted, "cancel", Command::Cancel(req)).await
}

pub async fn terminate(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let req = ReasonRequest { reason: posted.form.get("reason").into() };
    act_confirmed(&state, ids.id, posted, "terminate", Command::Terminate(req)).await
}

/// The standard title of an information sheet: `<采购人>关于<项目名称>的项目信息表`.
pub fn sheet_title(lang: Lang, p: &Project) -> String {
    match lang {
        Lang::Zh => format!("{}关于{}的项目信息表", p.purchaser_name, p.design.title),
        Lang::En => format!("Project information sheet: {} ({})", p.design.title, p.purchaser_name),
    }
}

pub async fn print(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let p = projects::visible_project(&state, &user.session.actor, ids.id).await.or_page(&shell)?;
    let p = readable(&user.session.actor, p);
    let refs = Refs::for_project(&state, &p).await.or_page(&shell)?;
    let title = sheet_title(lang, &p);
    let body = html! {
        div.print-header { p { (title) } }
        h1.page-title.no-print { (title) }
        div.notice.no-print {
            p { (lang.t(
                "打印：请使用浏览器的“打印”功能（Ctrl+P，苹果电脑为 ⌘P）。页眉、导航和按钮不会被打印。",
                "To print, use your browser's Print command (Ctrl+P, or ⌘P on a Mac). The header, navigation and buttons are left out.",
            )) }
            p { a href={"/projects/" (p.id)} { (lang.t("返回项目页面", "Back to the project")) } }
        }
        (closure_notice(lang, &p))
        (details(lang, &p, &refs))
        p.print-only.small { (lang.t("打印时间：", "Printed: ")) (lang.datetime(state.clock.now())) }
    };
    Ok(render(StatusCode::OK, page(&shell, &title, body)))
}
