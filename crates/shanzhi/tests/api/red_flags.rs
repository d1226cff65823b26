//! Red flags through the use cases: raised at the step that makes their evidence known, never from a sealed bid;
//! listed for supervisors, finance and the administrator with filters and keyset pages, refused to everyone else;
//! counted in the report summary. Each flag's threshold is tested on crafted records in the domain
//! (`shanzhi_domain::red_flags`).

use crate::both_backends;
use crate::helpers::*;
use crate::procurement::{approved_project, at, china, documents};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const BIDDERS: [(&str, &str); 3] = [("p.yg", "81200.00"), ("p.hx", "81500.00"), ("p.qm", "81800.00")];

fn bid(price: &str) -> Value {
    json!({"price": price, "proposal": "每周三次入户陪伴，配备两名持证社工与一名心理咨询师", "small_or_micro": false})
}

/// The flags of one procurement, as the administrator lists them.
async fn flags_of(app: &TestApp, procurement: i64) -> Vec<Value> {
    let admin = app.token("admin").await;
    let all = app.all("/api/v1/red-flags", Some(&admin)).await;
    all.into_iter().filter(|f| f["procurement_id"] == procurement).collect()
}

fn codes(flags: &[Value]) -> Vec<&str> {
    let mut c: Vec<&str> = flags.iter().map(|f| f["code"].as_str().unwrap()).collect();
    c.sort_unstable();
    c
}

/// An open tender of a project budgeted at 82,000 yuan published on 3 April 2026 with its bid deadline on 24
/// April, a day after the earliest the law allows (23 April); three bids sealed in it. Returns (project,
/// procurement).
async fn short_tender(app: &TestApp) -> (i64, i64) {
    let project = approved_project(app, "留守儿童课后陪伴服务（风险提示）").await;
    let purchaser = app.token("jyj.purchaser").await;
    let body = json!({"method": "open_tender", "documents": documents(json!({"kind": "lowest_price"}))});
    let p = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(body)).await;
    let id = p["id"].as_i64().unwrap();
    app.clock.set(at("2026-04-03T09:00"));
    let purchaser = app.token("jyj.purchaser").await;
    let deadline = json!({"bid_deadline": china("2026-04-24T09:30")});
    app.ok(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(deadline)).await;
    for (user, price) in BIDDERS {
        let t = app.token(user).await;
        app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &t, Some(bid(price))).await;
    }
    (project, id)
}

/// Opens the bids, has a committee review them and the purchaser award the lowest: 81,200 (within 1 % of the
/// 82,000 budget), the three prices 300 apart.
async fn award(app: &TestApp, id: i64) {
    app.clock.set(at("2026-04-24T09:30"));
    let purchaser = app.token("jyj.purchaser").await;
    let p = app
        .ok(
            Method::POST,
            &format!("/api/v1/procurements/{id}/opening"),
            &purchaser,
            Some(json!({"attendees": ["监督员"]})),
        )
        .await;
    assert_eq!(p["stage"], "evaluating");
    let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/committee"), &purchaser, Some(json!({}))).await;
    let members: Vec<i64> =
        p["committee"]["members"].as_array().unwrap().iter().map(|m| m["user_id"].as_i64().unwrap()).collect();
    let bids: Vec<i64> =
        p["opening"]["bids"].as_array().unwrap().iter().map(|b| b["bid_id"].as_i64().unwrap()).collect();
    let names = crate::procurement::usernames(app).await;
    for (i, m) in members.iter().enumerate() {
        let t = app.token(&names[m]).await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/declaration"), &t, Some(json!({"no_conflict": true})))
            .await;
        if i == 0 {
            for b in &bids {
                let body = json!({"bid_id": b, "qualified": true});
                app.ok(Method::POST, &format!("/api/v1/procurements/{id}/compliance"), &t, Some(body)).await;
            }
        }
    }
    let lead = app.token(&names[&members[0]]).await;
    let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/report"), &lead, None).await;
    let winner = p["outcome"]["winners"][0].as_i64().unwrap();
    let p = app
        .ok(Method::POST, &format!("/api/v1/procurements/{id}/award"), &purchaser, Some(json!({"bid_id": winner})))
        .await;
    assert_eq!(p["award"]["winner"]["price"], "81200.00");
}

fn report_flags(app: &TestApp, year: &str) -> BTreeMap<String, i64> {
    let (code, out, err) = crate::cli::shanzhi(app, &["report", "summary", "--json", "--year", year], None);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    serde_json::from_value(v["red_flags"].clone()).expect("red_flags: code → count")
}

both_backends! {
    async fn the_award_history_is_the_providers_wins_and_the_categorys_parts_in_their_band(backend) {
        use shanzhi_domain::red_flags::{AwardFact, HistoryNeeded, PartsBand};
        use shanzhi_store::{ProjectStore, RedFlagStore};
        let app = TestApp::with_demo(backend).await;
        let mut awards: Vec<AwardFact> = app.store.projects().await.unwrap().iter().filter_map(AwardFact::of).collect();
        // Beside the demo's: the first buyer's awards of one category from another provider, ten days before its
        // first award at another amount and at the same, and a month after it (as the awards table holds them).
        let a = awards[0].clone();
        let crafted = [(500_000, -10), (0, -10), (0, 30)].into_iter().enumerate().map(|(i, (more, days))| AwardFact {
            project_id: 900_001 + i as i64,
            provider_org_id: a.provider_org_id + 1_000,
            amount: shanzhi_domain::Money::from_fen(a.amount.fen() + more),
            on: a.on.checked_add_signed(chrono::Duration::days(days)).unwrap(),
            ..a.clone()
        });
        for f in crafted {
            sqlx::query(
                "INSERT INTO award_facts (project_id, buyer_org_id, provider_org_id, category, region, amount_fen, awarded_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(f.project_id).bind(f.buyer_org_id).bind(f.provider_org_id).bind(&f.category).bind(&f.region)
            .bind(f.amount.fen()).bind(f.on.to_string())
            .execute(app.store.pool()).await.unwrap();
            awards.push(f);
        }
        let mut left_out = 0;
        for a in &awards {
            // A band holding this award's amount alone: the category's other amounts are left out; and nothing
            // awarded after `until`, a day past this award.
            let since = a.on - chrono::Days::new(400);
            let until = a.on + chrono::Days::new(1);
            let band = PartsBand { since, low: a.amount, high: shanzhi_domain::Money::from_fen(a.amount.fen() + 1) };
            for parts in [None, Some(band)] {
                let needed = HistoryNeeded { wins_since: since, until, parts: parts.clone() };
                let mut got = app.store.award_history(a.buyer_org_id, a.provider_org_id, &a.category, &needed).await.unwrap();
                got.sort_by_key(|f| f.project_id);
                let named = |f: &&AwardFact| {
                    f.buyer_org_id == a.buyer_org_id
                        && f.on <= until
                        && ((f.provider_org_id == a.provider_org_id && f.on >= since)
                            || parts.as_ref().is_some_and(|b| f.category == a.category && f.on >= b.since && f.amount >= b.low && f.amount < b.high))
                };
                let mut expected: Vec<AwardFact> = awards.iter().filter(named).cloned().collect();
                expected.sort_by_key(|f| f.project_id);
                assert_eq!(got, expected, "{a:?} with {parts:?}");
                assert!(got.contains(a), "an award is in its own history");
                // Left out by the band alone: in the window, of the category, another provider's, another amount.
                let by_band = |f: &&AwardFact| {
                    f.buyer_org_id == a.buyer_org_id && f.category == a.category && f.on >= since && f.on <= until
                        && f.provider_org_id != a.provider_org_id && f.amount != a.amount
                };
                left_out += awards.iter().filter(by_band).count();
            }
        }
        assert!(left_out > 0, "some award of the category the band alone leaves out");
    }

    async fn a_batchs_awards_are_in_its_history_at_once_and_in_the_stores_when_it_commits(backend) {
        use shanzhi_domain::red_flags::{AwardFact, HistoryNeeded};
        use shanzhi_store::{By, Flagging, ProcurementStore, RedFlagStore};
        let app = TestApp::with_demo(backend).await;
        let projects = app.store.projects().await.unwrap();
        let (p, stored) = projects.iter().find_map(|p| AwardFact::of(p).map(|a| (p, a))).expect("an awarded demo project");
        // The project's award made again, to another provider: the batch's replaces the stored one.
        let again = AwardFact { provider_org_id: stored.provider_org_id + 1_000, ..stored.clone() };
        let needed = HistoryNeeded { wins_since: again.on - chrono::Days::new(10), until: again.on, parts: None };
        let history = |store: &shanzhi_store::SqlStore, provider: i64| {
            let (store, needed, buyer, category) = (store.clone(), needed.clone(), again.buyer_org_id, again.category.clone());
            async move { store.award_history(buyer, provider, &category, &needed).await.unwrap() }
        };
        let mut after = p.clone();
        after.version += 1;
        let change = shanzhi_domain::project::Change::new(shanzhi_domain::audit::Action::ProjectDesign, json!({}));
        let flagging = Flagging { flags: vec![], award: Some(again.clone()) };

        let batch = app.store.batch().await.unwrap();
        batch.store().update_project_with_notices(&By::system("test"), p, &after, &change, vec![], &flagging, start_time()).await.unwrap();
        assert_eq!(history(batch.store(), again.provider_org_id).await, vec![again.clone()]);
        assert!(!history(batch.store(), stored.provider_org_id).await.contains(&stored), "replaced in the batch");
        assert!(history(&app.store, again.provider_org_id).await.is_empty(), "not stored before the commit");
        batch.commit().await.unwrap();
        assert_eq!(history(&app.store, again.provider_org_id).await, vec![again.clone()]);
        assert!(!history(&app.store, stored.provider_org_id).await.contains(&stored));
    }

    async fn flags_come_at_their_step_and_never_from_a_sealed_bid(backend) {
        let app = TestApp::with_demo(backend).await;
        let before = report_flags(&app, "2026");
        let (project, id) = short_tender(&app).await;
        // Published with the bare minimum: flagged at once, with its evidence; the sealed bids raise nothing.
        let flags = flags_of(&app, id).await;
        assert_eq!(codes(&flags), ["short_submission_period"], "{flags:?}");
        let evidence = &flags[0]["evidence"];
        assert_eq!((evidence["earliest_allowed"].as_str(), evidence["bid_deadline"].as_str()), (Some("2026-04-23"), Some("2026-04-24")));
        assert_eq!(flags[0]["project_id"], project);
        assert_eq!(flags[0]["label_zh"], "投标（响应）期限过短");
        let stored: Vec<String> = sqlx::query_scalar("SELECT evidence FROM red_flags").fetch_all(app.store.pool()).await.unwrap();
        for (_, price) in BIDDERS {
            assert!(stored.iter().all(|e| !e.contains(price)), "a sealed price in a flag: {stored:?}");
        }

        // After the opening the award reads the opened prices: close to the ceiling, evenly spaced.
        award(&app, id).await;
        let flags = flags_of(&app, id).await;
        assert_eq!(codes(&flags), ["evenly_spaced_bid_prices", "price_close_to_ceiling", "short_submission_period"], "{flags:?}");
        let close = flags.iter().find(|f| f["code"] == "price_close_to_ceiling").unwrap();
        assert_eq!((close["evidence"]["price"].as_str(), close["evidence"]["budget"].as_str()), (Some("81200.00"), Some("82000.00")));
        assert!(close["provider_name"].is_string() && close["buyer_name"].is_string(), "{close}");

        // The report counts them with every other code at zero or more.
        let after = report_flags(&app, "2026");
        assert_eq!(after.len(), 13, "{after:?}");
        for (code, added) in [("short_submission_period", 1), ("evenly_spaced_bid_prices", 1), ("price_close_to_ceiling", 1), ("single_bid", 0)] {
            assert_eq!(after[code] - before.get(code).copied().unwrap_or(0), added, "{code}");
        }
        // And agrees with the list.
        let admin = app.token("admin").await;
        let listed = app.all("/api/v1/red-flags?year=2026", Some(&admin)).await;
        assert_eq!(listed.len() as i64, after.values().sum::<i64>());

        // 30 days from the award end on Sunday 24 May, which moves to Monday 25 May (政府采购法 §46): the contract
        // signed on the 26th is a day late; published that day, its publication is not.
        app.clock.set(at("2026-05-26T10:00"));
        let purchaser = app.token("jyj.purchaser").await;
        let contract = json!({"amount": "81200.00", "start": "2026-06-01", "end": "2027-05-31", "signed_on": "2026-05-26",
            "milestones": [{"name": "终期", "share": "100", "due": "2027-05-31"}]});
        app.ok(Method::POST, &format!("/api/v1/projects/{project}/contract"), &purchaser, Some(contract)).await;
        let admin = app.token("admin").await;
        let of_project: Vec<Value> = app.all("/api/v1/red-flags?code=late_contract", Some(&admin)).await
            .into_iter().filter(|f| f["project_id"] == project).collect();
        assert_eq!(of_project.len(), 1, "{of_project:?}");
        let e = &of_project[0]["evidence"];
        assert_eq!((e["due"].as_str(), e["signed_on"].as_str(), e["days_late"].as_i64()), (Some("2026-05-25"), Some("2026-05-26"), Some(1)));
        assert!(of_project[0]["procurement_id"].is_null() && of_project[0]["provider_name"].is_string());
        let late_publication = app.all("/api/v1/red-flags?code=late_publication", Some(&admin)).await;
        assert!(late_publication.iter().all(|f| f["project_id"] != project), "{late_publication:?}");
    }

    async fn the_list_filters_pages_and_is_for_supervisors_finance_and_administrators(backend) {
        let app = TestApp::with_demo(backend).await;
        let (_, id) = short_tender(&app).await;
        award(&app, id).await;
        let mine = flags_of(&app, id).await;
        assert_eq!(mine.len(), 3);
        let buyer = mine[0]["buyer_org_id"].as_i64().unwrap();
        let provider = mine.iter().find(|f| f["provider_org_id"].is_i64()).unwrap()["provider_org_id"].as_i64().unwrap();

        for user in ["supervisor", "czj.reviewer", "admin"] {
            let t = app.token(user).await;
            let (status, body) = app.get("/api/v1/red-flags?code=price_close_to_ceiling&region=420506001", &t).await;
            assert_eq!(status, StatusCode::OK, "{user}: {body}");
            assert!(body["items"].as_array().unwrap().iter().any(|f| f["procurement_id"] == id), "{user}: {body}");
            assert!(body["items"].as_array().unwrap().iter().all(|f| f["code"] == "price_close_to_ceiling"), "{body}");
        }
        let t = app.token("supervisor").await;
        // Each filter narrows.
        let by = |q: String| {
            let (app, t) = (&app, t.clone());
            async move { app.all(&format!("/api/v1/red-flags?{q}"), Some(&t)).await }
        };
        let of_buyer = by(format!("purchaser={buyer}")).await;
        assert!(of_buyer.len() >= 3 && of_buyer.iter().all(|f| f["buyer_org_id"] == buyer));
        let of_provider = by(format!("provider={provider}")).await;
        assert!(!of_provider.is_empty() && of_provider.iter().all(|f| f["provider_org_id"] == provider));
        assert!(by("year=2025&code=evenly_spaced_bid_prices".into()).await.iter().all(|f| f["procurement_id"] != id));
        assert!(by("region=420506008".into()).await.iter().all(|f| f["procurement_id"] != id), "another township");
        // Pages of one, newest first, each flag once.
        let (_, first) = app.get("/api/v1/red-flags?limit=1", &t).await;
        let cursor = first["next_cursor"].as_str().expect("more than one page").to_string();
        let (_, second) = app.get(&format!("/api/v1/red-flags?limit=1&cursor={cursor}"), &t).await;
        assert!(first["items"][0]["id"].as_i64() > second["items"][0]["id"].as_i64(), "{first} {second}");
        let all = app.all("/api/v1/red-flags", Some(&t)).await;
        let mut ids: Vec<i64> = all.iter().map(|f| f["id"].as_i64().unwrap()).collect();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);

        // A township's supervisor reads its own subtree only.
        let lq = app.token("lq.supervisor").await;
        assert!(app.all("/api/v1/red-flags", Some(&lq)).await.iter().all(|f| f["procurement_id"] != id));
        app.refused(Method::GET, "/api/v1/red-flags?region=420506001", &lq, None, StatusCode::FORBIDDEN, "forbidden").await;
        // Purchasers and providers — those the flags are about — and others are refused.
        for user in ["jyj.purchaser", "p.yg", "mzj.reviewer", "expert.xiang"] {
            let t = app.token(user).await;
            app.refused(Method::GET, "/api/v1/red-flags", &t, None, StatusCode::FORBIDDEN, "forbidden").await;
        }
        let (status, _) = app.get("/api/v1/red-flags", "").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // Bad filters are refused with their codes.
        app.refused(Method::GET, "/api/v1/red-flags?code=bribery", &t, None, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        app.refused(Method::GET, "/api/v1/red-flags?year=x", &t, None, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        app.refused(Method::GET, "/api/v1/red-flags?region=429999", &t, None, StatusCode::FORBIDDEN, "forbidden").await;
        let admin = app.token("admin").await;
        app.refused(Method::GET, "/api/v1/red-flags?region=429999", &admin, None, StatusCode::BAD_REQUEST, "unknown_region").await;
    }

    async fn supervisors_read_them_on_pages_and_the_public_only_counts(backend) {
        let app = TestApp::with_demo(backend).await;
        let (project, id) = short_tender(&app).await;
        award(&app, id).await;
        let title = "留守儿童课后陪伴服务（风险提示）";

        let supervisor = page_cookie(&app, "supervisor").await;
        let (status, html) = page(&app, "/red-flags?code=price_close_to_ceiling", &supervisor).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("中标价格接近预算上限") && html.contains(title) && html.contains("81200.00"), "{html}");
        assert!(html.contains(r#"href="/red-flags""#), "in the menu");
        let (_, html) = page(&app, "/red-flags", &format!("{supervisor}; sz_lang=en")).await;
        assert!(html.contains("Winning price close to the budget ceiling") && html.contains("Evidence"), "{html}");
        let (status, html) = page(&app, &format!("/projects/{project}"), &supervisor).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"id="red-flags""#) && html.contains("投标（响应）期限过短"), "the project page shows its flags");

        // The purchaser sees neither the list nor the flags on its own project.
        let purchaser = page_cookie(&app, "jyj.purchaser").await;
        let (status, _) = page(&app, "/red-flags", &purchaser).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, html) = page(&app, &format!("/projects/{project}"), &purchaser).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains(r#"id="red-flags""#) && !html.contains(r#"href="/red-flags""#), "no flags for the purchaser");

        // The public home page counts the year's flags by region and department, without any project's evidence.
        let (status, html) = page(&app, "/", "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"id="red-flag-figures""#) && html.contains("小溪塔街道"), "{html}");
        assert!(!html.contains(title) && !html.contains("81200") && !html.contains("82000"), "no evidence in public: {html}");

        // The places add up to every flag of the year: a district-wide project's are on a row of the district's own.
        let admin = app.token("admin").await;
        let flags = app.ok(Method::GET, "/api/v1/red-flags?year=2026&limit=200", &admin, None).await;
        let flags = flags["items"].as_array().unwrap();
        let by_region = html.split("按地区").nth(1).and_then(|t| t.split("</table>").next()).unwrap();
        let counted: i64 = by_region
            .split(r#"<td class="num">"#)
            .skip(1)
            .map(|cell| cell.split('<').next().unwrap().parse::<i64>().unwrap())
            .sum();
        assert_eq!(counted, flags.len() as i64, "{by_region}");
        let district_wide = flags.iter().filter(|f| f["region"] == "420506").count();
        assert!(district_wide > 0, "the demo has a district-wide project's flag this year");
        assert!(by_region.contains("本级（不属于上列任一地区）"), "{by_region}");
    }
}
