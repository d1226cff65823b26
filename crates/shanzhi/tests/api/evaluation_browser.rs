//! In headless Chromium: a project's evaluation from commissioning the evaluator, through the provider's
//! self-evaluation, the purchaser's and the third party's, to the grade published on the project's public page.

use crate::browser::{sign_in, submit};
use crate::helpers::*;
use crate::webdriver::Browser;
use reqwest::Method;

/// Fills the scoring form: each target reached, with its evidence, and the opinion.
async fn score_all(b: &Browser, targets: &[String], evidence: &str) {
    for (i, value) in targets.iter().enumerate() {
        b.fill(&format!("[name='score[{i}].achieved']"), value).await;
        b.fill(&format!("[name='score[{i}].evidence']"), evidence).await;
    }
    b.fill("#comment", "服务达到合同要求。").await;
    submit(b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evaluation_from_self_evaluation_to_a_published_grade_in_the_browser() {
    let Some(b) = Browser::start().await else { return };
    let app = TestApp::with_demo(shanzhi_store::Backend::Sqlite).await;
    let base = app.base.clone();
    // The disability federation's completed project not evaluated yet.
    let purchaser = app.token("cl.purchaser").await;
    let mut id = 0;
    for p in app.all("/api/v1/projects?step=completed", Some(&purchaser)).await {
        let v = app.ok(Method::GET, &format!("/api/v1/projects/{}/evaluations", p["id"]), &purchaser, None).await;
        if v["may_start"] == true {
            id = p["id"].as_i64().unwrap();
        }
    }
    let project = app.ok(Method::GET, &format!("/api/v1/projects/{id}"), &purchaser, None).await;
    let targets: Vec<String> = project["design"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap().to_string())
        .collect();
    let page = format!("{base}/projects/{id}");

    // The purchaser commissions the evaluator that did not evaluate this provider last time.
    sign_in(&b, &base, "cl.purchaser").await;
    b.goto(&page).await;
    let cxdpg = app.org_id("cxdpg").await;
    b.set("#evaluator_org_id", &cxdpg.to_string()).await;
    b.click_and_wait(&format!("form[action='/projects/{id}/evaluation'] button[type=submit]")).await;
    assert!(b.text("#evaluation").await.contains("宜昌诚信达绩效评估事务所"), "commissioned");

    // The provider finds its self-evaluation on its work queue; a blank opinion is refused and kept.
    sign_in(&b, &base, "p.kfxh").await;
    assert!(b.source().await.contains("提交绩效自评"), "on the provider's queue");
    b.goto(&format!("{page}/evaluation/part")).await;
    submit(&b).await;
    assert!(b.text(".error-summary").await.contains("请填写总体评价意见"));
    score_all(&b, &targets, "托养服务签到表与训练记录").await;
    assert!(b.url().await.ends_with(&format!("/projects/{id}#evaluation")), "back on the project's evaluation");
    assert!(b.text("#evaluation-parts").await.contains("承接主体自评"));

    sign_in(&b, &base, "cl.purchaser").await;
    b.goto(&format!("{page}/evaluation/part")).await;
    score_all(&b, &targets, "核查托养档案").await;

    // The evaluator's part fixes the grade.
    sign_in(&b, &base, "cxdpg.evaluator").await;
    assert!(b.source().await.contains("提交绩效评价"), "on the evaluator's queue");
    b.goto(&format!("{page}/evaluation/part")).await;
    score_all(&b, &targets, "抽查档案并入户回访").await;
    let section = b.text("#evaluation").await;
    assert!(section.contains("100.00") && section.contains("优"), "{section}");
    b.goto(&format!("{page}/evaluation/report")).await;
    assert!(b.source().await.contains("抽查档案并入户回访"), "the report has the evidence");

    // Anyone reads the grade on the public page, and none of the evidence.
    b.clear_cookies().await;
    b.goto(&format!("{page}?graded")).await;
    let public = b.text("#public-evaluation").await;
    assert!(public.contains("100.00") && public.contains("优"), "{public}");
    assert!(!b.source().await.contains("抽查档案并入户回访"));
    b.quit().await;
}
