//! Sign-in, sessions, API tokens, cookies and CSRF. Tokens are random; the store keeps only their SHA-256.

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
/// The pre-session of forms posted before sign-in (see [`PreSession`]).
pub const PRE_SESSION_COOKIE: &str = "sz_pre";

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
    let Some((record, must_change_password)) = state.store.session_with_flag(&hash).await? else {
        return Ok(None);
    };
    if record.kind != kind || record.expires_at <= state.clock.now() {
        return Ok(None);
    }
    // A disabled user has no actor: their sessions and tokens stop at once.
    let Some(actor) = state.store.actor(record.user_id).await? else { return Ok(None) };
    Ok(Some(Session { actor, token_hash: hash, csrf: record.csrf, kind, must_change_password }))
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

/// API: the caller from `Authorization: Bearer …`; refused with 401 otherwise, and with 403
/// `password_change_required` while an administrator's reset waits to be replaced by the user's own password.
pub struct ApiSession(pub Session);

impl FromRequestParts<AppState> for ApiSession {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let AccountSession(s) = AccountSession::from_request_parts(parts, state).await?;
        if s.must_change_password {
            return Err(AppError::PasswordChangeRequired);
        }
        Ok(ApiSession(s))
    }
}

/// API: the caller for what concerns their own account only — who they are, signing out, changing their
/// password — which is open even while their password must be changed.
pub struct AccountSession(pub Session);

impl FromRequestParts<AppState> for AccountSession {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let token = header.strip_prefix("Bearer ").map(str::trim).ok_or(AppError::Unauthenticated)?;
        resolve(state, token, SessionKind::Api).await?.map(AccountSession).ok_or(AppError::Unauthenticated)
    }
}

/// The address people reach the server at (`serve --public-url`): cookies are `Secure` when it is https.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    pub fn parse(s: &str) -> Result<PublicUrl, String> {
        let url = s.trim().trim_end_matches('/');
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or(format!("“{s}” must start with https:// or http://"))?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() || rest.chars().any(|c| c.is_whitespace() || c.is_control() || "?#@\\".contains(c)) {
            return Err(format!("“{s}” is not an address like https://shanzhi.example.gov.cn"));
        }
        Ok(PublicUrl(url.to_string()))
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

/// A `Set-Cookie` value for a cookie scripts cannot read, `Secure` when the public address is https;
/// `max_age` 0 deletes it.
pub fn cookie_header(state: &AppState, name: &str, value: &str, path: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.public_url.as_ref().is_some_and(PublicUrl::is_https) {
        c.push_str("; Secure");
    }
    c
}

/// The pre-session of a form posted before there is a session (signing in): a random nonce in a cookie and, in
/// the form, its tag keyed by the data key (a signed double-submit token). Another site can neither read the
/// cookie nor make a tag for it, so it cannot post the form in a visitor's name — for signing in, that would
/// quietly sign the visitor into the attacker's account.
pub struct PreSession {
    nonce: String,
    /// Made for this request: its cookie must be set, and nothing posted with it can match.
    fresh: bool,
}

impl FromRequestParts<AppState> for PreSession {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let valid = |v: &&str| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit());
        Ok(match cookie(parts, PRE_SESSION_COOKIE).filter(valid) {
            Some(nonce) => PreSession { nonce: nonce.to_string(), fresh: false },
            None => PreSession::new(),
        })
    }
}

impl PreSession {
    pub fn new() -> PreSession {
        PreSession { nonce: new_token(), fresh: true }
    }

    /// The token the form carries.
    pub fn token(&self, state: &AppState) -> String {
        state.store.form_tag(&self.nonce)
    }

    /// Whether `given` is this pre-session's token.
    pub fn matches(&self, state: &AppState, given: &str) -> bool {
        !self.fresh && csrf_matches(&self.token(state), given)
    }

    /// The cookie to set, for a fresh pre-session.
    pub fn set_cookie(&self, state: &AppState) -> Option<String> {
        self.fresh.then(|| cookie_header(state, PRE_SESSION_COOKIE, &self.nonce, "/sign-in", None))
    }

    /// Ends the pre-session once the form has done its work.
    pub fn clear_cookie(state: &AppState) -> String {
        cookie_header(state, PRE_SESSION_COOKIE, "", "/sign-in", Some(0))
    }
}

impl Default for PreSession {
    fn default() -> Self {
        PreSession::new()
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

/// A new session, as signing in gives it.
pub struct NewSession {
    /// Shown once; only its hash is kept.
    pub token: String,
    pub record: SessionRecord,
    /// An administrator reset the password: the session may do nothing but change it.
    pub must_change_password: bool,
}

/// Checks credentials from `client` with throttling (see [`crate::throttle`]), then opens a session.
pub async fn sign_in(
    state: &AppState,
    client: std::net::IpAddr,
    username: &str,
    password: &str,
    kind: SessionKind,
) -> AppResult<NewSession> {
    let username = username.trim().to_ascii_lowercase();
    let attempt = crate::throttle::Attempt::start(state, client, &username).await?;
    let found = state.store.user_credentials(&username).await?;
    if !attempt.verify(password, found.as_ref().map(|(_, hash)| hash.as_str())).await? {
        return Err(AppError::InvalidCredentials);
    }
    attempt.succeeded().await?;
    let Some((user, _)) = found else { return Err(AppError::InvalidCredentials) };
    // Only someone who knows the password learns that the account is disabled.
    let Some(account) = state.store.account(user.id).await?.filter(|a| a.user.active) else {
        return Err(AppError::AccountDisabled);
    };
    let lifetime = match kind {
        SessionKind::Web => Duration::hours(state.rules.session_hours),
        SessionKind::Api => Duration::days(state.rules.api_token_days),
    };
    let by = By { user_id: Some(user.id), name: user.username.clone(), org_id: Some(user.org_id) };
    let (token, record) = open_session(state, &by, user.id, kind, "", lifetime).await?;
    Ok(NewSession { token, record, must_change_password: account.must_change_password })
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
    fn public_urls_are_http_or_https_addresses() {
        assert!(PublicUrl::parse("https://shanzhi.yiling.gov.cn/").unwrap().is_https());
        assert!(!PublicUrl::parse("http://10.0.0.5:8080/shanzhi").unwrap().is_https());
        for bad in ["", "shanzhi.example", "ftp://x", "https://", "https://a b", "https://x?y", "https://u@x"] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
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
        assert!(csrf_matches(&a, &a.clone()));
        assert!(!csrf_matches(&a, &new_token()));
    }
}
