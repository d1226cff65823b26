//! The provider registry (承接主体库): what a provider declares about itself — founding, registered capital, staff,
//! certified social workers by level, the places and categories it serves — its qualifications with their
//! documents and expiry dates, and its staff's training. Civil affairs verifies a registration against the
//! documents before the provider may bid; a qualification near or past its expiry is flagged.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, ErrorCode, Problems};
use crate::money::{Money, Quantity};
use crate::org::{string_enum, Actor, OrgKind, Role};

string_enum!(
    /// The three levels of the national social-work qualification (社会工作者职业资格).
    SocialWorkerLevel {
        Assistant = "assistant" / "助理社会工作师" / "Assistant social worker",
        Intermediate = "intermediate" / "社会工作师" / "Social worker",
        Senior = "senior" / "高级社会工作师" / "Senior social worker",
    }
);

string_enum!(
    /// What a qualification document is.
    QualificationKind {
        RegistrationCertificate = "registration_certificate" / "登记证书或营业执照" / "Registration certificate or business licence",
        OrganisationRating = "organisation_rating" / "社会组织评估等级证书" / "Social organisation rating",
        CharityRecognition = "charity_recognition" / "慈善组织认定" / "Charity recognition",
        TaxExemption = "tax_exemption" / "非营利组织免税资格" / "Non-profit tax exemption",
        ServiceLicence = "service_licence" / "行业许可或备案" / "Service licence or filing",
        Other = "other" / "其他资质" / "Other qualification",
    }
);

/// The certified social workers on the staff, by level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SocialWorkers {
    pub assistant: u32,
    pub intermediate: u32,
    pub senior: u32,
}

impl SocialWorkers {
    pub fn at(&self, level: SocialWorkerLevel) -> u32 {
        match level {
            SocialWorkerLevel::Assistant => self.assistant,
            SocialWorkerLevel::Intermediate => self.intermediate,
            SocialWorkerLevel::Senior => self.senior,
        }
    }
    pub fn total(&self) -> u32 {
        self.assistant.saturating_add(self.intermediate).saturating_add(self.senior)
    }
}

/// The most staff one provider declares: more is a typing slip.
pub const STAFF_MAX: u32 = 100_000;
/// The most places and categories one profile lists.
pub const LIST_MAX: usize = 50;
/// The earliest founding date accepted.
pub const FOUNDED_EARLIEST: (i32, u32, u32) = (1949, 10, 1);

/// What a provider declares about itself. Public, except nothing here is personal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub founded_on: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "300000.00"))]
    pub registered_capital: Money,
    pub staff: u32,
    pub social_workers: SocialWorkers,
    /// Region codes of the places it serves; a place covers every place under it.
    pub service_areas: Vec<String>,
    /// Catalogue category codes it provides.
    pub categories: Vec<String>,
}

impl Profile {
    /// The field problems of a profile declared on `today`, reported together. Whether its places and
    /// categories exist is the caller's to check against the store.
    pub fn check(&self, today: NaiveDate, p: &mut Problems) {
        let earliest = NaiveDate::from_ymd_opt(FOUNDED_EARLIEST.0, FOUNDED_EARLIEST.1, FOUNDED_EARLIEST.2);
        if self.founded_on > today || earliest.is_some_and(|e| self.founded_on < e) {
            p.add(
                "founded_on",
                ErrorCode::DateOutOfRange,
                "成立日期应在 1949 年 10 月 1 日至今天之间",
                "the founding date must lie between 1 October 1949 and today",
            );
        }
        if self.registered_capital < Money::ZERO {
            p.add(
                "registered_capital",
                ErrorCode::InvalidAmount,
                "注册资本不能为负数",
                "registered capital cannot be negative",
            );
        }
        if self.staff == 0 || self.staff > STAFF_MAX {
            p.add("staff", ErrorCode::OutOfRange, "从业人员应为 1 至 100000 人", "staff must be between 1 and 100,000");
        } else if self.social_workers.total() > self.staff {
            p.add(
                "social_workers",
                ErrorCode::OutOfRange,
                "持证社会工作者人数不能超过从业人员总数",
                "certified social workers cannot outnumber the staff",
            );
        }
        for (field, list, zh, en) in [
            ("service_areas", &self.service_areas, "请至少选择一个服务区域", "choose at least one place served"),
            ("categories", &self.categories, "请至少选择一个服务类别", "choose at least one service category"),
        ] {
            if list.is_empty() {
                p.add(field, ErrorCode::Required, zh, en);
            } else if list.len() > LIST_MAX {
                p.add(field, ErrorCode::TooManyLines, "最多选择 50 项", "choose at most 50");
            }
        }
    }

    /// Whether the provider serves `place` (a place it lists, or one under it).
    pub fn serves(&self, place: &str) -> bool {
        self.service_areas.iter().any(|area| crate::org::region_within(place, area))
    }
}

/// A qualification and the document that proves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Qualification {
    #[serde(default)]
    pub id: i64,
    pub org_id: i64,
    pub kind: QualificationKind,
    pub name: String,
    /// The certificate's number.
    pub number: String,
    pub issuer: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub issued_on: NaiveDate,
    /// `None` for a qualification without an end (most registration certificates).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expires_on: Option<NaiveDate>,
    /// The scanned document, an upload of the provider's own. Never public.
    pub file_id: i64,
    /// When civil affairs checked it against its document; `None` while it waits.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub verified_at: Option<DateTime<Utc>>,
}

string_enum!(
    /// Where a qualification stands on a day.
    Validity {
        Current = "current" / "有效" / "Current",
        Expiring = "expiring" / "即将到期" / "Expiring soon",
        Expired = "expired" / "已过期" / "Expired",
    }
);

impl Qualification {
    /// The field problems of a qualification added on `today`.
    pub fn check(&self, today: NaiveDate, p: &mut Problems) {
        for (field, value, max, zh, en) in [
            (
                "name",
                &self.name,
                100,
                "请填写资质名称（不超过 100 个字）",
                "enter the qualification's name (at most 100 characters)",
            ),
            (
                "number",
                &self.number,
                64,
                "请填写证书编号（不超过 64 个字）",
                "enter the certificate's number (at most 64 characters)",
            ),
            (
                "issuer",
                &self.issuer,
                100,
                "请填写发证机关（不超过 100 个字）",
                "enter the issuing authority (at most 100 characters)",
            ),
        ] {
            let n = value.trim().chars().count();
            if n == 0 || n > max {
                p.add(field, if n == 0 { ErrorCode::Required } else { ErrorCode::TooLong }, zh, en);
            }
        }
        if self.issued_on > today {
            p.add(
                "issued_on",
                ErrorCode::DateOutOfRange,
                "发证日期不能晚于今天",
                "the issue date cannot be after today",
            );
        }
        if self.expires_on.is_some_and(|e| e <= self.issued_on) {
            p.add(
                "expires_on",
                ErrorCode::InvalidDate,
                "有效期至应晚于发证日期",
                "the expiry must be after the issue date",
            );
        }
    }

    /// Whether it is current on `today`, expires within `warning_days`, or has expired.
    pub fn validity(&self, today: NaiveDate, warning_days: u32) -> Validity {
        match self.expires_on {
            Some(e) if e < today => Validity::Expired,
            Some(e) if (e - today).num_days() < i64::from(warning_days) => Validity::Expiring,
            _ => Validity::Current,
        }
    }
}

/// A course the provider's staff took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Training {
    #[serde(default)]
    pub id: i64,
    pub org_id: i64,
    pub course: String,
    pub organiser: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub held_on: NaiveDate,
    /// Hours of the course, per participant.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "16"))]
    pub hours: Quantity,
    pub participants: u32,
}

/// The longest course a training record holds, in hours: a year's working hours.
pub const TRAINING_HOURS_MAX: i64 = 2000;

impl Training {
    pub fn check(&self, today: NaiveDate, p: &mut Problems) {
        for (field, value, zh, en) in [
            ("course", &self.course, "请填写课程名称（不超过 100 个字）", "enter the course (at most 100 characters)"),
            (
                "organiser",
                &self.organiser,
                "请填写举办单位（不超过 100 个字）",
                "enter who held it (at most 100 characters)",
            ),
        ] {
            let n = value.trim().chars().count();
            if n == 0 || n > 100 {
                p.add(field, if n == 0 { ErrorCode::Required } else { ErrorCode::TooLong }, zh, en);
            }
        }
        if self.held_on > today {
            p.add("held_on", ErrorCode::DateOutOfRange, "培训日期不能晚于今天", "the course cannot be after today");
        }
        if self.hours.hundredths() <= 0 || self.hours.hundredths() > TRAINING_HOURS_MAX * 100 {
            p.add(
                "hours",
                ErrorCode::OutOfRange,
                "学时应大于 0、不超过 2000",
                "hours must be above 0 and at most 2,000",
            );
        }
        if self.participants == 0 || self.participants > STAFF_MAX {
            p.add(
                "participants",
                ErrorCode::OutOfRange,
                "参训人数应为 1 至 100000 人",
                "participants must be 1 to 100,000",
            );
        }
    }
}

/// Whether `actor` keeps organisation `org_id`'s registry entry: its own provider users, and before civil affairs
/// verifies it its registrant, who acts with no role until then and fills the entry in for the verification.
pub fn may_keep(actor: &Actor, org_id: i64) -> bool {
    actor.org_id == org_id && actor.org_kind.is_provider_kind() && (actor.has(Role::Provider) || actor.roles.is_empty())
}

/// Whether `actor` checks registry entries against their documents: civil affairs' reviewers.
pub fn may_verify(actor: &Actor) -> bool {
    actor.has(Role::Reviewer) && actor.org_kind == OrgKind::CivilAffairs
}

/// What civil affairs needs before it can verify a registration: the profile, and a registration certificate
/// that has not expired on `today`, with its document.
pub fn check_verifiable(
    profile: Option<&Profile>,
    qualifications: &[Qualification],
    today: NaiveDate,
) -> Result<(), DomainError> {
    let certificate = qualifications
        .iter()
        .any(|q| q.kind == QualificationKind::RegistrationCertificate && q.validity(today, 0) != Validity::Expired);
    match (profile.is_some(), certificate) {
        (true, true) => Ok(()),
        (false, _) => Err(DomainError::refused(
            ErrorCode::RegistryIncomplete,
            "该单位尚未填写承接主体档案（成立日期、人员、服务区域和类别），不能核验",
            "the provider has not filled in its registry entry (founding, staff, places and categories served); it cannot be verified",
        )),
        (true, false) => Err(DomainError::refused(
            ErrorCode::RegistryIncomplete,
            "该单位尚未上传有效的登记证书或营业执照，不能核验",
            "the provider has not uploaded a current registration certificate or business licence; it cannot be verified",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::test_actor;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn profile() -> Profile {
        Profile {
            founded_on: d(2012, 5, 4),
            registered_capital: Money::from_yuan(300_000),
            staff: 12,
            social_workers: SocialWorkers { assistant: 4, intermediate: 2, senior: 1 },
            service_areas: vec!["420506".into()],
            categories: vec!["A01".into()],
        }
    }

    fn qualification(kind: QualificationKind, expires_on: Option<NaiveDate>) -> Qualification {
        Qualification {
            id: 1,
            org_id: 50,
            kind,
            name: "民办非企业单位登记证书".into(),
            number: "鄂宜民证字第 0123 号".into(),
            issuer: "宜昌市夷陵区民政局".into(),
            issued_on: d(2012, 5, 4),
            expires_on,
            file_id: 9,
            verified_at: None,
        }
    }

    fn problems(f: impl FnOnce(&mut Problems)) -> Vec<(String, ErrorCode)> {
        let mut p = Problems::default();
        f(&mut p);
        match p.into_result() {
            Ok(()) => vec![],
            Err(DomainError::InvalidInput(fields)) => fields.into_iter().map(|f| (f.field, f.code)).collect(),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn a_profile_is_checked_whole() {
        let today = d(2026, 3, 2);
        assert!(problems(|p| profile().check(today, p)).is_empty());
        let bad = Profile {
            founded_on: d(2026, 3, 3),
            registered_capital: Money::from_fen(-1),
            staff: 5,
            social_workers: SocialWorkers { assistant: 4, intermediate: 2, senior: 0 },
            service_areas: vec![],
            categories: (0..51).map(|i| format!("A{i}")).collect(),
        };
        assert_eq!(
            problems(|p| bad.check(today, p)),
            vec![
                ("founded_on".into(), ErrorCode::DateOutOfRange),
                ("registered_capital".into(), ErrorCode::InvalidAmount),
                ("social_workers".into(), ErrorCode::OutOfRange),
                ("service_areas".into(), ErrorCode::Required),
                ("categories".into(), ErrorCode::TooManyLines),
            ]
        );
        let none = Profile { staff: 0, founded_on: d(1949, 9, 30), ..profile() };
        assert_eq!(
            problems(|p| none.check(today, p)),
            vec![("founded_on".into(), ErrorCode::DateOutOfRange), ("staff".into(), ErrorCode::OutOfRange)]
        );
        // Every certified worker on the staff, exactly: allowed.
        let all = Profile { staff: 7, ..profile() };
        assert!(problems(|p| all.check(today, p)).is_empty());
    }

    #[test]
    fn a_place_served_covers_the_places_under_it() {
        let p = Profile { service_areas: vec!["420506001".into(), "420502".into()], ..profile() };
        assert!(p.serves("420506001003"));
        assert!(p.serves("420502007"));
        assert!(!p.serves("420506002"));
        assert!(!p.serves("4205"), "a place above the one served is not served whole");
    }

    #[test]
    fn validity_turns_expiring_then_expired() {
        let q = qualification(QualificationKind::ServiceLicence, Some(d(2026, 4, 30)));
        assert_eq!(q.validity(d(2026, 3, 1), 60), Validity::Current, "60 days ahead exactly");
        assert_eq!(q.validity(d(2026, 3, 2), 60), Validity::Expiring, "59 days ahead");
        assert_eq!(q.validity(d(2026, 4, 30), 60), Validity::Expiring, "its last day");
        assert_eq!(q.validity(d(2026, 5, 1), 60), Validity::Expired);
        assert_eq!(qualification(QualificationKind::Other, None).validity(d(2090, 1, 1), 60), Validity::Current);
    }

    #[test]
    fn a_qualification_and_a_training_are_checked() {
        let today = d(2026, 3, 2);
        let mut q = qualification(QualificationKind::Other, Some(d(2012, 5, 4)));
        q.name = " ".into();
        q.issued_on = d(2026, 3, 3);
        q.expires_on = Some(d(2026, 3, 3));
        assert_eq!(
            problems(|p| q.check(today, p)),
            vec![
                ("name".into(), ErrorCode::Required),
                ("issued_on".into(), ErrorCode::DateOutOfRange),
                ("expires_on".into(), ErrorCode::InvalidDate)
            ]
        );
        let t = Training {
            id: 0,
            org_id: 50,
            course: "x".repeat(101),
            organiser: "宜昌市社会工作者协会".into(),
            held_on: today,
            hours: Quantity::from_hundredths(0),
            participants: 0,
        };
        assert_eq!(
            problems(|p| t.check(today, p)),
            vec![
                ("course".into(), ErrorCode::TooLong),
                ("hours".into(), ErrorCode::OutOfRange),
                ("participants".into(), ErrorCode::OutOfRange)
            ]
        );
        let fine = Training {
            course: "老年社会工作实务".into(),
            hours: Quantity::from_hundredths(1600),
            participants: 8,
            ..t
        };
        assert!(problems(|p| fine.check(today, p)).is_empty());
    }

    #[test]
    fn verification_needs_the_profile_and_a_current_certificate() {
        let today = d(2026, 3, 2);
        let code = |r: Result<(), DomainError>| r.err().map(|e| e.code());
        let cert = qualification(QualificationKind::RegistrationCertificate, None);
        assert_eq!(
            code(check_verifiable(None, std::slice::from_ref(&cert), today)),
            Some(ErrorCode::RegistryIncomplete)
        );
        assert_eq!(code(check_verifiable(Some(&profile()), &[], today)), Some(ErrorCode::RegistryIncomplete));
        let other = qualification(QualificationKind::TaxExemption, None);
        assert_eq!(code(check_verifiable(Some(&profile()), &[other], today)), Some(ErrorCode::RegistryIncomplete));
        let lapsed = qualification(QualificationKind::RegistrationCertificate, Some(d(2026, 3, 1)));
        assert_eq!(code(check_verifiable(Some(&profile()), &[lapsed], today)), Some(ErrorCode::RegistryIncomplete));
        assert_eq!(check_verifiable(Some(&profile()), &[cert], today), Ok(()));
    }

    #[test]
    fn only_its_own_provider_users_keep_an_entry_and_civil_affairs_verifies() {
        let provider = test_actor(5, 50, OrgKind::SocialOrganisation, &[Role::Provider]);
        assert!(may_keep(&provider, 50));
        assert!(!may_keep(&provider, 51));
        assert!(!may_keep(&test_actor(6, 50, OrgKind::SocialOrganisation, &[Role::Expert]), 50));
        assert!(
            may_keep(&test_actor(6, 50, OrgKind::SocialOrganisation, &[]), 50),
            "the registrant, before verification"
        );
        assert!(!may_keep(&test_actor(6, 50, OrgKind::CivilAffairs, &[]), 50));
        assert!(may_verify(&test_actor(7, 1, OrgKind::CivilAffairs, &[Role::Reviewer])));
        assert!(!may_verify(&test_actor(8, 1, OrgKind::CivilAffairs, &[Role::Purchaser])));
        assert!(!may_verify(&test_actor(9, 2, OrgKind::Finance, &[Role::Reviewer])));
    }
}
