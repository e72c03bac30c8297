//! Claims: their rows, texts, topics and figures, and what they refer to.

use sqlx::SqliteConnection;

use super::super::claims::fetch_on;
use super::super::tokens::now;
use super::super::{documents, search};
use super::{Tx, WriteError, exists, problem};
use crate::domain::{Claim, ClaimInput, Dimension};

/// Checks what only the database can tell: that references exist and units fit indicators.
pub(in crate::store::sqlite) async fn check_references(
    conn: &mut SqliteConnection,
    input: &ClaimInput,
    own_id: Option<&str>,
) -> Result<(), WriteError> {
    let mut problems = Vec::new();
    if !exists(conn, "claimants", &input.claimant).await? {
        problems.push(problem(
            "/claimant",
            format!("there is no claimant {:?}", input.claimant),
        ));
    }
    for (i, topic) in input.topics.iter().enumerate() {
        if !exists(conn, "topics", topic).await? {
            problems.push(problem(
                &format!("/topics/{i}"),
                format!("there is no topic {topic:?}"),
            ));
        }
    }
    for q in &input.quantities {
        let dimension: Option<String> =
            sqlx::query_scalar("select dimension from indicators where id = ?")
                .bind(&q.indicator)
                .fetch_optional(&mut *conn)
                .await?;
        match dimension.and_then(|d| d.parse::<Dimension>().ok()) {
            None => problems.push(problem(
                &format!("{}/indicator", q.pointer),
                format!("there is no indicator {:?}", q.indicator),
            )),
            Some(d) if d != q.unit.dimension => problems.push(problem(
                &format!("{}/unit", q.pointer),
                format!(
                    "{} measures {}, but {} measures {d}",
                    q.unit.symbol, q.unit.dimension, q.indicator
                ),
            )),
            Some(_) => {}
        }
    }
    if let Some(source) = &input.origin_source
        && !exists(conn, "sources", source).await?
    {
        problems.push(problem(
            "/origin_source",
            format!("there is no source {source:?}"),
        ));
    }
    if let Some(previous) = &input.supersedes {
        if Some(previous.as_str()) == own_id {
            problems.push(problem("/supersedes", "a claim cannot supersede itself"));
        } else if !exists(conn, "claims", previous).await? {
            problems.push(problem(
                "/supersedes",
                format!("there is no claim {previous:?}"),
            ));
        } else {
            let successor: Option<String> =
                sqlx::query_scalar("select id from claims where supersedes = ?")
                    .bind(previous)
                    .fetch_optional(&mut *conn)
                    .await?;
            if let Some(successor) = successor.filter(|s| Some(s.as_str()) != own_id) {
                return Err(WriteError::Conflict(format!(
                    "{previous} is already superseded by {successor}; a revision chain cannot fork"
                )));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(WriteError::Invalid(problems))
    }
}

/// Writes a claim's own row and its texts, topics and quantities (replacing any it had), and
/// renders its document and those of the claims it revises now and revised before (their
/// `superseded_by` changes with it).
pub(in crate::store::sqlite) async fn write_claim(
    conn: &mut SqliteConnection,
    id: &str,
    input: &ClaimInput,
    at: &str,
    create: bool,
) -> Result<(), WriteError> {
    let revised_before: Option<String> =
        sqlx::query_scalar("select supersedes from claims where id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
    let (due_on, due_precision) = match input.horizon {
        Some((d, p)) => (Some(d.to_iso()), Some(p.as_str())),
        None => (None, None),
    };
    let statement = if create {
        "insert into claims (claimant_id, kind, stated_on, stated_precision, claimant_role, due_on, \
         due_precision, origin_source_id, note, supersedes, updated_at, created_at, id) \
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    } else {
        "update claims set claimant_id = ?, kind = ?, stated_on = ?, stated_precision = ?, \
         claimant_role = ?, due_on = ?, due_precision = ?, origin_source_id = ?, note = ?, \
         supersedes = ?, updated_at = ? where id = ?"
    };
    let mut query = sqlx::query(statement)
        .bind(&input.claimant)
        .bind(input.kind.as_str())
        .bind(input.stated_on.to_iso())
        .bind(input.stated_precision.as_str())
        .bind(&input.claimant_role)
        .bind(due_on)
        .bind(due_precision)
        .bind(&input.origin_source)
        .bind(&input.note)
        .bind(&input.supersedes)
        .bind(at);
    if create {
        query = query.bind(at);
    }
    let result = query.bind(id).execute(&mut *conn).await;
    if let Err(sqlx::Error::Database(e)) = &result
        && e.message().contains("revision cycle")
    {
        return Err(WriteError::Conflict(format!(
            "{id} cannot supersede {}: that would make a revision chain loop",
            input.supersedes.as_deref().unwrap_or_default()
        )));
    }
    result?;
    for table in ["claim_texts", "claim_topics", "quantities"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "delete from {table} where claim_id = ?"
        )))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    for (lang, text) in &input.text {
        sqlx::query("insert into claim_texts (claim_id, lang, text) values (?, ?, ?)")
            .bind(id)
            .bind(lang)
            .bind(text)
            .execute(&mut *conn)
            .await?;
    }
    for topic in &input.topics {
        sqlx::query("insert or ignore into claim_topics (claim_id, topic_id) values (?, ?)")
            .bind(id)
            .bind(topic)
            .execute(&mut *conn)
            .await?;
    }
    for (position, q) in input.quantities.iter().enumerate() {
        sqlx::query(
            "insert into quantities (claim_id, position, indicator_id, subject, comparison_subject, \
             value, lower, upper, unit, qualifier, period, label, value_si, lower_si, upper_si, si_unit) \
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(&q.indicator)
        .bind(&q.subject)
        .bind(&q.comparison_subject)
        .bind(q.value)
        .bind(q.lower)
        .bind(q.upper)
        .bind(q.unit.symbol)
        .bind(q.qualifier.as_str())
        .bind(&q.period)
        .bind(&q.label)
        .bind(q.unit.to_si(q.value))
        .bind(q.lower.map(|v| q.unit.to_si(v)))
        .bind(q.upper.map(|v| q.unit.to_si(v)))
        .bind(q.unit.dimension.si_unit())
        .execute(&mut *conn)
        .await?;
    }
    let revised = [revised_before.as_deref(), input.supersedes.as_deref()];
    let mut touched: Vec<&str> = revised.into_iter().flatten().collect();
    touched.push(id);
    documents::render(conn, &touched).await?;
    Ok(())
}

/// The claim as GET /v1/claims/{id} shows it, read inside the transaction.
pub(super) async fn current(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<Claim>, sqlx::Error> {
    Ok(fetch_on(conn, &[id.to_owned()]).await?.pop())
}

/// The claim as GET /v1/claims/{id} shows it, read inside the write.
pub async fn claim(tx: &mut Tx, id: &str) -> Result<Option<Claim>, WriteError> {
    Ok(current(tx.conn(), id).await?)
}

/// Writes a claim after checking what it refers to, and re-indexes it.
pub async fn save_claim(
    tx: &mut Tx,
    id: &str,
    input: &ClaimInput,
    create: bool,
) -> Result<(), WriteError> {
    let conn = tx.conn();
    // A claim that names its own id in `supersedes` supersedes itself.
    check_references(conn, input, Some(id)).await?;
    write_claim(conn, id, input, &now(), create).await?;
    search::index_claims(conn, &[id.to_owned()]).await?;
    Ok(())
}

/// Deletes a claim with its appearances and assessments. A claim that another revises is kept:
/// the chain would break.
pub async fn remove_claim(tx: &mut Tx, id: &str, before: &Claim) -> Result<(), WriteError> {
    if let Some(successor) = &before.superseded_by {
        return Err(WriteError::Conflict(format!(
            "{successor} supersedes {id}; delete or re-point {successor} first"
        )));
    }
    let conn = tx.conn();
    let translations: Vec<String> = sqlx::query_scalar(
        "select t.id from appearances t join appearances o on o.id = t.translation_of \
         where o.claim_id = ? and t.claim_id <> ? order by t.id",
    )
    .bind(id)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    if !translations.is_empty() {
        return Err(WriteError::Conflict(format!(
            "appearances of other claims translate appearances of {id} ({}); re-point them first",
            translations.join(", ")
        )));
    }
    sqlx::query("delete from claim_search where rowid = (select docid from claim_search_docs where claim_id = ?)")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("delete from claims where id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    // The claim it revised is the latest of its chain again.
    if let Some(revised) = &before.supersedes {
        documents::render(conn, &[revised]).await?;
    }
    Ok(())
}
