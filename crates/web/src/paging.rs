//! `?limit=N&cursor=C` and a list's own filters, read strictly: an unknown parameter, a limit outside 1–200 or a
//! cursor this server did not hand out is refused with 400 rather than silently ignored. Lists answer
//! `{"items": [...], "next_cursor": "…" | null}`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use shanzhi_app::{Page, PageRequest};
use shanzhi_app::{DEFAULT_LIMIT, MAX_LIMIT};
use shanzhi_domain::ErrorCode;
use std::collections::HashMap;
use std::marker::PhantomData;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{RefOr, Required};

use crate::error::{AppError, AppResult};

/// A list request's paging and its filters by name.
#[derive(Debug, Default)]
pub struct ListQuery {
    pub page: PageRequest,
    /// The cursor of a list keyed by a code ([`Filters::BY_CODE`]): the last code of the page before.
    pub after: Option<String>,
    filters: HashMap<String, String>,
}

/// The answer of a list endpoint.
#[derive(Debug, Serialize)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// How every list is documented: a page of objects (the items' own schemas are not documented yet).
pub type AnyListed = Listed<serde_json::Value>;

/// Every list is documented as one `Page`.
impl<T> utoipa::PartialSchema for Listed<T> {
    fn schema() -> RefOr<Schema> {
        let next_cursor = ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .description(Some("pass as ?cursor= for the next page; null on the last"));
        ObjectBuilder::new()
            .property("items", ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::Object)))
            .required("items")
            .property("next_cursor", next_cursor)
            .required("next_cursor")
            .into()
    }
}
impl<T> utoipa::ToSchema for Listed<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        "Page".into()
    }
}

/// The filters a list takes, by name (see [`crate::filters`]).
pub trait Filters {
    const NAMES: &'static [&'static str];
    /// Whether the list is keyed by a code (a township's) rather than an id, in code order: its cursor is a code.
    const BY_CODE: bool = false;
}

/// A list's query read strictly by [`ListQuery::parse`] with the filters `F` names; the same type documents
/// them as the operation's parameters.
pub struct Listing<F>(pub ListQuery, pub PhantomData<F>);

impl<F: Filters, S: Send + Sync> FromRequestParts<S> for Listing<F> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        Ok(Listing(ListQuery::read(parts.uri.query(), F::NAMES, true, true, F::BY_CODE)?, PhantomData))
    }
}

impl<F: Filters> utoipa::IntoParams for Listing<F> {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let query = |name: &str, schema: ObjectBuilder| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .schema(Some(schema))
                .build()
        };
        let limit = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(MAX_LIMIT))
            .default(Some(DEFAULT_LIMIT.into()));
        let mut params = vec![query("limit", limit), query("cursor", ObjectBuilder::new().schema_type(Type::String))];
        params.extend(F::NAMES.iter().map(|f| query(f, ObjectBuilder::new().schema_type(Type::String))));
        params
    }
}

impl<T, K: ToString> From<Page<T, K>> for Listed<T> {
    fn from(page: Page<T, K>) -> Self {
        Listed { items: page.items, next_cursor: page.next.map(|id| id.to_string()) }
    }
}

fn bad(code: ErrorCode, zh: String, en: String) -> AppError {
    AppError::bad_request(code, zh, en)
}

impl ListQuery {
    /// Reads `raw` (the URL's query string), allowing `limit`, `cursor` and `filters`.
    pub fn parse(raw: Option<&str>, filters: &[&str]) -> AppResult<ListQuery> {
        ListQuery::read(raw, filters, true, true, false)
    }

    /// As [`ListQuery::parse`] for an answer that is not paged (one level of the regions): only `filters`.
    pub fn parse_unpaged(raw: Option<&str>, filters: &[&str]) -> AppResult<ListQuery> {
        ListQuery::read(raw, filters, true, false, false)
    }

    /// As [`ListQuery::parse`] for a page, which people reach through links that may carry other parameters.
    pub fn parse_page(raw: Option<&str>, filters: &[&str]) -> AppResult<ListQuery> {
        ListQuery::read(raw, filters, false, true, false)
    }

    fn read(raw: Option<&str>, filters: &[&str], strict: bool, paged: bool, by_code: bool) -> AppResult<ListQuery> {
        let invalid_cursor = || {
            bad(
                ErrorCode::InvalidCursor,
                "cursor 无效：请使用上一页返回的 next_cursor".into(),
                "invalid cursor: pass the next_cursor of the previous page".into(),
            )
        };
        let mut q = ListQuery::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match key.as_ref() {
                "limit" if paged => {
                    q.page.limit =
                        value.parse::<u32>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                            bad(
                                ErrorCode::InvalidLimit,
                                format!("limit 应为 1 到 {MAX_LIMIT} 之间的整数（默认 {DEFAULT_LIMIT}）"),
                                format!("limit must be a whole number from 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})"),
                            )
                        })?
                }
                "cursor" if paged && by_code => {
                    let code = (1..=64).contains(&value.len()) && !value.chars().any(char::is_control);
                    q.after = Some(code.then(|| value.into_owned()).ok_or_else(invalid_cursor)?)
                }
                "cursor" if paged => {
                    q.page.before = Some(value.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(invalid_cursor)?)
                }
                k if filters.contains(&k) => {
                    if !value.is_empty() {
                        q.filters.insert(k.to_string(), value.into_owned());
                    }
                }
                _ if !strict => {}
                k => {
                    let paging: &[&str] = if paged { &["limit", "cursor"] } else { &[] };
                    let known = paging.iter().chain(filters).copied().collect::<Vec<_>>().join(", ");
                    return Err(bad(
                        ErrorCode::UnknownParameter,
                        format!("不支持的参数 {k}；可用：{known}"),
                        format!("unknown parameter {k}; allowed: {known}"),
                    ));
                }
            }
        }
        Ok(q)
    }

    pub fn text(&self, name: &str) -> Option<String> {
        self.filters.get(name).cloned()
    }

    /// A filter that must be a whole number; refused with 400 `invalid_parameter` otherwise.
    pub fn number<N: std::str::FromStr>(&self, name: &str) -> AppResult<Option<N>> {
        self.filters
            .get(name)
            .map(|v| {
                v.parse::<N>().map_err(|_| {
                    bad(
                        ErrorCode::InvalidParameter,
                        format!("参数 {name} 应为整数：{v}"),
                        format!("parameter {name} must be a whole number: {v}"),
                    )
                })
            })
            .transpose()
    }

    /// A filter that must be a yuan amount (`36000`, `36000.50`); refused with 400 `invalid_parameter` otherwise.
    pub fn money(&self, name: &str) -> AppResult<Option<shanzhi_domain::Money>> {
        self.filters
            .get(name)
            .map(|v| {
                shanzhi_domain::Money::parse_yuan(v).map_err(|_| {
                    bad(
                        ErrorCode::InvalidParameter,
                        format!("参数 {name} 应为金额（元）：{v}"),
                        format!("parameter {name} must be an amount in yuan: {v}"),
                    )
                })
            })
            .transpose()
    }

    /// A filter that must be a date (`YYYY-MM-DD`); refused with 400 `invalid_parameter` otherwise.
    pub fn date(&self, name: &str) -> AppResult<Option<chrono::NaiveDate>> {
        self.filters
            .get(name)
            .map(|v| {
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                    bad(
                        ErrorCode::InvalidParameter,
                        format!("参数 {name} 应为日期（YYYY-MM-DD）：{v}"),
                        format!("parameter {name} must be a date (YYYY-MM-DD): {v}"),
                    )
                })
            })
            .transpose()
    }

    /// A filter that must be one of `allowed`.
    pub fn one_of(&self, name: &str, allowed: &[&str]) -> AppResult<Option<String>> {
        match self.filters.get(name) {
            Some(v) if !allowed.contains(&v.as_str()) => Err(bad(
                ErrorCode::InvalidParameter,
                format!("参数 {name} 应为以下之一：{}", allowed.join(", ")),
                format!("parameter {name} must be one of: {}", allowed.join(", ")),
            )),
            v => Ok(v.cloned()),
        }
    }
}

/// A link's query from the parameters that have a value: `?a=1&b=2`, or nothing when none has one.
pub fn query_of(pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if let Some(v) = v {
            out.append_pair(k, v);
        }
    }
    let q = out.finish();
    if q.is_empty() {
        q
    } else {
        format!("?{q}")
    }
}

/// `path` with the same query as `raw` but the cursor of the next page.
pub fn next_page_href(path: &str, raw: Option<&str>, cursor: i64) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()).filter(|(k, _)| k != "cursor") {
        out.append_pair(&k, &v);
    }
    out.append_pair("cursor", &cursor.to_string());
    format!("{path}?{}", out.finish())
}
