use reqwest::StatusCode;

use crate::helpers::spawn_app;

const GETS: [&str; 14] = [
    "/v1/claims",
    "/v1/claims/musk-china-ai-compute",
    "/v1/claims/musk-china-ai-compute/appearances",
    "/v1/claims/morgan-stanley-us-shortfall-47gw/revisions",
    "/v1/claims/musk-china-ai-compute/assessments",
    "/v1/claimants",
    "/v1/claimants/elon-musk",
    "/v1/sources",
    "/v1/sources/moonshots-2026-01-06-musk",
    "/v1/topics",
    "/v1/topics/chips",
    "/v1/indicators",
    "/v1/indicators/spare-power-capacity",
    "/openapi.json",
];

#[tokio::test]
async fn every_get_has_an_etag_that_if_none_match_turns_into_304() {
    let app = spawn_app().await;
    for path in GETS {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "{path}: {etag}"
        );
        let cached = app
            .client
            .get(format!("{}{path}", app.address))
            .header("if-none-match", format!("\"stale\", {etag}"))
            .send()
            .await
            .unwrap();
        assert_eq!(cached.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(cached.headers()["etag"], etag.as_str());
        assert!(cached.bytes().await.unwrap().is_empty());
        let stale = app
            .client
            .get(format!("{}{path}", app.address))
            .header("if-none-match", "\"stale\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn the_etag_changes_when_the_data_does() {
    let app = spawn_app().await;
    let etag_of = |r: reqwest::Response| r.headers()["etag"].to_str().unwrap().to_owned();
    let before = etag_of(app.get("/v1/claims?claimant=elon-musk").await);
    assert_eq!(
        before,
        etag_of(app.get("/v1/claims?claimant=elon-musk").await)
    );
    app.insert_claim("musk-new-remark", "2026-02-01").await;
    assert_ne!(
        before,
        etag_of(app.get("/v1/claims?claimant=elon-musk").await)
    );
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let app = spawn_app().await;
    let get = app.get("/v1/claims/huang-power-is-free").await;
    let head = app
        .client
        .head(format!("{}/v1/claims/huang-power-is-free", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["etag"], get.headers()["etag"]);
    assert_eq!(
        head.headers()["content-length"],
        get.headers()["content-length"]
    );
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() {
    let app = spawn_app().await;
    let mine = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(mine.headers()["x-request-id"], "trace-42");
    let made = app.get("/v1/nothing").await;
    let id = made.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
}
