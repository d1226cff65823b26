//! Search by words: the term tables (`notice_terms`, `project_terms`) hold each title's character bigrams beside its
//! record's id, so that a words query seeks the newest records holding every term instead of reading every title.

use shanzhi_domain::search::Query;

use crate::listing::{Arg, Where};

/// A term table and the list it serves: the table, its id column, and the title it indexes (in the list's alias).
pub(crate) struct Terms {
    pub table: &'static str,
    pub id: &'static str,
    pub title: &'static str,
}

pub(crate) const NOTICE_TERMS: Terms = Terms { table: "notice_terms", id: "notice_id", title: "n.title" };
pub(crate) const PROJECT_TERMS: Terms = Terms { table: "project_terms", id: "project_id", title: "p.title" };

/// A title's rows in a term table ([`shanzhi_domain::search::bigrams`]), for the record `id`.
pub(crate) fn term_rows(id: i64, title: &str) -> Vec<Vec<Arg>> {
    shanzhi_domain::search::bigrams(title).into_iter().map(|t| vec![Arg::Text(t), Arg::Int(id)]).collect()
}

/// The clauses of a words query over the term table aliased `t` and the list's records: the first term (which
/// leads, so the list pages on `t`'s id), the others, and each word whole in the folded title.
pub(crate) fn words_clauses(w: &mut Where, q: &Query, postgres: bool, terms: &Terms) {
    let (first, rest) = q.terms.split_first().expect("a parsed query has terms");
    let v = w.text(first);
    w.and(format!("t.term = {v}"));
    let Terms { table, id, title } = terms;
    for term in rest {
        let v = w.text(term);
        w.and(format!("EXISTS (SELECT 1 FROM {table} o WHERE o.term = {v} AND o.{id} = t.{id})"));
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
