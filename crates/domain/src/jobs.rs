//! Scheduled work that is done once however many servers share the database: which jobs there are, and which
//! period — the run key — a run at a given moment is for. Servers asking at the same moment get the same key,
//! and the store records each job's key once, so only one of them does the run.

use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::{china_date, china_offset};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Once per China date: sessions and API tokens past their expiry, and sign-in counts idle for a day, are
    /// deleted.
    SessionPurge,
    /// Every [`SweepPeriod`] from China midnight: procurement duties past their due date are marked overdue,
    /// and marks whose duty is no longer outstanding are resolved.
    DeadlineSweep,
}

impl Job {
    /// The audit event of one run.
    pub fn action(self) -> crate::audit::Action {
        match self {
            Job::SessionPurge => crate::audit::Action::JobSessionPurge,
            Job::DeadlineSweep => crate::audit::Action::JobDeadlineSweep,
        }
    }

    pub const ALL: [Job; 2] = [Job::SessionPurge, Job::DeadlineSweep];

    pub fn code(self) -> &'static str {
        match self {
            Job::SessionPurge => "session_purge",
            Job::DeadlineSweep => "deadline_sweep",
        }
    }

    pub fn parse(code: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|j| j.code() == code)
    }

    /// The period a run at `now` is for: the China date for the purge (`2026-03-02`); for the sweep, the start
    /// of its slot in China time (`2026-03-02T09:00+08:00`). Slots are counted from each China midnight — the
    /// moment duties turn overdue — so a day's first sweep runs as soon as there is something new to mark.
    pub fn run_key(self, now: DateTime<Utc>, every: SweepPeriod) -> String {
        let date = china_date(now);
        match self {
            Job::SessionPurge => date.format("%Y-%m-%d").to_string(),
            Job::DeadlineSweep => {
                let local = now.with_timezone(&china_offset());
                let minute = local.hour() * 60 + local.minute();
                let start = minute - minute % every.minutes();
                format!("{}T{:02}:{:02}+08:00", date.format("%Y-%m-%d"), start / 60, start % 60)
            }
        }
    }
}

/// How often the deadline sweep runs: from 1 minute to 1 day (`deadline_sweep_minutes` in config.json).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct SweepPeriod(u32);

impl SweepPeriod {
    pub const DEFAULT: SweepPeriod = SweepPeriod(60);

    pub fn parse(minutes: u32) -> Result<SweepPeriod, String> {
        if (1..=24 * 60).contains(&minutes) {
            Ok(SweepPeriod(minutes))
        } else {
            Err(format!("deadline_sweep_minutes: {minutes} is not from 1 to 1440 (a day)"))
        }
    }

    pub fn minutes(self) -> u32 {
        self.0
    }
}

impl Default for SweepPeriod {
    fn default() -> SweepPeriod {
        SweepPeriod::DEFAULT
    }
}

impl TryFrom<u32> for SweepPeriod {
    type Error = String;
    fn try_from(minutes: u32) -> Result<SweepPeriod, String> {
        SweepPeriod::parse(minutes)
    }
}

impl From<SweepPeriod> for u32 {
    fn from(p: SweepPeriod) -> u32 {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_purge_runs_once_per_china_date() {
        let key = |s| Job::SessionPurge.run_key(at(s), SweepPeriod::DEFAULT);
        // 23:59 UTC on 1 March is 07:59 on 2 March in China.
        assert_eq!(key("2026-03-01T23:59:00Z"), "2026-03-02");
        assert_eq!(key("2026-03-02T15:59:59Z"), "2026-03-02");
        assert_eq!(key("2026-03-02T16:00:00Z"), "2026-03-03");
    }

    #[test]
    fn sweep_slots_start_at_china_midnight() {
        let hourly = SweepPeriod::DEFAULT;
        let key = |s, every| Job::DeadlineSweep.run_key(at(s), every);
        assert_eq!(key("2026-03-02T09:00:00+08:00", hourly), "2026-03-02T09:00+08:00");
        assert_eq!(key("2026-03-02T09:59:59+08:00", hourly), "2026-03-02T09:00+08:00");
        assert_eq!(key("2026-03-03T00:00:01+08:00", hourly), "2026-03-03T00:00+08:00");
        // A period that does not divide the day ends the day's last slot early: the next starts at midnight.
        let seven_hours = SweepPeriod::parse(7 * 60).unwrap();
        assert_eq!(key("2026-03-02T23:30:00+08:00", seven_hours), "2026-03-02T21:00+08:00");
        assert_eq!(key("2026-03-03T00:10:00+08:00", seven_hours), "2026-03-03T00:00+08:00");
        let daily = SweepPeriod::parse(1440).unwrap();
        assert_eq!(key("2026-03-02T23:30:00+08:00", daily), "2026-03-02T00:00+08:00");
    }

    #[test]
    fn jobs_have_stable_codes() {
        for job in Job::ALL {
            assert_eq!(Job::parse(job.code()), Some(job));
        }
        assert_eq!(Job::parse("nonsense"), None);
    }

    #[test]
    fn the_sweep_period_is_a_minute_to_a_day() {
        assert_eq!(SweepPeriod::default().minutes(), 60);
        assert!(SweepPeriod::parse(0).is_err() && SweepPeriod::parse(1441).is_err());
        let bad = serde_json::from_str::<SweepPeriod>("0").unwrap_err();
        assert!(bad.to_string().contains("deadline_sweep_minutes"), "{bad}");
        assert_eq!(serde_json::from_str::<SweepPeriod>("15").unwrap().minutes(), 15);
    }
}
