use claimtrail::store::{Store, dataset};

use crate::support::{TestApp, assert_sound, spawn_app, start};

#[tokio::test]
async fn loading_the_dataset_twice_changes_nothing() {
    let app = spawn_app().await;
    let etag =
        |response: reqwest::Response| response.headers()["etag"].to_str().unwrap().to_owned();
    let before = etag(
        app.get("/v1/claims?limit=100&expand=appearances,sources")
            .await,
    );

    // A second server start on the same file, and a direct second load.
    let again = start(&app.db_path).await;
    let client = reqwest::Client::new();
    let after = etag(
        client
            .get(format!(
                "{again}/v1/claims?limit=100&expand=appearances,sources"
            ))
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(before, after);
    let store = Store::open(&app.db_path, 1, None).await.unwrap();
    assert_eq!(
        dataset::load_bundled(&store).await.unwrap(),
        dataset::LoadOutcome::AlreadyPopulated
    );
    let counts: (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from claims), (select count(*) from appearances), \
         (select count(*) from sources)",
    )
    .fetch_one(&app.db().await)
    .await
    .unwrap();
    assert_eq!(counts, (22, 57, 37));
    store.close().await;
}

#[tokio::test]
async fn every_table_is_strict_and_the_file_is_sound() {
    let app = spawn_app().await;
    let db = app.db().await;
    assert_sound(&db).await;
    let violations: Vec<(String,)> =
        sqlx::query_as("select \"table\" from pragma_foreign_key_check")
            .fetch_all(&db)
            .await
            .unwrap();
    assert!(violations.is_empty(), "{violations:?}");
    let loose: Vec<String> = sqlx::query_scalar(
        "select name from pragma_table_list where schema = 'main' and type = 'table' \
         and name not like 'sqlite_%' and name != '_sqlx_migrations' and strict = 0",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert!(loose.is_empty(), "tables that are not STRICT: {loose:?}");
    let journal: String = sqlx::query_scalar("pragma journal_mode")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(journal, "wal");
}

#[tokio::test]
async fn an_export_imported_into_an_empty_database_gives_the_same_answers() {
    let app = spawn_app().await;
    // Something written through the API travels too, with its own timestamps.
    let writer = Store::open(&app.db_path, 1, None).await.unwrap();
    let (_, token) = claimtrail::store::tokens::create(
        &writer,
        "export",
        claimtrail::store::tokens::Scope::Write,
    )
    .await
    .unwrap();
    let created = app
        .client
        .post(format!("{}/v1/claims", app.address))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "id": "export-round-trip", "claimant": "openai", "kind": "assertion", "stated_on": "2026-11-29",
            "text": {"en": "An example claim for the export test.", "zh-TW": "匯出測試的範例。"},
            "quantities": [{"indicator": "power-capacity-additions", "subject": "US", "value": 5, "unit": "GW"}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    let exported = dataset::export(&writer).await.unwrap().to_json().unwrap();
    writer.close().await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("imported.db");
    let target = Store::open(&copy, 1, None).await.unwrap();
    let parsed = dataset::Dataset::parse(&exported).unwrap();
    assert_eq!(
        dataset::load(&target, &parsed).await.unwrap(),
        dataset::LoadOutcome::Loaded {
            claims: 23,
            sources: 37
        }
    );
    target.close().await;

    let imported = start(&copy).await;
    let client = reqwest::Client::new();
    for path in [
        "/v1/claims?limit=100&expand=appearances,assessments,sources",
        "/v1/claims/export-round-trip",
        "/v1/claimants",
        "/v1/sources?limit=100",
        "/v1/topics",
        "/v1/indicators",
        "/v1/indicators/datacenter-power-shortfall/estimates",
        "/v1/claims/morgan-stanley-us-shortfall-47gw/revisions",
        "/v1/claims?q=%E7%94%B5%E5%8A%9B",
    ] {
        let (original, copied) = both(&app, &client, &imported, path).await;
        assert_eq!(original, copied, "{path}");
    }
}

#[tokio::test]
async fn ndjson_records_exported_and_imported_give_the_same_record() {
    let app = spawn_app().await;
    let source = Store::open(&app.db_path, 1, None).await.unwrap();
    let lines = dataset::export_lines(&source).await.unwrap();
    source.close().await;
    assert_eq!(lines.len(), 5 + 7 + 5 + 37 + 22 + 57 + 3);

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("from-ndjson.db");
    let target = Store::open(&copy, 1, None).await.unwrap();
    let records = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let map = serde_json::from_str(line).unwrap();
            (
                i + 1,
                claimtrail::store::import::ImportLine::parse(i + 1, map).unwrap(),
            )
        })
        .collect();
    claimtrail::store::import::import(&target, records, "", true)
        .await
        .unwrap();
    target.close().await;

    let imported = start(&copy).await;
    let client = reqwest::Client::new();
    for path in [
        "/v1/claims?limit=100&expand=appearances,assessments,sources",
        "/v1/claimants",
        "/v1/sources?limit=100",
        "/v1/indicators/datacenter-power-shortfall/estimates",
        "/v1/claims?q=%E7%94%B5%E5%8A%9B",
    ] {
        let (original, copied) = both(&app, &client, &imported, path).await;
        assert_eq!(original, copied, "{path}");
    }
}

/// The body of a 200: two refusals alike must not pass for two answers alike.
async fn ok_text(response: reqwest::Response) -> String {
    assert_eq!(
        response.status(),
        reqwest::StatusCode::OK,
        "{}",
        response.url()
    );
    response.text().await.unwrap()
}

/// The bodies of `path` on the original and on the copy served at `imported`, each a 200.
async fn both(
    app: &TestApp,
    client: &reqwest::Client,
    imported: &str,
    path: &str,
) -> (String, String) {
    let copied = client
        .get(format!("{imported}{path}"))
        .send()
        .await
        .unwrap();
    (ok_text(app.get(path).await).await, ok_text(copied).await)
}
