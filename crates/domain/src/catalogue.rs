//! The guidance catalogue (指导性目录) and the negative list (负面清单).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    /// On the negative list: may never be purchased.
    pub negative: bool,
}

/// Where a project's category stands, as looked up by the caller in the current catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryStatus {
    Listed,
    Negative,
    Unknown,
}

/// Looks `code` up in `catalogue`. A category under a negative head is negative too.
pub fn category_status(catalogue: &[Category], code: &str) -> CategoryStatus {
    let mut current = catalogue.iter().find(|c| c.code == code);
    if current.is_none() {
        return CategoryStatus::Unknown;
    }
    // Walk up: a parent on the negative list taints its children. Bounded by the catalogue's size against cycles.
    for _ in 0..=catalogue.len() {
        match current {
            Some(c) if c.negative => return CategoryStatus::Negative,
            Some(c) => current = c.parent.as_deref().and_then(|p| catalogue.iter().find(|x| x.code == p)),
            None => break,
        }
    }
    CategoryStatus::Listed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(code: &str, parent: Option<&str>, negative: bool) -> Category {
        Category { code: code.into(), name: code.into(), parent: parent.map(Into::into), negative }
    }

    #[test]
    fn statuses() {
        let c = vec![
            cat("A", None, false),
            cat("A01", Some("A"), false),
            cat("X", None, true),
            cat("X05", Some("X"), false),
        ];
        assert_eq!(category_status(&c, "A01"), CategoryStatus::Listed);
        assert_eq!(category_status(&c, "X"), CategoryStatus::Negative);
        assert_eq!(category_status(&c, "X05"), CategoryStatus::Negative, "inherits the negative head");
        assert_eq!(category_status(&c, "Z9"), CategoryStatus::Unknown);
    }
}
