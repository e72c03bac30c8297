use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
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

use super::auth::{Writer, guard_writes};
use super::body::JsonBody;
use super::params::NoParams;
use super::writes::{self, Target};
use crate::domain::SourceBody;
use crate::service::Sources;
use actix_web::middleware::from_fn;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_sources)
        .service(get_source)
        .service(create_source)
        .service(update_source)
        .service(delete_source);
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

/// Create a source
///
/// A document claims appear in, with its publisher, URL, date and its precision, language, authors and the sources it cites.
#[utoipa::path(
    tag = "sources",
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\x21-\x7E]{1,255}$", description = "A key of your choosing (1 to 255 characters); a retry with the same key and body gets the first answer again.")),
    request_body(content = SourceBody, description = "The source; `id` is required."),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created.", body = crate::domain::Source,
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
#[post("/sources", wrap = "from_fn(guard_writes)")]
async fn create_source(
    req: HttpRequest,
    store: web::Data<Store>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, raw): JsonBody,
) -> Result<HttpResponse, ApiError> {
    writes::create(
        &req,
        &store,
        &Sources,
        &token.id,
        (&body, &raw),
        "/v1/sources",
    )
    .await
}

/// Change a source
///
/// A JSON merge patch of its fields as `POST` takes them, honouring `If-Match`.
#[utoipa::path(
    tag = "sources",
    params(SourcePath, ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on.")),
    request_body(content = SourceBody, content_type = "application/merge-patch+json",
        description = "The fields to change.", example = json!({"note": "Checked against the publisher's page."})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed source.", body = crate::domain::Source,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 412, response = super::error::StaleWrite),
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotMergePatch),
        (status = 422, description = "The changed source would not be valid.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[patch("/sources/{id}", wrap = "from_fn(guard_writes)")]
async fn update_source(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<SourcePath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, _): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let target = Target::record(ProblemCode::SourceNotFound, "source", &path.id);
    writes::update(&req, &store, &Sources, target, &token.id, body).await
}

/// Delete a source
///
/// A source that claims rely on (as an appearance, an origin or evidence) or that other sources cite is a 409 naming them.
#[utoipa::path(
    tag = "sources",
    params(SourcePath, ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on.")),
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
#[delete("/sources/{id}", wrap = "from_fn(guard_writes)")]
async fn delete_source(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<SourcePath>,
    Writer(token): Writer,
    _: Query<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let target = Target::record(ProblemCode::SourceNotFound, "source", &path.id);
    writes::delete(&req, &store, &Sources, target, &token.id).await
}
