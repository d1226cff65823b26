//! A project's evaluation as a record: who evaluates (the provider itself, the purchaser, a third-party evaluator
//! free of conflicts), what each scored per indicator with its evidence, and the result that weighs the three.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{score, Grade, GradeRules, Points, Scorecard};
use crate::error::{DomainError, ErrorCode, Problems};
use crate::money::Quantity;
use crate::org::string_enum;
use crate::project::PerformanceTarget;

string_enum!(
    /// Who evaluates a project, each once.
    Party {
        SelfEvaluation = "self_evaluation" / "承接主体自评" / "Provider's self-evaluation",
        Purchaser = "purchaser" / "购买主体评价" / "Purchaser's evaluation",
        ThirdParty = "third_party" / "第三方评估" / "Third-party evaluation",
    }
);

/// How much each party's total counts towards the result, and what keeps a third party independent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvaluationRules {
    /// Whole percent of the result from each party's total; they add up to 100. A local choice: the
    /// independent third party counts most, the provider's own view least.
    pub self_weight: u32,
    pub purchaser_weight: u32,
    pub third_party_weight: u32,
    /// An evaluator with a tie to the provider that lasted into the last this many years may not evaluate it.
    pub conflict_years: u32,
    /// How many of the provider's evaluations in a row one evaluator may make (1: never twice in a row).
    pub consecutive_limit: u32,
}

impl Default for EvaluationRules {
    fn default() -> Self {
        EvaluationRules {
            self_weight: 10,
            purchaser_weight: 30,
            third_party_weight: 60,
            conflict_years: 3,
            consecutive_limit: 1,
        }
    }
}

impl EvaluationRules {
    /// Why these rules cannot weigh an evaluation: weights not adding up to 100, or no evaluation in a row.
    pub fn check(&self) -> Result<(), String> {
        let sum = self.self_weight + self.purchaser_weight + self.third_party_weight;
        if sum != 100 {
            return Err(format!("evaluation: self_weight + purchaser_weight + third_party_weight is {sum}, not 100"));
        }
        if self.consecutive_limit == 0 {
            return Err("evaluation: consecutive_limit must be at least 1".into());
        }
        Ok(())
    }

    pub fn weight(&self, party: Party) -> u32 {
        match party {
            Party::SelfEvaluation => self.self_weight,
            Party::Purchaser => self.purchaser_weight,
            Party::ThirdParty => self.third_party_weight,
        }
    }
}

/// What one party found for one indicator, and on what evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorScore {
    pub indicator: String,
    /// What was achieved, in the target's unit.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "95.5"))]
    pub achieved: Quantity,
    /// Where it comes from: records checked, visits, survey results.
    pub evidence: String,
}

/// One party's evaluation as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartInput {
    pub scores: Vec<IndicatorScore>,
    /// The party's overall opinion and what the provider should improve.
    pub comment: String,
}

/// One party's evaluation: its scores, its scorecard, who made it (a user of `org_id`) and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationPart {
    pub party: Party,
    pub scores: Vec<IndicatorScore>,
    pub comment: String,
    pub scorecard: Scorecard,
    pub org_id: i64,
    pub org_name: String,
    pub by: i64,
    pub at: DateTime<Utc>,
}

/// The third-party evaluator the purchaser commissioned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluator {
    pub org_id: i64,
    pub org_name: String,
}

/// The evaluation's result once every party has scored: the weighted total and its grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationResult {
    pub total: Points,
    pub grade: Grade,
    pub at: DateTime<Utc>,
}

/// A project's performance evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub evaluator: Evaluator,
    pub started_by: i64,
    pub started_at: DateTime<Utc>,
    pub parts: Vec<EvaluationPart>,
    pub result: Option<EvaluationResult>,
}

impl Evaluation {
    pub fn part(&self, party: Party) -> Option<&EvaluationPart> {
        self.parts.iter().find(|p| p.party == party)
    }

    /// The parties that have not scored yet, in order.
    pub fn waiting_for(&self) -> Vec<Party> {
        if self.result.is_some() {
            return Vec::new();
        }
        Party::ALL.iter().copied().filter(|p| self.part(*p).is_none()).collect()
    }
}

/// The field problems of a party's scores against `targets`: each indicator one of the targets and given once,
/// what was achieved not negative, each with its evidence, and the comment. Indicators left out score nothing.
pub fn check_part(targets: &[PerformanceTarget], input: &PartInput) -> Result<(), DomainError> {
    let mut p = Problems::default();
    for (i, s) in input.scores.iter().enumerate() {
        let field = |name: &str| format!("scores[{i}].{name}");
        if !targets.iter().any(|t| t.indicator == s.indicator) {
            p.add(
                field("indicator"),
                ErrorCode::UnknownIndicator,
                "该指标不在项目绩效目标中",
                "this indicator is not one of the project's targets",
            );
        } else if input.scores[..i].iter().any(|o| o.indicator == s.indicator) {
            p.add(field("indicator"), ErrorCode::DuplicateIndicator, "指标重复评分", "this indicator is scored twice");
        }
        if s.achieved.hundredths() < 0 {
            p.add(
                field("achieved"),
                ErrorCode::InvalidTargetValue,
                "完成值不能为负",
                "what was achieved cannot be negative",
            );
        }
        let evidence = s.evidence.trim().chars().count();
        if evidence == 0 {
            p.add(field("evidence"), ErrorCode::Required, "请写明评分依据", "give the evidence for this score");
        } else if evidence > 2000 {
            p.add(
                field("evidence"),
                ErrorCode::TooLong,
                "评分依据不能超过 2000 个字",
                "the evidence must be at most 2000 characters",
            );
        }
    }
    let comment = input.comment.trim().chars().count();
    if comment == 0 {
        p.add("comment", ErrorCode::Required, "请填写总体评价意见", "give the overall opinion");
    } else if comment > 5000 {
        p.add(
            "comment",
            ErrorCode::TooLong,
            "总体评价意见不能超过 5000 个字",
            "the opinion must be at most 5000 characters",
        );
    }
    p.into_result()
}

/// A party's scorecard: its scores against the targets, graded by `grades`.
pub fn part_scorecard(targets: &[PerformanceTarget], scores: &[IndicatorScore], grades: &GradeRules) -> Scorecard {
    score(targets, |indicator| scores.iter().find(|s| s.indicator == indicator).map(|s| s.achieved), grades)
}

/// The result of the three parts: each party's total weighed by `rules`, in hundredths of a point rounded half
/// up, and its grade. `None` while a party has not scored.
pub fn result_of(parts: &[EvaluationPart], rules: &EvaluationRules, grades: &GradeRules) -> Option<(Points, Grade)> {
    let mut weighed = 0i64;
    for party in Party::ALL {
        let part = parts.iter().find(|p| p.party == *party)?;
        weighed += part.scorecard.total.0 * i64::from(rules.weight(*party));
    }
    let total = Points((weighed * 2 + 100) / 200);
    Some((total, grades.grade(total)))
}

string_enum!(
    /// A tie between an evaluator and a provider that would make the evaluator's view of it less than independent.
    TieKind {
        Incubation = "incubation" / "孵化培育" / "Incubated the provider",
        Consulting = "consulting" / "提供咨询、培训或督导服务" / "Consulting, training or supervision for the provider",
        SharedPersonnel = "shared_personnel" / "人员交叉任职" / "Shared staff or officers",
        Ownership = "ownership" / "出资、隶属或管理关系" / "Ownership, affiliation or management",
        Other = "other" / "其他利害关系" / "Another interest",
    }
);

/// A declared tie of an evaluator organisation to a provider, from `since` to `until` (still running: none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tie {
    #[serde(default)]
    pub id: i64,
    pub evaluator_org_id: i64,
    pub provider_org_id: i64,
    pub kind: TieKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub since: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub until: Option<NaiveDate>,
    pub note: String,
}

impl Tie {
    /// The field problems of a declared tie.
    pub fn check(&self) -> Result<(), DomainError> {
        let mut p = Problems::default();
        if self.until.is_some_and(|u| u < self.since) {
            p.add("until", ErrorCode::InvalidDate, "结束日期不能早于开始日期", "the end cannot be before the start");
        }
        if self.note.trim().chars().count() > 500 {
            p.add("note", ErrorCode::TooLong, "说明不能超过 500 个字", "the note must be at most 500 characters");
        }
        p.into_result()
    }
}

/// What the platform knows of a candidate evaluator when a purchaser commissions it for a provider's project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub org_id: i64,
    pub org_name: String,
    /// A third-party evaluator organisation, verified.
    pub is_evaluator: bool,
    /// Its declared ties to the provider.
    pub ties: Vec<Tie>,
    /// The evaluators of the provider's latest third-party evaluations, newest first (this project's excluded).
    pub recent_evaluators: Vec<i64>,
}

/// Why `candidate` may not evaluate the provider as of `today`, if anything: not an evaluator organisation, a tie
/// that lasted into the last `conflict_years`, or already the provider's evaluator `consecutive_limit` times in a
/// row.
pub fn conflict(candidate: &Candidate, today: NaiveDate, rules: &EvaluationRules) -> Result<(), DomainError> {
    if !candidate.is_evaluator {
        return Err(DomainError::field(
            "evaluator_org_id",
            ErrorCode::NotAnEvaluator,
            "该单位不是已核实的第三方评估机构",
            "this organisation is not a verified third-party evaluator",
        ));
    }
    // Inclusive: a tie that ended exactly N years ago is still "within N years".
    let cutoff =
        today.checked_sub_months(Months::new(rules.conflict_years.saturating_mul(12))).unwrap_or(NaiveDate::MIN);
    if let Some(tie) = candidate.ties.iter().find(|t| t.until.is_none_or(|u| u >= cutoff)) {
        return Err(DomainError::refused(
            ErrorCode::EvaluatorConflict,
            format!(
                "{}与承接主体存在利害关系（{}），{} 年内不得担任其第三方评估机构",
                candidate.org_name,
                tie.kind.label_zh(),
                rules.conflict_years
            ),
            format!(
                "{} has a tie to the provider ({}) within {} years and may not evaluate it",
                candidate.org_name,
                tie.kind.label_en(),
                rules.conflict_years
            ),
        ));
    }
    let limit = rules.consecutive_limit as usize;
    let in_a_row = candidate.recent_evaluators.iter().take_while(|e| **e == candidate.org_id).count();
    if in_a_row >= limit {
        return Err(DomainError::refused(
            ErrorCode::EvaluatorConflict,
            format!("{}已连续 {in_a_row} 次评估该承接主体，本次须另选第三方评估机构", candidate.org_name),
            format!(
                "{} evaluated this provider the last {in_a_row} time(s) in a row: commission another evaluator",
                candidate.org_name
            ),
        ));
    }
    Ok(())
}
