//! Bearer tokens on writes: no or a bad token is a 401 with `WWW-Authenticate`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::error::ApiError;
use crate::store::Store;
use crate::store::tokens::{self, TokenInfo};

/// The token a write is made with. Both scopes may write; `admin` adds token management.
pub struct Writer(pub TokenInfo);

impl FromRequest for Writer {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Writer, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_owned());
        let store = req.app_data::<web::Data<Store>>().cloned();
        Box::pin(async move {
            let presented = presented.ok_or(ApiError::Unauthorized(
                "This write needs a token: send Authorization: Bearer <token>.",
            ))?;
            let store = store.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no store")))?;
            tokens::verify(&store, &presented)
                .await?
                .map(Writer)
                .ok_or(ApiError::Unauthorized(
                    "The token is not valid, or was revoked.",
                ))
        })
    }
}
