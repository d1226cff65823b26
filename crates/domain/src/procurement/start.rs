//! Starting a procurement: the method checked against the thresholds and its own preconditions, the documents
//! checked, and the new procurement in draft.

use crate::audit::Action;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::{
    need_text, refused, CriterionSpec, Documents, Method, MethodApproval, Procurement, Scoring, SingleSourceCase, Stage,
};
use crate::calendar::china_date;
use crate::error::{DomainError, ErrorCode, Problems};
use crate::money::Money;
use crate::org::{Actor, Role};
use crate::project::Change;
use crate::rules::Rules;
use crate::scoring::{self, Criterion, Procedure};

/// What starting a procurement needs to know about the project and its history.
pub struct StartContext<'a> {
    pub project_id: i64,
    pub project_code: String,
    pub title: String,
    pub purchaser_org_id: i64,
    pub purchaser_name: String,
    pub category: String,
    pub region: String,
    pub budget: Money,
    /// The department's other purchases of the same category this year that did not use open tender, summed:
    /// together with this one they must stay under the open-tender threshold (no splitting).
    pub same_kind_total: Money,
    /// The last procurement of this project, when it failed.
    pub previous: Option<&'a Procurement>,
    /// The project's approved application for another method, if any.
    pub approval: Option<&'a MethodApproval>,
    pub rules: &'a Rules,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StartInput {
    pub method: Method,
    pub documents: Documents,
    #[serde(default)]
    pub agency_org_id: Option<i64>,
}

/// Whether a procurement may start after the project's latest one (none, or one that failed with no request to
/// change the method still waiting): what the start form is offered on, and what the start checks first.
pub fn may_follow(previous: Option<&Procurement>) -> Result<(), DomainError> {
    let Some(prev) = previous else { return Ok(()) };
    if prev.stage != Stage::Failed {
        return Err(refused(
            ErrorCode::ProcurementRunning,
            "本项目已有正在进行的采购活动",
            "this project already has a procurement under way",
        ));
    }
    if prev.switch.as_ref().is_some_and(|s| s.decision.is_none()) {
        return Err(refused(
            ErrorCode::SwitchPending,
            "变更采购方式的申请尚待财政部门批准",
            "the request to change the method awaits finance's decision",
        ));
    }
    Ok(())
}

/// Checks the method against the thresholds: open tender above the threshold (and when splitting would bring
/// the department's same-kind purchases there) unless finance approved another method before the start, the
/// method's own preconditions, and the documents.
pub fn check_start(ctx: &StartContext, input: &StartInput) -> Result<(), DomainError> {
    let rules = ctx.rules;
    let method = input.method;
    let doc = &input.documents;
    let mut p = Problems::default();
    let switched =
        ctx.previous.and_then(|prev| prev.switch.as_ref()).filter(|s| s.decision.as_ref().is_some_and(|d| d.approved));
    may_follow(ctx.previous)?;
    if let Some(prev) = ctx.previous {
        let allowed = switched.map(|s| s.to).unwrap_or(prev.method);
        if method != allowed {
            p.add(
                "method",
                ErrorCode::MethodNotApproved,
                format!("采购失败后只能以原方式重新采购，或以财政部门批准的方式（{}）采购", allowed.label_zh()),
                format!(
                    "after a failure, procure again by the same method or the one finance approved ({})",
                    allowed.code()
                ),
            );
        }
    }
    let threshold = rules.open_tender_threshold_for(&ctx.region);
    let approved = ctx.approval.filter(|a| a.approves(method));
    if method != Method::OpenTender && switched.is_none() && approved.is_none() && !notice_first(method, doc) {
        if ctx.budget >= threshold {
            p.add(
                "method",
                ErrorCode::OpenTenderRequired,
                format!(
                    "预算 {} 元达到公开招标数额标准（{} 元），应当公开招标；采用其他方式须在采购活动开始前报设区的市级以上财政部门批准",
                    ctx.budget.display_yuan(),
                    threshold.display_yuan()
                ),
                format!(
                    "a budget of {} yuan reaches the open-tender threshold ({} yuan): use open tender, or have another method approved by the finance department of a city with districts or above before starting",
                    ctx.budget.display_yuan(),
                    threshold.display_yuan()
                ),
            );
        } else if ctx.budget.checked_add(ctx.same_kind_total).is_none_or(|sum| sum >= threshold) {
            p.add(
                "method",
                ErrorCode::SplitPurchase,
                format!(
                    "本单位本年度同类服务已以非公开招标方式采购 {} 元，加上本项目将达到公开招标数额标准（{} 元）：不得化整为零规避公开招标",
                    ctx.same_kind_total.display_yuan(),
                    threshold.display_yuan()
                ),
                format!(
                    "this year's other purchases of the same kind by other methods total {} yuan; with this one they reach the open-tender threshold ({} yuan): a purchase may not be split to avoid open tender",
                    ctx.same_kind_total.display_yuan(),
                    threshold.display_yuan()
                ),
            );
        }
    }
    need_text(&mut p, "documents.requirements", &doc.requirements, 10, 20_000, "采购需求", "requirements");
    need_text(
        &mut p,
        "documents.qualifications",
        &doc.qualifications,
        2,
        5_000,
        "资格要求",
        "qualification requirements",
    );
    if let (Some(a), Method::SingleSource) = (approved, method) {
        // The approval names the case and the provider: the documents keep to them.
        let same = a
            .single_source
            .as_ref()
            .zip(doc.single_source.as_ref())
            .is_some_and(|(x, y)| x.case == y.case && x.provider_org_id == y.provider_org_id);
        if !same {
            p.add(
                "documents.single_source",
                ErrorCode::ApprovalMismatch,
                "单一来源的情形或供应商与财政部门批准的不一致",
                "the single-source case or provider differs from the one finance approved",
            );
        }
    }
    let (min_sme, max_sme) = (rules.sme_price_deduction_min_bp, rules.sme_price_deduction_max_bp);
    if method != Method::SingleSource && !(min_sme..=max_sme).contains(&doc.sme_deduction_bp) {
        p.add(
            "documents.sme_deduction_bp",
            ErrorCode::OutOfRange,
            format!("服务项目的小微企业价格扣除比例应为 {}%–{}%（财库〔2022〕19号）", min_sme / 100, max_sme / 100),
            format!(
                "the small-business price deduction for services is {}–{} % (财库〔2022〕19号)",
                min_sme / 100,
                max_sme / 100
            ),
        );
    }
    for (i, k) in doc.admitted_kinds.iter().enumerate() {
        if !k.is_provider_kind() {
            p.add(
                format!("documents.admitted_kinds[{i}]"),
                ErrorCode::NotProviderKind,
                format!("{}不是承接主体的类型", k.label_zh()),
                format!("{} is not a kind of provider", k.label_en().to_lowercase()),
            );
        }
    }
    match &doc.scoring {
        Scoring::LowestPrice if method.requires_comprehensive() => p.add(
            "documents.scoring",
            ErrorCode::ComprehensiveRequired,
            "竞争性磋商应当采用综合评分法",
            "competitive consultation uses comprehensive scoring",
        ),
        Scoring::Comprehensive { .. } if !method.allows_comprehensive() => p.add(
            "documents.scoring",
            ErrorCode::LowestPriceRequired,
            format!("{}应当以最低报价确定成交供应商", method.label_zh()),
            format!("{} awards the lowest compliant price", method.label_en().to_lowercase()),
        ),
        Scoring::Comprehensive { price_weight_bp, criteria } => {
            let scoring::Method::Comprehensive { procedure, criteria: weights, .. } =
                scoring_method(method, *price_weight_bp, criteria)
            else {
                unreachable!("scoring_method is comprehensive")
            };
            if let Err(e) = scoring::validate_weights(procedure, *price_weight_bp, &weights, rules) {
                for f in e.fields() {
                    p.add(format!("documents.scoring.{}", f.field), f.code, f.message.clone(), f.message_en.clone());
                }
            }
            for (i, c) in criteria.iter().enumerate() {
                need_text(
                    &mut p,
                    &format!("documents.scoring.criteria[{i}].name"),
                    &c.name,
                    1,
                    100,
                    "评分因素名称",
                    "criterion name",
                );
            }
        }
        Scoring::LowestPrice => {}
    }
    if method.allows_comprehensive() || method == Method::CompetitiveNegotiation {
        need_text(&mut p, "documents.tie_rule", &doc.tie_rule, 4, 500, "并列时的确定规则", "tie rule");
    }
    match method {
        Method::InvitedTender => {
            let mut invited = doc.invited.clone();
            invited.sort_unstable();
            invited.dedup();
            if invited.len() < rules.min_bidders as usize {
                p.add(
                    "documents.invited",
                    ErrorCode::TooFewInvited,
                    format!("邀请招标应当邀请至少 {} 家供应商", rules.min_bidders),
                    format!("invite at least {} providers", rules.min_bidders),
                );
            }
        }
        Method::SingleSource => match &doc.single_source {
            None => p.add(
                "documents.single_source",
                ErrorCode::Required,
                "请写明单一来源的理由与供应商",
                "give the single-source case and provider",
            ),
            Some(s) => need_text(
                &mut p,
                "documents.single_source.justification",
                &s.justification,
                20,
                5_000,
                "单一来源采购理由",
                "single-source justification",
            ),
        },
        Method::FrameworkAgreement if doc.framework_members.is_none_or(|n| n < 2) => p.add(
            "documents.framework_members",
            ErrorCode::TooFewMembers,
            "框架协议应当确定至少 2 家入围供应商",
            "a framework agreement admits at least 2 providers",
        ),
        _ => {}
    }
    if let Some(agency) = input.agency_org_id {
        if agency == ctx.purchaser_org_id {
            p.add(
                "agency_org_id",
                ErrorCode::InvalidAgency,
                "代理机构不能是本单位",
                "the agency cannot be the purchaser itself",
            );
        }
    }
    p.into_result()
}

/// Only one supplier can do it: the single-source public notice comes first, and finance's approval (at or above
/// the threshold) after it, before the negotiation (政府采购法实施条例 §38).
fn notice_first(method: Method, doc: &Documents) -> bool {
    method == Method::SingleSource
        && doc.single_source.as_ref().is_some_and(|s| s.case == SingleSourceCase::OnlyOneSupplier)
}

/// Whether this method, at this budget, needs finance's approval: another method at or above the open-tender
/// threshold (or reaching it with the department's same-kind purchases), unless finance approved a switch.
fn approval_needed(ctx: &StartContext, method: Method) -> bool {
    let threshold = ctx.rules.open_tender_threshold_for(&ctx.region);
    let switched =
        ctx.previous.and_then(|p| p.switch.as_ref()).is_some_and(|s| s.decision.as_ref().is_some_and(|d| d.approved));
    method != Method::OpenTender
        && !switched
        && ctx.budget.checked_add(ctx.same_kind_total).is_none_or(|sum| sum >= threshold)
}

pub(super) fn scoring_method(method: Method, price_weight_bp: u32, criteria: &[CriterionSpec]) -> scoring::Method {
    scoring::Method::Comprehensive {
        procedure: if method == Method::CompetitiveConsultation {
            Procedure::CompetitiveConsultation
        } else {
            Procedure::Tender
        },
        price_weight_bp,
        criteria: criteria.iter().map(|c| Criterion { key: c.key.clone(), weight_bp: c.weight_bp }).collect(),
    }
}

impl Procurement {
    /// A new procurement in draft; the purchase intention is published today.
    pub fn start(
        ctx: &StartContext,
        input: StartInput,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(Procurement, Change), DomainError> {
        if !(actor.has(Role::Purchaser) && actor.org_id == ctx.purchaser_org_id) {
            return Err(DomainError::NotPermitted { action: "start_procurement" });
        }
        check_start(ctx, &input)?;
        let p = Procurement {
            id: 0,
            project_id: ctx.project_id,
            project_code: ctx.project_code.clone(),
            title: ctx.title.clone(),
            version: 1,
            method: input.method,
            stage: Stage::Draft,
            purchaser_org_id: ctx.purchaser_org_id,
            purchaser_name: ctx.purchaser_name.clone(),
            agency_org_id: input.agency_org_id,
            category: ctx.category.clone(),
            region: ctx.region.clone(),
            budget: ctx.budget,
            documents: input.documents,
            intention_on: china_date(now),
            published_on: None,
            bid_deadline: None,
            interests: vec![],
            documents_obtained: vec![],
            approval: ctx.approval.filter(|a| a.approves(input.method)).and_then(MethodApproval::reference),
            approval_required: approval_needed(ctx, input.method)
                && !ctx.approval.is_some_and(|a| a.approves(input.method)),
            questions: vec![],
            clarifications: vec![],
            opening: None,
            committee: None,
            rounds: vec![],
            final_deadline: None,
            final_opening: None,
            compliance: vec![],
            marks: vec![],
            low_prices: vec![],
            evaluated_at: None,
            report: None,
            award: None,
            failure: None,
            switch: None,
            replaces: ctx.previous.map(|p| p.id),
            after_failed_open_tender: ctx
                .previous
                .is_some_and(|p| p.method == Method::OpenTender || p.after_failed_open_tender),
            challenges: vec![],
            suspensions: vec![],
            call_offs: vec![],
            created_at: now,
            updated_at: now,
        };
        let approval = p.approval.as_ref().map(|a| a.document_no.clone());
        let detail = json!({"method": p.method.code(), "project_id": p.project_id, "agency_org_id": p.agency_org_id, "approval": approval});
        Ok((p, Change::new(Action::ProcurementStart, detail)))
    }
}
