//! Terms, claimants and sources as written.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::domain::{
    CalendarDate, ClaimantKind, DatePrecision, Dimension, InvalidValue, LanguageTag, Slug,
    SourceKind, Verification,
};

use super::*;

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
pub(super) fn precision_message(precision: DatePrecision) -> String {
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
pub(super) fn parse_url(s: &str) -> Result<String, InvalidValue> {
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
