//! A claim's appearances: where it was said, in which words and language, and how faithfully.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::{Writer, guard_writes};
use super::body::JsonBody;
use super::claims::ClaimPath;
use super::error::{ApiError, BadRequest, InternalError, NotFound, ProblemCode};
use super::formats::{self, CsvLayout, negotiate};
use super::linked_data;
use super::params::NoParams;
use super::params::{FormatParams, Query};
use super::writes::{self, Target};
use crate::domain::AppearanceBody;
use crate::service::Appearances;
use crate::store::{Store, writes as stored};
use actix_web::middleware::from_fn;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_appearance)
        .service(create_appearance)
        .service(update_appearance)
        .service(delete_appearance);
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
    let appearance = stored::appearance(&store, &path.id, &path.appearance_id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                ProblemCode::AppearanceNotFound,
                "appearance",
                &path.appearance_id,
            )
        })?;
    formats::item(format, &appearance, CsvLayout::new(BTreeMap::new()), |a| {
        linked_data::appearance(a, &[])
    })
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
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotJson),
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
    let collection = format!("/v1/claims/{}/appearances", path.id);
    let appearances = Appearances { claim: &path.id };
    writes::create(
        &req,
        &store,
        &appearances,
        &token.id,
        (&body, &raw),
        &collection,
    )
    .await
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
        (status = 412, response = super::error::StaleWrite),
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotMergePatch),
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
    let target = Target::part(
        ProblemCode::AppearanceNotFound,
        "appearance",
        &path.appearance_id,
        &path.id,
    );
    writes::update(
        &req,
        &store,
        &Appearances { claim: &path.id },
        target,
        &token.id,
        body,
    )
    .await
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
        (status = 412, response = super::error::StaleWrite),
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
    let target = Target::part(
        ProblemCode::AppearanceNotFound,
        "appearance",
        &path.appearance_id,
        &path.id,
    );
    writes::delete(
        &req,
        &store,
        &Appearances { claim: &path.id },
        target,
        &token.id,
    )
    .await
}
