//! Records a batch ([`crate::bulk`]) holds as last saved and writes once when it commits: a generated project is
//! saved a dozen times in a batch and its procurement a few times, and each save rewrote the row and every index
//! on it. Nothing inside a batch reads such a row back for its record: the writers hold the record, and the
//! few reads that need one (a procurement's bid key, an event's reading scope) take the batch's.

use std::collections::BTreeMap;

use shanzhi_domain::DomainError;
use sqlx::AnyConnection;

use crate::error::Result;
use crate::listing::Arg;
use crate::rows::write_rows;

/// A stored record with an id and a version that each save increments.
pub(crate) trait Versioned: Clone {
    fn id(&self) -> i64;
    fn version(&self) -> i64;
}

impl Versioned for shanzhi_domain::project::Project {
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

impl Versioned for shanzhi_domain::procurement::Procurement {
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

/// Records of one table as a batch last saved them.
pub(crate) struct Pending<T> {
    /// By id: the version stored before the batch, and the record as it is now.
    rows: BTreeMap<i64, (i64, T)>,
    /// Records the batch made, by id as it numbered them: not stored at all before its commit.
    new: BTreeMap<i64, T>,
    /// Records the batch made and stored at once (among `rows`), only for other rows to refer to.
    stored_new: std::collections::BTreeSet<i64>,
}

impl<T> Default for Pending<T> {
    fn default() -> Self {
        Pending { rows: BTreeMap::new(), new: BTreeMap::new(), stored_new: Default::default() }
    }
}

impl<T: Versioned> Pending<T> {
    /// Takes `after` as the record's row, refusing it as a save outside a batch would when `before` is not the
    /// version last saved. A record first saved in this batch is checked when the batch commits.
    pub(crate) fn save(&mut self, before: &T, after: &T) -> Result<()> {
        let id = after.id();
        let held = match self.new.get_mut(&id) {
            Some(made) => Some(made),
            None => self.rows.get_mut(&id).map(|(_, r)| r),
        };
        match held {
            Some(held) if held.version() != before.version() => Err(DomainError::StaleVersion.into()),
            Some(held) => {
                *held = after.clone();
                Ok(())
            }
            None => {
                self.rows.insert(id, (before.version(), after.clone()));
                Ok(())
            }
        }
    }

    /// Takes a record the batch made (numbered by it), to be inserted when it commits.
    pub(crate) fn insert(&mut self, record: &T) {
        self.new.insert(record.id(), record.clone());
    }

    /// Takes a record the batch made and stored at once, as a stand-in that other rows can refer to: its row is
    /// written when the batch commits, as a saved one's.
    pub(crate) fn insert_stored(&mut self, record: &T) {
        self.rows.insert(record.id(), (record.version(), record.clone()));
        self.stored_new.insert(record.id());
    }

    /// Whether the batch made the record, so that it is not stored yet, or only as a stand-in.
    pub(crate) fn is_new(&self, id: i64) -> bool {
        self.new.contains_key(&id) || self.stored_new.contains(&id)
    }

    /// The records the batch made and did not store yet, as last saved, by id.
    pub(crate) fn new_records(&self) -> impl Iterator<Item = &T> {
        self.new.values()
    }

    /// Every record the batch made, stored or not, as last saved.
    pub(crate) fn made_records(&self) -> impl Iterator<Item = &T> {
        self.new.values().chain(self.stored_new.iter().filter_map(|id| self.rows.get(id).map(|(_, r)| r)))
    }

    /// Every record the batch holds, made or saved, as last saved.
    pub(crate) fn records(&self) -> impl Iterator<Item = &T> {
        self.new.values().chain(self.rows.values().map(|(_, r)| r))
    }

    /// The record as the batch last saved it.
    pub(crate) fn last(&self, id: i64) -> Option<&T> {
        self.new.get(&id).or_else(|| self.rows.get(&id).map(|(_, r)| r))
    }

    /// Writes every stored record's last row into `table`'s `columns` (each record's `values`, in order), in the
    /// batch's transaction as it commits (the records it made are its owner's to insert); refused (and the batch
    /// with it) when a row is no longer at the version the batch first saved it from.
    pub(crate) async fn write(
        &self,
        conn: &mut AnyConnection,
        table: &str,
        columns: &[&str],
        values: impl Fn(&T) -> Result<Vec<Arg>>,
    ) -> Result<()> {
        let mut rows = Vec::with_capacity(self.rows.len());
        for (id, (stored, record)) in &self.rows {
            let mut row = values(record)?;
            row.extend([Arg::Int(*id), Arg::Int(*stored)]);
            rows.push(row);
        }
        // VALUES names its columns column1, column2, … on both databases.
        let set: Vec<String> = columns.iter().enumerate().map(|(i, c)| format!("{c} = v.column{}", i + 1)).collect();
        let n = columns.len();
        let done = write_rows(
            conn,
            &format!("UPDATE {table} SET {} FROM (", set.join(", ")),
            &format!(") AS v WHERE {table}.id = v.column{} AND {table}.version = v.column{}", n + 1, n + 2),
            rows,
        )
        .await?;
        if done != self.rows.len() as u64 {
            return Err(DomainError::StaleVersion.into());
        }
        Ok(())
    }
}
