//! What users do in a procurement, shared by the JSON API and the pages: requests parsed into domain input,
//! applied by the domain's procurement, saved by the store with their audit events and public notices; and
//! what each role may see of a procurement.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rand::RngCore;
use serde::Serialize;
use shanzhi_domain::audit::Action;
use shanzhi_domain::calendar::china_date;
use shanzhi_domain::committee::Expert;
use shanzhi_domain::error::Problems;
use shanzhi_domain::notice::{self, Notice};
use shanzhi_domain::org::{Actor, ProviderInfo, Role};
use shanzhi_domain::procurement::{
    BidContent, ChallengeAbout, Consequence, Documents, Duty, Holder, LowPrice, Member, MemberTask, Method, OpenedBid,
    Procurement, Stage, StartContext, StartInput,
};
use shanzhi_domain::project::{Act, AwardMethod, Change, FileRef, Project, Status};
use shanzhi_domain::{DomainError, ErrorCode, Money};
use shanzhi_store::{
    Holding, NoticeFilter, OverdueMark, OwnBid, Page, PageRequest, ProcurementFilter, ProcurementWrite, UnsealedBid,
};

use shanzhi_store::By;

use crate::{App, Error, Result};

mod requests;
pub use requests::*;

fn field(f: &str, code: ErrorCode, zh: &str, en: &str) -> Error {
    Error::Domain(DomainError::field(f, code, zh, en))
}

fn parse_money(p: &mut Problems, f: &str, s: &str) -> Money {
    match Money::parse_yuan(s) {
        Ok(m) => m,
        Err(e) => {
            p.add(f, e.code(), e.message_zh(), e.message_en());
            Money::ZERO
        }
    }
}

fn parse_day(p: &mut Problems, f: &str, s: &str) -> NaiveDate {
    s.trim().parse().unwrap_or_else(|_| {
        p.add(f, ErrorCode::InvalidDate, "日期格式应为 YYYY-MM-DD", "dates are written YYYY-MM-DD");
        NaiveDate::MIN
    })
}

/// A China-time `YYYY-MM-DDTHH:MM` (as a datetime-local field sends it) or an RFC 3339 instant.
pub fn parse_instant(p: &mut Problems, f: &str, s: &str) -> DateTime<Utc> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return t.with_timezone(&Utc);
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return (t - chrono::TimeDelta::hours(8)).and_utc();
        }
    }
    p.add(
        f,
        ErrorCode::InvalidTime,
        "时间格式应为 YYYY-MM-DD HH:MM（北京时间）",
        "times are written YYYY-MM-DD HH:MM (China time)",
    );
    DateTime::<Utc>::MIN_UTC
}

/// Who may see a procurement's working record. Providers get their own view ([`ProviderView`]); the public
/// only the notices.
pub fn can_view(actor: &Actor, p: &Procurement) -> bool {
    p.can_view(actor)
}

fn seed() -> [u8; 32] {
    let mut s = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut s);
    s
}

/// The part of the expert pool a committee draw for `category` can choose from: the active experts who cover
/// it, read by the category's index (the draw itself passes over everyone else).
pub async fn experts_for(app: &App, category: &str) -> Result<Vec<Expert>> {
    Ok(app.store.experts_covering(category).await?)
}

/// The procurement if the actor may act on or see it; providers may see any published one. Others: 404.
pub async fn visible(app: &App, actor: &Actor, id: i64) -> Result<Procurement> {
    match app.store.procurement(id).await? {
        Some(p) if can_view(actor, &p) || (actor.has(Role::Provider) && p.stage != Stage::Draft) => Ok(p),
        _ => Err(Error::Domain(DomainError::NotFound { what: "procurement" })),
    }
}

/// A project's procurements, oldest first.
pub async fn of_project(app: &App, project_id: i64) -> Result<Vec<Procurement>> {
    Ok(app.store.procurements_of_project(project_id).await?)
}

/// A project's published notices, oldest first. Notices are public.
pub async fn notices_of_project(app: &App, project_id: i64) -> Result<Vec<Notice>> {
    Ok(app.store.notices_of_project(project_id).await?)
}

/// One published notice. Notices are public.
pub async fn notice(app: &App, id: i64) -> Result<Notice> {
    app.store.notice(id).await?.ok_or_else(Error::not_found)
}

/// The latest procurement of a project, if any.
pub async fn latest_of(app: &App, project_id: i64) -> Result<Option<Procurement>> {
    Ok(app.store.procurements_of_project(project_id).await?.pop())
}

/// This department's other purchases this year of the same category by other methods than open tender: read
/// from the department's projects of the category created this year, then the procurements of those that were
/// not awarded by open tender already, not from every record.
pub(crate) async fn same_kind_total(app: &App, project: &Project) -> Result<Money> {
    let rule = shanzhi_domain::project::Scope::everything();
    let filter = shanzhi_store::ProjectFilter {
        purchaser: Some(project.purchaser_org_id),
        category: Some(project.design.category.clone()),
        created_in: Some(china_date(project.created_at).year()),
        ..Default::default()
    };
    let projects = every_page(|page| app.store.project_page(&rule, &filter, page)).await?;
    let mut sum = Money::ZERO;
    for other in &projects {
        // The category filter takes the categories under it too.
        let same = other.id != project.id
            && other.design.category == project.design.category
            && !matches!(other.status, Status::Cancelled | Status::Design | Status::CostEstimate)
            && !other.award.as_ref().is_some_and(|a| a.method == AwardMethod::Procured(Method::OpenTender));
        if !same {
            continue;
        }
        let tendering = app
            .store
            .procurements_of_project(other.id)
            .await?
            .iter()
            .any(|p| p.method == Method::OpenTender && p.stage != Stage::Failed);
        if !tendering {
            sum = sum.checked_add(other.total()).unwrap_or(sum);
        }
    }
    Ok(sum)
}

/// Every invited provider is an organisation that may provide purchased services, of a kind the qualification
/// requirements admit, and not the purchaser itself: each one that is not is named, all at once.
async fn check_invited(app: &App, documents: &Documents, purchaser_org_id: i64) -> Result<()> {
    let mut problems = Problems::default();
    for (i, id) in documents.invited.iter().enumerate() {
        let org = app.store.organisation(*id).await?;
        let fine = org
            .as_ref()
            .is_some_and(|o| o.is_eligible_provider() && documents.admits(o.kind) && o.id != purchaser_org_id);
        if !fine {
            let name = org.map_or_else(|| id.to_string(), |o| o.name);
            problems.add(
                format!("documents.invited[{i}]"),
                ErrorCode::ProviderIneligible,
                format!("受邀供应商“{name}”不是可以承接本项目的承接主体"),
                format!("the invited provider “{name}” may not provide this service"),
            );
        }
    }
    Ok(problems.into_result()?)
}

pub async fn start(app: &App, actor: &Actor, project_id: i64, req: StartRequest) -> Result<Procurement> {
    let project = crate::projects::visible_project(app, actor, project_id).await?;
    project.may(actor, Act::StartProcurement)?;
    let method = Method::parse(&req.method)
        .ok_or_else(|| field("method", ErrorCode::UnknownValue, "请选择采购方式", "choose a procurement method"))?;
    if let Some(agency) = req.agency_org_id {
        if app.store.organisation(agency).await?.is_none() {
            return Err(field("agency_org_id", ErrorCode::UnknownOrganisation, "代理机构不存在", "no such agency"));
        }
    }
    if let Some(s) = &req.documents.single_source {
        let admits = |k| req.documents.admits(k);
        crate::approvals::check_single_source(app, "documents.single_source.provider_org_id", s, admits).await?;
    }
    check_invited(app, &req.documents, project.purchaser_org_id).await?;
    let previous = latest_of(app, project_id).await?;
    let approval = crate::approvals::approved_of(app, project_id).await?;
    let same_kind_total = same_kind_total(app, &project).await?;
    let ctx = StartContext {
        project_id,
        project_code: project.code.clone(),
        title: project.design.title.clone(),
        purchaser_org_id: project.purchaser_org_id,
        purchaser_name: project.purchaser_name.clone(),
        category: project.design.category.clone(),
        region: project.design.regions.first().cloned().unwrap_or_default(),
        budget: project.approved_amount().unwrap_or(project.total()),
        same_kind_total,
        previous: previous.as_ref(),
        approval: approval.as_ref(),
        rules: &app.rules,
    };
    let now = app.clock.now();
    let input = StartInput { method, documents: req.documents, agency_org_id: req.agency_org_id };
    let (p, change) = Procurement::start(&ctx, input, actor, now)?;
    record_start(app, actor, p, &change, now).await
}

/// Records a procurement the domain started at `at` (`Procurement::start`): its purchase intention is published
/// with it, and it gets its id.
pub async fn record_start(
    app: &App,
    actor: &Actor,
    p: Procurement,
    change: &Change,
    at: DateTime<Utc>,
) -> Result<Procurement> {
    let (rules, calendar) = (&app.rules, &app.calendar);
    let build = move |p: &Procurement| notice::for_procurement(Action::ProcurementStart, p, rules, calendar, at);
    Ok(app.store.insert_procurement(&By::actor(actor), p, change, &build, at).await?)
}

/// Records a change of a procurement the domain decided at `at`, with its effects, in one transaction: the
/// notices it publishes, its duties as they now stand, the project's own change when it has one (an award, a
/// void), the red flags it raises and the audit events.
pub async fn record(
    app: &App,
    actor: &Actor,
    before: &Procurement,
    after: &Procurement,
    change: &Change,
    project: Option<(&Project, &Project, &Change)>,
    at: DateTime<Utc>,
) -> Result<()> {
    let (rules, calendar) = (&app.rules, &app.calendar);
    let flagging = crate::red_flags::for_procurement(app, after, change, project.map(|(_, a, _)| a)).await?;
    let write = ProcurementWrite {
        before,
        after,
        change,
        project,
        notices: notice::for_procurement(change.action, after, rules, calendar, at),
        duties: after.duties(rules, calendar, china_date(at)),
        flagging,
    };
    Ok(app.store.save_procurement(&By::actor(actor), write, at).await?)
}

/// Seals `bidder`'s bid in the procurement's current round at `at`, if the bid window admits it; returns the
/// receipt.
pub async fn seal_bid(
    app: &App,
    bidder: &Actor,
    p: &Procurement,
    content: &BidContent,
    at: DateTime<Utc>,
) -> Result<String> {
    p.check_bid_window(bidder, &self::bidder(app, bidder).await?, Some(content), at)?;
    Ok(app.store.submit_bid(p.id, round_of(p), bidder.org_id, &bidder.org_name, content, at).await?)
}

/// The current round's bids, unsealed for the opening at `at`: refused with `bids_sealed` before the deadline.
pub async fn unseal(app: &App, p: &Procurement, at: DateTime<Utc>) -> Result<Vec<OpenedBid>> {
    let bids = app.store.unseal_bids(p.id, round_of(p), at).await.map_err(|e| match e {
        shanzhi_store::StoreError::Domain(d) if d.code() == ErrorCode::BidsSealed => Error::Domain(d),
        other => Error::from(other),
    })?;
    Ok(bids.into_iter().map(UnsealedBid::read_out).collect())
}

/// The actor's organisation as bidding needs to see it (kind, class-one flag, active); an unknown one is inactive.
async fn bidder(app: &App, actor: &Actor) -> Result<ProviderInfo> {
    Ok(match app.store.organisation(actor.org_id).await? {
        Some(o) => o.provider_info(),
        None => ProviderInfo {
            org_id: actor.org_id,
            name: actor.org_name.clone(),
            kind: actor.org_kind,
            active: false,
            class_one: false,
            barred_until: None,
        },
    })
}

fn round_of(p: &Procurement) -> i64 {
    if p.stage == Stage::FinalOffers {
        1
    } else {
        0
    }
}

pub async fn submit_bid(app: &App, actor: &Actor, id: i64, req: BidRequest) -> Result<String> {
    let p = visible(app, actor, id).await?;
    let mut problems = Problems::default();
    let price = parse_money(&mut problems, "price", &req.price);
    // Only the bidder's own sealed bid files (uploaded with `upload_bid_file`) may be attached.
    let mut files = Vec::new();
    for (i, fid) in req.file_ids.iter().enumerate() {
        match app.store.bid_file(p.id, *fid, Some(actor.org_id)).await {
            Ok(Some(f)) if f.own => files.push(FileRef { id: f.id, name: f.name }),
            _ => problems.add(format!("file_ids[{i}]"), ErrorCode::UnknownFile, "附件不存在", "no such file"),
        }
    }
    problems.into_result()?;
    let content = BidContent { price, small_or_micro: req.small_or_micro, proposal: req.proposal.trim().into(), files };
    seal_bid(app, actor, &p, &content, app.clock.now()).await
}

/// Uploads a file for the actor's coming bid, sealed like the bid; its id goes into the bid's `file_ids`.
pub async fn upload_bid_file(app: &App, actor: &Actor, id: i64, name: &str, bytes: &[u8]) -> Result<FileRef> {
    let p = visible(app, actor, id).await?;
    let now = app.clock.now();
    p.check_bid_window(actor, &bidder(app, actor).await?, None, now)?;
    let (content_type, _) = shanzhi_store::files::check_upload(name, bytes, app.rules.max_upload_bytes)?;
    let clean: String = name.chars().filter(|c| !c.is_control() && *c != '/' && *c != '\\').take(200).collect();
    let file_id = app.store.add_bid_file(p.id, actor.org_id, &clean, content_type, bytes, now).await?;
    Ok(FileRef { id: file_id, name: clean })
}

/// A bid file for download: its own bidder at any time; after the opening, whoever may read opened bids.
pub async fn bid_file(app: &App, actor: &Actor, id: i64, file_id: i64) -> Result<shanzhi_store::BidFile> {
    let p = visible(app, actor, id).await?;
    let reader = p.may_read_opened(actor);
    let org = actor.has(Role::Provider).then_some(actor.org_id);
    match app.store.bid_file(p.id, file_id, org).await {
        Ok(Some(f)) if f.own || reader => Ok(f),
        Ok(_) | Err(shanzhi_store::StoreError::Domain(_)) => Err(Error::Domain(DomainError::NotFound { what: "file" })),
        Err(e) => Err(e.into()),
    }
}

pub async fn withdraw_bid(app: &App, actor: &Actor, id: i64) -> Result<()> {
    let p = visible(app, actor, id).await?;
    let now = app.clock.now();
    p.check_bid_window(actor, &bidder(app, actor).await?, None, now)?;
    Ok(app.store.withdraw_bid(p.id, round_of(&p), actor.org_id, now).await?)
}

/// The actor's own bids (first and final), for providers only.
pub async fn own_bids(app: &App, actor: &Actor, p: &Procurement) -> Result<Vec<OwnBid>> {
    if !actor.has(Role::Provider) {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for round in [0, 1] {
        if let Some(b) = app.store.own_bid(p.id, round, actor.org_id).await? {
            out.push(b);
        }
    }
    Ok(out)
}

/// Opened bids with their proposals: for the committee members who declared, and the purchaser's runners,
/// after the opening.
pub async fn opened_bids(app: &App, actor: &Actor, p: &Procurement) -> Result<Vec<UnsealedBid>> {
    let reader = p.runs(actor) || p.require_reader(actor).is_ok();
    if !reader {
        return Err(Error::Domain(DomainError::refused(
            ErrorCode::BidsNotReadable,
            "只有已声明无利害关系的评审委员会成员和采购人可以查阅已开标的投标文件",
            "only declared committee members and the purchaser may read opened bids",
        )));
    }
    // Before the opening, and while a negotiation's first round is the panel's alone.
    if !p.may_read_opened(actor) {
        return Err(Error::Domain(DomainError::refused(
            ErrorCode::BidsSealed,
            "投标文件在开标前保持密封",
            "bids stay sealed until the opening",
        )));
    }
    let mut bids = app.store.opened_bids(p.id, 0).await?;
    if p.final_opening.is_some() {
        bids.extend(app.store.opened_bids(p.id, 1).await?);
    }
    Ok(bids)
}

async fn representatives(app: &App, p: &Procurement, ids: &[i64]) -> Result<Vec<Member>> {
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        match app.store.user(*id).await?.filter(|u| u.org_id == p.purchaser_org_id) {
            Some(u) => out.push(Member { user_id: u.id, name: u.display_name.clone(), expert: false }),
            None => {
                return Err(field(
                    &format!("representatives[{i}]"),
                    ErrorCode::NotPurchaserStaff,
                    "采购人代表须为采购单位的工作人员",
                    "a representative must work for the purchaser",
                ))
            }
        }
    }
    Ok(out)
}

/// Applies a command to procurement `id` and saves it, with the project and notices it reaches.
pub async fn perform(app: &App, actor: &Actor, id: i64, cmd: ProcCommand) -> Result<Procurement> {
    let before = visible(app, actor, id).await?;
    let mut p = before.clone();
    let now = app.clock.now();
    let (rules, calendar) = (&app.rules, &app.calendar);
    let mut problems = Problems::default();
    let change: Change = match cmd {
        ProcCommand::Publish(PublishRequest { bid_deadline }) => {
            let t = parse_instant(&mut problems, "bid_deadline", &bid_deadline);
            problems.into_result()?;
            p.publish(actor, t, calendar, rules, now)?
        }
        ProcCommand::Interest => p.register_interest(actor, &bidder(app, actor).await?, now)?,
        ProcCommand::Ask(TextRequest { text }) => p.ask(actor, &bidder(app, actor).await?, &text, now)?,
        ProcCommand::Clarify(ClarificationRequest { text, answers, affects_bids }) => {
            p.clarify(actor, &text, answers, affects_bids, calendar, rules, now)?
        }
        ProcCommand::Open(OpeningRequest { attendees }) => {
            p.require_runner(actor, "open")?;
            let opened = unseal(app, &p, now).await?;
            p.open(actor, &attendees, opened, rules, now)?
        }
        ProcCommand::DrawCommittee(CommitteeRequest { representatives: reps }) => {
            let reps = representatives(app, &p, &reps).await?;
            let pool = experts_for(app, &p.category).await?;
            p.draw_committee(actor, &pool, reps, seed(), rules, now)?
        }
        ProcCommand::ReplaceRecused => {
            let pool = experts_for(app, &p.category).await?;
            p.replace_recused(actor, &pool, seed(), rules, now)?
        }
        ProcCommand::Declare(DeclarationRequest { no_conflict }) => p.declare(actor, no_conflict, now)?,
        ProcCommand::Round(RoundRequest { notes }) => p.record_round(actor, &notes, now)?,
        ProcCommand::CallFinalOffers(FinalOffersRequest { deadline }) => {
            let t = parse_instant(&mut problems, "deadline", &deadline);
            problems.into_result()?;
            p.call_final_offers(actor, t, now)?
        }
        ProcCommand::Compliance(ComplianceRequest { bid_id, qualified, reason }) => {
            p.review_compliance(actor, bid_id, qualified, &reason, now)?
        }
        ProcCommand::FlagLowPrice(LowPriceRequest { bid_id, reason, due }) => {
            let due = parse_instant(&mut problems, "due", &due);
            problems.into_result()?;
            p.flag_low_price(actor, bid_id, &reason, due, now)?
        }
        ProcCommand::ExplainLowPrice(TextRequest { text }) => p.explain_low_price(actor, &text, now)?,
        ProcCommand::DecideLowPrice { bid_id, finding: LowPriceFindingRequest { justified, reason } } => {
            p.decide_low_price(actor, bid_id, justified, &reason, now)?
        }
        ProcCommand::Marks(MarksRequest { marks }) => {
            p.mark(actor, marks.into_iter().map(|m| (m.bid_id, m.criterion, m.score)).collect(), now)?
        }
        ProcCommand::Report => p.finish_evaluation(actor, rules, now)?,
        ProcCommand::Award(WinnerRequest { bid_id, tie_reason }) => {
            p.confirm_winner(actor, bid_id, &tie_reason, rules, now)?
        }
        ProcCommand::Negotiation(NegotiationRequest { price, minutes }) => {
            let price = parse_money(&mut problems, "price", &price);
            problems.into_result()?;
            let approval = crate::approvals::approved_of(app, p.project_id).await?;
            p.record_negotiation(actor, price, &minutes, approval.as_ref(), calendar, rules, now)?
        }
        ProcCommand::Abandon(crate::projects::ReasonRequest { reason }) => p.abandon(actor, &reason, now)?,
        ProcCommand::RequestSwitch(SwitchMethodRequest { to, reason }) => {
            let to = Method::parse(&to)
                .ok_or_else(|| field("to", ErrorCode::UnknownValue, "请选择采购方式", "choose a method"))?;
            p.request_switch(actor, to, &reason, now)?
        }
        ProcCommand::DecideSwitch(crate::approvals::DecisionRequest { approve, document_no, comment }) => {
            let authority = crate::approvals::authority_of(app, actor).await?;
            p.decide_switch(actor, &authority, approve, &document_no, &comment, rules, now)?
        }
        ProcCommand::Challenge(ChallengeRequest { about, text }) => {
            let about = ChallengeAbout::parse(&about).ok_or_else(|| {
                field("about", ErrorCode::UnknownValue, "请选择质疑事项", "choose what is challenged")
            })?;
            p.challenge(actor, &actor.org_name, about, &text, calendar, rules, now)?
        }
        ProcCommand::Reply { challenge, reply: ChallengeReplyRequest { text, upheld } } => {
            p.reply(actor, challenge, &text, upheld, now)?
        }
        ProcCommand::Complain { challenge, complaint: TextRequest { text } } => {
            p.complain(actor, challenge, &text, calendar, rules, now)?
        }
        ProcCommand::Pause { challenge, pause: PauseRequest { from, to } } => {
            let from = parse_day(&mut problems, "from", &from);
            let to = parse_day(&mut problems, "to", &to);
            problems.into_result()?;
            p.pause_complaint(actor, challenge, from, to, now)?
        }
        ProcCommand::Suspend { challenge, suspension: SuspensionRequest { until } } => {
            let until = parse_day(&mut problems, "until", &until);
            problems.into_result()?;
            p.suspend(actor, challenge, until, rules, now)?
        }
        ProcCommand::Decide { challenge, decision: ComplaintDecisionRequest { upheld, consequence, reasons } } => {
            let consequence = match consequence.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                None => None,
                Some(c) => Some(Consequence::parse(c).ok_or_else(|| {
                    field("consequence", ErrorCode::UnknownValue, "请选择处理结果", "choose the consequence")
                })?),
            };
            p.decide_complaint(actor, challenge, upheld, consequence, &reasons, now)?
        }
        ProcCommand::CallOff(CallOffRequest { org_id, amount, note }) => {
            let amount = parse_money(&mut problems, "amount", &amount);
            problems.into_result()?;
            p.call_off(actor, org_id, amount, &note, now)?
        }
    };
    // What reaches the project: the winner becomes its award; an upheld complaint voids or ends it.
    let mut project_change = None;
    if change.action == Action::ProcurementAward {
        let project = app.store.project(p.project_id).await?.ok_or(Error::not_found())?;
        let winner = p.award.as_ref().map(|a| a.winner.org_id).unwrap_or_default();
        let org = app.store.organisation(winner).await?.ok_or(Error::not_found())?;
        let mut after = project.clone();
        let c = after.award_from_procurement(&p, org.provider_info(), now)?;
        project_change = Some((project, after, c));
    }
    if change.action == Action::ProcurementDecideComplaint {
        let voids = p.challenges.iter().any(|c| {
            c.complaint.as_ref().and_then(|k| k.decision.as_ref()).is_some_and(|d| {
                d.on == china_date(now)
                    && matches!(d.consequence, Some(Consequence::AwardVoid | Consequence::ContractEnded))
            })
        });
        let project = app.store.project(p.project_id).await?.ok_or(Error::not_found())?;
        if voids && matches!(project.status, Status::Contract | Status::Acceptance) {
            let mut after = project.clone();
            let c = after.apply_complaint(actor, "投诉成立，中标（成交）结果无效", now)?;
            project_change = Some((project, after, c));
        }
    }
    record(app, actor, &before, &p, &change, project_change.as_ref().map(|(b, a, c)| (b, a, c)), now).await?;
    Ok(p)
}

/// What a provider sees of a procurement: the published parts, its own standing, never another bidder's bid.
#[derive(Debug, Serialize)]
pub struct ProviderView {
    pub id: i64,
    pub project_code: String,
    pub title: String,
    pub method: Method,
    pub stage: Stage,
    pub purchaser_name: String,
    pub budget: Money,
    pub documents: shanzhi_domain::procurement::Documents,
    pub published_on: Option<NaiveDate>,
    pub bid_deadline: Option<DateTime<Utc>>,
    pub final_deadline: Option<DateTime<Utc>>,
    pub clarifications: Vec<shanzhi_domain::procurement::Clarification>,
    pub registered_interest: bool,
    pub my_questions: Vec<shanzhi_domain::procurement::Question>,
    pub my_bids: Vec<OwnBid>,
    /// The read-out at the opening, once it happened: of a negotiation's first round, only the provider's own.
    pub opening: Option<Vec<(String, Money)>>,
    /// The read-out of the final offers, for the suppliers who made one.
    pub final_opening: Option<Vec<(String, Money)>>,
    pub winner: Option<(String, Money, Option<String>)>,
    pub my_score: Option<String>,
    pub my_rank: Option<u32>,
    pub my_challenges: Vec<shanzhi_domain::procurement::Challenge>,
    /// The committee's request to justify this bidder's price, its explanation and the finding.
    pub my_low_price: Option<LowPrice>,
    pub failure: Option<shanzhi_domain::procurement::Failure>,
}

pub async fn provider_view(app: &App, actor: &Actor, p: &Procurement) -> Result<ProviderView> {
    let outcome = if p.award.is_some() { p.outcome(&app.rules).ok() } else { None };
    let mine = p.evaluated_bids().into_iter().find(|b| b.org_id == actor.org_id).map(|b| b.bid_id);
    let result = outcome.as_ref().and_then(|o| o.bid(mine?));
    let took_part = p.bidders().contains(&actor.org_id);
    Ok(ProviderView {
        id: p.id,
        project_code: p.project_code.clone(),
        title: p.title.clone(),
        method: p.method,
        stage: p.stage,
        purchaser_name: p.purchaser_name.clone(),
        budget: p.budget,
        documents: shanzhi_domain::procurement::Documents { invited: vec![], ..p.documents.clone() },
        published_on: p.published_on,
        bid_deadline: p.bid_deadline,
        final_deadline: if took_part { p.final_deadline } else { None },
        clarifications: p.clarifications.clone(),
        registered_interest: p.interests.contains(&actor.org_id),
        my_questions: p.questions.iter().filter(|q| q.org_id == actor.org_id).cloned().collect(),
        my_bids: own_bids(app, actor, p).await?,
        opening: p.opening.as_ref().filter(|_| took_part).map(|o| read_out(actor, p, o, false)),
        final_opening: p
            .final_opening
            .as_ref()
            .filter(|o| o.bids.iter().any(|b| b.org_id == actor.org_id))
            .map(|o| read_out(actor, p, o, true)),
        winner: p
            .award
            .as_ref()
            .filter(|a| !a.void)
            .map(|a| (a.winner.name.clone(), a.winner.price, a.winner.score.clone())),
        my_score: result.and_then(|r| r.total.map(|t| t.display())),
        my_rank: result.and_then(|r| r.rank),
        my_challenges: p.challenges.iter().filter(|c| c.org_id == actor.org_id).cloned().collect(),
        my_low_price: p.low_prices.iter().find(|l| l.org_id == actor.org_id).cloned(),
        failure: p.failure.clone(),
    })
}

/// The rows of an opening's read-out that `actor` may hear.
fn read_out(
    actor: &Actor,
    p: &Procurement,
    o: &shanzhi_domain::procurement::Opening,
    final_round: bool,
) -> Vec<(String, Money)> {
    o.bids.iter().filter(|b| p.may_see_price(actor, final_round, b.org_id)).map(|b| (b.name.clone(), b.price)).collect()
}

/// One page of published notices that match `filter`, newest first. Notices are public: no reader is needed.
pub async fn notice_page(app: &App, filter: &NoticeFilter, page: PageRequest) -> Result<Page<Notice>> {
    let page = app.store.notice_page(filter, page).await?;
    crate::reference::check_region_filter(app, filter.region.as_deref(), !page.items.is_empty()).await?;
    Ok(page)
}

/// One page of the procurements `actor` may see (providers: every one past its draft) that match `filter`,
/// newest first.
pub async fn procurement_page(
    app: &App,
    actor: &Actor,
    filter: &ProcurementFilter,
    page: PageRequest,
) -> Result<Page<Procurement>> {
    let scope = shanzhi_domain::procurement::Scope::of(actor);
    let page = app.store.procurement_page(&scope, actor.has(Role::Provider), filter, page).await?;
    crate::reference::check_region_filter(app, filter.region.as_deref(), !page.items.is_empty()).await?;
    Ok(page)
}

/// A duty with where it is.
#[derive(Debug, Serialize)]
pub struct DutyView {
    pub procurement_id: i64,
    pub project_code: String,
    pub title: String,
    pub purchaser_name: String,
    #[serde(flatten)]
    pub duty: Duty,
    pub label: &'static str,
    /// When the deadline sweep marked it overdue (RFC 3339), while it is.
    pub overdue_since: Option<String>,
}

/// A procurement's duties as everyone is shown them: overdue when — and only when — the deadline sweep has
/// marked them so (see `jobs`), so that every page and list agrees with the supervisors' overdue list. Each
/// comes with when it was marked.
fn marked(p: &Procurement, app: &App, marks: &[OverdueMark]) -> Vec<(Duty, Option<String>)> {
    let today = china_date(app.clock.now());
    p.duties(&app.rules, &app.calendar, today)
        .into_iter()
        .map(|mut d| {
            let mark = marks.iter().find(|m| m.procurement_id == p.id && m.is_for(&d));
            d.overdue = mark.is_some();
            (d, mark.map(|m| m.marked_at.clone()))
        })
        .collect()
}

/// One procurement's duties, overdue as the sweep marked them.
pub async fn duties_of(app: &App, p: &Procurement) -> Result<Vec<Duty>> {
    let marks = app.store.open_overdue_marks(&[p.id]).await?;
    Ok(marked(p, app, &marks).into_iter().map(|(d, _)| d).collect())
}

fn holds(actor: &Actor, p: &Procurement, d: &Duty) -> bool {
    match d.holder {
        Holder::Purchaser => p.runs(actor),
        Holder::Finance => actor.is_finance_reviewer(),
        Holder::Committee => p.committee.as_ref().is_some_and(|c| c.member(actor.user_id).is_some()),
        Holder::Bidder => false,
    }
}

/// Every page of a query whose answers are few by their filter (a work queue's candidates, one department's
/// projects of one category).
async fn every_page<T, F, Fut>(mut page: F) -> Result<Vec<T>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = shanzhi_store::Result<Page<T>>>,
{
    let mut out = Vec::new();
    let mut request = PageRequest::first(shanzhi_store::listing::MAX_LIMIT);
    loop {
        let p = page(request).await?;
        out.extend(p.items);
        match p.next {
            Some(before) => request.before = Some(before),
            None => return Ok(out),
        }
    }
}

/// The actor's own outstanding committee work (declarations, compliance, marks, reports), by procurement.
pub async fn committee_work(app: &App, actor: &Actor) -> Result<Vec<(Procurement, Vec<MemberTask>)>> {
    if !actor.has(Role::Expert) && !actor.has(Role::Purchaser) {
        return Ok(vec![]);
    }
    let mine = every_page(|page| app.store.member_procurements(actor.user_id, page)).await?;
    Ok(mine
        .into_iter()
        .filter_map(|p| {
            let tasks = p.member_tasks(actor.user_id);
            (!tasks.is_empty()).then_some((p, tasks))
        })
        .collect())
}

fn duty_views(p: &Procurement, duties: Vec<(Duty, Option<String>)>) -> impl Iterator<Item = DutyView> + '_ {
    duties.into_iter().map(|(d, overdue_since)| DutyView {
        procurement_id: p.id,
        project_code: p.project_code.clone(),
        title: p.title.clone(),
        purchaser_name: p.purchaser_name.clone(),
        label: d.label_zh(),
        duty: d,
        overdue_since,
    })
}

/// `mine`: the duties the actor holds, of the procurements waiting on the actor. Otherwise the overdue duties
/// the actor may oversee: of the procurements with an open mark of the deadline sweep, in the actor's view.
pub async fn duties(app: &App, actor: &Actor, mine: bool) -> Result<Vec<DutyView>> {
    let procurements = if mine {
        let holding = Holding {
            purchaser_org_id: actor.has(Role::Purchaser).then_some(actor.org_id),
            agency_org_id: actor.has(Role::Agency).then_some(actor.org_id),
            finance: actor.is_finance_reviewer(),
            member_user_id: actor.user_id,
        };
        every_page(|page| app.store.awaiting_procurements(&holding, page)).await?
    } else {
        let scope = shanzhi_domain::procurement::Scope::of(actor);
        let filter = ProcurementFilter { overdue: true, ..ProcurementFilter::default() };
        every_page(|page| app.store.procurement_page(&scope, false, &filter, page)).await?
    };
    let ids: Vec<i64> = procurements.iter().map(|p| p.id).collect();
    let marks = app.store.open_overdue_marks(&ids).await?;
    let mut out = Vec::new();
    for p in &procurements {
        let duties = marked(p, app, &marks).into_iter();
        let shown: Vec<_> = if mine {
            duties.filter(|(d, _)| holds(actor, p, d)).collect()
        } else {
            duties.filter(|(d, _)| d.overdue).collect()
        };
        out.extend(duty_views(p, shown));
    }
    out.sort_by_key(|d| d.duty.due);
    Ok(out)
}
