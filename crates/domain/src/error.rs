//! The domain's one error type. Each variant has a stable code (an [`ErrorCode`]) and a message in Chinese and English;
//! the HTTP edge maps the kind to a status.

use serde::Serialize;
use std::fmt;

mod code;
pub use code::{ErrorCode, UnknownErrorCode};

/// What class of failure: decides the HTTP status at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Input that does not parse or breaks a rule about the input itself (422).
    Invalid,
    /// The actor may not do this (403).
    Forbidden,
    /// The object is not in a state where this can happen (409).
    Conflict,
    /// No such object, or not visible to the actor (404).
    NotFound,
}

/// A problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        FieldError { field: field.into(), code, message: zh.into(), message_en: en.into() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// One or more fields are wrong; forms show each beside its field.
    InvalidInput(Vec<FieldError>),
    /// The actor lacks the role or the organisation for this action.
    NotPermitted {
        action: &'static str,
    },
    /// Separation of duties: a reviewer from the purchasing organisation, or the designer, may not review.
    OwnProject,
    /// The action does not apply in the project's current step.
    WrongStep {
        action: &'static str,
        status: &'static str,
    },
    /// Someone changed the object since it was read (optimistic concurrency).
    StaleVersion,
    CategoryNotInCatalogue,
    CategoryOnNegativeList,
    ProviderIneligible,
    ProviderInactive,
    ContractExceedsEstimate,
    /// A movement would take more than a budget line's bucket holds.
    BudgetExceeded {
        needed: crate::money::Money,
        available: crate::money::Money,
    },
    NotFound {
        what: &'static str,
    },
    /// The rules forbid this now, for a reason with its own stable code (e.g. `bids_sealed`, `deadline_passed`).
    Refused {
        code: ErrorCode,
        zh: String,
        en: String,
    },
}

impl DomainError {
    pub fn field(field: &str, code: ErrorCode, zh: &str, en: &str) -> DomainError {
        DomainError::InvalidInput(vec![FieldError::new(field, code, zh, en)])
    }

    pub fn refused(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> DomainError {
        DomainError::Refused { code, zh: zh.into(), en: en.into() }
    }

    pub fn kind(&self) -> ErrorKind {
        use DomainError::*;
        match self {
            InvalidInput(_) | CategoryNotInCatalogue | CategoryOnNegativeList | ContractExceedsEstimate => {
                ErrorKind::Invalid
            }
            ProviderIneligible | ProviderInactive => ErrorKind::Invalid,
            NotPermitted { .. } | OwnProject => ErrorKind::Forbidden,
            WrongStep { .. } | StaleVersion | BudgetExceeded { .. } => ErrorKind::Conflict,
            NotFound { .. } => ErrorKind::NotFound,
            Refused { .. } => ErrorKind::Conflict,
        }
    }

    pub fn code(&self) -> ErrorCode {
        use DomainError::*;
        match self {
            InvalidInput(fields) if fields.len() == 1 => fields[0].code,
            InvalidInput(_) => ErrorCode::InvalidInput,
            NotPermitted { .. } => ErrorCode::Forbidden,
            OwnProject => ErrorCode::SeparationOfDuties,
            WrongStep { .. } => ErrorCode::WrongStep,
            StaleVersion => ErrorCode::StaleVersion,
            CategoryNotInCatalogue => ErrorCode::CategoryNotInCatalogue,
            CategoryOnNegativeList => ErrorCode::CategoryOnNegativeList,
            ProviderIneligible => ErrorCode::ProviderIneligible,
            ProviderInactive => ErrorCode::ProviderInactive,
            ContractExceedsEstimate => ErrorCode::ContractExceedsEstimate,
            BudgetExceeded { .. } => ErrorCode::BudgetExceeded,
            NotFound { .. } => ErrorCode::NotFound,
            Refused { code, .. } => *code,
        }
    }

    pub fn message_zh(&self) -> String {
        use DomainError::*;
        match self {
            InvalidInput(fields) if fields.len() == 1 => fields[0].message.clone(),
            InvalidInput(fields) => format!("有 {} 处填写有误，请修改后再提交", fields.len()),
            NotPermitted { .. } => "您没有进行此操作的权限".into(),
            OwnProject => "不能审核本单位或本人设计的项目（职责分离）".into(),
            WrongStep { status, .. } => {
                format!("项目当前处于“{}”，不能进行此操作", crate::project::status_label_zh(status))
            }
            StaleVersion => "项目已被他人修改，请刷新后重试".into(),
            CategoryNotInCatalogue => "所选服务类别不在指导性目录内，不能提交".into(),
            CategoryOnNegativeList => "所选事项属于负面清单，不得购买".into(),
            ProviderIneligible => "该单位不是合格的承接主体".into(),
            ProviderInactive => "该承接主体当前不可承接（已注销或被暂停）".into(),
            ContractExceedsEstimate => "合同金额不得超过审核通过的预算".into(),
            BudgetExceeded { needed, available } => format!(
                "预算不足：需要 {} 元，可用仅 {} 元（无预算不购买）",
                needed.display_yuan(),
                available.display_yuan()
            ),
            NotFound { .. } => "未找到，或您无权查看".into(),
            Refused { zh, .. } => zh.clone(),
        }
    }

    pub fn message_en(&self) -> String {
        use DomainError::*;
        match self {
            InvalidInput(fields) if fields.len() == 1 => fields[0].message_en.clone(),
            InvalidInput(fields) => format!("{} fields need correcting", fields.len()),
            NotPermitted { action } => format!("you are not permitted to {}", action.replace('_', " ")),
            OwnProject => "you cannot review a project of your own organisation or your own design".into(),
            WrongStep { action, status } => {
                format!("cannot {} while the project is at {}", action.replace('_', " "), status.replace('_', " "))
            }
            StaleVersion => "the project was changed by someone else; reload and try again".into(),
            CategoryNotInCatalogue => "the category is not in the guidance catalogue".into(),
            CategoryOnNegativeList => "the category is on the negative list and may not be purchased".into(),
            ProviderIneligible => "this organisation is not an eligible provider".into(),
            ProviderInactive => "this provider is not active".into(),
            ContractExceedsEstimate => "the contract amount exceeds the approved estimate".into(),
            BudgetExceeded { needed, available } => format!(
                "not enough budget: {} yuan needed, only {} yuan available (no budget, no purchase)",
                needed.display_yuan(),
                available.display_yuan()
            ),
            NotFound { what } => format!("{what} not found"),
            Refused { en, .. } => en.clone(),
        }
    }

    pub fn fields(&self) -> &[FieldError] {
        match self {
            DomainError::InvalidInput(f) => f,
            _ => &[],
        }
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message_en())
    }
}

impl std::error::Error for DomainError {}

/// Collects field errors while validating a form, so the user sees all of them at once.
#[derive(Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: impl Into<String>, code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) {
        self.0.push(FieldError::new(field, code, zh, en));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn has_field(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }
    /// Adds the field errors of `err` (other errors are ignored) except those about a field that already has
    /// a problem, or whose items do (`targets` when `targets[0]` is wrong), so each field gets one message.
    pub fn absorb(&mut self, err: DomainError) {
        if let DomainError::InvalidInput(fields) = err {
            for f in fields {
                let covered =
                    self.0.iter().any(|e| e.field == f.field || e.field.starts_with(&format!("{}[", f.field)));
                if !covered {
                    self.0.push(f);
                }
            }
        }
    }
    /// The problems as one error, for a caller that knows there is at least one.
    pub fn into_error(self) -> DomainError {
        DomainError::InvalidInput(self.0)
    }
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::InvalidInput(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absorb_keeps_one_message_per_field() {
        let mut p = Problems::default();
        p.add("targets[0]", ErrorCode::UnknownValue, "x", "x");
        p.add("period_start", ErrorCode::InvalidDate, "x", "x");
        p.absorb(DomainError::InvalidInput(vec![
            FieldError::new("targets", ErrorCode::Required, "y", "y"),
            FieldError::new("period_start", ErrorCode::PeriodTooLong, "y", "y"),
            FieldError::new("title", ErrorCode::Required, "y", "y"),
        ]));
        p.absorb(DomainError::OwnProject);
        let fields: Vec<String> = match p.into_result() {
            Err(DomainError::InvalidInput(f)) => f.into_iter().map(|f| f.field).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(fields, vec!["targets[0]", "period_start", "title"]);
    }

    #[test]
    fn single_field_errors_take_the_field_code() {
        let e = DomainError::field("reason", ErrorCode::ReasonRequired, "请写明原因", "give the reason");
        assert_eq!((e.code(), e.kind()), (ErrorCode::ReasonRequired, ErrorKind::Invalid));
        assert_eq!(DomainError::InvalidInput(vec![]).code(), ErrorCode::InvalidInput);
        assert_eq!(DomainError::OwnProject.kind(), ErrorKind::Forbidden);
    }
}
