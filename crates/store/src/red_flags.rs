//! Red flags as stored: written in the transaction of the step that raised them (with the award the flags across
//! a buyer's purchases read later), listed for supervisors by keyset pages, and counted per year, place and buyer.

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use serde_json::Value;
use shanzhi_domain::calendar::china_date;
use shanzhi_domain::red_flags::{AwardFact, FlagCode, HistoryNeeded, RedFlag};
use shanzhi_domain::Money;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

use crate::error::{Result, StoreError};
use crate::listing::{Arg, Page, PageRequest, Where};
use crate::read::Cells;
use crate::rows::insert_rows;
use crate::sql::{parse_ts, ts};
use crate::SqlStore;

/// A flag to store, with where it belongs.
#[derive(Debug, Clone)]
pub struct NewRedFlag {
    pub flag: RedFlag,
    pub project_id: i64,
    pub procurement_id: Option<i64>,
    pub project_code: String,
    pub title: String,
    pub buyer_org_id: i64,
    pub buyer_name: String,
    pub provider_org_id: Option<i64>,
    pub provider_name: Option<String>,
    /// Every region of the project: the flag is under each of their places.
    pub regions: Vec<String>,
}

/// What a step adds for the red flags: the flags it raised, and the award it made, if any.
#[derive(Debug, Clone, Default)]
pub struct Flagging {
    pub flags: Vec<NewRedFlag>,
    pub award: Option<AwardFact>,
}

impl Flagging {
    pub fn is_empty(&self) -> bool {
        self.flags.is_empty() && self.award.is_none()
    }
}

/// A stored flag.
#[derive(Debug, Clone, Serialize)]
pub struct StoredFlag {
    pub id: i64,
    pub code: FlagCode,
    pub project_id: i64,
    pub procurement_id: Option<i64>,
    pub project_code: String,
    pub title: String,
    pub buyer_org_id: i64,
    pub buyer_name: String,
    pub provider_org_id: Option<i64>,
    pub provider_name: Option<String>,
    pub region: String,
    pub year: i32,
    pub evidence: Value,
    pub raised_at: DateTime<Utc>,
}

/// The filters of the flags' list; `root` is the region subtree (a place code) the list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct RedFlagFilter {
    pub code: Option<FlagCode>,
    pub root: Option<String>,
    pub buyer: Option<i64>,
    pub provider: Option<i64>,
    pub year: Option<i32>,
    pub project: Option<i64>,
}

/// A count of flags under a name (a place or a buyer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagTally {
    pub key: String,
    pub name: String,
    pub flags: i64,
}

#[async_trait]
pub trait RedFlagStore: Send + Sync {
    /// The buyer's awards to `provider` and of `category` that `needed` names, as the flags across a buyer's
    /// purchases read them; inside a batch, with what the batch wrote.
    async fn award_history(
        &self,
        buyer: i64,
        provider: i64,
        category: &str,
        needed: &HistoryNeeded,
    ) -> Result<Vec<AwardFact>>;
    /// One page of flags matching `filter`, newest first.
    async fn red_flag_page(&self, filter: &RedFlagFilter, page: PageRequest) -> Result<Page<StoredFlag>>;
    /// How many flags of each code were raised in `year` (every year when `None`) under `place` ('' everywhere).
    async fn red_flag_counts(&self, year: Option<i32>, place: &str) -> Result<BTreeMap<String, i64>>;
    /// The flags of `year` under each child place of `parent` (the top places when `None`), in code order.
    async fn red_flags_by_place(&self, year: i32, parent: Option<&str>) -> Result<Vec<FlagTally>>;
    /// The `limit` buyers with most flags in `year` under `place`, most first.
    async fn red_flags_by_buyer(&self, year: i32, place: &str, limit: u32) -> Result<Vec<FlagTally>>;
}

fn fact_from_row(r: &dyn Cells) -> Result<AwardFact> {
    let on: String = r.try_get("awarded_on")?;
    Ok(AwardFact {
        project_id: r.try_get("project_id")?,
        buyer_org_id: r.try_get("buyer_org_id")?,
        provider_org_id: r.try_get("provider_org_id")?,
        category: r.try_get("category")?,
        region: r.try_get("region")?,
        amount: Money::from_fen(r.try_get("amount_fen")?),
        on: on.parse().map_err(|_| StoreError::Corrupt(format!("award day {on}")))?,
    })
}

fn flag_from_row(r: &dyn Cells) -> Result<StoredFlag> {
    let code: String = r.try_get("code")?;
    let evidence: String = r.try_get("evidence")?;
    Ok(StoredFlag {
        id: r.try_get("id")?,
        code: FlagCode::parse(&code).ok_or_else(|| StoreError::Corrupt(format!("red flag code {code}")))?,
        project_id: r.try_get("project_id")?,
        procurement_id: r.try_get("procurement_id")?,
        project_code: r.try_get("project_code")?,
        title: r.try_get("title")?,
        buyer_org_id: r.try_get("buyer_org_id")?,
        buyer_name: r.try_get("buyer_name")?,
        provider_org_id: r.try_get("provider_org_id")?,
        provider_name: r.try_get("provider_name")?,
        region: r.try_get("region")?,
        year: r.try_get::<i64>("year")? as i32,
        evidence: serde_json::from_str(&evidence).map_err(|e| StoreError::Corrupt(format!("evidence: {e}")))?,
        raised_at: parse_ts(&r.try_get::<String>("raised_at")?)?,
    })
}

fn tally_from_row(r: &dyn Cells) -> Result<FlagTally> {
    Ok(FlagTally { key: r.try_get("k")?, name: r.try_get("name")?, flags: r.try_get("n")? })
}

/// The migration that adds the red flags (and `award_facts`), per backend.
pub(crate) const MIGRATION_SQLITE: i64 = 41;
pub(crate) const MIGRATION_POSTGRES: i64 = 45;

const AWARD_INSERT: &str =
    "INSERT INTO award_facts (project_id, buyer_org_id, provider_org_id, category, region, amount_fen, awarded_on)";
/// A project's award replaces the one it had (an award made again after a challenge).
const AWARD_CONFLICT: &str = " ON CONFLICT (project_id) DO UPDATE SET buyer_org_id = excluded.buyer_org_id, \
     provider_org_id = excluded.provider_org_id, category = excluded.category, region = excluded.region, \
     amount_fen = excluded.amount_fen, awarded_on = excluded.awarded_on";

async fn upsert_award(conn: &mut AnyConnection, a: &AwardFact) -> Result<()> {
    sqlx::query(&format!("{AWARD_INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7){AWARD_CONFLICT}"))
        .bind(a.project_id)
        .bind(a.buyer_org_id)
        .bind(a.provider_org_id)
        .bind(&a.category)
        .bind(&a.region)
        .bind(a.amount.fen())
        .bind(a.on.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl SqlStore {
    /// After the red flags' migration on a store that held projects: each project's award as the flags across a
    /// buyer's purchases read it, so those flags count the awards made before. Read by id in pages of the projects
    /// with a provider.
    pub(crate) async fn fill_award_facts(&self, conn: &mut AnyConnection) -> Result<()> {
        let mut after = 0i64;
        let mut filled = 0usize;
        loop {
            let sql = format!(
                "SELECT {} FROM projects p WHERE p.provider_org_id IS NOT NULL AND p.id > $1 ORDER BY p.id LIMIT 500",
                crate::projects::COLUMNS
            );
            let rows = sqlx::query(&sql).bind(after).fetch_all(&mut *conn).await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("id")?;
            for r in &rows {
                if let Some(fact) = AwardFact::of(&crate::projects::project_from_row(r)?) {
                    upsert_award(conn, &fact).await?;
                    filled += 1;
                }
            }
        }
        if filled > 0 {
            tracing::info!(awards = filled, "filled the awards the red flags read");
        }
        Ok(())
    }

    /// Writes what a step adds for the red flags, in the step's transaction; in a batch, with the batch's others at
    /// its commit, the flags numbered now (the award history it answers meanwhile holds the awards).
    pub(crate) async fn write_flagging(
        &self,
        conn: &mut AnyConnection,
        flagging: &Flagging,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut raised = PendingFlags::default();
        if let Some(a) = &flagging.award {
            match &self.batch {
                Some(_) => {
                    raised.awards.insert(a.project_id, a.clone());
                }
                None => upsert_award(conn, a).await?,
            }
        }
        let year = i64::from(china_date(now).year());
        for f in &flagging.flags {
            let evidence = serde_json::to_string(&f.flag.evidence).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let values = vec![
                Arg::Text(f.flag.code.code().into()),
                Arg::Int(f.project_id),
                Arg::OptInt(f.procurement_id),
                Arg::Text(f.project_code.clone()),
                Arg::Text(f.title.clone()),
                Arg::Int(f.buyer_org_id),
                Arg::Text(f.buyer_name.clone()),
                Arg::OptInt(f.provider_org_id),
                Arg::OptText(f.provider_name.clone()),
                Arg::Text(f.regions.first().cloned().unwrap_or_default()),
                Arg::Int(year),
                Arg::Text(evidence),
                Arg::Text(ts(now)),
            ];
            if self.batch.is_some() {
                let id = self.reserved_ids.red_flags.lock().await.next_id(conn, crate::reserved_ids::RESERVED).await?;
                raised.push(id, Some(values), f, year);
            } else {
                let mut w = Where::default();
                let list: Vec<String> = values.into_iter().map(|v| w.arg(v)).collect();
                let sql = format!("INSERT INTO red_flags ({FLAG_FIELDS}) VALUES ({}) RETURNING id", list.join(", "));
                let row = w.bind(sqlx::query(&sql)).fetch_one(&mut *conn).await?;
                raised.push(row.try_get(0)?, None, f, year);
            }
        }
        match &self.batch {
            Some(batch) => crate::bulk::lock(&batch.flags).take(raised),
            None => raised.write(conn).await?,
        }
        Ok(())
    }
}

/// The columns of a flag's row besides its id, in the order [`SqlStore::write_flagging`] gives their values.
const FLAG_FIELDS: &str = "code, project_id, procurement_id, project_code, title, buyer_org_id, buyer_name, \
                           provider_org_id, provider_name, region, year, evidence, raised_at";

/// Flags raised and not written yet, with their places and what they add to the tallies: a step's, or a batch's
/// (nothing in a batch reads a flag back) with its awards, written many rows to a statement.
#[derive(Default)]
pub(crate) struct PendingFlags {
    /// A batch's awards, by project: its award history answers them with those stored before it.
    awards: BTreeMap<i64, AwardFact>,
    /// Each flag's id and values, when its row is still to be written.
    rows: Vec<Vec<Arg>>,
    places: Vec<Vec<Arg>>,
    /// By year, place ('' for everywhere), buyer and code: summed, as PostgreSQL refuses an upsert that meets its
    /// own row twice.
    tallies: BTreeMap<(i64, String, i64, &'static str), i64>,
}

impl PendingFlags {
    /// Holds flag `id`, raised in `year`, with its row's other `values` unless the row is written already.
    fn push(&mut self, id: i64, values: Option<Vec<Arg>>, f: &NewRedFlag, year: i64) {
        if let Some(values) = values {
            self.rows.push(std::iter::once(Arg::Int(id)).chain(values).collect());
        }
        let places = crate::projects::place_codes(&f.regions);
        for place in std::iter::once(String::new()).chain(places.iter().cloned()) {
            *self.tallies.entry((year, place, f.buyer_org_id, f.flag.code.code())).or_default() += 1;
        }
        self.places.extend(places.into_iter().map(|place| vec![Arg::Text(place), Arg::Int(id)]));
    }

    /// Adds another's flags and awards to these.
    pub(crate) fn take(&mut self, other: PendingFlags) {
        self.awards.extend(other.awards);
        self.rows.extend(other.rows);
        self.places.extend(other.places);
        for (key, n) in other.tallies {
            *self.tallies.entry(key).or_default() += n;
        }
    }

    pub(crate) async fn write(self, conn: &mut AnyConnection) -> Result<()> {
        let awards = self.awards.into_values().map(|a| {
            let on = a.on.to_string();
            let (amount, category, region) = (a.amount.fen(), a.category, a.region);
            vec![Arg::Int(a.project_id), Arg::Int(a.buyer_org_id), Arg::Int(a.provider_org_id), Arg::Text(category)]
                .into_iter()
                .chain([Arg::Text(region), Arg::Int(amount), Arg::Text(on)])
                .collect()
        });
        insert_rows(conn, AWARD_INSERT, AWARD_CONFLICT, awards.collect()).await?;
        insert_rows(conn, &format!("INSERT INTO red_flags (id, {FLAG_FIELDS})"), "", self.rows).await?;
        // A flag reaches every place above its project.
        insert_rows(conn, "INSERT INTO red_flag_places (code, flag_id)", "", self.places).await?;
        let tallies = self
            .tallies
            .into_iter()
            .map(|((year, place, buyer, code), n)| {
                vec![Arg::Int(year), Arg::Text(place), Arg::Int(buyer), Arg::Text(code.to_string()), Arg::Int(n)]
            })
            .collect();
        insert_rows(
            conn,
            "INSERT INTO red_flag_tallies (year, place, buyer_org_id, code, n)",
            " ON CONFLICT (year, place, buyer_org_id, code) DO UPDATE SET n = red_flag_tallies.n + excluded.n",
            tallies,
        )
        .await
    }
}

#[async_trait]
impl RedFlagStore for SqlStore {
    async fn award_history(
        &self,
        buyer: i64,
        provider: i64,
        category: &str,
        needed: &HistoryNeeded,
    ) -> Result<Vec<AwardFact>> {
        // Each half seeks its own index.
        let mut w = Where::default();
        let until = needed.until.to_string();
        let (b, p, since, to) = (w.int(buyer), w.int(provider), w.text(&needed.wins_since.to_string()), w.text(&until));
        let mut sql = format!(
            "SELECT * FROM award_facts WHERE buyer_org_id = {b} AND provider_org_id = {p} \
             AND awarded_on >= {since} AND awarded_on <= {to}"
        );
        if let Some(band) = &needed.parts {
            let (b, c, since, to) = (w.int(buyer), w.text(category), w.text(&band.since.to_string()), w.text(&until));
            let (low, high) = (w.int(band.low.fen()), w.int(band.high.fen()));
            sql.push_str(&format!(
                " UNION SELECT * FROM award_facts WHERE buyer_org_id = {b} AND category = {c} \
                 AND awarded_on >= {since} AND awarded_on <= {to} AND amount_fen >= {low} AND amount_fen < {high}"
            ));
        }
        // On the batch's connection, whose cache holds the awards' pages.
        let mut history = self.fetch_all_with_batch(&sql, w.into_args(), fact_from_row).await?;
        if let Some(batch) = &self.batch {
            // The batch's awards, which replace any stored before it for the same project.
            let held = &crate::bulk::lock(&batch.flags).awards;
            history.retain(|f| !held.contains_key(&f.project_id));
            history.extend(held.values().filter(|f| needed.names(buyer, provider, category, f)).cloned());
        }
        Ok(history)
    }

    async fn red_flag_page(&self, filter: &RedFlagFilter, page: PageRequest) -> Result<Page<StoredFlag>> {
        let mut w = Where::default();
        let from = match &filter.root {
            Some(root) => {
                let v = w.text(root);
                w.and(format!("p.code = {v}"));
                "red_flag_places p JOIN red_flags f ON f.id = p.flag_id"
            }
            None => "red_flags f",
        };
        if let Some(code) = filter.code {
            let v = w.text(code.code());
            w.and(format!("f.code = {v}"));
        }
        if let Some(year) = filter.year {
            let v = w.int(i64::from(year));
            w.and(format!("f.year = {v}"));
        }
        if let Some(buyer) = filter.buyer {
            let v = w.int(buyer);
            w.and(format!("f.buyer_org_id = {v}"));
        }
        if let Some(provider) = filter.provider {
            let v = w.int(provider);
            w.and(format!("f.provider_org_id = {v}"));
        }
        if let Some(project) = filter.project {
            let v = w.int(project);
            w.and(format!("f.project_id = {v}"));
        }
        let id = if filter.root.is_some() { "p.flag_id" } else { "f.id" };
        let sql = format!("SELECT f.* FROM {from}{}", w.page_sql(id, page));
        let flags = self.fetch_all(&sql, w.into_args(), flag_from_row).await?;
        Ok(Page::cut(flags, page.limit, |f| f.id))
    }

    async fn red_flag_counts(&self, year: Option<i32>, place: &str) -> Result<BTreeMap<String, i64>> {
        let mut w = Where::default();
        let v = w.text(place);
        w.and(format!("place = {v}"));
        if let Some(year) = year {
            let v = w.int(i64::from(year));
            w.and(format!("year = {v}"));
        }
        let sql =
            format!("SELECT code AS k, CAST(SUM(n) AS BIGINT) AS n FROM red_flag_tallies{} GROUP BY code", w.sql());
        let rows =
            self.fetch_all(&sql, w.into_args(), |r| Ok((r.try_get::<String>("k")?, r.try_get::<i64>("n")?))).await?;
        let mut counts: BTreeMap<String, i64> = FlagCode::ALL.iter().map(|c| (c.code().to_string(), 0)).collect();
        for (code, n) in rows {
            counts.insert(code, n);
        }
        Ok(counts)
    }

    async fn red_flags_by_place(&self, year: i32, parent: Option<&str>) -> Result<Vec<FlagTally>> {
        let (clause, mut args) = match parent {
            Some(p) => ("r.parent = $1", vec![Arg::from(p)]),
            None => ("r.parent IS NULL", vec![]),
        };
        args.push(Arg::from(i64::from(year)));
        let y = format!("${}", args.len());
        let sql = format!(
            "SELECT r.code AS k, r.name AS name, CAST(COALESCE(SUM(t.n), 0) AS BIGINT) AS n FROM regions r \
             LEFT JOIN red_flag_tallies t ON t.place = r.code AND t.year = {y} WHERE {clause} \
             GROUP BY r.code, r.name ORDER BY r.code"
        );
        self.fetch_all(&sql, args, tally_from_row).await
    }

    async fn red_flags_by_buyer(&self, year: i32, place: &str, limit: u32) -> Result<Vec<FlagTally>> {
        let sql = "SELECT CAST(t.buyer_org_id AS TEXT) AS k, o.name AS name, CAST(SUM(t.n) AS BIGINT) AS n \
                   FROM red_flag_tallies t JOIN organisations o ON o.id = t.buyer_org_id \
                   WHERE t.year = $1 AND t.place = $2 GROUP BY t.buyer_org_id, o.name \
                   ORDER BY n DESC, t.buyer_org_id LIMIT $3";
        let args = vec![Arg::from(i64::from(year)), Arg::from(place), Arg::from(i64::from(limit))];
        self.fetch_all(sql, args, tally_from_row).await
    }
}
