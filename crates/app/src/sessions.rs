//! Signing in and what it opens: passwords (hashed with argon2id), sessions and named API tokens. Tokens are
//! random; the store keeps only their SHA-256. Password checks are throttled per address and per username at
//! that address (see `shanzhi_domain::sign_in`), and only a few run at once.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::Duration;
use rand::RngCore;
use sha2::{Digest, Sha256};
use shanzhi_domain::error::Problems;
use shanzhi_domain::org::Actor;
use shanzhi_domain::sign_in::{account_key, address_key, wait};
use shanzhi_domain::ErrorCode;
use shanzhi_store::{By, SessionKind, SessionRecord};
use std::net::IpAddr;
use std::sync::Arc;
use tokio::sync::Barrier;

use crate::{App, Error, Result};

/// Password hashing cost. Tests use the cheap one so the suite stays fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCost {
    /// OWASP's argon2id recommendation: 19 MiB, 2 passes.
    Standard,
    /// For tests only.
    Cheap,
}

fn argon(cost: PasswordCost) -> Argon2<'static> {
    let params = match cost {
        PasswordCost::Standard => Params::new(19 * 1024, 2, 1, None),
        PasswordCost::Cheap => Params::new(256, 1, 1, None),
    }
    .expect("argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str, cost: PasswordCost) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon(cost)
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing with valid parameters cannot fail")
        .to_string()
}

/// Verifies against the parameters recorded in the hash itself.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A password's minimum: ten characters, not all of one kind of character.
pub fn password_problem(password: &str) -> Option<(&'static str, &'static str)> {
    if password.chars().count() < 10 {
        return Some(("密码至少需要 10 个字符", "the password must have at least 10 characters"));
    }
    if password.chars().all(|c| c.is_ascii_digit()) || password.chars().all(|c| c.is_alphabetic()) {
        return Some(("密码须同时包含字母和数字或符号", "the password must mix letters with digits or symbols"));
    }
    None
}

/// A temporary password for an administrator's reset (or a new account from the command line): 16 characters,
/// within the password rules, shown once.
pub fn temporary_password() -> String {
    format!("sz-{}", &new_token()[..14])
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A verified caller: who, and through which session.
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub token_hash: String,
    pub csrf: String,
    pub kind: SessionKind,
    /// An administrator reset the password: until it is changed the session may do nothing else.
    pub must_change_password: bool,
}

impl Session {
    pub fn by(&self) -> By {
        By::actor(&self.actor)
    }
}

/// The live session of `kind` that `token` opens, if any. A disabled user has none.
pub async fn resolve(app: &App, token: &str, kind: SessionKind) -> Result<Option<Session>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let Some((record, must_change_password, actor)) = app.store.session_with_actor(&hash).await? else {
        return Ok(None);
    };
    if record.kind != kind || record.expires_at <= app.clock.now() {
        return Ok(None);
    }
    // A disabled user has no actor: their sessions and tokens stop at once.
    let Some(actor) = actor else { return Ok(None) };
    Ok(Some(Session { actor, token_hash: hash, csrf: record.csrf, kind, must_change_password }))
}

/// A new session, as signing in gives it.
pub struct NewSession {
    /// Shown once; only its hash is kept.
    pub token: String,
    pub record: SessionRecord,
    /// An administrator reset the password: the session may do nothing but change it.
    pub must_change_password: bool,
}

/// Checks credentials from `client` with throttling (see [`Attempt`]), then opens a session.
pub async fn sign_in(
    app: &App,
    client: IpAddr,
    username: &str,
    password: &str,
    kind: SessionKind,
) -> Result<NewSession> {
    let username = username.trim().to_ascii_lowercase();
    let attempt = Attempt::start(app, client, &username).await?;
    let found = app.store.user_credentials(&username).await?;
    if !attempt.verify(password, found.as_ref().map(|(_, hash)| hash.as_str())).await? {
        return Err(Error::InvalidCredentials);
    }
    attempt.succeeded().await?;
    let Some((user, _)) = found else { return Err(Error::InvalidCredentials) };
    // Only someone who knows the password learns that the account is disabled.
    let Some(account) = app.store.account(user.id).await?.filter(|a| a.user.active) else {
        return Err(Error::AccountDisabled);
    };
    let lifetime = match kind {
        SessionKind::Web => Duration::hours(app.rules.session_hours),
        SessionKind::Api => Duration::days(app.rules.api_token_days),
    };
    let by = By { user_id: Some(user.id), name: user.username.clone(), org_id: Some(user.org_id) };
    let (token, record) = open_session(app, &by, user.id, kind, "", lifetime).await?;
    Ok(NewSession { token, record, must_change_password: account.must_change_password })
}

/// Ends `s` (signing out): its token stops working at once.
pub async fn sign_out(app: &App, s: &Session) -> Result<()> {
    Ok(app.store.end_session(&s.by(), &s.token_hash, app.clock.now()).await?)
}

/// Opens a session or token for `user_id`; the token is returned once and only its hash is kept.
async fn open_session(
    app: &App,
    by: &By,
    user_id: i64,
    kind: SessionKind,
    label: &str,
    lifetime: Duration,
) -> Result<(String, SessionRecord)> {
    let now = app.clock.now();
    let token = new_token();
    let record = SessionRecord {
        user_id,
        kind,
        label: label.to_string(),
        csrf: new_token(),
        created_at: now,
        expires_at: now + lifetime,
    };
    app.store.create_session(by, &token_hash(&token), &record, now).await?;
    Ok((token, record))
}

/// A named API token as its owner sees it: never the token itself, which is shown once at creation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    /// The first 16 hex digits of the token's hash: enough to name it, useless to use it.
    pub id: String,
    pub label: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

fn token_info(hash: &str, r: &SessionRecord) -> TokenInfo {
    TokenInfo { id: hash[..16].to_string(), label: r.label.clone(), created_at: r.created_at, expires_at: r.expires_at }
}

/// The caller's live API tokens.
pub async fn list_tokens(app: &App, s: &Session) -> Result<Vec<TokenInfo>> {
    let live = app.store.live_sessions(s.actor.user_id, app.clock.now()).await?;
    Ok(live.iter().filter(|(_, r)| r.kind == SessionKind::Api).map(|(h, r)| token_info(h, r)).collect())
}

/// Longest lifetime of a named token.
pub const MAX_TOKEN_DAYS: i64 = 365;

/// Creates a named API token for scripts, valid for `days` (default: the configured API token lifetime).
pub async fn create_token(app: &App, s: &Session, label: &str, days: Option<i64>) -> Result<(String, TokenInfo)> {
    let mut p = Problems::default();
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 60 {
        p.add(
            "label",
            ErrorCode::InvalidLabel,
            "请填写令牌用途（不超过 60 字）",
            "name the token's use (at most 60 characters)",
        );
    }
    let days = days.unwrap_or(app.rules.api_token_days);
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        p.add("days", ErrorCode::InvalidDays, "有效期须为 1 至 365 天", "the lifetime must be 1 to 365 days");
    }
    p.into_result()?;
    let (token, record) =
        open_session(app, &s.by(), s.actor.user_id, SessionKind::Api, label, Duration::days(days)).await?;
    let info = token_info(&token_hash(&token), &record);
    Ok((token, info))
}

/// Revokes one of the caller's own tokens by its id.
pub async fn revoke_token(app: &App, s: &Session, id: &str) -> Result<()> {
    let live = app.store.live_sessions(s.actor.user_id, app.clock.now()).await?;
    let found = live.iter().find(|(h, r)| r.kind == SessionKind::Api && id.len() == 16 && h.starts_with(id));
    let (hash, _) = found.ok_or_else(Error::not_found)?;
    app.store.end_session(&s.by(), hash, app.clock.now()).await?;
    Ok(())
}

/// The tag a form posted before sign-in carries for the pre-session `nonce`, keyed by the data key.
pub fn form_tag(app: &App, nonce: &str) -> String {
    app.store.form_tag(nonce)
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
    app: &'a App,
    client: IpAddr,
    account_key: String,
}

impl<'a> Attempt<'a> {
    pub async fn start(app: &'a App, client: IpAddr, username: &str) -> Result<Attempt<'a>> {
        let account = account_key(username, client);
        let by_account = app.store.sign_in_failures(&account).await?;
        let by_address = app.store.sign_in_failures(&address_key(client)).await?;
        if let Some(secs) = wait(&app.rules, by_account, by_address, app.clock.now()) {
            return Err(Error::TooManyAttempts(secs));
        }
        Ok(Attempt { app, client, account_key: account })
    }

    /// Whether `password` matches `hash`, checked off the request threads while holding one of the server's
    /// few slots for password checks (`sign_in_busy` when none is free). Without a hash (an unknown user) a
    /// dummy is checked, so the answer takes as long either way. A wrong password counts as a failure.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool> {
        let app = self.app;
        let _slot = app.sign_in_slots.clone().try_acquire_owned().map_err(|_| Error::SignInBusy)?;
        if let Some(gate) = &app.sign_in_gate {
            gate.entered.wait().await;
            gate.release.wait().await;
        }
        let (password, known) = (password.to_string(), hash.is_some());
        let hash = hash.unwrap_or(&app.dummy_hash).to_string();
        let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .map_err(|e| Error::Internal(format!("password check: {e}")))?;
        let ok = known && matches;
        if !ok {
            let keys = [self.account_key.clone(), address_key(self.client)];
            app.store.record_sign_in_failure(&keys, app.clock.now()).await?;
        }
        Ok(ok)
    }

    /// The right password: this username's failures from this address are forgotten. The address's own count
    /// stays, so one good account cannot be used to keep trying others.
    pub async fn succeeded(self) -> Result<()> {
        self.app.store.clear_sign_in_failures(&self.account_key).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("correct horse 42", PasswordCost::Cheap);
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse 42", &h));
        assert!(!verify_password("wrong horse 42", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn password_rules() {
        assert!(password_problem("short1").is_some());
        assert!(password_problem("abcdefghijk").is_some());
        assert!(password_problem("12345678901").is_some());
        assert!(password_problem("shanzhi-2026").is_none());
    }

    #[test]
    fn temporary_passwords_meet_the_rules() {
        let p = temporary_password();
        assert_eq!(password_problem(&p), None, "{p}");
        assert_ne!(p, temporary_password());
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token());
        assert_ne!(token_hash(&a), a);
    }
}
