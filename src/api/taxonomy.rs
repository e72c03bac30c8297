use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, BadRequest, InternalError, NotFound, NotModified, ProblemCode};
use super::lists::{EstimateList, IndicatorList, TopicList, page_response};
use super::params::{FieldErrors, ListParams, NoParams, Query, QueryParams};
use crate::domain::{CalendarDate, Estimate, Indicator, Topic, parse_region};
use crate::store::{Store, taxonomy, taxonomy::EstimateFilter};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_topics)
        .service(get_topic)
        .service(list_indicators)
        .service(get_indicator)
        .service(list_indicator_estimates);
}

/// The path of a topic or indicator.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TermPath {
    /// The id.
    #[param(example = "electricity")]
    id: String,
}

/// List topics
///
/// The tags claims carry, with their names in each language and how many claims carry them.
#[utoipa::path(
    tag = "topics",
    params(ListParams),
    responses(
        (status = 200, description = "A page of topics.", body = TopicList,
            headers(
                ("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."),
                ("Link" = String, description = "`<…>; rel=\"next\"`: the next page, when there is one.")
            )),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
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
    let page = taxonomy::list_topics(&store, &paging.page, paging.count).await?;
    Ok(page_response::<Topic, TopicList>(&req, LIST, page))
}

/// Get a topic
///
/// One topic, with its names in each language and how many claims carry it.
#[utoipa::path(
    tag = "topics",
    params(TermPath),
    responses(
        (status = 200, description = "The topic.", body = Topic,
            headers(("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError)
    )
)]
#[get("/topics/{id}")]
async fn get_topic(
    store: web::Data<Store>,
    path: web::Path<TermPath>,
    _: Query<NoParams>,
) -> Result<web::Json<Topic>, ApiError> {
    taxonomy::get_topic(&store, &path.id)
        .await?
        .map(web::Json)
        .ok_or_else(|| ApiError::not_found(ProblemCode::TopicNotFound, "topic", &path.id))
}

/// List indicators
///
/// What quantities measure (`datacenter-power-shortfall`, `spare-power-capacity`), each with its
/// dimension and the SI unit its figures are normalised to.
#[utoipa::path(
    tag = "indicators",
    params(ListParams),
    responses(
        (status = 200, description = "A page of indicators.", body = IndicatorList,
            headers(
                ("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."),
                ("Link" = String, description = "`<…>; rel=\"next\"`: the next page, when there is one.")
            )),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
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
    let page = taxonomy::list_indicators(&store, &paging.page, paging.count).await?;
    Ok(page_response::<Indicator, IndicatorList>(&req, LIST, page))
}

/// Get an indicator
///
/// One indicator: its names, its dimension, the SI unit its figures are normalised to, and how
/// many figures measure it.
#[utoipa::path(
    tag = "indicators",
    params(TermPath),
    responses(
        (status = 200, description = "The indicator.", body = Indicator,
            headers(("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError)
    )
)]
#[get("/indicators/{id}")]
async fn get_indicator(
    store: web::Data<Store>,
    path: web::Path<TermPath>,
    _: Query<NoParams>,
) -> Result<web::Json<Indicator>, ApiError> {
    taxonomy::get_indicator(&store, &path.id)
        .await?
        .map(web::Json)
        .ok_or_else(|| ApiError::not_found(ProblemCode::IndicatorNotFound, "indicator", &path.id))
}

/// Query parameters of an indicator's estimates.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EstimatesParams {
    /// Only figures about this region (ISO 3166-1 alpha-2, or `WORLD`). Repeatable.
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>, example = json!(["US"]))]
    subject: Vec<String>,
    /// Only figures stated on or after this date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date, example = "2025-01-01")]
    stated_since: Option<String>,
    /// Only figures stated on or before this date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31")]
    stated_until: Option<String>,
    /// Page size, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page, as it was returned.
    #[param(value_type = Option<String>)]
    cursor: Option<String>,
    /// `true` adds `total`, the number of figures that match.
    #[param(value_type = Option<bool>, example = false)]
    count: Option<String>,
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
    params(TermPath, EstimatesParams),
    responses(
        (status = 200, description = "A page of estimates, oldest first.", body = EstimateList,
            headers(
                ("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."),
                ("Link" = String, description = "`<…>; rel=\"next\"`: the next page, when there is one.")
            )),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError)
    )
)]
#[get("/indicators/{id}/estimates")]
async fn list_indicator_estimates(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<TermPath>,
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
    };
    let paging = ListParams {
        limit: params.limit,
        cursor: params.cursor,
        count: params.count,
    }
    .parse(LIST, &mut errors);
    errors.finish()?;
    let paging = paging?;
    let page = taxonomy::estimates(&store, &path.id, &filter, &paging.page, paging.count)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(ProblemCode::IndicatorNotFound, "indicator", &path.id)
        })?;
    Ok(page_response::<Estimate, EstimateList>(&req, LIST, page))
}
