//! Monitoring during service (过程监管): each indicator's progress as the provider's service reports give it,
//! against where it should stand by then, and the purchaser's monitoring visits. A project whose latest report
//! is behind its targets waits for a visit from its purchaser.

use super::*;
use crate::audit::Action;
use crate::clock::china_date;
use crate::error::ErrorCode;
use crate::evaluation::ScoringRule;

string_enum!(
    /// How the purchaser looked at the service.
    VisitKind {
        OnSite = "on_site" / "实地查看" / "On-site visit",
        Records = "records" / "查阅服务档案" / "Records checked",
        UserCallback = "user_callback" / "回访服务对象" / "Service users called back",
        Meeting = "meeting" / "约谈承接主体" / "Meeting with the provider",
    }
);

/// A monitoring visit the purchaser recorded: when, how, and what it found (no service user is named).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub on: NaiveDate,
    pub kind: VisitKind,
    pub findings: String,
    pub by: i64,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitInput {
    pub on: NaiveDate,
    pub kind: VisitKind,
    pub findings: String,
}

/// One indicator's progress: its target, the latest figure reported, where it should stand by the latest
/// report, and whether it falls behind that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub indicator: String,
    pub unit: String,
    pub rule: ScoringRule,
    pub target: Quantity,
    /// The latest report's figure for it, if any report gave one.
    pub reported: Option<Quantity>,
    /// By the latest report's day, in proportion to the contract term elapsed (for `at_least` targets).
    pub expected: Option<Quantity>,
    pub behind: bool,
}

impl Project {
    /// The latest service report.
    pub(super) fn latest_report(&self) -> Option<&ServiceReport> {
        self.contract.as_ref()?.milestones.iter().flat_map(|m| &m.reports).max_by_key(|r| r.filed_at)
    }

    /// Each target's progress as of the latest service report. An `at_least` target is behind when the figure
    /// is short of its share of the term elapsed by more than `tolerance_bp`; an `at_most` one when the figure
    /// is above it by more than that; a `reached` one is judged at evaluation only.
    pub fn progress(&self, tolerance_bp: u32) -> Vec<Progress> {
        let report = self.latest_report();
        let elapsed_bp = match (self.contract.as_ref(), report) {
            (Some(c), Some(r)) => {
                let term = (c.end - c.start).num_days() + 1;
                let done = (china_date(r.filed_at) - c.start).num_days() + 1;
                done.clamp(0, term) * 10_000 / term.max(1)
            }
            _ => 0,
        };
        let slack = 10_000 - i64::from(tolerance_bp.min(10_000));
        self.design
            .targets
            .iter()
            .filter_map(|t| {
                let target = Quantity::parse(t.target.trim()).ok()?;
                let reported = report
                    .and_then(|r| r.outputs.iter().find(|o| o.indicator == t.indicator))
                    .and_then(|o| Quantity::parse(o.actual.trim()).ok());
                let (expected, behind) = match (t.rule, reported) {
                    (ScoringRule::AtLeast, Some(got)) => {
                        let expected = target.hundredths() * elapsed_bp / 10_000;
                        (Some(Quantity::from_hundredths(expected)), got.hundredths() * 10_000 < expected * slack)
                    }
                    (ScoringRule::AtMost, Some(got)) => {
                        (None, got.hundredths() * 10_000 > target.hundredths() * (20_000 - slack))
                    }
                    _ => (None, false),
                };
                Some(Progress {
                    indicator: t.indicator.clone(),
                    unit: t.unit.clone(),
                    rule: t.rule,
                    target,
                    reported,
                    expected,
                    behind,
                })
            })
            .collect()
    }

    /// The indicators behind at the latest service report (as it was filed), with no monitoring visit recorded
    /// since that report: what the purchaser's work queue asks it to look into.
    pub fn behind_unvisited(&self) -> bool {
        let Some(report) = self.latest_report() else { return false };
        let visited = self.visits.iter().any(|v| v.at >= report.filed_at);
        self.status == Status::Acceptance && !visited && !report.behind.is_empty()
    }

    /// The purchaser records a monitoring visit to the running service.
    pub fn record_visit(
        &mut self,
        actor: &Actor,
        input: VisitInput,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_purchaser(actor, "record_visit")?;
        self.require_status(&[Status::Acceptance], "record_visit")?;
        let start = self.contract.as_ref().map(|c| c.start).ok_or(DomainError::NotFound { what: "contract" })?;
        let mut p = Problems::default();
        if input.on < start || input.on > china_date(now) {
            p.add(
                "on",
                ErrorCode::OutOfRange,
                "走访日期须在合同开始之后、今天或以前",
                "the visit's day must fall between the contract's start and today",
            );
        }
        need_text(&mut p, "findings", &input.findings, 2000, "监测发现", "findings");
        p.into_result()?;
        self.visits.push(Visit {
            on: input.on,
            kind: input.kind,
            findings: input.findings.trim().to_string(),
            by: actor.user_id,
            at: now,
        });
        self.touch(now);
        Ok(Change::new(Action::ProjectMonitoringVisit, json!({"on": input.on, "kind": input.kind.code()})))
    }
}
