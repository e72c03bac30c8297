//! The records as a client writes them: the bodies of POST and PATCH, and the writable fields
//! of each record served.

use serde::Serialize;
use utoipa::ToSchema;

use super::*;
use crate::domain::{
    AppearanceKind, ClaimKind, ClaimStatus, ClaimantKind, DatePrecision, Dimension, Fidelity,
    Qualifier, SourceKind, Verification,
};

/// A figure as a client writes it: the value with its unit; the SI values are derived.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuantityBody {
    #[schema(example = "datacenter-power-shortfall")]
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub indicator: String,
    /// ISO 3166-1 alpha-2, or `WORLD`.
    #[schema(example = "US", pattern = r"^([A-Z]{2}|WORLD)$")]
    pub subject: String,
    /// What the figure is compared with, as a region: ISO 3166-1 alpha-2, or `WORLD`.
    #[schema(pattern = r"^([A-Z]{2}|WORLD)$")]
    pub comparison_subject: Option<String>,
    #[schema(example = 47.0)]
    pub value: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// W, kW, MW, GW, TW, Wh … TWh, 千瓦, 万千瓦, 吉瓦, 千瓦时, 度, 亿千瓦时, x, 倍, %, USD …
    #[schema(example = "GW")]
    pub unit: String,
    /// Defaults to `exactly`.
    #[schema(required = false)]
    pub qualifier: Qualifier,
    #[schema(example = "2025-2028")]
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub period: Option<String>,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub label: Option<String>,
}

/// A claim as a client writes it (POST), or the fields a JSON merge patch may change (PATCH).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "musk-power-is-the-limit-2026-02",
    "claimant": "elon-musk",
    "kind": "prediction",
    "text": {"en": "Electricity will be the limit on AI compute in 2027."},
    "stated_on": "2026-02-01",
    "horizon": {"due_on": "2027-12-31", "precision": "year"},
    "topics": ["electricity", "ai-compute"],
    "quantities": [{"indicator": "spare-power-capacity", "subject": "CN", "value": 450, "unit": "GW", "qualifier": "about", "period": "2027"}]
}))]
pub struct ClaimBody {
    /// The id to give the claim (a slug); one is made from the claimant's when absent. POST only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The claimant's id.
    #[schema(example = "elon-musk")]
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub claimant: String,
    pub kind: ClaimKind,
    /// The claim's words, keyed by BCP 47 language; at least one.
    pub text: LocalizedText,
    /// YYYY-MM-DD.
    #[schema(example = "2026-02-01")]
    #[schema(format = Date)]
    pub stated_on: String,
    /// Defaults to `day`.
    #[schema(required = false)]
    pub stated_precision: DatePrecision,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub claimant_role: Option<String>,
    /// Only for a `prediction`; `precision` defaults to `day`.
    pub horizon: Option<Horizon>,
    /// Topic ids.
    #[schema(required = false)]
    pub topics: Vec<String>,
    #[schema(required = false)]
    pub quantities: Vec<QuantityBody>,
    /// The claim this one revises. A chain cannot fork (409) or loop (409).
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub supersedes: Option<String>,
    /// A source id.
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub origin_source: Option<String>,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub note: Option<String>,
}

/// An appearance as a client writes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "source": "businessinsider-2026-01-07-musk-ai-compute",
    "lang": "en", "kind": "verbatim",
    "quote": "People are underestimating the difficulty of bringing electricity online.",
    "fidelity": "faithful"
}))]
pub struct AppearanceBody {
    /// The id to give it (a slug); one is made when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The source's id.
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub source: String,
    /// Language of the quote (BCP 47).
    pub lang: String,
    /// The words as printed; with a quote, `kind` is required.
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub quote: Option<String>,
    pub kind: Option<AppearanceKind>,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub translation_of: Option<String>,
    pub fidelity: Option<Fidelity>,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub note: Option<String>,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub locator: Option<String>,
    /// Marks it as the claim's first recorded appearance (unmarking any other).
    #[schema(required = false)]
    pub first_appearance: bool,
}

impl From<&Appearance> for AppearanceBody {
    fn from(a: &Appearance) -> AppearanceBody {
        AppearanceBody {
            id: Some(a.id.clone()),
            source: a.source_id.clone(),
            lang: a.lang.clone(),
            quote: a.quote.clone(),
            kind: a.kind,
            translation_of: a.translation_of.clone(),
            fidelity: a.fidelity,
            note: a.note.clone(),
            locator: a.locator.clone(),
            first_appearance: a.first_appearance,
        }
    }
}

impl From<&Claim> for ClaimBody {
    fn from(c: &Claim) -> ClaimBody {
        ClaimBody {
            id: None,
            claimant: c.claimant.id.clone(),
            kind: c.kind,
            text: c.text.clone(),
            stated_on: c.stated_on.clone(),
            stated_precision: c.stated_precision,
            claimant_role: c.claimant_role.clone(),
            horizon: c.horizon.clone(),
            topics: c.topics.clone(),
            quantities: c
                .quantities
                .iter()
                .map(|q| QuantityBody {
                    indicator: q.indicator.clone(),
                    subject: q.subject.clone(),
                    comparison_subject: q.comparison_subject.clone(),
                    value: q.value,
                    lower: q.lower,
                    upper: q.upper,
                    unit: q.unit.clone(),
                    qualifier: q.qualifier,
                    period: q.period.clone(),
                    label: q.label.clone(),
                })
                .collect(),
            supersedes: c.supersedes.clone(),
            origin_source: c.origin_source.clone(),
            note: c.note.clone(),
        }
    }
}

/// An assessment as a client writes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "verdict": "pending",
    "summary": "Due at the end of 2026; 2024-25 data put the ratio at about 2.2-2.5x.",
    "evidence": [{"description": "2024 generation: China 10,087 TWh, US 4,635 TWh."}],
    "assessed_on": "2026-11-29",
    "assessor": "claimtrail editors"
}))]
pub struct AssessmentBody {
    /// The id to give it (a slug); one is made when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The verdict; the latest assessment's verdict is the claim's `status`.
    pub verdict: ClaimStatus,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub summary: String,
    #[schema(required = false)]
    pub evidence: Vec<Evidence>,
    /// YYYY-MM-DD.
    #[schema(format = Date)]
    pub assessed_on: String,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub assessor: String,
}

impl From<&Assessment> for AssessmentBody {
    fn from(a: &Assessment) -> AssessmentBody {
        AssessmentBody {
            id: None,
            verdict: a.verdict,
            summary: a.summary.clone(),
            evidence: a.evidence.clone(),
            assessed_on: a.assessed_on.clone(),
            assessor: a.assessor.clone(),
        }
    }
}

/// A topic or an indicator as the store merges a patch into it; only an indicator has a
/// `dimension`. The document describes the two as `TopicBody` and `IndicatorBody`.
#[derive(Debug, Clone, Serialize)]
pub struct TermBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub names: LocalizedText,
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimension: Option<Dimension>,
}

/// A topic as a client writes it (the document's name for a `TermBody` without `dimension`).
#[derive(ToSchema)]
#[schema(example = json!({"id": "grid", "names": {"en": "Power grid", "zh-CN": "电网"}, "description": "Transmission and interconnection."}))]
pub struct TopicBody {
    /// The id to give it (a slug). POST only.
    pub id: String,
    /// Names keyed by BCP 47 language; at least one.
    pub names: LocalizedText,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub description: Option<String>,
}

/// An indicator as a client writes it (the document's name for a `TermBody` with `dimension`).
#[derive(ToSchema)]
#[schema(example = json!({"id": "grid-interconnection-queue", "names": {"en": "Grid interconnection queue"}, "dimension": "power"}))]
pub struct IndicatorBody {
    /// The id to give it (a slug). POST only.
    pub id: String,
    /// Names keyed by BCP 47 language; at least one.
    pub names: LocalizedText,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub description: Option<String>,
    /// What it measures, which fixes the units of its figures. It cannot change while figures
    /// use it.
    pub dimension: Dimension,
}

impl From<&Topic> for TermBody {
    fn from(t: &Topic) -> TermBody {
        TermBody {
            id: None,
            names: t.names.clone(),
            description: t.description.clone(),
            dimension: None,
        }
    }
}

impl From<&Indicator> for TermBody {
    fn from(i: &Indicator) -> TermBody {
        TermBody {
            id: None,
            names: i.names.clone(),
            description: i.description.clone(),
            dimension: Some(i.dimension),
        }
    }
}

/// A claimant as a client writes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "satya-nadella", "kind": "person",
    "names": {"en": "Satya Nadella"},
    "aliases": [{"alias": "Nadella", "lang": "en"}],
    "affiliations": [{"organization": "Microsoft", "role": "CEO"}]
}))]
pub struct ClaimantBody {
    /// The id to give it (a slug). POST only; required there.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, required = true)]
    pub id: Option<String>,
    pub kind: ClaimantKind,
    /// Names keyed by BCP 47 language; at least one.
    pub names: LocalizedText,
    /// Other names; each works as `claimant=` on `GET /v1/claims`, ignoring ASCII case, so two
    /// that differ only so are refused. Listed by language (those without one first), then by
    /// alias ignoring ASCII case, whatever order they were written in.
    #[schema(required = false)]
    pub aliases: Vec<Alias>,
    /// A Wikidata item id such as `Q317521`.
    #[schema(pattern = r"^Q[1-9][0-9]*$")]
    pub wikidata_id: Option<String>,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub description: Option<String>,
    #[schema(required = false)]
    pub affiliations: Vec<Affiliation>,
}

impl From<&Claimant> for ClaimantBody {
    fn from(k: &Claimant) -> ClaimantBody {
        ClaimantBody {
            id: None,
            kind: k.kind,
            names: k.names.clone(),
            aliases: k.aliases.clone(),
            wikidata_id: k.wikidata_id.clone(),
            description: k.description.clone(),
            affiliations: k.affiliations.clone(),
        }
    }
}

/// A source as a client writes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "example-report-2026", "kind": "report", "publisher": "Example Research",
    "title": "An example report", "url": "https://example.org/report",
    "published_on": "2026-03-01", "published_precision": "month", "language": "en"
}))]
pub struct SourceBody {
    /// The id to give it (a slug). POST only; required there.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, required = true)]
    pub id: Option<String>,
    pub kind: SourceKind,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub title: Option<String>,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub publisher: String,
    /// An absolute http(s) URL.
    pub url: Option<String>,
    /// YYYY-MM-DD; with `published_precision`, which defaults to `day`.
    #[schema(format = Date)]
    pub published_on: Option<String>,
    pub published_precision: Option<DatePrecision>,
    /// RFC 3339; stored in UTC.
    #[schema(format = DateTime)]
    pub published_at: Option<String>,
    /// BCP 47.
    pub language: String,
    #[schema(required = false)]
    pub authors: Vec<String>,
    /// Ids of the sources it relies on.
    #[schema(required = false)]
    pub cites: Vec<String>,
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub note: Option<String>,
    /// How the source was checked: `verified` (its text was read and the quotes confirmed in
    /// it), `secondary` (known only through sources that cite it) or `unverified` (a lead nobody
    /// could confirm). Claims that appear only in unverified sources are left out of default
    /// listings.
    pub verification: Option<Verification>,
    /// The day of the check (YYYY-MM-DD).
    #[schema(format = Date)]
    pub checked_on: Option<String>,
    /// An absolute http(s) URL of an archived copy.
    pub archive_url: Option<String>,
}

impl From<&Source> for SourceBody {
    fn from(s: &Source) -> SourceBody {
        SourceBody {
            id: None,
            kind: s.kind,
            title: s.title.clone(),
            publisher: s.publisher.clone(),
            url: s.url.clone(),
            published_on: s.published_on.clone(),
            published_precision: s.published_precision,
            published_at: s.published_at.clone(),
            language: s.language.clone(),
            authors: s.authors.clone(),
            cites: s.cites.clone(),
            note: s.note.clone(),
            verification: s.verification,
            checked_on: s.checked_on.clone(),
            archive_url: s.archive_url.clone(),
        }
    }
}
