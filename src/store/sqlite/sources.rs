use sqlx::{FromRow, QueryBuilder, Sqlite};

use super::{
    Page, PageRequest, SearchTable, Store, from_json, get_by_id, list_by_id, parse_column, push_ids,
};
use crate::domain::Source;
use crate::search::SearchQuery;

const COLUMNS: &str = r#"
    select t.id, t.kind, t.title, t.publisher, t.url, t.published_on, t.published_precision,
        t.published_at, t.language, t.note, t.verification, t.checked_on, t.archive_url,
        t.created_at, t.updated_at,
        (select json_group_array(name)
            from (select name from source_authors where source_id = t.id order by position)) as authors,
        (select json_group_array(cited_id)
            from (select cited_id from source_citations where source_id = t.id order by cited_id)) as cites,
        (select json_group_array(source_id)
            from (select source_id from source_citations where cited_id = t.id order by source_id)) as cited_by,
        (select count(*) from claims c where c.origin_source_id = t.id
            or c.id in (select claim_id from appearances a where a.source_id = t.id)) as claim_count
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
    verification: Option<String>,
    checked_on: Option<String>,
    archive_url: Option<String>,
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
            verification: row
                .verification
                .map(|v| parse_column("verification", &v))
                .transpose()?,
            checked_on: row.checked_on,
            archive_url: row.archive_url,
            claim_count: row.claim_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

const SEARCH: SearchTable = SearchTable {
    table: "source_search",
    id_column: "source_id",
    // A word of the title says more about a source than its publisher's name.
    weights: &[("title", 2.0), ("publisher", 1.0)],
};

/// A page of sources in id order, or of those matching `search` by relevance.
pub async fn list(
    store: &Store,
    page: &PageRequest,
    with_total: bool,
    search: Option<&SearchQuery>,
) -> Result<Page<Source>, crate::store::Error> {
    let search = search.map(|q| (q, &SEARCH));
    list_by_id::<SourceRow, Source>(store, COLUMNS, "sources", page, with_total, search).await
}

pub async fn get(store: &Store, id: &str) -> Result<Option<Source>, crate::store::Error> {
    get_by_id::<SourceRow, Source>(store, COLUMNS, "sources", id).await
}

/// The sources with these ids, in id order; unknown ids are skipped.
pub async fn get_many(store: &Store, ids: &[String]) -> Result<Vec<Source>, crate::store::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(COLUMNS);
    qb.push(" from sources t where t.id in ");
    push_ids(&mut qb, ids);
    qb.push(" order by t.id");
    let rows: Vec<SourceRow> = qb.build_query_as().fetch_all(store.reader()).await?;
    Ok(rows
        .into_iter()
        .map(Source::try_from)
        .collect::<Result<_, _>>()?)
}

/// One source on a given connection: a writer reads its own changes this way.
pub(crate) async fn get_on(
    conn: &mut sqlx::SqliteConnection,
    id: &str,
) -> Result<Option<Source>, sqlx::Error> {
    super::get_by_id_on::<SourceRow, Source>(conn, COLUMNS, "sources", id).await
}
