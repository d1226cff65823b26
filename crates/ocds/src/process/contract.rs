//! The contract and its implementation: signing, each milestone's acceptance and payment, the acceptance's
//! result, and an early termination.

use serde_json::{json, Value};
use shanzhi_domain::notice::{Notice, NoticeKind};

use super::award::{direct, winner_roles};
use super::parties::reference;
use super::{date_time, day, money, text, value, Fields, Process};

/// A project has one contract; supplementary contracts pay through its milestones.
const CONTRACT_ID: &str = "contract";

fn milestone_id(i: usize) -> String {
    format!("milestone-{}", i + 1)
}

/// The provider as a reference, from the project's contract (or the notice, for its id).
fn supplier(p: &Process, body: Option<&Value>) -> Option<(Option<i64>, String)> {
    let c = p.project.contract.as_ref();
    let id = body.and_then(|b| b.get("provider_org_id")).and_then(Value::as_i64).or(c.map(|c| c.provider_org_id));
    let name = body.and_then(|b| text(b, "provider")).map(String::from).or(c.map(|c| c.provider.clone()))?;
    Some((id, name))
}

fn add_supplier(p: &Process, fields: &mut Fields, body: Option<&Value>) -> Option<Value> {
    let (id, name) = supplier(p, body)?;
    let direct = p.project.award.as_ref().is_some_and(|a| a.direct);
    fields.parties.add(id, &name, winner_roles(direct));
    Some(reference(id, &name))
}

/// The contract notice: the contract as signed, with its milestones, and — for a direct award — the award.
pub(super) fn signed(p: &Process, n: &Notice, body: &Value) -> Fields {
    let mut fields = Fields::default();
    add_supplier(p, &mut fields, Some(body));
    // The award the contract carries out ([`Process::award_id`] sets the contract's `awardID`): a direct award
    // is made public here, since no result notice announced it.
    let announced = p.notices.iter().any(|m| m.published_at <= n.published_at && m.notice.kind == NoticeKind::Result);
    let direct_award = if announced { None } else { direct(p, &mut fields) };
    let milestones: Vec<Value> = match body.get("milestones").and_then(Value::as_array) {
        Some(ms) => ms
            .iter()
            .enumerate()
            .map(|(i, m)| {
                json!({"id": milestone_id(i), "title": m.get("name"), "type": "delivery",
                       "dueDate": m.get("due").and_then(Value::as_str).map(|d| format!("{d}T23:59:59+08:00")), "status": "scheduled"})
            })
            .collect(),
        None => Vec::new(),
    };
    let mut contract = json!({
        "id": CONTRACT_ID,
        "title": text(body, "title").unwrap_or_default(),
        "status": "active",
        "documents": [p.document(n, "contractNotice")],
    });
    if let Some(a) = money(body, "amount") {
        contract["value"] = value(a);
    }
    if let (Some(s), Some(e)) = (body.get("start").and_then(Value::as_str), body.get("end").and_then(Value::as_str)) {
        contract["period"] =
            json!({"startDate": format!("{s}T00:00:00+08:00"), "endDate": format!("{e}T23:59:59+08:00")});
    }
    if let Some(d) = body.get("signed_on").and_then(Value::as_str) {
        contract["dateSigned"] = json!(format!("{d}T00:00:00+08:00"));
    }
    if !milestones.is_empty() {
        contract["milestones"] = json!(milestones);
    }
    let mut fields = fields.with("contracts", json!([contract]));
    if let Some(award) = direct_award {
        let tender =
            json!({"status": "complete", "procurementMethod": "direct", "procurementMethodDetails": "直接确定"});
        fields = fields.with("awards", json!([award])).with("tender", tender);
    }
    fields
}

/// Milestone `i` accepted: it is met, and its amount paid to the provider.
pub(super) fn payment(p: &Process, i: usize) -> Fields {
    let mut fields = Fields::default();
    let payee = add_supplier(p, &mut fields, None);
    let Some(m) = p.project.contract.as_ref().and_then(|c| c.milestones.get(i)) else { return fields };
    let at = m.accepted_at.map(date_time);
    let mut transaction = json!({
        "id": format!("payment-{}", i + 1),
        "source": format!("{}/projects/{}", p.publisher.base_url, p.project.id),
        "date": at,
        "value": value(m.paid),
        "payer": super::parties::buyer(p.project),
    });
    if let Some(payee) = payee {
        transaction["payee"] = payee;
    }
    let contract = json!({
        "id": CONTRACT_ID,
        "milestones": [{"id": milestone_id(i), "title": m.name, "type": "delivery", "dueDate": format!("{}T23:59:59+08:00", m.due), "dateMet": at, "status": "met"}],
        "implementation": {"transactions": [transaction]},
    });
    fields.with("contracts", json!([contract]))
}

/// The acceptance result: every milestone accepted, the contract complete.
pub(super) fn accepted(p: &Process, n: &Notice, body: &Value) -> Fields {
    let mut fields = Fields::default();
    add_supplier(p, &mut fields, Some(body));
    let mut doc = p.document(n, "completionCertificate");
    if let Some(paid) = money(body, "paid") {
        doc["description"] = json!(format!("验收合格，已支付 {} 元", paid.yuan_string()));
    }
    let contract = json!({"id": CONTRACT_ID, "status": "terminated", "documents": [doc]});
    fields.with("contracts", json!([contract]))
}

/// The performance evaluation's result: a document of the contract's implementation (OCDS has no code of
/// its own for an evaluation of the service delivered; `finalAudit` is the nearest), its status left as it is.
pub(super) fn evaluated(p: &Process, n: &Notice, body: &Value) -> Fields {
    let mut fields = Fields::default();
    add_supplier(p, &mut fields, Some(body));
    let mut doc = p.document(n, "finalAudit");
    let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let grade = shanzhi_domain::evaluation::Grade::parse(&text("grade")).map_or("", |g| g.label_zh());
    doc["description"] =
        json!(format!("绩效评价总分 {}，等级：{grade}（第三方评估机构：{}）", text("total"), text("evaluator")));
    let contract = json!({"id": CONTRACT_ID, "documents": [doc]});
    fields.with("contracts", json!([contract]))
}

/// The contract ended early.
pub(super) fn terminated(p: &Process) -> Fields {
    let mut fields = Fields::default();
    add_supplier(p, &mut fields, None);
    let mut contract = json!({"id": CONTRACT_ID, "status": "terminated"});
    if let Some(on) = p.project.contract.as_ref().and_then(|c| c.terminated_on) {
        contract["period"] = json!({"endDate": day(on)});
    }
    fields.with("contracts", json!([contract]))
}
