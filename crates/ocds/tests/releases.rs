//! A project's releases: one per public step, tagged by the step, with nothing that was not public at the time.

mod fixture;

use serde_json::{json, Value};
use shanzhi_ocds::process::{release, releases, Source};
use shanzhi_ocds::{Merger, Release};

fn values(rs: &[Release]) -> Vec<Value> {
    rs.iter().map(|r| r.value.clone()).collect()
}

fn tags(rs: &[Release]) -> Vec<String> {
    rs.iter()
        .map(|r| r.value["tag"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect::<Vec<_>>().join("+"))
        .collect()
}

#[test]
fn each_public_step_emits_one_release_tagged_by_its_step_oldest_first() {
    let (project, notices) = fixture::procured();
    let rs = releases(&fixture::publisher(), &project, &notices);
    assert_eq!(
        tags(&rs),
        [
            "planning",
            "tender",
            "tenderAmendment",
            "tenderUpdate",
            "tender",
            "award",
            "tenderUpdate",
            "contract",
            "implementation",
            "implementation",
            "implementation",
            "implementation"
        ]
    );
    let ids: Vec<&str> = rs.iter().map(|r| r.value["id"].as_str().unwrap()).collect();
    let expected = [
        "notice-1",
        "notice-2",
        "notice-3",
        "notice-4",
        "notice-5",
        "notice-6",
        "notice-7",
        "notice-8",
        "payment-1",
        "notice-9",
        "payment-2",
        "notice-10",
    ];
    assert_eq!(ids, expected);
    assert!(rs.windows(2).all(|w| w[0].value["date"].as_str() <= w[1].value["date"].as_str()), "oldest first");
    assert!(rs.iter().all(|r| r.value["ocid"] == "ocds-sz0001-SZ-2026-00007" && r.value["initiationType"] == "tender"));
    // The same step's payment and acceptance notice: the notice first.
    assert_eq!(ids[9..11], ["notice-9", "payment-2"]);
    // The evaluation's result: a document of the contract, its status left as the acceptance set it.
    let evaluated = &rs[11].value["contracts"][0];
    assert_eq!(evaluated["documents"][0]["documentType"], "finalAudit");
    assert!(evaluated["documents"][0]["description"].as_str().unwrap().contains("86.40"), "{evaluated}");
    assert!(evaluated.get("status").is_none());
}

#[test]
fn methods_map_to_the_codelist_with_the_chinese_name_in_the_details() {
    let (project, mut notices) = fixture::procured();
    for (method, code, zh) in [
        ("open_tender", "open", "公开招标"),
        ("invited_tender", "selective", "邀请招标"),
        ("competitive_negotiation", "limited", "竞争性谈判"),
        ("competitive_consultation", "limited", "竞争性磋商"),
        ("request_for_quotation", "limited", "询价"),
        ("single_source", "direct", "单一来源采购"),
        ("framework_agreement", "open", "框架协议采购"),
    ] {
        let mut body = notices[1].notice.body.value();
        body["method"] = json!(method);
        notices[1].notice.body = shanzhi_domain::notice::NoticeBody::new(body);
        let r = release(&fixture::publisher(), &project, &notices, Source::Notice(2)).unwrap();
        assert_eq!(r.value["tender"]["procurementMethod"], code, "{method}");
        assert_eq!(r.value["tender"]["procurementMethodDetails"], zh, "{method}");
    }
    // A direct award, bought without a procurement, is `direct` too.
    let (project, notices) = fixture::direct_terminated();
    let r = release(&fixture::publisher(), &project, &notices, Source::Notice(20)).unwrap();
    assert_eq!(r.value["tender"]["procurementMethod"], "direct");
    assert_eq!(r.value["awards"][0]["id"], "direct");
    assert_eq!(r.value["contracts"][0]["awardID"], "direct");
}

#[test]
fn bidders_appear_only_with_the_award_and_no_loser_price_or_expert_ever() {
    let (project, notices) = fixture::procured();
    let rs = releases(&fixture::publisher(), &project, &notices);
    let award_at = rs.iter().position(|r| r.value["tag"] == json!(["award"])).unwrap();
    for r in &rs[..award_at] {
        let text = r.value.to_string();
        assert!(r.value["tender"].get("tenderers").is_none() && r.value.get("awards").is_none(), "{text}");
        assert!(!text.contains("和谐社工") && !text.contains("启明社工"), "a bidder before the award: {text}");
    }
    let award = &rs[award_at].value;
    assert_eq!(award["tender"]["numberOfTenderers"], 3);
    assert_eq!(award["awards"][0]["value"], json!({"amount": 72000.0, "currency": "CNY"}));
    assert_eq!(award["awards"][0]["suppliers"], json!([{"id": "org-31", "name": "阳光社工"}]));
    for r in &rs {
        let text = r.value.to_string();
        assert!(!text.contains("评审专家"), "an expert's name: {text}");
        assert!(!text.contains("91.50"), "a score is the committee's: {text}");
    }
}

#[test]
fn a_release_never_changes_when_later_steps_are_published() {
    let (project, notices) = fixture::procured();
    let publisher = fixture::publisher();
    let all = releases(&publisher, &project, &notices);
    for k in 1..notices.len() {
        for early in releases(&publisher, &project, &notices[..k]) {
            if let Source::Notice(_) = early.source {
                let later = all.iter().find(|r| r.source == early.source).unwrap();
                assert_eq!(&early, later, "{:?} changed once notice {} was published", early.source, notices[k].id);
            }
        }
    }
    assert_eq!(releases(&publisher, &project, &[]), Vec::new(), "nothing public, nothing released");
}

#[test]
fn the_compiled_release_is_the_process_as_it_stands() {
    let (project, notices) = fixture::procured();
    let rs = releases(&fixture::publisher(), &project, &notices);
    let c = Merger::ocds_1_1().compile(&values(&rs)).unwrap();
    assert_eq!(c["tender"]["status"], "complete");
    assert_eq!(c["tender"]["id"], "procurement-4");
    assert_eq!(c["tender"]["amendments"][0]["id"], "notice-3");
    let breakdown = c["planning"]["budget"]["budgetBreakdown"].as_array().unwrap();
    let sum: f64 = breakdown.iter().map(|b| b["amount"]["amount"].as_f64().unwrap()).sum();
    assert_eq!((breakdown.len(), sum), (2, 80_000.0));
    let contract = &c["contracts"][0];
    assert_eq!(
        (contract["status"].as_str(), contract["awardID"].as_str()),
        (Some("terminated"), Some("procurement-4"))
    );
    let paid: Vec<&Value> =
        contract["implementation"]["transactions"].as_array().unwrap().iter().map(|t| &t["value"]["amount"]).collect();
    assert_eq!(paid, [&json!(36000.0), &json!(36000.0)]);
    assert!(contract["milestones"].as_array().unwrap().iter().all(|m| m["status"] == "met"));
    let winner = c["parties"].as_array().unwrap().iter().find(|p| p["id"] == "org-31").unwrap();
    assert_eq!(winner["roles"], json!(["tenderer", "supplier", "payee"]));
    let buyer = c["parties"].as_array().unwrap().iter().find(|p| p["id"] == "org-1").unwrap();
    assert_eq!(buyer["roles"], json!(["buyer", "procuringEntity", "payer"]));
}

#[test]
fn cancellation_and_termination_close_the_tender_and_the_contract() {
    let publisher = fixture::publisher();
    let (project, notices) = fixture::cancelled();
    let rs = releases(&publisher, &project, &notices);
    assert_eq!(tags(&rs), ["planning", "tenderCancellation"]);
    assert_eq!(rs[1].value["tender"]["status"], "cancelled");
    let (project, notices) = fixture::direct_terminated();
    let rs = releases(&publisher, &project, &notices);
    assert_eq!(tags(&rs), ["contract", "implementation", "contractTermination"]);
    assert_eq!(rs[2].value["contracts"][0]["status"], "terminated");
}

#[test]
fn packages_carry_their_metadata_and_the_next_page() {
    let publisher = fixture::publisher();
    let (project, notices) = fixture::procured();
    let vs = values(&releases(&publisher, &project, &notices));
    let meta = shanzhi_ocds::package::Meta {
        uri: "https://sz.example.cn/api/ocds/releases".into(),
        published: fixture::at("2027-08-01T00:00:00Z"),
        publisher: &publisher,
    };
    let p: Value = serde_json::from_slice(&shanzhi_ocds::package::release_package(
        &meta,
        &vs,
        Some("https://sz.example.cn/next".into()),
    ))
    .unwrap();
    assert_eq!((p["version"].as_str(), p["publishedDate"].as_str()), (Some("1.1"), Some("2027-08-01T00:00:00Z")));
    assert_eq!(p["links"]["next"], "https://sz.example.cn/next");
    assert_eq!(p["releases"].as_array().unwrap(), &vs);
    let mut records = shanzhi_ocds::package::RecordPackage::new(&meta);
    records.push("ocds-sz0001-SZ-2026-00007", &vs).unwrap();
    assert_eq!(records.len(), 1);
    let r: Value = serde_json::from_slice(&records.finish()).unwrap();
    assert_eq!(r["records"][0]["releases"].as_array().unwrap(), &vs);
    assert_eq!(r["records"][0]["compiledRelease"], Merger::ocds_1_1().compile(&vs).unwrap());
    assert!(r.get("links").is_none());
}
