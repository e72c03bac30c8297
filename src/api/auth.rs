//! Bearer tokens: every write needs one with the `write` (or `admin`) scope, and so does every
//! read when reads are not public. No or a bad token is a 401 with `WWW-Authenticate`; a token
//! without the scope is a 403.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::error::ApiError;
use crate::store::Store;
use crate::store::tokens::{self, TokenInfo};

/// Whether reads need a token too (`CLAIMTRAIL_PUBLIC_READS=false`).
#[derive(Debug, Clone, Copy)]
pub struct PublicReads(pub bool);

/// The token of an `Authorization: Bearer <token>` header. The scheme is matched without regard
/// to case, as RFC 9110 (11.1) has it: `BEARER` and `bearer` are `Bearer`.
fn bearer_credentials(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The live token a request presents.
async fn authenticate(req: &HttpRequest) -> Result<TokenInfo, ApiError> {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_credentials)
        .map(str::to_owned)
        .ok_or(ApiError::Unauthorized(
            "This needs a token: send Authorization: Bearer <token>.",
        ))?;
    let store = req
        .app_data::<web::Data<Store>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no store in the app")))?;
    tokens::verify(&store, &presented)
        .await?
        .ok_or(ApiError::Unauthorized(
            "The token is not valid, or was revoked.",
        ))
}

/// The token a write is made with, as [`guard_writes`] checked it.
pub struct Writer(pub TokenInfo);

impl FromRequest for Writer {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Writer, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.extensions()
                .get::<TokenInfo>()
                .cloned()
                .map(Writer)
                .ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!("a write route outside the guard"))
                }),
        )
    }
}

/// Checks the token of a write before anything else about it: one with the `write` or `admin`
/// scope passes, and the handler's `Writer` reads it. It wraps each write route, so it runs once
/// the path and method have matched (a wrong method is still a 405) but before the handler's
/// extractors, which are polled together: without it a `read` token sending a body of the wrong
/// type got 403 or 415 depending on which finished first. The token decides first, always.
pub async fn guard_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let checked = authenticate(req.request()).await.and_then(|token| {
        if token.scope.may_write() {
            Ok(token)
        } else {
            Err(ApiError::Forbidden)
        }
    });
    match checked {
        Ok(token) => {
            req.extensions_mut().insert(token);
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        // Answered here rather than raised, so that the middleware around it (rate-limit
        // headers, caching) sees a response like any other refusal.
        Err(refusal) => Ok(req.error_response(refusal)),
    }
}

/// Asks reads of the API for a token (any scope) unless reads are public. It wraps the /v1
/// scope only: the service endpoints and the documentation stay open for probes and people.
pub async fn guard_reads(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let public = req.app_data::<web::Data<PublicReads>>().is_none_or(|p| p.0);
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    if !public && read {
        authenticate(req.request()).await?;
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::bearer_credentials;

    #[test]
    fn the_scheme_is_matched_without_regard_to_case() {
        for header in ["Bearer ct_x", "bearer ct_x", "BEARER ct_x", "BeArEr  ct_x "] {
            assert_eq!(bearer_credentials(header), Some("ct_x"), "{header}");
        }
        for header in ["Basic ct_x", "Bearer", "Bearer ", "Bearerct_x", "ct_x"] {
            assert_eq!(bearer_credentials(header), None, "{header}");
        }
    }
}
