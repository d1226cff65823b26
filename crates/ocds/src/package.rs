//! Release and record packages (OCDS 1.1), written as JSON bytes: the API sends them and the bulk export writes
//! them to files, a package at a time, so neither holds more than one package.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::process::{date_time, Publisher};
use crate::{Compiler, MergeError};

/// The package's metadata: its own address, when it was published, by whom.
pub struct Meta<'a> {
    pub uri: String,
    pub published: DateTime<Utc>,
    pub publisher: &'a Publisher,
}

impl Meta<'_> {
    fn head(&self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        m.insert("uri".into(), json!(self.uri));
        m.insert("version".into(), json!("1.1"));
        m.insert("publishedDate".into(), json!(date_time(self.published)));
        m.insert("publisher".into(), json!({"name": self.publisher.name, "uri": self.publisher.base_url}));
        m.insert("publicationPolicy".into(), json!(format!("{}/#open-data", self.publisher.base_url)));
        m
    }
}

/// A package's opening: its metadata's fields, then its list `key` opened, for the caller to fill and close with
/// `]}`. The list is written in place, without copying its items into the package's value.
fn open(head: serde_json::Map<String, Value>, key: &str, room: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(room + 1024);
    out.push(b'{');
    for (k, v) in &head {
        serde_json::to_writer(&mut out, k).expect("a string always writes");
        out.push(b':');
        serde_json::to_writer(&mut out, v).expect("a JSON value always writes");
        out.push(b',');
    }
    serde_json::to_writer(&mut out, key).expect("a string always writes");
    out.extend_from_slice(b":[");
    out
}

/// A release package of `releases`; `next` (the next page's address) goes in `links.next`.
pub fn release_package(meta: &Meta, releases: &[Value], next: Option<String>) -> Vec<u8> {
    let mut m = meta.head();
    if let Some(next) = next {
        m.insert("links".into(), json!({"next": next}));
    }
    let mut out = open(m, "releases", releases.len() * 2048);
    for (i, r) in releases.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, r).expect("a JSON value always writes");
    }
    out.extend_from_slice(b"]}");
    out
}

/// Writes record packages, one record at a time, each with its releases and its compiled release.
pub struct RecordPackage<'m> {
    compiler: Compiler<'m>,
    out: Vec<u8>,
    records: usize,
}

impl RecordPackage<'static> {
    pub fn new(meta: &Meta) -> RecordPackage<'static> {
        let out = open(meta.head(), "records", 1 << 16);
        RecordPackage { compiler: crate::Merger::ocds_1_1().compiler(), out, records: 0 }
    }
}

impl RecordPackage<'_> {
    /// Adds the record of one contracting process: `releases` (oldest first, all of one `ocid`) and their
    /// compiled release.
    pub fn push(&mut self, ocid: &str, releases: &[Value]) -> Result<(), MergeError> {
        let mark = self.out.len();
        if self.records > 0 {
            self.out.push(b',');
        }
        self.out.extend_from_slice(b"{\"compiledRelease\":");
        if let Err(e) = self.compiler.write_json(releases, &mut self.out) {
            self.out.truncate(mark);
            return Err(e);
        }
        self.out.extend_from_slice(b",\"ocid\":");
        serde_json::to_writer(&mut self.out, ocid).expect("a string always writes");
        self.out.extend_from_slice(b",\"releases\":");
        serde_json::to_writer(&mut self.out, releases).expect("JSON values always write");
        self.out.push(b'}');
        self.records += 1;
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.records
    }

    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// The package's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(b"]}");
        self.out
    }
}
