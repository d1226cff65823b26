//! Organisations, people, places and roles.

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal / $zh:literal / $en:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            pub fn parse(s: &str) -> Option<$name> { $name::ALL.iter().copied().find(|v| v.code() == s) }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// What a user may do. A user has one or more.
    Role {
        Admin = "admin" / "系统管理员" / "Administrator",
        Purchaser = "purchaser" / "购买主体经办人" / "Purchaser",
        Reviewer = "reviewer" / "审核人" / "Reviewer",
        Provider = "provider" / "承接主体" / "Provider",
        Expert = "expert" / "评审专家" / "Expert",
        Evaluator = "evaluator" / "第三方评估机构" / "Third-party evaluator",
        Supervisor = "supervisor" / "监督人员" / "Supervisor",
        Agency = "agency" / "采购代理机构" / "Procurement agency",
    }
);

string_enum!(
    /// What an organisation is; decides whether it may purchase, provide, review or evaluate.
    OrgKind {
        CivilAffairs = "civil_affairs" / "民政部门" / "Civil affairs department",
        Finance = "finance" / "财政部门" / "Finance department",
        Education = "education" / "教育部门" / "Education department",
        Health = "health" / "卫生健康部门" / "Health department",
        DisabledPersonsFederation = "disabled_persons_federation" / "残疾人联合会" / "Disabled persons' federation",
        WomensFederation = "womens_federation" / "妇女联合会" / "Women's federation",
        HumanResources = "human_resources" / "人力资源和社会保障部门" / "Human resources and social security",
        PoliticalLegal = "political_legal" / "政法委" / "Political and legal affairs commission",
        TownshipGovernment = "township_government" / "乡镇人民政府/街道办事处" / "Township government or street office",
        SocialOrganisation = "social_organisation" / "社会组织" / "Social organisation",
        Enterprise = "enterprise" / "企业" / "Enterprise",
        PublicInstitution = "public_institution" / "事业单位" / "Public institution",
        RuralCollective = "rural_collective" / "农村集体经济组织" / "Rural collective",
        SelfGoverningBody = "self_governing_body" / "基层群众性自治组织" / "Grassroots self-governing body",
        Individual = "individual" / "自然人" / "Individual",
        ThirdPartyEvaluator = "third_party_evaluator" / "第三方评估机构" / "Third-party evaluator",
        SocialWorkAssociation = "social_work_association" / "社会工作者协会" / "Social workers' association",
        TalentCentre = "talent_centre" / "社会工作人才服务中心" / "Social-work talent centre",
        TownshipStation = "township_station" / "乡镇社会工作服务站" / "Township social-work station",
        Workroom = "workroom" / "社会工作室" / "Social-work workroom",
    }
);

impl OrgKind {
    /// State organs that may buy services (购买主体).
    pub fn is_purchasing_department(self) -> bool {
        use OrgKind::*;
        matches!(
            self,
            CivilAffairs
                | Finance
                | Education
                | Health
                | DisabledPersonsFederation
                | WomensFederation
                | HumanResources
                | PoliticalLegal
                | TownshipGovernment
        )
    }

    /// Kinds that may take on a purchased service (承接主体, MOF order 102 art. 6–8). Class-one public
    /// institutions are excluded separately, by their flag.
    pub fn is_provider_kind(self) -> bool {
        use OrgKind::*;
        matches!(
            self,
            SocialOrganisation | Enterprise | PublicInstitution | RuralCollective | SelfGoverningBody | Individual
        )
    }
}

string_enum!(
    RegionLevel {
        Province = "province" / "省、自治区、直辖市" / "Province",
        City = "city" / "设区的市、自治州" / "City with districts",
        District = "district" / "区县" / "District",
        Township = "township" / "乡镇（街道）" / "Township / street",
        Village = "village" / "村（社区）" / "Village / community",
    }
);

impl RegionLevel {
    /// Whether a place of this level may lie under a place of `parent`'s: any lower level (a county-level city
    /// may lie directly under its province), and nothing under a village, the lowest.
    pub fn may_lie_under(self, parent: RegionLevel) -> bool {
        let rank = |l: RegionLevel| RegionLevel::ALL.iter().position(|x| *x == l);
        rank(self) > rank(parent)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
    pub urban: bool,
    pub parent: Option<String>,
}

#[cfg(test)]
mod region_tests {
    use super::RegionLevel::*;

    #[test]
    fn a_place_lies_under_any_higher_level_and_nothing_under_a_village() {
        assert!(
            Township.may_lie_under(District) && District.may_lie_under(Province) && Village.may_lie_under(Township)
        );
        for level in super::RegionLevel::ALL {
            assert!(!level.may_lie_under(Village), "{level:?} under a village");
            assert!(!level.may_lie_under(*level), "{level:?} under its own level");
        }
        assert!(!City.may_lie_under(District));
    }
}

/// Whether `code` lies in the subtree rooted at `root`. Region codes are hierarchical (a child's code
/// starts with its parent's), which the store enforces when regions are added.
pub fn region_within(code: &str, root: &str) -> bool {
    code.starts_with(root)
}

/// The lengths of an administrative division code at each level: province, city, county, township, village.
pub const PLACE_CODE_LENGTHS: [usize; 5] = [2, 4, 6, 9, 12];

/// Whether `code` has the shape of one level's division code (digits, of one of [`PLACE_CODE_LENGTHS`]).
pub fn is_place_code(code: &str) -> bool {
    PLACE_CODE_LENGTHS.contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
}

/// The length of a county's (district's) code: the administrative division code's first six digits.
pub const COUNTY_CODE_LEN: usize = 6;

/// The county (district) that `code` lies in, or `code` itself when it is a county's or a place above one.
pub fn county_of(code: &str) -> &str {
    code.get(..COUNTY_CODE_LEN).filter(|_| code.len() > COUNTY_CODE_LEN).unwrap_or(code)
}

/// Who is acting: resolved by the server from the session, never taken from the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub org_kind: OrgKind,
    pub roles: Vec<Role>,
    /// For supervisors: the region subtree they oversee.
    pub supervisor_region: Option<String>,
    /// The level of the organisation's own region, where it has one: it tells a county's finance bureau, which
    /// keeps this platform's budgets, from a city's or a province's, which only approve other methods.
    pub org_level: Option<RegionLevel>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// A reviewer of the finance department that keeps the budgets here (the county level and below): it
    /// allocates, reviews the money, closes years, keeps the expert pool, decides complaints and switches.
    /// A finance bureau of a city with districts or of a province sits above and only approves other methods
    /// (政府采购法 §27); it does none of this.
    pub fn is_finance_reviewer(&self) -> bool {
        self.has(Role::Reviewer) && self.org_kind == OrgKind::Finance && !self.is_upper_level()
    }

    /// A reviewer of a finance bureau of a city with districts or a province: the approving authority for other
    /// methods at or above the open-tender threshold.
    pub fn is_upper_finance_reviewer(&self) -> bool {
        self.has(Role::Reviewer) && self.org_kind == OrgKind::Finance && self.is_upper_level()
    }

    /// A city's or province's organisation (not a county's or below).
    pub fn is_upper_level(&self) -> bool {
        matches!(self.org_level, Some(RegionLevel::City | RegionLevel::Province))
    }
}

/// A provider as the award step needs to see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderInfo {
    pub org_id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub active: bool,
    pub class_one: bool,
    /// The last day finance bars it from government purchasing ([`crate::credit`]), as its organisation says
    /// when read: never kept in the records that name the provider (an award, a contract).
    #[serde(skip)]
    pub barred_until: Option<chrono::NaiveDate>,
}

/// An organisation: purchaser, provider, reviewer, evaluator or part of the social-work network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: i64,
    /// Short stable handle used on the command line and in seed data (e.g. `mzj`).
    pub key: String,
    pub name: String,
    pub kind: OrgKind,
    /// Unified social credit code; `None` only for individuals.
    pub uscc: Option<String>,
    /// An individual's resident ID number, masked. The full number is stored encrypted and never leaves the store.
    pub resident_id_masked: Option<String>,
    pub region: Option<String>,
    pub parent_id: Option<i64>,
    /// A class-one public-welfare institution may neither buy nor provide.
    pub class_one: bool,
    pub active: bool,
    pub contact: String,
    /// Whether civil affairs has verified the organisation; only self-registered providers start unverified.
    #[serde(default)]
    pub verification: Verification,
    /// The last day of the latest bar from government purchasing finance decided, if any ([`crate::credit`]).
    #[serde(default)]
    pub barred_until: Option<chrono::NaiveDate>,
}

string_enum!(
    /// Where a provider's self-registration stands with civil affairs.
    Verification {
        Pending = "pending" / "待民政部门核验" / "Waiting for civil affairs to verify",
        Verified = "verified" / "已核验" / "Verified",
        Rejected = "rejected" / "未通过核验" / "Rejected",
    }
);

impl Default for Verification {
    /// Organisations added by an administrator or the demo are verified by whoever added them.
    fn default() -> Self {
        Verification::Verified
    }
}

impl Organisation {
    pub fn provider_info(&self) -> ProviderInfo {
        ProviderInfo {
            org_id: self.id,
            name: self.name.clone(),
            kind: self.kind,
            active: self.active,
            class_one: self.class_one,
            barred_until: self.barred_until,
        }
    }
    pub fn is_eligible_provider(&self) -> bool {
        self.kind.is_provider_kind() && !self.class_one && self.active && self.verification == Verification::Verified
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub roles: Vec<Role>,
    pub supervisor_region: Option<String>,
    pub active: bool,
}

/// Usernames: 3–40 characters of lowercase ASCII letters, digits, dots, dashes and underscores.
pub fn valid_username(s: &str) -> bool {
    (3..=40).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && s.as_bytes()[0].is_ascii_alphanumeric()
}

/// An actor for the domain's tests: user `user_id` of organisation `org_id` of `kind`, named after its ids.
#[cfg(test)]
pub(crate) fn test_actor(user_id: i64, org_id: i64, kind: OrgKind, roles: &[Role]) -> Actor {
    Actor {
        user_id,
        username: format!("u{user_id}"),
        display_name: format!("用户{user_id}"),
        org_id,
        org_name: format!("单位{org_id}"),
        org_kind: kind,
        roles: roles.to_vec(),
        supervisor_region: None,
        org_level: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(*r));
        }
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.code()), Some(*k));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn provider_and_purchaser_kinds_are_disjoint() {
        for k in OrgKind::ALL {
            assert!(!(k.is_provider_kind() && k.is_purchasing_department()), "{k:?}");
        }
        assert!(!OrgKind::ThirdPartyEvaluator.is_provider_kind());
        assert!(OrgKind::Individual.is_provider_kind());
    }

    #[test]
    fn usernames() {
        assert!(valid_username("mzj.purchaser"));
        assert!(!valid_username("ab"));
        assert!(!valid_username("Admin"));
        assert!(!valid_username(".x1"));
        assert!(!valid_username("王敏"));
    }

    #[test]
    fn region_subtree() {
        assert!(region_within("420506001002", "420506001"));
        assert_eq!(county_of("420506001002"), "420506");
        assert_eq!(county_of("420506008"), "420506");
        assert_eq!(county_of("420506"), "420506");
        assert_eq!(county_of("4205"), "4205", "a city is its own home");
        assert_eq!(county_of("42050６"), "42050６", "a code that is not cut at a character boundary stays whole");
        assert!(!region_within("420506002", "420506001"));
    }
}
