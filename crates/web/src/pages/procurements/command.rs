//! Reading an action form into the command `procure::perform` takes, and its problems back onto the form.

use serde_json::{json, Map, Value};
use shanzhi_domain::error::Problems;
use shanzhi_domain::procurement::{CriterionSpec, Procurement, Scoring};
use shanzhi_domain::ErrorCode;

use super::super::forms::{self, Errors, Form, Problem};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use shanzhi_app::procurements::ProcCommand;

/// One field of an action form: its name in the command, and how to read it.
#[derive(Clone, Copy, PartialEq)]
enum F {
    Text,
    /// A yes/no radio that must be answered.
    Choice,
    Check,
    Int,
    OptInt,
    Lines,
    IntList,
}

fn spec(action: &str) -> Option<&'static [(&'static str, F)]> {
    use F::*;
    Some(match action {
        "publish" => &[("bid_deadline", Text)],
        "interest" | "replace_recused" | "report" => &[],
        "draw_committee" => &[("representatives", IntList)],
        "ask" => &[("text", Text)],
        "clarify" => &[("text", Text), ("answers", OptInt), ("affects_bids", Check)],
        "open" => &[("attendees", Lines)],
        "declare" => &[("no_conflict", Choice)],
        "round" => &[("notes", Text)],
        "call_final_offers" => &[("deadline", Text)],
        "compliance" => &[("bid_id", Int), ("qualified", Choice), ("reason", Text)],
        "flag_low_price" => &[("bid_id", Int), ("reason", Text), ("due", Text)],
        "explain_low_price" => &[("text", Text)],
        "decide_low_price" => &[("bid_id", Int), ("justified", Choice), ("reason", Text)],
        "award" => &[("bid_id", Int), ("tie_reason", Text)],
        "negotiation" => &[("price", Text), ("minutes", Text)],
        "abandon" => &[("reason", Text)],
        "request_switch" => &[("to", Text), ("reason", Text)],
        "decide_switch" => &[("approve", Choice), ("document_no", Text), ("comment", Text)],
        "challenge" => &[("about", Text), ("text", Text)],
        "reply" => &[("challenge", Int), ("text", Text), ("upheld", Choice)],
        "complain" => &[("challenge", Int), ("text", Text)],
        "pause" => &[("challenge", Int), ("from", Text), ("to", Text)],
        "suspend" => &[("challenge", Int), ("until", Text)],
        "decide" => &[("challenge", Int), ("upheld", Choice), ("consequence", Text), ("reasons", Text)],
        "call_off" => &[("org_id", Int), ("amount", Text), ("note", Text)],
        "marks" => &[],
        _ => return None,
    })
}

/// The form's name on the page: the action, and the challenge it is about.
pub(super) fn which_of(action: &str, form: &Form) -> String {
    match form.get("challenge") {
        "" => action.to_string(),
        n => format!("{action}{n}"),
    }
}

pub(super) fn fid(which: &str, name: &str) -> String {
    format!("{which}_{name}")
}

/// Actions that cannot be undone: the page asks the person to confirm them.
const IRREVERSIBLE: &[&str] = &["award", "abandon", "decide_low_price"];

/// Reads an action form into the command `procure::perform` takes.
pub(super) fn command(p: &Procurement, action: &str, which: &str, form: &Form) -> AppResult<ProcCommand> {
    let fields = spec(action).ok_or_else(AppError::not_found)?;
    let mut obj = Map::new();
    obj.insert("action".into(), json!(action));
    let mut problems = Problems::default();
    if let Some(missing) = forms::confirmation_problem(form).filter(|_| IRREVERSIBLE.contains(&action)) {
        problems = missing;
    }
    for (name, kind) in fields {
        let raw = if *name == "challenge" { form.get("challenge") } else { form.get(&fid(which, name)) }.trim();
        let value = match kind {
            F::Text => json!(raw),
            F::Check => json!(form.flag(&fid(which, name))),
            F::Choice => match raw {
                "true" => json!(true),
                "false" => json!(false),
                _ => {
                    problems.add(*name, ErrorCode::Required, "请选择一项", "choose one");
                    continue;
                }
            },
            F::Int | F::OptInt => match raw.parse::<i64>() {
                Ok(n) if n >= 0 => json!(n),
                _ if raw.is_empty() && *kind == F::OptInt => Value::Null,
                _ => {
                    problems.add(
                        *name,
                        ErrorCode::InvalidNumber,
                        "请选择或填写一个有效的编号",
                        "choose or enter a valid number",
                    );
                    continue;
                }
            },
            F::Lines => json!(raw.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>()),
            F::IntList => {
                json!(form.all(&fid(which, name)).iter().filter_map(|v| v.parse::<i64>().ok()).collect::<Vec<_>>())
            }
        };
        obj.insert((*name).into(), value);
    }
    if action == "marks" {
        let criteria = criteria(p);
        let mut marks = Vec::new();
        for b in p.evaluated_bids() {
            for c in &criteria {
                marks.push(json!({"bid_id": b.bid_id, "criterion": c.key, "score": form.get(&mark_id(b.bid_id, &c.key)).trim()}));
            }
        }
        obj.insert("marks".into(), json!(marks));
    }
    problems.into_result()?;
    serde_json::from_value(Value::Object(obj)).map_err(|e| {
        AppError::bad_request(
            ErrorCode::InvalidForm,
            format!("表单内容有误：{e}"),
            format!("the form is not valid: {e}"),
        )
    })
}

pub(super) fn criteria(p: &Procurement) -> Vec<CriterionSpec> {
    match &p.documents.scoring {
        Scoring::Comprehensive { criteria, .. } => criteria.clone(),
        Scoring::LowestPrice => vec![],
    }
}

pub(super) fn mark_id(bid: i64, key: &str) -> String {
    format!("marks_{bid}_{key}")
}

/// Problems from a failed action, keyed by the form's own input ids.
pub(super) fn kept_errors(lang: Lang, p: &Procurement, which: &str, err: &AppError) -> Errors {
    let mut errors = Errors::from_error(lang, err);
    if err.fields().is_empty() {
        return errors;
    }
    let marks: Vec<String> =
        p.evaluated_bids().iter().flat_map(|b| criteria(p).into_iter().map(|c| mark_id(b.bid_id, &c.key))).collect();
    for (item, f) in errors.items.iter_mut().zip(err.fields()) {
        let key = if let Some(rest) = f.field.strip_prefix("marks[") {
            rest.split(']').next().and_then(|i| i.parse::<usize>().ok()).and_then(|i| marks.get(i).cloned())
        } else {
            None
        };
        let key = key.unwrap_or_else(|| fid(which, f.field.split(['.', '[']).next().unwrap_or(&f.field)));
        *item = Problem { href: Some(format!("#{key}")), key, message: item.message.clone() };
    }
    errors
}
