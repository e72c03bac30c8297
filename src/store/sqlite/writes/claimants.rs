//! Claimants: people and organisations.

use sqlx::SqliteConnection;

use super::super::search;
use super::super::tokens::now;
use super::{Tx, WriteError, exists, ids_where, name_some, problem, render_each};
use crate::domain::{Claimant, ClaimantInput};

/// Writes a claimant's row, aliases and affiliations (replacing any it had), and re-indexes it
/// and, when its names may have changed, its claims.
pub(in crate::store::sqlite) async fn write_claimant(
    conn: &mut SqliteConnection,
    id: &str,
    input: &ClaimantInput,
    create: bool,
) -> Result<(), WriteError> {
    let mut problems = Vec::new();
    for (i, a) in input.affiliations.iter().enumerate() {
        if let Some(org) = &a.organization_id
            && (org == id || !exists(conn, "claimants", org).await?)
        {
            problems.push(problem(
                &format!("/affiliations/{i}/organization_id"),
                format!("there is no other claimant {org:?}"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(WriteError::Invalid(problems));
    }
    let at = now();
    let names = serde_json::to_string(&input.names).unwrap_or_else(|_| "{}".into());
    if create {
        sqlx::query(
            "insert into claimants (id, kind, names, wikidata_id, description, created_at, updated_at) \
             values (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(input.kind.as_str())
        .bind(&names)
        .bind(&input.wikidata_id)
        .bind(&input.description)
        .bind(&at)
        .bind(&at)
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query("update claimants set kind = ?, names = ?, wikidata_id = ?, description = ?, updated_at = ? where id = ?")
            .bind(input.kind.as_str())
            .bind(&names)
            .bind(&input.wikidata_id)
            .bind(&input.description)
            .bind(&at)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    for table in ["claimant_aliases", "claimant_affiliations"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "delete from {table} where claimant_id = ?"
        )))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    for a in &input.aliases {
        // Aliases compare without case: a repeat is the same alias.
        sqlx::query(
            "insert or ignore into claimant_aliases (claimant_id, alias, lang) values (?, ?, ?)",
        )
        .bind(id)
        .bind(&a.alias)
        .bind(a.lang.as_ref().map(|l| l.as_str()))
        .execute(&mut *conn)
        .await?;
    }
    for (position, a) in input.affiliations.iter().enumerate() {
        sqlx::query(
            "insert into claimant_affiliations (claimant_id, position, organization, organization_id, role, since, until) \
             values (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(&a.organization)
        .bind(&a.organization_id)
        .bind(&a.role)
        .bind(a.since.map(|d| d.to_iso()))
        .bind(a.until.map(|d| d.to_iso()))
        .execute(&mut *conn)
        .await?;
    }
    search::index_claimant(conn, id).await?;
    if !create {
        // Its claims show its name.
        let claims = ids_where(conn, "select id from claims where claimant_id = ?", id).await?;
        search::index_claims(conn, &claims).await?;
        render_each(conn, &claims).await?;
    }
    Ok(())
}

/// A claimant, read inside the write.
pub async fn claimant(tx: &mut Tx, id: &str) -> Result<Option<Claimant>, WriteError> {
    Ok(super::super::claimants::get_on(tx.conn(), id).await?)
}

/// Writes a claimant after checking the organisations it names, and re-indexes it.
pub async fn save_claimant(
    tx: &mut Tx,
    id: &str,
    input: &ClaimantInput,
    create: bool,
) -> Result<(), WriteError> {
    write_claimant(tx.conn(), id, input, create).await
}

/// Deletes a claimant who has no claims and is no one's organization.
pub async fn remove_claimant(tx: &mut Tx, id: &str) -> Result<(), WriteError> {
    let conn = tx.conn();
    let claims = ids_where(
        conn,
        "select id from claims where claimant_id = ? order by id",
        id,
    )
    .await?;
    if !claims.is_empty() {
        return Err(WriteError::Conflict(format!(
            "{id} made {} claims; delete or re-attribute them first",
            name_some(&claims)
        )));
    }
    let members = ids_where(
        conn,
        "select claimant_id from claimant_affiliations where organization_id = ? order by 1",
        id,
    )
    .await?;
    if !members.is_empty() {
        return Err(WriteError::Conflict(format!(
            "{} claimants name {id} as their organization",
            name_some(&members)
        )));
    }
    sqlx::query("delete from claimants where id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    search::index_claimant(conn, id).await?;
    Ok(())
}
