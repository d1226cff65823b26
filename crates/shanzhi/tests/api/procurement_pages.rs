//! Procurement through the pages: the public notices without sign-in, each role's procurement page in both
//! languages, sealed bids nobody else sees before the opening, forms that come back with their errors; and a
//! full open tender in headless Chromium, moving the test clock past each deadline.

use crate::both_backends;
use crate::browser::{sign_in, submit};
use crate::helpers::*;
use crate::procurement::{approved_project, at, usernames};
use crate::webdriver::Browser;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use shanzhi_store::ProcurementStore;

/// Posts a page form with this session's CSRF token; returns status, Location and body.
async fn post(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
    let (_, html) = crate::helpers::page(app, "/procurements", cookie).await;
    let csrf = csrf_of(&html);
    let mut form: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let resp =
        app.client.post(format!("{}{path}", app.base)).header("cookie", cookie).form(&form).send().await.unwrap();
    let status = resp.status();
    let location = resp.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, resp.text().await.unwrap())
}

/// Posts the bid form as browsers do (multipart, for its attachment), with an optional file.
async fn post_bid(
    app: &TestApp,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> (StatusCode, String, String) {
    let (_, html) = crate::helpers::page(app, "/procurements", cookie).await;
    let mut form = reqwest::multipart::Form::new().text("_csrf", csrf_of(&html));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()));
    }
    let resp =
        app.client.post(format!("{}{path}", app.base)).header("cookie", cookie).multipart(form).send().await.unwrap();
    let status = resp.status();
    let location = resp.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, resp.text().await.unwrap())
}

const BIDDERS: [(&str, &str, &str); 3] = [("p.yg", "yg", "76000"), ("p.hx", "hx", "72000"), ("p.qm", "qm", "80000")];

fn start_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("method", "open_tender"),
        ("requirements", "为辖区农村留守儿童提供课后陪伴与心理辅导服务，每周不少于两次"),
        ("qualifications", "依法登记的社会组织，具有两名以上持证社工"),
        ("scoring", "comprehensive"),
        ("price_weight", "30"),
        ("crit_name_0", "服务方案"),
        ("crit_weight_0", "50"),
        ("crit_name_1", "团队与经验"),
        ("crit_weight_1", "20"),
        ("sme_deduction", "10"),
        ("tie_rule", "服务方案得分高者优先；仍相同的抽签确定"),
    ]
}

both_backends! {
    async fn the_start_form_is_not_offered_while_a_procurement_runs(backend) {
        let app = TestApp::with_demo(backend).await;
        let at_procurement: Vec<i64> = app.store.projects().await.unwrap().iter()
            .filter(|p| p.status == shanzhi_domain::project::Status::Procurement).map(|p| p.id).collect();
        let running = app.store.procurements().await.unwrap().into_iter()
            .find(|q| q.stage != shanzhi_domain::procurement::Stage::Failed && at_procurement.contains(&q.project_id))
            .expect("a procurement under way in the demo");
        let purchaser = app.store.users().await.unwrap().into_iter()
            .find(|u| u.org_id == running.purchaser_org_id && u.username.ends_with(".purchaser")).unwrap();
        let cookie = page_cookie(&app, &purchaser.username).await;
        let (status, html) = page(&app, &format!("/projects/{}/procurement", running.project_id), &cookie).await;
        assert_eq!(status, StatusCode::CONFLICT, "{html}");
        assert!(html.contains("本项目已有正在进行的采购活动") && !html.contains(r#"name="method""#), "a refusal, not a form to fill in");
        assert!(html.contains(&format!(r#"href="/projects/{}""#, running.project_id)), "the way on is the project: {html}");
    }

    async fn procurement_pages_for_each_role_keep_bids_sealed(backend) {
        let app = TestApp::with_demo(backend).await;
        let project = approved_project(&app, "留守儿童课后陪伴服务（页面）").await;
        let purchaser = page_cookie(&app, "jyj.purchaser").await;
        let (status, html) = crate::helpers::page(&app, &format!("/projects/{project}"), &purchaser).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("/projects/{project}/procurement")), "the project page offers to start");
        assert!(html.contains(&format!("/projects/{project}/award")), "below the limit a direct purchase is offered too");

        // Bad input comes back with the message beside the field, not a 500.
        let mut bad = start_fields();
        bad.retain(|(k, _)| *k != "requirements");
        bad.push(("price_weight", "三十"));
        bad.retain(|(k, v)| !(*k == "price_weight" && *v == "30"));
        let (status, _, html) = post(&app, &format!("/projects/{project}/procurement"), &purchaser, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("error-summary") && html.contains("field--error") && html.contains("百分数"), "{html}");
        let (status, location, html) = post(&app, &format!("/projects/{project}/procurement"), &purchaser, &start_fields()).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
        let page = format!("/procurements/{id}");
        let act = |a: &str| format!("/procurements/{id}/do/{a}");

        let (_, html) = crate::helpers::page(&app, &page, &purchaser).await;
        assert!(html.contains("earliest-announcement") && html.contains("2026年4月1日"), "the earliest announcement day");
        let (_, html) = crate::helpers::page(&app, &format!("/projects/{project}"), &purchaser).await;
        assert!(!html.contains(&format!("/projects/{project}/award")), "no direct purchase while the procurement runs");
        // Publishing: a malformed time and a too-early one re-render with their messages.
        let (status, _, html) = post(&app, &act("publish"), &purchaser, &[("publish_bid_deadline", "soon")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("时间格式应为") && html.contains(r#"id="publish_bid_deadline-error""#), "{html}");
        let (status, _, html) = post(&app, &act("publish"), &purchaser, &[("publish_bid_deadline", "2026-04-28 09:30")]).await;
        assert_eq!(status, StatusCode::CONFLICT, "the intention period runs first");
        assert!(html.contains("error-summary"), "{html}");
        app.clock.set(at("2026-04-03T09:00"));
        // A month on, the session has expired: sign in again.
        let purchaser = page_cookie(&app, "jyj.purchaser").await;
        let (status, location, _) = post(&app, &act("publish"), &purchaser, &[("publish_bid_deadline", "2026-04-28 09:30")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, page.as_str()));

        let mut names = Vec::new();
        for (user, key, price) in BIDDERS {
            names.push(app.store.organisation_by_key(key).await.unwrap().unwrap().name);
            let c = page_cookie(&app, user).await;
            let (status, _, _) = post(&app, &act("interest"), &c, &[]).await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            let (status, _, html) = post_bid(&app, &format!("{page}/bid"), &c, &[("bid_price", "七万"), ("bid_proposal", "方案")], None).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(html.contains(r#"id="bid_price-error""#), "{html}");
            let file: &[u8] = b"%PDF-1.4 technical proposal";
            let (status, _, html) = post_bid(&app, &format!("{page}/bid"), &c, &[("bid_price", price), ("bid_proposal", "每周三次入户陪伴，配备两名持证社工")], Some(("技术方案.pdf", file))).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        }
        // Each bidder sees its own bid and receipt, never another's name or price, before the opening.
        let yg = page_cookie(&app, "p.yg").await;
        let (status, html) = crate::helpers::page(&app, &page, &yg).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("76,000.00") && html.contains("回执"), "own bid shown");
        // Its attachment is sealed at rest and downloadable by its bidder only.
        let link_at = html.find("/bid-files/").expect("own attachment listed");
        let link: String = html[link_at..].chars().take_while(|c| *c != '"').collect();
        let resp = app.client.get(format!("{}/procurements/{id}{link}", app.base)).header("cookie", &yg).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.bytes().await.unwrap().as_ref(), b"%PDF-1.4 technical proposal");
        for user in ["p.hx", "jyj.purchaser", "admin"] {
            let (status, _) = crate::helpers::page(&app, &format!("/procurements/{id}{link}"), &page_cookie(&app, user).await).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user} reads a sealed attachment");
        }
        let sealed: Vec<String> = sqlx::query("SELECT sealed FROM bid_files").fetch_all(app.store.pool()).await.unwrap().iter().map(|r| sqlx::Row::get(r, 0)).collect();
        assert!(!sealed.is_empty() && sealed.iter().all(|t| !t.contains("PDF") && t.starts_with("v1:")));
        assert!(!html.contains("72,000") && !html.contains("80,000"), "another bidder's price leaked");
        assert!(!html.contains(names[1].as_str()) && !html.contains(names[2].as_str()), "another bidder's name leaked");
        // The purchaser and everyone else on the record: no name, no price, no opening, no count.
        for user in ["jyj.purchaser", "czj.reviewer", "supervisor", "admin"] {
            let c = page_cookie(&app, user).await;
            for lang in ["zh", "en"] {
                let c = format!("{c}; sz_lang={lang}");
                let (status, html) = crate::helpers::page(&app, &page, &c).await;
                assert_eq!(status, StatusCode::OK, "{user} {lang}");
                assert!(names.iter().all(|n| !html.contains(n.as_str())), "{user} sees a bidder");
                assert!(!html.contains("76,000") && !html.contains("72,000") && !html.contains("80,000"), "{user} sees a price");
                assert!(!html.contains("开标记录") && !html.contains("Bid opening<") && !html.contains("投标文件</h2>"), "{user} sees the opening");
                let (status, _) = crate::helpers::page(&app, "/procurements", &c).await;
                assert_eq!(status, StatusCode::OK);
            }
        }
        let (_, html) = crate::helpers::page(&app, &page, &format!("{purchaser}; sz_lang=en")).await;
        assert!(html.contains("Open the bids") && html.contains("Clarify or amend"), "English forms");
        let (_, html) = crate::helpers::page(&app, &page, &purchaser).await;
        assert!(html.contains("开标") && html.contains("澄清或修改采购文件"), "Chinese forms");

        // The public: notices without signing in, and nothing about bids or people.
        let (status, html) = crate::helpers::page(&app, "/notices", "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("招标公告") && html.contains("采购意向"), "{html}");
        let (status, html) = crate::helpers::page(&app, "/notices?kind=announcement", "sz_lang=en").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("采购意向</a>") && !html.contains("Purchase intention: "), "filtered by kind");
        // In English a notice is titled by its kind and its project, not by the Chinese format's suffix.
        let (_, html) = crate::helpers::page(&app, "/notices", "sz_lang=en").await;
        assert!(html.contains("Purchase intention: ") && !html.contains("采购意向</a>"), "{html}");
        let intention = app.store.notices().await.unwrap().into_iter().find(|n| n.notice.kind.code() == "intention").unwrap();
        let (_, html) = crate::helpers::page(&app, &format!("/notices/{}", intention.id), "sz_lang=en").await;
        let body = intention.notice.body.value();
        let project = body["title"].as_str().unwrap();
        assert!(html.contains(&format!("<h1 class=\"page-title\">Purchase intention: {project}</h1>")), "{html}");
        let notices = app.store.notices().await.unwrap();
        for n in notices.iter().filter(|n| n.notice.procurement_id == Some(id)) {
            let (status, html) = crate::helpers::page(&app, &format!("/notices/{}", n.id), "").await;
            assert_eq!(status, StatusCode::OK);
            assert!(names.iter().all(|name| !html.contains(name.as_str())), "a bidder on a public notice");
            assert!(!html.contains("76,000") && !html.contains("72,000") && !html.contains("receipt"), "a bid on a public notice");
        }
        let (status, _) = crate::helpers::page(&app, "/procurements", "").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "procurement pages need sign-in");

        // Overdue list: for supervisors, admins and finance; refused to providers.
        for user in ["supervisor", "admin", "czj.reviewer"] {
            let (status, _) = crate::helpers::page(&app, "/overdue", &page_cookie(&app, user).await).await;
            assert_eq!(status, StatusCode::OK, "{user}");
        }
        let (status, _) = crate::helpers::page(&app, "/overdue", &yg).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // An expert not on a committee sees nothing of it.
        let (status, _) = crate::helpers::page(&app, &page, &page_cookie(&app, "expert.xiang").await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // An unknown action is "not found", not a crash.
        let (status, _, _) = post(&app, &act("explode"), &purchaser, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // After the deadline: open, then draw the committee with the purchaser's own representative; someone else's
        // staff is refused beside the field.
        app.clock.set(at("2026-04-28T09:30"));
        let purchaser = page_cookie(&app, "jyj.purchaser").await;
        let (status, _, html) = post(&app, &act("open"), &purchaser, &[("open_attendees", "区财政局监督员")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let users = app.store.users().await.unwrap();
        let own = users.iter().find(|u| u.username == "jyj.purchaser").unwrap();
        let other = users.iter().find(|u| u.username == "mzj.purchaser").unwrap();
        let (status, _, html) = post(&app, &act("draw_committee"), &purchaser, &[("draw_committee_representatives", &other.id.to_string())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("采购人代表须为采购单位的工作人员"), "{html}");
        let (status, _, html) = post(&app, &act("draw_committee"), &purchaser, &[("draw_committee_representatives", &own.id.to_string())]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let p = app.store.procurement(id).await.unwrap().unwrap();
        let c = p.committee.unwrap();
        assert_eq!((c.members.len(), c.members.iter().filter(|m| !m.expert).count()), (5, 1));
        let (_, html) = crate::helpers::page(&app, &page, &purchaser).await;
        assert!(html.contains(own.display_name.as_str()), "the representative sits on the committee");

        // An expert declares, scores, and finds the scores in the form when coming back to change them.
        let expert = users.iter().find(|u| u.id == c.members.iter().find(|m| m.expert).unwrap().user_id).unwrap();
        let ec = page_cookie(&app, &expert.username).await;
        let (status, _, html) = post(&app, &act("declare"), &ec, &[("declare_no_conflict", "true")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let bids: Vec<i64> = p.opening.unwrap().bids.iter().map(|b| b.bid_id).collect();
        let mut marks: Vec<(String, String)> = Vec::new();
        for (i, b) in bids.iter().enumerate() {
            marks.push((format!("marks_{b}_c1"), format!("8{i}.5")));
            marks.push((format!("marks_{b}_c2"), "77".to_string()));
        }
        let fields: Vec<(&str, &str)> = marks.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, _, html) = post(&app, &act("marks"), &ec, &fields).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let (_, html) = crate::helpers::page(&app, &page, &ec).await;
        assert!(html.contains(r#"value="81.5""#) && html.contains(r#"value="77""#), "earlier marks pre-filled");
    }
}

/// Clicks the submit button of the form posting to `action` and returns where it lands.
async fn act(b: &Browser, action: &str) -> String {
    b.click_and_wait(&format!("form[action$='{action}'] button[type=submit]")).await;
    b.url().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_tender_through_the_pages_in_the_browser() {
    let Some(b) = Browser::start().await else { return };
    let app = TestApp::with_demo(shanzhi_store::Backend::Sqlite).await;
    let base = app.base.clone();
    let project = approved_project(&app, "留守儿童课后陪伴服务（浏览器采购）").await;

    // The purchaser starts an open tender from the project page and publishes after the intention period.
    sign_in(&b, &base, "jyj.purchaser").await;
    b.goto(&format!("{base}/projects/{project}")).await;
    b.click_and_wait(&format!("a[href='/projects/{project}/procurement']")).await;
    b.set("#method", "open_tender").await;
    b.fill("#requirements", "为辖区农村留守儿童提供课后陪伴与心理辅导服务，每周不少于两次").await;
    b.fill("#qualifications", "依法登记的社会组织，具有两名以上持证社工").await;
    b.set("#scoring", "comprehensive").await;
    b.fill("#price_weight", "30").await;
    b.fill("#crit_name_0", "服务方案").await;
    b.fill("#crit_weight_0", "50").await;
    b.fill("#crit_name_1", "团队与经验").await;
    b.fill("#crit_weight_1", "20").await;
    b.fill("#tie_rule", "服务方案得分高者优先；仍相同的抽签确定").await;
    let url = submit(&b).await;
    let id: i64 = url
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("procurement page expected, got {url}"));
    let page = format!("{base}/procurements/{id}");
    app.clock.set(at("2026-04-03T09:00"));
    sign_in(&b, &base, "jyj.purchaser").await;
    b.goto(&page).await;
    b.fill("#publish_bid_deadline", "2026-04-28 09:30").await;
    assert_eq!(act(&b, "/do/publish").await, page);
    assert!(b.source().await.contains("接收投标"), "bidding");

    // Three providers bid through the pages.
    for (user, _, price) in BIDDERS {
        sign_in(&b, &base, user).await;
        b.goto(&page).await;
        act(&b, "/do/interest").await;
        b.fill("#bid_price", price).await;
        b.fill("#bid_proposal", "每周三次入户陪伴，配备两名持证社工与一名心理咨询师").await;
        assert!(act(&b, "/bid").await.starts_with(&page));
        assert!(b.text("#my-bid + dl").await.contains("回执"));
    }

    // Past the deadline the purchaser opens and draws the committee.
    app.clock.set(at("2026-04-28T09:30"));
    sign_in(&b, &base, "jyj.purchaser").await;
    b.goto(&page).await;
    b.fill("#open_attendees", "区财政局监督员\n投标人代表三名").await;
    assert_eq!(act(&b, "/do/open").await, page);
    assert!(b.text(".opening").await.contains("72,000.00"), "the read-out after the opening");
    assert_eq!(act(&b, "/do/draw_committee").await, page);
    let p = app.store.procurement(id).await.unwrap().unwrap();
    let members: Vec<i64> = p.committee.as_ref().unwrap().members.iter().map(|m| m.user_id).collect();
    assert_eq!(members.len(), 5);
    let names = usernames(&app).await;
    let bids: Vec<i64> = p.opening.as_ref().unwrap().bids.iter().map(|b| b.bid_id).collect();

    // Each expert declares, then sees the bids and marks them; the first also reviews compliance and reports.
    app.clock.set(at("2026-04-28T14:00"));
    for (i, m) in members.iter().enumerate() {
        sign_in(&b, &base, &names[m]).await;
        b.goto(&page).await;
        assert!(!b.source().await.contains("投标文件</h2>"), "no bids before declaring");
        b.click("input[name=declare_no_conflict][value=true]").await;
        assert_eq!(act(&b, "/do/declare").await, page);
        assert!(b.source().await.contains("投标文件</h2>"), "bids after declaring");
        if i == 0 {
            for bid in &bids {
                b.set("#compliance_bid_id", &bid.to_string()).await;
                b.click("input[name=compliance_qualified][value=true]").await;
                assert_eq!(act(&b, "/do/compliance").await, page);
            }
        }
        for bid in &bids {
            b.fill(&format!("#marks_{bid}_c1"), "80").await;
            b.fill(&format!("#marks_{bid}_c2"), "90").await;
        }
        assert_eq!(act(&b, "/do/marks").await, page);
    }
    sign_in(&b, &base, &names[&members[0]]).await;
    b.goto(&page).await;
    assert_eq!(act(&b, "/do/report").await, page);
    assert!(b.text("#outcome").await.contains("88.00"), "scores to two decimals");

    // The purchaser confirms the winner.
    sign_in(&b, &base, "jyj.purchaser").await;
    assert!(b.source().await.contains("确定中标（成交）人"), "the duty is on the work queue");
    b.goto(&page).await;
    // Confirming the winner cannot be undone: without ticking the confirmation nothing happens.
    act(&b, "/do/award").await;
    assert!(b.source().await.contains("请勾选确认"), "the confirmation is asked for");
    assert!(app.store.procurement(id).await.unwrap().unwrap().award.is_none());
    b.click("#award_confirm").await;
    assert_eq!(act(&b, "/do/award").await, page);
    assert!(b.text("#award").await.contains("72,000.00"));

    // The public result notice: winner, price and committee.
    b.clear_cookies().await;
    b.goto(&format!("{base}/notices?kind=result")).await;
    b.click_and_wait("#notices a").await;
    let notice = b.text("#notice-body").await;
    let winner = app.store.organisation_by_key("hx").await.unwrap().unwrap().name;
    assert!(notice.contains(&winner) && notice.contains("72,000.00") && notice.contains("88.00"), "{notice}");
    for m in &p.committee.as_ref().unwrap().members {
        assert!(notice.contains(m.name.as_str()), "committee member {} on the notice: {notice}", m.name);
    }

    // A losing provider sees its own score and rank.
    sign_in(&b, &base, "p.yg").await;
    b.goto(&page).await;
    let mine = b.text("#my-result").await;
    assert!(mine.contains("86.42") && mine.contains("我的排名\n2"), "30 × 72000 / 76000 + 58 = 86.42, second: {mine}");
    let png = b.screenshot().await;
    let _ = std::fs::write(std::env::temp_dir().join("shanzhi-browser-procurement.png"), png);
    b.quit().await;
}
