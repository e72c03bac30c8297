//! Claims are stored as ready documents, rendered by the writes that change them. Random
//! sequences of writes of every kind, through the API, must leave every stored document equal to
//! the claim assembled afresh from its rows.

use claimtrail::store::Store;
use claimtrail::store::documents::stale;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, import, send, spawn_app, token};

/// How many writes each sequence makes, and how often the documents are checked along it.
const WRITES: usize = 120;
const CHECK_EVERY: usize = 30;

/// Claims whose stored document is not the one assembled now (empty when all are current).
async fn stale_documents(app: &TestApp) -> Vec<String> {
    let store = Store::open(&app.db_path, 1, None).await.unwrap();
    let stale = stale(&store).await.unwrap();
    store.close().await;
    stale
}

/// The ids of every record of a list, read a page of 100 at a time.
async fn ids(app: &TestApp, path: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut url = format!("{path}?limit=100");
    loop {
        let page = app.get_json(&url).await;
        ids.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{path}?limit=100&cursor={cursor}"),
            None => return ids,
        }
    }
}

/// One write, chosen by `rng` among every kind the API takes, on records that exist now (or
/// just did). Many are refused (a revision chain would fork, a source is still cited): a
/// refusal must change no document either.
async fn random_write(app: &TestApp, token: &str, rng: &mut fastrand::Rng, n: usize) -> Response {
    let claims = ids(app, "/v1/claims").await;
    let claimants = ids(app, "/v1/claimants").await;
    let sources = ids(app, "/v1/sources").await;
    let topics = ids(app, "/v1/topics").await;
    let pick = |rng: &mut fastrand::Rng, from: &[String]| from[rng.usize(..from.len())].clone();
    let claim = pick(rng, &claims);
    let langs = ["en", "zh-CN", "zh-TW"];
    let lang = langs[rng.usize(..langs.len())];
    let (method, path, body) = match rng.u8(..13) {
        0 => {
            let mut body = json!({
                "id": format!("random-{n}"),
                "claimant": pick(rng, &claimants),
                "kind": "prediction",
                "stated_on": format!("2026-0{}-1{}", rng.u8(1..10), rng.u8(0..10)),
                "text": {lang: format!("Random claim {n} about power.")},
                "topics": [pick(rng, &topics)],
                "quantities": [{"indicator": "spare-power-capacity", "subject": "CN",
                                "value": rng.u16(1..900), "unit": "GW", "qualifier": "about"}]
            });
            if rng.bool() {
                body["supersedes"] = json!(claim);
            }
            (Method::POST, "/v1/claims".to_owned(), Some(body))
        }
        1 => {
            let patch = match rng.u8(..5) {
                0 => json!({"text": {lang: format!("Changed text {n}.")}}),
                1 => json!({"topics": [pick(rng, &topics)]}),
                2 => json!({"supersedes": pick(rng, &claims)}),
                3 => json!({"supersedes": null}),
                _ => json!({"claimant": pick(rng, &claimants), "note": format!("note {n}")}),
            };
            (Method::PATCH, format!("/v1/claims/{claim}"), Some(patch))
        }
        2 => (Method::DELETE, format!("/v1/claims/{claim}"), None),
        3 => {
            let body = json!({"source": pick(rng, &sources), "lang": lang,
                              "quote": format!("Quote {n}."), "kind": "paraphrase"});
            (
                Method::POST,
                format!("/v1/claims/{claim}/appearances"),
                Some(body),
            )
        }
        4 | 5 => {
            let Some(appearance) = part_of(app, &claim, "appearances", rng).await else {
                return Response::Skipped;
            };
            let path = format!("/v1/claims/{claim}/appearances/{appearance}");
            if rng.bool() {
                (Method::DELETE, path, None)
            } else {
                let patch = json!({"source": pick(rng, &sources), "lang": lang});
                (Method::PATCH, path, Some(patch))
            }
        }
        6 => {
            let verdicts = ["correct", "incorrect", "partly_correct", "unresolvable"];
            let body = json!({"verdict": verdicts[rng.usize(..verdicts.len())],
                              "summary": format!("Checked {n}."),
                              "assessed_on": format!("2026-1{}-0{}", rng.u8(0..3), rng.u8(1..10)),
                              "assessor": "editors"});
            (
                Method::POST,
                format!("/v1/claims/{claim}/assessments"),
                Some(body),
            )
        }
        7 => {
            let Some(assessment) = part_of(app, &claim, "assessments", rng).await else {
                return Response::Skipped;
            };
            let path = format!("/v1/claims/{claim}/assessments/{assessment}");
            (Method::DELETE, path, None)
        }
        8 => {
            let patch = json!({"names": {"en": format!("Renamed {n}")}});
            let path = format!("/v1/claimants/{}", pick(rng, &claimants));
            (Method::PATCH, path, Some(patch))
        }
        9 => {
            let checks = [
                json!("verified"),
                json!("secondary"),
                json!("unverified"),
                json!(null),
            ];
            let patch = json!({"verification": checks[rng.usize(..checks.len())]});
            let path = format!("/v1/sources/{}", pick(rng, &sources));
            (Method::PATCH, path, Some(patch))
        }
        10 => {
            let body = json!({"id": format!("topic-{n}"), "names": {"en": format!("Topic {n}")}});
            (Method::POST, "/v1/topics".to_owned(), Some(body))
        }
        11 => {
            let path = format!("/v1/topics/{}?cascade=true", pick(rng, &topics));
            (Method::DELETE, path, None)
        }
        _ => {
            let lines = [
                json!({"type": "claim", "id": claim, "claimant": pick(rng, &claimants),
                       "kind": "assertion", "stated_on": "2026-03-03",
                       "text": {"en": format!("Imported over {n}.")}}),
                json!({"type": "appearance", "claim": claim, "id": format!("imported-{n}"),
                       "source": pick(rng, &sources), "lang": "en", "quote": "Imported."}),
            ];
            return Response::Sent(import(app, token, &lines).await.status());
        }
    };
    let response = send(app, method, &path, Some(token), body.as_ref()).await;
    Response::Sent(response.status())
}

/// What became of a random write.
enum Response {
    Sent(StatusCode),
    /// The claim had no record of that kind to change.
    Skipped,
}

/// The id of a random appearance or assessment of `claim`, if it has any.
async fn part_of(
    app: &TestApp,
    claim: &str,
    kind: &str,
    rng: &mut fastrand::Rng,
) -> Option<String> {
    let list: Value = app.get_json(&format!("/v1/claims/{claim}/{kind}")).await;
    let parts = list["data"].as_array().unwrap();
    (!parts.is_empty()).then(|| {
        parts[rng.usize(..parts.len())]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    })
}

#[tokio::test]
async fn random_writes_leave_every_stored_document_equal_to_a_fresh_one() {
    for seed in [7, 2026] {
        let app = spawn_app().await;
        let token = token(&app).await;
        assert_eq!(
            stale_documents(&app).await,
            Vec::<String>::new(),
            "as loaded"
        );
        let mut rng = fastrand::Rng::with_seed(seed);
        let (mut accepted, mut refused) = (0, 0);
        for n in 0..WRITES {
            match random_write(&app, &token, &mut rng, n).await {
                Response::Sent(status) if status.is_success() => accepted += 1,
                Response::Sent(status) => {
                    assert!(
                        status.is_client_error(),
                        "write {n} of seed {seed}: {status}"
                    );
                    refused += 1;
                }
                Response::Skipped => {}
            }
            if (n + 1) % CHECK_EVERY == 0 {
                let stale = stale_documents(&app).await;
                assert!(stale.is_empty(), "seed {seed}, after write {n}: {stale:?}");
            }
        }
        // Both kinds of outcome were exercised, or the sequence proved little.
        assert!(
            accepted > WRITES / 3 && refused > 0,
            "{accepted} accepted, {refused} refused"
        );
    }
}
