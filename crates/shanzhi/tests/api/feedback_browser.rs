//! In headless Chromium: someone without an account gives feedback on a project from its public page, the
//! department answers it from its list, and the published answer appears on the project's public page.

use crate::browser::{sign_in, submit};
use crate::feedback::public_project;
use crate::helpers::*;
use crate::webdriver::Browser;
use chrono::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_feedback_answered_and_published_in_the_browser() {
    let Some(b) = Browser::start().await else { return };
    let app = TestApp::with_demo(shanzhi_store::Backend::Sqlite).await;
    let base = app.base.clone();
    let (id, _) = public_project(&app).await;
    let public = format!("{base}/projects/{id}");
    let problem = "助餐点周三经常不开门，老人白跑一趟。";

    // From the public page to the form; sent at once, it is taken for a robot's and comes back to be sent again.
    b.goto(&public).await;
    b.click_and_wait(&format!("a[href='/projects/{id}/feedback']")).await;
    b.click("input[name=rating][value='2']").await;
    b.fill("#problem", problem).await;
    b.fill("#name", "赵大爷").await;
    b.fill("#phone", "13800001111").await;
    submit(&b).await;
    assert!(b.text(".error-summary").await.contains("自动程序"), "too quick: spam_suspected");
    app.clock.advance(Duration::seconds(3));
    assert!(submit(&b).await.ends_with(&format!("/projects/{id}/feedback")));
    let reference = b.text("#feedback-receipt strong").await;
    let fid: i64 = reference.trim().parse().unwrap_or_else(|_| panic!("a reference number: {reference}"));

    // The department finds it on its work queue and answers it from its list.
    sign_in(&b, &base, "mzj.purchaser").await;
    assert!(b.source().await.contains(&format!("#feedback-{fid}")), "on the work queue");
    b.goto(&format!("{base}/feedback?status=waiting")).await;
    let list = b.source().await;
    assert!(list.contains(problem) && list.contains("138****1111") && !list.contains("13800001111"), "masked contact");
    let summary = "已核实，助餐点周三起正常开放，并在门口公示开放时间。";
    b.fill(&format!("#summary_{fid}"), summary).await;
    b.click_and_wait(&format!("form[action='/feedback/{fid}/answer'] button[type=submit]")).await;
    assert!(b.url().await.contains("status=answered"), "{}", b.url().await);

    // Anyone reads the department's summary on the public page, and nothing the sender wrote or gave.
    // (The browser may reuse its copy of a public page for a minute, as it would a notice: a new address reads
    // the page as it is now.)
    b.clear_cookies().await;
    b.goto(&format!("{public}?after-answer")).await;
    let page = b.source().await;
    assert!(page.contains(summary), "the published answer");
    assert!(!page.contains(problem) && !page.contains("赵大爷") && !page.contains("13800001111"));
    b.quit().await;
}
