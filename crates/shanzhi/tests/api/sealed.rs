//! Prices that stay sealed, and an audit log that tells nobody who bid: a competitive consultation run to its
//! final offers, read at every stage by every kind of reader (each demo role, the bidders, the committee, an
//! unverified registrant and the anonymous public) through every endpoint and page that could reveal a bid.

use crate::both_backends;
use crate::helpers::*;
use crate::procurement::{approved_project, documents, usernames};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use shanzhi_domain::clock::Clock;

/// The bidders, with first-round and final prices no other figure in the demo shares.
const BIDDERS: [(&str, &str, &str, &str); 3] = [
    ("p.yg", "yg", "76543.21", "75310.42"),
    ("p.hx", "hx", "71234.56", "70987.65"),
    ("p.qm", "qm", "79876.54", "78123.98"),
];

/// Readers who are neither bidders nor on the committee.
const OTHERS: [&str; 11] = [
    "admin",
    "jyj.purchaser",
    "mzj.purchaser",
    "mzj.reviewer",
    "czj.reviewer",
    "p.xlx",
    "xjpg.evaluator",
    "supervisor",
    "lq.supervisor",
    "p.swxz",
    "expert.xiang",
];

/// A reader: a username (none for the public) with an API token and a page cookie.
struct Reader {
    name: String,
    token: Option<String>,
    cookie: Option<String>,
}

async fn readers(app: &TestApp, names: &[String]) -> Vec<Reader> {
    let mut out = vec![Reader { name: "anonymous".into(), token: None, cookie: None }];
    for n in names {
        out.push(Reader { name: n.clone(), token: Some(app.token(n).await), cookie: Some(page_cookie(app, n).await) });
    }
    out
}

/// Both spellings of a price: as JSON gives it, and as a page does.
fn spellings(price: &str) -> [String; 2] {
    let (yuan, fen) = price.split_once('.').unwrap();
    let grouped = format!("{},{}", &yuan[..yuan.len() - 3], &yuan[yuan.len() - 3..]);
    [price.to_string(), format!("{grouped}.{fen}")]
}

/// Everything `r` can fetch that could reveal a bid: the API and the pages, as (what, status, body).
async fn everything(app: &TestApp, r: &Reader, id: i64, project: i64, files: &[i64]) -> Vec<(String, u16, String)> {
    let mut api = vec![
        "/api/v1/procurements".to_string(),
        format!("/api/v1/procurements/{id}"),
        format!("/api/v1/procurements/{id}/bid"),
        format!("/api/v1/procurements/{id}/bids"),
        "/api/v1/duties".into(),
        "/api/v1/overdue".into(),
        "/api/v1/notices".into(),
        "/api/v1/projects".into(),
        format!("/api/v1/projects/{project}"),
        format!("/api/v1/projects/{project}/history"),
        "/api/v1/queue".into(),
        "/api/v1/statistics".into(),
        "/api/v1/audit/head".into(),
    ];
    // The latest thousand events of the chain.
    let head = app.call(Method::GET, "/api/v1/audit/head", None, None).await.1["seq"].as_i64().unwrap_or(0);
    api.push(format!("/api/v1/audit/events?after={}&limit=1000", (head - 1000).max(0)));
    let mut pages = vec![
        "/".to_string(),
        "/projects".into(),
        "/procurements".into(),
        format!("/procurements/{id}"),
        format!("/projects/{project}"),
        "/notices".into(),
        "/audit".into(),
        "/overdue".into(),
        "/dashboard".into(),
        "/dashboard/export.csv".into(),
    ];
    for f in files {
        api.push(format!("/api/v1/procurements/{id}/bid/files/{f}"));
        pages.push(format!("/procurements/{id}/bid-files/{f}"));
    }
    let mut out = Vec::new();
    for path in api {
        let mut req = app.client.get(format!("{}{path}", app.base));
        if let Some(t) = &r.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        out.push((path, resp.status().as_u16(), String::from_utf8_lossy(&resp.bytes().await.unwrap()).to_string()));
    }
    for path in pages {
        let mut req = app.client.get(format!("{}{path}", app.base));
        if let Some(c) = &r.cookie {
            req = req.header("cookie", c);
        }
        let resp = req.send().await.unwrap();
        out.push((path, resp.status().as_u16(), String::from_utf8_lossy(&resp.bytes().await.unwrap()).to_string()));
    }
    for (path, status, body) in &out {
        assert!(*status < 500, "{} GET {path} → {status}: {body}", r.name);
    }
    out
}

/// Asserts that nothing `r` can fetch contains any of `hidden`.
async fn sees_none(app: &TestApp, r: &Reader, id: i64, project: i64, files: &[i64], hidden: &[String], when: &str) {
    for (path, _, body) in everything(app, r, id, project, files).await {
        for h in hidden {
            assert!(!body.contains(h.as_str()), "{when}: {} sees “{h}” at {path}", r.name);
        }
    }
}

/// Everything `r` can fetch, in one text.
async fn all_text(app: &TestApp, r: &Reader, id: i64, project: i64, files: &[i64]) -> String {
    everything(app, r, id, project, files).await.into_iter().map(|(_, _, b)| b).collect::<Vec<_>>().join("\n")
}

/// Prices of the bidders other than `except`, in both spellings; `final_round` picks the final offers.
fn prices(except: Option<usize>, first: bool, last: bool) -> Vec<String> {
    let mut out = Vec::new();
    for (i, b) in BIDDERS.iter().enumerate() {
        if Some(i) == except {
            continue;
        }
        if first {
            out.extend(spellings(b.2));
        }
        if last {
            out.extend(spellings(b.3));
        }
    }
    out
}

fn bid(price: &str) -> Value {
    json!({"price": price, "proposal": "每周三次入户陪伴，配备两名持证社工与一名心理咨询师", "small_or_micro": false})
}

/// Every event of the public chain from the start, as `token`'s reader gets it (none: the public).
pub(crate) async fn chain(app: &TestApp, token: Option<&str>) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let (status, page) =
            app.call(Method::GET, &format!("/api/v1/audit/events?after={after}&limit=1000"), token, None).await;
        assert_eq!(status, StatusCode::OK, "the chain is public: {page}");
        let page = page.as_array().unwrap().clone();
        if page.is_empty() {
            return out;
        }
        after = page.last().unwrap()["seq"].as_i64().unwrap();
        out.extend(page);
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn canonical(v: &Value) -> String {
    let mut s = String::new();
    shanzhi_domain::audit::canonical_json(v, &mut s);
    s
}

/// Verifies the chain as anyone can, from what is public: each link, and each event's hash over its number,
/// time, action and payload hash; a payload, where shown, against its hash.
pub(crate) fn verify_public(events: &[Value]) -> String {
    let mut prev = "0".repeat(64);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"].as_i64(), Some(i as i64 + 1), "numbered without gaps: {e}");
        assert_eq!(e["prev_hash"].as_str(), Some(prev.as_str()), "linked: {e}");
        if e["rule"] == 2 {
            let skeleton =
                json!({"seq": e["seq"], "at": e["at"], "action": e["action"], "payload_hash": e["payload_hash"]});
            let hash = sha256_hex(format!("{prev}{}", canonical(&skeleton)).as_bytes());
            assert_eq!(e["hash"].as_str(), Some(hash.as_str()), "hash from the public fields: {e}");
            if !e["payload"].is_null() {
                assert_eq!(
                    e["payload_hash"].as_str(),
                    Some(sha256_hex(canonical(&e["payload"]).as_bytes()).as_str()),
                    "{e}"
                );
            }
        } else {
            assert_eq!(e["rule"], 1, "{e}");
        }
        prev = e["hash"].as_str().unwrap().to_string();
    }
    prev
}

const DEFERRED: [&str; 5] = ["bid.submit", "bid.withdraw", "bid.file", "procurement.interest", "procurement.question"];

both_backends! {
    async fn prices_and_bidders_stay_sealed_from_every_reader(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = approved_project(&app, "留守儿童课后陪伴服务（竞争性磋商）").await;
        let purchaser = app.token("jyj.purchaser").await;
        let docs = documents(json!({"kind": "comprehensive", "price_weight_bp": 2000, "criteria": [
            {"key": "plan", "name": "服务方案", "weight_bp": 6000}, {"key": "team", "name": "团队", "weight_bp": 2000}]}));
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(json!({"method": "competitive_consultation", "documents": docs}))).await;
        let id = p["id"].as_i64().unwrap();
        let start = app.clock.now();
        app.clock.set(start + chrono::Duration::days(35));
        let purchaser = app.token("jyj.purchaser").await;
        let deadline = shanzhi_domain::calendar::end_of_day(shanzhi_domain::calendar::china_date(start + chrono::Duration::days(64)));
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(json!({"bid_deadline": deadline.to_rfc3339()}))).await;

        // The bidders sign in first: from here on, nothing they do may move the public chain at all.
        let mut tokens = Vec::new();
        for b in &BIDDERS {
            tokens.push(app.token(b.0).await);
        }
        let head = app.call(Method::GET, "/api/v1/audit/head", None, None).await.1;
        let mut receipts: Vec<Vec<String>> = vec![vec![]; 3];
        let mut files = Vec::new();
        for (i, b) in BIDDERS.iter().enumerate() {
            app.ok(Method::POST, &format!("/api/v1/procurements/{id}/interest"), &tokens[i], None).await;
            let part = reqwest::multipart::Part::bytes(format!("%PDF-1.4 SEALED-PLAN-{}", b.1).into_bytes()).file_name("服务方案.pdf");
            let resp = app.client.post(format!("{}/api/v1/procurements/{id}/bid/files", app.base)).bearer_auth(&tokens[i])
                .multipart(reqwest::multipart::Form::new().part("file", part)).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::CREATED);
            let file: Value = resp.json().await.unwrap();
            files.push(file["id"].as_i64().unwrap());
            let mut body = bid(b.2);
            body["file_ids"] = json!([file["id"]]);
            let r = app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &tokens[i], Some(body)).await;
            receipts[i].push(r["receipt"].as_str().unwrap().to_string());
        }
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/questions"), &tokens[0], Some(json!({"text": "服务对象名单由谁提供？"}))).await;
        // A withdrawal and a new bid: each receipt counts.
        app.ok(Method::DELETE, &format!("/api/v1/procurements/{id}/bid"), &tokens[2], None).await;
        let mut again = bid(BIDDERS[2].2);
        again["file_ids"] = json!([files[2]]);
        let r = app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &tokens[2], Some(again)).await;
        receipts[2].push(r["receipt"].as_str().unwrap().to_string());
        assert_eq!(app.call(Method::GET, "/api/v1/audit/head", None, None).await.1, head, "bids, interest and questions leave no trace in the public chain before the opening");
        // Ids say nothing about how many bids or files there are.
        for (i, t) in tokens.iter().enumerate() {
            let mine = app.get(&format!("/api/v1/procurements/{id}/bid"), t).await.1;
            assert!(mine[0]["bid_id"].as_i64().unwrap() > 1 << 40, "bid ids are not a sequence: {mine}");
            assert!(files[i] > 1 << 40, "bid-file ids are not a sequence: {files:?}");
        }

        // Before the opening: each bidder sees its own bid, file and receipt and nothing of the others'; everyone
        // else sees no price, no bidder, no receipt, no file.
        let names = usernames(&app).await;
        let mut bidder_names = Vec::new();
        for b in &BIDDERS {
            bidder_names.push(app.store.organisation_by_key(b.1).await.unwrap().unwrap().name);
        }
        let secrets = |except: Option<usize>| -> Vec<String> {
            let mut v = prices(except, true, true);
            for (i, b) in BIDDERS.iter().enumerate() {
                if Some(i) != except {
                    v.extend(receipts[i].iter().cloned());
                    v.push(format!("SEALED-PLAN-{}", b.1));
                }
            }
            v
        };
        let others: Vec<String> = OTHERS.iter().map(|s| s.to_string()).collect();
        let all = readers(&app, &others).await;
        let bidders = readers(&app, &BIDDERS.iter().map(|b| b.0.to_string()).collect::<Vec<_>>()).await;
        for r in &all {
            sees_none(&app, r, id, project, &files, &secrets(None), "before the opening").await;
            // Nor who is bidding, on anything about this procurement.
            for (path, _, text) in everything(&app, r, id, project, &files).await {
                if path.contains(&format!("procurements/{id}")) {
                    for n in &bidder_names {
                        assert!(!text.contains(n.as_str()), "before the opening {} learns that {n} takes part at {path}", r.name);
                    }
                }
            }
        }
        for (i, r) in bidders.iter().enumerate().skip(1) {
            sees_none(&app, r, id, project, &files, &secrets(Some(i - 1)), "before the opening").await;
            let text = all_text(&app, r, id, project, &files).await;
            assert!(spellings(BIDDERS[i - 1].2).iter().any(|s| text.contains(s.as_str())), "{} sees its own price", r.name);
            assert!(text.contains(&format!("SEALED-PLAN-{}", BIDDERS[i - 1].1)), "{} reads its own file", r.name);
        }
        // Interest after the deadline is refused; so is a bid.
        app.clock.set(deadline);
        let late = app.token("p.xlx").await;
        app.refused(Method::POST, &format!("/api/v1/procurements/{id}/interest"), &late, None, StatusCode::CONFLICT, "deadline_passed").await;

        // The first round is opened: the committee reads the offers; each bidder still sees only its own price.
        let purchaser = app.token("jyj.purchaser").await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &purchaser, Some(json!({"attendees": ["监督员"]}))).await;
        assert_eq!(p["stage"], "negotiating");
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/committee"), &purchaser, Some(json!({}))).await;
        let members: Vec<String> = p["committee"]["members"].as_array().unwrap().iter().map(|m| names[&m["user_id"].as_i64().unwrap()].clone()).collect();
        let committee = readers(&app, &members).await;
        for r in committee.iter().skip(1) {
            app.ok(Method::POST, &format!("/api/v1/procurements/{id}/declaration"), r.token.as_ref().unwrap(), Some(json!({"no_conflict": true}))).await;
        }
        let first = |except: Option<usize>| prices(except, true, false);
        let all = readers(&app, &others.iter().filter(|o| !members.contains(o)).cloned().collect::<Vec<_>>()).await;
        let bidders = readers(&app, &BIDDERS.iter().map(|b| b.0.to_string()).collect::<Vec<_>>()).await;
        for r in &all {
            sees_none(&app, r, id, project, &files, &first(None), "after the first opening").await;
        }
        for (i, r) in bidders.iter().enumerate().skip(1) {
            sees_none(&app, r, id, project, &files, &first(Some(i - 1)), "after the first opening").await;
            let text = everything(&app, r, id, project, &files).await.into_iter().filter(|(p, _, _)| p.contains("procurements/")).map(|(_, _, b)| b).collect::<String>();
            for (j, n) in bidder_names.iter().enumerate() {
                if j != i - 1 {
                    assert!(!text.contains(n.as_str()), "after the first opening {} learns that {n} takes part", r.name);
                }
            }
        }
        for r in committee.iter().skip(1) {
            let text = all_text(&app, r, id, project, &files).await;
            for b in &BIDDERS {
                assert!(text.contains(b.2), "the committee member {} reads the round's offers", r.name);
            }
        }

        // Final offers are sealed again: before their opening only their own bidder sees them.
        let lead = committee[1].token.clone().unwrap();
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/rounds"), &lead, Some(json!({"notes": "第一轮磋商：明确服务频次与督导安排"}))).await;
        let final_deadline = app.clock.now() + chrono::Duration::hours(4);
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/final-offers"), &lead, Some(json!({"deadline": final_deadline.to_rfc3339()}))).await;
        for (i, b) in BIDDERS.iter().enumerate() {
            let t = app.token(b.0).await;
            let r = app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &t, Some(bid(b.3))).await;
            receipts[i].push(r["receipt"].as_str().unwrap().to_string());
        }
        let last = |except: Option<usize>| prices(except, false, true);
        for r in all.iter().chain(committee.iter()) {
            sees_none(&app, r, id, project, &files, &last(None), "before the final opening").await;
        }
        for (i, r) in bidders.iter().enumerate().skip(1) {
            sees_none(&app, r, id, project, &files, &[first(Some(i - 1)), last(Some(i - 1))].concat(), "before the final opening").await;
        }

        // The final offers are opened: the committee and the purchaser read them, so do the bidders that took
        // part; the public, other providers, other departments and other regions still see no price.
        app.clock.set(final_deadline);
        let purchaser = app.token("jyj.purchaser").await;
        let p = app.ok(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &purchaser, Some(json!({"attendees": ["监督员"]}))).await;
        assert_eq!(p["final_opening"]["bids"].as_array().unwrap().len(), 3);
        assert!(p.to_string().contains(BIDDERS[0].3), "the purchaser reads the opened final offers");
        let outsiders: Vec<String> = ["mzj.purchaser", "mzj.reviewer", "p.xlx", "xjpg.evaluator", "lq.supervisor", "p.swxz"].iter().map(|s| s.to_string()).collect();
        for r in &readers(&app, &outsiders).await {
            sees_none(&app, r, id, project, &files, &prices(None, true, true), "after the final opening").await;
        }
        for (i, r) in readers(&app, &BIDDERS.iter().map(|b| b.0.to_string()).collect::<Vec<_>>()).await.iter().enumerate().skip(1) {
            sees_none(&app, r, id, project, &files, &first(Some(i - 1)), "after the final opening").await;
        }
    }

    async fn the_audit_log_tells_nobody_who_bid_until_the_opening(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = approved_project(&app, "留守儿童课后陪伴服务（审计）").await;
        let purchaser = app.token("jyj.purchaser").await;
        let docs = documents(json!({"kind": "lowest_price"}));
        let p = app.ok(Method::POST, &format!("/api/v1/projects/{project}/procurements"), &purchaser, Some(json!({"method": "request_for_quotation", "documents": docs}))).await;
        let id = p["id"].as_i64().unwrap();
        let start = app.clock.now();
        app.clock.set(start + chrono::Duration::days(35));
        let purchaser = app.token("jyj.purchaser").await;
        let deadline = shanzhi_domain::calendar::end_of_day(shanzhi_domain::calendar::china_date(start + chrono::Duration::days(64)));
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/publish"), &purchaser, Some(json!({"bid_deadline": deadline.to_rfc3339()}))).await;
        let since = app.call(Method::GET, "/api/v1/audit/head", None, None).await.1["seq"].as_i64().unwrap();
        let mut receipts = Vec::new();
        let mut tokens = Vec::new();
        for b in &BIDDERS {
            let t = app.token(b.0).await;
            app.ok(Method::POST, &format!("/api/v1/procurements/{id}/interest"), &t, None).await;
            let r = app.ok(Method::PUT, &format!("/api/v1/procurements/{id}/bid"), &t, Some(bid(b.2))).await;
            receipts.push(r["receipt"].as_str().unwrap().to_string());
            tokens.push(t);
        }
        let mut bidder_orgs = Vec::new();
        for b in &BIDDERS {
            bidder_orgs.push(app.store.organisation_by_key(b.1).await.unwrap().unwrap());
        }
        let mut everyone: Vec<String> = OTHERS.iter().map(|s| s.to_string()).collect();
        everyone.extend(BIDDERS.iter().map(|b| b.0.to_string()));
        let tokens_of = |rs: &Vec<Reader>| rs.iter().map(|r| (r.name.clone(), r.token.clone())).collect::<Vec<_>>();
        let all = tokens_of(&readers(&app, &everyone).await);

        // Before the opening, every reader — the public included — sees the chain, and nothing in it that says
        // a bid or an interest exists, who made it or how many there are.
        for (who, token) in &all {
            let events = chain(&app, token.as_deref()).await;
            verify_public(&events);
            for e in events.iter().filter(|e| e["seq"].as_i64().unwrap() > since) {
                assert!(!DEFERRED.contains(&e["action"].as_str().unwrap_or_default()), "{who} sees {e}");
                let text = e.to_string();
                for (i, r) in receipts.iter().enumerate() {
                    if *who != BIDDERS[i].0 {
                        assert!(!text.contains(r.as_str()) && !text.contains(bidder_orgs[i].name.as_str()), "{who} learns of a bid: {e}");
                    }
                }
            }
        }
        // Sign-ins name no user to readers outside the user's organisation: the public, the administrator and
        // the supervisors see that someone signed in, not who.
        for (who, token) in all.iter().filter(|(w, _)| ["anonymous", "admin", "supervisor", "lq.supervisor", "p.hx"].contains(&w.as_str())) {
            let events = chain(&app, token.as_deref()).await;
            let sign_ins: Vec<&Value> = events.iter().filter(|e| e["seq"].as_i64().unwrap() > since && e["action"] == "session.create").collect();
            assert!(!sign_ins.is_empty());
            for e in sign_ins {
                assert!(!e.to_string().contains("p.yg"), "{who} learns who signed in: {e}");
            }
        }
        let own = chain(&app, Some(&tokens[0])).await;
        assert!(own.iter().any(|e| e["action"] == "session.create" && e["payload"]["actor_name"] == "p.yg"), "a user sees its own sign-ins");

        // At the opening the bids enter the chain, each carrying the receipt its bidder was given.
        app.clock.set(deadline);
        let purchaser = app.token("jyj.purchaser").await;
        app.ok(Method::POST, &format!("/api/v1/procurements/{id}/opening"), &purchaser, Some(json!({"attendees": ["监督员"]}))).await;
        let district = app.token("supervisor").await;
        let events = chain(&app, Some(&district)).await;
        verify_public(&events);
        let bids: Vec<&Value> = events.iter().filter(|e| e["action"] == "bid.submit" && e["seq"].as_i64().unwrap() > since).collect();
        assert_eq!(bids.len(), 3, "one event per bid after the opening");
        for r in &receipts {
            assert!(bids.iter().any(|e| e["payload"]["after"]["receipt"] == r.as_str()), "receipt {r} is in the chain");
        }
        assert_eq!(events.iter().filter(|e| e["action"] == "procurement.interest" && e["seq"].as_i64().unwrap() > since).count(), 3);
        // The township supervisor sees that bids were made, not whose: the procurement is outside its township.
        let township = chain(&app, Some(&app.token("lq.supervisor").await)).await;
        let theirs: Vec<&Value> = township.iter().filter(|e| e["action"] == "bid.submit" && e["seq"].as_i64().unwrap() > since).collect();
        assert_eq!(theirs.len(), 3);
        assert!(theirs.iter().all(|e| e["payload"].is_null() && e["payload_hash"].is_string()), "{theirs:?}");
        // A bidder reads its own bid's record, and finds its receipt; not the others'.
        let mine = chain(&app, Some(&app.token("p.yg").await)).await;
        let text = serde_json::to_string(&mine).unwrap();
        assert!(text.contains(&receipts[0]) && !text.contains(&receipts[1]) && !text.contains(&receipts[2]));
        // The chain verifies from the public fields alone, and with the full content.
        let public = chain(&app, None).await;
        let head = app.call(Method::GET, "/api/v1/audit/head", None, None).await.1;
        assert_eq!(verify_public(&public), head["hash"].as_str().unwrap());
        assert!(public.iter().all(|e| e["payload"].is_null() || e["action"] == "notice.publish" || e["action"].as_str().unwrap().starts_with("catalogue.") || e["action"].as_str().unwrap().starts_with("region.") || e["action"].as_str().unwrap().starts_with("standard.")), "the public reads only public payloads");
        assert_eq!(app.verify_cli(None).0, 0);
    }
}
