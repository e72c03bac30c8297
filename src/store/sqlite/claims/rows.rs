//! Claims read from their rows: one claim's columns, its appearances and assessments, its
//! revision chain.

use super::*;

pub(super) const CLAIM_COLUMNS: &str = r#"
    select c.id, c.claimant_id, k.names as claimant_names, c.claimant_role, c.kind,
        c.stated_on, c.stated_precision, c.due_on, c.due_precision, c.status, c.supersedes,
        (select n.id from claims n where n.supersedes = c.id) as superseded_by,
        c.origin_source_id, c.note, c.created_at, c.updated_at, c.evidence,
        (select json_object(
                'verified', count(case s.verification when 'verified' then 1 end),
                'secondary', count(case s.verification when 'secondary' then 1 end),
                'unverified', count(case s.verification when 'unverified' then 1 end),
                'unrecorded', count(case when s.verification is null then 1 end))
            from appearances a join sources s on s.id = a.source_id where a.claim_id = c.id)
            as evidence_counts,
        (select json_group_object(lang, text) from claim_texts where claim_id = c.id) as texts,
        (select json_group_array(topic_id)
            from (select topic_id from claim_topics where claim_id = c.id order by topic_id)) as topics,
        (select json_group_array(json_object(
                'indicator', indicator_id, 'subject', subject,
                'comparison_subject', comparison_subject, 'value', value, 'lower', lower,
                'upper', upper, 'unit', unit, 'qualifier', qualifier, 'period', period,
                'label', label, 'value_si', value_si, 'lower_si', lower_si,
                'upper_si', upper_si, 'si_unit', si_unit))
            from (select * from quantities where claim_id = c.id order by position)) as quantities,
        (select count(*) from appearances where claim_id = c.id) as appearance_count,
        (select json_group_array(lang)
            from (select distinct lang from appearances where claim_id = c.id order by lang))
            as appearance_languages,
        (select count(*) from assessments where claim_id = c.id) as assessment_count
"#;

/// A claim of a page with its search rank.
#[derive(FromRow)]
pub(super) struct RankedClaimRow {
    #[sqlx(flatten)]
    pub(super) claim: ClaimRow,
    pub(super) rank: Option<f64>,
}

#[derive(FromRow)]
pub(super) struct ClaimRow {
    id: String,
    claimant_id: String,
    claimant_names: String,
    claimant_role: Option<String>,
    kind: String,
    stated_on: String,
    stated_precision: String,
    due_on: Option<String>,
    due_precision: Option<String>,
    status: String,
    supersedes: Option<String>,
    superseded_by: Option<String>,
    origin_source_id: Option<String>,
    note: Option<String>,
    created_at: String,
    updated_at: String,
    evidence: String,
    evidence_counts: String,
    texts: String,
    topics: String,
    quantities: String,
    appearance_count: i64,
    appearance_languages: String,
    assessment_count: i64,
}

impl TryFrom<ClaimRow> for Claim {
    type Error = sqlx::Error;

    fn try_from(row: ClaimRow) -> Result<Claim, sqlx::Error> {
        let claimant_names: LocalizedText = from_json("claimant_names", &row.claimant_names)?;
        let horizon = match (row.due_on, row.due_precision) {
            (Some(due_on), Some(precision)) => Some(Horizon {
                due_on,
                precision: parse_column("due_precision", &precision)?,
            }),
            _ => None,
        };
        let counts: EvidenceCounts = from_json("evidence_counts", &row.evidence_counts)?;
        Ok(Claim {
            claimant: ClaimantRef {
                name: display_name(&claimant_names, &row.claimant_id),
                id: row.claimant_id,
            },
            id: row.id,
            claimant_role: row.claimant_role,
            kind: parse_column("kind", &row.kind)?,
            text: from_json("texts", &row.texts)?,
            stated_on: row.stated_on,
            stated_precision: parse_column("stated_precision", &row.stated_precision)?,
            horizon,
            status: parse_column("status", &row.status)?,
            topics: from_json("topics", &row.topics)?,
            quantities: from_json::<Vec<Quantity>>("quantities", &row.quantities)?,
            supersedes: row.supersedes,
            superseded_by: row.superseded_by,
            origin_source: row.origin_source_id,
            note: row.note,
            appearance_summary: AppearanceSummary {
                count: row.appearance_count,
                languages: from_json("appearance_languages", &row.appearance_languages)?,
            },
            assessment_count: row.assessment_count,
            evidence: EvidenceSummary {
                rests_on: parse_column("evidence", &row.evidence)?,
                verified: counts.verified,
                secondary: counts.secondary,
                unverified: counts.unverified,
                unrecorded: counts.unrecorded,
            },
            appearances: None,
            assessments: None,
            sources: None,
            snippet: None,
            snippet_lang: None,
            matched_in: None,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// A claim's appearances counted by how their sources were checked.
#[derive(serde::Deserialize)]
pub(super) struct EvidenceCounts {
    verified: i64,
    secondary: i64,
    unverified: i64,
    unrecorded: i64,
}

/// A claim of a page as stored, with what orders it.
#[derive(FromRow)]
pub(super) struct StoredRow {
    pub(super) id: String,
    pub(super) stated_on: String,
    pub(super) updated_at: String,
    pub(super) body: String,
    pub(super) rank: Option<f64>,
}

/// Claims by id on a given connection: a writer reads its own uncommitted changes this way.
pub(crate) async fn fetch_on(
    conn: &mut sqlx::SqliteConnection,
    ids: &[String],
) -> Result<Vec<Claim>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(CLAIM_COLUMNS);
    qb.push(" from claims c join claimants k on k.id = c.claimant_id where c.id in ");
    push_ids(&mut qb, ids);
    let rows: Vec<ClaimRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
    rows.into_iter().map(Claim::try_from).collect()
}

/// Loads the requested related records for all claims at once: one query per kind of record,
/// however many claims there are.
pub(super) async fn embed(
    store: &Store,
    claims: &mut [Claim],
    expand: Expand,
) -> Result<(), crate::store::Error> {
    if claims.is_empty() || expand == Expand::default() {
        return Ok(());
    }
    let ids: Vec<String> = claims.iter().map(|c| c.id.clone()).collect();
    if expand.appearances {
        let mut by_claim = group_by_claim(appearances_of(store, &ids).await?, |a| &a.claim_id);
        for claim in claims.iter_mut() {
            claim.appearances = Some(by_claim.remove(&claim.id).unwrap_or_default());
        }
    }
    if expand.assessments {
        let mut by_claim = group_by_claim(assessments_of(store, &ids).await?, |a| &a.claim_id);
        for claim in claims.iter_mut() {
            claim.assessments = Some(by_claim.remove(&claim.id).unwrap_or_default());
        }
    }
    if expand.sources {
        let rows: Vec<(String, String)> = {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "select id, origin_source_id from claims where origin_source_id is not null and id in ",
            );
            push_ids(&mut qb, &ids);
            qb.push(" union select claim_id, source_id from appearances where claim_id in ");
            push_ids(&mut qb, &ids);
            qb.build_query_as().fetch_all(store.reader()).await?
        };
        let mut source_ids: Vec<String> = rows.iter().map(|(_, s)| s.clone()).collect();
        source_ids.sort();
        source_ids.dedup();
        let sources: HashMap<String, Source> = super::super::sources::get_many(store, &source_ids)
            .await?
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        for claim in claims.iter_mut() {
            let mut mine: Vec<Source> = rows
                .iter()
                .filter(|(claim_id, _)| *claim_id == claim.id)
                .filter_map(|(_, source_id)| sources.get(source_id).cloned())
                .collect();
            mine.sort_by(|a, b| {
                (a.published_on.is_none(), &a.published_on, &a.id).cmp(&(
                    b.published_on.is_none(),
                    &b.published_on,
                    &b.id,
                ))
            });
            claim.sources = Some(mine);
        }
    }
    Ok(())
}

#[derive(FromRow)]
pub(super) struct AppearanceRow {
    id: String,
    claim_id: String,
    source_id: String,
    quote: Option<String>,
    lang: String,
    kind: Option<String>,
    translation_of: Option<String>,
    fidelity: Option<String>,
    note: Option<String>,
    locator: Option<String>,
    first_appearance: bool,
    created_at: String,
    updated_at: String,
}

impl TryFrom<AppearanceRow> for Appearance {
    type Error = sqlx::Error;

    fn try_from(row: AppearanceRow) -> Result<Appearance, sqlx::Error> {
        Ok(Appearance {
            id: row.id,
            claim_id: row.claim_id,
            source_id: row.source_id,
            quote: row.quote,
            lang: row.lang,
            kind: row.kind.map(|k| parse_column("kind", &k)).transpose()?,
            translation_of: row.translation_of,
            fidelity: row
                .fidelity
                .map(|f| parse_column("fidelity", &f))
                .transpose()?,
            note: row.note,
            locator: row.locator,
            first_appearance: row.first_appearance,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Appearances of the given claims: the first appearance first, then by the source's date
/// (undated sources last), then by id.
pub(super) async fn appearances_of(
    store: &Store,
    claim_ids: &[String],
) -> Result<Vec<Appearance>, crate::store::Error> {
    let mut conn = store.reader().acquire().await?;
    Ok(appearances_on(&mut conn, claim_ids).await?)
}

/// A claim's appearances on a given connection: a writer reads its own changes this way.
pub(crate) async fn appearances_on(
    conn: &mut sqlx::SqliteConnection,
    claim_ids: &[String],
) -> Result<Vec<Appearance>, sqlx::Error> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "select a.id, a.claim_id, a.source_id, a.quote, a.lang, a.kind, a.translation_of, \
         a.fidelity, a.note, a.locator, a.first_appearance, a.created_at, a.updated_at \
         from appearances a join sources s on s.id = a.source_id where a.claim_id in ",
    );
    push_ids(&mut qb, claim_ids);
    qb.push(
        " order by a.claim_id, a.first_appearance desc, s.published_on is null, \
         s.published_on, a.id",
    );
    let rows: Vec<AppearanceRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
    rows.into_iter().map(Appearance::try_from).collect()
}

#[derive(FromRow)]
pub(super) struct AssessmentRow {
    id: String,
    claim_id: String,
    verdict: String,
    summary: String,
    evidence: String,
    assessed_on: String,
    assessor: String,
    created_at: String,
    updated_at: String,
}

impl TryFrom<AssessmentRow> for Assessment {
    type Error = sqlx::Error;

    fn try_from(row: AssessmentRow) -> Result<Assessment, sqlx::Error> {
        Ok(Assessment {
            id: row.id,
            claim_id: row.claim_id,
            verdict: parse_column("verdict", &row.verdict)?,
            summary: row.summary,
            evidence: from_json("evidence", &row.evidence)?,
            assessed_on: row.assessed_on,
            assessor: row.assessor,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

pub(super) async fn assessments_of(
    store: &Store,
    claim_ids: &[String],
) -> Result<Vec<Assessment>, crate::store::Error> {
    let mut conn = store.reader().acquire().await?;
    Ok(assessments_on(&mut conn, claim_ids).await?)
}

/// A claim's assessments on a given connection: a writer reads its own changes this way.
pub(crate) async fn assessments_on(
    conn: &mut sqlx::SqliteConnection,
    claim_ids: &[String],
) -> Result<Vec<Assessment>, sqlx::Error> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "select id, claim_id, verdict, summary, evidence, assessed_on, assessor, created_at, \
         updated_at from assessments where claim_id in ",
    );
    push_ids(&mut qb, claim_ids);
    qb.push(" order by claim_id, assessed_on, created_at, id");
    let rows: Vec<AssessmentRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
    rows.into_iter().map(Assessment::try_from).collect()
}

pub(super) async fn exists(store: &Store, id: &str) -> Result<bool, crate::store::Error> {
    Ok(
        sqlx::query_scalar("select exists(select 1 from claims where id = ?)")
            .bind(id)
            .fetch_one(store.reader())
            .await?,
    )
}

/// A claim's appearances, or `None` when there is no such claim.
pub async fn appearances(
    store: &Store,
    id: &str,
) -> Result<Option<Vec<Appearance>>, crate::store::Error> {
    if !exists(store, id).await? {
        return Ok(None);
    }
    Ok(Some(appearances_of(store, &[id.to_owned()]).await?))
}

/// A claim's assessments, oldest first, or `None` when there is no such claim.
pub async fn assessments(
    store: &Store,
    id: &str,
) -> Result<Option<Vec<Assessment>>, crate::store::Error> {
    if !exists(store, id).await? {
        return Ok(None);
    }
    Ok(Some(assessments_of(store, &[id.to_owned()]).await?))
}

/// The whole revision chain that `id` belongs to, oldest first, or `None` when there is no such
/// claim. A claim that was never revised is a chain of one.
pub async fn revision_chain(
    store: &Store,
    id: &str,
) -> Result<Option<Vec<Claim>>, crate::store::Error> {
    // UNION (not UNION ALL) and the depth bound stop the recursion even on a cycle: a trigger
    // refuses cycles, but a database written by other means may still hold one.
    let chain: Vec<String> = sqlx::query_scalar(
        r#"
        with recursive
            up(id, supersedes, n) as (
                select id, supersedes, 0 from claims where id = ?1
                union
                select c.id, c.supersedes, up.n + 1 from claims c join up on c.id = up.supersedes
                where up.n < 10000
            ),
            root(id) as (select id from up where supersedes is null),
            chain(id, depth) as (
                select id, 0 from root
                union
                select c.id, chain.depth + 1 from claims c join chain on c.supersedes = chain.id
                where chain.depth < 10000
            )
        select id from chain order by depth
        "#,
    )
    .bind(id)
    .fetch_all(store.reader())
    .await?;
    if chain.is_empty() {
        return if exists(store, id).await? {
            // Only a cycle leaves a claim without a root.
            Err(super::super::Error::Other(
                format!("revision chain of {id} has no first claim").into(),
            ))
        } else {
            Ok(None)
        };
    }
    let mut by_id: HashMap<String, Claim> = fetch_by_ids(store, &chain)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    Ok(Some(
        chain.iter().filter_map(|id| by_id.remove(id)).collect(),
    ))
}

/// The languages claim texts are written in, for one CSV column each.
pub async fn text_languages(store: &Store) -> Result<Vec<String>, crate::store::Error> {
    Ok(
        sqlx::query_scalar("select distinct lang from claim_texts order by lang")
            .fetch_all(store.reader())
            .await?,
    )
}
