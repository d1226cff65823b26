//! Gzip for what anyone may read. A signed-in answer (a session cookie or a bearer token came with the request)
//! and one that sets a cookie are sent uncompressed: they carry secrets — CSRF tokens, session-bound forms —
//! next to text a page reflects, and a compressed length would let an observer guess them (BREACH).

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::CompressionLayer;

use crate::auth::{PRE_SESSION_COOKIE, SESSION_COOKIE};

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

/// Runs before the handler, so it sees the request's credentials; the compression layer outside it reads the mark.
pub async fn mark(req: Request, next: Next) -> Response {
    let credentialed = has_credentials(&req);
    let mut resp = next.run(req).await;
    if credentialed {
        resp.extensions_mut().insert(Credentialed);
    }
    resp
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
pub fn layer() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().gzip(true).no_br().no_deflate().no_zstd().compress_when(DefaultPredicate::new().and(Public))
}
