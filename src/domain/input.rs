//! Records as clients write them, parsed from JSON into valid values with every failing field
//! named by its JSON pointer (RFC 6901), not just the first.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{
    AppearanceKind, CalendarDate, Claim, ClaimBody, ClaimKind, ClaimStatus, ClaimantKind,
    DatePrecision, Dimension, Evidence, Fidelity, InvalidValue, LanguageTag, Qualifier, Slug,
    SourceKind, Unit, Verification, parse_region,
};

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

/// A figure as written: a value with its unit.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantityInput {
    pub pointer: String,
    pub indicator: String,
    pub subject: String,
    pub comparison_subject: Option<String>,
    pub value: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub unit: Unit,
    pub qualifier: Qualifier,
    pub period: Option<String>,
    pub label: Option<String>,
}

/// A claim as written, valid in itself; references (claimant, topics, indicators, sources,
/// the claim it supersedes) are checked against the database when it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimInput {
    pub id: Option<Slug>,
    pub claimant: String,
    pub kind: ClaimKind,
    pub text: BTreeMap<String, String>,
    pub stated_on: CalendarDate,
    pub stated_precision: DatePrecision,
    pub claimant_role: Option<String>,
    pub horizon: Option<(CalendarDate, DatePrecision)>,
    pub topics: Vec<String>,
    pub quantities: Vec<QuantityInput>,
    pub supersedes: Option<String>,
    pub origin_source: Option<String>,
    pub note: Option<String>,
}

const CLAIM_FIELDS: &[&str] = &[
    "id",
    "claimant",
    "kind",
    "text",
    "stated_on",
    "stated_precision",
    "claimant_role",
    "horizon",
    "topics",
    "quantities",
    "supersedes",
    "origin_source",
    "note",
];
const QUANTITY_FIELDS: &[&str] = &[
    "indicator",
    "subject",
    "comparison_subject",
    "value",
    "lower",
    "upper",
    "unit",
    "qualifier",
    "period",
    "label",
];

impl ClaimInput {
    pub fn parse(body: &Map<String, Value>) -> Result<ClaimInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut r = Reader::new(body, "", CLAIM_FIELDS, &mut problems);
        let id = r.parsed("id", false, Slug::parse);
        let claimant = r.string("claimant", true);
        let kind = r.parsed("kind", true, str::parse::<ClaimKind>);
        let stated_on = r.parsed("stated_on", true, CalendarDate::parse);
        let stated_precision = r
            .parsed("stated_precision", false, str::parse::<DatePrecision>)
            .unwrap_or(DatePrecision::Day);
        let claimant_role = r.string("claimant_role", false);
        let topics = r.strings("topics");
        let supersedes = r.string("supersedes", false);
        let origin_source = r.string("origin_source", false);
        let note = r.string("note", false);

        let text = r.language_map("text", "the claim's words");
        if let Some(on) = stated_on
            && !on.fits(stated_precision)
        {
            r.fail("stated_on", precision_message(stated_precision));
        }

        let horizon = match r.value("horizon") {
            None => None,
            Some(Value::Object(h)) => {
                let mut hr = Reader::new(h, "/horizon", &["due_on", "precision"], &mut *r.problems);
                let due = hr.parsed("due_on", true, CalendarDate::parse);
                let precision = hr
                    .parsed("precision", false, str::parse::<DatePrecision>)
                    .unwrap_or(DatePrecision::Day);
                due.map(|d| (d, precision))
            }
            Some(_) => {
                r.fail(
                    "horizon",
                    "must be an object with due_on (YYYY-MM-DD) and precision",
                );
                None
            }
        };
        if horizon.is_some() && kind.is_some_and(|k| k != ClaimKind::Prediction) {
            r.fail("horizon", "only a prediction has a horizon");
        }

        let mut quantities = Vec::new();
        for (pointer, q) in r.objects("quantities") {
            let mut qr = Reader::new(q, &pointer, QUANTITY_FIELDS, &mut *r.problems);
            let indicator = qr.string("indicator", true);
            let subject = qr.parsed("subject", true, parse_region);
            let comparison_subject = qr.parsed("comparison_subject", false, parse_region);
            let value = qr.number("value", true);
            let lower = qr.number("lower", false);
            let upper = qr.number("upper", false);
            let unit = qr.parsed("unit", true, Unit::parse);
            let qualifier = qr
                .parsed("qualifier", false, str::parse::<Qualifier>)
                .unwrap_or(Qualifier::Exactly);
            let period = qr.string("period", false);
            let label = qr.string("label", false);
            if let (Some(v), Some(l)) = (value, lower)
                && l > v
            {
                qr.fail("lower", "must not be above value");
            }
            if let (Some(v), Some(u)) = (value, upper)
                && u < v
            {
                qr.fail("upper", "must not be below value");
            }
            // SQLite keeps doubles, and JSON has no infinity: a figure whose SI value does not fit
            // comfortably is refused rather than stored as something no reader can parse back.
            if let Some(unit) = unit {
                for (field, v) in [("value", value), ("lower", lower), ("upper", upper)] {
                    let fits = |v: f64| unit.to_si(v).abs() <= MAX_SI;
                    if v.is_some_and(|v| !fits(v)) {
                        qr.fail(
                            field,
                            format!("is too large: at most {MAX_SI:e} in SI units"),
                        );
                    }
                }
            }
            if let (Some(indicator), Some(subject), Some(value), Some(unit)) =
                (indicator, subject, value, unit)
            {
                quantities.push(QuantityInput {
                    pointer,
                    indicator,
                    subject,
                    comparison_subject,
                    value,
                    lower,
                    upper,
                    unit,
                    qualifier,
                    period,
                    label,
                });
            }
        }

        match (claimant, kind, stated_on) {
            (Some(claimant), Some(kind), Some(stated_on)) if problems.is_empty() => {
                Ok(ClaimInput {
                    id,
                    claimant,
                    kind,
                    text,
                    stated_on,
                    stated_precision,
                    claimant_role,
                    horizon,
                    topics,
                    quantities,
                    supersedes,
                    origin_source,
                    note,
                })
            }
            _ => Err(problems),
        }
    }

    /// The writable fields of a stored claim, as a body would give them: what a JSON merge
    /// patch applies to, and what history compares.
    pub fn body_of(claim: &Claim) -> Value {
        serde_json::to_value(ClaimBody::from(claim)).unwrap_or(Value::Null)
    }
}

/// An appearance as written.
#[derive(Debug, Clone, PartialEq)]
pub struct AppearanceInput {
    pub id: Option<Slug>,
    pub source: String,
    pub lang: LanguageTag,
    pub quote: Option<String>,
    pub kind: Option<AppearanceKind>,
    pub translation_of: Option<String>,
    pub fidelity: Option<Fidelity>,
    pub note: Option<String>,
    pub locator: Option<String>,
    pub first_appearance: bool,
}

impl AppearanceInput {
    pub fn parse(body: &Map<String, Value>) -> Result<AppearanceInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let allowed = [
            "id",
            "source",
            "lang",
            "quote",
            "kind",
            "translation_of",
            "fidelity",
            "note",
            "locator",
            "first_appearance",
        ];
        let mut r = Reader::new(body, "", &allowed, &mut problems);
        let id = r.parsed("id", false, Slug::parse);
        let source = r.string("source", true);
        let lang = r.parsed("lang", true, LanguageTag::parse);
        let quote = r.string("quote", false);
        let kind = r.parsed("kind", false, str::parse::<AppearanceKind>);
        let translation_of = r.string("translation_of", false);
        let fidelity = r.parsed("fidelity", false, str::parse::<Fidelity>);
        let note = r.string("note", false);
        let locator = r.string("locator", false);
        let first_appearance = match r.value("first_appearance") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                r.fail("first_appearance", "must be true or false");
                false
            }
        };
        if quote.is_some() && kind.is_none() {
            r.fail(
                "kind",
                "is required with a quote: verbatim, paraphrase or translation",
            );
        }
        match (source, lang) {
            (Some(source), Some(lang)) if problems.is_empty() => Ok(AppearanceInput {
                id,
                source,
                lang,
                quote,
                kind,
                translation_of,
                fidelity,
                note,
                locator,
                first_appearance,
            }),
            _ => Err(problems),
        }
    }
}

/// An assessment as written.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentInput {
    pub id: Option<Slug>,
    pub verdict: ClaimStatus,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    pub assessed_on: CalendarDate,
    pub assessor: String,
}

impl AssessmentInput {
    pub fn parse(body: &Map<String, Value>) -> Result<AssessmentInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let allowed = [
            "id",
            "verdict",
            "summary",
            "evidence",
            "assessed_on",
            "assessor",
        ];
        let mut r = Reader::new(body, "", &allowed, &mut problems);
        let id = r.parsed("id", false, Slug::parse);
        let verdict = r.parsed("verdict", true, str::parse::<ClaimStatus>);
        let summary = r.string("summary", true);
        let assessed_on = r.parsed("assessed_on", true, CalendarDate::parse);
        let assessor = r.string("assessor", true);
        let mut evidence = Vec::new();
        for (pointer, e) in r.objects("evidence") {
            let mut er = Reader::new(
                e,
                &pointer,
                &["description", "url", "source_id"],
                &mut *r.problems,
            );
            let description = er.string("description", true);
            let url = er.parsed("url", false, parse_url);
            let source_id = er.string("source_id", false);
            if let Some(description) = description {
                evidence.push(Evidence {
                    description,
                    url,
                    source_id,
                });
            }
        }
        match (verdict, summary, assessed_on, assessor) {
            (Some(verdict), Some(summary), Some(assessed_on), Some(assessor))
                if problems.is_empty() =>
            {
                Ok(AssessmentInput {
                    id,
                    verdict,
                    summary,
                    evidence,
                    assessed_on,
                    assessor,
                })
            }
            _ => Err(problems),
        }
    }
}

/// A topic or an indicator as written: the indicator's dimension is `Some`.
#[derive(Debug, Clone, PartialEq)]
pub struct TermInput {
    pub id: Option<Slug>,
    pub names: BTreeMap<String, String>,
    pub description: Option<String>,
    pub dimension: Option<Dimension>,
}

impl TermInput {
    /// Parses a topic (`with_dimension` false) or an indicator (true).
    pub fn parse(
        body: &Map<String, Value>,
        with_dimension: bool,
    ) -> Result<TermInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let allowed: &[&str] = if with_dimension {
            &["id", "names", "description", "dimension"]
        } else {
            &["id", "names", "description"]
        };
        let mut r = Reader::new(body, "", allowed, &mut problems);
        let id = r.parsed("id", false, Slug::parse);
        let names = r.language_map("names", "its names");
        let description = r.string("description", false);
        let dimension = if with_dimension {
            r.parsed("dimension", true, str::parse::<Dimension>)
        } else {
            None
        };
        if problems.is_empty() {
            Ok(TermInput {
                id,
                names,
                description,
                dimension,
            })
        } else {
            Err(problems)
        }
    }
}

/// An alias as written.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasInput {
    pub alias: String,
    pub lang: Option<LanguageTag>,
}

/// An affiliation as written.
#[derive(Debug, Clone, PartialEq)]
pub struct AffiliationInput {
    pub organization: String,
    pub organization_id: Option<String>,
    pub role: String,
    pub since: Option<CalendarDate>,
    pub until: Option<CalendarDate>,
}

/// A claimant as written.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimantInput {
    pub id: Option<Slug>,
    pub kind: ClaimantKind,
    pub names: BTreeMap<String, String>,
    pub aliases: Vec<AliasInput>,
    pub wikidata_id: Option<String>,
    pub description: Option<String>,
    pub affiliations: Vec<AffiliationInput>,
}

fn parse_wikidata(s: &str) -> Result<String, InvalidValue> {
    match s.strip_prefix('Q') {
        Some(n)
            if !n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(s.to_owned())
        }
        _ => Err(InvalidValue(
            "must be a Wikidata item id such as Q317521".into(),
        )),
    }
}

impl ClaimantInput {
    pub fn parse(body: &Map<String, Value>) -> Result<ClaimantInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let allowed = [
            "id",
            "kind",
            "names",
            "aliases",
            "wikidata_id",
            "description",
            "affiliations",
        ];
        let mut r = Reader::new(body, "", &allowed, &mut problems);
        let id = r.parsed("id", false, Slug::parse);
        let kind = r.parsed("kind", true, str::parse::<ClaimantKind>);
        let names = r.language_map("names", "its names");
        let wikidata_id = r.parsed("wikidata_id", false, parse_wikidata);
        let description = r.string("description", false);
        let mut aliases = Vec::new();
        // Aliases are matched ignoring ASCII case (`claimant=musk` finds "Musk"), so two that
        // differ only so are one; keeping either silently would lose the other.
        let mut seen = std::collections::HashMap::new();
        for (pointer, a) in r.objects("aliases") {
            let mut ar = Reader::new(a, &pointer, &["alias", "lang"], &mut *r.problems);
            let alias = ar.string("alias", true);
            let lang = ar.parsed("lang", false, LanguageTag::parse);
            if let Some(alias) = alias {
                match seen.entry(alias.to_ascii_lowercase()) {
                    std::collections::hash_map::Entry::Occupied(first) => ar.fail(
                        "alias",
                        format!(
                            "is the alias at {}/alias again (aliases that differ only in ASCII \
                             case are one)",
                            first.get()
                        ),
                    ),
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(pointer.clone());
                        aliases.push(AliasInput { alias, lang });
                    }
                }
            }
        }
        let mut affiliations = Vec::new();
        for (pointer, a) in r.objects("affiliations") {
            let fields = ["organization", "organization_id", "role", "since", "until"];
            let mut ar = Reader::new(a, &pointer, &fields, &mut *r.problems);
            let organization = ar.string("organization", true);
            let organization_id = ar.string("organization_id", false);
            let role = ar.string("role", true);
            let since = ar.parsed("since", false, CalendarDate::parse);
            let until = ar.parsed("until", false, CalendarDate::parse);
            if let (Some(organization), Some(role)) = (organization, role) {
                affiliations.push(AffiliationInput {
                    organization,
                    organization_id,
                    role,
                    since,
                    until,
                });
            }
        }
        match kind {
            Some(kind) if problems.is_empty() => Ok(ClaimantInput {
                id,
                kind,
                names,
                aliases,
                wikidata_id,
                description,
                affiliations,
            }),
            _ => Err(problems),
        }
    }
}

/// Why a date was refused for saying more than its precision.
fn precision_message(precision: DatePrecision) -> String {
    format!(
        "says more than its precision ({}) knows: with month the day is 01, with year the date \
         is January 1st (YYYY-01-01)",
        precision.as_str()
    )
}

/// A source as written.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInput {
    pub id: Option<Slug>,
    pub kind: SourceKind,
    pub title: Option<String>,
    pub publisher: String,
    pub url: Option<String>,
    pub published: Option<(CalendarDate, DatePrecision)>,
    pub published_at: Option<String>,
    pub language: LanguageTag,
    pub authors: Vec<String>,
    pub cites: Vec<String>,
    pub note: Option<String>,
    pub verification: Option<Verification>,
    pub checked_on: Option<CalendarDate>,
    pub archive_url: Option<String>,
}

pub fn parse_timestamp(s: &str) -> Result<String, InvalidValue> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| {
            t.to_offset(time::UtcOffset::UTC)
                .format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .ok_or_else(|| {
            InvalidValue("must be an RFC 3339 timestamp such as 2026-01-10T08:08:44Z".into())
        })
}

impl SourceInput {
    pub fn parse(body: &Map<String, Value>) -> Result<SourceInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let allowed = [
            "id",
            "kind",
            "title",
            "publisher",
            "url",
            "published_on",
            "published_precision",
            "published_at",
            "language",
            "authors",
            "cites",
            "note",
            "verification",
            "checked_on",
            "archive_url",
        ];
        let mut r = Reader::new(body, "", &allowed, &mut problems);
        let id = r.parsed("id", false, Slug::parse);
        let kind = r.parsed("kind", true, str::parse::<SourceKind>);
        let title = r.string("title", false);
        let publisher = r.string("publisher", true);
        let url = r.parsed("url", false, parse_url);
        let published_on = r.parsed("published_on", false, CalendarDate::parse);
        let precision = r.parsed("published_precision", false, str::parse::<DatePrecision>);
        let published_at = r.parsed("published_at", false, parse_timestamp);
        let language = r.parsed("language", true, LanguageTag::parse);
        let authors = r.strings("authors");
        let cites = r.strings("cites");
        let note = r.string("note", false);
        let verification = r.parsed("verification", false, str::parse::<Verification>);
        let checked_on = r.parsed("checked_on", false, CalendarDate::parse);
        let archive_url = r.parsed("archive_url", false, parse_url);
        if published_on.is_none() && (precision.is_some() || published_at.is_some()) {
            r.fail(
                "published_on",
                "is required with published_precision or published_at",
            );
        }
        let published = published_on.map(|d| (d, precision.unwrap_or(DatePrecision::Day)));
        if let Some((on, precision)) = published
            && !on.fits(precision)
        {
            r.fail("published_on", precision_message(precision));
        }
        match (kind, publisher, language) {
            (Some(kind), Some(publisher), Some(language)) if problems.is_empty() => {
                Ok(SourceInput {
                    id,
                    kind,
                    title,
                    publisher,
                    url,
                    published,
                    published_at,
                    language,
                    authors,
                    cites,
                    note,
                    verification,
                    checked_on,
                    archive_url,
                })
            }
            _ => Err(problems),
        }
    }
}

/// An absolute http(s) URL.
fn parse_url(s: &str) -> Result<String, InvalidValue> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let authority_char = |c: char| c.is_ascii_alphanumeric() || "._~%!$&'()*+,;=:@-".contains(c);
    if let Some(rest) = rest {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if !authority.is_empty()
            && authority.chars().all(authority_char)
            && !tail.contains(|c: char| c.is_whitespace() || c.is_control())
        {
            return Ok(s.to_owned());
        }
    }
    Err(InvalidValue(
        "must be an absolute http:// or https:// URL: a host name or address in ASCII (an \
         international name in its xn-- form), then no white space or control characters"
            .into(),
    ))
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
