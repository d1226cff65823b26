//! The provider registry: a provider's profile (one row, with the places and categories it serves as rows of
//! their own that the sector overview counts by), its qualifications with their documents and expiry, and its
//! training, each write with its audit event in one transaction; and the sector overview's counts, in SQL.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};
use shanzhi_domain::audit::Action;
use shanzhi_domain::money::{Money, Quantity};
use shanzhi_domain::registry::{Profile, Qualification, SocialWorkers, Training};

use crate::listing::{Arg, Page, PageRequest, Where};
use crate::read::Cells;
use crate::sql::ts;
use crate::{By, Result, SqlStore, StoreError};

/// The sector's providers counted: those civil affairs has verified, active and not barred on the day asked
/// (who could bid), serving a place in or over the region asked about.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SectorCounts {
    /// Providers by organisation kind code.
    pub by_kind: Vec<(String, i64)>,
    pub staff: i64,
    pub social_workers: SocialWorkerTotals,
    /// Providers by the year they were founded, oldest first.
    pub founded_by_year: Vec<(i32, i64)>,
    /// Providers by catalogue category code (only categories some provider serves).
    pub by_category: Vec<(String, i64)>,
    /// Every township in the region with how many providers serve it, by code.
    pub by_township: Vec<TownshipCount>,
    /// Finished evaluations of projects in the region, by category and grade.
    pub grades: Vec<GradeCount>,
    /// Training: records, and participant-hours (hundredths).
    pub trainings: i64,
    pub training_hours: Quantity,
    /// Self-registered providers waiting for civil affairs.
    pub pending: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SocialWorkerTotals {
    pub assistant: i64,
    pub intermediate: i64,
    pub senior: i64,
}

/// Finished evaluations of one category and grade: how many, and their totals summed (hundredths of a point).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GradeCount {
    pub category: String,
    pub grade: String,
    pub n: i64,
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TownshipCount {
    pub code: String,
    pub name: String,
    pub providers: i64,
}

/// A flagged qualification with its provider's name, for civil affairs' list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FlaggedQualification {
    pub qualification: Qualification,
    pub provider_name: String,
}

#[async_trait]
pub trait RegistryStore: Send + Sync {
    async fn profile(&self, org_id: i64) -> Result<Option<Profile>>;
    /// Keeps organisation `org_id`'s profile (replacing the one before), with its audit event.
    async fn save_profile(&self, by: &By, org_id: i64, profile: &Profile, now: DateTime<Utc>) -> Result<()>;
    async fn add_qualification(&self, by: &By, q: Qualification, now: DateTime<Utc>) -> Result<Qualification>;
    /// Civil affairs has checked the qualification against its document.
    async fn verify_qualification(&self, by: &By, id: i64, now: DateTime<Utc>) -> Result<Qualification>;
    async fn qualification(&self, id: i64) -> Result<Option<Qualification>>;
    /// An organisation's qualifications, newest first (a provider holds a handful).
    async fn qualifications_of(&self, org_id: i64) -> Result<Vec<Qualification>>;
    /// Whether file `file_id` is a qualification's document.
    async fn is_qualification_document(&self, file_id: i64) -> Result<bool>;
    /// Qualifications of active providers serving in `root`'s subtree (or based there) that expire on or before
    /// `until`, a page at a time, newest first.
    async fn flagged_qualifications(
        &self,
        root: &str,
        until: NaiveDate,
        page: PageRequest,
    ) -> Result<Page<FlaggedQualification>>;
    async fn add_training(&self, by: &By, t: Training, now: DateTime<Utc>) -> Result<Training>;
    /// An organisation's training records, latest course first, a page at a time.
    async fn trainings_of(&self, org_id: i64, page: PageRequest) -> Result<Page<Training>>;
    /// The sector in `root`'s subtree on `today`.
    async fn sector(&self, root: &str, today: NaiveDate) -> Result<SectorCounts>;
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn qualification_from_row(r: &dyn Cells) -> Result<Qualification> {
    let data: String = r.try_get("data")?;
    let mut q: Qualification = serde_json::from_str(&data).map_err(|e| corrupt("qualification", e))?;
    q.id = r.try_get("id")?;
    q.verified_at = match r.try_get::<Option<String>>("verified_at")? {
        Some(t) => Some(crate::sql::parse_ts(&t)?),
        None => None,
    };
    Ok(q)
}

fn training_from_row(r: &dyn Cells) -> Result<Training> {
    let data: String = r.try_get("data")?;
    let mut t: Training = serde_json::from_str(&data).map_err(|e| corrupt("training", e))?;
    t.id = r.try_get("id")?;
    Ok(t)
}

fn date(s: &str, what: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| corrupt(what, e))
}

/// The clause keeping providers who could bid on `today`, on organisation `o`; its arguments go to `w`.
fn could_bid(w: &mut Where, today: NaiveDate) -> String {
    let (verified, day) = (w.text("verified"), w.text(&today.to_string()));
    format!(
        "o.verification = {verified} AND o.active = 1 AND o.class_one = 0 \
         AND (o.barred_until IS NULL OR o.barred_until < {day})"
    )
}

/// The clause keeping organisation `o` when one of its places served lies in `root`'s subtree or holds it: the
/// subtree's range and the root's prefixes (the places above it), each a seek in the areas' index by place.
fn serves_within(w: &mut Where, backend: crate::Backend, root: &str) -> String {
    if root.is_empty() {
        // The whole platform: any place served, tested provider by provider (a list of every area would cost more).
        return "EXISTS (SELECT 1 FROM provider_areas a WHERE a.org_id = o.id)".into();
    }
    let inside = w.subtree(backend, "a.region", root);
    let above: Vec<String> = root.char_indices().skip(1).map(|(end, _)| w.text(&root[..end])).collect();
    let above = if above.is_empty() { String::new() } else { format!(" OR a.region IN ({})", above.join(", ")) };
    format!("o.id IN (SELECT a.org_id FROM provider_areas a WHERE ({inside}){above})")
}

#[async_trait]
impl RegistryStore for SqlStore {
    async fn profile(&self, org_id: i64) -> Result<Option<Profile>> {
        let row = self
            .fetch_optional(
                "SELECT founded_on, registered_capital, staff, sw_assistant, sw_intermediate, sw_senior \
                 FROM provider_profiles WHERE org_id = $1",
                vec![Arg::Int(org_id)],
                |r| {
                    let count = |c: &str| -> Result<u32> {
                        u32::try_from(r.try_get::<i64>(c)?).map_err(|e| corrupt("profile count", e))
                    };
                    Ok(Profile {
                        founded_on: date(&r.try_get::<String>("founded_on")?, "founded_on")?,
                        registered_capital: Money::from_fen(r.try_get("registered_capital")?),
                        staff: count("staff")?,
                        social_workers: SocialWorkers {
                            assistant: count("sw_assistant")?,
                            intermediate: count("sw_intermediate")?,
                            senior: count("sw_senior")?,
                        },
                        service_areas: vec![],
                        categories: vec![],
                    })
                },
            )
            .await?;
        let Some(mut profile) = row else { return Ok(None) };
        let args = || vec![Arg::Int(org_id)];
        profile.service_areas = self
            .fetch_all("SELECT region FROM provider_areas WHERE org_id = $1 ORDER BY region", args(), |r| {
                r.try_get("region")
            })
            .await?;
        profile.categories = self
            .fetch_all("SELECT category FROM provider_categories WHERE org_id = $1 ORDER BY category", args(), |r| {
                r.try_get("category")
            })
            .await?;
        Ok(Some(profile))
    }

    async fn save_profile(&self, by: &By, org_id: i64, profile: &Profile, now: DateTime<Utc>) -> Result<()> {
        let before = self.profile(org_id).await?;
        let mut w = self.begin_write().await?;
        for table in ["provider_areas", "provider_categories", "provider_profiles"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE org_id = $1")).bind(org_id).execute(&mut *w.tx).await?;
        }
        let sw = profile.social_workers;
        sqlx::query(
            "INSERT INTO provider_profiles (org_id, founded_on, registered_capital, staff, sw_assistant, \
             sw_intermediate, sw_senior, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org_id)
        .bind(profile.founded_on.to_string())
        .bind(profile.registered_capital.fen())
        .bind(i64::from(profile.staff))
        .bind(i64::from(sw.assistant))
        .bind(i64::from(sw.intermediate))
        .bind(i64::from(sw.senior))
        .bind(ts(now))
        .execute(&mut *w.tx)
        .await
        .map_err(crate::error::classify)?;
        for (table, column, values) in [
            ("provider_areas", "region", &profile.service_areas),
            ("provider_categories", "category", &profile.categories),
        ] {
            for v in values {
                sqlx::query(&format!("INSERT INTO {table} (org_id, {column}) VALUES ($1, $2)"))
                    .bind(org_id)
                    .bind(v)
                    .execute(&mut *w.tx)
                    .await
                    .map_err(crate::error::classify)?;
            }
        }
        let before = before.map_or(Value::Null, |p| json!(p));
        let event = by.event(Action::ProviderProfileSave, "organisation", &org_id.to_string(), before, json!(profile));
        self.commit_with(w, event, now).await
    }

    async fn add_qualification(&self, by: &By, q: Qualification, now: DateTime<Utc>) -> Result<Qualification> {
        let data = serde_json::to_string(&q).map_err(|e| corrupt("qualification", e))?;
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO qualifications (org_id, kind, expires_on, file_id, added_at, data) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(q.org_id)
        .bind(q.kind.code())
        .bind(q.expires_on.map(|d| d.to_string()))
        .bind(q.file_id)
        .bind(ts(now))
        .bind(data)
        .fetch_one(&mut *w.tx)
        .await
        .map_err(crate::error::classify)?;
        let q = Qualification { id: sqlx::Row::try_get(&row, 0)?, verified_at: None, ..q };
        let event = by.event(Action::QualificationAdd, "organisation", &q.org_id.to_string(), Value::Null, json!(q));
        self.commit_with(w, event, now).await?;
        Ok(q)
    }

    async fn verify_qualification(&self, by: &By, id: i64, now: DateTime<Utc>) -> Result<Qualification> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE qualifications SET verified_at = $1, verified_by = $2 WHERE id = $3 AND verified_at IS NULL",
        )
        .bind(ts(now))
        .bind(by.user_id)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        let row =
            sqlx::query("SELECT org_id FROM qualifications WHERE id = $1").bind(id).fetch_optional(&mut *w.tx).await?;
        let Some(row) = row else {
            return Err(shanzhi_domain::DomainError::NotFound { what: "qualification" }.into());
        };
        if done.rows_affected() == 1 {
            let org_id: i64 = sqlx::Row::try_get(&row, 0)?;
            let event = by.event(
                Action::QualificationVerify,
                "organisation",
                &org_id.to_string(),
                Value::Null,
                json!({"qualification_id": id}),
            );
            self.commit_with(w, event, now).await?;
        }
        // A second check changes nothing and records nothing: the first one's time stands.
        self.qualification(id).await?.ok_or_else(|| StoreError::Corrupt("qualification vanished".into()))
    }

    async fn qualification(&self, id: i64) -> Result<Option<Qualification>> {
        self.fetch_optional(
            "SELECT id, verified_at, data FROM qualifications WHERE id = $1",
            vec![Arg::Int(id)],
            qualification_from_row,
        )
        .await
    }

    async fn qualifications_of(&self, org_id: i64) -> Result<Vec<Qualification>> {
        self.fetch_all(
            "SELECT id, verified_at, data FROM qualifications WHERE org_id = $1 ORDER BY id DESC",
            vec![Arg::Int(org_id)],
            qualification_from_row,
        )
        .await
    }

    async fn is_qualification_document(&self, file_id: i64) -> Result<bool> {
        let found = self
            .fetch_optional(
                "SELECT 1 AS found FROM qualifications WHERE file_id = $1 LIMIT 1",
                vec![Arg::Int(file_id)],
                |r| r.try_get::<i64>("found"),
            )
            .await?;
        Ok(found.is_some())
    }

    async fn flagged_qualifications(
        &self,
        root: &str,
        until: NaiveDate,
        page: PageRequest,
    ) -> Result<Page<FlaggedQualification>> {
        let mut w = Where::default();
        let day = w.text(&until.to_string());
        w.and(format!("q.expires_on IS NOT NULL AND q.expires_on <= {day} AND o.active = 1"));
        let based = w.starts_with("COALESCE(o.region, '')", root);
        let serves = serves_within(&mut w, crate::Store::backend(self), root);
        w.and(format!("({based} OR {serves})"));
        let sql = format!(
            "SELECT q.id AS id, q.verified_at AS verified_at, q.data AS data, o.name AS provider_name \
             FROM qualifications q JOIN organisations o ON o.id = q.org_id{}",
            w.page_sql("q.id", page)
        );
        let rows = self
            .fetch_all(&sql, w.into_args(), |r| {
                Ok(FlaggedQualification {
                    qualification: qualification_from_row(r)?,
                    provider_name: r.try_get("provider_name")?,
                })
            })
            .await?;
        Ok(Page::cut(rows, page.limit, |f| f.qualification.id))
    }

    async fn add_training(&self, by: &By, t: Training, now: DateTime<Utc>) -> Result<Training> {
        let data = serde_json::to_string(&t).map_err(|e| corrupt("training", e))?;
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO trainings (org_id, held_on, hours, participants, added_at, data) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(t.org_id)
        .bind(t.held_on.to_string())
        .bind(t.hours.hundredths())
        .bind(i64::from(t.participants))
        .bind(ts(now))
        .bind(data)
        .fetch_one(&mut *w.tx)
        .await
        .map_err(crate::error::classify)?;
        let t = Training { id: sqlx::Row::try_get(&row, 0)?, ..t };
        let event = by.event(Action::TrainingAdd, "organisation", &t.org_id.to_string(), Value::Null, json!(t));
        self.commit_with(w, event, now).await?;
        Ok(t)
    }

    async fn trainings_of(&self, org_id: i64, page: PageRequest) -> Result<Page<Training>> {
        let mut w = Where::default();
        let org = w.int(org_id);
        w.and(format!("org_id = {org}"));
        let sql = format!("SELECT id, data FROM trainings{}", w.page_sql("id", page));
        let rows = self.fetch_all(&sql, w.into_args(), training_from_row).await?;
        Ok(Page::cut(rows, page.limit, |t| t.id))
    }

    async fn sector(&self, root: &str, today: NaiveDate) -> Result<SectorCounts> {
        let backend = crate::Store::backend(self);
        // The providers counted, as a subquery each figure reads from.
        let counted = |w: &mut Where| {
            let (bid, serves) = (could_bid(w, today), serves_within(w, backend, root));
            format!("SELECT o.id AS id, o.kind AS kind FROM organisations o WHERE {bid} AND {serves}")
        };
        let mut counts = SectorCounts::default();

        let mut w = Where::default();
        let sql = format!(
            "SELECT c.kind AS kind, COUNT(*) AS n, CAST(COALESCE(SUM(p.staff), 0) AS BIGINT) AS staff, \
             CAST(COALESCE(SUM(p.sw_assistant), 0) AS BIGINT) AS a, \
             CAST(COALESCE(SUM(p.sw_intermediate), 0) AS BIGINT) AS i, \
             CAST(COALESCE(SUM(p.sw_senior), 0) AS BIGINT) AS s \
             FROM ({}) c LEFT JOIN provider_profiles p ON p.org_id = c.id GROUP BY c.kind ORDER BY c.kind",
            counted(&mut w)
        );
        let rows = self
            .fetch_all(&sql, w.into_args(), |r| {
                let sum = |c: &str| r.try_get::<i64>(c);
                Ok((r.try_get::<String>("kind")?, sum("n")?, sum("staff")?, [sum("a")?, sum("i")?, sum("s")?]))
            })
            .await?;
        for (kind, n, staff, [a, i, s]) in rows {
            counts.by_kind.push((kind, n));
            counts.staff += staff;
            counts.social_workers.assistant += a;
            counts.social_workers.intermediate += i;
            counts.social_workers.senior += s;
        }

        let mut w = Where::default();
        let sql = format!(
            "SELECT CAST(substr(p.founded_on, 1, 4) AS BIGINT) AS y, COUNT(*) AS n FROM ({}) c \
             JOIN provider_profiles p ON p.org_id = c.id GROUP BY substr(p.founded_on, 1, 4) ORDER BY y",
            counted(&mut w)
        );
        counts.founded_by_year = self
            .fetch_all(&sql, w.into_args(), |r| {
                let y = i32::try_from(r.try_get::<i64>("y")?).map_err(|e| corrupt("founding year", e))?;
                Ok((y, r.try_get("n")?))
            })
            .await?;

        let mut w = Where::default();
        let sql = format!(
            "SELECT pc.category AS category, COUNT(*) AS n FROM ({}) c \
             JOIN provider_categories pc ON pc.org_id = c.id GROUP BY pc.category ORDER BY pc.category",
            counted(&mut w)
        );
        counts.by_category =
            self.fetch_all(&sql, w.into_args(), |r| Ok((r.try_get("category")?, r.try_get("n")?))).await?;

        // A township is served by a provider serving it, a place above it (prefix equality, which the areas'
        // index answers) or a village in it (a range on the same index).
        let mut w = Where::default();
        let providers = counted(&mut w);
        let (level, inside) = (w.text("township"), w.starts_with("t.code", root));
        let sql = format!(
            "SELECT t.code AS code, t.name AS name, COUNT(DISTINCT a.org_id) AS n FROM regions t \
             LEFT JOIN provider_areas a ON (a.region IN (substr(t.code, 1, 2), substr(t.code, 1, 4), \
             substr(t.code, 1, 6), t.code) OR (a.region > t.code AND a.region < t.code || ':')) \
             AND a.org_id IN (SELECT id FROM ({providers}) c) \
             WHERE t.level = {level} AND {inside} GROUP BY t.code, t.name ORDER BY t.code"
        );
        counts.by_township = self
            .fetch_all(&sql, w.into_args(), |r| {
                Ok(TownshipCount { code: r.try_get("code")?, name: r.try_get("name")?, providers: r.try_get("n")? })
            })
            .await?;

        // Graded projects through the partial index on `graded_on` (set with the grade), never a scan of them all.
        let mut w = Where::default();
        let inside = w.subtree(crate::Store::backend(self), "r.region", root);
        let sql = format!(
            "SELECT p.category AS category, p.grade AS grade, COUNT(*) AS n, \
             CAST(COALESCE(SUM(p.score), 0) AS BIGINT) AS points FROM projects p \
             WHERE p.graded_on IS NOT NULL AND EXISTS (SELECT 1 FROM project_regions r WHERE r.project_id = p.id AND {inside}) \
             GROUP BY p.category, p.grade ORDER BY p.category, p.grade"
        );
        counts.grades = self
            .fetch_all(&sql, w.into_args(), |r| {
                Ok(GradeCount {
                    category: r.try_get("category")?,
                    grade: r.try_get("grade")?,
                    n: r.try_get("n")?,
                    points: r.try_get("points")?,
                })
            })
            .await?;

        let mut w = Where::default();
        let sql = format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(t.hours * t.participants), 0) AS BIGINT) AS h FROM trainings t \
             WHERE t.org_id IN (SELECT id FROM ({}) c)",
            counted(&mut w)
        );
        let (n, h) = self
            .fetch_optional(&sql, w.into_args(), |r| Ok((r.try_get::<i64>("n")?, r.try_get::<i64>("h")?)))
            .await?
            .unwrap_or_default();
        counts.trainings = n;
        counts.training_hours = Quantity::from_hundredths(h);

        let mut w = Where::default();
        let (pending, based) = (w.text("pending"), w.starts_with("COALESCE(o.region, '')", root));
        let sql = format!(
            "SELECT COUNT(*) AS n FROM organisations o WHERE o.registered_at IS NOT NULL AND o.verification = {pending} \
             AND {based}"
        );
        counts.pending = self.fetch_optional(&sql, w.into_args(), |r| r.try_get("n")).await?.unwrap_or(0);
        Ok(counts)
    }
}
