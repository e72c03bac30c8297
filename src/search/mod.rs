//! Full-text search in Chinese and English: one tokenizer for documents and queries, the query
//! syntax, and snippets.
//!
//! SQLite's own tokenizers fail Chinese (`unicode61` makes a run of Han characters one token, so
//! 电力 does not match 电力是新石油; `trigram` cannot match a two-character word). So text is
//! tokenised here, the way Lucene's CJK analyzer does it: Han, kana and Hangul as overlapping
//! character bigrams (a lone character as itself), traditional characters folded to simplified,
//! other letters lower-cased with diacritics removed and English words stemmed, numbers kept and
//! split from the unit that follows them (400GW is "400 gw"). The FTS5 index stores these tokens
//! separated by spaces (its `unicode61` tokenizer further splits `2.5` at the point, in the index
//! and in queries alike); queries are tokenised the same way and sent as quoted phrases, so no
//! user input ever reaches FTS5's query syntax.

mod query;
mod snippet;
mod tokenize;

pub use crate::domain::MatchedIn as Field;
pub use query::{MAX_QUERY_CHARS, SearchQuery, Term};
pub use snippet::{Passage, best_passage};
pub use tokenize::{Analysis, Token, analyze, index_text};
