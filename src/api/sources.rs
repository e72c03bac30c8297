use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, BadRequest, InternalError, NotFound, NotModified, ProblemCode};
use super::lists::{SourceList, page_response};
use super::params::{NoParams, Query, SearchListParams};
use crate::domain::Source;
use crate::store::{Store, sources};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_sources).service(get_source);
}

/// The path of a source.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SourcePath {
    /// The source's id.
    #[param(example = "businessinsider-2026-01-07-musk-ai-compute")]
    id: String,
}

/// List sources
///
/// Documents claims appear in (podcasts, articles, reports, posts), in id order, with the
/// sources each relies on (`cites`) and those relying on it (`cited_by`).
#[utoipa::path(
    tag = "sources",
    params(SearchListParams),
    responses(
        (status = 200, description = "A page of sources.", body = SourceList,
            headers(
                ("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."),
                ("Link" = String, description = "`<…>; rel=\"next\"`: the next page, when there is one.")
            )),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 500, response = InternalError)
    )
)]
#[get("/sources")]
async fn list_sources(
    req: HttpRequest,
    store: web::Data<Store>,
    Query(params): Query<SearchListParams>,
) -> Result<HttpResponse, ApiError> {
    let (search, paging, list) = params.parse("sources")?;
    let page = sources::list(&store, &paging.page, paging.count, search.as_ref()).await?;
    Ok(page_response::<Source, SourceList>(&req, &list, page))
}

/// Get a source
///
/// One document: title, publisher, URL, date and its precision, language, authors, what it
/// cites and what cites it. What is uncertain about it is in `note`.
#[utoipa::path(
    tag = "sources",
    params(SourcePath),
    responses(
        (status = 200, description = "The source.", body = Source,
            headers(("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError)
    )
)]
#[get("/sources/{id}")]
async fn get_source(
    store: web::Data<Store>,
    path: web::Path<SourcePath>,
    _: Query<NoParams>,
) -> Result<web::Json<Source>, ApiError> {
    sources::get(&store, &path.id)
        .await?
        .map(web::Json)
        .ok_or_else(|| ApiError::not_found(ProblemCode::SourceNotFound, "source", &path.id))
}
