use serde_json::Value;

use reqwest::StatusCode;

use crate::bundled::bundled;
use crate::support::{problem, spawn_app};

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[tokio::test]
async fn the_committed_document_is_the_served_one() {
    let app = spawn_app().await;
    let served = app.get_json("/openapi.json").await;
    let committed: Value = serde_json::from_str(COMMITTED).expect("openapi/openapi.json is JSON");
    assert!(
        served == committed,
        "openapi/openapi.json differs from the served document; regenerate it with\n    \
         cargo run --release -- openapi > openapi/openapi.json"
    );
}

#[tokio::test]
async fn every_operation_is_documented_with_every_status() {
    let app = spawn_app().await;
    let doc = app.get_json("/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 13, "{:?}", paths.keys());
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            for field in ["summary", "description", "operationId"] {
                assert!(
                    op[field].as_str().is_some_and(|s| !s.is_empty()),
                    "{name} has no {field}"
                );
            }
            let responses = op["responses"].as_object().unwrap();
            let expected: &[&str] = match (method.as_str(), path.starts_with("/v1/")) {
                ("get", true) => &["200", "304", "400", "500"],
                ("get", false) => &["200"],
                // An import reports what it did rather than creating one record.
                ("post", _) if path == "/v1/import" => &["200", "401", "409", "422", "500"],
                ("post", _) => &["201", "401", "422", "500"],
                ("patch", _) => &["200", "401", "404", "412", "422", "500"],
                ("delete", _) => &["204", "401", "404", "412", "500"],
                (other, _) => panic!("{name}: unexpected method {other}"),
            };
            for status in expected {
                assert!(
                    responses.contains_key(*status),
                    "{name} does not document {status}"
                );
            }
            if path.contains('{') {
                assert!(
                    responses.contains_key("404"),
                    "{name} does not document 404"
                );
            }
            // A query parameter can always be given a bad value.
            let takes_query = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["in"] == "query");
            if takes_query {
                assert!(
                    responses.contains_key("400"),
                    "{name} takes query parameters but does not document 400"
                );
            }
            if method != "get" {
                let security = op["security"].to_string();
                assert!(
                    security.contains("bearer"),
                    "{name} does not declare its token"
                );
            }
            for (status, response) in responses {
                let described = response["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty())
                    || response["$ref"].is_string();
                assert!(described, "{name} {status} has no description");
            }
            for param in op["parameters"].as_array().into_iter().flatten() {
                assert!(
                    param["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{name}: parameter {} has no description",
                    param["name"]
                );
            }
        }
    }
}

#[tokio::test]
async fn every_documented_format_is_served_and_no_other() {
    let app = spawn_app().await;
    let doc = app.get_json("/openapi.json").await;
    let mut checked = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let format = item["get"]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "format"));
        // 20: an answer in several media types can be asked for by `format` too, and says so.
        let offered = item["get"]["responses"]["200"]["content"]
            .as_object()
            .map_or(0, |c| c.len());
        assert_eq!(
            format.is_some(),
            offered > 1,
            "GET {template} offers {offered} media types"
        );
        let Some(format) = format else {
            continue;
        };
        let pattern = format["schema"]["pattern"].as_str().unwrap();
        let documented: Vec<&str> = pattern
            .trim_start_matches("^(")
            .trim_end_matches(")$")
            .split('|')
            .collect();
        let path = bundled(template);
        for asked in ["json", "csv", "ndjson", "jsonld"] {
            let response = app.get(&format!("{path}?format={asked}")).await;
            if documented.contains(&asked) {
                assert_eq!(response.status(), StatusCode::OK, "{path}?format={asked}");
            } else {
                problem(response, StatusCode::NOT_ACCEPTABLE, "not_acceptable").await;
            }
        }
        checked += 1;
    }
    // Lists and items of every kind of record, a claim's parts, and the history.
    assert!(checked >= 17, "only {checked} operations take format");
}

#[tokio::test]
async fn a_patch_body_requires_nothing() {
    let app = spawn_app().await;
    let doc = app.get_json("/openapi.json").await;
    let mut patches = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(content) = item["patch"]["requestBody"]["content"].as_object() else {
            continue;
        };
        let reference = content["application/merge-patch+json"]["schema"]["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("PATCH {path} takes no merge patch"));
        let name = reference.trim_start_matches("#/components/schemas/");
        let schema = &doc["components"]["schemas"][name];
        assert!(schema["properties"].is_object(), "PATCH {path}: {name}");
        assert!(
            schema["required"].as_array().is_none_or(Vec::is_empty),
            "PATCH {path}: {name} requires {}",
            schema["required"]
        );
        patches += 1;
    }
    // Claims, appearances, assessments, claimants, sources, topics, indicators.
    assert_eq!(patches, 7);
}

/// Every `$ref` names a schema, response or parameter the document holds: a dangling one makes
/// generators skip the operation (openapi-python-client drops it) and validators skip its checks.
#[tokio::test]
async fn every_reference_resolves() {
    fn walk<'a>(value: &'a Value, refs: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    refs.push(target);
                }
                map.values().for_each(|v| walk(v, refs));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, refs)),
            _ => {}
        }
    }
    let app = spawn_app().await;
    let doc = app.get_json("/openapi.json").await;
    let mut refs = Vec::new();
    walk(&doc, &mut refs);
    assert!(refs.len() > 100, "{} references", refs.len());
    for target in refs {
        let pointer = target.strip_prefix('#').expect("a local reference");
        assert!(doc.pointer(pointer).is_some(), "{target} does not resolve");
    }
}

/// Issue "Every refusal bounded", 18: generated SDKs send a token on reads (optional: `{}` or
/// the bearer) and none to the probes; writes need the bearer; 20: every 401 says which scheme.
#[test]
fn reads_take_an_optional_bearer_probes_none_and_writes_need_one() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let expected = match (path.starts_with("/v1/"), method.as_str()) {
                (true, "get") => serde_json::json!([{}, {"bearer": []}]),
                (false, _) => serde_json::json!([]),
                (true, _) => serde_json::json!([{"bearer": []}]),
            };
            assert_eq!(op["security"], expected, "{method} {path}");
            // 20: every 401 is the shared response, which declares `WWW-Authenticate`.
            if path.starts_with("/v1/") {
                assert_eq!(
                    op["responses"]["401"]["$ref"], "#/components/responses/Unauthorized",
                    "{method} {path}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 41, "only {checked} operations");
}

/// Issue "Every refusal bounded", 19: every request-body example is one the server accepts,
/// sent as documented (path parameters from their own examples) to a fresh server with the
/// bundled dataset; and a PATCH or DELETE names a record of its own kind.
#[tokio::test]
async fn every_request_example_is_accepted() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let mut sent = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let mut path = template.clone();
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "path" {
                    let example = parameter["example"]
                        .as_str()
                        .unwrap_or_else(|| panic!("{method} {template}: no example"));
                    path = path.replace(
                        &format!("{{{}}}", parameter["name"].as_str().unwrap()),
                        example,
                    );
                }
            }
            let Some(content) = op["requestBody"]["content"].as_object() else {
                continue;
            };
            for (media, body) in content {
                // The media type's own example, or else its schema's.
                let schema = match body["schema"]["$ref"].as_str() {
                    Some(reference) => doc.pointer(reference.trim_start_matches('#')).unwrap(),
                    None => &body["schema"],
                };
                let example = match &body["example"] {
                    Value::Null => &schema["example"],
                    own => own,
                };
                assert!(
                    !example.is_null(),
                    "{method} {template} {media}: no example"
                );
                let app = spawn_app().await;
                let token = crate::support::token(&app).await;
                let bytes = match example {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                let response = app
                    .client
                    .request(
                        method.to_uppercase().parse().unwrap(),
                        format!("{}{path}", app.address),
                    )
                    .bearer_auth(&token)
                    .header("content-type", media)
                    .body(bytes)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let text = response.text().await.unwrap();
                assert!(
                    status.is_success(),
                    "{method} {path} {media}: {status} {text}"
                );
                sent += 1;
            }
        }
    }
    assert!(sent >= 15, "only {sent} examples sent");
}

/// 20: a POST takes a whole record as `application/json`; a merge patch is what a PATCH sends,
/// so a POST that says it sends one is refused, on every route that takes a body.
#[tokio::test]
async fn a_post_refuses_a_merge_patch() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let app = spawn_app().await;
    let token = crate::support::token(&app).await;
    let mut refused = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let Some(content) = item["post"]["requestBody"]["content"].as_object() else {
            continue;
        };
        assert!(
            !content.contains_key("application/merge-patch+json"),
            "POST {template} documents a merge patch"
        );
        if !content.contains_key("application/json") {
            continue;
        }
        let path = bundled(template);
        let response = app
            .client
            .post(format!("{}{path}", app.address))
            .bearer_auth(&token)
            .header("content-type", "application/merge-patch+json")
            .body("{}")
            .send()
            .await
            .unwrap();
        problem(
            response,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;
        refused += 1;
    }
    assert!(refused >= 7, "only {refused} POSTs take JSON");
}

/// 20: the success answers of writes and searches declare the `RateLimit` headers they carry.
#[tokio::test]
async fn rate_limited_answers_declare_their_rate_limit_headers() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let mut checked = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        if !template.starts_with("/v1/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let searches = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == "q" && p["in"] == "query");
            if method == "get" && !searches {
                continue;
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    continue;
                }
                for header in ["RateLimit", "RateLimit-Policy"] {
                    assert!(
                        response["headers"][header].is_object(),
                        "{method} {template} {status} does not declare {header}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 25, "only {checked} responses checked");
}
