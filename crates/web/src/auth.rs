//! Sign-in, sessions, API tokens and CSRF. Tokens are random; the store keeps only their SHA-256.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use chrono::Duration;
use rand::RngCore;
use sha2::{Digest, Sha256};
use shanzhi_domain::org::Actor;
use shanzhi_store::{By, SessionKind, SessionRecord};

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::AppState;

pub const SESSION_COOKIE: &str = "sz_session";
pub const LANG_COOKIE: &str = "sz_lang";

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
}

impl Session {
    pub fn by(&self) -> By {
        By::actor(&self.actor)
    }
}

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn resolve(state: &AppState, token: &str, kind: SessionKind) -> AppResult<Option<Session>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let Some(record) = state.store.session(&hash).await? else { return Ok(None) };
    if record.kind != kind || record.expires_at <= state.clock.now() {
        return Ok(None);
    }
    let Some(actor) = state.store.actor(record.user_id).await? else { return Ok(None) };
    Ok(Some(Session { actor, token_hash: hash, csrf: record.csrf, kind }))
}

/// Pages: the signed-in user from the session cookie, if any.
pub struct MaybeSession(pub Option<Session>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        match cookie(parts, SESSION_COOKIE) {
            Some(token) => Ok(MaybeSession(resolve(state, token, SessionKind::Web).await?)),
            None => Ok(MaybeSession(None)),
        }
    }
}

/// API: the caller from `Authorization: Bearer …`; refused with 401 otherwise.
pub struct ApiSession(pub Session);

impl FromRequestParts<AppState> for ApiSession {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let token = header.strip_prefix("Bearer ").map(str::trim).ok_or(AppError::Unauthenticated)?;
        resolve(state, token, SessionKind::Api).await?.map(ApiSession).ok_or(AppError::Unauthenticated)
    }
}

/// API endpoints open to the public that show more to a signed-in caller: the caller, if any. A token that is
/// sent but not valid is refused rather than read as nobody, so a mistake does not quietly show less.
pub struct MaybeApiSession(pub Option<Session>);

impl FromRequestParts<AppState> for MaybeApiSession {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        if parts.headers.get(AUTHORIZATION).is_none() {
            return Ok(MaybeApiSession(None));
        }
        ApiSession::from_request_parts(parts, state).await.map(|ApiSession(s)| MaybeApiSession(Some(s)))
    }
}

/// The page language from its cookie.
pub struct PageLang(pub Lang);

impl FromRequestParts<AppState> for PageLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(PageLang(cookie(parts, LANG_COOKIE).map(Lang::from_code).unwrap_or(Lang::Zh)))
    }
}

/// Checks credentials with throttling, then opens a session. Returns the token (shown once) and its record.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    kind: SessionKind,
) -> AppResult<(String, SessionRecord)> {
    let now = state.clock.now();
    let username = username.trim().to_ascii_lowercase();
    if let Some((failures, last)) = state.store.sign_in_failures(&username).await? {
        // Failures older than a day are forgiven.
        if now - last < Duration::days(1) {
            let wait = state.rules.sign_in_delay_secs(failures) as i64;
            let ready = last + Duration::seconds(wait);
            if now < ready {
                return Err(AppError::TooManyAttempts((ready - now).num_seconds().max(1) as u64));
            }
        }
    }
    let found = state.store.user_credentials(&username).await?;
    let ok = match &found {
        Some((user, hash)) => user.active && verify_password(password, hash),
        None => {
            // Same work for unknown names, so timing does not reveal which usernames exist.
            let _ = verify_password(password, &state.dummy_hash);
            false
        }
    };
    let Some((user, _)) = found.filter(|_| ok) else {
        state.store.record_sign_in_failure(&username, now).await?;
        return Err(AppError::Domain(shanzhi_domain::DomainError::field(
            "password",
            "invalid_credentials",
            "用户名或密码不正确",
            "the username or password is wrong",
        )));
    };
    state.store.clear_sign_in_failures(&username).await?;
    let lifetime = match kind {
        SessionKind::Web => Duration::hours(state.rules.session_hours),
        SessionKind::Api => Duration::days(state.rules.api_token_days),
    };
    let by = By { user_id: Some(user.id), name: user.username.clone(), org_id: Some(user.org_id) };
    open_session(state, &by, user.id, kind, "", lifetime).await
}

/// Opens a session or token for `user_id`; the token is returned once and only its hash is kept.
async fn open_session(
    state: &AppState,
    by: &By,
    user_id: i64,
    kind: SessionKind,
    label: &str,
    lifetime: Duration,
) -> AppResult<(String, SessionRecord)> {
    let now = state.clock.now();
    let token = new_token();
    let record = SessionRecord {
        user_id,
        kind,
        label: label.to_string(),
        csrf: new_token(),
        created_at: now,
        expires_at: now + lifetime,
    };
    state.store.create_session(by, &token_hash(&token), &record, now).await?;
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
pub async fn list_tokens(state: &AppState, s: &Session) -> AppResult<Vec<TokenInfo>> {
    let live = state.store.live_sessions(s.actor.user_id, state.clock.now()).await?;
    Ok(live.iter().filter(|(_, r)| r.kind == SessionKind::Api).map(|(h, r)| token_info(h, r)).collect())
}

/// Longest lifetime of a named token.
pub const MAX_TOKEN_DAYS: i64 = 365;

/// Creates a named API token for scripts, valid for `days` (default: the configured API token lifetime).
pub async fn create_token(
    state: &AppState,
    s: &Session,
    label: &str,
    days: Option<i64>,
) -> AppResult<(String, TokenInfo)> {
    let mut p = shanzhi_domain::error::Problems::default();
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 60 {
        p.add(
            "label",
            "invalid_label",
            "请填写令牌用途（不超过 60 字）",
            "name the token's use (at most 60 characters)",
        );
    }
    let days = days.unwrap_or(state.rules.api_token_days);
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        p.add("days", "invalid_days", "有效期须为 1 至 365 天", "the lifetime must be 1 to 365 days");
    }
    p.into_result()?;
    let (token, record) =
        open_session(state, &s.by(), s.actor.user_id, SessionKind::Api, label, Duration::days(days)).await?;
    let info = token_info(&token_hash(&token), &record);
    Ok((token, info))
}

/// Revokes one of the caller's own tokens by its id.
pub async fn revoke_token(state: &AppState, s: &Session, id: &str) -> AppResult<()> {
    let live = state.store.live_sessions(s.actor.user_id, state.clock.now()).await?;
    let found = live.iter().find(|(h, r)| r.kind == SessionKind::Api && id.len() == 16 && h.starts_with(id));
    let (hash, _) = found.ok_or_else(AppError::not_found)?;
    state.store.end_session(&s.by(), hash, state.clock.now()).await?;
    Ok(())
}

/// Constant-time comparison of CSRF tokens.
pub fn csrf_matches(expected: &str, given: &str) -> bool {
    expected.len() == given.len() && expected.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
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
    fn tokens_are_random_and_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token());
        assert_ne!(token_hash(&a), a);
        assert!(csrf_matches(&a, &a.clone()));
        assert!(!csrf_matches(&a, &new_token()));
    }
}
