//! The contract step: the contract follows the award (its price, and a term that begins no earlier), and
//! commits the funding plan's money; with the ledger arithmetic of what each funding line has committed and
//! paid.

use super::*;
use crate::audit::Action;
use crate::deadlines::date_zh;
use crate::error::ErrorCode;
use crate::procurement::{Method, Procurement};
use chrono::Datelike;

impl Project {
    /// The price the contract must be signed at: after a competitive procurement the awarded price; after a
    /// framework agreement what has been called off from the project's provider (zero while nothing has);
    /// `None` after a direct award, which may be contracted at up to the approved estimate.
    pub fn contract_price(&self, procurement: Option<&Procurement>) -> Option<Money> {
        let award = self.award.as_ref().filter(|a| a.method != AwardMethod::Direct)?;
        if award.method != AwardMethod::Procured(Method::FrameworkAgreement) {
            return Some(award.amount);
        }
        let call_offs = procurement.filter(|q| q.project_id == self.id).map(|q| q.call_offs.as_slice()).unwrap_or(&[]);
        Some(call_offs.iter().filter(|c| c.org_id == award.provider.org_id).map(|c| c.amount).sum())
    }

    pub(super) fn planned(&self) -> Vec<Money> {
        self.funding.iter().map(|l| l.amount).collect()
    }

    /// Per funding line, what the contract commits: the contract amount split in proportion to the plan.
    /// Supplementary contracts commit on their own lines.
    pub fn committed_by_line(&self) -> Vec<Money> {
        match &self.contract {
            Some(c) => split(c.amount, &self.planned()),
            None => vec![Money::ZERO; self.funding.len()],
        }
    }

    /// Every funding line with what the contract has committed on it: the original plan's lines, then each
    /// signed supplementary contract's.
    pub fn committed_lines(&self) -> Vec<(&FundingLine, Money)> {
        let mut out: Vec<(&FundingLine, Money)> = self.funding.iter().zip(self.committed_by_line()).collect();
        for s in self.contract.iter().flat_map(|c| &c.supplements).filter(|s| s.status == SupplementStatus::Signed) {
            out.extend(s.funding.iter().map(|l| (l, l.amount)));
        }
        out
    }

    /// Per funding line, what the original contract's accepted milestones have paid. Each payment is split in
    /// proportion to what is still committed on each line, so no line is ever paid more than it committed and
    /// the last milestone pays exactly what is left.
    pub fn paid_by_line(&self) -> Vec<Money> {
        let committed = self.committed_by_line();
        let mut paid = vec![Money::ZERO; committed.len()];
        let original = |m: &&Milestone| m.status == MilestoneStatus::Accepted && m.supplement.is_none();
        for m in self.contract.iter().flat_map(|c| &c.milestones).filter(original) {
            let remaining: Vec<Money> = committed.iter().zip(&paid).map(|(c, p)| *c - *p).collect();
            for (p, x) in paid.iter_mut().zip(split(m.paid(), &remaining)) {
                *p = *p + x;
            }
        }
        paid
    }

    pub(super) fn entries(&self, movement: Movement, amounts: &[Money]) -> Vec<Entry> {
        self.entries_on(&self.funding, movement, amounts)
    }

    /// Ledger entries moving `amounts` on `lines` (the positive ones) for this project.
    pub(super) fn entries_on(&self, lines: &[FundingLine], movement: Movement, amounts: &[Money]) -> Vec<Entry> {
        lines
            .iter()
            .zip(amounts)
            .filter(|(_, a)| a.fen() > 0)
            .map(|(l, a)| Entry { budget_id: l.budget_id, movement, amount: *a, project_id: Some(self.id) })
            .collect()
    }

    /// Signs the contract with the awarded provider. `procurement` is the project's latest procurement, which a
    /// framework agreement's call-offs come from.
    pub fn sign_contract(
        &mut self,
        actor: &Actor,
        input: ContractInput,
        procurement: Option<&Procurement>,
        rules: &Rules,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.may(actor, Act::SignContract)?;
        let award =
            self.award.clone().ok_or(DomainError::WrongStep { action: "sign_contract", status: self.status.code() })?;
        // The award names the provider as it was; whether it is barred now is its organisation's to say, which
        // the caller reads into the award's provider before signing.
        award.provider.check_not_barred(today)?;
        let mut p = Problems::default();
        match self.contract_price(procurement) {
            _ if input.amount.fen() <= 0 => p.add(
                "amount",
                ErrorCode::AmountNotPositive,
                "合同金额必须大于 0",
                "the contract amount must be above 0",
            ),
            None if input.amount > self.total() => p.add(
                "amount",
                ErrorCode::ContractExceedsEstimate,
                format!("合同金额不得超过审核通过的预算 {} 元", self.total().display_yuan()),
                format!(
                    "the contract amount may not exceed the approved estimate of {} yuan",
                    self.total().display_yuan()
                ),
            ),
            Some(price) if price.fen() == 0 => p.add(
                "amount",
                ErrorCode::NoCallOff,
                "框架协议尚未向该承接主体下单，合同金额以下单金额为准",
                "nothing has been called off from this provider under the framework agreement yet",
            ),
            Some(price) if input.amount != price => p.add(
                "amount",
                ErrorCode::ContractNotAwardPrice,
                format!("合同金额须等于中标（成交）金额 {} 元", price.display_yuan()),
                format!("the contract amount must be the awarded price of {} yuan", price.display_yuan()),
            ),
            _ => {}
        }
        let max = if self.design.continuing { rules.continuing_contract_max_months } else { rules.contract_max_months };
        let award_day = crate::clock::china_date(award.at);
        if input.end < input.start {
            p.add(
                "end",
                ErrorCode::TermEndBeforeStart,
                "合同期限结束日期不能早于开始日期",
                "the term must end after it starts",
            );
        } else if input.end > term_last_day(input.start, max) {
            p.add(
                "end",
                ErrorCode::ContractTermTooLong,
                format!("合同期限不能超过 {max} 个月"),
                format!("the contract term may be at most {max} months"),
            );
        }
        if input.start < award_day {
            p.add(
                "start",
                ErrorCode::TermBeforeAward,
                format!("服务期限不能早于确定承接主体的日期（{}）", date_zh(award_day)),
                format!("the term cannot begin before the award ({award_day})"),
            );
        } else if input.end >= input.start {
            // The plan's money must come from years the contracted service runs in.
            let years: Vec<String> = (self.funding.iter().map(|l| l.year))
                .filter(|y| *y < input.start.year() || *y > input.end.year())
                .map(|y| y.to_string())
                .collect();
            if !years.is_empty() {
                p.add(
                    "start",
                    ErrorCode::TermOutsideFundingYears,
                    format!("合同期限须包含资金所属年度（{}）", years.join("、")),
                    format!("the term must include the funded years ({})", years.join(", ")),
                );
            }
        }
        if input.signed_on < award_day || input.signed_on > today {
            p.add(
                "signed_on",
                ErrorCode::SignedOnOutOfRange,
                "签订日期须在确定承接主体之后且不晚于今天",
                "the signing date must be after the award and not in the future",
            );
        }
        if input.milestones.is_empty() {
            p.add("milestones", ErrorCode::Required, "请至少设置一个验收节点", "add at least one milestone");
        }
        let share_sum: u64 = input.milestones.iter().map(|m| m.share_bp as u64).sum();
        if !input.milestones.is_empty() && share_sum != 10_000 {
            p.add(
                "milestones",
                ErrorCode::MilestonesNotHundredPercent,
                format!("各节点付款比例之和须为 100%，现为 {}.{:02}%", share_sum / 100, share_sum % 100),
                format!(
                    "milestone payment shares must add up to 100%, not {}.{:02}%",
                    share_sum / 100,
                    share_sum % 100
                ),
            );
        }
        for (i, m) in input.milestones.iter().enumerate() {
            if m.name.trim().is_empty() {
                p.add(
                    format!("milestones[{i}].name"),
                    ErrorCode::Required,
                    "请填写节点名称",
                    "enter the milestone name",
                );
            }
            if m.share_bp == 0 {
                p.add(
                    format!("milestones[{i}].share"),
                    ErrorCode::ShareNotPositive,
                    "付款比例必须大于 0",
                    "the share must be above 0",
                );
            }
            if m.due < input.start || m.due > input.end {
                p.add(
                    format!("milestones[{i}].due"),
                    ErrorCode::DueOutsideTerm,
                    "节点日期须在合同期限内",
                    "the milestone date must fall within the term",
                );
            }
        }
        if input.milestones.windows(2).any(|w| w[1].due < w[0].due) {
            p.add(
                "milestones",
                ErrorCode::MilestonesOutOfOrder,
                "验收节点须按时间先后排列",
                "milestones must be in date order",
            );
        }
        p.into_result()?;
        // Each milestone's amount is its share rounded down; the last takes the remainder so they sum exactly.
        let mut milestones: Vec<Milestone> = input
            .milestones
            .iter()
            .map(|m| Milestone {
                name: m.name.trim().to_string(),
                share_bp: m.share_bp,
                amount: input.amount.share_bp(m.share_bp),
                due: m.due,
                status: MilestoneStatus::Pending,
                reports: Vec::new(),
                decisions: Vec::new(),
                supplement: None,
                withheld: Money::ZERO,
            })
            .collect();
        let allotted: Money = milestones.iter().map(|m| m.amount).sum();
        if let Some(last) = milestones.last_mut() {
            last.amount = last.amount + (input.amount - allotted);
        }
        let detail = json!({"amount": input.amount, "start": input.start, "end": input.end, "milestones": milestones.len(),
                   "final_payment_by_grade": input.final_payment_by_grade});
        let posts = self.contract_posts(input.amount, input.start, input.end);
        self.contract = Some(Contract {
            purchaser_org_id: self.purchaser_org_id,
            provider: award.provider,
            amount: input.amount,
            start: input.start,
            end: input.end,
            signed_on: input.signed_on,
            milestones,
            termination: None,
            posts,
            supplements: Vec::new(),
            final_payment_by_grade: input.final_payment_by_grade,
        });
        self.status = Status::Acceptance;
        self.touch(now);
        // The contract commits its amount; whatever was reserved above it goes back to the budgets.
        let committed = self.committed_by_line();
        let released: Vec<Money> = self.planned().iter().zip(&committed).map(|(p, c)| *p - *c).collect();
        let mut ledger = self.entries(Movement::Commit, &committed);
        ledger.extend(self.entries(Movement::Release, &released));
        Ok(Change::new(Action::ProjectContractSign, detail).with_ledger(ledger))
    }

    /// The posts a post-purchase contract buys, each costing an equal share of the amount per year of term.
    fn contract_posts(&self, amount: Money, start: NaiveDate, end: NaiveDate) -> Vec<Post> {
        let specs: Vec<&PostSpec> =
            self.design.posts.iter().flat_map(|s| std::iter::repeat_n(s, s.count as usize)).collect();
        if self.design.mode != PurchaseMode::Post || specs.is_empty() {
            return Vec::new();
        }
        let shares = split(amount, &vec![Money::from_fen(1); specs.len()]);
        // Term in days, at least one; a year counts as 365 days.
        let days = (end - start).num_days().max(0) + 1;
        specs
            .iter()
            .zip(shares)
            .map(|(s, share)| Post {
                host_org_id: s.host_org_id,
                host_name: s.host_name.clone(),
                title: s.title.clone(),
                yearly_cost: Money::from_fen(((share.fen() as i128) * 365 / days as i128) as i64),
                holder: None,
            })
            .collect()
    }
}
