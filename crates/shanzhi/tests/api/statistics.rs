//! Statistics: `report summary` and `report export` on the demo's 2013 figures, worked out by hand from
//! `demo/yiling.json`; the same object from the API; who may see it; the dashboard and its downloads.
//!
//! 2013 has three contracts, all of 民政局 and all completed, each paid half at its mid-term acceptance
//! (September 2013) and half in March 2014:
//!
//! | project | mode | regions | amount | funding |
//! |---|---|---|---|---|
//! | 社会工作岗位购买 | post | the district | 450,000 | employment 200,000 + general 250,000 |
//! | 农村留守儿童关爱 | project | 雾渡河 003, 分乡 004, 三斗坪 006, 下堡坪 011 | 480,000 | lottery 160,000 + social 30,000 + general 290,000 |
//! | 城乡居家养老上门 | project | 小溪塔 001, 龙泉 008, 鸦鹊岭 009 | 420,000 | lottery 140,000 + social 20,000 + general 260,000 |
//!
//! The post purchase buys 15 posts: 4 at 民政局, 3 at 教育局, 2 at 卫健局 (district-level hosts), and 2 each
//! at the stations of 小溪塔 (001), 龙泉 (008) and 雾渡河 (003).

use crate::both_backends;
use crate::cli::shanzhi;
use crate::helpers::*;
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const TOWNSHIPS: [(&str, &str); 12] = [
    ("420506001", "小溪塔街道"),
    ("420506002", "樟村坪镇"),
    ("420506003", "雾渡河镇"),
    ("420506004", "分乡镇"),
    ("420506005", "太平溪镇"),
    ("420506006", "三斗坪镇"),
    ("420506007", "乐天溪镇"),
    ("420506008", "龙泉镇"),
    ("420506009", "鸦鹊岭镇"),
    ("420506010", "黄花镇"),
    ("420506011", "下堡坪乡"),
    ("420506012", "邓村乡"),
];

/// The 2013 townships: the children's project's 480,000 in four parts of 120,000, the elderly-care
/// project's 420,000 in three of 140,000; posts where their host station is.
fn townships_2013() -> Value {
    let figures = |code: &str| match code {
        "420506001" | "420506008" => (1, 2, "140000.00"),
        "420506003" => (1, 2, "120000.00"),
        "420506004" | "420506006" | "420506011" => (1, 0, "120000.00"),
        "420506009" => (1, 0, "140000.00"),
        _ => (0, 0, "0.00"),
    };
    Value::Array(
        TOWNSHIPS
            .iter()
            .map(|(code, name)| {
                let (projects, posts, contracted) = figures(code);
                json!({"code": code, "name": name, "urban": *code == "420506001", "projects": projects,
                       "posts": posts, "contracted": contracted})
            })
            .collect(),
    )
}

fn summary_2013(app: &TestApp) -> Value {
    let (code, out, err) = shanzhi(app, &["report", "summary", "--year", "2013", "--json"], None);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn temp_file(name: &str) -> std::path::PathBuf {
    temp_dir().join(name)
}

async fn get_page(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    app.client.get(format!("{}{path}", app.base)).header("cookie", cookie).send().await.unwrap()
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        other => format!("{other:?}"),
    }
}

fn cell_number(c: &Data) -> f64 {
    match c {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("a number, not {other:?}"),
    }
}

/// A spreadsheet amount back as a yuan string with two decimals.
fn cell_yuan(c: &Data) -> String {
    match c {
        Data::Float(f) => format!("{f:.2}"),
        Data::Int(i) => format!("{i}.00"),
        other => panic!("an amount is a number, not {other:?}"),
    }
}

both_backends! {
    async fn summary_keeps_the_old_keys_and_adds_money_by_source_and_township(backend) {
        let app = TestApp::with_demo(backend).await;
        let v = summary_2013(&app);
        // The report's first keys, unchanged.
        assert_eq!(v["year"], 2013);
        assert_eq!(v["by_mode"], json!({"post": "450000.00", "project": "900000.00"}));
        assert_eq!(v["projects_by_step"]["completed"], 3);
        for step in ["design", "cost_estimate", "review", "procurement", "contract", "acceptance", "cancelled", "terminated"] {
            assert_eq!(v["projects_by_step"][step], 0, "{step}");
        }
        // general 250,000 + 290,000 + 260,000; lottery 160,000 + 140,000; employment 200,000; social 30,000 + 20,000.
        assert_eq!(v["by_fund_source"], json!({"general_budget": "800000.00", "welfare_lottery": "300000.00",
            "employment_fund": "200000.00", "social_funds": "50000.00", "other": "0.00"}));
        // Paid in 2013: each contract's first half, split over its lines as committed
        // (225,000 = 100,000 employment + 125,000 general; 240,000 = 80,000 + 15,000 + 145,000;
        // 210,000 = 70,000 + 10,000 + 130,000).
        assert_eq!(v["paid_by_fund_source"], json!({"general_budget": "400000.00", "welfare_lottery": "150000.00",
            "employment_fund": "100000.00", "social_funds": "25000.00", "other": "0.00"}));
        // 50,000 / 1,350,000 = 0.037037… → 0.0370.
        assert_eq!(v["social_funds_share"], "0.0370");
        assert_eq!(v["townships"], townships_2013());
        assert_eq!(v["totals"], json!({"contracts": 3, "posts": 15, "contracted": "1350000.00", "paid": "675000.00"}));
        assert_eq!(v["by_area"], json!({
            "urban": {"projects": 1, "posts": 2, "contracted": "140000.00"},
            "rural": {"projects": 2, "posts": 4, "contracted": "760000.00"},
            "district_wide": {"projects": 1, "posts": 9, "contracted": "450000.00"}
        }));
        assert_eq!(v["by_department"].as_array().unwrap().len(), 1, "民政局 alone contracted in 2013");
        assert_eq!(v["by_department"][0]["contracted"], "1350000.00");
        assert_eq!(v["by_department"][0]["paid"], "675000.00");
        let heads: Vec<&str> = v["by_category"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
        assert_eq!(heads, ["A"]);
        let groups: Vec<(&str, &str)> = v["by_category"][0]["groups"].as_array().unwrap().iter()
            .map(|g| (g["code"].as_str().unwrap(), g["contracted"].as_str().unwrap())).collect();
        assert_eq!(groups, [("A01", "420000.00"), ("A02", "480000.00"), ("A07", "450000.00")]);
        // The 2013 lottery line of 3,000,000: 10 % = 300,000 earmarked, all of it used by the two lottery-funded
        // social-work projects (children's and elderly services, A02 and A01): no warning.
        let e = &v["welfare_lottery_earmark"][0];
        assert_eq!((e["year"].clone(), e["allocated"].clone(), e["earmark"].clone()), (json!(2013), json!("3000000.00"), json!("300000.00")));
        assert_eq!((e["used"].clone(), e["outside_social_work"].clone()), (json!("300000.00"), json!("0.00")));
        assert!(e["warnings"].as_array().unwrap().is_empty());
        // The trend covers every year, whichever year is asked for; 2013 in it agrees.
        let t2013 = v["trend"].as_array().unwrap().iter().find(|t| t["year"] == 2013).unwrap();
        assert_eq!(t2013["contracted"], "1350000.00");
        assert_eq!(t2013["social_funds_share"], "0.0370");

        // The API answers the same object, with the count of departments, of townships and each year's of warnings
        // beside their first (here all of them).
        let supervisor = app.token("supervisor").await;
        let counted = |v: &Value| {
            let mut v = v.clone();
            // The report adds the red flags' counts, the evaluations' grades and the providers by kind, which the
            // statistics do not carry (nor all their readers read).
            for key in ["red_flags", "grades", "providers_by_kind"] {
                v.as_object_mut().unwrap().remove(key);
            }
            for (list, total) in [("by_department", "departments_total"), ("townships", "townships_total")] {
                let n = v[list].as_array().unwrap().len();
                v.as_object_mut().unwrap().insert(total.into(), json!(n));
            }
            for e in v["welfare_lottery_earmark"].as_array_mut().unwrap() {
                let n = e["warnings"].as_array().unwrap().len();
                e.as_object_mut().unwrap().insert("warnings_total".into(), json!(n));
            }
            v
        };
        assert_eq!(app.get("/api/v1/statistics?year=2013", &supervisor).await.1, counted(&v));
        let (code, out, err) = shanzhi(&app, &["report", "summary", "--json"], None);
        assert_eq!(code, 0, "{err}");
        let all: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(all["year"], Value::Null);
        assert!(!out.contains("warnings_total"), "the report lists every warning: {out}");
        assert_eq!(app.get("/api/v1/statistics", &supervisor).await.1, counted(&all));
    }

    async fn statistics_are_for_supervisors_finance_administrators_and_civil_affairs(backend) {
        let app = TestApp::with_demo(backend).await;
        // Civil affairs, the lead department, reads them too (of its seat's subtree: the district).
        for user in ["supervisor", "czj.reviewer", "admin", "lq.supervisor", "mzj.purchaser", "mzj.reviewer"] {
            let token = app.token(user).await;
            let (status, body) = app.get("/api/v1/statistics?year=2013", &token).await;
            assert_eq!(status, StatusCode::OK, "{user}: {body}");
        }
        for user in ["jyj.purchaser", "wsj.purchaser", "p.xlx", "xjpg.evaluator", "expert.xiang", "p.swxz"] {
            let token = app.token(user).await;
            app.refused(Method::GET, "/api/v1/statistics?year=2013", &token, None, StatusCode::FORBIDDEN, "forbidden").await;
        }
        let (status, _) = app.call(Method::GET, "/api/v1/statistics", None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // `?region=` narrows to a subtree: the whole platform's readers may ask for any, a township's supervisor for
        // its own township and nothing above it.
        let admin = app.token("admin").await;
        let lq = app.token("lq.supervisor").await;
        let township = app.get("/api/v1/statistics?year=2013", &lq).await.1;
        assert_eq!(app.get("/api/v1/statistics?year=2013&region=420506008", &admin).await.1, township);
        assert_eq!(app.get("/api/v1/statistics?year=2013&region=420506008", &lq).await.1, township);
        assert_ne!(app.get("/api/v1/statistics?year=2013&region=420506", &admin).await.1, township);
        app.refused(Method::GET, "/api/v1/statistics?year=2013&region=420506", &lq, None, StatusCode::FORBIDDEN, "forbidden").await;
        app.refused(Method::GET, "/api/v1/statistics?region=999", &admin, None, StatusCode::BAD_REQUEST, "unknown_region").await;
        let token = app.token("supervisor").await;
        for bad in ["abc", "13", "2013.5"] {
            let v = app.refused(Method::GET, &format!("/api/v1/statistics?year={bad}"), &token, None, StatusCode::BAD_REQUEST, "invalid_year").await;
            assert!(v["message_en"].as_str().unwrap().contains(bad), "{v}");
        }
    }

    async fn exports_carry_the_same_figures(backend) {
        let app = TestApp::with_demo(backend).await;
        let v = summary_2013(&app);
        let sources = ["general_budget", "welfare_lottery", "employment_fund", "social_funds", "other"];
        let labels = ["一般公共预算", "福彩公益金", "就业专项资金", "社会资金（公益慈善）", "其他资金"];

        let xlsx = temp_file("statistics-2013.xlsx");
        let (code, out, err) = shanzhi(&app, &["report", "export", "--year", "2013", "--format", "xlsx", "--out", xlsx.to_str().unwrap()], None);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("2013"), "{out}");
        let bytes = std::fs::read(&xlsx).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a readable workbook");
        let names = book.sheet_names();
        for sheet in ["概况", "各环节项目数", "按资金来源", "乡镇（街道）", "城乡分布", "按购买主体", "按服务类别", "按承接主体类型", "年度趋势", "福彩公益金社工专项", "福彩公益金使用预警"] {
            assert!(names.iter().any(|n| n == sheet), "sheet {sheet} in {names:?}");
        }
        let sheet = book.worksheet_range("按资金来源").unwrap();
        let rows: Vec<&[Data]> = sheet.rows().collect();
        assert_eq!(cell_text(&rows[0][0]), "资金来源");
        assert!(cell_text(&rows[0][1]).contains("元"), "amounts say they are yuan");
        for (i, (source, label)) in sources.iter().zip(labels).enumerate() {
            let row = rows[i + 1];
            assert_eq!(cell_text(&row[0]), label);
            assert_eq!(cell_yuan(&row[1]), v["by_fund_source"][source].as_str().unwrap(), "{source}");
            assert_eq!(cell_yuan(&row[3]), v["paid_by_fund_source"][source].as_str().unwrap(), "{source} paid");
        }
        assert_eq!(cell_number(&rows[4][2]), 0.037, "social funds' share as a number");
        let sheet = book.worksheet_range("乡镇（街道）").unwrap();
        let rows: Vec<&[Data]> = sheet.rows().skip(1).collect();
        assert_eq!(rows.len(), 12, "every township");
        for (row, t) in rows.iter().zip(v["townships"].as_array().unwrap()) {
            assert_eq!(cell_text(&row[0]), t["code"].as_str().unwrap());
            assert_eq!(cell_text(&row[1]), t["name"].as_str().unwrap());
            assert_eq!(cell_number(&row[3]), t["projects"].as_f64().unwrap());
            assert_eq!(cell_number(&row[4]), t["posts"].as_f64().unwrap());
            assert_eq!(cell_yuan(&row[5]), t["contracted"].as_str().unwrap());
        }
        let overview = book.worksheet_range("概况").unwrap();
        let row: Vec<&[Data]> = overview.rows().collect();
        assert_eq!(cell_number(&row[1][0]), 2013.0);
        assert_eq!(cell_yuan(&row[1][3]), v["totals"]["contracted"].as_str().unwrap());
        assert_eq!(cell_yuan(&row[1][4]), v["totals"]["paid"].as_str().unwrap());

        let csv = temp_file("statistics-2013.csv");
        let (code, _, err) = shanzhi(&app, &["report", "export", "--year", "2013", "--format", "csv", "--out", csv.to_str().unwrap()], None);
        assert_eq!(code, 0, "{err}");
        let text = String::from_utf8(std::fs::read(&csv).unwrap()).expect("UTF-8");
        assert!(text.starts_with('\u{feff}'), "a byte-order mark for Excel");
        assert!(text.starts_with("\u{feff}概况\r\n年度,"), "each table opens with its title");
        assert!(text.contains("\r\n\r\n按资金来源\r\n资金来源,合同金额（元）,占比,已支付金额（元）\r\n"), "a blank line between tables");
        for (source, label) in sources.iter().zip(labels) {
            let line = format!("\r\n{label},{},", v["by_fund_source"][source].as_str().unwrap());
            assert!(text.contains(&line), "{line:?}");
        }
        for t in v["townships"].as_array().unwrap() {
            let line = format!(
                "\r\n{},{},{},{},{},{}\r\n",
                t["code"].as_str().unwrap(),
                t["name"].as_str().unwrap(),
                if t["urban"] == true { "城镇" } else { "农村" },
                t["projects"],
                t["posts"],
                t["contracted"].as_str().unwrap()
            );
            assert!(text.contains(&line), "{line:?}");
        }
        assert!(text.contains(&format!("\r\n2013,3,15,1350000.00,675000.00,{}\r\n", v["social_funds_share"].as_str().unwrap())));
    }

    async fn export_names_the_wrong_flag(backend) {
        let app = TestApp::with_demo(backend).await;
        let out = temp_file("x.csv");
        let out = out.to_str().unwrap();
        let (code, _, err) = shanzhi(&app, &["report", "export", "--year", "2013", "--format", "pdf", "--out", out], None);
        assert_ne!(code, 0);
        assert!(err.contains("--format"), "{err}");
        let (code, _, err) = shanzhi(&app, &["report", "export", "--year", "abc", "--format", "csv", "--out", out], None);
        assert_ne!(code, 0);
        assert!(err.contains("--year"), "{err}");
        let (code, _, err) = shanzhi(&app, &["report", "summary", "--year", "abc", "--json"], None);
        assert_ne!(code, 0);
        assert!(err.contains("--year"), "{err}");
        let nowhere = temp_dir().join("no-such-folder").join("x.xlsx");
        let (code, _, err) = shanzhi(&app, &["report", "export", "--year", "2013", "--format", "xlsx", "--out", nowhere.to_str().unwrap()], None);
        assert_ne!(code, 0);
        assert!(err.contains("--out"), "{err}");
        assert!(!std::path::Path::new(out).exists(), "nothing was written");
    }

    async fn dashboard_draws_charts_for_those_who_may_see_it(backend) {
        let app = TestApp::with_demo(backend).await;
        let resp = app.client.get(format!("{}/dashboard", app.base)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "signed out: sign in first");
        assert!(resp.headers()[LOCATION].to_str().unwrap().starts_with("/sign-in?next="));

        let supervisor = page_cookie(&app, "supervisor").await;
        let resp = get_page(&app, "/dashboard", &supervisor).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let html = resp.text().await.unwrap();
        assert!(html.contains("<svg") && html.contains(r#"href="/dashboard""#), "charts and the nav link");
        let resp = get_page(&app, "/dashboard?year=2013", &supervisor).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let html = resp.text().await.unwrap();
        assert!(html.contains("<svg") && html.contains("<title") && html.contains("<desc"), "charts with text alternatives");
        assert!(html.contains("135.00万元"), "the year's total in 万元 on a card");
        assert!(html.contains("小溪塔街道") && html.contains("140,000.00 元") && html.contains("shade-5"), "shaded townships");
        assert!(html.contains("3.70%"), "the social funds' share");
        assert!(html.contains("/dashboard/export.xlsx?year=2013") && html.contains("/dashboard/export.csv?year=2013"));
        assert!(!html.contains("style="), "no inline styles under the CSP");

        let resp = get_page(&app, "/dashboard/export.xlsx?year=2013", &supervisor).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[CONTENT_TYPE], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert!(resp.headers()[CONTENT_DISPOSITION].to_str().unwrap().contains("shanzhi-statistics-2013.xlsx"));
        assert!(resp.bytes().await.unwrap().starts_with(b"PK"), "a zip container");
        let finance = page_cookie(&app, "czj.reviewer").await;
        let resp = get_page(&app, "/dashboard/export.csv?year=2013", &finance).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
        assert!(resp.headers()[CONTENT_DISPOSITION].to_str().unwrap().contains("shanzhi-statistics-2013.csv"));
        let zh = resp.text().await.unwrap();
        assert!(zh.contains("小溪塔街道") && zh.contains("签订合同数") && zh.contains("各环节项目数"), "{zh}");
        // In the reader's language: the headers and labels in English, the places' own names as they are.
        let resp = get_page(&app, "/dashboard/export.csv?year=2013", &format!("{finance}; sz_lang=en")).await;
        let en = resp.text().await.unwrap();
        assert!(en.contains("Projects by step") && en.contains("Contracted (yuan)") && en.contains("Acceptance"), "{en}");
        assert!(en.contains("小溪塔街道") && !en.contains("签订合同数") && !en.contains("城镇"), "{en}");
        assert_eq!(zh.lines().filter(|l| l.contains(',')).count(), en.lines().filter(|l| l.contains(',')).count(), "the same rows");
        let resp = get_page(&app, "/dashboard/export.xlsx?year=2013", &format!("{finance}; sz_lang=en")).await;
        assert_eq!(resp.status(), StatusCode::OK, "English worksheet names are valid ones");
        let resp = get_page(&app, "/dashboard?year=abc", &finance).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

        let purchaser = page_cookie(&app, "jyj.purchaser").await;
        for path in ["/dashboard", "/dashboard/export.csv", "/dashboard/export.xlsx?year=2013"] {
            let resp = get_page(&app, path, &purchaser).await;
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{path}");
        }
        let html = get_page(&app, "/", &purchaser).await.text().await.unwrap();
        assert!(!html.contains(r#"href="/dashboard""#), "no nav link for those who may not see it");
    }

    async fn a_townships_row_is_the_same_in_every_part_that_shows_it(backend) {
        let app = TestApp::with_demo(backend).await;
        let finance = app.token("czj.reviewer").await;
        let mut checked = 0;
        for year in [2023, 2025, 2026] {
            let whole = app.ok(Method::GET, &format!("/api/v1/statistics?year={year}"), &finance, None).await;
            for t in whole["townships"].as_array().unwrap().iter().filter(|t| t["posts"].as_u64().unwrap() > 0) {
                let code = t["code"].as_str().unwrap();
                let part = app.ok(Method::GET, &format!("/api/v1/statistics?year={year}&region={code}"), &finance, None).await;
                assert_eq!(part["townships"], serde_json::json!([t]), "{code} in {year}: posts hosted there by a district-wide contract count there too");
                checked += 1;
            }
        }
        assert!(checked > 2, "{checked} townships with posts");
    }

    async fn the_dashboard_narrows_to_a_chosen_place(backend) {
        let app = TestApp::with_demo(backend).await;
        let api = |region: &str| format!("/api/v1/statistics?year=2013&region={region}");
        let finance = page_cookie(&app, "czj.reviewer").await;
        let town = app.ok(Method::GET, &api("420506008"), &app.token("czj.reviewer").await, None).await;
        let whole = get_page(&app, "/dashboard?year=2013", &finance).await.text().await.unwrap();
        let resp = get_page(&app, "/dashboard?year=2013&region=420506008", &finance).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let html = resp.text().await.unwrap();
        assert_ne!(html, whole, "the region is not ignored");
        let contracted = shanzhi_domain::Money::parse_yuan(town["totals"]["contracted"].as_str().unwrap()).unwrap();
        assert!(contracted.fen() > 0, "the township has contracts in 2013");
        let wan = format!("{}元", contracted.display_wan());
        assert!(html.contains(&format!(r#"card__value">{wan}"#)), "the township's total {wan} on the card");
        assert!(html.contains("<title>龙泉镇 · 2013年统计"), "the place in the title");
        assert!(!html.contains("小溪塔街道"), "another township on the township's page");
        for link in [
            "/dashboard/export.csv?year=2013&amp;region=420506008",
            "/dashboard?year=2013&amp;region=420506008\"",
            "/dashboard?region=420506008\"",
        ] {
            assert!(html.contains(link), "{link} keeps the place");
        }
        let resp = get_page(&app, "/dashboard/export.csv?year=2013&region=420506008", &finance).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.headers()[CONTENT_DISPOSITION].to_str().unwrap().contains("shanzhi-statistics-2013-420506008.csv"));
        let csv = resp.text().await.unwrap();
        assert!(csv.contains("龙泉镇") && !csv.contains("小溪塔街道"), "the download is the township's");
        // The chooser's "everywhere" sends an empty region: the whole platform.
        let everywhere = get_page(&app, "/dashboard?year=2013&region=", &finance).await.text().await.unwrap();
        assert!(whole.contains(r#"card__value">135.00万元"#), "the platform's total");
        assert!(everywhere.contains(r#"card__value">135.00万元"#) && everywhere.contains("<title>2013年统计"));
        let resp = get_page(&app, "/dashboard?region=999999", &finance).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "an unknown place");

        // A township supervisor's chooser starts at the township: nothing above it is offered, and asking for
        // another township is refused.
        let lq = page_cookie(&app, "lq.supervisor").await;
        let html = get_page(&app, "/dashboard", &lq).await.text().await.unwrap();
        assert!(html.contains(r#"<option value="420506008" selected>"#), "the township chosen");
        assert!(!html.contains("↑"), "no way up from the township supervisor's own township");
        for path in ["/dashboard?region=420506001", "/dashboard/export.csv?region=420506", "/dashboard/warnings?region=420506"] {
            assert_eq!(get_page(&app, path, &lq).await.status(), StatusCode::FORBIDDEN, "{path}");
        }
    }
}
