use serde_json::json;

use super::*;
use crate::merge::plain;
use crate::random::{releases, Random};

/// The tree, written, serialized or made a `Value`, is the plain merge's `Value` byte for byte, and refuses what it
/// refuses with the same error; one compiler serves every round, so memory kept from a record never shows in the
/// next.
#[test]
fn the_tree_is_the_plain_merge() {
    let merger = Merger::ocds_1_1();
    let mut compiler = merger.compiler();
    let mut random = Random(0x5eed_0cd5);
    let (mut compiled, mut refused) = (0, 0);
    for round in 0..6000 {
        let releases = releases(&mut random);
        let expected = plain::compile(&merger.rules, &releases).map(|value| serde_json::to_vec(&value).expect("JSON"));
        let mut written = Vec::new();
        let result = compiler.write_json(&releases, &mut written).map(|()| written);
        let context = || format!("round {round}: {}", Value::Array(releases.clone()));
        assert_eq!(result, expected, "{}", context());
        let value = merger.compile(&releases).map(|value| serde_json::to_vec(&value).expect("JSON"));
        assert_eq!(value, expected, "as a Value, {}", context());
        match merger.compiled(&releases) {
            Ok(tree) => {
                compiled += 1;
                let serialized = serde_json::to_vec(&tree).expect("JSON");
                assert_eq!(Ok(serialized), expected, "serialized, {}", context());
            }
            Err(error) => {
                refused += 1;
                assert_eq!(Err(error), expected, "{}", context());
            }
        }
    }
    // Both outcomes are tested often.
    assert!(compiled > 3000 && refused > 300, "{compiled} compiled, {refused} refused");
}

/// Names are told apart and ordered as text, by their heads where those differ.
#[test]
fn heads_order_names_as_text() {
    let names =
        ["", "a", "ab", "abc", "abcd", "abcdefg", "abcdefgh", "abcdefghi", "id", "id\u{0}", "i", "z", "é", "居家"];
    for a in names {
        for b in names {
            let ruling = Ruling::Read(None);
            let field = Field { head: head(a), name: a, next: END, ruling, node: Node::Leaf(&OMITTED) };
            assert_eq!(is_named(&field, head(b), b), a == b, "{a:?} against {b:?}");
            assert_eq!(is_before(&field, head(b), b), a < b, "{a:?} against {b:?}");
        }
    }
    assert_eq!(head("id"), ID_HEAD);
}

/// The compiler keeps its vectors between records instead of allocating them again.
#[test]
fn the_compiler_reuses_its_memory() {
    let merger = Merger::ocds_1_1();
    let mut compiler = merger.compiler();
    let releases = releases(&mut Random(7));
    compiler.write_json(&releases, &mut Vec::new()).expect("the releases merge");
    let kept = compiler.scratch.fields.as_ptr();
    assert!(compiler.scratch.fields.capacity() > 0 && compiler.scratch.fields.is_empty());
    compiler.write_json(&releases, &mut Vec::new()).expect("the releases merge");
    assert_eq!(compiler.scratch.fields.as_ptr(), kept);
}

/// `0.0` and `-0.0` are equal numbers, and `1` and `1.0` too, but each is written as the last release gave it.
#[test]
fn equal_numbers_are_written_as_the_last_release_gave_them() {
    let merger = Merger::ocds_1_1();
    for (first, second) in [(json!(0.0), json!(-0.0)), (json!(1), json!(1.0)), (json!(1.0), json!(1))] {
        let release = |n: u32, amount: &Value| {
            json!({"ocid": "o", "id": n.to_string(), "date": format!("2025-01-0{n}"), "tag": ["tender"],
                   "tender": {"value": {"amount": amount, "currency": "CNY"}}})
        };
        let releases = [release(1, &first), release(2, &second)];
        let compiled = merger.compile(&releases).expect("the releases merge");
        assert_eq!(serde_json::to_string(&compiled["tender"]["value"]["amount"]).expect("JSON"), second.to_string());
    }
}
