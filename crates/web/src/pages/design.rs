//! Step 1, designing a project: the new-project form and the same form for changing a design.

use axum::extract::State;
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_app::directory::Offer;
use shanzhi_domain::catalogue::{category_status, Category, CategoryStatus};
use shanzhi_domain::evaluation::{Dimension, ScoringRule};
use shanzhi_domain::org::Role;
use shanzhi_domain::project::{Design, PerformanceTarget, Project, PurchaseMode, TargetGroup};

use super::choosers;
use super::forms::{self, error_summary, plain, row_name, Errors, Form, Kind, OptGroup};
use super::layout::{breadcrumbs, page, Shell};
use super::project_view::{form_heading, Refs};
use super::projects::{for_form, is_own};
use super::{error_page, fatal, render, see_other, Ids, OrPage, Page, Posted, SignedIn};
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::AppState;
use shanzhi_app::projects::{self, Command, DesignRequest, PostRequest, TargetRequest};

const TARGET_COLS: [&str; 6] = ["indicator", "dimension", "value", "unit", "weight", "rule"];
const POST_COLS: [&str; 3] = ["host", "title", "count"];

/// Reads the design form into the shared request, renumbering its rows in `form` (see `Form::take_rows`).
pub fn design_request(form: &mut Form) -> DesignRequest {
    let targets = form
        .take_rows("target", &TARGET_COLS, &["indicator", "value", "unit"])
        .into_iter()
        .map(|r| TargetRequest {
            indicator: r[0].clone(),
            // The dimension implies the group; one that is none leaves the group to be refused.
            group: Dimension::parse(&r[1]).map(|d| d.group().code().to_string()).unwrap_or_else(|| r[1].clone()),
            dimension: r[1].clone(),
            target: r[2].clone(),
            unit: r[3].clone(),
            weight: r[4].parse().unwrap_or(0),
            rule: r[5].clone(),
        })
        .collect();
    let posts = form
        .take_rows("post", &POST_COLS, &["title", "count"])
        .into_iter()
        .map(|r| PostRequest {
            host_org_id: r[0].parse().unwrap_or(0),
            title: r[1].clone(),
            count: r[2].parse().unwrap_or(0),
        })
        .collect();
    DesignRequest {
        title: form.get("title").into(),
        category: form.get("category").into(),
        regions: form.all("regions").into_iter().map(Into::into).collect(),
        target_groups: form.all("target_groups").into_iter().map(Into::into).collect(),
        mode: form.get("mode").into(),
        content: form.get("content").into(),
        standards: form.get("standards").into(),
        period_start: form.get("period_start").into(),
        period_end: form.get("period_end").into(),
        continuing: form.flag("continuing"),
        targets,
        posts,
    }
}

/// Target `t` as the form's row `i`.
fn push_target(f: &mut Form, i: usize, t: &PerformanceTarget) {
    let weight = t.weight.to_string();
    for (col, v) in
        TARGET_COLS.iter().zip([&t.indicator, t.dimension.code(), &t.target, &t.unit, &weight, t.rule.code()])
    {
        f.push(row_name("target", col, i), v);
    }
}

/// A saved design as the form's values, for editing.
fn design_form_values(d: &Design) -> Form {
    let mut f = Form::default();
    for (k, v) in [
        ("title", d.title.as_str()),
        ("category", &d.category),
        ("mode", d.mode.code()),
        ("content", &d.content),
        ("standards", &d.standards),
    ] {
        f.push(k, v);
    }
    f.push("period_start", d.period_start.to_string());
    f.push("period_end", d.period_end.to_string());
    if d.continuing {
        f.push("continuing", "yes");
    }
    d.regions.iter().for_each(|r| f.push("regions", r.clone()));
    d.target_groups.iter().for_each(|g| f.push("target_groups", g.code()));
    for (i, t) in d.targets.iter().enumerate() {
        push_target(&mut f, i, t);
    }
    for (i, p) in d.posts.iter().enumerate() {
        for (col, v) in POST_COLS.iter().zip([p.host_org_id.to_string(), p.title.clone(), p.count.to_string()]) {
            f.push(row_name("post", col, i), v);
        }
    }
    f
}

/// The catalogue by top-level heading, with everything on the negative list gathered at the end so
/// people see what may not be bought.
fn category_options(lang: Lang, cats: &[Category]) -> Vec<OptGroup> {
    let depth = |c: &Category| {
        std::iter::successors(c.parent.as_deref(), |p| cats.iter().find(|x| x.code == *p)?.parent.as_deref())
            .take(8)
            .count()
    };
    let label = |c: &Category| format!("{}{} {}", "　".repeat(depth(c).saturating_sub(1)), c.code, c.name);
    let under = |head: &str, c: &Category| {
        std::iter::successors(Some(c), |x| cats.iter().find(|p| Some(&p.code) == x.parent.as_ref()))
            .take(8)
            .any(|x| x.code == head)
    };
    let negative = |c: &Category| category_status(cats, &c.code) == CategoryStatus::Negative;
    let mut groups = plain(vec![(String::new(), lang.t("请选择服务类别", "Choose a category").into())]);
    for head in cats.iter().filter(|c| c.parent.is_none() && !negative(c)) {
        let options: Vec<_> = cats
            .iter()
            .filter(|c| c.code != head.code && under(&head.code, c) && !negative(c))
            .map(|c| (c.code.clone(), label(c)))
            .collect();
        let options = if options.is_empty() { vec![(head.code.clone(), label(head))] } else { options };
        groups.push(OptGroup { label: Some(format!("{} {}", head.code, head.name)), options });
    }
    let banned: Vec<_> = cats.iter().filter(|c| negative(c)).map(|c| (c.code.clone(), label(c))).collect();
    if !banned.is_empty() {
        groups.push(OptGroup {
            label: Some(lang.t("负面清单（不得购买）", "Negative list (may not be bought)").into()),
            options: banned,
        });
    }
    groups
}

fn pairs<T: Copy>(
    lang: Lang,
    all: &[T],
    code: fn(T) -> &'static str,
    zh: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter().map(|v| (code(*v).to_string(), lang.t(zh(*v), en(*v)).to_string())).collect()
}

/// Shown rows: at least `min`, and one blank row after the filled ones.
fn rows_to_show(form: &Form, prefix: &str, min: usize) -> usize {
    (form.row_count(prefix) + 1).max(min)
}

fn design_page(
    shell: &Shell,
    session: &Session,
    refs: &Refs,
    form: &Form,
    errors: &Errors,
    p: Option<&Project>,
) -> Markup {
    let lang = shell.lang;
    let e = |k: &str| errors.get(k);
    let (title, action, button) = match p {
        None => (
            lang.t("新建项目", "Start a new project"),
            "/projects/new".to_string(),
            lang.t("创建项目", "Create the project"),
        ),
        Some(p) => (
            lang.t("修改项目设计", "Change the design"),
            format!("/projects/{}/design", p.id),
            lang.t("保存设计", "Save the design"),
        ),
    };
    let regions: Vec<(String, String)> = refs.regions.iter().map(|r| (r.code.clone(), r.name.clone())).collect();
    let groups = pairs(lang, TargetGroup::ALL, TargetGroup::code, TargetGroup::label_zh, TargetGroup::label_en);
    let modes = pairs(lang, PurchaseMode::ALL, PurchaseMode::code, PurchaseMode::label_zh, PurchaseMode::label_en);
    // Each dimension under its group: 产出指标·数量指标 …
    let dimensions = plain(
        Dimension::ALL
            .iter()
            .map(|d| {
                let group = lang.t(d.group().label_zh(), d.group().label_en());
                (d.code().to_string(), format!("{group}·{}", lang.t(d.label_zh(), d.label_en())))
            })
            .collect(),
    );
    let rules = plain(pairs(lang, ScoringRule::ALL, ScoringRule::code, ScoringRule::label_zh, ScoringRule::label_en));
    let mut hosts = vec![(String::new(), lang.t("请选择设岗单位", "Choose the host unit").to_string())];
    hosts.extend(refs.orgs.iter().map(|o| (o.id.to_string(), o.name.clone())));
    let hosts = plain(hosts);
    let body = html! {
        (error_summary(lang, errors))
        @match p {
            Some(p) => (form_heading(lang, p, title)),
            None => {
                (breadcrumbs(lang, &[("/projects", lang.t("项目", "Projects")), ("", title)]))
                span.caption { (lang.t("第一步：设计项目", "Step 1: design")) }
                h1.page-title { (title) }
            }
        }
        form method="post" action=(action) novalidate {
            // Enter in a field submits with the form's first button: the design's own, not the template's below.
            @if p.is_none() { button.visually-hidden type="submit" tabindex="-1" aria-hidden="true" { (button) } }
            (forms::csrf(session))
            (forms::text_field(
                "title",
                lang.t("项目名称", "Project title"),
                Some(lang.t(
                    "例如：2025年夷陵区农村留守儿童关爱服务项目",
                    "For example: 2025 care service for rural left-behind children",
                )),
                form.get("title"),
                e("title"),
            ))
            (forms::select(
                "category",
                lang.t("服务类别", "Service category"),
                Some(lang.t(
                    "按指导性目录选择。负面清单中的事项不得购买。",
                    "Choose from the guidance catalogue. Items on the negative list may not be bought.",
                )),
                &category_options(lang, &refs.catalogue),
                form.get("category"),
                e("category"),
            ))
            (forms::choices(
                true,
                "regions",
                lang.t("服务区域", "Areas served"),
                Some(lang.t("可多选。", "Choose all that apply.")),
                &regions,
                &form.all("regions"),
                e("regions"),
            ))
            (forms::choices(
                true,
                "target_groups",
                lang.t("服务对象", "Who is served"),
                Some(lang.t("可多选。", "Choose all that apply.")),
                &groups,
                &form.all("target_groups"),
                e("target_groups"),
            ))
            (forms::choices(
                false,
                "mode",
                lang.t("购买方式", "Purchase mode"),
                Some(lang.t(
                    "岗位购买：承接主体派驻社工到设岗单位；项目购买：承接主体按项目提供服务。",
                    "Post purchase: the provider places social workers at host units. Project purchase: the provider delivers a project.",
                )),
                &modes,
                &[form.get("mode")],
                e("mode"),
            ))
            (forms::textarea(
                "content",
                "content",
                lang.t("服务内容", "Service content"),
                Some(lang.t("写清楚做什么、为谁做、做多少。", "Say what will be done, for whom and how much.")),
                form.get("content"),
                e("content"),
            ))
            (forms::textarea(
                "standards",
                "standards",
                lang.t("服务标准", "Service standards"),
                Some(lang.t("人员资质、服务频次、质量要求等。", "Staff qualifications, frequency, quality requirements.")),
                form.get("standards"),
                e("standards"),
            ))
            fieldset {
                legend { (lang.t("服务期限", "Service period")) }
                div.form-row {
                    (forms::date_field(
                        "period_start",
                        lang.t("开始日期", "Start date"),
                        None,
                        form.get("period_start"),
                        e("period_start"),
                    ))
                    (forms::date_field(
                        "period_end",
                        lang.t("结束日期", "End date"),
                        None,
                        form.get("period_end"),
                        e("period_end"),
                    ))
                }
                (forms::checkbox(
                    "continuing",
                    lang.t("持续性服务", "Continuing service"),
                    Some(lang.t(
                        "服务稳定、持续且资金有保障的，合同期限最长可达 3 年；否则一般不超过 1 年。",
                        "Stable, continuing services with secured funding may run up to 3 years; otherwise at most 1 year.",
                    )),
                    form.flag("continuing"),
                ))
            }
            fieldset.field.field--error[e("targets").is_some()] {
                legend { (lang.t("绩效目标", "Performance targets")) }
                span.hint { (lang.t(
                    "至少填写一项，目标值为正数，各项权重合计 100 分（产出、效益、满意度指标）。空行会被忽略。",
                    "Add at least one, each with a positive target value; the weights add up to 100 points (output, effect and satisfaction indicators). Blank rows are ignored.",
                )) }
                @if let Some(m) = e("targets") { span.error-message { (m) } }
                @if p.is_none() {
                    p.no-print {
                        button.btn.btn--secondary #use-template type="submit" name="use_template" value="yes" formnovalidate {
                            (lang.t("按所选服务类别填入绩效目标模板", "Fill in the targets of the chosen category's template"))
                        }
                    }
                }
                @for i in 0..rows_to_show(form, "target", 3) {
                    @let n = |c: &str| row_name("target", c, i);
                    div.form-row role="group" aria-label={(lang.t("绩效目标 ", "Target ")) (i + 1)} {
                        (forms::text_field(
                            &n("indicator"),
                            lang.t("指标名称", "Indicator"),
                            None,
                            form.get(&n("indicator")),
                            e(&n("indicator")),
                        ))
                        (forms::select(
                            &n("dimension"),
                            lang.t("指标类别", "Kind of indicator"),
                            None,
                            &dimensions,
                            form.get(&n("dimension")),
                            e(&n("dimension")),
                        ))
                        (forms::text_field(
                            &n("value"),
                            lang.t("目标值", "Target value"),
                            None,
                            form.get(&n("value")),
                            e(&n("value")),
                        ))
                        (forms::text_field(&n("unit"), lang.t("单位", "Unit"), None, form.get(&n("unit")), e(&n("unit"))))
                        (forms::text_field(&n("weight"), lang.t("权重（分）", "Weight (points)"), None, form.get(&n("weight")), e(&n("weight"))))
                        (forms::select(
                            &n("rule"),
                            lang.t("计分方法", "Scoring"),
                            None,
                            &rules,
                            form.get(&n("rule")),
                            e(&n("rule")),
                        ))
                    }
                }
            }
            fieldset.field.field--error[e("posts").is_some()] {
                legend { (lang.t("购买岗位", "Posts")) }
                span.hint { (lang.t(
                    "仅岗位购买需要填写；项目购买请留空。",
                    "Only for post purchase; leave blank for project purchase.",
                )) }
                @if let Some(m) = e("posts") { span.error-message { (m) } }
                @for i in 0..rows_to_show(form, "post", 3) {
                    @let n = |c: &str| row_name("post", c, i);
                    div.form-row role="group" aria-label={(lang.t("岗位 ", "Post ")) (i + 1)} {
                        (forms::select(
                            &n("host"),
                            lang.t("设岗单位", "Host unit"),
                            None,
                            &hosts,
                            form.get(&n("host")),
                            e(&n("host")),
                        ))
                        (forms::text_field(
                            &n("title"),
                            lang.t("岗位名称", "Post title"),
                            None,
                            form.get(&n("title")),
                            e(&n("title")),
                        ))
                        (forms::cell(
                            Kind::Integer,
                            &n("count"),
                            lang.t("数量", "Count"),
                            form.get(&n("count")),
                            e(&n("count")),
                        ))
                    }
                }
            }
            div.button-group {
                (forms::submit(button))
                a href=(p.map_or("/".to_string(), |p| format!("/projects/{}", p.id))) { (lang.t("取消", "Cancel")) }
            }
        }
    };
    page(shell, title, body)
}

/// What the design form offers `user`: the catalogue, the places its projects may serve and the active
/// organisations of its home place as post hosts, each with the form's current values kept.
async fn design_refs(state: &AppState, user: &SignedIn, form: &Form) -> AppResult<Refs> {
    let actor = &user.session.actor;
    let chosen: Vec<String> = form.all("regions").into_iter().map(String::from).collect();
    let hosts: Vec<String> = (0..form.row_count("post")).map(|i| row_name("post", "host", i)).collect();
    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
    Ok(Refs {
        catalogue: shanzhi_app::reference::catalogue(state).await?,
        regions: shanzhi_app::reference::service_areas(state, actor, &chosen).await?,
        orgs: choosers::offered(state, actor, Offer::Active, form, &hosts).await?,
        rules: state.rules.clone(),
    })
}

fn may_create(user: &SignedIn) -> Result<(), axum::response::Response> {
    if user.session.actor.has(Role::Purchaser) {
        Ok(())
    } else {
        Err(error_page(&user.shell(), AppError::forbidden("create_project")))
    }
}

pub async fn new_form(State(state): State<AppState>, user: SignedIn) -> Page {
    may_create(&user)?;
    let mut form = Form::default();
    form.push("mode", PurchaseMode::Project.code());
    let refs = design_refs(&state, &user, &form).await.or_page(&user.shell())?;
    Ok(render(StatusCode::OK, design_page(&user.shell(), &user.session, &refs, &form, &Errors::default(), None)))
}

pub async fn create(State(state): State<AppState>, posted: Posted) -> Page {
    let Posted { user, mut form } = posted;
    may_create(&user)?;
    if form.flag("use_template") {
        // Not a creation: the form again, its targets the chosen category's template, everything else as typed.
        form.take_rows("target", &TARGET_COLS, &[]);
        for (i, t) in shanzhi_domain::evaluation::template(form.get("category")).iter().enumerate() {
            push_target(&mut form, i, t);
        }
        let refs = design_refs(&state, &user, &form).await.or_page(&user.shell())?;
        let page = design_page(&user.shell(), &user.session, &refs, &form, &Errors::default(), None);
        return Ok(render(StatusCode::OK, page));
    }
    let req = design_request(&mut form);
    match projects::create_project(&state, &user.session.actor, req).await.map_err(AppError::from) {
        Ok(p) => Ok(see_other(&format!("/projects/{}", p.id))),
        Err(e) if fatal(&e) => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let refs = design_refs(&state, &user, &form).await.or_page(&user.shell())?;
            let errors = Errors::from_error(user.lang, &e);
            Err(render(e.status(), design_page(&user.shell(), &user.session, &refs, &form, &errors, None)))
        }
    }
}

async fn load_for_edit(state: &AppState, user: &SignedIn, id: i64) -> Result<Project, axum::response::Response> {
    for_form(state, user, id, "edit_design", |o| o.edit_design, is_own).await
}

pub async fn edit_form(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    let p = load_for_edit(&state, &user, ids.id).await?;
    let form = design_form_values(&p.design);
    let refs = design_refs(&state, &user, &form).await.or_page(&user.shell())?;
    Ok(render(StatusCode::OK, design_page(&user.shell(), &user.session, &refs, &form, &Errors::default(), Some(&p))))
}

pub async fn edit(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, mut form } = posted;
    let req = design_request(&mut form);
    match projects::perform(&state, &user.session.actor, ids.id, Command::EditDesign(req)).await.map_err(AppError::from)
    {
        Ok(p) => Ok(see_other(&format!("/projects/{}", p.id))),
        Err(e) if fatal(&e) => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let p = projects::visible_project(&state, &user.session.actor, ids.id).await.or_page(&user.shell())?;
            let refs = design_refs(&state, &user, &form).await.or_page(&user.shell())?;
            let errors = Errors::from_error(user.lang, &e);
            Err(render(e.status(), design_page(&user.shell(), &user.session, &refs, &form, &errors, Some(&p))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_form_reads_rows_and_choices() {
        let body = "title=T&category=A0701&regions=420506&regions=420506001&target_groups=elderly_alone&mode=post\
                    &period_start=2025-01-01&period_end=2025-12-31&continuing=yes\
                    &target_indicator_0=&target_dimension_0=quantity&target_value_0=&target_unit_0=&target_weight_0=\
                    &target_indicator_1=%E4%BA%BA%E6%95%B0&target_dimension_1=sustainability&target_value_1=15&target_unit_1=%E4%BA%BA\
                    &target_weight_1=100&target_rule_1=reached\
                    &post_host_0=7&post_title_0=%E7%A4%BE%E5%B7%A5&post_count_0=2&post_host_1=&post_title_1=&post_count_1=";
        let mut form = Form::parse(body.as_bytes());
        let req = design_request(&mut form);
        assert_eq!(req.regions, ["420506", "420506001"]);
        assert_eq!(req.target_groups, ["elderly_alone"], "not mistaken for a `target` row");
        assert!(req.continuing);
        assert_eq!(req.targets.len(), 1);
        let t = &req.targets[0];
        assert_eq!((t.group.as_str(), t.dimension.as_str(), t.target.as_str()), ("effect", "sustainability", "15"));
        assert_eq!((t.weight, t.rule.as_str()), (100, "reached"));
        assert_eq!(form.get("target_indicator_0"), "人数", "kept rows are renumbered for re-rendering");
        assert_eq!(req.posts.len(), 1);
        assert_eq!((req.posts[0].host_org_id, req.posts[0].count), (7, 2));
    }

    #[test]
    fn negative_list_is_its_own_group() {
        let cat = |code: &str, parent: Option<&str>, negative| Category {
            code: code.into(),
            name: code.into(),
            parent: parent.map(Into::into),
            negative,
        };
        let cats = [
            cat("A", None, false),
            cat("A07", Some("A"), false),
            cat("A0701", Some("A07"), false),
            cat("X", None, true),
            cat("X01", Some("X"), false),
        ];
        let groups = category_options(Lang::Zh, &cats);
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[1].options.iter().map(|o| o.0.as_str()).collect::<Vec<_>>(), ["A07", "A0701"]);
        assert_eq!(groups[2].label.as_deref(), Some("负面清单（不得购买）"));
        assert_eq!(groups[2].options.iter().map(|o| o.0.as_str()).collect::<Vec<_>>(), ["X", "X01"]);
    }
}
