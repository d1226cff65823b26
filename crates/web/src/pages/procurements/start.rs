//! Starting a procurement from its project: the documents' form, read into the start request.

use axum::extract::State;
use axum::http::StatusCode;
use maud::{html, Markup};
use shanzhi_app::directory::Offer;
use shanzhi_domain::error::Problems;
use shanzhi_domain::org::{OrgKind, Organisation};
use shanzhi_domain::procurement::{CriterionSpec, Documents, Scoring, SingleSource, SingleSourceCase};
use shanzhi_domain::project::{Act, Project};
use shanzhi_domain::ErrorCode;

use super::super::choosers;
use super::super::forms::{self, error_summary, options, plain, row_name, Errors, Form, Kind};
use super::super::layout::{page, Shell};
use super::super::project_view::form_heading;
use super::super::{error_page, fatal, render, see_other, Ids, OrPage, Page, Posted, SignedIn};
use super::method_options;
use crate::error::{AppError, AppResult};
use crate::AppState;
use shanzhi_app::procurements::{self, StartRequest};

const CRIT_COLS: [&str; 2] = ["name", "weight"];
const CRIT_ROWS: usize = 5;

/// Percent with up to two decimals to basis points: "30" → 3000, "12.5" → 1250.
fn percent_bp(p: &mut Problems, field: &str, s: &str) -> u32 {
    let s = s.trim().trim_end_matches('%');
    let parsed = (|| {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() || frac.len() > 2 || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let int: u32 = int.parse().ok()?;
        let frac: u32 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
        int.checked_mul(100)?.checked_add(frac).filter(|bp| *bp <= 10_000)
    })();
    parsed.unwrap_or_else(|| {
        p.add(
            field,
            ErrorCode::InvalidPercent,
            "请填写 0 到 100 之间的百分数，最多两位小数",
            "enter a percentage from 0 to 100, at most two decimals",
        );
        0
    })
}

/// The domain names fields `documents.scoring.criteria[1].weight_bp`; the form's inputs are `crit_weight_1`.
fn start_field(field: &str) -> String {
    let f = field.strip_prefix("documents.").unwrap_or(field);
    if let Some(rest) = f.strip_prefix("scoring.criteria[") {
        let i = rest.split(']').next().unwrap_or("0");
        let col = if rest.contains("weight") { "weight" } else { "name" };
        return row_name("crit", col, i.parse().unwrap_or(0));
    }
    match f {
        "scoring.criteria" => row_name("crit", "name", 0),
        "scoring.price_weight_bp" => "price_weight".into(),
        f if f.starts_with("scoring") => "scoring".into(),
        "sme_deduction_bp" => "sme_deduction".into(),
        f if f.starts_with("single_source.justification") => "ss_justification".into(),
        f if f.starts_with("single_source") => "ss_provider".into(),
        f if f.starts_with("invited") => "invited".into(),
        f if f.starts_with("admitted_kinds") => "admitted_kinds".into(),
        other => other.split(['.', '[']).next().unwrap_or(other).to_string(),
    }
}

/// Organisations with staff in the `agency` role, which a purchaser may entrust with its procurement.
async fn agency_choices(state: &AppState) -> AppResult<Vec<(String, String)>> {
    let agencies = shanzhi_app::directory::agencies(state).await?;
    Ok(agencies.into_iter().map(|o| (o.id.to_string(), o.name)).collect())
}

fn start_page(
    user: &SignedIn,
    p: &Project,
    offered: &[Organisation],
    agencies: &[(String, String)],
    form: &Form,
    errors: &Errors,
) -> Markup {
    let shell = user.shell();
    let lang = shell.lang;
    let title = lang.t("发起采购活动", "Start a procurement");
    let e = |k: &str| errors.get(k);
    let providers: Vec<(String, String)> = offered.iter().map(|o| (o.id.to_string(), o.name.clone())).collect();
    let cases: Vec<(String, String)> = SingleSourceCase::ALL
        .iter()
        .map(|c| (c.code().to_string(), lang.t(c.label_zh(), c.label_en()).to_string()))
        .collect();
    let scoring = options(&[
        ("lowest_price", lang.t("最低评标价法", "Lowest evaluated price")),
        ("comprehensive", lang.t("综合评分法", "Comprehensive scoring")),
    ]);
    let invited: Vec<&str> = form.all("invited");
    let provider_kinds: Vec<(String, String)> = OrgKind::ALL
        .iter()
        .filter(|k| k.is_provider_kind())
        .map(|k| (k.code().to_string(), lang.t(k.label_zh(), k.label_en()).to_string()))
        .collect();
    let mut agency_options =
        vec![(String::new(), lang.t("（本单位自行组织）", "(run by the purchaser itself)").to_string())];
    agency_options.extend(agencies.iter().cloned());
    let body = html! {
        (error_summary(lang, errors))
        (form_heading(lang, p, title))
        p.lead { (lang.t("发起后自动公开采购意向；意向公开期满后再发布采购公告。", "Starting publishes the purchase intention; the announcement follows once the intention period has run.")) }
        form method="post" action={"/projects/" (p.id) "/procurement"} novalidate {
            (forms::csrf(&user.session))
            (forms::select("method", lang.t("采购方式", "Method"), None, &plain(method_options(lang)), form.get("method"), e("method")))
            (forms::textarea("requirements", "requirements", lang.t("采购需求", "Requirements"), Some(lang.t("至少 10 个字。", "At least 10 characters.")), form.get("requirements"), e("requirements")))
            (forms::textarea("qualifications", "qualifications", lang.t("供应商资格要求", "Qualifications"), None, form.get("qualifications"), e("qualifications")))
            (forms::choices(true, "admitted_kinds", lang.t("资格要求限定的承接主体类型（不选则不限）", "Kinds of provider the qualifications admit (none chosen: any)"), Some(lang.t("投标人登记的类型不在其中的，不能参与。", "A bidder registered as another kind cannot take part.")), &provider_kinds, &form.all("admitted_kinds"), e("admitted_kinds")))
            (forms::select("scoring", lang.t("评审方法", "Evaluation method"), Some(lang.t("竞争性磋商须用综合评分法；谈判、询价须用最低价。", "Consultation must use comprehensive scoring; negotiation and quotation the lowest price.")), &plain(scoring), form.get("scoring"), e("scoring")))
            fieldset.field {
                legend { (lang.t("综合评分：价格权重与评分因素", "Comprehensive scoring: price weight and criteria")) }
                span.hint { (lang.t("权重以百分数填写，价格与各因素合计 100%。最低价法时不填。", "Weights in percent; price and criteria add up to 100 %. Leave blank for the lowest price.")) }
                (forms::input(Kind::Decimal, "price_weight", lang.t("价格权重（%）", "Price weight (%)"), None, form.get("price_weight"), e("price_weight")))
                @for i in 0..CRIT_ROWS {
                    @let n = |c: &str| row_name("crit", c, i);
                    div.form-row role="group" aria-label={(lang.t("评分因素 ", "Criterion ")) (i + 1)} {
                        (forms::text_field(&n("name"), lang.t("评分因素", "Criterion"), None, form.get(&n("name")), e(&n("name"))))
                        (forms::cell(Kind::Decimal, &n("weight"), lang.t("权重（%）", "Weight (%)"), form.get(&n("weight")), e(&n("weight"))))
                    }
                }
            }
            (forms::input(Kind::Decimal, "sme_deduction", lang.t("小微企业价格扣除（%）", "Small-enterprise price deduction (%)"), None, form.get("sme_deduction"), e("sme_deduction")))
            (forms::text_field("tie_rule", lang.t("并列时的确定规则", "Tie rule"), Some(lang.t("例如：服务方案得分高者优先；仍相同的抽签确定。", "E.g. the higher plan score first; then by lot.")), form.get("tie_rule"), e("tie_rule")))
            (forms::choices(true, "invited", lang.t("邀请招标：受邀供应商（至少 3 家）", "Invited tender: providers invited (at least 3)"), None, &providers, &invited, e("invited")))
            (forms::text_field(&choosers::code_field("invited"), lang.t("其他受邀供应商的统一社会信用代码", "Unified social credit codes of other invited providers"), Some(lang.t("上面只列出本地的单位；邀请其他单位的，填写其统一社会信用代码，多个以空格或逗号分开。", "Only local organisations are listed above; to invite others, give their codes, separated by spaces or commas.")), form.get(&choosers::code_field("invited")), e(&choosers::code_field("invited"))))
            fieldset.field {
                legend { (lang.t("单一来源采购", "Single source")) }
                (choosers::organisation(lang, "ss_provider", lang.t("供应商", "Provider"), None, lang.t("（不适用）", "(not applicable)"), offered, |o| o.name.clone(), form, errors))
                (forms::select("ss_case", lang.t("适用情形", "Case"), None, &plain(cases), form.get("ss_case"), e("ss_case")))
                (forms::textarea("ss_justification", "ss_justification", lang.t("理由", "Justification"), None, form.get("ss_justification"), e("ss_justification")))
            }
            (forms::checkbox("complex_or_high_impact", lang.t("技术复杂或社会影响较大（招标的评标委员会不少于 7 人）", "Technically complex or of high social impact (a tender's committee has at least 7)"), None, form.flag("complex_or_high_impact")))
            (forms::input(Kind::Integer, "framework_members", lang.t("框架协议：入围供应商数量", "Framework agreement: how many providers"), None, form.get("framework_members"), e("framework_members")))
            @if !agencies.is_empty() {
                (forms::select("agency_org_id", lang.t("委托采购代理机构", "Entrust to a procurement agency"), None, &plain(agency_options.clone()), form.get("agency_org_id"), e("agency_org_id")))
            }
            div.button-group { (forms::submit(lang.t("发起采购", "Start the procurement"))) a href={"/projects/" (p.id)} { (lang.t("返回项目", "Back to the project")) } }
        }
    };
    page(&shell, title, body)
}

async fn start_project(state: &AppState, user: &SignedIn, id: i64) -> Result<Project, axum::response::Response> {
    let p = shanzhi_app::projects::visible_project(state, &user.session.actor, id).await.or_page(&user.shell())?;
    if let Err(e) = p.may(&user.session.actor, Act::StartProcurement) {
        return Err(error_page(&user.shell(), e.into()));
    }
    // A form is not offered for a start the rules would refuse once it is filled in.
    let latest = procurements::latest_of(state, p.id).await.or_page(&user.shell())?;
    if let Err(e) = shanzhi_domain::procurement::may_follow(latest.as_ref()) {
        // Whoever came here, the way on is the project and its running procurement.
        let project = format!("/projects/{}", p.id);
        let shell = Shell { back: Some(&project), ..user.shell() };
        return Err(error_page(&shell, AppError::from(shanzhi_app::Error::Domain(e))));
    }
    Ok(p)
}

/// The providers the form offers: local ones and those it names already.
async fn providers(state: &AppState, user: &SignedIn, form: &Form) -> AppResult<Vec<Organisation>> {
    choosers::offered(state, &user.session.actor, Offer::Providers, form, &["ss_provider", "invited"]).await
}

pub async fn start_form(State(state): State<AppState>, user: SignedIn, ids: Ids) -> Page {
    let p = start_project(&state, &user, ids.id).await?;
    let mut form = Form::default();
    form.set("method", "open_tender");
    form.set("scoring", "comprehensive");
    form.set("price_weight", "30");
    form.set("sme_deduction", "10");
    form.set("requirements", p.design.content.clone());
    let offered = providers(&state, &user, &form).await.or_page(&user.shell())?;
    Ok(render(
        StatusCode::OK,
        start_page(
            &user,
            &p,
            &offered,
            &agency_choices(&state).await.or_page(&user.shell())?,
            &form,
            &Errors::default(),
        ),
    ))
}

fn start_request(form: &mut Form, ss_name: &str) -> Result<StartRequest, AppError> {
    let mut p = Problems::default();
    let rows = form.take_rows("crit", &CRIT_COLS, &CRIT_COLS);
    let scoring = if form.get("scoring") == "comprehensive" {
        let price_weight_bp = percent_bp(&mut p, "price_weight", form.get("price_weight"));
        let criteria = rows
            .iter()
            .enumerate()
            .map(|(i, r)| CriterionSpec {
                key: format!("c{}", i + 1),
                name: r[0].clone(),
                weight_bp: percent_bp(&mut p, &row_name("crit", "weight", i), &r[1]),
            })
            .collect();
        Scoring::Comprehensive { price_weight_bp, criteria }
    } else {
        Scoring::LowestPrice
    };
    let sme = if form.get("sme_deduction").trim().is_empty() {
        0
    } else {
        percent_bp(&mut p, "sme_deduction", form.get("sme_deduction"))
    };
    let invited = form.all("invited").iter().filter_map(|s| s.parse().ok()).collect();
    let single_source = match form.get("ss_provider").parse::<i64>() {
        Ok(org_id) => {
            let case = SingleSourceCase::parse(form.get("ss_case")).unwrap_or(SingleSourceCase::OnlyOneSupplier);
            Some(SingleSource {
                case,
                provider_org_id: org_id,
                provider_name: ss_name.to_string(),
                justification: form.get("ss_justification").trim().into(),
            })
        }
        Err(_) => None,
    };
    let framework_members = match form.get("framework_members").trim() {
        "" => None,
        s => match s.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                p.add("framework_members", ErrorCode::InvalidNumber, "请填写整数", "enter a whole number");
                None
            }
        },
    };
    p.into_result()?;
    Ok(StartRequest {
        method: form.get("method").into(),
        documents: Documents {
            requirements: form.get("requirements").trim().into(),
            qualifications: form.get("qualifications").trim().into(),
            scoring,
            sme_deduction_bp: sme,
            tie_rule: form.get("tie_rule").trim().into(),
            invited,
            single_source,
            framework_members,
            admitted_kinds: form.all("admitted_kinds").iter().filter_map(|k| OrgKind::parse(k)).collect(),
            complex_or_high_impact: form.flag("complex_or_high_impact"),
        },
        agency_org_id: form.get("agency_org_id").trim().parse().ok(),
    })
}

pub async fn start(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, mut form } = posted;
    let p = start_project(&state, &user, ids.id).await?;
    let taken = match choosers::take_codes(&state, &mut form, &["ss_provider"]).await {
        Ok(()) => choosers::take_code_list(&state, &mut form, "invited").await,
        Err(e) => Err(e),
    };
    let ss_name = super::super::org_name(&state, form.get("ss_provider")).await.or_page(&user.shell())?;
    let result = match taken.and_then(|()| start_request(&mut form, &ss_name)) {
        Ok(req) => procurements::start(&state, &user.session.actor, p.id, req).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(proc) => Ok(see_other(&format!("/procurements/{}", proc.id))),
        Err(e) if fatal(&e) => Err(error_page(&user.shell(), e)),
        Err(e) => {
            let offered = providers(&state, &user, &form).await.or_page(&user.shell())?;
            let mut errors = Errors::from_error(user.lang, &e);
            for (item, f) in errors.items.iter_mut().zip(e.fields()) {
                let key = start_field(&f.field);
                item.href = Some(format!("#{key}"));
                item.key = key;
            }
            Err(render(
                e.status(),
                start_page(&user, &p, &offered, &agency_choices(&state).await.or_page(&user.shell())?, &form, &errors),
            ))
        }
    }
}
