//! The demo's public feedback: two items about a civil affairs project, one answered and published, one waiting
//! in the department's queue, and one about a provider, routed to civil affairs.

use shanzhi_app::feedback::{self, AnswerRequest};
use shanzhi_app::App;
use shanzhi_domain::feedback::{Contact, Subject, Submission};
use shanzhi_domain::org::Role;
use shanzhi_store::{By, FeedbackFilter, PageRequest};

use super::scenario::{Cast, LoadResult};

fn item(subject: Subject, subject_id: i64, rating: u8, problem: &str, contact: Contact) -> Submission {
    Submission { subject, subject_id, rating: Some(rating), problem: problem.into(), contact }
}

pub(crate) async fn load(app: &App, cast: &Cast) -> LoadResult<()> {
    let store = app.store.as_ref();
    let some =
        store.feedback_page(&FeedbackFilter::default(), PageRequest::first(1)).await.map_err(|e| e.to_string())?;
    if !some.items.is_empty() {
        return Ok(());
    }
    let mzj = cast.org("mzj")?;
    let mut public = Vec::new();
    for p in store.projects().await.map_err(|e| e.to_string())? {
        if p.purchaser_org_id == mzj.id && !store.notices_of_project(p.id).await.map_err(|e| e.to_string())?.is_empty()
        {
            public.push(p.id);
        }
    }
    let (Some(&first), Some(&second)) = (public.first(), public.get(1).or(public.first())) else {
        return Err("demo feedback: civil affairs has no public project".into());
    };
    let public_by = By::public();
    let fail = |e: shanzhi_app::Error| format!("demo feedback: {e}");
    let praised =
        item(Subject::Project, second, 4, "社工每周都来，老人很满意；希望周末也能安排一次上门。", Contact::default());
    let praised = feedback::file(app, &public_by, praised).await.map_err(fail)?;
    let purchaser = cast.actor("mzj", Role::Purchaser)?;
    let summary = "已与承接机构沟通，自下月起每月增加两次周末上门服务。".to_string();
    feedback::answer(app, purchaser, praised.id, AnswerRequest { summary, upheld: false }).await.map_err(fail)?;
    let late = item(
        Subject::Project,
        first,
        2,
        "助餐送达时间不稳定，有几次过了中午十二点半才送到。",
        Contact { name: "张秀英".into(), phone: "13972000000".into(), email: String::new() },
    );
    feedback::file(app, &public_by, late).await.map_err(fail)?;
    let provider = cast.org("xlx")?;
    let notice = item(Subject::Provider, provider.id, 3, "活动通知发得太晚，很多老人没赶上。", Contact::default());
    feedback::file(app, &public_by, notice).await.map_err(fail)?;
    Ok(())
}
