//! Uploaded files go through one interface; the default keeps them in a folder under the data folder.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use shanzhi_domain::DomainError;
use std::path::PathBuf;

use crate::error::Result;

#[async_trait]
pub trait FileStorage: Send + Sync {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<()>;
    async fn get(&self, key: &str) -> Result<Vec<u8>>;
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
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        // Write then rename, so a crash never leaves a half-written file under the final name.
        let tmp = path.with_extension("part");
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(())
    }
    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        Ok(tokio::fs::read(self.root.join(key)).await?)
    }
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
        return Err(DomainError::field("file", "file_empty", "文件为空", "the file is empty"));
    }
    if bytes.len() as u64 > max_bytes {
        return Err(DomainError::field(
            "file",
            "file_too_large",
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
        "file_type_not_allowed",
        "只能上传 PDF、图片（PNG/JPG）、Word、Excel、文本或 CSV 文件",
        "only PDF, PNG/JPG images, Word, Excel, text or CSV files may be uploaded",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_type_size_and_content() {
        assert!(check_upload("报告.pdf", b"%PDF-1.7 ...", 100).is_ok());
        assert_eq!(check_upload("a.pdf", b"MZ\x90\x00", 100).unwrap_err().code(), "file_type_not_allowed");
        assert_eq!(check_upload("a.exe", b"%PDF-", 100).unwrap_err().code(), "file_type_not_allowed");
        assert_eq!(check_upload("a.pdf", &[b'%'; 200], 100).unwrap_err().code(), "file_too_large");
        assert_eq!(check_upload("a.txt", b"", 100).unwrap_err().code(), "file_empty");
        assert_eq!(check_upload("a.txt", &[0xff, 0xfe, 0x00], 100).unwrap_err().code(), "file_type_not_allowed");
        let (ct, sha) = check_upload("签到表.CSV", "姓名,日期".as_bytes(), 100).unwrap();
        assert!(ct.starts_with("text/csv"));
        assert_eq!(sha.len(), 64);
    }
}
