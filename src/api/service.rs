use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, NotModified, Problem};
use crate::store::Store;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// The service's state.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` from `/healthz`, `ready` from `/readyz`.
    #[schema(example = "ok")]
    status: &'static str,
}

/// Liveness
///
/// Answers as long as the process serves HTTP; it does not touch the database.
#[utoipa::path(
    tag = "service",
    responses(
        (status = 200, description = "The process is up.", body = Health),
        (status = 304, response = NotModified)
    )
)]
#[get("/healthz")]
async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness
///
/// Answers 200 when the database answers a query, 503 when it does not, or when its file was
/// removed or replaced since the server opened it (writes made then would be lost at the next
/// start, so none are taken).
#[utoipa::path(
    tag = "service",
    responses(
        (status = 200, description = "The database answers.", body = Health,
            example = json!({"status": "ready"})),
        (status = 304, response = NotModified),
        (status = 503, description = "The database does not answer, or its file was removed or replaced under the server.", body = Problem,
            content_type = "application/problem+json",
            example = json!({"type": "about:blank", "title": "Service Unavailable", "status": 503,
                "detail": "The database does not answer.", "code": "database_unavailable"}))
    )
)]
#[get("/readyz")]
async fn readyz(store: web::Data<Store>) -> Result<web::Json<Health>, ApiError> {
    store.ping().await?;
    Ok(web::Json(Health { status: "ready" }))
}
