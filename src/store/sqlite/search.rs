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

/// A claim's search entry is keyed by the day it was stated: `docid = day << DAY_SHIFT | slot`,
/// the day being the Julian day number of `stated_on`. FTS5 returns a term's matches in docid
/// order and can stop early, so the newest (or oldest) matches of a common term are read first
/// instead of every match being joined to its claim and sorted.
pub(crate) const DAY_SHIFT: u32 = 32;

/// Appends the day part of the docids of claims stated on `date`: its Julian day number, as
/// [`index_claims`] computes it from `stated_on`.
pub(crate) fn push_day(qb: &mut QueryBuilder<Sqlite>, date: String) {
    qb.push("cast(julianday(")
        .push_bind(date)
        .push(") as integer)");
}

/// Whether the database holds claim search entries keyed by insertion order, as before entries
/// were keyed by day: they must be rebuilt, since a contentless index cannot re-key its rows.
pub async fn keyed_by_insertion(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists(select 1 from claim_search_docs where docid < ?)")
        .bind(1_i64 << DAY_SHIFT)
        .fetch_one(conn)
        .await
}

/// (Re)indexes these claims. Claims that no longer exist lose their index entry.
pub async fn index_claims(
    conn: &mut SqliteConnection,
    claim_ids: &[String],
) -> Result<(), sqlx::Error> {
    let material = material(conn, claim_ids).await?;
    // The day as `push_day` computes it.
    let mut qb = QueryBuilder::<Sqlite>::new(
        "select id, cast(julianday(stated_on) as integer) from claims where id in ",
    );
    push_ids(&mut qb, claim_ids);
    let days: HashMap<String, i64> = qb
        .build_query_as::<(String, i64)>()
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    for id in claim_ids {
        let old: Option<i64> =
            sqlx::query_scalar("select docid from claim_search_docs where claim_id = ?")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some(docid) = old {
            sqlx::query("delete from claim_search where rowid = ?")
                .bind(docid)
                .execute(&mut *conn)
                .await?;
        }
        let entry = material.get(id).zip(days.get(id).copied());
        // A claim gone, or moved to another day, gives up its docid: the docid holds the day.
        let kept = old.filter(|docid| entry.is_some_and(|(_, day)| docid >> DAY_SHIFT == day));
        if old.is_some() && kept.is_none() {
            sqlx::query("delete from claim_search_docs where claim_id = ?")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        let Some((m, day)) = entry else {
            continue;
        };
        let docid = match kept {
            Some(docid) => docid,
            None => insert_docid(conn, id, day).await?,
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

/// Gives a claim the next free docid of its day.
async fn insert_docid(conn: &mut SqliteConnection, id: &str, day: i64) -> Result<i64, sqlx::Error> {
    let first = day << DAY_SHIFT;
    let end = (day + 1) << DAY_SHIFT;
    let docid: i64 = sqlx::query_scalar(
        "insert into claim_search_docs (docid, claim_id) \
         select coalesce(max(docid) + 1, ?), ? from claim_search_docs \
         where docid >= ? and docid < ? returning docid",
    )
    .bind(first)
    .bind(id)
    .bind(first)
    .bind(end)
    .fetch_one(&mut *conn)
    .await?;
    if docid >= end {
        // The day's docids are used up; the caller's transaction is rolled back.
        return Err(sqlx::Error::Protocol(format!(
            "more than {} claims stated on one day",
            1_i64 << DAY_SHIFT
        )));
    }
    Ok(docid)
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
    /// Rebuilds every search index and every claim's document in one transaction; returns how
    /// many claims were indexed.
    pub async fn reindex(&self) -> Result<u64, crate::store::Error> {
        let mut tx = self.writer().begin().await?;
        let indexed = rebuild(&mut tx).await?;
        super::documents::render_all(&mut tx).await?;
        tx.commit().await?;
        Ok(indexed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::generate;

    /// The claims whose index entry holds `word`, as a search for it reads the index.
    async fn matching(store: &Store, word: &str) -> i64 {
        let query = crate::search::SearchQuery::parse(word).unwrap();
        sqlx::query_scalar("select count(*) from claim_search where claim_search match ?")
            .bind(query.fts_match("{text quote names}").unwrap())
            .fetch_one(store.reader())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn an_index_keyed_by_insertion_is_rebuilt_by_day_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let store = Store::open(&path, 1, None).await.unwrap();
        generate::generate(&store, 300, 3, |_| {}).await.unwrap();
        let electricity = matching(&store, "electricity").await;
        assert!(electricity > 0);
        // The index as the previous version wrote it: docids in insertion order (here with
        // other words, to tell a rebuilt index from a kept one).
        let mut tx = store.writer().begin().await.unwrap();
        for statement in [
            "insert into claim_search (claim_search) values ('delete-all')",
            "delete from claim_search_docs",
            "insert into claim_search_docs (docid, claim_id) select rowid, id from claims",
            "insert into claim_search (rowid, text, quote, names, chars) \
             select docid, 'stale', '', '', '' from claim_search_docs",
        ] {
            sqlx::query(statement).execute(&mut *tx).await.unwrap();
        }
        assert!(keyed_by_insertion(&mut tx).await.unwrap());
        tx.commit().await.unwrap();
        store.close().await;

        let store = Store::open(&path, 1, None).await.unwrap();
        let mut conn = store.reader().acquire().await.unwrap();
        assert!(!keyed_by_insertion(&mut conn).await.unwrap());
        let misplaced: i64 = sqlx::query_scalar(
            "select count(*) from claim_search_docs d join claims c on c.id = d.claim_id \
             where d.docid >> 32 != cast(julianday(c.stated_on) as integer)",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(misplaced, 0);
        drop(conn);
        assert_eq!(matching(&store, "stale").await, 0);
        assert_eq!(matching(&store, "electricity").await, electricity);
    }
}

/// Any text at all is a query FTS5 accepts: bounded-time fuzzing of the parser against a real
/// FTS5 table of the index's shape. `PROPTEST_CASES` sets how many inputs (CI runs more).
#[cfg(test)]
mod fuzz {
    use crate::search::{MAX_QUERY_CHARS, SearchQuery};
    use proptest::prelude::*;
    use sqlx::{Connection, SqliteConnection};

    /// Fragments of the query syntax and of FTS5's, mixed with arbitrary text.
    fn query_text() -> impl Strategy<Value = String> {
        let fragment = prop_oneof![
            Just("\"".to_owned()),
            Just("-".to_owned()),
            Just(" OR ".to_owned()),
            Just(" AND ".to_owned()),
            Just("NOT ".to_owned()),
            Just("NEAR(".to_owned()),
            Just(")".to_owned()),
            Just("*".to_owned()),
            Just(":".to_owned()),
            Just("^".to_owned()),
            Just("{text}".to_owned()),
            Just("电力".to_owned()),
            Just("電".to_owned()),
            Just("45GW".to_owned()),
            Just("'".to_owned()),
            Just("\u{0}".to_owned()),
            "\\PC{0,6}",
            any::<String>(),
        ];
        prop::collection::vec(fragment, 0..12).prop_map(|parts| parts.concat())
    }

    #[test]
    fn every_parsed_query_is_a_valid_fts5_expression() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let db = runtime.block_on(async {
            let mut db = SqliteConnection::connect("sqlite::memory:").await.unwrap();
            sqlx::query(
                "create virtual table t using fts5(text, quote, names, chars, \
                 tokenize = 'unicode61 remove_diacritics 0')",
            )
            .execute(&mut db)
            .await
            .unwrap();
            sqlx::query("insert into t values ('dian li', 'power', 'musk', '电 力')")
                .execute(&mut db)
                .await
                .unwrap();
            std::cell::RefCell::new(db)
        });
        proptest!(|(q in query_text())| {
            let Ok(query) = SearchQuery::parse(&q) else {
                prop_assert!(q.trim().is_empty() || q.chars().count() > MAX_QUERY_CHARS);
                return Ok(());
            };
            if let Some(expression) = query.fts_match("{text quote names}") {
                let outcome = runtime.block_on(
                    sqlx::query("select count(*) from t where t match ?")
                        .bind(&expression)
                        .fetch_one(&mut *db.borrow_mut()),
                );
                prop_assert!(outcome.is_ok(), "{q:?} → {expression:?}: {outcome:?}");
            }
        });
    }
}
