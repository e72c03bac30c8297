//! One error type for the whole API, rendered as RFC 9457 `application/problem+json` with a
//! stable machine `code`. Internal causes are logged, never shown.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::{ToResponse, ToSchema};

use crate::store;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Stable machine-readable error codes. Clients branch on these, never on `title` or `detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// A query parameter or path segment is malformed, out of range, unknown or repeated.
    InvalidParameter,
    /// The `cursor` is not one this list issued.
    InvalidCursor,
    ClaimNotFound,
    ClaimantNotFound,
    AppearanceNotFound,
    AssessmentNotFound,
    SourceNotFound,
    TopicNotFound,
    IndicatorNotFound,
    /// No resource lives at this path.
    RouteNotFound,
    /// The resource exists but not with this method; see the `Allow` header.
    MethodNotAllowed,
    /// None of the formats the client accepts (by `Accept` or `format=`) is one this
    /// resource has.
    NotAcceptable,
    /// The database does not answer (from `/readyz`), or its file was removed or replaced while
    /// the server had it open (from `/readyz` and every write: the write is not kept).
    DatabaseUnavailable,
    /// Another writer holds the database (an import, most often) longer than a write waits
    /// (5 s); nothing was changed. Retry after `Retry-After` seconds.
    DatabaseBusy,
    /// The disk the database is on is full, or the database reached the size it may grow to
    /// (`CLAIMTRAIL_MAX_DATABASE_MIB`); nothing was changed. Reads go on; writes work again as
    /// soon as there is room, with no restart.
    StorageFull,
    /// A fault on the server. It is logged with the request id.
    InternalError,
    /// A write without a valid token; see `WWW-Authenticate`.
    Unauthorized,
    /// The token may not do this (a `read` token writing).
    Forbidden,
    /// The body is not a JSON object.
    MalformedBody,
    /// The body is larger than the server takes (1 MiB; 64 MiB for imports, by default).
    PayloadTooLarge,
    /// The URL (path and query) is longer than the server takes (32 KiB by default).
    UriTooLong,
    /// The request's header fields are larger than the server takes (16 KiB by default).
    HeadersTooLarge,
    /// The body did not arrive in time (10 s by default).
    RequestTimeout,
    /// The client sent more writes or searches than its rate allows; see `Retry-After`.
    RateLimited,
    /// The request took longer than the server allows (30 s by default). Narrow the query.
    ProcessingTimeout,
    /// The body is not `application/json`.
    UnsupportedMediaType,
    /// The body is JSON but not a valid record: `errors` lists every failing field by JSON
    /// pointer.
    ValidationFailed,
    /// The id is taken, or the write would break a revision chain.
    Conflict,
    /// `If-Match` names a version that is no longer current.
    PreconditionFailed,
}

/// One failing input, for validation errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The parameter (or path segment) that failed.
    #[schema(example = "limit")]
    pub field: String,
    /// Why, in a sentence that follows the field name.
    #[schema(example = "must be a whole number from 1 to 100")]
    pub message: String,
}

/// The failing inputs of one request as a problem lists them: the first [`FieldErrors::LISTED`],
/// and how many there were. Only the listed ones are kept, so a request with a million bad
/// fields (an import of a million bad lines) costs no more memory to refuse than one with a
/// hundred.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors {
    pub listed: Vec<FieldError>,
    pub total: usize,
}

impl FieldErrors {
    /// How many failing inputs a problem lists.
    pub const LISTED: usize = 100;

    pub fn push(&mut self, error: FieldError) {
        self.total += 1;
        if self.listed.len() < Self::LISTED {
            self.listed.push(error);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub fn len(&self) -> usize {
        self.total
    }
}

impl Extend<FieldError> for FieldErrors {
    fn extend<I: IntoIterator<Item = FieldError>>(&mut self, errors: I) {
        errors.into_iter().for_each(|e| self.push(e));
    }
}

impl FromIterator<FieldError> for FieldErrors {
    fn from_iter<I: IntoIterator<Item = FieldError>>(errors: I) -> Self {
        let mut out = FieldErrors::default();
        out.extend(errors);
        out
    }
}

impl From<Vec<FieldError>> for FieldErrors {
    fn from(errors: Vec<FieldError>) -> Self {
        errors.into_iter().collect()
    }
}

impl IntoIterator for FieldErrors {
    type Item = FieldError;
    type IntoIter = std::vec::IntoIter<FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.listed.into_iter()
    }
}

/// An RFC 9457 problem detail.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "about:blank",
    "title": "Bad Request",
    "status": 400,
    "detail": "1 query parameter is invalid.",
    "code": "invalid_parameter",
    "errors": [{"field": "limit", "message": "must be a whole number from 1 to 100"}],
        "error_count": 1
}))]
pub struct Problem {
    /// Always `about:blank`: the `code` says which problem it is.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub problem_type: &'static str,
    /// The HTTP status phrase.
    #[schema(example = "Bad Request")]
    pub title: &'static str,
    /// The HTTP status code.
    #[schema(example = 400)]
    pub status: u16,
    /// What went wrong with this request, for people.
    #[schema(example = "1 query parameter is invalid.")]
    pub detail: String,
    pub code: ProblemCode,
    /// The failing fields or parameters, for validation errors: every one, or the first 100
    /// when there were more (`error_count` says how many).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 100)]
    pub errors: Option<Vec<FieldError>>,
    /// How many fields or parameters failed, listed in `errors` or not; with `errors` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 1, minimum = 1)]
    pub error_count: Option<usize>,
}

/// The request was malformed: see `errors` for each failing parameter.
#[derive(ToResponse)]
#[response(
    description = "The request is malformed. `errors` lists every failing parameter.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Bad Request", "status": 400,
        "detail": "1 query parameter is invalid.", "code": "invalid_parameter",
        "errors": [{"field": "limit", "message": "must be a whole number from 1 to 100"}],
        "error_count": 1
    })
)]
pub struct BadRequest(pub Problem);

/// The resource does not exist.
#[derive(ToResponse)]
#[response(
    description = "There is no resource with this id.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Not Found", "status": 404,
        "detail": "There is no claim with id \"no-such-claim\".", "code": "claim_not_found"
    })
)]
pub struct NotFound(pub Problem);

/// A fault on the server.
#[derive(ToResponse)]
#[response(
    description = "A fault on the server. The cause is logged under the response's `X-Request-Id`.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Internal Server Error", "status": 500,
        "detail": "The server failed to answer. Quote the X-Request-Id header when reporting it.",
        "code": "internal_error"
    })
)]
pub struct InternalError(pub Problem);

/// None of the accepted formats is available.
#[derive(ToResponse)]
#[response(
    description = "None of the formats asked for (by `Accept` or `format=`) is one this resource has.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Not Acceptable", "status": 406,
        "detail": "This resource is available as application/json, text/csv; charset=utf-8, application/x-ndjson; ask for one of them with Accept or format=.",
        "code": "not_acceptable"
    })
)]
pub struct NotAcceptable(pub Problem);

/// No token, or one that is not valid.
#[derive(ToResponse)]
#[response(
    description = "No token, or a token that is not valid or was revoked; see `WWW-Authenticate`. \
                   Reads answer this only when the server runs with `CLAIMTRAIL_PUBLIC_READS=false`.",
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"claimtrail\"`")),
    example = json!({
        "type": "about:blank", "title": "Unauthorized", "status": 401,
        "detail": "This needs a token: send Authorization: Bearer <token>.", "code": "unauthorized"
    })
)]
pub struct Unauthorized(pub Problem);

/// A token without the scope the request needs.
#[derive(ToResponse)]
#[response(
    description = "The token may only read; writes need a token with the write scope.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Forbidden", "status": 403,
        "detail": "This token may only read; writes need a token with the write scope.", "code": "forbidden"
    })
)]
pub struct Forbidden(pub Problem);

/// The client is over its rate of writes or searches.
#[derive(ToResponse)]
#[response(
    description = "Too many writes (POST, PATCH, DELETE) or searches (reads with `q`) from this \
                   client address: 120 writes and 600 searches a minute unless \
                   `CLAIMTRAIL_WRITE_RATE` and `CLAIMTRAIL_SEARCH_RATE` say otherwise. Every \
                   write and search response carries `RateLimit` and `RateLimit-Policy` \
                   (draft-ietf-httpapi-ratelimit-headers).",
    content_type = "application/problem+json",
    headers(
        ("Retry-After" = u64, description = "Seconds until the next request will be taken."),
        ("RateLimit" = String, description = "What is left: `\"writes\";r=0;t=1` (requests remaining, seconds until the allowance is whole)."),
        ("RateLimit-Policy" = String, description = "The policy: `\"writes\";q=120;w=60` (requests per window of 60 seconds).")
    ),
    example = json!({
        "type": "about:blank", "title": "Too Many Requests", "status": 429,
        "detail": "Too many writes from this client: retry after 1 s. The RateLimit and RateLimit-Policy headers say how many are left and when they refill.",
        "code": "rate_limited"
    })
)]
pub struct TooManyRequests(pub Problem);

/// The URL is too long.
#[derive(ToResponse)]
#[response(
    description = "The path and query are longer than the server takes: 32 KiB unless \
                   `CLAIMTRAIL_MAX_URI_BYTES` says otherwise. A URL over 64 KiB is refused \
                   earlier, by the HTTP layer, with a bare `400` and no body.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "URI Too Long", "status": 414,
        "detail": "The URL is longer than 32 KiB. Narrow the query, or send fewer parameters.",
        "code": "uri_too_long"
    })
)]
pub struct UriTooLong(pub Problem);

/// The header fields are too large.
#[derive(ToResponse)]
#[response(
    description = "The header fields are larger than the server takes: 16 KiB in all unless \
                   `CLAIMTRAIL_MAX_HEADER_BYTES` says otherwise. A request head over 128 KiB, \
                   or with more than 96 header fields, is refused earlier, by the HTTP layer, \
                   with a bare `431` and no body.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Request Header Fields Too Large", "status": 431,
        "detail": "The request's header fields are larger than 16 KiB.",
        "code": "headers_too_large"
    })
)]
pub struct HeadersTooLarge(pub Problem);

/// The body came too slowly.
#[derive(ToResponse)]
#[response(
    description = "The body did not arrive in time: 10 s unless `CLAIMTRAIL_BODY_TIMEOUT` says \
                   otherwise.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Request Timeout", "status": 408,
        "detail": "The request body did not arrive within 10 s.",
        "code": "request_timeout"
    })
)]
pub struct RequestTimeout(pub Problem);

/// The server took too long.
#[derive(ToResponse)]
#[response(
    description = "The request was not answered in time (30 s unless `CLAIMTRAIL_REQUEST_TIMEOUT` \
                   says otherwise), or the database does not answer. A write answered so may or \
                   may not have been applied: retry it with the same `Idempotency-Key`. A write \
                   that found the database held by another writer for 5 s (an import) is \
                   `database_busy`, with `Retry-After`: it was not applied. One that found the \
                   database file removed or replaced while the server had it open is \
                   `database_unavailable`: it is not kept, and no write is until a restart.",
    headers(("Retry-After" = u64, description = "With `database_busy`: seconds to wait before retrying.")),
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Service Unavailable", "status": 503,
        "detail": "The request was not answered within 30 s. Narrow it: a more specific q, a filter, or a smaller limit.",
        "code": "processing_timeout"
    })
)]
pub struct ServiceUnavailable(pub Problem);

/// No room to store a write.
#[derive(ToResponse)]
#[response(
    description = "The server has no room to store the write: its disk is full, or the database \
                   reached `CLAIMTRAIL_MAX_DATABASE_MIB`. Nothing was changed; reads go on, and \
                   writes work again as soon as there is room.",
    headers(("Retry-After" = u64, description = "Seconds to wait before retrying (60).")),
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Insufficient Storage", "status": 507,
        "detail": "The server has no room to store this write; nothing was changed. Reads go on. Retry after 60 s, or tell the operator.",
        "code": "storage_full"
    })
)]
pub struct InsufficientStorage(pub Problem);

/// A write's condition does not hold.
#[derive(ToResponse)]
#[response(
    description = "`If-Match` names an older version of the record, or `If-None-Match` names \
                   (or, as `*`, finds) its current one; nothing changed.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Precondition Failed", "status": 412,
        "detail": "If-Match does not name the current version (ETag) of this resource: fetch it again and retry.",
        "code": "precondition_failed"
    })
)]
pub struct StaleWrite(pub Problem);

/// A write's body is larger than the server takes.
#[derive(ToResponse)]
#[response(
    description = "The body is larger than the server takes: 1 MiB unless \
                   `CLAIMTRAIL_MAX_BODY_BYTES` says otherwise.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Payload Too Large", "status": 413,
        "detail": "The request body is larger than 1 MiB.", "code": "payload_too_large"
    })
)]
pub struct PayloadTooLarge(pub Problem);

/// A POST's body is not JSON.
#[derive(ToResponse)]
#[response(
    description = "The body is not application/json.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Unsupported Media Type", "status": 415,
        "detail": "Send the body as application/json (or application/merge-patch+json for PATCH).",
        "code": "unsupported_media_type"
    })
)]
pub struct NotJson(pub Problem);

/// A PATCH's body is not a merge patch.
#[derive(ToResponse)]
#[response(
    description = "The body is neither application/merge-patch+json nor application/json.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Unsupported Media Type", "status": 415,
        "detail": "Send the body as application/json (or application/merge-patch+json for PATCH).",
        "code": "unsupported_media_type"
    })
)]
pub struct NotMergePatch(pub Problem);

/// A condition of the request does not hold.
#[derive(ToResponse)]
#[response(
    description = "`If-Match` names no current version of the resource (a GET with `If-Match` \
                   asks for this version only); nothing is sent.",
    content_type = "application/problem+json",
    example = json!({
        "type": "about:blank", "title": "Precondition Failed", "status": 412,
        "detail": "If-Match does not name the current version (ETag) of this resource: fetch it again and retry.",
        "code": "precondition_failed"
    })
)]
pub struct PreconditionFailed(pub Problem);

/// The representation the client holds is current.
#[derive(ToResponse)]
#[response(
    description = "Not modified: the `If-None-Match` header matches the current `ETag`. No body."
)]
pub struct NotModified;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid parameters: {0:?}")]
    InvalidParameters(FieldErrors),
    #[error("invalid cursor: {0}")]
    InvalidCursor(String),
    #[error("{detail}")]
    NotFound { code: ProblemCode, detail: String },
    #[error("no route for {0}")]
    RouteNotFound(String),
    #[error("method not allowed; allowed: {allow}")]
    MethodNotAllowed { allow: String },
    #[error("not acceptable; supported: {supported:?}")]
    NotAcceptable { supported: Vec<&'static str> },
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("forbidden")]
    Forbidden,
    #[error("malformed body: {0}")]
    MalformedBody(String),
    #[error("payload larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("URL longer than {0} bytes")]
    UriTooLong(usize),
    #[error("headers larger than {0} bytes")]
    HeadersTooLarge(usize),
    #[error("body not received within {0} s")]
    RequestTimeout(u64),
    #[error("rate limited by {policy}; retry after {retry_after} s")]
    RateLimited {
        policy: &'static str,
        retry_after: u64,
    },
    #[error("not answered within {0} s")]
    Timeout(u64),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("validation failed: {0:?}")]
    Validation(FieldErrors),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A condition of the request (`If-Match`, `If-None-Match`) does not hold; the detail says
    /// which.
    #[error("precondition failed")]
    PreconditionFailed(&'static str),
    /// Storage failed: busy, full, gone or not answering become 503/507 with their own code;
    /// anything else is a 500.
    #[error(transparent)]
    Storage(#[from] store::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What a write refused as `database_busy` is told to wait: long enough for a batch of another
/// writer to commit, short enough that a client retrying by it loses little.
const BUSY_RETRY_SECONDS: u64 = 2;

/// What a write refused as `storage_full` is told to wait: room comes back when an operator
/// makes it, not by itself, so a client should not retry in a tight loop.
const FULL_RETRY_SECONDS: u64 = 60;

impl ApiError {
    /// `If-Match` names no current version.
    pub const STALE: ApiError = ApiError::PreconditionFailed(
        "If-Match does not name the current version (ETag) of this resource: fetch it again and \
         retry.",
    );

    pub fn not_found(code: ProblemCode, what: &str, id: &str) -> ApiError {
        ApiError::NotFound {
            code,
            detail: format!("There is no {what} with id {id:?}."),
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::InvalidParameters(
            vec![FieldError {
                field: field.to_owned(),
                message: message.into(),
            }]
            .into(),
        )
    }

    fn code(&self) -> ProblemCode {
        match self {
            ApiError::InvalidParameters(_) => ProblemCode::InvalidParameter,
            ApiError::InvalidCursor(_) => ProblemCode::InvalidCursor,
            ApiError::NotFound { code, .. } => *code,
            ApiError::RouteNotFound(_) => ProblemCode::RouteNotFound,
            ApiError::MethodNotAllowed { .. } => ProblemCode::MethodNotAllowed,
            ApiError::NotAcceptable { .. } => ProblemCode::NotAcceptable,
            ApiError::Unauthorized(_) => ProblemCode::Unauthorized,
            ApiError::Forbidden => ProblemCode::Forbidden,
            ApiError::MalformedBody(_) => ProblemCode::MalformedBody,
            ApiError::PayloadTooLarge(_) => ProblemCode::PayloadTooLarge,
            ApiError::UriTooLong(_) => ProblemCode::UriTooLong,
            ApiError::HeadersTooLarge(_) => ProblemCode::HeadersTooLarge,
            ApiError::RequestTimeout(_) => ProblemCode::RequestTimeout,
            ApiError::RateLimited { .. } => ProblemCode::RateLimited,
            ApiError::Timeout(_) => ProblemCode::ProcessingTimeout,
            ApiError::UnsupportedMediaType => ProblemCode::UnsupportedMediaType,
            ApiError::Validation(_) => ProblemCode::ValidationFailed,
            ApiError::Conflict(_) => ProblemCode::Conflict,
            ApiError::PreconditionFailed(_) => ProblemCode::PreconditionFailed,
            ApiError::Storage(e) => match e {
                store::Error::Gone(_) | store::Error::Unavailable(_) => {
                    ProblemCode::DatabaseUnavailable
                }
                store::Error::Busy(_) => ProblemCode::DatabaseBusy,
                store::Error::Full(_) => ProblemCode::StorageFull,
                store::Error::Other(_) => ProblemCode::InternalError,
            },
            ApiError::Internal(_) => ProblemCode::InternalError,
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::InvalidParameters(errors) => {
                counted(errors, "parameter is invalid", "parameters are invalid")
            }
            ApiError::InvalidCursor(why) => format!(
                "The cursor is not valid for this list ({why}). Use a next_cursor exactly as this \
                 list returned it, with the same sort."
            ),
            ApiError::NotFound { detail, .. } => detail.clone(),
            ApiError::RouteNotFound(path) => format!(
                "There is no resource at {path}. The API is described at /openapi.json and /docs."
            ),
            ApiError::MethodNotAllowed { allow } => {
                format!("This resource does not support that method. It supports: {allow}.")
            }
            ApiError::NotAcceptable { supported } => format!(
                "This resource is available as {}; ask for one of them with Accept or format=.",
                supported.join(", ")
            ),
            ApiError::Unauthorized(why) => (*why).to_owned(),
            ApiError::Forbidden => {
                "This token may only read; writes need a token with the write scope.".to_owned()
            }
            ApiError::MalformedBody(why) => format!("The request body cannot be read: {why}."),
            ApiError::PayloadTooLarge(limit) => {
                format!("The request body is larger than {}.", bytes(*limit))
            }
            ApiError::UriTooLong(limit) => format!(
                "The URL is longer than {}. Narrow the query, or send fewer parameters.",
                bytes(*limit)
            ),
            ApiError::HeadersTooLarge(limit) => {
                format!(
                    "The request's header fields are larger than {}.",
                    bytes(*limit)
                )
            }
            ApiError::RequestTimeout(seconds) => {
                format!("The request body did not arrive within {seconds} s.")
            }
            ApiError::RateLimited {
                policy,
                retry_after,
            } => format!(
                "Too many {policy} from this client: retry after {retry_after} s. The RateLimit \
                 and RateLimit-Policy headers say how many are left and when they refill."
            ),
            ApiError::Timeout(seconds) => format!(
                "The request was not answered within {seconds} s. Narrow it: a more specific \
                 q, a filter, or a smaller limit."
            ),
            ApiError::UnsupportedMediaType => {
                "Send the body as application/json (or application/merge-patch+json for PATCH)."
                    .to_owned()
            }
            ApiError::Validation(errors) => {
                counted(errors, "field is invalid", "fields are invalid")
            }
            ApiError::Conflict(why) => why.clone(),
            ApiError::PreconditionFailed(detail) => (*detail).to_owned(),
            ApiError::Storage(store::Error::Gone(_)) => {
                "The database file was removed or replaced while the server had it open: \
                 nothing is kept from now on, so nothing is taken until the server is restarted."
                    .to_owned()
            }
            ApiError::Storage(store::Error::Unavailable(_)) => {
                "The database does not answer.".to_owned()
            }
            ApiError::Storage(store::Error::Busy(_)) => format!(
                "Another writer (an import, most often) holds the database; nothing was \
                 changed. Retry after {BUSY_RETRY_SECONDS} s."
            ),
            ApiError::Storage(store::Error::Full(_)) => format!(
                "The server has no room to store this write; nothing was changed. Reads go on. \
                 Retry after {FULL_RETRY_SECONDS} s, or tell the operator."
            ),
            ApiError::Storage(store::Error::Other(_)) | ApiError::Internal(_) => {
                "The server failed to answer. Quote the X-Request-Id header \
                                      when reporting it."
                    .to_owned()
            }
        }
    }

    fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            ApiError::InvalidParameters(errors) | ApiError::Validation(errors) => Some(errors),
            _ => None,
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            problem_type: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: self.detail(),
            code: self.code(),
            errors: self.field_errors().map(|e| e.listed.clone()),
            error_count: self.field_errors().map(FieldErrors::len),
        }
    }
}

/// "3 fields are invalid.", and which of them the problem lists when it cannot list all.
fn counted(errors: &FieldErrors, one: &str, many: &str) -> String {
    match errors.len() {
        1 => format!("1 {one}."),
        n if n > errors.listed.len() => {
            format!("{n} {many}; the first {} are listed.", errors.listed.len())
        }
        n => format!("{n} {many}."),
    }
}

/// A byte count as people write it: 1 MiB, 32 KiB, 100 bytes.
fn bytes(n: usize) -> String {
    match n {
        n if n >= 1 << 20 && n.is_multiple_of(1 << 20) => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n.is_multiple_of(1 << 10) => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidParameters(_) | ApiError::InvalidCursor(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound { .. } | ApiError::RouteNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::MalformedBody(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::Storage(e) => match e {
                store::Error::Gone(_) | store::Error::Unavailable(_) | store::Error::Busy(_) => {
                    StatusCode::SERVICE_UNAVAILABLE
                }
                store::Error::Full(_) => StatusCode::INSUFFICIENT_STORAGE,
                store::Error::Other(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            // Only the operator can put the file back (by restarting the server on it).
            ApiError::Storage(cause @ store::Error::Gone(_)) => {
                tracing::error!(error = %cause, "database unavailable")
            }
            ApiError::Storage(cause @ store::Error::Unavailable(_)) => {
                tracing::warn!(error = %cause, "database unavailable")
            }
            ApiError::Storage(cause @ store::Error::Busy(_)) => {
                tracing::warn!(error = %cause, "database busy")
            }
            // Only the operator can make room, so each refused write is logged at error.
            ApiError::Storage(cause @ store::Error::Full(_)) => {
                tracing::error!(error = %cause, "a write was refused: no room to store it")
            }
            ApiError::Storage(cause @ store::Error::Other(_)) => {
                tracing::error!(error = ?cause, "request failed")
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        if let ApiError::MethodNotAllowed { allow } = self {
            response.insert_header((header::ALLOW, allow.as_str()));
        }
        match self {
            ApiError::Storage(store::Error::Busy(_)) => {
                response.insert_header((header::RETRY_AFTER, BUSY_RETRY_SECONDS));
            }
            ApiError::Storage(store::Error::Full(_)) => {
                response.insert_header((header::RETRY_AFTER, FULL_RETRY_SECONDS));
            }
            _ => {}
        }
        if let ApiError::Unauthorized(_) = self {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"claimtrail\""));
        }
        response.json(self.problem())
    }
}
