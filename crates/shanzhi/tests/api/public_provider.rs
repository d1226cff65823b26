//! A provider's public page: its public projects and contracted amounts by year, a page at a time, without sign-in
//! and without anything personal.

use crate::both_backends;
use crate::helpers::*;
use reqwest::StatusCode;
use std::collections::BTreeSet;

/// The project ids a provider page's table links to.
fn project_links(html: &str) -> BTreeSet<i64> {
    let Some(table) = html.split("id=\"provider-projects\"").nth(1) else { return BTreeSet::new() };
    let table = table.split("</table>").next().unwrap();
    table.split("href=\"/projects/").skip(1).map(|s| s.split('"').next().unwrap().parse().unwrap()).collect()
}

both_backends! {
    async fn a_provider_page_lists_its_public_projects_by_year_without_personal_data(backend) {
        let app = TestApp::with_demo(backend).await;
        let id = app.org_id("xlx").await;
        let (status, html) = page(&app, &format!("/providers/{id}"), "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("宜昌市夷陵区心连心社会工作服务中心") && html.contains("52420506346465518T"));
        assert!(!html.contains("王晓静"), "the contact is not public");
        assert!(html.contains(&format!("href=\"/providers/{id}/feedback\"")), "the page leads to the feedback form");
        assert_eq!(page(&app, &format!("/providers/{id}/feedback"), "").await.0, StatusCode::OK);
        assert!(html.contains("id=\"provider-years-title\"") && html.contains("id=\"provider-years-table\""), "a chart and its table");
        // Every contract notice naming the provider is one of its projects; every project listed is public.
        let notices = app.all("/api/v1/notices?kind=contract", None).await;
        let contracted: BTreeSet<i64> = notices
            .iter()
            .filter(|n| n["body"]["provider"] == "宜昌市夷陵区心连心社会工作服务中心")
            .map(|n| n["project_id"].as_i64().unwrap())
            .collect();
        assert!(!contracted.is_empty());
        let listed = project_links(&html);
        assert!(listed.is_superset(&contracted), "{listed:?} ⊇ {contracted:?}");
        for p in &listed {
            let (status, _) = page(&app, &format!("/projects/{p}"), "").await;
            assert_eq!(status, StatusCode::OK, "project {p} is public");
        }
        // One project a page: the pages together list the same projects once each.
        let mut paged = Vec::new();
        let mut next = Some(format!("/providers/{id}?limit=1"));
        while let Some(path) = next {
            let (status, html) = page(&app, &path, "").await;
            assert_eq!(status, StatusCode::OK, "{path}");
            paged.extend(project_links(&html));
            next = html.split("id=\"next-page\" href=\"").nth(1).map(|s| s.split('"').next().unwrap().replace("&amp;", "&"));
        }
        assert_eq!(paged.len(), listed.len());
        assert_eq!(paged.into_iter().collect::<BTreeSet<_>>(), listed);
    }

    async fn only_providers_have_a_provider_page_and_an_individual_keeps_her_id_number(backend) {
        let app = TestApp::with_demo(backend).await;
        let person = app.org_id("grtxy").await;
        let (status, html) = page(&app, &format!("/providers/{person}"), "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("420506197608140462") && !html.contains("4205061976"), "no resident ID number, not even masked");
        assert!(!html.contains("统一社会信用代码"), "an individual has no credit code");
        let department = app.org_id("mzj").await;
        for path in [format!("/providers/{department}"), "/providers/999999".into(), "/providers/abc".into()] {
            let (status, _) = page(&app, &path, "").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
    }
}
