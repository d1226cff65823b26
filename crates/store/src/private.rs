//! Folders and files only their owner can read: everything the platform creates in the data folder — the
//! folder itself, the SQLite database (its WAL and SHM files take the database file's mode), the keys,
//! uploads, exports. Folders are created with mode 700 and files with 600; an existing one keeps its mode.

use std::path::Path;

/// Creates `dir` and any missing parents, owner-only.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens `path` for writing, truncated, creating it owner-only if it does not exist.
pub fn create_file(path: &Path) -> std::io::Result<std::fs::File> {
    options().truncate(true).open(path)
}

/// Creates `path`, owner-only; fails if it exists.
pub fn create_new_file(path: &Path) -> std::io::Result<std::fs::File> {
    options().create_new(true).open(path)
}

/// Writes `bytes` to `path` (created owner-only, or truncated).
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = create_file(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

fn options() -> std::fs::OpenOptions {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_are_owner_only() {
        let root = std::env::temp_dir().join(format!("shanzhi-private-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        create_dir(&root.join("a/b")).unwrap();
        assert_eq!((mode(&root), mode(&root.join("a")), mode(&root.join("a/b"))), (0o700, 0o700, 0o700));
        write(&root.join("a/b/f"), b"x").unwrap();
        assert_eq!(mode(&root.join("a/b/f")), 0o600);
        assert!(create_new_file(&root.join("a/b/f")).is_err(), "create_new refuses an existing file");
        let _ = std::fs::remove_dir_all(&root);
    }
}
