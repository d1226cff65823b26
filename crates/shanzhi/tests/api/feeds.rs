//! Atom feeds of the public notices: what they list, their filters and pages, and what they refuse.

use crate::both_backends;
use crate::helpers::*;
use reqwest::StatusCode;

/// A feed as read without signing in: its status, content type, caching and body.
async fn feed(app: &TestApp, path: &str) -> (StatusCode, String, String, String) {
    let resp = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
    let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let (content_type, caching) = (header("content-type"), header("cache-control"));
    (resp.status(), content_type, caching, resp.text().await.unwrap())
}

/// The notice ids of a feed's entries, in order.
fn entry_ids(xml: &str) -> Vec<i64> {
    xml.split("<entry>")
        .skip(1)
        .map(|e| {
            let id = e.split("<id>").nth(1).and_then(|s| s.split("</id>").next()).expect("an entry has an id");
            id.rsplit("/notices/").next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{id}"))
        })
        .collect()
}

/// The `rel="next"` link's path and query, if the feed has one.
fn next_link(xml: &str) -> Option<String> {
    let start = xml.find("<link rel=\"next\" href=\"")? + "<link rel=\"next\" href=\"".len();
    let href = &xml[start..start + xml[start..].find('"')?];
    let path = &href[href.find("/feed/")?..];
    Some(path.replace("&amp;", "&"))
}

/// Well-formed enough to trust: one document, balanced entries, every `&` an entity.
fn assert_well_formed(xml: &str) {
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    assert!(xml.trim_end().ends_with("</feed>"), "{xml}");
    assert_eq!(xml.matches("<entry>").count(), xml.matches("</entry>").count());
    for (i, _) in xml.match_indices('&') {
        let rest = &xml[i..];
        assert!(["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().any(|e| rest.starts_with(e)), "{}", &rest[..20]);
    }
    for required in ["<id>", "<title>", "<updated>", "<author>"] {
        assert!(xml.contains(required), "a feed has {required}");
    }
}

fn ids_of(items: &[serde_json::Value]) -> Vec<i64> {
    items.iter().map(|n| n["id"].as_i64().unwrap()).collect()
}

both_backends! {
    async fn feeds_list_the_public_notices_newest_first_by_kind_and_place(backend) {
        let app = TestApp::with_demo(backend).await;
        let (status, content_type, caching, xml) = feed(&app, "/feed/all.atom").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "application/atom+xml; charset=utf-8");
        assert!(caching.starts_with("public"), "a feed is public and cacheable: {caching}");
        assert_well_formed(&xml);
        let (_, first_page) = app.call(reqwest::Method::GET, "/api/v1/notices", None, None).await;
        let newest = ids_of(first_page["items"].as_array().unwrap());
        assert!(!newest.is_empty());
        assert_eq!(entry_ids(&xml), newest, "the feed is the first page of the notices");
        assert!(xml.contains("<link rel=\"alternate\" href=\"http://127.0.0.1:"), "links are absolute: {xml}");

        // One kind, under one place: the same notices as the API's list with those filters.
        for (kind, region) in [("result", "420506"), ("contract", "420506"), ("acceptance", "420506001")] {
            let (status, _, _, xml) = feed(&app, &format!("/feed/{kind}.atom?region={region}")).await;
            assert_eq!(status, StatusCode::OK, "{kind} {region}");
            assert_well_formed(&xml);
            let listed = app.all(&format!("/api/v1/notices?kind={kind}&region={region}"), None).await;
            assert_eq!(entry_ids(&xml), ids_of(&listed), "{kind} under {region}");
            assert!(xml.matches("<category term=").count() == listed.len() && !xml.contains("<category term=\"intention\""), "{kind}");
        }
        let (_, _, _, xml) = feed(&app, "/feed/contract.atom?region=420506").await;
        assert!(!entry_ids(&xml).is_empty(), "the demo has contracts in the district");
        assert!(xml.contains("<title>善治 · 夷陵区 · 合同公告</title>"), "the feed names its place and kind: {xml}");
        // The notices page links the feed of what it lists.
        let (_, html) = page(&app, "/notices?kind=contract&region=420506", "").await;
        assert!(html.contains(r#"href="/feed/contract.atom?region=420506""#), "the page offers its feed");

        // A page at a time, each linking the next, until every notice has come once.
        let all = ids_of(&app.all("/api/v1/notices", None).await);
        let (mut seen, mut path) = (Vec::new(), Some("/feed/all.atom?limit=7&utm_source=reader".to_string()));
        while let Some(p) = path {
            let (status, _, _, xml) = feed(&app, &p).await;
            assert_eq!(status, StatusCode::OK, "{p}");
            let ids = entry_ids(&xml);
            assert!(ids.len() <= 7);
            seen.extend(ids);
            path = next_link(&xml);
        }
        assert_eq!(seen, all, "every notice once, newest first");
    }

    async fn a_feed_that_names_no_kind_or_place_is_refused(backend) {
        let app = TestApp::with_demo(backend).await;
        for path in ["/feed/nothing.atom", "/feed/all.xml", "/feed/result", "/feed/.atom"] {
            assert_eq!(feed(&app, path).await.0, StatusCode::NOT_FOUND, "{path}");
        }
        let (status, _, caching, body) = feed(&app, "/feed/all.atom?region=abc").await;
        assert_eq!((status, caching.as_str()), (StatusCode::BAD_REQUEST, "no-store"));
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["code"], "unknown_region");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("abc")) && body["message_en"].is_string());
        for (query, code) in [("limit=0", "invalid_limit"), ("cursor=x", "invalid_cursor")] {
            let (status, _, _, body) = feed(&app, &format!("/feed/all.atom?{query}")).await;
            let body: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{query}");
        }
    }
}
