use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, BadRequest, InternalError, NotFound, NotModified, ProblemCode};
use super::lists::{IndicatorList, TopicList, page_response};
use super::params::{ListParams, NoParams, Query};
use crate::domain::{Indicator, Topic};
use crate::store::{Store, taxonomy};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_topics)
        .service(get_topic)
        .service(list_indicators)
        .service(get_indicator);
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
