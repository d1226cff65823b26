//! Performance evaluation on the project page: commissioning the third-party evaluator, each party's scoring
//! form on its own page, and the printable evaluation report with a chart of each indicator's points.

use axum::extract::State;
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_app::evaluations::{self, EvaluationRequest, EvaluationView, ScoreRequest, StartEvaluationRequest};
use shanzhi_domain::evaluation::{EvaluationPart, Grade, Party, Points, Scorecard};
use shanzhi_domain::org::Organisation;
use shanzhi_domain::project::{PerformanceTarget, Project};

use super::dashboard::{bars, permille, Bar};
use super::forms::{self, error_summary, plain, Errors, Form};
use super::layout::{page, row};
use super::project_view::{form_heading, paras};
use super::projects::{project_page, PanelInput};
use super::{error_page, fatal, render, see_other, Ids, OrPage, Page, Posted, SignedIn};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;

fn party_label(lang: Lang, p: Party) -> &'static str {
    lang.t(p.label_zh(), p.label_en())
}

pub fn grade_tag(lang: Lang, g: Grade) -> Markup {
    let colour = match g {
        Grade::Excellent | Grade::Good => "tag--green",
        Grade::Fair => "tag--amber",
        Grade::Poor => "tag--red",
    };
    html! { strong class={"tag " (colour)} { (lang.t(g.label_zh(), g.label_en())) } }
}

/// The evaluation's section of the project page. `evaluators` are offered when the reader may commission one.
pub fn section(
    lang: Lang,
    user: &SignedIn,
    v: &EvaluationView,
    evaluators: &[Organisation],
    input: &PanelInput,
) -> Markup {
    let id = v.project_id;
    let errors = if input.which == "evaluation_start" { &input.errors } else { &Errors::default() };
    if v.evaluation.is_none() && !v.may_start && !v.final_payment_by_grade {
        return html! {};
    }
    html! {
        section #evaluation {
            h2 { (lang.t("绩效评价", "Performance evaluation")) }
            @if v.final_payment_by_grade {
                p.hint { (lang.t("本合同最后一期付款按绩效评价等级支付。", "This contract's final payment follows the evaluation's grade.")) }
            }
            @match &v.evaluation {
                None => {
                    @if v.may_start {
                        form method="post" action={"/projects/" (id) "/evaluation"} {
                            (forms::csrf(&user.session))
                            @let choices: Vec<(String, String)> = evaluators.iter().map(|o| (o.id.to_string(), o.name.clone())).collect();
                            @if choices.is_empty() {
                                p.notice { (lang.t("平台上还没有已核验的第三方评估机构。", "No verified third-party evaluator is registered yet.")) }
                            } @else {
                                (forms::select(
                                    "evaluator_org_id",
                                    lang.t("委托第三方评估机构", "Commission a third-party evaluator"),
                                    Some(lang.t(
                                        "与承接主体有利害关系（含近年已结束的）或上一次已评估该承接主体的机构不能委托。",
                                        "An evaluator tied to the provider (recently included) or the one that evaluated it last time cannot be commissioned.",
                                    )),
                                    &plain(choices),
                                    input.form.get("evaluator_org_id"),
                                    errors.get("evaluator_org_id"),
                                ))
                                (forms::submit(lang.t("委托并启动绩效评价", "Commission and start the evaluation")))
                            }
                        }
                    } @else {
                        p.muted { (lang.t("尚未启动绩效评价。", "The evaluation has not been started.")) }
                    }
                }
                Some(e) => {
                    dl.summary-list {
                        (row(lang.t("第三方评估机构", "Third-party evaluator"), html! { (e.evaluator.org_name) }))
                        (row(lang.t("启动时间", "Started"), html! { (lang.datetime(e.started_at)) }))
                        @if let Some(r) = &e.result {
                            (row(lang.t("综合得分", "Total"), html! { strong { (r.total.display()) } " " (grade_tag(lang, r.grade)) }))
                        } @else {
                            (row(lang.t("等待", "Waiting for"), html! {
                                (v.waiting_for.iter().map(|p| party_label(lang, *p)).collect::<Vec<_>>().join(lang.t("、", ", ")))
                            }))
                        }
                    }
                    @if !e.parts.is_empty() { (parts_table(lang, &e.parts)) }
                    div.button-group.no-print {
                        @if let Some(party) = v.evaluate_as {
                            a.btn href={"/projects/" (id) "/evaluation/part"} { (lang.t("提交", "Submit the ")) (party_label(lang, party)) }
                        }
                        @if e.result.is_some() {
                            a href={"/projects/" (id) "/evaluation/report"} { (lang.t("打印版绩效评价报告", "Printable evaluation report")) }
                        }
                    }
                }
            }
        }
    }
}

fn parts_table(lang: Lang, parts: &[EvaluationPart]) -> Markup {
    html! {
        div.table-wrap { table.table.table--stack #evaluation-parts {
            thead { tr {
                th scope="col" { (lang.t("评价主体", "Party")) } th scope="col" { (lang.t("单位", "Organisation")) }
                th.num scope="col" { (lang.t("得分", "Points")) } th scope="col" { (lang.t("等级", "Grade")) }
                th scope="col" { (lang.t("提交时间", "Submitted")) }
            } }
            tbody { @for part in parts { tr {
                td data-label=(lang.t("评价主体", "Party")) { (party_label(lang, part.party)) }
                td data-label=(lang.t("单位", "Organisation")) { (part.org_name) }
                td.num data-label=(lang.t("得分", "Points")) { (part.scorecard.total.display()) }
                td data-label=(lang.t("等级", "Grade")) { (grade_tag(lang, part.scorecard.grade)) }
                td data-label=(lang.t("提交时间", "Submitted")) { (lang.datetime(part.at)) }
            } } }
        } }
    }
}

/// The purchaser commissions the evaluator chosen on the project page.
pub async fn start(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, form } = posted;
    let shell = user.shell();
    let evaluator_org_id = form.get("evaluator_org_id").trim().parse().unwrap_or(0);
    let req = StartEvaluationRequest { evaluator_org_id };
    match evaluations::start(&state, &user.session.actor, ids.id, req).await.map_err(AppError::from) {
        Ok(_) => Ok(see_other(&format!("/projects/{}#evaluation", ids.id))),
        Err(e) if fatal(&e) => Err(error_page(&shell, e)),
        Err(e) => {
            let p =
                shanzhi_app::projects::visible_project(&state, &user.session.actor, ids.id).await.or_page(&shell)?;
            let errors = Errors::from_error(user.lang, &e);
            project_page(&state, &user, &p, &PanelInput { which: "evaluation_start", form, errors }, e.status()).await
        }
    }
}

fn score_field(i: usize, column: &str) -> String {
    format!("score[{i}].{column}")
}

fn part_page(user: &SignedIn, p: &Project, party: Party, form: &Form, errors: &Errors) -> Markup {
    let shell = user.shell();
    let lang = shell.lang;
    let title = party_label(lang, party);
    let e = |k: &str| errors.get(k);
    let body = html! {
        (error_summary(lang, errors))
        (form_heading(lang, p, title))
        p { (lang.t(
            "请对照每项绩效目标填写实际完成值和评分依据；未填写的指标不得分。提交后不能修改。",
            "For each target give what was achieved and the evidence; an indicator left blank scores nothing. A submitted evaluation cannot be changed.",
        )) }
        form method="post" {
            (forms::csrf(&user.session))
            @for (i, t) in p.design.targets.iter().enumerate() {
                fieldset.form-row {
                    legend { (t.indicator) " · " (target_words(lang, t)) }
                    // Scores come back as `scores[i]`, the domain's fields; the form's own are `score[i]`.
                    @let error = |c: &str| e(&format!("scores[{i}].{c}")).or(e(&score_field(i, c)));
                    (forms::text_field(&score_field(i, "achieved"), &format!("{}（{}）", lang.t("实际完成值", "Achieved"), t.unit), None, form.get(&score_field(i, "achieved")), error("achieved")))
                    (forms::textarea(&score_field(i, "evidence"), &score_field(i, "evidence"), lang.t("评分依据", "Evidence"), None, form.get(&score_field(i, "evidence")), error("evidence")))
                }
            }
            (forms::textarea("comment", "comment", lang.t("总体评价意见", "Overall opinion"),
                Some(lang.t("服务的成效与不足，以及改进建议。", "What the service achieved, what fell short, and how to improve.")),
                form.get("comment"), e("comment")))
            div.button-group {
                (forms::submit(lang.t("提交评价", "Submit the evaluation")))
                a href={"/projects/" (p.id) "#evaluation"} { (lang.t("返回项目", "Back to the project")) }
            }
        }
    };
    page(&shell, title, body)
}

/// "目标 ≥ 200 人, 30 分" in the reader's words.
fn target_words(lang: Lang, t: &PerformanceTarget) -> String {
    use shanzhi_domain::evaluation::ScoringRule::*;
    let op = match t.rule {
        AtLeast => "≥",
        AtMost => "≤",
        Reached => "=",
    };
    format!("{}{op} {}{} · {} {}", lang.t("目标 ", "target "), t.target, t.unit, t.weight, lang.t("分", "points"))
}

/// The scoring form of the party the reader evaluates as.
pub async fn part_form(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    let actor = &user.session.actor;
    let shell = user.shell();
    let p = shanzhi_app::projects::visible_project(&state, actor, ids.id).await.or_page(&shell)?;
    let party = p.may_evaluate(actor).map_err(AppError::from).or_page(&shell)?;
    // The service users' survey feeds the satisfaction indicators: its rate and count are filled in.
    let (tally, _) = shanzhi_app::surveys::counts(&state, &p).await.or_page(&shell)?;
    let mut form = Form::default();
    if let Some(rate) = tally.satisfied_percent() {
        let satisfaction = |t: &&PerformanceTarget| t.dimension == shanzhi_domain::evaluation::Dimension::Satisfaction;
        for (i, _) in p.design.targets.iter().enumerate().filter(|(_, t)| satisfaction(t)) {
            form.push(score_field(i, "achieved"), rate.display());
            let evidence = match user.lang {
                Lang::Zh => format!("服务对象满意度测评：{} 份有效答卷，满意率 {}%", tally.answers, rate.display()),
                Lang::En => format!("Service users' survey: {} answers, {}% satisfied", tally.answers, rate.display()),
            };
            form.push(score_field(i, "evidence"), evidence);
        }
    }
    Ok(render(StatusCode::OK, part_page(&user, &p, party, &form, &Errors::default())))
}

pub async fn submit_part(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, form } = posted;
    let shell = user.shell();
    let actor = &user.session.actor;
    let p = shanzhi_app::projects::visible_project(&state, actor, ids.id).await.or_page(&shell)?;
    let scores = (0..p.design.targets.len())
        .map(|i| ScoreRequest {
            indicator: p.design.targets[i].indicator.clone(),
            achieved: form.get(&score_field(i, "achieved")).into(),
            evidence: form.get(&score_field(i, "evidence")).into(),
        })
        .collect();
    let req = EvaluationRequest { scores, comment: form.get("comment").into() };
    match evaluations::submit(&state, actor, ids.id, req).await.map_err(AppError::from) {
        Ok(_) => Ok(see_other(&format!("/projects/{}#evaluation", ids.id))),
        Err(e) if fatal(&e) => Err(error_page(&shell, e)),
        Err(e) => match p.may_evaluate(actor) {
            Ok(party) => Ok(render(e.status(), part_page(&user, &p, party, &form, &Errors::from_error(user.lang, &e)))),
            Err(_) => Err(error_page(&shell, e)),
        },
    }
}

/// One party's points per indicator as bars against the indicator's weight, with the figures beside them.
fn scorecard_chart(id: &str, title: &str, card: &Scorecard) -> Markup {
    let rows: Vec<Bar> = card
        .lines
        .iter()
        .map(|l| Bar {
            label: l.indicator.clone(),
            permille: permille(l.points.0, i64::from(l.weight) * 100),
            text: format!("{} / {}", l.points.display(), l.weight),
            fill: "fill-general",
            marker: None,
        })
        .collect();
    bars(id, title, &rows)
}

fn scorecard_table(lang: Lang, part: &EvaluationPart) -> Markup {
    html! {
        div.table-wrap { table.table.table--stack {
            thead { tr {
                th scope="col" { (lang.t("指标", "Indicator")) } th.num scope="col" { (lang.t("权重", "Weight")) }
                th.num scope="col" { (lang.t("目标值", "Target")) } th.num scope="col" { (lang.t("完成值", "Achieved")) }
                th.num scope="col" { (lang.t("得分", "Points")) } th scope="col" { (lang.t("评分依据", "Evidence")) }
            } }
            tbody { @for l in &part.scorecard.lines { tr {
                td data-label=(lang.t("指标", "Indicator")) { (l.indicator) }
                td.num data-label=(lang.t("权重", "Weight")) { (l.weight) }
                td.num data-label=(lang.t("目标值", "Target")) { (lang.quantity(l.target)) }
                td.num data-label=(lang.t("完成值", "Achieved")) { @if let Some(a) = l.achieved { (lang.quantity(a)) } @else { "—" } }
                td.num data-label=(lang.t("得分", "Points")) { (l.points.display()) }
                td data-label=(lang.t("评分依据", "Evidence")) {
                    @if let Some(s) = part.scores.iter().find(|s| s.indicator == l.indicator) { (paras(&s.evidence)) }
                }
            } } }
            tfoot { tr { th scope="row" colspan="4" { (lang.t("合计", "Total")) } td.num { strong { (part.scorecard.total.display()) } } td { (grade_tag(lang, part.scorecard.grade)) } } }
        } }
    }
}

/// The printable evaluation report: every party's scores, evidence and opinion, the weights and the result.
pub async fn report(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let v = evaluations::view(&state, &user.session.actor, ids.id).await.or_page(&shell)?;
    let p = shanzhi_app::projects::visible_project(&state, &user.session.actor, ids.id).await.or_page(&shell)?;
    // The report is of a finished evaluation; before its result there is none to print.
    let Some((e, result)) = v.evaluation.as_ref().and_then(|e| Some((e, e.result.as_ref()?))) else {
        return Err(error_page(&shell, AppError::from(shanzhi_domain::DomainError::NotFound { what: "evaluation" })));
    };
    let rules = &state.rules.evaluation;
    let title = lang.t("绩效评价报告", "Performance evaluation report");
    let weighted = |party: Party| {
        let part = e.part(party).map_or(Points(0), |x| x.scorecard.total);
        format!("{} × {}%", part.display(), rules.weight(party))
    };
    let body = html! {
        (form_heading(lang, &p, title))
        dl.summary-list {
            (row(lang.t("项目", "Project"), html! { (p.code) " · " (p.design.title) }))
            (row(lang.t("购买主体", "Purchaser"), html! { (p.purchaser_name) }))
            @if let Some(c) = &p.contract { (row(lang.t("承接主体", "Provider"), html! { (c.provider.name) })) }
            (row(lang.t("第三方评估机构", "Third-party evaluator"), html! { (e.evaluator.org_name) }))
            (row(lang.t("综合得分", "Total"), html! {
                strong { (result.total.display()) } " " (grade_tag(lang, result.grade))
                " " span.small.muted { "= " (Party::ALL.iter().map(|x| weighted(*x)).collect::<Vec<_>>().join(" + ")) }
            }))
            (row(lang.t("评价完成时间", "Finished"), html! { (lang.datetime(result.at)) }))
        }
        @for part in &e.parts {
            section.print-block {
                h2 { (party_label(lang, part.party)) " · " (part.org_name) }
                (scorecard_chart(&format!("chart-{}", part.party.code()), lang.t("各指标得分（满分为权重）", "Points per indicator (out of its weight)"), &part.scorecard))
                (scorecard_table(lang, part))
                h3 { (lang.t("总体评价意见", "Overall opinion")) }
                p { (paras(&part.comment)) }
            }
        }
        p.no-print { a href={"/projects/" (p.id) "#evaluation"} { (lang.t("返回项目", "Back to the project")) } }
    };
    Ok(render(StatusCode::OK, page(&shell, title, body)))
}

// ---- An evaluator's declared ties ----

fn ties_page(
    user: &SignedIn,
    ties: &[shanzhi_domain::evaluation::Tie],
    providers: &[Organisation],
    form: &Form,
    errors: &Errors,
) -> Markup {
    use shanzhi_domain::evaluation::TieKind;
    let shell = user.shell();
    let lang = shell.lang;
    let title = lang.t("利害关系申报", "Declared ties to providers");
    let name = |id: i64| providers.iter().find(|o| o.id == id).map_or_else(|| format!("#{id}"), |o| o.name.clone());
    let kinds: Vec<(String, String)> =
        TieKind::ALL.iter().map(|k| (k.code().to_string(), lang.t(k.label_zh(), k.label_en()).to_string())).collect();
    let body = html! {
        (error_summary(lang, errors))
        h1.page-title { (title) }
        p { (lang.t(
            "第三方评估机构应如实申报与承接主体之间的利害关系（孵化培育、咨询培训督导、人员交叉任职、出资隶属等）。关系存续期间及结束后规定年限内，不得接受委托评估该承接主体。",
            "A third-party evaluator declares its ties to providers (incubation, consulting or supervision, shared staff, ownership …). While a tie runs and for the configured years after it ends, the evaluator cannot be commissioned to evaluate that provider.",
        )) }
        @if ties.is_empty() {
            p.muted { (lang.t("尚未申报。", "None declared yet.")) }
        } @else {
            div.table-wrap { table.table.table--stack #ties {
                thead { tr {
                    th scope="col" { (lang.t("承接主体", "Provider")) } th scope="col" { (lang.t("关系", "Tie")) }
                    th scope="col" { (lang.t("起止", "From – to")) } th scope="col" { (lang.t("说明", "Note")) }
                } }
                tbody { @for t in ties { tr {
                    td data-label=(lang.t("承接主体", "Provider")) { (name(t.provider_org_id)) }
                    td data-label=(lang.t("关系", "Tie")) { (lang.t(t.kind.label_zh(), t.kind.label_en())) }
                    td data-label=(lang.t("起止", "From – to")) {
                        (lang.date(t.since)) " – " @if let Some(u) = t.until { (lang.date(u)) } @else { (lang.t("至今", "now")) }
                    }
                    td data-label=(lang.t("说明", "Note")) { (t.note) }
                } } }
            } }
        }
        h2 { (lang.t("申报新的利害关系", "Declare a tie")) }
        form method="post" {
            (forms::csrf(&user.session))
            (super::choosers::organisation(lang, "provider_org_id", lang.t("承接主体", "Provider"), None,
                lang.t("（请选择）", "(choose)"), providers, |o| o.name.clone(), form, errors))
            (forms::select("kind", lang.t("关系类型", "Kind of tie"), None, &plain(kinds), form.get("kind"), errors.get("kind")))
            (forms::input(forms::Kind::Date, "since", lang.t("开始日期", "From"), None, form.get("since"), errors.get("since")))
            (forms::input(forms::Kind::Date, "until", lang.t("结束日期（仍存续则留空）", "Until (blank while it runs)"), None, form.get("until"), errors.get("until")))
            (forms::text_field("note", lang.t("说明", "Note"), None, form.get("note"), errors.get("note")))
            div.button-group { (forms::submit(lang.t("申报", "Declare"))) }
        }
    };
    page(&shell, title, body)
}

async fn show_ties(state: &AppState, user: &SignedIn, form: &Form, errors: &Errors, status: StatusCode) -> Page {
    let shell = user.shell();
    let actor = &user.session.actor;
    let ties = evaluations::own_ties(state, actor, shanzhi_app::PageRequest::first(200)).await.or_page(&shell)?.items;
    let mut providers =
        super::choosers::offered(state, actor, shanzhi_app::directory::Offer::Providers, form, &["provider_org_id"])
            .await
            .or_page(&shell)?;
    for t in &ties {
        if !providers.iter().any(|o| o.id == t.provider_org_id) {
            if let Some(o) = shanzhi_app::directory::organisation(state, t.provider_org_id).await.or_page(&shell)? {
                providers.push(o);
            }
        }
    }
    Ok(render(status, ties_page(user, &ties, &providers, form, errors)))
}

pub async fn ties(State(state): State<AppState>, user: SignedIn) -> Page {
    show_ties(&state, &user, &Form::default(), &Errors::default(), StatusCode::OK).await
}

pub async fn declare_tie(State(state): State<AppState>, posted: Posted) -> Page {
    let Posted { user, mut form } = posted;
    let shell = user.shell();
    if let Err(e) = super::choosers::take_codes(&state, &mut form, &["provider_org_id"]).await {
        return show_ties(&state, &user, &form, &Errors::from_error(user.lang, &e), e.status()).await;
    }
    let req = shanzhi_app::evaluations::TieRequest {
        provider_org_id: form.get("provider_org_id").trim().parse().unwrap_or(0),
        kind: form.get("kind").into(),
        since: form.get("since").into(),
        until: Some(form.get("until").to_string()),
        note: form.get("note").into(),
    };
    match evaluations::declare_tie(&state, &user.session.actor, req).await.map_err(AppError::from) {
        Ok(_) => Ok(see_other("/evaluator/ties")),
        Err(e) if fatal(&e) => Err(error_page(&shell, e)),
        Err(e) => show_ties(&state, &user, &form, &Errors::from_error(user.lang, &e), e.status()).await,
    }
}
