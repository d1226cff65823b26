//! Lists are queries: every reader's project list and work queue, answered by SQL, equal what the domain's
//! own rules (`can_view`, `waiting_on`) pick from every project; filters narrow them the same way; pages hold
//! every item exactly once, also while projects are being added; bad paging is refused with a stable code.

use crate::both_backends;
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shanzhi_domain::project::{can_view, waiting_on, Project};
use shanzhi_domain::visibility::project_access;
use shanzhi_store::ProcurementStore;
use std::collections::BTreeSet;

fn ids(items: &[Value], key: &str) -> Vec<i64> {
    items.iter().map(|v| v[key].as_i64().expect("an id")).collect()
}

/// Adds a real place whose code is no level's length, under the district: a prefix of its first nine townships'
/// codes, so lists walk for it rather than seek.
async fn an_odd_place(app: &TestApp) -> String {
    let region = shanzhi_domain::org::Region {
        code: "4205060".into(),
        name: "夷陵区城区片".into(),
        level: shanzhi_domain::org::RegionLevel::Township,
        urban: true,
        parent: Some("420506".into()),
    };
    app.store.add_region(&shanzhi_store::By::system("test"), &region, start_time()).await.unwrap();
    region.code
}

/// Every active demo user with the projects the domain lets them see (each as the list item they may read) and
/// the duties it gives them.
async fn readers(app: &TestApp) -> Vec<(String, Vec<(Project, Value)>, Vec<(i64, &'static str)>)> {
    let projects = app.store.projects().await.unwrap();
    let mut out = Vec::new();
    for user in app.store.users().await.unwrap().into_iter().filter(|u| u.active) {
        let actor = app.store.actor(user.id).await.unwrap().expect("an actor");
        let seen = projects
            .iter()
            .filter_map(|p| project_access(&actor, p).map(|a| (p.clone(), serde_json::to_value(p.item(a)).unwrap())))
            .collect();
        let duties = projects.iter().filter_map(|p| waiting_on(&actor, p).map(|d| (p.id, d))).collect();
        out.push((user.username, seen, duties));
    }
    out
}

both_backends! {
    async fn every_readers_posts_and_their_counts_from_sql_equal_the_domains_choice(backend) {
        let app = TestApp::with_demo(backend).await;
        let projects = app.store.projects().await.unwrap();
        let mut hosts_saw_theirs = false;
        for user in app.store.users().await.unwrap().into_iter().filter(|u| u.active) {
            let actor = app.store.actor(user.id).await.unwrap().expect("an actor");
            // The domain's choice: every post of a contract the reader may see, and the posts seated in their unit.
            let mut want: Vec<(i64, usize, bool, bool)> = Vec::new();
            let mut by_hosting = false;
            for p in projects.iter().rev() {
                let Some(c) = &p.contract else { continue };
                for (i, post) in c.posts.iter().enumerate() {
                    let hosted = post.host_org_id == actor.org_id;
                    if can_view(&actor, p) || hosted {
                        by_hosting |= hosted && !can_view(&actor, p);
                        want.push((p.id, i, p.status.step() == "acceptance", post.holder.is_some()));
                    }
                }
            }
            hosts_saw_theirs |= by_hosting;
            let token = app.token(&user.username).await;
            let got: Vec<(i64, usize, bool, bool)> = app
                .all("/api/v1/posts?limit=3", Some(&token))
                .await
                .iter()
                .map(|v| {
                    let id = v["project_id"].as_i64().unwrap();
                    let running = v["status"] == "acceptance";
                    (id, v["index"].as_u64().unwrap() as usize, running, !v["holder"].is_null())
                })
                .collect();
            assert_eq!(got, want, "{}'s posts, newest contracts first", user.username);
            // The page's totals are SQL counts of the same posts.
            let cookie = page_cookie(&app, &user.username).await;
            let (status, page) = page(&app, "/posts", &cookie).await;
            assert_eq!(status, StatusCode::OK, "{}'s posts page", user.username);
            let running = want.iter().filter(|w| w.2).count();
            let filled = want.iter().filter(|w| w.2 && w.3).count();
            for (label, n) in [("合同期内岗位", running), ("在岗", filled), ("历年购买岗位", want.len())] {
                let card = format!("{label}</p><p class=\"card__value\">{n}</p>");
                assert!(page.contains(&card), "{}: {label} {n}", user.username);
            }
        }
        assert!(hosts_saw_theirs, "a host unit sees the posts seated in it");
    }

    async fn every_readers_list_and_queue_from_sql_equal_the_domains_choice(backend) {
        let app = TestApp::with_demo(backend).await;
        let mut someone_waited = false;
        for (username, seen, duties) in readers(&app).await {
            let token = app.token(&username).await;
            let mut expected: Vec<Value> = seen.into_iter().map(|(_, item)| item).collect();
            expected.sort_by_key(|item| -item["id"].as_i64().unwrap());
            let listed = app.all("/api/v1/projects?limit=7", Some(&token)).await;
            // Whole items: the list columns say what the record says, and a provider reads no estimate.
            assert_eq!(listed, expected, "{username}'s projects, newest first");
            let queue = app.all("/api/v1/queue?limit=3", Some(&token)).await;
            let got: BTreeSet<(i64, String)> =
                queue.iter().map(|q| (q["project_id"].as_i64().unwrap(), q["duty"].as_str().unwrap().to_string())).collect();
            let want: BTreeSet<(i64, String)> = duties.iter().map(|(id, d)| (*id, d.to_string())).collect();
            assert_eq!(got, want, "{username}'s work queue");
            someone_waited |= !want.is_empty();
        }
        assert!(someone_waited, "the demo has work waiting");
    }

    async fn filters_narrow_a_list_the_way_the_record_says(backend) {
        let app = TestApp::with_demo(backend).await;
        let admin = app.token("admin").await;
        let all = app.store.projects().await.unwrap();
        let expect = |keep: &dyn Fn(&Project) -> bool| {
            let mut v: Vec<i64> = all.iter().filter(|p| keep(p)).map(|p| p.id).collect();
            v.sort_by(|a, b| b.cmp(a));
            v
        };
        let some = all.iter().find(|p| p.award.is_some() && p.contract.is_some()).expect("a contracted project");
        let provider = some.award.as_ref().unwrap().provider.org_id;
        let year = shanzhi_domain::statistics::project_year(some);
        let cases: Vec<(String, Vec<i64>)> = vec![
            ("step=acceptance".into(), expect(&|p| p.status.step() == "acceptance")),
            ("step=completed".into(), expect(&|p| p.status.step() == "completed")),
            (format!("year={year}"), expect(&|p| shanzhi_domain::statistics::project_year(p) == year)),
            ("region=420506008".into(), expect(&|p| p.design.regions.iter().any(|r| r.starts_with("420506008")))),
            ("category=A".into(), expect(&|p| p.design.category.starts_with('A'))),
            (format!("purchaser={}", some.purchaser_org_id), expect(&|p| p.purchaser_org_id == some.purchaser_org_id)),
            (format!("provider={provider}"), expect(&|p| p.award.as_ref().is_some_and(|a| a.provider.org_id == provider))),
            (format!("step={}&year={year}", some.status.step()), expect(&|p| p.status.step() == some.status.step() && shanzhi_domain::statistics::project_year(p) == year)),
            (format!("step=acceptance&purchaser={}", some.purchaser_org_id), expect(&|p| p.status.step() == "acceptance" && p.purchaser_org_id == some.purchaser_org_id)),
        ];
        for (query, want) in cases {
            assert!(!want.is_empty(), "{query} matches something in the demo");
            let got = ids(&app.all(&format!("/api/v1/projects?{query}&limit=4"), Some(&admin)).await, "id");
            assert_eq!(got, want, "{query}");
        }
        // A project in several townships of one subtree is listed once.
        let district = ids(&app.all("/api/v1/projects?region=420506", Some(&admin)).await, "id");
        assert_eq!(district.len(), district.iter().collect::<BTreeSet<_>>().len());
        // Every place at every level (sought in `project_places`), with another filter and paged, and a place whose
        // code is no level's (walked): the projects with a region in that subtree either way.
        let odd = an_odd_place(&app).await;
        let roots: Vec<String> = app.store.regions().await.unwrap().into_iter().map(|r| r.code).collect();
        assert!(roots.contains(&odd));
        let mut matched = 0;
        for root in roots {
            let within = |p: &Project| p.design.regions.iter().any(|r| r.starts_with(&root));
            let want = expect(&within);
            matched += usize::from(!want.is_empty());
            assert_eq!(ids(&app.all(&format!("/api/v1/projects?region={root}&limit=3"), Some(&admin)).await, "id"), want, "{root}");
            // A place's projects at a step, of a year, and both: matched on the place's own rows of them.
            for step in ["acceptance", "completed", "review"] {
                let want = expect(&|p| within(p) && p.status.step() == step);
                let got = ids(&app.all(&format!("/api/v1/projects?region={root}&step={step}"), Some(&admin)).await, "id");
                assert_eq!(got, want, "{root}, {step}");
                let of_year = |p: &Project| shanzhi_domain::statistics::project_year(p) == year;
                let want = expect(&|p| within(p) && p.status.step() == step && of_year(p));
                let query = format!("/api/v1/projects?region={root}&step={step}&year={year}&limit=2");
                assert_eq!(ids(&app.all(&query, Some(&admin)).await, "id"), want, "{root}, {step}, {year}");
            }
            let want = expect(&|p| within(p) && shanzhi_domain::statistics::project_year(p) == year);
            let got = ids(&app.all(&format!("/api/v1/projects?region={root}&year={year}"), Some(&admin)).await, "id");
            assert_eq!(got, want, "{root}, {year}");
        }
        assert!(matched > 3, "{matched} places have projects");
        // The signed-in page filters and pages the same way.
        let cookie = page_cookie(&app, "admin").await;
        let (status, html) = page(&app, "/projects?step=acceptance&limit=1", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("cursor="), "a next-page link: {html}");
        let (status, _) = page(&app, "/projects?limit=0", &cookie).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // Both lists offer their places one level at a time: the top level first, then a place's own children,
        // with the way back up; the step links keep the place chosen.
        let regions = app.store.regions().await.unwrap();
        let top: Vec<_> = regions.iter().filter(|r| r.parent.is_none()).collect();
        let county = regions.iter().find(|r| r.level == shanzhi_domain::org::RegionLevel::District).expect("a county");
        let under: Vec<_> = regions.iter().filter(|r| r.parent.as_deref() == Some(county.code.as_str())).collect();
        assert!(!under.is_empty(), "the county has townships");
        for (path, cookie) in [("/notices", ""), ("/projects", cookie.as_str())] {
            let (status, html) = page(&app, path, cookie).await;
            assert_eq!(status, StatusCode::OK);
            for r in &top {
                assert!(html.contains(&format!("<option value=\"{}\">", r.code)), "{path} offers {}", r.name);
            }
            assert!(!html.contains(&format!("<option value=\"{}\">", under[0].code)), "{path}: one level at a time");
            let (status, html) = page(&app, &format!("{path}?region={}", county.code), cookie).await;
            assert_eq!(status, StatusCode::OK);
            assert!(html.contains(&format!("<option value=\"{}\" selected>", county.code)), "{path} keeps the county");
            for r in &under {
                assert!(html.contains(&format!("<option value=\"{}\">{}</option>", r.code, r.name)), "{path} offers {}", r.name);
            }
            let parent = county.parent.as_deref().unwrap_or("");
            assert!(html.contains(&format!("<option value=\"{parent}\">↑ ")), "{path}: the way up");
        }
        let (_, html) = page(&app, &format!("/projects?region={}", county.code), &cookie).await;
        assert!(html.contains(&format!("/projects?step=acceptance&amp;region={}", county.code)), "a step keeps the place");
        // …and every other filter, which the form keeps too, hidden where it has no field for it.
        let (status, html) = page(&app, "/projects?step=completed&category=A07&purchaser=1&provider=32&limit=2", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("/projects?step=acceptance&amp;category=A07&amp;purchaser=1&amp;provider=32&amp;limit=2"), "{html}");
        for (k, v) in [("category", "A07"), ("purchaser", "1"), ("provider", "32"), ("limit", "2")] {
            assert!(html.contains(&format!(r#"<input type="hidden" name="{k}" value="{v}">"#)), "the form keeps {k}");
        }
        // The hidden ones are said, with a link that drops them and keeps the step.
        assert!(html.contains("另按类别 A07、购买主体编号 1、承接主体编号 32筛选。"), "{html}");
        assert!(html.contains(r#"<a href="/projects?step=completed">取消这些筛选</a>"#), "{html}");
        let (_, html) = page(&app, "/projects?step=completed", &cookie).await;
        assert!(!html.contains("取消这些筛选"), "nothing hidden, nothing said");
    }

    async fn pages_hold_every_item_once_while_projects_are_added(backend) {
        let app = TestApp::with_demo(backend).await;
        let purchaser = app.token("mzj.purchaser").await;
        let before: Vec<i64> = ids(&app.all("/api/v1/projects", Some(&purchaser)).await, "id");
        let first = app.ok(Method::GET, "/api/v1/projects?limit=3", &purchaser, None).await;
        let mut seen = ids(first["items"].as_array().unwrap(), "id");
        let mut cursor = first["next_cursor"].as_str().map(str::to_string);
        let mut added = 0;
        while let Some(c) = cursor {
            // Someone adds a project between every two pages.
            app.ok(Method::POST, "/api/v1/projects", &purchaser, Some(design(&format!("翻页期间新建的项目 {added}")))).await;
            added += 1;
            let page = app.ok(Method::GET, &format!("/api/v1/projects?limit=3&cursor={c}"), &purchaser, None).await;
            seen.extend(ids(page["items"].as_array().unwrap(), "id"));
            cursor = page["next_cursor"].as_str().map(str::to_string);
        }
        assert!(added >= 2, "several pages were read");
        assert_eq!(seen, before, "every project present at the first page exactly once, in order");
    }

    async fn bad_paging_is_refused_with_a_stable_code(backend) {
        let app = TestApp::with_demo(backend).await;
        let t = app.token("mzj.purchaser").await;
        for (query, code) in [
            ("limit=0", "invalid_limit"),
            ("limit=201", "invalid_limit"),
            ("limit=ten", "invalid_limit"),
            ("cursor=abc", "invalid_cursor"),
            ("cursor=-4", "invalid_cursor"),
            ("colour=red", "unknown_parameter"),
            ("year=twenty", "invalid_parameter"),
            ("step=finished", "invalid_parameter"),
        ] {
            let (status, body) = app.get(&format!("/api/v1/projects?{query}"), &t).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{query}: {body}");
            assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()) && body["message_en"].is_string(), "{body}");
        }
        let (status, body) = app.get("/api/v1/queue?limit=500", &t).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::BAD_REQUEST, json!("invalid_limit")));
        assert_eq!(app.get("/api/v1/projects?limit=200", &t).await.0, StatusCode::OK);
    }

    async fn a_region_filter_that_names_no_place_is_refused(backend) {
        let app = TestApp::with_demo(backend).await;
        let t = app.token("admin").await;
        let lists = ["/api/v1/projects", "/api/v1/notices", "/api/v1/procurements", "/api/v1/organisations"];
        for list in lists {
            // A code of the right shape that no region has, a prefix of real codes that is no level's, and junk.
            for bad in ["4205069", "420507", "42050", "abc"] {
                let (status, body) = app.get(&format!("{list}?region={bad}"), &t).await;
                assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_region")), "{list}?region={bad}: {body}");
                assert!(body["message"].as_str().is_some_and(|m| m.contains(bad)), "{body}");
            }
            // A real place is a filter, found or not: the district has rows, a village may have none.
            for good in ["420506", "420506001003"] {
                let (status, body) = app.get(&format!("{list}?region={good}"), &t).await;
                assert_eq!(status, StatusCode::OK, "{list}?region={good}: {body}");
            }
            assert!(!app.all(&format!("{list}?region=420506"), Some(&t)).await.is_empty(), "{list} finds the district's");
        }
        let cookie = page_cookie(&app, "admin").await;
        for path in ["/projects?region=4205069", "/notices?region=abc", "/procurements?region=42050"] {
            let (status, html) = page(&app, path, &cookie).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
            assert!(html.contains("没有代码为") && !html.contains("<option value=\"4205069\" selected"), "{path}: the page says why");
        }
        assert_eq!(page(&app, "/notices?region=420506", "").await.0, StatusCode::OK);
    }

    async fn projects_stored_before_the_list_columns_get_them_when_migrated(backend) {
        let app = TestApp::with_demo(backend).await;
        let admin = app.token("admin").await;
        let lq = app.token("lq.supervisor").await;
        let before = (app.all("/api/v1/projects?year=2013", Some(&admin)).await, app.all("/api/v1/projects", Some(&lq)).await);
        assert!(!before.0.is_empty() && !before.1.is_empty());
        // As a store made before migration 12 holds them: columns at their defaults, no regions.
        for sql in ["UPDATE projects SET year = 0, step = '', category = '', mode = '', reviewed = 0, awaits = 0, contracted = NULL, signed_on = NULL", "DELETE FROM project_regions"] {
            sqlx::query(sql).execute(app.store.pool()).await.unwrap();
        }
        assert!(app.all("/api/v1/projects?year=2013", Some(&admin)).await.is_empty());
        app.store.migrate().await.unwrap();
        let after = (app.all("/api/v1/projects?year=2013", Some(&admin)).await, app.all("/api/v1/projects", Some(&lq)).await);
        assert_eq!(after, before);
    }

    async fn public_notices_filter_by_kind_year_and_region_page_by_page(backend) {
        let app = TestApp::with_demo(backend).await;
        let all = app.store.notices().await.unwrap();
        let projects = app.store.projects().await.unwrap();
        let in_region = |project_id: i64, root: &str| {
            projects.iter().any(|p| p.id == project_id && p.design.regions.iter().any(|r| r.starts_with(root)))
        };
        let expect = |keep: &dyn Fn(&shanzhi_domain::notice::Notice) -> bool| {
            let mut v: Vec<i64> = all.iter().filter(|n| keep(n)).map(|n| n.id).collect();
            v.sort_by(|a, b| b.cmp(a));
            v
        };
        let some = all.iter().find(|n| n.notice.kind.code() == "result").expect("a result notice");
        let year = chrono::Datelike::year(&some.notice.published_on);
        let root = projects.iter().find(|p| p.id == some.notice.project_id).unwrap().design.regions[0].clone();
        for (query, want) in [
            (String::new(), expect(&|_| true)),
            ("kind=result".to_string(), expect(&|n| n.notice.kind.code() == "result")),
            (format!("year={year}"), expect(&|n| chrono::Datelike::year(&n.notice.published_on) == year)),
            (format!("region={root}"), expect(&|n| in_region(n.notice.project_id, &root))),
            (format!("kind=result&region={root}&year={year}"), expect(&|n| n.notice.kind.code() == "result" && in_region(n.notice.project_id, &root) && chrono::Datelike::year(&n.notice.published_on) == year)),
            (format!("kind=result&year={year}"), expect(&|n| n.notice.kind.code() == "result" && chrono::Datelike::year(&n.notice.published_on) == year)),
            (format!("kind=result&region={}", &root[..6]), expect(&|n| n.notice.kind.code() == "result" && in_region(n.notice.project_id, &root[..6]))),
            (format!("year={year}&region={}", &root[..6]), expect(&|n| in_region(n.notice.project_id, &root[..6]) && chrono::Datelike::year(&n.notice.published_on) == year)),
        ] {
            assert!(!want.is_empty(), "{query} matches something in the demo");
            let got = ids(&app.all(&format!("/api/v1/notices?limit=2&{query}"), None).await, "id");
            assert_eq!(got, want, "{query}");
        }
        // Every place of the demo at every level (sought in `notice_regions`), and a place whose code is no level's
        // (walked): the notices of the projects in that subtree either way.
        let odd = an_odd_place(&app).await;
        let roots: Vec<String> = app.store.regions().await.unwrap().into_iter().map(|r| r.code).collect();
        assert!(roots.contains(&odd) && !expect(&|n| in_region(n.notice.project_id, &odd)).is_empty());
        let mut matched = 0;
        for root in roots {
            let want = expect(&|n| in_region(n.notice.project_id, &root));
            matched += usize::from(!want.is_empty());
            let got = ids(&app.all(&format!("/api/v1/notices?limit=200&region={root}"), None).await, "id");
            assert_eq!(got, want, "region {root}");
        }
        assert!(matched > 3, "{matched} places have notices");
        let (status, body) = app.call(Method::GET, "/api/v1/notices?kind=gossip", None, None).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::BAD_REQUEST, json!("invalid_parameter")));
        // The public page pages too, and keeps its filters on the next page's link.
        let (status, html) = page(&app, "/notices?kind=result&limit=1", "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("kind=result&amp;limit=1&amp;cursor="), "{html}");
    }

    async fn every_readers_procurements_from_sql_equal_the_domains_choice(backend) {
        let app = TestApp::with_demo(backend).await;
        let procurements = app.store.procurements().await.unwrap();
        assert!(!procurements.is_empty());
        let mut providers = 0;
        for user in app.store.users().await.unwrap().into_iter().filter(|u| u.active) {
            let actor = app.store.actor(user.id).await.unwrap().expect("an actor");
            let token = app.token(&user.username).await;
            let provider = actor.has(shanzhi_domain::org::Role::Provider);
            providers += usize::from(provider);
            let mut want: Vec<i64> = procurements
                .iter()
                .filter(|p| p.can_view(&actor) || (provider && p.stage != shanzhi_domain::procurement::Stage::Draft))
                .map(|p| p.id)
                .collect();
            want.sort_by(|a, b| b.cmp(a));
            let got = ids(&app.all("/api/v1/procurements?limit=2", Some(&token)).await, "id");
            assert_eq!(got, want, "{}'s procurements", user.username);
        }
        assert!(providers > 0);
        // Filters narrow the list as the record says.
        let admin = app.token("admin").await;
        let some = &procurements[0];
        for (query, keep) in [
            (format!("stage={}", some.stage.code()), Box::new(|p: &shanzhi_domain::procurement::Procurement| p.stage == some.stage) as Box<dyn Fn(&_) -> bool>),
            (format!("method={}", some.method.code()), Box::new(|p: &shanzhi_domain::procurement::Procurement| p.method == some.method)),
            (format!("region={}", &some.region[..6]), Box::new(|p: &shanzhi_domain::procurement::Procurement| p.region.starts_with(&some.region[..6]))),
        ] {
            let mut want: Vec<i64> = procurements.iter().filter(|p| keep(p)).map(|p| p.id).collect();
            want.sort_by(|a, b| b.cmp(a));
            assert_eq!(ids(&app.all(&format!("/api/v1/procurements?{query}"), Some(&admin)).await, "id"), want, "{query}");
        }
        let (status, body) = app.get("/api/v1/procurements?stage=won", &admin).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::BAD_REQUEST, json!("invalid_parameter")));
    }

    async fn organisations_and_users_page_with_their_filters(backend) {
        let app = TestApp::with_demo(backend).await;
        let admin = app.token("admin").await;
        let orgs = app.store.organisations().await.unwrap();
        let listed = ids(&app.all("/api/v1/organisations?limit=5", Some(&admin)).await, "id");
        let admin_org = app.store.users().await.unwrap().into_iter().find(|u| u.username == "admin").unwrap().org_id;
        let mut want: Vec<i64> = orgs
            .iter()
            .filter(|o| o.verification == shanzhi_domain::org::Verification::Verified || o.id == admin_org)
            .map(|o| o.id)
            .collect();
        want.sort_by(|a, b| b.cmp(a));
        assert_eq!(listed, want);
        let social = ids(&app.all("/api/v1/organisations?kind=social_organisation&region=420506", Some(&admin)).await, "id");
        assert!(!social.is_empty());
        for id in &social {
            let o = orgs.iter().find(|o| o.id == *id).unwrap();
            assert!(o.kind.code() == "social_organisation" && o.region.as_deref().is_some_and(|r| r.starts_with("420506")));
        }
        let users = app.store.users().await.unwrap();
        assert_eq!(app.all("/api/v1/users?limit=7", Some(&admin)).await.len(), users.len());
        let supervisors = app.all("/api/v1/users?role=supervisor", Some(&admin)).await;
        let want = users.iter().filter(|u| u.roles.contains(&shanzhi_domain::org::Role::Supervisor)).count();
        assert!(want > 0);
        assert_eq!(supervisors.len(), want);
        let (status, body) = app.get("/api/v1/users?role=king", &admin).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::BAD_REQUEST, json!("invalid_parameter")));
    }

    async fn every_readers_budget_lines_from_sql_equal_the_domains_choice(backend) {
        let app = TestApp::with_demo(backend).await;
        let lines = app.store.budgets().await.unwrap();
        let orgs = app.store.organisations().await.unwrap();
        let seat = |id: i64| orgs.iter().find(|o| o.id == id).and_then(|o| o.region.clone());
        for username in ["admin", "czj.reviewer", "supervisor", "lq.supervisor", "jyj.purchaser", "mzj.purchaser", "p.yg"] {
            let user = app.store.users().await.unwrap().into_iter().find(|u| u.username == username).unwrap();
            let actor = app.store.actor(user.id).await.unwrap().unwrap();
            let mut want: Vec<i64> = lines
                .iter()
                .filter(|b| shanzhi_domain::visibility::may_see_budget(&actor, b.budget.org_id, seat(b.budget.org_id).as_deref()))
                .map(|b| b.budget.id)
                .collect();
            want.sort_by(|a, b| b.cmp(a));
            let token = app.token(username).await;
            let got = app.all("/api/v1/budgets?limit=3", Some(&token)).await;
            assert_eq!(ids(&got, "id"), want, "{username}'s budget lines");
            for line in &got {
                let stored = lines.iter().find(|b| b.budget.id == line["id"].as_i64().unwrap()).unwrap();
                assert_eq!(line["balances"], serde_json::to_value(stored.balances).unwrap(), "balances summed in SQL");
            }
        }
        let finance = app.token("czj.reviewer").await;
        let lottery = app.all("/api/v1/budgets?year=2026&source=welfare_lottery", Some(&finance)).await;
        assert!(!lottery.is_empty() && lottery.iter().all(|b| b["year"] == 2026 && b["source"] == "welfare_lottery"));
        let (status, body) = app.get("/api/v1/budgets?source=gold", &finance).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::BAD_REQUEST, json!("invalid_parameter")));
    }
}
