//! The award: a result notice names the winner, its price and who bid (never a loser's price).

use serde_json::{json, Value};
use shanzhi_domain::notice::Notice;

use super::parties::reference;
use super::{date_time, day, money, text, value, Fields, Process};

/// The roles of the organisation that won: it bid (unless it was chosen directly), supplies and is paid.
pub(super) fn winner_roles(direct: bool) -> &'static [&'static str] {
    if direct {
        &["supplier", "payee"]
    } else {
        &["tenderer", "supplier", "payee"]
    }
}

/// The award's id: its procurement's, or `direct` for a provider chosen without one.
pub(super) fn award_id(procurement_id: Option<i64>) -> String {
    procurement_id.map_or_else(|| "direct".to_string(), |id| format!("procurement-{id}"))
}

/// A result notice: the award, and the tender complete with its bidders.
pub(super) fn result(p: &Process, n: &Notice, body: &Value) -> Fields {
    let mut fields = Fields::default();
    let winner_name = text(body, "winner").unwrap_or_default();
    let winner_id = body.get("winner_org_id").and_then(Value::as_i64);
    fields.parties.add(winner_id, winner_name, winner_roles(false));
    let mut tenderers = Vec::new();
    for t in body.get("tenderers").and_then(Value::as_array).into_iter().flatten() {
        let (id, name) =
            (t.get("org_id").and_then(Value::as_i64), t.get("name").and_then(Value::as_str).unwrap_or_default());
        fields.parties.add(id, name, &["tenderer"]);
        tenderers.push(reference(id, name));
    }
    let mut award = json!({
        "id": award_id(n.notice.procurement_id),
        "title": text(body, "title").unwrap_or_default(),
        "status": "active",
        "date": date_time(n.published_at),
        "suppliers": [reference(winner_id, winner_name)],
        "documents": [p.document(n, "awardNotice")],
    });
    if let Some(price) = money(body, "price") {
        award["value"] = value(price);
    }
    let mut tender = json!({"status": "complete"});
    // Notices published before bidders were listed say nothing of them; say nothing then.
    if body.get("tenderers").is_some() {
        tender["numberOfTenderers"] = json!(tenderers.len());
        tender["tenderers"] = json!(tenderers);
    }
    fields.with("awards", json!([award])).with("tender", tender)
}

/// A direct award (no procurement, so no result notice): the award as the contract notice makes it public.
pub(super) fn direct(p: &Process, fields: &mut Fields) -> Option<Value> {
    let a = p.project.award.as_ref().filter(|a| a.direct)?;
    fields.parties.add(Some(a.provider_org_id), &a.provider, winner_roles(true));
    Some(json!({
        "id": award_id(None),
        "title": p.project.title,
        "status": "active",
        "date": day(a.on),
        "value": value(a.amount),
        "suppliers": [reference(Some(a.provider_org_id), &a.provider)],
    }))
}
