//! Who reads what, beyond who sees a project or a procurement at all (`project::can_view`,
//! `Procurement::can_view`): organisations and their contacts, budget lines, statistics, and how much of a
//! project its provider reads. Deny by default; the README's table "Who sees what" says the same in words.

use crate::audit::AuditEvent;
use crate::evaluation::Party;
use crate::org::{region_within, Actor, OrgKind, Organisation, Role, Verification};
use crate::project::{can_view, Project};

fn finance_reviewer(a: &Actor) -> bool {
    a.is_finance_reviewer()
}

fn civil_affairs_reviewer(a: &Actor) -> bool {
    a.has(Role::Reviewer) && a.org_kind == OrgKind::CivilAffairs
}

/// Whether `actor` may list organisations at all: anyone acting in a role (not a registrant still unverified).
pub fn may_list_organisations(actor: &Actor) -> bool {
    !actor.roles.is_empty()
}

/// Whether `actor` reads which fiscal years are closed: anyone acting in a role (every department plans its money
/// by them), not a registrant still unverified.
pub fn may_read_fiscal_years(actor: &Actor) -> bool {
    !actor.roles.is_empty()
}

/// Whether the list shows `o`: verified organisations, and one's own. Registrations waiting for civil affairs, or
/// turned down, are civil affairs' to read in their own list.
pub fn lists_organisation(actor: &Actor, o: &Organisation) -> bool {
    o.verification == Verification::Verified || o.id == actor.org_id
}

/// Whether `actor` reads `o`'s contact (a person's name and telephone): the administrator, civil affairs'
/// reviewers who verify providers, and the organisation itself.
pub fn sees_contact(actor: &Actor, o: &Organisation) -> bool {
    actor.has(Role::Admin) || civil_affairs_reviewer(actor) || o.id == actor.org_id
}

/// Whether `actor` sees a budget line of the department `org_id`, seated in `org_region`: finance and the
/// administrator every line (they manage them), a supervisor the lines of departments seated in its region
/// subtree, a department its own.
pub fn may_see_budget(actor: &Actor, org_id: i64, org_region: Option<&str>) -> bool {
    BudgetScope::of(actor).admits(org_id, org_region)
}

/// The budget lines a reader sees, as a filter a store puts in its query: the rule of [`may_see_budget`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetScope {
    pub everything: bool,
    pub org_id: i64,
    /// A supervisor's subtree: lines of departments seated in it.
    pub region: Option<String>,
}

impl BudgetScope {
    pub fn of(actor: &Actor) -> BudgetScope {
        BudgetScope {
            everything: actor.has(Role::Admin) || finance_reviewer(actor),
            org_id: actor.org_id,
            region: if actor.has(Role::Supervisor) { actor.supervisor_region.clone() } else { None },
        }
    }

    pub fn admits(&self, org_id: i64, org_region: Option<&str>) -> bool {
        self.everything
            || org_id == self.org_id
            || self.region.as_deref().is_some_and(|root| org_region.is_some_and(|r| region_within(r, root)))
    }
}

/// The part of the statistics a reader gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatisticsScope {
    /// The whole platform: the administrator and finance, who answer for the money as a whole.
    Everything,
    /// A region subtree (`statistics::summary_within`): a supervisor's, or the seat of civil affairs, the lead
    /// department for purchasing services.
    Within(String),
}

impl StatisticsScope {
    /// The subtree to compute when the reader asks for `region` (its whole scope when `None`; `None` in the answer
    /// is the whole platform). Refused when `region` lies outside what the reader reads.
    pub fn root_for(&self, region: Option<&str>) -> Result<Option<String>, crate::DomainError> {
        match (self, region) {
            (StatisticsScope::Everything, r) => Ok(r.map(str::to_string)),
            (StatisticsScope::Within(root), None) => Ok(Some(root.clone())),
            (StatisticsScope::Within(root), Some(r)) if crate::org::region_within(r, root) => Ok(Some(r.to_string())),
            (StatisticsScope::Within(_), Some(_)) => {
                Err(crate::DomainError::NotPermitted { action: "read_statistics" })
            }
        }
    }
}

/// What statistics `actor` reads, if any; `org_region` is the seat of the actor's organisation.
pub fn statistics_scope(actor: &Actor, org_region: Option<&str>) -> Option<StatisticsScope> {
    if actor.has(Role::Admin) || finance_reviewer(actor) {
        return Some(StatisticsScope::Everything);
    }
    if actor.has(Role::Supervisor) {
        return actor.supervisor_region.clone().map(StatisticsScope::Within);
    }
    if actor.org_kind == OrgKind::CivilAffairs && !actor.roles.is_empty() {
        return org_region.map(|r| StatisticsScope::Within(r.to_string()));
    }
    None
}

/// Which red flags `actor` reads, if any: the administrator and finance every one, a supervisor those of projects
/// with an area in its subtree; nobody else (purchasers and providers are the ones flagged).
pub fn red_flag_scope(actor: &Actor) -> Option<StatisticsScope> {
    if actor.has(Role::Admin) || finance_reviewer(actor) {
        return Some(StatisticsScope::Everything);
    }
    if actor.has(Role::Supervisor) {
        return actor.supervisor_region.clone().map(StatisticsScope::Within);
    }
    None
}

/// Whether `actor` reads some statistics (for the menu; [`statistics_scope`] decides which).
pub fn may_see_statistics(actor: &Actor) -> bool {
    statistics_scope(actor, Some("")).is_some()
}

/// How much of a project a reader sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectAccess {
    /// Everything: the purchaser, the reviewers, supervisors of its areas, the administrator.
    Full,
    /// The provider it was awarded to, and nobody else above: the service it delivers, not the purchaser's
    /// working (cost lines, funding, the reviewers' decisions); of the evaluation, its own self-evaluation until
    /// the result.
    Provider,
    /// The third-party evaluator commissioned, and nobody else above: what the provider sees, with its own
    /// evaluation instead of the provider's until the result.
    Evaluator,
}

/// What `actor` sees of `p`, if anything.
pub fn project_access(actor: &Actor, p: &Project) -> Option<ProjectAccess> {
    if !can_view(actor, p) {
        return None;
    }
    let without =
        |role: Role| Actor { roles: actor.roles.iter().copied().filter(|r| *r != role).collect(), ..actor.clone() };
    let outsider = without(Role::Provider);
    let outsider = Actor { roles: outsider.roles.into_iter().filter(|r| *r != Role::Evaluator).collect(), ..outsider };
    Some(if can_view(&outsider, p) {
        ProjectAccess::Full
    } else if can_view(&without(Role::Evaluator), p) {
        ProjectAccess::Provider
    } else {
        ProjectAccess::Evaluator
    })
}

/// The project as its provider reads it: without the cost lines, the funding plan and the review decisions —
/// a supplementary contract's budget lines and finance's decision on it included.
pub fn as_provider_sees(p: Project) -> Project {
    let mut seen = Project { cost_lines: vec![], funding: vec![], reviews: vec![], ..p };
    for s in seen.contract.iter_mut().flat_map(|c| c.supplements.iter_mut()) {
        s.funding.clear();
        s.review = None;
    }
    seen
}

/// The project as `access` reads it (taken, not copied: a whole project is a few hundred strings). Until the
/// evaluation has its result, a provider or evaluator reads only its own part of it: each scores on its own.
pub fn project_for(access: ProjectAccess, p: Project) -> Project {
    let own = match access {
        ProjectAccess::Full => return p,
        ProjectAccess::Provider => Party::SelfEvaluation,
        ProjectAccess::Evaluator => Party::ThirdParty,
    };
    let mut seen = as_provider_sees(p);
    if let Some(e) = seen.evaluation.as_mut().filter(|e| e.result.is_none()) {
        e.parts.retain(|part| part.party == own);
    }
    seen
}

/// A project's history event as its provider reads it: the award and everything after (contract, posts,
/// service reports, acceptance, cancellation, termination), without the money's ledger entries and the estimate.
pub fn event_for_provider(e: &AuditEvent) -> Option<AuditEvent> {
    const SHARED: [&str; 8] = [
        "project.award",
        "project.contract",
        "project.supplement_sign",
        "project.post_",
        "project.report",
        "project.milestone",
        "project.cancel",
        "project.terminate",
    ];
    if !SHARED.iter().any(|s| e.action.starts_with(s)) {
        return None;
    }
    let mut e = e.clone();
    for side in [&mut e.before, &mut e.after] {
        if let Some(o) = side.as_object_mut() {
            o.remove("ledger");
            o.remove("total");
        }
    }
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(org_id: i64, kind: OrgKind, roles: &[Role], region: Option<&str>) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            display_name: String::new(),
            org_id,
            org_name: String::new(),
            org_kind: kind,
            roles: roles.to_vec(),
            supervisor_region: region.map(String::from),
            org_level: None,
        }
    }

    fn org(id: i64, verification: Verification) -> Organisation {
        Organisation {
            id,
            key: format!("o{id}"),
            name: String::new(),
            kind: OrgKind::SocialOrganisation,
            uscc: None,
            resident_id_masked: None,
            region: Some("420506003".into()),
            parent_id: None,
            class_one: false,
            active: verification == Verification::Verified,
            contact: "付春燕 13872500000".into(),
            verification,
            barred_until: None,
        }
    }

    #[test]
    fn organisations_and_contacts() {
        let registrant = actor(9, OrgKind::SocialOrganisation, &[], None);
        let provider = actor(5, OrgKind::SocialOrganisation, &[Role::Provider], None);
        let civil = actor(1, OrgKind::CivilAffairs, &[Role::Reviewer], None);
        let admin = actor(1, OrgKind::CivilAffairs, &[Role::Admin], None);
        let finance = actor(2, OrgKind::Finance, &[Role::Reviewer], None);
        assert!(!may_list_organisations(&registrant) && may_list_organisations(&provider));
        let pending = org(9, Verification::Pending);
        let other = org(6, Verification::Verified);
        assert!(!lists_organisation(&provider, &pending) && !lists_organisation(&admin, &pending));
        assert!(lists_organisation(&registrant, &pending), "its own");
        assert!(lists_organisation(&provider, &other));
        assert!(sees_contact(&civil, &other) && sees_contact(&admin, &other));
        assert!(!sees_contact(&provider, &other) && !sees_contact(&finance, &other));
        assert!(sees_contact(&provider, &org(5, Verification::Verified)));
    }

    #[test]
    fn budgets_by_role_and_region() {
        let township = actor(8, OrgKind::TownshipGovernment, &[Role::Supervisor], Some("420506008"));
        let district = actor(3, OrgKind::Finance, &[Role::Supervisor], Some("420506"));
        let purchaser = actor(4, OrgKind::Education, &[Role::Purchaser], None);
        let finance = actor(2, OrgKind::Finance, &[Role::Reviewer], None);
        assert!(may_see_budget(&township, 12, Some("420506008")));
        assert!(!may_see_budget(&township, 4, Some("420506")));
        assert!(!may_see_budget(&township, 4, None));
        assert!(may_see_budget(&district, 4, Some("420506")) && may_see_budget(&district, 12, Some("420506008")));
        assert!(may_see_budget(&purchaser, 4, Some("420506")) && !may_see_budget(&purchaser, 5, Some("420506")));
        assert!(may_see_budget(&finance, 5, None));
    }

    #[test]
    fn red_flags_for_supervisors_finance_and_the_administrator_only() {
        let township = actor(8, OrgKind::TownshipGovernment, &[Role::Supervisor], Some("420506008"));
        let finance = actor(2, OrgKind::Finance, &[Role::Reviewer], None);
        let admin = actor(9, OrgKind::CivilAffairs, &[Role::Admin], None);
        assert_eq!(red_flag_scope(&township), Some(StatisticsScope::Within("420506008".into())));
        assert_eq!(red_flag_scope(&finance), Some(StatisticsScope::Everything));
        assert_eq!(red_flag_scope(&admin), Some(StatisticsScope::Everything));
        for other in [
            actor(1, OrgKind::CivilAffairs, &[Role::Purchaser, Role::Reviewer], None),
            actor(5, OrgKind::SocialOrganisation, &[Role::Provider], None),
            actor(6, OrgKind::ThirdPartyEvaluator, &[Role::Evaluator], None),
        ] {
            assert_eq!(red_flag_scope(&other), None, "{:?}", other.roles);
        }
    }

    #[test]
    fn statistics_by_role_and_region() {
        let township = actor(8, OrgKind::TownshipGovernment, &[Role::Supervisor], Some("420506008"));
        let civil = actor(1, OrgKind::CivilAffairs, &[Role::Purchaser], None);
        let finance = actor(2, OrgKind::Finance, &[Role::Reviewer], None);
        let other = actor(4, OrgKind::Education, &[Role::Purchaser], None);
        let provider = actor(5, OrgKind::SocialOrganisation, &[Role::Provider], None);
        assert_eq!(statistics_scope(&township, Some("420506008")), Some(StatisticsScope::Within("420506008".into())));
        assert_eq!(statistics_scope(&civil, Some("420506")), Some(StatisticsScope::Within("420506".into())));
        assert_eq!(statistics_scope(&finance, Some("420506")), Some(StatisticsScope::Everything));
        assert_eq!(statistics_scope(&other, Some("420506")), None);
        assert_eq!(statistics_scope(&provider, Some("420506")), None);
        assert_eq!(statistics_scope(&actor(1, OrgKind::CivilAffairs, &[], None), Some("420506")), None);
        assert!(may_see_statistics(&civil) && !may_see_statistics(&other));
    }

    #[test]
    fn a_providers_history_is_the_delivery() {
        let e = |action: &str| {
            AuditEvent::seal(
                crate::audit::NewEvent {
                    actor_id: Some(1),
                    actor_name: "x".into(),
                    org_id: Some(1),
                    action: action.into(),
                    object_type: "project".into(),
                    object_id: "1".into(),
                    before: serde_json::json!({"total": "1.00"}),
                    after: serde_json::json!({"total": "1.00", "ledger": [], "status": "acceptance"}),
                },
                1,
                chrono::DateTime::UNIX_EPOCH,
                crate::audit::GENESIS_HASH,
            )
        };
        for hidden in
            ["project.create", "project.cost_estimate", "project.funding", "project.review_approve", "project.submit"]
        {
            assert!(event_for_provider(&e(hidden)).is_none(), "{hidden}");
        }
        let shown = event_for_provider(&e("project.milestone_accept")).unwrap();
        assert_eq!(shown.after, serde_json::json!({"status": "acceptance"}));
        assert!(event_for_provider(&e("project.contract_sign")).is_some());
    }
}
