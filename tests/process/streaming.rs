//! Streaming a list does not hold it in memory: the server's own peak resident set, read from
//! its `/proc` entry, barely moves while it streams a body of over 50 MB.

use reqwest::StatusCode;
use serde_json::Value;

use crate::server::{self, Server, memory_kib, temp_db};

#[tokio::test]
async fn ndjson_of_many_claims_streams_in_bounded_memory() {
    let _alone = server::alone().await;
    const CLAIMS: u64 = 100_000;
    let dataset: Value = serde_json::from_str(include_str!("../../data/dataset.json")).unwrap();
    let bundled = dataset["claims"].as_array().unwrap().len() as u64;
    let (dir, db) = temp_db();
    server::claimtrail(&db, &["migrate"]);
    // The server loads the dataset as it starts; the claims are added beside it, by another
    // writer, the way a bulk load by SQL would, which then has `claimtrail reindex` render their
    // documents and index them.
    let server = Server::start(&db, &dir.path().join("server.log"));
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query(
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < ?) \
         insert into claims (id, claimant_id, kind, stated_on, stated_precision, created_at, updated_at) \
         select 'bulk-' || i, 'openai', 'assertion', date('2000-01-01', '+' || (i % 9000) || ' days'), \
         'day', '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z' from n",
    )
    .bind(CLAIMS as i64)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into claim_texts (claim_id, lang, text) select id, 'en', \
         'A synthetic claim about electricity and AI compute, long enough to weigh something: ' || id \
         from claims where id like 'bulk-%'",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    server::claimtrail(&db, &["reindex"]);

    let client = reqwest::Client::new();
    // Warm up: the first page, then note the peak so far.
    let first = client
        .get(format!("{}/v1/claims?limit=100", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    first.bytes().await.unwrap();
    let before = memory_kib(server.pid(), "VmHWM");
    let mut response = client
        .get(format!(
            "{}/v1/claims?format=ndjson&evidence=any",
            server.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (mut lines, mut bytes) = (0u64, 0u64);
    while let Some(chunk) = response.chunk().await.unwrap() {
        bytes += chunk.len() as u64;
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    let grown = memory_kib(server.pid(), "VmHWM").saturating_sub(before);
    server.stop();
    println!(
        "streamed {lines} claims, {bytes} bytes; the server's peak RSS grew by {grown} KiB from {before} KiB"
    );
    assert_eq!(lines, CLAIMS + bundled);
    // The body is over 50 MB; holding it would grow the peak by at least that much.
    assert!(bytes > 50_000_000, "{bytes} bytes");
    assert!(
        grown < 40 * 1024,
        "the server's peak memory grew by {grown} KiB while streaming {bytes} bytes"
    );
}
