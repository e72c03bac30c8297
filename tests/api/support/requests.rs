//! Tokens, and requests made with them.

use claimtrail::store::tokens::Scope;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::TestApp;

/// A token of `scope`, made the way `claimtrail token create` makes one.
pub async fn token_of_scope(app: &TestApp, scope: Scope) -> String {
    let store = claimtrail::store::Store::open(&app.db_path, 1, None)
        .await
        .unwrap();
    let (_, token) = claimtrail::store::tokens::create(&store, "tests", scope)
        .await
        .unwrap();
    store.close().await;
    token
}

/// A token that may write.
pub async fn token(app: &TestApp) -> String {
    token_of_scope(app, Scope::Write).await
}

/// Sends `method` to `path`, with the token and the JSON body when given.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Response {
    let mut request = app.client.request(method, format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

/// POSTs `body` to `path` with `token`.
pub async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> Response {
    send(app, Method::POST, path, Some(token), Some(body)).await
}

/// POSTs `lines` to `/v1/import`, one a line.
pub async fn import(app: &TestApp, token: &str, lines: &[Value]) -> Response {
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    app.client
        .post(format!("{}/v1/import", app.address))
        .bearer_auth(token)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The `ETag` of a GET of `path` that must answer 200, gzip-coded when asked.
pub async fn etag_of(app: &TestApp, path: &str, gzip: bool) -> String {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if gzip {
        request = request.header("accept-encoding", "gzip");
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    header(&response, "etag")
}

/// A header the response must have, as text.
pub fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header on {}", response.url()))
        .to_str()
        .unwrap()
        .to_owned()
}

/// A claim with 16,000 characters of text: a few of them fill 256 KiB.
pub fn big_claim(id: &str) -> Value {
    json!({
        "id": id, "claimant": "openai", "kind": "assertion", "stated_on": "2026-05-01",
        "text": {"en": format!("{id} ").repeat(16_000 / (id.len() + 1))},
    })
}
