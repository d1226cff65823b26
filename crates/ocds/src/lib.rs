//! The Open Contracting Data Standard's merge routine: a contracting process's releases compiled into its current
//! state (the compiled release) and into the history of every field (the versioned release), by the merge rules of
//! a release schema. Pure: it reads `serde_json` values and returns new ones, or (for the compiled release) a tree
//! borrowing them, which serializes or writes itself as JSON without copying the releases' values.
//!
//! ```
//! use serde_json::json;
//! use shanzhi_ocds::Merger;
//!
//! let releases = [
//!     json!({"ocid": "ocds-213czf-1", "id": "1", "date": "2025-03-01T00:00:00Z", "tag": ["tender"],
//!            "tender": {"id": "1", "title": "居家养老服务", "status": "active"}}),
//!     json!({"ocid": "ocds-213czf-1", "id": "2", "date": "2025-04-01T00:00:00Z", "tag": ["award"],
//!            "tender": {"status": "complete"}, "awards": [{"id": "1", "status": "active"}]}),
//! ];
//! let compiled = Merger::ocds_1_1().compile(&releases)?;
//! assert_eq!(compiled["id"], "ocds-213czf-1-2025-04-01T00:00:00Z");
//! assert_eq!(compiled["tender"], json!({"id": "1", "title": "居家养老服务", "status": "complete"}));
//!
//! // What a server sends: the same release as JSON, written straight from the releases.
//! let mut json = Vec::new();
//! Merger::ocds_1_1().compiler().write_json(&releases, &mut json)?;
//! assert_eq!(json, serde_json::to_vec(&compiled).expect("JSON"));
//!
//! let versioned = Merger::ocds_1_1().versioned(&releases)?;
//! assert_eq!(versioned["tender"]["status"][1]["releaseID"], "2");
//! # Ok::<(), shanzhi_ocds::MergeError>(())
//! ```
//!
//! The results are those of ocdsmerge 0.8.0, the standard's reference implementation, on its test cases and on
//! well-formed releases. Where ocdsmerge's result is an accident of its flattening, this crate differs:
//! - `1` and `"1"` are the same `id`; an `id` of `null` is no `id`.
//! - A field that is a plain value in one release and an object or array in another (or an object in one and an
//!   array in another) is refused with [`MergeError::InconsistentType`]; ocdsmerge refuses most such cases but
//!   keeps the first shape in some. `null` is no shape: it never removes an object or array, in either; and in a
//!   versioned release an object or array replaces a field that was only ever `null` before (ocdsmerge refuses
//!   an object there, and mixes the `null` versions into an array).
//! - The release's own `ocid`, `id`, `date` and `tag` are never merged as fields, whatever the schema says; every
//!   release must have an `ocid` and a `date` (ocdsmerge lets a single release go without a `date`).
//!
//! The compiled release comes three ways, all the same release: [`Merger::compile`] builds a `Value`;
//! [`Merger::compiled`] gives a [`Compiled`] tree borrowing the releases, which serializes with `serde` (to any
//! `io::Write` with `serde_json::to_writer`) or writes itself as JSON bytes with [`Compiled::write_json`]; and a
//! [`Compiler`] does the latter for one record after another, keeping its memory. Its keys come out sorted; values
//! taken whole from a release (a list replaced whole) keep `serde_json`'s order, which is sorted too unless a crate
//! in the build enables its `preserve_order`. The versioned release's keys come out in `serde_json`'s order.

mod compiled;
mod error;
mod json;
mod merge;
pub mod package;
pub mod process;
#[cfg(test)]
mod random;
mod rules;

use std::borrow::Borrow;
use std::sync::OnceLock;

use serde_json::Value;

pub use compiled::{Compiled, Compiler};
pub use error::{MergeError, SchemaError};
pub use process::{Publisher, Release, Source};
pub use rules::Rule;

/// The release schema of OCDS 1.1.5, as published (see `schema/NOTICE`).
pub const RELEASE_SCHEMA_1_1: &str = include_str!("../schema/release-schema.json");

/// The merge rules of one release schema, read once and then used for any number of merges.
#[derive(Debug)]
pub struct Merger {
    rules: rules::Rules,
}

impl Merger {
    /// Reads the merge rules of a release schema (core, or core with extensions patched in), following its
    /// `#/definitions/…` references.
    pub fn from_schema(schema: &Value) -> Result<Self, SchemaError> {
        Ok(Self { rules: rules::Rules::from_schema(schema)? })
    }

    /// The merger for OCDS 1.1 (schema 1.1.5), read on first use and shared.
    pub fn ocds_1_1() -> &'static Self {
        static MERGER: OnceLock<Merger> = OnceLock::new();
        MERGER.get_or_init(|| {
            // Both are tested (`tests/schema_rules.rs`), so neither can fail at run time.
            let schema = serde_json::from_str(RELEASE_SCHEMA_1_1).expect("the vendored release schema is JSON");
            Self::from_schema(&schema).expect("the vendored release schema has readable merge rules")
        })
    }

    /// The compiled release: the releases merged oldest first, with `tag` `["compiled"]`, the newest release's
    /// `date`, and `id` `{ocid}-{date}`. Releases are ordered by `date` compared as text, so give every date in the
    /// same format and time zone; releases of the same date keep the order given. [`Merger::compiled`] and
    /// [`Merger::compiler`] give the same release without building a `Value`.
    pub fn compile<R: Borrow<Value>>(&self, releases: &[R]) -> Result<Value, MergeError> {
        Ok(self.compiled(releases)?.to_value())
    }

    /// The versioned release: `ocid`, and each field's changes as `{releaseID, releaseDate, releaseTag, value}`,
    /// oldest first, a value recorded only when it differs from the one before. The `id` of an object in an array
    /// names the object and is not versioned; any other `id` (such as `tender.id`) is.
    pub fn versioned<R: Borrow<Value>>(&self, releases: &[R]) -> Result<Value, MergeError> {
        merge::versioned(&self.rules, releases)
    }

    /// The rule of a field by its dotted path, array levels not counted (`contracts.implementation.transactions`);
    /// `None` where the schema gives none, so the field is merged as a plain value or by the shape of its value.
    pub fn rule(&self, path: &str) -> Option<Rule> {
        self.rules.rule(path)
    }

    /// Every field the schema gives a rule, by dotted path, sorted: for checking a schema (with extensions) reads
    /// as intended.
    pub fn rules(&self) -> Vec<(String, Rule)> {
        self.rules.all()
    }
}
