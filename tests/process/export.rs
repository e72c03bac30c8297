//! The documented commands: `claimtrail export` then `claimtrail import`, run as a user runs
//! them, give a copy that answers every read endpoint as the original does (issue "A test suite
//! that proves every promise on every route", point 4).

use std::path::Path;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::bundled::bundled;
use crate::server::{self, Server, temp_db, write_token};

/// Writes through the API, so that the record holds more than the dataset: a claim with a
/// figure, an appearance and an assessment, changes to it and to a claimant, and a topic
/// created and deleted (its history stays).
async fn write_some(url: &str, token: &str) {
    let client = reqwest::Client::new();
    let send = async |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut request = client
            .request(method.clone(), format!("{url}{path}"))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        assert!(
            status.is_success(),
            "{method} {path}: {status} {}",
            response.text().await.unwrap()
        );
    };
    use reqwest::Method;
    send(Method::POST, "/v1/claims", Some(json!({
        "id": "export-claim", "claimant": "openai", "kind": "prediction", "stated_on": "2026-11-29",
        "text": {"en": "An example claim for the export test.", "zh-TW": "匯出測試的範例。"},
        "horizon": {"due_on": "2027-12-31", "precision": "year"},
        "topics": ["electricity"],
        "quantities": [{"indicator": "spare-power-capacity", "subject": "CN", "value": 400, "unit": "GW", "qualifier": "about"}]
    }))).await;
    send(Method::POST, "/v1/claims/export-claim/appearances", Some(json!({
        "id": "export-appearance", "source": "ft-2025-11-05-huang-china-will-win", "kind": "paraphrase",
        "lang": "en", "quote": "An example quote.", "fidelity": "reworded"
    }))).await;
    send(
        Method::POST,
        "/v1/claims/export-claim/assessments",
        Some(json!({
            "id": "export-assessment", "verdict": "pending", "summary": "Due at the end of 2027.",
            "assessed_on": "2026-11-30", "assessor": "tests"
        })),
    )
    .await;
    send(
        Method::PATCH,
        "/v1/claims/export-claim",
        Some(json!({"note": "Changed once."})),
    )
    .await;
    send(
        Method::PATCH,
        "/v1/claimants/openai",
        Some(json!({"description": "Changed for the export test."})),
    )
    .await;
    send(
        Method::POST,
        "/v1/topics",
        Some(json!({"id": "export-topic", "names": {"en": "Gone"}})),
    )
    .await;
    send(Method::DELETE, "/v1/topics/export-topic", None).await;
}

/// Every read of the document on the bundled records and on the ones `write_some` made, in
/// each format a list has.
fn paths(doc: &Value) -> Vec<String> {
    let mut paths = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() || !template.starts_with("/v1/") {
            continue;
        }
        paths.push(bundled(template));
        if !template.contains('{') {
            for format in ["ndjson", "csv"] {
                paths.push(format!("{template}?format={format}&limit=100"));
            }
        }
    }
    paths.extend(
        [
            "/v1/claims?limit=100&evidence=any&expand=appearances,assessments,sources",
            "/v1/claims/export-claim?expand=appearances,assessments,sources",
            "/v1/claims/export-claim/appearances/export-appearance",
            "/v1/claims/export-claim/assessments/export-assessment",
            "/v1/claims/export-claim/revisions",
            "/v1/claimants/openai",
            "/v1/claimants/openai/track-record",
            "/v1/claims?q=%E5%8C%AF%E5%87%BA",
            "/v1/history?limit=100",
            "/v1/history?resource=topic&id=export-topic",
            "/v1/history?resource=claim&id=export-claim",
        ]
        .map(str::to_owned),
    );
    paths
}

/// Runs `claimtrail` with `args` on `db` and writes its standard output to `file`.
fn export(db: &Path, args: &[&str], file: &Path) {
    let mut all = vec!["export"];
    all.extend(args);
    std::fs::write(file, server::claimtrail(db, &all)).unwrap();
}

/// A GET's status, `ETag` and body.
async fn read(url: &str, path: &str) -> (StatusCode, Option<String>, String) {
    let response = reqwest::get(format!("{url}{path}")).await.unwrap();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned());
    (response.status(), etag, response.text().await.unwrap())
}

#[tokio::test]
async fn an_export_imported_with_the_commands_answers_every_read_as_the_original() {
    let _alone = server::alone().await;
    let (dir, db) = temp_db();
    server::claimtrail(&db, &["migrate"]);
    let token = write_token(&db);
    let original = Server::start(&db, &dir.path().join("original.log"));
    write_some(&original.url, &token).await;
    let doc: Value = reqwest::get(format!("{}/openapi.json", original.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let copies = [("json", "record.json"), ("ndjson", "record.ndjson")];
    let mut servers = Vec::new();
    for (format, file) in copies {
        let file = dir.path().join(file);
        export(&db, &["--format", format], &file);
        let copy = dir.path().join(format!("copy-{format}.db"));
        server::claimtrail(&copy, &["import", file.to_str().unwrap()]);
        servers.push((
            format,
            Server::start(&copy, &dir.path().join(format!("{format}.log"))),
        ));
    }
    let paths = paths(&doc);
    assert!(paths.len() > 40, "{}", paths.len());
    for path in &paths {
        let expected = read(&original.url, path).await;
        assert_eq!(expected.0, StatusCode::OK, "{path}: {}", expected.2);
        for (format, copy) in &servers {
            let copied = read(&copy.url, path).await;
            assert_eq!(copied, expected, "{format} copy: {path}");
        }
    }
    for (_, copy) in servers {
        copy.stop();
    }
    original.stop();
}
