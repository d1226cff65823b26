//! What anyone may read, and how it travels. A request carrying credentials (a session or pre-session cookie,
//! a bearer token) is answered `Cache-Control: private, no-store` and uncompressed: its answer holds personal or
//! unpublished data, and CSRF tokens beside reflected text whose compressed length would leak them (BREACH).
//! A public GET answered 200 without setting a cookie is cacheable — a weak `ETag` over its bytes, revalidated
//! after `PUBLIC_MAX_AGE` seconds, `304 Not Modified` when the client's copy is current — and gzipped when the
//! client accepts it. Anything else (errors, answers that set a cookie) is `no-store`.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::CompressionLayer;

use crate::auth::{PRE_SESSION_COOKIE, SESSION_COOKIE};

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

/// Sets each answer's caching as the module says; a handler that set its own `Cache-Control` (the versioned
/// stylesheet) keeps it.
pub async fn caching(req: Request, next: Next) -> Response {
    let credentialed = has_credentials(&req);
    let readable = matches!(*req.method(), Method::GET | Method::HEAD);
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
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
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!("public, max-age={PUBLIC_MAX_AGE}")).expect("ascii"),
    );
    // The language comes from a cookie.
    h.append(header::VARY, HeaderValue::from_static("Cookie"));
    // A streamed or very large answer goes out as it is, without a tag.
    let small = http_body::Body::size_hint(resp.body()).exact().is_some_and(|n| n <= ETAG_MAX_BYTES as u64);
    if !small {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, ETAG_MAX_BYTES).await else {
        // The body failed while being read: its bytes are gone, so say so rather than send half.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let tag = format!("W/\"{}\"", &hex::encode(Sha256::digest(&bytes))[..32]);
    let tag = HeaderValue::from_str(&tag).expect("hex is a valid header value");
    parts.headers.insert(header::ETAG, tag.clone());
    let current = if_none_match
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == "*" || t.trim() == tag.to_str().unwrap_or_default()));
    if current {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
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
