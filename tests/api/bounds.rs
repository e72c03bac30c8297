//! Every list and every error list is bounded (issue "Every refusal bounded, clear and
//! documented", points 4 and 5). The bounds are read from the served document, so the contract
//! and the server are held to the same numbers.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::curation::{import, send, token};
use crate::helpers::{TestApp, problem, spawn_app};

/// A schema's property as the served document states it.
async fn property(app: &TestApp, schema: &str, name: &str) -> Value {
    let doc = app.get_json("/openapi.json").await;
    doc["components"]["schemas"][schema]["properties"][name].clone()
}

/// A 422 `validation_failed`, read.
async fn invalid(response: reqwest::Response) -> Value {
    problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await
}

/// A 422 that names exactly `pointer`.
async fn refused_at(response: reqwest::Response, pointer: &str) -> String {
    let body = invalid(response).await;
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["field"], pointer, "{body}");
    assert_eq!(body["error_count"], 1, "{body}");
    errors[0]["message"].as_str().unwrap().to_owned()
}

/// 4: a list one longer than its documented `maxItems` is refused, on every list field of
/// every body; one at the limit is accepted where the record allows repeats.
#[tokio::test]
async fn every_list_field_has_a_documented_count_limit() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let quantity =
        json!({"indicator": "spare-power-capacity", "subject": "CN", "value": 1, "unit": "GW"});
    // (schema, field, route, a body around the list, one item of the list)
    let table = [
        (
            "ClaimBody",
            "topics",
            "/v1/claims",
            json!({"id": "t-topics", "claimant": "openai", "kind": "assertion", "stated_on": "2026-01-01", "text": {"en": "A claim."}}),
            json!("electricity"),
        ),
        (
            "ClaimBody",
            "quantities",
            "/v1/claims",
            json!({"id": "t-quantities", "claimant": "openai", "kind": "assertion", "stated_on": "2026-01-01", "text": {"en": "A claim."}}),
            quantity,
        ),
        (
            "SourceBody",
            "authors",
            "/v1/sources",
            json!({"id": "t-authors", "kind": "article", "publisher": "Example", "language": "en"}),
            json!("A. Writer"),
        ),
        (
            "SourceBody",
            "cites",
            "/v1/sources",
            json!({"id": "t-cites", "kind": "article", "publisher": "Example", "language": "en"}),
            json!("benzinga-2025-11-13-goldman"),
        ),
        (
            "ClaimantBody",
            "aliases",
            "/v1/claimants",
            json!({"id": "t-aliases", "kind": "person", "names": {"en": "A Person"}}),
            json!({"alias": "AP"}),
        ),
        (
            "ClaimantBody",
            "affiliations",
            "/v1/claimants",
            json!({"id": "t-affiliations", "kind": "person", "names": {"en": "A Person"}}),
            json!({"organization": "Example", "role": "Analyst"}),
        ),
        (
            "AssessmentBody",
            "evidence",
            "/v1/claims/musk-china-ai-compute/assessments",
            json!({"id": "t-evidence", "verdict": "pending", "summary": "Open.", "assessed_on": "2026-11-29", "assessor": "tests"}),
            json!({"description": "A datum."}),
        ),
    ];
    for (schema, field, route, body, item) in table {
        let max = property(&app, schema, field).await["maxItems"]
            .as_u64()
            .unwrap_or_else(|| panic!("{schema}.{field} has no maxItems"))
            as usize;
        let mut over = body.clone();
        over[field] = Value::Array(vec![item; max + 1]);
        let response = send(&app, Method::POST, route, Some(&token), Some(&over)).await;
        let message = refused_at(response, &format!("/{field}")).await;
        assert!(message.contains(&max.to_string()), "{field}: {message}");
    }
    // At the limit: the authors of a source may repeat (two people of one name).
    let max = property(&app, "SourceBody", "authors").await["maxItems"]
        .as_u64()
        .unwrap() as usize;
    let body = json!({"id": "t-many-authors", "kind": "report", "publisher": "Example",
                      "language": "en", "authors": vec!["A. Writer"; max]});
    let response = send(&app, Method::POST, "/v1/sources", Some(&token), Some(&body)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let source = app.get_json("/v1/sources/t-many-authors").await;
    assert_eq!(source["authors"].as_array().unwrap().len(), max);
}

/// 4: a text in more languages than `LocalizedText` allows, and a list item longer than the
/// documented 20,000 characters, are refused.
#[tokio::test]
async fn texts_have_a_language_limit_and_list_items_a_length_limit() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let doc = app.get_json("/openapi.json").await;
    let texts = &doc["components"]["schemas"]["LocalizedText"];
    let languages = texts["maxProperties"].as_u64().unwrap();
    let names: serde_json::Map<String, Value> = (0..=languages)
        .map(|i| (format!("en-x-n{i}"), json!("A name")))
        .collect();
    let body = json!({"id": "t-languages", "names": names});
    let response = send(&app, Method::POST, "/v1/topics", Some(&token), Some(&body)).await;
    refused_at(response, "/names").await;

    // The limit the README and the document's description state for every free text.
    let longest = 20_000;
    let body = json!({"id": "t-long-author", "kind": "report", "publisher": "Example",
                      "language": "en", "authors": ["x".repeat(longest + 1)]});
    let response = send(&app, Method::POST, "/v1/sources", Some(&token), Some(&body)).await;
    refused_at(response, "/authors/0").await;
}

/// 5: a body with more failing fields than a problem lists gets the first 100 and their count.
#[tokio::test]
async fn a_problem_lists_at_most_100_errors_and_counts_them_all() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let doc = app.get_json("/openapi.json").await;
    let listed = doc["components"]["schemas"]["Problem"]["properties"]["errors"]["maxItems"]
        .as_u64()
        .unwrap() as usize;
    let unknown = 5_000;
    let mut body = json!({"id": "t-unknown", "names": {"en": "Grid"}});
    for i in 0..unknown {
        body[format!("field{i}")] = json!(1);
    }
    let response = send(&app, Method::POST, "/v1/topics", Some(&token), Some(&body)).await;
    let refusal = invalid(response).await;
    assert_eq!(refusal["errors"].as_array().unwrap().len(), listed);
    assert_eq!(refusal["error_count"], unknown);
    assert_eq!(
        refusal["detail"],
        format!("{unknown} fields are invalid; the first {listed} are listed.")
    );

    // An import counts every failing line, lists the first, and applies nothing.
    let lines = 250;
    let mut records = vec![json!({"type": "nope"}); lines];
    records.push(json!({"type": "topic", "id": "t-imported", "names": {"en": "Imported"}}));
    let refusal = invalid(import(&app, &token, &records).await).await;
    let errors = refusal["errors"].as_array().unwrap();
    assert_eq!(errors.len(), listed);
    assert_eq!(refusal["error_count"], lines);
    assert_eq!(errors[0]["field"], "/1/type");
    assert_eq!(errors[listed - 1]["field"], format!("/{listed}/type"));
    assert_eq!(
        app.get("/v1/topics/t-imported").await.status(),
        StatusCode::NOT_FOUND
    );
}
