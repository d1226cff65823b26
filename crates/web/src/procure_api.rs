//! The procurement part of `/api/v1`: procurements, sealed bids, committees, scoring, awards, challenges and
//! complaints, duties; and the public notices, which need no sign-in.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use shanzhi_domain::notice::Notice;
use shanzhi_domain::org::{Actor, Role};
use shanzhi_domain::procurement::Procurement;

use crate::api::ApiJson;
use crate::auth::ApiSession;
use crate::error::{AppError, AppResult};
use crate::paging::{ListQuery, Listed};
use crate::AppState;
use shanzhi_app::procurements::{self, BidRequest, ProcCommand, StartRequest};

fn invalid_json(e: impl std::fmt::Display) -> AppError {
    AppError::bad_request(
        "invalid_json",
        format!("请求内容不是有效的 JSON 或缺少字段：{e}"),
        format!("the request body is not valid JSON for this endpoint: {e}"),
    )
}

/// Whether the actor sees the working record rather than a provider's view.
fn sees_record(actor: &Actor, p: &Procurement) -> bool {
    procurements::can_view(actor, p)
}

/// The procurement as `actor` may see it: the working record with its scores and duties, or a provider's view.
pub async fn view(state: &AppState, actor: &Actor, p: &Procurement) -> AppResult<Value> {
    if !sees_record(actor, p) {
        return Ok(json!(procurements::provider_view(state, actor, p).await?));
    }
    let mut v = json!(p);
    v["duties"] = json!(procurements::duties_of(state, p).await?);
    if p.report.is_some() {
        if let Ok(o) = p.outcome(&state.rules) {
            v["outcome"] = json!(o);
        }
    }
    // Who registered interest or asked stays with the purchaser's side; the committee needs neither. Before the
    // opening not even how many: no questions, and no version number that counts the registrations.
    if !p.sees_interest(actor) {
        v["interests"] = json!([]);
        v["documents_obtained"] = json!([]);
        if p.opening.is_none() {
            v["questions"] = json!([]);
            if let Some(o) = v.as_object_mut() {
                o.remove("version");
                o.remove("updated_at");
            }
        }
        if let Some(qs) = v["questions"].as_array_mut() {
            for q in qs {
                q["org_id"] = Value::Null;
            }
        }
    }
    // A sealed round's prices only for those who may see them.
    for (key, final_round) in [("opening", false), ("final_opening", true)] {
        // `get_mut`, not indexing: indexing would turn an opening not yet held into an object.
        if let Some(bids) = v.get_mut(key).and_then(|o| o.get_mut("bids")).and_then(Value::as_array_mut) {
            for b in bids {
                let bidder = b["org_id"].as_i64().unwrap_or_default();
                if !p.may_see_price(actor, final_round, bidder) {
                    b["price"] = Value::Null;
                    b["small_or_micro"] = Value::Null;
                }
            }
        }
    }
    Ok(v)
}

async fn start(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(project_id): Path<i64>,
    ApiJson(req): ApiJson<StartRequest>,
) -> AppResult<Response> {
    let p = procurements::start(&state, &s.actor, project_id, req).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &s.actor, &p).await?)).into_response())
}

/// The procurements the caller may see, newest first, one page: the record's summary to those who may read it,
/// the published facts to providers.
async fn list(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<Listed<Value>>> {
    let q = ListQuery::parse(raw.as_deref(), &crate::filters::PROCUREMENT_FILTERS)?;
    let page =
        procurements::procurement_page(&state, &s.actor, &crate::filters::procurement_filter(&q)?, q.page).await?;
    Ok(Json(
        page.map(|p| {
            let mut item = json!({"id": p.id, "project_code": p.project_code, "title": p.title, "method": p.method, "stage": p.stage, "budget": p.budget, "bid_deadline": p.bid_deadline});
            if sees_record(&s.actor, &p) {
                item["project_id"] = json!(p.project_id);
            }
            item
        })
        .into(),
    ))
}

async fn get_one(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let p = procurements::visible(&state, &s.actor, id).await?;
    Ok(Json(view(&state, &s.actor, &p).await?))
}

async fn run(
    state: &AppState,
    s: &crate::auth::Session,
    id: i64,
    action: &str,
    extra: Option<(&str, Value)>,
    body: &[u8],
) -> AppResult<Json<Value>> {
    let mut v: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(invalid_json)?
    };
    let Some(obj) = v.as_object_mut() else { return Err(invalid_json("expected an object")) };
    obj.insert("action".into(), json!(action));
    if let Some((k, val)) = extra {
        obj.insert(k.into(), val);
    }
    let cmd: ProcCommand = serde_json::from_value(v).map_err(invalid_json)?;
    let p = procurements::perform(state, &s.actor, id, cmd).await?;
    Ok(Json(view(state, &s.actor, &p).await?))
}

macro_rules! action {
    ($name:ident, $action:literal) => {
        async fn $name(
            State(state): State<AppState>,
            ApiSession(s): ApiSession,
            Path(id): Path<i64>,
            body: Bytes,
        ) -> AppResult<Json<Value>> {
            run(&state, &s, id, $action, None, &body).await
        }
    };
}
macro_rules! challenge_action {
    ($name:ident, $action:literal) => {
        async fn $name(
            State(state): State<AppState>,
            ApiSession(s): ApiSession,
            Path((id, n)): Path<(i64, u32)>,
            body: Bytes,
        ) -> AppResult<Json<Value>> {
            run(&state, &s, id, $action, Some(("challenge", json!(n))), &body).await
        }
    };
}

action!(publish, "publish");
action!(interest, "interest");
action!(ask, "ask");
action!(clarify, "clarify");
action!(open, "open");
action!(draw_committee, "draw_committee");
action!(replace_recused, "replace_recused");
action!(declare, "declare");
action!(round, "round");
action!(call_final_offers, "call_final_offers");
action!(compliance, "compliance");
action!(marks, "marks");
action!(report, "report");
action!(award, "award");
action!(negotiation, "negotiation");
action!(abandon, "abandon");
action!(request_switch, "request_switch");
action!(decide_switch, "decide_switch");
action!(challenge, "challenge");
action!(call_off, "call_off");
action!(flag_low_price, "flag_low_price");
action!(explain_low_price, "explain_low_price");
challenge_action!(reply, "reply");
challenge_action!(complain, "complain");
challenge_action!(pause, "pause");
challenge_action!(suspend, "suspend");
challenge_action!(decide, "decide");

async fn decide_low_price(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, bid)): Path<(i64, i64)>,
    body: Bytes,
) -> AppResult<Json<Value>> {
    run(&state, &s, id, "decide_low_price", Some(("bid_id", json!(bid))), &body).await
}

async fn own_bid(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let p = procurements::visible(&state, &s.actor, id).await?;
    if !s.actor.has(Role::Provider) {
        return Err(AppError::forbidden("read_bid"));
    }
    Ok(Json(json!(procurements::own_bids(&state, &s.actor, &p).await?)))
}

async fn put_bid(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<BidRequest>,
) -> AppResult<Json<Value>> {
    let receipt = procurements::submit_bid(&state, &s.actor, id, req).await?;
    Ok(Json(json!({"receipt": receipt})))
}

async fn delete_bid(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    procurements::withdraw_bid(&state, &s.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn upload_bid_file(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let (name, bytes) = crate::api::file_part(form).await?;
    let f = procurements::upload_bid_file(&state, &s.actor, id, &name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(json!(f))).into_response())
}

async fn download_bid_file(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, n)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let f = procurements::bid_file(&state, &s.actor, id, n).await?;
    Ok(bid_file_response(f))
}

/// A bid file as a download.
pub fn bid_file_response(f: shanzhi_app::BidFile) -> Response {
    let disposition = format!("attachment; filename*=UTF-8''{}", crate::api::percent_encode(&f.name));
    (
        [(axum::http::header::CONTENT_TYPE, f.content_type), (axum::http::header::CONTENT_DISPOSITION, disposition)],
        f.bytes,
    )
        .into_response()
}

async fn opened_bids(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let p = procurements::visible(&state, &s.actor, id).await?;
    Ok(Json(json!(procurements::opened_bids(&state, &s.actor, &p).await?)))
}

async fn my_duties(State(state): State<AppState>, ApiSession(s): ApiSession) -> AppResult<Json<Value>> {
    Ok(Json(json!(procurements::duties(&state, &s.actor, true).await?)))
}

async fn overdue(State(state): State<AppState>, ApiSession(s): ApiSession) -> AppResult<Json<Value>> {
    let a = &s.actor;
    if !(a.has(Role::Supervisor) || a.has(Role::Admin) || (a.is_finance_reviewer())) {
        return Err(AppError::forbidden("read_overdue"));
    }
    Ok(Json(json!(procurements::duties(&state, a, false).await?)))
}

/// Published notices, newest first, one page, narrowed by [`crate::filters::NOTICE_FILTERS`]; no sign-in needed.
async fn notices(State(state): State<AppState>, RawQuery(raw): RawQuery) -> AppResult<Json<Listed<Notice>>> {
    let q = ListQuery::parse(raw.as_deref(), &crate::filters::NOTICE_FILTERS)?;
    Ok(Json(procurements::notice_page(&state, &crate::filters::notice_filter(&q)?, q.page).await?.into()))
}

async fn notice(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let n = procurements::notice(&state, id).await?;
    Ok(Json(json!(n)))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/procurements", post(start))
        .route("/procurements", get(list))
        .route("/procurements/{id}", get(get_one))
        .route("/procurements/{id}/publish", post(publish))
        .route("/procurements/{id}/interest", post(interest))
        .route("/procurements/{id}/questions", post(ask))
        .route("/procurements/{id}/clarifications", post(clarify))
        .route("/procurements/{id}/bid", get(own_bid).put(put_bid).delete(delete_bid))
        .route("/procurements/{id}/bid/files", post(upload_bid_file))
        .route("/procurements/{id}/bid/files/{n}", get(download_bid_file))
        .route("/procurements/{id}/opening", post(open))
        .route("/procurements/{id}/bids", get(opened_bids))
        .route("/procurements/{id}/committee", post(draw_committee))
        .route("/procurements/{id}/committee/replacements", post(replace_recused))
        .route("/procurements/{id}/declaration", post(declare))
        .route("/procurements/{id}/rounds", post(round))
        .route("/procurements/{id}/final-offers", post(call_final_offers))
        .route("/procurements/{id}/compliance", post(compliance))
        .route("/procurements/{id}/marks", post(marks))
        .route("/procurements/{id}/report", post(report))
        .route("/procurements/{id}/award", post(award))
        .route("/procurements/{id}/negotiation", post(negotiation))
        .route("/procurements/{id}/abandon", post(abandon))
        .route("/procurements/{id}/switch", post(request_switch))
        .route("/procurements/{id}/switch/decision", post(decide_switch))
        .route("/procurements/{id}/challenges", post(challenge))
        .route("/procurements/{id}/challenges/{n}/reply", post(reply))
        .route("/procurements/{id}/challenges/{n}/complaint", post(complain))
        .route("/procurements/{id}/challenges/{n}/pause", post(pause))
        .route("/procurements/{id}/challenges/{n}/suspension", post(suspend))
        .route("/procurements/{id}/challenges/{n}/decision", post(decide))
        .route("/procurements/{id}/call-offs", post(call_off))
        .route("/procurements/{id}/low-prices", post(flag_low_price))
        .route("/procurements/{id}/low-prices/explanation", post(explain_low_price))
        .route("/procurements/{id}/low-prices/{n}/finding", post(decide_low_price))
        .route("/duties", get(my_duties))
        .route("/overdue", get(overdue))
        .route("/notices", get(notices))
        .route("/notices/{id}", get(notice))
}
