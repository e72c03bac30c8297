use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, BadRequest, InternalError, NotFound, NotModified, ProblemCode};
use super::lists::{ClaimantList, page_response};
use super::params::{NoParams, Query, SearchListParams};
use crate::domain::Claimant;
use crate::store::{Store, claimants};

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
        (status = 200, description = "A page of claimants.", body = ClaimantList,
            headers(
                ("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."),
                ("Link" = String, description = "`<…>; rel=\"next\"`: the next page, when there is one.")
            )),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
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
    let page = claimants::list(&store, &paging.page, paging.count, search.as_ref()).await?;
    Ok(page_response::<Claimant, ClaimantList>(&req, &list, page))
}

/// Get a claimant
///
/// One person or organization, with names, aliases, affiliations and a count of their claims.
#[utoipa::path(
    tag = "claimants",
    params(ClaimantPath),
    responses(
        (status = 200, description = "The claimant.", body = Claimant,
            headers(("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError)
    )
)]
#[get("/claimants/{id}")]
async fn get_claimant(
    store: web::Data<Store>,
    path: web::Path<ClaimantPath>,
    _: Query<NoParams>,
) -> Result<web::Json<Claimant>, ApiError> {
    claimants::get(&store, &path.id)
        .await?
        .map(web::Json)
        .ok_or_else(|| ApiError::not_found(ProblemCode::ClaimantNotFound, "claimant", &path.id))
}
