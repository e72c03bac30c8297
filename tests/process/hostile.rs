//! A hostile campaign against the binary as a process (issue "Every refusal bounded, clear and
//! documented"): over ten thousand requests generated from the served OpenAPI document, every
//! operation given hostile path segments, query values, headers and body fields, as an attacker
//! with a write token and a careless client would send them. No answer may be a 5xx; every 4xx
//! is problem+json with a `code` and a status its operation documents; and the server's peak
//! resident set over the whole campaign stays under 300 MiB.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::bundled::bundled;
use crate::hostile_values::HOSTILE_VALUES;
use crate::server::{Server, memory_kib, temp_db, write_token};

/// Query and path values besides the shared hostile ones, percent-encoded where they must be:
/// bounds, dates and figures out of range, header injection, lists, Chinese.
const MORE_VALUES: &[&str] = &[
    "0",
    "101",
    "1.5",
    "true",
    "yes",
    "2026-13-01",
    "2026-02-30",
    "-0001-01-01",
    "10000-01-01",
    "1e100GW",
    "-5GW",
    "12%20parsecs",
    "%0D%0AX-Injected%3A%201",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "a%2Cb%2C%2C%2C",
    "*",
    "%22",
    "%E4%B8%AD%E6%96%87%E7%94%B5%E5%8A%9B",
    "%2F",
    "%5C",
    "..",
    "%3B",
    "null",
    "undefined",
    "%EF%BF%BF",
    "0x10",
    "1_000",
    "%2B1",
    "%09",
    "1%20GW",
    "%C0%AF",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
];

/// Every value put in a path segment or a query parameter.
fn values() -> impl Iterator<Item = &'static str> {
    HOSTILE_VALUES.iter().chain(MORE_VALUES).copied()
}

/// Values for each field of a body.
fn field_values() -> Vec<Value> {
    let deep = (0..60).fold(json!(1), |inner, _| json!([inner]));
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1e308),
        json!(""),
        json!("   "),
        json!("\u{0}"),
        json!("a\u{7}b"),
        json!("x".repeat(20_001)),
        json!("'; DROP TABLE claims; --"),
        json!("\" OR x MATCH \"*"),
        json!("-0001-01-01"),
        json!("2026-02-30"),
        json!("\u{202e}"),
        json!("😀".repeat(100)),
        json!("x".repeat(101)),
        json!("no-such-record"),
        json!([]),
        json!([null]),
        json!(vec![1; 101]),
        json!(vec!["electricity"; 101]),
        json!({}),
        json!({"EN": "a", "en": "b"}),
        json!({"en": ""}),
        json!({"not a language": "a"}),
        json!({"en": "x".repeat(20_001)}),
        json!(["x".repeat(20_001)]),
        json!(1.5),
        json!(-1e308),
        json!(i64::MIN),
        json!("2026-05-01T00:00:00Z"),
        deep,
    ]
}

/// Header sets each operation is sent with, besides its token.
const HEADERS: &[&[(&str, &str)]] = &[
    &[("accept", "text/html")],
    &[("accept", "application/json;q=0, */*;q=0")],
    &[("accept", "application/json;q=abc")],
    &[("accept", "text/csv")],
    &[("accept", "application/ld+json")],
    &[("accept", "*/*;q=2")],
    &[("accept-encoding", "gzip;q=abc, br, zstd")],
    &[("if-match", "\"nope\"")],
    &[("if-match", "nope")],
    &[("if-match", "*")],
    &[("if-match", "W/\"nope\"")],
    &[("if-none-match", "*")],
    &[("if-none-match", "\"nope\", W/\"x\"")],
    &[("if-none-match", "garbage without quotes")],
    &[("authorization", "Bearer ct_nope_nope")],
    &[("authorization", "Basic dXNlcjpwYXNz")],
    &[("authorization", "Bearer")],
    &[("idempotency-key", "")],
    &[("idempotency-key", " ")],
    &[("x-request-id", "a\tb")],
    &[("range", "bytes=0-10")],
    &[("content-type", "application/json; charset=latin1")],
    &[("accept", "application/x-ndjson")],
    &[("accept", "")],
    &[("if-match", "\"a\", \"b\"")],
    &[("authorization", "bearer ct_nope_nope")],
];

/// One request of the campaign.
struct Probe {
    method: String,
    template: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<(String, Vec<u8>)>,
}

/// The campaign's requests, generated from the document.
fn campaign(doc: &Value) -> Vec<Probe> {
    let mut probes = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let path = bundled(template);
            let probe =
                |url: String, headers: &[(&str, &str)], body: Option<(&str, Vec<u8>)>| Probe {
                    method: method.clone(),
                    template: template.clone(),
                    url,
                    headers: headers
                        .iter()
                        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                        .collect(),
                    body: body.map(|(t, b)| (t.to_owned(), b)),
                };
            let parameters = op["parameters"].as_array().cloned().unwrap_or_default();
            for parameter in &parameters {
                let name = parameter["name"].as_str().unwrap();
                match parameter["in"].as_str() {
                    Some("path") => {
                        let placeholder = format!("{{{name}}}");
                        for value in values().filter(|v| !v.is_empty()) {
                            let mut url = template.clone();
                            for (segment, real) in template.split('/').zip(path.split('/')) {
                                if segment.starts_with('{') && segment != placeholder {
                                    url = url.replacen(segment, real, 1);
                                }
                            }
                            probes.push(probe(url.replace(&placeholder, value), &[], None));
                        }
                    }
                    Some("query") => {
                        for value in values() {
                            probes.push(probe(format!("{path}?{name}={value}"), &[], None));
                        }
                        probes.push(probe(format!("{path}?{name}=1&{name}=1"), &[], None));
                        probes.push(probe(
                            format!("{path}?{name}={}", "9".repeat(5000)),
                            &[],
                            None,
                        ));
                    }
                    _ => {}
                }
            }
            for unknown in ["no_such_parameter=1", "%27%3B--=1", "%FF=1", "a%00=1"] {
                probes.push(probe(format!("{path}?{unknown}"), &[], None));
            }
            let content = op["requestBody"]["content"].as_object();
            let body = content.and_then(|c| c.iter().next());
            let example = body.map(|(media, _)| {
                let bytes = if media == "application/x-ndjson" {
                    b"{\"type\": \"topic\", \"id\": \"hostile-topic\", \"names\": {\"en\": \"x\"}}\n"
                        .to_vec()
                } else {
                    b"{}".to_vec()
                };
                (media.as_str(), bytes)
            });
            for headers in HEADERS {
                probes.push(probe(path.clone(), headers, example.clone()));
            }
            let Some((media, schema)) = body else {
                continue;
            };
            if media == "application/x-ndjson" {
                continue;
            }
            let reference = schema["schema"]["$ref"].as_str().unwrap();
            let schema = doc.pointer(reference.trim_start_matches('#')).unwrap();
            let properties = schema["properties"].as_object().unwrap();
            for name in properties.keys().chain(["no_such_field".to_owned()].iter()) {
                for value in field_values() {
                    let body = serde_json::to_vec(&json!({ name.as_str(): value })).unwrap();
                    probes.push(probe(path.clone(), &[], Some((media, body))));
                }
            }
        }
    }
    // Deletions last, so that the other requests still find the records they name.
    probes.sort_by_key(|p| p.method == "delete");
    probes
}

/// What was wrong with one answer, if anything.
async fn check(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    doc: &Value,
    probe: &Probe,
) -> Result<u16, String> {
    let method = Method::from_bytes(probe.method.to_uppercase().as_bytes()).unwrap();
    let mut request = client
        .request(method, format!("{base}{}", probe.url))
        .bearer_auth(token);
    for (name, value) in &probe.headers {
        request = request.header(name, value);
    }
    if let Some((media, bytes)) = &probe.body {
        request = request.header("content-type", media).body(bytes.clone());
    }
    let what = format!("{} {} {:?}", probe.method, probe.url, probe.headers);
    let response = request.send().await.map_err(|e| format!("{what}: {e}"))?;
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.map_err(|e| format!("{what}: {e}"))?;
    if status.is_server_error() {
        return Err(format!("{what}: {status} {text}"));
    }
    if !status.is_client_error() {
        return Ok(status.as_u16());
    }
    if content_type.as_deref() != Some("application/problem+json") {
        return Err(format!("{what}: {status} as {content_type:?}: {text}"));
    }
    let problem: Value =
        serde_json::from_str(&text).map_err(|e| format!("{what}: {status} {e}: {text}"))?;
    if problem["status"] != status.as_u16() || !problem["code"].is_string() {
        return Err(format!("{what}: {status} {problem}"));
    }
    let documented = &doc["paths"][&probe.template][&probe.method]["responses"][status.as_str()];
    // 404 and 405 for paths that match no route come from the router, not an operation.
    let by_router = matches!(
        problem["code"].as_str(),
        Some("route_not_found" | "method_not_allowed")
    );
    if documented.is_null() && !by_router {
        return Err(format!("{what}: {status} is not documented: {problem}"));
    }
    Ok(status.as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hostile_campaign_gets_documented_refusals_in_bounded_memory() {
    let _alone = crate::server::alone().await;
    const CLIENTS: usize = 8;
    let (dir, db) = temp_db();
    crate::server::claimtrail(&db, &["migrate"]);
    let token = write_token(&db);
    let server = Server::start(&db, &dir.path().join("server.log"));
    let client = reqwest::Client::new();
    let doc: Value = client
        .get(format!("{}/openapi.json", server.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let probes = Arc::new(campaign(&doc));
    let total = probes.len();
    assert!(total >= 10_000, "only {total} requests generated");

    let next = Arc::new(AtomicUsize::new(0));
    let statuses = Arc::new(Mutex::new(std::collections::BTreeMap::<u16, usize>::new()));
    let doc = Arc::new(doc);
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (client, base, token) = (client.clone(), server.url.clone(), token.clone());
        let (probes, next, statuses, doc) =
            (probes.clone(), next.clone(), statuses.clone(), doc.clone());
        clients.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(probe) = probes.get(i) else {
                    break failures;
                };
                match check(&client, &base, &token, &doc, probe).await {
                    Ok(status) => *statuses.lock().await.entry(status).or_default() += 1,
                    Err(failure) => failures.push(failure),
                }
            }
        }));
    }
    let mut failures = Vec::new();
    for client in clients {
        failures.extend(client.await.unwrap());
    }
    let peak = memory_kib(server.pid(), "VmHWM");
    println!(
        "hostile campaign: {total} requests, answers by status {:?}, server peak RSS {peak} KiB",
        statuses.lock().await
    );
    assert!(
        failures.is_empty(),
        "{} of {total} answers were wrong; the first:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(peak < 300 * 1024, "the server's peak RSS was {peak} KiB");
    server.stop();
}
