//! Hostile input on every operation of the document: injection strings, NUL bytes, invalid
//! UTF-8, huge and negative numbers, unknown and repeated parameters, tampered and foreign
//! cursors, malformed, mistyped, huge and deeply nested bodies. Each must get a 4xx
//! problem+json with a `code`, of a status the operation documents, or, where the input is in
//! fact acceptable (SQL text searched for as words), an ordinary answer. Never a 5xx.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::bundled::bundled;
use crate::hostile_values::HOSTILE_VALUES;
use crate::support::{TestApp, spawn_app, token};

/// Tallies answers by status, for the figure the test prints.
#[derive(Default)]
struct Tally(BTreeMap<u16, usize>);

impl Tally {
    fn total(&self) -> usize {
        self.0.values().sum()
    }
}

struct Probe<'a> {
    app: &'a TestApp,
    doc: &'a Value,
    token: String,
    tally: Tally,
}

impl Probe<'_> {
    /// Sends one request for the documented `method template` and checks the answer: no 5xx;
    /// a 4xx is problem+json with a `code` and a status the operation (or, for a path no
    /// operation has, the router) documents. Returns the status.
    async fn send(
        &mut self,
        method: &str,
        template: &str,
        path_and_query: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> (StatusCode, Value) {
        let url = format!("{}{path_and_query}", self.app.address);
        let mut request = self
            .app
            .client
            .request(
                Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                url,
            )
            .bearer_auth(&self.token);
        let mut sent = String::new();
        if let Some((content_type, bytes)) = body {
            sent = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
            request = request.header("content-type", content_type).body(bytes);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        *self.tally.0.entry(status.as_u16()).or_default() += 1;
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let text = response.text().await.unwrap();
        let what = format!("{} {path_and_query} {sent}", method.to_uppercase());
        assert!(
            !status.is_server_error(),
            "{what} answered {status}: {text}"
        );
        if !status.is_client_error() {
            return (status, Value::Null);
        }
        assert_eq!(
            content_type.as_deref(),
            Some("application/problem+json"),
            "{what} answered {status} without problem+json: {text}"
        );
        let problem: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(problem["status"], status.as_u16(), "{what}: {problem}");
        assert!(problem["code"].is_string(), "{what}: {problem}");
        let documented = &self.doc["paths"][template][method]["responses"][status.as_str()];
        // 404 and 405 for paths that match no route come from the router, which is not an
        // operation; every other status must be one the operation lists.
        let by_router = matches!(status.as_u16(), 404 | 405)
            && matches!(
                problem["code"].as_str(),
                Some("route_not_found" | "method_not_allowed")
            );
        assert!(
            !documented.is_null() || by_router,
            "{what}: {status} is not documented for {method} {template}: {problem}"
        );
        (status, problem)
    }
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "post", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            ops.push((method.clone(), template.clone(), op.clone()));
        }
    }
    ops
}

/// The operation's query parameters, each with whether it may be repeated (a list).
fn query_parameters(op: &Value) -> Vec<(String, bool)> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query")
        .map(|p| {
            let repeatable = p["schema"]["type"].to_string().contains("array");
            (p["name"].as_str().unwrap().to_owned(), repeatable)
        })
        .collect()
}

/// The code of the 404 for an id in `segment` of `template` that names no record: a missing
/// claim is named as such also under its appearances and assessments.
fn not_found_code(template: &str, segment: &str) -> &'static str {
    match (segment, template.split('/').nth(2)) {
        ("{appearance_id}", _) => "appearance_not_found",
        ("{assessment_id}", _) => "assessment_not_found",
        (_, Some("claims")) => "claim_not_found",
        (_, Some("claimants")) => "claimant_not_found",
        (_, Some("sources")) => "source_not_found",
        (_, Some("topics")) => "topic_not_found",
        (_, Some("indicators")) => "indicator_not_found",
        _ => panic!("no record is named by {segment} in {template}"),
    }
}

/// A JSON value of another type than the schema's, to put in each field of a body.
fn mistyped(schema: &Value) -> Value {
    let ty = schema["type"].to_string();
    if ty.contains("string") {
        json!(12345)
    } else if ty.contains("array") {
        json!({"not": "a list"})
    } else {
        json!("not a number or object")
    }
}

#[tokio::test]
async fn hostile_input_on_every_operation_gets_a_documented_4xx() {
    let app = spawn_app().await;
    let doc = app.get_json("/openapi.json").await;
    let token = token(&app).await;
    let mut probe = Probe {
        app: &app,
        doc: &doc,
        token,
        tally: Tally::default(),
    };
    // Deletions go last, so that the other probes still find the records they target.
    let mut ops = operations(&doc);
    ops.sort_by_key(|(method, _, _)| method == "delete");

    for (method, template, op) in &ops {
        let path = if template.contains('{') {
            bundled(template)
        } else {
            template.clone()
        };
        let delete = method == "delete";

        // Every path parameter.
        for segment in template.split('/').filter(|s| s.starts_with('{')) {
            let value = path
                .split('/')
                .zip(template.split('/'))
                .find(|(_, t)| t == &segment)
                .map(|(v, _)| v.to_owned())
                .unwrap();
            for hostile in HOSTILE_VALUES
                .iter()
                .copied()
                .chain(["x".repeat(5000).as_str()])
            {
                if hostile.is_empty() {
                    continue;
                }
                let bad = path.replacen(&format!("/{value}"), &format!("/{hostile}"), 1);
                if delete {
                    // A path segment is read as text (bytes that are not UTF-8 as U+FFFD), so a
                    // hostile id is merely one that names no record.
                    let (status, problem) = probe.send(method, template, &bad, None).await;
                    assert_eq!(status, StatusCode::NOT_FOUND, "DELETE {bad}: {problem}");
                    assert_eq!(
                        problem["code"],
                        not_found_code(template, segment),
                        "DELETE {bad}"
                    );
                } else {
                    probe.send(method, template, &bad, None).await;
                }
            }
        }

        // Every query parameter, alone, with each hostile value; then repeated.
        let params = query_parameters(op);
        for (param, repeatable) in &params {
            for hostile in HOSTILE_VALUES
                .iter()
                .copied()
                .chain(["9".repeat(5000).as_str()])
            {
                let url = format!("{path}?{param}={hostile}");
                let (status, problem) = probe.send(method, template, &url, None).await;
                if param == "cursor" {
                    // An empty cursor is the first page; no other value is one a list issued
                    // (none is base64url JSON, and the longest is over the 1024 bytes a cursor
                    // may have).
                    if hostile.is_empty() {
                        assert_eq!(status, StatusCode::OK, "{url}: {problem}");
                    } else {
                        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {problem}");
                        assert_eq!(problem["code"], "invalid_cursor", "{url}");
                    }
                }
            }
            let url = format!("{path}?{param}=1&{param}=1");
            let (status, problem) = probe.send(method, template, &url, None).await;
            if !repeatable {
                assert_eq!(status, StatusCode::BAD_REQUEST, "{url}");
                assert_eq!(problem["code"], "invalid_parameter", "{url}");
                assert_eq!(problem["errors"][0]["field"], param.as_str(), "{url}");
            }
        }

        // An unknown parameter, and one whose name is hostile.
        for unknown in ["no_such_parameter=1", "%27%3B--=1", "%FF=1", "a%00=1"] {
            let url = format!("{path}?{unknown}");
            let (status, problem) = probe.send(method, template, &url, None).await;
            if template.starts_with("/v1/") {
                assert_eq!(status, StatusCode::BAD_REQUEST, "{url}");
                assert_eq!(problem["code"], "invalid_parameter", "{url}");
            }
        }

        // Bodies.
        let body_schema = &op["requestBody"]["content"];
        let Some((content_type, media)) = body_schema.as_object().and_then(|c| c.iter().next())
        else {
            continue;
        };
        let json = content_type != "application/x-ndjson";
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let deep_object = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
        let malformed: Vec<(&str, Vec<u8>, u16)> = vec![
            ("{", b"{".to_vec(), 400),
            // No lines is an empty import, which does nothing.
            ("empty", Vec::new(), if json { 400 } else { 200 }),
            ("array", b"[]".to_vec(), 400),
            ("string", b"\"x\"".to_vec(), 400),
            ("null", b"null".to_vec(), 400),
            ("invalid UTF-8", b"{\"id\": \"\xff\xfe\"}".to_vec(), 400),
            ("deep array", deep.into_bytes(), 400),
            ("deep object", deep_object.into_bytes(), 400),
            ("trailing garbage", b"{} {}".to_vec(), 400),
        ];
        for (what, bytes, expected) in malformed {
            let (status, problem) = probe
                .send(method, template, &path, Some((content_type, bytes)))
                .await;
            assert_eq!(
                status.as_u16(),
                expected,
                "{method} {path} with {what} body"
            );
            // Every refused body here is one that does not read as JSON objects; an accepted
            // one has no problem, so no code.
            let code = (expected == 400).then_some("malformed_body");
            assert_eq!(
                problem["code"].as_str(),
                code,
                "{method} {path} with {what} body: {problem}"
            );
        }
        let limit = if json { 1 << 20 } else { 64 << 20 };
        let huge = vec![b' '; limit + 1];
        let (status, problem) = probe
            .send(method, template, &path, Some((content_type, huge)))
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{method} {path}");
        assert_eq!(problem["code"], "payload_too_large", "{method} {path}");
        let (status, problem) = probe
            .send(
                method,
                template,
                &path,
                Some(("text/plain", b"{}".to_vec())),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{method} {path}"
        );
        assert_eq!(problem["code"], "unsupported_media_type", "{method} {path}");
        if !json {
            continue;
        }
        // Each property of the body, given a value of the wrong type, a NUL or an injection.
        let schema_name = media["schema"]["$ref"]
            .as_str()
            .and_then(|r| r.rsplit('/').next())
            .unwrap();
        let properties = doc["components"]["schemas"][schema_name]["properties"]
            .as_object()
            .unwrap();
        for (name, schema) in properties {
            // A value of the wrong type, or text with a NUL (a control character), is refused
            // by every field; the injection is only text, fine where any text is.
            for (value, refused) in [
                (mistyped(schema), true),
                (json!("\u{0}"), true),
                (json!("'; DROP TABLE claims; --"), false),
            ] {
                let body = serde_json::to_vec(&json!({ name.as_str(): value })).unwrap();
                let (status, problem) = probe
                    .send(method, template, &path, Some((content_type, body)))
                    .await;
                let what = format!("{method} {path} with {name}: {value}");
                match status.as_u16() {
                    422 => {
                        assert_eq!(problem["code"], "validation_failed", "{what}: {problem}");
                        // A body of one text field also fails for the fields a POST requires,
                        // so only a refused value is sure to be named.
                        let pointer = format!("/{name}");
                        let named = problem["errors"]
                            .as_array()
                            .unwrap_or_else(|| panic!("{what}: no errors in {problem}"))
                            .iter()
                            .any(|e| e["field"] == pointer.as_str());
                        assert!(
                            named || !refused,
                            "{what}: {pointer} not named in {problem}"
                        );
                    }
                    200 if !refused => {
                        // A string is a fine value for a text field: it is kept as sent.
                        let stored = app.get_json(&path).await;
                        assert_eq!(stored[name.as_str()], value, "{method} {path} {name}");
                    }
                    _ => panic!("{what} answered {status}: {problem}"),
                }
            }
        }
    }

    // Cursors: tampered, truncated, foreign to the list, bound to another sort.
    let page = app.get_json("/v1/claims?limit=2").await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let mut flipped = cursor.clone().into_bytes();
    let middle = flipped.len() / 2;
    flipped[middle] = if flipped[middle] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let sources_cursor = app.get_json("/v1/sources?limit=2").await["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    for (list, bad) in [
        ("/v1/claims", flipped.as_str()),
        ("/v1/claims", &cursor[..cursor.len() / 2]),
        ("/v1/claims", "eyJ0aGlzIjoibm90IGEgY3Vyc29yIn0"),
        ("/v1/claims", sources_cursor.as_str()),
        ("/v1/claims?sort=stated_on", cursor.as_str()),
        ("/v1/claims?q=power", cursor.as_str()),
        ("/v1/sources", cursor.as_str()),
    ] {
        let separator = if list.contains('?') { '&' } else { '?' };
        let url = format!("{list}{separator}cursor={bad}");
        let template = list.split('?').next().unwrap();
        let (status, problem) = probe.send("get", template, &url, None).await;
        // A flipped character may still decode to a position in this list: then it is a page.
        if status.is_client_error() {
            assert_eq!(problem["code"], "invalid_cursor", "{url}");
        } else {
            assert_eq!(bad, flipped, "{url} answered {status}");
        }
    }

    let total = probe.tally.total();
    println!(
        "hostile inputs: {total} requests; answers by status: {:?}",
        probe.tally.0
    );
    // About 2,800 with the 41 operations of the document: a guard that the table was walked.
    assert!(total > 2500, "only {total} hostile requests were made");
    // The dataset is intact: nothing hostile wrote anything.
    assert_eq!(
        app.get_json("/v1/claims?count=true&limit=1&evidence=any")
            .await["total"],
        22
    );
}

/// Reads a raw HTTP answer's status line and headers from a socket.
fn raw_request(address: &str, request: &[u8]) -> String {
    let host = address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn malformed_requests_below_the_router_are_refused_without_harm() {
    let app = spawn_app().await;
    let address = app.address.clone();
    let answers = tokio::task::spawn_blocking(move || {
        [
            // Raw bytes that are not UTF-8, and a raw NUL, in the request line.
            raw_request(
                &address,
                b"GET /v1/claims/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            ),
            raw_request(
                &address,
                b"GET /v1/claims?q=\xe7\x94 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            ),
            raw_request(
                &address,
                b"GET /v1/claims/a\0b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            ),
            // A header value with a NUL, and a request line that is not HTTP.
            raw_request(
                &address,
                b"GET /v1/claims HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-A: a\0b\r\n\r\n",
            ),
            raw_request(
                &address,
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
            ),
        ]
    })
    .await
    .unwrap();
    for answer in &answers {
        let status: u16 = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {answer:?}"));
        assert!((400..500).contains(&status), "{answer}");
        if answer.contains("content-type") {
            assert!(answer.contains("application/problem+json"), "{answer}");
        }
    }
    // The server still answers.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}
