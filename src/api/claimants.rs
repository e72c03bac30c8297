use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{
    ApiError, BadRequest, InternalError, NotAcceptable, NotFound, NotModified, ProblemCode,
};
use super::formats::{self, CsvLayout, negotiate};
use super::linked_data;
use super::lists::{ClaimantList, respond};
use super::params::{FormatParams, Query, SearchListParams};
use crate::domain::Claimant;
use crate::store::{PageRequest, Store, claimants};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_claimants).service(get_claimant);
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
    params(ClaimantPath),
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
