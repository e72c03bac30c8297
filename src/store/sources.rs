use sqlx::{FromRow, QueryBuilder, Sqlite};

use super::{Page, PageRequest, Store, from_json, get_by_id, list_by_id, parse_column};
use crate::domain::Source;

const COLUMNS: &str = r#"
    select s.id, s.kind, s.title, s.publisher, s.url, s.published_on, s.published_precision,
        s.published_at, s.language, s.note, s.created_at, s.updated_at,
        (select json_group_array(name)
            from (select name from source_authors where source_id = s.id order by position)) as authors,
        (select json_group_array(cited_id)
            from (select cited_id from source_citations where source_id = s.id order by cited_id)) as cites,
        (select json_group_array(source_id)
            from (select source_id from source_citations where cited_id = s.id order by source_id)) as cited_by,
        (select count(*) from claims c where c.origin_source_id = s.id
            or c.id in (select claim_id from appearances a where a.source_id = s.id)) as claim_count
    from sources s
"#;

#[derive(FromRow)]
struct SourceRow {
    id: String,
    kind: String,
    title: Option<String>,
    publisher: String,
    url: Option<String>,
    published_on: Option<String>,
    published_precision: Option<String>,
    published_at: Option<String>,
    language: String,
    note: Option<String>,
    created_at: String,
    updated_at: String,
    authors: String,
    cites: String,
    cited_by: String,
    claim_count: i64,
}

impl TryFrom<SourceRow> for Source {
    type Error = sqlx::Error;

    fn try_from(row: SourceRow) -> Result<Source, sqlx::Error> {
        Ok(Source {
            id: row.id,
            kind: parse_column("kind", &row.kind)?,
            title: row.title,
            publisher: row.publisher,
            url: row.url,
            published_on: row.published_on,
            published_precision: row
                .published_precision
                .map(|p| parse_column("published_precision", &p))
                .transpose()?,
            published_at: row.published_at,
            language: row.language,
            authors: from_json("authors", &row.authors)?,
            cites: from_json("cites", &row.cites)?,
            cited_by: from_json("cited_by", &row.cited_by)?,
            note: row.note,
            claim_count: row.claim_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// A page of sources in id order.
pub async fn list(
    store: &Store,
    page: &PageRequest,
    with_total: bool,
) -> Result<Page<Source>, sqlx::Error> {
    list_by_id::<SourceRow, Source>(store, COLUMNS, "s.id", "sources", page, with_total).await
}

pub async fn get(store: &Store, id: &str) -> Result<Option<Source>, sqlx::Error> {
    get_by_id::<SourceRow, Source>(store, COLUMNS, "s.id", id).await
}

/// The sources with these ids, in id order; unknown ids are skipped.
pub async fn get_many(store: &Store, ids: &[String]) -> Result<Vec<Source>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(COLUMNS);
    qb.push(" where s.id in (");
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(id.clone());
    }
    list.push_unseparated(") order by s.id");
    let rows: Vec<SourceRow> = qb.build_query_as().fetch_all(store.reader()).await?;
    rows.into_iter().map(Source::try_from).collect()
}
