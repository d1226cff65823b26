//! The red flags over `/api/v1`: the supervisors' list, filtered and paged.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::auth::ApiSession;
use crate::error::AppResult;
use crate::filters::RedFlagFilters;
use crate::openapi::roles;
use crate::paging::{AnyListed, Listed, Listing};
use crate::AppState;
use shanzhi_app::red_flags::StoredFlag;

/// A flag as the list shows it: its record, with what its code means in both languages.
pub fn flag_json(f: &StoredFlag) -> Value {
    let mut v = json!(f);
    v["label_zh"] = json!(f.code.label_zh());
    v["label_en"] = json!(f.code.label_en());
    v
}

/// Red flags newest first, one page, within what the reader oversees.
#[utoipa::path(
    get,
    path = "/red-flags",
    summary = "Red flags with their evidence, newest first, one page (filters: code, region, purchaser, provider, year)",
    params(Listing<RedFlagFilters>),
    responses((status = 200, description = "success", body = AnyListed)),
    extensions(("x-roles" = json!(roles::SUPERVISION)))
)]
pub(crate) async fn red_flags(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Listing(q, _): Listing<RedFlagFilters>,
) -> AppResult<Json<Listed<Value>>> {
    let query = crate::filters::red_flag_query(&q)?;
    let page = shanzhi_app::red_flags::page(&state, &s.actor, &query, q.page).await?;
    Ok(Json(page.map(|f| flag_json(&f)).into()))
}
