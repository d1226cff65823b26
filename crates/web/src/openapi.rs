//! The OpenAPI 3.1 document of `/api/v1`, built from one table of operations. Each operation names who
//! may call it (`x-roles`: `public`, `signed_in`, or role codes); the access-matrix test reads that.

mod operations;

use serde_json::{json, Map, Value};

pub use operations::OPERATIONS;

pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// `public`, `signed_in`, or the roles that may succeed.
    pub roles: &'static [&'static str],
    pub body: Option<&'static str>,
    /// Success status.
    pub status: u16,
}

fn schemas() -> Value {
    let s = |props: Value, required: &[&str]| json!({"type": "object", "properties": props, "required": required});
    let text = json!({"type": "string"});
    let money =
        json!({"type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,2})?$", "description": "yuan, at most two decimals"});
    let date = json!({"type": "string", "format": "date"});
    let instant = json!({"type": "string", "description": "RFC 3339, or YYYY-MM-DDTHH:MM in China time"});
    json!({
        "Error": s(json!({"code": text, "message": text, "message_en": text, "fields": {"type": "array", "items": {"type": "object"}}}), &["code", "message", "message_en"]),
        "Page": s(json!({"items": {"type": "array", "items": {"type": "object"}}, "next_cursor": {"type": ["string", "null"], "description": "pass as ?cursor= for the next page; null on the last"}}), &["items", "next_cursor"]),
        "Credentials": s(json!({"username": text, "password": text}), &["username", "password"]),
        "PasswordChange": s(json!({"current_password": text, "new_password": text}), &["current_password", "new_password"]),
        "Organisation": s(json!({"key": text, "name": text, "kind": text, "uscc": text, "resident_id": text, "region": text, "parent_id": {"type": "integer"}, "class_one": {"type": "boolean"}, "active": {"type": "boolean"}, "contact": text}), &["key", "name", "kind"]),
        "User": s(json!({"username": text, "display_name": text, "org_id": {"type": "integer"}, "roles": {"type": "array", "items": text}, "supervisor_region": text, "password": text}), &["username", "display_name", "org_id", "roles", "password"]),
        "Design": s(json!({
            "title": text, "category": text, "regions": {"type": "array", "items": text},
            "target_groups": {"type": "array", "items": text}, "mode": {"enum": ["post", "project"]},
            "content": text, "standards": text, "period_start": date, "period_end": date, "continuing": {"type": "boolean"},
            "targets": {"type": "array", "items": s(json!({"indicator": text, "group": {"enum": ["output", "effect", "satisfaction"]}, "target": text, "unit": text}), &["indicator", "group", "target"])},
            "posts": {"type": "array", "items": s(json!({"host_org_id": {"type": "integer"}, "title": text, "count": {"type": "integer", "minimum": 1}}), &["host_org_id", "title", "count"])}
        }), &["title", "category", "regions", "target_groups", "mode", "content", "standards", "period_start", "period_end"]),
        "CostEstimate": s(json!({"lines": {"type": "array", "items": s(json!({"kind": {"enum": ["personnel", "activities", "materials", "training", "management_fee", "other"]}, "item": text, "quantity": money, "unit": text, "unit_price": money}), &["kind", "item", "quantity", "unit_price"])}}), &["lines"]),
        "Review": s(json!({"decision": {"enum": ["approve", "return"]}, "comment": text}), &["decision"]),
        "Award": s(json!({"provider_org_id": {"type": "integer"}, "justification": text}), &["provider_org_id", "justification"]),
        "Contract": s(json!({"amount": money, "start": date, "end": date, "signed_on": date, "milestones": {"type": "array", "items": s(json!({"name": text, "share": money, "due": date}), &["name", "share", "due"])}}), &["amount", "start", "end", "signed_on", "milestones"]),
        "Report": s(json!({"beneficiaries": {"type": "integer", "minimum": 0}, "hours": money, "summary": text, "outputs": {"type": "array", "items": s(json!({"indicator": text, "actual": text}), &["indicator", "actual"])}, "file_ids": {"type": "array", "items": {"type": "integer"}}}), &["beneficiaries", "hours", "summary"]),
        "Decision": s(json!({"decision": {"enum": ["accept", "reject"]}, "reason": text}), &["decision"]),
        "Reason": s(json!({"reason": text}), &["reason"]),
        "Supplement": s(json!({"amount": money, "reason": text, "milestone_name": text, "due": date, "funding": {"type": "array", "items": s(json!({"budget_id": {"type": "integer"}, "amount": money}), &["budget_id", "amount"])}}), &["amount", "reason", "milestone_name", "due", "funding"]),
        "Signing": s(json!({"signed_on": date}), &["signed_on"]),
        "Funding": s(json!({"lines": {"type": "array", "items": s(json!({"budget_id": {"type": "integer"}, "amount": money}), &["budget_id", "amount"])}}), &["lines"]),
        "Budget": s(json!({"year": {"type": "integer"}, "org_id": {"type": "integer"}, "source": {"enum": ["general_budget", "welfare_lottery", "employment_fund", "social_funds", "other"]}, "amount": money, "donor": text, "note": text}), &["year", "org_id", "source", "amount"]),
        "Standard": s(json!({"name": text, "unit": text, "max_unit_price": money, "note": text}), &["name", "unit", "max_unit_price"]),
        "PostHolder": s(json!({"name": text, "certification": {"enum": ["none", "assistant", "intermediate", "senior"]}, "since": date}), &["name", "certification", "since"]),
        "Grant": s(json!({"to_org_id": {"type": "integer"}, "amount": money, "note": text}), &["to_org_id", "amount"]),
        "Token": s(json!({"label": text, "days": {"type": "integer", "minimum": 1, "maximum": 365}}), &["label"]),
        "Procurement": s(json!({
            "method": {"enum": ["open_tender", "invited_tender", "competitive_negotiation", "competitive_consultation", "request_for_quotation", "single_source", "framework_agreement"]},
            "agency_org_id": {"type": "integer"},
            "documents": s(json!({
                "requirements": text, "qualifications": text, "tie_rule": text,
                "sme_deduction_bp": {"type": "integer", "minimum": 1000, "maximum": 2000, "description": "services: 10–20 % (财库〔2022〕19号)"},
                "admitted_kinds": {"type": "array", "items": {"enum": ["social_organisation", "enterprise", "public_institution", "rural_collective", "self_governing_body", "individual"]}, "description": "provider kinds the qualifications admit; empty: any"},
                "complex_or_high_impact": {"type": "boolean", "description": "a tender's committee has at least 7 members"},
                "scoring": {"oneOf": [
                    s(json!({"kind": {"const": "lowest_price"}}), &["kind"]),
                    s(json!({"kind": {"const": "comprehensive"}, "price_weight_bp": {"type": "integer"}, "criteria": {"type": "array", "items": s(json!({"key": text, "name": text, "weight_bp": {"type": "integer"}}), &["key", "name", "weight_bp"])}}), &["kind", "price_weight_bp", "criteria"])
                ]},
                "invited": {"type": "array", "items": {"type": "integer"}},
                "single_source": s(json!({"case": {"enum": ["only_one_supplier", "emergency", "add_on"]}, "provider_org_id": {"type": "integer"}, "provider_name": text, "justification": text}), &["case", "provider_org_id", "provider_name", "justification"]),
                "framework_members": {"type": "integer", "minimum": 2}
            }), &["requirements", "qualifications", "scoring", "sme_deduction_bp", "tie_rule"])
        }), &["method", "documents"]),
        "Deadline": s(json!({"bid_deadline": instant}), &["bid_deadline"]),
        "Text": s(json!({"text": text}), &["text"]),
        "Clarification": s(json!({"text": text, "answers": {"type": "integer"}, "affects_bids": {"type": "boolean"}}), &["text"]),
        "Bid": s(json!({"price": money, "small_or_micro": {"type": "boolean"}, "proposal": text, "file_ids": {"type": "array", "items": {"type": "integer"}}}), &["price", "proposal"]),
        "Opening": s(json!({"attendees": {"type": "array", "items": text, "minItems": 1}}), &["attendees"]),
        "Committee": s(json!({"representatives": {"type": "array", "items": {"type": "integer"}, "description": "user ids of the purchaser's representatives"}}), &[]),
        "Declaration": s(json!({"no_conflict": {"type": "boolean"}}), &["no_conflict"]),
        "Notes": s(json!({"notes": text}), &["notes"]),
        "FinalOffers": s(json!({"deadline": instant}), &["deadline"]),
        "Compliance": s(json!({"bid_id": {"type": "integer"}, "qualified": {"type": "boolean"}, "reason": text}), &["bid_id", "qualified"]),
        "LowPrice": s(json!({"bid_id": {"type": "integer"}, "reason": text, "due": instant}), &["bid_id", "reason", "due"]),
        "LowPriceFinding": s(json!({"justified": {"type": "boolean"}, "reason": text}), &["justified"]),
        "Marks": s(json!({"marks": {"type": "array", "items": s(json!({"bid_id": {"type": "integer"}, "criterion": text, "score": {"type": "string", "pattern": "^[0-9]{1,3}(\\.[0-9]{1,2})?$"}}), &["bid_id", "criterion", "score"])}}), &["marks"]),
        "Winner": s(json!({"bid_id": {"type": "integer"}, "tie_reason": text}), &["bid_id"]),
        "Negotiation": s(json!({"price": money, "minutes": text}), &["price", "minutes"]),
        "Switch": s(json!({"to": text, "reason": text}), &["to", "reason"]),
        "SwitchDecision": s(json!({"approve": {"type": "boolean"}, "document_no": text, "comment": text}), &["approve"]),
        "MethodApproval": s(json!({
            "method": {"enum": ["invited_tender", "competitive_negotiation", "competitive_consultation", "single_source"]},
            "reason": text,
            "consent": s(json!({"unit": text, "document_no": text}), &["unit", "document_no"]),
            "single_source": s(json!({"case": {"enum": ["only_one_supplier", "emergency", "add_on"]}, "provider_org_id": {"type": "integer"}, "provider_name": text, "justification": text}), &["case", "provider_org_id", "provider_name", "justification"])
        }), &["method", "reason", "consent"]),
        "MethodApprovalDecision": s(json!({"approve": {"type": "boolean"}, "document_no": text, "comment": text}), &["approve"]),
        "Challenge": s(json!({"about": {"enum": ["documents", "process", "result"]}, "text": text}), &["about", "text"]),
        "ChallengeReply": s(json!({"text": text, "upheld": {"type": "boolean"}}), &["text", "upheld"]),
        "Pause": s(json!({"from": date, "to": date}), &["from", "to"]),
        "Suspension": s(json!({"until": date}), &["until"]),
        "ComplaintDecision": s(json!({"upheld": {"type": "boolean"}, "consequence": {"enum": ["reprocure", "award_void", "contract_ended"]}, "reasons": text}), &["upheld", "reasons"]),
        "CallOff": s(json!({"org_id": {"type": "integer"}, "amount": money, "note": text}), &["org_id", "amount", "note"]),
        "Registration": s(json!({"name": text, "kind": {"enum": ["social_organisation", "enterprise", "public_institution", "rural_collective", "self_governing_body", "individual"]}, "uscc": text, "resident_id": text, "region": text, "contact": text, "class_one": {"type": "boolean"}, "username": text, "display_name": text, "password": text}), &["name", "kind", "contact", "username", "display_name", "password"]),
        "Expert": s(json!({
            "user_id": {"type": "integer", "description": "an existing user (when adding); or give new_user"},
            "new_user": s(json!({"username": text, "display_name": text, "password": text}), &["username", "display_name", "password"]),
            "categories": {"type": "array", "items": text, "description": "catalogue codes; a code covers those below it"},
            "org_id": {"type": "integer"},
            "former_employers": {"type": "array", "items": s(json!({"org_id": {"type": "integer"}, "until": date}), &["org_id", "until"])},
            "declared_ties": {"type": "array", "items": {"type": "integer"}},
            "active": {"type": "boolean"}
        }), &["categories"]),
        "Ties": s(json!({
            "former_employers": {"type": "array", "items": s(json!({"org_id": {"type": "integer"}, "until": date}), &["org_id", "until"])},
            "declared_ties": {"type": "array", "items": {"type": "integer"}}
        }), &[]),
        "Upload": s(json!({"file": {"type": "string", "contentMediaType": "application/octet-stream"}}), &["file"]),
    })
}

/// Paged lists (`?limit&cursor`, answering `Page`) and their filters: the handlers' own filter lists.
const LISTS: &[(&str, &[&str])] = &[
    ("/projects", &crate::filters::PROJECT_FILTERS),
    ("/notices", &crate::filters::NOTICE_FILTERS),
    ("/queue", &[]),
    ("/procurements", &crate::filters::PROCUREMENT_FILTERS),
    ("/organisations", &crate::filters::ORGANISATION_FILTERS),
    ("/users", &crate::filters::USER_FILTERS),
    ("/budgets", &crate::filters::BUDGET_FILTERS),
    ("/budgets/{id}/ledger", &[]),
    ("/posts", &[]),
    ("/job-runs", &["job"]),
];

fn query_param(name: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": schema})
}

pub fn document() -> Value {
    let mut paths = Map::new();
    for op in OPERATIONS {
        let mut o = json!({
            "summary": op.summary,
            "x-roles": op.roles,
            "responses": {
                op.status.to_string(): {"description": "success"},
                "4XX": {"description": "refused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        if !op.roles.contains(&"public") {
            o["security"] = json!([{"bearer": []}]);
        }
        let params: Vec<Value> = ["id", "n", "token_id", "code", "year"]
            .iter()
            .filter(|p| op.path.contains(&format!("{{{p}}}")))
            .map(|p| {
                let schema =
                    if *p == "token_id" { json!({"type": "string"}) } else { json!({"type": "integer", "minimum": 0}) };
                json!({"name": p, "in": "path", "required": true, "schema": schema})
            })
            .collect();
        let mut params = params;
        if let Some((_, filters)) = LISTS.iter().find(|(path, _)| op.method == "get" && *path == op.path) {
            params.push(query_param("limit", json!({"type": "integer", "minimum": 1, "maximum": 200, "default": 50})));
            params.push(query_param("cursor", json!({"type": "string"})));
            params.extend(filters.iter().map(|f| query_param(f, json!({"type": "string"}))));
            o["responses"][op.status.to_string()]["content"] =
                json!({"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}});
        }
        if op.method == "get" && op.path == "/statistics" {
            params.push(query_param("year", json!({"type": "integer"})));
            params.push(query_param("region", json!({"type": "string"})));
        }
        if !params.is_empty() {
            o["parameters"] = json!(params);
        }
        if let Some(body) = op.body {
            let media = if body == "Upload" { "multipart/form-data" } else { "application/json" };
            o["requestBody"] = json!({"required": true, "content": {media: {"schema": {"$ref": format!("#/components/schemas/{body}")}}}});
        }
        let entry = paths.entry(op.path.to_string()).or_insert_with(|| json!({}));
        entry[op.method] = o;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Shanzhi (善治) API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Government purchase of public services: the six-step purchase project and its procurement (methods, sealed bids, committees, scoring, challenges and complaints). Money is yuan as a string with two decimals. Errors are {code, message, message_en}. Any operation may answer 503 with Retry-After: storage_full (writes are refused while the disk is full; reads go on) or database_unavailable."
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "token from POST /session"}}
        }
    })
}
