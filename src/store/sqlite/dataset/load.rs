//! Loading a dataset into an empty database, in one transaction.

use super::*;

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
    super::super::search::rebuild(&mut tx)
        .await
        .context("indexing the dataset for search")?;
    super::super::documents::render_all(&mut tx)
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
    let revoked_now = super::super::tokens::now();
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
