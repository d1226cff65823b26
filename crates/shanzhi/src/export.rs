//! `shanzhi export ocds`: every public contracting process as OCDS release packages and record packages, a file
//! of each per page of processes, walked by project id so that memory stays that of one page whatever the size.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use shanzhi_app::{open_data, App};
use shanzhi_ocds::package::{release_package, Meta, RecordPackage};

/// What the export wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub processes: u64,
    pub releases: u64,
    pub files: u64,
}

/// Writes `out/releases/releases-NNNNNN.json` and `out/records/records-NNNNNN.json`, `per_file` processes to a
/// file, links and `uri`s under `base_url`.
pub async fn ocds(app: &App, out: &Path, base_url: &str, per_file: i64, progress: bool) -> Result<Written, String> {
    let publisher = open_data::publisher(app, base_url);
    let dirs = [out.join("releases"), out.join("records")];
    for d in &dirs {
        std::fs::create_dir_all(d).map_err(|e| format!("--out {}: {e}", d.display()))?;
    }
    let last = open_data::last_public_project(app).await.map_err(|e| e.to_string())?;
    let bar = if progress { ProgressBar::new(u64::try_from(last).unwrap_or(0)) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] project {pos}/{len}, {per_sec}, {eta} left")
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
    );
    bar.set_message("export ocds");
    let mut written = Written::default();
    let (mut after, mut n) = (0, 0);
    loop {
        let page = open_data::processes(app, &publisher, after, per_file).await.map_err(|e| e.to_string())?;
        let Some(end) = page.last().map(|p| p.project_id) else { break };
        n += 1;
        let now = app.clock.now();
        let file = |dir: &PathBuf, name: &str| dir.join(format!("{name}-{n:06}.json"));
        let uri = |name: &str| format!("{}/ocds/{name}/{name}-{n:06}.json", publisher.base_url);
        let mut records = RecordPackage::new(&Meta { uri: uri("records"), published: now, publisher: &publisher });
        let mut all: Vec<Value> = Vec::new();
        for p in page {
            let values: Vec<Value> = p.releases.into_iter().map(|r| r.value).collect();
            records.push(&p.ocid, &values).map_err(|e| format!("{}: {e}", p.ocid))?;
            written.releases += values.len() as u64;
            all.extend(values);
            written.processes += 1;
        }
        let meta = Meta { uri: uri("releases"), published: now, publisher: &publisher };
        write(&file(&dirs[0], "releases"), &release_package(&meta, &all, None))?;
        write(&file(&dirs[1], "records"), &records.finish())?;
        written.files += 2;
        after = end;
        bar.set_position(u64::try_from(end).unwrap_or(0));
    }
    bar.finish_and_clear();
    Ok(written)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("--out: cannot write {}: {e}", path.display()))
}
