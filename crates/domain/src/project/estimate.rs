//! The cost estimate step: cost lines priced against the standards, and the budget lines that fund them.

use super::*;
use crate::audit::Action;
use crate::error::ErrorCode;

/// Turns cost line inputs into priced lines, checking each.
pub fn price_lines(
    lines: &[CostLineInput],
    standards: &[Standard],
    fee_cap_bp: u32,
) -> Result<Vec<CostLine>, DomainError> {
    let mut p = Problems::default();
    if lines.is_empty() {
        p.add("cost_lines", ErrorCode::Required, "请至少填写一项费用", "add at least one cost line");
    }
    if lines.len() > 200 {
        p.add("cost_lines", ErrorCode::TooManyLines, "费用明细不能超过 200 项", "at most 200 cost lines");
    }
    let mut out = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        if l.item.trim().is_empty() {
            p.add(format!("cost_lines[{i}].item"), ErrorCode::Required, "请填写费用名称", "enter the item");
        }
        if l.quantity.hundredths() <= 0 {
            p.add(
                format!("cost_lines[{i}].quantity"),
                ErrorCode::QuantityNotPositive,
                "数量必须大于 0",
                "the quantity must be above 0",
            );
        }
        if l.unit_price.fen() <= 0 {
            p.add(
                format!("cost_lines[{i}].unit_price"),
                ErrorCode::PriceNotPositive,
                "单价必须大于 0",
                "the unit price must be above 0",
            );
        }
        let reason = l.reason.trim().to_string();
        let mut over_standard = false;
        if let Some(code) = l.standard.as_deref().filter(|c| !c.is_empty()) {
            match standards.iter().find(|s| s.code == code) {
                None => p.add(
                    format!("cost_lines[{i}].standard"),
                    ErrorCode::UnknownStandard,
                    "支出标准不存在",
                    "no such spending standard",
                ),
                Some(s) if l.unit_price > s.max_unit_price => {
                    over_standard = true;
                    if reason.chars().count() < 4 {
                        p.add(
                            format!("cost_lines[{i}].reason"),
                            ErrorCode::AboveStandard,
                            format!(
                                "单价超过支出标准“{}”（每{}不超过 {} 元），请写明理由",
                                s.name,
                                s.unit,
                                s.max_unit_price.display_yuan()
                            ),
                            format!(
                                "the unit price is above the standard “{}” ({} yuan per {}): give the reason",
                                s.name,
                                s.max_unit_price.display_yuan(),
                                s.unit
                            ),
                        );
                    }
                }
                Some(_) => {}
            }
        }
        match l.unit_price.times_hundredths(l.quantity.hundredths()) {
            Some(amount) => out.push(CostLine {
                kind: l.kind,
                item: l.item.trim().to_string(),
                quantity: l.quantity,
                unit: l.unit.trim().to_string(),
                unit_price: l.unit_price,
                amount,
                standard: l.standard.clone().filter(|c| !c.is_empty()),
                over_standard,
                reason,
            }),
            None => p.add(format!("cost_lines[{i}]"), ErrorCode::AmountTooLarge, "金额过大", "the amount is too large"),
        }
    }
    // Management fees above the cap are allowed only with a reason on each fee line.
    let fees: Money = out.iter().filter(|l| l.kind == CostKind::ManagementFee).map(|l| l.amount).sum();
    let others: Money = out.iter().filter(|l| l.kind != CostKind::ManagementFee).map(|l| l.amount).sum();
    if crate::standards::management_fee_above_cap(fees, others, fee_cap_bp) {
        for (i, l) in out.iter_mut().enumerate().filter(|(_, l)| l.kind == CostKind::ManagementFee) {
            l.over_standard = true;
            if l.reason.chars().count() < 4 {
                p.add(
                    format!("cost_lines[{i}].reason"),
                    ErrorCode::ManagementFeeAboveCap,
                    format!("管理费超过其他费用的 {}.{:02}%，请写明理由", fee_cap_bp / 100, fee_cap_bp % 100),
                    format!(
                        "management fees exceed {}.{:02}% of the other costs: give the reason",
                        fee_cap_bp / 100,
                        fee_cap_bp % 100
                    ),
                );
            }
        }
    }
    p.into_result()?;
    Ok(out)
}

impl Project {
    pub fn set_cost_estimate(
        &mut self,
        actor: &Actor,
        lines: &[CostLineInput],
        standards: &[Standard],
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.may(actor, Act::SetCostEstimate)?;
        self.cost_lines = price_lines(lines, standards, rules.management_fee_cap_bp)?;
        self.touch(now);
        let flagged = self.cost_lines.iter().filter(|l| l.over_standard).count();
        Ok(Change::new(
            Action::ProjectCostEstimate,
            json!({"lines": self.cost_lines.len(), "total": self.total(), "over_standard": flagged}),
        ))
    }

    /// Says which budget lines pay for the estimate. The caller has checked the lines are the purchaser's own.
    pub fn set_funding(
        &mut self,
        actor: &Actor,
        lines: Vec<FundingLine>,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.may(actor, Act::SetFunding)?;
        check_plan(&lines, self.total())?;
        check_years(&lines, self.design.period_start, self.design.period_end)?;
        let detail = json!({"lines": lines.len(), "total": self.total()});
        self.funding = lines;
        self.touch(now);
        Ok(Change::new(Action::ProjectFunding, detail))
    }
}
