//! Public notices (采购公告) without sign-in: the list, newest first and filtered by kind, and one printable
//! notice. A notice shows only the body fields named here, by kind; anything else in a body is never shown.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use serde_json::Value;
use shanzhi_domain::notice::{body_money, Heading, Notice, NoticeKind};
use shanzhi_domain::procurement::{ChallengeAbout, Consequence, Method, Scoring, SingleSourceCase};

use super::layout::{breadcrumbs, page, row};
use super::project_view::{paras, percent};
use super::{render, Ids, OrPage, Page, Viewer};
use crate::i18n::Lang;
use crate::paging::{next_page_href, ListQuery};
use crate::AppState;
use shanzhi_app::procurements;

pub fn kind_label(lang: Lang, k: NoticeKind) -> &'static str {
    lang.t(k.label_zh(), k.label_en())
}

/// A notice's title in the reader's language (see [`shanzhi_domain::notice::NewNotice::title_en`]).
pub fn notice_title(lang: Lang, n: &Notice) -> String {
    notice_title_with(lang, n, &n.notice.body.heading())
}

/// [`notice_title`] from the body's heading, already read.
fn notice_title_with(lang: Lang, n: &Notice, heading: &Heading) -> String {
    match lang {
        Lang::Zh => n.notice.title.clone(),
        Lang::En => n.notice.title_en_with(heading),
    }
}

pub async fn list(State(state): State<AppState>, v: Viewer, RawQuery(raw): RawQuery) -> Page {
    let shell = v.shell();
    let lang = v.lang;
    let q = ListQuery::parse_page(raw.as_deref(), &crate::filters::NOTICE_FILTERS).or_page(&shell)?;
    let kind = q.text("kind").as_deref().and_then(NoticeKind::parse);
    let listed = procurements::notice_page(&state, &crate::filters::notice_filter(&q).or_page(&shell)?, q.page)
        .await
        .or_page(&shell)?;
    let notices = &listed.items;
    let region = q.text("region");
    let places = shanzhi_app::reference::place_choice(&state, region.as_deref()).await.or_page(&shell)?;
    let next = listed.next.map(|cursor| next_page_href("/notices", raw.as_deref(), cursor));
    let title = lang.t("采购公告", "Procurement notices");
    let feed = crate::feeds::feed_href(kind, region.as_deref());
    let body = html! {
        h1.page-title { (title) }
        p.lead { (lang.t(
            "采购意向、采购公告、更正公告、结果公告等依法公开的信息，无需登录即可查阅。",
            "Purchase intentions, announcements, corrections, results and other notices the law requires to be public; no sign-in needed.",
        )) }
        p.no-print { a #feed href=(feed) type="application/atom+xml" { (lang.t("订阅这些公告（Atom）", "Subscribe to these notices (Atom)")) } }
        form.no-print method="get" action="/notices" role="search" {
            div.field {
                label for="q" { (lang.t("搜索（项目名称、采购人，如“养老”）", "Search (project, purchaser, e.g. 养老)")) }
                input #q type="search" name="q" maxlength="50" value=[q.text("q")];
            }
            div.field {
                label for="kind" { (lang.t("公告类型", "Kind of notice")) }
                select #kind name="kind" {
                    option value="" { (lang.t("全部", "All")) }
                    @for k in NoticeKind::ALL {
                        option value=(k.code()) selected[kind == Some(*k)] { (kind_label(lang, *k)) }
                    }
                }
            }
            div.field {
                label for="year" { (lang.t("发布年度", "Year published")) }
                input #year .input--short name="year" inputmode="numeric" value=[q.text("year")];
            }
            (super::places::place_field(lang, &places, region.as_deref()))
            details.more-filters open[["category", "budget_min", "budget_max", "from", "to"].iter().any(|f| q.text(f).is_some())] {
                summary { (lang.t("更多筛选", "More filters")) }
                div.field {
                    label for="category" { (lang.t("服务类别代码（如 A07）", "Category code (e.g. A07)")) }
                    input #category .input--short name="category" value=[q.text("category")];
                }
                div.field {
                    label for="budget_min" { (lang.t("预算金额（元）从", "Budget (yuan) from")) }
                    input #budget_min .input--short name="budget_min" inputmode="decimal" value=[q.text("budget_min")];
                    label for="budget_max" { (lang.t("至", "to")) }
                    input #budget_max .input--short name="budget_max" inputmode="decimal" value=[q.text("budget_max")];
                }
                div.field {
                    label for="from" { (lang.t("发布日期从", "Published from")) }
                    input #from type="date" name="from" value=[q.text("from")];
                    label for="to" { (lang.t("至", "to")) }
                    input #to type="date" name="to" value=[q.text("to")];
                }
            }
            div.button-group { button.btn.btn--secondary type="submit" { (lang.t("筛选", "Filter")) } }
        }
        @if let Some(words) = q.text("q") {
            p.hint.no-print {
                a #search-projects href={"/projects?q=" (form_urlencoded::byte_serialize(words.as_bytes()).collect::<String>())} {
                    (lang.t("在项目中搜索", "Search the projects for")) " “" (words) "”"
                }
            }
        }
        @if notices.is_empty() {
            p.notice { (lang.t("暂无公告。", "No notices yet.")) }
        } @else {
            ul.queue #notices {
                @for n in notices { (notice_item(lang, n, true)) }
            }
        }
        @if let Some(href) = &next {
            p.no-print { a.btn.btn--secondary href=(href) { (lang.t("下一页", "Next page")) } }
        }
    };
    Ok(render(StatusCode::OK, page(&shell, title, body)))
}

/// A notice in a list: its title linking to it, its kind and the day it was published, with its purchaser unless
/// the list is all one project's.
pub fn notice_item(lang: Lang, n: &Notice, with_purchaser: bool) -> Markup {
    let heading = n.notice.body.heading();
    html! {
        li.queue__item {
            a href={"/notices/" (n.id)} { (notice_title_with(lang, n, &heading)) }
            " " strong.tag.tag--blue { (kind_label(lang, n.notice.kind)) }
            p.queue__meta {
                (lang.t("发布日期：", "Published: ")) (lang.date(n.notice.published_on))
                @if let (true, Some(p)) = (with_purchaser, &heading.purchaser) { " · " (p) }
            }
        }
    }
}

pub async fn show(State(state): State<AppState>, v: Viewer, ids: Ids) -> Page {
    let shell = v.shell();
    let n = procurements::notice(&state, ids.id).await.or_page(&shell)?;
    let lang = v.lang;
    let heading = notice_title(lang, &n);
    let body = html! {
        div.no-print { (breadcrumbs(lang, &[("/notices", lang.t("采购公告", "Procurement notices")), ("", &heading)])) }
        div.print-header.print-only { p { (lang.t("政府购买服务公告", "Public service purchasing notice")) } }
        span.caption { (kind_label(lang, n.notice.kind)) }
        h1.page-title { (heading) }
        (notice_body(lang, &n))
        p.no-print {
            a #project-link href={"/projects/" (n.notice.project_id)} { (lang.t("查看项目公开信息", "The project's public record")) }
            " · "
            a href="/notices" { (lang.t("返回公告列表", "Back to the notices")) }
        }
    };
    Ok(render(StatusCode::OK, page(&shell, &heading, body)))
}

fn text<'a>(b: &'a Value, key: &str) -> Option<&'a str> {
    b.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn instant(lang: Lang, b: &Value, key: &str) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(text(b, key)?).ok()?;
    Some(lang.datetime(t.with_timezone(&chrono::Utc)))
}

fn day(lang: Lang, b: &Value, key: &str) -> Option<String> {
    Some(lang.date(text(b, key)?.parse().ok()?))
}

pub fn scoring_text(lang: Lang, s: &Scoring) -> String {
    match s {
        Scoring::LowestPrice => lang.t("最低评标价法", "Lowest evaluated price").to_string(),
        Scoring::Comprehensive { price_weight_bp, criteria } => {
            let mut parts = vec![format!("{} {}", lang.t("价格", "Price"), percent(*price_weight_bp))];
            parts.extend(criteria.iter().map(|c| format!("{} {}", c.name, percent(c.weight_bp))));
            format!("{}（{}）", lang.t("综合评分法", "Comprehensive scoring"), parts.join(lang.t("，", ", ")))
        }
    }
}

/// The body fields each kind publishes, in reading order.
fn notice_body(lang: Lang, n: &Notice) -> Markup {
    let body = n.notice.body.value();
    let b = &body;
    let money = |k: &str| body_money(b, k).map(|m| lang.money(m));
    let label = |code: Option<&str>, f: &dyn Fn(&str) -> Option<(&'static str, &'static str)>| {
        code.and_then(f).map(|(zh, en)| lang.t(zh, en).to_string())
    };
    let method = label(text(b, "method"), &|c| Method::parse(c).map(|m| (m.label_zh(), m.label_en())));
    let case = label(text(b, "case"), &|c| SingleSourceCase::parse(c).map(|m| (m.label_zh(), m.label_en())));
    let about = label(text(b, "about"), &|c| ChallengeAbout::parse(c).map(|m| (m.label_zh(), m.label_en())));
    let consequence = label(text(b, "consequence"), &|c| Consequence::parse(c).map(|m| (m.label_zh(), m.label_en())));
    let scoring: Option<Scoring> = b.get("scoring").and_then(|s| serde_json::from_value(s.clone()).ok());
    let committee: Vec<&str> = b
        .get("committee")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let members: Vec<(String, Option<String>)> = b
        .get("members")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|m| {
                    Some((m.get("name")?.as_str()?.to_string(), body_money(m, "price").map(|p| lang.money(p))))
                })
                .collect()
        })
        .unwrap_or_default();
    // An acceptance result's milestones, a line each: name, due date, amount and the day it was accepted.
    let milestones: Vec<String> = b
        .get("milestones")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|m| {
                    let mut parts = vec![m.get("name")?.as_str()?.to_string()];
                    parts.extend(day(lang, m, "due").map(|d| format!("{}{d}", lang.t("到期 ", "due "))));
                    parts.extend(body_money(m, "amount").map(|a| lang.money(a)));
                    parts.extend(
                        day(lang, m, "accepted_on").map(|d| format!("{}{d}", lang.t("验收于 ", "accepted on "))),
                    );
                    Some(parts.join(" · "))
                })
                .collect()
        })
        .unwrap_or_default();
    // An evaluation result's parties and indicators, a line each.
    let list = |key: &str, line: &dyn Fn(&Value) -> Option<String>| -> Vec<String> {
        b.get(key).and_then(Value::as_array).map(|a| a.iter().filter_map(line).collect()).unwrap_or_default()
    };
    let parts = list("parts", &|x| {
        let party = shanzhi_domain::evaluation::Party::parse(x.get("party")?.as_str()?)?;
        Some(format!("{}：{}", lang.t(party.label_zh(), party.label_en()), x.get("total")?.as_str()?))
    });
    let lines = list("lines", &|x| {
        Some(format!(
            "{} · {} {} · {}",
            x.get("indicator")?.as_str()?,
            x.get("points")?.as_str()?,
            lang.t("分，权重", "points of"),
            x.get("weight")?.as_u64()?
        ))
    });
    let provider_label =
        if matches!(n.notice.kind, NoticeKind::Contract | NoticeKind::Acceptance | NoticeKind::Evaluation) {
            lang.t("供应商", "Provider")
        } else {
            lang.t("拟定供应商", "Proposed supplier")
        };
    let opt = |label: &str, v: Option<String>| html! { @if let Some(v) = v { (row(label, html! { (v) })) } };
    html! {
        dl.summary-list #notice-body {
            (opt(lang.t("项目编号", "Project code"), text(b, "project_code").map(String::from)))
            (opt(lang.t("项目名称", "Project"), text(b, "title").map(String::from)))
            (opt(lang.t("采购人", "Purchaser"), text(b, "purchaser").map(String::from)))
            (opt(lang.t("采购方式", "Method"), method))
            (opt(lang.t("采购方式批准", "Method approved by"), b.get("approval").and_then(|a| Some(format!("{} {}", a.get("authority")?.as_str()?, a.get("document_no")?.as_str()?)))))
            (opt(lang.t("预算金额", "Budget"), money("budget")))
            (opt(lang.t("预计采购时间不早于", "Not to start before"), day(lang, b, "earliest_start")))
            @if let Some(r) = text(b, "requirements") { (row(lang.t("采购需求", "Requirements"), paras(r))) }
            @if let Some(r) = text(b, "qualifications") { (row(lang.t("供应商资格要求", "Qualifications"), paras(r))) }
            (opt(lang.t("评审方法", "Evaluation"), scoring.as_ref().map(|s| scoring_text(lang, s))))
            (opt(lang.t("小微企业价格扣除", "Small-enterprise price deduction"),
                b.get("sme_deduction_bp").and_then(Value::as_u64).filter(|v| *v > 0).map(|v| percent(v as u32))))
            (opt(lang.t("获取采购文件截止", "Documents available until"), day(lang, b, "documents_until")))
            (opt(provider_label, text(b, "provider").map(String::from)))
            (opt(lang.t("单一来源理由", "Why single source"), case))
            @if let Some(r) = text(b, "justification") { (row(lang.t("论证意见", "Justification"), paras(r))) }
            @if let Some(r) = text(b, "text") { (row(lang.t("更正（澄清）内容", "Correction or clarification"), paras(r))) }
            (opt(lang.t("投标（响应）截止时间", "Bid deadline"), instant(lang, b, "bid_deadline")))
            (opt(lang.t("中标（成交）供应商", "Winner"), text(b, "winner").map(String::from)))
            (opt(lang.t("中标（成交）金额", "Price"), money("price")))
            (opt(lang.t("评审得分", "Score"), text(b, "score").map(String::from)))
            @if members.len() > 1 {
                (row(lang.t("入围供应商", "Framework members"), html! { ul { @for (name, price) in &members {
                    li { (name) @if let Some(p) = price { " · " (p) } }
                } } }))
            }
            @if !committee.is_empty() { (row(lang.t("评审委员会成员", "Evaluation committee"), html! { (committee.join(lang.t("、", ", "))) })) }
            @if let Some(r) = text(b, "reason") { (row(lang.t("终止（废标）原因", "Reason"), paras(r))) }
            (opt(lang.t("投诉人", "Complainant"), text(b, "complainant").map(String::from)))
            (opt(lang.t("投诉事项", "About"), about))
            @if let Some(u) = b.get("upheld").and_then(Value::as_bool) {
                (row(lang.t("处理结果", "Decision"), html! { @if u { (lang.t("投诉成立", "Upheld")) } @else { (lang.t("投诉不成立，予以驳回", "Dismissed")) } }))
            }
            (opt(lang.t("处理方式", "Consequence"), consequence))
            @if let Some(r) = text(b, "reasons") { (row(lang.t("处理理由", "Reasons"), paras(r))) }
            (opt(lang.t("合同金额", "Contract amount"), money("amount")))
            (opt(lang.t("合同开始", "Contract starts"), day(lang, b, "start")))
            (opt(lang.t("合同结束", "Contract ends"), day(lang, b, "end")))
            (opt(lang.t("签订日期", "Signed on"), day(lang, b, "signed_on")))
            (opt(lang.t("已支付金额", "Paid"), money("paid")))
            @if !milestones.is_empty() {
                (row(lang.t("验收节点", "Milestones"), html! { ul { @for line in &milestones { li { (line) } } } }))
            }
            (opt(lang.t("验收完成日期", "Acceptance completed on"), day(lang, b, "accepted_on")))
            (opt(lang.t("按绩效评价等级扣减", "Withheld by the evaluation's grade"), money("withheld")))
            (opt(lang.t("第三方评估机构", "Third-party evaluator"), text(b, "evaluator").map(String::from)))
            @if let (Some(total), Some(grade)) = (text(b, "total"), text(b, "grade").and_then(shanzhi_domain::evaluation::Grade::parse)) {
                (row(lang.t("综合得分", "Total"), html! { strong { (total) } " " (super::evaluation::grade_tag(lang, grade)) }))
            }
            @if !parts.is_empty() {
                (row(lang.t("各方评价得分", "Each party's total"), html! { ul { @for line in &parts { li { (line) } } } }))
            }
            @if !lines.is_empty() {
                (row(lang.t("各指标得分（第三方评估）", "Points per indicator (third party)"), html! { ul { @for line in &lines { li { (line) } } } }))
            }
            (opt(lang.t("评价完成日期", "Evaluation finished on"), day(lang, b, "evaluated_on")))
            (row(lang.t("发布日期", "Published"), html! { (lang.date(n.notice.published_on)) }))
            (opt(lang.t("公告期限至", "Notice period ends"), n.notice.ends_on.map(|d| lang.date(d))))
        }
    }
}
