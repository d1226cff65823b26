//! Every request's own work is bounded. A query on a connection whose network has gone quiet never returns
//! by itself; past the store's request deadline (connect + statement time-outs and a margin) the request
//! answers 503 `database_unavailable` instead of hanging, and its connection is discarded. Time spent
//! receiving the request body — a slow upload — does not count.

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::oneshot;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;

pub async fn deadline(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.request_deadline();
    let (parts, body) = req.into_parts();
    let api = parts.uri.path().starts_with("/api/");
    let lang = crate::auth::cookie(&parts, crate::auth::LANG_COOKIE).map(Lang::from_code).unwrap_or(Lang::Zh);
    let received = body.is_end_stream();
    let (done, body_read) = oneshot::channel();
    let req = Request::from_parts(parts, Body::new(Watched { inner: body, done: Some(done) }));
    let run = next.run(req);
    tokio::pin!(run);
    if !received {
        tokio::select! {
            resp = &mut run => return resp,
            _ = body_read => {}
        }
    }
    match tokio::time::timeout(limit, run).await {
        Ok(resp) => resp,
        Err(_) => {
            let err = AppError::from(shanzhi_app::Error::DatabaseUnavailable(format!(
                "no answer within {} s",
                limit.as_secs()
            )));
            if api {
                err.into_response()
            } else {
                crate::pages::error_page_in(lang, err)
            }
        }
    }
}

/// A request body that says when it has been read to the end, failed, or been dropped unread.
struct Watched {
    inner: Body,
    done: Option<oneshot::Sender<()>>,
}

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            self.done.take();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
