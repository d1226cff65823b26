//! Merging beyond the reference cases, with the OCDS 1.1.5 rules: identifier collisions, duplicate and missing
//! `id`s, ordering, extension fields, and the errors for input that is not a contracting process's releases.
//! Each expects what ocdsmerge 0.8.0 gives for the same releases (checked against it), except where a test says
//! otherwise.

use serde_json::{json, Value};
use shanzhi_ocds::{MergeError, Merger};

const OCID: &str = "ocds-213czf-000-00001";

/// A release of the test process: `n` is its id, `day` its date in January 2025.
fn release(n: u32, day: u32, tag: &str, mut fields: Value) -> Value {
    let object = fields.as_object_mut().expect("fields are an object");
    object.insert("ocid".into(), OCID.into());
    object.insert("id".into(), n.to_string().into());
    object.insert("date".into(), format!("2025-01-{day:02}T00:00:00Z").into());
    object.insert("tag".into(), json!([tag]));
    fields
}

fn compile(releases: &[Value]) -> Value {
    Merger::ocds_1_1().compile(releases).expect("the releases merge")
}

fn versioned(releases: &[Value]) -> Value {
    Merger::ocds_1_1().versioned(releases).expect("the releases merge")
}

#[test]
fn later_releases_update_earlier_ones_by_date_not_by_position() {
    let releases = [
        release(3, 3, "awardUpdate", json!({"tender": {"status": "complete"}})),
        release(1, 1, "tender", json!({"tender": {"id": "T", "title": "社区矫正社会工作服务", "status": "active"}})),
        release(2, 2, "award", json!({"awards": [{"id": "A1", "status": "pending"}]})),
    ];
    let compiled = compile(&releases);
    assert_eq!(compiled["id"], format!("{OCID}-2025-01-03T00:00:00Z"));
    assert_eq!(compiled["date"], "2025-01-03T00:00:00Z");
    assert_eq!(compiled["tender"], json!({"id": "T", "title": "社区矫正社会工作服务", "status": "complete"}));
    assert_eq!(compiled["awards"], json!([{"id": "A1", "status": "pending"}]));

    let history = &versioned(&releases)["tender"]["status"];
    assert_eq!(history.as_array().map(Vec::len), Some(2));
    assert_eq!(history[0]["releaseID"], "1");
    assert_eq!(
        history[1],
        json!({
            "releaseID": "3", "releaseDate": "2025-01-03T00:00:00Z", "releaseTag": ["awardUpdate"], "value": "complete"
        })
    );
}

#[test]
fn releases_of_the_same_date_keep_the_order_given() {
    let first = release(1, 5, "tender", json!({"tender": {"title": "first"}}));
    let second = release(2, 5, "tenderUpdate", json!({"tender": {"title": "second"}}));
    assert_eq!(compile(&[first.clone(), second.clone()])["tender"]["title"], "second");
    assert_eq!(compile(&[second, first])["tender"]["title"], "first");
}

#[test]
fn borrowed_releases_merge_too() {
    let releases = [release(1, 1, "tender", json!({"tender": {"id": "T"}}))];
    let borrowed: Vec<&Value> = releases.iter().collect();
    assert_eq!(Merger::ocds_1_1().compile(&borrowed), Ok(compile(&releases)));
}

/// An object without an `id` sitting where another object's `id` would put it is not overwritten by it.
#[test]
fn identifier_collision() {
    let releases =
        [release(1, 1, "award", json!({"awards": [{"id": "1"}, {"title": "no id"}], "x": [{"id": 0}, {"k": "v"}]}))];
    let compiled = compile(&releases);
    assert_eq!(compiled["awards"], json!([{"id": "1"}, {"title": "no id"}]));
    assert_eq!(compiled["x"], json!([{"id": 0}, {"k": "v"}]));
}

/// Objects of the same `id` in one release are merged in turn, so the last one's values win.
#[test]
fn duplicate_ids_in_one_release() {
    let releases = [release(
        1,
        1,
        "tender",
        json!({"tender": {"items": [
            {"id": 1, "description": "first", "quantity": 1},
            {"id": 1, "description": "second"}
        ]}}),
    )];
    assert_eq!(compile(&releases)["tender"]["items"], json!([{"id": 1, "description": "second", "quantity": 1}]));
    // The versioned release records one value per release, the last.
    let description = &versioned(&releases)["tender"]["items"][0]["description"];
    assert_eq!(description.as_array().map(Vec::len), Some(1));
    assert_eq!(description[0]["value"], "second");
}

#[test]
fn a_duplicate_that_restores_the_earlier_value_is_no_change() {
    let releases = [
        release(1, 1, "tender", json!({"tender": {"items": [{"id": "1", "quantity": 1}]}})),
        release(
            2,
            2,
            "tenderUpdate",
            json!({"tender": {"items": [{"id": "1", "quantity": 2}, {"id": "1", "quantity": 1}]}}),
        ),
    ];
    let quantity = &versioned(&releases)["tender"]["items"][0]["quantity"];
    assert_eq!(
        quantity,
        &json!([{"releaseID": "1", "releaseDate": "2025-01-01T00:00:00Z", "releaseTag": ["tender"], "value": 1}])
    );
}

/// Objects without an `id` are never merged: each release adds its own, and an empty one adds nothing.
#[test]
fn objects_without_id_are_kept_apart() {
    let releases = [
        release(1, 1, "tender", json!({"tender": {"milestones": [{"title": "a"}, {}, {"x": {}}]}})),
        release(2, 2, "tenderUpdate", json!({"tender": {"milestones": [{"title": "a"}]}})),
    ];
    assert_eq!(compile(&releases)["tender"]["milestones"], json!([{"title": "a"}, {"title": "a"}]));
    let milestones = &versioned(&releases)["tender"]["milestones"];
    assert_eq!(milestones[0]["title"][0]["releaseID"], "1");
    assert_eq!(milestones[1]["title"][0]["releaseID"], "2");
}

/// A release that repeats an array of objects without `id` adds them again, however alike. (The compiler once took
/// the repeated array for the one it had merged already.)
#[test]
fn repeated_objects_without_id_are_added_again() {
    let milestones = json!({"tender": {"milestones": [{"title": "a"}]}});
    let releases = [release(1, 1, "tender", milestones.clone()), release(2, 2, "tenderUpdate", milestones)];
    assert_eq!(compile(&releases)["tender"]["milestones"], json!([{"title": "a"}, {"title": "a"}]));
}

/// `1` and `"1"` name the same object; the `id` is kept as first given. (ocdsmerge splits such an object's fields
/// between two objects, an accident of its flattening.)
#[test]
fn integer_and_string_ids_are_one_object() {
    let releases = [
        release(1, 1, "award", json!({"awards": [{"id": 1, "title": "a"}]})),
        release(2, 2, "awardUpdate", json!({"awards": [{"id": "1", "status": "active"}]})),
    ];
    assert_eq!(compile(&releases)["awards"], json!([{"id": 1, "title": "a", "status": "active"}]));
}

/// An `id` of null is no `id`. (ocdsmerge merges every object of null `id` in the array into one.)
#[test]
fn a_null_id_is_no_id() {
    let releases = [
        release(1, 1, "award", json!({"awards": [{"id": null, "title": "a"}]})),
        release(2, 2, "awardUpdate", json!({"awards": [{"id": null, "title": "b"}]})),
    ];
    assert_eq!(compile(&releases)["awards"], json!([{"title": "a"}, {"title": "b"}]));
}

#[test]
fn null_removes_a_value_but_not_an_object() {
    let releases = [
        release(
            1,
            1,
            "tender",
            json!({"tender": {"id": "T", "title": "t", "value": {"amount": 100, "currency": "CNY"}}}),
        ),
        release(2, 2, "tenderUpdate", json!({"tender": {"title": null, "value": null}})),
    ];
    // ocdsmerge keeps an object that a later release sets to null: only values are removed by null.
    assert_eq!(compile(&releases)["tender"], json!({"id": "T", "value": {"amount": 100, "currency": "CNY"}}));
    let title = &versioned(&releases)["tender"]["title"];
    assert_eq!(title[1]["value"], Value::Null);
}

#[test]
fn an_object_may_follow_null() {
    let releases = [
        release(1, 1, "planning", json!({"tender": null, "planning": {"rationale": null}})),
        release(2, 2, "tender", json!({"tender": {"id": "T"}})),
    ];
    let compiled = compile(&releases);
    assert_eq!(compiled["tender"], json!({"id": "T"}));
    // An object whose only field is null is still there, empty, as with ocdsmerge.
    assert_eq!(compiled["planning"], json!({}));
    assert_eq!(versioned(&releases)["tender"]["id"][0]["value"], "T");
}

/// In a versioned release too, a list that follows a field that was only ever null replaces it. (ocdsmerge mixes
/// the null versions into the list.)
#[test]
fn a_versioned_list_may_follow_null() {
    let releases = [
        release(1, 1, "planning", json!({"awards": null})),
        release(2, 2, "award", json!({"awards": [{"id": "1", "status": "active"}]})),
    ];
    let awards = &versioned(&releases)["awards"];
    assert_eq!(awards.as_array().map(Vec::len), Some(1));
    assert_eq!(awards[0]["id"], "1");
    assert_eq!(awards[0]["status"][0]["releaseID"], "2");
}

#[test]
fn whole_lists_are_replaced_and_identifier_lists_merged() {
    fn party(identifiers: Value, roles: Value) -> Value {
        json!({"parties": [{"id": "P", "additionalIdentifiers": identifiers, "roles": roles}]})
    }
    let releases = [
        release(
            1,
            1,
            "tender",
            party(json!([{"scheme": "CN-USCC", "id": "A"}, {"scheme": "X", "id": "B"}]), json!(["tenderer"])),
        ),
        release(2, 2, "award", party(json!([{"scheme": "CN-USCC", "id": "A"}]), json!(["tenderer", "supplier"]))),
    ];
    let compiled = compile(&releases);
    assert_eq!(compiled["parties"][0]["additionalIdentifiers"], json!([{"scheme": "CN-USCC", "id": "A"}]));
    assert_eq!(compiled["parties"][0]["roles"], json!(["tenderer", "supplier"]));
}

/// Fields no schema describes (an extension's) are merged by the shape of their values.
#[test]
fn undescribed_fields_merge_by_shape() {
    let releases = [
        release(
            1,
            1,
            "planning",
            json!({"planning": {"budget": {"budgetBreakdown": [
            {"id": "1", "amount": {"amount": 600000, "currency": "CNY"}, "description": "一般公共预算"},
            {"id": "2", "amount": {"amount": 840000, "currency": "CNY"}, "description": "福彩公益金"}
        ]}}, "keywords": ["养老"], "empty": []}),
        ),
        release(
            2,
            2,
            "planningUpdate",
            json!({"planning": {"budget": {"budgetBreakdown": [
            {"id": "2", "amount": {"amount": 900000, "currency": "CNY"}}
        ]}}, "keywords": ["居家养老"]}),
        ),
    ];
    let compiled = compile(&releases);
    assert_eq!(compiled["planning"]["budget"]["budgetBreakdown"][1]["amount"]["amount"], 900000);
    assert_eq!(compiled["planning"]["budget"]["budgetBreakdown"][1]["description"], "福彩公益金");
    assert_eq!(compiled["keywords"], json!(["居家养老"]));
    assert!(compiled.get("empty").is_none(), "an empty list that no rule keeps whole adds nothing");
}

/// `1` and `1.0` are the same number: no new version.
#[test]
fn equal_numbers_are_not_a_change() {
    let releases = [
        release(1, 1, "tender", json!({"tender": {"value": {"amount": 1}}})),
        release(2, 2, "tenderUpdate", json!({"tender": {"value": {"amount": 1.0}}})),
    ];
    assert_eq!(versioned(&releases)["tender"]["value"]["amount"].as_array().map(Vec::len), Some(1));
    assert_eq!(compile(&releases)["tender"]["value"]["amount"], json!(1.0));
}

/// The versioned release takes `releaseID` and `releaseTag` from each release as given, and never versions
/// the release's own `ocid`, `id`, `date` or `tag`.
#[test]
fn versioned_release_frame() {
    let versioned = versioned(&[release(7, 1, "planning", json!({"initiationType": "tender"}))]);
    assert_eq!(
        versioned,
        json!({"ocid": OCID, "initiationType": [
            {"releaseID": "7", "releaseDate": "2025-01-01T00:00:00Z", "releaseTag": ["planning"], "value": "tender"}
        ]})
    );
}

fn merge_error(releases: &[Value]) -> MergeError {
    let compiled = Merger::ocds_1_1().compile(releases).expect_err("the releases are refused");
    let versioned = Merger::ocds_1_1().versioned(releases).expect_err("the releases are refused");
    assert_eq!(compiled, versioned);
    compiled
}

#[test]
fn input_that_is_not_releases_is_refused() {
    let good = release(1, 1, "tender", json!({}));
    assert_eq!(merge_error(&[]), MergeError::NoReleases);
    assert_eq!(merge_error(&[good.clone(), json!([1, 2])]), MergeError::NotAnObject { index: 1 });
    assert_eq!(merge_error(&[json!("release")]), MergeError::NotAnObject { index: 0 });
    assert_eq!(merge_error(&[json!({"date": "2025-01-01T00:00:00Z"})]), MergeError::MissingOcid { index: 0 });
    assert_eq!(
        merge_error(&[json!({"ocid": 1, "date": "2025-01-01T00:00:00Z"})]),
        MergeError::MissingOcid { index: 0 }
    );
    assert_eq!(merge_error(&[good.clone(), json!({"ocid": OCID})]), MergeError::MissingDate { index: 1 });
    assert_eq!(merge_error(&[json!({"ocid": OCID, "date": null})]), MergeError::MissingDate { index: 0 });
    let other = json!({"ocid": "ocds-213czf-other", "date": "2025-01-02T00:00:00Z"});
    let mismatch = merge_error(&[good, other]);
    assert_eq!(
        mismatch,
        MergeError::OcidMismatch { index: 1, expected: OCID.into(), found: "ocds-213czf-other".into() }
    );
    assert_eq!(mismatch.code(), "release_ocid_mismatch");
    assert_eq!(
        mismatch.to_string(),
        format!("release 1 has the ocid `ocds-213czf-other`, but the first release has `{OCID}`")
    );
}

#[test]
fn a_field_that_changes_shape_is_refused_with_its_path() {
    let unit = |unit: Value| json!({"tender": {"items": [{"id": "i/1", "unit": unit}]}});
    let releases =
        [release(1, 1, "tender", unit(json!({"name": "人次"}))), release(2, 2, "tenderUpdate", unit(json!("人次")))];
    let error = merge_error(&releases);
    assert_eq!(error, MergeError::InconsistentType { index: 1, path: "/tender/items/i~11/unit".into() });
    assert_eq!(error.code(), "release_inconsistent_type");

    // The other way round, an object where a value was, and an array where an object was. ocdsmerge refuses these
    // two, but keeps the object in the first case silently; refusing all three is safer.
    let releases =
        [release(1, 1, "tender", unit(json!("人次"))), release(2, 2, "tenderUpdate", unit(json!({"name": "人次"})))];
    assert_eq!(
        merge_error(&releases),
        MergeError::InconsistentType { index: 1, path: "/tender/items/i~11/unit".into() }
    );
    let releases = [
        release(1, 1, "tender", json!({"tender": {"x": {"a": 1}}})),
        release(2, 2, "tenderUpdate", json!({"tender": {"x": [{"id": "a"}]}})),
    ];
    assert_eq!(merge_error(&releases), MergeError::InconsistentType { index: 1, path: "/tender/x".into() });
}
