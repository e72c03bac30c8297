//! Request bodies: JSON only, of bounded size, read into a JSON value so that validation can
//! name every failing field rather than the first serde stumbles on.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use serde_json::Value;

use super::error::ApiError;
use super::limits::Limits;
use crate::config::LimitArgs;

/// A JSON object from the request body: `application/json`, or for a PATCH also
/// `application/merge-patch+json` (both read as a merge patch there).
pub struct JsonBody(pub serde_json::Map<String, Value>, pub Vec<u8>);

fn content_type(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

/// How much body a request may send, and how long it may take to send it.
#[derive(Clone, Copy)]
struct BodyLimit {
    bytes: usize,
    timeout: Duration,
}

impl BodyLimit {
    /// The server's limits for a JSON body, or for an import when `import`.
    fn of(req: &HttpRequest, import: bool) -> BodyLimit {
        let (body, imports, timeout) = match req.app_data::<web::Data<Limits>>() {
            Some(l) => (l.max_body_bytes, l.max_import_bytes, l.body_timeout),
            None => {
                let d = LimitArgs::default();
                let timeout = Duration::from_secs(d.body_timeout);
                (d.max_body_bytes, d.max_import_bytes, timeout)
            }
        };
        BodyLimit {
            bytes: if import { imports } else { body },
            timeout,
        }
    }

    /// Refuses at once a body whose declared length is over the limit.
    fn check_declared(self, req: &HttpRequest) -> Result<(), ApiError> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        match declared {
            Some(n) if n > self.bytes as u64 => Err(ApiError::PayloadTooLarge(self.bytes)),
            _ => Ok(()),
        }
    }

    /// Reads the body: at most `bytes` of it, all within `timeout`, so that a client trickling
    /// a body in cannot hold a worker's connection indefinitely.
    async fn read(self, mut payload: Payload) -> Result<Vec<u8>, ApiError> {
        let reading = async {
            let mut bytes = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::MalformedBody(format!("the body could not be read: {e}"))
                })?;
                if bytes.len() + chunk.len() > self.bytes {
                    return Err(ApiError::PayloadTooLarge(self.bytes));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(bytes)
        };
        tokio::time::timeout(self.timeout, reading)
            .await
            .map_err(|_| ApiError::RequestTimeout(self.timeout.as_secs()))?
    }
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<JsonBody, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = content_type(req);
        let patch = req.method() == actix_web::http::Method::PATCH;
        let limit = BodyLimit::of(req, false);
        let declared = limit.check_declared(req);
        let payload = payload.take();
        Box::pin(async move {
            // A merge patch (RFC 7396) is what a PATCH sends; a POST sends a whole record.
            match content_type.as_deref() {
                Some("application/json") => {}
                Some("application/merge-patch+json") if patch => {}
                _ => return Err(ApiError::UnsupportedMediaType),
            }
            declared?;
            let bytes = limit.read(payload).await?;
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(map)) => Ok(JsonBody(map, bytes)),
                Ok(_) => Err(ApiError::MalformedBody(
                    "the body must be a JSON object".into(),
                )),
                Err(e) => Err(ApiError::MalformedBody(format!(
                    "the body is not JSON: {e}"
                ))),
            }
        })
    }
}

/// An NDJSON body (`application/x-ndjson`): one JSON object a line, numbered from 1, read one
/// line at a time so that refusing a large import never holds all of its lines parsed at once.
pub struct NdjsonBody(String);

impl NdjsonBody {
    pub fn lines(
        &self,
    ) -> impl Iterator<Item = Result<(usize, serde_json::Map<String, Value>), ApiError>> {
        self.0
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, line)| match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(map)) => Ok((i + 1, map)),
                Ok(_) => Err(ApiError::MalformedBody(format!(
                    "line {} is not a JSON object",
                    i + 1
                ))),
                Err(e) => Err(ApiError::MalformedBody(format!(
                    "line {} is not JSON: {e}",
                    i + 1
                ))),
            })
    }
}

impl FromRequest for NdjsonBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<NdjsonBody, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = content_type(req);
        let limit = BodyLimit::of(req, true);
        let declared = limit.check_declared(req);
        let payload = payload.take();
        Box::pin(async move {
            match content_type.as_deref() {
                Some("application/x-ndjson" | "application/jsonl") => {}
                _ => return Err(ApiError::UnsupportedMediaType),
            }
            declared?;
            let bytes = limit.read(payload).await?;
            String::from_utf8(bytes)
                .map(NdjsonBody)
                .map_err(|e| ApiError::MalformedBody(format!("the body is not UTF-8: {e}")))
        })
    }
}
