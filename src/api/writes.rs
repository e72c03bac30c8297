//! What every write handler does over HTTP, once: reads `Idempotency-Key`, `If-Match` and
//! `If-None-Match`, hands the body to the write service, and answers 201 with `Location` and
//! `ETag`, 200 with the changed record and its `ETag`, or 204. Each resource's module declares
//! its routes and documents them; the handlers there are one call into here.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use super::error::{ApiError, FieldError, FieldErrors, ProblemCode};
use super::params::{QueryParams, parse_bool};
use crate::domain::Expand;
use crate::domain::FieldProblem;
use crate::service::{self, Created, Idempotency, Preconditions, Resource, WriteError};
use crate::store::Store;
use crate::store::claims;

impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> ApiError {
        match e {
            WriteError::Invalid(problems) => ApiError::Validation(field_errors(problems)),
            WriteError::Conflict(why) => ApiError::Conflict(why),
            WriteError::NotFound => ApiError::NotFound {
                code: ProblemCode::ClaimNotFound,
                detail: "There is no such claim.".into(),
            },
            WriteError::Stale => ApiError::STALE,
            WriteError::Matched => ApiError::PreconditionFailed(
                "If-None-Match names the current version of this resource (or is *, and it \
                 exists): nothing was changed.",
            ),
            WriteError::KeyReused => ApiError::Validation(
                vec![FieldError {
                    field: "Idempotency-Key".into(),
                    message: "was used with a different request; use a new key for a new request"
                        .into(),
                }]
                .into(),
            ),
            WriteError::Store(e) => e.into(),
        }
    }
}

pub(super) fn field_errors(problems: Vec<FieldProblem>) -> FieldErrors {
    problems
        .into_iter()
        .map(|p| FieldError {
            field: p.pointer,
            message: p.message,
        })
        .collect()
}

/// The record a write names, for the 404 when it finds nothing: a record of its own, or one of
/// a claim's parts, where the 404 names the claim when it is the claim that does not exist.
pub(super) struct Target<'a> {
    pub code: ProblemCode,
    pub what: &'static str,
    pub id: &'a str,
    pub claim: Option<&'a str>,
}

impl<'a> Target<'a> {
    pub fn record(code: ProblemCode, what: &'static str, id: &'a str) -> Target<'a> {
        Target {
            code,
            what,
            id,
            claim: None,
        }
    }

    pub fn part(code: ProblemCode, what: &'static str, id: &'a str, claim: &'a str) -> Target<'a> {
        Target {
            code,
            what,
            id,
            claim: Some(claim),
        }
    }

    async fn error(&self, store: &Store, e: WriteError) -> ApiError {
        let Target { code, what, id, .. } = *self;
        match (e, self.claim) {
            (WriteError::NotFound, None) => ApiError::not_found(code, what, id),
            (WriteError::NotFound, Some(claim)) => {
                match claims::get(store, claim, Expand::default()).await {
                    Ok(None) => ApiError::not_found(ProblemCode::ClaimNotFound, "claim", claim),
                    Ok(Some(_)) => ApiError::not_found(code, what, id),
                    Err(e) => e.into(),
                }
            }
            (other, _) => other.into(),
        }
    }
}

/// POST: creates a record in `collection` from `body` (`raw` as sent, for the key's digest).
pub(super) async fn create<R: Resource>(
    req: &HttpRequest,
    store: &Store,
    resource: &R,
    token: &str,
    (body, raw): (&Map<String, Value>, &[u8]),
    collection: &str,
) -> Result<HttpResponse, ApiError> {
    let idem = idempotency(req, raw)?;
    let outcome = service::create(store, resource, body, token, idem.as_ref()).await?;
    Ok(created(outcome, collection))
}

/// PATCH: merges `body` into the record, on the conditions of the request.
pub(super) async fn update<R: Resource>(
    req: &HttpRequest,
    store: &Store,
    resource: &R,
    target: Target<'_>,
    token: &str,
    body: Map<String, Value>,
) -> Result<HttpResponse, ApiError> {
    let pre = preconditions(req)?;
    let patch = Value::Object(body);
    match service::patch(store, resource, target.id, &patch, &pre, token).await {
        Ok(record) => Ok(with_etag(StatusCode::OK, &record)),
        Err(e) => Err(target.error(store, e).await),
    }
}

/// DELETE, on the conditions of the request.
pub(super) async fn delete<R: Resource>(
    req: &HttpRequest,
    store: &Store,
    resource: &R,
    target: Target<'_>,
    token: &str,
) -> Result<HttpResponse, ApiError> {
    let pre = preconditions(req)?;
    match service::delete(store, resource, target.id, &pre, token).await {
        Ok(()) => Ok(HttpResponse::NoContent().finish()),
        Err(e) => Err(target.error(store, e).await),
    }
}

/// A record with its `ETag`.
pub(super) fn with_etag<T: serde::Serialize>(status: StatusCode, record: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, service::etag(record)))
        .json(record)
}

fn idempotency(req: &HttpRequest, body: &[u8]) -> Result<Option<Idempotency>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    // Visible ASCII only: to_str() also lets spaces and tabs through.
    let key = value
        .to_str()
        .ok()
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::invalid(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )
        })?;
    let mut digest = Sha256::new();
    digest.update(req.method().as_str());
    digest.update(b" ");
    digest.update(req.path());
    digest.update(b"\n");
    digest.update(body);
    let request_sha256 = digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Some(Idempotency {
        key: key.to_owned(),
        request_sha256,
    }))
}

/// The conditions a write is made on: `If-Match` and `If-None-Match`, each `*` or a list of
/// entity-tags (`"…"`, `W/"…"`). Any other value is a 400 that shows the quoted form: an ETag
/// pasted without its quotes would otherwise never match, and a 412 would send the client to
/// fetch the record again for ever.
fn preconditions(req: &HttpRequest) -> Result<Preconditions, ApiError> {
    let mut errors = Vec::new();
    let mut read = |name: header::HeaderName| {
        let values: Vec<&str> = req
            .headers()
            .get_all(&name)
            .map(|v| v.to_str().unwrap_or("\u{fffd}"))
            .collect();
        if values.is_empty() {
            return None;
        }
        let value = values.join(", ");
        if !is_entity_tag_list(&value) {
            let bare = value.trim().trim_matches('"');
            errors.push(FieldError {
                field: name.as_str().to_owned(),
                message: format!(
                    "must be * or entity-tags in double quotes, such as {name}: \"{bare}\" \
                     (the ETag header's value, quotes included)"
                ),
            });
        }
        Some(value)
    };
    let pre = Preconditions {
        if_match: read(header::IF_MATCH),
        if_none_match: read(header::IF_NONE_MATCH),
    };
    if errors.is_empty() {
        Ok(pre)
    } else {
        Err(ApiError::InvalidParameters(errors.into()))
    }
}

/// Whether `value` is `*` or a comma-separated list of entity-tags (RFC 9110 8.8.3), none of
/// which holds a comma: the list is split on them, and no ETag of this server has one.
fn is_entity_tag_list(value: &str) -> bool {
    let is_tag = |t: &str| {
        let opaque = t.strip_prefix("W/").unwrap_or(t);
        opaque.len() >= 2
            && opaque.starts_with('"')
            && opaque.ends_with('"')
            && opaque[1..opaque.len() - 1]
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b) && b != b',' || b >= 0x80)
    };
    value.trim() == "*" || value.split(',').map(str::trim).all(is_tag)
}

/// 201 with the new record, its `Location` and its `ETag`; a replay answers as the first time.
fn created<T: serde::Serialize>(outcome: Created<T>, collection: &str) -> HttpResponse {
    let (status, body, replayed) = match outcome {
        Created::New(record) => (
            StatusCode::CREATED,
            serde_json::to_string(&record).unwrap_or_default(),
            false,
        ),
        Created::Replay { status, body } => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED),
            body,
            true,
        ),
    };
    // Every record has an id; the new one's URL is its collection's with the id appended.
    let id = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::LOCATION, format!("{collection}/{id}")))
        .insert_header((header::ETAG, crate::domain::etag_of(body.as_bytes())))
        .content_type("application/json");
    if replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.body(body)
}

/// The query of a DELETE.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// `true` removes what still refers to the record first, where that is meaningful.
    #[param(value_type = Option<bool>)]
    cascade: Option<String>,
}

impl QueryParams for DeleteParams {}

impl DeleteParams {
    /// Parses `cascade`, which only some records take.
    pub(super) fn cascade(&self, allowed: bool) -> Result<bool, ApiError> {
        match self.cascade.as_deref() {
            None => Ok(false),
            Some(_) if !allowed => Err(ApiError::invalid(
                "cascade",
                "is not a parameter of this operation",
            )),
            Some(value) => parse_bool(value).map_err(|e| ApiError::invalid("cascade", e.0)),
        }
    }
}
