//! The history of writes, newest first.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::error::{ApiError, BadRequest, InternalError};
use super::lists::{HistoryList, respond};
use super::params::{HistoryParams, Query};
use crate::store::history::HistoryEntry;
use crate::store::{PageRequest, Store};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(history);
}

/// List the history of writes
///
/// Every write, newest first: which record (`resource`, `resource_id`), what was done
/// (`create`, `update`, `delete`), by which token, when, and the change as a JSON Patch
/// (RFC 6902). Filter by `claim` (a claim with its appearances and assessments), `resource` and
/// `id`; filters combine. The history outlives what it records: the writes to a deleted record
/// stay listed here. A filter that matches nothing is an empty list.
#[utoipa::path(
    tag = "history",
    params(HistoryParams),
    responses(
        (status = 200, description = "A page of the history.",
            content((HistoryList = "application/json"), ("text/csv"), ("application/x-ndjson")),
            headers(
                ("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."),
                ("Link" = String, description = "`<…>; rel=\"next\"`: the next page, when there is one.")
            )),
        (status = 304, response = super::error::NotModified),
        (status = 400, response = BadRequest),
        (status = 406, response = super::error::NotAcceptable),
        (status = 500, response = InternalError)
    )
)]
#[get("/history")]
async fn history(
    req: HttpRequest,
    store: web::Data<Store>,
    Query(params): Query<HistoryParams>,
) -> Result<HttpResponse, ApiError> {
    const LIST: &str = "history:-seq";
    let (filter, paging) = params.parse(LIST)?;
    let (reader, filter) = (store.clone(), std::sync::Arc::new(filter));
    respond::<HistoryEntry, HistoryList, _, _>(
        &req,
        &store,
        LIST,
        paging,
        None,
        None,
        move |after, limit, with_total| {
            let (store, filter) = (reader.clone(), filter.clone());
            async move {
                crate::store::history::history(
                    &store,
                    &filter,
                    &PageRequest { limit, after },
                    with_total,
                )
                .await
            }
        },
    )
    .await
}
