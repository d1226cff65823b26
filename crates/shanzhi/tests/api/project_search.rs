//! Searching projects by words (`/projects?q=`, `/api/v1/projects?q=`): answered from `project_terms`, exactly the
//! projects whose titles hold every word, within what the reader may see; for the public, the projects with a
//! published notice. The terms follow a renamed title, the generator writes them, and the migration's backfill
//! writes the same terms the platform does.

use crate::both_backends;
use crate::helpers::*;
use crate::procurement::{approved_project, comprehensive, documents};
use crate::search::{encode, holding, ids};
use reqwest::{Method, StatusCode};
use serde_json::json;
use shanzhi_store::Backend;
use sqlx::Row;
use std::collections::BTreeSet;

/// The township under the demo's district with the most of the projects `admin` sees, and fewer than all of them.
pub(crate) async fn busiest_township(app: &TestApp, admin: &str) -> String {
    let all = app.all("/api/v1/projects?limit=200", Some(admin)).await.len();
    let (_, places) = app.call(Method::GET, "/api/v1/regions?parent=420506", None, None).await;
    let mut best = (0, String::new());
    for code in places.as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap().to_string()) {
        let n = app.all(&format!("/api/v1/projects?limit=200&region={code}"), Some(admin)).await.len();
        best = best.max((n, code));
    }
    assert!(best.0 > 0 && best.0 < all, "{best:?} of {all}");
    best.1
}

/// The ids of the projects a public projects page lists.
fn listed(html: &str) -> BTreeSet<i64> {
    html.match_indices("href=\"/projects/")
        .filter_map(|(i, m)| html[i + m.len()..].split('"').next()?.parse().ok())
        .collect()
}

/// Every project the public projects pages list for `query`, page after page.
async fn public_pages(app: &TestApp, query: &str) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    let mut path = format!("/projects?limit=200&{query}");
    loop {
        let (status, html) = page(app, &path, "").await;
        assert_eq!(status, StatusCode::OK, "{path}");
        out.extend(listed(&html));
        match html.split("href=\"/projects?").nth(1).filter(|_| html.contains("下一页")) {
            Some(rest) if rest.contains("cursor=") => {
                path = format!("/projects?{}", rest.split('"').next().unwrap().replace("&amp;", "&"));
            }
            _ => return out,
        }
    }
}

both_backends! {
    async fn a_project_search_finds_exactly_the_projects_whose_titles_hold_every_word(backend) {
        let app = TestApp::with_demo(backend).await;
        let admin = app.token("admin").await;
        let all = app.all("/api/v1/projects?limit=200", Some(&admin)).await;
        let mut found = 0;
        for words in [vec!["社会工作"], vec!["养老"], vec!["夷陵区", "服务"], vec!["岗位", "社会"], vec!["不存在的词"]] {
            let q = encode(&words.join(" "));
            let got = app.all(&format!("/api/v1/projects?q={q}"), Some(&admin)).await;
            assert_eq!(ids(&got), holding(&all, &words), "q={words:?}");
            found += got.len();
            let paged = app.all(&format!("/api/v1/projects?q={q}&limit=1"), Some(&admin)).await;
            assert_eq!(ids(&paged), ids(&got), "q={words:?} one a page");
            let order: Vec<i64> = paged.iter().map(|p| p["id"].as_i64().unwrap()).collect();
            assert!(order.windows(2).all(|w| w[0] > w[1]), "newest first");
        }
        assert!(found >= 10, "the demo's titles hold these words: {found}");
        // With the other filters, the place's among them: the intersection, whether the word's projects lead (the
        // district holds more projects than the word) or the place's (a township holds fewer).
        let words = holding(&all, &["服务"]);
        let township = busiest_township(&app, &admin).await;
        for filter in ["step=completed".to_string(), "year=2014".into(), "region=420506".into(), "category=A07".into(), format!("region={township}")] {
            let got = ids(&app.all(&format!("/api/v1/projects?q={}&{filter}", encode("服务")), Some(&admin)).await);
            let filtered = ids(&app.all(&format!("/api/v1/projects?{filter}"), Some(&admin)).await);
            assert_eq!(got, filtered.intersection(&words).copied().collect(), "{filter}");
        }
        // Within what the reader sees: a purchaser finds only its own.
        let purchaser = app.token("jyj.purchaser").await;
        let own = ids(&app.all("/api/v1/projects?limit=200", Some(&purchaser)).await);
        let got = ids(&app.all(&format!("/api/v1/projects?q={}", encode("服务")), Some(&purchaser)).await);
        assert_eq!(got, own.intersection(&words).copied().collect());
        // A renamed project is found by its new title and no longer by its old one.
        let id = app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(design("旧名称测试项目"))).await["id"].as_i64().unwrap();
        let found = |q: &'static str| {
            let (app, admin) = (&app, &admin);
            async move { ids(&app.all(&format!("/api/v1/projects?q={}", encode(q)), Some(admin)).await) }
        };
        assert_eq!(found("旧名称").await, BTreeSet::from([id]));
        app.ok(Method::PUT, &format!("/api/v1/projects/{id}/design"), &purchaser, Some(design("新名称测试项目"))).await;
        assert!(found("旧名称").await.is_empty());
        assert_eq!(found("新名称").await, BTreeSet::from([id]));
        // Its terms are exactly the new title's: the old title's went, each by its key.
        assert_eq!(title_terms(&app, id).await, shanzhi_domain::search::bigrams("新名称测试项目").into_iter().collect());
        // The signed-in page searches too, and keeps the words.
        let cookie = page_cookie(&app, "admin").await;
        let (status, html) = page(&app, &format!("/projects?q={}", encode("新名称")), &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("value=\"新名称\"") && listed(&html) == BTreeSet::from([id]), "{html}");
    }

    async fn the_public_finds_the_projects_with_a_published_notice_and_no_other(backend) {
        let app = TestApp::with_demo(backend).await;
        let admin = app.token("admin").await;
        let all = app.all("/api/v1/projects?limit=200", Some(&admin)).await;
        let published: BTreeSet<i64> =
            app.all("/api/v1/notices?limit=200", None).await.iter().map(|n| n["project_id"].as_i64().unwrap()).collect();
        assert!(published.len() < all.len(), "the demo has projects not yet public");
        // Without words: every published project, page after page; with words, those holding them.
        assert_eq!(public_pages(&app, "").await, published);
        for words in [vec!["服务"], vec!["社会工作"], vec!["岗位", "社会"]] {
            let expected: BTreeSet<i64> = holding(&all, &words).intersection(&published).copied().collect();
            assert_eq!(public_pages(&app, &format!("q={}", encode(&words.join(" ")))).await, expected, "{words:?}");
        }
        // A project in design is not public until its first notice; then it is found.
        let id = approved_project(&app, "公开检索测试居家养老服务").await;
        assert!(public_pages(&app, &format!("q={}", encode("公开检索"))).await.is_empty());
        let purchaser = app.token("jyj.purchaser").await;
        let body = json!({"method": "open_tender", "documents": documents(comprehensive())});
        app.ok(Method::POST, &format!("/api/v1/projects/{id}/procurements"), &purchaser, Some(body)).await;
        assert_eq!(public_pages(&app, &format!("q={}", encode("公开检索"))).await, BTreeSet::from([id]));
        // The page has the search and its way to the notices, and the notices page its way here.
        let (_, html) = page(&app, &format!("/projects?q={}", encode("公开检索")), "").await;
        assert!(html.contains("value=\"公开检索\"") && html.contains("href=\"/notices?q="), "{html}");
        let (_, html) = page(&app, &format!("/notices?q={}", encode("公开检索")), "").await;
        assert!(html.contains("id=\"search-projects\""));
        // Bad words are refused by name on the page and the API.
        for q in ["养", &"养".repeat(51)] {
            let (status, body) = app.call(Method::GET, &format!("/api/v1/projects?q={}", encode(q)), Some(&admin), None).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_parameter")), "{q}: {body}");
            let (status, html) = page(&app, &format!("/projects?q={}", encode(q)), "").await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
            assert!(html.contains("q"));
        }
    }

    async fn the_migration_and_the_generator_index_the_titles_as_the_platform_does(backend) {
        for generated in [false, true] {
            let app = if generated { TestApp::empty(backend).await } else { TestApp::with_demo(backend).await };
            if generated {
                let (code, _, err) = crate::gen::gen(&app, &["--projects", "120", "--counties", "2", "--seed", "5", "--batch", "50"]);
                assert_eq!(code, 0, "{err}");
            }
            let pool = app.store.pool();
            let read = |sql: &'static str| async move {
                let rows = sqlx::query(sql).fetch_all(pool).await.unwrap();
                rows.iter().map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1))).collect::<BTreeSet<_>>()
            };
            let written = read("SELECT term, project_id FROM project_terms").await;
            let projects: i64 = sqlx::query("SELECT COUNT(*) FROM projects").fetch_one(pool).await.unwrap().get(0);
            let indexed: BTreeSet<i64> = written.iter().map(|(_, id)| *id).collect();
            assert_eq!(indexed.len() as i64, projects, "every project's title is indexed");
            let migration = match backend {
                Backend::Sqlite => include_str!("../../../store/migrations/sqlite/0045_project_terms.sql"),
                Backend::Postgres => include_str!("../../../store/migrations/postgres/0049_project_terms.sql"),
            };
            let fill = &migration[migration.find("INSERT").unwrap()..];
            sqlx::query("DELETE FROM project_terms").execute(pool).await.unwrap();
            sqlx::raw_sql(fill).execute(pool).await.unwrap();
            assert_eq!(read("SELECT term, project_id FROM project_terms").await, written, "generated: {generated}");
        }
    }
}

/// The search terms stored for project `id`.
pub(crate) async fn title_terms(app: &TestApp, id: i64) -> BTreeSet<String> {
    let rows = sqlx::query("SELECT term FROM project_terms WHERE project_id = $1").bind(id).fetch_all(app.store.pool());
    rows.await.unwrap().iter().map(|r| r.get(0)).collect()
}
