//! Uploaded files go through one interface; the default keeps them in a folder under the data folder.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use shanzhi_domain::{DomainError, ErrorCode};
use std::path::{Path, PathBuf};

use crate::error::Result;

#[async_trait]
pub trait FileStorage: Send + Sync {
    /// Stores `bytes` under `key`: all of them, or nothing (a full disk is `StoreError::StorageFull`).
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<()>;
    async fn get(&self, key: &str) -> Result<Vec<u8>>;
    /// Removes what `put` stored, e.g. when recording the upload failed; a missing key is no error.
    async fn remove(&self, key: &str) -> Result<()>;
}

pub struct FolderStorage {
    root: PathBuf,
}

impl FolderStorage {
    pub fn new(root: PathBuf) -> FolderStorage {
        FolderStorage { root }
    }
}

#[async_trait]
impl FileStorage for FolderStorage {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<()> {
        let path = self.root.join(key);
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || write_whole(&path, &bytes))
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))??;
        Ok(())
    }
    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        Ok(tokio::fs::read(self.root.join(key)).await?)
    }
    async fn remove(&self, key: &str) -> Result<()> {
        match tokio::fs::remove_file(self.root.join(key)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

/// Writes a partial file, flushed to disk, then renames it: a crash never leaves a half-written file under
/// the final name, and a failed write (a full disk) removes its partial file. Folders and files are
/// owner-only.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        crate::private::create_dir(parent)?;
    }
    let part = path.with_extension("part");
    let written = crate::private::write(&part, bytes).and_then(|()| std::fs::rename(&part, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    written
}

/// The kinds of file a service report may carry, recognised by extension *and* content.
pub const ALLOWED: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("txt", "text/plain; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
];

/// Checks an upload's name, size and content. Returns its content type and SHA-256.
pub fn check_upload(name: &str, bytes: &[u8], max_bytes: u64) -> Result<(&'static str, String), DomainError> {
    if bytes.is_empty() {
        return Err(DomainError::field("file", ErrorCode::FileEmpty, "文件为空", "the file is empty"));
    }
    if bytes.len() as u64 > max_bytes {
        return Err(DomainError::field(
            "file",
            ErrorCode::FileTooLarge,
            &format!("文件不能超过 {} MB", max_bytes / 1024 / 1024),
            &format!("the file must be at most {} MB", max_bytes / 1024 / 1024),
        ));
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let Some((_, content_type)) = ALLOWED.iter().find(|(e, _)| *e == ext) else {
        return Err(unsupported());
    };
    let content_ok = match ext.as_str() {
        "pdf" => bytes.starts_with(b"%PDF-"),
        "png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "jpg" | "jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "docx" | "xlsx" => bytes.starts_with(b"PK\x03\x04"),
        _ => std::str::from_utf8(bytes).is_ok(),
    };
    if !content_ok {
        return Err(unsupported());
    }
    Ok((content_type, hex::encode(Sha256::digest(bytes))))
}

fn unsupported() -> DomainError {
    DomainError::field(
        "file",
        ErrorCode::FileTypeNotAllowed,
        "只能上传 PDF、图片（PNG/JPG）、Word、Excel、文本或 CSV 文件",
        "only PDF, PNG/JPG images, Word, Excel, text or CSV files may be uploaded",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The partial file's name leads to /dev/full, where every write fails with "no space left on device".
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_write_on_a_full_disk_leaves_no_partial_file() {
        let root = std::env::temp_dir().join(format!("shanzhi-full-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("ab")).unwrap();
        std::os::unix::fs::symlink("/dev/full", root.join("ab/abc-1.part")).unwrap();
        let storage = FolderStorage::new(root.clone());
        let err = storage.put("ab/abc-1", b"%PDF-1.4 report").await.unwrap_err();
        assert!(matches!(err, crate::StoreError::StorageFull(_)), "{err}");
        assert!(std::fs::symlink_metadata(root.join("ab/abc-1.part")).is_err(), "the partial file is removed");
        assert!(!root.join("ab/abc-1").exists());
        storage.put("ab/abc-2", b"%PDF-1.4 report").await.unwrap();
        assert_eq!(storage.get("ab/abc-2").await.unwrap(), b"%PDF-1.4 report");
        storage.remove("ab/abc-2").await.unwrap();
        storage.remove("ab/abc-2").await.unwrap();
        assert!(!root.join("ab/abc-2").exists());
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn checks_type_size_and_content() {
        assert!(check_upload("报告.pdf", b"%PDF-1.7 ...", 100).is_ok());
        assert_eq!(check_upload("a.pdf", b"MZ\x90\x00", 100).unwrap_err().code(), ErrorCode::FileTypeNotAllowed);
        assert_eq!(check_upload("a.exe", b"%PDF-", 100).unwrap_err().code(), ErrorCode::FileTypeNotAllowed);
        assert_eq!(check_upload("a.pdf", &[b'%'; 200], 100).unwrap_err().code(), ErrorCode::FileTooLarge);
        assert_eq!(check_upload("a.txt", b"", 100).unwrap_err().code(), ErrorCode::FileEmpty);
        assert_eq!(check_upload("a.txt", &[0xff, 0xfe, 0x00], 100).unwrap_err().code(), ErrorCode::FileTypeNotAllowed);
        let (ct, sha) = check_upload("签到表.CSV", "姓名,日期".as_bytes(), 100).unwrap();
        assert!(ct.starts_with("text/csv"));
        assert_eq!(sha.len(), 64);
    }
}
