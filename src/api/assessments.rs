//! A claim's assessments: how it held up, on what evidence, by whom.

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
use crate::domain::AssessmentBody;
use crate::service::Assessments;
use crate::store::{Store, writes as stored};
use actix_web::middleware::from_fn;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_assessment)
        .service(create_assessment)
        .service(update_assessment)
        .service(delete_assessment);
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
    let assessment = stored::assessment(&store, &path.id, &path.assessment_id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
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
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotJson),
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
    let collection = format!("/v1/claims/{}/assessments", path.id);
    let assessments = Assessments { claim: &path.id };
    writes::create(
        &req,
        &store,
        &assessments,
        &token.id,
        (&body, &raw),
        &collection,
    )
    .await
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
        (status = 412, response = super::error::StaleWrite),
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotMergePatch),
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
    let target = Target::part(
        ProblemCode::AssessmentNotFound,
        "assessment",
        &path.assessment_id,
        &path.id,
    );
    writes::update(
        &req,
        &store,
        &Assessments { claim: &path.id },
        target,
        &token.id,
        body,
    )
    .await
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
        (status = 412, response = super::error::StaleWrite),
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
    let target = Target::part(
        ProblemCode::AssessmentNotFound,
        "assessment",
        &path.assessment_id,
        &path.id,
    );
    writes::delete(
        &req,
        &store,
        &Assessments { claim: &path.id },
        target,
        &token.id,
    )
    .await
}
