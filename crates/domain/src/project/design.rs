//! The design step: the design's checks (complete and coherent, a service period that may start, a category
//! that may be bought), its changes, and moving on to the cost estimate.

use super::*;
use crate::audit::Action;
use crate::error::ErrorCode;

impl Design {
    /// Checks the design is complete and coherent; every problem is reported at once.
    pub fn validate(&self, rules: &Rules) -> Result<(), DomainError> {
        let mut p = Problems::default();
        need_text(&mut p, "title", &self.title, 200, "项目名称", "title");
        if self.category.trim().is_empty() {
            p.add("category", ErrorCode::Required, "请选择服务类别", "choose a service category");
        }
        if self.regions.is_empty() {
            p.add("regions", ErrorCode::Required, "请至少选择一个服务区域", "choose at least one region");
        }
        if self.target_groups.is_empty() {
            p.add("target_groups", ErrorCode::Required, "请至少选择一类服务对象", "choose at least one target group");
        }
        need_text(&mut p, "content", &self.content, 5000, "服务内容", "service content");
        need_text(&mut p, "standards", &self.standards, 5000, "服务标准", "service standards");
        let max = if self.continuing { rules.continuing_contract_max_months } else { rules.contract_max_months };
        if self.period_end < self.period_start {
            p.add(
                "period_end",
                ErrorCode::PeriodEndBeforeStart,
                "服务期结束日期不能早于开始日期",
                "the service period must end after it starts",
            );
        } else if self.period_end > term_last_day(self.period_start, max) {
            p.add(
                "period_end",
                ErrorCode::PeriodTooLong,
                format!("服务期不能超过 {max} 个月"),
                format!("the service period may be at most {max} months"),
            );
        }
        crate::evaluation::check_targets(&mut p, &self.targets);
        match self.mode {
            PurchaseMode::Post if self.posts.is_empty() => p.add(
                "posts",
                ErrorCode::Required,
                "岗位购买须列明岗位及设岗单位",
                "a post purchase must list its posts and host units",
            ),
            PurchaseMode::Project if !self.posts.is_empty() => p.add(
                "posts",
                ErrorCode::PostsInProjectPurchase,
                "项目购买不应列岗位",
                "a project purchase has no posts",
            ),
            _ => {}
        }
        for (i, post) in self.posts.iter().enumerate() {
            if post.count == 0 || post.title.trim().is_empty() {
                p.add(
                    format!("posts[{i}]"),
                    ErrorCode::IncompletePost,
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
                ErrorCode::PeriodStartTooEarly,
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

impl Project {
    pub fn edit_design(
        &mut self,
        actor: &Actor,
        design: Design,
        ctx: &SubmitContext,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.may(actor, Act::EditDesign)?;
        design.check_new(ctx.rules, crate::clock::china_date(now), ctx.category)?;
        self.design = design;
        self.touch(now);
        Ok(Change::new(Action::ProjectDesign, json!({"title": self.design.title})))
    }

    /// Design is finished: move on to the cost estimate.
    pub fn finish_design(&mut self, actor: &Actor, now: DateTime<Utc>) -> Result<Change, DomainError> {
        self.may(actor, Act::FinishDesign)?;
        self.status = Status::CostEstimate;
        self.touch(now);
        Ok(Change::new(Action::ProjectFinishDesign, json!({})))
    }
}
