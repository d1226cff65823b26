//! The planning and tender stage: the purchase intention, the announcement (or single-source notice), its
//! corrections, a failure, a complaint's decision and a cancellation.

use serde_json::{json, Map, Value};
use shanzhi_domain::notice::Notice;
use shanzhi_domain::procurement::{Method, Scoring};

use super::{date_time, day, money, text, value, Fields, Process};

/// The `method` code and the Chinese name for a method's code in a notice body.
pub(super) fn method(code: &str) -> Option<(&'static str, &'static str)> {
    let m = Method::parse(code)?;
    let ocds = match m {
        Method::OpenTender | Method::FrameworkAgreement => "open",
        Method::InvitedTender => "selective",
        Method::CompetitiveNegotiation | Method::CompetitiveConsultation | Method::RequestForQuotation => "limited",
        Method::SingleSource => "direct",
    };
    Some((ocds, m.label_zh()))
}

/// The fields every procurement notice's tender carries (its id comes with every release's tender): title, method, category and the budget ceiling.
fn base(body: &Value) -> Map<String, Value> {
    let mut t = Map::new();
    if let Some(title) = text(body, "title") {
        t.insert("title".into(), json!(title));
    }
    if let Some((code, zh)) = text(body, "method").and_then(method) {
        t.insert("procurementMethod".into(), json!(code));
        t.insert("procurementMethodDetails".into(), json!(zh));
    }
    t.insert("mainProcurementCategory".into(), json!("services"));
    if let Some(b) = money(body, "budget") {
        t.insert("value".into(), value(b));
    }
    if let Some(c) = text(body, "category") {
        t.insert(
            "items".into(),
            json!([{"id": "1", "description": text(body, "title").unwrap_or(c), "classification": {"scheme": "x_shanzhi_catalogue", "id": c}}]),
        );
    }
    t
}

/// The purchase intention: the plan, its budget by fund source, and the tender as planned.
pub(super) fn planning(p: &Process, n: &Notice, body: &Value) -> Fields {
    let pr = p.project;
    let breakdown: Vec<Value> = pr
        .funding
        .iter()
        .enumerate()
        .map(|(i, f)| {
            json!({
                "id": format!("{}", i + 1),
                "description": format!("{}（{}年度）", f.source.label_zh(), f.year),
                "amount": value(f.amount),
                "period": {"startDate": format!("{}-01-01T00:00:00+08:00", f.year), "endDate": format!("{}-12-31T23:59:59+08:00", f.year)},
            })
        })
        .collect();
    let mut budget = json!({
        "id": "budget",
        "description": "项目预算（按资金来源分列）",
        "amount": value(pr.budget),
        "project": pr.title,
        "projectID": pr.code,
    });
    if !breakdown.is_empty() {
        budget["budgetBreakdown"] = json!(breakdown);
    }
    let mut planning = json!({"budget": budget, "rationale": pr.content});
    if let Some(start) = body.get("earliest_start").and_then(Value::as_str) {
        planning["milestones"] = json!([{"id": "earliest-start", "title": "预计采购时间不早于", "type": "procurement", "dueDate": format!("{start}T00:00:00+08:00"), "status": "scheduled"}]);
    }
    let mut t = base(body);
    t.insert("status".into(), json!("planning"));
    t.insert("documents".into(), json!([p.document(n, "plannedProcurementNotice")]));
    Fields::default().with("planning", planning).with("tender", Value::Object(t))
}

/// The announcement (or the single-source notice): the tender open for bids until its deadline.
pub(super) fn tender(p: &Process, n: &Notice, body: &Value) -> Fields {
    let mut t = base(body);
    t.insert("status".into(), json!("active"));
    if let Some(r) = text(body, "requirements") {
        t.insert("description".into(), json!(r));
    }
    if let Some(q) = text(body, "qualifications") {
        t.insert("eligibilityCriteria".into(), json!(q));
    }
    if let Some(s) = body.get("scoring").and_then(|s| serde_json::from_value::<Scoring>(s.clone()).ok()) {
        let (criteria, details) = match s {
            Scoring::LowestPrice => ("priceOnly", "最低评标价法".to_string()),
            Scoring::Comprehensive { price_weight_bp, criteria } => {
                let mut parts = vec![format!("价格 {}", percent(price_weight_bp))];
                parts.extend(criteria.iter().map(|c| format!("{} {}", c.name, percent(c.weight_bp))));
                ("ratedCriteria", format!("综合评分法：{}", parts.join("，")))
            }
        };
        t.insert("awardCriteria".into(), json!(criteria));
        t.insert("awardCriteriaDetails".into(), json!(details));
    }
    let mut period = json!({"startDate": date_time(n.published_at)});
    if let Some(end) = body.get("bid_deadline").and_then(Value::as_str) {
        period["endDate"] = json!(end);
    }
    t.insert("tenderPeriod".into(), period);
    if let Some(until) = body.get("documents_until").and_then(Value::as_str) {
        t.insert(
            "enquiryPeriod".into(),
            json!({"startDate": date_time(n.published_at), "endDate": format!("{until}T23:59:59+08:00")}),
        );
    }
    if let Some(j) = text(body, "justification") {
        t.insert("procurementMethodRationale".into(), json!(j));
    }
    t.insert("submissionMethod".into(), json!(["electronicSubmission"]));
    t.insert("documents".into(), json!([p.document(n, "tenderNotice")]));
    Fields::default().with("tender", Value::Object(t))
}

/// A correction or clarification: an amendment, and the bid deadline as it now stands.
pub(super) fn amendment(p: &Process, n: &Notice, body: &Value) -> Fields {
    let mut t = Map::new();
    if let Some(end) = body.get("bid_deadline").and_then(Value::as_str) {
        t.insert("tenderPeriod".into(), json!({"endDate": end}));
    }
    t.insert(
        "amendments".into(),
        json!([{
            "id": format!("notice-{}", n.id),
            "date": date_time(n.published_at),
            "description": text(body, "text").unwrap_or_default(),
            "rationale": if body.get("affects_bids").and_then(Value::as_bool) == Some(true) { "更正影响投标文件编制" } else { "澄清" },
        }]),
    );
    t.insert("documents".into(), json!([p.document(n, "clarifications")]));
    Fields::default().with("tender", Value::Object(t))
}

/// A failed procurement (废标、终止): the tender unsuccessful, with the notice's reason.
pub(super) fn failed(p: &Process, n: &Notice, body: &Value) -> Fields {
    let mut t = Map::new();
    t.insert("status".into(), json!("unsuccessful"));
    let mut doc = p.document(n, "cancellationDetails");
    if let Some(r) = text(body, "reason") {
        doc["description"] = json!(r);
    }
    t.insert("documents".into(), json!([doc]));
    Fields::default().with("tender", Value::Object(t))
}

/// A complaint's decision: a document of the tender.
pub(super) fn complaint_decision(p: &Process, n: &Notice, _body: &Value) -> Fields {
    let mut t = Map::new();
    t.insert("documents".into(), json!([p.document(n, "complaints")]));
    Fields::default().with("tender", Value::Object(t))
}

/// The project cancelled: its tender is cancelled.
pub(super) fn cancelled(p: &Process) -> Fields {
    let mut t = Map::new();
    t.insert("status".into(), json!("cancelled"));
    if let Some(on) = p.project.cancelled_on {
        t.insert("milestones".into(), json!([{"id": "cancelled", "title": "项目撤销", "type": "procurement", "dateMet": day(on), "status": "met"}]));
    }
    Fields::default().with("tender", Value::Object(t))
}

/// Basis points as a percentage: `1000` is `10%`, `1250` is `12.5%`.
fn percent(bp: u32) -> String {
    let (whole, rest) = (bp / 100, bp % 100);
    match rest {
        0 => format!("{whole}%"),
        r if r % 10 == 0 => format!("{whole}.{}%", r / 10),
        r => format!("{whole}.{r:02}%"),
    }
}
