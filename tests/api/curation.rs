use std::collections::HashSet;

use claimtrail::store::Store;
use claimtrail::store::tokens::{self, Scope};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    assert_sound, conflict_saying, enc, import, invalid_fields, problem, send, spawn_app, token,
    token_of_scope,
};

fn claim_body(id: &str) -> Value {
    json!({
        "id": id,
        "claimant": "elon-musk",
        "kind": "prediction",
        "stated_on": "2026-02-01",
        "text": {"en": "Transformer shortages hold back AI.", "zh-CN": "电网是人工智能的瓶颈。"},
        "horizon": {"due_on": "2027-12-31", "precision": "year"},
        "topics": ["electricity"],
        "quantities": [{"indicator": "spare-power-capacity", "subject": "CN", "value": 450, "unit": "GW", "qualifier": "about"}]
    })
}

#[tokio::test]
async fn writes_need_a_valid_token() {
    let app = spawn_app().await;
    let body = claim_body("no-token");
    for token in [None, Some("ct_0000000000000000_00"), Some("not a token")] {
        let response = send(
            &app,
            reqwest::Method::POST,
            "/v1/claims",
            token,
            Some(&body),
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"claimtrail\""
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "unauthorized");
    }
    let live = token(&app).await;
    let id = live.split('_').nth(1).unwrap().to_owned();
    let store = Store::open(&app.db_path, 1, None).await.unwrap();
    assert!(tokens::revoke(&store, &id).await.unwrap());
    store.close().await;
    let revoked = send(
        &app,
        reqwest::Method::POST,
        "/v1/claims",
        Some(&live),
        Some(&body),
    )
    .await;
    problem(revoked, StatusCode::UNAUTHORIZED, "unauthorized").await;
    for (method, path) in [
        (reqwest::Method::PATCH, "/v1/claims/huang-power-is-free"),
        (reqwest::Method::DELETE, "/v1/claims/huang-power-is-free"),
    ] {
        problem(
            send(&app, method, path, None, Some(&json!({}))).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
    }
    assert_eq!(
        app.ids("/v1/claims?limit=100&evidence=any").await.len(),
        22,
        "nothing was written"
    );
}

#[tokio::test]
async fn a_created_claim_is_found_by_search_and_figure_and_edited_with_if_match() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let created = send(
        &app,
        reqwest::Method::POST,
        "/v1/claims",
        Some(&token),
        Some(&claim_body("musk-grid-2026")),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["location"], "/v1/claims/musk-grid-2026");
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let get = app.get("/v1/claims/musk-grid-2026").await;
    assert_eq!(
        get.headers()["etag"].to_str().unwrap(),
        etag,
        "the ETag of the write is the ETag of the GET"
    );

    assert_eq!(
        app.ids(&format!("/v1/claims?q={}", enc("电网"))).await,
        ["musk-grid-2026"]
    );
    assert_eq!(
        app.ids("/v1/claims?q=transformers").await,
        ["musk-grid-2026"]
    );
    let by_figure = app
        .ids("/v1/claims?indicator=spare-power-capacity&value_min=420000MW")
        .await;
    assert_eq!(by_figure, ["musk-grid-2026"]);

    let appearance = send(
        &app,
        reqwest::Method::POST,
        "/v1/claims/musk-grid-2026/appearances",
        Some(&token),
        Some(&json!({"source": "eeff7-2026-01-10-musk-ai-compute", "lang": "zh-CN", "kind": "translation",
                     "quote": "电网是人工智能的瓶颈", "fidelity": "faithful", "first_appearance": true})),
    )
    .await;
    assert_eq!(appearance.status(), StatusCode::CREATED);
    let appearances = app.get_json("/v1/claims/musk-grid-2026/appearances").await;
    assert_eq!(appearances["data"][0]["quote"], "电网是人工智能的瓶颈");

    // The appearance changed the claim's representation (its appearance summary), so the old
    // ETag is stale.
    let stale = app
        .client
        .patch(format!("{}/v1/claims/musk-grid-2026", app.address))
        .bearer_auth(&token)
        .header("if-match", &etag)
        .json(&json!({"note": "stale"}))
        .send()
        .await
        .unwrap();
    problem(
        stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
    )
    .await;
    assert!(
        app.get_json("/v1/claims/musk-grid-2026").await["note"].is_null(),
        "nothing changed"
    );

    let current = app.get("/v1/claims/musk-grid-2026").await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let patched = app
        .client
        .patch(format!("{}/v1/claims/musk-grid-2026", app.address))
        .bearer_auth(&token)
        .header("if-match", &current)
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"note": "Checked against the recording.", "horizon": null, "kind": "assertion"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let claim: Value = patched.json().await.unwrap();
    assert_eq!(claim["note"], "Checked against the recording.");
    assert_eq!(claim["kind"], "assertion");
    assert!(claim["horizon"].is_null());
    assert_eq!(
        claim["text"]["zh-CN"], "电网是人工智能的瓶颈。",
        "untouched fields stay"
    );

    let history = app.get_json("/v1/history?claim=musk-grid-2026").await;
    let actions: Vec<(&str, &str)> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["resource"].as_str().unwrap(),
                h["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("claim", "update"),
            ("appearance", "create"),
            ("claim", "create")
        ]
    );
    let diff = history["data"][0]["diff"].to_string();
    assert!(diff.contains("/note") && diff.contains("/kind"), "{diff}");
    assert!(history["data"][0]["token_id"].is_string());

    let deleted = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/claims/musk-grid-2026",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    problem(
        app.get("/v1/claims/musk-grid-2026").await,
        StatusCode::NOT_FOUND,
        "claim_not_found",
    )
    .await;
    assert!(
        app.ids(&format!("/v1/claims?q={}", enc("电网")))
            .await
            .is_empty(),
        "gone from search"
    );
    let after = app.get_json("/v1/history?claim=musk-grid-2026").await;
    assert_eq!(
        after["data"][0]["action"], "delete",
        "history outlives the claim"
    );
}

#[tokio::test]
async fn bad_bodies_get_the_right_4xx() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let url = format!("{}/v1/claims", app.address);
    let post = |content_type: &'static str, body: Vec<u8>| {
        app.client
            .post(&url)
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases: Vec<(reqwest::Response, StatusCode, &str)> = vec![
        (
            post("text/plain", b"{}".to_vec()).await.unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            post("application/json", b"{\"claimant\": ".to_vec())
                .await
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "malformed_body",
        ),
        (
            post("application/json", b"[1, 2]".to_vec()).await.unwrap(),
            StatusCode::BAD_REQUEST,
            "malformed_body",
        ),
        (
            post("application/json", vec![b' '; 2 * 1024 * 1024])
                .await
                .unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ];
    for (response, status, code) in cases {
        assert_eq!(response.status(), status, "{code}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], code);
    }

    let invalid = send(
        &app,
        reqwest::Method::POST,
        "/v1/claims",
        Some(&token),
        Some(&json!({"claimant": "elon-musk", "kind": "guess", "text": {"en": ""}, "colour": "red",
                     "quantities": [{"indicator": "x", "subject": "usa", "value": 1, "unit": "GW"}]})),
    )
    .await;
    let body = problem(
        invalid,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: HashSet<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for pointer in [
        "/kind",
        "/stated_on",
        "/text/en",
        "/colour",
        "/quantities/0/subject",
    ] {
        assert!(
            fields.contains(pointer),
            "{pointer} missing from {fields:?}"
        );
    }

    let mut references = claim_body("bad-references");
    references["claimant"] = json!("nobody");
    references["topics"] = json!(["no-such-topic"]);
    references["quantities"][0]["unit"] = json!("GWh");
    let response = send(
        &app,
        reqwest::Method::POST,
        "/v1/claims",
        Some(&token),
        Some(&references),
    )
    .await;
    let body = problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: HashSet<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        HashSet::from(["/claimant", "/topics/0", "/quantities/0/unit"])
    );

    let taken = send(
        &app,
        reqwest::Method::POST,
        "/v1/claims",
        Some(&token),
        Some(&claim_body("huang-power-is-free")),
    )
    .await;
    conflict_saying(taken, "huang-power-is-free").await;
    let mut fork = claim_body("ms-fork");
    fork["supersedes"] = json!("morgan-stanley-us-shortfall-44gw");
    let forked = send(
        &app,
        reqwest::Method::POST,
        "/v1/claims",
        Some(&token),
        Some(&fork),
    )
    .await;
    conflict_saying(forked, "a revision chain cannot fork").await;
    let cycle = send(
        &app,
        reqwest::Method::PATCH,
        "/v1/claims/morgan-stanley-us-shortfall-36gw",
        Some(&token),
        Some(&json!({"supersedes": "morgan-stanley-us-shortfall-47gw"})),
    )
    .await;
    conflict_saying(cycle, "would make a revision chain loop").await;
    let mut itself = claim_body("ms-itself");
    itself["supersedes"] = json!("ms-itself");
    let refusal = problem(
        send(
            &app,
            reqwest::Method::POST,
            "/v1/claims",
            Some(&token),
            Some(&itself),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(refusal["errors"][0]["field"], "/supersedes", "{refusal}");
    assert_eq!(
        refusal["errors"][0]["message"],
        "a claim cannot supersede itself"
    );
    let on_patch = problem(
        send(
            &app,
            reqwest::Method::PATCH,
            "/v1/claims/morgan-stanley-us-shortfall-47gw",
            Some(&token),
            Some(&json!({"supersedes": "morgan-stanley-us-shortfall-47gw"})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(on_patch["errors"][0]["field"], "/supersedes", "{on_patch}");
    let referenced = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/claims/morgan-stanley-us-shortfall-44gw",
        Some(&token),
        None,
    )
    .await;
    problem(referenced, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(
        app.ids("/v1/claims?limit=100&evidence=any").await.len(),
        22,
        "nothing was written"
    );
}

#[tokio::test]
async fn a_retried_post_with_the_same_key_creates_one_record() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let mut body = claim_body("unused");
    body.as_object_mut().unwrap().remove("id");
    let post = |key: &'static str, body: Value| {
        app.client
            .post(format!("{}/v1/claims", app.address))
            .bearer_auth(&token)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let first = post("retry-1", body.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = post("retry-1", body.clone()).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(
        app.ids("/v1/claims?claimant=elon-musk").await.len(),
        6,
        "one new claim"
    );

    let mut other = body.clone();
    other["text"]["en"] = json!("Another claim.");
    let reused = post("retry-1", other).await.unwrap();
    let mismatch = problem(
        reused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(
        mismatch["errors"][0]["field"], "Idempotency-Key",
        "{mismatch}"
    );

    // A key is visible ASCII: a space or a tab in it is a 400, not a key.
    for bad in ["retry 2", "retry\t2"] {
        let response = post(bad, body.clone()).await.unwrap();
        let refusal = problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(
            refusal["errors"][0]["field"], "Idempotency-Key",
            "{bad:?}: {refusal}"
        );
    }

    // Once the record it created is deleted, the key no longer replays a 201 for it.
    let id = first["id"].as_str().unwrap();
    let deleted = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/v1/claims/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = post("retry-1", body.clone()).await.unwrap();
    let conflict = problem(gone, StatusCode::CONFLICT, "conflict").await;
    assert!(
        conflict["detail"].as_str().unwrap().contains("deleted"),
        "{conflict}"
    );
    problem(
        app.get(&format!("/v1/claims/{id}")).await,
        StatusCode::NOT_FOUND,
        "claim_not_found",
    )
    .await;
    let fresh = post("retry-3", body.clone()).await.unwrap();
    assert_eq!(
        fresh.status(),
        StatusCode::CREATED,
        "a new key creates it again"
    );
}

#[tokio::test]
async fn racing_if_match_updates_let_exactly_one_win() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let etag = app.get("/v1/claims/huang-power-is-free").await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let patch = |note: &'static str| {
        app.client
            .patch(format!("{}/v1/claims/huang-power-is-free", app.address))
            .bearer_auth(&token)
            .header("if-match", &etag)
            .json(&json!({"note": note}))
            .send()
    };
    let (a, b) = tokio::join!(patch("first"), patch("second"));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    let loser = if a.status() == StatusCode::PRECONDITION_FAILED {
        a
    } else {
        b
    };
    problem(
        loser,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
    )
    .await;
}

#[tokio::test]
async fn concurrent_writers_lose_nothing() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let mut tasks = Vec::new();
    for writer in 0..8 {
        let (client, address, token) = (app.client.clone(), app.address.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0..200 {
                let id = format!("load-{writer}-{i}");
                let response = client
                    .post(format!("{address}/v1/claims"))
                    .bearer_auth(&token)
                    .json(&claim_body(&id))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    response.status(),
                    StatusCode::CREATED,
                    "{id}: {}",
                    response.text().await.unwrap()
                );
                acknowledged.push(id);
            }
            acknowledged
        }));
    }
    let mut acknowledged = Vec::new();
    for task in tasks {
        acknowledged.extend(task.await.unwrap());
    }
    assert_eq!(acknowledged.len(), 1600);
    let stream = app
        .get("/v1/claims?format=ndjson&claimant=elon-musk&stated_since=2026-02-01")
        .await
        .text()
        .await
        .unwrap();
    let stored: HashSet<String> = stream
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let acknowledged: HashSet<String> = acknowledged.into_iter().collect();
    assert_eq!(
        stored, acknowledged,
        "every acknowledged write is there, and nothing else"
    );
    assert_sound(&app.db().await).await;
}

#[tokio::test]
async fn a_read_token_cannot_write_and_private_reads_need_a_token() {
    let app = spawn_app().await;
    let store = Store::open(&app.db_path, 1, None).await.unwrap();
    let (_, reader) = tokens::create(&store, "reader", Scope::Read).await.unwrap();
    store.close().await;
    let refused = send(
        &app,
        reqwest::Method::POST,
        "/v1/claims",
        Some(&reader),
        Some(&claim_body("read-only")),
    )
    .await;
    problem(refused, StatusCode::FORBIDDEN, "forbidden").await;

    let private = crate::support::start_with(&app.db_path, false).await;
    let client = reqwest::Client::new();
    let anonymous = client
        .get(format!("{private}/v1/claims"))
        .send()
        .await
        .unwrap();
    let headers = anonymous.headers().clone();
    problem(anonymous, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(headers["www-authenticate"], "Bearer realm=\"claimtrail\"");
    let with_token = client
        .get(format!("{private}/v1/claims"))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), StatusCode::OK);
    for open in ["/healthz", "/readyz", "/openapi.json", "/docs/"] {
        assert_eq!(
            client
                .get(format!("{private}{open}"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK,
            "{open}"
        );
    }
}

#[tokio::test]
async fn assessments_set_the_status_and_appearances_can_be_corrected() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let claim = "/v1/claims/musk-china-3x-us-generation-by-2026";
    let review = json!({
        "id": "musk-3x-at-the-horizon", "verdict": "incorrect", "assessed_on": "2027-02-01",
        "summary": "An example verdict for this test.", "assessor": "tests",
        "evidence": [{"description": "An example.", "url": "https://example.org/data", "source_id": "eeff7-2026-01-10-musk-ai-compute"}]
    });
    let created = send(
        &app,
        reqwest::Method::POST,
        &format!("{claim}/assessments"),
        Some(&token),
        Some(&review),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(app.get_json(claim).await["status"], "incorrect");
    assert_eq!(
        app.ids("/v1/claims?status=incorrect").await,
        ["musk-china-3x-us-generation-by-2026"]
    );

    let path = format!("{claim}/assessments/musk-3x-at-the-horizon");
    let etag = app.get(&path).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let patched = app
        .client
        .patch(format!("{}{path}", app.address))
        .bearer_auth(&token)
        .header("if-match", &etag)
        .json(&json!({"verdict": "partly_correct"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(app.get_json(claim).await["status"], "partly_correct");
    let bad = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        Some(&token),
        Some(&json!({"verdict": "maybe", "evidence": [{"url": "ftp://x"}]})),
    )
    .await;
    let body = problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: HashSet<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        HashSet::from(["/verdict", "/evidence/0/description", "/evidence/0/url"])
    );
    let deleted = send(&app, reqwest::Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_json(claim).await["status"],
        "pending",
        "back to the dossier's assessment"
    );
    problem(
        app.get(&path).await,
        StatusCode::NOT_FOUND,
        "assessment_not_found",
    )
    .await;

    // A desk editor marks a translation as a mistranslation, with If-Match.
    let appearance = "/v1/claims/musk-china-ai-compute/appearances/musk-ai-compute-worldjournal";
    let etag = app.get(appearance).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let marked = app
        .client
        .patch(format!("{}{appearance}", app.address))
        .bearer_auth(&token)
        .header("if-match", &etag)
        .json(&json!({"fidelity": "mistranslated", "note": "An example correction."}))
        .send()
        .await
        .unwrap();
    assert_eq!(marked.status(), StatusCode::OK);
    let marked: Value = marked.json().await.unwrap();
    assert_eq!(
        (marked["fidelity"].as_str(), marked["quote"].as_str()),
        (
            Some("mistranslated"),
            Some("中國將產出比其他任何國家更多的電力")
        )
    );
    let stale = app
        .client
        .patch(format!("{}{appearance}", app.address))
        .bearer_auth(&token)
        .header("if-match", &etag)
        .json(&json!({"note": "stale"}))
        .send()
        .await
        .unwrap();
    problem(
        stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
    )
    .await;

    let translated = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/claims/musk-china-ai-compute/appearances/musk-ai-compute-bi-power",
        Some(&token),
        None,
    )
    .await;
    // Refused: other appearances translate it.
    problem(translated, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(
        app.ids(&format!(
            "/v1/claims?q={}",
            enc("\"more powerful computing power\"")
        ))
        .await,
        ["musk-china-ai-compute"]
    );
    let gone = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/claims/musk-china-ai-compute/appearances/musk-ai-compute-ckhq",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert!(
        app.ids(&format!(
            "/v1/claims?q={}",
            enc("\"more powerful computing power\"")
        ))
        .await
        .is_empty(),
        "the index follows"
    );
    let history = app
        .get_json("/v1/history?claim=musk-china-ai-compute")
        .await;
    let actions: Vec<(&str, &str)> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["resource"].as_str().unwrap(),
                h["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [("appearance", "delete"), ("appearance", "update")]
    );
}

#[tokio::test]
async fn topics_and_indicators_are_curated_with_their_references_kept() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let grid = json!({"id": "grid", "names": {"en": "Power grid", "zh-CN": "电网"}});
    let created = send(
        &app,
        reqwest::Method::POST,
        "/v1/topics",
        Some(&token),
        Some(&grid),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["location"], "/v1/topics/grid");
    assert_eq!(
        app.get_json("/v1/topics/grid").await["names"]["zh-CN"],
        "电网"
    );
    let again = send(
        &app,
        reqwest::Method::POST,
        "/v1/topics",
        Some(&token),
        Some(&grid),
    )
    .await;
    problem(again, StatusCode::CONFLICT, "conflict").await;
    let nameless = send(
        &app,
        reqwest::Method::POST,
        "/v1/topics",
        Some(&token),
        Some(&json!({"id": "x", "names": {}})),
    )
    .await;
    let body = problem(
        nameless,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "/names", "{body}");

    let etag = app.get("/v1/topics/grid").await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let renamed = app
        .client
        .patch(format!("{}/v1/topics/grid", app.address))
        .bearer_auth(&token)
        .header("if-match", &etag)
        .json(&json!({"description": "Transmission and interconnection."}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);
    let stale = app
        .client
        .patch(format!("{}/v1/topics/grid", app.address))
        .bearer_auth(&token)
        .header("if-match", &etag)
        .json(&json!({"description": "stale"}))
        .send()
        .await
        .unwrap();
    problem(
        stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
    )
    .await;

    // A topic in use is kept unless cascade takes it off its claims.
    let in_use = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/topics/chips",
        Some(&token),
        None,
    )
    .await;
    let body = problem(in_use, StatusCode::CONFLICT, "conflict").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("musk-china-figure-out-chips"),
        "{body}"
    );
    let untagged_before = app.get_json("/v1/claims/musk-china-figure-out-chips").await;
    let cascaded = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/topics/chips?cascade=true",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(cascaded.status(), StatusCode::NO_CONTENT);
    assert!(app.ids("/v1/claims?topic=chips").await.is_empty());
    let untagged = app.get_json("/v1/claims/musk-china-figure-out-chips").await;
    assert!(
        !untagged["topics"].to_string().contains("chips"),
        "{untagged}"
    );
    // Untagging is an edit of the claim: it is dated and in the claim's history.
    assert_ne!(untagged["updated_at"], untagged_before["updated_at"]);
    let history = app
        .get_json("/v1/history?claim=musk-china-figure-out-chips")
        .await;
    let latest = &history["data"][0];
    assert_eq!(latest["action"], "update", "{history}");
    assert!(latest["diff"].to_string().contains("/topics"), "{latest}");

    // An indicator's dimension cannot change under its figures, and it cannot go while used.
    let redimension = send(
        &app,
        reqwest::Method::PATCH,
        "/v1/indicators/datacenter-power-shortfall",
        Some(&token),
        Some(&json!({"dimension": "energy"})),
    )
    .await;
    problem(redimension, StatusCode::CONFLICT, "conflict").await;
    let used = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/indicators/datacenter-power-shortfall",
        Some(&token),
        None,
    )
    .await;
    problem(used, StatusCode::CONFLICT, "conflict").await;
    let no_cascade = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/indicators/datacenter-power-shortfall?cascade=true",
        Some(&token),
        None,
    )
    .await;
    let body = problem(no_cascade, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(body["errors"][0]["field"], "cascade", "{body}");
    let queue =
        json!({"id": "grid-queue", "names": {"en": "Interconnection queue"}, "dimension": "power"});
    assert_eq!(
        send(
            &app,
            reqwest::Method::POST,
            "/v1/indicators",
            Some(&token),
            Some(&queue)
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    let unused = send(
        &app,
        reqwest::Method::PATCH,
        "/v1/indicators/grid-queue",
        Some(&token),
        Some(&json!({"dimension": "energy"})),
    )
    .await;
    assert_eq!(unused.status(), StatusCode::OK);
    assert_eq!(
        app.get_json("/v1/indicators/grid-queue").await["si_unit"],
        "Wh"
    );
    // An import replaces an indicator by the same rule: not under its figures, freely otherwise.
    let names = json!({"en": "Datacenter power shortfall"});
    let redimensioned = import(
        &app,
        &token,
        &[json!({"type": "indicator", "id": "datacenter-power-shortfall", "names": names, "dimension": "energy"})],
    )
    .await;
    let body = problem(redimensioned, StatusCode::CONFLICT, "conflict").await;
    assert!(
        body["detail"].as_str().unwrap().starts_with("line 1: "),
        "{body}"
    );
    assert_eq!(
        app.get_json("/v1/indicators/datacenter-power-shortfall")
            .await["dimension"],
        "power"
    );
    let back = import(
        &app,
        &token,
        &[json!({"type": "indicator", "id": "grid-queue", "names": {"en": "Interconnection queue"}, "dimension": "power"})],
    )
    .await;
    assert_eq!(back.status(), StatusCode::OK);
    assert_eq!(
        app.get_json("/v1/indicators/grid-queue").await["si_unit"],
        "W"
    );

    let history = app.get_json("/v1/history?resource=topic&id=chips").await;
    let actions: Vec<&str> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["delete"]);
    let grid_history = app.get_json("/v1/history?resource=topic&id=grid").await;
    assert_eq!(grid_history["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn inputs_that_once_made_500s_are_4xx() {
    let app = spawn_app().await;
    let token = token(&app).await;
    // A figure too large for SQLite's doubles and for JSON.
    let mut huge = claim_body("huge-figure");
    huge["quantities"][0]["value"] = json!(1e300);
    huge["quantities"][0]["unit"] = json!("TW");
    let response = send(
        &app,
        reqwest::Method::POST,
        "/v1/claims",
        Some(&token),
        Some(&huge),
    )
    .await;
    let body = problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "/quantities/0/value", "{body}");
    // So many repeated filters that SQLite would refuse the query.
    let many: String = (0..600).map(|i| format!("lang=x{i}&")).collect();
    let body = problem(
        app.get(&format!("/v1/claims?{many}")).await,
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "lang", "{body}");
    // A claim whose appearances another claim's appearance translates.
    send(
        &app,
        reqwest::Method::POST,
        "/v1/claims",
        Some(&token),
        Some(&claim_body("echo")),
    )
    .await;
    let echo = json!({"source": "udn-2026-01-08-musk", "lang": "zh-TW", "kind": "translation",
                      "quote": "範例", "translation_of": "huang-power-free-ft"});
    let linked = send(
        &app,
        reqwest::Method::POST,
        "/v1/claims/echo/appearances",
        Some(&token),
        Some(&echo),
    )
    .await;
    assert_eq!(linked.status(), StatusCode::CREATED);
    let blocked = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/claims/huang-power-is-free",
        Some(&token),
        None,
    )
    .await;
    problem(blocked, StatusCode::CONFLICT, "conflict").await;
}

#[tokio::test]
async fn private_reads_cannot_be_reached_by_spelling_the_path_differently() {
    let app = spawn_app().await;
    let private = crate::support::start_with(&app.db_path, false).await;
    let client = reqwest::Client::new();
    for path in ["/v1/claims", "/%761/claims", "/v1/%63laims"] {
        let response = client.get(format!("{private}{path}")).send().await.unwrap();
        assert_ne!(response.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn claimants_and_sources_are_curated_with_their_references_kept() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let nadella = json!({
        "id": "satya-nadella", "kind": "person", "names": {"en": "Satya Nadella", "zh-CN": "萨提亚·纳德拉"},
        "aliases": [{"alias": "纳德拉", "lang": "zh-CN"}],
        "affiliations": [{"organization": "Microsoft", "role": "CEO"}]
    });
    let created = send(
        &app,
        reqwest::Method::POST,
        "/v1/claimants",
        Some(&token),
        Some(&nadella),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["location"], "/v1/claimants/satya-nadella");
    assert_eq!(
        app.ids(&format!("/v1/claimants?q={}", enc("纳德拉"))).await,
        ["satya-nadella"]
    );

    // Renaming a claimant re-indexes their claims for search.
    let renamed = send(
        &app,
        reqwest::Method::PATCH,
        "/v1/claimants/openai",
        Some(&token),
        Some(&json!({"aliases": [{"alias": "开放人工智能", "lang": "zh-CN"}]})),
    )
    .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(
        app.ids(&format!("/v1/claims?claimant={}", enc("开放人工智能")))
            .await
            .len(),
        5
    );
    assert_eq!(
        app.ids(&format!("/v1/claims?q={}&limit=100", enc("开放人工智能")))
            .await
            .len(),
        5
    );

    let has_claims = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/claimants/openai",
        Some(&token),
        None,
    )
    .await;
    problem(has_claims, StatusCode::CONFLICT, "conflict").await;
    let bad = send(
        &app,
        reqwest::Method::POST,
        "/v1/claimants",
        Some(&token),
        Some(&json!({"id": "x", "kind": "robot", "names": {"en": "X"}, "wikidata_id": "q1"})),
    )
    .await;
    problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let gone = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/claimants/satya-nadella",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert!(
        app.ids(&format!("/v1/claimants?q={}", enc("纳德拉")))
            .await
            .is_empty()
    );
    let history = app
        .get_json("/v1/history?resource=claimant&id=satya-nadella")
        .await;
    assert_eq!(history["data"].as_array().unwrap().len(), 2);

    let report = json!({
        "id": "example-report-2026", "kind": "report", "publisher": "Example Research",
        "title": "An example grid report", "url": "https://example.org/report",
        "published_on": "2026-03-01", "published_precision": "month", "language": "en",
        "cites": ["morgan-stanley-2025-12-ai-power-gap"]
    });
    let created = send(
        &app,
        reqwest::Method::POST,
        "/v1/sources",
        Some(&token),
        Some(&report),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(app.ids("/v1/sources?q=grid").await, ["example-report-2026"]);
    let cited = app
        .get_json("/v1/sources/morgan-stanley-2025-12-ai-power-gap")
        .await;
    assert!(
        cited["cited_by"]
            .to_string()
            .contains("example-report-2026")
    );
    let invalid = send(
        &app,
        reqwest::Method::PATCH,
        "/v1/sources/example-report-2026",
        Some(&token),
        Some(&json!({"url": "not a url", "cites": ["example-report-2026"]})),
    )
    .await;
    problem(
        invalid,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let relied_on = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/sources/moonshots-2026-01-06-musk",
        Some(&token),
        None,
    )
    .await;
    problem(relied_on, StatusCode::CONFLICT, "conflict").await;
    let cited_source = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/sources/morgan-stanley-2025-12-ai-power-gap",
        Some(&token),
        None,
    )
    .await;
    problem(cited_source, StatusCode::CONFLICT, "conflict").await;
    let deleted = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/sources/example-report-2026",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(app.ids("/v1/sources?q=grid").await.is_empty());
}

#[tokio::test]
async fn an_import_is_validated_whole_and_applied_in_one_transaction() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let mut later = claim_body("import-later");
    later["stated_on"] = json!("2026-03-01");
    later["supersedes"] = json!("import-earlier");
    let batch = vec![
        json!({"type": "assessment", "claim": "import-earlier", "id": "import-check", "verdict": "unresolvable",
               "summary": "An example.", "assessed_on": "2026-11-29", "assessor": "tests"}),
        json!({"type": "topic", "id": "grid", "names": {"en": "Power grid", "zh-CN": "电网"}}),
        {
            let mut c = later.clone();
            c["type"] = json!("claim");
            c
        },
        {
            let mut c = claim_body("import-earlier");
            c["type"] = json!("claim");
            c["topics"] = json!(["grid"]);
            c
        },
        json!({"type": "appearance", "claim": "import-earlier", "id": "import-earlier-bi", "source": "businessinsider-2026-01-07-musk-ai-compute",
               "lang": "en", "kind": "paraphrase", "quote": "imported wording"}),
    ];
    let response = import(&app, &token, &batch).await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.unwrap();
    assert_eq!(
        report["created"],
        json!({"appearance": 1, "assessment": 1, "claim": 2, "topic": 1})
    );
    assert_eq!(
        app.get_json("/v1/claims/import-later").await["supersedes"],
        "import-earlier"
    );
    assert_eq!(
        app.get_json("/v1/claims/import-earlier").await["status"],
        "unresolvable"
    );
    assert_eq!(app.ids("/v1/claims?topic=grid").await, ["import-earlier"]);
    assert_eq!(
        app.ids(&format!("/v1/claims?q={}", enc("\"imported wording\"")))
            .await,
        ["import-earlier"]
    );

    let again = import(&app, &token, &batch).await;
    assert_eq!(again.status(), StatusCode::OK);
    let report: Value = again.json().await.unwrap();
    assert_eq!(report["updated"]["claim"], 2, "{report}");

    // A bad record in the middle leaves the database as it was.
    let before = app.get("/v1/claims?limit=100").await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let broken = vec![
        json!({"type": "topic", "id": "another", "names": {"en": "Another"}}),
        json!({"type": "claim", "id": "broken", "claimant": "elon-musk", "kind": "guess"}),
        json!({"type": "mystery"}),
    ];
    let response = import(&app, &token, &broken).await;
    let body = problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: HashSet<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains("/2/kind") && fields.contains("/2/stated_on") && fields.contains("/3/type"),
        "{fields:?}"
    );
    let conflicting = vec![
        json!({"type": "topic", "id": "another", "names": {"en": "Another"}}),
        {
            let mut c = claim_body("fork");
            c["type"] = json!("claim");
            c["supersedes"] = json!("morgan-stanley-us-shortfall-36gw");
            c
        },
    ];
    let response = import(&app, &token, &conflicting).await;
    problem(response, StatusCode::CONFLICT, "conflict").await;
    // Nothing of the batch was applied: not even its valid first record.
    problem(
        app.get("/v1/topics/another").await,
        StatusCode::NOT_FOUND,
        "topic_not_found",
    )
    .await;
    let after = app.get("/v1/claims?limit=100").await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(before, after);
    let wrong_type = app
        .client
        .post(format!("{}/v1/import", app.address))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    problem(
        wrong_type,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
}

#[tokio::test]
async fn the_history_filters_writes_and_outlives_a_deletion() {
    let app = spawn_app().await;
    // A record without writes, or an id never used, has an empty history: it is a filter.
    for path in [
        "/v1/history?resource=topic&id=chips",
        "/v1/history?resource=source&id=nope",
        "/v1/history?claim=nope",
    ] {
        assert_eq!(app.get_json(path).await["data"], json!([]), "{path}");
    }
    let response = app.get("/v1/history?resource=planet").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "invalid_parameter");
    assert_eq!(problem["errors"][0]["field"], "resource");

    let token = token(&app).await;
    let created = send(
        &app,
        reqwest::Method::POST,
        "/v1/sources",
        Some(&token),
        Some(&json!({"id": "short-lived", "kind": "article", "publisher": "Example", "language": "en"})),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let deleted = send(
        &app,
        reqwest::Method::DELETE,
        "/v1/sources/short-lived",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let actions = |history: &Value| -> Vec<(String, String)> {
        history["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["resource_id"].as_str().unwrap().to_owned(),
                    e["action"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let expected = [
        ("short-lived".to_owned(), "delete".to_owned()),
        ("short-lived".to_owned(), "create".to_owned()),
    ];
    let one = app
        .get_json("/v1/history?resource=source&id=short-lived&count=true")
        .await;
    assert_eq!(actions(&one), expected);
    assert_eq!(one["total"], 2);
    assert_eq!(
        actions(&app.get_json("/v1/history?id=short-lived").await),
        expected
    );
    assert_eq!(
        actions(
            &app.get_json("/v1/history?resource=claim&id=short-lived")
                .await
        ),
        []
    );
    // Unfiltered, the newest write of all comes first.
    let all = app.get_json("/v1/history?limit=1").await;
    assert_eq!(actions(&all), expected[..1]);
}

#[tokio::test]
async fn a_patch_naming_an_unknown_field_is_refused_even_with_null() {
    let app = spawn_app().await;
    let token = token(&app).await;
    for value in [json!(null), json!(1)] {
        let response = app
            .client
            .patch(format!("{}/v1/topics/chips", app.address))
            .bearer_auth(&token)
            .header("content-type", "application/merge-patch+json")
            .body(json!({ "no_such_field": value }).to_string())
            .send()
            .await
            .unwrap();
        let body = problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(body["errors"][0]["field"], "/no_such_field", "{value}");
    }
    // Null on a field the record has but does not set is still fine: it stays unset.
    let response = app
        .client
        .patch(format!("{}/v1/topics/chips", app.address))
        .bearer_auth(&token)
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"description": null}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_claimant_renamed_by_a_patch_is_found_by_its_new_name_only() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let claims = app.ids("/v1/claims?claimant=jensen-huang").await;
    assert!(!claims.is_empty());
    assert_eq!(
        app.ids(&format!("/v1/claims?claimant={}", enc("jensen huang")))
            .await,
        claims,
        "a name matches in any case"
    );
    let patched = send(
        &app,
        reqwest::Method::PATCH,
        "/v1/claimants/jensen-huang",
        Some(&token),
        Some(&json!({"names": {"en": "Jen-Hsun Huang", "zh-CN": "黄仁勋"}})),
    )
    .await;
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(
        app.ids(&format!("/v1/claims?claimant={}", enc("Jen-Hsun Huang")))
            .await,
        claims
    );
    assert!(
        app.ids(&format!("/v1/claims?claimant={}", enc("Jensen Huang")))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_patch_merges_into_a_map_of_names() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let patch = |body: Value| {
        let (app, token) = (&app, &token);
        async move {
            send(
                app,
                reqwest::Method::PATCH,
                "/v1/topics/chips",
                Some(token),
                Some(&body),
            )
            .await
        }
    };
    let before = app.get_json("/v1/topics/chips").await["names"].clone();
    let unchanged = patch(json!({"names": {}})).await;
    assert_eq!(unchanged.status(), StatusCode::OK);
    assert_eq!(app.get_json("/v1/topics/chips").await["names"], before);

    let merged = patch(json!({"names": {"de": "Chips", "en": null}})).await;
    assert_eq!(merged.status(), StatusCode::OK);
    let names = app.get_json("/v1/topics/chips").await["names"].clone();
    assert_eq!(names["de"], "Chips");
    assert!(names.get("en").is_none(), "{names}");

    // Removing every name leaves a topic without one: refused, as the whole record is checked.
    let mut all = serde_json::Map::new();
    for lang in names.as_object().unwrap().keys() {
        all.insert(lang.clone(), Value::Null);
    }
    let emptied = patch(json!({ "names": all })).await;
    let body = problem(
        emptied,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "/names", "{body}");
}

/// A record's times, and `token` and `history` lines, are a copy of another database's past: a
/// `write` token may not send them (a 422 naming each line, nothing applied); an `admin`
/// token's import keeps them as sent, and the history it carries stands for the import's own.
#[tokio::test]
async fn only_an_admin_import_keeps_times_tokens_and_history() {
    let app = spawn_app().await;
    let writer = token_of_scope(&app, Scope::Write).await;
    let admin = token_of_scope(&app, Scope::Admin).await;
    let (created, updated) = ("2025-01-02T03:04:05Z", "2025-02-03T04:05:06Z");
    let lines = [
        json!({"type": "topic", "id": "restored-topic", "names": {"en": "Restored"},
               "created_at": created, "updated_at": updated}),
        json!({"type": "token", "id": "0123456789abcdef", "name": "elsewhere", "scope": "write",
               "created_at": created, "revoked_at": null}),
        json!({"type": "history", "seq": 1000, "resource": "topic", "resource_id": "restored-topic",
               "claim_id": null, "action": "create", "token_id": "0123456789abcdef", "at": created,
               "diff": "[{\"op\":\"add\",\"path\":\"\",\"value\":{\"id\":\"restored-topic\"}}]"}),
    ];
    let history = "/v1/history?resource=topic&id=restored-topic";

    let refused = invalid_fields(import(&app, &writer, &lines).await).await;
    let fields: Vec<&str> = refused.iter().map(|(field, _)| field.as_str()).collect();
    assert_eq!(
        fields,
        ["/1/created_at", "/2/type", "/3/type"],
        "{refused:?}"
    );
    problem(
        app.get("/v1/topics/restored-topic").await,
        StatusCode::NOT_FOUND,
        "topic_not_found",
    )
    .await;
    assert_eq!(app.get_json(history).await["data"], json!([]));

    let applied = import(&app, &admin, &lines).await;
    assert_eq!(applied.status(), StatusCode::OK);
    let report: Value = applied.json().await.unwrap();
    assert_eq!(report["created"], json!({"topic": 1}), "{report}");
    let topic = app.get_json("/v1/topics/restored-topic").await;
    assert_eq!(
        (topic["created_at"].as_str(), topic["updated_at"].as_str()),
        (Some(created), Some(updated))
    );
    let entries = app.get_json(history).await;
    let entries = entries["data"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["seq"], 1000);
    assert_eq!(entries[0]["at"], created);
    assert_eq!(entries[0]["token_id"], "0123456789abcdef");

    // Times are both there or neither, the change not before the creation (compared as
    // instants: as text, `…05.5Z` sorts before `…05Z`).
    for (stamps, field) in [
        (json!({"created_at": created}), "/1/updated_at"),
        (json!({"updated_at": updated}), "/1/created_at"),
        (
            json!({"created_at": "2025-01-02T03:04:05Z", "updated_at": "2025-01-02T03:04:04.5Z"}),
            "/1/updated_at",
        ),
        (
            json!({"created_at": "yesterday", "updated_at": updated}),
            "/1/created_at",
        ),
    ] {
        let mut line = json!({"type": "topic", "id": "stamped-topic", "names": {"en": "Stamped"}});
        line.as_object_mut()
            .unwrap()
            .extend(stamps.as_object().unwrap().clone());
        let refused = invalid_fields(import(&app, &admin, &[line]).await).await;
        assert_eq!(refused[0].0, field, "{stamps}: {refused:?}");
    }
    let fraction = json!({"type": "topic", "id": "stamped-topic", "names": {"en": "Stamped"},
                          "created_at": "2025-01-02T03:04:05Z", "updated_at": "2025-01-02T03:04:05.5Z"});
    assert_eq!(
        import(&app, &admin, &[fraction]).await.status(),
        StatusCode::OK
    );

    // The history is copied only where it is not already.
    let again = problem(
        import(&app, &admin, &lines).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(
        again["detail"].as_str().unwrap().contains("line 3"),
        "{again}"
    );
    assert_eq!(
        app.get_json(history).await["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
