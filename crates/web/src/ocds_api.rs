//! Open data in the Open Contracting Data Standard 1.1, without sign-in: `GET /api/ocds/releases` (release
//! packages, oldest first, a page at a time by a cursor that new data cannot shift) and
//! `GET /api/ocds/records/{ocid}` (a record package: the process's releases and its compiled release).

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, NaiveDate, Utc};
use shanzhi_app::open_data::{self, MAX_RELEASES};
use shanzhi_app::StepFilter;
use shanzhi_domain::error::ErrorCode;
use shanzhi_ocds::package::{release_package, Meta, RecordPackage};

use crate::error::{AppError, AppResult};
use crate::feeds::origin;
use crate::paging::next_page_href;
use crate::AppState;

/// Releases a page holds unless `limit` says otherwise.
const DEFAULT_RELEASES: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/releases", get(releases)).route("/records/{ocid}", get(record))
}

fn bad(code: ErrorCode, zh: String, en: String) -> AppError {
    AppError::bad_request(code, zh, en)
}

/// A `since`/`until` bound: an RFC 3339 time, or a date (its start in China).
fn bound(name: &str, v: &str) -> AppResult<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0)?.and_local_timezone(shanzhi_domain::clock::china_offset()).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            bad(
                ErrorCode::InvalidParameter,
                format!("参数 {name} 应为日期（YYYY-MM-DD）或 RFC 3339 时间：{v}"),
                format!("parameter {name} must be a date (YYYY-MM-DD) or an RFC 3339 time: {v}"),
            )
        })
}

/// The feed's query: `cursor`, `limit`, `since`, `until`; anything else is refused.
fn read_query(raw: Option<&str>) -> AppResult<(StepFilter, usize)> {
    let mut filter = StepFilter::default();
    let mut limit = DEFAULT_RELEASES;
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "cursor" => {
                filter.after_seq = v.parse::<i64>().ok().filter(|s| *s > 0).ok_or_else(|| {
                    bad(
                        ErrorCode::InvalidCursor,
                        "cursor 无效：请使用上一页 links.next 中的地址".into(),
                        "invalid cursor: follow the previous page's links.next".into(),
                    )
                })?
            }
            "limit" => {
                limit = v.parse::<usize>().ok().filter(|n| (1..=MAX_RELEASES).contains(n)).ok_or_else(|| {
                    bad(
                        ErrorCode::InvalidLimit,
                        format!("limit 应为 1 到 {MAX_RELEASES} 之间的整数（默认 {DEFAULT_RELEASES}）"),
                        format!("limit must be a whole number from 1 to {MAX_RELEASES} (default {DEFAULT_RELEASES})"),
                    )
                })?
            }
            "since" => filter.since = Some(bound("since", &v)?),
            "until" => filter.until = Some(bound("until", &v)?),
            other => {
                return Err(bad(
                    ErrorCode::UnknownParameter,
                    format!("不支持的参数 {other}；可用：cursor, limit, since, until"),
                    format!("unknown parameter {other}; allowed: cursor, limit, since, until"),
                ))
            }
        }
    }
    Ok((filter, limit))
}

fn json(bytes: Vec<u8>) -> Response {
    let mut resp = (StatusCode::OK, bytes).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// `GET /api/ocds/releases`: a release package of the releases after `cursor`, oldest first.
async fn releases(State(state): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let (filter, limit) = read_query(raw.as_deref())?;
    let base = origin(&state, &headers);
    let publisher = open_data::publisher(&state, &base);
    let page = open_data::release_page(&state, &publisher, &filter, limit).await?;
    let uri = match raw.as_deref().filter(|r| !r.is_empty()) {
        Some(q) => format!("{base}/api/ocds/releases?{q}"),
        None => format!("{base}/api/ocds/releases"),
    };
    let meta = Meta { uri, published: state.clock.now(), publisher: &publisher };
    let next = page.next.map(|c| format!("{base}{}", next_page_href("/api/ocds/releases", raw.as_deref(), c)));
    Ok(json(release_package(&meta, &page.releases, next)))
}

/// `GET /api/ocds/records/{ocid}`: the record package of one contracting process.
async fn record(State(state): State<AppState>, headers: HeaderMap, Path(ocid): Path<String>) -> AppResult<Response> {
    let base = origin(&state, &headers);
    let publisher = open_data::publisher(&state, &base);
    let releases = open_data::record(&state, &publisher, &ocid).await?;
    let meta =
        Meta { uri: format!("{base}/api/ocds/records/{ocid}"), published: state.clock.now(), publisher: &publisher };
    let mut package = RecordPackage::new(&meta);
    let values: Vec<_> = releases.into_iter().map(|r| r.value).collect();
    package
        .push(&ocid, &values)
        .map_err(|e| AppError::App(shanzhi_app::Error::Internal(format!("compiling {ocid}: {e}"))))?;
    Ok(json(package.finish()))
}
