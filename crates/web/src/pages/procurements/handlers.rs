//! The procurement page's POST handlers (an action, a bid, its withdrawal) and the bid-file download.

use axum::extract::State;

use crate::pages::PagePath;
use shanzhi_domain::procurement::{Procurement, Stage};

use super::super::forms::Form;
use super::super::{error_page, fatal, see_other, Ids, OrPage, Page, Posted, SignedIn};
use super::command::{command, kept_errors, which_of};
use super::show::{proc_page, Kept};
use crate::error::AppError;
use crate::AppState;
use shanzhi_app::procurements::{self, BidRequest};

pub async fn act(
    State(state): State<AppState>,
    PagePath((id, action)): PagePath<(String, String)>,
    posted: Posted,
) -> Page {
    let Posted { user, form } = posted;
    let Ok(id) = id.parse::<i64>() else { return Err(error_page(&user.shell(), AppError::not_found())) };
    let p = procurements::visible(&state, &user.session.actor, id).await.or_page(&user.shell())?;
    let which = which_of(&action, &form);
    let result = match command(&p, &action, &which, &form) {
        Ok(cmd) => {
            procurements::perform(&state, &user.session.actor, id, cmd).await.map(|_| ()).map_err(AppError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/procurements/{id}"))),
        Err(e) => failed(&state, &user, &p, which, form, e).await,
    }
}

async fn failed(state: &AppState, user: &SignedIn, p: &Procurement, which: String, form: Form, e: AppError) -> Page {
    if fatal(&e) {
        return Err(error_page(&user.shell(), e));
    }
    let errors = kept_errors(user.lang, p, &which, &e);
    let kept = Kept { which, form, errors };
    proc_page(state, user, p, &kept, e.status()).await
}

pub async fn bid(State(state): State<AppState>, user: SignedIn, ids: Ids, mp: axum::extract::Multipart) -> Page {
    let (form, upload) = super::super::steps::read_multipart(mp).await.or_page(&user.shell())?;
    super::super::check_csrf(&user, &form)?;
    let actor = &user.session.actor;
    let p = procurements::visible(&state, actor, ids.id).await.or_page(&user.shell())?;
    // A changed bid keeps the files of the bid it replaces, plus the one chosen now.
    let round = i64::from(p.stage == Stage::FinalOffers);
    let mut file_ids: Vec<i64> = procurements::own_bids(&state, actor, &p)
        .await
        .or_page(&user.shell())?
        .into_iter()
        .filter(|b| b.round == round && !b.withdrawn)
        .flat_map(|b| b.content.files.into_iter().map(|f| f.id))
        .collect();
    if let Some((name, bytes)) = upload {
        match procurements::upload_bid_file(&state, &user.session.actor, p.id, &name, &bytes)
            .await
            .map_err(AppError::from)
        {
            Ok(f) => file_ids.push(f.id),
            Err(e) => return failed(&state, &user, &p, "bid".into(), form, e).await,
        }
    }
    let req = BidRequest {
        price: form.get("bid_price").trim().into(),
        small_or_micro: form.flag("bid_small_or_micro"),
        proposal: form.get("bid_proposal").into(),
        file_ids,
    };
    match procurements::submit_bid(&state, &user.session.actor, p.id, req).await.map_err(AppError::from) {
        Ok(_) => Ok(see_other(&format!("/procurements/{}#my-bid", p.id))),
        Err(e) => failed(&state, &user, &p, "bid".into(), form, e).await,
    }
}

/// A sealed bid's file, for whom `procurements::bid_file` allows.
pub async fn bid_file(State(state): State<AppState>, user: SignedIn, PagePath((id, n)): PagePath<(i64, i64)>) -> Page {
    let f = procurements::bid_file(&state, &user.session.actor, id, n).await.or_page(&user.shell())?;
    Ok(crate::procure_api::bid_file_response(f))
}

pub async fn withdraw(State(state): State<AppState>, ids: Ids, posted: Posted) -> Page {
    let Posted { user, form } = posted;
    let p = procurements::visible(&state, &user.session.actor, ids.id).await.or_page(&user.shell())?;
    match procurements::withdraw_bid(&state, &user.session.actor, p.id).await.map_err(AppError::from) {
        Ok(()) => Ok(see_other(&format!("/procurements/{}#my-bid", p.id))),
        Err(e) => failed(&state, &user, &p, "withdraw".into(), form, e).await,
    }
}
