//! Faults (issue "Every refusal bounded, clear and documented", point 21): a full disk, and any
//! other failed write, leave the next write working with no restart, and nothing acknowledged
//! is lost. The disk fills for real: the database file is held to a size with SQLite's
//! `max_page_count` (`CLAIMTRAIL_MAX_DATABASE_MIB`), and another connection takes the room.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{
    TestApp, assert_sound, big_claim, bytes_of, claims_in, import, problem, send, spawn_app,
    spawn_app_limited_to, token,
};

async fn post_claim(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    send(
        app,
        Method::POST,
        "/v1/claims",
        Some(token),
        Some(&big_claim(id)),
    )
    .await
}

/// 21: writes past the room there is are 507 `storage_full` with `Retry-After` (not 500), one
/// after another; reads go on; once room is made the next write is stored, with no restart;
/// everything acknowledged before is there.
#[tokio::test]
async fn a_full_database_refuses_writes_and_takes_them_again_once_there_is_room() {
    let dataset = {
        let app = spawn_app().await;
        bytes_of(&app.db().await).await
    };
    let mib = dataset.div_ceil(1 << 20) + 2;
    let app = spawn_app_limited_to(mib).await;
    let token = token(&app).await;

    // Another connection, with no limit of its own, takes all but 256 KiB of the room.
    let db = app.db().await;
    sqlx::query("create table balloon (b blob)")
        .execute(&db)
        .await
        .unwrap();
    while bytes_of(&db).await < (mib << 20) - (256 << 10) {
        sqlx::query("insert into balloon values (zeroblob(65536))")
            .execute(&db)
            .await
            .unwrap();
    }

    let mut acknowledged = Vec::new();
    let refused = loop {
        assert!(
            acknowledged.len() < 100,
            "100 claims of 16 KB fitted in 256 KiB"
        );
        let id = format!("full-{}", acknowledged.len());
        let response = post_claim(&app, &token, &id).await;
        if response.status() != StatusCode::CREATED {
            break response;
        }
        acknowledged.push(id);
    };
    assert!(!acknowledged.is_empty(), "no write fitted before the limit");
    let retry_after = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(retry_after.parse::<u64>().unwrap() > 0, "{retry_after}");
    problem(refused, StatusCode::INSUFFICIENT_STORAGE, "storage_full").await;

    // Still full: each later write gets the same answer, not the error of a writer left
    // inside the failed transaction.
    for attempt in 0..3 {
        let response = post_claim(&app, &token, &format!("still-full-{attempt}")).await;
        problem(response, StatusCode::INSUFFICIENT_STORAGE, "storage_full").await;
    }
    let response = import(
        &app,
        &token,
        &[{
            let mut line = big_claim("imported-when-full");
            line["type"] = json!("claim");
            line
        }],
    )
    .await;
    problem(response, StatusCode::INSUFFICIENT_STORAGE, "storage_full").await;
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    assert_eq!(
        app.get("/v1/claims?limit=100").await.status(),
        StatusCode::OK
    );

    sqlx::query("drop table balloon")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    let response = post_claim(&app, &token, "after-room").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    acknowledged.push("after-room".to_owned());

    for id in &acknowledged {
        let claim = app.get_json(&format!("/v1/claims/{id}")).await;
        assert_eq!(claim["text"], big_claim(id)["text"], "{id}");
    }
    for id in ["still-full-0", "imported-when-full"] {
        let response = app.get(&format!("/v1/claims/{id}")).await;
        problem(response, StatusCode::NOT_FOUND, "claim_not_found").await;
    }
    assert_sound(&app.db().await).await;
}

/// 21: every kind of failed write, including those that fail inside their transaction after
/// writing rows, leaves the writer ready for the next one.
#[tokio::test]
async fn every_failed_write_leaves_the_next_one_working() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let failures: [(Method, &str, Option<Value>, StatusCode, &str); 5] = [
        (
            Method::POST,
            "/v1/topics",
            Some(json!({"id": "electricity", "names": {"en": "Taken"}})),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            Method::POST,
            "/v1/claims",
            Some(json!({"claimant": "openai"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            Method::PATCH,
            "/v1/claims/no-such-claim",
            Some(json!({"kind": "assertion"})),
            StatusCode::NOT_FOUND,
            "claim_not_found",
        ),
        (
            Method::DELETE,
            "/v1/claimants/elon-musk",
            None,
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            Method::POST,
            "/v1/claims",
            Some(json!({"claimant": "no-such-claimant", "kind": "assertion",
                        "stated_on": "2026-05-01", "text": {"en": "Refused."}})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
    ];
    for (n, (method, path, body, status, code)) in failures.into_iter().enumerate() {
        let response = send(&app, method.clone(), path, Some(&token), body.as_ref()).await;
        problem(response, status, code).await;
        let topic = json!({"id": format!("after-failure-{n}"), "names": {"en": "Next"}});
        let response = send(&app, Method::POST, "/v1/topics", Some(&token), Some(&topic)).await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "the write after {method} {path}"
        );
    }

    // A write whose If-Match is checked inside its transaction, after reading.
    let response = app
        .client
        .patch(format!("{}/v1/topics/electricity", app.address))
        .bearer_auth(&token)
        .header("if-match", "\"stale\"")
        .json(&json!({"names": {"en": "Stale"}}))
        .send()
        .await
        .unwrap();
    problem(
        response,
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
    )
    .await;
    let topic = json!({"id": "after-stale", "names": {"en": "Next"}});
    let response = send(&app, Method::POST, "/v1/topics", Some(&token), Some(&topic)).await;
    assert_eq!(response.status(), StatusCode::CREATED);

    // An import that wrote its first record before its second failed in the transaction.
    let response = import(
        &app,
        &token,
        &[
            json!({"type": "topic", "id": "imported-then-undone", "names": {"en": "Undone"}}),
            json!({"type": "claim", "id": "imported-orphan", "claimant": "no-such-claimant",
                   "kind": "assertion", "stated_on": "2026-05-01", "text": {"en": "Refused."}}),
        ],
    )
    .await;
    problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let response = app.get("/v1/topics/imported-then-undone").await;
    problem(response, StatusCode::NOT_FOUND, "topic_not_found").await;
    let topic = json!({"id": "after-import", "names": {"en": "Next"}});
    let response = send(&app, Method::POST, "/v1/topics", Some(&token), Some(&topic)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

/// The database file moved away, or replaced by a copy, under the running server (an operator
/// restoring a backup with `mv`): SQLite goes on writing to the file it opened, in WAL mode
/// without a word, so every write acknowledged then would be gone at the next start. `/readyz`
/// and every write answer 503 `database_unavailable` instead, and nothing is written; with the
/// file put back the server takes writes again, with no restart.
#[tokio::test]
async fn a_database_file_moved_away_or_replaced_takes_no_writes() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let before = claims_in(&app.db_path).await;
    let aside = app.db_path.with_extension("aside");
    let refused = async |n: usize| {
        problem(
            app.get("/readyz").await,
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
        )
        .await;
        let body = problem(
            post_claim(&app, &token, &format!("fault-moved-{n}")).await,
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
        )
        .await;
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("removed or replaced"),
            "{body}"
        );
    };

    std::fs::rename(&app.db_path, &aside).unwrap();
    refused(1).await;
    // A copy in its place is another file: still no write.
    std::fs::copy(&aside, &app.db_path).unwrap();
    refused(2).await;
    std::fs::remove_file(&app.db_path).unwrap();

    // Put back (with the WAL, which never moved), it is the server's file again.
    std::fs::rename(&aside, &app.db_path).unwrap();
    assert_eq!(
        claims_in(&app.db_path).await,
        before,
        "a refused write was made"
    );
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    let created = post_claim(&app, &token, "fault-moved-back").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(claims_in(&app.db_path).await, before + 1);
}
