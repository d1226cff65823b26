//! A project as an OCDS contracting process: the releases each public step emits, built from what the public may
//! read and nothing else — the project's public reading ([`PublicProject`]) and its published notices. Each
//! release comes from one immutable source (a notice, an accepted milestone, the cancellation, the termination),
//! so building it again gives the same release: the open-data feed and a record agree without storing releases.
//!
//! Methods map to the `method` codelist as 政府采购法 and the issue set them: 公开招标 `open`, 邀请招标
//! `selective`, 竞争性谈判/磋商 and 询价 `limited`, 单一来源 and a direct award `direct`, the Chinese name in
//! `procurementMethodDetails`. A framework agreement's providers are collected openly (公开征集): `open`.

mod award;
mod contract;
mod parties;
mod tender;
#[cfg(test)]
mod tests;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};
use shanzhi_domain::notice::{Notice, NoticeKind};
use shanzhi_domain::project::PublicProject;
use shanzhi_domain::Money;

use parties::Parties;

/// Who publishes the data, and where it can be read.
#[derive(Debug, Clone)]
pub struct Publisher {
    /// The registered ocid prefix, `ocds-` and six characters.
    pub prefix: String,
    pub name: String,
    /// The platform's public address (no trailing slash): notices' and packages' URLs start with it.
    pub base_url: String,
}

impl Publisher {
    /// A project's `ocid`: the prefix and the project's code.
    pub fn ocid(&self, code: &str) -> String {
        format!("{}-{code}", self.prefix)
    }

    /// The project code an `ocid` of this publisher names, if it is one.
    pub fn code_of<'a>(&self, ocid: &'a str) -> Option<&'a str> {
        ocid.strip_prefix(self.prefix.as_str())?.strip_prefix('-').filter(|c| !c.is_empty())
    }

    fn notice_url(&self, id: i64) -> String {
        format!("{}/notices/{id}", self.base_url)
    }
}

/// Where a release comes from: one public step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Notice(i64),
    /// A milestone accepted and paid (its index in the contract).
    Payment(usize),
    Cancellation,
    Termination,
}

impl Source {
    /// The release's `id`, unique within its process.
    pub fn release_id(self) -> String {
        match self {
            Source::Notice(id) => format!("notice-{id}"),
            Source::Payment(i) => format!("payment-{}", i + 1),
            Source::Cancellation => "cancellation".into(),
            Source::Termination => "termination".into(),
        }
    }
}

/// One release and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    pub source: Source,
    pub date: DateTime<Utc>,
    pub value: Value,
}

/// An OCDS date-time: UTC, whole seconds, so that releases sort by their text as the merge routine sorts them.
pub fn date_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A date as the start of that day in China (UTC+8).
fn day(d: chrono::NaiveDate) -> String {
    format!("{d}T00:00:00+08:00")
}

/// An OCDS amount in yuan. OCDS wants a JSON number: the fen are exact in an `f64` (every amount is far below
/// 2^53 fen), dividing by 100 is correctly rounded, and the shortest text that reads back the same value is the
/// two-decimal amount itself, so the number written is exactly the yuan amount. Nothing is computed with it.
fn value(m: Money) -> Value {
    json!({"amount": m.fen() as f64 / 100.0, "currency": "CNY"})
}

/// Every release of `project` with its published `notices` (in publication order), oldest first. None when no
/// notice has made the project public.
pub fn releases(publisher: &Publisher, project: &PublicProject, notices: &[Notice]) -> Vec<Release> {
    if notices.is_empty() {
        return Vec::new();
    }
    let process = Process { publisher, project, notices };
    let mut out: Vec<Release> = notices.iter().filter_map(|n| process.notice_release(n)).collect();
    if let Some(c) = &project.contract {
        out.extend(c.milestones.iter().enumerate().filter_map(|(i, m)| {
            let at = m.accepted_at?;
            Some(process.release(Source::Payment(i), at, &[Tag::Implementation], contract::payment(&process, i)))
        }));
        if let Some(at) = c.terminated_at {
            out.push(process.release(
                Source::Termination,
                at,
                &[Tag::ContractTermination],
                contract::terminated(&process),
            ));
        }
    }
    if let Some(at) = project.cancelled_at {
        out.push(process.release(Source::Cancellation, at, &[Tag::TenderCancellation], tender::cancelled(&process)));
    }
    // Oldest first; a step's releases in the order it took them (a notice after what it announces).
    out.sort_by_key(|r| (date_time(r.date), !matches!(r.source, Source::Notice(_)), r.source));
    out
}

/// The one release of `project` that `source` emitted, if it emitted one.
pub fn release(publisher: &Publisher, project: &PublicProject, notices: &[Notice], source: Source) -> Option<Release> {
    releases(publisher, project, notices).into_iter().find(|r| r.source == source)
}

#[derive(Clone, Copy)]
enum Tag {
    Planning,
    Tender,
    TenderAmendment,
    TenderUpdate,
    TenderCancellation,
    Award,
    Contract,
    Implementation,
    ContractTermination,
}

impl Tag {
    fn code(self) -> &'static str {
        match self {
            Tag::Planning => "planning",
            Tag::Tender => "tender",
            Tag::TenderAmendment => "tenderAmendment",
            Tag::TenderUpdate => "tenderUpdate",
            Tag::TenderCancellation => "tenderCancellation",
            Tag::Award => "award",
            Tag::Contract => "contract",
            Tag::Implementation => "implementation",
            Tag::ContractTermination => "contractTermination",
        }
    }
}

/// A project and its notices while its releases are built.
struct Process<'a> {
    publisher: &'a Publisher,
    project: &'a PublicProject,
    notices: &'a [Notice],
}

impl Process<'_> {
    fn ocid(&self) -> String {
        self.publisher.ocid(&self.project.code)
    }

    /// The release of notice `n`, by its kind.
    fn notice_release(&self, n: &Notice) -> Option<Release> {
        let body = n.notice.body.value();
        let (tags, fields): (&[Tag], Fields) = match n.notice.kind {
            NoticeKind::Intention => (&[Tag::Planning], tender::planning(self, n, &body)),
            NoticeKind::Announcement | NoticeKind::SingleSource => (&[Tag::Tender], tender::tender(self, n, &body)),
            NoticeKind::Correction => (&[Tag::TenderAmendment], tender::amendment(self, n, &body)),
            NoticeKind::Failure => (&[Tag::TenderUpdate], tender::failed(self, n, &body)),
            NoticeKind::ComplaintDecision => (&[Tag::TenderUpdate], tender::complaint_decision(self, n, &body)),
            NoticeKind::Result => (&[Tag::Award], award::result(self, n, &body)),
            NoticeKind::Contract => (&[Tag::Contract], contract::signed(self, n, &body)),
            NoticeKind::Acceptance => (&[Tag::Implementation], contract::accepted(self, n, &body)),
            NoticeKind::Evaluation => (&[Tag::Implementation], contract::evaluated(self, n, &body)),
        };
        Some(self.release(Source::Notice(n.id), n.published_at, tags, fields))
    }

    fn release(&self, source: Source, at: DateTime<Utc>, tags: &[Tag], fields: Fields) -> Release {
        let p = self.project;
        let mut r = Map::new();
        r.insert("ocid".into(), json!(self.ocid()));
        r.insert("id".into(), json!(source.release_id()));
        r.insert("date".into(), json!(date_time(at)));
        r.insert("tag".into(), json!(tags.iter().map(|t| t.code()).collect::<Vec<_>>()));
        r.insert("initiationType".into(), json!("tender"));
        r.insert("language".into(), json!("zh"));
        r.insert("buyer".into(), parties::buyer(p));
        let mut parties = fields.parties;
        parties.add_buyer(p);
        r.insert("parties".into(), parties.into_value());
        for (k, mut v) in fields.sections {
            // The schema requires a tender's id and each contract's award.
            match k {
                "tender" if v.get("id").is_none() => v["id"] = json!(self.tender_id(at)),
                "contracts" => {
                    for c in v.as_array_mut().into_iter().flatten() {
                        if c.get("awardID").is_none() {
                            c["awardID"] = json!(self.award_id(at));
                        }
                    }
                }
                _ => {}
            }
            r.insert(k.into(), v);
        }
        Release { source, date: at, value: Value::Object(r) }
    }

    /// The tender a release at `at` speaks of: the last procurement announced by then, or — for a project bought
    /// without one — the project itself.
    fn tender_id(&self, at: DateTime<Utc>) -> String {
        let last = self.notices.iter().rev().filter(|n| n.published_at <= at).find_map(|n| n.notice.procurement_id);
        last.map_or_else(|| format!("project-{}", self.project.id), |id| format!("procurement-{id}"))
    }

    /// The award the contract carries out, as of `at`: the last result announced, else the direct award.
    fn award_id(&self, at: DateTime<Utc>) -> String {
        let result = self.notices.iter().rev().find(|n| n.published_at <= at && n.notice.kind == NoticeKind::Result);
        award::award_id(result.and_then(|r| r.notice.procurement_id))
    }

    /// A notice as a document of the release.
    fn document(&self, n: &Notice, kind: &str) -> Value {
        json!({
            "id": format!("notice-{}", n.id),
            "documentType": kind,
            "title": n.notice.title,
            "url": self.publisher.notice_url(n.id),
            "datePublished": date_time(n.published_at),
            "format": "text/html",
            "language": "zh",
        })
    }
}

/// What one step's release holds besides the fields every release has.
#[derive(Default)]
struct Fields {
    sections: Vec<(&'static str, Value)>,
    parties: Parties,
}

impl Fields {
    fn with(mut self, key: &'static str, v: Value) -> Fields {
        self.sections.push((key, v));
        self
    }
}

/// A string field of a notice body.
fn text<'b>(body: &'b Value, key: &str) -> Option<&'b str> {
    body.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// A money field of a notice body.
fn money(body: &Value, key: &str) -> Option<Money> {
    shanzhi_domain::notice::body_money(body, key)
}
