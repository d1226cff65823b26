//! Atom feeds of the public notices (RFC 4287), so that providers and anyone else can subscribe:
//! `/feed/all.atom` and one per kind of notice (`/feed/result.atom`), each with an optional `?region=CODE` (the
//! place and everything under it). Newest first, a page at a time: a full page links the next (RFC 5005).
//! A feed carries only what the notices list shows — title, kind, purchaser, dates — and links to the notice.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use shanzhi_app::procurements;
use shanzhi_app::NoticeFilter;
use shanzhi_domain::notice::{Notice, NoticeKind};
use std::fmt::Write;

use crate::error::{AppError, AppResult};
use crate::paging::{next_page_href, query_of, ListQuery};
use crate::AppState;

/// The feed's only filter; paging (`limit`, `cursor`) comes with every list. Other parameters (a reader's
/// tracking tags) are ignored, as on the public pages.
const FEED_FILTERS: [&str; 1] = ["region"];

/// `GET /feed/{kind}.atom`, `GET /feed/all.atom`.
pub async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let name = file.strip_suffix(".atom").ok_or_else(AppError::not_found)?;
    let kind = match name {
        "all" => None,
        code => Some(NoticeKind::parse(code).ok_or_else(AppError::not_found)?),
    };
    let q = ListQuery::parse_page(raw.as_deref(), &FEED_FILTERS)?;
    let region = q.text("region");
    let filter = NoticeFilter { kind, region: region.clone(), ..NoticeFilter::default() };
    let listed = procurements::notice_page(&state, &filter, q.page).await?;
    let place = match &region {
        Some(code) => shanzhi_app::reference::regions_named(&state, std::slice::from_ref(code)).await?.pop(),
        None => None,
    };
    let base = origin(&state, &headers);
    let path = format!("/feed/{file}");
    let feed = Feed {
        base: &base,
        self_href: self_href(&path, raw.as_deref()),
        next_href: listed.next.map(|cursor| next_page_href(&path, raw.as_deref(), cursor)),
        title: feed_title(kind, place.as_ref().map(|p| p.name.as_str())),
        alternate: alternate_href(kind, region.as_deref()),
        updated: listed.items.first().map_or(state.started_at, |n| n.published_at),
    };
    let body = feed.write(&listed.items);
    let mut resp = (StatusCode::OK, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"));
    Ok(resp)
}

/// Where links point: the configured public address, or the one the request was made to.
pub(crate) fn origin(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.as_str().to_string();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).filter(|h| valid_host(h));
    format!("http://{}", host.unwrap_or("localhost"))
}

/// A `Host` header that can stand in a URL as it is (a client may send anything).
fn valid_host(h: &str) -> bool {
    !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
}

fn self_href(path: &str, raw: Option<&str>) -> String {
    match raw.filter(|r| !r.is_empty()) {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    }
}

/// The feed of the notices a list page shows (its kind and place).
pub fn feed_href(kind: Option<NoticeKind>, region: Option<&str>) -> String {
    let file = kind.map_or("all", |k| k.code());
    format!("/feed/{file}.atom{}", query_of(&[("region", region)]))
}

/// The notices page showing the same list.
fn alternate_href(kind: Option<NoticeKind>, region: Option<&str>) -> String {
    format!("/notices{}", query_of(&[("kind", kind.map(|k| k.code())), ("region", region)]))
}

fn feed_title(kind: Option<NoticeKind>, place: Option<&str>) -> String {
    let what = kind.map_or("采购公告", |k| k.label_zh());
    match place {
        Some(p) => format!("善治 · {p} · {what}"),
        None => format!("善治 · {what}"),
    }
}

/// One feed document's parts besides its entries.
struct Feed<'a> {
    base: &'a str,
    self_href: String,
    next_href: Option<String>,
    title: String,
    alternate: String,
    updated: DateTime<Utc>,
}

impl Feed<'_> {
    fn write(&self, notices: &[Notice]) -> String {
        let base = self.base;
        let mut out = String::with_capacity(512 + notices.len() * 600);
        out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n");
        let _ = writeln!(out, "  <id>{}</id>", escape(&format!("{base}{}", self.self_href)));
        let _ = writeln!(out, "  <title>{}</title>", escape(&self.title));
        let _ = writeln!(out, "  <updated>{}</updated>", time(self.updated));
        out.push_str("  <author><name>善治 Shanzhi</name></author>\n");
        let _ = writeln!(out, "  <link rel=\"self\" href=\"{}\"/>", escape(&format!("{base}{}", self.self_href)));
        let _ = writeln!(out, "  <link rel=\"alternate\" href=\"{}\"/>", escape(&format!("{base}{}", self.alternate)));
        if let Some(next) = &self.next_href {
            let _ = writeln!(out, "  <link rel=\"next\" href=\"{}\"/>", escape(&format!("{base}{next}")));
        }
        for n in notices {
            entry(&mut out, base, n);
        }
        out.push_str("</feed>\n");
        out
    }
}

fn entry(out: &mut String, base: &str, n: &Notice) {
    let href = format!("{base}/notices/{}", n.id);
    let kind = n.notice.kind;
    let heading = n.notice.body.heading();
    let mut summary = format!("{}，发布日期 {}", kind.label_zh(), n.notice.published_on);
    if let Some(p) = heading.purchaser.as_deref().filter(|p| !p.is_empty()) {
        let _ = write!(summary, "，采购人 {p}");
    }
    out.push_str("  <entry>\n");
    let _ = writeln!(out, "    <id>{}</id>", escape(&href));
    let _ = writeln!(out, "    <title>{}</title>", escape(&n.notice.title));
    let _ = writeln!(out, "    <link rel=\"alternate\" href=\"{}\"/>", escape(&href));
    let _ = writeln!(out, "    <published>{}</published>", time(n.published_at));
    let _ = writeln!(out, "    <updated>{}</updated>", time(n.published_at));
    let _ = writeln!(out, "    <category term=\"{}\" label=\"{}\"/>", kind.code(), escape(kind.label_zh()));
    let _ = writeln!(out, "    <summary>{}</summary>", escape(&summary));
    out.push_str("  </entry>\n");
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Text as XML character data or an attribute value. Characters XML 1.0 does not allow (control characters
/// other than tab and line breaks) are left out rather than make the document unreadable.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_xml_and_forbidden_characters_are_dropped() {
        assert_eq!(escape("A & B <养老> \"x\" 'y'"), "A &amp; B &lt;养老&gt; &quot;x&quot; &apos;y&apos;");
        assert_eq!(escape("a\u{0}b\u{1b}c\td"), "abc\td");
    }

    #[test]
    fn only_a_plain_host_is_taken_from_the_request() {
        assert!(valid_host("127.0.0.1:8080") && valid_host("shanzhi.example.gov.cn") && valid_host("[::1]:80"));
        assert!(!valid_host("evil.com/x?") && !valid_host("a b") && !valid_host(""));
    }

    #[test]
    fn the_alternate_page_keeps_the_filters() {
        assert_eq!(alternate_href(None, None), "/notices");
        assert_eq!(alternate_href(Some(NoticeKind::Result), Some("420506")), "/notices?kind=result&region=420506");
        assert_eq!(feed_title(Some(NoticeKind::Contract), Some("夷陵区")), "善治 · 夷陵区 · 合同公告");
        assert_eq!(feed_href(None, None), "/feed/all.atom");
        assert_eq!(feed_href(Some(NoticeKind::Acceptance), Some("420506")), "/feed/acceptance.atom?region=420506");
    }
}
