//! Limits: sizes of URLs, headers and bodies, slow answers, and rates (a slow body is a row of
//! codes.rs).

use claimtrail::config::LimitArgs;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Connection;

use crate::support::{header, problem, spawn_limited, unlimited};

#[tokio::test]
async fn writes_over_the_rate_get_429_with_retry_after_and_ratelimit_headers() {
    let app = spawn_limited(LimitArgs {
        write_rate: 3,
        ..unlimited()
    })
    .await;
    let url = format!("{}/v1/claims", app.address);
    let mut remaining = Vec::new();
    for _ in 0..3 {
        // Without a token: refused, but counted, so that guessing tokens is rate limited too.
        let response = app
            .client
            .post(&url)
            .json(&Value::Null)
            .send()
            .await
            .unwrap();
        let policy = header(&response, "ratelimit-policy");
        let ratelimit = header(&response, "ratelimit");
        problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
        assert_eq!(policy, "\"writes\";q=3;w=60");
        remaining.push(ratelimit);
    }
    assert_eq!(remaining[0], "\"writes\";r=2;t=20");
    assert!(remaining[2].starts_with("\"writes\";r=0;"), "{remaining:?}");
    let response = app
        .client
        .post(&url)
        .json(&Value::Null)
        .send()
        .await
        .unwrap();
    let retry_after: u64 = header(&response, "retry-after").parse().unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    assert_eq!(
        header(&response, "ratelimit"),
        format!("\"writes\";r=0;t={retry_after}")
    );
    let body = problem(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert!(body["detail"].as_str().unwrap().contains("writes"));
    // Reads, searches (not limited here) and the service routes are not counted as writes.
    for path in ["/v1/claims", "/v1/claims?q=power", "/healthz"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.headers().get("ratelimit").is_none(), "{path}");
    }
}

#[tokio::test]
async fn searches_over_the_rate_get_429_and_plain_reads_do_not_count() {
    let app = spawn_limited(LimitArgs {
        search_rate: 2,
        ..unlimited()
    })
    .await;
    for _ in 0..2 {
        let response = app.get("/v1/claims?q=%E7%94%B5%E5%8A%9B").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            header(&response, "ratelimit-policy"),
            "\"searches\";q=2;w=60"
        );
    }
    for _ in 0..5 {
        assert_eq!(app.get("/v1/claims?limit=1").await.status(), StatusCode::OK);
    }
    let response = app.get("/v1/sources?q=musk").await;
    assert!(response.headers().contains_key("retry-after"));
    problem(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn urls_headers_and_bodies_over_their_limits_are_refused() {
    let app = spawn_limited(LimitArgs {
        max_uri_bytes: 4096,
        max_header_bytes: 2048,
        max_body_bytes: 1000,
        ..unlimited()
    })
    .await;
    let long = format!("/v1/claims?q={}", "a".repeat(4096));
    problem(
        app.get(&long).await,
        StatusCode::URI_TOO_LONG,
        "uri_too_long",
    )
    .await;
    // Just under the limit is an ordinary search.
    let fits = format!("/v1/claims?q={}", "a".repeat(4000));
    assert_eq!(app.get(&fits).await.status(), StatusCode::OK);

    let response = app
        .client
        .get(format!("{}/v1/claims", app.address))
        .header("x-padding", "p".repeat(3000))
        .send()
        .await
        .unwrap();
    problem(
        response,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "headers_too_large",
    )
    .await;

    let body = format!("{{\"note\": \"{}\"}}", "n".repeat(1000));
    let response = app
        .client
        .post(format!("{}/v1/claims", app.address))
        .header("content-type", "application/json")
        .bearer_auth(crate::support::token(&app).await)
        .body(body)
        .send()
        .await
        .unwrap();
    let problem = problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert!(problem["detail"].as_str().unwrap().contains("1000 bytes"));
}

#[tokio::test]
async fn a_request_that_takes_longer_than_the_timeout_gets_503() {
    let app = spawn_limited(LimitArgs {
        request_timeout: 1,
        ..unlimited()
    })
    .await;
    // Another process holds the write lock, so a write waits for it (up to the 5 s busy
    // timeout) and the request outlasts its 1 s.
    let token = crate::support::token(&app).await;
    let mut other = sqlx::SqliteConnection::connect(&format!("sqlite://{}", app.db_path.display()))
        .await
        .unwrap();
    sqlx::query("begin immediate")
        .execute(&mut other)
        .await
        .unwrap();
    let response = app
        .client
        .patch(format!("{}/v1/topics/chips", app.address))
        .bearer_auth(&token)
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"description": "Written while another process holds the lock."}"#)
        .send()
        .await
        .unwrap();
    problem(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "processing_timeout",
    )
    .await;
    sqlx::query("rollback").execute(&mut other).await.unwrap();
}
