//! What can go wrong: a schema the rules cannot be read from, or releases that cannot be merged.

use std::fmt;

/// Why merge rules could not be read from a release schema.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaError {
    /// The schema, or an object it names, has no `properties` object.
    MissingProperties {
        /// A JSON pointer into the schema.
        pointer: String,
    },
    /// A `$ref` outside this document (`https://…`); extensions are expected to be patched in first.
    ExternalRef { reference: String },
    /// A `$ref` to nothing in this document.
    UnresolvedRef { reference: String },
    /// `$ref`s that lead back to themselves without reaching a schema.
    RefLoop { reference: String },
}

impl SchemaError {
    /// A stable snake_case code, for logs and the HTTP edge.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingProperties { .. } => "schema_missing_properties",
            Self::ExternalRef { .. } => "schema_external_ref",
            Self::UnresolvedRef { .. } => "schema_unresolved_ref",
            Self::RefLoop { .. } => "schema_ref_loop",
        }
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingProperties { pointer } => {
                write!(f, "the release schema has no `properties` object at `{pointer}`")
            }
            Self::ExternalRef { reference } => {
                write!(f, "the release schema refers outside itself (`{reference}`); only `#/…` references are read")
            }
            Self::UnresolvedRef { reference } => {
                write!(f, "the release schema's reference `{reference}` leads nowhere")
            }
            Self::RefLoop { reference } => {
                write!(f, "the release schema's reference `{reference}` leads back to itself")
            }
        }
    }
}

impl std::error::Error for SchemaError {}

/// Why a list of releases could not be merged. `index` is the release's position in the list as given.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MergeError {
    /// There is nothing to compile: a compiled release needs at least one release for its `ocid` and `date`.
    NoReleases,
    /// The release is not a JSON object.
    NotAnObject { index: usize },
    /// The release has no `ocid`, or its `ocid` is not a string.
    MissingOcid { index: usize },
    /// The release has no `date`, or its `date` is not a string; releases are ordered by it.
    MissingDate { index: usize },
    /// The release belongs to another contracting process than the first one.
    OcidMismatch { index: usize, expected: String, found: String },
    /// A field is a plain value, an object or an array of objects in one release and another of these in a later
    /// one, so the two cannot be merged. `path` is a JSON pointer in which objects in arrays are named by their `id`.
    InconsistentType { index: usize, path: String },
}

impl MergeError {
    /// A stable snake_case code, for logs and the HTTP edge.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoReleases => "no_releases",
            Self::NotAnObject { .. } => "release_not_an_object",
            Self::MissingOcid { .. } => "release_missing_ocid",
            Self::MissingDate { .. } => "release_missing_date",
            Self::OcidMismatch { .. } => "release_ocid_mismatch",
            Self::InconsistentType { .. } => "release_inconsistent_type",
        }
    }
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoReleases => write!(f, "there are no releases to merge"),
            Self::NotAnObject { index } => write!(f, "release {index} is not a JSON object"),
            Self::MissingOcid { index } => write!(f, "release {index} has no `ocid` string"),
            Self::MissingDate { index } => write!(f, "release {index} has no `date` string"),
            Self::OcidMismatch { index, expected, found } => {
                write!(f, "release {index} has the ocid `{found}`, but the first release has `{expected}`")
            }
            Self::InconsistentType { index, path } => write!(
                f,
                "release {index} gives `{path}` another shape (plain value, object or list of objects) than an earlier \
                 release"
            ),
        }
    }
}

impl std::error::Error for MergeError {}
