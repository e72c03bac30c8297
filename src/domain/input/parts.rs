//! A claim's appearances and assessments as written.

use serde_json::{Map, Value};

use crate::domain::{
    AppearanceKind, CalendarDate, ClaimStatus, Evidence, Fidelity, LanguageTag, Slug,
};

use super::*;

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
