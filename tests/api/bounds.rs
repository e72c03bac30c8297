//! Every list and every error list is bounded (issue "Every refusal bounded, clear and
//! documented", points 4 and 5). The bounds are read from the served document, so the contract
//! and the server are held to the same numbers.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, import, problem, send, spawn_app, token};

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

/// A place in a request body where a free text goes: the schema and property that state its
/// `maxLength`, the JSON pointer of the text, and a body with a text there.
struct TextSlot {
    stated_by: (String, String),
    pointer: String,
    body: Value,
}

/// The component a `$ref` (or a nullable `oneOf` of one) names: its name and its schema.
fn component<'a>(doc: &'a Value, schema: &'a Value) -> (Option<String>, &'a Value) {
    let reference = schema["$ref"].as_str().or_else(|| {
        schema["oneOf"]
            .as_array()?
            .iter()
            .find_map(|s| s["$ref"].as_str())
    });
    match reference {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap().to_owned();
            (
                Some(name),
                doc.pointer(reference.trim_start_matches('#')).unwrap(),
            )
        }
        None => (None, schema),
    }
}

/// Walks the object schema `name` at `pointer` of `body` and lists every free text it holds: a
/// string property with `maxLength`, an item of a list of such strings, a language of a
/// `LocalizedText`, and the same inside the objects of a list (the body's own item, else the
/// item schema's example). `stated` gets every (schema, property) that states a `maxLength`,
/// whether or not a body could be built for it, so that a field left out fails the test.
fn text_slots(
    doc: &Value,
    name: &str,
    schema: &Value,
    body: Option<&Value>,
    pointer: &str,
    stated: &mut std::collections::BTreeSet<(String, String)>,
    slots: &mut Vec<TextSlot>,
) {
    let set = |body: &Value, key: &str, value: Value| {
        let mut body = body.clone();
        body.pointer_mut(pointer).unwrap()[key] = value;
        body
    };
    for (key, property) in schema["properties"].as_object().into_iter().flatten() {
        let stated_by = (name.to_owned(), key.clone());
        let (item_name, property) = component(doc, property);
        let items = &property["items"];
        let (items_name, items) = component(doc, items);
        let slot = |text: Value, at: String| TextSlot {
            stated_by: stated_by.clone(),
            pointer: at,
            body: set(body.unwrap(), key, text),
        };
        if property["maxLength"].is_u64() {
            stated.insert(stated_by.clone());
            if body.is_some() {
                slots.push(slot(json!("?"), format!("{pointer}/{key}")));
            }
        } else if items["maxLength"].is_u64() {
            stated.insert(stated_by.clone());
            if body.is_some() {
                slots.push(slot(json!(["?"]), format!("{pointer}/{key}/0")));
            }
        } else if property["additionalProperties"]["maxLength"].is_u64() {
            let stated_by = (item_name.unwrap(), "additionalProperties".to_owned());
            stated.insert(stated_by.clone());
            if let Some(body) = body {
                slots.push(TextSlot {
                    stated_by,
                    pointer: format!("{pointer}/{key}/en"),
                    body: set(body, key, json!({"en": "?"})),
                });
            }
        } else if let Some(items_name) = items_name.filter(|_| items["properties"].is_object()) {
            let item = body
                .and_then(|b| b.pointer(&format!("{pointer}/{key}/0")))
                .or_else(|| items.get("example"))
                .cloned();
            let inner = body.zip(item).map(|(b, item)| set(b, key, json!([item])));
            let at = format!("{pointer}/{key}/0");
            text_slots(doc, &items_name, items, inner.as_ref(), &at, stated, slots);
        }
    }
}

/// 20: every free text and every id of every request body has the documented `maxLength`, and
/// the server holds it there: one character more is a 422 naming that field and its limit, on
/// every field of every JSON body of every route; a value at the limit is not refused for its
/// length.
#[tokio::test]
async fn every_text_field_has_a_documented_length_limit() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let doc = app.get_json("/openapi.json").await;
    let mut stated = std::collections::BTreeSet::new();
    let mut routes = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(media) = op["requestBody"]["content"].get("application/json") else {
                continue;
            };
            let mut path = template.clone();
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "path" {
                    let name = parameter["name"].as_str().unwrap();
                    let example = parameter["example"].as_str().unwrap();
                    path = path.replace(&format!("{{{name}}}"), example);
                }
            }
            let (name, schema) = component(&doc, &media["schema"]);
            let example = media.get("example").or_else(|| schema.get("example"));
            let mut slots = Vec::new();
            let name = name.unwrap_or_else(|| panic!("{method} {template}: an inline body"));
            text_slots(&doc, &name, schema, example, "", &mut stated, &mut slots);
            routes.push((method.to_uppercase(), path, slots));
        }
    }
    let mut tried = std::collections::BTreeSet::new();
    let mut sent = 0;
    for (method, path, slots) in routes {
        for (n, slot) in slots.into_iter().enumerate() {
            let (schema, property) = &slot.stated_by;
            let property_schema = if property == "additionalProperties" {
                &doc["components"]["schemas"][schema][property]
            } else {
                let stated = &doc["components"]["schemas"][schema]["properties"][property];
                let (_, stated) = component(&doc, stated);
                match stated.get("items") {
                    Some(items) => component(&doc, items).1,
                    None => stated,
                }
            };
            let longest = property_schema["maxLength"].as_u64().unwrap() as usize;
            // The README's limits: an id is a slug of at most 100 characters.
            let documented = if property == "id" { 100 } else { 20_000 };
            assert_eq!(longest, documented, "{schema}.{property}");
            let with_text = |text: String| {
                let mut body = slot.body.clone();
                *body.pointer_mut(&slot.pointer).unwrap() = json!(text);
                // A create of its own, so that a body at the limit is not a 409 for its id.
                if method == "POST" && slot.pointer != "/id" && body["id"].is_string() {
                    body["id"] = json!(format!("long-text-{n}"));
                }
                body
            };
            let method: Method = method.parse().unwrap();
            let over = with_text("x".repeat(longest + 1));
            let response = send(&app, method.clone(), &path, Some(&token), Some(&over)).await;
            let refusal = invalid(response).await;
            let for_length = |answer: &Value| {
                answer["errors"].as_array().into_iter().flatten().any(|e| {
                    e["field"] == slot.pointer.as_str()
                        && e["message"]
                            .as_str()
                            .unwrap()
                            .contains(&longest.to_string())
                })
            };
            assert!(
                for_length(&refusal),
                "{method} {path} {}: {refusal}",
                slot.pointer
            );
            let at_limit = with_text("x".repeat(longest));
            let response = send(&app, method.clone(), &path, Some(&token), Some(&at_limit)).await;
            let status = response.status();
            let answer: Value = response.json().await.unwrap();
            // Accepted, or refused for something else (an id that names no record).
            assert!(
                status.is_success()
                    || (status == StatusCode::UNPROCESSABLE_ENTITY
                        && answer["code"] == "validation_failed"),
                "{method} {path} {}: {status} {answer}",
                slot.pointer
            );
            assert!(
                !for_length(&answer),
                "{method} {path} {}: {answer}",
                slot.pointer
            );
            tried.insert(slot.stated_by);
            sent += 1;
        }
    }
    let missed: Vec<_> = stated.difference(&tried).collect();
    assert!(missed.is_empty(), "no request reaches {missed:?}");
    assert!(stated.len() >= 40, "only {} free texts", stated.len());
    assert!(sent >= 50, "only {sent} fields tried");
}
