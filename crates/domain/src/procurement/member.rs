//! What a committee member still has to do, for their work queue.

use super::{Procurement, Scoring, Stage};
use crate::org::string_enum;
use serde::{Deserialize, Serialize};

string_enum!(
    /// A committee member's own outstanding work on one procurement.
    MemberTask {
        Declare = "declare" / "作出利害关系声明" / "Declare any conflict of interest",
        Compliance = "compliance" / "资格与符合性审查" / "Review the bids' compliance",
        Mark = "mark" / "为各投标评分" / "Score the bids",
        Report = "report" / "提交评审报告" / "Send the evaluation report",
    }
);

impl Procurement {
    /// The member's outstanding committee work: an expert declares before anything else; once the bids are
    /// theirs to read, the committee reviews compliance, each expert scores (comprehensive scoring), and the
    /// report follows when everything is in. Nothing for someone not sitting on the committee.
    pub fn member_tasks(&self, user_id: i64) -> Vec<MemberTask> {
        let Some(c) = &self.committee else { return vec![] };
        let Some(m) = c.member(user_id) else { return vec![] };
        if c.recused(user_id) || matches!(self.stage, Stage::Confirming | Stage::Awarded | Stage::Failed) {
            return vec![];
        }
        if m.expert && !c.declarations.iter().any(|d| d.expert_id == user_id) {
            return vec![MemberTask::Declare];
        }
        if self.stage != Stage::Evaluating || !c.may_see_bids(user_id) {
            return vec![];
        }
        let bids = self.evaluated_bids();
        let mut tasks = Vec::new();
        if bids.iter().any(|b| !self.compliance.iter().any(|r| r.bid_id == b.bid_id)) {
            tasks.push(MemberTask::Compliance);
        }
        let marks_due = matches!(self.documents.scoring, Scoring::Comprehensive { .. }) && m.expert;
        if marks_due && !self.marks.iter().any(|k| k.expert == user_id) {
            tasks.push(MemberTask::Mark);
        }
        if tasks.is_empty() {
            tasks.push(MemberTask::Report);
        }
        tasks
    }
}
