//! The sector overview (`/sector`) for civil affairs, supervisors and finance: the providers who could bid, by
//! kind, category and township, where fewer than a procurement's bidders could (capacity missing), the sector's
//! growth by founding year, its staff and certified social workers, its projects' grades, its training; and for
//! civil affairs the qualifications about to lapse. Each chart has its table beside it.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_app::registry::{self, SectorOverview};
use shanzhi_domain::evaluation::Grade;
use shanzhi_domain::org::OrgKind;
use shanzhi_domain::registry::SocialWorkerLevel;
use std::collections::HashMap;

use super::dashboard::{bars, permille, Bar};
use super::layout::{page, row};
use super::{OrPage, Page, SignedIn};
use crate::i18n::Lang;
use crate::AppState;

fn short_tag(lang: Lang, short: bool) -> Markup {
    html! { @if short { strong.tag.tag--red { (lang.t("不足", "Short")) } } }
}

/// One bar per row of `(label, count, short)`, scaled to the largest count.
fn count_bars(id: &str, title: &str, rows: &[(String, i64, bool)]) -> Markup {
    let most = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let bars_of: Vec<Bar> = rows
        .iter()
        .map(|(label, n, short)| Bar {
            label: label.clone(),
            permille: permille(*n, most),
            text: n.to_string(),
            fill: if *short { "fill-lottery" } else { "fill-general" },
            marker: None,
        })
        .collect();
    bars(id, title, &bars_of)
}

fn body(lang: Lang, o: &SectorOverview, flagged: Option<&[registry::FlaggedQualification]>) -> Markup {
    let categories: Vec<(String, i64, bool)> =
        o.categories.iter().map(|c| (format!("{} {}", c.code, c.name), c.providers, c.short)).collect();
    let townships: Vec<(String, i64, bool)> =
        o.townships.iter().map(|t| (t.name.clone(), t.providers, t.short)).collect();
    let growth: Vec<(String, i64, bool)> =
        o.founded_by_year.iter().map(|(y, _, total)| (y.to_string(), *total, false)).collect();
    let sw = [o.social_workers.assistant, o.social_workers.intermediate, o.social_workers.senior];
    let levels: Vec<(String, i64, bool)> = SocialWorkerLevel::ALL
        .iter()
        .zip(sw)
        .map(|(l, n)| (lang.t(l.label_zh(), l.label_en()).to_string(), n, false))
        .collect();
    let short_categories = o.categories.iter().filter(|c| c.short).count();
    let short_townships = o.townships.iter().filter(|t| t.short).count();
    html! {
        dl.summary-list #sector-summary {
            (row(lang.t("可参与竞争的承接主体", "Providers who could bid"), html! { (o.providers) }))
            (row(lang.t("从业人员", "Staff"), html! { (o.staff) }))
            (row(lang.t("持证社会工作者", "Certified social workers"), html! { (sw.iter().sum::<i64>()) }))
            (row(lang.t("培训", "Training"), html! { (o.trainings) (lang.t(" 次，", " courses, ")) (o.training_hours) (lang.t(" 人·学时", " participant-hours")) }))
            (row(lang.t("待核验的注册", "Registrations waiting"), html! { (o.pending) }))
            (row(lang.t("承接能力不足", "Capacity missing"), html! {
                (short_categories) (lang.t(" 个类别、", " categories and ")) (short_townships) (lang.t(" 个乡镇", " townships"))
                (lang.t("（可参与竞争的承接主体少于 ", " (fewer than ")) (o.min_providers) (lang.t(" 家）", " providers could bid)"))
            }))
        }
        h2 { (lang.t("按类型", "By kind")) }
        table.table #sector-kinds {
            thead { tr { th { (lang.t("类型", "Kind")) } th.num { (lang.t("数量", "Providers")) } } }
            tbody { @for (kind, n) in &o.by_kind {
                tr { td { @match OrgKind::parse(kind) { Some(k) => (lang.t(k.label_zh(), k.label_en())), None => (kind) } } td.num { (n) } }
            } }
        }
        h2 #categories { (lang.t("按服务类别", "By category")) }
        (count_bars("sector-categories-chart", lang.t("可参与竞争的承接主体（红色为不足）", "Providers who could bid (red: short)"), &categories))
        table.table #sector-categories {
            thead { tr { th { (lang.t("类别", "Category")) } th.num { (lang.t("承接主体", "Providers")) } th { (lang.t("绩效评价等级", "Evaluation grades")) } th.num { (lang.t("平均得分", "Average score")) } th {} } }
            tbody { @for c in &o.categories {
                tr {
                    td { (c.code) " " (c.name) }
                    td.num { (c.providers) }
                    td { @for g in Grade::ALL { @if let Some(n) = c.grades.get(g.code()) { (lang.t(g.label_zh(), g.label_en())) " " (n) " " } } }
                    td.num { @if let Some(a) = &c.average_score { (a) } }
                    td { (short_tag(lang, c.short)) }
                }
            } }
        }
        h2 #townships { (lang.t("按乡镇（街道）", "By township")) }
        @if o.townships.is_empty() {
            p.muted { (lang.t("该区域下没有乡镇。", "No township in this region.")) }
        } @else {
            (count_bars("sector-townships-chart", lang.t("服务该乡镇的承接主体（红色为不足）", "Providers serving the township (red: short)"), &townships))
            table.table #sector-townships {
                thead { tr { th { (lang.t("乡镇（街道）", "Township")) } th.num { (lang.t("承接主体", "Providers")) } th {} } }
                tbody { @for t in &o.townships { tr { td { (t.name) } td.num { (t.providers) } td { (short_tag(lang, t.short)) } } } }
            }
        }
        h2 #growth { (lang.t("发展情况（按成立年份累计）", "Growth (by founding year, cumulative)")) }
        (count_bars("sector-growth-chart", lang.t("累计承接主体数", "Providers, cumulative"), &growth))
        table.table #sector-growth {
            thead { tr { th { (lang.t("年份", "Year")) } th.num { (lang.t("当年成立", "Founded")) } th.num { (lang.t("累计", "Total")) } } }
            tbody { @for (y, n, total) in &o.founded_by_year { tr { td { (y) } td.num { (n) } td.num { (total) } } } }
        }
        h2 #certification { (lang.t("持证社会工作者", "Certified social workers")) }
        (count_bars("sector-levels-chart", lang.t("按等级", "By level"), &levels))
        table.table #sector-levels {
            thead { tr { th { (lang.t("等级", "Level")) } th.num { (lang.t("人数", "People")) } } }
            tbody { @for (l, n, _) in &levels { tr { td { (l) } td.num { (n) } } } }
        }
        @if let Some(list) = flagged {
            h2 #flagged { (lang.t("即将到期或已过期的资质", "Qualifications expiring or expired")) }
            @if list.is_empty() {
                p.muted { (lang.t("没有。", "None.")) }
            } @else {
                table.table #flagged-qualifications {
                    thead { tr { th { (lang.t("承接主体", "Provider")) } th { (lang.t("资质", "Qualification")) } th { (lang.t("有效期至", "Expires")) } } }
                    tbody { @for f in list { tr {
                        td { a href={"/providers/" (f.qualification.org_id) "#registry"} { (f.provider_name) } }
                        td { (lang.t(f.qualification.kind.label_zh(), f.qualification.kind.label_en())) "：" (f.qualification.name) }
                        td { @if let Some(d) = f.qualification.expires_on { (lang.date(d)) } }
                    } } }
                }
            }
        }
    }
}

pub async fn show(State(state): State<AppState>, user: SignedIn, Query(q): Query<HashMap<String, String>>) -> Page {
    let shell = user.shell();
    let lang = user.lang;
    let actor = &user.session.actor;
    let region = q.get("region").map(String::as_str).filter(|r| !r.is_empty());
    let o = registry::sector(&state, actor, region).await.or_page(&shell)?;
    let flagged = if shanzhi_domain::registry::may_verify(actor) {
        Some(registry::flagged(&state, actor, shanzhi_app::PageRequest::default()).await.or_page(&shell)?.items)
    } else {
        None
    };
    let title = lang.t("承接主体发展情况", "The provider sector");
    let html = html! {
        span.caption { (lang.t("截至 ", "As of ")) (lang.date(o.on)) }
        h1.page-title { (title) }
        p.lead { (lang.t(
            "统计经民政部门核验、未被禁止参加政府采购的承接主体；按其登记的服务区域和类别计数。某一类别或乡镇可参与竞争的承接主体少于一次采购所需的供应商数时，标为不足。",
            "Counts the providers civil affairs has verified and finance has not barred, by the places and categories they registered. A category or township where fewer could bid than a procurement needs is marked short.")) }
        (body(lang, &o, flagged.as_deref()))
    };
    Ok(super::render(StatusCode::OK, page(&shell, title, html)))
}
