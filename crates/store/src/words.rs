//! Search by words: the term tables (`notice_terms`, `project_terms`) hold each title's character bigrams beside its
//! record's id, so that a words query seeks the newest records holding every term instead of reading every title.

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

impl crate::SqlStore {
    /// The list a words search under `place` and narrowed by `listed` (columns of the records' table, each equal
    /// to its value) leads with: the one with the fewest rows, each counted up to [`PROBE_ROWS`], the words on a
    /// tie. A rare place or kind with a common word (养老 in one village, or among corrections) would otherwise walk
    /// the word's every row. Filters broad on their own but rare together still read many rows whoever leads.
    pub(crate) async fn search_lead(
        &self,
        terms: &Terms,
        q: &Query,
        place: Option<&str>,
        listed: &[(&str, Arg)],
    ) -> crate::error::Result<Lead> {
        let Terms { table, places, records, .. } = terms;
        let count = |from: &str, clause: &str| {
            format!("(SELECT COUNT(*) FROM (SELECT 1 AS x FROM {from} WHERE {clause} LIMIT {PROBE_ROWS}) c)")
        };
        let mut args = vec![Arg::Text(q.terms[0].clone())];
        let mut arg = |a: Arg| {
            args.push(a);
            format!("${}", args.len())
        };
        let place_count = match place {
            Some(code) => count(places, &format!("code = {}", arg(Arg::Text(code.into())))),
            None => "-1".into(),
        };
        let clauses: Vec<String> = listed.iter().map(|(column, v)| format!("{column} = {}", arg(v.clone()))).collect();
        let listed_count = if clauses.is_empty() { "-1".into() } else { count(records, &clauses.join(" AND ")) };
        let term_count = count(table, "term = $1");
        let sql = format!("SELECT {term_count} AS term, {place_count} AS place, {listed_count} AS listed");
        let (term, place, listed): (i64, i64, i64) =
            self.fetch_one(&sql, args, |r| Ok((r.try_get("term")?, r.try_get("place")?, r.try_get("listed")?))).await?;
        let smallest = [(term, Lead::Words), (place, Lead::Place), (listed, Lead::Listed)]
            .into_iter()
            .filter(|(n, _)| *n >= 0)
            .min_by_key(|(n, _)| *n)
            .map_or(Lead::Words, |(_, lead)| lead);
        Ok(smallest)
    }
}
