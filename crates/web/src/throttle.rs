//! Who the client is, for the throttling of password checks (`shanzhi_app::sessions::Attempt`).

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use shanzhi_domain::sign_in::client_address;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::AppState;

/// The client a request comes from: the TCP peer, or the last `X-Forwarded-For` hop outside the configured
/// `trusted_proxies`. A server run without connect info (only in unit tests) sees every client as 0.0.0.0.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded: Vec<&str> =
            parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientAddr(client_address(peer, &forwarded, &state.rules.trusted_proxies)))
    }
}
