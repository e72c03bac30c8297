//! Topics and indicators.

use super::super::search;
use super::super::tokens::now;
use super::claims::current;
use super::{Change, Tx, WriteError, name_some, record, render_each};
use crate::domain::{ClaimInput, Dimension, Indicator, TermInput, Topic};

/// The two vocabularies: topics tag claims, indicators name what figures measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    Topic,
    Indicator,
}

impl TermKind {
    pub(super) fn table(self) -> &'static str {
        match self {
            TermKind::Topic => "topics",
            TermKind::Indicator => "indicators",
        }
    }
}

/// A topic, read inside the write.
pub async fn topic(tx: &mut Tx, id: &str) -> Result<Option<Topic>, WriteError> {
    Ok(super::super::taxonomy::topic_on(tx.conn(), id).await?)
}

/// An indicator, read inside the write.
pub async fn indicator(tx: &mut Tx, id: &str) -> Result<Option<Indicator>, WriteError> {
    Ok(super::super::taxonomy::indicator_on(tx.conn(), id).await?)
}

/// Writes a topic or an indicator. An indicator's dimension cannot change while figures use
/// it: their units would stop fitting.
pub async fn save_term(
    tx: &mut Tx,
    kind: TermKind,
    id: &str,
    input: &TermInput,
    create: bool,
) -> Result<(), WriteError> {
    let conn = tx.conn();
    let dimension = input.dimension.map(Dimension::as_str);
    if kind == TermKind::Indicator && !create {
        let (now_measured, used): (Option<String>, i64) = sqlx::query_as(
            "select dimension, (select count(*) from quantities where indicator_id = ?1) \
             from indicators where id = ?1",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        if used > 0 && now_measured.as_deref() != dimension {
            return Err(WriteError::Conflict(format!(
                "{used} figures measure {id}; its dimension cannot change while they do"
            )));
        }
    }
    let sql = match (kind, create) {
        (TermKind::Topic, true) => {
            "insert into topics (id, names, description, created_at, updated_at) \
             values (?1, ?2, ?3, ?4, ?4)"
        }
        (TermKind::Topic, false) => {
            "update topics set names = ?2, description = ?3, updated_at = ?4 where id = ?1"
        }
        (TermKind::Indicator, true) => {
            "insert into indicators (id, names, description, created_at, updated_at, dimension) \
             values (?1, ?2, ?3, ?4, ?4, ?5)"
        }
        (TermKind::Indicator, false) => {
            "update indicators set names = ?2, description = ?3, updated_at = ?4, dimension = ?5 \
             where id = ?1"
        }
    };
    let mut query = sqlx::query(sql)
        .bind(id)
        .bind(serde_json::to_string(&input.names).unwrap_or_else(|_| "{}".into()))
        .bind(&input.description)
        .bind(now());
    if kind == TermKind::Indicator {
        query = query.bind(dimension);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Deletes a topic or an indicator. One still in use is a 409 naming (up to ten of) the claims
/// that use it; with `cascade`, a topic is first taken off those claims, each edit recorded in
/// the history under `token`.
pub async fn remove_term(
    tx: &mut Tx,
    kind: TermKind,
    id: &str,
    cascade: bool,
    token: &str,
) -> Result<(), WriteError> {
    let conn = tx.conn();
    let users: Vec<String> = sqlx::query_scalar(match kind {
        TermKind::Topic => {
            "select distinct claim_id from claim_topics where topic_id = ? order by claim_id"
        }
        TermKind::Indicator => {
            "select distinct claim_id from quantities where indicator_id = ? order by claim_id"
        }
    })
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    if !users.is_empty() {
        if kind != TermKind::Topic || !cascade {
            let hint = if kind == TermKind::Topic {
                "; ?cascade=true takes it off them first"
            } else {
                ""
            };
            return Err(WriteError::Conflict(format!(
                "{} claims use {id}{hint}",
                name_some(&users)
            )));
        }
        // Untagging edits each claim, so each one gets a new updated_at and a history entry.
        let at = now();
        for claim_id in &users {
            let before = current(conn, claim_id).await?.ok_or(WriteError::NotFound)?;
            sqlx::query("delete from claim_topics where topic_id = ? and claim_id = ?")
                .bind(id)
                .bind(claim_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("update claims set updated_at = ? where id = ?")
                .bind(&at)
                .bind(claim_id)
                .execute(&mut *conn)
                .await?;
            let after = current(conn, claim_id).await?.ok_or(WriteError::NotFound)?;
            let change = Change {
                resource: "claim",
                resource_id: claim_id,
                claim_id,
                action: "update",
            };
            let (before, after) = (ClaimInput::body_of(&before), ClaimInput::body_of(&after));
            record(conn, change, token, &before, &after).await?;
        }
        search::index_claims(conn, &users).await?;
        render_each(conn, &users).await?;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "delete from {} where id = ?",
        kind.table()
    )))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
