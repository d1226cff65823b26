//! The performance evaluation of a project whose service has run (绩效评价): the purchaser commissions a
//! third-party evaluator free of conflicts, then the provider, the purchaser and the evaluator each score the
//! targets with evidence; the last of them fixes the weighted result and its grade, which the final payment may
//! follow ([`Contract::final_payment_by_grade`]).

use super::*;
use crate::audit::Action;
use crate::clock::china_date;
use crate::evaluation::{
    check_part, conflict, part_scorecard, result_of, Candidate, Evaluation, EvaluationPart, EvaluationResult,
    Evaluator, PartInput, Party,
};

impl Project {
    /// Whether `actor` may commission this project's evaluation now: its purchaser, once the service runs
    /// (the contract signed) and no evaluation is started.
    pub fn may_start_evaluation(&self, actor: &Actor) -> Result<(), DomainError> {
        self.require_purchaser(actor, "start_evaluation")?;
        self.require_status(&[Status::Acceptance, Status::Completed], "start_evaluation")?;
        if self.evaluation.is_some() {
            return Err(DomainError::refused(
                ErrorCode::EvaluationExists,
                "本项目的绩效评价已经启动",
                "this project's evaluation has already been started",
            ));
        }
        Ok(())
    }

    /// The purchaser commissions `candidate` as the third-party evaluator, which starts the evaluation.
    pub fn start_evaluation(
        &mut self,
        actor: &Actor,
        candidate: &Candidate,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.may_start_evaluation(actor)?;
        conflict(candidate, china_date(now), &rules.evaluation)?;
        self.evaluation = Some(Evaluation {
            evaluator: Evaluator { org_id: candidate.org_id, org_name: candidate.org_name.clone() },
            started_by: actor.user_id,
            started_at: now,
            parts: Vec::new(),
            result: None,
        });
        self.touch(now);
        let detail = json!({"evaluator_org_id": candidate.org_id, "evaluator": candidate.org_name});
        Ok(Change::new(Action::ProjectEvaluationStart, detail))
    }

    /// The party `actor` evaluates this project as, if any: the contract's provider, the purchaser or the
    /// commissioned evaluator.
    pub fn evaluating_party(&self, actor: &Actor) -> Option<Party> {
        let evaluation = self.evaluation.as_ref()?;
        let provider = self.contract.as_ref().map(|c| c.provider.org_id);
        if actor.has(Role::Provider) && provider == Some(actor.org_id) {
            Some(Party::SelfEvaluation)
        } else if actor.has(Role::Purchaser) && actor.org_id == self.purchaser_org_id {
            Some(Party::Purchaser)
        } else if actor.has(Role::Evaluator) && actor.org_id == evaluation.evaluator.org_id {
            Some(Party::ThirdParty)
        } else {
            None
        }
    }

    /// Whether `actor` may submit its part of the evaluation now, and as which party.
    pub fn may_evaluate(&self, actor: &Actor) -> Result<Party, DomainError> {
        let Some(evaluation) = &self.evaluation else {
            return Err(DomainError::WrongStep { action: "evaluate", status: self.status.code() });
        };
        let party = self.evaluating_party(actor).ok_or(DomainError::NotPermitted { action: "evaluate" })?;
        if evaluation.part(party).is_some() || evaluation.result.is_some() {
            return Err(DomainError::refused(
                ErrorCode::AlreadyEvaluated,
                format!("{}已经提交", party.label_zh()),
                format!("the {} has already been submitted", party.label_en().to_lowercase()),
            ));
        }
        Ok(party)
    }

    /// `actor` submits its party's scores; the last of the three fixes the result and its grade.
    pub fn submit_evaluation(
        &mut self,
        actor: &Actor,
        input: PartInput,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        let party = self.may_evaluate(actor)?;
        check_part(&self.design.targets, &input)?;
        let scorecard = part_scorecard(&self.design.targets, &input.scores, &rules.grades);
        let mut detail = json!({
            "party": party.code(),
            "total": scorecard.total.display(),
            "grade": scorecard.grade.code(),
        });
        let evaluation = self.evaluation.as_mut().ok_or(DomainError::NotFound { what: "evaluation" })?;
        evaluation.parts.push(EvaluationPart {
            party,
            scores: input
                .scores
                .into_iter()
                .map(|s| crate::evaluation::IndicatorScore { evidence: s.evidence.trim().to_string(), ..s })
                .collect(),
            comment: input.comment.trim().to_string(),
            scorecard,
            org_id: actor.org_id,
            org_name: actor.org_name.clone(),
            by: actor.user_id,
            at: now,
        });
        if let Some((total, grade)) = result_of(&evaluation.parts, &rules.evaluation, &rules.grades) {
            evaluation.result = Some(EvaluationResult { total, grade, at: now });
            detail["result"] = json!({"total": total.display(), "grade": grade.code()});
        }
        self.touch(now);
        Ok(Change::new(Action::ProjectEvaluationSubmit, detail))
    }

    /// The evaluation's grade, once every party has scored.
    pub fn grade(&self) -> Option<crate::evaluation::Grade> {
        self.evaluation.as_ref()?.result.as_ref().map(|r| r.grade)
    }
}
