use sqlx::FromRow;

use super::{
    Page, PageRequest, SearchTable, Store, display_name, from_json, get_by_id, list_by_id,
    parse_column,
};
use crate::domain::{Affiliation, Alias, Claimant, LocalizedText};
use crate::search::SearchQuery;

const COLUMNS: &str = r#"
    select t.id, t.kind, t.names, t.wikidata_id, t.description, t.created_at, t.updated_at,
        (select json_group_array(json_object('alias', alias, 'lang', lang))
            from (select alias, lang from claimant_aliases where claimant_id = t.id
                  order by lang, alias)) as aliases,
        (select json_group_array(json_object('organization', organization,
                'organization_id', organization_id, 'role', role, 'since', since, 'until', until))
            from (select * from claimant_affiliations where claimant_id = t.id
                  order by position)) as affiliations,
        (select count(*) from claims c where c.claimant_id = t.id) as claim_count
"#;

#[derive(FromRow)]
struct ClaimantRow {
    id: String,
    kind: String,
    names: String,
    wikidata_id: Option<String>,
    description: Option<String>,
    created_at: String,
    updated_at: String,
    aliases: String,
    affiliations: String,
    claim_count: i64,
}

#[derive(serde::Deserialize)]
struct AliasJson {
    alias: String,
    lang: Option<String>,
}

#[derive(serde::Deserialize)]
struct AffiliationJson {
    organization: String,
    organization_id: Option<String>,
    role: String,
    since: Option<String>,
    until: Option<String>,
}

impl TryFrom<ClaimantRow> for Claimant {
    type Error = sqlx::Error;

    fn try_from(row: ClaimantRow) -> Result<Claimant, sqlx::Error> {
        let names: LocalizedText = from_json("names", &row.names)?;
        let aliases: Vec<AliasJson> = from_json("aliases", &row.aliases)?;
        let affiliations: Vec<AffiliationJson> = from_json("affiliations", &row.affiliations)?;
        Ok(Claimant {
            name: display_name(&names, &row.id),
            id: row.id,
            kind: parse_column("kind", &row.kind)?,
            names,
            aliases: aliases
                .into_iter()
                .map(|a| Alias {
                    alias: a.alias,
                    lang: a.lang,
                })
                .collect(),
            wikidata_id: row.wikidata_id,
            description: row.description,
            affiliations: affiliations
                .into_iter()
                .map(|a| Affiliation {
                    organization: a.organization,
                    organization_id: a.organization_id,
                    role: a.role,
                    since: a.since,
                    until: a.until,
                })
                .collect(),
            claim_count: row.claim_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

const SEARCH: SearchTable = SearchTable {
    table: "claimant_search",
    id_column: "claimant_id",
    weights: &[("names", 1.0)],
};

/// A page of claimants in id order, or of those matching `search` by relevance.
pub async fn list(
    store: &Store,
    page: &PageRequest,
    with_total: bool,
    search: Option<&SearchQuery>,
) -> Result<Page<Claimant>, crate::store::Error> {
    let search = search.map(|q| (q, &SEARCH));
    list_by_id::<ClaimantRow, Claimant>(store, COLUMNS, "claimants", page, with_total, search).await
}

pub async fn get(store: &Store, id: &str) -> Result<Option<Claimant>, crate::store::Error> {
    get_by_id::<ClaimantRow, Claimant>(store, COLUMNS, "claimants", id).await
}

/// One claimant on a given connection: a writer reads its own changes this way.
pub(crate) async fn get_on(
    conn: &mut sqlx::SqliteConnection,
    id: &str,
) -> Result<Option<Claimant>, sqlx::Error> {
    super::get_by_id_on::<ClaimantRow, Claimant>(conn, COLUMNS, "claimants", id).await
}
