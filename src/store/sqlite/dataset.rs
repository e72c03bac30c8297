//! The bundled dataset (`data/dataset.json`), compiled into the binary and loaded into an empty
//! database on first start.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail, ensure};
use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::claims::{ClaimFilter, ClaimSort, Expand};
use super::{PageRequest, Store, claimants, sources, taxonomy};
use crate::domain::{
    AppearanceKind, CalendarDate, ClaimKind, ClaimStatus, ClaimantKind, DatePrecision, Dimension,
    Evidence, EvidenceFilter, Fidelity, LanguageTag, Qualifier, Slug, SourceKind, Unit,
    Verification, parse_region,
};

/// The dataset as written in `data/dataset.json`.
pub const BUNDLED: &str = include_str!("../../../data/dataset.json");

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

/// Loads the bundled dataset into `store` if the database holds no records yet.
pub async fn load_bundled(store: &Store) -> anyhow::Result<LoadOutcome> {
    let dataset = Dataset::parse(BUNDLED)?;
    dataset.check_provenance()?;
    load(store, &dataset).await
}

/// Loads `dataset` in one transaction if the database holds no claimants, sources or claims.
pub async fn load(store: &Store, dataset: &Dataset) -> anyhow::Result<LoadOutcome> {
    let mut tx = store.writer().begin().await?;
    let populated: bool = sqlx::query_scalar(
        "select exists(select 1 from claimants) or exists(select 1 from sources) \
         or exists(select 1 from claims)",
    )
    .fetch_one(&mut *tx)
    .await?;
    if populated {
        return Ok(LoadOutcome::AlreadyPopulated);
    }
    // An export lists appearances claim by claim; one may translate an appearance listed later.
    sqlx::query("pragma defer_foreign_keys = on")
        .execute(&mut *tx)
        .await?;
    insert_all(&mut tx, dataset).await?;
    super::search::rebuild(&mut tx)
        .await
        .context("indexing the dataset for search")?;
    super::documents::render_all(&mut tx)
        .await
        .context("rendering the dataset's claims")?;
    tx.commit().await?;
    Ok(LoadOutcome::Loaded {
        claims: dataset.claims.len(),
        sources: dataset.sources.len(),
    })
}

async fn insert_all(tx: &mut Transaction<'_, Sqlite>, d: &Dataset) -> anyhow::Result<()> {
    let at = d.recorded_at.as_str();
    for t in &d.topics {
        sqlx::query("insert into topics (id, names, description, created_at, updated_at) values (?, ?, ?, ?, ?)")
            .bind(&t.id)
            .bind(serde_json::to_string(&t.names)?)
            .bind(&t.description)
            .bind(t.created_at.as_deref().unwrap_or(at))
            .bind(t.updated_at.as_deref().unwrap_or(at))
            .execute(&mut **tx)
            .await
            .with_context(|| format!("topic {}", t.id))?;
    }
    for i in &d.indicators {
        sqlx::query(
            "insert into indicators (id, names, dimension, description, created_at, updated_at) \
             values (?, ?, ?, ?, ?, ?)",
        )
        .bind(&i.id)
        .bind(serde_json::to_string(&i.names)?)
        .bind(i.dimension.as_str())
        .bind(&i.description)
        .bind(i.created_at.as_deref().unwrap_or(at))
        .bind(i.updated_at.as_deref().unwrap_or(at))
        .execute(&mut **tx)
        .await
        .with_context(|| format!("indicator {}", i.id))?;
    }
    for c in &d.claimants {
        insert_claimant(tx, c, at)
            .await
            .with_context(|| format!("claimant {}", c.id))?;
    }
    for s in &d.sources {
        insert_source(tx, s, at)
            .await
            .with_context(|| format!("source {}", s.id))?;
    }
    for s in &d.sources {
        for cited in &s.cites {
            sqlx::query("insert into source_citations (source_id, cited_id) values (?, ?)")
                .bind(&s.id)
                .bind(cited)
                .execute(&mut **tx)
                .await
                .with_context(|| format!("source {} citing {cited}", s.id))?;
        }
    }
    // Claims first without their `supersedes` link, so a chain can be written in any order.
    for c in &d.claims {
        insert_claim(tx, c, at)
            .await
            .with_context(|| format!("claim {}", c.id))?;
    }
    for c in &d.claims {
        if let Some(previous) = &c.supersedes {
            sqlx::query("update claims set supersedes = ? where id = ?")
                .bind(previous)
                .bind(&c.id)
                .execute(&mut **tx)
                .await
                .with_context(|| format!("claim {} superseding {previous}", c.id))?;
        }
    }
    for c in &d.claims {
        for a in &c.appearances {
            insert_appearance(tx, &c.id, a, at)
                .await
                .with_context(|| format!("appearance {}", a.id))?;
        }
    }
    for a in &d.assessments {
        sqlx::query(
            "insert into assessments (id, claim_id, verdict, summary, evidence, assessed_on, \
             assessor, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&a.id)
        .bind(&a.claim)
        .bind(a.verdict.as_str())
        .bind(&a.summary)
        .bind(serde_json::to_string(&a.evidence)?)
        .bind(&a.assessed_on)
        .bind(&a.assessor)
        .bind(a.created_at.as_deref().unwrap_or(at))
        .bind(a.updated_at.as_deref().unwrap_or(at))
        .execute(&mut **tx)
        .await
        .with_context(|| format!("assessment {}", a.id))?;
    }
    let revoked_now = super::tokens::now();
    for t in &d.tokens {
        insert_token(tx, t, &revoked_now)
            .await
            .with_context(|| format!("token {}", t.id))?;
    }
    for h in &d.history {
        insert_history(tx, h)
            .await
            .with_context(|| format!("history entry {}", h.seq))?;
    }
    Ok(())
}

async fn insert_claimant(
    tx: &mut Transaction<'_, Sqlite>,
    c: &ClaimantRecord,
    at: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "insert into claimants (id, kind, names, wikidata_id, description, created_at, updated_at) \
         values (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&c.id)
    .bind(c.kind.as_str())
    .bind(serde_json::to_string(&c.names)?)
    .bind(&c.wikidata_id)
    .bind(&c.description)
    .bind(c.created_at.as_deref().unwrap_or(at))
    .bind(c.updated_at.as_deref().unwrap_or(at))
    .execute(&mut **tx)
    .await?;
    for a in &c.aliases {
        sqlx::query("insert into claimant_aliases (claimant_id, alias, lang) values (?, ?, ?)")
            .bind(&c.id)
            .bind(&a.alias)
            .bind(&a.lang)
            .execute(&mut **tx)
            .await?;
    }
    for (position, a) in c.affiliations.iter().enumerate() {
        sqlx::query(
            "insert into claimant_affiliations \
             (claimant_id, position, organization, organization_id, role, since, until) \
             values (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&c.id)
        .bind(position as i64)
        .bind(&a.organization)
        .bind(&a.organization_id)
        .bind(&a.role)
        .bind(&a.since)
        .bind(&a.until)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn insert_source(
    tx: &mut Transaction<'_, Sqlite>,
    s: &SourceRecord,
    at: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "insert into sources (id, kind, title, publisher, url, published_on, published_precision, \
         published_at, language, note, verification, checked_on, archive_url, created_at, \
         updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&s.id)
    .bind(s.kind.as_str())
    .bind(&s.title)
    .bind(&s.publisher)
    .bind(&s.url)
    .bind(&s.published_on)
    .bind(s.published_precision.map(|p| p.as_str()))
    .bind(&s.published_at)
    .bind(&s.language)
    .bind(&s.note)
    .bind(s.verification.map(|v| v.as_str()))
    .bind(&s.checked_on)
    .bind(&s.archive_url)
    .bind(s.created_at.as_deref().unwrap_or(at))
    .bind(s.updated_at.as_deref().unwrap_or(at))
    .execute(&mut **tx)
    .await?;
    for (position, name) in s.authors.iter().enumerate() {
        sqlx::query("insert into source_authors (source_id, position, name) values (?, ?, ?)")
            .bind(&s.id)
            .bind(position as i64)
            .bind(name)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn insert_claim(
    tx: &mut Transaction<'_, Sqlite>,
    c: &ClaimRecord,
    at: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "insert into claims (id, claimant_id, kind, stated_on, stated_precision, claimant_role, \
         due_on, due_precision, origin_source_id, note, created_at, updated_at) \
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&c.id)
    .bind(&c.claimant)
    .bind(c.kind.as_str())
    .bind(&c.stated_on)
    .bind(c.stated_precision.as_str())
    .bind(&c.claimant_role)
    .bind(&c.due_on)
    .bind(c.due_precision.map(|p| p.as_str()))
    .bind(&c.origin_source)
    .bind(&c.note)
    .bind(c.created_at.as_deref().unwrap_or(at))
    .bind(c.updated_at.as_deref().unwrap_or(at))
    .execute(&mut **tx)
    .await?;
    for (lang, text) in &c.texts {
        sqlx::query("insert into claim_texts (claim_id, lang, text) values (?, ?, ?)")
            .bind(&c.id)
            .bind(lang)
            .bind(text)
            .execute(&mut **tx)
            .await?;
    }
    for topic in &c.topics {
        sqlx::query("insert into claim_topics (claim_id, topic_id) values (?, ?)")
            .bind(&c.id)
            .bind(topic)
            .execute(&mut **tx)
            .await?;
    }
    for (position, q) in c.quantities.iter().enumerate() {
        // Validated by `Dataset::validate`; parsing again yields the conversion factor.
        let unit = Unit::parse(&q.unit)?;
        sqlx::query(
            "insert into quantities (claim_id, position, indicator_id, subject, comparison_subject, \
             value, lower, upper, unit, qualifier, period, label, value_si, lower_si, upper_si, si_unit) \
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&c.id)
        .bind(position as i64)
        .bind(&q.indicator)
        .bind(&q.subject)
        .bind(&q.comparison_subject)
        .bind(q.value)
        .bind(q.lower)
        .bind(q.upper)
        .bind(&q.unit)
        .bind(q.qualifier.as_str())
        .bind(&q.period)
        .bind(&q.label)
        .bind(unit.to_si(q.value))
        .bind(q.lower.map(|v| unit.to_si(v)))
        .bind(q.upper.map(|v| unit.to_si(v)))
        .bind(unit.dimension.si_unit())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn insert_appearance(
    tx: &mut Transaction<'_, Sqlite>,
    claim_id: &str,
    a: &AppearanceRecord,
    at: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "insert into appearances (id, claim_id, source_id, quote, lang, kind, translation_of, \
         fidelity, note, locator, first_appearance, created_at, updated_at) \
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&a.id)
    .bind(claim_id)
    .bind(&a.source)
    .bind(&a.quote)
    .bind(&a.lang)
    .bind(a.kind.map(|k| k.as_str()))
    .bind(&a.translation_of)
    .bind(a.fidelity.map(|f| f.as_str()))
    .bind(&a.note)
    .bind(&a.locator)
    .bind(a.first)
    .bind(a.created_at.as_deref().unwrap_or(at))
    .bind(a.updated_at.as_deref().unwrap_or(at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Reads every page of a list.
async fn all_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, super::Error>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<super::Page<T>, super::Error>>,
{
    let mut items = Vec::new();
    let mut after = None;
    loop {
        let page = fetch(PageRequest { limit: 1000, after }).await?;
        items.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(items),
        }
    }
}

/// The whole record in the dataset format: what `claimtrail import` loads into an empty
/// database to give the same API answers. Timestamps travel with each record.
pub async fn export(store: &Store) -> anyhow::Result<Dataset> {
    let (tokens, history) = history_of(store).await?;
    let topics =
        all_pages(|p| async move { taxonomy::list_topics(store, &p, false).await }).await?;
    let indicators =
        all_pages(|p| async move { taxonomy::list_indicators(store, &p, false).await }).await?;
    let claimants =
        all_pages(|p| async move { claimants::list(store, &p, false, None).await }).await?;
    let sources = all_pages(|p| async move { sources::list(store, &p, false, None).await }).await?;
    let expand = Expand {
        appearances: true,
        assessments: true,
        sources: false,
    };
    let filter = ClaimFilter {
        evidence: Some(EvidenceFilter::Any),
        ..ClaimFilter::default()
    };
    let claims = all_pages(|p| {
        let filter = &filter;
        async move {
            super::claims::list(store, filter, ClaimSort::StatedOnAsc, &p, false, expand).await
        }
    })
    .await?;
    let stamp = |created: &str, updated: &str| (Some(created.to_owned()), Some(updated.to_owned()));
    let mut assessments = Vec::new();
    let claims = claims
        .into_iter()
        .map(|c| {
            for a in c.assessments.iter().flatten() {
                let (created_at, updated_at) = stamp(&a.created_at, &a.updated_at);
                assessments.push(AssessmentRecord {
                    id: a.id.clone(),
                    claim: c.id.clone(),
                    verdict: a.verdict,
                    summary: a.summary.clone(),
                    evidence: a.evidence.clone(),
                    assessed_on: a.assessed_on.clone(),
                    assessor: a.assessor.clone(),
                    created_at,
                    updated_at,
                });
            }
            let (created_at, updated_at) = stamp(&c.created_at, &c.updated_at);
            ClaimRecord {
                id: c.id,
                claimant: c.claimant.id,
                kind: c.kind,
                stated_on: c.stated_on,
                stated_precision: c.stated_precision,
                claimant_role: c.claimant_role,
                due_on: c.horizon.as_ref().map(|h| h.due_on.clone()),
                due_precision: c.horizon.as_ref().map(|h| h.precision),
                supersedes: c.supersedes,
                origin_source: c.origin_source,
                texts: c.text,
                topics: c.topics,
                note: c.note,
                quantities: c
                    .quantities
                    .into_iter()
                    .map(|q| QuantityRecord {
                        indicator: q.indicator,
                        subject: q.subject,
                        comparison_subject: q.comparison_subject,
                        value: q.value,
                        lower: q.lower,
                        upper: q.upper,
                        unit: q.unit,
                        qualifier: q.qualifier,
                        period: q.period,
                        label: q.label,
                    })
                    .collect(),
                appearances: c
                    .appearances
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| {
                        let (created_at, updated_at) = stamp(&a.created_at, &a.updated_at);
                        AppearanceRecord {
                            id: a.id,
                            source: a.source_id,
                            lang: a.lang,
                            kind: a.kind,
                            quote: a.quote,
                            fidelity: a.fidelity,
                            translation_of: a.translation_of,
                            note: a.note,
                            locator: a.locator,
                            first: a.first_appearance,
                            created_at,
                            updated_at,
                        }
                    })
                    .collect(),
                created_at,
                updated_at,
            }
        })
        .collect();
    Ok(Dataset {
        recorded_at: super::tokens::now(),
        topics: topics
            .into_iter()
            .map(|t| {
                let (created_at, updated_at) = stamp(&t.created_at, &t.updated_at);
                NamedTerm {
                    id: t.id,
                    names: t.names,
                    description: t.description,
                    created_at,
                    updated_at,
                }
            })
            .collect(),
        indicators: indicators
            .into_iter()
            .map(|i| {
                let (created_at, updated_at) = stamp(&i.created_at, &i.updated_at);
                IndicatorRecord {
                    id: i.id,
                    names: i.names,
                    dimension: i.dimension,
                    description: i.description,
                    created_at,
                    updated_at,
                }
            })
            .collect(),
        claimants: claimants
            .into_iter()
            .map(|k| {
                let (created_at, updated_at) = stamp(&k.created_at, &k.updated_at);
                ClaimantRecord {
                    id: k.id,
                    kind: k.kind,
                    names: k.names,
                    aliases: k
                        .aliases
                        .into_iter()
                        .map(|a| AliasRecord {
                            alias: a.alias,
                            lang: a.lang,
                        })
                        .collect(),
                    wikidata_id: k.wikidata_id,
                    description: k.description,
                    affiliations: k
                        .affiliations
                        .into_iter()
                        .map(|a| AffiliationRecord {
                            organization: a.organization,
                            organization_id: a.organization_id,
                            role: a.role,
                            since: a.since,
                            until: a.until,
                        })
                        .collect(),
                    created_at,
                    updated_at,
                }
            })
            .collect(),
        sources: sources
            .into_iter()
            .map(|s| {
                let (created_at, updated_at) = stamp(&s.created_at, &s.updated_at);
                SourceRecord {
                    id: s.id,
                    kind: s.kind,
                    title: s.title,
                    publisher: s.publisher,
                    url: s.url,
                    published_on: s.published_on,
                    published_precision: s.published_precision,
                    published_at: s.published_at,
                    language: s.language,
                    authors: s.authors,
                    cites: s.cites,
                    note: s.note,
                    verification: s.verification,
                    checked_on: s.checked_on,
                    archive_url: s.archive_url,
                    created_at,
                    updated_at,
                }
            })
            .collect(),
        claims,
        assessments,
        tokens,
        history,
    })
}

impl Dataset {
    /// The dataset as pretty-printed JSON, the format of `data/dataset.json`.
    pub fn to_json(&self) -> anyhow::Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}

/// The whole record as NDJSON lines in the format `POST /v1/import` takes: `{"type": …}` and the
/// fields of each record's `POST`, in an order an import can apply, each with its `created_at`
/// and `updated_at`; then the tokens the history names (without their secrets) and the history.
/// An import made with the `admin` scope (`claimtrail import` is) keeps them all, so the copy
/// answers every read as the original does.
pub async fn export_lines(store: &Store) -> anyhow::Result<Vec<String>> {
    use crate::domain::{
        AppearanceBody, AssessmentBody, ClaimBody, ClaimantBody, SourceBody, TermBody,
    };

    /// When a record was created and last changed.
    type Stamps<'a> = (&'a str, &'a str);

    fn line<T: Serialize>(
        kind: &str,
        claim: Option<&str>,
        id: &str,
        body: &T,
        (created_at, updated_at): Stamps,
    ) -> anyhow::Result<String> {
        let mut map = serde_json::Map::new();
        map.insert("type".into(), kind.into());
        if let Some(claim) = claim {
            map.insert("claim".into(), claim.into());
        }
        map.insert("id".into(), id.into());
        if let serde_json::Value::Object(fields) = serde_json::to_value(body)? {
            map.extend(fields.into_iter().filter(|(k, _)| k != "id"));
        }
        map.insert("created_at".into(), created_at.into());
        map.insert("updated_at".into(), updated_at.into());
        Ok(serde_json::Value::Object(map).to_string())
    }

    fn typed<T: Serialize>(kind: &str, record: &T) -> anyhow::Result<String> {
        let mut map = serde_json::Map::new();
        map.insert("type".into(), kind.into());
        if let serde_json::Value::Object(fields) = serde_json::to_value(record)? {
            map.extend(fields);
        }
        Ok(serde_json::Value::Object(map).to_string())
    }

    let mut lines = Vec::new();
    for t in all_pages(|p| async move { taxonomy::list_topics(store, &p, false).await }).await? {
        let stamps = (t.created_at.as_str(), t.updated_at.as_str());
        lines.push(line("topic", None, &t.id, &TermBody::from(&t), stamps)?);
    }
    for i in all_pages(|p| async move { taxonomy::list_indicators(store, &p, false).await }).await?
    {
        let stamps = (i.created_at.as_str(), i.updated_at.as_str());
        lines.push(line("indicator", None, &i.id, &TermBody::from(&i), stamps)?);
    }
    for k in all_pages(|p| async move { claimants::list(store, &p, false, None).await }).await? {
        let stamps = (k.created_at.as_str(), k.updated_at.as_str());
        lines.push(line(
            "claimant",
            None,
            &k.id,
            &ClaimantBody::from(&k),
            stamps,
        )?);
    }
    for s in all_pages(|p| async move { sources::list(store, &p, false, None).await }).await? {
        let stamps = (s.created_at.as_str(), s.updated_at.as_str());
        lines.push(line("source", None, &s.id, &SourceBody::from(&s), stamps)?);
    }
    let expand = Expand {
        appearances: true,
        assessments: true,
        sources: false,
    };
    let filter = ClaimFilter {
        evidence: Some(EvidenceFilter::Any),
        ..ClaimFilter::default()
    };
    let claims = all_pages(|p| {
        let filter = &filter;
        async move {
            super::claims::list(store, filter, ClaimSort::StatedOnAsc, &p, false, expand).await
        }
    })
    .await?;
    let mut dependents = Vec::new();
    for c in &claims {
        let stamps = (c.created_at.as_str(), c.updated_at.as_str());
        lines.push(line("claim", None, &c.id, &ClaimBody::from(c), stamps)?);
        for a in c.appearances.iter().flatten() {
            let stamps = (a.created_at.as_str(), a.updated_at.as_str());
            let body = AppearanceBody::from(a);
            dependents.push(line("appearance", Some(&c.id), &a.id, &body, stamps)?);
        }
        for a in c.assessments.iter().flatten() {
            let stamps = (a.created_at.as_str(), a.updated_at.as_str());
            let body = AssessmentBody::from(a);
            dependents.push(line("assessment", Some(&c.id), &a.id, &body, stamps)?);
        }
    }
    lines.extend(dependents);
    let (tokens, history) = history_of(store).await?;
    for t in &tokens {
        lines.push(typed("token", t)?);
    }
    for h in &history {
        lines.push(typed("history", h)?);
    }
    Ok(lines)
}

/// Every claim, oldest first.
pub async fn all_claims(store: &Store) -> Result<Vec<crate::domain::Claim>, crate::store::Error> {
    let filter = ClaimFilter {
        evidence: Some(EvidenceFilter::Any),
        ..ClaimFilter::default()
    };
    all_pages(|p| {
        let filter = &filter;
        async move {
            super::claims::list(
                store,
                filter,
                ClaimSort::StatedOnAsc,
                &p,
                false,
                Expand::default(),
            )
            .await
        }
    })
    .await
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
        let seed = include_str!("../../../data/provenance/seed-article.zh.txt");
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
