//! What anyone may read, and how it travels. A request carrying credentials (a session or pre-session cookie,
//! a bearer token) is answered `Cache-Control: private, no-store` and uncompressed: its answer holds personal or
//! unpublished data, and CSRF tokens beside reflected text whose compressed length would leak them (BREACH).
//! A public GET answered 200 without setting a cookie is cacheable — a weak `ETag` over its bytes and a
//! `Last-Modified` (see [`last_modified`]), revalidated after `PUBLIC_MAX_AGE` seconds, `304 Not Modified` when the
//! client's copy is current — and gzipped when the client accepts it. Anything else (errors, answers that set a
//! cookie) is `no-store`.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use std::time::{Duration, SystemTime};
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::CompressionLayer;

use crate::auth::{PRE_SESSION_COOKIE, SESSION_COOKIE};
use crate::AppState;

/// How long a public answer may be reused without asking again: notices appear within a minute.
const PUBLIC_MAX_AGE: u32 = 60;
/// A public answer larger than this is sent without an ETag rather than held in memory to hash.
const ETAG_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Marks the answer to a request that carried credentials.
#[derive(Debug, Clone, Copy)]
struct Credentialed;

fn has_credentials(req: &Request) -> bool {
    let cookies = req.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
    let signed_in = cookies.flat_map(|c| c.split(';')).any(|c| {
        let name = c.trim().split('=').next().unwrap_or_default();
        name == SESSION_COOKIE || name == PRE_SESSION_COOKIE
    });
    signed_in || req.headers().contains_key(header::AUTHORIZATION)
}

/// When the public data last changed, to the second, for `Last-Modified`: the latest change (every change appends
/// an audit event), or this server's start when that is later (a new release or configuration changes pages too).
///
/// None until that time has settled: a write reads the clock before it waits for its turn and commits, at most the
/// request deadline later, so a change still on its way may carry an earlier time — or the same second. Sent only
/// once the longest write that could still land has passed a second beyond it, a `Last-Modified` is earlier than
/// every change its page does not show. None too when the store cannot say, or when the time is ahead of the
/// system's (a test clock), which the answer's `Date` comes from.
async fn last_modified(state: &AppState) -> Option<SystemTime> {
    let latest = match state.latest_change().await {
        Ok(t) => t,
        Err(e) => {
            tracing::debug!("no Last-Modified: {e}");
            return None;
        }
    };
    let changed = latest.map_or(state.started_at, |t| t.max(state.started_at));
    let changed = DateTime::<Utc>::from_timestamp(changed.timestamp(), 0)?;
    let settle = state.request_deadline() + Duration::from_secs(1);
    let settled = chrono::Duration::from_std(settle).ok().is_some_and(|d| state.clock.now() >= changed + d);
    (settled && changed <= Utc::now()).then(|| changed.into())
}

/// Whether the client's copy, as its validators describe it, is current. `If-None-Match` decides when sent;
/// otherwise `If-Modified-Since` (RFC 9110 §13.2.2).
fn current(req: &HeaderMap, tag: Option<&HeaderValue>, modified: Option<SystemTime>) -> bool {
    if let Some(v) = req.get(header::IF_NONE_MATCH) {
        let Some(tag) = tag.and_then(|t| t.to_str().ok()) else { return false };
        return v.to_str().is_ok_and(|v| v.split(',').any(|t| t.trim() == "*" || t.trim() == tag));
    }
    let since = req.get(header::IF_MODIFIED_SINCE).and_then(|v| httpdate::parse_http_date(v.to_str().ok()?).ok());
    matches!((modified, since), (Some(m), Some(since)) if m <= since)
}

fn not_modified(mut parts: axum::http::response::Parts) -> Response {
    parts.status = StatusCode::NOT_MODIFIED;
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::empty())
}

/// Sets each answer's caching as the module says; a handler that set its own `Cache-Control` (the versioned
/// stylesheet) keeps it.
pub async fn caching(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let credentialed = has_credentials(&req);
    let readable = matches!(*req.method(), Method::GET | Method::HEAD);
    let mut validators = HeaderMap::new();
    for name in [header::IF_NONE_MATCH, header::IF_MODIFIED_SINCE] {
        if let Some(v) = req.headers().get(&name) {
            validators.insert(name, v.clone());
        }
    }
    let mut resp = next.run(req).await;
    if credentialed {
        resp.extensions_mut().insert(Credentialed);
    }
    if resp.headers().contains_key(header::CACHE_CONTROL) {
        return resp;
    }
    if credentialed {
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        return resp;
    }
    if !readable || resp.status() != StatusCode::OK || resp.headers().contains_key(header::SET_COOKIE) {
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return resp;
    }
    let modified = last_modified(&state).await;
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!("public, max-age={PUBLIC_MAX_AGE}")).expect("ascii"),
    );
    // The language comes from a cookie.
    h.append(header::VARY, HeaderValue::from_static("Cookie"));
    if let Some(m) = modified {
        h.insert(header::LAST_MODIFIED, HeaderValue::from_str(&httpdate::fmt_http_date(m)).expect("an HTTP date"));
    }
    // A streamed or very large answer goes out as it is, without a tag.
    let small = http_body::Body::size_hint(resp.body()).exact().is_some_and(|n| n <= ETAG_MAX_BYTES as u64);
    if !small {
        let (parts, body) = resp.into_parts();
        if current(&validators, None, modified) {
            return not_modified(parts);
        }
        return Response::from_parts(parts, body);
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, ETAG_MAX_BYTES).await else {
        // The body failed while being read: its bytes are gone, so say so rather than send half.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // An ETag need only change when the bytes do, on every server alike: a fixed, fast hash, not a digest.
    let tag = format!("W/\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(&bytes));
    let tag = HeaderValue::from_str(&tag).expect("hex is a valid header value");
    parts.headers.insert(header::ETAG, tag.clone());
    if current(&validators, Some(&tag), modified) {
        return not_modified(parts);
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[derive(Debug, Clone, Copy)]
struct Public;

impl Predicate for Public {
    fn should_compress<B>(&self, response: &axum::http::Response<B>) -> bool
    where
        B: http_body::Body,
    {
        response.extensions().get::<Credentialed>().is_none() && !response.headers().contains_key(header::SET_COOKIE)
    }
}

/// Gzip where the client accepts it, for public answers large enough to gain (the default predicate: ≥ 32 bytes,
/// not images or event streams).
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().gzip(true).no_br().no_deflate().no_zstd().compress_when(DefaultPredicate::new().and(Public))
}
