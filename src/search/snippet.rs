//! Snippets: the passage of a hit that best matches the query, in its own words and language,
//! with `<mark>` around what matched.

use super::query::{SearchQuery, Term};
use super::tokenize::{Token, analyze};
use crate::domain::MatchedIn as Field;

/// The best matching passage of a hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    pub field: Field,
    pub lang: Option<String>,
    /// HTML-escaped text with `<mark>` around each match.
    pub snippet: String,
}

/// Passages longer than this many characters are cut to a window around the first match.
const WINDOW_CHARS: usize = 200;
/// How much of the window comes before the first match.
const LEAD_CHARS: usize = 60;

fn spans_of(term: &Term, tokens: &[Token], chars: &[Token]) -> Vec<(usize, usize)> {
    match term {
        Term::Phrase {
            tokens: phrase,
            prefix,
        } => tokens
            .windows(phrase.len())
            .filter(|w| {
                w.iter().zip(phrase).enumerate().all(|(i, (t, p))| {
                    if *prefix && i == phrase.len() - 1 {
                        t.text.starts_with(p.as_str())
                    } else {
                        t.text == *p
                    }
                })
            })
            .map(|w| {
                let last = &w[w.len() - 1];
                // A prefix match marks only the characters the query gave.
                let end = if *prefix {
                    last.start + phrase[phrase.len() - 1].len()
                } else {
                    last.end
                };
                (w[0].start, end.min(last.end))
            })
            .collect(),
        Term::Char(c) => chars
            .iter()
            .filter(|t| t.text == *c)
            .map(|t| (t.start, t.end))
            .collect(),
    }
}

/// Picks, among `candidates` (field, language, text), the one matching most of the query's
/// terms, preferring claim text to quotes to names on a tie, and marks its matches.
pub fn best_passage<'a>(
    query: &SearchQuery,
    candidates: impl IntoIterator<Item = (Field, Option<&'a str>, &'a str)>,
) -> Option<Passage> {
    let terms: Vec<&Term> = query.positive_terms().collect();
    let mut best: Option<((usize, std::cmp::Reverse<u8>), Passage)> = None;
    for (field, lang, text) in candidates {
        let analysis = analyze(text);
        let mut spans = Vec::new();
        let mut matched_terms = 0;
        for term in &terms {
            let found = spans_of(term, &analysis.terms, &analysis.chars);
            if !found.is_empty() {
                matched_terms += 1;
                spans.extend(found);
            }
        }
        if matched_terms == 0 {
            continue;
        }
        let score = (matched_terms, std::cmp::Reverse(preference(field)));
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((
                score,
                Passage {
                    field,
                    lang: lang.map(str::to_owned),
                    snippet: render(text, spans),
                },
            ));
        }
    }
    best.map(|(_, passage)| passage)
}

/// Claim text first, then quotes, then names.
fn preference(field: Field) -> u8 {
    match field {
        Field::Text => 0,
        Field::Quote => 1,
        Field::Claimant => 2,
    }
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Byte offset of the char `n` chars before (negative) or after `from`, clamped to the text.
fn step_chars(text: &str, from: usize, n: isize) -> usize {
    if n < 0 {
        text[..from]
            .char_indices()
            .rev()
            .nth(n.unsigned_abs() - 1)
            .map_or(0, |(i, _)| i)
    } else {
        text[from..]
            .char_indices()
            .nth(n as usize)
            .map_or(text.len(), |(i, _)| from + i)
    }
}

fn render(text: &str, mut spans: Vec<(usize, usize)>) -> String {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let (from, to) = if text.chars().count() <= WINDOW_CHARS {
        (0, text.len())
    } else {
        let from = step_chars(text, merged[0].0, -(LEAD_CHARS as isize));
        (from, step_chars(text, from, WINDOW_CHARS as isize))
    };
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut at = from;
    for (start, end) in merged {
        if end <= from || start >= to {
            continue;
        }
        let (start, end) = (start.max(from), end.min(to));
        escape_into(&mut out, &text[at..start]);
        out.push_str("<mark>");
        escape_into(&mut out, &text[start..end]);
        out.push_str("</mark>");
        at = end;
    }
    escape_into(&mut out, &text[at..to]);
    if to < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(q: &str, candidates: &[(Field, &str)]) -> Option<Passage> {
        let query = SearchQuery::parse(q).unwrap();
        best_passage(&query, candidates.iter().map(|(f, t)| (*f, Some("xx"), *t)))
    }

    #[test]
    fn matches_are_marked_in_the_original_words() {
        let p = passage(
            "電力",
            &[(Field::Text, "中国将拥有比其他任何国家都更多的电力,也可能")],
        )
        .unwrap();
        assert_eq!(
            p.snippet,
            "中国将拥有比其他任何国家都更多的<mark>电力</mark>,也可能"
        );
        let p = passage(
            "electric",
            &[(Field::Text, "Electricity is not simply a utility.")],
        )
        .unwrap();
        assert_eq!(
            p.snippet,
            "<mark>Electricity</mark> is not simply a utility."
        );
        let p = passage(
            "\"new oil\"",
            &[(Field::Quote, "Electrons are the new oil.")],
        )
        .unwrap();
        assert_eq!(p.snippet, "Electrons are the <mark>new oil</mark>.");
    }

    #[test]
    fn the_passage_matching_most_terms_wins_and_text_beats_quote_on_a_tie() {
        let p = passage(
            "power chips",
            &[
                (Field::Quote, "more power"),
                (Field::Text, "more power and chips"),
                (Field::Text, "power"),
            ],
        )
        .unwrap();
        assert_eq!(
            (p.field, p.snippet.as_str()),
            (
                Field::Text,
                "more <mark>power</mark> and <mark>chips</mark>"
            )
        );
        let p = passage("power", &[(Field::Quote, "power"), (Field::Text, "power")]).unwrap();
        assert_eq!(p.field, Field::Text);
        assert!(passage("oil", &[(Field::Text, "power")]).is_none());
    }

    #[test]
    fn long_passages_are_cut_around_the_match_and_text_is_escaped() {
        let long = format!("{}<b> 电力 {}", "前".repeat(300), "后".repeat(300));
        let p = passage("电力", &[(Field::Text, &long)]).unwrap();
        assert!(
            p.snippet.starts_with('…') && p.snippet.ends_with('…'),
            "{}",
            p.snippet
        );
        assert!(
            p.snippet.contains("&lt;b&gt; <mark>电力</mark>"),
            "{}",
            p.snippet
        );
        assert!(p.snippet.chars().count() < WINDOW_CHARS + 40);
    }
}
