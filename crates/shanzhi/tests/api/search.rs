//! Searching notices by words (`?q=`): answered from the terms index, exactly the notices whose titles hold every
//! word, with the other filters and the pages; the index is kept with each notice and the migration's backfill
//! writes the same terms the platform does.

use crate::both_backends;
use crate::helpers::*;
use crate::procurement::{approved_project, comprehensive, documents};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shanzhi_store::Backend;
use sqlx::Row;
use std::collections::BTreeSet;

pub(crate) fn ids(items: &[Value]) -> BTreeSet<i64> {
    items.iter().map(|n| n["id"].as_i64().unwrap()).collect()
}

/// The items (notices or projects) of `all` whose titles hold every word (ASCII case folded).
pub(crate) fn holding(all: &[Value], words: &[&str]) -> BTreeSet<i64> {
    all.iter()
        .filter(|n| {
            let title = n["title"].as_str().unwrap().to_ascii_lowercase();
            words.iter().all(|w| title.contains(&w.to_ascii_lowercase()))
        })
        .map(|n| n["id"].as_i64().unwrap())
        .collect()
}

/// `q` percent-encoded for a URL's query.
pub(crate) fn encode(q: &str) -> String {
    q.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

both_backends! {
    async fn a_search_finds_exactly_the_notices_whose_titles_hold_every_word(backend) {
        let app = TestApp::with_demo(backend).await;
        let all = app.all("/api/v1/notices?limit=200", None).await;
        let mut found_any = 0;
        for words in [vec!["社会工作"], vec!["民政局", "岗位"], vec!["养老"], vec!["夷陵区", "公告"], vec!["不存在的词"]] {
            let q = encode(&words.join(" "));
            let got = app.all(&format!("/api/v1/notices?q={q}"), None).await;
            assert_eq!(ids(&got), holding(&all, &words), "q={words:?}");
            found_any += got.len();
            // One a page: the same notices, newest first.
            let paged = app.all(&format!("/api/v1/notices?q={q}&limit=1"), None).await;
            assert_eq!(paged, got, "q={words:?} one a page");
            let order: Vec<i64> = got.iter().map(|n| n["id"].as_i64().unwrap()).collect();
            assert!(order.windows(2).all(|w| w[0] > w[1]), "newest first");
        }
        assert!(found_any >= 10, "the demo's titles hold these words: {found_any}");
        // With the other filters: the intersection, whether the word's notices lead or (a township's, fewer) the
        // place's.
        let q = encode("夷陵区");
        let admin = app.token("admin").await;
        let township = format!("region={}", crate::project_search::busiest_township(&app, &admin).await);
        for filter in ["kind=contract", "year=2014", "region=420506", township.as_str()] {
            let got = ids(&app.all(&format!("/api/v1/notices?q={q}&{filter}"), None).await);
            let filtered = ids(&app.all(&format!("/api/v1/notices?{filter}"), None).await);
            let words = holding(&all, &["夷陵区"]);
            assert_eq!(got, filtered.intersection(&words).copied().collect(), "{filter}");
        }
        // The page searches too.
        let (status, html) = page(&app, &format!("/notices?q={}", encode("社会工作")), "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"q\"") && html.contains("value=\"社会工作\""));
        // A new notice is found as it is published.
        let project = approved_project(&app, "搜索测试居家养老服务").await;
        let purchaser = app.token("jyj.purchaser").await;
        let body = json!({"method": "open_tender", "documents": documents(comprehensive())});
        app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(body)).await;
        let got = app.all(&format!("/api/v1/notices?q={}", encode("搜索测试")), None).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0]["project_id"], project);
    }

    async fn the_notices_filter_by_department_category_provider_method_budget_and_days(backend) {
        let app = TestApp::with_demo(backend).await;
        let admin = app.token("admin").await;
        let all = app.all("/api/v1/notices?limit=200", None).await;
        let items: std::collections::HashMap<i64, Value> = app
            .all("/api/v1/projects?limit=200", Some(&admin))
            .await
            .into_iter()
            .map(|p| (p["id"].as_i64().unwrap(), p))
            .collect();
        let project = |n: &Value| items[&n["project_id"].as_i64().unwrap()].clone();
        let mut methods = std::collections::HashMap::new();
        for n in &all {
            if let Some(pid) = n["procurement_id"].as_i64() {
                let (_, p) = app.get(&format!("/api/v1/procurements/{pid}"), &admin).await;
                methods.insert(pid, p["method"].as_str().unwrap().to_string());
            }
        }
        let expect = |keep: &dyn Fn(&Value) -> bool| all.iter().filter(|n| keep(n)).map(|n| n["id"].as_i64().unwrap()).collect::<BTreeSet<_>>();
        let first = project(&all[0]);
        // A provider whose projects have published notices (a project map's order would pick any, some with none).
        let provider = all.iter().find_map(|n| project(n)["provider_org_id"].as_i64()).unwrap();
        let yuan = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
        let mid = {
            let mut totals: Vec<f64> = all.iter().map(|n| yuan(&project(n)["total"])).collect();
            totals.sort_by(f64::total_cmp);
            totals[totals.len() / 2]
        };
        let day = all[all.len() / 2]["published_on"].as_str().unwrap().to_string();
        let cases: Vec<(String, BTreeSet<i64>)> = vec![
            (format!("purchaser={}", first["purchaser_org_id"]), expect(&|n| project(n)["purchaser_org_id"] == first["purchaser_org_id"])),
            ("category=A07".into(), expect(&|n| project(n)["category"].as_str().unwrap().starts_with("A07"))),
            (format!("provider={provider}"), expect(&|n| project(n)["provider_org_id"] == provider)),
            ("method=open_tender".into(), expect(&|n| n["procurement_id"].as_i64().and_then(|p| methods.get(&p)).is_some_and(|m| m == "open_tender"))),
            (format!("budget_min={mid}"), expect(&|n| yuan(&project(n)["total"]) >= mid)),
            (format!("budget_max={mid}"), expect(&|n| yuan(&project(n)["total"]) <= mid)),
            (format!("from={day}"), expect(&|n| n["published_on"].as_str().unwrap() >= day.as_str())),
            (format!("to={day}"), expect(&|n| n["published_on"].as_str().unwrap() <= day.as_str())),
        ];
        for (filter, expected) in cases {
            let got = ids(&app.all(&format!("/api/v1/notices?{filter}"), None).await);
            assert!(!expected.is_empty() && expected.len() < all.len(), "{filter}: a filter that selects ({})", expected.len());
            assert_eq!(got, expected, "{filter}");
        }
        // The page offers them, keeping what was asked, and lists what the API lists.
        let (status, html) = page(&app, &format!("/notices?category=A07&from={day}"), "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("value=\"{day}\"")) && html.contains("value=\"A07\"") && html.contains("<details class=\"more-filters\" open"));
        let listed = app.all(&format!("/api/v1/notices?category=A07&from={day}"), None).await;
        for n in listed.iter().take(20) {
            assert!(html.contains(&format!("href=\"/notices/{}\"", n["id"])), "the page lists notice {}", n["id"]);
        }
        for bad in ["budget_min=abc", "from=2014-13-01", "to=yesterday", "method=auction", "provider=x"] {
            let (status, body) = app.call(Method::GET, &format!("/api/v1/notices?{bad}"), None, None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        }
    }

    async fn a_search_refuses_a_word_of_one_character_and_a_long_query(backend) {
        let app = TestApp::with_demo(backend).await;
        for q in ["养", "养老 社", &"养".repeat(51)] {
            let (status, body) = app.call(Method::GET, &format!("/api/v1/notices?q={}", encode(q)), None, None).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_parameter")), "{q}: {body}");
            assert!(body["message"].as_str().unwrap().contains("q"), "{body}");
        }
    }

    async fn the_migration_indexes_the_notices_before_it_as_the_platform_does(backend) {
        let app = TestApp::with_demo(backend).await;
        let pool = app.store.pool();
        let read = |sql: &'static str| async move {
            let rows = sqlx::query(sql).fetch_all(pool).await.unwrap();
            rows.iter().map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1))).collect::<BTreeSet<_>>()
        };
        let written = read("SELECT term, notice_id FROM notice_terms").await;
        assert!(written.len() > 500, "{} terms", written.len());
        // The migration's own statement, run again over the published notices, gives the same rows.
        let migration = match backend {
            Backend::Sqlite => include_str!("../../../store/migrations/sqlite/0042_notice_terms.sql"),
            Backend::Postgres => include_str!("../../../store/migrations/postgres/0046_notice_terms.sql"),
        };
        let fill = &migration[migration.find("INSERT").unwrap()..];
        sqlx::query("DELETE FROM notice_terms").execute(pool).await.unwrap();
        sqlx::raw_sql(fill).execute(pool).await.unwrap();
        assert_eq!(read("SELECT term, notice_id FROM notice_terms").await, written);
    }
}
