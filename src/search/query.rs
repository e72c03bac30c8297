//! The query syntax a journalist can type: words (all must match), `"exact phrases"`, `OR`
//! between two terms, and `-excluded` terms. Anything else is text: a quote left open runs to
//! the end, FTS operators and punctuation are just characters, and nothing reaches FTS5 but
//! quoted phrases of our own tokens.

use super::tokenize::analyze;
use crate::domain::InvalidValue;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 4096;

/// One thing to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// Tokens that must stand next to each other, in this order. With `prefix`, the last
    /// token only has to begin a token of the text: a query ending in a lone CJK character
    /// (`3倍`) then matches it at the start of a longer run (`3倍左右`), which is indexed as
    /// bigrams (`倍左`, `左右`).
    Phrase { tokens: Vec<String>, prefix: bool },
    /// A single CJK character, looked up among the single characters of the text.
    Char(String),
}

/// A parsed query: every group must match (a group matches when any of its terms does), and
/// no excluded term may.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    pub groups: Vec<Vec<Term>>,
    pub excluded: Vec<Term>,
}

#[derive(Debug)]
enum Item {
    Text { text: String, negated: bool },
    Or,
}

fn lex(q: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut negated = false;
        if c == '-' {
            chars.next();
            match chars.peek() {
                Some(next) if !next.is_whitespace() => negated = true,
                _ => continue,
            }
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let text: String = chars.by_ref().take_while(|&c| c != '"').collect();
            items.push(Item::Text { text, negated });
        } else {
            let mut text = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                text.push(c);
                chars.next();
            }
            if text == "OR" && !negated {
                items.push(Item::Or);
            } else {
                items.push(Item::Text { text, negated });
            }
        }
    }
    items
}

/// The term a piece of text stands for; `None` when it has no tokens (punctuation, emoji).
fn term_of(text: &str) -> Option<Term> {
    let analysis = analyze(text);
    match analysis.terms.as_slice() {
        [] => None,
        [only] if analysis.chars.len() == 1 && only.text.chars().count() == 1 => {
            Some(Term::Char(only.text.clone()))
        }
        tokens => {
            let last = &tokens[tokens.len() - 1];
            let ends_in_lone_cjk = analysis.chars.last().is_some_and(|c| *c == *last);
            Some(Term::Phrase {
                tokens: tokens.iter().map(|t| t.text.clone()).collect(),
                prefix: ends_in_lone_cjk,
            })
        }
    }
}

impl SearchQuery {
    /// Parses `q`. Only an empty, blank or overlong query is refused; any other text is a query.
    pub fn parse(q: &str) -> Result<SearchQuery, InvalidValue> {
        if q.trim().is_empty() {
            return Err(InvalidValue("must contain something to search for".into()));
        }
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(InvalidValue(format!(
                "must be at most {MAX_QUERY_CHARS} characters"
            )));
        }
        let items = lex(q);
        let mut query = SearchQuery::default();
        // Whether the previous item was a positive term that an OR may join.
        let mut joinable = false;
        let mut or_pending = false;
        for (i, item) in items.iter().enumerate() {
            match item {
                Item::Or => {
                    let next_is_positive =
                        matches!(items.get(i + 1), Some(Item::Text { negated: false, .. }));
                    if joinable && next_is_positive {
                        or_pending = true;
                    } else if let Some(term) = term_of("OR") {
                        // An OR with nothing to join is the word "or".
                        query.groups.push(vec![term]);
                        joinable = true;
                    }
                }
                Item::Text { text, negated } => {
                    let term = term_of(text);
                    match (term, negated) {
                        (Some(term), true) => {
                            query.excluded.push(term);
                            joinable = false;
                        }
                        (Some(term), false) => {
                            match query.groups.last_mut() {
                                Some(group) if or_pending => group.push(term),
                                _ => query.groups.push(vec![term]),
                            }
                            joinable = true;
                        }
                        (None, _) => {}
                    }
                    or_pending = false;
                }
            }
        }
        Ok(query)
    }

    /// Whether the query has nothing that could match (it was all punctuation or emoji).
    pub fn is_vacuous(&self) -> bool {
        self.groups.is_empty() && self.excluded.is_empty()
    }

    /// The positive terms, whose matches snippets mark.
    pub fn positive_terms(&self) -> impl Iterator<Item = &Term> {
        self.groups.iter().flatten()
    }

    /// The FTS5 expression for the groups, with the exclusions; `None` without groups.
    /// `columns` are the word columns of the table searched (`{text quote names}`); single
    /// characters are looked up in its `chars` column.
    pub fn fts_match(&self, columns: &str) -> Option<String> {
        if self.groups.is_empty() {
            return None;
        }
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                let terms: Vec<String> = g.iter().map(|t| fts_term(t, columns)).collect();
                format!("({})", terms.join(" OR "))
            })
            .collect();
        let positive = groups.join(" AND ");
        Some(match self.fts_excluded(columns) {
            Some(excluded) => format!("({positive}) NOT ({excluded})"),
            None => positive,
        })
    }

    /// The FTS5 expression matching any excluded term; `None` without exclusions.
    pub fn fts_excluded(&self, columns: &str) -> Option<String> {
        if self.excluded.is_empty() {
            return None;
        }
        let terms: Vec<String> = self.excluded.iter().map(|t| fts_term(t, columns)).collect();
        Some(terms.join(" OR "))
    }
}

/// The most terms a relevance score counts; the rest of a longer query still must match.
pub const MAX_SCORED_TERMS: usize = 8;

impl SearchQuery {
    /// What a match's relevance is made of: for each of the first [`MAX_SCORED_TERMS`] positive
    /// terms and each word column (with its weight) the term is looked up in, the FTS5
    /// expression that finds the term in that column alone; a single character counts 1, in
    /// `chars`. A match scores the weights of the expressions it matches. Unlike BM25, whose
    /// score weighs a record against statistics of the whole index, this depends on the record
    /// and the query alone, so a write to one record moves no other across a page boundary.
    pub fn fts_scores(&self, columns: &[(&str, f64)]) -> Vec<(String, f64)> {
        let mut scores = Vec::new();
        for term in self.positive_terms().take(MAX_SCORED_TERMS) {
            match term {
                Term::Phrase { .. } => {
                    scores.extend(columns.iter().map(|(column, weight)| {
                        (fts_term(term, &format!("{{{column}}}")), *weight)
                    }))
                }
                Term::Char(_) => scores.push((fts_term(term, ""), 1.0)),
            }
        }
        scores
    }
}

/// A term as an FTS5 phrase restricted to the columns it is indexed in. Tokens are letters,
/// digits and CJK characters only; quotes are doubled all the same, as FTS5 escapes them.
fn fts_term(term: &Term, columns: &str) -> String {
    match term {
        Term::Phrase { tokens, prefix } => format!(
            "{columns} : \"{}\"{}",
            tokens.join(" ").replace('"', "\"\""),
            if *prefix { "*" } else { "" }
        ),
        Term::Char(c) => format!("chars : \"{}\"", c.replace('"', "\"\"")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &str = "{text quote names}";

    fn phrase(tokens: &[&str]) -> Term {
        Term::Phrase {
            tokens: tokens.iter().map(|t| t.to_string()).collect(),
            prefix: false,
        }
    }

    #[test]
    fn words_are_anded_and_phrases_kept_together() {
        let q = SearchQuery::parse(r#"electricity "new oil""#).unwrap();
        assert_eq!(
            q.groups,
            vec![vec![phrase(&["electr"])], vec![phrase(&["new", "oil"])]]
        );
        assert_eq!(
            q.fts_match(COLUMNS).unwrap(),
            r#"({text quote names} : "electr") AND ({text quote names} : "new oil")"#
        );
    }

    #[test]
    fn or_joins_its_neighbours_and_minus_excludes() {
        let q = SearchQuery::parse("chips -huang 电力 OR 算力").unwrap();
        assert_eq!(
            q.groups,
            vec![
                vec![phrase(&["chip"])],
                vec![phrase(&["电力"]), phrase(&["算力"])]
            ]
        );
        assert_eq!(q.excluded, vec![phrase(&["huang"])]);
        assert!(
            q.fts_match(COLUMNS)
                .unwrap()
                .ends_with(r#"NOT ({text quote names} : "huang")"#)
        );
    }

    #[test]
    fn a_lone_cjk_character_is_looked_up_among_characters() {
        let q = SearchQuery::parse("電").unwrap();
        assert_eq!(q.groups, vec![vec![Term::Char("电".into())]]);
        assert_eq!(q.fts_match(COLUMNS).unwrap(), r#"(chars : "电")"#);
    }

    #[test]
    fn a_score_looks_up_each_positive_term_in_each_column_alone() {
        let q = SearchQuery::parse("chips OR 電 -huang").unwrap();
        let weights = [("text", 10.0), ("quote", 4.0)];
        assert_eq!(
            q.fts_scores(&weights),
            [
                (r#"{text} : "chip""#.to_owned(), 10.0),
                (r#"{quote} : "chip""#.to_owned(), 4.0),
                (r#"chars : "电""#.to_owned(), 1.0),
            ]
        );
        let long = SearchQuery::parse(&"word ".repeat(MAX_SCORED_TERMS + 5)).unwrap();
        assert_eq!(long.fts_scores(&weights).len(), 2 * MAX_SCORED_TERMS);
    }

    #[test]
    fn a_trailing_lone_cjk_character_matches_as_a_prefix() {
        let q = SearchQuery::parse("3倍").unwrap();
        assert_eq!(
            q.groups,
            vec![vec![Term::Phrase {
                tokens: vec!["3".into(), "倍".into()],
                prefix: true
            }]]
        );
        assert_eq!(
            q.fts_match(COLUMNS).unwrap(),
            r#"({text quote names} : "3 倍"*)"#
        );
        let q = SearchQuery::parse("倍数").unwrap();
        assert_eq!(q.groups, vec![vec![phrase(&["倍数"])]]);
    }

    #[test]
    fn hostile_input_is_only_text() {
        for q in [
            "\"unclosed phrase",
            "NEAR(a b)",
            "a AND b",
            "col:value",
            "* ^ + ( ) { } :",
            "' or 1=1 --",
            "\u{0}",
            "OR",
            "- -- OR OR -",
            "🔥🔥",
            &"長".repeat(2000),
            &"word ".repeat(800),
        ] {
            let parsed = SearchQuery::parse(q).unwrap_or_else(|e| panic!("{q:.40}: {e}"));
            if let Some(expr) = parsed.fts_match(COLUMNS) {
                // Every quote in the expression opens or closes one of our phrases.
                let quotes = expr.matches('"').count();
                assert_eq!(quotes % 2, 0, "{expr:.80}");
            }
        }
        assert_eq!(
            SearchQuery::parse("\"unclosed phrase").unwrap().groups,
            vec![vec![phrase(&["unclos", "phrase"])]]
        );
        assert_eq!(
            SearchQuery::parse("OR").unwrap().groups,
            vec![vec![phrase(&["or"])]]
        );
        assert!(SearchQuery::parse("🔥").unwrap().is_vacuous());
    }

    #[test]
    fn empty_blank_and_overlong_queries_are_refused() {
        for q in ["", "   ", "\t\n"] {
            assert!(SearchQuery::parse(q).is_err(), "{q:?}");
        }
        assert!(SearchQuery::parse(&"x".repeat(MAX_QUERY_CHARS + 1)).is_err());
        assert!(SearchQuery::parse(&"x".repeat(MAX_QUERY_CHARS)).is_ok());
    }
}
