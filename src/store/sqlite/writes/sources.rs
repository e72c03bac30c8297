//! Sources: the documents claims appear in.

use sqlx::SqliteConnection;

use super::super::search;
use super::super::tokens::now;
use super::{Tx, WriteError, exists, ids_where, name_some, problem, render_each};
use crate::domain::{Source, SourceInput};

/// Writes a source's row, authors and citations (replacing any it had), and re-indexes it.
pub(in crate::store::sqlite) async fn write_source(
    conn: &mut SqliteConnection,
    id: &str,
    input: &SourceInput,
    create: bool,
) -> Result<(), WriteError> {
    let mut problems = Vec::new();
    for (i, cited) in input.cites.iter().enumerate() {
        if cited == id || !exists(conn, "sources", cited).await? {
            problems.push(problem(
                &format!("/cites/{i}"),
                format!("there is no other source {cited:?}"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(WriteError::Invalid(problems));
    }
    let at = now();
    let (published_on, precision) = match input.published {
        Some((d, p)) => (Some(d.to_iso()), Some(p.as_str())),
        None => (None, None),
    };
    let statement = if create {
        "insert into sources (kind, title, publisher, url, published_on, published_precision, \
         published_at, language, note, verification, checked_on, archive_url, updated_at, \
         created_at, id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    } else {
        "update sources set kind = ?, title = ?, publisher = ?, url = ?, published_on = ?, \
         published_precision = ?, published_at = ?, language = ?, note = ?, verification = ?, \
         checked_on = ?, archive_url = ?, updated_at = ? where created_at <> ? and id = ?"
    };
    sqlx::query(statement)
        .bind(input.kind.as_str())
        .bind(&input.title)
        .bind(&input.publisher)
        .bind(&input.url)
        .bind(published_on)
        .bind(precision)
        .bind(&input.published_at)
        .bind(input.language.as_str())
        .bind(&input.note)
        .bind(input.verification.map(|v| v.as_str()))
        .bind(input.checked_on.map(|d| d.to_iso()))
        .bind(&input.archive_url)
        .bind(&at)
        // On update the creation time is compared with an impossible one and never filters.
        .bind(if create { at.as_str() } else { "" })
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for table in ["source_authors", "source_citations"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "delete from {table} where source_id = ?"
        )))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    for (position, name) in input.authors.iter().enumerate() {
        sqlx::query("insert into source_authors (source_id, position, name) values (?, ?, ?)")
            .bind(id)
            .bind(position as i64)
            .bind(name)
            .execute(&mut *conn)
            .await?;
    }
    for cited in &input.cites {
        sqlx::query("insert or ignore into source_citations (source_id, cited_id) values (?, ?)")
            .bind(id)
            .bind(cited)
            .execute(&mut *conn)
            .await?;
    }
    search::index_source(conn, id).await?;
    if !create {
        // The claims that appear in it count their appearances by how it was checked.
        let claims = ids_where(
            conn,
            "select distinct claim_id from appearances where source_id = ?",
            id,
        )
        .await?;
        render_each(conn, &claims).await?;
    }
    Ok(())
}

/// A source, read inside the write.
pub async fn source(tx: &mut Tx, id: &str) -> Result<Option<Source>, WriteError> {
    Ok(super::super::sources::get_on(tx.conn(), id).await?)
}

/// Writes a source after checking the sources it cites, and re-indexes it.
pub async fn save_source(
    tx: &mut Tx,
    id: &str,
    input: &SourceInput,
    create: bool,
) -> Result<(), WriteError> {
    write_source(tx.conn(), id, input, create).await
}

/// Deletes a source that nothing refers to.
pub async fn remove_source(tx: &mut Tx, id: &str, before: &Source) -> Result<(), WriteError> {
    let conn = tx.conn();
    let referrers = ids_where(
        conn,
        "select claim_id from appearances where source_id = ?1 \
         union select id from claims where origin_source_id = ?1 \
         union select a.claim_id from assessments a, json_each(a.evidence) e \
               where json_extract(e.value, '$.source_id') = ?1 \
         order by 1",
        id,
    )
    .await?;
    if !referrers.is_empty() {
        return Err(WriteError::Conflict(format!(
            "{} claims rely on {id}; re-point them first",
            name_some(&referrers)
        )));
    }
    if !before.cited_by.is_empty() {
        return Err(WriteError::Conflict(format!(
            "{} sources cite {id}",
            name_some(&before.cited_by)
        )));
    }
    sqlx::query("delete from sources where id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    search::index_source(conn, id).await?;
    Ok(())
}
