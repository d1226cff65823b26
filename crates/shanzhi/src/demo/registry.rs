//! The demo's provider registry: the profiles, qualifications (each with a scanned document) and training of the
//! district's providers, kept by each provider's own user through the same use cases as the registry page; one
//! licence about to lapse, so the provider's queue and civil affairs' overview have something to flag.

use serde::Deserialize;
use shanzhi_app::registry::{self, ProfileRequest, QualificationRequest, TrainingRequest};
use shanzhi_app::App;
use shanzhi_domain::org::Role;
use shanzhi_domain::registry::SocialWorkers;

use super::scenario::{Cast, LoadResult};

#[derive(Deserialize)]
pub(crate) struct SeedEntry {
    org: String,
    founded_on: String,
    registered_capital: String,
    staff: u32,
    social_workers: SocialWorkers,
    service_areas: Vec<String>,
    categories: Vec<String>,
    qualifications: Vec<SeedQualification>,
    #[serde(default)]
    trainings: Vec<TrainingRequest>,
}

#[derive(Deserialize)]
struct SeedQualification {
    kind: String,
    name: String,
    number: String,
    issuer: String,
    issued_on: String,
    #[serde(default)]
    expires_on: Option<String>,
    /// Days from the demo's today, for a qualification that must stay about to lapse whenever the demo loads.
    #[serde(default)]
    expires_in_days: Option<u64>,
}

/// A one-page PDF standing in for a scanned certificate.
fn scan(title: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {title}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

pub(crate) async fn load(app: &App, cast: &Cast, entries: &[SeedEntry]) -> LoadResult<()> {
    let today = shanzhi_domain::clock::china_date(app.clock.now());
    for e in entries {
        let org = cast.org(&e.org)?;
        if app.store.profile(org.id).await.map_err(|err| err.to_string())?.is_some() {
            continue;
        }
        let actor = cast.actor(&e.org, Role::Provider)?;
        let fail = |what: &str| {
            let what = format!("demo registry {} {what}", e.org);
            move |err: shanzhi_app::Error| format!("{what}: {err}")
        };
        let profile = ProfileRequest {
            founded_on: e.founded_on.clone(),
            registered_capital: e.registered_capital.clone(),
            staff: e.staff,
            social_workers: e.social_workers,
            service_areas: e.service_areas.clone(),
            categories: e.categories.clone(),
        };
        registry::save_profile(app, actor, org.id, profile).await.map_err(fail("profile"))?;
        for q in &e.qualifications {
            let file = shanzhi_app::files::upload(app, actor, &format!("{}.pdf", q.number), &scan(&q.name))
                .await
                .map_err(fail("document"))?;
            let expires_on = match q.expires_in_days {
                Some(days) => Some((today + chrono::Days::new(days)).to_string()),
                None => q.expires_on.clone(),
            };
            let req = QualificationRequest {
                kind: q.kind.clone(),
                name: q.name.clone(),
                number: q.number.clone(),
                issuer: q.issuer.clone(),
                issued_on: q.issued_on.clone(),
                expires_on,
                file_id: file.id,
            };
            let added = registry::add_qualification(app, actor, org.id, req).await.map_err(fail("qualification"))?;
            // The district's civil affairs checked the documents of the providers it verified long ago.
            let checker = cast.reviewer(shanzhi_domain::org::OrgKind::CivilAffairs, super::DISTRICT)?;
            registry::verify_qualification(app, checker, added.id).await.map_err(fail("check"))?;
        }
        for t in &e.trainings {
            registry::add_training(app, actor, org.id, t.clone()).await.map_err(fail("training"))?;
        }
    }
    Ok(())
}
