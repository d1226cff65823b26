//! The ceiling `bench/run.sh` measures the platform against: a fixed small answer to any GET, from a bare axum
//! router served by the platform's own accept loop on the same runtime (tokio's multi-threaded one, a worker per
//! core), so that what the platform adds — middleware, sessions, the database, rendering — is all that differs.
//!
//! `cargo run --release -p shanzhi-web --example ceiling -- 127.0.0.1:18081`

use axum::routing::get;
use axum::Router;

async fn fixed() -> &'static str {
    "ok\n"
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18081".into());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        let app = Router::new().route("/healthz", get(fixed)).fallback(get(fixed));
        println!("ceiling serving http://{}", listener.local_addr()?);
        let limits = shanzhi_web::Limits::default();
        shanzhi_web::listen::serve_until(listener, app, limits, shanzhi_web::listen::signalled()).await
    })
}
