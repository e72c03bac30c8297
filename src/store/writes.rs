//! Writes. Each runs in one transaction on the single writer connection, which also serialises
//! them: a check of `If-Match` and the write it guards cannot be interleaved with another write.
//! Every write re-indexes what it touched for search and records its history in the same
//! transaction, so nothing acknowledged is lost and the index never lags the tables.

use serde::Serialize;
use serde_json::Value;
use sqlx::{Sqlite, SqliteConnection, Transaction};
use utoipa::ToSchema;

use super::claims::{appearances_on, assessments_on, fetch_on};
use super::dataset::{self, HistoryRecord, TokenRecord};
use super::tokens::now;
use super::{Keyset, Page, PageRequest, Store, from_json, search};
use crate::domain::{
    Appearance, AppearanceBody, AppearanceInput, Assessment, AssessmentBody, AssessmentInput,
    Claim, ClaimInput, Claimant, ClaimantBody, ClaimantInput, Dimension, FieldProblem,
    HistoryResource, Indicator, Source, SourceBody, SourceInput, TermBody, TermInput, Topic,
    etag_of, gzip_etag,
};

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

/// Starts a write: IMMEDIATE takes the write lock at once, so that what the transaction reads
/// (to check If-Match, ids and references) cannot be changed by another writer, even in another
/// process, before it writes.
async fn begin(store: &Store) -> Result<Transaction<'static, Sqlite>, WriteError> {
    store.check_file()?;
    Ok(store.writer().begin_with("BEGIN IMMEDIATE").await?)
}

/// Commits a write, then checks that it went into the file at the database's path: a write
/// into a file removed meanwhile would be lost at the next start, so it is not acknowledged.
async fn commit(store: &Store, tx: Transaction<'static, Sqlite>) -> Result<(), WriteError> {
    tx.commit().await?;
    store.check_file()?;
    Ok(())
}

fn problem(pointer: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        pointer: pointer.to_owned(),
        message: message.into(),
    }
}

fn random_suffix() -> Result<String, WriteError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| WriteError::Store(super::Error::Other(e.into())))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
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

/// Checks what only the database can tell: that references exist and units fit indicators.
async fn check_references(
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

/// Writes a claim's own row and its texts, topics and quantities (replacing any it had).
async fn write_claim(
    conn: &mut SqliteConnection,
    id: &str,
    input: &ClaimInput,
    at: &str,
    create: bool,
) -> Result<(), WriteError> {
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
    Ok(())
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// What a write did to which record, for its history.
struct Change<'a> {
    resource: &'a str,
    resource_id: &'a str,
    claim_id: &'a str,
    action: &'a str,
}

async fn record(
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

/// The claim as GET /v1/claims/{id} shows it, read inside the transaction.
async fn current(tx: &mut Transaction<'_, Sqlite>, id: &str) -> Result<Option<Claim>, sqlx::Error> {
    Ok(fetch_on(tx, &[id.to_owned()]).await?.pop())
}

/// An `Idempotency-Key` and a digest of the request it came with.
pub struct Idempotency {
    pub key: String,
    pub request_sha256: String,
}

/// What a POST did: created something, or replayed the answer to an earlier identical request.
pub enum Created<T> {
    New(T),
    Replay { status: u16, body: String },
}

/// How long a POST's answer is kept for replay.
const IDEMPOTENCY_HOURS: i64 = 24;

/// The stored answer for this key, if the same token sent it in the last 24 hours and what it
/// created (in `table`) still exists. Once that is deleted, replaying "201 Created" would name a
/// record that is gone, so the key is refused with 409 instead: a new key creates it again.
async fn replay(
    conn: &mut SqliteConnection,
    table: &'static str,
    token: &str,
    idem: Option<&Idempotency>,
) -> Result<Option<(u16, String)>, WriteError> {
    let Some(idem) = idem else { return Ok(None) };
    let cutoff = (time::OffsetDateTime::now_utc() - time::Duration::hours(IDEMPOTENCY_HOURS))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    sqlx::query("delete from idempotency_keys where created_at < ?")
        .bind(&cutoff)
        .execute(&mut *conn)
        .await?;
    let stored: Option<(String, i64, String)> = sqlx::query_as(
        "select request_sha256, status, body from idempotency_keys where token_id = ? and key = ?",
    )
    .bind(token)
    .bind(&idem.key)
    .fetch_optional(&mut *conn)
    .await?;
    match stored {
        Some((digest, status, body)) if digest == idem.request_sha256 => {
            let created = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|record| record["id"].as_str().map(str::to_owned))
                .unwrap_or_default();
            if !exists(&mut *conn, table, &created).await? {
                return Err(WriteError::Conflict(format!(
                    "the {} this Idempotency-Key created, {created:?}, has since been deleted; \
                     send a new key to create it again",
                    table.trim_end_matches('s')
                )));
            }
            Ok(Some((status as u16, body)))
        }
        Some(_) => Err(WriteError::KeyReused),
        None => Ok(None),
    }
}

async fn remember(
    conn: &mut SqliteConnection,
    token: &str,
    idem: Option<&Idempotency>,
    body: &str,
) -> Result<(), sqlx::Error> {
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
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Creates a claim; its id is the one given, or one made from the claimant's.
pub async fn create_claim(
    store: &Store,
    input: &ClaimInput,
    token: &str,
    idem: Option<&Idempotency>,
) -> Result<Created<Claim>, WriteError> {
    let mut tx = begin(store).await?;
    if let Some((status, body)) = replay(&mut tx, "claims", token, idem).await? {
        return Ok(Created::Replay { status, body });
    }
    let id = new_id(input.id.as_ref(), &input.claimant)?;
    if exists(&mut tx, "claims", &id).await? {
        return Err(WriteError::Conflict(format!(
            "a claim with id {id:?} exists already"
        )));
    }
    // The id it will have: a claim that names it in `supersedes` supersedes itself.
    check_references(&mut tx, input, Some(&id)).await?;
    let at = now();
    write_claim(&mut tx, &id, input, &at, true).await?;
    search::index_claims(&mut tx, std::slice::from_ref(&id)).await?;
    let after = current(&mut tx, &id).await?.ok_or(WriteError::NotFound)?;
    record(
        &mut tx,
        Change {
            resource: "claim",
            resource_id: &id,
            claim_id: &id,
            action: "create",
        },
        token,
        &Value::Null,
        &ClaimInput::body_of(&after),
    )
    .await?;
    remember(
        &mut tx,
        token,
        idem,
        &serde_json::to_string(&after).unwrap_or_default(),
    )
    .await?;
    commit(store, tx).await?;
    Ok(Created::New(after))
}

/// Applies a JSON merge patch (RFC 7396) to a claim's writable fields.
pub async fn patch_claim(
    store: &Store,
    id: &str,
    patch: &Value,
    pre: &Preconditions,
    token: &str,
) -> Result<Claim, WriteError> {
    let mut tx = begin(store).await?;
    let before = current(&mut tx, id).await?.ok_or(WriteError::NotFound)?;
    check_etag(&before, pre)?;
    let before_body = ClaimInput::body_of(&before);
    let input =
        ClaimInput::parse(&merged(&before_body, patch, id)?).map_err(WriteError::Invalid)?;
    check_references(&mut tx, &input, Some(id)).await?;
    write_claim(&mut tx, id, &input, &now(), false).await?;
    search::index_claims(&mut tx, &[id.to_owned()]).await?;
    let after = current(&mut tx, id).await?.ok_or(WriteError::NotFound)?;
    record(
        &mut tx,
        Change {
            resource: "claim",
            resource_id: id,
            claim_id: id,
            action: "update",
        },
        token,
        &before_body,
        &ClaimInput::body_of(&after),
    )
    .await?;
    commit(store, tx).await?;
    Ok(after)
}

/// Deletes a claim with its appearances and assessments. A claim that another revises is kept:
/// the chain would break.
pub async fn delete_claim(
    store: &Store,
    id: &str,
    pre: &Preconditions,
    token: &str,
) -> Result<(), WriteError> {
    let mut tx = begin(store).await?;
    let before = current(&mut tx, id).await?.ok_or(WriteError::NotFound)?;
    check_etag(&before, pre)?;
    if let Some(successor) = &before.superseded_by {
        return Err(WriteError::Conflict(format!(
            "{successor} supersedes {id}; delete or re-point {successor} first"
        )));
    }
    let translations: Vec<String> = sqlx::query_scalar(
        "select t.id from appearances t join appearances o on o.id = t.translation_of \
         where o.claim_id = ? and t.claim_id <> ? order by t.id",
    )
    .bind(id)
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    if !translations.is_empty() {
        return Err(WriteError::Conflict(format!(
            "appearances of other claims translate appearances of {id} ({}); re-point them first",
            translations.join(", ")
        )));
    }
    sqlx::query("delete from claim_search where rowid = (select docid from claim_search_docs where claim_id = ?)")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("delete from claims where id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        Change {
            resource: "claim",
            resource_id: id,
            claim_id: id,
            action: "delete",
        },
        token,
        &ClaimInput::body_of(&before),
        &Value::Null,
    )
    .await?;
    commit(store, tx).await?;
    Ok(())
}

/// The ETag of a record's JSON representation.
pub fn etag<T: Serialize>(record: &T) -> String {
    etag_of(&serde_json::to_vec(record).unwrap_or_default())
}

/// The conditions of a write on the record's current version (RFC 9110 13.1): `If-Match` and
/// `If-None-Match` as sent, each `*` or a list of entity-tags (checked by the API).
#[derive(Debug, Clone, Default)]
pub struct Preconditions {
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
}

/// Whether the preconditions hold for `current`, by its ETag.
fn check_etag<T: Serialize>(current: &T, pre: &Preconditions) -> Result<(), WriteError> {
    check_if_match(pre, &etag(current))
}

/// Whether the preconditions hold for the version whose ETag is `plain`. A tag names it when
/// it is `plain` or the tag of its gzip-coded form (what a client that read it compressed
/// holds): both stand for this version. `If-Match` holds when absent, `*` or naming it;
/// `If-None-Match` fails when `*` (the record exists) or naming it.
fn check_if_match(pre: &Preconditions, plain: &str) -> Result<(), WriteError> {
    let coded = gzip_etag(plain);
    let names = |tags: &str| {
        tags.split(',')
            .map(str::trim)
            .any(|t| t == plain || t == coded)
    };
    if let Some(tags) = pre.if_match.as_deref()
        && tags.trim() != "*"
        && !names(tags)
    {
        return Err(WriteError::Stale);
    }
    if let Some(tags) = pre.if_none_match.as_deref()
        && (tags.trim() == "*" || names(tags))
    {
        return Err(WriteError::Matched);
    }
    Ok(())
}

fn new_id(given: Option<&crate::domain::Slug>, prefix: &str) -> Result<String, WriteError> {
    Ok(match given {
        Some(id) => id.as_str().to_owned(),
        None => format!(
            "{}-{}",
            prefix.chars().take(80).collect::<String>(),
            random_suffix()?
        ),
    })
}

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
async fn write_appearance(
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
    Ok(())
}

/// Adds an appearance to a claim.
pub async fn create_appearance(
    store: &Store,
    claim_id: &str,
    input: &AppearanceInput,
    token: &str,
    idem: Option<&Idempotency>,
) -> Result<Created<Appearance>, WriteError> {
    let mut tx = begin(store).await?;
    if let Some((status, body)) = replay(&mut tx, "appearances", token, idem).await? {
        return Ok(Created::Replay { status, body });
    }
    if !exists(&mut tx, "claims", claim_id).await? {
        return Err(WriteError::NotFound);
    }
    let id = new_id(input.id.as_ref(), claim_id)?;
    if exists(&mut tx, "appearances", &id).await? {
        return Err(WriteError::Conflict(format!(
            "an appearance with id {id:?} exists already"
        )));
    }
    write_appearance(&mut tx, claim_id, &id, input, true).await?;
    search::index_claims(&mut tx, &[claim_id.to_owned()]).await?;
    let created = appearance_on(&mut tx, claim_id, &id)
        .await?
        .ok_or(WriteError::NotFound)?;
    let change = Change {
        resource: "appearance",
        resource_id: &id,
        claim_id,
        action: "create",
    };
    record(
        &mut tx,
        change,
        token,
        &Value::Null,
        &to_value(&AppearanceBody::from(&created)),
    )
    .await?;
    remember(
        &mut tx,
        token,
        idem,
        &serde_json::to_string(&created).unwrap_or_default(),
    )
    .await?;
    commit(store, tx).await?;
    Ok(Created::New(created))
}

/// Applies a JSON merge patch to an appearance.
pub async fn patch_appearance(
    store: &Store,
    claim_id: &str,
    id: &str,
    patch: &Value,
    pre: &Preconditions,
    token: &str,
) -> Result<Appearance, WriteError> {
    let mut tx = begin(store).await?;
    let before = appearance_on(&mut tx, claim_id, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    check_etag(&before, pre)?;
    let before_body = to_value(&AppearanceBody::from(&before));
    let input =
        AppearanceInput::parse(&merged(&before_body, patch, id)?).map_err(WriteError::Invalid)?;
    write_appearance(&mut tx, claim_id, id, &input, false).await?;
    search::index_claims(&mut tx, &[claim_id.to_owned()]).await?;
    let after = appearance_on(&mut tx, claim_id, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    let after_body = to_value(&AppearanceBody::from(&after));
    let change = Change {
        resource: "appearance",
        resource_id: id,
        claim_id,
        action: "update",
    };
    record(&mut tx, change, token, &before_body, &after_body).await?;
    commit(store, tx).await?;
    Ok(after)
}

/// Deletes an appearance, unless another translates it.
pub async fn delete_appearance(
    store: &Store,
    claim_id: &str,
    id: &str,
    pre: &Preconditions,
    token: &str,
) -> Result<(), WriteError> {
    let mut tx = begin(store).await?;
    let before = appearance_on(&mut tx, claim_id, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    check_etag(&before, pre)?;
    let translations: Vec<String> =
        sqlx::query_scalar("select id from appearances where translation_of = ? order by id")
            .bind(id)
            .fetch_all(&mut *tx)
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
        .execute(&mut *tx)
        .await?;
    search::index_claims(&mut tx, &[claim_id.to_owned()]).await?;
    let change = Change {
        resource: "appearance",
        resource_id: id,
        claim_id,
        action: "delete",
    };
    record(
        &mut tx,
        change,
        token,
        &to_value(&AppearanceBody::from(&before)),
        &Value::Null,
    )
    .await?;
    commit(store, tx).await?;
    Ok(())
}

/// The patched body, refusing a change of id.
fn merged(
    before: &Value,
    patch: &Value,
    id: &str,
) -> Result<serde_json::Map<String, Value>, WriteError> {
    if patch.get("id").is_some_and(|v| v.as_str() != Some(id)) {
        return Err(WriteError::Invalid(vec![problem(
            "/id",
            "cannot change; create a new record instead",
        )]));
    }
    let mut body = before.clone();
    json_patch::merge(&mut body, patch);
    let mut map = match body {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    // A member the record does not have, set to null, would vanish in the merge; kept as null
    // it meets the same check of field names as any other (an unknown one is a 422).
    for (name, value) in patch.as_object().into_iter().flatten() {
        if value.is_null() && before.get(name).is_none() {
            map.insert(name.clone(), Value::Null);
        }
    }
    map.remove("id");
    Ok(map)
}

async fn write_assessment(
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
    Ok(())
}

/// Adds an assessment; the claim's status follows the latest one.
pub async fn create_assessment(
    store: &Store,
    claim_id: &str,
    input: &AssessmentInput,
    token: &str,
    idem: Option<&Idempotency>,
) -> Result<Created<Assessment>, WriteError> {
    let mut tx = begin(store).await?;
    if let Some((status, body)) = replay(&mut tx, "assessments", token, idem).await? {
        return Ok(Created::Replay { status, body });
    }
    if !exists(&mut tx, "claims", claim_id).await? {
        return Err(WriteError::NotFound);
    }
    let id = new_id(input.id.as_ref(), claim_id)?;
    if exists(&mut tx, "assessments", &id).await? {
        return Err(WriteError::Conflict(format!(
            "an assessment with id {id:?} exists already"
        )));
    }
    write_assessment(&mut tx, claim_id, &id, input, true).await?;
    let created = assessment_on(&mut tx, claim_id, &id)
        .await?
        .ok_or(WriteError::NotFound)?;
    let change = Change {
        resource: "assessment",
        resource_id: &id,
        claim_id,
        action: "create",
    };
    record(
        &mut tx,
        change,
        token,
        &Value::Null,
        &to_value(&AssessmentBody::from(&created)),
    )
    .await?;
    remember(
        &mut tx,
        token,
        idem,
        &serde_json::to_string(&created).unwrap_or_default(),
    )
    .await?;
    commit(store, tx).await?;
    Ok(Created::New(created))
}

/// Applies a JSON merge patch to an assessment.
pub async fn patch_assessment(
    store: &Store,
    claim_id: &str,
    id: &str,
    patch: &Value,
    pre: &Preconditions,
    token: &str,
) -> Result<Assessment, WriteError> {
    let mut tx = begin(store).await?;
    let before = assessment_on(&mut tx, claim_id, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    check_etag(&before, pre)?;
    let before_body = to_value(&AssessmentBody::from(&before));
    let input =
        AssessmentInput::parse(&merged(&before_body, patch, id)?).map_err(WriteError::Invalid)?;
    write_assessment(&mut tx, claim_id, id, &input, false).await?;
    let after = assessment_on(&mut tx, claim_id, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    let change = Change {
        resource: "assessment",
        resource_id: id,
        claim_id,
        action: "update",
    };
    record(
        &mut tx,
        change,
        token,
        &before_body,
        &to_value(&AssessmentBody::from(&after)),
    )
    .await?;
    commit(store, tx).await?;
    Ok(after)
}

/// Deletes an assessment; the claim's status falls back to the one before.
pub async fn delete_assessment(
    store: &Store,
    claim_id: &str,
    id: &str,
    pre: &Preconditions,
    token: &str,
) -> Result<(), WriteError> {
    let mut tx = begin(store).await?;
    let before = assessment_on(&mut tx, claim_id, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    check_etag(&before, pre)?;
    sqlx::query("delete from assessments where id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let change = Change {
        resource: "assessment",
        resource_id: id,
        claim_id,
        action: "delete",
    };
    record(
        &mut tx,
        change,
        token,
        &to_value(&AssessmentBody::from(&before)),
        &Value::Null,
    )
    .await?;
    commit(store, tx).await?;
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

/// One recorded write.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// Increases with every write.
    #[schema(example = 42)]
    pub seq: i64,
    /// `claim`, `appearance`, `assessment`, `topic` or `indicator`.
    #[schema(example = "claim")]
    pub resource: String,
    #[schema(example = "musk-china-ai-compute")]
    pub resource_id: String,
    /// `create`, `update` or `delete`.
    #[schema(example = "update")]
    pub action: String,
    /// The id of the token that made the write; null for the command line.
    #[schema(example = "3f9a1c0b7d2e4a55")]
    pub token_id: Option<String>,
    /// When (RFC 3339, UTC).
    #[schema(example = "2026-11-29T12:00:00Z")]
    pub at: String,
    /// What changed, as an RFC 6902 JSON Patch from before to after.
    #[schema(value_type = Vec<Object>, example = json!([{"op": "replace", "path": "/note", "value": "Checked against the recording."}]))]
    pub diff: Value,
}

/// seq, resource, resource_id, action, token_id, at, diff.
type HistoryRow = (i64, String, String, String, Option<String>, String, String);

/// Which history entries to list: every filter given holds for each.
#[derive(Debug, Default)]
pub struct HistoryFilter {
    /// Writes to a claim and to its appearances and assessments.
    pub claim: Option<String>,
    pub resource: Option<HistoryResource>,
    pub id: Option<String>,
}

/// History entries, newest first; with `with_total`, how many match in all.
pub async fn history(
    store: &Store,
    filter: &HistoryFilter,
    page: &PageRequest,
    with_total: bool,
) -> Result<Page<HistoryEntry>, crate::store::Error> {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    for (column, value) in [
        ("claim_id", filter.claim.as_deref()),
        ("resource", filter.resource.map(HistoryResource::as_str)),
        ("resource_id", filter.id.as_deref()),
    ] {
        if let Some(value) = value {
            conditions.push(format!("{column} = ?"));
            values.push(value);
        }
    }
    let condition = if conditions.is_empty() {
        "true".to_owned()
    } else {
        conditions.join(" and ")
    };
    let before = page
        .after
        .as_ref()
        .and_then(|k| k.position)
        .unwrap_or(i64::MAX);
    let sql = format!(
        "select seq, resource, resource_id, action, token_id, at, diff from history \
         where {condition} and seq < ? order by seq desc limit ?"
    );
    let mut query = sqlx::query_as::<_, HistoryRow>(sqlx::AssertSqlSafe(sql));
    for value in &values {
        query = query.bind(*value);
    }
    let rows = query
        .bind(before)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(store.reader())
        .await?;
    let total = if with_total {
        let sql = format!("select count(*) from history where {condition}");
        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        for value in &values {
            count = count.bind(*value);
        }
        Some(count.fetch_one(store.reader()).await?)
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|(seq, resource, resource_id, action, token_id, at, diff)| {
            let keyset = Keyset {
                position: Some(seq),
                ..Keyset::by_id(&resource_id)
            };
            Ok((
                HistoryEntry {
                    seq,
                    resource,
                    resource_id,
                    action,
                    token_id,
                    at,
                    diff: from_json("diff", &diff)?,
                },
                keyset,
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Page::from_rows(items, page.limit, total))
}

/// The two vocabularies: topics tag claims, indicators name what figures measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    Topic,
    Indicator,
}

impl TermKind {
    fn table(self) -> &'static str {
        match self {
            TermKind::Topic => "topics",
            TermKind::Indicator => "indicators",
        }
    }

    fn resource(self) -> &'static str {
        match self {
            TermKind::Topic => "topic",
            TermKind::Indicator => "indicator",
        }
    }

    /// The record as GET shows it (for its ETag) and its writable fields, as the reader sees it
    /// now: with the writer held, nothing can change it meanwhile.
    async fn current(
        self,
        store: &Store,
        id: &str,
    ) -> Result<Option<(String, TermBody)>, crate::store::Error> {
        Ok(match self {
            TermKind::Topic => super::taxonomy::get_topic(store, id)
                .await?
                .map(|t| (etag(&t), TermBody::from(&t))),
            TermKind::Indicator => super::taxonomy::get_indicator(store, id)
                .await?
                .map(|i| (etag(&i), TermBody::from(&i))),
        })
    }
}

/// Creates a topic or an indicator; returns what GET will show.
pub async fn create_term(
    store: &Store,
    kind: TermKind,
    input: &TermInput,
    token: &str,
    idem: Option<&Idempotency>,
) -> Result<Created<Value>, WriteError> {
    let mut tx = begin(store).await?;
    if let Some((status, body)) = replay(&mut tx, kind.table(), token, idem).await? {
        return Ok(Created::Replay { status, body });
    }
    let Some(id) = input.id.as_ref().map(|s| s.as_str().to_owned()) else {
        return Err(WriteError::Invalid(vec![problem(
            "/id",
            "is required: the slug to name it by",
        )]));
    };
    if exists(&mut tx, kind.table(), &id).await? {
        return Err(WriteError::Conflict(format!(
            "a {} with id {id:?} exists already",
            kind.resource()
        )));
    }
    let at = now();
    let names = serde_json::to_string(&input.names).unwrap_or_else(|_| "{}".into());
    let created = match kind {
        TermKind::Topic => {
            sqlx::query("insert into topics (id, names, description, created_at, updated_at) values (?, ?, ?, ?, ?)")
                .bind(&id)
                .bind(&names)
                .bind(&input.description)
                .bind(&at)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
            to_value(&Topic {
                id: id.clone(),
                names: input.names.clone(),
                description: input.description.clone(),
                claim_count: 0,
                created_at: at.clone(),
                updated_at: at.clone(),
            })
        }
        TermKind::Indicator => {
            let dimension = input
                .dimension
                .ok_or_else(|| WriteError::Invalid(vec![problem("/dimension", "is required")]))?;
            sqlx::query(
                "insert into indicators (id, names, dimension, description, created_at, updated_at) \
                 values (?, ?, ?, ?, ?, ?)",
            )
            .bind(&id)
            .bind(&names)
            .bind(dimension.as_str())
            .bind(&input.description)
            .bind(&at)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            to_value(&Indicator {
                id: id.clone(),
                names: input.names.clone(),
                dimension,
                si_unit: dimension.si_unit().to_owned(),
                description: input.description.clone(),
                quantity_count: 0,
                created_at: at.clone(),
                updated_at: at.clone(),
            })
        }
    };
    let body = TermBody {
        id: None,
        names: input.names.clone(),
        description: input.description.clone(),
        dimension: input.dimension,
    };
    let change = Change {
        resource: kind.resource(),
        resource_id: &id,
        claim_id: "",
        action: "create",
    };
    record(&mut tx, change, token, &Value::Null, &to_value(&body)).await?;
    remember(&mut tx, token, idem, &created.to_string()).await?;
    commit(store, tx).await?;
    Ok(Created::New(created))
}

/// Applies a JSON merge patch to a topic or an indicator. An indicator's dimension cannot change
/// while figures use it: their units would stop fitting.
pub async fn patch_term(
    store: &Store,
    kind: TermKind,
    id: &str,
    patch: &Value,
    pre: &Preconditions,
    token: &str,
) -> Result<(), WriteError> {
    let mut tx = begin(store).await?;
    let (current_etag, before) = kind.current(store, id).await?.ok_or(WriteError::NotFound)?;
    check_if_match(pre, &current_etag)?;
    let before_body = to_value(&before);
    let input = TermInput::parse(
        &merged(&before_body, patch, id)?,
        kind == TermKind::Indicator,
    )
    .map_err(WriteError::Invalid)?;
    if kind == TermKind::Indicator && input.dimension != before.dimension {
        let used: i64 =
            sqlx::query_scalar("select count(*) from quantities where indicator_id = ?")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if used > 0 {
            return Err(WriteError::Conflict(format!(
                "{used} figures measure {id}; its dimension cannot change while they do"
            )));
        }
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "update {} set names = ?, description = ?, updated_at = ? where id = ?",
        kind.table()
    )))
    .bind(serde_json::to_string(&input.names).unwrap_or_else(|_| "{}".into()))
    .bind(&input.description)
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if let Some(dimension) = input.dimension {
        sqlx::query("update indicators set dimension = ? where id = ?")
            .bind(dimension.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let after = TermBody {
        id: None,
        names: input.names,
        description: input.description,
        dimension: input.dimension,
    };
    let change = Change {
        resource: kind.resource(),
        resource_id: id,
        claim_id: "",
        action: "update",
    };
    record(&mut tx, change, token, &before_body, &to_value(&after)).await?;
    commit(store, tx).await?;
    Ok(())
}

/// Deletes a topic or an indicator. One still in use is a 409 naming (up to ten of) the claims
/// that use it; with `cascade`, a topic is first taken off those claims.
pub async fn delete_term(
    store: &Store,
    kind: TermKind,
    id: &str,
    pre: &Preconditions,
    token: &str,
    cascade: bool,
) -> Result<(), WriteError> {
    let mut tx = begin(store).await?;
    let (current_etag, before) = kind.current(store, id).await?.ok_or(WriteError::NotFound)?;
    check_if_match(pre, &current_etag)?;
    let users: Vec<String> = sqlx::query_scalar(match kind {
        TermKind::Topic => {
            "select distinct claim_id from claim_topics where topic_id = ? order by claim_id"
        }
        TermKind::Indicator => {
            "select distinct claim_id from quantities where indicator_id = ? order by claim_id"
        }
    })
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    if !users.is_empty() {
        if kind == TermKind::Topic && cascade {
            // Untagging edits each claim, so each one gets a new updated_at and a history entry.
            let at = now();
            for claim_id in &users {
                let before = current(&mut tx, claim_id)
                    .await?
                    .ok_or(WriteError::NotFound)?;
                sqlx::query("delete from claim_topics where topic_id = ? and claim_id = ?")
                    .bind(id)
                    .bind(claim_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("update claims set updated_at = ? where id = ?")
                    .bind(&at)
                    .bind(claim_id)
                    .execute(&mut *tx)
                    .await?;
                let after = current(&mut tx, claim_id)
                    .await?
                    .ok_or(WriteError::NotFound)?;
                let change = Change {
                    resource: "claim",
                    resource_id: claim_id,
                    claim_id,
                    action: "update",
                };
                record(
                    &mut tx,
                    change,
                    token,
                    &ClaimInput::body_of(&before),
                    &ClaimInput::body_of(&after),
                )
                .await?;
            }
            search::index_claims(&mut tx, &users).await?;
        } else {
            let shown: Vec<&str> = users.iter().take(10).map(String::as_str).collect();
            let hint = if kind == TermKind::Topic {
                "; ?cascade=true takes it off them first"
            } else {
                ""
            };
            return Err(WriteError::Conflict(format!(
                "{} claims use {id} ({}{}){hint}",
                users.len(),
                shown.join(", "),
                if users.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            )));
        }
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "delete from {} where id = ?",
        kind.table()
    )))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let change = Change {
        resource: kind.resource(),
        resource_id: id,
        claim_id: "",
        action: "delete",
    };
    record(&mut tx, change, token, &to_value(&before), &Value::Null).await?;
    commit(store, tx).await?;
    Ok(())
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

/// Writes a claimant's row, aliases and affiliations (replacing any it had), and re-indexes it
/// and, when its names may have changed, its claims.
async fn write_claimant(
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
        let claims = ids_where(conn, "select id from claims where claimant_id = ?", id).await?;
        search::index_claims(conn, &claims).await?;
    }
    Ok(())
}

/// Creates a claimant.
pub async fn create_claimant(
    store: &Store,
    input: &ClaimantInput,
    token: &str,
    idem: Option<&Idempotency>,
) -> Result<Created<Claimant>, WriteError> {
    let mut tx = begin(store).await?;
    if let Some((status, body)) = replay(&mut tx, "claimants", token, idem).await? {
        return Ok(Created::Replay { status, body });
    }
    let Some(id) = input.id.as_ref().map(|s| s.as_str().to_owned()) else {
        return Err(WriteError::Invalid(vec![problem(
            "/id",
            "is required: the slug to name it by",
        )]));
    };
    if exists(&mut tx, "claimants", &id).await? {
        return Err(WriteError::Conflict(format!(
            "a claimant with id {id:?} exists already"
        )));
    }
    write_claimant(&mut tx, &id, input, true).await?;
    let created = super::claimants::get_on(&mut tx, &id)
        .await?
        .ok_or(WriteError::NotFound)?;
    let change = Change {
        resource: "claimant",
        resource_id: &id,
        claim_id: "",
        action: "create",
    };
    record(
        &mut tx,
        change,
        token,
        &Value::Null,
        &to_value(&ClaimantBody::from(&created)),
    )
    .await?;
    remember(
        &mut tx,
        token,
        idem,
        &serde_json::to_string(&created).unwrap_or_default(),
    )
    .await?;
    commit(store, tx).await?;
    Ok(Created::New(created))
}

/// Applies a JSON merge patch to a claimant.
pub async fn patch_claimant(
    store: &Store,
    id: &str,
    patch: &Value,
    pre: &Preconditions,
    token: &str,
) -> Result<Claimant, WriteError> {
    let mut tx = begin(store).await?;
    let before = super::claimants::get_on(&mut tx, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    check_etag(&before, pre)?;
    let before_body = to_value(&ClaimantBody::from(&before));
    let input =
        ClaimantInput::parse(&merged(&before_body, patch, id)?).map_err(WriteError::Invalid)?;
    write_claimant(&mut tx, id, &input, false).await?;
    let after = super::claimants::get_on(&mut tx, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    let change = Change {
        resource: "claimant",
        resource_id: id,
        claim_id: "",
        action: "update",
    };
    record(
        &mut tx,
        change,
        token,
        &before_body,
        &to_value(&ClaimantBody::from(&after)),
    )
    .await?;
    commit(store, tx).await?;
    Ok(after)
}

/// Deletes a claimant who has no claims and is no one's organization.
pub async fn delete_claimant(
    store: &Store,
    id: &str,
    pre: &Preconditions,
    token: &str,
) -> Result<(), WriteError> {
    let mut tx = begin(store).await?;
    let before = super::claimants::get_on(&mut tx, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    check_etag(&before, pre)?;
    let claims = ids_where(
        &mut tx,
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
        &mut tx,
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
        .execute(&mut *tx)
        .await?;
    search::index_claimant(&mut tx, id).await?;
    let change = Change {
        resource: "claimant",
        resource_id: id,
        claim_id: "",
        action: "delete",
    };
    record(
        &mut tx,
        change,
        token,
        &to_value(&ClaimantBody::from(&before)),
        &Value::Null,
    )
    .await?;
    commit(store, tx).await?;
    Ok(())
}

/// Writes a source's row, authors and citations (replacing any it had), and re-indexes it.
async fn write_source(
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
    Ok(())
}

/// Creates a source.
pub async fn create_source(
    store: &Store,
    input: &SourceInput,
    token: &str,
    idem: Option<&Idempotency>,
) -> Result<Created<Source>, WriteError> {
    let mut tx = begin(store).await?;
    if let Some((status, body)) = replay(&mut tx, "sources", token, idem).await? {
        return Ok(Created::Replay { status, body });
    }
    let Some(id) = input.id.as_ref().map(|s| s.as_str().to_owned()) else {
        return Err(WriteError::Invalid(vec![problem(
            "/id",
            "is required: the slug to name it by",
        )]));
    };
    if exists(&mut tx, "sources", &id).await? {
        return Err(WriteError::Conflict(format!(
            "a source with id {id:?} exists already"
        )));
    }
    write_source(&mut tx, &id, input, true).await?;
    let created = super::sources::get_on(&mut tx, &id)
        .await?
        .ok_or(WriteError::NotFound)?;
    let change = Change {
        resource: "source",
        resource_id: &id,
        claim_id: "",
        action: "create",
    };
    record(
        &mut tx,
        change,
        token,
        &Value::Null,
        &to_value(&SourceBody::from(&created)),
    )
    .await?;
    remember(
        &mut tx,
        token,
        idem,
        &serde_json::to_string(&created).unwrap_or_default(),
    )
    .await?;
    commit(store, tx).await?;
    Ok(Created::New(created))
}

/// Applies a JSON merge patch to a source.
pub async fn patch_source(
    store: &Store,
    id: &str,
    patch: &Value,
    pre: &Preconditions,
    token: &str,
) -> Result<Source, WriteError> {
    let mut tx = begin(store).await?;
    let before = super::sources::get_on(&mut tx, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    check_etag(&before, pre)?;
    let before_body = to_value(&SourceBody::from(&before));
    let input =
        SourceInput::parse(&merged(&before_body, patch, id)?).map_err(WriteError::Invalid)?;
    write_source(&mut tx, id, &input, false).await?;
    let after = super::sources::get_on(&mut tx, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    let change = Change {
        resource: "source",
        resource_id: id,
        claim_id: "",
        action: "update",
    };
    record(
        &mut tx,
        change,
        token,
        &before_body,
        &to_value(&SourceBody::from(&after)),
    )
    .await?;
    commit(store, tx).await?;
    Ok(after)
}

/// Deletes a source that nothing refers to.
pub async fn delete_source(
    store: &Store,
    id: &str,
    pre: &Preconditions,
    token: &str,
) -> Result<(), WriteError> {
    let mut tx = begin(store).await?;
    let before = super::sources::get_on(&mut tx, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    check_etag(&before, pre)?;
    let referrers = ids_where(
        &mut tx,
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
        .execute(&mut *tx)
        .await?;
    search::index_source(&mut tx, id).await?;
    let change = Change {
        resource: "source",
        resource_id: id,
        claim_id: "",
        action: "delete",
    };
    record(
        &mut tx,
        change,
        token,
        &to_value(&SourceBody::from(&before)),
        &Value::Null,
    )
    .await?;
    commit(store, tx).await?;
    Ok(())
}

/// One record of an import, parsed.
pub enum ImportRecord {
    Topic(TermInput),
    Indicator(TermInput),
    Claimant(ClaimantInput),
    Source(SourceInput),
    Claim(ClaimInput),
    Appearance {
        claim: String,
        input: AppearanceInput,
    },
    Assessment {
        claim: String,
        input: AssessmentInput,
    },
}

impl ImportRecord {
    fn resource(&self) -> &'static str {
        match self {
            ImportRecord::Topic(_) => "topic",
            ImportRecord::Indicator(_) => "indicator",
            ImportRecord::Claimant(_) => "claimant",
            ImportRecord::Source(_) => "source",
            ImportRecord::Claim(_) => "claim",
            ImportRecord::Appearance { .. } => "appearance",
            ImportRecord::Assessment { .. } => "assessment",
        }
    }

    /// Records that others refer to go first.
    fn order(&self) -> u8 {
        match self {
            ImportRecord::Topic(_) | ImportRecord::Indicator(_) => 0,
            ImportRecord::Claimant(_) => 1,
            ImportRecord::Source(_) => 2,
            ImportRecord::Claim(_) => 3,
            ImportRecord::Appearance { .. } => 4,
            ImportRecord::Assessment { .. } => 5,
        }
    }
}

impl ImportRecord {
    /// Parses line `line` of an import; problems point into it as `/<line>/<field>`.
    fn parse(
        line: usize,
        mut map: serde_json::Map<String, Value>,
    ) -> Result<ImportRecord, Vec<FieldProblem>> {
        let at = |problems: Vec<FieldProblem>| -> Vec<FieldProblem> {
            problems
                .into_iter()
                .map(|p| FieldProblem {
                    pointer: format!("/{line}{}", p.pointer),
                    message: p.message,
                })
                .collect()
        };
        let kind = map.remove("type");
        let kind = kind.as_ref().and_then(Value::as_str);
        let claim = match (kind, map.remove("claim")) {
            (Some("appearance" | "assessment"), Some(Value::String(claim))) => claim,
            (Some("appearance" | "assessment"), _) => {
                return Err(at(vec![problem(
                    "/claim",
                    "is required: the id of the claim it belongs to",
                )]));
            }
            _ => String::new(),
        };
        match kind {
            Some("topic") => TermInput::parse(&map, false)
                .map(ImportRecord::Topic)
                .map_err(at),
            Some("indicator") => TermInput::parse(&map, true)
                .map(ImportRecord::Indicator)
                .map_err(at),
            Some("claimant") => ClaimantInput::parse(&map)
                .map(ImportRecord::Claimant)
                .map_err(at),
            Some("source") => SourceInput::parse(&map)
                .map(ImportRecord::Source)
                .map_err(at),
            Some("claim") => ClaimInput::parse(&map).map(ImportRecord::Claim).map_err(at),
            Some("appearance") => AppearanceInput::parse(&map)
                .map(|input| ImportRecord::Appearance { claim, input })
                .map_err(at),
            Some("assessment") => AssessmentInput::parse(&map)
                .map(|input| ImportRecord::Assessment { claim, input })
                .map_err(at),
            _ => Err(at(vec![problem(
                "/type",
                "must be one of claim, appearance, assessment, claimant, source, topic, indicator",
            )])),
        }
    }
}

/// When a record was created and last changed, as a line of an export carries them.
#[derive(Debug, Clone)]
pub struct Stamps {
    created_at: String,
    updated_at: String,
}

/// One line of an import: a record to create or replace, with the times it was created and last
/// changed when the line carries them; or, from an export, a token its history names or an entry
/// of that history. Times, tokens and history are a copy of another database's past, and only
/// an import with the `admin` scope keeps them (`claimtrail import` does).
pub enum ImportLine {
    Record(ImportRecord, Option<Stamps>),
    Token(TokenRecord),
    History(HistoryRecord),
}

/// The instant an RFC 3339 timestamp names (strings compare wrongly once fractions of a second
/// appear: `…00.5Z` sorts before `…00Z`).
fn instant(timestamp: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(timestamp, &time::format_description::well_known::Rfc3339).ok()
}

/// What is said of a time, a token or a history line in an import without the `admin` scope.
const RESTORE_ONLY: &str = "is kept only by an import made with an admin token (a copy of \
                            another database); leave it out, and the import stamps and records \
                            the write now";

impl ImportLine {
    /// Parses line `line` of an import; problems point into it as `/<line>/<field>`.
    pub fn parse(
        line: usize,
        mut map: serde_json::Map<String, Value>,
    ) -> Result<ImportLine, Vec<FieldProblem>> {
        let at =
            |pointer: &str, message: String| vec![problem(&format!("/{line}{pointer}"), message)];
        let past = |kind: &str, map: serde_json::Map<String, Value>| {
            let mut map = map;
            map.remove("type");
            match kind {
                "token" => serde_json::from_value(Value::Object(map)).map(ImportLine::Token),
                _ => serde_json::from_value(Value::Object(map)).map(ImportLine::History),
            }
            .map_err(|e| at("", format!("is not a {kind} as an export writes it: {e}")))
        };
        let kind = map.get("type").and_then(Value::as_str).map(str::to_owned);
        if let Some(kind @ ("token" | "history")) = kind.as_deref() {
            return past(kind, map);
        }
        let mut problems = Vec::new();
        let mut stamp = |key: &str| match map.remove(key) {
            None => None,
            Some(Value::String(s)) => crate::domain::parse_timestamp(&s)
                .map_err(|e| problems.extend(at(&format!("/{key}"), e.0)))
                .ok(),
            Some(_) => {
                problems.extend(at(&format!("/{key}"), "must be a string".into()));
                None
            }
        };
        let created_at = stamp("created_at");
        let updated_at = stamp("updated_at");
        let stamps = match (created_at, updated_at) {
            (Some(created_at), Some(updated_at)) if instant(&updated_at) < instant(&created_at) => {
                problems.extend(at("/updated_at", "must not be before created_at".into()));
                None
            }
            (Some(created_at), Some(updated_at)) => Some(Stamps {
                created_at,
                updated_at,
            }),
            (None, None) => None,
            (Some(_), None) => {
                problems.extend(at("/updated_at", "is required with created_at".into()));
                None
            }
            (None, Some(_)) => {
                problems.extend(at("/created_at", "is required with updated_at".into()));
                None
            }
        };
        match ImportRecord::parse(line, map) {
            Ok(record) if problems.is_empty() => Ok(ImportLine::Record(record, stamps)),
            Ok(_) => Err(problems),
            Err(mut more) => {
                more.append(&mut problems);
                Err(more)
            }
        }
    }

    /// The field that only an import with the `admin` scope may send, if the line has one.
    fn restoring(&self) -> Option<&'static str> {
        match self {
            ImportLine::Record(_, None) => None,
            ImportLine::Record(_, Some(_)) => Some("/created_at"),
            ImportLine::Token(_) | ImportLine::History(_) => Some("/type"),
        }
    }
}

/// How many records of each kind an import created and updated.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportReport {
    #[schema(example = json!({"claim": 2, "appearance": 3}))]
    pub created: std::collections::BTreeMap<&'static str, u64>,
    #[schema(example = json!({"claimant": 1}))]
    pub updated: std::collections::BTreeMap<&'static str, u64>,
}

/// Prefixes the pointers of a record's problems with its line: `/3/kind`.
fn at_line(line: usize, e: WriteError) -> WriteError {
    match e {
        WriteError::Invalid(problems) => WriteError::Invalid(
            problems
                .into_iter()
                .map(|p| FieldProblem {
                    pointer: format!("/{line}{}", p.pointer),
                    message: p.message,
                })
                .collect(),
        ),
        WriteError::Conflict(why) => WriteError::Conflict(format!("line {line}: {why}")),
        other => other,
    }
}

fn required_id(id: Option<&crate::domain::Slug>) -> Result<String, WriteError> {
    id.map(|s| s.as_str().to_owned())
        .ok_or_else(|| WriteError::Invalid(vec![problem("/id", "is required in an import")]))
}

/// Applies every line in one transaction: each record is created, or replaced when its id
/// exists. The first failure undoes everything and names its line. With `restore` (the `admin`
/// scope), the times a line carries are kept, and its tokens and history are copied in; the
/// history then stands for the import's own, which is not recorded.
pub async fn import(
    store: &Store,
    lines: Vec<(usize, ImportLine)>,
    token: &str,
    restore: bool,
) -> Result<ImportReport, WriteError> {
    if !restore {
        let problems: Vec<FieldProblem> = lines
            .iter()
            .filter_map(|(line, l)| {
                l.restoring()
                    .map(|field| problem(&format!("/{line}{field}"), RESTORE_ONLY))
            })
            .collect();
        if !problems.is_empty() {
            return Err(WriteError::Invalid(problems));
        }
    }
    let mut records = Vec::new();
    let mut tokens = Vec::new();
    let mut history = Vec::new();
    for (line, l) in lines {
        match l {
            ImportLine::Record(record, stamps) => records.push((line, record, stamps)),
            ImportLine::Token(t) => tokens.push((line, t)),
            ImportLine::History(h) => history.push((line, h)),
        }
    }
    records.sort_by_key(|(line, r, _)| (r.order(), *line));
    let mut tx = begin(store).await?;
    // Records may name ones later in the same import (a translation, a revision).
    sqlx::query("pragma defer_foreign_keys = on")
        .execute(&mut *tx)
        .await?;
    let mut report = ImportReport::default();
    let mut claims = Vec::new();
    let mut revisions = Vec::new();
    let mut citations = Vec::new();
    let mut stamps_of = Vec::new();
    for (line, item, stamps) in &records {
        let resource = item.resource();
        let outcome: Result<(String, Option<String>, bool), WriteError> = async {
            Ok(match item {
                ImportRecord::Topic(input) | ImportRecord::Indicator(input) => {
                    let kind = if resource == "topic" {
                        TermKind::Topic
                    } else {
                        TermKind::Indicator
                    };
                    let id = required_id(input.id.as_ref())?;
                    let create = !exists(&mut tx, kind.table(), &id).await?;
                    upsert_term(&mut tx, kind, &id, input, create).await?;
                    (id, None, create)
                }
                ImportRecord::Claimant(input) => {
                    let id = required_id(input.id.as_ref())?;
                    let create = !exists(&mut tx, "claimants", &id).await?;
                    write_claimant(&mut tx, &id, input, create).await?;
                    (id, None, create)
                }
                ImportRecord::Source(input) => {
                    let id = required_id(input.id.as_ref())?;
                    let create = !exists(&mut tx, "sources", &id).await?;
                    // Citations are linked once every source is in: the one cited may come later.
                    let unlinked = SourceInput {
                        cites: Vec::new(),
                        ..input.clone()
                    };
                    write_source(&mut tx, &id, &unlinked, create).await?;
                    if !input.cites.is_empty() {
                        citations.push((*line, id.clone(), input.clone()));
                    }
                    (id, None, create)
                }
                ImportRecord::Claim(input) => {
                    let id = required_id(input.id.as_ref())?;
                    let create = !exists(&mut tx, "claims", &id).await?;
                    // Revisions are linked once every claim is in: the one revised may come later.
                    let unlinked = ClaimInput {
                        supersedes: None,
                        ..input.clone()
                    };
                    check_references(&mut tx, &unlinked, Some(&id)).await?;
                    write_claim(&mut tx, &id, &unlinked, &now(), create).await?;
                    if input.supersedes.is_some() {
                        revisions.push((*line, id.clone(), input.clone()));
                    }
                    claims.push(id.clone());
                    (id.clone(), Some(id), create)
                }
                ImportRecord::Appearance { claim, input } => {
                    let id = required_id(input.id.as_ref())?;
                    if !exists(&mut tx, "claims", claim).await? {
                        return Err(WriteError::Invalid(vec![problem(
                            "/claim",
                            format!("there is no claim {claim:?}"),
                        )]));
                    }
                    let create = !exists(&mut tx, "appearances", &id).await?;
                    write_appearance(&mut tx, claim, &id, input, create).await?;
                    claims.push(claim.clone());
                    (id, Some(claim.clone()), create)
                }
                ImportRecord::Assessment { claim, input } => {
                    let id = required_id(input.id.as_ref())?;
                    if !exists(&mut tx, "claims", claim).await? {
                        return Err(WriteError::Invalid(vec![problem(
                            "/claim",
                            format!("there is no claim {claim:?}"),
                        )]));
                    }
                    let create = !exists(&mut tx, "assessments", &id).await?;
                    write_assessment(&mut tx, claim, &id, input, create).await?;
                    (id, Some(claim.clone()), create)
                }
            })
        }
        .await;
        let (id, claim_id, create) = outcome.map_err(|e| at_line(*line, e))?;
        if let Some(stamps) = stamps {
            stamps_of.push((resource, id.clone(), stamps));
        }
        // A copied history stands for the import's own.
        if history.is_empty() {
            let action = if create { "create" } else { "update" };
            let change = Change {
                resource,
                resource_id: &id,
                claim_id: claim_id.as_deref().unwrap_or(""),
                action,
            };
            record(
                &mut tx,
                change,
                token,
                &Value::Null,
                &Value::String(format!("imported from line {line}")),
            )
            .await?;
        }
        *(if create {
            &mut report.created
        } else {
            &mut report.updated
        })
        .entry(resource)
        .or_default() += 1;
    }
    for (line, id, input) in &citations {
        write_source(&mut tx, id, input, false)
            .await
            .map_err(|e| at_line(*line, e))?;
    }
    for (line, id, input) in &revisions {
        check_references(&mut tx, input, Some(id))
            .await
            .map_err(|e| at_line(*line, e))?;
        write_claim(&mut tx, id, input, &now(), false)
            .await
            .map_err(|e| at_line(*line, e))?;
    }
    // Each claim is indexed once, with all its appearances: indexing it again per appearance
    // would leave deleted entries that skew its relevance against a freshly built index.
    claims.sort_unstable();
    claims.dedup();
    search::index_claims(&mut tx, &claims).await?;
    // Last, so that no write above stamps a record again.
    for (resource, id, stamps) in stamps_of {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "update {resource}s set created_at = ?, updated_at = ? where id = ?"
        )))
        .bind(&stamps.created_at)
        .bind(&stamps.updated_at)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    }
    let revoked_now = now();
    for (line, t) in &tokens {
        dataset::insert_token(&mut tx, t, &revoked_now)
            .await
            .map_err(|e| at_line(*line, e.into()))?;
    }
    for (line, h) in &history {
        let taken: bool = sqlx::query_scalar("select exists (select 1 from history where seq = ?)")
            .bind(h.seq)
            .fetch_one(&mut *tx)
            .await?;
        if taken {
            return Err(WriteError::Conflict(format!(
                "line {line}: this database has a history entry {} already; history is copied \
                 only into a database that does not have it",
                h.seq
            )));
        }
        dataset::insert_history(&mut tx, h)
            .await
            .map_err(|e| at_line(*line, e.into()))?;
    }
    commit(store, tx).await?;
    Ok(report)
}

async fn upsert_term(
    conn: &mut SqliteConnection,
    kind: TermKind,
    id: &str,
    input: &TermInput,
    create: bool,
) -> Result<(), WriteError> {
    let at = now();
    let names = serde_json::to_string(&input.names).unwrap_or_else(|_| "{}".into());
    let dimension = input.dimension.map(|d| d.as_str());
    let sql = match (kind, create) {
        (TermKind::Topic, true) => {
            "insert into topics (names, description, updated_at, created_at, id) values (?, ?, ?, ?, ?)"
        }
        (TermKind::Topic, false) => {
            "update topics set names = ?, description = ?, updated_at = ? where created_at <> ? and id = ?"
        }
        (TermKind::Indicator, true) => {
            "insert into indicators (names, description, updated_at, created_at, dimension, id) values (?, ?, ?, ?, ?, ?)"
        }
        (TermKind::Indicator, false) => {
            "update indicators set names = ?, description = ?, updated_at = ? where created_at <> ? and dimension = ? and id = ?"
        }
    };
    let mut query = sqlx::query(sql)
        .bind(&names)
        .bind(&input.description)
        .bind(&at)
        // On update the creation time is compared with an impossible one and never filters.
        .bind(if create { at.as_str() } else { "" });
    if kind == TermKind::Indicator {
        query = query.bind(dimension);
    }
    let done = query.bind(id).execute(&mut *conn).await?;
    if done.rows_affected() == 0 {
        return Err(WriteError::Conflict(format!(
            "{id} exists with another dimension; an import cannot change it"
        )));
    }
    Ok(())
}
