//! How fast a contracting process's releases compile: one realistic record of a district buying home care for the
//! elderly (planning with two fund sources, tender, a correction, award, contract, a supplementary contract, and
//! twelve monthly milestones with their payments over four quarterly releases), compiled over and over.
//!
//! The compiled release is measured as the server makes it, as JSON bytes (a compiler kept between records, a new
//! buffer for each response); building it as a `serde_json::Value` instead is measured too, for comparison.
//!
//! `cargo bench -p shanzhi-ocds --bench merge` prints the rates; `bench/ocds-merge.sh` also runs ocdsmerge (Python)
//! on the same releases, which this writes to `$OCDS_MERGE_BENCH_DIR` (default `target/tmp/ocds-merge`) together
//! with the compiled release (as the compiler wrote it) and the versioned release, so the results can be compared.
//! `OCDS_MERGE_SECONDS` (default 3) is how long each measurement runs.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use std::{env, fs};

use serde_json::{json, Value};
use shanzhi_ocds::Merger;

/// The server's allocator (crates/shanzhi/src/main.rs), so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const OCID: &str = "ocds-yl2013-420506-2025-0007";
const YUAN_A_MONTH: u64 = 116_000;

fn main() {
    let seconds: f64 = env::var("OCDS_MERGE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let dir = env::var_os("OCDS_MERGE_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ocds-merge"));

    let releases = record();
    let merger = Merger::ocds_1_1();
    let mut compiler = merger.compiler();
    let mut compiled = Vec::new();
    compiler.write_json(&releases, &mut compiled).expect("the record compiles");
    let value = merger.compile(&releases).expect("the record compiles");
    assert_eq!(compiled, serde_json::to_vec(&value).expect("JSON"), "the compiler writes the compiled release");
    let versioned = merger.versioned(&releases).expect("the record merges");
    let sizes: Vec<usize> = releases.iter().map(|r| r.to_string().len()).collect();
    fs::create_dir_all(&dir).expect("the output folder");
    fs::write(dir.join("releases.json"), serde_json::to_string(&releases).expect("JSON")).expect("releases.json");
    fs::write(dir.join("compiled.json"), &compiled).expect("compiled.json");
    fs::write(dir.join("versioned.json"), serde_json::to_string(&versioned).expect("JSON")).expect("versioned.json");

    println!(
        "record: {} releases, {} bytes each on average ({}–{}), compiled release {} bytes; written to {}",
        releases.len(),
        sizes.iter().sum::<usize>() / sizes.len(),
        sizes.iter().min().unwrap_or(&0),
        sizes.iter().max().unwrap_or(&0),
        compiled.len(),
        dir.display()
    );
    let (compiles, rate) = measure(seconds, || {
        let mut json = Vec::new();
        compiler.write_json(black_box(&releases), &mut json).map(|()| json)
    });
    println!("rust compile to JSON:  {compiles} compiles in {seconds} s, {rate:.0}/s, {:.1} µs each", 1e6 / rate);
    println!("rust_compiles_per_second={rate:.0}");
    let (compiles, rate) = measure(seconds, || merger.compile(black_box(&releases)));
    println!("rust compile to Value: {compiles} compiles in {seconds} s, {rate:.0}/s, {:.1} µs each", 1e6 / rate);
    let (merges, rate) = measure(seconds, || merger.versioned(black_box(&releases)));
    println!("rust versioned:        {merges} merges in {seconds} s, {rate:.0}/s, {:.1} µs each", 1e6 / rate);
    println!("rust_versioned_per_second={rate:.0}");
}

/// Runs `f` for `seconds` (after a short warm-up) and returns the count and the rate per second.
fn measure<T>(seconds: f64, mut f: impl FnMut() -> T) -> (u64, f64) {
    let batch = |f: &mut dyn FnMut() -> T| {
        for _ in 0..64 {
            black_box(f());
        }
    };
    let warm_up = Instant::now();
    while warm_up.elapsed() < Duration::from_millis(200) {
        batch(&mut f);
    }
    let start = Instant::now();
    let mut count = 0;
    while start.elapsed().as_secs_f64() < seconds {
        batch(&mut f);
        count += 64;
    }
    (count, count as f64 / start.elapsed().as_secs_f64())
}

fn release(n: u32, date: &str, tags: &[&str], mut fields: Value) -> Value {
    let object = fields.as_object_mut().expect("fields are an object");
    object.insert("ocid".into(), OCID.into());
    object.insert("id".into(), format!("{OCID}-{n:02}").into());
    object.insert("date".into(), date.into());
    object.insert("tag".into(), json!(tags));
    object.insert("initiationType".into(), "tender".into());
    object.insert("language".into(), "zh".into());
    fields
}

fn yuan(amount: u64) -> Value {
    json!({"amount": amount, "currency": "CNY"})
}

struct Org {
    id: &'static str,
    name: &'static str,
    uscc: &'static str,
    street: &'static str,
    contact: &'static str,
    phone: &'static str,
}

const CIVIL_AFFAIRS: Org = Org {
    id: "CN-USCC-11420506011234567K",
    name: "宜昌市夷陵区民政局",
    uscc: "11420506011234567K",
    street: "宜昌市夷陵区东湖大道52号",
    contact: "王建华",
    phone: "0717-7822301",
};
const FINANCE: Org = Org {
    id: "CN-USCC-11420506011234589D",
    name: "宜昌市夷陵区财政局",
    uscc: "11420506011234589D",
    street: "宜昌市夷陵区夷兴大道118号",
    contact: "李敏",
    phone: "0717-7822415",
};
const AGENCY: Org = Org {
    id: "CN-USCC-91420500MA48XK2P3Q",
    name: "湖北正信工程招标代理有限公司",
    uscc: "91420500MA48XK2P3Q",
    street: "宜昌市西陵区沿江大道166号",
    contact: "陈晓",
    phone: "0717-6253318",
};
const WINNER: Org = Org {
    id: "CN-USCC-52420506MJH123456T",
    name: "宜昌市夷陵区心连心社会工作服务中心",
    uscc: "52420506MJH123456T",
    street: "宜昌市夷陵区小溪塔街道平湖路8号",
    contact: "张慧",
    phone: "0717-7267810",
};
const SECOND: Org = Org {
    id: "CN-USCC-91420506MA4F2R7Y1B",
    name: "宜昌市夕阳红养老服务有限公司",
    uscc: "91420506MA4F2R7Y1B",
    street: "宜昌市夷陵区东城大道21号",
    contact: "刘洋",
    phone: "0717-7250093",
};
const THIRD: Org = Org {
    id: "CN-USCC-52420506MJH654321X",
    name: "宜昌市夷陵区康乐居家养老服务中心",
    uscc: "52420506MJH654321X",
    street: "宜昌市夷陵区龙泉镇龙泉大道3号",
    contact: "赵强",
    phone: "0717-7481126",
};

impl Org {
    fn reference(&self) -> Value {
        json!({"id": self.id, "name": self.name})
    }

    fn party(&self, roles: &[&str]) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "identifier": {"scheme": "CN-USCC", "id": self.uscc, "legalName": self.name},
            "address": {
                "streetAddress": self.street, "locality": "夷陵区", "region": "湖北省宜昌市",
                "postalCode": "443100", "countryName": "中国"
            },
            "contactPoint": {
                "name": self.contact, "telephone": self.phone,
                "email": format!("contact@{}.example.cn", self.uscc[..8].to_lowercase())
            },
            "roles": roles
        })
    }
}

fn parties(stage: u32) -> Value {
    let mut parties = vec![CIVIL_AFFAIRS.party(&["buyer", "payer", "funder"]), FINANCE.party(&["funder"])];
    if stage >= 2 {
        parties.push(AGENCY.party(&["procuringEntity"]));
    }
    if stage >= 4 {
        parties.push(WINNER.party(&["tenderer", "supplier", "payee"]));
        parties.push(SECOND.party(&["tenderer"]));
        parties.push(THIRD.party(&["tenderer"]));
    }
    Value::Array(parties)
}

fn document(id: &str, kind: &str, title: &str, date: &str) -> Value {
    json!({
        "id": id, "documentType": kind, "title": title, "datePublished": date, "format": "text/html", "language": "zh",
        "url": format!("https://ggzy.yiling.example.cn/notice/{OCID}/{id}.html")
    })
}

fn budget(general: u64, lottery: u64) -> Value {
    json!({
        "id": "YL-MZ-2025-07",
        "description": "2025年度居家养老上门服务项目资金（一般公共预算与福彩公益金）",
        "amount": yuan(general + lottery),
        "project": "夷陵区居家养老上门服务",
        "projectID": "YL-MZ-2025-07",
        "budgetBreakdown": [
            {"id": "1", "description": "一般公共预算", "amount": yuan(general), "sourceParty": FINANCE.reference(),
             "period": {"startDate": "2025-01-01T00:00:00+08:00", "endDate": "2026-12-31T23:59:59+08:00"}},
            {"id": "2", "description": "福彩公益金", "amount": yuan(lottery), "sourceParty": CIVIL_AFFAIRS.reference(),
             "period": {"startDate": "2025-01-01T00:00:00+08:00", "endDate": "2025-12-31T23:59:59+08:00"}}
        ]
    })
}

fn items() -> Value {
    let item = |id: &str, description: &str, code: &str, quantity: u64, unit: &str, price: u64| {
        json!({
            "id": id, "description": description,
            "classification": {"scheme": "CPV", "id": code, "description": "老年人福利服务"},
            "quantity": quantity, "unit": {"name": unit, "value": yuan(price)}
        })
    };
    json!([
        item("1", "生活照料上门服务（助洁、助浴、助行）", "85311100", 24_000, "人次", 35),
        item("2", "助餐配送服务", "85311100", 36_000, "份", 12),
        item("3", "健康管理巡访服务", "85311100", 6_000, "人次", 20),
    ])
}

const TITLE: &str = "夷陵区2025年度居家养老上门服务项目";

/// Month `m` (1–12) of the service year May 2025 – April 2026, as year and month.
fn month(m: u32) -> (u32, u32) {
    if m <= 8 {
        (2025, m + 4)
    } else {
        (2026, m - 8)
    }
}

fn milestone(m: u32, accepted_through: u32) -> Value {
    let (year, mon) = month(m);
    let mut milestone = json!({
        "id": format!("M{m:02}"),
        "title": format!("{year}年{mon}月居家养老服务验收"),
        "type": "delivery",
        "description": format!("{year}年{mon}月服务报告（服务人次、满意度回访）经购买主体验收后支付当月服务费"),
        "dueDate": format!("{year}-{mon:02}-28T17:00:00+08:00"),
        "status": if m <= accepted_through { "met" } else { "scheduled" }
    });
    if m <= accepted_through {
        milestone["dateMet"] = json!(format!("{year}-{mon:02}-28T16:30:00+08:00"));
    }
    milestone
}

fn transaction(m: u32, monthly: u64) -> Value {
    let (year, mon) = month(m);
    let (pay_year, pay_mon) = if mon == 12 { (year + 1, 1) } else { (year, mon + 1) };
    json!({
        "id": format!("T{m:02}"),
        "source": format!("https://czzf.yiling.example.cn/payment/{OCID}/T{m:02}"),
        "date": format!("{pay_year}-{pay_mon:02}-08T10:00:00+08:00"),
        "value": yuan(monthly),
        "payer": CIVIL_AFFAIRS.reference(),
        "payee": WINNER.reference(),
        "uri": format!("https://czzf.yiling.example.cn/voucher/2025-{m:04}")
    })
}

/// When each quarter's report was published, with the implementation release of that quarter.
const QUARTERS: [&str; 4] = [
    "2025-08-10T10:00:00+08:00",
    "2025-11-10T10:00:00+08:00",
    "2026-02-10T10:00:00+08:00",
    "2026-05-15T10:00:00+08:00",
];

/// The contract's implementation as a quarterly release republishes it after `quarters` quarters: every milestone,
/// with those accepted so far met, every payment so far, and every quarterly report so far.
fn implementation(quarters: usize, monthly: impl Fn(u32) -> u64) -> Value {
    let accepted_through = 3 * quarters as u32;
    let report = |(q, date): (usize, &&str)| {
        let title = format!("{TITLE}第{}季度服务报告及验收意见", q + 1);
        document(&format!("report-Q{}", q + 1), "physicalProgressReport", &title, date)
    };
    json!({
        "milestones": (1..=12).map(|m| milestone(m, accepted_through)).collect::<Vec<_>>(),
        "transactions": (1..=accepted_through).map(|m| transaction(m, monthly(m))).collect::<Vec<_>>(),
        "documents": QUARTERS[..quarters].iter().enumerate().map(report).collect::<Vec<_>>()
    })
}

/// The record: eleven releases from planning to the end of the contract.
fn record() -> Vec<Value> {
    // After the supplementary contract (month 6 on) the monthly fee rises by 5,000 yuan.
    let monthly = |m: u32| if m >= 6 { YUAN_A_MONTH + 5_000 } else { YUAN_A_MONTH };
    let tender_period = |end: &str| json!({"startDate": "2025-03-03T09:00:00+08:00", "endDate": end});
    let service_period = json!({"startDate": "2025-05-01T00:00:00+08:00", "endDate": "2026-04-30T23:59:59+08:00"});
    vec![
        release(
            1,
            "2025-01-10T09:00:00+08:00",
            &["planning"],
            json!({
                "buyer": CIVIL_AFFAIRS.reference(),
                "parties": parties(1),
                "planning": {
                    "rationale": "依据《夷陵区政府购买社会公共服务指导性目录》，为全区80周岁以上独居、空巢及失能老年人提供居家养老上门服务。",
                    "budget": budget(864_000, 576_000),
                    "documents": [document(
                        "plan-1", "procurementPlan", "宜昌市夷陵区民政局2025年居家养老上门服务项目采购意向",
                        "2025-01-10T09:00:00+08:00"
                    )]
                },
                "tender": {"id": "YLCG-2025-0007", "title": TITLE, "status": "planning"}
            }),
        ),
        release(
            2,
            "2025-02-20T09:00:00+08:00",
            &["planningUpdate"],
            json!({
                "parties": parties(1),
                "planning": {
                    "budget": budget(840_000, 600_000),
                    "documents": [document(
                        "plan-2", "procurementPlan", "关于夷陵区2025年度居家养老上门服务项目预算的批复",
                        "2025-02-20T09:00:00+08:00"
                    )]
                }
            }),
        ),
        release(
            3,
            "2025-03-03T09:00:00+08:00",
            &["tender"],
            json!({
                "parties": parties(2),
                "tender": {
                    "id": "YLCG-2025-0007",
                    "title": TITLE,
                    "description": "为全区约2,000名居家老年人提供生活照料、助餐配送和健康管理上门服务，服务期12个月，按月验收付款。",
                    "status": "active",
                    "procuringEntity": AGENCY.reference(),
                    "items": items(),
                    "value": yuan(1_440_000),
                    "procurementMethod": "open",
                    "procurementMethodDetails": "公开招标",
                    "mainProcurementCategory": "services",
                    "awardCriteria": "ratedCriteria",
                    "awardCriteriaDetails": "综合评分法：价格30分，服务方案50分，信誉与业绩20分",
                    "submissionMethod": ["electronicSubmission"],
                    "submissionMethodDetails": "通过宜昌市公共资源交易电子平台递交电子投标文件",
                    "tenderPeriod": tender_period("2025-03-24T09:30:00+08:00"),
                    "enquiryPeriod": {"startDate": "2025-03-03T09:00:00+08:00", "endDate": "2025-03-13T17:00:00+08:00"},
                    "eligibilityCriteria": "依法登记的社会组织、企业或事业单位，具有养老服务经验，近三年无不良信用记录。",
                    "documents": [
                        document(
                            "tender-1", "tenderNotice",
                            "宜昌市夷陵区民政局关于夷陵区2025年度居家养老上门服务项目的公开招标公告",
                            "2025-03-03T09:00:00+08:00"
                        ),
                        document(
                            "tender-2", "biddingDocuments", "夷陵区2025年度居家养老上门服务项目招标文件",
                            "2025-03-03T09:00:00+08:00"
                        )
                    ]
                }
            }),
        ),
        release(
            4,
            "2025-03-12T15:00:00+08:00",
            &["tenderAmendment"],
            json!({
                "parties": parties(2),
                "tender": {
                    "id": "YLCG-2025-0007",
                    "tenderPeriod": tender_period("2025-03-28T09:30:00+08:00"),
                    "amendments": [{
                        "id": "1", "date": "2025-03-12T15:00:00+08:00",
                        "rationale": "更正开标时间及服务人次",
                        "description": "开标时间由2025年3月24日9:30更正为2025年3月28日9:30；助餐配送服务数量不变。",
                        "amendsReleaseID": format!("{OCID}-03")
                    }],
                    "documents": [document(
                        "tender-3", "clarifications",
                        "宜昌市夷陵区民政局关于夷陵区2025年度居家养老上门服务项目的更正公告",
                        "2025-03-12T15:00:00+08:00"
                    )]
                }
            }),
        ),
        release(
            5,
            "2025-04-08T10:00:00+08:00",
            &["award"],
            json!({
                "parties": parties(4),
                "tender": {
                    "id": "YLCG-2025-0007", "status": "complete", "numberOfTenderers": 3,
                    "tenderers": [WINNER.reference(), SECOND.reference(), THIRD.reference()]
                },
                "awards": [{
                    "id": "1",
                    "title": "宜昌市夷陵区民政局关于夷陵区2025年度居家养老上门服务项目的中标结果公告",
                    "description": "经评审委员会综合评分，推荐得分最高的投标人为中标人。",
                    "status": "active",
                    "date": "2025-04-08T10:00:00+08:00",
                    "value": yuan(1_392_000),
                    "suppliers": [WINNER.reference()],
                    "items": items(),
                    "contractPeriod": service_period,
                    "documents": [document("award-1", "awardNotice", "中标结果公告", "2025-04-08T10:00:00+08:00")]
                }]
            }),
        ),
        release(
            6,
            "2025-04-25T16:00:00+08:00",
            &["contract"],
            json!({
                "parties": parties(4),
                "contracts": [{
                    "id": "1", "awardID": "1",
                    "title": "夷陵区2025年度居家养老上门服务合同",
                    "description": "服务期12个月，每月验收合格后支付当月服务费116,000元。",
                    "status": "active",
                    "period": service_period,
                    "value": yuan(1_392_000),
                    "dateSigned": "2025-04-25T10:00:00+08:00",
                    "items": items(),
                    "documents": [document(
                        "contract-1", "contractSigned", "夷陵区2025年度居家养老上门服务合同（合同公告）",
                        "2025-04-25T16:00:00+08:00"
                    )],
                    "implementation": {"milestones": (1..=12).map(|m| milestone(m, 0)).collect::<Vec<_>>()}
                }]
            }),
        ),
        release(
            7,
            QUARTERS[0],
            &["implementation"],
            json!({
                "parties": parties(4),
                "contracts": [{"id": "1", "implementation": implementation(1, monthly)}]
            }),
        ),
        release(
            8,
            "2025-09-26T11:00:00+08:00",
            &["contractAmendment"],
            json!({
                "parties": parties(4),
                "contracts": [{
                    "id": "1",
                    "value": yuan(1_427_000),
                    "description": "服务期12个月；2025年10月起增加助餐服务对象，每月服务费调整为121,000元。",
                    "amendments": [{
                        "id": "1", "date": "2025-09-26T11:00:00+08:00",
                        "rationale": "补充合同：增加助餐服务对象120人",
                        "description": "自2025年10月起每月服务费由116,000元调整为121,000元，合同总价调整为1,427,000元。"
                    }],
                    "documents": [document(
                        "contract-2", "contractAnnexe", "夷陵区2025年度居家养老上门服务补充合同",
                        "2025-09-26T11:00:00+08:00"
                    )]
                }]
            }),
        ),
        release(
            9,
            QUARTERS[1],
            &["implementation"],
            json!({
                "parties": parties(4),
                "contracts": [{"id": "1", "implementation": implementation(2, monthly)}]
            }),
        ),
        release(
            10,
            QUARTERS[2],
            &["implementation"],
            json!({
                "parties": parties(4),
                "contracts": [{"id": "1", "implementation": implementation(3, monthly)}]
            }),
        ),
        release(
            11,
            QUARTERS[3],
            &["implementation", "contractTermination"],
            json!({
                "parties": parties(4),
                "contracts": [{
                    "id": "1",
                    "status": "terminated",
                    "implementation": implementation(4, monthly),
                    "documents": [document(
                        "contract-3", "completionCertificate", "夷陵区2025年度居家养老上门服务项目验收结果公告",
                        "2026-05-15T10:00:00+08:00"
                    )]
                }]
            }),
        ),
    ]
}
