//! What an audit event records, by its stable name. The names are written into the tamper-evident log and
//! read back by auditors' tools: never rename one, only add.

use serde::{Serialize, Serializer};

macro_rules! actions {
    ($($variant:ident => $code:literal,)*) => {
        /// Every kind of change the platform records.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The name written into the audit log.
            pub fn code(self) -> &'static str {
                match self {
                    $(Action::$variant => $code,)*
                }
            }

            pub fn parse(code: &str) -> Option<Action> {
                match code {
                    $($code => Some(Action::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

actions! {
    // Projects: the six steps, posts, supplements, closing.
    ProjectCreate => "project.create",
    ProjectDesign => "project.design",
    ProjectFinishDesign => "project.finish_design",
    ProjectCostEstimate => "project.cost_estimate",
    ProjectFunding => "project.funding",
    ProjectSubmit => "project.submit",
    ProjectReviewApprove => "project.review_approve",
    ProjectReviewReturn => "project.review_return",
    ProjectAward => "project.award",
    ProjectAwardVoid => "project.award_void",
    ProjectContractSign => "project.contract_sign",
    ProjectPostFill => "project.post_fill",
    ProjectPostVacate => "project.post_vacate",
    ProjectReportFile => "project.report_file",
    ProjectMilestoneAccept => "project.milestone_accept",
    ProjectMilestoneReject => "project.milestone_reject",
    ProjectSupplementPropose => "project.supplement_propose",
    ProjectSupplementReturn => "project.supplement_return",
    ProjectSupplementApprove => "project.supplement_approve",
    ProjectSupplementSign => "project.supplement_sign",
    ProjectCancel => "project.cancel",
    ProjectTerminate => "project.terminate",
    // Procurements.
    ProcurementStart => "procurement.start",
    ProcurementPublish => "procurement.publish",
    ProcurementInterest => "procurement.interest",
    ProcurementQuestion => "procurement.question",
    ProcurementClarify => "procurement.clarify",
    ProcurementOpen => "procurement.open",
    ProcurementOpenFinal => "procurement.open_final",
    ProcurementDrawCommittee => "procurement.draw_committee",
    ProcurementDeclare => "procurement.declare",
    ProcurementReplaceRecused => "procurement.replace_recused",
    ProcurementRound => "procurement.round",
    ProcurementCallFinalOffers => "procurement.call_final_offers",
    ProcurementCompliance => "procurement.compliance",
    ProcurementMark => "procurement.mark",
    ProcurementReport => "procurement.report",
    ProcurementLowPriceFlag => "procurement.low_price_flag",
    ProcurementLowPriceExplain => "procurement.low_price_explain",
    ProcurementLowPriceFinding => "procurement.low_price_finding",
    ProcurementAward => "procurement.award",
    ProcurementAbandon => "procurement.abandon",
    ProcurementRequestSwitch => "procurement.request_switch",
    ProcurementDecideSwitch => "procurement.decide_switch",
    ProcurementChallenge => "procurement.challenge",
    ProcurementReply => "procurement.reply",
    ProcurementComplain => "procurement.complain",
    ProcurementPauseComplaint => "procurement.pause_complaint",
    ProcurementSuspend => "procurement.suspend",
    ProcurementDecideComplaint => "procurement.decide_complaint",
    ProcurementCallOff => "procurement.call_off",
    BidSubmit => "bid.submit",
    BidWithdraw => "bid.withdraw",
    BidFile => "bid.file",
    NoticePublish => "notice.publish",
    MethodApprovalRequest => "method_approval.request",
    MethodApprovalDecide => "method_approval.decide",
    // Money.
    BudgetAllocate => "budget.allocate",
    BudgetGrant => "budget.grant",
    FiscalYearClose => "fiscal_year.close",
    StandardSet => "standard.set",
    // Places, organisations, people.
    RegionCreate => "region.create",
    CatalogueCreate => "catalogue.create",
    OrganisationCreate => "organisation.create",
    OrganisationRegister => "organisation.register",
    OrganisationVerify => "organisation.verify",
    OrganisationReject => "organisation.reject",
    UserCreate => "user.create",
    UserDisable => "user.disable",
    UserEnable => "user.enable",
    UserPasswordChange => "user.password_change",
    UserPasswordReset => "user.password_reset",
    SessionCreate => "session.create",
    SessionEnd => "session.end",
    ExpertCreate => "expert.create",
    ExpertUpdate => "expert.update",
    FileUpload => "file.upload",
    SettingSet => "setting.set",
    // Scheduled jobs, one event per run.
    JobSessionPurge => "job.session_purge",
    JobDeadlineSweep => "job.deadline_sweep",
    // Public feedback on services.
    FeedbackFile => "feedback.file",
    FeedbackAnswer => "feedback.answer",
    // Performance evaluation.
    ProjectEvaluationStart => "project.evaluation_start",
    ProjectEvaluationSubmit => "project.evaluation_submit",
    EvaluatorTieDeclare => "evaluator.tie_declare",
    // Monitoring during service.
    ProjectMonitoringVisit => "project.monitoring_visit",
    // Service users' satisfaction survey.
    SurveyCodesIssue => "survey.codes_issue",
    SurveyAnswer => "survey.answer",
    // Credit records.
    ProviderBlacklist => "provider.blacklist",
    // The provider registry.
    ProviderProfileSave => "provider.profile_save",
    QualificationAdd => "provider.qualification_add",
    QualificationVerify => "provider.qualification_verify",
    TrainingAdd => "provider.training_add",
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names already written into audit logs, byte for byte: a rename would orphan every recorded event.
    const RECORDED: &str = "project.create project.design project.finish_design project.cost_estimate \
        project.funding project.submit project.review_approve project.review_return project.award \
        project.award_void project.contract_sign project.post_fill project.post_vacate project.report_file \
        project.milestone_accept project.milestone_reject project.supplement_propose project.supplement_return \
        project.supplement_approve project.supplement_sign project.cancel project.terminate procurement.start \
        procurement.publish procurement.interest procurement.question procurement.clarify procurement.open \
        procurement.open_final procurement.draw_committee procurement.declare procurement.replace_recused \
        procurement.round procurement.call_final_offers procurement.compliance procurement.mark \
        procurement.report procurement.low_price_flag procurement.low_price_explain procurement.low_price_finding \
        procurement.award procurement.abandon procurement.request_switch procurement.decide_switch \
        procurement.challenge procurement.reply procurement.complain procurement.pause_complaint \
        procurement.suspend procurement.decide_complaint procurement.call_off bid.submit bid.withdraw bid.file \
        notice.publish method_approval.request method_approval.decide budget.allocate budget.grant \
        fiscal_year.close standard.set region.create catalogue.create organisation.create organisation.register \
        organisation.verify organisation.reject user.create user.disable user.enable user.password_change \
        user.password_reset session.create session.end expert.create expert.update file.upload setting.set \
        job.session_purge job.deadline_sweep feedback.file feedback.answer project.evaluation_start \
        project.evaluation_submit evaluator.tie_declare project.monitoring_visit \
        survey.codes_issue survey.answer provider.blacklist provider.profile_save provider.qualification_add \
        provider.qualification_verify provider.training_add";

    #[test]
    fn recorded_names_stay_as_they_are() {
        let codes: Vec<&str> = Action::ALL.iter().map(|a| a.code()).collect();
        let recorded: Vec<&str> = RECORDED.split_whitespace().collect();
        assert_eq!(codes, recorded);
    }

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut seen = std::collections::BTreeSet::new();
        for a in Action::ALL {
            assert!(seen.insert(a.code()), "{} twice", a.code());
            assert_eq!(Action::parse(a.code()), Some(*a));
        }
        assert_eq!(Action::parse("project.contract"), None);
        assert_eq!(serde_json::to_value(Action::BidSubmit).unwrap(), serde_json::json!("bid.submit"));
    }
}
