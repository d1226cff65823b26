//! Public feedback on services: filing by anyone (spam-checked, rate-limited per client address), routing to the
//! competent department with its answer's deadline, the department's answer, the lists of the department and the
//! supervisors, and the published answers. Shared by the JSON API, the pages and the demo.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shanzhi_domain::calendar::china_date;
use shanzhi_domain::feedback::{
    self as rules, Contact, Draft, Feedback, FeedbackStatus, PublishedAnswer, Subject, Submission,
};
use shanzhi_domain::org::{Actor, OrgKind, Organisation, Role, Verification};
use shanzhi_domain::sign_in::address_key;
use shanzhi_domain::{DomainError, ErrorCode};
use shanzhi_store::{By, FeedbackFilter, FeedbackReader, Filed, SenderLimit};
use utoipa::ToSchema;

use crate::{App, Error, Page, PageRequest, Result};

/// What a sender posts. `form_token` comes from the form (or `GET /api/v1/feedback/form-token`); `website` is the
/// field people never see and must stay empty.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct FeedbackRequest {
    pub project_id: Option<i64>,
    /// The provider organisation's id, for feedback about a provider rather than one project.
    pub provider_org_id: Option<i64>,
    /// 1 (very poor) to 5 (very good).
    pub rating: Option<i64>,
    pub problem: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub form_token: String,
    pub website: String,
}

/// What the sender is told: where it went and by when it is answered; nothing of what they wrote.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    pub id: i64,
    pub department_name: String,
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// The summary to publish: the department's own words, not the sender's.
    pub summary: String,
    /// The department found the problem reported true (反映问题属实): the complaint counts on the credit record of the
    /// provider (the one the feedback is about, or the project's).
    #[serde(default)]
    pub upheld: bool,
}

/// One item as a reader sees it: the contact masked for the department and withheld from everyone else.
#[derive(Debug, Clone, Serialize)]
pub struct FeedbackView {
    #[serde(flatten)]
    pub feedback: Feedback,
    pub status: FeedbackStatus,
    pub overdue: bool,
    pub contact: Contact,
    pub may_answer: bool,
}

/// Which of the reader's items a list holds.
#[derive(Debug, Clone, Default)]
pub struct FeedbackQuery {
    pub status: Option<FeedbackStatus>,
    /// Only those past their last day unanswered.
    pub overdue: bool,
    pub project_id: Option<i64>,
    /// Only those routed to the reader's own department (the work queue), not its region's too.
    pub own_only: bool,
}

const TOKEN_CONTEXT: &str = "feedback form";

/// A signed token for a feedback form served now: when it was served, a nonce, and their tag by the data key.
pub fn form_token(app: &App) -> String {
    let issued = app.clock.now().timestamp();
    let nonce = &crate::sessions::new_token()[..16];
    let tag = app.store.form_tag(&format!("{TOKEN_CONTEXT}\0{issued}\0{nonce}"));
    format!("{issued}.{nonce}.{tag}")
}

/// When the form carrying `token` was served; none for a token that is not one of ours.
fn served_at(app: &App, token: &str) -> Option<DateTime<Utc>> {
    let mut parts = token.splitn(3, '.');
    let (issued, nonce, tag) = (parts.next()?, parts.next()?, parts.next()?);
    let expected = app.store.form_tag(&format!("{TOKEN_CONTEXT}\0{issued}\0{nonce}"));
    if expected.len() != tag.len() || expected.bytes().zip(tag.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) != 0 {
        return None;
    }
    DateTime::from_timestamp(issued.parse().ok()?, 0)
}

/// Someone files feedback from `client`: refused as `spam_suspected` when it looks automated, `rate_limited`
/// past the hour's share for the address; then routed and saved.
pub async fn submit(app: &App, client: IpAddr, req: FeedbackRequest) -> Result<Receipt> {
    let now = app.clock.now();
    rules::check_not_spam(&app.rules, &req.website, served_at(app, &req.form_token), now)?;
    let submission = Submission::parse(&Draft {
        project_id: req.project_id,
        provider_org_id: req.provider_org_id,
        rating: req.rating,
        problem: &req.problem,
        name: &req.name,
        phone: &req.phone,
        email: &req.email,
    })?;
    // The address is counted under a keyed hash: the table of counts names no one.
    let key = app.store.form_tag(&format!("feedback sender\0{}", address_key(client)));
    let limit = SenderLimit { key, per_hour: app.rules.feedback_per_address_per_hour };
    let f = file_with(app, &By::public(), submission, Some(&limit)).await?;
    Ok(Receipt { id: f.id, department_name: f.department_name, due_on: f.due_on })
}

/// Files checked feedback as `by` without the per-address limit (the demo's).
pub async fn file(app: &App, by: &By, submission: Submission) -> Result<Feedback> {
    file_with(app, by, submission, None).await
}

async fn file_with(app: &App, by: &By, s: Submission, limit: Option<&SenderLimit>) -> Result<Feedback> {
    let now = app.clock.now();
    let route = route(app, s.subject, s.subject_id).await?;
    let due = rules::due_on(&app.calendar, &app.rules, now)?;
    let f = Feedback {
        id: 0,
        version: 1,
        subject: s.subject,
        project_id: (s.subject == Subject::Project).then_some(s.subject_id),
        provider_org_id: (s.subject == Subject::Provider).then_some(s.subject_id),
        about: route.about,
        department_org_id: route.department_org_id,
        department_name: route.department_name,
        region: route.region,
        rating: s.rating,
        problem: s.problem,
        received_at: now,
        due_on: due.date,
        due_provisional: due.provisional,
        answer: None,
    };
    match app.store.file_feedback(by, f, &s.contact, limit, now).await? {
        Filed::Saved(f) => Ok(*f),
        Filed::Throttled(secs) => Err(Error::RateLimited(secs)),
    }
}

struct Route {
    about: String,
    department_org_id: i64,
    department_name: String,
    region: String,
}

fn no_such(field: &str, zh: &str, en: &str) -> Error {
    Error::Domain(DomainError::field(field, ErrorCode::NotFound, zh, en))
}

/// The competent department: a project's purchasing department; for a provider, the civil affairs bureau that
/// registers and verifies providers, seated nearest above the provider's seat.
async fn route(app: &App, subject: Subject, id: i64) -> Result<Route> {
    match subject {
        Subject::Project => {
            // Only a project the public can see (from its first notice on) takes feedback.
            let missing = || no_such("project_id", "没有这个公开项目", "no such public project");
            if app.store.notices_of_project(id).await?.is_empty() {
                return Err(missing());
            }
            let project = app.store.project(id).await?.ok_or_else(missing)?;
            Ok(Route {
                about: project.design.title,
                department_org_id: project.purchaser_org_id,
                department_name: project.purchaser_name,
                region: project.design.regions.first().cloned().unwrap_or_default(),
            })
        }
        Subject::Provider => {
            let org = verified_provider(app, id)
                .await?
                .ok_or_else(|| no_such("provider_org_id", "没有这个承接主体", "no such provider"))?;
            let region = org.region.clone().unwrap_or_default();
            let bureau = app.store.competent_civil_affairs(&region).await?.ok_or_else(|| {
                Error::Domain(DomainError::refused(
                    ErrorCode::NotFound,
                    "该承接主体所在地没有受理意见的民政部门",
                    "no civil affairs department answers for this provider's place",
                ))
            })?;
            debug_assert_eq!(bureau.kind, OrgKind::CivilAffairs);
            Ok(Route { about: org.name, department_org_id: bureau.id, department_name: bureau.name, region })
        }
    }
}

/// Whether `actor` reads feedback lists at all: the departments' staff, supervisors and administrators.
pub fn may_read(actor: &Actor) -> bool {
    [Role::Purchaser, Role::Reviewer, Role::Supervisor, Role::Admin].iter().any(|r| actor.has(*r))
}

/// Whether the supervisors' overdue list of feedback is theirs to read.
pub fn may_see_overdue(actor: &Actor) -> bool {
    actor.has(Role::Supervisor) || actor.has(Role::Admin)
}

fn view(actor: &Actor, f: Feedback, contact: Contact, today: NaiveDate) -> FeedbackView {
    // The department that handles it reads the contact, masked; supervisors and administrators do not need it.
    let contact = if actor.org_id == f.department_org_id { contact.masked() } else { Contact::default() };
    FeedbackView {
        status: f.status(),
        overdue: f.is_overdue(today),
        may_answer: f.may_answer(actor) && f.answer.is_none(),
        contact,
        feedback: f,
    }
}

fn reader_of(actor: &Actor, own_only: bool) -> Option<FeedbackReader> {
    if actor.has(Role::Admin) && !own_only {
        return None;
    }
    let region = if actor.has(Role::Supervisor) && !own_only { actor.supervisor_region.clone() } else { None };
    Some(FeedbackReader { department: actor.org_id, region })
}

/// A page of the feedback `actor` may read, newest first: their department's, a supervisor's region's, every
/// item for the administrator.
pub async fn list(app: &App, actor: &Actor, q: &FeedbackQuery, page: PageRequest) -> Result<Page<FeedbackView>> {
    if !may_read(actor) {
        return Err(Error::forbidden("read_feedback"));
    }
    let today = china_date(app.clock.now());
    let filter = FeedbackFilter {
        reader: reader_of(actor, q.own_only),
        answered: q.status.map(|s| s == FeedbackStatus::Answered),
        overdue_on: q.overdue.then_some(today),
        project_id: q.project_id,
        provider_org_id: None,
    };
    let page = app.store.feedback_page(&filter, page).await?;
    Ok(page.map(|(f, contact)| view(actor, f, contact, today)))
}

/// One item, if `actor` may read it (404 otherwise), with the contact as they may see it.
pub async fn visible(app: &App, actor: &Actor, id: i64) -> Result<FeedbackView> {
    let (f, contact) = readable(app, actor, id).await?;
    Ok(view(actor, f, contact, china_date(app.clock.now())))
}

async fn readable(app: &App, actor: &Actor, id: i64) -> Result<(Feedback, Contact)> {
    let not_found = || Error::Domain(DomainError::NotFound { what: "feedback" });
    let (f, contact) = app.store.feedback(id).await?.ok_or_else(not_found)?;
    let admits = match reader_of(actor, false) {
        None => true,
        Some(r) => {
            f.department_org_id == r.department
                || r.region.as_deref().is_some_and(|root| shanzhi_domain::org::region_within(&f.region, root))
        }
    };
    if may_read(actor) && admits {
        Ok((f, contact))
    } else {
        Err(not_found())
    }
}

/// The department answers with the summary it publishes.
pub async fn answer(app: &App, actor: &Actor, id: i64, req: AnswerRequest) -> Result<FeedbackView> {
    let (before, contact) = readable(app, actor, id).await?;
    let mut after = before.clone();
    let now = app.clock.now();
    after.answer(actor, &req.summary, req.upheld, now)?;
    let against = match (req.upheld, before.subject) {
        (false, _) => None,
        (true, Subject::Provider) => before.provider_org_id,
        (true, Subject::Project) => match before.project_id {
            Some(id) => app.store.project(id).await?.and_then(|p| p.award).map(|a| a.provider.org_id),
            None => None,
        },
    };
    app.store.answer_feedback(&By::actor(actor), &before, &after, against, now).await?;
    Ok(view(actor, after, contact, china_date(now)))
}

/// How many published answers a public page shows.
pub const PUBLISHED_SHOWN: u32 = 20;

/// The newest answers published about a project: each department's summary, nothing of the sender's.
pub async fn published_of_project(app: &App, project_id: i64) -> Result<Vec<PublishedAnswer>> {
    published(app, FeedbackFilter { project_id: Some(project_id), ..FeedbackFilter::default() }).await
}

/// The newest answers published about a provider's services, for its public page.
pub async fn published_of_provider(app: &App, org_id: i64) -> Result<Vec<PublishedAnswer>> {
    published(app, FeedbackFilter { provider_org_id: Some(org_id), ..FeedbackFilter::default() }).await
}

async fn published(app: &App, about: FeedbackFilter) -> Result<Vec<PublishedAnswer>> {
    let filter = FeedbackFilter { answered: Some(true), ..about };
    let page = app.store.feedback_page(&filter, PageRequest::first(PUBLISHED_SHOWN)).await?;
    Ok(page.items.iter().filter_map(|(f, _)| f.published()).collect())
}

/// The organisation `org_id` if it is a provider civil affairs has verified: what feedback may be about.
async fn verified_provider(app: &App, org_id: i64) -> Result<Option<Organisation>> {
    let org = app.store.organisation(org_id).await?;
    Ok(org.filter(|o| o.kind.is_provider_kind() && o.verification == Verification::Verified))
}

/// What a public feedback form about a provider needs: the provider's name, if it takes feedback.
pub async fn provider_name(app: &App, org_id: i64) -> Result<String> {
    let org = verified_provider(app, org_id).await?;
    org.map(|o| o.name).ok_or(Error::Domain(DomainError::NotFound { what: "provider" }))
}
