//! The generated providers' registry entries: each provider's own user keeps its profile, its registration
//! certificate (with a scanned document) and its training through the same use cases as the registry page, and the
//! county's civil affairs checks the documents. Every figure follows from the county's and the provider's numbers
//! and the seed, so a seed gives the same sector; one provider in five holds a licence about to lapse, and the
//! last township of each county is served only by the county-wide providers, the thinnest.

use shanzhi_app::registry::{self, ProfileRequest, QualificationRequest, TrainingRequest};
use shanzhi_app::App;
use shanzhi_domain::catalogue::Category;
use shanzhi_domain::org::Role;
use shanzhi_domain::registry::SocialWorkers;

use super::province::Province;
use crate::demo::{Cast, LoadResult};

/// A stable mix of the numbers: the same inputs, the same figure.
fn mix(seed: u64, a: usize, b: usize) -> u64 {
    let mut x = seed ^ ((a as u64) << 32) ^ (b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^ (x >> 33)
}

pub(crate) async fn fill(
    app: &App,
    province: &Province,
    cast: &Cast,
    catalogue: &[Category],
    seed: u64,
) -> LoadResult<()> {
    let categories: Vec<String> =
        registry::servable_categories(catalogue).into_iter().map(|c| c.code.clone()).collect();
    if categories.is_empty() {
        return Ok(());
    }
    let today = shanzhi_domain::clock::china_date(app.clock.now());
    for c in &province.counties {
        let checker = cast.actor(&c.key("mzj"), Role::Reviewer)?;
        for (i, (key, _)) in c.providers().into_iter().enumerate() {
            let org = cast.org(&key)?;
            let actor = cast.actor(&key, Role::Provider)?;
            let fail = |what: &'static str| {
                let key = key.clone();
                move |e: shanzhi_app::Error| format!("gen registry {key} {what}: {e}")
            };
            let n = |k: usize, m: u64| mix(seed, c.index * 100 + i, k) % m;
            let staff = 5 + n(1, 56) as u32;
            let certified = (staff / 3).max(1);
            let assistant = (n(2, u64::from(certified)) as u32 + 1).min(certified);
            let intermediate = (certified - assistant) * 2 / 3;
            // A third serve the whole county; the others their seat and the next township, never the last one.
            let last = c.townships.len() - 1;
            let areas = if i % 3 == 0 {
                vec![c.code.clone()]
            } else {
                let seat = i % last;
                vec![c.townships[seat].0.clone(), c.townships[(seat + 1) % last].0.clone()]
            };
            let first = n(3, categories.len() as u64) as usize;
            let served = (0..3).map(|k| categories[(first + k * 5) % categories.len()].clone()).collect();
            let founded = 2005 + n(4, 19) as i32;
            let profile = ProfileRequest {
                founded_on: format!("{founded}-{:02}-{:02}", 1 + n(5, 12), 1 + n(6, 28)),
                registered_capital: format!("{}", 30_000 + 10_000 * n(7, 50)),
                staff,
                social_workers: SocialWorkers { assistant, intermediate, senior: certified - assistant - intermediate },
                service_areas: areas,
                categories: served,
            };
            registry::save_profile(app, actor, org.id, profile).await.map_err(fail("profile"))?;
            let scan = format!("%PDF-1.4\n% {} registration certificate\n%%EOF\n", org.name).into_bytes();
            let file = shanzhi_app::files::upload(app, actor, "登记证书.pdf", &scan).await.map_err(fail("document"))?;
            let certificate = QualificationRequest {
                kind: "registration_certificate".into(),
                name: "登记证书".into(),
                number: format!("{}民证字第 {:04} 号", c.name, i + 1),
                issuer: format!("{}民政局", c.name),
                issued_on: format!("{founded}-12-31"),
                expires_on: (i % 5 == 4).then(|| (today + chrono::Days::new(10 + n(8, 40))).to_string()),
                file_id: file.id,
            };
            let q =
                registry::add_qualification(app, actor, org.id, certificate).await.map_err(fail("qualification"))?;
            registry::verify_qualification(app, checker, q.id).await.map_err(fail("check"))?;
            if i % 2 == 0 {
                let training = TrainingRequest {
                    course: "社会工作实务能力提升".into(),
                    organiser: format!("{}社会工作者协会", c.name),
                    held_on: (today - chrono::Days::new(30 + n(9, 300))).to_string(),
                    hours: (8 * (1 + n(10, 4))).to_string(),
                    participants: 1 + (n(11, u64::from(staff)) as u32),
                };
                registry::add_training(app, actor, org.id, training).await.map_err(fail("training"))?;
            }
        }
    }
    Ok(())
}
