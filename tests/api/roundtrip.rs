//! Any write the server accepts round-trips (issue "Every refusal bounded, clear and
//! documented", Done when): a property test generates claim bodies across the space the contract
//! allows (dates at every precision and from year 1000 to 9999, texts in several languages and
//! scripts, figures, topics, horizons; appearances and assessments; topics, claimants and
//! sources), and each accepted one must read back as written, be found through every cursor of
//! the lists it is in, take a merge patch of itself (and a claim one of a new field), and come
//! back the same from `export` loaded into an empty database.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use claimtrail::store::{Store, dataset};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, send, spawn_app, start, token};

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

const SOURCES: [&str; 3] = [
    "ft-2025-11-05-huang-china-will-win",
    "businessinsider-2026-01-07-musk-ai-compute",
    "gmteight-2026-04-morgan-stanley",
];

/// An appearance body; a quote comes with its kind, as the contract requires.
fn appearance() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(SOURCES.to_vec()),
        prop::sample::select(vec!["en", "zh-CN", "zh-TW", "de"]),
        prop::option::of((text(), prop::sample::select(vec!["verbatim", "paraphrase"]))),
        prop::option::of(prop::sample::select(vec![
            "faithful",
            "reworded",
            "mistranslated",
            "hardened",
        ])),
        prop::option::of(text()),
        prop::option::of(text()),
    )
        .prop_map(|(source, lang, quote, fidelity, note, locator)| {
            json!({"source": source, "lang": lang, "quote": quote.as_ref().map(|q| &q.0),
                   "kind": quote.as_ref().map(|q| q.1), "fidelity": fidelity, "note": note,
                   "locator": locator})
        })
}

fn assessment() -> impl Strategy<Value = Value> {
    let evidence = (
        text(),
        prop::option::of("[a-z0-9]{1,12}"),
        prop::option::of(prop::sample::select(SOURCES.to_vec())),
    )
        .prop_map(|(description, url, source)| {
            json!({"description": description,
                   "url": url.map(|u| format!("https://example.org/{u}")), "source_id": source})
        });
    (
        prop::sample::select(vec![
            "pending",
            "correct",
            "incorrect",
            "partly_correct",
            "unresolvable",
            "not_applicable",
        ]),
        text(),
        prop::collection::vec(evidence, 0..=3),
        date(),
        text(),
    )
        .prop_map(|(verdict, summary, evidence, (assessed_on, _), assessor)| {
            json!({"verdict": verdict, "summary": summary, "evidence": evidence,
                   "assessed_on": assessed_on, "assessor": assessor})
        })
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
        ids.extend(crate::support::ids_of(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{list}&cursor={cursor}"),
            None => return Ok(ids),
        }
    }
}

/// POSTs `body` to `path` and returns what was created. A 409 (an alias another claimant has
/// already) rejects the case: a refusal, not an accepted write. Any other answer fails it.
async fn created(
    app: &TestApp,
    token: &str,
    path: &str,
    body: &Value,
) -> Result<Value, TestCaseError> {
    let response = send(app, Method::POST, path, Some(token), Some(body)).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    if status == StatusCode::CONFLICT && path == "/v1/claimants" {
        prop_assert_eq!(&answer["code"], "conflict", "{}", answer);
        return Err(TestCaseError::reject(answer.to_string()));
    }
    prop_assert_eq!(status, StatusCode::CREATED, "{}: {}", body, answer);
    Ok(answer)
}

/// PATCHes `path` with `patch`, which must be taken.
async fn patched(
    app: &TestApp,
    token: &str,
    path: &str,
    patch: &Value,
) -> Result<(), TestCaseError> {
    let response = send(app, Method::PATCH, path, Some(token), Some(patch)).await;
    let status = response.status();
    prop_assert_eq!(status, StatusCode::OK, "{}", response.text().await.unwrap());
    Ok(())
}

async fn round_trip(
    app: &TestApp,
    token: &str,
    id: &str,
    (body, appearance, assessment): &(Value, Value, Value),
) -> Result<(), TestCaseError> {
    let mut sent = body.clone();
    sent["id"] = json!(id);
    created(app, token, "/v1/claims", &sent).await?;
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
    patched(app, token, &path, body).await?;
    prop_assert_eq!(written(&app.get_json(&path).await), written(body));
    let note = json!({"note": format!("patched {id}")});
    patched(app, token, &path, &note).await?;
    let mut expected = body.clone();
    expected["note"] = note["note"].clone();
    prop_assert_eq!(written(&app.get_json(&path).await), written(&expected));

    // Its parts: an appearance (whose `source` reads back as `source_id`) and an assessment.
    for (part, body) in [("appearances", appearance), ("assessments", assessment)] {
        let created = created(app, token, &format!("{path}/{part}"), body).await?;
        let part_path = format!("{path}/{part}/{}", created["id"].as_str().unwrap());
        let mut expected = body.clone();
        if let Some(source) = expected.as_object_mut().unwrap().remove("source") {
            expected["source_id"] = source;
        }
        assert_kept(&expected, &app.get_json(&part_path).await)?;
        patched(app, token, &part_path, body).await?;
        assert_kept(&expected, &app.get_json(&part_path).await)?;
    }
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
        .run(&(claim(), appearance(), assessment()), |body| {
            let id = format!("round-trip-{}", next.fetch_add(1, Ordering::SeqCst));
            runtime.block_on(round_trip(&app, &token, &id, &body))
        })
        .unwrap();

    // Export, load into an empty database, and every claim written reads the same there.
    let written: Vec<String> = (0..next.load(Ordering::SeqCst))
        .flat_map(|n| {
            let claim = format!("/v1/claims/round-trip-{n}");
            [
                format!("{claim}/appearances"),
                format!("{claim}/assessments"),
                claim,
            ]
        })
        .collect();
    runtime.block_on(assert_exported_alike(&app, &written));
}

/// Names in one to three languages.
fn names() -> impl Strategy<Value = Value> {
    prop::sample::subsequence(vec!["en", "zh-CN", "zh-TW", "de", "fr"], 1..=3).prop_flat_map(
        |langs| {
            prop::collection::vec(text(), langs.len())
                .prop_map(move |texts| json!(langs.iter().zip(texts).collect::<BTreeMap<_, _>>()))
        },
    )
}

fn topic() -> impl Strategy<Value = Value> {
    (names(), prop::option::of(text()))
        .prop_map(|(names, description)| json!({"names": names, "description": description}))
}

fn claimant() -> impl Strategy<Value = Value> {
    let affiliation = (text(), text(), prop::option::of(date())).prop_map(|(org, role, since)| {
        json!({"organization": org, "organization_id": null, "role": role,
               "since": since.map(|(d, _)| d), "until": null})
    });
    (
        prop::sample::select(vec!["person", "organization"]),
        names(),
        prop::collection::vec(
            (
                text(),
                prop::option::of(prop::sample::select(vec!["en", "zh-CN", "de"])),
            )
                .prop_map(|(alias, lang)| json!({"alias": alias, "lang": lang})),
            0..=3,
        ),
        prop::option::of(1u32..100_000_000),
        prop::option::of(text()),
        prop::collection::vec(affiliation, 0..=2),
    )
        .prop_map(
            |(kind, names, mut aliases, wikidata, description, affiliations)| {
                // Aliases that differ only in ASCII case are one (a 422), not two to keep.
                let mut seen = std::collections::HashSet::new();
                aliases.retain(|a: &Value| {
                    seen.insert(a["alias"].as_str().unwrap().to_ascii_lowercase())
                });
                json!({"kind": kind, "names": names, "aliases": aliases,
                   "wikidata_id": wikidata.map(|q| format!("Q{q}")), "description": description,
                   "affiliations": affiliations})
            },
        )
}

fn source() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec![
            "podcast",
            "article",
            "report",
            "interview",
            "statement",
            "letter",
            "blog_post",
            "social_post",
        ]),
        text(),
        prop::option::of(text()),
        prop::option::of("[a-z0-9]{1,12}(/[a-z0-9._~-]{1,12}){0,3}"),
        prop::option::of(date()),
        prop::sample::select(vec!["en", "zh-CN", "zh-TW", "de"]),
        prop::collection::vec(text(), 0..=3),
        prop::option::of(text()),
    )
        .prop_map(
            |(kind, publisher, title, url, published, language, authors, note)| {
                json!({"kind": kind, "publisher": publisher, "title": title,
                       "url": url.map(|u| format!("https://example.org/{u}")),
                       "published_on": published.as_ref().map(|(d, _)| d.clone()),
                       "published_precision": published.map(|(_, p)| p),
                       "language": language, "authors": authors, "note": note})
            },
        )
}

/// Every field a body gave reads back as given; a claimant's aliases in their documented
/// order (by language, none first, then by alias ignoring ASCII case).
fn assert_kept(body: &Value, read: &Value) -> Result<(), TestCaseError> {
    let mut body = body.clone();
    if let Some(aliases) = body.get_mut("aliases").and_then(Value::as_array_mut) {
        let key = |v: &Value| {
            let alias = v["alias"].as_str().map(str::to_ascii_lowercase);
            (v["lang"].as_str().map(str::to_owned), alias)
        };
        aliases.sort_by_key(key);
    }
    for (field, value) in body.as_object().unwrap() {
        prop_assert_eq!(&read[field], value, "{} of {}", field, read);
    }
    Ok(())
}

/// A topic, claimant or source body: POSTed, read back, found through every cursor of its
/// list, merge-patched with itself.
async fn record_round_trip(
    app: &TestApp,
    token: &str,
    collection: &str,
    id: &str,
    body: &Value,
) -> Result<(), TestCaseError> {
    let mut sent = body.clone();
    sent["id"] = json!(id);
    created(app, token, &format!("/v1/{collection}"), &sent).await?;
    let path = format!("/v1/{collection}/{id}");
    assert_kept(body, &app.get_json(&path).await)?;
    let ids = walk(app, &format!("/v1/{collection}?limit=3&count=false")).await?;
    prop_assert_eq!(ids.iter().filter(|i| *i == id).count(), 1);
    patched(app, token, &path, body).await?;
    assert_kept(body, &app.get_json(&path).await)
}

#[test]
fn every_accepted_topic_claimant_and_source_round_trips() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app());
    let token = runtime.block_on(token(&app));
    let next = AtomicUsize::new(0);
    let written = std::cell::RefCell::new(Vec::new());
    let bodies = prop_oneof![
        topic().prop_map(|b| ("topics", b)),
        claimant().prop_map(|b| ("claimants", b)),
        source().prop_map(|b| ("sources", b)),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&bodies, |(collection, body)| {
            let id = format!("round-trip-{}", next.fetch_add(1, Ordering::SeqCst));
            runtime.block_on(record_round_trip(&app, &token, collection, &id, &body))?;
            written.borrow_mut().push(format!("/v1/{collection}/{id}"));
            Ok(())
        })
        .unwrap();

    runtime.block_on(assert_exported_alike(&app, &written.into_inner()));
}

/// Exports the app's record, loads it into an empty database, and checks that a server on the
/// copy answers each of `paths` byte for byte as the original does.
async fn assert_exported_alike(app: &TestApp, paths: &[String]) {
    let store = Store::open(&app.db_path, 1, None).await.unwrap();
    let exported = dataset::export(&store).await.unwrap().to_json().unwrap();
    store.close().await;
    let copy = app.db_path.with_file_name("copy.db");
    let target = Store::open(&copy, 1, None).await.unwrap();
    dataset::load(&target, &dataset::Dataset::parse(&exported).unwrap())
        .await
        .unwrap();
    target.close().await;
    let copy = start(&copy).await;
    let client = reqwest::Client::new();
    for path in paths {
        let original = app.get(path).await;
        assert_eq!(original.status(), StatusCode::OK, "{path}");
        let copied = client.get(format!("{copy}{path}")).send().await.unwrap();
        assert_eq!(copied.status(), StatusCode::OK, "{path}");
        let original = original.text().await.unwrap();
        assert_eq!(original, copied.text().await.unwrap(), "{path}");
    }
}
