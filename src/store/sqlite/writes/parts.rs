//! A claim's appearances and assessments.

use sqlx::SqliteConnection;

use super::super::claims::{appearances_on, assessments_on};
use super::super::tokens::now;
use super::super::{Store, documents, search};
use super::{Tx, WriteError, exists, problem};
use crate::domain::{Appearance, AppearanceInput, Assessment, AssessmentInput};

async fn appearance_on(
    conn: &mut SqliteConnection,
    claim_id: &str,
    id: &str,
) -> Result<Option<Appearance>, sqlx::Error> {
    Ok(appearances_on(conn, &[claim_id.to_owned()])
        .await?
        .into_iter()
        .find(|a| a.id == id))
}

async fn assessment_on(
    conn: &mut SqliteConnection,
    claim_id: &str,
    id: &str,
) -> Result<Option<Assessment>, sqlx::Error> {
    Ok(assessments_on(conn, &[claim_id.to_owned()])
        .await?
        .into_iter()
        .find(|a| a.id == id))
}

/// Inserts or replaces an appearance after checking what it refers to.
pub(in crate::store::sqlite) async fn write_appearance(
    conn: &mut SqliteConnection,
    claim_id: &str,
    id: &str,
    input: &AppearanceInput,
    create: bool,
) -> Result<(), WriteError> {
    let mut problems = Vec::new();
    if !exists(conn, "sources", &input.source).await? {
        problems.push(problem(
            "/source",
            format!("there is no source {:?}", input.source),
        ));
    }
    if let Some(original) = &input.translation_of
        && (original == id || !exists(conn, "appearances", original).await?)
    {
        problems.push(problem(
            "/translation_of",
            format!("there is no other appearance {original:?}"),
        ));
    }
    if !problems.is_empty() {
        return Err(WriteError::Invalid(problems));
    }
    if input.first_appearance {
        sqlx::query("update appearances set first_appearance = 0 where claim_id = ? and id <> ?")
            .bind(claim_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let at = now();
    let statement = if create {
        "insert into appearances (source_id, quote, lang, kind, translation_of, fidelity, note, \
         locator, first_appearance, updated_at, claim_id, created_at, id) \
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    } else {
        "update appearances set source_id = ?, quote = ?, lang = ?, kind = ?, translation_of = ?, \
         fidelity = ?, note = ?, locator = ?, first_appearance = ?, updated_at = ? \
         where claim_id = ? and created_at <> ? and id = ?"
    };
    sqlx::query(statement)
        .bind(&input.source)
        .bind(&input.quote)
        .bind(input.lang.as_str())
        .bind(input.kind.map(|k| k.as_str()))
        .bind(&input.translation_of)
        .bind(input.fidelity.map(|f| f.as_str()))
        .bind(&input.note)
        .bind(&input.locator)
        .bind(input.first_appearance)
        .bind(&at)
        .bind(claim_id)
        // On update the creation time is compared with an impossible one and never filters.
        .bind(if create { at.as_str() } else { "" })
        .bind(id)
        .execute(&mut *conn)
        .await?;
    documents::render(conn, &[claim_id]).await?;
    Ok(())
}

/// A claim's appearance, read inside the write.
pub async fn appearance_in(
    tx: &mut Tx,
    claim_id: &str,
    id: &str,
) -> Result<Option<Appearance>, WriteError> {
    Ok(appearance_on(tx.conn(), claim_id, id).await?)
}

/// Writes an appearance after checking what it refers to, and re-indexes its claim.
pub async fn save_appearance(
    tx: &mut Tx,
    claim_id: &str,
    id: &str,
    input: &AppearanceInput,
    create: bool,
) -> Result<(), WriteError> {
    let conn = tx.conn();
    write_appearance(conn, claim_id, id, input, create).await?;
    search::index_claims(conn, &[claim_id.to_owned()]).await?;
    Ok(())
}

/// Deletes an appearance, unless another translates it.
pub async fn remove_appearance(tx: &mut Tx, claim_id: &str, id: &str) -> Result<(), WriteError> {
    let conn = tx.conn();
    let translations: Vec<String> =
        sqlx::query_scalar("select id from appearances where translation_of = ? order by id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    if !translations.is_empty() {
        return Err(WriteError::Conflict(format!(
            "{} translate{} {id}; delete or re-point {} first",
            translations.join(", "),
            if translations.len() == 1 { "s" } else { "" },
            if translations.len() == 1 {
                "it"
            } else {
                "them"
            }
        )));
    }
    sqlx::query("delete from appearances where id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    search::index_claims(conn, &[claim_id.to_owned()]).await?;
    documents::render(conn, &[claim_id]).await?;
    Ok(())
}

pub(in crate::store::sqlite) async fn write_assessment(
    conn: &mut SqliteConnection,
    claim_id: &str,
    id: &str,
    input: &AssessmentInput,
    create: bool,
) -> Result<(), WriteError> {
    let mut problems = Vec::new();
    for (i, e) in input.evidence.iter().enumerate() {
        if let Some(source) = &e.source_id
            && !exists(conn, "sources", source).await?
        {
            problems.push(problem(
                &format!("/evidence/{i}/source_id"),
                format!("there is no source {source:?}"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(WriteError::Invalid(problems));
    }
    let at = now();
    let statement = if create {
        "insert into assessments (verdict, summary, evidence, assessed_on, assessor, updated_at, \
         claim_id, created_at, id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    } else {
        "update assessments set verdict = ?, summary = ?, evidence = ?, assessed_on = ?, \
         assessor = ?, updated_at = ? where claim_id = ? and created_at <> ? and id = ?"
    };
    sqlx::query(statement)
        .bind(input.verdict.as_str())
        .bind(&input.summary)
        .bind(serde_json::to_string(&input.evidence).unwrap_or_else(|_| "[]".into()))
        .bind(input.assessed_on.to_iso())
        .bind(&input.assessor)
        .bind(&at)
        .bind(claim_id)
        .bind(if create { at.as_str() } else { "" })
        .bind(id)
        .execute(&mut *conn)
        .await?;
    // The claim counts its assessments, and the latest sets its status.
    documents::render(conn, &[claim_id]).await?;
    Ok(())
}

/// A claim's assessment, read inside the write.
pub async fn assessment_in(
    tx: &mut Tx,
    claim_id: &str,
    id: &str,
) -> Result<Option<Assessment>, WriteError> {
    Ok(assessment_on(tx.conn(), claim_id, id).await?)
}

/// Writes an assessment after checking the sources its evidence names; the claim's status
/// follows the latest one.
pub async fn save_assessment(
    tx: &mut Tx,
    claim_id: &str,
    id: &str,
    input: &AssessmentInput,
    create: bool,
) -> Result<(), WriteError> {
    write_assessment(tx.conn(), claim_id, id, input, create).await
}

/// Deletes an assessment; the claim's status falls back to the one before.
pub async fn remove_assessment(tx: &mut Tx, claim_id: &str, id: &str) -> Result<(), WriteError> {
    let conn = tx.conn();
    sqlx::query("delete from assessments where id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    documents::render(conn, &[claim_id]).await?;
    Ok(())
}

/// A claim's appearance, or `None`.
pub async fn appearance(
    store: &Store,
    claim_id: &str,
    id: &str,
) -> Result<Option<Appearance>, crate::store::Error> {
    let mut conn = store.reader().acquire().await?;
    Ok(appearance_on(&mut conn, claim_id, id).await?)
}

/// A claim's assessment, or `None`.
pub async fn assessment(
    store: &Store,
    claim_id: &str,
    id: &str,
) -> Result<Option<Assessment>, crate::store::Error> {
    let mut conn = store.reader().acquire().await?;
    Ok(assessment_on(&mut conn, claim_id, id).await?)
}
