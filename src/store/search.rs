//! Keeps the full-text indexes in step with the tables, and reads what snippets are cut from.
//! Every write that changes a claim's words, its appearances or its claimant's names calls
//! [`index_claims`] in the same transaction.

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, QueryBuilder, Sqlite, SqliteConnection};

use super::{Store, from_json, push_ids};
use crate::search::{Analysis, Field, Token, analyze, index_text};

/// The words search looks at for one claim, as written.
#[derive(Debug, Default)]
pub struct ClaimMaterial {
    /// (language, text) of each canonical text.
    pub texts: Vec<(String, String)>,
    /// (language, quote or note) of each appearance.
    pub quotes: Vec<(String, String)>,
    /// (language, name or alias) of the claimant.
    pub names: Vec<(Option<String>, String)>,
}

impl ClaimMaterial {
    /// Every passage, tagged with its field and language, in the order snippets prefer.
    pub fn passages(&self) -> impl Iterator<Item = (Field, Option<&str>, &str)> {
        let texts = self
            .texts
            .iter()
            .map(|(l, t)| (Field::Text, Some(l.as_str()), t.as_str()));
        let quotes = self
            .quotes
            .iter()
            .map(|(l, t)| (Field::Quote, Some(l.as_str()), t.as_str()));
        let names = self
            .names
            .iter()
            .map(|(l, t)| (Field::Claimant, l.as_deref(), t.as_str()));
        texts.chain(quotes).chain(names)
    }
}

#[derive(sqlx::FromRow)]
struct MaterialRow {
    id: String,
    texts: String,
    quotes: String,
    names: String,
    aliases: String,
}

const MATERIAL: &str = r#"
    select c.id,
        (select json_group_array(json_array(lang, text))
            from (select lang, text from claim_texts where claim_id = c.id order by lang)) as texts,
        (select json_group_array(json_array(a.lang, t.value))
            from appearances a, json_each(json_array(a.quote, a.note)) t
            where a.claim_id = c.id and t.value is not null) as quotes,
        k.names,
        (select json_group_array(json_array(lang, alias))
            from claimant_aliases where claimant_id = k.id) as aliases
    from claims c join claimants k on k.id = c.claimant_id
"#;

fn material_of(row: MaterialRow) -> Result<(String, ClaimMaterial), sqlx::Error> {
    let names: HashMap<String, String> = from_json("names", &row.names)?;
    let mut names: Vec<(Option<String>, String)> = names
        .into_iter()
        .map(|(lang, name)| (Some(lang), name))
        .collect();
    names.sort();
    names.extend(from_json::<Vec<(Option<String>, String)>>(
        "aliases",
        &row.aliases,
    )?);
    Ok((
        row.id,
        ClaimMaterial {
            texts: from_json("texts", &row.texts)?,
            quotes: from_json("quotes", &row.quotes)?,
            names,
        },
    ))
}

/// The search material of these claims, by claim id.
pub async fn material(
    conn: &mut SqliteConnection,
    claim_ids: &[String],
) -> Result<HashMap<String, ClaimMaterial>, sqlx::Error> {
    if claim_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(MATERIAL);
    qb.push(" where c.id in ");
    push_ids(&mut qb, claim_ids);
    let rows: Vec<MaterialRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
    rows.into_iter().map(material_of).collect()
}

/// Tokenises each text on its own, so no bigram or phrase spans two of them.
fn analyze_all<'a>(texts: impl Iterator<Item = &'a str>) -> Analysis {
    let mut all = Analysis::default();
    for text in texts {
        let a = analyze(text);
        all.terms.extend(a.terms);
        all.chars.extend(a.chars);
    }
    all
}

fn columns_of(m: &ClaimMaterial) -> [String; 4] {
    let text = analyze_all(m.texts.iter().map(|(_, t)| t.as_str()));
    let quote = analyze_all(m.quotes.iter().map(|(_, t)| t.as_str()));
    let names = analyze_all(m.names.iter().map(|(_, t)| t.as_str()));
    let chars: Vec<Token> = [&text.chars, &quote.chars, &names.chars]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    [
        index_text(&text.terms),
        index_text(&quote.terms),
        index_text(&names.terms),
        index_text(&chars),
    ]
}

/// (Re)indexes these claims. Claims that no longer exist lose their index entry.
pub async fn index_claims(
    conn: &mut SqliteConnection,
    claim_ids: &[String],
) -> Result<(), sqlx::Error> {
    let material = material(conn, claim_ids).await?;
    for id in claim_ids {
        let docid: Option<i64> =
            sqlx::query_scalar("select docid from claim_search_docs where claim_id = ?")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some(docid) = docid {
            sqlx::query("delete from claim_search where rowid = ?")
                .bind(docid)
                .execute(&mut *conn)
                .await?;
        }
        let Some(m) = material.get(id) else {
            sqlx::query("delete from claim_search_docs where claim_id = ?")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            continue;
        };
        let docid = match docid {
            Some(docid) => docid,
            None => sqlx::query("insert into claim_search_docs (claim_id) values (?)")
                .bind(id)
                .execute(&mut *conn)
                .await?
                .last_insert_rowid(),
        };
        let [text, quote, names, chars] = columns_of(m);
        sqlx::query(
            "insert into claim_search (rowid, text, quote, names, chars) values (?, ?, ?, ?, ?)",
        )
        .bind(docid)
        .bind(text)
        .bind(quote)
        .bind(names)
        .bind(chars)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// How many claims are indexed per batch when rebuilding, to bound memory.
const BATCH: i64 = 1000;

/// Rebuilds every search index from the tables.
pub async fn rebuild(conn: &mut SqliteConnection) -> Result<u64, sqlx::Error> {
    sqlx::query("insert into claim_search (claim_search) values ('delete-all')")
        .execute(&mut *conn)
        .await?;
    sqlx::query("delete from claim_search_docs")
        .execute(&mut *conn)
        .await?;
    let mut after = String::new();
    let mut indexed = 0;
    loop {
        let ids: Vec<String> =
            sqlx::query_scalar("select id from claims where id > ? order by id limit ?")
                .bind(&after)
                .bind(BATCH)
                .fetch_all(&mut *conn)
                .await?;
        let Some(last) = ids.last() else { break };
        after = last.clone();
        index_claims(conn, &ids).await?;
        indexed += ids.len() as u64;
    }
    rebuild_claimants(conn).await?;
    rebuild_sources(conn).await?;
    Ok(indexed)
}

/// Rebuilds the claimant index (names and aliases).
pub async fn rebuild_claimants(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("delete from claimant_search")
        .execute(&mut *conn)
        .await?;
    sqlx::query("delete from claimant_search_docs")
        .execute(&mut *conn)
        .await?;
    let ids: Vec<String> = sqlx::query_scalar("select id from claimants")
        .fetch_all(&mut *conn)
        .await?;
    for id in ids {
        index_claimant(conn, &id).await?;
    }
    Ok(())
}

/// (Re)indexes one claimant's names and aliases; a claimant that is gone loses its entry.
/// Its claims, whose index holds its names too, are the caller's to re-index.
pub async fn index_claimant(conn: &mut SqliteConnection, id: &str) -> Result<(), sqlx::Error> {
    let Some(docid) = replace_entry(conn, "claimant", id).await? else {
        return Ok(());
    };
    let row: Option<(String, String)> = sqlx::query_as(
        "select k.names, (select json_group_array(alias) from claimant_aliases \
         where claimant_id = k.id) from claimants k where k.id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((names, aliases)) = row else {
        drop_docid(conn, "claimant", id).await?;
        return Ok(());
    };
    let names: HashMap<String, String> = from_json("names", &names)?;
    let aliases: Vec<String> = from_json("aliases", &aliases)?;
    let all = analyze_all(names.values().chain(&aliases).map(String::as_str));
    sqlx::query(
        "insert into claimant_search (rowid, claimant_id, names, chars) values (?, ?, ?, ?)",
    )
    .bind(docid)
    .bind(id)
    .bind(index_text(&all.terms))
    .bind(index_text(&all.chars))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes the search entry of `kind` (`claimant` or `source`) `id`, if any, and returns the
/// docid its new entry takes: the old one, or a new one. `None` when the record is gone.
async fn replace_entry(
    conn: &mut SqliteConnection,
    kind: &'static str,
    id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let old: Option<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
        "select docid from {kind}_search_docs where {kind}_id = ?"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(docid) = old {
        sqlx::query(AssertSqlSafe(format!(
            "delete from {kind}_search where rowid = ?"
        )))
        .bind(docid)
        .execute(&mut *conn)
        .await?;
    }
    let exists: bool = sqlx::query_scalar(AssertSqlSafe(format!(
        "select exists(select 1 from {kind}s where id = ?)"
    )))
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    if !exists {
        return Ok(None);
    }
    match old {
        Some(docid) => Ok(Some(docid)),
        None => sqlx::query_scalar(AssertSqlSafe(format!(
            "insert into {kind}_search_docs ({kind}_id) values (?) returning docid"
        )))
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .map(Some),
    }
}

/// Forgets the docid of a record that is gone.
async fn drop_docid(
    conn: &mut SqliteConnection,
    kind: &'static str,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(AssertSqlSafe(format!(
        "delete from {kind}_search_docs where {kind}_id = ?"
    )))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rebuilds the source index (titles and publishers).
pub async fn rebuild_sources(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query("delete from source_search")
        .execute(&mut *conn)
        .await?;
    sqlx::query("delete from source_search_docs")
        .execute(&mut *conn)
        .await?;
    let ids: Vec<String> = sqlx::query_scalar("select id from sources")
        .fetch_all(&mut *conn)
        .await?;
    for id in ids {
        index_source(conn, &id).await?;
    }
    Ok(())
}

/// (Re)indexes one source's title and publisher; a source that is gone loses its entry.
pub async fn index_source(conn: &mut SqliteConnection, id: &str) -> Result<(), sqlx::Error> {
    let Some(docid) = replace_entry(conn, "source", id).await? else {
        return Ok(());
    };
    let row: Option<(Option<String>, String)> =
        sqlx::query_as("select title, publisher from sources where id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((title, publisher)) = row else {
        drop_docid(conn, "source", id).await?;
        return Ok(());
    };
    let title = analyze(title.as_deref().unwrap_or_default());
    let publisher = analyze(&publisher);
    let chars: Vec<Token> = title
        .chars
        .iter()
        .chain(&publisher.chars)
        .cloned()
        .collect();
    sqlx::query(
        "insert into source_search (rowid, source_id, title, publisher, chars) \
         values (?, ?, ?, ?, ?)",
    )
    .bind(docid)
    .bind(id)
    .bind(index_text(&title.terms))
    .bind(index_text(&publisher.terms))
    .bind(index_text(&chars))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Rebuilds every search index in one transaction; returns how many claims were indexed.
    pub async fn reindex(&self) -> Result<u64, sqlx::Error> {
        let mut tx = self.writer().begin().await?;
        let indexed = rebuild(&mut tx).await?;
        tx.commit().await?;
        Ok(indexed)
    }
}
