//! The merge rules read from release schemas: the vendored OCDS 1.1.5 schema, and small schemas for the ways a
//! schema can state (or fail to state) its rules.

use serde_json::{json, Value};
use shanzhi_ocds::{Merger, Rule, SchemaError, RELEASE_SCHEMA_1_1};

#[test]
fn vendored_schema_is_1_1_5() {
    let schema: Value = serde_json::from_str(RELEASE_SCHEMA_1_1).expect("JSON");
    assert_eq!(schema["id"], "https://standard.open-contracting.org/schema/1__1__5/release-schema.json");
}

/// Built once and shared between threads (a server's handlers).
#[test]
fn ocds_1_1_is_one_shared_merger() {
    fn shared<T: Send + Sync + 'static>(_: &T) {}
    shared(Merger::ocds_1_1());
    let first = std::thread::spawn(|| Merger::ocds_1_1() as *const Merger as usize).join().expect("the thread runs");
    assert_eq!(first, Merger::ocds_1_1() as *const Merger as usize);
}

#[test]
fn ocds_1_1_merges_the_main_arrays_by_identifier() {
    let merger = Merger::ocds_1_1();
    for path in [
        "parties",
        "awards",
        "awards.suppliers",
        "awards.documents",
        "contracts",
        "contracts.documents",
        "contracts.milestones",
        "contracts.implementation.transactions",
        "contracts.implementation.milestones",
        "contracts.implementation.documents",
        "tender.items",
        "tender.documents",
        "tender.amendments",
        "tender.tenderers",
        "planning.milestones",
    ] {
        assert_eq!(merger.rule(path), Some(Rule::IdentifierMerge), "{path}");
    }
    for path in ["tender", "planning", "planning.budget", "buyer", "contracts.implementation", "contracts.value"] {
        assert_eq!(merger.rule(path), Some(Rule::Object), "{path}");
    }
}

#[test]
fn ocds_1_1_whole_lists_and_omissions() {
    let merger = Merger::ocds_1_1();
    for path in [
        "parties.additionalIdentifiers",
        "parties.roles",
        "tender.submissionMethod",
        "tender.items.additionalClassifications",
        "tender.additionalProcurementCategories",
        "contracts.amendments.changes",
    ] {
        assert_eq!(merger.rule(path), Some(Rule::WholeListMerge), "{path}");
    }
    for path in ["id", "date", "tag"] {
        assert_eq!(merger.rule(path), Some(Rule::OmitWhenMerged), "{path}");
    }
    // Plain values, and fields the schema does not have, have no rule.
    for path in ["ocid", "tender.title", "tender.id", "awards.id", "planning.budget.budgetBreakdown", "nothing.here"] {
        assert_eq!(merger.rule(path), None, "{path}");
    }
}

/// The rules that change a merge (whole lists and omissions) are exactly those ocdsmerge 0.8.0 reads from the
/// 1.1.5 schema (`ocdsmerge.rules.get_merge_rules`).
#[test]
fn ocds_1_1_rules_match_ocdsmerge() {
    let ours: Vec<(String, Rule)> = Merger::ocds_1_1()
        .rules()
        .into_iter()
        .filter(|(_, rule)| matches!(rule, Rule::WholeListMerge | Rule::OmitWhenMerged))
        .collect();
    let whole = |path: &str| (path.to_owned(), Rule::WholeListMerge);
    let omit = |path: &str| (path.to_owned(), Rule::OmitWhenMerged);
    let expected = vec![
        whole("awards.amendment.changes"),
        whole("awards.amendments.changes"),
        whole("awards.items.additionalClassifications"),
        whole("awards.suppliers.additionalIdentifiers"),
        whole("buyer.additionalIdentifiers"),
        whole("contracts.amendment.changes"),
        whole("contracts.amendments.changes"),
        whole("contracts.implementation.transactions.payee.additionalIdentifiers"),
        whole("contracts.implementation.transactions.payer.additionalIdentifiers"),
        whole("contracts.items.additionalClassifications"),
        whole("contracts.relatedProcesses.relationship"),
        omit("date"),
        omit("id"),
        whole("parties.additionalIdentifiers"),
        whole("parties.roles"),
        whole("relatedProcesses.relationship"),
        omit("tag"),
        whole("tender.additionalProcurementCategories"),
        whole("tender.amendment.changes"),
        whole("tender.amendments.changes"),
        whole("tender.items.additionalClassifications"),
        whole("tender.procuringEntity.additionalIdentifiers"),
        whole("tender.submissionMethod"),
        whole("tender.tenderers.additionalIdentifiers"),
    ];
    assert_eq!(ours, expected);
}

fn rules_of(schema: Value) -> Merger {
    Merger::from_schema(&schema).expect("the schema reads")
}

#[test]
fn refs_and_type_lists_are_followed() {
    let merger = rules_of(json!({
        "properties": {
            "things": {"type": ["array", "null"], "items": {"$ref": "#/definitions/Thing"}},
            "alias": {"$ref": "#/definitions/Alias"},
            "notes": {"type": "array", "items": {"type": "string"}},
            "pairs": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}},
            "loose": {"type": "array", "items": {"type": ["object", "null"], "properties": {"id": {}}}},
            "secret": {"type": "string", "omitWhenMerged": true},
            "whole": {"type": "array", "wholeListMerge": true, "items": {"$ref": "#/definitions/Thing"}},
            "legacy": {"type": "array", "mergeStrategy": "ocdsVersion", "items": {"$ref": "#/definitions/Thing"}},
            "old": {"type": "string", "mergeStrategy": "ocdsOmit"}
        },
        "definitions": {
            "Alias": {"$ref": "#/definitions/Box"},
            "Box": {"type": ["object", "null"], "properties": {"inner": {"$ref": "#/definitions/Thing"}}},
            "Thing": {"type": "object", "properties": {
                "id": {"type": ["string", "integer"]},
                "tags": {"type": "array", "items": {"type": "string"}}
            }}
        }
    }));
    assert_eq!(merger.rule("things"), Some(Rule::IdentifierMerge));
    assert_eq!(merger.rule("things.tags"), Some(Rule::WholeListMerge));
    assert_eq!(merger.rule("alias"), Some(Rule::Object));
    assert_eq!(merger.rule("alias.inner"), Some(Rule::Object));
    assert_eq!(merger.rule("alias.inner.tags"), Some(Rule::WholeListMerge));
    assert_eq!(merger.rule("notes"), Some(Rule::WholeListMerge));
    assert_eq!(merger.rule("pairs"), Some(Rule::WholeListMerge), "objects without `id` are merged whole");
    assert_eq!(merger.rule("loose"), Some(Rule::WholeListMerge), "items that may be null are not all objects");
    assert_eq!(merger.rule("secret"), Some(Rule::OmitWhenMerged));
    assert_eq!(merger.rule("whole"), Some(Rule::WholeListMerge));
    assert_eq!(merger.rule("whole.tags"), None, "a whole list's items have no rules of their own");
    assert_eq!(merger.rule("legacy"), Some(Rule::WholeListMerge));
    assert_eq!(merger.rule("old"), Some(Rule::OmitWhenMerged));
}

#[test]
fn a_definition_that_contains_itself_is_read_once() {
    let merger = rules_of(json!({
        "properties": {"node": {"$ref": "#/definitions/Node"}},
        "definitions": {"Node": {"type": "object", "properties": {
            "children": {"type": "array", "items": {"$ref": "#/definitions/Node"}},
            "id": {"type": "string"},
            "labels": {"type": "array", "items": {"type": "string"}}
        }}}
    }));
    assert_eq!(merger.rule("node.children.children.children.labels"), Some(Rule::WholeListMerge));
    assert_eq!(merger.rule("node.children.children"), Some(Rule::IdentifierMerge));
    let listed: Vec<String> = merger.rules().into_iter().map(|(path, _)| path).collect();
    assert_eq!(listed, ["node", "node.children", "node.labels"], "listed once, not for ever");
}

#[test]
fn unreadable_schemas_are_errors() {
    let error = |schema: Value| Merger::from_schema(&schema).expect_err("the schema is refused");
    assert_eq!(error(json!({"definitions": {}})), SchemaError::MissingProperties { pointer: String::new() });
    assert_eq!(
        error(json!({"properties": {"a": {"type": "object", "properties": 3}}})),
        SchemaError::MissingProperties { pointer: "/properties/a/properties".into() }
    );
    assert_eq!(
        error(json!({"properties": {"a": {"$ref": "https://example.com/schema.json"}}})),
        SchemaError::ExternalRef { reference: "https://example.com/schema.json".into() }
    );
    assert_eq!(
        error(json!({"properties": {"a": {"$ref": "#/definitions/Missing"}}})),
        SchemaError::UnresolvedRef { reference: "#/definitions/Missing".into() }
    );
    let looped = error(
        json!({"properties": {"a": {"$ref": "#/definitions/A"}}, "definitions": {"A": {"$ref": "#/definitions/A"}}}),
    );
    assert_eq!(looped, SchemaError::RefLoop { reference: "#/definitions/A".into() });
    assert_eq!(looped.code(), "schema_ref_loop");
    assert!(looped.to_string().contains("#/definitions/A"));
}
