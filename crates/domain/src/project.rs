//! The purchase project and its six steps: design → cost estimate → review → procurement → contract →
//! acceptance. Every transition is a method that checks who acts and what must hold, changes the project
//! and returns the audit [`Change`], or returns a typed error and leaves the project as it was.

use crate::budget::{check_plan, check_years, split, Entry, FundingLine, Movement};
use crate::catalogue::CategoryStatus;
use crate::error::{DomainError, Problems};
use crate::money::{Money, Quantity};
use crate::org::{string_enum, Actor, OrgKind, ProviderInfo, Role};
use crate::rules::{ReviewStages, Rules};
use crate::standards::Standard;
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

mod acceptance;
mod contract;
pub mod supplement;
pub use supplement::{Supplement, SupplementInput, SupplementStatus};

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerformanceTarget {
    pub indicator: String,
    pub group: IndicatorGroup,
    pub target: String,
    pub unit: String,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub method: String,
    pub provider: ProviderInfo,
    pub justification: String,
    pub amount: Money,
    pub at: DateTime<Utc>,
    pub by: i64,
}

impl Award {
    /// How the provider was chosen, in words: a direct purchase or the procurement method's name.
    pub fn method_label(&self) -> (&'static str, &'static str) {
        match crate::procurement::Method::parse(&self.method) {
            Some(m) => (m.label_zh(), m.label_en()),
            None => ("直接确定", "Direct award"),
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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a transition did: for the audit log, and the ledger entries it needs (all or nothing).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub action: &'static str,
    pub detail: Value,
    pub ledger: Vec<Entry>,
}

impl Change {
    pub fn new(action: &'static str, detail: Value) -> Change {
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
        p.add(field, "required", format!("请填写{zh}"), format!("enter the {en}"));
    } else if n > max_chars {
        p.add(
            field,
            "too_long",
            format!("{zh}不能超过 {max_chars} 个字"),
            format!("the {en} must be at most {max_chars} characters"),
        );
    }
}

/// Last day of a term of `months` starting on `start` (a 12-month term from 1 Jan ends on 31 Dec).
pub fn term_last_day(start: NaiveDate, months: u32) -> NaiveDate {
    start.checked_add_months(Months::new(months)).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
}

impl Design {
    /// Checks the design is complete and coherent; every problem is reported at once.
    pub fn validate(&self, rules: &Rules) -> Result<(), DomainError> {
        let mut p = Problems::default();
        need_text(&mut p, "title", &self.title, 200, "项目名称", "title");
        if self.category.trim().is_empty() {
            p.add("category", "required", "请选择服务类别", "choose a service category");
        }
        if self.regions.is_empty() {
            p.add("regions", "required", "请至少选择一个服务区域", "choose at least one region");
        }
        if self.target_groups.is_empty() {
            p.add("target_groups", "required", "请至少选择一类服务对象", "choose at least one target group");
        }
        need_text(&mut p, "content", &self.content, 5000, "服务内容", "service content");
        need_text(&mut p, "standards", &self.standards, 5000, "服务标准", "service standards");
        let max = if self.continuing { rules.continuing_contract_max_months } else { rules.contract_max_months };
        if self.period_end < self.period_start {
            p.add(
                "period_end",
                "period_end_before_start",
                "服务期结束日期不能早于开始日期",
                "the service period must end after it starts",
            );
        } else if self.period_end > term_last_day(self.period_start, max) {
            p.add(
                "period_end",
                "period_too_long",
                format!("服务期不能超过 {max} 个月"),
                format!("the service period may be at most {max} months"),
            );
        }
        if self.targets.is_empty() {
            p.add("targets", "required", "请至少填写一项绩效目标", "add at least one performance target");
        }
        for (i, t) in self.targets.iter().enumerate() {
            if t.indicator.trim().is_empty() || t.target.trim().is_empty() {
                p.add(
                    format!("targets[{i}]"),
                    "incomplete_target",
                    "绩效目标需填写指标名称和目标值",
                    "each target needs an indicator and a target value",
                );
            }
        }
        match self.mode {
            PurchaseMode::Post if self.posts.is_empty() => p.add(
                "posts",
                "required",
                "岗位购买须列明岗位及设岗单位",
                "a post purchase must list its posts and host units",
            ),
            PurchaseMode::Project if !self.posts.is_empty() => {
                p.add("posts", "posts_in_project_purchase", "项目购买不应列岗位", "a project purchase has no posts")
            }
            _ => {}
        }
        for (i, post) in self.posts.iter().enumerate() {
            if post.count == 0 || post.title.trim().is_empty() {
                p.add(
                    format!("posts[{i}]"),
                    "incomplete_post",
                    "岗位须填写名称且数量至少为 1",
                    "each post needs a title and a count of at least 1",
                );
            }
        }
        p.into_result()
    }

    /// Checks a design as it is made or changed on `today`: complete and coherent, a service period that
    /// starts no earlier than the configured window before today, and a category that may be bought.
    pub fn check_new(&self, rules: &Rules, today: NaiveDate, category: CategoryStatus) -> Result<(), DomainError> {
        let mut p = Problems::default();
        let earliest = today - chrono::Duration::days(i64::from(rules.service_start_window_days));
        if self.period_start < earliest {
            p.add(
                "period_start",
                "period_start_too_early",
                format!(
                    "服务期开始日期不能早于 {}（设计之日前 {} 天）",
                    crate::deadlines::date_zh(earliest),
                    rules.service_start_window_days
                ),
                format!(
                    "the service period cannot start before {earliest} ({} days before the design)",
                    rules.service_start_window_days
                ),
            );
        }
        let refused = match category {
            CategoryStatus::Negative => Some(DomainError::CategoryOnNegativeList),
            CategoryStatus::Unknown if !self.category.trim().is_empty() => Some(DomainError::CategoryNotInCatalogue),
            _ => None,
        };
        if let Some(e) = refused {
            p.add("category", e.code(), e.message_zh(), e.message_en());
        }
        if let Err(e) = self.validate(rules) {
            p.absorb(e);
        }
        p.into_result()
    }
}

/// Turns cost line inputs into priced lines, checking each.
pub fn price_lines(
    lines: &[CostLineInput],
    standards: &[Standard],
    fee_cap_bp: u32,
) -> Result<Vec<CostLine>, DomainError> {
    let mut p = Problems::default();
    if lines.is_empty() {
        p.add("cost_lines", "required", "请至少填写一项费用", "add at least one cost line");
    }
    if lines.len() > 200 {
        p.add("cost_lines", "too_many_lines", "费用明细不能超过 200 项", "at most 200 cost lines");
    }
    let mut out = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        if l.item.trim().is_empty() {
            p.add(format!("cost_lines[{i}].item"), "required", "请填写费用名称", "enter the item");
        }
        if l.quantity.hundredths() <= 0 {
            p.add(
                format!("cost_lines[{i}].quantity"),
                "quantity_not_positive",
                "数量必须大于 0",
                "the quantity must be above 0",
            );
        }
        if l.unit_price.fen() <= 0 {
            p.add(
                format!("cost_lines[{i}].unit_price"),
                "price_not_positive",
                "单价必须大于 0",
                "the unit price must be above 0",
            );
        }
        let reason = l.reason.trim().to_string();
        let mut over_standard = false;
        if let Some(code) = l.standard.as_deref().filter(|c| !c.is_empty()) {
            match standards.iter().find(|s| s.code == code) {
                None => p.add(
                    format!("cost_lines[{i}].standard"),
                    "unknown_standard",
                    "支出标准不存在",
                    "no such spending standard",
                ),
                Some(s) if l.unit_price > s.max_unit_price => {
                    over_standard = true;
                    if reason.chars().count() < 4 {
                        p.add(
                            format!("cost_lines[{i}].reason"),
                            "above_standard",
                            format!(
                                "单价超过支出标准“{}”（每{}不超过 {} 元），请写明理由",
                                s.name,
                                s.unit,
                                s.max_unit_price.display_yuan()
                            ),
                            format!(
                                "the unit price is above the standard “{}” ({} yuan per {}): give the reason",
                                s.name,
                                s.max_unit_price.display_yuan(),
                                s.unit
                            ),
                        );
                    }
                }
                Some(_) => {}
            }
        }
        match l.unit_price.times_hundredths(l.quantity.hundredths()) {
            Some(amount) => out.push(CostLine {
                kind: l.kind,
                item: l.item.trim().to_string(),
                quantity: l.quantity,
                unit: l.unit.trim().to_string(),
                unit_price: l.unit_price,
                amount,
                standard: l.standard.clone().filter(|c| !c.is_empty()),
                over_standard,
                reason,
            }),
            None => p.add(format!("cost_lines[{i}]"), "amount_too_large", "金额过大", "the amount is too large"),
        }
    }
    // Management fees above the cap are allowed only with a reason on each fee line.
    let fees: Money = out.iter().filter(|l| l.kind == CostKind::ManagementFee).map(|l| l.amount).sum();
    let others: Money = out.iter().filter(|l| l.kind != CostKind::ManagementFee).map(|l| l.amount).sum();
    if crate::standards::management_fee_above_cap(fees, others, fee_cap_bp) {
        for (i, l) in out.iter_mut().enumerate().filter(|(_, l)| l.kind == CostKind::ManagementFee) {
            l.over_standard = true;
            if l.reason.chars().count() < 4 {
                p.add(
                    format!("cost_lines[{i}].reason"),
                    "management_fee_above_cap",
                    format!("管理费超过其他费用的 {}.{:02}%，请写明理由", fee_cap_bp / 100, fee_cap_bp % 100),
                    format!(
                        "management fees exceed {}.{:02}% of the other costs: give the reason",
                        fee_cap_bp / 100,
                        fee_cap_bp % 100
                    ),
                );
            }
        }
    }
    p.into_result()?;
    Ok(out)
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
            created_at: now,
            updated_at: now,
        };
        let detail = json!({"title": project.design.title, "mode": project.design.mode.code()});
        Ok((project, Change::new("project.create", detail)))
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

    pub fn edit_design(
        &mut self,
        actor: &Actor,
        design: Design,
        ctx: &SubmitContext,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_purchaser(actor, "edit_design")?;
        self.require_status(&[Status::Design, Status::CostEstimate], "edit_design")?;
        design.check_new(ctx.rules, crate::clock::china_date(now), ctx.category)?;
        self.design = design;
        self.touch(now);
        Ok(Change::new("project.design", json!({"title": self.design.title})))
    }

    /// Design is finished: move on to the cost estimate.
    pub fn finish_design(&mut self, actor: &Actor, now: DateTime<Utc>) -> Result<Change, DomainError> {
        self.require_purchaser(actor, "finish_design")?;
        self.require_status(&[Status::Design], "finish_design")?;
        self.status = Status::CostEstimate;
        self.touch(now);
        Ok(Change::new("project.finish_design", json!({})))
    }

    pub fn set_cost_estimate(
        &mut self,
        actor: &Actor,
        lines: &[CostLineInput],
        standards: &[Standard],
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_purchaser(actor, "set_cost_estimate")?;
        self.require_status(&[Status::CostEstimate], "set_cost_estimate")?;
        self.cost_lines = price_lines(lines, standards, rules.management_fee_cap_bp)?;
        self.touch(now);
        let flagged = self.cost_lines.iter().filter(|l| l.over_standard).count();
        Ok(Change::new(
            "project.cost_estimate",
            json!({"lines": self.cost_lines.len(), "total": self.total(), "over_standard": flagged}),
        ))
    }

    /// Says which budget lines pay for the estimate. The caller has checked the lines are the purchaser's own.
    pub fn set_funding(
        &mut self,
        actor: &Actor,
        lines: Vec<FundingLine>,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_purchaser(actor, "set_funding")?;
        self.require_status(&[Status::Design, Status::CostEstimate], "set_funding")?;
        check_plan(&lines, self.total())?;
        check_years(&lines, self.design.period_start, self.design.period_end)?;
        let detail = json!({"lines": lines.len(), "total": self.total()});
        self.funding = lines;
        self.touch(now);
        Ok(Change::new("project.funding", detail))
    }

    /// Submits for review. The category must be in the catalogue and not on the negative list.
    pub fn submit(&mut self, actor: &Actor, ctx: &SubmitContext, now: DateTime<Utc>) -> Result<Change, DomainError> {
        self.require_purchaser(actor, "submit")?;
        self.require_status(&[Status::CostEstimate], "submit")?;
        match ctx.category {
            CategoryStatus::Listed => {}
            CategoryStatus::Negative => return Err(DomainError::CategoryOnNegativeList),
            CategoryStatus::Unknown => return Err(DomainError::CategoryNotInCatalogue),
        }
        self.design.validate(ctx.rules)?;
        if self.cost_lines.is_empty() {
            return Err(DomainError::field(
                "cost_lines",
                "cost_estimate_missing",
                "提交前请先完成费用测算",
                "complete the cost estimate before submitting",
            ));
        }
        // No budget, no purchase: the plan must cover the estimate as it now stands.
        check_plan(&self.funding, self.total())?;
        check_years(&self.funding, self.design.period_start, self.design.period_end)?;
        // The competent department reviews other departments' content; its own projects go straight to finance.
        self.content_review_skipped = if ctx.rules.review_stages == ReviewStages::One {
            Some(ContentReviewSkipped::OneStage)
        } else if actor.org_kind == OrgKind::CivilAffairs {
            Some(ContentReviewSkipped::OwnDepartment)
        } else {
            None
        };
        self.status = if self.content_review_skipped.is_none() { Status::ReviewContent } else { Status::ReviewFinance };
        self.touch(now);
        Ok(Change::new("project.submit", json!({"total": self.total(), "stage": self.status.code()})))
    }

    /// A reviewer approves or returns the project at its current review stage.
    pub fn review(
        &mut self,
        actor: &Actor,
        approve: bool,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        let stage = match self.status {
            Status::ReviewContent => ReviewStage::Content,
            Status::ReviewFinance => ReviewStage::Finance,
            _ => {
                return Err(DomainError::WrongStep { action: "review", status: self.status.code() });
            }
        };
        if !stage.reviewed_by(actor) {
            return Err(DomainError::NotPermitted { action: "review" });
        }
        if actor.org_id == self.purchaser_org_id || actor.user_id == self.designer_id {
            return Err(DomainError::OwnProject);
        }
        let comment = comment.trim();
        if !approve && comment.is_empty() {
            return Err(DomainError::field(
                "comment",
                "comment_required",
                "退回时请写明修改意见",
                "say what must change when returning a project",
            ));
        }
        if comment.chars().count() > 2000 {
            return Err(DomainError::field(
                "comment",
                "too_long",
                "意见不能超过 2000 字",
                "the comment must be at most 2000 characters",
            ));
        }
        self.reviews.push(ReviewDecision {
            stage,
            approved: approve,
            comment: comment.to_string(),
            reviewer_id: actor.user_id,
            reviewer_name: actor.display_name.clone(),
            org_id: actor.org_id,
            org_name: actor.org_name.clone(),
            at: now,
        });
        self.status = match (approve, stage) {
            (false, _) => Status::Design,
            (true, ReviewStage::Content) => Status::ReviewFinance,
            (true, ReviewStage::Finance) => Status::Procurement,
        };
        self.touch(now);
        let action = if approve { "project.review_approve" } else { "project.review_return" };
        // Finance approval reserves the plan's money on each budget line; the store refuses it if short.
        let ledger = if approve && stage == ReviewStage::Finance {
            self.entries(Movement::Reserve, &self.planned())
        } else {
            Vec::new()
        };
        Ok(Change::new(action, json!({"stage": stage.code(), "comment": comment})).with_ledger(ledger))
    }

    /// Records a direct purchase below the procurement limit (采购限额标准) from an eligible, active provider.
    pub fn award_direct(
        &mut self,
        actor: &Actor,
        provider: ProviderInfo,
        rules: &Rules,
        justification: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_purchaser(actor, "award")?;
        self.require_status(&[Status::Procurement], "award")?;
        let limit = rules.procurement_limit_for(self.design.regions.first().map(String::as_str).unwrap_or(""));
        if self.total() >= limit {
            return Err(DomainError::refused(
                "above_procurement_limit",
                format!(
                    "预算 {} 元达到采购限额标准（{} 元），不能直接确定承接主体，请按法定采购方式组织采购",
                    self.total().display_yuan(),
                    limit.display_yuan()
                ),
                format!(
                    "a budget of {} yuan reaches the procurement limit ({} yuan): procure by a statutory method",
                    self.total().display_yuan(),
                    limit.display_yuan()
                ),
            ));
        }
        if !provider.kind.is_provider_kind() || provider.class_one {
            return Err(DomainError::ProviderIneligible);
        }
        if !provider.active {
            return Err(DomainError::ProviderInactive);
        }
        let justification = justification.trim();
        if justification.chars().count() < 10 {
            return Err(DomainError::field(
                "justification",
                "justification_required",
                "请写明直接确定承接主体的理由（至少 10 个字）",
                "give the reason for the direct award (at least 10 characters)",
            ));
        }
        let detail = json!({"provider_org_id": provider.org_id, "provider": provider.name, "method": "direct_award"});
        self.award = Some(Award {
            method: "direct_award".into(),
            provider,
            justification: justification.to_string(),
            amount: self.total(),
            at: now,
            by: actor.user_id,
        });
        self.status = Status::Contract;
        self.touch(now);
        Ok(Change::new("project.award", detail))
    }

    fn post_mut(&mut self, actor: &Actor, index: usize, action: &'static str) -> Result<&mut Post, DomainError> {
        let provider_org = self.contract.as_ref().map(|c| c.provider.org_id);
        if !actor.has(Role::Provider) || provider_org != Some(actor.org_id) {
            return Err(DomainError::NotPermitted { action });
        }
        self.require_status(&[Status::Acceptance], action)?;
        let contract = self.contract.as_mut().ok_or(DomainError::NotFound { what: "contract" })?;
        contract.posts.get_mut(index).ok_or(DomainError::NotFound { what: "post" })
    }

    /// The provider puts a social worker it employs into a post (or replaces the one there).
    pub fn fill_post(
        &mut self,
        actor: &Actor,
        index: usize,
        holder: PostHolder,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        let (start, end) =
            self.contract.as_ref().map(|c| (c.start, c.end)).ok_or(DomainError::NotFound { what: "contract" })?;
        let mut p = Problems::default();
        need_text(&mut p, "name", &holder.name, 40, "社会工作者姓名", "social worker's name");
        if holder.since < start || holder.since > end {
            p.add(
                "since",
                "since_outside_term",
                "到岗日期须在合同期限内",
                "the start date must fall within the contract term",
            );
        }
        p.into_result()?;
        let certification = holder.certification;
        let post = self.post_mut(actor, index, "fill_post")?;
        post.holder = Some(PostHolder { name: holder.name.trim().to_string(), ..holder });
        self.touch(now);
        // The audit record keeps the qualification, not the person's name.
        Ok(Change::new("project.post_fill", json!({"post": index, "certification": certification.code()})))
    }

    /// The post holder leaves; the post is vacant until filled again.
    pub fn vacate_post(
        &mut self,
        actor: &Actor,
        index: usize,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        let reason = closure_reason(reason)?;
        let post = self.post_mut(actor, index, "vacate_post")?;
        if post.holder.is_none() {
            return Err(DomainError::field("post", "post_vacant", "该岗位已空缺", "the post is already vacant"));
        }
        post.holder = None;
        self.touch(now);
        Ok(Change::new("project.post_vacate", json!({"post": index, "reason": reason})))
    }

    /// Cancels at any step before the contract is signed.
    pub fn cancel(&mut self, actor: &Actor, reason: &str, now: DateTime<Utc>) -> Result<Change, DomainError> {
        self.require_purchaser(actor, "cancel")?;
        self.require_status(
            &[
                Status::Design,
                Status::CostEstimate,
                Status::ReviewContent,
                Status::ReviewFinance,
                Status::Procurement,
                Status::Contract,
            ],
            "cancel",
        )?;
        let reason = closure_reason(reason)?;
        let from = self.status.code();
        // Money reserved at approval goes back to the budgets.
        let reserved = matches!(self.status, Status::Procurement | Status::Contract);
        let ledger = if reserved { self.entries(Movement::Release, &self.planned()) } else { Vec::new() };
        self.cancellation = Some(Closure { reason: reason.clone(), by: actor.user_id, at: now });
        self.status = Status::Cancelled;
        self.touch(now);
        Ok(Change::new("project.cancel", json!({"from": from, "reason": reason})).with_ledger(ledger))
    }

    /// Ends a signed contract early.
    pub fn terminate(&mut self, actor: &Actor, reason: &str, now: DateTime<Utc>) -> Result<Change, DomainError> {
        self.require_purchaser(actor, "terminate")?;
        self.end_contract(actor, reason, now)
    }

    /// Takes the winner of a finished procurement as the project's award; the contract step follows.
    pub fn award_from_procurement(
        &mut self,
        p: &crate::procurement::Procurement,
        provider: ProviderInfo,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_status(&[Status::Procurement], "award")?;
        let award = p.award.as_ref().filter(|a| !a.void && p.project_id == self.id);
        let Some(award) = award.filter(|a| a.winner.org_id == provider.org_id) else {
            return Err(DomainError::NotFound { what: "award" });
        };
        if !provider.kind.is_provider_kind() || provider.class_one {
            return Err(DomainError::ProviderIneligible);
        }
        let justification = match &award.winner.score {
            Some(score) => format!("{}确定，综合得分 {score}", p.method.label_zh()),
            None => format!("{}确定，报价 {} 元", p.method.label_zh(), award.winner.price.display_yuan()),
        };
        let detail = json!({"provider_org_id": provider.org_id, "provider": provider.name, "method": p.method.code(), "procurement_id": p.id});
        self.award = Some(Award {
            method: p.method.code().into(),
            provider,
            justification,
            amount: award.winner.price,
            at: now,
            by: award.by,
        });
        self.status = Status::Contract;
        self.touch(now);
        Ok(Change::new("project.award", detail))
    }

    /// A complaint upheld by finance reaches the project: a voided award before the contract sends it back to
    /// procurement; once the contract is signed, the contract ends and what it still owed goes back.
    pub fn apply_complaint(&mut self, actor: &Actor, reason: &str, now: DateTime<Utc>) -> Result<Change, DomainError> {
        if !(actor.is_finance_reviewer()) {
            return Err(DomainError::NotPermitted { action: "apply_complaint" });
        }
        match self.status {
            Status::Contract => {
                self.award = None;
                self.status = Status::Procurement;
                self.touch(now);
                Ok(Change::new("project.award_void", json!({"reason": reason})))
            }
            Status::Acceptance => self.end_contract(actor, reason, now),
            _ => Err(DomainError::WrongStep { action: "apply_complaint", status: self.status.code() }),
        }
    }

    fn end_contract(&mut self, actor: &Actor, reason: &str, now: DateTime<Utc>) -> Result<Change, DomainError> {
        self.require_status(&[Status::Acceptance], "terminate")?;
        let reason = closure_reason(reason)?;
        // What the contract still owed goes back to the budgets.
        let owed: Vec<Money> = self.committed_by_line().iter().zip(self.paid_by_line()).map(|(c, p)| *c - p).collect();
        let mut ledger = self.entries(Movement::Uncommit, &owed);
        ledger.extend(self.supplements_owed());
        ledger.extend(self.lapse_supplements());
        if let Some(c) = self.contract.as_mut() {
            c.termination = Some(Closure { reason: reason.clone(), by: actor.user_id, at: now });
        }
        self.status = Status::Terminated;
        self.touch(now);
        Ok(Change::new("project.terminate", json!({"reason": reason})).with_ledger(ledger))
    }
}

fn closure_reason(reason: &str) -> Result<String, DomainError> {
    let reason = reason.trim();
    if reason.chars().count() < 4 {
        return Err(DomainError::field(
            "reason",
            "reason_required",
            "请写明原因（至少 4 个字）",
            "give the reason (at least 4 characters)",
        ));
    }
    if reason.chars().count() > 2000 {
        return Err(DomainError::field(
            "reason",
            "too_long",
            "原因不能超过 2000 字",
            "the reason must be at most 2000 characters",
        ));
    }
    Ok(reason.to_string())
}

/// Who may see a project. Deny by default.
pub fn can_view(actor: &Actor, p: &Project) -> bool {
    if actor.has(Role::Admin) || actor.org_id == p.purchaser_org_id {
        return true;
    }
    if (ReviewStage::Content.reviewed_by(actor) || ReviewStage::Finance.reviewed_by(actor))
        && (!p.reviews.is_empty() || matches!(p.status, Status::ReviewContent | Status::ReviewFinance))
    {
        return true;
    }
    if actor.has(Role::Provider) && p.award.as_ref().is_some_and(|a| a.provider.org_id == actor.org_id) {
        return true;
    }
    if actor.has(Role::Supervisor) {
        if let Some(root) = &actor.supervisor_region {
            return p.design.regions.iter().any(|r| crate::org::region_within(r, root));
        }
    }
    false
}

/// What the project waits on `actor` to do, if anything: the work queue.
pub fn waiting_on(actor: &Actor, p: &Project) -> Option<&'static str> {
    let own = actor.has(Role::Purchaser) && actor.org_id == p.purchaser_org_id;
    match p.status {
        Status::Design if own && p.is_returned() => Some("revise_returned"),
        Status::Design if own => Some("finish_design"),
        Status::CostEstimate if own => Some("estimate_and_submit"),
        Status::ReviewContent | Status::ReviewFinance => {
            let stage = if p.status == Status::ReviewContent { ReviewStage::Content } else { ReviewStage::Finance };
            let eligible =
                stage.reviewed_by(actor) && actor.org_id != p.purchaser_org_id && actor.user_id != p.designer_id;
            eligible.then_some("review")
        }
        Status::Procurement if own => Some("award"),
        Status::Contract if own => Some("sign_contract"),
        Status::Acceptance => {
            let c = p.contract.as_ref()?;
            let finance = actor.is_finance_reviewer();
            for s in &c.supplements {
                match s.status {
                    SupplementStatus::Proposed if finance && actor.org_id != p.purchaser_org_id => {
                        return Some("review_supplement")
                    }
                    SupplementStatus::Approved if own => return Some("sign_supplement"),
                    _ => {}
                }
            }
            let i = p.current_milestone()?;
            let m = &c.milestones[i];
            let provider = actor.has(Role::Provider) && c.provider.org_id == actor.org_id;
            match m.status {
                MilestoneStatus::Reported if own => Some("decide_milestone"),
                MilestoneStatus::Pending | MilestoneStatus::Rejected if provider => Some("file_report"),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
