//! The records the API returns. They are built by the store and serialised by the API as they
//! are, so their doc comments are the field descriptions of the OpenAPI document.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::{
    AppearanceKind, ClaimKind, ClaimStatus, ClaimantKind, DatePrecision, Dimension, EvidenceLevel,
    Fidelity, MatchedIn, Qualifier, SourceKind, Verification,
};

mod bodies;
mod track_record;

pub use bodies::*;
pub use track_record::*;

/// What a written text must match: something other than white space, and no ASCII control
/// characters but tab and line breaks. The same rule as the server's check of text fields, with
/// white space spelt out as Rust's `char::is_whitespace` has it (Unicode White_Space): `\s`
/// means other sets in ECMA-262 (which has U+FEFF but not U+0085) and in Python.
pub const TEXT_PATTERN: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$";

/// What a filter value must match: something other than white space (Unicode White_Space, as
/// `str::trim` has it); what `params::parse_nonempty` accepts.
pub const NON_BLANK_PATTERN: &str =
    r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";

/// What a URL must match: `http://` or `https://`, then an authority of the ASCII characters
/// RFC 3986 allows there (a host name, IPv4 address, user info and port; an international name
/// in its `xn--` form), then optionally a path, query or fragment without white space (as for
/// text) or control characters (C0, DEL, C1): what `parse_url` accepts. IPv6 literals (`[…]`)
/// are not taken: clients that split URLs (Python's `urlsplit` among them) fail on a malformed
/// one, and no source of a claim is addressed that way.
pub const URL_PATTERN: &str = r"^https?://[A-Za-z0-9._~%!$&'()*+,;=:@-]+([/?#][^\x00-\x20\x7F-\x9F\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$";

/// Text keyed by BCP 47 language tag.
pub type LocalizedText = BTreeMap<String, String>;

/// A person or organization that makes claims.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Claimant {
    /// Stable id (a slug).
    #[schema(example = "elon-musk")]
    pub id: String,
    pub kind: ClaimantKind,
    /// The display name: the English one when there is one.
    #[schema(example = "Elon Musk")]
    pub name: String,
    /// Names by language.
    #[schema(example = json!({"en": "Elon Musk", "zh-CN": "埃隆·马斯克"}))]
    pub names: LocalizedText,
    /// Other names the claimant is known by. Each also works as `claimant=` on `GET /v1/claims`.
    /// Listed by language (those without one first), then by alias ignoring ASCII case.
    pub aliases: Vec<Alias>,
    /// Wikidata item id, when known.
    #[schema(example = json!(null))]
    #[schema(required = true)]
    pub wikidata_id: Option<String>,
    #[schema(example = "CEO of Tesla and SpaceX; founder of xAI.")]
    #[schema(required = true)]
    pub description: Option<String>,
    pub affiliations: Vec<Affiliation>,
    /// How many claims the record holds from this claimant.
    #[schema(example = 5)]
    pub claim_count: i64,
    /// When the record was created (RFC 3339, UTC).
    #[schema(example = "2026-11-29T00:00:00Z")]
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When the record last changed (RFC 3339, UTC).
    #[schema(example = "2026-11-29T00:00:00Z")]
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// Another name for a claimant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Alias {
    #[schema(example = "马斯克")]
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub alias: String,
    /// Language of the alias, when it has one.
    #[schema(example = "zh-CN")]
    pub lang: Option<String>,
}

/// A claimant's role in an organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Affiliation {
    #[schema(example = "Nvidia")]
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub organization: String,
    /// The organization's claimant id, when it is itself a claimant.
    #[schema(example = json!(null))]
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub organization_id: Option<String>,
    #[schema(example = "Founder and CEO")]
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub role: String,
    /// Start of the role (YYYY-MM-DD), when known.
    #[schema(format = Date)]
    pub since: Option<String>,
    /// End of the role (YYYY-MM-DD); null while it lasts or when unknown.
    #[schema(format = Date)]
    pub until: Option<String>,
}

/// The claimant of a claim, in brief.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClaimantRef {
    #[schema(example = "elon-musk")]
    pub id: String,
    #[schema(example = "Elon Musk")]
    pub name: String,
}

/// A document a claim appears in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Source {
    #[schema(example = "businessinsider-2026-01-07-musk-ai-compute")]
    pub id: String,
    pub kind: SourceKind,
    /// The document's title in its own language; null when it is not public.
    #[schema(
        example = "Elon Musk says China will 'far exceed the rest of the world in AI compute'"
    )]
    #[schema(required = true)]
    pub title: Option<String>,
    #[schema(example = "Business Insider")]
    pub publisher: String,
    /// Where the document can be read; null when no URL was found.
    #[schema(
        example = "https://africa.businessinsider.com/news/elon-musk-says-china-will-far-exceed-the-rest-of-the-world-in-ai-compute/e7xrtny"
    )]
    #[schema(required = true)]
    pub url: Option<String>,
    /// Publication date (YYYY-MM-DD); null when undated. With precision `month` the day is 01.
    #[schema(example = "2026-01-07")]
    #[schema(required = true, format = Date)]
    pub published_on: Option<String>,
    /// How much of `published_on` is known.
    #[schema(required = true)]
    pub published_precision: Option<DatePrecision>,
    /// The exact publication time (RFC 3339, UTC), when the source states it.
    #[schema(example = json!(null))]
    #[schema(required = true, format = DateTime)]
    pub published_at: Option<String>,
    /// The document's language (BCP 47).
    #[schema(example = "en")]
    pub language: String,
    #[schema(example = json!([]))]
    pub authors: Vec<String>,
    /// Ids of the sources this one relies on (a report citing a podcast).
    #[schema(example = json!(["moonshots-2026-01-06-musk"]))]
    pub cites: Vec<String>,
    /// Ids of the sources that rely on this one.
    #[schema(example = json!(["globaltimes-2026-01-08-musk", "cankaoxiaoxi-musk"]))]
    pub cited_by: Vec<String>,
    /// What is uncertain or missing about this source.
    #[schema(example = "First report of the podcast remarks.")]
    #[schema(required = true)]
    pub note: Option<String>,
    /// How we know this source; null when nobody recorded a check.
    #[schema(required = true)]
    pub verification: Option<Verification>,
    /// The day of that check (YYYY-MM-DD).
    #[schema(example = "2026-12-02")]
    #[schema(required = true, format = Date)]
    pub checked_on: Option<String>,
    /// A copy of the document in a web archive, when one was made.
    #[schema(example = json!(null))]
    #[schema(required = true)]
    pub archive_url: Option<String>,
    /// How many claims appear in or originate from this source.
    #[schema(example = 5)]
    pub claim_count: i64,
    #[schema(example = "2026-11-29T00:00:00Z")]
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(example = "2026-11-29T00:00:00Z")]
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// A figure in a claim.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct Quantity {
    /// What the figure measures.
    #[schema(example = "datacenter-power-shortfall")]
    pub indicator: String,
    /// Who or where it is about: ISO 3166-1 alpha-2, or `WORLD`.
    #[schema(example = "US")]
    pub subject: String,
    /// For ratios, what the subject is compared with.
    #[schema(example = json!(null))]
    #[schema(required = true)]
    pub comparison_subject: Option<String>,
    /// The value as stated, in `unit`.
    #[schema(example = 47.0)]
    pub value: f64,
    /// Lower bound as stated, in `unit`.
    #[schema(required = true)]
    pub lower: Option<f64>,
    /// Upper bound as stated, in `unit`.
    #[schema(required = true)]
    pub upper: Option<f64>,
    /// The unit as stated.
    #[schema(example = "GW")]
    pub unit: String,
    pub qualifier: Qualifier,
    /// The period the figure covers, as stated.
    #[schema(example = "2025-2028")]
    #[schema(required = true)]
    pub period: Option<String>,
    /// Which of a claim's figures this is, when it has several.
    #[schema(example = "cumulative, before mitigation")]
    #[schema(required = true)]
    pub label: Option<String>,
    /// `value` in `si_unit`.
    #[schema(example = 47e9)]
    pub value_si: f64,
    #[schema(required = true)]
    pub lower_si: Option<f64>,
    #[schema(required = true)]
    pub upper_si: Option<f64>,
    /// The SI unit of the indicator's dimension: `W`, `Wh`, `x`, `%` or `USD`.
    #[schema(example = "W")]
    pub si_unit: String,
}

/// A forecast's due date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Horizon {
    /// The last day on which the forecast can come true (YYYY-MM-DD).
    #[schema(example = "2026-12-31")]
    #[schema(format = Date)]
    pub due_on: String,
    /// How precisely the claimant set it: "by 2026" is `year`.
    #[schema(required = false)]
    pub precision: DatePrecision,
}

/// A claim as it appeared in one source.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Appearance {
    #[schema(example = "musk-ai-compute-meiguo")]
    pub id: String,
    #[schema(example = "musk-china-ai-compute")]
    pub claim_id: String,
    #[schema(example = "meiguo-2026-01-07-musk")]
    pub source_id: String,
    /// The words exactly as the source printed them; null when they were not recorded.
    #[schema(example = "中国的算力将比任何国家都更强大")]
    #[schema(required = true)]
    pub quote: Option<String>,
    /// Language of the quote (BCP 47).
    #[schema(example = "zh-CN")]
    pub lang: String,
    /// How the source renders the claim; null when its wording was not recorded.
    #[schema(required = true)]
    pub kind: Option<AppearanceKind>,
    /// The appearance this one translates, when known.
    #[schema(example = "musk-ai-compute-bi-power")]
    #[schema(required = true)]
    pub translation_of: Option<String>,
    /// How faithful the wording is; null when not judged.
    #[schema(required = true)]
    pub fidelity: Option<Fidelity>,
    /// Where and how the wording drifted, or what is uncertain.
    #[schema(
        example = "\"Power\" (electricity, 电力) became 算力 (computing power). From 参考消息."
    )]
    #[schema(required = true)]
    pub note: Option<String>,
    /// Where in the source: a timestamp, page or paragraph.
    #[schema(example = json!(null))]
    #[schema(required = true)]
    pub locator: Option<String>,
    /// Whether this is the earliest recorded appearance of the claim.
    #[schema(example = false)]
    pub first_appearance: bool,
    #[schema(example = "2026-11-29T00:00:00Z")]
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(example = "2026-11-29T00:00:00Z")]
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// A piece of evidence an assessment relies on.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ToSchema)]
pub struct Evidence {
    #[schema(
        example = "2024 generation: China 10,087 TWh, US 4,635 TWh (Energy Institute Statistical Review), about 2.2x."
    )]
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub description: String,
    pub url: Option<String>,
    /// A source in the record, when the evidence is one.
    #[schema(
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
    )]
    pub source_id: Option<String>,
}

/// A review of a claim (schema.org ClaimReview).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assessment {
    #[schema(example = "musk-3x-by-2026-data-2025")]
    pub id: String,
    #[schema(example = "musk-china-3x-us-generation-by-2026")]
    pub claim_id: String,
    pub verdict: ClaimStatus,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// YYYY-MM-DD.
    #[schema(example = "2026-11-29")]
    #[schema(format = Date)]
    pub assessed_on: String,
    #[schema(example = "claimtrail editors")]
    pub assessor: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// A count of a claim's appearances, and their languages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppearanceSummary {
    #[schema(example = 7)]
    pub count: i64,
    #[schema(example = json!(["en", "zh-CN", "zh-TW"]))]
    pub languages: Vec<String>,
}

/// What a claim's evidence rests on: its appearances counted by how their source was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct EvidenceSummary {
    /// The best-checked source among those the claim appears in. `unverified` marks a claim
    /// that rests only on unverified leads: default listings leave it out.
    pub rests_on: EvidenceLevel,
    /// Appearances in sources whose text was read and the quote confirmed in it.
    #[schema(example = 5)]
    pub verified: i64,
    /// Appearances in sources known only through the sources that cite them.
    #[schema(example = 0)]
    pub secondary: i64,
    /// Appearances in sources nobody could confirm.
    #[schema(example = 0)]
    pub unverified: i64,
    /// Appearances in sources whose check was not recorded.
    #[schema(example = 0)]
    pub unrecorded: i64,
}

/// One statement by one claimant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Claim {
    #[schema(example = "musk-china-ai-compute")]
    pub id: String,
    pub claimant: ClaimantRef,
    /// The claimant's role when the claim was made.
    #[schema(example = "CEO of Tesla and SpaceX; founder of xAI")]
    #[schema(required = true)]
    pub claimant_role: Option<String>,
    pub kind: ClaimKind,
    /// The claim in each language it is recorded in (BCP 47 keys).
    #[schema(example = json!({"en": "Based on current trends, China will far exceed the rest of the world in AI compute.", "zh-CN": "按照当前的发展趋势,中国在AI算力方面将远超世界其他国家。"}))]
    pub text: LocalizedText,
    /// When the claim was made (YYYY-MM-DD; the day is 01 with precision `month`).
    #[schema(example = "2026-01-06")]
    #[schema(format = Date)]
    pub stated_on: String,
    pub stated_precision: DatePrecision,
    /// The due date, for a forecast.
    #[schema(required = true)]
    pub horizon: Option<Horizon>,
    pub status: ClaimStatus,
    /// Topic ids.
    #[schema(example = json!(["ai-compute", "electricity"]))]
    pub topics: Vec<String>,
    pub quantities: Vec<Quantity>,
    /// The claim this one revises (the previous step of its revision chain).
    #[schema(example = json!(null))]
    #[schema(required = true)]
    pub supersedes: Option<String>,
    /// The claim that revises this one; null for the latest of a chain.
    #[schema(example = json!(null))]
    #[schema(required = true)]
    pub superseded_by: Option<String>,
    /// Where the claimant first made the claim, when that is known.
    #[schema(example = "moonshots-2026-01-06-musk")]
    #[schema(required = true)]
    pub origin_source: Option<String>,
    /// What is uncertain about the claim, or how it relates to others.
    #[schema(required = true)]
    pub note: Option<String>,
    pub appearance_summary: AppearanceSummary,
    /// How many assessments the claim has.
    #[schema(example = 0)]
    pub assessment_count: i64,
    pub evidence: EvidenceSummary,
    /// Every appearance, with `expand=appearances`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appearances: Option<Vec<Appearance>>,
    /// Every assessment, with `expand=assessments`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessments: Option<Vec<Assessment>>,
    /// The sources of its appearances and its origin, with `expand=sources`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<Source>>,
    /// With `q`: the passage that best matches, HTML-escaped, with `<mark>` around each match.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "中国将拥有比其他任何国家都更多的<mark>电力</mark>,也可能会拥有更多芯片。")]
    pub snippet: Option<String>,
    /// With `q`: the language of `snippet`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "zh-CN")]
    pub snippet_lang: Option<String>,
    /// With `q`: where the snippet comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_in: Option<MatchedIn>,
    #[schema(example = "2026-11-29T00:00:00Z")]
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(example = "2026-11-29T00:00:00Z")]
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// A tag on claims.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Topic {
    #[schema(example = "electricity")]
    pub id: String,
    #[schema(example = json!({"en": "Electricity", "zh-CN": "电力"}))]
    pub names: LocalizedText,
    #[schema(required = true)]
    pub description: Option<String>,
    #[schema(example = 14)]
    pub claim_count: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// What quantities measure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Indicator {
    #[schema(example = "datacenter-power-shortfall")]
    pub id: String,
    #[schema(example = json!({"en": "Data-center power shortfall", "zh-CN": "数据中心电力缺口"}))]
    pub names: LocalizedText,
    pub dimension: Dimension,
    /// The unit its quantities are normalised to.
    #[schema(example = "W")]
    pub si_unit: String,
    #[schema(required = true)]
    pub description: Option<String>,
    #[schema(example = 5)]
    pub quantity_count: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// How one figure moved from the previous step of a revision chain to this one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FigureChange {
    #[schema(example = "datacenter-power-shortfall")]
    pub indicator: String,
    #[schema(example = "US")]
    pub subject: String,
    /// The previous step's value, in `unit`.
    #[schema(example = 44.0)]
    pub from: f64,
    /// This step's value, in `unit`.
    #[schema(example = 47.0)]
    pub to: f64,
    #[schema(example = "GW")]
    pub unit: String,
    /// `to - from`, in `unit`.
    #[schema(example = 3.0)]
    pub absolute: f64,
    /// `(to - from) / from`; null when `from` is 0.
    #[schema(example = 0.06818181818181818)]
    #[schema(required = true)]
    pub relative: Option<f64>,
}

/// One step of a revision chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionStep {
    pub claim: Claim,
    /// How its figures moved from the previous step; empty for the first step.
    pub changes: Vec<FigureChange>,
}

/// One figure for an indicator, with who stated it and when: a row of the consensus view.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Estimate {
    #[schema(example = "morgan-stanley-us-shortfall-47gw")]
    pub claim_id: String,
    pub claimant: ClaimantRef,
    /// When the claim was made (YYYY-MM-DD).
    #[schema(example = "2025-12-01")]
    #[schema(format = Date)]
    pub stated_on: String,
    pub stated_precision: DatePrecision,
    pub kind: ClaimKind,
    pub status: ClaimStatus,
    pub quantity: Quantity,
    /// The claim that revises this one; null while it is the claimant's latest word.
    #[schema(example = json!(null))]
    #[schema(required = true)]
    pub superseded_by: Option<String>,
    /// What the claim's evidence rests on (see `Claim.evidence`).
    pub evidence: EvidenceLevel,
}
