//! The procurement part of `/api/v1`: procurements, sealed bids, committees, scoring, awards, challenges and
//! complaints, duties; and the public notices, which need no sign-in.

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use shanzhi_domain::notice::Notice;
use shanzhi_domain::org::{Actor, Role};
use shanzhi_domain::procurement::Procurement;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::ApiJson;
use crate::auth::ApiSession;
use crate::error::{AppError, AppResult};
use crate::openapi::roles;
use crate::paging::{AnyListed, Listed, Listing};
use crate::AppState;
use shanzhi_app::approvals::DecisionRequest;
use shanzhi_app::procurements::{
    self, BidRequest, CallOffRequest, ChallengeReplyRequest, ChallengeRequest, ClarificationRequest, CommitteeRequest,
    ComplaintDecisionRequest, ComplianceRequest, DeclarationRequest, FinalOffersRequest, LowPriceFindingRequest,
    LowPriceRequest, MarksRequest, NegotiationRequest, OpeningRequest, PauseRequest, ProcCommand, PublishRequest,
    RoundRequest, StartRequest, SuspensionRequest, SwitchMethodRequest, TextRequest, WinnerRequest,
};
use shanzhi_app::projects::ReasonRequest;

fn invalid_json(e: impl std::fmt::Display) -> AppError {
    AppError::invalid_json(&e.to_string())
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

#[utoipa::path(
    post,
    path = "/projects/{id}/procurements",
    summary = "Start a procurement of an approved project by a statutory method (publishes the purchase intention)",
    request_body = StartRequest,
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::PURCHASER)))
)]
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
#[utoipa::path(
    get,
    path = "/procurements",
    summary = "Procurements I run, oversee or sit on; published ones for providers",
    params(Listing<crate::filters::ProcurementFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn list(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<crate::filters::ProcurementFilters>,
) -> AppResult<Json<Listed<Value>>> {
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

#[utoipa::path(
    get,
    path = "/procurements/{id}",
    summary = "One procurement: the working record, or a provider's own view (never another bidder's bid)",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn get_one(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let p = procurements::visible(&state, &s.actor, id).await?;
    Ok(Json(view(&state, &s.actor, &p).await?))
}

/// Applies `cmd` and answers the procurement as the caller may see it.
async fn apply(state: &AppState, s: &crate::auth::Session, id: i64, cmd: ProcCommand) -> AppResult<Json<Value>> {
    let p = procurements::perform(state, &s.actor, id, cmd).await?;
    Ok(Json(view(state, &s.actor, &p).await?))
}

/// A procurement action's JSON body as the actions have always read it: a blank body is `{}` (for actions whose
/// fields all have defaults) and no content type is required.
pub struct ActionJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ActionJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let body = Bytes::from_request(req, state).await.map_err(invalid_json)?;
        let parsed = if body.iter().all(u8::is_ascii_whitespace) {
            serde_json::from_value(json!({}))
        } else {
            serde_json::from_slice(&body)
        };
        parsed.map(ActionJson).map_err(invalid_json)
    }
}

/// A handler of one procurement action, documented with the body type it reads.
// rustfmt indents the attribute further on every run.
#[rustfmt::skip]
macro_rules! action {
    ($name:ident: $path:literal, $summary:literal, $roles:expr => $command:expr) => {
        #[utoipa::path(
            post,
            path = $path,
            summary = $summary,
            responses((status = 200, description = "success")),
            extensions(("x-roles" = json!($roles)))
        )]
        async fn $name(
            State(state): State<AppState>,
            ApiSession(s): ApiSession,
            Path(id): Path<i64>,
        ) -> AppResult<Json<Value>> {
            apply(&state, &s, id, $command).await
        }
    };
    ($name:ident: $path:literal, $summary:literal, $roles:expr, $body:ident => $command:expr) => {
        #[utoipa::path(
            post,
            path = $path,
            summary = $summary,
            request_body = $body,
            responses((status = 200, description = "success")),
            extensions(("x-roles" = json!($roles)))
        )]
        async fn $name(
            State(state): State<AppState>,
            ApiSession(s): ApiSession,
            Path(id): Path<i64>,
            ActionJson(body): ActionJson<$body>,
        ) -> AppResult<Json<Value>> {
            apply(&state, &s, id, ($command)(body)).await
        }
    };
}

/// A handler of an action on challenge `n`, which the path names.
// rustfmt indents the attribute further on every run.
#[rustfmt::skip]
macro_rules! challenge_action {
    ($name:ident: $path:literal, $summary:literal, $roles:expr, $body:ident => $command:expr) => {
        #[utoipa::path(
            post,
            path = $path,
            summary = $summary,
            request_body = $body,
            responses((status = 200, description = "success")),
            extensions(("x-roles" = json!($roles)))
        )]
        async fn $name(
            State(state): State<AppState>,
            ApiSession(s): ApiSession,
            Path((id, n)): Path<(i64, u32)>,
            ActionJson(body): ActionJson<$body>,
        ) -> AppResult<Json<Value>> {
            apply(&state, &s, id, ($command)(n, body)).await
        }
    };
}

action!(
    publish: "/procurements/{id}/publish",
    "Publish the announcement with the bid deadline (refused when shorter than the statutory periods)",
    roles::RUNNER,
    PublishRequest => ProcCommand::Publish
);
action!(
    interest: "/procurements/{id}/interest",
    "Register interest and obtain the documents",
    roles::PROVIDER => ProcCommand::Interest
);
action!(
    ask: "/procurements/{id}/questions",
    "Ask the purchaser a question about the documents",
    roles::PROVIDER,
    TextRequest => ProcCommand::Ask
);
action!(
    clarify: "/procurements/{id}/clarifications",
    "Publish a clarification; one affecting bids moves a deadline closer than 15 days",
    roles::RUNNER,
    ClarificationRequest => ProcCommand::Clarify
);
action!(
    open: "/procurements/{id}/opening",
    "Open the bids at or after the deadline, recording who attended",
    roles::RUNNER,
    OpeningRequest => ProcCommand::Open
);
action!(
    draw_committee: "/procurements/{id}/committee",
    "Draw the evaluation committee from the expert pool (reproducible, conflicts excluded)",
    roles::RUNNER,
    CommitteeRequest => ProcCommand::DrawCommittee
);
action!(
    replace_recused: "/procurements/{id}/committee/replacements",
    "Draw replacements for experts who recused themselves",
    roles::RUNNER => ProcCommand::ReplaceRecused
);
action!(
    declare: "/procurements/{id}/declaration",
    "Declare, before seeing any bid, whether I have a conflict with the bidders",
    roles::EXPERT,
    DeclarationRequest => ProcCommand::Declare
);
action!(
    round: "/procurements/{id}/rounds",
    "Record a round of negotiation or consultation",
    roles::COMMITTEE,
    RoundRequest => ProcCommand::Round
);
action!(
    call_final_offers: "/procurements/{id}/final-offers",
    "Call for sealed final offers by a deadline",
    roles::COMMITTEE,
    FinalOffersRequest => ProcCommand::CallFinalOffers
);
action!(
    compliance: "/procurements/{id}/compliance",
    "Record the compliance review of one bid",
    roles::COMMITTEE,
    ComplianceRequest => ProcCommand::Compliance
);
action!(
    marks: "/procurements/{id}/marks",
    "My scores of every bid on every criterion (comprehensive scoring; experts and the purchaser's representatives alike)",
    roles::COMMITTEE,
    MarksRequest => ProcCommand::Marks
);
action!(
    flag_low_price: "/procurements/{id}/low-prices",
    "Ask a bidder to justify an abnormally low price in writing by a deadline",
    roles::COMMITTEE,
    LowPriceRequest => ProcCommand::FlagLowPrice
);
action!(
    explain_low_price: "/procurements/{id}/low-prices/explanation",
    "The asked bidder's written explanation of its price, before the deadline",
    roles::PROVIDER,
    TextRequest => ProcCommand::ExplainLowPrice
);
action!(
    report: "/procurements/{id}/report",
    "Finish the evaluation and send the report to the purchaser",
    roles::COMMITTEE => ProcCommand::Report
);
action!(
    confirm_winner: "/procurements/{id}/award",
    "Confirm the winner (on a tie, with the reason under the documents' rule)",
    roles::RUNNER,
    WinnerRequest => ProcCommand::Award
);
action!(
    negotiation: "/procurements/{id}/negotiation",
    "Single source: record the negotiated price and minutes (after the notice when only one supplier can do it)",
    roles::RUNNER,
    NegotiationRequest => ProcCommand::Negotiation
);
action!(
    abandon: "/procurements/{id}/abandon",
    "End a running procurement with a reason",
    roles::RUNNER,
    ReasonRequest => ProcCommand::Abandon
);
action!(
    request_switch: "/procurements/{id}/switch",
    "After a failure, ask finance to approve another method",
    roles::PURCHASER,
    SwitchMethodRequest => ProcCommand::RequestSwitch
);
action!(
    decide_switch: "/procurements/{id}/switch/decision",
    "Approve or refuse a change of method (at or above the open-tender threshold: a city's or higher finance department, with its document number)",
    roles::FINANCE_REVIEWER,
    DecisionRequest => ProcCommand::DecideSwitch
);
action!(
    challenge: "/procurements/{id}/challenges",
    "Challenge the documents, process or result (7 working days)",
    roles::PROVIDER,
    ChallengeRequest => ProcCommand::Challenge
);
action!(
    call_off: "/procurements/{id}/call-offs",
    "Framework agreement: call off an order from an admitted provider",
    roles::RUNNER,
    CallOffRequest => ProcCommand::CallOff
);
challenge_action!(
    reply: "/procurements/{id}/challenges/{n}/reply",
    "Reply to a challenge (7 working days)",
    roles::RUNNER,
    ChallengeReplyRequest => |challenge, reply| ProcCommand::Reply { challenge, reply }
);
challenge_action!(
    complain: "/procurements/{id}/challenges/{n}/complaint",
    "Complain to finance after the reply (15 working days)",
    roles::PROVIDER,
    TextRequest => |challenge, complaint| ProcCommand::Complain { challenge, complaint }
);
challenge_action!(
    pause: "/procurements/{id}/challenges/{n}/pause",
    "Exclude days from the complaint decision period (testing, appraisal, expert review)",
    roles::FINANCE_REVIEWER,
    PauseRequest => |challenge, pause| ProcCommand::Pause { challenge, pause }
);
challenge_action!(
    suspend: "/procurements/{id}/challenges/{n}/suspension",
    "Suspend the procurement during a complaint (at most 30 days)",
    roles::FINANCE_REVIEWER,
    SuspensionRequest => |challenge, suspension| ProcCommand::Suspend { challenge, suspension }
);
challenge_action!(
    decide_complaint: "/procurements/{id}/challenges/{n}/decision",
    "Decide a complaint (30 working days): dismissed, or upheld with its consequence",
    roles::FINANCE_REVIEWER,
    ComplaintDecisionRequest => |challenge, decision| ProcCommand::Decide { challenge, decision }
);

#[utoipa::path(
    post,
    path = "/procurements/{id}/low-prices/{n}/finding",
    summary = "Find bid n's price justified, or not (the bid is then void)",
    request_body = LowPriceFindingRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::COMMITTEE)))
)]
async fn decide_low_price(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, bid_id)): Path<(i64, i64)>,
    ActionJson(finding): ActionJson<LowPriceFindingRequest>,
) -> AppResult<Json<Value>> {
    apply(&state, &s, id, ProcCommand::DecideLowPrice { bid_id, finding }).await
}

#[utoipa::path(
    get,
    path = "/procurements/{id}/bid",
    summary = "My own bid and final offer (the only read of a bid before the opening)",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PROVIDER)))
)]
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

#[utoipa::path(
    put,
    path = "/procurements/{id}/bid",
    summary = "Submit or change my sealed bid before the deadline; returns its receipt",
    request_body = BidRequest,
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PROVIDER)))
)]
async fn put_bid(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<BidRequest>,
) -> AppResult<Json<Value>> {
    let receipt = procurements::submit_bid(&state, &s.actor, id, req).await?;
    Ok(Json(json!({"receipt": receipt})))
}

#[utoipa::path(
    delete,
    path = "/procurements/{id}/bid",
    summary = "Withdraw my bid before the deadline",
    responses((status = 204, description = "success")),
    extensions(("x-roles" = json!(roles::PROVIDER)))
)]
async fn delete_bid(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    procurements::withdraw_bid(&state, &s.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/procurements/{id}/bid/files",
    summary = "Upload a file for my coming bid, sealed like the bid; put its id in the bid's file_ids",
    request_body(content = crate::api::Upload, content_type = "multipart/form-data"),
    responses((status = 201, description = "success")),
    extensions(("x-roles" = json!(roles::PROVIDER)))
)]
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

#[utoipa::path(
    get,
    path = "/procurements/{id}/bid/files/{n}",
    summary = "A bid file: its own bidder; after the opening, declared committee members and the purchaser",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(["provider", "purchaser", "agency", "expert"])))
)]
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

#[utoipa::path(
    get,
    path = "/procurements/{id}/bids",
    summary = "Opened bids with their proposals (after the opening; declared committee members and the purchaser)",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(["purchaser", "agency", "expert"])))
)]
async fn opened_bids(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let p = procurements::visible(&state, &s.actor, id).await?;
    Ok(Json(json!(procurements::opened_bids(&state, &s.actor, &p).await?)))
}

#[utoipa::path(
    get,
    path = "/duties",
    summary = "My procurement duties with their statutory deadlines",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::SIGNED_IN)))
)]
async fn my_duties(State(state): State<AppState>, ApiSession(s): ApiSession) -> AppResult<Json<Value>> {
    Ok(Json(json!(procurements::duties(&state, &s.actor, true).await?)))
}

#[utoipa::path(
    get,
    path = "/overdue",
    summary = "Overdue procurement duties I oversee",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(["supervisor", "admin", "reviewer"])))
)]
async fn overdue(State(state): State<AppState>, ApiSession(s): ApiSession) -> AppResult<Json<Value>> {
    let a = &s.actor;
    if !(a.has(Role::Supervisor) || a.has(Role::Admin) || (a.is_finance_reviewer())) {
        return Err(AppError::forbidden("read_overdue"));
    }
    Ok(Json(json!(procurements::duties(&state, a, false).await?)))
}

/// Published notices, newest first, one page, narrowed by [`crate::filters::NOTICE_FILTERS`]; no sign-in needed.
#[utoipa::path(
    get,
    path = "/notices",
    summary = "Public procurement notices, newest first, one page (filters: kind, region, year; no sign-in)",
    params(Listing<crate::filters::NoticeFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
async fn notices(
    State(state): State<AppState>,
    Listing(q, _): Listing<crate::filters::NoticeFilters>,
) -> AppResult<Json<Listed<Notice>>> {
    Ok(Json(procurements::notice_page(&state, &crate::filters::notice_filter(&q)?, q.page).await?.into()))
}

#[utoipa::path(
    get,
    path = "/notices/{id}",
    summary = "One public notice",
    responses((status = 200, description = "success")),
    extensions(("x-roles" = json!(roles::PUBLIC)))
)]
async fn notice(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let n = procurements::notice(&state, id).await?;
    Ok(Json(json!(n)))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start))
        .routes(routes!(list))
        .routes(routes!(get_one))
        .routes(routes!(publish))
        .routes(routes!(interest))
        .routes(routes!(ask))
        .routes(routes!(clarify))
        .routes(routes!(own_bid, put_bid, delete_bid))
        .routes(routes!(upload_bid_file))
        .routes(routes!(download_bid_file))
        .routes(routes!(open))
        .routes(routes!(opened_bids))
        .routes(routes!(draw_committee))
        .routes(routes!(replace_recused))
        .routes(routes!(declare))
        .routes(routes!(round))
        .routes(routes!(call_final_offers))
        .routes(routes!(compliance))
        .routes(routes!(marks))
        .routes(routes!(report))
        .routes(routes!(confirm_winner))
        .routes(routes!(negotiation))
        .routes(routes!(abandon))
        .routes(routes!(request_switch))
        .routes(routes!(decide_switch))
        .routes(routes!(challenge))
        .routes(routes!(reply))
        .routes(routes!(complain))
        .routes(routes!(pause))
        .routes(routes!(suspend))
        .routes(routes!(decide_complaint))
        .routes(routes!(call_off))
        .routes(routes!(flag_low_price))
        .routes(routes!(explain_low_price))
        .routes(routes!(decide_low_price))
        .routes(routes!(my_duties))
        .routes(routes!(overdue))
        .routes(routes!(notices))
        .routes(routes!(notice))
}
