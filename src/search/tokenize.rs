use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// A token and where it came from in the original text (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// What the tokenizer makes of a text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// Words, numbers and CJK bigrams, in order: what phrases are matched against.
    pub terms: Vec<Token>,
    /// Every CJK character on its own, for one-character queries.
    pub chars: Vec<Token>,
}

/// Han ideographs, kana and Hangul: scripts written without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3005 | 0x3007
        | 0x3040..=0x30FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0x20000..=0x323AF)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum WordKind {
    Letters,
    Digits,
}

#[derive(Default)]
struct Builder {
    analysis: Analysis,
    word: String,
    word_kind: Option<WordKind>,
    word_start: usize,
    word_end: usize,
    /// A `.`, `,` or apostrophe seen inside a word, kept only if the word goes on after it.
    pending: Option<char>,
    cjk: Vec<(char, usize, usize)>,
}

impl Builder {
    fn push_word_char(&mut self, c: char, kind: WordKind, start: usize, end: usize) {
        if self.word_kind.is_some_and(|k| k != kind) {
            self.flush_word();
        }
        if let Some(p) = self.pending.take() {
            // "2.5" stays one number; "10,087" becomes 10087; "china's" stays one word.
            if p == '.' || p == '\'' {
                self.word.push(p);
            }
        }
        if self.word.is_empty() {
            self.word_start = start;
        }
        self.word.extend(c.to_lowercase());
        self.word_kind = Some(kind);
        self.word_end = end;
    }

    fn push_inner_punctuation(&mut self, c: char) {
        let continues = matches!(
            (self.word_kind, c),
            (Some(WordKind::Digits), '.' | ',') | (Some(WordKind::Letters), '\'' | '’')
        );
        if continues && self.pending.is_none() {
            self.pending = Some(if c == '’' { '\'' } else { c });
        } else {
            self.flush_word();
        }
    }

    fn flush_word(&mut self) {
        self.pending = None;
        if self.word.is_empty() {
            return;
        }
        let text = match self.word_kind {
            Some(WordKind::Letters) => ENGLISH.stem(&self.word).into_owned(),
            _ => std::mem::take(&mut self.word),
        };
        self.word.clear();
        self.word_kind = None;
        self.analysis.terms.push(Token {
            text,
            start: self.word_start,
            end: self.word_end,
        });
    }

    fn flush_cjk(&mut self) {
        match self.cjk.as_slice() {
            [] => {}
            [(c, start, end)] => self.analysis.terms.push(Token {
                text: c.to_string(),
                start: *start,
                end: *end,
            }),
            run => {
                for pair in run.windows(2) {
                    let ((a, start, _), (b, _, end)) = (pair[0], pair[1]);
                    self.analysis.terms.push(Token {
                        text: [a, b].iter().collect(),
                        start,
                        end,
                    });
                }
            }
        }
        for (c, start, end) in self.cjk.drain(..) {
            self.analysis.chars.push(Token {
                text: c.to_string(),
                start,
                end,
            });
        }
    }
}

/// Tokenises a text for indexing or for matching a query against it.
pub fn analyze(text: &str) -> Analysis {
    // Conversion is character for character, so offsets into `text` still hold.
    let simplified = fast2s::convert(text);
    let mut b = Builder::default();
    for ((start, original), c) in text.char_indices().zip(simplified.chars()) {
        let end = start + original.len_utf8();
        if is_cjk(c) {
            b.flush_word();
            b.cjk.push((c, start, end));
            continue;
        }
        b.flush_cjk();
        // Compatibility decomposition folds full-width forms and ligatures; dropping the
        // combining marks it leaves removes diacritics (é -> e).
        let mut folded = Vec::with_capacity(2);
        decompose_compatible(c, |d| {
            if !is_combining_mark(d) {
                folded.push(d);
            }
        });
        for d in folded {
            if d.is_numeric() {
                b.push_word_char(d, WordKind::Digits, start, end);
            } else if d.is_alphanumeric() {
                b.push_word_char(d, WordKind::Letters, start, end);
            } else {
                b.push_inner_punctuation(d);
            }
        }
    }
    b.flush_word();
    b.flush_cjk();
    b.analysis
}

/// The text stored in an FTS5 column: the tokens, separated by spaces.
pub fn index_text(tokens: &[Token]) -> String {
    let mut out = String::with_capacity(tokens.iter().map(|t| t.text.len() + 1).sum());
    for t in tokens {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&t.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        analyze(text).terms.into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn han_text_becomes_overlapping_bigrams() {
        assert_eq!(
            terms("电力是新石油"),
            ["电力", "力是", "是新", "新石", "石油"]
        );
        assert_eq!(terms("电"), ["电"]);
        assert_eq!(terms("AI算力"), ["ai", "算力"]);
        assert_eq!(analyze("电力").chars.len(), 2);
    }

    #[test]
    fn traditional_folds_to_simplified() {
        assert_eq!(terms("電力"), terms("电力"));
        assert_eq!(terms("黃仁勳"), terms("黄仁勋"));
        assert_eq!(terms("馬斯克"), terms("马斯克"));
    }

    #[test]
    fn english_is_lowercased_folded_and_stemmed() {
        assert_eq!(terms("Electricity"), terms("electric"));
        assert_eq!(terms("forecasts"), terms("forecast"));
        assert_eq!(terms("Café NAÏVE"), ["cafe", "naiv"]);
        assert_eq!(terms("China's"), terms("China"));
        assert_eq!(terms("ＧＷ"), ["gw"]);
    }

    #[test]
    fn numbers_stay_whole_and_part_from_their_units() {
        assert_eq!(terms("400GW"), ["400", "gw"]);
        assert_eq!(terms("47 GW"), ["47", "gw"]);
        assert_eq!(terms("2.5x"), ["2.5", "x"]);
        assert_eq!(terms("10,087 TWh"), ["10087", "twh"]);
        assert_eq!(terms("2025-28"), ["2025", "28"]);
        assert_eq!(terms("3倍"), ["3", "倍"]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Musk: 中國將產出 400GW!";
        for token in analyze(text).terms {
            assert!(text.is_char_boundary(token.start) && text.is_char_boundary(token.end));
        }
        let first_han = &analyze(text).terms[1];
        assert_eq!(&text[first_han.start..first_han.end], "中國");
        assert_eq!(first_han.text, "中国");
    }

    #[test]
    fn punctuation_and_emoji_make_no_tokens() {
        assert!(terms("🔥 !!! ... ——").is_empty());
        assert!(terms("").is_empty());
        assert_eq!(terms("\"new oil\""), ["new", "oil"]);
    }
}
