//! Search by words: the term tables (`notice_terms`, `project_terms`) hold each title's character bigrams beside its
//! record's id, so that a words query seeks the newest records holding every term instead of reading every title.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use shanzhi_domain::search::Query;

use crate::listing::{Arg, Where};

/// A term table and the list it serves: the table, its id column, the list's record id and the title it indexes
/// (in the list's alias), the table of the places the list's records are under (`code`, then the id column), and
/// the records' own table.
pub(crate) struct Terms {
    pub table: &'static str,
    pub id: &'static str,
    pub record: &'static str,
    pub title: &'static str,
    pub places: &'static str,
    pub records: &'static str,
}

pub(crate) const NOTICE_TERMS: Terms = Terms {
    table: "notice_terms",
    id: "notice_id",
    record: "n.id",
    title: "n.title",
    places: "notice_regions",
    records: "notices",
};
pub(crate) const PROJECT_TERMS: Terms = Terms {
    table: "project_terms",
    id: "project_id",
    record: "p.id",
    title: "p.title",
    places: "project_places",
    records: "projects",
};

/// How many rows of a term or a place the choice of a search's leading index counts at most.
const PROBE_ROWS: i64 = 20_000;

/// A title's rows in a term table ([`shanzhi_domain::search::bigrams`]), for the record `id`.
pub(crate) fn term_rows(id: i64, title: &str) -> Vec<Vec<Arg>> {
    shanzhi_domain::search::bigrams(title).into_iter().map(|t| vec![Arg::Text(t), Arg::Int(id)]).collect()
}

/// The clauses of a words query over the list's records: with `lead`, over the term table aliased `t` too, whose
/// first term leads (the list pages on `t`'s id) — otherwise that term is checked record by record like the others
/// — and each word whole in the folded title.
pub(crate) fn words_clauses(w: &mut Where, q: &Query, postgres: bool, terms: &Terms, lead: bool) {
    let Terms { table, id, record, title, .. } = terms;
    let (first, rest) = q.terms.split_first().expect("a parsed query has terms");
    let checked = if lead {
        let v = w.text(first);
        w.and(format!("t.term = {v}"));
        rest
    } else {
        &q.terms[..]
    };
    let of = if lead { format!("t.{id}") } else { record.to_string() };
    for term in checked {
        let v = w.text(term);
        w.and(format!("EXISTS (SELECT 1 FROM {table} o WHERE o.term = {v} AND o.{id} = {of})"));
    }
    for word in &q.words {
        let v = w.text(word);
        w.and(if postgres {
            format!("strpos(lower({title} COLLATE \"C\"), {v}) > 0")
        } else {
            format!("instr(lower({title}), {v}) > 0")
        });
    }
}

/// Which list a words search leads with: the query's first term's, the place's, or the records of the other
/// filters asked for (a notice's kind and year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lead {
    Words,
    Place,
    Listed,
}

/// How long a list's counted size is trusted before it is counted again.
const SIZE_KEPT_FOR: Duration = Duration::from_secs(600);
/// How many lists' sizes are kept at most; past it they are all forgotten and counted again as asked.
const SIZES_KEPT: usize = 50_000;

/// The sizes of the lists a search chose between, as last counted (each up to [`PROBE_ROWS`]): the statistics a
/// plan is chosen by, as a database keeps its own. They never decide what a search finds, only which index it reads
/// first, so a size some minutes old costs at most a slower plan — where counting them at every request cost three
/// to seven times the page itself (at 100,000 projects a word's 20,000 rows 0.6–3 ms, its page 0.2–0.5 ms).
#[derive(Debug, Default)]
pub(crate) struct ListSizes(Mutex<HashMap<String, (i64, Instant)>>);

impl ListSizes {
    fn get(&self, key: &str, now: Instant) -> Option<i64> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(key).filter(|(_, at)| now.duration_since(*at) < SIZE_KEPT_FOR).map(|(n, _)| *n)
    }

    fn keep(&self, sizes: impl IntoIterator<Item = (String, i64)>, now: Instant) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= SIZES_KEPT {
            kept.clear();
        }
        kept.extend(sizes.into_iter().map(|(key, n)| (key, (n, now))));
    }
}

/// One list a search could lead with: the rows of `from` whose columns equal the values given.
struct Candidate<'a> {
    lead: Lead,
    from: &'a str,
    equal: Vec<(&'a str, Arg)>,
}

impl Candidate<'_> {
    /// What names the list among all that are counted: its table and its condition's values.
    fn key(&self) -> String {
        let mut key = self.from.to_string();
        for (column, v) in &self.equal {
            let v = match v {
                Arg::Int(v) | Arg::OptInt(Some(v)) => v.to_string(),
                Arg::Text(v) | Arg::OptText(Some(v)) => v.clone(),
                Arg::OptInt(None) | Arg::OptText(None) => String::new(),
            };
            key.push_str(&format!("\u{1f}{column}={v}"));
        }
        key
    }

    /// Its rows, counted up to [`PROBE_ROWS`], as a subquery named `name` with its values in `w`.
    fn count(&self, w: &mut Where, name: &str) -> String {
        let clause: Vec<String> =
            self.equal.iter().map(|(column, v)| format!("{column} = {}", w.arg(v.clone()))).collect();
        format!(
            "(SELECT COUNT(*) FROM (SELECT 1 AS x FROM {} WHERE {} LIMIT {PROBE_ROWS}) c) AS {name}",
            self.from,
            clause.join(" AND ")
        )
    }
}

impl crate::SqlStore {
    /// The list a words search under `place` and narrowed by `listed` (columns of the records' table, and of the
    /// places' table beside them, each equal to its value) leads with: the one with the fewest rows, each counted up
    /// to [`PROBE_ROWS`], the words on a tie. A rare place or kind with a common word (养老 in one village, or
    /// among corrections) would otherwise walk the word's every row. Filters broad on their own but rare together
    /// still read many rows whoever leads. The sizes are counted once in a while ([`ListSizes`]), not at every
    /// search.
    pub(crate) async fn search_lead(
        &self,
        terms: &Terms,
        q: &Query,
        place: Option<&str>,
        listed: &[(&str, Arg)],
    ) -> crate::error::Result<Lead> {
        // Nothing to choose between.
        if place.is_none() && listed.is_empty() {
            return Ok(Lead::Words);
        }
        let Terms { table, places, records, .. } = terms;
        let mut candidates =
            vec![Candidate { lead: Lead::Words, from: table, equal: vec![("term", Arg::Text(q.terms[0].clone()))] }];
        if let Some(code) = place {
            // The place's rows hold the listed columns too, and leading with the place reads only its rows of
            // those values: that is the list to count.
            let equal = std::iter::once(("code", Arg::Text(code.into()))).chain(listed.iter().cloned()).collect();
            candidates.push(Candidate { lead: Lead::Place, from: places, equal });
        }
        if !listed.is_empty() {
            candidates.push(Candidate { lead: Lead::Listed, from: records, equal: listed.to_vec() });
        }
        let now = Instant::now();
        let keys: Vec<String> = candidates.iter().map(Candidate::key).collect();
        let mut sizes: Vec<Option<i64>> = keys.iter().map(|k| self.list_sizes.get(k, now)).collect();
        let missing: Vec<usize> = (0..candidates.len()).filter(|&i| sizes[i].is_none()).collect();
        if !missing.is_empty() {
            let mut w = Where::default();
            let counts: Vec<String> =
                missing.iter().enumerate().map(|(n, &i)| candidates[i].count(&mut w, &format!("n{n}"))).collect();
            let sql = format!("SELECT {}", counts.join(", "));
            let counted: Vec<i64> = self
                .fetch_one(&sql, w.into_args(), |r| {
                    (0..missing.len()).map(|n| r.try_get::<i64>(&format!("n{n}"))).collect()
                })
                .await?;
            for (&i, n) in missing.iter().zip(&counted) {
                sizes[i] = Some(*n);
            }
            if self.batch.is_none() {
                self.list_sizes.keep(missing.iter().zip(counted).map(|(&i, n)| (keys[i].clone(), n)), now);
            }
        }
        // The first of the smallest: the words on a tie.
        let smallest = candidates.iter().zip(sizes).min_by_key(|(_, n)| n.unwrap_or(i64::MAX)).map(|(c, _)| c.lead);
        Ok(smallest.unwrap_or(Lead::Words))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_size_is_trusted_for_ten_minutes_and_the_kept_ones_are_bounded() {
        let sizes = ListSizes::default();
        let t0 = Instant::now();
        sizes.keep([("notice_terms\u{1f}养老".to_string(), 20_000)], t0);
        assert_eq!(sizes.get("notice_terms\u{1f}养老", t0 + Duration::from_secs(599)), Some(20_000));
        assert_eq!(sizes.get("notice_terms\u{1f}养老", t0 + SIZE_KEPT_FOR), None, "counted again after ten minutes");
        assert_eq!(sizes.get("notice_terms\u{1f}社工", t0), None);

        sizes.keep((0..SIZES_KEPT).map(|i| (i.to_string(), 1)), t0);
        assert_eq!(sizes.get("notice_terms\u{1f}养老", t0), Some(20_000), "filled up to the bound");
        sizes.keep([("one more".to_string(), 3)], t0);
        assert_eq!(sizes.get("notice_terms\u{1f}养老", t0), None, "past the bound all are forgotten");
        assert_eq!(sizes.get("one more", t0), Some(3));
    }
}
