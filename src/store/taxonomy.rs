//! Topics and indicators: the small vocabularies claims and quantities are tagged with.

use sqlx::FromRow;

use super::{Page, PageRequest, Store, from_json, get_by_id, list_by_id, parse_column};
use crate::domain::{Dimension, Indicator, Topic};

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
) -> Result<Page<Topic>, sqlx::Error> {
    list_by_id::<TopicRow, Topic>(store, TOPIC_COLUMNS, "topics", page, with_total, None).await
}

pub async fn get_topic(store: &Store, id: &str) -> Result<Option<Topic>, sqlx::Error> {
    get_by_id::<TopicRow, Topic>(store, TOPIC_COLUMNS, "topics", id).await
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
) -> Result<Page<Indicator>, sqlx::Error> {
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

pub async fn get_indicator(store: &Store, id: &str) -> Result<Option<Indicator>, sqlx::Error> {
    get_by_id::<IndicatorRow, Indicator>(store, INDICATOR_COLUMNS, "indicators", id).await
}
