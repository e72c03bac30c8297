use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{
    ApiError, BadRequest, InternalError, NotAcceptable, NotFound, NotModified, ProblemCode,
};
use super::formats::{self, CsvLayout, negotiate};
use super::linked_data;
use super::lists::{EstimateList, IndicatorList, TopicList, respond};
use super::params::{FieldErrors, FormatParams, ListParams, Query, QueryParams};
use crate::domain::EstimateFilter;
use crate::domain::{CalendarDate, Estimate, EvidenceFilter, Indicator, Topic, parse_region};
use crate::store::{Named, PageRequest, Store, taxonomy};

use super::auth::{Writer, guard_writes};
use super::body::JsonBody;
use super::params::NoParams;
use super::writes::DeleteParams;
use super::writes::{self, Target};
use crate::domain::{IndicatorBody, TopicBody};
use crate::service::Terms;
use crate::store::writes::TermKind;
use actix_web::middleware::from_fn;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_topics)
        .service(get_topic)
        .service(list_indicators)
        .service(get_indicator)
        .service(list_indicator_estimates)
        .service(create_topic)
        .service(update_topic)
        .service(delete_topic)
        .service(create_indicator)
        .service(update_indicator)
        .service(delete_indicator);
}

/// The path of a topic.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TopicPath {
    /// The topic's id.
    #[param(example = "electricity")]
    id: String,
}

/// The path of an indicator.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IndicatorPath {
    /// The indicator's id.
    #[param(example = "datacenter-power-shortfall")]
    id: String,
}

/// List topics
///
/// The tags claims carry, with their names in each language and how many claims carry them.
#[utoipa::path(
    tag = "topics",
    params(ListParams),
    responses(
        (status = 200, description = "A page of topics.",
            content(
                (TopicList = "application/json"),
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
#[get("/topics")]
async fn list_topics(
    req: HttpRequest,
    store: web::Data<Store>,
    Query(params): Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    const LIST: &str = "topics:id";
    let paging = params.paging(LIST)?;
    let reader = store.clone();
    respond::<Topic, TopicList, _, _>(
        &req,
        &store,
        LIST,
        paging,
        Some(Named::Topics),
        Some(linked_data::topic),
        move |after, limit, total| {
            let store = reader.clone();
            async move { taxonomy::list_topics(&store, &PageRequest { limit, after }, total).await }
        },
    )
    .await
}

/// Get a topic
///
/// One topic, with its names in each language and how many claims carry it.
#[utoipa::path(
    tag = "topics",
    params(TopicPath, FormatParams),
    responses(
        (status = 200, description = "The topic.",
            content(
                (Topic = "application/json"),
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
#[get("/topics/{id}")]
async fn get_topic(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<TopicPath>,
    Query(params): Query<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    let format = negotiate(&req, params.parse()?, formats::ALL)?;
    let item = taxonomy::get_topic(&store, &path.id)
        .await?
        .ok_or_else(|| ApiError::not_found(ProblemCode::TopicNotFound, "topic", &path.id))?;
    formats::item(
        format,
        &item,
        CsvLayout::new(BTreeMap::from([(
            "names".to_owned(),
            item.names.keys().cloned().collect(),
        )])),
        linked_data::topic,
    )
}

/// List indicators
///
/// What quantities measure (`datacenter-power-shortfall`, `spare-power-capacity`), each with its
/// dimension and the SI unit its figures are normalised to.
#[utoipa::path(
    tag = "indicators",
    params(ListParams),
    responses(
        (status = 200, description = "A page of indicators.",
            content(
                (IndicatorList = "application/json"),
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
#[get("/indicators")]
async fn list_indicators(
    req: HttpRequest,
    store: web::Data<Store>,
    Query(params): Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    const LIST: &str = "indicators:id";
    let paging = params.paging(LIST)?;
    let reader = store.clone();
    respond::<Indicator, IndicatorList, _, _>(
        &req,
        &store,
        LIST,
        paging,
        Some(Named::Indicators),
        Some(linked_data::indicator),
        move |after, limit, total| {
            let store = reader.clone();
            async move { taxonomy::list_indicators(&store, &PageRequest { limit, after }, total).await }
        },
    )
    .await
}

/// Get an indicator
///
/// One indicator: its names, its dimension, the SI unit its figures are normalised to, and how
/// many figures measure it.
#[utoipa::path(
    tag = "indicators",
    params(IndicatorPath, FormatParams),
    responses(
        (status = 200, description = "The indicator.",
            content(
                (Indicator = "application/json"),
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
#[get("/indicators/{id}")]
async fn get_indicator(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<IndicatorPath>,
    Query(params): Query<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    let format = negotiate(&req, params.parse()?, formats::ALL)?;
    let item = taxonomy::get_indicator(&store, &path.id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(ProblemCode::IndicatorNotFound, "indicator", &path.id)
        })?;
    formats::item(
        format,
        &item,
        CsvLayout::new(BTreeMap::from([(
            "names".to_owned(),
            item.names.keys().cloned().collect(),
        )])),
        linked_data::indicator,
    )
}

/// Query parameters of an indicator's estimates.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EstimatesParams {
    /// Only figures about this region (ISO 3166-1 alpha-2, or `WORLD`). Repeatable.
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>, example = json!(["US"]), pattern = "^([A-Z]{2}|WORLD)$")]
    subject: Vec<String>,
    /// Only figures stated on or after this date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date, example = "2025-01-01")]
    stated_since: Option<String>,
    /// Only figures stated on or before this date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31")]
    stated_until: Option<String>,
    /// What the figures' claims must rest on, as `evidence` of `GET /v1/claims`: `verified`,
    /// `secondary`, `unverified` or `any`. Without it, every figure but those of claims resting
    /// on unverified sources alone.
    #[param(value_type = Option<EvidenceFilter>, example = "any")]
    evidence: Option<String>,
    /// Page size, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page, as it was returned; empty for the first page.
    #[param(value_type = Option<String>, pattern = "^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
    /// `true` adds `total`, the number of figures that match.
    #[param(value_type = Option<bool>, example = false)]
    count: Option<String>,
    /// Representation, instead of the `Accept` header: `json` (the default), `csv` (UTF-8 with
    /// a BOM), `ndjson`. A list in `csv` or `ndjson` holds every match
    /// from `cursor` on, streamed, rather than one page.
    #[param(value_type = Option<String>, pattern = "^(json|csv|ndjson)$", example = "csv")]
    format: Option<String>,
}

impl QueryParams for EstimatesParams {
    const REPEATABLE: &'static [&'static str] = &["subject"];
}

/// List an indicator's estimates
///
/// Every figure for one indicator across claimants, oldest first, each with its claim,
/// claimant and whether a later claim revised it: the consensus over time, e.g. every estimate
/// of the US data-center power shortfall and how Morgan Stanley's moved.
#[utoipa::path(
    tag = "indicators",
    params(IndicatorPath, EstimatesParams),
    responses(
        (status = 200, description = "A page of estimates, oldest first.",
            content(
                (EstimateList = "application/json"),
                ("text/csv"),
                ("application/x-ndjson")
            ),
            headers(
                ("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."),
                ("Link" = String, description = "`<…>; rel=\"next\"`: the next page, when there is one.")
            )),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 406, response = NotAcceptable),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError)
    )
)]
#[get("/indicators/{id}/estimates")]
async fn list_indicator_estimates(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<IndicatorPath>,
    Query(params): Query<EstimatesParams>,
) -> Result<HttpResponse, ApiError> {
    const LIST: &str = "estimates:stated_on";
    let mut errors = FieldErrors::default();
    let filter = EstimateFilter {
        subjects: errors.parse_all("subject", &params.subject, parse_region),
        stated_since: errors.parse(
            "stated_since",
            params.stated_since.as_deref(),
            CalendarDate::parse,
        ),
        stated_until: errors.parse(
            "stated_until",
            params.stated_until.as_deref(),
            CalendarDate::parse,
        ),
        evidence: errors.parse("evidence", params.evidence.as_deref(), str::parse),
    };
    let paging = ListParams {
        limit: params.limit,
        cursor: params.cursor,
        count: params.count,
        format: params.format,
    }
    .parse(LIST, &mut errors);
    errors.finish()?;
    let paging = paging?;
    if taxonomy::get_indicator(&store, &path.id).await?.is_none() {
        return Err(ApiError::not_found(
            ProblemCode::IndicatorNotFound,
            "indicator",
            &path.id,
        ));
    }
    let (reader, id) = (store.clone(), path.into_inner().id);
    respond::<Estimate, EstimateList, _, _>(
        &req,
        &store,
        LIST,
        paging,
        None,
        None,
        move |after, limit, total| {
            let (store, id, filter) = (reader.clone(), id.clone(), filter.clone());
            async move {
                taxonomy::estimates(&store, &id, &filter, &PageRequest { limit, after }, total)
                    .await
            }
        },
    )
    .await
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
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotJson),
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
    writes::create(
        &req,
        &store,
        &Terms {
            kind: TermKind::Topic,
            cascade: false,
        },
        &token.id,
        (&body, &raw),
        "/v1/topics",
    )
    .await
}

/// Change a topic
///
/// A JSON merge patch of its names and description, honouring `If-Match`.
#[utoipa::path(
    tag = "topics",
    params(TopicPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on.")),
    request_body(content = TopicBody, content_type = "application/merge-patch+json",
        description = "The fields to change.", example = json!({"description": "Transmission lines, substations and interconnection queues."})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed topic.", body = crate::domain::Topic,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 412, response = super::error::StaleWrite),
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotMergePatch),
        (status = 422, description = "The changed topic would not be valid.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[patch("/topics/{id}", wrap = "from_fn(guard_writes)")]
async fn update_topic(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<TopicPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, _): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let target = Target::record(ProblemCode::TopicNotFound, "topic", &path.id);
    writes::update(
        &req,
        &store,
        &Terms {
            kind: TermKind::Topic,
            cascade: false,
        },
        target,
        &token.id,
        body,
    )
    .await
}

/// Delete a topic
///
/// A topic that claims carry is a 409 naming them, unless `cascade=true` takes it off them first.
#[utoipa::path(
    tag = "topics",
    params(TopicPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on."), ("cascade" = Option<bool>, Query, description = "`true` takes the topic off the claims that carry it (each one dated and recorded in its history), then deletes it.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = super::error::BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "Claims still use it; the detail names them.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, response = super::error::StaleWrite),
        (status = 500, response = InternalError)
    )
)]
#[delete("/topics/{id}", wrap = "from_fn(guard_writes)")]
async fn delete_topic(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<TopicPath>,
    Query(params): Query<DeleteParams>,
    Writer(token): Writer,
) -> Result<HttpResponse, ApiError> {
    let cascade = params.cascade(true)?;
    let topics = Terms {
        kind: TermKind::Topic,
        cascade,
    };
    let target = Target::record(ProblemCode::TopicNotFound, "topic", &path.id);
    writes::delete(&req, &store, &topics, target, &token.id).await
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
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotJson),
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
    writes::create(
        &req,
        &store,
        &Terms {
            kind: TermKind::Indicator,
            cascade: false,
        },
        &token.id,
        (&body, &raw),
        "/v1/indicators",
    )
    .await
}

/// Change an indicator
///
/// A JSON merge patch of its names and description (and its dimension, while no figure uses it), honouring `If-Match`.
#[utoipa::path(
    tag = "indicators",
    params(IndicatorPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on.")),
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
        (status = 412, response = super::error::StaleWrite),
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotMergePatch),
        (status = 422, description = "The changed indicator would not be valid.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[patch("/indicators/{id}", wrap = "from_fn(guard_writes)")]
async fn update_indicator(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<IndicatorPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, _): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let target = Target::record(ProblemCode::IndicatorNotFound, "indicator", &path.id);
    writes::update(
        &req,
        &store,
        &Terms {
            kind: TermKind::Indicator,
            cascade: false,
        },
        target,
        &token.id,
        body,
    )
    .await
}

/// Delete an indicator
///
/// An indicator that figures use is a 409 naming their claims.
#[utoipa::path(
    tag = "indicators",
    params(IndicatorPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = super::error::BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "Claims still use it; the detail names them.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, response = super::error::StaleWrite),
        (status = 500, response = InternalError)
    )
)]
#[delete("/indicators/{id}", wrap = "from_fn(guard_writes)")]
async fn delete_indicator(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<IndicatorPath>,
    Query(params): Query<DeleteParams>,
    Writer(token): Writer,
) -> Result<HttpResponse, ApiError> {
    params.cascade(false)?;
    let target = Target::record(ProblemCode::IndicatorNotFound, "indicator", &path.id);
    writes::delete(
        &req,
        &store,
        &Terms {
            kind: TermKind::Indicator,
            cascade: false,
        },
        target,
        &token.id,
    )
    .await
}
