//! Public feedback on services (公众意见): anyone, without an account, rates a service and/or reports a problem
//! with a project or a provider. It goes to the competent department, which answers by a deadline on the
//! working-day calendar with a summary it writes itself; only that summary is ever published. The sender's own
//! words and contact are the department's to read (the contact masked), never the public's.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{china_date, Calendar, Deadline};
use crate::org::{string_enum, Actor, Role};
use crate::rules::Rules;
use crate::{DomainError, ErrorCode, FieldError};

/// Longest problem description and answer summary, in characters: a page of text, enough for a complaint about
/// a service and short enough that nobody pastes a book into the department's queue.
pub const TEXT_MAX_CHARS: usize = 2000;
/// Longest contact name, phone and e-mail, in characters.
pub const NAME_MAX_CHARS: usize = 50;
pub const PHONE_MAX_CHARS: usize = 20;
pub const EMAIL_MAX_CHARS: usize = 100;

string_enum!(
    /// What the feedback is about.
    Subject {
        Project = "project" / "购买项目" / "Project",
        Provider = "provider" / "承接主体" / "Provider",
    }
);

string_enum!(
    FeedbackStatus {
        Waiting = "waiting" / "待答复" / "Waiting for an answer",
        Answered = "answered" / "已答复" / "Answered",
    }
);

/// How to reach the sender, all optional. Stored sealed; read only by the department, masked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.name.is_empty() && self.phone.is_empty() && self.email.is_empty()
    }

    /// As the department's screens show it: the family name, the phone's first 3 and last 4 digits, the
    /// e-mail's first character and domain.
    pub fn masked(&self) -> Contact {
        // A one-character name would be the whole name: it is hidden too.
        let name = match self.name.chars().count() {
            0 => String::new(),
            1 => "*".into(),
            _ => self.name.chars().take(1).chain("**".chars()).collect(),
        };
        let digits: Vec<char> = self.phone.chars().collect();
        let phone = if digits.len() > 7 {
            let (head, tail): (String, String) =
                (digits[..3].iter().collect(), digits[digits.len() - 4..].iter().collect());
            format!("{head}****{tail}")
        } else if digits.is_empty() {
            String::new()
        } else {
            "****".into()
        };
        let email = match self.email.split_once('@') {
            Some((user, domain)) => format!("{}***@{domain}", user.chars().next().unwrap_or('*')),
            None => String::new(),
        };
        Contact { name, phone, email }
    }
}

/// The department's answer: the summary it writes for publication, and whether it found the complaint upheld.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub summary: String,
    pub answered_at: DateTime<Utc>,
    pub answered_by: String,
    /// The department found the problem reported true (反映问题属实): it counts on the provider's credit record.
    #[serde(default)]
    pub upheld: bool,
}

/// One item of feedback as the department and the supervisors read it. The contact is kept apart (sealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub id: i64,
    pub version: i64,
    pub subject: Subject,
    pub project_id: Option<i64>,
    pub provider_org_id: Option<i64>,
    /// The project's title or the provider's name.
    pub about: String,
    /// The competent department it is routed to, which answers it.
    pub department_org_id: i64,
    pub department_name: String,
    /// Where the service is (the project's first place, or the provider's seat): supervisors of that region
    /// follow it.
    pub region: String,
    /// 1 (very poor) to 5 (very good).
    pub rating: Option<u8>,
    /// The sender's own words: the department's to read, never published.
    pub problem: String,
    pub received_at: DateTime<Utc>,
    /// The last working day to answer.
    pub due_on: NaiveDate,
    /// Counted over a year without the State Council's holiday notice yet.
    pub due_provisional: bool,
    pub answer: Option<Answer>,
}

impl Feedback {
    pub fn status(&self) -> FeedbackStatus {
        if self.answer.is_some() {
            FeedbackStatus::Answered
        } else {
            FeedbackStatus::Waiting
        }
    }

    /// Unanswered after its last day.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.answer.is_none() && today > self.due_on
    }

    /// Whether `actor` answers it: a purchaser or reviewer of the department it was routed to.
    pub fn may_answer(&self, actor: &Actor) -> bool {
        actor.org_id == self.department_org_id && (actor.has(Role::Purchaser) || actor.has(Role::Reviewer))
    }

    /// Records the department's answer, once; `upheld` when it found the problem reported true.
    pub fn answer(
        &mut self,
        actor: &Actor,
        summary: &str,
        upheld: bool,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        if !self.may_answer(actor) {
            return Err(DomainError::NotPermitted { action: "answer_feedback" });
        }
        if self.answer.is_some() {
            return Err(DomainError::refused(
                ErrorCode::FeedbackAnswered,
                "该意见已答复",
                "this feedback has already been answered",
            ));
        }
        let summary = bounded_text("summary", summary, TEXT_MAX_CHARS).map_err(one)?;
        if summary.is_empty() {
            return Err(DomainError::field(
                "summary",
                ErrorCode::Required,
                "请填写答复摘要，它将公开发布",
                "write the answer's summary; it will be published",
            ));
        }
        self.answer = Some(Answer { summary, answered_at: now, answered_by: actor.org_name.clone(), upheld });
        self.version += 1;
        Ok(())
    }

    /// What the public reads: the department's summary and dates, none of the sender's words or data.
    pub fn published(&self) -> Option<PublishedAnswer> {
        let a = self.answer.as_ref()?;
        Some(PublishedAnswer {
            id: self.id,
            subject: self.subject,
            received_on: china_date(self.received_at),
            answered_on: china_date(a.answered_at),
            department_name: self.department_name.clone(),
            summary: a.summary.clone(),
            upheld: a.upheld,
        })
    }
}

/// A published answer on a project's (or provider's) public page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedAnswer {
    pub id: i64,
    pub subject: Subject,
    pub received_on: NaiveDate,
    pub answered_on: NaiveDate,
    pub department_name: String,
    pub summary: String,
    /// The department found the problem reported true.
    pub upheld: bool,
}

/// What a sender submits, checked: a rating and/or a problem, about one project or one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub subject: Subject,
    /// The project's or the provider organisation's id.
    pub subject_id: i64,
    pub rating: Option<u8>,
    pub problem: String,
    pub contact: Contact,
}

/// The raw fields of a submission, as a form or the API posts them.
#[derive(Debug, Clone, Default)]
pub struct Draft<'a> {
    pub project_id: Option<i64>,
    pub provider_org_id: Option<i64>,
    pub rating: Option<i64>,
    pub problem: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
}

fn one(e: FieldError) -> DomainError {
    DomainError::InvalidInput(vec![e])
}

/// `text` trimmed, refused with `too_long` beyond `max` characters or when it holds control characters other
/// than line breaks and tabs.
fn bounded_text(field: &str, text: &str, max: usize) -> Result<String, FieldError> {
    let t = text.trim();
    if t.chars().count() > max {
        return Err(FieldError::new(
            field,
            ErrorCode::TooLong,
            format!("不能超过 {max} 个字符"),
            format!("at most {max} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(FieldError::new(field, ErrorCode::InvalidCharacter, "含有无效字符", "contains invalid characters"));
    }
    Ok(t.to_string())
}

impl Submission {
    /// Parses a draft, reporting every wrong field at once.
    pub fn parse(d: &Draft) -> Result<Submission, DomainError> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let problem = keep(bounded_text("problem", d.problem, TEXT_MAX_CHARS));
        let name = keep(bounded_text("name", d.name, NAME_MAX_CHARS));
        let phone = keep(bounded_text("phone", d.phone, PHONE_MAX_CHARS));
        let email = keep(bounded_text("email", d.email, EMAIL_MAX_CHARS));
        let subject = match (d.project_id, d.provider_org_id) {
            (Some(id), None) if id > 0 => Some((Subject::Project, id)),
            (None, Some(id)) if id > 0 => Some((Subject::Provider, id)),
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(
                    "project_id",
                    ErrorCode::AmbiguousChoice,
                    "请只选择一个项目或一个承接主体",
                    "name either a project or a provider, not both",
                ));
                None
            }
            _ => {
                errors.push(FieldError::new(
                    "project_id",
                    ErrorCode::Required,
                    "请说明意见针对的项目或承接主体",
                    "name the project or the provider the feedback is about",
                ));
                None
            }
        };
        let rating = match d.rating {
            None => None,
            Some(r @ 1..=5) => Some(r as u8),
            Some(_) => {
                errors.push(FieldError::new("rating", ErrorCode::OutOfRange, "评分应为 1 到 5", "rate from 1 to 5"));
                None
            }
        };
        if rating.is_none() && problem.is_empty() && !errors.iter().any(|e| e.field == "rating") {
            errors.push(FieldError::new(
                "problem",
                ErrorCode::Required,
                "请评分或描述遇到的问题",
                "give a rating or describe the problem",
            ));
        }
        if !phone.is_empty() && !phone.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c)) {
            errors.push(FieldError::new(
                "phone",
                ErrorCode::InvalidPhone,
                "电话号码只能包含数字、空格、+ 和 -",
                "a phone number holds only digits, spaces, + and -",
            ));
        }
        if !email.is_empty() && !valid_email(&email) {
            errors.push(FieldError::new(
                "email",
                ErrorCode::InvalidEmail,
                "电子邮箱格式不正确",
                "not an e-mail address",
            ));
        }
        match (errors.is_empty(), subject) {
            (true, Some((subject, subject_id))) => {
                Ok(Submission { subject, subject_id, rating, problem, contact: Contact { name, phone, email } })
            }
            _ => Err(DomainError::InvalidInput(errors)),
        }
    }
}

fn valid_email(s: &str) -> bool {
    s.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty() && domain.contains('.') && !domain.starts_with('.') && !s.contains(char::is_whitespace)
    })
}

/// The last working day for the department's answer to feedback received at `received_at`.
pub fn due_on(calendar: &Calendar, rules: &Rules, received_at: DateTime<Utc>) -> Result<Deadline, DomainError> {
    calendar.add_working_days(china_date(received_at), rules.feedback_answer_working_days).map_err(|e| {
        DomainError::refused(
            ErrorCode::CalendarYearMissing,
            format!("无法计算答复期限：{e}"),
            format!("cannot count the answer's deadline: {e}"),
        )
    })
}

/// Refuses a submission that looks automated: the hidden field a person never sees was filled, or the form
/// was sent sooner than a person could fill it (`issued_at` from the form's signed token; none when the token
/// is missing, forged or expired).
pub fn check_not_spam(
    rules: &Rules,
    honeypot: &str,
    issued_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let age = issued_at.map(|t| (now - t).num_seconds());
    let fresh_enough = age.is_some_and(|a| {
        a >= rules.feedback_min_form_secs as i64 && a <= rules.feedback_form_max_age_hours as i64 * 3600
    });
    if honeypot.is_empty() && fresh_enough {
        return Ok(());
    }
    Err(DomainError::field(
        "form_token",
        ErrorCode::SpamSuspected,
        "提交看起来像是自动程序发出的。请重新打开表单，填写后再提交",
        "this looks like an automated submission. Open the form again, fill it in and send it",
    ))
}

#[cfg(test)]
mod tests;
