//! Writes the fixture's processes — every kind of release the platform emits — as a release package and a record
//! package into the folder given, for the official validator (`.ci/run`):
//! `cargo run -p shanzhi-ocds --example every_kind -- DIR`.

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use shanzhi_ocds::package::{release_package, Meta, RecordPackage};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: every_kind DIR");
    let publisher = fixture::publisher();
    let meta = |name: &str| Meta {
        uri: format!("{}/{name}", publisher.base_url),
        published: fixture::at("2027-08-01T00:00:00Z"),
        publisher: &publisher,
    };
    let (mut all, mut records) = (Vec::new(), RecordPackage::new(&meta("records.json")));
    for (project, notices) in fixture::all() {
        let values: Vec<_> =
            shanzhi_ocds::process::releases(&publisher, &project, &notices).into_iter().map(|r| r.value).collect();
        records.push(&publisher.ocid(&project.code), &values).expect("the fixture's releases merge");
        all.extend(values);
    }
    std::fs::create_dir_all(&dir).expect("the folder can be made");
    let out = std::path::Path::new(&dir);
    std::fs::write(out.join("every-kind-releases.json"), release_package(&meta("releases.json"), &all, None))
        .expect("written");
    std::fs::write(out.join("every-kind-records.json"), records.finish()).expect("written");
    println!("{} releases of every kind written to {dir}", all.len());
}
