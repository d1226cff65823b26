//! The money rules through the pages: finance closes a fiscal year on the budgets page; a supplementary
//! contract is proposed, approved and signed through the project page; the project page says when the current
//! milestone may be reported and paid.

use crate::both_backends;
use crate::helpers::*;
use reqwest::StatusCode;

async fn post<F: serde::Serialize + ?Sized>(
    app: &TestApp,
    path: &str,
    cookie: &str,
    fields: &F,
) -> (StatusCode, String, String) {
    let resp =
        app.client.post(format!("{}{path}", app.base)).header("cookie", cookie).form(fields).send().await.unwrap();
    let location = resp.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (resp.status(), location, resp.text().await.unwrap())
}

/// Signs in by form; the cookie and a CSRF token from the page at `path`.
async fn at_page(app: &TestApp, username: &str, path: &str) -> (String, String, String) {
    let cookie = page_cookie(app, username).await;
    let (status, html) = page(app, path, &cookie).await;
    assert_eq!(status, StatusCode::OK, "{username} {path}: {html}");
    let csrf = csrf_of(&html);
    (cookie, csrf, html)
}

both_backends! {
    async fn money_pages_finance_closes_a_fiscal_year(backend) {
        let app = TestApp::with_demo(backend).await;
        // The demo closed the years before last; 2025 is still open and can be closed, 2026 cannot yet.
        let (cookie, csrf, html) = at_page(&app, "czj.reviewer", "/budgets").await;
        assert!(html.contains("财政年度") && html.contains("已关账"), "the years and their state");
        assert!(html.contains(r#"name="fiscal_year""#) && html.contains(r#"<option value="2025""#) && !html.contains(r#"<option value="2026""#));
        let (status, _, html) = post(&app, "/budgets/fiscal-years/close", &cookie, &[("_csrf", csrf.as_str()), ("fiscal_year", "2026"), ("confirm", "yes")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("2026 年度尚未结束"), "{html}");
        // Closing is final: without the confirmation it is refused, beside the box.
        let (status, _, html) = post(&app, "/budgets/fiscal-years/close", &cookie, &[("_csrf", csrf.as_str()), ("fiscal_year", "2025")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains(r##"href="#fiscal_year_confirm""##), "{html}");
        let (status, location, _) = post(&app, "/budgets/fiscal-years/close", &cookie, &[("_csrf", csrf.as_str()), ("fiscal_year", "2025"), ("confirm", "yes")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/budgets?year=2025#fiscal-years"));
        let (_, html) = page(&app, "/budgets?year=2025", &cookie).await;
        assert!(!html.contains(r#"<option value="2025""#), "2025 is no longer offered");
        // A department sees the years but cannot close one.
        let (cookie, csrf, html) = at_page(&app, "jyj.purchaser", "/budgets").await;
        assert!(html.contains("财政年度") && !html.contains(r#"name="fiscal_year""#));
        let (status, _, _) = post(&app, "/budgets/fiscal-years/close", &cookie, &[("_csrf", csrf.as_str()), ("fiscal_year", "2024")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    async fn the_budget_years_are_real_years_and_the_closed_ones_say_who_closed_them(backend) {
        let app = TestApp::with_demo(backend).await;
        let cookie = page_cookie(&app, "czj.reviewer").await;
        for year in ["2147483647", "-5", "abc", "1999"] {
            let (status, html) = page(&app, &format!("/budgets?year={year}"), &cookie).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{year}");
            assert!(html.contains("2000 至 2100"), "{year}: says which years");
        }
        let (status, html) = page(&app, "/budgets?year=2100", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"href="/budgets?year=2099""#) && !html.contains("/budgets?year=2101"), "no link past 2100");
        // The page narrows to a department and a fund source as the API does, and its year links keep them.
        let finance = app.token("czj.reviewer").await;
        let mzj = app.org_id("mzj").await;
        for query in ["year=2026&source=welfare_lottery", &format!("year=2026&org={mzj}"), "year=2026"] {
            let api = app.all(&format!("/api/v1/budgets?{query}"), Some(&finance)).await;
            let (status, html) = page(&app, &format!("/budgets?{query}"), &cookie).await;
            assert_eq!(status, StatusCode::OK, "{query}");
            assert_eq!(html.matches(r#"<td data-label="资金来源">"#).count(), api.len(), "{query}: the page's lines are the API's");
        }
        // A page at a time; the cards total every page, summed in the database.
        let all = app.all("/api/v1/budgets?year=2026", Some(&finance)).await;
        assert!(all.len() > 2, "{} lines", all.len());
        let (status, html) = page(&app, "/budgets?year=2026&limit=2", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(html.matches(r#"<td data-label="资金来源">"#).count(), 2);
        assert!(html.contains("/budgets?year=2026&amp;limit=2&amp;cursor="), "a next page");
        let fen = |v: &serde_json::Value| shanzhi_domain::Money::parse_yuan(v.as_str().unwrap()).unwrap();
        let available: shanzhi_domain::Money = all.iter().map(|b| fen(&b["balances"]["available"])).sum();
        let card = html.split("card__value").nth(1).unwrap();
        assert!(card.contains(&available.display_yuan()), "the available card totals every line ({available}): {card}");
        let (_, html) = page(&app, "/budgets?year=2026&source=welfare_lottery", &cookie).await;
        assert!(html.contains("/budgets?year=2025&amp;source=welfare_lottery") && html.contains(r#"<option value="welfare_lottery" selected>"#));
        let (status, _) = page(&app, "/budgets?year=2026&source=gold", &cookie).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // The years with lines, found by key, and each closed one with the name of whoever closed it.
        let years = app.ok(reqwest::Method::GET, "/api/v1/fiscal-years", &finance, None).await;
        let listed: Vec<i64> = years.as_array().unwrap().iter().map(|y| y["year"].as_i64().unwrap()).collect();
        let mut with_lines: Vec<i64> = app.store.budgets().await.unwrap().iter().map(|b| i64::from(b.budget.year)).collect();
        with_lines.sort_unstable();
        with_lines.dedup();
        assert!(with_lines.iter().all(|y| listed.contains(y)), "{listed:?} lacks one of {with_lines:?}");
        let closed: Vec<&serde_json::Value> = years.as_array().unwrap().iter().filter(|y| y["closed"] == true).collect();
        assert!(!closed.is_empty() && closed.iter().all(|y| y["closed_by"].as_str().is_some_and(|n| !n.is_empty())));
        // A registrant still waiting for verification reads nothing of the money.
        let waiting = app.token("p.swxz").await;
        app.refused(reqwest::Method::GET, "/api/v1/fiscal-years", &waiting, None, StatusCode::FORBIDDEN, "forbidden").await;
    }

    async fn money_pages_a_grant_from_the_lines_shown(backend) {
        let app = TestApp::with_demo(backend).await;
        let options = |html: &str| {
            let select = html.split(r#"<select id="from" name="from""#).nth(1).unwrap().split("</select>").next().unwrap().to_string();
            select.matches("<option value=\"").count() - 1
        };
        // Finance grants from the lines on the page it is looking at, a page at a time.
        let (cookie, csrf, html) = at_page(&app, "czj.reviewer", "/budgets?year=2026&limit=2").await;
        assert_eq!(options(&html), 2, "the two lines shown");
        assert!(html.contains("列出本页所列的预算"));
        let finance = app.token("czj.reviewer").await;
        let lines = app.all("/api/v1/budgets?year=2026&limit=2", Some(&finance)).await;
        let from = lines.iter().find(|l| l["balances"]["available"].as_str().is_some_and(|a| a != "0.00")).unwrap();
        let to = app.org_id("jyj").await.to_string();
        let fields = [("_csrf", csrf.as_str()), ("from", &from["id"].to_string()), ("to_org_id", to.as_str()), ("grant_amount", "1.00"), ("grant_note", "页面转拨测试")];
        let (status, location, body) = post(&app, "/budgets/grant", &cookie, &fields).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/budgets?year=2026"), "{body}");
        // Nothing chosen: said beside the fields, every one at once, not "not found".
        let empty = [("_csrf", csrf.as_str()), ("from", ""), ("to_org_id", ""), ("grant_amount", "abc"), ("grant_note", "")];
        let (status, _, body) = post(&app, "/budgets/grant", &cookie, &empty).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("请选择转出的预算") && body.contains("只能转拨给购买主体") && !body.contains("未找到"), "{body}");
        // A purchasing department grants from its own lines only.
        let (_, _, html) = at_page(&app, "jyj.purchaser", "/budgets?year=2026").await;
        let own = app.all("/api/v1/budgets?year=2026", Some(&app.token("jyj.purchaser").await)).await;
        let jyj = app.org_id("jyj").await;
        let mine = own.iter().filter(|l| l["org_id"] == jyj).count();
        assert!(mine > 0 && mine < own.len() + 1);
        assert_eq!(options(&html), mine);
    }

    async fn money_pages_a_supplementary_contract_through_the_project_page(backend) {
        let app = TestApp::with_demo(backend).await;
        let p = app.store.projects().await.unwrap().into_iter().find(|p| p.design.title.contains("暑期")).unwrap();
        let c = p.contract.as_ref().unwrap();
        let project = format!("/projects/{}", p.id);
        let (cookie, csrf, html) = at_page(&app, "fl.purchaser", &project).await;
        assert!(html.contains("milestone-timing") && html.contains("验收付款"), "when the milestone may be paid");
        assert!(html.contains(&format!("{project}/supplements/new")), "the purchaser may propose one");
        let (status, form) = page(&app, &format!("{project}/supplements/new"), &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(form.contains("fund_budget_0") && form.contains("补充金额"));
        let line = p.funding[0].budget_id.to_string();
        let over = c.amount.share_bp(1000) + shanzhi_domain::Money::from_fen(1);
        let due = c.milestones.last().unwrap().due.to_string();
        let fields = |amount: String| {
            vec![
                ("_csrf", csrf.clone()),
                ("amount", amount.clone()),
                ("reason", "暑期延长两周，增加安全巡查".to_string()),
                ("milestone_name", "补充服务验收".to_string()),
                ("due", due.clone()),
                ("fund_budget_0", line.clone()),
                ("fund_amount_0", amount),
            ]
        };
        let too_much = fields(over.yuan_string());
        let (status, _, html) = post(&app, &format!("{project}/supplements"), &cookie, &too_much).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("补充合同累计不得超过原合同金额的 10%") && html.contains(r##"href="#amount""##), "beside the field");
        let amount = c.amount.share_bp(500).yuan_string();
        let ok = fields(amount.clone());
        let (status, location, _) = post(&app, &format!("{project}/supplements"), &cookie, &ok).await;
        assert_eq!((status, location), (StatusCode::SEE_OTHER, format!("{project}#supplements")));
        // Finance reviews it on the project page; a return needs a comment.
        let (finance, fcsrf, html) = at_page(&app, "czj.reviewer", &project).await;
        assert!(html.contains("审核第1号补充合同") && html.contains("#supplements"));
        let review = format!("{project}/supplements/1/review");
        let (status, _, html) = post(&app, &review, &finance, &[("_csrf", fcsrf.as_str()), ("n", "1"), ("decision", "return")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains(r##"href="#supplement_comment""##), "{html}");
        let (status, _, _) = post(&app, &review, &finance, &[("_csrf", fcsrf.as_str()), ("n", "1"), ("decision", "approve")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // The purchaser signs it.
        let (_, html) = page(&app, &project, &cookie).await;
        assert!(html.contains("签订第1号补充合同"));
        let today = shanzhi_domain::clock::china_date(shanzhi_domain::clock::Clock::now(&app.clock)).to_string();
        let (status, _, _) = post(&app, &format!("{project}/supplements/1/sign"), &cookie, &[("_csrf", csrf.as_str()), ("n", "1"), ("supplement_signed_on", today.as_str())]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, html) = page(&app, &project, &cookie).await;
        assert!(html.contains("已签订") && html.contains("含补充合同") && html.contains("签订补充合同"), "listed, with the new total and its history");
        // The provider sees it too, but no forms.
        let (_, _, html) = at_page(&app, "p.qm", &project).await;
        assert!(html.contains("补充合同") && !html.contains("/supplements/new") && !html.contains("/supplements/1/sign"));
    }
}
