//! Query strings: a strict extractor, the parsers every list shares, and the cursor codec.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::error::{ApiError, FieldError};
use super::formats::{Format, parse_format};
use crate::domain::HistoryFilter;
use crate::domain::{HistoryResource, InvalidValue};
use crate::search::SearchQuery;
use crate::store::{Keyset, PageRequest};

/// The query parameters of one operation.
pub trait QueryParams: DeserializeOwned {
    /// The parameters that may be given more than once.
    const REPEATABLE: &'static [&'static str] = &[];
}

/// A query string deserialised into `T`, whose fields are all text: parsing the values is left to
/// [`FieldErrors`] so that every bad parameter is reported at once, by name. Unknown parameters,
/// and parameters repeated that take one value, are refused here.
pub struct Query<T>(pub T);

impl<T: QueryParams> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query::<T>(req.query_string()).map(Query))
    }
}

/// The most values a repeatable parameter takes: each becomes a bound SQL value, and SQLite
/// limits both those and the depth of an expression.
pub const MAX_REPEATS: usize = 50;

fn parse_query<T: QueryParams>(query: &str) -> Result<T, ApiError> {
    let mut seen: Vec<String> = Vec::new();
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut errors = FieldErrors::default();
    for (key, _) in form_urlencoded::parse(query.as_bytes()) {
        let count = counts.entry(key.to_string()).or_default();
        *count += 1;
        if *count == MAX_REPEATS + 1 {
            errors.push(&key, format!("may be given at most {MAX_REPEATS} times"));
        }
        if seen.iter().any(|k| *k == key) {
            if !T::REPEATABLE.contains(&key.as_ref()) && !errors.0.iter().any(|e| e.field == key) {
                errors.push(&key, "may be given only once");
            }
        } else {
            seen.push(key.into_owned());
        }
    }
    errors.finish()?;
    serde_html_form::from_str::<T>(query).map_err(|e| query_error(&e.to_string()))
}

/// Turns serde's message ("unknown field `foo`, expected one of `a`, `b`") into a field error.
fn query_error(message: &str) -> ApiError {
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.starts_with("unknown field") || message.starts_with("duplicate field"))
        .unwrap_or("query")
        .to_owned();
    let message = if message.starts_with("unknown field") {
        match message.split_once("expected ") {
            Some((_, accepted)) if accepted.contains('`') => format!(
                "is not a parameter of this operation; expected {}",
                accepted.replace('`', "\"")
            ),
            _ => "is not a parameter of this operation, which takes none".to_owned(),
        }
    } else {
        format!("cannot be read: {message}")
    };
    ApiError::InvalidParameters(vec![FieldError { field, message }].into())
}

/// The query of an operation that takes no parameters: any one given is refused, as a
/// misspelt option must not be silently ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

impl QueryParams for NoParams {}

/// The query of an operation that takes nothing but `format`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// Representation, instead of the `Accept` header: `json` (the default), `csv` (UTF-8 with
    /// a BOM), `ndjson`, `jsonld` (schema.org). A list in `csv` or `ndjson` holds every match
    /// from `cursor` on, streamed, rather than one page.
    #[param(value_type = Option<String>, pattern = "^(json|csv|ndjson|jsonld)$", example = "csv")]
    pub format: Option<String>,
}

impl QueryParams for FormatParams {}

impl FormatParams {
    pub fn parse(&self) -> Result<Option<Format>, ApiError> {
        let mut errors = FieldErrors::default();
        let format = errors.parse("format", self.format.as_deref(), parse_format);
        errors.finish()?;
        Ok(format)
    }
}

/// Collects every invalid parameter of a request, so one 400 names them all.
#[derive(Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Parses an optional value, recording why it failed.
    pub fn parse<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl Fn(&str) -> Result<T, InvalidValue>,
    ) -> Option<T> {
        match parse(value?) {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(field, e.0);
                None
            }
        }
    }

    /// Parses every value of a repeatable parameter.
    pub fn parse_all<T>(
        &mut self,
        field: &str,
        values: &[String],
        parse: impl Fn(&str) -> Result<T, InvalidValue>,
    ) -> Vec<T> {
        values
            .iter()
            .filter_map(|v| self.parse(field, Some(v), &parse))
            .collect()
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::InvalidParameters(self.0.into()))
        }
    }
}

pub fn parse_bool(s: &str) -> Result<bool, InvalidValue> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(InvalidValue("must be true or false".into())),
    }
}

pub fn parse_limit(s: &str) -> Result<u32, InvalidValue> {
    match s.parse::<u32>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(InvalidValue(format!(
            "must be a whole number from 1 to {MAX_LIMIT}"
        ))),
    }
}

/// A value that must not be empty (a repeated filter like `topic=`).
pub fn parse_nonempty(s: &str) -> Result<String, InvalidValue> {
    if s.trim().is_empty() {
        Err(InvalidValue("must not be empty".into()))
    } else {
        Ok(s.to_owned())
    }
}

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

/// The parameters of a list that takes nothing but paging.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page size, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page, as it was returned; empty for the first page.
    #[param(value_type = Option<String>, pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// `true` adds `total`, the number of items in the whole list.
    #[param(value_type = Option<bool>, example = false)]
    pub count: Option<String>,
    /// Representation, instead of the `Accept` header: `json` (the default), `csv` (UTF-8 with
    /// a BOM), `ndjson`, `jsonld` (schema.org). A list in `csv` or `ndjson` holds every match
    /// from `cursor` on, streamed, rather than one page.
    #[param(value_type = Option<String>, pattern = "^(json|csv|ndjson|jsonld)$", example = "csv")]
    pub format: Option<String>,
}

/// The parameters of the history: which writes, paging, and every representation but JSON-LD
/// (schema.org has no type for an edit log, so claiming one would mislead).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Writes to this claim and to its appearances and assessments, also after it was deleted.
    #[param(value_type = Option<String>, example = "musk-china-ai-compute")]
    pub claim: Option<String>,
    /// Writes to records of this kind.
    #[param(value_type = Option<HistoryResource>, inline, example = "claimant")]
    pub resource: Option<String>,
    /// Writes to the record with this id: of the kind `resource` names, or of any kind.
    #[param(value_type = Option<String>, example = "satya-nadella")]
    pub id: Option<String>,
    /// Page size, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page, as it was returned; empty for the first page.
    #[param(value_type = Option<String>, pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// `true` adds `total`, the number of entries that match in all.
    #[param(value_type = Option<bool>, example = false)]
    pub count: Option<String>,
    /// Representation, instead of the `Accept` header: `json` (the default), `csv` (UTF-8 with
    /// a BOM) or `ndjson`, both of which hold every entry from `cursor` on, streamed.
    #[param(value_type = Option<String>, pattern = "^(json|csv|ndjson)$", example = "ndjson")]
    pub format: Option<String>,
}

impl QueryParams for HistoryParams {}

impl HistoryParams {
    /// The filter and the paging; `format=jsonld` passes here and is refused with a 406 by the
    /// negotiation that also handles `Accept`, so both ways of asking answer alike.
    pub fn parse(self, list: &str) -> Result<(HistoryFilter, Paging), ApiError> {
        let mut errors = FieldErrors::default();
        let resource = errors.parse("resource", self.resource.as_deref(), str::parse);
        let paging = ListParams {
            limit: self.limit,
            cursor: self.cursor,
            count: self.count,
            format: self.format,
        }
        .paging(list);
        errors.finish()?;
        let filter = HistoryFilter {
            claim: self.claim,
            resource,
            id: self.id,
        };
        Ok((filter, paging?))
    }
}

/// Paging parameters, parsed, with the representation asked for by `format=`.
pub struct Paging {
    pub page: PageRequest,
    pub count: bool,
    pub format: Option<Format>,
}

impl QueryParams for ListParams {}

/// The parameters of a list that can also be searched.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchListParams {
    /// Full-text search, in Chinese or English (see `GET /v1/claims` for the syntax). Results
    /// then come best match first.
    #[param(value_type = Option<String>, example = "高盛", min_length = 1, max_length = 4096, pattern = "[^\\x09-\\x0D\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]")]
    pub q: Option<String>,
    /// Page size, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page, as it was returned; empty for the first page.
    #[param(value_type = Option<String>, pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// `true` adds `total`, the number of items in the whole list.
    #[param(value_type = Option<bool>, example = false)]
    pub count: Option<String>,
    /// Representation, instead of the `Accept` header: `json` (the default), `csv` (UTF-8 with
    /// a BOM), `ndjson`, `jsonld` (schema.org). A list in `csv` or `ndjson` holds every match
    /// from `cursor` on, streamed, rather than one page.
    #[param(value_type = Option<String>, pattern = "^(json|csv|ndjson|jsonld)$", example = "csv")]
    pub format: Option<String>,
}

impl QueryParams for SearchListParams {}

impl SearchListParams {
    /// Parses the search and paging of the list named `list`, and returns the name of its
    /// order: a cursor is tied to whether there is a search.
    pub fn parse(self, list: &str) -> Result<(Option<SearchQuery>, Paging, String), ApiError> {
        let mut errors = FieldErrors::default();
        let search = errors.parse("q", self.q.as_deref(), SearchQuery::parse);
        let list = if search.is_some() {
            format!("{list}:relevance")
        } else {
            format!("{list}:id")
        };
        let paging = ListParams {
            limit: self.limit,
            cursor: self.cursor,
            count: self.count,
            format: self.format,
        }
        .parse(&list, &mut errors);
        errors.finish()?;
        Ok((search, paging?, list))
    }
}

impl ListParams {
    /// Parses the parameters of a list that takes nothing but paging.
    pub fn paging(&self, list: &str) -> Result<Paging, ApiError> {
        let mut errors = FieldErrors::default();
        let paging = self.parse(list, &mut errors);
        errors.finish()?;
        paging
    }

    /// Parses limit, count and cursor; `list` names the list and its order, so that a cursor
    /// from another list or order is refused rather than silently misread.
    pub fn parse(&self, list: &str, errors: &mut FieldErrors) -> Result<Paging, ApiError> {
        let limit = errors
            .parse("limit", self.limit.as_deref(), parse_limit)
            .unwrap_or(DEFAULT_LIMIT);
        let count = errors
            .parse("count", self.count.as_deref(), parse_bool)
            .unwrap_or(false);
        let format = errors.parse("format", self.format.as_deref(), parse_format);
        // An empty `cursor=` is no cursor: the first page.
        let after = self
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| Cursor::decode(c, list))
            .transpose()?;
        Ok(Paging {
            page: PageRequest { limit, after },
            count,
            format,
        })
    }
}

/// The opaque `cursor`: the list and order it belongs to and the last row's keyset position,
/// as base64url JSON. It carries no secret, so tampering can only move the position, and every
/// value in it is bound as a parameter.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// List and order, e.g. `claims:-stated_on`.
    l: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    r: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    k: Option<String>,
    i: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p: Option<i64>,
}

/// Longer cursors are refused before decoding: a real one is well under this.
const MAX_CURSOR_LEN: usize = 1024;

impl Cursor {
    pub fn encode(list: &str, keyset: &Keyset) -> String {
        let cursor = Cursor {
            l: list.to_owned(),
            r: keyset.rank,
            k: keyset.key.clone(),
            i: keyset.id.clone(),
            p: keyset.position,
        };
        // Serialising a struct of strings cannot fail.
        let json = serde_json::to_vec(&cursor).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(s: &str, list: &str) -> Result<Keyset, ApiError> {
        if s.len() > MAX_CURSOR_LEN {
            return Err(ApiError::InvalidCursor("too long".into()));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| ApiError::InvalidCursor("not base64url".into()))?;
        let cursor: Cursor = serde_json::from_slice(&bytes)
            .map_err(|_| ApiError::InvalidCursor("not a cursor".into()))?;
        if cursor.l != list {
            return Err(ApiError::InvalidCursor(format!(
                "it belongs to another list or sort order ({})",
                cursor.l
            )));
        }
        Ok(Keyset {
            rank: cursor.r.filter(|r| r.is_finite()),
            key: cursor.k,
            id: cursor.i,
            position: cursor.p,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_filter_pattern_is_what_the_server_takes() {
        let documented = regex::Regex::new(crate::domain::NON_BLANK_PATTERN).unwrap();
        let chars = (0..=0x3100u32).chain([0xFEFF]).filter_map(char::from_u32);
        for c in chars {
            let value = c.to_string();
            assert_eq!(
                documented.is_match(&value),
                parse_nonempty(&value).is_ok(),
                "{c:?}"
            );
        }
        let served = crate::api::openapi().to_string();
        let uses = served
            .matches(&serde_json::to_string(crate::domain::NON_BLANK_PATTERN).unwrap()[..])
            .count();
        assert!(
            uses >= 6,
            "the filters state NON_BLANK_PATTERN ({uses} uses)"
        );
        assert!(!served.contains(r#""pattern":"\\S""#));
    }

    #[test]
    fn cursors_round_trip_within_their_list() {
        let keyset = Keyset {
            rank: Some(-4.25),
            key: Some("2026-01-06".into()),
            id: "musk-china-ai-compute".into(),
            position: Some(1),
        };
        let token = Cursor::encode("claims:-stated_on", &keyset);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(Cursor::decode(&token, "claims:-stated_on").unwrap(), keyset);
    }

    #[test]
    fn foreign_tampered_and_oversized_cursors_are_refused() {
        let keyset = Keyset::by_id("elon-musk");
        let token = Cursor::encode("claimants:id", &keyset);
        for (bad, list) in [
            (token.as_str(), "claims:-stated_on"),
            ("not a cursor!", "claimants:id"),
            ("e30", "claimants:id"),
            (&token[1..], "claimants:id"),
            (&"A".repeat(2000), "claimants:id"),
        ] {
            assert!(
                matches!(Cursor::decode(bad, list), Err(ApiError::InvalidCursor(_))),
                "{bad} for {list}"
            );
        }
    }

    #[test]
    fn limits_outside_one_to_a_hundred_are_refused() {
        assert_eq!(parse_limit("1").unwrap(), 1);
        assert_eq!(parse_limit("100").unwrap(), 100);
        for bad in ["0", "101", "-1", "ten", "", "1.5", "99999999999"] {
            assert!(parse_limit(bad).is_err(), "{bad:?}");
        }
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Params {
        #[serde(default)]
        tag: Vec<String>,
        limit: Option<String>,
    }

    impl QueryParams for Params {
        const REPEATABLE: &'static [&'static str] = &["tag"];
    }

    fn field_errors(query: &str) -> Vec<(String, String)> {
        match parse_query::<Params>(query) {
            Err(ApiError::InvalidParameters(errors)) => {
                errors.into_iter().map(|e| (e.field, e.message)).collect()
            }
            other => panic!("{query}: expected parameter errors, got {other:?}"),
        }
    }

    #[test]
    fn lists_repeat_and_single_values_do_not() {
        let params = parse_query::<Params>("tag=a&tag=b&limit=3").unwrap();
        assert_eq!(
            (params.tag, params.limit.as_deref()),
            (vec!["a".into(), "b".into()], Some("3"))
        );
        let errors = field_errors("limit=1&tag=a&limit=2&limit=3&tag=b");
        assert_eq!(
            errors,
            vec![("limit".into(), "may be given only once".into())]
        );
        let errors = field_errors("lmit=1");
        assert_eq!(errors[0].0, "lmit");
    }

    #[test]
    fn serde_messages_become_named_field_errors() {
        let ApiError::InvalidParameters(errors) =
            query_error("unknown field `claimaint`, expected one of `claimant`, `topic`")
        else {
            panic!("expected a parameter error");
        };
        assert_eq!(errors.listed[0].field, "claimaint");
        assert!(
            errors.listed[0].message.contains("\"claimant\""),
            "{}",
            errors.listed[0].message
        );
    }
}

/// Bounded-time fuzzing of the query-string parser and the cursor codec: no input panics, and
/// every refusal names its parameter.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn query_string() -> impl Strategy<Value = String> {
        let name = prop_oneof![
            Just("limit".to_owned()),
            Just("cursor".to_owned()),
            Just("count".to_owned()),
            Just("format".to_owned()),
            Just("q".to_owned()),
            "[a-z%0-9]{0,6}",
        ];
        let value = prop_oneof![Just(String::new()), "[ -~]{0,12}", "(%[0-9A-Fa-f]{2}){0,6}"];
        prop::collection::vec((name, value), 0..8).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        })
    }

    proptest! {
        #[test]
        fn query_strings_parse_or_name_the_failing_parameter(query in query_string()) {
            match parse_query::<SearchListParams>(&query) {
                Ok(params) => {
                    // Values that read as a query string are parsed or refused by field.
                    match params.parse("claims") {
                        Ok(_) | Err(ApiError::InvalidParameters(_) | ApiError::InvalidCursor(_)) => {}
                        Err(other) => prop_assert!(false, "{query}: {other:?}"),
                    }
                }
                Err(ApiError::InvalidParameters(errors)) => prop_assert!(!errors.is_empty()),
                Err(other) => prop_assert!(false, "{query}: {other:?}"),
            }
        }

        #[test]
        fn any_cursor_text_decodes_or_is_refused(s in "\\PC{0,64}|[A-Za-z0-9_-]{0,200}") {
            match Cursor::decode(&s, "claims:-stated_on") {
                Ok(_) | Err(ApiError::InvalidCursor(_)) => {}
                Err(other) => prop_assert!(false, "{s}: {other:?}"),
            }
        }

        #[test]
        fn cursors_round_trip(
            rank in proptest::option::of(-1e6f64..1e6),
            key in proptest::option::of("\\PC{0,20}"),
            id in "\\PC{0,40}",
            position in proptest::option::of(any::<i64>()),
        ) {
            let keyset = Keyset { rank, key, id, position };
            let encoded = Cursor::encode("claims:-stated_on", &keyset);
            prop_assert_eq!(Cursor::decode(&encoded, "claims:-stated_on").unwrap(), keyset);
        }
    }
}
