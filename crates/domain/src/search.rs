//! Words to search by: character bigrams. Most Chinese queries are two characters (养老, 社工), which a trigram index
//! never matches and no segmenter needs: every two neighbouring characters of a text are its terms, so a text
//! holding a query holds all the query's terms. The index finds the texts holding every term; a text is a match
//! only when it holds each of the query's words whole.

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 50;

/// Folded as the index folds it: ASCII letters in lower case, nothing else changed (both databases' `lower` agree on
/// ASCII, and Chinese has no case).
pub fn fold(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// Every two neighbouring characters of `text`, folded, without those holding white space; each once, sorted.
pub fn bigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = fold(text).chars().collect();
    let mut out: Vec<String> =
        chars.windows(2).filter(|w| !w.iter().any(|c| c.is_whitespace())).map(|w| w.iter().collect()).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A query read into its words (folded, split at white space) and their terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub words: Vec<String>,
    pub terms: Vec<String>,
}

/// Why a query cannot be searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryError {
    /// No word of two characters or more.
    TooShort,
    TooLong,
}

impl Query {
    pub fn parse(q: &str) -> Result<Query, QueryError> {
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let words: Vec<String> = fold(q).split_whitespace().map(String::from).collect();
        if words.is_empty() || words.iter().any(|w| w.chars().count() < 2) {
            return Err(QueryError::TooShort);
        }
        let mut terms: Vec<String> = words.iter().flat_map(|w| bigrams(w)).collect();
        terms.sort_unstable();
        terms.dedup();
        Ok(Query { words, terms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(terms: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn a_text_is_indexed_by_its_folded_bigrams_without_white_space() {
        assert_eq!(bigrams("居家养老"), sorted(&["居家", "家养", "养老"]));
        assert_eq!(bigrams("养老 服务"), sorted(&["养老", "服务"]));
        assert_eq!(bigrams("ABC社工"), sorted(&["ab", "bc", "c社", "社工"]));
        assert_eq!(bigrams("养老养老"), sorted(&["养老", "老养"]), "each term once");
        assert!(bigrams("养").is_empty());
    }

    #[test]
    fn every_term_of_a_query_is_a_term_of_a_text_holding_it() {
        let text = "宜昌市夷陵区民政局关于2026年居家养老服务项目的采购公告";
        let indexed = bigrams(text);
        for q in ["养老", "居家养老", "民政局 养老", "2026", "采购公告"] {
            let query = Query::parse(q).unwrap();
            assert!(query.terms.iter().all(|t| indexed.contains(t)), "{q}");
            assert!(query.words.iter().all(|w| fold(text).contains(w.as_str())), "{q}");
        }
    }

    #[test]
    fn a_query_needs_words_of_two_characters_and_at_most_fifty_in_all() {
        assert_eq!(Query::parse("养"), Err(QueryError::TooShort));
        assert_eq!(Query::parse("  "), Err(QueryError::TooShort));
        assert_eq!(Query::parse("养老 社"), Err(QueryError::TooShort));
        assert_eq!(Query::parse(&"养".repeat(51)), Err(QueryError::TooLong));
        let q = Query::parse("居家养老  SHEGONG").unwrap();
        assert_eq!(q.words, ["居家养老", "shegong"]);
        assert!(q.terms.contains(&"sh".to_string()) && q.terms.contains(&"养老".to_string()));
    }
}
