//! Tests about the process, on the release binary and one at a time (see `server`): SIGKILL in
//! the middle of writes, a bounded mixed load, memory under streaming and hostile input.

#[path = "../common/bundled.rs"]
mod bundled;
mod export;
mod hostile;
#[path = "../common/hostile_values.rs"]
mod hostile_values;
mod server;
mod streaming;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use server::{Server, assert_consistent, memory_kib, temp_db, write_token};

fn claim(id: &str) -> Value {
    json!({
        "id": id,
        "claimant": "elon-musk",
        "kind": "assertion",
        "stated_on": "2026-02-01",
        "text": {"en": format!("Crash-safety claim {id}: durablemarker."), "zh-CN": "断电测试"},
        "topics": ["electricity"],
    })
}

/// Writers POST claims as fast as they can; the server is killed with SIGKILL while they do,
/// restarted, and every claim it acknowledged with 201 must be there. Three rounds, each
/// killed at a different moment: once 20, 60 and 120 writes of the round were acknowledged
/// (counted, not timed, so a slow machine kills at the same points).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_write_acknowledged_before_sigkill_survives_it() {
    let _alone = server::alone().await;
    const WRITERS: usize = 8;
    let (dir, db) = temp_db();
    server::claimtrail(&db, &["migrate"]);
    let token = write_token(&db);
    let client = reqwest::Client::new();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut attempted = 0u64;

    for (round, kill_after) in [20usize, 60, 120].into_iter().enumerate() {
        let server = Server::start(&db, &dir.path().join(format!("round-{round}.log")));
        let next = Arc::new(AtomicU64::new(0));
        let killed = Arc::new(AtomicBool::new(false));
        let before = acknowledged.lock().await.len();
        let mut writers = Vec::new();
        for writer in 0..WRITERS {
            let (client, url, token) = (client.clone(), server.url.clone(), token.clone());
            let (next, acknowledged, killed) = (next.clone(), acknowledged.clone(), killed.clone());
            writers.push(tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    let id = format!("crash-{round}-{writer}-{n}");
                    let sent = client
                        .post(format!("{url}/v1/claims"))
                        .bearer_auth(&token)
                        .json(&claim(&id))
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status() == StatusCode::CREATED => {
                            acknowledged.lock().await.push(id)
                        }
                        Ok(r) => panic!("{id}: {} {}", r.status(), r.text().await.unwrap()),
                        // The server is gone: this writer's work is over, and only a kill may
                        // have ended it.
                        Err(e) => {
                            assert!(killed.load(Ordering::SeqCst), "{id}: {e} before the kill");
                            return;
                        }
                    }
                }
            }));
        }
        let waited = Instant::now();
        while acknowledged.lock().await.len() - before < kill_after {
            assert!(
                waited.elapsed() < Duration::from_secs(120),
                "round {round}: the server stopped acknowledging writes"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        killed.store(true, Ordering::SeqCst);
        server.kill();
        for writer in writers {
            writer.await.unwrap();
        }
        attempted += next.load(Ordering::SeqCst);
    }

    let acknowledged = acknowledged.lock().await.clone();
    assert_consistent(&db).await;
    let server = Server::start(&db, &dir.path().join("after.log"));
    let mut lost = Vec::new();
    for id in &acknowledged {
        let response = client
            .get(format!("{}/v1/claims/{id}", server.url))
            .send()
            .await
            .unwrap();
        if response.status() != StatusCode::OK {
            lost.push(id.clone());
        }
    }
    // The search index agrees with the table: every surviving crash claim is found by a word
    // only they contain, and by a Chinese bigram.
    let total = |body: Value| body["total"].as_u64().expect("total");
    let found = total(
        client
            .get(format!(
                "{}/v1/claims?q=durablemarker&count=true&limit=1",
                server.url
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    // Writes that reached the database but whose answer the kill cut off are there too.
    assert!(found >= acknowledged.len() as u64);
    let found_zh = total(
        client
            .get(format!(
                "{}/v1/claims?q=%E6%96%AD%E7%94%B5&count=true&limit=1",
                server.url
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    server.stop();
    // The expected count is read from the file, not from the server under test.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let stored: i64 = sqlx::query_scalar("select count(*) from claims where id like 'crash-%'")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(found, stored as u64, "found by an English word");
    assert_eq!(found_zh, stored as u64, "found by a Chinese bigram");
    println!(
        "crash: {attempted} writes attempted over 3 SIGKILLs, {} acknowledged, {} found by search, {} lost",
        acknowledged.len(),
        found,
        lost.len()
    );
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
}

/// How long the soak runs: `CLAIMTRAIL_SOAK_SECONDS`, 10 unless set (CI sets 60).
fn soak_seconds() -> u64 {
    std::env::var("CLAIMTRAIL_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
}

/// Reads, searches and writes at once, for a bounded time: no request may fail, memory must
/// stay flat, and the database must be consistent afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mixed_load_fails_nothing_and_memory_stays_flat() {
    let _alone = server::alone().await;
    let seconds = soak_seconds();
    let (dir, db) = temp_db();
    server::claimtrail(&db, &["migrate"]);
    let token = write_token(&db);
    let server = Server::start(&db, &dir.path().join("soak.log"));
    let client = reqwest::Client::new();
    let requests = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));

    let reads = [
        "/v1/claims?limit=20",
        "/v1/claims?claimant=goldman-sachs&sort=-stated_on",
        "/v1/claims/musk-china-ai-compute?expand=appearances,assessments",
        "/v1/claims?q=%E7%94%B5%E5%8A%9B",
        "/v1/claims?q=electricity%20demand",
        "/v1/claims?indicator=spare-power-capacity&value_min=100GW",
        "/v1/claims/morgan-stanley-us-shortfall-47gw/revisions",
        "/v1/sources?q=musk",
        "/v1/claims?format=ndjson",
        "/v1/claims?format=csv&lang=zh",
    ];
    let mut tasks = Vec::new();
    for reader in 0..3 {
        let (client, url) = (client.clone(), server.url.clone());
        let (requests, failures, stop) = (requests.clone(), failures.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = reader;
            while !stop.load(Ordering::Relaxed) {
                let path = reads[i % reads.len()];
                i += 1;
                let outcome = client.get(format!("{url}{path}")).send().await;
                requests.fetch_add(1, Ordering::Relaxed);
                match outcome {
                    Ok(r) if r.status() == StatusCode::OK => {
                        // Read the whole body, as a client would.
                        if r.bytes().await.is_err() {
                            failures
                                .lock()
                                .await
                                .push(format!("{path}: body cut short"));
                        }
                    }
                    Ok(r) => failures
                        .lock()
                        .await
                        .push(format!("{path}: {}", r.status())),
                    Err(e) => failures.lock().await.push(format!("{path}: {e}")),
                }
            }
        }));
    }
    {
        // One writer creates, edits and deletes claims, so the data churns under the readers.
        let (client, url, token) = (client.clone(), server.url.clone(), token.clone());
        let (requests, failures, stop) = (requests.clone(), failures.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let id = format!("soak-{n}");
                let claims = format!("{url}/v1/claims");
                let steps = [
                    (client.post(&claims).json(&claim(&id)), StatusCode::CREATED),
                    (
                        client
                            .patch(format!("{claims}/{id}"))
                            .header("content-type", "application/merge-patch+json")
                            .body(r#"{"note": "Edited under load."}"#),
                        StatusCode::OK,
                    ),
                    (
                        client.delete(format!("{claims}/{id}")),
                        StatusCode::NO_CONTENT,
                    ),
                ];
                // Two in three claims are kept, so the database grows as it would.
                let keep = !n.is_multiple_of(3);
                for (step, (request, expected)) in steps.into_iter().enumerate() {
                    if keep && step == 2 {
                        break;
                    }
                    let outcome = request.bearer_auth(&token).send().await;
                    requests.fetch_add(1, Ordering::Relaxed);
                    match outcome {
                        Ok(r) if r.status() == expected => {}
                        Ok(r) => failures.lock().await.push(format!("{id}: {}", r.status())),
                        Err(e) => failures.lock().await.push(format!("{id}: {e}")),
                    }
                }
                n += 1;
            }
        }));
    }

    // Resident memory every tenth of the run. SQLite's page caches (2 MiB for each of the 9
    // connections) fill as the database grows under the writer, so the first half is warm-up;
    // the second half must be flat.
    let started = Instant::now();
    let mut samples = Vec::new();
    for tenth in 1..=10 {
        let at = Duration::from_secs(seconds) * tenth / 10;
        tokio::time::sleep(at.saturating_sub(started.elapsed())).await;
        samples.push(memory_kib(server.pid(), "VmRSS"));
    }
    // However fast the machine, the load is at least this many requests: it runs on past its
    // time until they are sent (a server that stops answering fails the wait, not a timing).
    const AT_LEAST: u64 = 1_000;
    let waited = Instant::now();
    while requests.load(Ordering::Relaxed) < AT_LEAST {
        assert!(
            waited.elapsed() < Duration::from_secs(300),
            "the server stopped answering"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (warm, end) = (samples[4], samples[9]);
    let peak = memory_kib(server.pid(), "VmHWM");
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    server.stop();
    assert_consistent(&db).await;

    let total = requests.load(Ordering::Relaxed);
    let failures = failures.lock().await.clone();
    println!(
        "soak: {seconds} s, {total} requests, {} failed; RSS by tenths of the run (KiB): {samples:?}, peak {peak} KiB",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
    // Flat: over the second half, growth within allocator slack.
    assert!(
        end <= warm + warm / 10 + 4 * 1024,
        "RSS grew from {warm} KiB at half time to {end} KiB: {samples:?}"
    );
}

/// Issue "Every refusal bounded", 5: the costliest refusal a write token can ask for, an import
/// as large as the server takes (64 MiB) of lines that all fail, is refused with 100 errors and
/// their count, and the server's peak memory stays far below what holding every line (about
/// 1 GB at 25 MB) or every error (a 425 MB 422) would take.
#[tokio::test]
async fn an_import_of_a_million_bad_lines_is_refused_in_bounded_memory() {
    let _alone = server::alone().await;
    const LIMIT_KIB: u64 = 300 * 1024;
    let (dir, db) = temp_db();
    server::claimtrail(&db, &["migrate"]);
    let token = write_token(&db);
    let server = Server::start(&db, &dir.path().join("import.log"));
    let line = "{\"type\":\"nope\"}\n";
    let lines = (64 << 20) / line.len() - 1;
    let body = line.repeat(lines);
    let response = reqwest::Client::new()
        .post(format!("{}/v1/import", server.url))
        .bearer_auth(&token)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bytes = response.bytes().await.unwrap();
    let problem: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(problem["code"], "validation_failed");
    assert_eq!(problem["error_count"], lines);
    assert_eq!(problem["errors"].as_array().unwrap().len(), 100);
    assert_eq!(problem["errors"][0]["field"], "/1/type");
    assert!(bytes.len() < 64 << 10, "a {} byte problem", bytes.len());
    let peak = memory_kib(server.pid(), "VmHWM");
    println!("import of {lines} bad lines refused; server peak RSS {peak} KiB");
    assert!(peak < LIMIT_KIB, "peak RSS {peak} KiB");
    server.stop();
}

/// 21 (issue "Every refusal bounded, clear and documented"): a log line that cannot be written
/// fails no request. With its log on a full disk (`/dev/full`), the server answers probes,
/// reads, refusals and writes as it would otherwise, and keeps what it acknowledged.
#[tokio::test]
async fn a_log_that_cannot_be_written_fails_no_request() {
    let _alone = server::alone().await;
    let (dir, db) = temp_db();
    server::claimtrail(&db, &["migrate"]);
    let token = write_token(&db);
    let server = Server::start_logging_to_full_disk(&db);
    let client = reqwest::Client::new();
    // (path, status, the problem's code for a refusal)
    for (path, status, code) in [
        ("/healthz", StatusCode::OK, None),
        ("/readyz", StatusCode::OK, None),
        ("/v1/claims?limit=5", StatusCode::OK, None),
        (
            "/v1/claims/no-such-claim",
            StatusCode::NOT_FOUND,
            Some("claim_not_found"),
        ),
        (
            "/v1/claims?limit=0",
            StatusCode::BAD_REQUEST,
            Some("invalid_parameter"),
        ),
        ("/openapi.json", StatusCode::OK, None),
    ] {
        let response = client
            .get(format!("{}{path}", server.url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: no answer: {e}"));
        assert_eq!(response.status(), status, "GET {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"].as_str(), code, "GET {path}: {body}");
    }
    let created = client
        .post(format!("{}/v1/claims", server.url))
        .bearer_auth(&token)
        .json(&claim("logged-nowhere"))
        .send()
        .await
        .expect("POST answered");
    assert_eq!(created.status(), StatusCode::CREATED);
    server.stop();
    let server = Server::start(&db, &dir.path().join("after.log"));
    let response = reqwest::get(format!("{}/v1/claims/logged-nowhere", server.url))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    server.stop();
}

/// The first line a raw request gets back on a connection of its own.
fn status_line(url: &str, request: &[u8]) -> String {
    answer(url, request)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Sends raw bytes on a new connection and returns all the server answers before it closes.
fn answer(url: &str, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // The server may answer and close before it has read all of an oversized head.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// 11 and 13 (issue "Every refusal bounded, clear and documented"): the refusals the HTTP layer
/// makes before the app are the bare ones the README and the document list, and each is logged
/// at warn (actix logs them at error), while a URL the app can still see is a 414 problem.
#[test]
fn refusals_of_the_http_layer_are_the_documented_ones_and_logged_at_warn() {
    let _alone = server::alone_blocking();
    let (dir, db) = temp_db();
    let log = dir.path().join("server.log");
    let server = Server::start(&db, &log);
    let get = |target: &str, extra: &str| {
        format!("GET {target} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n").into_bytes()
    };
    let many_headers: String = (0..100).map(|i| format!("X-H{i}: v\r\n")).collect();
    let bare: [(&str, Vec<u8>, &str); 6] = [
        (
            "a bad header byte",
            get("/healthz", "X-Bad: a\u{1}b\r\n"),
            "400",
        ),
        (
            "an invalid Content-Length",
            get("/healthz", "Content-Length: abc\r\n"),
            "400",
        ),
        (
            "two Content-Lengths that differ",
            get("/healthz", "Content-Length: 1\r\nContent-Length: 2\r\n"),
            "400",
        ),
        (
            "more than 96 header fields",
            get("/healthz", &many_headers),
            "431",
        ),
        (
            "a URL over 64 KiB",
            get(&format!("/v1/claims?q={}", "a".repeat(66 << 10)), ""),
            "400",
        ),
        (
            "a head over 128 KiB",
            get(&format!("/v1/claims?q={}", "a".repeat(130 << 10)), ""),
            "431",
        ),
    ];
    for (what, request, status) in &bare {
        let line = status_line(&server.url, request);
        assert!(
            line.starts_with(&format!("HTTP/1.1 {status} ")),
            "{what}: {line}"
        );
    }
    let long = answer(
        &server.url,
        &get(&format!("/v1/claims?q={}", "a".repeat(40 << 10)), ""),
    );
    assert!(long.starts_with("HTTP/1.1 414 "), "a URL of 40 KiB: {long}");
    assert!(
        long.contains("\"code\":\"uri_too_long\""),
        "a URL of 40 KiB: {long}"
    );
    server.stop();

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(" ERROR "), "logged at error:\n{text}");
    let warnings = text
        .lines()
        .filter(|l| l.contains(" WARN claimtrail::http:"))
        .count();
    assert_eq!(warnings, bare.len(), "{text}");
}
