//! Any write the server accepts round-trips (issue "Every refusal bounded, clear and
//! documented", Done when): a property test generates claim bodies across the space the contract
//! allows (dates at every precision and from year 1000 to 9999, texts in several languages and
//! scripts, figures, topics, horizons), and each accepted one must read back as written, be
//! found through every cursor of the lists it is in, take a merge patch of itself and of a new
//! field, and come back the same from `export` loaded into an empty database.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use claimtrail::store::{Store, dataset};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::curation::{send, token};
use crate::helpers::{TestApp, spawn_app, start};

/// Text as people write it: Latin and Chinese letters, digits, punctuation, emoji, inner spaces,
/// tabs and line breaks, always with something visible.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9电力是人工智能的瓶颈。，“”😀 \t\n.,;:!?'\"()%$&/-]{0,60}[a-zA-Z电力😀0-9]"
}

/// A date at a precision, as the body gives it: a month's day is 01, a year's month and day too.
fn date() -> impl Strategy<Value = (String, &'static str)> {
    (1000u32..=9999, 1u32..=12, 1u32..=28, 0usize..3).prop_map(|(y, m, d, p)| match p {
        0 => (format!("{y:04}-{m:02}-{d:02}"), "day"),
        1 => (format!("{y:04}-{m:02}-01"), "month"),
        _ => (format!("{y:04}-01-01"), "year"),
    })
}

fn quantity() -> impl Strategy<Value = Value> {
    let figures = prop::sample::select(vec![
        ("spare-power-capacity", "GW"),
        ("datacenter-power-shortfall", "吉瓦"),
        ("power-capacity-additions", "MW"),
        ("electricity-generation-ratio", "x"),
        ("spare-capacity-margin", "%"),
    ]);
    let qualifiers = prop::sample::select(vec![
        "about",
        "more_than",
        "less_than",
        "up_to",
        "at_least",
        "exactly",
    ]);
    let subjects = prop::sample::select(vec!["US", "CN", "WORLD", "DE"]);
    (figures, subjects, 0u32..10_000_000, qualifiers).prop_map(
        |((indicator, unit), subject, tenths, qualifier)| {
            json!({"indicator": indicator, "subject": subject, "value": f64::from(tenths) / 10.0,
                   "unit": unit, "qualifier": qualifier})
        },
    )
}

/// A claim body the contract allows, without its id.
fn claim() -> impl Strategy<Value = Value> {
    let claimants = prop::sample::select(vec![
        "elon-musk",
        "jensen-huang",
        "goldman-sachs",
        "morgan-stanley",
        "openai",
    ]);
    let kinds = prop::sample::select(vec![
        "assertion",
        "estimate",
        "prediction",
        "recommendation",
    ]);
    let languages = prop::sample::subsequence(vec!["en", "zh-CN", "zh-TW", "de", "fr"], 1..=3);
    let topics = prop::sample::subsequence(
        vec![
            "electricity",
            "ai-compute",
            "chips",
            "data-centers",
            "us-china",
        ],
        0..=3,
    );
    (
        claimants,
        kinds,
        date(),
        languages.prop_flat_map(|langs| {
            prop::collection::vec(text(), langs.len()).prop_map(move |texts| {
                langs
                    .iter()
                    .map(|l| (*l).to_owned())
                    .zip(texts)
                    .collect::<BTreeMap<_, _>>()
            })
        }),
        topics,
        prop::collection::vec(quantity(), 0..=3),
        prop::option::of(text()),
        date(),
    )
        .prop_map(
            |(claimant, kind, (stated_on, precision), text, topics, quantities, note, due)| {
                let mut body = json!({
                    "claimant": claimant, "kind": kind, "stated_on": stated_on,
                    "stated_precision": precision, "text": text, "topics": topics,
                    "quantities": quantities, "note": note,
                });
                if kind == "prediction" {
                    body["horizon"] = json!({"due_on": due.0, "precision": due.1});
                }
                body
            },
        )
}

/// The part of a claim as read that its body determines.
fn written(claim: &Value) -> Value {
    let mut topics: Vec<String> = claim["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    topics.sort();
    let quantities: Vec<Value> = claim["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            json!({"indicator": q["indicator"], "subject": q["subject"], "value": q["value"].as_f64(),
                   "unit": q["unit"], "qualifier": q["qualifier"]})
        })
        .collect();
    let claimant = match &claim["claimant"] {
        Value::Object(c) => c["id"].clone(),
        id => id.clone(),
    };
    json!({
        "claimant": claimant, "kind": claim["kind"], "stated_on": claim["stated_on"],
        "stated_precision": claim["stated_precision"], "text": claim["text"], "topics": topics,
        "quantities": quantities, "note": claim["note"], "horizon": claim.get("horizon").cloned().unwrap_or(Value::Null),
    })
}

/// Follows `next_cursor` through a whole list; every page must be served. Returns the ids.
async fn walk(app: &TestApp, list: &str) -> Result<Vec<String>, TestCaseError> {
    let mut ids = Vec::new();
    let mut url = list.to_owned();
    loop {
        let response = app.get(&url).await;
        let status = response.status();
        let page: Value = response.json().await.unwrap();
        prop_assert_eq!(status, StatusCode::OK, "{}: {}", url, page);
        ids.extend(crate::helpers::ids_of(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{list}&cursor={cursor}"),
            None => return Ok(ids),
        }
    }
}

async fn round_trip(
    app: &TestApp,
    token: &str,
    id: &str,
    body: &Value,
) -> Result<(), TestCaseError> {
    let mut sent = body.clone();
    sent["id"] = json!(id);
    let response = send(app, Method::POST, "/v1/claims", Some(token), Some(&sent)).await;
    let status = response.status();
    let created: Value = response.json().await.unwrap();
    prop_assert_eq!(status, StatusCode::CREATED, "{}: {}", sent, created);
    let read = app.get_json(&format!("/v1/claims/{id}")).await;
    prop_assert_eq!(written(&read), written(body), "read back");

    for sort in [
        "",
        "&sort=stated_on",
        "&sort=-stated_on",
        "&sort=updated_at",
        "&sort=-updated_at",
    ] {
        let list = format!("/v1/claims?evidence=any&limit=7{sort}");
        let ids = walk(app, &list).await?;
        prop_assert_eq!(ids.iter().filter(|i| *i == id).count(), 1, "{}", list);
    }

    // A merge patch of the whole body changes nothing; one of a new note changes only that.
    let path = format!("/v1/claims/{id}");
    let response = send(app, Method::PATCH, &path, Some(token), Some(body)).await;
    prop_assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    prop_assert_eq!(written(&app.get_json(&path).await), written(body));
    let note = json!({"note": format!("patched {id}")});
    let response = send(app, Method::PATCH, &path, Some(token), Some(&note)).await;
    prop_assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let mut expected = body.clone();
    expected["note"] = note["note"].clone();
    prop_assert_eq!(written(&app.get_json(&path).await), written(&expected));
    Ok(())
}

#[test]
fn every_accepted_claim_round_trips() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app());
    let token = runtime.block_on(token(&app));
    let next = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&claim(), |body| {
            let id = format!("round-trip-{}", next.fetch_add(1, Ordering::SeqCst));
            runtime.block_on(round_trip(&app, &token, &id, &body))
        })
        .unwrap();

    // Export, load into an empty database, and every claim written reads the same there.
    let copy = runtime.block_on(async {
        let store = Store::open(&app.db_path, 1, None).await.unwrap();
        let exported = dataset::export(&store).await.unwrap().to_json().unwrap();
        store.close().await;
        let copy = app.db_path.with_file_name("copy.db");
        let target = Store::open(&copy, 1, None).await.unwrap();
        dataset::load(&target, &dataset::Dataset::parse(&exported).unwrap())
            .await
            .unwrap();
        target.close().await;
        start(&copy).await
    });
    let client = reqwest::Client::new();
    for n in 0..next.load(Ordering::SeqCst) {
        let path = format!("/v1/claims/round-trip-{n}");
        let (original, copied) = runtime.block_on(async {
            let original = app.get(&path).await;
            let copied = client.get(format!("{copy}{path}")).send().await.unwrap();
            (original.text().await.unwrap(), copied.text().await.unwrap())
        });
        assert_eq!(original, copied, "{path}");
    }
}
