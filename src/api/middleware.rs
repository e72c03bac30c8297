//! Cross-cutting request handling: request ids and logging, HEAD, and conditional GETs.

use std::time::Instant;

use actix_web::body::{self, BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use sha2::{Digest, Sha256};
use tracing::Instrument;

use crate::domain::etag_of;
use crate::store::version::{DataVersion, Version};

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

/// The ETags of recent answers, each with the data version it was computed at, so that a
/// conditional GET whose ETag is still current is answered 304 without running its query.
pub struct Validators {
    version: DataVersion,
    /// Keyed by a hash of what selects the representation (see [`representation_key`]).
    recent: quick_cache::sync::Cache<[u8; 32], Validator>,
}

#[derive(Clone)]
struct Validator {
    version: Version,
    etag: HeaderValue,
    cache_control: Option<HeaderValue>,
}

impl Validators {
    /// Remembers up to `capacity` answers (about 200 bytes each).
    pub fn new(version: DataVersion, capacity: usize) -> Validators {
        Validators {
            version,
            recent: quick_cache::sync::Cache::new(capacity),
        }
    }

    /// A remembered validator for `key` that is still current.
    fn current(&self, key: &[u8; 32], now: &Version) -> Option<Validator> {
        self.recent.get(key).filter(|v| &v.version == now)
    }
}

/// What a GET's answer depends on besides the data: its path and query, `Accept` (the format)
/// and `Authorization` (private reads answer 401 without a token; a revoked token is a change
/// of data).
fn representation_key(req: &ServiceRequest) -> [u8; 32] {
    let mut hash = Sha256::new();
    let uri = req.uri();
    hash.update(uri.path().as_bytes());
    hash.update(b"?");
    hash.update(uri.query().unwrap_or_default().as_bytes());
    for name in [header::ACCEPT, header::AUTHORIZATION] {
        hash.update(b"\0");
        for value in req.headers().get_all(name) {
            hash.update(value.as_bytes());
            hash.update(b"\n");
        }
    }
    hash.finalize().into()
}

/// A 304 with the validator's headers. `X-Request-Id` is added by [`trace_requests`].
fn not_modified(etag: HeaderValue, cache_control: Option<HeaderValue>) -> HttpResponse {
    let mut res = HttpResponse::NotModified();
    res.insert_header((header::ETAG, etag))
        .insert_header((header::VARY, HeaderValue::from_static("accept")));
    if let Some(cache_control) = cache_control {
        res.insert_header((header::CACHE_CONTROL, cache_control));
    }
    res.finish()
}

/// Adds an `ETag` to every successful GET (but a streamed list, whose size is unbounded) and
/// answers `If-None-Match` with 304: from [`Validators`] when nothing was committed since the
/// ETag was computed, otherwise by computing the answer and comparing.
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
    // The version is read before the handler runs: a commit during the handler then makes the
    // remembered version older than the answer, which only costs a later recomputation.
    let validators = req
        .app_data::<web::Data<Validators>>()
        .filter(|_| is_get)
        .and_then(|v| Some((v.clone(), v.version.current()?, representation_key(&req))));
    if let (Some(tags), Some((validators, now, key))) = (&if_none_match, &validators)
        && let Some(known) = validators.current(key, now)
        && none_match(tags, known.etag.to_str().unwrap_or_default())
    {
        return Ok(req.into_response(not_modified(known.etag, known.cache_control)));
    }
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
    let cache_control = res.headers().get(header::CACHE_CONTROL).cloned();
    if let Some((validators, version, key)) = validators {
        validators.recent.insert(
            key,
            Validator {
                version,
                etag: etag_value.clone(),
                cache_control: cache_control.clone(),
            },
        );
    }
    if if_none_match.is_some_and(|h| none_match(&h, &etag)) {
        return Ok(ServiceResponse::new(
            req,
            not_modified(etag_value, cache_control),
        ));
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
