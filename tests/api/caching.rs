use reqwest::StatusCode;

use crate::support::spawn_app;

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

#[tokio::test]
async fn a_conditional_get_sees_a_commit_by_another_writer() {
    let app = spawn_app().await;
    let path = "/v1/claims?claimant=elon-musk";
    let conditional = |etag: String, accept: &'static str| {
        app.client
            .get(format!("{}{path}", app.address))
            .header("if-none-match", etag)
            .header("accept", accept)
            .send()
    };
    let before = app.get(path).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let json = "application/json";
    for _ in 0..2 {
        let res = conditional(before.clone(), json).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(res.headers()["etag"], before.as_str());
        assert_eq!(res.headers()["vary"], "accept, accept-encoding");
        assert!(res.headers().contains_key("x-request-id"));
    }
    // Another format of the same URL is another representation, whatever is remembered.
    let csv = conditional(before.clone(), "text/csv").await.unwrap();
    assert_eq!(csv.status(), StatusCode::OK);

    app.insert_claim("musk-new-remark", "2026-02-01").await;
    let changed = conditional(before.clone(), json).await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let after = changed.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(after, before);
    let body: serde_json::Value = changed.json().await.unwrap();
    assert!(crate::support::ids_of(&body).contains(&"musk-new-remark".to_owned()));
    let res = conditional(after.clone(), json).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
}

/// The middleware on a handler that counts its calls, over a real database file: a 304 for a
/// current ETag does not call the handler; after a commit it does.
#[tokio::test]
async fn a_current_etag_is_answered_without_running_the_handler() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use actix_web::{App, HttpResponse, HttpServer, middleware::from_fn, web};
    use claimtrail::api::middleware::{Validators, conditional_get};
    use claimtrail::store::Store;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("counted.db");
    let store = Store::open(&path, 1, None).await.unwrap();
    let validators = web::Data::new(Validators::new(store.change_probe().await.unwrap(), 100));
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}/counted", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let counted = counted.clone();
        App::new()
            .app_data(validators.clone())
            .route(
                "/counted",
                web::get().to(move || {
                    let n = counted.fetch_add(1, Ordering::SeqCst);
                    async move { HttpResponse::Ok().json(serde_json::json!({ "call": n })) }
                }),
            )
            .wrap(from_fn(conditional_get))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    let client = reqwest::Client::new();
    let get = |etag: Option<String>| {
        let req = client.get(&address);
        match etag {
            Some(etag) => req.header("if-none-match", etag),
            None => req,
        }
        .send()
    };

    let first = get(None).await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    for _ in 0..3 {
        let res = get(Some(etag.clone())).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "304s ran the handler");

    let other =
        sqlx::SqlitePool::connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&path))
            .await
            .unwrap();
    sqlx::query("insert into topics (id, names, created_at, updated_at) values ('t', '{\"en\":\"t\"}', '2026-01-01', '2026-01-01')")
        .execute(&other)
        .await
        .unwrap();
    // The handler's answer differs (its call count), so after the commit the ETag is stale.
    let res = get(Some(etag.clone())).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    store.close().await;
}
