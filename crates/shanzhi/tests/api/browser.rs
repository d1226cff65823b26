//! In headless Chromium, as people use it: sign in and take one project through all six steps by the
//! people whose turn it is, through the pages alone.

use crate::helpers::*;
use crate::webdriver::Browser;

pub(crate) async fn sign_in(b: &Browser, base: &str, username: &str) {
    b.clear_cookies().await;
    b.goto(&format!("{base}/sign-in")).await;
    b.fill("#username", username).await;
    b.fill("#password", DEMO_PASSWORD).await;
    b.click_and_wait("main form button[type=submit]").await;
    let url = b.url().await;
    if url != format!("{base}/") {
        let page = b.source().await;
        let main = page.split("<main").nth(1).unwrap_or(&page).chars().take(1500).collect::<String>();
        panic!("{username} should land on the work queue, not {url}: {main}");
    }
}

/// Submits the page's (first) form and returns the page it lands on.
pub(crate) async fn submit(b: &Browser) -> String {
    // Past the design form's hidden default button and its template button.
    b.click_and_wait("main form button[type=submit]:not(.visually-hidden):not(#use-template)").await;
    b.url().await
}

async fn panel(b: &Browser, action: &str) {
    b.click_and_wait(&format!("form[action$='{action}'] button[type=submit]")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_project_through_six_steps_in_the_browser() {
    let Some(b) = Browser::start().await else { return };
    let app = TestApp::with_demo(shanzhi_store::Backend::Sqlite).await;
    let base = app.base.clone();

    // Design, with one wrong submission first: the error summary names the missing title.
    sign_in(&b, &base, "jyj.purchaser").await;
    b.goto(&format!("{base}/projects/new")).await;
    assert!(submit(&b).await.ends_with("/projects/new"));
    let summary = b.text(".error-summary").await;
    assert!(summary.contains("请填写项目名称"), "{summary}");
    b.fill("#title", "城区学校社会工作服务（浏览器测试）").await;
    b.set("#category", "A0201").await;
    b.click("input[name=regions][value='420506001']").await;
    b.click("input[name=target_groups][value=left_behind_children]").await;
    b.click("input[name=mode][value=project]").await;
    b.fill("#content", "为城区学校的留守儿童提供个案辅导和小组活动。").await;
    b.fill("#standards", "每名儿童每月至少一次面谈。").await;
    b.set("#period_start", "2026-04-01").await;
    b.set("#period_end", "2027-03-31").await;
    b.fill("#target_indicator_0", "服务儿童人数").await;
    b.set("#target_dimension_0", "quantity").await;
    b.fill("#target_value_0", "120").await;
    b.fill("#target_unit_0", "人").await;
    b.fill("#target_weight_0", "60").await;
    b.fill("#target_indicator_1", "家长满意度").await;
    b.set("#target_dimension_1", "satisfaction").await;
    b.fill("#target_value_1", "90").await;
    b.fill("#target_unit_1", "%").await;
    b.fill("#target_weight_1", "40").await;
    b.set("#target_rule_1", "reached").await;
    let url = submit(&b).await;
    let id: i64 = url
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("project page expected, got {url}"));
    let project = format!("{base}/projects/{id}");
    panel(&b, "/finish-design").await;

    // Cost estimate and submission.
    b.goto(&format!("{project}/cost-estimate")).await;
    b.set("#line_kind_0", "personnel").await;
    b.fill("#line_item_0", "驻校社工薪酬").await;
    b.fill("#line_qty_0", "2").await;
    b.fill("#line_unit_0", "人·年").await;
    b.fill("#line_price_0", "36000").await;
    assert_eq!(submit(&b).await, project);
    assert!(b.source().await.contains("72,000.00"));
    // Funding: the estimate is offered on the first row; the department's own general budget pays it.
    let jyj = app.org_id("jyj").await;
    let line = app
        .store
        .budgets()
        .await
        .unwrap()
        .into_iter()
        .find(|l| {
            l.budget.org_id == jyj
                && l.budget.year == 2026
                && l.budget.granted_from.is_none()
                && l.budget.source.code() == "general_budget"
        })
        .unwrap();
    b.goto(&format!("{project}/funding")).await;
    b.set("#fund_budget_0", &line.budget.id.to_string()).await;
    assert_eq!(submit(&b).await, project);
    assert!(b.source().await.contains("资金来源"));
    panel(&b, "/submit").await;

    // Review: civil affairs on content, finance on money.
    for reviewer in ["mzj.reviewer", "czj.reviewer"] {
        sign_in(&b, &base, reviewer).await;
        assert!(b.source().await.contains("城区学校社会工作服务"), "{reviewer}'s queue lists the project");
        b.goto(&project).await;
        b.click("input[name=decision][value=approve]").await;
        b.fill("#review_comment", "同意").await;
        panel(&b, "/review").await;
        assert_eq!(b.url().await, project);
    }

    // Procurement and contract.
    sign_in(&b, &base, "jyj.purchaser").await;
    b.goto(&format!("{project}/award")).await;
    b.set("#provider_org_id", &app.org_id("yg").await.to_string()).await;
    b.fill("#justification", "该机构长期在本区学校开展社会工作服务，经验丰富").await;
    submit(&b).await;
    assert!(b.source().await.contains("请勾选确认"), "choosing the provider asks for confirmation");
    b.click("#confirm").await;
    assert_eq!(submit(&b).await, project);
    b.goto(&format!("{project}/contract")).await;
    b.set("#start", "2026-04-01").await;
    b.set("#end", "2027-03-31").await;
    b.fill("#milestone_name_0", "中期").await;
    b.fill("#milestone_share_0", "50").await;
    b.set("#milestone_due_0", "2026-09-30").await;
    b.fill("#milestone_name_1", "终期").await;
    b.fill("#milestone_share_1", "50").await;
    b.set("#milestone_due_1", "2027-03-31").await;
    assert_eq!(submit(&b).await, project);

    // Acceptance, milestone by milestone, with an attached sign-in sheet.
    let evidence = temp_dir().join("签到表.pdf");
    std::fs::write(&evidence, b"%PDF-1.4 signatures").unwrap();
    // Each milestone is reported and paid on its date, once its service has been delivered.
    for (n, due) in [(0, "2026-09-30T09:00"), (1, "2027-03-31T09:00")] {
        app.clock.set(crate::procurement::at(due));
        sign_in(&b, &base, "p.yg").await;
        b.goto(&format!("{project}/milestones/{n}/report")).await;
        b.fill("#beneficiaries", "60").await;
        b.fill("#hours", "320").await;
        b.fill("#summary", "按计划完成本阶段服务").await;
        b.fill("#output_actual_0", "65").await;
        if n == 0 {
            b.fill("input[type=file]", &evidence.display().to_string()).await;
        }
        assert_eq!(submit(&b).await, project);
        sign_in(&b, &base, "jyj.purchaser").await;
        b.goto(&project).await;
        b.click("input[name=decision][value=accept]").await;
        panel(&b, &format!("/milestones/{n}/decision")).await;
    }

    let page = b.source().await;
    assert!(page.contains("已完成"), "the project is completed");
    assert!(page.contains("签到表.pdf"), "the evidence is listed");
    let png = b.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"));
    let _ = std::fs::write(std::env::temp_dir().join("shanzhi-browser-final.png"), png);
    // On a phone the statistics fit the screen in either language (an amount in full yuan once did not).
    sign_in(&b, &base, "czj.reviewer").await;
    for lang in ["en", "zh"] {
        b.goto(&format!("{base}/lang/{lang}?back=%2Fdashboard")).await;
        assert!(b.url().await.ends_with("/dashboard"), "{}", b.url().await);
        assert_eq!(
            b.overflowing(".card__value").await,
            0,
            "the {lang} statistics' figures fit their cards and the page"
        );
        assert_eq!(b.wrapped(".card__value").await, 0, "the {lang} statistics' figures each on one line");
    }
    let p = app.store.project(id).await.unwrap().unwrap();
    assert_eq!(p.status, shanzhi_domain::project::Status::Completed);
    let history = app.store.audit_for_object("project", &id.to_string()).await.unwrap();
    assert_eq!(
        history.len(),
        13,
        "create, finish design, estimate, funding, submit, 2 reviews, award, contract, 2 × (report, accept)"
    );
    b.quit().await;
}
