//! Request bodies: JSON only, of bounded size, read into a JSON value so that validation can
//! name every failing field rather than the first serde stumbles on.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde_json::Value;

use super::error::ApiError;

/// The largest body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON object from the request body (`application/json`, or `application/merge-patch+json`
/// for PATCH).
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

/// Reads a body of at most `limit` bytes.
async fn read(mut payload: Payload, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::MalformedBody(format!("the body could not be read: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<JsonBody, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = content_type(req);
        let payload = payload.take();
        Box::pin(async move {
            match content_type.as_deref() {
                Some("application/json" | "application/merge-patch+json") => {}
                _ => return Err(ApiError::UnsupportedMediaType),
            }
            let bytes = read(payload, MAX_BODY_BYTES).await?;
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

/// The largest import accepted, in bytes.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// An NDJSON body (`application/x-ndjson`): one JSON object a line, numbered from 1.
pub struct NdjsonBody(pub Vec<(usize, serde_json::Map<String, Value>)>);

impl FromRequest for NdjsonBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<NdjsonBody, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = content_type(req);
        let payload = payload.take();
        Box::pin(async move {
            match content_type.as_deref() {
                Some("application/x-ndjson" | "application/jsonl") => {}
                _ => return Err(ApiError::UnsupportedMediaType),
            }
            let bytes = read(payload, MAX_IMPORT_BYTES).await?;
            let text = std::str::from_utf8(&bytes)
                .map_err(|e| ApiError::MalformedBody(format!("the body is not UTF-8: {e}")))?;
            let mut lines = Vec::new();
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                match serde_json::from_str::<Value>(line) {
                    Ok(Value::Object(map)) => lines.push((i + 1, map)),
                    Ok(_) => {
                        return Err(ApiError::MalformedBody(format!(
                            "line {} is not a JSON object",
                            i + 1
                        )));
                    }
                    Err(e) => {
                        return Err(ApiError::MalformedBody(format!(
                            "line {} is not JSON: {e}",
                            i + 1
                        )));
                    }
                }
            }
            Ok(NdjsonBody(lines))
        })
    }
}
