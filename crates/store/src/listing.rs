//! Lists as queries: filters become a WHERE clause with numbered arguments, pages are keyset ranges on the id,
//! newest first, so a page costs the same on the millionth row as on the first and an item present when the first
//! page was read appears exactly once however many are added meanwhile.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

/// How many items a page may hold at most, and the default.
pub const MAX_LIMIT: u32 = 200;
pub const DEFAULT_LIMIT: u32 = 50;

/// Which page: at most `limit` items with ids below `before` (from the start when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub before: Option<i64>,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { limit: DEFAULT_LIMIT, before: None }
    }
}

impl PageRequest {
    pub fn first(limit: u32) -> PageRequest {
        PageRequest { limit, before: None }
    }
}

/// One page of a list, and where the next begins when more remain: the key of its last item, an id (passed as
/// `before` for the next page) unless the list is keyed otherwise (a township's code).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Page<T, K = i64> {
    pub items: Vec<T>,
    pub next: Option<K>,
}

impl<T> Page<T> {
    /// Cuts a query's `limit + 1` rows to the page, noting the next page's start when the extra row came.
    pub(crate) fn cut(rows: Vec<T>, limit: u32, id: impl Fn(&T) -> i64) -> Page<T> {
        Page::cut_by(rows, limit, id)
    }
}

impl<T, K> Page<T, K> {
    /// [`Page::cut`] for a list keyed by `key`.
    pub(crate) fn cut_by(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> K) -> Page<T, K> {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = if more { rows.last().map(key) } else { None };
        Page { items: rows, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U, K> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }

    /// Keeps and maps the items `f` keeps; the next page stays where it was.
    pub fn filter_map<U>(self, f: impl FnMut(T) -> Option<U>) -> Page<U, K> {
        Page { items: self.items.into_iter().filter_map(f).collect(), next: self.next }
    }
}

#[derive(Clone, PartialEq)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
    /// An integer column that may be NULL (typed, so PostgreSQL knows the parameter's type).
    OptInt(Option<i64>),
    OptText(Option<String>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(v.to_string())
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(v)
    }
}

impl Arg {
    pub(crate) fn bind_to<'q>(self, q: Query<'q, Any, AnyArguments<'q>>) -> Query<'q, Any, AnyArguments<'q>> {
        match self {
            Arg::Int(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
            Arg::OptInt(v) => q.bind(v),
            Arg::OptText(v) => q.bind(v),
        }
    }

    /// The value as a PostgreSQL literal, for a script sent by the simple protocol (which takes no arguments).
    /// Text is an escape string (`E'…'`), so it means the same whatever `standard_conforming_strings` says; text
    /// holding a NUL has no literal (the protocol ends a query at a NUL).
    fn pg_literal(&self) -> Option<String> {
        let text = |t: &str| (!t.contains('\0')).then(|| format!("E'{}'", t.replace('\\', "\\\\").replace('\'', "''")));
        match self {
            Arg::Int(v) | Arg::OptInt(Some(v)) => Some(v.to_string()),
            Arg::Text(t) | Arg::OptText(Some(t)) => text(t),
            Arg::OptInt(None) | Arg::OptText(None) => Some("NULL".into()),
        }
    }
}

/// A WHERE clause built from parts, each with its arguments numbered in order (`$1`, `$2`, …).
#[derive(Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    /// A placeholder for `arg`, to put in a clause.
    pub(crate) fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }
    pub(crate) fn int(&mut self, v: i64) -> String {
        self.arg(Arg::Int(v))
    }
    pub(crate) fn text(&mut self, v: &str) -> String {
        self.arg(Arg::Text(v.to_string()))
    }
    pub(crate) fn and(&mut self, clause: String) {
        self.clauses.push(clause);
    }
    /// `column` starts with `prefix`, as a range the column's index answers (byte order on both backends).
    pub(crate) fn prefix(&mut self, column: &str, prefix: &str) -> String {
        let (lo, hi) = (self.text(prefix), self.text(&prefix_end(prefix)));
        format!("{column} >= {lo} AND {column} < {hi}")
    }
    /// `column`, a region code, in `root`'s subtree, as a range an index in byte order answers: on PostgreSQL the
    /// column compared `COLLATE "C"` (the index must be on that expression), whatever the database's collation.
    pub(crate) fn subtree(&mut self, backend: crate::Backend, column: &str, root: &str) -> String {
        match backend {
            crate::Backend::Postgres => self.prefix(&format!(r#"({column} COLLATE "C")"#), root),
            crate::Backend::Sqlite => self.prefix(column, root),
        }
    }
    /// `column` starts with `prefix`, for columns kept in the database's own collation (no index range: for small
    /// tables such as organisations).
    pub(crate) fn starts_with(&mut self, column: &str, prefix: &str) -> String {
        let p = self.text(prefix);
        format!("substr({column}, 1, length({p})) = {p}")
    }
    /// The page's range and order: ids below the cursor, newest first, one more row than the page holds.
    pub(crate) fn page_sql(&mut self, id_column: &str, page: PageRequest) -> String {
        if let Some(before) = page.before {
            let p = self.int(before);
            self.and(format!("{id_column} < {p}"));
        }
        let limit = self.int(i64::from(page.limit) + 1);
        format!("{} ORDER BY {id_column} DESC LIMIT {limit}", self.sql())
    }
    /// ` WHERE …` or nothing.
    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
    /// The arguments, in the order of their numbers.
    pub(crate) fn into_args(self) -> Vec<Arg> {
        self.args
    }
    /// `sql` (whose placeholders are this clause's) with every argument written in as a PostgreSQL literal; `None`
    /// when one has no literal.
    pub(crate) fn inline_pg(&self, sql: &str) -> Option<String> {
        let mut out = String::with_capacity(sql.len() + 64);
        let mut rest = sql;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let digits = rest[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
            let n: usize = rest[at + 1..at + 1 + digits].parse().ok()?;
            out.push_str(&self.args.get(n.checked_sub(1)?)?.pg_literal()?);
            rest = &rest[at + 1 + digits..];
        }
        out.push_str(rest);
        Some(out)
    }
    pub(crate) fn bind<'q>(self, q: Query<'q, Any, AnyArguments<'q>>) -> Query<'q, Any, AnyArguments<'q>> {
        bind_all(q, self.args)
    }
}

/// `q` with `args` bound to its placeholders in order.
pub(crate) fn bind_all<'q>(
    mut q: Query<'q, Any, AnyArguments<'q>>,
    args: impl IntoIterator<Item = Arg>,
) -> Query<'q, Any, AnyArguments<'q>> {
    for a in args {
        q = a.bind_to(q);
    }
    q
}

/// The least string above every string that starts with `prefix`.
pub(crate) fn prefix_end(prefix: &str) -> String {
    format!("{prefix}{}", char::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_written_in_as_literals_keep_quotes_and_backslashes_inside_the_string() {
        let mut w = Where::default();
        let (a, b, c, d) =
            (w.text("it's a \\' test"), w.int(-7), w.arg(Arg::OptText(None)), w.arg(Arg::OptInt(Some(3))));
        let sql = format!("UPDATE t SET a = {a}, b = {b}, c = {c}, d = {d}");
        let ten: Vec<String> = (0..8).map(|i| w.int(i)).collect();
        assert_eq!(ten.last().map(String::as_str), Some("$12"));
        assert_eq!(
            w.inline_pg(&format!("{sql} WHERE x IN ({})", ten.join(", "))).as_deref(),
            Some(
                "UPDATE t SET a = E'it''s a \\\\'' test', b = -7, c = NULL, d = 3 WHERE x IN (0, 1, 2, 3, 4, 5, 6, 7)"
            )
        );
        let mut w = Where::default();
        let nul = w.text("a\0b");
        assert_eq!(w.inline_pg(&format!("SELECT {nul}")), None, "no literal holds a NUL");
        assert_eq!(Where::default().inline_pg("SELECT $1"), None, "an argument that is not there");
    }

    #[test]
    fn a_page_of_more_rows_than_its_limit_points_at_its_last_item() {
        let page = Page::cut(vec![9, 8, 7], 2, |x| *x);
        assert_eq!(page, Page { items: vec![9, 8], next: Some(8) });
        let last = Page::cut(vec![9, 8], 2, |x| *x);
        assert_eq!(last, Page { items: vec![9, 8], next: None });
    }

    #[test]
    fn a_prefix_range_holds_the_subtree_and_nothing_beside_it() {
        let end = prefix_end("4205");
        for inside in ["4205", "420506", "420506001"] {
            assert!(inside >= "4205" && inside < end.as_str(), "{inside}");
        }
        for outside in ["4204", "4206", "42", "421"] {
            assert!(!(outside >= "4205" && outside < end.as_str()), "{outside}");
        }
    }

    #[test]
    fn clauses_number_their_arguments_in_order() {
        let mut w = Where::default();
        let a = w.int(7);
        w.and(format!("x = {a}"));
        let range = w.prefix("r", "42");
        w.and(range);
        assert_eq!(
            w.page_sql("id", PageRequest { limit: 10, before: Some(99) }),
            " WHERE x = $1 AND r >= $2 AND r < $3 AND id < $4 ORDER BY id DESC LIMIT $5"
        );
    }
}
