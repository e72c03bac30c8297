use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
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
use crate::store::{PageRequest, Store, claimants, track_record};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_claimants)
        .service(get_claimant)
        .service(get_track_record);
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
        Some("claimants"),
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
