//! Records as clients write them, parsed from JSON into valid values with every failing field
//! named by its JSON pointer (RFC 6901), not just the first.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{InvalidValue, LanguageTag};

mod claims;
mod entities;
mod parts;

pub use claims::*;
pub use entities::*;
pub use parts::*;

/// One failing field of a body: where (a JSON pointer) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub pointer: String,
    pub message: String,
}

/// The strong validator of a representation: the first 128 bits of the SHA-256 of its bytes.
/// GET responses carry it as `ETag`; writes compare `If-Match` with it.
pub fn etag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The strong validator of the gzip-coded form of a representation whose validator is `etag`:
/// a content coding makes another representation, with its own tag (RFC 9110 8.8.3).
pub fn gzip_etag(etag: &str) -> String {
    match etag.strip_suffix('"') {
        Some(open) => format!("{open}-gzip\""),
        None => format!("{etag}-gzip"),
    }
}

/// Largest magnitude of a figure in SI units (watts, watt-hours, dollars…).
const MAX_SI: f64 = 1e100;

/// Longest free text accepted in a field, in characters.
pub const MAX_TEXT: usize = 20_000;

/// Most items in a list field (topics, figures, authors…) and most languages in a text. The
/// bundled record's longest list has 5; a bound keeps one claim from weighing megabytes in
/// every page that lists it.
pub const MAX_ITEMS: usize = 100;

const CONTROL_MESSAGE: &str =
    "must not contain control characters (tab, line feed and carriage return are fine)";

/// Whether text holds an ASCII control character other than tab and line breaks. NUL in
/// particular: SQLite's string functions stop at it, so it would also slip past the CHECKs.
fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r'))
}

struct Reader<'a> {
    map: &'a Map<String, Value>,
    base: String,
    problems: &'a mut Vec<FieldProblem>,
}

impl<'a> Reader<'a> {
    fn new(
        map: &'a Map<String, Value>,
        base: &str,
        allowed: &[&str],
        problems: &'a mut Vec<FieldProblem>,
    ) -> Self {
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                problems.push(FieldProblem {
                    pointer: format!("{base}/{}", escape(key)),
                    message: format!("is not a field here; the fields are {}", allowed.join(", ")),
                });
            }
        }
        Reader {
            map,
            base: base.to_owned(),
            problems,
        }
    }

    fn pointer(&self, key: &str) -> String {
        format!("{}/{}", self.base, escape(key))
    }

    fn fail(&mut self, key: &str, message: impl Into<String>) {
        let pointer = self.pointer(key);
        self.problems.push(FieldProblem {
            pointer,
            message: message.into(),
        });
    }

    /// A present, non-null value.
    fn value(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn string(&mut self, key: &str, required: bool) -> Option<String> {
        match self.value(key) {
            None if required => {
                self.fail(key, "is required");
                None
            }
            None => None,
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.fail(key, "must not be empty");
                None
            }
            Some(Value::String(s)) if has_control(s) => {
                self.fail(key, CONTROL_MESSAGE);
                None
            }
            Some(Value::String(s)) if s.chars().count() > MAX_TEXT => {
                self.fail(key, format!("must be at most {MAX_TEXT} characters"));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.fail(key, "must be a string");
                None
            }
        }
    }

    fn parsed<T>(
        &mut self,
        key: &str,
        required: bool,
        parse: impl Fn(&str) -> Result<T, InvalidValue>,
    ) -> Option<T> {
        let s = self.string(key, required)?;
        match parse(&s) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(key, e.0);
                None
            }
        }
    }

    fn number(&mut self, key: &str, required: bool) -> Option<f64> {
        match self.value(key) {
            None if required => {
                self.fail(key, "is required");
                None
            }
            None => None,
            Some(Value::Number(n)) => n.as_f64().filter(|f| f.is_finite()),
            Some(_) => {
                self.fail(key, "must be a number");
                None
            }
        }
    }

    /// Whether a list (or a text's languages) is longer than [`MAX_ITEMS`]: then it is refused
    /// whole, and its items are not looked at.
    fn too_many(&mut self, key: &str, len: usize, what: &str) -> bool {
        let over = len > MAX_ITEMS;
        if over {
            self.fail(
                key,
                format!("must have at most {MAX_ITEMS} {what}, not {len}"),
            );
        }
        over
    }

    /// Whether `key` is given as null where the schema has a list: leaving the list out means
    /// none, and `null` is refused as the document says (a merge patch's null removes the list
    /// before this sees it).
    fn null_list(&mut self, key: &str) -> bool {
        let null = self.map.get(key).is_some_and(Value::is_null);
        if null {
            self.fail(key, "must be an array; leave it out for none");
        }
        null
    }

    fn strings(&mut self, key: &str) -> Vec<String> {
        if self.null_list(key) {
            return Vec::new();
        }
        match self.value(key) {
            None => Vec::new(),
            Some(Value::Array(items)) if self.too_many(key, items.len(), "items") => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item.as_str().filter(|s| {
                        !s.trim().is_empty() && !has_control(s) && s.chars().count() <= MAX_TEXT
                    }) {
                        Some(s) => out.push(s.to_owned()),
                        None => self.problems.push(FieldProblem {
                            pointer: format!("{}/{i}", self.pointer(key)),
                            message: format!(
                                "must be a non-empty string of at most {MAX_TEXT} characters, \
                                 without control characters"
                            ),
                        }),
                    }
                }
                out
            }
            Some(_) => {
                self.fail(key, "must be an array of strings");
                Vec::new()
            }
        }
    }

    /// A required object of non-empty texts keyed by BCP 47 tags, such as names or wordings.
    fn language_map(&mut self, key: &str, what: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        // The key each language came in as: two keys for one language would lose a text.
        let mut given: BTreeMap<String, &str> = BTreeMap::new();
        match self.value(key) {
            Some(Value::Object(texts)) if self.too_many(key, texts.len(), "languages") => {}
            Some(Value::Object(texts)) if !texts.is_empty() => {
                for (lang, value) in texts {
                    let pointer = format!("{}/{}", self.pointer(key), escape(lang));
                    let tag = LanguageTag::parse(lang);
                    let text = value
                        .as_str()
                        .filter(|s| !s.trim().is_empty() && !has_control(s));
                    match (tag, text) {
                        (Ok(tag), _) if given.contains_key(tag.as_str()) => {
                            let first = given[tag.as_str()];
                            self.problems.push(FieldProblem {
                                pointer,
                                message: format!(
                                    "is the same language as the key {first:?} ({}): give each \
                                     language one text",
                                    tag.as_str()
                                ),
                            });
                        }
                        (Ok(tag), Some(s)) if s.chars().count() <= MAX_TEXT => {
                            given.insert(tag.as_str().to_owned(), lang);
                            out.insert(tag.as_str().to_owned(), s.to_owned());
                        }
                        (Err(e), _) => self.problems.push(FieldProblem {
                            pointer,
                            message: format!("the key {}", e.0),
                        }),
                        _ => self.problems.push(FieldProblem {
                            pointer,
                            message: format!(
                                "must be a non-empty string of at most {MAX_TEXT} characters, \
                                 without control characters"
                            ),
                        }),
                    }
                }
            }
            _ => self.fail(
                key,
                format!("is required: {what}, keyed by language, such as {{\"en\": \"...\"}}"),
            ),
        }
        out
    }

    fn objects(&mut self, key: &str) -> Vec<(String, &'a Map<String, Value>)> {
        if self.null_list(key) {
            return Vec::new();
        }
        match self.value(key) {
            None => Vec::new(),
            Some(Value::Array(items)) if self.too_many(key, items.len(), "items") => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let pointer = format!("{}/{i}", self.pointer(key));
                    match item.as_object() {
                        Some(map) => out.push((pointer, map)),
                        None => self.problems.push(FieldProblem {
                            pointer,
                            message: "must be an object".into(),
                        }),
                    }
                }
                out
            }
            Some(_) => {
                self.fail(key, "must be an array of objects");
                Vec::new()
            }
        }
    }
}

/// RFC 6901: `~` and `/` in a key are written `~0` and `~1`.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(body: Value) -> Vec<(String, String)> {
        ClaimInput::parse(body.as_object().unwrap())
            .unwrap_err()
            .into_iter()
            .map(|p| (p.pointer, p.message))
            .collect()
    }

    #[test]
    fn a_valid_claim_parses() {
        let input = ClaimInput::parse(
            json!({
                "claimant": "elon-musk", "kind": "prediction", "stated_on": "2026-02-01",
                "text": {"en": "Power is the limit.", "zh-cn": "电力是极限。"},
                "horizon": {"due_on": "2027-12-31", "precision": "year"},
                "quantities": [{"indicator": "spare-power-capacity", "subject": "CN", "value": 450, "unit": "GW"}]
            })
            .as_object()
            .unwrap(),
        )
        .unwrap();
        assert_eq!(input.text.keys().collect::<Vec<_>>(), ["en", "zh-CN"]);
        assert_eq!(
            input.quantities[0].unit.to_si(input.quantities[0].value),
            4.5e11
        );
    }

    /// The patterns the document states for text and URLs, run as the validators of generated
    /// clients and fuzzers run them, agree with the server's checks character by character.
    #[test]
    fn the_documented_text_and_url_patterns_are_the_server_checks() {
        let text = regex::Regex::new(crate::domain::TEXT_PATTERN).unwrap();
        let url = regex::Regex::new(crate::domain::URL_PATTERN).unwrap();
        let chars = (0..=0x3100u32)
            .chain([0xFEFF, 0xFFFD, 0x1F600])
            .filter_map(char::from_u32);
        for c in chars {
            let alone = c.to_string();
            let server_takes = !alone.trim().is_empty() && !has_control(&alone);
            assert_eq!(text.is_match(&alone), server_takes, "text {c:?}");
            let inside = format!("a{c}b");
            assert_eq!(
                text.is_match(&inside),
                !has_control(&inside),
                "text a{c:?}b"
            );
            let link = format!("https://example.org/{c}");
            let server_takes = parse_url(&link).is_ok() && !has_control(&link);
            assert_eq!(url.is_match(&link), server_takes, "url {c:?}");
            let host = format!("https://exa{c}mple.org/");
            let server_takes = parse_url(&host).is_ok() && !has_control(&host);
            assert_eq!(url.is_match(&host), server_takes, "host {c:?}");
        }
    }

    #[test]
    fn a_list_given_as_null_is_refused_and_left_out_is_empty() {
        let found = problems(json!({
            "claimant": "elon-musk", "kind": "opinion", "stated_on": "2026-02-01",
            "text": {"en": "Power is the limit."}, "topics": null, "quantities": null
        }));
        assert_eq!(
            found,
            [
                (
                    "/topics".into(),
                    "must be an array; leave it out for none".into()
                ),
                (
                    "/quantities".into(),
                    "must be an array; leave it out for none".into()
                ),
            ]
        );
    }

    #[test]
    fn every_failing_field_is_named_by_pointer() {
        let found = problems(json!({
            "claimant": "", "kind": "guess", "stated_on": "2026-13-01", "text": {"xx_YY": "a", "en": ""},
            "horizon": {"due_on": "soon"}, "topics": ["ok", 3],
            "quantities": [{"indicator": "x", "subject": "usa", "value": "1", "unit": "furlongs", "extra": 1}],
            "colour": "red"
        }));
        let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        for expected in [
            "/colour",
            "/claimant",
            "/kind",
            "/stated_on",
            "/text/xx_YY",
            "/text/en",
            "/horizon/due_on",
            "/topics/1",
            "/quantities/0/extra",
            "/quantities/0/subject",
            "/quantities/0/value",
            "/quantities/0/unit",
        ] {
            assert!(
                pointers.contains(&expected),
                "{expected} missing from {found:?}"
            );
        }
    }

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        let found = problems(
            json!({"a/b~c": 1, "claimant": "x", "kind": "estimate", "stated_on": "2026-01-01", "text": {"en": "t"}}),
        );
        assert_eq!(found[0].0, "/a~1b~0c");
    }
}
