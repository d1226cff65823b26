//! Service users' satisfaction survey: the project's purchaser or provider issues a batch of one-time codes (shown
//! once, to print as QR codes), anyone holding a code answers once per survey period without an account, and the
//! answers are counted for the project page, the evaluation and — once there are enough — the public.

use rand::Rng;
use serde::{Deserialize, Serialize};
use shanzhi_domain::clock::china_date;
use shanzhi_domain::org::{Actor, Role};
use shanzhi_domain::project::Project;
use shanzhi_domain::survey::{self, Answer, Satisfaction, Tally, CODE_ALPHABET, CODE_LENGTH};
use shanzhi_domain::{DomainError, ErrorCode};
use shanzhi_store::{Answered, By};
use utoipa::ToSchema;

use crate::projects::visible_project;
use crate::{App, Error, Result};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct IssueRequest {
    /// How many codes to issue (1 to `survey_batch_max`).
    pub count: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SurveyAnswerRequest {
    #[schema(value_type = Satisfaction)]
    pub satisfaction: String,
    pub on_time: bool,
    pub recommend: bool,
}

/// A batch just issued: the codes themselves, which are never shown again.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub project_id: i64,
    pub batch: i64,
    pub codes: Vec<String>,
}

/// What a code's holder sees before answering: the project as the public may, and the survey's period.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyView {
    pub project_id: i64,
    pub project_code: String,
    pub title: String,
    pub purchaser: String,
    pub provider: String,
    /// The milestone whose service period this answer counts in.
    pub period: usize,
    pub period_name: String,
    /// This code has answered in this period already.
    pub answered: bool,
}

/// Whether `actor` may issue codes for `p`: its purchaser or its provider, while the service runs.
pub fn may_issue(actor: &Actor, p: &Project, today: chrono::NaiveDate) -> Result<()> {
    let provider = p.contract.as_ref().map(|c| c.provider.org_id);
    let party = (actor.has(Role::Purchaser) && actor.org_id == p.purchaser_org_id)
        || (actor.has(Role::Provider) && provider == Some(actor.org_id));
    if !party {
        return Err(Error::Domain(DomainError::NotPermitted { action: "issue_survey_codes" }));
    }
    if survey::period(p, today).is_none() {
        return Err(closed());
    }
    Ok(())
}

fn closed() -> Error {
    Error::Domain(DomainError::refused(
        ErrorCode::SurveyClosed,
        "该项目的服务不在进行中，满意度测评未开放",
        "the project's service is not running: its survey is closed",
    ))
}

fn new_code() -> String {
    let mut rng = rand::thread_rng();
    (0..CODE_LENGTH).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect()
}

/// Issues `req.count` one-time codes for project `id`.
pub async fn issue(app: &App, actor: &Actor, id: i64, req: IssueRequest) -> Result<Issued> {
    let p = visible_project(app, actor, id).await?;
    may_issue(actor, &p, china_date(app.clock.now()))?;
    let max = app.rules.survey_batch_max;
    if req.count == 0 || req.count > max {
        return Err(Error::Domain(DomainError::field(
            "count",
            ErrorCode::OutOfRange,
            &format!("每批可生成 1 至 {max} 个测评码"),
            &format!("a batch holds 1 to {max} codes"),
        )));
    }
    let codes: Vec<String> = (0..req.count).map(|_| new_code()).collect();
    let batch = app.store.issue_codes(&By::actor(actor), id, &codes, app.clock.now()).await?;
    Ok(Issued { project_id: id, batch, codes })
}

/// The project a typed code opens, and the survey's period today; an unknown code, or one whose survey is
/// closed, is the same 404 so codes cannot be probed.
async fn open(app: &App, typed: &str) -> Result<(String, Project, usize)> {
    let code = survey::normalize_code(typed)?;
    let missing = || Error::Domain(DomainError::NotFound { what: "survey" });
    let id = app.store.code_project(&code).await?.ok_or_else(missing)?;
    let p = app.store.project(id).await?.ok_or_else(missing)?;
    let period = survey::period(&p, china_date(app.clock.now())).ok_or_else(closed)?;
    Ok((code, p, period))
}

pub async fn view(app: &App, typed: &str) -> Result<SurveyView> {
    let (code, p, period) = open(app, typed).await?;
    let answered = app.store.has_answered(&code, period).await?;
    let contract = p.contract.as_ref();
    Ok(SurveyView {
        project_id: p.id,
        project_code: p.code.clone(),
        title: p.design.title.clone(),
        purchaser: p.purchaser_name.clone(),
        provider: contract.map(|c| c.provider.name.clone()).unwrap_or_default(),
        period,
        period_name: contract.and_then(|c| c.milestones.get(period)).map(|m| m.name.clone()).unwrap_or_default(),
        answered,
    })
}

/// Records the answer of the code's holder in the current period: once (409 `already_answered`).
pub async fn answer(app: &App, typed: &str, req: SurveyAnswerRequest) -> Result<SurveyView> {
    let (code, p, period) = open(app, typed).await?;
    let satisfaction = Satisfaction::parse(req.satisfaction.trim()).ok_or_else(|| {
        Error::Domain(DomainError::field(
            "satisfaction",
            ErrorCode::UnknownValue,
            "请选择满意程度",
            "choose how satisfied you are",
        ))
    })?;
    let a = Answer { satisfaction, on_time: req.on_time, recommend: req.recommend };
    match app.store.answer(p.id, &code, period, &a, app.clock.now()).await? {
        Answered::Saved => view(app, &code).await,
        Answered::Already => Err(Error::Domain(DomainError::refused(
            ErrorCode::AlreadyAnswered,
            "这张测评码在本期已经答过了，感谢您的参与",
            "this code has already answered in this period: thank you",
        ))),
    }
}

/// Project `id`'s answers counted, for those who may see the project.
pub async fn tally(app: &App, actor: &Actor, id: i64) -> Result<Tally> {
    visible_project(app, actor, id).await?;
    Ok(app.store.tally(id).await?)
}

/// A project's answers counted and the codes issued for it, for a page that has read the project as visible.
pub async fn counts(app: &App, p: &Project) -> Result<(Tally, i64)> {
    Ok((app.store.tally(p.id).await?, app.store.codes_issued(p.id).await?))
}

/// Project `id`'s answers as the public may read them: only once there are `survey_min_published` answers.
pub async fn public_tally(app: &App, id: i64) -> Result<Option<Tally>> {
    let t = app.store.tally(id).await?;
    Ok(t.publishable(app.rules.survey_min_published).then_some(t))
}

/// The link a code's QR code holds: the survey page at the public address.
pub fn link(public_base: &str, code: &str) -> String {
    format!("{}/surveys/{code}", public_base.trim_end_matches('/'))
}
