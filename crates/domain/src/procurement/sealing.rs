//! What stays sealed in a procurement, and from whom, once bids are opened.
//!
//! In negotiation and consultation the panel meets each supplier on its own and then asks for sealed final offers
//! (政府采购非招标采购方式管理办法, 财政部令第74号, §31–32; 竞争性磋商采购方式管理暂行办法, 财库〔2014〕214号,
//! §20–21); a supplier who knew the others' first prices would tailor its final offer to them. So until the final
//! offers are opened the first round's prices are for the panel alone, and each supplier sees only its own. The
//! read-out of the opening that decides (a tender's, or the final offers') is heard by those who took part in it.

use super::Procurement;
use crate::org::{Actor, Role};

impl Procurement {
    /// Whether the first round's offers are still the panel's alone: negotiation and consultation, until the
    /// final offers are opened.
    pub fn first_round_sealed(&self) -> bool {
        self.method.has_rounds() && self.final_opening.is_none()
    }

    /// Whether `actor` reads the opened bids with their proposals and files: a member of the committee who may see
    /// bids; the purchaser's staff too once no round is sealed.
    pub fn may_read_opened(&self, actor: &Actor) -> bool {
        self.opening.is_some()
            && (self.require_reader(actor).is_ok() || (self.runs(actor) && !self.first_round_sealed()))
    }

    /// Whether `actor` may see the price `bidder` offered at the first opening (`final_round` false) or at the
    /// opening of the final offers.
    pub fn may_see_price(&self, actor: &Actor, final_round: bool, bidder: i64) -> bool {
        if actor.has(Role::Provider) && actor.org_id == bidder {
            return true;
        }
        let first_of_rounds = !final_round && self.method.has_rounds();
        if first_of_rounds && self.first_round_sealed() {
            return self.require_reader(actor).is_ok();
        }
        if self.can_view(actor) {
            return true;
        }
        // A supplier hears the read-out of the opening that decides, when it took part in it; the first round of
        // a negotiation it never hears.
        let opening = if final_round { self.final_opening.as_ref() } else { self.opening.as_ref() };
        !first_of_rounds
            && actor.has(Role::Provider)
            && opening.is_some_and(|o| o.bids.iter().any(|b| b.org_id == actor.org_id))
    }

    /// Whether `actor` may learn who registered interest or asked a question: the purchaser's side (its staff or
    /// agency, finance, the administrator), which must not pass it on (招标投标法 §22).
    pub fn sees_interest(&self, actor: &Actor) -> bool {
        self.runs(actor) || actor.has(Role::Admin) || (actor.is_finance_reviewer())
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use crate::committee::Draw;
    use crate::org::OrgKind;
    use chrono::TimeZone;

    /// Everyone here is in the district, as a supervisor's region says.
    fn actor(user_id: i64, org_id: i64, kind: OrgKind, roles: &[Role]) -> Actor {
        Actor { supervisor_region: Some("420506".into()), ..crate::org::test_actor(user_id, org_id, kind, roles) }
    }

    fn bid(org: i64, yuan: i64) -> OpenedBid {
        OpenedBid {
            bid_id: org,
            org_id: org,
            name: format!("机构{org}"),
            price: Money::from_yuan(yuan),
            small_or_micro: false,
            receipt: String::new(),
        }
    }

    /// A consultation opened with bidders 51, 52 and 53, its panel drawn: expert 1 declared, expert 2 not yet.
    fn consultation() -> Procurement {
        let rules = Rules::default();
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let documents = Documents {
            requirements: "为辖区独居老人提供每周两次上门探访服务".into(),
            qualifications: "依法登记的社会组织".into(),
            scoring: Scoring::Comprehensive {
                price_weight_bp: 2000,
                criteria: vec![CriterionSpec { key: "plan".into(), name: "方案".into(), weight_bp: 8000 }],
            },
            sme_deduction_bp: 1000,
            tie_rule: "方案得分高者优先".into(),
            invited: vec![],
            single_source: None,
            framework_members: None,
            admitted_kinds: vec![],
            complex_or_high_impact: false,
        };
        let ctx = StartContext {
            project_id: 7,
            project_code: "P-7".into(),
            title: "居家养老探访".into(),
            purchaser_org_id: 10,
            purchaser_name: "民政局".into(),
            category: "A0701".into(),
            region: "420506".into(),
            budget: Money::from_yuan(90_000),
            same_kind_total: Money::ZERO,
            previous: None,
            approval: None,
            rules: &rules,
        };
        let input = StartInput { method: Method::CompetitiveConsultation, documents, agency_org_id: None };
        let buyer = actor(100, 10, OrgKind::CivilAffairs, &[Role::Purchaser]);
        let mut p = Procurement::start(&ctx, input, &buyer, now).unwrap().0;
        p.stage = Stage::Negotiating;
        p.opening = Some(Opening { at: now, by: 100, attendees: vec![], bids: vec![bid(51, 80_000), bid(52, 70_000)] });
        let draw = Draw {
            category: "A0701".into(),
            bidders: vec![51, 52],
            size: 2,
            seed: String::new(),
            drawn_on: now.date_naive(),
            eligible: 2,
            excluded: vec![],
            chosen: vec![1, 2],
        };
        let members = [1, 2].map(|id| Member { user_id: id, name: String::new(), expert: true }).to_vec();
        let declarations = vec![committee::Declaration { expert_id: 1, no_conflict: true, at: now }];
        p.committee = Some(Committee { draw, replacements: vec![], members, declarations });
        p
    }

    #[test]
    fn first_round_prices_are_the_panels_and_each_suppliers_own() {
        let mut p = consultation();
        let declared = actor(1, 901, OrgKind::PublicInstitution, &[Role::Expert]);
        let undeclared = actor(2, 902, OrgKind::PublicInstitution, &[Role::Expert]);
        let buyer = actor(100, 10, OrgKind::CivilAffairs, &[Role::Purchaser]);
        let finance = actor(300, 2, OrgKind::Finance, &[Role::Reviewer]);
        let supervisor = actor(400, 3, OrgKind::Finance, &[Role::Supervisor]);
        let admin = actor(500, 10, OrgKind::CivilAffairs, &[Role::Admin]);
        let bidder = actor(1051, 51, OrgKind::SocialOrganisation, &[Role::Provider]);
        let outsider = actor(1054, 54, OrgKind::SocialOrganisation, &[Role::Provider]);
        assert!(p.first_round_sealed());
        assert!(p.may_see_price(&declared, false, 52) && p.may_read_opened(&declared));
        for nobody in [&undeclared, &buyer, &finance, &supervisor, &admin, &outsider] {
            assert!(!p.may_see_price(nobody, false, 52), "{}", nobody.username);
            assert!(!p.may_read_opened(nobody), "{}", nobody.username);
        }
        assert!(p.may_see_price(&bidder, false, 51) && !p.may_see_price(&bidder, false, 52));

        // Final offers opened: the record's readers and the suppliers who took part hear them; the first round
        // opens to the record's readers, never to the other suppliers.
        p.final_opening = Some(Opening {
            at: p.created_at,
            by: 100,
            attendees: vec![],
            bids: vec![bid(51, 75_000), bid(52, 69_000)],
        });
        assert!(!p.first_round_sealed());
        for reader in [&declared, &buyer, &finance, &supervisor, &admin] {
            assert!(p.may_see_price(reader, true, 52) && p.may_see_price(reader, false, 52), "{}", reader.username);
        }
        assert!(p.may_read_opened(&buyer) && !p.may_read_opened(&finance));
        assert!(p.may_see_price(&bidder, true, 52) && !p.may_see_price(&bidder, false, 52));
        assert!(!p.may_see_price(&outsider, true, 52));
    }

    #[test]
    fn a_tenders_opening_is_heard_by_its_bidders() {
        let mut p = consultation();
        p.method = Method::OpenTender;
        let bidder = actor(1051, 51, OrgKind::SocialOrganisation, &[Role::Provider]);
        let outsider = actor(1054, 54, OrgKind::SocialOrganisation, &[Role::Provider]);
        let buyer = actor(100, 10, OrgKind::CivilAffairs, &[Role::Purchaser]);
        assert!(!p.first_round_sealed());
        assert!(p.may_see_price(&bidder, false, 52) && !p.may_see_price(&outsider, false, 52));
        assert!(p.may_see_price(&buyer, false, 52) && p.may_read_opened(&buyer));
        assert!(p.sees_interest(&buyer) && !p.sees_interest(&bidder));
    }

    /// The consultation taking bids for ten days, a provider's user and its organisation as read.
    fn bidding() -> (Procurement, DateTime<Utc>, Actor, crate::org::ProviderInfo) {
        let mut p = consultation();
        let now = p.created_at;
        p.stage = Stage::Bidding;
        p.opening = None;
        p.bid_deadline = Some(now + chrono::Duration::days(10));
        let provider = actor(1051, 51, OrgKind::SocialOrganisation, &[Role::Provider]);
        let info = crate::org::ProviderInfo {
            org_id: 51,
            name: "机构51".into(),
            kind: OrgKind::SocialOrganisation,
            active: true,
            class_one: false,
            barred_until: None,
        };
        (p, now, provider, info)
    }

    #[test]
    fn interest_closes_with_the_bid_deadline() {
        let (mut p, now, provider, info) = bidding();
        assert!(p.register_interest(&provider, &info, now).is_ok());
        let late = p.register_interest(&provider, &info, now + chrono::Duration::days(10)).unwrap_err();
        assert_eq!(late.code(), ErrorCode::DeadlinePassed);
    }

    #[test]
    fn a_barred_provider_may_neither_register_interest_ask_nor_bid() {
        let (mut p, now, provider, info) = bidding();
        let today = crate::calendar::china_date(now);
        let barred = crate::org::ProviderInfo { barred_until: Some(today + chrono::Duration::days(5)), ..info };
        assert_eq!(p.register_interest(&provider, &barred, now).unwrap_err().code(), ErrorCode::ProviderBarred);
        assert_eq!(
            p.ask(&provider, &barred, "请问服务对象名单何时提供？", now).unwrap_err().code(),
            ErrorCode::ProviderBarred
        );
        assert_eq!(p.check_bid_window(&provider, &barred, None, now).unwrap_err().code(), ErrorCode::ProviderBarred);
        assert!(p.interests.is_empty(), "nothing registered");
        // The day after the bar ends it may take part again.
        let later = now + chrono::Duration::days(6);
        assert!(p.register_interest(&provider, &barred, later).is_ok());
    }
}
