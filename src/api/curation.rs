//! Writes on claims and their appearances, and their history. Every write needs a bearer
//! token; `PATCH` and `DELETE` honour `If-Match`; `POST` honours `Idempotency-Key`.

use std::collections::BTreeMap;

use actix_web::http::{StatusCode, header};
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use super::auth::{Writer, guard_writes};
use super::body::{JsonBody, NdjsonBody};
use super::claims::ClaimPath;
use super::error::{
    ApiError, BadRequest, FieldError, FieldErrors, InternalError, NotFound, ProblemCode,
};
use super::formats::{self, CsvLayout, negotiate};
use super::linked_data;
use super::lists::{HistoryList, respond};
use super::params::{FormatParams, HistoryParams, NoParams, Query, QueryParams, parse_bool};
use crate::domain::{
    AppearanceBody, AppearanceInput, AssessmentBody, AssessmentInput, ClaimBody, ClaimInput,
    ClaimantBody, ClaimantInput, FieldProblem, IndicatorBody, SourceBody, SourceInput, TermInput,
    TopicBody,
};
use crate::service::{
    self, Appearances, Assessments, Claimants, Claims, Created, Idempotency, Preconditions,
    Sources, Terms, WriteError,
};
use crate::store::claims::{self, Expand};
use crate::store::history::HistoryEntry;
use crate::store::import::{ImportLine, ImportReport};
use crate::store::tokens::Scope;
use crate::store::writes::{self, TermKind};
use crate::store::{PageRequest, Store};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(history)
        .service(create_claim)
        .service(update_claim)
        .service(delete_claim)
        .service(create_appearance)
        .service(get_appearance)
        .service(update_appearance)
        .service(delete_appearance)
        .service(create_assessment)
        .service(get_assessment)
        .service(update_assessment)
        .service(delete_assessment)
        .service(create_topic)
        .service(update_topic)
        .service(delete_topic)
        .service(create_indicator)
        .service(update_indicator)
        .service(delete_indicator)
        .service(create_claimant)
        .service(update_claimant)
        .service(delete_claimant)
        .service(create_source)
        .service(update_source)
        .service(delete_source)
        .service(import);
}

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

fn field_errors(problems: Vec<FieldProblem>) -> FieldErrors {
    problems
        .into_iter()
        .map(|p| FieldError {
            field: p.pointer,
            message: p.message,
        })
        .collect()
}

/// List the history of writes
///
/// Every write, newest first: which record (`resource`, `resource_id`), what was done
/// (`create`, `update`, `delete`), by which token, when, and the change as a JSON Patch
/// (RFC 6902). Filter by `claim` (a claim with its appearances and assessments), `resource` and
/// `id`; filters combine. The history outlives what it records: the writes to a deleted record
/// stay listed here. A filter that matches nothing is an empty list.
#[utoipa::path(
    tag = "history",
    params(HistoryParams),
    responses(
        (status = 200, description = "A page of the history.",
            content((HistoryList = "application/json"), ("text/csv"), ("application/x-ndjson")),
            headers(
                ("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."),
                ("Link" = String, description = "`<…>; rel=\"next\"`: the next page, when there is one.")
            )),
        (status = 304, response = super::error::NotModified),
        (status = 400, response = BadRequest),
        (status = 406, response = super::error::NotAcceptable),
        (status = 500, response = InternalError)
    )
)]
#[get("/history")]
async fn history(
    req: HttpRequest,
    store: web::Data<Store>,
    Query(params): Query<HistoryParams>,
) -> Result<HttpResponse, ApiError> {
    const LIST: &str = "history:-seq";
    let (filter, paging) = params.parse(LIST)?;
    let (reader, filter) = (store.clone(), std::sync::Arc::new(filter));
    respond::<HistoryEntry, HistoryList, _, _>(
        &req,
        &store,
        LIST,
        paging,
        None,
        None,
        move |after, limit, with_total| {
            let (store, filter) = (reader.clone(), filter.clone());
            async move {
                crate::store::history::history(
                    &store,
                    &filter,
                    &PageRequest { limit, after },
                    with_total,
                )
                .await
            }
        },
    )
    .await
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

/// Create a claim
///
/// Adds a claim by a claimant already in the record, with its texts, topics and figures (values
/// with their units; SI values are derived). Give `id` to choose it (409 if taken). Appearances
/// are added with `POST /v1/claims/{id}/appearances`.
#[utoipa::path(
    tag = "claims",
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\x21-\x7E]{1,255}$", description = "A key of your choosing (1 to 255 characters). The first answer to a key is kept for 24 hours and replayed to every retry with the same body (with `Idempotent-Replayed: true`); the same key with another body is a 422.", example = "2f1c6a3e-claim-17")),
    request_body(content = ClaimBody, description = "The claim."),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created. `Location` and `ETag` name it.", body = crate::domain::Claim,
            headers(("Location" = String, description = "The new claim's URL."), ("ETag" = String, description = "Its version, for `If-Match`."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 409, description = "The id is taken, or the claim it supersedes is already superseded.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The claim is not valid: `errors` names every failing field by JSON pointer.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[post("/claims", wrap = "from_fn(guard_writes)")]
async fn create_claim(
    req: HttpRequest,
    store: web::Data<Store>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, raw): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let idem = idempotency(&req, &raw)?;
    let input = ClaimInput::parse(&body).map_err(|p| ApiError::Validation(field_errors(p)))?;
    let outcome = service::create(&store, &Claims, &input, &token.id, idem.as_ref()).await?;
    Ok(created(outcome, "/v1/claims"))
}

/// Change a claim
///
/// A JSON merge patch (RFC 7396) of the claim's fields as `POST` takes them: give only what
/// changes; `null` clears a field. With `If-Match`, the change applies only if the claim is
/// still at that version (its `ETag`); otherwise 412 and nothing changes.
#[utoipa::path(
    tag = "claims",
    params(ClaimPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on.")),
    request_body(content = ClaimBody, content_type = "application/merge-patch+json",
        description = "The fields to change.", example = json!({"note": "Checked against the recording."})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed claim, with its new `ETag`.", body = crate::domain::Claim,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "The change would fork or loop a revision chain.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither application/merge-patch+json nor application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The changed claim would not be valid.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[patch("/claims/{id}", wrap = "from_fn(guard_writes)")]
async fn update_claim(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, _): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let claim = service::patch(
        &store,
        &Claims,
        &path.id,
        &Value::Object(body),
        &preconditions(&req)?,
        &token.id,
    )
    .await
    .map_err(|e| sub_resource_error(e, ProblemCode::ClaimNotFound, "claim", &path.id))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, service::etag(&claim)))
        .json(claim))
}

/// Delete a claim
///
/// Deletes the claim with its appearances and assessments; its history stays. A claim that a
/// later claim revises cannot be deleted (409): the chain would break.
#[utoipa::path(
    tag = "claims",
    params(ClaimPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "A later claim revises this one.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[delete("/claims/{id}", wrap = "from_fn(guard_writes)")]
async fn delete_claim(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
) -> Result<HttpResponse, ApiError> {
    service::delete(&store, &Claims, &path.id, &preconditions(&req)?, &token.id)
        .await
        .map_err(|e| sub_resource_error(e, ProblemCode::ClaimNotFound, "claim", &path.id))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add an appearance to a claim
///
/// Records where the claim appeared: the source, the exact quote in its language, whether it is
/// verbatim, a paraphrase or a translation, and how faithful it is.
#[utoipa::path(
    tag = "claims",
    params(ClaimPath, ("Idempotency-Key" = Option<String>, Header, pattern = r"^[\x21-\x7E]{1,255}$", description = "A key of your choosing (1 to 255 characters). The first answer to a key is kept for 24 hours and replayed to every retry with the same body (with `Idempotent-Replayed: true`); the same key with another body is a 422.", example = "2f1c6a3e-claim-17")),
    request_body(content = AppearanceBody, description = "The appearance."),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created.", body = crate::domain::Appearance,
            headers(("Location" = String, description = "The new appearance's URL."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "The id is taken.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The appearance is not valid: `errors` names every failing field.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[post("/claims/{id}/appearances", wrap = "from_fn(guard_writes)")]
async fn create_appearance(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, raw): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let idem = idempotency(&req, &raw)?;
    let input = AppearanceInput::parse(&body).map_err(|p| ApiError::Validation(field_errors(p)))?;
    let outcome = service::create(
        &store,
        &Appearances { claim: &path.id },
        &input,
        &token.id,
        idem.as_ref(),
    )
    .await?;
    Ok(created(
        outcome,
        &format!("/v1/claims/{}/appearances", path.id),
    ))
}

/// The path of a claimant, source, topic or indicator.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TermPath {
    /// Its id (each kind's example is set from its GET, in `api::path_examples`).
    id: String,
}

/// The path of one of a claim's appearances.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AppearancePath {
    /// The claim's id.
    #[param(example = "musk-china-ai-compute")]
    id: String,
    /// The appearance's id.
    #[param(example = "musk-ai-compute-meiguo")]
    appearance_id: String,
}

/// The path of one of a claim's assessments.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AssessmentPath {
    /// The claim's id.
    #[param(example = "musk-china-3x-us-generation-by-2026")]
    id: String,
    /// The assessment's id.
    #[param(example = "musk-3x-by-2026-on-2024-2025-data")]
    assessment_id: String,
}

fn no_such(code: ProblemCode, what: &str, id: &str) -> ApiError {
    ApiError::not_found(code, what, id)
}

/// A record with its `ETag`.
fn with_etag<T: serde::Serialize>(status: StatusCode, record: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, service::etag(record)))
        .json(record)
}

/// Get one of a claim's appearances
///
/// One appearance, with the `ETag` to change it with `If-Match`.
#[utoipa::path(
    tag = "claims",
    params(AppearancePath, FormatParams),
    responses(
        (status = 200, description = "The appearance.",
            content((crate::domain::Appearance = "application/json"), ("text/csv"), ("application/x-ndjson"), ("application/ld+json")),
            headers(("ETag" = String, description = "Its version, for `If-Match`."))),
        (status = 304, response = super::error::NotModified),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 406, response = super::error::NotAcceptable),
        (status = 500, response = InternalError)
    )
)]
#[get("/claims/{id}/appearances/{appearance_id}")]
async fn get_appearance(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<AppearancePath>,
    Query(params): Query<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    let format = negotiate(&req, params.parse()?, formats::ALL)?;
    let appearance = writes::appearance(&store, &path.id, &path.appearance_id)
        .await?
        .ok_or_else(|| {
            no_such(
                ProblemCode::AppearanceNotFound,
                "appearance",
                &path.appearance_id,
            )
        })?;
    formats::item(format, &appearance, CsvLayout::new(BTreeMap::new()), |a| {
        linked_data::appearance(a, &[])
    })
}

/// Change an appearance
///
/// A JSON merge patch of the appearance's fields as `POST` takes them, honouring `If-Match`.
#[utoipa::path(
    tag = "claims",
    params(AppearancePath, ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on.")),
    request_body(content = AppearanceBody, content_type = "application/merge-patch+json",
        description = "The fields to change.", example = json!({"fidelity": "mistranslated", "note": "算力 for power."})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed appearance.", body = crate::domain::Appearance,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither application/merge-patch+json nor application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The changed appearance would not be valid.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[patch(
    "/claims/{id}/appearances/{appearance_id}",
    wrap = "from_fn(guard_writes)"
)]
async fn update_appearance(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<AppearancePath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, _): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let outcome = service::patch(
        &store,
        &Appearances { claim: &path.id },
        &path.appearance_id,
        &Value::Object(body),
        &preconditions(&req)?,
        &token.id,
    )
    .await;
    let patched = match outcome {
        Ok(done) => done,
        Err(e) => {
            let part = (
                ProblemCode::AppearanceNotFound,
                "appearance",
                path.appearance_id.as_str(),
            );
            return Err(claim_part_error(&store, e, &path.id, part).await);
        }
    };
    Ok(with_etag(StatusCode::OK, &patched))
}

/// Delete an appearance
///
/// Removes the appearance; 409 if another appearance is its translation.
#[utoipa::path(
    tag = "claims",
    params(AppearancePath, ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "Another appearance translates this one.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[delete(
    "/claims/{id}/appearances/{appearance_id}",
    wrap = "from_fn(guard_writes)"
)]
async fn delete_appearance(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<AppearancePath>,
    Writer(token): Writer,
    _: Query<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let outcome = service::delete(
        &store,
        &Appearances { claim: &path.id },
        &path.appearance_id,
        &preconditions(&req)?,
        &token.id,
    )
    .await;
    if let Err(e) = outcome {
        let part = (
            ProblemCode::AppearanceNotFound,
            "appearance",
            path.appearance_id.as_str(),
        );
        return Err(claim_part_error(&store, e, &path.id, part).await);
    }
    Ok(HttpResponse::NoContent().finish())
}

/// A missing sub-record is named as such, not as a missing claim.
fn sub_resource_error(e: WriteError, code: ProblemCode, what: &str, id: &str) -> ApiError {
    match e {
        WriteError::NotFound => no_such(code, what, id),
        other => other.into(),
    }
}

/// A write to one of a claim's appearances or assessments found nothing: names the claim when it
/// is the claim that does not exist, and the record under it otherwise.
async fn claim_part_error(
    store: &Store,
    e: WriteError,
    claim: &str,
    (code, what, id): (ProblemCode, &str, &str),
) -> ApiError {
    match e {
        WriteError::NotFound => match claims::get(store, claim, Expand::default()).await {
            Ok(None) => no_such(ProblemCode::ClaimNotFound, "claim", claim),
            Ok(Some(_)) => no_such(code, what, id),
            Err(e) => e.into(),
        },
        other => other.into(),
    }
}

/// Get one of a claim's assessments
///
/// One assessment, with the `ETag` to change it with `If-Match`.
#[utoipa::path(
    tag = "claims",
    params(AssessmentPath, FormatParams),
    responses(
        (status = 200, description = "The assessment.",
            content((crate::domain::Assessment = "application/json"), ("text/csv"), ("application/x-ndjson"), ("application/ld+json")),
            headers(("ETag" = String, description = "Its version, for `If-Match`."))),
        (status = 304, response = super::error::NotModified),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 406, response = super::error::NotAcceptable),
        (status = 500, response = InternalError)
    )
)]
#[get("/claims/{id}/assessments/{assessment_id}")]
async fn get_assessment(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<AssessmentPath>,
    Query(params): Query<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    let format = negotiate(&req, params.parse()?, formats::ALL)?;
    let assessment = writes::assessment(&store, &path.id, &path.assessment_id)
        .await?
        .ok_or_else(|| {
            no_such(
                ProblemCode::AssessmentNotFound,
                "assessment",
                &path.assessment_id,
            )
        })?;
    let claim = path.id.clone();
    formats::item(
        format,
        &assessment,
        CsvLayout::new(BTreeMap::new()),
        move |a| linked_data::assessment(a, &claim),
    )
}

/// Add an assessment to a claim
///
/// A review of the claim. The latest assessment (by `assessed_on`) sets the claim's `status`.
#[utoipa::path(
    tag = "claims",
    params(ClaimPath, ("Idempotency-Key" = Option<String>, Header, pattern = r"^[\x21-\x7E]{1,255}$", description = "A key of your choosing (1 to 255 characters); a retry with the same key and body gets the first answer again.")),
    request_body(content = AssessmentBody, description = "The assessment."),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created.", body = crate::domain::Assessment,
            headers(("Location" = String, description = "The new assessment."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "The id is taken.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The assessment is not valid: `errors` names every failing field.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[post("/claims/{id}/assessments", wrap = "from_fn(guard_writes)")]
async fn create_assessment(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, raw): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let idem = idempotency(&req, &raw)?;
    let input = AssessmentInput::parse(&body).map_err(|p| ApiError::Validation(field_errors(p)))?;
    let outcome = service::create(
        &store,
        &Assessments { claim: &path.id },
        &input,
        &token.id,
        idem.as_ref(),
    )
    .await?;
    Ok(created(
        outcome,
        &format!("/v1/claims/{}/assessments", path.id),
    ))
}

/// Change an assessment
///
/// A JSON merge patch of the assessment's fields, honouring `If-Match`.
#[utoipa::path(
    tag = "claims",
    params(AssessmentPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on.")),
    request_body(content = AssessmentBody, content_type = "application/merge-patch+json",
        description = "The fields to change.", example = json!({"verdict": "incorrect", "assessed_on": "2027-01-15"})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed assessment.", body = crate::domain::Assessment,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither application/merge-patch+json nor application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The changed assessment would not be valid.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[patch(
    "/claims/{id}/assessments/{assessment_id}",
    wrap = "from_fn(guard_writes)"
)]
async fn update_assessment(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<AssessmentPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, _): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let outcome = service::patch(
        &store,
        &Assessments { claim: &path.id },
        &path.assessment_id,
        &Value::Object(body),
        &preconditions(&req)?,
        &token.id,
    )
    .await;
    let patched = match outcome {
        Ok(done) => done,
        Err(e) => {
            let part = (
                ProblemCode::AssessmentNotFound,
                "assessment",
                path.assessment_id.as_str(),
            );
            return Err(claim_part_error(&store, e, &path.id, part).await);
        }
    };
    Ok(with_etag(StatusCode::OK, &patched))
}

/// Delete an assessment
///
/// Removes the assessment; the claim's status falls back to the latest remaining one.
#[utoipa::path(
    tag = "claims",
    params(AssessmentPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[delete(
    "/claims/{id}/assessments/{assessment_id}",
    wrap = "from_fn(guard_writes)"
)]
async fn delete_assessment(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<AssessmentPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let outcome = service::delete(
        &store,
        &Assessments { claim: &path.id },
        &path.assessment_id,
        &preconditions(&req)?,
        &token.id,
    )
    .await;
    if let Err(e) = outcome {
        let part = (
            ProblemCode::AssessmentNotFound,
            "assessment",
            path.assessment_id.as_str(),
        );
        return Err(claim_part_error(&store, e, &path.id, part).await);
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Create a topic
///
/// A new tag for claims, with its names in each language.
#[utoipa::path(
    tag = "topics",
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\x21-\x7E]{1,255}$", description = "A key of your choosing (1 to 255 characters); a retry with the same key and body gets the first answer again.")),
    request_body(content = TopicBody, description = "The topic.", example = json!({"id": "grid", "names": {"en": "Power grid", "zh-CN": "电网"}})),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created.", body = crate::domain::Topic,
            headers(("Location" = String, description = "Its URL."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 409, description = "The id is taken.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid: `errors` names every failing field.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[post("/topics", wrap = "from_fn(guard_writes)")]
async fn create_topic(
    req: HttpRequest,
    store: web::Data<Store>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, raw): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let idem = idempotency(&req, &raw)?;
    let input =
        TermInput::parse(&body, false).map_err(|p| ApiError::Validation(field_errors(p)))?;
    let outcome = service::create(
        &store,
        &Terms {
            kind: TermKind::Topic,
            cascade: false,
        },
        &input,
        &token.id,
        idem.as_ref(),
    )
    .await?;
    Ok(created(outcome, "/v1/topics"))
}

/// Change a topic
///
/// A JSON merge patch of its names and description, honouring `If-Match`.
#[utoipa::path(
    tag = "topics",
    params(TermPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on.")),
    request_body(content = TopicBody, content_type = "application/merge-patch+json",
        description = "The fields to change.", example = json!({"description": "Transmission lines, substations and interconnection queues."})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed topic.", body = crate::domain::Topic,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither application/merge-patch+json nor application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The changed topic would not be valid.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[patch("/topics/{id}", wrap = "from_fn(guard_writes)")]
async fn update_topic(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<TermPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, _): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let record = service::patch(
        &store,
        &Terms {
            kind: TermKind::Topic,
            cascade: false,
        },
        &path.id,
        &Value::Object(body),
        &preconditions(&req)?,
        &token.id,
    )
    .await
    .map_err(|e| sub_resource_error(e, ProblemCode::TopicNotFound, "topic", &path.id))?;
    Ok(with_etag(StatusCode::OK, &record))
}

/// Delete a topic
///
/// A topic that claims carry is a 409 naming them, unless `cascade=true` takes it off them first.
#[utoipa::path(
    tag = "topics",
    params(TermPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on."), ("cascade" = Option<bool>, Query, description = "`true` takes the topic off the claims that carry it (each one dated and recorded in its history), then deletes it.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = super::error::BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "Claims still use it; the detail names them.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[delete("/topics/{id}", wrap = "from_fn(guard_writes)")]
async fn delete_topic(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<TermPath>,
    Query(params): Query<DeleteParams>,
    Writer(token): Writer,
) -> Result<HttpResponse, ApiError> {
    let cascade = params.cascade(true)?;
    service::delete(
        &store,
        &Terms {
            kind: TermKind::Topic,
            cascade,
        },
        &path.id,
        &preconditions(&req)?,
        &token.id,
    )
    .await
    .map_err(|e| sub_resource_error(e, ProblemCode::TopicNotFound, "topic", &path.id))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Create an indicator
///
/// A new thing for figures to measure, with its dimension (which fixes the units its figures may use).
#[utoipa::path(
    tag = "indicators",
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\x21-\x7E]{1,255}$", description = "A key of your choosing (1 to 255 characters); a retry with the same key and body gets the first answer again.")),
    request_body(content = IndicatorBody, description = "The indicator.", example = json!({"id": "grid-interconnection-queue", "names": {"en": "Grid interconnection queue"}, "dimension": "power"})),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created.", body = crate::domain::Indicator,
            headers(("Location" = String, description = "Its URL."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 409, description = "The id is taken.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid: `errors` names every failing field.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[post("/indicators", wrap = "from_fn(guard_writes)")]
async fn create_indicator(
    req: HttpRequest,
    store: web::Data<Store>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, raw): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let idem = idempotency(&req, &raw)?;
    let input = TermInput::parse(&body, true).map_err(|p| ApiError::Validation(field_errors(p)))?;
    let outcome = service::create(
        &store,
        &Terms {
            kind: TermKind::Indicator,
            cascade: false,
        },
        &input,
        &token.id,
        idem.as_ref(),
    )
    .await?;
    Ok(created(outcome, "/v1/indicators"))
}

/// Change an indicator
///
/// A JSON merge patch of its names and description (and its dimension, while no figure uses it), honouring `If-Match`.
#[utoipa::path(
    tag = "indicators",
    params(TermPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on.")),
    request_body(content = IndicatorBody, content_type = "application/merge-patch+json",
        description = "The fields to change.", example = json!({"description": "Announced grid connection requests not yet built, in GW."})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed indicator.", body = crate::domain::Indicator,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "The dimension cannot change while figures use it.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither application/merge-patch+json nor application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The changed indicator would not be valid.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[patch("/indicators/{id}", wrap = "from_fn(guard_writes)")]
async fn update_indicator(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<TermPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, _): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let record = service::patch(
        &store,
        &Terms {
            kind: TermKind::Indicator,
            cascade: false,
        },
        &path.id,
        &Value::Object(body),
        &preconditions(&req)?,
        &token.id,
    )
    .await
    .map_err(|e| sub_resource_error(e, ProblemCode::IndicatorNotFound, "indicator", &path.id))?;
    Ok(with_etag(StatusCode::OK, &record))
}

/// Delete an indicator
///
/// An indicator that figures use is a 409 naming their claims.
#[utoipa::path(
    tag = "indicators",
    params(TermPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = super::error::BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "Claims still use it; the detail names them.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[delete("/indicators/{id}", wrap = "from_fn(guard_writes)")]
async fn delete_indicator(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<TermPath>,
    Query(params): Query<DeleteParams>,
    Writer(token): Writer,
) -> Result<HttpResponse, ApiError> {
    let cascade = params.cascade(false)?;
    service::delete(
        &store,
        &Terms {
            kind: TermKind::Indicator,
            cascade,
        },
        &path.id,
        &preconditions(&req)?,
        &token.id,
    )
    .await
    .map_err(|e| sub_resource_error(e, ProblemCode::IndicatorNotFound, "indicator", &path.id))?;
    Ok(HttpResponse::NoContent().finish())
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
    fn cascade(&self, allowed: bool) -> Result<bool, ApiError> {
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

/// Create a claimant
///
/// A person or organization, with names in each language, aliases (each works as `claimant=` on `GET /v1/claims`) and affiliations. Changing names re-indexes their claims for search.
#[utoipa::path(
    tag = "claimants",
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\x21-\x7E]{1,255}$", description = "A key of your choosing (1 to 255 characters); a retry with the same key and body gets the first answer again.")),
    request_body(content = ClaimantBody, description = "The claimant; `id` is required."),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created.", body = crate::domain::Claimant,
            headers(("Location" = String, description = "Its URL."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 409, description = "The id is taken.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid: `errors` names every failing field.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[post("/claimants", wrap = "from_fn(guard_writes)")]
async fn create_claimant(
    req: HttpRequest,
    store: web::Data<Store>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, raw): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let idem = idempotency(&req, &raw)?;
    let input = ClaimantInput::parse(&body).map_err(|p| ApiError::Validation(field_errors(p)))?;
    let outcome = service::create(&store, &Claimants, &input, &token.id, idem.as_ref()).await?;
    Ok(created(outcome, "/v1/claimants"))
}

/// Change a claimant
///
/// A JSON merge patch of its fields as `POST` takes them, honouring `If-Match`.
#[utoipa::path(
    tag = "claimants",
    params(TermPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on.")),
    request_body(content = ClaimantBody, content_type = "application/merge-patch+json",
        description = "The fields to change.", example = json!({"description": "Chief executive of Microsoft."})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed claimant.", body = crate::domain::Claimant,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither application/merge-patch+json nor application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The changed claimant would not be valid.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[patch("/claimants/{id}", wrap = "from_fn(guard_writes)")]
async fn update_claimant(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<TermPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, _): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let record = service::patch(
        &store,
        &Claimants,
        &path.id,
        &Value::Object(body),
        &preconditions(&req)?,
        &token.id,
    )
    .await
    .map_err(|e| sub_resource_error(e, ProblemCode::ClaimantNotFound, "claimant", &path.id))?;
    Ok(with_etag(StatusCode::OK, &record))
}

/// Delete a claimant
///
/// A claimant with claims, or named as another's organization, is a 409 naming them.
#[utoipa::path(
    tag = "claimants",
    params(TermPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "Something still refers to it; the detail names what.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[delete("/claimants/{id}", wrap = "from_fn(guard_writes)")]
async fn delete_claimant(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<TermPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
) -> Result<HttpResponse, ApiError> {
    service::delete(
        &store,
        &Claimants,
        &path.id,
        &preconditions(&req)?,
        &token.id,
    )
    .await
    .map_err(|e| sub_resource_error(e, ProblemCode::ClaimantNotFound, "claimant", &path.id))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Create a source
///
/// A document claims appear in, with its publisher, URL, date and its precision, language, authors and the sources it cites.
#[utoipa::path(
    tag = "sources",
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\x21-\x7E]{1,255}$", description = "A key of your choosing (1 to 255 characters); a retry with the same key and body gets the first answer again.")),
    request_body(content = SourceBody, description = "The source; `id` is required."),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created.", body = crate::domain::Source,
            headers(("Location" = String, description = "Its URL."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 409, description = "The id is taken.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid: `errors` names every failing field.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[post("/sources", wrap = "from_fn(guard_writes)")]
async fn create_source(
    req: HttpRequest,
    store: web::Data<Store>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, raw): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let idem = idempotency(&req, &raw)?;
    let input = SourceInput::parse(&body).map_err(|p| ApiError::Validation(field_errors(p)))?;
    let outcome = service::create(&store, &Sources, &input, &token.id, idem.as_ref()).await?;
    Ok(created(outcome, "/v1/sources"))
}

/// Change a source
///
/// A JSON merge patch of its fields as `POST` takes them, honouring `If-Match`.
#[utoipa::path(
    tag = "sources",
    params(TermPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on.")),
    request_body(content = SourceBody, content_type = "application/merge-patch+json",
        description = "The fields to change.", example = json!({"note": "Checked against the publisher's page."})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed source.", body = crate::domain::Source,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 1 MiB unless `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither application/merge-patch+json nor application/json.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The changed source would not be valid.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[patch("/sources/{id}", wrap = "from_fn(guard_writes)")]
async fn update_source(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<TermPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, _): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let record = service::patch(
        &store,
        &Sources,
        &path.id,
        &Value::Object(body),
        &preconditions(&req)?,
        &token.id,
    )
    .await
    .map_err(|e| sub_resource_error(e, ProblemCode::SourceNotFound, "source", &path.id))?;
    Ok(with_etag(StatusCode::OK, &record))
}

/// Delete a source
///
/// A source that claims rely on (as an appearance, an origin or evidence) or that other sources cite is a 409 naming them.
#[utoipa::path(
    tag = "sources",
    params(TermPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "Something still refers to it; the detail names what.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version; nothing changed.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[delete("/sources/{id}", wrap = "from_fn(guard_writes)")]
async fn delete_source(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<TermPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
) -> Result<HttpResponse, ApiError> {
    service::delete(&store, &Sources, &path.id, &preconditions(&req)?, &token.id)
        .await
        .map_err(|e| sub_resource_error(e, ProblemCode::SourceNotFound, "source", &path.id))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Import records
///
/// A batch as NDJSON, one record a line: `{"type": "claim", …}` with the fields `POST` takes
/// for that kind of record (`id` required), plus `"claim": "<id>"` for an appearance or an
/// assessment. Every line is validated first, and a 422 names every failing field as
/// `/<line>/<field>`; then all are applied in one transaction, each created or, when its id
/// exists, replaced, or none is. Records may refer to ones later in the batch.
///
/// A copy of another database (`claimtrail export --format ndjson`) carries more, and only a
/// token with the `admin` scope may send it: `created_at` and `updated_at` on a record (RFC 3339,
/// both or neither), kept instead of the time of the import; `{"type": "token", …}` lines, the
/// tokens its history names, without their secrets (added revoked, so that none can be used
/// here); and `{"type": "history", …}` lines, its history, which then stands for the import's
/// own. From a `write` token these are a 422 naming each line.
#[utoipa::path(
    tag = "claims",
    request_body(content = String, content_type = "application/x-ndjson", description = "One record a line.",
        example = "{\"type\": \"topic\", \"id\": \"grid\", \"names\": {\"en\": \"Power grid\"}}\n{\"type\": \"assessment\", \"claim\": \"huang-power-is-free\", \"id\": \"power-free-check\", \"verdict\": \"unresolvable\", \"summary\": \"An example.\", \"assessed_on\": \"2026-11-29\", \"assessor\": \"editors\"}\n"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Applied: how many records of each kind were created and updated.", body = ImportReport),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 409, description = "A record conflicts with the database (a forked or looping revision chain, a changed dimension, a history entry it has already); nothing was applied.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the server takes: 64 MiB unless `CLAIMTRAIL_MAX_IMPORT_BYTES` says otherwise.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/x-ndjson.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Some records are not valid; `errors` names each as `/<line>/<field>`. Nothing was applied.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[post("/import", wrap = "from_fn(guard_writes)")]
async fn import(
    store: web::Data<Store>,
    Writer(token): Writer,
    _: Query<NoParams>,
    body: NdjsonBody,
) -> Result<HttpResponse, ApiError> {
    let mut records = Vec::new();
    let mut errors = FieldErrors::default();
    for line in body.lines() {
        let (line, map) = line?;
        match ImportLine::parse(line, map) {
            Ok(record) if errors.is_empty() => records.push((line, record)),
            // Nothing is applied once a line failed: the rest are only counted.
            Ok(_) => {}
            Err(problems) => {
                records = Vec::new();
                errors.extend(field_errors(problems));
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let restore = matches!(token.scope, Scope::Admin);
    let report = crate::store::import::import(&store, records, &token.id, restore).await?;
    Ok(HttpResponse::Ok().json(report))
}
