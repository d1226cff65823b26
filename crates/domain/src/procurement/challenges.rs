//! Challenges (质疑) to the purchaser, complaints (投诉) to finance, and suspensions, each within its statutory
//! window counted from the day the law names (政府采购法 §52–57, 政府采购法实施条例 §53–58, 财政部令第94号).

use crate::audit::Action;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use super::{
    calendar_refusal, need_text, period_end, refused, Challenge, ChallengeAbout, Complaint, ComplaintDecision,
    Consequence, Procurement, Reply, Suspension,
};
use crate::calendar::{china_date, Calendar, Deadline};
use crate::deadlines::{date_zh, Period};
use crate::error::{DomainError, ErrorCode, Problems};
use crate::org::{Actor, Role};
use crate::project::Change;
use crate::rules::Rules;

impl Procurement {
    /// The day a challenge by `org_id` about `about` counts from, if that event has happened (政府采购法实施条例
    /// §53, 财政部令第94号 §10): the documents from the later of their receipt (the provider's registration of
    /// interest) and the end of their publication period — or from a later clarification, which changes them;
    /// the process from the end of its step (the last opening); the result from the end of the result notice.
    pub fn knew_on(
        &self,
        about: ChallengeAbout,
        org_id: i64,
        rules: &Rules,
        calendar: &Calendar,
    ) -> Result<Option<NaiveDate>, DomainError> {
        Ok(match about {
            ChallengeAbout::Documents => {
                let Some(published) = self.published_on else { return Ok(None) };
                let period_ended = match self.method.documents_period() {
                    Some(period) => period_end(rules, period, published, calendar)?.date,
                    None => published,
                };
                let received = self.documents_obtained.iter().filter(|o| o.org_id == org_id).map(|o| o.on).max();
                let clarified = self.clarifications.iter().map(|c| china_date(c.at)).max();
                Some(period_ended.max(received.unwrap_or(period_ended)).max(clarified.unwrap_or(published)))
            }
            ChallengeAbout::Process => self.final_opening.as_ref().or(self.opening.as_ref()).map(|o| china_date(o.at)),
            ChallengeAbout::Result => match &self.award {
                Some(a) => Some(period_end(rules, Period::ResultAnnouncement, china_date(a.at), calendar)?.date),
                None => None,
            },
        })
    }

    /// A provider who took part challenges (质疑) the documents, the process or the result within 7 working days.
    #[allow(clippy::too_many_arguments)]
    pub fn challenge(
        &mut self,
        actor: &Actor,
        org_name: &str,
        about: ChallengeAbout,
        text: &str,
        calendar: &Calendar,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        if !actor.has(Role::Provider) {
            return Err(DomainError::NotPermitted { action: "challenge" });
        }
        let took_part = self.interests.contains(&actor.org_id)
            || self.bidders().contains(&actor.org_id)
            || self.documents.single_source.is_some()
            || self.documents.invited.contains(&actor.org_id);
        if !took_part {
            return Err(refused(
                ErrorCode::NotAParticipant,
                "只有参与本项目采购活动的供应商可以提出质疑",
                "only providers taking part may challenge",
            ));
        }
        let knew_on = self.knew_on(about, actor.org_id, rules, calendar)?.ok_or_else(|| {
            refused(ErrorCode::NothingToChallenge, "尚无可质疑的事项", "there is nothing of that kind to challenge yet")
        })?;
        let today = china_date(now);
        let last = period_end(rules, Period::Challenge, knew_on, calendar)?;
        if today > last.date {
            return Err(refused(
                ErrorCode::ChallengeLate,
                format!("质疑期已过：应在{}前提出（{}）", date_zh(last.date), Period::Challenge.source()),
                format!("the challenge period ended on {} ({})", last.date, Period::Challenge.source()),
            ));
        }
        let mut p = Problems::default();
        need_text(&mut p, "text", text, 10, 20_000, "质疑事项与理由", "challenge");
        p.into_result()?;
        let id = self.challenges.len() as u32 + 1;
        self.challenges.push(Challenge {
            id,
            org_id: actor.org_id,
            org_name: org_name.into(),
            about,
            text: text.trim().into(),
            knew_on,
            filed_on: today,
            reply: None,
            complaint: None,
        });
        self.touch(now);
        Ok(Change::new(Action::ProcurementChallenge, json!({"challenge": id, "about": about.code()})))
    }

    fn challenge_mut(&mut self, id: u32) -> Result<&mut Challenge, DomainError> {
        self.challenges.iter_mut().find(|c| c.id == id).ok_or(DomainError::NotFound { what: "challenge" })
    }

    /// The purchaser (or its agency) replies to a challenge, saying whether it is upheld.
    pub fn reply(
        &mut self,
        actor: &Actor,
        id: u32,
        text: &str,
        upheld: bool,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        self.require_runner(actor, "reply_challenge")?;
        let mut p = Problems::default();
        need_text(&mut p, "text", text, 10, 20_000, "答复内容", "reply");
        p.into_result()?;
        let c = self.challenge_mut(id)?;
        if c.reply.is_some() {
            return Err(refused(ErrorCode::AlreadyReplied, "该质疑已答复", "this challenge has been answered"));
        }
        c.reply = Some(Reply { text: text.trim().into(), upheld, on: china_date(now), by: actor.user_id });
        self.touch(now);
        Ok(Change::new(Action::ProcurementReply, json!({"challenge": id, "upheld": upheld})))
    }

    /// The last day to reply to challenge `c`.
    pub fn reply_due(c: &Challenge, rules: &Rules, calendar: &Calendar) -> Result<Deadline, DomainError> {
        period_end(rules, Period::ChallengeReply, c.filed_on, calendar)
    }

    /// The last day to complain about challenge `c`: 15 working days after the end of the purchaser's reply
    /// period, however early it replied (政府采购法 §55, 财政部令第94号 §17).
    pub fn complaint_due(c: &Challenge, rules: &Rules, calendar: &Calendar) -> Result<Deadline, DomainError> {
        let reply_period_end = Self::reply_due(c, rules, calendar)?.date;
        period_end(rules, Period::Complaint, reply_period_end, calendar)
    }

    /// The last day for finance to decide the complaint on challenge `c`, pauses excluded.
    pub fn decision_due(c: &Challenge, rules: &Rules, calendar: &Calendar) -> Option<Result<Deadline, DomainError>> {
        let k = c.complaint.as_ref()?;
        Some(rules.periods.latest_complaint_decision(k.filed_on, &k.pauses, calendar).map_err(calendar_refusal))
    }

    /// The challenger complains (投诉) to finance after an unsatisfying or missing reply, within 15 working days.
    #[allow(clippy::too_many_arguments)]
    pub fn complain(
        &mut self,
        actor: &Actor,
        id: u32,
        text: &str,
        calendar: &Calendar,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        let today = china_date(now);
        let c = self.challenges.iter().find(|c| c.id == id).ok_or(DomainError::NotFound { what: "challenge" })?;
        if !(actor.has(Role::Provider) && actor.org_id == c.org_id) {
            return Err(DomainError::NotPermitted { action: "complain" });
        }
        if c.complaint.is_some() {
            return Err(refused(
                ErrorCode::AlreadyComplained,
                "已就该质疑提出投诉",
                "a complaint on this challenge exists",
            ));
        }
        let reply_due = Self::reply_due(c, rules, calendar)?;
        if c.reply.is_none() && today <= reply_due.date {
            return Err(refused(
                ErrorCode::ReplyPending,
                format!("答复期尚未届满（{}），请等待答复", date_zh(reply_due.date)),
                format!("the reply is due by {}; wait for it", reply_due.date),
            ));
        }
        let last = Self::complaint_due(c, rules, calendar)?;
        if today > last.date {
            return Err(refused(
                ErrorCode::ComplaintLate,
                format!("投诉期已过：应在{}前提出（{}）", date_zh(last.date), Period::Complaint.source()),
                format!("the complaint period ended on {} ({})", last.date, Period::Complaint.source()),
            ));
        }
        let mut p = Problems::default();
        need_text(&mut p, "text", text, 10, 20_000, "投诉事项与理由", "complaint");
        p.into_result()?;
        self.challenge_mut(id)?.complaint =
            Some(Complaint { text: text.trim().into(), filed_on: today, pauses: vec![], decision: None });
        self.touch(now);
        Ok(Change::new(Action::ProcurementComplain, json!({"challenge": id})))
    }

    fn require_finance(actor: &Actor, action: &'static str) -> Result<(), DomainError> {
        if actor.is_finance_reviewer() {
            Ok(())
        } else {
            Err(DomainError::NotPermitted { action })
        }
    }

    fn open_complaint(&mut self, id: u32) -> Result<&mut Complaint, DomainError> {
        let k = self.challenge_mut(id)?.complaint.as_mut().ok_or(DomainError::NotFound { what: "complaint" })?;
        if k.decision.is_some() {
            return Err(refused(ErrorCode::ComplaintDecided, "该投诉已作出处理决定", "the complaint has been decided"));
        }
        Ok(k)
    }

    /// Finance excludes days from the decision period (testing, appraisal, expert review, corrections).
    pub fn pause_complaint(
        &mut self,
        actor: &Actor,
        id: u32,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        Self::require_finance(actor, "pause_complaint")?;
        if to < from {
            return Err(DomainError::field(
                "to",
                ErrorCode::RangeReversed,
                "结束日期不能早于开始日期",
                "the end is before the start",
            ));
        }
        let k = self.open_complaint(id)?;
        if from < k.filed_on {
            return Err(DomainError::field(
                "from",
                ErrorCode::BeforeComplaint,
                "不能早于投诉受理之日",
                "cannot start before the complaint",
            ));
        }
        k.pauses.push((from, to));
        self.touch(now);
        Ok(Change::new(Action::ProcurementPauseComplaint, json!({"challenge": id, "from": from, "to": to})))
    }

    /// Days of suspension used so far: a suspension counts its days after the first (民法典 §201), and at least
    /// one, so short suspensions cannot be repeated without end.
    pub fn suspended_days(&self) -> u32 {
        self.suspensions.iter().map(|s| (s.until - s.from).num_days().max(1) as u32).sum()
    }

    /// Finance suspends the procurement while it handles a complaint, for at most 30 days in all, however many
    /// suspensions (政府采购法 §57).
    pub fn suspend(
        &mut self,
        actor: &Actor,
        id: u32,
        until: NaiveDate,
        rules: &Rules,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        Self::require_finance(actor, "suspend")?;
        self.open_complaint(id)?;
        let today = china_date(now);
        let left = rules.periods.length(Period::Suspension).saturating_sub(self.suspended_days());
        let limit = today + chrono::Days::new(u64::from(left));
        if until < today || until > limit || left == 0 {
            return Err(DomainError::field(
                "until",
                ErrorCode::SuspensionTooLong,
                &format!("暂停采购活动合计最长 30 日，尚余 {left} 日（最迟至{}）", date_zh(limit)),
                &format!("suspensions last at most 30 days in all; {left} are left (until {limit} at the latest)"),
            ));
        }
        self.suspensions.push(Suspension { from: today, until, challenge: id });
        self.touch(now);
        Ok(Change::new(Action::ProcurementSuspend, json!({"challenge": id, "until": until})))
    }

    /// Finance decides a complaint: dismissed, or upheld with its consequence. The caller applies a consequence
    /// that reaches the project (a voided award, an ended contract).
    pub fn decide_complaint(
        &mut self,
        actor: &Actor,
        id: u32,
        upheld: bool,
        consequence: Option<Consequence>,
        reasons: &str,
        now: DateTime<Utc>,
    ) -> Result<Change, DomainError> {
        Self::require_finance(actor, "decide_complaint")?;
        let mut p = Problems::default();
        need_text(&mut p, "reasons", reasons, 10, 20_000, "处理决定理由", "reasons");
        if upheld && consequence.is_none() {
            p.add(
                "consequence",
                ErrorCode::Required,
                "投诉成立时请选择处理结果",
                "choose the consequence of an upheld complaint",
            );
        }
        if !upheld && consequence.is_some() {
            p.add(
                "consequence",
                ErrorCode::NotApplicable,
                "驳回投诉不产生处理结果",
                "a dismissed complaint has no consequence",
            );
        }
        if consequence == Some(Consequence::AwardVoid) && self.award.is_none() {
            p.add("consequence", ErrorCode::NoAward, "尚未确定中标（成交）人", "there is no award to void");
        }
        p.into_result()?;
        let today = china_date(now);
        self.open_complaint(id)?.decision = Some(ComplaintDecision {
            upheld,
            consequence,
            reasons: reasons.trim().into(),
            on: today,
            by: actor.user_id,
        });
        // A decision ends any suspension it caused.
        for s in self.suspensions.iter_mut().filter(|s| s.challenge == id && s.until >= today) {
            s.until = today.pred_opt().unwrap_or(today).max(s.from);
        }
        match consequence {
            Some(Consequence::Reprocure) => {
                self.fail("complaint_upheld", format!("投诉成立（第 {id} 号质疑），重新开展采购活动"), now)
            }
            Some(Consequence::AwardVoid) | Some(Consequence::ContractEnded) => {
                if let Some(a) = self.award.as_mut() {
                    a.void = true;
                }
                self.fail("complaint_upheld", format!("投诉成立（第 {id} 号质疑），中标（成交）结果无效"), now);
            }
            None => {}
        }
        self.touch(now);
        Ok(Change::new(
            Action::ProcurementDecideComplaint,
            json!({"challenge": id, "upheld": upheld, "consequence": consequence.map(|c| c.code())}),
        ))
    }
}
