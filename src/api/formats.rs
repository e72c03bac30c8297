//! Representations: JSON (the default), CSV, NDJSON and JSON-LD, chosen by `format=` or by the
//! `Accept` header. Lists in CSV and NDJSON stream every match, a page of rows at a time, so
//! memory does not grow with the result.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use futures_util::Stream;
use serde::Serialize;
use serde_json::{Map, Value};

use super::error::ApiError;
use crate::domain::InvalidValue;
use crate::store::{Keyset, Page};

/// A representation the API can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Ndjson,
    JsonLd,
}

/// Every format, for endpoints that have a JSON-LD mapping.
pub const ALL: &[Format] = &[Format::Json, Format::Csv, Format::Ndjson, Format::JsonLd];
/// The formats of endpoints without a JSON-LD mapping.
pub const TABULAR: &[Format] = &[Format::Json, Format::Csv, Format::Ndjson];

/// Rows fetched per query while streaming a list.
const STREAM_BATCH: u32 = 500;
/// Bytes gathered into one chunk of a streamed list. Each chunk is a write to the socket and,
/// when the answer is compressed, a hand-over to a blocking thread: 64 KiB makes those costs
/// small beside the chunk's own, and memory stays flat.
const STREAM_CHUNK: usize = 64 * 1024;

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
            Format::JsonLd => "jsonld",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Ndjson => "application/x-ndjson",
            Format::JsonLd => "application/ld+json",
        }
    }

    fn matches(self, type_: &str, subtype: &str) -> bool {
        match (type_, subtype) {
            ("*", "*") => true,
            ("application", "*") => matches!(self, Format::Json | Format::Ndjson | Format::JsonLd),
            ("text", "*") => self == Format::Csv,
            ("application", "json") => self == Format::Json,
            ("text", "csv") => self == Format::Csv,
            ("application", "x-ndjson" | "ndjson" | "jsonl" | "x-jsonlines") => {
                self == Format::Ndjson
            }
            ("application", "ld+json") => self == Format::JsonLd,
            _ => false,
        }
    }

    /// Whether a list in this format holds every match rather than one page.
    pub fn streams(self) -> bool {
        matches!(self, Format::Csv | Format::Ndjson)
    }
}

/// The values `format=` takes.
pub fn parse_format(s: &str) -> Result<Format, InvalidValue> {
    ALL.iter()
        .copied()
        .find(|f| f.name() == s)
        .ok_or_else(|| InvalidValue("must be one of json, csv, ndjson, jsonld".into()))
}

/// Picks the format: `format=` wins; otherwise the most preferred type of `Accept` that the
/// endpoint supports; without `Accept`, JSON. A `format=` the endpoint lacks, or an `Accept`
/// that allows none of its formats, is a 406.
pub fn negotiate(
    req: &HttpRequest,
    asked: Option<Format>,
    supported: &[Format],
) -> Result<Format, ApiError> {
    let not_acceptable = || ApiError::NotAcceptable {
        supported: supported.iter().map(|f| f.media_type()).collect(),
    };
    if let Some(format) = asked {
        return supported
            .contains(&format)
            .then_some(format)
            .ok_or_else(not_acceptable);
    }
    let values: Vec<&str> = req
        .headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .collect();
    let ranges = media_ranges(&values.join(","));
    // No Accept, or one without a single media range, says nothing: JSON.
    if ranges.is_empty() {
        return Ok(Format::Json);
    }
    // Each format takes the weight of the most specific range that names it (RFC 9110 12.5.1),
    // so `application/json;q=0, */*` refuses JSON even though `*/*` would take it. The best
    // weight wins; among equals, the range the client listed first, then the endpoint's order.
    supported
        .iter()
        .enumerate()
        .filter_map(|(rank, format)| {
            let (position, range) = ranges
                .iter()
                .enumerate()
                .filter(|(_, r)| format.matches(&r.type_, &r.subtype))
                .max_by_key(|(position, r)| (r.specificity(), std::cmp::Reverse(*position)))?;
            (range.quality > 0).then_some((range.quality, position, rank, *format))
        })
        .min_by_key(|&(quality, position, rank, _)| (std::cmp::Reverse(quality), position, rank))
        .map(|(.., format)| format)
        .ok_or_else(not_acceptable)
}

/// One media range of an `Accept` header, lower-cased, with its weight in thousandths.
#[derive(Debug, PartialEq)]
struct MediaRange {
    type_: String,
    subtype: String,
    quality: u16,
}

impl MediaRange {
    /// `*/*` is the least specific, `type/*` more, `type/subtype` the most.
    fn specificity(&self) -> u8 {
        u8::from(self.type_ != "*") + u8::from(self.subtype != "*")
    }
}

/// The media ranges of an `Accept` value. What is not `type/subtype` is skipped, and a `q` that
/// is not a number from 0 to 1 is ignored as if it were absent: RFC 9110 (12.4.2) gives it no
/// meaning, so `q=2` neither refuses a type nor ranks it above the others.
fn media_ranges(value: &str) -> Vec<MediaRange> {
    value
        .split(',')
        .filter_map(|part| {
            let mut fields = part.split(';');
            let (type_, subtype) = fields.next()?.trim().split_once('/')?;
            let (type_, subtype) = (type_.trim(), subtype.trim());
            if type_.is_empty() || subtype.is_empty() {
                return None;
            }
            let quality = fields
                .filter_map(|f| f.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
                .and_then(|(_, q)| q.trim().parse::<f64>().ok())
                .filter(|q| (0.0..=1.0).contains(q))
                .map_or(1000, |q| (q * 1000.0).round() as u16);
            Some(MediaRange {
                type_: type_.to_ascii_lowercase(),
                subtype: subtype.to_ascii_lowercase(),
                quality,
            })
        })
        .collect()
}

/// Flattens a record into CSV cells: nested objects become dotted columns (`claimant.id`),
/// the language maps named in `languages` one column per language (`text.zh-CN`), arrays of
/// plain values one cell joined by `; `, and anything deeper one cell of JSON.
pub struct CsvLayout {
    /// Column paths of the language maps, with the languages to give a column each.
    languages: BTreeMap<String, Vec<String>>,
    /// Optional objects, with their keys: they get their columns even where they are null.
    objects: BTreeMap<String, &'static [&'static str]>,
    /// Optional fields that get a column even if the first record lacks them.
    extra: Vec<String>,
    columns: Option<Vec<String>>,
}

impl CsvLayout {
    pub fn new(languages: BTreeMap<String, Vec<String>>) -> CsvLayout {
        CsvLayout {
            languages,
            objects: BTreeMap::new(),
            extra: Vec::new(),
            columns: None,
        }
    }

    /// Gives the optional object at `path` a column for each of `keys`.
    pub fn with_object(mut self, path: &str, keys: &'static [&'static str]) -> CsvLayout {
        self.objects.insert(path.to_owned(), keys);
        self
    }

    /// Gives each of `fields` a column, whether or not the first record has it.
    pub fn with_columns(mut self, fields: &[&str]) -> CsvLayout {
        self.extra.extend(fields.iter().map(|f| f.to_string()));
        self
    }

    fn flatten(&self, prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
        let join = |key: &str| {
            if prefix.is_empty() {
                key.to_owned()
            } else {
                format!("{prefix}.{key}")
            }
        };
        if let Some(keys) = self.objects.get(prefix) {
            for key in *keys {
                out.push((join(key), cell(value.get(key).unwrap_or(&Value::Null))));
            }
            return;
        }
        match value {
            Value::Object(map) => match self.languages.get(prefix) {
                Some(langs) => {
                    for lang in langs {
                        out.push((join(lang), cell(map.get(lang).unwrap_or(&Value::Null))));
                    }
                }
                None => {
                    for (key, v) in map {
                        let path = join(key);
                        if v.is_object() || self.objects.contains_key(&path) {
                            self.flatten(&path, v, out);
                        } else {
                            out.push((path, cell(v)));
                        }
                    }
                }
            },
            other => out.push((prefix.to_owned(), cell(other))),
        }
    }

    /// The CSV lines of one record: the header before the first, then its row.
    pub(super) fn lines<T: Serialize>(&mut self, item: &T) -> Result<String, ApiError> {
        let value = serde_json::to_value(item).map_err(|e| ApiError::Internal(e.into()))?;
        let mut cells = Vec::new();
        self.flatten("", &value, &mut cells);
        let mut out = String::new();
        let columns = self.columns.get_or_insert_with(|| {
            out.push('\u{feff}');
            let mut names: Vec<String> = cells.iter().map(|(k, _)| k.clone()).collect();
            for extra in &self.extra {
                if !names.contains(extra) {
                    names.push(extra.clone());
                }
            }
            push_row(&mut out, names.iter().map(String::as_str));
            names
        });
        let by_name: BTreeMap<&str, &str> = cells
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        push_row(
            &mut out,
            columns
                .iter()
                .map(|c| by_name.get(c.as_str()).copied().unwrap_or("")),
        );
        Ok(out)
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
            items.iter().map(cell).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}

/// One CSV row (RFC 4180): fields with commas, quotes or line breaks are quoted.
fn push_row<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

fn ndjson_line<T: Serialize>(item: &T) -> Result<String, ApiError> {
    let mut line = serde_json::to_string(item).map_err(|e| ApiError::Internal(e.into()))?;
    line.push('\n');
    Ok(line)
}

/// Renders records already in memory (an item, or a short list) as CSV or NDJSON.
pub fn tabular<T: Serialize>(
    format: Format,
    items: &[T],
    layout: CsvLayout,
) -> Result<HttpResponse, ApiError> {
    let mut layout = layout;
    let mut body = String::new();
    for item in items {
        body.push_str(&match format {
            Format::Csv => layout.lines(item)?,
            _ => ndjson_line(item)?,
        });
    }
    if format == Format::Csv && items.is_empty() {
        body.push('\u{feff}');
    }
    Ok(HttpResponse::Ok()
        .content_type(format.media_type())
        .body(body))
}

/// A streamed list's progress: the records fetched and not yet sent, and where to fetch next.
struct Streaming<T, F> {
    fetch: F,
    next: Option<Option<Keyset>>,
    buffer: VecDeque<T>,
    layout: CsvLayout,
    format: Format,
    /// A failure met after part of a chunk was rendered: sent after that chunk, then the end.
    failed: Option<ApiError>,
}

impl<T, F, Fut> Streaming<T, F>
where
    T: Serialize,
    F: FnMut(Option<Keyset>, u32) -> Fut,
    Fut: Future<Output = Result<Page<T>, crate::store::Error>>,
{
    /// The next [`STREAM_CHUNK`] bytes or so of records, fetching more as needed.
    async fn next_chunk(&mut self) -> Option<Result<Bytes, ApiError>> {
        if self.failed.is_some() {
            return self.fail();
        }
        let mut chunk = String::new();
        while chunk.len() < STREAM_CHUNK {
            if let Some(item) = self.buffer.pop_front() {
                match self.render(&item) {
                    Ok(text) => chunk.push_str(&text),
                    Err(e) => {
                        self.failed = Some(e);
                        break;
                    }
                }
                continue;
            }
            let Some(after) = self.next.take() else {
                break;
            };
            match (self.fetch)(after, STREAM_BATCH).await {
                Ok(page) => {
                    self.next = page.next.map(Some);
                    self.buffer.extend(page.items);
                }
                Err(e) => {
                    tracing::error!(error = ?e, "streaming a list failed");
                    self.failed = Some(ApiError::Internal(e.into()));
                    break;
                }
            }
        }
        if chunk.is_empty() {
            return self.fail();
        }
        Some(Ok(Bytes::from(chunk)))
    }

    fn render(&mut self, item: &T) -> Result<String, ApiError> {
        match self.format {
            Format::Csv => self.layout.lines(item),
            _ => ndjson_line(item),
        }
    }

    /// The failure met, if any, ending the stream after it.
    fn fail(&mut self) -> Option<Result<Bytes, ApiError>> {
        let error = self.failed.take()?;
        self.buffer.clear();
        self.next = None;
        Some(Err(error))
    }
}

/// Streams every record of a list as CSV or NDJSON, from `start` on, fetching `fetch(after)`
/// a page at a time. The first page is read before the answer starts, so that a failure there
/// is still a proper error; one after the first bytes can only end the stream, and is logged.
pub async fn stream<T, F, Fut>(
    format: Format,
    start: Option<Keyset>,
    layout: CsvLayout,
    mut fetch: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + 'static,
    F: FnMut(Option<Keyset>, u32) -> Fut + 'static,
    Fut: Future<Output = Result<Page<T>, crate::store::Error>> + 'static,
{
    let first = fetch(start, STREAM_BATCH).await?;
    if first.items.is_empty() && format == Format::Csv {
        // Nothing matched: the answer is an empty spreadsheet, marked UTF-8 all the same. It is
        // a stream like every other list in this format, so that HEAD drops it the same way.
        let bom = futures_util::stream::once(async {
            Ok::<_, ApiError>(Bytes::from_static("\u{feff}".as_bytes()))
        });
        return Ok(HttpResponse::Ok()
            .content_type(format.media_type())
            .streaming(bom));
    }
    let state = Streaming {
        fetch,
        next: first.next.map(Some),
        buffer: first.items.into(),
        layout,
        format,
        failed: None,
    };
    let body = futures_util::stream::unfold(state, |mut s| async move {
        let chunk = s.next_chunk().await?;
        Some((chunk, s))
    });
    Ok(
        HttpResponse::Ok()
            .content_type(format.media_type())
            .streaming(
                Box::pin(body) as std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, ApiError>>>>
            ),
    )
}

/// One record in `format`; `node` maps it to JSON-LD, `layout` lays it out as CSV.
pub fn item<T: Serialize>(
    format: Format,
    item: &T,
    layout: CsvLayout,
    node: impl Fn(&T) -> Value,
) -> Result<HttpResponse, ApiError> {
    match format {
        Format::Json => Ok(HttpResponse::Ok().json(item)),
        Format::JsonLd => Ok(json_ld(node(item))),
        Format::Csv | Format::Ndjson => tabular(format, std::slice::from_ref(item), layout),
    }
}

/// A short list held in memory (a claim's appearances, assessments or revisions) in `format`;
/// `json` builds its JSON envelope.
pub fn list<T: Serialize, L: Serialize>(
    format: Format,
    items: Vec<T>,
    layout: CsvLayout,
    json: impl FnOnce(Vec<T>) -> L,
    node: impl Fn(&T) -> Value,
) -> Result<HttpResponse, ApiError> {
    match format {
        Format::Json => Ok(HttpResponse::Ok().json(json(items))),
        Format::JsonLd => Ok(json_ld_list(items.iter().map(node).collect())),
        Format::Csv | Format::Ndjson => tabular(format, &items, layout),
    }
}

/// A JSON-LD document with schema.org as its vocabulary, given inline so that no processor
/// needs to fetch a context.
pub fn json_ld(node: Value) -> HttpResponse {
    let mut doc = Map::new();
    doc.insert(
        "@context".into(),
        serde_json::json!({"@vocab": "https://schema.org/"}),
    );
    if let Value::Object(fields) = node {
        doc.extend(fields);
    }
    HttpResponse::Ok()
        .content_type(Format::JsonLd.media_type())
        .json(Value::Object(doc))
}

/// A JSON-LD list of nodes.
pub fn json_ld_list(nodes: Vec<Value>) -> HttpResponse {
    let items: Vec<Value> = nodes
        .into_iter()
        .enumerate()
        .map(|(i, item)| serde_json::json!({"@type": "ListItem", "position": i + 1, "item": item}))
        .collect();
    json_ld(
        serde_json::json!({"@type": "ItemList", "numberOfItems": items.len(), "itemListElement": items}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_flattens_predictably_and_quotes_what_it_must() {
        let mut layout = CsvLayout::new(BTreeMap::from([(
            "text".to_owned(),
            vec!["en".to_owned(), "zh-CN".to_owned()],
        )]))
        .with_object("horizon", &["due_on", "precision"])
        .with_columns(&["snippet"]);
        let first = json!({"id": "a", "claimant": {"id": "x", "name": "X, Y"}, "text": {"zh-CN": "电力"},
                           "horizon": null, "topics": ["chips", "electricity"], "quantities": [{"value": 1}],
                           "note": null});
        let second = json!({"id": "b", "claimant": {"id": "y", "name": "say \"hi\""}, "text": {"en": "Power"},
                            "horizon": {"due_on": "2026-12-31", "precision": "year"}, "topics": [],
                            "quantities": [], "note": "line\nbreak", "snippet": "<mark>Power</mark>"});
        let out = layout.lines(&first).unwrap() + &layout.lines(&second).unwrap();
        let expected = "\u{feff}id,claimant.id,claimant.name,text.en,text.zh-CN,horizon.due_on,horizon.precision,topics,quantities,note,snippet\r\n\
                        a,x,\"X, Y\",,电力,,,chips; electricity,\"[{\"\"value\"\":1}]\",,\r\n\
                        b,y,\"say \"\"hi\"\"\",Power,,2026-12-31,year,,,\"line\nbreak\",<mark>Power</mark>\r\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn a_quality_out_of_range_is_ignored_and_the_rest_is_read() {
        let ranges = media_ranges(
            "application/json;q=2, text/csv;q=-1, Application/LD+JSON;q=abc, */*;q=0.5, nonsense, x/",
        );
        let read: Vec<(&str, &str, u16)> = ranges
            .iter()
            .map(|r| (r.type_.as_str(), r.subtype.as_str(), r.quality))
            .collect();
        assert_eq!(
            read,
            [
                ("application", "json", 1000),
                ("text", "csv", 1000),
                ("application", "ld+json", 1000),
                ("*", "*", 500)
            ]
        );
    }

    #[test]
    fn formats_match_media_types_and_wildcards() {
        assert!(Format::Csv.matches("text", "csv"));
        assert!(Format::Csv.matches("text", "*"));
        assert!(Format::Json.matches("*", "*"));
        assert!(Format::Ndjson.matches("application", "x-ndjson"));
        assert!(!Format::Json.matches("text", "html"));
        assert_eq!(parse_format("jsonld").unwrap(), Format::JsonLd);
        assert!(parse_format("xml").is_err());
    }
}
