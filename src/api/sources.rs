use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{
    ApiError, BadRequest, InternalError, NotAcceptable, NotFound, NotModified, ProblemCode,
};
use super::formats::{self, CsvLayout, negotiate};
use super::linked_data;
use super::lists::{SourceList, respond};
use super::params::{FormatParams, Query, SearchListParams};
use crate::domain::Source;
use crate::store::{PageRequest, Store, sources};

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
        (status = 200, description = "A page of sources.",
            content(
                (SourceList = "application/json"),
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
#[get("/sources")]
async fn list_sources(
    req: HttpRequest,
    store: web::Data<Store>,
    Query(params): Query<SearchListParams>,
) -> Result<HttpResponse, ApiError> {
    let (search, paging, list) = params.parse("sources")?;
    let reader = store.clone();
    respond::<Source, SourceList, _, _>(
        &req,
        &store,
        &list,
        paging,
        None,
        Some(linked_data::source),
        move |after, limit, total| {
            let (store, search) = (reader.clone(), search.clone());
            async move {
                sources::list(
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

/// Get a source
///
/// One document: title, publisher, URL, date and its precision, language, authors, what it
/// cites and what cites it. What is uncertain about it is in `note`.
#[utoipa::path(
    tag = "sources",
    params(SourcePath, FormatParams),
    responses(
        (status = 200, description = "The source.",
            content(
                (Source = "application/json"),
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
#[get("/sources/{id}")]
async fn get_source(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<SourcePath>,
    Query(params): Query<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    let format = negotiate(&req, params.parse()?, formats::ALL)?;
    let item = sources::get(&store, &path.id)
        .await?
        .ok_or_else(|| ApiError::not_found(ProblemCode::SourceNotFound, "source", &path.id))?;
    formats::item(
        format,
        &item,
        CsvLayout::new(BTreeMap::new()),
        linked_data::source,
    )
}
