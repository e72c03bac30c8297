//! The SQL of writes. Each write runs in one [`Tx`] on the single writer connection, which also
//! serialises them: a check of `If-Match` and the write it guards cannot be interleaved with
//! another write. Every write re-indexes what it touched for search and records its history in
//! the same transaction, so nothing acknowledged is lost and the index never lags the tables.
//! What a write means (preconditions, replays, patches) is the write service's, in `service/`.

use serde_json::Value;
use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::claims::{appearances_on, assessments_on, fetch_on};
use super::tokens::now;
use super::{Store, documents, search};
use crate::domain::{
    Appearance, AppearanceInput, Assessment, AssessmentInput, Claim, ClaimInput, Claimant,
    ClaimantInput, Dimension, FieldProblem, HistoryResource, Indicator, Source, SourceInput,
    TermInput, Topic,
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

/// Checks what only the database can tell: that references exist and units fit indicators.
pub(super) async fn check_references(
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
pub(super) async fn write_claim(
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

/// The claim as GET /v1/claims/{id} shows it, read inside the transaction.
async fn current(conn: &mut SqliteConnection, id: &str) -> Result<Option<Claim>, sqlx::Error> {
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
pub(super) async fn write_appearance(
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

pub(super) async fn write_assessment(
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
    Ok(super::taxonomy::topic_on(tx.conn(), id).await?)
}

/// An indicator, read inside the write.
pub async fn indicator(tx: &mut Tx, id: &str) -> Result<Option<Indicator>, WriteError> {
    Ok(super::taxonomy::indicator_on(tx.conn(), id).await?)
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

/// Writes a claimant's row, aliases and affiliations (replacing any it had), and re-indexes it
/// and, when its names may have changed, its claims.
pub(super) async fn write_claimant(
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
    Ok(super::claimants::get_on(tx.conn(), id).await?)
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

/// Writes a source's row, authors and citations (replacing any it had), and re-indexes it.
pub(super) async fn write_source(
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
    Ok(super::sources::get_on(tx.conn(), id).await?)
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
