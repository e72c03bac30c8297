use std::collections::HashMap;

use sqlx::{FromRow, QueryBuilder, Sqlite};

use super::{
    Keyset, Page, PageRequest, Store, display_name, from_json, parse_column, push_ids, push_list,
    push_rank, search,
};
use crate::domain::{
    Appearance, AppearanceSummary, Assessment, Claim, ClaimFilter, ClaimSort, ClaimantRef,
    EvidenceFilter, EvidenceSummary, Expand, Horizon, LocalizedText, Quantity, Source,
};
use crate::search::{SearchQuery, best_passage};
use crate::store::ClaimDocument;

mod query;
mod rows;

pub(crate) use query::push_evidence;
use query::*;
use rows::*;
pub use rows::{appearances, assessments, revision_chain, text_languages};
pub(crate) use rows::{appearances_on, assessments_on, fetch_on};

/// The claim index's word columns, and their weights in a match's relevance (a single
/// character, in `chars`, counts 1): a match in the claim's own text counts most, then quotes
/// and notes, then names.
const SEARCH_COLUMNS: &str = "{text quote names}";

const SEARCH_WEIGHTS: &[(&str, f64)] = &[("text", 10.0), ("quote", 4.0), ("names", 2.0)];

/// A page of claims matching `filter`, in `sort` order. With a search, each claim carries the
/// passage that best matches it.
pub async fn list(
    store: &Store,
    filter: &ClaimFilter,
    sort: ClaimSort,
    page: &PageRequest,
    with_total: bool,
    expand: Expand,
) -> Result<Page<Claim>, crate::store::Error> {
    if filter.search.as_ref().is_some_and(SearchQuery::is_vacuous) {
        return Ok(Page::empty(with_total.then_some(0)));
    }
    let access = access(store, filter, sort, page).await?;
    let rows: Vec<RankedClaimRow> = list_query(filter, sort, page, access, Shape::Assembled)
        .build_query_as()
        .fetch_all(store.reader())
        .await?;
    let claims = rows
        .into_iter()
        .map(|row| {
            let claim = Claim::try_from(row.claim)?;
            let keyset = sort.keyset_of(&claim.id, &claim.stated_on, &claim.updated_at, row.rank);
            Ok((claim, keyset))
        })
        .collect::<Result<Vec<(Claim, Keyset)>, sqlx::Error>>()?;

    let total = total(store, filter, with_total).await?;
    let mut page = Page::from_rows(claims, page.limit, total);
    if let Some(query) = &filter.search {
        mark_matches(store, query, &mut page.items).await?;
    }
    embed(store, &mut page.items, expand).await?;
    Ok(page)
}

/// A page of claims matching `filter`, in `sort` order, as stored: what `list` returns without
/// expansions, read in one statement and sent as stored. With a search, each carries the passage
/// that best matches it.
pub async fn list_documents(
    store: &Store,
    filter: &ClaimFilter,
    sort: ClaimSort,
    page: &PageRequest,
    with_total: bool,
) -> Result<Page<ClaimDocument>, crate::store::Error> {
    if filter.search.as_ref().is_some_and(SearchQuery::is_vacuous) {
        return Ok(Page::empty(with_total.then_some(0)));
    }
    let access = access(store, filter, sort, page).await?;
    let rows: Vec<StoredRow> = list_query(filter, sort, page, access, Shape::Stored)
        .build_query_as()
        .fetch_all(store.reader())
        .await?;
    let total = total(store, filter, with_total).await?;
    let marks = match &filter.search {
        Some(query) => {
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let mut conn = store.reader().acquire().await?;
            Some((query, search::material(&mut conn, &ids).await?))
        }
        None => None,
    };
    let documents = rows
        .into_iter()
        .map(|row| {
            let keyset = sort.keyset_of(&row.id, &row.stated_on, &row.updated_at, row.rank);
            let mut document = super::documents::stored(row.body)?;
            if let Some((query, material)) = &marks {
                let passage = material
                    .get(&row.id)
                    .and_then(|m| best_passage(query, m.passages()));
                if let Some(p) = passage {
                    document = document.with_marks(&Marks {
                        snippet: p.snippet,
                        snippet_lang: p.lang,
                        matched_in: p.field,
                    });
                }
            }
            Ok((document, keyset))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Page::from_rows(documents, page.limit, total))
}

/// What a search adds to a claim: the passage that best matches, as in [`Claim`].
#[derive(serde::Serialize)]
struct Marks {
    snippet: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet_lang: Option<String>,
    matched_in: crate::domain::MatchedIn,
}

/// How many claims match `filter`, when asked.
async fn total(
    store: &Store,
    filter: &ClaimFilter,
    with_total: bool,
) -> Result<Option<i64>, crate::store::Error> {
    if !with_total {
        return Ok(None);
    }
    let mut count = QueryBuilder::<Sqlite>::new("select count(*)");
    push_from_where(&mut count, filter, Access::Planned);
    Ok(Some(
        count.build_query_scalar().fetch_one(store.reader()).await?,
    ))
}

/// Sets each claim's snippet from the passage that best matches the query.
async fn mark_matches(
    store: &Store,
    query: &SearchQuery,
    claims: &mut [Claim],
) -> Result<(), crate::store::Error> {
    let ids: Vec<String> = claims.iter().map(|c| c.id.clone()).collect();
    let mut conn = store.reader().acquire().await?;
    let material = search::material(&mut conn, &ids).await?;
    for claim in claims {
        let passage = material
            .get(&claim.id)
            .and_then(|m| best_passage(query, m.passages()));
        if let Some(p) = passage {
            claim.snippet = Some(p.snippet);
            claim.snippet_lang = p.lang;
            claim.matched_in = Some(p.field);
        }
    }
    Ok(())
}

/// The query plan SQLite chooses for a page of claims, one line per step.
pub async fn explain_list(
    store: &Store,
    filter: &ClaimFilter,
    sort: ClaimSort,
    page: &PageRequest,
) -> Result<Vec<String>, crate::store::Error> {
    let access = access(store, filter, sort, page).await?;
    let rows: Vec<(i64, i64, i64, String)> = list_query(filter, sort, page, access, Shape::Plan)
        .build_query_as()
        .fetch_all(store.reader())
        .await?;
    Ok(rows.into_iter().map(|(.., detail)| detail).collect())
}

/// One claim, or `None` when there is no claim with that id.
pub async fn get(
    store: &Store,
    id: &str,
    expand: Expand,
) -> Result<Option<Claim>, crate::store::Error> {
    let mut claims = fetch_by_ids(store, &[id.to_owned()]).await?;
    embed(store, &mut claims, expand).await?;
    Ok(claims.pop())
}

async fn fetch_by_ids(store: &Store, ids: &[String]) -> Result<Vec<Claim>, crate::store::Error> {
    let mut conn = store.reader().acquire().await?;
    Ok(fetch_on(&mut conn, ids).await?)
}

fn group_by_claim<T>(items: Vec<T>, key: impl Fn(&T) -> &String) -> HashMap<String, Vec<T>> {
    let mut map: HashMap<String, Vec<T>> = HashMap::new();
    for item in items {
        map.entry(key(&item).clone()).or_default().push(item);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Measure;
    use crate::store::generate;

    /// Every page of `filter`, read through `access`: the ids in order.
    async fn all_ids(
        store: &Store,
        filter: &ClaimFilter,
        sort: ClaimSort,
        access: Access,
    ) -> Vec<String> {
        let mut ids = Vec::new();
        let mut page = PageRequest {
            limit: 7,
            after: None,
        };
        loop {
            let rows: Vec<StoredRow> = list_query(filter, sort, &page, access, Shape::Stored)
                .build_query_as()
                .fetch_all(store.reader())
                .await
                .unwrap();
            let mut keysets: Vec<Keyset> = rows
                .into_iter()
                .map(|row| sort.keyset_of(&row.id, &row.stated_on, &row.updated_at, row.rank))
                .collect();
            let more = keysets.len() > page.limit as usize;
            keysets.truncate(page.limit as usize);
            ids.extend(keysets.iter().map(|k| k.id.clone()));
            match keysets.pop().filter(|_| more) {
                Some(last) => page.after = Some(last),
                None => return ids,
            }
        }
    }

    #[tokio::test]
    async fn a_search_reads_the_same_pages_from_the_index_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("search.db"), 1, None)
            .await
            .unwrap();
        generate::generate(&store, 3_000, 7, |_| {}).await.unwrap();
        // Move some claims to other days, as PATCH does: their entries must move too.
        let mut tx = store.writer().begin().await.unwrap();
        let moved: Vec<String> = (0..3_000).step_by(7).map(|n| format!("gen-{n}")).collect();
        for (n, id) in moved.iter().enumerate() {
            sqlx::query("update claims set stated_on = ? where id = ?")
                .bind(format!("2019-0{}-1{}", 1 + n % 9, n % 10))
                .bind(id)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        search::index_claims(&mut tx, &moved).await.unwrap();
        tx.commit().await.unwrap();

        for q in ["electricity", "电网", "analyst delays", "factor"] {
            let filter = ClaimFilter {
                search: Some(SearchQuery::parse(q).unwrap()),
                ..ClaimFilter::default()
            };
            let shapes = [
                (ClaimSort::StatedOnDesc, Access::SearchByDay),
                (ClaimSort::StatedOnAsc, Access::SearchByDay),
                (ClaimSort::Relevance, Access::SearchByRank),
            ];
            for (sort, chosen) in shapes {
                let page = PageRequest {
                    limit: 7,
                    after: None,
                };
                assert_eq!(access(&store, &filter, sort, &page).await.unwrap(), chosen);
                let planned = all_ids(&store, &filter, sort, Access::Planned).await;
                let from_index = all_ids(&store, &filter, sort, chosen).await;
                assert!(!planned.is_empty(), "{q} matches no claim");
                assert_eq!(planned, from_index, "{q} {sort:?}");
            }
        }
    }

    #[tokio::test]
    async fn a_figure_filter_reads_the_same_pages_either_way() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("figures.db"), 1, None)
            .await
            .unwrap();
        generate::generate(&store, 3_000, 7, |_| {}).await.unwrap();
        let ranges = [("1GW", "600GW"), ("100GW", "300GW"), ("100GW", "102GW")];
        for (min, max) in ranges {
            let filter = ClaimFilter {
                indicators: vec!["spare-power-capacity".into()],
                value_min: Some(Measure::parse(min).unwrap()),
                value_max: Some(Measure::parse(max).unwrap()),
                ..ClaimFilter::default()
            };
            for sort in [ClaimSort::StatedOnDesc, ClaimSort::UpdatedAtAsc] {
                let planned = all_ids(&store, &filter, sort, Access::Planned).await;
                let index = sort.index().unwrap();
                let walked = all_ids(&store, &filter, sort, Access::InOrder(index)).await;
                assert!(!planned.is_empty(), "{min}..{max} matches no claim");
                assert_eq!(planned, walked, "{min}..{max} {sort:?}");
            }
        }
    }
}
