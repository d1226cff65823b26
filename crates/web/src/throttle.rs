//! Password checks: who the client is, whether it may try now (counted per address and per username at that
//! address, see `shanzhi_domain::sign_in`), and how many checks run at once.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use shanzhi_domain::sign_in::{account_key, address_key, client_address, wait};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::sync::Barrier;

use crate::auth::verify_password;
use crate::error::{AppError, AppResult};
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

/// Holds every password check, once it has its slot, until the test lets it go: a test of the limit on
/// checks running at once waits on `entered` (with the checks it expects) and later on `release`.
#[derive(Clone)]
pub struct SignInGate {
    pub entered: Arc<Barrier>,
    pub release: Arc<Barrier>,
}

impl SignInGate {
    /// A gate for `checks` password checks and the test itself.
    pub fn new(checks: usize) -> SignInGate {
        SignInGate { entered: Arc::new(Barrier::new(checks + 1)), release: Arc::new(Barrier::new(checks + 1)) }
    }
}

/// A password about to be checked for `username` from `client`: refused with `too_many_attempts` while the
/// failures counted for them say wait.
pub struct Attempt<'a> {
    state: &'a AppState,
    client: IpAddr,
    account_key: String,
}

impl<'a> Attempt<'a> {
    pub async fn start(state: &'a AppState, client: IpAddr, username: &str) -> AppResult<Attempt<'a>> {
        let account = account_key(username, client);
        let by_account = state.store.sign_in_failures(&account).await?;
        let by_address = state.store.sign_in_failures(&address_key(client)).await?;
        if let Some(secs) = wait(&state.rules, by_account, by_address, state.clock.now()) {
            return Err(AppError::TooManyAttempts(secs));
        }
        Ok(Attempt { state, client, account_key: account })
    }

    /// Whether `password` matches `hash`, checked off the request threads while holding one of the server's
    /// few slots for password checks (`sign_in_busy` when none is free). Without a hash (an unknown user) a
    /// dummy is checked, so the answer takes as long either way. A wrong password counts as a failure.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> AppResult<bool> {
        let state = self.state;
        let _slot = state.sign_in_slots.clone().try_acquire_owned().map_err(|_| AppError::SignInBusy)?;
        if let Some(gate) = &state.sign_in_gate {
            gate.entered.wait().await;
            gate.release.wait().await;
        }
        let (password, known) = (password.to_string(), hash.is_some());
        let hash = hash.unwrap_or(&state.dummy_hash).to_string();
        let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .map_err(|e| AppError::Internal(format!("password check: {e}")))?;
        let ok = known && matches;
        if !ok {
            let keys = [self.account_key.clone(), address_key(self.client)];
            state.store.record_sign_in_failure(&keys, state.clock.now()).await?;
        }
        Ok(ok)
    }

    /// The right password: this username's failures from this address are forgotten. The address's own count
    /// stays, so one good account cannot be used to keep trying others.
    pub async fn succeeded(self) -> AppResult<()> {
        self.state.store.clear_sign_in_failures(&self.account_key).await?;
        Ok(())
    }
}
