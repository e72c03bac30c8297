use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{
    ApiError, BadRequest, InternalError, NotAcceptable, NotFound, NotModified, ProblemCode,
};
use super::formats::{self, CsvLayout, Format, negotiate};
use super::linked_data;
use super::lists::{ClaimantList, respond};
use super::params::{FieldErrors, FormatParams, Query, QueryParams, SearchListParams};
use crate::domain::{CalendarDate, Claimant, InvalidValue, TrackRecord};
use crate::store::{Named, PageRequest, Store, claimants, track_record};

use super::auth::{Writer, guard_writes};
use super::body::JsonBody;
use super::params::NoParams;
use super::writes::{self, Target};
use crate::domain::ClaimantBody;
use crate::service::Claimants;
use actix_web::middleware::from_fn;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_claimants)
        .service(get_claimant)
        .service(get_track_record)
        .service(create_claimant)
        .service(update_claimant)
        .service(delete_claimant);
}

/// The path of a claimant.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ClaimantPath {
    /// The claimant's id.
    #[param(example = "elon-musk")]
    id: String,
}

/// List claimants
///
/// People and organizations that make claims, in id order, with their names in each language,
/// aliases and affiliations.
#[utoipa::path(
    tag = "claimants",
    params(SearchListParams),
    responses(
        (status = 200, description = "A page of claimants.",
            content(
                (ClaimantList = "application/json"),
                ("text/csv"),
                ("application/x-ndjson"),
                ("application/ld+json")
            ),
            headers(
                ("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."),
                ("Link" = String, description = "`<…>; rel=\"next\"`: the next page, when there is one.")
            )),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 406, response = NotAcceptable),
        (status = 500, response = InternalError)
    )
)]
#[get("/claimants")]
async fn list_claimants(
    req: HttpRequest,
    store: web::Data<Store>,
    Query(params): Query<SearchListParams>,
) -> Result<HttpResponse, ApiError> {
    let (search, paging, list) = params.parse("claimants")?;
    let reader = store.clone();
    respond::<Claimant, ClaimantList, _, _>(
        &req,
        &store,
        &list,
        paging,
        Some(Named::Claimants),
        Some(linked_data::claimant),
        move |after, limit, total| {
            let (store, search) = (reader.clone(), search.clone());
            async move {
                claimants::list(
                    &store,
                    &PageRequest { limit, after },
                    total,
                    search.as_ref(),
                )
                .await
            }
        },
    )
    .await
}

/// Get a claimant
///
/// One person or organization, with names, aliases, affiliations and a count of their claims.
#[utoipa::path(
    tag = "claimants",
    params(ClaimantPath, FormatParams),
    responses(
        (status = 200, description = "The claimant.",
            content(
                (Claimant = "application/json"),
                ("text/csv"),
                ("application/x-ndjson"),
                ("application/ld+json")
            ),
            headers(("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 406, response = NotAcceptable),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError)
    )
)]
#[get("/claimants/{id}")]
async fn get_claimant(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimantPath>,
    Query(params): Query<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    let format = negotiate(&req, params.parse()?, formats::ALL)?;
    let item = claimants::get(&store, &path.id)
        .await?
        .ok_or_else(|| ApiError::not_found(ProblemCode::ClaimantNotFound, "claimant", &path.id))?;
    formats::item(
        format,
        &item,
        CsvLayout::new(BTreeMap::from([(
            "names".to_owned(),
            item.names.keys().cloned().collect(),
        )])),
        linked_data::claimant,
    )
}

/// The day the server takes as today, for what falls due: the system clock's UTC date, or the
/// date it was started with (`CLAIMTRAIL_TODAY`), for tests and reproducible examples.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock(pub Option<CalendarDate>);

impl Clock {
    pub fn today(&self) -> CalendarDate {
        self.0.unwrap_or_else(CalendarDate::today_utc)
    }
}

/// How far ahead `due_soon` looks when the client does not say.
const DUE_WITHIN_DAYS: i64 = 90;
/// The farthest it may look: ten years.
const MAX_DUE_WITHIN_DAYS: i64 = 3650;

/// Query parameters of a claimant's track record.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrackRecordParams {
    /// How many days ahead of today `predictions.due_soon` reaches: 1 to 3650; 90 when absent.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 3650, example = 90)]
    due_within: Option<String>,
}

impl QueryParams for TrackRecordParams {}

fn parse_due_within(s: &str) -> Result<i64, InvalidValue> {
    match s.parse::<i64>() {
        Ok(days) if (1..=MAX_DUE_WITHIN_DAYS).contains(&days) => Ok(days),
        _ => Err(InvalidValue(format!(
            "must be a whole number of days from 1 to {MAX_DUE_WITHIN_DAYS}"
        ))),
    }
}

/// Get a claimant's track record
///
/// What a reader asks first of a forecaster, computed from the record: predictions by status
/// with the hit rate over those resolved (`correct` ÷ `correct` + `partly_correct` +
/// `incorrect`), those overdue (their horizon passed, still pending) and those due soon (within
/// `due_within` days); the claimant's figures by indicator, with the size and direction of each
/// revision and the latest value; and how its claims travelled: appearances by fidelity, and
/// how often the claimant was misquoted. "Today" is the server's UTC date. Claims resting on
/// unverified sources alone are left out, as default listings leave them out.
#[utoipa::path(
    tag = "claimants",
    params(ClaimantPath, TrackRecordParams),
    responses(
        (status = 200, description = "The claimant's track record as of today.",
            body = TrackRecord,
            headers(("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 406, response = NotAcceptable),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError)
    )
)]
#[get("/claimants/{id}/track-record")]
async fn get_track_record(
    req: HttpRequest,
    store: web::Data<Store>,
    clock: web::Data<Clock>,
    path: web::Path<ClaimantPath>,
    Query(params): Query<TrackRecordParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let due_within = errors
        .parse("due_within", params.due_within.as_deref(), parse_due_within)
        .unwrap_or(DUE_WITHIN_DAYS);
    errors.finish()?;
    negotiate(&req, None, &[Format::Json])?;
    let record = track_record::track_record(&store, &path.id, clock.today(), due_within)
        .await?
        .ok_or_else(|| ApiError::not_found(ProblemCode::ClaimantNotFound, "claimant", &path.id))?;
    Ok(HttpResponse::Ok().json(record))
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
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotJson),
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
    writes::create(
        &req,
        &store,
        &Claimants,
        &token.id,
        (&body, &raw),
        "/v1/claimants",
    )
    .await
}

/// Change a claimant
///
/// A JSON merge patch of its fields as `POST` takes them, honouring `If-Match`.
#[utoipa::path(
    tag = "claimants",
    params(ClaimantPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on.")),
    request_body(content = ClaimantBody, content_type = "application/merge-patch+json",
        description = "The fields to change.", example = json!({"description": "Chief executive of Microsoft."})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed claimant.", body = crate::domain::Claimant,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 412, response = super::error::StaleWrite),
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotMergePatch),
        (status = 422, description = "The changed claimant would not be valid.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[patch("/claimants/{id}", wrap = "from_fn(guard_writes)")]
async fn update_claimant(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimantPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, _): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let target = Target::record(ProblemCode::ClaimantNotFound, "claimant", &path.id);
    writes::update(&req, &store, &Claimants, target, &token.id, body).await
}

/// Delete a claimant
///
/// A claimant with claims, or named as another's organization, is a 409 naming them.
#[utoipa::path(
    tag = "claimants",
    params(ClaimantPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "Something still refers to it; the detail names what.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, response = super::error::StaleWrite),
        (status = 500, response = InternalError)
    )
)]
#[delete("/claimants/{id}", wrap = "from_fn(guard_writes)")]
async fn delete_claimant(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimantPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let target = Target::record(ProblemCode::ClaimantNotFound, "claimant", &path.id);
    writes::delete(&req, &store, &Claimants, target, &token.id).await
}
