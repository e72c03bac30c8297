//! Limits on what a request may ask: the size of its URL, headers and body, how long it may
//! take, and how often one client may write or search. Every refusal is problem+json with its
//! own `code`, so a client can tell "slow down" from "too big" from "too slow".

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::error::ApiError;
use crate::config::LimitArgs;

pub const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
pub const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

type KeyedLimiter =
    RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock, StateInformationMiddleware>;

/// One rate-limit policy: `quota` requests a minute per client address, in bursts of up to
/// `quota`, refilled evenly (GCRA).
struct Policy {
    name: &'static str,
    quota: NonZeroU32,
    limiter: KeyedLimiter,
}

/// What one request may use, shared by every worker.
pub struct Limits {
    pub max_uri_bytes: usize,
    pub max_header_bytes: usize,
    pub max_body_bytes: usize,
    pub max_import_bytes: usize,
    pub body_timeout: Duration,
    request_timeout: Duration,
    writes: Option<Policy>,
    searches: Option<Policy>,
}

impl Limits {
    pub fn new(args: &LimitArgs) -> Limits {
        let policy = |name, per_minute: u32| {
            NonZeroU32::new(per_minute).map(|quota| Policy {
                name,
                quota,
                limiter: RateLimiter::keyed(Quota::per_minute(quota))
                    .with_middleware::<StateInformationMiddleware>(),
            })
        };
        Limits {
            max_uri_bytes: args.max_uri_bytes,
            max_header_bytes: args.max_header_bytes,
            max_body_bytes: args.max_body_bytes,
            max_import_bytes: args.max_import_bytes,
            body_timeout: Duration::from_secs(args.body_timeout),
            request_timeout: Duration::from_secs(args.request_timeout),
            writes: policy("writes", args.write_rate),
            searches: policy("searches", args.search_rate),
        }
    }

    /// The policy a request counts against: writes, searches (reads with `q`), or none.
    fn policy_for(&self, req: &ServiceRequest) -> Option<&Policy> {
        if !req.path().starts_with("/v1/") {
            return None;
        }
        match *req.method() {
            Method::GET | Method::HEAD => {
                let searches = form_urlencoded::parse(req.query_string().as_bytes())
                    .any(|(name, _)| name == "q");
                self.searches.as_ref().filter(|_| searches)
            }
            // Only methods that change something spend the write allowance: an OPTIONS (or any
            // other method, answered 405) writes nothing.
            Method::POST | Method::PUT | Method::PATCH | Method::DELETE => self.writes.as_ref(),
            _ => None,
        }
    }

    /// Forgets clients whose buckets are full again, so that the table does not grow with
    /// every address ever seen.
    pub fn forget_idle_clients(&self) {
        for policy in [&self.writes, &self.searches].into_iter().flatten() {
            policy.limiter.retain_recent();
        }
    }
}

/// The header fields of draft-ietf-httpapi-ratelimit-headers: the policy, and what is left of
/// it with the seconds until it is whole again.
fn rate_headers(policy: &Policy, remaining: u32, reset: u64) -> [(HeaderName, HeaderValue); 2] {
    let value = |s: String| HeaderValue::from_str(&s).unwrap_or(HeaderValue::from_static(""));
    [
        (
            RATELIMIT_POLICY,
            value(format!("\"{}\";q={};w=60", policy.name, policy.quota)),
        ),
        (
            RATELIMIT,
            value(format!("\"{}\";r={remaining};t={reset}", policy.name)),
        ),
    ]
}

fn header_bytes(req: &ServiceRequest) -> usize {
    req.headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum()
}

/// Refuses requests over the size limits or the client's rate, and answers 503 for one that
/// takes longer than the request timeout. Rate-limited responses carry `RateLimit` and
/// `RateLimit-Policy`; refusals carry `Retry-After` too.
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(limits) = req.app_data::<web::Data<Limits>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let uri_bytes = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_bytes > limits.max_uri_bytes {
        return Ok(req.error_response(ApiError::UriTooLong(limits.max_uri_bytes)));
    }
    if header_bytes(&req) > limits.max_header_bytes {
        return Ok(req.error_response(ApiError::HeadersTooLarge(limits.max_header_bytes)));
    }
    let mut headers = None;
    if let Some(policy) = limits.policy_for(&req) {
        let client = req
            .peer_addr()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
        let seconds_per_cell = 60.0 / f64::from(policy.quota.get());
        match policy.limiter.check_key(&client) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                let used = policy.quota.get().saturating_sub(remaining);
                let reset = (f64::from(used) * seconds_per_cell).ceil() as u64;
                headers = Some(rate_headers(policy, remaining, reset));
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(policy.limiter.clock().now());
                let retry_after = wait.as_secs_f64().ceil().max(1.0) as u64;
                let mut res = req.error_response(ApiError::RateLimited {
                    policy: policy.name,
                    retry_after,
                });
                let response_headers = res.headers_mut();
                for (name, value) in rate_headers(policy, 0, retry_after) {
                    response_headers.insert(name, value);
                }
                response_headers.insert(RETRY_AFTER, HeaderValue::from(retry_after));
                return Ok(res);
            }
        }
    }
    // On a timeout the request is gone with the dropped future, so the answer goes up as an
    // error, which actix renders with `ApiError::error_response` like any other.
    let mut res = tokio::time::timeout(limits.request_timeout, next.call(req))
        .await
        .map_err(|_| ApiError::Timeout(limits.request_timeout.as_secs()))??
        .map_into_boxed_body();
    for (name, value) in headers.into_iter().flatten() {
        res.headers_mut().insert(name, value);
    }
    Ok(res)
}
