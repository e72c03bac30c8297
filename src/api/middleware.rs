//! Cross-cutting request handling: request ids and logging, HEAD, conditional GETs and
//! compression.

use std::io::Write;
use std::time::Instant;

use actix_http::encoding::Encoder;
use actix_web::body::{self, BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    self, AcceptEncoding, ContentEncoding, Encoding, Header, HeaderMap, HeaderName, HeaderValue,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use sha2::{Digest, Sha256};
use tracing::Instrument;

use super::claimants::Clock;
use super::error::ApiError;
use crate::domain::{etag_of, gzip_etag};
use crate::store::{ChangeProbe, Version};
use actix_web::ResponseError;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A `/v1` URL without `format=` answers JSON, CSV, NDJSON or JSON-LD by `Accept`, and any
/// answer may be gzip-coded by `Accept-Encoding`: caches must key on what selects it, and on
/// nothing else (a `Vary: accept` where `Accept` changes nothing splits a shared cache by every
/// browser's `Accept`).
fn vary_for(req: &ServiceRequest) -> HeaderValue {
    let negotiated = req.path().starts_with("/v1/")
        && !form_urlencoded::parse(req.query_string().as_bytes()).any(|(name, _)| name == "format");
    HeaderValue::from_static(if negotiated {
        "accept, accept-encoding"
    } else {
        "accept-encoding"
    })
}

/// Bodies smaller than this are sent as they are: with the response's headers they fit one TCP
/// segment, so compressing them would cost CPU and save no packet.
const COMPRESS_FROM: usize = 1024;

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
    let policy = cache_policy(&req);
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
    if !res.headers().contains_key(header::CACHE_CONTROL) {
        let value = policy.for_status(res.status());
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    span.in_scope(|| {
        tracing::info!(
            status = res.status().as_u16(),
            micros = started.elapsed().as_micros() as u64,
            "served"
        )
    });
    Ok(res)
}

/// What a response may be kept for, and by whom (RFC 9111), by what was asked. Without it a
/// shared cache (a CDN, a corporate proxy) applies its own heuristic lifetime and may serve a
/// claim after it was patched, a 404 after the record was created, or a cached `/healthz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CachePolicy {
    /// Probes answer for this moment only.
    Probe,
    /// Writes change the record; no answer to one is kept.
    Write,
    /// The document and the docs UI change only with the binary: an hour.
    Static,
    /// A read of the record, by anyone: kept, but revalidated every time (the ETag makes that a
    /// 304 that runs no query).
    Read,
    /// A read with a token: the same, in the client's own cache only.
    PrivateRead,
}

fn cache_policy(req: &ServiceRequest) -> CachePolicy {
    let path = req.path();
    if path == "/healthz" || path == "/readyz" {
        CachePolicy::Probe
    } else if !matches!(*req.method(), Method::GET | Method::HEAD) {
        CachePolicy::Write
    } else if path == "/openapi.json" || path == "/docs" || path.starts_with("/docs/") {
        CachePolicy::Static
    } else if req.headers().contains_key(header::AUTHORIZATION) {
        CachePolicy::PrivateRead
    } else {
        CachePolicy::Read
    }
}

impl CachePolicy {
    fn for_status(self, status: StatusCode) -> &'static str {
        match self {
            CachePolicy::Probe | CachePolicy::Write => "no-store",
            CachePolicy::Static if status.is_success() => "public, max-age=3600",
            CachePolicy::PrivateRead => "private, no-cache",
            CachePolicy::Static | CachePolicy::Read => "no-cache",
        }
    }
}

/// Serves HEAD with the GET handler: the headers (ETag and Content-Length included) are those
/// of the GET. A streamed list's body is dropped before it is polled, so no query runs for it
/// and no byte of it is sent: with the request's method now GET, the HTTP codec would send it,
/// and a client or proxy that pipelines would read it as the next response.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    let res = next.call(req).await?;
    Ok(
        if head && matches!(res.response().body().size(), BodySize::Stream) {
            res.map_body(|_, _| BoxBody::new(actix_web::body::None::new()))
        } else {
            res.map_into_boxed_body()
        },
    )
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
    version: ChangeProbe,
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
    pub fn new(version: ChangeProbe, capacity: usize) -> Validators {
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

/// What a GET's answer depends on besides the data: its path and query, `Accept` (the format),
/// `Authorization` (private reads answer 401 without a token; a revoked token is a change of
/// data) and whether it may be sent gzip-coded.
fn representation_key(req: &ServiceRequest, gzip: bool) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update([u8::from(gzip)]);
    let uri = req.uri();
    hash.update(uri.path().as_bytes());
    hash.update(b"?");
    hash.update(uri.query().unwrap_or_default().as_bytes());
    // Answers that depend on the day (what is due) change at midnight without a write.
    if let Some(clock) = req.app_data::<web::Data<Clock>>() {
        hash.update(clock.today().to_iso().as_bytes());
    }
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
fn not_modified(
    etag: HeaderValue,
    cache_control: Option<HeaderValue>,
    vary: HeaderValue,
) -> HttpResponse {
    let mut res = HttpResponse::NotModified();
    res.insert_header((header::ETAG, etag))
        .insert_header((header::VARY, vary));
    if let Some(cache_control) = cache_control {
        res.insert_header((header::CACHE_CONTROL, cache_control));
    }
    res.finish()
}

/// Whether the client takes gzip over the plain body (`Accept-Encoding`, RFC 9110 12.5.3). Only
/// gzip is offered: every HTTP client decodes it, and it is in actix-web already.
fn accepts_gzip(req: &ServiceRequest) -> bool {
    AcceptEncoding::parse(req)
        .ok()
        .and_then(|accept| accept.negotiate([Encoding::gzip(), Encoding::identity()].iter()))
        == Some(Encoding::gzip())
}

/// Whether a body of this type shrinks when compressed (text, JSON and scripts do; the docs
/// UI's images are compressed already) and is not coded already.
fn compressible(headers: &HeaderMap) -> bool {
    !headers.contains_key(header::CONTENT_ENCODING)
        && headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| {
                let t = t.to_ascii_lowercase();
                t.starts_with("text/") || t.contains("json") || t.contains("javascript")
            })
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    // The fastest level, as actix-web's own encoder uses. Measured on a page of 20 claims
    // (14,301 bytes): level 1 leaves 16% of it, the default level 6 leaves 14% in twice the time.
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::fast(),
    );
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// Adds an `ETag` to every successful GET (but a streamed list, whose size is unbounded) and
/// answers `If-None-Match` with 304: from [`Validators`] when nothing was committed since the
/// ETag was computed, otherwise by computing the answer and comparing. Successful GETs of text
/// are gzip-coded for clients that accept it, when they are at least [`COMPRESS_FROM`] bytes
/// (streamed lists always); a coded answer's ETag is the plain one's with `-gzip`.
pub async fn conditional_get(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if req.method() != Method::GET {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // A GET with If-Match asks for one version only (RFC 9110 13.1.1): any other is a 412.
    let if_match = req
        .headers()
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .filter(|tags| tags.trim() != "*");
    let gzip = accepts_gzip(&req);
    let vary = vary_for(&req);
    // The version is read before the handler runs: a commit during the handler then makes the
    // remembered version older than the answer, which only costs a later recomputation.
    let validators = req.app_data::<web::Data<Validators>>().and_then(|v| {
        Some((
            v.clone(),
            v.version.current()?,
            representation_key(&req, gzip),
        ))
    });
    if let (Some(tags), Some((validators, now, key)), None) =
        (&if_none_match, &validators, &if_match)
        && let Some(known) = validators.current(key, now)
        && none_match(tags, known.etag.to_str().unwrap_or_default())
    {
        return Ok(req.into_response(not_modified(known.etag, known.cache_control, vary)));
    }
    let res = next.call(req).await?;
    let mut res = if res.status() == StatusCode::OK {
        let gzip = gzip && compressible(res.headers());
        represent(
            res,
            gzip,
            validators,
            (if_none_match, if_match),
            vary.clone(),
        )
        .await?
    } else {
        res.map_into_boxed_body()
    };
    res.headers_mut().insert(header::VARY, vary);
    Ok(res)
}

/// A successful GET's answer with its `ETag`, gzip-coded if `gzip` and it pays, or 304 if
/// `If-None-Match` names that `ETag`.
async fn represent<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
    gzip: bool,
    validators: Option<(web::Data<Validators>, Version, [u8; 32])>,
    (if_none_match, if_match): (Option<String>, Option<String>),
    vary: HeaderValue,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // A streamed list is never buffered to hash it: its size is unbounded. Its chunks are
    // compressed as they pass, on a blocking thread.
    if matches!(res.response().body().size(), BodySize::Stream) {
        return Ok(if gzip {
            res.map_body(|head, body| Encoder::response(ContentEncoding::Gzip, head, body))
                .map_into_boxed_body()
        } else {
            res.map_into_boxed_body()
        });
    }
    let (req, res) = res.into_parts();
    let (res, body) = res.into_parts();
    let bytes = body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.into().to_string()))?;
    let gzip = gzip && bytes.len() >= COMPRESS_FROM;
    // A handler that knows its answer's version (a stored document's) says it; others are
    // hashed.
    let plain = res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| etag_of(&bytes), str::to_owned);
    let etag = match gzip {
        true => gzip_etag(&plain),
        false => plain.clone(),
    };
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
    if let Some(tags) = if_match {
        let coded = gzip_etag(&plain);
        if !tags
            .split(',')
            .map(str::trim)
            .any(|t| t == plain || t == coded)
        {
            let refused = ApiError::STALE.error_response();
            return Ok(ServiceResponse::new(req, refused));
        }
    }
    if if_none_match.is_some_and(|h| none_match(&h, &etag)) {
        return Ok(ServiceResponse::new(
            req,
            not_modified(etag_value, cache_control, vary),
        ));
    }
    let mut res = if gzip {
        let coded = self::gzip(&bytes).map_err(actix_web::error::ErrorInternalServerError)?;
        let mut res = res.set_body(BoxBody::new(coded));
        res.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        res
    } else {
        res.set_body(BoxBody::new(bytes))
    };
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
