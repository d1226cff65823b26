//! Who may read an event's payload. The chain itself is public; what an event says — who acted, on what, before
//! and after — is shown only to readers in its scope, fixed when the event enters the chain. Deny by default.

use crate::org::{region_within, Actor, Role};
use serde::{Deserialize, Serialize};

use super::AuditEvent;

/// The readers of an event's payload, besides the one who acted (who always reads its own acts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// What is published anyway (notices, regions, the catalogue, spending standards): everyone.
    Public,
    /// Sign-ins and tokens: the administrators and supervisors of the user's own organisation, nobody outside it.
    Personal,
    /// Records about an object in these regions (a project's areas, a procurement's region, an organisation's
    /// seat): administrators, and supervisors whose region subtree holds one of them.
    Regions(Vec<String>),
    /// Settings and anything not tied to a place: administrators.
    System,
    /// A sealed bid or a provider's interest recorded before the chain was split from its content, when such
    /// records entered the chain at once: administrators only, and its time and action are withheld too.
    Sealed,
}

impl Scope {
    /// How the store keeps it: `public`, `personal`, `system`, `sealed`, or `regions:420506001,420506008`.
    pub fn code(&self) -> String {
        match self {
            Scope::Public => "public".into(),
            Scope::Personal => "personal".into(),
            Scope::System => "system".into(),
            Scope::Sealed => "sealed".into(),
            Scope::Regions(r) => format!("regions:{}", r.join(",")),
        }
    }

    /// The stored code; anything unknown or missing is the narrowest scope that still lets the system's
    /// administrators read it.
    pub fn parse(code: Option<&str>) -> Scope {
        match code {
            Some("public") => Scope::Public,
            Some("personal") => Scope::Personal,
            Some("sealed") => Scope::Sealed,
            Some(c) if c.starts_with("regions:") => Scope::regions(c["regions:".len()..].split(',')),
            _ => Scope::System,
        }
    }

    /// The scope of records about these regions; none at all is [`Scope::System`].
    pub fn regions<'a>(codes: impl IntoIterator<Item = &'a str>) -> Scope {
        let mut r: Vec<String> = codes.into_iter().map(str::trim).filter(|c| !c.is_empty()).map(String::from).collect();
        r.sort();
        r.dedup();
        if r.is_empty() {
            Scope::System
        } else {
            Scope::Regions(r)
        }
    }

    /// The scope that follows from the kind of object alone, where no look-up is needed.
    pub fn of_object_type(object_type: &str) -> Option<Scope> {
        match object_type {
            "notice" | "region" | "category" | "standard" => Some(Scope::Public),
            "session" => Some(Scope::Personal),
            "sealed_bid" => Some(Scope::Sealed),
            "setting" => Some(Scope::System),
            _ => None,
        }
    }

    /// Whether the event's time and action are public (all but old sealed records).
    pub fn shows_action(&self) -> bool {
        *self != Scope::Sealed
    }

    /// Whether `reader` (none: the public) may read the payload of `event`, kept in this scope.
    pub fn readable_by(&self, event: &AuditEvent, reader: Option<&Actor>) -> bool {
        if *self == Scope::Public {
            return true;
        }
        let Some(r) = reader else { return false };
        // One's own acts; and an organisation's acts recorded in its own name (a bid is the bidder's).
        if event.actor_id == Some(r.user_id) || (event.actor_id.is_none() && event.org_id == Some(r.org_id)) {
            return true;
        }
        match self {
            Scope::Public => true,
            Scope::Personal => (r.has(Role::Admin) || r.has(Role::Supervisor)) && event.org_id == Some(r.org_id),
            Scope::Regions(codes) => {
                r.has(Role::Admin)
                    || (r.has(Role::Supervisor)
                        && r.supervisor_region
                            .as_ref()
                            .is_some_and(|root| codes.iter().any(|c| region_within(c, root))))
            }
            Scope::System | Scope::Sealed => r.has(Role::Admin),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::NewEvent;
    use crate::org::OrgKind;
    use serde_json::Value;

    fn actor(user_id: i64, org_id: i64, roles: &[Role], region: Option<&str>) -> Actor {
        Actor {
            user_id,
            username: format!("u{user_id}"),
            display_name: String::new(),
            org_id,
            org_name: String::new(),
            org_kind: OrgKind::SocialOrganisation,
            roles: roles.to_vec(),
            supervisor_region: region.map(String::from),
            org_level: None,
        }
    }

    fn event(actor_id: Option<i64>, org_id: Option<i64>) -> AuditEvent {
        let e = NewEvent {
            actor_id,
            actor_name: "x".into(),
            org_id,
            action: "project.create".into(),
            object_type: "project".into(),
            object_id: "1".into(),
            before: Value::Null,
            after: Value::Null,
        };
        AuditEvent::seal(e, 1, chrono::DateTime::UNIX_EPOCH, super::super::GENESIS_HASH)
    }

    #[test]
    fn codes_round_trip_and_unknown_is_narrow() {
        for s in
            [Scope::Public, Scope::Personal, Scope::System, Scope::Sealed, Scope::regions(["420506008", "420506001"])]
        {
            assert_eq!(Scope::parse(Some(&s.code())), s);
        }
        assert_eq!(Scope::regions(["420506008", "420506001"]).code(), "regions:420506001,420506008");
        assert_eq!(Scope::parse(None), Scope::System);
        assert_eq!(Scope::parse(Some("everyone")), Scope::System);
        assert_eq!(Scope::regions([""]), Scope::System);
    }

    #[test]
    fn region_scopes_follow_the_supervisors_subtree() {
        let township = Scope::regions(["420506008001"]);
        let elsewhere = Scope::regions(["420506001"]);
        let e = event(Some(2), Some(3));
        let lq = actor(9, 8, &[Role::Supervisor], Some("420506008"));
        let district = actor(10, 4, &[Role::Supervisor], Some("420506"));
        let admin = actor(11, 1, &[Role::Admin], None);
        let purchaser = actor(12, 3, &[Role::Purchaser], None);
        assert!(township.readable_by(&e, Some(&lq)) && !elsewhere.readable_by(&e, Some(&lq)));
        assert!(township.readable_by(&e, Some(&district)) && elsewhere.readable_by(&e, Some(&district)));
        assert!(elsewhere.readable_by(&e, Some(&admin)));
        assert!(!elsewhere.readable_by(&e, Some(&purchaser)), "a colleague's act is not one's own");
        assert!(!elsewhere.readable_by(&e, None));
        assert!(elsewhere.readable_by(&e, Some(&actor(2, 3, &[], None))), "one's own act");
    }

    #[test]
    fn sign_ins_are_read_only_inside_the_organisation() {
        let e = event(Some(2), Some(3));
        let admin_elsewhere = actor(11, 1, &[Role::Admin], None);
        let supervisor_elsewhere = actor(10, 4, &[Role::Supervisor], Some("420506"));
        let admin_same = actor(13, 3, &[Role::Admin], None);
        let colleague = actor(14, 3, &[Role::Provider], None);
        assert!(!Scope::Personal.readable_by(&e, Some(&admin_elsewhere)));
        assert!(!Scope::Personal.readable_by(&e, Some(&supervisor_elsewhere)));
        assert!(Scope::Personal.readable_by(&e, Some(&admin_same)));
        assert!(!Scope::Personal.readable_by(&e, Some(&colleague)));
        assert!(!Scope::Personal.readable_by(&e, None));
        assert!(Scope::Public.readable_by(&e, None));
    }

    #[test]
    fn an_organisations_own_record_and_old_sealed_records() {
        let bid = event(None, Some(5));
        let bidder = actor(20, 5, &[Role::Provider], None);
        let rival = actor(21, 6, &[Role::Provider], None);
        let scope = Scope::regions(["420506001"]);
        assert!(scope.readable_by(&bid, Some(&bidder)) && !scope.readable_by(&bid, Some(&rival)));
        let old = event(None, None);
        assert!(Scope::Sealed.readable_by(&old, Some(&actor(11, 1, &[Role::Admin], None))));
        assert!(!Scope::Sealed.readable_by(&old, Some(&actor(10, 4, &[Role::Supervisor], Some("420506")))));
        assert!(!Scope::Sealed.shows_action() && Scope::System.shows_action());
    }
}
