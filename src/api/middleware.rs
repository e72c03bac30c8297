//! Cross-cutting request handling: request ids and logging, HEAD, and conditional GETs.

use std::time::Instant;

use actix_web::body::{self, BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};
use tracing::Instrument;

use crate::domain::etag_of;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A client's own request id is kept when it is short printable ASCII; otherwise one is made.
fn request_id(req: &ServiceRequest) -> HeaderValue {
    req.headers()
        .get(X_REQUEST_ID)
        .filter(|v| {
            let bytes = v.as_bytes();
            !bytes.is_empty() && bytes.len() <= 128 && bytes.iter().all(|b| b.is_ascii_graphic())
        })
        .cloned()
        .unwrap_or_else(|| {
            HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
                .unwrap_or(HeaderValue::from_static("invalid"))
        })
}

/// Gives every request an id, echoed in `X-Request-Id` and attached to every log line written
/// while it is handled, and logs one line per request.
pub async fn trace_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = request_id(&req);
    let span = tracing::info_span!(
        "request",
        request_id = %String::from_utf8_lossy(id.as_bytes()),
        method = %req.method(),
        path = %req.path(),
    );
    let started = Instant::now();
    let mut res = match next.call(req).instrument(span.clone()).await {
        Ok(res) => res,
        Err(error) => {
            let status = error.as_response_error().status_code().as_u16();
            let micros = started.elapsed().as_micros() as u64;
            span.in_scope(|| tracing::info!(status, micros, "served"));
            return Err(error);
        }
    };
    res.headers_mut().insert(X_REQUEST_ID, id);
    span.in_scope(|| {
        tracing::info!(
            status = res.status().as_u16(),
            micros = started.elapsed().as_micros() as u64,
            "served"
        )
    });
    Ok(res)
}

/// Serves HEAD with the GET handler. The HTTP codec drops the body of a response to HEAD, and
/// the headers (ETag and Content-Length included) stay those of the GET.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// Whether an `If-None-Match` value matches the tag (weak comparison, RFC 9110 13.1.2).
fn none_match(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
    })
}

/// Adds an `ETag` to every successful GET (but a streamed list, whose size is unbounded) and
/// answers `If-None-Match` with 304.
pub async fn conditional_get(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let is_get = req.method() == Method::GET;
    let mut res = next.call(req).await?;
    if is_get {
        // The same URL answers JSON, CSV, NDJSON or JSON-LD by Accept: caches must key on it.
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept"));
    }
    // A streamed list is never buffered to hash it: its size is unbounded.
    let streamed = matches!(res.response().body().size(), BodySize::Stream);
    if !is_get || res.status() != StatusCode::OK || streamed {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (res, body) = res.into_parts();
    let bytes = body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.into().to_string()))?;
    let etag = etag_of(&bytes);
    let etag_value =
        HeaderValue::from_str(&etag).map_err(actix_web::error::ErrorInternalServerError)?;
    if if_none_match.is_some_and(|h| none_match(&h, &etag)) {
        let mut not_modified = HttpResponse::NotModified();
        not_modified.insert_header((header::ETAG, etag_value));
        for name in [header::CACHE_CONTROL, header::VARY, X_REQUEST_ID] {
            if let Some(v) = res.headers().get(&name) {
                not_modified.insert_header((name, v.clone()));
            }
        }
        return Ok(ServiceResponse::new(req, not_modified.finish()));
    }
    let mut res = res.set_body(BoxBody::new(bytes));
    res.headers_mut().insert(header::ETAG, etag_value);
    Ok(ServiceResponse::new(req, res))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_uses_weak_comparison_and_lists() {
        let tag = etag_of(b"{}");
        assert!(none_match(&tag, &tag));
        assert!(none_match(&format!("\"x\", W/{tag}"), &tag));
        assert!(none_match("*", &tag));
        assert!(!none_match("\"other\"", &tag));
        assert!(!none_match("", &tag));
    }

    #[test]
    fn etags_differ_with_the_body() {
        assert_ne!(etag_of(b"a"), etag_of(b"b"));
        assert_eq!(etag_of(b"a").len(), 34);
    }
}
