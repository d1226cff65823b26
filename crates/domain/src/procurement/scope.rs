//! Which procurements a reader may see, as a filter a store can put in its query ([`Procurement::can_view`] is
//! the same rule on one procurement), and the facts about a procurement that lists and work queues filter on.

use super::{Holder, Procurement, Stage};
use crate::org::{region_within, Actor, Role};

/// The procurements a reader may see: any that one of the admitted ties matches. Deny by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Administrators and the finance department see every procurement.
    pub everything: bool,
    /// The purchasing department's people see its procurements.
    pub purchaser_org_id: i64,
    /// An agency sees the procurements entrusted to it.
    pub agency_org_id: Option<i64>,
    /// A city's or province's finance reviewer sees those with a change of method to decide.
    pub switch_requested: bool,
    /// Committee members see the procurements they sit on.
    pub member_user_id: i64,
    /// A supervisor sees those in its region subtree.
    pub region: Option<String>,
}

impl Scope {
    pub fn of(actor: &Actor) -> Scope {
        Scope {
            everything: actor.has(Role::Admin) || actor.is_finance_reviewer(),
            purchaser_org_id: actor.org_id,
            agency_org_id: actor.has(Role::Agency).then_some(actor.org_id),
            switch_requested: actor.is_upper_finance_reviewer(),
            member_user_id: actor.user_id,
            region: if actor.has(Role::Supervisor) { actor.supervisor_region.clone() } else { None },
        }
    }

    pub fn admits(&self, p: &Procurement) -> bool {
        self.everything
            || p.purchaser_org_id == self.purchaser_org_id
            || (self.agency_org_id.is_some() && self.agency_org_id == p.agency_org_id)
            || (self.switch_requested && p.switch.is_some())
            || p.committee.as_ref().is_some_and(|c| c.member(self.member_user_id).is_some())
            || self.region.as_deref().is_some_and(|root| region_within(&p.region, root))
    }
}

/// What lists and work queues filter procurements on, kept as columns beside the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub stage: Stage,
    pub region: String,
    pub switch_requested: bool,
    /// The committee's members (user ids).
    pub members: Vec<i64>,
    /// Holders of the procurement's duties, as bits ([`Holder`]'s position in `Holder::ALL`).
    pub awaits: u8,
}

impl Procurement {
    pub fn facts(&self) -> Facts {
        Facts {
            stage: self.stage,
            region: self.region.clone(),
            switch_requested: self.switch.is_some(),
            members: self.committee.as_ref().map(|c| c.members.iter().map(|m| m.user_id).collect()).unwrap_or_default(),
            awaits: self.awaited_holders(),
        }
    }

    /// Who may hold a duty now, from the record's state alone (dates aside): a superset of the holders of
    /// [`Procurement::duties`], which a work queue narrows.
    fn awaited_holders(&self) -> u8 {
        let mut bits = 0;
        if self.stage == Stage::Confirming && self.report.is_some() {
            bits |= holder_bit(Holder::Purchaser);
        }
        if self.stage == Stage::Evaluating && self.evaluated_at.is_some() {
            bits |= holder_bit(Holder::Committee);
        }
        for c in &self.challenges {
            if c.reply.is_none() && c.complaint.is_none() {
                bits |= holder_bit(Holder::Purchaser);
            }
            if c.complaint.as_ref().is_some_and(|k| k.decision.is_none()) {
                bits |= holder_bit(Holder::Finance);
            }
        }
        bits
    }
}

/// The bit a holder's duties set in [`Facts::awaits`].
pub fn holder_bit(h: Holder) -> u8 {
    1 << Holder::ALL.iter().position(|x| *x == h).unwrap_or(0)
}
