//! NDJSON import: a batch of records, validated whole and applied in one transaction.

use actix_web::middleware::from_fn;
use actix_web::{HttpResponse, post, web};

use super::auth::{Writer, guard_writes};
use super::body::NdjsonBody;
use super::error::{ApiError, BadRequest, FieldErrors, InternalError};
use super::params::{NoParams, Query};
use super::writes::field_errors;
use crate::store::Store;
use crate::store::import::{ImportLine, ImportReport};
use crate::store::tokens::Scope;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(import);
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
