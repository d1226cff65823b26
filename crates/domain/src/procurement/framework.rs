//! Framework agreements, stage two: call-offs from the admitted providers within the awarded amount.

use crate::audit::Action;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::{need_text, refused, CallOff, Method, Procurement, Stage};
use crate::calendar::china_date;
use crate::error::{DomainError, ErrorCode, Problems};
use crate::money::Money;
use crate::org::Actor;
use crate::project::Change;

impl Procurement {
    /// Framework agreement, stage two: the purchaser (for a service user) calls off an order from an admitted
    /// provider; together the orders stay within the awarded amount.
    pub fn call_off(
        &mut self,
        actor: &Actor,
        org_id: i64,
        amount: Money,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_runner(actor, "call_off")?;
        self.require_stage(&[Stage::Awarded], "call_off")?;
        let award = self.award.as_ref().filter(|_| self.method == Method::FrameworkAgreement).ok_or_else(|| {
            refused(ErrorCode::NotAFramework, "只有框架协议可以下单", "only a framework agreement takes call-offs")
        })?;
        let member = award.members.iter().find(|m| m.org_id == org_id).ok_or_else(|| {
            DomainError::field(
                "org_id",
                ErrorCode::NotAMember,
                "该供应商不是入围供应商",
                "that provider is not in the framework",
            )
        })?;
        let used: i64 = self.call_offs.iter().map(|c| c.amount.fen()).sum();
        let mut p = Problems::default();
        if !amount.is_positive() {
            p.add("amount", ErrorCode::MustBePositive, "金额必须大于零", "the amount must be more than zero");
        } else if used + amount.fen() > self.budget.fen() {
            p.add(
                "amount",
                ErrorCode::FrameworkExhausted,
                format!("累计下单将超过框架协议预算（已用 {} 元）", Money::from_fen(used).display_yuan()),
                format!(
                    "the orders would exceed the framework's budget ({} yuan used)",
                    Money::from_fen(used).display_yuan()
                ),
            );
        }
        need_text(&mut p, "note", note, 2, 2_000, "服务对象与内容", "service and recipient");
        p.into_result()?;
        let n = self.call_offs.len() as u32 + 1;
        let name = member.name.clone();
        self.call_offs.push(CallOff {
            n,
            org_id,
            org_name: name,
            amount,
            note: note.trim().into(),
            on: china_date(now),
            by: actor.user_id,
        });
        self.touch(now);
        Ok(Change::new(Action::ProcurementCallOff, json!({"n": n, "org_id": org_id, "amount": amount})))
    }
}
