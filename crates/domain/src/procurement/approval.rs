//! Approval of a method other than open tender (采购方式审批) for a purchase at or above the open-tender threshold.
//!
//! The purchaser applies before the procurement starts, after its competent budget unit (主管预算单位) agreed in
//! writing; the finance department of a city with districts (设区的市、自治州) or above decides, and its decision
//! names the approving authority and the approval's document number (政府采购法 §27, 政府采购法实施条例 §23,
//! 财政部令第74号 §4, 财库〔2014〕214号 §3–4). When only one supplier can do it, the single-source public notice
//! runs first, in the procurement, and the application follows it (政府采购法实施条例 §38). Only the methods the law allows for services at that size can be
//! approved: invited tender (§29), competitive negotiation (§30), competitive consultation (214号 §3) and single
//! source (§31). Request for quotation is for goods (§32) and a framework agreement has its own rules.

use crate::audit::Action;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{need_text, refused, Method, SingleSource, SingleSourceCase};
use crate::calendar::china_date;
use crate::error::{DomainError, ErrorCode, Problems};
use crate::money::Money;
use crate::org::{region_within, Actor, OrgKind, Region, RegionLevel, Role};
use crate::project::Change;
use crate::rules::Rules;

/// The competent budget unit's written agreement, as the purchaser records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consent {
    /// The competent budget unit (主管预算单位).
    pub unit: String,
    /// The number of its written agreement, e.g. 夷民发〔2026〕12号.
    pub document_no: String,
}

/// What the purchaser applies for.
#[derive(Debug, Clone, Deserialize)]
pub struct ApprovalInput {
    pub method: Method,
    pub reason: String,
    pub consent: Consent,
    /// Single source: the case, the one provider and why (政府采购法 §31).
    #[serde(default)]
    pub single_source: Option<SingleSource>,
}

/// The finance department's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalDecision {
    pub approved: bool,
    /// The approving authority: the deciding finance department.
    pub authority_org_id: i64,
    pub authority: String,
    /// The approval's document number (批复文号); empty when refused.
    pub document_no: String,
    pub comment: String,
    pub by: i64,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// An application for another method, and finance's decision on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodApproval {
    pub id: i64,
    /// Incremented by every change; the store refuses a write based on an older version.
    pub version: i64,
    pub project_id: i64,
    pub project_code: String,
    pub title: String,
    pub purchaser_org_id: i64,
    pub purchaser_name: String,
    pub region: String,
    pub budget: Money,
    pub method: Method,
    pub single_source: Option<SingleSource>,
    pub reason: String,
    pub consent: Consent,
    pub requested_by: i64,
    pub requested_at: DateTime<Utc>,
    pub decision: Option<ApprovalDecision>,
}

/// An approval as the procurement that relies on it records it (and its notices publish it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRef {
    pub id: i64,
    pub authority: String,
    pub document_no: String,
    pub approved_on: NaiveDate,
}

/// The deciding organisation: a finance department, with the region it governs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    pub org_id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub region: Option<Region>,
}

impl Authority {
    /// Whether this organisation may approve another method for a purchase in `region`: the finance department
    /// of a city with districts or of a province, governing that region.
    pub fn approves_for(&self, region: &str) -> bool {
        self.kind == OrgKind::Finance
            && self.region.as_ref().is_some_and(|r| {
                matches!(r.level, RegionLevel::City | RegionLevel::Province) && region_within(region, &r.code)
            })
    }

    /// Refuses a decision by anyone but a reviewer of such a finance department.
    pub fn require(&self, actor: &Actor, region: &str, action: &'static str) -> Result<(), DomainError> {
        // Any finance reviewer is told why a county bureau cannot approve; anyone else is simply refused.
        let finance = actor.is_finance_reviewer() || actor.is_upper_finance_reviewer();
        if !(finance && actor.org_id == self.org_id) {
            return Err(DomainError::NotPermitted { action });
        }
        if !self.approves_for(region) {
            return Err(refused(
                ErrorCode::NotApprovalAuthority,
                "公开招标数额标准以上的项目采用其他采购方式，须由设区的市级以上人民政府财政部门批准（政府采购法 §27）",
                "another method at or above the open-tender threshold is approved by the finance department of a city with districts or above (政府采购法 §27)",
            ));
        }
        Ok(())
    }
}

/// What applying needs to know about the project.
pub struct ApprovalContext<'a> {
    pub project_id: i64,
    pub project_code: String,
    pub title: String,
    pub purchaser_org_id: i64,
    pub purchaser_name: String,
    pub region: String,
    pub budget: Money,
    /// As for [`super::StartContext::same_kind_total`]: with it the purchase may reach the threshold.
    pub same_kind_total: Money,
    /// A procurement of the project has started already (the approval must come before).
    pub started: bool,
    /// The project's single source (only one supplier) has run its public notice: the application follows it
    /// (政府采购法实施条例 §38).
    pub notice_ended: bool,
    /// An application of the project still waits for a decision.
    pub pending: bool,
    pub rules: &'a Rules,
}

/// Methods that can be approved for services at or above the threshold.
pub fn approvable(method: Method) -> bool {
    matches!(
        method,
        Method::InvitedTender | Method::CompetitiveNegotiation | Method::CompetitiveConsultation | Method::SingleSource
    )
}

impl MethodApproval {
    /// The purchaser applies, before any procurement of the project starts.
    pub fn request(
        ctx: &ApprovalContext,
        input: ApprovalInput,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(MethodApproval, Change), DomainError> {
        if !(actor.has(Role::Purchaser) && actor.org_id == ctx.purchaser_org_id) {
            return Err(DomainError::NotPermitted { action: "request_method_approval" });
        }
        let after_notice = input.method == Method::SingleSource
            && input.single_source.as_ref().is_some_and(|s| s.case == SingleSourceCase::OnlyOneSupplier);
        if after_notice && !ctx.notice_ended {
            return Err(refused(
                ErrorCode::NoticeFirst,
                "只能从唯一供应商处采购的，先在采购活动中进行单一来源公示（不少于 5 个工作日），公示期满后再报财政部门批准（政府采购法实施条例 §38）",
                "when only one supplier can do it, publish the single-source notice (5 working days) in the procurement first and apply once it has ended (政府采购法实施条例 §38)",
            ));
        }
        if ctx.started && !after_notice {
            return Err(refused(
                ErrorCode::ProcurementStarted,
                "采购方式须在采购活动开始前报经批准；本项目已开始采购活动",
                "another method must be approved before the procurement starts; this project's has started",
            ));
        }
        if ctx.pending {
            return Err(refused(
                ErrorCode::ApprovalPending,
                "本项目已有待批准的采购方式申请",
                "an application for this project awaits a decision",
            ));
        }
        let threshold = ctx.rules.open_tender_threshold_for(&ctx.region);
        let reaches = ctx.budget.checked_add(ctx.same_kind_total).is_none_or(|sum| sum >= threshold);
        if !reaches {
            return Err(refused(
                ErrorCode::ApprovalNotNeeded,
                format!("预算未达到公开招标数额标准（{} 元），采用其他采购方式无需批准", threshold.display_yuan()),
                format!(
                    "the budget is below the open-tender threshold ({} yuan): other methods need no approval",
                    threshold.yuan_string()
                ),
            ));
        }
        let mut p = Problems::default();
        if !approvable(input.method) {
            p.add(
                "method",
                ErrorCode::MethodNotApprovable,
                format!("{}不能经批准用于公开招标数额标准以上的服务采购", input.method.label_zh()),
                format!(
                    "{} cannot be approved for services at or above the open-tender threshold",
                    input.method.label_en().to_lowercase()
                ),
            );
        }
        need_text(&mut p, "reason", &input.reason, 10, 5_000, "申请理由", "reason");
        need_text(&mut p, "consent.unit", &input.consent.unit, 2, 200, "主管预算单位", "competent budget unit");
        need_text(
            &mut p,
            "consent.document_no",
            &input.consent.document_no,
            2,
            100,
            "主管预算单位同意文件的文号",
            "number of the budget unit's agreement",
        );
        let single_source = match (input.method, input.single_source) {
            (Method::SingleSource, None) => {
                p.add(
                    "single_source",
                    ErrorCode::Required,
                    "请写明单一来源的理由与供应商",
                    "give the single-source case and provider",
                );
                None
            }
            (Method::SingleSource, Some(s)) => {
                need_text(
                    &mut p,
                    "single_source.justification",
                    &s.justification,
                    20,
                    5_000,
                    "单一来源采购理由",
                    "single-source justification",
                );
                Some(s)
            }
            _ => None,
        };
        p.into_result()?;
        let a = MethodApproval {
            id: 0,
            version: 1,
            project_id: ctx.project_id,
            project_code: ctx.project_code.clone(),
            title: ctx.title.clone(),
            purchaser_org_id: ctx.purchaser_org_id,
            purchaser_name: ctx.purchaser_name.clone(),
            region: ctx.region.clone(),
            budget: ctx.budget,
            method: input.method,
            single_source,
            reason: input.reason.trim().into(),
            consent: Consent {
                unit: input.consent.unit.trim().into(),
                document_no: input.consent.document_no.trim().into(),
            },
            requested_by: actor.user_id,
            requested_at: now,
            decision: None,
        };
        let detail = json!({"project_id": a.project_id, "method": a.method.code(), "consent": a.consent.document_no});
        Ok((a, Change::new(Action::MethodApprovalRequest, detail)))
    }

    /// The finance department of a city with districts or above decides; an approval carries its document number.
    pub fn decide(
        &mut self,
        actor: &Actor,
        authority: &Authority,
        approved: bool,
        document_no: &str,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        authority.require(actor, &self.region, "decide_method_approval")?;
        if self.decision.is_some() {
            return Err(refused(ErrorCode::ApprovalDecided, "该申请已作出决定", "this application has been decided"));
        }
        let mut p = Problems::default();
        if approved {
            need_text(&mut p, "document_no", document_no, 2, 100, "批复文号", "approval's document number");
        } else {
            need_text(&mut p, "comment", comment, 4, 5_000, "不予批准的理由", "reason for refusing");
        }
        p.into_result()?;
        self.decision = Some(ApprovalDecision {
            approved,
            authority_org_id: authority.org_id,
            authority: authority.name.clone(),
            document_no: if approved { document_no.trim().into() } else { String::new() },
            comment: comment.trim().into(),
            by: actor.user_id,
            by_name: actor.display_name.clone(),
            at: now,
        });
        self.version += 1;
        let detail = json!({"approved": approved, "authority": authority.name, "document_no": document_no.trim()});
        Ok(Change::new(Action::MethodApprovalDecide, detail))
    }

    /// Approved, and for `method`.
    pub fn approves(&self, method: Method) -> bool {
        self.method == method && self.decision.as_ref().is_some_and(|d| d.approved)
    }

    /// The record a procurement keeps of the approval it relies on.
    pub fn reference(&self) -> Option<ApprovalRef> {
        let d = self.decision.as_ref().filter(|d| d.approved)?;
        Some(ApprovalRef {
            id: self.id,
            authority: d.authority.clone(),
            document_no: d.document_no.clone(),
            approved_on: china_date(d.at),
        })
    }

    /// Who may see the application: the purchaser's organisation, finance (the county's and the approving
    /// authorities'), supervisors of its region, the administrator.
    pub fn can_view(&self, actor: &Actor) -> bool {
        actor.has(Role::Admin)
            || actor.org_id == self.purchaser_org_id
            || actor.is_finance_reviewer()
            || actor.is_upper_finance_reviewer()
            || (actor.has(Role::Supervisor)
                && actor.supervisor_region.as_ref().is_some_and(|r| region_within(&self.region, r)))
    }
}
