//! The SQL of provider self-registration and of the expert pool. Every write is one transaction with its
//! audit event, as everywhere in the store.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shanzhi_domain::audit::Action;
use shanzhi_domain::committee::{Expert, FormerEmployment};
use shanzhi_domain::org::{Role, Verification};
use shanzhi_domain::{DomainError, ErrorCode};
use sqlx::Row;

use crate::error::{classify, Result, StoreError};
use crate::listing::Arg;
use crate::read::Cells;
use crate::sql::{org_from_row, ts, SqlStore, ORG_COLUMNS};
use crate::{By, ExpertEntry, NewOrganisation, NewUser, Registration, RegistrationDecision};

const REGISTRATION_COLUMNS: &str = "registered_at, verified_by, verified_at, rejection_reason, \
     (SELECT u.username FROM users u WHERE u.org_id = organisations.id ORDER BY u.id LIMIT 1) AS first_username, \
     (SELECT u.display_name FROM users u WHERE u.org_id = organisations.id ORDER BY u.id LIMIT 1) AS first_display_name";

fn registration_from_row(r: &dyn Cells) -> Result<Registration> {
    Ok(Registration {
        organisation: org_from_row(r)?,
        username: r.try_get::<Option<String>>("first_username")?.unwrap_or_default(),
        display_name: r.try_get::<Option<String>>("first_display_name")?.unwrap_or_default(),
        registered_at: r.try_get("registered_at")?,
        verified_by: r.try_get("verified_by")?,
        verified_at: r.try_get("verified_at")?,
        rejection_reason: r.try_get("rejection_reason")?,
    })
}

const EXPERT_COLUMNS: &str = "e.user_id, u.username, u.display_name, e.categories, e.org_id, e.former_employers, \
     e.declared_ties, e.active, e.updated_at";

fn json_column<T: serde::de::DeserializeOwned>(r: &dyn Cells, col: &str) -> Result<T> {
    let s: String = r.try_get(col)?;
    serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("experts.{col}: {e}")))
}

fn entry_from_row(r: &dyn Cells) -> Result<ExpertEntry> {
    Ok(ExpertEntry {
        expert: Expert {
            id: r.try_get("user_id")?,
            name: r.try_get("display_name")?,
            categories: json_column(r, "categories")?,
            org_id: r.try_get("org_id")?,
            former_employers: json_column::<Vec<FormerEmployment>>(r, "former_employers")?,
            declared_ties: json_column(r, "declared_ties")?,
        },
        username: r.try_get("username")?,
        active: r.try_get::<i64>("active")? != 0,
        updated_at: r.try_get("updated_at")?,
    })
}

/// The lists as stored: JSON arrays.
fn lists(e: &Expert) -> (String, String, String) {
    (json!(e.categories).to_string(), json!(e.former_employers).to_string(), json!(e.declared_ties).to_string())
}

/// What the audit record keeps of an entry.
fn audit_view(e: &Expert, active: bool) -> Value {
    json!({
        "categories": e.categories,
        "org_id": e.org_id,
        "former_employers": e.former_employers,
        "declared_ties": e.declared_ties,
        "active": active,
    })
}

impl SqlStore {
    pub(crate) async fn pool_register_provider(
        &self,
        by: &By,
        org: NewOrganisation,
        mut user: NewUser,
        now: DateTime<Utc>,
    ) -> Result<Registration> {
        // Like `organisation.create`, the record names the organisation but never carries an ID number.
        let after = json!({"key": org.key, "name": org.name, "kind": org.kind.code(), "uscc": org.uscc,
            "region": org.region, "username": user.username, "verification": Verification::Pending.code()});
        let event = by.event(Action::OrganisationRegister, "organisation", &org.key, Value::Null, after);
        let mut w = self.begin_write().await?;
        let org_id = self.insert_organisation(&mut w.tx, &org, now).await?;
        sqlx::query("UPDATE organisations SET verification = $1, active = 0, registered_at = $2 WHERE id = $3")
            .bind(Verification::Pending.code())
            .bind(ts(now))
            .bind(org_id)
            .execute(&mut *w.tx)
            .await?;
        self.forget_organisation(org_id);
        user.org_id = org_id;
        self.insert_user(&mut w.tx, &user, now).await?;
        self.commit_with(w, event, now).await?;
        self.pool_registrations(Some(org_id))
            .await?
            .pop()
            .ok_or(StoreError::Corrupt("registered organisation vanished".into()))
    }

    pub(crate) async fn pool_registrations(&self, org_id: Option<i64>) -> Result<Vec<Registration>> {
        let filter = if org_id.is_some() { " AND id = $1" } else { "" };
        let sql = format!(
            "SELECT {ORG_COLUMNS}, {REGISTRATION_COLUMNS} FROM organisations WHERE registered_at IS NOT NULL{filter} ORDER BY registered_at, id"
        );
        let args = org_id.into_iter().map(Arg::from).collect();
        self.fetch_all(&sql, args, registration_from_row).await
    }

    /// A page of the registrations in `state` (any state when none), newest first.
    pub(crate) async fn pool_registration_page(
        &self,
        state: Option<Verification>,
        page: crate::PageRequest,
    ) -> Result<crate::Page<Registration>> {
        let mut w = crate::listing::Where::default();
        w.and("registered_at IS NOT NULL".to_string());
        if let Some(v) = state {
            let code = w.text(v.code());
            w.and(format!("verification = {code}"));
        }
        let sql = format!("SELECT {ORG_COLUMNS}, {REGISTRATION_COLUMNS} FROM organisations{}", w.page_sql("id", page));
        let items = self.fetch_all(&sql, w.into_args(), registration_from_row).await?;
        Ok(crate::Page::cut(items, page.limit, |r| r.organisation.id))
    }

    pub(crate) async fn pool_decide_registration(
        &self,
        by: &By,
        org_id: i64,
        decision: &RegistrationDecision,
        now: DateTime<Utc>,
    ) -> Result<Registration> {
        let mut w = self.begin_write().await?;
        let row =
            sqlx::query("SELECT key, verification FROM organisations WHERE id = $1 AND registered_at IS NOT NULL")
                .bind(org_id)
                .fetch_optional(&mut *w.tx)
                .await?;
        let Some(row) = row else { return Err(DomainError::NotFound { what: "registration" }.into()) };
        let key: String = row.try_get("key")?;
        let state: String = row.try_get("verification")?;
        let refused = || {
            DomainError::refused(
                ErrorCode::RegistrationDecided,
                "该注册申请已经处理过，不能再次核验或驳回",
                "this registration has already been decided",
            )
        };
        if state != Verification::Pending.code() {
            return Err(refused().into());
        }
        let (to, active, reason, action) = match decision {
            RegistrationDecision::Verify => (Verification::Verified, 1i64, None, Action::OrganisationVerify),
            RegistrationDecision::Reject { reason } => {
                (Verification::Rejected, 0i64, Some(reason.clone()), Action::OrganisationReject)
            }
        };
        // The state is checked again in the update, so two reviewers deciding at once cannot both succeed.
        let done = sqlx::query(
            "UPDATE organisations SET verification = $1, active = $2, verified_by = $3, verified_at = $4, rejection_reason = $5 \
             WHERE id = $6 AND verification = $7",
        )
        .bind(to.code())
        .bind(active)
        .bind(by.user_id)
        .bind(ts(now))
        .bind(&reason)
        .bind(org_id)
        .bind(Verification::Pending.code())
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(refused().into());
        }
        self.forget_organisation(org_id);
        if *decision == RegistrationDecision::Verify {
            // Verifying the registration is checking its documents: its qualifications are checked with it.
            sqlx::query(
                "UPDATE qualifications SET verified_at = $1, verified_by = $2 WHERE org_id = $3 AND verified_at IS NULL",
            )
            .bind(ts(now))
            .bind(by.user_id)
            .bind(org_id)
            .execute(&mut *w.tx)
            .await?;
        }
        let event = by.event(
            action,
            "organisation",
            &key,
            json!({"verification": state}),
            json!({"verification": to.code(), "active": active != 0, "rejection_reason": reason}),
        );
        self.commit_with(w, event, now).await?;
        self.pool_registrations(Some(org_id)).await?.pop().ok_or(StoreError::Corrupt("registration vanished".into()))
    }

    pub(crate) async fn pool_entries(&self, user_id: Option<i64>, active_only: bool) -> Result<Vec<ExpertEntry>> {
        let mut filter = Vec::new();
        if user_id.is_some() {
            filter.push("e.user_id = $1");
        }
        if active_only {
            filter.push("e.active = 1 AND u.active = 1");
        }
        let filter = if filter.is_empty() { String::new() } else { format!(" WHERE {}", filter.join(" AND ")) };
        let sql = format!(
            "SELECT {EXPERT_COLUMNS} FROM experts e JOIN users u ON u.id = e.user_id{filter} ORDER BY e.user_id"
        );
        let args = user_id.into_iter().map(Arg::from).collect();
        self.fetch_all_with_batch(&sql, args, entry_from_row).await
    }

    /// A page of the pool, inactive entries included, newest first by the entries' user ids.
    pub(crate) async fn pool_page(&self, page: crate::PageRequest) -> Result<crate::Page<ExpertEntry>> {
        let mut w = crate::listing::Where::default();
        let sql = format!(
            "SELECT {EXPERT_COLUMNS} FROM experts e JOIN users u ON u.id = e.user_id{}",
            w.page_sql("e.user_id", page)
        );
        let items = self.fetch_all_with_batch(&sql, w.into_args(), entry_from_row).await?;
        Ok(crate::Page::cut(items, page.limit, |e| e.expert.id))
    }

    /// The active experts who cover `category`: those with a catalogue code that `category` begins with, found
    /// by the codes' index (one look-up per prefix of `category`) rather than by reading the pool.
    pub(crate) async fn pool_covering(&self, category: &str) -> Result<Vec<Expert>> {
        let prefixes: Vec<&str> = category.char_indices().map(|(i, c)| &category[..i + c.len_utf8()]).collect();
        if prefixes.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=prefixes.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {EXPERT_COLUMNS} FROM experts e JOIN users u ON u.id = e.user_id \
             WHERE e.active = 1 AND u.active = 1 \
             AND e.user_id IN (SELECT c.user_id FROM expert_categories c WHERE c.category IN ({})) ORDER BY e.user_id",
            marks.join(", ")
        );
        let args = prefixes.into_iter().map(Arg::from).collect();
        let entries = self.fetch_all_with_batch(&sql, args, entry_from_row).await?;
        Ok(entries.into_iter().map(|e| e.expert).collect())
    }

    pub(crate) async fn pool_add_expert(
        &self,
        by: &By,
        expert: &Expert,
        new_user: Option<NewUser>,
        now: DateTime<Utc>,
    ) -> Result<ExpertEntry> {
        let (categories, employers, ties) = lists(expert);
        let mut w = self.begin_write().await?;
        let user_id = match &new_user {
            Some(u) => self.insert_user(&mut w.tx, u, now).await?,
            None => {
                let row = sqlx::query("SELECT roles FROM users WHERE id = $1")
                    .bind(expert.id)
                    .fetch_optional(&mut *w.tx)
                    .await?;
                let Some(row) = row else {
                    return Err(
                        DomainError::field("user_id", ErrorCode::UnknownUser, "该用户不存在", "no such user").into()
                    );
                };
                let roles: String = row.try_get("roles")?;
                if !roles.split(',').any(|r| r == Role::Expert.code()) {
                    let roles =
                        if roles.is_empty() { Role::Expert.code().to_string() } else { format!("{roles},expert") };
                    sqlx::query("UPDATE users SET roles = $1 WHERE id = $2")
                        .bind(roles)
                        .bind(expert.id)
                        .execute(&mut *w.tx)
                        .await?;
                }
                expert.id
            }
        };
        sqlx::query(
            "INSERT INTO experts (user_id, categories, org_id, former_employers, declared_ties, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
        )
        .bind(user_id)
        .bind(&categories)
        .bind(expert.org_id)
        .bind(&employers)
        .bind(&ties)
        .bind(ts(now))
        .execute(&mut *w.tx)
        .await
        .map_err(classify)?;
        write_categories(&mut w.tx, user_id, &expert.categories).await?;
        let mut after = audit_view(expert, true);
        after["username"] = json!(new_user.as_ref().map(|u| u.username.clone()));
        let event = by.event(Action::ExpertCreate, "expert", &user_id.to_string(), Value::Null, after);
        self.commit_with(w, event, now).await?;
        self.pool_entries(Some(user_id), false).await?.pop().ok_or(StoreError::Corrupt("added expert vanished".into()))
    }

    pub(crate) async fn pool_update_expert(
        &self,
        by: &By,
        expert: &Expert,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<ExpertEntry> {
        let (categories, employers, ties) = lists(expert);
        let before =
            self.pool_entries(Some(expert.id), false).await?.pop().ok_or(DomainError::NotFound { what: "expert" })?;
        let event = by.event(
            Action::ExpertUpdate,
            "expert",
            &expert.id.to_string(),
            audit_view(&before.expert, before.active),
            audit_view(expert, active),
        );
        let mut w = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE experts SET categories = $1, org_id = $2, former_employers = $3, declared_ties = $4, active = $5, updated_at = $6 \
             WHERE user_id = $7",
        )
        .bind(&categories)
        .bind(expert.org_id)
        .bind(&employers)
        .bind(&ties)
        .bind(i64::from(active))
        .bind(ts(now))
        .bind(expert.id)
        .execute(&mut *w.tx)
        .await
        .map_err(classify)?;
        if done.rows_affected() != 1 {
            return Err(DomainError::NotFound { what: "expert" }.into());
        }
        write_categories(&mut w.tx, expert.id, &expert.categories).await?;
        self.commit_with(w, event, now).await?;
        self.pool_entries(Some(expert.id), false).await?.pop().ok_or(StoreError::Corrupt("expert vanished".into()))
    }
}

/// Replaces the expert's rows in `expert_categories` with `categories` (blank codes cover nothing).
async fn write_categories(tx: &mut sqlx::AnyConnection, user_id: i64, categories: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM expert_categories WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
    let mut codes: Vec<&str> = categories.iter().map(|c| c.as_str()).filter(|c| !c.is_empty()).collect();
    codes.sort_unstable();
    codes.dedup();
    for code in codes {
        sqlx::query("INSERT INTO expert_categories (category, user_id) VALUES ($1, $2)")
            .bind(code)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
