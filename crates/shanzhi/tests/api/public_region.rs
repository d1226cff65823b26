//! A place's public page: contracts and payments within it by fund source, category and year, as the statistics
//! count them, without sign-in and without budgets.

use crate::both_backends;
use crate::helpers::*;
use reqwest::StatusCode;
use shanzhi_domain::statistics::Shown;
use shanzhi_web::i18n::Lang;

both_backends! {
    async fn a_region_page_shows_its_spending_as_the_statistics_count_it(backend) {
        let app = TestApp::with_demo(backend).await;
        for (path, year) in [("/regions/420506", None), ("/regions/420506?year=2014", Some(2014))] {
            let (status, html) = page(&app, path, "").await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let s = shanzhi_app::statistics::within(&app.application, year, Some("420506"), Shown::First(0)).await.unwrap();
            assert!(s.totals.contracted.fen() > 0, "{path}: the demo has contracts");
            let totals = html.split("id=\"region-totals\"").nth(1).unwrap().split("</dl>").next().unwrap();
            assert!(totals.contains(&Lang::Zh.money(s.totals.contracted)), "{path}: contracted {}", s.totals.contracted);
            assert!(totals.contains(&Lang::Zh.money(s.totals.paid)), "{path}: paid {}", s.totals.paid);
            for c in &s.by_category {
                assert!(html.contains(&c.name), "{path}: category {}", c.name);
            }
            for id in ["stack-title", "region-sources", "region-categories-title", "region-categories-table", "trend-title", "region-years"] {
                assert!(html.contains(&format!("id=\"{id}\"")), "{path}: {id} — each chart with its table");
            }
            assert!(!html.contains("预算金额") && !html.contains("预算指标") && !html.contains("可用余额"), "{path}: budgets are not public");
        }
        // A township under the district links back up; the district lists it.
        let (_, district) = page(&app, "/regions/420506", "").await;
        let child = district.split("id=\"region-children\"").nth(1).unwrap().split("href=\"/regions/").nth(1).unwrap().split('"').next().unwrap().to_string();
        let (status, township) = page(&app, &format!("/regions/{child}"), "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(township.contains("href=\"/regions/420506\""), "the township links its district");
    }

    async fn a_region_page_refuses_no_such_place_and_a_bad_year(backend) {
        let app = TestApp::with_demo(backend).await;
        assert_eq!(page(&app, "/regions/999999", "").await.0, StatusCode::NOT_FOUND);
        for bad in ["year=abc", "year=1800"] {
            assert_eq!(page(&app, &format!("/regions/420506?{bad}"), "").await.0, StatusCode::BAD_REQUEST, "{bad}");
        }
    }
}
