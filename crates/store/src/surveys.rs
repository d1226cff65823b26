//! The satisfaction survey's codes and answers. A code is kept only as its tag — a digest keyed with the data
//! key — so neither the database nor a backup gives the codes away; an answer is stored under the code's tag and
//! period, which the primary key makes once per code and period, in the same transaction as its audit event.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shanzhi_domain::audit::Action;
use shanzhi_domain::survey::{Answer, Satisfaction, Tally};

use crate::listing::Arg;
use crate::read::Cells;
use crate::sql::ts;
use crate::{By, Result, SqlStore, StoreError};

/// What an answer came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Saved,
    /// This code has already answered in this period.
    Already,
}

#[async_trait]
pub trait SurveyStore: Send + Sync {
    /// The keyed tag a code is kept as.
    fn code_tag(&self, code: &str) -> String;
    /// Keeps a batch of codes for project `project_id` (their tags only), with one audit event for the batch;
    /// returns the batch's number.
    async fn issue_codes(&self, by: &By, project_id: i64, codes: &[String], now: DateTime<Utc>) -> Result<i64>;
    /// The project a code was issued for.
    async fn code_project(&self, code: &str) -> Result<Option<i64>>;
    /// Whether the code has answered in `period`.
    async fn has_answered(&self, code: &str, period: usize) -> Result<bool>;
    /// Records an answer of a code in `period`, once, with its audit event.
    async fn answer(
        &self,
        project_id: i64,
        code: &str,
        period: usize,
        answer: &Answer,
        now: DateTime<Utc>,
    ) -> Result<Answered>;
    /// A project's answers counted (every period).
    async fn tally(&self, project_id: i64) -> Result<Tally>;
    /// How many codes a project has had issued.
    async fn codes_issued(&self, project_id: i64) -> Result<i64>;
}

#[async_trait]
impl SurveyStore for SqlStore {
    fn code_tag(&self, code: &str) -> String {
        self.data_key().tag(format!("shanzhi survey code\0{code}").as_bytes())
    }

    async fn issue_codes(&self, by: &By, project_id: i64, codes: &[String], now: DateTime<Utc>) -> Result<i64> {
        let mut w = self.begin_write().await?;
        let batch: i64 = sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(MAX(batch), 0) + 1 AS BIGINT) FROM survey_codes WHERE project_id = $1",
        )
        .bind(project_id)
        .fetch_one(&mut *w.tx)
        .await?;
        for code in codes {
            sqlx::query(
                "INSERT INTO survey_codes (tag, project_id, batch, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(self.code_tag(code))
            .bind(project_id)
            .bind(batch)
            .bind(by.user_id)
            .bind(ts(now))
            .execute(&mut *w.tx)
            .await
            .map_err(crate::error::classify)?;
        }
        let after: Value = json!({"batch": batch, "codes": codes.len()});
        let event = by.event(Action::SurveyCodesIssue, "project", &project_id.to_string(), Value::Null, after);
        self.commit_with(w, event, now).await?;
        Ok(batch)
    }

    async fn code_project(&self, code: &str) -> Result<Option<i64>> {
        let args = vec![Arg::Text(self.code_tag(code))];
        self.fetch_optional("SELECT project_id FROM survey_codes WHERE tag = $1", args, |r| r.try_get("project_id"))
            .await
    }

    async fn has_answered(&self, code: &str, period: usize) -> Result<bool> {
        let args = vec![Arg::Text(self.code_tag(code)), Arg::Int(period as i64)];
        let found = self
            .fetch_optional("SELECT 1 AS found FROM survey_answers WHERE tag = $1 AND period = $2", args, |r| {
                r.try_get::<i64>("found")
            })
            .await?;
        Ok(found.is_some())
    }

    async fn answer(
        &self,
        project_id: i64,
        code: &str,
        period: usize,
        answer: &Answer,
        now: DateTime<Utc>,
    ) -> Result<Answered> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO survey_answers (tag, period, project_id, satisfaction, on_time, recommend, answered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tag, period) DO NOTHING",
        )
        .bind(self.code_tag(code))
        .bind(period as i64)
        .bind(project_id)
        .bind(answer.satisfaction.code())
        .bind(i64::from(answer.on_time))
        .bind(i64::from(answer.recommend))
        .bind(ts(now))
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(Answered::Already);
        }
        // The event says which project and period were answered, never by which code.
        let after = json!({"period": period, "satisfaction": answer.satisfaction.code()});
        let by = By::system("survey");
        let event = by.event(Action::SurveyAnswer, "project", &project_id.to_string(), Value::Null, after);
        self.commit_with(w, event, now).await?;
        Ok(Answered::Saved)
    }

    async fn tally(&self, project_id: i64) -> Result<Tally> {
        let rows = self
            .fetch_all(
                "SELECT satisfaction, on_time, recommend, COUNT(*) AS n FROM survey_answers WHERE project_id = $1 \
                 GROUP BY satisfaction, on_time, recommend",
                vec![Arg::Int(project_id)],
                |r: &dyn Cells| {
                    let level: String = r.try_get("satisfaction")?;
                    let satisfaction = Satisfaction::parse(&level)
                        .ok_or_else(|| StoreError::Corrupt(format!("survey answer {level}")))?;
                    let answer = Answer {
                        satisfaction,
                        on_time: r.try_get::<i64>("on_time")? != 0,
                        recommend: r.try_get::<i64>("recommend")? != 0,
                    };
                    Ok((answer, u32::try_from(r.try_get::<i64>("n")?).unwrap_or(u32::MAX)))
                },
            )
            .await?;
        let mut tally = Tally::default();
        for (answer, n) in rows {
            tally.add(&answer, n);
        }
        Ok(tally)
    }

    async fn codes_issued(&self, project_id: i64) -> Result<i64> {
        self.fetch_one(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM survey_codes WHERE project_id = $1",
            vec![Arg::Int(project_id)],
            |r| r.try_get("n"),
        )
        .await
    }
}
