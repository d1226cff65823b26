use super::*;
use crate::error::ErrorCode;
use proptest::prelude::*;

fn yuan(y: i64) -> Money {
    Money::from_yuan(y)
}

#[test]
fn movements_between_buckets() {
    let mut b = Balances::default();
    b.apply(Movement::Allocate, yuan(1000)).unwrap();
    b.apply(Movement::Reserve, yuan(600)).unwrap();
    assert_eq!(b.apply(Movement::Reserve, yuan(401)).unwrap_err().code(), ErrorCode::BudgetExceeded);
    b.apply(Movement::Commit, yuan(500)).unwrap();
    b.apply(Movement::Release, yuan(100)).unwrap();
    b.apply(Movement::Pay, yuan(200)).unwrap();
    b.apply(Movement::Uncommit, yuan(300)).unwrap();
    assert_eq!(b, Balances { available: yuan(800), reserved: yuan(0), committed: yuan(0), paid: yuan(200) });
    assert_eq!(b.apply(Movement::Pay, yuan(1)).unwrap_err().code(), ErrorCode::BudgetExceeded);
    assert_eq!(b.apply(Movement::GrantOut, yuan(801)).unwrap_err().code(), ErrorCode::BudgetExceeded);
    assert_eq!(b.apply(Movement::Allocate, Money::ZERO).unwrap_err().code(), ErrorCode::AmountNotPositive);
    assert_eq!(b.total(), yuan(1000));
}

#[test]
fn exceeded_budget_says_how_much() {
    let mut b = Balances::default();
    b.apply(Movement::Allocate, yuan(10)).unwrap();
    let e = b.apply(Movement::Reserve, yuan(11)).unwrap_err();
    assert!(e.message_zh().contains("11.00") && e.message_zh().contains("10.00"), "{}", e.message_zh());
    assert_eq!(e.kind(), crate::ErrorKind::Conflict);
}

#[test]
fn split_is_exact_and_proportional() {
    let parts = split(Money::from_fen(100), &[yuan(1), yuan(1), yuan(1)]);
    assert_eq!(parts, vec![Money::from_fen(34), Money::from_fen(33), Money::from_fen(33)]);
    let parts = split(yuan(80_000), &[yuan(60_000), yuan(22_000)]);
    assert_eq!(parts.iter().copied().sum::<Money>(), yuan(80_000));
    assert_eq!(parts[0].fen(), 5_853_659, "80000 × 60000 / 82000 = 58536.585… → largest remainder");
    assert_eq!(split(yuan(5), &[Money::ZERO, Money::ZERO]), vec![yuan(5), Money::ZERO]);
}

#[test]
fn plans_must_add_up() {
    let line = |id, y| FundingLine { budget_id: id, year: 2026, source: FundSource::GeneralBudget, amount: yuan(y) };
    assert!(check_plan(&[line(1, 60), line(2, 40)], yuan(100)).is_ok());
    assert_eq!(check_plan(&[line(1, 60)], yuan(100)).unwrap_err().code(), ErrorCode::FundingNotTotal);
    assert_eq!(check_plan(&[], yuan(100)).unwrap_err().code(), ErrorCode::FundingRequired);
    assert_eq!(check_plan(&[line(1, 50), line(1, 50)], yuan(100)).unwrap_err().code(), ErrorCode::BudgetRepeated);
    assert_eq!(check_plan(&[line(1, 0), line(2, 100)], yuan(100)).unwrap_err().code(), ErrorCode::AmountNotPositive);
}

fn any_movement() -> impl Strategy<Value = Movement> {
    prop::sample::select(Movement::ALL.to_vec())
}

proptest! {
    /// Whatever sequence of movements is asked for, accepted ones keep every bucket non-negative and the
    /// total equal to what came in minus what went out; refused ones change nothing.
    #[test]
    fn ledger_never_goes_negative(ops in prop::collection::vec((any_movement(), 1i64..5_000_000), 0..60)) {
        let mut b = Balances::default();
        let mut net: i64 = 0;
        for (m, fen) in ops {
            let before = b;
            match b.apply(m, Money::from_fen(fen)) {
                Ok(()) => match m {
                    Movement::Allocate | Movement::GrantIn => net += fen,
                    Movement::GrantOut => net -= fen,
                    _ => {}
                },
                Err(e) => {
                    prop_assert_eq!(e.code(), ErrorCode::BudgetExceeded);
                    prop_assert_eq!(b, before);
                }
            }
            for bucket in [b.available, b.reserved, b.committed, b.paid] {
                prop_assert!(bucket.fen() >= 0);
            }
            prop_assert_eq!(b.total().fen(), net);
        }
    }

    /// Balances replayed movement by movement equal balances computed from per-movement totals.
    #[test]
    fn totals_agree_with_replay(ops in prop::collection::vec((any_movement(), 1i64..1_000_000), 0..40)) {
        let mut b = Balances::default();
        let mut sums = std::collections::HashMap::new();
        for (m, fen) in ops {
            if b.apply(m, Money::from_fen(fen)).is_ok() {
                *sums.entry(m).or_insert(0i64) += fen;
            }
        }
        let from = Balances::from_totals(|m| Money::from_fen(*sums.get(&m).unwrap_or(&0)));
        prop_assert_eq!(from, b);
    }

    /// Splits always add up to the amount and never differ from the exact share by a fen or more.
    #[test]
    fn split_preserves_sums(amount in 0i64..10_000_000_000, weights in prop::collection::vec(1i64..1_000_000_000, 1..8)) {
        let w: Vec<Money> = weights.iter().map(|f| Money::from_fen(*f)).collect();
        let parts = split(Money::from_fen(amount), &w);
        prop_assert_eq!(parts.iter().map(|p| p.fen()).sum::<i64>(), amount);
        let total: i128 = weights.iter().map(|x| *x as i128).sum();
        for (p, wt) in parts.iter().zip(&weights) {
            let exact = amount as i128 * *wt as i128;
            prop_assert!((p.fen() as i128 * total - exact).abs() < total);
        }
    }
}

#[test]
fn funding_comes_from_the_years_the_service_runs() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let line = |budget_id, year| FundingLine { budget_id, year, source: FundSource::GeneralBudget, amount: yuan(10) };
    // A service from April 2026 to March 2027 may draw on 2026 and 2027, not on 2013 or 2028.
    assert!(check_years(&[line(1, 2026), line(2, 2027)], d(2026, 4, 1), d(2027, 3, 31)).is_ok());
    let e = check_years(&[line(1, 2013), line(2, 2026), line(3, 2028)], d(2026, 4, 1), d(2027, 3, 31)).unwrap_err();
    let fields: Vec<&str> = e.fields().iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["funding[0].budget_id", "funding[2].budget_id"]);
    assert!(e.fields().iter().all(|f| f.code == ErrorCode::FundingYearOutsideService));
    assert!(e.fields()[0].message.contains("2013"));
}
