//! Post purchase: the provider fills and vacates the contract's posts.

use super::closure::closure_reason;
use super::*;
use crate::audit::Action;
use crate::error::ErrorCode;

impl Project {
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
                ErrorCode::SinceOutsideTerm,
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
        Ok(Change::new(Action::ProjectPostFill, json!({"post": index, "certification": certification.code()})))
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
            return Err(DomainError::field(
                "post",
                ErrorCode::PostVacant,
                "该岗位已空缺",
                "the post is already vacant",
            ));
        }
        post.holder = None;
        self.touch(now);
        Ok(Change::new(Action::ProjectPostVacate, json!({"post": index, "reason": reason})))
    }
}
