//! Topics and indicators: the small vocabularies claims and quantities are tagged with.

use std::collections::HashMap;

use sqlx::{FromRow, QueryBuilder, Sqlite};

use super::{
    Keyset, Page, PageRequest, Store, display_name, from_json, get_by_id, list_by_id, parse_column,
    push_ids, push_list,
};
use crate::domain::{
    ClaimantRef, Dimension, Estimate, EstimateFilter, Indicator, LocalizedText, Topic,
};

const TOPIC_COLUMNS: &str = r#"
    select t.id, t.names, t.description, t.created_at, t.updated_at,
        (select count(*) from claim_topics ct where ct.topic_id = t.id) as claim_count
"#;

#[derive(FromRow)]
struct TopicRow {
    id: String,
    names: String,
    description: Option<String>,
    created_at: String,
    updated_at: String,
    claim_count: i64,
}

impl TryFrom<TopicRow> for Topic {
    type Error = sqlx::Error;

    fn try_from(row: TopicRow) -> Result<Topic, sqlx::Error> {
        Ok(Topic {
            id: row.id,
            names: from_json("names", &row.names)?,
            description: row.description,
            claim_count: row.claim_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

pub async fn list_topics(
    store: &Store,
    page: &PageRequest,
    with_total: bool,
) -> Result<Page<Topic>, crate::store::Error> {
    list_by_id::<TopicRow, Topic>(store, TOPIC_COLUMNS, "topics", page, with_total, None).await
}

pub async fn get_topic(store: &Store, id: &str) -> Result<Option<Topic>, crate::store::Error> {
    get_by_id::<TopicRow, Topic>(store, TOPIC_COLUMNS, "topics", id).await
}

/// A topic on a given connection: a writer reads its own changes this way.
pub(crate) async fn topic_on(
    conn: &mut sqlx::SqliteConnection,
    id: &str,
) -> Result<Option<Topic>, sqlx::Error> {
    super::get_by_id_on::<TopicRow, Topic>(conn, TOPIC_COLUMNS, "topics", id).await
}

const INDICATOR_COLUMNS: &str = r#"
    select t.id, t.names, t.dimension, t.description, t.created_at, t.updated_at,
        (select count(*) from quantities q where q.indicator_id = t.id) as quantity_count
"#;

#[derive(FromRow)]
struct IndicatorRow {
    id: String,
    names: String,
    dimension: String,
    description: Option<String>,
    created_at: String,
    updated_at: String,
    quantity_count: i64,
}

impl TryFrom<IndicatorRow> for Indicator {
    type Error = sqlx::Error;

    fn try_from(row: IndicatorRow) -> Result<Indicator, sqlx::Error> {
        let dimension: Dimension = parse_column("dimension", &row.dimension)?;
        Ok(Indicator {
            id: row.id,
            names: from_json("names", &row.names)?,
            dimension,
            si_unit: dimension.si_unit().to_owned(),
            description: row.description,
            quantity_count: row.quantity_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

pub async fn list_indicators(
    store: &Store,
    page: &PageRequest,
    with_total: bool,
) -> Result<Page<Indicator>, crate::store::Error> {
    list_by_id::<IndicatorRow, Indicator>(
        store,
        INDICATOR_COLUMNS,
        "indicators",
        page,
        with_total,
        None,
    )
    .await
}

pub async fn get_indicator(
    store: &Store,
    id: &str,
) -> Result<Option<Indicator>, crate::store::Error> {
    get_by_id::<IndicatorRow, Indicator>(store, INDICATOR_COLUMNS, "indicators", id).await
}

/// An indicator on a given connection: a writer reads its own changes this way.
pub(crate) async fn indicator_on(
    conn: &mut sqlx::SqliteConnection,
    id: &str,
) -> Result<Option<Indicator>, sqlx::Error> {
    super::get_by_id_on::<IndicatorRow, Indicator>(conn, INDICATOR_COLUMNS, "indicators", id).await
}

/// The dimensions of the indicators with these ids; unknown ids are left out.
pub async fn dimensions(
    store: &Store,
    ids: &[String],
) -> Result<HashMap<String, Dimension>, crate::store::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new("select id, dimension from indicators where id in ");
    push_ids(&mut qb, ids);
    let rows: Vec<(String, String)> = qb.build_query_as().fetch_all(store.reader()).await?;
    rows.into_iter()
        .map(|(id, d)| Ok((id, parse_column("dimension", &d)?)))
        .collect()
}

#[derive(FromRow)]
struct EstimateRow {
    claim_id: String,
    claimant_id: String,
    claimant_names: String,
    stated_on: String,
    stated_precision: String,
    kind: String,
    status: String,
    superseded_by: Option<String>,
    evidence: String,
    position: i64,
    quantity: String,
}

fn push_estimates_from(qb: &mut QueryBuilder<Sqlite>, indicator: &str, filter: &EstimateFilter) {
    qb.push(
        " from quantities q join claims c on c.id = q.claim_id \
         join claimants k on k.id = c.claimant_id where q.indicator_id = ",
    )
    .push_bind(indicator.to_owned());
    super::claims::push_evidence(qb, filter.evidence);
    if !filter.subjects.is_empty() {
        qb.push(" and q.subject in ");
        push_list(qb, filter.subjects.iter().cloned());
    }
    if let Some(d) = filter.stated_since {
        qb.push(" and c.stated_on >= ").push_bind(d.to_iso());
    }
    if let Some(d) = filter.stated_until {
        qb.push(" and c.stated_on <= ").push_bind(d.to_iso());
    }
}

/// Every figure for an indicator across claimants, oldest first.
pub async fn estimates(
    store: &Store,
    indicator: &str,
    filter: &EstimateFilter,
    page: &PageRequest,
    with_total: bool,
) -> Result<Page<Estimate>, crate::store::Error> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        r#"select q.claim_id, c.claimant_id, k.names as claimant_names, c.stated_on,
            c.stated_precision, c.kind, c.status,
            (select n.id from claims n where n.supersedes = c.id) as superseded_by, c.evidence,
            q.position,
            json_object('indicator', q.indicator_id, 'subject', q.subject,
                'comparison_subject', q.comparison_subject, 'value', q.value, 'lower', q.lower,
                'upper', q.upper, 'unit', q.unit, 'qualifier', q.qualifier, 'period', q.period,
                'label', q.label, 'value_si', q.value_si, 'lower_si', q.lower_si,
                'upper_si', q.upper_si, 'si_unit', q.si_unit) as quantity"#,
    );
    push_estimates_from(&mut qb, indicator, filter);
    if let Some(after) = &page.after {
        qb.push(" and (c.stated_on, q.claim_id, q.position) > (")
            .push_bind(after.key.clone().unwrap_or_default())
            .push(", ")
            .push_bind(after.id.clone())
            .push(", ")
            .push_bind(after.position.unwrap_or(i64::MAX))
            .push(")");
    }
    qb.push(" order by c.stated_on, q.claim_id, q.position limit ")
        .push_bind(i64::from(page.limit) + 1);
    let rows: Vec<EstimateRow> = qb.build_query_as().fetch_all(store.reader()).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let names: LocalizedText = from_json("claimant_names", &row.claimant_names)?;
            let keyset = Keyset {
                key: Some(row.stated_on.clone()),
                position: Some(row.position),
                ..Keyset::by_id(&row.claim_id)
            };
            let estimate = Estimate {
                claimant: ClaimantRef {
                    name: display_name(&names, &row.claimant_id),
                    id: row.claimant_id,
                },
                claim_id: row.claim_id,
                stated_on: row.stated_on,
                stated_precision: parse_column("stated_precision", &row.stated_precision)?,
                kind: parse_column("kind", &row.kind)?,
                status: parse_column("status", &row.status)?,
                quantity: from_json("quantity", &row.quantity)?,
                superseded_by: row.superseded_by,
                evidence: parse_column("evidence", &row.evidence)?,
            };
            Ok((estimate, keyset))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let total = if with_total {
        let mut count = QueryBuilder::<Sqlite>::new("select count(*)");
        push_estimates_from(&mut count, indicator, filter);
        Some(count.build_query_scalar().fetch_one(store.reader()).await?)
    } else {
        None
    };
    Ok(Page::from_rows(items, page.limit, total))
}
