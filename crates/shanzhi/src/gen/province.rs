//! The generated province: its places, departments, providers, people and budgets. The layout follows from
//! the number of counties alone, so a later `--append` run finds the same keys without storing them.

use chrono::{DateTime, Utc};
use shanzhi_domain::budget::{Budget, FundSource};
use shanzhi_domain::committee::Expert;
use shanzhi_domain::org::{OrgKind, Region, RegionLevel, Role};
use shanzhi_domain::Money;
use shanzhi_store::{By, NewOrganisation, NewUser, Store};

use super::names;
use crate::demo::LoadResult;

/// Townships per county and villages per township.
const TOWNSHIPS: usize = 6;
const VILLAGES: usize = 3;
/// Providers per county by kind, and experts.
const SOCIAL_ORGANISATIONS: usize = 8;
const ENTERPRISES: usize = 2;
const PUBLIC_INSTITUTIONS: usize = 2;
const EXPERTS: usize = 6;
/// Counties per city.
const COUNTIES_PER_CITY: usize = 10;

/// A county's departments: key suffix, name, kind. All but finance buy services.
pub(crate) const DEPARTMENTS: [(&str, &str, OrgKind); 8] = [
    ("mzj", "民政局", OrgKind::CivilAffairs),
    ("czj", "财政局", OrgKind::Finance),
    ("jyj", "教育局", OrgKind::Education),
    ("wsj", "卫生健康局", OrgKind::Health),
    ("cl", "残疾人联合会", OrgKind::DisabledPersonsFederation),
    ("fl", "妇女联合会", OrgKind::WomensFederation),
    ("rsj", "人力资源和社会保障局", OrgKind::HumanResources),
    ("zfw", "政法委员会", OrgKind::PoliticalLegal),
];

/// The password of every generated account.
pub const PASSWORD: &str = "province-2026";

pub(crate) struct County {
    /// 1-based; in keys and usernames as three digits (`c007`).
    pub index: usize,
    pub code: String,
    pub name: String,
    pub city_code: String,
    pub townships: Vec<(String, String)>,
}

impl County {
    pub fn tag(&self) -> String {
        format!("c{:03}", self.index)
    }
    pub fn key(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.tag())
    }
    pub fn username(&self, suffix: &str) -> String {
        format!("{}.{suffix}", self.tag())
    }
    /// The keys of the organisations that buy services: departments, then township governments.
    pub fn purchasers(&self) -> Vec<(String, OrgKind)> {
        let departments = DEPARTMENTS.iter().filter(|d| d.2 != OrgKind::Finance).map(|d| (self.key(d.0), d.2));
        let townships = (1..=self.townships.len()).map(|t| (self.key(&format!("t{t}")), OrgKind::TownshipGovernment));
        departments.chain(townships).collect()
    }
    /// Providers' keys: social organisations first (the only ones tenders admit).
    pub fn providers(&self) -> Vec<(String, OrgKind)> {
        let so = (1..=SOCIAL_ORGANISATIONS).map(|i| (self.key(&format!("so{i}")), OrgKind::SocialOrganisation));
        let qy = (1..=ENTERPRISES).map(|i| (self.key(&format!("qy{i}")), OrgKind::Enterprise));
        let sy = (1..=PUBLIC_INSTITUTIONS).map(|i| (self.key(&format!("sy{i}")), OrgKind::PublicInstitution));
        so.chain(qy).chain(sy).collect()
    }
    /// One account of each role, for people trying the generated province out.
    pub fn accounts(&self) -> serde_json::Value {
        serde_json::json!({
            "admin": self.username("admin"),
            "purchaser": self.username("mzj.purchaser"),
            "reviewer": self.username("mzj.reviewer"),
            "provider": self.username("so1"),
            "expert": self.username("expert1"),
            "evaluator": self.username("evaluator"),
            "supervisor": self.username("supervisor"),
        })
    }
}

pub(crate) struct Province {
    pub counties: Vec<County>,
}

impl Province {
    pub fn new(counties: usize) -> Province {
        let counties = (0..counties)
            .map(|i| {
                let city_code = format!("{}{:02}", names::PROVINCE_CODE, i / COUNTIES_PER_CITY + 1);
                let code = format!("{city_code}{:02}", i % COUNTIES_PER_CITY + 1);
                let townships = (0..TOWNSHIPS)
                    .map(|t| {
                        let suffix = if t == 0 {
                            "街道"
                        } else if t % 2 == 0 {
                            "乡"
                        } else {
                            "镇"
                        };
                        (format!("{code}{:03}", t + 1), format!("{}{suffix}", names::place(i * TOWNSHIPS + t, 2)))
                    })
                    .collect();
                let kind = if i % COUNTIES_PER_CITY == 0 { "区" } else { "县" };
                County { index: i + 1, code, name: format!("{}{kind}", names::place(i, 1)), city_code, townships }
            })
            .collect();
        Province { counties }
    }

    /// Places, organisations and people, written through the store as an administrator would add them.
    pub async fn create(&self, store: &dyn Store, password_hash: &str, now: DateTime<Utc>) -> LoadResult<()> {
        let system = By::system("gen");
        let e = |what: &'static str| move |e: shanzhi_store::StoreError| format!("gen {what}: {e}");
        let region = |code: &str, name: String, level, parent: Option<&str>| Region {
            code: code.to_string(),
            name,
            level,
            urban: matches!(level, RegionLevel::Province | RegionLevel::City | RegionLevel::District),
            parent: parent.map(String::from),
        };
        let province = region(names::PROVINCE_CODE, names::PROVINCE.into(), RegionLevel::Province, None);
        store.add_region(&system, &province, now).await.map_err(e("region"))?;
        let org = |key: String, name: String, kind, region: &str| NewOrganisation {
            key,
            name,
            kind,
            uscc: None,
            resident_id: None,
            region: Some(region.to_string()),
            parent_id: None,
            class_one: false,
            active: true,
            contact: String::new(),
        };
        let user =
            |username: String, org_id: i64, roles: Vec<Role>, supervisor_region: Option<String>, i: usize| NewUser {
                username,
                display_name: names::person(i),
                org_id,
                roles,
                supervisor_region,
                password_hash: password_hash.to_string(),
            };
        let code = names::PROVINCE_CODE;
        let mzt = org("prov-mzt".into(), format!("{}民政厅", names::PROVINCE), OrgKind::CivilAffairs, code);
        let mzt = store.add_organisation(&system, mzt, now).await.map_err(e("organisation"))?;
        let czt = org("prov-czt".into(), format!("{}财政厅", names::PROVINCE), OrgKind::Finance, code);
        let czt = store.add_organisation(&system, czt, now).await.map_err(e("organisation"))?;
        store
            .add_user(&system, user("province.admin".into(), mzt.id, vec![Role::Admin], None, 0), now)
            .await
            .map_err(e("user"))?;
        let supervisor = user("province.supervisor".into(), czt.id, vec![Role::Supervisor], Some(code.into()), 1);
        store.add_user(&system, supervisor, now).await.map_err(e("user"))?;
        let mut people = 2;
        let mut city = String::new();
        for c in &self.counties {
            if c.city_code != city {
                city = c.city_code.clone();
                let name = format!("{}市", names::place(c.index, 0));
                store
                    .add_region(&system, &region(&city, name, RegionLevel::City, Some(code)), now)
                    .await
                    .map_err(e("region"))?;
            }
            let county = region(&c.code, c.name.clone(), RegionLevel::District, Some(&c.city_code));
            store.add_region(&system, &county, now).await.map_err(e("region"))?;
            for (t, (tcode, tname)) in c.townships.iter().enumerate() {
                let township = region(tcode, tname.clone(), RegionLevel::Township, Some(&c.code));
                store.add_region(&system, &township, now).await.map_err(e("region"))?;
                for v in 0..VILLAGES {
                    let suffix = if t == 0 { "社区" } else { "村" };
                    let name = format!("{}{suffix}", names::place((c.index * TOWNSHIPS + t) * VILLAGES + v, 3));
                    let village = region(&format!("{tcode}{:03}", v + 1), name, RegionLevel::Village, Some(tcode));
                    store.add_region(&system, &village, now).await.map_err(e("region"))?;
                }
            }
            let by = &system;
            let add = |key: String, name: String, kind, region: &str| {
                let new = org(key, name, kind, region);
                async move { store.add_organisation(by, new, now).await.map_err(e("organisation")) }
            };
            let mut ids = std::collections::BTreeMap::new();
            for (suffix, name, kind) in DEPARTMENTS {
                let o = add(c.key(suffix), format!("{}{name}", c.name), kind, &c.code).await?;
                ids.insert(suffix.to_string(), o.id);
            }
            for (t, (tcode, tname)) in c.townships.iter().enumerate() {
                let gov = if tname.ends_with("街道") { "办事处" } else { "人民政府" };
                let o = add(
                    c.key(&format!("t{}", t + 1)),
                    format!("{}{tname}{gov}", c.name),
                    OrgKind::TownshipGovernment,
                    tcode,
                )
                .await?;
                ids.insert(format!("t{}", t + 1), o.id);
            }
            for (i, (key, kind)) in c.providers().into_iter().enumerate() {
                let seat = &c.townships[i % c.townships.len()].0;
                let name = match kind {
                    OrgKind::SocialOrganisation => names::social_organisation(&c.name, c.index * 3 + i),
                    OrgKind::Enterprise => names::enterprise(&c.name, c.index + i),
                    _ => names::public_institution(&c.name, i),
                };
                let o = add(key.clone(), name, kind, seat).await?;
                let username = key.replace('-', ".");
                store
                    .add_user(&system, user(username, o.id, vec![Role::Provider], None, people), now)
                    .await
                    .map_err(e("user"))?;
                people += 1;
            }
            let swa =
                add(c.key("swa"), format!("{}社会工作者协会", c.name), OrgKind::SocialWorkAssociation, &c.code).await?;
            let pg = add(c.key("pg"), format!("{}公益评估中心", c.name), OrgKind::ThirdPartyEvaluator, &c.code).await?;
            let mut person = |suffix: &str, org: &str, roles: Vec<Role>, region: Option<String>| {
                people += 1;
                user(c.username(suffix), ids[org], roles, region, people)
            };
            let mut accounts = vec![
                person("admin", "mzj", vec![Role::Admin], None),
                person("mzj.reviewer", "mzj", vec![Role::Reviewer], None),
                person("czj.reviewer", "czj", vec![Role::Reviewer], None),
                person("supervisor", "czj", vec![Role::Supervisor], Some(c.code.clone())),
            ];
            for (key, _) in c.purchasers() {
                let suffix = key.trim_start_matches(&format!("{}-", c.tag())).to_string();
                accounts.push(person(&format!("{suffix}.purchaser"), &suffix, vec![Role::Purchaser], None));
            }
            for a in accounts {
                store.add_user(&system, a, now).await.map_err(e("user"))?;
            }
            let evaluator = user(c.username("evaluator"), pg.id, vec![Role::Evaluator], None, people);
            store.add_user(&system, evaluator, now).await.map_err(e("user"))?;
            // Finance keeps the pool; each county's experts work for its social workers' association.
            let finance = store
                .user_credentials(&c.username("czj.reviewer"))
                .await
                .map_err(e("user"))?
                .ok_or("gen: the finance reviewer vanished")?
                .0;
            let finance = By { user_id: Some(finance.id), name: finance.username, org_id: Some(finance.org_id) };
            for i in 1..=EXPERTS {
                people += 1;
                let expert = Expert {
                    id: 0,
                    name: names::person(people),
                    categories: ["A", "B", "C", "D", "E"].map(String::from).to_vec(),
                    org_id: Some(swa.id),
                    former_employers: vec![],
                    declared_ties: vec![],
                };
                let account = user(c.username(&format!("expert{i}")), swa.id, vec![Role::Expert], None, people);
                store.add_expert(&finance, &expert, Some(account), now).await.map_err(e("expert"))?;
            }
        }
        Ok(())
    }
}

/// A budget line to allocate: the department (by key), year, fund source and amount.
pub(crate) struct Allocation {
    pub org_key: String,
    pub county: usize,
    pub year: i32,
    pub source: FundSource,
    pub amount: Money,
}

impl Allocation {
    pub fn budget(&self, org_id: i64, county_name: &str) -> Budget {
        let donor = (self.source == FundSource::SocialFunds).then(|| format!("{county_name}慈善总会"));
        Budget {
            id: 0,
            year: self.year,
            org_id,
            source: self.source,
            donor,
            granted_from: None,
            note: format!("{}年{}（生成数据）", self.year, self.source.label_zh()),
        }
    }
}
