//! Who is asking, over HTTP: the session cookie of pages, the bearer token of the API, the pre-session of the
//! sign-in form, cookies and CSRF. Sessions themselves are `shanzhi_app::sessions`'.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use shanzhi_app::sessions;
pub use shanzhi_app::Session;
use shanzhi_app::SessionKind;

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::AppState;

pub const SESSION_COOKIE: &str = "sz_session";
pub const LANG_COOKIE: &str = "sz_lang";
/// The pre-session of forms posted before sign-in (see [`PreSession`]).
pub const PRE_SESSION_COOKIE: &str = "sz_pre";

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

/// Pages: the signed-in user from the session cookie, if any.
pub struct MaybeSession(pub Option<Session>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        match cookie(parts, SESSION_COOKIE) {
            Some(token) => Ok(MaybeSession(sessions::resolve(state, token, SessionKind::Web).await?)),
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
        sessions::resolve(state, token, SessionKind::Api).await?.map(AccountSession).ok_or(AppError::Unauthenticated)
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

    /// The address, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
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
        PreSession { nonce: sessions::new_token(), fresh: true }
    }

    /// The token the form carries.
    pub fn token(&self, state: &AppState) -> String {
        sessions::form_tag(state, &self.nonce)
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

/// Constant-time comparison of CSRF tokens.
pub fn csrf_matches(expected: &str, given: &str) -> bool {
    expected.len() == given.len() && expected.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use shanzhi_app::sessions::new_token;

    #[test]
    fn public_urls_are_http_or_https_addresses() {
        assert!(PublicUrl::parse("https://shanzhi.yiling.gov.cn/").unwrap().is_https());
        assert!(!PublicUrl::parse("http://10.0.0.5:8080/shanzhi").unwrap().is_https());
        for bad in ["", "shanzhi.example", "ftp://x", "https://", "https://a b", "https://x?y", "https://u@x"] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn csrf_tokens_match_only_themselves() {
        let a = new_token();
        assert!(csrf_matches(&a, &a.clone()));
        assert!(!csrf_matches(&a, &new_token()));
    }
}
