//! The award: a direct purchase below the procurement limit, or the winner of a finished procurement.

use super::*;
use crate::audit::Action;
use crate::error::ErrorCode;

impl Project {
    /// Records a direct purchase below the procurement limit (采购限额标准) from an eligible, active provider.
    pub fn award_direct(
        &mut self,
        actor: &Actor,
        provider: ProviderInfo,
        rules: &Rules,
        justification: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.may(actor, Act::Award)?;
        let limit = rules.procurement_limit_for(self.design.regions.first().map(String::as_str).unwrap_or(""));
        if self.total() >= limit {
            return Err(DomainError::refused(
                ErrorCode::AboveProcurementLimit,
                format!(
                    "预算 {} 元达到采购限额标准（{} 元），不能直接确定承接主体，请按法定采购方式组织采购",
                    self.total().display_yuan(),
                    limit.display_yuan()
                ),
                format!(
                    "a budget of {} yuan reaches the procurement limit ({} yuan): procure by a statutory method",
                    self.total().display_yuan(),
                    limit.display_yuan()
                ),
            ));
        }
        if !provider.kind.is_provider_kind() || provider.class_one {
            return Err(DomainError::ProviderIneligible);
        }
        if !provider.active {
            return Err(DomainError::ProviderInactive);
        }
        provider.check_not_barred(crate::clock::china_date(now))?;
        let justification = justification.trim();
        if justification.chars().count() < 10 {
            return Err(DomainError::field(
                "justification",
                ErrorCode::JustificationRequired,
                "请写明直接确定承接主体的理由（至少 10 个字）",
                "give the reason for the direct award (at least 10 characters)",
            ));
        }
        let detail = json!({"provider_org_id": provider.org_id, "provider": provider.name, "method": "direct_award"});
        self.award = Some(Award {
            method: AwardMethod::Direct,
            provider,
            justification: justification.to_string(),
            amount: self.total(),
            at: now,
            by: actor.user_id,
        });
        self.status = Status::Contract;
        self.touch(now);
        Ok(Change::new(Action::ProjectAward, detail))
    }

    /// Takes the winner of a finished procurement as the project's award; the contract step follows.
    pub fn award_from_procurement(
        &mut self,
        p: &crate::procurement::Procurement,
        provider: ProviderInfo,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_status(&[Status::Procurement], "award")?;
        let award = p.award.as_ref().filter(|a| !a.void && p.project_id == self.id);
        let Some(award) = award.filter(|a| a.winner.org_id == provider.org_id) else {
            return Err(DomainError::NotFound { what: "award" });
        };
        if !provider.kind.is_provider_kind() || provider.class_one {
            return Err(DomainError::ProviderIneligible);
        }
        provider.check_not_barred(crate::clock::china_date(now))?;
        let justification = match &award.winner.score {
            Some(score) => format!("{}确定，综合得分 {score}", p.method.label_zh()),
            None => format!("{}确定，报价 {} 元", p.method.label_zh(), award.winner.price.display_yuan()),
        };
        let detail = json!({"provider_org_id": provider.org_id, "provider": provider.name, "method": p.method.code(), "procurement_id": p.id});
        self.award = Some(Award {
            method: AwardMethod::Procured(p.method),
            provider,
            justification,
            amount: award.winner.price,
            at: now,
            by: award.by,
        });
        self.status = Status::Contract;
        self.touch(now);
        Ok(Change::new(Action::ProjectAward, detail))
    }
}
