//! A provider's credit record (信用记录) and blacklisting: finance bars a provider that seriously broke the rules
//! from government purchasing for one to three years (政府采购法 §77; 不良行为记录名单). A barred provider may not
//! register interest, bid, be awarded or sign — checked as a qualification wherever it acts, never used as a
//! scoring factor (实施条例 §20 forbids discriminatory criteria).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, ErrorCode, Problems};
use crate::org::{Actor, Organisation, ProviderInfo};
use crate::project::term_last_day;

/// One decision barring a provider, from `from` to `until` (both days included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blacklisting {
    #[serde(default)]
    pub id: i64,
    pub provider_org_id: i64,
    pub provider_name: String,
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub years: u32,
    /// What the provider did, as finance's decision states it (public).
    pub reason: String,
    pub decided_by_org_id: i64,
    pub decided_by_org_name: String,
    pub decided_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlacklistInput {
    pub years: u32,
    pub reason: String,
}

/// The most and fewest years a decision bars a provider for (政府采购法 §77: 一至三年).
pub const BLACKLIST_YEARS: std::ops::RangeInclusive<u32> = 1..=3;

/// Finance's decision barring `provider` from `today` for `input.years` years.
pub fn blacklist(
    actor: &Actor,
    provider: &Organisation,
    input: &BlacklistInput,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Blacklisting, DomainError> {
    if !actor.is_finance_reviewer() {
        return Err(DomainError::NotPermitted { action: "blacklist" });
    }
    if !provider.kind.is_provider_kind() {
        return Err(DomainError::ProviderIneligible);
    }
    let mut p = Problems::default();
    if !BLACKLIST_YEARS.contains(&input.years) {
        p.add(
            "years",
            ErrorCode::OutOfRange,
            "禁止参加政府采购活动的期限为一至三年（政府采购法第七十七条）",
            "a provider is barred for one to three years (政府采购法 §77)",
        );
    }
    let reason = input.reason.trim();
    let n = reason.chars().count();
    if n < 10 {
        p.add(
            "reason",
            ErrorCode::Required,
            "请写明处理决定的事实和依据（至少 10 个字）",
            "give the facts and grounds of the decision (at least 10 characters)",
        );
    } else if n > 2000 {
        p.add(
            "reason",
            ErrorCode::TooLong,
            "处理决定不能超过 2000 个字",
            "the decision must be at most 2000 characters",
        );
    }
    p.into_result()?;
    Ok(Blacklisting {
        id: 0,
        provider_org_id: provider.id,
        provider_name: provider.name.clone(),
        from: today,
        until: term_last_day(today, input.years * 12),
        years: input.years,
        reason: reason.to_string(),
        decided_by_org_id: actor.org_id,
        decided_by_org_name: actor.org_name.clone(),
        decided_at: now,
    })
}

impl ProviderInfo {
    /// The last day the provider is barred, if it is on `today`.
    pub fn barred_on(&self, today: NaiveDate) -> Option<NaiveDate> {
        self.barred_until.filter(|until| today <= *until)
    }

    /// Refuses a barred provider: it may not register interest, bid, be awarded or sign until its bar ends.
    pub fn check_not_barred(&self, today: NaiveDate) -> Result<(), DomainError> {
        match self.barred_on(today) {
            None => Ok(()),
            Some(until) => Err(DomainError::refused(
                ErrorCode::ProviderBarred,
                format!(
                    "{}已被列入不良行为记录名单，{}前禁止参加政府采购活动（政府采购法第七十七条）",
                    self.name,
                    crate::deadlines::date_zh(until)
                ),
                format!("{} is barred from government purchasing until {until} (政府采购法 §77)", self.name),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{test_actor, OrgKind, Role, Verification};

    fn provider() -> Organisation {
        Organisation {
            id: 50,
            key: "yg".into(),
            name: "阳光社工".into(),
            kind: OrgKind::SocialOrganisation,
            uscc: None,
            resident_id_masked: None,
            region: Some("420506".into()),
            parent_id: None,
            class_one: false,
            active: true,
            contact: String::new(),
            verification: Verification::Verified,
            barred_until: None,
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn finance_bars_a_provider_for_one_to_three_years() {
        let mut finance = test_actor(300, 2, OrgKind::Finance, &[Role::Reviewer]);
        finance.org_level = Some(crate::org::RegionLevel::District);
        let purchaser = test_actor(100, 10, OrgKind::CivilAffairs, &[Role::Purchaser]);
        let input = |years| BlacklistInput { years, reason: "提供虚假材料谋取中标，经查证属实".into() };
        let today = d(2026, 3, 2);
        let now = chrono::Utc::now();
        assert_eq!(blacklist(&purchaser, &provider(), &input(1), today, now).unwrap_err().code(), ErrorCode::Forbidden);
        for bad in [0, 4] {
            let e = blacklist(&finance, &provider(), &input(bad), today, now).unwrap_err();
            assert_eq!(e.fields()[0].field, "years", "{bad}");
        }
        let short = BlacklistInput { years: 1, reason: "违规".into() };
        assert_eq!(
            blacklist(&finance, &provider(), &short, today, now).unwrap_err().fields()[0].code,
            ErrorCode::Required
        );
        let b = blacklist(&finance, &provider(), &input(3), today, now).unwrap();
        assert_eq!((b.from, b.until), (today, d(2029, 3, 1)), "three years, the last day included");
        // Barred through its last day, free the day after.
        let info = ProviderInfo { barred_until: Some(b.until), ..provider().provider_info() };
        assert_eq!(info.check_not_barred(d(2029, 3, 1)).unwrap_err().code(), ErrorCode::ProviderBarred);
        assert!(info.check_not_barred(d(2029, 3, 2)).is_ok());
        assert!(provider().provider_info().check_not_barred(today).is_ok());
    }
}
