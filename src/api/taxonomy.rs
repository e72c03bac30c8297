use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{
    ApiError, BadRequest, InternalError, NotAcceptable, NotFound, NotModified, ProblemCode,
};
use super::formats::{self, CsvLayout, negotiate};
use super::linked_data;
use super::lists::{EstimateList, IndicatorList, TopicList, respond};
use super::params::{FieldErrors, FormatParams, ListParams, Query, QueryParams};
use crate::domain::{CalendarDate, Estimate, EvidenceFilter, Indicator, Topic, parse_region};
use crate::store::{PageRequest, Store, taxonomy, taxonomy::EstimateFilter};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_topics)
        .service(get_topic)
        .service(list_indicators)
        .service(get_indicator)
        .service(list_indicator_estimates);
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
        Some("topics"),
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
        Some("indicators"),
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
