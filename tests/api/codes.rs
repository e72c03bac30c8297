//! Every problem `code` the document lists is one a request here produces, with its status and
//! its `code` asserted (issue "A test suite that proves every promise on every route", point 2).
//! The codes come from the served document, so a new one without a row fails the test.

use std::time::Duration;

use claimtrail::config::LimitArgs;
use claimtrail::store::tokens::Scope;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{
    TestApp, big_claim, bytes_of, send, spawn_app, spawn_app_limited_to, spawn_limited,
    token_of_scope as token, unlimited,
};

/// A claim in the bundled dataset with an appearance and an assessment.
const CLAIM: &str = "musk-china-3x-us-generation-by-2026";

/// Sends the request that gets `code`, on `app` or on a server of its own set up for it, and
/// returns the answer and the status it must have.
async fn produce(app: &TestApp, code: &str) -> (Answer, StatusCode) {
    let writer = token(app, Scope::Write).await;
    let reader = token(app, Scope::Read).await;
    let get = async |path: &str| app.get(path).await;
    let post = async |path: &str, token: Option<&str>, body: Value| {
        send(app, Method::POST, path, token, Some(&body)).await
    };
    let raw = async |method: Method, path: &str, media: &str, body: &str| {
        app.client
            .request(method, format!("{}{path}", app.address))
            .bearer_auth(&writer)
            .header("content-type", media)
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    };
    let topic = json!({"id": "codes-topic", "names": {"en": "Codes"}});
    let (response, status) = match code {
        "invalid_parameter" => (get("/v1/claims?limit=0").await, StatusCode::BAD_REQUEST),
        "invalid_cursor" => (get("/v1/claims?cursor=nope").await, StatusCode::BAD_REQUEST),
        "claim_not_found" => (get("/v1/claims/nope").await, StatusCode::NOT_FOUND),
        "claimant_not_found" => (get("/v1/claimants/nope").await, StatusCode::NOT_FOUND),
        "source_not_found" => (get("/v1/sources/nope").await, StatusCode::NOT_FOUND),
        "topic_not_found" => (get("/v1/topics/nope").await, StatusCode::NOT_FOUND),
        "indicator_not_found" => (get("/v1/indicators/nope").await, StatusCode::NOT_FOUND),
        "appearance_not_found" => (
            get(&format!("/v1/claims/{CLAIM}/appearances/nope")).await,
            StatusCode::NOT_FOUND,
        ),
        "assessment_not_found" => (
            get(&format!("/v1/claims/{CLAIM}/assessments/nope")).await,
            StatusCode::NOT_FOUND,
        ),
        "route_not_found" => (get("/v2/claims").await, StatusCode::NOT_FOUND),
        "method_not_allowed" => (
            raw(Method::PUT, "/v1/claims", "application/json", "{}").await,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        "not_acceptable" => {
            let response = app
                .client
                .get(format!("{}/v1/claims", app.address))
                .header("accept", "image/png")
                .send()
                .await
                .unwrap();
            (response, StatusCode::NOT_ACCEPTABLE)
        }
        "unauthorized" => (
            post("/v1/topics", None, topic).await,
            StatusCode::UNAUTHORIZED,
        ),
        "forbidden" => (
            post("/v1/topics", Some(&reader), topic).await,
            StatusCode::FORBIDDEN,
        ),
        "malformed_body" => (
            raw(Method::POST, "/v1/topics", "application/json", "{\"id\":").await,
            StatusCode::BAD_REQUEST,
        ),
        "unsupported_media_type" => (
            raw(Method::POST, "/v1/topics", "text/plain", "codes").await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        "validation_failed" => (
            post("/v1/topics", Some(&writer), json!({"id": "codes-topic"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        "conflict" => (
            post(
                "/v1/topics",
                Some(&writer),
                json!({"id": "electricity", "names": {"en": "Again"}}),
            )
            .await,
            StatusCode::CONFLICT,
        ),
        "precondition_failed" => {
            let response = app
                .client
                .delete(format!("{}/v1/topics/chips", app.address))
                .bearer_auth(&writer)
                .header("if-match", "\"not-a-version\"")
                .send()
                .await
                .unwrap();
            (response, StatusCode::PRECONDITION_FAILED)
        }
        "payload_too_large" => {
            let app = spawn_limited(LimitArgs {
                max_body_bytes: 1000,
                ..unlimited()
            })
            .await;
            let writer = token(&app, Scope::Write).await;
            let body = json!({"id": "codes-topic", "names": {"en": "x".repeat(2000)}});
            let response = send(&app, Method::POST, "/v1/topics", Some(&writer), Some(&body)).await;
            (response, StatusCode::PAYLOAD_TOO_LARGE)
        }
        "uri_too_long" => {
            let long = format!("/v1/claims?q={}", "x".repeat(40 << 10));
            (get(&long).await, StatusCode::URI_TOO_LONG)
        }
        "headers_too_large" => {
            let response = app
                .client
                .get(format!("{}/v1/claims", app.address))
                .header("x-padding", "x".repeat(20 << 10))
                .send()
                .await
                .unwrap();
            (response, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        }
        "rate_limited" => {
            let app = spawn_limited(LimitArgs {
                write_rate: 1,
                ..unlimited()
            })
            .await;
            let writer = token(&app, Scope::Write).await;
            let first = json!({"id": "codes-1", "names": {"en": "One"}});
            let first = post_on(&app, &writer, &first).await;
            assert_eq!(first.status(), StatusCode::CREATED);
            let second = json!({"id": "codes-2", "names": {"en": "Two"}});
            (
                post_on(&app, &writer, &second).await,
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
        "request_timeout" => return (request_timeout().await, StatusCode::REQUEST_TIMEOUT),
        "processing_timeout" | "database_busy" => {
            // Another process holds the write lock: a write waits for it up to the 5 s busy
            // timeout (`database_busy`), or until the 1 s request timeout when that is shorter.
            let limits = match code {
                "processing_timeout" => LimitArgs {
                    request_timeout: 1,
                    ..unlimited()
                },
                _ => unlimited(),
            };
            let app = spawn_limited(limits).await;
            let writer = token(&app, Scope::Write).await;
            let db = app.db().await;
            let mut other = db.acquire().await.unwrap();
            sqlx::query("begin immediate")
                .execute(&mut *other)
                .await
                .unwrap();
            let response = post_on(&app, &writer, &topic).await;
            sqlx::query("rollback").execute(&mut *other).await.unwrap();
            (response, StatusCode::SERVICE_UNAVAILABLE)
        }
        "storage_full" => {
            let dataset = bytes_of(&app.db().await).await;
            let mib = dataset.div_ceil(1 << 20) + 1;
            let app = spawn_app_limited_to(mib).await;
            let writer = token(&app, Scope::Write).await;
            // Another connection, with no limit of its own, takes all but 8 KiB of the room.
            let db = app.db().await;
            sqlx::query("create table balloon (b blob)")
                .execute(&db)
                .await
                .unwrap();
            while bytes_of(&db).await < (mib << 20) - (8 << 10) {
                sqlx::query("insert into balloon values (zeroblob(4096))")
                    .execute(&db)
                    .await
                    .unwrap();
            }
            let claim = big_claim("codes-full");
            let response = send(
                &app,
                Method::POST,
                "/v1/claims",
                Some(&writer),
                Some(&claim),
            )
            .await;
            (response, StatusCode::INSUFFICIENT_STORAGE)
        }
        "database_unavailable" => {
            // The database file moved away under the server: a write would go to a file that
            // is no longer there at the next start.
            std::fs::rename(&app.db_path, app.db_path.with_extension("moved")).unwrap();
            (
                post("/v1/topics", Some(&writer), topic).await,
                StatusCode::SERVICE_UNAVAILABLE,
            )
        }
        "internal_error" => {
            // Another program damages the database under the server: a table the server
            // reads is gone.
            let mut other =
                sqlx::SqliteConnection::connect(&format!("sqlite://{}", app.db_path.display()))
                    .await
                    .unwrap();
            sqlx::query("pragma foreign_keys = off")
                .execute(&mut other)
                .await
                .unwrap();
            sqlx::query("drop table claim_documents")
                .execute(&mut other)
                .await
                .unwrap();
            other.close().await.unwrap();
            let response = get(&format!("/v1/claims/{CLAIM}")).await;
            (response, StatusCode::INTERNAL_SERVER_ERROR)
        }
        other => panic!("no request here produces the documented code {other}"),
    };
    (Answer::of(response).await, status)
}

async fn post_on(app: &TestApp, token: &str, body: &serde_json::Value) -> Response {
    send(app, Method::POST, "/v1/topics", Some(token), Some(body)).await
}

/// A body that stops arriving: the server answers 408 once the body timeout (1 s) is over, on
/// the connection, before the rest of the body.
/// Read off the socket: the connection is the server's to close, so no client is in between.
async fn request_timeout() -> Answer {
    let app = spawn_limited(LimitArgs {
        body_timeout: 1,
        ..unlimited()
    })
    .await;
    let writer = token(&app, Scope::Write).await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST /v1/topics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {writer}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"id\":"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let reading = async {
        let mut chunk = [0u8; 4096];
        while !String::from_utf8_lossy(&answer).ends_with('}') {
            match stream.read(&mut chunk).await.unwrap() {
                0 => break,
                n => answer.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), reading)
        .await
        .expect("the server answers within 10 s");
    let answer = String::from_utf8(answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type: ")
                .map(str::to_owned)
        })
        .unwrap_or_default();
    Answer {
        status,
        content_type,
        body: serde_json::from_str(body).unwrap(),
    }
}

/// A refusal as read off the wire.
struct Answer {
    status: u16,
    content_type: String,
    body: Value,
}

impl Answer {
    async fn of(response: Response) -> Answer {
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        Answer {
            status: response.status().as_u16(),
            content_type,
            body: response.json().await.unwrap_or(Value::Null),
        }
    }
}

/// Every code the document lists, produced and asserted (status, problem+json, `code`).
#[tokio::test]
async fn every_documented_problem_code_is_produced() {
    let app = spawn_app().await;
    let doc = app.get_json("/openapi.json").await;
    let codes: Vec<String> = doc["components"]["schemas"]["ProblemCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert!(codes.len() >= 29, "{codes:?}");
    for code in &codes {
        // A server of its own for each: some rows damage or fill its database.
        let app = spawn_app().await;
        let (answer, status) = produce(&app, code).await;
        assert_eq!(answer.status, status.as_u16(), "{code}: {}", answer.body);
        assert_eq!(answer.content_type, "application/problem+json", "{code}");
        assert_eq!(answer.body["code"], code.as_str(), "{}", answer.body);
        assert_eq!(answer.body["status"], status.as_u16(), "{}", answer.body);
    }
}
