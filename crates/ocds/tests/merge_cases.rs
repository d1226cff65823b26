//! The reference merge cases of OCDS 1.1 (`tests/merge-cases`, from ocdsmerge; see `CASES.md` there): each case's
//! releases, compiled and versioned with the schema they were written for, must give exactly the expected results,
//! and the compiled release written as JSON must be the expected one's bytes.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use shanzhi_ocds::Merger;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/merge-cases")
}

fn read(name: &str) -> Value {
    let path = dir().join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn merger() -> &'static Merger {
    static MERGER: OnceLock<Merger> = OnceLock::new();
    MERGER.get_or_init(|| Merger::from_schema(&read("release-schema-1__1__4.json")).expect("the 1.1.4 schema reads"))
}

fn releases(case: &str) -> Vec<Value> {
    match read(&format!("{case}.json")) {
        Value::Array(releases) => releases,
        other => panic!("{case}.json is not an array: {other}"),
    }
}

/// Compares as JSON values (key order aside) and shows both sides in full when they differ.
fn assert_same(case: &str, kind: &str, actual: &Value, expected: &Value) {
    assert!(
        actual == expected,
        "{case} ({kind}) differs\n--- actual\n{}\n--- expected\n{}",
        serde_json::to_string_pretty(actual).unwrap_or_default(),
        serde_json::to_string_pretty(expected).unwrap_or_default(),
    );
}

fn assert_same_bytes(case: &str, actual: &[u8], expected: &[u8]) {
    assert!(
        actual == expected,
        "{case} (compiled JSON) differs\n--- actual\n{}\n--- expected\n{}",
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(expected),
    );
}

macro_rules! cases {
    ($($test:ident => $case:literal,)*) => {
        const CASES: &[&str] = &[$($case),*];

        $(
            mod $test {
                use super::*;

                #[test]
                fn compiled() {
                    let actual = merger().compile(&releases($case)).expect("the case merges");
                    assert_same($case, "compiled", &actual, &read(concat!($case, "-compiled.json")));
                }

                /// The borrowed tree, written by the compiler and by `serde_json`, is the expected release's
                /// JSON with sorted keys, byte for byte.
                #[test]
                fn compiled_json() {
                    let releases = releases($case);
                    let expected = serde_json::to_vec(&read(concat!($case, "-compiled.json"))).expect("JSON");
                    let mut written = Vec::new();
                    merger().compiler().write_json(&releases, &mut written).expect("the case merges");
                    assert_same_bytes($case, &written, &expected);
                    let compiled = merger().compiled(&releases).expect("the case merges");
                    assert_same_bytes($case, &serde_json::to_vec(&compiled).expect("JSON"), &expected);
                }

                #[test]
                fn versioned() {
                    let actual = merger().versioned(&releases($case)).expect("the case merges");
                    assert_same($case, "versioned", &actual, &read(concat!($case, "-versioned.json")));
                }
            }
        )*
    };
}

cases! {
    contextual => "contextual",
    empty_identifiermerge_array => "empty-identifiermerge-array",
    empty_object => "empty-object",
    empty_wholelistmerge_array => "empty-wholelistmerge-array",
    fill_identifiermerge_array => "fill-identifiermerge-array",
    fill_object => "fill-object",
    fill_wholelistmerge_array => "fill-wholelistmerge-array",
    initial_null => "initial-null",
    lists => "lists",
    mergeid => "mergeid",
    null => "null",
    simple => "simple",
    single_empty_identifiermerge_array => "single-empty-identifiermerge-array",
    single_empty_object => "single-empty-object",
    single_empty_wholelistmerge_array => "single-empty-wholelistmerge-array",
    string_list => "string-list",
    unit => "unit",
}

/// Every case in the folder is one of the above, and every one has both expected results: a case added to the
/// folder cannot be left untested.
#[test]
fn every_case_is_tested() {
    let mut found: Vec<String> = fs::read_dir(dir())
        .expect("the cases folder")
        .map(|entry| entry.expect("a folder entry").file_name().to_string_lossy().into_owned())
        .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
        .filter(|name| {
            !name.ends_with("-compiled") && !name.ends_with("-versioned") && !name.starts_with("release-schema")
        })
        .collect();
    found.sort();
    let mut listed: Vec<&str> = CASES.to_vec();
    listed.sort();
    assert_eq!(found, listed);
    for case in CASES {
        for kind in ["compiled", "versioned"] {
            assert!(dir().join(format!("{case}-{kind}.json")).is_file(), "{case}-{kind}.json is missing");
        }
    }
}

/// The expected compiled releases put `tag`, `id`, `date` and `ocid` first, as the standard's examples do;
/// so does the compiler, which matters to readers only where `serde_json` keeps insertion order.
#[test]
fn compiled_release_identity() {
    let compiled = merger().compile(&releases("mergeid")).expect("the case merges");
    assert_eq!(compiled["tag"], serde_json::json!(["compiled"]));
    assert_eq!(compiled["id"], "ocds-213czf-A-2014-01-02T00:00:00Z");
    assert_eq!(compiled["date"], "2014-01-02T00:00:00Z");
    assert_eq!(compiled["ocid"], "ocds-213czf-A");
}
