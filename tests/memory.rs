//! Streaming a list does not hold it in memory. This runs alone in its own process (its own
//! test binary), so the process's peak resident memory is the server's.

// The integration helpers, shared with tests/api; this binary uses only some of them.
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use helpers::spawn_app;

/// Peak resident set size of this process, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

#[tokio::test]
async fn ndjson_of_many_claims_streams_in_bounded_memory() {
    const CLAIMS: u64 = 100_000;
    let app = spawn_app().await;
    let db = app.db().await;
    sqlx::query(
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < ?) \
         insert into claims (id, claimant_id, kind, stated_on, stated_precision, created_at, updated_at) \
         select 'bulk-' || i, 'openai', 'assertion', date('2000-01-01', '+' || (i % 9000) || ' days'), \
         'day', '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z' from n",
    )
    .bind(CLAIMS as i64)
    .execute(&db)
    .await
    .unwrap();
    sqlx::query(
        "insert into claim_texts (claim_id, lang, text) select id, 'en', \
         'A synthetic claim about electricity and AI compute, long enough to weigh something: ' || id \
         from claims where id like 'bulk-%'",
    )
    .execute(&db)
    .await
    .unwrap();
    db.close().await;

    // Warm up: the first page, then note the peak so far.
    assert_eq!(app.get("/v1/claims?limit=100").await.status(), 200);
    let before = peak_rss_kib();
    let mut response = app.get("/v1/claims?format=ndjson").await;
    assert_eq!(response.status(), 200);
    let (mut lines, mut bytes) = (0u64, 0u64);
    while let Some(chunk) = response.chunk().await.unwrap() {
        bytes += chunk.len() as u64;
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    let grown = peak_rss_kib().saturating_sub(before);
    println!(
        "streamed {lines} claims, {bytes} bytes; peak RSS grew by {grown} KiB from {before} KiB"
    );
    // The dataset's 22 claims but the unverified lead, which listings leave out.
    assert_eq!(lines, CLAIMS + 21);
    // The body is over 50 MB; holding it would grow the peak by at least that much.
    assert!(bytes > 50_000_000, "{bytes} bytes");
    assert!(
        grown < 40 * 1024,
        "peak memory grew by {grown} KiB while streaming {bytes} bytes"
    );
}
