//! The promises every write route makes, checked on every write route from one table (issue "A
//! test suite that proves every promise on every route", point 1): who may write, that the token
//! decides before anything else, conditional writes, and idempotent creates.

use claimtrail::store::tokens::Scope;
use reqwest::header::HeaderMap;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, problem, spawn_app, token_of_scope as token};

/// A write route as the document states it.
struct Route {
    method: &'static str,
    template: &'static str,
    /// Takes `If-Match` (and `If-None-Match`): refused with 412 when it names another version.
    conditional: bool,
    /// Takes `Idempotency-Key`: a retry with the same key and body gets the first answer again.
    idempotent: bool,
}

const fn route(method: &'static str, template: &'static str) -> Route {
    let create = matches!(method.as_bytes(), b"POST");
    Route {
        method,
        template,
        conditional: !create,
        idempotent: create,
    }
}

/// Every write operation of the API. Every one needs a `write` (or `admin`) token.
const ROUTES: [Route; 22] = [
    route("POST", "/v1/claims"),
    route("PATCH", "/v1/claims/{id}"),
    route("DELETE", "/v1/claims/{id}"),
    route("POST", "/v1/claims/{id}/appearances"),
    route("PATCH", "/v1/claims/{id}/appearances/{appearance_id}"),
    route("DELETE", "/v1/claims/{id}/appearances/{appearance_id}"),
    route("POST", "/v1/claims/{id}/assessments"),
    route("PATCH", "/v1/claims/{id}/assessments/{assessment_id}"),
    route("DELETE", "/v1/claims/{id}/assessments/{assessment_id}"),
    route("POST", "/v1/claimants"),
    route("PATCH", "/v1/claimants/{id}"),
    route("DELETE", "/v1/claimants/{id}"),
    route("POST", "/v1/sources"),
    route("PATCH", "/v1/sources/{id}"),
    route("DELETE", "/v1/sources/{id}"),
    route("POST", "/v1/topics"),
    route("PATCH", "/v1/topics/{id}"),
    route("DELETE", "/v1/topics/{id}"),
    route("POST", "/v1/indicators"),
    route("PATCH", "/v1/indicators/{id}"),
    route("DELETE", "/v1/indicators/{id}"),
    Route {
        method: "POST",
        template: "/v1/import",
        conditional: false,
        idempotent: false,
    },
];

const DOCUMENT: &str = include_str!("../../openapi/openapi.json");

fn document() -> Value {
    serde_json::from_str(DOCUMENT).unwrap()
}

/// The table and the document list the same write operations, with the same headers.
#[test]
fn the_table_holds_every_write_operation_of_the_document() {
    let doc = document();
    let mut documented = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if matches!(method.as_str(), "get" | "head" | "options") {
                continue;
            }
            let takes = |header: &str| {
                op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["in"] == "header" && p["name"] == header)
            };
            assert_eq!(
                op["security"],
                json!([{"bearer": []}]),
                "{method} {template}"
            );
            documented.push((
                method.to_uppercase(),
                template.clone(),
                takes("If-Match"),
                takes("Idempotency-Key"),
            ));
        }
    }
    let mut table: Vec<_> = ROUTES
        .iter()
        .map(|r| {
            (
                r.method.to_owned(),
                r.template.to_owned(),
                r.conditional,
                r.idempotent,
            )
        })
        .collect();
    documented.sort();
    table.sort();
    assert_eq!(documented, table);
}

/// The operation's request body example as the document gives it, with its media type.
fn example_body(doc: &Value, method: &str, template: &str) -> Option<(String, String)> {
    let op = &doc["paths"][template][method.to_lowercase()];
    let (media, content) = op["requestBody"]["content"].as_object()?.iter().next()?;
    let example = match &content["example"] {
        Value::Null => {
            let reference = content["schema"]["$ref"].as_str().unwrap();
            doc.pointer(reference.trim_start_matches('#')).unwrap()["example"].clone()
        }
        own => own.clone(),
    };
    let text = match example {
        Value::String(text) => text,
        other => other.to_string(),
    };
    Some((media.clone(), text))
}

/// The template with its path parameters replaced by their examples.
fn example_path(doc: &Value, method: &str, template: &str) -> String {
    let op = &doc["paths"][template][method.to_lowercase()];
    let mut path = template.to_owned();
    for parameter in op["parameters"].as_array().into_iter().flatten() {
        if parameter["in"] == "path" {
            let name = parameter["name"].as_str().unwrap();
            path = path.replace(
                &format!("{{{name}}}"),
                parameter["example"].as_str().unwrap(),
            );
        }
    }
    path
}

struct Sent {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn read(response: Response) -> Sent {
    Sent {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

/// Sends one request: `token` as a bearer, `body` with its media type, and extra headers.
async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, &str)>,
    headers: &[(&str, &str)],
) -> Response {
    let method: Method = method.parse().unwrap();
    let mut request = app.client.request(method, format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some((media, body)) = body {
        request = request.header("content-type", media).body(body.to_owned());
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// The record at `path` as a GET reads it: its `ETag` and body.
async fn current(app: &TestApp, path: &str) -> (String, Value) {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    (etag, response.json().await.unwrap())
}

/// Where a PATCH or DELETE of `template` acts: a record created for it by its collection's POST
/// (the POST's own example, its id made unique with `n`), at the `Location` it was given.
async fn target(app: &TestApp, doc: &Value, template: &str, writer: &str, n: usize) -> String {
    let collection = &template[..template.rfind('/').unwrap()];
    let (media, body) = example_body(doc, "POST", collection).unwrap();
    let mut body: Value = serde_json::from_str(&body).unwrap();
    if let Some(id) = body["id"].as_str() {
        body["id"] = json!(format!("{id}-{n}"));
    }
    let path = example_path(doc, "POST", collection);
    let body = body.to_string();
    let created =
        read(call(app, "POST", &path, Some(writer), Some((&media, &body)), &[]).await).await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "POST {path}: {}",
        created.body
    );
    created.headers["location"].to_str().unwrap().to_owned()
}

/// How many records the list at `path` holds.
async fn how_many(app: &TestApp, path: &str) -> usize {
    // A claim's appearances and assessments are listed whole; the other lists count.
    if path.matches('/').count() > 2 {
        app.get_json(path).await["data"].as_array().unwrap().len()
    } else {
        let total = &app.get_json(&format!("{path}?limit=1&count=true")).await["total"];
        total.as_u64().unwrap() as usize
    }
}

/// Who may write: no token or an unknown one is 401 with `WWW-Authenticate`, a `read` token is
/// 403, and the token decides before the body is looked at; `write` and `admin` tokens write.
/// On every write route, with nothing changed by a refusal.
#[tokio::test]
async fn every_write_route_needs_a_write_token_and_the_token_decides_first() {
    let doc = document();
    for route in &ROUTES {
        let app = spawn_app().await;
        let writer = token(&app, Scope::Write).await;
        let admin = token(&app, Scope::Admin).await;
        let reader = token(&app, Scope::Read).await;
        let path = match route.method {
            "POST" => example_path(&doc, route.method, route.template),
            _ => target(&app, &doc, route.template, &writer, 0).await,
        };
        let body = example_body(&doc, route.method, route.template);
        let body = body.as_ref().map(|(m, b)| (m.as_str(), b.as_str()));
        let before = match route.method {
            "POST" => None,
            _ => Some(current(&app, &path).await),
        };
        let what = format!("{} {path}", route.method);

        for presented in [None, Some("ct_0000000000000000_00"), Some("not a token")] {
            let response = call(&app, route.method, &path, presented, body, &[]).await;
            let challenge = response.headers().get("www-authenticate").cloned();
            problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
            let challenge = challenge.unwrap_or_else(|| panic!("{what}: no WWW-Authenticate"));
            assert!(challenge.to_str().unwrap().starts_with("Bearer"), "{what}");
        }
        let response = call(&app, route.method, &path, Some(&reader), body, &[]).await;
        problem(response, StatusCode::FORBIDDEN, "forbidden").await;
        // A body the route does not take: the token is looked at first, every time (the
        // handler's extractors are polled together, so this once depended on timing).
        for _ in 0..12 {
            let wrong = Some(("text/plain", "not json"));
            let response = call(&app, route.method, &path, Some(&reader), wrong, &[]).await;
            problem(response, StatusCode::FORBIDDEN, "forbidden").await;
            let response = call(&app, route.method, &path, None, wrong, &[]).await;
            problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
        }
        if let Some((_, record)) = &before {
            assert_eq!(
                &current(&app, &path).await.1,
                record,
                "{what}: changed by a refusal"
            );
        }

        // Both scopes that may write do: `write` on one copy of the record, `admin` on another.
        for (n, writer) in [(1, &writer), (2, &admin)] {
            let path = match (route.method, route.template) {
                ("POST", _) => path.clone(),
                (_, template) => target(&app, &doc, template, writer, n).await,
            };
            let body = body.map(|(media, text)| {
                // A create of its own each time: an id given in the body is made unique.
                match serde_json::from_str::<Value>(text) {
                    Ok(Value::Object(mut record)) if route.method == "POST" => {
                        if record.contains_key("id") {
                            record.insert("id".into(), json!(format!("by-{}", &writer[3..11])));
                        }
                        (media, Value::Object(record).to_string())
                    }
                    _ => (media, text.to_owned()),
                }
            });
            let body = body.as_ref().map(|(m, b)| (*m, b.as_str()));
            let sent = read(call(&app, route.method, &path, Some(writer), body, &[]).await).await;
            assert!(
                sent.status.is_success(),
                "{what}: {} {}",
                sent.status,
                sent.body
            );
        }
    }
}

/// A conditional write names the version it changes: with an `If-Match` that is no longer
/// current it is 412 `precondition_failed` and the record is as it was; with the current one it
/// is made. On every PATCH and DELETE.
#[tokio::test]
async fn every_conditional_write_refuses_a_stale_version_and_changes_nothing() {
    let doc = document();
    for route in ROUTES.iter().filter(|r| r.conditional) {
        let app = spawn_app().await;
        let writer = token(&app, Scope::Write).await;
        let path = target(&app, &doc, route.template, &writer, 0).await;
        let what = format!("{} {path}", route.method);
        let (stale, _) = current(&app, &path).await;
        // Another version, by the record's PATCH example.
        let (media, patch) = example_body(&doc, "PATCH", route.template).unwrap();
        let changed = read(
            call(
                &app,
                "PATCH",
                &path,
                Some(&writer),
                Some((&media, &patch)),
                &[],
            )
            .await,
        )
        .await;
        assert_eq!(
            changed.status,
            StatusCode::OK,
            "PATCH {path}: {}",
            changed.body
        );
        let (fresh, record) = current(&app, &path).await;
        assert_ne!(fresh, stale, "PATCH {path} made no new version");

        let body = example_body(&doc, route.method, route.template);
        let body = body.as_ref().map(|(m, b)| (m.as_str(), b.as_str()));
        for if_match in [stale.as_str(), "\"not-a-version\"", "W/\"not-a-version\""] {
            let response = call(
                &app,
                route.method,
                &path,
                Some(&writer),
                body,
                &[("if-match", if_match)],
            )
            .await;
            problem(
                response,
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
            )
            .await;
            let (etag, now) = current(&app, &path).await;
            assert_eq!((&etag, &now), (&fresh, &record), "{what}: changed by a 412");
        }
        let response = call(
            &app,
            route.method,
            &path,
            Some(&writer),
            body,
            &[("if-none-match", "*")],
        )
        .await;
        problem(
            response,
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
        )
        .await;
        assert_eq!(
            current(&app, &path).await.1,
            record,
            "{what}: changed by a 412"
        );

        let done = call(
            &app,
            route.method,
            &path,
            Some(&writer),
            body,
            &[("if-match", fresh.as_str())],
        )
        .await;
        assert!(done.status().is_success(), "{what}: {}", done.status());
    }
}

/// A create with an `Idempotency-Key` is answered once: a retry with the same key and body gets
/// the same status, body, `ETag` and `Location` with `Idempotent-Replayed: true` and creates
/// nothing; the same key with another body is a 422 naming the header; and a key is the
/// token's own, so another token's request with it is not a replay. On every POST that takes
/// a key.
#[tokio::test]
async fn every_idempotent_create_replays_its_first_answer_to_its_own_token() {
    let doc = document();
    for route in ROUTES.iter().filter(|r| r.idempotent) {
        let app = spawn_app().await;
        let writer = token(&app, Scope::Write).await;
        let other_writer = token(&app, Scope::Write).await;
        let path = example_path(&doc, route.method, route.template);
        let (media, body) = example_body(&doc, route.method, route.template).unwrap();
        let what = format!("POST {path}");
        let key = [("idempotency-key", "routes-key-1")];

        let post = async |token: &str, body: &str| {
            read(call(&app, "POST", &path, Some(token), Some((&media, body)), &key).await).await
        };
        let first = post(&writer, &body).await;
        assert_eq!(first.status, StatusCode::CREATED, "{what}: {}", first.body);
        assert!(first.headers.get("idempotent-replayed").is_none(), "{what}");
        let location = first.headers["location"].to_str().unwrap().to_owned();
        let (_, created) = current(&app, &location).await;
        let listed = how_many(&app, &path).await;

        for _ in 0..2 {
            let again = post(&writer, &body).await;
            assert_eq!(again.status, first.status, "{what}");
            assert_eq!(again.body, first.body, "{what}");
            for header in ["etag", "location", "content-type"] {
                assert_eq!(
                    again.headers.get(header),
                    first.headers.get(header),
                    "{what}: {header}"
                );
            }
            assert_eq!(again.headers["idempotent-replayed"], "true", "{what}");
        }
        assert_eq!(
            how_many(&app, &path).await,
            listed,
            "{what}: a replay created a record"
        );
        assert_eq!(current(&app, &location).await.1, created, "{what}");

        // The same key with another body.
        let mut other: Value = serde_json::from_str(&body).unwrap();
        other["id"] = json!("routes-another-body");
        let response = call(
            &app,
            "POST",
            &path,
            Some(&writer),
            Some((&media, &other.to_string())),
            &key,
        )
        .await;
        let refusal = problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(
            refusal["errors"][0]["field"], "Idempotency-Key",
            "{refusal}"
        );
        assert_eq!(refusal["error_count"], 1, "{refusal}");

        // Another token with the same key and body makes a request of its own.
        let theirs = post(&other_writer, &body).await;
        assert!(
            theirs.headers.get("idempotent-replayed").is_none(),
            "{what}"
        );
        let first_body: Value = serde_json::from_str(&first.body).unwrap();
        match first_body.get("id") {
            // An id the body gives is taken by now.
            Some(id) if serde_json::from_str::<Value>(&body).unwrap()["id"] == *id => {
                assert_eq!(
                    theirs.status,
                    StatusCode::CONFLICT,
                    "{what}: {}",
                    theirs.body
                );
                let refusal: Value = serde_json::from_str(&theirs.body).unwrap();
                assert_eq!(refusal["code"], "conflict", "{refusal}");
            }
            // An id the server gives: a second record.
            _ => {
                assert_eq!(
                    theirs.status,
                    StatusCode::CREATED,
                    "{what}: {}",
                    theirs.body
                );
                let second: Value = serde_json::from_str(&theirs.body).unwrap();
                assert_ne!(second["id"], first_body["id"], "{what}");
            }
        }
    }
}
