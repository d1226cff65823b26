//! Monitoring during service on the project page: each target's progress as the service reports give it, as a
//! chart with the figures beside it, the purchaser's monitoring visits and the form to record one.

use axum::extract::State;
use maud::{html, Markup};
use shanzhi_domain::project::{Progress, Project, Status, VisitKind};

use super::dashboard::{bars, permille, Bar};
use super::forms::{self, options, Errors};
use super::projects::{is_own, project_page, PanelInput};
use super::{error_page, fatal, see_other, Ids, OrPage, Page, Posted, SignedIn};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;
use shanzhi_app::projects::{self, Command, VisitRequest};

fn chart(lang: Lang, progress: &[Progress]) -> Markup {
    let rows: Vec<Bar> = progress
        .iter()
        .map(|p| {
            // The scale: the target, or the figure when it is past the target.
            let max = p.target.hundredths().max(p.reported.map_or(0, |r| r.hundredths()));
            let reported = p.reported.map_or_else(|| "—".to_string(), |r| lang.quantity(r));
            Bar {
                label: p.indicator.clone(),
                permille: p.reported.map_or(0, |r| permille(r.hundredths(), max)),
                text: format!("{reported} / {} {}", lang.quantity(p.target), p.unit),
                fill: if p.behind { "fill-lottery" } else { "fill-general" },
                marker: p.expected.map(|e| permille(e.hundredths(), max)),
            }
        })
        .collect();
    bars(
        "progress",
        lang.t("目标完成进度（最近一期服务报告）", "Progress against the targets (latest service report)"),
        &rows,
    )
}

/// The monitoring section: shown once a contract runs and the project has targets.
pub fn section(lang: Lang, user: &SignedIn, p: &Project, tolerance_bp: u32, input: &PanelInput) -> Markup {
    if p.contract.is_none() || p.design.targets.is_empty() {
        return html! {};
    }
    let progress = p.progress(tolerance_bp);
    let behind: Vec<&str> = progress.iter().filter(|x| x.behind).map(|x| x.indicator.as_str()).collect();
    let reported = progress.iter().any(|x| x.reported.is_some());
    let may_visit = is_own(&user.session.actor, p) && p.status == Status::Acceptance;
    let errors = if input.which == "visit" { &input.errors } else { &Errors::default() };
    let kinds: Vec<(&str, &str)> =
        VisitKind::ALL.iter().map(|k| (k.code(), lang.t(k.label_zh(), k.label_en()))).collect();
    html! {
        section #monitoring {
            h2 { (lang.t("过程监管", "Monitoring")) }
            @if !behind.is_empty() {
                div.notice.notice--warning #behind-targets { p {
                    strong { (lang.t("落后于绩效目标：", "Behind its targets: ")) } (behind.join(lang.t("、", ", ")))
                    @if p.behind_unvisited() { " · " (lang.t("最近一期报告后尚未开展监测走访。", "No monitoring visit since the latest report.")) }
                } }
            }
            @if reported {
                (chart(lang, &progress))
                div.table-wrap { table.table.table--stack #progress {
                    thead { tr {
                        th scope="col" { (lang.t("指标", "Indicator")) } th.num scope="col" { (lang.t("目标值", "Target")) }
                        th.num scope="col" { (lang.t("按进度应达", "Expected by now")) } th.num scope="col" { (lang.t("已完成", "Reported")) }
                        th scope="col" { (lang.t("状态", "Status")) }
                    } }
                    tbody { @for x in &progress { tr {
                        td data-label=(lang.t("指标", "Indicator")) { (x.indicator) }
                        td.num data-label=(lang.t("目标值", "Target")) { (lang.quantity(x.target)) " " (x.unit) }
                        td.num data-label=(lang.t("按进度应达", "Expected by now")) { @if let Some(e) = x.expected { (lang.quantity(e)) } @else { "—" } }
                        td.num data-label=(lang.t("已完成", "Reported")) { @if let Some(r) = x.reported { (lang.quantity(r)) } @else { "—" } }
                        td data-label=(lang.t("状态", "Status")) {
                            @if x.behind { strong.tag.tag--red { (lang.t("落后", "Behind")) } }
                            @else if x.reported.is_some() { strong.tag.tag--green { (lang.t("正常", "On track")) } }
                            @else { span.muted { (lang.t("暂无数据", "Not reported")) } }
                        }
                    } } }
                } }
            } @else {
                p.muted { (lang.t("承接主体提交服务报告后，这里显示各项目标的完成进度。", "Once the provider files a service report, each target's progress shows here.")) }
            }
            h3 { (lang.t("监测走访记录", "Monitoring visits")) }
            @if p.visits.is_empty() {
                p.muted { (lang.t("尚无走访记录。", "No visit recorded yet.")) }
            } @else {
                ul #visits { @for v in &p.visits {
                    li { strong { (lang.date(v.on)) " · " (lang.t(v.kind.label_zh(), v.kind.label_en())) } "：" (v.findings) }
                } }
            }
            @if may_visit {
                form.no-print method="post" action={"/projects/" (p.id) "/visits"} {
                    (forms::csrf(&user.session))
                    (forms::input(forms::Kind::Date, "visit_on", lang.t("走访日期", "Day of the visit"), None, input.form.get("visit_on"), errors.get("visit_on")))
                    (forms::select("visit_kind", lang.t("方式", "How"), None, &forms::plain(options(&kinds)), input.form.get("visit_kind"), errors.get("visit_kind")))
                    (forms::textarea("visit_findings", "visit_findings", lang.t("监测发现与整改要求", "Findings and what must improve"),
                        Some(lang.t("不要写服务对象的姓名或联系方式。", "Do not name service users or give their contacts.")),
                        input.form.get("visit_findings"), errors.get("visit_findings")))
                    (forms::submit(lang.t("记录走访", "Record the visit")))
                }
            }
        }
    }
}

pub async fn record_visit(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, form } = posted;
    let shell = user.shell();
    let req = VisitRequest {
        on: form.get("visit_on").into(),
        kind: form.get("visit_kind").into(),
        findings: form.get("visit_findings").into(),
    };
    match projects::perform(&state, &user.session.actor, ids.id, Command::RecordVisit(req))
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(see_other(&format!("/projects/{}#monitoring", ids.id))),
        Err(e) if fatal(&e) => Err(error_page(&shell, e)),
        Err(e) => {
            let p = projects::visible_project(&state, &user.session.actor, ids.id).await.or_page(&shell)?;
            let errors = Errors::from_error(user.lang, &e)
                .rename("on", "visit_on")
                .rename("kind", "visit_kind")
                .rename("findings", "visit_findings");
            project_page(&state, &user, &p, &PanelInput { which: "visit", form, errors }, e.status()).await
        }
    }
}
