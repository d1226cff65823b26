//! Public notices (采购公告): what the public may read without signing in. Each notice is built here from the
//! procurement or project it announces, so nothing confidential (sealed bids, who asked a question, personal
//! data) can reach a public page by accident: only the fields named below are published.

use crate::audit::Action;
use crate::calendar::{china_date, Calendar};
use crate::deadlines::Period;
use crate::money::Money;
use crate::org::string_enum;
use crate::procurement::{period_end, Procurement, Stage};
use crate::project::{MilestoneStatus, Project, Status};
use crate::rules::Rules;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

string_enum!(
    NoticeKind {
        Intention = "intention" / "采购意向公开" / "Purchase intention",
        Announcement = "announcement" / "采购公告" / "Procurement announcement",
        SingleSource = "single_source" / "单一来源采购公示" / "Single-source notice",
        Correction = "correction" / "更正（澄清）公告" / "Correction and clarification",
        Result = "result" / "中标（成交）结果公告" / "Result",
        Failure = "failure" / "终止（废标）公告" / "Failure or termination",
        Contract = "contract" / "合同公告" / "Contract",
        Acceptance = "acceptance" / "验收结果公告" / "Acceptance result",
        Evaluation = "evaluation" / "绩效评价结果公告" / "Performance evaluation result",
        ComplaintDecision = "complaint_decision" / "投诉处理结果公告" / "Complaint decision",
    }
);

/// A notice to publish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewNotice {
    pub kind: NoticeKind,
    pub project_id: i64,
    pub procurement_id: Option<i64>,
    pub title: String,
    pub body: NoticeBody,
    pub published_on: NaiveDate,
    /// The end of the notice's own period (announcement, result, single-source notice), if it has one.
    pub ends_on: Option<NaiveDate>,
}

impl NewNotice {
    /// The title in English: the notice's kind and the project's title. The stored title is the Chinese one, in
    /// the standard format ([`title`]); a name a person gave stays as they gave it.
    pub fn title_en(&self) -> String {
        self.title_en_with(&self.body.heading())
    }

    /// [`NewNotice::title_en`] from a heading already read.
    pub fn title_en_with(&self, heading: &Heading) -> String {
        let project = heading.title.as_deref().filter(|t| !t.is_empty()).unwrap_or(&self.title);
        format!("{}: {project}", self.kind.label_en())
    }
}

/// A notice's body: the JSON object its step wrote, kept as the text it is stored as. A list of notices passes it
/// on as it is; only what shows its fields reads them. Parsing every body into a value and writing it out again was
/// a fifth of a notices list's time.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct NoticeBody(Box<serde_json::value::RawValue>);

/// What a list of notices shows of each body beside the notice's own columns.
#[derive(Debug, Default, Deserialize)]
pub struct Heading {
    pub title: Option<String>,
    pub purchaser: Option<String>,
}

impl NoticeBody {
    pub fn new(body: Value) -> NoticeBody {
        NoticeBody(serde_json::value::to_raw_value(&body).expect("a JSON value always writes"))
    }

    /// A stored body, checked to be JSON (without building its value).
    pub fn from_text(text: String) -> Result<NoticeBody, serde_json::Error> {
        serde_json::value::RawValue::from_string(text).map(NoticeBody)
    }

    /// The text to store.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// The body's fields, for a page that shows them.
    pub fn value(&self) -> Value {
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }

    /// The project's title and the purchaser, read without the other fields.
    pub fn heading(&self) -> Heading {
        serde_json::from_str(self.0.get()).unwrap_or_default()
    }
}

impl PartialEq for NoticeBody {
    fn eq(&self, other: &NoticeBody) -> bool {
        self.value() == other.value()
    }
}

/// Read as a value (a raw body cannot be read from inside a flattened notice).
impl<'de> Deserialize<'de> for NoticeBody {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<NoticeBody, D::Error> {
        Value::deserialize(d).map(NoticeBody::new)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    #[serde(flatten)]
    pub notice: NewNotice,
    pub published_at: DateTime<Utc>,
}

fn base(p: &Procurement) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("project_code".into(), json!(p.project_code));
    m.insert("title".into(), json!(p.title));
    m.insert("purchaser".into(), json!(p.purchaser_name));
    m.insert("method".into(), json!(p.method.code()));
    m.insert("category".into(), json!(p.category));
    m.insert("region".into(), json!(p.region));
    m.insert("budget".into(), json!(p.budget));
    // Another method at or above the open-tender threshold names its approval (政府采购法 §27).
    if let Some(a) = &p.approval {
        m.insert("approval".into(), json!({"authority": a.authority, "document_no": a.document_no}));
    }
    m
}

/// A notice's title in the standard format, `<采购人>关于<项目名称>的<公告类型>`: `words` name the notice's kind
/// (a procurement announcement names its method: 竞争性磋商公告).
pub fn title(purchaser: &str, project: &str, words: &str) -> String {
    format!("{purchaser}关于{project}的{words}")
}

/// A procurement's notice of `kind`, titled with `words`.
fn notice(
    kind: NoticeKind,
    p: &Procurement,
    words: &str,
    body: serde_json::Map<String, Value>,
    on: NaiveDate,
    ends_on: Option<NaiveDate>,
) -> NewNotice {
    NewNotice {
        kind,
        project_id: p.project_id,
        procurement_id: Some(p.id),
        title: title(&p.purchaser_name, &p.title, words),
        body: NoticeBody::new(Value::Object(body)),
        published_on: on,
        ends_on,
    }
}

/// The notices a procurement change publishes, by the change's audit action.
pub fn for_procurement(
    action: Action,
    p: &Procurement,
    rules: &Rules,
    calendar: &Calendar,
    now: DateTime<Utc>,
) -> Vec<NewNotice> {
    let today = china_date(now);
    let mut b = base(p);
    match action {
        Action::ProcurementStart => {
            let start = period_end(rules, Period::PurchaseIntention, today, calendar).ok().map(|d| d.date);
            b.insert("earliest_start".into(), json!(start));
            vec![notice(NoticeKind::Intention, p, "采购意向", b, today, start)]
        }
        Action::ProcurementPublish => {
            b.insert("requirements".into(), json!(p.documents.requirements));
            b.insert("qualifications".into(), json!(p.documents.qualifications));
            b.insert("scoring".into(), json!(p.documents.scoring));
            b.insert("sme_deduction_bp".into(), json!(p.documents.sme_deduction_bp));
            b.insert("bid_deadline".into(), json!(p.bid_deadline));
            if p.stage == Stage::Notice {
                let s = p.documents.single_source.as_ref();
                b.insert("provider".into(), json!(s.map(|s| s.provider_name.clone())));
                b.insert("case".into(), json!(s.map(|s| s.case.code())));
                b.insert("justification".into(), json!(s.map(|s| s.justification.clone())));
                let ends = p.bid_deadline.map(china_date);
                vec![notice(NoticeKind::SingleSource, p, "单一来源采购公示", b, today, ends)]
            } else {
                let ends = period_end(rules, Period::TenderAnnouncement, today, calendar).ok().map(|d| d.date);
                let docs = period_end(rules, Period::TenderDocumentsAvailable, today, calendar).ok().map(|d| d.date);
                b.insert("documents_until".into(), json!(docs));
                vec![notice(NoticeKind::Announcement, p, p.method.notice_zh(), b, today, ends)]
            }
        }
        Action::ProcurementClarify => {
            let Some(c) = p.clarifications.last() else { return vec![] };
            b.insert("text".into(), json!(c.text));
            b.insert("affects_bids".into(), json!(c.affects_bids));
            b.insert("bid_deadline".into(), json!(p.bid_deadline));
            b.insert("moved_deadline".into(), json!(c.moved_deadline));
            vec![notice(NoticeKind::Correction, p, "更正（澄清）公告", b, today, None)]
        }
        Action::ProcurementAward => {
            let Some(a) = &p.award else { return vec![] };
            b.insert("winner".into(), json!(a.winner.name));
            b.insert("winner_org_id".into(), json!(a.winner.org_id));
            b.insert("price".into(), json!(a.winner.price));
            // Who bid, without their prices: the opening that decided (the final offers', where there were
            // rounds) is over, so the bidders are no secret; a loser's price stays the committee's.
            let opening = p.final_opening.as_ref().or(p.opening.as_ref());
            let mut bidders: Vec<(i64, &str)> =
                opening.map(|o| o.bids.iter().map(|b| (b.org_id, b.name.as_str())).collect()).unwrap_or_default();
            // In a fixed order: the opening's follows the sealed bids' storage.
            bidders.sort_unstable();
            let tenderers: Vec<Value> = bidders.iter().map(|(id, name)| json!({"org_id": id, "name": name})).collect();
            b.insert("tenderers".into(), json!(tenderers));
            b.insert("score".into(), json!(a.winner.score));
            b.insert(
                "members".into(),
                json!(a
                    .members
                    .iter()
                    .map(|m| json!({"name": m.name, "price": m.price, "score": m.score}))
                    .collect::<Vec<_>>()),
            );
            let committee: Vec<&str> =
                p.committee.as_ref().map(|c| c.sitting().map(|m| m.name.as_str()).collect()).unwrap_or_default();
            b.insert("committee".into(), json!(committee));
            let ends = period_end(rules, Period::ResultAnnouncement, today, calendar).ok().map(|d| d.date);
            vec![notice(NoticeKind::Result, p, "中标（成交）结果公告", b, today, ends)]
        }
        Action::ProcurementOpen
        | Action::ProcurementOpenFinal
        | Action::ProcurementReport
        | Action::ProcurementAbandon
        | Action::ProcurementDecideComplaint
            if p.stage == Stage::Failed && p.failure.as_ref().is_some_and(|f| f.at == now) =>
        {
            let f = p.failure.as_ref().expect("checked");
            b.insert("reason".into(), json!(f.reason));
            b.insert("code".into(), json!(f.code));
            let mut out = vec![notice(NoticeKind::Failure, p, "终止公告", b, today, None)];
            out.extend(complaint_notice(action, p, today));
            out
        }
        Action::ProcurementDecideComplaint => complaint_notice(action, p, today),
        _ => vec![],
    }
}

fn complaint_notice(action: Action, p: &Procurement, today: NaiveDate) -> Vec<NewNotice> {
    if action != Action::ProcurementDecideComplaint {
        return vec![];
    }
    let Some((c, d)) = p
        .challenges
        .iter()
        .filter_map(|c| Some((c, c.complaint.as_ref()?.decision.as_ref()?)))
        .max_by_key(|(_, d)| d.on)
    else {
        return vec![];
    };
    let mut b = base(p);
    b.insert("complainant".into(), json!(c.org_name));
    b.insert("about".into(), json!(c.about.code()));
    b.insert("upheld".into(), json!(d.upheld));
    b.insert("consequence".into(), json!(d.consequence.map(|c| c.code())));
    b.insert("reasons".into(), json!(d.reasons));
    vec![notice(NoticeKind::ComplaintDecision, p, "投诉处理结果公告", b, today, None)]
}

/// The notices a project's change publishes: the contract as it is signed (≤ 2 working days, 政府采购法实施条例
/// §50), and the acceptance's result when the last milestone is accepted (§45: a public service's acceptance
/// result is announced to the public).
pub fn for_project(action: Action, p: &Project, now: DateTime<Utc>) -> Vec<NewNotice> {
    match action {
        Action::ProjectContractSign => for_contract(p, now).into_iter().collect(),
        Action::ProjectMilestoneAccept if p.status == Status::Completed => for_acceptance(p, now).into_iter().collect(),
        Action::ProjectEvaluationSubmit => for_evaluation(p, now).into_iter().collect(),
        _ => vec![],
    }
}

/// The acceptance result: each milestone as accepted, and what was paid. Neither the service reports nor the
/// reasons given for a rejection are published: reports may name service users, and the reasons are the
/// purchaser's internal comments.
fn for_acceptance(p: &Project, now: DateTime<Utc>) -> Option<NewNotice> {
    // What the public reads of the contract ([`Project::public`]): each milestone's acceptance day, what was paid.
    let c = p.public().contract?;
    let milestones: Vec<Value> = c
        .milestones
        .iter()
        .filter(|m| m.status == MilestoneStatus::Accepted)
        .map(|m| json!({"name": m.name, "due": m.due, "amount": m.paid, "accepted_on": m.accepted_on}))
        .collect();
    let withheld: Money = c.milestones.iter().map(|m| m.withheld).sum();
    let mut extra = json!({"paid": c.paid, "accepted_on": china_date(now), "milestones": milestones});
    if withheld.is_positive() {
        extra["withheld"] = json!(withheld);
    }
    contract_notice(NoticeKind::Acceptance, p, extra, now)
}

/// The evaluation's result, once the last party has scored ([`Project::public`]'s summary: the parties'
/// totals and the third party's points per indicator, never the evidence or the opinions).
fn for_evaluation(p: &Project, now: DateTime<Utc>) -> Option<NewNotice> {
    let e = p.public().evaluation?;
    let parts: Vec<Value> =
        e.parts.iter().map(|(party, total)| json!({"party": party.code(), "total": total.display()})).collect();
    let lines: Vec<Value> = e
        .lines
        .iter()
        .map(|l| {
            json!({
                "indicator": l.indicator,
                "weight": l.weight,
                "target": l.target.display(),
                "achieved": l.achieved.map(|a| a.display()),
                "points": l.points.display(),
            })
        })
        .collect();
    let extra = json!({
        "evaluator": e.evaluator,
        "total": e.total.display(),
        "grade": e.grade.code(),
        "evaluated_on": e.finished_on,
        "parts": parts,
        "lines": lines,
    });
    contract_notice(NoticeKind::Evaluation, p, extra, now)
}

/// The contract notice, published when the contract is signed.
fn for_contract(p: &Project, now: DateTime<Utc>) -> Option<NewNotice> {
    let c = p.contract.as_ref()?;
    // The milestones as signed: open data's contract carries them, and supplements add others later.
    let milestones: Vec<Value> = c
        .milestones
        .iter()
        .filter(|m| m.supplement.is_none())
        .map(|m| json!({"name": m.name, "due": m.due, "amount": m.amount}))
        .collect();
    let extra = json!({"signed_on": c.signed_on, "provider_org_id": c.provider.org_id, "milestones": milestones});
    contract_notice(NoticeKind::Contract, p, extra, now)
}

/// A notice about a project's contract: the contract's parties, amount and term, with `extra`'s fields.
fn contract_notice(kind: NoticeKind, p: &Project, extra: Value, now: DateTime<Utc>) -> Option<NewNotice> {
    let c = p.contract.as_ref()?;
    let mut body = json!({
        "project_code": p.code,
        "title": p.design.title,
        "purchaser": p.purchaser_name,
        "provider": c.provider.name,
        "amount": c.amount,
        "start": c.start,
        "end": c.end,
        "category": p.design.category,
    });
    if let (Some(fields), Value::Object(more)) = (body.as_object_mut(), extra) {
        fields.extend(more);
    }
    Some(NewNotice {
        kind,
        project_id: p.id,
        procurement_id: None,
        title: title(&p.purchaser_name, &p.design.title, kind.label_zh()),
        body: NoticeBody::new(body),
        published_on: china_date(now),
        ends_on: None,
    })
}

/// Money in a notice body, for pages.
pub fn body_money(body: &Value, key: &str) -> Option<Money> {
    serde_json::from_value(body.get(key)?.clone()).ok()
}

#[cfg(test)]
mod title_tests {
    use super::*;

    #[test]
    fn a_stored_body_is_written_out_as_it_was_stored_and_read_back_as_a_value() {
        let text =
            r#"{"budget":"82000.00","members":[{"name":"甲","price":null}],"purchaser":"教育局","title":"学校社工"}"#;
        let body = NoticeBody::from_text(text.to_string()).unwrap();
        let notice = Notice {
            id: 7,
            notice: NewNotice {
                kind: NoticeKind::Result,
                project_id: 1,
                procurement_id: None,
                title: "学校社工中标（成交）结果公告".into(),
                body,
                published_on: NaiveDate::from_ymd_opt(2026, 5, 6).unwrap(),
                ends_on: None,
            },
            published_at: DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
        };
        let out = serde_json::to_string(&notice).unwrap();
        assert!(out.contains(&format!(r#""body":{text}"#)), "{out}");
        let back: Notice = serde_json::from_str(&out).unwrap();
        assert_eq!(back, notice);
        assert_eq!(back.notice.body.value()["members"][0]["name"], "甲");
        let heading = notice.notice.body.heading();
        assert_eq!((heading.title.as_deref(), heading.purchaser.as_deref()), (Some("学校社工"), Some("教育局")));
        assert!(NoticeBody::from_text("{\"title\":".into()).is_err(), "a damaged body is refused when read");
    }

    #[test]
    fn a_title_names_the_purchaser_the_project_and_the_kind_of_notice() {
        assert_eq!(
            title("宜昌市夷陵区民政局", "居家养老上门服务", NoticeKind::Result.label_zh()),
            "宜昌市夷陵区民政局关于居家养老上门服务的中标（成交）结果公告"
        );
        assert_eq!(title("教育局", "学校社工", "竞争性磋商公告"), "教育局关于学校社工的竞争性磋商公告");
    }

    #[test]
    fn the_english_title_is_the_kind_and_the_project() {
        let n = NewNotice {
            kind: NoticeKind::Result,
            project_id: 1,
            procurement_id: Some(2),
            title: "农村留守儿童关爱服务中标（成交）结果公告".into(),
            body: NoticeBody::new(json!({"title": "农村留守儿童关爱服务"})),
            published_on: NaiveDate::from_ymd_opt(2026, 5, 6).unwrap(),
            ends_on: None,
        };
        assert_eq!(n.title_en(), "Result: 农村留守儿童关爱服务");
        let bare = NewNotice { body: NoticeBody::new(json!({})), ..n };
        assert_eq!(
            bare.title_en(),
            "Result: 农村留守儿童关爱服务中标（成交）结果公告",
            "without a project title, the stored one"
        );
    }
}
