//! The SQL of writes. Each write runs in one [`Tx`] on the single writer connection, which also
//! serialises them: a check of `If-Match` and the write it guards cannot be interleaved with
//! another write. Every write re-indexes what it touched for search, renders the documents of
//! the claims it changed and records its history in the same transaction, so nothing
//! acknowledged is lost and nothing read lags the tables. What a write means (preconditions,
//! replays, patches) is the write service's, in `service/`. One module per kind of record.

mod claimants;
mod claims;
mod parts;
mod sources;
mod terms;

use serde_json::Value;
use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::tokens::now;
use super::{Store, documents};
use crate::domain::{FieldProblem, HistoryResource};

pub(in crate::store::sqlite) use claimants::write_claimant;
pub use claimants::{claimant, remove_claimant, save_claimant};
pub(in crate::store::sqlite) use claims::{check_references, write_claim};
pub use claims::{claim, remove_claim, save_claim};
pub use parts::{
    appearance, appearance_in, assessment, assessment_in, remove_appearance, remove_assessment,
    save_appearance, save_assessment,
};
pub(in crate::store::sqlite) use parts::{write_appearance, write_assessment};
pub(in crate::store::sqlite) use sources::write_source;
pub use sources::{remove_source, save_source, source};
pub use terms::{TermKind, indicator, remove_term, save_term, topic};

/// Why a write was refused.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}", .0.iter().map(|p| format!("{}: {}", p.pointer, p.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldProblem>),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error("If-Match does not name the current version")]
    Stale,
    #[error("If-None-Match names the current version")]
    Matched,
    #[error("the Idempotency-Key was used with another request")]
    KeyReused,
    #[error(transparent)]
    Store(#[from] super::Error),
}

impl From<sqlx::Error> for WriteError {
    fn from(e: sqlx::Error) -> WriteError {
        WriteError::Store(e.into())
    }
}

impl From<super::FileGone> for WriteError {
    fn from(e: super::FileGone) -> WriteError {
        WriteError::Store(e.into())
    }
}

/// A write in progress: a transaction on the writer, begun IMMEDIATE so that what it reads (to
/// check If-Match, ids and references) cannot be changed by another writer, even in another
/// process, before it writes.
pub struct Tx {
    tx: Transaction<'static, Sqlite>,
    store: Store,
}

impl Tx {
    pub async fn begin(store: &Store) -> Result<Tx, WriteError> {
        store.check_file()?;
        let tx = store.writer().begin_with("BEGIN IMMEDIATE").await?;
        Ok(Tx {
            tx,
            store: store.clone(),
        })
    }

    /// Commits, then checks that the write went into the file at the database's path: a write
    /// into a file removed meanwhile would be lost at the next start, so it is not acknowledged.
    pub async fn commit(self) -> Result<(), WriteError> {
        self.tx.commit().await?;
        self.store.check_file()?;
        Ok(())
    }

    pub(super) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    /// Whether a record of this kind has this id.
    pub async fn exists(&mut self, kind: HistoryResource, id: &str) -> Result<bool, WriteError> {
        Ok(exists(self.conn(), table(kind), id).await?)
    }

    /// The digest of the request, the status and the body stored for this token's key, after
    /// forgetting the answers stored before `cutoff`.
    pub async fn stored_answer(
        &mut self,
        token: &str,
        key: &str,
        cutoff: &str,
    ) -> Result<Option<(String, u16, String)>, WriteError> {
        sqlx::query("delete from idempotency_keys where created_at < ?")
            .bind(cutoff)
            .execute(self.conn())
            .await?;
        let stored: Option<(String, i64, String)> = sqlx::query_as(
            "select request_sha256, status, body from idempotency_keys where token_id = ? and key = ?",
        )
        .bind(token)
        .bind(key)
        .fetch_optional(self.conn())
        .await?;
        Ok(stored.map(|(digest, status, body)| (digest, status as u16, body)))
    }

    /// Keeps the answer to a POST under its `Idempotency-Key`, for replay.
    pub async fn remember(
        &mut self,
        token: &str,
        idem: Option<&Idempotency>,
        body: &str,
    ) -> Result<(), WriteError> {
        if let Some(idem) = idem {
            sqlx::query(
                "insert into idempotency_keys (token_id, key, request_sha256, status, body, created_at) \
                 values (?, ?, ?, 201, ?, ?)",
            )
            .bind(token)
            .bind(&idem.key)
            .bind(&idem.request_sha256)
            .bind(body)
            .bind(now())
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Records a write in the history, as the diff from `before` to `after`.
    pub async fn record(
        &mut self,
        change: Change<'_>,
        token: &str,
        before: &Value,
        after: &Value,
    ) -> Result<(), WriteError> {
        Ok(record(self.conn(), change, token, before, after).await?)
    }
}

/// The table that holds a kind of record.
fn table(kind: HistoryResource) -> &'static str {
    match kind {
        HistoryResource::Claim => "claims",
        HistoryResource::Appearance => "appearances",
        HistoryResource::Assessment => "assessments",
        HistoryResource::Claimant => "claimants",
        HistoryResource::Source => "sources",
        HistoryResource::Topic => "topics",
        HistoryResource::Indicator => "indicators",
    }
}

/// What a write did to which record, for its history.
pub struct Change<'a> {
    pub resource: &'a str,
    pub resource_id: &'a str,
    /// The claim it belongs to; empty for records that belong to none.
    pub claim_id: &'a str,
    pub action: &'a str,
}

/// An `Idempotency-Key` and a digest of the request it came with.
pub struct Idempotency {
    pub key: String,
    pub request_sha256: String,
}

pub(super) fn problem(pointer: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        pointer: pointer.to_owned(),
        message: message.into(),
    }
}

async fn exists(
    conn: &mut SqliteConnection,
    table: &'static str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select exists(select 1 from {table} where id = ?)"
    )))
    .bind(id)
    .fetch_one(&mut *conn)
    .await
}

pub(super) async fn record(
    conn: &mut SqliteConnection,
    change: Change<'_>,
    token: &str,
    before: &Value,
    after: &Value,
) -> Result<(), sqlx::Error> {
    let diff =
        serde_json::to_string(&json_patch::diff(before, after)).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "insert into history (resource, resource_id, claim_id, action, token_id, at, diff) \
         values (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(change.resource)
    .bind(change.resource_id)
    // Topics and indicators belong to no claim.
    .bind(Some(change.claim_id).filter(|c| !c.is_empty()))
    .bind(change.action)
    // Writes made with the command line carry no token.
    .bind(Some(token).filter(|t| !t.is_empty()))
    .bind(now())
    .bind(diff)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Renders the documents of the claims `ids`.
async fn render_each(conn: &mut SqliteConnection, ids: &[String]) -> Result<(), sqlx::Error> {
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    documents::render(conn, &ids).await
}

/// Up to ten ids, and how many there are in all, for a 409 that names what still refers.
fn name_some(ids: &[String]) -> String {
    let shown: Vec<&str> = ids.iter().take(10).map(String::as_str).collect();
    let more = if ids.len() > shown.len() { ", …" } else { "" };
    format!("{} ({}{more})", ids.len(), shown.join(", "))
}

async fn ids_where(
    conn: &mut SqliteConnection,
    sql: &'static str,
    id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(sql).bind(id).fetch_all(&mut *conn).await
}
