//! The write service: what every write does, whatever it writes. It checks an `If-Match`,
//! replays an answer stored under an `Idempotency-Key`, merges a JSON merge patch into the
//! record's writable fields, validates the result with the record's one parser, records the
//! history diff and commits, once for every resource. A resource plugs in through [`Resource`]:
//! its input, its record, and how the store reads, saves and removes one. The storage engine is
//! the store's business: nothing here names it.

mod resources;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::{FieldProblem, HistoryResource, etag_of, gzip_etag};
use crate::store::Store;
use crate::store::writes::{Change, Tx};
pub use crate::store::writes::{Idempotency, WriteError};
pub use resources::{Appearances, Assessments, Claimants, Claims, Sources, Term, Terms};

/// What a POST did: created something, or replayed the answer to an earlier identical request.
pub enum Created<T> {
    New(T),
    Replay { status: u16, body: String },
}

/// The conditions of a write on the record's current version (RFC 9110 13.1): `If-Match` and
/// `If-None-Match` as sent, each `*` or a list of entity-tags (checked by the API).
#[derive(Debug, Clone, Default)]
pub struct Preconditions {
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
}

/// A kind of record the service writes. `read`, `save` and `remove` run inside the write's
/// transaction; `save` and `remove` check what only the database can tell (references, a
/// revision chain's shape) and keep search indexes and claim documents current.
///
/// A trait rather than an enum of resources: each resource's input and record are their own
/// types, and the generic [`create`], [`patch`] and [`delete`] are written once against them.
/// Its async methods are only ever called from this crate's own futures, so no `Send` bound is
/// promised (`pub(crate)`).
pub(crate) trait Resource {
    /// What a write sends, parsed and valid.
    type Input;
    /// What GET shows: its JSON is what the ETag is taken of.
    type Record: Serialize;

    fn kind(&self) -> HistoryResource;

    /// The claim the history files a write to `id` under (itself, or the claim a part belongs
    /// to); empty for records that belong to no claim.
    fn claim_of<'a>(&'a self, id: &'a str) -> &'a str;

    /// Parses a body (a POST's, or a record's writable fields with a patch merged in).
    fn parse(&self, body: &Map<String, Value>) -> Result<Self::Input, Vec<FieldProblem>>;

    /// The record's writable fields, as a body sends them: what a patch merges into and what
    /// the history diffs.
    fn body(&self, record: &Self::Record) -> Value;

    /// The id a new record takes: the one given, or one made up when the resource allows it.
    fn new_id(&self, input: &Self::Input) -> Result<String, WriteError>;

    /// Whether what the record belongs to exists (the claim of an appearance).
    async fn parent_exists(&self, _tx: &mut Tx) -> Result<bool, WriteError> {
        Ok(true)
    }

    async fn read(&self, tx: &mut Tx, id: &str) -> Result<Option<Self::Record>, WriteError>;

    async fn save(
        &self,
        tx: &mut Tx,
        id: &str,
        input: &Self::Input,
        create: bool,
    ) -> Result<(), WriteError>;

    /// Removes the record, or refuses with 409 while others depend on it. `token` is for the
    /// history of what a cascade changes.
    async fn remove(
        &self,
        tx: &mut Tx,
        id: &str,
        before: &Self::Record,
        token: &str,
    ) -> Result<(), WriteError>;
}

/// The ETag of a record's JSON representation.
pub fn etag<T: Serialize>(record: &T) -> String {
    etag_of(&serde_json::to_vec(record).unwrap_or_default())
}

/// Creates a record from a POST's body, or replays the answer stored for the same
/// `Idempotency-Key`.
pub(crate) async fn create<R: Resource>(
    store: &Store,
    resource: &R,
    body: &Map<String, Value>,
    token: &str,
    idem: Option<&Idempotency>,
) -> Result<Created<R::Record>, WriteError> {
    let input = &resource.parse(body).map_err(WriteError::Invalid)?;
    let mut tx = Tx::begin(store).await?;
    if let Some((status, body)) = replay(&mut tx, resource.kind(), token, idem).await? {
        return Ok(Created::Replay { status, body });
    }
    if !resource.parent_exists(&mut tx).await? {
        return Err(WriteError::NotFound);
    }
    let id = resource.new_id(input)?;
    if tx.exists(resource.kind(), &id).await? {
        let name = resource.kind().as_str();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        return Err(WriteError::Conflict(format!(
            "{article} {name} with id {id:?} exists already"
        )));
    }
    resource.save(&mut tx, &id, input, true).await?;
    let created = resource
        .read(&mut tx, &id)
        .await?
        .ok_or(WriteError::NotFound)?;
    let change = change(resource, &id, "create");
    tx.record(change, token, &Value::Null, &resource.body(&created))
        .await?;
    let answer = serde_json::to_string(&created).unwrap_or_default();
    tx.remember(token, idem, &answer).await?;
    tx.commit().await?;
    Ok(Created::New(created))
}

/// Applies a JSON merge patch (RFC 7396) to a record's writable fields.
pub(crate) async fn patch<R: Resource>(
    store: &Store,
    resource: &R,
    id: &str,
    patch: &Value,
    pre: &Preconditions,
    token: &str,
) -> Result<R::Record, WriteError> {
    let mut tx = Tx::begin(store).await?;
    let before = current(&mut tx, resource, id, pre).await?;
    let before_body = resource.body(&before);
    let input = resource
        .parse(&merged(&before_body, patch, id)?)
        .map_err(WriteError::Invalid)?;
    resource.save(&mut tx, id, &input, false).await?;
    let after = resource
        .read(&mut tx, id)
        .await?
        .ok_or(WriteError::NotFound)?;
    let change = change(resource, id, "update");
    tx.record(change, token, &before_body, &resource.body(&after))
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a record, unless others depend on it.
pub(crate) async fn delete<R: Resource>(
    store: &Store,
    resource: &R,
    id: &str,
    pre: &Preconditions,
    token: &str,
) -> Result<(), WriteError> {
    let mut tx = Tx::begin(store).await?;
    let before = current(&mut tx, resource, id, pre).await?;
    resource.remove(&mut tx, id, &before, token).await?;
    let change = change(resource, id, "delete");
    tx.record(change, token, &resource.body(&before), &Value::Null)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The record as it is, if the preconditions hold for it.
async fn current<R: Resource>(
    tx: &mut Tx,
    resource: &R,
    id: &str,
    pre: &Preconditions,
) -> Result<R::Record, WriteError> {
    let record = resource.read(tx, id).await?.ok_or(WriteError::NotFound)?;
    check_if_match(pre, &etag(&record))?;
    Ok(record)
}

fn change<'a, R: Resource>(resource: &'a R, id: &'a str, action: &'a str) -> Change<'a> {
    Change {
        resource: resource.kind().as_str(),
        resource_id: id,
        claim_id: resource.claim_of(id),
        action,
    }
}

/// How long a POST's answer is kept for replay.
const IDEMPOTENCY_HOURS: i64 = 24;

/// The stored answer for this key, if the same token sent it in the last 24 hours and what it
/// created still exists. Once that is deleted, replaying "201 Created" would name a record that
/// is gone, so the key is refused with 409 instead: a new key creates it again.
async fn replay(
    tx: &mut Tx,
    kind: HistoryResource,
    token: &str,
    idem: Option<&Idempotency>,
) -> Result<Option<(u16, String)>, WriteError> {
    let Some(idem) = idem else { return Ok(None) };
    let cutoff = (time::OffsetDateTime::now_utc() - time::Duration::hours(IDEMPOTENCY_HOURS))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    match tx.stored_answer(token, &idem.key, &cutoff).await? {
        Some((digest, status, body)) if digest == idem.request_sha256 => {
            let created = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|record| record["id"].as_str().map(str::to_owned))
                .unwrap_or_default();
            if !tx.exists(kind, &created).await? {
                return Err(WriteError::Conflict(format!(
                    "the {} this Idempotency-Key created, {created:?}, has since been deleted; \
                     send a new key to create it again",
                    kind.as_str()
                )));
            }
            Ok(Some((status, body)))
        }
        Some(_) => Err(WriteError::KeyReused),
        None => Ok(None),
    }
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

fn problem(pointer: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        pointer: pointer.to_owned(),
        message: message.into(),
    }
}

/// The patched body, refusing a change of id.
fn merged(before: &Value, patch: &Value, id: &str) -> Result<Map<String, Value>, WriteError> {
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
        _ => Map::new(),
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
