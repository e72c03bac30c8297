//! The bundled dataset (`data/dataset.json`), compiled into the binary and loaded into an empty
//! database on first start.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail, ensure};
use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::{PageRequest, Store, claimants, sources, taxonomy};
use crate::domain::{
    AppearanceKind, CalendarDate, ClaimKind, ClaimStatus, ClaimantKind, DatePrecision, Dimension,
    Evidence, EvidenceFilter, Fidelity, LanguageTag, Qualifier, Slug, SourceKind, Unit,
    Verification, parse_region,
};
use crate::domain::{ClaimFilter, ClaimSort, Expand};

mod export;
mod load;

pub use export::{all_claims, export, export_lines};
pub use load::{load, load_bundled};

/// The dataset as written in `data/dataset.json`.
pub const BUNDLED: &str = include_str!("../../../../data/dataset.json");

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// The time every record of the dataset is stamped with, so that two databases loaded from
    /// the same dataset give byte-identical answers (and ETags).
    recorded_at: String,
    topics: Vec<NamedTerm>,
    indicators: Vec<IndicatorRecord>,
    claimants: Vec<ClaimantRecord>,
    sources: Vec<SourceRecord>,
    claims: Vec<ClaimRecord>,
    #[serde(default)]
    assessments: Vec<AssessmentRecord>,
    /// The tokens the history names, without their secrets: in a copy they are revoked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tokens: Vec<TokenRecord>,
    /// Every write recorded, so that a copy answers `/v1/history` as the original does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    history: Vec<HistoryRecord>,
}

/// A token as a full export carries it: what `claimtrail token list` shows, never the secret.
#[derive(Debug, Deserialize, Serialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct TokenRecord {
    id: String,
    name: String,
    scope: String,
    created_at: String,
    revoked_at: Option<String>,
}

/// One recorded write, as the `history` table holds it.
#[derive(Debug, Deserialize, Serialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct HistoryRecord {
    pub(super) seq: i64,
    resource: String,
    resource_id: String,
    claim_id: Option<String>,
    action: String,
    token_id: Option<String>,
    at: String,
    /// RFC 6902 JSON Patch from the state before to the state after, as stored.
    diff: String,
}

/// The tokens a record's history names (without their secrets), and the history, oldest first.
pub(super) async fn history_of(
    store: &Store,
) -> Result<(Vec<TokenRecord>, Vec<HistoryRecord>), crate::store::Error> {
    let tokens = sqlx::query_as(
        "select id, name, scope, created_at, revoked_at from tokens \
         where id in (select token_id from history) order by id",
    )
    .fetch_all(store.reader())
    .await?;
    let history = sqlx::query_as(
        "select seq, resource, resource_id, claim_id, action, token_id, at, diff \
         from history order by seq",
    )
    .fetch_all(store.reader())
    .await?;
    Ok((tokens, history))
}

/// Adds a token of another database, so that the history copied with it names it. It cannot be
/// used: its secret stays with the original. It is revoked at `revoked_now` unless it was
/// before; a token of that id already here is left as it is.
pub(super) async fn insert_token(
    conn: &mut SqliteConnection,
    t: &TokenRecord,
    revoked_now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert or ignore into tokens (id, name, scope, secret_sha256, created_at, revoked_at) \
         values (?, ?, ?, ?, ?, ?)",
    )
    .bind(&t.id)
    .bind(&t.name)
    .bind(&t.scope)
    .bind("0".repeat(64))
    .bind(&t.created_at)
    .bind(t.revoked_at.as_deref().unwrap_or(revoked_now))
    .execute(conn)
    .await
    .map(|_| ())
}

/// Adds a recorded write of another database, with its sequence number.
pub(super) async fn insert_history(
    conn: &mut SqliteConnection,
    h: &HistoryRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into history (seq, resource, resource_id, claim_id, action, token_id, at, diff) \
         values (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(h.seq)
    .bind(&h.resource)
    .bind(&h.resource_id)
    .bind(&h.claim_id)
    .bind(&h.action)
    .bind(&h.token_id)
    .bind(&h.at)
    .bind(&h.diff)
    .execute(conn)
    .await
    .map(|_| ())
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct AssessmentRecord {
    id: String,
    claim: String,
    verdict: ClaimStatus,
    summary: String,
    evidence: Vec<Evidence>,
    assessed_on: String,
    assessor: String,
    /// When the record was created and last changed; absent in a hand-written file, where
    /// the dataset's `recorded_at` stands for both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct NamedTerm {
    id: String,
    names: BTreeMap<String, String>,
    description: Option<String>,
    /// When the record was created and last changed; absent in a hand-written file, where
    /// the dataset's `recorded_at` stands for both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct IndicatorRecord {
    id: String,
    names: BTreeMap<String, String>,
    dimension: Dimension,
    description: Option<String>,
    /// When the record was created and last changed; absent in a hand-written file, where
    /// the dataset's `recorded_at` stands for both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ClaimantRecord {
    id: String,
    kind: ClaimantKind,
    names: BTreeMap<String, String>,
    #[serde(default)]
    aliases: Vec<AliasRecord>,
    #[serde(default)]
    wikidata_id: Option<String>,
    description: Option<String>,
    #[serde(default)]
    affiliations: Vec<AffiliationRecord>,
    /// When the record was created and last changed; absent in a hand-written file, where
    /// the dataset's `recorded_at` stands for both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct AliasRecord {
    alias: String,
    lang: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct AffiliationRecord {
    organization: String,
    #[serde(default)]
    organization_id: Option<String>,
    role: String,
    #[serde(default)]
    since: Option<String>,
    #[serde(default)]
    until: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SourceRecord {
    id: String,
    kind: SourceKind,
    title: Option<String>,
    publisher: String,
    url: Option<String>,
    published_on: Option<String>,
    published_precision: Option<DatePrecision>,
    #[serde(default)]
    published_at: Option<String>,
    language: String,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    cites: Vec<String>,
    note: Option<String>,
    /// How the source was checked; every source of the bundled dataset says.
    #[serde(default)]
    verification: Option<Verification>,
    #[serde(default)]
    checked_on: Option<String>,
    #[serde(default)]
    archive_url: Option<String>,
    /// When the record was created and last changed; absent in a hand-written file, where
    /// the dataset's `recorded_at` stands for both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ClaimRecord {
    id: String,
    claimant: String,
    kind: ClaimKind,
    stated_on: String,
    stated_precision: DatePrecision,
    #[serde(default)]
    claimant_role: Option<String>,
    #[serde(default)]
    due_on: Option<String>,
    #[serde(default)]
    due_precision: Option<DatePrecision>,
    #[serde(default)]
    supersedes: Option<String>,
    #[serde(default)]
    origin_source: Option<String>,
    texts: BTreeMap<String, String>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    quantities: Vec<QuantityRecord>,
    #[serde(default)]
    appearances: Vec<AppearanceRecord>,
    /// When the record was created and last changed; absent in a hand-written file, where
    /// the dataset's `recorded_at` stands for both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct QuantityRecord {
    indicator: String,
    subject: String,
    #[serde(default)]
    comparison_subject: Option<String>,
    value: f64,
    #[serde(default)]
    lower: Option<f64>,
    #[serde(default)]
    upper: Option<f64>,
    unit: String,
    qualifier: Qualifier,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    label: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct AppearanceRecord {
    id: String,
    source: String,
    lang: String,
    kind: Option<AppearanceKind>,
    quote: Option<String>,
    #[serde(default)]
    fidelity: Option<Fidelity>,
    #[serde(default)]
    translation_of: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    locator: Option<String>,
    #[serde(default)]
    first: bool,
    /// When the record was created and last changed; absent in a hand-written file, where
    /// the dataset's `recorded_at` stands for both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
}

/// What loading did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadOutcome {
    /// The database was empty and now holds the dataset.
    Loaded { claims: usize, sources: usize },
    /// The database already held records; nothing was written.
    AlreadyPopulated,
}

impl Dataset {
    /// Checks that every source says how it was checked and when: what the bundled dataset
    /// promises its readers. (An export of a user's database need not: a source they wrote
    /// without a check says so with a null `verification`.)
    pub fn check_provenance(&self) -> anyhow::Result<()> {
        for s in &self.sources {
            ensure!(
                s.verification.is_some() && s.checked_on.is_some(),
                "source {} does not say how it was checked: give it verification and checked_on",
                s.id
            );
        }
        Ok(())
    }

    pub fn parse(json: &str) -> anyhow::Result<Dataset> {
        let dataset: Dataset = serde_json::from_str(json).context("parsing the dataset")?;
        dataset.validate()?;
        Ok(dataset)
    }

    /// Checks what the schema cannot: well-formed ids, dates, languages and regions, units that
    /// fit their indicator, and references to records that exist.
    fn validate(&self) -> anyhow::Result<()> {
        let check_slug = |what: &str, id: &str| -> anyhow::Result<()> {
            Slug::parse(id).map_err(|e| anyhow::anyhow!("{what} id {id:?} {e}"))?;
            Ok(())
        };
        let check_lang = |what: &str, tag: &str| -> anyhow::Result<()> {
            let parsed =
                LanguageTag::parse(tag).map_err(|e| anyhow::anyhow!("{what}: {tag:?} {e}"))?;
            ensure!(
                parsed.as_str() == tag,
                "{what}: write {tag:?} as {:?}",
                parsed.as_str()
            );
            Ok(())
        };
        let check_date = |what: &str, date: &str| -> anyhow::Result<()> {
            CalendarDate::parse(date).map_err(|e| anyhow::anyhow!("{what}: {date:?} {e}"))?;
            Ok(())
        };
        let dimensions: HashMap<&str, Dimension> = self
            .indicators
            .iter()
            .map(|i| (i.id.as_str(), i.dimension))
            .collect();
        let topics: Vec<&str> = self.topics.iter().map(|t| t.id.as_str()).collect();
        let claimants: Vec<&str> = self.claimants.iter().map(|c| c.id.as_str()).collect();
        let sources: Vec<&str> = self.sources.iter().map(|s| s.id.as_str()).collect();
        let claims: Vec<&str> = self.claims.iter().map(|c| c.id.as_str()).collect();

        for t in &self.topics {
            check_slug("topic", &t.id)?;
        }
        for i in &self.indicators {
            check_slug("indicator", &i.id)?;
        }
        for c in &self.claimants {
            check_slug("claimant", &c.id)?;
            for lang in c.names.keys() {
                check_lang(&format!("claimant {} name", c.id), lang)?;
            }
        }
        for s in &self.sources {
            check_slug("source", &s.id)?;
            check_lang(&format!("source {}", s.id), &s.language)?;
            if let Some(date) = &s.published_on {
                check_date(&format!("source {}", s.id), date)?;
            }
            ensure!(
                s.published_on.is_some() == s.published_precision.is_some(),
                "source {}: published_on and published_precision go together",
                s.id
            );
            if let Some(date) = &s.checked_on {
                check_date(&format!("source {} checked_on", s.id), date)?;
            }
            for url in [&s.url, &s.archive_url].into_iter().flatten() {
                ensure!(
                    url.starts_with("https://") || url.starts_with("http://"),
                    "source {}: {url:?} is not an http(s) URL",
                    s.id
                );
            }
            for cited in &s.cites {
                ensure!(
                    sources.contains(&cited.as_str()),
                    "source {} cites unknown {cited}",
                    s.id
                );
            }
        }
        let mut appearance_ids = Vec::new();
        for c in &self.claims {
            check_slug("claim", &c.id)?;
            check_date(&format!("claim {}", c.id), &c.stated_on)?;
            ensure!(
                claimants.contains(&c.claimant.as_str()),
                "claim {}: unknown claimant",
                c.id
            );
            ensure!(!c.texts.is_empty(), "claim {} has no text", c.id);
            for lang in c.texts.keys() {
                check_lang(&format!("claim {} text", c.id), lang)?;
            }
            for topic in &c.topics {
                ensure!(
                    topics.contains(&topic.as_str()),
                    "claim {}: unknown topic {topic}",
                    c.id
                );
            }
            if let Some(due) = &c.due_on {
                check_date(&format!("claim {} due_on", c.id), due)?;
            }
            if let Some(prev) = &c.supersedes {
                ensure!(
                    claims.contains(&prev.as_str()),
                    "claim {} supersedes unknown {prev}",
                    c.id
                );
            }
            if let Some(origin) = &c.origin_source {
                ensure!(
                    sources.contains(&origin.as_str()),
                    "claim {}: unknown origin {origin}",
                    c.id
                );
            }
            for q in &c.quantities {
                let Some(dimension) = dimensions.get(q.indicator.as_str()) else {
                    bail!("claim {}: unknown indicator {}", c.id, q.indicator);
                };
                let unit =
                    Unit::parse(&q.unit).map_err(|e| anyhow::anyhow!("claim {}: {e}", c.id))?;
                ensure!(
                    unit.dimension == *dimension,
                    "claim {}: unit {} does not measure {}",
                    c.id,
                    q.unit,
                    dimension
                );
                parse_region(&q.subject)
                    .map_err(|e| anyhow::anyhow!("claim {}: subject {e}", c.id))?;
                if let Some(other) = &q.comparison_subject {
                    parse_region(other)
                        .map_err(|e| anyhow::anyhow!("claim {}: comparison {e}", c.id))?;
                }
            }
            for a in &c.appearances {
                check_slug("appearance", &a.id)?;
                check_lang(&format!("appearance {}", a.id), &a.lang)?;
                ensure!(
                    sources.contains(&a.source.as_str()),
                    "appearance {}: unknown source",
                    a.id
                );
                appearance_ids.push(a.id.as_str());
            }
            ensure!(
                c.appearances.iter().filter(|a| a.first).count() <= 1,
                "claim {} has more than one first appearance",
                c.id
            );
        }
        for a in &self.assessments {
            check_slug("assessment", &a.id)?;
            check_date(&format!("assessment {}", a.id), &a.assessed_on)?;
            ensure!(
                claims.contains(&a.claim.as_str()),
                "assessment {}: unknown claim",
                a.id
            );
        }
        for c in &self.claims {
            for a in &c.appearances {
                if let Some(original) = &a.translation_of {
                    ensure!(
                        appearance_ids.contains(&original.as_str()),
                        "appearance {} translates unknown {original}",
                        a.id
                    );
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_dataset_is_valid() {
        let dataset = Dataset::parse(BUNDLED).unwrap();
        assert_eq!(dataset.claimants.len(), 5);
        assert!(dataset.claims.len() >= 18);
        dataset.check_provenance().unwrap();
    }

    #[test]
    fn a_bundled_source_that_does_not_say_how_it_was_checked_is_refused() {
        let id = "globaltimes-2026-01-08-musk";
        for field in ["verification", "checked_on"] {
            let mut value: serde_json::Value = serde_json::from_str(BUNDLED).unwrap();
            let source = value["sources"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|s| s["id"] == id)
                .unwrap();
            assert!(source.as_object_mut().unwrap().remove(field).is_some());
            let dataset = Dataset::parse(&value.to_string()).unwrap();
            let err = dataset.check_provenance().unwrap_err();
            assert!(
                err.to_string().contains(id) && err.to_string().contains("checked"),
                "{field}: {err}"
            );
        }
    }

    #[test]
    fn every_quote_from_the_seed_article_is_in_the_paragraph_it_names() {
        let seed = include_str!("../../../../data/provenance/seed-article.zh.txt");
        // Title, section, byline and date come first; the body's paragraphs follow, one a line.
        let paragraphs: Vec<&str> = seed.lines().skip(4).collect();
        let dataset = Dataset::parse(BUNDLED).unwrap();
        let from_seed: Vec<&AppearanceRecord> = dataset
            .claims
            .iter()
            .flat_map(|c| &c.appearances)
            .filter(|a| a.source == "eeff7-2026-01-10-musk-ai-compute")
            .collect();
        assert!(from_seed.len() >= 12, "{} appearances", from_seed.len());
        for a in from_seed {
            let quote = a
                .quote
                .as_deref()
                .expect("every seed appearance has its quote");
            let locator = a.locator.as_deref().expect("and its paragraph");
            let n: usize = locator.strip_prefix("paragraph ").unwrap().parse().unwrap();
            assert!(
                paragraphs[n - 1].contains(quote),
                "{}: not in {locator}: {quote}",
                a.id
            );
        }
    }

    #[test]
    fn a_unit_that_does_not_fit_its_indicator_is_refused() {
        let broken = BUNDLED.replacen(
            r#""value": 400, "unit": "GW""#,
            r#""value": 400, "unit": "TWh""#,
            1,
        );
        assert_ne!(broken, BUNDLED);
        let err = Dataset::parse(&broken)
            .err()
            .expect("TWh is energy, not power");
        assert!(err.to_string().contains("does not measure power"), "{err}");
    }
}
