//! Exporting the whole record: as the dataset format, or as NDJSON lines for `import`.

use super::*;

/// Reads every page of a list.
async fn all_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, super::super::Error>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<super::super::Page<T>, super::super::Error>>,
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
            super::super::claims::list(store, filter, ClaimSort::StatedOnAsc, &p, false, expand)
                .await
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
        recorded_at: super::super::tokens::now(),
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
            super::super::claims::list(store, filter, ClaimSort::StatedOnAsc, &p, false, expand)
                .await
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
            super::super::claims::list(
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
