//! The purchase project and its six steps: design → cost estimate → review → procurement → contract →
//! acceptance. Every transition is a method that checks who acts and what must hold, changes the project
//! and returns the audit [`Change`], or returns a typed error and leaves the project as it was.

use crate::audit::Action;
use crate::budget::{check_plan, check_years, split, Entry, FundingLine, Movement};
use crate::catalogue::CategoryStatus;
use crate::error::{DomainError, ErrorCode, Problems};
use crate::evaluation::{Dimension, ScoringRule};
use crate::money::{Money, Quantity};
use crate::org::{string_enum, Actor, OrgKind, ProviderInfo, Role};
use crate::rules::{ReviewStages, Rules};
use crate::standards::Standard;
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

mod acceptance;
pub use acceptance::ReportRecord;
mod acts;
mod award;
mod closure;
mod contract;
mod design;
mod estimate;
mod evaluate;
mod item;
mod monitoring;
mod posts;
mod public;
mod review;
mod scope;
pub mod supplement;
mod waiting;
pub use acts::Act;
pub use estimate::price_lines;
pub use item::{Awaiting, ProjectItem, QueueItem, StoredProject, ViewFacts};
pub use monitoring::{Progress, Visit, VisitInput, VisitKind};
pub use public::{PublicAward, PublicContract, PublicEvaluation, PublicFunding, PublicMilestone, PublicProject};
pub use scope::{Awaits, Facts, PostFact, Scope};
pub use supplement::{Supplement, SupplementInput, SupplementStatus};
pub use waiting::{waiting_on, Waiting};

string_enum!(
    Status {
        Design = "design" / "设计项目" / "Design",
        CostEstimate = "cost_estimate" / "测算费用" / "Cost estimate",
        ReviewContent = "review_content" / "审核项目（主管部门）" / "Review (competent department)",
        ReviewFinance = "review_finance" / "审核项目（财政部门）" / "Review (finance)",
        Procurement = "procurement" / "组织购买" / "Procurement",
        Contract = "contract" / "签订合同" / "Contract",
        Acceptance = "acceptance" / "验收项目" / "Acceptance",
        Completed = "completed" / "已完成" / "Completed",
        Cancelled = "cancelled" / "已撤销" / "Cancelled",
        Terminated = "terminated" / "合同已终止" / "Terminated",
    }
);

/// The six steps, plus the end states, as counted in reports (`projects_by_step`).
pub const STEPS: [&str; 6] = ["design", "cost_estimate", "review", "procurement", "contract", "acceptance"];

/// Where a project ends.
pub const END_STATES: [Status; 3] = [Status::Completed, Status::Cancelled, Status::Terminated];

/// What a project list's `step` takes: a step or an end state, in that order.
pub fn step_choices() -> impl Iterator<Item = &'static str> {
    STEPS.into_iter().chain(END_STATES.map(Status::code))
}

impl Status {
    pub fn step(self) -> &'static str {
        match self {
            Status::ReviewContent | Status::ReviewFinance => "review",
            other => other.code(),
        }
    }
    /// Index in [`STEPS`], or `None` for end states.
    pub fn step_index(self) -> Option<usize> {
        STEPS.iter().position(|s| *s == self.step())
    }
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Completed | Status::Cancelled | Status::Terminated)
    }
}

/// Chinese label of a status code, for messages that only have the code.
pub fn status_label_zh(code: &str) -> &'static str {
    Status::parse(code).map(Status::label_zh).unwrap_or("未知状态")
}

string_enum!(
    PurchaseMode {
        Post = "post" / "岗位购买" / "Post purchase",
        Project = "project" / "项目购买" / "Project purchase",
    }
);

string_enum!(
    TargetGroup {
        ElderlyAlone = "elderly_alone" / "独居（空巢）老人" / "Elderly people living alone",
        LeftBehindChildren = "left_behind_children" / "农村留守儿童" / "Rural left-behind children",
        PeopleWithDisabilities = "people_with_disabilities" / "残疾人" / "People with disabilities",
        SubsistenceHouseholds = "subsistence_households" / "低保家庭" / "Subsistence-allowance households",
        LeftBehindElderly = "left_behind_elderly" / "农村留守老人" / "Rural left-behind elderly",
        TroubledYouth = "troubled_youth" / "困境青少年" / "Young people in difficulty",
        CommunityResidents = "community_residents" / "社区居民" / "Community residents",
        SpecialHardship = "special_hardship" / "特困供养人员" / "People in special hardship",
    }
);

string_enum!(
    IndicatorGroup {
        Output = "output" / "产出指标" / "Output",
        Effect = "effect" / "效益指标" / "Effect",
        Satisfaction = "satisfaction" / "满意度指标" / "Satisfaction",
    }
);

string_enum!(
    CostKind {
        Personnel = "personnel" / "人员费用" / "Personnel",
        Activities = "activities" / "活动费用" / "Activities",
        Materials = "materials" / "物资材料" / "Materials",
        Training = "training" / "培训督导" / "Training and supervision",
        ManagementFee = "management_fee" / "管理费" / "Management fee",
        Other = "other" / "其他" / "Other",
    }
);

string_enum!(
    ReviewStage {
        Content = "content" / "主管部门内容审核" / "Content review",
        Finance = "finance" / "财政部门资金审核" / "Finance review",
    }
);

impl ReviewStage {
    /// Whether `actor` reviews at this stage: civil affairs' reviewers the content, the county finance bureau's
    /// the money.
    pub fn reviewed_by(self, actor: &Actor) -> bool {
        match self {
            ReviewStage::Content => actor.has(Role::Reviewer) && actor.org_kind == OrgKind::CivilAffairs,
            ReviewStage::Finance => actor.is_finance_reviewer(),
        }
    }
}

string_enum!(
    /// Why a submitted project went straight to finance without the content review.
    ContentReviewSkipped {
        OwnDepartment = "own_department" / "本项目由民政部门（主管部门）自行设计，内容由本部门负责，提交后直接进入财政部门资金审核" / "Civil affairs, the competent department, designed this project itself: it answers for the content, so the project went straight to finance review",
        OneStage = "one_stage" / "本地区实行一级审核，项目提交后直接进入财政部门资金审核" / "Review here has one stage: the project went straight to finance review",
    }
);

string_enum!(
    MilestoneStatus {
        Pending = "pending" / "待提交报告" / "Awaiting report",
        Reported = "reported" / "待验收" / "Awaiting acceptance",
        Rejected = "rejected" / "验收未通过" / "Rejected",
        Accepted = "accepted" / "已验收" / "Accepted",
    }
);

/// A performance target (绩效目标), set when the project is designed and scored at its evaluation
/// ([`crate::evaluation`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredTarget")]
pub struct PerformanceTarget {
    pub indicator: String,
    pub group: IndicatorGroup,
    pub dimension: Dimension,
    /// A positive number (at most two decimals); kept as written.
    pub target: String,
    pub unit: String,
    /// Whole points of the 100 an evaluation gives; 0 for a target set before weights (scored evenly).
    pub weight: u32,
    pub rule: ScoringRule,
}

/// A target as stored: one set before dimensions, weights and rules has none of them.
#[derive(Deserialize)]
struct StoredTarget {
    indicator: String,
    group: IndicatorGroup,
    #[serde(default)]
    dimension: Option<Dimension>,
    target: String,
    unit: String,
    #[serde(default)]
    weight: u32,
    #[serde(default)]
    rule: Option<ScoringRule>,
}

impl From<StoredTarget> for PerformanceTarget {
    fn from(t: StoredTarget) -> Self {
        PerformanceTarget {
            dimension: t.dimension.unwrap_or(Dimension::of_group(t.group)),
            rule: t.rule.unwrap_or(ScoringRule::AtLeast),
            indicator: t.indicator,
            group: t.group,
            target: t.target,
            unit: t.unit,
            weight: t.weight,
        }
    }
}

/// Social-work posts a post purchase buys: the provider employs the workers, who serve at the host unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostSpec {
    pub host_org_id: i64,
    pub host_name: String,
    pub title: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Design {
    pub title: String,
    pub category: String,
    pub regions: Vec<String>,
    pub target_groups: Vec<TargetGroup>,
    pub mode: PurchaseMode,
    pub content: String,
    pub standards: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// A stable, continuing service with secured funding: may be contracted for up to three years.
    pub continuing: bool,
    pub targets: Vec<PerformanceTarget>,
    pub posts: Vec<PostSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostLine {
    pub kind: CostKind,
    pub item: String,
    pub quantity: Quantity,
    pub unit: String,
    pub unit_price: Money,
    pub amount: Money,
    /// The spending standard this line is priced against, if any.
    #[serde(default)]
    pub standard: Option<String>,
    /// Above its standard (or a management fee above the cap): shown flagged, with the reason.
    #[serde(default)]
    pub over_standard: bool,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostLineInput {
    pub kind: CostKind,
    pub item: String,
    pub quantity: Quantity,
    pub unit: String,
    pub unit_price: Money,
    #[serde(default)]
    pub standard: Option<String>,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDecision {
    pub stage: ReviewStage,
    pub approved: bool,
    pub comment: String,
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub at: DateTime<Utc>,
}

/// How a project's provider was chosen: directly by the purchaser (below the procurement limit, or after a
/// failed procurement), or by a procurement's method. Recorded as `direct_award` or the method's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwardMethod {
    Direct,
    Procured(crate::procurement::Method),
}

impl AwardMethod {
    pub fn code(self) -> &'static str {
        match self {
            AwardMethod::Direct => "direct_award",
            AwardMethod::Procured(m) => m.code(),
        }
    }

    pub fn parse(code: &str) -> Option<AwardMethod> {
        match code {
            "direct_award" => Some(AwardMethod::Direct),
            other => crate::procurement::Method::parse(other).map(AwardMethod::Procured),
        }
    }
}

impl Serialize for AwardMethod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for AwardMethod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        AwardMethod::parse(&code).ok_or_else(|| serde::de::Error::custom(format!("unknown award method {code}")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub method: AwardMethod,
    pub provider: ProviderInfo,
    pub justification: String,
    pub amount: Money,
    pub at: DateTime<Utc>,
    pub by: i64,
}

impl Award {
    /// How the provider was chosen, in words: a direct purchase or the procurement method's name.
    pub fn method_label(&self) -> (&'static str, &'static str) {
        match self.method {
            AwardMethod::Procured(m) => (m.label_zh(), m.label_en()),
            AwardMethod::Direct => ("直接确定", "Direct award"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputActual {
    pub indicator: String,
    pub actual: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceReport {
    pub beneficiaries: u32,
    pub hours: Quantity,
    pub outputs: Vec<OutputActual>,
    pub summary: String,
    pub files: Vec<FileRef>,
    pub filed_by: i64,
    pub filed_at: DateTime<Utc>,
    /// The indicators this report found behind their targets as it was filed ([`Project::progress`]).
    #[serde(default)]
    pub behind: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportInput {
    pub beneficiaries: u32,
    pub hours: Quantity,
    pub outputs: Vec<OutputActual>,
    pub summary: String,
    pub files: Vec<FileRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneDecision {
    pub accepted: bool,
    pub reason: String,
    pub by: i64,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub name: String,
    /// Payment share in basis points (1/100 of a percent); all milestones add up to 10000.
    pub share_bp: u32,
    pub amount: Money,
    pub due: NaiveDate,
    pub status: MilestoneStatus,
    pub reports: Vec<ServiceReport>,
    pub decisions: Vec<MilestoneDecision>,
    /// The supplementary contract (its number) this milestone pays, if any; its `share_bp` is then 0.
    #[serde(default)]
    pub supplement: Option<u32>,
    /// What the evaluation's grade withheld of this milestone's amount at acceptance (the final one only).
    #[serde(default)]
    pub withheld: Money,
}

impl Milestone {
    /// What acceptance paid: the amount less what the grade withheld; nothing before acceptance.
    pub fn paid(&self) -> Money {
        if self.status == MilestoneStatus::Accepted {
            self.amount - self.withheld
        } else {
            Money::ZERO
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneInput {
    pub name: String,
    pub share_bp: u32,
    pub due: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractInput {
    pub amount: Money,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub signed_on: NaiveDate,
    pub milestones: Vec<MilestoneInput>,
    /// Tie the final milestone's payment to the evaluation's grade.
    #[serde(default)]
    pub final_payment_by_grade: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub reason: String,
    pub by: i64,
    pub at: DateTime<Utc>,
}

string_enum!(
    /// A social worker's professional qualification (社会工作者职业水平).
    Certification {
        None = "none" / "未取得证书" / "Not certified",
        Assistant = "assistant" / "助理社会工作师" / "Assistant social worker",
        Intermediate = "intermediate" / "社会工作师" / "Social worker",
        Senior = "senior" / "高级社会工作师" / "Senior social worker",
    }
);

/// The social worker a provider employs in a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostHolder {
    pub name: String,
    pub certification: Certification,
    pub since: NaiveDate,
}

/// One bought social-work post: hosted by a unit, filled by a social worker the provider employs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub host_org_id: i64,
    pub host_name: String,
    pub title: String,
    /// The contract's cost of this post for a year.
    pub yearly_cost: Money,
    /// `None` while the post is vacant.
    pub holder: Option<PostHolder>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub purchaser_org_id: i64,
    pub provider: ProviderInfo,
    pub amount: Money,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub signed_on: NaiveDate,
    pub milestones: Vec<Milestone>,
    pub termination: Option<Closure>,
    /// For a post purchase: every post the contract buys, vacant until the provider fills it.
    #[serde(default)]
    pub posts: Vec<Post>,
    /// Supplementary contracts, proposed, approved, signed or not.
    #[serde(default)]
    pub supplements: Vec<Supplement>,
    /// The final milestone pays by the evaluation's grade ([`crate::evaluation::GradeRules::released`]): it waits
    /// for the result, and what the grade withholds goes back to the budget lines.
    #[serde(default)]
    pub final_payment_by_grade: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: i64,
    pub code: String,
    /// Incremented by every change; the store refuses a write based on an older version.
    pub version: i64,
    pub status: Status,
    pub purchaser_org_id: i64,
    pub purchaser_name: String,
    pub designer_id: i64,
    pub design: Design,
    pub cost_lines: Vec<CostLine>,
    /// Which budget lines pay for the estimate; reserved at approval, committed by the contract, paid at acceptance.
    #[serde(default)]
    pub funding: Vec<FundingLine>,
    pub reviews: Vec<ReviewDecision>,
    /// Set at submission when the content review does not apply, so the page can say why.
    #[serde(default)]
    pub content_review_skipped: Option<ContentReviewSkipped>,
    pub award: Option<Award>,
    pub contract: Option<Contract>,
    pub cancellation: Option<Closure>,
    /// The performance evaluation, once the purchaser has commissioned it.
    #[serde(default)]
    pub evaluation: Option<crate::evaluation::Evaluation>,
    /// The purchaser's monitoring visits to the running service.
    #[serde(default)]
    pub visits: Vec<Visit>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a transition did: for the audit log, and the ledger entries it needs (all or nothing).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub action: crate::audit::Action,
    pub detail: Value,
    pub ledger: Vec<Entry>,
}

impl Change {
    pub fn new(action: crate::audit::Action, detail: Value) -> Change {
        Change { action, detail, ledger: Vec::new() }
    }
    fn with_ledger(mut self, ledger: Vec<Entry>) -> Change {
        self.ledger = ledger;
        self
    }
}

/// What the checks of a design need to know about the catalogue and configuration, at design and submission.
pub struct SubmitContext<'a> {
    pub category: CategoryStatus,
    pub rules: &'a Rules,
}

fn need_text(p: &mut Problems, field: &str, value: &str, max_chars: usize, zh: &str, en: &str) {
    let n = value.trim().chars().count();
    if n == 0 {
        p.add(field, ErrorCode::Required, format!("请填写{zh}"), format!("enter the {en}"));
    } else if n > max_chars {
        p.add(
            field,
            ErrorCode::TooLong,
            format!("{zh}不能超过 {max_chars} 个字"),
            format!("the {en} must be at most {max_chars} characters"),
        );
    }
}

/// Last day of a term of `months` starting on `start` (a 12-month term from 1 Jan ends on 31 Dec).
pub fn term_last_day(start: NaiveDate, months: u32) -> NaiveDate {
    start.checked_add_months(Months::new(months)).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
}

impl Project {
    /// Starts a new project at the design step. Only a purchaser may, for its own organisation.
    pub fn create(
        actor: &Actor,
        design: Design,
        ctx: &SubmitContext,
        now: DateTime<Utc>,
    ) -> Result<(Project, Change), DomainError> {
        if !actor.has(Role::Purchaser) || !actor.org_kind.is_purchasing_department() {
            return Err(DomainError::NotPermitted { action: "create_project" });
        }
        design.check_new(ctx.rules, crate::clock::china_date(now), ctx.category)?;
        let project = Project {
            id: 0,
            code: String::new(),
            version: 1,
            status: Status::Design,
            purchaser_org_id: actor.org_id,
            purchaser_name: actor.org_name.clone(),
            designer_id: actor.user_id,
            design,
            cost_lines: Vec::new(),
            funding: Vec::new(),
            reviews: Vec::new(),
            content_review_skipped: None,
            award: None,
            contract: None,
            cancellation: None,
            evaluation: None,
            visits: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        let detail = json!({"title": project.design.title, "mode": project.design.mode.code()});
        Ok((project, Change::new(Action::ProjectCreate, detail)))
    }

    pub fn total(&self) -> Money {
        self.cost_lines.iter().map(|l| l.amount).sum()
    }

    /// Returned by a reviewer and not yet resubmitted.
    pub fn is_returned(&self) -> bool {
        matches!(self.status, Status::Design | Status::CostEstimate) && self.reviews.last().is_some_and(|r| !r.approved)
    }

    /// The amount approved in review: the estimate at the time of the last approval.
    pub fn approved_amount(&self) -> Option<Money> {
        if matches!(self.status, Status::Design | Status::CostEstimate | Status::ReviewContent | Status::ReviewFinance)
        {
            None
        } else if self.reviews.iter().any(|r| r.approved && r.stage == ReviewStage::Finance) {
            Some(self.total())
        } else {
            None
        }
    }

    /// The small, personal-data-free picture of the project that audit events keep as before/after.
    pub fn snapshot(&self) -> Value {
        json!({
            "status": self.status.code(),
            "version": self.version,
            "title": self.design.title,
            "total": self.total(),
            "provider_org_id": self.award.as_ref().map(|a| a.provider.org_id),
            "contract_amount": self.contract.as_ref().map(|c| c.amount),
        })
    }

    fn require_purchaser(&self, actor: &Actor, action: &'static str) -> Result<(), DomainError> {
        if actor.has(Role::Purchaser) && actor.org_id == self.purchaser_org_id {
            Ok(())
        } else {
            Err(DomainError::NotPermitted { action })
        }
    }

    fn require_status(&self, allowed: &[Status], action: &'static str) -> Result<(), DomainError> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(DomainError::WrongStep { action, status: self.status.code() })
        }
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = now;
    }
}

/// Who may see a project. Deny by default; the same rule as [`Scope`], which stores apply in their queries.
pub fn can_view(actor: &Actor, p: &Project) -> bool {
    Scope::of(actor).admits(p)
}

#[cfg(test)]
mod tests;
