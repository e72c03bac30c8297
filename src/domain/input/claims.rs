//! A claim as written, with its figures.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::domain::{
    CalendarDate, Claim, ClaimBody, ClaimKind, DatePrecision, Qualifier, Slug, Unit, parse_region,
};

use super::*;

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
