//! Evaluation committees (评审委员会): how many members the law requires, which experts may sit, a reproducible
//! random draw from the expert pool, and the no-conflict declaration that gates access to the bids.
//! Sources: MOF order 87 art. 47, 财库〔2014〕214号, 政府采购法实施条例 art. 9 (see shared/domain-facts.md).

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{DomainError, ErrorCode, Problems};
use crate::money::Money;
use crate::org::string_enum;
use crate::rules::Rules;

#[cfg(test)]
mod tests;

string_enum!(
    /// The procurement methods that evaluate with a committee or panel (single source negotiates instead).
    Method {
        OpenTender = "open_tender" / "公开招标" / "Open tender",
        InvitedTender = "invited_tender" / "邀请招标" / "Invited tender",
        CompetitiveNegotiation = "competitive_negotiation" / "竞争性谈判" / "Competitive negotiation",
        CompetitiveConsultation = "competitive_consultation" / "竞争性磋商" / "Competitive consultation",
        RequestForQuotation = "request_for_quotation" / "询价" / "Request for quotation",
    }
);

impl Method {
    pub fn is_tender(self) -> bool {
        matches!(self, Method::OpenTender | Method::InvitedTender)
    }
}

/// What fixes the least size of a committee.
#[derive(Debug, Clone, Copy)]
pub struct Sizing<'a> {
    pub method: Method,
    pub budget: Money,
    /// The project's region: a panel's size follows that region's open-tender threshold.
    pub region: &'a str,
    /// The purchaser marked the tender technically complex or of high social impact (财政部令第87号 §47).
    pub complex_or_high_impact: bool,
}

/// The smallest lawful committee. Tenders: 5, or 7 from 10,000,000 yuan or when marked complex or of high
/// social impact; panels: 3, or 5 from the region's open-tender threshold. Every minimum is odd, so it is also
/// a lawful size.
pub fn required_size(s: &Sizing, rules: &Rules) -> u32 {
    if s.method.is_tender() {
        if s.budget >= rules.committee_large_tender_threshold || s.complex_or_high_impact {
            7
        } else {
            5
        }
    } else if s.budget >= rules.open_tender_threshold_for(s.region) {
        5
    } else {
        3
    }
}

/// Whether `experts` is at least two thirds of `members` (the rest may be the purchaser's representatives).
pub fn enough_experts(members: u32, experts: u32) -> bool {
    u64::from(experts) * 3 >= u64::from(members) * 2
}

/// Checks a requested committee: `members` in all, of whom `experts` are drawn experts. Reports every problem.
pub fn validate_composition(s: &Sizing, rules: &Rules, members: u32, experts: u32) -> Result<(), DomainError> {
    let (method, budget) = (s.method, s.budget);
    let mut p = Problems::default();
    let min = required_size(s, rules);
    if members.is_multiple_of(2) {
        p.add(
            "members",
            ErrorCode::CommitteeSizeEven,
            format!("评审委员会成员应为单数，{members} 人不符合要求"),
            format!("the committee must have an odd number of members, not {members}"),
        );
    } else if members < min {
        p.add(
            "members",
            ErrorCode::CommitteeTooSmall,
            format!("{}项目（预算 {} 元）的评审委员会至少 {min} 人", method.label_zh(), budget.display_yuan()),
            format!(
                "a {} with a budget of {} yuan needs a committee of at least {min}",
                method.label_en().to_lowercase(),
                budget.display_yuan()
            ),
        );
    }
    let need = (u64::from(members) * 2).div_ceil(3);
    if experts > members {
        p.add(
            "experts",
            ErrorCode::ExpertsExceedMembers,
            format!("专家人数（{experts}）不能多于成员总数（{members}）"),
            format!("there cannot be more experts ({experts}) than members ({members})"),
        );
    } else if !enough_experts(members, experts) {
        p.add(
            "experts",
            ErrorCode::TooFewExperts,
            format!("评审专家不得少于成员总数的三分之二（{members} 人中至少 {need} 名专家）"),
            format!("experts must be at least two thirds of the members ({need} of {members})"),
        );
    }
    p.into_result()
}

/// A past employment; the conflict window runs from its last day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormerEmployment {
    pub org_id: i64,
    pub until: NaiveDate,
}

/// An entry in the expert pool kept by finance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expert {
    pub id: i64,
    pub name: String,
    /// Catalogue codes the expert may evaluate; a code covers every category below it (`A07` covers `A0701`).
    pub categories: Vec<String>,
    /// Current organisation; retired experts have none.
    pub org_id: Option<i64>,
    pub former_employers: Vec<FormerEmployment>,
    /// Organisations the expert has declared an interest in (family, shares, advisory roles …).
    pub declared_ties: Vec<i64>,
}

impl Expert {
    pub fn covers(&self, category: &str) -> bool {
        self.categories.iter().any(|c| !c.is_empty() && category.starts_with(c.as_str()))
    }

    /// Every conflict with the bidders as of `today`, in a stable order.
    pub fn conflicts(&self, bidders: &[i64], today: NaiveDate, rules: &Rules) -> Vec<Conflict> {
        // Inclusive: an employment that ended exactly N years ago is still "within N years".
        let cutoff = today.checked_sub_months(Months::new(rules.expert_conflict_years.saturating_mul(12)));
        let cutoff = cutoff.unwrap_or(NaiveDate::MIN);
        let mut found = Vec::new();
        for &bidder in bidders {
            if self.org_id == Some(bidder) {
                found.push(Conflict { kind: ConflictKind::SameOrganisation, org_id: bidder });
            }
            if self.former_employers.iter().any(|e| e.org_id == bidder && e.until >= cutoff) {
                found.push(Conflict { kind: ConflictKind::RecentEmployment, org_id: bidder });
            }
            if self.declared_ties.contains(&bidder) {
                found.push(Conflict { kind: ConflictKind::DeclaredTie, org_id: bidder });
            }
        }
        found.sort();
        found.dedup();
        found
    }
}

string_enum!(
    /// Why an expert may not evaluate a bid.
    ConflictKind {
        SameOrganisation = "same_organisation" / "与投标人为同一单位" / "Works for a bidder",
        RecentEmployment = "recent_employment" / "近三年内曾在投标人任职" / "Employed by a bidder within the look-back period",
        DeclaredTie = "declared_tie" / "已申报与投标人存在利害关系" / "Declared a tie to a bidder",
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// The bidder the conflict is with.
    pub org_id: i64,
}

/// An expert who covers the category but was left out of the draw, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub expert_id: i64,
    pub conflicts: Vec<Conflict>,
}

/// The record of one draw: its inputs and its outcome, enough to re-run and audit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draw {
    pub category: String,
    pub bidders: Vec<i64>,
    pub size: u32,
    /// The 32-byte seed, lowercase hex.
    pub seed: String,
    pub drawn_on: NaiveDate,
    /// Experts who cover the category and have no conflict.
    pub eligible: u32,
    /// Experts who cover the category but have a conflict, by id.
    pub excluded: Vec<Exclusion>,
    /// The chosen experts in draw order; the first `size` of the eligible by draw key.
    pub chosen: Vec<i64>,
}

/// The key that orders eligible experts: SHA-256(seed ‖ expert id as 8 bytes big-endian).
///
/// Why this is a fair, reproducible shuffle: for a seed nobody could predict when the pool and bidders were fixed,
/// SHA-256 behaves as a random function, so every expert's key is an independent uniform 256-bit number and
/// sorting by it gives each ordering of the eligible experts the same probability (ties would need a SHA-256
/// collision). Nothing else enters the key — not the pool's order, not the other experts — so anyone holding the
/// seed and the pool gets the same committee, and adding or removing another expert never reorders the rest.
pub fn draw_key(seed: &[u8; 32], expert_id: i64) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed);
    h.update(expert_id.to_be_bytes());
    h.finalize().into()
}

/// Draws `size` experts for a project in `category` with these bidders. Fails when the pool repeats an id, when
/// `size` is zero, or with `not_enough_experts` (naming how many are eligible) when too few may sit.
pub fn draw(
    pool: &[Expert],
    category: &str,
    bidders: &[i64],
    size: u32,
    seed: [u8; 32],
    today: NaiveDate,
    rules: &Rules,
) -> Result<Draw, DomainError> {
    if size == 0 {
        return Err(DomainError::field(
            "size",
            ErrorCode::CommitteeTooSmall,
            "至少需要抽取 1 名专家",
            "draw at least one expert",
        ));
    }
    let mut ids: Vec<i64> = pool.iter().map(|e| e.id).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(DomainError::field(
            "pool",
            ErrorCode::DuplicateExpert,
            &format!("专家库中编号 {} 重复", w[0]),
            &format!("expert {} appears twice in the pool", w[0]),
        ));
    }
    let mut eligible = Vec::new();
    let mut excluded = Vec::new();
    for expert in pool.iter().filter(|e| e.covers(category)) {
        let conflicts = expert.conflicts(bidders, today, rules);
        if conflicts.is_empty() {
            eligible.push((draw_key(&seed, expert.id), expert.id));
        } else {
            excluded.push(Exclusion { expert_id: expert.id, conflicts });
        }
    }
    excluded.sort_by_key(|e| e.expert_id);
    let count = eligible.len();
    if count < size as usize {
        return Err(DomainError::field(
            "size",
            ErrorCode::NotEnoughExperts,
            &format!("类别 {category} 下无利害关系的专家仅 {count} 名，不足抽取 {size} 名"),
            &format!("only {count} experts without a conflict cover category {category}; {size} are needed"),
        ));
    }
    eligible.sort_unstable();
    Ok(Draw {
        category: category.to_string(),
        bidders: bidders.to_vec(),
        size,
        seed: hex::encode(seed),
        drawn_on: today,
        eligible: count as u32,
        excluded,
        chosen: eligible.into_iter().take(size as usize).map(|(_, id)| id).collect(),
    })
}

/// Re-runs a recorded draw against the pool as it stood and says whether it gives the same record.
pub fn verify(recorded: &Draw, pool: &[Expert], rules: &Rules) -> bool {
    let Some(seed) = hex::decode(&recorded.seed).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()) else {
        return false;
    };
    draw(pool, &recorded.category, &recorded.bidders, recorded.size, seed, recorded.drawn_on, rules)
        .is_ok_and(|again| again == *recorded)
}

/// An expert's statement, made before seeing any bid, that they have (or have not) a conflict with the bidders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    pub expert_id: i64,
    pub no_conflict: bool,
    pub at: DateTime<Utc>,
}

/// Bids open to a drawn expert only once they have declared no conflict, and never after they declared one:
/// a declared conflict means recusal, and a later "no conflict" does not undo it.
pub fn may_see_bids(draw: &Draw, declarations: &[Declaration], expert_id: i64) -> bool {
    let mine = || declarations.iter().filter(|d| d.expert_id == expert_id);
    draw.chosen.contains(&expert_id) && mine().any(|d| d.no_conflict) && mine().all(|d| d.no_conflict)
}
