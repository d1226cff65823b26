//! The accept loop, with the limits a public site needs: a client must send its request head within a time
//! limit (a thousand half-sent requests would otherwise be held open for as long as their senders like), at most
//! so many connections are served at once (the rest wait in the kernel's queue), and on shutdown the server
//! stops accepting, lets requests in flight finish, and gives up on them after a grace period.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_service::Service;

/// The serving limits; `serve` flags set them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A connection that has not sent a whole request head this long after it opened (or after its last
    /// response, when kept alive) is closed.
    pub header_read: Duration,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// After the shutdown signal, how long requests in flight may still take before the server exits anyway.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { header_read: Duration::from_secs(10), max_connections: 1024, shutdown_grace: Duration::from_secs(10) }
    }
}

/// Serves `app` on `listener` until `shutdown` completes. Handlers learn the TCP peer's address through
/// `ConnectInfo<SocketAddr>`.
pub async fn serve_until(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read).keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // A connection that failed before it was accepted (reset, too many open files): go on.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            router.clone().call(req.map(axum::body::Body::new))
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A client that goes away or is too slow ends its own connection; nothing to report.
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!("requests still running after the shutdown grace period were cut off");
        }
    }
    Ok(())
}

/// Ctrl-C (SIGINT) or SIGTERM. On Unix the handlers are installed when this is called, not when it is first
/// awaited, so a signal sent once the server said it was serving is never missed (nor kills the process).
#[cfg(unix)]
pub fn signalled() -> impl Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let (int, term) = (signal(SignalKind::interrupt()).ok(), signal(SignalKind::terminate()).ok());
    async move {
        let wait = |s: Option<tokio::signal::unix::Signal>| async move {
            match s {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! { _ = wait(int) => {}, _ = wait(term) => {} }
    }
}

/// Ctrl-C.
#[cfg(not(unix))]
pub fn signalled() -> impl Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio::sync::oneshot;

    const GET: &[u8] = b"GET /peer HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

    /// A server with a route answering the peer's address and one taking `slow` to answer, stopped by the
    /// returned sender; its task answers when `serve_until` returned.
    async fn server(limits: Limits, slow: Duration) -> (SocketAddr, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
        let app = Router::new()
            .route("/peer", get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }))
            .route(
                "/slow",
                get(move || async move {
                    tokio::time::sleep(slow).await;
                    "done"
                }),
            );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            serve_until(listener, app, limits, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        (addr, stop, task)
    }

    async fn request(addr: SocketAddr, raw: &[u8]) -> String {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(raw).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn a_request_is_served_with_its_peer_address() {
        let (addr, _stop, _) = server(Limits::default(), Duration::ZERO).await;
        let answer = request(addr, GET).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("127.0.0.1"), "{answer}");
    }

    #[tokio::test]
    async fn a_half_sent_request_is_closed_after_the_header_time_limit() {
        let limits = Limits { header_read: Duration::from_millis(300), ..Limits::default() };
        let (addr, _stop, _) = server(limits, Duration::ZERO).await;
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /peer HTTP/1.1\r\nHost: t\r\n").await.unwrap();
        let mut buf = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
        assert!(closed.is_ok(), "the server closed the connection within the limit, not after the client's whim");
    }

    #[tokio::test]
    async fn connections_beyond_the_limit_wait_until_one_ends() {
        let limits = Limits { max_connections: 1, ..Limits::default() };
        let (addr, _stop, _) = server(limits, Duration::ZERO).await;
        let idle = TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let second = tokio::spawn(async move { request(addr, GET).await });
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(!second.is_finished(), "the second connection waits while the first holds the only slot");
        drop(idle);
        let answer = tokio::time::timeout(Duration::from_secs(5), second).await.unwrap().unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    #[tokio::test]
    async fn shutdown_finishes_requests_in_flight_and_accepts_no_more() {
        let (addr, stop, task) = server(Limits::default(), Duration::from_millis(500)).await;
        let in_flight =
            tokio::spawn(
                async move { request(addr, b"GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").await },
            );
        tokio::time::sleep(Duration::from_millis(100)).await;
        stop.send(()).unwrap();
        let answer = in_flight.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("done"), "{answer}");
        tokio::time::timeout(Duration::from_secs(5), task).await.expect("the server exits").unwrap();
        assert!(TcpStream::connect(addr).await.is_err(), "nothing listens any more");
    }

    #[tokio::test]
    async fn shutdown_gives_up_on_requests_after_the_grace_period() {
        let limits = Limits { shutdown_grace: Duration::from_millis(300), ..Limits::default() };
        let (addr, stop, task) = server(limits, Duration::from_secs(60)).await;
        let _stuck =
            tokio::spawn(
                async move { request(addr, b"GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").await },
            );
        tokio::time::sleep(Duration::from_millis(100)).await;
        let asked = std::time::Instant::now();
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), task).await.expect("the server exits").unwrap();
        assert!(asked.elapsed() < Duration::from_secs(5), "exits after the grace period, not after the request");
    }
}
