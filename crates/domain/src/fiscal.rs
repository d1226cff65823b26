//! Fiscal years: finance closes a year once it has ended (年终结账), and from then on no money is reserved,
//! allocated or granted from that year's budget lines. What was already committed is still paid. The fiscal
//! year is the calendar year, 1 January to 31 December (预算法 §18).

use crate::budget::Movement;
use crate::error::{DomainError, ErrorCode};
use crate::org::{Actor, Role};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A year finance has closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedYear {
    pub year: i32,
    pub closed_at: DateTime<Utc>,
    pub closed_by: Option<i64>,
    pub closed_by_name: String,
}

/// Finance (its reviewers) and administrators manage budgets, and so close years.
pub fn may_close(actor: &Actor) -> bool {
    actor.has(Role::Admin) || (actor.is_finance_reviewer())
}

fn closed_error(year: i32) -> DomainError {
    DomainError::refused(
        ErrorCode::FiscalYearClosed,
        format!("{year} 年度已关账，不能再预留、下达或转拨该年度的预算"),
        format!("the fiscal year {year} is closed: nothing more can be reserved, allocated or granted from it"),
    )
}

/// Checks that `actor` may close `year` today: a year that has ended and is not closed yet.
pub fn check_close(actor: &Actor, year: i32, today: NaiveDate, closed: &[i32]) -> Result<(), DomainError> {
    if !may_close(actor) {
        return Err(DomainError::NotPermitted { action: "close_fiscal_year" });
    }
    if !(2000..=2100).contains(&year) {
        return Err(DomainError::field(
            "year",
            ErrorCode::InvalidYear,
            "预算年度须在 2000 至 2100 年之间",
            "the fiscal year must be between 2000 and 2100",
        ));
    }
    if closed.contains(&year) {
        return Err(closed_error(year));
    }
    if year >= today.year() {
        return Err(DomainError::refused(
            ErrorCode::FiscalYearNotEnded,
            format!("{year} 年度尚未结束，不能关账"),
            format!("the fiscal year {year} has not ended yet"),
        ));
    }
    Ok(())
}

/// Movements that put a year's money to new use; after closing only commitments already made move on.
pub fn draws_on_year(movement: Movement) -> bool {
    matches!(movement, Movement::Allocate | Movement::GrantIn | Movement::GrantOut | Movement::Reserve)
}

/// Refuses a movement on a budget line of a closed year.
pub fn check_movement(movement: Movement, year: i32, closed: &[i32]) -> Result<(), DomainError> {
    if draws_on_year(movement) && closed.contains(&year) {
        Err(closed_error(year))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::OrgKind;

    fn actor(kind: OrgKind, roles: &[Role]) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            display_name: "用户".into(),
            org_id: 2,
            org_name: "单位".into(),
            org_kind: kind,
            roles: roles.to_vec(),
            supervisor_region: None,
            org_level: None,
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn finance_closes_a_year_that_has_ended_once() {
        let finance = actor(OrgKind::Finance, &[Role::Reviewer]);
        assert!(check_close(&finance, 2025, d(2026, 1, 1), &[]).is_ok());
        assert_eq!(
            check_close(&finance, 2025, d(2025, 12, 31), &[]).unwrap_err().code(),
            ErrorCode::FiscalYearNotEnded
        );
        assert_eq!(check_close(&finance, 2026, d(2026, 3, 2), &[]).unwrap_err().code(), ErrorCode::FiscalYearNotEnded);
        assert_eq!(
            check_close(&finance, 2025, d(2026, 3, 2), &[2025]).unwrap_err().code(),
            ErrorCode::FiscalYearClosed
        );
        assert_eq!(check_close(&finance, 1901, d(2026, 3, 2), &[]).unwrap_err().code(), ErrorCode::InvalidYear);
        for who in [actor(OrgKind::Education, &[Role::Purchaser]), actor(OrgKind::CivilAffairs, &[Role::Reviewer])] {
            assert_eq!(check_close(&who, 2025, d(2026, 3, 2), &[]).unwrap_err().code(), ErrorCode::Forbidden);
        }
        assert!(check_close(&actor(OrgKind::CivilAffairs, &[Role::Admin]), 2025, d(2026, 3, 2), &[]).is_ok());
    }

    #[test]
    fn a_closed_year_reserves_allocates_and_grants_nothing_but_still_pays() {
        for m in [Movement::Reserve, Movement::Allocate, Movement::GrantIn, Movement::GrantOut] {
            assert_eq!(check_movement(m, 2025, &[2025]).unwrap_err().code(), ErrorCode::FiscalYearClosed, "{m:?}");
            assert!(check_movement(m, 2026, &[2025]).is_ok());
        }
        for m in [Movement::Commit, Movement::Pay, Movement::Release, Movement::Uncommit] {
            assert!(check_movement(m, 2025, &[2025]).is_ok(), "{m:?}");
        }
    }
}
