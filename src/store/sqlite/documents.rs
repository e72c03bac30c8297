//! Claims stored as ready documents: each claim's JSON as GET /v1/claims/{id} shows it, rendered
//! in the transaction of every write that changes what it shows, so that reads send it as it is
//! stored. Every write that can change a claim's document calls [`render`] with the claims it
//! touched; `reindex` and the opening of a database without documents call [`render_all`].

use std::collections::HashMap;

use serde_json::value::RawValue;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::claims::fetch_on;
use super::{Store, push_ids};
use crate::domain::{Claim, etag_of};
use crate::store::ClaimDocument;

/// How many claims are rendered per read of their rows.
const BATCH: usize = 500;

/// Renders the claims `ids` (repeats and empty ids are ignored) and stores each document with
/// its version. A claim that no longer exists has no document: it went with its row.
pub(super) async fn render(conn: &mut SqliteConnection, ids: &[&str]) -> Result<(), sqlx::Error> {
    let mut ids: Vec<String> = ids
        .iter()
        .filter(|id| !id.is_empty())
        .map(|id| (*id).to_owned())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(BATCH) {
        for claim in fetch_on(conn, chunk).await? {
            let (body, version) = rendered(&claim)?;
            sqlx::query(
                "insert into claim_documents (claim_id, body, version) values (?, ?, ?) \
                 on conflict (claim_id) do update set body = excluded.body, version = excluded.version",
            )
            .bind(&claim.id)
            .bind(&body)
            .bind(&version)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// A claim's document and its version: its JSON as GET shows it, and the ETag of that.
fn rendered(claim: &Claim) -> Result<(String, String), sqlx::Error> {
    let body = serde_json::to_string(claim).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let version = etag_of(body.as_bytes());
    Ok((body, version))
}

/// Renders every claim again; returns how many.
pub(super) async fn render_all(conn: &mut SqliteConnection) -> Result<u64, sqlx::Error> {
    sqlx::query("delete from claim_documents")
        .execute(&mut *conn)
        .await?;
    let mut after = String::new();
    let mut rendered = 0;
    loop {
        let ids: Vec<String> =
            sqlx::query_scalar("select id from claims where id > ? order by id limit ?")
                .bind(&after)
                .bind(BATCH as i64)
                .fetch_all(&mut *conn)
                .await?;
        let Some(last) = ids.last() else {
            return Ok(rendered);
        };
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        render(conn, &refs).await?;
        rendered += ids.len() as u64;
        after = last.clone();
    }
}

/// Whether some claims have no document: a database written before documents existed.
pub(super) async fn missing(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "select (select count(*) from claims) <> (select count(*) from claim_documents)",
    )
    .fetch_one(conn)
    .await
}

/// The stored document of claim `id`, with its version (its ETag).
pub async fn document(
    store: &Store,
    id: &str,
) -> Result<Option<(ClaimDocument, String)>, crate::store::Error> {
    let row: Option<(String, String)> =
        sqlx::query_as("select body, version from claim_documents where claim_id = ?")
            .bind(id)
            .fetch_optional(store.reader())
            .await?;
    let Some((body, version)) = row else {
        return Ok(None);
    };
    Ok(Some((stored(body)?, version)))
}

/// A stored body as a document. The server wrote it, so a failure is a bug, reported as a
/// decode error rather than a panic.
pub(super) fn stored(body: String) -> Result<ClaimDocument, sqlx::Error> {
    RawValue::from_string(body)
        .map(ClaimDocument)
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// The claims whose stored document is not the one rendered from their rows now, or that have
/// none, and the documents of claims that do not exist: empty when every document is current.
pub async fn stale(store: &Store) -> Result<Vec<String>, crate::store::Error> {
    let mut conn = store.reader().acquire().await?;
    let ids: Vec<String> = sqlx::query_scalar(
        "select id from claims union select claim_id from claim_documents order by 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut stale = Vec::new();
    for chunk in ids.chunks(BATCH) {
        let fresh: HashMap<String, (String, String)> = fetch_on(&mut conn, chunk)
            .await?
            .iter()
            .map(|claim| Ok((claim.id.clone(), rendered(claim)?)))
            .collect::<Result<_, sqlx::Error>>()?;
        let mut qb = QueryBuilder::<Sqlite>::new(
            "select claim_id, body, version from claim_documents where claim_id in ",
        );
        push_ids(&mut qb, chunk);
        let stored: HashMap<String, (String, String)> = qb
            .build_query_as::<(String, String, String)>()
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(id, body, version)| (id, (body, version)))
            .collect();
        stale.extend(
            chunk
                .iter()
                .filter(|id| stored.get(*id) != fresh.get(*id))
                .cloned(),
        );
    }
    Ok(stale)
}
