//! A small fixed district whose figures are worked out by hand in the comments.
//!
//! District 420506 with townships 001 (urban), 002 (rural, village 002001 under it) and 003 (rural).
//! Budget lines: 1 = 2024 民政局 general; 2 = 2024 民政局 lottery, allocated 1,000,000, of which 100,000
//! granted to line 3 = 2024 镇政府 lottery; 4 = 2024 民政局 social funds; 5 = 2025 民政局 general;
//! 6 = 2025 民政局 lottery, allocated 500,000; 7 = 2023 民政局 other (a year with no contracts).
//!
//! | project | year | mode | category | regions | funding (line: yuan) | contract | provider |
//! |---|---|---|---|---|---|---|---|
//! | 1 | 2024 | post | A0701 | district | 1: 60,000; 2: 20,000 | 80,000 | social org |
//! | 2 | 2024 | project | A0101 | 001, village 002001, 003 | 2: 30,000; 4: 10,000; 1: 60,000 | 100,000 | enterprise |
//! | 3 | 2024 | project | B0101 | 002 and its village 002001 | 3: 50,000 | 50,000 | social org |
//! | 4 | 2025 | project | A0702 | district | 5: 40,000; 6: 10,000 | 50,000 | social org |
//! | 5 | 2024 | design, no contract |
//! | 6 | 2024 | cancelled, no contract |
//!
//! Project 1 buys posts: 2 hosted by the urban station (001), 1 by 民政局 (district), 3 by the station of 003.
//! Payments: line 1 30,000 and line 2 10,000 on 2024-09-01; line 2 15,000 on 2024-12-31; line 1 30,000 on
//! 2025-01-02; line 6 5,000 on 2025-06-01.

use super::*;
use crate::budget::FundSource::*;
use serde_json::{json, Value};

const D: &str = "420506";
const T1: &str = "420506001";
const T2: &str = "420506002";
const T3: &str = "420506003";
const V2: &str = "420506002001";

fn yuan(y: i64) -> Money {
    Money::from_yuan(y)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn region(code: &str, name: &str, level: RegionLevel, urban: bool) -> Region {
    let parent = if level == RegionLevel::District { None } else { Some(code[..code.len() - 3].to_string()) };
    Region { code: code.into(), name: name.into(), level, urban, parent }
}

fn regions() -> Vec<Region> {
    vec![
        region(D, "区", RegionLevel::District, true),
        region(T3, "丙乡", RegionLevel::Township, false),
        region(T1, "甲街道", RegionLevel::Township, true),
        region(T2, "乙镇", RegionLevel::Township, false),
        region(V2, "乙镇某村", RegionLevel::Village, false),
    ]
}

fn org(id: i64, name: &str, kind: &str, region: &str) -> Organisation {
    serde_json::from_value(json!({
        "id": id, "key": format!("o{id}"), "name": name, "kind": kind, "uscc": null, "resident_id_masked": null,
        "region": region, "parent_id": null, "class_one": false, "active": true, "contact": ""
    }))
    .unwrap()
}

fn organisations() -> Vec<Organisation> {
    vec![
        org(1, "民政局", "civil_affairs", D),
        org(2, "乙镇政府", "township_government", T2),
        org(3, "甲街道社工站", "township_station", T1),
        org(4, "丙乡社工站", "township_station", T3),
        org(10, "社工中心", "social_organisation", D),
        org(11, "家政公司", "enterprise", T1),
    ]
}

fn cat(code: &str, name: &str, parent: Option<&str>) -> Category {
    Category { code: code.into(), name: name.into(), parent: parent.map(Into::into), negative: false }
}

fn catalogue() -> Vec<Category> {
    vec![
        cat("A", "基本公共服务", None),
        cat("A01", "养老服务", Some("A")),
        cat("A0101", "居家养老", Some("A01")),
        cat("A07", "社会工作服务", Some("A")),
        cat("A0701", "社工岗位", Some("A07")),
        cat("A0702", "社工项目", Some("A07")),
        cat("B", "社会管理性服务", None),
        cat("B01", "社区治理", Some("B")),
        cat("B0101", "社区服务中心运营", Some("B01")),
    ]
}

fn budget(id: i64, year: i32, org_id: i64, source: FundSource, granted_from: Option<i64>) -> Budget {
    Budget { id, year, org_id, source, donor: None, granted_from, note: String::new() }
}

fn budgets() -> Vec<Budget> {
    vec![
        budget(1, 2024, 1, GeneralBudget, None),
        budget(2, 2024, 1, WelfareLottery, None),
        budget(3, 2024, 2, WelfareLottery, Some(2)),
        budget(4, 2024, 1, SocialFunds, None),
        budget(5, 2025, 1, GeneralBudget, None),
        budget(6, 2025, 1, WelfareLottery, None),
        budget(7, 2023, 1, Other, None),
    ]
}

fn mv(budget_id: i64, movement: Movement, y: i64, on: NaiveDate) -> LedgerMove {
    LedgerMove { budget_id, movement, amount: yuan(y), on, project_id: None }
}

fn ledger() -> Vec<LedgerMove> {
    use Movement::*;
    let jan = date(2024, 1, 10);
    vec![
        mv(1, Allocate, 400_000, jan),
        mv(2, Allocate, 1_000_000, jan),
        mv(2, GrantOut, 100_000, jan),
        mv(3, GrantIn, 100_000, jan),
        mv(4, Allocate, 50_000, jan),
        mv(5, Allocate, 300_000, date(2025, 1, 10)),
        mv(6, Allocate, 500_000, date(2025, 1, 10)),
        mv(7, Allocate, 1_000, date(2023, 2, 1)),
        mv(1, Pay, 30_000, date(2024, 9, 1)),
        mv(2, Pay, 10_000, date(2024, 9, 1)),
        mv(2, Pay, 15_000, date(2024, 12, 31)),
        mv(1, Pay, 30_000, date(2025, 1, 2)),
        mv(6, Pay, 5_000, date(2025, 6, 1)),
    ]
}

struct P {
    id: i64,
    purchaser: i64,
    status: &'static str,
    mode: &'static str,
    category: &'static str,
    regions: &'static [&'static str],
    posts: Value,
    /// (budget line, year, source, yuan)
    funding: &'static [(i64, i32, &'static str, i64)],
    /// (yuan, signed on, provider kind)
    contract: Option<(i64, NaiveDate, &'static str)>,
    created: &'static str,
}

fn project(p: P) -> Project {
    let funding: Vec<Value> = p
        .funding
        .iter()
        .map(|(b, y, s, a)| json!({"budget_id": b, "year": y, "source": s, "amount": yuan(*a)}))
        .collect();
    let contract = p.contract.map(|(amount, signed, kind)| {
        json!({
            "purchaser_org_id": p.purchaser,
            "provider": {"org_id": 10, "name": "承接方", "kind": kind, "active": true, "class_one": false},
            "amount": yuan(amount), "start": signed, "end": signed, "signed_on": signed,
            "milestones": [], "termination": null
        })
    });
    serde_json::from_value(json!({
        "id": p.id, "code": format!("P{}", p.id), "version": 1, "status": p.status,
        "purchaser_org_id": p.purchaser, "purchaser_name": "购买方", "designer_id": 1,
        "design": {
            "title": format!("项目{}", p.id), "category": p.category, "regions": p.regions,
            "target_groups": ["community_residents"], "mode": p.mode, "content": "内容", "standards": "标准",
            "period_start": "2024-01-01", "period_end": "2024-12-31", "continuing": false,
            "targets": [], "posts": p.posts
        },
        "cost_lines": [], "funding": funding, "reviews": [], "award": null, "contract": contract,
        "cancellation": null, "created_at": p.created, "updated_at": p.created
    }))
    .unwrap()
}

fn post(host: i64, count: u32) -> Value {
    json!({"host_org_id": host, "host_name": "设岗单位", "title": "社工岗", "count": count})
}

fn projects() -> Vec<Project> {
    let created = "2024-01-05T01:00:00Z";
    vec![
        project(P {
            id: 1,
            purchaser: 1,
            status: "completed",
            mode: "post",
            category: "A0701",
            regions: &[D],
            posts: json!([post(3, 2), post(1, 1), post(4, 3)]),
            funding: &[(1, 2024, "general_budget", 60_000), (2, 2024, "welfare_lottery", 20_000)],
            contract: Some((80_000, date(2024, 3, 1), "social_organisation")),
            created,
        }),
        project(P {
            id: 2,
            purchaser: 1,
            status: "acceptance",
            mode: "project",
            category: "A0101",
            regions: &[T1, V2, T3],
            posts: json!([]),
            funding: &[
                (2, 2024, "welfare_lottery", 30_000),
                (4, 2024, "social_funds", 10_000),
                (1, 2024, "general_budget", 60_000),
            ],
            contract: Some((100_000, date(2024, 4, 1), "enterprise")),
            created,
        }),
        project(P {
            id: 3,
            purchaser: 2,
            status: "acceptance",
            mode: "project",
            category: "B0101",
            regions: &[T2, V2],
            posts: json!([]),
            funding: &[(3, 2024, "welfare_lottery", 50_000)],
            contract: Some((50_000, date(2024, 6, 15), "social_organisation")),
            created,
        }),
        project(P {
            id: 4,
            purchaser: 1,
            status: "acceptance",
            mode: "project",
            category: "A0702",
            regions: &[D],
            posts: json!([]),
            funding: &[(5, 2025, "general_budget", 40_000), (6, 2025, "welfare_lottery", 10_000)],
            contract: Some((50_000, date(2025, 2, 1), "social_organisation")),
            created: "2025-01-05T01:00:00Z",
        }),
        project(P {
            id: 5,
            purchaser: 1,
            status: "design",
            mode: "project",
            category: "A0101",
            regions: &[T1],
            posts: json!([]),
            funding: &[],
            contract: None,
            created,
        }),
        project(P {
            id: 6,
            purchaser: 2,
            status: "cancelled",
            mode: "project",
            category: "B0101",
            regions: &[T2],
            posts: json!([]),
            funding: &[],
            contract: None,
            created,
        }),
    ]
}

struct Data {
    projects: Vec<Project>,
    budgets: Vec<Budget>,
    ledger: Vec<LedgerMove>,
    organisations: Vec<Organisation>,
    regions: Vec<Region>,
    catalogue: Vec<Category>,
    rules: Rules,
}

impl Data {
    fn new() -> Data {
        Data {
            projects: projects(),
            budgets: budgets(),
            ledger: ledger(),
            organisations: organisations(),
            regions: regions(),
            catalogue: catalogue(),
            rules: Rules::default(),
        }
    }
    fn summary(&self, year: Option<i32>) -> Statistics {
        let input = Input {
            projects: &self.projects,
            budgets: &self.budgets,
            ledger: &self.ledger,
            organisations: &self.organisations,
            regions: &self.regions,
            catalogue: &self.catalogue,
            rules: &self.rules,
        };
        summary(&input, year)
    }
}

fn sources(general: i64, lottery: i64, employment: i64, social: i64, other: i64) -> Value {
    json!({
        "general_budget": yuan(general), "welfare_lottery": yuan(lottery), "employment_fund": yuan(employment),
        "social_funds": yuan(social), "other": yuan(other)
    })
}

fn township(code: &str, name: &str, urban: bool, projects: u32, posts: u32, contracted: &str) -> Value {
    json!({"code": code, "name": name, "urban": urban, "projects": projects, "posts": posts, "contracted": contracted})
}

#[test]
fn shares_have_four_decimals_rounded_half_up() {
    assert_eq!(share(yuan(1), yuan(8)), "0.1250");
    assert_eq!(share(yuan(2), yuan(3)), "0.6667", "0.66666… rounds up");
    assert_eq!(share(yuan(1), yuan(3)), "0.3333", "0.33333… rounds down");
    assert_eq!(share(Money::from_fen(1), Money::from_fen(20_000)), "0.0001", "0.00005 is half: up");
    assert_eq!(share(Money::from_fen(1), Money::from_fen(20_001)), "0.0000");
    assert_eq!(share(yuan(5), yuan(5)), "1.0000");
    assert_eq!(share(Money::ZERO, Money::ZERO), "0.0000", "nothing contracted");
    assert_eq!(share(yuan(5), Money::ZERO), "0.0000");
}

#[test]
fn one_year_keeps_the_report_keys_and_adds_money_by_source() {
    let s = serde_json::to_value(Data::new().summary(Some(2024))).unwrap();
    assert_eq!(s["year"], 2024);
    // 2024 by contract: projects 1 (completed), 2 and 3 (acceptance); by creation: 5 (design), 6 (cancelled).
    assert_eq!(
        s["projects_by_step"],
        json!({"design": 1, "cost_estimate": 0, "review": 0, "procurement": 0, "contract": 0, "acceptance": 2,
               "completed": 1, "cancelled": 1, "terminated": 0})
    );
    // Posts: project 1 = 80,000; projects: 2 + 3 = 100,000 + 50,000.
    assert_eq!(s["by_mode"], json!({"post": "80000.00", "project": "150000.00"}));
    // general 60,000 (1) + 60,000 (2) = 120,000; lottery 20,000 + 30,000 + 50,000 = 100,000; social 10,000.
    assert_eq!(s["by_fund_source"], sources(120_000, 100_000, 0, 10_000, 0));
    // Paid in 2024: line 1 30,000 (general); line 2 10,000 + 15,000 (lottery). The 2025 payment is not here.
    assert_eq!(s["paid_by_fund_source"], sources(30_000, 25_000, 0, 0, 0));
    // 10,000 / 230,000 = 0.043478… → 0.0435.
    assert_eq!(s["social_funds_share"], "0.0435");
    assert_eq!(s["totals"], json!({"contracts": 3, "posts": 6, "contracted": "230000.00", "paid": "55000.00"}));
}

#[test]
fn townships_split_multi_township_projects_exactly() {
    let s = serde_json::to_value(Data::new().summary(Some(2024))).unwrap();
    // Project 2 (100,000) lies in 001, 002 (through its village) and 003: 33,333.34 + 33,333.33 + 33,333.33,
    // the odd fen to the first. Project 3 (50,000) names 002 and a village of 002: one township, all of it.
    // Project 1 is district-wide: in no township, but its posts are, by host: 2 in 001, 3 in 003.
    assert_eq!(
        s["townships"],
        json!([
            township(T1, "甲街道", true, 1, 2, "33333.34"),
            township(T2, "乙镇", false, 2, 0, "83333.33"),
            township(T3, "丙乡", false, 1, 3, "33333.33"),
        ])
    );
    // Urban 33,333.34; rural 83,333.33 + 33,333.33 = 116,666.66; district-wide 80,000 (project 1) with the
    // post hosted by 民政局. 33,333.34 + 116,666.66 + 80,000 = 230,000, the year's total.
    assert_eq!(
        s["by_area"],
        json!({
            "urban": {"projects": 1, "posts": 2, "contracted": "33333.34"},
            "rural": {"projects": 2, "posts": 3, "contracted": "116666.66"},
            "district_wide": {"projects": 1, "posts": 1, "contracted": "80000.00"}
        })
    );
}

#[test]
fn departments_categories_and_provider_kinds() {
    let s = serde_json::to_value(Data::new().summary(Some(2024))).unwrap();
    // 民政局: projects 1 and 2 = 180,000; its lines 1 and 2 paid 30,000 + 25,000. 乙镇政府: project 3.
    assert_eq!(
        s["by_department"],
        json!([
            {"org_id": 1, "name": "民政局", "projects": 2, "contracted": "180000.00", "paid": "55000.00"},
            {"org_id": 2, "name": "乙镇政府", "projects": 1, "contracted": "50000.00", "paid": "0.00"},
        ])
    );
    // A: A0701 (80,000) under A07 and A0101 (100,000) under A01; B: B0101 (50,000) under B01.
    assert_eq!(
        s["by_category"],
        json!([
            {"code": "A", "name": "基本公共服务", "projects": 2, "contracted": "180000.00", "groups": [
                {"code": "A01", "name": "养老服务", "projects": 1, "contracted": "100000.00"},
                {"code": "A07", "name": "社会工作服务", "projects": 1, "contracted": "80000.00"},
            ]},
            {"code": "B", "name": "社会管理性服务", "projects": 1, "contracted": "50000.00", "groups": [
                {"code": "B01", "name": "社区治理", "projects": 1, "contracted": "50000.00"},
            ]},
        ])
    );
    let kinds = s["by_provider_kind"].as_array().unwrap();
    assert_eq!(kinds.len(), 6, "every provider kind, also those with nothing");
    let kind = |k: &str| kinds.iter().find(|r| r["kind"] == k).unwrap().clone();
    // Social organisations: projects 1 and 3 = 130,000; the enterprise: project 2.
    assert_eq!(
        kind("social_organisation"),
        json!({"kind": "social_organisation", "name": "社会组织", "projects": 2, "contracted": "130000.00"})
    );
    assert_eq!(kind("enterprise")["contracted"], "100000.00");
    assert_eq!(kind("individual")["projects"], 0);
}

#[test]
fn welfare_lottery_earmark_and_warnings() {
    // Only the social-work head counts here, so elderly care (A0101) is outside it.
    let mut data = Data::new();
    data.rules.social_work_categories = vec!["A07".into()];
    let s = serde_json::to_value(data.summary(Some(2024))).unwrap();
    // 2024: line 2 was allocated 1,000,000 (its grant to line 3 is the same money) → earmark 10 % = 100,000.
    // Used: project 1 (A0701) 20,000. Outside social work: project 2 (A0101) 30,000, project 3 (B0101) 50,000
    // from the granted line 3.
    let row = &s["welfare_lottery_earmark"][0];
    assert_eq!(s["welfare_lottery_earmark"].as_array().unwrap().len(), 1);
    assert_eq!(row["year"], 2024);
    assert_eq!(row["allocated"], "1000000.00");
    assert_eq!(row["share_bp"], 1000);
    assert_eq!(row["earmark"], "100000.00");
    assert_eq!(row["used"], "20000.00");
    assert_eq!(row["remaining"], "80000.00");
    assert_eq!(row["outside_social_work"], "80000.00");
    let warned: Vec<(i64, &str)> = row["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["project_id"].as_i64().unwrap(), w["amount"].as_str().unwrap()))
        .collect();
    assert_eq!(warned, vec![(2, "30000.00"), (3, "50000.00")]);
    assert_eq!(row["warnings"][1]["purchaser"], "乙镇政府");

    // All years: 2024 as above; 2025: 500,000 → 50,000, project 4 (A0702) used 10,000, no warning.
    let all = data.summary(None);
    let years: Vec<i32> = all.welfare_lottery_earmark.iter().map(|r| r.year).collect();
    assert_eq!(years, vec![2024, 2025]);
    let r25 = &all.welfare_lottery_earmark[1];
    assert_eq!((r25.earmark, r25.used, r25.remaining), (yuan(50_000), yuan(10_000), yuan(40_000)));
    assert!(r25.warnings.is_empty());

    // A configured share of 15 % and a narrower social-work category.
    let mut data = Data::new();
    data.rules.welfare_lottery_social_work_bp = 1500;
    data.rules.social_work_categories = vec!["A0702".into()];
    let r = &data.summary(Some(2024)).welfare_lottery_earmark[0];
    assert_eq!(r.earmark, yuan(150_000));
    assert_eq!(r.used, Money::ZERO, "A0701 is not under A0702");
    assert_eq!(r.outside_social_work, yuan(100_000));
}

#[test]
fn a_lottery_row_counts_its_project_once_a_year_whatever_its_lines() {
    use sums::{contribution, Kind};
    // Two welfare-lottery lines of 2024 and one of 2025 pay one contract: a row for each year, each counting the
    // project once (a warning each), with its year's lottery money.
    let p = project(P {
        id: 9,
        purchaser: 1,
        status: "completed",
        mode: "project",
        category: "A0101",
        regions: &[T1],
        posts: json!([]),
        funding: &[
            (2, 2024, "welfare_lottery", 20_000),
            (3, 2024, "welfare_lottery", 5_000),
            (6, 2025, "welfare_lottery", 7_000),
            (1, 2024, "general_budget", 8_000),
        ],
        contract: Some((40_000, date(2024, 3, 1), "social_organisation")),
        created: "2024-01-05T01:00:00Z",
    });
    let rows: Vec<(i32, String, i64, Money)> = contribution(&p, &regions(), &BTreeMap::new())
        .into_iter()
        .filter(|r| r.kind == Kind::Lottery)
        .map(|r| (r.year, r.key, r.projects, r.amount))
        .collect();
    assert_eq!(rows, vec![(2024, "A0101".to_string(), 1, yuan(25_000)), (2025, "A0101".to_string(), 1, yuan(7_000))]);
}

#[test]
fn the_year_filter_and_all_years() {
    let data = Data::new();
    let s = serde_json::to_value(data.summary(Some(2025))).unwrap();
    // 2025: project 4 only, district-wide, 40,000 general + 10,000 lottery; paid line 1 30,000 (a 2024 line,
    // paid on 2 January 2025) and line 6 5,000.
    assert_eq!(s["by_mode"], json!({"post": "0.00", "project": "50000.00"}));
    assert_eq!(s["by_fund_source"], sources(40_000, 10_000, 0, 0, 0));
    assert_eq!(s["paid_by_fund_source"], sources(30_000, 5_000, 0, 0, 0));
    assert_eq!(s["social_funds_share"], "0.0000");
    assert!(s["townships"].as_array().unwrap().iter().all(|t| t["projects"] == 0 && t["contracted"] == "0.00"));
    assert_eq!(s["by_area"]["district_wide"], json!({"projects": 1, "posts": 0, "contracted": "50000.00"}));

    // All years: 230,000 + 50,000 = 280,000; social funds 10,000 / 280,000 = 0.035714… → 0.0357.
    let all = serde_json::to_value(data.summary(None)).unwrap();
    assert_eq!(all["year"], Value::Null);
    assert_eq!(all["by_fund_source"], sources(160_000, 110_000, 0, 10_000, 0));
    assert_eq!(all["paid_by_fund_source"], sources(60_000, 30_000, 0, 0, 0));
    assert_eq!(all["social_funds_share"], "0.0357");
    assert_eq!(all["projects_by_step"]["acceptance"], 3);
    assert_eq!(all["by_mode"], json!({"post": "80000.00", "project": "200000.00"}));
}

#[test]
fn a_year_with_nothing_contracted() {
    let s = Data::new().summary(Some(2023));
    assert_eq!(s.by_fund_source.total(), Money::ZERO);
    assert_eq!(s.social_funds_share, "0.0000");
    assert_eq!(s.townships.len(), 3, "every township is listed, also with nothing");
    assert_eq!(s.totals, Totals::default());
    assert!(s.by_department.is_empty() && s.by_category.is_empty());
    let e = &s.welfare_lottery_earmark[0];
    assert_eq!((e.year, e.allocated, e.earmark, e.used), (2023, Money::ZERO, Money::ZERO, Money::ZERO));
}

#[test]
fn the_trend_covers_every_year_whatever_the_filter() {
    let data = Data::new();
    let trend = serde_json::to_value(&data.summary(Some(2024)).trend).unwrap();
    // 2023 has only a budget line; 2024 and 2025 as above.
    assert_eq!(
        trend,
        json!([
            {"year": 2023, "contracts": 0, "contracted": "0.00", "social_funds": "0.00", "social_funds_share": "0.0000", "paid": "0.00"},
            {"year": 2024, "contracts": 3, "contracted": "230000.00", "social_funds": "10000.00", "social_funds_share": "0.0435", "paid": "55000.00"},
            {"year": 2025, "contracts": 1, "contracted": "50000.00", "social_funds": "0.00", "social_funds_share": "0.0000", "paid": "35000.00"},
        ])
    );
    assert_eq!(data.summary(None).trend, data.summary(Some(2023)).trend);
}

#[test]
fn contracts_split_over_their_funding_lines_as_committed() {
    // A contract below the estimate commits in proportion to the plan: 90,000 over 30,000 / 10,000 / 60,000.
    let mut data = Data::new();
    if let Some(c) = data.projects[1].contract.as_mut() {
        c.amount = yuan(90_000);
    }
    let s = data.summary(Some(2024));
    assert_eq!(s.by_fund_source.get(WelfareLottery), yuan(20_000 + 27_000 + 50_000));
    assert_eq!(s.by_fund_source.get(SocialFunds), yuan(9_000));
    assert_eq!(s.by_fund_source.get(GeneralBudget), yuan(60_000 + 54_000));
    assert_eq!(s.by_fund_source.total(), yuan(220_000));
    // Townships: 90,000 / 3 = 30,000 each.
    assert_eq!(s.townships[0].contracted, yuan(30_000));
    // A contract without a funding plan counts as other money, so the totals still agree with by_mode.
    data.projects[2].funding.clear();
    let s = data.summary(Some(2024));
    assert_eq!(s.by_fund_source.get(Other), yuan(50_000));
    assert_eq!(s.by_fund_source.total(), s.by_mode.post + s.by_mode.project);
}

#[test]
fn a_townships_statistics_are_the_districts_restricted_to_it() {
    let d = Data::new();
    let input = Input {
        projects: &d.projects,
        budgets: &d.budgets,
        ledger: &d.ledger,
        organisations: &d.organisations,
        regions: &d.regions,
        catalogue: &d.catalogue,
        rules: &d.rules,
    };
    let s = serde_json::to_value(summary_within(&input, Some(2024), T2)).unwrap();
    // 乙镇 (002) holds project 3 and, through its village, project 2: both whole contracts, 150,000.
    assert_eq!(s["totals"], json!({"contracts": 2, "posts": 0, "contracted": "150000.00", "paid": "0.00"}));
    // Its own row as the district's figures give it (project 2's third, and project 3); no other township.
    assert_eq!(s["townships"], json!([township(T2, "乙镇", false, 2, 0, "83333.33")]));
    // The payments of the fixture are 民政局's, for no project of 乙镇: none here. Its own line 3 is here.
    assert_eq!(s["paid_by_fund_source"], sources(0, 0, 0, 0, 0));
    let names: Vec<&str> = s["by_department"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["民政局", "乙镇政府"]);
    // The district's own root gives the district's figures.
    assert_eq!(
        serde_json::to_value(summary_within(&input, Some(2024), D)).unwrap(),
        serde_json::to_value(d.summary(Some(2024))).unwrap()
    );
    // A village's supervisor sees its township's row.
    let v = serde_json::to_value(summary_within(&input, Some(2024), V2)).unwrap();
    assert_eq!(v["townships"].as_array().unwrap().len(), 1);
    assert_eq!(v["townships"][0]["code"], T2);
}

/// The sums a store answers for the part within `root` (everything when `None`), summed here from the
/// fixture's records the way its SQL does: contribution rows of the projects with a region in the part (but the
/// township rows of every project: a township's figures are the whole platform's); ledger entries for those
/// projects, or for no project on lines of departments seated there; those lines' years.
fn sums_of(d: &Data, root: Option<&str>) -> sums::Sums {
    use sums::{contribution, Kind, LedgerSum, Line, Row};
    let within = |code: &str| root.is_none_or(|r| region_within(code, r));
    let projects: Vec<&Project> =
        d.projects.iter().filter(|p| root.is_none() || p.design.regions.iter().any(|c| within(c))).collect();
    let ids: BTreeSet<i64> = projects.iter().map(|p| p.id).collect();
    let seats: BTreeMap<i64, String> =
        d.organisations.iter().filter_map(|o| o.region.clone().map(|r| (o.id, r))).collect();
    let mut rows: BTreeMap<(Kind, i32, String), Row> = BTreeMap::new();
    let contributions = d.projects.iter().flat_map(|p| {
        let mine = ids.contains(&p.id);
        contribution(p, &d.regions, &seats).into_iter().filter(move |r| mine || r.kind == Kind::Township)
    });
    for r in contributions {
        let sum = rows.entry((r.kind, r.year, r.key.clone())).or_insert(Row {
            projects: 0,
            posts: 0,
            amount: Money::ZERO,
            ..r.clone()
        });
        (sum.projects, sum.posts, sum.amount) = (sum.projects + r.projects, sum.posts + r.posts, sum.amount + r.amount);
    }
    let own: BTreeSet<i64> = d
        .budgets
        .iter()
        .filter(|b| root.is_none() || seats.get(&b.org_id).is_some_and(|r| within(r)))
        .map(|b| b.id)
        .collect();
    let moves: Vec<&LedgerMove> = d
        .ledger
        .iter()
        .filter(|m| match m.project_id {
            Some(p) => ids.contains(&p),
            None => own.contains(&m.budget_id),
        })
        .collect();
    let used: BTreeSet<i64> = moves.iter().map(|m| m.budget_id).chain(own.iter().copied()).collect();
    let line = |id: i64| {
        let b = d.budgets.iter().find(|b| b.id == id).unwrap();
        Line { year: b.year, source: b.source, org_id: b.org_id, granted: b.granted_from.is_some() }
    };
    let mut ledger: BTreeMap<(Movement, i32, Line), Money> = BTreeMap::new();
    for m in moves.iter().filter(|m| matches!(m.movement, Movement::Pay | Movement::Allocate)) {
        let sum = ledger.entry((m.movement, m.on.year(), line(m.budget_id))).or_insert(Money::ZERO);
        *sum = *sum + m.amount;
    }
    let lines: Vec<Line> = used.iter().map(|id| line(*id)).collect();
    let mut warnings: Vec<(i32, EarmarkWarning)> = Vec::new();
    for p in projects.iter().filter(|p| !d.rules.is_social_work(&p.design.category)) {
        for (year, amount) in lottery_commitments(p) {
            match warnings.iter_mut().find(|(y, w)| *y == year && w.project_id == p.id) {
                Some((_, w)) => w.amount = w.amount + amount,
                None => warnings.push((
                    year,
                    EarmarkWarning {
                        project_id: p.id,
                        code: p.code.clone(),
                        title: p.design.title.clone(),
                        category: p.design.category.clone(),
                        purchaser: d.organisations.iter().find(|o| o.id == p.purchaser_org_id).unwrap().name.clone(),
                        amount,
                    },
                )),
            }
        }
    }
    sums::Sums {
        rows: rows.into_values().collect(),
        ledger: ledger
            .into_iter()
            .map(|((movement, year, line), amount)| LedgerSum { movement, year, line, amount })
            .collect(),
        line_years: lines.iter().map(|l| l.year).collect(),
        lottery_line_years: lines.iter().filter(|l| l.source == WelfareLottery && !l.granted).map(|l| l.year).collect(),
        warnings,
        warnings_total: None,
        departments: sums::Cut::default(),
        townships: sums::Cut::default(),
    }
}

#[test]
fn the_fold_of_summed_contributions_equals_the_computation_from_every_record() {
    let d = Data::new();
    let input = Input {
        projects: &d.projects,
        budgets: &d.budgets,
        ledger: &d.ledger,
        organisations: &d.organisations,
        regions: &d.regions,
        catalogue: &d.catalogue,
        rules: &d.rules,
    };
    let look = sums::Lookups { catalogue: &d.catalogue, rules: &d.rules };
    for root in [None, Some(D), Some(T1), Some(T2), Some(T3), Some(V2), Some("4205"), Some("420507")] {
        let mut sums = sums_of(&d, root);
        for year in [None, Some(2022), Some(2023), Some(2024), Some(2025)] {
            let want = match root {
                Some(root) => summary_within(&input, year, root),
                None => summary(&input, year),
            };
            // The departments and townships the store sums in SQL, given as the domain computes them.
            sums.departments = sums::Cut { items: want.by_department.clone(), total: None };
            sums.townships = sums::Cut { items: want.townships.clone(), total: None };
            assert_eq!(sums::fold(&sums, &look, year), want, "{root:?} {year:?}");
        }
    }
}

#[test]
fn a_save_that_changes_nothing_the_rows_depend_on_keeps_them_and_any_other_change_is_seen() {
    use sums::{contribution, same_contribution};
    let d = Data::new();
    let seats: BTreeMap<i64, String> =
        d.organisations.iter().filter_map(|o| o.region.clone().map(|r| (o.id, r))).collect();
    let rows = |p: &Project| contribution(p, &d.regions, &seats);
    let mut seen = BTreeSet::new();
    for p in d.projects.iter().filter(|p| p.contract.is_some()) {
        let mut touched = p.clone();
        touched.version += 1;
        touched.updated_at += chrono::Duration::days(30);
        assert!(same_contribution(p, &touched), "project {}", p.id);
        assert_eq!(rows(p), rows(&touched));

        let mut changes: Vec<(&str, Project)> = Vec::new();
        let mut moved = p.clone();
        moved.design.regions = vec![T2.to_string()];
        changes.push(("regions", moved));
        let mut dearer = p.clone();
        if let Some(c) = dearer.contract.as_mut() {
            c.amount = c.amount + yuan(1_000);
        }
        changes.push(("amount", dearer));
        let mut other = p.clone();
        other.design.category = "B0101".into();
        changes.push(("category", other));
        if !p.design.posts.is_empty() {
            let mut rehosted = p.clone();
            rehosted.design.posts[0].host_org_id = 4;
            changes.push(("posts", rehosted));
        }
        for (what, changed) in changes {
            // Seen whenever the rows with places differ (a change that moves nothing may pass either way).
            if rows(p) != rows(&changed) {
                assert!(!same_contribution(p, &changed), "project {} {what}", p.id);
                seen.insert(what);
            }
        }
    }
    assert_eq!(seen, BTreeSet::from(["amount", "category", "posts", "regions"]));
}
